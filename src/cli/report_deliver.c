/* report_deliver.c - --fx, --post and the CI gates (see report_deliver.h) */
#include "cli/report_deliver.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "cli/commands.h"
#include "costrank/buf.h"
#include "costrank/fx.h"
#include "costrank/writer.h"
#include "report/render.h"
#include "costrank/i18n.h"

/* A decimal option value, exactly; 0 or -1 with err set. */
static int parse_amount(const char *opt, const char *v, bool nonneg, cr_dec *out, cr_error *err)
{
	if (cr_dec_parse(v, strlen(v), out) != CR_DEC_OK || (nonneg && cr_dec_sign(*out) < 0))
		return cr_error_set(err, CR_EXIT_USAGE, nonneg ?
				    _("--%s '%s' is not a non-negative decimal number, as in 10 or 2.5") :
				    _("--%s '%s' is not a decimal number, as in 150000 or 1e6"), opt, v);
	return 0;
}

static bool env_name_ok(const char *s)
{
	if (!s || !(isalpha((unsigned char)*s) || *s == '_'))
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '_')
			return false;
	return true;
}

int deliver_option(struct deliver_config *c, int id, const char *v, cr_error *err)
{
	switch (id) {
	case OPT_DELIVER_POST:
		if (cr_notify_kind_parse(v, &c->kind, err) < 0)
			return -1;
		c->post = true;
		return 0;
	case OPT_DELIVER_WEBHOOK_ENV:
		if (!env_name_ok(v))
			return cr_error_set(err, CR_EXIT_USAGE, _("--webhook-env '%s' is not an environment "
					    "variable name (letters, digits and '_'), as in "
					    "SLACK_WEBHOOK_URL"), v);
		c->webhook_env = v;
		return 0;
	case OPT_DELIVER_FAIL_ON_INCREASE:
		c->gate_increase = true;
		c->increase_text = v;
		return parse_amount("fail-on-increase", v, true, &c->max_increase_pct, err);
	case OPT_DELIVER_FAIL_ON_TOTAL:
		c->gate_total = true;
		c->total_text = v;
		return parse_amount("fail-on-total", v, false, &c->max_total, err);
	case OPT_DELIVER_FAIL_ON_ANOMALY:
		c->gate_anomaly = true;
		return 0;
	case OPT_DELIVER_GATE_SCOPE:
		if (strcmp(v, "organisation") == 0 || strcmp(v, "organization") == 0)
			c->scope = DELIVER_SCOPE_ORG;
		else if (strcmp(v, "account") == 0)
			c->scope = DELIVER_SCOPE_ACCOUNT;
		else if (strcmp(v, "service") == 0)
			c->scope = DELIVER_SCOPE_SERVICE;
		else
			return cr_error_set(err, CR_EXIT_USAGE, _("--gate-scope '%s' is not one of "
					    "organisation, account, service"), v);
		c->scope_given = true;
		return 0;
	case OPT_DELIVER_FX:
		if (c->fx)
			return cr_error_set(err, CR_EXIT_USAGE, _("--fx: give one conversion"));
		if (cr_fx_parse(v, &c->fx_rate, &c->fx_dated, err) < 0)
			return -1;
		if (cr_dec_cmp(c->fx_rate.rate, cr_dec_from_int(DELIVER_FX_MAX_RATE)) > 0)
			return cr_error_set(err, CR_EXIT_USAGE, _("--fx '%s': the rate is more than "
					    "%d units of %s per unit of the report's currency"),
					    v, DELIVER_FX_MAX_RATE, c->fx_rate.code);
		c->fx = true;
		return 0;
	}
	return cr_error_set(err, CR_EXIT_INTERNAL, "unhandled option %d", id);
}

int deliver_refuse_url_args(int argc, char *const *argv, cr_error *err)
{
	for (int i = 0; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return 0;
		if (strcmp(argv[i], "--webhook-url") == 0 || strncmp(argv[i], "--webhook-url=", 14) == 0)
			return cr_error_set(err, CR_EXIT_USAGE,
					    _("--webhook-url is not accepted: a webhook URL is a secret, and "
					      "a command line is seen by other users and kept in shell "
					      "histories and CI logs; put it in the environment variable "
					      "%s (or one named with --webhook-env NAME)"), DELIVER_URL_ENV);
	}
	return 0;
}

static bool looks_like_url(const char *s)
{
	return strncasecmp(s, "http://", 7) == 0 || strncasecmp(s, "https://", 8) == 0;
}

int deliver_prepare(struct deliver_config *c, bool live, bool dry_run, char *const *args,
		    int nargs, cr_error *err)
{
	const char *name = c->webhook_env ? c->webhook_env : DELIVER_URL_ENV;
	const char *url;
	cr_error e;

	for (int i = 0; i < nargs; i++)
		if (looks_like_url(args[i]))
			return cr_error_set(err, CR_EXIT_USAGE,
					    _("argument %d is a URL (not shown): inputs are billing export "
					      "files or directories; a webhook URL belongs in the "
					      "environment variable %s"), i + 1, DELIVER_URL_ENV);
	if (c->webhook_env && !c->post)
		return cr_error_set(err, CR_EXIT_USAGE, _("--webhook-env names the URL for --post: "
				    "give --post KIND too"));
	if (c->scope_given && !c->gate_increase && !c->gate_total && !c->gate_anomaly)
		return cr_error_set(err, CR_EXIT_USAGE, _("--gate-scope says what the gates check: "
				    "give --fail-on-increase PCT or --fail-on-total AMOUNT too"));
	if (dry_run && !live && !c->post)
		return cr_error_set(err, CR_EXIT_USAGE, _("--dry-run with FILE|DIR inputs shows the "
				    "--post payloads instead of sending them: give --post KIND too"));
	if (!c->post || dry_run)
		return 0;
	url = getenv(name);
	if (!url || !*url)
		return cr_error_set(err, CR_EXIT_USAGE, _("--post %s needs the webhook URL in the "
				    "environment variable %s (it is never taken from the command "
				    "line); --dry-run shows the payload without it"),
				    cr_notify_kind_name(c->kind), name);
	cr_error_clear(&e);
	if (cr_http_check_url(url, 0, &e) < 0)
		return cr_error_set(err, CR_EXIT_USAGE, "%s: %s", name, e.msg);
	c->url = url;
	return 0;
}

/* "USD 173,607.31": money for the command's own messages. */
static void say_money(cr_buf *b, const cr_report *r, cr_dec a)
{
	const char *cur = r->currency ? r->currency : "";
	char tmp[CR_DEC_STRLEN];

	cr_dec_format_grouped(a, 2, tmp, sizeof tmp);
	for (const char *p = cur; *p && p - cur < 8; p++)
		cr_buf_addc(b, isalnum((unsigned char)*p) ? *p : '?');
	cr_buf_addf(b, " %s", tmp);
}

/* Keeps in *max the larger of itself and |a|. */
static void max_abs(cr_dec *max, cr_dec a)
{
	if (cr_dec_sign(a) < 0)
		a = cr_dec_neg(a);
	if (cr_dec_cmp(a, *max) > 0)
		*max = a;
}

/* The largest amount, in absolute value, that a report shows. */
static cr_dec largest_amount(const cr_report *r)
{
	const cr_reconciliation *rc = &r->recon;
	cr_dec m = CR_DEC_ZERO;

	max_abs(&m, r->total);
	max_abs(&m, r->previous_total);
	max_abs(&m, r->savings_total);
	max_abs(&m, rc->ranked);
	max_abs(&m, rc->grand_total);
	for (int e = 0; e < CR_EXCL_COUNT; e++) {
		max_abs(&m, rc->excluded[e]);
		max_abs(&m, rc->included_amount[e]);
	}
	for (size_t i = 0; i < r->n_accounts; i++) {
		const cr_report_account *a = &r->accounts[i];
		max_abs(&m, a->total);
		max_abs(&m, a->previous_total);
		for (size_t j = 0; j < a->n_services; j++) {
			const cr_report_service *s = &a->services[j];
			max_abs(&m, s->cost);
			max_abs(&m, s->previous_cost);
			for (size_t k = 0; k < s->n_usage; k++) {
				max_abs(&m, s->usage[k].cost);
				max_abs(&m, s->usage[k].previous_cost);
			}
		}
	}
	for (size_t i = 0; i < r->n_services; i++) {
		max_abs(&m, r->services[i].cost);
		max_abs(&m, r->services[i].previous_cost);
	}
	for (size_t i = 0; i < r->n_proposals; i++) {
		const cr_proposal *p = &r->proposals[i];
		max_abs(&m, p->monthly_cost);
		max_abs(&m, p->savings);
		max_abs(&m, p->annual_savings);
		for (size_t j = 0; j < p->n_alternatives; j++)
			max_abs(&m, p->alternatives[j].savings);
	}
	return m;
}

int deliver_apply_fx(cr_report *r, const struct deliver_config *c, cr_error *err)
{
	cr_dec converted;

	if (!c->fx)
		return 0;
	/* every amount shown converts, or none is shown converted */
	if (cr_fx_convert(&c->fx_rate, largest_amount(r), &converted) != 0) {
		cr_buf m = CR_BUF_INIT, rate = CR_BUF_INIT;
		int rc;

		say_money(&m, r, largest_amount(r));
		cr_fx_rate_text(&rate, &c->fx_rate);
		rc = cr_error_set(err, CR_EXIT_USAGE, _("--fx: at %s %s per unit, the report's "
				  "largest amount (%s) is out of the range of exact amounts "
				  "(about 1.7e20); check the rate"), rate.ptr, c->fx_rate.code,
				  m.ptr);
		cr_buf_release(&m);
		cr_buf_release(&rate);
		return rc;
	}
	r->fx = c->fx_rate;
	if (!c->fx_dated)
		r->fx.date = r->end;
	return 0;
}

/* The names of the report files written, like write_reports() names them. */
static size_t report_names(const cr_report *r, const bool *want, char ***out)
{
	size_t nw, n = 0;
	const cr_writer *w = cr_writers(&nw);
	char **v = cr_xcalloc(nw + 1, sizeof *v);

	for (size_t i = 0; want && i < nw; i++) {
		cr_buf b = CR_BUF_INIT;

		if (!want[i] || !w[i].ext || (w[i].needs_proposals && !r->has_proposals) ||
		    (w[i].needs_trend && !r->trend.n_months))
			continue;
		cr_buf_addf(&b, "costrank-%s%s.%s", r->period_label, w[i].suffix, w[i].ext);
		v[n++] = cr_buf_detach(&b);
	}
	*out = v;
	return n;
}

static void free_names(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* The CI run's address from the environment (GitHub Actions, GitLab CI),
 * when it is a plain https address; NULL otherwise.  Owned by the caller. */
static char *run_url(void)
{
	const char *server = getenv("GITHUB_SERVER_URL"), *repo = getenv("GITHUB_REPOSITORY");
	const char *run = getenv("GITHUB_RUN_ID"), *job = getenv("CI_JOB_URL");
	cr_buf b = CR_BUF_INIT;

	if (server && *server && repo && *repo && run && *run)
		cr_buf_addf(&b, "%s/%s/actions/runs/%s", server, repo, run);
	else if (job && *job)
		cr_buf_adds(&b, job);
	else
		return NULL;
	if (strncmp(b.ptr, "https://", 8) != 0 || b.len > 500)
		goto bad;
	for (const char *p = b.ptr; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f || strchr("<>|\"'`\\[]()", *p))
			goto bad;
	return cr_buf_detach(&b);
bad:
	cr_buf_release(&b);
	return NULL;
}

/* Builds and posts, or prints with dry_run; returns 0 or an exit code. */
static int post(const cr_report *r, const struct deliver_config *c, const bool *want,
		char *const *failed, size_t nfailed, bool dry_run, bool quiet)
{
	cr_notify_payloads p = CR_NOTIFY_PAYLOADS_INIT;
	cr_notify_result res;
	cr_error err;
	char **names;
	size_t nnames = report_names(r, want, &names), bytes = 0;
	char *run = run_url();
	cr_notify_opts o = { (const char *const *)names, nnames, 0,
			     (const char *const *)failed, nfailed, run };
	const char *who = cr_notify_kind_title(c->kind);
	int code = 0;

	cr_error_clear(&err);
	if (cr_notify_build(r, c->kind, &o, &p, &err) < 0) {
		cr_cli_error(err.msg);
		free_names(names, nnames);
		free(run);
		return err.code;
	}
	free(run);
	for (size_t i = 0; i < p.n; i++)
		bytes += p.len[i];
	if (dry_run) {
		for (size_t i = 0; i < p.n; i++) {
			fwrite(p.v[i], 1, p.len[i], stdout);
			fputc('\n', stdout);
		}
		if (!quiet)
			fprintf(stderr, "costrank: dry run: %zu %s message%s (%zu bytes) printed, "
				"not sent\n", p.n, who, p.n == 1 ? "" : "s", bytes);
	} else if (cr_notify_post(c->kind, c->url, &p, NULL, &res, &err) < 0) {
		cr_buf m = CR_BUF_INIT;

		cr_buf_addf(&m, "%s; the reports are written", err.msg);
		cr_cli_error(m.ptr);
		cr_buf_release(&m);
		code = err.code == CR_EXIT_USAGE ? CR_EXIT_USAGE : CR_EXIT_NOTIFY;
	} else if (!quiet) {
		char *host = cr_url_redact(c->url);

		fprintf(stderr, "costrank: posted %zu message%s to %s (%s)\n", res.sent,
			res.sent == 1 ? "" : "s", who, host);
		free(host);
	}
	if (!code && p.omitted)
		fprintf(stderr, "costrank: note: %zu account%s summed into one line to stay within "
			"the limits of %s\n", p.omitted, p.omitted == 1 ? "" : "s", who);
	cr_notify_payloads_free(&p);
	free_names(names, nnames);
	return code;
}

/* --fail-on-increase: whether total - prev > pct% of |prev|, exactly. */
static bool increase_exceeds(cr_dec total, cr_dec prev, cr_dec pct)
{
	cr_dec diff, lhs, rhs;
	cr_i128 scaled = pct.v;
	int64_t num;

	if (cr_dec_sub(&diff, total, prev) != 0)
		return true;
	if (cr_dec_sign(diff) <= 0)
		return false;
	if (cr_dec_sign(prev) < 0)
		prev = cr_dec_neg(prev);
	if (cr_dec_is_zero(prev))
		return true;
	/* diff x 100 x 10^6 against |prev| x pct x 10^6: pct with at most 6
	 * decimals (finer ones compared as doubles) */
	if (scaled % 1000000000000 == 0 && scaled / 1000000000000 <= INT64_MAX) {
		num = (int64_t)(scaled / 1000000000000);
		if (cr_dec_mul_ratio(&lhs, diff, 100000000, 1) == 0 &&
		    cr_dec_mul_ratio(&rhs, prev, num, 1) == 0)
			return cr_dec_cmp(lhs, rhs) > 0;
	}
	return cr_dec_ratio(diff, prev) * 100.0 > cr_dec_to_double(pct);
}

/* The gates that failed, as one-line messages. */
typedef struct failures {
	char **v;
	size_t n, cap;
} failures;

static void fail_add(failures *f, cr_buf *m)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? f->cap * 2 : 8;
		f->v = cr_xrealloc(f->v, f->cap * sizeof *f->v);
	}
	f->v[f->n++] = cr_buf_detach(m);
}

/* "account 111122223333 (Payments Prod), Amazon EC2: " (clean text) */
static void say_what(cr_buf *m, const cr_report_account *a, const cr_report_service *s)
{
	if (!a)
		return;
	cr_buf_adds(m, "account ");
	cr_render_clean(m, a->id, 20);
	if (a->name && *a->name) {
		cr_buf_adds(m, " (");
		cr_render_clean(m, a->name, 60);
		cr_buf_adds(m, ")");
	}
	if (s) {
		cr_buf_adds(m, ", ");
		cr_render_clean(m, s->name, 60);
	}
	cr_buf_adds(m, ": ");
}

/* Checks both gates on one figure: the total (a, s NULL), an account's total
 * (s NULL) or one of its services. */
static void gate_one(const cr_report *r, const struct deliver_config *c,
		     const cr_report_account *a, const cr_report_service *s, cr_dec cost,
		     cr_dec prev, failures *f)
{
	const char *what = s ? "the cost" : "the total";

	if (c->gate_increase && r->has_previous && increase_exceeds(cost, prev, c->max_increase_pct)) {
		cr_buf m = CR_BUF_INIT;
		cr_dec diff;

		cr_buf_adds(&m, "threshold exceeded: ");
		say_what(&m, a, s);
		cr_buf_addf(&m, "%s rose ", what);
		if (cr_dec_is_zero(prev) || cr_dec_sub(&diff, cost, prev) != 0)
			cr_buf_adds(&m, "from nothing");
		else
			cr_buf_addf(&m, "%.1f%%", cr_dec_ratio(diff, prev) * 100.0 * cr_dec_sign(prev));
		cr_buf_adds(&m, " (");
		say_money(&m, r, prev);
		cr_buf_adds(&m, " to ");
		say_money(&m, r, cost);
		cr_buf_addf(&m, "), more than --fail-on-increase %s", c->increase_text);
		fail_add(f, &m);
	}
	if (c->gate_total && cr_dec_cmp(cost, c->max_total) > 0) {
		cr_buf m = CR_BUF_INIT;

		cr_buf_adds(&m, "threshold exceeded: ");
		say_what(&m, a, s);
		cr_buf_addf(&m, "%s ", what);
		say_money(&m, r, cost);
		cr_buf_addf(&m, " is above --fail-on-total %s", c->total_text);
		fail_add(f, &m);
	}
}

/* --fail-on-anomaly: one message per anomaly. */
static void gate_anomalies(const cr_report *r, failures *f)
{
	for (size_t i = 0; i < r->n_anomalies; i++) {
		const cr_report_anomaly *a = &r->anomalies[i];
		cr_buf m = CR_BUF_INIT;
		char day[CR_DATE_STRLEN];

		cr_buf_adds(&m, "anomaly: account ");
		cr_render_clean(&m, a->account_id, 20);
		if (*a->account_name) {
			cr_buf_adds(&m, " (");
			cr_render_clean(&m, a->account_name, 60);
			cr_buf_adds(&m, ")");
		}
		cr_buf_adds(&m, ", ");
		cr_render_clean(&m, a->service, 60);
		if (a->is_new_usage) {
			cr_buf_adds(&m, ": new usage type ");
			cr_render_clean(&m, a->usage_types[0], 80);
			cr_buf_adds(&m, ", ");
			say_money(&m, r, a->cost);
			cr_buf_adds(&m, " this period");
		} else {
			cr_day_format(a->day, day);
			cr_buf_addf(&m, ": %s cost ", day);
			say_money(&m, r, a->cost);
			cr_buf_adds(&m, " against a median of ");
			say_money(&m, r, a->baseline);
			if (a->n_usage) {
				cr_buf_adds(&m, ", mostly ");
				cr_render_clean(&m, a->usage_types[0], 80);
			}
		}
		cr_buf_adds(&m, " (--fail-on-anomaly)");
		fail_add(f, &m);
	}
}

static void gates(const cr_report *r, const struct deliver_config *c, failures *f)
{
	if (c->gate_anomaly)
		gate_anomalies(r, f);
	if (c->gate_increase && !r->has_previous)
		fprintf(stderr, "costrank: warning: --fail-on-increase not checked: the data "
			"does not cover the previous period\n");
	if (c->scope == DELIVER_SCOPE_ORG) {
		gate_one(r, c, NULL, NULL, r->total, r->previous_total, f);
		return;
	}
	for (size_t i = 0; i < r->n_accounts; i++) {
		const cr_report_account *a = &r->accounts[i];

		if (c->scope == DELIVER_SCOPE_ACCOUNT) {
			gate_one(r, c, a, NULL, a->total, a->previous_total, f);
			continue;
		}
		for (size_t j = 0; j < a->n_services; j++)
			if (!a->services[j].is_other)
				gate_one(r, c, a, &a->services[j], a->services[j].cost,
					 a->services[j].previous_cost, f);
	}
}

/* Gate messages printed; the rest are counted. */
#define DELIVER_MAX_GATE_MESSAGES 20

int deliver_finish(const cr_report *r, const struct deliver_config *c, const bool *want,
		   bool dry_run, bool quiet)
{
	failures f = { 0 };
	int posted = 0;

	gates(r, c, &f);
	if (c->post)
		posted = post(r, c, want, f.v, f.n, dry_run, quiet);
	for (size_t i = 0; i < f.n; i++) {
		if (i < DELIVER_MAX_GATE_MESSAGES)
			cr_cli_error(f.v[i]);
		free(f.v[i]);
	}
	if (f.n > DELIVER_MAX_GATE_MESSAGES)
		fprintf(stderr, "costrank: error: and %zu more thresholds exceeded\n",
			f.n - DELIVER_MAX_GATE_MESSAGES);
	free(f.v);
	return posted ? posted : f.n ? CR_EXIT_THRESHOLD : 0;
}
