/*
 * credentials.h - AWS credentials and the chain that finds them.
 *
 * The chain follows the AWS CLI, first match wins:
 *
 *   1. environment keys AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY
 *      (+ AWS_SESSION_TOKEN, AWS_CREDENTIAL_EXPIRATION); skipped when a
 *      profile is given explicitly (opt->profile, i.e. --profile).  As in
 *      the AWS CLI, AWS_PROFILE (or the older AWS_DEFAULT_PROFILE) only
 *      chooses the profile: environment keys still win over it;
 *   2. assume role from the profile: role_arn with source_profile or
 *      credential_source (Environment, EcsContainer, Ec2InstanceMetadata),
 *      optional external_id, role_session_name, duration_seconds -> STS
 *      AssumeRole, signed with the source credentials.  A source_profile
 *      gives its static keys, else its own role, web identity, SSO or
 *      credential_process; chains are followed, with a guard against cycles
 *      (a profile may name itself as its source only when it holds static
 *      keys, as the CLI allows);
 *   3. web identity: AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE
 *      (+ AWS_ROLE_SESSION_NAME), or role_arn + web_identity_token_file in
 *      the profile -> STS AssumeRoleWithWebIdentity (unsigned);
 *   4. IAM Identity Center (SSO): a profile with sso_account_id or
 *      sso_role_name needs both and sso_start_url and sso_region, in the
 *      profile or in the [sso-session NAME] its sso_session names -> the
 *      token `aws sso login` cached, traded for role credentials (sso.h);
 *   5. the profile's section in the shared credentials file ([name]);
 *   6. the profile's credential_process, run without a shell
 *      (cred_process.h);
 *   7. the profile's section in the config file ([default], [profile name]);
 *   8. container credentials: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (on
 *      http://169.254.170.2) or AWS_CONTAINER_CREDENTIALS_FULL_URI, with
 *      AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE or _TOKEN as Authorization;
 *   9. EC2 instance metadata, IMDSv2 only, unless AWS_EC2_METADATA_DISABLED
 *      is true (imds.h).
 *
 * Profiles that need an MFA code (mfa_serial) are reported as unsupported
 * rather than skipped.
 *
 * Files: AWS_SHARED_CREDENTIALS_FILE (default ~/.aws/credentials) and
 * AWS_CONFIG_FILE (default ~/.aws/config), ~ being $HOME.  A missing file
 * is no error; a malformed one is (CR_EXIT_INPUT, "FILE:LINE: ...").
 *
 * STS: opt->sts_endpoint, else AWS_ENDPOINT_URL_STS, else the regional
 * endpoint https://sts.REGION.amazonaws.com (.amazonaws.com.cn in China)
 * for the region from opt->region, AWS_REGION, AWS_DEFAULT_REGION or the
 * profile's region, else the global https://sts.amazonaws.com signed for
 * us-east-1.
 *
 * Errors: no credentials anywhere is one line listing the sources tried;
 * expired credentials say so; STS refusals carry the HTTP status and the
 * AWS error code.  All are CR_EXIT_AUTH, except transport failures and STS
 * or SSO server errors (CR_EXIT_REMOTE) and malformed files and profiles
 * (CR_EXIT_INPUT).  No message ever contains a key, a secret, a session
 * token, a web identity, SSO or metadata token, or the arguments or output
 * of a credential_process.
 */
#ifndef COSTRANK_CREDENTIALS_H
#define COSTRANK_CREDENTIALS_H

#include <time.h>

#include "costrank/error.h"

typedef struct cr_aws_credentials {
	char *access_key_id;      /* owned */
	char *secret_access_key;  /* owned, wiped when cleared */
	char *session_token;      /* owned, wiped when cleared; NULL for
	                             long-term keys */
	time_t expiration;        /* 0 when unknown or never */
	char *source;             /* owned; where they came from, for
	                             messages ("environment", "profile dev in
	                             /home/me/.aws/credentials", ...) */
} cr_aws_credentials;

#define CR_AWS_CREDENTIALS_INIT { NULL, NULL, NULL, 0, NULL }

typedef struct cr_aws_options {
	const char *profile;       /* explicit profile (--profile) or NULL:
	                              then AWS_PROFILE, then "default" */
	const char *region;        /* NULL: environment, then the profile */
	const char *sts_endpoint;  /* "https://host[:port]" or NULL (above);
	                              http:// only for loopback hosts */
	long timeout_ms;           /* per STS/SSO/container request; 0: 30 s
	                              (instance metadata: always 1 s) */
	time_t now;                /* 0: the current time (for expiry) */
} cr_aws_options;

/*
 * Finds credentials along the chain into *out (which must be cleared or
 * CR_AWS_CREDENTIALS_INIT).  opt may be NULL.  Returns 0, or -1 with err
 * set and *out left empty.
 */
int cr_aws_credentials_resolve(const cr_aws_options *opt, cr_aws_credentials *out,
			       cr_error *err);

/*
 * A setting of the profile in effect (opt->profile, else AWS_PROFILE, else
 * AWS_DEFAULT_PROFILE, else "default"), read as every profile setting is
 * (the credentials file first, then the config file): "region",
 * "endpoint_url".  Returns 1 with *value malloced, 0 when the profile does
 * not set it, -1 with err set when a file is malformed.
 */
int cr_aws_profile_setting(const cr_aws_options *opt, const char *key, char **value,
			   cr_error *err);

typedef struct cr_aws_role {
	const char *role_arn;
	const char *external_id;   /* NULL for none */
	const char *session_name;  /* NULL: "costrank-<unix time>" */
	int duration_seconds;      /* 0: the STS default (one hour);
	                              else 900..43200 */
} cr_aws_role;

/*
 * Assumes role->role_arn with base (STS AssumeRole, SigV4-signed with base,
 * its session token included) into *out: per-account roles from the
 * accounts file.  The STS endpoint is chosen as above (the profile region
 * is that of opt->profile / AWS_PROFILE / default).  Returns 0 or -1.
 */
int cr_aws_assume_role(const cr_aws_credentials *base, const cr_aws_role *role,
		       const cr_aws_options *opt, cr_aws_credentials *out, cr_error *err);

/* 0 when c holds both keys and has not expired at now (0: time(NULL));
 * else -1 with err set (CR_EXIT_AUTH) naming c->source and the time. */
int cr_aws_credentials_check(const cr_aws_credentials *c, time_t now, cr_error *err);

/* Deep copy into *dst, which must be empty. */
void cr_aws_credentials_copy(cr_aws_credentials *dst, const cr_aws_credentials *src);

/* Wipes the secrets, frees every field and leaves c empty. */
void cr_aws_credentials_clear(cr_aws_credentials *c);

/*
 * Parses an ISO 8601 UTC timestamp as AWS writes them:
 * "2026-10-05T12:00:00Z", with optional fractional seconds and a "Z",
 * "+HH:MM" or "+HHMM" zone.  0 or -1.
 */
int cr_aws_time_parse(const char *s, time_t *out);

#define CR_AWS_TIME_STRLEN 21 /* "2026-10-05T12:00:00Z" plus NUL */

/* Formats t as "YYYY-MM-DDTHH:MM:SSZ" into buf[CR_AWS_TIME_STRLEN]. */
void cr_aws_time_format(time_t t, char *buf);

#endif
