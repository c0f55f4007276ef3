/*
 * test_http.c - the HTTP wrapper (http.h): the plain-http-to-loopback rule,
 * URL redaction, the retry decision function, and real transfers against a
 * loopback stub server (headers, bodies, the size cap, refused connections,
 * retries through the sleep hook).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "costrank/buf.h"
#include "costrank/error.h"
#include "costrank/headers.h"
#include "costrank/http.h"

#include "http_stub.h"

/* ---- URL rules ------------------------------------------------------------- */

static void test_loopback_hosts(void **state)
{
	static const char *const yes[] = {
		"127.0.0.1", "127.255.255.254", "127.1.2.3", "localhost", "LocalHost", "[::1]",
		"::1", "[::ffff:127.0.0.1]",
	};
	static const char *const no[] = {
		"128.0.0.1", "10.0.0.1", "0.0.0.0", "169.254.170.2", "localhost.evil.com",
		"127.0.0.1.nip.io", "[::2]", "[::]", "example.com", "", "[fd00:ec2::23]",
	};

	(void)state;
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		if (!cr_http_host_is_loopback(yes[i]))
			fail_msg("%s should be loopback", yes[i]);
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		if (cr_http_host_is_loopback(no[i]))
			fail_msg("%s should not be loopback", no[i]);
	assert_false(cr_http_host_is_loopback(NULL));
}

static void test_url_rules(void **state)
{
	static const struct {
		const char *url;
		unsigned flags;
		int want;       /* 0 ok, else the error code */
	} cases[] = {
		{ "https://ce.us-east-1.amazonaws.com/", 0, 0 },
		{ "https://hooks.slack.com/services/T/B/X", 0, 0 },
		{ "HTTPS://sts.amazonaws.com", 0, 0 },
		{ "http://127.0.0.1:8080/x", 0, 0 },
		{ "http://127.9.9.9/", 0, 0 },
		{ "http://localhost:1/", 0, 0 },
		{ "http://[::1]:9/", 0, 0 },
		{ "http://example.com/", 0, CR_EXIT_USAGE },
		{ "http://127.0.0.1.example.com/", 0, CR_EXIT_USAGE },
		{ "http://10.0.0.1/", 0, CR_EXIT_USAGE },
		{ "http://169.254.170.2/v2/credentials/x", 0, CR_EXIT_USAGE },
		{ "http://169.254.170.2/v2/credentials/x", CR_HTTP_ALLOW_CONTAINER_HTTP, 0 },
		{ "http://169.254.170.23/v1/credentials", CR_HTTP_ALLOW_CONTAINER_HTTP, 0 },
		{ "http://[fd00:ec2::23]/v1/credentials", CR_HTTP_ALLOW_CONTAINER_HTTP, 0 },
		{ "http://169.254.169.254/latest/", CR_HTTP_ALLOW_CONTAINER_HTTP, CR_EXIT_USAGE },
		{ "http://169.254.169.254/latest/", 0, CR_EXIT_USAGE },
		{ "http://169.254.169.254/latest/", CR_HTTP_ALLOW_IMDS_HTTP, 0 },
		{ "http://[fd00:ec2::254]/latest/", CR_HTTP_ALLOW_IMDS_HTTP, 0 },
		{ "http://169.254.170.2/v2/credentials/x", CR_HTTP_ALLOW_IMDS_HTTP, CR_EXIT_USAGE },
		{ "http://169.254.169.253/latest/", CR_HTTP_ALLOW_IMDS_HTTP, CR_EXIT_USAGE },
		{ "http://[fd00:ec2::23]/v1/credentials", CR_HTTP_ALLOW_IMDS_HTTP, CR_EXIT_USAGE },
		{ "ftp://example.com/x", 0, CR_EXIT_USAGE },
		{ "file:///etc/passwd", 0, CR_EXIT_USAGE },
		{ "not a url", 0, CR_EXIT_USAGE },
		{ "", 0, CR_EXIT_USAGE },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cr_error err;
		int rc;

		cr_error_clear(&err);
		rc = cr_http_check_url(cases[i].url, cases[i].flags, &err);
		if (cases[i].want == 0 && rc != 0)
			fail_msg("%s refused: %s", cases[i].url, err.msg);
		if (cases[i].want != 0 && (rc != -1 || err.code != cases[i].want))
			fail_msg("%s: rc %d code %d, want code %d", cases[i].url, rc, err.code,
				 cases[i].want);
	}
}

static void test_messages_hide_path_and_query(void **state)
{
	cr_error err;

	(void)state;
	cr_error_clear(&err);
	assert_int_equal(cr_http_check_url("http://user:pw@hooks.example.com:8080/services/T0/"
					   "B0/SECRETPATH?token=SECRETQUERY#frag", 0, &err),
			 -1);
	assert_non_null(strstr(err.msg, "http://hooks.example.com:8080"));
	assert_null(strstr(err.msg, "SECRET"));
	assert_null(strstr(err.msg, "pw"));
	assert_null(strstr(err.msg, "user"));
	assert_null(strstr(err.msg, "services"));

	cr_error_clear(&err);
	assert_int_equal(cr_http_check_url("not a url/SECRETPATH?SECRETQUERY", 0, &err), -1);
	assert_null(strstr(err.msg, "SECRET"));
}

static void test_redact(void **state)
{
	static const struct {
		const char *url, *want;
	} cases[] = {
		{ "https://hooks.slack.com/services/T000/B000/XXXX", "https://hooks.slack.com" },
		{ "https://user:pass@chat.googleapis.com:8443/v1/spaces/S/messages?key=K&token=T#x",
		  "https://chat.googleapis.com:8443" },
		{ "HTTP://LOCALHOST:8080/a?b", "http://LOCALHOST:8080" }, /* host case kept */
		{ "http://[::1]:9/x", "http://[::1]:9" },
		{ "https://sts.amazonaws.com", "https://sts.amazonaws.com" },
		{ "garbage", "(invalid URL)" },
		{ "", "(invalid URL)" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char *r = cr_url_redact(cases[i].url);

		assert_string_equal(r, cases[i].want);
		free(r);
	}
	{
		char *r = cr_url_redact(NULL);

		assert_string_equal(r, "(invalid URL)");
		free(r);
	}
}

static void test_url_parse(void **state)
{
	cr_url u;
	cr_error err;
	char *h;

	(void)state;
	cr_error_clear(&err);
	assert_int_equal(cr_url_parse("https://sts.eu-west-1.amazonaws.com", &u, &err), 0);
	assert_string_equal(u.scheme, "https");
	assert_string_equal(u.host, "sts.eu-west-1.amazonaws.com");
	assert_null(u.port);
	assert_string_equal(u.path, "/");
	assert_null(u.query);
	h = cr_url_host_field(&u);
	assert_string_equal(h, "sts.eu-west-1.amazonaws.com");
	free(h);
	cr_url_free(&u);

	assert_int_equal(cr_url_parse("https://h:443/p?q=1", &u, &err), 0);
	h = cr_url_host_field(&u);
	assert_string_equal(h, "h");
	assert_string_equal(u.path, "/p");
	assert_string_equal(u.query, "q=1");
	free(h);
	cr_url_free(&u);

	assert_int_equal(cr_url_parse("http://127.0.0.1:8080", &u, &err), 0);
	h = cr_url_host_field(&u);
	assert_string_equal(h, "127.0.0.1:8080");
	free(h);
	cr_url_free(&u);

	assert_int_equal(cr_url_parse("nope", &u, &err), -1);
	assert_int_equal(err.code, CR_EXIT_USAGE);
}

/* ---- retry decisions ------------------------------------------------------------ */

static void test_status_retryable(void **state)
{
	static const long yes[] = { 408, 429, 500, 502, 503, 504 };
	static const long no[] = { 0, 200, 204, 301, 400, 401, 403, 404, 409, 501, 505 };

	(void)state;
	for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++)
		assert_true(cr_http_status_retryable(yes[i]));
	for (size_t i = 0; i < sizeof no / sizeof no[0]; i++)
		assert_false(cr_http_status_retryable(no[i]));
}

static void test_retry_delay(void **state)
{
	const cr_retry_policy p = { 4, 500, 20000, 120000 };
	const cr_retry_policy small = { 100, 500, 2000, 10000 };

	(void)state;
	/* Not retryable, or out of attempts. */
	assert_int_equal(cr_retry_delay_ms(&p, 1, false, NULL, 7), -1);
	assert_int_equal(cr_retry_delay_ms(&p, 4, true, NULL, 7), -1);
	assert_int_equal(cr_retry_delay_ms(&p, 9, true, "1", 7), -1);
	assert_int_equal(cr_retry_delay_ms(&p, 0, true, NULL, 7), -1);

	/* Full jitter: rnd modulo (window + 1), the window doubling. */
	assert_int_equal(cr_retry_delay_ms(&p, 1, true, NULL, 0), 0);
	assert_int_equal(cr_retry_delay_ms(&p, 1, true, NULL, 500), 500);
	assert_int_equal(cr_retry_delay_ms(&p, 1, true, NULL, 501), 0);
	assert_int_equal(cr_retry_delay_ms(&p, 2, true, NULL, 1000), 1000);
	assert_int_equal(cr_retry_delay_ms(&p, 3, true, NULL, 2000), 2000);
	assert_int_equal(cr_retry_delay_ms(&p, 3, true, NULL, 2001), 0);
	for (uint32_t r = 0; r < 100000; r += 997) {
		long d = cr_retry_delay_ms(&p, 2, true, NULL, r * 7919u);

		assert_true(d >= 0 && d <= 1000);
	}
	/* The cap holds, and large attempt counts do not overflow. */
	assert_int_equal(cr_retry_delay_ms(&small, 3, true, NULL, 2000), 2000);
	assert_int_equal(cr_retry_delay_ms(&small, 4, true, NULL, 2000), 2000);
	assert_int_equal(cr_retry_delay_ms(&small, 4, true, NULL, 2001), 0);
	assert_int_equal(cr_retry_delay_ms(&small, 99, true, NULL, UINT32_MAX),
			 (long)(UINT32_MAX % 2001u));

	/* Retry-After in seconds is honoured exactly. */
	assert_int_equal(cr_retry_delay_ms(&p, 1, true, "3", 12345), 3000);
	assert_int_equal(cr_retry_delay_ms(&p, 1, true, " 7 ", 12345), 7000);
	assert_int_equal(cr_retry_delay_ms(&p, 1, true, "0", 12345), 0);
	assert_int_equal(cr_retry_delay_ms(&p, 3, true, "120", 12345), 120000);
	/* Longer than we are willing to wait: give up. */
	assert_int_equal(cr_retry_delay_ms(&p, 1, true, "121", 12345), -1);
	assert_int_equal(cr_retry_delay_ms(&p, 1, true, "99999999999999999999999999", 1), -1);
	/* Not seconds: the backoff applies. */
	assert_int_equal(cr_retry_delay_ms(&p, 1, true, "Wed, 21 Oct 2015 07:28:00 GMT", 400),
			 400);
	assert_int_equal(cr_retry_delay_ms(&p, 1, true, "-1", 400), 400);
	assert_int_equal(cr_retry_delay_ms(&p, 1, true, "", 400), 400);
	assert_int_equal(cr_retry_delay_ms(&p, 1, true, "1.5", 400), 400);
	/* Retry-After does not extend the attempt budget. */
	assert_int_equal(cr_retry_delay_ms(&p, 4, true, "1", 400), -1);
}

/* ---- transfers ------------------------------------------------------------------- */

static long slept[16];
static size_t nslept;

static void record_sleep(long ms)
{
	if (nslept < 16)
		slept[nslept++] = ms;
}

struct script {
	int status[8];
	const char *retry_after[8];
	size_t n;
	size_t body_size;
};

static void scripted(struct stub *s, const struct stub_request *rq, struct stub_response *resp,
		     void *ctx)
{
	struct script *sc = ctx;
	size_t i = s->nreq < sc->n ? s->nreq : sc->n - 1;

	resp->status = sc->status[i];
	if (sc->retry_after[i])
		cr_headers_add(&resp->headers, "Retry-After", sc->retry_after[i]);
	cr_headers_add(&resp->headers, "X-Echo-Method", rq->method);
	cr_headers_add(&resp->headers, "x-amzn-RequestId", "req-1");
	if (sc->body_size) {
		for (size_t k = 0; k < sc->body_size; k++)
			cr_buf_addc(&resp->body, (char)('a' + k % 26));
	} else {
		cr_buf_addf(&resp->body, "you sent %zu bytes to %s", rq->body_len, rq->target);
	}
}

static void test_get_and_post(void **state)
{
	struct script sc = { .status = { 200 }, .n = 1 };
	struct stub s;
	cr_headers h = CR_HEADERS_INIT;
	cr_http_response resp = CR_HTTP_RESPONSE_INIT;
	cr_error err;
	char url[256];

	(void)state;
	assert_int_equal(stub_start(&s, scripted, &sc), 0);
	snprintf(url, sizeof url, "%s/path/x?q=1&r=%%20", s.url);
	cr_headers_add(&h, "X-Amz-Target", "AWSInsightsIndexService.GetCostAndUsage");
	cr_headers_add(&h, "Content-Type", "application/x-amz-json-1.1");
	cr_headers_add(&h, "X-Empty", "");
	cr_error_clear(&err);
	cr_http_request rq = {
		.method = "POST", .url = url, .headers = &h, .body = "{\"a\":1}", .body_len = 7,
	};
	assert_int_equal(cr_http_perform(&rq, &resp, &err), 0);
	assert_int_equal(resp.status, 200);
	assert_string_equal(resp.body.ptr, "you sent 7 bytes to /path/x?q=1&r=%20");
	assert_string_equal(cr_headers_get(&resp.headers, "x-echo-method"), "POST");
	assert_string_equal(cr_headers_get(&resp.headers, "X-Amzn-RequestId"), "req-1");
	assert_int_equal(resp.transport_error, 0);
	assert_int_equal(stub_count(&s), 1);
	assert_string_equal(s.req[0].method, "POST");
	assert_string_equal(s.req[0].body, "{\"a\":1}");
	assert_string_equal(cr_headers_get(&s.req[0].headers, "x-amz-target"),
			    "AWSInsightsIndexService.GetCostAndUsage");
	assert_string_equal(cr_headers_get(&s.req[0].headers, "content-type"),
			    "application/x-amz-json-1.1");
	assert_non_null(cr_headers_get(&s.req[0].headers, "x-empty"));
	assert_null(cr_headers_get(&s.req[0].headers, "expect"));
	assert_non_null(strstr(cr_headers_get(&s.req[0].headers, "user-agent"), "costrank/"));

	rq.method = "GET";
	rq.body = NULL;
	rq.body_len = 0;
	assert_int_equal(cr_http_perform(&rq, &resp, &err), 0);
	assert_int_equal(resp.status, 200);
	assert_string_equal(s.req[1].method, "GET");
	assert_string_equal(resp.body.ptr, "you sent 0 bytes to /path/x?q=1&r=%20");

	cr_http_response_free(&resp);
	cr_headers_free(&h);
	stub_stop(&s);
}

static void test_non_2xx_is_a_response(void **state)
{
	struct script sc = { .status = { 403 }, .n = 1 };
	struct stub s;
	cr_http_response resp = CR_HTTP_RESPONSE_INIT;
	cr_error err;

	(void)state;
	assert_int_equal(stub_start(&s, scripted, &sc), 0);
	cr_error_clear(&err);
	cr_http_request rq = { .method = "GET", .url = s.url };
	assert_int_equal(cr_http_perform(&rq, &resp, &err), 0);
	assert_int_equal(resp.status, 403);
	assert_int_equal(err.code, 0);
	cr_http_response_free(&resp);
	stub_stop(&s);
}

static void test_size_cap(void **state)
{
	struct script sc = { .status = { 200 }, .n = 1, .body_size = 5000 };
	struct stub s;
	cr_http_response resp = CR_HTTP_RESPONSE_INIT;
	cr_error err;
	char url[256];

	(void)state;
	assert_int_equal(stub_start(&s, scripted, &sc), 0);
	snprintf(url, sizeof url, "%s/big?token=SECRET", s.url);
	cr_error_clear(&err);
	cr_http_request rq = { .method = "GET", .url = url, .max_response = 1000 };
	assert_int_equal(cr_http_perform(&rq, &resp, &err), -1);
	assert_int_equal(err.code, CR_EXIT_REMOTE);
	assert_non_null(strstr(err.msg, "larger than 1000 bytes"));
	assert_non_null(strstr(err.msg, s.url));
	assert_null(strstr(err.msg, "SECRET"));
	assert_false(resp.retryable);

	rq.max_response = 5000;
	cr_error_clear(&err);
	assert_int_equal(cr_http_perform(&rq, &resp, &err), 0);
	assert_int_equal(resp.body.len, 5000);
	cr_http_response_free(&resp);
	stub_stop(&s);
}

static void test_refused_connection(void **state)
{
	cr_http_response resp = CR_HTTP_RESPONSE_INIT;
	cr_error err;
	char url[256], where[64];
	int port = stub_closed_port();

	(void)state;
	snprintf(url, sizeof url, "http://127.0.0.1:%d/hooks/SECRETPATH?token=SECRETQUERY", port);
	snprintf(where, sizeof where, "POST http://127.0.0.1:%d: ", port);
	cr_error_clear(&err);
	cr_http_request rq = { .method = "POST", .url = url, .body = "x", .body_len = 1,
			       .connect_timeout_ms = 2000, .timeout_ms = 3000 };
	assert_int_equal(cr_http_perform(&rq, &resp, &err), -1);
	assert_int_equal(err.code, CR_EXIT_REMOTE);
	assert_true(resp.retryable);
	assert_int_not_equal(resp.transport_error, 0);
	assert_int_equal(resp.status, 0);
	assert_int_equal(strncmp(err.msg, where, strlen(where)), 0);
	assert_null(strstr(err.msg, "SECRET"));
	assert_null(strstr(err.msg, "hooks"));

	/* A refused URL never reaches the network. */
	cr_error_clear(&err);
	rq.url = "http://hooks.example.com/SECRETPATH";
	assert_int_equal(cr_http_perform(&rq, &resp, &err), -1);
	assert_int_equal(err.code, CR_EXIT_USAGE);
	assert_false(resp.retryable);
	assert_null(strstr(err.msg, "SECRET"));
	cr_http_response_free(&resp);
}

static void test_retry_through_hook(void **state)
{
	struct script sc = { .status = { 503, 500, 200 }, .retry_after = { "2" }, .n = 3 };
	const cr_retry_policy p = { 4, 100, 1000, 5000 };
	struct stub s;
	cr_http_response resp = CR_HTTP_RESPONSE_INIT;
	cr_error err;

	(void)state;
	nslept = 0;
	cr_set_sleep_hook(record_sleep);
	assert_int_equal(stub_start(&s, scripted, &sc), 0);
	cr_error_clear(&err);
	cr_http_request rq = { .method = "POST", .url = s.url, .body = "{}", .body_len = 2 };
	assert_int_equal(cr_http_perform_retry(&rq, &p, NULL, NULL, &resp, &err), 0);
	assert_int_equal(resp.status, 200);
	assert_int_equal(stub_count(&s), 3);
	assert_true(nslept >= 1);
	assert_int_equal(slept[0], 2000);           /* Retry-After: 2 */
	assert_true(nslept < 2 || (slept[1] >= 0 && slept[1] <= 200));
	stub_stop(&s);

	/* Always 503: gives up after max_attempts and returns the response. */
	sc = (struct script){ .status = { 503 }, .n = 1 };
	nslept = 0;
	assert_int_equal(stub_start(&s, scripted, &sc), 0);
	rq.url = s.url;
	assert_int_equal(cr_http_perform_retry(&rq, &p, NULL, NULL, &resp, &err), 0);
	assert_int_equal(resp.status, 503);
	assert_int_equal(stub_count(&s), 4);
	stub_stop(&s);

	/* Not retryable per the classifier: one attempt. */
	sc = (struct script){ .status = { 400 }, .n = 1 };
	assert_int_equal(stub_start(&s, scripted, &sc), 0);
	rq.url = s.url;
	assert_int_equal(cr_http_perform_retry(&rq, &p, NULL, NULL, &resp, &err), 0);
	assert_int_equal(resp.status, 400);
	assert_int_equal(stub_count(&s), 1);
	stub_stop(&s);

	/* A dropped connection is retried. */
	sc = (struct script){ .status = { 0, 200 }, .n = 2 };
	assert_int_equal(stub_start(&s, scripted, &sc), 0);
	rq.url = s.url;
	assert_int_equal(cr_http_perform_retry(&rq, &p, NULL, NULL, &resp, &err), 0);
	assert_int_equal(resp.status, 200);
	assert_int_equal(stub_count(&s), 2);
	stub_stop(&s);

	cr_http_response_free(&resp);
	cr_set_sleep_hook(NULL);
}

static void test_retry_transport_gives_up(void **state)
{
	const cr_retry_policy p = { 3, 10, 100, 1000 };
	cr_http_response resp = CR_HTTP_RESPONSE_INIT;
	cr_error err;
	char url[128];

	(void)state;
	nslept = 0;
	cr_set_sleep_hook(record_sleep);
	snprintf(url, sizeof url, "http://127.0.0.1:%d/", stub_closed_port());
	cr_error_clear(&err);
	cr_http_request rq = { .method = "GET", .url = url, .connect_timeout_ms = 2000 };
	assert_int_equal(cr_http_perform_retry(&rq, &p, NULL, NULL, &resp, &err), -1);
	assert_int_equal(err.code, CR_EXIT_REMOTE);
	assert_int_equal(nslept, 2);
	cr_http_response_free(&resp);
	cr_set_sleep_hook(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loopback_hosts),
		cmocka_unit_test(test_url_rules),
		cmocka_unit_test(test_messages_hide_path_and_query),
		cmocka_unit_test(test_redact),
		cmocka_unit_test(test_url_parse),
		cmocka_unit_test(test_status_retryable),
		cmocka_unit_test(test_retry_delay),
		cmocka_unit_test(test_get_and_post),
		cmocka_unit_test(test_non_2xx_is_a_response),
		cmocka_unit_test(test_size_cap),
		cmocka_unit_test(test_refused_connection),
		cmocka_unit_test(test_retry_through_hook),
		cmocka_unit_test(test_retry_transport_gives_up),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
