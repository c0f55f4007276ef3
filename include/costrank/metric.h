/*
 * metric.h - what a cost figure measures: the cost metric a source reads
 * and the charge categories kept out of the ranking unless included.
 *
 * Shared by the sources, the ledger and the report model, so that a source
 * needs neither the ranker nor the report to know what it books.
 */
#ifndef COSTRANK_METRIC_H
#define COSTRANK_METRIC_H

enum cr_metric {
	CR_METRIC_UNBLENDED = 0, /* CUR unblended cost, FOCUS BilledCost */
	CR_METRIC_AMORTIZED = 1  /* RI/SP amortised, FOCUS EffectiveCost */
};
const char *cr_metric_name(enum cr_metric m); /* "unblended", "amortized" */

/* Charge categories kept out of the ranking unless --include names them. */
enum cr_excluded {
	CR_EXCL_CREDIT = 0,
	CR_EXCL_REFUND = 1,
	CR_EXCL_TAX = 2,
	CR_EXCL_COUNT = 3
};
const char *cr_excluded_name(enum cr_excluded e); /* "credits", "refunds", "tax" */

#endif
