/* test_decimal.c - tests for costrank/decimal.h */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "costrank/decimal.h"

__extension__ typedef unsigned __int128 u128;

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define TEN18 1000000000000000000LL

#define DEC_MAX_STR "170141183460469231731.687303715884105727"
#define DEC_MIN_STR "-170141183460469231731.687303715884105728"

static const char *status_name(int st)
{
	switch (st) {
	case CR_DEC_OK:
		return "OK";
	case CR_DEC_ROUNDED:
		return "ROUNDED";
	case CR_DEC_INVALID:
		return "INVALID";
	case CR_DEC_OVERFLOW:
		return "OVERFLOW";
	}
	return "?";
}

/* Parses a string the test knows to be valid. */
static cr_dec dec(const char *s)
{
	cr_dec d = CR_DEC_ZERO;
	int st = cr_dec_parse(s, strlen(s), &d);

	if (st != CR_DEC_OK) {
		print_error("dec(\"%s\"): status %s\n", s, status_name(st));
		fail();
	}
	return d;
}

static cr_dec dec_max(void)
{
	return dec(DEC_MAX_STR);
}

static cr_dec dec_min(void)
{
	return dec(DEC_MIN_STR);
}

static cr_dec ulp(void)
{
	return (cr_dec){ 1 };
}

/* The exact value as text. */
static const char *exact(cr_dec d, char *buf)
{
	cr_dec_format(d, -1, buf, CR_DEC_STRLEN);
	return buf;
}

/* ---- parse ---- */

struct parse_case {
	const char *in;
	int status;
	const char *want;	/* exact value when status >= 0 */
};

static const struct parse_case parse_cases[] = {
	/* integers */
	{ "0", CR_DEC_OK, "0" },
	{ "12", CR_DEC_OK, "12" },
	{ "-12", CR_DEC_OK, "-12" },
	{ "+7", CR_DEC_OK, "7" },
	{ "-0", CR_DEC_OK, "0" },
	{ "+0", CR_DEC_OK, "0" },
	{ "007", CR_DEC_OK, "7" },
	{ "9223372036854775808", CR_DEC_OK, "9223372036854775808" },
	{ "100000000000000000000", CR_DEC_OK, "100000000000000000000" },
	/* decimals */
	{ "0.5", CR_DEC_OK, "0.5" },
	{ "-0.000", CR_DEC_OK, "0" },
	{ "0000.5", CR_DEC_OK, "0.5" },
	{ ".5", CR_DEC_OK, "0.5" },
	{ "+.5", CR_DEC_OK, "0.5" },
	{ "-.25", CR_DEC_OK, "-0.25" },
	{ "5.", CR_DEC_OK, "5" },
	{ "-0.0000412300", CR_DEC_OK, "-0.00004123" },
	{ "0.1234567890123", CR_DEC_OK, "0.1234567890123" },
	{ "1234567.0000000001", CR_DEC_OK, "1234567.0000000001" },
	{ "-98765.4321098765", CR_DEC_OK, "-98765.4321098765" },
	{ "0.000000000000000001", CR_DEC_OK, "0.000000000000000001" },
	{ "0.123456789012345678", CR_DEC_OK, "0.123456789012345678" },
	{ "0.1000000000000000000000", CR_DEC_OK, "0.1" },
	{ "000000000000000000000000000000000000000000000001", CR_DEC_OK, "1" },
	{ "00000000000000000000000000000000000000000000000.25", CR_DEC_OK, "0.25" },
	{ "0.0000000000000000000000000000000000000000000000", CR_DEC_OK, "0" },
	/* exponents */
	{ "5.0E-7", CR_DEC_OK, "0.0000005" },
	{ "1.2e+3", CR_DEC_OK, "1200" },
	{ "1.2E3", CR_DEC_OK, "1200" },
	{ "-1.2e3", CR_DEC_OK, "-1200" },
	{ "12e-1", CR_DEC_OK, "1.2" },
	{ "123.456e-2", CR_DEC_OK, "1.23456" },
	{ "0.001e3", CR_DEC_OK, "1" },
	{ ".5e1", CR_DEC_OK, "5" },
	{ "5.e0", CR_DEC_OK, "5" },
	{ "1e-18", CR_DEC_OK, "0.000000000000000001" },
	{ "1e20", CR_DEC_OK, "100000000000000000000" },
	{ "1e0000", CR_DEC_OK, "1" },
	{ "0e400", CR_DEC_OK, "0" },
	{ "0e9999", CR_DEC_OK, "0" },
	{ "123456789e-26", CR_DEC_ROUNDED, "0.000000000000000001" },
	/* the limits of the type */
	{ DEC_MAX_STR, CR_DEC_OK, DEC_MAX_STR },
	{ DEC_MIN_STR, CR_DEC_OK, DEC_MIN_STR },
	{ "170141183460469231731.687303715884105728", CR_DEC_OVERFLOW, NULL },
	{ "-170141183460469231731.687303715884105729", CR_DEC_OVERFLOW, NULL },
	{ "1e21", CR_DEC_OVERFLOW, NULL },
	{ "1e400", CR_DEC_OVERFLOW, NULL },
	{ "-1e400", CR_DEC_OVERFLOW, NULL },
	{ "1e9999", CR_DEC_OVERFLOW, NULL },
	{ "1234567890123456789012345678901234567890", CR_DEC_OVERFLOW, NULL },
	{ "-1234567890123456789012345678901234567890", CR_DEC_OVERFLOW, NULL },
	{ "1234567890123456789012345678901234567890.5", CR_DEC_OVERFLOW, NULL },
	{ "99999999999999999999999999999999999999999999999999999999999999999999999999999999",
	  CR_DEC_OVERFLOW, NULL },
	{ "1000000000000000000000", CR_DEC_OVERFLOW, NULL },
	/* beyond 18 places: half to even */
	{ "0.0000000000000000005", CR_DEC_ROUNDED, "0" },
	{ "0.0000000000000000015", CR_DEC_ROUNDED, "0.000000000000000002" },
	{ "0.0000000000000000025", CR_DEC_ROUNDED, "0.000000000000000002" },
	{ "0.0000000000000000035", CR_DEC_ROUNDED, "0.000000000000000004" },
	{ "0.00000000000000000250001", CR_DEC_ROUNDED, "0.000000000000000003" },
	{ "0.0000000000000000024999", CR_DEC_ROUNDED, "0.000000000000000002" },
	{ "0.0000000000000000004", CR_DEC_ROUNDED, "0" },
	{ "0.0000000000000000006", CR_DEC_ROUNDED, "0.000000000000000001" },
	{ "-0.0000000000000000015", CR_DEC_ROUNDED, "-0.000000000000000002" },
	{ "-0.0000000000000000025", CR_DEC_ROUNDED, "-0.000000000000000002" },
	{ "-0.0000000000000000004", CR_DEC_ROUNDED, "0" },
	{ "0.1234567890123456785", CR_DEC_ROUNDED, "0.123456789012345678" },
	{ "0.1234567890123456775", CR_DEC_ROUNDED, "0.123456789012345678" },
	{ "0.9999999999999999995", CR_DEC_ROUNDED, "1" },
	{ "-0.9999999999999999999", CR_DEC_ROUNDED, "-1" },
	{ "2.5e-18", CR_DEC_ROUNDED, "0.000000000000000002" },
	{ "3.5e-18", CR_DEC_ROUNDED, "0.000000000000000004" },
	{ "1e-400", CR_DEC_ROUNDED, "0" },
	{ "-5e-19", CR_DEC_ROUNDED, "0" },
	{ "5e-19", CR_DEC_ROUNDED, "0" },
	{ "5.000001e-19", CR_DEC_ROUNDED, "0.000000000000000001" },
	{ "170141183460469231731.6873037158841057274", CR_DEC_ROUNDED, DEC_MAX_STR },
	{ "170141183460469231731.6873037158841057275", CR_DEC_OVERFLOW, NULL },
	/* more significant digits than one pass accumulates */
	{ "1.00000000000000000000000000000000000000001", CR_DEC_ROUNDED, "1" },
	{ "1.000000000000000000500000000000000000000001", CR_DEC_ROUNDED,
	  "1.000000000000000001" },
	{ "1.0000000000000000005000000000000000000000", CR_DEC_ROUNDED, "1" },
	{ "1.0000000000000000015000000000000000000000", CR_DEC_ROUNDED,
	  "1.000000000000000002" },
	{ "12345678901234567890.123456789012345678901", CR_DEC_ROUNDED,
	  "12345678901234567890.123456789012345679" },
	{ "-12345678901234567890.123456789012345678401", CR_DEC_ROUNDED,
	  "-12345678901234567890.123456789012345678" },
	{ "12345678901234567890.12345678901234567800000", CR_DEC_OK,
	  "12345678901234567890.123456789012345678" },
	{ "123456789012345678901234567890123456789012e-40", CR_DEC_ROUNDED,
	  "12.34567890123456789" },
	{ "0.00000000000000000000000000000000000000000000000012345678901234567890123456789",
	  CR_DEC_ROUNDED, "0" },
	{ "123456789012345678901234567890123456789e-60", CR_DEC_ROUNDED, "0" },
	{ "1000000000000000000000000000000000000000000e-22", CR_DEC_OK,
	  "100000000000000000000" },
	{ "1000000000000000000000000000000000000000000e-21", CR_DEC_OVERFLOW, NULL },
	/* not numbers */
	{ "", CR_DEC_INVALID, NULL },
	{ "-", CR_DEC_INVALID, NULL },
	{ "+", CR_DEC_INVALID, NULL },
	{ ".", CR_DEC_INVALID, NULL },
	{ "-.", CR_DEC_INVALID, NULL },
	{ "e5", CR_DEC_INVALID, NULL },
	{ ".e5", CR_DEC_INVALID, NULL },
	{ "1e", CR_DEC_INVALID, NULL },
	{ "1e+", CR_DEC_INVALID, NULL },
	{ "1e-", CR_DEC_INVALID, NULL },
	{ "1e10000", CR_DEC_INVALID, NULL },
	{ "1e5.5", CR_DEC_INVALID, NULL },
	{ "1e5e5", CR_DEC_INVALID, NULL },
	{ "1.2.3", CR_DEC_INVALID, NULL },
	{ "1..2", CR_DEC_INVALID, NULL },
	{ "1,000", CR_DEC_INVALID, NULL },
	{ "1,5", CR_DEC_INVALID, NULL },
	{ " 1", CR_DEC_INVALID, NULL },
	{ "1 ", CR_DEC_INVALID, NULL },
	{ "- 1", CR_DEC_INVALID, NULL },
	{ "--1", CR_DEC_INVALID, NULL },
	{ "+-1", CR_DEC_INVALID, NULL },
	{ "1-", CR_DEC_INVALID, NULL },
	{ "NaN", CR_DEC_INVALID, NULL },
	{ "nan", CR_DEC_INVALID, NULL },
	{ "Inf", CR_DEC_INVALID, NULL },
	{ "-Infinity", CR_DEC_INVALID, NULL },
	{ "0x10", CR_DEC_INVALID, NULL },
	{ "$5", CR_DEC_INVALID, NULL },
	{ "5%", CR_DEC_INVALID, NULL },
	{ "1_000", CR_DEC_INVALID, NULL },
	{ "\xd9\xa1", CR_DEC_INVALID, NULL },
	{ "12345678901234567890123456789012345678901234567890x", CR_DEC_INVALID, NULL },
};

static void test_parse_table(void **state)
{
	char buf[CR_DEC_STRLEN];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(parse_cases); i++) {
		const struct parse_case *c = &parse_cases[i];
		cr_dec d = { 12345 };
		int st = cr_dec_parse(c->in, strlen(c->in), &d);

		if (st != c->status) {
			print_error("parse(\"%s\"): status %s, want %s\n", c->in,
				    status_name(st), status_name(c->status));
			fail();
		}
		if (st < 0) {
			if (d.v != 12345) {
				print_error("parse(\"%s\"): failed but wrote the output\n", c->in);
				fail();
			}
			continue;
		}
		if (strcmp(exact(d, buf), c->want) != 0) {
			print_error("parse(\"%s\"): got %s, want %s\n", c->in, buf, c->want);
			fail();
		}
	}
}

static void test_parse_raw(void **state)
{
	cr_dec d;

	(void)state;
	assert_int_equal(cr_dec_parse("1", 1, &d), CR_DEC_OK);
	assert_true(d.v == TEN18);
	assert_int_equal(cr_dec_parse("-1", 2, &d), CR_DEC_OK);
	assert_true(d.v == -TEN18);
	assert_int_equal(cr_dec_parse("0.000000000000000001", 20, &d), CR_DEC_OK);
	assert_true(d.v == 1);
	assert_int_equal(cr_dec_parse("-0", 2, &d), CR_DEC_OK);
	assert_true(d.v == 0);
	assert_int_equal(cr_dec_sign(d), 0);
	assert_int_equal(cr_dec_parse("-1e-19", 6, &d), CR_DEC_ROUNDED);
	assert_true(d.v == 0);
	assert_int_equal(cr_dec_parse(DEC_MAX_STR, strlen(DEC_MAX_STR), &d), CR_DEC_OK);
	assert_true(d.v == (cr_i128)(((u128)1 << 127) - 1));
	assert_int_equal(cr_dec_parse(DEC_MIN_STR, strlen(DEC_MIN_STR), &d), CR_DEC_OK);
	assert_true(d.v == -(cr_i128)(((u128)1 << 127) - 1) - 1);
}

static void test_parse_len(void **state)
{
	char buf[CR_DEC_STRLEN];
	cr_dec d;

	(void)state;
	/* Only len bytes are read. */
	assert_int_equal(cr_dec_parse("12.5xyz", 4, &d), CR_DEC_OK);
	assert_string_equal(exact(d, buf), "12.5");
	assert_int_equal(cr_dec_parse("1.2e3,", 5, &d), CR_DEC_OK);
	assert_string_equal(exact(d, buf), "1200");
	assert_int_equal(cr_dec_parse("7", 0, &d), CR_DEC_INVALID);
	/* An embedded NUL is junk. */
	assert_int_equal(cr_dec_parse("1\0", 2, &d), CR_DEC_INVALID);
}

/* ---- arithmetic ---- */

static void test_add_sub(void **state)
{
	char buf[CR_DEC_STRLEN];
	cr_dec r = { 777 }, max = dec_max(), min = dec_min();

	(void)state;
	assert_int_equal(cr_dec_add(&r, dec("0.1"), dec("0.2")), 0);
	assert_string_equal(exact(r, buf), "0.3");
	assert_int_equal(cr_dec_sub(&r, dec("0.1"), dec("0.3")), 0);
	assert_string_equal(exact(r, buf), "-0.2");
	assert_int_equal(cr_dec_add(&r, dec("-5.5"), dec("5.5")), 0);
	assert_true(cr_dec_is_zero(r));

	/* at the limits */
	assert_int_equal(cr_dec_add(&r, max, CR_DEC_ZERO), 0);
	assert_true(r.v == max.v);
	r.v = 777;
	assert_int_equal(cr_dec_add(&r, max, ulp()), CR_DEC_OVERFLOW);
	assert_true(r.v == 777);
	assert_int_equal(cr_dec_add(&r, min, cr_dec_neg(ulp())), CR_DEC_OVERFLOW);
	assert_true(r.v == 777);
	assert_int_equal(cr_dec_add(&r, max, max), CR_DEC_OVERFLOW);
	assert_int_equal(cr_dec_add(&r, min, min), CR_DEC_OVERFLOW);
	assert_true(r.v == 777);
	assert_int_equal(cr_dec_add(&r, max, min), 0);
	assert_true(r.v == -1);
	assert_int_equal(cr_dec_sub(&r, min, ulp()), CR_DEC_OVERFLOW);
	assert_int_equal(cr_dec_sub(&r, max, cr_dec_neg(ulp())), CR_DEC_OVERFLOW);
	assert_int_equal(cr_dec_sub(&r, CR_DEC_ZERO, min), CR_DEC_OVERFLOW);
	assert_int_equal(cr_dec_sub(&r, max, max), 0);
	assert_true(r.v == 0);
	assert_int_equal(cr_dec_sub(&r, cr_dec_neg(max), ulp()), 0);
	assert_true(r.v == min.v);
	assert_int_equal(cr_dec_sub(&r, cr_dec_neg(ulp()), max), 0);
	assert_true(r.v == min.v);

	/* cr_dec_acc */
	r = max;
	assert_int_equal(cr_dec_acc(&r, ulp()), CR_DEC_OVERFLOW);
	assert_true(r.v == max.v);
	r = dec("1.5");
	assert_int_equal(cr_dec_acc(&r, dec("-2.25")), 0);
	assert_string_equal(exact(r, buf), "-0.75");
}

static void test_compare_sign(void **state)
{
	cr_dec max = dec_max(), min = dec_min();

	(void)state;
	assert_int_equal(cr_dec_cmp(dec("1"), dec("2")), -1);
	assert_int_equal(cr_dec_cmp(dec("2"), dec("1")), 1);
	assert_int_equal(cr_dec_cmp(dec("1.50"), dec("1.5")), 0);
	assert_int_equal(cr_dec_cmp(dec("-0"), dec("0")), 0);
	assert_int_equal(cr_dec_cmp(dec("-1"), dec("0.000000000000000001")), -1);
	assert_int_equal(cr_dec_cmp(min, max), -1);
	assert_int_equal(cr_dec_cmp(max, min), 1);
	assert_int_equal(cr_dec_cmp(dec("0.000000000000000002"), dec("0.000000000000000001")), 1);

	assert_int_equal(cr_dec_sign(dec("3")), 1);
	assert_int_equal(cr_dec_sign(dec("-3")), -1);
	assert_int_equal(cr_dec_sign(dec("0")), 0);
	assert_int_equal(cr_dec_sign(dec("-0.000")), 0);
	assert_int_equal(cr_dec_sign(dec("-0.000000000000000001")), -1);
	assert_int_equal(cr_dec_sign(min), -1);
	assert_int_equal(cr_dec_sign(max), 1);

	assert_true(cr_dec_is_zero(CR_DEC_ZERO));
	assert_true(cr_dec_is_zero(dec("-0.0e5")));
	assert_false(cr_dec_is_zero(ulp()));
}

static void test_from_int_neg(void **state)
{
	char buf[CR_DEC_STRLEN];
	cr_dec max = dec_max(), min = dec_min();

	(void)state;
	assert_string_equal(exact(cr_dec_from_int(0), buf), "0");
	assert_string_equal(exact(cr_dec_from_int(42), buf), "42");
	assert_string_equal(exact(cr_dec_from_int(-42), buf), "-42");
	assert_string_equal(exact(cr_dec_from_int(INT64_MAX), buf), "9223372036854775807");
	assert_string_equal(exact(cr_dec_from_int(INT64_MIN), buf), "-9223372036854775808");
	assert_int_equal(cr_dec_cmp(cr_dec_from_int(7), dec("7")), 0);

	assert_string_equal(exact(cr_dec_neg(dec("1.25")), buf), "-1.25");
	assert_string_equal(exact(cr_dec_neg(dec("-1.25")), buf), "1.25");
	assert_true(cr_dec_neg(CR_DEC_ZERO).v == 0);
	assert_true(cr_dec_neg(cr_dec_neg(max)).v == max.v);
	/* The most negative value has no negation: it saturates. */
	assert_true(cr_dec_neg(min).v == max.v);
}

struct round_case {
	const char *in;
	int places;
	const char *want;
};

static const struct round_case round_cases[] = {
	{ "1.005", 2, "1.01" },
	{ "-1.005", 2, "-1.01" },
	{ "1.0049999", 2, "1" },
	{ "-1.0049999", 2, "-1" },
	{ "2.5", 0, "3" },
	{ "-2.5", 0, "-3" },
	{ "3.5", 0, "4" },
	{ "2.4999999999", 0, "2" },
	{ "-0.4", 0, "0" },
	{ "-0.5", 0, "-1" },
	{ "9.995", 2, "10" },
	{ "-9.995", 2, "-10" },
	{ "123.456789", 4, "123.4568" },
	{ "0.000000000000000005", 17, "0.00000000000000001" },
	{ "0.000000000000000004", 17, "0" },
	{ "0.123456789012345678", 18, "0.123456789012345678" },
	{ "0.123456789012345678", 30, "0.123456789012345678" },
	{ "123.556", -3, "124" },
	{ "0", 2, "0" },
	/* away from zero would leave the type: truncated */
	{ DEC_MAX_STR, 0, "170141183460469231731" },
	{ DEC_MIN_STR, 0, "-170141183460469231731" },
	{ DEC_MAX_STR, 2, "170141183460469231731.68" },
	{ DEC_MIN_STR, 2, "-170141183460469231731.68" },
};

static void test_round(void **state)
{
	char buf[CR_DEC_STRLEN];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(round_cases); i++) {
		const struct round_case *c = &round_cases[i];
		cr_dec r = cr_dec_round(dec(c->in), c->places);

		if (strcmp(exact(r, buf), c->want) != 0) {
			print_error("round(\"%s\", %d): got %s, want %s\n", c->in, c->places,
				    buf, c->want);
			fail();
		}
	}
	assert_int_equal(cr_dec_sign(cr_dec_round(dec("-0.4"), 0)), 0);
}

struct ratio_case {
	const char *in;
	int64_t num, den;
	int status;
	const char *want;
};

static const struct ratio_case mul_ratio_cases[] = {
	{ "100", 48, 168, 0, "28.571428571428571429" },
	{ "-100", 48, 168, 0, "-28.571428571428571429" },
	{ "100", -48, 168, 0, "-28.571428571428571429" },
	{ "-100", -48, 168, 0, "28.571428571428571429" },
	{ "20", 20, 100, 0, "4" },
	{ "730.5", 20, 100, 0, "146.1" },
	{ "-730.5", 20, 100, 0, "-146.1" },
	{ "1234.56", 0, 7, 0, "0" },
	{ "0", 5, 3, 0, "0" },
	{ "1", 1, 3, 0, "0.333333333333333333" },
	{ "2", 1, 3, 0, "0.666666666666666667" },
	{ "-2", 1, 3, 0, "-0.666666666666666667" },
	{ "0.000000000000000001", 1, 2, 0, "0.000000000000000001" },
	{ "-0.000000000000000001", 1, 2, 0, "-0.000000000000000001" },
	{ "0.000000000000000001", 1, 3, 0, "0" },
	{ "0.000000000000000002", 1, 3, 0, "0.000000000000000001" },
	{ "0.000000000000000003", 1, 2, 0, "0.000000000000000002" },
	{ "-0.000000000000000003", 1, 2, 0, "-0.000000000000000002" },
	/* realistic sizes: a trillion dollars, a million-to-one ratio */
	{ "1000000000000", 1000000, 3, 0, "333333333333333333.333333333333333333" },
	{ "999999999999.999999999999999999", 1000000, 1000000, 0,
	  "999999999999.999999999999999999" },
	{ "999999999999.999999999999999999", 999999, 1000000, 0,
	  "999998999999.999999999999999999" },
	{ "123456.78", 7, 9, 0, "96021.94" },
	{ "0.000000000000000001", INT64_MIN, 1, 0, "-9.223372036854775808" },
	{ "0.000000000000000001", INT64_MAX, INT64_MAX, 0, "0.000000000000000001" },
	{ DEC_MAX_STR, 1, 1, 0, DEC_MAX_STR },
	{ DEC_MIN_STR, 1, 1, 0, DEC_MIN_STR },
	{ DEC_MAX_STR, INT64_MAX, INT64_MAX, 0, DEC_MAX_STR },
	{ DEC_MAX_STR, -1, 1, 0, "-170141183460469231731.687303715884105727" },
	{ DEC_MAX_STR, 1, 2, 0, "85070591730234615865.843651857942052864" },
	{ "100000000000000000000", 1, 1, 0, "100000000000000000000" },
	{ "100000000000000000000", 2, 1, CR_DEC_OVERFLOW, NULL },
	{ DEC_MIN_STR, -1, 1, CR_DEC_OVERFLOW, NULL },
	{ DEC_MAX_STR, INT64_MAX, 1, CR_DEC_OVERFLOW, NULL },
	{ DEC_MAX_STR, INT64_MIN, 2, CR_DEC_OVERFLOW, NULL },
	{ "1", 1, 0, CR_DEC_INVALID, NULL },
	{ "1", 1, -5, CR_DEC_INVALID, NULL },
};

static void test_mul_ratio(void **state)
{
	char buf[CR_DEC_STRLEN];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(mul_ratio_cases); i++) {
		const struct ratio_case *c = &mul_ratio_cases[i];
		cr_dec r = { 777 };
		int st = cr_dec_mul_ratio(&r, dec(c->in), c->num, c->den);

		if (st != c->status) {
			print_error("mul_ratio(%s, %lld, %lld): status %s, want %s\n", c->in,
				    (long long)c->num, (long long)c->den, status_name(st),
				    status_name(c->status));
			fail();
		}
		if (st) {
			if (r.v != 777) {
				print_error("mul_ratio(%s, %lld, %lld): failed but wrote the output\n",
					    c->in, (long long)c->num, (long long)c->den);
				fail();
			}
			continue;
		}
		if (strcmp(exact(r, buf), c->want) != 0) {
			print_error("mul_ratio(%s, %lld, %lld): got %s, want %s\n", c->in,
				    (long long)c->num, (long long)c->den, buf, c->want);
			fail();
		}
	}
}

/* ---- format ---- */

struct format_case {
	const char *in;
	int places;
	int grouped;
	const char *want;
};

static const struct format_case format_cases[] = {
	{ "1234.5", 2, 0, "1234.50" },
	{ "-1234.5", 2, 0, "-1234.50" },
	{ "0", 2, 0, "0.00" },
	{ "-0", 2, 0, "0.00" },
	{ "0.005", 2, 0, "0.01" },
	{ "-0.005", 2, 0, "-0.01" },
	{ "0.0049999", 2, 0, "0.00" },
	{ "-0.004", 2, 0, "0.00" },
	{ "-0.000000000000000001", 2, 0, "0.00" },
	{ "999.995", 2, 0, "1000.00" },
	{ "-999.995", 2, 0, "-1000.00" },
	{ "0.125", 2, 0, "0.13" },
	{ "-0.125", 2, 0, "-0.13" },
	{ "2.5", 0, 0, "3" },
	{ "-2.5", 0, 0, "-3" },
	{ "-0.4", 0, 0, "0" },
	{ "-0.5", 0, 0, "-1" },
	{ "0.5", 0, 0, "1" },
	{ "0", 0, 0, "0" },
	{ "12.3456", 3, 0, "12.346" },
	{ "1e-18", 18, 0, "0.000000000000000001" },
	{ "1e-18", 25, 0, "0.000000000000000001" },
	{ "1e-18", 17, 0, "0.00000000000000000" },
	{ "5e-18", 17, 0, "0.00000000000000001" },
	{ "123456789012345678901", 2, 0, "123456789012345678901.00" },
	{ "-123456789012345678901.999", 2, 0, "-123456789012345678902.00" },
	{ "1000000000000000000", 0, 0, "1000000000000000000" },
	{ "100000000000000000000", 0, 0, "100000000000000000000" },
	{ DEC_MAX_STR, 2, 0, "170141183460469231731.69" },
	{ DEC_MAX_STR, 0, 0, "170141183460469231732" },
	{ DEC_MIN_STR, 0, 0, "-170141183460469231732" },
	{ DEC_MIN_STR, 18, 0, DEC_MIN_STR },
	/* exact */
	{ "0.00004123", -1, 0, "0.00004123" },
	{ "12", -1, 0, "12" },
	{ "-12.340", -1, 0, "-12.34" },
	{ "0", -1, 0, "0" },
	{ "-0.0", -1, 0, "0" },
	{ "10.01", -1, 0, "10.01" },
	{ "100", -1, 0, "100" },
	{ "-0.000000000000000001", -1, 0, "-0.000000000000000001" },
	{ DEC_MAX_STR, -1, 0, DEC_MAX_STR },
	{ DEC_MIN_STR, -1, 0, DEC_MIN_STR },
	{ "1.5", -7, 0, "1.5" },
	/* grouped */
	{ "0", 2, 1, "0.00" },
	{ "1", 0, 1, "1" },
	{ "12", 0, 1, "12" },
	{ "123", 0, 1, "123" },
	{ "1234", 0, 1, "1,234" },
	{ "12345.678", 2, 1, "12,345.68" },
	{ "123456", 0, 1, "123,456" },
	{ "1234567.891", 2, 1, "1,234,567.89" },
	{ "-1234567.891", 2, 1, "-1,234,567.89" },
	{ "-12345", 0, 1, "-12,345" },
	{ "-123456", 1, 1, "-123,456.0" },
	{ "-999.999", 2, 1, "-1,000.00" },
	{ "999999.5", 0, 1, "1,000,000" },
	{ "-0.001", 2, 1, "0.00" },
	{ "1234.56789", -1, 1, "1,234.56789" },
	{ "1000000000000000000", 0, 1, "1,000,000,000,000,000,000" },
	{ "100000000000000000000", 0, 1, "100,000,000,000,000,000,000" },
	{ "12345678901234567890", 0, 1, "12,345,678,901,234,567,890" },
	{ DEC_MAX_STR, -1, 1, "170,141,183,460,469,231,731.687303715884105727" },
	{ DEC_MIN_STR, -1, 1, "-170,141,183,460,469,231,731.687303715884105728" },
};

static void test_format_table(void **state)
{
	char buf[CR_DEC_STRLEN];
	size_t i, n;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(format_cases); i++) {
		const struct format_case *c = &format_cases[i];
		cr_dec d = dec(c->in);

		memset(buf, 'X', sizeof(buf));
		if (c->grouped)
			n = cr_dec_format_grouped(d, c->places, buf, sizeof(buf));
		else
			n = cr_dec_format(d, c->places, buf, sizeof(buf));
		if (strcmp(buf, c->want) != 0 || n != strlen(buf)) {
			print_error("format%s(\"%s\", %d): got \"%s\" (length %zu), want \"%s\"\n",
				    c->grouped ? "_grouped" : "", c->in, c->places, buf, n, c->want);
			fail();
		}
	}
}

static void test_format_raw(void **state)
{
	char buf[CR_DEC_STRLEN];

	(void)state;
	/* Independent of the parser. */
	assert_string_equal(exact((cr_dec){ 1 }, buf), "0.000000000000000001");
	assert_string_equal(exact((cr_dec){ -TEN18 }, buf), "-1");
	assert_string_equal(exact((cr_dec){ (cr_i128)TEN18 * 1000 + TEN18 / 4 }, buf), "1000.25");
	cr_dec_format((cr_dec){ (cr_i128)TEN18 * 12 + TEN18 / 2 }, 0, buf, sizeof(buf));
	assert_string_equal(buf, "13");
}

static void test_format_small_buffer(void **state)
{
	char buf[8];
	cr_dec d = dec("-1234567.891");

	(void)state;
	memset(buf, 'X', sizeof(buf));
	assert_int_equal(cr_dec_format(d, 2, buf, 4), 3);
	assert_string_equal(buf, "-12");
	assert_int_equal(buf[4], 'X');
	assert_int_equal(cr_dec_format_grouped(d, 2, buf, sizeof(buf)), 7);
	assert_string_equal(buf, "-1,234,");
	assert_int_equal(cr_dec_format(d, 2, buf, 1), 0);
	assert_string_equal(buf, "");
	buf[0] = 'X';
	assert_int_equal(cr_dec_format(d, 2, buf, 0), 0);
	assert_int_equal(buf[0], 'X');
}

/* ---- ratios ---- */

static void test_ratio(void **state)
{
	double r;

	(void)state;
	assert_true(cr_dec_ratio(dec("1"), dec("4")) == 0.25);
	assert_true(cr_dec_ratio(dec("-3"), dec("4")) == -0.75);
	assert_true(cr_dec_ratio(dec("5"), CR_DEC_ZERO) == 0.0);
	assert_true(cr_dec_ratio(CR_DEC_ZERO, CR_DEC_ZERO) == 0.0);
	assert_true(cr_dec_ratio(dec("123.45"), dec("123.45")) == 1.0);
	r = cr_dec_ratio(dec("1"), dec("3"));
	assert_true(r > 0.3333333333 && r < 0.3333333334);
	r = cr_dec_ratio(dec("0.000000000000000001"), dec("100000000000000000000"));
	assert_true(r > 0.99e-38 && r < 1.01e-38);
	assert_true(cr_dec_to_double(dec("1234.5")) == 1234.5);
	assert_true(cr_dec_to_double(dec("-0.25")) == -0.25);
	assert_true(cr_dec_to_double(CR_DEC_ZERO) == 0.0);
	r = cr_dec_to_double(dec("0.000001"));
	assert_true(r > 0.99999999e-6 && r < 1.00000001e-6);
	r = cr_dec_to_double(dec_max());
	assert_true(r > 1.7014118e20 && r < 1.7014119e20);
}

/* ---- exactness ---- */

static void test_exact_tiny_sum(void **state)
{
	char buf[CR_DEC_STRLEN];
	const char *s = "0.0000000001";
	cr_dec acc = CR_DEC_ZERO, x;
	int i;

	(void)state;
	for (i = 0; i < 1000000; i++) {
		assert_int_equal(cr_dec_parse(s, strlen(s), &x), CR_DEC_OK);
		assert_int_equal(cr_dec_add(&acc, acc, x), 0);
	}
	assert_string_equal(exact(acc, buf), "0.0001");
	assert_true(acc.v == (cr_i128)100000000000000LL);
	assert_int_equal(cr_dec_cmp(acc, dec("0.0001")), 0);
}

static uint64_t lcg_state;

/* 64 random bits from two steps of a 64-bit LCG, keeping the high halves. */
static uint64_t lcg(void)
{
	uint64_t hi;

	lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
	hi = lcg_state >> 32;
	lcg_state = lcg_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return hi << 32 | lcg_state >> 32;
}

static const uint64_t pow10_u64[19] = {
	1ULL, 10ULL, 100ULL, 1000ULL, 10000ULL, 100000ULL, 1000000ULL, 10000000ULL,
	100000000ULL, 1000000000ULL, 10000000000ULL, 100000000000ULL,
	1000000000000ULL, 10000000000000ULL, 100000000000000ULL,
	1000000000000000ULL, 10000000000000000ULL, 100000000000000000ULL,
	1000000000000000000ULL,
};

/* "whole" or "whole.frac" with frac's trailing zeros removed. */
static void canonical(char *out, size_t size, int neg, uint64_t whole, uint64_t frac, int k)
{
	int n = snprintf(out, size, "%s%llu", neg && (whole || frac) ? "-" : "",
			 (unsigned long long)whole);

	if (frac) {
		while (frac % 10 == 0) {
			frac /= 10;
			k--;
		}
		snprintf(out + n, size - (size_t)n, ".%0*llu", k, (unsigned long long)frac);
	}
}

/*
 * Sums random decimals written in several notations and checks the total
 * against whole and fractional parts summed separately in int64.
 */
static void test_exact_random_sum(void **state)
{
	char s[128], want[64], got[CR_DEC_STRLEN];
	cr_dec acc = CR_DEC_ZERO, x;
	int64_t whole_sum = 0, frac_sum = 0;
	cr_i128 total;
	uint64_t mag_whole, mag_frac;
	int i;

	(void)state;
	lcg_state = 20260901;
	for (i = 0; i < 300000; i++) {
		int neg = (int)(lcg() & 1);
		uint64_t whole = lcg() % pow10_u64[lcg() % 13];
		int k = (int)(lcg() % 19);
		uint64_t frac = lcg() % pow10_u64[k];
		const char *sign = neg ? "-" : (lcg() & 1) ? "+" : "";
		int st;

		switch (lcg() % 5) {
		case 0:	/* "123.4500" */
			if (k)
				snprintf(s, sizeof(s), "%s%llu.%0*llu", sign,
					 (unsigned long long)whole, k, (unsigned long long)frac);
			else
				snprintf(s, sizeof(s), "%s%llu", sign, (unsigned long long)whole);
			break;
		case 1:	/* "000123.4500" */
			snprintf(s, sizeof(s), "%s000%llu.%0*llu", sign,
				 (unsigned long long)whole, k, (unsigned long long)frac);
			break;
		case 2:	/* "1234500e-4" */
			if (k)
				snprintf(s, sizeof(s), "%s%llu%0*llue-%d", sign,
					 (unsigned long long)whole, k, (unsigned long long)frac, k);
			else
				snprintf(s, sizeof(s), "%s%llue0", sign, (unsigned long long)whole);
			break;
		case 3: {	/* ".1234500E+3" */
			char digits[64];
			int nint = snprintf(digits, sizeof(digits), "%llu",
					    (unsigned long long)whole);

			if (k)
				snprintf(digits + nint, sizeof(digits) - (size_t)nint, "%0*llu", k,
					 (unsigned long long)frac);
			snprintf(s, sizeof(s), "%s.%sE+%d", sign, digits, nint);
			break;
		}
		default:	/* ".45" for 0.45 */
			if (whole == 0 && k)
				snprintf(s, sizeof(s), "%s.%0*llu", sign, k, (unsigned long long)frac);
			else
				snprintf(s, sizeof(s), "%s%llu.%0*llu", sign,
					 (unsigned long long)whole, k, (unsigned long long)frac);
			break;
		}

		st = cr_dec_parse(s, strlen(s), &x);
		canonical(want, sizeof(want), neg, whole, frac, k);
		if (st != CR_DEC_OK || strcmp(exact(x, got), want) != 0) {
			print_error("parse(\"%s\"): status %s, got %s, want %s\n", s,
				    status_name(st), got, want);
			fail();
		}
		if (cr_dec_add(&acc, acc, x)) {
			print_error("adding \"%s\" overflowed\n", s);
			fail();
		}

		/* The same in two int64 parts, the fraction in units of 1e-18. */
		if (neg) {
			whole_sum -= (int64_t)whole;
			frac_sum -= (int64_t)(frac * pow10_u64[18 - k]);
		} else {
			whole_sum += (int64_t)whole;
			frac_sum += (int64_t)(frac * pow10_u64[18 - k]);
		}
		if (frac_sum >= TEN18) {
			frac_sum -= TEN18;
			whole_sum++;
		} else if (frac_sum < 0) {
			frac_sum += TEN18;
			whole_sum--;
		}
	}

	total = (cr_i128)whole_sum * TEN18 + frac_sum;
	assert_true(acc.v == total);

	/* And as text, built without the library. */
	if (total < 0) {
		total = -total;
		mag_whole = (uint64_t)(total / TEN18);
		mag_frac = (uint64_t)(total % TEN18);
		canonical(want, sizeof(want), 1, mag_whole, mag_frac, 18);
	} else {
		mag_whole = (uint64_t)(total / TEN18);
		mag_frac = (uint64_t)(total % TEN18);
		canonical(want, sizeof(want), 0, mag_whole, mag_frac, 18);
	}
	assert_string_equal(exact(acc, got), want);
}

/* The effect of rounding at parse, rounded minus exact in units of
 * 10^-36, and its exact text. */
static void test_rounding_effect(void **state)
{
	static const struct { const char *in, *effect; } cases[] = {
		{ "0.1234567890123456789", "0.0000000000000000001" },
		{ "1.0000000000000000005", "-0.0000000000000000005" },   /* tie, to even: down */
		{ "1.0000000000000000015", "0.0000000000000000005" },    /* tie, to even: up */
		{ "-2.00000000000000000041", "0.00000000000000000041" },  /* toward zero */
		{ "-2.00000000000000000051", "-0.00000000000000000049" }, /* away from zero */
		{ "12345678901234567E-35", "-0.00000000000000000012345678901234567" },
		{ "5e-19", "-0.0000000000000000005" },                   /* tie at 0: even */
		{ "0.1000000000000000000000000000000000000007", "0" },  /* past the 36th */
		{ "1.25", "0" },
		{ "junk", "0" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char buf[CR_DEC_STRLEN];

		cr_dec_format_fine(cr_dec_rounding_effect(cases[i].in, strlen(cases[i].in)), buf,
				   sizeof buf);
		assert_string_equal(buf, cases[i].effect);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_parse_raw),
		cmocka_unit_test(test_parse_len),
		cmocka_unit_test(test_add_sub),
		cmocka_unit_test(test_compare_sign),
		cmocka_unit_test(test_from_int_neg),
		cmocka_unit_test(test_round),
		cmocka_unit_test(test_mul_ratio),
		cmocka_unit_test(test_format_table),
		cmocka_unit_test(test_format_raw),
		cmocka_unit_test(test_format_small_buffer),
		cmocka_unit_test(test_ratio),
		cmocka_unit_test(test_exact_tiny_sum),
		cmocka_unit_test(test_exact_random_sum),
		cmocka_unit_test(test_rounding_effect),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
