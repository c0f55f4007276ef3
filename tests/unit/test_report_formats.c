/* test_report_formats.c - the document writers: Markdown (the size limit,
 * escaping), HTML (structure, escaping), the Excel workbook (a zip, no
 * temporary file left) and the services CSV. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "costrank/decimal.h"
#include "costrank/error.h"
#include "costrank/report.h"
#include "costrank/writer.h"

/* ---- building a report by hand -------------------------------------- */

#include "report_builder.h"
#include "tmpdir.h"

static void add_proposal(cr_report *r, const char *rule, const char *account_id,
			 const char *service, const char *usage, const char *cost,
			 const char *saving)
{
	cr_proposal *p;

	r->proposals = realloc(r->proposals, (r->n_proposals + 1) * sizeof *r->proposals);
	assert_non_null(r->proposals);
	p = &r->proposals[r->n_proposals++];
	memset(p, 0, sizeof *p);
	p->rank = (int)r->n_proposals;
	p->rule = cr_report_intern(r, rule);
	p->title = cr_report_intern(r, "Title");
	p->action = "rightsizing";
	p->model = "fraction";
	p->effort = "medium";
	p->risk = "low";
	p->account_id = cr_report_intern(r, account_id);
	p->account_name = cr_report_intern(r, "larkspur-prod");
	p->environment = cr_report_intern(r, "production");
	p->service = cr_report_intern(r, service);
	p->usage_type = cr_report_intern(r, usage);
	p->monthly_cost = D(cost);
	p->savings = D(saving);
	assert_int_equal(cr_dec_mul_ratio(&p->annual_savings, p->savings, 12, 1), 0);
	p->priority = cr_dec_to_double(p->savings) / 2;
	p->formula = cr_report_intern(r, "30% of cost");
	p->evidence = cr_report_intern(r, "net cost in the period");
	p->rationale = cr_report_intern(r, "");
	p->reference = cr_report_intern(r, "https://docs.aws.amazon.com/");
	p->basis = cr_report_intern(r, "");
	assert_int_equal(cr_dec_acc(&r->savings_total, p->savings), 0);
	r->has_proposals = true;
}

static cr_report *new_report(int year, int month)
{
	cr_report *r = calloc(1, sizeof *r);
	char label[16];

	assert_non_null(r);
	snprintf(label, sizeof label, "%04d-%02d", year, month);
	r->schema = CR_REPORT_SCHEMA;
	r->start = day(year, month, 1);
	r->end = cr_month_last(r->start);
	r->period_label = strdup(label);
	r->has_previous = true;
	r->prev_end = r->start - 1;
	r->prev_start = cr_month_first(r->prev_end);
	r->currency = strdup("USD");
	r->metric = CR_METRIC_UNBLENDED;
	r->source_kind = strdup("cur2");
	r->files = calloc(1, sizeof *r->files);
	r->files[0] = strdup("data/cur.csv.gz");
	r->n_files = 1;
	r->top_services = 2;
	r->top_usage = 2;
	return r;
}

#define SERVICE_EVIL "a|b *c* <script>alert(1)</script>"

static cr_report *make_report(int year, int month)
{
	cr_report *r = new_report(year, month);
	cr_report_account *a;
	cr_report_service *s;

	r->total = D("184203.17");
	r->previous_total = D("176801.10");
	r->recon.ranked = r->total;
	r->recon.excluded[CR_EXCL_CREDIT] = D("-1250.00");
	r->recon.excluded[CR_EXCL_REFUND] = D("-310.00");
	r->recon.excluded[CR_EXCL_TAX] = D("9120.55");
	r->recon.grand_total = D("191763.72");

	a = add_account(r, 1, "048213306571", "larkspur-prod", "production", "97120.40", "94204.10");
	s = add_service(a, 1, "Amazon Elastic Compute Cloud - Compute", "41203.11", "39000.00",
			false, 0);
	add_usage(a, s, 1, "BoxUsage:m5.xlarge", "30000.00", "720", "Hrs", "28000.00", false, 0, true);
	add_usage(a, s, 2, "EBS:VolumeUsage.gp3", "8000.00", "12000.5", "GB-Mo", "8000.00", false, 0, true);
	add_usage(a, s, 0, "Other usage types", "3203.11", "77", "", "3000.00", false, 3, true);
	s = add_service(a, 2, SERVICE_EVIL, "30000.00", "0", true, 0);
	add_usage(a, s, 1, "[x](https://evil.example)", "30000.00", "1", "Units", "0", false, 0, true);
	add_service(a, 0, "Other services", "25917.29", "55204.10", false, 5);

	a = add_account(r, 2, "000123456789", "", "", "87082.77", "82597.00");
	s = add_service(a, 1, "Amazon Simple Storage Service", "87082.77", "82597.00", false, 0);
	add_usage(a, s, 1, "TimedStorage-ByteHrs", "80000.0045678901", "1234.5678901234", "GB-Mo",
		  "76000", false, 0, true);
	add_usage(a, s, 2, "Requests-Tier1", "7082.7654321099", "100000", "Requests", "6597.00", false, 0, true);

	add_org_service(r, "Amazon Simple Storage Service", "87082.77", "82597.00", 1, false);
	add_org_service(r, "Amazon Elastic Compute Cloud - Compute", "41203.11", "39000.00", 1,
			false);
	add_org_service(r, SERVICE_EVIL, "30000.00", "0", 1, true);
	add_org_service(r, "AWS Lambda", "25917.29", "55204.10", 1, false);

	add_proposal(r, "ec2-rightsizing", "048213306571", "Amazon Elastic Compute Cloud - Compute",
		     "BoxUsage:m5.xlarge", "30000.00", "9000.00");
	add_proposal(r, "s3-storage-class", "000123456789", "Amazon Simple Storage Service",
		     "TimedStorage-ByteHrs", "80000.00", "16000.00");
	cr_report_add_warning(r, "the data for the period ends <early>");
	return r;
}

/* Renders r with fn into a NUL-terminated string (caller frees). */
static char *render(cr_writer_fn fn, const cr_report *r, size_t *len)
{
	cr_write_opts o = { 0 };
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	cr_error err;

	assert_non_null(f);
	cr_error_clear(&err);
	if (fn(r, f, &o, &err) != 0)
		fail_msg("writer failed: %s", err.msg);
	assert_int_equal(err.code, 0);
	assert_int_equal(fclose(f), 0);
	if (len)
		*len = n;
	return buf;
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

/* Pipes that are not escaped with a backslash. */
static size_t raw_pipes(const char *line, size_t len)
{
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		if (line[i] == '\\') {
			i++;
			continue;
		}
		if (line[i] == '|')
			n++;
	}
	return n;
}

/* ---- Markdown ------------------------------------------------------- */

static void test_markdown_content(void **state)
{
	(void)state;
	cr_report *r = make_report(2026, 10);
	size_t n;
	char *md = render(cr_write_markdown, r, &n);

	assert_true(n <= CR_MARKDOWN_LIMIT);
	assert_int_equal(strlen(md), n);
	assert_non_null(strstr(md, "## costrank report \xE2\x80\x94 2026-10\n"));
	assert_non_null(strstr(md, "**Total \\$184,203.17**"));
	assert_non_null(strstr(md, "+4.2% (+\\$7,402.07) vs 2026-09 (\\$176,801.10)"));
	assert_non_null(strstr(md, "| Ranked (the accounts below) | \\$184,203.17 |\n"));
	assert_non_null(strstr(md, "| Credits (kept out of the ranking) | -\\$1,250.00 |\n"));
	assert_non_null(strstr(md, "| **Grand total (billed)** | **\\$191,763.72** |\n"));
	assert_non_null(strstr(md, "> **Note:** the data for the period ends &lt;early&gt;\n"));
	assert_non_null(strstr(md, "#### 1. larkspur-prod \xC2\xB7 048213306571 \xC2\xB7 production"));
	assert_non_null(strstr(md, "#### 2. 000123456789 \xE2\x80\x94 \\$87,082.77"));
	assert_non_null(strstr(md, "| 1 | Amazon Elastic Compute Cloud - Compute | \\$41,203.11 | "
				   "42.4% | +5.6% |\n"));
	assert_non_null(strstr(md, "| | Other services (5) | \\$25,917.29 | 26.7% | -53.1% |\n"));
	/* proposals: the de-duplicated total and the rows */
	assert_non_null(strstr(md, "### Savings proposals\n"));
	assert_non_null(strstr(md, "**\\$25,000.00 a month** (\\$300,000.00 a year)"));
	/* the title, the kind of action and confidence, the rule; the priority */
	assert_non_null(strstr(md, "| 2 | Title \xC2\xB7 rightsizing, estimate \xC2\xB7 "
				   "`s3-storage-class` | larkspur-prod | "
				   "Amazon Simple Storage Service \xC2\xB7 TimedStorage-ByteHrs | "
				   "\\$16,000.00 | 8,000.00 | medium / low |\n"));
	/* how the rows are ordered, once */
	assert_int_equal(count(md, "\nOrder: measured and priced proposals (counted in the "
			       "total) first"), 1);
	assert_null(strstr(md, "omitted"));
	free(md);
	cr_report_free(r);
}

static void test_markdown_escaping(void **state)
{
	(void)state;
	cr_report *r = make_report(2026, 10);
	char *md = render(cr_write_markdown, r, NULL);
	const char *row, *end;

	/* the name cannot open a tag, emphasis or a new cell */
	assert_null(strstr(md, "<script"));
	assert_null(strstr(md, "*c*"));
	row = strstr(md, "| 2 | a\\|b \\*c\\* &lt;script&gt;alert(1)&lt;/script&gt; | ");
	assert_non_null(row);
	end = strchr(row, '\n');
	assert_non_null(end);
	/* the same five columns as the header row */
	assert_int_equal(raw_pipes(row, (size_t)(end - row)), 6);
	free(md);

	/* links, images and autolinks stay text */
	free(r->accounts[0].name);
	r->accounts[0].name = strdup("![img](http://x.example/a.png) [link](https://y.example) "
				     "www.z.example ops@z.example `code` ~~s~~ $x$");
	md = render(cr_write_markdown, r, NULL);
	assert_non_null(strstr(md, "!\\[img\\](http\\://x.example/a.png) \\[link\\]"
				   "(https\\://y.example) www\\.z.example ops\\@z.example "
				   "\\`code\\` \\~\\~s\\~\\~ \\$x\\$"));
	free(md);
	cr_report_free(r);
}

static void test_markdown_truncation(void **state)
{
	(void)state;
	cr_report *r = new_report(2026, 10);
	char id[16], name[64], svc[96];
	size_t n, shown, omitted = 0;
	char *md, *note;

	r->total = D("1000000");
	r->recon.ranked = r->total;
	r->recon.grand_total = r->total;
	/* 600 accounts of 10 services: far more than 64 KiB */
	for (int i = 0; i < 600; i++) {
		cr_report_account *a;
		snprintf(id, sizeof id, "%012d", i + 1);
		snprintf(name, sizeof name, "account-%d", i + 1);
		a = add_account(r, i + 1, id, name, "production", "1000", "900");
		for (int j = 0; j < 10; j++) {
			snprintf(svc, sizeof svc, "Service number %d with a fairly long name", j + 1);
			add_service(a, j + 1, svc, "100", "90", false, 0);
		}
	}
	add_proposal(r, "ec2-rightsizing", "000000000001", "Service number 1", "BoxUsage", "100",
		     "30");
	md = render(cr_write_markdown, r, &n);
	assert_true(n <= CR_MARKDOWN_LIMIT);
	assert_true(n > CR_MARKDOWN_LIMIT - 4096); /* not cut more than needed */
	shown = count(md, "\n#### ");
	assert_true(shown > 10 && shown < 600);
	note = strstr(md, "\n\xE2\x80\xA6 ");
	assert_non_null(note);
	assert_int_equal(sscanf(note + 5, "%zu", &omitted), 1);
	assert_int_equal(shown + omitted, 600);
	assert_non_null(strstr(note, " accounts omitted to stay under GitHub's 65,536-character "
				     "limit; the full report is in costrank-2026-10.json\n"));
	/* the accounts shown are the first ones, and the proposals stay */
	assert_non_null(strstr(md, "#### 1. account-1 "));
	assert_null(strstr(md, "#### 600. account-600 "));
	assert_true(strstr(md, "### Savings proposals") > note);
	free(md);
	cr_report_free(r);
}

static void test_markdown_truncation_long_names(void **state)
{
	(void)state;
	cr_report *r = new_report(2026, 10);
	char *name = malloc(5001), *md;
	cr_report_account *a;
	size_t n;

	assert_non_null(name);
	memset(name, 'x', 5000);
	name[5000] = '\0';
	r->total = D("1000");
	a = add_account(r, 1, "000000000001", "only", "", "1000", "900");
	/* one account alone is far over the limit */
	for (int j = 0; j < 40; j++)
		add_service(a, j + 1, name, "25", "20", false, 0);
	for (int j = 0; j < 10; j++)
		add_proposal(r, "rule", "000000000001", name, name, "25", "5");
	md = render(cr_write_markdown, r, &n);
	assert_true(n <= CR_MARKDOWN_LIMIT);
	assert_non_null(strstr(md, "\xE2\x80\xA6 1 account and further rows omitted to stay under "
				   "GitHub's 65,536-character limit"));
	assert_non_null(strstr(md, "**Total \\$1,000.00**"));
	free(md);
	free(name);
	cr_report_free(r);
}

/* ---- HTML ----------------------------------------------------------- */

static void test_html_structure(void **state)
{
	(void)state;
	cr_report *r = make_report(2026, 10);
	char *html = render(cr_write_html, r, NULL);
	int level = 0;

#define HTML_START "<!DOCTYPE html>\n<html lang=\"en\">\n"
	assert_true(strncmp(html, HTML_START, strlen(HTML_START)) == 0);
	assert_non_null(strstr(html, "<title>costrank report 2026-10</title>"));
	assert_non_null(strstr(html, "<meta charset=\"utf-8\">"));
	assert_non_null(strstr(html, "@media print{"));
	assert_non_null(strstr(html, "id=\"total\" data-amount=\"184203.17\">$184,203.17<"));
	assert_non_null(strstr(html, "id=\"grand-total\" data-amount=\"191763.72\">$191,763.72<"));
	assert_non_null(strstr(html, "id=\"savings-total\" data-amount=\"25000\">$25,000.00<"));
	assert_non_null(strstr(html, "id=\"change\" data-amount=\"7402.07\""));
	assert_true(strstr(html, "</html>\n") != NULL);

	/* self-contained: no scripts, nothing fetched */
	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, " src="));
	assert_null(strstr(html, "<link"));
	assert_null(strstr(html, "@import"));
	assert_null(strstr(html, "url("));
	assert_null(strstr(html, "href="));
	assert_null(strstr(html, "<iframe"));
	assert_null(strstr(html, "<img"));

	/* accessible tables and charts */
	assert_int_equal(count(html, "<table"), count(html, "<caption>"));
	assert_true(count(html, "<th scope=\"col\"") >= 7);
	assert_true(count(html, "<th scope=\"row\"") >= 10);
	assert_int_equal(count(html, "<svg "), 3);
	assert_int_equal(count(html, "<svg role=\"img\" aria-labelledby=\"chart-"), 3);
	assert_int_equal(count(html, "<desc id=\"chart-"), 3);
	assert_non_null(strstr(html, "<desc id=\"chart-accounts-desc\">larkspur-prod: $97,120.40 "
				     "(52.7%); 000123456789: $87,082.77 (47.3%).</desc>"));
	assert_non_null(strstr(html, "+$2,916.30 (+3.1%)"));

	/* headings never skip a level */
	for (const char *p = html; (p = strstr(p, "<h")); p++) {
		if (p[2] < '1' || p[2] > '6')
			continue;
		assert_true(p[2] - '0' <= level + 1);
		level = p[2] - '0';
	}
	assert_int_equal(count(html, "<h1>"), 1);
	assert_int_equal(count(html, "<section"), count(html, "</section>"));
	assert_int_equal(count(html, "<tr"), count(html, "</tr>"));
	free(html);
	cr_report_free(r);
}

static void test_html_escaping(void **state)
{
	(void)state;
	cr_report *r = make_report(2026, 10);
	char *html;

	free(r->accounts[1].name);
	r->accounts[1].name = strdup("\"><img src=x onerror=alert(1)> & 'q'");
	free(r->period_label);
	r->period_label = strdup("2026-10</title><script>");
	html = render(cr_write_html, r, NULL);
	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, "<img"));
	assert_null(strstr(html, "'q'"));
	assert_non_null(strstr(html, "a|b *c* &lt;script&gt;alert(1)&lt;/script&gt;"));
	assert_non_null(strstr(html, "&quot;&gt;&lt;img src=x onerror=alert(1)&gt; &amp; "
				     "&#39;q&#39;"));
	assert_non_null(strstr(html, "<title>costrank report 2026-10&lt;/title&gt;&lt;script&gt;"
				     "</title>"));
	/* chart labels are escaped too, and cut */
	assert_non_null(strstr(html, "<title>a|b *c* &lt;script&gt;alert(1)&lt;/script&gt;: "));
	free(html);
	cr_report_free(r);
}

/* ---- the Excel workbook ---------------------------------------------- */

static int make_tmpdir(void **state)
{
	return tmpdir_make(state, "/tmp/costrank-xlsx-test-XXXXXX");
}

static int remove_tmpdir(void **state)
{
	unsetenv("TMPDIR");
	return tmpdir_remove(state);
}

static bool has_bytes(const char *hay, size_t n, const char *needle)
{
	size_t k = strlen(needle);

	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(hay + i, needle, k) == 0)
			return true;
	return false;
}

static void test_xlsx_zip_no_temp_file(void **state)
{
	const char *tmp = *state;
	cr_report *r = make_report(2020, 1); /* a period long over: a fixed creation time */
	size_t n, n2;
	char *x, *x2;

	assert_int_equal(setenv("TMPDIR", tmp, 1), 0);
	x = render(cr_write_xlsx, r, &n);
	assert_true(n > 4000);
	assert_memory_equal(x, "PK\x03\x04", 4);
	/* the parts, named in the zip's directory */
	assert_true(has_bytes(x, n, "xl/worksheets/sheet4.xml"));
	assert_true(has_bytes(x, n, "xl/charts/chart1.xml"));
	assert_true(has_bytes(x, n, "xl/charts/chart2.xml"));
	assert_true(has_bytes(x, n, "xl/drawings/drawing1.xml"));
	assert_true(has_bytes(x, n, "docProps/core.xml"));
	/* nothing left behind in $TMPDIR */
	assert_int_equal(count_entries(tmp), 0);
	/* the same report gives the same bytes */
	x2 = render(cr_write_xlsx, r, &n2);
	assert_int_equal(n, n2);
	assert_memory_equal(x, x2, n);
	assert_int_equal(count_entries(tmp), 0);
	free(x);
	free(x2);

	/* without proposals and without a previous period too */
	for (size_t i = 0; i < r->n_proposals; i++)
		cr_proposal_free(&r->proposals[i]);
	free(r->proposals);
	r->proposals = NULL;
	r->n_proposals = 0;
	r->has_proposals = false;
	r->has_previous = false;
	x = render(cr_write_xlsx, r, &n);
	assert_memory_equal(x, "PK\x03\x04", 4);
	assert_int_equal(count_entries(tmp), 0);
	free(x);
	cr_report_free(r);
}

static void test_xlsx_temp_dir_fails(void **state)
{
	const char *tmp = *state;
	char missing[600];
	cr_report *r = make_report(2026, 10);
	cr_write_opts o = { 0 };
	cr_error err;
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	snprintf(missing, sizeof missing, "%s/does-not-exist", tmp);
	assert_int_equal(setenv("TMPDIR", missing, 1), 0);
	cr_error_clear(&err);
	assert_int_equal(cr_write_xlsx(r, f, &o, &err), -1);
	assert_int_equal(err.code, CR_EXIT_OUTPUT);
	assert_non_null(strstr(err.msg, "does-not-exist"));
	assert_non_null(strstr(err.msg, "Excel workbook"));
	fclose(f);
	assert_int_equal(n, 0);
	free(buf);
	assert_int_equal(count_entries(tmp), 0);
	cr_report_free(r);
}

/* How fresh and how final the figures are. */
static void test_freshness_and_flags(void **state)
{
	(void)state;
	cr_report *r = make_report(2026, 10);
	char *text;

	r->data_through = day(2026, 10, 28);
	r->estimated = true;
	text = render(cr_write_markdown, r, NULL);
	assert_non_null(strstr(text, " \xC2\xB7 data through 2026-10-28\n\n> **Estimated figures:**"));
	free(text);
	text = render(cr_write_html, r, NULL);
	assert_non_null(strstr(text, "data through <span id=\"data-through\">2026-10-28</span>"));
	assert_non_null(strstr(text, "<li>Estimated figures: the source marks them as not final."));
	free(text);
	r->partial = true;
	text = render(cr_write_markdown, r, NULL);
	assert_non_null(strstr(text, "> **Partial figures:**"));
	assert_null(strstr(text, "Estimated figures"));
	free(text);
	cr_report_free(r);
}

/* A period with only tax, say: no account, nothing ranked. */
static void test_empty_report(void **state)
{
	const char *tmp = *state;
	cr_report *r = new_report(2020, 1);
	char *text;
	size_t n;

	r->has_previous = false;
	r->recon.excluded[CR_EXCL_TAX] = D("12.34");
	r->recon.grand_total = D("12.34");
	assert_int_equal(setenv("TMPDIR", tmp, 1), 0);
	text = render(cr_write_xlsx, r, &n);
	assert_memory_equal(text, "PK\x03\x04", 4);
	free(text);
	text = render(cr_write_markdown, r, NULL);
	assert_non_null(strstr(text, "**Total \\$0.00** \xC2\xB7 no previous period to compare"));
	free(text);
	text = render(cr_write_html, r, NULL);
	assert_non_null(strstr(text, "id=\"total\" data-amount=\"0\">$0.00<"));
	assert_null(strstr(text, "<svg"));
	free(text);
	text = render(cr_write_csv_services, r, &n);
	assert_int_equal(count(text, "\r\n"), 1);
	free(text);
	assert_int_equal(count_entries(tmp), 0);
	cr_report_free(r);
}

/* ---- the services CSV ------------------------------------------------ */

static void test_csv_services(void **state)
{
	(void)state;
	cr_report *r = make_report(2026, 10);
	cr_write_opts o = { .csv_bom = true };
	char *buf = NULL, *line, *save = NULL;
	size_t n = 0, rows = 0;
	FILE *f = open_memstream(&buf, &n);
	cr_error err;
	cr_dec sum = CR_DEC_ZERO;
	char tmp[CR_DEC_STRLEN];

	cr_error_clear(&err);
	assert_int_equal(cr_write_csv_services(r, f, &o, &err), 0);
	fclose(f);
#define SERVICES_HEADER "\xEF\xBB\xBF" "period_start,period_end,currency,metric,account_rank," \
	"account_id,account_name,environment,service_rank,service,cost,previous_cost,change," \
	"change_pct,share_of_account_pct,usage_types_total,new\r\n"
	assert_true(n > strlen(SERVICES_HEADER));
	assert_memory_equal(buf, SERVICES_HEADER, strlen(SERVICES_HEADER));
	for (const char *p = buf; *p; p++)
		if (*p == '\n')
			assert_int_equal(p[-1], '\r');
	assert_non_null(strstr(buf, "\r\n2026-10-01,2026-10-31,USD,unblended,1,048213306571,"
				    "larkspur-prod,production,1,Amazon Elastic Compute Cloud - Compute,"
				    "41203.11,39000.00,2203.11,5.6,42.42,5,false\r\n"));
	assert_non_null(strstr(buf, ",2," SERVICE_EVIL ",30000.00,0.00,30000.00,,30.89,1,true\r\n"));
	assert_non_null(strstr(buf, ",,Other services,25917.29,55204.10,-29286.81,-53.1,26.69,0,"
				    "false\r\n"));
	assert_non_null(strstr(buf, ",2,000123456789,,,1,Amazon Simple Storage Service,87082.77,"));
	/* the cost column (the 11th) adds up to the total */
	for (line = strtok_r(buf + 3, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
		const char *c = line;
		cr_dec d;
		if (rows++ == 0)
			continue;
		for (int i = 0; i < 10; i++)
			c = strchr(c, ',') + 1;
		assert_int_equal(cr_dec_parse(c, strcspn(c, ","), &d), CR_DEC_OK);
		assert_int_equal(cr_dec_add(&sum, sum, d), 0);
	}
	assert_int_equal(rows, 1 + 4);
	cr_dec_format(sum, 2, tmp, sizeof tmp);
	assert_string_equal(tmp, "184203.17");
	free(buf);
	cr_report_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_markdown_content),
		cmocka_unit_test(test_markdown_escaping),
		cmocka_unit_test(test_markdown_truncation),
		cmocka_unit_test(test_markdown_truncation_long_names),
		cmocka_unit_test(test_html_structure),
		cmocka_unit_test(test_html_escaping),
		cmocka_unit_test_setup_teardown(test_xlsx_zip_no_temp_file, make_tmpdir,
						remove_tmpdir),
		cmocka_unit_test_setup_teardown(test_xlsx_temp_dir_fails, make_tmpdir,
						remove_tmpdir),
		cmocka_unit_test(test_freshness_and_flags),
		cmocka_unit_test_setup_teardown(test_empty_report, make_tmpdir, remove_tmpdir),
		cmocka_unit_test(test_csv_services),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
