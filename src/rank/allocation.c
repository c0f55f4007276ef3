/* allocation.c - see allocation.h */
#include "rank/allocation.h"

#include <stdlib.h>
#include <string.h>

#include "costrank/i18n.h"
#include "costrank/keymap.h"

struct value_sum {
	cr_sym value;
	cr_dec cost, prev;
	bool seen_prev;
};

struct service_sum {
	cr_sym value, service;
	cr_dec cost;
};

static int cmp_service(const void *pa, const void *pb, void *ctx)
{
	const struct service_sum *a = pa, *b = pb;
	const cr_ledger *l = ctx;
	int c;

	if (a->value != b->value)
		return a->value < b->value ? -1 : 1;
	if ((c = cr_dec_cmp(b->cost, a->cost)))
		return c;
	return strcmp(cr_ledger_str(l, a->service), cr_ledger_str(l, b->service));
}

static int cmp_value(const void *pa, const void *pb)
{
	const cr_report_alloc_value *a = pa, *b = pb;
	int c;

	if (a->is_untagged != b->is_untagged)
		return a->is_untagged ? 1 : -1;
	if ((c = cr_dec_cmp(b->cost, a->cost)))
		return c;
	return strcmp(a->value, b->value);
}

#define ADD(acc, x) do { if (cr_dec_acc(&(acc), (x))) goto overflow; } while (0)

static int build_one(cr_report *r, const cr_ledger *l, size_t dim, const cr_rank_opts *o,
		     cr_report_allocation *a, cr_error *err)
{
	const cr_dimension *d = cr_ledger_dimension(l, dim);
	size_t nent, nv = 0, ns = 0, capv = 16, caps = 64;
	const cr_ledger_entry *e = cr_ledger_dim_entries(l, dim, &nent);
	cr_keymap vm = CR_KEYMAP_INIT, sm = CR_KEYMAP_INIT;
	struct value_sum *v = cr_xcalloc(capv, sizeof *v);
	struct service_sum *s = cr_xcalloc(caps, sizeof *s);
	cr_dec sum = CR_DEC_ZERO;
	bool added;
	size_t k;

	a->dimension = cr_xstrdup(d->name);
	a->untagged_label = cr_xstrdup(d->kind == CR_DIM_REGION ? "(no region)" : "(untagged)");
	/* the untagged row is always there, first in v */
	k = cr_keymap_get(&vm, 0, 0, 0, &added);
	v[k].value = 0;
	nv = 1;
	for (size_t i = 0; i < nent; i++) {
		const cr_ledger_entry *x = &e[i];
		bool cur = x->key.day >= r->start && x->key.day <= r->end;
		bool before = r->has_previous && x->key.day >= r->prev_start &&
			      x->key.day <= r->prev_end;
		int excl = cr_kind_excluded(x->key.kind);

		if ((!cur && !before) || (excl >= 0 && !o->include[excl]))
			continue;
		k = cr_keymap_get(&vm, x->key.dim, 0, 0, &added);
		if (added) {
			if (nv == capv)
				v = cr_xrealloc(v, (capv *= 2) * sizeof *v);
			memset(&v[k], 0, sizeof v[k]);
			v[k].value = x->key.dim;
			nv++;
		}
		if (!cur) {
			v[k].seen_prev = true;
			ADD(v[k].prev, x->cost);
			continue;
		}
		ADD(v[k].cost, x->cost);
		k = cr_keymap_get(&sm, x->key.dim, x->key.service, 0, &added);
		if (added) {
			if (ns == caps)
				s = cr_xrealloc(s, (caps *= 2) * sizeof *s);
			memset(&s[k], 0, sizeof s[k]);
			s[k].value = x->key.dim;
			s[k].service = x->key.service;
			ns++;
		}
		ADD(s[k].cost, x->cost);
	}
	if (ns)
		qsort_r(s, ns, sizeof *s, cmp_service, (void *)l);

	a->values = cr_xcalloc(nv, sizeof *a->values);
	a->n_values = nv;
	for (size_t i = 0; i < nv; i++) {
		cr_report_alloc_value *out = &a->values[i];
		size_t first = 0, n = 0;

		out->is_untagged = v[i].value == 0;
		out->value = cr_xstrdup(cr_ledger_str(l, v[i].value));
		out->cost = v[i].cost;
		out->previous_cost = v[i].prev;
		if (cr_dec_sub(&out->change, v[i].cost, v[i].prev))
			goto overflow;
		out->share = cr_dec_ratio(v[i].cost, r->total);
		out->is_new = r->has_previous && !v[i].seen_prev && !out->is_untagged;
		ADD(sum, v[i].cost);
		while (first < ns && s[first].value != v[i].value)
			first++;
		while (first + n < ns && s[first + n].value == v[i].value)
			n++;
		out->services_total = n;
		if (n > (size_t)o->top_services)
			n = (size_t)o->top_services;
		out->services = cr_xcalloc(n + 1, sizeof *out->services);
		out->n_services = n;
		for (size_t j = 0; j < n; j++) {
			out->services[j].name = cr_xstrdup(cr_ledger_str(l, s[first + j].service));
			out->services[j].cost = s[first + j].cost;
		}
		if (out->is_untagged) {
			a->untagged_cost = out->cost;
			a->untagged_share = out->share;
		}
	}
	qsort(a->values, nv, sizeof *a->values, cmp_value);
	for (size_t i = 0; i < nv; i++)
		a->values[i].rank = a->values[i].is_untagged ? 0 : (int)i + 1;
	if (cr_dec_cmp(sum, r->total) != 0)
		cr_report_add_warning(r, _("the allocation by %s does not sum to the report total: "
					   "it is left as read"), a->dimension);
	free(v);
	free(s);
	cr_keymap_release(&vm);
	cr_keymap_release(&sm);
	return 0;
overflow:
	free(v);
	free(s);
	cr_keymap_release(&vm);
	cr_keymap_release(&sm);
	return cr_error_set(err, CR_EXIT_INPUT, "a sum of the allocation by %s overflows",
			    a->dimension);
}

int cr_allocation_build(cr_report *r, const cr_ledger *l, const cr_rank_opts *o,
			cr_error *err)
{
	size_t n = cr_ledger_dimension_count(l);

	for (size_t i = 0; i < n; i++) {
		enum cr_dim_kind kind = cr_ledger_dimension(l, i)->kind;

		if (kind != CR_DIM_TAG && kind != CR_DIM_REGION)
			continue;
		if (!r->allocations)
			r->allocations = cr_xcalloc(n, sizeof *r->allocations);
		if (build_one(r, l, i, o, &r->allocations[r->n_allocations++], err))
			return -1;
	}
	return 0;
}
