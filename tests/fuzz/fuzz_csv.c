/*
 * fuzz_csv.c - the CSV reader, header recognition and the billing row path.
 *
 * The input is a billing file (plain, or gzip when it starts with the magic
 * bytes).  It is read several ways that must agree record for record, line
 * for line and error for error (csv_select.h promises it):
 *   - the field-at-a-time parser with a small buffer (refills, growth): the
 *     reference;
 *   - the reader as the sources use it (best path, default buffer);
 *   - every block-wise path this CPU has, with the small buffer;
 *   - the best path with the small buffer and a column selection, lazy
 *     columns included, compared on the chosen columns.
 * Then the whole file goes through cr_billing_file_read into a fresh ledger
 * (the metric, unblended or amortised, is drawn from the input like the
 * selection): any error must be CR_EXIT_INPUT and name the file, and
 * a file read without error has one row per record after the header.
 */
#include <stdbool.h>

#include "costrank/billing_file.h"
#include "costrank/buf.h"
#include "costrank/csv.h"
#include "costrank/error.h"
#include "costrank/input.h"
#include "costrank/ledger.h"
#include "io/csv_select.h"

#include "fuzz.h"

#define MAX_CHOSEN 24

struct choice {
	size_t cols[MAX_CHOSEN], lazy[2];
	size_t ncols, nlazy;
};

static void add_field(cr_buf *b, size_t col, const char *p, size_t len)
{
	cr_buf_addf(b, "%zu=%zu:", col, len);
	cr_buf_add(b, p, len);
}

static bool chosen(const struct choice *ch, size_t col)
{
	for (size_t i = 0; i < ch->ncols; i++)
		if (ch->cols[i] == col)
			return true;
	return false;
}

static bool is_lazy(const struct choice *ch, size_t col)
{
	for (size_t i = 0; i < ch->nlazy; i++)
		if (ch->lazy[i] == col)
			return true;
	return false;
}

static void add_end(cr_buf *b, int rc, const cr_error *err)
{
	if (rc < 0)
		cr_buf_addf(b, "E%d %s\n", err->code, err->msg);
	else
		cr_buf_adds(b, "EOF\n");
}

/*
 * Reads path with a reader of `buffer` bytes (0: the default) and the given
 * parser (enum cr_csv_path, or DEFAULT_PATH).  all: every record with every
 * field; sel (when ch is given): the header in full, then per record the
 * chosen columns only.  Returns the number of records, -1 after an error,
 * -2 when the parser is not available.
 */
#define DEFAULT_PATH (-100)

static long read_csv(const char *path, size_t buffer, int parser, const struct choice *ch,
		     cr_buf *all, cr_buf *sel)
{
	cr_error err;
	cr_input *in;
	cr_csv *csv;
	cr_field *f;
	size_t n;
	long nrec = 0;
	int rc;

	cr_error_clear(&err);
	in = cr_input_open(path, &err);
	if (!in) {
		/* a file that looks compressed (gzip, ZIP) but cannot be opened */
		FUZZ_CHECK(err.code == CR_EXIT_INPUT);
		FUZZ_CHECK(strncmp(err.msg, path, strlen(path)) == 0);
		FUZZ_CHECK(strchr(err.msg, '\n') == NULL);
		return -1;
	}
	csv = buffer ? cr_csv_new_sized(in, buffer) : cr_csv_new(in);
	if (parser != DEFAULT_PATH && !cr_csv_use_path(csv, (enum cr_csv_path)parser)) {
		cr_csv_free(csv);
		cr_input_close(in);
		return -2; /* not in this build or on this CPU */
	}
	while ((rc = cr_csv_next(csv, &f, &n, &err)) > 0) {
		FUZZ_CHECK(n >= 1 && n <= CR_CSV_MAX_FIELDS);
		if (all) {
			cr_buf_addf(all, "R%ld %zu\n", cr_csv_line(csv), n);
			for (size_t i = 0; i < n; i++) {
				FUZZ_CHECK(f[i].ptr[f[i].len] == '\0');
				add_field(all, i, f[i].ptr, f[i].len);
			}
			cr_buf_addc(all, '\n');
		}
		if (sel) {
			cr_buf_addf(sel, "R%ld %zu\n", cr_csv_line(csv), n);
			for (size_t i = 0; i < n; i++) {
				if (nrec > 0 && ch && !chosen(ch, i))
					continue;
				if (nrec > 0 && ch && is_lazy(ch, i)) {
					cr_field esc;
					const cr_field *ready;

					if (cr_csv_field_escaped(csv, i, &esc)) {
						/* as in the file: every quote doubled */
						cr_buf un = CR_BUF_INIT;
						for (size_t k = 0; k < esc.len; k++) {
							cr_buf_addc(&un, esc.ptr[k]);
							if (esc.ptr[k] == '"') {
								FUZZ_CHECK(k + 1 < esc.len &&
									   esc.ptr[k + 1] == '"');
								k++;
							}
						}
						ready = cr_csv_field(csv, i);
						FUZZ_CHECK(ready->len == un.len &&
							   memcmp(ready->ptr, un.ptr ? un.ptr : "",
								  un.len) == 0);
						cr_buf_release(&un);
					} else {
						ready = cr_csv_field(csv, i);
					}
					FUZZ_CHECK(ready->ptr[ready->len] == '\0');
					add_field(sel, i, ready->ptr, ready->len);
				} else {
					FUZZ_CHECK(f[i].ptr[f[i].len] == '\0');
					add_field(sel, i, f[i].ptr, f[i].len);
				}
			}
			cr_buf_addc(sel, '\n');
		}
		if (nrec == 0 && ch && buffer)
			cr_csv_select(csv, ch->cols, ch->ncols, ch->lazy, ch->nlazy);
		nrec++;
	}
	if (rc < 0) {
		FUZZ_CHECK(err.code == CR_EXIT_INPUT);
		FUZZ_CHECK(strncmp(err.msg, path, strlen(path)) == 0);
		FUZZ_CHECK(strchr(err.msg, '\n') == NULL);
		/* the error is sticky */
		{
			cr_error again;
			cr_error_clear(&again);
			FUZZ_CHECK(cr_csv_next(csv, &f, &n, &again) < 0);
			FUZZ_CHECK(strcmp(again.msg, err.msg) == 0);
		}
	}
	if (all)
		add_end(all, rc, &err);
	if (sel)
		add_end(sel, rc, &err);
	cr_csv_free(csv);
	cr_input_close(in);
	return rc < 0 ? -1 : nrec;
}

/* Every dimension books each line once, with the line's cost: its total is
 * the ledger's (when neither sum overflows). */
static void check_dims(const cr_ledger *l)
{
	size_t n;
	const cr_ledger_entry *e = cr_ledger_entries(l, &n);
	cr_dec total = CR_DEC_ZERO;

	for (size_t i = 0; i < n; i++)
		if (cr_dec_acc(&total, e[i].cost))
			return;
	for (size_t d = 0; d < cr_ledger_dimension_count(l); d++) {
		size_t nd;
		const cr_ledger_entry *x = cr_ledger_dim_entries(l, d, &nd);
		cr_dec sum = CR_DEC_ZERO;
		bool over = false;

		for (size_t i = 0; i < nd && !over; i++)
			over = cr_dec_acc(&sum, x[i].cost) != 0;
		if (cr_ledger_dimension(l, d)->kind == CR_DIM_RESOURCE) {
			/* a resource dimension books into its own table */
			const cr_ledger_resource *y = cr_ledger_resources(l, &nd);
			for (size_t i = 0; i < nd && !over; i++)
				over = cr_dec_acc(&sum, y[i].cost) != 0;
		}
		FUZZ_CHECK(over || cr_dec_cmp(sum, total) == 0);
	}
}

static void read_billing(const char *path, enum cr_metric metric, bool dims, long records)
{
	cr_ledger *l = cr_ledger_new(metric);
	enum cr_format format;
	cr_error err;
	int rc;

	cr_error_clear(&err);
	if (dims) {  /* tags, region and resource ids booked too */
		FUZZ_CHECK(cr_ledger_add_dimension(l, CR_DIM_TAG, "team", &err) == 0);
		FUZZ_CHECK(cr_ledger_add_dimension(l, CR_DIM_REGION, NULL, &err) == 1);
		FUZZ_CHECK(cr_ledger_add_dimension(l, CR_DIM_RESOURCE, NULL, &err) == 2);
	}
	rc = cr_billing_file_read(l, path, &format, &err);
	if (rc < 0) {
		/* --by is refused for Parquet files (a usage error) */
		FUZZ_CHECK(err.code == CR_EXIT_INPUT || (dims && err.code == CR_EXIT_USAGE));
		FUZZ_CHECK(strncmp(err.msg, path, strlen(path)) == 0);
		FUZZ_CHECK(strchr(err.msg, '\n') == NULL);
	} else {
		const cr_ledger_input *in;
		size_t nin, nent;

		FUZZ_CHECK(rc == 0);
		FUZZ_CHECK(format != CR_FORMAT_UNKNOWN);
		in = cr_ledger_inputs(l, &nin);
		FUZZ_CHECK(nin == 1);
		FUZZ_CHECK(records >= 1 && in[0].rows == (uint64_t)(records - 1));
		(void)cr_ledger_entries(l, &nent);
		FUZZ_CHECK(nent <= in[0].rows);
		check_dims(l);
	}
	cr_ledger_free(l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file(data, size);
	cr_buf a = CR_BUF_INIT, b = CR_BUF_INIT, bsel = CR_BUF_INIT, c = CR_BUF_INIT;
	struct choice ch = { .ncols = 0 };
	uint32_t seed = 0x9e3779b9u;
	size_t small;
	long na, nb, nc;

	/* A column selection and a buffer size drawn from the input. */
	for (size_t i = 0; i < size && i < 64; i++)
		seed = (seed ^ data[i]) * 16777619u;
	for (size_t col = 0; col < MAX_CHOSEN; col++)
		if (seed >> (col % 32) & 1)
			ch.cols[ch.ncols++] = col;
	if (ch.ncols && (seed & 0x80000000u))
		ch.lazy[ch.nlazy++] = ch.cols[0];
	if (ch.ncols > 1 && (seed & 0x40000000u))
		ch.lazy[ch.nlazy++] = ch.cols[ch.ncols - 1];
	small = (size_t)64 << (seed % 7);

	na = read_csv(path, small, CR_CSV_PATH_SLOW, NULL, &a, NULL);
	FUZZ_CHECK(na != -2);
	nb = read_csv(path, 0, DEFAULT_PATH, &ch, &b, &bsel);
	FUZZ_CHECK(na == nb);
	FUZZ_CHECK(a.len == b.len && (!a.len || memcmp(a.ptr, b.ptr, a.len) == 0));
	for (int p = CR_CSV_PATH_SWAR; p <= CR_CSV_PATH_AVX512; p++) {
		cr_buf_reset(&b);
		nc = read_csv(path, small, p, NULL, &b, NULL);
		if (nc == -2)
			continue;
		FUZZ_CHECK(nc == na);
		FUZZ_CHECK(a.len == b.len && (!a.len || memcmp(a.ptr, b.ptr, a.len) == 0));
	}
	nc = read_csv(path, small, DEFAULT_PATH, &ch, NULL, &c);
	FUZZ_CHECK(nc == na);
	FUZZ_CHECK(c.len == bsel.len && (!c.len || memcmp(c.ptr, bsel.ptr, c.len) == 0));
	cr_buf_release(&a);
	cr_buf_release(&b);
	cr_buf_release(&bsel);
	cr_buf_release(&c);

	/* one metric per input (large buffers are what costs most under ASan) */
	read_billing(path, seed & 0x20000000u ? CR_METRIC_AMORTIZED : CR_METRIC_UNBLENDED,
		     seed & 0x10000000u, nb);
	return 0;
}
