/*
 * ce.h - AWS Cost Explorer over HTTPS: signed calls with retries, error
 * messages that say what to do, pagination, and the parser of its answers.
 *
 *   cr_ce_endpoint ep;
 *   if (cr_ce_endpoint_init(&ep, NULL, &err) < 0) ...      default endpoint
 *   cr_ce_stats st = CR_CE_STATS_INIT;
 *   cr_ce_client cl = { .ep = &ep, .creds = &creds, .stats = &st };
 *   cr_ce_pages pages = CR_CE_PAGES_INIT;
 *   if (cr_ce_fetch(&cl, CR_CE_GET_COST_AND_USAGE, body, "ranking", cr_ce_pages_collect,
 *                   &pages, &err) < 0) ...
 *   for (size_t i = 0; i < pages.n; i++)
 *           cr_ce_parse(pages.v[i], strlen(pages.v[i]), ep.where, &sink, NULL, &err);
 *   cr_ce_pages_free(&pages);
 *   cr_ce_endpoint_free(&ep);
 *
 * Requests: POST to the endpoint with Content-Type application/x-amz-json-1.1
 * and X-Amz-Target AWSInsightsIndexService.<operation>, signed with SigV4
 * (service "ce"; the region is read from a ce.REGION.amazonaws.com[.cn]
 * host, else us-east-1), with a new signature for every attempt.  TLS
 * verification is always on; plain http is allowed only to loopback hosts;
 * connect and total timeouts always apply.
 *
 * Retries: throttling (HTTP 429, or an error code such as
 * LimitExceededException, ThrottlingException, TooManyRequestsException),
 * 5xx answers and retryable transport failures (timeouts, refused or reset
 * connections) are retried with capped exponential backoff and full jitter.
 *
 * Pagination: cr_ce_fetch follows NextPageToken until an answer has none;
 * every page is one paid request.
 *
 * Errors name the HTTP status, the AWS error code, the AWS message and the
 * endpoint host, then what to do, and never contain an access key, secret
 * or session token: "HTTP 400 DataUnavailableException: Data is not
 * available (ce.us-east-1.amazonaws.com, ranking of 048213306571): ...".
 * Credential problems (AccessDenied, unknown key, bad signature, expired
 * token, Cost Explorer not enabled) are CR_EXIT_AUTH; everything else is
 * CR_EXIT_REMOTE; exceeding the request budget is CR_EXIT_THRESHOLD.
 */
#ifndef COSTRANK_CE_H
#define COSTRANK_CE_H

#include <stdbool.h>
#include <stddef.h>

#include "costrank/buf.h"
#include "costrank/credentials.h"
#include "costrank/date.h"
#include "costrank/decimal.h"
#include "costrank/error.h"
#include "costrank/http.h"

#define CR_CE_DEFAULT_ENDPOINT "https://ce.us-east-1.amazonaws.com"
/* The environment variable the AWS SDKs read for this service's endpoint. */
#define CR_CE_ENDPOINT_ENV "AWS_ENDPOINT_URL_COST_EXPLORER"

#define CR_CE_GET_COST_AND_USAGE "GetCostAndUsage"
#define CR_CE_GET_DIMENSION_VALUES "GetDimensionValues"

/* Price of one request (every page counts), in US cents. */
#define CR_CE_CENTS_PER_REQUEST 1

#define CR_CE_CONNECT_TIMEOUT_MS 10000L
#define CR_CE_TIMEOUT_MS 60000L
/* attempts, first backoff, backoff cap, longest Retry-After honoured */
#define CR_CE_RETRY_POLICY { 6, 500, 20000, 60000 }
/* A paginated answer longer than this is refused (a token loop). */
#define CR_CE_MAX_PAGES 1000

typedef struct cr_ce_endpoint {
	char *url;     /* as given, "https://ce.us-east-1.amazonaws.com" */
	char *host;    /* the Host field: host[:port] */
	char *where;   /* for messages: host[:port], never a path or user */
	char *path;    /* "/" at least */
	char *query;   /* NULL when none */
	char *region;  /* the SigV4 region */
} cr_ce_endpoint;

/*
 * The endpoint for url, else $AWS_ENDPOINT_URL_COST_EXPLORER, else
 * CR_CE_DEFAULT_ENDPOINT.  Returns 0, or -1 with err set (CR_EXIT_USAGE)
 * for a malformed URL, another scheme, or plain http to a remote host.
 */
int cr_ce_endpoint_init(cr_ce_endpoint *e, const char *url, cr_error *err);
void cr_ce_endpoint_free(cr_ce_endpoint *e);

/* Counters shared by every client of one pull. */
typedef struct cr_ce_stats {
	long paid;       /* answers received (HTTP 200): billed requests */
	long cached;     /* requests answered from the cache: free */
	long attempts;   /* requests sent, retries included */
	long retries;    /* attempts that repeated a throttled or failed one */
	long max_paid;   /* budget (--max-requests); < 0: none */
} cr_ce_stats;

#define CR_CE_STATS_INIT { 0, 0, 0, 0, -1 }

typedef struct cr_ce_client {
	const cr_ce_endpoint *ep;
	const cr_aws_credentials *creds;
	cr_ce_stats *stats;
	const cr_retry_policy *retry;  /* NULL: CR_CE_RETRY_POLICY */
	long connect_timeout_ms;       /* 0: CR_CE_CONNECT_TIMEOUT_MS */
	long timeout_ms;               /* 0: CR_CE_TIMEOUT_MS */
	void (*on_attempt)(void *ctx); /* after every attempt (progress); may be NULL */
	void *ctx;
} cr_ce_client;

/*
 * One request for operation ("GetCostAndUsage") with body: signs, sends
 * and retries.  Returns 0 with the body of the 200 answer in *answer
 * (emptied first), or -1 with err set as described above.  what names the
 * request in messages ("ranking of 048213306571").  Refuses with
 * CR_EXIT_THRESHOLD, before sending, when stats->paid has reached
 * stats->max_paid.
 */
int cr_ce_call(const cr_ce_client *c, const char *operation, const char *body, size_t len,
	       const char *what, cr_buf *answer, cr_error *err);

/* The answers to one query, page by page: NUL-terminated JSON texts. */
typedef struct cr_ce_pages {
	char **v;
	size_t n;
} cr_ce_pages;

#define CR_CE_PAGES_INIT { NULL, 0 }

/* Appends a copy of text[0..len). */
void cr_ce_pages_add(cr_ce_pages *p, const char *text, size_t len);
void cr_ce_pages_free(cr_ce_pages *p);

/* Called with each page of an answer as it arrives (text is
 * NUL-terminated); 0, or -1 with err set to stop. */
typedef int cr_ce_page_fn(void *ctx, const char *text, size_t len, cr_error *err);

/* A cr_ce_page_fn appending every page to the cr_ce_pages ctx. */
int cr_ce_pages_collect(void *ctx, const char *text, size_t len, cr_error *err);

/*
 * Every page of the answer to body (a JSON object without NextPageToken):
 * the first request, then one per NextPageToken until an answer has none.
 * Each page is checked with cr_ce_parse and given to on_page before the
 * next is asked for; none is kept.  A token that comes back (A, B, A...)
 * is an error naming it (CR_EXIT_REMOTE), as is an answer of more than
 * CR_CE_MAX_PAGES pages.  Returns 0, or -1 with err set (the pages before
 * were given to on_page).
 */
int cr_ce_fetch(const cr_ce_client *c, const char *operation, const char *body,
		const char *what, cr_ce_page_fn *on_page, void *ctx, cr_error *err);

/*
 * The error for a non-200 answer: status, the AWS error code (from the
 * body's "__type", with anything up to '#' and from ':' removed, else the
 * X-Amzn-ErrorType field given as error_type), the message ("message" or
 * "Message"), where, what, and advice.  secrets lists strings that must
 * not appear in the message (they are replaced by "[redacted]").  Always
 * returns -1.
 */
int cr_ce_error(long status, const char *body, size_t len, const char *error_type,
		const char *where, const char *what, const char *const *secrets,
		size_t nsecrets, cr_error *err);

/* The AWS error code of an answer body ("" when there is none). */
void cr_ce_error_code(const char *body, size_t len, const char *error_type, char *code,
		      size_t size);

/* Whether an answer with this status and error code is worth retrying. */
bool cr_ce_retryable(long status, const char *code);

/* ---- answers ---------------------------------------------------------- */

typedef struct cr_ce_metric {
	const char *name;   /* "UnblendedCost", "UsageQuantity" */
	cr_dec amount;
	const char *unit;   /* "USD", "Hrs"; "" when absent */
} cr_ce_metric;

/* One group of one time period of a GetCostAndUsage answer (or its Total
 * when the answer is not grouped, with nkeys 0). */
typedef struct cr_ce_cell {
	cr_day start, end;          /* TimePeriod: start inclusive, end exclusive */
	bool estimated;
	size_t nkeys;
	const char *keys[2];
	size_t nmetrics;
	const cr_ce_metric *metrics;
} cr_ce_cell;

/* The metric called name in c, or NULL. */
const cr_ce_metric *cr_ce_cell_metric(const cr_ce_cell *c, const char *name);

typedef struct cr_ce_sink {
	/* every cell, in the order of the answer; a non-zero return stops
	 * the parse and is returned (with err set by the callback) */
	int (*cell)(void *ctx, const cr_ce_cell *cell, cr_error *err);
	/* DimensionValueAttributes: value, attribute key, attribute text */
	void (*attribute)(void *ctx, const char *value, const char *key, const char *text);
	void *ctx;
} cr_ce_sink;

/*
 * Parses one page of a GetCostAndUsage answer and passes its cells and
 * attributes to sink (which may be NULL: the page is only checked).  Sets
 * *next_token (when not NULL) to an owned copy of NextPageToken, or NULL.
 * Returns 0, or -1 with err set (CR_EXIT_REMOTE, "WHERE: GetCostAndUsage
 * answer ...") for a body that is not JSON (an HTML page from a proxy, a
 * truncated answer), a missing or mistyped field (named by its path, e.g.
 * ResultsByTime[0].Groups[3].Metrics.UnblendedCost.Amount), an amount that
 * is not a decimal number, or a bad date.
 */
int cr_ce_parse(const char *body, size_t len, const char *where, const cr_ce_sink *sink,
		char **next_token, cr_error *err);

#endif
