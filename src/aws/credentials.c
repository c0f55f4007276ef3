/* credentials.c - see costrank/credentials.h */
#include "costrank/credentials.h"

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "costrank/buf.h"
#include "costrank/cred_common.h"
#include "costrank/cred_process.h"
#include "costrank/date.h"
#include "costrank/headers.h"
#include "costrank/http.h"
#include "costrank/imds.h"
#include "costrank/ini.h"
#include "costrank/sigv4.h"
#include "costrank/sso.h"
#include "costrank/sts_xml.h"

#define STS_VERSION "2011-06-15"
#define CONTAINER_HOST "http://169.254.170.2"
#define MAX_CHAIN 16           /* source_profile hops */
#define TOKEN_FILE_MAX (64u << 10)
#define DEFAULT_TIMEOUT_MS 30000L
#define CONTAINER_TIMEOUT_MS 5000L

/* ---- time --------------------------------------------------------------- */

static int digits(const char *s, int n, int *out)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!isdigit((unsigned char)s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int cr_aws_time_parse(const char *s, time_t *out)
{
	int y, mo, d, h, mi, sec, oh = 0, om = 0, sign = 0;
	cr_day day;

	if (!s || strlen(s) < 19 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) ||
	    s[7] != '-' || digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    digits(s + 11, 2, &h) || s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':' ||
	    digits(s + 17, 2, &sec))
		return -1;
	s += 19;
	if (*s == '.') {
		s++;
		if (!isdigit((unsigned char)*s))
			return -1;
		while (isdigit((unsigned char)*s))
			s++;
	}
	if (*s == 'Z' || *s == 'z') {
		s++;
	} else if (*s == '+' || *s == '-') {
		sign = *s == '+' ? 1 : -1;
		s++;
		if (digits(s, 2, &oh))
			return -1;
		s += 2;
		if (*s == ':')
			s++;
		if (digits(s, 2, &om))
			return -1;
		s += 2;
	}
	if (*s || h > 23 || mi > 59 || sec > 60 || oh > 23 || om > 59 ||
	    cr_day_from_ymd(y, mo, d, &day) < 0)
		return -1;
	*out = (time_t)day * 86400 + h * 3600 + mi * 60 + sec - sign * (oh * 3600 + om * 60);
	return 0;
}

void cr_aws_time_format(time_t t, char *buf)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, CR_AWS_TIME_STRLEN, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* ---- credentials -------------------------------------------------------- */

void cr_aws_credentials_clear(cr_aws_credentials *c)
{
	if (!c)
		return;
	cr_free_secret(c->access_key_id);
	cr_free_secret(c->secret_access_key);
	cr_free_secret(c->session_token);
	free(c->source);
	memset(c, 0, sizeof *c);
}

static char *dup_or_null(const char *s)
{
	return s ? cr_xstrdup(s) : NULL;
}

void cr_aws_credentials_copy(cr_aws_credentials *dst, const cr_aws_credentials *src)
{
	dst->access_key_id = dup_or_null(src->access_key_id);
	dst->secret_access_key = dup_or_null(src->secret_access_key);
	dst->session_token = dup_or_null(src->session_token);
	dst->expiration = src->expiration;
	dst->source = dup_or_null(src->source);
}

int cr_aws_credentials_check(const cr_aws_credentials *c, time_t now, cr_error *err)
{
	const char *src = c->source ? c->source : "unknown source";

	if (!c->access_key_id || !*c->access_key_id || !c->secret_access_key ||
	    !*c->secret_access_key)
		return cr_error_set(err, CR_EXIT_AUTH,
				    "AWS credentials from %s lack an access key or a secret key", src);
	if (!now)
		now = time(NULL);
	if (c->expiration && c->expiration <= now) {
		char t[CR_AWS_TIME_STRLEN];

		cr_aws_time_format(c->expiration, t);
		return cr_error_set(err, CR_EXIT_AUTH, "AWS credentials from %s expired at %s",
				    src, t);
	}
	return 0;
}

/* ---- environment and files ------------------------------------------------ */

/* An override path with a leading "~/" expanded, or $HOME/.aws/name; NULL
 * when neither is known. */
static char *aws_file(const char *override, const char *name)
{
	const char *home = cr_cred_env("HOME");
	cr_buf b = CR_BUF_INIT;

	if (override) {
		if (override[0] == '~' && override[1] == '/' && home) {
			cr_buf_addf(&b, "%s%s", home, override + 1);
			return cr_buf_detach(&b);
		}
		return cr_xstrdup(override);
	}
	if (!home)
		return NULL;
	cr_buf_addf(&b, "%s/.aws/%s", home, name);
	return cr_buf_detach(&b);
}

/* ---- the resolution context ----------------------------------------------- */

struct ctx {
	const cr_aws_options *opt;
	time_t now;
	long timeout_ms;
	const char *profile;     /* the top-level profile */
	bool profile_named;      /* by --profile or AWS_PROFILE */
	bool skip_env;           /* --profile given */
	char *cred_path, *conf_path;
	cr_ini *cred, *conf;     /* NULL when missing */
	const char *chain[MAX_CHAIN];
	size_t nchain;
};

/* A section of the config file named "KIND NAME" (also with NAME in
 * double quotes); for profiles [default] stands for "default". */
static const cr_ini_section *conf_named(const struct ctx *x, const char *kind, const char *name)
{
	const cr_ini_section *found = NULL;
	size_t klen = strlen(kind);

	if (!x->conf)
		return NULL;
	for (size_t i = 0; i < x->conf->n; i++) {
		const char *s = x->conf->v[i].name;
		size_t n;

		if (strcmp(kind, "profile") == 0 && strcmp(name, "default") == 0 &&
		    strcmp(s, "default") == 0) {
			if (!found)
				found = &x->conf->v[i];
			continue;
		}
		if (strncmp(s, kind, klen) != 0 || !isspace((unsigned char)s[klen]))
			continue;
		s += klen;
		while (isspace((unsigned char)*s))
			s++;
		n = strlen(s);
		if (n >= 2 && s[0] == '"' && s[n - 1] == '"') {
			s++;
			n -= 2;
		}
		if (strlen(name) == n && strncmp(s, name, n) == 0)
			return &x->conf->v[i]; /* [profile x] wins over [default] */
	}
	return found;
}

/* A profile's section in the config file: [profile NAME], or [default]. */
static const cr_ini_section *conf_section(const struct ctx *x, const char *name)
{
	return conf_named(x, "profile", name);
}

static const cr_ini_section *cred_section(const struct ctx *x, const char *name)
{
	return cr_ini_find(x->cred, name);
}

static bool profile_exists(const struct ctx *x, const char *name)
{
	return cred_section(x, name) || conf_section(x, name);
}

/* A profile setting: the credentials file wins over the config file, as
 * in the AWS CLI.  *file and *line tell where it was (for messages). */
static const char *pget(const struct ctx *x, const char *profile, const char *key,
			const char **file, unsigned *line)
{
	const cr_ini_entry *e = cr_ini_entry_find(cred_section(x, profile), key);
	const char *f = x->cred_path;

	if (!e) {
		e = cr_ini_entry_find(conf_section(x, profile), key);
		f = x->conf_path;
	}
	if (!e || !*e->value)
		return NULL;
	if (file)
		*file = f;
	if (line)
		*line = e->line;
	return e->value;
}

static const char *pval(const struct ctx *x, const char *profile, const char *key)
{
	return pget(x, profile, key, NULL, NULL);
}

/* ---- STS -------------------------------------------------------------------- */

struct sts_target {
	char *url;
	char *region;
};

static void sts_target_free(struct sts_target *t)
{
	free(t->url);
	free(t->region);
}

static int sts_target_for(const cr_aws_options *opt, const char *profile_region,
			  struct sts_target *t, cr_error *err)
{
	const char *region = NULL, *endpoint = NULL;
	cr_buf b = CR_BUF_INIT;

	if (opt)
		region = opt->region;
	if (!region)
		region = cr_cred_env("AWS_REGION");
	if (!region)
		region = cr_cred_env("AWS_DEFAULT_REGION");
	if (!region)
		region = profile_region;
	if (region && !cr_cred_region_valid(region))
		return cr_error_set(err, CR_EXIT_USAGE, "'%s' is not an AWS region name", region);
	if (opt)
		endpoint = opt->sts_endpoint;
	if (!endpoint)
		endpoint = cr_cred_env("AWS_ENDPOINT_URL_STS");
	if (endpoint) {
		t->url = cr_xstrdup(endpoint);
		t->region = cr_xstrdup(region ? region : "us-east-1");
		return 0;
	}
	if (region) {
		cr_buf_addf(&b, "https://sts.%s.amazonaws.com%s", region,
			    strncmp(region, "cn-", 3) == 0 ? ".cn" : "");
		t->url = cr_buf_detach(&b);
		t->region = cr_xstrdup(region);
	} else {
		t->url = cr_xstrdup("https://sts.amazonaws.com");
		t->region = cr_xstrdup("us-east-1");
	}
	return 0;
}

/* STS throttling comes as HTTP 400 with code Throttling. */
static bool sts_retryable(const cr_http_response *r, void *ctx)
{
	(void)ctx;
	if (cr_http_status_retryable(r->status))
		return true;
	return r->status == 400 && r->body.ptr && strstr(r->body.ptr, "<Code>Throttling</Code>");
}

static bool remote_code(const char *code)
{
	static const char *const remote[] = {
		"Throttling", "ThrottlingException", "ServiceUnavailable", "InternalFailure",
		"InternalError", "RequestTimeout",
	};

	for (size_t i = 0; i < sizeof remote / sizeof remote[0]; i++)
		if (strcmp(code, remote[i]) == 0)
			return true;
	return false;
}

/*
 * POSTs the form body to STS (signed with signer unless NULL) and parses
 * the credentials into *out.  what names the call in messages; secrets
 * lists strings that must not appear in them.
 */
static int sts_call(const struct sts_target *t, const char *action, const cr_buf *form,
		    const cr_aws_credentials *signer, long timeout_ms, const char *what,
		    const char *const *secrets, size_t nsecrets, cr_aws_credentials *out,
		    cr_error *err)
{
	cr_headers h = CR_HEADERS_INIT;
	cr_http_response resp = CR_HTTP_RESPONSE_INIT;
	cr_sts_response sr = CR_STS_RESPONSE_INIT;
	cr_error e;
	cr_url u;
	char *host, *where;
	int rc = -1, prc;

	if (cr_url_parse(t->url, &u, err) < 0)
		return -1;
	host = cr_url_host_field(&u);
	where = cr_url_redact(t->url);
	cr_headers_add(&h, "Host", host);
	cr_headers_add(&h, "Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
	cr_headers_add(&h, "Accept", "text/xml");
	if (signer) {
		char date[CR_SIGV4_DATE_STRLEN];
		cr_sigv4_result res;
		cr_sigv4_request rq = {
			.method = "POST", .path = u.path, .query = u.query, .headers = &h,
			.body = form->ptr, .body_len = form->len, .region = t->region,
			.service = "sts", .amz_date = date, .creds = signer,
			.flags = CR_SIGV4_ADD_DATE | CR_SIGV4_ADD_TOKEN |
				 CR_SIGV4_ADD_AUTHORIZATION,
		};

		cr_sigv4_amz_date(time(NULL), date);
		if (cr_sigv4_sign(&rq, &res, err) < 0)
			goto out;
		cr_sigv4_result_free(&res);
	}
	{
		cr_http_request rq = {
			.method = "POST", .url = t->url, .headers = &h, .body = form->ptr,
			.body_len = form->len, .timeout_ms = timeout_ms,
			.connect_timeout_ms = timeout_ms < 10000 ? timeout_ms : 10000,
			.max_response = 1u << 20,
		};
		cr_retry_policy pol = { 3, 300, 5000, 10000 };

		cr_error_clear(&e);
		if (cr_http_perform_retry(&rq, &pol, sts_retryable, NULL, &resp, &e) < 0) {
			cr_cred_scrub(e.msg, sizeof e.msg, secrets, nsecrets);
			cr_error_set(err, e.code, "%s: %s", what, e.msg);
			goto out;
		}
	}
	cr_error_clear(&e);
	prc = cr_sts_xml_parse(resp.body.ptr ? resp.body.ptr : "", resp.body.len, action, &sr, &e);
	if (prc == 1) {
		char msg[CR_ERROR_MSG_MAX];

		snprintf(msg, sizeof msg, "%s: HTTP %ld %s%s%s", what, resp.status, sr.error_code,
			 sr.error_message ? ": " : "", sr.error_message ? sr.error_message : "");
		cr_cred_scrub(msg, sizeof msg, secrets, nsecrets);
		cr_error_set(err, resp.status >= 500 || remote_code(sr.error_code) ? CR_EXIT_REMOTE
										 : CR_EXIT_AUTH,
			     "%s", msg);
		goto out;
	}
	if (resp.status != 200) {
		cr_error_set(err, resp.status >= 500 || resp.status == 429 ? CR_EXIT_REMOTE
									   : CR_EXIT_AUTH,
			     "%s: HTTP %ld from %s", what, resp.status, where);
		goto out;
	}
	if (prc < 0) {
		cr_cred_scrub(e.msg, sizeof e.msg, secrets, nsecrets);
		cr_error_set(err, e.code, "%s: %s", what, e.msg);
		goto out;
	}
	*out = sr.creds;
	memset(&sr.creds, 0, sizeof sr.creds);
	rc = 0;
out:
	cr_sts_response_clear(&sr);
	cr_http_response_free(&resp);
	cr_headers_free(&h);
	cr_url_free(&u);
	free(host);
	free(where);
	return rc;
}

static void form_add(cr_buf *b, const char *key, const char *value)
{
	if (b->len)
		cr_buf_addc(b, '&');
	cr_buf_adds(b, key);
	cr_buf_addc(b, '=');
	cr_uri_encode(b, value, strlen(value), false);
}

static int check_duration(int d, cr_error *err)
{
	if (d != 0 && (d < 900 || d > 43200))
		return cr_error_set(err, CR_EXIT_USAGE,
				    "role duration %d s is outside 900..43200", d);
	return 0;
}

static int do_assume_role(const cr_aws_credentials *base, const cr_aws_role *role,
			  const struct sts_target *t, long timeout_ms, time_t now,
			  const char *via, cr_aws_credentials *out, cr_error *err)
{
	cr_buf form = CR_BUF_INIT, what = CR_BUF_INIT;
	char session[64];
	const char *secrets[] = { base->access_key_id, base->secret_access_key,
				  base->session_token };
	int rc;

	if (!role->role_arn || !*role->role_arn)
		return cr_error_set(err, CR_EXIT_USAGE, "assume role: no role ARN");
	if (check_duration(role->duration_seconds, err) < 0)
		return -1;
	if (role->session_name && *role->session_name)
		snprintf(session, sizeof session, "%s", role->session_name);
	else
		snprintf(session, sizeof session, "costrank-%lld", (long long)now);
	form_add(&form, "Action", "AssumeRole");
	form_add(&form, "Version", STS_VERSION);
	form_add(&form, "RoleArn", role->role_arn);
	form_add(&form, "RoleSessionName", session);
	if (role->duration_seconds) {
		char d[16];

		snprintf(d, sizeof d, "%d", role->duration_seconds);
		form_add(&form, "DurationSeconds", d);
	}
	if (role->external_id && *role->external_id)
		form_add(&form, "ExternalId", role->external_id);
	cr_buf_addf(&what, "STS AssumeRole %s", role->role_arn);
	if (via)
		cr_buf_addf(&what, " (%s)", via);
	rc = sts_call(t, "AssumeRole", &form, base, timeout_ms, what.ptr, secrets, 3, out, err);
	if (rc == 0) {
		cr_buf src = CR_BUF_INIT;

		cr_buf_addf(&src, "role %s", role->role_arn);
		if (via)
			cr_buf_addf(&src, " (%s)", via);
		free(out->source);
		out->source = cr_buf_detach(&src);
	}
	cr_buf_release(&what);
	cr_buf_release(&form);
	return rc;
}

static int do_web_identity(const char *role_arn, const char *token_file, const char *session_name,
			   int duration, const struct sts_target *t, long timeout_ms, time_t now,
			   const char *via, cr_aws_credentials *out, cr_error *err)
{
	cr_buf form = CR_BUF_INIT, what = CR_BUF_INIT;
	char session[64], *token;
	int rc;

	if (check_duration(duration, err) < 0)
		return -1;
	token = cr_cred_read_file(token_file, "web identity token file", TOKEN_FILE_MAX, err);
	if (!token)
		return -1;
	if (session_name && *session_name)
		snprintf(session, sizeof session, "%s", session_name);
	else
		snprintf(session, sizeof session, "costrank-%lld", (long long)now);
	form_add(&form, "Action", "AssumeRoleWithWebIdentity");
	form_add(&form, "Version", STS_VERSION);
	form_add(&form, "RoleArn", role_arn);
	form_add(&form, "RoleSessionName", session);
	if (duration) {
		char d[16];

		snprintf(d, sizeof d, "%d", duration);
		form_add(&form, "DurationSeconds", d);
	}
	form_add(&form, "WebIdentityToken", token);
	cr_buf_addf(&what, "STS AssumeRoleWithWebIdentity %s (%s)", role_arn, via);
	{
		const char *secrets[] = { token };

		rc = sts_call(t, "AssumeRoleWithWebIdentity", &form, NULL, timeout_ms, what.ptr,
			      secrets, 1, out, err);
	}
	if (rc == 0) {
		cr_buf src = CR_BUF_INIT;

		cr_buf_addf(&src, "role %s (web identity, %s)", role_arn, via);
		free(out->source);
		out->source = cr_buf_detach(&src);
	}
	cr_wipe(form.ptr, form.len);
	cr_buf_release(&form);
	cr_free_secret(token);
	cr_buf_release(&what);
	return rc;
}

/* ---- single sources --------------------------------------------------------- */

/* 1 found, 0 not set, -1 error. */
static int env_creds(cr_aws_credentials *out, cr_error *err)
{
	const char *akid = cr_cred_env("AWS_ACCESS_KEY_ID");
	const char *secret = cr_cred_env("AWS_SECRET_ACCESS_KEY");
	const char *token = cr_cred_env("AWS_SESSION_TOKEN");
	const char *exp = cr_cred_env("AWS_CREDENTIAL_EXPIRATION");

	if (!akid && !secret)
		return 0;
	if (!akid || !secret)
		return cr_error_set(err, CR_EXIT_AUTH, "%s is set but %s is not",
				    akid ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
				    akid ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
	if (!token)
		token = cr_cred_env("AWS_SECURITY_TOKEN");
	cr_cred_set(out, akid, secret, token, "environment variables");
	if (exp && cr_aws_time_parse(exp, &out->expiration) < 0) {
		cr_aws_credentials_clear(out);
		return cr_error_set(err, CR_EXIT_AUTH,
				    "AWS_CREDENTIAL_EXPIRATION is not an ISO 8601 time");
	}
	return 1;
}

/* Static keys in one section.  1 found, 0 none, -1 error (only one key). */
static int section_creds(const cr_ini_section *s, const char *path, const char *profile,
			 cr_aws_credentials *out, cr_error *err)
{
	const cr_ini_entry *ak = cr_ini_entry_find(s, "aws_access_key_id");
	const cr_ini_entry *sk = cr_ini_entry_find(s, "aws_secret_access_key");
	const char *token = cr_ini_get(s, "aws_session_token");

	if (ak && !*ak->value)
		ak = NULL;
	if (sk && !*sk->value)
		sk = NULL;
	if (!ak && !sk)
		return 0;
	if (!ak || !sk)
		return cr_error_set(err, CR_EXIT_AUTH, "%s:%u: profile '%s' has %s but no %s", path,
				    (ak ? ak : sk)->line, profile,
				    ak ? "aws_access_key_id" : "aws_secret_access_key",
				    ak ? "aws_secret_access_key" : "aws_access_key_id");
	if (!token || !*token)
		token = cr_ini_get(s, "aws_security_token");
	cr_cred_set(out, ak->value, sk->value, token, "profile '%s' in %s", profile, path);
	return 1;
}

static int static_creds(const struct ctx *x, const char *profile, cr_aws_credentials *out,
			cr_error *err)
{
	int rc = section_creds(cred_section(x, profile), x->cred_path, profile, out, err);

	if (rc)
		return rc;
	return section_creds(conf_section(x, profile), x->conf_path, profile, out, err);
}

static bool has_static(const struct ctx *x, const char *profile)
{
	const char *a = cr_ini_get(cred_section(x, profile), "aws_access_key_id");
	const char *b = cr_ini_get(conf_section(x, profile), "aws_access_key_id");

	return (a && *a) || (b && *b);
}

/* Container credentials.  1 found, 0 not configured, -1 error. */
static int container_creds(const struct ctx *x, cr_aws_credentials *out, cr_error *err)
{
	const char *rel = cr_cred_env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = cr_cred_env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	const char *token_file = cr_cred_env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	cr_headers h = CR_HEADERS_INIT;
	cr_http_response resp = CR_HTTP_RESPONSE_INIT;
	cr_buf url = CR_BUF_INIT;
	char *token = NULL, *where = NULL;
	json_t *doc = NULL;
	cr_error e;
	int rc = -1;

	if (!rel && !full)
		return 0;
	if (rel)
		cr_buf_addf(&url, "%s%s%s", CONTAINER_HOST, rel[0] == '/' ? "" : "/", rel);
	else
		cr_buf_adds(&url, full);
	where = cr_url_redact(url.ptr);
	if (token_file) {
		token = cr_cred_read_file(token_file, "container authorization token file",
					  TOKEN_FILE_MAX, err);
		if (!token)
			goto out;
	} else if (cr_cred_env("AWS_CONTAINER_AUTHORIZATION_TOKEN")) {
		token = cr_xstrdup(cr_cred_env("AWS_CONTAINER_AUTHORIZATION_TOKEN"));
	}
	if (token && strpbrk(token, "\r\n")) {
		cr_error_set(err, CR_EXIT_AUTH, "container authorization token holds a line break");
		goto out;
	}
	cr_headers_add(&h, "Accept", "application/json");
	if (token)
		cr_headers_add(&h, "Authorization", token);
	{
		long to = x->opt && x->opt->timeout_ms > 0 ? x->opt->timeout_ms : CONTAINER_TIMEOUT_MS;
		cr_http_request rq = {
			.method = "GET", .url = url.ptr, .headers = &h, .timeout_ms = to,
			.connect_timeout_ms = to < 2000 ? to : 2000, .max_response = 1u << 20,
			.flags = CR_HTTP_ALLOW_CONTAINER_HTTP,
		};
		cr_retry_policy pol = { 3, 200, 2000, 5000 };
		const char *secrets[] = { token };

		cr_error_clear(&e);
		if (cr_http_perform_retry(&rq, &pol, NULL, NULL, &resp, &e) < 0) {
			cr_cred_scrub(e.msg, sizeof e.msg, secrets, 1);
			cr_error_set(err, CR_EXIT_AUTH, "container credentials: %s", e.msg);
			goto out;
		}
	}
	if (resp.status != 200) {
		cr_error_set(err, CR_EXIT_AUTH, "container credentials: HTTP %ld from %s",
			     resp.status, where);
		goto out;
	}
	doc = cr_cred_json_load(resp.body.ptr, resp.body.len);
	if (!json_is_object(doc)) {
		cr_error_set(err, CR_EXIT_AUTH, "container credentials from %s: not a JSON object",
			     where);
		goto out;
	}
	{
		cr_buf what = CR_BUF_INIT, src = CR_BUF_INIT;

		cr_buf_addf(&what, "container credentials from %s", where);
		cr_buf_addf(&src, "container credentials (%s)", where);
		if (cr_cred_from_json(doc, "Token", what.ptr, src.ptr, out, err) == 0)
			rc = 1;
		cr_buf_release(&what);
		cr_buf_release(&src);
	}
out:
	cr_cred_json_free(doc);
	cr_free_secret(token);
	cr_http_response_free(&resp);
	cr_headers_free(&h);
	cr_buf_release(&url);
	free(where);
	return rc;
}

/* ---- profiles ------------------------------------------------------------------ */

/*
 * IAM Identity Center (SSO): a profile with sso_account_id or sso_role_name,
 * as the AWS CLI tells them; sso_start_url and sso_region come from the
 * profile or its [sso-session NAME].  1 found, 0 not an SSO profile, -1
 * error.
 */
static int sso_creds(const struct ctx *x, const char *profile, cr_aws_credentials *out,
		     cr_error *err)
{
	static const char *const keys[] = {
		"sso_start_url", "sso_region", "sso_account_id", "sso_role_name",
	};
	const char *file = "", *sfile = "", *v[4];
	unsigned line = 0, sline = 0;
	const char *account = pget(x, profile, "sso_account_id", &file, &line);
	const char *role = pget(x, profile, "sso_role_name", &file, &line);
	const char *session = pget(x, profile, "sso_session", &sfile, &sline);
	const cr_ini_section *ss = NULL;
	cr_buf missing = CR_BUF_INIT;

	if (!account && !role)
		return 0;
	if (session && !(ss = conf_named(x, "sso-session", session)))
		return cr_error_set(err, CR_EXIT_INPUT, "%s:%u: profile '%s': there is no "
				    "[sso-session %s] in %s", sfile, sline, profile, session,
				    x->conf_path ? x->conf_path : "~/.aws/config");
	for (size_t i = 0; i < 4; i++) {
		const char *pv = pval(x, profile, keys[i]), *sv = cr_ini_get(ss, keys[i]);

		if (sv && !*sv)
			sv = NULL;
		if (pv && sv && strcmp(pv, sv) != 0) {
			cr_buf_release(&missing);
			return cr_error_set(err, CR_EXIT_INPUT, "profile '%s': %s differs between "
					    "the profile and [sso-session %s]", profile, keys[i],
					    session);
		}
		v[i] = pv ? pv : sv;
		if (!v[i])
			cr_buf_addf(&missing, "%s%s", missing.len ? ", " : "", keys[i]);
	}
	if (missing.len) {
		cr_error_set(err, CR_EXIT_INPUT, "%s:%u: profile '%s' uses IAM Identity Center "
			     "(SSO) but has no %s", file, line, profile, missing.ptr);
		cr_buf_release(&missing);
		return -1;
	}
	{
		cr_sso_profile p = { profile, session, v[0], v[1], v[2], v[3] };

		return cr_sso_credentials(&p, x->now, x->timeout_ms, out, err) < 0 ? -1 : 1;
	}
}

/* credential_process.  1 found, 0 not set, -1 error. */
static int process_creds(const struct ctx *x, const char *profile, cr_aws_credentials *out,
			 cr_error *err)
{
	const char *cmd = pval(x, profile, "credential_process");

	if (!cmd)
		return 0;
	return cr_cred_process_run(cmd, profile, 0, x->now, out, err) < 0 ? -1 : 1;
}

static int profile_duration(const struct ctx *x, const char *profile, int *out, cr_error *err)
{
	const char *file = NULL;
	unsigned line = 0;
	const char *v = pget(x, profile, "duration_seconds", &file, &line);
	char *end;
	long d;

	*out = 0;
	if (!v)
		return 0;
	errno = 0;
	d = strtol(v, &end, 10);
	if (errno || *end || end == v || d < 900 || d > 43200)
		return cr_error_set(err, CR_EXIT_INPUT,
				    "%s:%u: profile '%s': duration_seconds must be a number of "
				    "seconds in 900..43200", file, line, profile);
	*out = (int)d;
	return 0;
}

static int sts_target_ctx(const struct ctx *x, struct sts_target *t, cr_error *err)
{
	return sts_target_for(x->opt, pval(x, x->profile, "region"), t, err);
}

static int profile_assume_role(struct ctx *x, const char *profile, cr_aws_credentials *out,
			       cr_error *err);

static int web_identity(const struct ctx *x, const char *profile, bool use_env,
			cr_aws_credentials *out, cr_error *err)
{
	const char *token_file = use_env ? cr_cred_env("AWS_WEB_IDENTITY_TOKEN_FILE") : NULL;
	const char *role = use_env ? cr_cred_env("AWS_ROLE_ARN") : NULL;
	const char *session = use_env ? cr_cred_env("AWS_ROLE_SESSION_NAME") : NULL;
	bool from_env = token_file != NULL;
	struct sts_target t = { 0 };
	char via[160];
	int duration, rc;

	if (!token_file)
		token_file = pval(x, profile, "web_identity_token_file");
	if (!token_file)
		return 0;
	if (!role)
		role = pval(x, profile, "role_arn");
	if (!session)
		session = pval(x, profile, "role_session_name");
	if (!role)
		return cr_error_set(err, CR_EXIT_AUTH,
				    "a web identity token file is set but no role ARN "
				    "(AWS_ROLE_ARN or role_arn in profile '%s')", profile);
	if (profile_duration(x, profile, &duration, err) < 0)
		return -1;
	if (from_env)
		snprintf(via, sizeof via, "AWS_WEB_IDENTITY_TOKEN_FILE");
	else
		snprintf(via, sizeof via, "profile '%.100s'", profile);
	if (sts_target_ctx(x, &t, err) < 0)
		return -1;
	rc = do_web_identity(role, token_file, session, duration, &t, x->timeout_ms, x->now, via,
			     out, err);
	sts_target_free(&t);
	return rc < 0 ? -1 : 1;
}

/* Credentials of a source_profile (parent names the profile that uses it). */
static int source_profile_creds(struct ctx *x, const char *name, const char *parent,
				cr_aws_credentials *out, cr_error *err)
{
	int rc = static_creds(x, name, out, err);

	if (rc)
		return rc < 0 ? -1 : 0;
	if (pval(x, name, "role_arn") && !pval(x, name, "web_identity_token_file"))
		return profile_assume_role(x, name, out, err);
	rc = web_identity(x, name, false, out, err);
	if (!rc)
		rc = sso_creds(x, name, out, err);
	if (!rc)
		rc = process_creds(x, name, out, err);
	if (rc)
		return rc < 0 ? -1 : 0;
	return cr_error_set(err, CR_EXIT_AUTH,
			    "profile '%s' (source_profile of '%s') holds no credentials", name,
			    parent);
}

static void chain_text(const struct ctx *x, const char *last, char *buf, size_t size)
{
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < x->nchain && n + 1 < size; i++)
		n += (size_t)snprintf(buf + n, size - n, "%s -> ", x->chain[i]);
	if (n + 1 < size)
		snprintf(buf + n, size - n, "%s", last);
}

static int profile_assume_role(struct ctx *x, const char *profile, cr_aws_credentials *out,
			       cr_error *err)
{
	const char *rfile = "", *sfile = "", *cfile = "", *mfile = "";
	unsigned rline = 0, sline = 0, cline = 0, mline = 0;
	const char *role_arn = pget(x, profile, "role_arn", &rfile, &rline);
	const char *src = pget(x, profile, "source_profile", &sfile, &sline);
	const char *cs = pget(x, profile, "credential_source", &cfile, &cline);
	cr_aws_credentials base = CR_AWS_CREDENTIALS_INIT;
	struct sts_target t = { 0 };
	cr_aws_role role = { 0 };
	char via[160];
	int rc;

	if (src && cs)
		return cr_error_set(err, CR_EXIT_INPUT, "%s:%u: profile '%s' has both "
				    "source_profile and credential_source", sfile, sline, profile);
	if (!src && !cs)
		return cr_error_set(err, CR_EXIT_INPUT, "%s:%u: profile '%s' has role_arn but "
				    "neither source_profile nor credential_source", rfile, rline,
				    profile);
	if (pget(x, profile, "mfa_serial", &mfile, &mline))
		return cr_error_set(err, CR_EXIT_AUTH, "%s:%u: profile '%s' needs an MFA code "
				    "(mfa_serial), which costrank cannot ask for", mfile, mline,
				    profile);
	if (src) {
		bool seen = false;

		if (!profile_exists(x, src))
			return cr_error_set(err, CR_EXIT_INPUT, "%s:%u: profile '%s': "
					    "source_profile '%s' does not exist", sfile, sline,
					    profile, src);
		for (size_t i = 0; i < x->nchain; i++)
			if (strcmp(x->chain[i], src) == 0)
				seen = true;
		if (seen && !(strcmp(src, profile) == 0 && has_static(x, src))) {
			char chain[512];

			chain_text(x, src, chain, sizeof chain);
			return cr_error_set(err, CR_EXIT_INPUT, "%s:%u: source_profile cycle: %s",
					    sfile, sline, chain);
		}
		if (x->nchain >= MAX_CHAIN)
			return cr_error_set(err, CR_EXIT_INPUT, "%s:%u: more than %d source_profile "
					    "hops", sfile, sline, MAX_CHAIN);
		x->chain[x->nchain++] = src;
		rc = strcmp(src, profile) == 0 ? static_creds(x, src, &base, err) == 1 ? 0 : -1
					       : source_profile_creds(x, src, profile, &base, err);
		x->nchain--;
		if (rc < 0) {
			cr_aws_credentials_clear(&base);
			return -1;
		}
	} else if (strcmp(cs, "Environment") == 0) {
		rc = env_creds(&base, err);
		if (rc <= 0) {
			if (rc == 0)
				cr_error_set(err, CR_EXIT_AUTH, "%s:%u: profile '%s': "
					     "credential_source Environment, but AWS_ACCESS_KEY_ID "
					     "and AWS_SECRET_ACCESS_KEY are not set", cfile, cline,
					     profile);
			return -1;
		}
	} else if (strcmp(cs, "EcsContainer") == 0) {
		rc = container_creds(x, &base, err);
		if (rc <= 0) {
			if (rc == 0)
				cr_error_set(err, CR_EXIT_AUTH, "%s:%u: profile '%s': "
					     "credential_source EcsContainer, but "
					     "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI/_FULL_URI are not "
					     "set", cfile, cline, profile);
			return -1;
		}
	} else if (strcmp(cs, "Ec2InstanceMetadata") == 0) {
		char why[256];

		rc = cr_imds_credentials(&base, why, sizeof why, err);
		if (rc <= 0) {
			if (rc == 0)
				cr_error_set(err, CR_EXIT_AUTH, "%s:%u: profile '%s': "
					     "credential_source Ec2InstanceMetadata, but the "
					     "instance metadata gave no credentials (%s)", cfile,
					     cline, profile, why);
			return -1;
		}
	} else {
		return cr_error_set(err, CR_EXIT_INPUT, "%s:%u: profile '%s': credential_source "
				    "must be Environment, EcsContainer or Ec2InstanceMetadata",
				    cfile, cline, profile);
	}
	if (cr_aws_credentials_check(&base, x->now, err) < 0 ||
	    profile_duration(x, profile, &role.duration_seconds, err) < 0 ||
	    sts_target_ctx(x, &t, err) < 0) {
		cr_aws_credentials_clear(&base);
		return -1;
	}
	role.role_arn = role_arn;
	role.external_id = pval(x, profile, "external_id");
	role.session_name = pval(x, profile, "role_session_name");
	snprintf(via, sizeof via, "profile '%.100s'", profile);
	rc = do_assume_role(&base, &role, &t, x->timeout_ms, x->now, via, out, err);
	cr_aws_credentials_clear(&base);
	sts_target_free(&t);
	return rc;
}

/* ---- the chain ------------------------------------------------------------------ */

static void ctx_free(struct ctx *x)
{
	cr_ini_free(x->cred);
	cr_ini_free(x->conf);
	free(x->cred_path);
	free(x->conf_path);
}

static int ctx_init(struct ctx *x, const cr_aws_options *opt, cr_error *err)
{
	memset(x, 0, sizeof *x);
	x->opt = opt;
	x->now = opt && opt->now ? opt->now : time(NULL);
	x->timeout_ms = opt && opt->timeout_ms > 0 ? opt->timeout_ms : DEFAULT_TIMEOUT_MS;
	x->skip_env = opt && opt->profile;
	x->profile = opt && opt->profile ? opt->profile : cr_cred_env("AWS_PROFILE");
	if (!x->profile)
		x->profile = cr_cred_env("AWS_DEFAULT_PROFILE");
	x->profile_named = x->profile != NULL;
	if (!x->profile)
		x->profile = "default";
	x->cred_path = aws_file(cr_cred_env("AWS_SHARED_CREDENTIALS_FILE"), "credentials");
	x->conf_path = aws_file(cr_cred_env("AWS_CONFIG_FILE"), "config");
	if ((x->cred_path && cr_ini_load(x->cred_path, &x->cred, err) < 0) ||
	    (x->conf_path && cr_ini_load(x->conf_path, &x->conf, err) < 0)) {
		ctx_free(x);
		return -1;
	}
	return 0;
}

static void tried_file(cr_buf *t, const char *path, const cr_ini *ini, const char *section,
		       const cr_ini_section *s)
{
	if (!path) {
		cr_buf_addf(t, "; %s (HOME unset)", section);
		return;
	}
	cr_buf_addf(t, "; [%s] in %s (%s)", section, path,
		    !ini ? "no such file" : !s ? "no such section" : "no keys");
}

int cr_aws_credentials_resolve(const cr_aws_options *opt, cr_aws_credentials *out, cr_error *err)
{
	struct ctx x;
	cr_buf tried = CR_BUF_INIT;
	char confname[160], imds_why[256];
	int rc;

	memset(out, 0, sizeof *out);
	if (!(opt && opt->profile)) {
		rc = env_creds(out, err);
		if (rc < 0)
			return -1;
		if (rc > 0)
			goto found_noctx;
	}
	if (ctx_init(&x, opt, err) < 0)
		return -1;
	if (x.profile_named && !profile_exists(&x, x.profile)) {
		cr_error_set(err, CR_EXIT_AUTH, "AWS profile '%s' not found in %s or %s", x.profile,
			     x.cred_path ? x.cred_path : "~/.aws/credentials",
			     x.conf_path ? x.conf_path : "~/.aws/config");
		goto fail;
	}
	if (pval(&x, x.profile, "role_arn") && !pval(&x, x.profile, "web_identity_token_file")) {
		x.chain[x.nchain++] = x.profile;
		rc = profile_assume_role(&x, x.profile, out, err);
		if (rc < 0)
			goto fail;
		goto found;
	}
	rc = web_identity(&x, x.profile, !x.skip_env, out, err);
	if (rc < 0)
		goto fail;
	if (rc > 0)
		goto found;
	rc = sso_creds(&x, x.profile, out, err);
	if (rc < 0)
		goto fail;
	if (rc > 0)
		goto found;
	rc = section_creds(cred_section(&x, x.profile), x.cred_path, x.profile, out, err);
	if (rc < 0)
		goto fail;
	if (rc > 0)
		goto found;
	rc = process_creds(&x, x.profile, out, err);
	if (rc < 0)
		goto fail;
	if (rc > 0)
		goto found;
	rc = section_creds(conf_section(&x, x.profile), x.conf_path, x.profile, out, err);
	if (rc < 0)
		goto fail;
	if (rc > 0)
		goto found;
	rc = container_creds(&x, out, err);
	if (rc < 0)
		goto fail;
	if (rc > 0)
		goto found;
	rc = cr_imds_credentials(out, imds_why, sizeof imds_why, err);
	if (rc < 0)
		goto fail;
	if (rc > 0)
		goto found;

	cr_buf_adds(&tried, x.skip_env ? "environment variables (skipped: profile given)"
				       : "environment variables (AWS_ACCESS_KEY_ID unset)");
	cr_buf_adds(&tried, x.skip_env ? "; web identity (no web_identity_token_file in the profile)"
				       : "; web identity (AWS_WEB_IDENTITY_TOKEN_FILE unset)");
	tried_file(&tried, x.cred_path, x.cred, x.profile, cred_section(&x, x.profile));
	if (strcmp(x.profile, "default") == 0)
		snprintf(confname, sizeof confname, "default");
	else
		snprintf(confname, sizeof confname, "profile %.140s", x.profile);
	tried_file(&tried, x.conf_path, x.conf, confname, conf_section(&x, x.profile));
	cr_buf_adds(&tried, "; container credentials (AWS_CONTAINER_CREDENTIALS_RELATIVE_URI "
			    "and _FULL_URI unset)");
	cr_buf_addf(&tried, "; EC2 instance metadata (%s)", imds_why);
	cr_error_set(err, CR_EXIT_AUTH, "no AWS credentials found; tried %s", tried.ptr);
	cr_buf_release(&tried);
	goto fail;

found:
	ctx_free(&x);
found_noctx:
	if (cr_aws_credentials_check(out, opt && opt->now ? opt->now : 0, err) < 0) {
		cr_aws_credentials_clear(out);
		return -1;
	}
	return 0;
fail:
	cr_aws_credentials_clear(out);
	ctx_free(&x);
	return -1;
}

int cr_aws_profile_setting(const cr_aws_options *opt, const char *key, char **value,
			   cr_error *err)
{
	struct ctx x;
	const char *v;

	*value = NULL;
	if (ctx_init(&x, opt, err) < 0)
		return -1;
	v = pval(&x, x.profile, key);
	if (v)
		*value = cr_xstrdup(v);
	ctx_free(&x);
	return v ? 1 : 0;
}

int cr_aws_assume_role(const cr_aws_credentials *base, const cr_aws_role *role,
		       const cr_aws_options *opt, cr_aws_credentials *out, cr_error *err)
{
	struct ctx x;
	struct sts_target t = { 0 };
	int rc;

	memset(out, 0, sizeof *out);
	if (cr_aws_credentials_check(base, opt && opt->now ? opt->now : 0, err) < 0)
		return -1;
	if (ctx_init(&x, opt, err) < 0)
		return -1;
	rc = sts_target_ctx(&x, &t, err);
	if (rc == 0)
		rc = do_assume_role(base, role, &t, x.timeout_ms, x.now, NULL, out, err);
	if (rc == 0 && cr_aws_credentials_check(out, x.now, err) < 0)
		rc = -1;
	if (rc < 0)
		cr_aws_credentials_clear(out);
	sts_target_free(&t);
	ctx_free(&x);
	return rc;
}
