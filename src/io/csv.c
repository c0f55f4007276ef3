/*
 * csv.c - see costrank/csv.h
 *
 * The data sits in one buffer, data[0..end), followed by a NUL sentinel
 * and SCAN_PAD readable bytes.  The scanner looks at 64 bytes at a time
 * and keeps a bit mask of the "structural" bytes among them:
 *     ,  "  \n  \r  \0
 * so a field costs one count-trailing-zeros, and short fields share the
 * cost of one block scan.  The sentinel makes the end of the data one more
 * structural byte: no bounds check in the inner loop, and a NUL found
 * anywhere else is a NUL in the data.
 *
 * Unquoted fields are not copied: the delimiter after them is overwritten
 * with a NUL.  A quoted field is first scanned to its closing quote without
 * writing anything (counting doubled quotes), then unescaped in place.
 *
 * When a record runs past the end of the data, the fields completed so far
 * are kept (they are final: only the delimiters after them were written),
 * the record is moved to the front of the buffer (which doubles when the
 * record fills it), the buffer is refilled, and parsing resumes at the
 * start of the incomplete field.
 *
 * Line breaks: LF, CRLF, and a lone CR ending a record (outside quotes).
 * Inside a quoted field a LF counts as a line (CRLF too, once) and a lone CR
 * is data.  Lines are counted as the scanner passes them.
 */
#include "costrank/csv.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__) && !defined(COSTRANK_CSV_PORTABLE)
#include <emmintrin.h>
#define CSV_SSE2 1
#endif

#define INITIAL_BUFFER (1u << 20)
/* The longest record plus the first byte of its line end. */
#define MAX_BUFFER ((size_t)CR_CSV_MAX_RECORD + 1)
#define SCAN_PAD 64
#define INITIAL_FIELDS 256

enum { PARSE_EOF = 0, PARSE_RECORD = 1, PARSE_ERROR = -1, PARSE_MORE = 2 };

struct cr_csv {
	cr_input *in;
	char *data;            /* cap bytes + SCAN_PAD */
	size_t cap;
	char *end;             /* end of the data; *end == '\0' */
	char *pos;             /* where parsing goes on */
	bool eof;              /* the input has no more bytes */
	bool started;          /* the first fill (and BOM check) was done */
	bool pending_cr;       /* a CR ended the data: skip a LF that follows */
	bool failed;
	bool read_failed;      /* input error after the data in the buffer */
	long line;             /* physical line at pos */
	long rec_line;         /* line of the last record returned */

	/* Block scanner: mask holds the structural bytes of base[0..64). */
	char *base;
	uint64_t mask;

	/* A record cut by the end of the data: rec is its start, nf the
	 * fields completed, pos the start of the field to parse again. */
	bool partial;
	char *rec;
	size_t nf;
	long part_line;        /* line the record starts on */

	cr_field *fields;
	size_t fcap;
	cr_error failure;
	cr_error read_error;   /* reported once the data before it is parsed */
};

/* ---- block scanner ---------------------------------------------------- */

#ifdef CSV_SSE2
static inline uint64_t block_mask(const char *p)
{
	const __m128i comma = _mm_set1_epi8(',');
	const __m128i quote = _mm_set1_epi8('"');
	const __m128i lf = _mm_set1_epi8('\n');
	const __m128i cr = _mm_set1_epi8('\r');
	const __m128i zero = _mm_setzero_si128();
	uint64_t m = 0;

	for (int i = 0; i < 4; i++) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i));
		__m128i hit = _mm_or_si128(
			_mm_or_si128(_mm_cmpeq_epi8(v, comma), _mm_cmpeq_epi8(v, quote)),
			_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, lf), _mm_cmpeq_epi8(v, cr)),
			             _mm_cmpeq_epi8(v, zero)));
		m |= (uint64_t)(uint32_t)_mm_movemask_epi8(hit) << (16 * i);
	}
	return m;
}
#else
#define ONES UINT64_C(0x0101010101010101)
#define LOW7 UINT64_C(0x7f7f7f7f7f7f7f7f)

/* 0x80 in each byte of x that is zero, 0 elsewhere (exact, no carries). */
static inline uint64_t zero_bytes(uint64_t x)
{
	return ~(((x & LOW7) + LOW7) | x | LOW7);
}

static inline uint64_t block_mask(const char *p)
{
	uint64_t m = 0;

	for (int i = 0; i < 8; i++) {
		uint64_t w, hit;
		memcpy(&w, p + 8 * i, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		w = __builtin_bswap64(w);
#endif
		hit = zero_bytes(w ^ (ONES * ',')) | zero_bytes(w ^ (ONES * '"')) |
		      zero_bytes(w ^ (ONES * '\n')) | zero_bytes(w ^ (ONES * '\r')) |
		      zero_bytes(w);
		/* Gather the high bit of byte k into bit k. */
		hit = ((hit >> 7) * UINT64_C(0x0102040810204080)) >> 56;
		m |= hit << (8 * i);
	}
	return m;
}
#endif

/* The first structural byte at or after from (there always is one: the
 * sentinel).  base and mask are the scanner state, kept in locals. */
#define NEXT_STRUCTURAL(q, from)                                             \
	do {                                                                 \
		char *from_ = (from);                                        \
		size_t d_ = (size_t)(from_ - base);                          \
		uint64_t m_;                                                 \
		if (d_ < 64) {                                               \
			m_ = mask & (~UINT64_C(0) << d_);                    \
		} else {                                                     \
			base = from_;                                        \
			mask = m_ = block_mask(base);                        \
		}                                                            \
		while (!m_) {                                                \
			base += 64;                                          \
			mask = m_ = block_mask(base);                        \
		}                                                            \
		(q) = base + __builtin_ctzll(m_);                            \
	} while (0)

/* ---- buffer ------------------------------------------------------------ */

cr_csv *cr_csv_new(cr_input *in)
{
	cr_csv *csv = cr_xcalloc(1, sizeof *csv);

	csv->in = in;
	csv->cap = INITIAL_BUFFER;
	csv->data = cr_xmalloc(csv->cap + SCAN_PAD);
	csv->end = csv->pos = csv->data;
	memset(csv->data, 0, SCAN_PAD);
	csv->base = csv->data;
	csv->mask = 1; /* the sentinel at data[0] */
	csv->line = 1;
	csv->fcap = INITIAL_FIELDS;
	csv->fields = cr_xmalloc(csv->fcap * sizeof *csv->fields);
	return csv;
}

/* Moves the completed fields of a partial record along with its bytes. */
static void rebase_fields(cr_csv *csv, const char *from, char *to)
{
	if (!csv->partial)
		return;
	for (size_t i = 0; i < csv->nf; i++)
		csv->fields[i].ptr = to + (csv->fields[i].ptr - from);
}

/*
 * Keeps the unparsed tail (from the partial record, or from pos), moves it
 * to the front, and reads until the buffer is full or the input ends.  An
 * input error after some new data is held back until that data is parsed,
 * so that the records before it come out first.
 */
static int refill(cr_csv *csv, cr_error *err)
{
	char *keep_from = csv->partial ? csv->rec : csv->pos;
	size_t keep = (size_t)(csv->end - keep_from);
	size_t len;

	if (csv->read_failed)
		return cr_error_set(err, csv->read_error.code, "%s", csv->read_error.msg);
	if (keep == csv->cap) {
		/* One record fills the whole buffer: make it bigger. */
		size_t ncap;
		char *ndata;

		if (csv->cap >= MAX_BUFFER)
			return cr_error_set(err, CR_EXIT_INPUT,
			                    "%s:%ld: record too long (more than %u MiB)",
			                    cr_input_path(csv->in), csv->part_line,
			                    CR_CSV_MAX_RECORD >> 20);
		ncap = csv->cap * 2 < MAX_BUFFER ? csv->cap * 2 : MAX_BUFFER;
		ndata = cr_xmalloc(ncap + SCAN_PAD);
		memcpy(ndata, keep_from, keep);
		rebase_fields(csv, keep_from, ndata);
		csv->pos = ndata + (csv->pos - keep_from);
		free(csv->data);
		csv->data = ndata;
		csv->cap = ncap;
	} else if (keep_from != csv->data) {
		memmove(csv->data, keep_from, keep);
		rebase_fields(csv, keep_from, csv->data);
		csv->pos = csv->data + (csv->pos - keep_from);
	}
	csv->rec = csv->data;

	len = keep;
	while (len < csv->cap && !csv->eof) {
		ssize_t got;

		cr_error_clear(&csv->read_error);
		got = cr_input_read(csv->in, csv->data + len, csv->cap - len, &csv->read_error);
		if (got < 0) {
			if (len == keep)
				return cr_error_set(err, csv->read_error.code, "%s", csv->read_error.msg);
			csv->read_failed = true;
			break;
		}
		if (got == 0)
			csv->eof = true;
		len += (size_t)got;
	}
	csv->end = csv->data + len;
	memset(csv->end, 0, SCAN_PAD);
	csv->base = csv->data;
	csv->mask = block_mask(csv->data);
	return 0;
}

/* ---- record parser ----------------------------------------------------- */

/* Collapses the doubled quotes of s[0..n) (nesc of them); returns the new
 * length. */
static size_t unescape(char *s, size_t n, size_t nesc)
{
	char *src = memchr(s, '"', n);
	char *dst = src + 1;
	char *stop = s + n;

	src += 2; /* keep the first quote of the pair, drop the second */
	while (--nesc) {
		char *q = memchr(src, '"', (size_t)(stop - src));
		size_t k = (size_t)(q - src) + 1;
		memmove(dst, src, k);
		dst += k;
		src = q + 2;
	}
	memmove(dst, src, (size_t)(stop - src));
	dst += stop - src;
	return (size_t)(dst - s);
}

static int grow_fields(cr_csv *csv, cr_error *err, long line)
{
	size_t ncap;

	if (csv->fcap >= CR_CSV_MAX_FIELDS)
		return cr_error_set(err, CR_EXIT_INPUT, "%s:%ld: too many fields (more than %d)",
		                    cr_input_path(csv->in), line, CR_CSV_MAX_FIELDS);
	ncap = csv->fcap * 2 < CR_CSV_MAX_FIELDS ? csv->fcap * 2 : CR_CSV_MAX_FIELDS;
	csv->fields = cr_xrealloc(csv->fields, ncap * sizeof *csv->fields);
	csv->fcap = ncap;
	return 0;
}

/*
 * Parses one record from pos (or resumes the partial one).  Returns
 * PARSE_RECORD (csv->nf fields, csv->rec_line set), PARSE_EOF,
 * PARSE_MORE (the data ends inside the record: refill and call again),
 * or PARSE_ERROR.
 */
static int parse_record(cr_csv *csv, cr_error *err)
{
	char *p = csv->pos;
	char *const end = csv->end;
	const bool eof = csv->eof;
	char *base = csv->base;
	uint64_t mask = csv->mask;
	long line = csv->line;
	long rec_line;
	cr_field *fields = csv->fields;
	size_t nf, fcap = csv->fcap;
	char *q, *field;
	long field_line;

	if (csv->partial) {
		nf = csv->nf;
		rec_line = csv->part_line;
	} else {
		if (csv->pending_cr) {
			if (p == end && !eof)
				return PARSE_MORE;
			if (*p == '\n' && p < end)
				p++;
			csv->pending_cr = false;
		}
		/* Skip blank lines. */
		for (;;) {
			if (*p == '\n') {
				p++;
				line++;
			} else if (*p == '\r') {
				line++;
				if (*++p == '\n') {
					p++;
				} else if (p == end && !eof) {
					csv->pending_cr = true;
					csv->pos = p;
					csv->line = line;
					return PARSE_MORE;
				}
			} else {
				break;
			}
		}
		if (p == end) {
			csv->pos = p;
			csv->line = line;
			return eof ? PARSE_EOF : PARSE_MORE;
		}
		csv->rec = p;
		rec_line = line;
		nf = 0;
	}

	for (;;) {
		field = p;
		field_line = line;
		if (nf == fcap) {
			if (grow_fields(csv, err, rec_line) < 0)
				return PARSE_ERROR;
			fields = csv->fields;
			fcap = csv->fcap;
		}
		if (*p != '"') {
			/* Unquoted: up to the next , CR LF; a quote here is data. */
			NEXT_STRUCTURAL(q, p);
			while (*q == '"')
				NEXT_STRUCTURAL(q, q + 1);
			fields[nf].ptr = p;
			fields[nf].len = (size_t)(q - p);
			switch (*q) {
			case ',':
				*q = '\0';
				nf++;
				p = q + 1;
				continue;
			case '\n':
				*q = '\0';
				nf++;
				line++;
				p = q + 1;
				goto record_done;
			case '\r':
				*q = '\0';
				nf++;
				line++;
				p = q + 1;
				goto line_end_cr;
			default: /* '\0' */
				if (q != end)
					goto nul_byte;
				if (!eof)
					goto need_more;
				nf++;
				p = q;
				goto record_done;
			}
		} else {
			/* Quoted: find the closing quote, then unescape. */
			char *s = p + 1, *r = s;
			size_t nesc = 0, len;
			char next;

			for (;;) {
				NEXT_STRUCTURAL(q, r);
				if (*q == '"') {
					if (q[1] == '"') {
						nesc++;
						r = q + 2;
						continue;
					}
					if (q + 1 == end && !eof)
						goto need_more;
					break;
				}
				if (*q == '\n') {
					line++;
				} else if (*q == '\0') {
					if (q != end)
						goto nul_byte;
					if (!eof)
						goto need_more;
					return cr_error_set(err, CR_EXIT_INPUT,
					                    "%s:%ld: unterminated quoted field "
					                    "(a \" opened here is never closed)",
					                    cr_input_path(csv->in), field_line);
				}
				r = q + 1;
			}
			len = (size_t)(q - s);
			if (nesc)
				len = unescape(s, len, nesc);
			next = q[1];
			s[len] = '\0';
			fields[nf].ptr = s;
			fields[nf].len = len;
			nf++;
			p = q + 2;
			switch (next) {
			case ',':
				continue;
			case '\n':
				line++;
				goto record_done;
			case '\r':
				line++;
				goto line_end_cr;
			case '\0':
				if (q + 1 == end) {
					p = end;
					goto record_done;
				}
				q++;
				goto nul_byte;
			default:
				return cr_error_set(err, CR_EXIT_INPUT,
				                    "%s:%ld: unexpected character after closing quote in field %zu",
				                    cr_input_path(csv->in), line, nf);
			}
		}
	}

line_end_cr:
	/* p is just past a CR that ended the record. */
	if (*p == '\n')
		p++;
	else if (p == end && !eof)
		csv->pending_cr = true;
record_done:
	csv->partial = false;
	csv->nf = nf;
	csv->rec_line = rec_line;
	csv->pos = p;
	csv->line = line;
	csv->base = base;
	csv->mask = mask;
	return PARSE_RECORD;

need_more:
	/* Keep the completed fields; the current one is parsed again. */
	csv->partial = true;
	csv->nf = nf;
	csv->part_line = rec_line;
	csv->pos = field;
	csv->line = field_line;
	return PARSE_MORE;

nul_byte:
	return cr_error_set(err, CR_EXIT_INPUT, "%s:%ld: NUL byte in data (binary file?)",
	                    cr_input_path(csv->in), line);
}

/* ---- public interface ------------------------------------------------- */

int cr_csv_next(cr_csv *csv, cr_field **fields, size_t *nfields, cr_error *err)
{
	cr_error local;
	cr_error *e = err ? err : &local;

	cr_error_clear(&local);
	if (csv->failed)
		return cr_error_set(err, csv->failure.code, "%s", csv->failure.msg);
	if (!csv->started) {
		csv->started = true;
		if (refill(csv, e) < 0)
			goto fail;
		if (csv->end - csv->pos >= 3 && memcmp(csv->pos, "\xEF\xBB\xBF", 3) == 0)
			csv->pos += 3;
	}
	for (;;) {
		int rc = parse_record(csv, e);

		if (rc == PARSE_RECORD) {
			*fields = csv->fields;
			*nfields = csv->nf;
			return 1;
		}
		if (rc == PARSE_EOF)
			return 0;
		if (rc == PARSE_ERROR || refill(csv, e) < 0)
			goto fail;
	}
fail:
	csv->failed = true;
	csv->failure = *e;
	return -1;
}

long cr_csv_line(const cr_csv *csv)
{
	return csv->rec_line;
}

const char *cr_csv_path(const cr_csv *csv)
{
	return cr_input_path(csv->in);
}

void cr_csv_free(cr_csv *csv)
{
	if (!csv)
		return;
	free(csv->data);
	free(csv->fields);
	free(csv);
}
