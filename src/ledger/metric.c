/* metric.c - see costrank/metric.h */
#include "costrank/metric.h"

const char *cr_metric_name(enum cr_metric m)
{
	return m == CR_METRIC_AMORTIZED ? "amortized" : "unblended";
}

const char *cr_excluded_name(enum cr_excluded e)
{
	static const char *const names[CR_EXCL_COUNT] = { "credits", "refunds", "tax" };
	return (unsigned)e < CR_EXCL_COUNT ? names[e] : "?";
}
