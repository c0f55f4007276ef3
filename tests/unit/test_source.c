/* test_source.c - tests for the table of sources (costrank/source.h): names
 * and aliases, the options each source needs, and a pull that ends at the
 * ledger with its provenance. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "costrank/source.h"

static void test_names(void **state)
{
	size_t n;
	const cr_source *all = cr_sources(&n);

	(void)state;
	assert_int_equal(n, 4);
	assert_string_equal(all[0].name, "files");
	assert_ptr_equal(cr_source_find("files"), &all[0]);
	assert_ptr_equal(cr_source_find("ce"), &all[1]);
	assert_ptr_equal(cr_source_find("cost-explorer"), &all[1]);
	assert_ptr_equal(cr_source_find("postgres"), &all[2]);
	assert_ptr_equal(cr_source_find("redshift"), &all[2]);
	assert_ptr_equal(cr_source_find("athena"), &all[3]);
	assert_null(cr_source_find("parquet"));
	assert_null(cr_source_find(""));
	assert_null(cr_source_find(NULL));
	for (size_t i = 0; i < n; i++)
		assert_non_null(all[i].pull);
}

static void test_checks(void **state)
{
	const cr_source *pg = cr_source_find("postgres"), *ath = cr_source_find("athena");
	cr_source_ctx c = { .table_layout = -1 };
	cr_error err = { 0 };

	(void)state;
	assert_int_equal(pg->check(&c, &err), -1);
	assert_int_equal(err.code, CR_EXIT_USAGE);
	assert_string_equal(err.msg, "--source postgres needs --table NAME");
	c.table = "cur";
	cr_error_clear(&err);
	assert_int_equal(pg->check(&c, &err), -1);
	assert_string_equal(err.msg, "--source postgres needs --db-url URL");
	c.db_url = "postgresql://u:SECRET@h/db";
	cr_error_clear(&err);
	assert_int_equal(pg->check(&c, &err), -1);
	assert_null(strstr(err.msg, "SECRET"));
	c.db_url = "postgresql://finops@warehouse/billing";
	cr_error_clear(&err);
	assert_int_equal(pg->check(&c, &err), 0);

	cr_error_clear(&err);
	assert_int_equal(ath->check(&c, &err), -1);
	assert_string_equal(err.msg, "--source athena needs --athena-database DB");
	c.athena_database = "billing";
	assert_int_equal(ath->check(&c, &err), 0);
}

/* --dry-run of a SQL source prints the queries and calls nothing */
static void test_describe(void **state)
{
	const cr_source *pg = cr_source_find("postgres");
	cr_source_ctx c = { .table = "cur", .table_layout = -1, .db_url = "postgresql://h/d" };
	cr_error err = { 0 };
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	(void)state;
	assert_int_equal(cr_day_from_ymd(2026, 10, 1, &c.period.start), 0);
	assert_int_equal(cr_day_from_ymd(2026, 10, 31, &c.period.end), 0);
	c.period.is_month = true;
	assert_int_equal(pg->describe(&c, CR_METRIC_UNBLENDED, f, &err), 1);
	fclose(f);
	assert_non_null(strstr(text, "-- line items, summed per period"));
	assert_non_null(strstr(text, "cur"));
	free(text);
}

/* the files source fills the ledger and leaves its provenance empty */
static void test_files_pull(void **state)
{
	char path[] = "/tmp/costrank-test-source-XXXXXX.csv";
	int fd = mkstemps(path, 4);
	FILE *f;
	char *paths[1] = { path };
	cr_source_ctx c = { .paths = paths, .n_paths = 1 };
	cr_ledger *l = cr_ledger_new(CR_METRIC_UNBLENDED);
	cr_error err = { 0 };
	size_t n;

	(void)state;
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs("identity_line_item_id,line_item_usage_account_id,line_item_product_code,"
	      "line_item_usage_type,line_item_usage_start_date,line_item_line_item_type,"
	      "line_item_unblended_cost,line_item_net_unblended_cost,bill_billing_period_start_date,"
	      "line_item_usage_amount,pricing_unit,product,resource_tags\n"
	      "a,111122223333,AmazonEC2,BoxUsage:m5.large,2026-10-03T00:00:00Z,Usage,"
	      "1.25,1.25,2026-10-01T00:00:00Z,1,Hrs,{},{}\n", f);
	fclose(f);
	assert_int_equal(cr_source_find("files")->pull(&c, l, &err), 0);
	cr_ledger_entries(l, &n);
	assert_int_equal(n, 1);
	assert_int_equal(cr_ledger_provenance_of(l)->n_notes, 0);
	assert_false(cr_ledger_provenance_of(l)->pushdown.used);
	unlink(path);
	cr_ledger_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_checks),
		cmocka_unit_test(test_describe),
		cmocka_unit_test(test_files_pull),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
