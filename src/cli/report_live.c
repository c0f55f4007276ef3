/* report_live.c - `costrank report` from AWS Cost Explorer (report_live.h) */
#include "cli/report_live.h"

#include "costrank/source.h"
#include "costrank/sql.h"
#include "costrank/i18n.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

int live_option(struct live_config *c, int id, const char *v, cr_error *err)
{
	char *end;

	c->any |= id != OPT_LIVE_SOURCE && id != OPT_LIVE_ALLOW_PARTIAL;
	switch (id) {
	case OPT_LIVE_SOURCE:
	{
		size_t n;
		const cr_source *src = cr_source_find(v), *all = cr_sources(&n);

		if (!src)
			return cr_error_set(err, CR_EXIT_USAGE, _("--source '%s' is not files, ce, "
					    "athena or postgres"), v);
		c->source = (int)(src - all);  /* LIVE_FILES... in the table's order */
		return 0;
	}
	case OPT_LIVE_DB_URL: c->db_url = v; return 0;
	case OPT_LIVE_TABLE: c->table = v; return 0;
	case OPT_LIVE_ATHENA_DATABASE: c->athena_database = v; return 0;
	case OPT_LIVE_ATHENA_WORKGROUP: c->athena_workgroup = v; return 0;
	case OPT_LIVE_ATHENA_OUTPUT: c->athena_output = v; return 0;
	case OPT_LIVE_TABLE_LAYOUT:
		if (strcmp(v, "data-exports") == 0)
			c->table_layout = CR_SQL_CUR2_PERIOD;
		else if (strcmp(v, "cur2") == 0)
			c->table_layout = CR_SQL_CUR2_START_DATE;
		else if (strcmp(v, "legacy") == 0)
			c->table_layout = CR_SQL_LEGACY_YEAR_MONTH;
		else
			return cr_error_set(err, CR_EXIT_USAGE, _("--table-layout '%s' is not "
					    "data-exports, cur2 or legacy"), v);
		return 0;
	case OPT_LIVE_PROFILE: c->profile = v; return 0;
	case OPT_LIVE_ENDPOINT: c->endpoint_url = v; return 0;
	case OPT_LIVE_REGION: c->region = v; return 0;
	case OPT_LIVE_CACHE_DIR:
		if (!*v)
			return cr_error_set(err, CR_EXIT_USAGE, _("--cache-dir needs a directory"));
		c->cache_dir = v;
		return 0;
	case OPT_LIVE_MAX_REQUESTS:
		c->max_requests = strtol(v, &end, 10);
		if (!*v || *end || c->max_requests < 0 || c->max_requests > 1000000)
			return cr_error_set(err, CR_EXIT_USAGE, _("--max-requests '%s' is not a whole "
					    "number from 0 to 1000000"), v);
		return 0;
	case OPT_LIVE_DRY_RUN: c->dry_run = true; return 0;
	case OPT_LIVE_NO_CACHE: c->no_cache = true; return 0;
	case OPT_LIVE_OFFLINE: c->offline = true; return 0;
	case OPT_LIVE_ALLOW_PARTIAL: c->allow_partial = true; return 0;
	}
	return 0;
}

/* The options of c, for a source. */
static void live_ctx(const struct live_config *c, cr_source_ctx *ctx)
{
	memset(ctx, 0, sizeof *ctx);
	ctx->profile = c->profile;
	ctx->endpoint_url = c->endpoint_url;
	ctx->region = c->region;
	ctx->cache_dir = c->cache_dir;
	ctx->max_requests = c->max_requests;
	ctx->no_cache = c->no_cache;
	ctx->offline = c->offline;
	ctx->allow_partial = c->allow_partial;
	ctx->db_url = c->db_url;
	ctx->table = c->table;
	ctx->table_layout = c->table_layout;
	ctx->athena_database = c->athena_database;
	ctx->athena_workgroup = c->athena_workgroup;
	ctx->athena_output = c->athena_output;
}

int live_wanted(const struct live_config *c, int nargs, bool *live, cr_error *err)
{
	*live = c->source >= LIVE_CE || (c->source < 0 && nargs == 0);
	if (c->source == LIVE_CE && nargs)
		return cr_error_set(err, CR_EXIT_USAGE, _("--source ce reads AWS Cost Explorer and "
				    "takes no FILE|DIR"));
	if (c->source >= LIVE_POSTGRES && nargs)
		return cr_error_set(err, CR_EXIT_USAGE, _("--source %s reads a table and takes no "
				    "FILE|DIR"), c->source == LIVE_ATHENA ? "athena" : "postgres");
	if (c->source >= 0) {
		size_t n;
		const cr_source *src = &cr_sources(&n)[c->source];
		cr_source_ctx ctx;

		live_ctx(c, &ctx);
		if (src->check && src->check(&ctx, err))
			return -1;
	}
	if (c->source != LIVE_POSTGRES && c->db_url)
		return cr_error_set(err, CR_EXIT_USAGE, _("--db-url applies to --source postgres"));
	if (c->source < LIVE_POSTGRES && (c->table || c->table_layout >= 0))
		return cr_error_set(err, CR_EXIT_USAGE, _("--table and --table-layout apply to "
				    "--source athena or postgres"));
	if (c->source != LIVE_ATHENA &&
	    (c->athena_database || c->athena_workgroup || c->athena_output))
		return cr_error_set(err, CR_EXIT_USAGE, _("--athena-database, --athena-workgroup "
				    "and --athena-output apply to --source athena"));
	if (!*live && nargs == 0)
		return cr_error_set(err, CR_EXIT_USAGE, _("no input: give billing export files or "
				    "directories (see 'costrank report --help')"));
	if (!*live && c->any)
		return cr_error_set(err, CR_EXIT_USAGE, _("--profile, --endpoint-url, --region, "
				    "--max-requests, --dry-run, --no-cache, --offline and --cache-dir "
				    "apply to Cost Explorer (no FILE|DIR, or --source ce)"));
	if (c->offline && c->no_cache)
		return cr_error_set(err, CR_EXIT_USAGE, _("--offline answers from the cache: it "
				    "cannot go with --no-cache"));
	return 0;
}

/* Today (UTC), or COSTRANK_NOW=YYYY-MM-DD. */
static int today(cr_day *day, cr_error *err)
{
	const char *now = getenv("COSTRANK_NOW");
	time_t t = time(NULL);
	struct tm tm;

	if (now && *now) {
		if (strlen(now) != 10 || cr_day_parse(now, 10, day) < 0)
			return cr_error_set(err, CR_EXIT_USAGE, _("COSTRANK_NOW '%s' is not a date like "
					    "2026-11-05"), now);
		return 0;
	}
	gmtime_r(&t, &tm);
	if (cr_day_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, day) < 0)
		return cr_error_set(err, CR_EXIT_INTERNAL, "the clock gives an impossible date");
	return 0;
}

/* COSTRANK_HTTP_TIMEOUT_MS: the total timeout of each Cost Explorer request
 * (tests of slow answers); 0 when unset. */
static int request_timeout(long *ms, cr_error *err)
{
	const char *v = getenv("COSTRANK_HTTP_TIMEOUT_MS");
	char *end;

	*ms = 0;
	if (!v || !*v)
		return 0;
	*ms = strtol(v, &end, 10);
	if (*end || *ms < 1 || *ms > 600000)
		return cr_error_set(err, CR_EXIT_USAGE, _("COSTRANK_HTTP_TIMEOUT_MS '%s' is not a "
				    "whole number of milliseconds from 1 to 600000"), v);
	return 0;
}

static bool progress_wanted(bool quiet)
{
	const char *term = getenv("TERM");

	return !quiet && isatty(STDERR_FILENO) && !(term && strcmp(term, "dumb") == 0);
}

/* COSTRANK_ATHENA_POLL_MS=N: the longest pause between polls (tests). */
static long poll_cap(void)
{
	const char *v = getenv("COSTRANK_ATHENA_POLL_MS");
	long n = v && *v ? strtol(v, NULL, 10) : 0;

	return n > 0 && n <= 60000 ? n : 0;
}

int live_pull(const struct live_config *c, const struct live_run *r, cr_ledger *l,
	      cr_error *err)
{
	size_t n;
	const cr_source *src = &cr_sources(&n)[c->source >= LIVE_CE ? c->source : LIVE_CE];
	cr_source_ctx ctx;

	live_ctx(c, &ctx);
	ctx.accounts = r->accounts;
	ctx.rules = r->rules;
	ctx.progress = progress_wanted(r->quiet) ? stderr : NULL;
	ctx.athena_poll_cap_ms = poll_cap();
	if (today(&ctx.today, err) < 0 || request_timeout(&ctx.timeout_ms, err) < 0)
		return -1;
	if (!r->given)
		cr_ce_default_period(ctx.today, r->period);
	*r->complete = r->period->end < ctx.today;
	ctx.period = *r->period;
	memcpy(ctx.include, r->include, sizeof ctx.include);
	ctx.by = l;
	if (c->dry_run && src->describe)
		return src->describe(&ctx, cr_ledger_metric(l), stdout, err) < 0 ? -1 : 1;
	return src->pull(&ctx, l, err) < 0 ? -1 : 0;
}

void live_finish(const struct live_config *c, cr_report *r, const cr_ledger *l,
		 bool quiet)
{
	const cr_provenance *out = cr_ledger_provenance_of(l);

	cr_report_set_provenance(r, out);
	if (out->partial)
		fprintf(stderr, "costrank: warning: %s (the report is marked partial)\n",
			out->failure.msg);
	if (quiet)
		return;
	for (size_t i = 0; i < out->n_messages; i++)
		fprintf(stderr, "costrank: %s%s\n", c->source >= LIVE_POSTGRES ? "" : "warning: ",
			out->messages[i]);
	if (c->source >= LIVE_POSTGRES)
		return;
	fprintf(stderr, "costrank: Cost Explorer: %ld paid request%s (USD %ld.%02ld), %ld "
		"answered from the cache\n", out->paid_requests, out->paid_requests == 1 ? "" : "s",
		out->paid_requests / 100, out->paid_requests % 100, out->cached_requests);
}
