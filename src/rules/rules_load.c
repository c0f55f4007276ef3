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
	if (g & CR_F_TITLE)
		take_str(&r->title, &d->r.title);
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
	}
	if (g & CR_F_EFFORT)
		r->effort = d->r.effort;
	if (g & CR_F_RISK)
		r->risk = d->r.risk;
	if (g & CR_F_RATIONALE)
		take_str(&r->rationale, &d->r.rationale);
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

/* The built-in table; NULL with err set (an internal error) if it is bad. */
static cr_ruleset *load_default(FILE *problems, cr_error *err)
{
	const char *text = cr_rules_default_json();
	struct cr_rule_draft *d;
	size_t n;
	cr_ruleset *rs = cr_xcalloc(1, sizeof *rs);
	cr_error e = { 0 };

	if (cr_rules_parse("<built-in rules>", text, strlen(text), NULL, problems, &e, &d, &n)) {
		cr_rule_drafts_free(d, n);
		cr_ruleset_free(rs);
		cr_error_set(err, CR_EXIT_INTERNAL, "%s", e.msg);
		return NULL;
	}
	merge(rs, d, n, true);
	cr_rule_drafts_free(d, n);
	return rs;
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
		total += cr_rules_parse(files[f], text, len, rs, problems, err, &d, &n);
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

int cr_rules_check_text(const char *name, const char *text, size_t len, FILE *out)
{
	cr_error err = { 0 };
	cr_ruleset *base = load_default(out, &err);
	struct cr_rule_draft *d;
	size_t n;
	int problems;

	if (!base)
		return 1;
	problems = cr_rules_parse(name, text, len, base, out, &err, &d, &n);
	cr_rule_drafts_free(d, n);
	cr_ruleset_free(base);
	return problems;
}

int cr_rules_check_file(const char *path, FILE *out)
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
	problems = cr_rules_check_text(path, text, len, out);
	free(text);
	return problems;
}
