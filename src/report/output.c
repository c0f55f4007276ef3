/* output.c - see costrank/output.h */
#include "costrank/output.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "costrank/buf.h"

struct cr_outfile {
	char *path;     /* final name, "dir/name" */
	char *dir;      /* the directory that holds path and the temporary */
	char *tmp;      /* the temporary file, in dir */
	FILE *fp;
};

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
	fd = mkstemp(f->tmp);
	if (fd < 0) {
		cr_error_errno(err, CR_EXIT_OUTPUT, errno, "cannot write '%s'", f->path);
		outfile_free(f);
		return NULL;
	}
	if (fchmod(fd, 0600) != 0 || !(f->fp = fdopen(fd, "w"))) {
		int e = errno;
		close(fd);
		unlink(f->tmp);
		cr_error_errno(err, CR_EXIT_OUTPUT, e, "cannot write '%s'", f->path);
		outfile_free(f);
		return NULL;
	}
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

int cr_outfile_commit(cr_outfile *f, cr_error *err)
{
	int e = 0, prior = errno;

	if (!f)
		return cr_error_set(err, CR_EXIT_INTERNAL, "no report file to commit");

	errno = 0;
	if (fflush(f->fp) != 0 || ferror(f->fp))
		e = stream_errno(errno, prior);
	else if (fsync(fileno(f->fp)) != 0)
		e = errno;
	errno = 0;
	if (fclose(f->fp) != 0 && !e)
		e = errno ? errno : EIO;
	f->fp = NULL;
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
