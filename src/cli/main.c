/* main.c - costrank's entry point: dispatch to a subcommand, exit once. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli/commands.h"
#include "costrank/error.h"
#include "costrank/proc.h"

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

int main(int argc, char **argv)
{
	/* before any file is opened: a report never gets descriptor 1 */
	if (cr_proc_std_fds() != 0)
		return CR_EXIT_INTERNAL;
	/* the environment may hold keys and webhook URLs from the start */
	cr_proc_no_dump();
	handle_signals();
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
	fprintf(stderr, "costrank: error: unknown command '%s'; see 'costrank --help'\n", argv[1]);
	return CR_EXIT_USAGE;
}
