/*
 * s3.c - see costrank/s3.h
 *
 * The settings, the endpoint, signed and retried requests (s3_call), the
 * listing and the small and ranged GETs.  Streamed GETs are in
 * s3_stream.c, the object cache in s3_cache.c.
 */
#include "costrank/s3.h"

#include <ctype.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "costrank/buf.h"
#include "costrank/ce.h"
#include "costrank/ce_cache.h"
#include "costrank/cred_common.h"
#include "costrank/credentials.h"
#include "costrank/headers.h"
#include "costrank/s3_xml.h"
#include "costrank/sigv4.h"
#include "aws/s3_internal.h"

#define DEFAULT_TIMEOUT_MS 60000L
#define STREAM_TIMEOUT_MS (6L * 3600 * 1000) /* a whole object, resumed or not */
#define EMPTY_SHA256 "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
#define MAX_PAGES 1000000

struct bucket_region {
	char *bucket, *region;
};

static struct {
	pthread_mutex_t mu;
	bool ready;
	char *profile, *region, *endpoint; /* endpoint: a custom one, or NULL */
	char *cache_dir;                   /* NULL: caching off or unavailable */
	long timeout_ms;
	bool creds_ready;
	cr_aws_credentials creds;
	struct bucket_region *regions;
	size_t nregions;
} g = { .mu = PTHREAD_MUTEX_INITIALIZER };

static _Atomic int64_t st_requests, st_objects_fetched, st_bytes_fetched, st_objects_cached,
	st_bytes_cached;

bool cr_s3_is_url(const char *s)
{
	return s && strncmp(s, "s3://", 5) == 0;
}

int cr_s3_url_parse(const char *url, char **bucket, char **key, cr_error *err)
{
	const char *b, *slash;
	size_t n;

	*bucket = *key = NULL;
	if (!cr_s3_is_url(url))
		return cr_error_set(err, CR_EXIT_INPUT, "%s: not an s3:// URL", url);
	b = url + 5;
	slash = strchr(b, '/');
	n = slash ? (size_t)(slash - b) : strlen(b);
	if (n == 0)
		return cr_error_set(err, CR_EXIT_INPUT, "%s: no bucket name", url);
	/* bucket names: 3..63 of a-z 0-9 . - (older ones also A-Z _) */
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)b[i]) && b[i] != '.' && b[i] != '-' && b[i] != '_')
			return cr_error_set(err, CR_EXIT_INPUT, "%s: '%.*s' is not an S3 bucket "
					    "name", url, (int)(n > 63 ? 63 : n), b);
	if (n > 255)
		return cr_error_set(err, CR_EXIT_INPUT, "%s: bucket name too long", url);
	if (slash && strlen(slash + 1) > 1024)
		return cr_error_set(err, CR_EXIT_INPUT, "%s: key longer than 1024 bytes", url);
	for (const char *p = slash ? slash + 1 : ""; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return cr_error_set(err, CR_EXIT_INPUT, "s3://%.*s/...: the key holds a "
					    "control character", (int)n, b);
	*bucket = cr_xstrndup(b, n);
	*key = cr_xstrdup(slash ? slash + 1 : "");
	return 0;
}

/* ---- settings ------------------------------------------------------------ */

static void settings_free(void)
{
	free(g.profile);
	free(g.region);
	free(g.endpoint);
	free(g.cache_dir);
	cr_aws_credentials_clear(&g.creds);
	for (size_t i = 0; i < g.nregions; i++) {
		free(g.regions[i].bucket);
		free(g.regions[i].region);
	}
	free(g.regions);
	g.profile = g.region = g.endpoint = g.cache_dir = NULL;
	g.regions = NULL;
	g.nregions = 0;
	g.creds_ready = g.ready = false;
}

static int check_endpoint(const char *url, const char *from, cr_error *err)
{
	cr_url u;
	cr_error e;

	cr_error_clear(&e);
	if (cr_http_check_url(url, 0, &e) < 0 || cr_url_parse(url, &u, &e) < 0)
		return cr_error_set(err, CR_EXIT_USAGE, "S3 endpoint from %s: %s", from, e.msg);
	if (u.user || u.query) {
		cr_url_free(&u);
		return cr_error_set(err, CR_EXIT_USAGE, "S3 endpoint from %s must be "
				    "scheme://host[:port][/path], without a user or a query", from);
	}
	cr_url_free(&u);
	return 0;
}

int cr_s3_setup(const cr_s3_settings *s, cr_error *err)
{
	cr_aws_options opt = { .profile = s->profile, .region = s->region };
	const char *from = "--endpoint-url", *ep = s->endpoint_url, *region = s->region;
	char *conf_ep = NULL, *conf_region = NULL;

	cr_s3_cleanup();
	if (!ep || !*ep) {
		from = "AWS_ENDPOINT_URL_S3";
		ep = cr_cred_env(from);
	}
	if (!ep) {
		from = "AWS_ENDPOINT_URL";
		ep = cr_cred_env(from);
	}
	if (!region)
		region = cr_cred_env("AWS_REGION");
	if (!region)
		region = cr_cred_env("AWS_DEFAULT_REGION");
	if ((!ep && cr_aws_profile_setting(&opt, "endpoint_url", &conf_ep, err) < 0) ||
	    (!region && cr_aws_profile_setting(&opt, "region", &conf_region, err) < 0)) {
		free(conf_ep);
		return -1;
	}
	if (!ep && conf_ep) {
		from = "endpoint_url in the AWS config file";
		ep = conf_ep;
	}
	if (!region)
		region = conf_region;
	if ((ep && check_endpoint(ep, from, err) < 0) ||
	    (region && !cr_cred_region_valid(region) &&
	     cr_error_set(err, CR_EXIT_USAGE, "'%s' is not an AWS region name", region) < 0)) {
		free(conf_ep);
		free(conf_region);
		return -1;
	}
	g.profile = s->profile ? cr_xstrdup(s->profile) : NULL;
	g.region = cr_xstrdup(region ? region : "us-east-1");
	g.endpoint = ep ? cr_xstrdup(ep) : NULL;
	while (g.endpoint && strlen(g.endpoint) > 8 && g.endpoint[strlen(g.endpoint) - 1] == '/')
		g.endpoint[strlen(g.endpoint) - 1] = '\0';
	g.timeout_ms = s->timeout_ms > 0 ? s->timeout_ms : DEFAULT_TIMEOUT_MS;
	if (!s->no_cache) {
		cr_error e;
		cr_ce_cache *c;

		/* an unusable cache only means downloading again */
		cr_error_clear(&e);
		c = cr_ce_cache_open(s->cache_dir, &e);
		if (c) {
			g.cache_dir = cr_xstrdup(cr_ce_cache_dir(c));
			cr_ce_cache_close(c);
		}
	}
	g.ready = true;
	free(conf_ep);
	free(conf_region);
	return 0;
}

void cr_s3_cleanup(void)
{
	pthread_mutex_lock(&g.mu);
	settings_free();
	pthread_mutex_unlock(&g.mu);
}

const char *s3_cache_dir(void)
{
	return g.cache_dir;
}

const char *s3_endpoint_id(void)
{
	return g.endpoint ? g.endpoint : "aws";
}

void s3_stats_add(enum s3_stat which, int64_t bytes)
{
	if (which == S3_FETCHED) {
		atomic_fetch_add(&st_objects_fetched, 1);
		atomic_fetch_add(&st_bytes_fetched, bytes);
	} else {
		atomic_fetch_add(&st_objects_cached, 1);
		atomic_fetch_add(&st_bytes_cached, bytes);
	}
}

void cr_s3_stats_get(cr_s3_stats *out)
{
	out->requests = atomic_load(&st_requests);
	out->objects_fetched = atomic_load(&st_objects_fetched);
	out->bytes_fetched = atomic_load(&st_bytes_fetched);
	out->objects_cached = atomic_load(&st_objects_cached);
	out->bytes_cached = atomic_load(&st_bytes_cached);
}

/* A copy of the credentials, resolved on first use and again once they
 * have expired. */
static int get_creds(cr_aws_credentials *out, cr_error *err)
{
	int rc = 0;

	pthread_mutex_lock(&g.mu);
	if (!g.ready) {
		rc = cr_error_set(err, CR_EXIT_INTERNAL, "S3 used before cr_s3_setup");
	} else {
		if (g.creds_ready && cr_aws_credentials_check(&g.creds, time(NULL) + 60, NULL) < 0) {
			cr_aws_credentials_clear(&g.creds);
			g.creds_ready = false;
		}
		if (!g.creds_ready) {
			cr_aws_options opt = { .profile = g.profile, .region = g.region };

			rc = cr_aws_credentials_resolve(&opt, &g.creds, err);
			g.creds_ready = rc == 0;
		}
		if (rc == 0)
			cr_aws_credentials_copy(out, &g.creds);
	}
	pthread_mutex_unlock(&g.mu);
	return rc;
}

/* The region of bucket: one found by a redirect, else the configured one
 * (owned by the caller). */
static char *bucket_region(const char *bucket)
{
	char *r = NULL;

	pthread_mutex_lock(&g.mu);
	for (size_t i = 0; i < g.nregions && !r; i++)
		if (strcmp(g.regions[i].bucket, bucket) == 0)
			r = cr_xstrdup(g.regions[i].region);
	if (!r)
		r = cr_xstrdup(g.region ? g.region : "us-east-1");
	pthread_mutex_unlock(&g.mu);
	return r;
}

static void remember_region(const char *bucket, const char *region)
{
	pthread_mutex_lock(&g.mu);
	for (size_t i = 0; i < g.nregions; i++) {
		if (strcmp(g.regions[i].bucket, bucket) == 0) {
			free(g.regions[i].region);
			g.regions[i].region = cr_xstrdup(region);
			pthread_mutex_unlock(&g.mu);
			return;
		}
	}
	g.regions = cr_xrealloc(g.regions, (g.nregions + 1) * sizeof *g.regions);
	g.regions[g.nregions].bucket = cr_xstrdup(bucket);
	g.regions[g.nregions++].region = cr_xstrdup(region);
	pthread_mutex_unlock(&g.mu);
}

/* ---- requests ------------------------------------------------------------- */

/* Virtual-hosted addressing needs a name that is a DNS label. */
static bool dns_bucket(const char *b)
{
	size_t n = strlen(b);

	if (n < 3 || n > 63 || b[0] == '-' || b[n - 1] == '-')
		return false;
	for (const char *p = b; *p; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) && *p != '-')
			return false;
	return true;
}

/* The URL, Host field and path (as sent and signed) of a request. */
static int target(const struct s3_call *c, const char *region, char **url, char **host,
		  char **path, cr_error *err)
{
	cr_buf p = CR_BUF_INIT, u = CR_BUF_INIT;
	cr_url e;

	if (g.endpoint) {
		if (cr_url_parse(g.endpoint, &e, err) < 0)
			return -1;
		if (e.path && strcmp(e.path, "/") != 0)
			cr_buf_adds(&p, e.path);
		*host = cr_url_host_field(&e);
		cr_buf_addf(&u, "%s://%s", e.scheme, *host);
		cr_url_free(&e);
		cr_buf_addc(&p, '/');
		cr_uri_encode(&p, c->bucket, strlen(c->bucket), false);
		if (*c->key || !c->query)
			cr_buf_addc(&p, '/');
	} else {
		const char *cn = strncmp(region, "cn-", 3) == 0 ? ".cn" : "";
		cr_buf h = CR_BUF_INIT;

		if (dns_bucket(c->bucket)) {
			cr_buf_addf(&h, "%s.s3.%s.amazonaws.com%s", c->bucket, region, cn);
			cr_buf_addc(&p, '/');
		} else {
			cr_buf_addf(&h, "s3.%s.amazonaws.com%s", region, cn);
			cr_buf_addc(&p, '/');
			cr_uri_encode(&p, c->bucket, strlen(c->bucket), false);
			cr_buf_addc(&p, '/');
		}
		*host = cr_buf_detach(&h);
		cr_buf_addf(&u, "https://%s", *host);
	}
	cr_uri_encode(&p, c->key, strlen(c->key), true);
	cr_buf_add(&u, p.ptr, p.len);
	if (c->query && *c->query)
		cr_buf_addf(&u, "?%s", c->query);
	*url = cr_buf_detach(&u);
	*path = cr_buf_detach(&p);
	return 0;
}

static int sign(const struct s3_call *c, const char *region, const char *host, const char *path,
		const char *range, const cr_aws_credentials *creds, cr_headers *h, cr_error *err)
{
	char date[CR_SIGV4_DATE_STRLEN];
	cr_sigv4_result res;
	cr_sigv4_request rq = {
		.method = "GET", .path = path, .query = c->query, .headers = h,
		.region = region, .service = "s3", .amz_date = date, .creds = creds,
		.flags = CR_SIGV4_ADD_DATE | CR_SIGV4_ADD_TOKEN | CR_SIGV4_ADD_AUTHORIZATION |
			 CR_SIGV4_S3_PATH,
	};

	cr_headers_reset(h);
	cr_headers_add(h, "Host", host);
	cr_headers_add(h, "X-Amz-Content-SHA256", EMPTY_SHA256);
	if (range)
		cr_headers_add(h, "Range", range);
	if (range && c->if_match && *c->if_match) {
		char q[96];

		snprintf(q, sizeof q, "\"%s\"", c->if_match);
		cr_headers_add(h, "If-Match", q);
	}
	if (c->if_none_match && *c->if_none_match) {
		char q[96];

		snprintf(q, sizeof q, "\"%s\"", c->if_none_match);
		cr_headers_add(h, "If-None-Match", q);
	}
	cr_sigv4_amz_date(time(NULL), date);
	if (cr_sigv4_sign(&rq, &res, err) < 0)
		return -1;
	cr_sigv4_result_free(&res);
	return 0;
}

/* The exit code and a hint for an S3 error code. */
static int error_exit(long status, const char *code, const char **hint)
{
	static const char *const auth[] = {
		"InvalidAccessKeyId", "SignatureDoesNotMatch", "ExpiredToken", "TokenRefreshRequired",
		"InvalidToken", "AccessDenied", "AllAccessDisabled", "AccountProblem",
		"InvalidSecurity", "RequestTimeTooSkewed",
	};

	*hint = NULL;
	if (strcmp(code, "AccessDenied") == 0)
		*hint = "these credentials need s3:ListBucket on the bucket and s3:GetObject on "
			"the objects";
	else if (strcmp(code, "ExpiredToken") == 0 || strcmp(code, "TokenRefreshRequired") == 0)
		*hint = "the credentials have expired: renew them (aws sso login, a new session)";
	else if (strcmp(code, "SignatureDoesNotMatch") == 0 ||
		 strcmp(code, "RequestTimeTooSkewed") == 0)
		*hint = "the signature was refused: check the secret access key and the system "
			"clock";
	else if (strcmp(code, "NoSuchBucket") == 0)
		*hint = "check the bucket name, and --endpoint-url for an S3-compatible store";
	for (size_t i = 0; i < sizeof auth / sizeof auth[0]; i++)
		if (strcmp(code, auth[i]) == 0)
			return CR_EXIT_AUTH;
	return status == 401 ? CR_EXIT_AUTH : CR_EXIT_REMOTE;
}

static int s3_error(const struct s3_call *c, const cr_http_response *resp,
		    const cr_s3_error_doc *xe, const cr_aws_credentials *creds, unsigned attempts,
		    cr_error *err)
{
	const char *secrets[3] = { creds->access_key_id, creds->secret_access_key,
				   creds->session_token };
	const char *code = xe->code[0] ? xe->code : NULL, *hint = NULL;
	char msg[sizeof xe->message];
	int exit;
	cr_buf m = CR_BUF_INIT;

	snprintf(msg, sizeof msg, "%s", xe->message);
	cr_cred_scrub(msg, sizeof msg, secrets, 3);
	if (!code) {
		code = resp->status == 404 ? "NoSuchKey" : resp->status == 403 ? "AccessDenied"
			: resp->status == 412 ? "PreconditionFailed" : NULL;
	}
	exit = code ? error_exit(resp->status, code, &hint) : CR_EXIT_REMOTE;
	cr_buf_addf(&m, "%s: HTTP %ld", c->what, resp->status);
	if (code)
		cr_buf_addf(&m, " %s", code);
	if (msg[0])
		cr_buf_addf(&m, ": %s", msg);
	if (resp->status == 412 && c->if_match)
		cr_buf_adds(&m, ": the object changed while it was being read; run again");
	if (hint)
		cr_buf_addf(&m, " (%s)", hint);
	if (attempts > 1)
		cr_buf_addf(&m, "; %u attempts", attempts);
	cr_error_set(err, exit, "%s", m.ptr);
	cr_buf_release(&m);
	return -1;
}

int s3_call(const struct s3_call *c, cr_http_response *resp, cr_error *err)
{
	static const cr_retry_policy policy = CR_RETRY_POLICY_DEFAULT;
	cr_aws_credentials creds = CR_AWS_CREDENTIALS_INIT;
	cr_headers h = CR_HEADERS_INIT;
	char *region = bucket_region(c->bucket), *url = NULL, *host = NULL, *path = NULL;
	bool redirected = false;
	unsigned attempts = 0;
	int rc = -1;

	if (get_creds(&creds, err) < 0) {
		free(region);
		return -1;
	}
	for (unsigned attempt = 1;; attempt++) {
		cr_http_request rq = {
			.method = "GET", .headers = &h, .sink = c->sink, .sink_ctx = c->sink_ctx,
			.max_response = c->max_response,
			.flags = CR_HTTP_IDENTITY | CR_HTTP_PATH_AS_IS,
			.timeout_ms = c->stream ? STREAM_TIMEOUT_MS : g.timeout_ms,
			.stall_ms = c->stream ? g.timeout_ms : 0,
		};
		cr_s3_error_doc xe;
		char range[64];
		const char *rg = c->range;
		int64_t before = c->resume_at ? *c->resume_at : 0;
		cr_error e;
		bool retry;
		long delay;
		int prc;

		if (c->resume_at && c->total && *c->total >= 0 && *c->resume_at >= *c->total &&
		    *c->resume_at > 0) {
			cr_http_response_reset(resp);
			resp->status = 206;
			rc = 0;
			break;
		}
		if (c->resume_at && *c->resume_at > 0) {
			snprintf(range, sizeof range, "bytes=%lld-", (long long)*c->resume_at);
			rg = range;
		}
		free(url);
		free(host);
		free(path);
		url = host = path = NULL;
		if (target(c, region, &url, &host, &path, err) < 0 ||
		    sign(c, region, host, path, rg, &creds, &h, err) < 0)
			break;
		rq.url = url;
		if (c->on_attempt)
			c->on_attempt(c->sink_ctx);
		cr_error_clear(&e);
		attempts++;
		atomic_fetch_add(&st_requests, 1);
		prc = cr_http_perform(&rq, resp, &e);
		if (prc == 0 && ((resp->status >= 200 && resp->status < 300) || resp->status == 304)) {
			rc = 0;
			break;
		}
		memset(&xe, 0, sizeof xe);
		if (prc == 0) {
			const char *hr = cr_headers_get(&resp->headers, "x-amz-bucket-region");

			cr_s3_xml_error(resp->body.ptr, resp->body.len, &xe);
			if (hr && cr_cred_region_valid(hr))
				snprintf(xe.region, sizeof xe.region, "%s", hr);
			if (!redirected && xe.region[0] && strcmp(xe.region, region) != 0 &&
			    cr_cred_region_valid(xe.region) &&
			    (resp->status == 301 || resp->status == 307 ||
			     (resp->status == 400 &&
			      strcmp(xe.code, "AuthorizationHeaderMalformed") == 0))) {
				/* the bucket lives in another region: go there */
				redirected = true;
				remember_region(c->bucket, xe.region);
				free(region);
				region = cr_xstrdup(xe.region);
				attempt--;
				continue;
			}
			retry = cr_ce_retryable(resp->status, xe.code[0] ? xe.code : NULL);
		} else {
			retry = resp->retryable;
		}
		if (c->resume_at && *c->resume_at > before)
			attempt = 1; /* progress: a fresh budget for the rest */
		delay = cr_retry_delay_ms(&policy, attempt, retry,
					  prc == 0 ? cr_headers_get(&resp->headers, "retry-after") : NULL,
					  cr_retry_random());
		if (delay < 0) {
			if (prc < 0) {
				cr_buf m = CR_BUF_INIT;

				cr_buf_addf(&m, "%s: %s", c->what, e.msg);
				if (attempts > 1)
					cr_buf_addf(&m, "; %u attempts", attempts);
				cr_error_set(err, e.code, "%s", m.ptr);
				cr_buf_release(&m);
			} else {
				s3_error(c, resp, &xe, &creds, attempts, err);
			}
			break;
		}
		cr_sleep_ms(delay);
	}
	free(url);
	free(host);
	free(path);
	free(region);
	cr_headers_free(&h);
	cr_aws_credentials_clear(&creds);
	return rc;
}

/* ---- listing -------------------------------------------------------------- */

static int by_url(const void *a, const void *b)
{
	return strcmp(((const cr_s3_object *)a)->url, ((const cr_s3_object *)b)->url);
}

int cr_s3_list(const char *url, cr_s3_object **objs, size_t *n, cr_error *err)
{
	char *bucket, *prefix, *token = NULL;
	cr_http_response resp = CR_HTTP_RESPONSE_INIT;
	size_t cap = 0;
	int rc = 0;

	*objs = NULL;
	*n = 0;
	if (cr_s3_url_parse(url, &bucket, &prefix, err) < 0)
		return -1;
	for (unsigned page = 1; rc == 0; page++) {
		cr_buf q = CR_BUF_INIT, what = CR_BUF_INIT;
		cr_s3_list_page pg;
		struct s3_call c = { .bucket = bucket, .key = "", .what = url };

		if (token) {
			cr_buf_adds(&q, "continuation-token=");
			cr_uri_encode(&q, token, strlen(token), false);
			cr_buf_addc(&q, '&');
		}
		cr_buf_adds(&q, "encoding-type=url&list-type=2&prefix=");
		cr_uri_encode(&q, prefix, strlen(prefix), false);
		c.query = q.ptr;
		cr_buf_addf(&what, "%s (ListObjectsV2, page %u)", url, page);
		rc = s3_call(&c, &resp, err);
		if (rc == 0)
			rc = cr_s3_xml_list(resp.body.ptr, resp.body.len, bucket, what.ptr, &pg, err);
		cr_buf_release(&q);
		if (rc == 0) {
			if (*n + pg.n > cap) {
				cap = (*n + pg.n) * 2;
				*objs = cr_xrealloc(*objs, cap * sizeof **objs);
			}
			if (pg.n)
				memcpy(*objs + *n, pg.objs, pg.n * sizeof *pg.objs);
			*n += pg.n;
			free(pg.objs);
			if (pg.truncated && token && strcmp(token, pg.next_token) == 0)
				rc = cr_error_set(err, CR_EXIT_REMOTE, "%s: the listing repeats its "
						  "continuation token", what.ptr);
			else if (pg.truncated && page >= MAX_PAGES)
				rc = cr_error_set(err, CR_EXIT_REMOTE, "%s: more than %d pages",
						  what.ptr, MAX_PAGES);
			free(token);
			token = pg.next_token;
		}
		cr_buf_release(&what);
		if (rc == 0 && !token)
			break;
	}
	if (rc == 0) {
		if (*n)
			qsort(*objs, *n, sizeof **objs, by_url);
	} else {
		cr_s3_objects_free(*objs, *n);
		*objs = NULL;
		*n = 0;
	}
	free(token);
	free(bucket);
	free(prefix);
	cr_http_response_free(&resp);
	return rc;
}

void cr_s3_objects_free(cr_s3_object *objs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(objs[i].url);
	free(objs);
}

/* ---- whole and ranged GETs ------------------------------------------------ */

int cr_s3_get_small(const char *url, size_t cap, char **buf, size_t *len, cr_error *err)
{
	char *bucket, *key;
	cr_http_response resp = CR_HTTP_RESPONSE_INIT;
	int rc;

	*buf = NULL;
	*len = 0;
	if (cr_s3_url_parse(url, &bucket, &key, err) < 0)
		return -1;
	if (!*key) {
		free(bucket);
		free(key);
		return cr_error_set(err, CR_EXIT_INPUT, "%s: names a bucket, not an object", url);
	}
	struct s3_call c = { .bucket = bucket, .key = key, .what = url,
			     .max_response = cap ? cap : 1 };
	rc = s3_call(&c, &resp, err);
	if (rc == 0) {
		*len = resp.body.len;
		*buf = cr_xmalloc(resp.body.len + 1);
		if (resp.body.len)
			memcpy(*buf, resp.body.ptr, resp.body.len);
		(*buf)[resp.body.len] = '\0';
		s3_stats_add(S3_FETCHED, (int64_t)resp.body.len);
	}
	cr_http_response_free(&resp);
	free(bucket);
	free(key);
	return rc;
}

/* "bytes A-B/TOTAL": A and B into *a, *b. */
static bool content_range(const char *v, int64_t *a, int64_t *b)
{
	long long x, y;
	int used = 0;

	if (!v || sscanf(v, "bytes %lld-%lld/%n", &x, &y, &used) != 2 || !used)
		return false;
	*a = x;
	*b = y;
	return true;
}

int cr_s3_get_range(const char *url, int64_t offset, size_t len, void *buf, cr_error *err)
{
	char *bucket, *key, range[64];
	cr_http_response resp = CR_HTTP_RESPONSE_INIT;
	int64_t a = -1, b = -1;
	int rc;

	if (len == 0)
		return 0;
	if (offset < 0)
		return cr_error_set(err, CR_EXIT_INTERNAL, "%s: negative offset", url);
	if (cr_s3_url_parse(url, &bucket, &key, err) < 0)
		return -1;
	snprintf(range, sizeof range, "bytes=%lld-%lld", (long long)offset,
		 (long long)offset + (long long)len - 1);
	struct s3_call c = { .bucket = bucket, .key = key, .what = url, .range = range,
			     .max_response = len };
	rc = s3_call(&c, &resp, err);
	if (rc == 0 && (resp.status != 206 ||
			!content_range(cr_headers_get(&resp.headers, "content-range"), &a, &b) ||
			a != offset || resp.body.len != len || b != offset + (int64_t)len - 1))
		rc = cr_error_set(err, CR_EXIT_REMOTE, "%s: HTTP %ld: the answer to a request for "
				  "bytes %lld-%lld is not those bytes", url, resp.status,
				  (long long)offset, (long long)offset + (long long)len - 1);
	if (rc == 0) {
		memcpy(buf, resp.body.ptr, len);
		s3_stats_add(S3_FETCHED, (int64_t)len);
	}
	cr_http_response_free(&resp);
	free(bucket);
	free(key);
	return rc;
}
