/*
 * sso.h - role credentials from AWS IAM Identity Center (SSO), as the AWS
 * CLI v2 gets them for a profile with sso_account_id and sso_role_name.
 *
 * The access token is the one `aws sso login` cached in
 * $HOME/.aws/sso/cache/HASH.json, HASH being the hex SHA-1 of the
 * sso-session name, or of the start URL for the legacy form (sso_start_url
 * in the profile itself):
 *
 *   {"accessToken": "...", "expiresAt": "2026-11-23T10:00:00Z", ...}
 *
 * ("2026-11-23T10:00:00UTC" is read too).  The token is not refreshed: a
 * missing, malformed or expired one is CR_EXIT_AUTH, one line naming the
 * profile and asking for `aws sso login`.  The token buys the role's
 * credentials from the portal:
 *
 *   GET https://portal.sso.REGION.amazonaws.com/federation/credentials
 *       ?account_id=ID&role_name=ROLE
 *   x-amz-sso_bearer_token: TOKEN
 *   -> {"roleCredentials": {"accessKeyId": ..., "secretAccessKey": ...,
 *       "sessionToken": ..., "expiration": <epoch milliseconds>}}
 *
 * AWS_ENDPOINT_URL_SSO replaces https://portal.sso.REGION.amazonaws.com
 * (plain http only to loopback hosts).  Throttling and 5xx answers are
 * retried.  HTTP 401 and 403 are CR_EXIT_AUTH (the session expired or has
 * no access to the role); other failures CR_EXIT_REMOTE, naming the host,
 * the status and the AWS error type.  No message holds the token or a key.
 */
#ifndef COSTRANK_SSO_H
#define COSTRANK_SSO_H

#include <time.h>

#include "costrank/credentials.h"
#include "costrank/error.h"

typedef struct cr_sso_profile {
	const char *profile;     /* the profile's name, for messages */
	const char *session;     /* its sso_session, or NULL: the legacy form */
	const char *start_url;   /* sso_start_url */
	const char *region;      /* sso_region */
	const char *account_id;  /* sso_account_id */
	const char *role_name;   /* sso_role_name */
} cr_sso_profile;

/* The token cache file of p (owned), or NULL when HOME is unset. */
char *cr_sso_cache_path(const cr_sso_profile *p);

/*
 * The role credentials of p into the empty *out, with their expiration.
 * now (0: the current time) decides whether the token has expired;
 * timeout_ms bounds each request (0: 30 s).  Returns 0, or -1 with err set
 * and *out empty.
 */
int cr_sso_credentials(const cr_sso_profile *p, time_t now, long timeout_ms,
		       cr_aws_credentials *out, cr_error *err);

#endif
