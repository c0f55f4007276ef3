/*
 * rules_load.c - the effective rule table: the built-in table, then rule
 * files in order, adding rules or overriding them by id.
 */
#include <errno.h>
#include <stdbool.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "costrank/buf.h"
#include "rules/rules_internal.h"

/* Moves *from into *to when the field was given (strings change hands). */
static void take_str(char **to, char **from)
{
	free(*to);
	*to = *from;
	*from = NULL;
}

/* Applies what an entry gave to the rule it names (a new one is zeroed). */
static void apply(cr_rule *r, struct cr_rule_draft *d)
{
	unsigned g = d->given;

	if (g & CR_F_ID)
		take_str(&r->id, &d->r.id);
	/* a text given replaces both languages: a translation of the
	 * text it replaces would be wrong */
	if (g & CR_F_TITLE) {
		take_str(&r->title, &d->r.title);
		take_str(&r->title_ja, &d->r.title_ja);
	}
	if (g & CR_F_ACTION)
		r->action = d->r.action;
	if (g & CR_F_SERVICE)
		take_str(&r->service_glob, &d->r.service_glob);
	if (g & CR_F_USAGE)
		take_str(&r->usage_glob, &d->r.usage_glob);
	if (g & CR_F_EXCLUDE)
		take_str(&r->exclude_usage_glob, &d->r.exclude_usage_glob);
	if (g & CR_F_ENVS)
		r->environments = d->r.environments;
	if (g & CR_F_ON_DEMAND)
		r->on_demand_only = d->r.on_demand_only;
	if (g & CR_F_MIN_COST)
		r->min_monthly_cost = d->r.min_monthly_cost;
	if (g & CR_F_SAVINGS) {
		r->model = d->r.model;
		r->fraction = d->r.fraction;
		r->hours_on_per_week = d->r.hours_on_per_week;
		r->discount = d->r.discount;
		r->confidence = d->r.confidence;
		take_str(&r->traffic, &d->r.traffic);
		take_str(&r->basis, &d->r.basis);
		take_str(&r->basis_ja, &d->r.basis_ja);
	}
	if (g & CR_F_EFFORT)
		r->effort = d->r.effort;
	if (g & CR_F_RISK)
		r->risk = d->r.risk;
	if (g & CR_F_RATIONALE) {
		take_str(&r->rationale, &d->r.rationale);
		take_str(&r->rationale_ja, &d->r.rationale_ja);
	}
	if (g & CR_F_REFERENCE)
		take_str(&r->reference, &d->r.reference);
	if (g & CR_F_ENABLED)
		r->enabled = d->r.enabled;
	if (!r->service_glob)
		r->service_glob = cr_xstrdup("*");
}

/* Adds or overrides the good entries of one file. */
static void merge(cr_ruleset *rs, struct cr_rule_draft *d, size_t n, bool is_default)
{
	for (size_t i = 0; i < n; i++) {
		cr_rule *r;

		if (d[i].bad)
			continue;
		r = (cr_rule *)cr_ruleset_find(rs, d[i].r.id);
		if (!r) {
			rs->v = cr_xrealloc(rs->v, (rs->n + 1) * sizeof *rs->v);
			r = &rs->v[rs->n++];
			memset(r, 0, sizeof *r);
			r->enabled = true;
		}
		apply(r, &d[i]);
		r->is_default = is_default;
	}
}

#define BUILTIN_NAME "<built-in rules>"
#define BUILTIN_JA_NAME "<built-in rules, Japanese>"

/* The built-in table with its translations; NULL with err set (an
 * internal error) if either is bad.  With `warnings`, a rule without its
 * translation is counted there and written to `problems`. */
static cr_ruleset *builtin(FILE *problems, int *warnings, cr_error *err)
{
	const char *text = cr_rules_default_json(), *ja_text = cr_rules_default_ja_json();
	struct cr_rules_ja ja;
	struct cr_rule_draft *d = NULL;
	size_t n = 0;
	cr_ruleset *rs = cr_xcalloc(1, sizeof *rs);
	cr_error e = { 0 };

	if (cr_rules_ja_read(BUILTIN_JA_NAME, ja_text, strlen(ja_text), NULL, &ja, problems)) {
		cr_error_set(&e, CR_EXIT_INTERNAL, "%s: the Japanese catalogue has problems",
			     BUILTIN_JA_NAME);
	} else if (!cr_rules_parse(BUILTIN_NAME, text, strlen(text), NULL, &ja, problems, &e, &d,
				   &n, warnings)) {
		merge(rs, d, n, true);
		cr_rule_drafts_free(d, n);
		cr_rules_ja_release(&ja);
		return rs;
	}
	cr_rules_ja_release(&ja);
	cr_rule_drafts_free(d, n);
	cr_ruleset_free(rs);
	cr_error_set(err, CR_EXIT_INTERNAL, "%s", e.msg);
	return NULL;
}

static cr_ruleset *load_default(FILE *problems, cr_error *err)
{
	return builtin(problems, NULL, err);
}

int cr_rules_check_builtin(FILE *out, int *warnings)
{
	const char *ja_text = cr_rules_default_ja_json();
	struct cr_rules_ja ja;
	cr_error err = { 0 };
	cr_ruleset *rs;
	int problems;

	*warnings = 0;
	rs = builtin(out, warnings, &err);
	if (!rs)
		return 1;
	/* now that the table is known: the catalogue names only its rules */
	problems = cr_rules_ja_read(BUILTIN_JA_NAME, ja_text, strlen(ja_text), rs, &ja, out);
	cr_rules_ja_release(&ja);
	cr_ruleset_free(rs);
	return problems;
}

char *cr_rules_read(const char *path, size_t *len, cr_error *err)
{
	bool in = strcmp(path, "-") == 0;
	const char *name = in ? "<stdin>" : path;
	int fd = in ? STDIN_FILENO : open(path, O_RDONLY | O_CLOEXEC);
	cr_buf b = CR_BUF_INIT;
	int rc;

	if (fd < 0) {
		cr_error_errno(err, CR_EXIT_INPUT, errno, "%s: cannot open", name);
		return NULL;
	}
	rc = cr_buf_read_fd(&b, fd, CR_RULES_MAX_SIZE);
	if (rc < 0)
		cr_error_errno(err, CR_EXIT_INPUT, errno, "%s: cannot read", name);
	else if (rc > 0)
		cr_error_set(err, CR_EXIT_INPUT,
			     "%s: larger than %u bytes, too large for a rule file", name,
			     CR_RULES_MAX_SIZE);
	if (!in)
		close(fd);
	if (rc != 0) {
		cr_buf_release(&b);
		return NULL;
	}
	*len = b.len;
	return cr_buf_detach(&b);
}

cr_ruleset *cr_rules_load(const char *const *files, FILE *problems, cr_error *err)
{
	cr_ruleset *rs = load_default(problems, err);
	int total = 0;

	if (!rs)
		return NULL;
	for (size_t f = 0; files && files[f]; f++) {
		struct cr_rule_draft *d;
		size_t n, len;
		cr_error e = { 0 };
		char *text = cr_rules_read(files[f], &len, &e);

		if (!text) {
			/* an unreadable file is one problem among the others */
			if (problems)
				fprintf(problems, "%s\n", e.msg);
			cr_error_set(err, CR_EXIT_INPUT, "%s", e.msg);
			total++;
			continue;
		}
		total += cr_rules_parse(files[f], text, len, rs, NULL, problems, err, &d, &n, NULL);
		merge(rs, d, n, false);
		cr_rule_drafts_free(d, n);
		free(text);
	}
	if (total) {
		cr_ruleset_free(rs);
		return NULL;
	}
	return rs;
}

int cr_rules_check_text(const char *name, const char *text, size_t len, FILE *out,
			int *warnings)
{
	cr_error err = { 0 };
	cr_ruleset *base = load_default(out, &err);
	struct cr_rule_draft *d;
	size_t n;
	int problems;

	if (!base)
		return 1;
	if (warnings)
		*warnings = 0;
	problems = cr_rules_parse(name, text, len, base, NULL, out, &err, &d, &n, warnings);
	cr_rule_drafts_free(d, n);
	cr_ruleset_free(base);
	return problems;
}

int cr_rules_check_file(const char *path, FILE *out, int *warnings)
{
	cr_error err = { 0 };
	size_t len;
	char *text = cr_rules_read(path, &len, &err);
	int problems;

	if (!text) {
		if (out)
			fprintf(out, "%s\n", err.msg);
		return 1;
	}
	problems = cr_rules_check_text(path, text, len, out, warnings);
	free(text);
	return problems;
}
