/*
 * commitment.h - Savings Plans sized as AWS sizes them, and the existing
 * commitments (Savings Plans, Reserved Instances) seen in the bill.
 *
 * From the ledger's commitment facts (ledger.h): the on-demand spend of
 * usage a Savings Plan could cover (EC2 instance hours not on Spot and not
 * covered, Fargate, Lambda) hour by hour over the whole organisation, Windows
 * apart from every other platform.  With discount d, a commitment of c per
 * hour covers on-demand spend up to c / (1 - d) each hour and saves, over
 * the H hours of the lookback,
 *     S(c) = sum_h min(spend_h, c / (1 - d)) - H c.
 * S is concave and piecewise linear: its slope in x = c / (1 - d) is the
 * number of hours above x less H (1 - d), so the optimum is x = the
 * ceil(H d)-th smallest hourly spend (the d-quantile), found by sorting.
 * Before sizing, the existing plans' unused commitment of each hour
 * (total commitment to date - used commitment) is netted from that hour's
 * spend at the same discount: spare commitment is bought already.
 * d is measured from the data's own Savings Plan lines where present
 * (1 - effective cost / on-demand equivalent of covered usage), else the
 * table figure.  Where the export is daily (every start at 00:00), each
 * day's spend / 24 stands for its hours, and the proposal says so.
 */
#ifndef COSTRANK_COMMITMENT_H
#define COSTRANK_COMMITMENT_H

#include <stddef.h>

#include "costrank/decimal.h"
#include "costrank/error.h"
#include "costrank/ledger.h"
#include "costrank/report.h"

/* Table discounts without Savings Plan lines in the data: a 1-year no-upfront
 * Compute Savings Plan on current x86 families; on Windows the licence is not
 * discounted (AWS's own example: 20% against 50%, hence 0.4 of the other). */
#define CR_SP_TABLE_DISCOUNT 0.25
#define CR_SP_TABLE_DISCOUNT_WINDOWS 0.10

/* The optimum of S for an hourly series (exact): *level = x, the covered
 * on-demand level per hour; *saving = S at c = x (1 - d).  n hours, d in
 * (0, 1).  *level and *saving are 0 when nothing saves. */
void cr_sp_optimum(const cr_dec *spend, size_t n, double discount, cr_dec *level,
		   cr_dec *saving);

/*
 * Fills r->commitments from l's commitment facts (nothing when l holds
 * none) and adds one proposal per platform whose optimum saves, replacing
 * the per-line commitment proposals on the usage it covers: those already
 * in r->proposals are removed (their savings leave savings_total), and the
 * return is true when later ones must not be added (cr_commitment_covers).
 * The caller ranks the proposals afterwards.
 */
bool cr_commitment_apply(cr_report *r, const cr_ledger *l, size_t *proposals_cap);

/* After the lines' proposals: Spot proposals share only the on-demand
 * spend the organisation's (non-Windows) plan leaves, in proportion to
 * their bases, so that Spot and the plan never claim the same hours;
 * their savings, formulas and evidence say so.  Nothing without a plan. */
void cr_commitment_fit_spot(cr_report *r);

/* Usage a Savings Plan covers, as the reader books it (ledger.h): an
 * organisation plan replaces the per-line commitment proposals on it. */
bool cr_commitment_covers(const char *usage_type);

#endif
