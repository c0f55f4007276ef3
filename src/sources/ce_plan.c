/* ce_plan.c - Cost Explorer request bodies and the dry run (ce_plan.h) */
#include "costrank/ce_plan.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "costrank/buf.h"
#include "costrank/ce.h"
#include "costrank/error.h"

static const char *const excluded_types[] = { "Credit", "Refund", "Tax" };
/* billing files count quantities of these record types only */
static const char *const usage_types[] = { "Usage", "DiscountedUsage", "SavingsPlanCoveredUsage" };

size_t cr_ce_spans(const cr_period *cur, const cr_period *prev, cr_ce_span spans[2])
{
	if (cur->start == cr_month_first(cur->start) && prev->end + 1 == cur->start) {
		spans[0].start = prev->start;
		spans[0].end_excl = cur->end + 1;
		return 1;
	}
	spans[0].start = prev->start;
	spans[0].end_excl = prev->end + 1;
	spans[1].start = cur->start;
	spans[1].end_excl = cur->end + 1;
	return 2;
}

const char *cr_ce_metric_name(enum cr_metric m)
{
	return m == CR_METRIC_AMORTIZED ? "AmortizedCost" : "UnblendedCost";
}

static json_t *strings(const char *const *v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static json_t *dims(const char *key, const char *const *values, size_t n)
{
	json_t *d = json_object(), *e = json_object();

	json_object_set_new(d, "Key", json_string(key));
	json_object_set_new(d, "Values", strings(values, n));
	json_object_set_new(e, "Dimensions", d);
	return e;
}

static json_t *not(json_t *x)
{
	json_t *e = json_object();

	json_object_set_new(e, "Not", x);
	return e;
}

/* And[...] of the expressions, or the one expression, or NULL. */
static json_t *all_of(json_t **v, size_t n)
{
	json_t *e, *a;

	if (n == 0)
		return NULL;
	if (n == 1)
		return v[0];
	a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, v[i]);
	e = json_object();
	json_object_set_new(e, "And", a);
	return e;
}

static json_t *group(const char *type, const char *key)
{
	json_t *g = json_object();

	json_object_set_new(g, "Type", json_string(type));
	json_object_set_new(g, "Key", json_string(key));
	return g;
}

char *cr_ce_query_body(const cr_ce_query_spec *q)
{
	char s[CR_DATE_STRLEN], e[CR_DATE_STRLEN];
	json_t *root = json_object(), *tp = json_object(), *metrics = json_array();
	json_t *gb = json_array(), *f[6];
	const char *cost = cr_ce_metric_name(q->metric);
	const char *g1 = "LINKED_ACCOUNT", *g2 = "USAGE_TYPE", *t1 = "DIMENSION", *t2 = "DIMENSION";
	bool daily = q->kind == CR_CEQ_DAILY || q->kind == CR_CEQ_DAILY_ALL;
	size_t nf = 0;
	char *text;

	cr_day_format(q->span.start, s);
	cr_day_format(q->span.end_excl, e);
	json_object_set_new(tp, "Start", json_string(s));
	json_object_set_new(tp, "End", json_string(e));
	json_object_set_new(root, "TimePeriod", tp);
	json_object_set_new(root, "Granularity", json_string(daily ? "DAILY" : "MONTHLY"));

	if (q->n_accounts)
		f[nf++] = dims("LINKED_ACCOUNT", q->accounts, q->n_accounts);
	switch (q->kind) {
	case CR_CEQ_RECON:
		g2 = "RECORD_TYPE";
		break;
	case CR_CEQ_TAGS:
		g2 = CR_CE_ENV_TAG;
		t2 = "TAG";
		break;
	case CR_CEQ_LINES:
		g1 = "SERVICE";
		f[nf++] = not(dims("RECORD_TYPE", excluded_types, 3));
		break;
	case CR_CEQ_QUANTITY: {
		const char *types[6];
		memcpy(types, usage_types, sizeof usage_types);
		memcpy(types + 3, excluded_types, sizeof excluded_types);
		f[nf++] = not(dims("RECORD_TYPE", types, 6));
		break;
	}
	case CR_CEQ_INCLUDED:
		/* tax has no usage type; credits and refunds are asked per account */
		if (q->category == CR_EXCL_TAX)
			g2 = "SERVICE";
		else
			g1 = "SERVICE";
		f[nf++] = dims("RECORD_TYPE", &excluded_types[q->category], 1);
		break;
	case CR_CEQ_DIM: {
		/* the record types the ranking counts: --include adds some */
		const char *types[3];
		size_t n = 0;

		for (int c = 0; c < CR_EXCL_COUNT; c++)
			if (!q->include[c])
				types[n++] = excluded_types[c];
		if (n)
			f[nf++] = not(dims("RECORD_TYPE", types, n));
		t1 = q->cost_category ? "COST_CATEGORY" : "TAG";
		g1 = q->dim_key;
		g2 = "SERVICE";
		break;
	}
	case CR_CEQ_DAILY:
	case CR_CEQ_DAILY_ALL:
		f[nf++] = dims("SERVICE", q->services, q->n_services);
		f[nf++] = dims("USAGE_TYPE", q->usage_types, q->n_usage_types);
		if (q->kind == CR_CEQ_DAILY) {
			const char *spot = "Spot Instances";
			f[nf++] = dims("RECORD_TYPE", usage_types, 1);
			f[nf++] = not(dims("PURCHASE_TYPE", &spot, 1));
		} else {
			f[nf++] = not(dims("RECORD_TYPE", excluded_types, 3));
		}
		break;
	default:
		break;
	}
	if (q->kind != CR_CEQ_QUANTITY)
		json_array_append_new(metrics, json_string(cost));
	if (q->kind == CR_CEQ_LINES || q->kind == CR_CEQ_QUANTITY)
		json_array_append_new(metrics, json_string("UsageQuantity"));
	json_object_set_new(root, "Metrics", metrics);
	json_array_append_new(gb, group(t1, g1));
	json_array_append_new(gb, group(t2, g2));
	json_object_set_new(root, "GroupBy", gb);
	if (nf)
		json_object_set_new(root, "Filter", all_of(f, nf));
	text = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	if (!text)
		abort();
	return text;
}

static const char *const kind_what[CR_CEQ_KIND_COUNT] = {
	[CR_CEQ_RECON] = "accounts and reconciliation",
	[CR_CEQ_TAGS] = "environment tags",
	[CR_CEQ_LINES] = "ranking",
	[CR_CEQ_QUANTITY] = "usage quantities",
	[CR_CEQ_INCLUDED] = "included",
	[CR_CEQ_DAILY] = "daily on-demand spend",
	[CR_CEQ_DAILY_ALL] = "daily net spend",
	[CR_CEQ_DIM] = "allocation",
};

char *cr_ce_query_what(const cr_ce_query_spec *q)
{
	char s[CR_DATE_STRLEN], e[CR_DATE_STRLEN];
	cr_buf b = CR_BUF_INIT;

	cr_buf_adds(&b, kind_what[q->kind]);
	if (q->kind == CR_CEQ_INCLUDED)
		cr_buf_addf(&b, " %s", cr_excluded_name((enum cr_excluded)q->category));
	if (q->kind == CR_CEQ_DIM)
		cr_buf_addf(&b, " by %s %s", q->cost_category ? "cost category" : "tag", q->dim_key);
	if (q->n_accounts == 1)
		cr_buf_addf(&b, " of %s", q->accounts[0]);
	cr_day_format(q->span.start, s);
	cr_day_format(q->span.end_excl - 1, e);
	cr_buf_addf(&b, ", %s..%s", s, e);
	return cr_buf_detach(&b);
}

const char *cr_ce_dim_key(const cr_dimension *d)
{
	if (d->kind == CR_DIM_COST_CATEGORY)
		return d->key;
	if (d->kind != CR_DIM_TAG)
		return NULL;
	return strncmp(d->key, "user:", 5) == 0 ? d->key + 5 : d->key;
}

size_t cr_ce_dim_count(const cr_ledger *l)
{
	size_t n = 0;

	for (size_t i = 0; l && i < cr_ledger_dimension_count(l); i++)
		n += cr_ce_dim_key(cr_ledger_dimension(l, i)) != NULL;
	return n;
}

/* ---- the dry run ----------------------------------------------------------- */

static size_t n_included(const cr_ce_plan_info *p)
{
	size_t n = 0;

	for (int i = 0; i < CR_EXCL_COUNT; i++)
		n += p->include[i];
	return n;
}

static size_t nspans(const cr_ce_plan_info *p)
{
	cr_ce_span sp[2];

	return cr_ce_spans(&p->period, &p->prev, sp);
}

long cr_ce_plan_fixed(const cr_ce_plan_info *p)
{
	long s = (long)nspans(p);
	long per = s + (p->tags ? s : 0) + 1 + s * (long)n_included(p) + (p->daily ? 1 : 0) +
		   s * (long)cr_ce_dim_count(p->by);

	if (p->n_scopes)
		return (long)p->n_scopes * (per + s);
	return per;
}

long cr_ce_plan_count(const cr_ce_plan_info *p)
{
	if (p->n_scopes)
		return cr_ce_plan_fixed(p);
	if (p->accounts < 0)
		return -1;
	return cr_ce_plan_fixed(p) + p->accounts * (long)nspans(p);
}

static void line(FILE *out, const char *count, const char *gran, const cr_ce_span *sp,
		 size_t nsp, const char *by, const char *why)
{
	char s[CR_DATE_STRLEN], e[CR_DATE_STRLEN];
	cr_buf span = CR_BUF_INIT;

	for (size_t i = 0; i < nsp; i++) {
		cr_day_format(sp[i].start, s);
		cr_day_format(sp[i].end_excl, e);
		cr_buf_addf(&span, "%s%s..%s", i ? " and " : "", s, e);
	}
	fprintf(out, "  %-8s GetCostAndUsage %-7s %-24s by %-27s %s\n", count, gran, span.ptr, by,
		why);
	cr_buf_release(&span);
}

void cr_ce_plan_print(const cr_ce_plan_info *p, FILE *out)
{
	cr_ce_span sp[2], cur = { p->period.start, p->period.end + 1 };
	size_t ns = cr_ce_spans(&p->period, &p->prev, sp);
	char label[32], plabel[32], n[32], each[16];
	long total = cr_ce_plan_count(p);
	cr_period prev = p->prev;

	cr_period_label(&p->period, label, sizeof label);
	cr_period_label(&prev, plabel, sizeof plabel);
	fprintf(out, "Cost Explorer plan for %s (previous period %s), %s, at %s\n", label, plabel,
		cr_ce_metric_name(p->metric), p->endpoint);
	if (p->n_scopes)
		fprintf(out, "%zu separate accounts, each with its own credentials; for each:\n",
			p->n_scopes);
	fprintf(out, "  %-8s %s\n", "requests", "call, span (End exclusive), grouping, purpose");
	snprintf(each, sizeof each, "%zu", ns);
	line(out, each, "MONTHLY", sp, ns, "LINKED_ACCOUNT, RECORD_TYPE",
	     "accounts, names, credits/refunds/tax");
	if (p->tags)
		line(out, each, "MONTHLY", sp, ns, "LINKED_ACCOUNT, TAG " CR_CE_ENV_TAG,
		     "environments the accounts file lacks");
	if (p->n_scopes)
		snprintf(n, sizeof n, "%zu", ns);
	else if (p->accounts >= 0)
		snprintf(n, sizeof n, "%ld", p->accounts * (long)ns);
	else
		snprintf(n, sizeof n, "N%s", ns > 1 ? " x 2" : "");
	line(out, n, "MONTHLY", sp, ns, "SERVICE, USAGE_TYPE",
	     p->n_scopes ? "ranking" : "ranking, one per linked account");
	line(out, "1", "MONTHLY", &cur, 1, "LINKED_ACCOUNT, USAGE_TYPE",
	     "quantities of non-usage record types");
	for (int i = 0; i < CR_EXCL_COUNT; i++) {
		char why[96];
		if (!p->include[i])
			continue;
		if (i == CR_EXCL_TAX) {
			line(out, each, "MONTHLY", sp, ns, "LINKED_ACCOUNT, SERVICE",
			     "tax ranked by --include");
			continue;
		}
		snprintf(why, sizeof why, "%s ranked by --include, per account that has them",
			 cr_excluded_name(i));
		line(out, ns > 1 ? "2 x A" : "A", "MONTHLY", sp, ns, "SERVICE, USAGE_TYPE", why);
	}
	if (p->daily)
		line(out, "1", "DAILY", &cur, 1, "LINKED_ACCOUNT, USAGE_TYPE",
		     "on-demand daily spend the savings rules measure");
	for (size_t i = 0; p->by && i < cr_ledger_dimension_count(p->by); i++) {
		const cr_dimension *d = cr_ledger_dimension(p->by, i);
		char by[160], why[160];

		if (!cr_ce_dim_key(d))
			continue;
		snprintf(by, sizeof by, "%s %s, SERVICE", d->kind == CR_DIM_COST_CATEGORY ?
			 "COST_CATEGORY" : "TAG", cr_ce_dim_key(d));
		snprintf(why, sizeof why, "--by %s (2 GroupBy a request at most)", d->name);
		line(out, each, "MONTHLY", sp, ns, by, why);
	}
	if (total >= 0)
		fprintf(out, "planned requests: %ld (USD %ld.%02ld at USD 0.01 a request)\n", total,
			total * CR_CE_CENTS_PER_REQUEST / 100, total * CR_CE_CENTS_PER_REQUEST % 100);
	else
		fprintf(out, "planned requests: %ld + %sN, N the number of linked accounts (known "
			"after the first request; --accounts FILE lists them)\n", cr_ce_plan_fixed(p),
			ns > 1 ? "2 x " : "");
	if (p->include[CR_EXCL_CREDIT] || p->include[CR_EXCL_REFUND])
		fputs("A: the accounts with credits or refunds, known after the first request "
		      "(counted once above)\n", out);
	fputs("Each further page of a long answer is one more request.  Answers in the cache "
	      "are free; a daily request is added for each set of services sharing a usage type "
	      "in one account, and a daily-all request when lines that rules measure by net "
	      "daily spend are not all on-demand.\n", out);
}
