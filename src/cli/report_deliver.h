/*
 * report_deliver.h - what `costrank report` does with a finished report
 * besides writing it: --fx (converted amounts in every output), --post (a
 * summary to chat or a webhook) and the CI gates --fail-on-increase and
 * --fail-on-total, over the organisation, each account or each account's
 * listed services (--gate-scope); for cmd_report.c.
 *
 * The order at the end of a run: the reports are written (atomically), the
 * gates are checked, the summary is posted (saying which gates failed),
 * then the gates' messages are printed.  A failed post exits
 * CR_EXIT_NOTIFY (8) and wins over an exceeded gate (CR_EXIT_THRESHOLD,
 * 1); both messages are printed, and the reports stay on disk either way.
 *
 * The webhook URL is a secret: it is read only from the environment
 * (COSTRANK_WEBHOOK_URL, or the variable --webhook-env names), never from
 * the command line, and never printed: messages show scheme://host at
 * most.
 */
#ifndef COSTRANK_CLI_REPORT_DELIVER_H
#define COSTRANK_CLI_REPORT_DELIVER_H

#include <stdbool.h>

#include "costrank/decimal.h"
#include "costrank/error.h"
#include "costrank/i18n.h"
#include "costrank/notify.h"
#include "costrank/report.h"

#define DELIVER_URL_ENV "COSTRANK_WEBHOOK_URL"
/* The largest --fx rate: no currency is worth a billion of another. */
#define DELIVER_FX_MAX_RATE 1000000000

enum {
	OPT_DELIVER_POST = 200, OPT_DELIVER_WEBHOOK_ENV, OPT_DELIVER_FAIL_ON_INCREASE,
	OPT_DELIVER_FAIL_ON_TOTAL, OPT_DELIVER_FX, OPT_DELIVER_GATE_SCOPE,
	OPT_DELIVER_FAIL_ON_ANOMALY, OPT_DELIVER_LAST = OPT_DELIVER_FAIL_ON_ANOMALY
};

/* Entries for the report command's option table. */
#define REPORT_DELIVER_OPTIONS \
	{ "fx", 0, true, OPT_DELIVER_FX, "CODE=RATE[@DATE]", N_("show every amount in CODE at RATE per unit of the report currency (JPY=151.20)") }, \
	{ "post", 0, true, OPT_DELIVER_POST, "KIND", N_("after writing: post a summary to slack, teams, gchat or webhook") }, \
	{ "webhook-env", 0, true, OPT_DELIVER_WEBHOOK_ENV, "NAME", N_("read the --post URL from $NAME (default COSTRANK_WEBHOOK_URL)") }, \
	{ "fail-on-increase", 0, true, OPT_DELIVER_FAIL_ON_INCREASE, "PCT", N_("exit 1 if the total rose more than PCT% over the previous period") }, \
	{ "fail-on-total", 0, true, OPT_DELIVER_FAIL_ON_TOTAL, "AMOUNT", N_("exit 1 if the total is above AMOUNT (in the report currency)") }, \
	{ "gate-scope", 0, true, OPT_DELIVER_GATE_SCOPE, "SCOPE", N_("what the --fail-on-* gates check: organisation (default), account or service") }, \
	{ "fail-on-anomaly", 0, false, OPT_DELIVER_FAIL_ON_ANOMALY, NULL, N_("exit 1 if the report lists an anomaly (a day-level spike or a new usage type)") }

/* --gate-scope: the organisation's total, each account's total, or the
 * cost of each service an account lists (its --top services). */
enum deliver_scope { DELIVER_SCOPE_ORG = 0, DELIVER_SCOPE_ACCOUNT, DELIVER_SCOPE_SERVICE };

struct deliver_config {
	bool post;
	enum cr_notify_kind kind;
	const char *webhook_env;      /* NULL: DELIVER_URL_ENV */
	const char *url;              /* from the environment (deliver_prepare) */
	bool gate_increase, gate_total, gate_anomaly;
	cr_dec max_increase_pct, max_total;
	const char *increase_text, *total_text;   /* as given */
	enum deliver_scope scope;
	bool scope_given;
	bool fx, fx_dated;
	cr_fx fx_rate;
};

#define DELIVER_CONFIG_INIT { .post = false }

/* Handles one of the options above; 0 or -1 with err set. */
int deliver_option(struct deliver_config *c, int id, const char *v, cr_error *err);

/* Refuses --webhook-url before anything is parsed: a URL on the command
 * line is visible to other users and kept in shell histories and CI logs.
 * 0, or -1 with err set (CR_EXIT_USAGE); the value is never repeated. */
int deliver_refuse_url_args(int argc, char *const *argv, cr_error *err);

/* Checks the options against each other and the inputs, and reads the
 * webhook URL from the environment (unless dry_run), before any work.
 * args are the FILE|DIR arguments: one that is a URL is refused without
 * being shown.  0, or -1 with err set (CR_EXIT_USAGE). */
int deliver_prepare(struct deliver_config *c, bool live, bool dry_run, char *const *args,
		    int nargs, cr_error *err);

/* Puts the --fx rate into the report (dated the period's end unless a date
 * was given), before it is written.  A rate that would put any amount of
 * the report out of range is refused: -1 with err set (CR_EXIT_USAGE). */
int deliver_apply_fx(cr_report *r, const struct deliver_config *c, cr_error *err);

/*
 * After the reports are written: posts (or, with dry_run, prints the
 * payloads on stdout, one JSON document a line) saying which gates failed
 * and linking the CI run when the environment names it
 * (GITHUB_SERVER_URL/GITHUB_REPOSITORY/GITHUB_RUN_ID, CI_JOB_URL).
 * want[] marks the writers whose files were written (indexed like
 * cr_writers()), for the names in the payloads.  Prints its messages and
 * errors itself; returns the exit code: CR_EXIT_NOTIFY, CR_EXIT_THRESHOLD,
 * CR_EXIT_INTERNAL or 0.
 */
int deliver_finish(const cr_report *r, const struct deliver_config *c, const bool *want,
		   bool dry_run, bool quiet);

#endif
