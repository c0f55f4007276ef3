/*
 * fuzz_parquet.c - the Parquet reader (parquet.h) and Parquet files through
 * the billing reader into a ledger.
 *
 * The input is a Parquet file.  Invariants:
 *   - opening it and reading every row group with every column either
 *     succeeds or fails with CR_EXIT_INPUT and one line naming the file;
 *   - every batch holds at most the rows its row group has left, and every
 *     value is NUL-terminated text;
 *   - the billing reader (format detection, booking) fails the same way;
 *   - the shortest text of a double (its first 8 bytes) reads back as it.
 */
#include <math.h>

#include "costrank/billing_file.h"
#include "costrank/ledger.h"
#include "costrank/parquet.h"

#include "fuzz.h"

static void check_error(const cr_error *err, const char *name)
{
	FUZZ_CHECK(err->code == CR_EXIT_INPUT);
	FUZZ_CHECK(strchr(err->msg, '\n') == NULL);
	FUZZ_CHECK(strncmp(err->msg, name, strlen(name)) == 0);
}

static void read_all(const uint8_t *data, size_t size)
{
	cr_error err = { 0 };
	cr_pq_file *f = cr_pq_open_memory("mem.parquet", data, size, &err);
	size_t cols[64], ncols;

	if (!f) {
		check_error(&err, "mem.parquet");
		return;
	}
	ncols = cr_pq_ncolumns(f);
	if (ncols > 64)
		ncols = 64;
	for (size_t i = 0; i < ncols; i++)
		cols[i] = i;
	for (size_t g = 0; g < cr_pq_nrow_groups(f); g++) {
		cr_pq_rows *r = cr_pq_rows_open(f, g, cols, ncols, &err);
		const cr_field *out[64];
		int64_t left = cr_pq_row_group_rows(f, g);
		int n;

		if (!r) {
			check_error(&err, "mem.parquet");
			break;
		}
		for (size_t i = 0; i < ncols; i++)
			if (cr_pq_column_is_map(f, i)) {
				static const char *const keys[] = { "product_name" };
				cr_pq_rows_keys(r, i, keys, g % 2);
			}
		while ((n = cr_pq_rows_next(r, out, &err)) > 0) {
			FUZZ_CHECK(n <= left);
			left -= n;
			for (size_t i = 0; i < ncols; i++)
				for (int k = 0; k < n; k++)
					FUZZ_CHECK(out[i][k].ptr[out[i][k].len] == '\0');
		}
		cr_pq_rows_close(r);
		if (n < 0) {
			check_error(&err, "mem.parquet");
			break;
		}
		FUZZ_CHECK(left == 0);
	}
	cr_pq_close(f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cr_error err = { 0 };
	enum cr_format format;
	cr_ledger *l;
	const char *path;

	read_all(data, size);

	path = fuzz_file(data, size);
	l = cr_ledger_new(CR_METRIC_UNBLENDED);
	if (cr_billing_file_read(l, path, &format, &err))
		check_error(&err, path);
	cr_ledger_free(l);

	if (size >= 8) {
		double d;
		char buf[32];
		size_t n;
		memcpy(&d, data, 8);
		n = cr_pq_double_text(d, buf);
		FUZZ_CHECK(n == strlen(buf) && n > 0 && n < 32);
		if (!isnan(d))
			FUZZ_CHECK(strtod(buf, NULL) == d);
	}
	return 0;
}
