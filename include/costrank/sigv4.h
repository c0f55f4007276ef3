/*
 * sigv4.h - AWS Signature Version 4 (header signing, HMAC-SHA256).
 *
 *   cr_headers h = CR_HEADERS_INIT;
 *   cr_headers_add(&h, "Host", "ce.us-east-1.amazonaws.com");
 *   cr_headers_add(&h, "Content-Type", "application/x-amz-json-1.1");
 *   cr_headers_add(&h, "X-Amz-Target", "AWSInsightsIndexService.GetCostAndUsage");
 *   char date[CR_SIGV4_DATE_STRLEN];
 *   cr_sigv4_amz_date(time(NULL), date);
 *   cr_sigv4_request rq = {
 *           .method = "POST", .path = "/", .headers = &h,
 *           .body = json, .body_len = strlen(json),
 *           .region = "us-east-1", .service = "ce", .amz_date = date,
 *           .creds = &creds,
 *           .flags = CR_SIGV4_ADD_DATE | CR_SIGV4_ADD_TOKEN | CR_SIGV4_ADD_AUTHORIZATION,
 *   };
 *   cr_sigv4_result res;
 *   if (cr_sigv4_sign(&rq, &res, &err) < 0) ...
 *   send h: it now holds X-Amz-Date, X-Amz-Security-Token, Authorization
 *   cr_sigv4_result_free(&res);
 *
 * Canonical request (for every service but S3; see CR_SIGV4_S3_PATH):
 *   - method in upper case;
 *   - URI: the path as sent, with empty and "." segments removed and ".."
 *     removing the segment before it (a trailing '/' kept when segments
 *     remain), then every byte but A-Za-z0-9-_.~ and '/' percent-encoded
 *     (so a '%' already in the path is encoded again, as AWS requires for
 *     non-S3 services).  An empty path is "/";
 *   - query: split on '&', each pair at its first '=' (a missing '=' means
 *     an empty value; empty pairs are dropped), names and values
 *     percent-decoded (%XX only; '+' is a literal plus) and re-encoded with
 *     the unreserved set A-Za-z0-9-_.~ kept, sorted by encoded name then
 *     encoded value;
 *   - headers: every field of rq->headers except Authorization, User-Agent,
 *     Expect and X-Amzn-Trace-Id (which proxies and clients rewrite), names
 *     lower-cased, values trimmed with inner runs of whitespace (space, tab,
 *     CR, LF, VT, FF: a folded multi-line value included) collapsed to one
 *     space, repeated names joined with ',' in list order, sorted by name;
 *   - payload: hex SHA-256 of the body, or the value of an
 *     X-Amz-Content-SHA256 field when there is one.
 * Host must be among the headers.
 */
#ifndef COSTRANK_SIGV4_H
#define COSTRANK_SIGV4_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include "costrank/buf.h"
#include "costrank/credentials.h"
#include "costrank/error.h"
#include "costrank/headers.h"

#define CR_SIGV4_DATE_STRLEN 17 /* "20150830T123600Z" plus NUL */
#define CR_SHA256_HEX_STRLEN 65

enum cr_sigv4_flags {
	/* Set X-Amz-Date: rq->amz_date in rq->headers before signing
	 * (replacing any). */
	CR_SIGV4_ADD_DATE = 1u << 0,
	/* Set X-Amz-Security-Token: creds->session_token before signing
	 * (replacing any) when there is a session token. */
	CR_SIGV4_ADD_TOKEN = 1u << 1,
	/* Set Authorization in rq->headers after signing (replacing any). */
	CR_SIGV4_ADD_AUTHORIZATION = 1u << 2,
	/* S3: the canonical URI is rq->path exactly as sent (the caller
	 * percent-encodes each key segment once), neither normalised nor
	 * encoded again. */
	CR_SIGV4_S3_PATH = 1u << 3,
};

typedef struct cr_sigv4_request {
	const char *method;      /* "GET", "POST", ... */
	const char *path;        /* as sent ("/", "/a%20b"); NULL or "" = "/" */
	const char *query;       /* as sent, without '?'; NULL or "" = none */
	cr_headers *headers;     /* signed; fields added per flags */
	const void *body;        /* NULL when body_len is 0 */
	size_t body_len;
	const char *region;      /* "us-east-1" */
	const char *service;     /* "ce", "sts" */
	const char *amz_date;    /* "YYYYMMDDTHHMMSSZ" (UTC) */
	const cr_aws_credentials *creds;
	unsigned flags;          /* enum cr_sigv4_flags */
} cr_sigv4_request;

typedef struct cr_sigv4_result {
	char *canonical_request;  /* owned */
	char *string_to_sign;     /* owned */
	char *signed_headers;     /* owned, "host;x-amz-date" */
	char *signature;          /* owned, 64 hex digits */
	char *authorization;      /* owned, the Authorization field value */
} cr_sigv4_result;

/*
 * Signs rq: fills *res (free with cr_sigv4_result_free) and adds the fields
 * flags ask for to rq->headers.  Returns 0, or -1 with err set and *res
 * empty: CR_EXIT_AUTH without access key or secret, CR_EXIT_INTERNAL for a
 * malformed request (no Host, bad amz_date, missing method/region/service).
 */
int cr_sigv4_sign(const cr_sigv4_request *rq, cr_sigv4_result *res, cr_error *err);
void cr_sigv4_result_free(cr_sigv4_result *res);

/* Formats t (UTC) as "YYYYMMDDTHHMMSSZ" into buf[CR_SIGV4_DATE_STRLEN]. */
void cr_sigv4_amz_date(time_t t, char *buf);

/* The canonical URI and query of a path and query as described above,
 * appended to b. */
void cr_sigv4_canonical_uri(cr_buf *b, const char *path);
void cr_sigv4_canonical_query(cr_buf *b, const char *query);

/*
 * Appends s[0..len) to b percent-encoded: A-Za-z0-9-_.~ stay, '/' stays
 * when keep_slash, every other byte becomes %XX (upper-case hex).  With
 * keep_slash false this is the encoding of form bodies for STS
 * (application/x-www-form-urlencoded: "RoleArn=" + encoded ARN).
 */
void cr_uri_encode(cr_buf *b, const char *s, size_t len, bool keep_slash);

/* Appends s[0..len) to b percent-decoded: %XX (either case) as its byte,
 * everything else (a '%' without two hex digits too) as it is. */
void cr_uri_decode(cr_buf *b, const char *s, size_t len);

/* Hex SHA-256 of data into hex[CR_SHA256_HEX_STRLEN]. */
void cr_sha256_hex(const void *data, size_t len, char *hex);

#endif
