/* line_ids.c - see line_ids.h */
#include "sources/line_ids.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "costrank/error.h"

#define SLOTS (2 * CR_LINE_IDS_BUDGET)   /* open addressing, at most half full */

struct cr_line_ids {
	pthread_mutex_t mu;
	uint64_t *fp;            /* SLOTS; 0 marks an empty slot */
	uint32_t *input;
	size_t count;
	int level;               /* fingerprints kept: low `level` bits zero */
	bool overlap;
	uint32_t a, b;           /* the lowest pair of inputs sharing one */
};

cr_line_ids *cr_line_ids_new(void)
{
	cr_line_ids *t = cr_xcalloc(1, sizeof *t);

	pthread_mutex_init(&t->mu, NULL);
	t->fp = cr_xcalloc(SLOTS, sizeof *t->fp);
	t->input = cr_xcalloc(SLOTS, sizeof *t->input);
	return t;
}

void cr_line_ids_free(cr_line_ids *t)
{
	if (!t)
		return;
	pthread_mutex_destroy(&t->mu);
	free(t->fp);
	free(t->input);
	free(t);
}

/* The murmur3 finaliser: every bit of the hash depends on every input bit,
 * so the low bits sample evenly. */
static uint64_t mix(uint64_t h)
{
	h ^= h >> 33;
	h *= UINT64_C(0xff51afd7ed558ccd);
	h ^= h >> 33;
	h *= UINT64_C(0xc4ceb9fe1a85ec53);
	h ^= h >> 33;
	return h ? h : 1;    /* 0 marks an empty slot */
}

static bool kept(uint64_t fp, int level)
{
	return (fp & ((UINT64_C(1) << level) - 1)) == 0;
}

static void note_pair(cr_line_ids *t, uint32_t x, uint32_t y)
{
	uint32_t a = x < y ? x : y, b = x < y ? y : x;

	if (!t->overlap || a < t->a || (a == t->a && b < t->b)) {
		t->overlap = true;
		t->a = a;
		t->b = b;
	}
}

/* Inserts under the lock; returns whether the table grew. */
static bool insert(cr_line_ids *t, uint64_t fp, uint32_t input)
{
	size_t i = (size_t)(fp >> 20) & (SLOTS - 1);

	while (t->fp[i]) {
		if (t->fp[i] == fp) {
			if (t->input[i] != input)
				note_pair(t, t->input[i], input);
			return false;
		}
		i = (i + 1) & (SLOTS - 1);
	}
	t->fp[i] = fp;
	t->input[i] = input;
	t->count++;
	return true;
}

/* The table is full: keep half the sample (the next bit zero) and rebuild. */
static void raise_level(cr_line_ids *t)
{
	uint64_t *fp = t->fp;
	uint32_t *in = t->input;

	t->level++;
	t->fp = cr_xcalloc(SLOTS, sizeof *t->fp);
	t->input = cr_xcalloc(SLOTS, sizeof *t->input);
	t->count = 0;
	for (size_t i = 0; i < SLOTS; i++)
		if (fp[i] && kept(fp[i], t->level))
			insert(t, fp[i], in[i]);
	free(fp);
	free(in);
}

void line_ids_flush(struct line_id_buf *b)
{
	cr_line_ids *t = b->t;

	if (!t || !b->n)
		return;
	pthread_mutex_lock(&t->mu);
	for (size_t i = 0; i < b->n; i++) {
		if (!kept(b->v[i], t->level))
			continue;
		insert(t, b->v[i], b->input);
		while (t->count >= CR_LINE_IDS_BUDGET)
			raise_level(t);
	}
	pthread_mutex_unlock(&t->mu);
	b->n = 0;
}

void line_ids_add(struct line_id_buf *b, uint64_t fingerprint)
{
	if (!b->t)
		return;
	b->v[b->n++] = mix(fingerprint);
	if (b->n == sizeof b->v / sizeof b->v[0])
		line_ids_flush(b);
}

struct line_id_buf *line_ids_buf_new(cr_line_ids *t, uint32_t input)
{
	struct line_id_buf *b;

	if (!t)
		return NULL;
	b = cr_xmalloc(sizeof *b);
	b->t = t;
	b->input = input;
	b->n = 0;
	return b;
}

void line_ids_buf_done(struct line_id_buf *b)
{
	if (!b)
		return;
	line_ids_flush(b);
	free(b);
}

bool cr_line_ids_overlap(cr_line_ids *t, uint32_t *a, uint32_t *b)
{
	bool found;

	pthread_mutex_lock(&t->mu);
	found = t->overlap;
	*a = t->a;
	*b = t->b;
	pthread_mutex_unlock(&t->mu);
	return found;
}

int cr_line_ids_level(cr_line_ids *t)
{
	int level;

	pthread_mutex_lock(&t->mu);
	level = t->level;
	pthread_mutex_unlock(&t->mu);
	return level;
}
