/* metric.c - see costrank/metric.h */
#include "costrank/metric.h"

#include "costrank/i18n.h"

const char *cr_metric_name(enum cr_metric m)
{
	/* N_: the JSON keeps the English word; the human formats translate it */
	return m == CR_METRIC_AMORTIZED ? N_("amortized") : N_("unblended");
}

const char *cr_excluded_name(enum cr_excluded e)
{
	static const char *const names[CR_EXCL_COUNT] = { N_("credits"), N_("refunds"),
							  N_("tax") };
	return (unsigned)e < CR_EXCL_COUNT ? names[e] : "?";
}
