/* report.c - see costrank/report.h */
#include "costrank/report.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "costrank/error.h"
#include "costrank/i18n.h"
#include "costrank/strpool.h"

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

void cr_report_set_provenance(cr_report *r, const cr_provenance *p)
{
	r->paid_requests = p->paid_requests;
	r->cached_requests = p->cached_requests;
	r->estimated = p->estimated;
	r->partial = p->partial;
	r->data_through = p->data_through;
	r->pushdown = p->pushdown;
	for (size_t i = 0; i < p->n_notes; i++)
		cr_report_add_warning(r, "%s", p->notes[i]);
}

static void free_service(cr_report_service *s)
{
	for (size_t i = 0; i < s->n_usage; i++) {
		free(s->usage[i].usage_type);
		free(s->usage[i].unit);
		for (size_t k = 0; k < s->usage[i].n_resources; k++)
			free(s->usage[i].resources[k].id);
		free(s->usage[i].resources);
	}
	free(s->usage);
	free(s->name);
}

void cr_proposal_free(cr_proposal *p)
{
	free(p->alternatives);
	p->alternatives = NULL;
	p->n_alternatives = 0;
}

struct cr_strpool *cr_report_strings(cr_report *r)
{
	if (!r->strings)
		r->strings = cr_strpool_new();
	return r->strings;
}

const char *cr_report_intern(cr_report *r, const char *s)
{
	return cr_strpool_intern(cr_report_strings(r), s);
}

const char *cr_report_text(cr_report *r, const char *s)
{
	return cr_strpool_copy(cr_report_strings(r), s ? s : "", s ? strlen(s) : 0);
}

static const char *const status_names[CR_REAL_COUNT] = {
	[CR_REAL_DONE] = "done", [CR_REAL_PARTLY] = "partly-done", [CR_REAL_NOT_YET] = "not-yet",
	[CR_REAL_LINE_GONE] = "line-gone", [CR_REAL_LINE_GREW] = "line-grew",
};

const char *cr_realised_status_name(int status)
{
	return status >= 0 && status < CR_REAL_COUNT ? status_names[status] : "?";
}

static void free_realised(cr_report_realised *x)
{
	if (!x)
		return;
	for (size_t i = 0; i < x->n_items; i++) {
		cr_realised_item *it = &x->items[i];
		free(it->rule);
		free(it->title);
		free(it->model);
		free(it->action);
		free(it->account_id);
		free(it->account_name);
		free(it->service);
		free(it->usage_type);
		free(it->target_usage_type);
	}
	free(x->items);
	for (size_t i = 0; i < x->n_commitments; i++) {
		free(x->commitments[i].account_id);
		free(x->commitments[i].service);
		free(x->commitments[i].usage_type);
	}
	free(x->commitments);
	free(x->file);
	free(x->period_label);
	free(x);
}

void cr_report_free(cr_report *r)
{
	if (!r)
		return;
	free_realised(r->realised);
	for (size_t i = 0; r->trend.services && i < r->n_accounts; i++)
		free(r->trend.services[i]);
	free(r->trend.services);
	free(r->trend.accounts);
	free(r->trend.total);
	free(r->trend.months);
	for (size_t i = 0; i < r->n_anomalies; i++) {
		free(r->anomalies[i].account_id);
		free(r->anomalies[i].account_name);
		free(r->anomalies[i].service);
		for (size_t k = 0; k < r->anomalies[i].n_usage; k++)
			free(r->anomalies[i].usage_types[k]);
	}
	free(r->anomalies);
	for (size_t i = 0; i < r->n_drivers; i++) {
		free(r->drivers[i].account_id);
		free(r->drivers[i].service);
		for (size_t k = 0; k < r->drivers[i].n_movers; k++)
			free(r->drivers[i].movers[k].usage_type);
	}
	free(r->drivers);
	for (size_t i = 0; i < r->n_proposals; i++)
		cr_proposal_free(&r->proposals[i]);
	free(r->proposals);
	cr_strpool_free(r->strings);
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
	for (size_t i = 0; i < r->n_allocations; i++) {
		cr_report_allocation *a = &r->allocations[i];
		for (size_t j = 0; j < a->n_values; j++) {
			for (size_t k = 0; k < a->values[j].n_services; k++)
				free(a->values[j].services[k].name);
			free(a->values[j].services);
			free(a->values[j].value);
		}
		free(a->values);
		free(a->dimension);
		free(a->untagged_label);
	}
	free(r->allocations);
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
