/*
 * resources.h - the top resources of each listed usage type (--resources)
 * from the ledger's resource dimension, for rank.c.
 */
#ifndef COSTRANK_RANK_RESOURCES_H
#define COSTRANK_RANK_RESOURCES_H

#include "costrank/error.h"
#include "costrank/ledger.h"
#include "costrank/rank.h"
#include "costrank/report.h"

/*
 * When l carries a resource dimension and o->top_resources > 0: gives each
 * listed usage type (not the "Other usage types" rows) of each listed
 * service its top resources of the period, with the same filter as the
 * ranking (period, excluded categories), the cost of the other resources
 * and of the lines without a resource id; sets r->has_resources.  A usage
 * type whose parts do not sum to its cost (never expected) gets no
 * resources and a warning, rather than a guess.  Returns 0, or -1 with err
 * set (CR_EXIT_INPUT) when a sum overflows.
 */
int cr_resources_build(cr_report *r, const cr_ledger *l, const cr_rank_opts *o,
		       cr_error *err);

#endif
