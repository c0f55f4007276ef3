/*
 * s3_internal.h - what the parts of the S3 reader share: s3.c (settings,
 * signed requests, listing), s3_stream.c (streamed GETs) and s3_cache.c
 * (the object cache).
 */
#ifndef COSTRANK_AWS_S3_INTERNAL_H
#define COSTRANK_AWS_S3_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include "costrank/error.h"
#include "costrank/http.h"
#include "costrank/s3.h"

/* One S3 request, signed and retried by s3_call. */
struct s3_call {
	const char *bucket;
	const char *key;            /* "" for the bucket itself */
	const char *query;          /* percent-encoded, or NULL */
	const char *range;          /* "bytes=A-B", or NULL */
	const char *if_none_match;  /* an ETag (without quotes), or NULL */
	const char *what;           /* "s3://bucket/key" for messages */
	cr_http_sink sink;          /* streamed body, or NULL: resp->body */
	void *sink_ctx;
	size_t max_response;        /* 0: the http default */
	bool stream;                /* a long transfer: stall limit instead of
	                               the request timeout */
	/*
	 * Resumable transfers: before each attempt, when *resume_at > 0, the
	 * request asks for "bytes=*resume_at-" with If-Match: if_match; an
	 * attempt that moved *resume_at starts the retry budget afresh; with
	 * *total known and reached, the transfer is complete.
	 */
	int64_t *resume_at;
	const int64_t *total;
	const char *if_match;
	void (*on_attempt)(void *sink_ctx);
};

/*
 * Sends c until S3 answers 2xx or 304 (resp then holds the answer), or
 * gives up: -1 with err set, one line naming c->what, the HTTP status and
 * S3's error code.  Requests to a bucket in another region are redirected
 * there once.
 */
int s3_call(const struct s3_call *c, cr_http_response *resp, cr_error *err);

enum s3_stat { S3_FETCHED, S3_CACHED };
void s3_stats_add(enum s3_stat which, int64_t bytes);

/* The cache directory, or NULL when caching is off or unavailable. */
const char *s3_cache_dir(void);

/* The endpoint in effect ("aws" for the AWS default), for cache keys. */
const char *s3_endpoint_id(void);

/* ---- s3_cache.c ---------------------------------------------------------- */

/* Whether key belongs to a billing period that ended before now. */
bool s3_cache_period_closed(const char *key, time_t now);

struct s3_cache_entry {
	int fd;            /* open at the first byte of the object, or -1 */
	char etag[80];
	int64_t size;
};

/* Opens the cached copy of bucket/key into *e: 1 found (e->fd open), 0
 * not.  Unreadable, foreign or symlinked entries are not found. */
int s3_cache_open(const char *bucket, const char *key, struct s3_cache_entry *e);

/* A cache file being written: started by s3_cache_begin, fed by
 * s3_cache_write, kept by s3_cache_commit or dropped by s3_cache_abort. */
struct s3_cache_writer {
	int fd;
	int slot;      /* the temporary's entry in proc.h's list, or -1 */
	char *tmp, *path;
};
int s3_cache_begin(const char *bucket, const char *key, const char *etag, int64_t size,
		   struct s3_cache_writer *w);
int s3_cache_write(struct s3_cache_writer *w, const void *data, size_t n);
int s3_cache_commit(struct s3_cache_writer *w);
void s3_cache_abort(struct s3_cache_writer *w);

#endif
