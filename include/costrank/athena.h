/*
 * athena.h - the aggregation queries of sql_source.h run on Amazon Athena.
 *
 *   cr_athena_opts a = { .database = "cur", .workgroup = "primary", ... };
 *   cr_athena_stats st;
 *   if (cr_athena_pull(ledger, &a, &pull_opts, &out, &st, &err) < 0) ...
 *
 * Per query: StartQueryExecution with a ClientRequestToken (a retried
 * start cannot run the query twice), GetQueryExecution polled with backoff
 * until SUCCEEDED, FAILED or CANCELLED (Athena's own message is kept), and
 * GetQueryResults page by page (the first row of the first page is the
 * header).  Every call is SigV4-signed (service "athena") with credentials
 * of the AWS CLI chain, and retried on throttling and 5xx answers.
 */
#ifndef COSTRANK_ATHENA_H
#define COSTRANK_ATHENA_H

#include <stdint.h>

#include "costrank/error.h"
#include "costrank/ledger.h"
#include "costrank/sql_source.h"

/* Athena's price: USD 5 per TB (10^12 bytes) scanned, at least 10 MB per query. */
#define CR_ATHENA_USD_PER_TB 5
#define CR_ATHENA_MIN_BYTES (10ull * 1000 * 1000)

typedef struct cr_athena_opts {
	const char *endpoint_url;     /* NULL: https://athena.REGION.amazonaws.com */
	const char *region;           /* NULL: AWS_REGION, AWS_DEFAULT_REGION, us-east-1 */
	const char *profile;          /* NULL: the chain's default */
	const char *database;         /* the Glue database of the table */
	const char *workgroup;        /* NULL: the account's primary */
	const char *output;           /* s3://... result location, or NULL */
	long poll_cap_ms;             /* longest pause between polls; 0: 5000 */
	long max_wait_ms;             /* give up a query after this; 0: 30 minutes */
} cr_athena_opts;

typedef struct cr_athena_stats {
	uint64_t scanned_bytes;       /* DataScannedInBytes, summed */
	uint64_t billed_bytes;        /* with the 10 MB minimum per query */
	int calls;                    /* HTTP calls answered 200 */
} cr_athena_stats;

/*
 * cr_sql_pull on Athena.  0, or -1 with err set: CR_EXIT_AUTH for
 * credentials and refused signatures, CR_EXIT_REMOTE for Athena's errors
 * (a FAILED or CANCELLED query with its reason), CR_EXIT_USAGE for a bad
 * endpoint URL.
 */
int cr_athena_pull(cr_ledger *l, const cr_athena_opts *a, const cr_sql_pull_opts *o,
		   cr_sql_outcome *out, cr_athena_stats *st, cr_error *err);

#endif
