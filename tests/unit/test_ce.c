/*
 * test_ce.c - Cost Explorer calls (ce.h) and request bodies (ce_plan.h):
 * the answer parser (cells, attributes, tokens; missing fields, wrong
 * types, truncated JSON, HTML pages), error codes, messages and exit
 * codes, secrets redacted, endpoints, and signed calls against a loopback
 * stub (retries through the sleep hook, the request budget, pagination).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "costrank/ce.h"
#include "costrank/ce_plan.h"
#include "costrank/credentials.h"
#include "costrank/error.h"

#include "http_stub.h"

/* ---- the parser ---------------------------------------------------------- */

struct seen {
	int cells;
	char keys[8][2][64];
	char amount[8][64];
	char unit[8][16];
	bool estimated[8];
	cr_day start[8], end[8];
	int attrs;
	char attr[4][64];
};

static int on_cell(void *ctx, const cr_ce_cell *c, cr_error *err)
{
	struct seen *s = ctx;
	const cr_ce_metric *m = cr_ce_cell_metric(c, "UnblendedCost");
	int i = s->cells++;

	(void)err;
	if (i >= 8)
		return 0;
	for (size_t k = 0; k < c->nkeys; k++)
		snprintf(s->keys[i][k], sizeof s->keys[i][k], "%s", c->keys[k]);
	if (m) {
		cr_dec_format(m->amount, -1, s->amount[i], sizeof s->amount[i]);
		snprintf(s->unit[i], sizeof s->unit[i], "%s", m->unit);
	}
	s->estimated[i] = c->estimated;
	s->start[i] = c->start;
	s->end[i] = c->end;
	return 0;
}

static void on_attr(void *ctx, const char *value, const char *key, const char *text)
{
	struct seen *s = ctx;

	if (s->attrs < 4)
		snprintf(s->attr[s->attrs], sizeof s->attr[0], "%s %s=%s", value, key, text);
	s->attrs++;
}

static int parse(const char *body, struct seen *s, char **token, cr_error *err)
{
	cr_ce_sink sink = { on_cell, on_attr, s };

	memset(s, 0, sizeof *s);
	cr_error_clear(err);
	return cr_ce_parse(body, strlen(body), "ce.us-east-1.amazonaws.com", &sink, token, err);
}

static const char answer[] =
	"{\"GroupDefinitions\":[{\"Type\":\"DIMENSION\",\"Key\":\"LINKED_ACCOUNT\"},"
	"{\"Type\":\"DIMENSION\",\"Key\":\"SERVICE\"}],"
	"\"ResultsByTime\":[{\"TimePeriod\":{\"Start\":\"2026-10-01\",\"End\":\"2026-11-01\"},"
	"\"Total\":{},\"Groups\":["
	"{\"Keys\":[\"048213306571\",\"Amazon Relational Database Service\"],"
	"\"Metrics\":{\"UnblendedCost\":{\"Amount\":\"1.2000000001\",\"Unit\":\"USD\"},"
	"\"UsageQuantity\":{\"Amount\":\"744\",\"Unit\":\"Hrs\"}}},"
	"{\"Keys\":[\"048213306571\",\"Tax\"],"
	"\"Metrics\":{\"UnblendedCost\":{\"Amount\":\"-5.0E-7\",\"Unit\":\"USD\"}}}],"
	"\"Estimated\":true}],"
	"\"DimensionValueAttributes\":[{\"Value\":\"048213306571\","
	"\"Attributes\":{\"description\":\"larkspur-prod\"}}],"
	"\"NextPageToken\":\"tok-2\"}";

static void test_parse_answer(void **state)
{
	struct seen s;
	cr_error err;
	char *token = NULL;
	cr_day d;

	(void)state;
	assert_int_equal(parse(answer, &s, &token, &err), 0);
	assert_int_equal(s.cells, 2);
	assert_string_equal(s.keys[0][0], "048213306571");
	assert_string_equal(s.keys[0][1], "Amazon Relational Database Service");
	assert_string_equal(s.amount[0], "1.2000000001");
	assert_string_equal(s.unit[0], "USD");
	assert_string_equal(s.amount[1], "-0.0000005");
	assert_true(s.estimated[0]);
	cr_day_parse("2026-10-01", 10, &d);
	assert_int_equal(s.start[0], d);
	cr_day_parse("2026-11-01", 10, &d);
	assert_int_equal(s.end[0], d);
	assert_int_equal(s.attrs, 1);
	assert_string_equal(s.attr[0], "048213306571 description=larkspur-prod");
	assert_non_null(token);
	assert_string_equal(token, "tok-2");
	free(token);
}

static void test_parse_total_and_empty(void **state)
{
	struct seen s;
	cr_error err;
	char *token = (char *)"x";

	(void)state;
	assert_int_equal(parse("{\"ResultsByTime\":[{\"TimePeriod\":{\"Start\":\"2026-10-01\","
			       "\"End\":\"2026-10-02\"},\"Total\":{\"UnblendedCost\":{\"Amount\":\"3\","
			       "\"Unit\":\"USD\"}},\"Groups\":[]}]}", &s, &token, &err), 0);
	assert_int_equal(s.cells, 1);
	assert_string_equal(s.amount[0], "3");
	assert_null(token);
	assert_false(s.estimated[0]);
	/* no groups and an empty Total: no cell */
	assert_int_equal(parse("{\"ResultsByTime\":[{\"TimePeriod\":{\"Start\":\"2026-10-01\","
			       "\"End\":\"2026-10-02\"},\"Total\":{},\"Groups\":[]}]}", &s, NULL, &err), 0);
	assert_int_equal(s.cells, 0);
	assert_int_equal(parse("{\"ResultsByTime\":[]}", &s, NULL, &err), 0);
	/* GetDimensionValues answers give attributes */
	assert_int_equal(parse("{\"DimensionValues\":[{\"Value\":\"1\",\"Attributes\":"
			       "{\"description\":\"one\"}}],\"ReturnSize\":1,\"TotalSize\":1}",
			       &s, NULL, &err), 0);
	assert_int_equal(s.attrs, 1);
	assert_string_equal(s.attr[0], "1 description=one");
}

static void test_parse_errors(void **state)
{
	static const struct {
		const char *body;
		const char *want;
	} cases[] = {
		{ "", "answer is empty" },
		{ "  \n", "answer is empty" },
		{ "<html><head><title>Captive portal</title></head></html>",
		  "HTML page, not JSON ('Captive portal')" },
		{ "<!DOCTYPE html>\n<html><body>Access denied</body></html>", "HTML page" },
		{ "{\"ResultsByTime\":[{\"TimePeriod\":{\"Start\":\"2026-10-01\"", "ends early after" },
		{ "{\"ResultsByTime\":[", "ends early" },
		{ "{\"ResultsByTime\": nope}", "not valid JSON (line 1" },
		{ "[1, 2]", "not a JSON object" },
		{ "{}", "ResultsByTime is missing" },
		{ "{\"ResultsByTime\":{}}", "ResultsByTime is not an array" },
		{ "{\"ResultsByTime\":[{}]}", "ResultsByTime[0].TimePeriod is missing" },
		{ "{\"ResultsByTime\":[{\"TimePeriod\":{\"Start\":\"2026-10-01\"}}]}",
		  "ResultsByTime[0].TimePeriod.End is missing" },
		{ "{\"ResultsByTime\":[{\"TimePeriod\":{\"Start\":\"2026-10-01\",\"End\":\"2026-13-01\"}}]}",
		  "ResultsByTime[0].TimePeriod.End is not a date" },
		{ "{\"ResultsByTime\":[{\"TimePeriod\":{\"Start\":\"2026-10-02\",\"End\":\"2026-10-01\"}}]}",
		  "ends before it starts" },
		{ "{\"ResultsByTime\":[{\"TimePeriod\":{\"Start\":20261001,\"End\":\"2026-10-02\"}}]}",
		  "TimePeriod.Start is not a string" },
		{ "{\"ResultsByTime\":[{\"TimePeriod\":{\"Start\":\"2026-10-01\",\"End\":\"2026-10-02\"},"
		  "\"Estimated\":\"yes\"}]}", "ResultsByTime[0].Estimated is not true or false" },
		{ "{\"ResultsByTime\":[{\"TimePeriod\":{\"Start\":\"2026-10-01\",\"End\":\"2026-10-02\"},"
		  "\"Groups\":[{\"Metrics\":{}}]}]}", "ResultsByTime[0].Groups[0].Keys is missing" },
		{ "{\"ResultsByTime\":[{\"TimePeriod\":{\"Start\":\"2026-10-01\",\"End\":\"2026-10-02\"},"
		  "\"Groups\":[{\"Keys\":[\"a\",1],\"Metrics\":{}}]}]}",
		  "ResultsByTime[0].Groups[0].Keys[1] is not a string" },
		{ "{\"ResultsByTime\":[{\"TimePeriod\":{\"Start\":\"2026-10-01\",\"End\":\"2026-10-02\"},"
		  "\"Groups\":[{\"Keys\":[\"a\"]}]}]}", "ResultsByTime[0].Groups[0].Metrics is missing" },
		{ "{\"ResultsByTime\":[{\"TimePeriod\":{\"Start\":\"2026-10-01\",\"End\":\"2026-10-02\"},"
		  "\"Groups\":[{\"Keys\":[\"a\"],\"Metrics\":{\"UnblendedCost\":{\"Unit\":\"USD\"}}}]}]}",
		  "ResultsByTime[0].Groups[0].Metrics.UnblendedCost.Amount is missing" },
		{ "{\"ResultsByTime\":[{\"TimePeriod\":{\"Start\":\"2026-10-01\",\"End\":\"2026-10-02\"},"
		  "\"Groups\":[{\"Keys\":[\"a\"],\"Metrics\":{\"UnblendedCost\":{\"Amount\":1.5}}}]}]}",
		  "ResultsByTime[0].Groups[0].Metrics.UnblendedCost.Amount is not a string" },
		{ "{\"ResultsByTime\":[{\"TimePeriod\":{\"Start\":\"2026-10-01\",\"End\":\"2026-10-02\"},"
		  "\"Groups\":[{\"Keys\":[\"a\"],\"Metrics\":{\"UnblendedCost\":{\"Amount\":\"12 USD\"}}}]}]}",
		  "Metrics.UnblendedCost.Amount is not a decimal number" },
		{ "{\"ResultsByTime\":[{\"TimePeriod\":{\"Start\":\"2026-10-01\",\"End\":\"2026-10-02\"},"
		  "\"Groups\":[{\"Keys\":[\"a\"],\"Metrics\":{\"UnblendedCost\":{\"Amount\":\"1\","
		  "\"Unit\":7}}}]}]}", "Metrics.UnblendedCost.Unit is not a string" },
		{ "{\"ResultsByTime\":[],\"NextPageToken\":17}", "NextPageToken is not a non-empty string" },
		{ "{\"ResultsByTime\":[],\"DimensionValueAttributes\":[{\"Attributes\":{}}]}",
		  "DimensionValueAttributes[0].Value is missing" },
	};
	struct seen s;
	cr_error err;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		if (parse(cases[i].body, &s, NULL, &err) != -1)
			fail_msg("case %zu parsed", i);
		assert_int_equal(err.code, CR_EXIT_REMOTE);
		if (!strstr(err.msg, cases[i].want))
			fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, cases[i].want);
		if (strncmp(err.msg, "ce.us-east-1.amazonaws.com: GetCostAndUsage answer", 50) != 0)
			fail_msg("case %zu: '%s' does not name the endpoint", i, err.msg);
	}
}

/* ---- errors ---------------------------------------------------------------- */

static void test_error_codes(void **state)
{
	static const struct {
		const char *body, *header, *want;
	} cases[] = {
		{ "{\"__type\":\"com.amazon.coral.service#LimitExceededException\",\"message\":\"x\"}",
		  NULL, "LimitExceededException" },
		{ "{\"__type\":\"ThrottlingException:http://internal.amazon.com/coral/\"}", NULL,
		  "ThrottlingException" },
		{ "{\"code\":\"AccessDeniedException\"}", NULL, "AccessDeniedException" },
		{ "not json", "DataUnavailableException:http://internal", "DataUnavailableException" },
		{ "", NULL, "" },
		{ "{\"__type\":\"evil code<script>\"}", NULL, "evil?code?script?" },
	};
	char code[96];

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cr_ce_error_code(cases[i].body, strlen(cases[i].body), cases[i].header, code,
				 sizeof code);
		assert_string_equal(code, cases[i].want);
	}
	assert_true(cr_ce_retryable(400, "LimitExceededException"));
	assert_true(cr_ce_retryable(400, "ThrottlingException"));
	assert_true(cr_ce_retryable(400, "TooManyRequestsException"));
	assert_true(cr_ce_retryable(429, ""));
	assert_true(cr_ce_retryable(503, ""));
	assert_true(cr_ce_retryable(500, ""));
	assert_false(cr_ce_retryable(400, "AccessDeniedException"));
	assert_false(cr_ce_retryable(400, "InvalidNextTokenException"));
	assert_false(cr_ce_retryable(400, "DataUnavailableException"));
	assert_false(cr_ce_retryable(403, ""));
}

static void test_error_messages(void **state)
{
	static const struct {
		long status;
		const char *body;
		int code;
		const char *want;
	} cases[] = {
		{ 400, "{\"__type\":\"x#AccessDeniedException\",\"Message\":\"User: arn:aws:iam::1:user/ci "
		  "is not authorized\"}", CR_EXIT_AUTH,
		  "HTTP 400 AccessDeniedException: User: arn:aws:iam::1:user/ci is not authorized "
		  "(ce.us-east-1.amazonaws.com, ranking): these credentials may not read" },
		{ 400, "{\"__type\":\"AccessDeniedException\",\"message\":\"User not enabled for cost "
		  "explorer access\"}", CR_EXIT_AUTH, "Cost Explorer is not enabled for this account" },
		{ 403, "{\"__type\":\"UnrecognizedClientException\"}", CR_EXIT_AUTH,
		  "HTTP 403 UnrecognizedClientException (ce.us-east-1.amazonaws.com, ranking): AWS does "
		  "not know this access key" },
		{ 403, "{\"__type\":\"InvalidSignatureException\",\"message\":\"m\"}", CR_EXIT_AUTH,
		  "system clock" },
		{ 400, "{\"__type\":\"ExpiredTokenException\",\"message\":\"m\"}", CR_EXIT_AUTH,
		  "have expired" },
		{ 400, "{\"__type\":\"DataUnavailableException\",\"message\":\"Data is not available\"}",
		  CR_EXIT_REMOTE, "HTTP 400 DataUnavailableException: Data is not available" },
		{ 400, "{\"__type\":\"BillExpirationException\",\"message\":\"m\"}", CR_EXIT_REMOTE,
		  "choose a later --month" },
		{ 400, "{\"__type\":\"InvalidNextTokenException\",\"message\":\"m\"}", CR_EXIT_REMOTE,
		  "run again" },
		{ 400, "{\"__type\":\"LimitExceededException\",\"message\":\"Rate exceeded\"}",
		  CR_EXIT_REMOTE, "HTTP 400 LimitExceededException: Rate exceeded "
		  "(ce.us-east-1.amazonaws.com, ranking): Cost Explorer kept refusing" },
		{ 502, "<html><title>Bad Gateway</title></html>", CR_EXIT_REMOTE,
		  "HTTP 502 from ce.us-east-1.amazonaws.com (ranking): an HTML page, not an AWS error" },
		{ 500, "", CR_EXIT_REMOTE, "an empty answer" },
		{ 418, "I'm a teapot", CR_EXIT_REMOTE, "not an AWS error: 'I'm a teapot'" },
		{ 403, "<?xml version=\"1.0\"?><ErrorResponse><Errors><Error><Code>"
		  "SignatureDoesNotMatch</Code><Message>The request signature we calculated does not "
		  "match</Message></Error></Errors></ErrorResponse>", CR_EXIT_AUTH,
		  "HTTP 403 SignatureDoesNotMatch: The request signature we calculated does not match" },
	};
	cr_error err;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cr_error_clear(&err);
		assert_int_equal(cr_ce_error(cases[i].status, cases[i].body, strlen(cases[i].body),
					     NULL, "ce.us-east-1.amazonaws.com", "ranking", NULL, 0,
					     &err), -1);
		assert_int_equal(err.code, cases[i].code);
		if (!strstr(err.msg, cases[i].want))
			fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, cases[i].want);
	}
}

static void test_error_redacts_secrets(void **state)
{
	const char *secrets[] = { "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
				  "FQoGZXIvYXdzTOKEN" };
	const char body[] = "{\"__type\":\"InvalidSignatureException\",\"message\":\"The Canonical "
			    "String should have been 'x-amz-security-token:FQoGZXIvYXdzTOKEN' for "
			    "AKIDEXAMPLE and wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\\nnext line\"}";
	cr_error err = { 0 };

	(void)state;
	cr_ce_error(403, body, strlen(body), NULL, "h", "w", secrets, 3, &err);
	assert_null(strstr(err.msg, "AKIDEXAMPLE"));
	assert_null(strstr(err.msg, "wJalrXUtnFEMI"));
	assert_null(strstr(err.msg, "FQoGZXIvYXdzTOKEN"));
	assert_non_null(strstr(err.msg, "[redacted]"));
	assert_null(strchr(err.msg, '\n'));
}

static void test_endpoints(void **state)
{
	cr_ce_endpoint e;
	cr_error err = { 0 };

	(void)state;
	unsetenv(CR_CE_ENDPOINT_ENV);
	assert_int_equal(cr_ce_endpoint_init(&e, NULL, &err), 0);
	assert_string_equal(e.url, CR_CE_DEFAULT_ENDPOINT);
	assert_string_equal(e.host, "ce.us-east-1.amazonaws.com");
	assert_string_equal(e.region, "us-east-1");
	assert_string_equal(e.path, "/");
	cr_ce_endpoint_free(&e);
	assert_int_equal(cr_ce_endpoint_init(&e, "https://ce.cn-northwest-1.amazonaws.com.cn",
					     &err), 0);
	assert_string_equal(e.region, "cn-northwest-1");
	cr_ce_endpoint_free(&e);
	assert_int_equal(cr_ce_endpoint_init(&e, "https://vpce-1.ce.example.internal:8443/x",
					     &err), 0);
	assert_string_equal(e.region, "us-east-1");
	assert_string_equal(e.where, "vpce-1.ce.example.internal:8443");
	assert_string_equal(e.path, "/x");
	cr_ce_endpoint_free(&e);
	setenv(CR_CE_ENDPOINT_ENV, "http://127.0.0.1:9", 1);
	assert_int_equal(cr_ce_endpoint_init(&e, NULL, &err), 0);
	assert_string_equal(e.where, "127.0.0.1:9");
	cr_ce_endpoint_free(&e);
	unsetenv(CR_CE_ENDPOINT_ENV);
	assert_int_equal(cr_ce_endpoint_init(&e, "http://ce.us-east-1.amazonaws.com", &err), -1);
	assert_int_equal(err.code, CR_EXIT_USAGE);
	cr_error_clear(&err);
	assert_int_equal(cr_ce_endpoint_init(&e, "https://u:p@ce.example.com", &err), -1);
	assert_null(strstr(err.msg, "u:p"));
}

/* ---- request bodies ---------------------------------------------------------- */

static void test_bodies(void **state)
{
	cr_ce_span sp[2];
	cr_period cur, prev;
	const char *acct[] = { "048213306571" };
	const char *svc[] = { "Amazon Elastic Compute Cloud - Compute" };
	const char *ut[] = { "BoxUsage:m5.large", "BoxUsage:t3.large" };
	cr_ce_query_spec q = { .kind = CR_CEQ_LINES, .metric = CR_METRIC_UNBLENDED,
			       .accounts = acct, .n_accounts = 1 };
	char *b, *w;

	(void)state;
	cr_month_parse("2026-10", &cur.start, &cur.end);
	cur.is_month = true;
	cr_period_previous(&cur, &prev);
	assert_int_equal(cr_ce_spans(&cur, &prev, sp), 1);
	assert_int_equal(sp[0].start, prev.start);
	assert_int_equal(sp[0].end_excl, cur.end + 1);   /* End is exclusive: 2026-11-01 */
	q.span = sp[0];
	b = cr_ce_query_body(&q);
	assert_string_equal(b, "{\"TimePeriod\":{\"Start\":\"2026-09-01\",\"End\":\"2026-11-01\"},"
			    "\"Granularity\":\"MONTHLY\",\"Metrics\":[\"UnblendedCost\",\"UsageQuantity\"],"
			    "\"GroupBy\":[{\"Type\":\"DIMENSION\",\"Key\":\"SERVICE\"},"
			    "{\"Type\":\"DIMENSION\",\"Key\":\"USAGE_TYPE\"}],"
			    "\"Filter\":{\"And\":[{\"Dimensions\":{\"Key\":\"LINKED_ACCOUNT\","
			    "\"Values\":[\"048213306571\"]}},{\"Not\":{\"Dimensions\":{\"Key\":"
			    "\"RECORD_TYPE\",\"Values\":[\"Credit\",\"Refund\",\"Tax\"]}}}]}}");
	free(b);
	w = cr_ce_query_what(&q);
	assert_string_equal(w, "ranking of 048213306571, 2026-09-01..2026-10-31");
	free(w);

	q = (cr_ce_query_spec){ .kind = CR_CEQ_RECON, .span = sp[0], .metric = CR_METRIC_AMORTIZED };
	b = cr_ce_query_body(&q);
	assert_string_equal(b, "{\"TimePeriod\":{\"Start\":\"2026-09-01\",\"End\":\"2026-11-01\"},"
			    "\"Granularity\":\"MONTHLY\",\"Metrics\":[\"AmortizedCost\"],"
			    "\"GroupBy\":[{\"Type\":\"DIMENSION\",\"Key\":\"LINKED_ACCOUNT\"},"
			    "{\"Type\":\"DIMENSION\",\"Key\":\"RECORD_TYPE\"}]}");
	free(b);

	q = (cr_ce_query_spec){ .kind = CR_CEQ_DAILY, .span = { cur.start, cur.end + 1 },
				.services = svc, .n_services = 1, .usage_types = ut,
				.n_usage_types = 2 };
	b = cr_ce_query_body(&q);
	assert_non_null(strstr(b, "\"Granularity\":\"DAILY\""));
	assert_non_null(strstr(b, "{\"Dimensions\":{\"Key\":\"RECORD_TYPE\",\"Values\":[\"Usage\"]}}"));
	assert_non_null(strstr(b, "{\"Not\":{\"Dimensions\":{\"Key\":\"PURCHASE_TYPE\","
			       "\"Values\":[\"Spot Instances\"]}}}"));
	assert_non_null(strstr(b, "\"Values\":[\"BoxUsage:m5.large\",\"BoxUsage:t3.large\"]"));
	free(b);

	q = (cr_ce_query_spec){ .kind = CR_CEQ_TAGS, .span = sp[0] };
	b = cr_ce_query_body(&q);
	assert_non_null(strstr(b, "{\"Type\":\"TAG\",\"Key\":\"environment\"}"));
	free(b);

	/* a range that does not start on the 1st: two spans, never straddling */
	cr_day_parse("2026-10-05", 10, &cur.start);
	cr_day_parse("2026-10-20", 10, &cur.end);
	cur.is_month = false;
	cr_period_previous(&cur, &prev);
	assert_int_equal(cr_ce_spans(&cur, &prev, sp), 2);
	assert_int_equal(sp[0].end_excl, cur.start);
	assert_int_equal(sp[1].start, cur.start);
	assert_int_equal(sp[1].end_excl, cur.end + 1);
}

static void test_plan_count(void **state)
{
	cr_ce_plan_info p = { .accounts = 7, .daily = true, .endpoint = "https://x" };

	(void)state;
	cr_month_parse("2026-10", &p.period.start, &p.period.end);
	p.period.is_month = true;
	cr_period_previous(&p.period, &p.prev);
	assert_int_equal(cr_ce_plan_count(&p), 1 + 7 + 1 + 1);
	p.tags = true;
	assert_int_equal(cr_ce_plan_count(&p), 11);
	p.include[CR_EXCL_TAX] = true;
	assert_int_equal(cr_ce_plan_count(&p), 12);
	p.accounts = -1;
	assert_int_equal(cr_ce_plan_count(&p), -1);
	assert_int_equal(cr_ce_plan_fixed(&p), 5);
	p.n_scopes = 3;
	p.tags = false;
	p.include[CR_EXCL_TAX] = false;
	assert_int_equal(cr_ce_plan_count(&p), 3 * 4);
}

/* ---- calls against a stub ------------------------------------------------------ */

static long slept[16];
static size_t nslept;

static void record_sleep(long ms)
{
	if (nslept < 16)
		slept[nslept++] = ms;
}

struct script {
	int n;
	int status[8];
	const char *body[8];
};

static void scripted(struct stub *s, const struct stub_request *rq, struct stub_response *resp,
		     void *ctx)
{
	struct script *sc = ctx;
	int i = sc->n < 8 ? sc->n : 7;

	(void)s;
	(void)rq;
	sc->n++;
	resp->status = sc->status[i];
	cr_buf_adds(&resp->body, sc->body[i]);
}

static const char page1[] = "{\"ResultsByTime\":[],\"NextPageToken\":\"p2\"}";
static const char page2[] = "{\"ResultsByTime\":[],\"NextPageToken\":\"p3\"}";
static const char page3[] = "{\"ResultsByTime\":[]}";
static const char tok_a[] = "{\"ResultsByTime\":[],\"NextPageToken\":\"A\"}";
static const char tok_b[] = "{\"ResultsByTime\":[],\"NextPageToken\":\"B\"}";

static void test_call_retries_and_signs(void **state)
{
	struct script sc = { 0, { 400, 429, 503, 200 },
			     { "{\"__type\":\"LimitExceededException\"}", "", "", page3 } };
	struct stub s;
	cr_aws_credentials creds = { (char *)"AKIDEXAMPLE", (char *)"secret", (char *)"TOKEN", 0,
				     (char *)"test" };
	cr_ce_endpoint ep;
	cr_ce_stats st = CR_CE_STATS_INIT;
	cr_ce_client c = { .ep = &ep, .creds = &creds, .stats = &st };
	cr_buf ans = CR_BUF_INIT;
	cr_error err = { 0 };
	const struct stub_request *r;

	(void)state;
	nslept = 0;
	cr_set_sleep_hook(record_sleep);
	assert_int_equal(stub_start(&s, scripted, &sc), 0);
	assert_int_equal(cr_ce_endpoint_init(&ep, s.url, &err), 0);
	assert_int_equal(cr_ce_call(&c, "GetCostAndUsage", "{}", 2, "test", &ans, &err), 0);
	assert_string_equal(ans.ptr, page3);
	assert_int_equal(st.paid, 1);
	assert_int_equal(st.attempts, 4);
	assert_int_equal(st.retries, 3);
	assert_int_equal(nslept, 3);
	for (size_t i = 0; i < nslept; i++)
		assert_true(slept[i] >= 0 && slept[i] <= 500L << i);
	assert_int_equal(stub_count(&s), 4);
	r = &s.req[3];
	assert_string_equal(r->method, "POST");
	assert_string_equal(r->target, "/");
	assert_string_equal(cr_headers_get(&r->headers, "X-Amz-Target"),
			    "AWSInsightsIndexService.GetCostAndUsage");
	assert_string_equal(cr_headers_get(&r->headers, "Content-Type"),
			    "application/x-amz-json-1.1");
	assert_string_equal(cr_headers_get(&r->headers, "X-Amz-Security-Token"), "TOKEN");
	assert_non_null(strstr(cr_headers_get(&r->headers, "Authorization"),
			       "Credential=AKIDEXAMPLE/"));
	assert_non_null(strstr(cr_headers_get(&r->headers, "Authorization"),
			       "/us-east-1/ce/aws4_request, SignedHeaders=accept;content-type;host;"
			       "x-amz-date;x-amz-security-token;x-amz-target, Signature="));

	/* the budget refuses before sending */
	st.max_paid = 1;
	assert_int_equal(cr_ce_call(&c, "GetCostAndUsage", "{}", 2, "ranking", &ans, &err), -1);
	assert_int_equal(err.code, CR_EXIT_THRESHOLD);
	assert_non_null(strstr(err.msg, "--max-requests 1 reached before ranking"));
	assert_int_equal(stub_count(&s), 4);

	stub_stop(&s);
	cr_ce_endpoint_free(&ep);
	cr_buf_release(&ans);
	cr_set_sleep_hook(NULL);
}

static void test_call_gives_up(void **state)
{
	struct script sc = { 0, { 503, 503, 503, 503, 503, 503, 503, 503 },
			     { "", "", "", "", "", "", "", "" } };
	struct stub s;
	cr_aws_credentials creds = { (char *)"AKIDEXAMPLE", (char *)"secret", NULL, 0, NULL };
	cr_ce_endpoint ep;
	cr_ce_stats st = CR_CE_STATS_INIT;
	const cr_retry_policy pol = { 3, 10, 100, 1000 };
	cr_ce_client c = { .ep = &ep, .creds = &creds, .stats = &st, .retry = &pol };
	cr_buf ans = CR_BUF_INIT;
	cr_error err = { 0 };

	(void)state;
	nslept = 0;
	cr_set_sleep_hook(record_sleep);
	assert_int_equal(stub_start(&s, scripted, &sc), 0);
	assert_int_equal(cr_ce_endpoint_init(&ep, s.url, &err), 0);
	assert_int_equal(cr_ce_call(&c, "GetCostAndUsage", "{}", 2, "recon", &ans, &err), -1);
	assert_int_equal(err.code, CR_EXIT_REMOTE);
	assert_non_null(strstr(err.msg, "HTTP 503 from 127.0.0.1:"));
	assert_non_null(strstr(err.msg, "3 attempts"));
	assert_int_equal(st.paid, 0);
	assert_int_equal(st.attempts, 3);
	stub_stop(&s);
	cr_ce_endpoint_free(&ep);
	cr_buf_release(&ans);
	cr_set_sleep_hook(NULL);
}

static void test_fetch_follows_every_page(void **state)
{
	struct script sc = { 0, { 200, 200, 200 }, { page1, page2, page3 } };
	struct script loop = { 0, { 200, 200, 200 }, { page1, page1, page1 } };
	struct script cycle = { 0, { 200, 200, 200, 200, 200 }, { tok_a, tok_b, tok_a, tok_b, tok_a } };
	struct stub s;
	cr_aws_credentials creds = { (char *)"AKIDEXAMPLE", (char *)"secret", NULL, 0, NULL };
	cr_ce_endpoint ep;
	cr_ce_stats st = CR_CE_STATS_INIT;
	cr_ce_client c = { .ep = &ep, .creds = &creds, .stats = &st };
	cr_ce_pages pages = CR_CE_PAGES_INIT;
	cr_error err = { 0 };

	(void)state;
	assert_int_equal(stub_start(&s, scripted, &sc), 0);
	assert_int_equal(cr_ce_endpoint_init(&ep, s.url, &err), 0);
	assert_int_equal(cr_ce_fetch(&c, "GetCostAndUsage", "{\"Granularity\":\"MONTHLY\"}", "q",
				     cr_ce_pages_collect, &pages, &err), 0);
	assert_int_equal(pages.n, 3);
	assert_int_equal(st.paid, 3);
	assert_string_equal(s.req[0].body, "{\"Granularity\":\"MONTHLY\"}");
	assert_string_equal(s.req[1].body, "{\"Granularity\":\"MONTHLY\",\"NextPageToken\":\"p2\"}");
	assert_string_equal(s.req[2].body, "{\"Granularity\":\"MONTHLY\",\"NextPageToken\":\"p3\"}");
	cr_ce_pages_free(&pages);
	stub_stop(&s);
	cr_ce_endpoint_free(&ep);

	/* the same token twice is an error, not an endless loop */
	assert_int_equal(stub_start(&s, scripted, &loop), 0);
	assert_int_equal(cr_ce_endpoint_init(&ep, s.url, &err), 0);
	assert_int_equal(cr_ce_fetch(&c, "GetCostAndUsage", "{}", "q", cr_ce_pages_collect, &pages,
				     &err), -1);
	assert_non_null(strstr(err.msg, "NextPageToken 'p2' of page 2 again"));
	assert_int_equal(pages.n, 2);
	cr_ce_pages_free(&pages);
	stub_stop(&s);
	cr_ce_endpoint_free(&ep);

	/* tokens that come back after others (A, B, A): a cycle, after 3 pages */
	st = (cr_ce_stats)CR_CE_STATS_INIT;
	assert_int_equal(stub_start(&s, scripted, &cycle), 0);
	assert_int_equal(cr_ce_endpoint_init(&ep, s.url, &err), 0);
	cr_error_clear(&err);
	assert_int_equal(cr_ce_fetch(&c, "GetCostAndUsage", "{}", "q", cr_ce_pages_collect, &pages,
				     &err), -1);
	assert_int_equal(err.code, CR_EXIT_REMOTE);
	assert_non_null(strstr(err.msg, "q, page 3: Cost Explorer sent the NextPageToken 'A' of "
			       "page 2 again"));
	assert_int_equal(pages.n, 3);
	assert_int_equal(st.paid, 3);
	cr_ce_pages_free(&pages);
	stub_stop(&s);
	cr_ce_endpoint_free(&ep);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_answer),
		cmocka_unit_test(test_parse_total_and_empty),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_error_codes),
		cmocka_unit_test(test_error_messages),
		cmocka_unit_test(test_error_redacts_secrets),
		cmocka_unit_test(test_endpoints),
		cmocka_unit_test(test_bodies),
		cmocka_unit_test(test_plan_count),
		cmocka_unit_test(test_call_retries_and_signs),
		cmocka_unit_test(test_call_gives_up),
		cmocka_unit_test(test_fetch_follows_every_page),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
