/* drivers.c - the change split by its drivers (see costrank/drivers.h) */
#include "costrank/drivers.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "costrank/buf.h"

enum { B_USAGE = 0, B_DISCOUNT, B_OTHER };

typedef struct item {
	cr_sym account, service, usage;
	int bucket;
	bool cur;
	cr_dec cost, qty;
} item;

static int cmp_item(const void *pa, const void *pb)
{
	const item *a = pa, *b = pb;

	if (a->account != b->account)
		return a->account < b->account ? -1 : 1;
	if (a->service != b->service)
		return a->service < b->service ? -1 : 1;
	if (a->bucket != b->bucket)
		return a->bucket - b->bucket;
	return (a->usage > b->usage) - (a->usage < b->usage);
}

static int bucket(uint32_t kind)
{
	switch (kind) {
	case CR_KIND_DISCOUNT:
	case CR_KIND_SP_NEGATION:
	case CR_KIND_CREDIT:
	case CR_KIND_REFUND:
		return B_DISCOUNT;
	default:
		return cr_kind_is_usage((enum cr_kind)kind) ? B_USAGE : B_OTHER;
	}
}

/* (q1 - q0) x c0 / q0, to 6 decimals; c1 - c0 without a previous quantity. */
static cr_dec usage_effect(cr_dec c0, cr_dec q0, cr_dec c1, cr_dec q1)
{
	char tmp[64];
	double v;
	cr_dec out;

	if (cr_dec_is_zero(q0) || cr_dec_is_zero(c0)) {
		if (cr_dec_sub(&out, c1, c0) != 0)
			return CR_DEC_ZERO;
		return cr_dec_is_zero(q0) ? out : CR_DEC_ZERO;
	}
	v = (cr_dec_to_double(q1) - cr_dec_to_double(q0)) * cr_dec_to_double(c0) /
	    cr_dec_to_double(q0);
	if (!isfinite(v) || fabs(v) > 1e15)
		return CR_DEC_ZERO;
	snprintf(tmp, sizeof tmp, "%.6f", v);
	if (cr_dec_parse(tmp, strlen(tmp), &out) != CR_DEC_OK)
		return CR_DEC_ZERO;
	return out;
}

/* One usage type's cost in both periods, over all its kinds. */
typedef struct ucost {
	cr_sym usage;
	cr_dec c0, c1;
} ucost;

static int cmp_ucost(const void *pa, const void *pb)
{
	const ucost *a = pa, *b = pb;

	return (a->usage > b->usage) - (a->usage < b->usage);
}

static void add_mover(cr_report_driver *d, const cr_ledger *l, int kind, const ucost *u)
{
	cr_report_mover *m = &d->movers[d->n_movers++];

	m->kind = kind;
	m->usage_type = cr_xstrdup(cr_ledger_str(l, u->usage));
	m->cost = u->c1;
	m->previous_cost = u->c0;
	if (cr_dec_sub(&m->change, u->c1, u->c0) != 0)
		m->change = CR_DEC_ZERO;
}

/* Indexes of the 3 largest by key among u[0..n) that pass; *k their count. */
static void top3(const ucost *u, size_t n, int which, size_t *idx, size_t *k)
{
	*k = 0;
	for (size_t i = 0; i < n; i++) {
		bool isnew = cr_dec_is_zero(u[i].c0) && cr_dec_sign(u[i].c1) > 0;
		bool gone = cr_dec_is_zero(u[i].c1) && cr_dec_sign(u[i].c0) > 0;
		cr_dec key = which == CR_MOVER_NEW ? u[i].c1 : u[i].c0;
		size_t at;

		if (which == CR_MOVER_NEW ? !isnew : !gone)
			continue;
		for (at = *k; at > 0; at--) {
			const ucost *o = &u[idx[at - 1]];
			if (cr_dec_cmp(key, which == CR_MOVER_NEW ? o->c1 : o->c0) <= 0)
				break;
		}
		if (at >= 3)
			continue;
		if (*k < 3)
			(*k)++;
		memmove(idx + at + 1, idx + at, (*k - 1 - at) * sizeof *idx);
		idx[at] = i;
	}
}

/* The top movers of one account and service from its usage types' costs. */
static void movers(cr_report_driver *d, const cr_ledger *l, ucost *u, size_t n)
{
	size_t m = 0, idx[3], k, best = SIZE_MAX, bestp = SIZE_MAX;
	double bestr = 0;
	cr_dec bestc = CR_DEC_ZERO;

	if (n)
		qsort(u, n, sizeof *u, cmp_ucost);
	for (size_t i = 0; i < n; i++) {   /* merge the kinds of one usage type */
		if (m && u[m - 1].usage == u[i].usage) {
			cr_dec_acc(&u[m - 1].c0, u[i].c0);
			cr_dec_acc(&u[m - 1].c1, u[i].c1);
		} else {
			u[m++] = u[i];
		}
	}
	top3(u, m, CR_MOVER_NEW, idx, &k);
	for (size_t i = 0; i < k; i++)
		add_mover(d, l, CR_MOVER_NEW, &u[idx[i]]);
	for (size_t i = 0; i < m; i++) {
		cr_dec ch;
		double r;

		if (cr_dec_sign(u[i].c0) <= 0 || cr_dec_sub(&ch, u[i].c1, u[i].c0) != 0 ||
		    cr_dec_sign(ch) <= 0)
			continue;
		if (cr_dec_cmp(ch, bestc) > 0) {
			bestc = ch;
			best = i;
		}
		r = cr_dec_ratio(ch, u[i].c0);
		if (r > bestr) {
			bestr = r;
			bestp = i;
		}
	}
	if (best != SIZE_MAX)
		add_mover(d, l, CR_MOVER_RISE, &u[best]);
	if (bestp != SIZE_MAX)
		add_mover(d, l, CR_MOVER_RISE_PCT, &u[bestp]);
	top3(u, m, CR_MOVER_GONE, idx, &k);
	for (size_t i = 0; i < k; i++)
		add_mover(d, l, CR_MOVER_GONE, &u[idx[i]]);
}

static int addx(cr_dec *sum, cr_dec x, bool neg, int *bad)
{
	if ((neg ? cr_dec_sub(sum, *sum, x) : cr_dec_add(sum, *sum, x)) != 0)
		*bad = 1;
	return 0;
}

int cr_drivers_build(cr_report *r, const cr_ledger *l, const cr_rank_opts *o, cr_error *err)
{
	size_t nent, n = 0, cap = 0;
	const cr_ledger_entry *e = cr_ledger_entries(l, &nent);
	item *v;
	ucost *uc = NULL;
	size_t nu = 0, ucap = 0;
	int bad = 0;

	if (!r->has_previous)
		return 0;
	v = cr_xcalloc(nent + 1, sizeof *v);
	for (size_t i = 0; i < nent; i++) {
		const cr_ledger_entry *x = &e[i];
		bool cur = x->key.day >= r->start && x->key.day <= r->end;
		bool prev = x->key.day >= r->prev_start && x->key.day <= r->prev_end;
		int excl = cr_kind_excluded(x->key.kind);

		if ((!cur && !prev) || (excl >= 0 && !o->include[excl]))
			continue;
		v[n++] = (item){ x->key.account, x->key.service, x->key.usage_type,
				 bucket(x->key.kind), cur, x->cost, x->quantity };
	}
	if (n)
		qsort(v, n, sizeof *v, cmp_item);
	for (size_t i = 0; i < n;) {
		cr_report_driver *d;
		size_t j = i;

		if (r->n_drivers == cap) {
			cap = cap ? cap * 2 : 16;
			r->drivers = cr_xrealloc(r->drivers, cap * sizeof *r->drivers);
		}
		d = &r->drivers[r->n_drivers++];
		memset(d, 0, sizeof *d);
		d->account_id = cr_xstrdup(cr_ledger_str(l, v[i].account));
		d->service = cr_xstrdup(cr_ledger_str(l, v[i].service));
		nu = 0;
		while (j < n && v[j].account == v[i].account && v[j].service == v[i].service) {
			/* one usage type of one bucket */
			size_t k = j;
			cr_dec c0 = CR_DEC_ZERO, q0 = CR_DEC_ZERO, c1 = CR_DEC_ZERO, q1 = CR_DEC_ZERO;
			cr_dec ch, ue, *to;

			while (k < n && v[k].account == v[j].account && v[k].service == v[j].service &&
			       v[k].bucket == v[j].bucket && v[k].usage == v[j].usage) {
				addx(v[k].cur ? &c1 : &c0, v[k].cost, false, &bad);
				addx(v[k].cur ? &q1 : &q0, v[k].qty, false, &bad);
				k++;
			}
			addx(&d->cost, c1, false, &bad);
			addx(&d->previous_cost, c0, false, &bad);
			if (nu == ucap) {
				ucap = ucap ? ucap * 2 : 16;
				uc = cr_xrealloc(uc, ucap * sizeof *uc);
			}
			uc[nu++] = (ucost){ v[j].usage, c0, c1 };
			if (cr_dec_sub(&ch, c1, c0) != 0)
				bad = 1;
			if (v[j].bucket == B_USAGE) {
				ue = usage_effect(c0, q0, c1, q1);
				addx(&d->usage, ue, false, &bad);
				addx(&d->rate, ch, false, &bad);
				addx(&d->rate, ue, true, &bad);
			} else {
				to = v[j].bucket == B_DISCOUNT ? &d->discounts : &d->other;
				addx(to, ch, false, &bad);
			}
			j = k;
		}
		if (cr_dec_sub(&d->change, d->cost, d->previous_cost) != 0)
			bad = 1;
		movers(d, l, uc, nu);
		i = j;
	}
	free(uc);
	free(v);
	if (bad)
		return cr_error_set(err, CR_EXIT_INPUT, "a sum of the drivers of change is out of "
				    "range");
	return 0;
}
