/* headers.c - see costrank/headers.h */
#include "costrank/headers.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>

#include "costrank/error.h"

void cr_wipe(void *p, size_t n)
{
	if (p && n)
		OPENSSL_cleanse(p, n);
}

void cr_free_secret(char *s)
{
	if (!s)
		return;
	cr_wipe(s, strlen(s));
	free(s);
}

void cr_headers_addn(cr_headers *h, const char *name, size_t name_len,
		     const char *value, size_t value_len)
{
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 8;
		h->v = cr_xrealloc(h->v, h->cap * sizeof *h->v);
	}
	h->v[h->n].name = cr_xstrndup(name, name_len);
	h->v[h->n].value = cr_xstrndup(value, value_len);
	h->n++;
}

void cr_headers_add(cr_headers *h, const char *name, const char *value)
{
	cr_headers_addn(h, name, strlen(name), value, strlen(value));
}

size_t cr_headers_remove(cr_headers *h, const char *name)
{
	size_t i, j, removed = 0;

	for (i = j = 0; i < h->n; i++) {
		if (strcasecmp(h->v[i].name, name) == 0) {
			free(h->v[i].name);
			cr_free_secret(h->v[i].value);
			removed++;
			continue;
		}
		h->v[j++] = h->v[i];
	}
	h->n = j;
	return removed;
}

void cr_headers_set(cr_headers *h, const char *name, const char *value)
{
	cr_headers_remove(h, name);
	cr_headers_add(h, name, value);
}

const char *cr_headers_get(const cr_headers *h, const char *name)
{
	for (size_t i = 0; i < h->n; i++)
		if (strcasecmp(h->v[i].name, name) == 0)
			return h->v[i].value;
	return NULL;
}

void cr_headers_reset(cr_headers *h)
{
	for (size_t i = 0; i < h->n; i++) {
		free(h->v[i].name);
		cr_free_secret(h->v[i].value);
	}
	h->n = 0;
}

void cr_headers_free(cr_headers *h)
{
	cr_headers_reset(h);
	free(h->v);
	h->v = NULL;
	h->cap = 0;
}
