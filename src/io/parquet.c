/* parquet.c - opening a Parquet file: the footer and the schema (parquet.h) */
#include "costrank/parquet.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "costrank/buf.h"
#include "io/parquet_internal.h"
#include "io/thrift.h"

#define FOOTER_MAX (64 << 20)   /* a footer bigger than this is refused */
#define SCHEMA_MAX 100000        /* schema elements */
#define NEST_MAX 16              /* nesting of groups */

bool cr_pq_magic(const void *p, size_t n)
{
	return n >= 4 && memcmp(p, "PAR1", 4) == 0;
}

/* A local file, read by offset. */
struct pq_local {
	int fd;
	const char *name;
};

static int pread_all(void *ctx, int64_t offset, size_t len, void *buf, cr_error *err)
{
	struct pq_local *f = ctx;
	char *p = buf;

	while (len) {
		ssize_t got = pread(f->fd, p, len, (off_t)offset);
		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return cr_error_set(err, CR_EXIT_INPUT, "%s: %s", f->name, strerror(errno));
		if (got == 0)
			return cr_error_set(err, CR_EXIT_INPUT, "%s: file shrank while being read",
					    f->name);
		p += got;
		len -= (size_t)got;
		offset += got;
	}
	return 0;
}

/* A buffer in memory. */
struct pq_mem {
	const uint8_t *p;
	size_t n;
	const char *name;
};

static int mem_read(void *ctx, int64_t offset, size_t len, void *buf, cr_error *err)
{
	const struct pq_mem *m = ctx;

	if (offset < 0 || (uint64_t)offset > m->n || len > m->n - (size_t)offset)
		return cr_error_set(err, CR_EXIT_INPUT, "%s: read past the end", m->name);
	memcpy(buf, m->p + offset, len);
	return 0;
}

/* ---- schema --------------------------------------------------------------- */

struct selem {
	char *name;
	int type;              /* -1 for a group */
	int type_length;
	int repetition;        /* 0 required, 1 optional, 2 repeated, -1 unset */
	int num_children;
	int converted;         /* -1 unset */
	int scale;
	int logical;           /* LogicalType union member, 0 unset */
	int logical_scale;
	int ts_unit;           /* 1 millis, 2 micros, 3 nanos */
	bool int_signed;
};

static void parse_timeunit(tc_reader *t, struct selem *e)
{
	int id = 0, last = 0, type;

	while ((type = tc_field(t, &id, &last)) != TC_STOP) {
		if (type == TC_STRUCT && id >= 1 && id <= 3)
			e->ts_unit = id;
		tc_skip(t, type);
	}
}

static void parse_logical(tc_reader *t, struct selem *e)
{
	int id = 0, last = 0, type;

	while ((type = tc_field(t, &id, &last)) != TC_STOP) {
		if (type != TC_STRUCT) {
			tc_skip(t, type);
			continue;
		}
		e->logical = id;
		int sid = 0, slast = 0, st;
		while ((st = tc_field(t, &sid, &slast)) != TC_STOP) {
			if (id == 5 && sid == 1 && st == TC_I32)
				e->logical_scale = tc_i32(t);
			else if (id == 8 && sid == 2 && st == TC_STRUCT)
				parse_timeunit(t, e);
			else if (id == 10 && sid == 2 && (st == TC_TRUE || st == TC_FALSE))
				e->int_signed = st == TC_TRUE;
			else
				tc_skip(t, st);
		}
	}
}

static void parse_selem(tc_reader *t, struct selem *e)
{
	int id = 0, last = 0, type;
	size_t len;
	const uint8_t *s;

	memset(e, 0, sizeof *e);
	e->type = -1;
	e->repetition = -1;
	e->converted = -1;
	e->int_signed = true;
	while ((type = tc_field(t, &id, &last)) != TC_STOP) {
		if (id == 1 && type == TC_I32)
			e->type = tc_i32(t);
		else if (id == 2 && type == TC_I32)
			e->type_length = tc_i32(t);
		else if (id == 3 && type == TC_I32)
			e->repetition = tc_i32(t);
		else if (id == 4 && type == TC_BINARY && !e->name) {
			s = tc_binary(t, &len);
			e->name = cr_xmalloc(len + 1);
			if (len)
				memcpy(e->name, s, len);
			e->name[len] = '\0';
		} else if (id == 5 && type == TC_I32)
			e->num_children = tc_i32(t);
		else if (id == 6 && type == TC_I32)
			e->converted = tc_i32(t);
		else if (id == 7 && type == TC_I32)
			e->scale = tc_i32(t);
		else if (id == 10 && type == TC_STRUCT)
			parse_logical(t, e);
		else
			tc_skip(t, type);
	}
}

/* How a leaf's values read as text, from its types. */
static int leaf_text(const struct selem *e, struct pq_leaf *lf)
{
	bool decimal = e->logical == 5 || e->converted == 5;
	int unit = e->logical == 8 ? e->ts_unit : e->converted == 9 ? 1 : e->converted == 10 ? 2 : 0;

	lf->scale = e->logical == 5 ? e->logical_scale : e->scale;
	switch (e->type) {
	case PQ_BOOLEAN: return TX_BOOL;
	case PQ_INT32: case PQ_INT64:
		if (decimal)
			return TX_DECIMAL;
		if (e->logical == 6 || e->converted == 6)
			return TX_DATE;
		if (unit && e->type == PQ_INT64) {
			lf->ts_per_sec = unit == 1 ? 1000 : unit == 2 ? 1000000 : 1000000000;
			return TX_TIMESTAMP;
		}
		if ((e->logical == 10 && !e->int_signed) ||
		    (e->converted >= 11 && e->converted <= 14))
			return TX_UINT;
		return TX_INT;
	case PQ_INT96: return TX_INT96;
	case PQ_FLOAT: return TX_FLOAT;
	case PQ_DOUBLE: return TX_DOUBLE;
	default:
		return decimal ? TX_DECIMAL : TX_BYTES;
	}
}

struct walk {
	struct selem *el;
	size_t nel, next;
	cr_pq_file *f;
	size_t cap_leaves;
	cr_buf path;
	bool bad;
	const char *why;
};

static void walk_node(struct walk *w, int def, int rep, int entry_def, int depth)
{
	struct selem *e;
	size_t plen = w->path.len;

	if (w->bad || w->next >= w->nel || depth > NEST_MAX) {
		w->bad = true;
		w->why = depth > NEST_MAX ? "schema nested too deeply" : "schema ends early";
		return;
	}
	e = &w->el[w->next++];
	if (e->repetition == 1)
		def++;
	else if (e->repetition == 2) {
		def++;
		rep++;
		entry_def = def;
	}
	if (plen)
		cr_buf_addc(&w->path, '.');
	cr_buf_adds(&w->path, e->name ? e->name : "");
	if (e->num_children > 0) {
		if (e->num_children > SCHEMA_MAX)
			w->bad = true;
		for (int i = 0; i < e->num_children && !w->bad; i++)
			walk_node(w, def, rep, entry_def, depth + 1);
	} else {
		struct pq_leaf *lf;
		if (e->type < PQ_BOOLEAN || e->type > PQ_FLBA ||
		    (e->type == PQ_FLBA && (e->type_length <= 0 || e->type_length > 1 << 20))) {
			w->bad = true;
			w->why = "a leaf of the schema has no valid physical type";
			return;
		}
		if (w->f->nleaves == w->cap_leaves) {
			w->cap_leaves = w->cap_leaves ? 2 * w->cap_leaves : 32;
			w->f->leaves = cr_xrealloc(w->f->leaves, w->cap_leaves * sizeof *w->f->leaves);
		}
		lf = &w->f->leaves[w->f->nleaves++];
		memset(lf, 0, sizeof *lf);
		lf->path = cr_xmalloc(w->path.len + 1);
		memcpy(lf->path, w->path.ptr, w->path.len + 1);
		lf->type = e->type;
		lf->type_length = e->type_length;
		lf->text = leaf_text(e, lf);
		lf->max_def = def;
		lf->max_rep = rep;
		lf->entry_def = entry_def;
		lf->required = e->repetition == 0;
	}
	w->path.len = plen;
	w->path.ptr[plen] = '\0';
}

static int build_schema(cr_pq_file *f, struct selem *el, size_t nel, cr_error *err)
{
	struct walk w = { .el = el, .nel = nel, .next = 1, .f = f };
	size_t ntop;

	if (nel == 0 || el[0].num_children <= 0)
		return cr_error_set(err, CR_EXIT_INPUT, "%s: Parquet schema has no columns", f->name);
	ntop = (size_t)el[0].num_children;
	if (ntop > nel)
		return cr_error_set(err, CR_EXIT_INPUT, "%s: Parquet schema is malformed", f->name);
	f->columns = cr_xcalloc(ntop, sizeof *f->columns);
	f->fields = cr_xcalloc(ntop, sizeof *f->fields);
	for (size_t i = 0; i < ntop && !w.bad; i++) {
		struct pq_column *c = &f->columns[i];
		const struct selem *e;
		size_t first = f->nleaves;

		if (w.next >= nel) {
			w.bad = true;
			break;
		}
		e = &el[w.next];
		c->name = cr_xmalloc(strlen(e->name ? e->name : "") + 1);
		strcpy(c->name, e->name ? e->name : "");
		f->ncolumns = i + 1;
		walk_node(&w, 0, 0, 0, 0);
		if (w.bad)
			break;
		c->leaf = first;
		c->nleaves = f->nleaves - first;
		f->fields[i].ptr = c->name;
		f->fields[i].len = strlen(c->name);
		if (c->nleaves == 1 && f->leaves[first].max_rep == 0)
			c->shape = SHAPE_FLAT;
		else if (c->nleaves == 1 && f->leaves[first].max_rep == 1)
			c->shape = SHAPE_LIST;
		else if (c->nleaves == 2 && f->leaves[first].max_rep == 1 &&
			 f->leaves[first + 1].max_rep == 1 && e->num_children == 1 &&
			 f->leaves[first].entry_def == f->leaves[first + 1].entry_def)
			c->shape = SHAPE_MAP;
		else
			c->shape = SHAPE_OTHER;
	}
	cr_buf_release(&w.path);
	if (w.bad || w.next != nel)
		return cr_error_set(err, CR_EXIT_INPUT, "%s: Parquet schema is malformed (%s)",
				    f->name, w.why ? w.why : "element count does not add up");
	return 0;
}

/* ---- row groups ------------------------------------------------------------ */

static void parse_colmeta(tc_reader *t, struct pq_chunk *c, int64_t *data_off,
			  int64_t *dict_off)
{
	int id = 0, last = 0, type;

	while ((type = tc_field(t, &id, &last)) != TC_STOP) {
		if (id == 1 && type == TC_I32)
			c->type = tc_i32(t);
		else if (id == 4 && type == TC_I32)
			c->codec = tc_i32(t);
		else if (id == 5 && type == TC_I64)
			c->num_values = tc_i64(t);
		else if (id == 7 && type == TC_I64)
			c->size = tc_i64(t);
		else if (id == 9 && type == TC_I64)
			*data_off = tc_i64(t);
		else if (id == 11 && type == TC_I64)
			*dict_off = tc_i64(t);
		else
			tc_skip(t, type);
	}
}

/* A ColumnChunk; returns a reason it cannot be read, or NULL. */
static const char *parse_chunk(tc_reader *t, struct pq_chunk *c)
{
	int id = 0, last = 0, type;
	int64_t data_off = -1, dict_off = -1;
	const char *why = NULL;
	bool meta = false;

	c->type = -1;
	c->size = -1;
	while ((type = tc_field(t, &id, &last)) != TC_STOP) {
		if (id == 1 && type == TC_BINARY) {
			size_t len;
			tc_binary(t, &len);
			if (len)
				why = "column data in another file (file_path) is not supported";
		} else if (id == 3 && type == TC_STRUCT) {
			parse_colmeta(t, c, &data_off, &dict_off);
			meta = true;
		} else if (id == 8 || id == 9) {
			why = "encrypted columns are not supported";
			tc_skip(t, type);
		} else {
			tc_skip(t, type);
		}
	}
	if (!why && !meta)
		why = "column chunk without metadata";
	c->start = dict_off > 0 && dict_off < data_off ? dict_off : data_off;
	return why;
}

struct footer_ctx {
	cr_pq_file *f;
	cr_error *err;
	size_t cap_groups;
};

static int parse_row_group(tc_reader *t, struct footer_ctx *fc, size_t g)
{
	cr_pq_file *f = fc->f;
	struct pq_row_group *rg = &f->groups[g];
	int id = 0, last = 0, type;
	bool have_cols = false;

	rg->num_rows = -1;
	while ((type = tc_field(t, &id, &last)) != TC_STOP) {
		if (id == 1 && type == TC_LIST && !have_cols) {
			uint32_t n;
			int et = tc_list(t, &n);
			have_cols = true;
			if (t->bad)
				break;
			if (et != TC_STRUCT || n != f->nleaves)
				return cr_error_set(fc->err, CR_EXIT_INPUT,
						    "%s: row group %zu has %u column chunks, the schema "
						    "%zu columns", f->name, g + 1, n, f->nleaves);
			rg->chunks = cr_xcalloc(f->nleaves ? f->nleaves : 1, sizeof *rg->chunks);
			for (uint32_t i = 0; i < n && !t->bad; i++) {
				const char *why = parse_chunk(t, &rg->chunks[i]);
				if (t->bad)
					break;
				if (why)
					return cr_error_set(fc->err, CR_EXIT_INPUT,
							    "%s: row group %zu, column %s: %s", f->name,
							    g + 1, f->leaves[i].path, why);
			}
		} else if (id == 3 && type == TC_I64) {
			rg->num_rows = tc_i64(t);
		} else {
			tc_skip(t, type);
		}
	}
	if (t->bad)
		return 0;   /* reported by the caller */
	if (!have_cols || rg->num_rows < 0)
		return cr_error_set(fc->err, CR_EXIT_INPUT, "%s: row group %zu lacks %s", f->name,
				    g + 1, have_cols ? "its row count" : "its columns");
	return 0;
}

static int parse_footer(cr_pq_file *f, const uint8_t *buf, size_t len, int64_t data_end,
			cr_error *err)
{
	tc_reader t = { buf, buf + len, false, 0 };
	struct footer_ctx fc = { f, err, 0 };
	struct selem *el = NULL;
	size_t nel = 0;
	int id = 0, last = 0, type, rc = 0;
	bool have_schema = false;
	uint8_t *groups_at = NULL;
	uint32_t ngroups = 0;

	/* the schema (field 2) must be known before the row groups (field 4);
	 * writers put it first, but the order is not guaranteed: find both */
	while (!rc && (type = tc_field(&t, &id, &last)) != TC_STOP) {
		if (id == 2 && type == TC_LIST && !have_schema) {
			uint32_t n;
			int et = tc_list(&t, &n);
			have_schema = true;
			if (et != TC_STRUCT || n > SCHEMA_MAX) {
				t.bad = true;
				break;
			}
			el = cr_xcalloc(n ? n : 1, sizeof *el);
			for (uint32_t i = 0; i < n && !t.bad; i++) {
				parse_selem(&t, &el[i]);
				nel = i + 1;
			}
		} else if (id == 3 && type == TC_I64) {
			f->num_rows = tc_i64(&t);
		} else if (id == 4 && type == TC_LIST && !groups_at) {
			groups_at = (uint8_t *)t.p;
			tc_skip(&t, type);
		} else {
			tc_skip(&t, type);
		}
	}
	if (!t.bad && !have_schema)
		rc = cr_error_set(err, CR_EXIT_INPUT, "%s: Parquet footer has no schema", f->name);
	if (!rc && !t.bad)
		rc = build_schema(f, el, nel, err);
	if (!rc && !t.bad && groups_at) {
		tc_reader g = { groups_at, buf + len, false, 0 };
		int et = tc_list(&g, &ngroups);
		if (et != TC_STRUCT && ngroups)
			g.bad = true;
		f->groups = cr_xcalloc(ngroups ? ngroups : 1, sizeof *f->groups);
		for (uint32_t i = 0; i < ngroups && !rc && !g.bad; i++) {
			f->ngroups = i + 1;
			rc = parse_row_group(&g, &fc, i);
		}
		t.bad |= g.bad;
	}
	for (size_t i = 0; i < nel; i++)
		free(el[i].name);
	free(el);
	if (rc)
		return -1;
	if (t.bad)
		return cr_error_set(err, CR_EXIT_INPUT, "%s: Parquet footer is malformed", f->name);
	/* every chunk must lie within the data, of the schema's type */
	int64_t total = 0;
	for (size_t g = 0; g < f->ngroups; g++) {
		const struct pq_row_group *rg = &f->groups[g];
		for (size_t i = 0; i < f->nleaves; i++) {
			const struct pq_chunk *c = &rg->chunks[i];
			const char *why = NULL;
			if (c->type != f->leaves[i].type)
				why = "its type differs from the schema's";
			else if (c->start < 4 || c->size < 0 || c->start > data_end ||
				 c->size > data_end - c->start)
				why = "its pages lie outside the file";
			else if (c->num_values < 0)
				why = "negative value count";
			if (why)
				return cr_error_set(err, CR_EXIT_INPUT, "%s: row group %zu, column %s: %s",
						    f->name, g + 1, f->leaves[i].path, why);
		}
		if (__builtin_add_overflow(total, rg->num_rows, &total))
			return cr_error_set(err, CR_EXIT_INPUT, "%s: row counts overflow", f->name);
	}
	f->num_rows = total;
	return 0;
}

cr_pq_file *cr_pq_open_source(const char *name, int64_t size, cr_pq_read_fn *read,
			      void *ctx, cr_error *err)
{
	cr_pq_file *f = cr_xcalloc(1, sizeof *f);
	uint8_t tail[8], head[4];
	uint8_t *footer = NULL;
	uint32_t flen;

	f->name = cr_xmalloc(strlen(name) + 1);
	strcpy(f->name, name);
	f->size = size;
	f->read = read;
	f->ctx = ctx;
	if (size < 12) {
		cr_error_set(err, CR_EXIT_INPUT, "%s: truncated Parquet file (%lld bytes)", name,
			     (long long)size);
		goto fail;
	}
	if (read(f->ctx, 0, 4, head, err) || read(f->ctx, size - 8, 8, tail, err))
		goto fail;
	if (memcmp(tail + 4, "PARE", 4) == 0) {
		cr_error_set(err, CR_EXIT_INPUT, "%s: encrypted Parquet files are not supported", name);
		goto fail;
	}
	if (!cr_pq_magic(head, 4) || !cr_pq_magic(tail + 4, 4)) {
		cr_error_set(err, CR_EXIT_INPUT, "%s: not a Parquet file or truncated "
			     "(no PAR1 magic at %s)", name, cr_pq_magic(head, 4) ? "the end" : "the start");
		goto fail;
	}
	flen = (uint32_t)tail[0] | (uint32_t)tail[1] << 8 | (uint32_t)tail[2] << 16 |
	       (uint32_t)tail[3] << 24;
	if (flen == 0 || (int64_t)flen > size - 12 || flen > FOOTER_MAX) {
		cr_error_set(err, CR_EXIT_INPUT, "%s: Parquet footer length %u does not fit the "
			     "file (%lld bytes)", name, flen, (long long)size);
		goto fail;
	}
	footer = cr_xmalloc(flen);
	if (read(f->ctx, size - 8 - flen, flen, footer, err))
		goto fail;
	if (parse_footer(f, footer, flen, size - 8 - flen, err))
		goto fail;
	free(footer);
	return f;
fail:
	free(footer);
	cr_pq_close(f);
	return NULL;
}

cr_pq_file *cr_pq_open(const char *path, cr_error *err)
{
	struct stat st;
	struct pq_local *loc;
	cr_pq_file *f;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0) {
		cr_error_set(err, CR_EXIT_INPUT, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		cr_error_set(err, CR_EXIT_INPUT, "%s: not a regular file (Parquet is read by offset)",
			     path);
		close(fd);
		return NULL;
	}
	loc = cr_xmalloc(sizeof *loc);
	loc->fd = fd;
	loc->name = path;
	f = cr_pq_open_source(path, (int64_t)st.st_size, pread_all, loc, err);
	if (!f) {
		close(fd);
		free(loc);
		return NULL;
	}
	loc->name = f->name;
	f->local = loc;
	return f;
}

cr_pq_file *cr_pq_open_memory(const char *name, const void *data, size_t size, cr_error *err)
{
	struct pq_mem *m = cr_xmalloc(sizeof *m);
	cr_pq_file *f;

	m->p = data;
	m->n = size;
	m->name = name;
	f = cr_pq_open_source(name, (int64_t)size, mem_read, m, err);
	if (!f) {
		free(m);
		return NULL;
	}
	m->name = f->name;
	f->mem = m;
	return f;
}

void cr_pq_close(cr_pq_file *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < f->nleaves; i++)
		free(f->leaves[i].path);
	for (size_t i = 0; i < f->ncolumns; i++)
		free(f->columns[i].name);
	for (size_t g = 0; g < f->ngroups; g++)
		free(f->groups[g].chunks);
	if (f->local) {
		close(f->local->fd);
		free(f->local);
	}
	free(f->mem);
	free(f->leaves);
	free(f->columns);
	free(f->fields);
	free(f->groups);
	free(f->name);
	free(f);
}

size_t cr_pq_ncolumns(const cr_pq_file *f) { return f->ncolumns; }
const char *cr_pq_column_name(const cr_pq_file *f, size_t col) { return f->columns[col].name; }
const cr_field *cr_pq_column_fields(const cr_pq_file *f) { return f->fields; }
bool cr_pq_column_is_map(const cr_pq_file *f, size_t col)
{
	return f->columns[col].shape == SHAPE_MAP;
}
size_t cr_pq_nrow_groups(const cr_pq_file *f) { return f->ngroups; }
int64_t cr_pq_num_rows(const cr_pq_file *f) { return f->num_rows; }
int64_t cr_pq_row_group_rows(const cr_pq_file *f, size_t rg) { return f->groups[rg].num_rows; }
