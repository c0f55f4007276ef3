/*
 * csv_select.h - tuning the CSV reader (csv.h) for a known header, and
 * reading part of a file.
 *
 * Billing exports have a hundred columns or more, of which a source needs
 * a dozen.  After reading the header row, a source names the columns it
 * will look at; the reader then skips the others without unquoting or
 * terminating them.
 *
 *   cr_csv_next(csv, &f, &n, &err);            // the header: every field
 *   size_t cols[] = { 3, 17, 29 }, lazy[] = { 29 };
 *   cr_csv_select(csv, cols, 3, lazy, 1);
 *   while (cr_csv_next(csv, &f, &n, &err) > 0)  // n still counts every field
 *       use(f[3], f[17], *cr_csv_field(csv, 29)); // only these are valid
 */
#ifndef COSTRANK_IO_CSV_SELECT_H
#define COSTRANK_IO_CSV_SELECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "costrank/csv.h"
#include "costrank/input.h"

/*
 * From the next record on, only fields[columns[i]] are returned (unquoted,
 * NUL-terminated, as cr_csv_next describes); the other entries of the
 * array are unspecified.  *nfields still counts every field of the record,
 * and errors are the same.  columns may be in any order, with duplicates;
 * NULL returns every field again.
 *
 * The lazy columns (a subset of columns) are prepared only when asked for
 * with cr_csv_field: big JSON map columns are mostly looked into for one
 * key, or not at all, and unquoting them would cost more than the rest of
 * the row.
 */
void cr_csv_select(cr_csv *csv, const size_t *columns, size_t n,
		   const size_t *lazy, size_t nlazy);

/* Field `column` of the last record, ready (unquoted and NUL-terminated);
 * the same as fields[column] for a column that is not lazy.  Valid until
 * the next cr_csv_next. */
const cr_field *cr_csv_field(cr_csv *csv, size_t column);

/*
 * Field `column` of the last record as it may still be in the file: true
 * when *out is the text between the quotes of a quoted field, with its
 * quotes still doubled ("" for each "), false when *out is the ready field.
 * Lets a caller search a lazy column without preparing it.
 */
bool cr_csv_field_escaped(cr_csv *csv, size_t column, cr_field *out);

/*
 * Reading one file in two parts, on two threads.  The second part's input
 * starts at a line break in the middle of the file (cr_input_seek) and its
 * reader is told the offset (no byte order mark is looked for there).  The
 * first part's reader returns 0, as at the end, before a record that would
 * start at or after stop_at (-1: read on to the end); cr_csv_offset tells
 * where the next record starts, so the first part can check that the
 * second one started on a record boundary.
 */
void cr_csv_start_at(cr_csv *csv, int64_t offset);
void cr_csv_stop_at(cr_csv *csv, int64_t offset);
int64_t cr_csv_offset(const cr_csv *csv);

/*
 * For tests: a reader whose buffer starts at `buffer` bytes instead of
 * 1 MiB, and the choice of parser.  Records go through the block-wise fast
 * path built for the best instruction set the CPU has, falling back to the
 * field-at-a-time parser for anything unusual; CR_CSV_PATH_SLOW sends every
 * record to that parser.  All give the same records, line numbers and
 * errors.  cr_csv_use_path returns false (and changes nothing) for a path
 * this build or CPU lacks.
 */
enum cr_csv_path {
	CR_CSV_PATH_BEST = -1,
	CR_CSV_PATH_SLOW = 0,
	CR_CSV_PATH_SWAR,     /* portable: 64-bit words */
	CR_CSV_PATH_SSE2,
	CR_CSV_PATH_AVX2,     /* with POPCNT, BMI, PCLMUL */
	CR_CSV_PATH_AVX512    /* AVX-512BW */
};
cr_csv *cr_csv_new_sized(cr_input *in, size_t buffer);
bool cr_csv_use_path(cr_csv *csv, enum cr_csv_path path);

#endif
