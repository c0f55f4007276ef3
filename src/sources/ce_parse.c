/* ce_parse.c - the parser of Cost Explorer answers (ce.h) */
#include "costrank/ce.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "costrank/buf.h"

struct parse {
	const char *where;
	const cr_ce_sink *sink;
	cr_error *err;
	cr_buf path;      /* of the value being read, for messages */
};

static int bad(struct parse *p, const char *what)
{
	return cr_error_set(p->err, CR_EXIT_REMOTE, "%s: GetCostAndUsage answer: %s %s",
			    p->where, p->path.ptr, what);
}

/* Sets the path to prefix + suffix (printf-style suffix). */
__attribute__((format(printf, 3, 4)))
static void at(struct parse *p, size_t keep, const char *fmt, ...)
{
	va_list ap;
	char tmp[256];

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	p->path.len = keep;
	if (p->path.ptr)
		p->path.ptr[keep] = '\0';
	cr_buf_adds(&p->path, tmp);
}

static int get_string(struct parse *p, json_t *obj, const char *key, bool required,
		      const char **out)
{
	json_t *v = json_object_get(obj, key);
	size_t keep = p->path.len;

	*out = NULL;
	at(p, keep, ".%s", key);
	if (!v || json_is_null(v)) {
		if (required)
			return bad(p, "is missing");
		at(p, keep, "%s", "");
		return 0;
	}
	if (!json_is_string(v))
		return bad(p, "is not a string");
	*out = json_string_value(v);
	at(p, keep, "%s", "");
	return 0;
}

static int get_date(struct parse *p, json_t *obj, const char *key, cr_day *day)
{
	const char *s;
	size_t keep = p->path.len;

	if (get_string(p, obj, key, true, &s) < 0)
		return -1;
	if (cr_day_parse(s, strlen(s), day) < 0) {
		at(p, keep, ".%s", key);
		return bad(p, "is not a date (YYYY-MM-DD)");
	}
	return 0;
}

/* Metrics of a group (or a Total) into an array. */
static int metrics(struct parse *p, json_t *obj, cr_ce_metric **out, size_t *n)
{
	size_t keep = p->path.len, i = 0;
	const char *name;
	json_t *m;

	*n = 0;
	*out = NULL;
	if (!json_is_object(obj))
		return bad(p, "is not an object");
	*out = cr_xcalloc(json_object_size(obj) + 1, sizeof **out);
	json_object_foreach(obj, name, m) {
		cr_ce_metric *x = &(*out)[i];
		const char *amount, *unit;
		int rc;

		at(p, keep, ".%s", name);
		if (!json_is_object(m))
			return bad(p, "is not an object");
		if (get_string(p, m, "Amount", true, &amount) < 0 ||
		    get_string(p, m, "Unit", false, &unit) < 0)
			return -1;
		rc = cr_dec_parse(amount, strlen(amount), &x->amount);
		if (rc < 0) {
			at(p, keep, ".%s.Amount", name);
			return bad(p, rc == CR_DEC_OVERFLOW ? "is too large"
					       : "is not a decimal number");
		}
		x->name = name;
		x->unit = unit ? unit : "";
		*n = ++i;
	}
	at(p, keep, "%s", "");
	return 0;
}

static int emit(struct parse *p, cr_ce_cell *cell, json_t *mobj)
{
	cr_ce_metric *m;
	int rc;

	if (metrics(p, mobj, &m, &cell->nmetrics) < 0) {
		free(m);
		return -1;
	}
	cell->metrics = m;
	rc = p->sink && p->sink->cell ? p->sink->cell(p->sink->ctx, cell, p->err) : 0;
	free(m);
	return rc;
}

static int result(struct parse *p, json_t *r)
{
	size_t keep = p->path.len, ng;
	cr_ce_cell cell = { 0 };
	json_t *tp, *est, *groups, *total;

	if (!json_is_object(r))
		return bad(p, "is not an object");
	tp = json_object_get(r, "TimePeriod");
	at(p, keep, ".TimePeriod");
	if (!tp)
		return bad(p, "is missing");
	if (!json_is_object(tp))
		return bad(p, "is not an object");
	if (get_date(p, tp, "Start", &cell.start) < 0 || get_date(p, tp, "End", &cell.end) < 0)
		return -1;
	if (cell.end <= cell.start)
		return bad(p, "ends before it starts");
	at(p, keep, ".Estimated");
	est = json_object_get(r, "Estimated");
	if (est && !json_is_boolean(est) && !json_is_null(est))
		return bad(p, "is not true or false");
	cell.estimated = json_is_true(est);

	groups = json_object_get(r, "Groups");
	at(p, keep, ".Groups");
	if (groups && !json_is_array(groups) && !json_is_null(groups))
		return bad(p, "is not an array");
	ng = json_is_array(groups) ? json_array_size(groups) : 0;
	for (size_t i = 0; i < ng; i++) {
		json_t *g = json_array_get(groups, i), *keys;
		size_t gkeep;

		at(p, keep, ".Groups[%zu]", i);
		gkeep = p->path.len;
		if (!json_is_object(g))
			return bad(p, "is not an object");
		keys = json_object_get(g, "Keys");
		at(p, gkeep, ".Keys");
		if (!keys)
			return bad(p, "is missing");
		if (!json_is_array(keys) || json_array_size(keys) > 2)
			return bad(p, "is not an array of at most two strings");
		cell.nkeys = json_array_size(keys);
		for (size_t k = 0; k < cell.nkeys; k++) {
			json_t *s = json_array_get(keys, k);
			if (!json_is_string(s)) {
				at(p, gkeep, ".Keys[%zu]", k);
				return bad(p, "is not a string");
			}
			cell.keys[k] = json_string_value(s);
		}
		at(p, gkeep, ".Metrics");
		if (!json_object_get(g, "Metrics"))
			return bad(p, "is missing");
		if (emit(p, &cell, json_object_get(g, "Metrics")))
			return -1;
	}
	if (ng)
		return 0;
	total = json_object_get(r, "Total");
	if (!total || json_is_null(total) || (json_is_object(total) && !json_object_size(total)))
		return 0;
	at(p, keep, ".Total");
	cell.nkeys = 0;
	return emit(p, &cell, total);
}

/* DimensionValueAttributes and DimensionValues: [{Value, Attributes{}}]. */
static int attributes(struct parse *p, json_t *root, const char *name)
{
	json_t *a = json_object_get(root, name);

	at(p, 0, "%s", name);
	if (!a || json_is_null(a))
		return 0;
	if (!json_is_array(a))
		return bad(p, "is not an array");
	for (size_t i = 0; i < json_array_size(a); i++) {
		json_t *e = json_array_get(a, i), *attrs, *v;
		const char *value, *key;

		at(p, 0, "%s[%zu]", name, i);
		if (!json_is_object(e))
			return bad(p, "is not an object");
		if (get_string(p, e, "Value", true, &value) < 0)
			return -1;
		attrs = json_object_get(e, "Attributes");
		if (!attrs || json_is_null(attrs))
			continue;
		at(p, 0, "%s[%zu].Attributes", name, i);
		if (!json_is_object(attrs))
			return bad(p, "is not an object");
		json_object_foreach(attrs, key, v) {
			if (!json_is_string(v)) {
				at(p, 0, "%s[%zu].Attributes.%s", name, i, key);
				return bad(p, "is not a string");
			}
			if (p->sink && p->sink->attribute)
				p->sink->attribute(p->sink->ctx, value, key, json_string_value(v));
		}
	}
	return 0;
}

/* "<title>502 Bad Gateway</title>" -> "502 Bad Gateway", else the start. */
static void html_snippet(const char *s, size_t n, cr_buf *out)
{
	const char *t = memmem(s, n, "<title>", 7);
	const char *e = t ? memmem(t, n - (size_t)(t - s), "</title>", 8) : NULL;

	if (t && e) {
		s = t + 7;
		n = (size_t)(e - s);
	}
	for (size_t i = 0; i < n && out->len < 60; i++)
		cr_buf_addc(out, (unsigned char)s[i] < 0x20 ? ' ' : s[i]);
}

static int not_json(struct parse *p, const char *body, size_t len, const json_error_t *je)
{
	size_t i = 0;

	while (i < len && isspace((unsigned char)body[i]))
		i++;
	if (i == len)
		return cr_error_set(p->err, CR_EXIT_REMOTE, "%s: GetCostAndUsage answer is empty; "
				    "run again", p->where);
	if (body[i] == '<') {
		cr_buf s = CR_BUF_INIT;
		html_snippet(body + i, len - i, &s);
		cr_error_set(p->err, CR_EXIT_REMOTE, "%s: GetCostAndUsage answer is an HTML page, "
			     "not JSON ('%s'): a proxy or captive portal may have answered; check "
			     "HTTPS_PROXY and --endpoint-url", p->where, s.ptr ? s.ptr : "");
		cr_buf_release(&s);
		return -1;
	}
	if ((size_t)je->position >= len || strstr(je->text, "end of input") ||
	    strstr(je->text, "premature end"))
		return cr_error_set(p->err, CR_EXIT_REMOTE, "%s: GetCostAndUsage answer ends early "
				    "after %zu bytes (truncated: the connection may have been cut); "
				    "run again", p->where, len);
	return cr_error_set(p->err, CR_EXIT_REMOTE, "%s: GetCostAndUsage answer is not valid "
			    "JSON (line %d, column %d: %s)", p->where, je->line, je->column, je->text);
}

int cr_ce_parse(const char *body, size_t len, const char *where, const cr_ce_sink *sink,
		char **next_token, cr_error *err)
{
	struct parse p = { .where = where, .sink = sink, .err = err };
	json_error_t je;
	json_t *root, *results, *tok;
	int rc = -1;

	if (next_token)
		*next_token = NULL;
	root = json_loadb(body, len, 0, &je);
	if (!root)
		return not_json(&p, body, len, &je);
	cr_buf_adds(&p.path, "");
	if (!json_is_object(root)) {
		cr_error_set(err, CR_EXIT_REMOTE, "%s: GetCostAndUsage answer is not a JSON object",
			     where);
		goto out;
	}
	tok = json_object_get(root, "NextPageToken");
	at(&p, 0, "NextPageToken");
	if (tok && !json_is_null(tok) && (!json_is_string(tok) || !*json_string_value(tok))) {
		bad(&p, "is not a non-empty string");
		goto out;
	}
	results = json_object_get(root, "ResultsByTime");
	at(&p, 0, "ResultsByTime");
	if (!results && !json_object_get(root, "DimensionValues")) {
		bad(&p, "is missing");
		goto out;
	}
	if (results && !json_is_array(results)) {
		bad(&p, "is not an array");
		goto out;
	}
	for (size_t i = 0; results && i < json_array_size(results); i++) {
		at(&p, 0, "ResultsByTime[%zu]", i);
		if (result(&p, json_array_get(results, i)))
			goto out;
	}
	if (attributes(&p, root, "DimensionValueAttributes") < 0 ||
	    attributes(&p, root, "DimensionValues") < 0)
		goto out;
	if (next_token && json_is_string(tok))
		*next_token = cr_xstrdup(json_string_value(tok));
	rc = 0;
out:
	cr_buf_release(&p.path);
	json_decref(root);
	return rc;
}

const cr_ce_metric *cr_ce_cell_metric(const cr_ce_cell *c, const char *name)
{
	for (size_t i = 0; i < c->nmetrics; i++)
		if (strcmp(c->metrics[i].name, name) == 0)
			return &c->metrics[i];
	return NULL;
}
