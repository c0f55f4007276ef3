/*
 * services.h - service names as Cost Explorer shows them.
 *
 * Billing exports name services by product code (AmazonEC2) and product
 * name (Amazon Elastic Compute Cloud); the Cost Explorer console and API use
 * their own names, and split EC2 into "Amazon Elastic Compute Cloud -
 * Compute" (instance hours) and "EC2 - Other" (EBS, NAT gateway, data
 * transfer, Elastic IPs...).  Reports use the Cost Explorer names so that
 * file and live sources read the same.  The mapping is the data table in
 * services.c, documented in README.md "Service names".
 */
#ifndef COSTRANK_SERVICES_H
#define COSTRANK_SERVICES_H

#include <stdbool.h>
#include <stddef.h>

#define CR_SERVICE_EC2_COMPUTE "Amazon Elastic Compute Cloud - Compute"
#define CR_SERVICE_EC2_OTHER "EC2 - Other"
#define CR_SERVICE_TAX "Tax"

/*
 * The Cost Explorer name for a line.  code is the product code (may be
 * empty), usage_type the usage type, product_name the product name from the
 * data (may be empty), is_tax true for tax lines.  Returns a static string,
 * or product_name itself (then *from_data is set) when the code is not in
 * the table; the product code when there is no product name either.
 */
const char *cr_service_name(const char *code, size_t code_len,
			    const char *usage_type, size_t usage_len,
			    const char *product_name, size_t name_len,
			    bool is_tax, size_t *out_len);

/* True when an AmazonEC2 usage type is instance usage (BoxUsage, SpotUsage,
 * DedicatedUsage, HostUsage, HeavyUsage, UnusedBox, ...), with or without a
 * region prefix. */
bool cr_service_ec2_is_compute(const char *usage_type, size_t len);

/* The table, for documentation and tests: code -> name pairs. */
typedef struct cr_service_map_entry {
	const char *code;
	const char *name;
} cr_service_map_entry;
const cr_service_map_entry *cr_service_map(size_t *count);

#endif
