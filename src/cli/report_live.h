/*
 * report_live.h - `costrank report` from AWS Cost Explorer, PostgreSQL or
 * Athena: their options, for cmd_report.c, which looks the source up in
 * the table of sources (source.h) and calls it.
 *
 * Without FILE|DIR arguments (or with --source ce) the period is pulled
 * from Cost Explorer (ce_source.h) into the ledger that the file sources
 * would fill; ranking, savings rules and writers are the same.  The
 * default period is the last complete calendar month (UTC) before today;
 * COSTRANK_NOW=YYYY-MM-DD sets today (tests, re-running a past month's
 * job); COSTRANK_HTTP_TIMEOUT_MS=N replaces the total timeout of each Cost
 * Explorer request (tests of slow answers).
 */
#ifndef COSTRANK_CLI_REPORT_LIVE_H
#define COSTRANK_CLI_REPORT_LIVE_H

#include <stdbool.h>

#include "costrank/accounts.h"
#include "costrank/ce_source.h"
#include "costrank/error.h"
#include "costrank/i18n.h"
#include "costrank/ledger.h"
#include "costrank/period.h"
#include "costrank/report.h"
#include "costrank/rules.h"

enum {
	OPT_LIVE_SOURCE = 100, OPT_LIVE_PROFILE, OPT_LIVE_ENDPOINT, OPT_LIVE_REGION,
	OPT_LIVE_MAX_REQUESTS, OPT_LIVE_DRY_RUN, OPT_LIVE_NO_CACHE, OPT_LIVE_OFFLINE,
	OPT_LIVE_CACHE_DIR, OPT_LIVE_ALLOW_PARTIAL, OPT_LIVE_DB_URL, OPT_LIVE_TABLE,
	OPT_LIVE_ATHENA_DATABASE, OPT_LIVE_ATHENA_WORKGROUP, OPT_LIVE_ATHENA_OUTPUT,
	OPT_LIVE_TABLE_LAYOUT,
};

/* Entries for the report command's option table. */
#define REPORT_LIVE_OPTIONS \
	{ "source", 0, true, OPT_LIVE_SOURCE, "NAME", N_("files (the default with FILE|DIR), ce: AWS Cost Explorer (the default without), athena or postgres: one aggregation query on the CUR table") }, \
	{ "db-url", 0, true, OPT_LIVE_DB_URL, "URL", N_("postgres: PostgreSQL/Redshift connection URL (postgresql://user@host:port/db)") }, \
	{ "table", 0, true, OPT_LIVE_TABLE, "NAME", N_("athena, postgres: the CUR table, TABLE or DB.TABLE") }, \
	{ "table-layout", 0, true, OPT_LIVE_TABLE_LAYOUT, "NAME", N_("athena, postgres: data-exports (CUR 2.0, billing_period partitions; athena's default), cur2 (CUR 2.0, bill_billing_period_start_date; postgres's default) or legacy (legacy CUR in Athena: year/month partitions, flat columns)") }, \
	{ "athena-database", 0, true, OPT_LIVE_ATHENA_DATABASE, "DB", N_("athena: the database (catalog AwsDataCatalog) of --table") }, \
	{ "athena-workgroup", 0, true, OPT_LIVE_ATHENA_WORKGROUP, "NAME", N_("athena: the workgroup (default: primary)") }, \
	{ "athena-output", 0, true, OPT_LIVE_ATHENA_OUTPUT, "S3URL", N_("athena: query result location (default: the workgroup's)") }, \
	{ "profile", 0, true, OPT_LIVE_PROFILE, "NAME", N_("Cost Explorer, athena, s3:// inputs: AWS profile (default: the AWS CLI chain)") }, \
	{ "endpoint-url", 0, true, OPT_LIVE_ENDPOINT, "URL", N_("Cost Explorer endpoint (default https://ce.us-east-1.amazonaws.com); athena: its endpoint (default https://athena.REGION.amazonaws.com); s3:// inputs: an S3-compatible store, path-style") }, \
	{ "region", 0, true, OPT_LIVE_REGION, "NAME", N_("Cost Explorer: region for STS (assumed roles); athena: the region of the queries; s3:// inputs: the region requests are signed for first") }, \
	{ "max-requests", 0, true, OPT_LIVE_MAX_REQUESTS, "N", N_("Cost Explorer: never make more than N paid requests") }, \
	{ "dry-run", 0, false, OPT_LIVE_DRY_RUN, NULL, N_("Cost Explorer: print the planned requests and their price, call nothing; files with --post: print the payloads instead of sending") }, \
	{ "no-cache", 0, false, OPT_LIVE_NO_CACHE, NULL, N_("Cost Explorer: neither read nor write the answer cache; s3:// inputs: nor the object cache") }, \
	{ "offline", 0, false, OPT_LIVE_OFFLINE, NULL, N_("Cost Explorer: answer from the cache only") }, \
	{ "cache-dir", 0, true, OPT_LIVE_CACHE_DIR, "DIR", N_("Cost Explorer, s3:// inputs: cache (default $XDG_CACHE_HOME/costrank)") }, \
	{ "allow-partial", 0, false, OPT_LIVE_ALLOW_PARTIAL, NULL, N_("Cost Explorer: write a report marked partial when the pull fails; files: read on when a part a manifest names is missing, marked partial") }

enum { LIVE_FILES = 0, LIVE_CE = 1, LIVE_POSTGRES = 2, LIVE_ATHENA = 3 };

struct live_config {
	int source;               /* -1 by the arguments, else LIVE_FILES... */
	const char *profile, *endpoint_url, *region, *cache_dir;
	long max_requests;        /* < 0: none */
	bool dry_run, no_cache, offline, allow_partial;
	bool any;                 /* a Cost Explorer option was given */
	const char *db_url, *table, *athena_database, *athena_workgroup, *athena_output;
	int table_layout;         /* -1: the source's default, else enum cr_sql_layout */
};

#define LIVE_CONFIG_INIT { -1, NULL, NULL, NULL, NULL, -1, false, false, false, false, false, \
			   NULL, NULL, NULL, NULL, NULL, -1 }

/* Handles one of the options above; 0 or -1 with err set. */
int live_option(struct live_config *c, int id, const char *v, cr_error *err);

/* Whether the run reads Cost Explorer (no FILE|DIR, or --source ce).
 * 0, or -1 with err set for contradicting arguments. */
int live_wanted(const struct live_config *c, int nargs, bool *live, cr_error *err);

struct live_run {
	cr_period *period;            /* in: as given (when given); out: resolved */
	bool given;
	bool *complete;               /* out: the period is over */
	const bool *include;          /* CR_EXCL_COUNT */
	const cr_accounts *accounts;
	const cr_ruleset *rules;
	bool quiet;
};

/*
 * Pulls into l (or, with --dry-run, prints the plan on stdout).  Returns 0
 * with the ledger's provenance filled, 1 when a dry run is done, -1 with
 * err set.
 */
int live_pull(const struct live_config *c, const struct live_run *r, cr_ledger *l,
	      cr_error *err);

/* Puts the provenance the pull recorded in l into the report; warnings
 * on stderr. */
void live_finish(const struct live_config *c, cr_report *r, const cr_ledger *l,
		 bool quiet);

#endif
