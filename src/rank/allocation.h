/*
 * allocation.h - the report's allocation (--by) from the ledger's tag and
 * region dimensions, for rank.c.
 */
#ifndef COSTRANK_RANK_ALLOCATION_H
#define COSTRANK_RANK_ALLOCATION_H

#include "costrank/error.h"
#include "costrank/ledger.h"
#include "costrank/rank.h"
#include "costrank/report.h"

/*
 * Fills r->allocations, one per tag or region dimension of l, with the
 * filter the ranking used (period, previous period, excluded categories),
 * once r->total and r->has_previous are known.  Returns 0, or -1 with err
 * set (CR_EXIT_INPUT) when a sum overflows.  Groups that do not sum to the
 * report total (never expected) add a warning rather than a guess.
 */
int cr_allocation_build(cr_report *r, const cr_ledger *l, const cr_rank_opts *o,
			cr_error *err);

#endif
