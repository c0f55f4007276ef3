/* Unit tests: Savings Plans sized from the hourly spend (commitment.h):
 * the optimum against a brute-force search, the existing plans' unused
 * commitment netted first, Windows sized apart with its own discount, the
 * discount measured from the data's own Savings Plan lines. */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "costrank/accounts.h"
#include "costrank/commitment.h"
#include "costrank/date.h"
#include "costrank/ledger.h"
#include "costrank/rank.h"
#include "costrank/savings.h"

#define PROD "222222222222"

static cr_dec dec(const char *s)
{
	cr_dec d;
	assert_true(cr_dec_parse(s, strlen(s), &d) >= 0);
	return d;
}

static cr_dec dec_f(double x)
{
	char s[64];
	snprintf(s, sizeof s, "%.6f", x);
	return dec(s);
}

/* S(x) = sum min(s, x) - n x (1 - d), in doubles: the oracle. */
static double brute_s(const double *s, size_t n, double x, double d)
{
	double t = 0;
	for (size_t h = 0; h < n; h++)
		t += s[h] < x ? s[h] : x;
	return t - (double)n * x * (1 - d);
}

/* A week of hours: working hours high, nights low, weekends lower, with a
 * deterministic ripple; the optimum is well above the lowest hour. */
static void test_optimum_vs_brute_force(void **state)
{
	enum { N = 168 };
	double s[N], d = 0.3, best = -1e300, best_x = 0, top = 0;
	cr_dec v[N], level, saving;

	(void)state;
	for (int h = 0; h < N; h++) {
		int day = h / 24, hod = h % 24;
		double base = day >= 5 ? 3 : (hod >= 8 && hod < 20 ? 12 : 5);
		s[h] = round((base + (double)((h * 37) % 11) / 4) * 1e6) / 1e6;
		v[h] = dec_f(s[h]);
		if (s[h] > top)
			top = s[h];
	}
	/* brute force: every hourly value and a 0.001 grid up to the top */
	for (int h = 0; h < N; h++)
		if (brute_s(s, N, s[h], d) > best)
			best = brute_s(s, N, s[h], d), best_x = s[h];
	for (double x = 0; x <= top; x += 0.001)
		if (brute_s(s, N, x, d) > best + 1e-9)
			best = brute_s(s, N, x, d), best_x = x;
	cr_sp_optimum(v, N, d, &level, &saving);
	assert_true(fabs(cr_dec_to_double(saving) - best) < 1e-6);
	assert_true(fabs(brute_s(s, N, cr_dec_to_double(level), d) - best) < 1e-6);
	assert_true(best > 0);
	assert_true(cr_dec_to_double(level) > 3.0); /* above the lowest hours */
	(void)best_x;

	/* a flat series: everything covered, saving n x s x d */
	for (int h = 0; h < N; h++)
		v[h] = dec("10");
	cr_sp_optimum(v, N, 0.25, &level, &saving);
	assert_true(cr_dec_cmp(level, dec("10")) == 0);
	assert_true(cr_dec_cmp(saving, dec("420")) == 0); /* 168 x 10 x 0.25 */
	/* nothing to save on an empty series */
	for (int h = 0; h < N; h++)
		v[h] = CR_DEC_ZERO;
	cr_sp_optimum(v, N, 0.25, &level, &saving);
	assert_int_equal(cr_dec_sign(saving), 0);
}

/* October 2026, daily data: every fact booked on hour 0 of its day. */
static cr_report *run(cr_ledger *l)
{
	static cr_account_info info[] = {
		{ (char *)PROD, (char *)"prod", (char *)"production", NULL, NULL, NULL, NULL },
	};
	cr_accounts accounts = { .v = info, .n = 1 };
	cr_ruleset rs = { NULL, 0 };
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

static cr_ledger *ledger_with(const char *other_day, const char *windows_day)
{
	cr_ledger *l = cr_ledger_new(CR_METRIC_UNBLENDED);
	cr_error err = { 0 };
	cr_day start, end;
	cr_ledger_key k = { 0 };

	cr_ledger_want_commitments(l);
	assert_int_equal(cr_month_parse("2026-10", &start, &end), 0);
	k.account = cr_ledger_intern(l, PROD, strlen(PROD));
	k.service = cr_ledger_intern(l, "EC2", 3);
	k.usage_type = cr_ledger_intern(l, "BoxUsage:m5.large", 17);
	for (cr_day d = start; d <= end; d++) {
		k.day = d;
		assert_int_equal(cr_ledger_add(l, &k, dec(other_day), dec("24"), 0, &err), 0);
		assert_int_equal(cr_ledger_add_commit(l, (int64_t)d * 24, CR_PLATFORM_OTHER,
						      CR_CF_ELIGIBLE_OD, dec(other_day), &err), 0);
		if (windows_day)
			assert_int_equal(cr_ledger_add_commit(l, (int64_t)d * 24, CR_PLATFORM_WINDOWS,
							      CR_CF_ELIGIBLE_OD, dec(windows_day),
							      &err), 0);
	}
	return l;
}

static void add_each_day(cr_ledger *l, unsigned fact, const char *amount)
{
	cr_error err = { 0 };
	cr_day start, end;

	assert_int_equal(cr_month_parse("2026-10", &start, &end), 0);
	for (cr_day d = start; d <= end; d++)
		assert_int_equal(cr_ledger_add_commit(l, (int64_t)d * 24, CR_PLATFORM_OTHER, fact,
						      dec(amount), &err), 0);
}

static void assert_amount(cr_dec got, const char *want)
{
	char s[CR_DEC_STRLEN];
	cr_dec_format(got, -1, s, sizeof s);
	assert_string_equal(s, want);
}

/* 10 an hour every hour at the table's 25%: commitment 7.5 an hour,
 * saving 744 x (10 - 7.5) = 1,860; one proposal for the organisation. */
static void test_flat_daily_series(void **state)
{
	cr_ledger *l = ledger_with("240", NULL);
	cr_report *r = run(l);
	const cr_report_sp_plan *p = &r->commitments.plans[0];

	(void)state;
	assert_true(r->commitments.present);
	assert_int_equal(r->commitments.n_plans, 1);
	assert_string_equal(p->platform, "other");
	assert_false(p->hourly);
	assert_false(p->discount_measured);
	assert_int_equal(p->hours, 744);
	assert_amount(p->commitment, "7.5");
	assert_amount(p->savings, "1860");
	assert_int_equal(r->n_proposals, 1);
	assert_string_equal(r->proposals[0].rule, "org-savings-plan");
	assert_non_null(strstr(r->proposals[0].evidence, "daily data"));
	assert_amount(r->savings_total, "1860");
	cr_report_free(r);
	cr_ledger_free(l);
}

/* Existing plans: 3 an hour committed, 1.5 used: the spare 1.5 covers 2 of
 * on-demand spend at 25%, so 8 an hour is left to size: commitment 6,
 * saving 744 x 2 = 1,488, and 1,116 netted. */
static void test_unused_commitment_netted(void **state)
{
	cr_ledger *l = ledger_with("240", NULL);
	cr_report *r;
	const cr_report_sp_plan *p;

	(void)state;
	add_each_day(l, CR_CF_SP_COMMITMENT, "72");
	add_each_day(l, CR_CF_SP_USED, "36");
	r = run(l);
	p = &r->commitments.plans[0];
	assert_amount(p->unused_netted, "1116");
	assert_amount(p->commitment, "6");
	assert_amount(p->savings, "1488");
	assert_true(fabs(r->commitments.sp_utilization - 0.5) < 1e-12);
	cr_report_free(r);
	cr_ledger_free(l);
}

/* Windows apart, at its own discount (10%): 5 an hour, commitment 4.5,
 * saving 744 x 0.5 = 372; the other platforms' discount measured from the
 * covered lines (on-demand 100, effective 60: 40%): commitment 6, saving
 * 744 x 4 = 2,976. */
static void test_windows_separated_and_measured_discount(void **state)
{
	cr_ledger *l = ledger_with("240", "120");
	cr_report *r;
	const cr_report_sp_plan *o, *w;

	(void)state;
	add_each_day(l, CR_CF_SP_COVERED_OD, "100");
	add_each_day(l, CR_CF_SP_EFFECTIVE, "60");
	r = run(l);
	assert_int_equal(r->commitments.n_plans, 2);
	o = &r->commitments.plans[0];
	w = &r->commitments.plans[1];
	assert_string_equal(o->platform, "other");
	assert_string_equal(w->platform, "windows");
	assert_true(o->discount_measured);
	assert_true(fabs(o->discount - 0.4) < 1e-12);
	assert_false(w->discount_measured);
	assert_true(fabs(w->discount - CR_SP_TABLE_DISCOUNT_WINDOWS) < 1e-12);
	assert_amount(o->commitment, "6");
	assert_amount(o->savings, "2976");
	assert_amount(w->commitment, "4.5");
	assert_amount(w->savings, "372");
	assert_amount(w->eligible, "3720");
	assert_int_equal(r->n_proposals, 2);
	cr_report_free(r);
	cr_ledger_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_optimum_vs_brute_force),
		cmocka_unit_test(test_flat_daily_series),
		cmocka_unit_test(test_unused_commitment_netted),
		cmocka_unit_test(test_windows_separated_and_measured_discount),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
