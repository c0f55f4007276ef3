/*
 * fuzz_ce_json.c - Cost Explorer answers as a hostile endpoint, proxy or
 * cut connection might deliver them: cr_ce_parse on a 200 body, and
 * cr_ce_error / cr_ce_error_code on an error body.
 *
 * The first byte chooses the HTTP status of the error path and whether the
 * sink stops the parse at some cell; the rest is the body.
 *
 * Invariants: a parse error is CR_EXIT_REMOTE, one line, naming the
 * endpoint; cells have a period that ends after it starts, at most two
 * keys and named metrics that cr_ce_cell_metric finds again; a stop
 * requested by the sink is returned as is.  An error message starts with
 * the HTTP status, names the endpoint and never shows any part (12
 * characters or more) of the credentials passed as secrets when the body
 * holds them, wherever it puts them; no message holds a control character;
 * error codes hold only [A-Za-z0-9_.-?].
 */
#include <ctype.h>
#include <stdbool.h>

#include "costrank/ce.h"
#include "costrank/error.h"

#include "fuzz.h"

#define WHERE "ce.us-east-1.amazonaws.com"
#define STOP_CODE 99

static const char *const secrets[] = {
	"AKIAFUZZACCESSKEY123",
	"wJalrXUtnFEMI/K7MDENG/bPxRfiCYFUZZSECRET",
	"FQoGZXIvYXdzFUZZSESSIONTOKEN0123456789abcdefSESSION",
};

static const long statuses[] = { 400, 403, 429, 500, 502, 503, 200, 404 };

struct sink_state {
	size_t cells, stop_at;
	bool stop;
};

static int on_cell(void *ctx, const cr_ce_cell *c, cr_error *err)
{
	struct sink_state *st = ctx;

	FUZZ_CHECK(c->end > c->start);
	FUZZ_CHECK(c->nkeys <= 2);
	for (size_t k = 0; k < c->nkeys; k++)
		FUZZ_CHECK(c->keys[k] != NULL);
	for (size_t i = 0; i < c->nmetrics; i++) {
		const cr_ce_metric *m = &c->metrics[i];
		const cr_ce_metric *again;

		FUZZ_CHECK(m->name && m->unit);
		again = cr_ce_cell_metric(c, m->name);
		FUZZ_CHECK(again && strcmp(again->name, m->name) == 0);
	}
	if (st->stop && st->cells == st->stop_at)
		return cr_error_set(err, STOP_CODE, "stopped by the sink");
	st->cells++;
	return 0;
}

static void on_attribute(void *ctx, const char *value, const char *key, const char *text)
{
	(void)ctx;
	FUZZ_CHECK(value && key && text);
}

static void no_control(const char *msg)
{
	for (const char *p = msg; *p; p++)
		FUZZ_CHECK((unsigned char)*p >= 0x20 && *p != 0x7f);
}

/*
 * No run of 12 characters of a secret that the body holds may show, unless
 * the body holds that run elsewhere, outside every whole secret (a mere
 * fragment has nothing to redact).
 */
static void no_secret(const char *msg, const char *body, size_t len)
{
	char *rest = malloc(len + 1);
	size_t rlen = 0;

	if (!rest)
		abort();
	/* the body with every whole secret taken out */
	for (size_t i = 0; i < len; ) {
		size_t skip = 0;

		for (size_t k = 0; k < sizeof secrets / sizeof secrets[0] && !skip; k++) {
			size_t n = strlen(secrets[k]);
			if (len - i >= n && memcmp(body + i, secrets[k], n) == 0)
				skip = n;
		}
		if (skip) {
			rest[rlen++] = '\n';
			i += skip;
		} else {
			rest[rlen++] = body[i++];
		}
	}
	for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++) {
		size_t n = strlen(secrets[i]);

		if (!memmem(body, len, secrets[i], n))
			continue;
		for (size_t k = 0; k + 12 <= n; k++) {
			char win[13];

			memcpy(win, secrets[i] + k, 12);
			win[12] = '\0';
			if (strstr(msg, win) && !memmem(rest, rlen, win, 12)) {
				fprintf(stderr, "secret shown: %s\n", msg);
				FUZZ_CHECK(!"part of a secret in an error message");
			}
		}
	}
	free(rest);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct sink_state st = { 0 };
	cr_ce_sink sink = { on_cell, on_attribute, &st };
	const char *body;
	char *next = NULL, code[96], small[6];
	long status;
	cr_error err;
	size_t len;
	int rc;

	if (size < 1)
		return 0;
	body = (const char *)data + 1;
	len = size - 1;
	status = statuses[data[0] & 7];
	st.stop = data[0] & 8;
	st.stop_at = data[0] >> 4;

	/* a 200 answer */
	cr_error_clear(&err);
	rc = cr_ce_parse(body, len, WHERE, &sink, &next, &err);
	if (rc == 0) {
		FUZZ_CHECK(err.code == 0);
		FUZZ_CHECK(!next || *next);
		free(next);
	} else {
		FUZZ_CHECK(rc == -1 || (st.stop && rc == -1));
		FUZZ_CHECK(next == NULL);
		if (err.code == STOP_CODE) {
			FUZZ_CHECK(st.stop);
		} else {
			FUZZ_CHECK(err.code == CR_EXIT_REMOTE);
			FUZZ_CHECK(strncmp(err.msg, WHERE ": ", strlen(WHERE) + 2) == 0);
			FUZZ_CHECK(strchr(err.msg, '\n') == NULL);
			no_control(err.msg);
		}
	}
	/* only checked, no sink */
	cr_error_clear(&err);
	(void)cr_ce_parse(body, len, WHERE, NULL, NULL, &err);

	/* an error answer */
	cr_error_clear(&err);
	rc = cr_ce_error(status, body, len, data[0] & 0x40 ? "ThrottlingException:http://x/" : NULL,
			 WHERE, "ranking of 048213306571", secrets,
			 sizeof secrets / sizeof secrets[0], &err);
	FUZZ_CHECK(rc == -1);
	FUZZ_CHECK(err.code == CR_EXIT_REMOTE || err.code == CR_EXIT_AUTH);
	FUZZ_CHECK(strncmp(err.msg, "HTTP ", 5) == 0);
	FUZZ_CHECK(strstr(err.msg, WHERE) != NULL);
	FUZZ_CHECK(strchr(err.msg, '\n') == NULL);
	no_control(err.msg);
	no_secret(err.msg, body, len);

	cr_ce_error_code(body, len, NULL, code, sizeof code);
	for (const char *p = code; *p; p++)
		FUZZ_CHECK(isalnum((unsigned char)*p) || strchr("_.-?", *p));
	(void)cr_ce_retryable(status, code);
	cr_ce_error_code(body, len, "X#Y:z", small, sizeof small);
	FUZZ_CHECK(strlen(small) < sizeof small);
	return 0;
}
