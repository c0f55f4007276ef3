/* report.c - see costrank/report.h */
#include "costrank/report.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "costrank/error.h"
#include "costrank/i18n.h"

const char *cr_metric_name(enum cr_metric m)
{
	/* N_: the JSON keeps the English word; the human formats translate it */
	return m == CR_METRIC_AMORTIZED ? N_("amortized") : N_("unblended");
}

const char *cr_excluded_name(enum cr_excluded e)
{
	static const char *const names[CR_EXCL_COUNT] = { N_("credits"), N_("refunds"),
								  N_("tax") };
	return (unsigned)e < CR_EXCL_COUNT ? names[e] : "?";
}

void cr_report_add_warning(cr_report *r, const char *fmt, ...)
{
	va_list ap;
	char tmp[1024];

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	r->warnings = cr_xrealloc(r->warnings, (r->n_warnings + 1) * sizeof *r->warnings);
	r->warnings[r->n_warnings++] = cr_xstrdup(tmp);
}

static void free_service(cr_report_service *s)
{
	for (size_t i = 0; i < s->n_usage; i++) {
		free(s->usage[i].usage_type);
		free(s->usage[i].unit);
	}
	free(s->usage);
	free(s->name);
}

void cr_proposal_free(cr_proposal *p)
{
	free(p->rule);
	free(p->title);
	free(p->account_id);
	free(p->account_name);
	free(p->environment);
	free(p->service);
	free(p->usage_type);
	free(p->formula);
	free(p->evidence);
	free(p->rationale);
	free(p->reference);
	free(p->basis);
	for (size_t i = 0; i < p->n_alternatives; i++) {
		free(p->alternatives[i].rule);
		free(p->alternatives[i].formula);
	}
	free(p->alternatives);
}

void cr_report_free(cr_report *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->n_proposals; i++)
		cr_proposal_free(&r->proposals[i]);
	free(r->proposals);
	for (size_t i = 0; i < r->n_accounts; i++) {
		cr_report_account *a = &r->accounts[i];
		for (size_t j = 0; j < a->n_services; j++)
			free_service(&a->services[j]);
		free(a->services);
		free(a->id);
		free(a->name);
		free(a->environment);
		free(a->owner);
	}
	free(r->accounts);
	for (size_t i = 0; i < r->n_services; i++)
		free(r->services[i].name);
	free(r->services);
	for (size_t i = 0; i < r->n_files; i++)
		free(r->files[i]);
	free(r->files);
	for (size_t i = 0; i < r->n_warnings; i++)
		free(r->warnings[i]);
	free(r->warnings);
	free(r->period_label);
	free(r->currency);
	free(r->source_kind);
	free(r);
}
