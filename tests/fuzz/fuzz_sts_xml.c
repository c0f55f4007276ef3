/*
 * fuzz_sts_xml.c - STS responses (cr_sts_xml_parse) as a hostile endpoint
 * or proxy might send them.  The first byte chooses the action
 * (AssumeRole or AssumeRoleWithWebIdentity); the rest is the body.
 *
 * Invariants: 0 gives complete credentials with an expiration; 1 an error
 * code; -1 a one-line CR_EXIT_REMOTE message "STS ACTION: ..." and nothing
 * owned; clearing leaves the response empty.
 */
#include "costrank/error.h"
#include "costrank/sts_xml.h"

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cr_sts_response r = CR_STS_RESPONSE_INIT;
	const char *action;
	char prefix[64];
	cr_error err;
	int rc;

	if (size < 1)
		return 0;
	action = data[0] & 1 ? "AssumeRoleWithWebIdentity" : "AssumeRole";
	cr_error_clear(&err);
	rc = cr_sts_xml_parse((const char *)data + 1, size - 1, action, &r, &err);
	switch (rc) {
	case 0:
		FUZZ_CHECK(r.creds.access_key_id && *r.creds.access_key_id);
		FUZZ_CHECK(r.creds.secret_access_key && *r.creds.secret_access_key);
		FUZZ_CHECK(r.creds.session_token && *r.creds.session_token);
		FUZZ_CHECK(r.error_code == NULL);
		break;
	case 1:
		FUZZ_CHECK(r.error_code && *r.error_code);
		FUZZ_CHECK(r.creds.secret_access_key == NULL);
		break;
	default:
		FUZZ_CHECK(rc == -1);
		FUZZ_CHECK(err.code == CR_EXIT_REMOTE);
		snprintf(prefix, sizeof prefix, "STS %s: ", action);
		FUZZ_CHECK(strncmp(err.msg, prefix, strlen(prefix)) == 0);
		FUZZ_CHECK(strchr(err.msg, '\n') == NULL);
		FUZZ_CHECK(r.creds.access_key_id == NULL && r.creds.secret_access_key == NULL &&
			   r.creds.session_token == NULL && r.error_code == NULL);
		break;
	}
	cr_sts_response_clear(&r);
	FUZZ_CHECK(r.creds.secret_access_key == NULL && r.error_code == NULL &&
		   r.assumed_role_arn == NULL);
	return 0;
}
