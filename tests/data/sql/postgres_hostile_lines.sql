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
	SUM(COALESCE("line_item_unblended_cost", 0)),
	SUM(COALESCE("line_item_usage_amount", 0)),
	COUNT(*)
FROM "cur""; DROP TABLE x; --"
WHERE "bill_billing_period_start_date" >= TIMESTAMP '2026-09-01 00:00:00'
	AND "bill_billing_period_start_date" < TIMESTAMP '2026-11-01 00:00:00'
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9,
	CASE WHEN "line_item_usage_start_date" < TIMESTAMP '2026-09-01 00:00:00' THEN 0
		WHEN "line_item_usage_start_date" < TIMESTAMP '2026-10-01 00:00:00' THEN 1
		WHEN "line_item_usage_start_date" < TIMESTAMP '2026-11-01 00:00:00' THEN 2 ELSE 3 END
ORDER BY 1, 10, 6, 3, 5, 7, 4, 8, 2, 9
