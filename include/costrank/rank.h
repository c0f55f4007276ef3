/*
 * rank.h - from a ledger to a ranked, reconciled report.
 *
 * For the period: accounts ranked by total; per account the top N services
 * and an "Other services" remainder; per service the top M usage types and
 * an "Other usage types" remainder; shares of the account total; previous
 * period costs and "new" flags when the data covers the previous period.
 * Credits, refunds and tax are kept out of the ranking unless included, and
 * the reconciliation shows ranked + each excluded category = grand total.
 * Ties are broken by name, so the same data always gives the same report.
 * When the ledger carries tag or region dimensions (--by), the report's
 * allocation splits the ranked total by their values.
 */
#ifndef COSTRANK_RANK_H
#define COSTRANK_RANK_H

#include <stdbool.h>

#include "costrank/accounts.h"
#include "costrank/error.h"
#include "costrank/ledger.h"
#include "costrank/period.h"
#include "costrank/report.h"

#define CR_OTHER_SERVICES "Other services"
#define CR_OTHER_USAGE "Other usage types"
#define CR_NO_USAGE_TYPE "(no usage type)"

typedef struct cr_rank_opts {
	cr_period period;              /* resolved: see period.h */
	bool period_complete;          /* false adds a warning */
	bool not_comparable;           /* the data covers this or the previous
	                                  period in part: no previous figures */
	int top_services;              /* >= 1 */
	int top_usage;                 /* >= 0; 0: one "Other usage types" row a service */
	bool include[CR_EXCL_COUNT];   /* rank these categories too */
	const cr_accounts *accounts;   /* --accounts, may be NULL */
	int top_resources;             /* >= 0: resources a listed usage type
	                                  (the ledger's resource dimension) */
} cr_rank_opts;

/* Returns a new report, or NULL with err set (CR_EXIT_INPUT on an overflow,
 * CR_EXIT_NODATA when the period holds no rows at all). */
cr_report *cr_rank_build(const cr_ledger *l, const cr_rank_opts *o, cr_error *err);

#endif
