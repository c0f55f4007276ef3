/*
 * http.h - HTTPS requests (libcurl) and the retry policy.
 *
 *   cr_http_request rq = { .method = "POST", .url = "https://ce.us-east-1.amazonaws.com/",
 *                          .headers = &h, .body = json, .body_len = n };
 *   cr_http_response resp = CR_HTTP_RESPONSE_INIT;
 *   if (cr_http_perform(&rq, &resp, &err) < 0) ...   transport failure
 *   use resp.status, resp.headers, resp.body
 *   cr_http_response_free(&resp);
 *
 * Rules:
 *   - TLS peer and host verification are always on;
 *   - only http and https; plain http only to loopback hosts (127.0.0.0/8,
 *     localhost, [::1]): test servers.  CR_HTTP_ALLOW_CONTAINER_HTTP also
 *     admits the link-local container credential endpoints 169.254.170.2,
 *     169.254.170.23 and [fd00:ec2::23], which AWS serves over plain http,
 *     and CR_HTTP_ALLOW_IMDS_HTTP the EC2 instance metadata service,
 *     169.254.169.254 and [fd00:ec2::254];
 *   - redirects are not followed; proxies from the environment are used
 *     except for loopback and those link-local hosts (a proxy would reach
 *     its own metadata, not ours);
 *   - a connect timeout and a total timeout always apply;
 *   - the response body is capped (an error beyond the cap);
 *   - messages name the method and scheme://host[:port] only: paths and
 *     queries (webhook URLs carry secrets there) and user:password never
 *     appear.
 * A non-2xx status is not an error here: the caller reads resp.status.
 */
#ifndef COSTRANK_HTTP_H
#define COSTRANK_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "costrank/buf.h"
#include "costrank/error.h"
#include "costrank/headers.h"

enum cr_http_flags {
	CR_HTTP_ALLOW_CONTAINER_HTTP = 1u << 0,
	CR_HTTP_ALLOW_IMDS_HTTP = 1u << 1,
	/* Ask for the body as stored (no Accept-Encoding): byte offsets then
	 * count the object's bytes, as Range requests do. */
	CR_HTTP_IDENTITY = 1u << 2,
	/* Send the path exactly as given: "." and ".." segments are data (S3
	 * keys), not to be squashed as RFC 3986 would. */
	CR_HTTP_PATH_AS_IS = 1u << 3,
};

/*
 * A streaming body: called with each piece of a 2xx response's body (any
 * other status's body, an error document, still goes to resp->body).
 * Returns 0 to go on, -1 to stop the transfer: cr_http_perform then fails
 * with transport_error CURLE_WRITE_ERROR, not retryable.
 */
typedef int (*cr_http_sink)(void *ctx, long status, const void *data, size_t n);

#define CR_HTTP_CONNECT_TIMEOUT_MS 10000L
#define CR_HTTP_TIMEOUT_MS 60000L
#define CR_HTTP_MAX_RESPONSE (16u << 20)

typedef struct cr_http_request {
	const char *method;         /* "GET" or "POST" (any token) */
	const char *url;
	const cr_headers *headers;  /* may be NULL */
	const void *body;           /* may be NULL when body_len is 0 */
	size_t body_len;
	long connect_timeout_ms;    /* 0: CR_HTTP_CONNECT_TIMEOUT_MS */
	long timeout_ms;            /* 0: CR_HTTP_TIMEOUT_MS */
	size_t max_response;        /* body cap in bytes; 0: CR_HTTP_MAX_RESPONSE */
	unsigned flags;             /* enum cr_http_flags */
	cr_http_sink sink;          /* NULL: the body goes to resp->body */
	void *sink_ctx;
	long stall_ms;              /* > 0: fail (retryable) when less than a
	                               byte a second arrives for this long */
} cr_http_request;

typedef struct cr_http_response {
	long status;         /* 0 when no response arrived */
	cr_headers headers;  /* of the final response */
	cr_buf body;
	int transport_error; /* the CURLcode of a failed transfer, else 0 */
	bool retryable;      /* the failure is worth retrying (timeouts,
	                        refused or reset connections, DNS) */
} cr_http_response;

#define CR_HTTP_RESPONSE_INIT { 0, CR_HEADERS_INIT, CR_BUF_INIT, 0, false }

/*
 * Performs rq into *resp (CR_HTTP_RESPONSE_INIT or reset).  Returns 0 when a
 * response arrived (any status), -1 with err set otherwise: a malformed
 * URL or one refused by the rules (CR_EXIT_USAGE: plain http to a remote
 * host, another scheme), or a transport failure or oversized response
 * (CR_EXIT_REMOTE, "POST https://host: Operation timed out after ...").
 */
int cr_http_perform(const cr_http_request *rq, cr_http_response *resp, cr_error *err);

/* Empties resp (wiping the body: it may hold credentials) for reuse. */
void cr_http_response_reset(cr_http_response *resp);
void cr_http_response_free(cr_http_response *resp);

/*
 * Checks url against the scheme rules above.  Returns 0, or -1 with err
 * set naming the redacted URL.
 */
int cr_http_check_url(const char *url, unsigned flags, cr_error *err);

/* Whether host (as in a URL: "127.0.0.1", "localhost", "[::1]") is a
 * loopback host. */
bool cr_http_host_is_loopback(const char *host);

typedef struct cr_url {
	char *scheme;  /* lower case: "https" */
	char *host;    /* "sts.amazonaws.com", "127.0.0.1", "[::1]" */
	char *port;    /* as written, or NULL when the URL gives none */
	char *path;    /* "/" at least */
	char *query;   /* without '?', or NULL */
	char *user;    /* user name, or NULL */
} cr_url;

/*
 * Splits an absolute URL (as libcurl reads it) into *u; free with
 * cr_url_free.  Returns 0, or -1 with err set (CR_EXIT_USAGE, the URL not
 * quoted) when it is not scheme://host...
 */
int cr_url_parse(const char *url, cr_url *u, cr_error *err);
void cr_url_free(cr_url *u);

/* The value of a Host field for u: host, with ":port" unless the port is
 * absent or the scheme's default.  Owned by the caller. */
char *cr_url_host_field(const cr_url *u);

/*
 * The URL reduced to "scheme://host[:port]" (no user, path, query or
 * fragment), or "(invalid URL)".  Owned by the caller.
 */
char *cr_url_redact(const char *url);

/* ---- retries -------------------------------------------------------------- */

typedef struct cr_retry_policy {
	unsigned max_attempts;      /* attempts in all, the first included */
	long base_ms;               /* backoff before the first retry (cap) */
	long cap_ms;                /* backoff never exceeds this */
	long max_retry_after_ms;    /* a longer Retry-After gives up instead */
} cr_retry_policy;

#define CR_RETRY_POLICY_DEFAULT { 4, 500, 20000, 120000 }

/* 408, 429, 500, 502, 503, 504: statuses worth a retry. */
bool cr_http_status_retryable(long status);

/*
 * The retry decision, a pure function.  attempt is the number of attempts
 * made so far (1 after the first failure); retryable says whether that
 * failure is worth retrying; retry_after is the Retry-After field or NULL;
 * rnd is a uniform random number (full jitter).  Returns the delay in
 * milliseconds before the next attempt, or -1 to give up: not retryable,
 * attempts exhausted, or a Retry-After longer than max_retry_after_ms.
 * A Retry-After of whole seconds is honoured exactly; an HTTP-date or junk
 * falls back to the backoff: rnd modulo (min(cap, base * 2^(attempt-1)) + 1).
 */
long cr_retry_delay_ms(const cr_retry_policy *p, unsigned attempt, bool retryable,
		       const char *retry_after, uint32_t rnd);

/* A random number for cr_retry_delay_ms (not for secrets). */
uint32_t cr_retry_random(void);

/* Sleeps ms milliseconds through the sleep hook. */
void cr_sleep_ms(long ms);

/* Replaces the sleep used between retries (tests record instead of
 * sleeping; the hook sees every pause, 0 ms included); NULL restores
 * nanosleep.  Not thread-safe: set it first. */
typedef void (*cr_sleep_hook)(long ms);
void cr_set_sleep_hook(cr_sleep_hook hook);

/*
 * cr_http_perform with retries: a transport failure marked retryable, or a
 * response that classify (NULL: cr_http_status_retryable on the status)
 * calls retryable, is retried after cr_retry_delay_ms (using the response's
 * Retry-After) until the policy gives up (p NULL: the default policy).  The
 * last outcome is returned as cr_http_perform returns it.
 */
typedef bool (*cr_http_classify)(const cr_http_response *resp, void *ctx);
int cr_http_perform_retry(const cr_http_request *rq, const cr_retry_policy *p,
			  cr_http_classify classify, void *ctx, cr_http_response *resp,
			  cr_error *err);

#endif
