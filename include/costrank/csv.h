/*
 * csv.h - a streaming RFC 4180 reader: the hot path of every file source.
 *
 * Reads records from a cr_input through a large internal buffer.  Handles
 * quoted fields with commas, doubled quotes and line breaks, CRLF or LF line
 * ends, and a UTF-8 byte order mark at the start.  Blank lines are skipped.
 * Memory is bounded by the longest record (at most CR_CSV_MAX_RECORD bytes),
 * never by the size of the file; there is no allocation per record.
 *
 *   cr_csv *csv = cr_csv_new(in);
 *   cr_field *f; size_t n; int rc;
 *   while ((rc = cr_csv_next(csv, &f, &n, &err)) > 0)
 *       use(f[0].ptr, f[0].len, cr_csv_line(csv));
 *   if (rc < 0) fail(err.msg);   // "FILE:LINE: unterminated quoted field"
 *   cr_csv_free(csv);
 *
 * Fields point into memory the reader owns (its buffer, or a scratch area
 * for quoted fields whose doubled quotes were collapsed): valid until the
 * next call.  Each field is followed by a NUL byte (ptr[len] == '\0').
 */
#ifndef COSTRANK_CSV_H
#define COSTRANK_CSV_H

#include <stddef.h>

#include "costrank/error.h"
#include "costrank/input.h"

#define CR_CSV_MAX_RECORD (64u << 20) /* 64 MiB */
#define CR_CSV_MAX_FIELDS 100000

typedef struct cr_field {
	const char *ptr;
	size_t len;
} cr_field;

typedef struct cr_csv cr_csv;

/* The reader does not own in: close it after cr_csv_free. */
cr_csv *cr_csv_new(cr_input *in);

/*
 * Reads the next record.  Returns 1 with *fields / *nfields set, 0 at the
 * end of the input, or -1 with err set (CR_EXIT_INPUT) and a message naming
 * the file and the line the record starts on: an unterminated quoted field,
 * a character after a closing quote ("a"b), a record over
 * CR_CSV_MAX_RECORD bytes or CR_CSV_MAX_FIELDS fields, a NUL byte, or
 * the error of the underlying input (corrupt gzip...).
 */
int cr_csv_next(cr_csv *csv, cr_field **fields, size_t *nfields, cr_error *err);

/* 1-based physical line on which the last record returned starts. */
long cr_csv_line(const cr_csv *csv);

/* The input's path, for messages. */
const char *cr_csv_path(const cr_csv *csv);

void cr_csv_free(cr_csv *csv);

#endif
