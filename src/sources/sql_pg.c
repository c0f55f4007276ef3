/* sql_pg.c - the aggregation query on PostgreSQL / Redshift with libpq (sql_source.h) */
#include "costrank/sql_source.h"

#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "costrank/buf.h"

char *cr_sql_redact_url(const char *url)
{
	static const char *const schemes[] = { "postgresql://", "postgres://" };
	cr_buf b = { 0 };

	for (size_t i = 0; i < sizeof schemes / sizeof schemes[0]; i++) {
		size_t n = strlen(schemes[i]);
		const char *host, *end, *at;

		if (strncmp(url, schemes[i], n) != 0)
			continue;
		host = url + n;
		end = host + strcspn(host, "/?#");
		/* user:password@ ends at the last '@' of the authority */
		for (at = end; at > host && at[-1] != '@'; at--)
			;
		cr_buf_adds(&b, schemes[i]);
		cr_buf_add(&b, at, (size_t)(end - at));
		if (*end == '/')
			cr_buf_add(&b, end, strcspn(end, "?#"));
		return cr_buf_detach(&b);
	}
	return cr_xstrdup("the database");
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
	cr_sql_cell cells[CR_SQL_LINE_COLUMNS];
	int rc = 0;

	if (PQresultStatus(res) != PGRES_TUPLES_OK) {
		pq_error(err, CR_EXIT_REMOTE, pg->where, "the query failed",
			 PQresultErrorMessage(res));
		PQclear(res);
		return -1;
	}
	if (PQnfields(res) != ncols || ncols > CR_SQL_LINE_COLUMNS) {
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

int cr_sql_pg_pull(cr_ledger *l, const char *db_url, const cr_sql_pull_opts *o,
		   cr_sql_outcome *out, cr_error *err)
{
	struct pg pg = { .where = NULL };
	cr_sql_engine e = { exec, &pg };
	char *where = cr_sql_redact_url(db_url);
	cr_buf name = { 0 };
	cr_ledger_input *in;
	int rc = -1;

	memset(out, 0, sizeof *out);
	pg.where = where;
	pg.db = PQconnectdb(db_url);
	if (!pg.db || PQstatus(pg.db) != CONNECTION_OK) {
		const char *msg = pg.db ? PQerrorMessage(pg.db) : "out of memory";
		bool auth = strstr(msg, "password") || strstr(msg, "authentication");
		pq_error(err, auth ? CR_EXIT_AUTH : CR_EXIT_REMOTE, where, "cannot connect", msg);
		goto done;
	}
	if (setup(pg.db, where, err) || cr_sql_pull(l, o, &e, out, err))
		goto done;
	cr_buf_addf(&name, "%s table %s", where, o->table);
	in = cr_ledger_add_input(l, name.ptr, "postgres");
	in->rows = out->items;
	rc = 0;
done:
	if (pg.db)
		PQfinish(pg.db);
	cr_buf_release(&name);
	free(where);
	return rc;
}
