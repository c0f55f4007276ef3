/* writer.c - see costrank/writer.h */
#include "costrank/writer.h"

#include <string.h>

static const cr_writer writers[] = {
	{ "table", NULL, "", false, cr_write_table,
	  "ranked services and usage types per account, for the terminal", false, NULL },
	{ "json", "json", "", false, cr_write_json,
	  "the whole report as JSON (schema costrank.report/v1), exact amounts", false, NULL },
	{ "csv", "csv", "", false, cr_write_csv,
	  "one row per usage type, for spreadsheets (RFC 4180)", false, NULL },
	{ "csv", "csv", "-proposals", true, cr_write_csv_proposals,
	  "one row per savings proposal (with csv)", false, NULL },
	{ "csv", "csv", "-services", false, cr_write_csv_services,
	  "one row per listed service (with csv)", false, NULL },
	{ "csv", "csv", "-notes", false, cr_write_csv_notes,
	  "one row per warning of the report (with csv)", false, NULL },
	{ "csv", "csv", "-trend", false, cr_write_csv_trend,
	  "one row per month of the trend: organisation, accounts, services (with csv)",
	  true, NULL },
	{ "csv", "csv", "-realised", false, cr_write_csv_realised,
	  "one row per proposal of the --baseline report: status, saving realised (with csv)",
	  false, cr_report_has_realised },
	{ "csv", "csv", "-drivers", false, cr_write_csv_drivers,
	  "one row per account and service: the change by its drivers (with csv)", false,
	  cr_report_has_drivers },
	{ "csv", "csv", "-anomalies", false, cr_write_csv_anomalies,
	  "one row per day-level spike or new usage type (with csv)", false,
	  cr_report_has_anomalies },
	{ "xlsx", "xlsx", "", false, cr_write_xlsx,
	  "Excel workbook: summary with charts, services, usage types, proposals", false, NULL },
	{ "md", "md", "", false, cr_write_markdown,
	  "Markdown summary for a pull request comment or a CI job summary", false, NULL },
	{ "html", "html", "", false, cr_write_html,
	  "one self-contained HTML page with charts, for a browser or print", false, NULL },
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

bool cr_report_has_realised(const cr_report *r)
{
	return r->realised != NULL;
}

bool cr_report_has_drivers(const cr_report *r)
{
	return r->n_drivers > 0;
}

bool cr_report_has_anomalies(const cr_report *r)
{
	return r->n_anomalies > 0;
}
