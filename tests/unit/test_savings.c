/* Unit tests: each savings model against hand-computed figures, the
 * grouping of alternatives, stacking, and the guards.
 *
 * October 2026 has 31 days: 9 weekend days (Sat 3, 10, 17, 24, 31 and
 * Sun 4, 11, 18, 25) and 22 weekdays. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "costrank/accounts.h"
#include "costrank/date.h"
#include "costrank/ledger.h"
#include "costrank/rank.h"
#include "costrank/rules.h"
#include "costrank/savings.h"

#define DEV "111111111111"
#define PROD "222222222222"
#define UNKNOWN "333333333333"
#define EC2 "Amazon Elastic Compute Cloud - Compute"

static cr_dec dec(const char *s)
{
	cr_dec d;
	assert_true(cr_dec_parse(s, strlen(s), &d) >= 0);
	return d;
}

static void add(cr_ledger *l, const char *acct, const char *ut, int day_of_oct,
		enum cr_kind kind, const char *cost)
{
	cr_day d;
	cr_error err = { 0 };
	assert_int_equal(cr_day_from_ymd(2026, 10, day_of_oct, &d), 0);
	cr_ledger_key k = {
		.account = cr_ledger_intern(l, acct, strlen(acct)),
		.service = cr_ledger_intern(l, EC2, strlen(EC2)),
		.usage_type = cr_ledger_intern(l, ut, strlen(ut)),
		.day = d, .kind = kind,
	};
	assert_int_equal(cr_ledger_add(l, &k, dec(cost), CR_DEC_ZERO, 0, &err), 0);
}

/* Every day of October at `weekday`, weekends at `weekend`. */
static void add_month(cr_ledger *l, const char *acct, const char *ut, enum cr_kind kind,
		      const char *weekday, const char *weekend)
{
	for (int d = 1; d <= 31; d++) {
		cr_day day;
		cr_day_from_ymd(2026, 10, d, &day);
		add(l, acct, ut, d, kind, cr_day_weekday(day) >= 5 ? weekend : weekday);
	}
}

static cr_rule rule(const char *id, enum cr_action action, enum cr_model model,
		    const char *usage_glob, unsigned envs)
{
	cr_rule r = { 0 };
	r.id = (char *)id;
	r.title = (char *)id;
	r.action = action;
	r.service_glob = (char *)"*";
	r.usage_glob = (char *)usage_glob;
	r.environments = envs;
	r.model = model;
	r.confidence = cr_model_confidence(model);
	r.effort = CR_LEVEL_LOW;
	r.risk = CR_LEVEL_LOW;
	r.rationale = (char *)"";
	r.reference = (char *)"https://example.invalid/";
	r.enabled = true;
	return r;
}

static cr_report *run(cr_ledger *l, cr_rule *rules, size_t n)
{
	static cr_account_info info[] = {
		{ (char *)DEV, (char *)"dev", (char *)"development", NULL, NULL, NULL, NULL },
		{ (char *)PROD, (char *)"prod", (char *)"production", NULL, NULL, NULL, NULL },
	};
	cr_accounts accounts = { .v = info, .n = 2 };
	cr_ruleset rs = { rules, n };
	cr_rank_opts o = { .top_services = 10, .top_usage = 10, .period_complete = true,
			   .accounts = &accounts };
	cr_error err = { 0 };
	cr_report *r;

	assert_int_equal(cr_month_parse("2026-10", &o.period.start, &o.period.end), 0);
	o.period.is_month = true;
	r = cr_rank_build(l, &o, &err);
	assert_non_null(r);
	assert_int_equal(cr_savings_apply(r, l, &rs, &err), 0);
	return r;
}

static void assert_amount(cr_dec got, const char *want, const char *what)
{
	char buf[CR_DEC_STRLEN];
	cr_dec_format(got, 2, buf, sizeof buf);
	if (strcmp(buf, want) != 0)
		print_error("%s: got %s, want %s\n", what, buf, want);
	assert_string_equal(buf, want);
}

static const cr_proposal *find(const cr_report *r, const char *rule_id, const char *acct)
{
	for (size_t i = 0; i < r->n_proposals; i++)
		if (!strcmp(r->proposals[i].rule, rule_id) && !strcmp(r->proposals[i].account_id, acct))
			return &r->proposals[i];
	return NULL;
}

static void test_measured_weekend(void **state)
{
	cr_ledger *l = cr_ledger_new(CR_METRIC_UNBLENDED);
	cr_rule rules[] = { rule("weekend", CR_ACT_WEEKEND_SHUTDOWN, CR_MODEL_WEEKEND,
				 "*BoxUsage:*", CR_ENV_NONPROD) };
	(void)state;

	add_month(l, DEV, "BoxUsage:m5.large", CR_KIND_USAGE, "10", "10");
	cr_report *r = run(l, rules, 1);
	const cr_proposal *p = find(r, "weekend", DEV);
	assert_non_null(p);
	assert_amount(p->monthly_cost, "310.00", "monthly cost");
	assert_amount(p->savings, "90.00", "9 weekend days x 10");
	assert_amount(p->annual_savings, "1080.00", "annual");
	assert_string_equal(p->model, "weekend");
	assert_non_null(strstr(p->formula, "weekend spend, 9 of 31 days = 90.00 USD"));
	assert_amount(r->savings_total, "90.00", "total");
	cr_report_free(r);
	cr_ledger_free(l);
}

static void test_weekend_already_off_does_not_fire(void **state)
{
	cr_ledger *l = cr_ledger_new(CR_METRIC_UNBLENDED);
	cr_rule rules[] = { rule("weekend", CR_ACT_WEEKEND_SHUTDOWN, CR_MODEL_WEEKEND,
				 "*BoxUsage:*", CR_ENV_NONPROD) };
	(void)state;

	/* 0.50 at weekends is under 10% of the 10.00 weekday average */
	add_month(l, DEV, "BoxUsage:m5.large", CR_KIND_USAGE, "10", "0.5");
	cr_report *r = run(l, rules, 1);
	assert_int_equal(r->n_proposals, 0);
	assert_amount(r->savings_total, "0.00", "total");
	cr_report_free(r);
	cr_ledger_free(l);
}

static void test_weekend_without_daily_data(void **state)
{
	cr_ledger *l = cr_ledger_new(CR_METRIC_UNBLENDED);
	cr_rule rules[] = { rule("weekend", CR_ACT_WEEKEND_SHUTDOWN, CR_MODEL_WEEKEND,
				 "*BoxUsage:*", CR_ENV_NONPROD) };
	(void)state;

	/* a monthly pull books the month on its first day */
	add(l, DEV, "BoxUsage:m5.large", 1, CR_KIND_USAGE, "336");
	cr_ledger_set_coarse(l, true);
	cr_report *r = run(l, rules, 1);
	const cr_proposal *p = find(r, "weekend", DEV);
	assert_non_null(p);
	assert_amount(p->savings, "96.00", "48/168 x 336");
	assert_non_null(strstr(p->evidence, "no daily data"));
	cr_report_free(r);
	cr_ledger_free(l);
}

static void test_commitment_floor(void **state)
{
	cr_ledger *l = cr_ledger_new(CR_METRIC_UNBLENDED);
	cr_rule rules[] = { rule("sp", CR_ACT_COMMITMENT, CR_MODEL_COMMITMENT,
				 "*BoxUsage:*", CR_ENV_PRODUCTION) };
	(void)state;

	rules[0].discount = 0.28;
	rules[0].on_demand_only = true;
	add_month(l, PROD, "BoxUsage:m5.xlarge", CR_KIND_USAGE, "20", "20");
	add(l, PROD, "BoxUsage:m5.xlarge", 14, CR_KIND_USAGE, "-8");   /* the 14th: 12 */
	/* covered hours are not the floor's business */
	add_month(l, PROD, "BoxUsage:m5.xlarge", CR_KIND_SP_COVERED, "50", "50");
	cr_report *r = run(l, rules, 1);
	const cr_proposal *p = find(r, "sp", PROD);
	assert_non_null(p);
	/* floor 12 x 31 days x 28% = 104.16, not the 19.74 average */
	assert_amount(p->savings, "104.16", "floor x days x discount");
	assert_amount(p->monthly_cost, "612.00", "on-demand cost only");
	assert_non_null(strstr(p->formula, "lowest daily on-demand spend 12.00 USD x 31 days x 28% = 104.16 USD"));
	cr_report_free(r);
	cr_ledger_free(l);
}

static void test_commitment_needs_a_floor(void **state)
{
	cr_ledger *l = cr_ledger_new(CR_METRIC_UNBLENDED);
	cr_rule rules[] = { rule("sp", CR_ACT_COMMITMENT, CR_MODEL_COMMITMENT,
				 "*BoxUsage:*", CR_ENV_PRODUCTION) };
	(void)state;

	rules[0].discount = 0.28;
	/* runs only on weekdays: the floor is zero, nothing to commit to */
	add_month(l, PROD, "BoxUsage:m5.xlarge", CR_KIND_USAGE, "20", "0");
	cr_report *r = run(l, rules, 1);
	assert_int_equal(r->n_proposals, 0);
	cr_report_free(r);
	cr_ledger_free(l);
}

static void test_schedule_alternatives_and_stacking(void **state)
{
	cr_ledger *l = cr_ledger_new(CR_METRIC_UNBLENDED);
	cr_rule rules[] = {
		rule("weekend", CR_ACT_WEEKEND_SHUTDOWN, CR_MODEL_WEEKEND, "*BoxUsage:*", CR_ENV_NONPROD),
		rule("offhours", CR_ACT_OFF_HOURS, CR_MODEL_SCHEDULE, "*BoxUsage:*", CR_ENV_NONPROD),
		rule("resize", CR_ACT_RIGHTSIZING, CR_MODEL_FRACTION, "*BoxUsage:*", CR_ENV_ANY),
	};
	(void)state;

	rules[1].hours_on_per_week = 60;
	rules[2].fraction = 0.3;
	rules[2].confidence = CR_CONF_ESTIMATE;
	add_month(l, DEV, "BoxUsage:m5.large", CR_KIND_USAGE, "10", "10");
	cr_report *r = run(l, rules, 3);
	assert_int_equal(r->n_proposals, 2);
	/* off-hours: weekends 90 + weekdays 220 x 60/120 = 200; weekend (90) is its alternative */
	const cr_proposal *p = find(r, "offhours", DEV);
	assert_non_null(p);
	assert_amount(p->savings, "200.00", "off-hours");
	assert_int_equal(p->n_alternatives, 1);
	assert_string_equal(p->alternatives[0].rule, "weekend");
	assert_amount(p->alternatives[0].savings, "90.00", "alternative");
	assert_null(find(r, "weekend", DEV));
	/* rightsizing 30% of 310 = 93, stacked on the 110 left: 93 x 110 / 310 = 33 */
	p = find(r, "resize", DEV);
	assert_non_null(p);
	assert_amount(p->savings, "33.00", "stacked rightsizing");
	assert_string_equal(p->confidence, "estimate");
	assert_false(p->counted);
	assert_non_null(strstr(p->evidence, "applied after every earlier step"));
	/* the headline counts measured and priced only; the estimate is apart */
	assert_amount(r->savings_total, "200.00", "total");
	assert_amount(r->savings_to_investigate, "33.00", "to investigate");
	/* priority: saving / effort weight x risk factor */
	assert_true(r->proposals[0].priority > r->proposals[1].priority);
	assert_int_equal(r->proposals[0].rank, 1);
	cr_report_free(r);
	cr_ledger_free(l);
}

static void test_guards(void **state)
{
	cr_ledger *l = cr_ledger_new(CR_METRIC_UNBLENDED);
	cr_rule rules[] = {
		rule("weekend", CR_ACT_WEEKEND_SHUTDOWN, CR_MODEL_WEEKEND, "*BoxUsage:*", CR_ENV_NONPROD),
		rule("spot", CR_ACT_SPOT, CR_MODEL_FRACTION, "*Usage:*", CR_ENV_ANY),
		rule("gp3", CR_ACT_GP3_MIGRATION, CR_MODEL_FRACTION, "*EBS:VolumeUsage.gp2", CR_ENV_ANY),
	};
	(void)state;

	rules[1].fraction = 0.6;
	rules[1].on_demand_only = true;
	rules[2].fraction = 0.2;
	rules[2].min_monthly_cost = 100;
	/* non-production rules never touch production or unknown accounts */
	add_month(l, PROD, "BoxUsage:m5.large", CR_KIND_SP_COVERED, "10", "10");
	add_month(l, UNKNOWN, "BoxUsage:m5.large", CR_KIND_SPOT, "10", "10");
	/* below the minimum monthly cost: 31 x 3 = 93 < 100 */
	add_month(l, PROD, "EBS:VolumeUsage.gp2", CR_KIND_USAGE, "3", "3");
	cr_report *r = run(l, rules, 3);
	for (size_t i = 0; i < r->n_proposals; i++)
		print_error("unexpected proposal %s on %s %s\n", r->proposals[i].rule,
			    r->proposals[i].account_id, r->proposals[i].usage_type);
	assert_int_equal(r->n_proposals, 0);
	cr_report_free(r);
	cr_ledger_free(l);
}

/* One entry of any service, operation and quantity, on a day of October. */
static void add_op(cr_ledger *l, const char *acct, const char *svc, const char *ut,
		   const char *op, int day_of_oct, enum cr_kind kind, const char *cost,
		   const char *qty)
{
	cr_day d;
	cr_error err = { 0 };
	assert_int_equal(cr_day_from_ymd(2026, 10, day_of_oct, &d), 0);
	cr_ledger_key k = {
		.account = cr_ledger_intern(l, acct, strlen(acct)),
		.service = cr_ledger_intern(l, svc, strlen(svc)),
		.usage_type = cr_ledger_intern(l, ut, strlen(ut)),
		.day = d, .kind = kind,
		.operation = op ? cr_ledger_intern(l, op, strlen(op)) : 0,
	};
	assert_int_equal(cr_ledger_add(l, &k, dec(cost), dec(qty), 0, &err), 0);
}

static cr_rule idle_rule(const char *id, const char *glob, const char *traffic)
{
	cr_rule r = rule(id, CR_ACT_IDLE_DELETE, CR_MODEL_IDLE, glob, CR_ENV_ANY);
	r.traffic = (char *)traffic;
	r.confidence = CR_CONF_MEASURED;
	return r;
}

/* Hours with no traffic in the same account and Region: 100%, measured;
 * traffic anywhere in that account and Region: nothing. */
static void test_idle_findings(void **state)
{
	cr_ledger *l = cr_ledger_new(CR_METRIC_UNBLENDED);
	cr_rule rules[] = {
		idle_rule("nat", "*NatGateway-Hours", "NatGateway-Bytes"),
		idle_rule("elb", "*LoadBalancerUsage", "LCUUsage"),
		idle_rule("vpce", "*VpcEndpoint-Hours", "VpcEndpoint-Bytes"),
		rule("ipv4", CR_ACT_IDLE_DELETE, CR_MODEL_FRACTION, "*PublicIPv4:IdleAddress", CR_ENV_ANY),
	};
	(void)state;

	rules[3].fraction = 1.0;
	rules[3].confidence = CR_CONF_MEASURED;
	/* dev: NAT and endpoint with hours only (us-east-1), a used NAT in EU */
	add_op(l, DEV, "EC2 - Other", "NatGateway-Hours", "NatGateway", 1, CR_KIND_USAGE, "100.44", "2232");
	add_op(l, DEV, "EC2 - Other", "EU-NatGateway-Hours", "NatGateway", 1, CR_KIND_USAGE, "70", "1488");
	add_op(l, DEV, "EC2 - Other", "EU-NatGateway-Bytes", "NatGateway", 2, CR_KIND_USAGE, "0.05", "1");
	add_op(l, DEV, "Amazon Virtual Private Cloud", "VpcEndpoint-Hours", "VpcEndpoint", 1,
	       CR_KIND_USAGE, "59.52", "5952");
	add_op(l, DEV, "Amazon Virtual Private Cloud", "PublicIPv4:IdleAddress", "AssociateAddressVPC", 1,
	       CR_KIND_USAGE, "29.76", "5952");
	/* prod: a load balancer with no LCU, and one with LCU in APN1 */
	add_op(l, PROD, "Amazon Elastic Load Balancing", "LoadBalancerUsage", "LoadBalancing:Application",
	       1, CR_KIND_USAGE, "66.96", "2976");
	add_op(l, PROD, "Amazon Elastic Load Balancing", "APN1-LoadBalancerUsage",
	       "LoadBalancing:Application", 1, CR_KIND_USAGE, "54.22", "2232");
	add_op(l, PROD, "Amazon Elastic Load Balancing", "APN1-LCUUsage", "LoadBalancing:Application",
	       1, CR_KIND_USAGE, "3.00", "375");
	cr_report *r = run(l, rules, 4);
	struct { const char *rule, *acct, *ut, *want; } exp[] = {
		{ "nat", DEV, "NatGateway-Hours", "100.44" },
		{ "vpce", DEV, "VpcEndpoint-Hours", "59.52" },
		{ "ipv4", DEV, "PublicIPv4:IdleAddress", "29.76" },
		{ "elb", PROD, "LoadBalancerUsage", "66.96" },
	};
	assert_int_equal(r->n_proposals, 4);
	for (size_t i = 0; i < 4; i++) {
		const cr_proposal *p = NULL;
		for (size_t j = 0; j < r->n_proposals; j++)
			if (!strcmp(r->proposals[j].rule, exp[i].rule) &&
			    !strcmp(r->proposals[j].usage_type, exp[i].ut))
				p = &r->proposals[j];
		assert_non_null(p);
		assert_string_equal(p->account_id, exp[i].acct);
		assert_amount(p->savings, exp[i].want, exp[i].rule);
		assert_amount(p->monthly_cost, exp[i].want, "all of the line");
		assert_string_equal(p->confidence, "measured");
		assert_string_equal(p->stage, "idle");
		assert_true(p->counted);
	}
	assert_amount(r->savings_total, "256.68", "every idle line in full");
	assert_amount(r->savings_to_investigate, "0.00", "nothing estimated");
	cr_report_free(r);
	cr_ledger_free(l);
}

#define RDS "Amazon Relational Database Service"
#define AURORA_PG "CreateDBInstance:0021"

/* I/O - 0.30 x instances - 1.25 x storage of the same account and Region;
 * none at or below break-even.  A PostgreSQL (non-Aurora) instance of the
 * account is not counted when the operation says its engine. */
static void test_aurora_io_optimized(void **state)
{
	cr_rule rules[] = { rule("aurora-io", CR_ACT_PRICING_MODE, CR_MODEL_AURORA_IO,
				 "*Aurora:StorageIOUsage", CR_ENV_ANY) };
	(void)state;

	rules[0].confidence = CR_CONF_MEASURED;
	for (int above = 1; above >= 0; above--) {
		cr_ledger *l = cr_ledger_new(CR_METRIC_UNBLENDED);
		add_op(l, PROD, RDS, "InstanceUsage:db.r6g.xlarge", AURORA_PG, 1, CR_KIND_USAGE,
		       "1000", "744");
		add_op(l, PROD, RDS, "InstanceUsage:db.r6g.large", "CreateDBInstance:0014", 1,
		       CR_KIND_USAGE, "500", "744");
		add_op(l, PROD, RDS, "Aurora:StorageUsage", AURORA_PG, 1, CR_KIND_USAGE, "120", "1200");
		/* above: 2,000 - 300 - 150 = 1,550; below: 450 - 300 - 150 = 0 */
		add_op(l, PROD, RDS, "Aurora:StorageIOUsage", AURORA_PG, 1, CR_KIND_USAGE,
		       above ? "2000" : "450", "1");
		cr_report *r = run(l, rules, 1);
		if (above) {
			const cr_proposal *p = find(r, "aurora-io", PROD);
			assert_non_null(p);
			assert_amount(p->savings, "1550.00", "I/O - 0.30 x 1000 - 1.25 x 120");
			assert_string_equal(p->confidence, "measured");
			assert_non_null(strstr(p->formula, "= 1,550.00 USD"));
		} else {
			assert_int_equal(r->n_proposals, 0);
		}
		cr_report_free(r);
		cr_ledger_free(l);
	}
}

/* gp2 -> gp3: 20% of the GB-month cost, priced, in the headline. */
static void test_gp2_to_gp3(void **state)
{
	cr_ledger *l = cr_ledger_new(CR_METRIC_UNBLENDED);
	cr_rule rules[] = { rule("gp3", CR_ACT_GP3_MIGRATION, CR_MODEL_FRACTION,
				 "*EBS:VolumeUsage.gp2", CR_ENV_ANY) };
	(void)state;

	rules[0].fraction = 0.2;
	rules[0].confidence = CR_CONF_PRICED;
	add_op(l, PROD, "EC2 - Other", "EBS:VolumeUsage.gp2", "CreateVolume-Gp2", 1, CR_KIND_USAGE,
	       "1496", "14960");
	cr_report *r = run(l, rules, 1);
	const cr_proposal *p = find(r, "gp3", PROD);
	assert_non_null(p);
	assert_amount(p->savings, "299.20", "20% of 1,496");
	assert_string_equal(p->confidence, "priced");
	assert_amount(r->savings_total, "299.20", "priced counts");
	cr_report_free(r);
	cr_ledger_free(l);
}

/* No Graviton or Spot on Windows hours; the Linux hours of the same usage
 * type keep theirs. */
static void test_windows_excluded(void **state)
{
	cr_rule rules[] = {
		rule("graviton", CR_ACT_GRAVITON, CR_MODEL_FRACTION, "*BoxUsage:*", CR_ENV_ANY),
		rule("spot", CR_ACT_SPOT, CR_MODEL_FRACTION, "*BoxUsage:*", CR_ENV_ANY),
	};
	(void)state;

	rules[0].fraction = 0.15;
	rules[0].confidence = CR_CONF_PRICED;
	rules[1].fraction = 0.6;
	rules[1].on_demand_only = true;
	for (int linux_too = 0; linux_too <= 1; linux_too++) {
		cr_ledger *l = cr_ledger_new(CR_METRIC_UNBLENDED);
		add_op(l, PROD, EC2, "BoxUsage:m5.xlarge", "RunInstances:0002", 1, CR_KIND_USAGE,
		       "1000", "744");
		if (linux_too)
			add_op(l, PROD, EC2, "BoxUsage:m5.xlarge", "RunInstances", 1, CR_KIND_USAGE,
			       "400", "744");
		cr_report *r = run(l, rules, 2);
		if (!linux_too) {
			assert_int_equal(r->n_proposals, 0);
		} else {
			const cr_proposal *g = find(r, "graviton", PROD), *s = find(r, "spot", PROD);
			assert_non_null(g);
			assert_non_null(s);
			assert_amount(g->savings, "60.00", "15% of the 400 Linux only");
			assert_non_null(strstr(g->evidence, "licensed-platform"));
			/* Spot after Graviton: 60% of 400 x (1,400 - 60) / 1,400 */
			assert_amount(s->savings, "229.71", "Spot on the Linux hours left");
		}
		cr_report_free(r);
		cr_ledger_free(l);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_measured_weekend),
		cmocka_unit_test(test_weekend_already_off_does_not_fire),
		cmocka_unit_test(test_weekend_without_daily_data),
		cmocka_unit_test(test_commitment_floor),
		cmocka_unit_test(test_commitment_needs_a_floor),
		cmocka_unit_test(test_schedule_alternatives_and_stacking),
		cmocka_unit_test(test_guards),
		cmocka_unit_test(test_idle_findings),
		cmocka_unit_test(test_aurora_io_optimized),
		cmocka_unit_test(test_gp2_to_gp3),
		cmocka_unit_test(test_windows_excluded),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
