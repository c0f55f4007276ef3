/*
 * export_root.h - which files of a billing export to read: each billing
 * period once, from its current delivery.
 *
 * AWS writes exports as folders of deliveries (README "Export layouts"):
 *
 *   legacy CUR     <report>/yyyymmdd-yyyymmdd/<report>-Manifest.json
 *                  <report>/yyyymmdd-yyyymmdd/<assemblyId>/<report>-1.csv.gz
 *   Data Exports   <export>/data/BILLING_PERIOD=YYYY-MM/[<time>-<executionId>/]*.csv.gz
 *                  <export>/metadata/BILLING_PERIOD=YYYY-MM/<export>-Manifest.json
 *
 * Every delivery is cumulative, so summing two counts the same spend twice.
 * The selection works on a listing (local paths or s3:// URLs, with sizes,
 * times and device/inode numbers), so local folders and S3 prefixes share
 * it: the manifest of a period names the current parts; without one, the
 * latest delivery (by its folder's timestamp, else by object time) is read
 * and a warning names those left out.  A part a manifest names that is
 * absent is an error, or with allow_partial a warning.
 *
 * cr_exports_expand turns the command-line inputs into the files to read:
 * files as given, folders and s3:// prefixes through the selection, each
 * underlying file (same device and inode, or same URL) once.
 */
#ifndef COSTRANK_EXPORT_ROOT_H
#define COSTRANK_EXPORT_ROOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "costrank/date.h"
#include "costrank/error.h"
#include "costrank/ledger.h"
#include "costrank/period.h"

/*
 * True when a file name is that of a billing data part: the one list of
 * extensions (.csv, .csv.gz, .csv.zip, .gz; case-insensitive).
 */
bool cr_data_file_name(const char *name);

/* True for "<name>-Manifest.json" (any case of "manifest.json"). */
bool cr_manifest_file_name(const char *name);

/* One object of a listing: a local file or an S3 object. */
typedef struct cr_listing_entry {
	char *path;        /* local path, or "s3://bucket/key" */
	int64_t size;      /* bytes */
	int64_t mtime;     /* seconds since the epoch */
	uint64_t dev, ino; /* local files; both 0 for S3 objects */
} cr_listing_entry;

typedef struct cr_listing {
	cr_listing_entry *v;
	size_t n, cap;
} cr_listing;

void cr_listing_add(cr_listing *l, const char *path, int64_t size, int64_t mtime,
		    uint64_t dev, uint64_t ino);
void cr_listing_free(cr_listing *l);

/* ---- manifests -------------------------------------------------------- */

typedef struct cr_manifest {
	char *assembly_id;      /* legacy CUR; NULL when absent */
	char *execution_id;     /* Data Exports; NULL when absent */
	char **keys;            /* reportKeys (object keys) or dataFiles (s3:// URIs) */
	size_t n_keys;
	cr_day start, end;      /* billingPeriod, end inclusive; 0 when absent */
} cr_manifest;

/*
 * Parses a legacy CUR or Data Exports manifest.  Returns 0, or -1 with err
 * set (CR_EXIT_INPUT): "NAME:LINE:COLUMN: ..." for malformed JSON, "NAME:
 * ..." for a manifest that names no parts or has fields of the wrong type.
 */
int cr_manifest_parse(const char *name, const char *text, size_t len, cr_manifest *m,
		      cr_error *err);
void cr_manifest_free(cr_manifest *m);

/* Manifests larger than this are refused (real ones are a few kB). */
#define CR_MANIFEST_MAX (16u << 20)

/* Reads a manifest whole into a malloced buffer (at most CR_MANIFEST_MAX). */
typedef int cr_manifest_reader(void *ctx, const char *path, char **buf, size_t *len,
			       cr_error *err);

/* ---- selection -------------------------------------------------------- */

/* A billing period an export delivers, as the selection saw it. */
typedef struct cr_export_period {
	char *folder;           /* the period's (data) folder */
	cr_day start, end;      /* inclusive; from the manifest, else the folder name */
	bool from_manifest;
} cr_export_period;

typedef struct cr_selection {
	char **paths;           /* the files to read, in order */
	size_t n_paths;
	char **warnings;        /* deliveries left out; parts missing (allow_partial) */
	size_t n_warnings;
	bool partial;           /* a part a manifest names was left out */
	cr_export_period *periods;
	size_t n_periods;
	size_t superseded;      /* data files of older deliveries not read */
	size_t duplicates;      /* inputs read once though given more than once */
} cr_selection;

/*
 * Chooses the files to read from a listing (the objects below one root, in
 * any order), appending to sel.  Manifests are read through `read`.
 * Returns 0, or -1 with err set: a manifest that cannot be read or parsed,
 * or a part it names that the listing lacks (CR_EXIT_INPUT, naming the
 * part and the manifest) unless allow_partial, which records a warning.
 */
int cr_export_select(const cr_listing *l, cr_manifest_reader *read, void *ctx,
		     bool allow_partial, cr_selection *sel, cr_error *err);

/*
 * The command-line inputs to the files to read: "-" and files as given,
 * folders and s3:// prefixes through cr_export_select.  A folder below a
 * period folder stands for its whole period (the current delivery of it).
 * Each underlying file is read once.  Returns 0, or -1 with err set when
 * an input is missing or a folder holds no data file.
 */
int cr_exports_expand(char *const *args, size_t nargs, bool allow_partial,
		      cr_selection *sel, cr_error *err);
void cr_selection_free(cr_selection *sel);

/* ---- completeness ----------------------------------------------------- */

/* How far the rows read reach in the periods a report shows. */
typedef struct cr_coverage {
	bool partial;           /* the period is covered in part */
	bool not_comparable;    /* so is it or the previous one: no change shown */
	char **notes;           /* one warning each, naming the days */
	size_t n_notes;
} cr_coverage;

/*
 * Checks that the rows of l cover every day of p and of the period before
 * it (when the rows reach into that one at all), and that the rows of each
 * billing period a manifest of sel declares (sel may be NULL) reach its
 * last day.  Each gap gets a note with the last day the data reaches.
 */
void cr_coverage_check(const cr_ledger *l, const cr_period *p, const cr_selection *sel,
		       cr_coverage *c);
void cr_coverage_free(cr_coverage *c);

/* Cost of choosing deliveries, for the benchmarks: listing passes (one per
 * folder or prefix walked), objects listed and manifests read. */
typedef struct cr_export_stats {
	int64_t listings, objects_listed, manifest_reads;
} cr_export_stats;
void cr_export_stats_get(cr_export_stats *out);

#endif
