/* parquet_rows.c - the rows of a row group: pages, levels, encodings,
 * codecs and the text of values (parquet.h) */
#include "costrank/parquet.h"

#include <lz4.h>
#include <math.h>
#include <snappy-c.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>
#include <zstd_errors.h>

#include "costrank/buf.h"
#include "costrank/date.h"
#include "costrank/decimal.h"
#include "io/parquet_internal.h"
#include "io/thrift.h"

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
#error "the Parquet reader assumes a little-endian host"
#endif

#define BATCH 1024                        /* rows per cr_pq_rows_next */
#define PAGE_MAX (256u << 20)             /* largest page accepted, decompressed */
#define CHUNK_MAX ((int64_t)1 << 30)      /* largest column chunk accepted */
#define BLOCK 65536                       /* arena block */
#define PAGE_VALUES_MAX (1 << 24)         /* most level entries in one page */

static const char *const codec_names[] = {
	"UNCOMPRESSED", "SNAPPY", "GZIP", "LZO", "BROTLI", "LZ4", "ZSTD", "LZ4_RAW"
};

/* ---- an arena of NUL-terminated texts, emptied per batch -------------------- */

struct block {
	struct block *next;
	size_t cap, used;
	char data[];
};

struct arena {
	struct block *first, *cur;
};

static char *arena_alloc(struct arena *a, size_t n)
{
	struct block *b = a->cur, *nb;
	char *p;

	if (b && b->cap - b->used >= n)
		goto have;
	while (b && b->next) {
		b = b->next;
		b->used = 0;
		if (b->cap >= n) {
			a->cur = b;
			goto have;
		}
	}
	nb = cr_xmalloc(sizeof *nb + (n > BLOCK ? n : BLOCK));
	nb->next = NULL;
	nb->cap = n > BLOCK ? n : BLOCK;
	nb->used = 0;
	if (b)
		b->next = nb;
	else
		a->first = nb;
	a->cur = b = nb;
have:
	p = b->data + b->used;
	b->used += n;
	return p;
}

static void arena_reset(struct arena *a)
{
	a->cur = a->first;
	if (a->first)
		a->first->used = 0;
}

static void arena_free(struct arena *a)
{
	for (struct block *b = a->first, *next; b; b = next) {
		next = b->next;
		free(b);
	}
	a->first = a->cur = NULL;
}

static const char *arena_copy(struct arena *a, const void *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	if (n)
		memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

/* ---- bits ------------------------------------------------------------------ */

static inline uint64_t le_load(const uint8_t *p, size_t n)
{
	uint64_t v = 0;
	if (n >= 8) {
		memcpy(&v, p, 8);
		return v;
	}
	memcpy(&v, p, n);
	return v;
}

/* width bits (0..64) at bit offset `bit` of p[0..len); false when past the end. */
static inline bool get_bits(const uint8_t *p, size_t len, uint64_t bit, int width, uint64_t *out)
{
	uint64_t byte = bit >> 3;
	int shift = (int)(bit & 7);
	uint64_t v, need = ((uint64_t)shift + (uint64_t)width + 7) / 8;

	if (width == 0) {
		*out = 0;
		return true;
	}
	if (byte > len || need > len - byte)
		return false;
	v = le_load(p + byte, (size_t)(len - byte)) >> shift;
	if (shift + width > 64)
		v |= (uint64_t)p[byte + 8] << (64 - shift);
	*out = width == 64 ? v : v & ((UINT64_C(1) << width) - 1);
	return true;
}

static int bit_width(int max)
{
	int w = 0;
	while (max >> w)
		w++;
	return w;
}

/* ---- the RLE / bit-packed hybrid ------------------------------------------- */

struct rle {
	const uint8_t *p, *end;
	int width;
	uint32_t left;          /* values left in the current run */
	bool packed;
	uint32_t value;         /* of an RLE run */
	const uint8_t *bits;    /* of a bit-packed run */
	size_t bits_len;
	uint32_t bit_i;
};

static void rle_init(struct rle *r, const uint8_t *p, size_t n, int width)
{
	memset(r, 0, sizeof *r);
	r->p = p;
	r->end = p + n;
	r->width = width;
}

/* The next value: 0, or -1 when the data runs out or is malformed. */
static inline int rle_next(struct rle *r, uint32_t *out)
{
	while (r->left == 0) {
		tc_reader t = { r->p, r->end, false, 0 };
		uint64_t h;

		if (r->p >= r->end)
			return -1;
		h = tc_varint(&t);
		if (t.bad)
			return -1;
		r->p = t.p;
		if (h & 1) {
			uint64_t groups = h >> 1, bytes, avail = (uint64_t)(r->end - r->p), count;
			if (r->width == 0) {
				count = groups * 8;
				bytes = 0;
			} else {
				bytes = groups > avail ? avail : groups * (uint64_t)r->width;
				if (bytes > avail)
					bytes = avail;
				count = bytes * 8 / (uint64_t)r->width;
				if (count > groups * 8)
					count = groups * 8;
			}
			r->packed = true;
			r->bits = r->p;
			r->bits_len = (size_t)bytes;
			r->bit_i = 0;
			r->left = count > (1u << 31) ? 1u << 31 : (uint32_t)count;
			r->p += bytes;
		} else {
			size_t nb = (size_t)(r->width + 7) / 8;
			if ((size_t)(r->end - r->p) < nb)
				return -1;
			r->packed = false;
			r->value = (uint32_t)le_load(r->p, nb);
			r->left = (h >> 1) > (1u << 31) ? 1u << 31 : (uint32_t)(h >> 1);
			r->p += nb;
		}
	}
	r->left--;
	if (!r->packed) {
		*out = r->value;
		return 0;
	}
	uint64_t v;
	if (!get_bits(r->bits, r->bits_len, (uint64_t)r->bit_i++ * (uint64_t)r->width, r->width, &v))
		return -1;
	*out = (uint32_t)v;
	return 0;
}

/* Decodes up to n values of at most max into out; returns how many were
 * valid (fewer than n when the data runs out or holds a bigger value). */
static int64_t rle_bulk(struct rle *r, uint8_t *out, int64_t n, uint32_t max)
{
	int64_t i = 0;
	uint32_t v;

	while (i < n) {
		if (r->left && !r->packed) {
			int64_t take = (int64_t)r->left < n - i ? (int64_t)r->left : n - i;
			if (r->value > max)
				return i;
			memset(out + i, (int)r->value, (size_t)take);
			r->left -= (uint32_t)take;
			i += take;
			continue;
		}
		if (r->left && r->packed && r->width <= 8) {
			/* a bit-packed run: each value within two bytes of the run */
			int64_t take = (int64_t)r->left < n - i ? (int64_t)r->left : n - i;
			uint64_t bit = (uint64_t)r->bit_i * (uint64_t)r->width;
			uint32_t mask = (1u << r->width) - 1;
			for (int64_t k = 0; k < take; k++, bit += (uint64_t)r->width) {
				size_t byte = (size_t)(bit >> 3);
				uint32_t w = r->bits[byte];
				if (byte + 1 < r->bits_len)
					w |= (uint32_t)r->bits[byte + 1] << 8;
				v = (w >> (bit & 7)) & mask;
				if (v > max)
					return i + k;
				out[i + k] = (uint8_t)v;
			}
			r->bit_i += (uint32_t)take;
			r->left -= (uint32_t)take;
			i += take;
			continue;
		}
		if (rle_next(r, &v) || v > max)
			return i;
		out[i++] = (uint8_t)v;
	}
	return i;
}

/* ---- DELTA_BINARY_PACKED ---------------------------------------------------- */

/*
 * Decodes a DELTA_BINARY_PACKED stream of at most max values into a
 * malloced array; *p moves past it.  Returns the count, or -1 when
 * malformed.
 */
static int64_t dbp_decode(const uint8_t **p, const uint8_t *end, int64_t max, int64_t **out)
{
	tc_reader t = { *p, end, false, 0 };
	uint64_t block = tc_varint(&t), minis = tc_varint(&t), total = tc_varint(&t);
	int64_t first = tc_i64(&t), *v;
	uint64_t per_mini, n = 0;

	*out = NULL;
	if (t.bad || block == 0 || block % 128 || minis == 0 || block % minis ||
	    (per_mini = block / minis) % 32 || total > (uint64_t)max || block > 1u << 20)
		return -1;
	v = cr_xmalloc((total ? total : 1) * sizeof *v);
	if (total)
		v[n++] = first;
	while (n < total) {
		int64_t min_delta = tc_i64(&t);
		const uint8_t *widths = t.p;
		if (t.bad || (uint64_t)(end - t.p) < minis)
			goto bad;
		t.p += minis;
		for (uint64_t m = 0; m < minis && n < total; m++) {
			int w = widths[m];
			uint64_t bytes = per_mini * (uint64_t)w / 8;
			if (w > 64 || bytes > (uint64_t)(end - t.p))
				goto bad;
			for (uint64_t i = 0; i < per_mini && n < total; i++) {
				uint64_t d = 0;
				if (!get_bits(t.p, (size_t)bytes, i * (uint64_t)w, w, &d))
					goto bad;
				v[n] = (int64_t)((uint64_t)v[n - 1] + (uint64_t)min_delta + d);
				n++;
			}
			t.p += bytes;
		}
	}
	*p = t.p;
	*out = v;
	return (int64_t)total;
bad:
	free(v);
	return -1;
}

/* ---- text of values --------------------------------------------------------- */

size_t cr_pq_double_text(double d, char *buf)
{
	static const double p10[] = {
		1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
		1e12, 1e13, 1e14, 1e15, 1e16, 1e17
	};
	double a = fabs(d);

	if (isnan(d))
		return (size_t)snprintf(buf, 32, "NaN");
	if (isinf(d))
		return (size_t)snprintf(buf, 32, d < 0 ? "-Infinity" : "Infinity");
	if (a == 0) {
		buf[0] = '0';
		buf[1] = '\0';
		return 1;
	}
	/*
	 * The fewest decimals k for which an integer m = a * 10^k reads back
	 * as a: below 2^50, m / 10^k is one correctly rounded division, and
	 * the interval of numbers that read back as a is narrower than 1/4
	 * at that scale, so only the nearest m can qualify.
	 */
	for (int k = 0; k < 18; k++) {
		double s = a * p10[k], m;
		if (s >= 1125899906842624.0)
			break;
		m = nearbyint(s);
		if (m / p10[k] == a) {
			char digits[24], *q = buf;
			uint64_t u = (uint64_t)m;
			int nd = 0;
			if (d < 0)
				*q++ = '-';
			do {
				digits[nd++] = (char)('0' + u % 10);
				u /= 10;
			} while (u);
			while (nd <= k)
				digits[nd++] = '0';
			for (int i = nd - 1; i >= 0; i--) {
				*q++ = digits[i];
				if (i == k && k > 0)
					*q++ = '.';
			}
			*q = '\0';
			return (size_t)(q - buf);
		}
	}
	for (int prec = 1; prec <= 17; prec++) {
		int n = snprintf(buf, 32, "%.*g", prec, d);
		if (strtod(buf, NULL) == d || prec == 17)
			return (size_t)n;
	}
	return 0;
}

static size_t float_text(float f, char *buf)
{
	if (isnan(f) || isinf(f) || f == 0)
		return cr_pq_double_text((double)f, buf);
	for (int prec = 1; prec <= 9; prec++) {
		int n = snprintf(buf, 32, "%.*g", prec, (double)f);
		if (strtof(buf, NULL) == f || prec == 9)
			return (size_t)n;
	}
	return 0;
}

/* An unscaled integer with `scale` decimals: "-12.3400"; buf of 64 bytes. */
static size_t i128_text(cr_i128 v, int scale, char *buf)
{
	char digits[48];
	int nd = 0;
	bool neg = v < 0;
	unsigned __int128 u = neg ? (unsigned __int128)0 - (unsigned __int128)v : (unsigned __int128)v;
	char *q = buf;

	do {
		digits[nd++] = (char)('0' + (int)(u % 10));
		u /= 10;
	} while (u);
	while (nd <= scale)
		digits[nd++] = '0';
	if (neg)
		*q++ = '-';
	for (int i = nd - 1; i >= 0; i--) {
		*q++ = digits[i];
		if (i == scale && scale > 0)
			*q++ = '.';
	}
	*q = '\0';
	return (size_t)(q - buf);
}

#define DAY_MIN (-354285)   /* 1000-01-01 */
#define DAY_MAX 2932896     /* 9999-12-31 */

static size_t day_time_text(int64_t day, int64_t sod, bool with_time, char *buf)
{
	int y, m, d;

	cr_day_to_ymd((cr_day)day, &y, &m, &d);
	if (!with_time)
		return (size_t)snprintf(buf, 32, "%04d-%02d-%02d", y, m, d);
	return (size_t)snprintf(buf, 32, "%04d-%02d-%02dT%02d:%02d:%02dZ", y, m, d,
				(int)(sod / 3600), (int)(sod / 60 % 60), (int)(sod % 60));
}

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;
	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* ---- column cursors ---------------------------------------------------------- */

struct cursor {
	const cr_pq_file *f;
	size_t rg;
	const struct pq_leaf *lf;
	const struct pq_chunk *ch;
	uint8_t *chunk;             /* the chunk's pages, as in the file */
	size_t chunk_len, pos;
	int64_t values_left;        /* level entries left in the chunk */
	/* the dictionary, its entries as text */
	cr_field *dict;
	size_t ndict;
	bool have_dict;
	struct arena dict_text;
	/* the current data page */
	uint8_t *page;              /* decompression buffer */
	size_t page_cap;
	int64_t page_left;          /* level entries left in the page */
	int64_t page_n;             /* level entries in the page */
	struct rle rep, def, idx;
	uint8_t *lv_rep, *lv_def;   /* the page's levels, decoded whole */
	size_t lv_cap;
	int64_t rep_ok, def_ok;     /* how many of them are valid */
	int enc;
	const uint8_t *vp, *vend;   /* the page's values */
	uint64_t bool_bit;
	/* DELTA_* pages are decoded whole */
	int64_t *ints;
	cr_field *strs;
	int64_t ndec, idec;
	struct arena dec_text;
	/* BYTE_STREAM_SPLIT */
	int64_t bss_n, bss_i;
	/* levels read ahead by cur_peek */
	bool have_levels;
	int next_rep, next_def;
	char tmp[16];
};

static int cur_fail(const struct cursor *c, cr_error *err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int cur_fail(const struct cursor *c, cr_error *err, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	return cr_error_set(err, CR_EXIT_INPUT, "%s: row group %zu, column %s: %s", c->f->name,
			    c->rg + 1, c->lf->path, msg);
}

/* The text of one value in its physical layout (raw, len bytes). */
static int value_text(struct cursor *c, const uint8_t *raw, size_t len, struct arena *a,
		      cr_field *out, cr_error *err)
{
	const struct pq_leaf *lf = c->lf;
	char buf[64];
	size_t n;

	switch (lf->text) {
	case TX_BYTES:
		out->ptr = arena_copy(a, raw, len);
		out->len = len;
		return 0;
	case TX_BOOL:
		n = (size_t)snprintf(buf, sizeof buf, "%s", raw[0] ? "true" : "false");
		break;
	case TX_INT:
		n = (size_t)snprintf(buf, sizeof buf, "%lld", lf->type == PQ_INT32 ?
				     (long long)(int32_t)le_load(raw, 4) : (long long)le_load(raw, 8));
		break;
	case TX_UINT:
		n = (size_t)snprintf(buf, sizeof buf, "%llu", lf->type == PQ_INT32 ?
				     (unsigned long long)(uint32_t)le_load(raw, 4) :
				     (unsigned long long)le_load(raw, 8));
		break;
	case TX_DECIMAL: {
		cr_i128 v;
		if (lf->type == PQ_INT32) {
			v = (int32_t)le_load(raw, 4);
		} else if (lf->type == PQ_INT64) {
			v = (int64_t)le_load(raw, 8);
		} else {
			/* big-endian two's complement, at most 128 bits of value */
			unsigned __int128 u = 0;
			size_t skip = len > 16 ? len - 16 : 0;
			bool neg = len && (raw[0] & 0x80);
			for (size_t i = 0; i < skip; i++)
				if (raw[i] != (neg ? 0xff : 0))
					return cur_fail(c, err, "decimal wider than 128 bits");
			for (size_t i = skip; i < len; i++)
				u = u << 8 | raw[i];
			if (len - skip < 16 && neg)
				u |= ~(unsigned __int128)0 << (8 * (len - skip));
			v = (cr_i128)u;
		}
		n = i128_text(v, lf->scale, buf);
		break;
	}
	case TX_DATE: {
		int64_t day = (int32_t)le_load(raw, 4);
		if (day < DAY_MIN || day > DAY_MAX)
			return cur_fail(c, err, "date %lld days from 1970 is out of range", (long long)day);
		n = day_time_text(day, 0, false, buf);
		break;
	}
	case TX_TIMESTAMP: {
		int64_t v = (int64_t)le_load(raw, 8), secs = floor_div(v, lf->ts_per_sec);
		int64_t day = floor_div(secs, 86400);
		if (day < DAY_MIN || day > DAY_MAX)
			return cur_fail(c, err, "timestamp %lld is out of range", (long long)v);
		n = day_time_text(day, secs - day * 86400, true, buf);
		break;
	}
	case TX_INT96: {
		int64_t nanos = (int64_t)le_load(raw, 8), jd = (int32_t)le_load(raw + 8, 4);
		int64_t day = jd - 2440588 + floor_div(nanos, INT64_C(86400000000000));
		int64_t sod = (nanos - floor_div(nanos, INT64_C(86400000000000)) *
			       INT64_C(86400000000000)) / 1000000000;
		if (day < DAY_MIN || day > DAY_MAX)
			return cur_fail(c, err, "INT96 timestamp out of range (Julian day %lld)",
					(long long)jd);
		n = day_time_text(day, sod, true, buf);
		break;
	}
	case TX_FLOAT: {
		float f;
		memcpy(&f, raw, 4);
		n = float_text(f, buf);
		break;
	}
	default: {
		double d;
		memcpy(&d, raw, 8);
		n = cr_pq_double_text(d, buf);
		break;
	}
	}
	out->ptr = arena_copy(a, buf, n);
	out->len = n;
	return 0;
}

/* Bytes of a fixed-width value; 0 for BYTE_ARRAY and BOOLEAN. */
static size_t fixed_width(const struct pq_leaf *lf)
{
	switch (lf->type) {
	case PQ_INT32: case PQ_FLOAT: return 4;
	case PQ_INT64: case PQ_DOUBLE: return 8;
	case PQ_INT96: return 12;
	case PQ_FLBA: return (size_t)lf->type_length;
	default: return 0;
	}
}

/* The next PLAIN value's bytes from [*p, end); false when they run out. */
static bool plain_next(const struct pq_leaf *lf, const uint8_t **p, const uint8_t *end,
		       uint64_t *bool_bit, const uint8_t **raw, size_t *len, uint8_t *tmp)
{
	size_t w;

	if (lf->type == PQ_BOOLEAN) {
		uint64_t byte = *bool_bit >> 3;
		if (byte >= (uint64_t)(end - *p))
			return false;
		tmp[0] = (uint8_t)(((*p)[byte] >> (*bool_bit & 7)) & 1);
		(*bool_bit)++;
		*raw = tmp;
		*len = 1;
		return true;
	}
	if (lf->type == PQ_BYTE_ARRAY) {
		uint32_t n;
		if ((size_t)(end - *p) < 4)
			return false;
		n = (uint32_t)le_load(*p, 4);
		if (n > (size_t)(end - *p) - 4)
			return false;
		*raw = *p + 4;
		*len = n;
		*p += 4 + (size_t)n;
		return true;
	}
	w = fixed_width(lf);
	if ((size_t)(end - *p) < w)
		return false;
	*raw = *p;
	*len = w;
	*p += w;
	return true;
}

/* Decompresses a page body into c->page (or points at it when stored plain). */
static int decompress(struct cursor *c, const uint8_t *src, size_t n, size_t unc,
		      const uint8_t **out, cr_error *err)
{
	int codec = c->ch->codec;
	size_t got;

	if (codec == PQ_UNCOMPRESSED) {
		if (n != unc)
			return cur_fail(c, err, "uncompressed page of %zu bytes declares %zu", n, unc);
		*out = src;
		return 0;
	}
	if (c->page_cap < unc + 1) {
		free(c->page);
		c->page_cap = unc + 1 > 4096 ? unc + 1 : 4096;
		c->page = cr_xmalloc(c->page_cap);
	}
	switch (codec) {
	case PQ_SNAPPY:
		if (snappy_uncompressed_length((const char *)src, n, &got) != SNAPPY_OK)
			return cur_fail(c, err, "corrupt Snappy data");
		if (got != unc)
			return cur_fail(c, err, "page decompresses to %zu bytes but declares %zu",
					got, unc);
		if (snappy_uncompress((const char *)src, n, (char *)c->page, &got) != SNAPPY_OK ||
		    got != unc)
			return cur_fail(c, err, "corrupt Snappy data");
		break;
	case PQ_ZSTD:
		got = ZSTD_decompress(c->page, unc, src, n);
		if (ZSTD_isError(got)) {
			if (ZSTD_getErrorCode(got) == ZSTD_error_dstSize_tooSmall)
				return cur_fail(c, err, "page decompresses to more than the %zu bytes "
						"it declares", unc);
			return cur_fail(c, err, "corrupt ZSTD data: %s", ZSTD_getErrorName(got));
		}
		if (got != unc)
			return cur_fail(c, err, "page decompresses to %zu bytes but declares %zu",
					got, unc);
		break;
	case PQ_LZ4_RAW: {
		int r;
		if (n > INT32_MAX || unc > INT32_MAX)
			return cur_fail(c, err, "LZ4 page too big");
		r = LZ4_decompress_safe((const char *)src, (char *)c->page, (int)n, (int)unc);
		if (r < 0)
			return cur_fail(c, err, "corrupt LZ4 data, or more than the %zu bytes the "
					"page declares", unc);
		if ((size_t)r != unc)
			return cur_fail(c, err, "page decompresses to %d bytes but declares %zu", r, unc);
		break;
	}
	case PQ_GZIP: {
		z_stream z;
		int r;
		uint8_t extra;
		memset(&z, 0, sizeof z);
		if (inflateInit2(&z, 15 + 32) != Z_OK)
			return cur_fail(c, err, "zlib failed to start");
		z.next_in = (Bytef *)src;
		z.avail_in = (uInt)n;
		z.next_out = c->page;
		z.avail_out = (uInt)unc;
		r = inflate(&z, Z_FINISH);
		if (r == Z_BUF_ERROR && z.avail_out == 0) {
			/* full: anything more is more than declared */
			z.next_out = &extra;
			z.avail_out = 1;
			r = inflate(&z, Z_FINISH);
			inflateEnd(&z);
			if (z.avail_out == 0)
				return cur_fail(c, err, "page decompresses to more than the %zu bytes "
						"it declares", unc);
			return cur_fail(c, err, "corrupt GZIP data");
		}
		got = z.total_out;
		inflateEnd(&z);
		if (r != Z_STREAM_END)
			return cur_fail(c, err, "corrupt or truncated GZIP data");
		if (got != unc)
			return cur_fail(c, err, "page decompresses to %zu bytes but declares %zu",
					got, unc);
		break;
	}
	default:
		return cur_fail(c, err, "unsupported codec %s", codec >= 0 && codec <= 7 ?
				codec_names[codec] : "(unknown)");
	}
	*out = c->page;
	return 0;
}

struct page_header {
	int type;
	int32_t unc, comp;
	int32_t nvalues, num_nulls, num_rows;
	int enc, def_enc, rep_enc;
	int32_t def_len, rep_len;
	bool is_compressed;
	bool have_sub;
};

static void parse_sub(tc_reader *t, struct page_header *h, int which)
{
	int id = 0, last = 0, type;

	h->have_sub = true;
	while ((type = tc_field(t, &id, &last)) != TC_STOP) {
		if (type == TC_I32) {
			int32_t v = tc_i32(t);
			if (which == 5) {          /* DataPageHeader */
				if (id == 1) h->nvalues = v;
				else if (id == 2) h->enc = v;
				else if (id == 3) h->def_enc = v;
				else if (id == 4) h->rep_enc = v;
			} else if (which == 7) {   /* DictionaryPageHeader */
				if (id == 1) h->nvalues = v;
				else if (id == 2) h->enc = v;
			} else {                   /* DataPageHeaderV2 */
				if (id == 1) h->nvalues = v;
				else if (id == 2) h->num_nulls = v;
				else if (id == 3) h->num_rows = v;
				else if (id == 4) h->enc = v;
				else if (id == 5) h->def_len = v;
				else if (id == 6) h->rep_len = v;
			}
		} else if (which == 8 && id == 7 && (type == TC_TRUE || type == TC_FALSE)) {
			h->is_compressed = type == TC_TRUE;
		} else {
			tc_skip(t, type);
		}
	}
}

static void parse_page_header(tc_reader *t, struct page_header *h)
{
	int id = 0, last = 0, type;

	memset(h, 0, sizeof *h);
	h->type = -1;
	h->unc = h->comp = -1;
	h->nvalues = -1;
	h->is_compressed = true;
	h->def_enc = h->rep_enc = PQ_RLE;
	while ((type = tc_field(t, &id, &last)) != TC_STOP) {
		if (id == 1 && type == TC_I32)
			h->type = tc_i32(t);
		else if (id == 2 && type == TC_I32)
			h->unc = tc_i32(t);
		else if (id == 3 && type == TC_I32)
			h->comp = tc_i32(t);
		else if ((id == 5 || id == 7 || id == 8) && type == TC_STRUCT)
			parse_sub(t, h, id);
		else
			tc_skip(t, type);
	}
}

static int load_dictionary(struct cursor *c, const struct page_header *h, const uint8_t *p,
			   size_t len, cr_error *err)
{
	const uint8_t *end = p + len, *raw;
	uint64_t bit = 0;
	size_t n;

	if (c->have_dict)
		return cur_fail(c, err, "a second dictionary page");
	if (h->enc != PQ_PLAIN && h->enc != PQ_PLAIN_DICTIONARY)
		return cur_fail(c, err, "dictionary page in unsupported encoding %d", h->enc);
	if (h->nvalues < 0 || (size_t)h->nvalues > len * 8 + 1)
		return cur_fail(c, err, "dictionary of %d entries in %zu bytes", h->nvalues, len);
	c->have_dict = true;
	c->ndict = (size_t)h->nvalues;
	c->dict = cr_xcalloc(c->ndict ? c->ndict : 1, sizeof *c->dict);
	for (size_t i = 0; i < c->ndict; i++) {
		if (!plain_next(c->lf, &p, end, &bit, &raw, &n, (uint8_t *)c->tmp))
			return cur_fail(c, err, "dictionary page holds fewer than its %zu entries",
					c->ndict);
		/* each entry is turned into text once per chunk, however often used */
		if (value_text(c, raw, n, &c->dict_text, &c->dict[i], err))
			return -1;
	}
	return 0;
}

/* Prepares the values of a data page in encoding enc. */
static int start_values(struct cursor *c, int enc, const uint8_t *p, size_t len,
			int64_t nvalues, cr_error *err)
{
	const struct pq_leaf *lf = c->lf;
	const uint8_t *end = p + len;

	c->enc = enc;
	c->vp = p;
	c->vend = end;
	c->bool_bit = 0;
	free(c->ints);
	c->ints = NULL;
	free(c->strs);
	c->strs = NULL;
	c->ndec = c->idec = 0;
	switch (enc) {
	case PQ_PLAIN:
		return 0;
	case PQ_PLAIN_DICTIONARY:
	case PQ_RLE_DICTIONARY:
		if (!c->have_dict)
			return cur_fail(c, err, "dictionary-encoded page without a dictionary page");
		if (len < 1 || p[0] > 32)
			return cur_fail(c, err, "bad dictionary index width");
		rle_init(&c->idx, p + 1, len - 1, p[0]);
		return 0;
	case PQ_RLE:
		if (lf->type != PQ_BOOLEAN)
			return cur_fail(c, err, "RLE encoding for a non-boolean column");
		if (len < 4 || le_load(p, 4) > len - 4)
			return cur_fail(c, err, "RLE values run past the page");
		rle_init(&c->idx, p + 4, (size_t)le_load(p, 4), 1);
		return 0;
	case PQ_DELTA_BINARY_PACKED:
		if (lf->type != PQ_INT32 && lf->type != PQ_INT64)
			return cur_fail(c, err, "DELTA_BINARY_PACKED for a non-integer column");
		c->ndec = dbp_decode(&p, end, nvalues, &c->ints);
		if (c->ndec < 0)
			return cur_fail(c, err, "malformed DELTA_BINARY_PACKED data");
		return 0;
	case PQ_DELTA_LENGTH_BYTE_ARRAY:
	case PQ_DELTA_BYTE_ARRAY: {
		int64_t *prefix = NULL, *lens = NULL, np = 0, nl;
		if (lf->type != PQ_BYTE_ARRAY && !(enc == PQ_DELTA_BYTE_ARRAY && lf->type == PQ_FLBA))
			return cur_fail(c, err, "%s for a column that is not a byte array",
					enc == PQ_DELTA_BYTE_ARRAY ? "DELTA_BYTE_ARRAY"
					: "DELTA_LENGTH_BYTE_ARRAY");
		if (enc == PQ_DELTA_BYTE_ARRAY &&
		    (np = dbp_decode(&p, end, nvalues, &prefix)) < 0)
			return cur_fail(c, err, "malformed DELTA_BYTE_ARRAY prefix lengths");
		nl = dbp_decode(&p, end, nvalues, &lens);
		if (nl < 0 || (enc == PQ_DELTA_BYTE_ARRAY && nl != np)) {
			free(prefix);
			free(lens);
			return cur_fail(c, err, "malformed %s lengths", enc == PQ_DELTA_BYTE_ARRAY ?
					"DELTA_BYTE_ARRAY" : "DELTA_LENGTH_BYTE_ARRAY");
		}
		c->strs = cr_xcalloc(nl ? (size_t)nl : 1, sizeof *c->strs);
		arena_reset(&c->dec_text);
		for (int64_t i = 0; i < nl; i++) {
			int64_t pl = prefix ? prefix[i] : 0;
			if (lens[i] < 0 || lens[i] > end - p || pl < 0 ||
			    (i == 0 ? pl != 0 : (size_t)pl > c->strs[i - 1].len)) {
				free(prefix);
				free(lens);
				return cur_fail(c, err, "byte array lengths run past the page");
			}
			if (prefix) {
				char *s = arena_alloc(&c->dec_text, (size_t)(pl + lens[i]) + 1);
				if (pl)
					memcpy(s, c->strs[i - 1].ptr, (size_t)pl);
				memcpy(s + pl, p, (size_t)lens[i]);
				s[pl + lens[i]] = '\0';
				c->strs[i].ptr = s;
				c->strs[i].len = (size_t)(pl + lens[i]);
			} else {
				c->strs[i].ptr = (const char *)p;
				c->strs[i].len = (size_t)lens[i];
			}
			p += lens[i];
		}
		free(prefix);
		free(lens);
		c->ndec = nl;
		return 0;
	}
	case PQ_BYTE_STREAM_SPLIT: {
		size_t w = fixed_width(lf);
		if (!w || lf->type == PQ_INT96)
			return cur_fail(c, err, "BYTE_STREAM_SPLIT for a %s column",
					lf->type == PQ_BOOLEAN ? "boolean" : "variable-width");
		if (len % w)
			return cur_fail(c, err, "BYTE_STREAM_SPLIT data of %zu bytes is not a "
					"multiple of %zu", len, w);
		if (w > sizeof c->tmp)
			return cur_fail(c, err, "BYTE_STREAM_SPLIT of %zu-byte values is not "
					"supported", w);
		c->bss_n = (int64_t)(len / w);
		c->bss_i = 0;
		return 0;
	}
	default:
		return cur_fail(c, err, "unsupported encoding %d", enc);
	}
}

/* A v1 data page's repetition or definition levels at *p: a 4-byte length,
 * then RLE/bit-packed levels for r; *p moves past them. */
static int v1_levels(struct cursor *c, const uint8_t **p, const uint8_t *end, int enc,
		     int max_level, struct rle *r, const char *what, cr_error *err)
{
	if (enc != PQ_RLE)
		return cur_fail(c, err, "unsupported %s level encoding %d", what, enc);
	if (end - *p < 4 || le_load(*p, 4) > (uint64_t)(end - *p - 4))
		return cur_fail(c, err, "%s levels run past the page", what);
	rle_init(r, *p + 4, (size_t)le_load(*p, 4), bit_width(max_level));
	*p += 4 + le_load(*p, 4);
	return 0;
}

/* Reads pages up to the next data page. */
static int load_page(struct cursor *c, cr_error *err)
{
	const struct pq_leaf *lf = c->lf;

	for (;;) {
		struct page_header h;
		tc_reader t;
		const uint8_t *body, *data;
		size_t hlen;

		if (c->pos >= c->chunk_len)
			return cur_fail(c, err, "the column chunk ends %lld values short of the "
					"%lld it declares", (long long)c->values_left,
					(long long)c->ch->num_values);
		t = (tc_reader){ c->chunk + c->pos, c->chunk + c->chunk_len, false, 0 };
		parse_page_header(&t, &h);
		if (t.bad || h.type < 0 || h.unc < 0 || h.comp < 0)
			return cur_fail(c, err, "malformed page header at offset %lld",
					(long long)(c->ch->start + (int64_t)c->pos));
		hlen = (size_t)(t.p - (c->chunk + c->pos));
		if ((size_t)h.comp > c->chunk_len - c->pos - hlen)
			return cur_fail(c, err, "page of %d bytes runs past its column chunk", h.comp);
		if ((uint32_t)h.unc > PAGE_MAX)
			return cur_fail(c, err, "page of %d bytes is too big", h.unc);
		body = c->chunk + c->pos + hlen;
		c->pos += hlen + (size_t)h.comp;
		if (h.type == 2) {
			if (!h.have_sub)
				return cur_fail(c, err, "dictionary page without its header");
			if (decompress(c, body, (size_t)h.comp, (size_t)h.unc, &data, err))
				return -1;
			if (load_dictionary(c, &h, data, (size_t)h.unc, err))
				return -1;
			continue;
		}
		if (h.type != 0 && h.type != 3)
			continue;   /* an index page */
		if (!h.have_sub || h.nvalues < 0)
			return cur_fail(c, err, "data page without its header");
		if (h.nvalues > c->values_left)
			return cur_fail(c, err, "pages hold more values than the %lld the chunk "
					"declares", (long long)c->ch->num_values);
		const uint8_t *p, *end;
		if (h.type == 0) {
			if (decompress(c, body, (size_t)h.comp, (size_t)h.unc, &data, err))
				return -1;
			p = data;
			end = data + h.unc;
			if ((lf->max_rep > 0 && v1_levels(c, &p, end, h.rep_enc, lf->max_rep, &c->rep,
							 "repetition", err)) ||
			    (lf->max_def > 0 && v1_levels(c, &p, end, h.def_enc, lf->max_def, &c->def,
							 "definition", err)))
				return -1;
		} else {
			size_t levels;
			if (h.rep_len < 0 || h.def_len < 0 ||
			    (size_t)h.rep_len + (size_t)h.def_len > (size_t)h.comp ||
			    (size_t)h.rep_len + (size_t)h.def_len > (size_t)h.unc)
				return cur_fail(c, err, "level lengths run past the page");
			levels = (size_t)h.rep_len + (size_t)h.def_len;
			rle_init(&c->rep, body, (size_t)h.rep_len, bit_width(lf->max_rep));
			rle_init(&c->def, body + h.rep_len, (size_t)h.def_len, bit_width(lf->max_def));
			if (h.is_compressed) {
				if (decompress(c, body + levels, (size_t)h.comp - levels,
					       (size_t)h.unc - levels, &data, err))
					return -1;
			} else {
				if (h.comp != h.unc)
					return cur_fail(c, err, "uncompressed page of %d bytes declares %d",
							h.comp, h.unc);
				data = body + levels;
			}
			p = data;
			end = data + ((size_t)h.unc - levels);
		}
		if (start_values(c, h.enc, p, (size_t)(end - p), h.nvalues, err))
			return -1;
		if (h.nvalues > PAGE_VALUES_MAX)
			return cur_fail(c, err, "page of %d values is too big", h.nvalues);
		if ((size_t)h.nvalues > c->lv_cap) {
			c->lv_cap = (size_t)h.nvalues;
			free(c->lv_rep);
			free(c->lv_def);
			c->lv_rep = cr_xmalloc(c->lv_cap);
			c->lv_def = cr_xmalloc(c->lv_cap);
		}
		c->rep_ok = lf->max_rep ? rle_bulk(&c->rep, c->lv_rep, h.nvalues,
						   (uint32_t)lf->max_rep) : h.nvalues;
		c->def_ok = lf->max_def ? rle_bulk(&c->def, c->lv_def, h.nvalues,
						   (uint32_t)lf->max_def) : h.nvalues;
		c->page_n = h.nvalues;
		c->page_left = h.nvalues;
		if (h.nvalues > 0)
			return 0;
	}
}

/* The levels of the next entry: 0, 1 at the end of the chunk, or -1. */
static inline int cur_levels(struct cursor *c, int *rep, int *def, cr_error *err)
{
	int64_t i;

	if (c->have_levels) {
		c->have_levels = false;
		*rep = c->next_rep;
		*def = c->next_def;
		return 0;
	}
	while (c->page_left == 0) {
		if (c->values_left <= 0)
			return 1;
		if (load_page(c, err))
			return -1;
	}
	i = c->page_n - c->page_left;
	if (i >= c->rep_ok)
		return cur_fail(c, err, "repetition levels do not add up");
	if (i >= c->def_ok)
		return cur_fail(c, err, "definition levels do not add up");
	*rep = c->lf->max_rep ? c->lv_rep[i] : 0;
	*def = c->lf->max_def ? c->lv_def[i] : 0;
	c->page_left--;
	c->values_left--;
	return 0;
}

/* The repetition level of the next entry, left to be read: 0, 1 at the end, -1. */
static int cur_peek(struct cursor *c, int *rep, cr_error *err)
{
	int rc;

	if (c->have_levels) {
		*rep = c->next_rep;
		return 0;
	}
	rc = cur_levels(c, &c->next_rep, &c->next_def, err);
	if (rc)
		return rc;
	c->have_levels = true;
	*rep = c->next_rep;
	return 0;
}

/* The next dictionary index, checked against the dictionary. */
static inline int dict_index(struct cursor *c, uint32_t *i, cr_error *err)
{
	if (rle_next(&c->idx, i))
		return cur_fail(c, err, "dictionary indices run out before the values");
	if (*i >= c->ndict)
		return cur_fail(c, err, "dictionary index %u out of range (%zu entries)", *i,
				c->ndict);
	return 0;
}

/* The bytes of the next PLAIN value. */
static inline int plain_value(struct cursor *c, const uint8_t **raw, size_t *len, cr_error *err)
{
	if (!plain_next(c->lf, &c->vp, c->vend, &c->bool_bit, raw, len, (uint8_t *)c->tmp))
		return cur_fail(c, err, "the page holds fewer values than its levels say");
	return 0;
}

/* The text of the next value (its levels say it is there). */
static int cur_value(struct cursor *c, struct arena *a, cr_field *out, cr_error *err)
{
	const struct pq_leaf *lf = c->lf;
	const uint8_t *raw;
	size_t len;
	uint32_t i = 0;

	switch (c->enc) {
	case PQ_PLAIN_DICTIONARY:
	case PQ_RLE_DICTIONARY:
		if (dict_index(c, &i, err))
			return -1;
		*out = c->dict[i];
		return 0;
	case PQ_PLAIN:
		if (plain_value(c, &raw, &len, err))
			return -1;
		break;
	case PQ_RLE:
		if (rle_next(&c->idx, &i))
			return cur_fail(c, err, "the page holds fewer values than its levels say");
		c->tmp[0] = (char)(i != 0);
		raw = (const uint8_t *)c->tmp;
		len = 1;
		break;
	case PQ_DELTA_BINARY_PACKED:
		if (c->idec >= c->ndec)
			return cur_fail(c, err, "the page holds fewer values than its levels say");
		memcpy(c->tmp, &c->ints[c->idec++], 8);   /* little-endian: INT32 in the low half */
		raw = (const uint8_t *)c->tmp;
		len = fixed_width(lf);
		break;
	case PQ_DELTA_LENGTH_BYTE_ARRAY:
	case PQ_DELTA_BYTE_ARRAY:
		if (c->idec >= c->ndec)
			return cur_fail(c, err, "the page holds fewer values than its levels say");
		raw = (const uint8_t *)c->strs[c->idec].ptr;
		len = c->strs[c->idec++].len;
		if (lf->type == PQ_FLBA && len != (size_t)lf->type_length)
			return cur_fail(c, err, "value of %zu bytes in a %d-byte column", len,
					lf->type_length);
		break;
	default: {   /* BYTE_STREAM_SPLIT */
		size_t w = fixed_width(lf);
		if (c->bss_i >= c->bss_n)
			return cur_fail(c, err, "the page holds fewer values than its levels say");
		for (size_t k = 0; k < w; k++)
			c->tmp[k] = (char)c->vp[k * (size_t)c->bss_n + (size_t)c->bss_i];
		c->bss_i++;
		raw = (const uint8_t *)c->tmp;
		len = w;
		break;
	}
	}
	return value_text(c, raw, len, a, out, err);
}

/* Passes over the next value without making its text (a map entry not
 * asked for). */
static int cur_skip(struct cursor *c, struct arena *scratch, cr_error *err)
{
	const uint8_t *raw;
	size_t len;
	uint32_t i = 0;

	switch (c->enc) {
	case PQ_PLAIN_DICTIONARY:
	case PQ_RLE_DICTIONARY:
		return dict_index(c, &i, err);
	case PQ_PLAIN:
		return plain_value(c, &raw, &len, err);
	default: {
		cr_field unused;
		return cur_value(c, scratch, &unused, err);
	}
	}
}

static int cur_open(struct cursor *c, cr_pq_file *f, size_t rg, size_t leaf, cr_error *err)
{
	const struct pq_chunk *ch = &f->groups[rg].chunks[leaf];

	memset(c, 0, sizeof *c);
	c->f = f;
	c->rg = rg;
	c->lf = &f->leaves[leaf];
	c->ch = ch;
	c->values_left = ch->num_values;
	if (ch->codec < 0 || ch->codec > PQ_LZ4_RAW || ch->codec == PQ_LZO ||
	    ch->codec == PQ_BROTLI || ch->codec == PQ_LZ4)
		return cur_fail(c, err, "unsupported codec %s", ch->codec >= 0 && ch->codec <= 7 ?
				codec_names[ch->codec] : "(unknown)");
	if (c->lf->text == TX_DECIMAL && (c->lf->scale < 0 || c->lf->scale > 38))
		return cur_fail(c, err, "unsupported decimal scale %d", c->lf->scale);
	if (ch->size > CHUNK_MAX)
		return cur_fail(c, err, "column chunk of %lld bytes is too big",
				(long long)ch->size);
	c->chunk_len = (size_t)ch->size;
	c->chunk = cr_xmalloc(c->chunk_len ? c->chunk_len : 1);
	if (f->read(f->ctx, ch->start, c->chunk_len, c->chunk, err))
		return -1;
	return 0;
}

static void cur_close(struct cursor *c)
{
	free(c->chunk);
	free(c->dict);
	free(c->page);
	free(c->ints);
	free(c->strs);
	free(c->lv_rep);
	free(c->lv_def);
	arena_free(&c->dict_text);
	arena_free(&c->dec_text);
}

/* ---- rows --------------------------------------------------------------------- */

#define KEYS_MAX 8

struct rcol {
	const struct pq_column *pc;
	struct cursor cur[2];
	size_t ncur;
	const char *const *keys;
	size_t nkeys;
	size_t key_len[KEYS_MAX];
	uint8_t *key_flags;         /* dictionary-encoded keys: entry wanted? */
	const cr_field *flags_for;  /* the dictionary they were worked out for */
	cr_field *out;
};

struct cr_pq_rows {
	cr_pq_file *f;
	size_t rg;
	int64_t nrows, done, first;
	struct rcol *cols;
	size_t ncols;
	struct arena text, scratch;
	cr_buf json;
};

static void json_str(cr_buf *b, const cr_field *s)
{
	size_t run = 0;

	cr_buf_addc(b, '"');
	for (size_t i = 0; i < s->len; i++) {
		unsigned char ch = (unsigned char)s->ptr[i];
		if (ch != '"' && ch != '\\' && ch >= 0x20)
			continue;
		cr_buf_add(b, s->ptr + run, i - run);
		run = i + 1;
		if (ch < 0x20)
			cr_buf_addf(b, "\\u%04x", ch);
		else {
			cr_buf_addc(b, '\\');
			cr_buf_addc(b, (char)ch);
		}
	}
	cr_buf_add(b, s->ptr + run, s->len - run);
	cr_buf_addc(b, '"');
}

static bool wanted(const struct rcol *rc, const cr_field *key)
{
	if (!rc->nkeys)
		return true;
	for (size_t i = 0; i < rc->nkeys; i++)
		if (rc->key_len[i] == key->len && memcmp(rc->keys[i], key->ptr, key->len) == 0)
			return true;
	return false;
}

/* Whether entry i of the keys' dictionary is wanted: worked out once per
 * dictionary, not once per row. */
static bool dict_key_wanted(struct rcol *rc, const struct cursor *k, uint32_t i)
{
	if (rc->flags_for != k->dict) {
		free(rc->key_flags);
		rc->key_flags = cr_xmalloc(k->ndict ? k->ndict : 1);
		for (size_t j = 0; j < k->ndict; j++)
			rc->key_flags[j] = wanted(rc, &k->dict[j]);
		rc->flags_for = k->dict;
	}
	return rc->key_flags[i];
}

static int ran_out(struct cursor *c, cr_pq_rows *r, int64_t row, cr_error *err)
{
	return cur_fail(c, err, "the column ends after %lld of the row group's %lld rows",
			(long long)(r->first + row), (long long)r->nrows);
}

/* One row of a MAP (two cursors) or LIST (one) column as JSON text. */
static int nested_row(cr_pq_rows *r, struct rcol *rc, int64_t row, cr_field *out,
		      cr_error *err)
{
	struct cursor *k = &rc->cur[0], *v = rc->ncur > 1 ? &rc->cur[1] : NULL;
	bool map = v != NULL;
	int rk = 0, dk = 0, rv = 0, dv = 0, n, entry = k->lf->entry_def;
	bool any = false, empty = true;
	cr_buf *b = &r->json;

	cr_buf_reset(b);
	arena_reset(&r->scratch);
	cr_buf_addc(b, map ? '{' : '[');
	if ((n = cur_levels(k, &rk, &dk, err)) != 0 || (v && (n = cur_levels(v, &rv, &dv, err)) != 0))
		return n < 0 ? -1 : ran_out(k, r, row, err);
	if (rk != 0 || (v && rv != 0))
		return cur_fail(k, err, "levels do not add up: a row starts at repetition level %d",
				rk ? rk : rv);
	for (;;) {
		if (v && (dk >= entry) != (dv >= entry))
			return cur_fail(v, err, "levels of the map's keys and values disagree");
		if (dk >= entry) {
			cr_field key, val = { "", 0 };
			bool null = true;
			any = true;
			if (dk == k->lf->max_def && map && rc->nkeys &&
			    (k->enc == PQ_RLE_DICTIONARY || k->enc == PQ_PLAIN_DICTIONARY)) {
				uint32_t ki = 0;
				if (dict_index(k, &ki, err))
					return -1;
				if (!dict_key_wanted(rc, k, ki)) {
					if (dv == v->lf->max_def && cur_skip(v, &r->scratch, err))
						return -1;
					goto next;
				}
				key = k->dict[ki];
				null = false;
			} else if (dk == k->lf->max_def) {
				if (cur_value(k, &r->scratch, &key, err))
					return -1;
				null = false;
			} else if (map) {
				return cur_fail(k, err, "a map key is null");
			}
			if (map && !wanted(rc, &key)) {
				if (dv == v->lf->max_def && cur_skip(v, &r->scratch, err))
					return -1;
				goto next;
			}
			if (v && dv == v->lf->max_def) {
				if (cur_value(v, &r->scratch, &val, err))
					return -1;
			}
			if (!map) {
				if (!empty)
					cr_buf_addc(b, ',');
				if (null)
					cr_buf_adds(b, "null");
				else
					json_str(b, &key);
				empty = false;
			} else if (wanted(rc, &key)) {
				if (!empty)
					cr_buf_addc(b, ',');
				json_str(b, &key);
				cr_buf_addc(b, ':');
				if (dv == v->lf->max_def)
					json_str(b, &val);
				else
					cr_buf_adds(b, "null");
				empty = false;
			}
		}
next:
		if ((n = cur_peek(k, &rk, err)) < 0)
			return -1;
		if (n == 1 || rk == 0)
			break;
		if (cur_levels(k, &rk, &dk, err) ||
		    (v && (n = cur_levels(v, &rv, &dv, err)) != 0))
			return n > 0 ? ran_out(v, r, row, err) : -1;
		if (v && rv != rk)
			return cur_fail(v, err, "levels of the map's keys and values disagree");
		if (dk < entry)
			return cur_fail(k, err, "levels do not add up: an empty entry inside a row");
	}
	if (!any) {
		out->ptr = "";
		out->len = 0;
		return 0;
	}
	cr_buf_addc(b, map ? '}' : ']');
	out->ptr = arena_copy(&r->text, b->ptr, b->len);
	out->len = b->len;
	return 0;
}

static int fill(cr_pq_rows *r, struct rcol *rc, int64_t nrows, cr_error *err)
{
	static const cr_field empty = { "", 0 };

	if (rc->pc->shape != SHAPE_FLAT) {
		for (int64_t i = 0; i < nrows; i++)
			if (nested_row(r, rc, i, &rc->out[i], err))
				return -1;
		return 0;
	}
	struct cursor *c = &rc->cur[0];
	int max_def = c->lf->max_def;
	for (int64_t i = 0; i < nrows; i++) {
		int rep = 0, def = 0, n = cur_levels(c, &rep, &def, err);
		if (n)
			return n < 0 ? -1 : ran_out(c, r, i, err);
		if (def < max_def) {
			rc->out[i] = empty;
			continue;
		}
		if (cur_value(c, &r->text, &rc->out[i], err))
			return -1;
	}
	return 0;
}

cr_pq_rows *cr_pq_rows_open(cr_pq_file *f, size_t rg, const size_t *cols, size_t ncols,
			    cr_error *err)
{
	cr_pq_rows *r;

	if (rg >= f->ngroups) {
		cr_error_set(err, CR_EXIT_INPUT, "%s: no row group %zu", f->name, rg + 1);
		return NULL;
	}
	r = cr_xcalloc(1, sizeof *r);
	r->f = f;
	r->rg = rg;
	r->nrows = f->groups[rg].num_rows;
	r->cols = cr_xcalloc(ncols ? ncols : 1, sizeof *r->cols);
	r->ncols = ncols;
	for (size_t i = 0; i < ncols; i++) {
		struct rcol *rc = &r->cols[i];
		rc->pc = &f->columns[cols[i]];
		rc->out = cr_xcalloc(BATCH, sizeof *rc->out);
		if (rc->pc->shape == SHAPE_OTHER) {
			cr_error_set(err, CR_EXIT_INPUT, "%s: row group %zu, column %s: nested "
				     "columns other than MAP and LIST are not supported", f->name,
				     rg + 1, rc->pc->name);
			goto fail;
		}
		rc->ncur = rc->pc->nleaves;
		for (size_t k = 0; k < rc->ncur; k++)
			if (cur_open(&rc->cur[k], f, rg, rc->pc->leaf + k, err))
				goto fail;
	}
	return r;
fail:
	cr_pq_rows_close(r);
	return NULL;
}

void cr_pq_rows_keys(cr_pq_rows *r, size_t col, const char *const *keys, size_t n)
{
	struct rcol *rc = &r->cols[col];

	rc->keys = keys;
	rc->nkeys = n > KEYS_MAX ? KEYS_MAX : n;
	for (size_t i = 0; i < rc->nkeys; i++)
		rc->key_len[i] = strlen(keys[i]);
}

int cr_pq_rows_next(cr_pq_rows *r, const cr_field **out, cr_error *err)
{
	int64_t n = r->nrows - r->done;

	if (n <= 0) {
		/* every column must end with the row group */
		for (size_t i = 0; i < r->ncols; i++)
			for (size_t k = 0; k < r->cols[i].ncur; k++) {
				struct cursor *c = &r->cols[i].cur[k];
				int rep;
				int rc = cur_peek(c, &rep, err);
				if (rc < 0)
					return -1;
				if (rc == 0)
					return cur_fail(c, err, "the column holds more values than the "
							"row group's %lld rows", (long long)r->nrows);
			}
		return 0;
	}
	if (n > BATCH)
		n = BATCH;
	arena_reset(&r->text);
	r->first = r->done;
	for (size_t i = 0; i < r->ncols; i++) {
		if (fill(r, &r->cols[i], n, err))
			return -1;
		out[i] = r->cols[i].out;
	}
	r->done += n;
	return (int)n;
}

int64_t cr_pq_rows_first(const cr_pq_rows *r)
{
	return r->first;
}

void cr_pq_rows_close(cr_pq_rows *r)
{
	if (!r)
		return;
	for (size_t i = 0; i < r->ncols; i++) {
		for (size_t k = 0; k < r->cols[i].ncur; k++)
			cur_close(&r->cols[i].cur[k]);
		free(r->cols[i].out);
		free(r->cols[i].key_flags);
	}
	free(r->cols);
	arena_free(&r->text);
	arena_free(&r->scratch);
	cr_buf_release(&r->json);
	free(r);
}
