/* test_sql.c - tests for costrank/sql.h: the generated SQL of each dialect
 * against snapshots in tests/data/sql (COSTRANK_UPDATE_SNAPSHOTS=1 rewrites
 * them), identifier quoting, and the booking of answer rows. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "costrank/sql.h"

static cr_day day(int y, int m, int d)
{
	cr_day v = 0;

	assert_int_equal(cr_day_from_ymd(y, m, d, &v), 0);
	return v;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *s;
	long n;

	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	s = calloc(1, (size_t)n + 1);
	assert_non_null(s);
	assert_int_equal(fread(s, 1, (size_t)n, f), (size_t)n);
	fclose(f);
	return s;
}

static void snapshot(const char *name, const char *sql)
{
	const char *dir = getenv("COSTRANK_TEST_DATA");
	char path[4096];
	char *want;

	assert_non_null(dir);
	snprintf(path, sizeof path, "%s/sql/%s", dir, name);
	if (getenv("COSTRANK_UPDATE_SNAPSHOTS")) {
		FILE *f = fopen(path, "wb");
		assert_non_null(f);
		fputs(sql, f);
		fclose(f);
	}
	want = slurp(path);
	if (!want) {
		print_error("%s: no snapshot (COSTRANK_UPDATE_SNAPSHOTS=1 writes it)\n", path);
		fail();
	}
	if (strcmp(want, sql) != 0) {
		print_error("%s differs; generated:\n%s\n", path, sql);
		fail();
	}
	free(want);
}

static cr_sql_query october(enum cr_sql_dialect d, enum cr_sql_layout layout, const char *table)
{
	cr_sql_query q = { .dialect = d, .layout = layout, .table = table,
			   .metric = CR_METRIC_UNBLENDED, .prev_start = day(2026, 9, 1),
			   .start = day(2026, 10, 1), .end = day(2026, 10, 31) };
	return q;
}

static void check(const cr_sql_query *q, const char *lines_name, const char *envs_name,
		  const char *daily_name)
{
	static const char *const usage[] = { "USE1-BoxUsage:m5.large", "it's'; DROP TABLE x; --" };
	char *lines, *envs, *daily;
	cr_error err = { 0 };

	assert_int_equal(cr_sql_build(q, &lines, &envs, &err), 0);
	snapshot(lines_name, lines);
	if (envs_name)
		snapshot(envs_name, envs);
	if (daily_name) {
		assert_int_equal(cr_sql_build_daily(q, usage, 2, &daily, &err), 0);
		snapshot(daily_name, daily);
		free(daily);
	}
	free(lines);
	free(envs);
}

static void test_postgres(void **state)
{
	cr_sql_query q = october(CR_SQL_POSTGRES, CR_SQL_CUR2_START_DATE, "cur");

	(void)state;
	check(&q, "postgres_lines.sql", "postgres_envs.sql", "postgres_daily.sql");
	q.metric = CR_METRIC_AMORTIZED;
	q.table = "billing.cur";
	check(&q, "postgres_amortized_lines.sql", NULL, NULL);
}

static void test_athena(void **state)
{
	cr_sql_query q = october(CR_SQL_ATHENA, CR_SQL_CUR2_PERIOD, "cur_exports.data");

	(void)state;
	check(&q, "athena_lines.sql", "athena_envs.sql", "athena_daily.sql");
	q.metric = CR_METRIC_AMORTIZED;
	check(&q, "athena_amortized_lines.sql", NULL, NULL);
	/* legacy CUR: year/month partitions across a new year, flat columns */
	q = october(CR_SQL_ATHENA, CR_SQL_LEGACY_YEAR_MONTH, "athenacurcfn_cur.cur");
	q.prev_start = day(2025, 12, 1);
	q.start = day(2026, 1, 1);
	q.end = day(2026, 1, 31);
	check(&q, "athena_legacy_lines.sql", "athena_legacy_envs.sql", NULL);
}

static void test_hostile_tables(void **state)
{
	static const struct { const char *in, *out; } ok[] = {
		{ "cur\"; DROP TABLE x; --", "\"cur\"\"; DROP TABLE x; --\"" },
		{ "db.tab\"le", "\"db\".\"tab\"\"le\"" },
		{ "cat.db.t", "\"cat\".\"db\".\"t\"" },
		{ "it's", "\"it's\"" },
		{ "\"\"", "\"\"\"\"\"\"" },
	};
	static const char *const bad[] = { "", "a..b", ".a", "a.", "a.b.c.d", "a\nb", "x\x7f" };
	cr_sql_query q = october(CR_SQL_POSTGRES, CR_SQL_CUR2_START_DATE, "");
	char *lines, *envs;

	(void)state;
	for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
		cr_buf b = { 0 };
		cr_error err = { 0 };

		assert_int_equal(cr_sql_quote_table(&b, ok[i].in, &err), 0);
		cr_buf_addc(&b, 0);
		assert_string_equal(b.ptr, ok[i].out);
		cr_buf_release(&b);
	}
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cr_buf b = { 0 };
		cr_error err = { 0 };

		assert_int_equal(cr_sql_quote_table(&b, bad[i], &err), -1);
		assert_int_equal(err.code, CR_EXIT_USAGE);
		cr_buf_release(&b);
		q.table = bad[i];
		assert_int_equal(cr_sql_build(&q, &lines, &envs, &err), -1);
	}
	q.table = "cur\"; DROP TABLE x; --";
	check(&q, "postgres_hostile_lines.sql", NULL, NULL);
	q = october(CR_SQL_ATHENA, CR_SQL_CUR2_PERIOD, "db.tab\"le");
	check(&q, "athena_hostile_lines.sql", NULL, NULL);
}

static cr_sql_cell cell(const char *s)
{
	cr_sql_cell c = { s, strlen(s) };
	return c;
}

static void test_booking(void **state)
{
	const char *row[CR_SQL_LINE_COLUMNS] = {
		"048213306571", "larkspur-prod", "Usage", "OnDemand", "AmazonEC2",
		"USE1-SpotUsage:m5.large", "Amazon Elastic Compute Cloud", "Hrs", "USD",
		"2026-10-03", "2026-10-09", "12.3400000001", "48.5", "7",
	};
	cr_sql_cell c[CR_SQL_LINE_COLUMNS];
	cr_ledger *l = cr_ledger_new(CR_METRIC_UNBLENDED);
	const cr_ledger_entry *e;
	cr_error err = { 0 };
	uint64_t items = 0;
	cr_day last = 0;
	size_t n;
	char buf[CR_DEC_STRLEN];

	(void)state;
	for (int i = 0; i < CR_SQL_LINE_COLUMNS; i++)
		c[i] = cell(row[i]);
	assert_int_equal(cr_sql_book_line(l, c, NULL, NULL, &items, &last, &err), 0);
	assert_int_equal(items, 7);
	assert_int_equal(last, day(2026, 10, 9));
	e = cr_ledger_entries(l, &n);
	assert_int_equal(n, 1);
	assert_int_equal(e[0].key.kind, CR_KIND_SPOT);
	assert_int_equal(e[0].key.day, day(2026, 10, 3));
	cr_dec_format(e[0].cost, -1, buf, sizeof buf);
	assert_string_equal(buf, "12.3400000001");
	assert_string_equal(cr_ledger_str(l, e[0].unit), "Hrs");
	assert_string_equal(cr_ledger_str(l, cr_ledger_account_name(l, e[0].key.account)),
			    "larkspur-prod");

	/* a second currency, a junk number, a junk date */
	c[CR_SQL_CURRENCY] = cell("EUR");
	assert_int_equal(cr_sql_book_line(l, c, NULL, NULL, &items, &last, &err), -1);
	assert_int_equal(err.code, CR_EXIT_REMOTE);
	c[CR_SQL_CURRENCY] = cell("USD");
	c[CR_SQL_COST] = cell("1e999999");
	assert_int_equal(cr_sql_book_line(l, c, NULL, NULL, &items, &last, &err), -1);
	c[CR_SQL_COST] = cell("1");
	c[CR_SQL_DAY] = cell("2026-13-01");
	assert_int_equal(cr_sql_book_line(l, c, NULL, NULL, &items, &last, &err), -1);
	c[CR_SQL_DAY] = cell("2026-10-03");
	c[CR_SQL_ITEMS] = cell("-1");
	assert_int_equal(cr_sql_book_line(l, c, NULL, NULL, &items, &last, &err), -1);
	cr_ledger_free(l);
}

/* info as a PostgreSQL or Redshift catalogue would answer: name, type pairs */
static void table_info(cr_sql_table_info *info, const char *version, const char *const *cols)
{
	memset(info, 0, sizeof *info);
	for (size_t i = 0; cols[i]; i += 2) {
		cr_sql_cell c[CR_SQL_COL_COLUMNS] = { cell(cols[i]), cell(cols[i + 1]),
						      cell(version) };
		cr_sql_table_info_add(info, c);
	}
}

/* The dimension queries of tag:team, cost-category:CostCenter and region
 * for q, into one snapshot; each must hold the expressions in want. */
static void check_dims(const cr_sql_query *q, const char *name, const char *const *want)
{
	static const struct { enum cr_dim_kind kind; const char *key; } dims[] = {
		{ CR_DIM_TAG, "team" }, { CR_DIM_COST_CATEGORY, "CostCenter" },
		{ CR_DIM_REGION, NULL }, { CR_DIM_TAG, "aws:createdBy" },
	};
	cr_ledger *l = cr_ledger_new(CR_METRIC_UNBLENDED);
	cr_buf all = { 0 };
	cr_error err = { 0 };

	for (size_t i = 0; i < sizeof dims / sizeof dims[0]; i++) {
		char *sql;

		assert_true(cr_ledger_add_dimension(l, dims[i].kind, dims[i].key, &err) >= 0);
		assert_int_equal(cr_sql_build_dim(q, cr_ledger_dimension(l, i), &sql, &err), 0);
		cr_buf_addf(&all, "-- %s\n%s", cr_ledger_dimension(l, i)->name, sql);
		free(sql);
	}
	cr_buf_addc(&all, 0);
	snapshot(name, all.ptr);
	for (size_t i = 0; want[i]; i++)
		if (!strstr(all.ptr, want[i])) {
			print_error("%s lacks %s\n", name, want[i]);
			fail();
		}
	cr_buf_release(&all);
	cr_ledger_free(l);
}

static void test_dimension_queries(void **state)
{
	static const char pg[] = "PostgreSQL 16.4 on x86_64-pc-linux-gnu";
	static const char rs[] = "PostgreSQL 8.0.2 on i686-pc-linux-gnu, compiled by GCC gcc "
				 "(GCC) 3.4.2 20041017 (Red Hat 3.4.2-6.fc3), Redshift 1.0.77467";
	static const char *const json_cols[] = {
		"line_item_usage_account_id", "text", "product", "json", "resource_tags", "json",
		"cost_category", "jsonb", "product_region_code", "text", NULL };
	static const char *const text_cols[] = {
		"product", "text", "resource_tags", "text", "cost_category", "text", NULL };
	static const char *const flat_cols[] = {
		"product_product_name", "text", "resourcetags_user_team", "text",
		"resource_tags_user_environment", "text", "cost_category_costcenter", "text",
		"product_region", "text", NULL };
	static const char *const super_cols[] = {
		"product", "super", "resource_tags", "super", "cost_category", "super", NULL };
	static const char *const varchar_cols[] = {
		"product", "character varying", "resource_tags", "character varying",
		"cost_category", "character varying", "product_region_code", "character varying",
		NULL };
	static const char *const none[] = { "(CAST(NULLIF(CAST(\"resource_tags\" AS text), '') "
					    "AS json) ->> 'user:team')",
					    "AS json) ->> 'user_team')",
					    "AS json) ->> 'CostCenter')", "NULLIF(\"product_region_code\", '')",
					    "GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 15,", NULL };
	static const char *const json[] = { "(\"resource_tags\" ->> 'user:team')",
					    "(\"resource_tags\" ->> 'user_team')",
					    "(\"cost_category\" ->> 'CostCenter')",
					    "(\"resource_tags\" ->> 'aws:createdBy')",
					    "(\"resource_tags\" ->> 'aws_createdBy')",
					    "(\"product\" ->> 'product_name')", NULL };
	static const char *const text[] = { "(CAST(NULLIF(CAST(\"resource_tags\" AS text), '') "
					    "AS json) ->> 'user:team')",
					    "NULLIF((CAST(NULLIF(CAST(\"product\" AS text), '') AS json) ->> "
					    "'region'), '')", NULL };
	static const char *const flat[] = { "NULLIF(\"resourcetags_user_team\", '')",
					    "NULLIF(\"cost_category_costcenter\", '')",
					    "NULLIF(\"product_region\", '')", "\"product_product_name\",",
					    "NULLIF(CAST(NULL AS VARCHAR), '')", NULL };
	static const char *const super[] = { "CAST(\"resource_tags\".\"user:team\" AS VARCHAR)",
					     "CAST(\"resource_tags\".\"user_team\" AS VARCHAR)",
					     "CAST(\"cost_category\".\"CostCenter\" AS VARCHAR)",
					     "CAST(\"product\".\"region\" AS VARCHAR)", NULL };
	static const char *const varchar[] = {
		"JSON_EXTRACT_PATH_TEXT(NULLIF(\"resource_tags\", ''), 'user:team', true)",
		"JSON_EXTRACT_PATH_TEXT(NULLIF(\"cost_category\", ''), 'CostCenter', true)",
		"JSON_EXTRACT_PATH_TEXT(NULLIF(\"product\", ''), 'product_name', true)", NULL };
	static const char *const athena[] = { "element_at(\"resource_tags\", 'user:team')",
					      "element_at(\"resource_tags\", 'user_team')",
					      "element_at(\"cost_category\", 'CostCenter')",
					      "NULLIF(\"product_region_code\", '')",
					      "\"billing_period\" IN ('2026-09', '2026-10')", NULL };
	static const char *const legacy[] = { "NULLIF(\"resource_tags_user_team\", '')",
					      "NULLIF(\"cost_category_costcenter\", '')",
					      "NULLIF(\"product_region\", '')",
					      "NULLIF(\"resource_tags_aws_createdby\", '')", NULL };
	cr_sql_query q = october(CR_SQL_POSTGRES, CR_SQL_CUR2_START_DATE, "billing.cur");
	cr_sql_table_info info;

	(void)state;
	check_dims(&q, "postgres_dims.sql", none);
	q.info = &info;
	table_info(&info, pg, json_cols);
	check_dims(&q, "postgres_json_dims.sql", json);
	cr_sql_table_info_release(&info);
	table_info(&info, pg, text_cols);
	check_dims(&q, "postgres_text_dims.sql", text);
	cr_sql_table_info_release(&info);
	table_info(&info, pg, flat_cols);
	check_dims(&q, "postgres_flat_dims.sql", flat);
	cr_sql_table_info_release(&info);
	table_info(&info, rs, super_cols);
	assert_true(info.redshift);
	check_dims(&q, "redshift_super_dims.sql", super);
	cr_sql_table_info_release(&info);
	table_info(&info, rs, varchar_cols);
	check_dims(&q, "redshift_varchar_dims.sql", varchar);
	cr_sql_table_info_release(&info);
	q = october(CR_SQL_ATHENA, CR_SQL_CUR2_PERIOD, "cur_exports.data");
	check_dims(&q, "athena_dims.sql", athena);
	q = october(CR_SQL_ATHENA, CR_SQL_LEGACY_YEAR_MONTH, "athenacurcfn_cur.cur");
	check_dims(&q, "athena_legacy_dims.sql", legacy);
}

static void test_dimension_keys(void **state)
{
	cr_sql_query q = october(CR_SQL_POSTGRES, CR_SQL_CUR2_START_DATE, "cur");
	cr_sql_table_info info;
	cr_ledger *l = cr_ledger_new(CR_METRIC_UNBLENDED);
	cr_error err = { 0 };
	char *sql;

	(void)state;
	/* a quote in a key is a doubled quote in the literal and the identifier */
	assert_int_equal(cr_ledger_add_dimension(l, CR_DIM_TAG, "o'brien\"x", &err), 0);
	assert_int_equal(cr_sql_build_dim(&q, cr_ledger_dimension(l, 0), &sql, &err), 0);
	assert_non_null(strstr(sql, "->> 'user:o''brien\"x')"));
	free(sql);
	q.info = &info;
	table_info(&info, "Redshift 1.0", (const char *const[]){ "resource_tags", "super", NULL });
	assert_int_equal(cr_sql_build_dim(&q, cr_ledger_dimension(l, 0), &sql, &err), 0);
	assert_non_null(strstr(sql, "\"resource_tags\".\"user:o'brien\"\"x\""));
	free(sql);
	cr_sql_table_info_release(&info);
	q.info = NULL;
	/* and in a legacy table's column of its own */
	q.layout = CR_SQL_LEGACY_YEAR_MONTH;
	q.dialect = CR_SQL_ATHENA;
	assert_int_equal(cr_sql_build_dim(&q, cr_ledger_dimension(l, 0), &sql, &err), 0);
	assert_non_null(strstr(sql, "NULLIF(\"resource_tags_user_o'brien\"\"x\", '')"));
	free(sql);
	q = october(CR_SQL_POSTGRES, CR_SQL_CUR2_START_DATE, "cur");
	/* a backslash or a control character is refused, not quoted */
	assert_int_equal(cr_ledger_add_dimension(l, CR_DIM_TAG, "a\\b", &err), 1);
	assert_int_equal(cr_sql_build_dim(&q, cr_ledger_dimension(l, 1), &sql, &err), -1);
	assert_int_equal(err.code, CR_EXIT_USAGE);
	assert_null(sql);
	assert_int_equal(cr_ledger_add_dimension(l, CR_DIM_COST_CATEGORY, "a\nb", &err), 2);
	assert_int_equal(cr_sql_build_dim(&q, cr_ledger_dimension(l, 2), &sql, &err), -1);
	/* the columns query: the schema of a dotted name, else the search path */
	q.table = "billing.cur'x";
	assert_int_equal(cr_sql_build_columns(&q, &sql, &err), 0);
	snapshot("postgres_columns.sql", sql);
	assert_non_null(strstr(sql, "\"table_name\" = 'cur''x'"));
	assert_non_null(strstr(sql, "\"table_schema\" = 'billing'"));
	free(sql);
	q.table = "cur";
	assert_int_equal(cr_sql_build_columns(&q, &sql, &err), 0);
	assert_non_null(strstr(sql, "\"table_schema\" = ANY (current_schemas(false))"));
	free(sql);
	cr_ledger_free(l);
}

static void test_booking_dims(void **state)
{
	const char *row[CR_SQL_DIM_COLUMNS] = {
		"048213306571", "larkspur-prod", "Usage", "OnDemand", "AmazonEC2",
		"USE1-BoxUsage:m5.large", "Amazon Elastic Compute Cloud", "Hrs", "USD",
		"2026-10-03", "2026-10-09", "12.5", "48.5", "7", "platform",
	};
	cr_sql_cell c[CR_SQL_DIM_COLUMNS];
	cr_ledger *l = cr_ledger_new(CR_METRIC_UNBLENDED);
	const cr_ledger_entry *e;
	cr_error err = { 0 };
	size_t n;
	char buf[CR_DEC_STRLEN];

	(void)state;
	for (int i = 0; i < CR_SQL_DIM_COLUMNS; i++)
		c[i] = cell(row[i]);
	assert_int_equal(cr_ledger_add_dimension(l, CR_DIM_TAG, "team", &err), 0);
	assert_int_equal(cr_ledger_add_dimension(l, CR_DIM_RESOURCE, NULL, &err), 1);
	assert_int_equal(cr_sql_book_dim(l, 0, c, &err), 0);
	c[CR_SQL_DIM_VALUE] = cell("");  /* untagged */
	assert_int_equal(cr_sql_book_dim(l, 0, c, &err), 0);
	assert_int_equal(cr_sql_book_dim(l, 0, c, &err), 0);
	e = cr_ledger_dim_entries(l, 0, &n);
	assert_int_equal(n, 2);
	assert_string_equal(cr_ledger_str(l, e[0].key.dim), "platform");
	assert_string_equal(cr_ledger_str(l, e[0].key.service),
			    "Amazon Elastic Compute Cloud - Compute");
	assert_int_equal(e[0].key.day, day(2026, 10, 3));
	assert_int_equal(e[1].key.dim, 0);
	cr_dec_format(e[1].cost, -1, buf, sizeof buf);
	assert_string_equal(buf, "25");
	/* the main entries stay as they are */
	cr_ledger_entries(l, &n);
	assert_int_equal(n, 0);
	/* a resource: one entry with its cost, first and last day billed */
	c[CR_SQL_DIM_VALUE] = cell("i-0abc");
	assert_int_equal(cr_sql_book_dim(l, 1, c, &err), 0);
	const cr_ledger_resource *res = cr_ledger_resources(l, &n);
	assert_int_equal(n, 1);
	assert_string_equal(cr_ledger_str(l, res[0].resource), "i-0abc");
	assert_int_equal(res[0].first, day(2026, 10, 3));
	assert_int_equal(res[0].last, day(2026, 10, 9));
	/* a junk cost fails */
	c[CR_SQL_COST] = cell("x");
	assert_int_equal(cr_sql_book_dim(l, 0, c, &err), -1);
	assert_int_equal(err.code, CR_EXIT_REMOTE);
	cr_ledger_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_postgres),
		cmocka_unit_test(test_athena),
		cmocka_unit_test(test_hostile_tables),
		cmocka_unit_test(test_booking),
		cmocka_unit_test(test_dimension_queries),
		cmocka_unit_test(test_dimension_keys),
		cmocka_unit_test(test_booking_dims),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
