/*
 * period.h - the reporting period and the one before it.
 *
 * A period is an inclusive range of UTC days.  --month gives a calendar
 * month, whose previous period is the calendar month before; --from/--to
 * give any range, whose previous period is the same number of days just
 * before it.  Without either, the latest complete month in the data.
 */
#ifndef COSTRANK_PERIOD_H
#define COSTRANK_PERIOD_H

#include <stdbool.h>
#include <stddef.h>

#include "costrank/date.h"
#include "costrank/error.h"

typedef struct cr_period {
	cr_day start, end;  /* inclusive */
	bool is_month;      /* a whole calendar month */
} cr_period;

/* From --month (may be NULL) or --from/--to (both or neither); 0, or -1
 * with err set (CR_EXIT_USAGE) for a malformed or reversed range.  Sets
 * *given to false when no option names a period. */
int cr_period_from_options(const char *month, const char *from, const char *to,
			   cr_period *p, bool *given, cr_error *err);

/*
 * The latest complete calendar month of data spanning first..last: the
 * month of `last` when the data reaches its last day, else the month
 * before when the data covers it from its first day.  When no month is
 * complete, the month of `last`, with *complete set to false.
 */
void cr_period_default(cr_day first, cr_day last, cr_period *p, bool *complete);

/* The period before p: the previous calendar month, or as many days. */
void cr_period_previous(const cr_period *p, cr_period *prev);

/* "2026-10" for a month, else "2026-10-01_2026-10-15". */
void cr_period_label(const cr_period *p, char *buf, size_t size);

#endif
