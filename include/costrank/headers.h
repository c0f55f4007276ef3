/*
 * headers.h - an ordered list of HTTP header fields.
 *
 *   cr_headers h = CR_HEADERS_INIT;
 *   cr_headers_add(&h, "Content-Type", "application/x-amz-json-1.1");
 *   cr_headers_set(&h, "X-Amz-Date", date);
 *   ...
 *   cr_headers_free(&h);
 *
 * The list keeps the order fields were added in and allows repeated names
 * (SigV4 joins repeated fields with ','; HTTP sends each one).  Names are
 * compared case-insensitively.  The list owns copies of every name and
 * value; values may be secrets (X-Amz-Security-Token, Authorization), so
 * they are wiped before their memory is released.
 */
#ifndef COSTRANK_HEADERS_H
#define COSTRANK_HEADERS_H

#include <stddef.h>

typedef struct cr_header {
	char *name;
	char *value;
} cr_header;

typedef struct cr_headers {
	cr_header *v;  /* NULL while empty */
	size_t n;      /* fields in use */
	size_t cap;    /* fields allocated */
} cr_headers;

#define CR_HEADERS_INIT { NULL, 0, 0 }

/* Appends a field; an existing field of the same name stays. */
void cr_headers_add(cr_headers *h, const char *name, const char *value);
void cr_headers_addn(cr_headers *h, const char *name, size_t name_len,
		     const char *value, size_t value_len);

/* Removes every field called name, then appends name: value. */
void cr_headers_set(cr_headers *h, const char *name, const char *value);

/* Removes every field called name; returns how many there were. */
size_t cr_headers_remove(cr_headers *h, const char *name);

/* The value of the first field called name, or NULL. */
const char *cr_headers_get(const cr_headers *h, const char *name);

/* Removes every field (wiping values) but keeps the array. */
void cr_headers_reset(cr_headers *h);

/* Wipes the values and releases everything; h is empty afterwards. */
void cr_headers_free(cr_headers *h);

/* Overwrites n bytes at p with zeros in a way the compiler keeps. */
void cr_wipe(void *p, size_t n);

/* Wipes the string s (up to its NUL) and frees it; s may be NULL. */
void cr_free_secret(char *s);

#endif
