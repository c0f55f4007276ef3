/*
 * ledger.h - exact aggregation of billing lines.
 *
 * Every source (billing files, Cost Explorer, SQL engines) reduces its data
 * to lines keyed by account, service, usage type, UTC day and line kind, and
 * adds them here.  The ledger sums cost and quantity per key exactly, so its
 * memory grows with the number of distinct keys, never with the number of
 * input rows.  Strings are interned once (cr_sym) and live as long as the
 * ledger.  Ranking and rules read the entries back.
 */
#ifndef COSTRANK_LEDGER_H
#define COSTRANK_LEDGER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "costrank/accounts.h"
#include "costrank/date.h"
#include "costrank/decimal.h"
#include "costrank/error.h"
#include "costrank/metric.h"
#include "costrank/provenance.h"

/* What kind of charge a line is: decides what is ranked, and later which
 * savings rules may apply (no Spot or commitment proposal for covered or
 * Spot lines). */
enum cr_kind {
	CR_KIND_USAGE = 0,        /* on-demand usage */
	CR_KIND_SPOT,             /* Spot usage */
	CR_KIND_RI_COVERED,       /* DiscountedUsage: covered by a Reserved Instance */
	CR_KIND_SP_COVERED,       /* SavingsPlanCoveredUsage */
	CR_KIND_SP_NEGATION,      /* SavingsPlanNegation */
	CR_KIND_COMMITMENT_FEE,   /* RIFee, SavingsPlanRecurringFee/UpfrontFee, FOCUS commitment Purchase */
	CR_KIND_FEE,              /* other fees: support, registration, FOCUS Purchase */
	CR_KIND_DISCOUNT,         /* BundledDiscount, EdpDiscount, PrivateRateDiscount... */
	CR_KIND_ADJUSTMENT,       /* FOCUS Adjustment and unknown line types */
	CR_KIND_CREDIT,
	CR_KIND_REFUND,
	CR_KIND_TAX,
	CR_KIND_COUNT
};

const char *cr_kind_name(enum cr_kind k);
/* The excluded category of a kind (credits, refunds, tax) or -1. */
int cr_kind_excluded(enum cr_kind k);
/* True for kinds whose usage amount is counted as quantity. */
bool cr_kind_is_usage(enum cr_kind k);

typedef uint32_t cr_sym; /* an interned string; 0 is the empty string */

typedef struct cr_ledger_key {
	cr_sym account;
	cr_sym service;
	cr_sym usage_type;
	cr_day day;
	uint32_t kind;            /* enum cr_kind */
	cr_sym dim;               /* a dimension's value (cr_ledger_add_dim); 0 elsewhere */
	cr_sym operation;         /* the line's operation ("RunInstances:0002" is
	                             Windows); 0 when the source has none (Cost
	                             Explorer, SQL engines) */
} cr_ledger_key;

typedef struct cr_ledger_entry {
	cr_ledger_key key;
	cr_dec cost;              /* the selected metric */
	cr_dec quantity;          /* usage amount of usage kinds */
	cr_sym unit;              /* first unit seen */
	bool unit_mixed;          /* several units were seen for this key */
} cr_ledger_entry;

/* Where the data came from: one per input file or API pull. */
typedef struct cr_ledger_input {
	char *name;               /* path or endpoint, never a secret */
	char *format;             /* "cur2", "cur", "focus", "cost-explorer", ... */
	uint64_t rows;            /* rows read */
} cr_ledger_input;

typedef struct cr_ledger cr_ledger;

cr_ledger *cr_ledger_new(enum cr_metric metric);
void cr_ledger_free(cr_ledger *l);
enum cr_metric cr_ledger_metric(const cr_ledger *l);

/* Interns s[0..len); the same bytes always give the same symbol. */
cr_sym cr_ledger_intern(cr_ledger *l, const char *s, size_t len);
/* The NUL-terminated string of a symbol; valid while the ledger lives. */
const char *cr_ledger_str(const cr_ledger *l, cr_sym sym);

/*
 * Adds cost and quantity to the entry for key (creating it).  Returns 0, or
 * -1 with err set (CR_EXIT_INPUT) when a sum overflows.
 */
int cr_ledger_add(cr_ledger *l, const cr_ledger_key *key, cr_dec cost,
		  cr_dec quantity, cr_sym unit, cr_error *err);

/* Frees the table that finds an entry by its key (4 to 8 bytes an entry)
 * once every line is in; a later add builds it again. */
void cr_ledger_release_index(cr_ledger *l);
/* All entries, in insertion order; valid until the next cr_ledger_add. */
const cr_ledger_entry *cr_ledger_entries(const cr_ledger *l, size_t *count);

/* Account facts seen in the data.  The first non-empty name wins; the
 * environment is the tag value seen on more than half of the tagged rows
 * (0 when no value dominates). */
void cr_ledger_note_account_name(cr_ledger *l, cr_sym account, cr_sym name);
void cr_ledger_note_environment(cr_ledger *l, cr_sym account, cr_sym env);
cr_sym cr_ledger_account_name(const cr_ledger *l, cr_sym account);
cr_sym cr_ledger_account_environment(const cr_ledger *l, cr_sym account);

/*
 * The environment reports give an account, chosen once here for the ranker
 * and for every source that selects lines by environment: the --accounts
 * file's (accounts may be NULL), else the canonical value of the tag seen
 * in the data, else one hinted by a word of the account's name
 * ("larkspur-prod"); "" when none.  *source, when not NULL, gets
 * "accounts-file", "tag", "name" or "unknown".  The string is static or
 * owned by accounts.
 */
const char *cr_ledger_environment(const cr_ledger *l, cr_sym account,
				  const cr_accounts *accounts, const char **source);

/*
 * The currency of the data.  cr_ledger_check_currency records the first one
 * seen and returns 0, or -1 when cur differs from it (the caller reports the
 * place).  Empty strings are ignored.
 */
int cr_ledger_check_currency(cr_ledger *l, const char *cur, size_t len);
const char *cr_ledger_currency(const cr_ledger *l); /* "" when none seen */

/* Inputs, in the order read; the ledger copies name and format. */
cr_ledger_input *cr_ledger_add_input(cr_ledger *l, const char *name, const char *format);
const cr_ledger_input *cr_ledger_inputs(const cr_ledger *l, size_t *count);

/* What an API or SQL pull did (provenance.h): requests paid and cached,
 * push-down figures, notes, partial, data through.  Empty for files;
 * cr_ledger_merge leaves dst's as it is. */
cr_provenance *cr_ledger_provenance(cr_ledger *l);
const cr_provenance *cr_ledger_provenance_of(const cr_ledger *l);

/*
 * Amounts read with non-zero digits past the 18th decimal place, which
 * cr_dec_parse rounds half to even: cr_ledger_note_rounded counts one,
 * adding the effect of its rounding (cr_dec_rounding_effect, units of
 * 10^-36) to the costs' when it is a cost (not a quantity).
 * cr_ledger_rounded gives the costs and the quantities so rounded, and
 * the costs' total effect.
 */
typedef struct cr_ledger_rounding {
	uint64_t costs, quantities;
	cr_i128 cost_effect;          /* rounded minus exact, units of 10^-36 */
} cr_ledger_rounding;
void cr_ledger_note_rounded(cr_ledger *l, bool cost, cr_i128 effect);
cr_ledger_rounding cr_ledger_rounded(const cr_ledger *l);

/*
 * Whether entries are at daily grain (file sources) or coarser (a monthly
 * API pull books a month on its first day).  Daily by default; savings
 * models measure weekend and floor spend only from daily data.
 */
void cr_ledger_set_coarse(cr_ledger *l, bool coarse);
bool cr_ledger_is_daily(const cr_ledger *l);

/* Earliest and latest day with an entry; false when the ledger is empty. */
bool cr_ledger_day_range(const cr_ledger *l, cr_day *first, cr_day *last);

/*
 * Dimensions: what a report may group spend by besides account, service
 * and usage type.  A report asks for them before any line is added; the
 * sources that can give a dimension then book each line a second time,
 * keyed also by the line's value of the dimension (key.dim; 0 when the
 * line has none, e.g. untagged), into a table of its own, so the main
 * entries, and what ranking and savings read, stay as they are.  Without a
 * dimension nothing more is booked.  Quantities and units are not kept.
 */
enum cr_dim_kind {
	CR_DIM_TAG = 0,           /* a cost allocation tag's value */
	CR_DIM_REGION,            /* the region code, "us-east-1" */
	CR_DIM_RESOURCE,          /* the resource id (an ARN, "i-0abc...") */
	CR_DIM_COST_CATEGORY,     /* a cost category's value (key: its name) */
};
#define CR_LEDGER_MAX_DIMS 8

typedef struct cr_dimension {
	enum cr_dim_kind kind;
	const char *key;          /* CR_DIM_TAG: the key as asked, "team" or "user:team";
				   * CR_DIM_COST_CATEGORY: the category's name; "" */
	const char *name;         /* "tag:team", "region", "resource", "cost-category:NAME" */
} cr_dimension;

/* Adds a dimension (a second identical one is not added); returns its
 * index, or -1 with err set (CR_EXIT_USAGE) when there are
 * CR_LEDGER_MAX_DIMS already or a tag key or category name is empty. */
int cr_ledger_add_dimension(cr_ledger *l, enum cr_dim_kind kind, const char *key,
			    cr_error *err);
size_t cr_ledger_dimension_count(const cr_ledger *l);
const cr_dimension *cr_ledger_dimension(const cr_ledger *l, size_t i);
/* Whether l carries a dimension of this kind (any tag key for CR_DIM_TAG). */
bool cr_ledger_has_dimension(const cr_ledger *l, enum cr_dim_kind kind);
/* A new empty ledger with l's metric and dimensions (one per parallel reader). */
cr_ledger *cr_ledger_new_like(const cr_ledger *l);

/* Books cost for key (key->dim ignored) with value (interned in l, 0: none)
 * in dimension i.  0, or -1 with err set (CR_EXIT_INPUT) on overflow.  A
 * CR_DIM_RESOURCE dimension books into the resource table below instead. */
int cr_ledger_add_dim(cr_ledger *l, size_t i, const cr_ledger_key *key, cr_sym value,
		      cr_dec cost, cr_error *err);
/* Dimension i's entries (key.dim holds the value), in insertion order. */
const cr_ledger_entry *cr_ledger_dim_entries(const cr_ledger *l, size_t i, size_t *count);

/*
 * Resources (CR_DIM_RESOURCE): with millions of resource ids, an entry a
 * day each would not fit, so a resource dimension keeps one entry per
 * account, service, usage type, line kind, resource id and calendar month:
 * the cost and the first and last day billed (no per-day figures;
 * cr_ledger_dim_entries gives none for it).  Lines without a resource id
 * are booked under resource 0, so a usage type's resources and its
 * no-id remainder sum to its cost.  A report whose period is not a
 * calendar month sets the window first: only lines of [first, last] are
 * booked then, so the month buckets hold only the period's days.
 */
typedef struct cr_ledger_resource {
	cr_sym account, service, usage_type;
	cr_sym resource;          /* 0: lines without a resource id */
	cr_day month;             /* the first day of the lines' month */
	uint32_t kind;            /* enum cr_kind */
	cr_day first, last;       /* first and last day billed */
	cr_dec cost;
} cr_ledger_resource;

/* Books only the lines of days first..last into the resource dimension
 * (before any line is added; cr_ledger_new_like copies it). */
void cr_ledger_set_resource_window(cr_ledger *l, cr_day first, cr_day last);
/* The resource dimension's entries, in insertion order (NULL, 0: none). */
const cr_ledger_resource *cr_ledger_resources(const cr_ledger *l, size_t *count);
/* Frees the resource dimension's entries once the report holds what it
 * needs from them (a million resources are 50 MB); cr_ledger_resources
 * gives none afterwards. */
void cr_ledger_release_resources(cr_ledger *l);

/*
 * Adds everything src holds to dst, as if src's lines had been added to
 * dst after dst's own: entries (cost, quantity, units), account names (dst's
 * win), environment tag counts, the currency when dst has none, inputs,
 * the daily flag and each dimension's entries (src has dst's dimensions:
 * cr_ledger_new_like).  Files read in parallel into ledgers of their own
 * and merged in input order give the same reports as one ledger read in
 * order (environment counts are summed, so an account with more distinct
 * environment values than are tracked may keep different ones).  The
 * caller checks that the currencies agree.  Returns 0, or -1 with err set
 * (CR_EXIT_INPUT) when a sum overflows; dst is then partly merged.
 */
int cr_ledger_merge(cr_ledger *dst, const cr_ledger *src, cr_error *err);

/*
 * Commitment facts (commitment.h): amounts by UTC hour, platform and fact,
 * for sizing Savings Plans and reporting the existing commitments.  Booked
 * only after cr_ledger_want_commitments (the savings pass asks), by the
 * sources that can tell (CUR files), so a report without rules reads and
 * keeps nothing more.  Sparse: only hours with an amount have an entry.
 */
enum cr_commit_platform {
	CR_PLATFORM_OTHER = 0,    /* Linux and every platform but Windows */
	CR_PLATFORM_WINDOWS,      /* operation RunInstances:0002, :0006, :0102, :0202, :0800 */
	CR_PLATFORM_COUNT
};
enum cr_commit_fact {
	CR_CF_ELIGIBLE_OD = 0,    /* on-demand cost of usage a Savings Plan could
	                             cover: EC2 instance hours, Fargate, Lambda */
	CR_CF_SP_COVERED_OD,      /* on-demand equivalent of Savings-Plan-covered usage */
	CR_CF_SP_EFFECTIVE,       /* its savings_plan_savings_plan_effective_cost */
	CR_CF_SP_COMMITMENT,      /* savings_plan_total_commitment_to_date (recurring fee lines) */
	CR_CF_SP_USED,            /* savings_plan_used_commitment */
	CR_CF_RI_COVERED_HOURS,   /* usage hours of reservation-covered lines */
	CR_CF_RI_ONDEMAND_HOURS,  /* on-demand hours of instance types reservations cover */
	CR_CF_RI_UNUSED,          /* unused amortized upfront + unused recurring fee */
	CR_CF_COUNT
};
typedef struct cr_commit_entry {
	int64_t hour;             /* cr_day * 24 + UTC hour of the line's start */
	uint8_t platform, fact;   /* enum cr_commit_platform, enum cr_commit_fact */
	cr_dec amount;
} cr_commit_entry;

void cr_ledger_want_commitments(cr_ledger *l);
bool cr_ledger_wants_commitments(const cr_ledger *l);
/* Adds amount to (hour, platform, fact); 0, or -1 with err set
 * (CR_EXIT_INPUT) on overflow. */
int cr_ledger_add_commit(cr_ledger *l, int64_t hour, unsigned platform, unsigned fact,
			 cr_dec amount, cr_error *err);
/* The entries, in insertion order (merged ledgers: dst's, then src's). */
const cr_commit_entry *cr_ledger_commit_entries(const cr_ledger *l, size_t *count);

#endif
