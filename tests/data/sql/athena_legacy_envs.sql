SELECT
	"line_item_usage_account_id",
	"resource_tags_user_environment",
	COUNT(*)
FROM "athenacurcfn_cur"."cur"
WHERE (("year" = '2025' AND "month" = '12') OR ("year" = '2026' AND "month" = '1'))
GROUP BY 1, 2
ORDER BY 1, 2
