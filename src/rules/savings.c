/* savings.c - see costrank/savings.h */
#include "costrank/savings.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "costrank/buf.h"
#include "costrank/commitment.h"
#include "costrank/fx.h"
#include "costrank/i18n.h"
#include "costrank/keymap.h"

/* One usage line of the period with its daily spend. */
struct line {
	cr_sym account, service, usage_type;
	cr_dec all;        /* net cost: every ranked kind */
	cr_dec od;         /* on-demand usage only */
	cr_dec *daily_all; /* per day of the period */
	cr_dec *daily_od;
};

struct ctx {
	const cr_report *r;
	const cr_ledger *l;
	cr_day start;
	int ndays;
	bool daily;
	bool is_month;
	const char *cur;
	const cr_report_account **by_id; /* the report's accounts sorted by id */
};

/* A rule's estimate for a line, before deduplication. */
struct candidate {
	const cr_rule *rule;
	cr_dec base;       /* monthly cost the rule applies to */
	cr_dec savings;    /* monthly */
	char *formula;
	char *evidence;
};

static const double effort_weight[] = { 1.0, 2.0, 4.0 };
static const double risk_factor[] = { 1.0, 0.75, 0.5 };

static void money(cr_buf *b, cr_dec x, const char *cur)
{
	char s[CR_DEC_STRLEN];
	/* in the currency's minor unit: no cents on yen */
	cr_dec_format_grouped(x, cr_fx_minor_units(cur), s, sizeof s);
	cr_buf_addf(b, "%s %s", s, cur);
}

/* The amount as money() writes it, in a buffer of its own (a translated
 * formula takes its amounts in the order its language needs). */
struct amounts {
	cr_buf v[3];
};

static const char *amount(struct amounts *a, int i, cr_dec x, const char *cur)
{
	cr_buf_reset(&a->v[i]);
	money(&a->v[i], x, cur);
	return a->v[i].ptr;
}

static void amounts_release(struct amounts *a)
{
	for (int i = 0; i < 3; i++)
		cr_buf_release(&a->v[i]);
}

/* x * f for a display-grade fraction f (rule parameters are doubles). */
static cr_dec scale(cr_dec x, double f)
{
	cr_dec out = CR_DEC_ZERO;
	cr_dec_mul_ratio(&out, x, llround(f * 1e9), 1000000000);
	return out;
}

/* Period amounts as monthly figures: a calendar month is itself. */
static cr_dec monthly(const struct ctx *c, cr_dec x)
{
	cr_dec out = x;
	if (!c->is_month)
		cr_dec_mul_ratio(&out, x, 304375, (int64_t)c->ndays * 10000);
	return out;
}

static bool is_weekend(cr_day d)
{
	return cr_day_weekday(d) >= 5;
}

/* Weekend spend of the line's base, and the weekday/weekend daily averages. */
static void weekend_split(const struct ctx *c, const cr_dec *daily, cr_dec *we,
			  int *nwe, double *wd_avg, double *we_avg)
{
	cr_dec wd = CR_DEC_ZERO;
	*we = CR_DEC_ZERO;
	*nwe = 0;
	for (int i = 0; i < c->ndays; i++) {
		if (is_weekend(c->start + i)) {
			cr_dec_acc(we, daily[i]);
			(*nwe)++;
		} else {
			cr_dec_acc(&wd, daily[i]);
		}
	}
	*we_avg = *nwe ? cr_dec_to_double(*we) / *nwe : 0;
	*wd_avg = c->ndays > *nwe ? cr_dec_to_double(wd) / (c->ndays - *nwe) : 0;
}

static bool estimate(const struct ctx *c, const struct line *ln, const cr_rule *rule,
		     struct candidate *out)
{
	bool od = rule->on_demand_only || rule->model == CR_MODEL_COMMITMENT;
	cr_dec base = od ? ln->od : ln->all;
	const cr_dec *daily = od ? ln->daily_od : ln->daily_all;
	cr_dec mbase = monthly(c, base), s = CR_DEC_ZERO;
	cr_buf f = CR_BUF_INIT, e = CR_BUF_INIT;
	struct amounts m = { { CR_BUF_INIT, CR_BUF_INIT, CR_BUF_INIT } };

	if (cr_dec_sign(base) <= 0 || cr_dec_to_double(mbase) < rule->min_monthly_cost)
		return false;

	switch (rule->model) {
	case CR_MODEL_FRACTION:
		s = scale(base, rule->fraction);
		cr_buf_addf(&f, _("%g%% of %s = %s"), rule->fraction * 100,
			    amount(&m, 0, base, c->cur), amount(&m, 1, s, c->cur));
		cr_buf_addf(&e, od ? _("on-demand cost %s in the period") :
			    _("net cost %s in the period"), amount(&m, 0, base, c->cur));
		break;
	case CR_MODEL_WEEKEND:
	case CR_MODEL_SCHEDULE: {
		double hours_on = rule->model == CR_MODEL_WEEKEND ? 120 : rule->hours_on_per_week;
		if (!c->daily) {
			s = scale(base, (168 - hours_on) / 168);
			cr_buf_addf(&f, _("%g/168 hours off x %s = %s"), 168 - hours_on,
				    amount(&m, 0, base, c->cur), amount(&m, 1, s, c->cur));
			cr_buf_adds(&e, _("no daily data: schedule arithmetic, not measured"));
			break;
		}
		cr_dec we;
		int nwe;
		double wd_avg, we_avg;
		weekend_split(c, daily, &we, &nwe, &wd_avg, &we_avg);
		bool off = we_avg < CR_WEEKEND_NEAR_ZERO * wd_avg;
		cr_buf_addf(&e, _("daily data: weekday average %.*f %s/day, weekend average %.*f %s/day"),
			    cr_fx_minor_units(c->cur), wd_avg, c->cur, cr_fx_minor_units(c->cur), we_avg,
			    c->cur);
		if (rule->model == CR_MODEL_WEEKEND) {
			if (nwe == 0 || off || cr_dec_sign(we) <= 0)
				goto none;
			s = we;
			cr_buf_addf(&f, _("weekend spend, %d of %d days = %s"), nwe, c->ndays,
				    amount(&m, 0, s, c->cur));
			break;
		}
		/* schedule: weekends off, and the weekday hours beyond hours_on */
		double wd_off = hours_on >= 120 ? 0 : (120 - hours_on) / 120;
		cr_dec weekday;
		cr_dec_sub(&weekday, base, we);
		cr_dec part = scale(weekday, wd_off);
		if (off)
			we = CR_DEC_ZERO;
		cr_dec_add(&s, we, part);
		if (cr_dec_sign(s) <= 0)
			goto none;
		cr_buf_addf(&f, off ? _("weekend spend %s (already off) + weekday spend %s x "
					"%g/120 hours off = %s") :
			    _("weekend spend %s + weekday spend %s x %g/120 hours off = %s"),
			    amount(&m, 0, we, c->cur), amount(&m, 1, weekday, c->cur),
			    120 - (hours_on > 120 ? 120 : hours_on), amount(&m, 2, s, c->cur));
		break;
	}
	case CR_MODEL_COMMITMENT: {
		if (!c->daily || c->ndays < CR_COMMITMENT_MIN_DAYS)
			goto none;
		cr_dec floor = daily[0];
		for (int i = 1; i < c->ndays; i++)
			if (cr_dec_cmp(daily[i], floor) < 0)
				floor = daily[i];
		if (cr_dec_sign(floor) <= 0)
			goto none;
		cr_dec total;
		cr_dec_mul_ratio(&total, floor, c->ndays, 1);
		s = scale(total, rule->discount);
		cr_buf_addf(&f, _("lowest daily on-demand spend %s x %d days x %g%% = %s"),
			    amount(&m, 0, floor, c->cur), c->ndays, rule->discount * 100,
			    amount(&m, 1, s, c->cur));
		cr_buf_addf(&e, _("steady floor over %d days of daily data; average %.*f %s/day"),
			    c->ndays, cr_fx_minor_units(c->cur), cr_dec_to_double(base) / c->ndays,
			    c->cur);
		break;
	}
	default:
		goto none;
	}
	if (cr_dec_sign(s) <= 0)
		goto none;
	if (cr_dec_cmp(s, base) > 0)
		s = base;
	if (!c->is_month)
		cr_buf_addf(&f, _(" over %d days"), c->ndays);
	out->rule = rule;
	out->base = mbase;
	out->savings = monthly(c, s);
	out->formula = cr_buf_detach(&f);
	out->evidence = cr_buf_detach(&e);
	amounts_release(&m);
	return true;
none:
	cr_buf_release(&f);
	cr_buf_release(&e);
	amounts_release(&m);
	return false;
}

static int cmp_account_id(const void *pa, const void *pb)
{
	const cr_report_account *const *a = pa, *const *b = pb;
	return strcmp((*a)->id, (*b)->id);
}

/* The report's accounts by id, for a binary search per line: a scan of
 * every account per line made the pass quadratic in accounts. */
static const cr_report_account **accounts_by_id(const cr_report *r)
{
	const cr_report_account **v = cr_xcalloc(r->n_accounts + 1, sizeof *v);
	for (size_t i = 0; i < r->n_accounts; i++)
		v[i] = &r->accounts[i];
	if (r->n_accounts)
		qsort(v, r->n_accounts, sizeof *v, cmp_account_id);
	return v;
}

static const cr_report_account *find_account(const struct ctx *c, const char *id)
{
	size_t lo = 0, hi = c->r->n_accounts;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int k = strcmp(c->by_id[mid]->id, id);
		if (k == 0)
			return c->by_id[mid];
		if (k < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

static int cmp_candidate(const void *pa, const void *pb)
{
	const struct candidate *a = pa, *b = pb;
	int c = cr_dec_cmp(b->savings, a->savings);
	return c ? c : strcmp(a->rule->id, b->rule->id);
}

static int cmp_proposal(const void *pa, const void *pb)
{
	const cr_proposal *a = pa, *b = pb;
	int c;

	if (a->priority != b->priority)
		return a->priority < b->priority ? 1 : -1;
	if ((c = cr_dec_cmp(b->savings, a->savings)))
		return c;
	if ((c = strcmp(a->rule, b->rule)))
		return c;
	if ((c = strcmp(a->account_id, b->account_id)))
		return c;
	if ((c = strcmp(a->service, b->service)))
		return c;
	return strcmp(a->usage_type, b->usage_type);
}

static void push_proposal(cr_report *r, size_t *cap, cr_proposal *p)
{
	if (r->n_proposals == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		r->proposals = cr_xrealloc(r->proposals, *cap * sizeof *r->proposals);
	}
	r->proposals[r->n_proposals++] = *p;
}

/* The enabled rules matching a (service, usage type, environment), found
 * once per triple: many accounts share each usage type, and glob matching
 * every rule against every line was most of the savings pass. */
struct rule_cache {
	cr_keymap map;
	size_t *first, *count;  /* per triple: its run in pool */
	size_t cap;
	size_t *pool, npool, pool_cap;
};

static const size_t *matching_rules(struct rule_cache *rc, const cr_ruleset *rules,
				    const struct ctx *c, const struct line *ln, unsigned env,
				    size_t *n)
{
	bool added;
	size_t k = cr_keymap_get(&rc->map, ln->service, ln->usage_type, env, &added);

	if (added) {
		const char *svc = cr_ledger_str(c->l, ln->service);
		const char *ut = cr_ledger_str(c->l, ln->usage_type);

		if (k >= rc->cap) {
			rc->cap = rc->cap ? rc->cap * 2 : 256;
			rc->first = cr_xrealloc(rc->first, rc->cap * sizeof *rc->first);
			rc->count = cr_xrealloc(rc->count, rc->cap * sizeof *rc->count);
		}
		rc->first[k] = rc->npool;
		rc->count[k] = 0;
		for (size_t i = 0; i < rules->n; i++) {
			if (!rules->v[i].enabled || !cr_rule_matches(&rules->v[i], svc, ut, env))
				continue;
			if (rc->npool == rc->pool_cap) {
				rc->pool_cap = rc->pool_cap ? rc->pool_cap * 2 : 256;
				rc->pool = cr_xrealloc(rc->pool, rc->pool_cap * sizeof *rc->pool);
			}
			rc->pool[rc->npool++] = i;
			rc->count[k]++;
		}
	}
	*n = rc->count[k];
	return rc->pool ? rc->pool + rc->first[k] : NULL;
}

/* Proposes for one line: dedup within groups, stack across them. */
static void propose_line(const struct ctx *c, cr_report *r, size_t *cap,
			 const struct line *ln, const cr_ruleset *rules, struct rule_cache *rc)
{
	struct candidate *cand = cr_xcalloc(rules->n + 1, sizeof *cand);
	size_t n = 0;
	const char *acct_id = cr_ledger_str(c->l, ln->account);
	const cr_report_account *acct = find_account(c, acct_id);
	const char *env = acct ? acct->environment : "";
	const char *svc = cr_ledger_str(c->l, ln->service);
	const char *ut = cr_ledger_str(c->l, ln->usage_type);

	size_t nmatch;
	const size_t *match = matching_rules(rc, rules, c, ln, cr_env_bit(env), &nmatch);
	for (size_t i = 0; i < nmatch; i++)
		if (estimate(c, ln, &rules->v[match[i]], &cand[n]))
			n++;
	/* best first: the first of each group is its proposal */
	if (n)
		qsort(cand, n, sizeof *cand, cmp_candidate);
	cr_dec total = monthly(c, ln->all), remaining = total;
	const char *first_rule = NULL;
	for (size_t i = 0; i < n; i++) {
		int g = cr_action_group(cand[i].rule->action);
		bool best = true;
		for (size_t j = 0; j < i && best; j++)
			best = cr_action_group(cand[j].rule->action) != g;
		if (!best)
			continue;

		cr_proposal p = { 0 };
		const cr_rule *rule = cand[i].rule;
		cr_buf ev = CR_BUF_INIT;
		cr_dec s = cand[i].savings;

		/* stack on what earlier measures leave: s x remaining / total */
		cr_buf_adds(&ev, cand[i].evidence);
		if (first_rule) {
			double keep = cr_dec_ratio(remaining, total);
			s = scale(s, keep < 0 ? 0 : keep);
			cr_buf rest = CR_BUF_INIT;
			money(&rest, remaining, c->cur);
			cr_buf_addf(&ev, _("; stacked after %s on the remaining %s"), first_rule,
				    rest.ptr);
			cr_buf_release(&rest);
		}
		if (cr_dec_cmp(s, remaining) > 0)
			s = remaining;
		if (cr_dec_sign(s) <= 0) {
			cr_buf_release(&ev);
			continue;
		}
		cr_dec_sub(&remaining, remaining, s);
		if (!first_rule)
			first_rule = rule->id;

		p.rule = cr_xstrdup(rule->id);
		p.title = cr_xstrdup(cr_rule_title(rule));
		p.action = cr_action_name(rule->action);
		p.model = cr_model_name(rule->model);
		p.effort = cr_level_name(rule->effort);
		p.risk = cr_level_name(rule->risk);
		p.account_id = cr_xstrdup(acct_id);
		p.account_name = cr_xstrdup(acct ? acct->name : "");
		p.environment = cr_xstrdup(env);
		p.service = cr_xstrdup(svc);
		p.usage_type = cr_xstrdup(ut[0] ? ut : "(no usage type)");
		p.monthly_cost = cand[i].base;
		p.savings = s;
		cr_dec_mul_ratio(&p.annual_savings, s, 12, 1);
		p.priority = cr_dec_to_double(s) / effort_weight[rule->effort] * risk_factor[rule->risk];
		p.formula = cr_xstrdup(cand[i].formula);
		p.evidence = cr_buf_detach(&ev);
		p.rationale = cr_xstrdup(cr_rule_rationale(rule));
		p.reference = cr_xstrdup(rule->reference ? rule->reference : "");
		p.basis = cr_xstrdup(cr_rule_basis(rule));
		for (size_t j = i + 1; j < n; j++) {
			if (cr_action_group(cand[j].rule->action) != g)
				continue;
			p.alternatives = cr_xrealloc(p.alternatives,
						     (p.n_alternatives + 1) * sizeof *p.alternatives);
			cr_proposal_alt *a = &p.alternatives[p.n_alternatives++];
			a->rule = cr_xstrdup(cand[j].rule->id);
			a->action = cr_action_name(cand[j].rule->action);
			a->model = cr_model_name(cand[j].rule->model);
			a->savings = cand[j].savings;
			a->formula = cr_xstrdup(cand[j].formula);
		}
		cr_dec_acc(&r->savings_total, s);
		push_proposal(r, cap, &p);
	}
	for (size_t i = 0; i < n; i++) {
		free(cand[i].formula);
		free(cand[i].evidence);
	}
	free(cand);
}

int cr_savings_apply(cr_report *r, const cr_ledger *l, const cr_ruleset *rules,
		     cr_error *err)
{
	struct ctx c = { .r = r, .l = l, .start = r->start, .ndays = r->end - r->start + 1,
			 .daily = cr_ledger_is_daily(l), .cur = r->currency };
	cr_keymap map = CR_KEYMAP_INIT;
	struct rule_cache rc = { .map = CR_KEYMAP_INIT };
	struct line *lines = NULL;
	size_t nlines = 0, cap = 0, pcap = 0, nent;
	const cr_ledger_entry *e = cr_ledger_entries(l, &nent);

	if (c.ndays > 366)
		return cr_error_set(err, CR_EXIT_USAGE,
				    "savings proposals need a period of at most 366 days");
	c.is_month = r->start == cr_month_first(r->start) && r->end == cr_month_last(r->start);
	c.by_id = accounts_by_id(r);
	/* Day series stay sparse: each line chains its ledger entries (next[],
	 * heads[]: entry index + 1, 0 ends) and is spread over one shared
	 * pair of day arrays only while it is proposed for, so memory follows
	 * the entries, not lines x days. */
	size_t *next = cr_xcalloc(nent + 1, sizeof *next), *heads = NULL;
	cr_dec *day_all = cr_xcalloc((size_t)c.ndays, sizeof *day_all);
	cr_dec *day_od = cr_xcalloc((size_t)c.ndays, sizeof *day_od);
	for (size_t i = 0; i < nent; i++) {
		const cr_ledger_entry *x = &e[i];
		bool added;
		size_t k;

		if (x->key.day < r->start || x->key.day > r->end ||
		    cr_kind_excluded(x->key.kind) >= 0)
			continue;
		k = cr_keymap_get(&map, x->key.account, x->key.service, x->key.usage_type, &added);
		if (added) {
			if (nlines == cap) {
				cap = cap ? cap * 2 : 256;
				lines = cr_xrealloc(lines, cap * sizeof *lines);
				heads = cr_xrealloc(heads, cap * sizeof *heads);
			}
			heads[nlines] = 0;
			struct line *ln = &lines[nlines++];
			memset(ln, 0, sizeof *ln);
			ln->account = x->key.account;
			ln->service = x->key.service;
			ln->usage_type = x->key.usage_type;
		}
		struct line *ln = &lines[k];
		cr_dec_acc(&ln->all, x->cost);
		if (x->key.kind == CR_KIND_USAGE)
			cr_dec_acc(&ln->od, x->cost);
		next[i] = heads[k];
		heads[k] = i + 1;
	}
	r->has_proposals = true;
	r->savings_total = CR_DEC_ZERO;
	for (size_t i = 0; i < nlines; i++) {
		for (size_t j = heads[i]; j; j = next[j - 1]) {
			const cr_ledger_entry *x = &e[j - 1];
			int d = x->key.day - r->start;
			cr_dec_acc(&day_all[d], x->cost);
			if (x->key.kind == CR_KIND_USAGE)
				cr_dec_acc(&day_od[d], x->cost);
		}
		lines[i].daily_all = day_all;
		lines[i].daily_od = day_od;
		propose_line(&c, r, &pcap, &lines[i], rules, &rc);
		for (size_t j = heads[i]; j; j = next[j - 1]) {
			int d = e[j - 1].key.day - r->start;
			day_all[d] = day_od[d] = CR_DEC_ZERO;
		}
	}
	cr_commitment_apply(r, l, &pcap);
	if (r->n_proposals)
		qsort(r->proposals, r->n_proposals, sizeof *r->proposals, cmp_proposal);
	for (size_t i = 0; i < r->n_proposals; i++)
		r->proposals[i].rank = (int)i + 1;
	free(next);
	free(heads);
	free(day_all);
	free(day_od);
	free(lines);
	free(c.by_id);
	cr_keymap_release(&map);
	cr_keymap_release(&rc.map);
	free(rc.first);
	free(rc.count);
	free(rc.pool);
	return 0;
}
