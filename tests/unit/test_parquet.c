/* test_parquet.c - tests for costrank/parquet.h: the text of doubles and
 * the checks of a file's frame (the rest is end to end, test_parquet*.py) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "costrank/parquet.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static void double_text_known(void **state)
{
	static const struct {
		double d;
		const char *text;
	} cases[] = {
		{ 0.1, "0.1" }, { 0.3, "0.3" }, { 0.1 + 0.2, "0.30000000000000004" },
		{ 1.25, "1.25" }, { -0.5, "-0.5" }, { 7.0, "7" }, { 0.0, "0" }, { -0.0, "0" },
		{ 123.4567891234, "123.4567891234" },
		{ 1000000.0000000001, "1000000.0000000001" }, { 1000000.00000000001, "1000000" },
		{ 0.0000412, "0.0000412" }, { 1e-7, "0.0000001" }, { 1e22, "1e+22" },
		{ 5e-324, "5e-324" }, { 9007199254740993.0, "9007199254740992" },
		{ 2.5e-19, "2.5e-19" }, { -31.647384, "-31.647384" },
	};
	char buf[32];

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		size_t n = cr_pq_double_text(cases[i].d, buf);
		if (strcmp(buf, cases[i].text) != 0)
			fail_msg("%.17g: got '%s', want '%s'", cases[i].d, buf, cases[i].text);
		assert_int_equal(n, strlen(buf));
	}
}

/* Significant digits of a decimal text: "0.0000412" 3, "1000000" 1. */
static int sig_digits(const char *s)
{
	char d[40];
	int n = 0, start = 0;

	for (; *s && *s != 'e'; s++)
		if (*s >= '0' && *s <= '9')
			d[n++] = *s;
	while (start < n && d[start] == '0')
		start++;
	while (n > start && d[n - 1] == '0')
		n--;
	return n - start > 0 ? n - start : 1;
}

/* Random doubles of every magnitude: the text reads back as the same
 * double, and no shorter %.*g text would. */
static void double_text_shortest_round_trip(void **state)
{
	uint64_t x = 0x9e3779b97f4a7c15u;
	char buf[32], shorter[400];

	(void)state;
	for (int i = 0; i < 200000; i++) {
		double d;
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		if (i % 2) {
			memcpy(&d, &x, sizeof d);
		} else {
			/* money-like: a few decimals */
			d = (double)(int64_t)(x % 100000000000ULL) / 10000.0 * (x & 1 ? -1 : 1);
		}
		if (d != d || d - d != 0)
			continue;   /* NaN, infinities */
		cr_pq_double_text(d, buf);
		if (strtod(buf, NULL) != d)
			fail_msg("%.17g: '%s' reads back as %.17g", d, buf, strtod(buf, NULL));
		int n = sig_digits(buf);
		if (n > 1) {
			snprintf(shorter, sizeof shorter, "%.*g", n - 1, d);
			if (strtod(shorter, NULL) == d)
				fail_msg("%.17g: '%s' is not the shortest ('%s')", d, buf, shorter);
		}
	}
}

static void open_rejects_bad_frames(void **state)
{
	static const struct {
		const char *bytes;
		size_t n;
		const char *msg;
	} cases[] = {
		{ "PAR1PAR1", 8, "truncated Parquet file" },
		{ "PAR1\0\0\0\0\0\0\0\0\0\0\0\0PAR2", 20, "no PAR1 magic at the end" },
		{ "XXXX\0\0\0\0\0\0\0\0\0\0\0\0PAR1", 20, "no PAR1 magic at the start" },
		{ "PAR1\0\0\0\0\0\0\0\0\xff\0\0\0PAR1", 20, "footer length 255 does not fit" },
		{ "PAR1\0\0\0\0\0\0\0\0\0\0\0\0PAR1", 20, "footer length 0" },
		{ "PAR1\x15\x02\x19\x4c\x04\0\0\0PAR1", 16, "Parquet footer is malformed" },
		{ "PAR1\0\0\0\0\0\0\0\0\0\0\0\0PARE", 20, "encrypted" },
	};

	(void)state;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		cr_error err = { 0 };
		cr_pq_file *f = cr_pq_open_memory("t.parquet", cases[i].bytes, cases[i].n, &err);
		if (f)
			fail_msg("case %zu opened", i);
		assert_int_equal(err.code, CR_EXIT_INPUT);
		if (strncmp(err.msg, "t.parquet: ", 11) != 0 || !strstr(err.msg, cases[i].msg))
			fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, cases[i].msg);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(double_text_known),
		cmocka_unit_test(double_text_shortest_round_trip),
		cmocka_unit_test(open_rejects_bad_frames),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
