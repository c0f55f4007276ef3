/*
 * s3_stream.c - a streamed GetObject (cr_s3_stream_*, costrank/s3.h).
 *
 * A thread per stream runs the GET and copies the body into a ring of
 * RING_SIZE bytes; cr_s3_stream_read drains it, so downloading overlaps
 * decompressing and parsing and memory stays bounded whatever the size of
 * the object.  When the ring is full the download waits (a reader that
 * stops for longer than the stall limit makes the transfer time out; it
 * is then resumed).  A transfer that breaks off is resumed with
 * "Range: bytes=N-" and "If-Match: ETAG" from the first byte not yet
 * received (s3_call); an object that changed meanwhile is an error, never
 * a mix of two versions.
 *
 * Objects of closed billing periods go through the cache (s3_cache.c):
 * the GET carries If-None-Match with the cached ETag, and a 304 makes the
 * stream read the cached copy; a 200 is written to the cache as it
 * arrives and kept once complete.
 */
#include "aws/s3_internal.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "costrank/buf.h"
#include "costrank/headers.h"

#define RING_SIZE (4u << 20)

enum { RUNNING, DONE, FAILED };

struct cr_s3_stream {
	char *url, *bucket, *key;
	pthread_t tid;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	unsigned char *ring;
	uint64_t head, tail;        /* bytes taken and put, counting up */
	int state;
	bool stop, opened;
	cr_error err;               /* the thread's error (FAILED) */
	cr_http_response resp;

	int64_t size;               /* -1 until known */
	int64_t offset;             /* object bytes received */
	int64_t skip;               /* bytes of a whole answer to drop (a
	                               server that ignored Range) */
	bool attempt_seen;          /* this attempt's answer was looked at */
	char etag[80];

	struct s3_cache_entry cached;  /* a cached copy (cached.fd >= 0) */
	bool from_cache;            /* S3 said 304: read cached.fd */
	int64_t cache_read;
	bool caching;               /* the object is written to the cache */
	struct s3_cache_writer cw;
};

static void on_attempt(void *ctx)
{
	cr_s3_stream *s = ctx;

	s->attempt_seen = false;
	s->skip = 0;
}

/* "bytes A-B/T" -> A and T (T -1 for '*'). */
static bool parse_content_range(const char *v, int64_t *a, int64_t *t)
{
	long long x, y, z;

	if (!v)
		return false;
	if (sscanf(v, "bytes %lld-%lld/%lld", &x, &y, &z) == 3) {
		*a = x;
		*t = z;
		return true;
	}
	if (sscanf(v, "bytes %lld-%lld/*", &x, &y) == 2) {
		*a = x;
		*t = -1;
		return true;
	}
	return false;
}

/* The first piece of an attempt's answer: size, ETag, where it starts. */
static int look_at_answer(cr_s3_stream *s, long status)
{
	const char *etag = cr_headers_get(&s->resp.headers, "etag");
	const char *len = cr_headers_get(&s->resp.headers, "content-length");
	char tag[80] = "";

	if (etag) {
		size_t n = strlen(etag);

		if (n >= 2 && etag[0] == '"' && etag[n - 1] == '"') {
			etag++;
			n -= 2;
		}
		if (n < sizeof tag) {
			memcpy(tag, etag, n);
			tag[n] = '\0';
		}
	}
	if (status == 206) {
		int64_t a, t;

		if (!parse_content_range(cr_headers_get(&s->resp.headers, "content-range"), &a, &t) ||
		    a != s->offset) {
			cr_error_set(&s->err, CR_EXIT_REMOTE, "%s: HTTP 206: the answer does not start "
				     "at byte %lld", s->url, (long long)s->offset);
			return -1;
		}
		if (t >= 0)
			s->size = t;
	} else {
		s->skip = s->offset; /* a whole answer: drop what we have */
		if (len && s->size < 0)
			s->size = strtoll(len, NULL, 10);
	}
	if (s->etag[0] && tag[0] && strcmp(s->etag, tag) != 0) {
		cr_error_set(&s->err, CR_EXIT_REMOTE, "%s: the object changed while it was being "
			     "read (ETag %s, then %s); run again", s->url, s->etag, tag);
		return -1;
	}
	if (!s->etag[0])
		snprintf(s->etag, sizeof s->etag, "%s", tag);
	if (s->caching && s->offset == 0 && !s->cw.path &&
	    s3_cache_begin(s->bucket, s->key, s->etag, s->size, &s->cw) < 0)
		s->caching = false;
	s->attempt_seen = true;
	return 0;
}

static int sink(void *ctx, long status, const void *data, size_t n)
{
	cr_s3_stream *s = ctx;
	const unsigned char *p = data;

	if (!s->attempt_seen && look_at_answer(s, status) < 0)
		return -1;
	if (s->skip) {
		size_t k = (uint64_t)s->skip < n ? (size_t)s->skip : n;

		p += k;
		n -= k;
		s->skip -= (int64_t)k;
	}
	if (s->size >= 0 && s->offset + (int64_t)n > s->size) {
		cr_error_set(&s->err, CR_EXIT_REMOTE, "%s: more bytes than the object's size "
			     "(%lld)", s->url, (long long)s->size);
		return -1;
	}
	if (s->caching && s->cw.path && s3_cache_write(&s->cw, p, n) < 0)
		s->caching = false;
	pthread_mutex_lock(&s->mu);
	s->opened = true;
	pthread_cond_broadcast(&s->cv);
	while (n && !s->stop) {
		size_t room = RING_SIZE - (size_t)(s->tail - s->head), at, k;

		if (!room) {
			pthread_cond_wait(&s->cv, &s->mu);
			continue;
		}
		at = (size_t)(s->tail % RING_SIZE);
		k = n < room ? n : room;
		if (k > RING_SIZE - at)
			k = RING_SIZE - at;
		memcpy(s->ring + at, p, k);
		s->tail += k;
		s->offset += (int64_t)k;
		p += k;
		n -= k;
		pthread_cond_broadcast(&s->cv);
	}
	pthread_mutex_unlock(&s->mu);
	return s->stop ? -1 : 0;
}

static void *run(void *arg)
{
	cr_s3_stream *s = arg;
	struct s3_call c = {
		.bucket = s->bucket, .key = s->key, .what = s->url, .sink = sink, .sink_ctx = s,
		.stream = true, .resume_at = &s->offset, .total = &s->size, .if_match = s->etag,
		.on_attempt = on_attempt,
		.if_none_match = s->cached.fd >= 0 ? s->cached.etag : NULL,
	};
	cr_error e;
	int rc, state;

	cr_error_clear(&e);
	rc = s3_call(&c, &s->resp, &e);
	if (rc == 0 && s->resp.status == 304) {
		if (s->cached.fd < 0) {
			rc = cr_error_set(&e, CR_EXIT_REMOTE, "%s: HTTP 304 to a request without "
					  "If-None-Match", s->url);
		} else {
			s->from_cache = true;
			s->size = s->cached.size;
		}
	} else if (rc == 0 && s->size >= 0 && s->offset != s->size) {
		rc = cr_error_set(&e, CR_EXIT_REMOTE, "%s: the object ended after %lld of %lld "
				  "bytes", s->url, (long long)s->offset, (long long)s->size);
	} else if (rc == 0 && !s->attempt_seen && s->offset == 0 && s->size < 0) {
		s->size = 0; /* an empty object: no body at all */
	}
	if (rc == 0 && !s->from_cache) {
		s3_stats_add(S3_FETCHED, s->offset);
		if (s->caching && s->cw.path)
			s3_cache_commit(&s->cw);
	} else if (rc == 0) {
		s3_stats_add(S3_CACHED, s->size);
	}
	if (s->cw.path)
		s3_cache_abort(&s->cw);
	state = rc == 0 ? DONE : FAILED;
	pthread_mutex_lock(&s->mu);
	if (rc < 0) {
		/* the sink's own error explains better than the transfer's */
		if (!s->err.code)
			s->err = e;
	}
	s->state = state;
	s->opened = true;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

static void stream_free(cr_s3_stream *s)
{
	if (s->cached.fd >= 0)
		close(s->cached.fd);
	cr_http_response_free(&s->resp);
	pthread_mutex_destroy(&s->mu);
	pthread_cond_destroy(&s->cv);
	free(s->ring);
	free(s->url);
	free(s->bucket);
	free(s->key);
	free(s);
}

cr_s3_stream *cr_s3_stream_open(const char *url, cr_error *err)
{
	cr_s3_stream *s;
	char *bucket, *key;
	int rc;

	if (cr_s3_url_parse(url, &bucket, &key, err) < 0)
		return NULL;
	if (!*key || key[strlen(key) - 1] == '/') {
		cr_error_set(err, CR_EXIT_INPUT, "%s: names a bucket or a folder, not an object",
			     url);
		free(bucket);
		free(key);
		return NULL;
	}
	s = cr_xcalloc(1, sizeof *s);
	s->url = cr_xstrdup(url);
	s->bucket = bucket;
	s->key = key;
	s->size = -1;
	s->cached.fd = -1;
	s->cw.fd = -1;
	s->resp = (cr_http_response)CR_HTTP_RESPONSE_INIT;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	s->ring = cr_xmalloc(RING_SIZE);
	if (s3_cache_dir() && s3_cache_period_closed(key, time(NULL))) {
		s->caching = true;
		s3_cache_open(bucket, key, &s->cached);
	}
	if (pthread_create(&s->tid, NULL, run, s) != 0) {
		cr_error_set(err, CR_EXIT_INTERNAL, "%s: cannot start a download thread", url);
		stream_free(s);
		return NULL;
	}
	/* wait for the answer: a missing object fails here, at open */
	pthread_mutex_lock(&s->mu);
	while (!s->opened)
		pthread_cond_wait(&s->cv, &s->mu);
	rc = s->state == FAILED ? -1 : 0;
	pthread_mutex_unlock(&s->mu);
	if (rc < 0) {
		cr_error_set(err, s->err.code, "%s", s->err.msg);
		cr_s3_stream_close(s);
		return NULL;
	}
	return s;
}

static ssize_t cache_read(cr_s3_stream *s, void *buf, size_t n, cr_error *err)
{
	int64_t left = s->size - s->cache_read;
	ssize_t got;

	if (left <= 0)
		return 0;
	if ((int64_t)n > left)
		n = (size_t)left;
	do
		got = read(s->cached.fd, buf, n);
	while (got < 0 && errno == EINTR);
	if (got < 0)
		return cr_error_errno(err, CR_EXIT_INPUT, errno, "%s: reading its cached copy",
				      s->url);
	if (got == 0)
		return cr_error_set(err, CR_EXIT_INPUT, "%s: its cached copy is truncated (remove "
				    "it or use --no-cache)", s->url);
	s->cache_read += got;
	return got;
}

ssize_t cr_s3_stream_read(cr_s3_stream *s, void *buf, size_t n, cr_error *err)
{
	ssize_t k = 0;

	if (!s)
		return cr_error_set(err, CR_EXIT_INTERNAL, "S3 stream used without an open stream");
	if (n == 0)
		return 0;
	pthread_mutex_lock(&s->mu);
	while (s->head == s->tail && s->state == RUNNING)
		pthread_cond_wait(&s->cv, &s->mu);
	if (s->head < s->tail) {
		size_t avail = (size_t)(s->tail - s->head), at = (size_t)(s->head % RING_SIZE);

		k = (ssize_t)(n < avail ? n : avail);
		if ((size_t)k > RING_SIZE - at)
			k = (ssize_t)(RING_SIZE - at);
		memcpy(buf, s->ring + at, (size_t)k);
		s->head += (uint64_t)k;
		pthread_cond_broadcast(&s->cv);
	} else if (s->state == FAILED) {
		k = cr_error_set(err, s->err.code, "%s", s->err.msg);
	} else if (s->from_cache) {
		pthread_mutex_unlock(&s->mu);
		return cache_read(s, buf, n, err);
	}
	pthread_mutex_unlock(&s->mu);
	return k;
}

int64_t cr_s3_stream_size(const cr_s3_stream *s)
{
	return s ? s->size : -1;
}

void cr_s3_stream_close(cr_s3_stream *s)
{
	if (!s)
		return;
	pthread_mutex_lock(&s->mu);
	s->stop = true;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	pthread_join(s->tid, NULL);
	stream_free(s);
}
