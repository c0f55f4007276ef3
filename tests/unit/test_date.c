/* test_date.c - tests for costrank/date.h */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "costrank/date.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#define SENTINEL ((cr_day)123456789)

/* Independent of the library: the Gregorian rules spelled out. */
static int leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
	static const int dim[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };

	return m == 2 && leap(y) ? 29 : dim[m - 1];
}

static cr_day ymd(int y, int m, int d)
{
	cr_day day = SENTINEL;

	if (cr_day_from_ymd(y, m, d, &day)) {
		print_error("cr_day_from_ymd(%04d-%02d-%02d) failed\n", y, m, d);
		fail();
	}
	return day;
}

static const char *fmt(cr_day day, char *buf)
{
	cr_day_format(day, buf);
	return buf;
}

/* ---- cr_day_from_ymd ---- */

static void test_from_ymd_anchors(void **state)
{
	(void)state;
	assert_int_equal(ymd(1970, 1, 1), 0);
	assert_int_equal(ymd(1970, 1, 2), 1);
	assert_int_equal(ymd(1969, 12, 31), -1);
	assert_int_equal(ymd(2000, 1, 1), 10957);
	assert_int_equal(ymd(2000, 3, 1), 11017);
	assert_int_equal(ymd(2026, 9, 1), 20697);
	assert_int_equal(ymd(1000, 1, 1), -354285);
	assert_int_equal(ymd(9999, 12, 31), 2932896);
}

struct ymd_case {
	int y, m, d;
};

static const struct ymd_case bad_ymd[] = {
	{ 999, 12, 31 }, { 10000, 1, 1 }, { 0, 1, 1 }, { -5, 1, 1 },
	{ 2026, 0, 1 }, { 2026, 13, 1 }, { 2026, -1, 1 },
	{ 2026, 1, 0 }, { 2026, 1, 32 }, { 2026, 4, 31 }, { 2026, 6, 31 },
	{ 2026, 9, 31 }, { 2026, 11, 31 }, { 2026, 2, 29 }, { 2026, 2, 30 },
	{ 1900, 2, 29 }, { 2100, 2, 29 }, { 2024, 2, 30 }, { 2026, 1, -1 },
};

static void test_from_ymd_invalid(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad_ymd); i++) {
		const struct ymd_case *c = &bad_ymd[i];
		cr_day day = SENTINEL;

		if (cr_day_from_ymd(c->y, c->m, c->d, &day) != -1 || day != SENTINEL) {
			print_error("cr_day_from_ymd(%d, %d, %d) accepted an impossible date\n",
				    c->y, c->m, c->d);
			fail();
		}
	}
	/* leap days that exist */
	assert_int_equal(ymd(2024, 2, 29) + 1, ymd(2024, 3, 1));
	assert_int_equal(ymd(2000, 2, 29) + 1, ymd(2000, 3, 1));
	assert_int_equal(ymd(2400, 2, 29) + 1, ymd(2400, 3, 1));
	assert_int_equal(ymd(2026, 2, 28) + 1, ymd(2026, 3, 1));
	assert_int_equal(ymd(1900, 2, 28) + 1, ymd(1900, 3, 1));
}

/*
 * Every day from 1999 to 2031 against a calendar counted by hand: day
 * numbers, back to y/m/d, weekdays, text both ways, month bounds.
 */
static void test_round_trip_1999_2031(void **state)
{
	char buf[CR_DATE_STRLEN], want[40];
	int y = 1999, m = 1, d = 1, wd;
	cr_day day = ymd(1999, 1, 1), last = ymd(2031, 12, 31), parsed;
	int gy, gm, gd, n = 0;

	(void)state;
	wd = cr_day_weekday(day);
	assert_int_equal(wd, 4);	/* 1999-01-01 was a Friday */
	for (; day <= last; day++, n++) {
		snprintf(want, sizeof(want), "%04d-%02d-%02d", y, m, d);
		cr_day_to_ymd(day, &gy, &gm, &gd);
		if (gy != y || gm != m || gd != d) {
			print_error("day %d: to_ymd gave %04d-%02d-%02d, want %s\n", (int)day, gy,
				    gm, gd, want);
			fail();
		}
		if (ymd(y, m, d) != day) {
			print_error("%s: from_ymd gave %d, want %d\n", want, (int)ymd(y, m, d),
				    (int)day);
			fail();
		}
		if (cr_day_weekday(day) != wd) {
			print_error("%s: weekday %d, want %d\n", want, cr_day_weekday(day), wd);
			fail();
		}
		if (strcmp(fmt(day, buf), want) != 0) {
			print_error("%s: cr_day_format gave %s\n", want, buf);
			fail();
		}
		if (cr_day_parse(want, strlen(want), &parsed) || parsed != day) {
			print_error("%s: cr_day_parse failed or gave %d\n", want, (int)parsed);
			fail();
		}
		if (cr_month_first(day) != day - (d - 1) ||
		    cr_month_last(day) != day + (month_days(y, m) - d)) {
			print_error("%s: month bounds %d..%d\n", want, (int)cr_month_first(day),
				    (int)cr_month_last(day));
			fail();
		}

		wd = (wd + 1) % 7;
		if (++d > month_days(y, m)) {
			d = 1;
			if (++m > 12) {
				m = 1;
				y++;
			}
		}
	}
	assert_int_equal(y, 2032);
	assert_int_equal(n, 33 * 365 + 8);	/* leap years 2000, 2004, ..., 2028 */
}

/* The whole supported range, y/m/d both ways. */
static void test_round_trip_all_years(void **state)
{
	int y, m, d, gy, gm, gd;
	cr_day day = ymd(1000, 1, 1);

	(void)state;
	for (y = 1000; y <= 9999; y++) {
		for (m = 1; m <= 12; m++) {
			for (d = 1; d <= month_days(y, m); d++, day++) {
				cr_day got = SENTINEL;

				cr_day_to_ymd(day, &gy, &gm, &gd);
				if (cr_day_from_ymd(y, m, d, &got) || got != day || gy != y ||
				    gm != m || gd != d) {
					print_error("%04d-%02d-%02d: day %d, from_ymd %d, to_ymd %04d-%02d-%02d\n",
						    y, m, d, (int)day, (int)got, gy, gm, gd);
					fail();
				}
			}
		}
	}
	assert_int_equal(day - 1, 2932896);
}

/* ---- weekdays ---- */

static void test_weekday(void **state)
{
	(void)state;
	assert_int_equal(cr_day_weekday(ymd(2026, 9, 1)), 1);	/* Tuesday */
	assert_int_equal(cr_day_weekday(ymd(1970, 1, 1)), 3);	/* Thursday */
	assert_int_equal(cr_day_weekday(ymd(1969, 12, 31)), 2);	/* Wednesday */
	assert_int_equal(cr_day_weekday(ymd(1969, 12, 29)), 0);	/* Monday */
	assert_int_equal(cr_day_weekday(ymd(1969, 12, 28)), 6);	/* Sunday */
	assert_int_equal(cr_day_weekday(ymd(2000, 1, 1)), 5);	/* Saturday */
	assert_int_equal(cr_day_weekday(ymd(2024, 2, 29)), 3);	/* Thursday */
	assert_int_equal(cr_day_weekday(ymd(1000, 1, 1)), 2);	/* Wednesday */
	assert_int_equal(cr_day_weekday(ymd(9999, 12, 31)), 4);	/* Friday */
	assert_int_equal(cr_day_weekday(INT32_MIN), ((INT32_MIN % 7 + 7) % 7 + 3) % 7);
	assert_true(cr_day_weekday(INT32_MAX) >= 0 && cr_day_weekday(INT32_MAX) <= 6);
}

/* ---- cr_day_parse ---- */

struct parse_case {
	const char *in;
	const char *want;	/* the UTC day, NULL when invalid */
};

static const struct parse_case parse_cases[] = {
	/* the forms in date.h */
	{ "2026-10-01", "2026-10-01" },
	{ "2026-10-01T00:00:00Z", "2026-10-01" },
	{ "2026-10-01T00:00:00.000Z", "2026-10-01" },
	{ "2026-10-01 00:00:00", "2026-10-01" },
	{ "2026-10-01T05:30:00+05:30", "2026-10-01" },
	{ "2026-10-01T00:00Z", "2026-10-01" },
	{ "2026-10-01T00:00:00.000+0000", "2026-10-01" },
	/* variations */
	{ "2026-10-01T23:59:59Z", "2026-10-01" },
	{ "2026-10-01T23:59:59.999999999Z", "2026-10-01" },
	{ "2026-10-01T12:00:00.5Z", "2026-10-01" },
	{ "2026-10-01T12:00:00.123456789012345678901234567890Z", "2026-10-01" },
	{ "2026-10-01T23:59", "2026-10-01" },
	{ "2026-10-01T23:59:59", "2026-10-01" },
	{ "2026-10-01 12:34:56.789", "2026-10-01" },
	{ "2026-10-01 12:34:56Z", "2026-10-01" },
	{ "2026-10-01t12:34:56z", "2026-10-01" },
	{ "2026-10-01T00:00:00-00:00", "2026-10-01" },
	{ "2026-10-01T00:00:00+00:00", "2026-10-01" },
	{ "2026-10-01T00:00:00+00", "2026-10-01" },
	{ "2026-10-01 00:00:00+05", "2026-09-30" },
	{ "2026-10-01T00:00+05:30", "2026-09-30" },
	/* offsets crossing midnight, both ways */
	{ "2026-10-01T05:29:59+05:30", "2026-09-30" },
	{ "2026-10-01T05:29:59.999+05:30", "2026-09-30" },
	{ "2026-10-01T00:00:00+0530", "2026-09-30" },
	{ "2026-10-01T00:00:00+00:01", "2026-09-30" },
	{ "2026-10-01T18:59:59-05:00", "2026-10-01" },
	{ "2026-10-01T19:00:00-05:00", "2026-10-02" },
	{ "2026-10-01T20:00:00.000-0500", "2026-10-02" },
	{ "2026-10-01T23:59:00-00:01", "2026-10-02" },
	{ "2026-10-01T23:58:59-00:01", "2026-10-01" },
	{ "2026-10-01T00:30:00+14:00", "2026-09-30" },
	{ "2026-10-01T23:30:00-12:00", "2026-10-02" },
	{ "2026-12-31T23:30:00-01:00", "2027-01-01" },
	{ "2027-01-01T00:30:00+01:00", "2026-12-31" },
	{ "2024-03-01T00:00:00+00:01", "2024-02-29" },
	{ "2024-02-28T23:00:00-01:00", "2024-02-29" },
	{ "2026-02-28T23:00:00-01:00", "2026-03-01" },
	{ "1970-01-01T00:00:00+01:00", "1969-12-31" },
	{ "2026-10-01T12:00:00+23:59", "2026-09-30" },
	{ "2026-10-01T12:00:00-23:59", "2026-10-02" },
	/* leap years */
	{ "2024-02-29", "2024-02-29" },
	{ "2000-02-29", "2000-02-29" },
	{ "2400-02-29T10:00:00Z", "2400-02-29" },
	{ "2026-02-29", NULL },
	{ "1900-02-29", NULL },
	{ "2100-02-29T00:00:00Z", NULL },
	{ "2026-02-30", NULL },
	{ "2024-02-30", NULL },
	/* ranges */
	{ "2026-00-10", NULL },
	{ "2026-13-01", NULL },
	{ "2026-01-00", NULL },
	{ "2026-01-32", NULL },
	{ "2026-04-31", NULL },
	{ "2026-04-30", "2026-04-30" },
	{ "2026-12-31", "2026-12-31" },
	{ "1000-01-01", "1000-01-01" },
	{ "9999-12-31", "9999-12-31" },
	{ "0999-12-31", NULL },
	{ "0000-01-01", NULL },
	{ "2026-10-01T24:00:00Z", NULL },
	{ "2026-10-01T25:00:00Z", NULL },
	{ "2026-10-01T23:60:00Z", NULL },
	{ "2026-10-01T23:59:60Z", NULL },
	{ "2026-10-01T00:00:00+24:00", NULL },
	{ "2026-10-01T00:00:00+05:60", NULL },
	/* not dates */
	{ "", NULL },
	{ "2026", NULL },
	{ "2026-10", NULL },
	{ "2026-10-1", NULL },
	{ "2026-1-01", NULL },
	{ "26-10-01", NULL },
	{ "10000-01-01", NULL },
	{ "+2026-10-01", NULL },
	{ " 2026-10-01", NULL },
	{ "2026-10-01 ", NULL },
	{ "2026/10/01", NULL },
	{ "20261001", NULL },
	{ "2026-1a-01", NULL },
	{ "2026-10-01x", NULL },
	{ "2026-10-01Z", NULL },
	{ "2026-10-01T", NULL },
	{ "2026-10-01T00", NULL },
	{ "2026-10-01T00:", NULL },
	{ "2026-10-01T00:0", NULL },
	{ "2026-10-01T0:00:00", NULL },
	{ "2026-10-01T00:00:", NULL },
	{ "2026-10-01T00:00:0", NULL },
	{ "2026-10-01T00:00:00.", NULL },
	{ "2026-10-01T00:00:00.Z", NULL },
	{ "2026-10-01T00:00:00,5Z", NULL },
	{ "2026-10-01T00:00.5Z", NULL },
	{ "2026-10-01T00:00:00ZZ", NULL },
	{ "2026-10-01T00:00:00 Z", NULL },
	{ "2026-10-01T00:00:00Z ", NULL },
	{ "2026-10-01T00:00:00+", NULL },
	{ "2026-10-01T00:00:00+5", NULL },
	{ "2026-10-01T00:00:00+5:30", NULL },
	{ "2026-10-01T00:00:00+05:3", NULL },
	{ "2026-10-01T00:00:00+05:", NULL },
	{ "2026-10-01T00:00:00+053", NULL },
	{ "2026-10-01T00:00:00+05:30:00", NULL },
	{ "2026-10-01T00:00:00+05:30Z", NULL },
	{ "2026-10-01T00:00:00UTC", NULL },
	{ "2026-10-01T00:00:00 +05:30", NULL },
	{ "2026-10-01_00:00:00", NULL },
	{ "2026-10-01TT00:00:00", NULL },
};

static void test_parse_table(void **state)
{
	char buf[CR_DATE_STRLEN];
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(parse_cases); i++) {
		const struct parse_case *c = &parse_cases[i];
		cr_day day = SENTINEL;
		int rc = cr_day_parse(c->in, strlen(c->in), &day);

		if (!c->want) {
			if (rc != -1 || day != SENTINEL) {
				print_error("cr_day_parse(\"%s\"): accepted (rc %d, day %d)\n", c->in,
					    rc, (int)day);
				fail();
			}
			continue;
		}
		if (rc != 0 || strcmp(fmt(day, buf), c->want) != 0) {
			print_error("cr_day_parse(\"%s\"): rc %d, got %s, want %s\n", c->in, rc,
				    rc ? "-" : buf, c->want);
			fail();
		}
	}
}

static void test_parse_len(void **state)
{
	cr_day day;

	(void)state;
	/* Only len bytes are read. */
	assert_int_equal(cr_day_parse("2026-10-01T23:00:00-05:00", 10, &day), 0);
	assert_int_equal(day, ymd(2026, 10, 1));
	assert_int_equal(cr_day_parse("2026-10-01T23:00:00-05:00", 19, &day), 0);
	assert_int_equal(day, ymd(2026, 10, 1));
	assert_int_equal(cr_day_parse("2026-10-01T23:00:00-05:00", 25, &day), 0);
	assert_int_equal(day, ymd(2026, 10, 2));
	assert_int_equal(cr_day_parse("2026-10-01,x", 10, &day), 0);
	assert_int_equal(day, ymd(2026, 10, 1));
	assert_int_equal(cr_day_parse("2026-10-01", 9, &day), -1);
	assert_int_equal(cr_day_parse("2026-10-01T23:00:00-05:00", 24, &day), -1);
	assert_int_equal(cr_day_parse("2026-10-01", 0, &day), -1);
	/* An embedded NUL is junk. */
	assert_int_equal(cr_day_parse("2026-10-01\0", 11, &day), -1);
}

/* ---- months ---- */

struct month_case {
	const char *in;
	const char *first, *last;	/* NULL when invalid */
};

static const struct month_case month_cases[] = {
	{ "2026-01", "2026-01-01", "2026-01-31" },
	{ "2026-02", "2026-02-01", "2026-02-28" },
	{ "2024-02", "2024-02-01", "2024-02-29" },
	{ "2000-02", "2000-02-01", "2000-02-29" },
	{ "1900-02", "1900-02-01", "1900-02-28" },
	{ "2026-04", "2026-04-01", "2026-04-30" },
	{ "2026-12", "2026-12-01", "2026-12-31" },
	{ "1969-12", "1969-12-01", "1969-12-31" },
	{ "1000-01", "1000-01-01", "1000-01-31" },
	{ "9999-12", "9999-12-01", "9999-12-31" },
	{ "2026-00", NULL, NULL },
	{ "2026-13", NULL, NULL },
	{ "2026-1", NULL, NULL },
	{ "2026-010", NULL, NULL },
	{ "2026-01-01", NULL, NULL },
	{ "2026-01 ", NULL, NULL },
	{ " 2026-01", NULL, NULL },
	{ "202601", NULL, NULL },
	{ "2026/01", NULL, NULL },
	{ "2026-1x", NULL, NULL },
	{ "0999-12", NULL, NULL },
	{ "10000-01", NULL, NULL },
	{ "2026", NULL, NULL },
	{ "", NULL, NULL },
};

static void test_month_parse(void **state)
{
	char b1[CR_DATE_STRLEN] = "", b2[CR_DATE_STRLEN] = "";
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(month_cases); i++) {
		const struct month_case *c = &month_cases[i];
		cr_day first = SENTINEL, last = SENTINEL;
		int rc = cr_month_parse(c->in, &first, &last);

		if (!c->first) {
			if (rc != -1 || first != SENTINEL || last != SENTINEL) {
				print_error("cr_month_parse(\"%s\"): accepted\n", c->in);
				fail();
			}
			continue;
		}
		if (rc != 0 || strcmp(fmt(first, b1), c->first) != 0 ||
		    strcmp(fmt(last, b2), c->last) != 0) {
			print_error("cr_month_parse(\"%s\"): rc %d, got %s..%s, want %s..%s\n",
				    c->in, rc, b1, b2, c->first, c->last);
			fail();
		}
	}
}

static void test_month_first_last(void **state)
{
	char buf[CR_DATE_STRLEN];

	(void)state;
	assert_string_equal(fmt(cr_month_first(ymd(2024, 2, 15)), buf), "2024-02-01");
	assert_string_equal(fmt(cr_month_last(ymd(2024, 2, 15)), buf), "2024-02-29");
	assert_string_equal(fmt(cr_month_last(ymd(2024, 2, 29)), buf), "2024-02-29");
	assert_string_equal(fmt(cr_month_last(ymd(2026, 2, 1)), buf), "2026-02-28");
	assert_string_equal(fmt(cr_month_last(ymd(2000, 2, 1)), buf), "2000-02-29");
	assert_string_equal(fmt(cr_month_last(ymd(2100, 2, 1)), buf), "2100-02-28");
	assert_string_equal(fmt(cr_month_first(ymd(2026, 12, 31)), buf), "2026-12-01");
	assert_string_equal(fmt(cr_month_last(ymd(2026, 12, 1)), buf), "2026-12-31");
	assert_string_equal(fmt(cr_month_last(ymd(2026, 12, 31)), buf), "2026-12-31");
	assert_string_equal(fmt(cr_month_first(ymd(2026, 1, 1)), buf), "2026-01-01");
	assert_string_equal(fmt(cr_month_first(ymd(1969, 12, 15)), buf), "1969-12-01");
	assert_string_equal(fmt(cr_month_last(ymd(1969, 12, 15)), buf), "1969-12-31");
	assert_string_equal(fmt(cr_month_first(ymd(1000, 1, 20)), buf), "1000-01-01");
	assert_string_equal(fmt(cr_month_last(ymd(9999, 12, 20)), buf), "9999-12-31");
	assert_int_equal(cr_month_last(ymd(2026, 9, 30)) + 1, ymd(2026, 10, 1));
}

/* ---- cr_day_format ---- */

static void test_format(void **state)
{
	char buf[CR_DATE_STRLEN + 1];

	(void)state;
	memset(buf, 'X', sizeof(buf));
	cr_day_format(0, buf);
	assert_string_equal(buf, "1970-01-01");
	assert_int_equal(buf[CR_DATE_STRLEN], 'X');
	assert_string_equal(fmt(-1, buf), "1969-12-31");
	assert_string_equal(fmt(20697, buf), "2026-09-01");
	assert_string_equal(fmt(10957, buf), "2000-01-01");
	assert_string_equal(fmt(-354285, buf), "1000-01-01");
	assert_string_equal(fmt(2932896, buf), "9999-12-31");
	assert_string_equal(fmt(ymd(2024, 2, 29), buf), "2024-02-29");
	/* Beyond years 0000..9999 the text stays within that range. */
	assert_string_equal(fmt(-719528, buf), "0000-01-01");
	assert_string_equal(fmt(INT32_MIN, buf), "0000-01-01");
	assert_string_equal(fmt(2932897, buf), "9999-12-31");
	assert_string_equal(fmt(INT32_MAX, buf), "9999-12-31");
}

static void test_extreme_days(void **state)
{
	int y, m, d;

	(void)state;
	/* No overflow far outside the supported years. */
	cr_day_to_ymd(INT32_MAX, &y, &m, &d);
	assert_true(y > 9999 && m >= 1 && m <= 12 && d >= 1 && d <= 31);
	cr_day_to_ymd(INT32_MIN, &y, &m, &d);
	assert_true(y < 0 && m >= 1 && m <= 12 && d >= 1 && d <= 31);
	assert_true(cr_month_first(INT32_MIN + 40) <= INT32_MIN + 40);
	assert_true(cr_month_last(INT32_MAX - 40) >= INT32_MAX - 40);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from_ymd_anchors),
		cmocka_unit_test(test_from_ymd_invalid),
		cmocka_unit_test(test_round_trip_1999_2031),
		cmocka_unit_test(test_round_trip_all_years),
		cmocka_unit_test(test_weekday),
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_parse_len),
		cmocka_unit_test(test_month_parse),
		cmocka_unit_test(test_month_first_last),
		cmocka_unit_test(test_format),
		cmocka_unit_test(test_extreme_days),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
