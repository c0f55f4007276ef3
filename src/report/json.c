/* json.c - the JSON report, schema costrank.report/v1 (see costrank/writer.h) */
#include "costrank/writer.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <stdbool.h>
#include <string.h>

#include "costrank/buf.h"
#include "costrank/fx.h"

#include "render.h"

/* Building state: one flag for any allocation or conversion failure, so
 * that the tree is checked once at the end. */
typedef struct jctx {
	const cr_report *r;
	bool failed;
	FILE *out;                /* streamed to, piece by piece */
	int depth;                /* nesting of what is written next */
	bool first;               /* no member written yet at this depth */
} jctx;

/* A JSON string of s made clean (see render.h), line breaks kept: bytes
 * that are not UTF-8 (a Latin-1 export, say) become U+FFFD so that the
 * document stays valid, and no escape sequence or bidirectional control
 * reaches whoever prints a value. */
static json_t *jstr(jctx *c, const char *s)
{
	cr_buf b = CR_BUF_INIT;
	const unsigned char *p = (const unsigned char *)s;
	json_t *v;

	/* printable ASCII, tabs and line breaks are clean already: most names,
	 * every formula and evidence, so they skip the copy */
	while (p && *p && ((*p >= 0x20 && *p < 0x7F) || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	if (!p || !*p)
		v = json_stringn_nocheck(s ? s : "", s ? (size_t)(p - (const unsigned char *)s) : 0);
	else {
		/* clean text is valid UTF-8 (render.h) */
		cr_render_clean_multiline(&b, s);
		v = json_stringn_nocheck(b.ptr, b.len);
	}
	cr_buf_release(&b);
	if (!v)
		c->failed = true;
	return v;
}

/* A string, or null when s is empty or missing. */
static json_t *jstr_or_null(jctx *c, const char *s)
{
	return s && *s ? jstr(c, s) : json_null();
}

/* An exact amount as a string: "1234.5678901234", "0", "-12.5". */
static json_t *jamount(cr_dec a)
{
	char tmp[CR_DEC_STRLEN];

	cr_dec_format(a, -1, tmp, sizeof tmp);
	return json_string_nocheck(tmp);
}

/* The previous amount, or null without a previous period. */
static json_t *jprev(jctx *c, cr_dec prev)
{
	return c->r->has_previous ? jamount(prev) : json_null();
}

/* cost - previous, or null without a previous period. */
static json_t *jchange(jctx *c, cr_dec cost, cr_dec prev)
{
	cr_dec d;

	if (!c->r->has_previous)
		return json_null();
	if (cr_dec_sub(&d, cost, prev) != 0) {
		c->failed = true;
		return NULL;
	}
	return jamount(d);
}

/* An amount converted with --fx, exact. */
static json_t *jfx(jctx *c, cr_dec a)
{
	cr_dec v;

	if (cr_fx_convert(&c->r->fx, a, &v) != 0) {
		c->failed = true;
		return NULL;
	}
	return jamount(v);
}

/* A share as a fraction rounded to 4 decimals. */
static json_t *jshare(double x)
{
	if (!isfinite(x))
		x = 0.0;
	x = round(x * 10000.0) / 10000.0;
	if (x == 0.0)
		x = 0.0; /* no "-0.0" */
	return json_real(x);
}

static json_t *jday(cr_day d)
{
	char tmp[CR_DATE_STRLEN];

	cr_day_format(d, tmp);
	return json_string(tmp);
}

static void set(jctx *c, json_t *o, const char *key, json_t *v)
{
	if (!v || json_object_set_new(o, key, v) != 0)
		c->failed = true;
}

static void append(jctx *c, json_t *a, json_t *v)
{
	if (!v || json_array_append_new(a, v) != 0)
		c->failed = true;
}

static json_t *jobject(jctx *c)
{
	json_t *o = json_object();
	if (!o)
		c->failed = true;
	return o;
}

static json_t *jarray(jctx *c)
{
	json_t *a = json_array();
	if (!a)
		c->failed = true;
	return a;
}

/* ---- streaming --------------------------------------------------------
 * The document is written as it is built: the top level and the long
 * arrays (accounts, services, proposals) by hand, every member or element
 * as one small tree dumped with jansson and indented to its depth, so the
 * bytes are those json_dumpf gives for the whole tree (JSON_INDENT(2))
 * while memory holds one piece at a time.  Strings never hold a raw line
 * break (jansson escapes it), so indenting after each '\n' is safe. */

#define JSON_FLAGS (JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15))

static void out_raw(jctx *c, const char *s)
{
	fputs(s, c->out);
}

static void out_indent(jctx *c, int depth)
{
	fprintf(c->out, "\n%*s", depth * 2, "");
}

/* Dumps v (consumed) at the current depth. */
static void out_value(jctx *c, json_t *v)
{
	char *text;

	if (!v || c->failed) {
		c->failed = true;
		json_decref(v);
		return;
	}
	text = json_dumps(v, JSON_FLAGS | JSON_ENCODE_ANY);
	json_decref(v);
	if (!text) {
		c->failed = true;
		return;
	}
	for (const char *p = text, *nl;; p = nl + 1) {
		nl = strchr(p, '\n');
		fwrite(p, 1, nl ? (size_t)(nl - p) : strlen(p), c->out);
		if (!nl)
			break;
		out_indent(c, c->depth);
	}
	free(text);
}

/* "key": v, as a member of the object at the current depth. */
static void field(jctx *c, const char *key, json_t *v)
{
	if (!c->first)
		out_raw(c, ",");
	c->first = false;
	out_indent(c, c->depth);
	fprintf(c->out, "\"%s\": ", key);
	out_value(c, v);
}

/* A member holding an array of n elements written one by one. */
static void array_begin(jctx *c, const char *key, size_t n)
{
	if (!c->first)
		out_raw(c, ",");
	c->first = false;
	out_indent(c, c->depth);
	fprintf(c->out, "\"%s\": [%s", key, n ? "" : "]");
	c->depth++;
	c->first = true;
}

static void element(jctx *c, json_t *v)
{
	if (!c->first)
		out_raw(c, ",");
	c->first = false;
	out_indent(c, c->depth);
	out_value(c, v);
}

static void array_end(jctx *c, size_t n)
{
	c->depth--;
	c->first = false;
	if (n) {
		out_indent(c, c->depth);
		out_raw(c, "]");
	}
}

static json_t *jrank(int rank, bool is_other)
{
	return is_other ? json_null() : json_integer(rank);
}

static json_t *build_usage(jctx *c, const cr_report_usage *u)
{
	json_t *o = jobject(c);

	if (!o)
		return NULL;
	set(c, o, "rank", jrank(u->rank, u->is_other));
	set(c, o, "usage_type", jstr(c, u->usage_type ? u->usage_type : ""));
	set(c, o, "other", json_boolean(u->is_other));
	if (u->is_other)
		set(c, o, "other_count", json_integer((json_int_t)u->other_count));
	set(c, o, "cost", jamount(u->cost));
	set(c, o, "quantity", jamount(u->quantity));
	set(c, o, "unit", jstr_or_null(c, u->unit));
	set(c, o, "previous_cost", jprev(c, u->previous_cost));
	set(c, o, "change", jchange(c, u->cost, u->previous_cost));
	set(c, o, "share", jshare(u->share));
	set(c, o, "new", json_boolean(c->r->has_previous && u->is_new));
	if (c->r->has_resources && !u->is_other) {  /* --resources */
		json_t *a = jarray(c);
		for (size_t i = 0; a && i < u->n_resources; i++) {
			const cr_report_resource *x = &u->resources[i];
			json_t *y = jobject(c);
			if (!y)
				break;
			set(c, y, "rank", json_integer(x->rank));
			set(c, y, "resource_id", jstr(c, x->id));
			set(c, y, "cost", jamount(x->cost));
			set(c, y, "share", jshare(x->share));
			set(c, y, "first_day", jday(x->first_day));
			set(c, y, "last_day", jday(x->last_day));
			append(c, a, y);
		}
		set(c, o, "resources", a);
		set(c, o, "resources_total", json_integer((json_int_t)u->resources_total));
		set(c, o, "resources_other_cost", jamount(u->resources_other));
		set(c, o, "no_resource_id_cost", jamount(u->no_resource));
		set(c, o, "no_resource_id_share", jshare(u->no_resource_share));
	}
	return o;
}

static json_t *build_service(jctx *c, const cr_report_service *s)
{
	json_t *o = jobject(c), *usage;

	if (!o)
		return NULL;
	set(c, o, "rank", jrank(s->rank, s->is_other));
	set(c, o, "name", jstr(c, s->name ? s->name : ""));
	set(c, o, "other", json_boolean(s->is_other));
	if (s->is_other)
		set(c, o, "other_count", json_integer((json_int_t)s->other_count));
	set(c, o, "cost", jamount(s->cost));
	set(c, o, "previous_cost", jprev(c, s->previous_cost));
	set(c, o, "change", jchange(c, s->cost, s->previous_cost));
	set(c, o, "share", jshare(s->share));
	set(c, o, "new", json_boolean(c->r->has_previous && s->is_new));
	set(c, o, "usage_types_total", json_integer((json_int_t)s->usage_total));
	usage = jarray(c);
	for (size_t i = 0; usage && i < s->n_usage; i++)
		append(c, usage, build_usage(c, &s->usage[i]));
	set(c, o, "usage_types", usage);
	return o;
}

/* A SQL source's figures; null for files and Cost Explorer. */
static json_t *jpushdown(jctx *c, const cr_pushdown *p)
{
	json_t *o;

	if (!p->used || !(o = jobject(c)))
		return json_null();
	set(c, o, "queries", json_integer(p->queries));
	set(c, o, "rows", json_integer((json_int_t)p->rows));
	set(c, o, "line_items", json_integer((json_int_t)p->line_items));
	set(c, o, "bytes_scanned", p->scanned_bytes < 0 ? json_null()
	    : json_integer((json_int_t)p->scanned_bytes));
	set(c, o, "bytes_billed", p->billed_bytes < 0 ? json_null()
	    : json_integer((json_int_t)p->billed_bytes));
	return o;
}

/* One dimension of --by: its values, the untagged row last. */
static json_t *build_allocation(jctx *c, const cr_report_allocation *al)
{
	json_t *o = jobject(c), *vals = jarray(c);

	if (!o || !vals) {
		json_decref(o);
		json_decref(vals);
		return NULL;
	}
	set(c, o, "dimension", jstr(c, al->dimension));
	set(c, o, "untagged_label", jstr(c, al->untagged_label));
	set(c, o, "untagged_cost", jamount(al->untagged_cost));
	set(c, o, "untagged_share", jshare(al->untagged_share));
	for (size_t i = 0; i < al->n_values; i++) {
		const cr_report_alloc_value *v = &al->values[i];
		json_t *x = jobject(c), *svcs = jarray(c);

		if (!x || !svcs) {
			json_decref(x);
			json_decref(svcs);
			c->failed = true;
			break;
		}
		set(c, x, "rank", v->is_untagged ? json_null() : json_integer(v->rank));
		set(c, x, "value", v->is_untagged ? json_null() : jstr(c, v->value));
		set(c, x, "untagged", json_boolean(v->is_untagged));
		set(c, x, "cost", jamount(v->cost));
		set(c, x, "previous_cost", jprev(c, v->previous_cost));
		set(c, x, "change", jchange(c, v->cost, v->previous_cost));
		set(c, x, "share", jshare(v->share));
		set(c, x, "new", json_boolean(v->is_new));
		for (size_t j = 0; j < v->n_services; j++) {
			json_t *sv = jobject(c);

			if (!sv) {
				c->failed = true;
				break;
			}
			set(c, sv, "name", jstr(c, v->services[j].name));
			set(c, sv, "cost", jamount(v->services[j].cost));
			append(c, svcs, sv);
		}
		set(c, x, "services", svcs);
		set(c, x, "services_total", json_integer((json_int_t)v->services_total));
		append(c, vals, x);
	}
	set(c, o, "values", vals);
	return o;
}

static json_t *build_org_service(jctx *c, const cr_report_org_service *s)
{
	json_t *o = jobject(c);

	if (!o)
		return NULL;
	set(c, o, "rank", json_integer(s->rank));
	set(c, o, "name", jstr(c, s->name ? s->name : ""));
	set(c, o, "cost", jamount(s->cost));
	set(c, o, "previous_cost", jprev(c, s->previous_cost));
	set(c, o, "change", jchange(c, s->cost, s->previous_cost));
	set(c, o, "share", jshare(s->share));
	set(c, o, "new", json_boolean(c->r->has_previous && s->is_new));
	set(c, o, "accounts", json_integer((json_int_t)s->accounts));
	return o;
}

static json_t *build_account(jctx *c, const cr_report_account *a)
{
	json_t *o = jobject(c), *services;

	if (!o)
		return NULL;
	set(c, o, "rank", json_integer(a->rank));
	set(c, o, "id", jstr(c, a->id ? a->id : ""));
	set(c, o, "name", jstr_or_null(c, a->name));
	set(c, o, "environment", jstr_or_null(c, a->environment));
	set(c, o, "environment_source", jstr(c, a->environment_source ? a->environment_source : "unknown"));
	set(c, o, "owner", jstr_or_null(c, a->owner));
	set(c, o, "total", jamount(a->total));
	set(c, o, "previous_total", jprev(c, a->previous_total));
	set(c, o, "change", jchange(c, a->total, a->previous_total));
	if (cr_fx_active(c->r))
		set(c, o, "total_fx", jfx(c, a->total));
	set(c, o, "share", jshare(a->share));
	set(c, o, "services_total", json_integer((json_int_t)a->services_total));
	services = jarray(c);
	for (size_t i = 0; services && i < a->n_services; i++)
		append(c, services, build_service(c, &a->services[i]));
	set(c, o, "services", services);
	return o;
}

/* ---- proposals, written directly -------------------------------------
 * A large organisation's report holds a million proposals: each is written
 * field by field into one buffer, with the bytes jansson gives for the same
 * tree (its escapes, indentation and number forms), instead of a tree and
 * a dump per proposal. */

#define SHARED_TEXTS 1024         /* escaped texts remembered (a power of two) */

typedef struct pw {
	jctx *c;
	cr_buf b;
	cr_buf clean;
	int depth;                /* of the members written next */
	bool first;
	/* the escaped form of a text proposals share (rule texts, names: the
	 * report's one copy of each), by the text's address; valid while the
	 * report's strings do not change, that is for the whole write */
	struct {
		const char *from;
		size_t at, len;       /* in escaped */
	} shared[SHARED_TEXTS];
	cr_buf escaped;
} pw;

static void pw_indent(pw *w, int depth)
{
	static const char nl[] = "\n                                ";
	size_t n = (size_t)depth * 2 + 1;

	if (n > sizeof nl - 1) {
		cr_buf_addc(&w->b, '\n');
		for (int i = 0; i < depth * 2; i++)
			cr_buf_addc(&w->b, ' ');
		return;
	}
	cr_buf_add(&w->b, nl, n);
}

/* What a byte needs in a JSON string: 0 nothing, 1 an escape, 2 cleaning
 * first (bytes that are not printable ASCII, a tab or a line break), 3 the
 * string's end. */
static const unsigned char byte_class[256] = {
	3, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 2, 2, 1, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
	2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2, 2,
};

/* Appends the NUL-terminated s as a JSON string, escaped as jansson does
 * without JSON_ENSURE_ASCII; false, with nothing appended, when a byte
 * needs cleaning first (unless any_byte: clean text is valid UTF-8 and its
 * bytes above 0x7F stay as they are). */
static bool pw_escaped(cr_buf *b, const char *s, bool any_byte)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t run = 0, start = b->len, i = 0;

	cr_buf_addc(b, '"');
	for (;;) {
		while (byte_class[(unsigned char)s[i]] == 0)
			i++;
		unsigned char ch = (unsigned char)s[i], k = byte_class[ch];
		char u[7];

		if (k == 3)
			break;
		if (k == 2 && ch >= 0x7F && any_byte) {
			i++;
			continue;
		}
		if (k == 2 && !any_byte) {
			b->len = start;
			b->ptr[start] = '\0';
			return false;
		}
		cr_buf_add(b, s + run, i - run);
		run = ++i;
		switch (ch) {
		case '"': cr_buf_add(b, "\\\"", 2); break;
		case '\\': cr_buf_add(b, "\\\\", 2); break;
		case '\b': cr_buf_add(b, "\\b", 2); break;
		case '\f': cr_buf_add(b, "\\f", 2); break;
		case '\n': cr_buf_add(b, "\\n", 2); break;
		case '\r': cr_buf_add(b, "\\r", 2); break;
		case '\t': cr_buf_add(b, "\\t", 2); break;
		default:
			memcpy(u, "\\u00", 4);
			u[4] = hex[ch >> 4];
			u[5] = hex[ch & 15];
			cr_buf_add(b, u, 6);
		}
	}
	cr_buf_add(b, s + run, i - run);
	cr_buf_addc(b, '"');
	return true;
}

/* A string value made clean as jstr() makes it: printable ASCII, tabs and
 * line breaks (nearly every name, formula and evidence) are escaped as they
 * are scanned; anything else is cleaned first. */
static void pw_text(pw *w, const char *s)
{
	if (!s)
		s = "";
	if (pw_escaped(&w->b, s, false))
		return;
	cr_buf_reset(&w->clean);
	cr_render_clean_multiline(&w->clean, s);
	pw_escaped(&w->b, w->clean.len ? w->clean.ptr : "", true);
}

/* As pw_text for a text many proposals share (a rule's title, rationale,
 * basis and reference): escaped once per write. */
static void pw_shared(pw *w, const char *s)
{
	size_t j, at;

	/* short texts (ids, names) cost little to scan and are many */
	if (!s || strnlen(s, 48) < 48) {
		pw_text(w, s);
		return;
	}
	if (w->escaped.len > (1u << 20)) {  /* more distinct texts than expected */
		memset(w->shared, 0, sizeof w->shared);
		cr_buf_reset(&w->escaped);
	}
	j = (size_t)((((uintptr_t)s >> 3) * 0x9E3779B97F4A7C15ull) >> 40) & (SHARED_TEXTS - 1);
	if (w->shared[j].from != s) {
		at = w->b.len;
		pw_text(w, s);
		w->shared[j].from = s;
		w->shared[j].at = w->escaped.len;
		w->shared[j].len = w->b.len - at;
		cr_buf_add(&w->escaped, w->b.ptr + at, w->b.len - at);
		return;
	}
	cr_buf_add(&w->b, w->escaped.ptr + w->shared[j].at, w->shared[j].len);
}

static void pw_key(pw *w, const char *key)
{
	if (!w->first)
		cr_buf_addc(&w->b, ',');
	w->first = false;
	pw_indent(w, w->depth);
	cr_buf_addc(&w->b, '"');
	cr_buf_adds(&w->b, key);
	cr_buf_add(&w->b, "\": ", 3);
}

static void pw_open(pw *w, char bracket)
{
	cr_buf_addc(&w->b, bracket);
	w->depth++;
	w->first = true;
}

static void pw_close(pw *w, char bracket)
{
	w->depth--;
	if (!w->first)
		pw_indent(w, w->depth);
	cr_buf_addc(&w->b, bracket);
	w->first = false;
}

/* An element of the array being written. */
static void pw_element(pw *w)
{
	if (!w->first)
		cr_buf_addc(&w->b, ',');
	w->first = false;
	pw_indent(w, w->depth);
}

static void pw_str(pw *w, const char *key, const char *s)
{
	pw_key(w, key);
	pw_text(w, s);
}

/* A member whose text proposals share (see pw_shared). */
static void pw_str_shared(pw *w, const char *key, const char *s)
{
	pw_key(w, key);
	pw_shared(w, s);
}

static void pw_str_or_null(pw *w, const char *key, const char *s)
{
	pw_key(w, key);
	if (s && *s)
		pw_shared(w, s);
	else
		cr_buf_adds(&w->b, "null");
}

/* A static name: plain ASCII. */
static void pw_name(pw *w, const char *key, const char *s)
{
	pw_key(w, key);
	pw_escaped(&w->b, s ? s : "", true);
}

static void pw_amount(pw *w, const char *key, cr_dec a)
{
	char tmp[CR_DEC_STRLEN];

	pw_key(w, key);
	cr_dec_format(a, -1, tmp, sizeof tmp);
	pw_escaped(&w->b, tmp, true);
}

static void pw_int(pw *w, const char *key, long long v)
{
	char tmp[24], *q = tmp + sizeof tmp;
	unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;

	pw_key(w, key);
	do
		*--q = (char)('0' + u % 10);
	while ((u /= 10));
	if (v < 0)
		*--q = '-';
	cr_buf_add(&w->b, q, (size_t)(tmp + sizeof tmp - q));
}

/* A number as jansson writes a real (JSON_REAL_PRECISION(15)). */
static void pw_real(pw *w, const char *key, double x)
{
	json_t *v = json_real(x);
	char tmp[64];
	size_t n = v ? json_dumpb(v, tmp, sizeof tmp, JSON_FLAGS | JSON_ENCODE_ANY) : 0;

	json_decref(v);
	pw_key(w, key);
	if (!n || n > sizeof tmp) {
		w->c->failed = true;
		return;
	}
	cr_buf_add(&w->b, tmp, n);
}

static void write_proposal(pw *w, const cr_proposal *p)
{
	const cr_report *r = w->c->r;

	pw_open(w, '{');
	pw_int(w, "rank", p->rank);
	pw_str_shared(w, "rule", p->rule);
	pw_str_shared(w, "title", p->title);
	pw_name(w, "action", p->action);
	pw_str_shared(w, "account_id", p->account_id);
	pw_str_or_null(w, "account_name", p->account_name);
	pw_str_or_null(w, "environment", p->environment);
	pw_str_shared(w, "service", p->service);
	pw_str_shared(w, "usage_type", p->usage_type);
	pw_amount(w, "monthly_cost", p->monthly_cost);
	pw_amount(w, "estimated_monthly_savings", p->savings);
	pw_amount(w, "estimated_annual_savings", p->annual_savings);
	pw_name(w, "model", p->model);
	pw_name(w, "confidence", p->confidence ? p->confidence : "estimate");
	pw_key(w, "counted");
	cr_buf_adds(&w->b, p->counted ? "true" : "false");
	pw_name(w, "stage", p->stage ? p->stage : "");
	pw_int(w, "folded", (long long)p->folded);
	pw_str(w, "formula", p->formula);
	pw_str(w, "evidence", p->evidence);
	if (r->has_resources) {  /* --resources: the top resources of the line */
		size_t n = p->usage ? p->usage->n_resources : 0;

		pw_key(w, "resources");
		pw_open(w, '[');
		for (size_t i = 0; i < n; i++) {
			pw_element(w);
			pw_open(w, '{');
			pw_str(w, "resource_id", p->usage->resources[i].id);
			pw_amount(w, "cost", p->usage->resources[i].cost);
			pw_close(w, '}');
		}
		pw_close(w, ']');
	}
	pw_name(w, "effort", p->effort);
	pw_name(w, "risk", p->risk);
	pw_real(w, "priority", round(p->priority * 100) / 100);
	pw_str_shared(w, "rationale", p->rationale);
	pw_str_or_null(w, "basis", p->basis);
	pw_str_shared(w, "reference", p->reference);
	pw_key(w, "alternatives");
	pw_open(w, '[');
	for (size_t i = 0; i < p->n_alternatives; i++) {
		const cr_proposal_alt *a = &p->alternatives[i];

		pw_element(w);
		pw_open(w, '{');
		pw_str_shared(w, "rule", a->rule);
		pw_name(w, "action", a->action);
		pw_name(w, "model", a->model);
		pw_amount(w, "estimated_monthly_savings", a->savings);
		pw_str(w, "formula", a->formula);
		pw_close(w, '}');
	}
	pw_close(w, ']');
	pw_close(w, '}');
}

/* The proposals array's elements, at the writer's depth. */
static void write_proposals(jctx *c)
{
	const cr_report *r = c->r;
	pw *w = cr_xcalloc(1, sizeof *w);

	w->c = c;
	w->depth = c->depth;
	for (size_t i = 0; i < r->n_proposals && !c->failed; i++) {
		if (!c->first)
			cr_buf_addc(&w->b, ',');
		c->first = false;
		pw_indent(w, c->depth);
		write_proposal(w, &r->proposals[i]);
		/* in pieces of 1 MiB, which stdio writes without copying; a
		 * failed write shows in the stream's error state, which the
		 * output file checks when it is finished (a full disk, a file
		 * size limit: an output error, not a failure to build) */
		if (w->b.len >= (1u << 20) || i + 1 == r->n_proposals) {
			fwrite(w->b.ptr, 1, w->b.len, c->out);
			cr_buf_reset(&w->b);
		}
	}
	cr_buf_release(&w->b);
	cr_buf_release(&w->clean);
	cr_buf_release(&w->escaped);
	free(w);
}

/* What reading from S3 took: requests, objects and bytes fetched and taken
 * from the cache. */
static json_t *js3(jctx *c, const cr_s3_stats *s)
{
	json_t *o = jobject(c);

	if (!o)
		return NULL;
	set(c, o, "requests", json_integer(s->requests));
	set(c, o, "objects_fetched", json_integer(s->objects_fetched));
	set(c, o, "bytes_fetched", json_integer(s->bytes_fetched));
	set(c, o, "objects_cached", json_integer(s->objects_cached));
	set(c, o, "bytes_cached", json_integer(s->bytes_cached));
	return o;
}

/* "anomalies": spikes by day, then new usage types (anomaly.h). */
static json_t *build_anomalies(jctx *c)
{
	const cr_report *r = c->r;
	json_t *a = jarray(c);

	for (size_t i = 0; a && i < r->n_anomalies; i++) {
		const cr_report_anomaly *x = &r->anomalies[i];
		json_t *o = jobject(c), *u = jarray(c);

		set(c, o, "kind", json_string(x->is_new_usage ? "new_usage_type" : "spike"));
		set(c, o, "account_id", jstr(c, x->account_id));
		set(c, o, "account_name", jstr(c, x->account_name));
		set(c, o, "service", jstr(c, x->service));
		set(c, o, "day", x->is_new_usage ? json_null() : jday(x->day));
		set(c, o, "cost", jamount(x->cost));
		set(c, o, "baseline_median", x->is_new_usage ? json_null() : jamount(x->baseline));
		set(c, o, "baseline_mad", x->is_new_usage ? json_null()
			: json_real(round(x->mad * 100.0) / 100.0 + 0.0));
		set(c, o, "excess", jamount(x->excess));
		for (size_t k = 0; u && k < x->n_usage; k++) {
			json_t *y = jobject(c);

			set(c, y, "usage_type", jstr(c, x->usage_types[k]));
			set(c, y, "excess", jamount(x->usage_excess[k]));
			append(c, u, y);
		}
		set(c, o, "usage_types", u);
		append(c, a, o);
	}
	return a;
}

/* "drivers": each account and service's change split (drivers.h). */
static json_t *build_drivers(jctx *c)
{
	const cr_report *r = c->r;
	json_t *a = jarray(c);

	for (size_t i = 0; a && i < r->n_drivers; i++) {
		const cr_report_driver *d = &r->drivers[i];
		json_t *o = jobject(c);

		set(c, o, "account_id", jstr(c, d->account_id));
		set(c, o, "service", jstr(c, d->service));
		set(c, o, "cost", jamount(d->cost));
		set(c, o, "previous_cost", jamount(d->previous_cost));
		set(c, o, "change", jamount(d->change));
		set(c, o, "usage", jamount(d->usage));
		set(c, o, "rate", jamount(d->rate));
		set(c, o, "discounts", jamount(d->discounts));
		set(c, o, "other", jamount(d->other));
		{
			static const char *const kinds[] = { "new", "rise", "rise_percent", "gone" };
			json_t *mv = jarray(c);

			for (size_t k = 0; mv && k < d->n_movers; k++) {
				const cr_report_mover *m = &d->movers[k];
				json_t *y = jobject(c);

				set(c, y, "kind", json_string(kinds[m->kind]));
				set(c, y, "usage_type", jstr(c, m->usage_type));
				set(c, y, "previous_cost", jamount(m->previous_cost));
				set(c, y, "cost", jamount(m->cost));
				set(c, y, "change", jamount(m->change));
				append(c, mv, y);
			}
			set(c, o, "top_movers", mv);
		}
		append(c, a, o);
	}
	return a;
}

/* "realised": what became of the baseline's proposals (realised.h). */
static json_t *build_realised(jctx *c)
{
	const cr_report_realised *x = c->r->realised;
	json_t *o = jobject(c), *items = jarray(c), *com = jarray(c), *counts = jobject(c);

	set(c, o, "baseline_file", jstr(c, x->file));
	set(c, o, "baseline_period", jstr(c, x->period_label));
	set(c, o, "baseline_start", jday(x->start));
	set(c, o, "baseline_end", jday(x->end));
	set(c, o, "measured_from_data", json_boolean(x->measured));
	set(c, o, "proposals", json_integer((json_int_t)x->n_items));
	set(c, o, "proposed", jamount(x->proposed));
	set(c, o, "proposed_period", jamount(x->proposed_period));
	set(c, o, "realised", jamount(x->realised));
	set(c, o, "remaining", jamount(x->remaining));
	for (int k = 0; k < CR_REAL_COUNT; k++)
		set(c, counts, cr_realised_status_name(k), json_integer((json_int_t)x->counts[k]));
	set(c, o, "status_counts", counts);
	for (size_t i = 0; items && i < x->n_items; i++) {
		const cr_realised_item *it = &x->items[i];
		json_t *y = jobject(c);

		set(c, y, "baseline_rank", it->baseline_rank ? json_integer(it->baseline_rank)
							     : json_null());
		set(c, y, "rule", jstr(c, it->rule));
		set(c, y, "title", jstr(c, it->title));
		set(c, y, "model", jstr(c, it->model));
		set(c, y, "account_id", jstr(c, it->account_id));
		set(c, y, "account_name", jstr(c, it->account_name));
		set(c, y, "service", jstr(c, it->service));
		set(c, y, "usage_type", jstr(c, it->usage_type));
		set(c, y, "target_usage_type", *it->target_usage_type ?
		    jstr(c, it->target_usage_type) : json_null());
		set(c, y, "status", json_string(cr_realised_status_name(it->status)));
		set(c, y, "measured_on", json_string(it->weekend ? "weekend-days" : "all-days"));
		set(c, y, "proposed", jamount(it->proposed));
		set(c, y, "proposed_period", jamount(it->proposed_period));
		set(c, y, "baseline_cost", jamount(it->baseline_cost));
		set(c, y, "expected_cost", jamount(it->expected_cost));
		set(c, y, "current_cost", jamount(it->current_cost));
		set(c, y, "target_growth", jamount(it->target_growth));
		set(c, y, "realised", jamount(it->realised));
		set(c, y, "remaining", jamount(it->remaining));
		append(c, items, y);
	}
	set(c, o, "items", items);
	for (size_t i = 0; com && i < x->n_commitments; i++) {
		json_t *y = jobject(c);

		set(c, y, "account_id", jstr(c, x->commitments[i].account_id));
		set(c, y, "service", jstr(c, x->commitments[i].service));
		set(c, y, "usage_type", jstr(c, x->commitments[i].usage_type));
		set(c, y, "cost", jamount(x->commitments[i].cost));
		append(c, com, y);
	}
	set(c, o, "commitments_bought", x->measured ? com : (json_decref(com), json_null()));
	return o;
}

static json_t *jratio(double x)
{
	return x < 0 ? json_null() : jshare(x);
}

/* "commitments": the existing Savings Plans and reservations, and the plans
 * sized from the hourly spend (commitment.h). */
static json_t *build_commitments(jctx *c)
{
	const cr_report_commitments *m = &c->r->commitments;
	json_t *o = jobject(c), *sp = jobject(c), *ri = jobject(c), *plans = jarray(c);

	set(c, sp, "total_commitment", jamount(m->sp_commitment));
	set(c, sp, "used_commitment", jamount(m->sp_used));
	set(c, sp, "utilization", jratio(m->sp_utilization));
	set(c, sp, "covered_on_demand", jamount(m->sp_covered_od));
	set(c, sp, "eligible_on_demand", jamount(m->sp_eligible_od));
	set(c, sp, "coverage", jratio(m->sp_coverage));
	set(c, o, "savings_plans", sp);
	set(c, ri, "covered_hours", jamount(m->ri_covered_hours));
	set(c, ri, "running_hours", jamount(m->ri_ondemand_hours));
	set(c, ri, "coverage", jratio(m->ri_coverage));
	set(c, ri, "unused_cost", jamount(m->ri_unused));
	set(c, o, "reservations", ri);
	for (size_t i = 0; plans && i < m->n_plans; i++) {
		const cr_report_sp_plan *p = &m->plans[i];
		json_t *x = jobject(c);

		set(c, x, "platform", json_string(p->platform));
		set(c, x, "method", json_string(p->hourly ? "hourly" : "daily/24"));
		set(c, x, "hours", json_integer((json_int_t)p->hours));
		set(c, x, "discount", jshare(p->discount));
		set(c, x, "discount_source", json_string(p->discount_measured ? "measured" : "table"));
		set(c, x, "eligible_on_demand", jamount(p->eligible));
		set(c, x, "unused_commitment_netted", jamount(p->unused_netted));
		set(c, x, "hourly_commitment", jamount(p->commitment));
		set(c, x, "covered_on_demand", jamount(p->covered));
		set(c, x, "savings", jamount(p->savings));
		append(c, plans, x);
	}
	set(c, o, "plans", plans);
	return o;
}

/* "2026-09" */
static json_t *jmonth(cr_day d)
{
	char tmp[CR_DATE_STRLEN];

	cr_day_format(d, tmp);
	tmp[7] = '\0';
	return json_string(tmp);
}

static json_t *jseries(jctx *c, const cr_dec *v, size_t n)
{
	json_t *a = jarray(c);

	for (size_t k = 0; a && k < n; k++)
		append(c, a, jamount(v[k]));
	return a;
}

/* "trend": the months, then the cost of the organisation, each account and
 * each service it lists, month by month (trend.h); null when none. */
static json_t *build_trend(jctx *c)
{
	const cr_report *r = c->r;
	const cr_report_trend *t = &r->trend;
	size_t nm = t->n_months;
	json_t *o, *a, *m;

	if (!nm)
		return json_null();
	o = jobject(c);
	m = jarray(c);
	for (size_t k = 0; m && k < nm; k++)
		append(c, m, jmonth(t->months[k]));
	set(c, o, "months", m);
	set(c, o, "total", jseries(c, t->total, nm));
	a = jarray(c);
	for (size_t i = 0; a && i < r->n_accounts; i++) {
		const cr_report_account *acc = &r->accounts[i];
		json_t *x = jobject(c), *sv = jarray(c);

		set(c, x, "id", jstr(c, acc->id));
		set(c, x, "name", jstr(c, acc->name ? acc->name : ""));
		set(c, x, "cost", jseries(c, t->accounts + i * nm, nm));
		for (size_t j = 0; sv && j < acc->n_services; j++) {
			json_t *y = jobject(c);

			set(c, y, "name", jstr(c, acc->services[j].name ? acc->services[j].name : ""));
			set(c, y, "other", json_boolean(acc->services[j].is_other));
			set(c, y, "cost", jseries(c, t->services[i] + j * nm, nm));
			append(c, sv, y);
		}
		set(c, x, "services", sv);
		append(c, a, x);
	}
	set(c, o, "accounts", a);
	return o;
}

static void write_report(jctx *c)
{
	const cr_report *r = c->r;
	json_t *o, *a;

	c->depth = 1;
	out_raw(c, "{");
	field(c, "schema", json_string(CR_REPORT_SCHEMA));

	if ((o = jobject(c))) {
		set(c, o, "start", jday(r->start));
		set(c, o, "end", jday(r->end));
		set(c, o, "label", jstr(c, r->period_label ? r->period_label : ""));
	}
	field(c, "period", o);

	if (r->has_previous) {
		if ((o = jobject(c))) {
			set(c, o, "start", jday(r->prev_start));
			set(c, o, "end", jday(r->prev_end));
		}
	} else {
		o = json_null();
	}
	field(c, "previous_period", o);

	field(c, "currency", jstr(c, r->currency ? r->currency : ""));
	field(c, "metric", json_string(cr_metric_name(r->metric)));
	if (cr_fx_active(r) && (o = jobject(c))) {
		char rate[CR_DEC_STRLEN];

		cr_dec_format(r->fx.rate, -1, rate, sizeof rate);
		set(c, o, "currency", json_string(r->fx.code));
		set(c, o, "rate", json_string(rate));
		set(c, o, "date", jday(r->fx.date));
		field(c, "fx", o);
	}

	if ((o = jobject(c))) {
		set(c, o, "kind", jstr_or_null(c, r->source_kind));
		a = jarray(c);
		for (size_t i = 0; a && i < r->n_files; i++)
			append(c, a, jstr(c, r->files[i] ? r->files[i] : ""));
		set(c, o, "files", a);
		set(c, o, "requests", json_integer(r->paid_requests));
		set(c, o, "cached_requests", json_integer(r->cached_requests));
		set(c, o, "estimated", json_boolean(r->estimated));
		set(c, o, "partial", json_boolean(r->partial));
		set(c, o, "data_through", r->data_through ? jday(r->data_through) : json_null());
		set(c, o, "pushdown", jpushdown(c, &r->pushdown));
		if (r->has_s3)
			set(c, o, "s3", js3(c, &r->s3));
	}
	field(c, "source", o);

	field(c, "total", jamount(r->total));
	field(c, "previous_total", jprev(c, r->previous_total));
	field(c, "change", jchange(c, r->total, r->previous_total));
	if (cr_fx_active(r)) {
		field(c, "total_fx", jfx(c, r->total));
		field(c, "previous_total_fx", r->has_previous ? jfx(c, r->previous_total)
			: json_null());
	}

	if ((o = jobject(c))) {
		set(c, o, "ranked", jamount(r->recon.ranked));
		set(c, o, "credits", jamount(r->recon.excluded[CR_EXCL_CREDIT]));
		set(c, o, "refunds", jamount(r->recon.excluded[CR_EXCL_REFUND]));
		set(c, o, "tax", jamount(r->recon.excluded[CR_EXCL_TAX]));
		set(c, o, "grand_total", jamount(r->recon.grand_total));
		a = jarray(c);
		for (int i = 0; a && i < CR_EXCL_COUNT; i++)
			if (r->recon.included[i])
				append(c, a, json_string(cr_excluded_name((enum cr_excluded)i)));
		set(c, o, "included", a);
		if (r->recon.rounded_costs || r->recon.rounded_quantities) {
			json_t *x = jobject(c);
			char eff[CR_DEC_STRLEN];

			cr_dec_format_fine(r->recon.rounding_effect, eff, sizeof eff);
			set(c, x, "costs", json_integer((json_int_t)r->recon.rounded_costs));
			set(c, x, "quantities",
			    json_integer((json_int_t)r->recon.rounded_quantities));
			set(c, x, "cost_effect", json_string(eff));
			set(c, o, "rounded", x);
		}
	}
	field(c, "reconciliation", o);

	field(c, "top_services", json_integer(r->top_services));
	field(c, "top_usage_types", json_integer(r->top_usage));
	if (r->has_resources)
		field(c, "top_resources", json_integer(r->top_resources));

	a = jarray(c);
	for (size_t i = 0; a && i < r->n_warnings; i++)
		append(c, a, jstr(c, r->warnings[i] ? r->warnings[i] : ""));
	field(c, "warnings", a);

	array_begin(c, "accounts", r->n_accounts);
	for (size_t i = 0; i < r->n_accounts && !c->failed; i++)
		element(c, build_account(c, &r->accounts[i]));
	array_end(c, r->n_accounts);

	array_begin(c, "services", r->n_services);
	for (size_t i = 0; i < r->n_services && !c->failed; i++)
		element(c, build_org_service(c, &r->services[i]));
	array_end(c, r->n_services);

	if (r->n_allocations) {  /* --by: absent otherwise */
		a = jarray(c);
		for (size_t i = 0; a && i < r->n_allocations; i++)
			append(c, a, build_allocation(c, &r->allocations[i]));
		field(c, "allocation", a);
	}

	if (r->has_proposals) {
		field(c, "savings_total", jamount(r->savings_total));
		if (cr_fx_active(r))
			field(c, "savings_total_fx", jfx(c, r->savings_total));
		field(c, "savings_share", jshare(cr_dec_ratio(r->savings_total, r->recon.grand_total)));
		field(c, "savings_to_investigate", jamount(r->savings_to_investigate));
		field(c, "min_saving", jamount(r->min_saving));
		array_begin(c, "proposals", r->n_proposals);
		write_proposals(c);
		array_end(c, r->n_proposals);
	} else {
		field(c, "savings_total", json_null());
		field(c, "savings_share", json_null());
		field(c, "savings_to_investigate", json_null());
		field(c, "min_saving", json_null());
		field(c, "proposals", jarray(c));
	}
	field(c, "trend", build_trend(c));
	field(c, "anomalies", r->has_anomalies ? build_anomalies(c) : json_null());
	field(c, "drivers", r->has_previous ? build_drivers(c) : json_null());
	if (r->realised)
		field(c, "realised", build_realised(c));
	if (r->commitments.present)  /* CUR data with the savings pass: absent otherwise */
		field(c, "commitments", build_commitments(c));
	c->depth = 0;
	out_raw(c, "\n}");
}

int cr_write_json(const cr_report *r, FILE *out, const cr_write_opts *o, cr_error *err)
{
	jctx c = { .r = r, .out = out, .first = true };

	(void)o;
	write_report(&c);
	if (c.failed)
		return cr_error_set(err, CR_EXIT_INTERNAL,
				    "cannot build the JSON report (out of memory or an amount out of range)");
	/* A failed write leaves the stream's error flag set: the caller's
	 * stream check (output.h) reports it with the file name. */
	fputc('\n', out);
	return 0;
}
