SELECT "column_name", "data_type", version()
FROM "information_schema"."columns"
WHERE "table_name" = 'cur''x'
	AND "table_schema" = 'billing'
ORDER BY "ordinal_position"
