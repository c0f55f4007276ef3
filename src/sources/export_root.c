/* export_root.c - see costrank/export_root.h */
#include "costrank/export_root.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "costrank/buf.h"
#include "costrank/s3.h"
#include "costrank/i18n.h"

/* ---- names ------------------------------------------------------------- */

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcasecmp(s + n - m, suffix) == 0;
}

/* The one list of data part extensions. */
static const char *const data_extensions[] = { ".csv", ".csv.gz", ".csv.zip", ".gz", ".parquet" };

bool cr_data_file_name(const char *name)
{
	for (size_t i = 0; i < sizeof data_extensions / sizeof data_extensions[0]; i++)
		if (ends_with(name, data_extensions[i]))
			return true;
	return false;
}

bool cr_manifest_file_name(const char *name)
{
	return ends_with(name, "manifest.json");
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* ---- listings ---------------------------------------------------------- */

void cr_listing_add(cr_listing *l, const char *path, int64_t size, int64_t mtime,
		    uint64_t dev, uint64_t ino)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->v = cr_xrealloc(l->v, l->cap * sizeof *l->v);
	}
	l->v[l->n++] = (cr_listing_entry){ cr_xstrdup(path), size, mtime, dev, ino };
}

void cr_listing_free(cr_listing *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].path);
	free(l->v);
	memset(l, 0, sizeof *l);
}

/* ---- counters ---------------------------------------------------------- */

static int64_t stat_listings, stat_objects, stat_manifests;

void cr_export_stats_get(cr_export_stats *out)
{
	out->listings = __atomic_load_n(&stat_listings, __ATOMIC_RELAXED);
	out->objects_listed = __atomic_load_n(&stat_objects, __ATOMIC_RELAXED);
	out->manifest_reads = __atomic_load_n(&stat_manifests, __ATOMIC_RELAXED);
}

static void count(int64_t *c, int64_t n)
{
	__atomic_add_fetch(c, n, __ATOMIC_RELAXED);
}

/* ---- manifests --------------------------------------------------------- */

/* "20261001T000000.000Z", "2026-10-01T00:00:00.000Z" or "2026-10-01". */
static int period_bound(const char *s, cr_day *day)
{
	int y, m, d;
	char tail;

	if (strlen(s) >= 8 && sscanf(s, "%4d%2d%2d", &y, &m, &d) == 3 && isdigit((unsigned char)s[7]) &&
	    (s[8] == 'T' || s[8] == '\0'))
		return cr_day_from_ymd(y, m, d, day);
	if (strlen(s) >= 10 && sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) >= 3 &&
	    s[4] == '-' && s[7] == '-' && (s[10] == 'T' || s[10] == ' ' || s[10] == '\0'))
		return cr_day_from_ymd(y, m, d, day);
	return -1;
}

/* An object key: no control characters (they would break a message). */
static bool key_ok(const char *s, size_t len)
{
	if (!*s || strlen(s) != len || len > 4096)
		return false;
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

static int manifest_fail(cr_error *err, const char *name, const char *what)
{
	return cr_error_set(err, CR_EXIT_INPUT, "%s: %s", name, what);
}

static char *opt_string(json_t *doc, const char *key)
{
	json_t *v = json_object_get(doc, key);
	return json_is_string(v) ? cr_xstrndup(json_string_value(v), json_string_length(v)) : NULL;
}

int cr_manifest_parse(const char *name, const char *text, size_t len, cr_manifest *m,
		      cr_error *err)
{
	json_error_t jerr;
	json_t *doc, *keys, *bp;
	const char *field;

	memset(m, 0, sizeof *m);
	doc = json_loadb(text ? text : "", len, 0, &jerr);
	if (!doc) {
		/* jansson may quote the input: no control characters in a message */
		for (char *c = jerr.text; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f)
				*c = '?';
		return cr_error_set(err, CR_EXIT_INPUT, "%s:%d:%d: not a manifest: %.200s", name,
				    jerr.line, jerr.column, jerr.text);
	}
	if (!json_is_object(doc)) {
		json_decref(doc);
		return manifest_fail(err, name, "not a manifest: not a JSON object");
	}
	field = "reportKeys";
	keys = json_object_get(doc, field);
	if (!keys) {
		field = "dataFiles";
		keys = json_object_get(doc, field);
	}
	if (!json_is_array(keys)) {
		json_decref(doc);
		return manifest_fail(err, name, keys ? "not a manifest: its list of parts is not an array"
						   : "not a manifest: it has neither reportKeys nor dataFiles");
	}
	m->keys = cr_xcalloc(json_array_size(keys) + 1, sizeof *m->keys);
	for (size_t i = 0; i < json_array_size(keys); i++) {
		json_t *k = json_array_get(keys, i);
		const char *s = json_string_value(k);
		if (!json_is_string(k) || !key_ok(s, json_string_length(k))) {
			cr_error_set(err, CR_EXIT_INPUT, "%s: not a manifest: %s[%zu] is not an object key",
				     name, field, i);
			json_decref(doc);
			cr_manifest_free(m);
			return -1;
		}
		m->keys[m->n_keys++] = cr_xstrdup(s);
	}
	bp = json_object_get(doc, "billingPeriod");
	if (json_is_object(bp)) {
		json_t *st = json_object_get(bp, "start"), *en = json_object_get(bp, "end");
		cr_day a, b;
		if (json_is_string(st) && json_is_string(en) &&
		    period_bound(json_string_value(st), &a) == 0 &&
		    period_bound(json_string_value(en), &b) == 0 && b > a) {
			m->start = a;
			m->end = b - 1;   /* AWS writes an exclusive end */
		} else {
			json_decref(doc);
			cr_manifest_free(m);
			return manifest_fail(err, name, "not a manifest: billingPeriod is not "
					     "{\"start\": DATE, \"end\": DATE} with start before end");
		}
	}
	m->assembly_id = opt_string(doc, "assemblyId");
	m->execution_id = opt_string(doc, "executionId");
	json_decref(doc);
	return 0;
}

void cr_manifest_free(cr_manifest *m)
{
	for (size_t i = 0; i < m->n_keys; i++)
		free(m->keys[i]);
	free(m->keys);
	free(m->assembly_id);
	free(m->execution_id);
	memset(m, 0, sizeof *m);
}

/* ---- period folders ---------------------------------------------------- */

enum { KIND_NONE = 0, KIND_LEGACY = 1, KIND_EXPORTS = 2 };

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* Whether a path component names a billing period: "20261001-20261101"
 * (legacy CUR, exclusive end) or "BILLING_PERIOD=2026-10" (Data Exports). */
static int period_component(const char *s, size_t n, cr_day *start, cr_day *end)
{
	int y, m, d, y2, m2, d2;
	cr_day a, b;

	if (n == 17 && s[8] == '-' && all_digits(s, 8) && all_digits(s + 9, 8) &&
	    sscanf(s, "%4d%2d%2d-%4d%2d%2d", &y, &m, &d, &y2, &m2, &d2) == 6 &&
	    cr_day_from_ymd(y, m, d, &a) == 0 && cr_day_from_ymd(y2, m2, d2, &b) == 0 && b > a) {
		*start = a;
		*end = b - 1;
		return KIND_LEGACY;
	}
	if (n == 22 && strncasecmp(s, "billing_period=", 15) == 0 && all_digits(s + 15, 4) &&
	    s[19] == '-' && all_digits(s + 20, 2) &&
	    sscanf(s + 15, "%4d-%2d", &y, &m) == 2 && cr_day_from_ymd(y, m, 1, &a) == 0) {
		*start = a;
		*end = cr_month_last(a);
		return KIND_EXPORTS;
	}
	return KIND_NONE;
}

/* Where the last period folder of a path's directories is. */
struct period_pos {
	int kind;
	size_t comp, comp_len;   /* offset and length of the period component */
	size_t parent;           /* offset of the component before it, or SIZE_MAX */
	cr_day start, end;
};

static bool find_period(const char *path, bool whole, struct period_pos *p)
{
	size_t end = whole ? strlen(path) : (size_t)(base_name(path) - path);
	size_t i = 0, prev = SIZE_MAX;

	p->kind = KIND_NONE;
	while (i < end) {
		size_t j = i;
		while (j < end && path[j] != '/')
			j++;
		if (j > i) {
			cr_day a, b;
			int k = period_component(path + i, j - i, &a, &b);
			if (k) {
				*p = (struct period_pos){ k, i, j - i, prev, a, b };
			}
			prev = i;
		}
		i = j + 1;
	}
	return p->kind != KIND_NONE;
}

static bool parent_is(const char *path, const struct period_pos *p, const char *name)
{
	size_t n = strlen(name);
	return p->parent != SIZE_MAX && p->comp - p->parent == n + 1 &&
	       strncmp(path + p->parent, name, n) == 0;
}

/* ---- selection --------------------------------------------------------- */

struct item {
	size_t idx;              /* in the listing */
	bool meta;               /* under metadata/ (Data Exports) */
	const char *rel;         /* the path below the period folder */
};

struct group {
	int kind;
	char *key;               /* identity: export and period */
	char *data_dir;          /* the period (data) folder, no trailing slash */
	cr_day start, end;
	struct item *items;
	size_t n, cap;
};

struct groups {
	struct group *v;
	size_t n, cap;
};

static struct group *group_get(struct groups *gs, int kind, const char *key)
{
	for (size_t i = gs->n; i-- > 0;)
		if (strcmp(gs->v[i].key, key) == 0)
			return &gs->v[i];
	if (gs->n == gs->cap) {
		gs->cap = gs->cap ? gs->cap * 2 : 8;
		gs->v = cr_xrealloc(gs->v, gs->cap * sizeof *gs->v);
	}
	gs->v[gs->n] = (struct group){ .kind = kind, .key = cr_xstrdup(key) };
	return &gs->v[gs->n++];
}

static void group_add(struct group *g, struct item it)
{
	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 16;
		g->items = cr_xrealloc(g->items, g->cap * sizeof *g->items);
	}
	g->items[g->n++] = it;
}

static void groups_free(struct groups *gs)
{
	for (size_t i = 0; i < gs->n; i++) {
		free(gs->v[i].key);
		free(gs->v[i].data_dir);
		free(gs->v[i].items);
	}
	free(gs->v);
}

static void strv_add(char ***v, size_t *n, char *s)
{
	if ((*n & (*n - 1)) == 0 || *n == 0)
		*v = cr_xrealloc(*v, (*n ? *n * 2 : 8) * sizeof **v);
	(*v)[(*n)++] = s;
}

static void sel_warn(cr_selection *sel, char *msg)
{
	strv_add(&sel->warnings, &sel->n_warnings, msg);
}

/* The sorted listing, for finding a path a manifest names. */
struct index {
	const cr_listing *l;
	size_t *order;
	bool *taken;             /* by listing index: a manifest named it already */
};

static int cmp_order_ctx(const void *a, const void *b, void *ctx)
{
	const cr_listing *l = ctx;
	return strcmp(l->v[*(const size_t *)a].path, l->v[*(const size_t *)b].path);
}

static long index_find(const struct index *ix, const char *path)
{
	size_t lo = 0, hi = ix->l->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(ix->l->v[ix->order[mid]].path, path);
		if (c == 0)
			return (long)ix->order[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* The delivery folder an item belongs to: the first component of rel, or
 * "" for a file directly in the period folder. */
static size_t delivery_len(const char *rel)
{
	const char *s = strchr(rel, '/');
	return s ? (size_t)(s - rel) : 0;
}

/* A timestamp at the start of a delivery folder's name
 * ("20261003T061200Z-<id>", "2026-10-03T06:12:00.000Z-<id>"), as
 * YYYYMMDDhhmmss; -1 when the name starts with none. */
static int64_t folder_time(const char *s, size_t n)
{
	int64_t v = 0;
	int digits = 0;
	bool t = false;

	for (size_t i = 0; i < n && digits < 14; i++) {
		if (isdigit((unsigned char)s[i])) {
			v = v * 10 + (s[i] - '0');
			digits++;
		} else if (s[i] == 'T' && digits == 8) {
			t = true;
		} else if (!(s[i] == '-' && digits <= 8) && !(s[i] == ':' && digits > 8)) {
			return -1;
		}
	}
	return digits == 14 && t ? v : -1;
}

struct delivery {
	const char *name;        /* points into an item's rel; len below */
	size_t len;
	int64_t folder_time, mtime;
	size_t files;
};

static bool delivery_later(const struct delivery *a, const struct delivery *b, bool by_folder)
{
	int64_t x = by_folder ? a->folder_time : a->mtime, y = by_folder ? b->folder_time : b->mtime;
	int c;

	if (x != y)
		return x > y;
	c = strncmp(a->name, b->name, a->len < b->len ? a->len : b->len);
	return c ? c > 0 : a->len > b->len;
}

static void describe_delivery(cr_buf *b, const struct delivery *d)
{
	if (d->len)
		cr_buf_addf(b, "'%.*s/'", (int)d->len, d->name);
	else
		cr_buf_adds(b, _("the parts directly in the period folder"));
}

/* Reads the manifest at listing index idx. */
static int load_manifest(const cr_listing *l, size_t idx, cr_manifest_reader *read, void *ctx,
			 cr_manifest *m, cr_error *err)
{
	char *buf = NULL;
	size_t len = 0;
	int rc;

	count(&stat_manifests, 1);
	if (read(ctx, l->v[idx].path, &buf, &len, err))
		return -1;
	rc = cr_manifest_parse(l->v[idx].path, buf, len, m, err);
	free(buf);
	return rc;
}

/* The listing path a manifest key stands for, or -1; *where receives the
 * path looked for (malloced), for a message when it is absent. */
static long resolve_key(const struct index *ix, const struct group *g, const char *key,
			bool flat, char **where)
{
	struct period_pos p;
	const char *tail;
	cr_buf b = CR_BUF_INIT;
	long found;

	if (find_period(key, false, &p))
		tail = key + p.comp + p.comp_len + 1;
	else
		tail = base_name(key);
	cr_buf_addf(&b, "%s/%s", g->data_dir, tail);
	found = index_find(ix, b.ptr);
	if (found < 0 && flat && tail != base_name(key)) {
		/* overwrite mode: the parts sit in the period folder although
		 * the key names an assembly folder */
		cr_buf_reset(&b);
		cr_buf_addf(&b, "%s/%s", g->data_dir, base_name(key));
		found = index_find(ix, b.ptr);
	}
	*where = cr_buf_detach(&b);
	return found;
}

/* Adds the parts a manifest names; missing ones are an error, or a warning
 * with allow_partial. */
static int take_manifest(const struct index *ix, const struct group *g, const char *mpath,
			 const cr_manifest *m, bool flat, bool allow_partial, cr_selection *sel,
			 size_t *taken, cr_error *err)
{
	for (size_t k = 0; k < m->n_keys; k++) {
		char *where;
		long at = resolve_key(ix, g, m->keys[k], flat, &where);
		bool data = cr_data_file_name(base_name(where)) &&
			    !cr_manifest_file_name(base_name(where));
		bool ok = at >= 0 && data && (cr_s3_is_url(where) || access(where, R_OK) == 0);
		/* N_: the error stays English (it names a file), the warning is translated */
		const char *why = !data ? N_("not a billing data file") : at >= 0 ? N_("unreadable") :
				  N_("absent");
		int rc = 0;

		if (ok) {
			/* a part named twice is still one part */
			if (!ix->taken[at]) {
				ix->taken[at] = true;
				strv_add(&sel->paths, &sel->n_paths, where);
				(*taken)++;
			} else {
				free(where);
			}
			continue;
		}
		if (!allow_partial) {
			rc = cr_error_set(err, CR_EXIT_INPUT, "%s: part named by %s is %s "
					  "(--allow-partial reads the rest)", where, mpath, why);
		} else {
			cr_buf w = CR_BUF_INIT;
			cr_buf_addf(&w, _("%s: part named by %s is %s: the report leaves it out"),
				    where, mpath, _(why));
			sel_warn(sel, cr_buf_detach(&w));
			sel->partial = true;
		}
		free(where);
		if (rc)
			return rc;
	}
	return 0;
}

/* Reads, parses and follows the manifest at listing index idx. */
static int use_manifest(const struct index *ix, const struct group *g, size_t idx, bool flat,
			cr_manifest_reader *read, void *ctx, bool allow_partial, cr_selection *sel,
			cr_export_period *per, size_t *taken, cr_error *err)
{
	cr_manifest m;
	int rc;

	if (load_manifest(ix->l, idx, read, ctx, &m, err))
		return -1;
	if (m.start) {
		per->start = m.start;
		per->end = m.end;
		per->from_manifest = true;
	}
	rc = take_manifest(ix, g, ix->l->v[idx].path, &m, flat, allow_partial, sel, taken, err);
	cr_manifest_free(&m);
	return rc;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int cmp_items(const void *a, const void *b)
{
	return strcmp(((const struct item *)a)->rel, ((const struct item *)b)->rel);
}

static int select_group(const struct index *ix, struct group *g, cr_manifest_reader *read,
			void *ctx, bool allow_partial, cr_selection *sel, cr_error *err)
{
	const cr_listing *l = ix->l;
	long manifest = -1;
	struct delivery *dv = NULL;
	size_t ndv = 0, data_files = 0, taken = 0, first = sel->n_paths;
	bool flat = true, by_folder = true;
	int rc = 0;
	cr_export_period per = { .start = g->start, .end = g->end };

	qsort(g->items, g->n, sizeof *g->items, cmp_items);
	/* the period manifest: directly in the (metadata) period folder */
	for (size_t i = 0; i < g->n; i++) {
		const struct item *it = &g->items[i];
		bool is_manifest = cr_manifest_file_name(base_name(it->rel));
		if (is_manifest && !strchr(it->rel, '/') &&
		    (g->kind == KIND_LEGACY || it->meta) &&
		    (manifest < 0 || l->v[it->idx].mtime > l->v[manifest].mtime))
			manifest = (long)it->idx;
		if (is_manifest || it->meta || !cr_data_file_name(base_name(it->rel)))
			continue;
		data_files++;
		size_t dl = delivery_len(it->rel);
		if (dl)
			flat = false;
		if (!ndv || dv[ndv - 1].len != dl || strncmp(dv[ndv - 1].name, it->rel, dl)) {
			dv = cr_xrealloc(dv, (ndv + 1) * sizeof *dv);
			dv[ndv++] = (struct delivery){ it->rel, dl, folder_time(it->rel, dl), 0, 0 };
			if (dv[ndv - 1].folder_time < 0)
				by_folder = false;
		}
		if (l->v[it->idx].mtime > dv[ndv - 1].mtime)
			dv[ndv - 1].mtime = l->v[it->idx].mtime;
		dv[ndv - 1].files++;
	}

	if (manifest >= 0) {
		rc = use_manifest(ix, g, (size_t)manifest, flat, read, ctx, allow_partial, sel,
				  &per, &taken, err);
		if (rc)
			goto out;
	} else if (ndv) {
		/* no manifest: the latest delivery, with a warning naming the rest */
		size_t best = 0;
		for (size_t d = 1; d < ndv; d++)
			if (delivery_later(&dv[d], &dv[best], by_folder))
				best = d;
		long dmanifest = -1;
		for (size_t i = 0; i < g->n; i++) {
			const struct item *it = &g->items[i];
			size_t dl = delivery_len(it->rel);
			if (dl != dv[best].len || strncmp(it->rel, dv[best].name, dl))
				continue;
			if (dl && cr_manifest_file_name(base_name(it->rel)) &&
			    strchr(it->rel, '/') == strrchr(it->rel, '/'))
				dmanifest = (long)it->idx;
		}
		if (dmanifest >= 0) {
			/* the chosen version's own manifest names its parts */
			rc = use_manifest(ix, g, (size_t)dmanifest, false, read, ctx, allow_partial,
					  sel, &per, &taken, err);
			if (rc)
				goto out;
		} else {
			for (size_t i = 0; i < g->n; i++) {
				const struct item *it = &g->items[i];
				size_t dl = delivery_len(it->rel);
				if (it->meta || !cr_data_file_name(base_name(it->rel)) ||
				    cr_manifest_file_name(base_name(it->rel)) ||
				    dl != dv[best].len || strncmp(it->rel, dv[best].name, dl))
					continue;
				strv_add(&sel->paths, &sel->n_paths, cr_xstrdup(l->v[it->idx].path));
				taken++;
			}
		}
		if (ndv > 1) {
			cr_buf w = CR_BUF_INIT;
			cr_buf_addf(&w, _("%s: no manifest; read the latest delivery ("), g->data_dir);
			describe_delivery(&w, &dv[best]);
			cr_buf_addf(&w, _(", by %s) and left out %zu older: "),
				    by_folder ? _("the folder's timestamp") : _("object time"), ndv - 1);
			for (size_t d = 0, shown = 0; d < ndv; d++) {
				if (d == best)
					continue;
				if (shown == 4) {
					cr_buf_adds(&w, ", ...");
					break;
				}
				if (shown++)
					cr_buf_adds(&w, ", ");
				describe_delivery(&w, &dv[d]);
			}
			sel_warn(sel, cr_buf_detach(&w));
		}
	}
	sel->superseded += data_files > taken ? data_files - taken : 0;
	if (sel->n_paths > first)
		qsort(sel->paths + first, sel->n_paths - first, sizeof *sel->paths,
		      cmp_str);
	per.folder = cr_xstrdup(g->data_dir);
	if (sel->n_periods % 8 == 0)
		sel->periods = cr_xrealloc(sel->periods, (sel->n_periods + 8) * sizeof *sel->periods);
	sel->periods[sel->n_periods++] = per;
out:
	free(dv);
	return rc;
}

int cr_export_select(const cr_listing *l, cr_manifest_reader *read, void *ctx,
		     bool allow_partial, cr_selection *sel, cr_error *err)
{
	struct groups gs = { 0 };
	struct index ix = { l, cr_xcalloc(l->n + 1, sizeof *ix.order),
			    cr_xcalloc(l->n + 1, sizeof *ix.taken) };
	size_t loose_first = sel->n_paths;
	int rc = 0;

	for (size_t i = 0; i < l->n; i++)
		ix.order[i] = i;
	qsort_r(ix.order, l->n, sizeof *ix.order, cmp_order_ctx, (void *)l);

	for (size_t o = 0; o < l->n; o++) {
		size_t i = ix.order[o];
		const char *path = l->v[i].path;
		struct period_pos p;
		struct item it = { i, false, NULL };
		cr_buf key = CR_BUF_INIT, dir = CR_BUF_INIT;
		struct group *g;

		if (!find_period(path, false, &p)) {
			/* outside any period folder: read as given */
			if (cr_data_file_name(base_name(path)) && !cr_manifest_file_name(base_name(path)))
				strv_add(&sel->paths, &sel->n_paths, cr_xstrdup(path));
			continue;
		}
		it.rel = path + p.comp + p.comp_len + 1;
		if (p.kind == KIND_EXPORTS &&
		    (parent_is(path, &p, "data") || parent_is(path, &p, "metadata"))) {
			it.meta = parent_is(path, &p, "metadata");
			/* data/ and metadata/ of one export and period are one group */
			cr_buf_addf(&key, "%d|%.*s|%.*s", p.kind, (int)p.parent, path, (int)p.comp_len,
				    path + p.comp);
			for (char *c = key.ptr + key.len - p.comp_len; *c; c++)
				*c = (char)tolower((unsigned char)*c);
			cr_buf_addf(&dir, "%.*sdata/%.*s", (int)p.parent, path, (int)p.comp_len,
				    path + p.comp);
		} else {
			cr_buf_addf(&key, "%d|%.*s", p.kind, (int)(p.comp + p.comp_len), path);
			cr_buf_addf(&dir, "%.*s", (int)(p.comp + p.comp_len), path);
		}
		g = group_get(&gs, p.kind, key.ptr);
		if (!g->data_dir || (!it.meta && strcmp(g->data_dir, dir.ptr))) {
			/* the folder the data is really in wins over the one built
			 * from the metadata path */
			if (!g->data_dir || !g->n || g->items[0].meta) {
				free(g->data_dir);
				g->data_dir = cr_buf_detach(&dir);
			}
		}
		g->start = p.start;
		g->end = p.end;
		group_add(g, it);
		cr_buf_release(&key);
		cr_buf_release(&dir);
	}
	if (sel->n_paths > loose_first)
		qsort(sel->paths + loose_first, sel->n_paths - loose_first, sizeof *sel->paths,
		      cmp_str);
	for (size_t i = 0; i < gs.n && !rc; i++)
		rc = select_group(&ix, &gs.v[i], read, ctx, allow_partial, sel, err);
	groups_free(&gs);
	free(ix.order);
	free(ix.taken);
	return rc;
}

void cr_selection_free(cr_selection *sel)
{
	for (size_t i = 0; i < sel->n_paths; i++)
		free(sel->paths[i]);
	free(sel->paths);
	for (size_t i = 0; i < sel->n_warnings; i++)
		free(sel->warnings[i]);
	free(sel->warnings);
	for (size_t i = 0; i < sel->n_periods; i++)
		free(sel->periods[i].folder);
	free(sel->periods);
	memset(sel, 0, sizeof *sel);
}

/* ---- local folders ----------------------------------------------------- */

static int read_local_manifest(void *ctx, const char *path, char **buf, size_t *len,
			       cr_error *err)
{
	cr_buf b = CR_BUF_INIT;
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	(void)ctx;
	if (fd < 0)
		return cr_error_errno(err, CR_EXIT_INPUT, errno, "cannot read manifest '%s'", path);
	rc = cr_buf_read_fd(&b, fd, CR_MANIFEST_MAX);
	if (rc < 0)
		cr_error_errno(err, CR_EXIT_INPUT, errno, "cannot read manifest '%s'", path);
	else if (rc > 0)
		cr_error_set(err, CR_EXIT_INPUT, "%s: not a manifest: larger than %u MiB", path,
			     CR_MANIFEST_MAX >> 20);
	close(fd);
	if (rc) {
		cr_buf_release(&b);
		return -1;
	}
	*len = b.len;
	*buf = b.ptr ? cr_buf_detach(&b) : cr_xstrdup("");
	return 0;
}

static int walk_dir(const char *dir, cr_listing *l, int depth, cr_error *err)
{
	DIR *d;
	struct dirent *de;
	char **names = NULL;
	size_t n = 0;
	int rc = 0;

	if (depth > 32)
		return cr_error_set(err, CR_EXIT_INPUT, "%s: directories nested too deeply", dir);
	d = opendir(dir);
	if (!d)
		return cr_error_errno(err, CR_EXIT_INPUT, errno, "cannot read directory '%s'", dir);
	while ((de = readdir(d)))
		if (de->d_name[0] != '.')
			strv_add(&names, &n, cr_xstrdup(de->d_name));
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, cmp_str);
	for (size_t i = 0; i < n; i++) {
		cr_buf p = CR_BUF_INIT;
		struct stat st;

		if (!rc) {
			cr_buf_addf(&p, "%s%s%s", dir, ends_with(dir, "/") ? "" : "/", names[i]);
			if (stat(p.ptr, &st) != 0)
				rc = cr_error_errno(err, CR_EXIT_INPUT, errno, "cannot read '%s'", p.ptr);
			else if (S_ISDIR(st.st_mode))
				rc = walk_dir(p.ptr, l, depth + 1, err);
			else if (S_ISREG(st.st_mode) &&
				 (cr_data_file_name(names[i]) || cr_manifest_file_name(names[i])))
				cr_listing_add(l, p.ptr, st.st_size, st.st_mtime, st.st_dev, st.st_ino);
			cr_buf_release(&p);
		}
		free(names[i]);
	}
	free(names);
	return rc;
}

/* The folders (or prefixes) that stand for what a folder argument names: a
 * folder below a period folder stands for its whole period, and data/ or
 * metadata/ of a Data Export for both. */
static size_t widen(const char *arg, char *roots[2])
{
	size_t n = strlen(arg);
	char *a = cr_xstrndup(arg, n);
	struct period_pos p;

	while (n > 1 && a[n - 1] == '/')
		a[--n] = '\0';
	if (find_period(a, true, &p)) {
		size_t end = p.comp + p.comp_len;
		if (p.kind == KIND_EXPORTS &&
		    (parent_is(a, &p, "data") || parent_is(a, &p, "metadata"))) {
			cr_buf b = CR_BUF_INIT;
			cr_buf_addf(&b, "%.*sdata/%.*s", (int)p.parent, a, (int)p.comp_len, a + p.comp);
			roots[0] = cr_buf_detach(&b);
			cr_buf_addf(&b, "%.*smetadata/%.*s", (int)p.parent, a, (int)p.comp_len,
				    a + p.comp);
			roots[1] = cr_buf_detach(&b);
			free(a);
			return 2;
		}
		a[end] = '\0';
		roots[0] = a;
		return 1;
	}
	const char *last = base_name(a);
	if (strcmp(last, "data") == 0 || strcmp(last, "metadata") == 0) {
		cr_buf b = CR_BUF_INIT;
		size_t base = (size_t)(last - a);
		cr_buf_addf(&b, "%.*sdata", (int)base, a);
		roots[0] = cr_buf_detach(&b);
		cr_buf_addf(&b, "%.*smetadata", (int)base, a);
		roots[1] = cr_buf_detach(&b);
		free(a);
		return 2;
	}
	roots[0] = a;
	return 1;
}

static int expand_local_dir(const char *arg, bool allow_partial, cr_selection *sel,
			    cr_error *err)
{
	char *roots[2] = { 0 };
	size_t nroots = widen(arg, roots), before = sel->n_paths, missing;
	cr_listing l = { 0 };
	bool partial = sel->partial;
	int rc = 0;

	for (size_t r = 0; r < nroots && !rc; r++) {
		struct stat st;
		if (stat(roots[r], &st) != 0 || !S_ISDIR(st.st_mode))
			continue;   /* metadata/ may well be absent */
		count(&stat_listings, 1);
		rc = walk_dir(roots[r], &l, 0, err);
	}
	count(&stat_objects, (int64_t)l.n);
	if (!rc)
		rc = cr_export_select(&l, read_local_manifest, NULL, allow_partial, sel, err);
	missing = sel->partial && !partial;
	if (!rc && sel->n_paths == before && !missing)
		rc = cr_error_set(err, CR_EXIT_INPUT,
				  "'%s' holds no billing data files (*.csv, *.csv.gz, *.csv.zip, *.parquet)", arg);
	cr_listing_free(&l);
	for (size_t r = 0; r < nroots; r++)
		free(roots[r]);
	return rc;
}

/* ---- S3 prefixes ------------------------------------------------------- */

static int read_s3_manifest(void *ctx, const char *url, char **buf, size_t *len, cr_error *err)
{
	(void)ctx;
	return cr_s3_get_small(url, CR_MANIFEST_MAX, buf, len, err);
}

/* Lists url (a prefix) into l; with exact, an object named url itself is
 * reported through *is_object instead.  Only keys below "url/" count. */
static int s3_list_into(const char *url, cr_listing *l, bool *is_object, cr_error *err)
{
	cr_s3_object *objs = NULL;
	size_t n = 0, ulen = strlen(url);
	bool dir = ulen && url[ulen - 1] == '/';

	count(&stat_listings, 1);
	if (cr_s3_list(url, &objs, &n, err))
		return -1;
	count(&stat_objects, (int64_t)n);
	for (size_t i = 0; i < n; i++) {
		const char *u = objs[i].url;
		if (is_object && strcmp(u, url) == 0) {
			*is_object = true;
			continue;
		}
		if (!dir && (strncmp(u, url, ulen) || u[ulen] != '/'))
			continue;   /* "p" also lists "p2/..." */
		if (cr_data_file_name(base_name(u)) || cr_manifest_file_name(base_name(u)))
			cr_listing_add(l, u, objs[i].size, objs[i].mtime, 0, 0);
	}
	cr_s3_objects_free(objs, n);
	return 0;
}

static int expand_s3(const char *arg, bool allow_partial, cr_selection *sel, cr_error *err)
{
	char *bucket = NULL, *key = NULL, *roots[2] = { 0 };
	size_t nroots, before = sel->n_paths;
	cr_listing l = { 0 };
	bool is_object = false, partial = sel->partial;
	int rc = 0;

	if (cr_s3_url_parse(arg, &bucket, &key, err))
		return -1;
	free(bucket);
	free(key);
	nroots = widen(arg, roots);
	if (nroots == 1 && strcmp(roots[0], arg) == 0) {
		rc = s3_list_into(arg, &l, &is_object, err);
	} else {
		for (size_t r = 0; r < nroots && !rc; r++) {
			cr_buf b = CR_BUF_INIT;
			cr_buf_addf(&b, "%s/", roots[r]);
			rc = s3_list_into(b.ptr, &l, NULL, err);
			cr_buf_release(&b);
		}
	}
	if (!rc && is_object && l.n == 0) {
		strv_add(&sel->paths, &sel->n_paths, cr_xstrdup(arg));
	} else if (!rc) {
		rc = cr_export_select(&l, read_s3_manifest, NULL, allow_partial, sel, err);
		if (!rc && sel->n_paths == before && !(sel->partial && !partial))
			rc = cr_error_set(err, CR_EXIT_INPUT, "%s holds no billing data files "
					  "(*.csv, *.csv.gz, *.csv.zip, *.parquet)", arg);
	}
	cr_listing_free(&l);
	for (size_t r = 0; r < nroots; r++)
		free(roots[r]);
	return rc;
}

/* ---- the command-line inputs ------------------------------------------ */

struct ident {
	uint64_t dev, ino;
	const char *url;     /* S3 objects, standard input */
	size_t pos;
};

static int cmp_ident(const void *a, const void *b)
{
	const struct ident *x = a, *y = b;

	if (x->url || y->url) {
		int c = x->url && y->url ? strcmp(x->url, y->url) : (x->url ? 1 : -1);
		if (c)
			return c;
	} else if (x->dev != y->dev) {
		return x->dev < y->dev ? -1 : 1;
	} else if (x->ino != y->ino) {
		return x->ino < y->ino ? -1 : 1;
	}
	return x->pos < y->pos ? -1 : x->pos > y->pos;
}

/* Keeps the first of the paths that are one file (device and inode, or
 * the same URL), in order. */
static void drop_duplicates(cr_selection *sel)
{
	struct ident *id = cr_xcalloc(sel->n_paths + 1, sizeof *id);
	bool *drop = cr_xcalloc(sel->n_paths + 1, sizeof *drop);
	size_t out = 0;

	for (size_t i = 0; i < sel->n_paths; i++) {
		struct stat st;
		id[i].pos = i;
		if (!cr_s3_is_url(sel->paths[i]) && strcmp(sel->paths[i], "-") &&
		    stat(sel->paths[i], &st) == 0) {
			id[i].dev = st.st_dev;
			id[i].ino = st.st_ino;
		} else {
			id[i].url = sel->paths[i];
		}
	}
	qsort(id, sel->n_paths, sizeof *id, cmp_ident);
	for (size_t i = 1; i < sel->n_paths; i++) {
		struct ident a = id[i - 1], b = id[i];
		a.pos = b.pos = 0;
		if (cmp_ident(&a, &b) == 0 && !(b.url && strcmp(b.url, "-") == 0))
			drop[id[i].pos] = true;
	}
	for (size_t i = 0; i < sel->n_paths; i++) {
		if (drop[i]) {
			free(sel->paths[i]);
			sel->duplicates++;
		} else {
			sel->paths[out++] = sel->paths[i];
		}
	}
	sel->n_paths = out;
	free(id);
	free(drop);
}

int cr_exports_expand(char *const *args, size_t nargs, bool allow_partial,
		      cr_selection *sel, cr_error *err)
{
	memset(sel, 0, sizeof *sel);
	for (size_t i = 0; i < nargs; i++) {
		struct stat st;
		int rc = 0;

		if (strcmp(args[i], "-") == 0) {
			strv_add(&sel->paths, &sel->n_paths, cr_xstrdup("-"));
		} else if (cr_s3_is_url(args[i])) {
			rc = expand_s3(args[i], allow_partial, sel, err);
		} else if (stat(args[i], &st) != 0) {
			rc = cr_error_errno(err, CR_EXIT_INPUT, errno, "cannot open '%s'", args[i]);
		} else if (S_ISDIR(st.st_mode)) {
			rc = expand_local_dir(args[i], allow_partial, sel, err);
		} else {
			strv_add(&sel->paths, &sel->n_paths, cr_xstrdup(args[i]));
		}
		if (rc) {
			cr_selection_free(sel);
			return -1;
		}
	}
	drop_duplicates(sel);
	return 0;
}

/* ---- completeness ------------------------------------------------------ */

struct span {
	cr_day start, end;       /* the range looked at */
	cr_day first, last;      /* days with rows in it; 0 when none */
};

static void span_see(struct span *s, cr_day day)
{
	if (day < s->start || day > s->end)
		return;
	if (!s->first || day < s->first)
		s->first = day;
	if (day > s->last)
		s->last = day;
}

static bool span_whole(const struct span *s)
{
	return s->first == s->start && s->last == s->end;
}

static void coverage_note(cr_coverage *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void coverage_note(cr_coverage *c, const char *fmt, ...)
{
	char *s = NULL;
	va_list ap;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) < 0)
		s = cr_xstrdup(_("the data covers the period in part"));
	va_end(ap);
	strv_add(&c->notes, &c->n_notes, s);
}

void cr_coverage_check(const cr_ledger *l, const cr_period *p, const cr_selection *sel,
		       cr_coverage *c)
{
	size_t n, nm = sel ? sel->n_periods : 0;
	const cr_ledger_entry *e = cr_ledger_entries(l, &n);
	cr_period prev;
	struct span cur = { p->start, p->end, 0, 0 }, before;
	struct span *man = cr_xcalloc(nm + 1, sizeof *man);
	char label[32], d1[CR_DATE_STRLEN], d2[CR_DATE_STRLEN], d3[CR_DATE_STRLEN];

	memset(c, 0, sizeof *c);
	cr_period_previous(p, &prev);
	before = (struct span){ prev.start, prev.end, 0, 0 };
	for (size_t m = 0; m < nm; m++)
		man[m] = (struct span){ sel->periods[m].start, sel->periods[m].end, 0, 0 };
	for (size_t i = 0; i < n; i++) {
		span_see(&cur, e[i].key.day);
		span_see(&before, e[i].key.day);
		for (size_t m = 0; m < nm; m++)
			span_see(&man[m], e[i].key.day);
	}
	cr_period_label(p, label, sizeof label);
	if (cur.last && !span_whole(&cur)) {
		cr_day_format(cur.first, d1);
		cr_day_format(cur.last, d2);
		cr_day_format(cur.end, d3);
		coverage_note(c, _("%s is covered in part: the data runs from %s through %s (the "
				   "period ends %s); figures are partial and the change against the "
				   "previous period is not comparable"), label, d1, d2, d3);
		c->partial = c->not_comparable = true;
	}
	if (before.last && !span_whole(&before)) {
		cr_period_label(&prev, label, sizeof label);
		cr_day_format(before.first, d1);
		cr_day_format(before.last, d2);
		coverage_note(c, _("the previous period %s is covered in part (%s through %s): the "
				   "change against it is not comparable"), label, d1, d2);
		c->not_comparable = true;
	}
	for (size_t m = 0; m < nm; m++) {
		const cr_export_period *ep = &sel->periods[m];
		bool in_cur = ep->end >= p->start && ep->start <= p->end;
		bool in_prev = ep->end >= prev.start && ep->start <= prev.end;
		if (!ep->from_manifest || !(in_cur || in_prev) || man[m].last == ep->end)
			continue;
		/* said already for the whole period */
		if ((in_cur && c->partial && ep->start == p->start && ep->end == p->end))
			continue;
		cr_day_format(ep->start, d1);
		cr_day_format(ep->end, d2);
		if (man[m].last) {
			cr_day_format(man[m].last, d3);
			coverage_note(c, _("%s: the manifest declares the billing period %s through "
					   "%s but its rows end on %s: figures for it are partial"),
				      ep->folder, d1, d2, d3);
		} else {
			coverage_note(c, _("%s: the manifest declares the billing period %s through "
					   "%s but its rows are none: figures for it are partial"),
				      ep->folder, d1, d2);
		}
		c->not_comparable = true;
		if (in_cur)
			c->partial = true;
	}
	free(man);
}

void cr_coverage_free(cr_coverage *c)
{
	for (size_t i = 0; i < c->n_notes; i++)
		free(c->notes[i]);
	free(c->notes);
	memset(c, 0, sizeof *c);
}
