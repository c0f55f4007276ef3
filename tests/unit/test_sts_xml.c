/*
 * test_sts_xml.c - STS response parsing (sts_xml.h): AssumeRole and
 * AssumeRoleWithWebIdentity successes, ErrorResponse, malformed documents,
 * missing fields, and external entity / DTD attacks that must not be
 * expanded or loaded.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "costrank/credentials.h"
#include "costrank/error.h"
#include "costrank/sts_xml.h"

#define NS "xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\""

static const char assume_role_ok[] =
	"<AssumeRoleResponse " NS ">\n"
	"  <AssumeRoleResult>\n"
	"  <SourceIdentity>Alice</SourceIdentity>\n"
	"    <AssumedRoleUser>\n"
	"      <Arn>arn:aws:sts::123456789012:assumed-role/demo/TestAR</Arn>\n"
	"      <AssumedRoleId>ARO123EXAMPLE123:TestAR</AssumedRoleId>\n"
	"    </AssumedRoleUser>\n"
	"    <Credentials>\n"
	"      <AccessKeyId>ASIAIOSFODNN7EXAMPLE</AccessKeyId>\n"
	"      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>\n"
	"      <SessionToken>\n"
	"       AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQW\n"
	"      </SessionToken>\n"
	"      <Expiration>2019-11-09T13:34:41Z</Expiration>\n"
	"    </Credentials>\n"
	"    <PackedPolicySize>6</PackedPolicySize>\n"
	"  </AssumeRoleResult>\n"
	"  <ResponseMetadata>\n"
	"    <RequestId>c6104cbe-af31-11e0-8154-cbc7ccf896c7</RequestId>\n"
	"  </ResponseMetadata>\n"
	"</AssumeRoleResponse>\n";

static int parse(const char *xml, const char *action, cr_sts_response *out, cr_error *err)
{
	cr_error_clear(err);
	*out = (cr_sts_response)CR_STS_RESPONSE_INIT;
	return cr_sts_xml_parse(xml, strlen(xml), action, out, err);
}

static void test_assume_role(void **state)
{
	cr_sts_response r;
	cr_error err;
	time_t want;

	(void)state;
	assert_int_equal(parse(assume_role_ok, "AssumeRole", &r, &err), 0);
	assert_string_equal(r.creds.access_key_id, "ASIAIOSFODNN7EXAMPLE");
	assert_string_equal(r.creds.secret_access_key, "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY");
	assert_string_equal(r.creds.session_token,
			    "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQW");
	assert_int_equal(cr_aws_time_parse("2019-11-09T13:34:41Z", &want), 0);
	assert_int_equal(r.creds.expiration, want);
	assert_int_equal(r.creds.expiration, 1573306481);
	assert_string_equal(r.assumed_role_arn, "arn:aws:sts::123456789012:assumed-role/demo/TestAR");
	assert_null(r.error_code);
	cr_sts_response_clear(&r);
	assert_null(r.creds.secret_access_key);
}

static void test_web_identity_and_cdata(void **state)
{
	static const char xml[] =
		"<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
		"<AssumeRoleWithWebIdentityResponse " NS "><AssumeRoleWithWebIdentityResult>"
		"<SubjectFromWebIdentityToken>amzn1.account.AF6RHO7KZU5XRVQJGXK6HB56KR2A"
		"</SubjectFromWebIdentityToken>"
		"<Credentials><SessionToken><![CDATA[tok<en>&]]></SessionToken>"
		"<SecretAccessKey>s&amp;ecret</SecretAccessKey>"
		"<Expiration>2026-10-05T12:00:00.000+02:00</Expiration>"
		"<AccessKeyId>ASIAWEB</AccessKeyId></Credentials>"
		"</AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>";
	cr_sts_response r;
	cr_error err;

	(void)state;
	assert_int_equal(parse(xml, "AssumeRoleWithWebIdentity", &r, &err), 0);
	assert_string_equal(r.creds.session_token, "tok<en>&");
	assert_string_equal(r.creds.secret_access_key, "s&ecret");
	assert_string_equal(r.creds.access_key_id, "ASIAWEB");
	assert_int_equal(r.creds.expiration, 1791201600 - 7200); /* 10:00Z */
	assert_null(r.assumed_role_arn);
	cr_sts_response_clear(&r);

	/* The response for the other action is not accepted. */
	assert_int_equal(parse(xml, "AssumeRole", &r, &err), -1);
	assert_int_equal(err.code, CR_EXIT_REMOTE);
	assert_non_null(strstr(err.msg, "AssumeRoleWithWebIdentityResponse"));
}

static void test_error_response(void **state)
{
	static const char xml[] =
		"<ErrorResponse " NS ">\n"
		"  <Error>\n"
		"    <Type>Sender</Type>\n"
		"    <Code>AccessDenied</Code>\n"
		"    <Message>User: arn:aws:iam::123456789012:user/ci is not authorized to "
		"perform: sts:AssumeRole on resource: arn:aws:iam::210987654321:role/ro</Message>\n"
		"  </Error>\n"
		"  <RequestId>4b7a4c2e-0000-11e0-8154-cbc7ccf896c7</RequestId>\n"
		"</ErrorResponse>";
	static const char no_message[] =
		"<ErrorResponse><Error><Code>ExpiredToken</Code></Error></ErrorResponse>";
	static const char no_code[] =
		"<ErrorResponse><Error><Message>x</Message></Error></ErrorResponse>";
	cr_sts_response r;
	cr_error err;

	(void)state;
	assert_int_equal(parse(xml, "AssumeRole", &r, &err), 1);
	assert_string_equal(r.error_code, "AccessDenied");
	assert_non_null(strstr(r.error_message, "is not authorized to perform: sts:AssumeRole"));
	assert_null(r.creds.access_key_id);
	assert_int_equal(err.code, 0);
	cr_sts_response_clear(&r);

	assert_int_equal(parse(no_message, "AssumeRole", &r, &err), 1);
	assert_string_equal(r.error_code, "ExpiredToken");
	assert_null(r.error_message);
	cr_sts_response_clear(&r);

	assert_int_equal(parse(no_code, "AssumeRole", &r, &err), -1);
	assert_non_null(strstr(err.msg, "without an error code"));
}

static void test_malformed(void **state)
{
	static const struct {
		const char *xml;
		const char *want;
	} cases[] = {
		{ "", "empty body" },
		{ "not xml at all", "not well-formed XML" },
		{ "<AssumeRoleResponse><AssumeRoleResult>", "not well-formed XML" },
		{ "{\"Credentials\": {}}", "not well-formed XML" },
		{ "<Other/>", "document element is <Other>" },
		{ "<AssumeRoleResponse/>", "no <AssumeRoleResult>" },
		{ "<AssumeRoleResponse><AssumeRoleResult/></AssumeRoleResponse>", "no <Credentials>" },
		{ "<AssumeRoleResponse><AssumeRoleResult><Credentials>"
		  "<SecretAccessKey>s</SecretAccessKey><SessionToken>t</SessionToken>"
		  "<Expiration>2026-10-05T12:00:00Z</Expiration>"
		  "</Credentials></AssumeRoleResult></AssumeRoleResponse>",
		  "no AccessKeyId in Credentials" },
		{ "<AssumeRoleResponse><AssumeRoleResult><Credentials>"
		  "<AccessKeyId>a</AccessKeyId><SecretAccessKey>  </SecretAccessKey>"
		  "<SessionToken>t</SessionToken><Expiration>2026-10-05T12:00:00Z</Expiration>"
		  "</Credentials></AssumeRoleResult></AssumeRoleResponse>",
		  "no SecretAccessKey in Credentials" },
		{ "<AssumeRoleResponse><AssumeRoleResult><Credentials>"
		  "<AccessKeyId>a</AccessKeyId><SecretAccessKey>s</SecretAccessKey>"
		  "<Expiration>2026-10-05T12:00:00Z</Expiration>"
		  "</Credentials></AssumeRoleResult></AssumeRoleResponse>",
		  "no SessionToken in Credentials" },
		{ "<AssumeRoleResponse><AssumeRoleResult><Credentials>"
		  "<AccessKeyId>a</AccessKeyId><SecretAccessKey>s</SecretAccessKey>"
		  "<SessionToken>t</SessionToken>"
		  "</Credentials></AssumeRoleResult></AssumeRoleResponse>",
		  "no Expiration in Credentials" },
		{ "<AssumeRoleResponse><AssumeRoleResult><Credentials>"
		  "<AccessKeyId>a</AccessKeyId><SecretAccessKey>s</SecretAccessKey>"
		  "<SessionToken>t</SessionToken><Expiration>tomorrow</Expiration>"
		  "</Credentials></AssumeRoleResult></AssumeRoleResponse>",
		  "Expiration is not an ISO 8601 time" },
		{ "<AssumeRoleResponse><AssumeRoleResult><Credentials>"
		  "<AccessKeyId>a<b/></AccessKeyId><SecretAccessKey>s</SecretAccessKey>"
		  "<SessionToken>t</SessionToken><Expiration>2026-10-05T12:00:00Z</Expiration>"
		  "</Credentials></AssumeRoleResult></AssumeRoleResponse>",
		  "no AccessKeyId in Credentials" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		cr_sts_response r;
		cr_error err;

		if (parse(cases[i].xml, "AssumeRole", &r, &err) != -1)
			fail_msg("case %zu: parsed", i);
		assert_int_equal(err.code, CR_EXIT_REMOTE);
		if (!strstr(err.msg, cases[i].want))
			fail_msg("case %zu: message '%s' lacks '%s'", i, err.msg, cases[i].want);
		assert_int_equal(strncmp(err.msg, "STS AssumeRole: malformed response: ", 36), 0);
		assert_null(r.creds.access_key_id);
		assert_null(r.creds.secret_access_key);
	}
}

static void test_xxe_not_expanded(void **state)
{
	char dir[] = "/tmp/costrank-test-xxe-XXXXXX";
	char secret_path[256], xml[2048];
	FILE *f;
	cr_sts_response r;
	cr_error err;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(secret_path, sizeof secret_path, "%s/secret.txt", dir);
	f = fopen(secret_path, "w");
	assert_non_null(f);
	fputs("LOCAL-FILE-CONTENT", f);
	fclose(f);

	/* External entity in the credentials: must not be read. */
	snprintf(xml, sizeof xml,
		 "<?xml version=\"1.0\"?>\n"
		 "<!DOCTYPE AssumeRoleResponse [<!ENTITY xxe SYSTEM \"file://%s\">]>\n"
		 "<AssumeRoleResponse><AssumeRoleResult><Credentials>"
		 "<AccessKeyId>&xxe;</AccessKeyId><SecretAccessKey>&xxe;</SecretAccessKey>"
		 "<SessionToken>&xxe;</SessionToken><Expiration>2026-10-05T12:00:00Z</Expiration>"
		 "</Credentials></AssumeRoleResult></AssumeRoleResponse>",
		 secret_path);
	assert_int_equal(parse(xml, "AssumeRole", &r, &err), -1);
	assert_non_null(strstr(err.msg, "DTD"));
	assert_null(strstr(err.msg, "LOCAL-FILE-CONTENT"));
	assert_null(r.creds.access_key_id);

	/* Internal entity expansion (billion laughs shape). */
	assert_int_equal(parse("<?xml version=\"1.0\"?>\n"
			       "<!DOCTYPE r [<!ENTITY a \"aaaaaaaaaa\">"
			       "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]>\n"
			       "<ErrorResponse><Error><Code>&b;</Code></Error></ErrorResponse>",
			       "AssumeRole", &r, &err),
			 -1);
	assert_non_null(strstr(err.msg, "DTD"));
	assert_null(r.error_code);

	/* An external DTD that would be fetched. */
	snprintf(xml, sizeof xml,
		 "<?xml version=\"1.0\"?>\n"
		 "<!DOCTYPE ErrorResponse SYSTEM \"file://%s\">\n"
		 "<ErrorResponse><Error><Code>X</Code></Error></ErrorResponse>",
		 secret_path);
	assert_int_equal(parse(xml, "AssumeRole", &r, &err), -1);
	assert_non_null(strstr(err.msg, "DTD"));

	/* An entity reference without any DTD is not well-formed. */
	assert_int_equal(parse("<ErrorResponse><Error><Code>&xxe;</Code></Error></ErrorResponse>",
			       "AssumeRole", &r, &err),
			 -1);
	assert_non_null(strstr(err.msg, "not well-formed"));
	assert_null(r.error_code);

	unlink(secret_path);
	rmdir(dir);
}

static void test_time_parse(void **state)
{
	time_t t;
	char buf[CR_AWS_TIME_STRLEN];

	(void)state;
	assert_int_equal(cr_aws_time_parse("1970-01-01T00:00:00Z", &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(cr_aws_time_parse("2026-10-05T12:00:00Z", &t), 0);
	cr_aws_time_format(t, buf);
	assert_string_equal(buf, "2026-10-05T12:00:00Z");
	assert_int_equal(cr_aws_time_parse("2026-10-05T14:00:00+0200", &t), 0);
	cr_aws_time_format(t, buf);
	assert_string_equal(buf, "2026-10-05T12:00:00Z");
	assert_int_equal(cr_aws_time_parse("2026-10-05T11:30:00.123456-00:30", &t), 0);
	cr_aws_time_format(t, buf);
	assert_string_equal(buf, "2026-10-05T12:00:00Z");
	assert_int_equal(cr_aws_time_parse("2026-10-05 12:00:00", &t), 0);
	assert_int_equal(cr_aws_time_parse("2026-02-30T00:00:00Z", &t), -1);
	assert_int_equal(cr_aws_time_parse("2026-10-05T24:00:00Z", &t), -1);
	assert_int_equal(cr_aws_time_parse("2026-10-05T12:00:00Zjunk", &t), -1);
	assert_int_equal(cr_aws_time_parse("2026-10-05", &t), -1);
	assert_int_equal(cr_aws_time_parse("", &t), -1);
	assert_int_equal(cr_aws_time_parse(NULL, &t), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_assume_role),
		cmocka_unit_test(test_web_identity_and_cdata),
		cmocka_unit_test(test_error_response),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_xxe_not_expanded),
		cmocka_unit_test(test_time_parse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
