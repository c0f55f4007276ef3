/* source.c - the table of sources (source.h) */
#include "costrank/source.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "costrank/athena.h"
#include "costrank/ce_source.h"
#include "costrank/sql.h"
#include "costrank/sql_source.h"
#include "costrank/i18n.h"

/* ---- files ---------------------------------------------------------------- */

static int files_pull(const cr_source_ctx *c, cr_ledger *l, cr_error *err)
{
	enum cr_format f;

	return cr_billing_files_read(l, c->paths, c->n_paths, 0, c->read_progress,
				     c->read_progress_ctx, &f, err);
}

/* ---- Cost Explorer ---------------------------------------------------------- */

static void ce_opts(const cr_source_ctx *c, cr_ce_source_opts *o)
{
	memset(o, 0, sizeof *o);
	o->period = c->period;
	memcpy(o->include, c->include, sizeof o->include);
	o->accounts = c->accounts;
	o->rules = c->rules;
	o->endpoint_url = c->endpoint_url;
	o->profile = c->profile;
	o->region = c->region;
	o->max_requests = c->max_requests;
	o->no_cache = c->no_cache;
	o->offline = c->offline;
	o->cache_dir = c->cache_dir;
	o->allow_partial = c->allow_partial;
	o->today = c->today;
	o->progress = c->progress;
	o->timeout_ms = c->timeout_ms;
	o->by = c->by;
}

static int ce_describe(const cr_source_ctx *c, enum cr_metric metric, FILE *out,
		       cr_error *err)
{
	cr_ce_source_opts o;
	long planned;

	ce_opts(c, &o);
	if (cr_ce_plan_describe(&o, metric, out, &planned, err) < 0)
		return -1;
	if (c->max_requests >= 0 && planned > c->max_requests)
		fprintf(out, "--max-requests %ld is below the plan: the pull would stop before "
			"its first request\n", c->max_requests);
	return 1;
}

static int ce_pull(const cr_source_ctx *c, cr_ledger *l, cr_error *err)
{
	cr_ce_source_opts o;

	ce_opts(c, &o);
	return cr_ce_pull(l, &o, err) < 0 ? -1 : 0;
}

/* ---- SQL engines ------------------------------------------------------------ */

static void sql_opts(const cr_source_ctx *c, bool athena, cr_sql_pull_opts *o)
{
	memset(o, 0, sizeof *o);
	o->dialect = athena ? CR_SQL_ATHENA : CR_SQL_POSTGRES;
	if (c->table_layout >= 0)
		o->layout = (enum cr_sql_layout)c->table_layout;
	else
		o->layout = athena ? CR_SQL_CUR2_PERIOD : CR_SQL_CUR2_START_DATE;
	o->table = c->table;
	o->period = c->period;
	o->rules = c->rules;
	o->accounts = c->accounts;
}

/* --dry-run: the first queries, run nowhere (the daily query depends on
 * the answer of the first). */
static int sql_describe(const cr_source_ctx *c, bool athena, enum cr_metric metric,
			FILE *out, cr_error *err)
{
	cr_sql_pull_opts o;
	cr_period prev;
	cr_sql_query q;
	char *lines, *envs;

	sql_opts(c, athena, &o);
	q = (cr_sql_query){ .dialect = o.dialect, .layout = o.layout, .table = o.table,
			    .metric = metric, .start = o.period.start, .end = o.period.end };
	cr_period_previous(&o.period, &prev);
	q.prev_start = prev.start;
	if (cr_sql_build(&q, &lines, &envs, err))
		return -1;
	fprintf(out, "-- line items, summed per period\n%s;\n-- environment tags, counted\n%s;\n"
		"-- then, for the lines savings rules match, the first query per day\n",
		lines, envs);
	free(lines);
	free(envs);
	for (size_t i = 0; c->by && i < cr_ledger_dimension_count(c->by); i++) {
		const cr_dimension *d = cr_ledger_dimension(c->by, i);
		char *sql;

		if (cr_sql_build_dim(&q, d, &sql, err))
			return -1;
		fprintf(out, "-- --by %s, grouped in the engine\n%s;\n", d->name, sql);
		free(sql);
	}
	if (!athena)
		fputs("-- (on PostgreSQL / Redshift the table's columns are read first, from "
		      "information_schema, and the map columns are read as their types allow)\n",
		      out);
	return 1;
}

static int pg_describe(const cr_source_ctx *c, enum cr_metric metric, FILE *out,
		       cr_error *err)
{
	return sql_describe(c, false, metric, out, err);
}

static int athena_describe(const cr_source_ctx *c, enum cr_metric metric, FILE *out,
			   cr_error *err)
{
	return sql_describe(c, true, metric, out, err);
}

/*
 * A table without a line item in the periods read: a wrong table, layout
 * or database, or (Athena) partitions that were never loaded.
 */
static int empty_table(bool athena, const cr_sql_pull_opts *o, cr_error *err)
{
	cr_period prev;
	char first[CR_DATE_STRLEN], last[CR_DATE_STRLEN];
	const char *hint;

	cr_period_previous(&o->period, &prev);
	cr_day_format(prev.start, first);
	cr_day_format(o->period.end, last);
	first[7] = last[7] = '\0';  /* YYYY-MM */
	if (o->layout == CR_SQL_LEGACY_YEAR_MONTH)
		hint = "check --table and --athena-database, and that the year/month partitions "
		       "are loaded (the export's Glue crawler, or MSCK REPAIR TABLE)";
	else if (o->layout == CR_SQL_CUR2_PERIOD)
		hint = "check --table, --athena-database and --table-layout, and that the "
		       "billing_period partitions are loaded (the export's Glue crawler, or MSCK "
		       "REPAIR TABLE)";
	else
		hint = "check --table and --table-layout (billing periods are read from "
		       "bill_billing_period_start_date)";
	return cr_error_set(err, CR_EXIT_NODATA, "%s table %s holds no line items for the "
			    "billing periods %s to %s: %s",
			    athena ? "the Athena" : "the PostgreSQL", o->table, first, last, hint);
}

/* What every SQL pull records once its queries are done. */
static int sql_done(bool athena, const cr_sql_pull_opts *o, const cr_sql_outcome *so,
		    cr_provenance *out, cr_error *err)
{
	if (so->items == 0)
		return empty_table(athena, o, err);
	out->pushdown.used = true;
	out->pushdown.queries = so->queries;
	out->pushdown.rows = so->rows;
	out->pushdown.line_items = so->items;
	return 0;
}

static int pg_check(const cr_source_ctx *c, cr_error *err)
{
	if (!c->table || !*c->table)
		return cr_error_set(err, CR_EXIT_USAGE, "--source postgres needs --table NAME");
	if (!c->db_url || !*c->db_url)
		return cr_error_set(err, CR_EXIT_USAGE, "--source postgres needs --db-url URL");
	return cr_sql_pg_check_url(c->db_url, err);
}

static int pg_pull(const cr_source_ctx *c, cr_ledger *l, cr_error *err)
{
	cr_provenance *out = cr_ledger_provenance(l);
	cr_sql_pull_opts o;
	cr_sql_outcome so;

	sql_opts(c, false, &o);
	if (cr_sql_pg_pull(l, c->db_url, &o, &so, err))
		return -1;
	out->data_through = so.data_through;
	cr_provenance_message(out, "PostgreSQL: %d quer%s, %" PRIu64 " aggregated row%s "
			      "pulled back for %" PRIu64 " line item%s", so.queries,
			      so.queries == 1 ? "y" : "ies", so.rows, so.rows == 1 ? "" : "s",
			      so.items, so.items == 1 ? "" : "s");
	return sql_done(false, &o, &so, out, err);
}

static int athena_check(const cr_source_ctx *c, cr_error *err)
{
	if (!c->table || !*c->table)
		return cr_error_set(err, CR_EXIT_USAGE, "--source athena needs --table NAME");
	if (!c->athena_database || !*c->athena_database)
		return cr_error_set(err, CR_EXIT_USAGE, "--source athena needs --athena-database DB");
	return 0;
}

static int athena_pull(const cr_source_ctx *c, cr_ledger *l, cr_error *err)
{
	cr_provenance *out = cr_ledger_provenance(l);
	cr_athena_opts a = { .endpoint_url = c->endpoint_url, .region = c->region,
			     .profile = c->profile, .database = c->athena_database,
			     .workgroup = c->athena_workgroup, .output = c->athena_output,
			     .poll_cap_ms = c->athena_poll_cap_ms };
	cr_sql_pull_opts o;
	cr_athena_stats st;
	cr_sql_outcome so;

	sql_opts(c, true, &o);
	if (cr_athena_pull(l, &a, &o, &so, &st, err))
		return -1;
	out->pushdown.scanned_bytes = (long long)st.scanned_bytes;
	out->pushdown.billed_bytes = (long long)st.billed_bytes;
	out->data_through = so.data_through;
	/* USD 5 per TB, in hundredths of a cent, rounded up */
	cr_provenance_note(out, _("Athena scanned %llu bytes in %d quer%s (billed as %llu "
				  "bytes): USD %.4f at USD %d per TB"),
			   (unsigned long long)st.scanned_bytes, so.queries,
			   so.queries == 1 ? "y" : "ies", (unsigned long long)st.billed_bytes,
			   (double)st.billed_bytes * CR_ATHENA_USD_PER_TB / 1e12, CR_ATHENA_USD_PER_TB);
	cr_provenance_message(out, "Athena: %d quer%s, %d calls, %" PRIu64 " aggregated row%s "
			      "pulled back for %" PRIu64 " line item%s", so.queries,
			      so.queries == 1 ? "y" : "ies", st.calls, so.rows, so.rows == 1 ? "" : "s",
			      so.items, so.items == 1 ? "" : "s");
	return sql_done(true, &o, &so, out, err);
}

/* ---- the table ---------------------------------------------------------------- */

static const cr_source sources[] = {
	{ "files", NULL, "billing export files", NULL, NULL, files_pull },
	{ "ce", "cost-explorer", "AWS Cost Explorer", NULL, ce_describe, ce_pull },
	{ "postgres", "redshift", "PostgreSQL", pg_check, pg_describe, pg_pull },
	{ "athena", NULL, "Athena", athena_check, athena_describe, athena_pull },
};

const cr_source *cr_sources(size_t *n)
{
	*n = sizeof sources / sizeof sources[0];
	return sources;
}

const cr_source *cr_source_find(const char *name)
{
	for (size_t i = 0; name && i < sizeof sources / sizeof sources[0]; i++)
		if (strcmp(sources[i].name, name) == 0 ||
		    (sources[i].alias && strcmp(sources[i].alias, name) == 0))
			return &sources[i];
	return NULL;
}
