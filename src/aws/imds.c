/* imds.c - see costrank/imds.h */
#include "costrank/imds.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "costrank/buf.h"
#include "costrank/cred_common.h"
#include "costrank/headers.h"
#include "costrank/http.h"
#include "costrank/sigv4.h"

#define ENDPOINT_V4 "http://169.254.169.254"
#define ENDPOINT_V6 "http://[fd00:ec2::254]"
#define TOKEN_PATH "/latest/api/token"
#define ROLES_PATH "/latest/meta-data/iam/security-credentials/"
#define TOKEN_TTL "21600"
#define ANSWER_MAX (64u << 10)
#define ROLE_MAX 64

/* 169.254.169.254 or fd00:ec2::254, as a URL writes the host. */
static bool metadata_host(const char *host)
{
	char h[64];
	unsigned char a[16], want[16];
	size_t n = strlen(host);

	if (n >= 2 && host[0] == '[' && host[n - 1] == ']') {
		host++;
		n -= 2;
	}
	if (n >= sizeof h)
		return false;
	memcpy(h, host, n);
	h[n] = '\0';
	if (inet_pton(AF_INET, h, a) == 1)
		return memcmp(a, "\xa9\xfe\xa9\xfe", 4) == 0;
	return inet_pton(AF_INET6, h, a) == 1 && inet_pton(AF_INET6, "fd00:ec2::254", want) == 1 &&
	       memcmp(a, want, 16) == 0;
}

static int check_endpoint(const char *url, cr_error *err)
{
	cr_url u;
	bool ok;

	if (cr_url_parse(url, &u, err) < 0)
		return -1;
	ok = strcmp(u.scheme, "https") == 0 ||
	     (strcmp(u.scheme, "http") == 0 &&
	      (cr_http_host_is_loopback(u.host) || metadata_host(u.host)));
	cr_url_free(&u);
	if (!ok) {
		char *r = cr_url_redact(url);

		cr_error_set(err, CR_EXIT_AUTH, "EC2 instance metadata: %s: plain http is allowed "
			     "only to 169.254.169.254, [fd00:ec2::254] and loopback hosts", r);
		free(r);
		return -1;
	}
	return 0;
}

struct imds {
	cr_buf base;            /* scheme://host[:port], no trailing '/' */
	char *where;            /* the same, for messages */
	cr_headers h;
	cr_http_response resp;
	char *why;
	size_t why_size;
};

/*
 * One request of at most a second, never retried.  1 when an answer came
 * (in x->resp), 0 when none did (x->why says so).
 */
static int call(struct imds *x, const char *method, const char *path)
{
	cr_buf url = CR_BUF_INIT;
	cr_error e = { 0 };
	int rc;

	cr_buf_addf(&url, "%s%s", x->base.ptr, path);
	{
		cr_http_request rq = {
			.method = method, .url = url.ptr, .headers = &x->h,
			.connect_timeout_ms = CR_IMDS_TIMEOUT_MS, .timeout_ms = CR_IMDS_TIMEOUT_MS,
			.flags = CR_HTTP_ALLOW_IMDS_HTTP,
			.max_response = ANSWER_MAX,
		};

		rc = cr_http_perform(&rq, &x->resp, &e) == 0;
	}
	/* A URL the HTTP layer refuses (plain http to a host it does not
	 * admit) was never tried: say so rather than "no answer". */
	if (!rc && e.code == CR_EXIT_USAGE)
		snprintf(x->why, x->why_size, "%s: plain http not allowed", x->where);
	else if (!rc)
		snprintf(x->why, x->why_size, "no answer");
	cr_buf_release(&url);
	return rc;
}

/* The first line of the role list, when it is a role name. */
static bool role_name(const cr_buf *body, char *role, size_t size)
{
	size_t n = 0;

	if (!body->ptr)
		return false;
	while (n < body->len && body->ptr[n] != '\n' && body->ptr[n] != '\r')
		n++;
	if (n == 0 || n > ROLE_MAX || n >= size)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalnum((unsigned char)body->ptr[i]) && !strchr("+=,.@_-", body->ptr[i]))
			return false;
	memcpy(role, body->ptr, n);
	role[n] = '\0';
	return true;
}

/* The credentials answer for role into *out: 1 or -1. */
static int role_credentials(struct imds *x, const char *role, cr_aws_credentials *out,
			    cr_error *err)
{
	cr_buf what = CR_BUF_INIT, src = CR_BUF_INIT;
	json_t *doc = NULL;
	const char *code;
	int rc = -1;

	cr_buf_addf(&what, "EC2 instance metadata (role %s) from %s", role, x->where);
	cr_buf_addf(&src, "EC2 instance metadata (role %s)", role);
	if (x->resp.status != 200) {
		cr_error_set(err, CR_EXIT_AUTH, "%s: HTTP %ld", what.ptr, x->resp.status);
		goto out;
	}
	doc = cr_cred_json_load(x->resp.body.ptr, x->resp.body.len);
	code = json_string_value(json_object_get(doc, "Code"));
	if (!json_is_object(doc))
		cr_error_set(err, CR_EXIT_AUTH, "%s: not a JSON object", what.ptr);
	else if (!code || strcmp(code, "Success") != 0)
		cr_error_set(err, CR_EXIT_AUTH, "%s: Code is not Success", what.ptr);
	else if (cr_cred_from_json(doc, "Token", what.ptr, src.ptr, out, err) == 0)
		rc = 1;
out:
	cr_cred_json_free(doc);
	cr_buf_release(&what);
	cr_buf_release(&src);
	return rc;
}

int cr_imds_credentials(cr_aws_credentials *out, char *why, size_t why_size, cr_error *err)
{
	const char *off = cr_cred_env("AWS_EC2_METADATA_DISABLED");
	const char *ep = cr_cred_env("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	const char *mode = cr_cred_env("AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE");
	struct imds x = { CR_BUF_INIT, NULL, CR_HEADERS_INIT, CR_HTTP_RESPONSE_INIT, why,
			  why_size };
	char role[ROLE_MAX + 1];
	char *token = NULL;
	size_t n;
	int rc = 0;

	memset(out, 0, sizeof *out);
	snprintf(why, why_size, "no answer");
	if (off && strcasecmp(off, "true") == 0) {
		snprintf(why, why_size, "disabled by AWS_EC2_METADATA_DISABLED");
		return 0;
	}
	if (!ep)
		ep = mode && strcasecmp(mode, "IPv6") == 0 ? ENDPOINT_V6 : ENDPOINT_V4;
	n = strlen(ep);
	while (n && ep[n - 1] == '/')
		n--;
	cr_buf_add(&x.base, ep, n);
	if (check_endpoint(x.base.ptr, err) < 0) {
		cr_buf_release(&x.base);
		return -1;
	}
	x.where = cr_url_redact(x.base.ptr);

	cr_headers_add(&x.h, "X-aws-ec2-metadata-token-ttl-seconds", TOKEN_TTL);
	if (!call(&x, "PUT", TOKEN_PATH))
		goto out;
	if (x.resp.status != 200 || !x.resp.body.len ||
	    strcspn(x.resp.body.ptr, "\r\n") != x.resp.body.len) {
		snprintf(why, why_size, "no IMDSv2 token: HTTP %ld from %s", x.resp.status,
			 x.where);
		goto out;
	}
	token = cr_xstrndup(x.resp.body.ptr, x.resp.body.len);
	cr_headers_free(&x.h);
	cr_headers_add(&x.h, "X-aws-ec2-metadata-token", token);

	if (!call(&x, "GET", ROLES_PATH))
		goto out;
	if (x.resp.status == 404 || (x.resp.status == 200 && !x.resp.body.len)) {
		snprintf(why, why_size, "no IAM role attached to the instance");
		goto out;
	}
	if (x.resp.status != 200) {
		snprintf(why, why_size, "HTTP %ld from %s", x.resp.status, x.where);
		goto out;
	}
	if (!role_name(&x.resp.body, role, sizeof role)) {
		rc = cr_error_set(err, CR_EXIT_AUTH, "EC2 instance metadata from %s: the role list "
				  "does not start with a role name", x.where);
		goto out;
	}
	{
		cr_buf path = CR_BUF_INIT;

		cr_buf_adds(&path, ROLES_PATH);
		cr_uri_encode(&path, role, strlen(role), false);
		rc = call(&x, "GET", path.ptr);
		cr_buf_release(&path);
	}
	if (rc)
		rc = role_credentials(&x, role, out, err);
out:
	cr_http_response_free(&x.resp);
	cr_headers_free(&x.h);
	cr_free_secret(token);
	cr_buf_release(&x.base);
	free(x.where);
	return rc;
}
