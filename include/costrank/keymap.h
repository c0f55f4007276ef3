/*
 * keymap.h - an open-addressing map from (a, b, c) symbol triples to dense
 * indexes 0..n-1, for grouping ledger entries by account, service and
 * usage type.  The caller keeps its per-key data in an array indexed by
 * the returned index.
 */
#ifndef COSTRANK_KEYMAP_H
#define COSTRANK_KEYMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct cr_keymap {
	uint32_t (*keys)[3];   /* keys[i] for index i */
	size_t n, cap;
	uint32_t *slots;       /* index + 1; 0 = empty */
	size_t nslots;         /* power of two */
} cr_keymap;

#define CR_KEYMAP_INIT { NULL, 0, 0, NULL, 0 }

/* The index of (a, b, c), added when absent (*added set accordingly). */
size_t cr_keymap_get(cr_keymap *m, uint32_t a, uint32_t b, uint32_t c, bool *added);
void cr_keymap_release(cr_keymap *m);

#endif
