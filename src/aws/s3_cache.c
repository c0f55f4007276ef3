/*
 * s3_cache.c - the cache of S3 objects of closed billing periods
 * (s3_internal.h).
 *
 * An object is kept in DIR/s3-KEY.obj, DIR being the cache directory of
 * Cost Explorer (0700) and KEY the hex SHA-256 of the endpoint, bucket and
 * key.  The file (0600) starts with a header of three lines, then holds
 * the object's bytes:
 *
 *   costrank.s3-cache/v1
 *   <ETag>
 *   <size in bytes>
 *
 * A cached copy is used only after S3 answers 304 Not Modified to a GET
 * with If-None-Match: its ETag, so a changed object is always fetched
 * again.  Files are written to a temporary name and renamed into place
 * once the whole object arrived; a file that is not a regular file of the
 * user, is writable by others, is a symbolic link, or whose size disagrees
 * with its header is ignored.
 */
#include "aws/s3_internal.h"

#include "costrank/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "costrank/buf.h"
#include "costrank/date.h"
#include "costrank/sigv4.h"

#define SCHEMA "costrank.s3-cache/v1"
#define HEADER_MAX 256

/* "YYYY-MM" at s: the first day of the month after it into *end. */
static bool month_end(const char *s, cr_day *end)
{
	int y, m;

	if (strlen(s) < 7 || sscanf(s, "%4d-%2d", &y, &m) != 2 || s[4] != '-' || m < 1 || m > 12)
		return false;
	return cr_day_from_ymd(m == 12 ? y + 1 : y, m == 12 ? 1 : m + 1, 1, end) == 0;
}

/* "/YYYYMMDD-YYYYMMDD/" at s: the second date into *end. */
static bool range_end(const char *s, cr_day *end)
{
	int y, m, d;

	for (int i = 1; i < 18; i++)
		if (i != 9 && (s[i] < '0' || s[i] > '9'))
			return false;
	if (s[0] != '/' || s[9] != '-' || s[18] != '/' ||
	    sscanf(s + 10, "%4d%2d%2d", &y, &m, &d) != 3)
		return false;
	return cr_day_from_ymd(y, m, d, end) == 0;
}

bool s3_cache_period_closed(const char *key, time_t now)
{
	struct tm tm;
	cr_day today, end;
	const char *p;
	bool found = false;

	gmtime_r(&now, &tm);
	if (cr_day_from_ymd(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, &today) < 0)
		return false;
	if ((p = strstr(key, "BILLING_PERIOD=")) && month_end(p + 15, &end))
		found = true;
	for (p = strchr(key, '/'); !found && p; p = strchr(p + 1, '/'))
		if (strlen(p) > 18 && range_end(p, &end))
			found = true;
	/* a period is closed once it has ended; its data then only changes
	 * with a new ETag, which the 304 check catches */
	return found && end <= today;
}

static char *entry_path(const char *bucket, const char *key, const char *suffix)
{
	const char *dir = s3_cache_dir();
	char hash[CR_SHA256_HEX_STRLEN];
	cr_buf b = CR_BUF_INIT;

	if (!dir)
		return NULL;
	cr_buf_addf(&b, "%s\n%zu:%s\n%zu:%s\n%zu:%s", SCHEMA, strlen(s3_endpoint_id()),
		    s3_endpoint_id(), strlen(bucket), bucket, strlen(key), key);
	cr_sha256_hex(b.ptr, b.len, hash);
	cr_buf_reset(&b);
	cr_buf_addf(&b, "%s/s3-%s%s", dir, hash, suffix);
	return cr_buf_detach(&b);
}

int s3_cache_open(const char *bucket, const char *key, struct s3_cache_entry *e)
{
	char *path = entry_path(bucket, key, ".obj");
	char hdr[HEADER_MAX + 1], *nl1, *nl2, *nl3, *end;
	struct stat st;
	ssize_t got;
	long long size;
	int fd;

	e->fd = -1;
	if (!path)
		return 0;
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	free(path);
	if (fd < 0)
		return 0;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 022))
		goto miss;
	got = pread(fd, hdr, HEADER_MAX, 0);
	if (got <= 0)
		goto miss;
	hdr[got] = '\0';
	nl1 = strchr(hdr, '\n');
	nl2 = nl1 ? strchr(nl1 + 1, '\n') : NULL;
	nl3 = nl2 ? strchr(nl2 + 1, '\n') : NULL;
	if (!nl3 || (size_t)(nl1 - hdr) != strlen(SCHEMA) || strncmp(hdr, SCHEMA, strlen(SCHEMA)) ||
	    nl2 - nl1 - 1 < 1 || (size_t)(nl2 - nl1 - 1) >= sizeof e->etag)
		goto miss;
	*nl3 = '\0';
	errno = 0;
	size = strtoll(nl2 + 1, &end, 10);
	if (errno || *end || size < 0 || (long long)st.st_size - (nl3 + 1 - hdr) != size)
		goto miss;
	memcpy(e->etag, nl1 + 1, (size_t)(nl2 - nl1 - 1));
	e->etag[nl2 - nl1 - 1] = '\0';
	for (const char *p = e->etag; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == '"')
			goto miss;
	e->size = size;
	if (lseek(fd, nl3 + 1 - hdr, SEEK_SET) < 0)
		goto miss;
	e->fd = fd;
	return 1;
miss:
	close(fd);
	return 0;
}

int s3_cache_begin(const char *bucket, const char *key, const char *etag, int64_t size,
		   struct s3_cache_writer *w)
{
	cr_buf tmp = CR_BUF_INIT, hdr = CR_BUF_INIT;
	static _Atomic unsigned seq;
	sigset_t sigs;

	memset(w, 0, sizeof *w);
	w->fd = -1;
	w->slot = -1;
	w->path = entry_path(bucket, key, ".obj");
	if (!w->path || !etag || !*etag || size < 0 || strchr(etag, '\n'))
		goto fail;
	cr_buf_addf(&tmp, "%s.tmp-%ld-%u", w->path, (long)getpid(), seq++);
	w->tmp = cr_buf_detach(&tmp);
	/* registered, so that an interrupt removes it (proc.h) */
	cr_proc_block_term(&sigs);
	w->fd = open(w->tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	w->slot = w->fd >= 0 ? cr_tmp_track(w->tmp) : -1;
	cr_proc_restore(&sigs);
	if (w->fd < 0)
		goto fail;
	cr_buf_addf(&hdr, SCHEMA "\n%s\n%lld\n", etag, (long long)size);
	if (hdr.len > HEADER_MAX || cr_write_all(w->fd, hdr.ptr, hdr.len) < 0) {
		cr_buf_release(&hdr);
		s3_cache_abort(w);
		return -1;
	}
	cr_buf_release(&hdr);
	return 0;
fail:
	s3_cache_abort(w);
	return -1;
}

int s3_cache_write(struct s3_cache_writer *w, const void *data, size_t n)
{
	if (w->fd < 0)
		return -1;
	if (cr_write_all(w->fd, data, n) < 0) {
		s3_cache_abort(w);
		return -1;
	}
	return 0;
}

int s3_cache_commit(struct s3_cache_writer *w)
{
	int rc = -1;

	if (w->fd >= 0) {
		rc = close(w->fd);
		w->fd = -1;
		if (rc == 0)
			rc = rename(w->tmp, w->path);
	}
	if (rc < 0 && w->tmp)
		unlink(w->tmp);
	cr_tmp_forget(w->slot);
	w->slot = -1;
	free(w->tmp);
	free(w->path);
	w->tmp = w->path = NULL;
	return rc;
}

void s3_cache_abort(struct s3_cache_writer *w)
{
	if (w->fd >= 0) {
		close(w->fd);
		unlink(w->tmp);
	}
	cr_tmp_forget(w->slot);
	w->slot = -1;
	w->fd = -1;
	free(w->tmp);
	free(w->path);
	w->tmp = w->path = NULL;
}
