/* report_sql.c - `costrank report --source postgres|athena` (report_live.h) */
#include "cli/report_live.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "costrank/athena.h"
#include "costrank/sql.h"
#include "costrank/sql_source.h"

/* COSTRANK_ATHENA_POLL_MS=N: the longest pause between polls (tests). */
static long poll_cap(void)
{
	const char *v = getenv("COSTRANK_ATHENA_POLL_MS");
	long n = v && *v ? strtol(v, NULL, 10) : 0;

	return n > 0 && n <= 60000 ? n : 0;
}

static int athena_pull(const struct live_config *c, const cr_sql_pull_opts *o, cr_ledger *l,
		       cr_sql_outcome *so_out, cr_error *err)
{
	cr_provenance *out = cr_ledger_provenance(l);
	cr_athena_opts a = { .endpoint_url = c->endpoint_url, .region = c->region,
			     .profile = c->profile, .database = c->athena_database,
			     .workgroup = c->athena_workgroup, .output = c->athena_output,
			     .poll_cap_ms = poll_cap() };
	cr_athena_stats st;
	cr_sql_outcome so;

	if (cr_athena_pull(l, &a, o, &so, &st, err))
		return -1;
	*so_out = so;
	out->pushdown.scanned_bytes = (long long)st.scanned_bytes;
	out->pushdown.billed_bytes = (long long)st.billed_bytes;
	out->data_through = so.data_through;
	/* USD 5 per TB, in hundredths of a cent, rounded up */
	cr_provenance_note(out, "Athena scanned %" PRIu64 " bytes in %d quer%s (billed as %"
			   PRIu64 " bytes): USD %.4f at USD %d per TB", st.scanned_bytes, so.queries,
			   so.queries == 1 ? "y" : "ies", st.billed_bytes,
			   (double)st.billed_bytes * CR_ATHENA_USD_PER_TB / 1e12, CR_ATHENA_USD_PER_TB);
	cr_provenance_message(out, "Athena: %d quer%s, %d calls, %" PRIu64 " aggregated row%s "
			      "pulled back for %" PRIu64 " line item%s", so.queries,
			      so.queries == 1 ? "y" : "ies", st.calls, so.rows, so.rows == 1 ? "" : "s",
			      so.items, so.items == 1 ? "" : "s");
	return 0;
}

static void pull_opts(const struct live_config *c, const cr_period *period,
		      const cr_ruleset *rules, const cr_accounts *accounts, cr_sql_pull_opts *o)
{
	memset(o, 0, sizeof *o);
	o->dialect = c->source == LIVE_ATHENA ? CR_SQL_ATHENA : CR_SQL_POSTGRES;
	if (c->table_layout >= 0)
		o->layout = (enum cr_sql_layout)c->table_layout;
	else
		o->layout = c->source == LIVE_ATHENA ? CR_SQL_CUR2_PERIOD : CR_SQL_CUR2_START_DATE;
	o->table = c->table;
	o->period = *period;
	o->rules = rules;
	o->accounts = accounts;
}

/* --dry-run: the first queries, run nowhere (the daily query depends on
 * the answer of the first). */
static int print_queries(const cr_sql_pull_opts *o, cr_ledger *l, cr_error *err)
{
	cr_period prev;
	cr_sql_query q = { .dialect = o->dialect, .layout = o->layout, .table = o->table,
			   .metric = cr_ledger_metric(l), .start = o->period.start,
			   .end = o->period.end };
	char *lines, *envs;

	cr_period_previous(&o->period, &prev);
	q.prev_start = prev.start;
	if (cr_sql_build(&q, &lines, &envs, err))
		return -1;
	printf("-- line items, summed per period\n%s;\n-- environment tags, counted\n%s;\n"
	       "-- then, for the lines savings rules match, the first query per day\n",
	       lines, envs);
	free(lines);
	free(envs);
	return 1;
}

/*
 * A table without a line item in the periods read: a wrong table, layout
 * or database, or (Athena) partitions that were never loaded.
 */
static int empty_table(const struct live_config *c, const cr_sql_pull_opts *o, cr_error *err)
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
			    c->source == LIVE_ATHENA ? "the Athena" : "the PostgreSQL", o->table,
			    first, last, hint);
}

int sql_pull(const struct live_config *c, const cr_period *period, const cr_ruleset *rules,
	     const cr_accounts *accounts, cr_ledger *l, cr_error *err)
{
	cr_provenance *out = cr_ledger_provenance(l);
	cr_sql_pull_opts o;
	cr_sql_outcome so;

	pull_opts(c, period, rules, accounts, &o);
	if (c->dry_run)
		return print_queries(&o, l, err);
	if (c->source == LIVE_ATHENA) {
		if (athena_pull(c, &o, l, &so, err))
			return -1;
	} else {
		if (cr_sql_pg_pull(l, c->db_url, &o, &so, err))
			return -1;
		out->data_through = so.data_through;
		cr_provenance_message(out, "PostgreSQL: %d quer%s, %" PRIu64 " aggregated row%s "
				      "pulled back for %" PRIu64 " line item%s", so.queries,
				      so.queries == 1 ? "y" : "ies", so.rows, so.rows == 1 ? "" : "s",
				      so.items, so.items == 1 ? "" : "s");
	}
	if (so.items == 0)
		return empty_table(c, &o, err);
	out->pushdown.used = true;
	out->pushdown.queries = so.queries;
	out->pushdown.rows = so.rows;
	out->pushdown.line_items = so.items;
	return 0;
}
