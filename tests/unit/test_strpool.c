/* test_strpool.c - the pool the report's proposal strings live in */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "costrank/strpool.h"

static void equal_strings_share_one_copy(void **state)
{
	(void)state;
	cr_strpool *p = cr_strpool_new();
	char a[] = "Move x86 instances to Graviton (arm64)", b[sizeof a];
	memcpy(b, a, sizeof a);

	const char *x = cr_strpool_intern(p, a), *y = cr_strpool_intern(p, b);
	assert_ptr_equal(x, y);
	assert_ptr_not_equal(x, a);
	assert_string_equal(x, a);
	a[0] = 'X';                     /* the pool holds its own copy */
	assert_string_equal(x, b);
	assert_ptr_not_equal(cr_strpool_intern(p, "other"), x);
	assert_string_equal(cr_strpool_intern(p, NULL), "");
	assert_ptr_equal(cr_strpool_intern(p, NULL), cr_strpool_intern(p, ""));
	cr_strpool_free(p);
}

/* Many distinct strings through several table growths and blocks: each
 * comes back equal and interned once; copies never move. */
static void many_strings_and_growth(void **state)
{
	(void)state;
	enum { N = 50000 };
	cr_strpool *p = cr_strpool_new();
	const char **v = calloc(N, sizeof *v);
	char s[64];

	assert_non_null(v);
	for (int i = 0; i < N; i++) {
		snprintf(s, sizeof s, "acct-%07d", i);
		v[i] = cr_strpool_intern(p, s);
	}
	for (int i = 0; i < N; i++) {
		snprintf(s, sizeof s, "acct-%07d", i);
		assert_string_equal(v[i], s);
		assert_ptr_equal(cr_strpool_intern(p, s), v[i]);
	}
	/* 50,000 x 13 bytes and the table, not one allocation per string */
	assert_true(cr_strpool_bytes(p) < 4u * 1024 * 1024);
	free(v);
	cr_strpool_free(p);
}

static void copies_of_any_size(void **state)
{
	(void)state;
	cr_strpool *p = cr_strpool_new();
	size_t big = 1024 * 1024;
	char *s = malloc(big + 1);

	assert_non_null(s);
	memset(s, 'a', big);
	s[big] = '\0';
	const char *small1 = cr_strpool_copy(p, "formula", 7);
	const char *large = cr_strpool_copy(p, s, big);      /* a block of its own */
	const char *small2 = cr_strpool_copy(p, "evidence with\0 a NUL", 13);
	const char *empty = cr_strpool_copy(p, "", 0);
	assert_string_equal(small1, "formula");
	assert_int_equal(strlen(large), big);
	assert_memory_equal(large, s, big);
	assert_string_equal(small2, "evidence with");
	assert_string_equal(empty, "");
	/* the small copies share the block the large one did not take */
	assert_true(small2 > small1 && small2 - small1 < 64);
	free(s);
	cr_strpool_free(p);
	cr_strpool_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(equal_strings_share_one_copy),
		cmocka_unit_test(many_strings_and_growth),
		cmocka_unit_test(copies_of_any_size),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
