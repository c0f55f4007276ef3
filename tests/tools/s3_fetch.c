/*
 * s3_fetch - drives the S3 reader (s3.h) and the input layer (input.h) from
 * the command line, for the end-to-end tests of S3 and the benchmark.
 *
 *   s3_fetch [OPTIONS] cat URL...        each object through cr_input_open
 *                                        (gunzipped) to standard output
 *   s3_fetch [OPTIONS] list URL          "KEY-URL SIZE ETAG MTIME" lines
 *   s3_fetch [OPTIONS] small URL CAP     cr_s3_get_small to standard output
 *   s3_fetch [OPTIONS] range URL OFF LEN cr_s3_get_range to standard output
 *
 * Options: --profile NAME, --region NAME, --endpoint-url URL,
 * --cache-dir DIR, --no-cache, --timeout-ms N.  The rest comes from the
 * environment as for costrank (credentials, AWS_ENDPOINT_URL_S3...).
 *
 * At the end a line "s3: requests=N fetched=N/BYTES cached=N/BYTES" goes to
 * standard error; on failure the error's message, and the exit status is
 * its code.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "costrank/error.h"
#include "costrank/input.h"
#include "costrank/s3.h"

static int cat(const char *url, cr_error *err)
{
	static char buf[1 << 16];
	cr_input *in = cr_input_open(url, err);
	ssize_t n;

	if (!in)
		return -1;
	while ((n = cr_input_read(in, buf, sizeof buf, err)) > 0)
		fwrite(buf, 1, (size_t)n, stdout);
	cr_input_close(in);
	return n < 0 ? -1 : 0;
}

static int run(int argc, char **argv, cr_error *err)
{
	const char *cmd = argv[0];

	if (strcmp(cmd, "cat") == 0 && argc >= 2) {
		for (int i = 1; i < argc; i++)
			if (cat(argv[i], err) < 0)
				return -1;
		return 0;
	}
	if (strcmp(cmd, "list") == 0 && argc == 2) {
		cr_s3_object *o;
		size_t n;

		if (cr_s3_list(argv[1], &o, &n, err) < 0)
			return -1;
		for (size_t i = 0; i < n; i++)
			printf("%s %lld %s %lld\n", o[i].url, (long long)o[i].size, o[i].etag,
			       (long long)o[i].mtime);
		cr_s3_objects_free(o, n);
		return 0;
	}
	if (strcmp(cmd, "small") == 0 && argc == 3) {
		char *buf;
		size_t len;

		if (cr_s3_get_small(argv[1], (size_t)strtoull(argv[2], NULL, 10), &buf, &len,
				    err) < 0)
			return -1;
		fwrite(buf, 1, len, stdout);
		free(buf);
		return 0;
	}
	if (strcmp(cmd, "range") == 0 && argc == 4) {
		size_t len = (size_t)strtoull(argv[3], NULL, 10);
		char *buf = malloc(len ? len : 1);
		int rc;

		if (!buf)
			return cr_error_set(err, CR_EXIT_INTERNAL, "out of memory");
		rc = cr_s3_get_range(argv[1], strtoll(argv[2], NULL, 10), len, buf, err);
		if (rc == 0)
			fwrite(buf, 1, len, stdout);
		free(buf);
		return rc;
	}
	return cr_error_set(err, CR_EXIT_USAGE, "usage: s3_fetch [OPTIONS] cat|list|small|range "
			    "URL [ARGS]");
}

int main(int argc, char **argv)
{
	cr_s3_settings s = { 0 };
	cr_s3_stats st;
	cr_error err;
	int i = 1, rc;

	cr_error_clear(&err);
	for (; i + 1 < argc && strncmp(argv[i], "--", 2) == 0; i++) {
		if (strcmp(argv[i], "--no-cache") == 0)
			s.no_cache = true;
		else if (strcmp(argv[i], "--profile") == 0)
			s.profile = argv[++i];
		else if (strcmp(argv[i], "--region") == 0)
			s.region = argv[++i];
		else if (strcmp(argv[i], "--endpoint-url") == 0)
			s.endpoint_url = argv[++i];
		else if (strcmp(argv[i], "--cache-dir") == 0)
			s.cache_dir = argv[++i];
		else if (strcmp(argv[i], "--timeout-ms") == 0)
			s.timeout_ms = strtol(argv[++i], NULL, 10);
		else
			break;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: s3_fetch [OPTIONS] cat|list|small|range URL [ARGS]\n");
		return 2;
	}
	rc = cr_s3_setup(&s, &err);
	if (rc == 0)
		rc = run(argc - i, argv + i, &err);
	fflush(stdout);
	cr_s3_stats_get(&st);
	fprintf(stderr, "s3: requests=%lld fetched=%lld/%lld cached=%lld/%lld\n",
		(long long)st.requests, (long long)st.objects_fetched, (long long)st.bytes_fetched,
		(long long)st.objects_cached, (long long)st.bytes_cached);
	cr_s3_cleanup();
	if (rc < 0) {
		fprintf(stderr, "s3_fetch: %s\n", err.msg);
		return err.code ? err.code : 70;
	}
	return 0;
}
