/*
 * anomaly.h - day-level spikes and new usage types in a ranked report.
 *
 * After cr_rank_build, for each account and service of the report (every
 * service, not only the listed ones) and each day of the period: the day's
 * ranked cost against the 28 days before it, their median and median
 * absolute deviation (MAD; days without cost count as zero).  A day is a
 * spike when its excess over the median is above all of
 * CR_ANOMALY_MIN_AMOUNT, CR_ANOMALY_MIN_RATIO x the median and
 * CR_ANOMALY_MADS x 1.4826 x MAD; the usage types behind it are those
 * whose own excess over their median is largest.  A weekly or monthly
 * charge is not a spike: the day must also exceed the largest of the same
 * weekday in the 4 weeks before (and, on the first of a month, the first of
 * the month before) by CR_ANOMALY_MIN_AMOUNT and CR_ANOMALY_MIN_RATIO.  Only days whose 28 days
 * before are all in the data are checked.  A usage type with no cost in
 * the previous period and at least CR_ANOMALY_NEW_MIN this period is listed
 * as new.
 */
#ifndef COSTRANK_ANOMALY_H
#define COSTRANK_ANOMALY_H

#include "costrank/error.h"
#include "costrank/ledger.h"
#include "costrank/rank.h"
#include "costrank/report.h"

#define CR_ANOMALY_BASELINE_DAYS 28
#define CR_ANOMALY_MIN_AMOUNT 100   /* report currency, a day */
#define CR_ANOMALY_MIN_RATIO 1      /* the excess at least the median itself (+100%) */
#define CR_ANOMALY_MADS 5
#define CR_ANOMALY_NEW_MIN 100      /* report currency, the period */

/* Fills r->anomalies; 0, or -1 with err set (CR_EXIT_INPUT on an overflow). */
int cr_anomaly_build(cr_report *r, const cr_ledger *l, const cr_rank_opts *o, cr_error *err);

#endif
