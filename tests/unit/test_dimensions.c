/* test_dimensions.c - tests for the ledger's dimensions (costrank/ledger.h)
 * as the billing-file reader books them: a tag key, the region and the
 * resource id from CUR 2.0, legacy CUR and FOCUS rows, untagged lines
 * under value 0, parallel reads merged, and nothing booked when no
 * dimension is asked for. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "costrank/billing_file.h"
#include "costrank/ledger.h"

static const char cur2[] =
	"line_item_usage_account_id,line_item_line_item_type,line_item_usage_start_date,"
	"line_item_product_code,line_item_usage_type,line_item_unblended_cost,"
	"line_item_resource_id,product_region_code,resource_tags\n"
	"111122223333,Usage,2026-10-03T00:00:00Z,AmazonEC2,BoxUsage:m5.large,1.25,i-1,us-east-1,"
	"\"{\"\"user:team\"\":\"\"web\"\",\"\"user:environment\"\":\"\"production\"\"}\"\n"
	"111122223333,Usage,2026-10-04T00:00:00Z,AmazonEC2,BoxUsage:m5.large,2.5,i-2,us-east-1,"
	"\"{\"\"user_team\"\":\"\"data\"\"}\"\n"
	"111122223333,Usage,2026-10-05T00:00:00Z,AmazonS3,TimedStorage-ByteHrs,0.125,bkt,"
	"eu-west-1,{}\n"
	"111122223333,Usage,2026-10-06T00:00:00Z,AmazonEC2,BoxUsage:m5.large,0.75,i-1,us-east-1,"
	"\"{\"\"user:team\"\":\"\"web\"\"}\"\n";

static const char legacy[] =
	"lineItem/UsageAccountId,lineItem/LineItemType,lineItem/UsageStartDate,"
	"lineItem/ProductCode,lineItem/UsageType,lineItem/UnblendedCost,lineItem/ResourceId,"
	"product/region,resourceTags/user:team\n"
	"111122223333,Usage,2026-10-03T00:00:00Z,AmazonEC2,BoxUsage:m5.large,1.25,i-1,us-east-1,web\n"
	"111122223333,Usage,2026-10-04T00:00:00Z,AmazonEC2,BoxUsage:m5.large,2.5,i-2,us-east-1,data\n"
	"111122223333,Usage,2026-10-05T00:00:00Z,AmazonS3,TimedStorage-ByteHrs,0.125,bkt,eu-west-1,\n"
	"111122223333,Usage,2026-10-06T00:00:00Z,AmazonEC2,BoxUsage:m5.large,0.75,i-1,us-east-1,web\n";

static const char focus[] =
	"SubAccountId,ChargeCategory,ChargePeriodStart,ServiceName,x_UsageType,BilledCost,"
	"ResourceId,RegionId,Tags\n"
	"111122223333,Usage,2026-10-03T00:00:00Z,Amazon Elastic Compute Cloud,BoxUsage:m5.large,"
	"1.25,i-1,us-east-1,\"{\"\"team\"\":\"\"web\"\"}\"\n"
	"111122223333,Usage,2026-10-04T00:00:00Z,Amazon Elastic Compute Cloud,BoxUsage:m5.large,"
	"2.5,i-2,us-east-1,\"{\"\"team\"\":\"\"data\"\"}\"\n"
	"111122223333,Usage,2026-10-05T00:00:00Z,Amazon Simple Storage Service,"
	"TimedStorage-ByteHrs,0.125,bkt,eu-west-1,{}\n"
	"111122223333,Usage,2026-10-06T00:00:00Z,Amazon Elastic Compute Cloud,BoxUsage:m5.large,"
	"0.75,i-1,us-east-1,\"{\"\"team\"\":\"\"web\"\"}\"\n";

static char *write_temp(const char *text)
{
	char *path = strdup("/tmp/costrank-test-dims-XXXXXX.csv");
	int fd = mkstemps(path, 4);
	FILE *f = fdopen(fd, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	return path;
}

/* The cost of dimension i's value (NULL: none), as "1.25" text. */
static void sum_of(const cr_ledger *l, size_t i, const char *value, char *out)
{
	size_t n;
	const cr_ledger_entry *e = cr_ledger_dim_entries(l, i, &n);
	cr_dec total = CR_DEC_ZERO;

	for (size_t k = 0; k < n; k++) {
		const char *v = e[k].key.dim ? cr_ledger_str(l, e[k].key.dim) : NULL;
		if ((!v && !value) || (v && value && strcmp(v, value) == 0))
			assert_int_equal(cr_dec_acc(&total, e[k].cost), 0);
	}
	cr_dec_format(total, 3, out, 64);
}

/* The cost booked for a resource (NULL: lines without an id), as "1.25"
 * text; its first and last day are the 3rd and the 6th when it is i-1. */
static void resource_sum(const cr_ledger *l, const char *id, char *out)
{
	size_t n;
	const cr_ledger_resource *e = cr_ledger_resources(l, &n);
	cr_dec total = CR_DEC_ZERO;

	for (size_t k = 0; k < n; k++) {
		const char *v = e[k].resource ? cr_ledger_str(l, e[k].resource) : NULL;
		if ((!v && !id) || (v && id && strcmp(v, id) == 0)) {
			assert_int_equal(cr_dec_acc(&total, e[k].cost), 0);
			assert_int_equal(e[k].month, cr_month_first(e[k].first));
			if (v && strcmp(v, "i-1") == 0) {
				assert_int_equal(e[k].first, e[k].month + 2);
				assert_int_equal(e[k].last, e[k].month + 5);
			}
		}
	}
	cr_dec_format(total, 3, out, 64);
}

static void check(const char *text, const char *tag_key)
{
	char *path = write_temp(text);
	cr_ledger *l = cr_ledger_new(CR_METRIC_UNBLENDED);
	cr_error err = { 0 };
	enum cr_format f;
	char s[64];

	assert_int_equal(cr_ledger_add_dimension(l, CR_DIM_TAG, tag_key, &err), 0);
	assert_int_equal(cr_ledger_add_dimension(l, CR_DIM_REGION, NULL, &err), 1);
	assert_int_equal(cr_ledger_add_dimension(l, CR_DIM_RESOURCE, NULL, &err), 2);
	assert_int_equal(cr_ledger_add_dimension(l, CR_DIM_TAG, tag_key, &err), 0);
	assert_string_equal(cr_ledger_dimension(l, 1)->name, "region");
	assert_int_equal(cr_billing_file_read(l, path, &f, &err), 0);
	sum_of(l, 0, "web", s);
	assert_string_equal(s, "2.000");
	sum_of(l, 0, "data", s);
	assert_string_equal(s, "2.500");
	sum_of(l, 0, NULL, s);
	assert_string_equal(s, "0.125");
	sum_of(l, 1, "us-east-1", s);
	assert_string_equal(s, "4.500");
	sum_of(l, 1, "eu-west-1", s);
	assert_string_equal(s, "0.125");
	resource_sum(l, "i-1", s);
	assert_string_equal(s, "2.000");
	resource_sum(l, "bkt", s);
	assert_string_equal(s, "0.125");
	resource_sum(l, NULL, s);
	assert_string_equal(s, "0.000");
	unlink(path);
	free(path);
	cr_ledger_free(l);
}

static void test_cur2(void **state)
{
	(void)state;
	check(cur2, "team");
	check(cur2, "user:team");
}

static void test_legacy(void **state)
{
	(void)state;
	check(legacy, "team");
	check(legacy, "user:team");
}

static void test_focus(void **state)
{
	(void)state;
	check(focus, "team");
	check(focus, "user:team");
}

/* files read in parallel and merged keep every dimension's entries */
static void test_parallel(void **state)
{
	char *paths[3] = { write_temp(cur2), write_temp(cur2), write_temp(cur2) };
	cr_ledger *l = cr_ledger_new(CR_METRIC_UNBLENDED);
	cr_error err = { 0 };
	enum cr_format f;
	char s[64];

	(void)state;
	assert_int_equal(cr_ledger_add_dimension(l, CR_DIM_TAG, "team", &err), 0);
	assert_int_equal(cr_billing_files_read(l, paths, 3, 3, NULL, NULL, &f, &err), 0);
	sum_of(l, 0, "web", s);
	assert_string_equal(s, "6.000");
	sum_of(l, 0, NULL, s);
	assert_string_equal(s, "0.375");
	for (int i = 0; i < 3; i++) {
		unlink(paths[i]);
		free(paths[i]);
	}
	cr_ledger_free(l);
}

/* no dimension asked: nothing more is booked, the main entries are the same */
static void test_none(void **state)
{
	char *path = write_temp(cur2);
	cr_ledger *a = cr_ledger_new(CR_METRIC_UNBLENDED), *b = cr_ledger_new(CR_METRIC_UNBLENDED);
	cr_error err = { 0 };
	enum cr_format f;
	size_t na, nb, nd;

	(void)state;
	assert_int_equal(cr_billing_file_read(a, path, &f, &err), 0);
	assert_int_equal(cr_ledger_add_dimension(b, CR_DIM_RESOURCE, NULL, &err), 0);
	assert_int_equal(cr_billing_file_read(b, path, &f, &err), 0);
	cr_ledger_entries(a, &na);
	cr_ledger_entries(b, &nb);
	assert_int_equal(na, nb);
	assert_null(cr_ledger_dim_entries(a, 0, &nd));
	assert_int_equal(nd, 0);
	assert_int_equal(cr_ledger_dimension_count(a), 0);
	assert_null(cr_ledger_resources(a, &nd));
	assert_int_equal(nd, 0);
	/* a resource dimension keeps no daily entries: one per resource and month */
	cr_ledger_dim_entries(b, 0, &nd);
	assert_int_equal(nd, 0);
	cr_ledger_resources(b, &nd);
	assert_int_equal(nd, 3);
	assert_int_equal(cr_ledger_add_dimension(a, CR_DIM_TAG, "", &err), -1);
	assert_int_equal(err.code, CR_EXIT_USAGE);
	unlink(path);
	free(path);
	cr_ledger_free(a);
	cr_ledger_free(b);
}

/* Books cost on day for resource id (NULL: none) under one usage type. */
static void book(cr_ledger *l, const char *id, size_t idlen, cr_day day, const char *cost)
{
	cr_ledger_key k = { 0 };
	cr_error err = { 0 };
	cr_dec c;

	k.account = cr_ledger_intern(l, "111122223333", 12);
	k.service = cr_ledger_intern(l, "AmazonEC2", 9);
	k.usage_type = cr_ledger_intern(l, "BoxUsage:m5.large", 17);
	k.day = day;
	k.kind = CR_KIND_USAGE;
	assert_int_equal(cr_dec_parse(cost, strlen(cost), &c), 0);
	assert_int_equal(cr_ledger_add_dim(l, 0, &k, id ? cr_ledger_intern(l, id, idlen) : 0, c,
					   &err), 0);
}

/* one entry per resource and month, days widened, ledgers merged by id,
 * and a window keeps other days out */
static void test_resource_booking(void **state)
{
	cr_ledger *a = cr_ledger_new(CR_METRIC_UNBLENDED), *b;
	cr_error err = { 0 };
	cr_day oct = cr_month_first(20730), d3 = oct + 2;   /* some month's 3rd */
	const cr_ledger_resource *e;
	size_t n;
	char s[64];

	(void)state;
	assert_int_equal(cr_ledger_add_dimension(a, CR_DIM_RESOURCE, NULL, &err), 0);
	b = cr_ledger_new_like(a);
	book(a, "i-1", 3, d3 + 4, "1.5");
	book(a, "i-1", 3, d3, "0.5");
	book(a, NULL, 0, d3, "0.25");
	book(b, "vol-9", 5, d3 + 1, "2");
	book(b, "i-1", 3, d3 + 9, "1");
	book(b, "i-1", 3, cr_month_first(oct - 1), "7");   /* the month before */
	assert_int_equal(cr_ledger_merge(a, b, &err), 0);
	e = cr_ledger_resources(a, &n);
	assert_int_equal(n, 4);
	assert_string_equal(cr_ledger_str(a, e[0].resource), "i-1");
	assert_int_equal(e[0].month, oct);
	assert_int_equal(e[0].first, d3);
	assert_int_equal(e[0].last, d3 + 9);
	cr_dec_format(e[0].cost, 2, s, sizeof s);
	assert_string_equal(s, "3.00");
	assert_int_equal(e[1].resource, 0);
	resource_sum(a, "vol-9", s);
	assert_string_equal(s, "2.000");
	assert_int_equal(e[3].month, cr_month_first(oct - 1));
	cr_ledger_free(b);

	/* a window: only its days are booked */
	b = cr_ledger_new(CR_METRIC_UNBLENDED);
	assert_int_equal(cr_ledger_add_dimension(b, CR_DIM_RESOURCE, NULL, &err), 0);
	cr_ledger_set_resource_window(b, d3, d3 + 3);
	book(b, "i-2", 3, d3 - 1, "1");
	book(b, "i-2", 3, d3 + 3, "2");
	book(b, "i-2", 3, d3 + 4, "4");
	resource_sum(b, "i-2", s);
	assert_string_equal(s, "2.000");
	cr_ledger_free(b);
	cr_ledger_free(a);
}

/* hostile: a 1 MiB resource id and 300,000 distinct ids are booked exactly */
static void test_resource_hostile(void **state)
{
	cr_ledger *l = cr_ledger_new(CR_METRIC_UNBLENDED);
	cr_error err = { 0 };
	size_t big = 1u << 20, n;
	char *id = malloc(big), name[32], s[64];
	const cr_ledger_resource *e;
	cr_dec total = CR_DEC_ZERO;
	cr_day day = cr_month_first(20730);

	(void)state;
	assert_int_equal(cr_ledger_add_dimension(l, CR_DIM_RESOURCE, NULL, &err), 0);
	memset(id, 'x', big);
	book(l, id, big, day, "1");
	book(l, id, big, day + 1, "1");
	for (int i = 0; i < 300000; i++) {
		int len = snprintf(name, sizeof name, "i-%08x", i);
		book(l, name, (size_t)len, day + i % 28, "0.01");
	}
	e = cr_ledger_resources(l, &n);
	assert_int_equal(n, 300001);
	assert_int_equal(strlen(cr_ledger_str(l, e[0].resource)), big);
	cr_dec_format(e[0].cost, 0, s, sizeof s);
	assert_string_equal(s, "2");
	for (size_t k = 1; k < n; k++)
		assert_int_equal(cr_dec_acc(&total, e[k].cost), 0);
	cr_dec_format(total, 2, s, sizeof s);
	assert_string_equal(s, "3000.00");
	free(id);
	cr_ledger_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cur2),
		cmocka_unit_test(test_legacy),
		cmocka_unit_test(test_focus),
		cmocka_unit_test(test_parallel),
		cmocka_unit_test(test_none),
		cmocka_unit_test(test_resource_booking),
		cmocka_unit_test(test_resource_hostile),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
