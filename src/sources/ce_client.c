/* ce_client.c - signed Cost Explorer calls, retries, errors, pages (ce.h) */
#include "costrank/ce.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "costrank/headers.h"
#include "costrank/sigv4.h"

#define TARGET_PREFIX "AWSInsightsIndexService."
#define MESSAGE_MAX 300

/* ---- the endpoint ------------------------------------------------------- */

/* "ce.REGION.amazonaws.com" or "ce.REGION.amazonaws.com.cn": REGION. */
static char *region_of_host(const char *host)
{
	const char *dot;
	size_t n;

	if (strncasecmp(host, "ce.", 3) != 0)
		return NULL;
	host += 3;
	dot = strchr(host, '.');
	if (!dot)
		return NULL;
	n = (size_t)(dot - host);
	if (n < 4 || n > 30 || (strcasecmp(dot, ".amazonaws.com") != 0 &&
				strcasecmp(dot, ".amazonaws.com.cn") != 0))
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!islower((unsigned char)host[i]) && !isdigit((unsigned char)host[i]) &&
		    host[i] != '-')
			return NULL;
	return cr_xstrndup(host, n);
}

int cr_ce_endpoint_init(cr_ce_endpoint *e, const char *url, cr_error *err)
{
	const char *env = getenv(CR_CE_ENDPOINT_ENV);
	cr_url u;

	memset(e, 0, sizeof *e);
	if (!url || !*url)
		url = env && *env ? env : CR_CE_DEFAULT_ENDPOINT;
	if (cr_http_check_url(url, 0, err) < 0 || cr_url_parse(url, &u, err) < 0)
		return -1;
	if (u.user || u.query) {
		cr_url_free(&u);
		return cr_error_set(err, CR_EXIT_USAGE, "the Cost Explorer endpoint must be "
				    "scheme://host[:port][/path], without a user or a query");
	}
	e->url = cr_xstrdup(url);
	e->host = cr_url_host_field(&u);
	e->where = cr_xstrdup(e->host);
	e->path = cr_xstrdup(u.path && *u.path ? u.path : "/");
	e->region = region_of_host(u.host);
	if (!e->region)
		e->region = cr_xstrdup("us-east-1");
	cr_url_free(&u);
	return 0;
}

void cr_ce_endpoint_free(cr_ce_endpoint *e)
{
	free(e->url);
	free(e->host);
	free(e->where);
	free(e->path);
	free(e->query);
	free(e->region);
	memset(e, 0, sizeof *e);
}

/* ---- pages ---------------------------------------------------------------- */

void cr_ce_pages_add(cr_ce_pages *p, const char *text, size_t len)
{
	p->v = cr_xrealloc(p->v, (p->n + 1) * sizeof *p->v);
	p->v[p->n++] = cr_xstrndup(text, len);
}

void cr_ce_pages_free(cr_ce_pages *p)
{
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i]);
	free(p->v);
	p->v = NULL;
	p->n = 0;
}

/* ---- errors --------------------------------------------------------------- */

static const char *const throttling_codes[] = {
	"Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException",
	"TooManyRequestsException", "ProvisionedThroughputExceededException",
	"TransactionInProgressException", "RequestLimitExceeded", "BandwidthLimitExceeded",
	"LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
	"EC2ThrottledException", "RequestTimeout", "RequestTimeoutException",
	"InternalFailure", "InternalServerError", "ServiceUnavailable",
};

bool cr_ce_retryable(long status, const char *code)
{
	if (cr_http_status_retryable(status))
		return true;
	for (size_t i = 0; code && i < sizeof throttling_codes / sizeof throttling_codes[0]; i++)
		if (strcmp(code, throttling_codes[i]) == 0)
			return true;
	return false;
}

/* "aws.x#Code:http://..." -> "Code" */
static void clean_code(const char *s, char *code, size_t size)
{
	const char *hash = strrchr(s, '#'), *colon;
	size_t n;

	if (hash)
		s = hash + 1;
	colon = strchr(s, ':');
	n = colon ? (size_t)(colon - s) : strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		n--;
	while (n && isspace((unsigned char)*s)) {
		s++;
		n--;
	}
	if (n >= size)
		n = size - 1;
	memcpy(code, s, n);
	code[n] = '\0';
	for (char *p = code; *p; p++)
		if (!isalnum((unsigned char)*p) && *p != '_' && *p != '.' && *p != '-')
			*p = '?';
}

static json_t *load_object(const char *body, size_t len)
{
	json_t *root;

	if (!body || !len)
		return NULL;
	root = json_loadb(body, len, 0, NULL);
	if (root && !json_is_object(root)) {
		json_decref(root);
		root = NULL;
	}
	return root;
}

void cr_ce_error_code(const char *body, size_t len, const char *error_type, char *code,
		      size_t size)
{
	json_t *root = load_object(body, len), *t;

	code[0] = '\0';
	if (root) {
		t = json_object_get(root, "__type");
		if (!json_is_string(t))
			t = json_object_get(root, "code");
		if (json_is_string(t))
			clean_code(json_string_value(t), code, size);
		json_decref(root);
	}
	if (!code[0] && error_type && *error_type)
		clean_code(error_type, code, size);
	if (!code[0] && body) {
		/* a query-protocol answer: <ErrorResponse><Error><Code>...</Code> */
		const char *c = memmem(body, len, "<Code>", 6), *e;
		if (c && (e = memmem(c, len - (size_t)(c - body), "</Code>", 7)) && e - c < 100) {
			char tmp[100];
			snprintf(tmp, sizeof tmp, "%.*s", (int)(e - c - 6), c + 6);
			clean_code(tmp, code, size);
		}
	}
}

/* Replaces every secret in b by "[redacted]". */
static void redact(cr_buf *b, const char *const *secrets, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *s = secrets[i];
		size_t sl = s ? strlen(s) : 0;
		char *hit;

		if (sl < 4 || !b->ptr)
			continue;
		while ((hit = memmem(b->ptr, b->len, s, sl))) {
			cr_buf out = CR_BUF_INIT;

			cr_buf_add(&out, b->ptr, (size_t)(hit - b->ptr));
			cr_buf_adds(&out, "[redacted]");
			cr_buf_add(&out, hit + sl, b->len - (size_t)(hit - b->ptr) - sl);
			cr_wipe(b->ptr, b->len);
			cr_buf_release(b);
			*b = out;
		}
	}
}

/*
 * Replaces every run of FRAGMENT_MIN characters or more that is also part
 * of a secret by "[redacted]".  A body can hold a secret in pieces that
 * only come together once decoded ("G\/b" in JSON is "G/b"), or cut short
 * by the excerpt limit; the whole-secret pass cannot see those.
 */
#define FRAGMENT_MIN 12

static size_t secret_run(const char *p, size_t n, const char *const *secrets, size_t nsec)
{
	size_t best = 0;

	for (size_t i = 0; i < nsec; i++) {
		const char *s = secrets[i];
		size_t sl = s ? strlen(s) : 0;

		for (size_t j = 0; j + FRAGMENT_MIN <= sl; j++) {
			size_t k = 0;

			while (k < n && j + k < sl && p[k] == s[j + k])
				k++;
			if (k > best)
				best = k;
		}
	}
	return best >= FRAGMENT_MIN ? best : 0;
}

static void redact_fragments(cr_buf *b, const char *const *secrets, size_t nsec)
{
	cr_buf out = CR_BUF_INIT;
	bool hit = false;

	if (!b->ptr)
		return;
	for (size_t i = 0; i < b->len;) {
		size_t run = secret_run(b->ptr + i, b->len - i, secrets, nsec);

		if (run) {
			cr_buf_adds(&out, "[redacted]");
			i += run;
			hit = true;
		} else {
			cr_buf_addc(&out, b->ptr[i++]);
		}
	}
	if (hit) {
		cr_wipe(b->ptr, b->len);
		cr_buf_release(b);
		*b = out;
	} else {
		cr_buf_release(&out);
	}
}

/* Printable text of s[0..n), at most max bytes, control characters blanked. */
static void add_clean(cr_buf *b, const char *s, size_t n, size_t max)
{
	size_t start = b->len;

	for (size_t i = 0; i < n && b->len - start < max; i++) {
		unsigned char ch = (unsigned char)s[i];
		cr_buf_addc(b, ch < 0x20 || ch == 0x7f ? ' ' : (char)ch);
	}
	if (n > max)
		cr_buf_adds(b, "...");
}

/* What to do about an error code; sets *exit. */
static const char *advice(long status, const char *code, const char *msg, int *exit)
{
	*exit = CR_EXIT_REMOTE;
	if (strcmp(code, "AccessDeniedException") == 0 || strcmp(code, "AccessDenied") == 0) {
		*exit = CR_EXIT_AUTH;
		if (msg && strcasestr(msg, "not enabled for cost explorer"))
			return "Cost Explorer is not enabled for this account: enable it in the "
			       "Billing and Cost Management console (Cost Explorer, Launch Cost "
			       "Explorer); data appears within 24 hours";
		return "these credentials may not read Cost Explorer: allow ce:GetCostAndUsage "
		       "in an IAM policy (a member account also needs the management account "
		       "to grant Cost Explorer access)";
	}
	if (strcmp(code, "UnrecognizedClientException") == 0 ||
	    strcmp(code, "InvalidClientTokenId") == 0) {
		*exit = CR_EXIT_AUTH;
		return "AWS does not know this access key: check the credentials";
	}
	if (strcmp(code, "InvalidSignatureException") == 0 ||
	    strcmp(code, "SignatureDoesNotMatch") == 0 ||
	    strcmp(code, "IncompleteSignatureException") == 0) {
		*exit = CR_EXIT_AUTH;
		return "the signature was refused: check the secret access key and the system clock";
	}
	if (strcmp(code, "ExpiredTokenException") == 0 || strcmp(code, "ExpiredToken") == 0 ||
	    strcmp(code, "RequestExpired") == 0) {
		*exit = CR_EXIT_AUTH;
		return "the credentials have expired: refresh them (a new role session, "
		       "aws sso login...) and run again";
	}
	if (strcmp(code, "DataUnavailableException") == 0)
		return "Cost Explorer has no data for this period yet (a new account or a new "
		       "month can take 24 hours): run later or choose an earlier --month";
	if (strcmp(code, "BillExpirationException") == 0)
		return "the period is older than Cost Explorer keeps (14 months, 38 with "
		       "multi-year data): choose a later --month or read billing export files";
	if (strcmp(code, "InvalidNextTokenException") == 0)
		return "Cost Explorer refused the page token of a long answer (tokens expire): "
		       "run again; answers already complete are in the cache";
	if (strcmp(code, "RequestChangedException") == 0)
		return "the request changed between the pages of one answer: run again";
	if (strcmp(code, "ValidationException") == 0)
		return "Cost Explorer rejected the request as malformed: please report this";
	if (strcmp(code, "BillingViewHealthStatusException") == 0)
		return "the billing view is not healthy: try again later";
	if (cr_ce_retryable(status, code))
		return "Cost Explorer kept refusing: run again later (answers already complete "
		       "are in the cache and cost nothing)";
	return NULL;
}

static int ce_error(long status, const char *body, size_t len, const char *error_type,
		    const char *where, const char *what, const char *const *secrets,
		    size_t nsecrets, unsigned attempts, cr_error *err)
{
	char code[96];
	json_t *root, *m = NULL;
	cr_buf b = CR_BUF_INIT, rbody = CR_BUF_INIT, rtype = CR_BUF_INIT, rmsg = CR_BUF_INIT;
	const char *msg = NULL, *adv;
	char *xml_msg = NULL;
	int exit;

	/* Secrets go first: one cut short at the end of an excerpt, or with
	 * its '/' cleaned to '?' in an error code, would escape the redaction
	 * of the finished message. */
	cr_buf_add(&rbody, body ? body : "", len);
	redact(&rbody, secrets, nsecrets);
	body = rbody.ptr;
	len = rbody.len;
	if (error_type) {
		cr_buf_adds(&rtype, error_type);
		redact(&rtype, secrets, nsecrets);
		error_type = rtype.ptr;
	}
	root = load_object(body, len);
	cr_ce_error_code(body, len, error_type, code, sizeof code);
	if (root) {
		m = json_object_get(root, "message");
		if (!json_is_string(m))
			m = json_object_get(root, "Message");
		if (json_is_string(m))
			msg = json_string_value(m);
	} else if (code[0] && body) {
		/* a query-protocol answer: <Message>...</Message> */
		const char *c = memmem(body, len, "<Message>", 9), *e;
		if (c && (e = memmem(c, len - (size_t)(c - body), "</Message>", 10)))
			msg = xml_msg = cr_xstrndup(c + 9, (size_t)(e - c - 9));
	}
	if (code[0]) {
		cr_buf_addf(&b, "HTTP %ld %s", status, code);
		if (msg && *msg) {
			cr_buf_adds(&b, ": ");
			cr_buf_adds(&rmsg, msg);
			redact(&rmsg, secrets, nsecrets);
			add_clean(&b, rmsg.ptr, rmsg.len, MESSAGE_MAX);
		}
		cr_buf_addf(&b, " (%s, %s)", where, what);
	} else {
		const char *p = body;
		size_t n = len;

		cr_buf_addf(&b, "HTTP %ld from %s (%s): ", status, where, what);
		while (n && isspace((unsigned char)*p)) {
			p++;
			n--;
		}
		if (!n)
			cr_buf_adds(&b, "an empty answer, not an AWS error");
		else if (*p == '<')
			cr_buf_adds(&b, "an HTML page, not an AWS error (a proxy or gateway answered?)");
		else {
			cr_buf_adds(&b, "not an AWS error: '");
			add_clean(&b, p, n, 80);
			cr_buf_addc(&b, '\'');
		}
	}
	adv = advice(status, code, msg, &exit);
	if (attempts > 1)
		cr_buf_addf(&b, "; %u attempts", attempts);
	if (adv)
		cr_buf_addf(&b, ": %s", adv);
	redact(&b, secrets, nsecrets);
	redact_fragments(&b, secrets, nsecrets);
	cr_error_set(err, exit, "%s", b.ptr);
	cr_buf_release(&b);
	json_decref(root);
	cr_wipe(rbody.ptr, rbody.len);
	cr_buf_release(&rbody);
	cr_wipe(rtype.ptr, rtype.len);
	cr_buf_release(&rtype);
	cr_wipe(rmsg.ptr, rmsg.len);
	cr_buf_release(&rmsg);
	free(xml_msg);
	return -1;
}

int cr_ce_error(long status, const char *body, size_t len, const char *error_type,
		const char *where, const char *what, const char *const *secrets,
		size_t nsecrets, cr_error *err)
{
	return ce_error(status, body, len, error_type, where, what, secrets, nsecrets, 1, err);
}

/* ---- one call -------------------------------------------------------------- */

static int sign(const cr_ce_client *c, const char *operation, const char *body, size_t len,
		cr_headers *h, cr_error *err)
{
	char date[CR_SIGV4_DATE_STRLEN], target[128];
	cr_sigv4_result res;
	cr_sigv4_request rq = {
		.method = "POST", .path = c->ep->path, .query = c->ep->query, .headers = h,
		.body = body, .body_len = len, .region = c->ep->region, .service = "ce",
		.amz_date = date, .creds = c->creds,
		.flags = CR_SIGV4_ADD_DATE | CR_SIGV4_ADD_TOKEN | CR_SIGV4_ADD_AUTHORIZATION,
	};

	snprintf(target, sizeof target, TARGET_PREFIX "%s", operation);
	cr_headers_reset(h);
	cr_headers_add(h, "Host", c->ep->host);
	cr_headers_add(h, "Content-Type", "application/x-amz-json-1.1");
	cr_headers_add(h, "X-Amz-Target", target);
	cr_headers_add(h, "Accept", "application/json");
	cr_sigv4_amz_date(time(NULL), date);
	if (cr_sigv4_sign(&rq, &res, err) < 0)
		return -1;
	cr_sigv4_result_free(&res);
	return 0;
}

int cr_ce_call(const cr_ce_client *c, const char *operation, const char *body, size_t len,
	       const char *what, cr_buf *answer, cr_error *err)
{
	static const cr_retry_policy def = CR_CE_RETRY_POLICY;
	const cr_retry_policy *p = c->retry ? c->retry : &def;
	const char *secrets[3];
	cr_headers h = CR_HEADERS_INIT;
	cr_http_response resp = CR_HTTP_RESPONSE_INIT;
	cr_http_request rq = {
		.method = "POST", .url = c->ep->url, .headers = &h, .body = body, .body_len = len,
		.connect_timeout_ms = c->connect_timeout_ms ? c->connect_timeout_ms
							    : CR_CE_CONNECT_TIMEOUT_MS,
		.timeout_ms = c->timeout_ms ? c->timeout_ms : CR_CE_TIMEOUT_MS,
	};
	int rc = -1;

	cr_buf_reset(answer);
	if (c->stats->max_paid >= 0 && c->stats->paid >= c->stats->max_paid)
		return cr_error_set(err, CR_EXIT_THRESHOLD,
				    "--max-requests %ld reached before %s: the pull needs more paid "
				    "requests than the budget allows", c->stats->max_paid, what);
	if (!c->creds || !c->creds->access_key_id)
		return cr_error_set(err, CR_EXIT_INTERNAL, "no credentials for %s", what);
	secrets[0] = c->creds->access_key_id;
	secrets[1] = c->creds->secret_access_key;
	secrets[2] = c->creds->session_token;

	for (unsigned attempt = 1;; attempt++) {
		cr_error e;
		bool retry;
		long delay;
		int prc;
		char code[96] = "";

		cr_error_clear(&e);
		if (sign(c, operation, body, len, &h, err) < 0)
			break;
		prc = cr_http_perform(&rq, &resp, &e);
		c->stats->attempts++;
		if (attempt > 1)
			c->stats->retries++;
		if (c->on_attempt)
			c->on_attempt(c->ctx);
		if (prc == 0 && resp.status == 200) {
			c->stats->paid++;
			cr_buf_add(answer, resp.body.ptr ? resp.body.ptr : "", resp.body.len);
			rc = 0;
			break;
		}
		if (prc < 0) {
			retry = resp.retryable;
		} else {
			cr_ce_error_code(resp.body.ptr, resp.body.len,
					 cr_headers_get(&resp.headers, "x-amzn-errortype"), code,
					 sizeof code);
			retry = cr_ce_retryable(resp.status, code);
		}
		delay = cr_retry_delay_ms(p, attempt, retry,
					  prc == 0 ? cr_headers_get(&resp.headers, "retry-after") : NULL,
					  cr_retry_random());
		if (delay < 0) {
			if (prc < 0) {
				cr_buf m = CR_BUF_INIT;

				cr_buf_addf(&m, "%s (%s)", e.msg, what);
				if (attempt > 1)
					cr_buf_addf(&m, "; %u attempts", attempt);
				if (retry)
					cr_buf_adds(&m, ": check the network, a proxy or "
						    "--endpoint-url, and run again");
				cr_error_set(err, e.code, "%s", m.ptr);
				cr_buf_release(&m);
			} else {
				ce_error(resp.status, resp.body.ptr, resp.body.len,
					 cr_headers_get(&resp.headers, "x-amzn-errortype"),
					 c->ep->where, what, secrets, 3, attempt, err);
			}
			break;
		}
		cr_sleep_ms(delay);
	}
	cr_http_response_free(&resp);
	cr_headers_free(&h);
	return rc;
}

/* ---- pagination ------------------------------------------------------------- */

int cr_ce_pages_collect(void *ctx, const char *text, size_t len, cr_error *err)
{
	(void)err;
	cr_ce_pages_add(ctx, text, len);
	return 0;
}

/* Whether token is one of the n tokens seen; *at gets its page. */
static bool seen(char *const *tokens, size_t n, const char *token, size_t *at)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(tokens[i], token) == 0) {
			*at = i;
			return true;
		}
	return false;
}

int cr_ce_fetch(const cr_ce_client *c, const char *operation, const char *body,
		const char *what, cr_ce_page_fn *on_page, void *ctx, cr_error *err)
{
	json_error_t jerr;
	json_t *req = json_loads(body, 0, &jerr);
	char **tokens = NULL;   /* tokens[i]: the token that asked for page i + 2 */
	size_t ntokens = 0;
	cr_buf ans = CR_BUF_INIT, label = CR_BUF_INIT;
	int rc = -1;

	if (!json_is_object(req)) {
		json_decref(req);
		return cr_error_set(err, CR_EXIT_INTERNAL, "%s: the request is not a JSON object",
				    what);
	}
	for (size_t page = 1;; page++) {
		char *text, *next = NULL;
		size_t at;

		if (page > CR_CE_MAX_PAGES) {
			cr_error_set(err, CR_EXIT_REMOTE, "%s: %s answered more than %d pages; "
				     "narrow the period", c->ep->where, what, CR_CE_MAX_PAGES);
			break;
		}
		if (ntokens)
			json_object_set_new(req, "NextPageToken", json_string(tokens[ntokens - 1]));
		text = json_dumps(req, JSON_COMPACT);
		if (!text) {
			cr_error_set(err, CR_EXIT_INTERNAL, "%s: cannot serialise the request", what);
			break;
		}
		cr_buf_reset(&label);
		if (page > 1)
			cr_buf_addf(&label, "%s, page %zu", what, page);
		else
			cr_buf_adds(&label, what);
		if (cr_ce_call(c, operation, text, strlen(text), label.ptr, &ans, err) < 0 ||
		    cr_ce_parse(ans.ptr ? ans.ptr : "", ans.len, c->ep->where, NULL, &next, err) < 0) {
			free(text);
			break;
		}
		free(text);
		if (on_page(ctx, ans.ptr ? ans.ptr : "", ans.len, err) < 0) {
			free(next);
			break;
		}
		if (!next) {
			rc = 0;
			break;
		}
		if (seen(tokens, ntokens, next, &at)) {
			cr_error_set(err, CR_EXIT_REMOTE, "%s: %s: Cost Explorer sent the "
				     "NextPageToken '%.40s%s' of page %zu again: its pages run in a "
				     "cycle, which is not followed; run again later", c->ep->where, label.ptr, next,
				     strlen(next) > 40 ? "..." : "", at + 2);
			free(next);
			break;
		}
		tokens = cr_xrealloc(tokens, (ntokens + 1) * sizeof *tokens);
		tokens[ntokens++] = next;
	}
	for (size_t i = 0; i < ntokens; i++)
		free(tokens[i]);
	free(tokens);
	cr_buf_release(&ans);
	cr_buf_release(&label);
	json_decref(req);
	return rc;
}
