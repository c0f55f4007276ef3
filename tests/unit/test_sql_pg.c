/* test_sql_pg.c - tests for the --db-url checks of costrank/sql_source.h:
 * passwords refused, libpq's text quoting a URL never passed on, and the
 * name that messages give a database. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "costrank/sql_source.h"

static void test_redacted_names(void **state)
{
	static const struct { const char *url, *name; } cases[] = {
		{ "postgresql://finops@warehouse:5439/billing", "postgresql://warehouse:5439/billing" },
		{ "postgres://warehouse/billing?sslmode=require", "postgresql://warehouse/billing" },
		{ "POSTGRESQL://finops@127.0.0.1:1/db", "postgresql://127.0.0.1:1/db" },
		{ "postgresql://[::1]:5432/db", "postgresql://[::1]:5432/db" },
		{ "host=warehouse port=5439 dbname=billing user=finops",
		  "postgresql://warehouse:5439/billing" },
		{ "postgresql://h/d%0Ab", "postgresql://h/d?b" },
		/* refused: a password, or text libpq cannot read */
		{ "postgresql://u:Pa/ss-SECRET@h:5/db", "the database" },
		{ "postgresql://u:SECRET@h/db?x=1", "the database" },
		{ "postgresql://u@h/db%zzSECRET", "the database" },
		{ "host=h password=SECRET", "the database" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *name = cr_sql_redact_url(cases[i].url);

		assert_string_equal(name, cases[i].name);
		free(name);
	}
}

static void test_refused_urls_are_not_quoted(void **state)
{
	static const char *const urls[] = {
		"postgresql://u:SECRET@h/db",
		"postgresql://u:Pa/ss-SECRET@h:5/db",
		"postgresql://u:Pa?ss-SECRET@h/db",
		"postgresql://u:Pa#ss-SECRET@h/db",
		"postgresql://u:SECRET@h/db?x=1",
		"POSTGRES://u:SECRET@h/db",
		"postgresql://u@h/db?password=SECRET",
		"postgresql://u@h/db?sslpassword=SECRET",
		"host=h password=SECRET",
		"postgresql://u@h/db%zzSECRET",
		"postgresql://u@h/db%00SECRET",
		"postgresql://u@[::1/SECRET",
		"postgresql://u@h/db?SECRET=1",
		"SECRET",
		"host='SECRET",
	};

	(void)state;
	for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
		cr_error err = { 0 };

		assert_int_equal(cr_sql_pg_check_url(urls[i], &err), -1);
		assert_int_equal(err.code, CR_EXIT_USAGE);
		assert_non_null(strstr(err.msg, "--db-url"));
		assert_null(strstr(err.msg, "SECRET"));
		assert_null(strchr(err.msg, '\n'));
	}
}

static void test_accepted_urls(void **state)
{
	static const char *const urls[] = {
		"postgresql://finops@warehouse:5439/billing",
		"postgresql://warehouse/billing?sslmode=verify-full&connect_timeout=5",
		"POSTGRESQL://h/db",
		"host=warehouse dbname=billing",
		"postgresql://user%40corp@h/db",
	};

	(void)state;
	for (size_t i = 0; i < sizeof urls / sizeof urls[0]; i++) {
		cr_error err = { 0 };

		assert_int_equal(cr_sql_pg_check_url(urls[i], &err), 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_redacted_names),
		cmocka_unit_test(test_refused_urls_are_not_quoted),
		cmocka_unit_test(test_accepted_urls),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
