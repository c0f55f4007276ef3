/* sql_gen.c - the aggregation query of both SQL dialects, and its rows into the ledger (sql.h) */
#include "costrank/sql.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "costrank/billing_rows.h"
#include "costrank/services.h"

#define CR_SQL_KEY_MAX 128  /* longer tag keys and category names are refused */

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

/* ---- the table's columns ------------------------------------------------ */

const char *cr_sql_column_type(const cr_sql_table_info *info, const char *name)
{
	for (size_t i = 0; info && i < info->n; i++)
		if (strcmp(info->names[i], name) == 0)
			return info->types[i];
	return NULL;
}

static char *lower_dup(const cr_sql_cell *c)
{
	char *s = cr_xstrndup(c->ptr, c->len);

	for (char *p = s; *p; p++)
		if (*p >= 'A' && *p <= 'Z')
			*p = (char)(*p - 'A' + 'a');
	return s;
}

void cr_sql_table_info_add(cr_sql_table_info *info, const cr_sql_cell *c)
{
	const cr_sql_cell *v = &c[CR_SQL_COL_VERSION];

	for (size_t i = 0; i + 8 <= v->len; i++)
		if (strncmp(v->ptr + i, "Redshift", 8) == 0)
			info->redshift = true;
	info->names = cr_xrealloc(info->names, (info->n + 1) * sizeof *info->names);
	info->types = cr_xrealloc(info->types, (info->n + 1) * sizeof *info->types);
	info->names[info->n] = lower_dup(&c[CR_SQL_COL_NAME]);
	info->types[info->n++] = lower_dup(&c[CR_SQL_COL_TYPE]);
}

void cr_sql_table_info_release(cr_sql_table_info *info)
{
	for (size_t i = 0; i < info->n; i++) {
		free(info->names[i]);
		free(info->types[i]);
	}
	free(info->names);
	free(info->types);
	memset(info, 0, sizeof *info);
}

static void literal(cr_buf *b, const char *s);

/* s quoted as an identifier, embedded quotes doubled. */
static void ident(cr_buf *b, const char *s)
{
	cr_buf_addc(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			cr_buf_addc(b, '"');
		cr_buf_addc(b, *s);
	}
	cr_buf_addc(b, '"');
}

int cr_sql_build_columns(const cr_sql_query *q, char **sql, cr_error *err)
{
	cr_buf t = { 0 }, b = { 0 };
	const char *name = q->table, *dot = strrchr(name, '.');
	char *schema = NULL;

	*sql = NULL;
	if (cr_sql_quote_table(&t, q->table, err) < 0) {
		cr_buf_release(&t);
		return -1;
	}
	cr_buf_release(&t);
	if (dot) {
		const char *start = dot;

		while (start > name && start[-1] != '.')
			start--;
		schema = cr_xstrndup(start, (size_t)(dot - start));
		name = dot + 1;
	}
	cr_buf_adds(&b, "SELECT \"column_name\", \"data_type\", version()\n"
		    "FROM \"information_schema\".\"columns\"\nWHERE \"table_name\" = ");
	literal(&b, name);
	cr_buf_adds(&b, "\n\tAND \"table_schema\" = ");
	if (schema)
		literal(&b, schema);
	else
		cr_buf_adds(&b, "ANY (current_schemas(false))");
	cr_buf_adds(&b, "\nORDER BY \"ordinal_position\"\n");
	free(schema);
	*sql = cr_buf_detach(&b);
	return 0;
}

/* A column as an identifier; the names are the generator's own. */
static void col(cr_buf *b, const char *name)
{
	cr_buf_addf(b, "\"%s\"", name);
}

static bool has_col(const cr_sql_query *q, const char *name)
{
	return cr_sql_column_type(q->info, name) != NULL;
}

/*
 * The text of key in map column map, NULL when it has none, as the column's
 * type allows (sql.h, cr_sql_table_info).
 */
static void map_text(cr_buf *b, const cr_sql_query *q, const char *map, const char *key)
{
	const char *type = cr_sql_column_type(q->info, map);
	bool redshift = q->info && q->info->redshift;

	if (q->dialect == CR_SQL_ATHENA) {
		cr_buf_adds(b, "element_at(");
		ident(b, map);
		cr_buf_adds(b, ", ");
		literal(b, key);
		cr_buf_adds(b, ")");
	} else if (redshift && type && strcmp(type, "super") == 0) {
		cr_buf_adds(b, "CAST(");
		ident(b, map);
		cr_buf_addc(b, '.');
		ident(b, key);
		cr_buf_adds(b, " AS VARCHAR)");
	} else if (redshift) {
		cr_buf_adds(b, "JSON_EXTRACT_PATH_TEXT(NULLIF(");
		ident(b, map);
		cr_buf_adds(b, ", ''), ");
		literal(b, key);
		cr_buf_adds(b, ", true)");
	} else if (type && (strcmp(type, "json") == 0 || strcmp(type, "jsonb") == 0)) {
		cr_buf_adds(b, "(");
		ident(b, map);
		cr_buf_adds(b, " ->> ");
		literal(b, key);
		cr_buf_adds(b, ")");
	} else {
		/* text, or a type not read: json, jsonb and text all cast to text */
		cr_buf_adds(b, "(CAST(NULLIF(CAST(");
		ident(b, map);
		cr_buf_adds(b, " AS text), '') AS json) ->> ");
		literal(b, key);
		cr_buf_adds(b, ")");
	}
}

/* The text of a map column's key: product name, environment tag; a
 * column of its own in the legacy layout, or when the table read has no
 * map but that column. */
static void map_value(cr_buf *b, const cr_sql_query *q, const char *map, const char *key,
		      const char *legacy_column)
{
	if (q->layout == CR_SQL_LEGACY_YEAR_MONTH ||
	    (q->info && !has_col(q, map) && has_col(q, legacy_column)))
		col(b, legacy_column);
	else if (q->info && !has_col(q, map))
		cr_buf_adds(b, "CAST(NULL AS VARCHAR)");
	else
		map_text(b, q, map, key);
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

/* ---- dimensions ---------------------------------------------------------- */

/* A column name of a tag or category of its own: prefix and key, lower
 * case, ':' as '_' (resourceTags/user:team as Athena and loaders name it). */
static void flat_name(char *out, size_t size, const char *prefix, const char *key)
{
	size_t n = (size_t)snprintf(out, size, "%s", prefix);

	for (; *key && n + 1 < size; key++, n++)
		out[n] = *key == ':' ? '_' : (*key >= 'A' && *key <= 'Z') ? (char)(*key + 32) : *key;
	out[n < size ? n : size - 1] = '\0';
}

/* The first of names the table has, or NULL. */
static const char *first_col(const cr_sql_query *q, const char *const *names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (has_col(q, names[i]))
			return names[i];
	return NULL;
}

/*
 * A column of its own for a tag or category (names[0] in the legacy
 * layout, else the first of names the table has), or NULL when the table
 * read has neither it nor the map: true when one was written.
 */
static bool own_column(cr_buf *b, const cr_sql_query *q, const char *const *names,
		       const char *map)
{
	const char *own = first_col(q, names, 2);

	if (q->layout == CR_SQL_LEGACY_YEAR_MONTH && !q->info)
		own = names[0];
	if (own)
		ident(b, own);
	else if (q->info && !has_col(q, map))
		cr_buf_adds(b, "CAST(NULL AS VARCHAR)");
	return own || (q->info && !has_col(q, map));
}

/*
 * A line's value of a tag, as the billing-file reader finds it: "team" is
 * the user tag, "user:team" or "user_team" in the resource_tags map; a key
 * given with its prefix is looked up as given, then with '_' for ':'.  A
 * column of its own (resource_tags_user_team, resourcetags_user_team) wins
 * when the table has one; the legacy layout has only such columns.
 */
static void tag_value(cr_buf *b, const cr_sql_query *q, const char *key)
{
	char keys[2][CR_SQL_KEY_MAX + 8], flat[2][CR_SQL_KEY_MAX + 32];
	const char *colon = strchr(key, ':');
	const char *names[2] = { flat[0], flat[1] };

	if (colon) {
		snprintf(keys[0], sizeof keys[0], "%s", key);
		snprintf(keys[1], sizeof keys[1], "%.*s_%s", (int)(colon - key), key, colon + 1);
	} else {
		snprintf(keys[0], sizeof keys[0], "user:%s", key);
		snprintf(keys[1], sizeof keys[1], "user_%s", key);
	}
	flat_name(flat[0], sizeof flat[0], "resource_tags_", keys[1]);
	flat_name(flat[1], sizeof flat[1], "resourcetags_", keys[1]);
	if (own_column(b, q, names, "resource_tags"))
		return;
	cr_buf_adds(b, "COALESCE(NULLIF(");
	map_text(b, q, "resource_tags", keys[0]);
	cr_buf_adds(b, ", ''), ");
	map_text(b, q, "resource_tags", keys[1]);
	cr_buf_adds(b, ")");
}

/* A line's value of cost category name: the cost_category map (CUR 2.0),
 * or a column of its own (legacy costCategory/NAME: cost_category_name). */
static void category_value(cr_buf *b, const cr_sql_query *q, const char *name)
{
	char flat[2][CR_SQL_KEY_MAX + 32];
	const char *names[2] = { flat[0], flat[1] };

	flat_name(flat[0], sizeof flat[0], "cost_category_", name);
	flat_name(flat[1], sizeof flat[1], "costcategory_", name);
	if (own_column(b, q, names, "cost_category"))
		return;
	map_text(b, q, "cost_category", name);
}

/* A line's region code: product_region_code (CUR 2.0), product_region
 * (legacy CUR as Athena names it), else the product map's "region". */
static void region_value(cr_buf *b, const cr_sql_query *q)
{
	static const char *const names[] = { "product_region_code", "product_region" };
	const char *own = first_col(q, names, 2);

	if (own)
		col(b, own);
	else if (!q->info)
		col(b, q->layout == CR_SQL_LEGACY_YEAR_MONTH ? "product_region" :
		       "product_region_code");
	else if (has_col(q, "product"))
		map_text(b, q, "product", "region");
	else
		cr_buf_adds(b, "CAST(NULL AS VARCHAR)");
}

/* The value of dimension d, '' as NULL, so that both are one group. */
static void dim_value(cr_buf *b, const cr_sql_query *q, const cr_dimension *d)
{
	cr_buf_adds(b, "NULLIF(");
	switch (d->kind) {
	case CR_DIM_TAG:
		tag_value(b, q, d->key);
		break;
	case CR_DIM_COST_CATEGORY:
		category_value(b, q, d->key);
		break;
	case CR_DIM_REGION:
		region_value(b, q);
		break;
	case CR_DIM_RESOURCE:
		col(b, "line_item_resource_id");
		break;
	}
	cr_buf_adds(b, ", '')");
}

/* The lines query: per period, or (usage types given) per day, or (d
 * given) per period and value of d. */
static int lines_query(const cr_sql_query *q, const char *const *usage_types, size_t n,
		       const cr_dimension *d, char **out, cr_error *err)
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
	cr_buf_adds(&b, "),\n\tCOUNT(*)");
	if (d) {
		cr_buf_adds(&b, ",\n\t");
		dim_value(&b, q, d);
	}
	cr_buf_adds(&b, "\nFROM ");
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
	cr_buf_adds(&b, d ? "\nGROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 15,\n\t" :
		    "\nGROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9,\n\t");
	if (n)
		cr_buf_adds(&b, "CAST(\"line_item_usage_start_date\" AS DATE)");
	else
		bucket(&b, q);
	cr_buf_adds(&b, d ? "\nORDER BY 1, 10, 6, 3, 5, 7, 4, 8, 2, 9, 15\n" :
		    "\nORDER BY 1, 10, 6, 3, 5, 7, 4, 8, 2, 9\n");
	cr_buf_release(&t);
	*out = cr_buf_detach(&b);
	return 0;
}

int cr_sql_build(const cr_sql_query *q, char **lines, char **envs, cr_error *err)
{
	cr_buf t = { 0 }, e = { 0 };

	*envs = NULL;
	if (lines_query(q, NULL, 0, NULL, lines, err))
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
	return lines_query(&cur, usage_types, n, NULL, daily, err);
}

int cr_sql_build_dim(const cr_sql_query *q, const cr_dimension *d, char **sql, cr_error *err)
{
	*sql = NULL;
	for (const char *p = d->key; p && *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '\\')
			return cr_error_set(err, CR_EXIT_USAGE, "--by %s: a key read by SQL holds "
					    "no backslash or control character", d->name);
	if (d->key && strlen(d->key) > CR_SQL_KEY_MAX)
		return cr_error_set(err, CR_EXIT_USAGE, "--by %s: a key read by SQL is at most "
				    "%d bytes", d->name, CR_SQL_KEY_MAX);
	return lines_query(q, NULL, 0, d, sql, err);
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

/* A lines row's key, cost and quantity, as the billing-file reader keys
 * the same rows. */
static int line_key(cr_ledger *l, const cr_sql_cell *c, cr_ledger_key *key, cr_dec *amount,
		    cr_dec *qty, uint64_t *items, cr_day *last, cr_error *err)
{
	const cr_sql_cell *code = &c[CR_SQL_PRODUCT_CODE], *ut = &c[CR_SQL_USAGE_TYPE];
	const cr_sql_cell *pname = &c[CR_SQL_PRODUCT_NAME];
	enum cr_kind kind = cr_cur_line_kind(c[CR_SQL_LINE_TYPE].ptr, c[CR_SQL_LINE_TYPE].len,
					     c[CR_SQL_TERM].ptr, c[CR_SQL_TERM].len,
					     ut->ptr, ut->len);
	const char *svc;
	size_t svc_len;

	*key = (cr_ledger_key){ .kind = (uint32_t)kind };
	*qty = CR_DEC_ZERO;
	if (c[CR_SQL_ACCOUNT].len == 0)
		return cr_error_set(err, CR_EXIT_REMOTE, "SQL answer: a row without an account id");
	if (day(&c[CR_SQL_DAY], &key->day, err) || day(&c[CR_SQL_LAST_DAY], last, err))
		return -1;
	if (number(&c[CR_SQL_COST], "cost", amount, err) ||
	    (cr_kind_is_usage(kind) && number(&c[CR_SQL_USAGE_AMOUNT], "usage amount", qty, err)) ||
	    count(&c[CR_SQL_ITEMS], items, err))
		return -1;
	/* as the billing-file reader: the product map's name only for a code
	 * the service table lacks */
	svc = cr_service_name(code->ptr, code->len, ut->ptr, ut->len, "", 0,
			      kind == CR_KIND_TAX, &svc_len);
	if (svc == code->ptr && pname->len)
		key->service = cr_ledger_intern(l, pname->ptr, pname->len);
	else
		key->service = cr_ledger_intern(l, svc, svc_len);
	key->account = cr_ledger_intern(l, c[CR_SQL_ACCOUNT].ptr, c[CR_SQL_ACCOUNT].len);
	key->usage_type = cr_ledger_intern(l, ut->ptr, ut->len);
	return 0;
}

int cr_sql_book_line(cr_ledger *l, const cr_sql_cell *c, cr_sql_keep_fn *keep, void *ctx,
		     uint64_t *items, cr_day *last, cr_error *err)
{
	const cr_sql_cell *cur = &c[CR_SQL_CURRENCY];
	cr_ledger_key key;
	cr_dec amount, qty;

	if (line_key(l, c, &key, &amount, &qty, items, last, err))
		return -1;
	if (cr_ledger_check_currency(l, cur->ptr, cur->len))
		return cr_error_set(err, CR_EXIT_REMOTE, "SQL answer: currency '%.*s' differs "
				    "from '%s'; costrank does not convert currencies",
				    (int)(cur->len > 16 ? 16 : cur->len), cur->ptr,
				    cr_ledger_currency(l));
	cr_ledger_note_account_name(l, key.account, sym(l, &c[CR_SQL_ACCOUNT_NAME]));
	if (keep && !keep(ctx, cr_ledger_str(l, key.account), cr_ledger_str(l, key.service),
			  cr_ledger_str(l, key.usage_type), key.day))
		return 0;
	if (cr_ledger_add(l, &key, amount, qty,
			  cr_kind_is_usage(key.kind) ? sym(l, &c[CR_SQL_UNIT]) : 0, NULL))
		return cr_error_set(err, CR_EXIT_REMOTE, "SQL answer: the sum for account %s "
				    "overflows", cr_ledger_str(l, key.account));
	return 0;
}

int cr_sql_book_dim(cr_ledger *l, size_t i, const cr_sql_cell *c, cr_error *err)
{
	const cr_dimension *d = cr_ledger_dimension(l, i);
	cr_ledger_key key;
	cr_dec amount, qty;
	uint64_t items;
	cr_day last;
	cr_sym value;

	if (!d)
		return cr_error_set(err, CR_EXIT_INTERNAL, "SQL: no dimension %zu", i);
	if (line_key(l, c, &key, &amount, &qty, &items, &last, err))
		return -1;
	value = sym(l, &c[CR_SQL_DIM_VALUE]);
	if (cr_ledger_add_dim(l, i, &key, value, amount, NULL))
		goto overflow;
	/* a resource's last day billed, at no cost */
	if (d->kind == CR_DIM_RESOURCE && last != key.day) {
		key.day = last;
		if (cr_ledger_add_dim(l, i, &key, value, CR_DEC_ZERO, NULL))
			goto overflow;
	}
	return 0;
overflow:
	return cr_error_set(err, CR_EXIT_REMOTE, "SQL answer: the sum for account %s, %s "
			    "overflows", cr_ledger_str(l, key.account), d->name);
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
