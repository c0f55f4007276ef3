/* services.c - see costrank/services.h */
#include "costrank/services.h"

#include <string.h>

/*
 * Product code -> Cost Explorer SERVICE value, where the two differ from the
 * product name in the data or where exports disagree.  Sorted by code for
 * bsearch.  AmazonEC2 is split by usage type in cr_service_name.
 */
static const cr_service_map_entry service_map[] = {
	{ "AWSCloudTrail", "AWS CloudTrail" },
	{ "AWSCodeBuild", "CodeBuild" },
	{ "AWSConfig", "AWS Config" },
	{ "AWSDataTransfer", "AWS Data Transfer" },
	{ "AWSELB", "Amazon Elastic Load Balancing" },
	{ "AWSEvents", "CloudWatch Events" },
	{ "AWSGlue", "AWS Glue" },
	{ "AWSLambda", "AWS Lambda" },
	{ "AWSQueueService", "Amazon Simple Queue Service" },
	{ "AWSSecretsManager", "AWS Secrets Manager" },
	{ "AWSSecurityHub", "AWS Security Hub" },
	{ "AWSSupportBusiness", "AWS Support (Business)" },
	{ "AWSSupportEnterprise", "AWS Support (Enterprise)" },
	{ "AWSTransfer", "AWS Transfer Family" },
	{ "AWSXRay", "AWS X-Ray" },
	{ "AmazonApiGateway", "Amazon API Gateway" },
	{ "AmazonAthena", "Amazon Athena" },
	{ "AmazonCloudFront", "Amazon CloudFront" },
	{ "AmazonCloudWatch", "AmazonCloudWatch" },
	{ "AmazonDocDB", "Amazon DocumentDB (with MongoDB compatibility)" },
	{ "AmazonDynamoDB", "Amazon DynamoDB" },
	{ "AmazonECR", "Amazon EC2 Container Registry (ECR)" },
	{ "AmazonECS", "Amazon Elastic Container Service" },
	{ "AmazonEFS", "Amazon Elastic File System" },
	{ "AmazonEKS", "Amazon Elastic Container Service for Kubernetes" },
	{ "AmazonES", "Amazon OpenSearch Service" },
	{ "AmazonElastiCache", "Amazon ElastiCache" },
	{ "AmazonGlacier", "Amazon Glacier" },
	{ "AmazonGuardDuty", "Amazon GuardDuty" },
	{ "AmazonKinesisFirehose", "Amazon Kinesis Firehose" },
	{ "AmazonMSK", "Amazon Managed Streaming for Apache Kafka" },
	{ "AmazonRDS", "Amazon Relational Database Service" },
	{ "AmazonRoute53", "Amazon Route 53" },
	{ "AmazonS3", "Amazon Simple Storage Service" },
	{ "AmazonSES", "Amazon Simple Email Service" },
	{ "AmazonSNS", "Amazon Simple Notification Service" },
	{ "AmazonVPC", "Amazon Virtual Private Cloud" },
	{ "ComputeSavingsPlans", "Savings Plans for AWS Compute usage" },
	{ "OCBPremiumSupport", "AWS Premium Support" },
	{ "awskms", "AWS Key Management Service" },
};

const cr_service_map_entry *cr_service_map(size_t *count)
{
	*count = sizeof service_map / sizeof service_map[0];
	return service_map;
}

/* Instance-hour usage types of AmazonEC2 (after the region prefix). */
static const char *const ec2_compute_prefixes[] = {
	"BoxUsage", "SpotUsage", "DedicatedUsage", "HostUsage", "HeavyUsage",
	"UnusedBox", "UnusedDed", "UnusedHost", "ReservedHostUsage",
	"DedicatedRes", "HostBoxUsage", "SchedUsage", "CapacityBlock",
};

bool cr_service_ec2_is_compute(const char *ut, size_t len)
{
	/* Try the usage type as it is and after each '-' (region prefixes
	 * such as "APN1-" or "USE1-APN1-" contain no ':' before them). */
	size_t start = 0;

	for (;;) {
		for (size_t i = 0; i < sizeof ec2_compute_prefixes / sizeof ec2_compute_prefixes[0]; i++) {
			size_t n = strlen(ec2_compute_prefixes[i]);
			if (len - start >= n && memcmp(ut + start, ec2_compute_prefixes[i], n) == 0)
				return true;
		}
		const char *dash = memchr(ut + start, '-', len - start);
		const char *colon = memchr(ut + start, ':', len - start);
		if (!dash || (colon && colon < dash))
			return false;
		start = (size_t)(dash - ut) + 1;
	}
}

static int cmp_code(const char *code, size_t len, const char *entry)
{
	size_t n = strlen(entry);
	int c = memcmp(code, entry, len < n ? len : n);
	if (c)
		return c;
	return len < n ? -1 : len > n;
}

const char *cr_service_name(const char *code, size_t code_len,
			    const char *usage_type, size_t usage_len,
			    const char *product_name, size_t name_len,
			    bool is_tax, size_t *out_len)
{
	const char *name;
	size_t lo = 0, hi = sizeof service_map / sizeof service_map[0];

	if (is_tax) {
		name = CR_SERVICE_TAX;
		goto fixed;
	}
	if (code_len == 9 && memcmp(code, "AmazonEC2", 9) == 0) {
		name = cr_service_ec2_is_compute(usage_type, usage_len)
			? CR_SERVICE_EC2_COMPUTE : CR_SERVICE_EC2_OTHER;
		goto fixed;
	}
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = cmp_code(code, code_len, service_map[mid].code);
		if (c == 0) {
			name = service_map[mid].name;
			goto fixed;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	if (name_len) {
		*out_len = name_len;
		return product_name;
	}
	*out_len = code_len;
	return code;
fixed:
	*out_len = strlen(name);
	return name;
}
