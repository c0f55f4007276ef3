/* resources.c - see resources.h */
#include "rank/resources.h"

#include <stdlib.h>
#include <string.h>

#include "costrank/keymap.h"

/* A resource's lines of the period within one usage type (group g). */
struct item {
	uint32_t g;
	cr_sym resource;          /* 0: lines without a resource id */
	cr_day first, last;
	cr_dec cost;
};

struct group {
	cr_sym account, service, usage_type;
	size_t first, n;          /* its items, after sorting */
};

struct ctx {
	const cr_ledger *l;
	const struct group *g;
};

/* By group, the no-id lines first, then by cost (largest first), then id. */
static int cmp_item(const void *pa, const void *pb, void *arg)
{
	const struct item *a = pa, *b = pb;
	const cr_ledger *l = arg;
	int c;

	if (a->g != b->g)
		return a->g < b->g ? -1 : 1;
	if ((a->resource == 0) != (b->resource == 0))
		return a->resource == 0 ? -1 : 1;
	if ((c = cr_dec_cmp(b->cost, a->cost)))
		return c;
	return strcmp(cr_ledger_str(l, a->resource), cr_ledger_str(l, b->resource));
}

static const char *usage_name(const cr_ledger *l, cr_sym ut)
{
	const char *s = cr_ledger_str(l, ut);
	return s[0] ? s : CR_NO_USAGE_TYPE;
}

static int cmp_strs(const cr_ledger *l, const struct group *g, const char *acct,
		    const char *svc, const char *ut)
{
	int c = strcmp(cr_ledger_str(l, g->account), acct);

	if (!c)
		c = strcmp(cr_ledger_str(l, g->service), svc);
	if (!c)
		c = strcmp(usage_name(l, g->usage_type), ut);
	return c;
}

static int cmp_group(const void *pa, const void *pb, void *arg)
{
	const struct ctx *x = arg;
	const struct group *a = &x->g[*(const size_t *)pa], *b = &x->g[*(const size_t *)pb];

	return cmp_strs(x->l, a, cr_ledger_str(x->l, b->account), cr_ledger_str(x->l, b->service),
			usage_name(x->l, b->usage_type));
}

/* The group of (acct, svc, ut) by binary search over the sorted order, or NULL. */
static const struct group *find_group(const cr_ledger *l, const struct group *g,
				      const size_t *order, size_t n, const char *acct,
				      const char *svc, const char *ut)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_strs(l, &g[order[mid]], acct, svc, ut);
		if (c == 0)
			return &g[order[mid]];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

#define ADD(acc, x) do { if (cr_dec_acc(&(acc), (x))) goto overflow; } while (0)

/* Fills u from its group's items; false when they do not sum to its cost. */
static int fill_usage(cr_report_usage *u, const cr_ledger *l, const struct item *it, size_t n,
		      int top, bool *sums)
{
	cr_dec sum = CR_DEC_ZERO;
	size_t k = 0, listed;

	u->no_resource = CR_DEC_ZERO;
	u->resources_other = CR_DEC_ZERO;
	if (n && it[0].resource == 0) {
		u->no_resource = it[0].cost;
		k = 1;
	}
	u->resources_total = n - k;
	listed = u->resources_total < (size_t)top ? u->resources_total : (size_t)top;
	u->resources = listed ? cr_xcalloc(listed, sizeof *u->resources) : NULL;
	for (size_t i = k; i < n; i++) {
		ADD(sum, it[i].cost);
		if (i - k >= listed) {
			ADD(u->resources_other, it[i].cost);
			continue;
		}
		cr_report_resource *x = &u->resources[u->n_resources++];
		x->rank = (int)(i - k) + 1;
		x->id = cr_xstrdup(cr_ledger_str(l, it[i].resource));
		x->cost = it[i].cost;
		x->share = cr_dec_ratio(it[i].cost, u->cost);
		x->first_day = it[i].first;
		x->last_day = it[i].last;
	}
	ADD(sum, u->no_resource);
	u->no_resource_share = cr_dec_ratio(u->no_resource, u->cost);
	*sums = cr_dec_cmp(sum, u->cost) == 0;
	return 0;
overflow:
	return -1;
}

static void drop_resources(cr_report_usage *u)
{
	for (size_t i = 0; i < u->n_resources; i++)
		free(u->resources[i].id);
	free(u->resources);
	u->resources = NULL;
	u->n_resources = u->resources_total = 0;
	u->resources_other = u->no_resource = CR_DEC_ZERO;
	u->no_resource_share = 0;
}

int cr_resources_build(cr_report *r, const cr_ledger *l, const cr_rank_opts *o,
		       cr_error *err)
{
	size_t nres, ni = 0, capi = 256, ng = 0, capg = 64;
	const cr_ledger_resource *e = cr_ledger_resources(l, &nres);
	cr_keymap gm = CR_KEYMAP_INIT, im = CR_KEYMAP_INIT;
	struct item *it = NULL;
	struct group *g = NULL;
	size_t *order = NULL;
	cr_day mfirst = cr_month_first(r->start);
	bool straddles = false, added, unsure = false;

	if (o->top_resources <= 0 || !cr_ledger_has_dimension(l, CR_DIM_RESOURCE))
		return 0;
	it = cr_xmalloc(capi * sizeof *it);
	g = cr_xmalloc(capg * sizeof *g);
	for (size_t i = 0; i < nres; i++) {
		const cr_ledger_resource *x = &e[i];
		int excl = cr_kind_excluded(x->kind);
		size_t gi, k;

		if (x->month < mfirst || x->month > r->end || x->last < r->start ||
		    x->first > r->end)
			continue;
		if (x->first < r->start || x->last > r->end) {
			straddles = true;   /* a month bucket the period cuts */
			break;
		}
		if (excl >= 0 && !o->include[excl])
			continue;
		gi = cr_keymap_get(&gm, x->account, x->service, x->usage_type, &added);
		if (added) {
			if (ng == capg)
				g = cr_xrealloc(g, (capg *= 2) * sizeof *g);
			g[gi] = (struct group){ x->account, x->service, x->usage_type, 0, 0 };
			ng++;
		}
		k = cr_keymap_get(&im, (uint32_t)gi, x->resource, 0, &added);
		if (added) {
			if (ni == capi)
				it = cr_xrealloc(it, (capi *= 2) * sizeof *it);
			it[k] = (struct item){ (uint32_t)gi, x->resource, x->first, x->last,
					       CR_DEC_ZERO };
			ni++;
		}
		ADD(it[k].cost, x->cost);
		if (x->first < it[k].first)
			it[k].first = x->first;
		if (x->last > it[k].last)
			it[k].last = x->last;
	}
	cr_keymap_release(&im);
	cr_keymap_release(&gm);
	r->top_resources = o->top_resources;
	if (straddles) {
		cr_report_add_warning(r, "top resources are not shown: the resource figures are "
				      "kept by calendar month and this period cuts a month");
		goto done;
	}
	if (ni)
		qsort_r(it, ni, sizeof *it, cmp_item, (void *)l);
	for (size_t i = 0; i < ni;) {
		size_t j = i;
		while (j < ni && it[j].g == it[i].g)
			j++;
		g[it[i].g].first = i;
		g[it[i].g].n = j - i;
		i = j;
	}
	order = cr_xmalloc((ng ? ng : 1) * sizeof *order);
	for (size_t i = 0; i < ng; i++)
		order[i] = i;
	if (ng) {
		struct ctx c = { l, g };
		qsort_r(order, ng, sizeof *order, cmp_group, &c);
	}
	r->has_resources = true;
	for (size_t a = 0; a < r->n_accounts; a++) {
		cr_report_account *acc = &r->accounts[a];
		for (size_t s = 0; s < acc->n_services; s++) {
			cr_report_service *svc = &acc->services[s];
			if (svc->is_other)
				continue;
			for (size_t u = 0; u < svc->n_usage; u++) {
				cr_report_usage *us = &svc->usage[u];
				const struct group *gr;
				bool sums = true;

				if (us->is_other)
					continue;
				gr = find_group(l, g, order, ng, acc->id, svc->name, us->usage_type);
				if (gr && fill_usage(us, l, it + gr->first, gr->n, o->top_resources,
						     &sums))
					goto overflow;
				if (!gr && us->cost.v != 0)
					sums = false;
				if (!sums) {
					drop_resources(us);
					unsure = true;
				}
			}
		}
	}
	if (unsure)
		cr_report_add_warning(r, "the resources of some usage types do not sum to their "
				      "cost: those usage types list none");
done:
	free(it);
	free(g);
	free(order);
	return 0;
overflow:
	cr_keymap_release(&im);
	cr_keymap_release(&gm);
	free(it);
	free(g);
	free(order);
	return cr_error_set(err, CR_EXIT_INPUT, "a sum of the resources overflows");
}
