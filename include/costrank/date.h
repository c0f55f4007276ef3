/*
 * date.h - calendar days as integers.
 *
 * A day is the number of days since 1970-01-01 (proleptic Gregorian, UTC),
 * so periods are simple integer ranges.  Billing timestamps are reduced to
 * the UTC day they start on.
 */
#ifndef COSTRANK_DATE_H
#define COSTRANK_DATE_H

#include <stddef.h>
#include <stdint.h>

typedef int32_t cr_day;

#define CR_DATE_STRLEN 11 /* "YYYY-MM-DD" plus NUL */

/* Days from a calendar date; -1 on an impossible date (month 13, Feb 30).
 * Years 1000..9999 only. */
int cr_day_from_ymd(int y, int m, int d, cr_day *out);
void cr_day_to_ymd(cr_day day, int *y, int *m, int *d);

/* 0 = Monday ... 6 = Sunday. */
int cr_day_weekday(cr_day day);

/*
 * Parses a date or timestamp and returns the UTC day it falls on:
 *   "2026-10-01", "2026-10-01T00:00:00Z", "2026-10-01T00:00:00.000Z",
 *   "2026-10-01 00:00:00", "2026-10-01T05:30:00+05:30", "2026-10-01T00:00Z",
 *   "2026-10-01T00:00:00.000+0000".
 * Timestamps without a zone are taken as UTC (billing exports are UTC).
 * Returns 0, or -1 when the text is not such a date or names an impossible
 * one (2026-02-30, 25:00).
 */
int cr_day_parse(const char *s, size_t len, cr_day *out);

/* Formats a day as "YYYY-MM-DD"; buf must hold CR_DATE_STRLEN bytes. */
void cr_day_format(cr_day day, char *buf);

/* Parses "YYYY-MM" into the first and last day of that month; 0 or -1. */
int cr_month_parse(const char *s, cr_day *first, cr_day *last);

/* First and last day of the month containing day. */
cr_day cr_month_first(cr_day day);
cr_day cr_month_last(cr_day day);

#endif
