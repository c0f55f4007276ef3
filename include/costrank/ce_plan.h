/*
 * ce_plan.h - the Cost Explorer requests a report needs, their bodies and
 * their price.
 *
 * A pull asks as little as it can (every request and every page costs
 * USD 0.01).  For a calendar month and an organisation's management
 * account, in this order:
 *
 *   recon     1    MONTHLY, previous + current month, by LINKED_ACCOUNT x
 *                  RECORD_TYPE: the linked accounts, their names
 *                  (DimensionValueAttributes) and each account's credits,
 *                  refunds and tax (the reconciliation)
 *   tags      0-1  MONTHLY, the same months, by LINKED_ACCOUNT x TAG
 *                  environment: only when the --accounts file leaves an
 *                  account's environment unknown
 *   lines     N    one per linked account: MONTHLY, the same months, by
 *                  SERVICE x USAGE_TYPE, every record type but Credit,
 *                  Refund and Tax; cost and UsageQuantity: the ranking
 *   quantity  1    MONTHLY, current month, by LINKED_ACCOUNT x USAGE_TYPE,
 *                  the record types that are not usage (negations, fees):
 *                  their UsageQuantity is taken off, as billing files count
 *                  usage lines only
 *   included  0-   for --include: MONTHLY, the same months, RECORD_TYPE =
 *                  the category; tax once, by LINKED_ACCOUNT x SERVICE (tax
 *                  has no usage type); credits and refunds once per account
 *                  that has them, by SERVICE x USAGE_TYPE
 *   daily     0-1  DAILY, current month, by LINKED_ACCOUNT x USAGE_TYPE,
 *                  on-demand usage (RECORD_TYPE Usage, PURCHASE_TYPE not
 *                  Spot) of the usage lines that savings rules measure day
 *                  by day or on on-demand spend only; one more for each
 *                  set of services that share a usage type in one account
 *   daily-all 0-1  the same for every record type but Credit, Refund and
 *                  Tax, for lines whose rules read net daily spend and
 *                  whose cost is not all on-demand usage
 *   dims      0-   for --by tag:KEY and --by cost-category:NAME, one per
 *                  dimension: MONTHLY, the same months, by TAG KEY (or
 *                  COST_CATEGORY NAME) x SERVICE, the record types ranked:
 *                  Cost Explorer takes two GroupBy keys at most, so a
 *                  dimension cannot ride on the ranking requests
 *
 * With separate accounts (--accounts entries with a profile or role_arn)
 * each account is pulled with its own credentials and a LINKED_ACCOUNT
 * filter: recon, tags, lines, quantity, included and daily once each.  A
 * period that does not start on the 1st of a month is asked in two spans
 * (previous, current) so that no monthly figure straddles the two.
 */
#ifndef COSTRANK_CE_PLAN_H
#define COSTRANK_CE_PLAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "costrank/date.h"
#include "costrank/ledger.h"
#include "costrank/metric.h"
#include "costrank/period.h"

enum cr_ce_query_kind {
	CR_CEQ_RECON, CR_CEQ_TAGS, CR_CEQ_LINES, CR_CEQ_QUANTITY, CR_CEQ_INCLUDED,
	CR_CEQ_DAILY, CR_CEQ_DAILY_ALL, CR_CEQ_DIM, CR_CEQ_KIND_COUNT
};

/* A TimePeriod: Start inclusive, End exclusive (as the API has it). */
typedef struct cr_ce_span {
	cr_day start, end_excl;
} cr_ce_span;

/*
 * The spans the monthly queries cover for period cur and its previous
 * period prev: one, prev.start to cur.end + 1, when cur starts on a
 * month's 1st (monthly results then never straddle the two periods), else
 * two.  Returns how many.
 */
size_t cr_ce_spans(const cr_period *cur, const cr_period *prev, cr_ce_span spans[2]);

/* The tag key whose values give account environments. */
#define CR_CE_ENV_TAG "environment"

typedef struct cr_ce_query_spec {
	enum cr_ce_query_kind kind;
	cr_ce_span span;
	enum cr_metric metric;
	const char *const *accounts;     /* a LINKED_ACCOUNT filter; none when 0 */
	size_t n_accounts;
	int category;                    /* INCLUDED: an enum cr_excluded; credits and
	                                    refunds need one account in accounts */
	const char *const *services;     /* DAILY, DAILY_ALL: SERVICE values */
	size_t n_services;
	const char *const *usage_types;  /* DAILY, DAILY_ALL: USAGE_TYPE values */
	size_t n_usage_types;
	bool include[CR_EXCL_COUNT];     /* DIM: the categories ranked (--include) */
	bool cost_category;              /* DIM: a cost category, else a tag */
	const char *dim_key;             /* DIM: the tag key ("team") or category name */
	size_t dim;                      /* DIM: the ledger's dimension booked */
} cr_ce_query_spec;

/* "UnblendedCost" or "AmortizedCost". */
const char *cr_ce_metric_name(enum cr_metric m);

/* The request body: compact JSON with its keys in a fixed order, so that
 * the same question is always the same text (and the same cache key). */
char *cr_ce_query_body(const cr_ce_query_spec *q);

/* What the request is for, in messages: "ranking of 048213306571,
 * 2026-09-01..2026-10-31".  Owned by the caller. */
char *cr_ce_query_what(const cr_ce_query_spec *q);

/* What --dry-run knows before any request. */
typedef struct cr_ce_plan_info {
	cr_period period, prev;
	enum cr_metric metric;
	bool include[CR_EXCL_COUNT];
	const char *endpoint;      /* redacted URL */
	size_t n_scopes;           /* separately pulled accounts; 0: one organisation */
	long accounts;             /* linked accounts expected; < 0 unknown */
	bool tags;                 /* environments are missing for some account */
	bool daily;                /* savings rules need daily or on-demand data */
	const cr_ledger *by;       /* whose dimensions (--by) are asked, or NULL */
} cr_ce_plan_info;

/* The key Cost Explorer groups dimension d by: a tag key without "user:"
 * ("team"), a cost category's name; NULL for dimensions it is not asked
 * for (region, resource). */
const char *cr_ce_dim_key(const cr_dimension *d);
/* How many of l's dimensions are asked for (l may be NULL). */
size_t cr_ce_dim_count(const cr_ledger *l);

/* Planned requests, one page each; -1 when the number of linked accounts
 * is unknown (the count is then cr_ce_plan_fixed + that number). */
long cr_ce_plan_count(const cr_ce_plan_info *p);
long cr_ce_plan_fixed(const cr_ce_plan_info *p);

/* The dry-run text: one line per kind of request, then the total and its
 * price ("planned requests: 10 (USD 0.10)"). */
void cr_ce_plan_print(const cr_ce_plan_info *p, FILE *out);

#endif
