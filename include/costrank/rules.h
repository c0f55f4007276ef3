/*
 * rules.h - the savings rule table: loading, validation, matching.
 *
 * A rule says which spend it applies to (service and usage-type globs,
 * environments, on-demand only, a minimum monthly cost), what to do
 * (action), how to estimate the saving (savings model) and how hard and
 * risky it is.  The default table is compiled into the binary
 * (src/rules/default_rules.json); rule files given with --rules add rules or
 * override default ones by id ("enabled": false disables one).
 *
 * Rule files are validated completely before any work: every problem is
 * reported, each as "FILE:LINE:COLUMN: rule ID: message".
 *
 * A rule's title, rationale and savings basis are English, and may carry a
 * Japanese translation: a rule file gives each as a string (English only)
 * or as {"en": "...", "ja": "..."}.  The built-in table's translations live
 * in a catalogue keyed by rule id (src/rules/default_rules.ja.json,
 * compiled in as well); a rule file that gives a text replaces both
 * languages of it.
 */
#ifndef COSTRANK_RULES_H
#define COSTRANK_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "costrank/error.h"

enum cr_action {
	CR_ACT_SPOT, CR_ACT_RIGHTSIZING, CR_ACT_WEEKEND_SHUTDOWN, CR_ACT_OFF_HOURS,
	CR_ACT_COMMITMENT, CR_ACT_GRAVITON, CR_ACT_GP3_MIGRATION, CR_ACT_STORAGE_CLASS,
	CR_ACT_LOG_REDUCTION, CR_ACT_RETENTION, CR_ACT_NETWORK_PATH, CR_ACT_IDLE_DELETE,
	CR_ACT_PREVIOUS_GENERATION, CR_ACT_PRICING_MODE, CR_ACT_SCHEDULED_SCALING,
	CR_ACT_UPGRADE, CR_ACT_COUNT
};
const char *cr_action_name(enum cr_action a);          /* "weekend-shutdown" */
int cr_action_parse(const char *s);                    /* enum or -1 */

/*
 * Deduplication groups.  Rules of the same group on the same usage line are
 * alternatives: the best is proposed, the others are listed inside it and
 * never added to a total.  Groups stack multiplicatively on what remains.
 * schedule: off-hours, weekend-shutdown, spot, scheduled-scaling;
 * commitment: commitment; every other action is a group of its own.
 */
int cr_action_group(enum cr_action a);
const char *cr_action_group_name(int group);

enum cr_level { CR_LEVEL_LOW = 0, CR_LEVEL_MEDIUM = 1, CR_LEVEL_HIGH = 2 };
const char *cr_level_name(enum cr_level l);            /* "low", "medium", "high" */

/* Environments a rule applies to: a bit set of these. */
enum cr_env_bit {
	CR_ENV_PRODUCTION = 1 << 0, CR_ENV_STAGING = 1 << 1, CR_ENV_DEVELOPMENT = 1 << 2,
	CR_ENV_SANDBOX = 1 << 3, CR_ENV_SHARED = 1 << 4, CR_ENV_UNKNOWN = 1 << 5,
};
#define CR_ENV_NONPROD (CR_ENV_STAGING | CR_ENV_DEVELOPMENT | CR_ENV_SANDBOX)
#define CR_ENV_ANY (CR_ENV_PRODUCTION | CR_ENV_NONPROD | CR_ENV_SHARED | CR_ENV_UNKNOWN)
/* The bit of a canonical environment name; "" or NULL is CR_ENV_UNKNOWN. */
unsigned cr_env_bit(const char *env);

enum cr_model {
	CR_MODEL_FRACTION,        /* fraction x cost, with its cited basis */
	CR_MODEL_SCHEDULE,        /* instance hours switched off: measured from
	                             daily data (weekend spend + weekday nights),
	                             else (168 - hours_on_per_week) / 168 */
	CR_MODEL_WEEKEND,         /* measured Saturday + Sunday spend; else 48/168;
	                             nothing when weekend spend is already near zero */
	CR_MODEL_COMMITMENT,      /* lowest daily spend x days x discount */
	CR_MODEL_IDLE,            /* 100% of hours billed with no traffic: the line
	                             is idle when the account has no usage of the
	                             rule's `traffic` usage type (same Region
	                             prefix) in the period */
	CR_MODEL_AURORA_IO,       /* Aurora I/O-Optimized: I/O cost - 0.30 x
	                             instance cost - 1.25 x storage cost of the
	                             same account and Region; nothing below zero */
	CR_MODEL_COUNT
};
/* "fraction", "schedule", "weekend", "commitment-floor", "idle", "aurora-io-optimized" */
const char *cr_model_name(enum cr_model m);

/*
 * How sure a proposal's figure is.  measured: the data shows it (idle
 * hours with no traffic, weekend spend, the on-demand floor, the I/O
 * share); priced: a known price difference applied to measured spend
 * (gp2 -> gp3); estimate: a published typical fraction.  Headline totals
 * count measured and priced proposals only.
 */
enum cr_confidence { CR_CONF_MEASURED, CR_CONF_PRICED, CR_CONF_ESTIMATE, CR_CONF_COUNT };
const char *cr_confidence_name(enum cr_confidence c); /* "measured", "priced", "estimate" */
int cr_confidence_parse(const char *s);                /* enum or -1 */
/* The confidence a model gives when a rule names none: fraction is an
 * estimate, every other model measures. */
enum cr_confidence cr_model_confidence(enum cr_model m);

/*
 * The order measures are applied to one line, each on what the previous
 * leave: delete idle (idle-delete, upgrade) -> schedule (weekend-shutdown,
 * off-hours, scheduled-scaling) -> migrate / rightsize (every other
 * action) -> Spot -> commitment.
 */
enum cr_stage { CR_STAGE_IDLE, CR_STAGE_SCHEDULE, CR_STAGE_MIGRATE, CR_STAGE_SPOT,
		CR_STAGE_COMMITMENT, CR_STAGE_COUNT };
enum cr_stage cr_action_stage(enum cr_action a);
const char *cr_stage_name(enum cr_stage s);  /* "idle", "schedule", "migrate", "spot", "commitment" */

typedef struct cr_rule {
	char *id;
	char *title;
	enum cr_action action;
	char *service_glob;        /* glob on the Cost Explorer service name; "*" */
	char *usage_glob;          /* glob on the usage type */
	char *exclude_usage_glob;  /* NULL, or usage types to leave out */
	unsigned environments;     /* enum cr_env_bit set */
	bool on_demand_only;       /* only on-demand usage: never Spot or covered */
	double min_monthly_cost;   /* the line's cost must reach this (currency units) */
	enum cr_model model;
	double fraction;           /* FRACTION: 0..1 */
	double hours_on_per_week;  /* SCHEDULE: 0..168 */
	double discount;           /* COMMITMENT: 0..1 */
	char *traffic;             /* IDLE: the traffic usage type, "NatGateway-Bytes" */
	enum cr_confidence confidence; /* savings.confidence, else cr_model_confidence */
	char *basis;               /* where the figure comes from */
	enum cr_level effort, risk;
	char *rationale;
	char *reference;           /* URL of the published figure */
	char *title_ja, *rationale_ja, *basis_ja;  /* NULL: not translated */
	bool enabled;
	bool is_default;           /* from the built-in table (and not overridden) */
} cr_rule;

typedef struct cr_ruleset {
	cr_rule *v;
	size_t n;
} cr_ruleset;

/* The built-in table, as JSON text. */
const char *cr_rules_default_json(void);
/* Its Japanese texts: {"rules": {"ID": {"title", "rationale", "basis"}}}. */
const char *cr_rules_default_ja_json(void);

/* A rule's texts in the current language (costrank/i18n.h), English when
 * the rule has no translation; basis is "" when the rule gives none. */
const char *cr_rule_title(const cr_rule *r);
const char *cr_rule_rationale(const cr_rule *r);
const char *cr_rule_basis(const cr_rule *r);

/*
 * Loads the built-in table, then each file in order (NULL-terminated list,
 * may be NULL), adding or overriding rules by id.  On any problem returns
 * NULL with err set (CR_EXIT_INPUT); every problem found is also written,
 * one per line, to `problems` when it is not NULL (the first one is in err).
 */
cr_ruleset *cr_rules_load(const char *const *files, FILE *problems, cr_error *err);

/*
 * Validates one rule file on its own: returns the number of problems found
 * (0 = valid), writing each to `out` as "FILE:LINE:COLUMN: rule ID: msg".
 * Unknown keys, wrong types, bad globs, duplicate ids, fractions outside
 * 0..1, unknown actions, models, levels or environments, JSON syntax errors.
 * A text (title, rationale, savings.basis) given without its Japanese
 * translation is a warning, "FILE:LINE:COLUMN: rule ID: warning: ...",
 * written to `out` too and counted in *warnings (when not NULL), not in the
 * result.
 */
int cr_rules_check_file(const char *path, FILE *out, int *warnings);
/*
 * The whole of a rule file ("-": standard input, "<stdin>" in messages),
 * NUL-terminated, its length in *len; NULL with err set (CR_EXIT_INPUT) when
 * it cannot be read or holds more than CR_RULES_MAX_SIZE bytes, so that
 * /dev/zero or a runaway pipe is refused instead of filling the memory.
 */
#define CR_RULES_MAX_SIZE (4u << 20) /* 4 MiB; the built-in table is under 50 KB */
char *cr_rules_read(const char *path, size_t *len, cr_error *err);
/* The same on text in memory (name is used in messages). */
int cr_rules_check_text(const char *name, const char *text, size_t len, FILE *out,
			int *warnings);
/* The same on the built-in table and its Japanese catalogue: a rule of the
 * table the catalogue does not translate is a warning; an id in the
 * catalogue that names no rule, or a bad entry, is a problem. */
int cr_rules_check_builtin(FILE *out, int *warnings);

void cr_ruleset_free(cr_ruleset *rs);

/* Glob matching: '*', '?', '[abc]', '[a-z]', '[!x]', '{alt1,alt2}'.
 * cr_glob_valid returns NULL or a description of what is wrong. */
bool cr_glob_match(const char *glob, const char *s);
const char *cr_glob_valid(const char *glob);

/* Does rule r apply to a line of this service / usage type / environment? */
bool cr_rule_matches(const cr_rule *r, const char *service, const char *usage_type,
		     unsigned env_bit);

/*
 * Which daily data the enabled rules of rs need for one line (a usage type
 * of a service in an account of this environment, "" when unknown): every
 * source that books coarser data asks this before choosing what to pull
 * day by day.  A bit set of:
 *   CR_DAILY_MEASURED   a rule measures the line day by day (schedule,
 *                       weekend, commitment floor);
 *   CR_DAILY_ALL_KINDS  a schedule or weekend rule that is not limited to
 *                       on-demand usage: every charge kind, day by day;
 *   CR_DAILY_ON_DEMAND  an on-demand-only or commitment rule: the
 *                       on-demand usage, day by day.
 * 0 when rs is NULL or no rule matches.
 */
enum cr_daily_need {
	CR_DAILY_MEASURED = 1 << 0,
	CR_DAILY_ALL_KINDS = 1 << 1,
	CR_DAILY_ON_DEMAND = 1 << 2,
};
unsigned cr_rules_daily_need(const cr_ruleset *rs, const char *service,
			     const char *usage_type, const char *environment);

#endif
