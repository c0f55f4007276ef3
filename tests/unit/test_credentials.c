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
 * request with the source credentials.  The SSO portal and the instance
 * metadata service are stubs too, checking the bearer token and the IMDSv2
 * token they are sent; credential_process programs are shell scripts
 * written to HOME.  No error message may contain a secret key, a session
 * token, a web identity, SSO or metadata token, or what a credential_process
 * was given or printed.
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
#include "costrank/cred_process.h"
#include "costrank/credentials.h"
#include "costrank/error.h"
#include "costrank/headers.h"
#include "costrank/http.h"
#include "costrank/sigv4.h"
#include "costrank/sso.h"

#include "http_stub.h"

#define SRC_AKID "AKIDSOURCEEXAMPLE"
#define SRC_SECRET "SourceSecretKey/abcdefghijklmnopqrstuvwxyz"
#define SRC_TOKEN "SourceSessionToken+xyz=="
#define WEB_TOKEN "eyJhbGciOiJSUzI1NiJ9.WEB-IDENTITY-TOKEN.signature"
#define CONTAINER_TOKEN "ContainerAuthToken-123"
#define SSO_TOKEN "aoaAAAAAGSSO-ACCESS-TOKEN-0123456789"
#define IMDS_TOKEN "AQAEAIMDS-TOKEN-v2-abcdef=="
#define PROC_SECRET "ProcSecretKey/0123456789abcdef"
#define PROC_TOKEN "ProcSessionToken+abc=="
#define PROC_ARG_SECRET "hunter2-ARGUMENT-SECRET"
#define START_URL "https://corp.awsapps.com/start"
#define START_URL_SHA1 "a51746d4aa793ae07b25e90c3a5db96fc7832bd7"
#define CORP_SHA1 "ee0bfd2552fbd840c02cc48b6e823320543c450f"

static char home[PATH_MAX];

static const char *const aws_env[] = {
	"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
	"AWS_CREDENTIAL_EXPIRATION", "AWS_PROFILE", "AWS_DEFAULT_PROFILE",
	"AWS_SHARED_CREDENTIALS_FILE", "AWS_CONFIG_FILE", "AWS_ROLE_ARN",
	"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_SESSION_NAME",
	"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
	"AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
	"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL_STS", "AWS_ENDPOINT_URL_SSO",
	"AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE",
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
	/* Off unless a test is about it: the machine running the tests may
	 * well be an EC2 instance. */
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
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
		SSO_TOKEN, "SSO-ACCESS-TOKEN", "SSOSECRET", "SSOSESSION", IMDS_TOKEN, "IMDS-TOKEN",
		"IMDSSECRET", "IMDSSESSION", PROC_SECRET, PROC_TOKEN, PROC_ARG_SECRET, "ProcSecret",
		"refresh-", "client-secret",
	};

	for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++)
		if (strstr(msg, secrets[i]))
			fail_msg("message holds a secret (%s): %s", secrets[i], msg);
}

/* ---- the STS stub ------------------------------------------------------------- */

/* A stub server whose handler answers as mode says (an enum sts_mode,
 * sso_mode or imds_mode). */
struct modal {
	int mode;
	struct stub stub;
};

static void modal_start(struct modal *m, int mode, stub_handler handler)
{
	memset(m, 0, sizeof *m);
	m->mode = mode;
	assert_int_equal(stub_start(&m->stub, handler, m), 0);
}

enum sts_mode { STS_OK, STS_DENIED, STS_DOWN, STS_EXPIRED, STS_GARBAGE };

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
	struct modal *st = ctx;
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

static void sts_start(struct modal *st, enum sts_mode mode)
{
	modal_start(st, mode, sts_handler);
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

/* c holds these keys; token NULL: none. */
static void assert_creds(const cr_aws_credentials *c, const char *akid, const char *secret,
			 const char *token)
{
	assert_string_equal(c->access_key_id, akid);
	assert_string_equal(c->secret_access_key, secret);
	if (token)
		assert_string_equal(c->session_token, token);
	else
		assert_null(c->session_token);
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
	assert_creds(&c, "AKIDENV", "ENVSECRET", "ENVTOKEN");
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
	assert_non_null(strstr(err.msg, "; EC2 instance metadata (disabled by "
					"AWS_EC2_METADATA_DISABLED)"));
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
	struct modal st;
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
	assert_creds(&c, "ASIASTUB1", "secret-1-cost-reader", "token-1");
	assert_int_equal(c.expiration, 4070908800);
	assert_string_equal(c.source, "role arn:aws:iam::123456789012:role/cost-reader "
				      "(profile 'prod')");
	cr_aws_credentials_clear(&c);
	stub_stop(&st.stub);
}

static void test_assume_role_chain_and_token(void **state)
{
	struct modal st;
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
	struct modal st;
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
	struct modal st;
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
	struct modal st;
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

	/* A role whose source needs an MFA code stays unsupported, even when
	 * the source is an SSO profile. */
	write_file(".aws/config", "[profile p]\nrole_arn = arn:aws:iam::1:role/r\n"
				  "source_profile = s\nmfa_serial = arn:aws:iam::1:mfa/me\n"
				  "[profile s]\nsso_session = corp\nsso_account_id = 1\n"
				  "sso_role_name = r\n");
	assert_int_equal(resolve(&opt, &c, &err), -1);
	assert_int_equal(err.code, CR_EXIT_AUTH);
	assert_non_null(strstr(err.msg, "needs an MFA code (mfa_serial)"));
}

static void test_assume_role_per_account(void **state)
{
	struct modal st;
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
	struct modal st;
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
	struct modal st;
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
	assert_creds(&c, "ASIACONT", "secret-container", "token-container");
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

/* ---- IAM Identity Center (SSO) ------------------------------------------------------ */

enum sso_mode { SSO_OK, SSO_FORBIDDEN, SSO_UNAUTHORIZED, SSO_DOWN };

/* The portal: role credentials for the right bearer token; its refusals
 * quote the token, which must not reach a message. */
static void sso_handler(struct stub *s, const struct stub_request *rq, struct stub_response *resp,
			void *ctx)
{
	struct modal *so = ctx;
	const char *bearer = cr_headers_get(&rq->headers, "x-amz-sso_bearer_token");

	cr_headers_add(&resp->headers, "Content-Type", "application/json");
	if (so->mode == SSO_OK && bearer && strcmp(bearer, SSO_TOKEN) == 0) {
		resp->status = 200;
		cr_buf_addf(&resp->body, "{\"roleCredentials\":{\"accessKeyId\":\"ASIASSO%zu\","
			    "\"secretAccessKey\":\"SSOSECRET-%zu\","
			    "\"sessionToken\":\"SSOSESSION-%zu\",\"expiration\":4070908800000}}",
			    s->nreq + 1, s->nreq + 1, s->nreq + 1);
		return;
	}
	if (so->mode == SSO_DOWN) {
		resp->status = 500;
		cr_headers_add(&resp->headers, "x-amzn-ErrorType", "InternalServerException:");
		cr_buf_adds(&resp->body, "{\"message\":\"oops\"}");
		return;
	}
	if (so->mode == SSO_FORBIDDEN) {
		resp->status = 403;
		cr_headers_add(&resp->headers, "x-amzn-ErrorType",
			       "ForbiddenException:http://internal.amazon.com/coral/x/");
	} else {
		resp->status = 401;
	}
	cr_buf_addf(&resp->body, "{\"message\":\"Session token %s not found or invalid\","
		    "\"__type\":\"com.amazonaws.switchboard.portal#UnauthorizedException\"}",
		    bearer ? bearer : "-");
}

static void sso_start(struct modal *so, enum sso_mode mode)
{
	modal_start(so, mode, sso_handler);
	setenv("AWS_ENDPOINT_URL_SSO", so->stub.url, 1);
}

/* Writes the token cache file NAME.json as `aws sso login` would. */
static void sso_cache(const char *name, const char *expires)
{
	char rel[64], text[512];

	mkdir(hpath(".aws/sso"), 0700);
	mkdir(hpath(".aws/sso/cache"), 0700);
	snprintf(rel, sizeof rel, ".aws/sso/cache/%s.json", name);
	snprintf(text, sizeof text, "{\"startUrl\": \"" START_URL "\", \"region\": \"eu-west-1\", "
		 "\"accessToken\": \"" SSO_TOKEN "\", \"expiresAt\": \"%s\", "
		 "\"refreshToken\": \"refresh-xyz\", \"clientSecret\": \"client-secret-xyz\"}\n",
		 expires);
	write_file(rel, text);
}

static void test_sso_legacy(void **state)
{
	struct modal so;
	cr_aws_options opt = { .profile = "dev" };
	cr_sso_profile p = { .profile = "dev", .start_url = START_URL };
	cr_aws_credentials c;
	cr_error err;
	char *path;

	(void)state;
	sso_start(&so, SSO_OK);
	write_file(".aws/config", "[profile dev]\nsso_start_url = " START_URL "\n"
				  "sso_region = eu-west-1\nsso_account_id = 123456789012\n"
				  "sso_role_name = FinOps+Read\n");
	/* The cache file is named by the SHA-1 of the start URL. */
	path = cr_sso_cache_path(&p);
	assert_string_equal(path, hpath(".aws/sso/cache/" START_URL_SHA1 ".json"));
	free(path);
	sso_cache(START_URL_SHA1, "2099-11-23T10:00:00Z");
	assert_int_equal(resolve(&opt, &c, &err), 0);
	assert_int_equal(stub_count(&so.stub), 1);
	assert_string_equal(so.stub.req[0].method, "GET");
	assert_string_equal(so.stub.req[0].target, "/federation/credentials"
			    "?account_id=123456789012&role_name=FinOps%2BRead");
	assert_string_equal(cr_headers_get(&so.stub.req[0].headers, "x-amz-sso_bearer_token"),
			    SSO_TOKEN);
	assert_creds(&c, "ASIASSO1", "SSOSECRET-1", "SSOSESSION-1");
	assert_int_equal(c.expiration, 4070908800);
	assert_string_equal(c.source, "SSO role FinOps+Read in account 123456789012 "
				      "(profile 'dev')");
	cr_aws_credentials_clear(&c);
	stub_stop(&so.stub);
}

static void test_sso_session_and_role_chain(void **state)
{
	struct modal so;
	struct modal st;
	cr_aws_options opt = { .profile = "dev" };
	cr_aws_credentials c;
	cr_error err;

	(void)state;
	sso_start(&so, SSO_OK);
	write_file(".aws/config", "[profile dev]\nsso_session = corp\n"
				  "sso_account_id = 111122223333\nsso_role_name = Reader\n"
				  "[sso-session corp]\nsso_start_url = " START_URL "\n"
				  "sso_region = us-east-1\n"
				  "sso_registration_scopes = sso:account:access\n"
				  "[profile prod]\nrole_arn = arn:aws:iam::1:role/cost\n"
				  "source_profile = dev\n");
	/* With an sso-session the cache file is named by the session's SHA-1;
	 * one under the start URL's name is not it. */
	sso_cache(START_URL_SHA1, "2099-11-23T10:00:00Z");
	assert_int_equal(resolve(&opt, &c, &err), -1);
	assert_int_equal(err.code, CR_EXIT_AUTH);
	assert_non_null(strstr(err.msg, CORP_SHA1 ".json"));
	assert_int_equal(stub_count(&so.stub), 0);

	/* The "UTC" form of expiresAt that older clients wrote. */
	sso_cache(CORP_SHA1, "2099-11-23T10:00:00UTC");
	assert_int_equal(resolve(&opt, &c, &err), 0);
	assert_string_equal(so.stub.req[0].target,
			    "/federation/credentials?account_id=111122223333&role_name=Reader");
	assert_string_equal(c.secret_access_key, "SSOSECRET-1");
	cr_aws_credentials_clear(&c);

	/* An SSO profile as the source of a role: AssumeRole signed with the
	 * role credentials the portal gave. */
	sts_start(&st, STS_OK);
	opt.sts_endpoint = st.stub.url;
	opt.profile = "prod";
	assert_int_equal(resolve(&opt, &c, &err), 0);
	assert_int_equal(stub_count(&st.stub), 1);
	assert_signed_by(&st.stub.req[0], "ASIASSO2", "SSOSECRET-2", "SSOSESSION-2", "us-east-1");
	assert_string_equal(c.secret_access_key, "secret-1-cost");
	cr_aws_credentials_clear(&c);
	stub_stop(&st.stub);

	/* A value set both in the profile and its session must agree. */
	write_file(".aws/config", "[profile dev]\nsso_session = corp\nsso_account_id = 1\n"
				  "sso_role_name = Reader\nsso_region = eu-west-1\n"
				  "[sso-session corp]\nsso_start_url = " START_URL "\n"
				  "sso_region = us-east-1\n");
	opt.profile = "dev";
	assert_int_equal(resolve(&opt, &c, &err), -1);
	assert_int_equal(err.code, CR_EXIT_INPUT);
	assert_non_null(strstr(err.msg, "sso_region differs"));
	stub_stop(&so.stub);
}

static void test_sso_token_cache_problems(void **state)
{
	struct modal so;
	cr_aws_options opt = { .profile = "dev" };
	cr_aws_credentials c;
	cr_error err;

	(void)state;
	sso_start(&so, SSO_OK);
	write_file(".aws/config", "[profile dev]\nsso_start_url = " START_URL "\n"
				  "sso_region = eu-west-1\nsso_account_id = 123456789012\n"
				  "sso_role_name = Reader\n");
	/* Missing. */
	assert_int_equal(resolve(&opt, &c, &err), -1);
	assert_int_equal(err.code, CR_EXIT_AUTH);
	assert_non_null(strstr(err.msg, "profile 'dev'"));
	assert_non_null(strstr(err.msg, START_URL_SHA1 ".json: No such file or directory"));
	assert_non_null(strstr(err.msg, "run 'aws sso login --profile dev'"));
	assert_null(strchr(err.msg, '\n'));

	/* Expired. */
	sso_cache(START_URL_SHA1, "2020-01-02T03:04:05Z");
	assert_int_equal(resolve(&opt, &c, &err), -1);
	assert_int_equal(err.code, CR_EXIT_AUTH);
	assert_non_null(strstr(err.msg, "expired at 2020-01-02T03:04:05Z"));
	assert_non_null(strstr(err.msg, "run 'aws sso login --profile dev'"));
	assert_clean(err.msg);
	sso_cache(START_URL_SHA1, "2020-01-02T03:04:05UTC");
	assert_int_equal(resolve(&opt, &c, &err), -1);
	assert_non_null(strstr(err.msg, "expired at 2020-01-02T03:04:05Z"));

	/* Malformed: not JSON, no accessToken, a bad time. */
	write_file(".aws/sso/cache/" START_URL_SHA1 ".json", "accessToken=" SSO_TOKEN "\n");
	assert_int_equal(resolve(&opt, &c, &err), -1);
	assert_int_equal(err.code, CR_EXIT_AUTH);
	assert_non_null(strstr(err.msg, "is malformed"));
	assert_non_null(strstr(err.msg, "aws sso login --profile dev"));
	assert_clean(err.msg);
	write_file(".aws/sso/cache/" START_URL_SHA1 ".json",
		   "{\"expiresAt\": \"2099-01-01T00:00:00Z\"}");
	assert_int_equal(resolve(&opt, &c, &err), -1);
	assert_non_null(strstr(err.msg, "is malformed"));
	write_file(".aws/sso/cache/" START_URL_SHA1 ".json",
		   "{\"accessToken\": \"" SSO_TOKEN "\", \"expiresAt\": \"tomorrow\"}");
	assert_int_equal(resolve(&opt, &c, &err), -1);
	assert_non_null(strstr(err.msg, "is malformed"));
	assert_clean(err.msg);

	/* The sso-session form names the session too. */
	write_file(".aws/config", "[profile dev]\nsso_session = corp\nsso_account_id = 1\n"
				  "sso_role_name = Reader\n[sso-session corp]\n"
				  "sso_start_url = " START_URL "\nsso_region = us-east-1\n");
	assert_int_equal(resolve(&opt, &c, &err), -1);
	assert_non_null(strstr(err.msg, "run 'aws sso login --profile dev' "
					"(or --sso-session corp)"));
	assert_int_equal(stub_count(&so.stub), 0);

	/* Configuration errors. */
	write_file(".aws/config", "[profile dev]\nsso_session = nope\nsso_account_id = 1\n"
				  "sso_role_name = Reader\n");
	assert_int_equal(resolve(&opt, &c, &err), -1);
	assert_int_equal(err.code, CR_EXIT_INPUT);
	assert_non_null(strstr(err.msg, "/.aws/config:2: profile 'dev': there is no "
					"[sso-session nope]"));
	write_file(".aws/config", "[profile dev]\nsso_start_url = " START_URL "\n"
				  "sso_account_id = 1\n");
	assert_int_equal(resolve(&opt, &c, &err), -1);
	assert_int_equal(err.code, CR_EXIT_INPUT);
	assert_non_null(strstr(err.msg, "profile 'dev' uses IAM Identity Center (SSO) but has no "
					"sso_region, sso_role_name"));
	stub_stop(&so.stub);
}

static void test_sso_portal_errors(void **state)
{
	struct modal so;
	cr_aws_options opt = { .profile = "dev" };
	cr_aws_credentials c;
	cr_error err;

	(void)state;
	write_file(".aws/config", "[profile dev]\nsso_start_url = " START_URL "\n"
				  "sso_region = eu-west-1\nsso_account_id = 123456789012\n"
				  "sso_role_name = Reader\n");
	sso_cache(START_URL_SHA1, "2099-11-23T10:00:00Z");

	sso_start(&so, SSO_FORBIDDEN);
	assert_int_equal(resolve(&opt, &c, &err), -1);
	assert_int_equal(err.code, CR_EXIT_AUTH);
	assert_non_null(strstr(err.msg, "profile 'dev': the SSO session has expired or lacks "
					"access to account 123456789012 role Reader (HTTP 403 "
					"ForbiddenException from http://127.0.0.1:"));
	assert_non_null(strstr(err.msg, "run 'aws sso login --profile dev'"));
	assert_clean(err.msg);
	assert_int_equal(stub_count(&so.stub), 1);
	assert_null(c.access_key_id);
	stub_stop(&so.stub);

	sso_start(&so, SSO_UNAUTHORIZED);
	assert_int_equal(resolve(&opt, &c, &err), -1);
	assert_int_equal(err.code, CR_EXIT_AUTH);
	assert_non_null(strstr(err.msg, "(HTTP 401 UnauthorizedException from "));
	assert_clean(err.msg);
	stub_stop(&so.stub);

	sso_start(&so, SSO_DOWN);
	assert_int_equal(resolve(&opt, &c, &err), -1);
	assert_int_equal(err.code, CR_EXIT_REMOTE);
	assert_non_null(strstr(err.msg, "profile 'dev': SSO role credentials: HTTP 500 "
					"InternalServerException from http://127.0.0.1:"));
	assert_int_equal(stub_count(&so.stub), 3); /* retried */
	assert_clean(err.msg);
	stub_stop(&so.stub);

	/* Plain http to a remote portal is refused. */
	setenv("AWS_ENDPOINT_URL_SSO", "http://portal.example.com", 1);
	assert_int_equal(resolve(&opt, &c, &err), -1);
	assert_non_null(strstr(err.msg, "plain http is allowed only to loopback hosts"));
	assert_clean(err.msg);
}

/* ---- credential_process -------------------------------------------------------------- */

/* Writes an executable shell script to HOME/bin/name. */
static void write_script(const char *name, const char *body)
{
	char rel[64];

	mkdir(hpath("bin"), 0700);
	snprintf(rel, sizeof rel, "bin/%s", name);
	write_file(rel, body);
	assert_int_equal(chmod(hpath(rel), 0755), 0);
}

#define PROC_JSON(version, expiration) \
	"{\"Version\": " version ", \"AccessKeyId\": \"AKIDPROC\", " \
	"\"SecretAccessKey\": \"" PROC_SECRET "\", \"SessionToken\": \"" PROC_TOKEN "\", " \
	"\"Expiration\": \"" expiration "\"}"

/* A profile p whose credential_process is cmd. */
static void process_profile(const char *cmd)
{
	cr_buf cfg = CR_BUF_INIT;

	cr_buf_addf(&cfg, "[profile p]\ncredential_process = %s\n", cmd);
	write_file(".aws/config", cfg.ptr);
	cr_buf_release(&cfg);
}

static void test_process(void **state)
{
	cr_aws_options opt = { .profile = "p" };
	cr_aws_credentials c;
	cr_error err;
	char *path = getenv("PATH") ? cr_xstrdup(getenv("PATH")) : NULL;
	cr_buf b = CR_BUF_INIT;
	FILE *f;
	char line[256];

	(void)state;
	/* Records its arguments one a line and where stdin comes from. */
	write_script("creds", "#!/bin/sh\nfor a in \"$@\"; do printf '[%s]\\n' \"$a\"; done "
			      ">\"$HOME/args\"\nreadlink /proc/self/fd/0 >\"$HOME/stdin\"\n"
			      "cat <<'EOF'\n" PROC_JSON("1", "2099-01-01T00:00:00Z") "\nEOF\n");
	/* Found in PATH; quoted as a POSIX shell quotes, nothing expanded. */
	cr_buf_addf(&b, "%s:%s", hpath("bin"), path ? path : "/usr/bin:/bin");
	setenv("PATH", b.ptr, 1);
	cr_buf_release(&b);
	process_profile("creds 'one arg' \"two \\\"q\\\" \\\\ \\n\" three\\ four '' "
			"five#x $HOME a'b'\"c\"");
	assert_int_equal(resolve(&opt, &c, &err), 0);
	assert_creds(&c, "AKIDPROC", PROC_SECRET, PROC_TOKEN);
	assert_int_equal(c.expiration, 4070908800);
	assert_string_equal(c.source, "credential_process creds (profile 'p')");
	cr_aws_credentials_clear(&c);
	f = fopen(hpath("args"), "r");
	assert_non_null(f);
	{
		static const char *const want[] = {
			"[one arg]\n", "[two \"q\" \\ \\n]\n", "[three four]\n", "[]\n",
			"[five#x]\n", "[$HOME]\n", "[abc]\n",
		};
		size_t n = 0;

		while (fgets(line, sizeof line, f)) {
			assert_true(n < sizeof want / sizeof want[0]);
			assert_string_equal(line, want[n++]);
		}
		assert_int_equal(n, sizeof want / sizeof want[0]);
	}
	fclose(f);
	f = fopen(hpath("stdin"), "r");
	assert_non_null(f);
	assert_non_null(fgets(line, sizeof line, f));
	assert_string_equal(line, "/dev/null\n");
	fclose(f);

	/* Without SessionToken and Expiration: long-term keys. */
	write_script("plain", "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"AKIDPROC\", "
			      "\"SecretAccessKey\": \"" PROC_SECRET "\"}'\n");
	process_profile(hpath("bin/plain"));
	assert_int_equal(resolve(&opt, &c, &err), 0);
	assert_null(c.session_token);
	assert_int_equal(c.expiration, 0);
	cr_aws_credentials_clear(&c);

	/* As the source of a role. */
	{
		struct modal st;
		cr_buf cfg = CR_BUF_INIT;

		sts_start(&st, STS_OK);
		opt.sts_endpoint = st.stub.url;
		opt.profile = "r";
		cr_buf_addf(&cfg, "[profile r]\nrole_arn = arn:aws:iam::1:role/ce\n"
			    "source_profile = p\n[profile p]\ncredential_process = %s\n",
			    hpath("bin/creds"));
		write_file(".aws/config", cfg.ptr);
		cr_buf_release(&cfg);
		assert_int_equal(resolve(&opt, &c, &err), 0);
		assert_signed_by(&st.stub.req[0], "AKIDPROC", PROC_SECRET, PROC_TOKEN, "us-east-1");
		assert_string_equal(c.secret_access_key, "secret-1-ce");
		cr_aws_credentials_clear(&c);
		stub_stop(&st.stub);
	}
	if (path)
		setenv("PATH", path, 1);
	free(path);
}

/* Runs the credential_process cmd for profile p; expects failure with
 * code and a message holding want, naming the program, and clean. */
static void process_fails(const char *cmd, const char *want)
{
	cr_aws_options opt = { .profile = "p" };
	cr_aws_credentials c;
	cr_error err;

	process_profile(cmd);
	assert_int_equal(resolve(&opt, &c, &err), -1);
	assert_int_equal(err.code, CR_EXIT_AUTH);
	if (!strstr(err.msg, want))
		fail_msg("'%s' not in '%s'", want, err.msg);
	assert_non_null(strstr(err.msg, "profile 'p': credential_process"));
	assert_null(strchr(err.msg, '\n'));
	assert_clean(err.msg);
	assert_null(c.access_key_id);
}

static void test_process_failures(void **state)
{
	char cmd[PATH_MAX + 64];

	(void)state;
	/* Exit status: what it printed and its arguments stay out of the
	 * message. */
	write_script("fail", "#!/bin/sh\necho '" PROC_JSON("1", "2099-01-01T00:00:00Z") "'\n"
			     "exit 3\n");
	snprintf(cmd, sizeof cmd, "%s --password " PROC_ARG_SECRET, hpath("bin/fail"));
	process_fails(cmd, "/bin/fail exited with status 3");

	write_script("v2", "#!/bin/sh\necho '" PROC_JSON("2", "2099-01-01T00:00:00Z") "'\n");
	process_fails(hpath("bin/v2"), "/bin/v2 printed an unsupported Version (must be 1)");
	write_script("vs", "#!/bin/sh\necho '" PROC_JSON("\"1\"", "2099-01-01T00:00:00Z") "'\n");
	process_fails(hpath("bin/vs"), "unsupported Version");

	write_script("old", "#!/bin/sh\necho '" PROC_JSON("1", "2001-02-03T04:05:06Z") "'\n");
	process_fails(hpath("bin/old"), "/bin/old returned credentials that expired at "
					"2001-02-03T04:05:06Z");
	write_script("badtime", "#!/bin/sh\necho '" PROC_JSON("1", "soon") "'\n");
	process_fails(hpath("bin/badtime"), "Expiration is not an ISO 8601 time");

	write_script("text", "#!/bin/sh\necho 'AKIDPROC " PROC_SECRET " " PROC_TOKEN "'\n");
	process_fails(hpath("bin/text"), "/bin/text did not print a JSON object");
	write_script("empty", "#!/bin/sh\nexit 0\n");
	process_fails(hpath("bin/empty"), "did not print a JSON object");
	write_script("half", "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"AKIDPROC\", "
			     "\"SessionToken\": \"" PROC_TOKEN "\"}'\n");
	process_fails(hpath("bin/half"), "/bin/half: no AccessKeyId or SecretAccessKey");

	write_script("signal", "#!/bin/sh\nkill -9 $$\n");
	process_fails(hpath("bin/signal"), "/bin/signal was killed by signal 9");
	write_script("big", "#!/bin/sh\nexec head -c 1100000 /dev/zero\n");
	process_fails(hpath("bin/big"), "/bin/big printed more than 1048576 bytes");

	process_fails("costrank-no-such-program " PROC_ARG_SECRET,
		      "credential_process costrank-no-such-program could not be started: No "
		      "such file or directory");
	process_fails("creds 'unterminated " PROC_ARG_SECRET, "has an unterminated quote");
	{
		cr_aws_credentials c;
		cr_error err;

		cr_error_clear(&err);
		assert_int_equal(cr_cred_process_run(" \t ", "p", 0, 0, &c, &err), -1);
		assert_string_equal(err.msg, "profile 'p': credential_process is empty");
	}
}

static void test_process_timeout(void **state)
{
	cr_aws_credentials c;
	cr_error err;
	char cmd[PATH_MAX + 64];

	(void)state;
	write_script("slow", "#!/bin/sh\nexec sleep 30\n");
	snprintf(cmd, sizeof cmd, "%s " PROC_ARG_SECRET, hpath("bin/slow"));
	cr_error_clear(&err);
	assert_int_equal(cr_cred_process_run(cmd, "p", 200, 0, &c, &err), -1);
	assert_int_equal(err.code, CR_EXIT_AUTH);
	assert_non_null(strstr(err.msg, "/bin/slow did not finish within 200 ms and was killed"));
	assert_clean(err.msg);
	assert_null(c.access_key_id);
}

static void test_process_split(void **state)
{
	static const struct {
		const char *cmd;
		const char *want; /* the words joined with '|' */
	} cases[] = {
		{ "a b\tc\n d", "a|b|c|d" },
		{ "  lead trail  ", "lead|trail" },
		{ "'single \"quoted\" \\n'", "single \"quoted\" \\n" },
		{ "\"dq \\\" \\\\ \\$ \\n '\"", "dq \" \\ \\$ \\n '" },
		{ "back\\ slash \\'q\\' \\\\", "back slash|'q'|\\" },
		{ "'' \"\" x", "||x" },
		{ "con'cat'\"en\"ated", "concatenated" },
		{ "#not-a-comment $HOME ~ *", "#not-a-comment|$HOME|~|*" },
	};
	cr_error err;
	char **argv;

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cr_buf got = CR_BUF_INIT;
		int n;

		cr_error_clear(&err);
		n = cr_cred_process_split(cases[i].cmd, "x", &argv, &err);
		assert_true(n > 0);
		for (int k = 0; k < n; k++)
			cr_buf_addf(&got, "%s%s", k ? "|" : "", argv[k]);
		assert_null(argv[n]);
		if (strcmp(got.ptr, cases[i].want) != 0)
			fail_msg("split(%s): '%s', not '%s'", cases[i].cmd, got.ptr, cases[i].want);
		cr_buf_release(&got);
		cr_cred_process_free(argv);
	}
	cr_error_clear(&err);
	assert_int_equal(cr_cred_process_split("a \"b", "x", &argv, &err), -1);
	assert_string_equal(err.msg, "x has an unterminated quote");
	assert_null(argv);
	cr_error_clear(&err);
	assert_int_equal(cr_cred_process_split("a 'b", "x", &argv, &err), -1);
	cr_error_clear(&err);
	assert_int_equal(cr_cred_process_split("a b\\", "x", &argv, &err), -1);
	assert_string_equal(err.msg, "x has a backslash at its end");
	cr_error_clear(&err);
	assert_int_equal(cr_cred_process_split(" \t", "x", &argv, &err), 0);
	cr_cred_process_free(argv);
}

/* ---- EC2 instance metadata ----------------------------------------------------------------- */

enum imds_mode { IMDS_OK, IMDS_NO_ROLE, IMDS_NO_TOKEN, IMDS_FAILED };

/* IMDSv2: a token for a PUT with a TTL; nothing without it. */
static void imds_handler(struct stub *s, const struct stub_request *rq, struct stub_response *resp,
			 void *ctx)
{
	struct modal *im = ctx;
	const char *ttl = cr_headers_get(&rq->headers, "x-aws-ec2-metadata-token-ttl-seconds");
	const char *tok = cr_headers_get(&rq->headers, "x-aws-ec2-metadata-token");
	static const char roles[] = "/latest/meta-data/iam/security-credentials/";

	(void)s;
	if (strcmp(rq->method, "PUT") == 0 && strcmp(rq->target, "/latest/api/token") == 0) {
		if (im->mode == IMDS_NO_TOKEN || !ttl || strcmp(ttl, "21600") != 0) {
			resp->status = 403;
			return;
		}
		cr_buf_adds(&resp->body, IMDS_TOKEN);
		return;
	}
	if (strcmp(rq->method, "GET") != 0 || !tok || strcmp(tok, IMDS_TOKEN) != 0) {
		resp->status = 401;
		return;
	}
	if (strcmp(rq->target, roles) == 0) {
		if (im->mode == IMDS_NO_ROLE)
			resp->status = 404;
		else
			cr_buf_adds(&resp->body, "ec2-cost-role\nother-role\n");
		return;
	}
	if (strncmp(rq->target, roles, sizeof roles - 1) == 0 &&
	    strcmp(rq->target + sizeof roles - 1, "ec2-cost-role") == 0) {
		cr_buf_addf(&resp->body, "{\"Code\": \"%s\", \"LastUpdated\": "
			    "\"2026-11-01T00:00:00Z\", \"Type\": \"AWS-HMAC\", "
			    "\"AccessKeyId\": \"ASIAIMDS\", \"SecretAccessKey\": \"IMDSSECRET-1\", "
			    "\"Token\": \"IMDSSESSION-1\", "
			    "\"Expiration\": \"2099-05-06T07:08:09Z\"}",
			    im->mode == IMDS_FAILED ? "Failure " IMDS_TOKEN : "Success");
		return;
	}
	resp->status = 404;
}

static void imds_start(struct modal *im, enum imds_mode mode)
{
	modal_start(im, mode, imds_handler);
	unsetenv("AWS_EC2_METADATA_DISABLED");
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", im->stub.url, 1);
}

static void test_imds(void **state)
{
	struct modal im;
	cr_aws_credentials c;
	cr_error err;

	(void)state;
	imds_start(&im, IMDS_OK);
	assert_int_equal(resolve(NULL, &c, &err), 0);
	assert_int_equal(stub_count(&im.stub), 3);
	assert_string_equal(im.stub.req[0].method, "PUT");
	assert_string_equal(im.stub.req[0].target, "/latest/api/token");
	assert_string_equal(cr_headers_get(&im.stub.req[0].headers,
					   "x-aws-ec2-metadata-token-ttl-seconds"), "21600");
	assert_null(cr_headers_get(&im.stub.req[0].headers, "x-aws-ec2-metadata-token"));
	assert_string_equal(im.stub.req[1].method, "GET");
	assert_string_equal(im.stub.req[1].target, "/latest/meta-data/iam/security-credentials/");
	assert_string_equal(cr_headers_get(&im.stub.req[1].headers, "x-aws-ec2-metadata-token"),
			    IMDS_TOKEN);
	assert_string_equal(im.stub.req[2].target,
			    "/latest/meta-data/iam/security-credentials/ec2-cost-role");
	assert_string_equal(cr_headers_get(&im.stub.req[2].headers, "x-aws-ec2-metadata-token"),
			    IMDS_TOKEN);
	assert_creds(&c, "ASIAIMDS", "IMDSSECRET-1", "IMDSSESSION-1");
	assert_true(c.expiration > 0);
	assert_string_equal(c.source, "EC2 instance metadata (role ec2-cost-role)");
	cr_aws_credentials_clear(&c);

	/* Last in the chain: anything before it wins, without a request. */
	write_file(".aws/credentials", "[default]\naws_access_key_id = AKIDFILE\n"
				       "aws_secret_access_key = FILESECRET\n");
	assert_int_equal(resolve(NULL, &c, &err), 0);
	assert_string_equal(c.access_key_id, "AKIDFILE");
	assert_int_equal(stub_count(&im.stub), 3);
	cr_aws_credentials_clear(&c);
	write_file(".aws/credentials", "");

	/* As a role's credential_source. */
	{
		struct modal st;
		cr_aws_options opt = { .profile = "ec2" };

		sts_start(&st, STS_OK);
		opt.sts_endpoint = st.stub.url;
		write_file(".aws/config", "[profile ec2]\nrole_arn = arn:aws:iam::1:role/ce\n"
					  "credential_source = Ec2InstanceMetadata\n");
		assert_int_equal(resolve(&opt, &c, &err), 0);
		assert_signed_by(&st.stub.req[0], "ASIAIMDS", "IMDSSECRET-1", "IMDSSESSION-1",
				 "us-east-1");
		assert_string_equal(c.secret_access_key, "secret-1-ce");
		cr_aws_credentials_clear(&c);

		im.mode = IMDS_NO_ROLE;
		assert_int_equal(resolve(&opt, &c, &err), -1);
		assert_int_equal(err.code, CR_EXIT_AUTH);
		assert_non_null(strstr(err.msg, "credential_source Ec2InstanceMetadata, but "
						"the instance metadata gave no credentials "
						"(no IAM role"));
		stub_stop(&st.stub);
		write_file(".aws/config", "");
	}

	/* Failures the service reports: listed among the sources tried, or an
	 * error once a role's credentials are asked for. */
	im.mode = IMDS_NO_ROLE;
	assert_int_equal(resolve(NULL, &c, &err), -1);
	assert_non_null(strstr(err.msg, "; EC2 instance metadata (no IAM role attached to the "
					"instance)"));
	im.mode = IMDS_NO_TOKEN;
	assert_int_equal(resolve(NULL, &c, &err), -1);
	assert_int_equal(err.code, CR_EXIT_AUTH);
	assert_non_null(strstr(err.msg, "; EC2 instance metadata (no IMDSv2 token: HTTP 403 from "
					"http://127.0.0.1:"));
	im.mode = IMDS_FAILED;
	assert_int_equal(resolve(NULL, &c, &err), -1);
	assert_int_equal(err.code, CR_EXIT_AUTH);
	assert_non_null(strstr(err.msg, "EC2 instance metadata (role ec2-cost-role) from "
					"http://127.0.0.1:"));
	assert_non_null(strstr(err.msg, "Code is not Success"));
	assert_clean(err.msg);
	stub_stop(&im.stub);
}

static void test_imds_off_and_silent(void **state)
{
	struct modal im;
	cr_aws_credentials c;
	cr_error err;
	char url[64];

	(void)state;
	/* Disabled: not asked at all. */
	imds_start(&im, IMDS_OK);
	setenv("AWS_EC2_METADATA_DISABLED", "TRUE", 1);
	assert_int_equal(resolve(NULL, &c, &err), -1);
	assert_int_equal(err.code, CR_EXIT_AUTH);
	assert_non_null(strstr(err.msg, "no AWS credentials found; tried "));
	assert_non_null(strstr(err.msg, "; EC2 instance metadata (disabled by "
					"AWS_EC2_METADATA_DISABLED)"));
	assert_int_equal(stub_count(&im.stub), 0);
	stub_stop(&im.stub);

	/* Nothing listening. */
	unsetenv("AWS_EC2_METADATA_DISABLED");
	snprintf(url, sizeof url, "http://127.0.0.1:%d/", stub_closed_port());
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", url, 1);
	assert_int_equal(resolve(NULL, &c, &err), -1);
	assert_int_equal(err.code, CR_EXIT_AUTH);
	assert_non_null(strstr(err.msg, "no AWS credentials found; tried "));
	assert_non_null(strstr(err.msg, "; EC2 instance metadata (no answer)"));
	assert_null(strchr(err.msg, '\n'));

	/* Plain http only to the link-local service and loopback hosts. */
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://metadata.example.com", 1);
	assert_int_equal(resolve(NULL, &c, &err), -1);
	assert_int_equal(err.code, CR_EXIT_AUTH);
	assert_non_null(strstr(err.msg, "EC2 instance metadata: http://metadata.example.com: "
					"plain http is allowed only to 169.254.169.254"));
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
		cmocka_unit_test_setup(test_sso_legacy, fresh),
		cmocka_unit_test_setup(test_sso_session_and_role_chain, fresh),
		cmocka_unit_test_setup(test_sso_token_cache_problems, fresh),
		cmocka_unit_test_setup(test_sso_portal_errors, fresh),
		cmocka_unit_test_setup(test_process, fresh),
		cmocka_unit_test_setup(test_process_failures, fresh),
		cmocka_unit_test_setup(test_process_timeout, fresh),
		cmocka_unit_test_setup(test_process_split, fresh),
		cmocka_unit_test_setup(test_imds, fresh),
		cmocka_unit_test_setup(test_imds_off_and_silent, fresh),
		cmocka_unit_test_setup(test_credentials_helpers, fresh),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
