/*
 * test_s3.c - the parts of the S3 reader that need no server: s3:// URLs
 * (s3.h), ListObjectsV2 pages and error documents (s3_xml.h), and which
 * keys belong to a closed billing period (the cache, s3_internal.h).
 * The requests themselves are tested end to end (tests/e2e/test_s3.py).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "aws/s3_internal.h"
#include "costrank/error.h"
#include "costrank/s3.h"
#include "costrank/s3_xml.h"

#define LIST_HEAD "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" \
	"<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"

static void test_url_parse(void **state)
{
	(void)state;
	char *b, *k;
	cr_error err;

	assert_true(cr_s3_is_url("s3://b/k"));
	assert_false(cr_s3_is_url("S3://b/k"));
	assert_false(cr_s3_is_url(NULL));
	cr_error_clear(&err);
	assert_int_equal(cr_s3_url_parse("s3://my-bucket/cur/a b.csv", &b, &k, &err), 0);
	assert_string_equal(b, "my-bucket");
	assert_string_equal(k, "cur/a b.csv");
	free(b);
	free(k);
	assert_int_equal(cr_s3_url_parse("s3://my.bucket", &b, &k, &err), 0);
	assert_string_equal(b, "my.bucket");
	assert_string_equal(k, "");
	free(b);
	free(k);
	static const char *const bad[] = { "s3://", "s3:///k", "s3://a b/k", "s3://b/k\nx",
					   "file:///x", "s3://b%2f/k" };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cr_error_clear(&err);
		assert_int_equal(cr_s3_url_parse(bad[i], &b, &k, &err), -1);
		assert_int_equal(err.code, CR_EXIT_INPUT);
		assert_null(strchr(err.msg, '\n'));
		assert_null(b);
	}
}

static void test_list_page(void **state)
{
	(void)state;
	static const char xml[] = LIST_HEAD
		"<Name>b</Name><IsTruncated>true</IsTruncated>"
		"<NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>"
		"<EncodingType>url</EncodingType>"
		"<Contents><Key>cur/a+b%2Bc.csv</Key><LastModified>2026-11-02T08:00:00.000Z</LastModified>"
		"<ETag>&quot;9b2cf535f27731c974343645a3985328&quot;</ETag><Size>1234</Size></Contents>"
		"<Contents><Key>cur/%E2%82%AC.csv.gz</Key><Size>0</Size></Contents>"
		"</ListBucketResult>";
	cr_s3_list_page p;
	cr_error err;

	cr_error_clear(&err);
	assert_int_equal(cr_s3_xml_list(xml, strlen(xml), "b", "s3://b/cur", &p, &err), 0);
	assert_true(p.truncated);
	assert_string_equal(p.next_token, "1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=");
	assert_int_equal(p.n, 2);
	assert_string_equal(p.objs[0].url, "s3://b/cur/a b+c.csv");
	assert_int_equal(p.objs[0].size, 1234);
	assert_string_equal(p.objs[0].etag, "9b2cf535f27731c974343645a3985328");
	assert_int_equal(p.objs[0].mtime, 1793606400);
	assert_string_equal(p.objs[1].url, "s3://b/cur/\xe2\x82\xac.csv.gz");
	assert_int_equal(p.objs[1].size, 0);
	cr_s3_list_page_free(&p);
	assert_null(p.objs);
}

static void test_list_plain_keys_and_last_page(void **state)
{
	(void)state;
	static const char xml[] = LIST_HEAD "<IsTruncated>false</IsTruncated>"
		"<Contents><Key>a%20b+c</Key><Size>7</Size></Contents></ListBucketResult>";
	cr_s3_list_page p;
	cr_error err;

	cr_error_clear(&err);
	assert_int_equal(cr_s3_xml_list(xml, strlen(xml), "b", "w", &p, &err), 0);
	assert_false(p.truncated);
	assert_null(p.next_token);
	assert_string_equal(p.objs[0].url, "s3://b/a%20b+c"); /* not encoded: as written */
	cr_s3_list_page_free(&p);
}

static void test_list_malformed(void **state)
{
	(void)state;
	static const struct {
		const char *xml, *why;
	} bad[] = {
		{ "", "not well-formed" },
		{ "<ListBucketResult>", "not well-formed" },
		{ "<Error><Code>x</Code></Error>", "not <ListBucketResult>" },
		{ LIST_HEAD "<IsTruncated>true</IsTruncated></ListBucketResult>",
		  "without a NextContinuationToken" },
		{ LIST_HEAD "<IsTruncated>maybe</IsTruncated></ListBucketResult>", "IsTruncated" },
		{ LIST_HEAD "<Contents><Size>1</Size></Contents></ListBucketResult>", "object 1: no Key" },
		{ LIST_HEAD "<Contents><Key>k</Key><Size>-1</Size></Contents></ListBucketResult>",
		  "Size" },
		{ LIST_HEAD "<Contents><Key>k</Key></Contents></ListBucketResult>", "Size" },
		{ LIST_HEAD "<Contents><Key>k</Key><Size>99999999999999999999</Size></Contents>"
			    "</ListBucketResult>", "Size" },
		{ LIST_HEAD "<Contents><Key>a&#10;b</Key><Size>1</Size></Contents></ListBucketResult>",
		  "control characters" },
		{ LIST_HEAD "<EncodingType>url</EncodingType><Contents><Key>a%0Ab</Key><Size>1</Size>"
			    "</Contents></ListBucketResult>", "control characters" },
		{ LIST_HEAD "<EncodingType>url</EncodingType><Contents><Key>a%00b</Key><Size>1</Size>"
			    "</Contents></ListBucketResult>", "percent escape" },
		{ LIST_HEAD "<Contents><Key>k</Key><Size>1</Size><LastModified>yesterday</LastModified>"
			    "</Contents></ListBucketResult>", "LastModified" },
		{ "<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>"
		  "<ListBucketResult><Contents><Key>&e;</Key><Size>1</Size></Contents>"
		  "</ListBucketResult>", "DTD" },
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cr_s3_list_page p;
		cr_error err;

		cr_error_clear(&err);
		assert_int_equal(cr_s3_xml_list(bad[i].xml, strlen(bad[i].xml), "b", "s3://b/p", &p,
						&err), -1);
		assert_int_equal(err.code, CR_EXIT_REMOTE);
		if (!strstr(err.msg, bad[i].why))
			fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, bad[i].why);
		assert_non_null(strstr(err.msg, "s3://b/p: malformed ListObjectsV2 answer"));
		assert_null(strchr(err.msg, '\n'));
		assert_null(p.objs);
		assert_int_equal(p.n, 0);
	}
}

static void test_error_doc(void **state)
{
	(void)state;
	static const char xml[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>"
		"<Code>PermanentRedirect</Code><Message>The bucket\nmust be addressed</Message>"
		"<Region>eu-west-1</Region><RequestId>X</RequestId></Error>";
	cr_s3_error_doc e;

	assert_int_equal(cr_s3_xml_error(xml, strlen(xml), &e), 0);
	assert_string_equal(e.code, "PermanentRedirect");
	assert_string_equal(e.message, "The bucket must be addressed");
	assert_string_equal(e.region, "eu-west-1");
	assert_int_equal(cr_s3_xml_error("", 0, &e), -1);
	assert_int_equal(cr_s3_xml_error("<Error/>", 8, &e), -1);
	assert_string_equal(e.code, "");
	assert_int_equal(cr_s3_xml_error("<Error><Code>a b</Code></Error>", 31, &e), -1);
	assert_int_equal(cr_s3_xml_error("<html>503</html>", 16, &e), -1);
}

static void test_closed_periods(void **state)
{
	(void)state;
	time_t now = 1794182400; /* 2026-11-09 */

	assert_true(s3_cache_period_closed("x/data/BILLING_PERIOD=2026-10/p-00001.csv.gz", now));
	assert_false(s3_cache_period_closed("x/data/BILLING_PERIOD=2026-11/p-00001.csv.gz", now));
	assert_true(s3_cache_period_closed("cur/r/20261001-20261101/abc/r-1.csv.gz", now));
	assert_false(s3_cache_period_closed("cur/r/20261101-20261201/abc/r-1.csv.gz", now));
	assert_false(s3_cache_period_closed("cur/r/2026100-20261101/r-1.csv.gz", now));
	assert_false(s3_cache_period_closed("plain/file.csv.gz", now));
	assert_false(s3_cache_period_closed("x/BILLING_PERIOD=2026-13/p.csv", now));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url_parse),
		cmocka_unit_test(test_list_page),
		cmocka_unit_test(test_list_plain_keys_and_last_page),
		cmocka_unit_test(test_list_malformed),
		cmocka_unit_test(test_error_doc),
		cmocka_unit_test(test_closed_periods),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
