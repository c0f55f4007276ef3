/* options.c - see options.h */
#include <stdio.h>
#include <string.h>

#include "costrank/hint.h"
#include "cli/options.h"
#include "costrank/i18n.h"

static int unknown(const struct cr_option *opts, const char *command,
		   const char *arg, size_t len, cr_error *err)
{
	const char *best = NULL;
	size_t best_d = 3;
	char name[64];

	snprintf(name, sizeof name, "%.*s", (int)(len < 60 ? len : 60), arg);
	for (const struct cr_option *o = opts; o->long_name; o++) {
		size_t d = cr_edit_distance(name, o->long_name);
		if (d < best_d) {
			best_d = d;
			best = o->long_name;
		}
	}
	if (best)
		return cr_error_set(err, CR_EXIT_USAGE,
				    _("unknown option '--%s' (did you mean --%s?); see 'costrank %s --help'"),
				    name, best, command);
	return cr_error_set(err, CR_EXIT_USAGE, _("unknown option '--%s'; see 'costrank %s --help'"),
			    name, command);
}

int cr_options_parse(const struct cr_option *opts, const char *command,
		     int argc, char **argv, cr_option_fn fn, void *ctx,
		     char **args, int *nargs, cr_error *err)
{
	bool only_args = false;

	*nargs = 0;
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		const struct cr_option *o = NULL;
		const char *value = NULL;

		if (only_args || a[0] != '-' || strcmp(a, "-") == 0) {
			args[(*nargs)++] = argv[i];
			continue;
		}
		if (strcmp(a, "--") == 0) {
			only_args = true;
			continue;
		}
		if (a[1] == '-') {
			const char *name = a + 2, *eq = strchr(name, '=');
			size_t len = eq ? (size_t)(eq - name) : strlen(name);
			for (o = opts; o->long_name; o++)
				if (strlen(o->long_name) == len && !strncmp(o->long_name, name, len))
					break;
			if (!o->long_name)
				return unknown(opts, command, name, len, err);
			if (eq) {
				if (!o->takes_value)
					return cr_error_set(err, CR_EXIT_USAGE,
							    _("option --%s takes no value"), o->long_name);
				value = eq + 1;
			}
		} else {
			for (o = opts; o->long_name; o++)
				if (o->short_name && o->short_name == a[1])
					break;
			if (!o->long_name)
				return cr_error_set(err, CR_EXIT_USAGE,
						    _("unknown option '-%c'; see 'costrank %s --help'"),
						    a[1], command);
			if (a[2]) {
				if (!o->takes_value)
					return cr_error_set(err, CR_EXIT_USAGE,
							    _("unknown option '%s'; see 'costrank %s --help'"),
							    a, command);
				value = a + 2;
			}
		}
		if (o->takes_value && !value) {
			if (i + 1 >= argc)
				return cr_error_set(err, CR_EXIT_USAGE,
						    _("option --%s needs a value (%s)"), o->long_name,
						    o->metavar ? o->metavar : "VALUE");
			value = argv[++i];
		}
		if (fn(ctx, o->id, value, err))
			return -1;
	}
	return 0;
}

void cr_options_print(const struct cr_option *opts, FILE *out)
{
	for (const struct cr_option *o = opts; o->long_name; o++) {
		char left[64];
		if (o->short_name)
			snprintf(left, sizeof left, "-%c, --%s%s%s", o->short_name, o->long_name,
				 o->takes_value ? " " : "", o->takes_value ? o->metavar : "");
		else
			snprintf(left, sizeof left, "    --%s%s%s", o->long_name,
				 o->takes_value ? " " : "", o->takes_value ? o->metavar : "");
		fprintf(out, "  %-28s %s\n", left, _(o->help));
	}
}
