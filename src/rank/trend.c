/* trend.c - the monthly trend (see costrank/trend.h) */
#include "costrank/trend.h"

#include <stdlib.h>
#include <string.h>

#include "costrank/buf.h"

/* Which listed account (and service) a ledger account (service) is:
 * looked up once per symbol. */
typedef struct symmap {
	long *v;           /* index + 1; 0: not looked up; -1: none */
	size_t n;
} symmap;

static long *slot(symmap *m, cr_sym s)
{
	if (s >= m->n) {
		size_t n = m->n ? m->n : 64;

		while (n <= s)
			n *= 2;
		m->v = cr_xrealloc(m->v, n * sizeof *m->v);
		memset(m->v + m->n, 0, (n - m->n) * sizeof *m->v);
		m->n = n;
	}
	return &m->v[s];
}

static long find_account(const cr_report *r, const char *id)
{
	for (size_t i = 0; i < r->n_accounts; i++)
		if (strcmp(r->accounts[i].id, id) == 0)
			return (long)i;
	return -1;
}

/* The listed service named name, else the "Other services" row, else -1. */
static long find_service(const cr_report_account *a, const char *name)
{
	long other = -1;

	for (size_t j = 0; j < a->n_services; j++) {
		if (a->services[j].is_other)
			other = (long)j;
		else if (strcmp(a->services[j].name, name) == 0)
			return (long)j;
	}
	return other;
}

static int add(cr_dec *sum, cr_dec x, cr_error *err)
{
	if (cr_dec_add(sum, *sum, x) != 0)
		return cr_error_set(err, CR_EXIT_INPUT, "a monthly trend sum is out of range");
	return 0;
}

int cr_trend_build(cr_report *r, const cr_ledger *l, const cr_rank_opts *o, int months,
		   cr_error *err)
{
	cr_report_trend *t = &r->trend;
	cr_day first, last, starts[CR_TREND_MAX_MONTHS];
	cr_period p = o->period, prev;
	size_t n = 0, nent, nm;
	const cr_ledger_entry *e;
	symmap accs = { 0 };
	symmap *svcs;  /* per listed account */
	int rc = 0;

	if (!o->period.is_month || months < 2 || !cr_ledger_day_range(l, &first, &last))
		return 0;
	if (months > CR_TREND_MAX_MONTHS)
		months = CR_TREND_MAX_MONTHS;
	while ((int)n < months && p.start >= first) {
		starts[n++] = p.start;
		cr_period_previous(&p, &prev);
		p = prev;
	}
	if (n < 2)
		return 0;
	nm = n;
	t->n_months = nm;
	t->months = cr_xcalloc(nm, sizeof *t->months);
	for (size_t k = 0; k < nm; k++)
		t->months[k] = starts[nm - 1 - k];
	t->total = cr_xcalloc(nm, sizeof *t->total);
	t->accounts = cr_xcalloc(r->n_accounts * nm + 1, sizeof *t->accounts);
	t->services = cr_xcalloc(r->n_accounts + 1, sizeof *t->services);
	for (size_t i = 0; i < r->n_accounts; i++)
		t->services[i] = cr_xcalloc(r->accounts[i].n_services * nm + 1,
					    sizeof *t->services[i]);
	svcs = cr_xcalloc(r->n_accounts + 1, sizeof *svcs);

	e = cr_ledger_entries(l, &nent);
	for (size_t i = 0; i < nent && !rc; i++) {
		const cr_ledger_entry *x = &e[i];
		int excl = cr_kind_excluded(x->key.kind);
		size_t k;
		long *ai, *si;

		if (x->key.day < t->months[0] || x->key.day > o->period.end)
			continue;
		if (excl >= 0 && !o->include[excl])
			continue;
		for (k = nm - 1; k > 0 && x->key.day < t->months[k]; k--)
			;
		rc = add(&t->total[k], x->cost, err);
		ai = slot(&accs, x->key.account);
		if (!*ai) {
			long v = find_account(r, cr_ledger_str(l, x->key.account)) + 1;
			*ai = v ? v : -1;
		}
		if (*ai <= 0 || rc)
			continue;
		rc = add(&t->accounts[(size_t)(*ai - 1) * nm + k], x->cost, err);
		si = slot(&svcs[*ai - 1], x->key.service);
		if (!*si) {
			long v = find_service(&r->accounts[*ai - 1],
					      cr_ledger_str(l, x->key.service)) + 1;
			*si = v ? v : -1;
		}
		if (*si > 0 && !rc)
			rc = add(&t->services[*ai - 1][(size_t)(*si - 1) * nm + k], x->cost, err);
	}
	free(accs.v);
	for (size_t i = 0; i < r->n_accounts; i++)
		free(svcs[i].v);
	free(svcs);
	return rc;
}
