/* athena.c - the SQL source on Amazon Athena (athena.h) */
#include "costrank/athena.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "costrank/buf.h"
#include "costrank/ce.h"
#include "costrank/credentials.h"
#include "costrank/headers.h"
#include "costrank/http.h"
#include "costrank/sigv4.h"

#define TARGET_PREFIX "AmazonAthena."
#define PAGE_ROWS 1000
#define MAX_PAGES 100000

struct athena {
	const cr_athena_opts *a;
	char *url, *host, *path, *region, *where;
	cr_aws_credentials creds;
	cr_athena_stats *st;
};

static int endpoint(struct athena *x, cr_error *err)
{
	const char *region = x->a->region;
	cr_buf def = { 0 };
	const char *url = x->a->endpoint_url;
	cr_url u;
	int rc = -1;

	if (!region || !*region)
		region = getenv("AWS_REGION");
	if (!region || !*region)
		region = getenv("AWS_DEFAULT_REGION");
	if (!region || !*region)
		region = "us-east-1";
	for (const char *p = region; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
			return cr_error_set(err, CR_EXIT_USAGE, "--region '%s' is not a region "
					    "like eu-west-1", region);
	if (!url || !*url) {
		cr_buf_addf(&def, "https://athena.%s.amazonaws.com", region);
		url = def.ptr;
	}
	if (cr_http_check_url(url, 0, err) < 0 || cr_url_parse(url, &u, err) < 0)
		goto done;
	if (u.user || u.query) {
		cr_url_free(&u);
		cr_error_set(err, CR_EXIT_USAGE, "the Athena endpoint must be "
			     "scheme://host[:port][/path], without a user or a query");
		goto done;
	}
	x->url = cr_xstrdup(url);
	x->host = cr_url_host_field(&u);
	x->where = cr_xstrdup(x->host);
	x->path = cr_xstrdup(u.path && *u.path ? u.path : "/");
	x->region = cr_xstrdup(region);
	cr_url_free(&u);
	rc = 0;
done:
	cr_buf_release(&def);
	return rc;
}

static int sign(struct athena *x, const char *operation, const char *body, size_t len,
		cr_headers *h, cr_error *err)
{
	char date[CR_SIGV4_DATE_STRLEN], target[96];
	cr_sigv4_result res;
	cr_sigv4_request rq = {
		.method = "POST", .path = x->path, .headers = h, .body = body, .body_len = len,
		.region = x->region, .service = "athena", .amz_date = date, .creds = &x->creds,
		.flags = CR_SIGV4_ADD_DATE | CR_SIGV4_ADD_TOKEN | CR_SIGV4_ADD_AUTHORIZATION,
	};

	snprintf(target, sizeof target, TARGET_PREFIX "%s", operation);
	cr_headers_reset(h);
	cr_headers_add(h, "Host", x->host);
	cr_headers_add(h, "Content-Type", "application/x-amz-json-1.1");
	cr_headers_add(h, "X-Amz-Target", target);
	cr_headers_add(h, "Accept", "application/json");
	cr_sigv4_amz_date(time(NULL), date);
	if (cr_sigv4_sign(&rq, &res, err) < 0)
		return -1;
	cr_sigv4_result_free(&res);
	return 0;
}

/* Printable text of at most max bytes, for a message. */
static void add_clean(cr_buf *b, const char *s, size_t max)
{
	size_t n = 0;

	for (; *s && n < max; s++, n++)
		cr_buf_addc(b, (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s);
	if (*s)
		cr_buf_adds(b, "...");
}

static bool auth_code(const char *code)
{
	static const char *const codes[] = {
		"UnrecognizedClientException", "InvalidSignatureException",
		"IncompleteSignatureException", "AccessDeniedException", "ExpiredTokenException",
		"ExpiredToken", "RequestExpired", "InvalidClientTokenId", "MissingAuthenticationToken",
	};

	for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
		if (strcmp(code, codes[i]) == 0)
			return true;
	return false;
}

static int api_error(struct athena *x, const char *what, long status, const cr_buf *body,
		     const char *error_type, unsigned attempts, cr_error *err)
{
	char code[96];
	json_t *root = body->ptr ? json_loadb(body->ptr, body->len, 0, NULL) : NULL;
	json_t *m = NULL;
	cr_buf b = { 0 };

	cr_ce_error_code(body->ptr ? body->ptr : "", body->len, error_type, code, sizeof code);
	if (json_is_object(root)) {
		m = json_object_get(root, "message");
		if (!json_is_string(m))
			m = json_object_get(root, "Message");
	}
	cr_buf_addf(&b, "HTTP %ld %s", status, code[0] ? code : "from Athena");
	if (json_is_string(m)) {
		cr_buf_adds(&b, ": ");
		add_clean(&b, json_string_value(m), 300);
	}
	cr_buf_addf(&b, " (%s, %s)", x->where, what);
	if (attempts > 1)
		cr_buf_addf(&b, "; %u attempts", attempts);
	cr_error_set(err, auth_code(code) ? CR_EXIT_AUTH : CR_EXIT_REMOTE, "%s", b.ptr);
	cr_buf_release(&b);
	json_decref(root);
	return -1;
}

/* One call, retried on throttling, 5xx and transport failures; the answer
 * as a JSON object. */
static json_t *call(struct athena *x, const char *operation, json_t *req, const char *what,
		    cr_error *err)
{
	static const cr_retry_policy policy = { 6, 500, 20000, 120000 };
	char *body = json_dumps(req, JSON_COMPACT);
	size_t len = body ? strlen(body) : 0;
	cr_headers h = CR_HEADERS_INIT;
	cr_http_response resp = CR_HTTP_RESPONSE_INIT;
	cr_http_request rq = { .method = "POST", .url = x->url, .headers = &h, .body = body,
			       .body_len = len };
	json_t *ans = NULL;

	if (!body) {
		cr_error_set(err, CR_EXIT_INTERNAL, "%s: cannot serialise the request", what);
		return NULL;
	}
	for (unsigned attempt = 1;; attempt++) {
		cr_error e = { 0 };
		char code[96] = "";
		bool retry;
		long delay;
		int prc;

		if (sign(x, operation, body, len, &h, err) < 0)
			break;
		cr_http_response_reset(&resp);
		prc = cr_http_perform(&rq, &resp, &e);
		if (prc == 0 && resp.status == 200) {
			ans = json_loadb(resp.body.ptr ? resp.body.ptr : "", resp.body.len, 0, NULL);
			if (!json_is_object(ans)) {
				json_decref(ans);
				ans = NULL;
				cr_error_set(err, CR_EXIT_REMOTE, "%s: %s: the answer is not a JSON "
					     "object", x->where, what);
			}
			x->st->calls++;
			break;
		}
		if (prc < 0) {
			retry = resp.retryable;
		} else {
			cr_ce_error_code(resp.body.ptr ? resp.body.ptr : "", resp.body.len,
					 cr_headers_get(&resp.headers, "x-amzn-errortype"), code,
					 sizeof code);
			retry = cr_ce_retryable(resp.status, code);
		}
		delay = cr_retry_delay_ms(&policy, attempt, retry,
					  prc == 0 ? cr_headers_get(&resp.headers, "retry-after") : NULL,
					  cr_retry_random());
		if (delay < 0) {
			if (prc < 0)
				cr_error_set(err, e.code, "%s (%s)%s", e.msg, what,
					     retry ? ": check the network, a proxy or --endpoint-url, "
					     "and run again" : "");
			else
				api_error(x, what, resp.status, &resp.body,
					  cr_headers_get(&resp.headers, "x-amzn-errortype"), attempt,
					  err);
			break;
		}
		cr_sleep_ms(delay);
	}
	cr_http_response_free(&resp);
	cr_headers_free(&h);
	free(body);
	return ans;
}

/* A ClientRequestToken: the same for every retry of one start, new for
 * each run (32 to 128 characters). */
static void request_token(const char *sql, char *hex)
{
	struct timespec ts;
	cr_buf b = { 0 };

	clock_gettime(CLOCK_REALTIME, &ts);
	cr_buf_addf(&b, "%ld.%09ld/%ld/%u/", (long)ts.tv_sec, ts.tv_nsec, (long)getpid(),
		    (unsigned)cr_retry_random());
	cr_buf_adds(&b, sql);
	cr_sha256_hex(b.ptr, b.len, hex);
	cr_buf_release(&b);
}

static const char *str_at(json_t *o, const char *a, const char *b, const char *c)
{
	json_t *v = json_object_get(o, a);

	if (b)
		v = json_object_get(v, b);
	if (c)
		v = json_object_get(v, c);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int start(struct athena *x, const char *sql, char **id, cr_error *err)
{
	char token[65];
	json_t *req = json_object(), *ctx = json_object(), *ans;
	const char *v;

	request_token(sql, token);
	json_object_set_new(req, "QueryString", json_string(sql));
	json_object_set_new(req, "ClientRequestToken", json_string(token));
	json_object_set_new(ctx, "Database", json_string(x->a->database));
	json_object_set_new(ctx, "Catalog", json_string("AwsDataCatalog"));
	json_object_set_new(req, "QueryExecutionContext", ctx);
	if (x->a->workgroup && *x->a->workgroup)
		json_object_set_new(req, "WorkGroup", json_string(x->a->workgroup));
	if (x->a->output && *x->a->output) {
		json_t *rc = json_object();
		json_object_set_new(rc, "OutputLocation", json_string(x->a->output));
		json_object_set_new(req, "ResultConfiguration", rc);
	}
	ans = call(x, "StartQueryExecution", req, "StartQueryExecution", err);
	json_decref(req);
	if (!ans)
		return -1;
	v = str_at(ans, "QueryExecutionId", NULL, NULL);
	if (!v || !*v || strlen(v) > 128) {
		json_decref(ans);
		return cr_error_set(err, CR_EXIT_REMOTE, "%s: StartQueryExecution answered no "
				    "QueryExecutionId", x->where);
	}
	*id = cr_xstrdup(v);
	json_decref(ans);
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* What to do about a failed query, by Athena's error type. */
static const char *failure_advice(const char *reason)
{
	if (strncmp(reason, "TABLE_NOT_FOUND", 15) == 0 ||
	    strncmp(reason, "SCHEMA_NOT_FOUND", 16) == 0)
		return " (check --table and --athena-database)";
	if (strncmp(reason, "COLUMN_NOT_FOUND", 16) == 0)
		return " (check --table-layout: the README lists the columns each layout reads)";
	return "";
}

/* Polls until the query is over; 0 when it SUCCEEDED. */
static int wait_for(struct athena *x, const char *id, cr_error *err)
{
	long pause = 100, cap = x->a->poll_cap_ms > 0 ? x->a->poll_cap_ms : 5000;
	long max_wait = x->a->max_wait_ms > 0 ? x->a->max_wait_ms : 30L * 60 * 1000;
	int64_t t0 = now_ms();
	json_t *req = json_object();
	int rc = -1;

	json_object_set_new(req, "QueryExecutionId", json_string(id));
	for (;;) {
		json_t *ans = call(x, "GetQueryExecution", req, "GetQueryExecution", err);
		json_t *qe, *bytes;
		const char *state, *reason;

		if (!ans)
			break;
		qe = json_object_get(ans, "QueryExecution");
		state = str_at(qe, "Status", "State", NULL);
		if (!state) {
			cr_error_set(err, CR_EXIT_REMOTE, "%s: GetQueryExecution answered no "
				     "Status.State", x->where);
			json_decref(ans);
			break;
		}
		if (strcmp(state, "SUCCEEDED") == 0) {
			bytes = json_object_get(json_object_get(qe, "Statistics"), "DataScannedInBytes");
			if (json_is_integer(bytes) && json_integer_value(bytes) >= 0) {
				uint64_t n = (uint64_t)json_integer_value(bytes);
				x->st->scanned_bytes += n;
				x->st->billed_bytes += n < CR_ATHENA_MIN_BYTES ? CR_ATHENA_MIN_BYTES : n;
			}
			json_decref(ans);
			rc = 0;
			break;
		}
		if (strcmp(state, "FAILED") == 0 || strcmp(state, "CANCELLED") == 0) {
			cr_buf b = { 0 };

			reason = str_at(qe, "Status", "AthenaError", "ErrorMessage");
			if (!reason)
				reason = str_at(qe, "Status", "StateChangeReason", NULL);
			cr_buf_addf(&b, "%s: query %s %s", x->where, id,
				    strcmp(state, "FAILED") == 0 ? "failed" : "was cancelled");
			if (reason && *reason) {
				cr_buf_adds(&b, ": ");
				add_clean(&b, reason, 500);
				cr_buf_adds(&b, failure_advice(reason));
			}
			cr_error_set(err, CR_EXIT_REMOTE, "%s", b.ptr);
			cr_buf_release(&b);
			json_decref(ans);
			break;
		}
		if (strcmp(state, "QUEUED") != 0 && strcmp(state, "RUNNING") != 0) {
			cr_buf b = { 0 };

			add_clean(&b, state, 32);
			cr_error_set(err, CR_EXIT_REMOTE, "%s: query %s is in the unknown state "
				     "'%s'", x->where, id, b.ptr);
			cr_buf_release(&b);
			json_decref(ans);
			break;
		}
		json_decref(ans);
		if (now_ms() - t0 > max_wait) {
			cr_error_set(err, CR_EXIT_REMOTE, "%s: query %s still running after %ld s: "
				     "giving up (it keeps running in Athena)", x->where, id,
				     max_wait / 1000);
			break;
		}
		cr_sleep_ms(pause);
		pause = pause * 2 > cap ? cap : pause * 2;
	}
	json_decref(req);
	return rc;
}

static int results(struct athena *x, const char *id, int ncols, cr_sql_row_fn *row, void *ctx,
		   cr_error *err)
{
	json_t *req = json_object();
	char *token = NULL;
	bool header = true;
	int rc = -1;

	json_object_set_new(req, "QueryExecutionId", json_string(id));
	json_object_set_new(req, "MaxResults", json_integer(PAGE_ROWS));
	for (int page = 1;; page++) {
		json_t *ans, *rows;
		const char *next;
		size_t i;
		json_t *r;
		bool bad = false;

		if (page > MAX_PAGES) {
			cr_error_set(err, CR_EXIT_REMOTE, "%s: GetQueryResults: more than %d pages",
				     x->where, MAX_PAGES);
			break;
		}
		if (token)
			json_object_set_new(req, "NextToken", json_string(token));
		ans = call(x, "GetQueryResults", req, "GetQueryResults", err);
		if (!ans)
			break;
		rows = json_object_get(json_object_get(ans, "ResultSet"), "Rows");
		if (!json_is_array(rows)) {
			cr_error_set(err, CR_EXIT_REMOTE, "%s: GetQueryResults answered no "
				     "ResultSet.Rows", x->where);
			json_decref(ans);
			break;
		}
		json_array_foreach(rows, i, r) {
			json_t *data = json_object_get(r, "Data");
			cr_sql_cell cells[CR_SQL_MAX_COLUMNS];

			if (!json_is_array(data) || json_array_size(data) != (size_t)ncols) {
				cr_error_set(err, CR_EXIT_REMOTE, "%s: GetQueryResults: a row of "
					     "%zu columns where %d were asked for", x->where,
					     json_is_array(data) ? json_array_size(data) : 0, ncols);
				bad = true;
				break;
			}
			if (header) {
				/* the first row of the first page names the columns */
				header = false;
				continue;
			}
			for (int c = 0; c < ncols; c++) {
				json_t *v = json_object_get(json_array_get(data, (size_t)c),
							    "VarCharValue");
				cells[c].ptr = json_is_string(v) ? json_string_value(v) : "";
				cells[c].len = json_is_string(v) ? json_string_length(v) : 0;
			}
			if (row(ctx, cells, err)) {
				bad = true;
				break;
			}
		}
		next = str_at(ans, "NextToken", NULL, NULL);
		if (bad) {
			json_decref(ans);
			break;
		}
		if (!next || !*next) {
			json_decref(ans);
			rc = 0;
			break;
		}
		if (token && strcmp(token, next) == 0) {
			cr_error_set(err, CR_EXIT_REMOTE, "%s: GetQueryResults sent the same "
				     "NextToken twice", x->where);
			json_decref(ans);
			break;
		}
		free(token);
		token = cr_xstrdup(next);
		json_decref(ans);
	}
	free(token);
	json_decref(req);
	return rc;
}

static int exec(void *self, const char *sql, int ncols, cr_sql_row_fn *row, void *ctx,
		cr_error *err)
{
	struct athena *x = self;
	char *id = NULL;
	int rc;

	if (ncols > CR_SQL_MAX_COLUMNS)
		return cr_error_set(err, CR_EXIT_INTERNAL, "Athena: too many columns");
	rc = start(x, sql, &id, err);
	if (rc == 0)
		rc = wait_for(x, id, err);
	if (rc == 0)
		rc = results(x, id, ncols, row, ctx, err);
	free(id);
	return rc;
}

int cr_athena_pull(cr_ledger *l, const cr_athena_opts *a, const cr_sql_pull_opts *o,
		   cr_sql_outcome *out, cr_athena_stats *st, cr_error *err)
{
	struct athena x = { .a = a, .creds = CR_AWS_CREDENTIALS_INIT, .st = st };
	cr_aws_options ao = { .profile = a->profile, .region = a->region };
	cr_sql_engine e = { exec, &x };
	cr_buf name = { 0 };
	cr_ledger_input *in;
	int rc = -1;

	memset(st, 0, sizeof *st);
	memset(out, 0, sizeof *out);
	if (!a->database || !*a->database) {
		cr_error_set(err, CR_EXIT_USAGE, "Athena needs a database");
		goto done;
	}
	if (endpoint(&x, err) || cr_aws_credentials_resolve(&ao, &x.creds, err) ||
	    cr_sql_pull(l, o, &e, out, err))
		goto done;
	cr_buf_addf(&name, "athena://%s/%s/%s", x.where, a->database, o->table);
	in = cr_ledger_add_input(l, name.ptr, "athena");
	in->rows = out->items;
	rc = 0;
done:
	cr_aws_credentials_clear(&x.creds);
	cr_buf_release(&name);
	free(x.url);
	free(x.host);
	free(x.path);
	free(x.region);
	free(x.where);
	return rc;
}
