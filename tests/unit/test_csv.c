/*
 * test_csv.c - the streaming CSV reader (csv.h) and its input (input.h).
 *
 * Each input case is written to a file in a temporary directory, read with
 * cr_input_open + cr_csv, and the records are rendered as text, one line
 * per record: "LINE:field|field|...\n", with \ | LF CR NUL escaped as
 * \\ \| \n \r \0, followed by "ERROR: message\n" when reading failed.
 * The rendering is compared with the expected text or with the output of
 * ref_parse(), a byte-at-a-time parser written for clarity, on generated
 * data: random files several buffers long, and records straddling the end
 * of the reader's 1 MiB buffer at every offset.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "costrank/buf.h"
#include "costrank/csv.h"
#include "costrank/error.h"
#include "costrank/input.h"

#define MIB (1u << 20)
#define BUFFER_SIZE MIB /* the reader's initial buffer */

static char tmpdir[1024];

/* ---- files ------------------------------------------------------------ */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static int setup_tmpdir(void **state)
{
	const char *base = getenv("TMPDIR");

	(void)state;
	snprintf(tmpdir, sizeof tmpdir, "%s/costrank-test-csv-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(tmpdir)) {
		fprintf(stderr, "mkdtemp %s: %s\n", tmpdir, strerror(errno));
		return -1;
	}
	return 0;
}

static int teardown_tmpdir(void **state)
{
	(void)state;
	nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return 0;
}

/* A path in the temporary directory (static storage, one at a time per
 * slot). */
static const char *tmp_path(const char *name)
{
	static char paths[4][PATH_MAX];
	static int slot;
	char *p = paths[slot++ % 4];

	snprintf(p, PATH_MAX, "%s/%s", tmpdir, name);
	return p;
}

static void write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");

	if (!f)
		fail_msg("cannot create %s: %s", path, strerror(errno));
	if (len && fwrite(data, 1, len, f) != len)
		fail_msg("cannot write %s", path);
	if (fclose(f) != 0)
		fail_msg("cannot write %s", path);
}

static char *read_whole(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	cr_buf b = CR_BUF_INIT;
	char chunk[65536];
	size_t n;

	if (!f)
		fail_msg("cannot open %s: %s", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		cr_buf_add(&b, chunk, n);
	fclose(f);
	*len = b.len;
	return cr_buf_detach(&b);
}

static const char *data_dir(void)
{
	static char dir[PATH_MAX];
	const char *env = getenv("COSTRANK_TEST_DATA");

	if (env && *env)
		return env;
	/* Run by hand: tests/unit/../data next to this source file. */
	snprintf(dir, sizeof dir, "%s", __FILE__);
	char *slash = strrchr(dir, '/');
	if (slash)
		snprintf(slash, sizeof dir - (size_t)(slash - dir), "/../data");
	else
		snprintf(dir, sizeof dir, "../data");
	return dir;
}

/* ---- gzip ------------------------------------------------------------- */

/* Appends one gzip member holding data[0..len) to out. */
static void gzip_member(cr_buf *out, const void *data, size_t len)
{
	z_stream zs;
	unsigned char chunk[65536];
	int ret;

	memset(&zs, 0, sizeof zs);
	assert_int_equal(deflateInit2(&zs, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
	zs.next_in = (unsigned char *)(uintptr_t)data;
	zs.avail_in = (uInt)len;
	do {
		zs.next_out = chunk;
		zs.avail_out = sizeof chunk;
		ret = deflate(&zs, Z_FINISH);
		assert_true(ret == Z_OK || ret == Z_STREAM_END);
		cr_buf_add(out, chunk, sizeof chunk - zs.avail_out);
	} while (ret != Z_STREAM_END);
	deflateEnd(&zs);
}

/* ---- rendering ---------------------------------------------------------- */

static void render_bytes(cr_buf *b, const char *p, size_t n)
{
	size_t i = 0;

	while (i < n) {
		size_t j = i;
		while (j < n && p[j] != '\\' && p[j] != '|' && p[j] != '\n' && p[j] != '\r' && p[j] != '\0')
			j++;
		cr_buf_add(b, p + i, j - i);
		if (j == n)
			break;
		switch (p[j]) {
		case '\\': cr_buf_adds(b, "\\\\"); break;
		case '|': cr_buf_adds(b, "\\|"); break;
		case '\n': cr_buf_adds(b, "\\n"); break;
		case '\r': cr_buf_adds(b, "\\r"); break;
		default: cr_buf_adds(b, "\\0"); break;
		}
		i = j + 1;
	}
}

/*
 * Reads path with the reader under test and renders every record.
 * Returns the last cr_csv_next result (0 or -1); *nrec counts records.
 * Checks on the way that each field is NUL-terminated in place and that an
 * error is sticky.
 */
static int parse_render(const char *name, const char *path, cr_buf *out, long *nrec)
{
	cr_error err;
	cr_input *in;
	cr_csv *csv;
	cr_field *f;
	size_t n;
	int rc;

	cr_error_clear(&err);
	cr_buf_reset(out);
	cr_buf_add(out, "", 0);
	*nrec = 0;
	in = cr_input_open(path, &err);
	if (!in)
		fail_msg("case %s: cannot open %s: %s", name, path, err.msg);
	csv = cr_csv_new(in);
	assert_string_equal(cr_csv_path(csv), path);
	while ((rc = cr_csv_next(csv, &f, &n, &err)) > 0) {
		(*nrec)++;
		if (n == 0)
			fail_msg("case %s: record %ld has no fields", name, *nrec);
		cr_buf_addf(out, "%ld:", cr_csv_line(csv));
		for (size_t i = 0; i < n; i++) {
			if (f[i].ptr[f[i].len] != '\0')
				fail_msg("case %s: record %ld field %zu is not NUL-terminated",
				         name, *nrec, i + 1);
			if (i)
				cr_buf_addc(out, '|');
			render_bytes(out, f[i].ptr, f[i].len);
		}
		cr_buf_addc(out, '\n');
	}
	if (rc < 0) {
		cr_error again;

		if (err.code != CR_EXIT_INPUT)
			fail_msg("case %s: error code %d, want %d (%s)", name, err.code,
			         CR_EXIT_INPUT, err.msg);
		cr_buf_addf(out, "ERROR: %s\n", err.msg);
		cr_error_clear(&again);
		if (cr_csv_next(csv, &f, &n, &again) != -1 || strcmp(again.msg, err.msg) != 0)
			fail_msg("case %s: the error is not repeated by the next call: \"%s\"",
			         name, again.msg);
	} else if (cr_csv_next(csv, &f, &n, &err) != 0) {
		fail_msg("case %s: another call after the end does not return 0", name);
	}
	cr_csv_free(csv);
	cr_input_close(in);
	return rc;
}

/* Fails showing the first line where got and want differ. */
static void compare_text(const char *name, const char *what, const cr_buf *got, const cr_buf *want)
{
	size_t i = 0, line_start = 0, line_no = 1;
	size_t gl = got->len, wl = want->len;

	if (gl == wl && memcmp(got->ptr, want->ptr, gl) == 0)
		return;
	while (i < gl && i < wl && got->ptr[i] == want->ptr[i]) {
		if (got->ptr[i] == '\n') {
			line_start = i + 1;
			line_no++;
		}
		i++;
	}
	{
		const char *ge = memchr(got->ptr + line_start, '\n', gl - line_start);
		const char *we = memchr(want->ptr + line_start, '\n', wl - line_start);
		int gn = (int)((ge ? ge : got->ptr + gl) - (got->ptr + line_start));
		int wn = (int)((we ? we : want->ptr + wl) - (want->ptr + line_start));
		if (gn > 300)
			gn = 300;
		if (wn > 300)
			wn = 300;
		fail_msg("case %s: %s differs at output line %zu (byte %zu)\n  want: %.*s%s\n  got:  %.*s%s",
		         name, what, line_no, i, wn, want->ptr + line_start, wl == line_start ? "<end>" : "",
		         gn, got->ptr + line_start, gl == line_start ? "<end>" : "");
	}
}

/* Replaces each "{P}" in s by path. */
static void expand_path(cr_buf *out, const char *s, const char *path)
{
	const char *m;

	cr_buf_reset(out);
	cr_buf_add(out, "", 0);
	while ((m = strstr(s, "{P}")) != NULL) {
		cr_buf_add(out, s, (size_t)(m - s));
		cr_buf_adds(out, path);
		s = m + 3;
	}
	cr_buf_adds(out, s);
}

static void check_case(const char *name, const char *data, size_t len, const char *expected)
{
	cr_buf got = CR_BUF_INIT, want = CR_BUF_INIT;
	char file[128];
	const char *path;
	long nrec;

	snprintf(file, sizeof file, "%s.csv", name);
	path = tmp_path(file);
	write_file(path, data, len);
	parse_render(name, path, &got, &nrec);
	expand_path(&want, expected, path);
	compare_text(name, "records", &got, &want);
	cr_buf_release(&got);
	cr_buf_release(&want);
}

/* CASE("name", "data", "expected"): data may hold NUL bytes. */
#define CASE(name, data, expected) check_case(name, data, sizeof(data) - 1, expected)

/* ---- reference parser ------------------------------------------------- */

/*
 * The grammar, one byte at a time: BOM skipped at the start; blank lines
 * (LF, CRLF or CR alone) skipped; a field is quoted ("..." with "" for a
 * quote, any byte but NUL inside, then , or a line end or the end of the
 * data) or unquoted (up to , CR LF or the end; a quote in it is data); a
 * record ends at LF, CRLF, CR or the end of the data.  Renders like
 * parse_render.
 */
static void ref_parse(const char *path, const char *d, size_t n, cr_buf *out)
{
	cr_buf rec = CR_BUF_INIT, field = CR_BUF_INIT;
	size_t i = 0;
	long line = 1;

	cr_buf_reset(out);
	cr_buf_add(out, "", 0);
	if (n >= 3 && memcmp(d, "\xEF\xBB\xBF", 3) == 0)
		i = 3;
	for (;;) {
		size_t nf = 0;

		while (i < n && (d[i] == '\n' || d[i] == '\r')) {
			if (d[i] == '\r' && i + 1 < n && d[i + 1] == '\n')
				i++;
			i++;
			line++;
		}
		if (i == n)
			break;
		cr_buf_reset(&rec);
		cr_buf_addf(&rec, "%ld:", line);
		for (;;) {
			if (nf++)
				cr_buf_addc(&rec, '|');
			if (i < n && d[i] == '"') {
				long open_line = line;

				cr_buf_reset(&field);
				cr_buf_add(&field, "", 0);
				i++;
				for (;;) {
					if (i == n) {
						cr_buf_addf(out, "ERROR: %s:%ld: unterminated quoted field "
						            "(a \" opened here is never closed)\n", path, open_line);
						goto done;
					}
					if (d[i] == '\0')
						goto nul;
					if (d[i] == '"') {
						if (i + 1 < n && d[i + 1] == '"') {
							cr_buf_addc(&field, '"');
							i += 2;
							continue;
						}
						i++;
						break;
					}
					if (d[i] == '\n')
						line++;
					cr_buf_addc(&field, d[i]);
					i++;
				}
				render_bytes(&rec, field.ptr, field.len);
				if (i < n && d[i] != ',' && d[i] != '\n' && d[i] != '\r') {
					if (d[i] == '\0')
						goto nul;
					cr_buf_addf(out, "ERROR: %s:%ld: unexpected character after closing "
					            "quote in field %zu\n", path, line, nf);
					goto done;
				}
			} else {
				size_t j = i;
				while (j < n && d[j] != ',' && d[j] != '\n' && d[j] != '\r') {
					if (d[j] == '\0') {
						i = j;
						goto nul;
					}
					j++;
				}
				render_bytes(&rec, d + i, j - i);
				i = j;
			}
			if (i == n)
				break;
			if (d[i] == ',') {
				i++;
				continue;
			}
			if (d[i] == '\r' && i + 1 < n && d[i + 1] == '\n')
				i++;
			i++;
			line++;
			break;
		}
		cr_buf_add(out, rec.ptr, rec.len);
		cr_buf_addc(out, '\n');
	}
	goto done;
nul:
	cr_buf_addf(out, "ERROR: %s:%ld: NUL byte in data (binary file?)\n", path, line);
done:
	cr_buf_release(&rec);
	cr_buf_release(&field);
}

/* Writes data to name, parses it with both parsers and compares. */
static void check_vs_ref(const char *name, const char *file, const char *data, size_t len)
{
	cr_buf got = CR_BUF_INIT, want = CR_BUF_INIT;
	const char *path = tmp_path(file);
	long nrec;

	write_file(path, data, len);
	parse_render(name, path, &got, &nrec);
	ref_parse(path, data, len, &want);
	compare_text(name, "reader vs reference parser", &got, &want);
	cr_buf_release(&got);
	cr_buf_release(&want);
}

/* ---- random data ------------------------------------------------------ */

static uint64_t rng_state;

static uint64_t rnd(void)
{
	/* xorshift64* */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * UINT64_C(2685821657736338717);
}

static unsigned rnd_below(unsigned n)
{
	return (unsigned)(rnd() % n);
}

/* Random field content; *needs_quotes when it holds , " CR or LF. */
static void random_content(cr_buf *c, bool *needs_quotes)
{
	static const char *const pieces[] = {
		",", "\"", "\n", "\r\n", "\r", " ", "\"\"", "x,y", "é", "€", "\\", "|",
	};
	static const char alnum[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJ0123456789-_:/.";
	unsigned kind = rnd_below(10);
	unsigned len;

	cr_buf_reset(c);
	cr_buf_add(c, "", 0);
	*needs_quotes = false;
	switch (kind) {
	case 0: /* empty */
		return;
	case 1: /* a number */
		cr_buf_addf(c, "%u.%06u", rnd_below(100000), rnd_below(1000000));
		return;
	case 2: case 3: /* awkward text */
		len = 1 + rnd_below(12);
		for (unsigned i = 0; i < len; i++) {
			if (rnd_below(3) == 0)
				cr_buf_adds(c, pieces[rnd_below(sizeof pieces / sizeof pieces[0])]);
			else
				cr_buf_addc(c, alnum[rnd_below(sizeof alnum - 1)]);
		}
		*needs_quotes = strpbrk(c->ptr, ",\"\r\n") != NULL;
		return;
	case 4: /* a quote inside an unquoted field: data */
		cr_buf_addf(c, "%c\"%c", alnum[rnd_below(26)], alnum[rnd_below(26)]);
		return;
	case 5: /* long */
		len = 100 + rnd_below(400);
		for (unsigned i = 0; i < len; i++)
			cr_buf_addc(c, alnum[rnd_below(sizeof alnum - 1)]);
		return;
	default: /* short identifier */
		len = 1 + rnd_below(20);
		for (unsigned i = 0; i < len; i++)
			cr_buf_addc(c, alnum[rnd_below(sizeof alnum - 1)]);
		return;
	}
}

/*
 * Generates about size bytes of valid CSV into data and the expected
 * rendering into truth: random field counts, quoting, embedded line
 * breaks, LF / CRLF / CR line ends, blank lines, maybe no final newline.
 */
static void generate_csv(uint64_t seed, size_t size, cr_buf *data, cr_buf *truth)
{
	cr_buf content = CR_BUF_INIT;
	long line = 1;
	bool last_cr = false;

	rng_state = seed * 2 + 1;
	cr_buf_reset(data);
	cr_buf_add(data, "", 0);
	cr_buf_reset(truth);
	cr_buf_add(truth, "", 0);
	while (data->len < size) {
		unsigned nfields = rnd_below(20) == 0 ? 120 : 1 + rnd_below(12);
		unsigned end_kind;

		if (rnd_below(25) == 0) {
			/* blank lines (a LF right after a lone CR would pair with it) */
			unsigned k = 1 + rnd_below(3);
			for (unsigned i = 0; i < k; i++) {
				unsigned b = last_cr ? 2 : rnd_below(3);
				cr_buf_adds(data, b == 0 ? "\n" : b == 1 ? "\r\n" : "\r");
				last_cr = b == 2;
				line++;
			}
		}
		cr_buf_addf(truth, "%ld:", line);
		for (unsigned f = 0; f < nfields; f++) {
			bool quote;

			random_content(&content, &quote);
			if (nfields == 1 && content.len == 0)
				quote = true; /* an empty line would be skipped */
			if (!quote && rnd_below(8) == 0 && content.ptr[0] != '"')
				quote = true;
			if (content.ptr[0] == '"')
				quote = true;
			if (f) {
				cr_buf_addc(data, ',');
				cr_buf_addc(truth, '|');
			}
			if (quote) {
				cr_buf_addc(data, '"');
				for (size_t i = 0; i < content.len; i++) {
					if (content.ptr[i] == '"')
						cr_buf_addc(data, '"');
					if (content.ptr[i] == '\n')
						line++;
					cr_buf_addc(data, content.ptr[i]);
				}
				cr_buf_addc(data, '"');
			} else {
				cr_buf_add(data, content.ptr, content.len);
			}
			render_bytes(truth, content.ptr, content.len);
		}
		cr_buf_addc(truth, '\n');
		end_kind = rnd_below(10);
		if (data->len >= size && rnd_below(2) == 0)
			break; /* no final line end */
		cr_buf_adds(data, end_kind < 6 ? "\n" : end_kind < 9 ? "\r\n" : "\r");
		last_cr = end_kind == 9;
		line++;
	}
	cr_buf_release(&content);
}

/* Filler records making exactly len bytes (len >= 2). */
static void add_filler(cr_buf *b, size_t len)
{
	static const char row[] = "2024-01-01,AmazonEC2,BoxUsage:t3.micro,0.0104000000\n";
	size_t rl = sizeof row - 1;

	while (len >= rl + 2) {
		cr_buf_add(b, row, rl);
		len -= rl;
	}
	for (size_t i = 0; i + 1 < len; i++)
		cr_buf_addc(b, 'f');
	cr_buf_addc(b, '\n');
}

/* ---- tests: records ------------------------------------------------------ */

static void test_simple_records(void **state)
{
	(void)state;
	CASE("simple", "a,b,c\n1,2,3\n", "1:a|b|c\n2:1|2|3\n");
	CASE("simple_one_column", "x\ny\nz\n", "1:x\n2:y\n3:z\n");
	CASE("simple_ragged", "a,b,c\nd\ne,f\n", "1:a|b|c\n2:d\n3:e|f\n");
	CASE("simple_spaces_kept", " a , b \n", "1: a | b \n");
	CASE("simple_single_byte", "a", "1:a\n");
	CASE("simple_empty_file", "", "");
	CASE("simple_utf8", "h\xC3\xA9,\xE2\x82\xAC\n", "1:h\xC3\xA9|\xE2\x82\xAC\n");
}

static void test_quoted_fields(void **state)
{
	(void)state;
	CASE("quoted_comma", "\"a,b\",c\n", "1:a,b|c\n");
	CASE("quoted_doubled_quotes", "\"say \"\"hi\"\"\",x\n", "1:say \"hi\"|x\n");
	CASE("quoted_only_quote", "\"\"\"\"\n", "1:\"\n");
	CASE("quoted_quotes_at_edges", "\"\"\"a\"\"\",b\n", "1:\"a\"|b\n");
	CASE("quoted_many_doubled", "\"\"\"\"\"\"\"\"\"\",\"a\"\"b\"\"c\"\n", "1:\"\"\"\"|a\"b\"c\n");
	CASE("quoted_empty", "\"\"\n", "1:\n");
	CASE("quoted_two_empty", "\"\",\"\"\n", "1:|\n");
	CASE("quoted_mixed", "a,\"b\",c,\"d,e\"\n", "1:a|b|c|d,e\n");
	CASE("quoted_unicode", "\"\xC3\xA9,\"\"\xE2\x82\xAC\"\"\"\n", "1:\xC3\xA9,\"\xE2\x82\xAC\"\n");
}

static void test_quoted_embedded_line_breaks(void **state)
{
	(void)state;
	CASE("embedded_lf", "h1,h2\n\"line1\nline2\",x\nnext,row\n",
	     "1:h1|h2\n2:line1\\nline2|x\n4:next|row\n");
	CASE("embedded_crlf", "\"a\r\nb\",c\r\nd,e\r\n", "1:a\\r\\nb|c\n3:d|e\n");
	CASE("embedded_lone_cr_is_data", "\"a\rb\",c\nd\n", "1:a\\rb|c\n2:d\n");
	CASE("embedded_several", "\"1\n2\",\"3\n4\n5\"\nz\n", "1:1\\n2|3\\n4\\n5\n5:z\n");
	CASE("embedded_only_newlines", "\"\n\n\n\"\nz\n", "1:\\n\\n\\n\n5:z\n");
	CASE("embedded_then_blank_lines", "\"a\nb\"\n\n\nc\n", "1:a\\nb\n5:c\n");
	CASE("embedded_with_doubled_quote", "x,\"say\n\"\"hi\"\"\"\ny\n", "1:x|say\\n\"hi\"\n3:y\n");
}

static void test_crlf_files(void **state)
{
	(void)state;
	CASE("crlf", "a,b\r\nc,d\r\n", "1:a|b\n2:c|d\n");
	CASE("crlf_blank_line", "a,b\r\nc,d\r\n\r\ne,f\r\n", "1:a|b\n2:c|d\n4:e|f\n");
	CASE("crlf_quoted_last_field", "a,\"b\"\r\nc,\"d\"\r\n", "1:a|b\n2:c|d\n");
	CASE("crlf_no_final", "a\r\nb", "1:a\n2:b\n");
	CASE("crlf_empty_last_field", "a,\r\nb,\r\n", "1:a|\n2:b|\n");
	CASE("lone_cr_ends_record", "a,b\rc,d\r", "1:a|b\n2:c|d\n");
	CASE("lone_cr_after_quote", "\"a\"\r\"b\"\r", "1:a\n2:b\n");
	CASE("mixed_line_ends", "a\nb\r\nc\rd\n", "1:a\n2:b\n3:c\n4:d\n");
}

static void test_bom(void **state)
{
	(void)state;
	CASE("bom", "\xEF\xBB\xBF" "a,b\n1,2\n", "1:a|b\n2:1|2\n");
	CASE("bom_quoted_first_field", "\xEF\xBB\xBF\"a\",b\n", "1:a|b\n");
	CASE("bom_crlf", "\xEF\xBB\xBF" "a\r\nb\r\n", "1:a\n2:b\n");
	CASE("bom_only", "\xEF\xBB\xBF", "");
	CASE("bom_then_blank_lines", "\xEF\xBB\xBF\n\nx\n", "3:x\n");
	CASE("bom_not_at_start_is_data", "x\n\xEF\xBB\xBFy\n", "1:x\n2:\xEF\xBB\xBFy\n");
	CASE("bom_partial_is_data", "\xEF\xBB" "a\n", "1:\xEF\xBB" "a\n");
}

static void test_empty_fields(void **state)
{
	(void)state;
	CASE("empty_two_fields", ",\n", "1:|\n");
	CASE("empty_last_field", "a,b,\n", "1:a|b|\n");
	CASE("empty_last_field_no_newline", "a,b,", "1:a|b|\n");
	CASE("empty_three", ",,\n", "1:||\n");
	CASE("empty_first", ",a\n", "1:|a\n");
	CASE("empty_middle", "a,,b\n", "1:a||b\n");
	CASE("empty_quoted_last", "a,\"\"\n", "1:a|\n");
	CASE("empty_last_then_more", "a,\nb,\n", "1:a|\n2:b|\n");
}

static void test_missing_final_newline(void **state)
{
	(void)state;
	CASE("no_final_newline", "a,b\nc,d", "1:a|b\n2:c|d\n");
	CASE("no_final_newline_quoted", "a,\"b\nc\"", "1:a|b\\nc\n");
	CASE("no_final_newline_quoted_only", "\"x\"", "1:x\n");
	CASE("no_final_newline_doubled", "\"x\"\"\"", "1:x\"\n");
	CASE("final_cr", "a\r", "1:a\n");
	CASE("final_crlf_then_text", "a,b\r\nc", "1:a|b\n2:c\n");
}

static void test_blank_lines_skipped(void **state)
{
	(void)state;
	CASE("blank_lines", "\n\na\n\n\nb\n\n", "3:a\n6:b\n");
	CASE("blank_lines_crlf", "\r\n\r\na\r\n", "3:a\n");
	CASE("blank_lines_mixed", "\n\r\n\ra\n", "4:a\n");
	CASE("blank_lines_only", "\n\n\r\n", "");
	CASE("blank_line_at_end_no_newline", "a\n\n", "1:a\n");
	CASE("blank_not_whitespace", "a\n \nb\n", "1:a\n2: \n3:b\n");
}

static void test_lenient_quote_in_unquoted_field(void **state)
{
	(void)state;
	CASE("quote_mid_field", "a\"b,c\n", "1:a\"b|c\n");
	CASE("quote_pair_mid_field", "ab\"\",x\"\n", "1:ab\"\"|x\"\n");
	CASE("quote_after_space", "a, \"b\" ,c\n", "1:a| \"b\" |c\n");
	CASE("quote_at_end_of_unquoted", "12\"\n", "1:12\"\n");
}

static void test_fixture_file(void **state)
{
	cr_buf got = CR_BUF_INIT, want = CR_BUF_INIT, path = CR_BUF_INIT;
	char *expected;
	size_t len;
	long nrec;

	(void)state;
	cr_buf_addf(&path, "%s/csv/cur_sample.csv", data_dir());
	parse_render("fixture cur_sample.csv", path.ptr, &got, &nrec);
	cr_buf_reset(&path);
	cr_buf_addf(&path, "%s/csv/cur_sample.expected", data_dir());
	expected = read_whole(path.ptr, &len);
	cr_buf_release(&path);
	cr_buf_add(&want, expected, len);
	compare_text("fixture cur_sample.csv", "records", &got, &want);
	free(expected);
	cr_buf_release(&got);
	cr_buf_release(&want);
}

/* ---- tests: errors ------------------------------------------------------ */

static void test_error_unterminated_quote(void **state)
{
	(void)state;
	CASE("unterminated", "a,b\nc,\"d\ne\n",
	     "1:a|b\nERROR: {P}:2: unterminated quoted field (a \" opened here is never closed)\n");
	CASE("unterminated_later_line", "a\n\"x\ny\",\"open\nz\n",
	     "1:a\nERROR: {P}:3: unterminated quoted field (a \" opened here is never closed)\n");
	CASE("unterminated_doubled_at_end", "\"ab\"\"",
	     "ERROR: {P}:1: unterminated quoted field (a \" opened here is never closed)\n");
	CASE("unterminated_lone_quote", "x\n\"",
	     "1:x\nERROR: {P}:2: unterminated quoted field (a \" opened here is never closed)\n");
}

static void test_error_after_closing_quote(void **state)
{
	(void)state;
	CASE("after_quote", "a,b\n\"x\"y,z\n",
	     "1:a|b\nERROR: {P}:2: unexpected character after closing quote in field 1\n");
	CASE("after_quote_space", "1,\"2\" ,3\n",
	     "ERROR: {P}:1: unexpected character after closing quote in field 2\n");
	CASE("after_quote_multiline", "h\n\"a\nb\"c\n",
	     "1:h\nERROR: {P}:3: unexpected character after closing quote in field 1\n");
	CASE("after_quote_third_field", "a,b,\"c\"\"\"d\n",
	     "ERROR: {P}:1: unexpected character after closing quote in field 3\n");
}

static void test_error_nul_byte(void **state)
{
	(void)state;
	CASE("nul_unquoted", "a,b\nc\0d\n", "1:a|b\nERROR: {P}:2: NUL byte in data (binary file?)\n");
	CASE("nul_quoted", "x\n\"a\nb\0\"\n", "1:x\nERROR: {P}:3: NUL byte in data (binary file?)\n");
	CASE("nul_after_closing_quote", "\"a\"\0\n", "ERROR: {P}:1: NUL byte in data (binary file?)\n");
	CASE("nul_record_start", "a\n\0\n", "1:a\nERROR: {P}:2: NUL byte in data (binary file?)\n");
	CASE("nul_last_byte", "a\nb\0", "1:a\nERROR: {P}:2: NUL byte in data (binary file?)\n");
	CASE("nul_after_blank_lines", "a\n\n\r\n\0", "1:a\nERROR: {P}:4: NUL byte in data (binary file?)\n");
}

static void test_error_too_many_fields(void **state)
{
	cr_buf data = CR_BUF_INIT, want = CR_BUF_INIT, got = CR_BUF_INIT;
	const char *path;
	long nrec;

	(void)state;
	/* Exactly CR_CSV_MAX_FIELDS fields is fine. */
	cr_buf_adds(&data, "h\n");
	for (int i = 0; i < CR_CSV_MAX_FIELDS; i++)
		cr_buf_adds(&data, i ? ",v" : "v");
	cr_buf_adds(&data, "\nt\n");
	path = tmp_path("max_fields.csv");
	write_file(path, data.ptr, data.len);
	parse_render("max_fields", path, &got, &nrec);
	if (nrec != 3 || strstr(got.ptr, "ERROR"))
		fail_msg("case max_fields: want 3 records, got %ld (%.200s)", nrec, got.ptr);

	/* One more is an error on the record's line. */
	cr_buf_reset(&data);
	cr_buf_adds(&data, "h\n\"a\nb\"\n");
	for (int i = 0; i <= CR_CSV_MAX_FIELDS; i++)
		cr_buf_adds(&data, i ? ",v" : "v");
	cr_buf_adds(&data, "\n");
	path = tmp_path("too_many_fields.csv");
	write_file(path, data.ptr, data.len);
	parse_render("too_many_fields", path, &got, &nrec);
	cr_buf_addf(&want, "1:h\n2:a\\nb\nERROR: %s:4: too many fields (more than %d)\n", path,
	            CR_CSV_MAX_FIELDS);
	compare_text("too_many_fields", "records", &got, &want);
	cr_buf_release(&data);
	cr_buf_release(&want);
	cr_buf_release(&got);
}

static void test_error_record_too_long(void **state)
{
	cr_buf data = CR_BUF_INIT, got = CR_BUF_INIT, want = CR_BUF_INIT;
	const char *path;
	long nrec;

	(void)state;
	/* A record of exactly CR_CSV_MAX_RECORD bytes is fine. */
	cr_buf_adds(&data, "a\n");
	cr_buf_grow(&data, CR_CSV_MAX_RECORD + 16);
	memset(data.ptr + data.len, 'x', CR_CSV_MAX_RECORD);
	data.len += CR_CSV_MAX_RECORD;
	cr_buf_adds(&data, "\nb\n");
	path = tmp_path("max_record.csv");
	write_file(path, data.ptr, data.len);
	parse_render("max_record", path, &got, &nrec);
	if (nrec != 3 || strstr(got.ptr, "ERROR"))
		fail_msg("case max_record: want 3 records, got %ld (%.100s)", nrec, got.ptr);

	/* One byte more is an error naming the record's line. */
	cr_buf_reset(&data);
	cr_buf_adds(&data, "a\n\nb\n");
	cr_buf_grow(&data, CR_CSV_MAX_RECORD + 16);
	memset(data.ptr + data.len, 'x', CR_CSV_MAX_RECORD + 1);
	data.len += CR_CSV_MAX_RECORD + 1;
	cr_buf_adds(&data, "\nc\n");
	path = tmp_path("record_too_long.csv");
	write_file(path, data.ptr, data.len);
	parse_render("record_too_long", path, &got, &nrec);
	cr_buf_addf(&want, "1:a\n3:b\nERROR: %s:4: record too long (more than %u MiB)\n", path,
	            CR_CSV_MAX_RECORD >> 20);
	compare_text("record_too_long", "records", &got, &want);
	cr_buf_release(&data);
	cr_buf_release(&got);
	cr_buf_release(&want);
}

static void test_error_missing_file(void **state)
{
	cr_error err;
	const char *path = tmp_path("no-such-dir/missing.csv");
	cr_input *in;

	(void)state;
	cr_error_clear(&err);
	in = cr_input_open(path, &err);
	if (in)
		fail_msg("case missing file: cr_input_open(%s) succeeded", path);
	assert_int_equal(err.code, CR_EXIT_INPUT);
	if (strncmp(err.msg, path, strlen(path)) != 0 || !strstr(err.msg, "No such file"))
		fail_msg("case missing file: message \"%s\" does not start with the path "
		         "and say why", err.msg);

	cr_error_clear(&err);
	in = cr_input_open(tmpdir, &err);
	if (in)
		fail_msg("case directory: cr_input_open(%s) succeeded", tmpdir);
	assert_int_equal(err.code, CR_EXIT_INPUT);
	if (strncmp(err.msg, tmpdir, strlen(tmpdir)) != 0)
		fail_msg("case directory: message \"%s\" does not start with the path", err.msg);
}

/* ---- tests: buffer boundaries -------------------------------------------- */

/*
 * Records with every kind of token are placed so that the end of the
 * reader's first buffer falls at each byte offset in and around them.
 */
static void test_records_straddling_buffer_end(void **state)
{
	static const char *const templates[] = {
		/* unquoted fields, CRLF, empty fields */
		"alpha,beta,,gamma\r\nx,y,\r\n",
		/* quoted: doubled quotes, commas, LF, CRLF and CR inside */
		"\"q1\",\"a\"\"b\",\"c,d\",\"e\nf\",\"g\r\nh\",\"i\rj\",\"\"\"\"\n",
		/* lone CR line ends, blank lines, lenient quotes */
		"k\"l,m\r\r\n\nn,\"o\"\r\"p\"\r\n\n",
		/* long-ish unquoted field and a quoted field ending a record */
		"0123456789012345678901234567890123456789012345678901234567890123456789,\"z\"\n",
	};
	cr_buf data = CR_BUF_INIT;
	char name[96];

	(void)state;
	for (size_t t = 0; t < sizeof templates / sizeof templates[0]; t++) {
		size_t tl = strlen(templates[t]);
		for (size_t k = 0; k <= tl + 2; k++) {
			/* The buffer ends k bytes into the template. */
			cr_buf_reset(&data);
			add_filler(&data, BUFFER_SIZE - k);
			cr_buf_adds(&data, templates[t]);
			cr_buf_adds(&data, templates[t]);
			cr_buf_adds(&data, "tail,1\n");
			snprintf(name, sizeof name, "straddle template %zu, buffer ends %zu bytes in", t, k);
			check_vs_ref(name, "straddle.csv", data.ptr, data.len);
		}
	}
	/* A field ending exactly at the buffer end, with and without EOF there. */
	cr_buf_reset(&data);
	add_filler(&data, BUFFER_SIZE - 10);
	cr_buf_adds(&data, "abcd,efgh,");
	check_vs_ref("field ends at buffer end, then EOF", "boundary_eof.csv", data.ptr, data.len);
	cr_buf_adds(&data, "ij\n");
	check_vs_ref("field ends at buffer end, more follows", "boundary_more.csv", data.ptr, data.len);
	/* The data ends exactly at the buffer end. */
	cr_buf_reset(&data);
	add_filler(&data, BUFFER_SIZE);
	check_vs_ref("data fills the buffer exactly", "boundary_exact.csv", data.ptr, data.len);
	cr_buf_reset(&data);
	add_filler(&data, BUFFER_SIZE - 2);
	cr_buf_adds(&data, "\"a");
	check_vs_ref("unterminated quote ends at buffer end", "boundary_unterminated.csv",
	             data.ptr, data.len);
	cr_buf_release(&data);
}

/* Errors found right at, before and after the buffer end. */
static void test_errors_straddling_buffer_end(void **state)
{
#define T(s) { s, sizeof(s) - 1 }
	static const struct { const char *s; size_t len; } templates[] = {
		T("ok,\"x\"y,z\n"),
		T("ok,\"multi\nline\"\"\",\"x\"\"\" y\n"),
		T("ok,ab\0cd\n"),
		T("\"x\n\n\",\"never closed\nz\n"),
	};
#undef T
	cr_buf data = CR_BUF_INIT;
	char name[96];

	(void)state;
	for (size_t t = 0; t < sizeof templates / sizeof templates[0]; t++) {
		for (size_t k = 0; k <= templates[t].len; k++) {
			cr_buf_reset(&data);
			add_filler(&data, BUFFER_SIZE - k);
			cr_buf_add(&data, templates[t].s, templates[t].len);
			snprintf(name, sizeof name, "error template %zu, buffer ends %zu bytes in", t, k);
			check_vs_ref(name, "straddle_error.csv", data.ptr, data.len);
		}
	}
	cr_buf_release(&data);
}

static void test_record_larger_than_buffer(void **state)
{
	cr_buf data = CR_BUF_INIT;
	const char *path;

	(void)state;
	/* A 3 MiB unquoted field between short records. */
	cr_buf_adds(&data, "a,b\n1,");
	for (size_t i = 0; i < 3 * MIB; i++)
		cr_buf_addc(&data, (char)('a' + i % 26));
	cr_buf_adds(&data, ",2\nc,d\n");
	check_vs_ref("3 MiB unquoted field", "big_unquoted.csv", data.ptr, data.len);

	/* A 3 MiB quoted field full of doubled quotes, commas and line breaks,
	 * starting in the middle of the first buffer. */
	cr_buf_reset(&data);
	add_filler(&data, BUFFER_SIZE / 2 + 3);
	cr_buf_adds(&data, "x,\"");
	while (data.len < 4 * MIB)
		cr_buf_adds(&data, "ab\"\"c,\nd\r\ne\r");
	cr_buf_adds(&data, "\",y\nlast\n");
	check_vs_ref("3 MiB quoted field", "big_quoted.csv", data.ptr, data.len);

	/* Several records each larger than the initial buffer, back to back. */
	cr_buf_reset(&data);
	for (int r = 0; r < 3; r++) {
		for (size_t i = 0; i < MIB + 12345 * (size_t)r; i++)
			cr_buf_addc(&data, i % 97 == 0 ? ',' : 'v');
		cr_buf_adds(&data, r == 1 ? "\r\n" : "\n");
	}
	check_vs_ref("three records over 1 MiB", "big_records.csv", data.ptr, data.len);

	/* Field pointers stay right for a 2 MiB record: check them directly. */
	cr_buf_reset(&data);
	cr_buf_adds(&data, "first,");
	for (size_t i = 0; i < 2 * MIB; i++)
		cr_buf_addc(&data, 'z');
	cr_buf_adds(&data, ",last\n");
	path = tmp_path("big_check.csv");
	write_file(path, data.ptr, data.len);
	{
		cr_error err;
		cr_input *in;
		cr_csv *csv;
		cr_field *f;
		size_t n;

		cr_error_clear(&err);
		in = cr_input_open(path, &err);
		assert_non_null(in);
		csv = cr_csv_new(in);
		assert_int_equal(cr_csv_next(csv, &f, &n, &err), 1);
		assert_int_equal(n, 3);
		assert_string_equal(f[0].ptr, "first");
		assert_int_equal(f[1].len, 2 * MIB);
		assert_true(f[1].ptr[0] == 'z' && f[1].ptr[2 * MIB - 1] == 'z');
		assert_string_equal(f[2].ptr, "last");
		assert_int_equal(cr_csv_next(csv, &f, &n, &err), 0);
		cr_csv_free(csv);
		cr_input_close(in);
	}
	cr_buf_release(&data);
}

/* ---- tests: generated data ---------------------------------------------- */

/* A 3 MB file with random quoting and line breaks: reader, reference
 * parser and generator agree on every field and line number. */
static void test_random_file_vs_reference(void **state)
{
	cr_buf data = CR_BUF_INIT, truth = CR_BUF_INIT, got = CR_BUF_INIT, ref = CR_BUF_INIT;
	const char *path = tmp_path("random.csv");
	char name[64];
	long nrec;

	(void)state;
	for (uint64_t seed = 1; seed <= 3; seed++) {
		snprintf(name, sizeof name, "random 3 MB file, seed %llu", (unsigned long long)seed);
		generate_csv(seed, 3 * 1000 * 1000, &data, &truth);
		write_file(path, data.ptr, data.len);
		parse_render(name, path, &got, &nrec);
		ref_parse(path, data.ptr, data.len, &ref);
		compare_text(name, "reference parser vs generator", &ref, &truth);
		compare_text(name, "reader vs generator", &got, &truth);
		if (nrec < 1000)
			fail_msg("case %s: only %ld records", name, nrec);
	}
	cr_buf_release(&data);
	cr_buf_release(&truth);
	cr_buf_release(&got);
	cr_buf_release(&ref);
}

/* Short random strings over the bytes that matter, valid or not: the
 * reader and the reference parser give the same records and error. */
static void test_fuzz_vs_reference(void **state)
{
	static const char alphabet[] = { 'a', 'b', ',', ',', '"', '"', '"', '\n', '\n', '\r', '\0' };
	cr_buf data = CR_BUF_INIT;
	char name[64];

	(void)state;
	rng_state = 12345;
	for (int c = 0; c < 3000; c++) {
		unsigned len = rnd_below(40);
		bool nul = rnd_below(4) == 0;

		cr_buf_reset(&data);
		cr_buf_add(&data, "", 0);
		for (unsigned i = 0; i < len; i++)
			cr_buf_addc(&data, alphabet[rnd_below(sizeof alphabet - (nul ? 0 : 1))]);
		snprintf(name, sizeof name, "fuzz case %d", c);
		check_vs_ref(name, "fuzz.csv", data.ptr, data.len);
	}
	/* The same kind of strings across the buffer end. */
	for (int c = 0; c < 150; c++) {
		unsigned len = 1 + rnd_below(30);
		size_t k = rnd_below(len + 1);

		cr_buf_reset(&data);
		add_filler(&data, BUFFER_SIZE - k);
		for (unsigned i = 0; i < len; i++)
			cr_buf_addc(&data, alphabet[rnd_below(sizeof alphabet)]);
		snprintf(name, sizeof name, "fuzz straddle case %d (k=%zu)", c, k);
		check_vs_ref(name, "fuzz_straddle.csv", data.ptr, data.len);
	}
	cr_buf_release(&data);
}

/* ---- tests: gzip and input -------------------------------------------- */

static void check_gzip_file(const char *name, const char *path, const cr_buf *truth)
{
	cr_buf got = CR_BUF_INIT;
	cr_error err;
	cr_input *in;
	long nrec;

	cr_error_clear(&err);
	in = cr_input_open(path, &err);
	if (!in)
		fail_msg("case %s: %s", name, err.msg);
	if (!cr_input_is_gzip(in))
		fail_msg("case %s: not detected as gzip", name);
	cr_input_close(in);
	parse_render(name, path, &got, &nrec);
	compare_text(name, "records", &got, truth);
	cr_buf_release(&got);
}

static void test_gzip_single_member(void **state)
{
	cr_buf data = CR_BUF_INIT, truth = CR_BUF_INIT, gz = CR_BUF_INIT;
	const char *path = tmp_path("single.csv.gz");

	(void)state;
	generate_csv(7, 2500 * 1000, &data, &truth);
	gzip_member(&gz, data.ptr, data.len);
	write_file(path, gz.ptr, gz.len);
	check_gzip_file("gzip single member", path, &truth);
	cr_buf_release(&data);
	cr_buf_release(&truth);
	cr_buf_release(&gz);
}

static void test_gzip_multi_member(void **state)
{
	cr_buf data = CR_BUF_INIT, truth = CR_BUF_INIT, gz = CR_BUF_INIT;
	const char *path = tmp_path("multi.csv.gz");
	size_t cut1, cut2;

	(void)state;
	generate_csv(8, 2500 * 1000, &data, &truth);
	/* Members split mid-record, with an empty member in between. */
	cut1 = data.len / 3 + 17;
	cut2 = 2 * data.len / 3 + 5;
	gzip_member(&gz, data.ptr, cut1);
	gzip_member(&gz, "", 0);
	gzip_member(&gz, data.ptr + cut1, cut2 - cut1);
	gzip_member(&gz, data.ptr + cut2, data.len - cut2);
	write_file(path, gz.ptr, gz.len);
	check_gzip_file("gzip multi-member", path, &truth);

	/* Zero padding after the last member is ignored. */
	for (int i = 0; i < 512; i++)
		cr_buf_addc(&gz, '\0');
	path = tmp_path("padded.csv.gz");
	write_file(path, gz.ptr, gz.len);
	check_gzip_file("gzip with trailing zero padding", path, &truth);

	/* But not data after the padding. */
	{
		cr_buf got = CR_BUF_INIT;
		long nrec;
		cr_buf_adds(&gz, "junk");
		path = tmp_path("padded_junk.csv.gz");
		write_file(path, gz.ptr, gz.len);
		parse_render("gzip junk after padding", path, &got, &nrec);
		if (!strstr(got.ptr, "ERROR: ") || !strstr(got.ptr, "corrupt gzip data"))
			fail_msg("case gzip junk after padding: no corrupt error");
		cr_buf_release(&got);
	}
	cr_buf_release(&data);
	cr_buf_release(&truth);
	cr_buf_release(&gz);
}

/* Reads path through cr_input only, n bytes at a time (cycling sizes). */
static int read_all_input(const char *path, const size_t *sizes, size_t nsizes, cr_buf *out,
                          cr_error *err)
{
	cr_input *in = cr_input_open(path, err);
	char chunk[65536];
	size_t k = 0;
	ssize_t n;

	cr_buf_reset(out);
	cr_buf_add(out, "", 0);
	if (!in)
		return -1;
	while ((n = cr_input_read(in, chunk, sizes[k++ % nsizes], err)) > 0)
		cr_buf_add(out, chunk, (size_t)n);
	if (n == 0 && cr_input_is_gzip(in) && cr_input_file_pos(in) != cr_input_file_size(in))
		fail_msg("%s: file_pos %lld at the end, size %lld", path,
		         (long long)cr_input_file_pos(in), (long long)cr_input_file_size(in));
	cr_input_close(in);
	return n < 0 ? -1 : 0;
}

static void test_gzip_small_reads(void **state)
{
	static const size_t tiny[] = { 1, 2, 3, 7, 64, 1 };
	static const size_t big[] = { 65536 };
	cr_buf data = CR_BUF_INIT, truth = CR_BUF_INIT, gz = CR_BUF_INIT, out = CR_BUF_INIT;
	const char *path = tmp_path("small_reads.gz");
	cr_error err;

	(void)state;
	generate_csv(9, 200 * 1000, &data, &truth);
	gzip_member(&gz, data.ptr, 1000);
	gzip_member(&gz, data.ptr + 1000, data.len - 1000);
	write_file(path, gz.ptr, gz.len);
	cr_error_clear(&err);
	if (read_all_input(path, tiny, 6, &out, &err) < 0)
		fail_msg("case gzip tiny reads: %s", err.msg);
	if (out.len != data.len || memcmp(out.ptr, data.ptr, data.len) != 0)
		fail_msg("case gzip tiny reads: decompressed bytes differ (%zu vs %zu)", out.len, data.len);
	if (read_all_input(path, big, 1, &out, &err) < 0)
		fail_msg("case gzip 64 KiB reads: %s", err.msg);
	if (out.len != data.len || memcmp(out.ptr, data.ptr, data.len) != 0)
		fail_msg("case gzip 64 KiB reads: decompressed bytes differ");
	cr_buf_release(&data);
	cr_buf_release(&truth);
	cr_buf_release(&gz);
	cr_buf_release(&out);
}

static void test_gzip_truncated(void **state)
{
	cr_buf data = CR_BUF_INIT, truth = CR_BUF_INIT, gz = CR_BUF_INIT, got = CR_BUF_INIT;
	const char *path = tmp_path("truncated.csv.gz");
	char name[96];
	long nrec;

	(void)state;
	generate_csv(10, 600 * 1000, &data, &truth);
	gzip_member(&gz, data.ptr, data.len);
	{
		const size_t cuts[] = { 2, 5, 11, gz.len / 2, gz.len - 8, gz.len - 4, gz.len - 1 };
		for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
			cr_error err;
			static const size_t sizes[] = { 4096 };
			cr_buf out = CR_BUF_INIT;

			snprintf(name, sizeof name, "gzip truncated to %zu of %zu bytes", cuts[i], gz.len);
			write_file(path, gz.ptr, cuts[i]);
			parse_render(name, path, &got, &nrec);
			if (!strstr(got.ptr, "ERROR: ") ||
			    !strstr(got.ptr, "truncated gzip data (unexpected end of file)") ||
			    !strstr(got.ptr, path))
				fail_msg("case %s: no truncation error naming the file: %.200s", name,
				         strstr(got.ptr, "ERROR") ? strstr(got.ptr, "ERROR") : "(no error)");
			cr_error_clear(&err);
			if (read_all_input(path, sizes, 1, &out, &err) != -1 ||
			    strncmp(err.msg, path, strlen(path)) != 0 || !strstr(err.msg, "truncated") ||
			    err.code != CR_EXIT_INPUT)
				fail_msg("case %s via cr_input_read: \"%s\"", name, err.msg);
			cr_buf_release(&out);
		}
	}
	/* A second member cut short. */
	{
		size_t full = gz.len;
		gzip_member(&gz, data.ptr, data.len);
		write_file(path, gz.ptr, full + (gz.len - full) / 2);
		parse_render("gzip second member truncated", path, &got, &nrec);
		if (!strstr(got.ptr, "truncated gzip data"))
			fail_msg("case gzip second member truncated: no truncation error");
	}
	cr_buf_release(&data);
	cr_buf_release(&truth);
	cr_buf_release(&gz);
	cr_buf_release(&got);
}

static void test_gzip_corrupt(void **state)
{
	cr_buf data = CR_BUF_INIT, truth = CR_BUF_INIT, gz = CR_BUF_INIT, bad = CR_BUF_INIT,
	       got = CR_BUF_INIT;
	const char *path = tmp_path("corrupt.csv.gz");
	char name[96];
	long nrec;

	(void)state;
	generate_csv(11, 300 * 1000, &data, &truth);
	gzip_member(&gz, data.ptr, data.len);
	{
		/* Bytes damaged in the deflate data, in the CRC, in the length,
		 * and in the header's method byte. */
		const size_t where[] = { 30, gz.len / 2, gz.len - 8, gz.len - 2, 2 };
		for (size_t i = 0; i < sizeof where / sizeof where[0]; i++) {
			cr_buf_reset(&bad);
			cr_buf_add(&bad, gz.ptr, gz.len);
			bad.ptr[where[i]] ^= 0x55;
			write_file(path, bad.ptr, bad.len);
			snprintf(name, sizeof name, "gzip with byte %zu of %zu damaged", where[i], gz.len);
			parse_render(name, path, &got, &nrec);
			if (!strstr(got.ptr, "ERROR: ") || !strstr(got.ptr, "corrupt gzip data: ") ||
			    !strstr(got.ptr, path))
				fail_msg("case %s: no corruption error naming the file: %.200s", name,
				         strstr(got.ptr, "ERROR") ? strstr(got.ptr, "ERROR") : "(no error)");
		}
	}
	/* Magic bytes followed by garbage. */
	write_file(path, "\x1f\x8bnot really gzip at all", 24);
	parse_render("gzip magic then garbage", path, &got, &nrec);
	if (!strstr(got.ptr, "corrupt gzip data: "))
		fail_msg("case gzip magic then garbage: %s", got.ptr);
	/* A corrupt second member after a good one. */
	cr_buf_reset(&bad);
	cr_buf_add(&bad, gz.ptr, gz.len);
	cr_buf_adds(&bad, "\x1f\x8b\x08\x00garbage-garbage-garbage");
	write_file(path, bad.ptr, bad.len);
	parse_render("gzip corrupt second member", path, &got, &nrec);
	if (!strstr(got.ptr, "corrupt gzip data: ") && !strstr(got.ptr, "truncated gzip data"))
		fail_msg("case gzip corrupt second member: %.200s", got.ptr);
	if (nrec < 100)
		fail_msg("case gzip corrupt second member: the first member's records were lost");
	cr_buf_release(&data);
	cr_buf_release(&truth);
	cr_buf_release(&gz);
	cr_buf_release(&bad);
	cr_buf_release(&got);
}

static void test_gzip_empty(void **state)
{
	cr_buf gz = CR_BUF_INIT, got = CR_BUF_INIT;
	const char *path = tmp_path("empty.csv.gz");
	long nrec;
	int rc;

	(void)state;
	gzip_member(&gz, "", 0);
	write_file(path, gz.ptr, gz.len);
	rc = parse_render("gzip of an empty file", path, &got, &nrec);
	if (rc != 0 || nrec != 0)
		fail_msg("case gzip of an empty file: rc %d, %ld records: %s", rc, nrec, got.ptr);
	cr_buf_release(&gz);
	cr_buf_release(&got);
}

/* The format comes from the magic bytes, never from the name. */
static void test_detection_by_content(void **state)
{
	cr_buf gz = CR_BUF_INIT, got = CR_BUF_INIT, want = CR_BUF_INIT;
	cr_error err;
	cr_input *in;
	const char *path;
	long nrec;

	(void)state;
	cr_buf_adds(&want, "1:a|b\n2:1|2\n");
	gzip_member(&gz, "a,b\n1,2\n", 8);
	path = tmp_path("really_gzip.csv");
	write_file(path, gz.ptr, gz.len);
	check_gzip_file("gzip named .csv", path, &want);

	path = tmp_path("really_plain.csv.gz");
	write_file(path, "a,b\n1,2\n", 8);
	cr_error_clear(&err);
	in = cr_input_open(path, &err);
	assert_non_null(in);
	if (cr_input_is_gzip(in))
		fail_msg("case plain named .gz: detected as gzip");
	cr_input_close(in);
	parse_render("plain named .gz", path, &got, &nrec);
	compare_text("plain named .gz", "records", &got, &want);

	/* Shorter than the magic: plain. */
	path = tmp_path("one_byte.gz");
	write_file(path, "\x1f", 1);
	cr_error_clear(&err);
	in = cr_input_open(path, &err);
	assert_non_null(in);
	if (cr_input_is_gzip(in))
		fail_msg("case one byte 1f: detected as gzip");
	cr_input_close(in);
	parse_render("one byte 1f", path, &got, &nrec);
	cr_buf_reset(&want);
	cr_buf_adds(&want, "1:\x1f\n");
	compare_text("one byte 1f", "records", &got, &want);

	path = tmp_path("zero_bytes.gz");
	write_file(path, "", 0);
	cr_error_clear(&err);
	in = cr_input_open(path, &err);
	assert_non_null(in);
	assert_false(cr_input_is_gzip(in));
	assert_int_equal(cr_input_file_size(in), 0);
	cr_input_close(in);
	cr_buf_release(&gz);
	cr_buf_release(&got);
	cr_buf_release(&want);
}

static void test_input_progress(void **state)
{
	cr_buf data = CR_BUF_INIT, truth = CR_BUF_INIT, gz = CR_BUF_INIT;
	const char *plain = tmp_path("progress.csv");
	const char *zipped = tmp_path("progress.csv.gz");
	char buf[100000];
	cr_error err;
	cr_input *in;
	ssize_t n;
	int64_t last;

	(void)state;
	generate_csv(12, 1000 * 1000, &data, &truth);
	write_file(plain, data.ptr, data.len);
	gzip_member(&gz, data.ptr, data.len);
	write_file(zipped, gz.ptr, gz.len);
	for (int z = 0; z < 2; z++) {
		const char *path = z ? zipped : plain;
		size_t total = 0;

		cr_error_clear(&err);
		in = cr_input_open(path, &err);
		assert_non_null(in);
		assert_string_equal(cr_input_path(in), path);
		assert_int_equal(cr_input_file_size(in), z ? (int64_t)gz.len : (int64_t)data.len);
		last = cr_input_file_pos(in);
		while ((n = cr_input_read(in, buf, sizeof buf, &err)) > 0) {
			int64_t pos = cr_input_file_pos(in);
			if (pos < last || pos > cr_input_file_size(in))
				fail_msg("case progress %s: file_pos %lld after %lld", path,
				         (long long)pos, (long long)last);
			last = pos;
			total += (size_t)n;
		}
		assert_int_equal(n, 0);
		assert_int_equal(total, data.len);
		if (cr_input_file_pos(in) != cr_input_file_size(in))
			fail_msg("case progress %s: file_pos %lld at the end, size %lld", path,
			         (long long)cr_input_file_pos(in), (long long)cr_input_file_size(in));
		cr_input_close(in);
	}
	cr_buf_release(&data);
	cr_buf_release(&truth);
	cr_buf_release(&gz);
}

/* "-" reads standard input, gzip or plain, from a pipe. */
static void test_stdin(void **state)
{
	cr_buf gz = CR_BUF_INIT, got = CR_BUF_INIT;
	static const char csv_text[] = "h1,h2\n\"a\nb\",c\n";

	(void)state;
	gzip_member(&gz, csv_text, sizeof csv_text - 1);
	for (int z = 0; z < 2; z++) {
		const char *payload = z ? gz.ptr : csv_text;
		size_t len = z ? gz.len : sizeof csv_text - 1;
		int saved = dup(STDIN_FILENO), fds[2];
		cr_error err;
		cr_input *in;
		cr_csv *csv;
		cr_field *f;
		size_t n;

		assert_true(saved >= 0);
		assert_int_equal(pipe(fds), 0);
		assert_int_equal(write(fds[1], payload, len), (ssize_t)len);
		close(fds[1]);
		assert_true(dup2(fds[0], STDIN_FILENO) >= 0);
		close(fds[0]);

		cr_error_clear(&err);
		in = cr_input_open("-", &err);
		assert_non_null(in);
		assert_string_equal(cr_input_path(in), "-");
		assert_int_equal(cr_input_file_size(in), -1);
		if (cr_input_is_gzip(in) != (z == 1))
			fail_msg("case stdin %s: wrong format detected", z ? "gzip" : "plain");
		csv = cr_csv_new(in);
		cr_buf_reset(&got);
		cr_buf_add(&got, "", 0);
		while (cr_csv_next(csv, &f, &n, &err) > 0) {
			cr_buf_addf(&got, "%ld:", cr_csv_line(csv));
			for (size_t i = 0; i < n; i++) {
				if (i)
					cr_buf_addc(&got, '|');
				render_bytes(&got, f[i].ptr, f[i].len);
			}
			cr_buf_addc(&got, '\n');
		}
		cr_csv_free(csv);
		cr_input_close(in);
		assert_true(dup2(saved, STDIN_FILENO) >= 0);
		close(saved);
		if (err.code || strcmp(got.ptr, "1:h1|h2\n2:a\\nb|c\n") != 0)
			fail_msg("case stdin %s: got \"%s\" (%s)", z ? "gzip" : "plain", got.ptr, err.msg);
	}
	cr_buf_release(&gz);
	cr_buf_release(&got);
}

/* A gzip input error surfaces from cr_csv_next after the good records. */
static void test_csv_passes_input_errors(void **state)
{
	cr_buf data = CR_BUF_INIT, truth = CR_BUF_INIT, gz = CR_BUF_INIT;
	const char *path = tmp_path("csv_truncated.gz");
	cr_error err;
	cr_input *in;
	cr_csv *csv;
	cr_field *f;
	size_t n;
	long nrec = 0;
	int rc;

	(void)state;
	generate_csv(13, 3 * 1000 * 1000, &data, &truth);
	gzip_member(&gz, data.ptr, data.len);
	write_file(path, gz.ptr, gz.len - 100);
	cr_error_clear(&err);
	in = cr_input_open(path, &err);
	assert_non_null(in);
	csv = cr_csv_new(in);
	while ((rc = cr_csv_next(csv, &f, &n, &err)) > 0)
		nrec++;
	if (rc != -1 || err.code != CR_EXIT_INPUT || strncmp(err.msg, path, strlen(path)) != 0 ||
	    !strstr(err.msg, "truncated"))
		fail_msg("case truncated gzip CSV: rc %d, \"%s\"", rc, err.msg);
	if (nrec < 1000)
		fail_msg("case truncated gzip CSV: only %ld records before the error", nrec);
	cr_csv_free(csv);
	cr_input_close(in);
	cr_buf_release(&data);
	cr_buf_release(&truth);
	cr_buf_release(&gz);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple_records),
		cmocka_unit_test(test_quoted_fields),
		cmocka_unit_test(test_quoted_embedded_line_breaks),
		cmocka_unit_test(test_crlf_files),
		cmocka_unit_test(test_bom),
		cmocka_unit_test(test_empty_fields),
		cmocka_unit_test(test_missing_final_newline),
		cmocka_unit_test(test_blank_lines_skipped),
		cmocka_unit_test(test_lenient_quote_in_unquoted_field),
		cmocka_unit_test(test_fixture_file),
		cmocka_unit_test(test_error_unterminated_quote),
		cmocka_unit_test(test_error_after_closing_quote),
		cmocka_unit_test(test_error_nul_byte),
		cmocka_unit_test(test_error_too_many_fields),
		cmocka_unit_test(test_error_record_too_long),
		cmocka_unit_test(test_error_missing_file),
		cmocka_unit_test(test_records_straddling_buffer_end),
		cmocka_unit_test(test_errors_straddling_buffer_end),
		cmocka_unit_test(test_record_larger_than_buffer),
		cmocka_unit_test(test_random_file_vs_reference),
		cmocka_unit_test(test_fuzz_vs_reference),
		cmocka_unit_test(test_gzip_single_member),
		cmocka_unit_test(test_gzip_multi_member),
		cmocka_unit_test(test_gzip_small_reads),
		cmocka_unit_test(test_gzip_truncated),
		cmocka_unit_test(test_gzip_corrupt),
		cmocka_unit_test(test_gzip_empty),
		cmocka_unit_test(test_detection_by_content),
		cmocka_unit_test(test_input_progress),
		cmocka_unit_test(test_stdin),
		cmocka_unit_test(test_csv_passes_input_errors),
	};
	return cmocka_run_group_tests(tests, setup_tmpdir, teardown_tmpdir);
}
