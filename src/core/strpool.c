/* strpool.c - see costrank/strpool.h */
#include "costrank/strpool.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "costrank/error.h"

#define BLOCK (256u * 1024u)

struct block {
	struct block *next;
	size_t used, size;
	char data[];
};

struct slot {
	uint64_t hash;
	const char *s;            /* NULL: empty */
};

struct cr_strpool {
	struct block *head;       /* the block being filled first */
	size_t bytes;
	struct slot *slots;       /* interned strings, open addressing */
	size_t nslots, n;         /* power of two; in use */
};

cr_strpool *cr_strpool_new(void)
{
	cr_strpool *p = cr_xmalloc(sizeof *p);

	memset(p, 0, sizeof *p);
	return p;
}

void cr_strpool_free(cr_strpool *p)
{
	if (!p)
		return;
	for (struct block *b = p->head, *next; b; b = next) {
		next = b->next;
		free(b);
	}
	free(p->slots);
	free(p);
}

const char *cr_strpool_copy(cr_strpool *p, const char *s, size_t n)
{
	struct block *b = p->head;
	char *out;

	if (!b || b->size - b->used < n + 1) {
		/* a string larger than a block gets one of its own, behind the
		 * block being filled so that its free space is not lost */
		size_t size = n + 1 > BLOCK / 4 ? n + 1 : BLOCK;
		struct block *nb = cr_xmalloc(sizeof *nb + size);
		nb->used = 0;
		nb->size = size;
		p->bytes += sizeof *nb + size;
		if (b && size != BLOCK) {
			nb->next = b->next;
			b->next = nb;
		} else {
			nb->next = b;
			p->head = nb;
		}
		b = nb;
	}
	out = b->data + b->used;
	if (n)
		memcpy(out, s, n);
	out[n] = '\0';
	b->used += n + 1;
	return out;
}

static uint64_t hash_str(const char *s, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */

	for (size_t i = 0; i < n; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ull;
	return h;
}

static void grow(cr_strpool *p)
{
	size_t nslots = p->nslots ? p->nslots * 2 : 1024;
	struct slot *v = cr_xcalloc(nslots, sizeof *v);

	for (size_t i = 0; i < p->nslots; i++) {
		if (!p->slots[i].s)
			continue;
		size_t j = (size_t)p->slots[i].hash & (nslots - 1);
		while (v[j].s)
			j = (j + 1) & (nslots - 1);
		v[j] = p->slots[i];
	}
	p->bytes += (nslots - p->nslots) * sizeof *v;
	free(p->slots);
	p->slots = v;
	p->nslots = nslots;
}

const char *cr_strpool_intern(cr_strpool *p, const char *s)
{
	size_t n, j;
	uint64_t h;

	if (!s)
		s = "";
	n = strlen(s);
	h = hash_str(s, n);
	if ((p->n + 1) * 4 > p->nslots * 3)
		grow(p);
	for (j = (size_t)h & (p->nslots - 1); p->slots[j].s; j = (j + 1) & (p->nslots - 1))
		if (p->slots[j].hash == h && strcmp(p->slots[j].s, s) == 0)
			return p->slots[j].s;
	p->slots[j].hash = h;
	p->slots[j].s = cr_strpool_copy(p, s, n);
	p->n++;
	return p->slots[j].s;
}

size_t cr_strpool_bytes(const cr_strpool *p)
{
	return p ? p->bytes : 0;
}
