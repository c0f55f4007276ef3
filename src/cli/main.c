/* main.c - costrank's entry point: dispatch to a subcommand, exit once. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli/commands.h"
#include "costrank/error.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
};

static const struct command commands[] = {
	{ "report", cmd_report, "rank spend per account, service and usage type; write reports" },
	{ "rules", cmd_rules, "list, show and check the savings rule table" },
	{ NULL, NULL, NULL },
};

static void usage(FILE *out)
{
	fputs("usage: costrank [--version] [--help] COMMAND [options]\n"
	      "\n"
	      "Cloud cost analysis for the monthly FinOps run: per account, the top\n"
	      "services and their top usage types, with month-over-month change.\n"
	      "\n"
	      "Commands:\n", out);
	for (const struct command *c = commands; c->name; c++)
		fprintf(out, "  %-10s %s\n", c->name, c->help);
	fputs("\n"
	      "Examples:\n"
	      "  costrank report samples/cur2\n"
	      "  costrank report --month 2026-10 --format json --out reports exports/\n"
	      "\n"
	      "'costrank COMMAND --help' describes a command's options.\n", out);
}

/* Write errors on stdout (a full disk, a closed pipe) must not pass silently. */
static int finish(int code)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		if (code == 0) {
			fprintf(stderr, "costrank: error: cannot write to standard output: %s\n",
				strerror(errno));
			code = CR_EXIT_OUTPUT;
		}
	}
	return code;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return CR_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return finish(0);
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("costrank %s\n", COSTRANK_VERSION);
		return finish(0);
	}
	for (const struct command *c = commands; c->name; c++)
		if (!strcmp(argv[1], c->name))
			return finish(c->run(argc - 2, argv + 2));
	fprintf(stderr, "costrank: error: unknown command '%s'; see 'costrank --help'\n", argv[1]);
	return CR_EXIT_USAGE;
}
