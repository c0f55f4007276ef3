/*
 * source.h - the source stage: every way costrank gets billing data is one
 * entry of a table, and every entry ends at the ledger.
 *
 *   const cr_source *s = cr_source_find("postgres");
 *   cr_source_ctx ctx = { ... what the command line gave ... };
 *   if (s->check && s->check(&ctx, &err)) ...     before any work
 *   if (dry run && s->describe) s->describe(&ctx, metric, stdout, &err);
 *   else s->pull(&ctx, ledger, &err);             the ledger and its provenance
 *
 * A source fills the ledger (ledger.h) and records what it did in the
 * ledger's provenance (provenance.h): it never ranks nor builds a report.
 * File inputs (local, s3://, export roots; CSV, gzip, ZIP) are the "files"
 * source once the command layer has expanded them into paths.
 */
#ifndef COSTRANK_SOURCE_H
#define COSTRANK_SOURCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "costrank/accounts.h"
#include "costrank/billing_file.h"
#include "costrank/date.h"
#include "costrank/error.h"
#include "costrank/ledger.h"
#include "costrank/metric.h"
#include "costrank/period.h"
#include "costrank/rules.h"

/* What a source may need; each reads only its own fields. */
typedef struct cr_source_ctx {
	cr_period period;              /* the reported period, resolved */
	bool include[CR_EXCL_COUNT];   /* --include */
	const cr_accounts *accounts;   /* --accounts, may be NULL */
	const cr_ruleset *rules;       /* NULL: no daily data is asked for */
	cr_day today;                  /* UTC */

	/* files */
	char *const *paths;            /* expanded inputs */
	size_t n_paths;
	cr_read_progress_fn *read_progress; /* may be NULL */
	void *read_progress_ctx;

	/* Cost Explorer */
	const char *profile, *endpoint_url, *region, *cache_dir;
	long max_requests;             /* < 0: no budget */
	bool no_cache, offline, allow_partial;
	FILE *progress;                /* a terminal for progress, or NULL */
	long timeout_ms;               /* per request; 0: the default */

	/* SQL engines */
	const char *db_url;            /* postgres */
	const char *table;             /* athena, postgres */
	int table_layout;              /* -1: the source's default, else enum cr_sql_layout */
	const char *athena_database, *athena_workgroup, *athena_output;
	long athena_poll_cap_ms;       /* 0: the default */

	/* --by: the ledger whose dimensions are asked for (for --dry-run too), or NULL */
	const cr_ledger *by;
} cr_source_ctx;

typedef struct cr_source {
	const char *name;              /* as --source takes it */
	const char *alias;             /* another --source name, or NULL */
	const char *what;              /* for messages: "AWS Cost Explorer"... */
	/* The options this source needs: 0, or -1 with err set (CR_EXIT_USAGE). */
	int (*check)(const cr_source_ctx *c, cr_error *err);
	/* --dry-run: prints what a pull would do, calls nothing.  Returns 1, or
	 * -1 with err set.  NULL: the source has no dry run. */
	int (*describe)(const cr_source_ctx *c, enum cr_metric metric, FILE *out,
			cr_error *err);
	/* Fills l; 0, or -1 with err set (the exit codes of the source's
	 * header: billing_file.h, ce_source.h, sql_source.h, athena.h). */
	int (*pull)(const cr_source_ctx *c, cr_ledger *l, cr_error *err);
} cr_source;

/* Every source, in --help order: files, ce, postgres, athena. */
const cr_source *cr_sources(size_t *n);
/* The source of a --source name or alias, or NULL. */
const cr_source *cr_source_find(const char *name);

#endif
