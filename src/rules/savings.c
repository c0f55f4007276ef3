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
	uint32_t area;     /* its account and Region: struct area */
	cr_dec all;        /* net cost: every ranked kind */
	cr_dec od;         /* on-demand usage only */
	uint32_t extra;    /* 1 + its index in ctx.extras; 0: none */
	bool op_known;     /* some entry carried an operation */
	bool traffic;      /* usage an idle rule looks for (ctx.traffic) */
};

/* What few lines have (a million lines, a few thousand Windows or Aurora). */
struct line_extra {
	cr_dec licensed_all, licensed_od; /* of a licensed platform (Windows...) */
	cr_dec aurora_all; /* of Aurora engines (operation CreateDBInstance:0016/0021) */
	cr_dec qty;        /* usage amount, of traffic lines */
};

/* What an account holds in one Region (the usage types' prefix). */
#define MAX_TRAFFIC 16
struct area {
	bool traffic[MAX_TRAFFIC];   /* usage of ctx.traffic[i] in the period */
	cr_dec rds_inst, aurora_inst, aurora_storage;
	bool ops_known;
};

struct ctx {
	const cr_report *r;
	const cr_ledger *l;
	cr_day start;
	int ndays;
	bool daily;
	bool is_month;
	const char *cur;
	const char *traffic[MAX_TRAFFIC]; /* the idle rules' traffic usage types */
	size_t ntraffic;
	struct area *areas;
	const cr_report_account **by_id; /* the report's accounts sorted by id */
	/* the report's copy of a text by its address here: rule texts and
	 * ledger names stay where they are for the whole pass, so a text
	 * many proposals share is hashed once */
	struct {
		const char *from, *to;
	} *texts;
	/* the line being proposed for, per day of the period: one pair of
	 * arrays filled from the line's ledger entries, not one per line */
	cr_dec *daily_all, *daily_od;
	struct scratch *tmp;
	struct line_extra *extras; /* struct line.extra */
	size_t nextras, extras_cap;
	bool org_plan;     /* an organisation Savings Plan replaces the per-line
	                      commitment proposals on the usage it covers */
};

/* A rule's estimate for a line, before the order is applied. */
struct candidate {
	const cr_rule *rule;
	cr_dec base;       /* monthly cost the rule applies to */
	cr_dec savings;    /* monthly, on the base alone */
	enum cr_confidence confidence;
	enum cr_stage stage;
	int key;           /* stage and group: candidates of one key are alternatives */
	bool chosen;       /* the best of its key */
	cr_dec applied;    /* monthly, on what earlier steps leave */
	size_t formula, evidence; /* offsets in the line's texts (struct scratch) */
};


/* priority = monthly saving / effort weight x risk factor; the reports
 * state these figures (render.c, cr_render_proposal_order; README) */
static const double effort_weight[] = { 1.0, 2.0, 4.0 };
static const double risk_factor[] = { 1.0, 0.75, 0.5 };

static void money(cr_buf *b, cr_dec x, const char *cur)
{
	char s[CR_DEC_STRLEN];
	/* in the currency's minor unit: no cents on yen */
	cr_dec_format_grouped(x, cr_fx_minor_units(cur), s, sizeof s);
	cr_buf_adds(b, s);
	cr_buf_addc(b, ' ');
	cr_buf_adds(b, cur);
}

/* The amount as money() writes it, in a buffer of its own (a translated
 * formula takes its amounts in the order its language needs). */
struct amounts {
	cr_buf v[4];
};

/* Buffers the savings pass reuses for every line and proposal instead of
 * allocating its texts each time. */
struct scratch {
	cr_buf f, e;       /* a candidate's formula and evidence being written */
	struct amounts m;
	cr_buf text;       /* the current line's candidates' texts, NUL-separated */
	cr_buf fo, ev;     /* a proposal's formula and evidence being written */
};

static const char *amount(struct amounts *a, int i, cr_dec x, const char *cur)
{
	cr_buf_reset(&a->v[i]);
	money(&a->v[i], x, cur);
	return a->v[i].ptr;
}

static void amounts_release(struct amounts *a)
{
	for (int i = 0; i < 4; i++)
		cr_buf_release(&a->v[i]);
}

static const struct line_extra no_extra;

/* The line's licensed and Aurora spend (zero when it has none). */
static const struct line_extra *extra(const struct ctx *c, const struct line *ln)
{
	return ln->extra ? &c->extras[ln->extra - 1] : &no_extra;
}

static struct line_extra *extra_for(struct ctx *c, struct line *ln)
{
	if (!ln->extra) {
		if (c->nextras == c->extras_cap) {
			c->extras_cap = c->extras_cap ? c->extras_cap * 2 : 64;
			c->extras = cr_xrealloc(c->extras, c->extras_cap * sizeof *c->extras);
		}
		memset(&c->extras[c->nextras], 0, sizeof *c->extras);
		ln->extra = (uint32_t)++c->nextras;
	}
	return &c->extras[ln->extra - 1];
}

#define TEXTS 4096 /* addresses remembered by shared() (a power of two) */

/* The report's one copy of s, a text that stays put during the pass. */
static const char *shared(const struct ctx *c, cr_report *r, const char *s)
{
	size_t j = (size_t)((((uintptr_t)s >> 3) * 0x9E3779B97F4A7C15ull) >> 40) & (TEXTS - 1);

	if (!s)
		return cr_report_intern(r, s);
	if (c->texts[j].from != s) {
		c->texts[j].from = s;
		c->texts[j].to = cr_report_intern(r, s);
	}
	return c->texts[j].to;
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

/* The Region prefix of a usage type ("USE1-", "EU-"): its length, 0 when none. */
static size_t region_prefix(const char *ut)
{
	size_t i = 0;

	while ((ut[i] >= 'A' && ut[i] <= 'Z') || (ut[i] >= '0' && ut[i] <= '9'))
		i++;
	return i >= 2 && i <= 7 && ut[i] == '-' ? i + 1 : 0;
}

/* Windows and other licensed platforms: no Graviton, no Spot advice. */
static bool licensed_op(const char *op)
{
	static const char *const rds[] = {
		/* Oracle and SQL Server engines: no Graviton classes */
		"0003", "0004", "0005", "0006", "0008", "0009", "0010", "0011", "0012",
	};
	if (strncmp(op, "RunInstances:", 13) == 0)
		return strcmp(op + 13, "0000") != 0;
	if (strncmp(op, "CreateDBInstance:", 17) == 0)
		for (size_t i = 0; i < sizeof rds / sizeof rds[0]; i++)
			if (strcmp(op + 17, rds[i]) == 0)
				return true;
	return false;
}

static bool aurora_op(const char *op)
{
	return strcmp(op, "CreateDBInstance:0016") == 0 || strcmp(op, "CreateDBInstance:0021") == 0;
}

static bool is_rds_instance(const char *base)
{
	return strncmp(base, "InstanceUsage:db.", 17) == 0 ||
	       strncmp(base, "Multi-AZUsage:db.", 17) == 0 ||
	       strcmp(base, "Aurora:ServerlessV2Usage") == 0;
}

/* Keeps b's text with the line's candidates; its offset. */
static size_t keep_text(const struct ctx *c, const cr_buf *b)
{
	cr_buf *t = &c->tmp->text;
	size_t at = t->len;

	cr_buf_add(t, b->len ? b->ptr : "", b->len);
	cr_buf_addc(t, '\0');
	return at;
}

/* A candidate's text kept by keep_text. */
static const char *text_at(const struct ctx *c, size_t at)
{
	return c->tmp->text.ptr + at;
}

/*
 * A rule's saving on one line, on its own base.  floor_total, when not
 * NULL, is the on-demand spend a commitment covers: Spot then claims only
 * the hours above it.
 */
static bool estimate(const struct ctx *c, const struct line *ln, const cr_rule *rule,
		     const cr_dec *floor_total, struct candidate *out)
{
	bool od = rule->on_demand_only || rule->model == CR_MODEL_COMMITMENT;
	cr_dec base = od ? ln->od : ln->all;
	const cr_dec *daily = od ? c->daily_od : c->daily_all;
	cr_dec s = CR_DEC_ZERO;
	cr_buf *fb = &c->tmp->f, *eb = &c->tmp->e;
	struct amounts *mp = &c->tmp->m;
	cr_buf_reset(fb);
	cr_buf_reset(eb);
	enum cr_confidence conf = rule->confidence;
	const char *ut = cr_ledger_str(c->l, ln->usage_type);
	const struct area *area = &c->areas[ln->area];

	out->stage = cr_action_stage(rule->action);
	if (rule->action == CR_ACT_GRAVITON || rule->action == CR_ACT_SPOT) {
		cr_dec lic = od ? extra(c, ln)->licensed_od : extra(c, ln)->licensed_all;
		if (cr_dec_sign(lic) > 0) {
			cr_dec_sub(&base, base, lic);
			cr_buf_addf(eb, _("leaves out the licensed-platform (Windows, SQL Server, "
					  "Oracle...) usage of %s, which has no Graviton or Spot "
					  "equivalent; "), amount(mp, 0, lic, c->cur));
		} else if (!ln->op_known) {
			cr_buf_adds(eb, _("the data carries no operation (Cost Explorer, SQL): "
					  "check the platform is not Windows or licensed; "));
		}
	}
	if (rule->action == CR_ACT_SCHEDULED_SCALING) {
		/* replicas scale on a schedule only with Aurora */
		if (ln->op_known)
			base = extra(c, ln)->aurora_all;
		else
			cr_buf_adds(eb, _("the data carries no operation: check the engine is "
					  "Aurora; "));
	}
	if (rule->action == CR_ACT_SPOT && floor_total) {
		cr_dec var;
		cr_dec_sub(&var, base, *floor_total);
		if (cr_dec_sign(var) < 0)
			var = CR_DEC_ZERO;
		cr_buf_addf(eb, _("Spot only on the variable hours above the steady on-demand "
				  "floor of %s (the commitment's); "),
			    amount(mp, 0, *floor_total, c->cur));
		base = var;
	}
	cr_dec mbase = monthly(c, base);
	if (cr_dec_sign(base) <= 0 || cr_dec_to_double(mbase) < rule->min_monthly_cost)
		goto none;

	switch (rule->model) {
	case CR_MODEL_FRACTION:
		s = scale(base, rule->fraction);
		cr_buf_addf(fb, _("%g%% of %s = %s"), rule->fraction * 100,
			    amount(mp, 0, base, c->cur), amount(mp, 1, s, c->cur));
		cr_buf_addf(eb, od ? _("on-demand cost %s in the period") :
			    _("net cost %s in the period"), amount(mp, 0, base, c->cur));
		break;
	case CR_MODEL_WEEKEND:
	case CR_MODEL_SCHEDULE: {
		double hours_on = rule->model == CR_MODEL_WEEKEND ? 120 : rule->hours_on_per_week;
		if (!c->daily) {
			s = scale(base, (168 - hours_on) / 168);
			cr_buf_addf(fb, _("%g/168 hours off x %s = %s"), 168 - hours_on,
				    amount(mp, 0, base, c->cur), amount(mp, 1, s, c->cur));
			cr_buf_adds(eb, _("no daily data: schedule arithmetic, not measured"));
			conf = CR_CONF_ESTIMATE;
			break;
		}
		cr_dec we;
		int nwe;
		double wd_avg, we_avg;
		weekend_split(c, daily, &we, &nwe, &wd_avg, &we_avg);
		bool off = we_avg < CR_WEEKEND_NEAR_ZERO * wd_avg;
		cr_buf_addf(eb, _("daily data: weekday average %.*f %s/day, weekend average %.*f %s/day"),
			    cr_fx_minor_units(c->cur), wd_avg, c->cur, cr_fx_minor_units(c->cur), we_avg,
			    c->cur);
		if (rule->model == CR_MODEL_WEEKEND) {
			if (nwe == 0 || off || cr_dec_sign(we) <= 0)
				goto none;
			s = we;
			cr_buf_addf(fb, _("weekend spend, %d of %d days = %s"), nwe, c->ndays,
				    amount(mp, 0, s, c->cur));
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
		cr_buf_addf(fb, off ? _("weekend spend %s (already off) + weekday spend %s x "
					"%g/120 hours off = %s") :
			    _("weekend spend %s + weekday spend %s x %g/120 hours off = %s"),
			    amount(mp, 0, we, c->cur), amount(mp, 1, weekday, c->cur),
			    120 - (hours_on > 120 ? 120 : hours_on), amount(mp, 2, s, c->cur));
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
		cr_buf_addf(fb, _("lowest daily on-demand spend %s x %d days x %g%% = %s"),
			    amount(mp, 0, floor, c->cur), c->ndays, rule->discount * 100,
			    amount(mp, 1, s, c->cur));
		cr_buf_addf(eb, _("steady floor over %d days of daily data; average %.*f %s/day"),
			    c->ndays, cr_fx_minor_units(c->cur), cr_dec_to_double(base) / c->ndays,
			    c->cur);
		break;
	}
	case CR_MODEL_IDLE: {
		size_t t = c->ntraffic, pre = region_prefix(ut);
		for (size_t i = 0; i < c->ntraffic; i++)
			if (rule->traffic && strcmp(c->traffic[i], rule->traffic) == 0)
				t = i;
		if (t == c->ntraffic || area->traffic[t])
			goto none;
		s = base;
		cr_buf_addf(fb, _("%g%% of %s = %s"), 100.0, amount(mp, 0, base, c->cur),
			    amount(mp, 1, s, c->cur));
		/* the traffic usage type with this line's Region prefix */
		cr_buf_reset(&mp->v[2]);
		cr_buf_addf(&mp->v[2], "%.*s%s", (int)pre, ut, rule->traffic);
		cr_buf_addf(eb, _("hours billed and no %s usage in this account and Region in "
				  "the period: nothing passes through it"), mp->v[2].ptr);
		break;
	}
	case CR_MODEL_AURORA_IO: {
		cr_dec inst = area->ops_known ? area->aurora_inst : area->rds_inst;
		cr_dec a = scale(inst, 0.30), b = scale(area->aurora_storage, 1.25);
		cr_dec_sub(&s, base, a);
		cr_dec_sub(&s, s, b);
		cr_buf_addf(fb, _("I/O %s - 30%% x instances %s - 125%% x storage %s = %s"),
			    amount(mp, 0, base, c->cur), amount(mp, 1, inst, c->cur),
			    amount(mp, 2, area->aurora_storage, c->cur), amount(mp, 3, s, c->cur));
		cr_buf_addf(eb, _("I/O is %.1f%% of the cluster spend (I/O, instances, storage) "
				  "in this account and Region; I/O-Optimized pays off above "
				  "break-even"),
			    100 * cr_dec_to_double(base) /
			    (cr_dec_to_double(base) + cr_dec_to_double(inst) +
			     cr_dec_to_double(area->aurora_storage)));
		if (!area->ops_known)
			cr_buf_adds(eb, _("; no operation in the data: every RDS instance of the "
					  "Region counted as Aurora, which understates the saving"));
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
		cr_buf_addf(fb, _(" over %d days"), c->ndays);
	out->rule = rule;
	out->base = mbase;
	out->savings = monthly(c, s);
	out->confidence = conf;
	out->formula = keep_text(c, fb);
	out->evidence = keep_text(c, eb);
	return true;
none:
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

/* The report's row of a line, whose top resources a proposal names;
 * NULL when the account does not list that usage type. */
static const cr_report_usage *listed_usage(const cr_report_account *acct, const char *svc,
					   const char *ut)
{
	for (size_t i = 0; acct && i < acct->n_services; i++) {
		const cr_report_service *s = &acct->services[i];
		if (strcmp(s->name, svc) != 0)
			continue;
		for (size_t k = 0; k < s->n_usage; k++)
			if (!s->usage[k].is_other && strcmp(s->usage[k].usage_type, ut) == 0)
				return &s->usage[k];
	}
	return NULL;
}

/* Order of application: stage, then measured and priced before estimates,
 * then the larger saving, then the rule id. */
static int cmp_candidate(const void *pa, const void *pb)
{
	const struct candidate *a = pa, *b = pb;
	int c;

	if (a->stage != b->stage)
		return a->stage < b->stage ? -1 : 1;
	if ((a->confidence == CR_CONF_ESTIMATE) != (b->confidence == CR_CONF_ESTIMATE))
		return a->confidence == CR_CONF_ESTIMATE ? 1 : -1;
	if ((c = cr_dec_cmp(b->savings, a->savings)))
		return c;
	return strcmp(a->rule->id, b->rule->id);
}

/* Counted (measured, priced) first, then by priority. */
static int cmp_proposal(const void *pa, const void *pb)
{
	const cr_proposal *a = pa, *b = pb;
	int c;

	if (a->counted != b->counted)
		return a->counted ? -1 : 1;
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

/*
 * Applies the chosen candidates in order, each on what the earlier leave;
 * skip (an index or -1) is left out.  Measured and priced steps are
 * computed on what earlier measured and priced steps leave, estimates on
 * what every earlier step leaves, and no step takes more than is left, so
 * guesses never shrink a figure the bill shows and a line's savings never
 * exceed its cost.  Commitments are measured on the hours before Spot,
 * which only takes the hours above the floor, and are not applied after a
 * schedule (stopping hours moves the floor).  Returns the counted
 * (measured + priced) total; *all gets every applied saving.
 */
static cr_dec apply_order(struct candidate *cand, size_t n, cr_dec total, long skip,
			  cr_dec *all)
{
	cr_dec rem[2] = { total, total }, before_spot[2] = { total, total };
	cr_dec counted = CR_DEC_ZERO;
	bool scheduled = false;

	*all = CR_DEC_ZERO;
	for (size_t i = 0; i < n; i++) {
		struct candidate *k = &cand[i];
		int est = k->confidence == CR_CONF_ESTIMATE; /* rem[1]: every step */
		k->applied = CR_DEC_ZERO;
		if (!k->chosen || (long)i == skip)
			continue;
		if (k->stage == CR_STAGE_COMMITMENT && scheduled)
			continue;
		cr_dec left = k->stage == CR_STAGE_COMMITMENT ? before_spot[est] : rem[est];
		double keep = cr_dec_sign(total) > 0 ? cr_dec_ratio(left, total) : 0;
		cr_dec s = scale(k->savings, keep < 0 ? 0 : keep > 1 ? 1 : keep);
		if (cr_dec_cmp(s, rem[1]) > 0)
			s = rem[1];
		if (cr_dec_sign(s) <= 0)
			continue;
		k->applied = s;
		if (!est)
			cr_dec_sub(&rem[0], rem[0], s);
		cr_dec_sub(&rem[1], rem[1], s);
		if (k->stage < CR_STAGE_SPOT) {
			before_spot[0] = rem[0];
			before_spot[1] = rem[1];
		}
		cr_dec_acc(all, s);
		if (!est)
			cr_dec_acc(&counted, s);
		if (k->stage == CR_STAGE_SCHEDULE)
			scheduled = true;
	}
	return counted;
}

static void add_alt(const struct ctx *c, cr_report *r, cr_proposal *p,
		    const struct candidate *k)
{
	p->alternatives = cr_xrealloc(p->alternatives,
				      (p->n_alternatives + 1) * sizeof *p->alternatives);
	cr_proposal_alt *a = &p->alternatives[p->n_alternatives++];
	a->rule = cr_report_intern(r, k->rule->id);
	a->action = cr_action_name(k->rule->action);
	a->model = cr_model_name(k->rule->model);
	a->savings = k->savings;
	a->formula = cr_report_text(r, text_at(c, k->formula));
}

/* The steady on-demand floor a matching commitment rule would cover, over
 * the period: lowest day x days; false when no commitment applies. */
static bool line_floor(const struct ctx *c, const cr_ruleset *rules, const size_t *match,
		       size_t nmatch, cr_dec *floor_total)
{
	bool any = false;

	/* match: the enabled rules matching the line (matching_rules) */
	for (size_t i = 0; i < nmatch && !any; i++)
		any = rules->v[match[i]].model == CR_MODEL_COMMITMENT;
	if (!any || !c->daily || c->ndays < CR_COMMITMENT_MIN_DAYS)
		return false;
	cr_dec floor = c->daily_od[0];
	for (int i = 1; i < c->ndays; i++)
		if (cr_dec_cmp(c->daily_od[i], floor) < 0)
			floor = c->daily_od[i];
	if (cr_dec_sign(floor) <= 0)
		return false;
	cr_dec_mul_ratio(floor_total, floor, c->ndays, 1);
	return true;
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

/* Proposes for one line: the best of each group, applied in order. */
static void propose_line(const struct ctx *c, cr_report *r, size_t *cap,
			 const struct line *ln, const cr_ruleset *rules, struct rule_cache *rc)
{
	size_t n = 0;

	cr_buf_reset(&c->tmp->text);
	const char *acct_id = cr_ledger_str(c->l, ln->account);
	const cr_report_account *acct = find_account(c, acct_id);
	const char *env = acct ? acct->environment : "";
	const char *svc = cr_ledger_str(c->l, ln->service);
	const char *ut = cr_ledger_str(c->l, ln->usage_type);
	unsigned envbit = cr_env_bit(env);
	size_t nmatch;
	const size_t *match = matching_rules(rc, rules, c, ln, envbit, &nmatch);
	struct candidate *cand = cr_xcalloc(nmatch + 1, sizeof *cand);
	cr_dec floor_total;
	bool has_floor = line_floor(c, rules, match, nmatch, &floor_total);
	for (size_t i = 0; i < nmatch; i++) {
		const cr_rule *rule = &rules->v[match[i]];
		if (estimate(c, ln, rule, has_floor ? &floor_total : NULL, &cand[n])) {
			cand[n].key = (int)cand[n].stage * 64 + cr_action_group(rule->action);
			n++;
		}
	}
	if (n)
		qsort(cand, n, sizeof *cand, cmp_candidate);
	/* the best of each key (largest saving; measured before estimates) */
	for (size_t i = 0; i < n; i++) {
		const struct candidate *best = NULL;
		for (size_t j = 0; j < n; j++)
			if (cand[j].key == cand[i].key &&
			    (!best || cr_dec_cmp(cand[j].savings, best->savings) > 0))
				best = &cand[j];
		cand[i].chosen = best == &cand[i];
	}
	cr_dec total = monthly(c, ln->all), all;
	/* a family migration and a commitment on the same instances are
	 * alternatives: the order with the larger counted saving wins */
	long grav = -1, commit = -1, skip = -1;
	for (size_t i = 0; i < n; i++) {
		if (!cand[i].chosen)
			continue;
		if (cand[i].rule->action == CR_ACT_GRAVITON)
			grav = (long)i;
		if (cand[i].stage == CR_STAGE_COMMITMENT)
			commit = (long)i;
	}
	if (grav >= 0 && commit >= 0) {
		cr_dec all_a, all_b;
		cr_dec with_g = apply_order(cand, n, total, commit, &all_a);
		cr_dec with_c = apply_order(cand, n, total, grav, &all_b);
		int d = cr_dec_cmp(with_c, with_g);
		skip = d > 0 || (d == 0 && cr_dec_cmp(all_b, all_a) >= 0) ? grav : commit;
	}
	apply_order(cand, n, total, skip, &all);

	for (size_t i = 0; i < n; i++) {
		if (!cand[i].chosen || cr_dec_sign(cand[i].applied) <= 0)
			continue;
		if (c->org_plan && cand[i].rule->action == CR_ACT_COMMITMENT &&
		    cr_commitment_covers(ut))
			continue;
		cr_proposal p = { 0 };
		const struct candidate *k = &cand[i];
		const cr_rule *rule = k->rule;
		cr_buf *fo = &c->tmp->fo, *ev = &c->tmp->ev;
		cr_dec s = k->applied;

		cr_buf_reset(fo);
		cr_buf_reset(ev);
		cr_buf_adds(fo, text_at(c, k->formula));
		cr_buf_adds(ev, text_at(c, k->evidence));
		if (cr_dec_cmp(s, k->savings) != 0) {
			cr_buf amt = CR_BUF_INIT;
			money(&amt, s, c->cur);
			cr_buf_addf(fo, _("; on what earlier steps leave: counted %s"), amt.ptr);
			cr_buf_release(&amt);
			cr_buf_adds(ev, k->confidence == CR_CONF_ESTIMATE
				    ? _("; applied after every earlier step on this line (idle, "
				      "schedule, migrate, Spot, commitment)")
				    : _("; applied after the earlier measured and priced steps on "
				      "this line (idle, schedule, migrate, Spot, commitment)"));
		}
		if (k->stage != CR_STAGE_COMMITMENT && k->rule->action != CR_ACT_GRAVITON)
			goto alts;
		long other = (long)i == grav ? commit : (long)i == commit ? grav : -1;
		if (other >= 0 && skip == other)
			cr_buf_addf(ev, _("; chosen over %s (%s): a reservation or Savings Plan "
					   "and a move to another instance family on the same "
					   "instances are alternatives, and this one saves more that "
					   "the bill can show"), cand[other].rule->id,
				    _(cr_action_name(cand[other].rule->action)));
alts:
		p.rule = shared(c, r, rule->id);
		p.title = shared(c, r, cr_rule_title(rule));
		p.action = cr_action_name(rule->action);
		p.model = cr_model_name(rule->model);
		p.effort = cr_level_name(rule->effort);
		p.risk = cr_level_name(rule->risk);
		p.confidence = cr_confidence_name(k->confidence);
		p.stage = cr_stage_name(k->stage);
		p.counted = k->confidence != CR_CONF_ESTIMATE;
		p.account_id = shared(c, r, acct_id);
		p.account_name = shared(c, r, acct ? acct->name : "");
		p.environment = shared(c, r, env);
		p.service = shared(c, r, svc);
		p.usage_type = ut[0] ? shared(c, r, ut) : cr_report_intern(r, "(no usage type)");
		p.usage = listed_usage(acct, svc, ut);
		p.monthly_cost = k->base;
		p.savings = s;
		cr_dec_mul_ratio(&p.annual_savings, s, 12, 1);
		p.priority = cr_dec_to_double(s) / effort_weight[rule->effort] * risk_factor[rule->risk];
		p.formula = cr_report_text(r, fo->ptr);
		p.evidence = cr_report_text(r, ev->ptr);

		p.rationale = shared(c, r, cr_rule_rationale(rule));
		p.reference = shared(c, r, rule->reference);
		p.basis = shared(c, r, cr_rule_basis(rule));
		for (size_t j = 0; j < n; j++)
			if (j != i && (cand[j].key == k->key || ((long)i == grav && (long)j == commit) ||
				       ((long)i == commit && (long)j == grav)))
				add_alt(c, r, &p, &cand[j]);
		cr_dec_acc(p.counted ? &r->savings_total : &r->savings_to_investigate, s);
		push_proposal(r, cap, &p);
	}
	free(cand);
}

/* Packs a Region prefix ("USE1-") into two words for the area map. */
static void pack_prefix(const char *ut, uint32_t *lo, uint32_t *hi)
{
	char b[8] = { 0 };
	size_t n = region_prefix(ut);

	memcpy(b, ut, n > 8 ? 8 : n);
	memcpy(lo, b, 4);
	memcpy(hi, b + 4, 4);
}

/* What the exact models need from every line of an account and Region. */
/* The usage the idle rules look for (NatGateway-Bytes...). */
static void collect_traffic(struct ctx *c, const cr_ruleset *rules)
{
	for (size_t i = 0; i < rules->n; i++) {
		const cr_rule *rule = &rules->v[i];
		bool seen = false;
		if (!rule->enabled || rule->model != CR_MODEL_IDLE || !rule->traffic)
			continue;
		for (size_t t = 0; t < c->ntraffic; t++)
			seen |= strcmp(c->traffic[t], rule->traffic) == 0;
		if (!seen && c->ntraffic < MAX_TRAFFIC)
			c->traffic[c->ntraffic++] = rule->traffic;
	}
}

static bool is_traffic(const struct ctx *c, const char *ut)
{
	const char *base = ut + region_prefix(ut);

	for (size_t t = 0; t < c->ntraffic; t++)
		if (strcmp(base, c->traffic[t]) == 0)
			return true;
	return false;
}

static void index_areas(struct ctx *c, struct line *lines, size_t nlines, cr_keymap *amap)
{
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < nlines; i++) {
		struct line *ln = &lines[i];
		const char *ut = cr_ledger_str(c->l, ln->usage_type);
		const char *base = ut + region_prefix(ut);
		uint32_t lo, hi;
		bool added;

		pack_prefix(ut, &lo, &hi);
		ln->area = (uint32_t)cr_keymap_get(amap, ln->account, lo, hi, &added);
		if (added) {
			if (n == cap) {
				cap = cap ? cap * 2 : 64;
				c->areas = cr_xrealloc(c->areas, cap * sizeof *c->areas);
			}
			memset(&c->areas[n++], 0, sizeof *c->areas);
		}
		struct area *a = &c->areas[ln->area];
		bool used = (ln->traffic && cr_dec_sign(extra(c, ln)->qty) > 0) ||
			    cr_dec_sign(ln->all) > 0;
		for (size_t t = 0; t < c->ntraffic; t++)
			if (used && strcmp(base, c->traffic[t]) == 0)
				a->traffic[t] = true;
		if (strcmp(cr_ledger_str(c->l, ln->service), "Amazon Relational Database Service"))
			continue;
		a->ops_known |= ln->op_known;
		if (is_rds_instance(base)) {
			cr_dec_acc(&a->rds_inst, ln->all);
			cr_dec_acc(&a->aurora_inst, extra(c, ln)->aurora_all);
		} else if (strcmp(base, "Aurora:StorageUsage") == 0) {
			cr_dec_acc(&a->aurora_storage, ln->all);
		}
	}
}

/* The rules a folded row holds, with how many proposals of each, in the
 * order they were met. */
struct fold_rules {
	char **id;
	size_t *n;
	size_t count;
};

static void fold_rules_add(struct fold_rules *fr, const char *id)
{
	for (size_t i = 0; i < fr->count; i++)
		if (strcmp(fr->id[i], id) == 0) {
			fr->n[i]++;
			return;
		}
	fr->id = cr_xrealloc(fr->id, (fr->count + 1) * sizeof *fr->id);
	fr->n = cr_xrealloc(fr->n, (fr->count + 1) * sizeof *fr->n);
	fr->id[fr->count] = cr_xstrdup(id);
	fr->n[fr->count++] = 1;
}

static void fold_rules_release(struct fold_rules *fr)
{
	for (size_t i = 0; i < fr->count; i++)
		free(fr->id[i]);
	free(fr->id);
	free(fr->n);
}

/* What a folded row is, in its rationale and evidence: how many
 * proposals, of which rules, and where each line is found.  One rule's
 * rationale still fits its folded lines and follows; several rules' do
 * not, nor does one rule's basis. */
static void fold_explain(const struct ctx *c, cr_report *r, cr_proposal *p,
			 const struct fold_rules *fr)
{
	cr_buf list = CR_BUF_INIT, t = CR_BUF_INIT;
	struct amounts m = { { CR_BUF_INIT, CR_BUF_INIT, CR_BUF_INIT, CR_BUF_INIT } };
	const char *under = amount(&m, 0, r->min_saving, c->cur);

	for (size_t i = 0; i < fr->count; i++)
		cr_buf_addf(&list, i ? ", %s (%zu)" : "%s (%zu)", fr->id[i], fr->n[i]);
	if (fr->count > 1) {
		cr_buf_addf(&t, _("%zu smaller %s proposals of several rules, each under %s a "
				  "month, folded into this row: %s. Each line, with its own rule's "
				  "rationale, is in the JSON report with --min-saving 0."),
			    p->folded, _(p->action), under, list.ptr);
		p->basis = cr_report_intern(r, "");
	} else {
		cr_buf_addf(&t, p->folded == 1 ?
			    _("%zu proposal of the rule %s, under %s a month, folded into this "
			      "row; its line is in the JSON report with --min-saving 0. %s") :
			    _("%zu proposals of the rule %s, each under %s a month, folded into "
			      "this row; each line is in the JSON report with --min-saving 0. %s"),
			    p->folded, fr->id[0], under, p->rationale);
	}
	p->rationale = cr_report_text(r, t.ptr);
	cr_buf_reset(&t);
	cr_buf_addf(&t, _("folded under --min-saving: %s; each line is in the JSON report "
			  "with --min-saving 0"), list.ptr);
	p->evidence = cr_report_text(r, t.ptr);
	cr_buf_release(&t);
	cr_buf_release(&list);
	amounts_release(&m);
}

/* Folds proposals under r->min_saving into one row per action and
 * confidence; totals are unchanged.  A folded row names no account, usage
 * type or resources: it holds several lines. */
static void fold_small(const struct ctx *c, cr_report *r)
{
	cr_proposal *v = r->proposals, *folds = NULL;
	struct fold_rules *rules = NULL;
	size_t out = 0, nf = 0, n = r->n_proposals;

	if (cr_dec_sign(r->min_saving) <= 0)
		return;
	for (size_t i = 0; i < n; i++) {
		cr_proposal *q = &v[i], *p;
		size_t j;
		if (cr_dec_cmp(q->savings, r->min_saving) >= 0) {
			v[out++] = *q;
			continue;
		}
		for (j = 0; j < nf; j++)
			if (folds[j].action == q->action && folds[j].confidence == q->confidence)
				break;
		if (j == nf) {
			folds = cr_xrealloc(folds, (nf + 1) * sizeof *folds);
			rules = cr_xrealloc(rules, (nf + 1) * sizeof *rules);
			memset(&rules[nf], 0, sizeof *rules);
			p = &folds[nf++];
			*p = *q;
			p->alternatives = NULL;
			p->n_alternatives = 0;
			p->usage = NULL;
			p->account_id = cr_report_intern(r, "");
			p->account_name = p->account_id;
			p->environment = p->account_id;
			p->usage_type = p->account_id;
			p->formula = NULL;
			p->evidence = NULL;
			p->monthly_cost = p->savings = CR_DEC_ZERO;
		}
		p = &folds[j];
		if (p->folded) {
			if (strcmp(p->rule, q->rule) != 0 && strcmp(p->rule, q->action) != 0) {
				/* several rules: the line is the action's, not one rule's */
				cr_buf t = CR_BUF_INIT;
				p->rule = q->action;
				cr_buf_addf(&t, _("Smaller %s proposals of several rules"),
					    _(q->action));
				p->title = cr_report_intern(r, t.ptr);
				cr_buf_release(&t);
			}
			if (strcmp(p->service, q->service) != 0)
				p->service = cr_report_intern(r, "(several services)");
		}
		fold_rules_add(&rules[j], q->rule);
		p->folded++;
		cr_dec_acc(&p->monthly_cost, q->monthly_cost);
		cr_dec_acc(&p->savings, q->savings);
		cr_proposal_free(q);
	}
	for (size_t j = 0; j < nf; j++) {
		cr_proposal *p = &folds[j];
		cr_buf f = CR_BUF_INIT;
		struct amounts m = { { CR_BUF_INIT, CR_BUF_INIT, CR_BUF_INIT, CR_BUF_INIT } };
		/* the kind of action in the report's language (the words of render.c) */
		cr_buf_addf(&f, p->folded == 1 ? _("%zu %s proposal under %s a month = %s") :
			    _("sum of %zu %s proposals under %s a month each = %s"), p->folded,
			    _(p->action), amount(&m, 0, r->min_saving, c->cur),
			    amount(&m, 1, p->savings, c->cur));
		amounts_release(&m);
		p->formula = cr_report_text(r, f.ptr);
		cr_buf_release(&f);
		fold_explain(c, r, p, &rules[j]);
		fold_rules_release(&rules[j]);
		cr_dec_mul_ratio(&p->annual_savings, p->savings, 12, 1);
		enum cr_level e = p->effort[0] == 'l' ? CR_LEVEL_LOW : p->effort[0] == 'm'
				  ? CR_LEVEL_MEDIUM : CR_LEVEL_HIGH;
		enum cr_level k = p->risk[0] == 'l' ? CR_LEVEL_LOW : p->risk[0] == 'm'
				  ? CR_LEVEL_MEDIUM : CR_LEVEL_HIGH;
		p->priority = cr_dec_to_double(p->savings) / effort_weight[e] * risk_factor[k];
		v[out++] = *p;
	}
	free(folds);
	free(rules);
	r->n_proposals = out;
}

static int cmp_proposal_ptr(const void *pa, const void *pb)
{
	return cmp_proposal(*(const cr_proposal *const *)pa, *(const cr_proposal *const *)pb);
}

/* Sorts the proposals (cmp_proposal) and numbers them.  A million records
 * of 240 bytes are sorted as pointers and then moved once, each cycle of
 * the permutation in place, instead of through qsort's copy of the array. */
static void rank_proposals(cr_report *r)
{
	size_t n = r->n_proposals;
	cr_proposal **v, *base = r->proposals;

	if (!n)
		return;
	v = cr_xmalloc(n * sizeof *v);
	for (size_t i = 0; i < n; i++)
		v[i] = &base[i];
	qsort(v, n, sizeof *v, cmp_proposal_ptr);
	/* v[i] is the record that belongs at i */
	for (size_t i = 0; i < n; i++) {
		if (v[i] == &base[i])
			continue;
		cr_proposal tmp = base[i];
		size_t j = i;
		while (v[j] != &base[i]) {
			size_t k = (size_t)(v[j] - base);
			base[j] = base[k];
			v[j] = &base[j];
			j = k;
		}
		base[j] = tmp;
		v[j] = &base[j];
	}
	free(v);
	for (size_t i = 0; i < n; i++)
		base[i].rank = (int)i + 1;
}

int cr_savings_apply(cr_report *r, const cr_ledger *l, const cr_ruleset *rules,
		     cr_error *err)
{
	struct ctx c = { .r = r, .l = l, .start = r->start, .ndays = r->end - r->start + 1,
			 .daily = cr_ledger_is_daily(l), .cur = r->currency };
	cr_keymap map = CR_KEYMAP_INIT, amap = CR_KEYMAP_INIT;
	struct rule_cache rc = { .map = CR_KEYMAP_INIT };
	struct line *lines = NULL;
	size_t nlines = 0, cap = 0, pcap = 0, nent;
	const cr_ledger_entry *e = cr_ledger_entries(l, &nent);
	/* each entry's line; the entries by line; where each line's start */
	uint32_t *line_of, *order, *first;

	if (c.ndays > 366)
		return cr_error_set(err, CR_EXIT_USAGE,
				    "savings proposals need a period of at most 366 days");
	c.is_month = r->start == cr_month_first(r->start) && r->end == cr_month_last(r->start);
	if (nent >= UINT32_MAX)
		return cr_error_set(err, CR_EXIT_USAGE, "savings proposals need fewer than "
				    "%u ledger entries", UINT32_MAX);
	c.by_id = accounts_by_id(r);
	collect_traffic(&c, rules);
	c.texts = cr_xcalloc(TEXTS, sizeof *c.texts);
	struct scratch tmp = { .f = CR_BUF_INIT, .e = CR_BUF_INIT, .text = CR_BUF_INIT,
			       .fo = CR_BUF_INIT, .ev = CR_BUF_INIT,
			       .m = { { CR_BUF_INIT, CR_BUF_INIT, CR_BUF_INIT, CR_BUF_INIT } } };
	c.tmp = &tmp;
	line_of = cr_xmalloc((nent + 1) * sizeof *line_of);
	for (size_t i = 0; i < nent; i++) {
		const cr_ledger_entry *x = &e[i];
		bool added;
		size_t k;

		line_of[i] = UINT32_MAX;
		if (x->key.day < r->start || x->key.day > r->end ||
		    cr_kind_excluded(x->key.kind) >= 0)
			continue;
		k = cr_keymap_get(&map, x->key.account, x->key.service, x->key.usage_type, &added);
		if (added) {
			if (nlines == cap) {
				cap = cap ? cap * 2 : 256;
				lines = cr_xrealloc(lines, cap * sizeof *lines);
			}
			struct line *ln = &lines[nlines++];
			memset(ln, 0, sizeof *ln);
			ln->account = x->key.account;
			ln->service = x->key.service;
			ln->usage_type = x->key.usage_type;
			ln->traffic = is_traffic(&c, cr_ledger_str(l, x->key.usage_type));
		}
		struct line *ln = &lines[k];
		bool lic = false;
		line_of[i] = (uint32_t)k;
		cr_dec_acc(&ln->all, x->cost);
		if (ln->traffic && cr_kind_is_usage(x->key.kind))
			cr_dec_acc(&extra_for(&c, ln)->qty, x->quantity);
		if (x->key.operation) {
			const char *op = cr_ledger_str(l, x->key.operation);
			ln->op_known = true;
			if ((lic = licensed_op(op)))
				cr_dec_acc(&extra_for(&c, ln)->licensed_all, x->cost);
			if (aurora_op(op))
				cr_dec_acc(&extra_for(&c, ln)->aurora_all, x->cost);
		}
		if (x->key.kind == CR_KIND_USAGE) {
			cr_dec_acc(&ln->od, x->cost);
			if (lic)
				cr_dec_acc(&extra_for(&c, ln)->licensed_od, x->cost);
		}
	}
	r->has_proposals = true;
	r->savings_total = CR_DEC_ZERO;
	r->savings_to_investigate = CR_DEC_ZERO;
	index_areas(&c, lines, nlines, &amap);
	cr_keymap_release(&map);   /* lines are found by index from here on */
	cr_keymap_release(&amap);
	/* the organisation's Savings Plans first: where one is sized, the
	 * per-line commitment proposals on the usage it covers are not made
	 * (they still take their place in each line's order) */
	c.org_plan = cr_commitment_apply(r, l, &pcap);
	/* the entries by line (a counting sort), for each line's days */
	first = cr_xcalloc(nlines + 1, sizeof *first);
	for (size_t i = 0; i < nent; i++)
		if (line_of[i] != UINT32_MAX)
			first[line_of[i] + 1]++;
	for (size_t k = 0; k < nlines; k++)
		first[k + 1] += first[k];
	order = cr_xmalloc((first[nlines] + 1) * sizeof *order);
	for (size_t i = 0; i < nent; i++)
		if (line_of[i] != UINT32_MAX)
			order[first[line_of[i]]++] = (uint32_t)i;
	free(line_of);
	c.daily_all = cr_xcalloc((size_t)c.ndays, sizeof *c.daily_all);
	c.daily_od = cr_xcalloc((size_t)c.ndays, sizeof *c.daily_od);
	for (size_t k = 0, j = 0; k < nlines; k++) {
		size_t end = first[k]; /* the scatter left first[k] at the line's end */
		for (size_t q = j; q < end; q++) {
			const cr_ledger_entry *x = &e[order[q]];
			int d = x->key.day - r->start;
			cr_dec_acc(&c.daily_all[d], x->cost);
			if (x->key.kind == CR_KIND_USAGE)
				cr_dec_acc(&c.daily_od[d], x->cost);
		}
		propose_line(&c, r, &pcap, &lines[k], rules, &rc);
		for (; j < end; j++) {
			int d = e[order[j]].key.day - r->start;
			c.daily_all[d] = c.daily_od[d] = CR_DEC_ZERO;
		}
	}
	free(first);
	free(order);
	free(c.daily_all);
	free(c.daily_od);
	if (c.org_plan)
		cr_commitment_fit_spot(r);
	fold_small(&c, r);
	rank_proposals(r);
	free(lines);
	free(c.areas);
	free(c.by_id);
	free(c.texts);
	free(c.extras);
	cr_buf_release(&tmp.f);
	cr_buf_release(&tmp.e);
	cr_buf_release(&tmp.text);
	cr_buf_release(&tmp.fo);
	cr_buf_release(&tmp.ev);
	amounts_release(&tmp.m);
	cr_keymap_release(&rc.map);
	free(rc.first);
	free(rc.count);
	free(rc.pool);
	return 0;
}
