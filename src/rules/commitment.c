/* commitment.c - see costrank/commitment.h */
#include "costrank/commitment.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "costrank/buf.h"
#include "costrank/fx.h"
#include "costrank/i18n.h"
#include "costrank/rules.h"

static int cmp_dec(const void *a, const void *b)
{
	return cr_dec_cmp(*(const cr_dec *)a, *(const cr_dec *)b);
}

/* x * f for a fraction f, to 1e-9. */
static cr_dec times(cr_dec x, double f)
{
	cr_dec out = CR_DEC_ZERO;
	cr_dec_mul_ratio(&out, x, llround(f * 1e9), 1000000000);
	return out;
}

/* x / (1 - d), to 1e-9 in (1 - d). */
static cr_dec grossed(cr_dec x, double d)
{
	cr_dec out = CR_DEC_ZERO;
	cr_dec_mul_ratio(&out, x, 1000000000, llround((1 - d) * 1e9));
	return out;
}

void cr_sp_optimum(const cr_dec *spend, size_t n, double d, cr_dec *level, cr_dec *saving)
{
	cr_dec *v, x, c, s = CR_DEC_ZERO, hc;
	size_t k;

	*level = *saving = CR_DEC_ZERO;
	if (!n || !(d > 0 && d < 1))
		return;
	v = cr_xmalloc(n * sizeof *v);
	memcpy(v, spend, n * sizeof *v);
	qsort(v, n, sizeof *v, cmp_dec);
	/* the slope in x is #{h: spend_h > x} - n (1 - d): it turns
	 * negative past the ceil(n d)-th smallest spend */
	k = (size_t)ceil((double)n * d - 1e-9);
	if (k < 1)
		k = 1;
	x = v[k - 1];
	free(v);
	if (cr_dec_sign(x) <= 0)
		return;
	c = times(x, 1 - d);
	for (size_t h = 0; h < n; h++)
		cr_dec_acc(&s, cr_dec_cmp(spend[h], x) < 0 ? spend[h] : x);
	cr_dec_mul_ratio(&hc, c, (int64_t)n, 1);
	cr_dec_sub(&s, s, hc);
	if (cr_dec_sign(s) <= 0)
		return;
	*level = x;
	*saving = s;
}

bool cr_commitment_covers(const char *ut)
{
	static const char *const sp[] = { "BoxUsage", "DedicatedUsage", "Fargate-vCPU-Hours",
					  "Fargate-GB-Hours", "Lambda-GB-Second",
					  "Lambda-Provisioned" };
	for (size_t i = 0; i < sizeof sp / sizeof sp[0]; i++)
		if (strstr(ut, sp[i]))
			return true;
	return false;
}

static void money(cr_buf *b, cr_dec x, const char *cur)
{
	char s[CR_DEC_STRLEN];
	cr_dec_format_grouped(x, cr_fx_minor_units(cur), s, sizeof s);
	cr_buf_addf(b, "%s %s", s, cur);
}

static double ratio_or_none(cr_dec a, cr_dec b)
{
	return cr_dec_sign(b) > 0 ? cr_dec_ratio(a, b) : -1;
}

/* The per-line commitment proposals on usage the plans cover leave: the
 * organisation's plan replaces them. */
static void drop_line_commitments(cr_report *r)
{
	size_t w = 0;

	for (size_t i = 0; i < r->n_proposals; i++) {
		cr_proposal *p = &r->proposals[i];
		if (strcmp(p->action, "commitment") == 0 && cr_commitment_covers(p->usage_type)) {
			cr_dec *total = p->counted ? &r->savings_total : &r->savings_to_investigate;
			cr_dec_sub(total, *total, p->savings);
			cr_proposal_free(p);
			continue;
		}
		r->proposals[w++] = *p;
	}
	r->n_proposals = w;
}

static void propose(cr_report *r, size_t *cap, const cr_report_sp_plan *pl, int ndays,
		    bool is_month)
{
	bool win = strcmp(pl->platform, "windows") == 0;
	cr_proposal p = { 0 };
	cr_buf f = CR_BUF_INIT, e = CR_BUF_INIT;
	cr_dec s = pl->savings;

	if (!is_month)
		cr_dec_mul_ratio(&s, pl->savings, 304375, (int64_t)ndays * 10000);
	cr_buf_adds(&f, "c = ");
	money(&f, pl->commitment, r->currency);
	cr_buf_addf(&f, _("/h at %.1f%%, covers "), pl->discount * 100);
	cr_dec level = grossed(pl->commitment, pl->discount);
	money(&f, level, r->currency);
	cr_buf_addf(&f, _("/h; %zu h: "), pl->hours);
	money(&f, pl->covered, r->currency);
	cr_buf_addf(&f, _(" - %zu x c = "), pl->hours);
	money(&f, pl->savings, r->currency);
	if (!is_month)
		cr_buf_addf(&f, _(" over %d days"), ndays);
	cr_buf_addf(&e, _("%s; discount %s; on-demand spend of eligible usage "),
		    pl->hourly ? _("hourly data") : _("daily data: each day's spend / 24 per hour"),
		    pl->discount_measured ? _("measured from the data's Savings Plan lines") :
		    _("from the table"));
	money(&e, pl->eligible, r->currency);
	if (cr_dec_sign(pl->unused_netted) > 0) {
		cr_buf_adds(&e, _("; existing plans' unused commitment netted first: "));
		money(&e, pl->unused_netted, r->currency);
	}
	p.rule = cr_report_intern(r, win ? "org-savings-plan-windows" : "org-savings-plan");
	p.title = cr_report_intern(r, win ? _("Buy a Savings Plan for Windows instances, sized to the hourly spend")
			     : _("Buy a Compute Savings Plan sized to the hourly spend"));
	p.action = "commitment";
	p.model = "commitment-hourly";
	/* the hours are measured; the discount is the data's own or a table price */
	p.confidence = cr_confidence_name(pl->discount_measured ? CR_CONF_MEASURED : CR_CONF_PRICED);
	p.stage = cr_stage_name(CR_STAGE_COMMITMENT);
	p.counted = true;
	p.effort = "low";
	p.risk = "medium";
	p.account_id = cr_report_intern(r, "*"); /* every account */
	p.account_name = cr_report_intern(r, "");
	p.environment = p.account_name;
	p.service = cr_report_intern(r, "Savings Plans");
	p.usage_type = cr_report_intern(r, win ? "Windows" : "Compute");
	p.monthly_cost = pl->eligible;
	if (!is_month)
		cr_dec_mul_ratio(&p.monthly_cost, pl->eligible, 304375, (int64_t)ndays * 10000);
	p.savings = s;
	cr_dec_mul_ratio(&p.annual_savings, s, 12, 1);
	p.priority = cr_dec_to_double(s) * 0.75;
	p.formula = cr_report_text(r, f.ptr);
	p.evidence = cr_report_text(r, e.ptr);
	cr_buf_release(&f);
	cr_buf_release(&e);
	p.rationale = cr_report_intern(r, _("AWS sizes Savings Plans on every hour of the lookback, nights and "
				 "weekends included: the commitment that maximises the saving covers "
				 "the d-quantile of the hourly on-demand spend, well above the lowest hour."));
	p.reference = cr_report_intern(r, "https://docs.aws.amazon.com/savingsplans/latest/userguide/sp-recommendations.html");
	p.basis = cr_report_intern(r, pl->discount_measured ? _("discount measured from the data")
			     : _("table discount (Compute Savings Plan, 1 year, no upfront)"));
	if (r->n_proposals == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		r->proposals = cr_xrealloc(r->proposals, *cap * sizeof *r->proposals);
	}
	r->proposals[r->n_proposals++] = p;
	cr_dec_acc(&r->savings_total, s);
}

/* Proposals name their action with cr_action_name's strings. */
static bool is_spot(const cr_proposal *p)
{
	return p->action == cr_action_name(CR_ACT_SPOT) || strcmp(p->action, "spot") == 0;
}

/* A proposal's text with a note after it, in the report's strings. */
static const char *append_note(cr_report *r, const char *text, cr_buf *note)
{
	cr_buf b = CR_BUF_INIT;
	const char *out;

	cr_buf_adds(&b, text ? text : "");
	cr_buf_adds(&b, note->ptr ? note->ptr : "");
	out = cr_report_text(r, b.ptr);
	cr_buf_release(&b);
	cr_buf_reset(note);
	return out;
}

/*
 * Spot proposals claim the on-demand hours above each line's steady floor,
 * but the organisation's plan covers up to the d-quantile of the hourly
 * spend, above those floors: the same hours would be claimed twice.  Spot
 * gets only what the plan leaves (left - covered, in the period), shared
 * in proportion to each line's Spot base.
 */
static void fit_spot(cr_report *r, const cr_report_sp_plan *pl)
{
	cr_dec room = pl->spot_room, spot = CR_DEC_ZERO;

	for (size_t i = 0; i < r->n_proposals; i++)
		if (is_spot(&r->proposals[i]))
			cr_dec_acc(&spot, r->proposals[i].monthly_cost);
	if (cr_dec_cmp(spot, room) <= 0)
		return;
	/* rounded down, so that the shares never add up to more than the room */
	int64_t f = (int64_t)floor(cr_dec_ratio(room, spot) * 1e9);
	cr_buf note = CR_BUF_INIT, amt = CR_BUF_INIT;
	for (size_t i = 0; i < r->n_proposals; i++) {
		cr_proposal *p = &r->proposals[i];
		cr_dec *total = p->counted ? &r->savings_total : &r->savings_to_investigate;
		cr_dec s = CR_DEC_ZERO, cost = CR_DEC_ZERO;
		if (!is_spot(p))
			continue;
		cr_dec_mul_ratio(&s, p->savings, f, 1000000000);
		cr_dec_mul_ratio(&cost, p->monthly_cost, f, 1000000000);
		cr_dec_sub(total, *total, p->savings);
		cr_dec_acc(total, s);
		if (cr_dec_sign(p->savings) > 0)
			p->priority *= cr_dec_ratio(s, p->savings);
		p->savings = s;
		p->monthly_cost = cost;
		cr_dec_mul_ratio(&p->annual_savings, s, 12, 1);
		money(&amt, s, r->currency);
		cr_buf_addf(&note, _("; within the on-demand spend the Savings Plan leaves: "
				     "counted %s"), amt.ptr);
		p->formula = append_note(r, p->formula, &note);
		cr_buf_reset(&amt);
		money(&amt, room, r->currency);
		cr_buf_addf(&note, _("; the organisation's Savings Plan covers part of the "
				     "variable hours too: Spot shares the on-demand spend it "
				     "leaves, %s a month over every line"), amt.ptr);
		p->evidence = append_note(r, p->evidence, &note);
		cr_buf_reset(&amt);
	}
	cr_buf_release(&note);
	cr_buf_release(&amt);
}

bool cr_commitment_apply(cr_report *r, const cr_ledger *l, size_t *cap)
{
	size_t n;
	const cr_commit_entry *e = cr_ledger_commit_entries(l, &n);
	cr_report_commitments *cm = &r->commitments;
	cr_dec tot[CR_PLATFORM_COUNT][CR_CF_COUNT];
	cr_day end = r->end;
	bool hourly = false, any_eligible = false;

	memset(cm, 0, sizeof *cm);
	if (!n)
		return false;
	if (r->data_through && r->data_through < end && r->data_through >= r->start)
		end = r->data_through;
	int ndays = end - r->start + 1;
	size_t H = (size_t)ndays * 24;
	int64_t h0 = (int64_t)r->start * 24;
	cr_dec *spend[CR_PLATFORM_COUNT], *unused = cr_xcalloc(H, sizeof *unused);
	for (int p = 0; p < CR_PLATFORM_COUNT; p++)
		spend[p] = cr_xcalloc(H, sizeof *spend[p]);
	memset(tot, 0, sizeof tot);
	for (size_t i = 0; i < n; i++) {
		int64_t h = e[i].hour - h0;
		if (h < 0 || h >= (int64_t)H)
			continue;
		cm->present = true;
		cr_dec_acc(&tot[e[i].platform][e[i].fact], e[i].amount);
		if (e[i].fact == CR_CF_ELIGIBLE_OD) {
			cr_dec_acc(&spend[e[i].platform][h], e[i].amount);
			hourly |= h % 24 != 0;
			any_eligible = true;
		}
	}
	/* the unused commitment of each hour: total to date - used */
	for (size_t i = 0; i < n; i++) {
		int64_t h = e[i].hour - h0;
		if (h < 0 || h >= (int64_t)H)
			continue;
		if (e[i].fact == CR_CF_SP_COMMITMENT)
			cr_dec_acc(&unused[h], e[i].amount);
		else if (e[i].fact == CR_CF_SP_USED)
			cr_dec_sub(&unused[h], unused[h], e[i].amount);
		hourly |= e[i].fact == CR_CF_SP_COMMITMENT && h % 24 != 0;
	}
	cr_dec all[CR_CF_COUNT];
	memset(all, 0, sizeof all);
	for (int p = 0; p < CR_PLATFORM_COUNT; p++)
		for (int f = 0; f < CR_CF_COUNT; f++)
			cr_dec_acc(&all[f], tot[p][f]);
	cm->sp_commitment = all[CR_CF_SP_COMMITMENT];
	cm->sp_used = all[CR_CF_SP_USED];
	cm->sp_utilization = ratio_or_none(cm->sp_used, cm->sp_commitment);
	cm->sp_covered_od = all[CR_CF_SP_COVERED_OD];
	cr_dec_add(&cm->sp_eligible_od, all[CR_CF_SP_COVERED_OD], all[CR_CF_ELIGIBLE_OD]);
	cm->sp_coverage = ratio_or_none(cm->sp_covered_od, cm->sp_eligible_od);
	cm->ri_covered_hours = all[CR_CF_RI_COVERED_HOURS];
	cr_dec_add(&cm->ri_ondemand_hours, all[CR_CF_RI_COVERED_HOURS], all[CR_CF_RI_ONDEMAND_HOURS]);
	cm->ri_coverage = ratio_or_none(cm->ri_covered_hours, cm->ri_ondemand_hours);
	cm->ri_unused = all[CR_CF_RI_UNUSED];

	/* daily data: a day's spend (booked on its hour 0) / 24 for each hour */
	if (!hourly) {
		for (size_t d = 0; d < (size_t)ndays; d++) {
			cr_dec day_u = unused[d * 24];
			for (int p = 0; p < CR_PLATFORM_COUNT; p++) {
				cr_dec day = spend[p][d * 24];
				for (int k = 0; k < 24; k++)
					cr_dec_mul_ratio(&spend[p][d * 24 + k], day, 1, 24);
			}
			for (int k = 0; k < 24; k++)
				cr_dec_mul_ratio(&unused[d * 24 + k], day_u, 1, 24);
		}
	}
	bool dropped = false;
	bool is_month = r->start == cr_month_first(r->start) && r->end == cr_month_last(r->start);
	for (int p = 0; any_eligible && p < CR_PLATFORM_COUNT; p++) {
		cr_report_sp_plan *pl = &cm->plans[cm->n_plans];
		if (cr_dec_sign(tot[p][CR_CF_ELIGIBLE_OD]) <= 0)
			continue;
		cm->n_plans++;
		pl->platform = p == CR_PLATFORM_WINDOWS ? "windows" : "other";
		pl->hourly = hourly;
		pl->hours = H;
		pl->eligible = tot[p][CR_CF_ELIGIBLE_OD];
		pl->discount = p == CR_PLATFORM_WINDOWS ? CR_SP_TABLE_DISCOUNT_WINDOWS
			: CR_SP_TABLE_DISCOUNT;
		if (cr_dec_sign(tot[p][CR_CF_SP_COVERED_OD]) > 0 &&
		    cr_dec_sign(tot[p][CR_CF_SP_EFFECTIVE]) > 0) {
			double d = 1 - cr_dec_ratio(tot[p][CR_CF_SP_EFFECTIVE],
						    tot[p][CR_CF_SP_COVERED_OD]);
			if (d > 0 && d < 1) {
				pl->discount = d;
				pl->discount_measured = true;
			}
		}
		/* the plans' spare commitment goes to the other platforms first,
		 * where it buys the larger discount */
		if (p == CR_PLATFORM_OTHER) {
			for (size_t h = 0; h < H; h++) {
				if (cr_dec_sign(unused[h]) <= 0)
					continue;
				cr_dec cover = grossed(unused[h], pl->discount), left;
				cr_dec_acc(&pl->unused_netted, unused[h]);
				cr_dec_sub(&left, spend[p][h], cover);
				spend[p][h] = cr_dec_sign(left) > 0 ? left : CR_DEC_ZERO;
			}
		}
		/* the spend the unused commitment leaves; netting lifts an hour a
		 * correction made negative to 0, so never more than the eligible */
		cr_dec level, left = CR_DEC_ZERO;
		for (size_t h = 0; h < H; h++)
			cr_dec_acc(&left, spend[p][h]);
		if (cr_dec_cmp(left, pl->eligible) > 0)
			left = pl->eligible;
		cr_sp_optimum(spend[p], H, pl->discount, &level, &pl->savings);
		if (cr_dec_sign(pl->savings) <= 0)
			continue;
		pl->commitment = times(level, 1 - pl->discount);
		for (size_t h = 0; h < H; h++)
			cr_dec_acc(&pl->covered, cr_dec_cmp(spend[p][h], level) < 0 ? spend[p][h] : level);
		cr_dec_sub(&pl->spot_room, left, pl->covered);
		if (cr_dec_sign(pl->spot_room) < 0)
			pl->spot_room = CR_DEC_ZERO;
		if (!is_month)
			cr_dec_mul_ratio(&pl->spot_room, pl->spot_room, 304375,
					 (int64_t)ndays * 10000);
		if (!dropped && r->has_proposals)
			drop_line_commitments(r);
		dropped = true;
		if (r->has_proposals)
			propose(r, cap, pl, ndays, is_month);
	}
	for (int p = 0; p < CR_PLATFORM_COUNT; p++)
		free(spend[p]);
	free(unused);
	return dropped;
}

void cr_commitment_fit_spot(cr_report *r)
{
	const cr_report_commitments *cm = &r->commitments;

	for (size_t i = 0; i < cm->n_plans; i++)
		if (strcmp(cm->plans[i].platform, "other") == 0 &&
		    cr_dec_sign(cm->plans[i].savings) > 0)
			fit_spot(r, &cm->plans[i]);
}
