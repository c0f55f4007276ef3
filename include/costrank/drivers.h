/*
 * drivers.h - what drove the change from the previous period, per account
 * and service.
 *
 * After cr_rank_build, when the data covers the previous period: for every
 * account and service of the report (all services, not only the listed
 * ones) the change of its ranked cost split into
 *   usage      per usage type, (this quantity - previous quantity) x the
 *              previous cost per unit, on usage lines with a quantity
 *              (rounded to 6 decimals); a usage type without previous
 *              quantity counts whole as usage
 *   rate       the rest of the usage lines' change: the cost per unit moved
 *   discounts  the change of discount, Savings Plans negation, credit and
 *              refund lines (those ranked)
 *   other      the change of every other line: fees, commitment fees, tax
 *              when ranked, lines without a quantity
 * which add up exactly to the change, by construction.
 */
#ifndef COSTRANK_DRIVERS_H
#define COSTRANK_DRIVERS_H

#include "costrank/error.h"
#include "costrank/ledger.h"
#include "costrank/rank.h"
#include "costrank/report.h"

/* Fills r->drivers (nothing without a previous period); 0, or -1 with err
 * set (CR_EXIT_INPUT on an overflow). */
int cr_drivers_build(cr_report *r, const cr_ledger *l, const cr_rank_opts *o, cr_error *err);

#endif
