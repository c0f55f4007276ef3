/* test_writers.c - the table, JSON and CSV writers, the registry and
 * report files (output.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "costrank/decimal.h"
#include "costrank/error.h"
#include "costrank/fx.h"
#include "costrank/output.h"
#include "costrank/report.h"
#include "costrank/writer.h"

/* ---- a small report ------------------------------------------------- */

#include "report/render.h"
#include "report_builder.h"
#include "tmpdir.h"

#define ACME "Acme \"Data\", Inc. Marketplace"

static cr_report *make_report(bool has_previous)
{
	cr_report *r = calloc(1, sizeof *r);
	cr_report_account *a;
	cr_report_service *s;
	bool p = has_previous;

	assert_non_null(r);
	r->schema = CR_REPORT_SCHEMA;
	r->start = day(2026, 10, 1);
	r->end = day(2026, 10, 31);
	r->period_label = strdup("2026-10");
	r->has_previous = has_previous;
	r->prev_start = day(2026, 9, 1);
	r->prev_end = day(2026, 9, 30);
	r->currency = strdup("USD");
	r->metric = CR_METRIC_UNBLENDED;
	r->source_kind = strdup("cur2");
	r->files = calloc(1, sizeof *r->files);
	r->files[0] = strdup("data/cur-2026-10.csv.gz");
	r->n_files = 1;
	r->total = D("184203.17");
	r->previous_total = D("176801.10");
	r->recon.ranked = r->total;
	r->recon.excluded[CR_EXCL_CREDIT] = D("-1250.00");
	r->recon.excluded[CR_EXCL_REFUND] = D("-310.00");
	r->recon.excluded[CR_EXCL_TAX] = D("9120.55");
	r->recon.grand_total = D("191763.72");
	r->top_services = 2;
	r->top_usage = 2;

	a = add_account(r, 1, "048213306571", "larkspur-prod", "production", "97120.40", "94204.10");
	s = add_service(a, 1, "Amazon Elastic Compute Cloud - Compute", "41203.11", "39000.00", false, 0);
	add_usage(a, s, 1, "BoxUsage:m5.xlarge", "30000.00", "720", "Hrs", "28000.00", false, 0, p);
	add_usage(a, s, 2, "EBS:VolumeUsage.gp3", "8000.00", "12000.5", "GB-Mo", "8000.00", false, 0, p);
	add_usage(a, s, 0, "Other usage types", "3203.11", "77", "", "3000.00", false, 3, p);
	s = add_service(a, 2, ACME, "30000.00", "0", true, 0);
	add_usage(a, s, 1, "SoftwareUsage", "30000.00", "1", "Units", "0", true, 0, p);
	add_service(a, 0, "Other services", "25917.29", "55204.10", false, 5);

	a = add_account(r, 2, "000123456789", "", "", "87082.77", "82597.00");
	s = add_service(a, 1, "Amazon Simple Storage Service", "87082.77", "82597.00", false, 0);
	add_usage(a, s, 1, "TimedStorage-ByteHrs", "80000.0045678901", "1234.5678901234", "GB-Mo",
		  "76000", false, 0, p);
	add_usage(a, s, 2, "Requests-Tier1", "7082.7654321099", "100000", "Requests", "6597.00",
		  false, 0, p);

	add_org_service(r, "Amazon Simple Storage Service", "87082.77", "82597.00", 1, false);
	add_org_service(r, "Amazon Elastic Compute Cloud - Compute", "41203.11", "39000.00", 1,
			false);
	add_org_service(r, ACME, "30000.00", "0", 1, true);
	add_org_service(r, "AWS Lambda", "25917.29", "55204.10", 2, false);

	cr_report_add_warning(r, "the data for 2026-10 ends on 2026-10-28");
	return r;
}

/* Renders r with the writer into a string (caller frees). */
static char *render(cr_writer_fn fn, const cr_report *r, const cr_write_opts *o, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	cr_error err;

	assert_non_null(f);
	cr_error_clear(&err);
	assert_int_equal(fn(r, f, o, &err), 0);
	assert_int_equal(err.code, 0);
	assert_int_equal(fclose(f), 0);
	if (len)
		*len = n;
	return buf;
}

/* ---- JSON ------------------------------------------------------------ */

static json_t *render_json(const cr_report *r)
{
	cr_write_opts o = { 0 };
	size_t n;
	char *text = render(cr_write_json, r, &o, &n);
	json_error_t jerr;
	json_t *root;

	assert_true(n > 0);
	assert_int_equal(text[n - 1], '\n');
	root = json_loads(text, 0, &jerr);
	if (!root)
		fail_msg("JSON does not parse: %s (line %d)", jerr.text, jerr.line);
	free(text);
	return root;
}

static void assert_str_at(json_t *o, const char *key, const char *want)
{
	json_t *v = json_object_get(o, key);
	if (!json_is_string(v))
		fail_msg("%s is not a string", key);
	assert_string_equal(json_string_value(v), want);
}

static void assert_null_at(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	if (!v || !json_is_null(v))
		fail_msg("%s is not null", key);
}

static void test_json_amounts(void **state)
{
	(void)state;
	cr_report *r = make_report(true);
	json_t *root = render_json(r), *acc, *a1, *a2, *svcs, *s, *u, *rec, *v;

	assert_str_at(root, "schema", "costrank.report/v1");
	assert_str_at(json_object_get(root, "period"), "start", "2026-10-01");
	assert_str_at(json_object_get(root, "period"), "end", "2026-10-31");
	assert_str_at(json_object_get(root, "period"), "label", "2026-10");
	assert_str_at(json_object_get(root, "previous_period"), "start", "2026-09-01");
	assert_str_at(json_object_get(root, "previous_period"), "end", "2026-09-30");
	assert_str_at(root, "currency", "USD");
	assert_str_at(root, "metric", "unblended");
	assert_str_at(json_object_get(root, "source"), "kind", "cur2");
	assert_string_equal(json_string_value(json_array_get(
		json_object_get(json_object_get(root, "source"), "files"), 0)),
		"data/cur-2026-10.csv.gz");
	assert_str_at(root, "total", "184203.17");
	assert_str_at(root, "previous_total", "176801.1");
	assert_str_at(root, "change", "7402.07");
	assert_int_equal(json_integer_value(json_object_get(root, "top_services")), 2);
	assert_int_equal(json_integer_value(json_object_get(root, "top_usage_types")), 2);
	assert_int_equal(json_array_size(json_object_get(root, "warnings")), 1);

	rec = json_object_get(root, "reconciliation");
	assert_str_at(rec, "ranked", "184203.17");
	assert_str_at(rec, "credits", "-1250");
	assert_str_at(rec, "refunds", "-310");
	assert_str_at(rec, "tax", "9120.55");
	assert_str_at(rec, "grand_total", "191763.72");
	assert_int_equal(json_array_size(json_object_get(rec, "included")), 0);

	acc = json_object_get(root, "accounts");
	assert_int_equal(json_array_size(acc), 2);
	a1 = json_array_get(acc, 0);
	a2 = json_array_get(acc, 1);
	assert_int_equal(json_integer_value(json_object_get(a1, "rank")), 1);
	assert_str_at(a1, "id", "048213306571");
	assert_str_at(a1, "name", "larkspur-prod");
	assert_str_at(a1, "environment", "production");
	assert_null_at(a1, "owner");
	assert_str_at(a1, "total", "97120.4");
	assert_str_at(a1, "previous_total", "94204.1");
	assert_str_at(a1, "change", "2916.3");
	v = json_object_get(a1, "share");
	assert_true(json_is_real(v));
	assert_true(json_real_value(v) == 0.5272);
	assert_int_equal(json_integer_value(json_object_get(a1, "services_total")), 7);
	assert_str_at(a2, "id", "000123456789");
	assert_null_at(a2, "name");
	assert_null_at(a2, "environment");

	svcs = json_object_get(a1, "services");
	assert_int_equal(json_array_size(svcs), 3);
	s = json_array_get(svcs, 0);
	assert_int_equal(json_integer_value(json_object_get(s, "rank")), 1);
	assert_true(json_is_false(json_object_get(s, "other")));
	assert_null(json_object_get(s, "other_count"));
	assert_str_at(s, "cost", "41203.11");
	assert_str_at(s, "previous_cost", "39000");
	assert_str_at(s, "change", "2203.11");
	assert_true(json_is_false(json_object_get(s, "new")));
	assert_int_equal(json_integer_value(json_object_get(s, "usage_types_total")), 5);
	u = json_array_get(json_object_get(s, "usage_types"), 1);
	assert_str_at(u, "usage_type", "EBS:VolumeUsage.gp3");
	assert_str_at(u, "quantity", "12000.5");
	assert_str_at(u, "unit", "GB-Mo");
	assert_str_at(u, "change", "0");
	u = json_array_get(json_object_get(s, "usage_types"), 2);
	assert_true(json_is_null(json_object_get(u, "rank")));
	assert_true(json_is_true(json_object_get(u, "other")));
	assert_int_equal(json_integer_value(json_object_get(u, "other_count")), 3);
	assert_null_at(u, "unit");

	s = json_array_get(svcs, 1);
	assert_str_at(s, "name", ACME);
	assert_true(json_is_true(json_object_get(s, "new")));
	assert_str_at(s, "previous_cost", "0");
	assert_str_at(s, "change", "30000");
	u = json_array_get(json_object_get(s, "usage_types"), 0);
	assert_true(json_is_true(json_object_get(u, "new")));

	s = json_array_get(svcs, 2);
	assert_true(json_is_null(json_object_get(s, "rank")));
	assert_true(json_is_true(json_object_get(s, "other")));
	assert_int_equal(json_integer_value(json_object_get(s, "other_count")), 5);
	assert_str_at(s, "change", "-29286.81");
	assert_int_equal(json_array_size(json_object_get(s, "usage_types")), 0);

	u = json_array_get(json_object_get(json_array_get(json_object_get(a2, "services"), 0),
					   "usage_types"), 0);
	assert_str_at(u, "cost", "80000.0045678901");
	assert_str_at(u, "quantity", "1234.5678901234");
	assert_str_at(u, "change", "4000.0045678901");

	/* the organisation's services */
	svcs = json_object_get(root, "services");
	assert_int_equal(json_array_size(svcs), 4);
	s = json_array_get(svcs, 0);
	assert_int_equal(json_integer_value(json_object_get(s, "rank")), 1);
	assert_str_at(s, "name", "Amazon Simple Storage Service");
	assert_str_at(s, "cost", "87082.77");
	assert_str_at(s, "previous_cost", "82597");
	assert_str_at(s, "change", "4485.77");
	assert_true(json_real_value(json_object_get(s, "share")) == 0.4728);
	assert_int_equal(json_integer_value(json_object_get(s, "accounts")), 1);
	assert_true(json_is_false(json_object_get(s, "new")));
	s = json_array_get(svcs, 2);
	assert_str_at(s, "name", ACME);
	assert_true(json_is_true(json_object_get(s, "new")));
	s = json_array_get(svcs, 3);
	assert_int_equal(json_integer_value(json_object_get(s, "rank")), 4);
	assert_int_equal(json_integer_value(json_object_get(s, "accounts")), 2);
	assert_str_at(s, "change", "-29286.81");

	json_decref(root);
	cr_report_free(r);
}

static void test_json_without_previous(void **state)
{
	(void)state;
	cr_report *r = make_report(false);
	json_t *root = render_json(r), *a1, *s, *u;

	assert_null_at(root, "previous_period");
	assert_null_at(root, "previous_total");
	assert_null_at(root, "change");
	assert_str_at(root, "total", "184203.17");
	a1 = json_array_get(json_object_get(root, "accounts"), 0);
	assert_null_at(a1, "previous_total");
	assert_null_at(a1, "change");
	s = json_array_get(json_object_get(a1, "services"), 1);
	assert_null_at(s, "previous_cost");
	assert_null_at(s, "change");
	assert_true(json_is_false(json_object_get(s, "new")));
	u = json_array_get(json_object_get(s, "usage_types"), 0);
	assert_null_at(u, "previous_cost");
	assert_true(json_is_false(json_object_get(u, "new")));
	json_decref(root);
	cr_report_free(r);
}

static void test_json_included_and_bad_utf8(void **state)
{
	(void)state;
	cr_report *r = make_report(true);
	json_t *root, *inc;

	r->recon.included[CR_EXCL_TAX] = true;
	r->recon.included_amount[CR_EXCL_TAX] = D("9120.55");
	free(r->accounts[1].name);
	r->accounts[1].name = strdup("caf\xE9"); /* Latin-1, not UTF-8 */
	root = render_json(r);
	inc = json_object_get(json_object_get(root, "reconciliation"), "included");
	assert_int_equal(json_array_size(inc), 1);
	assert_string_equal(json_string_value(json_array_get(inc, 0)), "tax");
	assert_str_at(json_array_get(json_object_get(root, "accounts"), 1), "name",
		      "caf\xEF\xBF\xBD");
	json_decref(root);
	cr_report_free(r);
}

/* Proposals are written field by field, not through jansson: strings from
 * the data come out escaped and cleaned as every other JSON string, and
 * parse back to what the report holds. */
static void test_json_proposal_strings(void **state)
{
	(void)state;
	cr_report *r = make_report(true);
	cr_proposal *p;
	json_t *root, *v, *alt;

	r->has_proposals = true;
	r->proposals = calloc(1, sizeof *r->proposals);
	assert_non_null(r->proposals);
	r->n_proposals = 1;
	p = &r->proposals[0];
	p->rank = 1;
	p->rule = cr_report_intern(r, "ec2-rightsizing");
	p->title = cr_report_intern(r, "Rightsize \"big\" instances \\ now");
	p->action = "rightsizing";
	p->model = "fraction";
	p->effort = "medium";
	p->risk = "low";
	p->confidence = "estimate";
	p->stage = "migrate";
	p->account_id = cr_report_intern(r, "048213306571");
	p->account_name = cr_report_intern(r, "caf\xE9\x01\x7F\tx\xE2\x80\xAE"); /* Latin-1, controls, bidi */
	p->environment = cr_report_intern(r, "");
	p->service = cr_report_intern(r, "\xE3\x82\xB5\xE3\x83\xBC\xE3\x83\x93\xE3\x82\xB9");
	p->usage_type = cr_report_intern(r, "BoxUsage:m5.large");
	p->monthly_cost = D("100.50");
	p->savings = D("-0.000000000000000001");
	p->annual_savings = D("12");
	p->priority = 1e16 / 3;
	p->formula = cr_report_text(r, "line one\nline two\r\n\"q\"");
	p->evidence = cr_report_text(r, "");
	p->rationale = cr_report_intern(r, "r");
	p->reference = cr_report_intern(r, "https://docs.aws.amazon.com/a/b");
	p->basis = cr_report_intern(r, "");
	p->alternatives = calloc(1, sizeof *p->alternatives);
	assert_non_null(p->alternatives);
	p->n_alternatives = 1;
	p->alternatives[0] = (cr_proposal_alt){ cr_report_intern(r, "ec2-graviton"), "graviton",
						"fraction", D("7"), cr_report_text(r, "15% of\t7") };
	root = render_json(r);
	v = json_array_get(json_object_get(root, "proposals"), 0);
	assert_non_null(v);
	assert_int_equal(json_integer_value(json_object_get(v, "rank")), 1);
	assert_str_at(v, "title", "Rightsize \"big\" instances \\ now");
	assert_str_at(v, "account_name", "caf\xEF\xBF\xBD??\tx?");
	assert_true(json_is_null(json_object_get(v, "environment")));
	assert_true(json_is_null(json_object_get(v, "basis")));
	assert_str_at(v, "service", "\xE3\x82\xB5\xE3\x83\xBC\xE3\x83\x93\xE3\x82\xB9");
	assert_str_at(v, "estimated_monthly_savings", "-0.000000000000000001");
	assert_str_at(v, "formula", "line one\nline two\r\n\"q\"");
	assert_str_at(v, "evidence", "");
	assert_true(json_is_false(json_object_get(v, "counted")));
	assert_true(json_is_real(json_object_get(v, "priority")));
	assert_true(json_real_value(json_object_get(v, "priority")) > 3.3e15);
	alt = json_array_get(json_object_get(v, "alternatives"), 0);
	assert_str_at(alt, "rule", "ec2-graviton");
	assert_str_at(alt, "formula", "15% of\t7");
	assert_str_at(alt, "estimated_monthly_savings", "7");
	json_decref(root);
	cr_report_free(r);
}

/* ---- CSV ------------------------------------------------------------- */

#define CSV_HEADER "period_start,period_end,currency,metric,account_rank,account_id," \
	"account_name,environment,service_rank,service,usage_type_rank,usage_type,cost," \
	"previous_cost,change,change_pct,share_of_account_pct,quantity,unit,new"

enum { C_ACCOUNT_ID = 5, C_SERVICE_RANK = 8, C_SERVICE = 9, C_USAGE_RANK = 10,
       C_USAGE = 11, C_COST = 12, C_PREV = 13, C_CHANGE = 14, C_PCT = 15, C_SHARE = 16,
       C_QTY = 17, C_NEW = 19, N_COLS = 20 };

typedef struct csv_rows {
	char *cell[16][N_COLS];
	size_t n;
} csv_rows;

/* A strict RFC 4180 reader for the writer's output: CRLF after every row. */
static void parse_csv(const char *s, csv_rows *rows)
{
	memset(rows, 0, sizeof *rows);
	while (*s) {
		size_t col = 0;
		assert_true(rows->n < 16);
		for (;;) {
			char field[512];
			size_t n = 0;
			if (*s == '"') {
				s++;
				for (;;) {
					assert_true(*s != '\0');
					if (*s == '"' && s[1] == '"') {
						field[n++] = '"';
						s += 2;
					} else if (*s == '"') {
						s++;
						break;
					} else {
						field[n++] = *s++;
					}
				}
			} else {
				while (*s && *s != ',' && *s != '\r' && *s != '\n')
					field[n++] = *s++;
			}
			field[n] = '\0';
			assert_true(col < N_COLS);
			rows->cell[rows->n][col++] = strdup(field);
			if (*s == ',') {
				s++;
				continue;
			}
			assert_int_equal(s[0], '\r');
			assert_int_equal(s[1], '\n');
			s += 2;
			break;
		}
		assert_int_equal(col, N_COLS);
		rows->n++;
	}
}

static void free_csv(csv_rows *rows)
{
	for (size_t i = 0; i < rows->n; i++)
		for (size_t j = 0; j < N_COLS; j++)
			free(rows->cell[i][j]);
}

static void test_csv_rows(void **state)
{
	(void)state;
	cr_report *r = make_report(true);
	cr_write_opts o = { 0 };
	char *text = render(cr_write_csv, r, &o, NULL);
	csv_rows rows;
	cr_dec sum = CR_DEC_ZERO;
	char tmp[CR_DEC_STRLEN];

	/* header first, no BOM, CRLF everywhere */
	assert_memory_equal(text, CSV_HEADER "\r\n", strlen(CSV_HEADER) + 2);
	for (const char *p = text; *p; p++)
		if (*p == '\n')
			assert_int_equal(p[-1], '\r');
	assert_non_null(strstr(text, ",\"Acme \"\"Data\"\", Inc. Marketplace\","));
	assert_non_null(strstr(text, ",048213306571,"));

	parse_csv(text, &rows);
	assert_int_equal(rows.n, 1 + 7);
	for (size_t i = 1; i < rows.n; i++) {
		cr_dec d;
		const char *c = rows.cell[i][C_COST];
		assert_int_equal(cr_dec_parse(c, strlen(c), &d), CR_DEC_OK);
		assert_int_equal(cr_dec_add(&sum, sum, d), 0);
		/* money with exactly two decimals */
		assert_non_null(strchr(c, '.'));
		assert_int_equal(strlen(strchr(c, '.')), 3);
	}
	cr_dec_format(sum, 2, tmp, sizeof tmp);
	assert_string_equal(tmp, "184203.17");

	/* row 1: BoxUsage */
	assert_string_equal(rows.cell[1][0], "2026-10-01");
	assert_string_equal(rows.cell[1][1], "2026-10-31");
	assert_string_equal(rows.cell[1][C_ACCOUNT_ID], "048213306571");
	assert_string_equal(rows.cell[1][C_SERVICE_RANK], "1");
	assert_string_equal(rows.cell[1][C_USAGE_RANK], "1");
	assert_string_equal(rows.cell[1][C_USAGE], "BoxUsage:m5.xlarge");
	assert_string_equal(rows.cell[1][C_COST], "30000.00");
	assert_string_equal(rows.cell[1][C_PREV], "28000.00");
	assert_string_equal(rows.cell[1][C_CHANGE], "2000.00");
	assert_string_equal(rows.cell[1][C_PCT], "7.1");
	assert_string_equal(rows.cell[1][C_SHARE], "30.89");
	assert_string_equal(rows.cell[1][C_QTY], "720");
	assert_string_equal(rows.cell[1][C_NEW], "false");
	/* row 3: the "Other usage types" remainder */
	assert_string_equal(rows.cell[3][C_USAGE_RANK], "");
	assert_string_equal(rows.cell[3][C_USAGE], "Other usage types");
	/* row 4: a new service */
	assert_string_equal(rows.cell[4][C_SERVICE], ACME);
	assert_string_equal(rows.cell[4][C_PREV], "0.00");
	assert_string_equal(rows.cell[4][C_PCT], "");
	assert_string_equal(rows.cell[4][C_NEW], "true");
	/* row 5: "Other services" */
	assert_string_equal(rows.cell[5][C_SERVICE_RANK], "");
	assert_string_equal(rows.cell[5][C_SERVICE], "Other services");
	assert_string_equal(rows.cell[5][C_USAGE], "");
	assert_string_equal(rows.cell[5][C_COST], "25917.29");
	assert_string_equal(rows.cell[5][C_PCT], "-53.1");
	/* row 6: exact quantity, leading zeros kept */
	assert_string_equal(rows.cell[6][C_ACCOUNT_ID], "000123456789");
	assert_string_equal(rows.cell[6][C_QTY], "1234.5678901234");
	assert_string_equal(rows.cell[6][C_COST], "80000.00");

	free_csv(&rows);
	free(text);
	cr_report_free(r);
}

static void test_csv_bom_and_no_previous(void **state)
{
	(void)state;
	cr_report *r = make_report(false);
	cr_write_opts o = { .csv_bom = true };
	char *text = render(cr_write_csv, r, &o, NULL);
	csv_rows rows;

	assert_memory_equal(text, "\xEF\xBB\xBF" "period_start,", 16);
	parse_csv(text + 3, &rows);
	assert_int_equal(rows.n, 8);
	for (size_t i = 1; i < rows.n; i++) {
		assert_string_equal(rows.cell[i][C_PREV], "");
		assert_string_equal(rows.cell[i][C_CHANGE], "");
		assert_string_equal(rows.cell[i][C_PCT], "");
		assert_string_equal(rows.cell[i][C_NEW], "false");
	}
	free_csv(&rows);
	free(text);

	o.csv_bom = false;
	text = render(cr_write_csv, r, &o, NULL);
	assert_memory_equal(text, "period_start,", 13);
	free(text);
	cr_report_free(r);
}

static void test_csv_quoting(void **state)
{
	(void)state;
	cr_report *r = make_report(true);
	cr_write_opts o = { 0 };
	char *text;

	free(r->accounts[1].name);
	r->accounts[1].name = strdup(" padded");
	free(r->accounts[1].environment);
	r->accounts[1].environment = strdup("two, \"q\"\nlines");
	text = render(cr_write_csv, r, &o, NULL);
	/* a line break in the data is a space, as in every other format */
	assert_non_null(strstr(text, ",\" padded\",\"two, \"\"q\"\" lines\","));
	free(text);
	cr_report_free(r);
}

/* ---- table ----------------------------------------------------------- */

/* Every line holds at most width code points. */
static void assert_lines_fit(const char *text, size_t width)
{
	size_t w = 0;

	for (const char *p = text; *p; p++) {
		if (*p == '\n') {
			if (w > width)
				fail_msg("a line is %zu cells wide (max %zu)", w, width);
			w = 0;
		} else if (((unsigned char)*p & 0xC0) != 0x80) {
			w++;
		}
	}
}

static void test_table_plain(void **state)
{
	(void)state;
	cr_report *r = make_report(true);
	cr_write_opts o = { .width = 100 };
	char *text = render(cr_write_table, r, &o, NULL);

	assert_null(strchr(text, '\x1b'));
	assert_non_null(strstr(text, "costrank report \xE2\x80\x94 2026-10 (2026-10-01 to 2026-10-31), "
				     "unblended cost, USD\n"));
	assert_non_null(strstr(text, "Total  $184,203.17   +4.2% vs 2026-09 ($176,801.10)\n"));
	assert_non_null(strstr(text, "ranked 184,203.17 + credits -1,250.00 + refunds -310.00 + "
				     "tax 9,120.55 = billed 191,763.72\n"));
	assert_non_null(strstr(text, "note: the data for 2026-10 ends on 2026-10-28\n"));
	assert_non_null(strstr(text, "1. larkspur-prod  048213306571  $97,120.40  "
				     "52.7% of total  +3.1%\n   production\n"));
	assert_non_null(strstr(text, "2. 000123456789  $87,082.77  47.3% of total  +5.4%\n"
				     "   environment unknown\n"));
	/* the overview first: accounts ranked with total, change and share */
	assert_non_null(strstr(text, "Accounts (2)\n"));
	assert_true(strstr(text, "Accounts (2)\n") < strstr(text, "1. larkspur-prod"));
	assert_non_null(strstr(text, " 1  larkspur-prod  production    97,120.40  +2,916.30  "
				     "+3.1%   52.7%\n"));
	assert_non_null(strstr(text, "    Total                       184,203.17  +7,402.07  "
				     "+4.2%  100.0%\n"));
	assert_non_null(strstr(text, "Service / usage type"));
	assert_non_null(strstr(text, "41,203.11"));
	assert_non_null(strstr(text, "\xE2\x96\x88"));           /* a full block */
	assert_non_null(strstr(text, "Other services (5)"));
	assert_non_null(strstr(text, "Other usage types (3)"));
	assert_non_null(strstr(text, "  new\n"));
	assert_non_null(strstr(text, "+5.6%\n"));
	assert_non_null(strstr(text, "100.0%  \xE2\x96\x88"));
	assert_lines_fit(text, 100);
	free(text);

	/* with room to spare the bar is 20 cells: S3 is all of account 2 */
	o.width = 140;
	text = render(cr_write_table, r, &o, NULL);
	assert_non_null(strstr(text, "100.0%  "
		"\xE2\x96\x88\xE2\x96\x88\xE2\x96\x88\xE2\x96\x88\xE2\x96\x88"
		"\xE2\x96\x88\xE2\x96\x88\xE2\x96\x88\xE2\x96\x88\xE2\x96\x88"
		"\xE2\x96\x88\xE2\x96\x88\xE2\x96\x88\xE2\x96\x88\xE2\x96\x88"
		"\xE2\x96\x88\xE2\x96\x88\xE2\x96\x88\xE2\x96\x88\xE2\x96\x88  "));
	/* 42.4% of 20 cells is 8 cells and 4/8 (a half block) */
	assert_non_null(strstr(text, "42.4%  "
		"\xE2\x96\x88\xE2\x96\x88\xE2\x96\x88\xE2\x96\x88"
		"\xE2\x96\x88\xE2\x96\x88\xE2\x96\x88\xE2\x96\x88\xE2\x96\x8C "));
	assert_lines_fit(text, 140);
	free(text);
	cr_report_free(r);
}

static void test_table_color(void **state)
{
	(void)state;
	cr_report *r = make_report(true);
	cr_write_opts o = { .color = true };
	char *text = render(cr_write_table, r, &o, NULL);

	assert_non_null(strstr(text, "\x1b[1m"));  /* bold headers */
	assert_non_null(strstr(text, "\x1b[2m"));  /* dim usage types */
	assert_non_null(strstr(text, "\x1b[31m+5.6%\x1b[0m"));
	assert_non_null(strstr(text, "\x1b[32m-53.1%\x1b[0m"));
	free(text);
	cr_report_free(r);
}

static void test_table_narrow_and_no_previous(void **state)
{
	(void)state;
	cr_report *r = make_report(false);
	cr_write_opts o = { .width = 60 };
	char *text = render(cr_write_table, r, &o, NULL);

	assert_non_null(strstr(text, "Total  $184,203.17"));
	assert_null(strstr(text, "vs 2026-09"));
	assert_null(strstr(text, "new"));
	assert_non_null(strstr(text, "\xE2\x80\x94\n"));          /* change: — */
	assert_non_null(strstr(text, "Amazon Elastic Compu\xE2\x80\xA6"));
	assert_non_null(strstr(text, "Other usage ty\xE2\x80\xA6 (3)")); /* the count stays */
	assert_non_null(strstr(text, "\xE2\x80\xA6"));            /* … */
	assert_lines_fit(text, 60);
	free(text);
	o.width = 80;
	text = render(cr_write_table, r, &o, NULL);
	assert_lines_fit(text, 80);
	/* the reconciliation wraps between terms */
	assert_non_null(strstr(text, "+ tax 9,120.55\n   = billed 191,763.72\n"));
	free(text);
	cr_report_free(r);
}

static void test_table_cleans_names(void **state)
{
	(void)state;
	cr_report *r = make_report(true);
	cr_write_opts o = { 0 };
	char *text;

	free(r->accounts[0].services[0].name);
	r->accounts[0].services[0].name = strdup("Evil\x1b[2J\rname");
	text = render(cr_write_table, r, &o, NULL);
	assert_null(strchr(text, '\x1b'));
	assert_null(strchr(text, '\r'));
	assert_non_null(strstr(text, "Evil?[2J name"));
	free(text);
	cr_report_free(r);
}

static void test_table_included_category(void **state)
{
	(void)state;
	cr_report *r = make_report(true);
	cr_write_opts o = { .width = 100 };
	char *text;

	r->recon.included[CR_EXCL_TAX] = true;
	r->recon.included_amount[CR_EXCL_TAX] = D("9120.55");
	r->recon.excluded[CR_EXCL_TAX] = CR_DEC_ZERO;
	text = render(cr_write_table, r, &o, NULL);
	assert_non_null(strstr(text, "+ refunds -310.00 + tax (ranked: 9,120.55) = billed 191,763.72\n"));
	free(text);
	cr_report_free(r);
}

/* ---- display width and money ------------------------------------------ */

static void test_render_cells_and_fit(void **state)
{
	cr_buf b = CR_BUF_INIT;

	(void)state;
	/* wide and fullwidth count two, halfwidth katakana and marks one and none */
	assert_int_equal(cr_render_cells("abc"), 3);
	assert_int_equal(cr_render_cells("\xE6\x9C\xAC\xE7\x95\xAA"), 4);        /* 本番 */
	assert_int_equal(cr_render_cells("\xEF\xBC\xA1"), 2);                     /* Ａ */
	assert_int_equal(cr_render_cells("\xEF\xBD\xB6"), 1);                     /* ｶ */
	assert_int_equal(cr_render_cells("e\xCC\x81"), 1);                         /* e + acute */
	assert_int_equal(cr_render_cells("\xF0\xA0\x80\x8B"), 2);                 /* U+2000B */
	assert_int_equal(cr_render_cp_cells(0x303F), 1);
	assert_int_equal(cr_render_cp_cells(0xAC00), 2);
	/* fits whole */
	assert_int_equal(cr_render_fit(&b, "\xE6\x9C\xAC\xE7\x95\xAA", 4), 4);
	assert_string_equal(b.ptr, "\xE6\x9C\xAC\xE7\x95\xAA");
	/* 本番環境 in 6 cells: two characters and the ellipsis (5 cells), never half of 環 */
	cr_buf_reset(&b);
	assert_int_equal(cr_render_fit(&b, "\xE6\x9C\xAC\xE7\x95\xAA\xE7\x92\xB0\xE5\xA2\x83", 6), 5);
	assert_string_equal(b.ptr, "\xE6\x9C\xAC\xE7\x95\xAA\xE2\x80\xA6");
	/* a padded field is exactly its width */
	cr_buf_reset(&b);
	cr_render_pad(&b, "\xE6\x9C\xAC\xE7\x95\xAA\xE7\x92\xB0\xE5\xA2\x83", 6, false);
	assert_string_equal(b.ptr, "\xE6\x9C\xAC\xE7\x95\xAA\xE2\x80\xA6 ");
	cr_buf_reset(&b);
	cr_render_pad(&b, "\xEF\xBC\xA1" "b", 5, true);
	assert_string_equal(b.ptr, "  \xEF\xBC\xA1" "b");
	/* a combining mark stays with its letter */
	cr_buf_reset(&b);
	cr_render_fit(&b, "abe\xCC\x81" "cdef", 4);
	assert_string_equal(b.ptr, "abe\xCC\x81\xE2\x80\xA6");
	cr_buf_release(&b);
}

static void test_money_minor_units(void **state)
{
	cr_report *r = make_report(true);
	cr_buf b = CR_BUF_INIT;
	bool dated;
	cr_error err;

	(void)state;
	cr_render_money(&b, "JPY", D("26041095.99"), false);
	assert_string_equal(b.ptr, "\xC2\xA5" "26,041,096");
	cr_buf_reset(&b);
	cr_render_money(&b, "KWD", D("-1.2345"), false);
	assert_string_equal(b.ptr, "-KWD 1.235");
	cr_buf_reset(&b);
	cr_render_money(&b, "EUR", D("7.005"), true);
	assert_string_equal(b.ptr, "+\xE2\x82\xAC" "7.01");
	cr_buf_reset(&b);
	cr_render_money(&b, "CLF", D("1.00005"), false);
	assert_string_equal(b.ptr, "CLF 1.0001");
	/* with --fx every amount is shown converted, rounded to the yen */
	cr_error_clear(&err);
	assert_int_equal(cr_fx_parse("JPY=151.20", &r->fx, &dated, &err), 0);
	r->fx.date = r->end;
	cr_buf_reset(&b);
	cr_render_amount(&b, r, D("97120.40"), false);
	assert_string_equal(b.ptr, "\xC2\xA5" "14,684,604");
	cr_buf_reset(&b);
	cr_render_amount_digits(&b, r, D("-0.01"), true);
	assert_string_equal(b.ptr, "-2");
	cr_buf_reset(&b);
	cr_fx_basis(&b, r);
	assert_string_equal(b.ptr, "amounts in JPY at 151.20 JPY/USD (2026-10-31); billed $184,203.17");
	assert_string_equal(cr_render_shown_currency(r), "JPY");
	cr_buf_release(&b);
	cr_report_free(r);
}

/* ---- registry -------------------------------------------------------- */

static void test_registry(void **state)
{
	(void)state;
	size_t n = 0;
	const cr_writer *w = cr_writers(&n);

	assert_int_equal(n, 13);
	assert_string_equal(w[0].name, "table");
	assert_null(w[0].ext);
	assert_string_equal(w[1].name, "json");
	assert_string_equal(w[1].ext, "json");
	assert_string_equal(w[2].name, "csv");
	assert_string_equal(w[2].ext, "csv");
	assert_string_equal(w[2].suffix, "");
	/* csv also writes the proposals file, when rules ran */
	assert_string_equal(w[3].name, "csv");
	assert_string_equal(w[3].suffix, "-proposals");
	assert_true(w[3].needs_proposals);
	/* and the services file, always */
	assert_string_equal(w[4].name, "csv");
	assert_string_equal(w[4].suffix, "-services");
	assert_false(w[4].needs_proposals);
	assert_ptr_equal(w[4].write, cr_write_csv_services);
	/* and the notes file, always: the report's warnings */
	assert_string_equal(w[5].name, "csv");
	assert_string_equal(w[5].suffix, "-notes");
	assert_false(w[5].needs_proposals);
	assert_ptr_equal(w[5].write, cr_write_csv_notes);
	assert_false(w[4].needs_trend);
	/* and the trend file, when the report has a trend */
	assert_string_equal(w[6].suffix, "-trend");
	assert_true(w[6].needs_trend);
	/* realised, drivers and anomalies: only when the report has them */
	assert_string_equal(w[7].suffix, "-realised");
	assert_ptr_equal(w[7].wanted, cr_report_has_realised);
	assert_string_equal(w[8].suffix, "-drivers");
	assert_ptr_equal(w[8].wanted, cr_report_has_drivers);
	assert_string_equal(w[9].suffix, "-anomalies");
	assert_ptr_equal(w[9].wanted, cr_report_has_anomalies);
	assert_ptr_equal(w[6].write, cr_write_csv_trend);
	assert_string_equal(cr_writer_find("xlsx")->ext, "xlsx");
	assert_string_equal(cr_writer_find("md")->ext, "md");
	assert_string_equal(cr_writer_find("html")->ext, "html");
	assert_ptr_equal(cr_writer_find("xlsx")->write, cr_write_xlsx);
	for (size_t i = 0; i < n; i++) {
		assert_non_null(w[i].help);
		assert_non_null(w[i].write);
		assert_ptr_equal(cr_writer_find(w[i].name)->name, w[i].name);
	}
	assert_ptr_equal(cr_writer_find("csv"), &w[2]);
	assert_ptr_equal(cr_writer_find("json")->write, cr_write_json);
	assert_null(cr_writer_find("xml"));
	assert_null(cr_writer_find(""));
	assert_null(cr_writer_find(NULL));
}

/* ---- report files ---------------------------------------------------- */

static int make_tmpdir(void **state)
{
	return tmpdir_make(state, "/tmp/costrank-test-XXXXXX");
}

static int remove_tmpdir(void **state)
{
	return tmpdir_remove(state);
}

static void test_outfile_commit(void **state)
{
	const char *tmp = *state;
	char dir[512], path[600], text[64] = { 0 };
	cr_error err;
	cr_outfile *f;
	struct stat st;
	FILE *in;

	snprintf(dir, sizeof dir, "%s/reports/2026", tmp);
	snprintf(path, sizeof path, "%s/costrank-2026-10.json", dir);
	cr_error_clear(&err);
	f = cr_outfile_open(dir, "costrank-2026-10.json", &err);
	assert_non_null(f);
	assert_int_equal(err.code, 0);
	assert_string_equal(cr_outfile_path(f), path);
	/* the temporary is there, the file is not yet */
	assert_int_equal(count_entries(dir), 1);
	assert_int_equal(stat(path, &st), -1);
	fputs("{\"ok\": true}\n", cr_outfile_stream(f));
	assert_int_equal(cr_outfile_commit(f, &err), 0);
	assert_int_equal(err.code, 0);

	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(count_entries(dir), 1); /* no temporary left */
	snprintf(path, sizeof path, "%s/reports", tmp);
	assert_int_equal(stat(path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	mode_t mask = umask(022);
	umask(mask);
	assert_int_equal(st.st_mode & 0777, 0755 & ~mask);

	snprintf(path, sizeof path, "%s/costrank-2026-10.json", dir);
	in = fopen(path, "r");
	assert_non_null(in);
	assert_non_null(fgets(text, sizeof text, in));
	fclose(in);
	assert_string_equal(text, "{\"ok\": true}\n");
}

static void test_outfile_abort(void **state)
{
	const char *tmp = *state;
	cr_error err;
	cr_outfile *f;

	cr_error_clear(&err);
	f = cr_outfile_open(tmp, "r.csv", &err);
	assert_non_null(f);
	fputs("half a report", cr_outfile_stream(f));
	cr_outfile_abort(f);
	assert_int_equal(count_entries(tmp), 0);
	cr_outfile_abort(NULL);
}

static void test_outfile_open_fails(void **state)
{
	const char *tmp = *state;
	char plain[512], dir[600];
	cr_error err;
	FILE *f;

	snprintf(plain, sizeof plain, "%s/plain", tmp);
	f = fopen(plain, "w");
	assert_non_null(f);
	fclose(f);
	snprintf(dir, sizeof dir, "%s/sub", plain);
	cr_error_clear(&err);
	assert_null(cr_outfile_open(dir, "r.json", &err));
	assert_int_equal(err.code, CR_EXIT_OUTPUT);
	assert_non_null(strstr(err.msg, "plain/sub/r.json"));
	assert_non_null(strstr(err.msg, strerror(ENOTDIR)));
	assert_int_equal(count_entries(tmp), 1);
}

static void test_outfile_commit_fails(void **state)
{
	const char *tmp = *state;
	char dir[600], file[700];
	cr_error err;
	cr_outfile *f;
	FILE *fp;

	/* the final name is a directory that is not empty: rename fails */
	snprintf(dir, sizeof dir, "%s/r.json", tmp);
	assert_int_equal(mkdir(dir, 0755), 0);
	snprintf(file, sizeof file, "%s/keep", dir);
	fp = fopen(file, "w");
	assert_non_null(fp);
	fclose(fp);

	cr_error_clear(&err);
	f = cr_outfile_open(tmp, "r.json", &err);
	assert_non_null(f);
	fputs("{}\n", cr_outfile_stream(f));
	assert_int_equal(cr_outfile_commit(f, &err), -1);
	assert_int_equal(err.code, CR_EXIT_OUTPUT);
	assert_non_null(strstr(err.msg, "cannot write '"));
	assert_non_null(strstr(err.msg, "/r.json'"));
	assert_int_equal(count_entries(tmp), 1); /* only r.json/, no temporary */
}

static void test_stream_check_dev_full(void **state)
{
	(void)state;
	cr_report *r;
	cr_write_opts o = { 0 };
	cr_error err;
	FILE *f = fopen("/dev/full", "w");

	if (!f)
		skip();
	r = make_report(true);
	cr_error_clear(&err);
	/* the writer leaves the write error on the stream */
	assert_int_equal(cr_write_json(r, f, &o, &err), 0);
	assert_int_equal(err.code, 0);
	assert_int_equal(cr_stream_check(f, "standard output", &err), -1);
	assert_int_equal(err.code, CR_EXIT_OUTPUT);
	assert_non_null(strstr(err.msg, "standard output"));
	if (!strstr(err.msg, strerror(ENOSPC)))
		print_error("message: %s\n", err.msg);
	assert_non_null(strstr(err.msg, strerror(ENOSPC)));
	fclose(f);
	cr_report_free(r);
}

static void test_stream_check_ok(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);
	cr_error err;

	cr_error_clear(&err);
	fputs("fine\n", f);
	assert_int_equal(cr_stream_check(f, "standard output", &err), 0);
	assert_int_equal(err.code, 0);
	fclose(f);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_json_amounts),
		cmocka_unit_test(test_json_without_previous),
		cmocka_unit_test(test_json_included_and_bad_utf8),
		cmocka_unit_test(test_json_proposal_strings),
		cmocka_unit_test(test_csv_rows),
		cmocka_unit_test(test_csv_bom_and_no_previous),
		cmocka_unit_test(test_csv_quoting),
		cmocka_unit_test(test_table_plain),
		cmocka_unit_test(test_table_color),
		cmocka_unit_test(test_table_narrow_and_no_previous),
		cmocka_unit_test(test_table_cleans_names),
		cmocka_unit_test(test_table_included_category),
		cmocka_unit_test(test_render_cells_and_fit),
		cmocka_unit_test(test_money_minor_units),
		cmocka_unit_test(test_registry),
		cmocka_unit_test_setup_teardown(test_outfile_commit, make_tmpdir, remove_tmpdir),
		cmocka_unit_test_setup_teardown(test_outfile_abort, make_tmpdir, remove_tmpdir),
		cmocka_unit_test_setup_teardown(test_outfile_open_fails, make_tmpdir, remove_tmpdir),
		cmocka_unit_test_setup_teardown(test_outfile_commit_fails, make_tmpdir, remove_tmpdir),
		cmocka_unit_test(test_stream_check_dev_full),
		cmocka_unit_test(test_stream_check_ok),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
