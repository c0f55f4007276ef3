/* main.c - costrank's entry point: dispatch to a subcommand, exit once. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "costrank/error.h"
#include "costrank/i18n.h"
#include "costrank/proc.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
};

static const struct command commands[] = {
	{ "report", cmd_report, N_("rank spend per account, service and usage type; write reports") },
	{ "rules", cmd_rules, N_("list, show and check the savings rule table") },
	{ NULL, NULL, NULL },
};

static void usage(FILE *out)
{
	fputs(_("usage: costrank [--version] [--help] [--lang LANG] COMMAND [options]\n"
		"\n"
		"Cloud cost analysis for the monthly FinOps run: per account, the top\n"
		"services and their top usage types, with month-over-month change.\n"
		"\n"
		"Commands:\n"), out);
	for (const struct command *c = commands; c->name; c++)
		fprintf(out, "  %-10s %s\n", c->name, _(c->help));
	fputs(_("\n"
		"Examples:\n"
		"  costrank report samples/cur2\n"
		"  costrank report --month 2026-10 --format json --out reports exports/\n"
		"  costrank --lang ja report --help\n"
		"\n"
		"'costrank COMMAND --help' describes a command's options.\n"), out);
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

/*
 * SIGINT, SIGTERM, SIGHUP: no temporary file stays behind, and the run
 * ends by the same signal, as if it had not been caught: a shell reports
 * 128 + its number (README "Exit codes") and stops a loop on Ctrl-C.
 */
static void on_term_signal(int sig)
{
	sigset_t set;

	cr_tmp_remove_all();
	signal(sig, SIG_DFL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	sigprocmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	_exit(128 + sig);
}

/* SIGPIPE is caught, not ignored: a write to a closed pipe then fails with
 * EPIPE and the run ends as any failed write does (exit 4, nothing half
 * written), and a program run from here (credential_process) starts with
 * the default disposition. */
static void on_sigpipe(int sig)
{
	(void)sig;
}

static void handle_signals(void)
{
	static const int term[] = CR_PROC_TERM_SIGNALS;
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sigfillset(&sa.sa_mask);
	sa.sa_handler = on_term_signal;
	for (size_t i = 0; i < sizeof term / sizeof term[0]; i++) {
		struct sigaction prev;
		/* a signal ignored by whoever started us (nohup) stays ignored */
		if (sigaction(term[i], NULL, &prev) == 0 && prev.sa_handler == SIG_IGN)
			continue;
		sigaction(term[i], &sa, NULL);
	}
	sa.sa_handler = on_sigpipe;
	sa.sa_flags = SA_RESTART;
	sigaction(SIGPIPE, &sa, NULL);
}

/* Output that must reach standard output, when it was closed at start. */
static int stdout_closed(void)
{
	fprintf(stderr, "costrank: error: cannot write to standard output: it is closed\n");
	return CR_EXIT_OUTPUT;
}

/*
 * The language of the help, the usage errors and the reports, chosen
 * before anything is printed: the environment (LC_ALL, LC_MESSAGES, LANG),
 * then --lang wherever it stands before "--" ("report --help --lang ja"
 * too; the last one wins, as in the command's own parse).  An unknown
 * language is left for the command to refuse.
 */
static void choose_language(int argc, char **argv)
{
	cr_i18n_use(cr_i18n_from_env());
	for (int i = 1; i < argc; i++) {
		const char *v = NULL;
		cr_error e = { 0 };

		if (!strcmp(argv[i], "--"))
			break;
		if (!strcmp(argv[i], "--lang") && i + 1 < argc)
			v = argv[++i];
		else if (!strncmp(argv[i], "--lang=", 7))
			v = argv[i] + 7;
		if (v && cr_i18n_set(v, &e))
			cr_error_clear(&e);
	}
}

/* "costrank --lang ja COMMAND ...": --lang before the command.  The
 * number of arguments it takes (0 when there is none), or -1 after
 * printing a usage error. */
static int leading_lang(int argc, char **argv)
{
	cr_error e = { 0 };
	const char *v;
	int n;

	if (argc > 1 && !strncmp(argv[1], "--lang=", 7)) {
		v = argv[1] + 7;
		n = 1;
	} else if (argc > 1 && !strcmp(argv[1], "--lang")) {
		if (argc < 3) {
			cr_error_set(&e, CR_EXIT_USAGE, _("option --%s needs a value (%s)"), "lang",
				     "LANG");
			cr_cli_error(e.msg);
			return -1;
		}
		v = argv[2];
		n = 2;
	} else {
		return 0;
	}
	if (cr_i18n_set(v, &e)) {
		cr_cli_error(e.msg);
		return -1;
	}
	return n;
}

int main(int argc, char **argv)
{
	int skip;

	/* before any file is opened: a report never gets descriptor 1 */
	if (cr_proc_std_fds() != 0)
		return CR_EXIT_INTERNAL;
	/* the environment may hold keys and webhook URLs from the start */
	cr_proc_no_dump();
	handle_signals();
	choose_language(argc, argv);
	if ((skip = leading_lang(argc, argv)) < 0)
		return CR_EXIT_USAGE;
	argc -= skip;
	argv += skip;
	if (argc < 2) {
		usage(stderr);
		return CR_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		if (cr_proc_fd_was_closed(STDOUT_FILENO))
			return stdout_closed();
		usage(stdout);
		return finish(0);
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		if (cr_proc_fd_was_closed(STDOUT_FILENO))
			return stdout_closed();
		printf("costrank %s\n", COSTRANK_VERSION);
		return finish(0);
	}
	/* rules list and show print the table itself: nothing to do without
	 * stdout (check's exit code says what matters) */
	if (!strcmp(argv[1], "rules") && !(argc > 2 && !strcmp(argv[2], "check")) &&
	    cr_proc_fd_was_closed(STDOUT_FILENO))
		return stdout_closed();
	for (const struct command *c = commands; c->name; c++)
		if (!strcmp(argv[1], c->name))
			return finish(c->run(argc - 2, argv + 2));
	fputs("costrank: error: ", stderr);
	fprintf(stderr, _("unknown command '%s'; see 'costrank --help'"), argv[1]);
	fputc('\n', stderr);
	return CR_EXIT_USAGE;
}
