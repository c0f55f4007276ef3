/* sql_pg.c - the aggregation query on PostgreSQL / Redshift with libpq (sql_source.h) */
#include "costrank/sql_source.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <libpq-fe.h>

#include "costrank/buf.h"
#include "costrank/headers.h"

/* The scheme of a libpq URL, in any case (RFC 3986): its length, or 0. */
static size_t url_scheme(const char *url)
{
	static const char *const schemes[] = { "postgresql://", "postgres://" };

	for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++)
		if (strncasecmp(url, schemes[i], strlen(schemes[i])) == 0)
			return strlen(schemes[i]);
	return 0;
}

/*
 * The options of url as libpq reads them, or NULL.  libpq knows the schemes
 * in lower case only: an upper-case one is lowered first.  Its error text
 * quotes the URL and is dropped; *why says what is wrong in our words.
 */
static PQconninfoOption *parse_url(const char *url, const char **why)
{
	size_t n = url_scheme(url);
	char *copy = cr_xstrdup(url), *msg = NULL;
	PQconninfoOption *opts;

	for (size_t i = 0; i < n; i++)
		copy[i] = (char)tolower((unsigned char)copy[i]);
	opts = PQconninfoParse(copy, &msg);
	cr_wipe(copy, strlen(copy));
	free(copy);
	*why = NULL;
	if (!opts) {
		const char *m = msg ? msg : "";

		if (!msg)
			*why = "out of memory";
		else if (strstr(m, "%00"))
			*why = "it holds %00";
		else if (strstr(m, "percent"))
			*why = "a '%' is not followed by two hexadecimal digits";
		else if (strstr(m, "IPv6") || strstr(m, "]"))
			*why = "an IPv6 address lacks its closing ']'";
		else if (strstr(m, "missing \"=\""))
			*why = "it is neither a postgresql:// URL nor key=value pairs";
		else if (strstr(m, "option") || strstr(m, "parameter"))
			*why = "it names a parameter libpq does not know";
		else if (strstr(m, "quoted") || strstr(m, "quote"))
			*why = "a quoted value is not closed";
		else
			*why = "libpq cannot read it";
		if (msg) {
			cr_wipe(msg, strlen(msg));
			PQfreemem(msg);
		}
	}
	return opts;
}

static const char *option(const PQconninfoOption *opts, const char *key)
{
	for (const PQconninfoOption *o = opts; o && o->keyword; o++)
		if (strcmp(o->keyword, key) == 0)
			return o->val && *o->val ? o->val : NULL;
	return NULL;
}

/* Appends s with every byte that is not printable ASCII as '?'. */
static void add_clean(cr_buf *b, const char *s)
{
	for (; *s; s++)
		cr_buf_addc(b, *s > ' ' && *s < 0x7f ? *s : '?');
}

/* "postgresql://host:port/db" from the parsed options. */
static char *name_of(const PQconninfoOption *opts)
{
	const char *host = option(opts, "host"), *port = option(opts, "port");
	const char *db = option(opts, "dbname");
	cr_buf b = CR_BUF_INIT;

	if (!host)
		host = option(opts, "hostaddr");
	cr_buf_adds(&b, "postgresql://");
	if (host && strchr(host, ':') && !strchr(host, ',')) {
		cr_buf_addc(&b, '[');
		add_clean(&b, host);
		cr_buf_addc(&b, ']');
	} else if (host) {
		add_clean(&b, host);
	}
	if (port) {
		cr_buf_addc(&b, ':');
		add_clean(&b, port);
	}
	if (db) {
		cr_buf_addc(&b, '/');
		add_clean(&b, db);
	}
	return cr_buf_detach(&b);
}

/* Whether a value libpq read holds '@': the rest of a password with '/'
 * ("user:Pa/ss@host" reads as host "user", port "Pa", database "ss@host"). */
static bool stray_at(const PQconninfoOption *opts)
{
	for (const PQconninfoOption *o = opts; o && o->keyword; o++)
		if (o->val && strchr(o->val, '@') && strcmp(o->keyword, "user") != 0)
			return true;
	return false;
}

/* Whether a URL has "user:password@" as libpq finds it: the first '@' or
 * '/' after the scheme is an '@', with a ':' before it. */
static bool url_password(const char *url)
{
	size_t n = url_scheme(url);
	const char *p;

	if (!n)
		return false;
	p = url + n + strcspn(url + n, "@/");
	return *p == '@' && memchr(url + n, ':', (size_t)(p - url - n));
}

int cr_sql_pg_check_url(const char *url, cr_error *err)
{
	static const char refused[] = "a password is not accepted there, because a command "
				      "line is seen by other users and kept in shell histories and "
				      "CI logs; give it in PGPASSWORD or ~/.pgpass (PGPASSFILE), and "
				      "the URL as postgresql://user@host:port/db";
	const char *why;
	PQconninfoOption *opts;
	int rc = 0;

	if (url_password(url))
		return cr_error_set(err, CR_EXIT_USAGE, "--db-url holds a password (not shown): %s",
				    refused);
	opts = parse_url(url, &why);
	if (!opts)
		return cr_error_set(err, CR_EXIT_USAGE, "--db-url (not shown) is not a libpq URL "
				    "or connection string: %s", why);
	if (option(opts, "password") || option(opts, "sslpassword"))
		rc = cr_error_set(err, CR_EXIT_USAGE, "--db-url holds a password (not shown): %s",
				  refused);
	else if (stray_at(opts))
		rc = cr_error_set(err, CR_EXIT_USAGE, "--db-url (not shown) has an '@' after a "
				  "'/', as a password holding '/' leaves it: %s", refused);
	PQconninfoFree(opts);
	return rc;
}

char *cr_sql_redact_url(const char *url)
{
	const char *why;
	PQconninfoOption *opts = parse_url(url, &why);
	char *name;

	if (!opts || url_password(url) || option(opts, "password") ||
	    option(opts, "sslpassword") || stray_at(opts))
		name = cr_xstrdup("the database");
	else
		name = name_of(opts);
	PQconninfoFree(opts);
	return name;
}

/* libpq's message without its trailing newline, at most 300 bytes. */
static int pq_error(cr_error *err, int code, const char *where, const char *what,
		    const char *msg)
{
	size_t n = strlen(msg);

	while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
		n--;
	return cr_error_set(err, code, "%s: %s: %.*s", where, what, (int)(n > 300 ? 300 : n), msg);
}

struct pg {
	PGconn *db;
	const char *where;
};

static int exec(void *self, const char *sql, int ncols, cr_sql_row_fn *row, void *ctx,
		cr_error *err)
{
	struct pg *pg = self;
	PGresult *res = PQexecParams(pg->db, sql, 0, NULL, NULL, NULL, NULL, 0);
	cr_sql_cell cells[CR_SQL_MAX_COLUMNS];
	int rc = 0;

	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		pq_error(err, CR_EXIT_REMOTE, pg->where, "the query failed",
			 PQresultErrorMessage(res));
		PQclear(res);
		return -1;
	}
	if (PQnfields(res) != ncols || ncols > CR_SQL_MAX_COLUMNS) {
		rc = cr_error_set(err, CR_EXIT_REMOTE, "%s: the query answered %d columns where "
				  "%d were asked for", pg->where, PQnfields(res), ncols);
		PQclear(res);
		return rc;
	}
	for (int r = 0, n = PQntuples(res); r < n && rc == 0; r++) {
		for (int c = 0; c < ncols; c++) {
			bool null = PQgetisnull(res, r, c);
			cells[c].ptr = null ? "" : PQgetvalue(res, r, c);
			cells[c].len = null ? 0 : (size_t)PQgetlength(res, r, c);
		}
		rc = row(ctx, cells, err);
	}
	PQclear(res);
	return rc;
}

static int setup(PGconn *db, const char *where, cr_error *err)
{
	static const char *const sets[] = {
		"SET TIME ZONE 'UTC'", "SET DateStyle TO ISO", "SET standard_conforming_strings TO on",
	};

	for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) {
		PGresult *res = PQexec(db, sets[i]);
		/* the last one may be unknown (Redshift): no literal holds a backslash */
		bool ok = PQresultStatus(res) == PGRES_COMMAND_OK || i == 2;

		if (!ok)
			pq_error(err, CR_EXIT_REMOTE, where, sets[i], PQresultErrorMessage(res));
		PQclear(res);
		if (!ok)
			return -1;
	}
	return 0;
}

static int on_column(void *ctx, const cr_sql_cell *c, cr_error *err)
{
	(void)err;
	cr_sql_table_info_add(ctx, c);
	return 0;
}

/* What the catalogue says of the table's columns: none when it tells
 * nothing (the queries then read maps as CUR 2.0 maps of any JSON type). */
static int read_columns(struct pg *pg, const cr_sql_pull_opts *o, cr_sql_table_info *info,
			cr_error *err)
{
	cr_sql_query q = { .dialect = o->dialect, .layout = o->layout, .table = o->table };
	char *sql;
	int rc;

	if (cr_sql_build_columns(&q, &sql, err))
		return -1;
	rc = exec(pg, sql, CR_SQL_COL_COLUMNS, on_column, info, err);
	free(sql);
	return rc;
}

/* Connects with the options libpq read from url (which is never read
 * again, so that no message of libpq quotes it). */
static PGconn *connect_url(const char *url)
{
	const char *why;
	PQconninfoOption *opts = parse_url(url, &why);
	const char **keys, **vals;
	size_t n = 0;
	PGconn *db;

	if (!opts)
		return NULL;
	for (const PQconninfoOption *o = opts; o->keyword; o++)
		n++;
	keys = cr_xcalloc(n + 1, sizeof *keys);
	vals = cr_xcalloc(n + 1, sizeof *vals);
	n = 0;
	for (const PQconninfoOption *o = opts; o->keyword; o++)
		if (o->val) {
			keys[n] = o->keyword;
			vals[n++] = o->val;
		}
	db = PQconnectdbParams(keys, vals, 0);
	free(keys);
	free(vals);
	PQconninfoFree(opts);
	return db;
}

int cr_sql_pg_pull(cr_ledger *l, const char *db_url, const cr_sql_pull_opts *o,
		   cr_sql_outcome *out, cr_error *err)
{
	struct pg pg = { .where = NULL };
	cr_sql_engine e = { exec, &pg };
	cr_sql_table_info info = { 0 };
	cr_sql_pull_opts with_info;
	char *where;
	cr_buf name = { 0 };
	cr_ledger_input *in;
	int rc = -1;

	memset(out, 0, sizeof *out);
	if (cr_sql_pg_check_url(db_url, err))
		return -1;
	where = cr_sql_redact_url(db_url);
	pg.where = where;
	pg.db = connect_url(db_url);
	if (!pg.db || PQstatus(pg.db) != CONNECTION_OK) {
		const char *msg = pg.db ? PQerrorMessage(pg.db) : "out of memory";
		bool auth = strstr(msg, "password") || strstr(msg, "authentication");

		if (strstr(msg, db_url))  /* never libpq's text quoting the URL */
			msg = "libpq refused the connection options";
		pq_error(err, auth ? CR_EXIT_AUTH : CR_EXIT_REMOTE, where, "cannot connect", msg);
		goto done;
	}
	if (setup(pg.db, where, err) || read_columns(&pg, o, &info, err))
		goto done;
	with_info = *o;
	with_info.info = info.n ? &info : NULL;
	if (cr_sql_pull(l, &with_info, &e, out, err))
		goto done;
	out->queries++;  /* the columns query */
	cr_buf_addf(&name, "%s table %s", where, o->table);
	in = cr_ledger_add_input(l, name.ptr, "postgres");
	in->rows = out->items;
	rc = 0;
done:
	if (pg.db)
		PQfinish(pg.db);
	cr_buf_release(&name);
	cr_sql_table_info_release(&info);
	free(where);
	return rc;
}
