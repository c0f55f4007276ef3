/*
 * savings.h - savings proposals from the rule table.
 *
 * For every usage line of the period (account, service, usage type), every
 * enabled rule that matches it (globs, environment, on-demand guard,
 * minimum monthly cost) estimates a monthly saving with its model:
 *   fraction          cost x fraction, with the published basis
 *   weekend           the line's measured Saturday + Sunday spend; no
 *                     proposal when weekend spend is already near zero
 *                     (under 10% of the weekday daily average); 48/168 of the
 *                     cost without daily data
 *   schedule          measured weekend spend + the weekday hours switched
 *                     off; (168 - hours on) / 168 without daily data
 *   commitment-floor  lowest daily on-demand spend x days x discount, from
 *                     at least 28 days of daily data, never the average
 * No double counting: rules of one group on one line are alternatives (the
 * best is proposed, the others are listed inside it and never added), and
 * the groups stack multiplicatively on the remaining cost, so a line's
 * savings never exceed its cost.  Proposals are ranked by priority: the
 * monthly saving divided by the effort weight (low 1, medium 2, high 4),
 * times a risk factor (low 1, medium 0.75, high 0.5).
 */
#ifndef COSTRANK_SAVINGS_H
#define COSTRANK_SAVINGS_H

#include "costrank/error.h"
#include "costrank/ledger.h"
#include "costrank/report.h"
#include "costrank/rules.h"

/* Weekend spend under this share of the weekday daily average is "already off". */
#define CR_WEEKEND_NEAR_ZERO 0.10
/* Days of daily data a commitment floor needs. */
#define CR_COMMITMENT_MIN_DAYS 28

/*
 * Adds proposals and savings_total to a report built by cr_rank_build from
 * the same ledger.  Environments come from the report's accounts.  Returns
 * 0, or -1 with err set.
 */
int cr_savings_apply(cr_report *r, const cr_ledger *l, const cr_ruleset *rules,
		     cr_error *err);

#endif
