/* ce_lines.c - Cost Explorer answers into the ledger (ce_source.h) */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sources/ce_internal.h"

static const char *const categories[CR_EXCL_COUNT] = { "Credit", "Refund", "Tax" };

int ce_record_category(const char *record_type)
{
	for (int i = 0; i < CR_EXCL_COUNT; i++)
		if (strcmp(record_type, categories[i]) == 0)
			return i;
	return -1;
}

static cr_sym sym(struct ce_pull *p, const char *s)
{
	return cr_ledger_intern(p->l, s, strlen(s));
}

/* Cost Explorer's name for a group without a usage type. */
static const char *usage_key(const char *s)
{
	return strcmp(s, "NoUsageType") == 0 ? "" : s;
}

static struct ce_line *line_get(struct ce_pull *p, cr_sym a, cr_sym s, cr_sym u)
{
	bool added;
	size_t i = cr_keymap_get(&p->map, a, s, u, &added);

	if (added) {
		if (p->nlines == p->cap) {
			p->cap = p->cap ? p->cap * 2 : 512;
			p->lines = cr_xrealloc(p->lines, p->cap * sizeof *p->lines);
		}
		memset(&p->lines[i], 0, sizeof p->lines[i]);
		p->lines[i].account = a;
		p->lines[i].service = s;
		p->lines[i].usage = u;
		p->lines[i].scope = (uint32_t)(p->sc - p->scopes);
		p->nlines++;
	}
	return &p->lines[i];
}

static int add(struct ce_pull *p, cr_sym a, cr_sym s, cr_sym u, cr_day day, enum cr_kind kind,
	       cr_dec cost, cr_dec qty, cr_sym unit, cr_error *err)
{
	cr_ledger_key k = { .account = a, .service = s, .usage_type = u, .day = day,
			    .kind = (uint32_t)kind };

	if (cr_ledger_add(p->l, &k, cost, qty, unit, NULL) == 0)
		return 0;
	return cr_error_set(err, CR_EXIT_REMOTE, "%s: the sum for account %s, usage type %s "
			    "overflows", p->ep.where, cr_ledger_str(p->l, a), cr_ledger_str(p->l, u));
}

static void add_account(const char ***v, size_t *n, const char *id)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*v)[i], id) == 0)
			return;
	*v = cr_xrealloc(*v, (*n + 1) * sizeof **v);
	(*v)[(*n)++] = id;
}

static bool in_current(const struct ce_pull *p, const cr_ce_cell *c)
{
	return c->start >= p->cur.start && c->start <= p->cur.end;
}

static int need_keys(struct ce_pull *p, const cr_ce_cell *c, cr_error *err)
{
	if (c->nkeys == 2)
		return 0;
	return cr_error_set(err, CR_EXIT_REMOTE, "%s: GetCostAndUsage answer: a group with %zu "
			    "keys where two were asked for", p->ep.where, c->nkeys);
}

int ce_cell(void *ctx, const cr_ce_cell *c, cr_error *err)
{
	struct ce_pull *p = ctx;
	const char *cost_name = cr_ce_metric_name(cr_ledger_metric(p->l));
	const cr_ce_metric *cost = cr_ce_cell_metric(c, cost_name);
	const cr_ce_metric *qty = cr_ce_cell_metric(c, "UsageQuantity");
	enum cr_ce_query_kind kind = p->q->kind;
	cr_sym a, u;
	int cat;

	if (c->estimated) {
		p->q_estimated = true;
		if (c->end > p->cur.start && c->start <= p->cur.end)
			p->out->estimated = true;
	}
	if (need_keys(p, c, err))
		return -1;
	if (kind != CR_CEQ_QUANTITY && !cost)
		return cr_error_set(err, CR_EXIT_REMOTE, "%s: GetCostAndUsage answer: a group "
				    "without the %s metric that was asked for", p->ep.where, cost_name);
	if ((kind == CR_CEQ_QUANTITY || kind == CR_CEQ_LINES) && !qty)
		return cr_error_set(err, CR_EXIT_REMOTE, "%s: GetCostAndUsage answer: a group "
				    "without the UsageQuantity metric that was asked for", p->ep.where);
	if (cost && cost->unit[0] && cr_ledger_check_currency(p->l, cost->unit, strlen(cost->unit)))
		return cr_error_set(err, CR_EXIT_REMOTE, "%s: Cost Explorer answered in %s and in "
				    "%s; costrank does not convert currencies", p->ep.where,
				    cr_ledger_currency(p->l), cost->unit);
	p->sc->rows++;

	switch (kind) {
	case CR_CEQ_RECON:
		a = sym(p, c->keys[0]);
		cat = ce_record_category(c->keys[1]);
		if (cat < 0) {
			add_account(&p->sc->accounts, &p->sc->n_accounts, cr_ledger_str(p->l, a));
			return 0;
		}
		if (p->o->include[cat]) {
			add_account(&p->sc->cat_accounts[cat], &p->sc->n_cat_accounts[cat],
				    cr_ledger_str(p->l, a));
			return 0;
		}
		return add(p, a, 0, 0, c->start, cat == CR_EXCL_CREDIT ? CR_KIND_CREDIT :
			   cat == CR_EXCL_REFUND ? CR_KIND_REFUND : CR_KIND_TAX, cost->amount,
			   CR_DEC_ZERO, 0, err);
	case CR_CEQ_TAGS: {
		const char *v = strchr(c->keys[1], '$');
		v = v ? v + 1 : c->keys[1];
		if (!*v || cr_dec_sign(cost->amount) <= 0)
			return 0;
		p->tags = cr_xrealloc(p->tags, (p->ntags + 1) * sizeof *p->tags);
		p->tags[p->ntags++] = (struct ce_tag){ sym(p, c->keys[0]), sym(p, v), cost->amount };
		return 0;
	}
	case CR_CEQ_LINES: {
		cr_sym s = sym(p, c->keys[0]);
		bool na = !qty->unit[0] || strcmp(qty->unit, "N/A") == 0 ||
			  strcmp(qty->unit, "NA") == 0;
		cr_sym unit = na ? 0 : sym(p, qty->unit);
		struct ce_line *ln;

		u = sym(p, usage_key(c->keys[1]));
		if (!in_current(p, c))
			return add(p, p->q_account, s, u, c->start, CR_KIND_ADJUSTMENT, cost->amount,
				   qty->amount, unit, err);
		ln = line_get(p, p->q_account, s, u);
		if (cr_dec_acc(&ln->cost, cost->amount) || cr_dec_acc(&ln->qty, qty->amount))
			return cr_error_set(err, CR_EXIT_REMOTE, "%s: the sum for account %s, "
					    "usage type %s overflows", p->ep.where,
					    cr_ledger_str(p->l, ln->account), cr_ledger_str(p->l, u));
		if (ln->unit && unit && ln->unit != unit)
			na = true;
		ln->unit_na |= na;
		if (!ln->unit)
			ln->unit = unit;
		return 0;
	}
	case CR_CEQ_QUANTITY:
		if (!in_current(p, c) || cr_dec_is_zero(qty->amount))
			return 0;
		p->qtys = cr_xrealloc(p->qtys, (p->nqtys + 1) * sizeof *p->qtys);
		p->qtys[p->nqtys++] = (struct ce_qty){ sym(p, c->keys[0]),
			sym(p, usage_key(c->keys[1])), qty->amount };
		return 0;
	case CR_CEQ_INCLUDED:
		if (p->q->category == CR_EXCL_TAX)
			return add(p, sym(p, c->keys[0]), sym(p, c->keys[1]), 0, c->start,
				   CR_KIND_TAX, cost->amount, CR_DEC_ZERO, 0, err);
		return add(p, p->q_account, sym(p, c->keys[0]), sym(p, usage_key(c->keys[1])),
			   c->start, p->q->category == CR_EXCL_CREDIT ? CR_KIND_CREDIT
			   : CR_KIND_REFUND, cost->amount, CR_DEC_ZERO, 0, err);
	case CR_CEQ_DIM: {
		/* "team$platform"; "team$" has no value */
		const char *v = strchr(c->keys[0], '$');
		cr_ledger_key key = { .service = sym(p, c->keys[1]), .day = c->start,
				      .kind = CR_KIND_USAGE };

		v = v ? v + 1 : c->keys[0];
		if (cr_ledger_add_dim(p->l, p->q->dim, &key, *v ? sym(p, v) : 0, cost->amount,
				      NULL))
			return cr_error_set(err, CR_EXIT_REMOTE, "%s: the sum of %s overflows",
					    p->ep.where, cr_ledger_dimension(p->l, p->q->dim)->name);
		return 0;
	}
	case CR_CEQ_DAILY:
	case CR_CEQ_DAILY_ALL: {
		bool added;
		size_t i;
		int d = c->start - p->cur.start;
		struct ce_line *ln;

		if (d < 0 || d >= p->ndays)
			return 0;
		a = sym(p, c->keys[0]);
		u = sym(p, usage_key(c->keys[1]));
		i = cr_keymap_get(&p->daily_map, a, u, 0, &added);
		if (added) {
			/* not a line of the monthly answers: the figures moved since */
			p->daily_line = cr_xrealloc(p->daily_line, (i + 1) * sizeof *p->daily_line);
			p->daily_line[i] = SIZE_MAX;
		}
		if (p->daily_line[i] == SIZE_MAX)
			return 0;
		ln = &p->lines[p->daily_line[i]];
		cr_dec_acc(kind == CR_CEQ_DAILY ? &ln->od[d] : &ln->all[d], cost->amount);
		return 0;
	}
	default:
		return 0;
	}
}

void ce_attribute(void *ctx, const char *value, const char *key, const char *text)
{
	struct ce_pull *p = ctx;

	if (strcmp(key, "description") == 0 && *text)
		cr_ledger_note_account_name(p->l, sym(p, value), sym(p, text));
}

void ce_apply_tags(struct ce_pull *p)
{
	for (size_t i = 0; i < p->ntags; i++) {
		cr_sym a = p->tags[i].account;
		cr_dec total = CR_DEC_ZERO, best = CR_DEC_ZERO, sum;
		cr_sym value = 0;
		bool first = true;

		for (size_t j = 0; j < i; j++)
			first &= p->tags[j].account != a;
		if (!first)
			continue;
		/* per value of this account: the value with most of its tagged cost */
		for (size_t j = i; j < p->ntags; j++) {
			if (p->tags[j].account != a)
				continue;
			cr_dec_acc(&total, p->tags[j].cost);
			sum = CR_DEC_ZERO;
			for (size_t k = i; k < p->ntags; k++)
				if (p->tags[k].account == a && p->tags[k].value == p->tags[j].value)
					cr_dec_acc(&sum, p->tags[k].cost);
			if (cr_dec_cmp(sum, best) > 0) {
				best = sum;
				value = p->tags[j].value;
			}
		}
		cr_dec_acc(&best, best);
		if (value && cr_dec_cmp(best, total) > 0)
			cr_ledger_note_environment(p->l, a, value);
	}
}

void ce_apply_quantities(struct ce_pull *p)
{
	cr_keymap m = CR_KEYMAP_INIT;
	size_t *line = cr_xcalloc(p->nlines + p->nqtys + 1, sizeof *line);
	size_t *count = cr_xcalloc(p->nlines + p->nqtys + 1, sizeof *count);

	/* (account, usage type) -> its line and how many services have it */
	for (size_t j = 0; j < p->nlines; j++) {
		bool added;
		size_t k = cr_keymap_get(&m, p->lines[j].account, p->lines[j].usage, 0, &added);
		line[k] = j;
		count[k]++;
	}
	for (size_t i = 0; i < p->nqtys; i++) {
		bool added;
		size_t k = cr_keymap_get(&m, p->qtys[i].account, p->qtys[i].usage, 0, &added);

		/* no line (count 0), or a usage type under several services of one
		 * account: which one the quantity belongs to is unknown, so it stays */
		if (count[k] == 1)
			cr_dec_acc(&p->lines[line[k]].nonusage_qty, p->qtys[i].qty);
	}
	cr_keymap_release(&m);
	free(line);
	free(count);
}

/* ---- which lines need daily data ------------------------------------------ */

void ce_select(struct ce_pull *p)
{
	const cr_ruleset *rules = p->o->rules;

	if (!rules || !p->nlines)
		return;
	for (size_t i = 0; i < p->nlines; i++) {
		struct ce_line *ln = &p->lines[i];
		const char *svc = cr_ledger_str(p->l, ln->service);
		const char *ut = cr_ledger_str(p->l, ln->usage);
		unsigned need;

		if (!*ut)
			continue;
		need = cr_rules_daily_need(rules, svc, ut,
					   cr_ledger_environment(p->l, ln->account,
								 p->o->accounts, NULL));
		if (need & CR_DAILY_ON_DEMAND)
			ln->need_od = true;
		if (need & CR_DAILY_ALL_KINDS)
			ln->need_all = true;
	}
}

/* ---- daily requests ------------------------------------------------------ */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void push_unique(const char ***v, size_t *n, const char *s)
{
	for (size_t i = 0; i < *n; i++)
		if ((*v)[i] == s)
			return;
	*v = cr_xrealloc(*v, (*n + 1) * sizeof **v);
	(*v)[(*n)++] = s;
}

static bool has(const char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == s)
			return true;
	return false;
}

static bool wanted(const struct ce_pull *p, const struct ce_line *ln, uint32_t scope, bool all)
{
	if (ln->scope != scope || !*cr_ledger_str(p->l, ln->usage))
		return false;
	if (!all)
		return ln->need_od || ln->need_all;
	if (!ln->need_all || ln->got_all)
		return false;
	if (ln->got_od) {
		cr_dec sum = CR_DEC_ZERO;
		for (int d = 0; d < p->ndays; d++)
			cr_dec_acc(&sum, ln->od[d]);
		return cr_dec_cmp(sum, ln->cost) != 0;
	}
	return true;
}

/* Whether a request for b would mix two services' lines under one
 * (account, usage type) group. */
static bool conflicts(struct ce_pull *p, uint32_t scope, const struct ce_bucket *b)
{
	cr_keymap m = CR_KEYMAP_INIT;
	cr_sym *svc = cr_xcalloc(p->nlines + 1, sizeof *svc);
	bool clash = false;

	for (size_t i = 0; i < p->nlines && !clash; i++) {
		const struct ce_line *ln = &p->lines[i];
		bool added;
		size_t k;

		if (ln->scope != scope ||
		    !has(b->services, b->ns, cr_ledger_str(p->l, ln->service)) ||
		    !has(b->usage, b->nu, cr_ledger_str(p->l, ln->usage)) ||
		    !has(b->accounts, b->na, cr_ledger_str(p->l, ln->account)))
			continue;
		k = cr_keymap_get(&m, ln->account, ln->usage, 0, &added);
		if (added)
			svc[k] = ln->service;
		else if (svc[k] != ln->service)
			clash = true;
	}
	free(svc);
	cr_keymap_release(&m);
	return clash;
}

/* Adds the wanted lines of service s to b. */
static void bucket_add(struct ce_pull *p, uint32_t scope, bool all, struct ce_bucket *b,
		       const char *s)
{
	push_unique(&b->services, &b->ns, s);
	for (size_t i = 0; i < p->nlines; i++) {
		const struct ce_line *ln = &p->lines[i];
		if (cr_ledger_str(p->l, ln->service) != s || !wanted(p, ln, scope, all))
			continue;
		push_unique(&b->usage, &b->nu, cr_ledger_str(p->l, ln->usage));
		push_unique(&b->accounts, &b->na, cr_ledger_str(p->l, ln->account));
	}
}

static void bucket_free(struct ce_bucket *b)
{
	free(b->services);
	free(b->usage);
	free(b->accounts);
	memset(b, 0, sizeof *b);
}

static void bucket_copy(struct ce_bucket *dst, const struct ce_bucket *src)
{
	memset(dst, 0, sizeof *dst);
	for (size_t i = 0; i < src->ns; i++)
		push_unique(&dst->services, &dst->ns, src->services[i]);
	for (size_t i = 0; i < src->nu; i++)
		push_unique(&dst->usage, &dst->nu, src->usage[i]);
	for (size_t i = 0; i < src->na; i++)
		push_unique(&dst->accounts, &dst->na, src->accounts[i]);
}

void ce_buckets(struct ce_pull *p, uint32_t scope, bool all, struct ce_bucket **out, size_t *n)
{
	const char **services = NULL;
	size_t ns = 0;

	*out = NULL;
	*n = 0;
	for (size_t i = 0; i < p->nlines; i++)
		if (wanted(p, &p->lines[i], scope, all))
			push_unique(&services, &ns, cr_ledger_str(p->l, p->lines[i].service));
	if (ns)
		qsort(services, ns, sizeof *services, cmp_str);
	for (size_t i = 0; i < ns; i++) {
		bool placed = false;

		for (size_t j = 0; j < *n && !placed; j++) {
			struct ce_bucket t;
			bucket_copy(&t, &(*out)[j]);
			bucket_add(p, scope, all, &t, services[i]);
			if (conflicts(p, scope, &t)) {
				bucket_free(&t);
				continue;
			}
			bucket_free(&(*out)[j]);
			(*out)[j] = t;
			placed = true;
		}
		if (!placed) {
			*out = cr_xrealloc(*out, (*n + 1) * sizeof **out);
			memset(&(*out)[*n], 0, sizeof **out);
			bucket_add(p, scope, all, &(*out)[*n], services[i]);
			(*n)++;
		}
	}
	for (size_t j = 0; j < *n; j++) {
		struct ce_bucket *b = &(*out)[j];
		qsort(b->services, b->ns, sizeof *b->services, cmp_str);
		qsort(b->usage, b->nu, sizeof *b->usage, cmp_str);
		qsort(b->accounts, b->na, sizeof *b->accounts, cmp_str);
	}
	free(services);
}

void ce_buckets_free(struct ce_bucket *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		bucket_free(&b[i]);
	free(b);
}

void ce_bucket_begin(struct ce_pull *p, uint32_t scope, const struct ce_bucket *b, bool all)
{
	cr_keymap_release(&p->daily_map);
	free(p->daily_line);
	p->daily_line = cr_xcalloc(p->nlines + 1, sizeof *p->daily_line);
	for (size_t i = 0; i < p->nlines; i++) {
		struct ce_line *ln = &p->lines[i];
		bool added;
		size_t k;

		if (ln->scope != scope ||
		    !has(b->services, b->ns, cr_ledger_str(p->l, ln->service)) ||
		    !has(b->usage, b->nu, cr_ledger_str(p->l, ln->usage)) ||
		    !has(b->accounts, b->na, cr_ledger_str(p->l, ln->account)))
			continue;
		k = cr_keymap_get(&p->daily_map, ln->account, ln->usage, 0, &added);
		p->daily_line[k] = i;
		if (all) {
			ln->got_all = true;
			if (!ln->all)
				ln->all = cr_xcalloc((size_t)p->ndays, sizeof *ln->all);
		} else {
			ln->got_od = true;
			if (!ln->od)
				ln->od = cr_xcalloc((size_t)p->ndays, sizeof *ln->od);
		}
	}
}

/* ---- booking -------------------------------------------------------------- */

int ce_book(struct ce_pull *p, cr_error *err)
{
	for (size_t i = 0; i < p->nlines; i++) {
		struct ce_line *ln = &p->lines[i];
		cr_dec rest = ln->cost, qty;
		cr_sym unit = ln->unit_na ? 0 : ln->unit;
		bool spot = strstr(cr_ledger_str(p->l, ln->usage), "SpotUsage") != NULL;

		cr_dec_sub(&qty, ln->qty, ln->nonusage_qty);
		/* all of the quantity was of record types that are not usage */
		if (cr_dec_is_zero(qty) && !cr_dec_is_zero(ln->nonusage_qty))
			unit = 0;
		for (int d = 0; d < p->ndays; d++) {
			cr_dec od = ln->got_od ? ln->od[d] : CR_DEC_ZERO, other = CR_DEC_ZERO;

			if (ln->got_all)
				cr_dec_sub(&other, ln->all[d], od);
			if (!cr_dec_is_zero(od) &&
			    add(p, ln->account, ln->service, ln->usage, p->cur.start + d,
				spot ? CR_KIND_SPOT : CR_KIND_USAGE, od, CR_DEC_ZERO, 0, err))
				return -1;
			if (!cr_dec_is_zero(other) &&
			    add(p, ln->account, ln->service, ln->usage, p->cur.start + d,
				CR_KIND_ADJUSTMENT, other, CR_DEC_ZERO, 0, err))
				return -1;
			cr_dec_sub(&rest, rest, od);
			cr_dec_sub(&rest, rest, other);
		}
		if (add(p, ln->account, ln->service, ln->usage, p->cur.start, CR_KIND_ADJUSTMENT,
			rest, qty, unit, err))
			return -1;
	}
	return 0;
}

void ce_lines_free(struct ce_pull *p)
{
	for (size_t i = 0; i < p->nlines; i++) {
		free(p->lines[i].od);
		free(p->lines[i].all);
	}
	free(p->lines);
	p->lines = NULL;
	p->nlines = p->cap = 0;
	cr_keymap_release(&p->map);
	cr_keymap_release(&p->daily_map);
	free(p->daily_line);
	p->daily_line = NULL;
	free(p->tags);
	free(p->qtys);
	p->tags = NULL;
	p->qtys = NULL;
}
