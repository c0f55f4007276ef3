/*
 * provenance.h - what a pull from an API or a SQL engine did, recorded with
 * the ledger's inputs (ledger.h: cr_ledger_provenance) so that the report
 * can say it without a source knowing the report.
 *
 * Sources fill it; the command layer copies it into the report model.
 * File sources leave it empty.
 */
#ifndef COSTRANK_PROVENANCE_H
#define COSTRANK_PROVENANCE_H

#include <stdbool.h>
#include <stddef.h>

#include "costrank/date.h"
#include "costrank/error.h"

/* What a SQL source (Athena, PostgreSQL/Redshift) pushed down. */
typedef struct cr_pushdown {
	bool used;                /* the data comes from a SQL engine */
	int queries;
	unsigned long long rows;  /* aggregated rows pulled back */
	unsigned long long line_items; /* line items those rows sum */
	long long scanned_bytes;  /* Athena: data scanned; -1 when the engine does not say */
	long long billed_bytes;   /* Athena: bytes billed (10 MB minimum per query); -1 */
} cr_pushdown;

#define CR_PUSHDOWN_INIT { false, 0, 0, 0, -1, -1 }

typedef struct cr_provenance {
	long paid_requests;       /* billed API requests (Cost Explorer) */
	long cached_requests;     /* requests answered from the cache */
	bool estimated;           /* figures of the period are not final */
	bool partial;             /* the pull failed; what it got was kept */
	cr_error failure;         /* why, when partial */
	cr_day data_through;      /* the last day the data covers, or 0 */
	char **notes;             /* warnings for the report, in order, distinct */
	size_t n_notes;
	char **messages;          /* warnings for stderr only (the cache...) */
	size_t n_messages;
	cr_pushdown pushdown;
} cr_provenance;

#define CR_PROVENANCE_INIT { 0, 0, false, false, { 0, "" }, 0, NULL, 0, NULL, 0, \
			     CR_PUSHDOWN_INIT }

/* Adds a note for the report or a message for stderr (printf style; a text
 * already recorded is not added twice). */
void cr_provenance_note(cr_provenance *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void cr_provenance_message(cr_provenance *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Frees the notes and messages; *p is then empty. */
void cr_provenance_free(cr_provenance *p);

#endif
