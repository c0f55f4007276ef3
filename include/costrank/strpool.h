/*
 * strpool.h - strings that live as long as their pool: copies in large
 * blocks (no allocation per string) and, for the strings many records
 * share (rule texts, account and service names), one copy per distinct
 * string.  Freed all at once.
 */
#ifndef COSTRANK_STRPOOL_H
#define COSTRANK_STRPOOL_H

#include <stddef.h>

typedef struct cr_strpool cr_strpool;

cr_strpool *cr_strpool_new(void);
void cr_strpool_free(cr_strpool *p);

/* A copy of the n bytes at s, NUL-terminated. */
const char *cr_strpool_copy(cr_strpool *p, const char *s, size_t n);

/* The pool's one copy of s (NULL is ""); equal strings give one pointer. */
const char *cr_strpool_intern(cr_strpool *p, const char *s);

/* Bytes held, blocks and table included. */
size_t cr_strpool_bytes(const cr_strpool *p);

#endif
