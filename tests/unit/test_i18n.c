/* test_i18n.c - the language choice and the lookup in the embedded catalogue */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "costrank/i18n.h"

static void test_lookup(void **state)
{
	(void)state;
	cr_i18n_use(CR_LANG_EN);
	assert_string_equal(_("Savings proposals"), "Savings proposals");
	cr_i18n_use(CR_LANG_JA);
	assert_string_equal(_("Savings proposals"), "削減提案");
	assert_string_equal(_("Total"), "合計");
	/* a string not in the catalogue falls back to itself, never to "" */
	assert_string_equal(_("no such message in the catalogue"),
			    "no such message in the catalogue");
	assert_string_equal(_(""), "");
	assert_string_equal(cr_i18n_code(), "ja");
	cr_i18n_use(CR_LANG_EN);
	assert_string_equal(cr_i18n_code(), "en");
}

static void test_set(void **state)
{
	cr_error err = { 0 };

	(void)state;
	assert_int_equal(cr_i18n_set("ja", &err), 0);
	assert_int_equal(cr_i18n_current(), CR_LANG_JA);
	assert_int_equal(cr_i18n_set("en", &err), 0);
	assert_int_equal(cr_i18n_current(), CR_LANG_EN);
	assert_int_equal(cr_i18n_set("ja_JP.UTF-8", &err), 0);
	assert_int_equal(cr_i18n_current(), CR_LANG_JA);
	assert_int_equal(cr_i18n_set("fr", &err), -1);
	assert_int_equal(err.code, CR_EXIT_USAGE);
	assert_int_equal(cr_i18n_current(), CR_LANG_JA);
	cr_i18n_use(CR_LANG_EN);
}

static void test_environment(void **state)
{
	(void)state;
	unsetenv("LC_ALL");
	unsetenv("LC_MESSAGES");
	unsetenv("LANG");
	assert_int_equal(cr_i18n_from_env(), CR_LANG_EN);
	setenv("LANG", "ja_JP.UTF-8", 1);
	assert_int_equal(cr_i18n_from_env(), CR_LANG_JA);
	setenv("LC_MESSAGES", "C", 1);
	assert_int_equal(cr_i18n_from_env(), CR_LANG_EN);
	setenv("LC_ALL", "ja_JP.eucJP", 1);
	assert_int_equal(cr_i18n_from_env(), CR_LANG_JA);
	/* set but empty counts as not set */
	setenv("LC_ALL", "", 1);
	assert_int_equal(cr_i18n_from_env(), CR_LANG_EN);
	setenv("LC_MESSAGES", "de_DE.UTF-8", 1);
	assert_int_equal(cr_i18n_from_env(), CR_LANG_EN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup),
		cmocka_unit_test(test_set),
		cmocka_unit_test(test_environment),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
