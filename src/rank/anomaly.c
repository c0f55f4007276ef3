/* anomaly.c - day-level spikes and new usage types (see costrank/anomaly.h) */
#include "costrank/anomaly.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "costrank/buf.h"

#define BASE CR_ANOMALY_BASELINE_DAYS

typedef struct item {
	cr_sym account, service, usage;
	cr_day day;
	cr_dec cost;
} item;

static int cmp_item(const void *pa, const void *pb)
{
	const item *a = pa, *b = pb;

	if (a->account != b->account)
		return a->account < b->account ? -1 : 1;
	if (a->service != b->service)
		return a->service < b->service ? -1 : 1;
	if (a->usage != b->usage)
		return a->usage < b->usage ? -1 : 1;
	return (a->day > b->day) - (a->day < b->day);
}

static int cmp_dec(const void *a, const void *b)
{
	return cr_dec_cmp(*(const cr_dec *)a, *(const cr_dec *)b);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Median of the BASE days before v[i], exactly; *mad its MAD. */
static cr_dec median_before(const cr_dec *v, size_t i, double *mad)
{
	cr_dec w[BASE], m, sum;
	double dev[BASE];

	memcpy(w, v + i - BASE, sizeof w);
	qsort(w, BASE, sizeof *w, cmp_dec);
	if (cr_dec_add(&sum, w[BASE / 2 - 1], w[BASE / 2]) != 0 ||
	    cr_dec_mul_ratio(&m, sum, 1, 2) != 0)
		m = w[BASE / 2];
	if (mad) {
		for (size_t k = 0; k < BASE; k++)
			dev[k] = fabs(cr_dec_to_double(v[i - BASE + k]) - cr_dec_to_double(m));
		qsort(dev, BASE, sizeof *dev, cmp_double);
		*mad = (dev[BASE / 2 - 1] + dev[BASE / 2]) / 2.0;
	}
	return m;
}

static const char *account_name(const cr_report *r, const char *id)
{
	for (size_t i = 0; i < r->n_accounts; i++)
		if (strcmp(r->accounts[i].id, id) == 0)
			return r->accounts[i].name ? r->accounts[i].name : "";
	return "";
}

static cr_report_anomaly *next(cr_report *r, size_t *cap)
{
	if (r->n_anomalies == *cap) {
		*cap = *cap ? *cap * 2 : 8;
		r->anomalies = cr_xrealloc(r->anomalies, *cap * sizeof *r->anomalies);
	}
	memset(&r->anomalies[r->n_anomalies], 0, sizeof *r->anomalies);
	return &r->anomalies[r->n_anomalies++];
}

/* Checks one account and service: items g[0..n), sorted by usage type and day. */
static int check_group(cr_report *r, const cr_ledger *l, const item *g, size_t n, cr_day base,
		       size_t len, cr_day first, cr_day start, size_t *cap, cr_error *err)
{
	size_t nu = 0;
	cr_dec *tot = cr_xcalloc(len, sizeof *tot), *u;
	cr_sym *usyms;

	for (size_t i = 0; i < n; i++)
		if (!i || g[i].usage != g[i - 1].usage)
			nu++;
	u = cr_xcalloc(nu * len, sizeof *u);
	usyms = cr_xcalloc(nu, sizeof *usyms);
	for (size_t i = 0, k = 0; i < n; i++) {
		if (i && g[i].usage != g[i - 1].usage)
			k++;
		usyms[k] = g[i].usage;
		if (cr_dec_add(&tot[g[i].day - base], tot[g[i].day - base], g[i].cost) != 0 ||
		    cr_dec_add(&u[k * len + (size_t)(g[i].day - base)],
			       u[k * len + (size_t)(g[i].day - base)], g[i].cost) != 0) {
			free(tot);
			free(u);
			free(usyms);
			return cr_error_set(err, CR_EXIT_INPUT, "a daily sum is out of range");
		}
	}
	for (size_t i = (size_t)(start - base); i < len; i++) {
		/* i >= BASE + 31: the windows below stay in the array */
		double mad, ex;
		cr_dec med, excess;
		cr_report_anomaly *a;

		if (base + (cr_day)i - BASE < first)
			continue;
		med = median_before(tot, i, &mad);
		if (cr_dec_sub(&excess, tot[i], med) != 0)
			continue;
		ex = cr_dec_to_double(excess);
		if (!(ex > CR_ANOMALY_MIN_AMOUNT && ex > CR_ANOMALY_MIN_RATIO *
		      fabs(cr_dec_to_double(med)) && ex > CR_ANOMALY_MADS * 1.4826 * mad))
			continue;
		/* a weekly or monthly charge is not a spike: the same weekday of
		 * the 4 weeks before, and the first of the month before for a
		 * first of the month, must be exceeded as much */
		{
			double ref = 0, x = cr_dec_to_double(tot[i]);
			cr_day d = base + (cr_day)i;

			for (size_t w = 7; w <= BASE; w += 7)
				ref = fmax(ref, cr_dec_to_double(tot[i - w]));
			if (d == cr_month_first(d) && cr_month_first(d - 1) >= first &&
			    cr_month_first(d - 1) >= base)
				ref = fmax(ref, cr_dec_to_double(tot[cr_month_first(d - 1) - base]));
			if (!(x - ref > CR_ANOMALY_MIN_AMOUNT && x - ref > CR_ANOMALY_MIN_RATIO * ref))
				continue;
		}
		a = next(r, cap);
		a->account_id = cr_xstrdup(cr_ledger_str(l, g[0].account));
		a->account_name = cr_xstrdup(account_name(r, a->account_id));
		a->service = cr_xstrdup(cr_ledger_str(l, g[0].service));
		a->day = base + (cr_day)i;
		a->cost = tot[i];
		a->baseline = med;
		a->excess = excess;
		a->mad = mad;
		/* the usage types behind it: largest excess over their own median */
		for (size_t k = 0; k < nu; k++) {
			cr_dec ue;
			size_t at;

			if (cr_dec_sub(&ue, u[k * len + i], median_before(u + k * len, i, NULL)) != 0 ||
			    cr_dec_sign(ue) <= 0)
				continue;
			for (at = a->n_usage; at > 0 && cr_dec_cmp(ue, a->usage_excess[at - 1]) > 0; at--)
				;
			if (at >= CR_ANOMALY_DRIVERS)
				continue;
			if (a->n_usage == CR_ANOMALY_DRIVERS)
				free(a->usage_types[--a->n_usage]);
			memmove(a->usage_types + at + 1, a->usage_types + at,
				(a->n_usage - at) * sizeof *a->usage_types);
			memmove(a->usage_excess + at + 1, a->usage_excess + at,
				(a->n_usage - at) * sizeof *a->usage_excess);
			a->usage_types[at] = cr_xstrdup(cr_ledger_str(l, usyms[k]));
			a->usage_excess[at] = ue;
			a->n_usage++;
		}
	}
	free(tot);
	free(u);
	free(usyms);
	return 0;
}

static int by_day(const void *pa, const void *pb)
{
	const cr_report_anomaly *a = pa, *b = pb;
	int c;

	if (a->is_new_usage != b->is_new_usage)
		return a->is_new_usage ? 1 : -1;
	if (a->day != b->day)
		return a->day < b->day ? -1 : 1;
	if ((c = cr_dec_cmp(b->excess, a->excess)) != 0)
		return c;
	if ((c = strcmp(a->account_id, b->account_id)) != 0)
		return c;
	return strcmp(a->service, b->service);
}

int cr_anomaly_build(cr_report *r, const cr_ledger *l, const cr_rank_opts *o, cr_error *err)
{
	/* BASE days before the period, and a month before its first day */
	cr_day first, last, base = o->period.start - BASE - 31;
	size_t nent, n = 0, cap = 0, len = (size_t)(o->period.end - base + 1);
	const cr_ledger_entry *e = cr_ledger_entries(l, &nent);
	item *v;
	int rc = 0;

	r->has_anomalies = true;
	if (!cr_ledger_day_range(l, &first, &last) || !cr_ledger_is_daily(l))
		return 0;
	v = cr_xcalloc(nent + 1, sizeof *v);
	for (size_t i = 0; i < nent; i++) {
		int excl = cr_kind_excluded(e[i].key.kind);

		if (e[i].key.day < base || e[i].key.day > o->period.end ||
		    (excl >= 0 && !o->include[excl]))
			continue;
		v[n++] = (item){ e[i].key.account, e[i].key.service, e[i].key.usage_type,
				 e[i].key.day, e[i].cost };
	}
	if (n)
		qsort(v, n, sizeof *v, cmp_item);
	for (size_t i = 0; i < n && !rc;) {
		size_t j = i;

		while (j < n && v[j].account == v[i].account && v[j].service == v[i].service)
			j++;
		rc = check_group(r, l, v + i, j - i, base, len, first, o->period.start, &cap, err);
		i = j;
	}
	free(v);
	/* new usage types, among those the report lists */
	for (size_t i = 0; r->has_previous && i < r->n_accounts && !rc; i++) {
		const cr_report_account *acc = &r->accounts[i];

		for (size_t j = 0; j < acc->n_services; j++)
			for (size_t k = 0; k < acc->services[j].n_usage; k++) {
				const cr_report_usage *us = &acc->services[j].usage[k];
				cr_report_anomaly *a;

				if (us->is_other || !us->is_new ||
				    cr_dec_cmp(us->cost, cr_dec_from_int(CR_ANOMALY_NEW_MIN)) < 0)
					continue;
				a = next(r, &cap);
				a->is_new_usage = true;
				a->account_id = cr_xstrdup(acc->id);
				a->account_name = cr_xstrdup(acc->name ? acc->name : "");
				a->service = cr_xstrdup(acc->services[j].name);
				a->cost = us->cost;
				a->excess = us->cost;
				a->usage_types[0] = cr_xstrdup(us->usage_type);
				a->usage_excess[0] = us->cost;
				a->n_usage = 1;
			}
	}
	if (r->n_anomalies)
		qsort(r->anomalies, r->n_anomalies, sizeof *r->anomalies, by_day);
	return rc;
}
