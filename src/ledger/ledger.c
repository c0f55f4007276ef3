/* ledger.c - see costrank/ledger.h */
#include "costrank/ledger.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_CHUNK (64u * 1024u)
#define MAX_ENV_VALUES 4

struct arena_chunk {
	struct arena_chunk *next;
	size_t used, cap;
	char data[];
};

struct account_meta {
	cr_sym name;
	cr_sym env[MAX_ENV_VALUES];
	uint64_t env_rows[MAX_ENV_VALUES];
};

struct cr_ledger {
	enum cr_metric metric;
	cr_provenance provenance;
	/* dimensions: a ledger each, whose strings are the owner's */
	cr_ledger *owner;
	cr_dimension dims[CR_LEDGER_MAX_DIMS];
	cr_ledger *dim[CR_LEDGER_MAX_DIMS];
	size_t ndims;

	/* interned strings: strs[sym], open-addressing table of sym+1 */
	const char **strs;
	uint32_t *str_len;
	uint64_t *str_hash;
	size_t nstrs, strs_cap;
	uint32_t *str_table;
	size_t str_table_size;  /* power of two */
	struct arena_chunk *arena;

	/* entries and their open-addressing table of index+1 */
	cr_ledger_entry *entries;
	size_t nentries, entries_cap;
	uint32_t *entry_table;
	size_t entry_table_size;

	/* per account facts, indexed by the account's symbol */
	struct account_meta *meta;
	size_t meta_cap;

	/* commitment facts and their open-addressing table of index+1 */
	bool want_commit;
	cr_commit_entry *commit;
	size_t ncommit, commit_cap;
	uint32_t *commit_table;
	size_t commit_table_size;

	char currency[16];
	bool coarse;  /* entries are not daily (monthly aggregates) */

	cr_ledger_input *inputs;
	size_t ninputs;

	cr_ledger_rounding rounding;

	/* the resource dimension's table (set in its own ledger, dim[i]) and
	 * its open-addressing table of index+1 */
	bool is_resource;
	cr_ledger_resource *res;
	size_t nres, res_cap;
	uint32_t *res_table;
	size_t res_table_size;
	cr_day res_first, res_last;   /* the window; 0, 0: none (day 0 is 1970) */
	cr_day res_day, res_month;    /* the last day booked and its month */
	/* the last entry booked: consecutive lines of a resource hit it */
	size_t res_last_hit;
};

static const char *const kind_names[CR_KIND_COUNT] = {
	"usage", "spot", "ri-covered", "sp-covered", "sp-negation",
	"commitment-fee", "fee", "discount", "adjustment", "credit", "refund", "tax",
};

const char *cr_kind_name(enum cr_kind k)
{
	return (unsigned)k < CR_KIND_COUNT ? kind_names[k] : "?";
}

int cr_kind_excluded(enum cr_kind k)
{
	switch (k) {
	case CR_KIND_CREDIT: return CR_EXCL_CREDIT;
	case CR_KIND_REFUND: return CR_EXCL_REFUND;
	case CR_KIND_TAX: return CR_EXCL_TAX;
	default: return -1;
	}
}

bool cr_kind_is_usage(enum cr_kind k)
{
	return k == CR_KIND_USAGE || k == CR_KIND_SPOT ||
	       k == CR_KIND_RI_COVERED || k == CR_KIND_SP_COVERED;
}

static uint64_t hash_bytes(const char *s, size_t len)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ len;

	while (len >= 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 32;
		s += 8;
		len -= 8;
	}
	if (len) {
		uint64_t w = 0;
		memcpy(&w, s, len);
		h = (h ^ w) * 0xc4ceb9fe1a85ec53ull;
	}
	h ^= h >> 29;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 32;
	return h;
}

static uint64_t hash_key(const cr_ledger_key *k)
{
	uint64_t h = ((uint64_t)k->account << 32) | (k->service ^ (k->operation * 0x85ebca6bu));
	uint64_t g = ((uint64_t)k->usage_type << 32) |
		     ((uint32_t)k->day ^ (k->kind << 27) ^ (k->dim * 0x9e3779b1u));

	h *= 0x9e3779b97f4a7c15ull;
	h ^= g + 0x632be59bd9b4e019ull + (h << 6) + (h >> 2);
	h ^= h >> 31;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 29;
	return h;
}

static char *arena_alloc(cr_ledger *l, size_t n)
{
	struct arena_chunk *c = l->arena;

	if (!c || c->cap - c->used < n) {
		size_t cap = n > ARENA_CHUNK ? n : ARENA_CHUNK;
		c = cr_xmalloc(sizeof *c + cap);
		c->cap = cap;
		c->used = 0;
		c->next = l->arena;
		l->arena = c;
	}
	c->used += n;
	return c->data + c->used - n;
}

static void str_table_rehash(cr_ledger *l, size_t size)
{
	free(l->str_table);
	l->str_table = cr_xcalloc(size, sizeof *l->str_table);
	l->str_table_size = size;
	for (size_t i = 0; i < l->nstrs; i++) {
		size_t j = l->str_hash[i] & (size - 1);
		while (l->str_table[j])
			j = (j + 1) & (size - 1);
		l->str_table[j] = (uint32_t)i + 1;
	}
}

cr_sym cr_ledger_intern(cr_ledger *l, const char *s, size_t len)
{
	uint64_t h;
	size_t j, mask;
	char *copy;

	if (len == 0)
		return 0;
	if (l->owner)
		l = l->owner;
	h = hash_bytes(s, len);
	mask = l->str_table_size - 1;
	for (j = h & mask; l->str_table[j]; j = (j + 1) & mask) {
		uint32_t i = l->str_table[j] - 1;
		if (l->str_hash[i] == h && l->str_len[i] == len &&
		    memcmp(l->strs[i], s, len) == 0)
			return i;
	}
	if (l->nstrs == l->strs_cap) {
		l->strs_cap *= 2;
		l->strs = cr_xrealloc(l->strs, l->strs_cap * sizeof *l->strs);
		l->str_len = cr_xrealloc(l->str_len, l->strs_cap * sizeof *l->str_len);
		l->str_hash = cr_xrealloc(l->str_hash, l->strs_cap * sizeof *l->str_hash);
	}
	copy = arena_alloc(l, len + 1);
	memcpy(copy, s, len);
	copy[len] = '\0';
	l->strs[l->nstrs] = copy;
	l->str_len[l->nstrs] = (uint32_t)len;
	l->str_hash[l->nstrs] = h;
	l->str_table[j] = (uint32_t)l->nstrs + 1;
	l->nstrs++;
	if (l->nstrs * 2 > l->str_table_size)
		str_table_rehash(l, l->str_table_size * 2);
	return (cr_sym)(l->nstrs - 1);
}

const char *cr_ledger_str(const cr_ledger *l, cr_sym sym)
{
	if (l->owner)
		l = l->owner;
	return sym < l->nstrs ? l->strs[sym] : "";
}

cr_ledger *cr_ledger_new(enum cr_metric metric)
{
	cr_ledger *l = cr_xcalloc(1, sizeof *l);
	cr_provenance empty = CR_PROVENANCE_INIT;

	l->provenance = empty;

	l->metric = metric;
	l->strs_cap = 1024;
	l->strs = cr_xmalloc(l->strs_cap * sizeof *l->strs);
	l->str_len = cr_xmalloc(l->strs_cap * sizeof *l->str_len);
	l->str_hash = cr_xmalloc(l->strs_cap * sizeof *l->str_hash);
	l->strs[0] = "";
	l->str_len[0] = 0;
	l->str_hash[0] = 0;
	l->nstrs = 1;
	str_table_rehash(l, 4096);
	l->entry_table_size = 4096;
	l->entry_table = cr_xcalloc(l->entry_table_size, sizeof *l->entry_table);
	return l;
}

void cr_ledger_free(cr_ledger *l)
{
	if (!l)
		return;
	while (l->arena) {
		struct arena_chunk *next = l->arena->next;
		free(l->arena);
		l->arena = next;
	}
	free(l->strs);
	free(l->str_len);
	free(l->str_hash);
	free(l->str_table);
	free(l->entries);
	free(l->entry_table);
	free(l->res);
	free(l->res_table);
	free(l->commit);
	free(l->commit_table);
	free(l->meta);
	for (size_t i = 0; i < l->ninputs; i++) {
		free(l->inputs[i].name);
		free(l->inputs[i].format);
	}
	free(l->inputs);
	cr_provenance_free(&l->provenance);
	for (size_t i = 0; i < l->ndims; i++) {
		free((char *)l->dims[i].key);
		free((char *)l->dims[i].name);
		cr_ledger_free(l->dim[i]);
	}
	free(l);
}

enum cr_metric cr_ledger_metric(const cr_ledger *l)
{
	return l->metric;
}

static bool key_eq(const cr_ledger_key *a, const cr_ledger_key *b)
{
	return a->account == b->account && a->service == b->service &&
	       a->usage_type == b->usage_type && a->day == b->day &&
	       a->kind == b->kind && a->dim == b->dim && a->operation == b->operation;
}

static void entry_table_rehash(cr_ledger *l, size_t size)
{
	free(l->entry_table);
	l->entry_table = cr_xcalloc(size, sizeof *l->entry_table);
	l->entry_table_size = size;
	for (size_t i = 0; i < l->nentries; i++) {
		size_t j = hash_key(&l->entries[i].key) & (size - 1);
		while (l->entry_table[j])
			j = (j + 1) & (size - 1);
		l->entry_table[j] = (uint32_t)i + 1;
	}
}

/* The entry for key, created (zero) when absent. */
static cr_ledger_entry *entry_for(cr_ledger *l, const cr_ledger_key *key, cr_sym unit)
{
	if (!l->entry_table)  /* released (cr_ledger_release_index) */
		entry_table_rehash(l, l->entry_table_size);

	size_t mask = l->entry_table_size - 1;
	size_t j = hash_key(key) & mask;
	cr_ledger_entry *e;

	for (; l->entry_table[j]; j = (j + 1) & mask) {
		e = &l->entries[l->entry_table[j] - 1];
		if (key_eq(&e->key, key))
			return e;
	}
	if (l->nentries == l->entries_cap) {
		l->entries_cap = l->entries_cap ? l->entries_cap * 2 : 1024;
		l->entries = cr_xrealloc(l->entries, l->entries_cap * sizeof *l->entries);
	}
	e = &l->entries[l->nentries];
	memset(e, 0, sizeof *e);
	e->key = *key;
	e->unit = unit;
	l->entry_table[j] = (uint32_t)++l->nentries;
	if (l->nentries * 2 > l->entry_table_size) {
		entry_table_rehash(l, l->entry_table_size * 2);
		e = &l->entries[l->nentries - 1];
	}
	return e;
}

static int entry_add(cr_ledger *l, cr_ledger_entry *e, cr_dec cost, cr_dec quantity,
		     cr_sym unit, cr_error *err)
{
	if (cr_dec_acc(&e->cost, cost) || cr_dec_acc(&e->quantity, quantity))
		return cr_error_set(err, CR_EXIT_INPUT,
				    "sum overflows for account %s, usage type %s",
				    cr_ledger_str(l, e->key.account),
				    cr_ledger_str(l, e->key.usage_type));
	if (unit != e->unit) {
		if (!e->unit)
			e->unit = unit;
		else if (unit)
			e->unit_mixed = true;
	}
	return 0;
}

int cr_ledger_add(cr_ledger *l, const cr_ledger_key *key, cr_dec cost,
		  cr_dec quantity, cr_sym unit, cr_error *err)
{
	return entry_add(l, entry_for(l, key, unit), cost, quantity, unit, err);
}

void cr_ledger_release_index(cr_ledger *l)
{
	free(l->entry_table);
	l->entry_table = NULL;
}

const cr_ledger_entry *cr_ledger_entries(const cr_ledger *l, size_t *count)
{
	*count = l->nentries;
	return l->entries;
}

static struct account_meta *meta_for(cr_ledger *l, cr_sym account)
{
	if (account >= l->meta_cap) {
		size_t cap = l->meta_cap ? l->meta_cap : 256;
		while (cap <= account)
			cap *= 2;
		l->meta = cr_xrealloc(l->meta, cap * sizeof *l->meta);
		memset(l->meta + l->meta_cap, 0, (cap - l->meta_cap) * sizeof *l->meta);
		l->meta_cap = cap;
	}
	return &l->meta[account];
}

void cr_ledger_note_account_name(cr_ledger *l, cr_sym account, cr_sym name)
{
	struct account_meta *m;

	if (!name)
		return;
	m = meta_for(l, account);
	if (!m->name)
		m->name = name;
}

static void env_add(cr_ledger *l, cr_sym account, cr_sym env, uint64_t count);

void cr_ledger_note_environment(cr_ledger *l, cr_sym account, cr_sym env)
{
	if (env)
		env_add(l, account, env, 1);
}

cr_sym cr_ledger_account_name(const cr_ledger *l, cr_sym account)
{
	return account < l->meta_cap ? l->meta[account].name : 0;
}

cr_sym cr_ledger_account_environment(const cr_ledger *l, cr_sym account)
{
	const struct account_meta *m;
	int best = -1;

	if (account >= l->meta_cap)
		return 0;
	m = &l->meta[account];
	uint64_t total = 0;
	for (int i = 0; i < MAX_ENV_VALUES; i++)
		total += m->env_rows[i];
	for (int i = 0; i < MAX_ENV_VALUES; i++) {
		if (!m->env[i])
			continue;
		/* most rows wins; ties go to the alphabetically first value */
		if (best < 0 || m->env_rows[i] > m->env_rows[best] ||
		    (m->env_rows[i] == m->env_rows[best] &&
		     strcmp(l->strs[m->env[i]], l->strs[m->env[best]]) < 0))
			best = i;
	}
	/* a value that does not dominate the account's rows says nothing */
	if (best < 0 || m->env_rows[best] * 2 <= total)
		return 0;
	return m->env[best];
}

int cr_ledger_check_currency(cr_ledger *l, const char *cur, size_t len)
{
	if (len == 0)
		return 0;
	if (!l->currency[0]) {
		if (len >= sizeof l->currency)
			return -1;
		memcpy(l->currency, cur, len);
		l->currency[len] = '\0';
		return 0;
	}
	return strlen(l->currency) == len && memcmp(l->currency, cur, len) == 0 ? 0 : -1;
}

const char *cr_ledger_currency(const cr_ledger *l)
{
	return l->currency;
}

cr_ledger_input *cr_ledger_add_input(cr_ledger *l, const char *name, const char *format)
{
	cr_ledger_input *in;

	l->inputs = cr_xrealloc(l->inputs, (l->ninputs + 1) * sizeof *l->inputs);
	in = &l->inputs[l->ninputs++];
	in->name = cr_xstrdup(name);
	in->format = cr_xstrdup(format);
	in->rows = 0;
	return in;
}

const cr_ledger_input *cr_ledger_inputs(const cr_ledger *l, size_t *count)
{
	*count = l->ninputs;
	return l->inputs;
}

void cr_ledger_note_rounded(cr_ledger *l, bool cost, cr_i128 effect)
{
	if (cost) {
		l->rounding.costs++;
		l->rounding.cost_effect += effect;  /* each under 10^18: no overflow */
	} else {
		l->rounding.quantities++;
	}
}

cr_ledger_rounding cr_ledger_rounded(const cr_ledger *l)
{
	return l->rounding;
}

bool cr_ledger_day_range(const cr_ledger *l, cr_day *first, cr_day *last)
{
	if (!l->nentries)
		return false;
	*first = *last = l->entries[0].key.day;
	for (size_t i = 1; i < l->nentries; i++) {
		cr_day d = l->entries[i].key.day;
		if (d < *first)
			*first = d;
		if (d > *last)
			*last = d;
	}
	return true;
}

/* Adds count rows of environment env to the account's tally; with more
 * distinct values than slots, the rarest slot gives way. */
static void env_add(cr_ledger *l, cr_sym account, cr_sym env, uint64_t count)
{
	struct account_meta *m = meta_for(l, account);
	int min = 0;

	for (int i = 0; i < MAX_ENV_VALUES; i++) {
		if (m->env[i] == env || !m->env[i]) {
			m->env[i] = env;
			m->env_rows[i] += count;
			return;
		}
	}
	for (int i = 1; i < MAX_ENV_VALUES; i++)
		if (m->env_rows[i] < m->env_rows[min])
			min = i;
	m->env[min] = env;
	m->env_rows[min] = count;
}

/* Adds src's entries to dst's, src's symbols mapped to dst's by map. */
static int merge_entries(cr_ledger *dst, const cr_ledger *src, const cr_sym *map,
			 cr_error *err)
{
	for (size_t i = 0; i < src->nentries; i++) {
		const cr_ledger_entry *e = &src->entries[i];
		cr_ledger_key k = e->key;
		cr_ledger_entry *d;

		k.account = map[k.account];
		k.service = map[k.service];
		k.usage_type = map[k.usage_type];
		k.dim = map[k.dim];
		k.operation = map[k.operation];
		d = entry_for(dst, &k, map[e->unit]);
		if (entry_add(dst, d, e->cost, e->quantity, map[e->unit], err))
			return -1;
		d->unit_mixed |= e->unit_mixed;
	}
	return 0;
}

static int merge_resources(cr_ledger *dst, const cr_ledger *src, const cr_sym *map,
			   cr_error *err);

int cr_ledger_merge(cr_ledger *dst, const cr_ledger *src, cr_error *err)
{
	cr_sym *map = cr_xmalloc((src->nstrs ? src->nstrs : 1) * sizeof *map);

	for (size_t i = 0; i < src->nstrs; i++)
		map[i] = cr_ledger_intern(dst, src->strs[i], src->str_len[i]);
	if (merge_entries(dst, src, map, err)) {
		free(map);
		return -1;
	}
	for (size_t i = 0; i < src->ndims && i < dst->ndims; i++) {
		if (merge_entries(dst->dim[i], src->dim[i], map, err) ||
		    merge_resources(dst->dim[i], src->dim[i], map, err)) {
			free(map);
			return -1;
		}
	}
	for (size_t a = 0; a < src->meta_cap && a < src->nstrs; a++) {
		const struct account_meta *m = &src->meta[a];
		if (m->name)
			cr_ledger_note_account_name(dst, map[a], map[m->name]);
		for (int i = 0; i < MAX_ENV_VALUES; i++)
			if (m->env[i] && m->env_rows[i])
				env_add(dst, map[a], map[m->env[i]], m->env_rows[i]);
	}
	if (!dst->currency[0] && src->currency[0])
		memcpy(dst->currency, src->currency, sizeof dst->currency);
	for (size_t i = 0; i < src->ninputs; i++)
		cr_ledger_add_input(dst, src->inputs[i].name, src->inputs[i].format)->rows =
			src->inputs[i].rows;
	dst->coarse |= src->coarse;
	free(map);
	for (size_t i = 0; i < src->ncommit; i++) {
		const cr_commit_entry *x = &src->commit[i];
		if (cr_ledger_add_commit(dst, x->hour, x->platform, x->fact, x->amount, err))
			return -1;
	}
	return 0;
}

void cr_ledger_set_coarse(cr_ledger *l, bool coarse)
{
	l->coarse = coarse;
}

bool cr_ledger_is_daily(const cr_ledger *l)
{
	return !l->coarse;
}

/* An environment hinted by the account name: "larkspur-prod", "dev_sandbox". */
static const char *env_from_name(const char *name, const cr_accounts *accounts)
{
	char buf[128];
	char *save = NULL;

	snprintf(buf, sizeof buf, "%s", name);
	for (char *tok = strtok_r(buf, "-_. /", &save); tok; tok = strtok_r(NULL, "-_. /", &save)) {
		const char *env = cr_accounts_environment(accounts, tok);
		if (env)
			return env;
	}
	return NULL;
}

const char *cr_ledger_environment(const cr_ledger *l, cr_sym account,
				  const cr_accounts *accounts, const char **source)
{
	const cr_account_info *info = cr_accounts_find(accounts, cr_ledger_str(l, account));
	const char *name = info && info->name ? info->name
			   : cr_ledger_str(l, cr_ledger_account_name(l, account));
	const char *env, *src = "unknown";

	if (info && info->environment) {
		env = info->environment;
		src = "accounts-file";
	} else if ((env = cr_accounts_environment(accounts,
			    cr_ledger_str(l, cr_ledger_account_environment(l, account))))) {
		src = "tag";
	} else if ((env = env_from_name(name, accounts))) {
		src = "name";
	}
	if (source)
		*source = src;
	return env ? env : "";
}

cr_provenance *cr_ledger_provenance(cr_ledger *l)
{
	return &l->provenance;
}

const cr_provenance *cr_ledger_provenance_of(const cr_ledger *l)
{
	return &l->provenance;
}

/* ---- dimensions ------------------------------------------------------------ */

int cr_ledger_add_dimension(cr_ledger *l, enum cr_dim_kind kind, const char *key,
			    cr_error *err)
{
	static const char *const names[] = { "tag", "region", "resource", "cost-category" };
	bool keyed = kind == CR_DIM_TAG || kind == CR_DIM_COST_CATEGORY;
	size_t klen;
	char *name;

	if (!keyed)
		key = "";
	else if (!key || !*key)
		return cr_error_set(err, CR_EXIT_USAGE, "a %s dimension needs a key (%s:KEY)",
				    names[kind], names[kind]);
	for (size_t i = 0; i < l->ndims; i++)
		if (l->dims[i].kind == kind && strcmp(l->dims[i].key, key) == 0)
			return (int)i;
	if (l->ndims == CR_LEDGER_MAX_DIMS)
		return cr_error_set(err, CR_EXIT_USAGE, "at most %d dimensions can be asked for",
				    CR_LEDGER_MAX_DIMS);
	klen = strlen(key);
	name = cr_xmalloc(klen + 16);
	if (keyed)
		snprintf(name, klen + 16, "%s:%s", names[kind], key);
	else
		snprintf(name, klen + 16, "%s", names[kind]);
	l->dims[l->ndims].kind = kind;
	l->dims[l->ndims].key = cr_xstrdup(key);
	l->dims[l->ndims].name = name;
	l->dim[l->ndims] = cr_ledger_new(l->metric);
	l->dim[l->ndims]->owner = l;
	l->dim[l->ndims]->is_resource = kind == CR_DIM_RESOURCE;
	l->dim[l->ndims]->res_first = l->res_first;
	l->dim[l->ndims]->res_last = l->res_last;
	return (int)l->ndims++;
}

size_t cr_ledger_dimension_count(const cr_ledger *l)
{
	return l->ndims;
}

const cr_dimension *cr_ledger_dimension(const cr_ledger *l, size_t i)
{
	return i < l->ndims ? &l->dims[i] : NULL;
}

bool cr_ledger_has_dimension(const cr_ledger *l, enum cr_dim_kind kind)
{
	for (size_t i = 0; i < l->ndims; i++)
		if (l->dims[i].kind == kind)
			return true;
	return false;
}

cr_ledger *cr_ledger_new_like(const cr_ledger *l)
{
	cr_ledger *n = cr_ledger_new(l->metric);

	n->res_first = l->res_first;
	n->res_last = l->res_last;
	for (size_t i = 0; i < l->ndims; i++)
		cr_ledger_add_dimension(n, l->dims[i].kind, l->dims[i].key, NULL);
	n->want_commit = l->want_commit;
	return n;
}

/* ---- resources -------------------------------------------------------------- */

static uint64_t hash_res(const cr_ledger_resource *x)
{
	uint64_t h = ((uint64_t)x->account << 32) | x->service;
	uint64_t g = ((uint64_t)x->usage_type << 32) | x->resource;

	h *= 0x9e3779b97f4a7c15ull;
	h ^= g * 0xc2b2ae3d27d4eb4full + ((uint64_t)(uint32_t)x->month << 8) + x->kind;
	h ^= h >> 31;
	h *= 0xbf58476d1ce4e5b9ull;
	h ^= h >> 29;
	return h;
}

static bool res_eq(const cr_ledger_resource *a, const cr_ledger_resource *b)
{
	return a->resource == b->resource && a->usage_type == b->usage_type &&
	       a->service == b->service && a->account == b->account &&
	       a->month == b->month && a->kind == b->kind;
}

static void res_rehash(cr_ledger *l, size_t size)
{
	free(l->res_table);
	l->res_table = cr_xcalloc(size, sizeof *l->res_table);
	l->res_table_size = size;
	for (size_t i = 0; i < l->nres; i++) {
		size_t j = hash_res(&l->res[i]) & (size - 1);
		while (l->res_table[j])
			j = (j + 1) & (size - 1);
		l->res_table[j] = (uint32_t)i + 1;
	}
}

/* Adds x's cost and days to its entry (created when absent). */
static int res_book(cr_ledger *l, const cr_ledger_resource *x, cr_error *err)
{
	cr_ledger_resource *e;
	size_t mask, j;

	if (l->nres) {
		e = &l->res[l->res_last_hit];
		if (res_eq(e, x))
			goto found;
	}
	if (!l->res_table)
		res_rehash(l, 1024);
	mask = l->res_table_size - 1;
	for (j = hash_res(x) & mask; l->res_table[j]; j = (j + 1) & mask) {
		e = &l->res[l->res_table[j] - 1];
		if (res_eq(e, x)) {
			l->res_last_hit = l->res_table[j] - 1;
			goto found;
		}
	}
	if (l->nres == UINT32_MAX - 1)
		return cr_error_set(err, CR_EXIT_INPUT, "more than %u resource entries",
				    UINT32_MAX - 1);
	if (l->nres == l->res_cap) {
		l->res_cap = l->res_cap ? l->res_cap + l->res_cap / 2 : 256;
		l->res = cr_xrealloc(l->res, l->res_cap * sizeof *l->res);
	}
	l->res[l->nres] = *x;
	l->res_table[j] = (uint32_t)l->nres + 1;
	l->res_last_hit = l->nres++;
	if (l->nres * 2 > l->res_table_size)
		res_rehash(l, l->res_table_size * 2);
	return 0;
found:
	if (cr_dec_acc(&e->cost, x->cost))
		return cr_error_set(err, CR_EXIT_INPUT, "sum overflows for account %s, usage "
				    "type %s, resource %s", cr_ledger_str(l, x->account),
				    cr_ledger_str(l, x->usage_type), cr_ledger_str(l, x->resource));
	if (x->first < e->first)
		e->first = x->first;
	if (x->last > e->last)
		e->last = x->last;
	return 0;
}

static int resource_add(cr_ledger *l, const cr_ledger_key *key, cr_sym value, cr_dec cost,
			cr_error *err)
{
	cr_ledger_resource x;

	if (l->res_first && (key->day < l->res_first || key->day > l->res_last))
		return 0;
	memset(&x, 0, sizeof x);
	x.account = key->account;
	x.service = key->service;
	x.usage_type = key->usage_type;
	x.resource = value;
	if (key->day != l->res_day) {    /* one month lookup per run of a day */
		l->res_day = key->day;
		l->res_month = cr_month_first(key->day);
	}
	x.month = l->res_month;
	x.kind = key->kind;
	x.first = x.last = key->day;
	x.cost = cost;
	return res_book(l, &x, err);
}

static int merge_resources(cr_ledger *dst, const cr_ledger *src, const cr_sym *map,
			   cr_error *err)
{
	for (size_t i = 0; i < src->nres; i++) {
		cr_ledger_resource x = src->res[i];

		x.account = map[x.account];
		x.service = map[x.service];
		x.usage_type = map[x.usage_type];
		x.resource = map[x.resource];
		if (res_book(dst, &x, err))
			return -1;
	}
	return 0;
}

void cr_ledger_set_resource_window(cr_ledger *l, cr_day first, cr_day last)
{
	l->res_first = first;
	l->res_last = last;
	for (size_t i = 0; i < l->ndims; i++) {
		l->dim[i]->res_first = first;
		l->dim[i]->res_last = last;
	}
}

void cr_ledger_release_resources(cr_ledger *l)
{
	for (size_t i = 0; i < l->ndims; i++) {
		cr_ledger *d = l->dim[i];
		if (!d->is_resource)
			continue;
		free(d->res);
		free(d->res_table);
		d->res = NULL;
		d->res_table = NULL;
		d->nres = d->res_cap = d->res_table_size = d->res_last_hit = 0;
	}
}

const cr_ledger_resource *cr_ledger_resources(const cr_ledger *l, size_t *count)
{
	for (size_t i = 0; i < l->ndims; i++)
		if (l->dim[i]->is_resource) {
			*count = l->dim[i]->nres;
			return l->dim[i]->res;
		}
	*count = 0;
	return NULL;
}

int cr_ledger_add_dim(cr_ledger *l, size_t i, const cr_ledger_key *key, cr_sym value,
		      cr_dec cost, cr_error *err)
{
	cr_ledger_key k = *key;

	if (l->dim[i]->is_resource)
		return resource_add(l->dim[i], key, value, cost, err);
	k.dim = value;
	return cr_ledger_add(l->dim[i], &k, cost, CR_DEC_ZERO, 0, err);
}

const cr_ledger_entry *cr_ledger_dim_entries(const cr_ledger *l, size_t i, size_t *count)
{
	if (i >= l->ndims) {
		*count = 0;
		return NULL;
	}
	return cr_ledger_entries(l->dim[i], count);
}

/* ---- commitment facts --------------------------------------------------- */

void cr_ledger_want_commitments(cr_ledger *l)
{
	l->want_commit = true;
}

bool cr_ledger_wants_commitments(const cr_ledger *l)
{
	return l->want_commit;
}

static uint64_t commit_hash(int64_t hour, unsigned platform, unsigned fact)
{
	uint64_t h = ((uint64_t)hour << 8 | platform << 4 | fact) * 0x9E3779B97F4A7C15ULL;
	return h ^ (h >> 29);
}

static void commit_rehash(cr_ledger *l)
{
	size_t size = l->commit_table_size ? l->commit_table_size * 2 : 1024;

	free(l->commit_table);
	l->commit_table = cr_xcalloc(size, sizeof *l->commit_table);
	l->commit_table_size = size;
	for (size_t i = 0; i < l->ncommit; i++) {
		const cr_commit_entry *x = &l->commit[i];
		size_t j = commit_hash(x->hour, x->platform, x->fact) & (size - 1);
		while (l->commit_table[j])
			j = (j + 1) & (size - 1);
		l->commit_table[j] = (uint32_t)i + 1;
	}
}

int cr_ledger_add_commit(cr_ledger *l, int64_t hour, unsigned platform, unsigned fact,
			 cr_dec amount, cr_error *err)
{
	size_t j;

	if ((l->ncommit + 1) * 2 > l->commit_table_size)
		commit_rehash(l);
	j = commit_hash(hour, platform, fact) & (l->commit_table_size - 1);
	for (;; j = (j + 1) & (l->commit_table_size - 1)) {
		uint32_t k = l->commit_table[j];
		cr_commit_entry *x;
		if (!k)
			break;
		x = &l->commit[k - 1];
		if (x->hour == hour && x->platform == platform && x->fact == fact) {
			if (cr_dec_acc(&x->amount, amount))
				return cr_error_set(err, CR_EXIT_INPUT,
						    "a commitment amount overflows");
			return 0;
		}
	}
	if (l->ncommit == l->commit_cap) {
		l->commit_cap = l->commit_cap ? l->commit_cap * 2 : 1024;
		l->commit = cr_xrealloc(l->commit, l->commit_cap * sizeof *l->commit);
	}
	l->commit[l->ncommit] = (cr_commit_entry){ hour, (uint8_t)platform, (uint8_t)fact, amount };
	l->commit_table[j] = (uint32_t)++l->ncommit;
	return 0;
}

const cr_commit_entry *cr_ledger_commit_entries(const cr_ledger *l, size_t *count)
{
	*count = l->ncommit;
	return l->commit;
}
