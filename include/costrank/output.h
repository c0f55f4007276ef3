/*
 * output.h - report files that appear whole or not at all.
 *
 * A report is written to a temporary file in the destination directory and
 * renamed over the final name only when it is complete and every write,
 * flush, fsync and close succeeded.  Files are created with mode 0600:
 * reports hold account data.
 *
 *   cr_outfile *f = cr_outfile_open("reports", "costrank-2026-10.json", &err);
 *   cr_write_json(report, cr_outfile_stream(f), &opts, &err);
 *   if (err.code) cr_outfile_abort(f); else if (cr_outfile_commit(f, &err)) fail();
 */
#ifndef COSTRANK_OUTPUT_H
#define COSTRANK_OUTPUT_H

#include <stdio.h>

#include "costrank/error.h"

typedef struct cr_outfile cr_outfile;

/* Creates dir (and its parents) when missing and opens a temporary file in
 * it; NULL with err set (CR_EXIT_OUTPUT) on failure. */
cr_outfile *cr_outfile_open(const char *dir, const char *name, cr_error *err);
FILE *cr_outfile_stream(cr_outfile *f);
/* The final path, "dir/name". */
const char *cr_outfile_path(const cr_outfile *f);
/* Flushes, syncs and closes the temporary file, then renames it into
 * place; frees f either way.  0, or -1 with err set and nothing left behind. */
int cr_outfile_commit(cr_outfile *f, cr_error *err);
/* Discards the temporary file and frees f.  f may be NULL. */
void cr_outfile_abort(cr_outfile *f);

/* Checks a stream that is not an outfile (stdout) for write errors:
 * fflush + ferror; 0 or -1 with err set naming `what`. */
int cr_stream_check(FILE *f, const char *what, cr_error *err);

#endif
