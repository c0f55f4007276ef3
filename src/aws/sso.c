/* sso.c - see costrank/sso.h */
#include "costrank/sso.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "costrank/buf.h"
#include "costrank/cred_common.h"
#include "costrank/headers.h"
#include "costrank/http.h"
#include "costrank/sigv4.h"

#define TOKEN_CACHE_MAX (64u << 10)
#define DEFAULT_TIMEOUT_MS 30000L
#define TYPE_MAX 64

char *cr_sso_cache_path(const cr_sso_profile *p)
{
	const char *home = cr_cred_env("HOME");
	const char *key = p->session ? p->session : p->start_url;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	cr_buf b = CR_BUF_INIT;

	if (!home || !key || !EVP_Digest(key, strlen(key), md, &n, EVP_sha1(), NULL))
		return NULL;
	cr_buf_addf(&b, "%s/.aws/sso/cache/", home);
	for (unsigned int i = 0; i < n; i++)
		cr_buf_addf(&b, "%02x", md[i]);
	cr_buf_adds(&b, ".json");
	return cr_buf_detach(&b);
}

/* What to run to get a fresh token. */
static void login_hint(const cr_sso_profile *p, char *buf, size_t size)
{
	if (p->session)
		snprintf(buf, size, "run 'aws sso login --profile %s' (or --sso-session %s)",
			 p->profile, p->session);
	else
		snprintf(buf, size, "run 'aws sso login --profile %s'", p->profile);
}

/* expiresAt: ISO 8601, or with "UTC" for "Z" as older clients wrote it. */
static int parse_expiry(const char *s, time_t *out)
{
	size_t n = strlen(s);
	char buf[64];

	if (n > 3 && n < sizeof buf && strcmp(s + n - 3, "UTC") == 0) {
		snprintf(buf, sizeof buf, "%.*sZ", (int)(n - 3), s);
		return cr_aws_time_parse(buf, out);
	}
	return cr_aws_time_parse(s, out);
}

/* The cached access token (owned, a secret), or NULL with err set. */
static char *load_token(const cr_sso_profile *p, time_t now, cr_error *err)
{
	char hint[300], *path = cr_sso_cache_path(p), *text = NULL, *token = NULL;
	const char *at, *ex;
	cr_error e = { 0 };
	json_t *doc = NULL;
	time_t exp;

	login_hint(p, hint, sizeof hint);
	if (!path) {
		cr_error_set(err, CR_EXIT_AUTH, "profile '%s': no SSO token cache (HOME is unset): "
			     "%s", p->profile, hint);
		return NULL;
	}
	text = cr_cred_read_file(path, "SSO token cache", TOKEN_CACHE_MAX, &e);
	if (!text) {
		cr_error_set(err, CR_EXIT_AUTH, "profile '%s': %s: %s", p->profile, e.msg, hint);
		goto out;
	}
	doc = cr_cred_json_load(text, strlen(text));
	at = json_string_value(json_object_get(doc, "accessToken"));
	ex = json_string_value(json_object_get(doc, "expiresAt"));
	if (!json_is_object(doc) || !at || !*at || strpbrk(at, "\r\n") || !ex ||
	    parse_expiry(ex, &exp) < 0) {
		cr_error_set(err, CR_EXIT_AUTH, "profile '%s': the SSO token cache %s is malformed "
			     "(no accessToken or expiresAt): %s", p->profile, path, hint);
	} else if (exp <= now) {
		char t[CR_AWS_TIME_STRLEN];

		cr_aws_time_format(exp, t);
		cr_error_set(err, CR_EXIT_AUTH, "profile '%s': the SSO token in %s expired at %s: "
			     "%s", p->profile, path, t, hint);
	} else {
		token = cr_xstrdup(at);
	}
out:
	cr_cred_json_free(doc);
	cr_free_secret(text);
	free(path);
	return token;
}

/* The portal URL for p, or NULL with err set. */
static char *portal_url(const cr_sso_profile *p, cr_error *err)
{
	const char *ep = cr_cred_env("AWS_ENDPOINT_URL_SSO");
	cr_buf b = CR_BUF_INIT;

	if (ep) {
		size_t n = strlen(ep);

		while (n && ep[n - 1] == '/')
			n--;
		cr_buf_add(&b, ep, n);
	} else if (cr_cred_region_valid(p->region)) {
		cr_buf_addf(&b, "https://portal.sso.%s.amazonaws.com%s", p->region,
			    strncmp(p->region, "cn-", 3) == 0 ? ".cn" : "");
	} else {
		cr_error_set(err, CR_EXIT_INPUT, "profile '%s': sso_region '%s' is not an AWS "
			     "region name", p->profile, p->region);
		return NULL;
	}
	cr_buf_adds(&b, "/federation/credentials?account_id=");
	cr_uri_encode(&b, p->account_id, strlen(p->account_id), false);
	cr_buf_adds(&b, "&role_name=");
	cr_uri_encode(&b, p->role_name, strlen(p->role_name), false);
	return cr_buf_detach(&b);
}

/* The first run of letters, digits and '_' of s after any "ns#" prefix,
 * into buf ("" when none): x-amzn-ErrorType is "Type:http://...", __type
 * "com.amazonaws...#Type". */
static void type_text(const char *s, char *buf, size_t size)
{
	const char *hash = s ? strrchr(s, '#') : NULL;
	size_t n = 0;

	if (hash)
		s = hash + 1;
	while (s && n + 1 < size && (isalnum((unsigned char)s[n]) || s[n] == '_'))
		n++;
	if (s)
		memcpy(buf, s, n);
	buf[n] = '\0';
}

/* The AWS error type of a failed answer, "" when it has none. */
static void error_type(const cr_http_response *r, char *buf, size_t size)
{
	json_t *doc;

	type_text(cr_headers_get(&r->headers, "x-amzn-errortype"), buf, size);
	if (*buf)
		return;
	doc = cr_cred_json_load(r->body.ptr, r->body.len);
	type_text(json_string_value(json_object_get(doc, "__type")), buf, size);
	cr_cred_json_free(doc);
}

/* Role credentials from a 200 answer; 0 or -1. */
static int parse_role_credentials(const cr_sso_profile *p, const cr_http_response *r,
				  const char *where, cr_aws_credentials *out, cr_error *err)
{
	json_t *doc = cr_cred_json_load(r->body.ptr, r->body.len);
	json_t *rc = json_object_get(doc, "roleCredentials");
	const char *ak = json_string_value(json_object_get(rc, "accessKeyId"));
	const char *sk = json_string_value(json_object_get(rc, "secretAccessKey"));
	const char *tk = json_string_value(json_object_get(rc, "sessionToken"));
	json_t *ex = json_object_get(rc, "expiration");
	int ret = 0;

	if (!ak || !*ak || !sk || !*sk) {
		ret = cr_error_set(err, CR_EXIT_REMOTE, "profile '%s': the SSO answer from %s has "
				   "no roleCredentials.accessKeyId or secretAccessKey", p->profile,
				   where);
	} else {
		cr_cred_set(out, ak, sk, tk, "SSO role %s in account %s (profile '%s')",
			    p->role_name, p->account_id, p->profile);
		if (json_is_number(ex) && json_number_value(ex) > 0 && json_number_value(ex) < 1e15)
			out->expiration = (time_t)(json_number_value(ex) / 1000);
	}
	cr_cred_json_free(doc);
	return ret;
}

int cr_sso_credentials(const cr_sso_profile *p, time_t now, long timeout_ms,
		       cr_aws_credentials *out, cr_error *err)
{
	cr_headers h = CR_HEADERS_INIT;
	cr_http_response resp = CR_HTTP_RESPONSE_INIT;
	char *token = NULL, *url = NULL, *where = NULL;
	char hint[300], type[TYPE_MAX];
	cr_error e = { 0 };
	int rc = -1;

	memset(out, 0, sizeof *out);
	if (!now)
		now = time(NULL);
	if (timeout_ms <= 0)
		timeout_ms = DEFAULT_TIMEOUT_MS;
	login_hint(p, hint, sizeof hint);
	if (!(url = portal_url(p, err)) || !(token = load_token(p, now, err)))
		goto out;
	where = cr_url_redact(url);
	cr_headers_add(&h, "Accept", "application/json");
	cr_headers_add(&h, "x-amz-sso_bearer_token", token);
	{
		const char *secrets[] = { token };
		cr_http_request rq = {
			.method = "GET", .url = url, .headers = &h, .timeout_ms = timeout_ms,
			.connect_timeout_ms = timeout_ms < 10000 ? timeout_ms : 10000,
			.max_response = 1u << 20,
		};
		cr_retry_policy pol = { 3, 300, 5000, 10000 };

		if (cr_http_perform_retry(&rq, &pol, NULL, NULL, &resp, &e) < 0) {
			cr_cred_scrub(e.msg, sizeof e.msg, secrets, 1);
			cr_error_set(err, e.code, "profile '%s': SSO role credentials: %s",
				     p->profile, e.msg);
			goto out;
		}
	}
	if (resp.status == 200) {
		rc = parse_role_credentials(p, &resp, where, out, err);
		goto out;
	}
	error_type(&resp, type, sizeof type);
	if (resp.status == 401 || resp.status == 403)
		cr_error_set(err, CR_EXIT_AUTH, "profile '%s': the SSO session has expired or "
			     "lacks access to account %s role %s (HTTP %ld%s%s from %s): %s",
			     p->profile, p->account_id, p->role_name, resp.status,
			     *type ? " " : "", type, where, hint);
	else
		cr_error_set(err, CR_EXIT_REMOTE, "profile '%s': SSO role credentials: HTTP "
			     "%ld%s%s from %s", p->profile, resp.status, *type ? " " : "", type,
			     where);
out:
	cr_http_response_free(&resp);
	cr_headers_free(&h);
	cr_free_secret(token);
	free(url);
	free(where);
	return rc;
}
