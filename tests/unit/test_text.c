/* test_text.c - the shared cleaning of text from the data (report/render.h,
 * text.h, error messages) and the accounts file's environment names and
 * near ids (accounts.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "costrank/accounts.h"
#include "costrank/buf.h"
#include "costrank/error.h"
#include "report/render.h"

static void expect_clean(const char *in, size_t max, const char *want)
{
	cr_buf b = CR_BUF_INIT;

	cr_render_clean(&b, in, max);
	assert_string_equal(b.ptr, want);
	cr_buf_release(&b);
}

static void test_bidi_controls_become_question_marks(void **state)
{
	(void)state;
	/* U+202E would show "Box" then the rest reversed, amount included */
	expect_clean("Box\xE2\x80\xAEredro 12.50", 0, "Box?redro 12.50");
	expect_clean("a\xE2\x80\xAA" "b\xE2\x80\xAB" "c\xE2\x80\xAC" "d\xE2\x80\xAD" "e", 0,
		     "a?b?c?d?e");
	expect_clean("\xE2\x81\xA6x\xE2\x81\xA7y\xE2\x81\xA8z\xE2\x81\xA9", 0, "?x?y?z?");
	expect_clean("l\xE2\x80\x8Er\xE2\x80\x8F" "a\xD8\x9C", 0, "l?r?a?");
	/* their neighbours stay: U+200D (joiner), U+2030 (per mille), U+061B */
	expect_clean("\xE2\x80\x8D\xE2\x80\xB0\xD8\x9B", 0, "\xE2\x80\x8D\xE2\x80\xB0\xD8\x9B");
}

static void test_escapes_breaks_and_bad_bytes(void **state)
{
	(void)state;
	expect_clean("\x1b]8;;http://x\x1b\\link", 0, "?]8;;http://x?\\link");
	expect_clean("a\xC2\x9B" "31mb", 0, "a?31mb");           /* C1 CSI */
	expect_clean("one\ntwo\tthree\r", 0, "one two three ");
	expect_clean("p\xE2\x80\xA8q\xE2\x80\xA9r", 0, "p q r");  /* U+2028, U+2029 */
	expect_clean("Latin\xE9-1\xFF", 0, "Latin\xEF\xBF\xBD-1\xEF\xBF\xBD");
	expect_clean(NULL, 0, "");
	/* a cut counts a replaced control as one code point */
	expect_clean("\xE2\x80\xAE" "abcdef", 4, "?ab\xE2\x80\xA6");
}

static void test_multiline_keeps_breaks_only(void **state)
{
	cr_buf b = CR_BUF_INIT;

	(void)state;
	cr_render_clean_multiline(&b, "a\nb\tc\r\x1b[2J\xE2\x80\xAE\xE2\x80\xA8\xFF");
	assert_string_equal(b.ptr, "a\nb\tc\r?[2J? \xEF\xBF\xBD");
	cr_buf_release(&b);
}

static void test_error_messages_fold_controls(void **state)
{
	cr_error err = { 0 };

	(void)state;
	/* the value of a bad cell, as an error quotes it: a line break and ESC
	 * a space (as before), C1 and bidirectional controls '?', other UTF-8
	 * and stray bytes kept */
	cr_error_set(&err, 3, "f.csv:2: '%s'",
		     "12\xE2\x80\xAE" "34\x1b[2J\n\xC2\x9Bx\xE2\x81\xA6\xC3\xA9\xFF");
	assert_string_equal(err.msg, "f.csv:2: '12?34 [2J ?x?\xC3\xA9\xFF'");
}

static void test_environment_aliases(void **state)
{
	(void)state;
	assert_string_equal(cr_environment_canonical("QA"), "staging");
	assert_string_equal(cr_environment_canonical("perf"), "staging");
	assert_string_equal(cr_environment_canonical("Pre-Prod"), "staging");
	assert_string_equal(cr_environment_canonical("non_prod"), "development");
	assert_string_equal(cr_environment_canonical("Shared Services"), "shared");
	assert_string_equal(cr_environment_canonical("PRD"), "production");
	assert_null(cr_environment_canonical("prodd"));
	assert_null(cr_environment_canonical("-"));
	assert_null(cr_environment_canonical(""));
	assert_null(cr_environment_canonical(NULL));
}

static void test_users_environment_names(void **state)
{
	cr_env_name map[] = { { (char *)"team-qa", "staging" }, { (char *)"dev", "sandbox" } };
	cr_accounts a = { .env_map = map, .n_env_map = 2 };

	(void)state;
	assert_string_equal(cr_accounts_environment(&a, "TEAM_QA"), "staging");
	/* the file's map wins over the built-in aliases */
	assert_string_equal(cr_accounts_environment(&a, "dev"), "sandbox");
	assert_string_equal(cr_accounts_environment(&a, "uat"), "staging");
	assert_string_equal(cr_accounts_environment(NULL, "uat"), "staging");
	assert_null(cr_accounts_environment(&a, "team-qa2"));
}

static void test_near_account_ids(void **state)
{
	(void)state;
	assert_true(cr_account_ids_near("48213306571", "048213306571"));
	assert_true(cr_account_ids_near("000000000001", "1"));
	assert_false(cr_account_ids_near("048213306571", "048213306571"));
	assert_false(cr_account_ids_near("48213306571", "482133065710"));
	assert_false(cr_account_ids_near("0", "1"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bidi_controls_become_question_marks),
		cmocka_unit_test(test_escapes_breaks_and_bad_bytes),
		cmocka_unit_test(test_multiline_keeps_breaks_only),
		cmocka_unit_test(test_error_messages_fold_controls),
		cmocka_unit_test(test_environment_aliases),
		cmocka_unit_test(test_users_environment_names),
		cmocka_unit_test(test_near_account_ids),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
