/* cmd_report.c - `costrank report`: files in, ranked reports out. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/options.h"
#include "cli/report_deliver.h"
#include "cli/report_live.h"
#include "costrank/accounts.h"
#include "costrank/anomaly.h"
#include "costrank/billing_file.h"
#include "costrank/drivers.h"
#include "costrank/buf.h"
#include "costrank/export_root.h"
#include "costrank/ledger.h"
#include "costrank/i18n.h"
#include "costrank/output.h"
#include "costrank/period.h"
#include "costrank/proc.h"
#include "costrank/rank.h"
#include "costrank/realised.h"
#include "costrank/rules.h"
#include "costrank/s3.h"
#include "costrank/savings.h"
#include "costrank/source.h"
#include "costrank/trend.h"
#include "costrank/writer.h"

enum {
	OPT_FORMAT = 1, OPT_OUT, OPT_MONTH, OPT_FROM, OPT_TO, OPT_TOP, OPT_TOP_USAGE,
	OPT_METRIC, OPT_INCLUDE, OPT_ACCOUNTS, OPT_COLOR, OPT_CSV_BOM, OPT_QUIET, OPT_HELP,
	OPT_RULES, OPT_NO_RULES, OPT_DETAIL, OPT_BY, OPT_MONTHS,
	OPT_LANG, OPT_CSV_HEADERS, OPT_RESOURCES, OPT_BASELINE, OPT_MIN_SAVING,
};

static const struct cr_option report_options[] = {
	{ "format", 'f', true, OPT_FORMAT, "LIST", N_("outputs, comma-separated: table,json,csv,xlsx,md,html (default: table,json,csv)") },
	{ "out", 'o', true, OPT_OUT, "DIR", N_("directory for report files (default: reports); - writes the one --format json, csv or md to stdout") },
	{ "month", 'm', true, OPT_MONTH, "YYYY-MM", N_("report this calendar month") },
	{ "from", 0, true, OPT_FROM, "YYYY-MM-DD", N_("first day of the period (inclusive)") },
	{ "to", 0, true, OPT_TO, "YYYY-MM-DD", N_("last day of the period (inclusive)") },
	{ "months", 0, true, OPT_MONTHS, "N", N_("monthly trend: up to N months ending with the reported one (default 12; 1 = none)") },
	{ "top", 'n', true, OPT_TOP, "N", N_("services per account (default 10), the rest as \"Other services\"") },
	{ "top-usage", 'u', true, OPT_TOP_USAGE, "M", N_("usage types per service (default 5; 0 = services only)") },
	{ "detail", 0, true, OPT_DETAIL, "LEVEL", N_("table: full (default; every account's services) or summary (accounts and proposals)") },
	{ "metric", 0, true, OPT_METRIC, "NAME", N_("unblended (default; FOCUS BilledCost) or amortized (EffectiveCost)") },
	{ "include", 0, true, OPT_INCLUDE, "LIST", N_("also rank credits,refunds,tax (default: none)") },
	{ "by", 0, true, OPT_BY, "DIM", N_("also split the total by tag:KEY, cost-category:NAME or region (repeatable)") },
	{ "resources", 0, true, OPT_RESOURCES, "N", N_("top resources of each listed usage type (default 3; 0 = none; at most 100; billing files)") },
	{ "accounts", 'a', true, OPT_ACCOUNTS, "FILE", N_("account names, environments and owners (JSON)") },
	{ "rules", 'r', true, OPT_RULES, "FILE", N_("add or override savings rules (JSON; repeatable)") },
	{ "no-rules", 0, false, OPT_NO_RULES, NULL, N_("rank only: no savings proposals") },
	{ "baseline", 0, true, OPT_BASELINE, "FILE", N_("an earlier JSON report: what its proposals realised") },
	{ "min-saving", 0, true, OPT_MIN_SAVING, "AMOUNT", N_("fold proposals saving less a month into one line per action (default 50, in the report's currency; 0 = none)") },
	{ "color", 0, true, OPT_COLOR, "WHEN", N_("auto (default), always or never; NO_COLOR always wins") },
	{ "csv-bom", 0, false, OPT_CSV_BOM, NULL, N_("start CSV files with a UTF-8 BOM (for Excel)") },
	{ "csv-headers", 0, true, OPT_CSV_HEADERS, "WHICH", N_("english (default) or localized: the CSV header row in the --lang language") },
	{ "lang", 0, true, OPT_LANG, "LANG", N_("language of the reports: en or ja (default: LC_ALL, LC_MESSAGES, LANG; else en)") },
	{ "quiet", 'q', false, OPT_QUIET, NULL, N_("for cron: no table unless --format names it, no progress or file messages; warnings and errors still on stderr") },
	REPORT_LIVE_OPTIONS,
	REPORT_DELIVER_OPTIONS,
	{ "help", 'h', false, OPT_HELP, NULL, N_("show this help") },
	{ NULL, 0, false, 0, NULL, NULL },
};

static const char *const report_usage = N_(
	"usage: costrank report [options] FILE|DIR...\n"
	"       costrank report [options]        (from AWS Cost Explorer)\n"
	"\n"
	"Ranks spend per account: the top services and, inside each, the top usage\n"
	"types, with the change from the previous period.  Reads AWS CUR 2.0, legacy\n"
	"CUR and FOCUS exports (.csv, .csv.gz or .csv.zip, many parts); a directory is\n"
	"read as an export, each billing period once, from its current delivery.  The\n"
	"format is recognised from the header row.\n"
	"\n");

static const char *const report_examples = N_(
	"\n"
	"Examples:\n"
	"  costrank report samples/cur2\n"
	"  costrank report --month 2026-09 --format json,csv --out /tmp/r exports/\n"
	"  costrank report --from 2026-10-01 --to 2026-10-15 --top 5 focus.csv\n"
	"  costrank report --metric amortized --include credits,tax --accounts accounts.json cur/\n"
	"  costrank report --rules my-rules.json --format json exports/\n"
	"\n"
	"  costrank report --accounts accounts.json     (last month, from Cost Explorer)\n"
	"  costrank report --month 2026-10 --dry-run    (the requests and their price)\n"
	"\n"
	"  COSTRANK_WEBHOOK_URL=... costrank report --post slack --fail-on-increase 10 cur/\n"
	"  costrank report --post teams --dry-run --format json cur/   (the payload, not sent)\n"
	"  costrank report --fx JPY=151.20 --format md,csv cur/\n"
	"\n"
	"Exit codes: 0 ok, 1 a --fail-on-* threshold or --max-requests exceeded, 2 usage,\n"
	"3 bad input, 4 output not written (or stdout closed, a broken pipe), 5 Cost\n"
	"Explorer failed, 6 credentials, 7 no data for the period, 8 --post failed (the\n"
	"reports are written), 129/130/143 SIGHUP/SIGINT/SIGTERM (nothing half written).\n");

#define DEFAULT_FORMATS "table,json,csv"
#define CR_MAX_RESOURCES 100    /* --resources */

struct report_config {
	bool want[16];          /* indexed like cr_writers() */
	const char *out_dir;
	const char *month, *from, *to;
	int top, top_usage;
	int months;             /* --months: of the trend */
	enum cr_metric metric;
	bool include[CR_EXCL_COUNT];
	const char *accounts_file;
	const char *rule_files[17];   /* NULL-terminated */
	int n_rule_files;
	bool no_rules;
	const char *baseline;   /* --baseline FILE */
	const char *min_saving; /* --min-saving; NULL: 50 */
	int color;              /* -1 auto, 0 never, 1 always */
	bool csv_bom, quiet, help;
	bool csv_localized;     /* --csv-headers localized */
	bool formats_given;     /* --format named the outputs */
	bool summary;           /* --detail summary */
	struct { enum cr_dim_kind kind; const char *key; } by[CR_LEDGER_MAX_DIMS]; /* --by */
	int n_by;
	int resources;          /* --resources */
	struct live_config live;
	struct deliver_config deliver;
};

/* --by tag:KEY, cost-category:NAME or region */
static int add_by(struct report_config *c, const char *v, cr_error *err)
{
	if (c->n_by == CR_LEDGER_MAX_DIMS)
		return cr_error_set(err, CR_EXIT_USAGE, _("--by is given more than %d times"),
				    CR_LEDGER_MAX_DIMS);
	if (strncmp(v, "tag:", 4) == 0 && v[4] && strlen(v + 4) <= 128) {
		c->by[c->n_by].kind = CR_DIM_TAG;
		c->by[c->n_by++].key = v + 4;
		return 0;
	}
	if (strncmp(v, "cost-category:", 14) == 0 && v[14] && strlen(v + 14) <= 128) {
		c->by[c->n_by].kind = CR_DIM_COST_CATEGORY;
		c->by[c->n_by++].key = v + 14;
		return 0;
	}
	if (strcmp(v, "region") == 0) {
		c->by[c->n_by].kind = CR_DIM_REGION;
		c->by[c->n_by++].key = NULL;
		return 0;
	}
	return cr_error_set(err, CR_EXIT_USAGE, _("--by '%s' is not tag:KEY, cost-category:NAME "
			    "(a key or name of at most 128 bytes) or region"), v);
}

static int parse_int(const char *opt, const char *v, int min, int max, int *out,
		     cr_error *err)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (!*v || *end || n < min || n > max)
		return cr_error_set(err, CR_EXIT_USAGE, _("--%s '%s' is not a whole number from %d to %d"),
				    opt, v, min, max);
	*out = (int)n;
	return 0;
}

/* Splits a comma-separated list and calls each(item) on every entry. */
static int for_each_item(const char *list, int (*each)(struct report_config *, const char *,
						      cr_error *),
			 struct report_config *c, cr_error *err)
{
	char *copy = cr_xstrdup(list), *save = NULL;
	int rc = 0, n = 0;

	for (char *tok = strtok_r(copy, ",", &save); tok && !rc; tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ')
			tok++;
		if (*tok) {
			rc = each(c, tok, err);
			n++;
		}
	}
	free(copy);
	if (!rc && !n)
		rc = cr_error_set(err, CR_EXIT_USAGE, _("empty list '%s'"), list);
	return rc;
}

static int add_format(struct report_config *c, const char *name, cr_error *err)
{
	size_t n;
	const cr_writer *w = cr_writers(&n);

	bool found = false;

	for (size_t i = 0; i < n; i++) {
		if (strcmp(w[i].name, name) == 0) {
			c->want[i] = true;
			found = true;
		}
	}
	if (found)
		return 0;
	cr_buf b = CR_BUF_INIT;
	for (size_t i = 0; i < n; i++)
		if (!i || strcmp(w[i].name, w[i - 1].name))
			cr_buf_addf(&b, "%s%s", i ? ", " : "", w[i].name);
	cr_error_set(err, CR_EXIT_USAGE, _("--format: unknown format '%s' (known: %s)"), name, b.ptr);
	cr_buf_release(&b);
	return -1;
}

static int add_include(struct report_config *c, const char *name, cr_error *err)
{
	for (int e = 0; e < CR_EXCL_COUNT; e++) {
		const char *n = cr_excluded_name(e);
		/* accept the singular too: credit, refund */
		if (strcmp(name, n) == 0 ||
		    (strlen(name) + 1 == strlen(n) && strncmp(name, n, strlen(name)) == 0)) {
			c->include[e] = true;
			return 0;
		}
	}
	return cr_error_set(err, CR_EXIT_USAGE,
			    _("--include: unknown category '%s' (known: credits, refunds, tax)"), name);
}

static int on_option(void *ctx, int id, const char *v, cr_error *err)
{
	struct report_config *c = ctx;

	switch (id) {
	case OPT_FORMAT:
		c->formats_given = true;
		memset(c->want, 0, sizeof c->want);
		return for_each_item(v, add_format, c, err);
	case OPT_OUT:
		if (!*v)
			return cr_error_set(err, CR_EXIT_USAGE, _("--out needs a directory, or - for "
					    "standard output"));
		c->out_dir = v;
		return 0;
	case OPT_MONTH: c->month = v; return 0;
	case OPT_FROM: c->from = v; return 0;
	case OPT_TO: c->to = v; return 0;
	case OPT_TOP: return parse_int("top", v, 1, 1000, &c->top, err);
	case OPT_TOP_USAGE: return parse_int("top-usage", v, 0, 1000, &c->top_usage, err);
	case OPT_MONTHS: return parse_int("months", v, 1, CR_TREND_MAX_MONTHS, &c->months, err);
	case OPT_DETAIL:
		if (strcmp(v, "full") == 0 || strcmp(v, "summary") == 0) {
			c->summary = strcmp(v, "summary") == 0;
			return 0;
		}
		return cr_error_set(err, CR_EXIT_USAGE, _("--detail '%s' is not full or summary"), v);
	case OPT_METRIC:
		if (strcmp(v, "unblended") == 0)
			c->metric = CR_METRIC_UNBLENDED;
		else if (strcmp(v, "amortized") == 0 || strcmp(v, "amortised") == 0)
			c->metric = CR_METRIC_AMORTIZED;
		else
			return cr_error_set(err, CR_EXIT_USAGE,
					    _("--metric '%s' is not unblended or amortized"), v);
		return 0;
	case OPT_INCLUDE: return for_each_item(v, add_include, c, err);
	case OPT_BY: return add_by(c, v, err);
	case OPT_RESOURCES:
		return parse_int("resources", v, 0, CR_MAX_RESOURCES, &c->resources, err);
	case OPT_ACCOUNTS: c->accounts_file = v; return 0;
	case OPT_RULES:
		if (c->n_rule_files == 16)
			return cr_error_set(err, CR_EXIT_USAGE, _("--rules: at most 16 rule files"));
		c->rule_files[c->n_rule_files++] = v;
		return 0;
	case OPT_NO_RULES: c->no_rules = true; return 0;
	case OPT_BASELINE: c->baseline = v; return 0;
	case OPT_MIN_SAVING: {
		cr_dec d;
		if (cr_dec_parse(v, strlen(v), &d) < 0 || cr_dec_sign(d) < 0 ||
		    cr_dec_to_double(d) > 1e12)
			return cr_error_set(err, CR_EXIT_USAGE,
					    _("--min-saving '%s' is not an amount from 0"), v);
		c->min_saving = v;
		return 0;
	}
	case OPT_COLOR:
		if (strcmp(v, "auto") == 0)
			c->color = -1;
		else if (strcmp(v, "always") == 0)
			c->color = 1;
		else if (strcmp(v, "never") == 0)
			c->color = 0;
		else
			return cr_error_set(err, CR_EXIT_USAGE,
					    _("--color '%s' is not auto, always or never"), v);
		return 0;
	case OPT_CSV_BOM: c->csv_bom = true; return 0;
	case OPT_LANG: return cr_i18n_set(v, err);
	case OPT_CSV_HEADERS:
		if (strcmp(v, "english") && strcmp(v, "localized") && strcmp(v, "localised"))
			return cr_error_set(err, CR_EXIT_USAGE,
					    _("--csv-headers '%s' is not english or localized"), v);
		c->csv_localized = strcmp(v, "english") != 0;
		return 0;
	case OPT_QUIET: c->quiet = true; return 0;
	case OPT_HELP: c->help = true; return 0;
	case OPT_LIVE_DRY_RUN: c->live.dry_run = true; return 0; /* files: --post payloads */
	default:
		if (id >= OPT_DELIVER_POST && id <= OPT_DELIVER_LAST)
			return deliver_option(&c->deliver, id, v, err);
		return live_option(&c->live, id, v, err);
	}
	return 0;
}

static bool use_color(int setting)
{
	const char *no = getenv("NO_COLOR"), *term = getenv("TERM");

	if (no && *no)
		return false;
	if (setting >= 0)
		return setting == 1;
	return isatty(STDOUT_FILENO) && !(term && strcmp(term, "dumb") == 0);
}

/* Widths outside this range are not a terminal anyone reads: a smaller
 * one is ignored, a larger one capped (COLUMNS=2147483647 must not make
 * gigabytes of padding). */
#define WIDTH_MIN 60
#define WIDTH_MAX 1000

static int terminal_width(void)
{
	struct winsize ws;
	const char *cols = getenv("COLUMNS");
	long n = 0;
	char *end;

	if (isatty(STDOUT_FILENO) && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 &&
	    ws.ws_col >= WIDTH_MIN)
		return ws.ws_col > WIDTH_MAX ? WIDTH_MAX : ws.ws_col;
	if (cols && *cols) {
		errno = 0;
		n = strtol(cols, &end, 10);
		if (*end)
			n = 0;
		else if (errno == ERANGE || n > WIDTH_MAX)
			n = n < 0 ? 0 : WIDTH_MAX;
	}
	return n >= WIDTH_MIN ? (int)n : 80;
}

/* The progress line on stderr while files are read, on a terminal only;
 * it shows once a read has taken half a second and is erased at the end. */
struct progress {
	struct timespec start;
	bool shown;
};

static double seconds_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static const char *human_bytes(double v, char *buf, size_t size)
{
	static const char *const units[] = { "B", "kB", "MB", "GB", "TB" };
	int u = 0;

	while (v >= 1000 && u < 4) {
		v /= 1000;
		u++;
	}
	snprintf(buf, size, u ? "%.1f %s" : "%.0f %s", v, units[u]);
	return buf;
}

/* Called by cr_billing_files_read about ten times a second. */
static void show_progress(void *ctx, int64_t done, int64_t total)
{
	struct progress *p = ctx;
	double secs = seconds_since(&p->start), rate;
	char d[24], t[24], r[24];

	if (secs < 0.5 || done <= 0)
		return;
	rate = (double)done / secs;
	human_bytes((double)done, d, sizeof d);
	human_bytes(rate, r, sizeof r);
	if (total > 0) {
		int pct = done >= total ? 100 : (int)(done * 100 / total);
		int fill = pct * 20 / 100;
		double eta = done < total ? (double)(total - done) / rate : 0;
		fprintf(stderr, "\r[%.*s%.*s] %3d%%  %s / %s  %s/s  ETA %.0fs\033[K",
			fill, "####################", 20 - fill, "                    ", pct, d,
			human_bytes((double)total, t, sizeof t), r, eta);
	} else {
		fprintf(stderr, "\rread %s  %s/s\033[K", d, r);
	}
	fflush(stderr);
	p->shown = true;
}

/* Reads every input into the ledger (in parallel when there are several);
 * all must be of one format. */
static int read_inputs(cr_ledger *l, char **paths, size_t n, bool quiet, cr_error *err)
{
	const char *term = getenv("TERM");
	bool bar = !quiet && isatty(STDERR_FILENO) && !(term && strcmp(term, "dumb") == 0);
	struct progress p = { .shown = false };
	cr_source_ctx ctx = { .paths = paths, .n_paths = n,
			      .read_progress = bar ? show_progress : NULL, .read_progress_ctx = &p };
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &p.start);
	rc = cr_source_find("files")->pull(&ctx, l, err);
	if (p.shown)
		fputs("\r\033[K", stderr);
	return rc;
}

/* The files to read: export folders and prefixes narrowed to the current
 * delivery of each period (export_root.h); its warnings go to stderr now
 * and into the report later. */
static int expand_inputs(char **args, size_t nargs, bool allow_partial, bool quiet,
			 cr_selection *sel, cr_error *err)
{
	const char *stats = getenv("COSTRANK_EXPORT_STATS");

	if (cr_exports_expand(args, nargs, allow_partial, sel, err))
		return -1;
	for (size_t i = 0; i < sel->n_warnings && !quiet; i++)
		fprintf(stderr, "costrank: warning: %s\n", sel->warnings[i]);
	if (sel->duplicates && !quiet)
		fprintf(stderr, "costrank: %zu input%s given more than once, read once\n",
			sel->duplicates, sel->duplicates == 1 ? "" : "s");
	if (stats && strcmp(stats, "1") == 0) {
		cr_export_stats st;
		cr_export_stats_get(&st);
		fprintf(stderr, "costrank: export selection: %lld listing%s, %lld objects listed, "
			"%lld manifest%s read\n", (long long)st.listings, st.listings == 1 ? "" : "s",
			(long long)st.objects_listed, (long long)st.manifest_reads,
			st.manifest_reads == 1 ? "" : "s");
	}
	return 0;
}

static void selection_finish(const cr_selection *sel, const cr_coverage *cov, cr_report *r,
			     bool quiet)
{
	for (size_t i = 0; i < sel->n_warnings; i++)
		cr_report_add_warning(r, "%s", sel->warnings[i]);
	for (size_t i = 0; i < cov->n_notes; i++) {
		cr_report_add_warning(r, "%s", cov->notes[i]);
		if (!quiet)
			fprintf(stderr, "costrank: warning: %s\n", cov->notes[i]);
	}
	if (sel->partial)
		r->partial = true;
}

/* `--out -`: the report goes to standard output. */
static bool out_is_stdout(const struct report_config *c)
{
	return strcmp(c->out_dir, "-") == 0;
}

/* Whether writer i writes a file for this run. */
static bool writes_file(const struct report_config *c, const cr_writer *w, size_t i,
			const cr_report *r)
{
	if (!c->want[i] || !w[i].ext || (w[i].needs_proposals && r && !r->has_proposals) ||
	    (w[i].needs_trend && r && !r->trend.n_months) ||
	    (w[i].wanted && r && !w[i].wanted(r)))
		return false;
	/* to standard output: the main file of the one format (csv: usage types) */
	return !out_is_stdout(c) || !*w[i].suffix;
}

/* The workbook's sheets that hold a note instead of their rows. */
static void warn_long_sheets(const cr_report *r)
{
	cr_buf b = CR_BUF_INIT;

	if (cr_xlsx_omitted(r, &b))
		fprintf(stderr, "costrank: warning: the workbook leaves out the rows of %s: more "
			"than an Excel worksheet holds; --format csv writes them all\n", b.ptr);
	cr_buf_release(&b);
}

/*
 * Writes every report file to its temporary, then the table, and only when
 * all of them are whole do the files take their names, as one set (see
 * output.h): a run that fails, or is interrupted, leaves the previous set.
 */
static int write_reports(const cr_report *r, const struct report_config *c, cr_error *err)
{
	size_t nw;
	const cr_writer *w = cr_writers(&nw);
	cr_outset *set = NULL;
	cr_write_opts wo = { .color = use_color(c->color), .width = terminal_width(),
			     .csv_bom = c->csv_bom, .csv_localized = c->csv_localized,
			     .summary = c->summary };
	int rc = 0;

	for (size_t i = 0; i < nw && !rc; i++) {
		char name[160];
		FILE *f;

		if (!writes_file(c, w, i, r))
			continue;
		if (out_is_stdout(c)) {
			if (!w[i].write(r, stdout, &wo, err))
				rc = cr_stream_check(stdout, "standard output", err);
			else
				rc = -1;
			continue;
		}
		if (!set) {
			if (!(set = cr_outset_open(c->out_dir, err))) {
				rc = -1;
				break;
			}
			wo.tmpdir = c->out_dir;   /* the workbook's scratch file */
		}
		snprintf(name, sizeof name, "costrank-%s%s.%s", r->period_label, w[i].suffix,
			 w[i].ext);
		if (w[i].write == cr_write_xlsx)
			warn_long_sheets(r);
		if (!(f = cr_outset_add(set, name, err)) || w[i].write(r, f, &wo, err))
			rc = -1;
		/* --resources: the top resources, for finance */
		if (!rc && w[i].write == cr_write_csv && cr_report_lists_resources(r)) {
			snprintf(name, sizeof name, "costrank-%s-resources.csv", r->period_label);
			if (!(f = cr_outset_add(set, name, err)) ||
			    cr_write_csv_resources(r, f, &wo, err))
				rc = -1;
		}
		/* --by: one CSV per dimension, for finance */
		for (size_t k = 0; !rc && w[i].write == cr_write_csv && k < r->n_allocations; k++) {
			char part[64];

			cr_allocation_file_part(r->allocations[k].dimension, part, sizeof part);
			snprintf(name, sizeof name, "costrank-%s-by-%s.csv", r->period_label, part);
			if (!(f = cr_outset_add(set, name, err)) ||
			    cr_write_csv_allocation(r, k, f, &wo, err))
				rc = -1;
		}
	}
	for (size_t i = 0; i < nw && !rc; i++) {
		if (c->want[i] && !w[i].ext) {
			rc = w[i].write(r, stdout, &wo, err);
			if (!rc)
				rc = cr_stream_check(stdout, "standard output", err);
		}
	}
	/* every report is complete: only now do they take their names */
	if (!rc && set)
		rc = cr_outset_commit(set, err);
	for (size_t i = 0; !rc && !c->quiet && i < cr_outset_count(set); i++)
		fprintf(stderr, "costrank: wrote %s\n", cr_outset_path(set, i));
	cr_outset_free(set);
	return rc;
}

/*
 * The rule table, validated before any work.  Every problem of the rule
 * files gets its own "costrank: FILE:LINE:COLUMN: ..." line; the error
 * then says how many there were.
 */
static cr_ruleset *load_rules(const char *const *files, cr_error *err)
{
	char *text = NULL;
	size_t len = 0, lines = 0;
	FILE *problems = open_memstream(&text, &len);
	cr_ruleset *rules = cr_rules_load(files, problems, err);

	if (problems)
		fclose(problems);
	if (!rules && text && len) {
		char *save = NULL;
		for (char *line = strtok_r(text, "\n", &save); line;
		     line = strtok_r(NULL, "\n", &save)) {
			fprintf(stderr, "costrank: %s\n", line);
			lines++;
		}
		if (lines > 1) {
			int code = err->code;
			cr_error_clear(err);
			cr_error_set(err, code, "%zu problems in the rule files (listed above); "
				     "'costrank rules check FILE' checks a file on its own", lines);
		}
	}
	free(text);
	return rules;
}

/* ---- s3:// inputs ---------------------------------------------------------- */

static bool any_s3(char **args, int nargs)
{
	for (int i = 0; i < nargs; i++)
		if (cr_s3_is_url(args[i]))
			return true;
	return false;
}

/* --profile, --region, --endpoint-url, --cache-dir and --no-cache also
 * serve s3:// inputs: they are no Cost Explorer options then. */
static void s3_options_allowed(struct live_config *l, bool s3)
{
	if (s3 && l->source <= LIVE_FILES && l->max_requests < 0 && !l->offline)
		l->any = false;
}

static int s3_start(const struct live_config *l, cr_error *err)
{
	cr_s3_settings s = { .profile = l->profile, .region = l->region,
			     .endpoint_url = l->endpoint_url, .cache_dir = l->cache_dir,
			     .no_cache = l->no_cache };
	const char *v = getenv("COSTRANK_HTTP_TIMEOUT_MS");

	if (v && *v)
		s.timeout_ms = strtol(v, NULL, 10);
	return cr_s3_setup(&s, err);
}

/* What was read from S3, on stderr and in the report. */
static void s3_finish(cr_report *r, bool quiet)
{
	char a[24], b[24];

	r->has_s3 = true;
	cr_s3_stats_get(&r->s3);
	if (quiet)
		return;
	fprintf(stderr, "costrank: S3: %lld object%s fetched (%s), %lld from the cache (%s), "
		"%lld request%s\n", (long long)r->s3.objects_fetched,
		r->s3.objects_fetched == 1 ? "" : "s",
		human_bytes((double)r->s3.bytes_fetched, a, sizeof a),
		(long long)r->s3.objects_cached, human_bytes((double)r->s3.bytes_cached, b, sizeof b),
		(long long)r->s3.requests, r->s3.requests == 1 ? "" : "s");
}

/*
 * What goes to standard output, checked before any work: `--out -` takes
 * one machine format; -q without --format drops the table; nothing is
 * written to a standard output that was closed when the run began.
 */
static int check_outputs(struct report_config *c, cr_error *err)
{
	size_t nw, formats = 0;
	const cr_writer *w = cr_writers(&nw);
	const char *named = NULL;
	bool to_stdout = c->live.dry_run;

	if (c->quiet && !c->formats_given)
		for (size_t i = 0; i < nw; i++)
			if (!w[i].ext)
				c->want[i] = false;   /* cron: nothing on stdout */
	for (size_t i = 0; i < nw; i++) {
		if (!c->want[i])
			continue;
		if (!w[i].ext)
			to_stdout = true;
		else if (!named || strcmp(named, w[i].name) != 0) {
			formats++;   /* one name's writers are next to each other */
			named = w[i].name;
		}
		if (w[i].ext && out_is_stdout(c) && strcmp(w[i].name, "json") != 0 &&
		    strcmp(w[i].name, "csv") != 0 && strcmp(w[i].name, "md") != 0)
			return cr_error_set(err, CR_EXIT_USAGE, _("--out - writes JSON, CSV or "
					    "Markdown to standard output, not %s: give --format "
					    "json, csv or md, or --out DIR"), w[i].name);
	}
	if (out_is_stdout(c)) {
		if (formats != 1 || to_stdout)
			return cr_error_set(err, CR_EXIT_USAGE, _("--out - writes one report to "
					    "standard output: give --format json, csv or md alone%s"),
					    c->live.dry_run ? _(" (and no --dry-run, which prints "
					    "there too)") : "");
		to_stdout = true;
	}
	if (to_stdout && cr_proc_fd_was_closed(STDOUT_FILENO))
		return cr_error_set(err, CR_EXIT_OUTPUT, "cannot write to standard output: it is "
				    "closed (--format without table writes only files)");
	return 0;
}

/* Why a pull lists no resources: said in the report, not an error. */
static void resources_not_live(cr_report *r, const struct report_config *c)
{
	if (c->live.source == LIVE_CE || c->live.source < 0)
		cr_report_add_warning(r, "top resources are not shown: Cost Explorer's "
				      "resource-level data covers only the last 14 days and must "
				      "be opted into; read the billing files for them "
				      "(--resources 0 drops this note)");
	else
		cr_report_add_warning(r, "top resources are not shown: the %s source does not "
				      "group by resource id; read the billing files for them "
				      "(--resources 0 drops this note)",
				      c->live.source == LIVE_ATHENA ? "athena" : "postgres");
}

int cmd_report(int argc, char **argv)
{
	struct report_config c = { .out_dir = "reports", .top = 10, .top_usage = 5,
				  .months = CR_TREND_MAX_MONTHS, .resources = 3,
				   .metric = CR_METRIC_UNBLENDED, .color = -1,
				   .live = LIVE_CONFIG_INIT, .deliver = DELIVER_CONFIG_INIT };
	bool live;
	cr_error err = { 0 };
	char **args = cr_xcalloc((size_t)argc + 1, sizeof *args);
	cr_selection sel = { 0 };
	cr_coverage coverage = { 0 };
	size_t nw;
	int nargs = 0;
	cr_accounts *accounts = NULL;
	cr_ledger *ledger = NULL;
	cr_report *report = NULL;
	cr_ruleset *rules = NULL;
	cr_baseline *baseline = NULL;
	cr_rank_opts ro = { 0 };
	bool given, s3 = false;
	int code = 0;

	/* the language: main() chose it before anything was printed */
	cr_writers(&nw);
	if (nw > sizeof c.want / sizeof c.want[0])
		abort();
	for_each_item(DEFAULT_FORMATS, add_format, &c, &err);
	if (deliver_refuse_url_args(argc, argv, &err))
		goto done;
	if (cr_options_parse(report_options, "report", argc, argv, on_option, &c, args, &nargs, &err))
		goto done;
	if (c.help) {
		if (cr_proc_fd_was_closed(STDOUT_FILENO)) {
			cr_error_set(&err, CR_EXIT_OUTPUT, "cannot write to standard output: it is "
				     "closed");
			goto done;
		}
		fputs(_(report_usage), stdout);
		fputs(_("Options:\n"), stdout);
		cr_options_print(report_options, stdout);
		fputs(_(report_examples), stdout);
		goto done;
	}
	s3 = any_s3(args, nargs);
	s3_options_allowed(&c.live, s3);
	if (check_outputs(&c, &err))
		goto done;
	if (live_wanted(&c.live, nargs, &live, &err))
		goto done;
	if (deliver_prepare(&c.deliver, live, c.live.dry_run, args, nargs, &err))
		goto done;
	if (cr_period_from_options(c.month, c.from, c.to, &ro.period, &given, &err))
		goto done;
	if (c.no_rules && c.n_rule_files) {
		cr_error_set(&err, CR_EXIT_USAGE, _("--rules and --no-rules exclude each other"));
		goto done;
	}
	/* every rule file is checked before any work; each problem gets a line */
	if (!c.no_rules && !(rules = load_rules(c.rule_files, &err)))
		goto done;
	if (c.accounts_file && !(accounts = cr_accounts_load(c.accounts_file, &err)))
		goto done;
	if (c.baseline && !(baseline = cr_baseline_load(c.baseline, &err)))
		goto done;
	if (s3 && !live && s3_start(&c.live, &err))
		goto done;
	if (!live && expand_inputs(args, (size_t)nargs, c.live.allow_partial, c.quiet, &sel, &err))
		goto done;

	for (int i = 0; live && i < c.n_by && c.live.source < LIVE_POSTGRES; i++)
		if (c.by[i].kind == CR_DIM_REGION) {
			cr_error_set(&err, CR_EXIT_USAGE, _("--by region: Cost Explorer is asked by "
				     "tag:KEY or cost-category:NAME only; give billing files or "
				     "--source postgres|athena for regions"));
			goto done;
		}
	ledger = cr_ledger_new(c.metric);
	if (rules)
		cr_ledger_want_commitments(ledger); /* commitment.h sizes Savings Plans */
	for (int i = 0; i < c.n_by; i++)
		if (cr_ledger_add_dimension(ledger, c.by[i].kind, c.by[i].key, &err) < 0)
			goto done;
	/* the top resources: booked by calendar month, so a period given as
	 * days keeps only its own days */
	if (!live && c.resources > 0) {
		if (cr_ledger_add_dimension(ledger, CR_DIM_RESOURCE, NULL, &err) < 0)
			goto done;
		if (given)
			cr_ledger_set_resource_window(ledger, ro.period.start, ro.period.end);
	}
	if (live) {
		struct live_run lr = { &ro.period, given, &ro.period_complete, c.include,
				       accounts, rules, c.quiet };
		if (live_pull(&c.live, &lr, ledger, &err))
			goto done;
	} else if (read_inputs(ledger, sel.paths, sel.n_paths, c.quiet, &err)) {
		goto done;
	}

	cr_ledger_release_index(ledger); /* every line is in */
	if (!live)
		ro.period_complete = true;
	if (!live && !given) {
		cr_day first, last;
		bool complete;
		if (!cr_ledger_day_range(ledger, &first, &last)) {
			if (sel.n_paths == 1)
				cr_error_set(&err, CR_EXIT_NODATA, "%s holds no billing rows",
					     sel.paths[0]);
			else
				cr_error_set(&err, CR_EXIT_NODATA, "none of the %zu input files "
					     "(%s, ...) holds a billing row", sel.n_paths,
					     sel.n_paths ? sel.paths[0] : "-");
			goto done;
		}
		/* the coverage check below says what is missing */
		cr_period_default(first, last, &ro.period, &complete);
	}
	if (!live) {
		cr_coverage_check(ledger, &ro.period, &sel, &coverage);
		ro.not_comparable = coverage.not_comparable;
	}
	ro.top_services = c.top;
	ro.top_usage = c.top_usage;
	memcpy(ro.include, c.include, sizeof ro.include);
	ro.accounts = accounts;
	ro.top_resources = live ? 0 : c.resources;
	report = cr_rank_build(ledger, &ro, &err);
	if (!report || cr_trend_build(report, ledger, &ro, c.months, &err) ||
	    cr_anomaly_build(report, ledger, &ro, &err) ||
	    cr_drivers_build(report, ledger, &ro, &err))
		goto done;
	cr_ledger_release_resources(ledger); /* the report lists its resources */
	if (rules) {
		const char *ms = c.min_saving ? c.min_saving : "50";
		cr_dec_parse(ms, strlen(ms), &report->min_saving);
		if (cr_savings_apply(report, ledger, rules, &err))
			goto done;
	}
	if (live && c.resources > 0)
		resources_not_live(report, &c);
	if (baseline && cr_realised_build(report, ledger, baseline, &err))
		goto done;
	if (live)
		live_finish(&c.live, report, ledger, c.quiet);
	else
		selection_finish(&sel, &coverage, report, c.quiet);
	if (s3 && !live)
		s3_finish(report, c.quiet);
	if (deliver_apply_fx(report, &c.deliver, &err))
		goto done;
	if (write_reports(report, &c, &err) == 0)
		code = deliver_finish(report, &c.deliver, out_is_stdout(&c) ? NULL : c.want,
				      c.live.dry_run, c.quiet);

done:
	if (err.code)
		cr_cli_error(err.msg);
	cr_report_free(report);
	cr_ruleset_free(rules);
	cr_baseline_free(baseline);
	cr_ledger_free(ledger);
	cr_accounts_free(accounts);
	cr_selection_free(&sel);
	cr_coverage_free(&coverage);
	if (s3)
		cr_s3_cleanup();
	free(args);
	return err.code ? err.code : code;
}
