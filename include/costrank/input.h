/*
 * input.h - a byte stream from a file, transparently gunzipped or unzipped.
 *
 * Compression is recognised by the magic bytes (gzip 1f 8b, ZIP "PK\3\4"),
 * never by the file name.  A ZIP archive (AWS's ZIP compression of CUR
 * parts) must hold exactly one file, and be a regular file (not a pipe or
 * an S3 object).  Multi-member gzip files (concatenated parts) are read
 * whole.
 * A truncated or corrupt gzip stream is an error naming the file, never a
 * silent end of data.  "-" reads standard input; "s3://bucket/key" streams
 * an object from S3 (s3.h: cr_s3_setup first).
 *
 *   cr_input *in = cr_input_open("part-1.csv.gz", &err);
 *   while ((n = cr_input_read(in, buf, sizeof buf, &err)) > 0) ...
 *   if (n < 0) fail(err.msg);
 *   cr_input_close(in);
 */
#ifndef COSTRANK_INPUT_H
#define COSTRANK_INPUT_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "costrank/error.h"

typedef struct cr_input cr_input;

/* Opens path; NULL with err set (CR_EXIT_INPUT) when it cannot be opened. */
cr_input *cr_input_open(const char *path, cr_error *err);

/*
 * Reads up to n decompressed bytes into buf.  Returns the count (> 0), 0 at
 * the clean end of the data, or -1 with err set ("FILE: truncated gzip
 * data", "FILE: corrupt gzip data: <zlib message>", read errors).
 */
ssize_t cr_input_read(cr_input *in, void *buf, size_t n, cr_error *err);

/* The path given to cr_input_open. */
const char *cr_input_path(const cr_input *in);
bool cr_input_is_gzip(const cr_input *in);
/* gzip or ZIP: the input cannot be read from the middle (input_seek.h). */
bool cr_input_is_compressed(const cr_input *in);
/* Size of the file on disk (compressed bytes), -1 when unknown (a pipe). */
int64_t cr_input_file_size(const cr_input *in);
/* Compressed bytes consumed so far: progress against cr_input_file_size. */
int64_t cr_input_file_pos(const cr_input *in);

void cr_input_close(cr_input *in);

#endif
