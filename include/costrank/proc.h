/*
 * proc.h - the process around the work: its standard descriptors, core
 * dumps, and the temporary files a signal must not leave behind.
 *
 *   cr_proc_std_fds();           first thing in main: 0-2 always open
 *   cr_proc_no_dump();           before any secret is read
 *   int slot;
 *   int fd = cr_tmp_mkstemp(path_template, &slot);
 *   ... rename(path, final) or unlink(path) ...
 *   cr_tmp_forget(slot);
 *
 * and in a handler of SIGINT or SIGTERM: cr_tmp_remove_all(); _exit(...).
 */
#ifndef COSTRANK_PROC_H
#define COSTRANK_PROC_H

#include <signal.h>
#include <stdbool.h>

/* The signals that end a run: blocked while a temporary file is created
 * and registered, and while a set of reports takes its names. */
#define CR_PROC_TERM_SIGNALS { SIGINT, SIGTERM, SIGHUP }

/*
 * Opens each of the descriptors 0, 1 and 2 that is closed on /dev/null,
 * so that no file opened later takes its number (a report written into
 * the descriptor of standard output).  0, or -1 when /dev/null cannot be
 * opened.  cr_proc_fd_was_closed() then tells which were closed.
 */
int cr_proc_std_fds(void);
bool cr_proc_fd_was_closed(int fd);

/* Marks the process non-dumpable (no core file, no ptrace by the same
 * user, /proc/PID files readable by root only): it holds credentials and
 * webhook URLs.  0, or -1 (errno set). */
int cr_proc_no_dump(void);

/*
 * mkstemp(template), with the file registered for cr_tmp_remove_all();
 * the termination signals are blocked meanwhile, so that no file exists
 * unregistered.  Returns the descriptor and its slot in *slot, or -1
 * (errno set; ENFILE when every slot is taken).
 */
int cr_tmp_mkstemp(char *template, int *slot);
/* Registers a temporary path made otherwise; the slot, or -1 (ENFILE,
 * ENAMETOOLONG). */
int cr_tmp_track(const char *path);
/* Forgets a slot once its file is renamed or removed.  slot may be -1. */
void cr_tmp_forget(int slot);
/* Removes every registered file: async-signal-safe, for signal handlers. */
void cr_tmp_remove_all(void);

/* Blocks the termination signals in the calling thread, saving the old
 * mask in *old; cr_proc_restore puts it back. */
void cr_proc_block_term(sigset_t *old);
void cr_proc_restore(const sigset_t *old);

#endif
