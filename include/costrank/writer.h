/*
 * writer.h - report writers and their registry.
 *
 * Every output format is one entry of a table: a name for --format, the
 * file extension (NULL for formats that go to standard output) and a
 * function that renders a cr_report to a stream.  Writers never print
 * anything else, never exit, and report failure through cr_error; the
 * caller checks the stream for write errors (see output.h).
 */
#ifndef COSTRANK_WRITER_H
#define COSTRANK_WRITER_H

#include <stdbool.h>
#include <stdio.h>

#include "costrank/buf.h"
#include "costrank/error.h"
#include "costrank/report.h"

typedef struct cr_write_opts {
	bool color;      /* ANSI colour (table only): only on a terminal, never with NO_COLOR */
	int width;       /* terminal width for the table, 0 = 80 */
	bool summary;    /* table: the headline, the accounts and the proposals
	                    only, without the per-account detail (--detail) */
	bool csv_bom;    /* start CSV files with a UTF-8 BOM */
	bool csv_localized; /* --csv-headers localized: the header row in the
	                       report's language (default: English names) */
	const char *tmpdir; /* where the workbook is assembled (the report's own
	                       directory); NULL: $TMPDIR, else /tmp */
} cr_write_opts;

typedef int (*cr_writer_fn)(const cr_report *r, FILE *out,
			    const cr_write_opts *opts, cr_error *err);

typedef struct cr_writer {
	const char *name;   /* the --format name: "table", "json", "csv", "xlsx"... */
	const char *ext;    /* file extension, NULL = standard output */
	const char *suffix; /* added to the file name: "", "-services", "-proposals", "-notes" */
	bool needs_proposals; /* written only when savings rules ran */
	cr_writer_fn write;
	const char *help;   /* one line for --help */
	bool needs_trend;   /* written only when the report has a trend */
	bool (*wanted)(const cr_report *r); /* NULL, or written only when it says so */
} cr_writer;

/* The registry, in the order --help lists it.  One --format name may
 * select several entries (csv writes the usage types, the services and the
 * proposals). */
const cr_writer *cr_writers(size_t *count);
/* The first writer called name, or NULL. */
const cr_writer *cr_writer_find(const char *name);

/* Terminal table: per account, ranked services with share bars, and their
 * ranked usage types; headline totals and the reconciliation. */
int cr_write_table(const cr_report *r, FILE *out, const cr_write_opts *o, cr_error *err);
/* JSON, schema costrank.report/v1 (README.md "JSON schema"). */
int cr_write_json(const cr_report *r, FILE *out, const cr_write_opts *o, cr_error *err);
/* CSV, one row per usage type (README.md "CSV columns"). */
int cr_write_csv(const cr_report *r, FILE *out, const cr_write_opts *o, cr_error *err);
/* CSV, one row per savings proposal (README.md "CSV columns"). */
int cr_write_csv_proposals(const cr_report *r, FILE *out, const cr_write_opts *o,
			   cr_error *err);
/* CSV, one row per listed service (README.md "CSV columns"). */
int cr_write_csv_services(const cr_report *r, FILE *out, const cr_write_opts *o,
			  cr_error *err);
/* CSV, one row per warning of the report; the header alone when there is
 * none (README.md "CSV columns"). */
int cr_write_csv_notes(const cr_report *r, FILE *out, const cr_write_opts *o,
		       cr_error *err);
/* CSV of one --by dimension, r->allocations[i]: one row per value, the
 * untagged row last, exact amounts (README.md "Allocation").  Written as
 * costrank-PERIOD-by-DIMENSION.csv (cr_allocation_file_part). */
int cr_write_csv_allocation(const cr_report *r, size_t i, FILE *out, const cr_write_opts *o,
			    cr_error *err);
/* The DIMENSION part of that file name: "tag:team" as "tag-team", any
 * byte other than a letter, digit, '.', '_' or '-' as '_'. */
void cr_allocation_file_part(const char *dimension, char *buf, size_t size);
/* CSV of the top resources (--resources): for each listed usage type its
 * resources, then rows "other_resources" and "no_resource_id" when not
 * zero, so that its rows sum to its cost (README.md "Resources").  Written
 * as costrank-PERIOD-resources.csv when cr_report_lists_resources. */
int cr_write_csv_resources(const cr_report *r, FILE *out, const cr_write_opts *o,
			   cr_error *err);
/* Whether some listed usage type of r lists a resource. */
bool cr_report_lists_resources(const cr_report *r);
/* CSV, one row per month of the trend (report.h cr_report_trend) for the
 * organisation, each account and each listed service (README.md "Trend"). */
int cr_write_csv_trend(const cr_report *r, FILE *out, const cr_write_opts *o, cr_error *err);
/* CSV, one row per proposal of the --baseline report: its status and the
 * saving realised (README.md "Realised savings"); written with --baseline. */
int cr_write_csv_realised(const cr_report *r, FILE *out, const cr_write_opts *o, cr_error *err);
/* CSV, one row per account and service: the change by its drivers and the
 * top movers (README.md "What drove the change"); written when not empty. */
int cr_write_csv_drivers(const cr_report *r, FILE *out, const cr_write_opts *o, cr_error *err);
/* CSV, one row per anomaly (README.md "Anomalies"); written when not empty. */
int cr_write_csv_anomalies(const cr_report *r, FILE *out, const cr_write_opts *o, cr_error *err);
/* Whether the report has them: the writers' `wanted`. */
bool cr_report_has_realised(const cr_report *r);
bool cr_report_has_drivers(const cr_report *r);
bool cr_report_has_anomalies(const cr_report *r);
/* Excel workbook (libxlsxwriter): sheets Summary (with charts), Services,
 * Usage types and Savings proposals; numbers as numbers, totals as formulas.
 * Built in a temporary file (".costrank-xlsx.tmp.XXXXXX", registered with
 * proc.h) in o->tmpdir that never outlives the call. */
int cr_write_xlsx(const cr_report *r, FILE *out, const cr_write_opts *o, cr_error *err);
/* The workbook's sheets with more rows than a worksheet holds (1,048,576
 * with the header and total rows): each is written with a note naming the
 * CSV report that holds its rows instead.  Appends "Usage types (6600000
 * rows)", comma-separated, to b; returns how many. */
size_t cr_xlsx_omitted(const cr_report *r, cr_buf *b);

/* GitHub's limit for a comment, counted here in bytes (never fewer than
 * characters): the Markdown report never exceeds it. */
#define CR_MARKDOWN_LIMIT 65536
/* Markdown summary for a pull-request comment or $GITHUB_STEP_SUMMARY: the
 * headline, the reconciliation, the top services per account and the top
 * proposals; accounts are dropped from the end, with a note, to stay within
 * CR_MARKDOWN_LIMIT. */
int cr_write_markdown(const cr_report *r, FILE *out, const cr_write_opts *o, cr_error *err);
/* One self-contained HTML page (inline CSS and SVG charts, no scripts, no
 * network), accessible and printable. */
int cr_write_html(const cr_report *r, FILE *out, const cr_write_opts *o, cr_error *err);

#endif
