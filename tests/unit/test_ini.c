/*
 * test_ini.c - the AWS config/credentials INI reader (ini.h): well-formed
 * files in the shapes the AWS CLI writes and accepts, malformed ones with
 * their "FILE:LINE: ..." messages, and that no message quotes a line.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "costrank/error.h"
#include "costrank/ini.h"

static cr_ini *parse(const char *text, cr_error *err)
{
	cr_error_clear(err);
	return cr_ini_parse("config", text, strlen(text), err);
}

static void test_basic(void **state)
{
	cr_error err;
	cr_ini *ini;
	const cr_ini_section *s;
	const cr_ini_entry *e;

	(void)state;
	ini = parse("# leading comment\n"
		    "; another\n"
		    "[default]\n"
		    "region = eu-west-1\n"
		    "output=json\n"
		    "  # indented comment\n"
		    "\n"
		    "[profile dev]\n"
		    "role_arn = arn:aws:iam::123456789012:role/ro\n"
		    "source_profile   =   default   \n"
		    "AWS_Access_Key_ID = AKIDEXAMPLE\n"
		    "note = a # not a comment ; either\n"
		    "empty =\n"
		    "colon: value:with:colons\n"
		    "[ spaced name ]\n"
		    "k=v\n",
		    &err);
	assert_non_null(ini);
	assert_int_equal(ini->n, 3);
	s = cr_ini_find(ini, "default");
	assert_non_null(s);
	assert_int_equal(s->line, 3);
	assert_string_equal(cr_ini_get(s, "region"), "eu-west-1");
	assert_string_equal(cr_ini_get(s, "output"), "json");
	s = cr_ini_find(ini, "profile dev");
	assert_non_null(s);
	assert_string_equal(cr_ini_get(s, "role_arn"), "arn:aws:iam::123456789012:role/ro");
	assert_string_equal(cr_ini_get(s, "source_profile"), "default");
	assert_string_equal(cr_ini_get(s, "aws_access_key_id"), "AKIDEXAMPLE");
	assert_string_equal(cr_ini_get(s, "note"), "a # not a comment ; either");
	assert_string_equal(cr_ini_get(s, "empty"), "");
	assert_string_equal(cr_ini_get(s, "colon"), "value:with:colons");
	assert_null(cr_ini_get(s, "missing"));
	e = cr_ini_entry_find(s, "source_profile");
	assert_non_null(e);
	assert_int_equal(e->line, 10);
	assert_string_equal(cr_ini_get(cr_ini_find(ini, "spaced name"), "k"), "v");
	assert_null(cr_ini_find(ini, "dev"));
	assert_null(cr_ini_get(NULL, "k"));
	cr_ini_free(ini);
}

static void test_nested_and_crlf(void **state)
{
	cr_error err;
	cr_ini *ini;
	const cr_ini_section *s;

	(void)state;
	ini = parse("\xef\xbb\xbf[default]\r\n"
		    "region = us-east-1\r\n"
		    "s3 =\r\n"
		    "  max_concurrent_requests = 10\r\n"
		    "\r\n"
		    "  addressing_style = path\r\n"
		    "\tsignature_version = s3v4\r\n"
		    "output = text\r\n"
		    "[profile x]\r\n"
		    "aws_secret_access_key = abc/def+ghi\r\n"
		    "multi = first\r\n"
		    "   continued\r\n"
		    "last = 1",
		    &err);
	assert_non_null(ini);
	s = cr_ini_find(ini, "default");
	assert_string_equal(cr_ini_get(s, "region"), "us-east-1");
	assert_string_equal(cr_ini_get(s, "s3"), "");
	assert_null(cr_ini_get(s, "max_concurrent_requests"));
	assert_null(cr_ini_get(s, "addressing_style"));
	assert_string_equal(cr_ini_get(s, "output"), "text");
	assert_int_equal(s->n, 3);
	s = cr_ini_find(ini, "profile x");
	assert_string_equal(cr_ini_get(s, "aws_secret_access_key"), "abc/def+ghi");
	assert_string_equal(cr_ini_get(s, "multi"), "first");
	assert_string_equal(cr_ini_get(s, "last"), "1");
	cr_ini_free(ini);
}

static void test_empty_and_comments_only(void **state)
{
	cr_error err;
	cr_ini *ini;

	(void)state;
	ini = parse("", &err);
	assert_non_null(ini);
	assert_int_equal(ini->n, 0);
	cr_ini_free(ini);
	ini = parse("# only\n; comments\n\n   \n", &err);
	assert_non_null(ini);
	assert_int_equal(ini->n, 0);
	cr_ini_free(ini);
	ini = parse("[empty]\n[other] # trailing comment\nk = v\n", &err);
	assert_non_null(ini);
	assert_int_equal(ini->n, 2);
	assert_int_equal(cr_ini_find(ini, "empty")->n, 0);
	assert_string_equal(cr_ini_get(cr_ini_find(ini, "other"), "k"), "v");
	cr_ini_free(ini);
}

struct bad {
	const char *text;
	const char *want;  /* expected message */
};

static void test_malformed(void **state)
{
	static const struct bad cases[] = {
		{ "[default]\nregion = x\nAKIAIOSFODNN7EXAMPLE\n",
		  "config:3: expected 'key = value', a [section] header or a comment" },
		{ "[default\nk = v\n", "config:1: unterminated section header (no closing ']')" },
		{ "# c\n[profile dev\n", "config:2: unterminated section header (no closing ']')" },
		{ "region = eu-west-1\n[default]\n", "config:1: entry before any [section] header" },
		{ "\n\nno_equals_before_section\n", "config:3: entry before any [section] header" },
		{ "[]\n", "config:1: empty section name" },
		{ "[  ]\n", "config:1: empty section name" },
		{ "[a] junk\n", "config:1: text after the section header" },
		{ "[a]\n = value\n", "config:2: entry without a key" },
		{ "[a]\nk=1\n[b]\n[a]\n", "config:4: section [a] repeated (first at line 1)" },
		{ "[a]\nk=1\nK = 2\n", "config:3: key 'k' repeated in section [a] (first at line 2)" },
		{ "[a]\r\nk=1\r\nbroken line\r\n",
		  "config:3: expected 'key = value', a [section] header or a comment" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cr_error err;
		cr_ini *ini = parse(cases[i].text, &err);

		if (ini)
			fail_msg("case %zu parsed but should not", i);
		assert_int_equal(err.code, CR_EXIT_INPUT);
		assert_string_equal(err.msg, cases[i].want);
	}
}

static void test_nul_byte(void **state)
{
	static const char text[] = "[a]\nk = v\0x\n";
	cr_error err;

	(void)state;
	cr_error_clear(&err);
	assert_null(cr_ini_parse("creds", text, sizeof text - 1, &err));
	assert_string_equal(err.msg, "creds:2: NUL byte");
}

static void test_messages_quote_no_secret(void **state)
{
	static const char *const texts[] = {
		"[default]\nwJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n",
		"wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY = x\n",
		"[default\naws_secret_access_key = wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\n",
		"[wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY junk\n",
	};

	(void)state;
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		cr_error err;

		assert_null(parse(texts[i], &err));
		assert_null(strstr(err.msg, "wJalrXUtnFEMI"));
	}
}

static void test_load(void **state)
{
	char dir[] = "/tmp/costrank-test-ini-XXXXXX";
	char path[256], sub[256];
	cr_error err;
	cr_ini *ini = NULL;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof path, "%s/config", dir);
	cr_error_clear(&err);
	assert_int_equal(cr_ini_load(path, &ini, &err), 0);
	assert_null(ini);
	assert_int_equal(err.code, 0);

	f = fopen(path, "w");
	assert_non_null(f);
	fputs("[default]\nregion = ap-south-1\n", f);
	fclose(f);
	assert_int_equal(cr_ini_load(path, &ini, &err), 1);
	assert_string_equal(cr_ini_get(cr_ini_find(ini, "default"), "region"), "ap-south-1");
	assert_string_equal(ini->path, path);
	cr_ini_free(ini);

	f = fopen(path, "w");
	assert_non_null(f);
	fputs("[default]\nbad\n", f);
	fclose(f);
	assert_int_equal(cr_ini_load(path, &ini, &err), -1);
	assert_null(ini);
	assert_non_null(strstr(err.msg, ":2: expected"));
	assert_int_equal(strncmp(err.msg, path, strlen(path)), 0);

	snprintf(sub, sizeof sub, "%s/dir", dir);
	assert_int_equal(mkdir(sub, 0700), 0);
	cr_error_clear(&err);
	assert_int_equal(cr_ini_load(sub, &ini, &err), -1);
	assert_int_equal(err.code, CR_EXIT_INPUT);
	rmdir(sub);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basic),
		cmocka_unit_test(test_nested_and_crlf),
		cmocka_unit_test(test_empty_and_comments_only),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_nul_byte),
		cmocka_unit_test(test_messages_quote_no_secret),
		cmocka_unit_test(test_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
