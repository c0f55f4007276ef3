/*
 * line_ids.h - the line items seen in each input of a run, as fingerprints,
 * to find two inputs that hold the same line items: two exports of the same
 * spend (billing_read.c).  Internal to src/sources.
 *
 * A fingerprint is a 64-bit hash of a CUR line's identity_line_item_id and
 * identity_time_interval.  The table keeps at most CR_LINE_IDS_BUDGET of
 * them (12 bytes each, 12 MiB with its slack): when a run holds more, only
 * the fingerprints whose low `level` bits are zero are kept, the level
 * rising one step each time the table fills, so every input is sampled
 * alike and an overlap of k line items is still found unless all k fall
 * outside the sample: a chance of (1 - 2^-level)^k.
 *
 * Readers collect fingerprints in a buffer of their own (struct
 * line_id_buf) and flush it into the shared table under its lock.
 */
#ifndef COSTRANK_SOURCES_LINE_IDS_H
#define COSTRANK_SOURCES_LINE_IDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CR_LINE_IDS_BUDGET (1u << 19)   /* fingerprints kept at most */

typedef struct cr_line_ids cr_line_ids;

cr_line_ids *cr_line_ids_new(void);
void cr_line_ids_free(cr_line_ids *t);

/* A reader's buffer: the input it reads and fingerprints not yet flushed. */
struct line_id_buf {
	cr_line_ids *t;          /* NULL: nothing is collected */
	uint32_t input;          /* the input's index */
	size_t n;
	uint64_t v[1024];
};

/* A buffer for input `input` of t, or NULL when t is NULL; done flushes
 * and frees it. */
struct line_id_buf *line_ids_buf_new(cr_line_ids *t, uint32_t input);
void line_ids_buf_done(struct line_id_buf *b);

void line_ids_add(struct line_id_buf *b, uint64_t fingerprint);
void line_ids_flush(struct line_id_buf *b);

/* Whether two inputs share a fingerprint: the lowest such pair (a < b). */
bool cr_line_ids_overlap(cr_line_ids *t, uint32_t *a, uint32_t *b);
/* The sampling level in force (0: every line item was kept). */
int cr_line_ids_level(cr_line_ids *t);

#endif
