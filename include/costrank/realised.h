/*
 * realised.h - what became of an earlier report's savings proposals.
 *
 * --baseline FILE names an earlier costrank JSON report (costrank.report/v1).
 * cr_baseline_load reads its period, currency, metric and proposals (keyed
 * by rule, account, service and usage type; other fields are ignored, so a
 * report with more fields reads the same).  cr_realised_build then measures,
 * for each proposal, the saving realised on its line (account, service,
 * usage type; every ranked kind, credits, refunds and tax never) in this
 * report's period:
 *
 *   expected  = the line's cost in the baseline period / its days x the days
 *               of this period (a flat daily cost carried forward)
 *   drop      = expected - the line's cost in this period
 *   weekend   (weekend and schedule models) the same on Saturdays and
 *             Sundays only: the baseline's weekend cost / its weekend days x
 *             this period's weekend days - this period's weekend cost
 *   migration (gp3-migration: EBS gp2, io1, io2 -> gp3) the drop less the
 *             growth of the target usage type (the part after the last '.'
 *             replaced by gp3) in the same account and service, the growth
 *             counted at least 0 and once for all lines moving to one target
 *
 * The line's earlier costs come from the data when it covers the baseline
 * period, else from the baseline's monthly_cost (flagged: measured false).
 * Proposals on one line share its drop in the baseline's rank order: a
 * weekend proposal takes its weekend drop, every other one at most its
 * proposed saving (normalised to this period's days), and what is left goes
 * to the line's first proposal, so a line's drop counts once.  Status:
 * done (realised >= 90% of proposed), line-gone (no cost this period),
 * partly-done (>= 10%), line-grew (the line cost more than 110% of
 * expected), not-yet.  Commitment fee lines (RIFee, Savings Plan fees) of
 * this period with no such line in the baseline period are listed as
 * commitments bought, when the data covers the baseline period.
 */
#ifndef COSTRANK_REALISED_H
#define COSTRANK_REALISED_H

#include "costrank/error.h"
#include "costrank/ledger.h"
#include "costrank/report.h"

#define CR_REALISED_DONE_PCT 90
#define CR_REALISED_PARTLY_PCT 10
#define CR_REALISED_GREW_PCT 110

typedef struct cr_baseline cr_baseline;

/* Reads and validates FILE; NULL with err set (CR_EXIT_INPUT, one line
 * naming the file and, for a problem inside it, LINE:COLUMN). */
cr_baseline *cr_baseline_load(const char *path, cr_error *err);
/* The same from text; name is used in messages. */
cr_baseline *cr_baseline_parse(const char *text, size_t len, const char *name, cr_error *err);
size_t cr_baseline_count(const cr_baseline *b);
void cr_baseline_free(cr_baseline *b);

/* Fills r->realised from the baseline and the ledger r was built from;
 * 0, or -1 with err set (CR_EXIT_INPUT: currency or metric differ, or an
 * overflow; CR_EXIT_USAGE: the baseline period is not before this one). */
int cr_realised_build(cr_report *r, const cr_ledger *l, const cr_baseline *b, cr_error *err);

#endif
