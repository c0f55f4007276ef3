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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_postgres),
		cmocka_unit_test(test_athena),
		cmocka_unit_test(test_hostile_tables),
		cmocka_unit_test(test_booking),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
