/* sql_gen.c - the aggregation query of both SQL dialects, and its rows into the ledger (sql.h) */
#include "costrank/sql.h"

#include <stdlib.h>
#include <string.h>

#include "costrank/billing_rows.h"
#include "costrank/services.h"

int cr_sql_quote_table(cr_buf *out, const char *name, cr_error *err)
{
	const char *p = name, *dot;
	int parts = 0;

	for (;;) {
		size_t n;

		dot = strchr(p, '.');
		n = dot ? (size_t)(dot - p) : strlen(p);
		if (n == 0 || ++parts > 3)
			return cr_error_set(err, CR_EXIT_USAGE, "--table '%s' is not a table name "
					    "like TABLE, DB.TABLE or CATALOG.DB.TABLE", name);
		if (parts > 1)
			cr_buf_addc(out, '.');
		cr_buf_addc(out, '"');
		for (size_t i = 0; i < n; i++) {
			if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f)
				return cr_error_set(err, CR_EXIT_USAGE, "--table: a table name "
						    "holds no control character");
			if (p[i] == '"')
				cr_buf_addc(out, '"');
			cr_buf_addc(out, p[i]);
		}
		cr_buf_addc(out, '"');
		if (!dot)
			return 0;
		p = dot + 1;
	}
}

/* A column as an identifier; the names are the generator's own. */
static void col(cr_buf *b, const char *name)
{
	cr_buf_addf(b, "\"%s\"", name);
}

/* The text of a map column's key: product name, environment tag. */
static void map_value(cr_buf *b, const cr_sql_query *q, const char *map, const char *key,
		      const char *legacy_column)
{
	if (q->layout == CR_SQL_LEGACY_YEAR_MONTH)
		col(b, legacy_column);
	else if (q->dialect == CR_SQL_ATHENA)
		cr_buf_addf(b, "element_at(\"%s\", '%s')", map, key);
	else
		cr_buf_addf(b, "json_extract_path_text(\"%s\", '%s')", map, key);
}

/* A cost column as an exact number, NULL as 0: Athena's CUR columns are
 * doubles, which are summed as decimals of 10 places. */
static void num(cr_buf *b, const cr_sql_query *q, const char *name)
{
	if (q->dialect == CR_SQL_ATHENA)
		cr_buf_addf(b, "COALESCE(CAST(\"%s\" AS DECIMAL(38, 10)), 0)", name);
	else
		cr_buf_addf(b, "COALESCE(\"%s\", 0)", name);
}

/* The cost of a line in the metric (billing-formats.md, section 9). */
static void cost(cr_buf *b, const cr_sql_query *q)
{
	if (q->metric != CR_METRIC_AMORTIZED) {
		num(b, q, "line_item_unblended_cost");
		return;
	}
	cr_buf_adds(b, "CASE \"line_item_line_item_type\"\n"
		    "\t\tWHEN 'SavingsPlanCoveredUsage' THEN ");
	num(b, q, "savings_plan_savings_plan_effective_cost");
	cr_buf_adds(b, "\n\t\tWHEN 'SavingsPlanRecurringFee' THEN ");
	num(b, q, "savings_plan_total_commitment_to_date");
	cr_buf_adds(b, " - ");
	num(b, q, "savings_plan_used_commitment");
	cr_buf_adds(b, "\n\t\tWHEN 'SavingsPlanNegation' THEN 0"
		    "\n\t\tWHEN 'SavingsPlanUpfrontFee' THEN 0"
		    "\n\t\tWHEN 'DiscountedUsage' THEN ");
	num(b, q, "reservation_effective_cost");
	cr_buf_adds(b, "\n\t\tWHEN 'RIFee' THEN ");
	num(b, q, "reservation_unused_amortized_upfront_fee_for_billing_period");
	cr_buf_adds(b, " + ");
	num(b, q, "reservation_unused_recurring_fee");
	cr_buf_adds(b, "\n\t\tWHEN 'Fee' THEN CASE WHEN COALESCE(\"reservation_reservation_a_r_n\", '')"
		    " <> '' THEN 0 ELSE ");
	num(b, q, "line_item_unblended_cost");
	cr_buf_adds(b, " END\n\t\tELSE ");
	num(b, q, "line_item_unblended_cost");
	cr_buf_adds(b, " END");
}

/* The partition predicate: the billing periods overlapping first..last. */
static void partitions(cr_buf *b, const cr_sql_query *q)
{
	int y, m, d, ly, lm;
	bool first = true;

	cr_day_to_ymd(q->prev_start, &y, &m, &d);
	cr_day_to_ymd(q->end, &ly, &lm, &d);
	switch (q->layout) {
	case CR_SQL_CUR2_START_DATE:
		lm++;
		if (lm > 12) {
			lm = 1;
			ly++;
		}
		cr_buf_addf(b, "\"bill_billing_period_start_date\" >= TIMESTAMP '%04d-%02d-01 00:00:00'\n"
			    "\tAND \"bill_billing_period_start_date\" < TIMESTAMP '%04d-%02d-01 00:00:00'",
			    y, m, ly, lm);
		return;
	case CR_SQL_CUR2_PERIOD:
		cr_buf_adds(b, "\"billing_period\" IN (");
		break;
	case CR_SQL_LEGACY_YEAR_MONTH:
		cr_buf_adds(b, "(");
		break;
	}
	for (; y < ly || (y == ly && m <= lm); m = m == 12 ? 1 : m + 1, y += m == 1) {
		if (q->layout == CR_SQL_CUR2_PERIOD)
			cr_buf_addf(b, "%s'%04d-%02d'", first ? "" : ", ", y, m);
		else
			cr_buf_addf(b, "%s(\"year\" = '%04d' AND \"month\" = '%d')",
				    first ? "" : " OR ", y, m);
		first = false;
	}
	cr_buf_adds(b, ")");
}

static void timestamp(cr_buf *b, cr_day day)
{
	char t[11];

	cr_day_format(day, t);
	cr_buf_addf(b, "TIMESTAMP '%s 00:00:00'", t);
}

/* Which period a line item is in: 0 before the previous, 1 the previous,
 * 2 the reported, 3 after it. */
static void bucket(cr_buf *b, const cr_sql_query *q)
{
	static const char start[] = "\"line_item_usage_start_date\"";

	cr_buf_addf(b, "CASE WHEN %s < ", start);
	timestamp(b, q->prev_start);
	cr_buf_addf(b, " THEN 0\n\t\tWHEN %s < ", start);
	timestamp(b, q->start);
	cr_buf_addf(b, " THEN 1\n\t\tWHEN %s < ", start);
	timestamp(b, q->end + 1);
	cr_buf_adds(b, " THEN 2 ELSE 3 END");
}

static void literal(cr_buf *b, const char *s)
{
	cr_buf_addc(b, '\'');
	for (; *s; s++) {
		if (*s == '\'')
			cr_buf_addc(b, '\'');
		cr_buf_addc(b, *s);
	}
	cr_buf_addc(b, '\'');
}

/* The lines query: per period, or (usage types given) per day. */
static int lines_query(const cr_sql_query *q, const char *const *usage_types, size_t n,
		       char **out, cr_error *err)
{
	cr_buf t = { 0 }, b = { 0 };
	bool legacy = q->layout == CR_SQL_LEGACY_YEAR_MONTH;

	*out = NULL;
	if (q->prev_start > q->start || q->start > q->end)
		return cr_error_set(err, CR_EXIT_INTERNAL, "SQL: a period that ends before it starts");
	if (cr_sql_quote_table(&t, q->table, err) < 0) {
		cr_buf_release(&t);
		return -1;
	}
	cr_buf_adds(&b, "SELECT\n\t\"line_item_usage_account_id\",\n\t");
	if (legacy)
		cr_buf_adds(&b, "''");
	else
		col(&b, "line_item_usage_account_name");
	cr_buf_adds(&b, ",\n\t\"line_item_line_item_type\",\n\t\"pricing_term\",\n"
		    "\t\"line_item_product_code\",\n\t\"line_item_usage_type\",\n\t");
	map_value(&b, q, "product", "product_name", "product_product_name");
	cr_buf_adds(&b, ",\n\t\"pricing_unit\",\n\t\"line_item_currency_code\",\n"
		    "\tMIN(CAST(\"line_item_usage_start_date\" AS DATE)),\n"
		    "\tMAX(CAST(\"line_item_usage_start_date\" AS DATE)),\n\tSUM(");
	cost(&b, q);
	cr_buf_adds(&b, "),\n\tSUM(");
	num(&b, q, "line_item_usage_amount");
	cr_buf_adds(&b, "),\n\tCOUNT(*)\nFROM ");
	cr_buf_add(&b, t.ptr, t.len);
	cr_buf_adds(&b, "\nWHERE ");
	partitions(&b, q);
	if (n) {
		cr_buf_adds(&b, "\n\tAND \"line_item_usage_start_date\" >= ");
		timestamp(&b, q->start);
		cr_buf_adds(&b, "\n\tAND \"line_item_usage_start_date\" < ");
		timestamp(&b, q->end + 1);
		cr_buf_adds(&b, "\n\tAND \"line_item_usage_type\" IN (");
		for (size_t i = 0; i < n; i++) {
			cr_buf_adds(&b, i ? ",\n\t\t" : "");
			literal(&b, usage_types[i]);
		}
		cr_buf_adds(&b, ")");
	}
	cr_buf_adds(&b, "\nGROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9,\n\t");
	if (n)
		cr_buf_adds(&b, "CAST(\"line_item_usage_start_date\" AS DATE)");
	else
		bucket(&b, q);
	cr_buf_adds(&b, "\nORDER BY 1, 10, 6, 3, 5, 7, 4, 8, 2, 9\n");
	cr_buf_release(&t);
	*out = cr_buf_detach(&b);
	return 0;
}

int cr_sql_build(const cr_sql_query *q, char **lines, char **envs, cr_error *err)
{
	cr_buf t = { 0 }, e = { 0 };

	*envs = NULL;
	if (lines_query(q, NULL, 0, lines, err))
		return -1;
	cr_sql_quote_table(&t, q->table, NULL);
	cr_buf_adds(&e, "SELECT\n\t\"line_item_usage_account_id\",\n\t");
	map_value(&e, q, "resource_tags", "user:environment", "resource_tags_user_environment");
	cr_buf_adds(&e, ",\n\tCOUNT(*)\nFROM ");
	cr_buf_add(&e, t.ptr, t.len);
	cr_buf_adds(&e, "\nWHERE ");
	partitions(&e, q);
	cr_buf_adds(&e, "\nGROUP BY 1, 2\nORDER BY 1, 2\n");
	cr_buf_release(&t);
	*envs = cr_buf_detach(&e);
	return 0;
}

int cr_sql_build_daily(const cr_sql_query *q, const char *const *usage_types, size_t n,
		       char **daily, cr_error *err)
{
	cr_sql_query cur = *q;

	if (n == 0)
		return cr_error_set(err, CR_EXIT_INTERNAL, "SQL: a daily query without usage types");
	/* the billing periods of the reported period only */
	cur.prev_start = q->start;
	return lines_query(&cur, usage_types, n, daily, err);
}

/* ---- rows into the ledger ---------------------------------------------- */

static int number(const cr_sql_cell *c, const char *what, cr_dec *out, cr_error *err)
{
	if (c->len == 0) {
		*out = CR_DEC_ZERO;
		return 0;
	}
	if (cr_dec_parse(c->ptr, c->len, out) == 0)
		return 0;
	return cr_error_set(err, CR_EXIT_REMOTE, "SQL answer: the %s '%.*s' is not a number "
			    "costrank can hold", what, (int)(c->len > 40 ? 40 : c->len), c->ptr);
}

static int count(const cr_sql_cell *c, uint64_t *out, cr_error *err)
{
	uint64_t v = 0;

	if (c->len == 0 || c->len > 18)
		goto bad;
	for (size_t i = 0; i < c->len; i++) {
		if (c->ptr[i] < '0' || c->ptr[i] > '9')
			goto bad;
		v = v * 10 + (uint64_t)(c->ptr[i] - '0');
	}
	*out = v;
	return 0;
bad:
	return cr_error_set(err, CR_EXIT_REMOTE, "SQL answer: the count '%.*s' is not a whole "
			    "number", (int)(c->len > 40 ? 40 : c->len), c->ptr);
}

static cr_sym sym(cr_ledger *l, const cr_sql_cell *c)
{
	return c->len ? cr_ledger_intern(l, c->ptr, c->len) : 0;
}

static int day(const cr_sql_cell *c, cr_day *out, cr_error *err)
{
	if (c->len >= 10 && cr_day_parse(c->ptr, 10, out) == 0)
		return 0;
	return cr_error_set(err, CR_EXIT_REMOTE, "SQL answer: the day '%.*s' is not a date",
			    (int)(c->len > 40 ? 40 : c->len), c->ptr);
}

int cr_sql_book_line(cr_ledger *l, const cr_sql_cell *c, cr_sql_keep_fn *keep, void *ctx,
		     uint64_t *items, cr_day *last, cr_error *err)
{
	const cr_sql_cell *code = &c[CR_SQL_PRODUCT_CODE], *ut = &c[CR_SQL_USAGE_TYPE];
	const cr_sql_cell *cur = &c[CR_SQL_CURRENCY], *pname = &c[CR_SQL_PRODUCT_NAME];
	enum cr_kind kind = cr_cur_line_kind(c[CR_SQL_LINE_TYPE].ptr, c[CR_SQL_LINE_TYPE].len,
					     c[CR_SQL_TERM].ptr, c[CR_SQL_TERM].len,
					     ut->ptr, ut->len);
	cr_ledger_key key = { .kind = (uint32_t)kind };
	cr_dec amount, qty = CR_DEC_ZERO;
	const char *svc;
	size_t svc_len;

	if (c[CR_SQL_ACCOUNT].len == 0)
		return cr_error_set(err, CR_EXIT_REMOTE, "SQL answer: a row without an account id");
	if (day(&c[CR_SQL_DAY], &key.day, err) || day(&c[CR_SQL_LAST_DAY], last, err))
		return -1;
	if (number(&c[CR_SQL_COST], "cost", &amount, err) ||
	    (cr_kind_is_usage(kind) && number(&c[CR_SQL_USAGE_AMOUNT], "usage amount", &qty, err)) ||
	    count(&c[CR_SQL_ITEMS], items, err))
		return -1;
	if (cr_ledger_check_currency(l, cur->ptr, cur->len))
		return cr_error_set(err, CR_EXIT_REMOTE, "SQL answer: currency '%.*s' differs "
				    "from '%s'; costrank does not convert currencies",
				    (int)(cur->len > 16 ? 16 : cur->len), cur->ptr,
				    cr_ledger_currency(l));
	/* as the billing-file reader: the product map's name only for a code
	 * the service table lacks */
	svc = cr_service_name(code->ptr, code->len, ut->ptr, ut->len, "", 0,
			      kind == CR_KIND_TAX, &svc_len);
	if (svc == code->ptr && pname->len)
		key.service = cr_ledger_intern(l, pname->ptr, pname->len);
	else
		key.service = cr_ledger_intern(l, svc, svc_len);
	key.account = cr_ledger_intern(l, c[CR_SQL_ACCOUNT].ptr, c[CR_SQL_ACCOUNT].len);
	key.usage_type = cr_ledger_intern(l, ut->ptr, ut->len);
	cr_ledger_note_account_name(l, key.account, sym(l, &c[CR_SQL_ACCOUNT_NAME]));
	if (keep && !keep(ctx, cr_ledger_str(l, key.account), cr_ledger_str(l, key.service),
			  cr_ledger_str(l, key.usage_type), key.day))
		return 0;
	if (cr_ledger_add(l, &key, amount, qty,
			  cr_kind_is_usage(kind) ? sym(l, &c[CR_SQL_UNIT]) : 0, NULL))
		return cr_error_set(err, CR_EXIT_REMOTE, "SQL answer: the sum for account %s "
				    "overflows", cr_ledger_str(l, key.account));
	return 0;
}

int cr_sql_book_env(cr_ledger *l, const cr_sql_cell *c, cr_error *err)
{
	uint64_t n = 0;
	cr_sym account, value;

	if (count(&c[CR_SQL_ENV_ITEMS], &n, err))
		return -1;
	if (c[CR_SQL_ENV_ACCOUNT].len == 0 || c[CR_SQL_ENV_VALUE].len == 0)
		return 0;
	account = sym(l, &c[CR_SQL_ENV_ACCOUNT]);
	value = sym(l, &c[CR_SQL_ENV_VALUE]);
	/* the ledger counts tagged line items, one at a time */
	for (uint64_t i = 0; i < n; i++)
		cr_ledger_note_environment(l, account, value);
	return 0;
}
