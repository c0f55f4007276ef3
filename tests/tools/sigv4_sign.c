/*
 * sigv4_sign - signs request descriptions with costrank's SigV4 signer, for
 * tests that compare it with another implementation.
 *
 * Reads one JSON object per line on standard input:
 *
 *   {"method": "POST", "path": "/a b", "query": "x=1&y=%20",
 *    "headers": [["Host", "example.amazonaws.com"], ["X-A", " b  c "]],
 *    "body_hex": "7b7d", "region": "us-east-1", "service": "ce",
 *    "amz_date": "20260105T101500Z", "access_key": "AKID...",
 *    "secret_key": "...", "session_token": null,
 *    "add_date": true, "add_token": true}
 *
 * and writes one JSON object per line on standard output:
 *
 *   {"authorization": "...", "canonical_request": "...",
 *    "string_to_sign": "...", "headers": [["Host", "..."], ...]}
 *
 * or {"error": "..."} when signing fails.  Exits 2 on unreadable input.
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "costrank/credentials.h"
#include "costrank/error.h"
#include "costrank/headers.h"
#include "costrank/sigv4.h"

static const char *str(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Decodes hex into a new buffer; NULL on bad input. */
static unsigned char *unhex(const char *hex, size_t *len)
{
	size_t n = strlen(hex);
	unsigned char *out;

	if (n % 2)
		return NULL;
	out = cr_xmalloc(n / 2 + 1);
	for (size_t i = 0; i < n / 2; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0) {
			free(out);
			return NULL;
		}
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	*len = n / 2;
	return out;
}

static json_t *sign_one(json_t *in)
{
	cr_headers h = CR_HEADERS_INIT;
	cr_aws_credentials creds = CR_AWS_CREDENTIALS_INIT;
	cr_sigv4_result res;
	cr_error err;
	json_t *hdrs = json_object_get(in, "headers"), *out, *arr;
	unsigned char *body = NULL;
	size_t body_len = 0, i;
	json_t *pair;

	cr_error_clear(&err);
	json_array_foreach(hdrs, i, pair) {
		const char *name = json_string_value(json_array_get(pair, 0));
		const char *value = json_string_value(json_array_get(pair, 1));

		if (name && value)
			cr_headers_add(&h, name, value);
	}
	if (str(in, "body_hex")) {
		body = unhex(str(in, "body_hex"), &body_len);
		if (!body) {
			cr_headers_free(&h);
			return json_pack("{s:s}", "error", "bad body_hex");
		}
	}
	creds.access_key_id = (char *)str(in, "access_key");
	creds.secret_access_key = (char *)str(in, "secret_key");
	creds.session_token = (char *)str(in, "session_token");

	cr_sigv4_request rq = {
		.method = str(in, "method"),
		.path = str(in, "path"),
		.query = str(in, "query"),
		.headers = &h,
		.body = body,
		.body_len = body_len,
		.region = str(in, "region"),
		.service = str(in, "service"),
		.amz_date = str(in, "amz_date"),
		.creds = &creds,
		.flags = (json_is_true(json_object_get(in, "add_date")) ? CR_SIGV4_ADD_DATE : 0u) |
			 (json_is_true(json_object_get(in, "add_token")) ? CR_SIGV4_ADD_TOKEN : 0u),
	};
	if (cr_sigv4_sign(&rq, &res, &err) < 0) {
		out = json_pack("{s:s}", "error", err.msg);
	} else {
		arr = json_array();
		for (i = 0; i < h.n; i++)
			json_array_append_new(arr, json_pack("[s,s]", h.v[i].name, h.v[i].value));
		out = json_pack("{s:s,s:s,s:s,s:o}", "authorization", res.authorization,
				"canonical_request", res.canonical_request, "string_to_sign",
				res.string_to_sign, "headers", arr);
		cr_sigv4_result_free(&res);
	}
	free(body);
	cr_headers_free(&h);
	return out;
}

int main(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;

	while ((n = getline(&line, &cap, stdin)) > 0) {
		json_error_t jerr;
		json_t *in, *out;
		char *text;

		if (n == 1 && line[0] == '\n')
			continue;
		in = json_loads(line, 0, &jerr);
		if (!json_is_object(in)) {
			fprintf(stderr, "sigv4_sign: line is not a JSON object: %s\n", jerr.text);
			free(line);
			return 2;
		}
		out = sign_one(in);
		text = json_dumps(out, JSON_COMPACT);
		puts(text);
		free(text);
		json_decref(out);
		json_decref(in);
	}
	free(line);
	return fflush(stdout) == 0 ? 0 : 1;
}
