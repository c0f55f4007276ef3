/*
 * report.h - the report model: one ranked, reconciled view of a period that
 * every writer (table, json, csv, and later xlsx, md, html, chat) renders.
 *
 * Built by cr_rank_build (rank.h) from a ledger; owns all its memory
 * (strings included) and is freed with cr_report_free.  Writers only read
 * it.  Amounts are exact (cr_dec); shares are display ratios.
 */
#ifndef COSTRANK_REPORT_H
#define COSTRANK_REPORT_H

#include <stdbool.h>
#include <stddef.h>

#include "costrank/date.h"
#include "costrank/decimal.h"
#include "costrank/metric.h"
#include "costrank/provenance.h"
#include "costrank/s3.h"

#define CR_REPORT_SCHEMA "costrank.report/v1"

/* One of a usage type's top resources (--resources): its lines of the
 * period, whatever their kind, as the usage type's cost counts them. */
typedef struct cr_report_resource {
	int rank;                 /* 1-based by cost, ties by id */
	char *id;                 /* line_item_resource_id, FOCUS ResourceId */
	cr_dec cost;
	double share;             /* of the usage type's cost */
	cr_day first_day, last_day; /* first and last day billed in the period */
} cr_report_resource;

typedef struct cr_report_usage {
	/* (members ordered for size: a report can hold a million rows) */
	int rank;                 /* 1-based; 0 for the "Other usage types" row */
	bool is_other;            /* remainder row aggregating `other_count` types */
	bool has_previous;        /* report->has_previous */
	bool is_new;              /* no cost at all in the previous period */
	size_t other_count;
	char *usage_type;
	char *unit;               /* "Hrs", "GB-Mo"...; "" when unknown or mixed */
	cr_dec cost;
	cr_dec quantity;          /* usage amount summed over usage lines */
	cr_dec previous_cost;
	double share;             /* of the account total */
	double no_resource_share; /* of the usage type's cost */
	/* report->has_resources: the top resources, and the rest:
	 * sum(resources) + resources_other + no_resource == cost */
	cr_report_resource *resources;
	size_t n_resources;
	size_t resources_total;   /* distinct resource ids before truncation */
	cr_dec resources_other;   /* the resources not listed */
	cr_dec no_resource;       /* lines without a resource id */
} cr_report_usage;

typedef struct cr_report_service {
	int rank;                 /* 1-based; 0 for "Other services" */
	bool is_other;
	size_t other_count;
	char *name;               /* Cost Explorer style service name */
	cr_dec cost;
	double share;             /* of the account total */
	cr_dec previous_cost;
	bool is_new;
	cr_report_usage *usage;   /* top usage types, then one "Other" row */
	size_t n_usage;
	size_t usage_total;       /* distinct usage types before truncation */
} cr_report_service;

/* A service over the whole organisation: its cost in every account, not
 * only where an account lists it among its top services. */
typedef struct cr_report_org_service {
	int rank;                 /* 1-based, by cost; ties by name */
	char *name;
	cr_dec cost;
	cr_dec previous_cost;
	double share;             /* of the report total */
	size_t accounts;          /* accounts with rows of it in the period */
	bool is_new;              /* no cost at all in the previous period */
} cr_report_org_service;

typedef struct cr_report_account {
	int rank;
	char *id;                 /* a string: leading zeros kept */
	char *name;               /* "" when unknown */
	char *environment;        /* production, staging, development, sandbox,
	                             shared, or "" */
	char *owner;              /* "" when unknown */
	const char *environment_source; /* "accounts-file", "tag", "name" or "unknown" */
	cr_dec total;             /* ranked total of this account */
	cr_dec previous_total;
	double share;             /* of the report total */
	cr_report_service *services;
	size_t n_services;
	size_t services_total;    /* distinct services before truncation */
} cr_report_account;

typedef struct cr_reconciliation {
	cr_dec ranked;                    /* == report total */
	cr_dec excluded[CR_EXCL_COUNT];   /* each category kept out */
	bool included[CR_EXCL_COUNT];     /* categories ranked via --include */
	cr_dec included_amount[CR_EXCL_COUNT];
	cr_dec grand_total;               /* every row of the period */
	/* amounts of the input with digits past the 18th decimal place,
	 * rounded half to even when read (cr_ledger_rounded), and what that
	 * did to the costs: rounded minus exact, units of 10^-36 */
	uint64_t rounded_costs, rounded_quantities;
	cr_i128 rounding_effect;
} cr_reconciliation;

/* A rule of the same group that also fits the line: shown, never added. */
typedef struct cr_proposal_alt {
	const char *rule;         /* in the report's strings */
	const char *action;       /* static name */
	const char *model;        /* static name */
	cr_dec savings;           /* monthly, before stacking */
	const char *formula;      /* in the report's strings */
} cr_proposal_alt;

/* One savings proposal for one usage line (account, service, usage type).
 * Its strings live in the report's pool (cr_report_strings): a report can
 * hold a million proposals that share most of their texts. */
typedef struct cr_proposal {
	int rank;                 /* by priority, 1-based */
	bool counted;             /* measured or priced: in savings_total; an
	                             estimate is "to investigate" */
	const char *rule, *title;
	const char *action;       /* static names from rules.h */
	const char *model;
	const char *effort, *risk;
	const char *account_id, *account_name, *environment;
	const char *service, *usage_type;
	cr_dec monthly_cost;      /* the cost the rule applies to, per month */
	cr_dec savings;           /* estimated monthly saving, after stacking */
	cr_dec annual_savings;    /* savings x 12 */
	double priority;          /* savings / effort weight x risk factor */
	const char *formula;      /* the numbers filled in */
	const char *evidence;
	const char *rationale, *reference, *basis;
	cr_proposal_alt *alternatives;
	size_t n_alternatives;
	const char *confidence;   /* "measured", "priced" or "estimate" (rules.h) */
	const char *stage;        /* the step of the order it was applied at:
	                             "idle", "schedule", "migrate", "spot",
	                             "commitment" */
	size_t folded;            /* > 0: this row folds that many proposals of
	                             one action under --min-saving; account and
	                             usage type then name how many */
	const struct cr_report_usage *usage; /* the report's row of this line,
	                             whose top resources are the ones to act on;
	                             NULL when the line is not listed */
} cr_proposal;

/*
 * Allocation (showback, --by): the ranked total split by one dimension's
 * value (a tag's, the region).  Lines without a value form one explicit
 * row; the values' costs sum to the report total exactly.
 */
typedef struct cr_report_alloc_service {
	char *name;
	cr_dec cost;
} cr_report_alloc_service;

typedef struct cr_report_alloc_value {
	int rank;                 /* 1-based by cost, ties by value; 0 for the untagged row */
	char *value;              /* "" for the untagged row */
	bool is_untagged;
	cr_dec cost;
	cr_dec previous_cost;     /* report->has_previous */
	cr_dec change;            /* cost - previous_cost */
	double share;             /* of the report total */
	bool is_new;              /* no cost in the previous period */
	cr_report_alloc_service *services; /* its top services (--top), by cost */
	size_t n_services;
	size_t services_total;    /* distinct services before truncation */
} cr_report_alloc_value;

typedef struct cr_report_allocation {
	char *dimension;          /* "tag:team", "region" */
	char *untagged_label;     /* "(untagged)", "(no region)" */
	cr_report_alloc_value *values; /* ranked; the untagged row last (always there) */
	size_t n_values;
	cr_dec untagged_cost;
	double untagged_share;    /* of the report total: a headline figure */
} cr_report_allocation;

/* A conversion rate given with --fx: amounts are also shown in `code`, the
 * report's currency staying the primary figure.  code[0] == '\0': none. */
typedef struct cr_fx {
	char code[4];             /* ISO 4217, "JPY" */
	cr_dec rate;              /* units of code per unit of the report currency */
	cr_day date;              /* the day the rate is for */
} cr_fx;


/* The monthly trend (trend.h): the ranked cost, month by month, of the
 * calendar months ending with the reported one that the data covers from
 * their first day, oldest first.  n_months 0: no trend (the period is not
 * a calendar month, or the data holds no earlier month). */
typedef struct cr_report_trend {
	size_t n_months;
	cr_day *months;           /* the first day of each month */
	cr_dec *total;            /* [month]: every account of the data */
	cr_dec *accounts;         /* [account * n_months + month], as r->accounts */
	cr_dec **services;        /* [account][service * n_months + month], as
	                             each account's services ("Other" included) */
} cr_report_trend;

/* The change of one account and service split by its drivers (drivers.h):
 * usage + rate + discounts + other == change, exactly. */
/* A top mover of an account and service: a usage type new this period
 * (CR_MOVER_NEW), with the largest rise in money (CR_MOVER_RISE) or in
 * percent (CR_MOVER_RISE_PCT, from a previous cost above 0), or gone. */
enum cr_mover_kind { CR_MOVER_NEW = 0, CR_MOVER_RISE, CR_MOVER_RISE_PCT, CR_MOVER_GONE };
#define CR_DRIVER_MOVERS 8
typedef struct cr_report_mover {
	int kind;                 /* enum cr_mover_kind */
	char *usage_type;
	cr_dec cost, previous_cost, change;
} cr_report_mover;

typedef struct cr_report_driver {
	char *account_id, *service;
	cr_dec cost, previous_cost, change;
	cr_dec usage, rate, discounts, other;
	cr_report_mover movers[CR_DRIVER_MOVERS]; /* new (up to 3), rise, rise %, gone (up to 3) */
	size_t n_movers;
} cr_report_driver;

/* A day-level spike or a new usage type (anomaly.h). */
#define CR_ANOMALY_DRIVERS 3
typedef struct cr_report_anomaly {
	bool is_new_usage;        /* a usage type new this period, not a spike */
	char *account_id, *account_name, *service;
	cr_day day;               /* the spike's day; 0 for a new usage type */
	cr_dec cost;              /* the day's cost (the period's, new usage type) */
	cr_dec baseline;          /* median of the 28 days before; 0 for new */
	cr_dec excess;            /* cost - baseline */
	double mad;               /* median absolute deviation of the baseline */
	char *usage_types[CR_ANOMALY_DRIVERS]; /* behind it, largest excess first */
	cr_dec usage_excess[CR_ANOMALY_DRIVERS];
	size_t n_usage;
} cr_report_anomaly;

/* Realised savings (realised.h): what became of an earlier report's
 * proposals (--baseline). */
enum cr_realised_status {
	CR_REAL_DONE = 0, CR_REAL_PARTLY, CR_REAL_NOT_YET, CR_REAL_LINE_GONE, CR_REAL_LINE_GREW,
	CR_REAL_COUNT
};

typedef struct cr_realised_item {
	int baseline_rank;        /* the proposal's rank in the baseline (0: none given) */
	char *rule, *title, *model, *action;
	char *account_id, *account_name, *service, *usage_type;
	char *target_usage_type;  /* a migration's target; "" for none */
	int status;               /* enum cr_realised_status */
	bool measured;            /* the line's earlier cost came from the data */
	bool weekend;             /* measured on weekend days */
	cr_dec proposed;          /* the baseline's monthly saving */
	cr_dec proposed_period;   /* the same for this period's days */
	cr_dec baseline_cost;     /* the line's cost in the baseline period (weekend: its weekends) */
	cr_dec expected_cost;     /* that, per day, x this period's days (weekend days) */
	cr_dec current_cost;      /* the line's cost in this period (weekend days) */
	cr_dec target_growth;     /* migration: the target's growth counted against it */
	cr_dec realised;          /* this proposal's share of the line's drop */
	cr_dec remaining;         /* proposed_period - realised, at least 0 */
} cr_realised_item;

/* A commitment fee line of this period absent from the baseline period. */
typedef struct cr_realised_commitment {
	char *account_id, *service, *usage_type;
	cr_dec cost;
} cr_realised_commitment;

typedef struct cr_report_realised {
	char *file;               /* --baseline as given */
	char *period_label;       /* the baseline's */
	cr_day start, end;
	bool measured;            /* the data covers the baseline period */
	cr_realised_item *items;  /* in the baseline's order */
	size_t n_items;
	size_t counts[CR_REAL_COUNT];
	cr_dec proposed, proposed_period, realised, remaining;
	cr_realised_commitment *commitments;
	size_t n_commitments;
} cr_report_realised;
/* A Savings Plan sized from the hourly spend (commitment.h), per platform. */
typedef struct cr_report_sp_plan {
	const char *platform;     /* "windows" or "other" (static) */
	bool hourly;              /* hourly data; else daily totals / 24 */
	size_t hours;             /* of the lookback */
	double discount;
	bool discount_measured;   /* from the data's Savings Plan lines, else the table's */
	cr_dec eligible;          /* on-demand spend a plan could cover, in the period */
	cr_dec unused_netted;     /* existing plans' unused commitment netted first */
	cr_dec commitment;        /* per hour */
	cr_dec covered;           /* on-demand spend it would cover in the period */
	cr_dec spot_room;         /* monthly: the eligible on-demand spend the
	                             existing plans' unused commitment and this
	                             plan leave, all Spot may claim */
	cr_dec savings;           /* over the period */
} cr_report_sp_plan;

/* Existing commitments, from the savings_plan_* and reservation_* columns. */
typedef struct cr_report_commitments {
	bool present;             /* the data gave commitment facts */
	cr_dec sp_commitment, sp_used;     /* total commitment to date, used */
	double sp_utilization;             /* used / commitment; -1 without plans */
	cr_dec sp_covered_od, sp_eligible_od; /* covered and all eligible, on-demand prices */
	double sp_coverage;                /* covered / (covered + uncovered); -1 without */
	cr_dec ri_covered_hours, ri_ondemand_hours;
	double ri_coverage;                /* reserved / running hours; -1 without */
	cr_dec ri_unused;                  /* unused reservation cost */
	cr_report_sp_plan plans[2];
	size_t n_plans;
} cr_report_commitments;

typedef struct cr_report {
	const char *schema;       /* CR_REPORT_SCHEMA */
	cr_day start, end;        /* the period, both inclusive */
	char *period_label;       /* "2026-10" for a month, else "2026-10-01_2026-10-15" */
	bool has_previous;        /* the data covers the whole previous period */
	cr_day prev_start, prev_end;
	char *currency;           /* "USD" */
	enum cr_metric metric;
	char *source_kind;        /* "cur2", "cur", "focus", "mixed", ... */
	char **files;             /* inputs, in the order read */
	size_t n_files;
	long paid_requests;       /* paid API requests made for this report (0 for files) */
	long cached_requests;     /* requests answered from the cache */
	bool estimated;           /* the source marks figures as not final */
	bool partial;             /* --allow-partial kept a failed pull's data */
	cr_day data_through;      /* latest day with data (0 = unknown) */
	bool has_s3;              /* inputs were read from S3: s3 says how */
	cr_s3_stats s3;
	cr_dec total;             /* ranked total over all accounts */
	cr_dec previous_total;
	cr_reconciliation recon;
	cr_report_account *accounts; /* ranked by total, ties by id */
	size_t n_accounts;
	int top_services;         /* the --top and --top-usage in force */
	int top_usage;
	char **warnings;          /* notes for the reader, e.g. an incomplete period */
	size_t n_warnings;
	bool has_proposals;       /* savings rules were applied */
	cr_proposal *proposals;   /* ranked by priority */
	size_t n_proposals;
	cr_dec savings_total;     /* de-duplicated: never counts an alternative;
	                             measured and priced proposals only */
	cr_dec savings_to_investigate; /* the estimates' total, never added */
	cr_dec min_saving;        /* --min-saving: smaller proposals are folded */
	cr_fx fx;                 /* --fx (fx.h); zeroed when not given */
	cr_report_org_service *services; /* every service of every account, ranked */
	size_t n_services;
	cr_pushdown pushdown;         /* what a SQL source pushed down */
	cr_report_allocation *allocations; /* --by, in the order asked */
	size_t n_allocations;
	cr_report_trend trend;
	bool has_anomalies;       /* the check ran */
	cr_report_anomaly *anomalies; /* spikes by day, then new usage types */
	size_t n_anomalies;
	cr_report_driver *drivers;    /* grouped by account, in the data's order */
	size_t n_drivers;
	int top_resources;        /* --resources in force (0: off) */
	bool has_resources;       /* the listed usage types carry their resources */
	cr_report_realised *realised; /* --baseline; NULL without */
	cr_report_commitments commitments; /* commitment.h; present false when none */
	struct cr_strpool *strings;   /* the proposals' strings (cr_report_strings) */
} cr_report;

/* Sets the report's request counts, estimated, partial, data_through and
 * push-down figures from what a pull recorded, and adds its notes as
 * warnings. */
void cr_report_set_provenance(cr_report *r, const cr_provenance *p);
void cr_report_add_warning(cr_report *r, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void cr_report_free(cr_report *r);
/* A realised status's name: "done", "partly-done", "not-yet", "line-gone",
 * "line-grew". */
const char *cr_realised_status_name(int status);
/* Frees what a proposal owns (not the struct itself, nor its strings,
 * which are the report's). */
void cr_proposal_free(cr_proposal *p);
/* The pool the proposals' strings are kept in, made on first use. */
struct cr_strpool *cr_report_strings(cr_report *r);
/* The report's one copy of s (NULL is ""), for texts proposals share. */
const char *cr_report_intern(cr_report *r, const char *s);
/* A copy of s in the report's strings, for a text of one proposal. */
const char *cr_report_text(cr_report *r, const char *s);

#endif
