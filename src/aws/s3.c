/*
 * s3.c - see costrank/s3.h
 *
 * Not yet implemented: every call that would reach S3 fails with a clear
 * error, so that s3:// inputs are refused instead of read as local paths.
 */
#include "costrank/s3.h"

#include <stdlib.h>
#include <string.h>

bool cr_s3_is_url(const char *s)
{
	return s && strncmp(s, "s3://", 5) == 0;
}

int cr_s3_url_parse(const char *url, char **bucket, char **key, cr_error *err)
{
	const char *b, *slash;

	if (!cr_s3_is_url(url))
		return cr_error_set(err, CR_EXIT_INPUT, "%s: not an s3:// URL", url);
	b = url + 5;
	slash = strchr(b, '/');
	if (slash == b || *b == '\0')
		return cr_error_set(err, CR_EXIT_INPUT, "%s: no bucket name", url);
	*bucket = slash ? cr_xstrndup(b, (size_t)(slash - b)) : cr_xstrdup(b);
	*key = cr_xstrdup(slash ? slash + 1 : "");
	return 0;
}

static int unsupported(const char *url, cr_error *err)
{
	return cr_error_set(err, CR_EXIT_INPUT, "%s: reading from S3 is not supported yet", url);
}

int cr_s3_setup(const cr_s3_settings *s, cr_error *err)
{
	(void)s;
	(void)err;
	return 0;
}

void cr_s3_cleanup(void)
{
}

int cr_s3_list(const char *url, cr_s3_object **objs, size_t *n, cr_error *err)
{
	*objs = NULL;
	*n = 0;
	return unsupported(url, err);
}

void cr_s3_objects_free(cr_s3_object *objs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(objs[i].url);
	free(objs);
}

int cr_s3_get_small(const char *url, size_t cap, char **buf, size_t *len, cr_error *err)
{
	(void)cap;
	*buf = NULL;
	*len = 0;
	return unsupported(url, err);
}

int cr_s3_get_range(const char *url, int64_t offset, size_t len, void *buf, cr_error *err)
{
	(void)offset;
	(void)len;
	(void)buf;
	return unsupported(url, err);
}

cr_s3_stream *cr_s3_stream_open(const char *url, cr_error *err)
{
	unsupported(url, err);
	return NULL;
}

ssize_t cr_s3_stream_read(cr_s3_stream *s, void *buf, size_t n, cr_error *err)
{
	(void)s;
	(void)buf;
	(void)n;
	return cr_error_set(err, CR_EXIT_INTERNAL, "S3 stream used without an open stream");
}

int64_t cr_s3_stream_size(const cr_s3_stream *s)
{
	(void)s;
	return -1;
}

void cr_s3_stream_close(cr_s3_stream *s)
{
	(void)s;
}

void cr_s3_stats_get(cr_s3_stats *out)
{
	memset(out, 0, sizeof *out);
}
