/*
 * sql.h - the aggregation pushed down to a SQL engine holding the CUR.
 *
 *   cr_sql_query q = { .dialect = CR_SQL_POSTGRES, .layout = CR_SQL_CUR2_START_DATE,
 *                      .table = "cur", .metric = m, .first = prev.start, .last = cur.end };
 *   char *lines, *envs, *daily;
 *   if (cr_sql_build(&q, &lines, &envs, &err) < 0) ...
 *   if (cr_sql_build_daily(&q, usage_types, n, &daily, &err) < 0) ...
 *   per row of lines or daily:  cr_sql_book_line(l, cells, keep, ctx, &items, &err)
 *   per row of envs:            cr_sql_book_env(l, cells, &err)
 *
 * One generator for both dialects: Athena (Trino) and PostgreSQL / Amazon
 * Redshift.  The lines query sums the chosen cost metric, the usage amount
 * and the number of line items per account, account name, line item type,
 * pricing term, product code, usage type, product name, pricing unit and
 * currency, per period (the previous one, the reported one, and what lies
 * before or after them), with the first and last UTC day of usage start.
 * The daily query does the same per UTC day of the reported period, for
 * the given usage types only: those of the lines savings rules measure day
 * by day.  The
 * environments query counts line items per account and "user:environment"
 * tag value.  Booked row by row, the ledger gets what the billing-file
 * reader gives for the same rows, except that a line's cost outside the
 * daily query is booked on the first day it has in its period.
 *
 * Only the billing periods (months) overlapping prev_start..end are scanned,
 * by the layout's partition predicate.  The table name (db.table or
 * catalog.db.table) is split at its dots and every part is quoted as an
 * identifier ("..." with embedded quotes doubled); dates are generated from
 * validated cr_day values; usage types of the daily query are string
 * literals with embedded quotes doubled (standard_conforming_strings; the
 * source never asks for one holding a backslash).
 */
#ifndef COSTRANK_SQL_H
#define COSTRANK_SQL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "costrank/buf.h"
#include "costrank/date.h"
#include "costrank/error.h"
#include "costrank/ledger.h"
#include "costrank/metric.h"

enum cr_sql_dialect {
	CR_SQL_ATHENA,            /* Athena / Trino: map columns, element_at */
	CR_SQL_POSTGRES,          /* PostgreSQL / Redshift: map columns as JSON text */
};

enum cr_sql_layout {
	CR_SQL_CUR2_PERIOD,       /* CUR 2.0 Data Exports table partitioned by billing_period 'YYYY-MM' */
	CR_SQL_CUR2_START_DATE,   /* CUR 2.0 columns, bill_billing_period_start_date */
	CR_SQL_LEGACY_YEAR_MONTH, /* legacy CUR Athena table: year/month partitions, flat columns */
};

typedef struct cr_sql_query {
	enum cr_sql_dialect dialect;
	enum cr_sql_layout layout;
	const char *table;        /* as the user gave it */
	enum cr_metric metric;
	cr_day prev_start;        /* the previous period's first day */
	cr_day start, end;        /* the period */
	const struct cr_sql_table_info *info; /* the table's columns, or NULL: not read */
} cr_sql_query;

/* Columns of a lines row, in this order. */
enum {
	CR_SQL_ACCOUNT, CR_SQL_ACCOUNT_NAME, CR_SQL_LINE_TYPE, CR_SQL_TERM, CR_SQL_PRODUCT_CODE,
	CR_SQL_USAGE_TYPE, CR_SQL_PRODUCT_NAME, CR_SQL_UNIT, CR_SQL_CURRENCY, CR_SQL_DAY,
	CR_SQL_LAST_DAY, CR_SQL_COST, CR_SQL_USAGE_AMOUNT, CR_SQL_ITEMS, CR_SQL_LINE_COLUMNS
};
/* A dimension row: the lines row's columns, then the dimension's value. */
enum { CR_SQL_DIM_VALUE = CR_SQL_LINE_COLUMNS, CR_SQL_DIM_COLUMNS };
/* The most columns any query answers. */
#define CR_SQL_MAX_COLUMNS CR_SQL_DIM_COLUMNS
/* Columns of an environments row. */
enum { CR_SQL_ENV_ACCOUNT, CR_SQL_ENV_VALUE, CR_SQL_ENV_ITEMS, CR_SQL_ENV_COLUMNS };

/* Appends name quoted as a (possibly dotted) identifier; -1 with err set
 * (CR_EXIT_USAGE) for an empty part or a control character. */
int cr_sql_quote_table(cr_buf *out, const char *name, cr_error *err);

/* Builds the lines and environments queries (caller frees).  0, or -1
 * with err set. */
int cr_sql_build(const cr_sql_query *q, char **lines, char **envs, cr_error *err);
/* Builds the daily query for n usage types (n >= 1): the reported period
 * only. */
int cr_sql_build_daily(const cr_sql_query *q, const char *const *usage_types, size_t n,
		       char **daily, cr_error *err);

/*
 * What a PostgreSQL / Redshift engine says of the table (the columns query:
 * name, data type, version() per column).  With it the generator reads each
 * map column as its type allows: json and jsonb with ->>, text as JSON
 * text cast to json; on Redshift SUPER by navigation, varchar with
 * JSON_EXTRACT_PATH_TEXT; and a tag, cost category or region from a
 * column of its own (resource_tags_user_team, resourcetags_user_team,
 * cost_category_NAME, product_region_code, product_region) when the table
 * has one.  Without it (query.info NULL: Athena, --dry-run) maps are read
 * as CUR 2.0 maps: element_at on Athena, on PostgreSQL the column cast to
 * text and then to json, which reads json, jsonb and text alike.
 */
typedef struct cr_sql_table_info {
	bool redshift;            /* version() names Redshift */
	size_t n;
	char **names, **types;    /* lower case */
} cr_sql_table_info;
/* Columns of a columns row. */
enum { CR_SQL_COL_NAME, CR_SQL_COL_TYPE, CR_SQL_COL_VERSION, CR_SQL_COL_COLUMNS };

/* The columns query of q's table (PostgreSQL / Redshift information_schema;
 * caller frees).  0, or -1 with err set. */
int cr_sql_build_columns(const cr_sql_query *q, char **sql, cr_error *err);
/* The type of column name (lower case), or NULL when info lacks it. */
const char *cr_sql_column_type(const cr_sql_table_info *info, const char *name);
void cr_sql_table_info_release(cr_sql_table_info *info);

/*
 * The dimension query: the lines query's rows per period, split also by
 * the value of dimension d (a tag, cost category, region or resource id)
 * in the engine, the value in the last column (NULL or '' for lines
 * without one).  -1 with err set (CR_EXIT_USAGE) for a key holding a
 * backslash or a control character.
 */
int cr_sql_build_dim(const cr_sql_query *q, const cr_dimension *d, char **sql, cr_error *err);

/* One cell: NULL (SQL NULL) reads as empty. */
typedef struct cr_sql_cell {
	const char *ptr;
	size_t len;
} cr_sql_cell;

/* Whether a row of this account, service, usage type and (first) day is
 * booked. */
typedef bool cr_sql_keep_fn(void *ctx, const char *account, const char *service,
			    const char *usage_type, cr_day day);

/*
 * Books one row of the lines or daily query (CR_SQL_LINE_COLUMNS cells)
 * into l, unless keep (may be NULL) says no; *items gets its count of line
 * items, *last its last day.  0, or -1 with err set (CR_EXIT_REMOTE: the
 * engine answered something that is not a number or a date, or a second
 * currency).
 */
int cr_sql_book_line(cr_ledger *l, const cr_sql_cell *c, cr_sql_keep_fn *keep, void *ctx,
		     uint64_t *items, cr_day *last, cr_error *err);
/* Books one row of a dimension query (CR_SQL_DIM_COLUMNS cells) into
 * dimension i of l with its value, keyed as cr_sql_book_line keys the
 * line, on its first day (and a resource's last day with no cost).  0, or
 * -1 with err set. */
int cr_sql_book_dim(cr_ledger *l, size_t i, const cr_sql_cell *c, cr_error *err);
/* Adds one row of the columns query (CR_SQL_COL_COLUMNS cells) to info. */
void cr_sql_table_info_add(cr_sql_table_info *info, const cr_sql_cell *c);

/* Books one row of the environments query (CR_SQL_ENV_COLUMNS cells). */
int cr_sql_book_env(cr_ledger *l, const cr_sql_cell *c, cr_error *err);

#endif
