/* Unit tests: period selection and ranking (ties, remainders, previous period). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "costrank/date.h"
#include "costrank/ledger.h"
#include "costrank/period.h"
#include "costrank/rank.h"

static cr_day day(const char *s)
{
	cr_day d;
	assert_int_equal(cr_day_parse(s, strlen(s), &d), 0);
	return d;
}

static cr_dec dec(const char *s)
{
	cr_dec d;
	assert_true(cr_dec_parse(s, strlen(s), &d) >= 0);
	return d;
}

static void add(cr_ledger *l, const char *acct, const char *svc, const char *ut,
		const char *date, enum cr_kind kind, const char *cost)
{
	cr_ledger_key k = {
		.account = cr_ledger_intern(l, acct, strlen(acct)),
		.service = cr_ledger_intern(l, svc, strlen(svc)),
		.usage_type = cr_ledger_intern(l, ut, strlen(ut)),
		.day = day(date), .kind = kind,
	};
	cr_error err = { 0 };
	assert_int_equal(cr_ledger_add(l, &k, dec(cost), dec("1"), cr_ledger_intern(l, "Hrs", 3), &err), 0);
}

static void assert_dec(cr_dec got, const char *want)
{
	char buf[CR_DEC_STRLEN];
	cr_dec_format(got, -1, buf, sizeof buf);
	if (strcmp(buf, want) != 0)
		print_error("amount %s, expected %s\n", buf, want);
	assert_string_equal(buf, want);
}

static cr_rank_opts month_opts(const char *month, int top, int top_usage)
{
	cr_rank_opts o = { .top_services = top, .top_usage = top_usage, .period_complete = true };
	assert_int_equal(cr_month_parse(month, &o.period.start, &o.period.end), 0);
	o.period.is_month = true;
	return o;
}

static void test_period_default(void **state)
{
	cr_period p;
	bool complete;
	(void)state;

	/* two whole months: the later one */
	cr_period_default(day("2026-09-01"), day("2026-10-31"), &p, &complete);
	assert_true(complete);
	assert_int_equal(p.start, day("2026-10-01"));
	assert_int_equal(p.end, day("2026-10-31"));
	/* the running month is partial: the month before */
	cr_period_default(day("2026-09-01"), day("2026-11-22"), &p, &complete);
	assert_true(complete);
	assert_int_equal(p.start, day("2026-10-01"));
	assert_int_equal(p.end, day("2026-10-31"));
	/* only a partial month: it, flagged incomplete */
	cr_period_default(day("2026-11-01"), day("2026-11-22"), &p, &complete);
	assert_false(complete);
	assert_int_equal(p.start, day("2026-11-01"));
	assert_int_equal(p.end, day("2026-11-30"));
	/* data starting mid-month before a partial one: nothing complete */
	cr_period_default(day("2026-10-15"), day("2026-11-22"), &p, &complete);
	assert_false(complete);
}

static void test_period_previous_and_options(void **state)
{
	cr_period p, prev;
	bool given;
	cr_error err = { 0 };
	char label[32];
	(void)state;

	assert_int_equal(cr_period_from_options("2026-03", NULL, NULL, &p, &given, &err), 0);
	assert_true(given && p.is_month);
	cr_period_previous(&p, &prev);
	assert_int_equal(prev.start, day("2026-02-01"));
	assert_int_equal(prev.end, day("2026-02-28"));   /* previous month, not 31 days */
	cr_period_label(&p, label, sizeof label);
	assert_string_equal(label, "2026-03");

	assert_int_equal(cr_period_from_options(NULL, "2026-10-01", "2026-10-15", &p, &given, &err), 0);
	assert_false(p.is_month);
	cr_period_previous(&p, &prev);
	assert_int_equal(prev.start, day("2026-09-16"));
	assert_int_equal(prev.end, day("2026-09-30"));
	cr_period_label(&p, label, sizeof label);
	assert_string_equal(label, "2026-10-01_2026-10-15");

	/* a whole month given as a range is a month */
	assert_int_equal(cr_period_from_options(NULL, "2026-01-01", "2026-01-31", &p, &given, &err), 0);
	assert_true(p.is_month);

	assert_int_equal(cr_period_from_options(NULL, NULL, NULL, &p, &given, &err), 0);
	assert_false(given);
	assert_int_equal(cr_period_from_options("2026-10", "2026-10-01", "2026-10-02", &p, &given, &err), -1);
	assert_int_equal(err.code, CR_EXIT_USAGE);
	cr_error_clear(&err);
	assert_int_equal(cr_period_from_options(NULL, "2026-10-05", "2026-10-01", &p, &given, &err), -1);
	cr_error_clear(&err);
	assert_int_equal(cr_period_from_options("2026-1", NULL, NULL, &p, &given, &err), -1);
}

static void test_ranking_ties_and_remainders(void **state)
{
	cr_ledger *l = cr_ledger_new(CR_METRIC_UNBLENDED);
	cr_error err = { 0 };
	cr_rank_opts o = month_opts("2026-10", 2, 1);
	cr_report *r;
	(void)state;

	/* account B outranks A; in A two services tie at 10 and sort by name */
	add(l, "000000000002", "Svc Z", "u1", "2026-10-01", CR_KIND_USAGE, "10");
	add(l, "000000000002", "Svc A", "u1", "2026-10-02", CR_KIND_USAGE, "10");
	add(l, "000000000002", "Svc M", "u1", "2026-10-03", CR_KIND_USAGE, "3.5");
	add(l, "000000000002", "Svc M", "u2", "2026-10-03", CR_KIND_USAGE, "0.25");
	add(l, "000000000003", "Svc A", "u2", "2026-10-04", CR_KIND_USAGE, "50");
	add(l, "000000000003", "Svc A", "u1", "2026-10-04", CR_KIND_USAGE, "50");
	add(l, "000000000003", "Svc A", "u3", "2026-10-05", CR_KIND_USAGE, "0.0000000001");
	/* excluded categories and rows outside the period */
	add(l, "000000000002", "Tax", "", "2026-10-01", CR_KIND_TAX, "4.2");
	add(l, "000000000002", "Svc A", "u1", "2026-10-01", CR_KIND_CREDIT, "-1");
	add(l, "000000000002", "Svc A", "u1", "2026-11-01", CR_KIND_USAGE, "999");

	r = cr_rank_build(l, &o, &err);
	assert_non_null(r);
	assert_false(r->has_previous);
	assert_int_equal(r->n_accounts, 2);
	assert_string_equal(r->accounts[0].id, "000000000003");
	assert_dec(r->accounts[0].total, "100.0000000001");
	cr_report_account *a = &r->accounts[1];
	assert_string_equal(a->id, "000000000002");
	assert_dec(a->total, "23.75");
	assert_int_equal(a->n_services, 3);
	assert_int_equal(a->services_total, 3);
	assert_string_equal(a->services[0].name, "Svc A");
	assert_int_equal(a->services[0].rank, 1);
	assert_string_equal(a->services[1].name, "Svc Z");
	assert_true(a->services[2].is_other);
	assert_int_equal(a->services[2].rank, 0);
	assert_int_equal(a->services[2].other_count, 1);
	assert_dec(a->services[2].cost, "3.75");
	/* usage ties: u1 and u2 at 50 in account 3, u1 first; u3 folded */
	cr_report_service *s = &r->accounts[0].services[0];
	assert_int_equal(s->n_usage, 2);
	assert_string_equal(s->usage[0].usage_type, "u1");
	assert_true(s->usage[1].is_other);
	assert_int_equal(s->usage[1].other_count, 2);
	assert_dec(s->usage[1].cost, "50.0000000001");
	/* reconciliation */
	assert_dec(r->recon.ranked, "123.7500000001");
	assert_dec(r->recon.excluded[CR_EXCL_TAX], "4.2");
	assert_dec(r->recon.excluded[CR_EXCL_CREDIT], "-1");
	assert_dec(r->recon.grand_total, "126.9500000001");
	assert_dec(r->total, "123.7500000001");
	assert_true(a->share > 0.19 && a->share < 0.2);
	cr_report_free(r);

	/* --include tax ranks the tax line under the service "Tax" */
	o.include[CR_EXCL_TAX] = true;
	o.top_services = 10;
	r = cr_rank_build(l, &o, &err);
	assert_non_null(r);
	assert_dec(r->total, "127.9500000001");
	assert_dec(r->recon.excluded[CR_EXCL_TAX], "0");
	assert_dec(r->recon.grand_total, "126.9500000001");
	cr_report_free(r);
	cr_ledger_free(l);
}

static void test_previous_period(void **state)
{
	cr_ledger *l = cr_ledger_new(CR_METRIC_UNBLENDED);
	cr_error err = { 0 };
	cr_rank_opts o = month_opts("2026-10", 10, 10);
	cr_report *r;
	(void)state;

	add(l, "111111111111", "S3", "old", "2026-09-01", CR_KIND_USAGE, "7");
	add(l, "111111111111", "S3", "old", "2026-09-30", CR_KIND_USAGE, "1");
	add(l, "111111111111", "S3", "old", "2026-10-31", CR_KIND_USAGE, "10");
	add(l, "111111111111", "S3", "fresh", "2026-10-15", CR_KIND_USAGE, "2");
	add(l, "111111111111", "EC2", "gone", "2026-09-10", CR_KIND_USAGE, "5");
	add(l, "111111111111", "S3", "old", "2026-08-31", CR_KIND_USAGE, "1000");

	r = cr_rank_build(l, &o, &err);
	assert_non_null(r);
	assert_true(r->has_previous);
	assert_dec(r->previous_total, "13");
	cr_report_account *a = &r->accounts[0];
	assert_dec(a->previous_total, "13");
	assert_int_equal(a->n_services, 2);
	assert_string_equal(a->services[0].name, "S3");
	assert_dec(a->services[0].previous_cost, "8");
	assert_false(a->services[0].is_new);
	assert_string_equal(a->services[0].usage[0].usage_type, "old");
	assert_false(a->services[0].usage[0].is_new);
	assert_string_equal(a->services[0].usage[1].usage_type, "fresh");
	assert_true(a->services[0].usage[1].is_new);
	/* a service that stopped keeps its previous cost */
	assert_string_equal(a->services[1].name, "EC2");
	assert_dec(a->services[1].cost, "0");
	assert_dec(a->services[1].previous_cost, "5");
	cr_report_free(r);

	/* a period whose previous one the data does not cover */
	o = month_opts("2026-09", 10, 10);
	cr_ledger *l2 = cr_ledger_new(CR_METRIC_UNBLENDED);
	add(l2, "1", "S3", "x", "2026-09-03", CR_KIND_USAGE, "1");
	r = cr_rank_build(l2, &o, &err);
	assert_non_null(r);
	assert_false(r->has_previous);
	assert_false(r->accounts[0].services[0].usage[0].is_new);
	cr_report_free(r);

	/* no rows in the period */
	o = month_opts("2025-01", 10, 10);
	assert_null(cr_rank_build(l2, &o, &err));
	assert_int_equal(err.code, CR_EXIT_NODATA);
	cr_ledger_free(l2);
	cr_ledger_free(l);
}

/* The organisation's services: whole costs, even where an account folds a
 * service into "Other services". */
static void test_organisation_services(void **state)
{
	cr_ledger *l = cr_ledger_new(CR_METRIC_UNBLENDED);
	cr_error err = { 0 };
	cr_rank_opts o = month_opts("2026-10", 1, 1);
	cr_report *r;
	(void)state;

	/* account A: EC2 first, S3 folded away (top 1) */
	add(l, "A", "EC2", "box", "2026-10-01", CR_KIND_USAGE, "100.5");
	add(l, "A", "S3", "storage", "2026-10-02", CR_KIND_USAGE, "40.25");
	add(l, "A", "S3", "storage", "2026-09-02", CR_KIND_USAGE, "30");
	/* account B: S3 first, EC2 folded away */
	add(l, "B", "S3", "requests", "2026-10-03", CR_KIND_USAGE, "70.0000000001");
	add(l, "B", "EC2", "box", "2026-10-03", CR_KIND_USAGE, "9.5");
	/* account C: only a previous cost of Lambda; KMS ties with EC2 */
	add(l, "C", "Lambda", "gb-s", "2026-09-01", CR_KIND_USAGE, "5");
	add(l, "C", "KMS", "keys", "2026-10-20", CR_KIND_USAGE, "110");
	/* credits stay out */
	add(l, "A", "EC2", "box", "2026-10-05", CR_KIND_CREDIT, "-50");

	r = cr_rank_build(l, &o, &err);
	assert_non_null(r);
	assert_string_equal(r->accounts[0].services[1].name, "Other services");
	assert_int_equal(r->n_services, 4);
	/* S3 110.2500000001, then EC2 and KMS at 110: cost, then name */
	assert_string_equal(r->services[0].name, "S3");
	assert_dec(r->services[0].cost, "110.2500000001");
	assert_dec(r->services[0].previous_cost, "30");
	assert_int_equal(r->services[0].accounts, 2);
	assert_false(r->services[0].is_new);
	assert_string_equal(r->services[1].name, "EC2");
	assert_dec(r->services[1].cost, "110");
	assert_int_equal(r->services[1].accounts, 2);
	assert_true(r->services[1].is_new);
	assert_string_equal(r->services[2].name, "KMS");
	assert_dec(r->services[2].cost, "110");
	assert_int_equal(r->services[2].accounts, 1);
	assert_string_equal(r->services[3].name, "Lambda");
	assert_dec(r->services[3].cost, "0");
	assert_dec(r->services[3].previous_cost, "5");
	assert_int_equal(r->services[3].accounts, 0);
	for (size_t i = 0; i < r->n_services; i++)
		assert_int_equal(r->services[i].rank, (int)i + 1);
	/* the services add up to the ranked total */
	cr_dec sum = { 0 };
	for (size_t i = 0; i < r->n_services; i++)
		assert_int_equal(cr_dec_acc(&sum, r->services[i].cost), 0);
	assert_int_equal(cr_dec_cmp(sum, r->total), 0);
	assert_true(r->has_previous);
	assert_true(r->services[0].share > 0.33 && r->services[0].share < 0.34);
	cr_report_free(r);
	cr_ledger_free(l);
}

static void test_ledger_exact_and_interning(void **state)
{
	cr_ledger *l = cr_ledger_new(CR_METRIC_UNBLENDED);
	cr_error err = { 0 };
	size_t n;
	(void)state;

	for (int i = 0; i < 100000; i++)
		add(l, "1", "S", "u", "2026-10-01", CR_KIND_USAGE, "0.0000000001");
	const cr_ledger_entry *e = cr_ledger_entries(l, &n);
	assert_int_equal(n, 1);
	assert_dec(e[0].cost, "0.00001");
	assert_int_equal(cr_ledger_intern(l, "abc", 3), cr_ledger_intern(l, "abcd", 3));
	assert_int_equal(cr_ledger_intern(l, "", 0), 0);
	/* many distinct keys: the table grows and keeps every sum */
	for (int i = 0; i < 20000; i++) {
		char ut[32];
		snprintf(ut, sizeof ut, "usage-%d", i);
		add(l, "1", "S", ut, "2026-10-02", CR_KIND_USAGE, "1.5");
		add(l, "1", "S", ut, "2026-10-02", CR_KIND_USAGE, "1.5");
	}
	e = cr_ledger_entries(l, &n);
	assert_int_equal(n, 20001);
	for (size_t i = 1; i < n; i++)
		assert_dec(e[i].cost, "3");
	/* overflow is an error, not a wrap */
	cr_ledger_key k = e[1].key;
	cr_dec big = dec("100000000000000000000");
	assert_int_equal(cr_ledger_add(l, &k, big, CR_DEC_ZERO, 0, &err), 0);
	assert_int_equal(cr_ledger_add(l, &k, big, CR_DEC_ZERO, 0, &err), -1);
	assert_int_equal(err.code, CR_EXIT_INPUT);
	cr_ledger_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_period_default),
		cmocka_unit_test(test_period_previous_and_options),
		cmocka_unit_test(test_ranking_ties_and_remainders),
		cmocka_unit_test(test_previous_period),
		cmocka_unit_test(test_organisation_services),
		cmocka_unit_test(test_ledger_exact_and_interning),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
