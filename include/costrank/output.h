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
 * it (registered, proc.h); NULL with err set (CR_EXIT_OUTPUT) on failure. */
cr_outfile *cr_outfile_open(const char *dir, const char *name, cr_error *err);
FILE *cr_outfile_stream(cr_outfile *f);
/* The final path, "dir/name". */
const char *cr_outfile_path(const cr_outfile *f);
/* Flushes, syncs and closes the temporary file, then renames it into
 * place; frees f either way.  0, or -1 with err set and nothing left behind. */
int cr_outfile_commit(cr_outfile *f, cr_error *err);
/* Discards the temporary file and frees f.  f may be NULL. */
void cr_outfile_abort(cr_outfile *f);

/*
 * A set of reports that takes its names together: every report is written
 * to its temporary file, and only when all of them are complete (written,
 * flushed, synced, closed) are they renamed into place, with the
 * termination signals blocked meanwhile.  When one cannot take its name
 * (a directory planted under it, say), those already renamed are put back:
 * the previous set stays as it was.
 *
 * Temporary files are registered with cr_tmp_mkstemp (proc.h), so that a
 * signal handler removes them.  Every run holds a shared lock (flock) on
 * the directory while it writes there; a run that finds the lock free
 * removes the temporary files of runs that died (".costrank-*.tmp.*").
 *
 *   cr_outset *s = cr_outset_open("reports", &err);
 *   FILE *f = cr_outset_add(s, "costrank-2026-10.json", &err);
 *   cr_write_json(report, f, &opts, &err);
 *   ... more reports ...
 *   if (!err.code) cr_outset_commit(s, &err);
 *   cr_outset_free(s);                 (drops what was not committed)
 */
typedef struct cr_outset cr_outset;

/* Creates dir (and its parents) when missing, takes its lock and removes
 * dead runs' temporary files; NULL with err set (CR_EXIT_OUTPUT). */
cr_outset *cr_outset_open(const char *dir, cr_error *err);
/* A new report called name (in dir): the stream of its temporary file, or
 * NULL with err set. */
FILE *cr_outset_add(cr_outset *s, const char *name, cr_error *err);
/* The final paths of the reports added, "dir/name", in order. */
size_t cr_outset_count(const cr_outset *s);
const char *cr_outset_path(const cr_outset *s, size_t i);
/* Commits the set: 0, or -1 with err set (CR_EXIT_OUTPUT) and the previous
 * files where they were, no temporary left.  Once only. */
int cr_outset_commit(cr_outset *s, cr_error *err);
/* Removes what was not committed, releases the lock, frees s (or NULL). */
void cr_outset_free(cr_outset *s);

/* Checks a stream that is not an outfile (stdout) for write errors:
 * fflush + ferror; 0 or -1 with err set naming `what`. */
int cr_stream_check(FILE *f, const char *what, cr_error *err);

#endif
