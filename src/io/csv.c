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
 *
 * That field-at-a-time parser is exact for every input, and it is the one
 * used for anything unusual.  Ordinary records go through a faster path
 * (parse_fast) that works on whole 64-byte blocks:
 *
 *   - the bit masks of commas, quotes and LFs of a block are built at once;
 *     the prefix XOR of the quote bits gives the bytes inside quotes, so
 *     the separators (commas and LFs outside quotes) are known without
 *     looking at the bytes between them;
 *   - the record is validated as a whole from the same masks: a quote may
 *     open a field only after a separator (or a doubled quote), and close
 *     it only before a separator, a CR LF or another quote; a CR outside
 *     quotes must be followed by a LF; no NUL byte (the sentinel included,
 *     so a record cut by the end of the data is never taken).  Anything
 *     else (lenient quotes, lone CRs, blank lines, errors, a record cut by
 *     the buffer end) goes to the exact parser before a byte is written;
 *   - with cr_csv_select, only the chosen columns are returned: whole
 *     blocks whose separators all end unwanted fields are skipped with one
 *     popcount, and only the chosen fields are unquoted and NUL-terminated.
 *
 * Both parsers give the same fields, line numbers and errors; the unit
 * tests hold them to it on generated data at every buffer offset.
 */
#include "costrank/csv.h"
#include "io/csv_select.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#if defined(__SSE2__) && !defined(COSTRANK_CSV_PORTABLE)
#include <emmintrin.h>
#define CSV_SSE2 1
#if defined(__x86_64__) && defined(__GNUC__)
/* More builds of the fast path, for CPUs with AVX2 or AVX-512BW (and
 * POPCNT, BMI, PCLMUL), chosen at run time. */
#include <immintrin.h>
#define CSV_AVX2 1
#endif
#endif

#define INITIAL_BUFFER (1u << 20)
/* The longest record plus the first byte of its line end. */
#define MAX_BUFFER ((size_t)CR_CSV_MAX_RECORD + 1)
/* Readable bytes after the sentinel: a block load at the sentinel plus the
 * one byte after that block that the fast path peeks at. */
#define SCAN_PAD 128
#define INITIAL_FIELDS 256

enum { PARSE_EOF = 0, PARSE_RECORD = 1, PARSE_ERROR = -1, PARSE_MORE = 2, PARSE_SLOW = 3 };

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

	/* Fast path and column selection (csv_select.h). */
	bool fast;             /* try the fast path first */
	int isa;               /* its instruction set (CSV_ISA_*) */
	int (*parse_fast)(cr_csv *csv);
	bool slow_cache;       /* base/mask may be stale: rebuild before parse_record */
	size_t *want;          /* chosen column indexes, ascending; NULL: all */
	size_t nwant;
	size_t *next_want;     /* next_want[i]: first chosen index >= i, i <= last chosen */
	size_t want_end;       /* last chosen index + 1 */
	unsigned char *lazy;   /* lazy[i]: chosen column i is prepared on demand */
	uint64_t *pending;     /* pending[i] == nrec: field i is still quoted */
	uint64_t nrec;         /* records returned */
	char *scratch;         /* unescaped fields of the last fast record */
	size_t scratch_cap, scratch_used;

	/* Reading part of a file (csv_select.h). */
	int64_t data_off;      /* input offset of data[0] */
	int64_t stop_at;       /* no record from this offset on; -1: none */
	bool no_bom;           /* the input starts inside the file */
};

/* The instruction sets of the fast path: the values of enum cr_csv_path. */
enum { CSV_ISA_SWAR = CR_CSV_PATH_SWAR, CSV_ISA_SSE2 = CR_CSV_PATH_SSE2,
       CSV_ISA_AVX2 = CR_CSV_PATH_AVX2, CSV_ISA_AVX512 = CR_CSV_PATH_AVX512 };

/* ---- block scanner ---------------------------------------------------- */

#define ONES UINT64_C(0x0101010101010101)
#define LOW7 UINT64_C(0x7f7f7f7f7f7f7f7f)

/* 0x80 in each byte of x that is zero, 0 elsewhere (exact, no carries). */
static inline uint64_t zero_bytes(uint64_t x)
{
	return ~(((x & LOW7) + LOW7) | x | LOW7);
}

/* Gathers the high bit of byte k into bit k. */
static inline uint64_t gather(uint64_t hit)
{
	return ((hit >> 7) * UINT64_C(0x0102040810204080)) >> 56;
}

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
		m |= gather(hit) << (8 * i);
	}
	return m;
}
#endif

/*
 * The masks the fast path works from: bit k describes byte p[k].  rare
 * holds CR and NUL bytes, which ordinary records do not have; they are told
 * apart only when a block has one.
 */
struct block {
	uint64_t comma, quote, lf, rare;
};

static inline void classify_swar(const char *p, struct block *b)
{
	b->comma = b->quote = b->lf = b->rare = 0;
	for (int i = 0; i < 8; i++) {
		uint64_t w;
		unsigned sh = 8 * (unsigned)i;
		memcpy(&w, p + 8 * i, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		w = __builtin_bswap64(w);
#endif
		b->comma |= gather(zero_bytes(w ^ (ONES * ','))) << sh;
		b->quote |= gather(zero_bytes(w ^ (ONES * '"'))) << sh;
		b->lf |= gather(zero_bytes(w ^ (ONES * '\n'))) << sh;
		b->rare |= gather(zero_bytes(w ^ (ONES * '\r')) | zero_bytes(w)) << sh;
	}
}

#ifdef CSV_SSE2
static inline void classify_sse2(const char *p, struct block *b)
{
	const __m128i comma = _mm_set1_epi8(',');
	const __m128i quote = _mm_set1_epi8('"');
	const __m128i lf = _mm_set1_epi8('\n');
	const __m128i cr = _mm_set1_epi8('\r');
	const __m128i zero = _mm_setzero_si128();

	b->comma = b->quote = b->lf = b->rare = 0;
	for (int i = 0; i < 4; i++) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)(p + 16 * i));
		unsigned sh = 16 * (unsigned)i;
		b->comma |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, comma)) << sh;
		b->quote |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, quote)) << sh;
		b->lf |= (uint64_t)(uint32_t)_mm_movemask_epi8(_mm_cmpeq_epi8(v, lf)) << sh;
		b->rare |= (uint64_t)(uint32_t)_mm_movemask_epi8(
			_mm_or_si128(_mm_cmpeq_epi8(v, cr), _mm_cmpeq_epi8(v, zero))) << sh;
	}
}
#endif

#ifdef CSV_AVX2
__attribute__((target("avx2")))
static inline void classify_avx2(const char *p, struct block *b)
{
	const __m256i comma = _mm256_set1_epi8(',');
	const __m256i quote = _mm256_set1_epi8('"');
	const __m256i lf = _mm256_set1_epi8('\n');
	const __m256i cr = _mm256_set1_epi8('\r');
	const __m256i zero = _mm256_setzero_si256();
	__m256i lo = _mm256_loadu_si256((const __m256i *)(const void *)p);
	__m256i hi = _mm256_loadu_si256((const __m256i *)(const void *)(p + 32));

#define MASK64(x) ((uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(lo, x)) | \
		   (uint64_t)(uint32_t)_mm256_movemask_epi8(_mm256_cmpeq_epi8(hi, x)) << 32)
	b->comma = MASK64(comma);
	b->quote = MASK64(quote);
	b->lf = MASK64(lf);
	b->rare = MASK64(cr) | MASK64(zero);
#undef MASK64
}
#endif

#ifdef CSV_AVX2
__attribute__((target("avx512f,avx512bw")))
static inline void classify_avx512(const char *p, struct block *b)
{
	__m512i v = _mm512_loadu_si512((const void *)p);

	b->comma = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8(','));
	b->quote = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('"'));
	b->lf = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\n'));
	b->rare = _mm512_cmpeq_epi8_mask(v, _mm512_set1_epi8('\r')) |
		  _mm512_cmpeq_epi8_mask(v, _mm512_setzero_si512());
}

/* prefix_xor in one carry-less multiplication by all ones. */
__attribute__((target("pclmul,sse2")))
static inline uint64_t prefix_xor_clmul(uint64_t x)
{
	__m128i r = _mm_clmulepi64_si128(_mm_set_epi64x(0, (long long)x),
					 _mm_set1_epi8((char)0xFF), 0);
	return (uint64_t)_mm_cvtsi128_si64(r);
}
#endif

#ifdef CSV_AVX2
/* The index of the j-th set bit of x (j from 0; x has more than j). */
__attribute__((target("bmi,bmi2")))
static inline unsigned nth_bit_bmi2(uint64_t x, unsigned j)
{
	return (unsigned)__builtin_ctzll(_pdep_u64(UINT64_C(1) << j, x));
}
#endif

static inline unsigned nth_bit(uint64_t x, unsigned j)
{
	while (j--)
		x &= x - 1;
	return (unsigned)__builtin_ctzll(x);
}

/* Bit k of the result is the XOR of bits 0..k of x: with x the quote bits,
 * the bytes from an opening quote up to (not including) its closing one. */
static inline uint64_t prefix_xor(uint64_t x)
{
	x ^= x << 1;
	x ^= x << 2;
	x ^= x << 4;
	x ^= x << 8;
	x ^= x << 16;
	x ^= x << 32;
	return x;
}

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

cr_csv *cr_csv_new_sized(cr_input *in, size_t buffer)
{
	cr_csv *csv = cr_xcalloc(1, sizeof *csv);

	if (buffer < 64)
		buffer = 64;
	if (buffer > MAX_BUFFER)
		buffer = MAX_BUFFER;
	csv->in = in;
	csv->cap = buffer;
	csv->data = cr_xmalloc(csv->cap + SCAN_PAD);
	csv->end = csv->pos = csv->data;
	memset(csv->data, 0, SCAN_PAD);
	csv->base = csv->data;
	csv->mask = 1; /* the sentinel at data[0] */
	csv->line = 1;
	csv->fcap = INITIAL_FIELDS;
	csv->fields = cr_xmalloc(csv->fcap * sizeof *csv->fields);
	csv->stop_at = -1;
	cr_csv_use_path(csv, CR_CSV_PATH_BEST);
	return csv;
}

cr_csv *cr_csv_new(cr_input *in)
{
	return cr_csv_new_sized(in, INITIAL_BUFFER);
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return x < y ? -1 : x > y;
}

void cr_csv_select(cr_csv *csv, const size_t *columns, size_t n,
		   const size_t *lazy, size_t nlazy)
{
	size_t k = 0;

	free(csv->want);
	free(csv->next_want);
	free(csv->lazy);
	free(csv->pending);
	csv->want = csv->next_want = NULL;
	csv->lazy = NULL;
	csv->pending = NULL;
	csv->nwant = csv->want_end = 0;
	if (!columns)
		return;
	csv->want = cr_xmalloc((n ? n : 1) * sizeof *csv->want);
	memcpy(csv->want, columns, n * sizeof *columns);
	qsort(csv->want, n, sizeof *csv->want, cmp_size);
	/* drop duplicates */
	for (size_t i = 0; i < n; i++)
		if (!k || csv->want[k - 1] != csv->want[i])
			csv->want[k++] = csv->want[i];
	/* the chosen fields are stored at their index */
	while (k && csv->fcap <= csv->want[k - 1] && csv->fcap < CR_CSV_MAX_FIELDS) {
		csv->fcap = csv->fcap * 2 < CR_CSV_MAX_FIELDS ? csv->fcap * 2 : CR_CSV_MAX_FIELDS;
		csv->fields = cr_xrealloc(csv->fields, csv->fcap * sizeof *csv->fields);
	}
	/* columns past any record the reader accepts are never there */
	while (k && csv->want[k - 1] >= csv->fcap)
		k--;
	csv->nwant = k;
	csv->want_end = k ? csv->want[k - 1] + 1 : 0;
	csv->next_want = cr_xmalloc((csv->want_end + 1) * sizeof *csv->next_want);
	for (size_t i = 0, j = 0; i < csv->want_end; i++) {
		while (csv->want[j] < i)
			j++;
		csv->next_want[i] = csv->want[j];
	}
	csv->next_want[csv->want_end] = SIZE_MAX;
	csv->lazy = cr_xcalloc(csv->want_end + 1, 1);
	csv->pending = cr_xcalloc(csv->want_end + 1, sizeof *csv->pending);
	for (size_t i = 0; i < nlazy; i++)
		if (lazy[i] < csv->want_end)
			csv->lazy[lazy[i]] = 1;
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
		csv->data_off += keep_from - csv->data;
		rebase_fields(csv, keep_from, ndata);
		csv->pos = ndata + (csv->pos - keep_from);
		free(csv->data);
		csv->data = ndata;
		csv->cap = ncap;
	} else if (keep_from != csv->data) {
		csv->data_off += keep_from - csv->data;
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
	csv->slow_cache = false;
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

/* ---- fast path -------------------------------------------------------- */

/*
 * Copies s[0..n) to dst collapsing its doubled quotes (every quote there is
 * one of a pair); returns the length written.  Map columns hold JSON with
 * dozens of pairs, so the copy goes from quote to quote in 8-byte steps
 * (16 with SSE2): dst needs n + 16 bytes.
 */
static size_t unescape_swar(char *dst, const char *s, size_t n)
{
	const char *src = s, *stop = s + n;
	char *d = dst;

	while (stop - src >= 8) {
		uint64_t w, m;
		memcpy(&w, src, 8);
		memcpy(d, &w, 8);
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
		w = __builtin_bswap64(w);
#endif
		m = zero_bytes(w ^ (ONES * '"'));
		if (!m) {
			src += 8;
			d += 8;
		} else {
			unsigned k = (unsigned)__builtin_ctzll(m) / 8;
			src += k + 2;   /* keep the first quote, drop the second */
			d += k + 1;
		}
	}
	while (src < stop) {
		char c = *src++;
		*d++ = c;
		if (c == '"')
			src++;
	}
	return (size_t)(d - dst);
}

#ifdef CSV_SSE2
static size_t unescape_sse2(char *dst, const char *s, size_t n)
{
	const __m128i quote = _mm_set1_epi8('"');
	const char *src = s, *stop = s + n;
	char *d = dst;

	while (stop - src >= 16) {
		__m128i v = _mm_loadu_si128((const __m128i *)(const void *)src);
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, quote));
		_mm_storeu_si128((__m128i *)(void *)d, v);
		if (!m) {
			src += 16;
			d += 16;
		} else {
			unsigned k = (unsigned)__builtin_ctz(m);
			src += k + 2;
			d += k + 1;
		}
	}
	return (size_t)(d - dst) + unescape_swar(d, src, (size_t)(stop - src));
}
#endif

/* Unquotes and NUL-terminates a field found by parse_fast.  A field with
 * doubled quotes is unescaped into the scratch area (room was made). */
static inline void finish_field(cr_csv *csv, cr_field *f, bool last)
{
	char *p = (char *)f->ptr;
	size_t len = f->len;

	if (last && len && p[len - 1] == '\r')
		len--; /* the CR of a CR LF */
	if (len && p[0] == '"') {
		p++;
		len -= 2;
		if (memchr(p, '"', len)) {
			char *d = csv->scratch + csv->scratch_used;
#ifdef CSV_SSE2
			if (csv->isa != CSV_ISA_SWAR)
				len = unescape_sse2(d, p, len);
			else
#endif
				len = unescape_swar(d, p, len);
			csv->scratch_used += len + 1;
			p = d;
		}
		f->ptr = p;
	}
	p[len] = '\0';
	f->len = len;
}

/*
 * Parses one ordinary record from pos (see the top of the file).  Returns
 * PARSE_RECORD, or PARSE_SLOW with nothing changed when the record must go
 * to parse_record.  Inlined into one function per instruction set.
 */
static inline __attribute__((always_inline)) int parse_fast_impl(cr_csv *csv, int isa)
{
	char *const start = csv->pos;
	char *base = csv->data + ((size_t)(start - csv->data) & ~(size_t)63);
	uint64_t valid = ~UINT64_C(0) << (start - base);
	uint64_t in_carry = 0;   /* all ones when the last block ended inside quotes */
	uint64_t prev_sep = UINT64_C(1) << (start - base); /* a quote may open here */
	const size_t *next_want = csv->next_want;
	const bool all = csv->want == NULL;
	const size_t want_end = csv->want_end;
	cr_field *fields = csv->fields;
	size_t fcap = csv->fcap;
	size_t nf = 0, nextw = all ? 0 : next_want[0];
	char *fstart = start;
	long lines = 1;

	(void)isa; /* unused when only the portable build exists */
	if (csv->partial || csv->pending_cr || start >= csv->end ||
	    *start == '\n' || *start == '\r')
		return PARSE_SLOW;

	for (;;) {
		struct block b;
		uint64_t q, inside, in_prev, out, lf_out, limit, seps, bad, cr = 0;
		unsigned char nb = (unsigned char)base[64];

#ifdef CSV_AVX2
		if (isa == CSV_ISA_AVX512)
			classify_avx512(base, &b);
		else if (isa == CSV_ISA_AVX2)
			classify_avx2(base, &b);
		else
#endif
#ifdef CSV_SSE2
		if (isa == CSV_ISA_SSE2)
			classify_sse2(base, &b);
		else
#endif
			classify_swar(base, &b);
		if (b.rare) {
			uint64_t r = b.rare;
			while (r) {
				unsigned k = (unsigned)__builtin_ctzll(r);
				r &= r - 1;
				if (base[k] == '\r')
					cr |= UINT64_C(1) << k;
				else if ((UINT64_C(1) << k) & valid)
					return PARSE_SLOW; /* a NUL: in the data or the sentinel */
			}
		}
		q = b.quote & valid;
		if (!(q | in_carry)) {
			/* no quote, and not inside one: most blocks */
			inside = 0;
			bad = 0;
		} else {
#ifdef CSV_AVX2
			if (isa >= CSV_ISA_AVX2)
				inside = prefix_xor_clmul(q) ^ in_carry;
			else
#endif
				inside = prefix_xor(q) ^ in_carry;
			in_prev = (inside << 1) | (in_carry & 1);
			/* quotes that open after anything but a separator or a
			 * quote, or close before anything but a separator, CR or
			 * quote */
			bad = (q & inside & ~in_prev & ~(((b.comma | b.quote) << 1) | prev_sep)) |
			      (q & ~inside & in_prev &
			       ~(((b.comma | b.lf | b.quote | cr) >> 1) |
				 ((uint64_t)(nb == ',' || nb == '\n' || nb == '"' || nb == '\r') << 63)));
		}
		out = ~inside & valid;
		lf_out = b.lf & out;
		limit = lf_out ? lf_out ^ (lf_out - 1) : ~UINT64_C(0);
		/* a CR outside quotes that does not end the record with a LF */
		if (cr & out)
			bad |= cr & out & ~((b.lf >> 1) | ((uint64_t)(nb == '\n') << 63));
		if (bad & limit)
			return PARSE_SLOW;
		lines += __builtin_popcountll(b.lf & inside & valid & limit);

		seps = (b.comma | b.lf) & out & limit;
		while (seps) {
			unsigned k;

			if (!all) {
				unsigned cnt = (unsigned)__builtin_popcountll(seps);
				unsigned skip;
				if (nf + cnt <= nextw) {
					/* none of the fields ending in this block is chosen */
					nf += cnt;
					fstart = base + 64 - __builtin_clzll(seps);
					break;
				}
				skip = (unsigned)(nextw - nf);
				if (skip) {
					/* jump over the unchosen fields before the next chosen one */
					unsigned last;
#ifdef CSV_AVX2
					if (isa >= CSV_ISA_AVX2)
						last = nth_bit_bmi2(seps, skip - 1);
					else
#endif
						last = nth_bit(seps, skip - 1);
					fstart = base + last + 1;
					seps &= ~UINT64_C(1) << last;   /* bits after last */
					nf = nextw;
				}
			}
			k = (unsigned)__builtin_ctzll(seps);
			seps &= seps - 1;
			if (all || nf == nextw) {
				if (nf >= fcap)
					return PARSE_SLOW; /* the slow path grows the array */
				fields[nf].ptr = fstart;
				fields[nf].len = (size_t)(base + k - fstart);
				if (!all)
					nextw = next_want[nf + 1];
			}
			nf++;
			fstart = base + k + 1;
		}
		if (lf_out)
			break;
		in_carry = (uint64_t)((int64_t)inside >> 63);
		prev_sep = (b.comma | b.quote) >> 63;
		base += 64;
		valid = ~UINT64_C(0);
	}
	if (nf > CR_CSV_MAX_FIELDS)
		return PARSE_SLOW;

	/* The record is valid: now unquote and terminate the chosen fields. */
	{
		size_t need = (size_t)(fstart - start) + 17 * (all ? nf : csv->nwant) + 1;
		if (need > csv->scratch_cap) {
			free(csv->scratch);
			csv->scratch_cap = need + need / 2;
			csv->scratch = cr_xmalloc(csv->scratch_cap);
		}
		csv->scratch_used = 0;
	}
	if (all) {
		for (size_t i = 0; i < nf; i++)
			finish_field(csv, &fields[i], i + 1 == nf);
	} else {
		for (size_t j = 0; j < csv->nwant; j++) {
			size_t i = csv->want[j];
			if (i >= nf || i >= want_end)
				break;
			if (csv->lazy[i] && fields[i].ptr[0] == '"')
				csv->pending[i] = csv->nrec + 1;
			else
				finish_field(csv, &fields[i], i + 1 == nf);
		}
	}
	csv->nf = nf;
	csv->rec_line = csv->line;
	csv->line += lines;
	csv->pos = fstart;
	csv->slow_cache = true;
	return PARSE_RECORD;
}

static int parse_fast_swar(cr_csv *csv)
{
	return parse_fast_impl(csv, CSV_ISA_SWAR);
}

#ifdef CSV_SSE2
static int parse_fast_sse2(cr_csv *csv)
{
	return parse_fast_impl(csv, CSV_ISA_SSE2);
}
#endif

#ifdef CSV_AVX2
__attribute__((target("avx2,popcnt,bmi,bmi2,pclmul")))
static int parse_fast_avx2(cr_csv *csv)
{
	return parse_fast_impl(csv, CSV_ISA_AVX2);
}

__attribute__((target("avx512f,avx512bw,avx2,popcnt,bmi,bmi2,pclmul")))
static int parse_fast_avx512(cr_csv *csv)
{
	return parse_fast_impl(csv, CSV_ISA_AVX512);
}
#endif

static bool isa_supported(enum cr_csv_path isa)
{
	switch (isa) {
	case CR_CSV_PATH_SWAR:
		return true;
#ifdef CSV_SSE2
	case CR_CSV_PATH_SSE2:
		return true;
#endif
#ifdef CSV_AVX2
	case CR_CSV_PATH_AVX2:
		return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt") &&
		       __builtin_cpu_supports("bmi") && __builtin_cpu_supports("bmi2") &&
		       __builtin_cpu_supports("pclmul");
	case CR_CSV_PATH_AVX512:
		return isa_supported(CR_CSV_PATH_AVX2) && __builtin_cpu_supports("avx512f") &&
		       __builtin_cpu_supports("avx512bw");
#endif
	default:
		return false;
	}
}

bool cr_csv_use_path(cr_csv *csv, enum cr_csv_path path)
{
	static int (*const fns[])(cr_csv *) = {
		[CR_CSV_PATH_SWAR] = parse_fast_swar,
#ifdef CSV_SSE2
		[CR_CSV_PATH_SSE2] = parse_fast_sse2,
#endif
#ifdef CSV_AVX2
		[CR_CSV_PATH_AVX2] = parse_fast_avx2,
		[CR_CSV_PATH_AVX512] = parse_fast_avx512,
#endif
	};

	if (path == CR_CSV_PATH_BEST) {
		for (int p = CR_CSV_PATH_AVX512; p >= CR_CSV_PATH_SWAR; p--)
			if (cr_csv_use_path(csv, (enum cr_csv_path)p))
				return true;
		return false;
	}
	if (path == CR_CSV_PATH_SLOW) {
		csv->fast = false;
		return true;
	}
	if (path < CR_CSV_PATH_SWAR || path > CR_CSV_PATH_AVX512 || !isa_supported(path))
		return false;
	csv->fast = true;
	csv->isa = path;
	csv->parse_fast = fns[path];
	return true;
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
		if (!csv->no_bom && csv->end - csv->pos >= 3 &&
		    memcmp(csv->pos, "\xEF\xBB\xBF", 3) == 0)
			csv->pos += 3;
	}
	if (csv->stop_at >= 0 && !csv->partial && cr_csv_offset(csv) >= csv->stop_at)
		return 0;
	for (;;) {
		int rc = csv->fast ? csv->parse_fast(csv) : PARSE_SLOW;

		if (rc == PARSE_SLOW) {
			if (csv->slow_cache) {
				/* the block cache may predate records the fast path took */
				csv->base = csv->pos;
				csv->mask = block_mask(csv->pos);
				csv->slow_cache = false;
			}
			rc = parse_record(csv, e);
		}

		if (rc == PARSE_RECORD) {
			csv->nrec++;
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

const cr_field *cr_csv_field(cr_csv *csv, size_t column)
{
	cr_field *f = &csv->fields[column];

	if (column < csv->want_end && csv->pending[column] == csv->nrec) {
		csv->pending[column] = 0;
		finish_field(csv, f, column + 1 == csv->nf);
	}
	return f;
}

bool cr_csv_field_escaped(cr_csv *csv, size_t column, cr_field *out)
{
	const cr_field *f = &csv->fields[column];

	if (column < csv->want_end && csv->pending[column] == csv->nrec) {
		size_t len = f->len;
		if (column + 1 == csv->nf && f->ptr[len - 1] == '\r')
			len--;
		out->ptr = f->ptr + 1;
		out->len = len - 2;
		return true;
	}
	*out = *f;
	return false;
}

void cr_csv_start_at(cr_csv *csv, int64_t offset)
{
	csv->data_off = offset;
	csv->no_bom = true;
}

void cr_csv_stop_at(cr_csv *csv, int64_t offset)
{
	csv->stop_at = offset;
}

int64_t cr_csv_offset(const cr_csv *csv)
{
	return csv->data_off + (csv->pos - csv->data);
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
	free(csv->want);
	free(csv->next_want);
	free(csv->lazy);
	free(csv->pending);
	free(csv->scratch);
	free(csv);
}
