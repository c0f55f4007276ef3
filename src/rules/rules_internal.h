/*
 * rules_internal.h - shared by the files of the rules module (rules.c,
 * rules_load.c, rules_check.c); not part of the API.
 */
#ifndef COSTRANK_RULES_INTERNAL_H
#define COSTRANK_RULES_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "costrank/error.h"
#include "costrank/rules.h"

/* The keys a rule entry gave (an override changes only these). */
enum cr_rule_field {
	CR_F_ID = 1 << 0, CR_F_TITLE = 1 << 1, CR_F_ACTION = 1 << 2, CR_F_MATCH = 1 << 3,
	CR_F_SERVICE = 1 << 4, CR_F_USAGE = 1 << 5, CR_F_EXCLUDE = 1 << 6, CR_F_ENVS = 1 << 7,
	CR_F_ON_DEMAND = 1 << 8, CR_F_MIN_COST = 1 << 9, CR_F_SAVINGS = 1 << 10,
	CR_F_EFFORT = 1 << 11, CR_F_RISK = 1 << 12, CR_F_RATIONALE = 1 << 13,
	CR_F_REFERENCE = 1 << 14, CR_F_ENABLED = 1 << 15,
};
#define CR_F_REQUIRED (CR_F_ID | CR_F_TITLE | CR_F_ACTION | CR_F_USAGE | CR_F_ENVS | \
		       CR_F_SAVINGS | CR_F_EFFORT | CR_F_RISK | CR_F_RATIONALE | CR_F_REFERENCE)

/* One entry of a rule file as read: the values it gave, and whether any of
 * them had a problem (then it is never applied). */
struct cr_rule_draft {
	cr_rule r;
	unsigned given;            /* enum cr_rule_field set */
	bool bad;
};

/* The built-in table's Japanese catalogue (default_rules.ja.json), read. */
struct json_t;
struct cr_rules_ja {
	struct json_t *root;
	const struct json_t *rules;   /* {"ID": {"title", "rationale", "basis"}} */
};

/*
 * Reads and validates the catalogue text: every problem is written to out
 * (when not NULL) as "NAME:LINE:COLUMN: message" and counted in the result;
 * ids that name no rule of `table` (when not NULL) are problems too.
 * Release with cr_rules_ja_release, also after problems.
 */
int cr_rules_ja_read(const char *name, const char *text, size_t len, const cr_ruleset *table,
		     struct cr_rules_ja *ja, FILE *out);
void cr_rules_ja_release(struct cr_rules_ja *ja);

/*
 * Parses and validates one rule file's text.  `base` holds the rules that
 * exist already (an entry whose id is among them may be partial); may be
 * NULL.  `ja`, when not NULL, translates the texts an entry gives in
 * English only (the built-in table's catalogue).  Every problem is written
 * to `out` (when not NULL) as "NAME:LINE:COLUMN: rule ID: message"; the
 * first also goes to err.  When `warnings` is not NULL, a text left without
 * Japanese is a warning, written to out too and counted there.
 * The entries read are returned in *drafts (free with cr_rule_drafts_free),
 * bad ones included.  Returns the number of problems (warnings not counted).
 */
int cr_rules_parse(const char *name, const char *text, size_t len, const cr_ruleset *base,
		   const struct cr_rules_ja *ja, FILE *out, cr_error *err,
		   struct cr_rule_draft **drafts, size_t *ndrafts, int *warnings);

void cr_rule_drafts_free(struct cr_rule_draft *d, size_t n);

/* Frees what a rule owns (not the rule itself). */
void cr_rule_release(cr_rule *r);

/* The rule with this id, or NULL. */
const cr_rule *cr_ruleset_find(const cr_ruleset *rs, const char *id);

/* Names of levels and environments, for the parser. */
int cr_level_parse(const char *s);                     /* enum or -1 */
int cr_model_parse(const char *s);                     /* enum or -1 */

#endif
