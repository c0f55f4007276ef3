/*
 * test_credentials.c - the AWS credential chain (credentials.h).
 *
 * Every test starts from an empty AWS environment with HOME pointing to a
 * temporary directory, writes the config and credentials files it needs,
 * and points STS (or the container endpoint) at a stub server on
 * 127.0.0.1.  The stub answers AssumeRole / AssumeRoleWithWebIdentity with
 * credentials derived from the request, and the tests check what it
 * received: the action, RoleArn and the other form fields, and for
 * AssumeRole a SigV4 signature that is recomputed here from the recorded
 * request with the source credentials.  No error message may contain a
 * secret key, a session token or a web identity token.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "costrank/buf.h"
#include "costrank/credentials.h"
#include "costrank/error.h"
#include "costrank/headers.h"
#include "costrank/http.h"
#include "costrank/sigv4.h"

#include "http_stub.h"

#define SRC_AKID "AKIDSOURCEEXAMPLE"
#define SRC_SECRET "SourceSecretKey/abcdefghijklmnopqrstuvwxyz"
#define SRC_TOKEN "SourceSessionToken+xyz=="
#define WEB_TOKEN "eyJhbGciOiJSUzI1NiJ9.WEB-IDENTITY-TOKEN.signature"
#define CONTAINER_TOKEN "ContainerAuthToken-123"

static char home[PATH_MAX];

static const char *const aws_env[] = {
	"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
	"AWS_CREDENTIAL_EXPIRATION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
	"AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_ROLE_ARN",
	"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_SESSION_NAME",
	"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
	"AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
	"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL_STS",
};

/* ---- environment and files --------------------------------------------------- */

static int rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

static void no_sleep(long ms)
{
	(void)ms;
}

static int setup(void **state)
{
	const char *base = getenv("TMPDIR");

	(void)state;
	snprintf(home, sizeof home, "%s/costrank-test-creds-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(home))
		return -1;
	cr_set_sleep_hook(no_sleep);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	nftw(home, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	cr_set_sleep_hook(NULL);
	return 0;
}

/* Before each test: an empty AWS environment, an empty HOME. */
static int fresh(void **state)
{
	char aws[PATH_MAX + 8];

	(void)state;
	for (size_t i = 0; i < sizeof aws_env / sizeof aws_env[0]; i++)
		unsetenv(aws_env[i]);
	setenv("HOME", home, 1);
	snprintf(aws, sizeof aws, "%s/.aws", home);
	nftw(aws, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	mkdir(aws, 0700);
	return 0;
}

static const char *hpath(const char *rel)
{
	static char p[4][PATH_MAX + 64];
	static int slot;
	char *s = p[slot++ % 4];

	snprintf(s, PATH_MAX + 64, "%s/%s", home, rel);
	return s;
}

static void write_file(const char *rel, const char *text)
{
	FILE *f = fopen(hpath(rel), "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* No secret of any kind in a message. */
static void assert_clean(const char *msg)
{
	static const char *const secrets[] = {
		SRC_SECRET, SRC_TOKEN, WEB_TOKEN, CONTAINER_TOKEN, "SourceSecretKey",
		"secret-", "token-", "ENVSECRET", "ENVTOKEN", "FILESECRET", "CONFSECRET",
	};

	for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++)
		if (strstr(msg, secrets[i]))
			fail_msg("message holds a secret (%s): %s", secrets[i], msg);
}

/* ---- the STS stub ------------------------------------------------------------- */

enum sts_mode { STS_OK, STS_DENIED, STS_DOWN, STS_EXPIRED, STS_GARBAGE };

struct sts {
	enum sts_mode mode;
	struct stub stub;
};

/* The decoded value of form field key in body (static storage). */
static const char *form_value(const char *body, const char *key)
{
	static char out[4][1024];
	static int slot;
	char *o = out[slot++ % 4];
	size_t klen = strlen(key);
	const char *p = body;

	while (p && *p) {
		if (strncmp(p, key, klen) == 0 && p[klen] == '=') {
			const char *v = p + klen + 1;
			size_t n = 0;

			while (*v && *v != '&' && n + 1 < sizeof out[0]) {
				unsigned int c;

				if (*v == '%' && sscanf(v + 1, "%2x", &c) == 1) {
					o[n++] = (char)c;
					v += 3;
				} else {
					o[n++] = *v++;
				}
			}
			o[n] = '\0';
			return o;
		}
		p = strchr(p, '&');
		if (p)
			p++;
	}
	return NULL;
}

static void sts_handler(struct stub *s, const struct stub_request *rq, struct stub_response *resp,
			void *ctx)
{
	struct sts *st = ctx;
	const char *action = form_value(rq->body, "Action");
	const char *arn = form_value(rq->body, "RoleArn");
	size_t n = s->nreq + 1;

	if (!action)
		action = "?";
	cr_headers_add(&resp->headers, "Content-Type", "text/xml");
	switch (st->mode) {
	case STS_DENIED:
		resp->status = 403;
		/* AWS would not echo secrets; the test makes sure we never would
		 * pass them on if it did. */
		{
			const char *tok = cr_headers_get(&rq->headers, "x-amz-security-token");
			const char *web = form_value(rq->body, "WebIdentityToken");

			cr_buf_addf(&resp->body,
				    "<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>"
				    "<Message>not authorized to assume %s (%s %s %s)</Message></Error>"
				    "</ErrorResponse>", arn ? arn : "?", tok ? tok : "-",
				    web ? web : "-", web ? "-" : SRC_SECRET);
		}
		return;
	case STS_DOWN:
		resp->status = 503;
		cr_buf_adds(&resp->body, "<ErrorResponse><Error><Code>ServiceUnavailable</Code>"
				     "</Error></ErrorResponse>");
		return;
	case STS_GARBAGE:
		resp->status = 200;
		cr_buf_adds(&resp->body, "<html>captive portal</html>");
		return;
	default:
		break;
	}
	resp->status = 200;
	cr_buf_addf(&resp->body,
		    "<%sResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><%sResult>"
		    "<AssumedRoleUser><Arn>%s</Arn></AssumedRoleUser><Credentials>"
		    "<AccessKeyId>ASIASTUB%zu</AccessKeyId>"
		    "<SecretAccessKey>secret-%zu-%s</SecretAccessKey>"
		    "<SessionToken>token-%zu</SessionToken>"
		    "<Expiration>%s</Expiration></Credentials></%sResult></%sResponse>",
		    action, action, arn ? arn : "?", n, n, arn ? strrchr(arn, '/') + 1 : "?", n,
		    st->mode == STS_EXPIRED ? "2001-01-01T00:00:00Z" : "2099-01-01T00:00:00Z",
		    action, action);
}

static void sts_start(struct sts *st, enum sts_mode mode)
{
	memset(st, 0, sizeof *st);
	st->mode = mode;
	assert_int_equal(stub_start(&st->stub, sts_handler, st), 0);
}

/*
 * Recomputes the SigV4 signature of a recorded AssumeRole request with the
 * given credentials and checks it against the one sent.
 */
static void assert_signed_by(const struct stub_request *rq, const char *akid,
			     const char *secret, const char *token, const char *region)
{
	const char *auth = cr_headers_get(&rq->headers, "authorization");
	const char *date = cr_headers_get(&rq->headers, "x-amz-date");
	char want_prefix[256], signed_list[512], *p, *q;
	cr_headers h = CR_HEADERS_INIT;
	cr_aws_credentials c = { .access_key_id = (char *)akid,
				 .secret_access_key = (char *)secret,
				 .session_token = (char *)token };
	cr_sigv4_result res;
	cr_error err;

	assert_non_null(auth);
	assert_non_null(date);
	snprintf(want_prefix, sizeof want_prefix,
		 "AWS4-HMAC-SHA256 Credential=%s/%.8s/%s/sts/aws4_request, SignedHeaders=", akid,
		 date, region);
	if (strncmp(auth, want_prefix, strlen(want_prefix)) != 0)
		fail_msg("Authorization '%s' does not start with '%s'", auth, want_prefix);
	p = strstr(auth, "SignedHeaders=") + 14;
	q = strchr(p, ',');
	assert_non_null(q);
	snprintf(signed_list, sizeof signed_list, "%.*s", (int)(q - p), p);
	assert_non_null(strstr(signed_list, "content-type"));
	assert_non_null(strstr(signed_list, "host"));
	assert_non_null(strstr(signed_list, "x-amz-date"));
	if (token) {
		assert_non_null(strstr(signed_list, "x-amz-security-token"));
		assert_string_equal(cr_headers_get(&rq->headers, "x-amz-security-token"), token);
	} else {
		assert_null(strstr(signed_list, "x-amz-security-token"));
	}
	/* The recorded fields that were signed, as ";name;" in ";list;". */
	{
		char list[520];

		snprintf(list, sizeof list, ";%s;", signed_list);
		for (size_t i = 0; i < rq->headers.n; i++) {
			char lname[130];
			size_t k;

			lname[0] = ';';
			for (k = 0; rq->headers.v[i].name[k] && k + 3 < sizeof lname; k++)
				lname[k + 1] = (char)tolower((unsigned char)rq->headers.v[i].name[k]);
			lname[k + 1] = ';';
			lname[k + 2] = '\0';
			if (strstr(list, lname))
				cr_headers_add(&h, rq->headers.v[i].name, rq->headers.v[i].value);
		}
	}
	{
		char *qm = strchr(rq->target, '?');
		char path[512];

		snprintf(path, sizeof path, "%.*s", qm ? (int)(qm - rq->target) : (int)strlen(rq->target),
			 rq->target);
		cr_error_clear(&err);
		cr_sigv4_request srq = {
			.method = rq->method, .path = path, .query = qm ? qm + 1 : NULL,
			.headers = &h, .body = rq->body, .body_len = rq->body_len, .region = region,
			.service = "sts", .amz_date = date, .creds = &c,
		};
		assert_int_equal(cr_sigv4_sign(&srq, &res, &err), 0);
	}
	assert_string_equal(res.authorization, auth);
	cr_sigv4_result_free(&res);
	cr_headers_free(&h);
}

static int resolve(const cr_aws_options *opt, cr_aws_credentials *c, cr_error *err)
{
	memset(c, 0, sizeof *c);
	cr_error_clear(err);
	return cr_aws_credentials_resolve(opt, c, err);
}

/* ---- environment ----------------------------------------------------------------- */

static void test_env_keys(void **state)
{
	cr_aws_credentials c;
	cr_error err;

	(void)state;
	setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "ENVSECRET", 1);
	setenv("AWS_SESSION_TOKEN", "ENVTOKEN", 1);
	write_file(".aws/credentials", "[default]\naws_access_key_id = AKIDFILE\n"
				       "aws_secret_access_key = FILESECRET\n");
	assert_int_equal(resolve(NULL, &c, &err), 0);
	assert_string_equal(c.access_key_id, "AKIDENV");
	assert_string_equal(c.secret_access_key, "ENVSECRET");
	assert_string_equal(c.session_token, "ENVTOKEN");
	assert_int_equal(c.expiration, 0);
	assert_string_equal(c.source, "environment variables");
	cr_aws_credentials_clear(&c);
	assert_null(c.secret_access_key);

	/* A broken config file does not matter when the environment has keys. */
	write_file(".aws/config", "this is not ini\n");
	assert_int_equal(resolve(NULL, &c, &err), 0);
	cr_aws_credentials_clear(&c);
}

static void test_env_partial_and_expired(void **state)
{
	cr_aws_credentials c;
	cr_error err;

	(void)state;
	setenv("AWS_SECRET_ACCESS_KEY", "ENVSECRET", 1);
	assert_int_equal(resolve(NULL, &c, &err), -1);
	assert_int_equal(err.code, CR_EXIT_AUTH);
	assert_string_equal(err.msg, "AWS_SECRET_ACCESS_KEY is set but AWS_ACCESS_KEY_ID is not");
	assert_clean(err.msg);
	assert_null(c.access_key_id);

	setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
	setenv("AWS_CREDENTIAL_EXPIRATION", "2001-02-03T04:05:06Z", 1);
	assert_int_equal(resolve(NULL, &c, &err), -1);
	assert_int_equal(err.code, CR_EXIT_AUTH);
	assert_string_equal(err.msg, "AWS credentials from environment variables expired at "
				     "2001-02-03T04:05:06Z");
	assert_null(c.access_key_id);

	setenv("AWS_CREDENTIAL_EXPIRATION", "2099-02-03T04:05:06Z", 1);
	assert_int_equal(resolve(NULL, &c, &err), 0);
	assert_true(c.expiration > 0);
	cr_aws_credentials_clear(&c);

	setenv("AWS_CREDENTIAL_EXPIRATION", "soon", 1);
	assert_int_equal(resolve(NULL, &c, &err), -1);
	assert_non_null(strstr(err.msg, "AWS_CREDENTIAL_EXPIRATION"));
}

static void test_explicit_profile_skips_env(void **state)
{
	cr_aws_options opt = { .profile = "dev" };
	cr_aws_credentials c;
	cr_error err;

	(void)state;
	setenv("AWS_ACCESS_KEY_ID", "AKIDENV", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "ENVSECRET", 1);
	write_file(".aws/credentials", "[dev]\naws_access_key_id = AKIDDEV\n"
				       "aws_secret_access_key = FILESECRET\n");
	assert_int_equal(resolve(&opt, &c, &err), 0);
	assert_string_equal(c.access_key_id, "AKIDDEV");
	assert_null(c.session_token);
	assert_non_null(strstr(c.source, "profile 'dev' in "));
	cr_aws_credentials_clear(&c);

	/* AWS_PROFILE only chooses the profile: environment keys still win,
	 * as in the AWS CLI. */
	setenv("AWS_PROFILE", "dev", 1);
	assert_int_equal(resolve(NULL, &c, &err), 0);
	assert_string_equal(c.access_key_id, "AKIDENV");
	cr_aws_credentials_clear(&c);
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	assert_int_equal(resolve(NULL, &c, &err), 0);
	assert_string_equal(c.access_key_id, "AKIDDEV");
	cr_aws_credentials_clear(&c);
}

/* ---- files ------------------------------------------------------------------------ */

static void test_credentials_file_beats_config(void **state)
{
	cr_aws_credentials c;
	cr_error err;

	(void)state;
	write_file(".aws/credentials", "[default]\naws_access_key_id = AKIDCREDS\n"
				       "aws_secret_access_key = FILESECRET\n"
				       "aws_session_token = FILETOKEN\n");
	write_file(".aws/config", "[default]\nregion = eu-west-1\naws_access_key_id = AKIDCONF\n"
				  "aws_secret_access_key = CONFSECRET\n");
	assert_int_equal(resolve(NULL, &c, &err), 0);
	assert_string_equal(c.access_key_id, "AKIDCREDS");
	assert_string_equal(c.session_token, "FILETOKEN");
	assert_non_null(strstr(c.source, "/.aws/credentials"));
	cr_aws_credentials_clear(&c);

	write_file(".aws/credentials", "[other]\naws_access_key_id = X\naws_secret_access_key = Y\n");
	assert_int_equal(resolve(NULL, &c, &err), 0);
	assert_string_equal(c.access_key_id, "AKIDCONF");
	assert_string_equal(c.secret_access_key, "CONFSECRET");
	assert_non_null(strstr(c.source, "/.aws/config"));
	cr_aws_credentials_clear(&c);
}

static void test_profile_section_names(void **state)
{
	cr_aws_options opt = { .profile = "team" };
	cr_aws_credentials c;
	cr_error err;

	(void)state;
	/* In the config file a profile is [profile NAME]; a bare [team] is not. */
	write_file(".aws/config", "[team]\naws_access_key_id = WRONG\n"
				  "aws_secret_access_key = WRONG\n"
				  "[profile team]\naws_access_key_id = AKIDTEAM\n"
				  "aws_secret_access_key = CONFSECRET\n"
				  "[profile \"quoted\"]\naws_access_key_id = AKIDQ\n"
				  "aws_secret_access_key = CONFSECRET\n");
	assert_int_equal(resolve(&opt, &c, &err), 0);
	assert_string_equal(c.access_key_id, "AKIDTEAM");
	cr_aws_credentials_clear(&c);

	opt.profile = "quoted";
	assert_int_equal(resolve(&opt, &c, &err), 0);
	assert_string_equal(c.access_key_id, "AKIDQ");
	cr_aws_credentials_clear(&c);

	/* In the credentials file it is [NAME]; [profile NAME] is another name. */
	write_file(".aws/config", "");
	write_file(".aws/credentials", "[profile team]\naws_access_key_id = WRONG\n"
				       "aws_secret_access_key = WRONG\n"
				       "[team]\naws_access_key_id = AKIDCRED\n"
				       "aws_secret_access_key = FILESECRET\n");
	opt.profile = "team";
	assert_int_equal(resolve(&opt, &c, &err), 0);
	assert_string_equal(c.access_key_id, "AKIDCRED");
	cr_aws_credentials_clear(&c);

	/* A named profile that exists nowhere is an error. */
	opt.profile = "nope";
	assert_int_equal(resolve(&opt, &c, &err), -1);
	assert_int_equal(err.code, CR_EXIT_AUTH);
	assert_non_null(strstr(err.msg, "AWS profile 'nope' not found in "));
}

static void test_file_overrides(void **state)
{
	cr_aws_credentials c;
	cr_error err;

	(void)state;
	write_file("creds.ini", "[default]\naws_access_key_id = AKIDOVR\n"
				"aws_secret_access_key = FILESECRET\n");
	setenv("AWS_SHARED_CREDENTIALS_FILE", "~/creds.ini", 1);
	setenv("AWS_CONFIG_FILE", hpath("missing-config"), 1);
	assert_int_equal(resolve(NULL, &c, &err), 0);
	assert_string_equal(c.access_key_id, "AKIDOVR");
	assert_non_null(strstr(c.source, "creds.ini"));
	cr_aws_credentials_clear(&c);
}

static void test_partial_and_malformed_files(void **state)
{
	cr_aws_credentials c;
	cr_error err;

	(void)state;
	write_file(".aws/credentials", "[default]\n\naws_access_key_id = AKIDONLY\n");
	assert_int_equal(resolve(NULL, &c, &err), -1);
	assert_int_equal(err.code, CR_EXIT_AUTH);
	assert_non_null(strstr(err.msg, "/.aws/credentials:3: profile 'default' has "
					"aws_access_key_id but no aws_secret_access_key"));

	write_file(".aws/credentials", "[default]\naws_secret_access_key = FILESECRET\nbroken\n");
	assert_int_equal(resolve(NULL, &c, &err), -1);
	assert_int_equal(err.code, CR_EXIT_INPUT);
	assert_non_null(strstr(err.msg, "/.aws/credentials:3: expected 'key = value'"));
	assert_clean(err.msg);
}

static void test_missing_lists_sources(void **state)
{
	cr_aws_credentials c;
	cr_error err;

	(void)state;
	assert_int_equal(resolve(NULL, &c, &err), -1);
	assert_int_equal(err.code, CR_EXIT_AUTH);
	assert_int_equal(strncmp(err.msg, "no AWS credentials found; tried ", 32), 0);
	assert_non_null(strstr(err.msg, "environment variables"));
	assert_non_null(strstr(err.msg, "web identity"));
	assert_non_null(strstr(err.msg, "[default] in "));
	assert_non_null(strstr(err.msg, "/.aws/credentials (no such file)"));
	assert_non_null(strstr(err.msg, "/.aws/config (no such file)"));
	assert_non_null(strstr(err.msg, "container credentials"));
	assert_null(strchr(err.msg, '\n'));

	write_file(".aws/config", "[profile x]\nregion = eu-west-1\n");
	write_file(".aws/credentials", "[default]\nregion = eu-west-1\n");
	assert_int_equal(resolve(NULL, &c, &err), -1);
	assert_non_null(strstr(err.msg, "/.aws/credentials (no keys)"));
	assert_non_null(strstr(err.msg, "/.aws/config (no such section)"));
}

/* ---- assume role -------------------------------------------------------------------- */

static void test_assume_role_source_profile(void **state)
{
	struct sts st;
	cr_aws_options opt = { .profile = "prod" };
	cr_aws_credentials c;
	cr_error err;
	const struct stub_request *rq;

	(void)state;
	sts_start(&st, STS_OK);
	opt.sts_endpoint = st.stub.url;
	write_file(".aws/credentials", "[base]\naws_access_key_id = " SRC_AKID "\n"
				       "aws_secret_access_key = " SRC_SECRET "\n");
	write_file(".aws/config", "[profile prod]\n"
				  "role_arn = arn:aws:iam::123456789012:role/cost-reader\n"
				  "source_profile = base\n"
				  "external_id = ext-42\n"
				  "role_session_name = finops run\n"
				  "duration_seconds = 1800\n"
				  "region = eu-central-1\n");
	assert_int_equal(resolve(&opt, &c, &err), 0);
	assert_int_equal(stub_count(&st.stub), 1);
	rq = &st.stub.req[0];
	assert_string_equal(rq->method, "POST");
	assert_string_equal(rq->target, "/");
	assert_string_equal(cr_headers_get(&rq->headers, "content-type"),
			    "application/x-www-form-urlencoded; charset=utf-8");
	assert_string_equal(rq->body,
			    "Action=AssumeRole&Version=2011-06-15"
			    "&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fcost-reader"
			    "&RoleSessionName=finops%20run&DurationSeconds=1800&ExternalId=ext-42");
	/* Region from the profile, endpoint from the option. */
	assert_signed_by(rq, SRC_AKID, SRC_SECRET, NULL, "eu-central-1");
	assert_string_equal(c.access_key_id, "ASIASTUB1");
	assert_string_equal(c.secret_access_key, "secret-1-cost-reader");
	assert_string_equal(c.session_token, "token-1");
	assert_int_equal(c.expiration, 4070908800);
	assert_string_equal(c.source, "role arn:aws:iam::123456789012:role/cost-reader "
				      "(profile 'prod')");
	cr_aws_credentials_clear(&c);
	stub_stop(&st.stub);
}

static void test_assume_role_chain_and_token(void **state)
{
	struct sts st;
	cr_aws_credentials c;
	cr_error err;

	(void)state;
	sts_start(&st, STS_OK);
	setenv("AWS_ENDPOINT_URL_STS", st.stub.url, 1);
	setenv("AWS_PROFILE", "top", 1);
	setenv("AWS_REGION", "ap-southeast-2", 1);
	write_file(".aws/credentials", "[root]\naws_access_key_id = " SRC_AKID "\n"
				       "aws_secret_access_key = " SRC_SECRET "\n"
				       "aws_session_token = " SRC_TOKEN "\n");
	write_file(".aws/config", "[profile top]\nrole_arn = arn:aws:iam::1:role/top\n"
				  "source_profile = middle\n"
				  "[profile middle]\nrole_arn = arn:aws:iam::1:role/middle\n"
				  "source_profile = root\n");
	assert_int_equal(resolve(NULL, &c, &err), 0);
	assert_int_equal(stub_count(&st.stub), 2);
	/* middle first, signed with root's keys and session token... */
	assert_non_null(strstr(st.stub.req[0].body, "RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fmiddle"));
	assert_signed_by(&st.stub.req[0], SRC_AKID, SRC_SECRET, SRC_TOKEN, "ap-southeast-2");
	/* ...then top, signed with what middle returned. */
	assert_non_null(strstr(st.stub.req[1].body, "RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Ftop"));
	assert_signed_by(&st.stub.req[1], "ASIASTUB1", "secret-1-middle", "token-1",
			 "ap-southeast-2");
	assert_string_equal(c.access_key_id, "ASIASTUB2");
	assert_string_equal(c.secret_access_key, "secret-2-top");
	cr_aws_credentials_clear(&c);
	stub_stop(&st.stub);
}

static void test_source_profile_cycles(void **state)
{
	struct sts st;
	cr_aws_options opt = { .profile = "a" };
	cr_aws_credentials c;
	cr_error err;

	(void)state;
	sts_start(&st, STS_OK);
	opt.sts_endpoint = st.stub.url;
	write_file(".aws/config", "[profile a]\nrole_arn = arn:aws:iam::1:role/a\n"
				  "source_profile = b\n"
				  "[profile b]\nrole_arn = arn:aws:iam::1:role/b\n"
				  "source_profile = c\n"
				  "[profile c]\nrole_arn = arn:aws:iam::1:role/c\n"
				  "source_profile = a\n");
	assert_int_equal(resolve(&opt, &c, &err), -1);
	assert_int_equal(err.code, CR_EXIT_INPUT);
	assert_non_null(strstr(err.msg, "/.aws/config:9: source_profile cycle: a -> b -> c -> a"));
	assert_int_equal(stub_count(&st.stub), 0);

	/* Naming itself without keys is a cycle too... */
	write_file(".aws/config", "[profile a]\nrole_arn = arn:aws:iam::1:role/a\n"
				  "source_profile = a\n");
	assert_int_equal(resolve(&opt, &c, &err), -1);
	assert_non_null(strstr(err.msg, "source_profile cycle: a -> a"));

	/* ...but allowed with static keys: they are the source. */
	write_file(".aws/credentials", "[a]\naws_access_key_id = " SRC_AKID "\n"
				       "aws_secret_access_key = " SRC_SECRET "\n");
	assert_int_equal(resolve(&opt, &c, &err), 0);
	assert_int_equal(stub_count(&st.stub), 1);
	assert_signed_by(&st.stub.req[0], SRC_AKID, SRC_SECRET, NULL, "us-east-1");
	assert_string_equal(c.access_key_id, "ASIASTUB1");
	cr_aws_credentials_clear(&c);

	/* A source profile that does not exist. */
	write_file(".aws/config", "[profile a]\nrole_arn = arn:aws:iam::1:role/a\n"
				  "source_profile = ghost\n");
	assert_int_equal(resolve(&opt, &c, &err), -1);
	assert_int_equal(err.code, CR_EXIT_INPUT);
	assert_non_null(strstr(err.msg, "/.aws/config:3: profile 'a': source_profile 'ghost' "
					"does not exist"));

	/* Neither source_profile nor credential_source. */
	write_file(".aws/config", "[profile a]\nrole_arn = arn:aws:iam::1:role/a\n");
	write_file(".aws/credentials", "");
	assert_int_equal(resolve(&opt, &c, &err), -1);
	assert_non_null(strstr(err.msg, "/.aws/config:2: profile 'a' has role_arn but neither "
					"source_profile nor credential_source"));
	stub_stop(&st.stub);
}

static void test_credential_source_environment(void **state)
{
	struct sts st;
	cr_aws_options opt = { .profile = "ci" };
	cr_aws_credentials c;
	cr_error err;

	(void)state;
	sts_start(&st, STS_OK);
	opt.sts_endpoint = st.stub.url;
	write_file(".aws/config", "[profile ci]\nrole_arn = arn:aws:iam::1:role/ci\n"
				  "credential_source = Environment\n");
	assert_int_equal(resolve(&opt, &c, &err), -1);
	assert_non_null(strstr(err.msg, "credential_source Environment, but AWS_ACCESS_KEY_ID"));

	setenv("AWS_ACCESS_KEY_ID", SRC_AKID, 1);
	setenv("AWS_SECRET_ACCESS_KEY", SRC_SECRET, 1);
	assert_int_equal(resolve(&opt, &c, &err), 0);
	assert_signed_by(&st.stub.req[0], SRC_AKID, SRC_SECRET, NULL, "us-east-1");
	assert_string_equal(c.secret_access_key, "secret-1-ci");
	cr_aws_credentials_clear(&c);

	write_file(".aws/config", "[profile ci]\nrole_arn = arn:aws:iam::1:role/ci\n"
				  "credential_source = Bogus\n");
	assert_int_equal(resolve(&opt, &c, &err), -1);
	assert_int_equal(err.code, CR_EXIT_INPUT);
	stub_stop(&st.stub);
}

static void test_sts_errors(void **state)
{
	struct sts st;
	cr_aws_options opt = { .profile = "prod" };
	cr_aws_credentials c;
	cr_error err;

	(void)state;
	write_file(".aws/credentials", "[base]\naws_access_key_id = " SRC_AKID "\n"
				       "aws_secret_access_key = " SRC_SECRET "\n"
				       "aws_session_token = " SRC_TOKEN "\n");
	write_file(".aws/config", "[profile prod]\nrole_arn = arn:aws:iam::1:role/r\n"
				  "source_profile = base\n");

	sts_start(&st, STS_DENIED);
	opt.sts_endpoint = st.stub.url;
	assert_int_equal(resolve(&opt, &c, &err), -1);
	assert_int_equal(err.code, CR_EXIT_AUTH);
	assert_non_null(strstr(err.msg, "STS AssumeRole arn:aws:iam::1:role/r (profile 'prod'): "
					"HTTP 403 AccessDenied: not authorized to assume"));
	assert_non_null(strstr(err.msg, "[redacted]"));
	assert_clean(err.msg);
	assert_null(strstr(err.msg, SRC_AKID));
	assert_int_equal(stub_count(&st.stub), 1);
	assert_null(c.access_key_id);
	stub_stop(&st.stub);

	sts_start(&st, STS_DOWN);
	opt.sts_endpoint = st.stub.url;
	assert_int_equal(resolve(&opt, &c, &err), -1);
	assert_int_equal(err.code, CR_EXIT_REMOTE);
	assert_non_null(strstr(err.msg, "HTTP 503 ServiceUnavailable"));
	assert_int_equal(stub_count(&st.stub), 3); /* retried */
	stub_stop(&st.stub);

	sts_start(&st, STS_GARBAGE);
	opt.sts_endpoint = st.stub.url;
	assert_int_equal(resolve(&opt, &c, &err), -1);
	assert_int_equal(err.code, CR_EXIT_REMOTE);
	assert_non_null(strstr(err.msg, "malformed response"));
	stub_stop(&st.stub);

	sts_start(&st, STS_EXPIRED);
	opt.sts_endpoint = st.stub.url;
	assert_int_equal(resolve(&opt, &c, &err), -1);
	assert_int_equal(err.code, CR_EXIT_AUTH);
	assert_non_null(strstr(err.msg, "expired at 2001-01-01T00:00:00Z"));
	assert_non_null(strstr(err.msg, "role arn:aws:iam::1:role/r"));
	assert_clean(err.msg);
	stub_stop(&st.stub);

	/* Nothing listening. */
	{
		char url[64];

		snprintf(url, sizeof url, "http://127.0.0.1:%d", stub_closed_port());
		opt.sts_endpoint = url;
		opt.timeout_ms = 2000;
		assert_int_equal(resolve(&opt, &c, &err), -1);
		assert_int_equal(err.code, CR_EXIT_REMOTE);
		assert_non_null(strstr(err.msg, url));
	}

	/* Plain http to a remote host is refused before anything is sent. */
	opt.sts_endpoint = "http://sts.example.com";
	assert_int_equal(resolve(&opt, &c, &err), -1);
	assert_non_null(strstr(err.msg, "plain http is allowed only to loopback hosts"));
}

static void test_bad_duration_and_unsupported(void **state)
{
	cr_aws_options opt = { .profile = "p" };
	cr_aws_credentials c;
	cr_error err;

	(void)state;
	write_file(".aws/credentials", "[base]\naws_access_key_id = " SRC_AKID "\n"
				       "aws_secret_access_key = " SRC_SECRET "\n");
	write_file(".aws/config", "[profile p]\nrole_arn = arn:aws:iam::1:role/r\n"
				  "source_profile = base\nduration_seconds = 60\n");
	assert_int_equal(resolve(&opt, &c, &err), -1);
	assert_int_equal(err.code, CR_EXIT_INPUT);
	assert_non_null(strstr(err.msg, "/.aws/config:4: profile 'p': duration_seconds"));

	write_file(".aws/config", "[profile p]\nrole_arn = arn:aws:iam::1:role/r\n"
				  "source_profile = base\nmfa_serial = arn:aws:iam::1:mfa/me\n");
	assert_int_equal(resolve(&opt, &c, &err), -1);
	assert_non_null(strstr(err.msg, "MFA"));

	write_file(".aws/config", "[profile p]\nsso_session = corp\nsso_account_id = 1\n");
	assert_int_equal(resolve(&opt, &c, &err), -1);
	assert_int_equal(err.code, CR_EXIT_AUTH);
	assert_non_null(strstr(err.msg, "IAM Identity Center"));
	assert_non_null(strstr(err.msg, "export-credentials --profile p"));

	write_file(".aws/config", "[profile p]\ncredential_process = /bin/creds\n");
	assert_int_equal(resolve(&opt, &c, &err), -1);
	assert_non_null(strstr(err.msg, "credential_process"));
}

static void test_assume_role_per_account(void **state)
{
	struct sts st;
	cr_aws_options opt = { 0 };
	cr_aws_credentials base = { .access_key_id = SRC_AKID, .secret_access_key = SRC_SECRET,
				    .session_token = SRC_TOKEN, .source = "environment variables" };
	cr_aws_role role = { .role_arn = "arn:aws:iam::048213306571:role/costrank",
			     .external_id = "larkspur", .session_name = "costrank-test" };
	cr_aws_credentials c;
	cr_error err;

	(void)state;
	sts_start(&st, STS_OK);
	opt.sts_endpoint = st.stub.url;
	opt.region = "eu-west-1";
	cr_error_clear(&err);
	assert_int_equal(cr_aws_assume_role(&base, &role, &opt, &c, &err), 0);
	assert_string_equal(st.stub.req[0].body,
			    "Action=AssumeRole&Version=2011-06-15"
			    "&RoleArn=arn%3Aaws%3Aiam%3A%3A048213306571%3Arole%2Fcostrank"
			    "&RoleSessionName=costrank-test&ExternalId=larkspur");
	assert_signed_by(&st.stub.req[0], SRC_AKID, SRC_SECRET, SRC_TOKEN, "eu-west-1");
	assert_string_equal(c.secret_access_key, "secret-1-costrank");
	assert_string_equal(c.source, "role arn:aws:iam::048213306571:role/costrank");
	cr_aws_credentials_clear(&c);

	/* Expired base credentials are refused before any request. */
	base.expiration = 1000;
	cr_error_clear(&err);
	assert_int_equal(cr_aws_assume_role(&base, &role, &opt, &c, &err), -1);
	assert_non_null(strstr(err.msg, "expired at 1970-01-01T00:16:40Z"));
	assert_int_equal(stub_count(&st.stub), 1);
	base.expiration = 0;

	role.duration_seconds = 50000;
	cr_error_clear(&err);
	assert_int_equal(cr_aws_assume_role(&base, &role, &opt, &c, &err), -1);
	assert_non_null(strstr(err.msg, "outside 900..43200"));

	role.duration_seconds = 0;
	role.role_arn = NULL;
	cr_error_clear(&err);
	assert_int_equal(cr_aws_assume_role(&base, &role, &opt, &c, &err), -1);
	stub_stop(&st.stub);
}

/* ---- web identity --------------------------------------------------------------------- */

static void test_web_identity_env(void **state)
{
	struct sts st;
	cr_aws_options opt = { 0 };
	cr_aws_credentials c;
	cr_error err;
	const struct stub_request *rq;

	(void)state;
	sts_start(&st, STS_OK);
	opt.sts_endpoint = st.stub.url;
	write_file("token.jwt", WEB_TOKEN "\n");
	setenv("AWS_WEB_IDENTITY_TOKEN_FILE", hpath("token.jwt"), 1);
	setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/gha", 1);
	setenv("AWS_ROLE_SESSION_NAME", "gha-run-7", 1);
	/* The config file's static keys come later in the chain. */
	write_file(".aws/credentials", "[default]\naws_access_key_id = AKIDFILE\n"
				       "aws_secret_access_key = FILESECRET\n");
	assert_int_equal(resolve(&opt, &c, &err), 0);
	assert_int_equal(stub_count(&st.stub), 1);
	rq = &st.stub.req[0];
	assert_string_equal(rq->body, "Action=AssumeRoleWithWebIdentity&Version=2011-06-15"
				      "&RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fgha"
				      "&RoleSessionName=gha-run-7"
				      "&WebIdentityToken=eyJhbGciOiJSUzI1NiJ9.WEB-IDENTITY-TOKEN.signature");
	assert_null(cr_headers_get(&rq->headers, "authorization"));
	assert_string_equal(c.access_key_id, "ASIASTUB1");
	assert_string_equal(c.secret_access_key, "secret-1-gha");
	assert_string_equal(c.source, "role arn:aws:iam::123456789012:role/gha (web identity, "
				      "AWS_WEB_IDENTITY_TOKEN_FILE)");
	cr_aws_credentials_clear(&c);

	/* STS refuses the token: the token never shows. */
	st.mode = STS_DENIED;
	assert_int_equal(resolve(&opt, &c, &err), -1);
	assert_int_equal(err.code, CR_EXIT_AUTH);
	assert_non_null(strstr(err.msg, "AssumeRoleWithWebIdentity"));
	assert_null(strstr(err.msg, "WEB-IDENTITY-TOKEN"));
	st.mode = STS_OK;

	/* A token file that is not there. */
	setenv("AWS_WEB_IDENTITY_TOKEN_FILE", hpath("nope.jwt"), 1);
	assert_int_equal(resolve(&opt, &c, &err), -1);
	assert_int_equal(err.code, CR_EXIT_AUTH);
	assert_non_null(strstr(err.msg, "web identity token file"));
	assert_non_null(strstr(err.msg, "nope.jwt"));

	/* A token without a role. */
	setenv("AWS_WEB_IDENTITY_TOKEN_FILE", hpath("token.jwt"), 1);
	unsetenv("AWS_ROLE_ARN");
	assert_int_equal(resolve(&opt, &c, &err), -1);
	assert_non_null(strstr(err.msg, "no role ARN"));
	stub_stop(&st.stub);
}

static void test_web_identity_profile(void **state)
{
	struct sts st;
	cr_aws_options opt = { .profile = "eks" };
	cr_aws_credentials c;
	cr_error err;

	(void)state;
	sts_start(&st, STS_OK);
	opt.sts_endpoint = st.stub.url;
	write_file("token.jwt", WEB_TOKEN);
	{
		cr_buf cfg = CR_BUF_INIT;

		cr_buf_addf(&cfg, "[profile eks]\nrole_arn = arn:aws:iam::1:role/pod\n"
			    "web_identity_token_file = %s\n", hpath("token.jwt"));
		write_file(".aws/config", cfg.ptr);
		cr_buf_release(&cfg);
	}
	/* With --profile, the environment's web identity is not used. */
	setenv("AWS_ROLE_ARN", "arn:aws:iam::1:role/from-env", 1);
	setenv("AWS_WEB_IDENTITY_TOKEN_FILE", hpath("nope.jwt"), 1);
	assert_int_equal(resolve(&opt, &c, &err), 0);
	assert_non_null(strstr(st.stub.req[0].body, "RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fpod"));
	assert_non_null(strstr(st.stub.req[0].body, "RoleSessionName=costrank-"));
	assert_string_equal(c.source, "role arn:aws:iam::1:role/pod (web identity, profile 'eks')");
	cr_aws_credentials_clear(&c);
	stub_stop(&st.stub);
}

/* ---- container credentials ---------------------------------------------------------- */

struct container {
	int status;
	const char *json;
};

static void container_handler(struct stub *s, const struct stub_request *rq,
			      struct stub_response *resp, void *ctx)
{
	struct container *ct = ctx;

	(void)s;
	(void)rq;
	resp->status = ct->status;
	cr_buf_adds(&resp->body, ct->json);
}

static void test_container(void **state)
{
	struct container ct = {
		200, "{\"AccessKeyId\":\"ASIACONT\",\"SecretAccessKey\":\"secret-container\","
		     "\"Token\":\"token-container\",\"Expiration\":\"2099-05-06T07:08:09Z\","
		     "\"RoleArn\":\"arn:aws:iam::1:role/task\"}"
	};
	struct stub s;
	cr_aws_credentials c;
	cr_error err;
	char url[256];

	(void)state;
	assert_int_equal(stub_start(&s, container_handler, &ct), 0);
	snprintf(url, sizeof url, "%s/v2/credentials/abc?x=SECRETQUERY", s.url);
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", CONTAINER_TOKEN, 1);
	assert_int_equal(resolve(NULL, &c, &err), 0);
	assert_string_equal(c.access_key_id, "ASIACONT");
	assert_string_equal(c.secret_access_key, "secret-container");
	assert_string_equal(c.session_token, "token-container");
	assert_true(c.expiration > 0);
	assert_non_null(strstr(c.source, "container credentials (http://127.0.0.1:"));
	assert_null(strstr(c.source, "SECRETQUERY"));
	assert_string_equal(s.req[0].method, "GET");
	assert_string_equal(s.req[0].target, "/v2/credentials/abc?x=SECRETQUERY");
	assert_string_equal(cr_headers_get(&s.req[0].headers, "authorization"), CONTAINER_TOKEN);
	cr_aws_credentials_clear(&c);

	/* The token file wins over the token variable. */
	write_file("container.token", "FromFile-Token\n");
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", hpath("container.token"), 1);
	assert_int_equal(resolve(NULL, &c, &err), 0);
	assert_string_equal(cr_headers_get(&s.req[1].headers, "authorization"), "FromFile-Token");
	cr_aws_credentials_clear(&c);

	/* Errors. */
	ct = (struct container){ 404, "{\"message\":\"not found\"}" };
	assert_int_equal(resolve(NULL, &c, &err), -1);
	assert_int_equal(err.code, CR_EXIT_AUTH);
	assert_non_null(strstr(err.msg, "container credentials: HTTP 404 from http://127.0.0.1:"));
	assert_null(strstr(err.msg, "SECRETQUERY"));

	ct = (struct container){ 200, "{\"AccessKeyId\":\"A\"}" };
	assert_int_equal(resolve(NULL, &c, &err), -1);
	assert_non_null(strstr(err.msg, "no AccessKeyId or SecretAccessKey"));

	ct = (struct container){ 200, "{\"AccessKeyId\":\"A\",\"SecretAccessKey\":\"secret-x\","
				      "\"Token\":\"token-x\",\"Expiration\":\"2002-01-01T00:00:00Z\"}" };
	assert_int_equal(resolve(NULL, &c, &err), -1);
	assert_non_null(strstr(err.msg, "expired at 2002-01-01T00:00:00Z"));
	assert_clean(err.msg);
	stub_stop(&s);

	/* Plain http to a host that is neither loopback nor the container
	 * endpoint is refused. */
	unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://creds.example.com/x", 1);
	assert_int_equal(resolve(NULL, &c, &err), -1);
	assert_int_equal(err.code, CR_EXIT_AUTH);
	assert_non_null(strstr(err.msg, "plain http"));
	assert_clean(err.msg);
}

static void test_credentials_helpers(void **state)
{
	cr_aws_credentials a = { .access_key_id = "AKID", .secret_access_key = "S",
				 .session_token = "T", .expiration = 5, .source = "x" };
	cr_aws_credentials b = CR_AWS_CREDENTIALS_INIT;
	cr_error err;

	(void)state;
	cr_aws_credentials_copy(&b, &a);
	assert_string_equal(b.secret_access_key, "S");
	assert_int_equal(b.expiration, 5);
	cr_error_clear(&err);
	assert_int_equal(cr_aws_credentials_check(&b, 4, &err), 0);
	assert_int_equal(cr_aws_credentials_check(&b, 5, &err), -1);
	assert_string_equal(err.msg, "AWS credentials from x expired at 1970-01-01T00:00:05Z");
	cr_aws_credentials_clear(&b);
	assert_null(b.access_key_id);
	assert_null(b.source);
	cr_error_clear(&err);
	assert_int_equal(cr_aws_credentials_check(&b, 4, &err), -1);
	assert_int_equal(err.code, CR_EXIT_AUTH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_env_keys, fresh),
		cmocka_unit_test_setup(test_env_partial_and_expired, fresh),
		cmocka_unit_test_setup(test_explicit_profile_skips_env, fresh),
		cmocka_unit_test_setup(test_credentials_file_beats_config, fresh),
		cmocka_unit_test_setup(test_profile_section_names, fresh),
		cmocka_unit_test_setup(test_file_overrides, fresh),
		cmocka_unit_test_setup(test_partial_and_malformed_files, fresh),
		cmocka_unit_test_setup(test_missing_lists_sources, fresh),
		cmocka_unit_test_setup(test_assume_role_source_profile, fresh),
		cmocka_unit_test_setup(test_assume_role_chain_and_token, fresh),
		cmocka_unit_test_setup(test_source_profile_cycles, fresh),
		cmocka_unit_test_setup(test_credential_source_environment, fresh),
		cmocka_unit_test_setup(test_sts_errors, fresh),
		cmocka_unit_test_setup(test_bad_duration_and_unsupported, fresh),
		cmocka_unit_test_setup(test_assume_role_per_account, fresh),
		cmocka_unit_test_setup(test_web_identity_env, fresh),
		cmocka_unit_test_setup(test_web_identity_profile, fresh),
		cmocka_unit_test_setup(test_container, fresh),
		cmocka_unit_test_setup(test_credentials_helpers, fresh),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
