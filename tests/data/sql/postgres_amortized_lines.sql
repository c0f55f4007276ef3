SELECT
	"line_item_usage_account_id",
	"line_item_usage_account_name",
	"line_item_line_item_type",
	"pricing_term",
	"line_item_product_code",
	"line_item_usage_type",
	(CAST(NULLIF(CAST("product" AS text), '') AS json) ->> 'product_name'),
	"pricing_unit",
	"line_item_currency_code",
	MIN(CAST("line_item_usage_start_date" AS DATE)),
	MAX(CAST("line_item_usage_start_date" AS DATE)),
	SUM(CASE "line_item_line_item_type"
		WHEN 'SavingsPlanCoveredUsage' THEN COALESCE("savings_plan_savings_plan_effective_cost", 0)
		WHEN 'SavingsPlanRecurringFee' THEN COALESCE("savings_plan_total_commitment_to_date", 0) - COALESCE("savings_plan_used_commitment", 0)
		WHEN 'SavingsPlanNegation' THEN 0
		WHEN 'SavingsPlanUpfrontFee' THEN 0
		WHEN 'DiscountedUsage' THEN COALESCE("reservation_effective_cost", 0)
		WHEN 'RIFee' THEN COALESCE("reservation_unused_amortized_upfront_fee_for_billing_period", 0) + COALESCE("reservation_unused_recurring_fee", 0)
		WHEN 'Fee' THEN CASE WHEN COALESCE("reservation_reservation_a_r_n", '') <> '' THEN 0 ELSE COALESCE("line_item_unblended_cost", 0) END
		ELSE COALESCE("line_item_unblended_cost", 0) END),
	SUM(COALESCE("line_item_usage_amount", 0)),
	COUNT(*)
FROM "billing"."cur"
WHERE "bill_billing_period_start_date" >= TIMESTAMP '2026-09-01 00:00:00'
	AND "bill_billing_period_start_date" < TIMESTAMP '2026-11-01 00:00:00'
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9,
	CASE WHEN "line_item_usage_start_date" < TIMESTAMP '2026-09-01 00:00:00' THEN 0
		WHEN "line_item_usage_start_date" < TIMESTAMP '2026-10-01 00:00:00' THEN 1
		WHEN "line_item_usage_start_date" < TIMESTAMP '2026-11-01 00:00:00' THEN 2 ELSE 3 END
ORDER BY 1, 10, 6, 3, 5, 7, 4, 8, 2, 9
