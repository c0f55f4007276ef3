/* rank.c - see costrank/rank.h */
#include "costrank/rank.h"

#include "costrank/buf.h"
#include <inttypes.h>

#include "costrank/i18n.h"
#include "costrank/keymap.h"
#include "rank/allocation.h"
#include "rank/resources.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One (account, service, usage type) over both periods. */
struct agg {
	cr_sym account, service, usage_type;
	cr_dec cost, prev, qty;
	cr_sym unit;
	bool unit_mixed;
	bool seen_cur, seen_prev;
};

struct agg_table {
	cr_keymap map;
	struct agg *v;   /* indexed like map */
	size_t n, cap;
};

static struct agg *agg_get(struct agg_table *t, const cr_ledger_key *k)
{
	bool added;
	size_t i = cr_keymap_get(&t->map, k->account, k->service, k->usage_type, &added);

	if (added) {
		if (t->n == t->cap) {
			t->cap = t->cap ? t->cap * 2 : 256;
			t->v = cr_xrealloc(t->v, t->cap * sizeof *t->v);
		}
		memset(&t->v[i], 0, sizeof t->v[i]);
		t->v[i].account = k->account;
		t->v[i].service = k->service;
		t->v[i].usage_type = k->usage_type;
		t->n++;
	}
	return &t->v[i];
}

static int cmp_agg(const void *pa, const void *pb, void *ctx)
{
	const struct agg *a = pa, *b = pb;
	const cr_ledger *sort_ledger = ctx;
	int c;

	if (a->account != b->account &&
	    (c = strcmp(cr_ledger_str(sort_ledger, a->account), cr_ledger_str(sort_ledger, b->account))))
		return c;
	if (a->service != b->service &&
	    (c = strcmp(cr_ledger_str(sort_ledger, a->service), cr_ledger_str(sort_ledger, b->service))))
		return c;
	return strcmp(cr_ledger_str(sort_ledger, a->usage_type), cr_ledger_str(sort_ledger, b->usage_type));
}

/* Ranking order: cost descending, then name ascending. */
static int cmp_cost_name(cr_dec ca, const char *na, cr_dec cb, const char *nb)
{
	int c = cr_dec_cmp(cb, ca);
	return c ? c : strcmp(na, nb);
}

static int cmp_usage(const void *pa, const void *pb)
{
	const cr_report_usage *a = pa, *b = pb;
	return cmp_cost_name(a->cost, a->usage_type, b->cost, b->usage_type);
}

static int cmp_service(const void *pa, const void *pb)
{
	const cr_report_service *a = pa, *b = pb;
	return cmp_cost_name(a->cost, a->name, b->cost, b->name);
}

static int cmp_account(const void *pa, const void *pb)
{
	const cr_report_account *a = pa, *b = pb;
	return cmp_cost_name(a->total, a->id, b->total, b->id);
}

#define ADD(acc, x) do { if (cr_dec_acc(&(acc), (x))) goto overflow; } while (0)

/* A service of one account, before the organisation's sums. */
struct org_part {
	const char *name;   /* the ledger's */
	cr_dec cost, prev;
	bool seen_cur, seen_prev;
};

static int cmp_part_name(const void *pa, const void *pb)
{
	const struct org_part *a = pa, *b = pb;
	return strcmp(a->name, b->name);
}

static int cmp_org_service(const void *pa, const void *pb)
{
	const cr_report_org_service *a = pa, *b = pb;
	return cmp_cost_name(a->cost, a->name, b->cost, b->name);
}

/* Sums the parts per service into r->services, ranked; -1 on overflow. */
static int org_services(cr_report *r, struct org_part *p, size_t n)
{
	size_t m = 0;

	if (n)
		qsort(p, n, sizeof *p, cmp_part_name);
	r->services = cr_xcalloc(n + 1, sizeof *r->services);
	for (size_t i = 0; i < n; i++) {
		cr_report_org_service *o = m ? &r->services[m - 1] : NULL;

		if (!o || strcmp(o->name, p[i].name) != 0) {
			o = &r->services[m++];
			o->name = cr_xstrdup(p[i].name);
			o->is_new = r->has_previous;
		}
		if (cr_dec_acc(&o->cost, p[i].cost) || cr_dec_acc(&o->previous_cost, p[i].prev))
			return -1;
		o->accounts += p[i].seen_cur;
		o->is_new &= !p[i].seen_prev;
	}
	r->n_services = m;
	if (m)
		qsort(r->services, m, sizeof *r->services, cmp_org_service);
	for (size_t i = 0; i < m; i++)
		r->services[i].rank = (int)i + 1;
	return 0;
}

/* Keeps the first `top` rows and folds the rest into one remainder row. */
static void fold_usage(cr_report_service *s, int top, bool has_prev)
{
	size_t keep = (size_t)top;

	qsort(s->usage, s->n_usage, sizeof *s->usage, cmp_usage);
	for (size_t i = 0; i < s->n_usage && i < keep; i++)
		s->usage[i].rank = (int)i + 1;
	if (s->n_usage <= keep)
		return;
	cr_report_usage other = { 0 };
	other.is_other = true;
	other.other_count = s->n_usage - keep;
	other.usage_type = cr_xstrdup(CR_OTHER_USAGE);
	other.unit = cr_xstrdup("");
	other.has_previous = has_prev;
	for (size_t i = keep; i < s->n_usage; i++) {
		/* sums of parts of the service cost cannot overflow */
		cr_dec_acc(&other.cost, s->usage[i].cost);
		cr_dec_acc(&other.previous_cost, s->usage[i].previous_cost);
		free(s->usage[i].usage_type);
		free(s->usage[i].unit);
	}
	s->usage[keep] = other;
	s->n_usage = keep + 1;
	/* the folded rows' room goes back: an organisation has millions */
	s->usage = cr_xrealloc(s->usage, (keep + 1) * sizeof *s->usage);
}

static void fold_services(cr_report_account *a, int top, bool has_prev)
{
	size_t keep = (size_t)top;
	cr_report_service other = { 0 };

	qsort(a->services, a->n_services, sizeof *a->services, cmp_service);
	for (size_t i = 0; i < a->n_services && i < keep; i++)
		a->services[i].rank = (int)i + 1;
	if (a->n_services <= keep)
		return;
	other.is_other = true;
	other.other_count = a->n_services - keep;
	other.name = cr_xstrdup(CR_OTHER_SERVICES);
	for (size_t i = keep; i < a->n_services; i++) {
		cr_report_service *s = &a->services[i];
		/* sums of parts of the account total cannot overflow */
		cr_dec_acc(&other.cost, s->cost);
		cr_dec_acc(&other.previous_cost, s->previous_cost);
		for (size_t j = 0; j < s->n_usage; j++) {
			free(s->usage[j].usage_type);
			free(s->usage[j].unit);
		}
		free(s->usage);
		free(s->name);
	}
	(void)has_prev;
	a->services[keep] = other;
	a->n_services = keep + 1;
}

static void set_shares(cr_report *r)
{
	for (size_t i = 0; i < r->n_services; i++)
		r->services[i].share = cr_dec_ratio(r->services[i].cost, r->total);
	for (size_t i = 0; i < r->n_accounts; i++) {
		cr_report_account *a = &r->accounts[i];
		a->rank = (int)i + 1;
		a->share = cr_dec_ratio(a->total, r->total);
		for (size_t j = 0; j < a->n_services; j++) {
			cr_report_service *s = &a->services[j];
			s->share = cr_dec_ratio(s->cost, a->total);
			for (size_t k = 0; k < s->n_usage; k++)
				s->usage[k].share = cr_dec_ratio(s->usage[k].cost, a->total);
		}
	}
}

static void account_meta(cr_report_account *a, const cr_ledger *l, cr_sym acct,
			 const cr_accounts *accounts)
{
	const cr_account_info *info = cr_accounts_find(accounts, a->id);

	a->name = cr_xstrdup(info && info->name ? info->name
			     : cr_ledger_str(l, cr_ledger_account_name(l, acct)));
	a->environment = cr_xstrdup(cr_ledger_environment(l, acct, accounts,
							  &a->environment_source));
	a->owner = cr_xstrdup(info && info->owner ? info->owner : "");
}

/* An --accounts entry that names no account in the data is a mistake, most
 * often an id that lost its leading zero: a warning names it, with the id
 * it was probably meant to be. */
static void warn_unmatched(cr_report *r, const cr_ledger *l, const cr_accounts *accounts)
{
	size_t nent, nseen = 0, cap = 0;
	const cr_ledger_entry *e = cr_ledger_entries(l, &nent);
	unsigned char *mark = NULL;
	cr_sym *seen = NULL;
	cr_buf name = CR_BUF_INIT, hint = CR_BUF_INIT;

	if (!accounts || !accounts->n)
		return;
	for (size_t i = 0; i < nent; i++) {
		cr_sym a = e[i].key.account;

		if (a >= cap) {
			size_t ncap = cap ? cap : 64;
			while (ncap <= a)
				ncap *= 2;
			mark = cr_xrealloc(mark, ncap);
			memset(mark + cap, 0, ncap - cap);
			seen = cr_xrealloc(seen, ncap * sizeof *seen);
			cap = ncap;
		}
		if (!mark[a]) {
			mark[a] = 1;
			seen[nseen++] = a;
		}
	}
	for (size_t i = 0; i < accounts->n; i++) {
		const cr_account_info *in = &accounts->v[i];
		const char *near = NULL;
		bool found = false;

		for (size_t j = 0; j < nseen && !found; j++) {
			const char *id = cr_ledger_str(l, seen[j]);
			found = strcmp(id, in->id) == 0;
			if (!near && cr_account_ids_near(in->id, id))
				near = id;
		}
		if (found)
			continue;
		cr_buf_reset(&name);
		cr_buf_reset(&hint);
		if (in->name)
			cr_buf_addf(&name, " (%s)", in->name);
		if (near)
			cr_buf_addf(&hint, _("; did you mean %s? (a leading zero lost: write ids as "
					     "strings of all their digits)"), near);
		/* the notes are shown in the reports: in the report's language */
		cr_report_add_warning(r, _("%s: accounts[%zu] id %s%s matches no account in the data%s"),
				      accounts->path ? accounts->path : "--accounts", i, in->id,
				      name.ptr ? name.ptr : "", hint.ptr ? hint.ptr : "");
	}
	cr_buf_release(&name);
	cr_buf_release(&hint);
	free(mark);
	free(seen);
}

static void fill_files(cr_report *r, const cr_ledger *l)
{
	size_t n;
	const cr_ledger_input *in = cr_ledger_inputs(l, &n);

	r->files = cr_xcalloc(n + 1, sizeof *r->files);
	for (size_t i = 0; i < n; i++) {
		r->files[i] = cr_xstrdup(in[i].name);
		if (!r->source_kind)
			r->source_kind = cr_xstrdup(in[i].format);
		else if (strcmp(r->source_kind, in[i].format) != 0) {
			free(r->source_kind);
			r->source_kind = cr_xstrdup("mixed");
		}
	}
	r->n_files = n;
	if (!r->source_kind)
		r->source_kind = cr_xstrdup("none");
}


/* Amounts the reader rounded past the 18th decimal place: kept in the
 * reconciliation and told in a warning, since the sums are exact only to
 * the amounts as rounded. */
static void note_rounding(cr_report *r, const cr_ledger *l)
{
	cr_ledger_rounding x = cr_ledger_rounded(l);
	char eff[CR_DEC_STRLEN];

	r->recon.rounded_costs = x.costs;
	r->recon.rounded_quantities = x.quantities;
	r->recon.rounding_effect = x.cost_effect;
	if (!x.costs && !x.quantities)
		return;
	cr_dec_format_fine(x.cost_effect, eff, sizeof eff);
	/* the plural endings are arguments: a translation leaves them out with %.0s */
	cr_report_add_warning(r, _("%llu amount%s of the input (%llu cost%s, %llu quantit%s) had "
				   "non-zero digits past the 18th decimal place and %s rounded "
				   "half to even when read: the costs read differ from the exact "
				   "ones by %s in total"),
			      (unsigned long long)(x.costs + x.quantities),
			      x.costs + x.quantities == 1 ? "" : "s", (unsigned long long)x.costs,
			      x.costs == 1 ? "" : "s", (unsigned long long)x.quantities,
			      x.quantities == 1 ? "y" : "ies",
			      x.costs + x.quantities == 1 ? "was" : "were", eff);
}

cr_report *cr_rank_build(const cr_ledger *l, const cr_rank_opts *o, cr_error *err)
{
	cr_report *r = cr_xcalloc(1, sizeof *r);
	struct agg_table t = { 0 };
	struct org_part *parts = NULL;
	cr_period prev;
	cr_day first = 0, last = 0;
	size_t nent, ncur = 0, nparts = 0;
	const cr_ledger_entry *e = cr_ledger_entries(l, &nent);
	char label[32];

	r->schema = CR_REPORT_SCHEMA;
	r->start = o->period.start;
	r->end = o->period.end;
	cr_period_label(&o->period, label, sizeof label);
	r->period_label = cr_xstrdup(label);
	cr_period_previous(&o->period, &prev);
	r->prev_start = prev.start;
	r->prev_end = prev.end;
	r->has_previous = cr_ledger_day_range(l, &first, &last) && first <= prev.start &&
			  !o->not_comparable;
	r->data_through = last;   /* 0 when the ledger is empty */
	r->metric = cr_ledger_metric(l);
	r->top_services = o->top_services;
	r->top_usage = o->top_usage;
	r->currency = cr_xstrdup(cr_ledger_currency(l)[0] ? cr_ledger_currency(l) : "USD");
	if (!cr_ledger_currency(l)[0])
		cr_report_add_warning(r, _("the data names no currency; amounts are shown as USD"));
	memcpy(r->recon.included, o->include, sizeof r->recon.included);
	note_rounding(r, l);
	fill_files(r, l);
	if (!o->period_complete)
		cr_report_add_warning(r, _("%s is not complete in the data (it does not cover "
					   "every day of the month): figures are partial"), label);

	for (size_t i = 0; i < nent; i++) {
		const cr_ledger_entry *x = &e[i];
		bool cur = x->key.day >= o->period.start && x->key.day <= o->period.end;
		bool before = r->has_previous && x->key.day >= prev.start && x->key.day <= prev.end;
		int excl = cr_kind_excluded(x->key.kind);
		struct agg *a;

		if (!cur && !before)
			continue;
		if (cur) {
			ncur++;
			ADD(r->recon.grand_total, x->cost);
			if (excl >= 0) {
				if (!o->include[excl]) {
					ADD(r->recon.excluded[excl], x->cost);
					continue;
				}
				ADD(r->recon.included_amount[excl], x->cost);
			}
		} else if (excl >= 0 && !o->include[excl]) {
			continue;
		}
		a = agg_get(&t, &x->key);
		if (cur) {
			a->seen_cur = true;
			ADD(a->cost, x->cost);
			ADD(a->qty, x->quantity);
			if (x->unit && a->unit && x->unit != a->unit)
				a->unit_mixed = true;
			if (!a->unit)
				a->unit = x->unit;
			a->unit_mixed |= x->unit_mixed;
		} else {
			a->seen_prev = true;
			ADD(a->prev, x->cost);
		}
	}
	if (ncur == 0) {
		char s[CR_DATE_STRLEN], f[CR_DATE_STRLEN], la[CR_DATE_STRLEN];
		cr_day_format(o->period.start, s);
		if (nent) {
			cr_day_format(first, f);
			cr_day_format(last, la);
			cr_error_set(err, CR_EXIT_NODATA, "no billing rows for %s in the input "
				     "(it covers %s to %s)", label, f, la);
		} else {
			cr_error_set(err, CR_EXIT_NODATA, "the input holds no billing rows");
		}
		goto fail;
	}

	/* group: account -> service -> usage type */
	if (t.n)  /* every row of the period may be an excluded charge */
		qsort_r(t.v, t.n, sizeof *t.v, cmp_agg, (void *)l);
	r->accounts = cr_xcalloc(t.n + 1, sizeof *r->accounts);
	parts = cr_xcalloc(t.n + 1, sizeof *parts);
	for (size_t i = 0; i < t.n;) {
		cr_report_account *acc = &r->accounts[r->n_accounts++];
		size_t aend = i;

		while (aend < t.n && t.v[aend].account == t.v[i].account)
			aend++;
		acc->id = cr_xstrdup(cr_ledger_str(l, t.v[i].account));
		account_meta(acc, l, t.v[i].account, o->accounts);
		size_t nsvc = 1;  /* the account's services: t.v is sorted by them */
		for (size_t k = i + 1; k < aend; k++)
			nsvc += t.v[k].service != t.v[k - 1].service;
		acc->services = cr_xcalloc(nsvc + 1, sizeof *acc->services);
		for (size_t j = i; j < aend;) {
			cr_report_service *s = &acc->services[acc->n_services++];
			size_t send = j;
			bool seen_prev = false, seen_cur = false;

			while (send < aend && t.v[send].service == t.v[j].service)
				send++;
			s->name = cr_xstrdup(cr_ledger_str(l, t.v[j].service));
			s->usage = cr_xcalloc(send - j + 1, sizeof *s->usage);
			for (size_t k = j; k < send; k++) {
				struct agg *a = &t.v[k];
				cr_report_usage *u = &s->usage[s->n_usage++];
				const char *ut = cr_ledger_str(l, a->usage_type);

				u->usage_type = cr_xstrdup(ut[0] ? ut : CR_NO_USAGE_TYPE);
				u->cost = a->cost;
				u->quantity = a->qty;
				u->unit = cr_xstrdup(a->unit_mixed ? "" : cr_ledger_str(l, a->unit));
				u->has_previous = r->has_previous;
				u->previous_cost = a->prev;
				u->is_new = r->has_previous && !a->seen_prev;
				seen_prev |= a->seen_prev;
				seen_cur |= a->seen_cur;
				ADD(s->cost, a->cost);
				ADD(s->previous_cost, a->prev);
			}
			s->usage_total = s->n_usage;
			s->is_new = r->has_previous && !seen_prev;
			parts[nparts++] = (struct org_part){ cr_ledger_str(l, t.v[j].service),
							     s->cost, s->previous_cost, seen_cur,
							     seen_prev };
			ADD(acc->total, s->cost);
			ADD(acc->previous_total, s->previous_cost);
			fold_usage(s, o->top_usage, r->has_previous);
			j = send;
		}
		acc->services_total = acc->n_services;
		fold_services(acc, o->top_services, r->has_previous);
		ADD(r->total, acc->total);
		ADD(r->previous_total, acc->previous_total);
		i = aend;
	}
	qsort(r->accounts, r->n_accounts, sizeof *r->accounts, cmp_account);
	warn_unmatched(r, l, o->accounts);
	if (org_services(r, parts, nparts))
		goto overflow;
	r->recon.ranked = r->total;
	set_shares(r);
	if (cr_allocation_build(r, l, o, err) || cr_resources_build(r, l, o, err))
		goto fail;
	free(parts);
	free(t.v);
	cr_keymap_release(&t.map);
	return r;

overflow:
	cr_error_set(err, CR_EXIT_INPUT, "a sum over the period overflows");
fail:
	free(parts);
	free(t.v);
	cr_keymap_release(&t.map);
	cr_report_free(r);
	return NULL;
}
