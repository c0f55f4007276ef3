/* billing_file.c - see costrank/billing_file.h */
#include "costrank/billing_file.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "costrank/buf.h"
#include "costrank/date.h"
#include "costrank/decimal.h"
#include "costrank/input.h"
#include "costrank/services.h"

const char *cr_format_name(enum cr_format f)
{
	switch (f) {
	case CR_FORMAT_CUR2: return "cur2";
	case CR_FORMAT_CUR: return "cur";
	case CR_FORMAT_FOCUS: return "focus";
	default: return "unknown";
	}
}

const char *cr_format_title(enum cr_format f)
{
	switch (f) {
	case CR_FORMAT_CUR2: return "CUR 2.0";
	case CR_FORMAT_CUR: return "legacy CUR";
	case CR_FORMAT_FOCUS: return "FOCUS";
	default: return "unknown";
	}
}

/* ---- header recognition ------------------------------------------------ */

#define COL(f) offsetof(cr_columns, f)

struct colname {
	const char *name;
	size_t offset;   /* of the int in cr_columns */
	bool required;
};

static const struct colname cur2_cols[] = {
	{ "line_item_usage_account_id", COL(account_id), true },
	{ "line_item_line_item_type", COL(line_type), true },
	{ "line_item_usage_start_date", COL(start), true },
	{ "line_item_product_code", COL(product_code), true },
	{ "line_item_usage_type", COL(usage_type), true },
	{ "line_item_unblended_cost", COL(unblended), true },
	{ "line_item_usage_account_name", COL(account_name), false },
	{ "line_item_usage_amount", COL(usage_amount), false },
	{ "line_item_currency_code", COL(currency), false },
	{ "pricing_unit", COL(unit), false },
	{ "pricing_term", COL(pricing_term), false },
	{ "product", COL(product_map), false },
	{ "product_product_name", COL(product_name), false },
	{ "resource_tags", COL(tags_map), false },
	{ "resource_tags_user_environment", COL(env_tag), false },
	{ "reservation_effective_cost", COL(ri_effective), false },
	{ "reservation_unused_amortized_upfront_fee_for_billing_period", COL(ri_unused_upfront), false },
	{ "reservation_unused_recurring_fee", COL(ri_unused_recurring), false },
	{ "reservation_reservation_a_r_n", COL(ri_arn), false },
	{ "savings_plan_savings_plan_effective_cost", COL(sp_effective), false },
	{ "savings_plan_total_commitment_to_date", COL(sp_total_commitment), false },
	{ "savings_plan_used_commitment", COL(sp_used_commitment), false },
	{ "identity_line_item_id", COL(line_id), false },
	{ "identity_time_interval", COL(time_interval), false },
	{ "line_item_operation", COL(operation), false },
	{ "pricing_public_on_demand_cost", COL(public_od), false },
};

static const struct colname cur_cols[] = {
	{ "lineItem/UsageAccountId", COL(account_id), true },
	{ "lineItem/LineItemType", COL(line_type), true },
	{ "lineItem/UsageStartDate", COL(start), true },
	{ "lineItem/ProductCode", COL(product_code), true },
	{ "lineItem/UsageType", COL(usage_type), true },
	{ "lineItem/UnblendedCost", COL(unblended), true },
	{ "lineItem/UsageAmount", COL(usage_amount), false },
	{ "lineItem/CurrencyCode", COL(currency), false },
	{ "pricing/unit", COL(unit), false },
	{ "pricing/term", COL(pricing_term), false },
	{ "product/ProductName", COL(product_name), false },
	{ "resourceTags/user:environment", COL(env_tag), false },
	{ "reservation/EffectiveCost", COL(ri_effective), false },
	{ "reservation/UnusedAmortizedUpfrontFeeForBillingPeriod", COL(ri_unused_upfront), false },
	{ "reservation/UnusedRecurringFee", COL(ri_unused_recurring), false },
	{ "reservation/ReservationARN", COL(ri_arn), false },
	{ "savingsPlan/SavingsPlanEffectiveCost", COL(sp_effective), false },
	{ "savingsPlan/TotalCommitmentToDate", COL(sp_total_commitment), false },
	{ "savingsPlan/UsedCommitment", COL(sp_used_commitment), false },
	{ "identity/LineItemId", COL(line_id), false },
	{ "identity/TimeInterval", COL(time_interval), false },
	{ "lineItem/Operation", COL(operation), false },
	{ "pricing/publicOnDemandCost", COL(public_od), false },
};

static const struct colname focus_cols[] = {
	{ "BilledCost", COL(unblended), true },
	{ "ChargePeriodStart", COL(start), true },
	{ "ServiceName", COL(service_name), true },
	{ "ChargeCategory", COL(charge_category), true },
	{ "SubAccountId", COL(account_id), false },
	{ "BillingAccountId", COL(billing_account_id), false },
	{ "SubAccountName", COL(account_name), false },
	{ "EffectiveCost", COL(amortized), false },
	{ "BillingCurrency", COL(currency), false },
	{ "ConsumedQuantity", COL(usage_amount), false },
	{ "ConsumedUnit", COL(unit), false },
	{ "PricingUnit", COL(unit_alt), false },
	{ "x_ServiceCode", COL(product_code), false },
	{ "x_UsageType", COL(usage_type), false },
	{ "SkuMeter", COL(usage_alt1), false },
	{ "x_SkuMeterName", COL(usage_alt2), false },
	{ "ChargeDescription", COL(usage_alt3), false },
	{ "SkuId", COL(usage_alt4), false },
	{ "ChargeClass", COL(charge_class), false },
	{ "PricingCategory", COL(pricing_category), false },
	{ "CommitmentDiscountType", COL(commitment_type), false },
	{ "CommitmentDiscountId", COL(commitment_id), false },
	{ "Tags", COL(tags_map), false },
	{ "x_Operation", COL(operation), false },
};

struct format_def {
	enum cr_format format;
	const struct colname *cols;
	size_t ncols;
};

static const struct format_def formats[] = {
	{ CR_FORMAT_CUR2, cur2_cols, sizeof cur2_cols / sizeof cur2_cols[0] },
	{ CR_FORMAT_CUR, cur_cols, sizeof cur_cols / sizeof cur_cols[0] },
	{ CR_FORMAT_FOCUS, focus_cols, sizeof focus_cols / sizeof focus_cols[0] },
};

static int *col_slot(cr_columns *c, size_t offset)
{
	return (int *)((char *)c + offset);
}

static void columns_reset(cr_columns *c)
{
	for (size_t off = COL(account_id); off + sizeof(int) <= sizeof *c; off += sizeof(int))
		*col_slot(c, off) = -1;
}

static void required_list(cr_buf *b, const struct format_def *fd)
{
	bool first = true;
	for (size_t i = 0; i < fd->ncols; i++) {
		if (!fd->cols[i].required)
			continue;
		cr_buf_addf(b, "%s%s", first ? "" : ", ", fd->cols[i].name);
		first = false;
	}
}

int cr_columns_detect(cr_columns *cols, const cr_field *fields, size_t n,
		      const char *path, cr_error *err)
{
	const struct format_def *best = NULL;
	int best_found = -1;
	cr_buf b = CR_BUF_INIT;

	for (size_t f = 0; f < sizeof formats / sizeof formats[0]; f++) {
		const struct format_def *fd = &formats[f];
		int found = 0;
		bool complete = true;

		memset(cols, 0, sizeof *cols);
		columns_reset(cols);
		cols->format = fd->format;
		cols->nfields = n;
		for (size_t i = 0; i < fd->ncols; i++) {
			int *slot = col_slot(cols, fd->cols[i].offset);
			for (size_t j = 0; j < n; j++) {
				if (fields[j].len != strlen(fd->cols[i].name) ||
				    strncasecmp(fields[j].ptr, fd->cols[i].name, fields[j].len))
					continue;
				if (*slot >= 0) {
					cr_error_set(err, CR_EXIT_INPUT,
						     "%s:1: column '%s' appears twice (fields %d and %zu)",
						     path, fd->cols[i].name, *slot + 1, j + 1);
					return -1;
				}
				*slot = (int)j;
			}
			if (fd->cols[i].required) {
				if (*slot >= 0)
					found++;
				else
					complete = false;
			}
		}
		if (fd->format == CR_FORMAT_FOCUS && cols->account_id < 0) {
			if (cols->billing_account_id >= 0)
				cols->account_id = cols->billing_account_id;
			else
				complete = false;
		}
		if (complete)
			return 0;
		if (found > best_found) {
			best_found = found;
			best = fd;
		}
	}

	if (best && best_found >= 2) {
		/* nearly one format: say which columns it lacks */
		cr_columns tmp;
		memset(&tmp, 0, sizeof tmp);
		columns_reset(&tmp);
		for (size_t i = 0; i < best->ncols; i++) {
			bool present = false;
			for (size_t j = 0; j < n && !present; j++)
				present = fields[j].len == strlen(best->cols[i].name) &&
					  !strncasecmp(fields[j].ptr, best->cols[i].name, fields[j].len);
			if (best->cols[i].required && !present)
				cr_buf_addf(&b, "%s%s", b.len ? ", " : "", best->cols[i].name);
		}
		if (best->format == CR_FORMAT_FOCUS && !b.len)
			cr_buf_adds(&b, "SubAccountId or BillingAccountId");
		cr_error_set(err, CR_EXIT_INPUT, "%s:1: %s header lacks column%s %s",
			     path, cr_format_title(best->format),
			     strchr(b.ptr, ',') ? "s" : "", b.ptr);
		cr_buf_release(&b);
		return -1;
	}

	cr_buf_adds(&b, "first columns: ");
	for (size_t j = 0; j < n && j < 4; j++)
		cr_buf_addf(&b, "%s'%.*s'", j ? ", " : "", (int)(fields[j].len > 40 ? 40 : fields[j].len), fields[j].ptr);
	if (n > 4)
		cr_buf_adds(&b, ", ...");
	cr_buf_adds(&b, "; looked for CUR 2.0 (");
	required_list(&b, &formats[0]);
	cr_buf_adds(&b, "), legacy CUR (");
	required_list(&b, &formats[1]);
	cr_buf_adds(&b, ") or FOCUS (");
	required_list(&b, &formats[2]);
	cr_buf_adds(&b, ", SubAccountId)");
	cr_error_set(err, CR_EXIT_INPUT, "%s:1: unrecognised header (%s)", path, b.ptr);
	cr_buf_release(&b);
	return -1;
}
