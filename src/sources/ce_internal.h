/*
 * ce_internal.h - the state of one Cost Explorer pull, shared by
 * ce_source.c (requests, cache, credentials, stages) and ce_lines.c (what
 * the answers put in the ledger).
 */
#ifndef COSTRANK_SOURCES_CE_INTERNAL_H
#define COSTRANK_SOURCES_CE_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "costrank/ce.h"
#include "costrank/ce_cache.h"
#include "costrank/ce_plan.h"
#include "costrank/ce_source.h"
#include "costrank/keymap.h"

/* One account / service / usage type of the current period. */
struct ce_line {
	cr_sym account, service, usage;
	uint32_t scope;
	bool need_od;        /* a rule reads on-demand spend (daily or total) */
	bool need_all;       /* a rule measures net daily spend */
	bool got_od, got_all;
	bool unit_na;        /* Cost Explorer gave no single unit */
	cr_sym unit;
	cr_dec cost;         /* every record type but credits, refunds, tax */
	cr_dec qty;          /* UsageQuantity of those */
	cr_dec nonusage_qty; /* the part of qty from record types that are not usage */
	cr_dec *od, *all;    /* per day of the period, when asked for */
};

/* Who is asked: the organisation, or one separate account. */
struct ce_scope {
	const cr_account_info *info;   /* a separate account's entry; NULL: the organisation */
	char *identity;                /* for cache keys: never a secret */
	bool have_creds;
	cr_aws_credentials creds;
	const char **accounts;         /* linked accounts with ranked record types */
	size_t n_accounts;
	const char **cat_accounts[CR_EXCL_COUNT]; /* accounts with credits, refunds, tax */
	size_t n_cat_accounts[CR_EXCL_COUNT];
	char *input;                   /* the ledger input it is named as */
	uint64_t rows;                 /* groups read */
};

/* Services, usage types and accounts of one daily request. */
struct ce_bucket {
	const char **services, **usage, **accounts;
	size_t ns, nu, na;
};

struct ce_tag {
	cr_sym account, value;
	cr_dec cost;
};

struct ce_qty {
	cr_sym account, usage;
	cr_dec qty;
};

struct ce_pull {
	cr_ledger *l;
	const cr_ce_source_opts *o;
	cr_provenance *out;           /* the ledger's */
	cr_ce_stats stats;
	cr_ce_endpoint ep;
	cr_ce_cache *cache;
	cr_period cur, prev;
	cr_ce_span spans[2];
	size_t nspans;
	int ndays;
	time_t now;
	struct ce_scope *scopes;
	size_t nscopes;
	cr_aws_credentials base;      /* the chain's, for role_arn entries */
	bool have_base;

	cr_keymap map;                /* (account, service, usage) -> lines[] */
	struct ce_line *lines;
	size_t nlines, cap;

	/* the request being read */
	const cr_ce_query_spec *q;
	struct ce_scope *sc;
	cr_sym q_account;             /* a ranking request's account */
	bool q_estimated;
	cr_keymap daily_map;          /* (account, usage, 0) -> daily_line[] */
	size_t *daily_line;

	struct ce_tag *tags;
	size_t ntags;
	struct ce_qty *qtys;
	size_t nqtys;

	size_t accounts_total, accounts_done;
	bool progress_shown;
	bool got_any;                 /* the first answers are in: a failure can be partial */
	bool budget_pending;          /* --max-requests is checked after the first answer */
	long budget_rest;             /* requests planned after the ranking ones */
};

/* The sink of every answer (ce_lines.c). */
int ce_cell(void *ctx, const cr_ce_cell *c, cr_error *err);
void ce_attribute(void *ctx, const char *value, const char *key, const char *text);

/* After the tag and quantity requests. */
void ce_apply_tags(struct ce_pull *p);
void ce_apply_quantities(struct ce_pull *p);

/* Marks the lines the savings rules need daily or on-demand data for. */
void ce_select(struct ce_pull *p);

/* The daily requests of a scope: every line needing data (all: the
 * net-spend lines whose on-demand days do not add up to their cost). */
void ce_buckets(struct ce_pull *p, uint32_t scope, bool all, struct ce_bucket **out,
		size_t *n);
void ce_buckets_free(struct ce_bucket *b, size_t n);
/* Prepares the lines of a bucket for its daily answer. */
void ce_bucket_begin(struct ce_pull *p, uint32_t scope, const struct ce_bucket *b, bool all);

/* Books the current period's lines into the ledger. */
int ce_book(struct ce_pull *p, cr_error *err);
void ce_lines_free(struct ce_pull *p);

/* The record type's excluded category (enum cr_excluded), or -1. */
int ce_record_category(const char *record_type);

#endif
