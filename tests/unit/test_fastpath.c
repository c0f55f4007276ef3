/*
 * test_fastpath.c - the CSV reader's block-wise fast path (io/csv_select.h)
 * against its field-at-a-time parser, and ledger merging (ledger.h).
 *
 * Generated billing-like files (JSON map columns with doubled quotes,
 * commas and line breaks in quoted fields, CRLF and lone CR line ends,
 * blank lines, lenient quotes, short rows, and errors) are read with every
 * parser this machine can run (portable words, SSE2, AVX2, AVX-512), with
 * buffers from 64 bytes up so that the buffer ends inside every kind of
 * token, with all columns or a selection (some of it lazy).  Every
 * rendering must equal the one the field-at-a-time parser gives with the
 * default buffer: same fields, same line numbers, same error.  A file read
 * in two parts (stop and start offsets) gives the same records.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "costrank/buf.h"
#include "costrank/csv.h"
#include "costrank/error.h"
#include "costrank/input.h"
#include "costrank/ledger.h"
#include "io/csv_select.h"
#include "io/input_seek.h"

#define NCOLS 24

static char path[256];

static int setup(void **state)
{
	const char *base = getenv("TMPDIR");
	int fd;

	(void)state;
	snprintf(path, sizeof path, "%s/costrank-test-fastpath-XXXXXX",
		 base && *base ? base : "/tmp");
	fd = mkstemp(path);
	if (fd < 0) {
		fprintf(stderr, "mkstemp %s: %s\n", path, strerror(errno));
		return -1;
	}
	close(fd);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

static void write_data(const cr_buf *b)
{
	FILE *f = fopen(path, "wb");

	if (!f || (b->len && fwrite(b->ptr, 1, b->len, f) != b->len) || fclose(f) != 0)
		fail_msg("cannot write %s", path);
}

/* ---- generated data ----------------------------------------------------- */

static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
	rng_state ^= rng_state << 13;
	rng_state ^= rng_state >> 7;
	rng_state ^= rng_state << 17;
	return (uint32_t)(rng_state % n);
}

static void add_field(cr_buf *b, bool exotic)
{
	static const char *const plain[] = {
		"", "Usage", "123456789012", "0.0960000000", "-12.5", "5.0E-7",
		"2026-10-01T00:00:00Z", "BoxUsage:m5.large", "NULL", "x",
		"a-much-longer-unquoted-field-value-that-spans-well-over-one-block-of-sixty-four-bytes",
	};
	static const char *const quoted[] = {
		"\"Amazon Web Services, Inc.\"",
		"\"{\"\"product_name\"\":\"\"Amazon EC2\"\",\"\"region\"\":\"\"us-east-1\"\"}\"",
		"\"{\"\"user:environment\"\":\"\"prod\"\",\"\"note\"\":\"\"say \\\"\"hi\\\"\"\"\"}\"",
		"\"$0.096 per \"\"On Demand\"\" hour, Linux\"",
		"\"\"",
		"\"\"\"\"",
		"\"two\nlines\"",
		"\"crlf\r\ninside\"",
		"\"lone\rcr\"",
		"\",\"",
	};
	static const char *const odd[] = {
		"ab\"c",            /* a quote inside an unquoted field is data */
		"\"x\"\"\"",         /* ends with an escaped quote */
		"\"\n\n\"",
	};
	uint32_t r = rnd(100);

	if (exotic && r < 3)
		cr_buf_adds(b, odd[rnd(sizeof odd / sizeof odd[0])]);
	else if (r < 70)
		cr_buf_adds(b, plain[rnd(sizeof plain / sizeof plain[0])]);
	else
		cr_buf_adds(b, quoted[rnd(sizeof quoted / sizeof quoted[0])]);
}

/* A file of about `size` bytes; exotic adds what only the slow parser takes. */
static void generate(cr_buf *b, uint64_t seed, size_t size, bool exotic)
{
	rng_state = seed * 0x9e3779b97f4a7c15ull + 1;
	cr_buf_reset(b);
	cr_buf_add(b, "", 0);
	if (exotic && rnd(2))
		cr_buf_adds(b, "\xEF\xBB\xBF");
	for (int c = 0; c < NCOLS; c++)
		cr_buf_addf(b, "%scol%d", c ? "," : "", c);
	cr_buf_adds(b, "\n");
	while (b->len < size) {
		int n = NCOLS;
		uint32_t r = rnd(1000);

		if (exotic && r < 10)
			n = 1 + (int)rnd(NCOLS);        /* a short row */
		else if (exotic && r < 14)
			n = NCOLS + 1 + (int)rnd(4);   /* a long one */
		for (int c = 0; c < n; c++) {
			if (c)
				cr_buf_addc(b, ',');
			add_field(b, exotic);
		}
		r = rnd(100);
		if (exotic && r < 4)
			cr_buf_adds(b, "\r");          /* a lone CR ends the record */
		else if (r < 20)
			cr_buf_adds(b, "\r\n");
		else
			cr_buf_adds(b, "\n");
		if (exotic && rnd(100) < 2)
			cr_buf_adds(b, rnd(2) ? "\n" : "\r\n");   /* a blank line */
	}
}

/* ---- rendering ---------------------------------------------------------- */

static void render_bytes(cr_buf *b, const char *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		switch (p[i]) {
		case '\\': cr_buf_adds(b, "\\\\"); break;
		case '|': cr_buf_adds(b, "\\|"); break;
		case '\n': cr_buf_adds(b, "\\n"); break;
		case '\r': cr_buf_adds(b, "\\r"); break;
		case '\0': cr_buf_adds(b, "\\0"); break;
		default: cr_buf_addc(b, p[i]); break;
		}
	}
}

/* Collapses "" into " (the escaped form of cr_csv_field_escaped). */
static void render_unescaped(cr_buf *b, const char *p, size_t n)
{
	cr_buf t = CR_BUF_INIT;

	cr_buf_add(&t, "", 0);
	for (size_t i = 0; i < n; i++) {
		cr_buf_addc(&t, p[i]);
		if (p[i] == '"')
			i++;
	}
	render_bytes(b, t.ptr, t.len);
	cr_buf_release(&t);
}

struct mode {
	const size_t *cols;   /* NULL: every column */
	size_t ncols;
	const size_t *lazy;
	size_t nlazy;
};

/*
 * Reads the file and renders "LINE:n:f|f|...\n" per record: every field,
 * or the chosen ones; a lazy column is rendered twice, from its escaped
 * form and ready.  Ends with "ERROR: msg" when reading failed.
 */
static void render(cr_buf *out, enum cr_csv_path p, size_t buffer, const struct mode *m)
{
	cr_error err;
	cr_input *in;
	cr_csv *csv;
	cr_field *f;
	size_t n;
	int rc;
	bool header = true;

	cr_error_clear(&err);
	cr_buf_reset(out);
	cr_buf_add(out, "", 0);
	in = cr_input_open(path, &err);
	if (!in)
		fail_msg("cannot open %s: %s", path, err.msg);
	csv = cr_csv_new_sized(in, buffer);
	assert_true(cr_csv_use_path(csv, p));
	while ((rc = cr_csv_next(csv, &f, &n, &err)) > 0) {
		cr_buf_addf(out, "%ld:%zu:", cr_csv_line(csv), n);
		if (header || !m->cols) {
			for (size_t i = 0; i < n; i++) {
				if (f[i].ptr[f[i].len] != '\0')
					fail_msg("line %ld field %zu is not NUL-terminated",
						 cr_csv_line(csv), i);
				cr_buf_addc(out, '|');
				render_bytes(out, f[i].ptr, f[i].len);
			}
		} else {
			for (size_t k = 0; k < m->ncols; k++) {
				size_t c = m->cols[k];
				bool lazy = false;
				const cr_field *g;

				if (c >= n)
					continue;
				for (size_t j = 0; j < m->nlazy; j++)
					lazy |= m->lazy[j] == c;
				cr_buf_addc(out, '|');
				if (lazy) {
					cr_field e;
					if (cr_csv_field_escaped(csv, c, &e))
						render_unescaped(out, e.ptr, e.len);
					else
						render_bytes(out, e.ptr, e.len);
					cr_buf_addc(out, '=');
					g = cr_csv_field(csv, c);
				} else {
					g = &f[c];
				}
				if (g->ptr[g->len] != '\0')
					fail_msg("line %ld field %zu is not NUL-terminated",
						 cr_csv_line(csv), c);
				render_bytes(out, g->ptr, g->len);
			}
		}
		cr_buf_addc(out, '\n');
		if (header) {
			header = false;
			if (m->cols)
				cr_csv_select(csv, m->cols, m->ncols, m->lazy, m->nlazy);
		}
	}
	if (rc < 0)
		cr_buf_addf(out, "ERROR: %s\n", err.msg);
	cr_csv_free(csv);
	cr_input_close(in);
}

static void compare(const char *what, const cr_buf *got, const cr_buf *want)
{
	size_t i = 0, line = 1, start = 0;

	if (got->len == want->len && memcmp(got->ptr, want->ptr, got->len) == 0)
		return;
	while (i < got->len && i < want->len && got->ptr[i] == want->ptr[i]) {
		if (got->ptr[i] == '\n') {
			line++;
			start = i + 1;
		}
		i++;
	}
	fail_msg("%s: output line %zu differs\n  want: %.200s\n  got:  %.200s", what, line,
		 want->ptr + start, got->ptr + start);
}

/* Every parser, buffer size and selection against the slow parser. */
static void check_all(const char *name)
{
	static const size_t buffers[] = { 64, 100, 257, 1000, 4096, 65536, 1u << 20 };
	static const size_t pick[] = { 20, 1, 7, 3, 7, 11 };   /* unsorted, a duplicate */
	static const size_t pick_lazy[] = { 7, 11 };
	static const size_t last[] = { NCOLS - 1, NCOLS + 2 }; /* the last field, and past it */
	static const size_t none[] = { 0 };
	const struct mode modes[] = {
		{ NULL, 0, NULL, 0 },
		{ pick, 6, NULL, 0 },
		{ pick, 6, pick_lazy, 2 },
		{ last, 2, last, 1 },
		{ none, 0, NULL, 0 },
	};
	cr_buf want = CR_BUF_INIT, got = CR_BUF_INIT;
	char what[160];

	for (size_t m = 0; m < sizeof modes / sizeof modes[0]; m++) {
		render(&want, CR_CSV_PATH_SLOW, 1u << 20, &modes[m]);
		for (int p = CR_CSV_PATH_SWAR; p <= CR_CSV_PATH_AVX512; p++) {
			for (size_t b = 0; b < sizeof buffers / sizeof buffers[0]; b++) {
				cr_csv *probe = cr_csv_new_sized(NULL, 64);
				bool have = cr_csv_use_path(probe, (enum cr_csv_path)p);
				cr_csv_free(probe);
				if (!have)
					continue;
				render(&got, (enum cr_csv_path)p, buffers[b], &modes[m]);
				snprintf(what, sizeof what, "%s, path %d, buffer %zu, mode %zu",
					 name, p, buffers[b], m);
				compare(what, &got, &want);
			}
		}
		/* the slow parser with small buffers too */
		render(&got, CR_CSV_PATH_SLOW, 100, &modes[m]);
		snprintf(what, sizeof what, "%s, slow path, buffer 100, mode %zu", name, m);
		compare(what, &got, &want);
	}
	cr_buf_release(&want);
	cr_buf_release(&got);
}

/* ---- tests -------------------------------------------------------------- */

static void test_ordinary_files(void **state)
{
	cr_buf data = CR_BUF_INIT;
	char name[64];

	(void)state;
	for (uint64_t seed = 1; seed <= 3; seed++) {
		generate(&data, seed, 60000, false);
		write_data(&data);
		snprintf(name, sizeof name, "ordinary file, seed %llu", (unsigned long long)seed);
		check_all(name);
	}
	cr_buf_release(&data);
}

static void test_exotic_files(void **state)
{
	cr_buf data = CR_BUF_INIT;
	char name[64];

	(void)state;
	for (uint64_t seed = 11; seed <= 14; seed++) {
		generate(&data, seed, 40000, true);
		write_data(&data);
		snprintf(name, sizeof name, "exotic file, seed %llu", (unsigned long long)seed);
		check_all(name);
	}
	cr_buf_release(&data);
}

/* Errors, and the end of the data, at every place in a record. */
static void test_errors_and_endings(void **state)
{
	static const char *const tails[] = {
		"x,\"a\"b,z\n",               /* a character after a closing quote */
		"x,\"never closed\nmore\n",   /* unterminated */
		"x,\"ok\",last",              /* no final line break */
		"x,\"ok\",\"last\"",
		"x,\"ok\"\r",                 /* CR at the very end */
		"x,y\r\n\r\n\n",
	};
	cr_buf data = CR_BUF_INIT;
	char name[64];

	(void)state;
	for (size_t t = 0; t < sizeof tails / sizeof tails[0]; t++) {
		generate(&data, 100 + t, 3000, false);
		cr_buf_adds(&data, tails[t]);
		write_data(&data);
		snprintf(name, sizeof name, "tail %zu", t);
		check_all(name);
	}
	/* a NUL byte in the data */
	generate(&data, 200, 3000, false);
	cr_buf_add(&data, "x,a\0b,z\n", 8);
	write_data(&data);
	check_all("NUL byte");
	cr_buf_release(&data);
}

/*
 * A file read in two parts: the first reader stops before the record at a
 * given offset, a second one starts there; together they give every record
 * once.  A stop inside a record is passed (the reader stops at the next).
 */
static void test_two_parts(void **state)
{
	cr_buf data = CR_BUF_INIT, whole = CR_BUF_INIT, parts = CR_BUF_INIT;
	const struct mode all = { NULL, 0, NULL, 0 };
	cr_error err;

	(void)state;
	generate(&data, 31, 50000, false);
	write_data(&data);
	render(&whole, CR_CSV_PATH_BEST, 1u << 20, &all);
	for (size_t cut = 1; cut < data.len; cut += 997) {
		cr_input *in = cr_input_open(path, &err);
		cr_csv *csv = cr_csv_new_sized(in, 4096);
		cr_field *f;
		size_t n;
		int64_t at;

		assert_non_null(in);
		cr_buf_reset(&parts);
		cr_buf_add(&parts, "", 0);
		cr_csv_stop_at(csv, (int64_t)cut);
		while (cr_csv_next(csv, &f, &n, &err) > 0) {
			cr_buf_addf(&parts, "%ld:%zu:", cr_csv_line(csv), n);
			for (size_t i = 0; i < n; i++) {
				cr_buf_addc(&parts, '|');
				render_bytes(&parts, f[i].ptr, f[i].len);
			}
			cr_buf_addc(&parts, '\n');
		}
		at = cr_csv_offset(csv);
		assert_true(at >= (int64_t)cut);
		assert_true(at == (int64_t)data.len || data.ptr[at - 1] == '\n');
		cr_csv_free(csv);
		cr_input_close(in);

		/* the rest, from `at`, by a reader that starts there */
		in = cr_input_open(path, &err);
		assert_non_null(in);
		assert_int_equal(cr_input_seek(in, at, &err), 0);
		csv = cr_csv_new_sized(in, 4096);
		cr_csv_start_at(csv, at);
		{
			/* line numbers count from the part's start: shift them */
			long first = 0;
			for (size_t i = 0; i < (size_t)at; i++)
				first += data.ptr[i] == '\n';
			while (cr_csv_next(csv, &f, &n, &err) > 0) {
				cr_buf_addf(&parts, "%ld:%zu:", cr_csv_line(csv) + first, n);
				for (size_t i = 0; i < n; i++) {
					cr_buf_addc(&parts, '|');
					render_bytes(&parts, f[i].ptr, f[i].len);
				}
				cr_buf_addc(&parts, '\n');
			}
		}
		assert_int_equal(cr_csv_offset(csv), (int64_t)data.len);
		cr_csv_free(csv);
		cr_input_close(in);
		compare("two parts", &parts, &whole);
	}
	cr_buf_release(&data);
	cr_buf_release(&whole);
	cr_buf_release(&parts);
}

/* ---- ledger merging ------------------------------------------------------- */

struct line {
	const char *account, *service, *usage, *unit, *name, *env, *cost, *qty;
	int day;
};

static void add_lines(cr_ledger *l, const struct line *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		cr_ledger_key k = {
			.account = cr_ledger_intern(l, v[i].account, strlen(v[i].account)),
			.service = cr_ledger_intern(l, v[i].service, strlen(v[i].service)),
			.usage_type = cr_ledger_intern(l, v[i].usage, strlen(v[i].usage)),
			.day = v[i].day,
			.kind = CR_KIND_USAGE,
		};
		cr_dec cost, qty;
		cr_error err;

		assert_true(cr_dec_parse(v[i].cost, strlen(v[i].cost), &cost) >= 0);
		assert_true(cr_dec_parse(v[i].qty, strlen(v[i].qty), &qty) >= 0);
		assert_int_equal(cr_ledger_add(l, &k, cost, qty,
					       cr_ledger_intern(l, v[i].unit, strlen(v[i].unit)), &err), 0);
		cr_ledger_note_account_name(l, k.account, cr_ledger_intern(l, v[i].name, strlen(v[i].name)));
		cr_ledger_note_environment(l, k.account, cr_ledger_intern(l, v[i].env, strlen(v[i].env)));
	}
	cr_ledger_check_currency(l, "USD", 3);
}

static int cmp_line(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* A ledger as sorted text: entries by names, account facts, inputs. */
static void ledger_text(const cr_ledger *l, cr_buf *out)
{
	size_t n, ni;
	const cr_ledger_entry *e = cr_ledger_entries(l, &n);
	const cr_ledger_input *in = cr_ledger_inputs(l, &ni);
	char **lines = calloc(n + 1, sizeof *lines);

	for (size_t i = 0; i < n; i++) {
		cr_buf b = CR_BUF_INIT;
		char c[CR_DEC_STRLEN], q[CR_DEC_STRLEN];
		cr_dec_format(e[i].cost, -1, c, sizeof c);
		cr_dec_format(e[i].quantity, -1, q, sizeof q);
		cr_buf_addf(&b, "%s|%s|%s|%d|%u|%s|%s|%s|%d|name=%s|env=%s", cr_ledger_str(l, e[i].key.account),
			    cr_ledger_str(l, e[i].key.service), cr_ledger_str(l, e[i].key.usage_type),
			    (int)e[i].key.day, e[i].key.kind, c, q, cr_ledger_str(l, e[i].unit),
			    e[i].unit_mixed,
			    cr_ledger_str(l, cr_ledger_account_name(l, e[i].key.account)),
			    cr_ledger_str(l, cr_ledger_account_environment(l, e[i].key.account)));
		lines[i] = cr_buf_detach(&b);
	}
	qsort(lines, n, sizeof *lines, cmp_line);
	cr_buf_reset(out);
	cr_buf_add(out, "", 0);
	for (size_t i = 0; i < n; i++) {
		cr_buf_addf(out, "%s\n", lines[i]);
		free(lines[i]);
	}
	free(lines);
	cr_buf_addf(out, "currency=%s daily=%d\n", cr_ledger_currency(l), cr_ledger_is_daily(l));
	for (size_t i = 0; i < ni; i++)
		cr_buf_addf(out, "input %s %s %llu\n", in[i].name, in[i].format,
			    (unsigned long long)in[i].rows);
}

/* Two ledgers merged in order equal one ledger that read both. */
static void test_ledger_merge(void **state)
{
	static const struct line a[] = {
		{ "111", "S3", "Requests", "Requests", "", "prod", "1.5", "10", 100 },
		{ "111", "S3", "Requests", "Requests", "alpha", "prod", "0.25", "1", 100 },
		{ "222", "EC2", "BoxUsage", "Hrs", "beta", "dev", "-3.125", "2", 101 },
		{ "111", "EC2", "BoxUsage", "Hrs", "alpha", "staging", "7", "7", 102 },
	};
	static const struct line b[] = {
		{ "333", "RDS", "Storage", "GB-Mo", "gamma", "prod", "0.0000000001", "1", 100 },
		{ "111", "S3", "Requests", "Other", "alpha-renamed", "prod", "2", "3", 100 },
		{ "222", "EC2", "BoxUsage", "Hrs", "", "dev", "3.125", "1", 101 },
		{ "111", "S3", "Requests", "Requests", "", "prod", "1", "1", 103 },
	};
	cr_ledger *one = cr_ledger_new(CR_METRIC_UNBLENDED);
	cr_ledger *first = cr_ledger_new(CR_METRIC_UNBLENDED);
	cr_ledger *second = cr_ledger_new(CR_METRIC_UNBLENDED);
	cr_buf x = CR_BUF_INIT, y = CR_BUF_INIT;
	cr_error err;

	(void)state;
	cr_ledger_add_input(one, "a.csv", "cur2")->rows = 4;
	add_lines(one, a, 4);
	cr_ledger_add_input(one, "b.csv", "cur2")->rows = 4;
	add_lines(one, b, 4);

	/* the second ledger interns its strings in another order */
	cr_ledger_intern(second, "zzz", 3);
	cr_ledger_add_input(first, "a.csv", "cur2")->rows = 4;
	add_lines(first, a, 4);
	cr_ledger_add_input(second, "b.csv", "cur2")->rows = 4;
	add_lines(second, b, 4);
	assert_int_equal(cr_ledger_merge(first, second, &err), 0);

	ledger_text(one, &x);
	ledger_text(first, &y);
	assert_string_equal(y.ptr, x.ptr);
	cr_ledger_free(one);
	cr_ledger_free(first);
	cr_ledger_free(second);
	cr_buf_release(&x);
	cr_buf_release(&y);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ordinary_files),
		cmocka_unit_test(test_exotic_files),
		cmocka_unit_test(test_errors_and_endings),
		cmocka_unit_test(test_two_parts),
		cmocka_unit_test(test_ledger_merge),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
