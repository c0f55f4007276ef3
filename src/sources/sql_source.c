/* sql_source.c - the queries of a SQL source and their booking (sql_source.h) */
#include "costrank/sql_source.h"

#include <stdlib.h>
#include <string.h>

#include "costrank/keymap.h"

/* The lines rows, kept until it is known which lines come day by day. */
struct stored {
	char **cells;                 /* CR_SQL_LINE_COLUMNS per row */
	size_t n, cap;
};

struct pull {
	cr_ledger *l, *tmp;           /* the target; the lines rows, all booked */
	const cr_sql_pull_opts *o;
	struct stored rows;
	cr_keymap map;                /* (account, service, usage type) of tmp */
	bool *daily;                  /* by map index: the line comes day by day */
	size_t ndaily;
	bool want_daily;              /* keep: true books the daily lines only */
	cr_sql_outcome *out;
};

static void cells_of(char *const *s, cr_sql_cell *c, int n)
{
	for (int i = 0; i < n; i++) {
		c[i].ptr = s[i];
		c[i].len = strlen(s[i]);
	}
}

static int book(struct pull *p, cr_ledger *l, const cr_sql_cell *c, cr_sql_keep_fn *keep,
		cr_error *err)
{
	uint64_t items = 0;
	cr_day last = 0;

	if (cr_sql_book_line(l, c, keep, p, &items, &last, err))
		return -1;
	if (l == p->l && last > p->out->data_through)
		p->out->data_through = last;
	return 0;
}

static int on_line(void *ctx, const cr_sql_cell *c, cr_error *err)
{
	struct pull *p = ctx;
	struct stored *s = &p->rows;
	uint64_t items = 0;
	cr_day last;

	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 1024;
		s->cells = cr_xrealloc(s->cells, s->cap * CR_SQL_LINE_COLUMNS * sizeof *s->cells);
	}
	for (int i = 0; i < CR_SQL_LINE_COLUMNS; i++)
		s->cells[s->n * CR_SQL_LINE_COLUMNS + (size_t)i] = cr_xstrndup(c[i].ptr, c[i].len);
	s->n++;
	p->out->rows++;
	if (cr_sql_book_line(p->tmp, c, NULL, NULL, &items, &last, err))
		return -1;
	p->out->items += items;
	return 0;
}

/* The daily query gives the daily lines' cost in the reported period; the
 * lines query everything else. */
static bool keep(void *ctx, const char *account, const char *service, const char *usage,
		 cr_day day)
{
	struct pull *p = ctx;
	bool added;
	size_t i = cr_keymap_get(&p->map, cr_ledger_intern(p->tmp, account, strlen(account)),
				 cr_ledger_intern(p->tmp, service, strlen(service)),
				 cr_ledger_intern(p->tmp, usage, strlen(usage)), &added);
	bool daily = i < p->ndaily && p->daily[i];

	if (p->want_daily)
		return daily;
	return !daily || day < p->o->period.start || day > p->o->period.end;
}

static int on_daily(void *ctx, const cr_sql_cell *c, cr_error *err)
{
	struct pull *p = ctx;

	p->out->rows++;
	return book(p, p->l, c, keep, err);
}

static int on_env(void *ctx, const cr_sql_cell *c, cr_error *err)
{
	struct pull *p = ctx;

	p->out->rows++;
	return cr_sql_book_env(p->l, c, err);
}

struct dim_pull {
	struct pull *p;
	size_t i;
};

static int on_dim(void *ctx, const cr_sql_cell *c, cr_error *err)
{
	struct dim_pull *d = ctx;

	d->p->out->rows++;
	return cr_sql_book_dim(d->p->l, d->i, c, err);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/*
 * Marks the lines any day-measuring savings rule matches (in the environment the report
 * will give their account): in the reported period those come day by day,
 * as the rules measure weekend spend or the floor from daily data.  Returns
 * their distinct usage types.
 */
static const char **select_daily(struct pull *p, size_t *n)
{
	const cr_ruleset *rules = p->o->rules;
	const cr_ledger_entry *v;
	const char **usage = NULL;
	size_t count;

	*n = 0;
	if (!rules || !rules->n)
		return NULL;
	v = cr_ledger_entries(p->tmp, &count);
	p->daily = cr_xcalloc(count + 1, sizeof *p->daily);
	for (size_t i = 0; i < count; i++) {
		const char *svc = cr_ledger_str(p->tmp, v[i].key.service);
		const char *ut = cr_ledger_str(p->tmp, v[i].key.usage_type);
		const char *env;
		bool added;
		size_t k;

		/* a backslash means one thing or another in a string literal,
		 * by the server's settings: such a line stays monthly */
		if (!*ut || strchr(ut, '\\'))
			continue;
		env = cr_ledger_environment(p->tmp, v[i].key.account, p->o->accounts, NULL);
		if (!(cr_rules_daily_need(rules, svc, ut, env) & CR_DAILY_MEASURED))
			continue;
		k = cr_keymap_get(&p->map, v[i].key.account, v[i].key.service,
				  v[i].key.usage_type, &added);
		if (k >= p->ndaily)
			p->ndaily = k + 1;
		if (p->daily[k])
			continue;
		p->daily[k] = true;
		usage = cr_xrealloc(usage, (*n + 1) * sizeof *usage);
		usage[(*n)++] = ut;
	}
	if (!*n)
		return usage;
	qsort(usage, *n, sizeof *usage, cmp_str);
	count = 0;
	for (size_t i = 0; i < *n; i++)
		if (!count || strcmp(usage[i], usage[count - 1]) != 0)
			usage[count++] = usage[i];
	*n = count;
	return usage;
}

int cr_sql_pull(cr_ledger *l, const cr_sql_pull_opts *o, const cr_sql_engine *e,
		cr_sql_outcome *out, cr_error *err)
{
	struct pull p = { .l = l, .o = o, .map = CR_KEYMAP_INIT, .out = out };
	cr_sql_query q = { .dialect = o->dialect, .layout = o->layout, .table = o->table,
			   .metric = cr_ledger_metric(l), .start = o->period.start,
			   .end = o->period.end, .info = o->info };
	cr_period prev;
	char *lines = NULL, *envs = NULL, *daily = NULL;
	const char **usage = NULL;
	size_t nusage = 0;
	int rc = -1;

	memset(out, 0, sizeof *out);
	cr_period_previous(&o->period, &prev);
	q.prev_start = prev.start;
	p.tmp = cr_ledger_new(cr_ledger_metric(l));
	if (cr_sql_build(&q, &lines, &envs, err))
		goto done;
	out->queries++;
	if (e->exec(e->self, lines, CR_SQL_LINE_COLUMNS, on_line, &p, err))
		goto done;
	usage = select_daily(&p, &nusage);
	p.want_daily = false;
	for (size_t i = 0; i < p.rows.n; i++) {
		cr_sql_cell c[CR_SQL_LINE_COLUMNS];

		cells_of(p.rows.cells + i * CR_SQL_LINE_COLUMNS, c, CR_SQL_LINE_COLUMNS);
		if (book(&p, l, c, keep, err))
			goto done;
	}
	if (nusage) {
		if (cr_sql_build_daily(&q, usage, nusage, &daily, err))
			goto done;
		p.want_daily = true;
		out->queries++;
		if (e->exec(e->self, daily, CR_SQL_LINE_COLUMNS, on_daily, &p, err))
			goto done;
	}
	out->queries++;
	if (e->exec(e->self, envs, CR_SQL_ENV_COLUMNS, on_env, &p, err))
		goto done;
	for (size_t i = 0; i < cr_ledger_dimension_count(l); i++) {
		struct dim_pull d = { &p, i };
		char *sql;
		int failed;

		if (cr_sql_build_dim(&q, cr_ledger_dimension(l, i), &sql, err))
			goto done;
		out->queries++;
		failed = e->exec(e->self, sql, CR_SQL_DIM_COLUMNS, on_dim, &d, err);
		free(sql);
		if (failed)
			goto done;
	}
	rc = 0;
done:
	for (size_t i = 0; i < p.rows.n * CR_SQL_LINE_COLUMNS; i++)
		free(p.rows.cells[i]);
	free(p.rows.cells);
	free(p.daily);
	free(usage);
	cr_keymap_release(&p.map);
	cr_ledger_free(p.tmp);
	free(lines);
	free(envs);
	free(daily);
	return rc;
}
