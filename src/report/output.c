/* output.c - see costrank/output.h */
#include "costrank/output.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "costrank/buf.h"
#include "costrank/proc.h"

struct cr_outfile {
	char *path;     /* final name, "dir/name" */
	char *dir;      /* the directory that holds path and the temporary */
	char *tmp;      /* the temporary file, in dir */
	FILE *fp;       /* writes to fd through out_write */
	int fd;
	uint64_t written, flushing; /* bytes written; handed to write-back */
	int slot;       /* the temporary's registration (proc.h) */
	char *backup;   /* set commit: a second name of the previous file */
	int backup_slot;
};

/* A report can be gigabytes, and committing it waits for fsync: every
 * FLUSH_STEP bytes the kernel is asked to start writing them back
 * (sync_file_range, no waiting), so that the final fsync finds little left.
 * Durability is the fsync's, as before. */
#define FLUSH_STEP (64u << 20)

static ssize_t out_write(void *cookie, const char *buf, size_t n)
{
	cr_outfile *f = cookie;

	if (cr_write_all(f->fd, buf, n) != 0)
		return -1;
	f->written += n;
	if (f->written - f->flushing >= FLUSH_STEP) {
		/* advice only: a file system without it is synced at the end */
		(void)sync_file_range(f->fd, (off_t)f->flushing, (off_t)(f->written - f->flushing),
				      SYNC_FILE_RANGE_WRITE);
		f->flushing = f->written;
	}
	return (ssize_t)n;
}

static int out_close(void *cookie)
{
	cr_outfile *f = cookie;
	int fd = f->fd;

	f->fd = -1;
	return fd >= 0 ? close(fd) : 0;
}

static const cookie_io_functions_t out_io = { .write = out_write, .close = out_close };

/* Creates dir and its missing parents with mode 0755, for the file path. */
static int mkdir_p(const char *dir, const char *path, cr_error *err)
{
	char *p = cr_xstrdup(dir);
	size_t len = strlen(p);
	struct stat st;

	for (size_t i = 1; i <= len; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		if (p[i - 1] == '/')
			continue; /* "a//b" or a trailing slash */
		char saved = p[i];
		p[i] = '\0';
		if (mkdir(p, 0755) != 0) {
			int e = errno;
			if (e != EEXIST || stat(p, &st) != 0 || !S_ISDIR(st.st_mode)) {
				if (e == EEXIST)
					e = ENOTDIR;
				cr_error_errno(err, CR_EXIT_OUTPUT, e,
					       "cannot write '%s': cannot create directory '%s'",
					       path, p);
				free(p);
				return -1;
			}
		}
		p[i] = saved;
	}
	free(p);
	return 0;
}

static void outfile_free(cr_outfile *f)
{
	cr_tmp_forget(f->slot);
	cr_tmp_forget(f->backup_slot);
	free(f->backup);
	free(f->path);
	free(f->dir);
	free(f->tmp);
	free(f);
}

cr_outfile *cr_outfile_open(const char *dir, const char *name, cr_error *err)
{
	cr_buf b = CR_BUF_INIT;
	cr_outfile *f;
	const char *slash, *base;
	int fd;

	if (!name || !*name) {
		cr_error_set(err, CR_EXIT_OUTPUT, "cannot write a report without a file name");
		return NULL;
	}
	f = cr_xcalloc(1, sizeof *f);
	f->slot = f->backup_slot = -1;

	/* The final path. */
	if (dir && *dir) {
		cr_buf_adds(&b, dir);
		if (b.ptr[b.len - 1] != '/')
			cr_buf_addc(&b, '/');
	}
	cr_buf_adds(&b, name);
	f->path = cr_buf_detach(&b);

	/* The directory that will hold it (name may hold a subdirectory). */
	slash = strrchr(f->path, '/');
	if (slash) {
		f->dir = cr_xstrndup(f->path, (size_t)(slash - f->path) + 1);
		base = slash + 1;
	} else {
		f->dir = cr_xstrdup("");
		base = f->path;
	}
	if (!*base) {
		cr_error_set(err, CR_EXIT_OUTPUT, "cannot write '%s': not a file name", f->path);
		outfile_free(f);
		return NULL;
	}
	if (*f->dir && mkdir_p(f->dir, f->path, err) != 0) {
		outfile_free(f);
		return NULL;
	}

	cr_buf_addf(&b, "%s.%s.tmp.XXXXXX", f->dir, base);
	f->tmp = cr_buf_detach(&b);
	fd = cr_tmp_mkstemp(f->tmp, &f->slot);
	if (fd < 0) {
		cr_error_errno(err, CR_EXIT_OUTPUT, errno, "cannot write '%s'", f->path);
		outfile_free(f);
		return NULL;
	}
	f->fd = fd;
	if (fchmod(fd, 0600) != 0 || !(f->fp = fopencookie(f, "w", out_io))) {
		int e = errno;
		close(fd);
		unlink(f->tmp);
		cr_tmp_forget(f->slot);
		f->slot = -1;
		cr_error_errno(err, CR_EXIT_OUTPUT, e, "cannot write '%s'", f->path);
		outfile_free(f);
		return NULL;
	}
	/* a report can be gigabytes: 1 MiB writes (without a buffer stdio
	 * keeps its own, so a failure here is harmless) */
	setvbuf(f->fp, NULL, _IOFBF, 1u << 20);
	return f;
}

FILE *cr_outfile_stream(cr_outfile *f)
{
	return f ? f->fp : NULL;
}

const char *cr_outfile_path(const cr_outfile *f)
{
	return f ? f->path : NULL;
}

/* Makes the rename durable; a failure here loses nothing already written. */
static void sync_dir(const char *dir)
{
	int fd = open(*dir ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)fsync(fd);
		close(fd);
	}
}

/*
 * The error of a stream whose flush failed or whose error flag is set.  A
 * write that failed inside a writer (stdio flushing a full buffer) left its
 * errno behind; a flush with nothing left to write cannot tell it again.
 */
static int stream_errno(int flush_errno, int prior)
{
	if (flush_errno)
		return flush_errno;
	switch (prior) {
	case ENOSPC: case EPIPE: case EIO: case EFBIG: case EDQUOT: case EBADF:
		return prior;
	default:
		return EIO;
	}
}

/* Flushes, syncs and closes the temporary file; 0 or an errno value. */
static int outfile_finish(cr_outfile *f)
{
	int e = 0, prior = errno;

	errno = 0;
	if (fflush(f->fp) != 0 || ferror(f->fp))
		e = stream_errno(errno, prior);
	else if (fsync(f->fd) != 0)
		e = errno;
	errno = 0;
	if (fclose(f->fp) != 0 && !e)
		e = errno ? errno : EIO;
	f->fp = NULL;
	return e;
}

int cr_outfile_commit(cr_outfile *f, cr_error *err)
{
	int e;

	if (!f)
		return cr_error_set(err, CR_EXIT_INTERNAL, "no report file to commit");
	e = outfile_finish(f);
	if (!e && rename(f->tmp, f->path) != 0)
		e = errno;
	if (e) {
		unlink(f->tmp);
		cr_error_errno(err, CR_EXIT_OUTPUT, e, "cannot write '%s'", f->path);
		outfile_free(f);
		return -1;
	}
	sync_dir(f->dir);
	outfile_free(f);
	return 0;
}

void cr_outfile_abort(cr_outfile *f)
{
	if (!f)
		return;
	if (f->fp)
		fclose(f->fp);
	unlink(f->tmp);
	outfile_free(f);
}

int cr_stream_check(FILE *f, const char *what, cr_error *err)
{
	int e, prior = errno;

	errno = 0;
	if (fflush(f) == 0 && !ferror(f))
		return 0;
	e = stream_errno(errno, prior);
	return cr_error_errno(err, CR_EXIT_OUTPUT, e, "cannot write to %s",
			      what ? what : "the output");
}

/* ---- a set of reports ------------------------------------------------ */

struct cr_outset {
	char *dir;
	int dirfd;             /* holds the directory's lock; -1 without one */
	cr_outfile **v;
	char **paths;          /* the final names, kept after the commit */
	size_t n;
};

/* ".costrank-<name>.tmp.XXXXXX": a temporary of this module (or of the
 * workbook writer, ".costrank-xlsx.tmp.XXXXXX"). */
static bool is_our_temporary(const char *name)
{
	return strncmp(name, ".costrank-", 10) == 0 && strstr(name, ".tmp.") != NULL;
}

/*
 * Every run that writes into dir holds a shared lock on it until its set
 * is committed or dropped.  Whoever gets the lock exclusively is alone:
 * the temporary files there are from runs that died (a lock ends with its
 * process), and are removed before the lock is shared.  A run that cannot
 * get it alone leaves them for a later one.
 */
static void lock_and_sweep(cr_outset *s)
{
	DIR *d;
	struct dirent *e;
	int fd;

	s->dirfd = open(*s->dir ? s->dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->dirfd < 0)
		return;
	if (flock(s->dirfd, LOCK_EX | LOCK_NB) == 0) {
		fd = fcntl(s->dirfd, F_DUPFD_CLOEXEC, 3);
		d = fd >= 0 ? fdopendir(fd) : NULL;
		if (!d && fd >= 0)
			close(fd);
		while (d && (e = readdir(d)) != NULL)
			if (is_our_temporary(e->d_name))
				(void)unlinkat(s->dirfd, e->d_name, 0);
		if (d)
			closedir(d);
	}
	/* from exclusive or from nothing to shared; blocks only while another
	 * run sweeps */
	if (flock(s->dirfd, LOCK_SH) != 0) {
		close(s->dirfd);
		s->dirfd = -1;
	}
}

cr_outset *cr_outset_open(const char *dir, cr_error *err)
{
	cr_outset *s = cr_xcalloc(1, sizeof *s);
	cr_buf b = CR_BUF_INIT;

	cr_buf_adds(&b, dir && *dir ? dir : ".");
	if (b.ptr[b.len - 1] != '/')
		cr_buf_addc(&b, '/');
	s->dir = cr_buf_detach(&b);
	s->dirfd = -1;
	if (mkdir_p(s->dir, s->dir, err) != 0) {
		free(s->dir);
		free(s);
		return NULL;
	}
	lock_and_sweep(s);
	return s;
}

FILE *cr_outset_add(cr_outset *s, const char *name, cr_error *err)
{
	cr_outfile *f = cr_outfile_open(s->dir, name, err);

	if (!f)
		return NULL;
	s->v = cr_xrealloc(s->v, (s->n + 1) * sizeof *s->v);
	s->paths = cr_xrealloc(s->paths, (s->n + 1) * sizeof *s->paths);
	s->paths[s->n] = cr_xstrdup(f->path);
	s->v[s->n++] = f;
	return f->fp;
}

size_t cr_outset_count(const cr_outset *s)
{
	return s ? s->n : 0;
}

const char *cr_outset_path(const cr_outset *s, size_t i)
{
	return s && i < s->n ? s->paths[i] : NULL;
}

/* A second name for the file at f->path, so that it can be put back;
 * false when there is nothing there or no link can be made. */
static bool keep_previous(cr_outfile *f)
{
	cr_buf b = CR_BUF_INIT;
	const char *base = f->path + strlen(f->dir);
	int fd;

	cr_buf_addf(&b, "%s.%s.tmp.XXXXXX", f->dir, base);
	fd = cr_tmp_mkstemp(b.ptr, &f->backup_slot);
	if (fd < 0) {
		cr_buf_release(&b);
		return false;
	}
	close(fd);
	/* link() does not replace: the placeholder goes first */
	if (unlink(b.ptr) != 0 || link(f->path, b.ptr) != 0) {
		unlink(b.ptr);
		cr_tmp_forget(f->backup_slot);
		f->backup_slot = -1;
		cr_buf_release(&b);
		return false;
	}
	f->backup = cr_buf_detach(&b);
	return true;
}

/* Puts back what was at the names of v[0..n): the previous files where
 * there were some, nothing where there were none. */
static void roll_back(cr_outfile **v, size_t n, const bool *existed)
{
	for (size_t i = n; i-- > 0;) {
		if (v[i]->backup)
			(void)rename(v[i]->backup, v[i]->path);
		else if (!existed[i])
			(void)unlink(v[i]->path);
	}
}

int cr_outset_commit(cr_outset *s, cr_error *err)
{
	bool *existed;
	struct stat st;
	sigset_t old;
	size_t done = 0;
	int e = 0;
	const char *bad = NULL;

	if (s->n && !s->v[0])
		return cr_error_set(err, CR_EXIT_INTERNAL, "a set of reports committed twice");
	existed = cr_xcalloc(s->n + 1, sizeof *existed);

	/* every report whole on disk under its temporary name */
	for (size_t i = 0; i < s->n && !e; i++)
		if ((e = outfile_finish(s->v[i])) != 0)
			bad = s->v[i]->path;
	/* no signal between the first rename and the last */
	cr_proc_block_term(&old);
	for (size_t i = 0; i < s->n && !e; i++, done++) {
		existed[i] = lstat(s->v[i]->path, &st) == 0;
		if (existed[i] && !S_ISDIR(st.st_mode))
			keep_previous(s->v[i]);
		/* a directory there fails here (EISDIR), and the set is put back */
		if (rename(s->v[i]->tmp, s->v[i]->path) != 0) {
			e = errno;
			bad = s->v[i]->path;
			break;
		}
	}
	if (e) {
		roll_back(s->v, done, existed);
		if (done < s->n && s->v[done]->backup)
			unlink(s->v[done]->backup);
		for (size_t i = done; i < s->n; i++)
			unlink(s->v[i]->tmp);
		cr_error_errno(err, CR_EXIT_OUTPUT, e, "cannot write '%s'", bad);
	} else {
		for (size_t i = 0; i < s->n; i++)
			if (s->v[i]->backup)
				unlink(s->v[i]->backup);
		sync_dir(s->dir);
	}
	for (size_t i = 0; i < s->n; i++) {
		if (s->v[i]->fp)
			fclose(s->v[i]->fp);   /* after a failed one: never finished */
		outfile_free(s->v[i]);
		s->v[i] = NULL;
	}
	cr_proc_restore(&old);
	free(existed);
	return e ? -1 : 0;
}

void cr_outset_free(cr_outset *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++) {
		cr_outfile_abort(s->v[i]);   /* NULL once committed */
		free(s->paths[i]);
	}
	free(s->paths);
	if (s->dirfd >= 0)
		close(s->dirfd);   /* and its lock */
	free(s->v);
	free(s->dir);
	free(s);
}
