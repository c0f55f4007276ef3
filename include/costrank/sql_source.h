/*
 * sql_source.h - a period pulled from a SQL engine holding the CUR
 * (PostgreSQL, Amazon Redshift, Amazon Athena) by aggregation queries
 * (sql.h) into the ledger.
 *
 *   cr_sql_pull_opts o = { .table = "cur", .period = p, .rules = rules, ... };
 *   cr_sql_outcome out;
 *   cr_sql_pg_pull(ledger, "postgresql://...", &o, &out, &err)
 *
 * Three queries, and one per dimension of the ledger: the lines summed
 * per period; for the lines that savings rules match, the same per day (so
 * that rules measure them day by day, as from the files); the environment
 * tag counts; for each dimension (--by), the lines summed per period and
 * value of the dimension, grouped in the engine.  On PostgreSQL / Redshift
 * the table's columns are read first (sql.h, cr_sql_table_info).  The report
 * then equals the report of the same rows read from the files, while a
 * few thousand aggregated rows come back.  The PostgreSQL table holds
 * CUR 2.0 columns (README, "Push-down to Athena and PostgreSQL/Redshift"):
 * numeric costs, timestamp dates, the product and resource_tags maps as
 * JSON.
 */
#ifndef COSTRANK_SQL_SOURCE_H
#define COSTRANK_SQL_SOURCE_H

#include <stdint.h>

#include "costrank/accounts.h"
#include "costrank/error.h"
#include "costrank/ledger.h"
#include "costrank/period.h"
#include "costrank/rules.h"
#include "costrank/sql.h"

typedef struct cr_sql_pull_opts {
	enum cr_sql_dialect dialect;
	enum cr_sql_layout layout;
	const char *table;
	cr_period period;             /* resolved; the previous period is read too */
	const cr_ruleset *rules;      /* NULL: no daily query */
	const cr_accounts *accounts;  /* --accounts (environments of the rules), may be NULL */
	const cr_sql_table_info *info; /* the table's columns (sql.h), or NULL */
} cr_sql_pull_opts;

typedef struct cr_sql_outcome {
	uint64_t rows;                /* aggregated rows pulled back */
	uint64_t items;               /* line items the lines rows sum */
	int queries;                  /* queries run */
	cr_day data_through;          /* the last day of usage, or 0 */
} cr_sql_outcome;

/* One row of an answer: n cells. */
typedef int cr_sql_row_fn(void *ctx, const cr_sql_cell *cells, cr_error *err);

/* An engine runs one query and calls row for each row of exactly ncols
 * cells (else fails); 0, or -1 with err set. */
typedef struct cr_sql_engine {
	int (*exec)(void *self, const char *sql, int ncols, cr_sql_row_fn *row, void *ctx,
		    cr_error *err);
	void *self;
} cr_sql_engine;

/* The queries on engine e, booked into l.  0, or -1 with err set. */
int cr_sql_pull(cr_ledger *l, const cr_sql_pull_opts *o, const cr_sql_engine *e,
		cr_sql_outcome *out, cr_error *err);

/*
 * cr_sql_pull on PostgreSQL / Redshift (libpq).  -1 with err set:
 * CR_EXIT_USAGE when cr_sql_pg_check_url refuses db_url, CR_EXIT_REMOTE
 * when the server refuses the connection or a query (its message is kept;
 * libpq is given the parsed options, never the URL, so no message of it
 * quotes the URL), CR_EXIT_AUTH when it refuses the credentials.  The
 * password comes from PGPASSWORD or ~/.pgpass (PGPASSFILE), which libpq
 * reads itself.  The ledger's input is named by the redacted URL.
 */
int cr_sql_pg_pull(cr_ledger *l, const char *db_url, const cr_sql_pull_opts *o,
		   cr_sql_outcome *out, cr_error *err);

/*
 * Whether db_url (a postgresql:// or postgres:// URL, scheme in any case,
 * or key=value pairs) can be used: -1 with err set (CR_EXIT_USAGE), its
 * text never quoted, when libpq cannot read it or it holds a password (or
 * sslpassword, or an '@' libpq reads into a host, port or database name:
 * the rest of a password holding '/').
 */
int cr_sql_pg_check_url(const char *db_url, cr_error *err);

/* The URL as "postgresql://host:port/db" for messages: without user,
 * password and parameters, parsed as libpq parses it, any byte that is not
 * printable ASCII shown as '?' (caller frees).  "the database" when it
 * cannot be read or cr_sql_pg_check_url would refuse it. */
char *cr_sql_redact_url(const char *db_url);

#endif
