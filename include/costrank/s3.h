/*
 * s3.h - read billing exports straight from Amazon S3 or an S3-compatible
 * store: list a prefix, fetch a small object whole (a manifest), stream a
 * large one into the readers, or read a byte range (a Parquet footer).
 *
 * Requests are signed with SigV4 through the same credential chain as Cost
 * Explorer (credentials.h).  The endpoint follows the AWS conventions:
 * AWS_ENDPOINT_URL_S3, then AWS_ENDPOINT_URL, then `endpoint_url` in the
 * profile's config; with a custom endpoint, path-style addressing.  A
 * bucket in another region is found from x-amz-bucket-region / a 301.
 * Objects of closed billing periods are cached by ETag in the cache
 * directory (0700/0600) unless caching is off.
 *
 * The settings are process-wide: the command layer calls cr_s3_setup once,
 * before any input is opened, and cr_s3_cleanup at the end.  Every other
 * function may be called from several threads at once.
 *
 * Errors: one line naming s3://bucket/key, the HTTP status and S3's error
 * code ("s3://b/k: HTTP 403 AccessDenied: ..."); CR_EXIT_REMOTE for S3
 * failures, CR_EXIT_AUTH for missing/expired credentials, CR_EXIT_INPUT for
 * a malformed URL.  No message ever holds a secret.
 */
#ifndef COSTRANK_S3_H
#define COSTRANK_S3_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "costrank/error.h"

/* True when s starts with "s3://". */
bool cr_s3_is_url(const char *s);

/*
 * Splits "s3://bucket/key/or/prefix" into malloced *bucket and *key (the
 * key may be empty).  Returns 0, or -1 with err set (CR_EXIT_INPUT).
 */
int cr_s3_url_parse(const char *url, char **bucket, char **key, cr_error *err);

typedef struct cr_s3_settings {
	const char *profile;      /* --profile, or NULL for the default chain */
	const char *region;       /* --region, or NULL: AWS_REGION, config... */
	const char *endpoint_url; /* an explicit endpoint, or NULL */
	const char *cache_dir;    /* NULL: $XDG_CACHE_HOME/costrank */
	bool no_cache;            /* --no-cache */
	int parallel;             /* not used yet: objects are fetched as the
	                             readers open them, one per reading thread */
	long timeout_ms;          /* > 0: the timeout of a listing or a small
	                             GET, and how long a streamed GET may stall
	                             before it is resumed; 0: 60 s */
} cr_s3_settings;

/* Stores the settings for every later call.  Returns 0 or -1 with err. */
int cr_s3_setup(const cr_s3_settings *s, cr_error *err);
void cr_s3_cleanup(void);

typedef struct cr_s3_object {
	char *url;        /* malloced "s3://bucket/key" */
	int64_t size;     /* bytes */
	int64_t mtime;    /* LastModified, seconds since the epoch (UTC) */
	char etag[80];    /* without the quotes */
} cr_s3_object;

/*
 * Lists every object below url (a prefix; "s3://b/p" lists keys starting
 * "p"), sorted by key, following continuation tokens.  *objs is malloced.
 */
int cr_s3_list(const char *url, cr_s3_object **objs, size_t *n, cr_error *err);
void cr_s3_objects_free(cr_s3_object *objs, size_t n);

/* Fetches a whole object of at most cap bytes into a malloced buffer. */
int cr_s3_get_small(const char *url, size_t cap, char **buf, size_t *len,
		    cr_error *err);

/* Reads len bytes at offset of an object into buf (a ranged GET). */
int cr_s3_get_range(const char *url, int64_t offset, size_t len, void *buf,
		    cr_error *err);

/*
 * A streaming reader over one object, used by cr_input_open for s3:// paths:
 * the download runs ahead of the reader, an interrupted transfer resumes with
 * a Range request, and nothing is held whole in memory.
 */
typedef struct cr_s3_stream cr_s3_stream;
cr_s3_stream *cr_s3_stream_open(const char *url, cr_error *err);
/* Returns bytes read (> 0), 0 at the end, or -1 with err set. */
ssize_t cr_s3_stream_read(cr_s3_stream *s, void *buf, size_t n, cr_error *err);
/* The object's size in bytes, -1 when not yet known. */
int64_t cr_s3_stream_size(const cr_s3_stream *s);
void cr_s3_stream_close(cr_s3_stream *s);

/* What was fetched, for stderr and the JSON source block. */
typedef struct cr_s3_stats {
	int64_t requests;          /* HTTP requests sent */
	int64_t objects_fetched, bytes_fetched;  /* from S3 */
	int64_t objects_cached, bytes_cached;    /* from the cache */
} cr_s3_stats;
void cr_s3_stats_get(cr_s3_stats *out);

#endif
