/*
 * error.h - error reports and the documented exit codes.
 *
 * Library modules never print and never exit: they fill a cr_error and
 * return a negative value.  Only the command layer (src/cli) prints the
 * message, prefixed with "costrank: ", and turns err->code into the exit
 * status.  Messages name the place: "file:line: ..." for CSV input,
 * "file:line:column: ..." for JSON, "HTTP 400 ThrottlingException: ..." for
 * API calls.  A message never contains a secret.
 */
#ifndef COSTRANK_ERROR_H
#define COSTRANK_ERROR_H

#include <stddef.h>

/* Exit codes (documented in README.md "Exit codes"). */
enum cr_exit {
	CR_EXIT_OK = 0,        /* success */
	CR_EXIT_THRESHOLD = 1, /* a --fail-* threshold was exceeded */
	CR_EXIT_USAGE = 2,     /* bad command line: unknown option, bad value */
	CR_EXIT_INPUT = 3,     /* bad input data: missing file, corrupt gzip,
	                          malformed CSV, bad amount or date, unknown
	                          header, mixed currencies, bad accounts file */
	CR_EXIT_OUTPUT = 4,    /* a report could not be written */
	CR_EXIT_REMOTE = 5,    /* a remote API failed (HTTP, AWS error) */
	CR_EXIT_AUTH = 6,      /* missing, invalid or expired credentials */
	CR_EXIT_NODATA = 7,    /* the inputs hold no rows for the period */
	CR_EXIT_NOTIFY = 8,    /* --post failed after the reports were written
	                          (they stay on disk) */
	CR_EXIT_INTERNAL = 70  /* a bug or resource exhaustion (out of memory) */
};

#define CR_ERROR_MSG_MAX 1024

typedef struct cr_error {
	int code;                     /* an enum cr_exit value, 0 when clear */
	char msg[CR_ERROR_MSG_MAX];   /* one line, no trailing newline */
} cr_error;

/* Clears err (code 0, empty message).  err may be NULL. */
void cr_error_clear(cr_error *err);

/*
 * Sets err->code and formats the message; returns -1 so that callers can
 * write "return cr_error_set(err, CR_EXIT_INPUT, "...", ...);".
 * Keeps the first error: a second call on an error already set is ignored.
 * err may be NULL.
 */
int cr_error_set(cr_error *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Like cr_error_set but appends ": <strerror(errnum)>". */
int cr_error_errno(cr_error *err, int code, int errnum, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Aborts with a message on allocation failure: these never return NULL. */
void *cr_xmalloc(size_t n);
void *cr_xcalloc(size_t n, size_t size);
void *cr_xrealloc(void *p, size_t n);
char *cr_xstrdup(const char *s);
char *cr_xstrndup(const char *s, size_t n);

#endif
