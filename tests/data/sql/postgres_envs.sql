SELECT
	"line_item_usage_account_id",
	(CAST(NULLIF(CAST("resource_tags" AS text), '') AS json) ->> 'user:environment'),
	COUNT(*)
FROM "cur"
WHERE "bill_billing_period_start_date" >= TIMESTAMP '2026-09-01 00:00:00'
	AND "bill_billing_period_start_date" < TIMESTAMP '2026-11-01 00:00:00'
GROUP BY 1, 2
ORDER BY 1, 2
