/*
 * test_export_root.c - choosing the current delivery of each billing period
 * (export_root.h) on synthetic listings: legacy CUR with kept versions and
 * in overwrite mode, Data Exports in both modes, with and without
 * manifests, missing parts, and the manifest parser on its own.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "costrank/export_root.h"

/* Manifests of a test: path -> text. */
struct fake {
	const char *path, *text;
};

static int fake_reads;

static int fake_read(void *ctx, const char *path, char **buf, size_t *len, cr_error *err)
{
	for (const struct fake *f = ctx; f && f->path; f++) {
		if (strcmp(f->path, path) == 0) {
			*buf = strdup(f->text);
			*len = strlen(f->text);
			fake_reads++;
			return 0;
		}
	}
	return cr_error_set(err, CR_EXIT_REMOTE, "%s: HTTP 404 NoSuchKey", path);
}

/* Builds a listing from "path mtime" strings (the mtime may be left out). */
static void listing(cr_listing *l, const char *const *entries)
{
	memset(l, 0, sizeof *l);
	for (; *entries; entries++) {
		char path[512];
		long long mtime = 0;
		if (sscanf(*entries, "%511s %lld", path, &mtime) < 1)
			fail();
		cr_listing_add(l, path, 100, mtime, 0, 0);
	}
}

static int run(const char *const *entries, const struct fake *manifests, bool partial,
	       cr_selection *sel, cr_error *err)
{
	cr_listing l;
	int rc;

	listing(&l, entries);
	memset(sel, 0, sizeof *sel);
	cr_error_clear(err);
	fake_reads = 0;
	rc = cr_export_select(&l, fake_read, (void *)manifests, partial, sel, err);
	cr_listing_free(&l);
	return rc;
}

static void expect_paths(const cr_selection *sel, const char *const *want)
{
	size_t n = 0;
	for (; want[n]; n++) {
		assert_true(n < sel->n_paths);
		assert_string_equal(sel->paths[n], want[n]);
	}
	assert_int_equal(sel->n_paths, n);
}

#define LEG "s3://b/cur/rep/20261001-20261101/"

static void test_legacy_versions_manifest(void **state)
{
	static const char *const entries[] = {
		LEG "rep-Manifest.json 300",
		LEG "aaa/rep-1.csv.gz 100", LEG "aaa/rep-2.csv.gz 100", LEG "aaa/rep-Manifest.json 100",
		LEG "bbb/rep-1.csv.gz 200", LEG "bbb/rep-Manifest.json 200",
		LEG "ccc/rep-1.csv.gz 300", LEG "ccc/rep-2.csv.gz 300", LEG "ccc/rep-Manifest.json 300",
		NULL };
	static const struct fake m[] = {
		{ LEG "rep-Manifest.json",
		  "{\"assemblyId\":\"ccc\",\"billingPeriod\":{\"start\":\"20261001T000000.000Z\","
		  "\"end\":\"20261101T000000.000Z\"},\"reportKeys\":["
		  "\"cur/rep/20261001-20261101/ccc/rep-1.csv.gz\","
		  "\"cur/rep/20261001-20261101/ccc/rep-2.csv.gz\"]}" },
		{ NULL, NULL } };
	static const char *const want[] = { LEG "ccc/rep-1.csv.gz", LEG "ccc/rep-2.csv.gz", NULL };
	cr_selection sel;
	cr_error err;
	cr_day oct1;

	(void)state;
	assert_int_equal(run(entries, m, false, &sel, &err), 0);
	expect_paths(&sel, want);
	assert_int_equal(sel.n_warnings, 0);
	assert_int_equal(sel.superseded, 3);
	assert_int_equal(fake_reads, 1);   /* only the period's manifest */
	assert_int_equal(sel.n_periods, 1);
	assert_true(sel.periods[0].from_manifest);
	cr_day_from_ymd(2026, 10, 1, &oct1);
	assert_int_equal(sel.periods[0].start, oct1);
	assert_int_equal(sel.periods[0].end, oct1 + 30);
	cr_selection_free(&sel);
}

static void test_legacy_versions_without_manifest(void **state)
{
	/* no period manifest: the latest version by object time, its own
	 * manifest naming its parts, and a warning naming the others */
	static const char *const entries[] = {
		LEG "aaa/rep-1.csv.gz 100", LEG "bbb/rep-1.csv.gz 300", LEG "bbb/rep-2.csv.gz 290",
		LEG "ccc/rep-1.csv.gz 200", NULL };
	static const char *const want[] = { LEG "bbb/rep-1.csv.gz", LEG "bbb/rep-2.csv.gz", NULL };
	cr_selection sel;
	cr_error err;

	(void)state;
	assert_int_equal(run(entries, NULL, false, &sel, &err), 0);
	expect_paths(&sel, want);
	assert_int_equal(sel.n_warnings, 1);
	assert_non_null(strstr(sel.warnings[0], "'bbb/'"));
	assert_non_null(strstr(sel.warnings[0], "'aaa/'"));
	assert_non_null(strstr(sel.warnings[0], "'ccc/'"));
	assert_non_null(strstr(sel.warnings[0], "object time"));
	assert_int_equal(sel.superseded, 2);
	cr_selection_free(&sel);
}

static void test_legacy_overwrite(void **state)
{
	/* parts in the period folder; the key names an assembly folder that
	 * overwrite mode does not have */
	static const char *const entries[] = {
		LEG "rep-1.csv.zip", LEG "rep-2.csv.zip", LEG "rep-Manifest.json", NULL };
	static const struct fake m[] = {
		{ LEG "rep-Manifest.json",
		  "{\"reportKeys\":[\"cur/rep/20261001-20261101/x/rep-1.csv.zip\","
		  "\"cur/rep/20261001-20261101/x/rep-2.csv.zip\"]}" },
		{ NULL, NULL } };
	static const char *const want[] = { LEG "rep-1.csv.zip", LEG "rep-2.csv.zip", NULL };
	cr_selection sel;
	cr_error err;

	(void)state;
	assert_int_equal(run(entries, m, false, &sel, &err), 0);
	expect_paths(&sel, want);
	assert_false(sel.periods[0].from_manifest);
	cr_selection_free(&sel);
}

static void test_missing_part(void **state)
{
	static const char *const entries[] = { LEG "rep-1.csv.gz", LEG "rep-Manifest.json", NULL };
	static const struct fake m[] = {
		{ LEG "rep-Manifest.json",
		  "{\"reportKeys\":[\"cur/rep/20261001-20261101/rep-1.csv.gz\","
		  "\"cur/rep/20261001-20261101/rep-2.csv.gz\"]}" },
		{ NULL, NULL } };
	static const char *const want[] = { LEG "rep-1.csv.gz", NULL };
	cr_selection sel;
	cr_error err;

	(void)state;
	assert_int_equal(run(entries, m, false, &sel, &err), -1);
	assert_int_equal(err.code, CR_EXIT_INPUT);
	assert_non_null(strstr(err.msg, LEG "rep-2.csv.gz: part named by"));
	assert_non_null(strstr(err.msg, LEG "rep-Manifest.json"));
	assert_null(strchr(err.msg, '\n'));
	cr_selection_free(&sel);

	assert_int_equal(run(entries, m, true, &sel, &err), 0);
	expect_paths(&sel, want);
	assert_true(sel.partial);
	assert_int_equal(sel.n_warnings, 1);
	assert_non_null(strstr(sel.warnings[0], "rep-2.csv.gz"));
	cr_selection_free(&sel);
}

#define DE "s3://b/x/exp/"

static void test_data_exports_new_files(void **state)
{
	/* create-new-file mode: a delivery folder per refresh; the manifest
	 * names the latest */
	static const char *const entries[] = {
		DE "data/BILLING_PERIOD=2026-10/20261010T061200Z-e1/exp-00001.csv.gz",
		DE "data/BILLING_PERIOD=2026-10/20261011T061200Z-e2/exp-00001.csv.gz",
		DE "data/BILLING_PERIOD=2026-10/20261011T061200Z-e2/exp-00002.csv.gz",
		DE "metadata/BILLING_PERIOD=2026-10/exp-Manifest.json",
		DE "data/BILLING_PERIOD=2026-09/exp-00001.csv.gz",
		DE "metadata/BILLING_PERIOD=2026-09/exp-Manifest.json",
		NULL };
	static const struct fake m[] = {
		{ DE "metadata/BILLING_PERIOD=2026-10/exp-Manifest.json",
		  "{\"executionId\":\"e2\",\"dataFiles\":["
		  "\"s3://other/y/exp/data/BILLING_PERIOD=2026-10/20261011T061200Z-e2/exp-00001.csv.gz\","
		  "\"s3://other/y/exp/data/BILLING_PERIOD=2026-10/20261011T061200Z-e2/exp-00002.csv.gz\"]}" },
		{ DE "metadata/BILLING_PERIOD=2026-09/exp-Manifest.json",
		  "{\"dataFiles\":[\"s3://b/x/exp/data/BILLING_PERIOD=2026-09/exp-00001.csv.gz\"],"
		  "\"billingPeriod\":{\"start\":\"2026-09-01T00:00:00.000Z\",\"end\":\"2026-10-01T00:00:00.000Z\"}}" },
		{ NULL, NULL } };
	static const char *const want[] = {
		DE "data/BILLING_PERIOD=2026-09/exp-00001.csv.gz",
		DE "data/BILLING_PERIOD=2026-10/20261011T061200Z-e2/exp-00001.csv.gz",
		DE "data/BILLING_PERIOD=2026-10/20261011T061200Z-e2/exp-00002.csv.gz", NULL };
	cr_selection sel;
	cr_error err;

	(void)state;
	assert_int_equal(run(entries, m, false, &sel, &err), 0);
	expect_paths(&sel, want);
	assert_int_equal(sel.n_warnings, 0);
	assert_int_equal(sel.superseded, 1);
	assert_int_equal(sel.n_periods, 2);
	assert_int_equal(fake_reads, 2);
	cr_selection_free(&sel);
}

static void test_data_exports_latest_by_folder_time(void **state)
{
	/* no manifest: the folder timestamps decide, not the object times */
	static const char *const entries[] = {
		DE "data/billing_period=2026-10/2026-10-11T06:12:00.000Z-e2/exp-00001.csv.gz 100",
		DE "data/billing_period=2026-10/2026-10-10T06:12:00.000Z-e1/exp-00001.csv.gz 900",
		NULL };
	static const char *const want[] = {
		DE "data/billing_period=2026-10/2026-10-11T06:12:00.000Z-e2/exp-00001.csv.gz", NULL };
	cr_selection sel;
	cr_error err;

	(void)state;
	assert_int_equal(run(entries, NULL, false, &sel, &err), 0);
	expect_paths(&sel, want);
	assert_int_equal(sel.n_warnings, 1);
	assert_non_null(strstr(sel.warnings[0], "folder's timestamp"));
	assert_non_null(strstr(sel.warnings[0], "2026-10-10T06:12:00.000Z-e1"));
	cr_selection_free(&sel);
}

static void test_loose_files_and_bad_manifest(void **state)
{
	static const char *const loose[] = { "s3://b/a/z.csv", "s3://b/a/y.csv.gz",
					     "s3://b/a/notes.txt", NULL };
	static const char *const want[] = { "s3://b/a/y.csv.gz", "s3://b/a/z.csv", NULL };
	static const char *const entries[] = { LEG "rep-1.csv.gz", LEG "rep-Manifest.json", NULL };
	static const struct fake bad[] = { { LEG "rep-Manifest.json", "{\"reportKeys\": 7}" },
					   { NULL, NULL } };
	cr_selection sel;
	cr_error err;

	(void)state;
	assert_int_equal(run(loose, NULL, false, &sel, &err), 0);
	expect_paths(&sel, want);
	cr_selection_free(&sel);
	assert_int_equal(run(entries, bad, false, &sel, &err), -1);
	assert_int_equal(err.code, CR_EXIT_INPUT);
	assert_non_null(strstr(err.msg, LEG "rep-Manifest.json: not a manifest"));
	cr_selection_free(&sel);
	/* a manifest that cannot be fetched: the reader's error */
	assert_int_equal(run(entries, NULL, false, &sel, &err), -1);
	assert_int_equal(err.code, CR_EXIT_REMOTE);
	cr_selection_free(&sel);
}

static void test_manifest_parse(void **state)
{
	static const char reversed[] = "{\"dataFiles\":[\"a\"],\"billingPeriod\":"
				       "{\"start\":\"2026-11-01\",\"end\":\"2026-10-01\"}}";
	cr_manifest m;
	cr_error err;

	(void)state;
	cr_error_clear(&err);
	assert_int_equal(cr_manifest_parse("m", "{\"reportKeys\":[\"a\"],\"assemblyId\":\"x\"}", 37,
					   &m, &err), 0);
	assert_int_equal(m.n_keys, 1);
	assert_string_equal(m.assembly_id, "x");
	assert_int_equal(m.start, 0);
	cr_manifest_free(&m);

	assert_int_equal(cr_manifest_parse("m", "{\"dataFiles\":[", 14, &m, &err), -1);
	assert_non_null(strstr(err.msg, "m:1:"));
	assert_int_equal(cr_manifest_parse("m", "[]", 2, &m, &err), -1);
	cr_error_clear(&err);
	assert_int_equal(cr_manifest_parse("m", "{}", 2, &m, &err), -1);
	assert_non_null(strstr(err.msg, "neither reportKeys nor dataFiles"));
	cr_error_clear(&err);
	assert_int_equal(cr_manifest_parse("m", "{\"dataFiles\":[\"\"]}", 17, &m, &err), -1);
	cr_error_clear(&err);
	assert_int_equal(cr_manifest_parse("m", reversed, strlen(reversed), &m, &err), -1);
	assert_non_null(strstr(err.msg, "billingPeriod"));
}

/* A ledger with one row on each day from first to last. */
static cr_ledger *days(cr_day first, cr_day last)
{
	cr_ledger *l = cr_ledger_new(CR_METRIC_UNBLENDED);
	cr_error err;

	cr_error_clear(&err);
	for (cr_day d = first; d <= last; d++) {
		cr_ledger_key k = { cr_ledger_intern(l, "1", 1), cr_ledger_intern(l, "S", 1),
				    cr_ledger_intern(l, "U", 1), d, CR_KIND_USAGE, 0, 0 };
		cr_dec one;
		cr_dec_parse("1", 1, &one);
		assert_int_equal(cr_ledger_add(l, &k, one, CR_DEC_ZERO, 0, &err), 0);
	}
	return l;
}

static void test_coverage(void **state)
{
	cr_day sep1, oct1, oct15, oct31;
	cr_period oct;
	cr_coverage c;
	cr_ledger *l;
	cr_selection sel = { 0 };
	cr_export_period per;

	(void)state;
	cr_day_from_ymd(2026, 9, 1, &sep1);
	cr_day_from_ymd(2026, 10, 1, &oct1);
	cr_day_from_ymd(2026, 10, 15, &oct15);
	cr_day_from_ymd(2026, 10, 31, &oct31);
	oct = (cr_period){ oct1, oct31, true };

	/* September and October whole: nothing to say */
	l = days(sep1, oct31);
	cr_coverage_check(l, &oct, NULL, &c);
	assert_int_equal(c.n_notes, 0);
	assert_false(c.partial || c.not_comparable);
	cr_coverage_free(&c);
	cr_ledger_free(l);

	/* October through the 15th: partial, not comparable, the last day named */
	l = days(sep1, oct15);
	cr_coverage_check(l, &oct, NULL, &c);
	assert_int_equal(c.n_notes, 1);
	assert_true(c.partial && c.not_comparable);
	assert_non_null(strstr(c.notes[0], "2026-10 is covered in part"));
	assert_non_null(strstr(c.notes[0], "through 2026-10-15"));
	cr_coverage_free(&c);

	/* a manifest declaring October, asked about its first ten days */
	per = (cr_export_period){ (char *)"data/BILLING_PERIOD=2026-10", oct1, oct31, true };
	sel.periods = &per;
	sel.n_periods = 1;
	cr_period first10 = { oct1, oct1 + 9, false };
	cr_coverage_check(l, &first10, &sel, &c);
	assert_int_equal(c.n_notes, 1);
	assert_non_null(strstr(c.notes[0], "data/BILLING_PERIOD=2026-10: the manifest declares "
				  "the billing period 2026-10-01 through 2026-10-31 but its rows end "
				  "on 2026-10-15"));
	assert_true(c.not_comparable);
	cr_coverage_free(&c);
	cr_ledger_free(l);

	/* the previous month begun mid-way: the change is not comparable */
	l = days(sep1 + 10, oct31);
	cr_coverage_check(l, &oct, NULL, &c);
	assert_int_equal(c.n_notes, 1);
	assert_false(c.partial);
	assert_true(c.not_comparable);
	assert_non_null(strstr(c.notes[0], "previous period 2026-09 is covered in part"));
	cr_coverage_free(&c);
	cr_ledger_free(l);
}

static void test_names(void **state)
{
	(void)state;
	assert_true(cr_data_file_name("a.csv"));
	assert_true(cr_data_file_name("a.CSV.GZ"));
	assert_true(cr_data_file_name("a.csv.zip"));
	assert_false(cr_data_file_name("a.json"));
	assert_false(cr_data_file_name("a.zip"));
	assert_true(cr_manifest_file_name("rep-Manifest.json"));
	assert_false(cr_manifest_file_name("rep.json"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_legacy_versions_manifest),
		cmocka_unit_test(test_legacy_versions_without_manifest),
		cmocka_unit_test(test_legacy_overwrite),
		cmocka_unit_test(test_missing_part),
		cmocka_unit_test(test_data_exports_new_files),
		cmocka_unit_test(test_data_exports_latest_by_folder_time),
		cmocka_unit_test(test_loose_files_and_bad_manifest),
		cmocka_unit_test(test_manifest_parse),
		cmocka_unit_test(test_coverage),
		cmocka_unit_test(test_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
