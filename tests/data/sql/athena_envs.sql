SELECT
	"line_item_usage_account_id",
	element_at("resource_tags", 'user:environment'),
	COUNT(*)
FROM "cur_exports"."data"
WHERE "billing_period" IN ('2026-09', '2026-10')
GROUP BY 1, 2
ORDER BY 1, 2
