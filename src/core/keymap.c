/* keymap.c - see costrank/keymap.h */
#include "costrank/keymap.h"

#include <stdlib.h>

#include "costrank/error.h"

static uint64_t hash3(uint32_t a, uint32_t b, uint32_t c)
{
	uint64_t h = a * 0x9e3779b97f4a7c15ull;
	h ^= (b + 0x632be59bull) * 0xbf58476d1ce4e5b9ull;
	h ^= (c + 0x1b873593ull) * 0x94d049bb133111ebull;
	return h ^ (h >> 31);
}

static void rehash(cr_keymap *m, size_t nslots)
{
	free(m->slots);
	m->slots = cr_xcalloc(nslots, sizeof *m->slots);
	m->nslots = nslots;
	for (size_t i = 0; i < m->n; i++) {
		size_t j = hash3(m->keys[i][0], m->keys[i][1], m->keys[i][2]) & (nslots - 1);
		while (m->slots[j])
			j = (j + 1) & (nslots - 1);
		m->slots[j] = (uint32_t)i + 1;
	}
}

size_t cr_keymap_get(cr_keymap *m, uint32_t a, uint32_t b, uint32_t c, bool *added)
{
	size_t mask, j;

	if (!m->nslots)
		rehash(m, 1024);
	mask = m->nslots - 1;
	for (j = hash3(a, b, c) & mask; m->slots[j]; j = (j + 1) & mask) {
		uint32_t *k = m->keys[m->slots[j] - 1];
		if (k[0] == a && k[1] == b && k[2] == c) {
			*added = false;
			return m->slots[j] - 1;
		}
	}
	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 256;
		m->keys = cr_xrealloc(m->keys, m->cap * sizeof *m->keys);
	}
	m->keys[m->n][0] = a;
	m->keys[m->n][1] = b;
	m->keys[m->n][2] = c;
	m->slots[j] = (uint32_t)++m->n;
	if (m->n * 2 > m->nslots)
		rehash(m, m->nslots * 2);
	*added = true;
	return m->n - 1;
}

void cr_keymap_release(cr_keymap *m)
{
	free(m->keys);
	free(m->slots);
	m->keys = NULL;
	m->slots = NULL;
	m->n = m->cap = m->nslots = 0;
}
