/*
 * billing_file.h - the file source: billing exports streamed into a ledger.
 *
 * Reads AWS CUR 2.0 (Data Exports), legacy CUR and FOCUS 1.0-1.2 files,
 * plain or gzipped, whatever their names.  The format is recognised from
 * the header row; columns are found by name (case-insensitive) in any order
 * among any number of others, and only the needed ones are looked at.
 * Rows are reduced to ledger keys (account, Cost Explorer service name,
 * usage type, UTC day, line kind) as they stream past.
 */
#ifndef COSTRANK_BILLING_FILE_H
#define COSTRANK_BILLING_FILE_H

#include <stddef.h>
#include <stdint.h>

#include "costrank/csv.h"
#include "costrank/error.h"
#include "costrank/ledger.h"

enum cr_format {
	CR_FORMAT_UNKNOWN = 0,
	CR_FORMAT_CUR2,   /* "cur2": CUR 2.0 / Data Exports, snake_case */
	CR_FORMAT_CUR,    /* "cur": legacy CUR, lineItem/UsageAccountId... */
	CR_FORMAT_FOCUS   /* "focus": FOCUS 1.0-1.2 */
};
const char *cr_format_name(enum cr_format f);
const char *cr_format_title(enum cr_format f); /* "CUR 2.0", "legacy CUR", "FOCUS" */

/* Column positions of a recognised header; -1 where absent. */
typedef struct cr_columns {
	enum cr_format format;
	size_t nfields;
	int account_id, account_name, line_type, start, product_code,
	    product_name, product_map, usage_type, usage_amount, currency, unit,
	    unit_alt, pricing_term, env_tag, tags_map;
	int unblended, amortized;                 /* FOCUS BilledCost / EffectiveCost */
	int ri_effective, ri_unused_upfront, ri_unused_recurring, ri_arn;
	int sp_effective, sp_total_commitment, sp_used_commitment;
	int charge_category, charge_class, pricing_category, commitment_type,
	    commitment_id, service_name, billing_account_id, usage_alt1,
	    usage_alt2, usage_alt3, usage_alt4;
	int line_id, time_interval;               /* CUR identity: overlap check */
	int operation;                            /* "RunInstances:0002": the platform */
} cr_columns;

/*
 * Recognises the header row.  Returns 0, or -1 with err set
 * (CR_EXIT_INPUT) naming path and either the columns a nearly recognised
 * format lacks or, for an unknown header, the columns that were looked for.
 */
int cr_columns_detect(cr_columns *cols, const cr_field *fields, size_t n,
		      const char *path, cr_error *err);

/*
 * Streams one file into the ledger (the ledger's metric decides which cost
 * is read).  On error returns -1 with err set (CR_EXIT_INPUT) and a message
 * "PATH:LINE: ..."; the ledger then holds a partial file and must not be
 * reported.  *format receives the detected format.
 */
int cr_billing_file_read(cr_ledger *l, const char *path, enum cr_format *format,
			 cr_error *err);

/*
 * Progress of cr_billing_files_read: bytes of the input files consumed so
 * far (compressed bytes for gzip) and their total size, or -1 when a size
 * is unknown (standard input, a pipe).
 */
typedef void cr_read_progress_fn(void *ctx, int64_t done, int64_t total);

/*
 * Streams several files into the ledger and checks that they are all of
 * one format ("A is CUR 2.0 but B is FOCUS: ...") and, for CUR, that no
 * two hold the same line items (identity_line_item_id and
 * identity_time_interval, as fingerprints: src/sources/line_ids.h): two
 * exports of the same spend are an error naming both files; *format receives it.
 * Up to `threads` files are read at once (0: the COSTRANK_THREADS
 * environment variable, else one per processor), each into a ledger of its
 * own that is merged in the order given (cr_ledger_merge), so the reports
 * never depend on timing, and an error is the one the first failing file
 * gives when the files are read in order with cr_billing_file_read.  A
 * single big plain file (64 MiB or more; COSTRANK_SPLIT_MIN, in bytes, for
 * tests) is read in two halves on two threads, with the same guarantees.
 * progress, when not NULL, is called on the calling thread about ten
 * times a second while files are read.  Returns 0, or -1 with err set.
 */
int cr_billing_files_read(cr_ledger *l, char *const *paths, size_t n, int threads,
			  cr_read_progress_fn *progress, void *ctx,
			  enum cr_format *format, cr_error *err);

#endif
