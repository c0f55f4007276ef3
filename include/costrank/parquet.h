/*
 * parquet.h - a streaming reader of Apache Parquet files.
 *
 * Reads the footer (Thrift compact protocol), then one row group at a time
 * and only the columns asked for (projection).  Values come out as text,
 * the way the CSV reader gives fields, so one booking code serves both:
 *
 *   strings      the bytes as stored
 *   integers     "-42";  DECIMAL "-12.3400" exactly, at its scale
 *   DOUBLE/FLOAT the shortest decimal that reads back as the same number
 *                (what DuckDB and Athena print): "0.1", "1.5e-07"
 *   TIMESTAMP    "2026-10-01T00:00:00Z" (INT96 too); DATE "2026-10-01"
 *   BOOLEAN      "true" / "false"
 *   MAP          a JSON object of its entries, {"k":"v",...}, limited to
 *                the keys asked for (cr_pq_rows_keys); LIST a JSON array
 *   null         empty text
 *
 * Supported: data pages v1 and v2 and dictionary pages; encodings PLAIN,
 * PLAIN_DICTIONARY / RLE_DICTIONARY, RLE, DELTA_BINARY_PACKED,
 * DELTA_LENGTH_BYTE_ARRAY, DELTA_BYTE_ARRAY, BYTE_STREAM_SPLIT; codecs
 * UNCOMPRESSED, SNAPPY, GZIP, ZSTD, LZ4_RAW.  Every length and offset is
 * checked against the file and the page; a page must decompress to exactly
 * the size it declares.  Memory is bounded by the projected column chunks
 * of one row group plus one page per column.
 *
 * Errors (CR_EXIT_INPUT) are one line naming the file and, past the
 * footer, the row group and column: "x.parquet: row group 2, column
 * line_item_unblended_cost: dictionary index 9 out of range (8 entries)".
 *
 * A file is read-only once open: several threads may each read row groups
 * of it through cursors of their own.
 */
#ifndef COSTRANK_PARQUET_H
#define COSTRANK_PARQUET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "costrank/csv.h"
#include "costrank/error.h"

/* True when the n bytes at p start with the Parquet magic "PAR1". */
bool cr_pq_magic(const void *p, size_t n);

/*
 * Random access to the bytes of a file: read exactly len bytes at offset
 * into buf, returning 0, or -1 with err set.  Local files use pread; an
 * S3 object can plug in ranged GETs (s3.h, cr_s3_get_range).
 */
typedef int cr_pq_read_fn(void *ctx, int64_t offset, size_t len, void *buf,
			  cr_error *err);

typedef struct cr_pq_file cr_pq_file;

/* Opens a local file and reads its footer; NULL with err set. */
cr_pq_file *cr_pq_open(const char *path, cr_error *err);

/* The same over any source of `size` bytes; ctx must outlive the file. */
cr_pq_file *cr_pq_open_source(const char *name, int64_t size, cr_pq_read_fn *read,
			      void *ctx, cr_error *err);
/* The same over size bytes in memory, which must outlive the file. */
cr_pq_file *cr_pq_open_memory(const char *name, const void *data, size_t size, cr_error *err);
void cr_pq_close(cr_pq_file *f);

/* The top-level columns (a MAP or LIST counts as one) in schema order. */
size_t cr_pq_ncolumns(const cr_pq_file *f);
const char *cr_pq_column_name(const cr_pq_file *f, size_t col);
/* The column names as fields, for cr_columns_detect; valid while f is. */
const cr_field *cr_pq_column_fields(const cr_pq_file *f);
bool cr_pq_column_is_map(const cr_pq_file *f, size_t col);

size_t cr_pq_nrow_groups(const cr_pq_file *f);
int64_t cr_pq_num_rows(const cr_pq_file *f);          /* all row groups */
int64_t cr_pq_row_group_rows(const cr_pq_file *f, size_t rg);

/* A cursor over the rows of one row group, for the columns chosen. */
typedef struct cr_pq_rows cr_pq_rows;

/*
 * Opens row group rg for columns cols[0..ncols) (top-level indices, any
 * order).  Returns NULL with err set when a chunk lies outside the file or
 * uses something unsupported.
 */
cr_pq_rows *cr_pq_rows_open(cr_pq_file *f, size_t rg, const size_t *cols, size_t ncols,
			    cr_error *err);

/*
 * For a MAP column: only the entries with one of these keys are written
 * into its JSON text (the others are skipped without being copied).  keys
 * must outlive the cursor; n == 0 writes every entry; at most 8 keys.
 */
void cr_pq_rows_keys(cr_pq_rows *r, size_t col, const char *const *keys, size_t n);

/*
 * Reads the next batch of rows: returns their count (> 0) with out[i]
 * pointing at that many values of cols[i], 0 at the end of the row group,
 * or -1 with err set.  Values are NUL-terminated and valid until the next
 * call.  cr_pq_rows_first tells the index of the first row of the batch
 * within the row group.
 */
int cr_pq_rows_next(cr_pq_rows *r, const cr_field **out, cr_error *err);
int64_t cr_pq_rows_first(const cr_pq_rows *r);
void cr_pq_rows_close(cr_pq_rows *r);

/*
 * The shortest decimal text of d that reads back as d ("0.1", "-3",
 * "1.2345e-07", "0.30000000000000004"), NUL-terminated; returns its length.
 * buf must hold 32 bytes.  NaN and infinities give "NaN", "Infinity".
 */
size_t cr_pq_double_text(double d, char *buf);

#endif
