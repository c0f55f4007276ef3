/*
 * cred_process.h - credentials from a profile's credential_process.
 *
 * The command line is split into words as a POSIX shell splits them
 * (blanks separate; '...' keeps everything; "..." keeps everything but a
 * backslash before '"' or '\'; elsewhere a backslash keeps the next
 * character) without expansion of any kind, and is not given to a shell.
 * The program (looked up in PATH unless it holds a '/') runs with stdin
 * from /dev/null and stderr inherited, so that it can prompt; its stdout is
 * read, at most 1 MiB, and it is killed when it has not finished within the
 * timeout.  It must exit 0 and print
 *
 *   {"Version": 1, "AccessKeyId": "...", "SecretAccessKey": "...",
 *    "SessionToken": "...", "Expiration": "2026-11-23T10:00:00Z"}
 *
 * SessionToken and Expiration being optional.  Every failure is
 * CR_EXIT_AUTH, one line naming the profile and the program (argv[0]):
 * never its arguments or its output, which may hold secrets.  The output is
 * wiped from memory once parsed.
 */
#ifndef COSTRANK_CRED_PROCESS_H
#define COSTRANK_CRED_PROCESS_H

#include <stddef.h>
#include <time.h>

#include "costrank/credentials.h"
#include "costrank/error.h"

#define CR_CRED_PROCESS_TIMEOUT_MS 60000L
#define CR_CRED_PROCESS_MAX_OUTPUT (1u << 20)

/*
 * Splits cmd into a NULL-terminated argv (free with cr_cred_process_free).
 * Returns the number of words, or -1 with err set (CR_EXIT_AUTH): an
 * unterminated quote, a trailing backslash.  what names the command in
 * messages.
 */
int cr_cred_process_split(const char *cmd, const char *what, char ***argv, cr_error *err);
void cr_cred_process_free(char **argv);

/*
 * Runs cmd for profile into the empty *out.  timeout_ms 0:
 * CR_CRED_PROCESS_TIMEOUT_MS; now 0: the current time (credentials that
 * have expired by then are refused).  Returns 0, or -1 with err set and *out
 * empty.
 */
int cr_cred_process_run(const char *cmd, const char *profile, long timeout_ms, time_t now,
			cr_aws_credentials *out, cr_error *err);

#endif
