/* post.c - sending chat and webhook payloads (see costrank/notify.h) */
#include "costrank/notify.h"

#include <ctype.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "costrank/buf.h"
#include "costrank/headers.h"
#include "costrank/sigv4.h"

#define MAX_ANSWER (1u << 20)
#define ANSWER_TEXT_MAX 200

/* Whether the service took the message. */
static bool accepted(enum cr_notify_kind kind, const cr_http_response *resp)
{
	long s = resp->status;
	const char *b = resp->body.ptr ? resp->body.ptr : "";
	size_t n = resp->body.len;

	switch (kind) {
	case CR_NOTIFY_SLACK:
		while (n && isspace((unsigned char)b[n - 1]))
			n--;
		return s == 200 && n == 2 && memcmp(b, "ok", 2) == 0;
	case CR_NOTIFY_TEAMS:
		return s == 200 || s == 202;
	case CR_NOTIFY_GCHAT:
		return s == 200;
	case CR_NOTIFY_WEBHOOK:
		return s >= 200 && s < 300;
	}
	return false;
}

/* Replaces every occurrence of needle (when it is long enough to be a
 * secret) in b with "…". */
static void scrub_one(cr_buf *b, const char *needle)
{
	size_t n = needle ? strlen(needle) : 0;
	cr_buf out = CR_BUF_INIT;
	const char *p, *hit;

	if (n < 6 || !b->ptr)
		return;
	for (p = b->ptr; (hit = strstr(p, needle)); p = hit + n) {
		cr_buf_add(&out, p, (size_t)(hit - p));
		cr_buf_adds(&out, "\xE2\x80\xA6");
	}
	if (p == b->ptr)
		return;
	cr_buf_adds(&out, p);
	cr_buf_reset(b);
	cr_buf_add(b, out.ptr, out.len);
	cr_buf_release(&out);
}

/* needle decoded as a receiver may echo it: %XX as its byte, and with
 * plus '+' as a space first (a form-encoded query). */
static void decode(cr_buf *out, const char *needle, bool plus)
{
	char *copy = cr_xstrdup(needle);

	for (char *p = copy; plus && *p; p++)
		if (*p == '+')
			*p = ' ';
	cr_buf_reset(out);
	cr_uri_decode(out, copy, strlen(copy));
	cr_wipe(copy, strlen(copy));
	free(copy);
}

/* scrub_one for needle as sent and as decoded: a receiver may echo
 * "token=abc%3D" as "token=abc=". */
static void scrub_forms(cr_buf *b, const char *needle)
{
	cr_buf d = CR_BUF_INIT;

	scrub_one(b, needle);
	if (!needle)
		return;
	for (int plus = 0; plus < 2; plus++) {
		decode(&d, needle, plus);
		if (strcmp(d.ptr, needle) != 0)
			scrub_one(b, d.ptr);
	}
	cr_wipe(d.ptr, d.len);
	cr_buf_release(&d);
}

/* Removes from b anything of url that may be secret, as sent and as
 * decoded: the URL itself, its path and query, and each path segment and
 * query value. */
static void scrub(cr_buf *b, const char *url)
{
	cr_url u;

	scrub_forms(b, url);
	if (cr_url_parse(url, &u, NULL) < 0)
		return;
	scrub_forms(b, u.path);
	scrub_forms(b, u.query);
	scrub_forms(b, u.user);
	for (int pass = 0; pass < 2; pass++) {
		const char *s = pass ? u.query : u.path;
		char *copy, *save = NULL;

		if (!s)
			continue;
		copy = cr_xstrdup(s);
		for (char *t = strtok_r(copy, pass ? "&=" : "/", &save); t;
		     t = strtok_r(NULL, pass ? "&=" : "/", &save))
			scrub_forms(b, t);
		cr_wipe(copy, strlen(copy));
		free(copy);
	}
	cr_url_free(&u);
}

/* The service's error text: Slack answers with a word ("invalid_blocks"),
 * Google Chat and Teams with JSON ({"error": {"message": ...}}), others
 * with anything.  Cleaned to printable text, cut, and scrubbed of the
 * URL. */
static void answer_text(const cr_http_response *resp, const char *url, cr_buf *out)
{
	const char *text = NULL;
	json_t *root = NULL;
	cr_buf raw = CR_BUF_INIT;
	size_t shown = 0;

	if (resp->body.len) {
		root = json_loadb(resp->body.ptr, resp->body.len, 0, NULL);
		if (json_is_object(root)) {
			json_t *e = json_object_get(root, "error");
			json_t *m = json_is_object(e) ? json_object_get(e, "message")
						      : json_object_get(root, "message");

			if (json_is_string(m))
				text = json_string_value(m);
			else if (json_is_string(e))
				text = json_string_value(e);
		}
		if (text)
			cr_buf_adds(&raw, text);
		else
			cr_buf_add(&raw, resp->body.ptr, resp->body.len);
	}
	cr_buf_add(&raw, "", 0);
	scrub(&raw, url);
	cr_buf_add(out, "", 0);
	for (const char *p = raw.ptr; *p && shown < ANSWER_TEXT_MAX; p++) {
		unsigned char ch = (unsigned char)*p;

		if (ch == '\n' || ch == '\r' || ch == '\t') {
			if (out->len && out->ptr[out->len - 1] != ' ')
				cr_buf_addc(out, ' ');
		} else if (ch < 0x20 || ch == 0x7F) {
			cr_buf_addc(out, '?');
		} else {
			cr_buf_addc(out, (char)ch);
		}
		if ((ch & 0xC0) != 0x80)
			shown++;
	}
	/* never end inside a UTF-8 sequence */
	while (out->len && ((unsigned char)out->ptr[out->len - 1] & 0xC0) == 0x80)
		out->len--;
	if (out->len && (unsigned char)out->ptr[out->len - 1] >= 0xC0)
		out->len--;
	while (out->len && out->ptr[out->len - 1] == ' ')
		out->len--;
	out->ptr[out->len] = '\0';
	json_decref(root);
	cr_buf_release(&raw);
}

/* Whole seconds in a Retry-After field; -1 for an HTTP-date or junk. */
static long long retry_after_secs(const char *s)
{
	long long v = 0;
	bool any = false;

	if (!s)
		return -1;
	while (*s == ' ' || *s == '\t')
		s++;
	for (; *s >= '0' && *s <= '9'; s++) {
		if (v > 1000000000LL)
			return v;
		v = v * 10 + (*s - '0');
		any = true;
	}
	while (*s == ' ' || *s == '\t')
		s++;
	return any && !*s ? v : -1;
}

/* "(message 2 of 3; 1 posted)" */
static void progress(cr_buf *b, size_t i, size_t n)
{
	if (n > 1)
		cr_buf_addf(b, " (message %zu of %zu; %zu posted before it)", i + 1, n, i);
}

int cr_notify_post(enum cr_notify_kind kind, const char *url, const cr_notify_payloads *p,
		   const cr_notify_post_opts *o, cr_notify_result *res, cr_error *err)
{
	static const cr_retry_policy def = CR_NOTIFY_RETRY_POLICY;
	const cr_retry_policy *pol = o && o->retry ? o->retry : &def;
	long interval = o && o->interval_ms >= 0 ? o->interval_ms : CR_NOTIFY_INTERVAL_MS;
	cr_notify_result local = { 0, 0, 0 };
	cr_headers h = CR_HEADERS_INIT;
	cr_http_response resp = CR_HTTP_RESPONSE_INIT;
	const char *who = cr_notify_kind_title(kind);
	char *where;
	int rc = 0;

	if (!res)
		res = &local;
	memset(res, 0, sizeof *res);
	if (cr_http_check_url(url, 0, err) < 0)
		return -1;
	where = cr_url_redact(url);
	cr_headers_add(&h, "Content-Type", "application/json; charset=utf-8");
	cr_headers_add(&h, "Accept", "application/json, text/plain, */*");

	for (size_t i = 0; i < p->n && !rc; i++) {
		cr_http_request rq = {
			.method = "POST", .url = url, .headers = &h, .body = p->v[i],
			.body_len = p->len[i], .timeout_ms = o && o->timeout_ms > 0 ? o->timeout_ms
									    : CR_NOTIFY_TIMEOUT_MS,
			.max_response = MAX_ANSWER,
		};

		if (i > 0 && interval > 0)
			cr_sleep_ms(interval);
		for (unsigned attempt = 1;; attempt++) {
			cr_error e;
			const char *ra = NULL;
			long long secs;
			long delay;
			bool retry;
			int prc;

			cr_error_clear(&e);
			prc = cr_http_perform(&rq, &resp, &e);
			res->status = resp.status;
			if (prc == 0 && accepted(kind, &resp)) {
				res->sent++;
				break;
			}
			if (prc < 0 && e.code == CR_EXIT_USAGE) {
				rc = cr_error_set(err, CR_EXIT_USAGE, "%s", e.msg);
				break;
			}
			if (prc < 0) {
				retry = resp.retryable;
			} else {
				retry = cr_http_status_retryable(resp.status);
				if (resp.status == 429 || resp.status == 503)
					ra = cr_headers_get(&resp.headers, "retry-after");
			}
			secs = retry_after_secs(ra);
			if (retry && secs > pol->max_retry_after_ms / 1000) {
				cr_buf m = CR_BUF_INIT;

				cr_buf_addf(&m, "posting to %s (%s) failed: HTTP %ld and a Retry-After of "
					    "%lld s, longer than costrank waits (%ld s)", who, where,
					    resp.status, secs, pol->max_retry_after_ms / 1000);
				progress(&m, i, p->n);
				rc = cr_error_set(err, CR_EXIT_NOTIFY, "%s", m.ptr);
				cr_buf_release(&m);
				break;
			}
			delay = cr_retry_delay_ms(pol, attempt, retry, ra, cr_retry_random());
			if (delay < 0) {
				cr_buf m = CR_BUF_INIT, t = CR_BUF_INIT;

				cr_buf_addf(&m, "posting to %s failed: ", who);
				if (prc < 0) {
					cr_buf_adds(&m, e.msg);
				} else {
					answer_text(&resp, url, &t);
					cr_buf_addf(&m, "%s answered HTTP %ld", where, resp.status);
					if (t.len)
						cr_buf_addf(&m, " %s", t.ptr);
					else if (resp.status >= 200 && resp.status < 300)
						cr_buf_adds(&m, " without the expected answer");
				}
				if (attempt > 1)
					cr_buf_addf(&m, " after %u attempts", attempt);
				progress(&m, i, p->n);
				rc = cr_error_set(err, CR_EXIT_NOTIFY, "%s", m.ptr);
				cr_buf_release(&m);
				cr_buf_release(&t);
				break;
			}
			res->retries++;
			cr_sleep_ms(delay);
		}
	}
	cr_http_response_free(&resp);
	cr_headers_free(&h);
	free(where);
	return rc;
}
