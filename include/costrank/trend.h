/*
 * trend.h - the monthly trend of a ranked report (--months).
 *
 * After cr_rank_build: for the reported calendar month and up to
 * months - 1 calendar months before it, the ranked cost (the charges the
 * report ranks: credits, refunds and tax only when included) of the
 * organisation, of each account the report lists and of each service it
 * lists for that account ("Other services" taking the rest), so that the
 * services of an account add up to its total each month.  Only months the
 * data covers from their first day count; the run of months stops at the
 * first that is not covered.
 */
#ifndef COSTRANK_TREND_H
#define COSTRANK_TREND_H

#include "costrank/error.h"
#include "costrank/ledger.h"
#include "costrank/rank.h"
#include "costrank/report.h"

#define CR_TREND_MAX_MONTHS 12

/*
 * Fills r->trend from l (r built from l with o).  Leaves n_months 0 when
 * the period is not a calendar month or no earlier month is covered.
 * Returns 0, or -1 with err set (CR_EXIT_INPUT on an overflow).
 */
int cr_trend_build(cr_report *r, const cr_ledger *l, const cr_rank_opts *o, int months,
		   cr_error *err);

#endif
