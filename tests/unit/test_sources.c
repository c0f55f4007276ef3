/* Unit tests: format detection from the header, the service-name mapping,
 * and rows of each format reduced to ledger keys. */
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
#include "costrank/services.h"

/* Splits a comma-separated header (no quoting) into fields. */
static size_t split(char *s, cr_field *f, size_t max)
{
	size_t n = 0;
	for (char *tok = strtok(s, ","); tok && n < max; tok = strtok(NULL, ","))
		f[n++] = (cr_field){ tok, strlen(tok) };
	return n;
}

struct detect_case {
	const char *header;
	enum cr_format want;
	const char *message;  /* part of the error when want is UNKNOWN */
};

static const struct detect_case detect_cases[] = {
	{ "identity_line_item_id,line_item_usage_account_id,line_item_line_item_type,"
	  "line_item_usage_start_date,line_item_product_code,line_item_usage_type,"
	  "line_item_unblended_cost,product", CR_FORMAT_CUR2, NULL },
	/* any order, any case, among other columns */
	{ "x,LINE_ITEM_UNBLENDED_COST,y,line_item_usage_type,line_item_product_code,"
	  "line_item_usage_start_date,line_item_line_item_type,line_item_usage_account_id",
	  CR_FORMAT_CUR2, NULL },
	{ "identity/LineItemId,lineItem/UsageAccountId,lineItem/LineItemType,"
	  "lineItem/UsageStartDate,lineItem/ProductCode,lineItem/UsageType,"
	  "lineItem/UnblendedCost,product/ProductName", CR_FORMAT_CUR, NULL },
	{ "BilledCost,ChargePeriodStart,ServiceName,ChargeCategory,SubAccountId",
	  CR_FORMAT_FOCUS, NULL },
	{ "BilledCost,ChargePeriodStart,ServiceName,ChargeCategory,BillingAccountId",
	  CR_FORMAT_FOCUS, NULL },
	{ "BilledCost,ChargePeriodStart,ServiceName,ChargeCategory", CR_FORMAT_UNKNOWN,
	  "SubAccountId or BillingAccountId" },
	{ "line_item_usage_account_id,line_item_line_item_type,line_item_usage_start_date,"
	  "line_item_product_code,line_item_unblended_cost", CR_FORMAT_UNKNOWN,
	  "CUR 2.0 header lacks column line_item_usage_type" },
	{ "date,amount,description", CR_FORMAT_UNKNOWN, "unrecognised header" },
	{ "BilledCost,ChargePeriodStart,ServiceName,ChargeCategory,SubAccountId,BilledCost",
	  CR_FORMAT_UNKNOWN, "column 'BilledCost' appears twice (fields 1 and 6)" },
};

static void test_detect(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof detect_cases / sizeof detect_cases[0]; i++) {
		char buf[1024];
		cr_field f[64];
		cr_columns cols;
		cr_error err = { 0 };
		const struct detect_case *c = &detect_cases[i];

		snprintf(buf, sizeof buf, "%s", c->header);
		size_t n = split(buf, f, 64);
		int rc = cr_columns_detect(&cols, f, n, "h.csv", &err);
		if (c->want == CR_FORMAT_UNKNOWN) {
			if (rc != -1 || !strstr(err.msg, c->message))
				print_error("header %s: got '%s', want '%s'\n", c->header, err.msg, c->message);
			assert_int_equal(rc, -1);
			assert_non_null(strstr(err.msg, c->message));
			assert_non_null(strstr(err.msg, "h.csv"));
		} else {
			if (rc != 0 || cols.format != c->want)
				print_error("header %s: %s\n", c->header, err.msg);
			assert_int_equal(rc, 0);
			assert_int_equal(cols.format, c->want);
			assert_int_equal(cols.nfields, n);
		}
	}
}

struct svc_case {
	const char *code, *usage, *product, *want;
	bool tax;
};

static const struct svc_case svc_cases[] = {
	{ "AmazonEC2", "BoxUsage:m5.xlarge", "Amazon Elastic Compute Cloud", CR_SERVICE_EC2_COMPUTE, false },
	{ "AmazonEC2", "APN1-BoxUsage:c6g.2xlarge", "", CR_SERVICE_EC2_COMPUTE, false },
	{ "AmazonEC2", "USE1-SpotUsage:c5.2xlarge", "", CR_SERVICE_EC2_COMPUTE, false },
	{ "AmazonEC2", "EU-DedicatedUsage:m5.large", "", CR_SERVICE_EC2_COMPUTE, false },
	{ "AmazonEC2", "HeavyUsage:m5.large", "", CR_SERVICE_EC2_COMPUTE, false },
	{ "AmazonEC2", "UnusedBox:m5.large", "", CR_SERVICE_EC2_COMPUTE, false },
	{ "AmazonEC2", "EBS:VolumeUsage.gp2", "Amazon Elastic Compute Cloud", CR_SERVICE_EC2_OTHER, false },
	{ "AmazonEC2", "USE1-APN1-AWS-Out-Bytes", "", CR_SERVICE_EC2_OTHER, false },
	{ "AmazonEC2", "NatGateway-Bytes", "", CR_SERVICE_EC2_OTHER, false },
	{ "AmazonEC2", "APN1-ElasticIP:IdleAddress", "", CR_SERVICE_EC2_OTHER, false },
	{ "AmazonEC2", "EBS:SnapshotUsage", "", CR_SERVICE_EC2_OTHER, false },
	{ "AWSELB", "LoadBalancerUsage", "Elastic Load Balancing", "Amazon Elastic Load Balancing", false },
	{ "AmazonCloudWatch", "DataProcessing-Bytes", "AmazonCloudWatch", "AmazonCloudWatch", false },
	{ "AmazonES", "ESInstance:r6g.large.search", "Amazon Elasticsearch Service", "Amazon OpenSearch Service", false },
	{ "awskms", "KMS-Requests", "AWS Key Management Service", "AWS Key Management Service", false },
	{ "AmazonBedrock", "USE1-Claude-Input", "Amazon Bedrock", "Amazon Bedrock", false },
	{ "SomethingNew", "x", "", "SomethingNew", false },
	{ "AmazonS3", "", "Amazon Simple Storage Service", "Tax", true },
};

static void test_service_names(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof svc_cases / sizeof svc_cases[0]; i++) {
		const struct svc_case *c = &svc_cases[i];
		size_t len;
		const char *got = cr_service_name(c->code, strlen(c->code), c->usage, strlen(c->usage),
						  c->product, strlen(c->product), c->tax, &len);
		if (len != strlen(c->want) || strncmp(got, c->want, len))
			print_error("%s / %s: got '%.*s', want '%s'\n", c->code, c->usage,
				    (int)len, got, c->want);
		assert_int_equal(len, strlen(c->want));
		assert_memory_equal(got, c->want, len);
	}
}

static void test_service_map_sorted(void **state)
{
	size_t n;
	const cr_service_map_entry *m = cr_service_map(&n);
	(void)state;
	for (size_t i = 1; i < n; i++) {
		if (strcmp(m[i - 1].code, m[i].code) >= 0)
			print_error("service map not sorted at %s\n", m[i].code);
		assert_true(strcmp(m[i - 1].code, m[i].code) < 0);
	}
}

/* Writes text to a temp file and reads it into a fresh ledger. */
static cr_ledger *read_text(const char *text, enum cr_metric metric, cr_error *err, int *rc)
{
	char path[] = "/tmp/costrank-src-XXXXXX";
	int fd = mkstemp(path);
	enum cr_format f;
	cr_ledger *l = cr_ledger_new(metric);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	*rc = cr_billing_file_read(l, path, &f, err);
	unlink(path);
	return l;
}

static const cr_ledger_entry *find(const cr_ledger *l, const char *ut, enum cr_kind kind)
{
	size_t n;
	const cr_ledger_entry *e = cr_ledger_entries(l, &n);
	for (size_t i = 0; i < n; i++)
		if (!strcmp(cr_ledger_str(l, e[i].key.usage_type), ut) && e[i].key.kind == kind)
			return &e[i];
	return NULL;
}

static void assert_cost(const cr_ledger_entry *e, const char *want)
{
	char buf[CR_DEC_STRLEN];
	assert_non_null(e);
	cr_dec_format(e->cost, -1, buf, sizeof buf);
	assert_string_equal(buf, want);
}

static void test_cur_rows_and_amortisation(void **state)
{
	const char *text =
		"lineItem/UsageAccountId,lineItem/LineItemType,lineItem/UsageStartDate,"
		"lineItem/ProductCode,lineItem/UsageType,lineItem/UnblendedCost,lineItem/UsageAmount,"
		"pricing/term,pricing/unit,product/ProductName,reservation/EffectiveCost,"
		"reservation/UnusedAmortizedUpfrontFeeForBillingPeriod,reservation/UnusedRecurringFee,"
		"savingsPlan/SavingsPlanEffectiveCost,savingsPlan/TotalCommitmentToDate,"
		"savingsPlan/UsedCommitment,resourceTags/user:environment\r\n"
		"012345678901,Usage,2026-10-01T00:00:00Z,AmazonEC2,BoxUsage:m5.large,1.5,2,OnDemand,Hrs,x,,,,,,,prod\r\n"
		"012345678901,Usage,2026-10-01T00:00:00Z,AmazonEC2,SpotUsage:c5.large,0.5,2,Spot,Hrs,x,,,,,,,prod\r\n"
		"012345678901,SavingsPlanCoveredUsage,2026-10-01T00:00:00Z,AmazonEC2,BoxUsage:m5.xlarge,4,1,,Hrs,x,,,,2.5,,,prod\r\n"
		"012345678901,SavingsPlanNegation,2026-10-01T00:00:00Z,AmazonEC2,BoxUsage:m5.xlarge,-4,1,,Hrs,x,,,,,,,prod\r\n"
		"012345678901,SavingsPlanRecurringFee,2026-10-01T00:00:00Z,ComputeSavingsPlans,ComputeSP:1yrNoUpfront,3,,,,x,,,,,3,2.5,\r\n"
		"012345678901,DiscountedUsage,2026-10-01T00:00:00Z,AmazonRDS,InstanceUsage:db.r6g.large,0,24,Reserved,Hrs,Amazon Relational Database Service,1.25,,,,,,dev\r\n"
		"012345678901,RIFee,2026-10-01T00:00:00Z,AmazonRDS,HeavyUsage:db.r6g.large,30,720,,Hrs,Amazon Relational Database Service,,0.5,0.25,,,,\r\n"
		"012345678901,Tax,2026-10-01T00:00:00Z,AmazonRDS,,7,,,,Amazon Relational Database Service,,,,,,,\r\n"
		"012345678901,Usage,2026-10-01,AmazonEC2,BoxUsage:m5.large,5.0E-7,NULL,OnDemand,Hrs,x,,,,,,,prod\r\n";
	cr_error err = { 0 };
	int rc;
	cr_ledger *l;
	(void)state;

	l = read_text(text, CR_METRIC_UNBLENDED, &err, &rc);
	if (rc)
		print_error("%s\n", err.msg);
	assert_int_equal(rc, 0);
	assert_cost(find(l, "BoxUsage:m5.large", CR_KIND_USAGE), "1.5000005");
	assert_cost(find(l, "SpotUsage:c5.large", CR_KIND_SPOT), "0.5");
	assert_cost(find(l, "BoxUsage:m5.xlarge", CR_KIND_SP_COVERED), "4");
	assert_cost(find(l, "BoxUsage:m5.xlarge", CR_KIND_SP_NEGATION), "-4");
	assert_cost(find(l, "", CR_KIND_TAX), "7");
	const cr_ledger_entry *e = find(l, "BoxUsage:m5.large", CR_KIND_USAGE);
	assert_string_equal(cr_ledger_str(l, e->key.service), CR_SERVICE_EC2_COMPUTE);
	assert_string_equal(cr_ledger_str(l, e->unit), "Hrs");
	assert_string_equal(cr_ledger_str(l, find(l, "", CR_KIND_TAX)->key.service), "Tax");
	assert_string_equal(cr_ledger_str(l, cr_ledger_account_environment(l, e->key.account)), "prod");
	cr_ledger_free(l);

	l = read_text(text, CR_METRIC_AMORTIZED, &err, &rc);
	assert_int_equal(rc, 0);
	assert_cost(find(l, "BoxUsage:m5.xlarge", CR_KIND_SP_COVERED), "2.5");
	assert_cost(find(l, "BoxUsage:m5.xlarge", CR_KIND_SP_NEGATION), "0");
	assert_cost(find(l, "ComputeSP:1yrNoUpfront", CR_KIND_COMMITMENT_FEE), "0.5");
	assert_cost(find(l, "InstanceUsage:db.r6g.large", CR_KIND_RI_COVERED), "1.25");
	assert_cost(find(l, "HeavyUsage:db.r6g.large", CR_KIND_COMMITMENT_FEE), "0.75");
	cr_ledger_free(l);
}

static void test_focus_rows(void **state)
{
	const char *text =
		"\xEF\xBB\xBF" "SubAccountId,SubAccountName,BilledCost,EffectiveCost,ChargePeriodStart,"
		"ServiceName,ChargeCategory,ChargeClass,PricingCategory,CommitmentDiscountType,"
		"x_ServiceCode,x_UsageType,SkuMeter,ChargeDescription,ConsumedQuantity,ConsumedUnit,"
		"BillingCurrency,Tags,ProviderName\n"
		"012345678901,prod,2.5,2.5,2026-10-02 00:00:00,Amazon Elastic Compute Cloud,usage,NULL,"
		"Standard,,AmazonEC2,EBS:VolumeUsage.gp2,,,10,GB-Mo,USD,\"{\"\"environment\"\":\"\"production\"\"}\",AWS\n"
		"012345678901,prod,-1,-1,2026-10-02T00:00:00Z,Amazon Elastic Compute Cloud,Credit,Correction,"
		",,AmazonEC2,,,refund,,,USD,,AWS\n"
		"012345678901,prod,-2,-2,2026-10-02T00:00:00Z,Amazon Elastic Compute Cloud,Credit,,"
		",,AmazonEC2,,,credit,,,USD,,AWS\n"
		"sub-1,dev,3,3,2026-10-02T00:00:00Z,Virtual Machines,Usage,,Dynamic,,,,"
		"D4s v5,\"Spot, \"\"D4s\"\"\nline two\",1,Hours,USD,,Microsoft\n";
	cr_error err = { 0 };
	int rc;
	cr_ledger *l;
	(void)state;

	l = read_text(text, CR_METRIC_UNBLENDED, &err, &rc);
	if (rc)
		print_error("%s\n", err.msg);
	assert_int_equal(rc, 0);
	const cr_ledger_entry *e = find(l, "EBS:VolumeUsage.gp2", CR_KIND_USAGE);
	assert_cost(e, "2.5");
	assert_string_equal(cr_ledger_str(l, e->key.service), CR_SERVICE_EC2_OTHER);
	assert_string_equal(cr_ledger_str(l, cr_ledger_account_name(l, e->key.account)), "prod");
	assert_string_equal(cr_ledger_str(l, cr_ledger_account_environment(l, e->key.account)), "production");
	assert_cost(find(l, "refund", CR_KIND_REFUND), "-1");
	assert_cost(find(l, "credit", CR_KIND_CREDIT), "-2");
	/* not AWS: the service passes through; usage type falls back to SkuMeter */
	e = find(l, "D4s v5", CR_KIND_SPOT);
	assert_cost(e, "3");
	assert_string_equal(cr_ledger_str(l, e->key.service), "Virtual Machines");
	cr_ledger_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detect),
		cmocka_unit_test(test_service_names),
		cmocka_unit_test(test_service_map_sorted),
		cmocka_unit_test(test_cur_rows_and_amortisation),
		cmocka_unit_test(test_focus_rows),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
