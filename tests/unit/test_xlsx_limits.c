/* test_xlsx_limits.c - a workbook whose sheets would be longer than a
 * worksheet holds (1,048,576 rows): written, with notes instead of the
 * rows that do not fit, never an error that costs the whole run. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "costrank/buf.h"
#include "costrank/decimal.h"
#include "costrank/error.h"
#include "costrank/report.h"
#include "costrank/writer.h"

#include "report_builder.h"

/* accounts x services rows in the Services sheet; every service with
 * usage_each usage types */
static cr_report *make_wide(size_t accounts, int services, int usage_each)
{
	cr_report *r = calloc(1, sizeof *r);
	char id[24];

	assert_non_null(r);
	r->schema = CR_REPORT_SCHEMA;
	r->start = day(2026, 10, 1);
	r->end = day(2026, 10, 31);
	r->period_label = strdup("2026-10");
	r->currency = strdup("USD");
	r->source_kind = strdup("cur2");
	r->total = cr_dec_from_int((int64_t)(accounts * (size_t)services));
	r->recon.ranked = r->recon.grand_total = r->total;
	r->accounts = calloc(accounts, sizeof *r->accounts);
	assert_non_null(r->accounts);
	for (size_t i = 0; i < accounts; i++) {
		cr_report_account *a = &r->accounts[r->n_accounts++];

		snprintf(id, sizeof id, "%012zu", i);
		a->rank = (int)i + 1;
		a->id = strdup(id);
		a->name = strdup("");
		a->environment = strdup("");
		a->owner = strdup("");
		a->environment_source = "unknown";
		a->total = cr_dec_from_int(services);
		a->services = calloc((size_t)services, sizeof *a->services);
		assert_non_null(a->services);
		for (int j = 0; j < services; j++) {
			cr_report_service *s = &a->services[a->n_services++];

			s->rank = j + 1;
			s->name = strdup("Amazon Simple Storage Service");
			s->cost = cr_dec_from_int(1);
			for (int k = 0; k < usage_each; k++)
				add_usage(a, s, k + 1, "TimedStorage", "1", "1", "GB-Mo", "0", false, 0,
					  false);
		}
	}
	return r;
}

/* The writer's bytes: a zip archive, "PK". */
static void write_ok(const cr_report *r)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	cr_error err = { 0 };

	assert_non_null(out);
	assert_int_equal(cr_write_xlsx(r, out, NULL, &err), 0);
	assert_int_equal(err.code, 0);
	fclose(out);
	assert_true(len > 1000);
	assert_memory_equal(buf, "PK", 2);
	free(buf);
}

/* Builds the report, checks which sheets are left out, writes it. */
static void check_wide(size_t accounts, int services, int usage_each, size_t omitted,
		       const char *names)
{
	cr_report *r = make_wide(accounts, services, usage_each);
	cr_buf b = CR_BUF_INIT;

	assert_int_equal(cr_xlsx_omitted(r, &b), omitted);
	assert_string_equal(b.ptr ? b.ptr : "", names);
	write_ok(r);
	cr_buf_release(&b);
	cr_report_free(r);
}

/* 100,000 accounts of 11 services: 1,100,000 rows in Services and in
 * Usage types. */
static void test_too_many_rows_leaves_sheets_out(void **state)
{
	(void)state;
	check_wide(100000, 11, 0, 2, "Services (1100000 rows), Usage types (1100000 rows)");
}

/* The services fit, their usage types do not. */
static void test_only_the_long_sheet_is_left_out(void **state)
{
	(void)state;
	check_wide(1000, 10, 105, 1, "Usage types (1050000 rows)");
}

/* Exactly as many rows as fit: nothing left out. */
static void test_rows_that_fit(void **state)
{
	cr_report *r = make_wide(1, 1048574, 0);
	cr_buf b = CR_BUF_INIT;

	(void)state;
	assert_int_equal(cr_xlsx_omitted(r, &b), 0);
	cr_buf_release(&b);
	cr_report_free(r);
	r = make_wide(1, 1048575, 0);
	assert_int_equal(cr_xlsx_omitted(r, &b), 2);
	cr_buf_release(&b);
	cr_report_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_too_many_rows_leaves_sheets_out),
		cmocka_unit_test(test_only_the_long_sheet_is_left_out),
		cmocka_unit_test(test_rows_that_fit),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
