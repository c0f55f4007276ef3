/* http.c - see costrank/http.h */
#include "costrank/http.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/rand.h>

#define MAX_HEADER_BYTES (64u << 10)

#ifndef COSTRANK_VERSION
#define COSTRANK_VERSION "0"
#endif

/* ---- URLs --------------------------------------------------------------- */

void cr_url_free(cr_url *u)
{
	curl_free(u->scheme);
	curl_free(u->host);
	curl_free(u->port);
	curl_free(u->path);
	curl_free(u->query);
	curl_free(u->user);
	memset(u, 0, sizeof *u);
}

static int url_split(const char *url, cr_url *u)
{
	CURLU *h = curl_url();
	int rc = -1;

	memset(u, 0, sizeof *u);
	if (!h)
		return -1;
	if (url && curl_url_set(h, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(h, CURLUPART_SCHEME, &u->scheme, 0) == CURLUE_OK &&
	    curl_url_get(h, CURLUPART_HOST, &u->host, 0) == CURLUE_OK && u->host[0] &&
	    curl_url_get(h, CURLUPART_PATH, &u->path, 0) == CURLUE_OK) {
		if (curl_url_get(h, CURLUPART_PORT, &u->port, 0) != CURLUE_OK)
			u->port = NULL;
		if (curl_url_get(h, CURLUPART_QUERY, &u->query, 0) != CURLUE_OK)
			u->query = NULL;
		if (curl_url_get(h, CURLUPART_USER, &u->user, 0) != CURLUE_OK)
			u->user = NULL;
		for (char *p = u->scheme; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		rc = 0;
	} else {
		cr_url_free(u);
	}
	curl_url_cleanup(h);
	return rc;
}

int cr_url_parse(const char *url, cr_url *u, cr_error *err)
{
	if (url_split(url, u) < 0)
		return cr_error_set(err, CR_EXIT_USAGE, "malformed URL (expected scheme://host/...)");
	return 0;
}

char *cr_url_host_field(const cr_url *u)
{
	cr_buf b = CR_BUF_INIT;
	bool dflt = !u->port || (strcmp(u->scheme, "https") == 0 && strcmp(u->port, "443") == 0) ||
		    (strcmp(u->scheme, "http") == 0 && strcmp(u->port, "80") == 0);

	cr_buf_adds(&b, u->host);
	if (!dflt)
		cr_buf_addf(&b, ":%s", u->port);
	return cr_buf_detach(&b);
}

char *cr_url_redact(const char *url)
{
	cr_url u;
	cr_buf b = CR_BUF_INIT;

	if (url_split(url, &u) < 0)
		return cr_xstrdup("(invalid URL)");
	cr_buf_addf(&b, "%s://%s", u.scheme, u.host);
	if (u.port)
		cr_buf_addf(&b, ":%s", u.port);
	cr_url_free(&u);
	return cr_buf_detach(&b);
}

/* host without the brackets of an IPv6 literal, into buf; false when it
 * does not fit. */
static bool unbracket(const char *host, char *buf, size_t size)
{
	size_t n = strlen(host);

	if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
		host++;
		n -= 2;
	}
	if (n >= size)
		return false;
	memcpy(buf, host, n);
	buf[n] = '\0';
	return true;
}

bool cr_http_host_is_loopback(const char *host)
{
	char h[INET6_ADDRSTRLEN + 8];
	unsigned char a[16];

	if (!host || !unbracket(host, h, sizeof h))
		return false;
	if (strcasecmp(h, "localhost") == 0)
		return true;
	if (inet_pton(AF_INET, h, a) == 1)
		return a[0] == 127;
	if (inet_pton(AF_INET6, h, a) == 1) {
		static const unsigned char loop6[16] = { [15] = 1 };
		static const unsigned char mapped[12] = { [10] = 0xff, [11] = 0xff };

		if (memcmp(a, loop6, 16) == 0)
			return true;
		return memcmp(a, mapped, 12) == 0 && a[12] == 127;
	}
	return false;
}

/* Whether host is one of the link-local AWS endpoints that flags admit
 * over plain http: container credentials, instance metadata. */
static bool link_local_host(const char *host, unsigned flags)
{
	char h[INET6_ADDRSTRLEN + 8];
	unsigned char a[16], want[16];

	if (!unbracket(host, h, sizeof h))
		return false;
	if (inet_pton(AF_INET, h, a) == 1) {
		if (memcmp(a, "\xa9\xfe", 2) != 0)
			return false;
		if (flags & CR_HTTP_ALLOW_CONTAINER_HTTP)
			if (a[2] == 170 && (a[3] == 2 || a[3] == 23))
				return true;
		return (flags & CR_HTTP_ALLOW_IMDS_HTTP) && a[2] == 169 && a[3] == 254;
	}
	if (inet_pton(AF_INET6, h, a) != 1)
		return false;
	if ((flags & CR_HTTP_ALLOW_CONTAINER_HTTP) &&
	    inet_pton(AF_INET6, "fd00:ec2::23", want) == 1 && memcmp(a, want, 16) == 0)
		return true;
	return (flags & CR_HTTP_ALLOW_IMDS_HTTP) &&
	       inet_pton(AF_INET6, "fd00:ec2::254", want) == 1 && memcmp(a, want, 16) == 0;
}

static int check_parts(const char *url, const cr_url *u, unsigned flags,
		       cr_error *err)
{
	if (strcmp(u->scheme, "https") == 0)
		return 0;
	if (strcmp(u->scheme, "http") == 0) {
		if (cr_http_host_is_loopback(u->host))
			return 0;
		if (link_local_host(u->host, flags))
			return 0;
		{
			char *r = cr_url_redact(url);

			cr_error_set(err, CR_EXIT_USAGE,
				     "%s: plain http is allowed only to loopback hosts "
				     "(127.0.0.0/8, localhost, [::1]); use https", r);
			free(r);
		}
		return -1;
	}
	{
		char *r = cr_url_redact(url);

		cr_error_set(err, CR_EXIT_USAGE, "%s: only http and https URLs are supported", r);
		free(r);
	}
	return -1;
}

int cr_http_check_url(const char *url, unsigned flags, cr_error *err)
{
	cr_url u;
	int rc;

	if (url_split(url, &u) < 0)
		return cr_error_set(err, CR_EXIT_USAGE, "malformed URL (expected scheme://host/...)");
	rc = check_parts(url, &u, flags, err);
	cr_url_free(&u);
	return rc;
}

/* ---- transfers ------------------------------------------------------------ */

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc = CURLE_FAILED_INIT;

static void curl_init(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

struct xfer {
	const cr_http_request *rq;
	CURL *curl;
	bool sink_stopped;
	cr_http_response *resp;
	size_t cap;
	bool too_big;
	size_t header_bytes;
	bool headers_too_big;
};

static size_t on_body(char *data, size_t size, size_t nmemb, void *ud)
{
	struct xfer *x = ud;
	size_t n = size * nmemb;

	if (x->rq->sink) {
		long status = 0;

		curl_easy_getinfo(x->curl, CURLINFO_RESPONSE_CODE, &status);
		if (status >= 200 && status < 300) {
			if (x->rq->sink(x->rq->sink_ctx, status, data, n) < 0) {
				x->sink_stopped = true;
				return 0;
			}
			return n;
		}
	}
	if (x->resp->body.len + n > x->cap) {
		x->too_big = true;
		return 0;
	}
	cr_buf_add(&x->resp->body, data, n);
	return n;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *ud)
{
	struct xfer *x = ud;
	cr_headers *h = &x->resp->headers;
	size_t n = size * nmemb, len = n;
	const char *colon, *v, *ve;

	x->header_bytes += n;
	if (x->header_bytes > MAX_HEADER_BYTES) {
		x->headers_too_big = true;
		return 0;
	}
	while (len && (data[len - 1] == '\n' || data[len - 1] == '\r'))
		len--;
	if (len >= 5 && memcmp(data, "HTTP/", 5) == 0) {
		/* A new response (after 100 Continue): forget the last one's. */
		cr_headers_reset(h);
		return n;
	}
	if (len == 0)
		return n;
	if ((data[0] == ' ' || data[0] == '\t') && h->n) {
		/* obs-fold: continues the previous field */
		cr_header *last = &h->v[h->n - 1];
		cr_buf b = CR_BUF_INIT;

		cr_buf_adds(&b, last->value);
		cr_buf_addc(&b, ' ');
		v = data;
		ve = data + len;
		while (v < ve && (*v == ' ' || *v == '\t'))
			v++;
		cr_buf_add(&b, v, (size_t)(ve - v));
		cr_free_secret(last->value);
		last->value = cr_buf_detach(&b);
		return n;
	}
	colon = memchr(data, ':', len);
	if (!colon)
		return n;
	v = colon + 1;
	ve = data + len;
	while (v < ve && (*v == ' ' || *v == '\t'))
		v++;
	while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
		ve--;
	cr_headers_addn(h, data, (size_t)(colon - data), v, (size_t)(ve - v));
	return n;
}

static bool retryable_code(CURLcode c)
{
	switch (c) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
	case CURLE_OPERATION_TIMEDOUT:
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM:
		return true;
	default:
		return false;
	}
}

void cr_http_response_reset(cr_http_response *resp)
{
	resp->status = 0;
	resp->transport_error = 0;
	resp->retryable = false;
	cr_headers_reset(&resp->headers);
	cr_wipe(resp->body.ptr, resp->body.len);
	cr_buf_reset(&resp->body);
}

void cr_http_response_free(cr_http_response *resp)
{
	if (!resp)
		return;
	cr_http_response_reset(resp);
	cr_headers_free(&resp->headers);
	cr_buf_release(&resp->body);
}

static void free_slist(struct curl_slist *l)
{
	for (struct curl_slist *p = l; p; p = p->next)
		cr_wipe(p->data, strlen(p->data));
	curl_slist_free_all(l);
}

/* The text of a curl failure, unless it quotes the URL's path, query or
 * user: then only the generic text. */
static const char *failure_text(CURLcode code, const char *ebuf, const cr_url *u)
{
	if (!ebuf[0])
		return curl_easy_strerror(code);
	if ((u->path && strlen(u->path) > 1 && strstr(ebuf, u->path)) ||
	    (u->query && *u->query && strstr(ebuf, u->query)) ||
	    (u->user && *u->user && strstr(ebuf, u->user)))
		return curl_easy_strerror(code);
	return ebuf;
}

int cr_http_perform(const cr_http_request *rq, cr_http_response *resp, cr_error *err)
{
	char ebuf[CURL_ERROR_SIZE];
	cr_url u;
	struct curl_slist *hl = NULL;
	struct xfer x = { .rq = rq, .resp = resp };
	const char *method = rq->method ? rq->method : "GET";
	long cto = rq->connect_timeout_ms > 0 ? rq->connect_timeout_ms : CR_HTTP_CONNECT_TIMEOUT_MS;
	long to = rq->timeout_ms > 0 ? rq->timeout_ms : CR_HTTP_TIMEOUT_MS;
	char *where;
	CURL *c;
	CURLcode code;
	int rc = -1;

	cr_http_response_reset(resp);
	x.cap = rq->max_response ? rq->max_response : CR_HTTP_MAX_RESPONSE;
	if (url_split(rq->url, &u) < 0)
		return cr_error_set(err, CR_EXIT_USAGE, "%s: malformed URL (expected "
				    "scheme://host/...)", method);
	if (check_parts(rq->url, &u, rq->flags, err) < 0) {
		cr_url_free(&u);
		return -1;
	}
	pthread_once(&curl_once, curl_init);
	where = cr_url_redact(rq->url);
	if (curl_init_rc != CURLE_OK || !(c = curl_easy_init())) {
		cr_error_set(err, CR_EXIT_INTERNAL, "%s %s: cannot initialise libcurl", method,
			     where);
		free(where);
		cr_url_free(&u);
		return -1;
	}
	x.curl = c;

	if (rq->headers) {
		for (size_t i = 0; i < rq->headers->n; i++) {
			const cr_header *f = &rq->headers->v[i];
			cr_buf line = CR_BUF_INIT;

			if (f->value[0])
				cr_buf_addf(&line, "%s: %s", f->name, f->value);
			else
				cr_buf_addf(&line, "%s;", f->name);
			hl = curl_slist_append(hl, line.ptr);
			cr_wipe(line.ptr, line.len);
			cr_buf_release(&line);
		}
	}
	if (!rq->headers || !cr_headers_get(rq->headers, "expect"))
		hl = curl_slist_append(hl, "Expect:");

	ebuf[0] = '\0';
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, ebuf);
	curl_easy_setopt(c, CURLOPT_URL, rq->url);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, cto);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, to);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "costrank/" COSTRANK_VERSION);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &x);
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &x);
	if (!(rq->flags & CR_HTTP_IDENTITY))
		curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");
	if (rq->flags & CR_HTTP_PATH_AS_IS)
		curl_easy_setopt(c, CURLOPT_PATH_AS_IS, 1L);
	if (rq->stall_ms > 0) {
		curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
		curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, (rq->stall_ms + 999) / 1000);
	}
	if (cr_http_host_is_loopback(u.host) ||
	    link_local_host(u.host, CR_HTTP_ALLOW_CONTAINER_HTTP | CR_HTTP_ALLOW_IMDS_HTTP))
		curl_easy_setopt(c, CURLOPT_NOPROXY, "*");
	if (strcmp(method, "GET") == 0 && rq->body_len == 0) {
		curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
	} else {
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)rq->body_len);
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, rq->body ? rq->body : "");
		if (strcmp(method, "POST") != 0)
			curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	}

	code = curl_easy_perform(c);
	if (code == CURLE_OK) {
		curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
		rc = 0;
	} else {
		resp->transport_error = (int)code;
		resp->status = 0;
		if (x.sink_stopped) {
			cr_error_set(err, CR_EXIT_REMOTE, "%s %s: transfer stopped by the reader",
				     method, where);
		} else if (x.too_big) {
			cr_error_set(err, CR_EXIT_REMOTE,
				     "%s %s: response larger than %zu bytes", method, where, x.cap);
		} else if (x.headers_too_big) {
			cr_error_set(err, CR_EXIT_REMOTE,
				     "%s %s: response headers larger than %u bytes", method, where,
				     MAX_HEADER_BYTES);
		} else {
			resp->retryable = retryable_code(code);
			cr_error_set(err, CR_EXIT_REMOTE, "%s %s: %s", method, where,
				     failure_text(code, ebuf, &u));
		}
	}
	curl_easy_cleanup(c);
	free_slist(hl);
	free(where);
	cr_url_free(&u);
	return rc;
}

/* ---- retries -------------------------------------------------------------- */

bool cr_http_status_retryable(long status)
{
	return status == 408 || status == 429 || status == 500 || status == 502 ||
	       status == 503 || status == 504;
}

/* Whole seconds in s (surrounding blanks allowed); -1 otherwise. */
static long long parse_seconds(const char *s)
{
	long long v = 0;
	bool any = false;

	while (*s == ' ' || *s == '\t')
		s++;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > (LLONG_MAX - 9) / 10)
			return LLONG_MAX;
		v = v * 10 + (*s - '0');
		any = true;
	}
	while (*s == ' ' || *s == '\t')
		s++;
	return any && !*s ? v : -1;
}

long cr_retry_delay_ms(const cr_retry_policy *p, unsigned attempt, bool retryable,
		       const char *retry_after, uint32_t rnd)
{
	long backoff;

	if (!retryable || attempt == 0 || attempt >= p->max_attempts)
		return -1;
	if (retry_after) {
		long long secs = parse_seconds(retry_after);

		if (secs >= 0) {
			if (secs > p->max_retry_after_ms / 1000)
				return -1;
			return (long)(secs * 1000);
		}
	}
	backoff = p->base_ms > 0 ? p->base_ms : 0;
	for (unsigned i = 1; i < attempt && backoff < p->cap_ms; i++)
		backoff = backoff > p->cap_ms / 2 ? p->cap_ms : backoff * 2;
	if (backoff > p->cap_ms)
		backoff = p->cap_ms;
	if (backoff <= 0)
		return 0;
	return (long)(rnd % ((uint32_t)backoff + 1u));
}

uint32_t cr_retry_random(void)
{
	uint32_t r;

	if (RAND_bytes((unsigned char *)&r, sizeof r) != 1) {
		struct timespec ts;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		r = (uint32_t)ts.tv_nsec ^ (uint32_t)ts.tv_sec * 2654435761u;
	}
	return r;
}

static cr_sleep_hook sleep_hook;

void cr_set_sleep_hook(cr_sleep_hook hook)
{
	sleep_hook = hook;
}

void cr_sleep_ms(long ms)
{
	struct timespec ts;

	if (ms < 0)
		return;
	if (sleep_hook) {
		sleep_hook(ms); /* every pause, 0 ms included: tests count them */
		return;
	}
	if (ms == 0)
		return;
	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

int cr_http_perform_retry(const cr_http_request *rq, const cr_retry_policy *p,
			  cr_http_classify classify, void *ctx, cr_http_response *resp,
			  cr_error *err)
{
	static const cr_retry_policy def = CR_RETRY_POLICY_DEFAULT;

	if (!p)
		p = &def;
	for (unsigned attempt = 1;; attempt++) {
		cr_error e;
		bool retry;
		long delay;
		int rc;

		cr_error_clear(&e);
		rc = cr_http_perform(rq, resp, &e);
		if (rc < 0)
			retry = resp->retryable;
		else
			retry = classify ? classify(resp, ctx) : cr_http_status_retryable(resp->status);
		delay = cr_retry_delay_ms(p, attempt, retry,
					  rc == 0 ? cr_headers_get(&resp->headers, "retry-after") : NULL,
					  cr_retry_random());
		if (delay < 0) {
			if (rc < 0)
				cr_error_set(err, e.code, "%s", e.msg);
			return rc;
		}
		cr_sleep_ms(delay);
	}
}
