-- tag:team
SELECT
	"line_item_usage_account_id",
	'',
	"line_item_line_item_type",
	"pricing_term",
	"line_item_product_code",
	"line_item_usage_type",
	"product_product_name",
	"pricing_unit",
	"line_item_currency_code",
	MIN(CAST("line_item_usage_start_date" AS DATE)),
	MAX(CAST("line_item_usage_start_date" AS DATE)),
	SUM(COALESCE(CAST("line_item_unblended_cost" AS DECIMAL(38, 10)), 0)),
	SUM(COALESCE(CAST("line_item_usage_amount" AS DECIMAL(38, 10)), 0)),
	COUNT(*),
	NULLIF("resource_tags_user_team", '')
FROM "athenacurcfn_cur"."cur"
WHERE (("year" = '2026' AND "month" = '9') OR ("year" = '2026' AND "month" = '10'))
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 15,
	CASE WHEN "line_item_usage_start_date" < TIMESTAMP '2026-09-01 00:00:00' THEN 0
		WHEN "line_item_usage_start_date" < TIMESTAMP '2026-10-01 00:00:00' THEN 1
		WHEN "line_item_usage_start_date" < TIMESTAMP '2026-11-01 00:00:00' THEN 2 ELSE 3 END
ORDER BY 1, 10, 6, 3, 5, 7, 4, 8, 2, 9, 15
-- cost-category:CostCenter
SELECT
	"line_item_usage_account_id",
	'',
	"line_item_line_item_type",
	"pricing_term",
	"line_item_product_code",
	"line_item_usage_type",
	"product_product_name",
	"pricing_unit",
	"line_item_currency_code",
	MIN(CAST("line_item_usage_start_date" AS DATE)),
	MAX(CAST("line_item_usage_start_date" AS DATE)),
	SUM(COALESCE(CAST("line_item_unblended_cost" AS DECIMAL(38, 10)), 0)),
	SUM(COALESCE(CAST("line_item_usage_amount" AS DECIMAL(38, 10)), 0)),
	COUNT(*),
	NULLIF("cost_category_costcenter", '')
FROM "athenacurcfn_cur"."cur"
WHERE (("year" = '2026' AND "month" = '9') OR ("year" = '2026' AND "month" = '10'))
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 15,
	CASE WHEN "line_item_usage_start_date" < TIMESTAMP '2026-09-01 00:00:00' THEN 0
		WHEN "line_item_usage_start_date" < TIMESTAMP '2026-10-01 00:00:00' THEN 1
		WHEN "line_item_usage_start_date" < TIMESTAMP '2026-11-01 00:00:00' THEN 2 ELSE 3 END
ORDER BY 1, 10, 6, 3, 5, 7, 4, 8, 2, 9, 15
-- region
SELECT
	"line_item_usage_account_id",
	'',
	"line_item_line_item_type",
	"pricing_term",
	"line_item_product_code",
	"line_item_usage_type",
	"product_product_name",
	"pricing_unit",
	"line_item_currency_code",
	MIN(CAST("line_item_usage_start_date" AS DATE)),
	MAX(CAST("line_item_usage_start_date" AS DATE)),
	SUM(COALESCE(CAST("line_item_unblended_cost" AS DECIMAL(38, 10)), 0)),
	SUM(COALESCE(CAST("line_item_usage_amount" AS DECIMAL(38, 10)), 0)),
	COUNT(*),
	NULLIF("product_region", '')
FROM "athenacurcfn_cur"."cur"
WHERE (("year" = '2026' AND "month" = '9') OR ("year" = '2026' AND "month" = '10'))
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 15,
	CASE WHEN "line_item_usage_start_date" < TIMESTAMP '2026-09-01 00:00:00' THEN 0
		WHEN "line_item_usage_start_date" < TIMESTAMP '2026-10-01 00:00:00' THEN 1
		WHEN "line_item_usage_start_date" < TIMESTAMP '2026-11-01 00:00:00' THEN 2 ELSE 3 END
ORDER BY 1, 10, 6, 3, 5, 7, 4, 8, 2, 9, 15
-- tag:aws:createdBy
SELECT
	"line_item_usage_account_id",
	'',
	"line_item_line_item_type",
	"pricing_term",
	"line_item_product_code",
	"line_item_usage_type",
	"product_product_name",
	"pricing_unit",
	"line_item_currency_code",
	MIN(CAST("line_item_usage_start_date" AS DATE)),
	MAX(CAST("line_item_usage_start_date" AS DATE)),
	SUM(COALESCE(CAST("line_item_unblended_cost" AS DECIMAL(38, 10)), 0)),
	SUM(COALESCE(CAST("line_item_usage_amount" AS DECIMAL(38, 10)), 0)),
	COUNT(*),
	NULLIF("resource_tags_aws_createdby", '')
FROM "athenacurcfn_cur"."cur"
WHERE (("year" = '2026' AND "month" = '9') OR ("year" = '2026' AND "month" = '10'))
GROUP BY 1, 2, 3, 4, 5, 6, 7, 8, 9, 15,
	CASE WHEN "line_item_usage_start_date" < TIMESTAMP '2026-09-01 00:00:00' THEN 0
		WHEN "line_item_usage_start_date" < TIMESTAMP '2026-10-01 00:00:00' THEN 1
		WHEN "line_item_usage_start_date" < TIMESTAMP '2026-11-01 00:00:00' THEN 2 ELSE 3 END
ORDER BY 1, 10, 6, 3, 5, 7, 4, 8, 2, 9, 15
