/*
 * hint.h - "did you mean" hints for mistyped names (options, rule keys,
 * actions, environments).
 */
#ifndef COSTRANK_HINT_H
#define COSTRANK_HINT_H

#include <stddef.h>

/* Levenshtein distance between a and b; names of 63 bytes or more count
 * as far apart (a large number). */
size_t cr_edit_distance(const char *a, const char *b);

#endif
