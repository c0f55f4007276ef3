/* proc.c - see costrank/proc.h */
#include "costrank/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

static bool closed_at_start[3];

int cr_proc_std_fds(void)
{
	int rc = 0;

	for (int fd = 0; fd <= 2; fd++) {
		if (fcntl(fd, F_GETFD) >= 0 || errno != EBADF)
			continue;
		/* open() takes the lowest free number: this one */
		int got = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
		if (got < 0) {
			rc = -1;
			continue;
		}
		if (got != fd) {
			dup2(got, fd);
			close(got);
		}
		closed_at_start[fd] = true;
	}
	return rc;
}

bool cr_proc_fd_was_closed(int fd)
{
	return fd >= 0 && fd <= 2 && closed_at_start[fd];
}

int cr_proc_no_dump(void)
{
	return prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
}

/*
 * The registry of temporary files.  Fixed storage, so that a signal
 * handler reads it without allocating: a slot is FREE, being FILLED, or
 * SET (its path complete and the file possibly on disk).
 */
#define SLOTS 64
enum { FREE, FILLED, SET };

static _Atomic int state[SLOTS];
static char paths[SLOTS][PATH_MAX];

_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "the registry needs lock-free atomics");

int cr_tmp_track(const char *path)
{
	size_t len = strlen(path);

	if (len >= PATH_MAX) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (int i = 0; i < SLOTS; i++) {
		int expect = FREE;
		if (!atomic_compare_exchange_strong(&state[i], &expect, FILLED))
			continue;
		memcpy(paths[i], path, len + 1);
		atomic_store(&state[i], SET);
		return i;
	}
	errno = ENFILE;
	return -1;
}

void cr_tmp_forget(int slot)
{
	if (slot >= 0 && slot < SLOTS)
		atomic_store(&state[slot], FREE);
}

void cr_tmp_remove_all(void)
{
	for (int i = 0; i < SLOTS; i++)
		if (atomic_load(&state[i]) == SET)
			unlink(paths[i]);
}

void cr_proc_block_term(sigset_t *old)
{
	static const int term[] = CR_PROC_TERM_SIGNALS;
	sigset_t set;

	sigemptyset(&set);
	for (size_t i = 0; i < sizeof term / sizeof term[0]; i++)
		sigaddset(&set, term[i]);
	pthread_sigmask(SIG_BLOCK, &set, old);
}

void cr_proc_restore(const sigset_t *old)
{
	pthread_sigmask(SIG_SETMASK, old, NULL);
}

int cr_tmp_mkstemp(char *template, int *slot)
{
	sigset_t old;
	int fd, e;

	cr_proc_block_term(&old);
	fd = mkstemp(template);
	if (fd >= 0 && (*slot = cr_tmp_track(template)) < 0) {
		e = errno;
		close(fd);
		unlink(template);
		errno = e;
		fd = -1;
	}
	e = errno;
	cr_proc_restore(&old);
	errno = e;
	return fd;
}
