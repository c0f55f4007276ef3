/*
 * fuzz_manifest.c - the export manifest parser and the delivery selection
 * that follows it (export_root.h).
 *
 * The input is a manifest.  It is parsed on its own, then served as the
 * period manifest of a legacy CUR listing and of a Data Exports listing.
 * Invariants: an error is CR_EXIT_INPUT, one line, naming the manifest; a
 * parsed manifest's keys are non-empty strings without control characters
 * and its billing period has start <= end, or is absent; a selection only
 * ever names data objects of the listing, each once; with allow_partial it
 * never fails on a missing part, and a part left out is a one-line warning;
 * without, nothing is marked partial.
 */
#include <stdbool.h>

#include "costrank/error.h"
#include "costrank/export_root.h"

#include "fuzz.h"

#define NAME "fuzz-Manifest.json"

struct served {
	const uint8_t *data;
	size_t size;
};

static int serve(void *ctx, const char *path, char **buf, size_t *len, cr_error *err)
{
	const struct served *s = ctx;

	(void)err;
	(void)path;
	*buf = fuzz_strndup(s->data, s->size);
	*len = s->size;
	return 0;
}

static void check_error(const cr_error *err, const char *name)
{
	FUZZ_CHECK(err->code == CR_EXIT_INPUT);
	FUZZ_CHECK(strchr(err->msg, '\n') == NULL);
	FUZZ_CHECK(strstr(err->msg, name) != NULL);
}

static const char *const legacy[] = {
	"s3://b/cur/r/20261001-20261101/r-Manifest.json",
	"s3://b/cur/r/20261001-20261101/a1/r-1.csv.gz",
	"s3://b/cur/r/20261001-20261101/a2/r-1.csv.gz",
	"s3://b/cur/r/20261001-20261101/a2/r-2.csv.gz",
	"s3://b/cur/r/20261001-20261101/r-1.csv.zip",
	NULL,
};

static const char *const exports[] = {
	"s3://b/x/e/metadata/BILLING_PERIOD=2026-10/e-Manifest.json",
	"s3://b/x/e/data/BILLING_PERIOD=2026-10/e-00001.csv.gz",
	"s3://b/x/e/data/BILLING_PERIOD=2026-10/20261011T000000Z-x/e-00001.csv.gz",
	"s3://b/x/e/data/BILLING_PERIOD=2026-10/20261012T000000Z-y/e-00001.csv.gz",
	NULL,
};

static void select_from(const char *const *paths, struct served *s, bool partial)
{
	cr_listing l = { 0 };
	cr_selection sel = { 0 };
	cr_error err;

	for (size_t i = 0; paths[i]; i++)
		cr_listing_add(&l, paths[i], 10, (int64_t)i, 0, 0);
	cr_error_clear(&err);
	if (cr_export_select(&l, serve, s, partial, &sel, &err) != 0) {
		check_error(&err, paths[0]);
		/* with allow_partial only the manifest itself can fail it */
		FUZZ_CHECK(!partial || strncmp(err.msg, paths[0], strlen(paths[0])) == 0);
	} else {
		for (size_t i = 0; i < sel.n_paths; i++) {
			bool listed = false;
			for (size_t j = 0; paths[j]; j++)
				listed |= strcmp(sel.paths[i], paths[j]) == 0;
			FUZZ_CHECK(listed);
			FUZZ_CHECK(cr_data_file_name(sel.paths[i]));
			for (size_t j = 0; j < i; j++)
				FUZZ_CHECK(strcmp(sel.paths[i], sel.paths[j]) != 0);
		}
		FUZZ_CHECK(partial || !sel.partial);
		FUZZ_CHECK(!sel.partial || sel.n_warnings > 0);
		for (size_t i = 0; i < sel.n_warnings; i++)
			FUZZ_CHECK(strchr(sel.warnings[i], '\n') == NULL);
	}
	cr_selection_free(&sel);
	cr_listing_free(&l);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cr_manifest m;
	cr_error err;
	struct served s = { data, size };

	cr_error_clear(&err);
	if (cr_manifest_parse(NAME, (const char *)data, size, &m, &err) != 0) {
		check_error(&err, NAME);
	} else {
		for (size_t i = 0; i < m.n_keys; i++) {
			FUZZ_CHECK(m.keys[i] && m.keys[i][0]);
			FUZZ_CHECK(strlen(m.keys[i]) <= 4096);
			for (const char *k = m.keys[i]; *k; k++)
				FUZZ_CHECK((unsigned char)*k >= 0x20 && *k != 0x7f);
		}
		FUZZ_CHECK((m.start == 0 && m.end == 0) || m.start <= m.end);
		cr_manifest_free(&m);
	}
	select_from(legacy, &s, false);
	select_from(legacy, &s, true);
	select_from(exports, &s, false);
	select_from(exports, &s, true);
	return 0;
}
