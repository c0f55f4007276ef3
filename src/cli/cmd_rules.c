/* cmd_rules.c - `costrank rules`: list, show and check the savings rule table. */
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "cli/options.h"
#include "costrank/buf.h"
#include "costrank/rules.h"
#include "costrank/i18n.h"

enum { OPT_RULES = 1, OPT_STRICT, OPT_LANG, OPT_HELP };

static const struct cr_option rules_options[] = {
	{ "rules", 'r', true, OPT_RULES, "FILE", N_("rule file adding or overriding rules by id (repeatable; list, show)") },
	{ "strict", 0, false, OPT_STRICT, NULL, N_("check: warnings (a text without its Japanese translation) are problems too") },
	{ "lang", 0, true, OPT_LANG, "LANG", N_("language of the help and the messages: en or ja (default: LC_ALL, LC_MESSAGES, LANG; else en)") },
	{ "help", 'h', false, OPT_HELP, NULL, N_("show this help") },
	{ NULL, 0, false, 0, NULL, NULL },
};

static const char *const rules_usage = N_(
	"usage: costrank rules list [--rules FILE]...\n"
	"       costrank rules show [--rules FILE]...\n"
	"       costrank rules check [--strict] [FILE...]\n"
	"\n"
	"The savings rule table: which spend each measure applies to (service and\n"
	"usage-type globs, environments, on-demand only, a minimum monthly cost), how\n"
	"its saving is estimated, and how hard and risky it is.  The built-in table is\n"
	"compiled in; rule files given with --rules add rules or change built-in ones\n"
	"by id, in order (\"enabled\": false turns one off).\n"
	"\n"
	"Subcommands:\n"
	"  list     one line per rule of the effective table\n"
	"  show     the effective table as JSON: a rule file that loads again\n"
	"  check    validate rule files (without FILE: the built-in table and its\n"
	"           Japanese texts); every problem as FILE:LINE:COLUMN: rule ID: ...\n"
	"\n"
	"A title, rationale or savings basis is a string (English) or\n"
	"{\"en\": \"...\", \"ja\": \"...\"}; check warns about a text without Japanese.\n"
	"\n");

static const char *const rules_examples = N_(
	"\n"
	"Examples:\n"
	"  costrank rules list\n"
	"  costrank rules list --rules team-rules.json\n"
	"  costrank rules show > my-rules.json\n"
	"  costrank rules check team-rules.json\n"
	"  costrank rules check --strict      (the built-in table fully translated?)\n"
	"  echo '{\"rules\": [{\"id\": \"ec2-spot-production\", \"enabled\": false}]}' > off.json\n"
	"  costrank rules list --rules off.json\n"
	"\n"
	"Exit codes: 0 ok, 2 usage, 3 a rule file has problems.\n");

struct rules_config {
	const char **files;        /* NULL-terminated */
	size_t nfiles;
	bool help, strict;
};

static int on_option(void *ctx, int id, const char *v, cr_error *err)
{
	struct rules_config *c = ctx;

	switch (id) {
	case OPT_RULES:
		if (!*v)
			return cr_error_set(err, CR_EXIT_USAGE, _("--rules needs a file"));
		c->files[c->nfiles++] = v;
		return 0;
	case OPT_STRICT:
		c->strict = true;
		return 0;
	case OPT_LANG:
		return cr_i18n_set(v, err);
	case OPT_HELP:
		c->help = true;
		return 0;
	}
	return 0;
}

static void help(FILE *out)
{
	fputs(_(rules_usage), out);
	fputs(_("Options:\n"), out);
	cr_options_print(rules_options, out);
	fputs(_(rules_examples), out);
}

/* Prints each line of a problem report on stderr after "costrank: ";
 * returns the number of lines. */
static int print_problems(const char *text)
{
	int n = 0;

	while (text && *text) {
		const char *nl = strchr(text, '\n');
		int len = nl ? (int)(nl - text) : (int)strlen(text);
		fprintf(stderr, "costrank: %.*s\n", len, text);
		n++;
		text += len + (nl ? 1 : 0);
	}
	return n;
}

/* Loads the effective table, printing every problem; NULL after errors. */
static cr_ruleset *load(const struct rules_config *c, int *code)
{
	char *report = NULL;
	size_t report_len = 0;
	FILE *mem = open_memstream(&report, &report_len);
	cr_error err = { 0 };
	cr_ruleset *rs = cr_rules_load(c->files, mem, &err);
	int n;

	if (mem)
		fclose(mem);
	if (rs) {
		free(report);
		return rs;
	}
	n = print_problems(report);
	free(report);
	if (err.code == CR_EXIT_INPUT && n > 0) {
		fprintf(stderr, "costrank: error: %d problem%s in the rule files "
			"(see 'costrank rules check FILE')\n", n, n == 1 ? "" : "s");
	} else {
		cr_cli_error(err.msg);
	}
	*code = err.code ? err.code : CR_EXIT_INTERNAL;
	return NULL;
}

/* "any", "non-production", "production<sep>shared"... */
static void env_text(cr_buf *b, unsigned bits, const char *sep)
{
	static const char *const names[] = {
		"production", "staging", "development", "sandbox", "shared", "unknown",
	};
	bool first = true;

	if ((bits & CR_ENV_ANY) == CR_ENV_ANY) {
		cr_buf_adds(b, "any");
		return;
	}
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
		unsigned bit = cr_env_bit(names[i]);
		if (!(bits & bit))
			continue;
		if ((bits & CR_ENV_NONPROD) == CR_ENV_NONPROD && (bit & CR_ENV_NONPROD)) {
			if (bit != CR_ENV_STAGING)
				continue;
			cr_buf_addf(b, "%snon-production", first ? "" : sep);
		} else {
			cr_buf_addf(b, "%s%s", first ? "" : sep, names[i]);
		}
		first = false;
	}
}

static void savings_text(cr_buf *b, const cr_rule *r)
{
	cr_buf_adds(b, cr_model_name(r->model));
	if (r->model == CR_MODEL_FRACTION)
		cr_buf_addf(b, " %.2f", r->fraction);
	else if (r->model == CR_MODEL_SCHEDULE)
		cr_buf_addf(b, " %gh/wk on", r->hours_on_per_week);
	else if (r->model == CR_MODEL_COMMITMENT)
		cr_buf_addf(b, " %.2f", r->discount);
	else if (r->model == CR_MODEL_IDLE && r->traffic)
		cr_buf_addf(b, " %s", r->traffic);
}

static int list(const cr_ruleset *rs)
{
	int wid = 2, wact = 6, wlev = 11, wenv = 12, wsav = 7;
	cr_buf env = CR_BUF_INIT, sav = CR_BUF_INIT;

	for (size_t i = 0; i < rs->n; i++) {
		const cr_rule *r = &rs->v[i];
		int l;
		if ((l = (int)strlen(r->id)) > wid)
			wid = l;
		if ((l = (int)strlen(cr_action_name(r->action))) > wact)
			wact = l;
		l = (int)(strlen(cr_level_name(r->effort)) + 1 + strlen(cr_level_name(r->risk)));
		if (l > wlev)
			wlev = l;
		cr_buf_reset(&env);
		env_text(&env, r->environments, ",");
		if ((int)env.len > wenv)
			wenv = (int)env.len;
		cr_buf_reset(&sav);
		savings_text(&sav, r);
		if ((int)sav.len > wsav)
			wsav = (int)sav.len;
	}
	printf("%-*s  %-*s  %-*s  %-*s  %-*s  %-8s  %s\n", wid, "ID", wact, "ACTION",
	       wlev, "EFFORT/RISK", wenv, "ENVIRONMENTS", wsav, "SAVINGS", "STATE", "MATCH");
	for (size_t i = 0; i < rs->n; i++) {
		const cr_rule *r = &rs->v[i];
		char levels[32];

		cr_buf_reset(&env);
		env_text(&env, r->environments, ",");
		cr_buf_reset(&sav);
		savings_text(&sav, r);
		snprintf(levels, sizeof levels, "%s/%s", cr_level_name(r->effort),
			 cr_level_name(r->risk));
		printf("%-*s  %-*s  %-*s  %-*s  %-*s  %-8s  [%s] %s", wid, r->id, wact,
		       cr_action_name(r->action), wlev, levels, wenv, env.ptr, wsav, sav.ptr,
		       r->enabled ? "enabled" : "disabled", r->service_glob, r->usage_glob);
		if (r->exclude_usage_glob)
			printf(" except %s", r->exclude_usage_glob);
		if (r->on_demand_only)
			printf(", on-demand only");
		if (r->min_monthly_cost > 0)
			printf(", from %g a month", r->min_monthly_cost);
		putchar('\n');
	}
	cr_buf_release(&env);
	cr_buf_release(&sav);
	return 0;
}

/* Whole numbers are written as integers, the rest with up to 15 digits. */
static json_t *number(double d)
{
	if (d == floor(d) && fabs(d) < 1e15)
		return json_integer((json_int_t)d);
	return json_real(d);
}

/* A text as a rule file gives it: a string, or {"en", "ja"} when translated. */
static json_t *text_json(const char *en, const char *ja)
{
	json_t *o;

	if (!ja)
		return json_string(en);
	o = json_object();
	json_object_set_new(o, "en", json_string(en));
	json_object_set_new(o, "ja", json_string(ja));
	return o;
}

static json_t *rule_json(const cr_rule *r)
{
	json_t *o = json_object(), *match = json_object(), *sav = json_object();
	json_t *envs = json_array();
	cr_buf env = CR_BUF_INIT;
	char *save = NULL;

	json_object_set_new(o, "id", json_string(r->id));
	json_object_set_new(o, "title", text_json(r->title, r->title_ja));
	json_object_set_new(o, "action", json_string(cr_action_name(r->action)));
	json_object_set_new(match, "service", json_string(r->service_glob));
	json_object_set_new(match, "usage_type", json_string(r->usage_glob));
	if (r->exclude_usage_glob)
		json_object_set_new(match, "exclude_usage_type", json_string(r->exclude_usage_glob));
	json_object_set_new(o, "match", match);
	env_text(&env, r->environments, ",");
	for (char *tok = strtok_r(env.ptr, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		json_array_append_new(envs, json_string(tok));
	cr_buf_release(&env);
	json_object_set_new(o, "environments", envs);
	json_object_set_new(o, "on_demand_only", json_boolean(r->on_demand_only));
	json_object_set_new(o, "min_monthly_cost", number(r->min_monthly_cost));
	json_object_set_new(sav, "model", json_string(cr_model_name(r->model)));
	if (r->model == CR_MODEL_FRACTION)
		json_object_set_new(sav, "fraction", number(r->fraction));
	else if (r->model == CR_MODEL_SCHEDULE)
		json_object_set_new(sav, "hours_on_per_week", number(r->hours_on_per_week));
	else if (r->model == CR_MODEL_COMMITMENT)
		json_object_set_new(sav, "discount", number(r->discount));
	else if (r->model == CR_MODEL_IDLE && r->traffic)
		json_object_set_new(sav, "traffic", json_string(r->traffic));
	json_object_set_new(sav, "confidence", json_string(cr_confidence_name(r->confidence)));
	if (r->basis)
		json_object_set_new(sav, "basis", text_json(r->basis, r->basis_ja));
	json_object_set_new(o, "savings", sav);
	json_object_set_new(o, "effort", json_string(cr_level_name(r->effort)));
	json_object_set_new(o, "risk", json_string(cr_level_name(r->risk)));
	json_object_set_new(o, "rationale", text_json(r->rationale, r->rationale_ja));
	json_object_set_new(o, "reference", json_string(r->reference));
	json_object_set_new(o, "enabled", json_boolean(r->enabled));
	return o;
}

static int show(const cr_ruleset *rs)
{
	json_t *root = json_object(), *arr = json_array();
	int rc;

	for (size_t i = 0; i < rs->n; i++)
		json_array_append_new(arr, rule_json(&rs->v[i]));
	json_object_set_new(root, "rules", arr);
	rc = json_dumpf(root, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER |
			JSON_REAL_PRECISION(15));
	json_decref(root);
	if (rc == 0)
		putchar('\n');
	return 0;
}

/* How many rules a file that passed the check holds. */
static size_t count_rules(const char *text, size_t len)
{
	json_t *root = json_loadb(text, len, 0, NULL);
	size_t n = json_array_size(json_object_get(root, "rules"));

	json_decref(root);
	return n;
}

/* "NAME: ok (N rules)" or the count of problems; warnings are problems
 * with --strict. */
static int verdict(const char *name, int problems, int warnings, bool strict, size_t nrules)
{
	if (warnings && strict)
		problems += warnings;
	if (problems) {
		fprintf(stderr, "costrank: %d problem%s in %s\n", problems, problems == 1 ? "" : "s",
			name);
		return CR_EXIT_INPUT;
	}
	printf("%s: ok (%zu rules", name, nrules);
	if (warnings)
		printf(", %d warning%s", warnings, warnings == 1 ? "" : "s");
	printf(")\n");
	return 0;
}

/* Collects what a check writes, then prints it after "costrank: ". */
static int check_builtin(bool strict)
{
	char *report = NULL;
	size_t report_len = 0;
	FILE *mem = open_memstream(&report, &report_len);
	int warnings = 0, n;
	size_t nrules = 0;
	cr_error err = { 0 };
	cr_ruleset *rs;

	if (!mem) {
		cr_cli_error("out of memory");
		return CR_EXIT_INTERNAL;
	}
	n = cr_rules_check_builtin(mem, &warnings);
	fclose(mem);
	print_problems(report);
	free(report);
	if ((rs = cr_rules_load(NULL, NULL, &err)))
		nrules = rs->n;
	cr_ruleset_free(rs);
	return verdict("<built-in rules>", n, warnings, strict, nrules);
}

static int check(char **files, int nfiles, bool strict)
{
	int code = 0;

	for (int i = 0; i < nfiles; i++) {
		const char *name = strcmp(files[i], "-") == 0 ? "<stdin>" : files[i];
		char *report = NULL, *text;
		size_t report_len = 0, len = 0;
		cr_error err = { 0 };
		FILE *mem = open_memstream(&report, &report_len);
		int n, warnings = 0;

		if (!mem) {
			cr_cli_error("out of memory");
			return CR_EXIT_INTERNAL;
		}
		text = cr_rules_read(files[i], &len, &err);
		if (text) {
			n = cr_rules_check_text(name, text, len, mem, &warnings);
		} else {
			fprintf(mem, "%s\n", err.msg);
			n = 1;
		}
		fclose(mem);
		print_problems(report);
		free(report);
		if (verdict(name, n, warnings, strict, n ? 0 : count_rules(text, len)))
			code = CR_EXIT_INPUT;
		free(text);
	}
	return code;
}

int cmd_rules(int argc, char **argv)
{
	struct rules_config c = { 0 };
	cr_error err = { 0 };
	char **args = NULL;
	const char *sub;
	int nargs = 0, code = 0;
	cr_ruleset *rs = NULL;

	if (argc < 1) {
		help(stderr);
		return CR_EXIT_USAGE;
	}
	sub = argv[0];
	if (!strcmp(sub, "--help") || !strcmp(sub, "-h") || !strcmp(sub, "help")) {
		help(stdout);
		return 0;
	}
	if (strcmp(sub, "list") && strcmp(sub, "show") && strcmp(sub, "check")) {
		fprintf(stderr, "costrank: error: ");
		fprintf(stderr, _("unknown rules subcommand '%s' (known: list, show, check); "
				  "see 'costrank rules --help'"), sub);
		fputc('\n', stderr);
		return CR_EXIT_USAGE;
	}
	c.files = cr_xcalloc((size_t)argc + 1, sizeof *c.files);
	args = cr_xcalloc((size_t)argc + 1, sizeof *args);
	if (cr_options_parse(rules_options, "rules", argc - 1, argv + 1, on_option, &c, args,
			     &nargs, &err))
		goto done;
	if (c.help) {
		help(stdout);
		goto done;
	}
	if (!strcmp(sub, "check")) {
		if (c.nfiles)
			cr_error_set(&err, CR_EXIT_USAGE, _("rules check takes the files themselves, "
				     "not --rules: costrank rules check FILE..."));
		else if (nargs == 0)
			code = check_builtin(c.strict);
		else
			code = check(args, nargs, c.strict);
		goto done;
	}
	if (c.strict) {
		cr_error_set(&err, CR_EXIT_USAGE, _("--strict is an option of rules check"));
		goto done;
	}
	if (nargs > 0) {
		cr_error_set(&err, CR_EXIT_USAGE, _("rules %s takes no arguments ('%s'); "
			     "give rule files with --rules FILE"), sub, args[0]);
		goto done;
	}
	if (!(rs = load(&c, &code)))
		goto done;
	code = !strcmp(sub, "list") ? list(rs) : show(rs);
done:
	if (err.code) {
		cr_cli_error(err.msg);
		code = err.code;
	}
	cr_ruleset_free(rs);
	free(c.files);
	free(args);
	return code;
}
