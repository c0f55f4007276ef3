/*
 * billing_rows.h - what a CUR row's key columns decide, for sources that
 * receive CUR rows already aggregated (sql.h) and must book them exactly as
 * the billing-file reader books a row.
 */
#ifndef COSTRANK_BILLING_ROWS_H
#define COSTRANK_BILLING_ROWS_H

#include <stddef.h>

#include "costrank/ledger.h"

/*
 * The kind of charge of a CUR line: from its line item type, with Usage
 * turned into CR_KIND_SPOT for the pricing term "Spot" or a usage type
 * holding "SpotUsage".  Same mapping as the billing-file reader.
 */
enum cr_kind cr_cur_line_kind(const char *type, size_t type_len, const char *term,
			      size_t term_len, const char *usage_type, size_t usage_len);

#endif
