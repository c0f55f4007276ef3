/* writer.c - see costrank/writer.h */
#include "costrank/writer.h"

#include <string.h>

static const cr_writer writers[] = {
	{ "table", NULL, "", false, cr_write_table,
	  "ranked services and usage types per account, for the terminal", false },
	{ "json", "json", "", false, cr_write_json,
	  "the whole report as JSON (schema costrank.report/v1), exact amounts", false },
	{ "csv", "csv", "", false, cr_write_csv,
	  "one row per usage type, for spreadsheets (RFC 4180)", false },
	{ "csv", "csv", "-proposals", true, cr_write_csv_proposals,
	  "one row per savings proposal (with csv)", false },
	{ "csv", "csv", "-services", false, cr_write_csv_services,
	  "one row per listed service (with csv)", false },
	{ "csv", "csv", "-notes", false, cr_write_csv_notes,
	  "one row per warning of the report (with csv)", false },
	{ "csv", "csv", "-trend", false, cr_write_csv_trend,
	  "one row per month of the trend: organisation, accounts, services (with csv)",
	  true },
	{ "xlsx", "xlsx", "", false, cr_write_xlsx,
	  "Excel workbook: summary with charts, services, usage types, proposals", false },
	{ "md", "md", "", false, cr_write_markdown,
	  "Markdown summary for a pull request comment or a CI job summary", false },
	{ "html", "html", "", false, cr_write_html,
	  "one self-contained HTML page with charts, for a browser or print", false },
};

const cr_writer *cr_writers(size_t *count)
{
	if (count)
		*count = sizeof writers / sizeof writers[0];
	return writers;
}

const cr_writer *cr_writer_find(const char *name)
{
	if (!name)
		return NULL;
	for (size_t i = 0; i < sizeof writers / sizeof writers[0]; i++)
		if (strcmp(writers[i].name, name) == 0)
			return &writers[i];
	return NULL;
}
