/*
 * ce_source.h - a period pulled from AWS Cost Explorer into the ledger.
 *
 *   cr_ce_source_opts o = { .period = p, .accounts = a, .rules = rules, ... };
 *   if (cr_ce_pull(ledger, &o, &err) < 0) ...
 *   cr_ledger_provenance(ledger)           requests, estimated, partial, notes
 *
 * The requests are those of ce_plan.h; answers come from the disk cache
 * (ce_cache.h) when it has them.  Organisations: with no --accounts entry
 * naming a profile or role_arn, the credentials of the AWS CLI chain (or
 * --profile) read every linked account of the management account.
 * Separate accounts: every --accounts entry with a profile and/or role_arn
 * (assumed with its external_id, from the chain's credentials or from the
 * entry's profile) is pulled with its own credentials, filtered to its id,
 * and merged; entries without either only name accounts.
 *
 * The ledger gets what the billing-file sources give for ranking,
 * reconciliation and savings rules:
 *   - per account, service and usage type, each period's cost (every record
 *     type but credits, refunds and tax), booked on the period's first day;
 *     its usage quantity (without the quantities of non-usage record types,
 *     as billing files count usage lines only) on the current period's;
 *   - credits, refunds and tax per account (kinds CR_KIND_CREDIT, _REFUND,
 *     _TAX, no service), or per account and service for --include;
 *   - for the usage lines that savings rules measure day by day or on
 *     on-demand spend only: the daily on-demand cost as CR_KIND_USAGE on
 *     its days, the rest of the line's cost (Spot, covered, negations,
 *     fees...) as CR_KIND_ADJUSTMENT, daily when the rules read net daily
 *     spend, else on the first day;
 *   - other lines' cost as CR_KIND_ADJUSTMENT on the first day;
 *   - account names (DimensionValueAttributes "description") and, when
 *     asked, environments from the "environment" cost allocation tag (the
 *     value with most of the account's tagged cost);
 *   - for each tag or cost category dimension of the ledger (--by), each
 *     period's cost per value and service (ce_plan.h, "dims"), booked with
 *     cr_ledger_add_dim on the period's first day, without an account or
 *     usage type; values come as "KEY$value", "KEY$" for none.
 */
#ifndef COSTRANK_CE_SOURCE_H
#define COSTRANK_CE_SOURCE_H

#include <stdbool.h>
#include <stdio.h>

#include "costrank/accounts.h"
#include "costrank/ce.h"
#include "costrank/ce_plan.h"
#include "costrank/error.h"
#include "costrank/ledger.h"
#include "costrank/period.h"
#include "costrank/rules.h"

typedef struct cr_ce_source_opts {
	cr_period period;              /* resolved; the previous period follows it */
	bool include[CR_EXCL_COUNT];   /* --include */
	const cr_accounts *accounts;   /* --accounts, may be NULL */
	const cr_ruleset *rules;       /* NULL: no daily data is asked for */
	const char *endpoint_url;      /* NULL: $AWS_ENDPOINT_URL_COST_EXPLORER, else default */
	const char *profile;           /* --profile, may be NULL */
	const char *region;            /* --region (STS), may be NULL */
	long max_requests;             /* < 0: no budget */
	bool no_cache;                 /* neither read nor write the cache */
	bool offline;                  /* the cache only: no request, no credentials */
	const char *cache_dir;         /* NULL: the default */
	bool allow_partial;            /* keep what a failed pull got */
	cr_day today;                  /* UTC; what is over and what is running */
	FILE *progress;                /* a terminal for progress, or NULL */
	long timeout_ms;               /* per Cost Explorer request; 0: CR_CE_TIMEOUT_MS */
	const cr_ledger *by;           /* whose dimensions (--by) are pulled, or NULL */
} cr_ce_source_opts;

/*
 * Pulls o->period and its previous period into l (whose metric chooses
 * UnblendedCost or AmortizedCost).  Returns 0 with the ledger's
 * provenance filled (partial when o->allow_partial kept a failed pull's
 * data; requests paid are recorded on failure too), or -1 with err set:
 * CR_EXIT_AUTH for credentials, CR_EXIT_REMOTE for Cost Explorer,
 * CR_EXIT_THRESHOLD when the plan or the pull exceeds o->max_requests,
 * CR_EXIT_NODATA when --offline finds an answer missing from the cache,
 * CR_EXIT_OUTPUT when the cache directory cannot be created.
 */
int cr_ce_pull(cr_ledger *l, const cr_ce_source_opts *o, cr_error *err);

/* What --dry-run prints for o, without any request.  0 or -1 (a bad
 * endpoint URL). */
int cr_ce_plan_describe(const cr_ce_source_opts *o, enum cr_metric metric, FILE *out,
			long *planned, cr_error *err);

/* The default period of a live pull: the last complete calendar month
 * before today (UTC). */
void cr_ce_default_period(cr_day today, cr_period *p);

#endif
