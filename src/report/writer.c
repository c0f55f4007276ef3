/* writer.c - see costrank/writer.h */
#include "costrank/writer.h"

#include <string.h>

static const cr_writer writers[] = {
	{ "table", NULL, "", false, cr_write_table,
	  "ranked services and usage types per account, for the terminal" },
	{ "json", "json", "", false, cr_write_json,
	  "the whole report as JSON (schema costrank.report/v1), exact amounts" },
	{ "csv", "csv", "", false, cr_write_csv,
	  "one row per usage type, for spreadsheets (RFC 4180)" },
	{ "csv", "csv", "-proposals", true, cr_write_csv_proposals,
	  "one row per savings proposal (with csv)" },
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
