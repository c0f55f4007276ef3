/* payload.c - chat and webhook payloads built from a report (see
 * costrank/notify.h)
 *
 * The chat kinds share one plan: a message is a list of items (Slack
 * blocks, Adaptive Card elements, Google Chat card sections) that the
 * kind's wrap() puts in its envelope with a footer.  The first message
 * opens with the headline, later ones with a short "continued" header;
 * accounts follow, one item each, as long as the wrapped message stays
 * within the kind's limits; the last message ends with the proposals.
 * Sizes are measured on the very bytes that are sent (compact JSON).
 */
#include "costrank/i18n.h"
#include "costrank/notify.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "costrank/buf.h"
#include "costrank/fx.h"
#include "report/render.h"

#ifndef COSTRANK_VERSION
#define COSTRANK_VERSION "0"
#endif

#define DUMP_FLAGS (JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(12))
#define MAX_NOTES 3
#define MAX_NOTE_LEN 300
#define SEP " \xC2\xB7 "          /* " · " */
#define DASH " \xE2\x80\x94 "     /* " — " */
#define ELLIPSIS "\xE2\x80\xA6"   /* "…" */

static const char *const kind_names[] = { "slack", "teams", "gchat", "webhook" };
static const char *const kind_titles[] = { "Slack", "Microsoft Teams", "Google Chat",
					   "the webhook" };

const char *cr_notify_kind_name(enum cr_notify_kind k)
{
	return (unsigned)k < 4 ? kind_names[k] : "?";
}

const char *cr_notify_kind_title(enum cr_notify_kind k)
{
	return (unsigned)k < 4 ? kind_titles[k] : "?";
}

int cr_notify_kind_parse(const char *name, enum cr_notify_kind *out, cr_error *err)
{
	for (int k = 0; k < 4; k++) {
		if (name && strcmp(name, kind_names[k]) == 0) {
			*out = (enum cr_notify_kind)k;
			return 0;
		}
	}
	return cr_error_set(err, CR_EXIT_USAGE,
			    "--post '%s' is not slack, teams, gchat or webhook", name ? name : "");
}

void cr_notify_payloads_free(cr_notify_payloads *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->n; i++)
		free(p->v[i]);
	free(p->v);
	free(p->len);
	memset(p, 0, sizeof *p);
}

/* ---- building state and JSON helpers ------------------------------------ */

typedef struct nctx {
	const cr_report *r;
	enum cr_notify_kind kind;
	const cr_notify_opts *o;
	bool failed;      /* an allocation or an amount failed: checked once */
} nctx;

static json_t *jobj(nctx *c)
{
	json_t *o = json_object();

	if (!o)
		c->failed = true;
	return o;
}

static json_t *jarr(nctx *c)
{
	json_t *a = json_array();

	if (!a)
		c->failed = true;
	return a;
}

/* A JSON string; s is valid UTF-8 (everything here is cleaned first). */
static json_t *jstr(nctx *c, const char *s)
{
	json_t *v = json_string(s ? s : "");

	if (!v)
		c->failed = true;
	return v;
}

static void set(nctx *c, json_t *o, const char *key, json_t *v)
{
	if (!o || !v || json_object_set_new(o, key, v) != 0) {
		if (!o)
			json_decref(v);
		c->failed = true;
	}
}

static void push(nctx *c, json_t *a, json_t *v)
{
	if (!a || !v || json_array_append_new(a, v) != 0) {
		if (!a)
			json_decref(v);
		c->failed = true;
	}
}

/* Appends every element of src (a borrowed array) to dst. */
static void push_all(nctx *c, json_t *dst, json_t *src)
{
	size_t i;
	json_t *v;

	json_array_foreach(src, i, v)
		push(c, dst, json_incref(v));
}

static json_t *jamount(nctx *c, cr_dec a)
{
	char tmp[CR_DEC_STRLEN];

	cr_dec_format(a, -1, tmp, sizeof tmp);
	return jstr(c, tmp);
}

static json_t *jday(nctx *c, cr_day d)
{
	char tmp[CR_DATE_STRLEN];

	cr_day_format(d, tmp);
	return jstr(c, tmp);
}

/* ---- text ----------------------------------------------------------------- */

/* Appends text (ours, or data already cleaned) escaped for the kind's
 * markup: Slack mrkdwn and Google Chat card HTML take entities for '&',
 * '<' and '>' (so that nothing becomes a mention, a link or a tag);
 * Adaptive Card markdown takes backslashes before its markers. */
static void esc(const nctx *c, cr_buf *b, const char *s)
{
	cr_buf_add(b, "", 0);
	for (const char *p = s ? s : ""; *p; p++) {
		switch (c->kind) {
		case CR_NOTIFY_SLACK:
		case CR_NOTIFY_GCHAT:
			if (*p == '&')
				cr_buf_adds(b, "&amp;");
			else if (*p == '<')
				cr_buf_adds(b, "&lt;");
			else if (*p == '>')
				cr_buf_adds(b, "&gt;");
			else
				cr_buf_addc(b, *p);
			break;
		case CR_NOTIFY_TEAMS:
			if (strchr("\\*_[]`~", *p))
				cr_buf_addc(b, '\\');
			cr_buf_addc(b, *p);
			break;
		default:
			cr_buf_addc(b, *p);
		}
	}
}

/* U+2060 WORD JOINER: invisible, and no link or address runs across it. */
#define WORD_JOINER "\xE2\x81\xA0"

/*
 * Appends escaped text from the data, unable to become a link.  Slack is
 * told so by "verbatim" (slack_text); Teams and Google Chat turn a bare
 * www.example.com, https://... or name@example.com into a link by
 * themselves and have no switch for it, so a word joiner follows every
 * '.', ':' and '@' that is not last.
 */
static void unlinked(const nctx *c, cr_buf *b, const char *s)
{
	cr_buf_add(b, "", 0);
	if (c->kind != CR_NOTIFY_TEAMS && c->kind != CR_NOTIFY_GCHAT) {
		cr_buf_adds(b, s);
		return;
	}
	for (const char *p = s; *p; p++) {
		cr_buf_addc(b, *p);
		if ((*p == '.' || *p == ':' || *p == '@') && p[1] && p[1] != ' ')
			cr_buf_adds(b, WORD_JOINER);
	}
}

/* Text from the data: cleaned, at most max code points (0: the name
 * limit), escaped, never a link. */
static void data(const nctx *c, cr_buf *b, const char *s, size_t max)
{
	cr_buf t = CR_BUF_INIT, e = CR_BUF_INIT;

	cr_render_clean(&t, s, max ? max : CR_NOTIFY_MAX_NAME);
	esc(c, &e, t.ptr);
	unlinked(c, b, e.ptr);
	cr_buf_release(&t);
	cr_buf_release(&e);
}

static void bold(const nctx *c, cr_buf *b, bool open)
{
	switch (c->kind) {
	case CR_NOTIFY_SLACK:
		cr_buf_addc(b, '*');
		break;
	case CR_NOTIFY_TEAMS:
		cr_buf_adds(b, "**");
		break;
	case CR_NOTIFY_GCHAT:
		cr_buf_adds(b, open ? "<b>" : "</b>");
		break;
	default:
		break;
	}
}

static void money(const nctx *c, cr_buf *b, cr_dec a, bool plus)
{
	cr_buf t = CR_BUF_INIT;

	cr_render_amount(&t, c->r, a, plus);
	esc(c, b, t.ptr);
	cr_buf_release(&t);
}

/* "+7.6%", "new", "—" */
static void change_pct(const nctx *c, cr_buf *b, cr_dec cost, cr_dec prev, bool is_new)
{
	cr_render_change ch;
	cr_buf t = CR_BUF_INIT;

	cr_render_change_of(c->r, cost, prev, &ch);
	cr_render_change_pct(&t, &ch, is_new);
	esc(c, b, t.ptr);
	cr_buf_release(&t);
}

/* "costrank report — 2026-10", plain (a header or title: no markup). */
static void title(const nctx *c, cr_buf *b, bool continued)
{
	cr_buf_adds(b, _("costrank report"));
	cr_buf_adds(b, DASH);
	{
		cr_buf h = CR_BUF_INIT;

		cr_render_period_heading(&h, c->r);
		cr_render_clean(b, h.ptr, 40);
		cr_buf_release(&h);
	}
	if (continued)
		cr_buf_adds(b, _(" (continued)"));
}

/* "+4.1% (+$6,784.22) vs 2026-09 ($166,823.08)" */
static void change_line(const nctx *c, cr_buf *b)
{
	const cr_report *r = c->r;
	cr_render_change ch;
	cr_buf t = CR_BUF_INIT;

	cr_render_change_of(r, r->total, r->previous_total, &ch);
	if (!ch.known) {
		esc(c, b, _("no previous period to compare"));
		return;
	}
	cr_render_change_pct(&t, &ch, false);
	cr_buf_adds(&t, " (");
	cr_render_amount(&t, r, ch.diff, true);
	cr_buf_adds(&t, ")");
	cr_buf_adds(&t, _(" vs "));
	cr_render_prev_label(&t, r);
	cr_buf_adds(&t, " (");
	cr_render_amount(&t, r, r->previous_total, false);
	cr_buf_adds(&t, ")");
	esc(c, b, t.ptr);
	cr_buf_release(&t);
}

/* "$35,335.83 a month (19.3% of the bill, 125 proposals, de-duplicated)" */
static void savings_line(const nctx *c, cr_buf *b)
{
	const cr_report *r = c->r;
	cr_buf t = CR_BUF_INIT;

	if (!r->has_proposals) {
		esc(c, b, _("no savings rules applied"));
		return;
	}
	if (!r->n_proposals) {
		esc(c, b, _("none: no rule matched spend above its minimum"));
		return;
	}
	cr_render_amount(&t, r, r->savings_total, false);
	cr_buf_adds(&t, _(" a month ("));
	cr_render_fixed(&t, cr_dec_ratio(r->savings_total, r->recon.grand_total) * 100.0, 1,
			/* xgettext:no-c-format */
			false, _("% of the bill, "));
	/* the total counts the measured and priced proposals only */
	size_t counted = 0;
	for (size_t i = 0; i < r->n_proposals; i++)
		counted += r->proposals[i].counted;
	cr_buf_addf(&t, counted == 1 ? _("%zu measured or priced proposal, de-duplicated)") :
		    _("%zu measured and priced proposals, de-duplicated)"), counted);
	esc(c, b, t.ptr);
	cr_buf_release(&t);
}

/* The fallback text of a chat message: what a notification shows. */
static void fallback(const nctx *c, cr_buf *b, size_t part, size_t nparts)
{
	const cr_report *r = c->r;
	cr_render_change ch;

	title(c, b, false);
	cr_buf_adds(b, _(": total "));
	/* Slack reads this text as mrkdwn: a currency from the data could
	 * make a mention ("<!here>") */
	if (c->kind == CR_NOTIFY_SLACK)
		money(c, b, r->total, false);
	else
		cr_render_amount(b, r, r->total, false);
	cr_render_change_of(r, r->total, r->previous_total, &ch);
	if (ch.known) {
		cr_buf_adds(b, ", ");
		cr_render_change_pct(b, &ch, false);
		cr_buf_adds(b, _(" vs "));
		cr_render_prev_label(b, r);
	}
	if (c->o && c->o->n_failures)
		cr_buf_addf(b, DASH "FAILED: %zu threshold%s exceeded", c->o->n_failures,
			    c->o->n_failures == 1 ? "" : "s");
	if (nparts > 1)
		cr_buf_addf(b, _(" (part %zu of %zu)"), part, nparts);
}

/* The CI run's address when it is a plain https address nothing in any
 * markup could break out of; NULL otherwise. */
static const char *run_link(const nctx *c)
{
	const char *u = c->o ? c->o->run_url : NULL;

	if (!u || strncmp(u, "https://", 8) != 0 || strlen(u) > 500)
		return NULL;
	for (const char *p = u; *p; p++)
		if ((unsigned char)*p <= ' ' || (unsigned char)*p >= 0x7f ||
		    strchr("<>|\"'`\\[]()&", *p))
			return NULL;
	return u;
}

/* Appends the link to the CI run in the kind's markup. */
static void run_link_markup(const nctx *c, cr_buf *b, const char *u)
{
	switch (c->kind) {
	case CR_NOTIFY_SLACK:
		cr_buf_addf(b, "<%s|CI run>", u);
		break;
	case CR_NOTIFY_TEAMS:
		cr_buf_addf(b, "[CI run](%s)", u);
		break;
	case CR_NOTIFY_GCHAT:
		cr_buf_addf(b, "<a href=\"%s\">CI run</a>", u);
		break;
	default:
		cr_buf_addf(b, "CI run: %s", u);
	}
}


/* The name of the JSON report among the files written, else the first. */
static const char *main_report(const nctx *c)
{
	const cr_notify_opts *o = c->o;

	if (!o || !o->reports || !o->n_reports)
		return NULL;
	for (size_t i = 0; i < o->n_reports; i++) {
		size_t n = o->reports[i] ? strlen(o->reports[i]) : 0;
		if (n > 5 && strcmp(o->reports[i] + n - 5, ".json") == 0)
			return o->reports[i];
	}
	return o->reports[0];
}

/* "2026-10-01 to 2026-10-31 · unblended cost in USD · source: cur2, 5 files
 *  · data through 2026-10-31 · full report: costrank-2026-10.json · part 1
 *  of 2 · costrank 0.1.0" (escaped) */
static void footer_text(const nctx *c, cr_buf *b, size_t part, size_t nparts)
{
	const cr_report *r = c->r;
	char s[CR_DATE_STRLEN], e[CR_DATE_STRLEN];
	cr_buf t = CR_BUF_INIT;
	const char *main = main_report(c);

	cr_day_format(r->start, s);
	cr_day_format(r->end, e);
	cr_buf_addf(&t, _("%s to %s"), s, e);
	cr_buf_adds(&t, SEP);
	cr_buf_addf(&t, _("%s cost in "), _(cr_metric_name(r->metric)));
	cr_render_clean(&t, cr_render_shown_currency(r), 8);
	cr_buf_adds(&t, SEP);
	cr_buf_adds(&t, _("source: "));
	cr_render_clean(&t, r->source_kind && *r->source_kind ? r->source_kind : _("unknown"), 24);
	if (r->paid_requests || r->cached_requests)
		cr_buf_addf(&t, r->paid_requests + r->cached_requests == 1 ? _(", %ld request") :
			    _(", %ld requests"), r->paid_requests + r->cached_requests);
	else
		cr_buf_addf(&t, r->n_files == 1 ? _(", %zu file") : _(", %zu files"), r->n_files);
	if (r->data_through) {
		cr_day_format(r->data_through, s);
		cr_buf_adds(&t, SEP);
		cr_buf_addf(&t, _("data through %s"), s);
	}
	if (r->partial || r->estimated) {
		cr_buf_adds(&t, SEP);
		cr_buf_adds(&t, r->partial ? _("partial figures") : _("estimated figures"));
	}
	if (run_link(c)) {
		cr_buf_adds(&t, SEP);
		esc(c, b, t.ptr);
		cr_buf_reset(&t);
		run_link_markup(c, b, run_link(c));
	} else if (main) {
		cr_buf_adds(&t, SEP);
		cr_buf_adds(&t, _("full report: "));
		cr_render_clean(&t, main, CR_NOTIFY_MAX_NAME);
	}
	if (nparts > 1)
		{
		cr_buf_adds(&t, SEP);
		cr_buf_addf(&t, _("part %zu of %zu"), part, nparts);
	}
	cr_buf_adds(&t, SEP "costrank " COSTRANK_VERSION);
	esc(c, b, t.ptr);
	cr_buf_release(&t);
}

/* A list of lines (escaped text). */
typedef struct lines {
	cr_buf *v;
	size_t n, cap;
} lines;

static cr_buf *line_new(lines *l)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->v = cr_xrealloc(l->v, l->cap * sizeof *l->v);
	}
	l->v[l->n] = (cr_buf)CR_BUF_INIT;
	cr_buf_add(&l->v[l->n], "", 0);
	return &l->v[l->n++];
}

static void lines_free(lines *l)
{
	for (size_t i = 0; i < l->n; i++)
		cr_buf_release(&l->v[i]);
	free(l->v);
	memset(l, 0, sizeof *l);
}

/* The failed gates, one escaped line each (none when every gate passed). */
static void failure_lines(const nctx *c, lines *l, bool heading)
{
	size_t n = c->o ? c->o->n_failures : 0;

	if (!n || !c->o->failures)
		return;
	if (heading) {
		cr_buf *b = line_new(l);

		bold(c, b, true);
		cr_buf_addf(b, "Gate failed: %zu threshold%s exceeded", n, n == 1 ? "" : "s");
		bold(c, b, false);
	}
	for (size_t i = 0; i < n && i < CR_NOTIFY_TOP_FAILURES; i++) {
		cr_buf *b = line_new(l);

		cr_buf_adds(b, "\xE2\x80\xA2 ");   /* "• " */
		data(c, b, c->o->failures[i], 300);
	}
	if (n > CR_NOTIFY_TOP_FAILURES)
		cr_buf_addf(line_new(l), "and %zu more", n - CR_NOTIFY_TOP_FAILURES);
}

/* Joins lines with sep into b while the result stays within max bytes
 * (0: no limit); lines that do not fit are replaced by one "…". */
static void join(cr_buf *b, const lines *l, const char *sep, size_t max)
{
	size_t seplen = strlen(sep), ell = strlen(ELLIPSIS);

	cr_buf_add(b, "", 0);
	for (size_t i = 0; i < l->n; i++) {
		size_t need = (b->len ? seplen : 0) + l->v[i].len;

		if (max && b->len + need > max) {
			if (b->len + (b->len ? seplen : 0) + ell <= max) {
				if (b->len)
					cr_buf_adds(b, sep);
				cr_buf_adds(b, ELLIPSIS);
			}
			return;
		}
		if (b->len)
			cr_buf_adds(b, sep);
		cr_buf_add(b, l->v[i].ptr, l->v[i].len);
	}
}

/* ---- content shared by the chat kinds --------------------------------------- */

/* "1. larkspur-prod · 048213306571 · production" (escaped; the name bold
 * when markup) */
static void account_heading(const nctx *c, cr_buf *b, const cr_report_account *a,
			    bool markup)
{
	cr_buf_addf(b, "%d. ", a->rank);
	if (a->name && *a->name) {
		if (markup)
			bold(c, b, true);
		data(c, b, a->name, 0);
		if (markup)
			bold(c, b, false);
		cr_buf_adds(b, SEP);
	}
	data(c, b, a->id, 0);
	if (a->environment && *a->environment) {
		cr_buf_adds(b, SEP);
		data(c, b, a->environment, 24);
	}
}

/* "$106,596.82 · 61.4% of total · +4.9% vs 2026-09" (escaped; the
 * amount bold when markup) */
static void account_figures(const nctx *c, cr_buf *b, const cr_report_account *a, bool markup)
{
	cr_buf t = CR_BUF_INIT;

	if (markup)
		bold(c, b, true);
	money(c, b, a->total, false);
	if (markup)
		bold(c, b, false);
	cr_buf_adds(b, SEP);
	/* xgettext:no-c-format */
	cr_render_fixed(&t, a->share * 100.0, 1, false, _("% of total"));
	esc(c, b, t.ptr);
	if (c->r->has_previous) {
		cr_buf_adds(b, SEP);
		change_pct(c, b, a->total, a->previous_total,
			   cr_dec_is_zero(a->previous_total) && !cr_dec_is_zero(a->total));
		cr_buf_reset(&t);
		cr_buf_adds(&t, _(" vs "));
		cr_render_prev_label(&t, c->r);
		esc(c, b, t.ptr);
	}
	cr_buf_release(&t);
}

/* A service row: label "1. EC2 - Other", value "$27,484.90 (+7.6%)". */
typedef struct srow {
	cr_buf label, value;
} srow;

/* The account's top services (at most CR_NOTIFY_TOP_SERVICES), then one
 * row for the rest ("Other services (12)") when there is a rest.  rows
 * has CR_NOTIFY_TOP_SERVICES + 1 entries; returns how many are filled. */
static size_t service_rows(nctx *c, const cr_report_account *a, srow *rows)
{
	size_t n = 0, listed_total = 0;
	cr_dec rest = a->total;
	bool any_rest = false;

	for (size_t j = 0; j < a->n_services; j++) {
		const cr_report_service *s = &a->services[j];

		if (s->is_other || n == CR_NOTIFY_TOP_SERVICES) {
			any_rest = true;
			continue;
		}
		rows[n].label = (cr_buf)CR_BUF_INIT;
		rows[n].value = (cr_buf)CR_BUF_INIT;
		cr_buf_addf(&rows[n].label, "%d. ", s->rank);
		data(c, &rows[n].label, s->name, 0);
		money(c, &rows[n].value, s->cost, false);
		if (c->r->has_previous) {
			cr_buf_adds(&rows[n].value, " (");
			change_pct(c, &rows[n].value, s->cost, s->previous_cost, s->is_new);
			cr_buf_adds(&rows[n].value, ")");
		}
		if (cr_dec_sub(&rest, rest, s->cost) != 0)
			c->failed = true;
		listed_total++;
		n++;
	}
	if (any_rest) {
		size_t others = a->services_total > listed_total ? a->services_total - listed_total : 0;

		rows[n].label = (cr_buf)CR_BUF_INIT;
		rows[n].value = (cr_buf)CR_BUF_INIT;
		if (others)
			cr_buf_addf(&rows[n].label, _("Other services (%zu)"), others);
		else
			cr_buf_adds(&rows[n].label, _("Other services"));
		money(c, &rows[n].value, rest, false);
		n++;
	}
	return n;
}

static void rows_free(srow *rows, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		cr_buf_release(&rows[i].label);
		cr_buf_release(&rows[i].value);
	}
}

static size_t top_proposals(const cr_report *r)
{
	return r->n_proposals < CR_NOTIFY_TOP_PROPOSALS ? r->n_proposals : CR_NOTIFY_TOP_PROPOSALS;
}

/* "Top 5 savings proposals: $35,335.83 a month (...)" (escaped, bold
 * label when markup) */
static void proposals_heading(const nctx *c, cr_buf *b, bool markup)
{
	size_t n = top_proposals(c->r);

	if (markup)
		bold(c, b, true);
	if (n > 1)
		cr_buf_addf(b, _("Top %zu savings proposals"), n);
	else
		cr_buf_adds(b, _("Savings proposals"));
	if (markup)
		bold(c, b, false);
	cr_buf_adds(b, ": ");
	savings_line(c, b);
}

/* "1. Use Spot ... — larkspur-prod · Amazon EC2 · BoxUsage:m5.2xlarge:
 *  $1,234.56 a month (effort low, risk medium)" (escaped) */
static void proposal_line(const nctx *c, cr_buf *b, const cr_proposal *p)
{
	cr_buf_addf(b, "%d. ", p->rank);
	data(c, b, p->title, 0);
	cr_buf_adds(b, DASH);
	data(c, b, p->account_name && *p->account_name ? p->account_name : p->account_id, 0);
	cr_buf_adds(b, SEP);
	data(c, b, p->service, 0);
	cr_buf_adds(b, SEP);
	data(c, b, p->usage_type, 0);
	cr_buf_adds(b, ": ");
	money(c, b, p->savings, false);
	cr_buf_adds(b, _(" a month (effort "));
	data(c, b, cr_render_level(p->effort), 8);
	cr_buf_adds(b, _(", risk "));
	data(c, b, cr_render_level(p->risk), 8);
	cr_buf_adds(b, ")");
}

/* "… and 812 more accounts: $12,345.67 (7.1% of the total), left out to
 *  stay within the limits of Slack; every account is in
 *  costrank-2026-10.json" */
static void note_text(const nctx *c, cr_buf *b, size_t omitted, cr_dec sum)
{
	const char *main = main_report(c);
	cr_buf t = CR_BUF_INIT;

	cr_buf_adds(&t, ELLIPSIS);
	cr_buf_addf(&t, omitted == 1 ? _(" and %zu more account: ") : _(" and %zu more accounts: "),
		    omitted);
	cr_render_amount(&t, c->r, sum, false);
	cr_buf_adds(&t, " (");
	/* xgettext:no-c-format */
	cr_render_fixed(&t, cr_dec_ratio(sum, c->r->total) * 100.0, 1, false, _("% of the total"));
	cr_buf_addf(&t, _("), left out to stay within the limits of %s; every account is in "),
		    cr_notify_kind_title(c->kind));
	if (main)
		cr_render_clean(&t, main, CR_NOTIFY_MAX_NAME);
	else
		cr_buf_adds(&t, _("the report files"));
	esc(c, b, t.ptr);
	cr_buf_release(&t);
}

/* --by: one line per dimension, "By tag:team: platform 22.6%, tracking
 * 18.3%, data-eng 14.6% · (untagged) 21.4%". */
static void allocation_lines(const nctx *c, lines *l)
{
	for (size_t i = 0; i < c->r->n_allocations; i++) {
		const cr_report_allocation *al = &c->r->allocations[i];
		cr_buf *b = line_new(l), t = CR_BUF_INIT;
		size_t shown = 0;

		esc(c, b, "By ");
		data(c, b, al->dimension, 40);
		esc(c, b, ": ");
		for (size_t j = 0; j < al->n_values && shown < 3; j++) {
			const cr_report_alloc_value *v = &al->values[j];

			if (v->is_untagged)
				continue;
			if (shown++)
				esc(c, b, ", ");
			data(c, b, v->value, 40);
			cr_buf_reset(&t);
			cr_buf_adds(&t, " ");
			cr_render_fixed(&t, v->share * 100.0, 1, false, "%");
			esc(c, b, t.ptr);
		}
		cr_buf_reset(&t);
		cr_buf_adds(&t, shown ? SEP : "");
		cr_buf_adds(&t, al->untagged_label);
		cr_buf_adds(&t, " ");
		cr_render_fixed(&t, al->untagged_share * 100.0, 1, false, "%");
		esc(c, b, t.ptr);
		cr_buf_release(&t);
	}
}

/* The monthly loop: what the --baseline report's proposals realised, and
 * the anomalies (spikes and new usage types), one line each when there
 * are any. */
static void loop_lines(const nctx *c, lines *l)
{
	const cr_report *r = c->r;
	size_t spikes = 0, fresh = 0;

	if (r->realised) {
		const cr_report_realised *x = r->realised;
		cr_buf *b = line_new(l), t = CR_BUF_INIT;

		esc(c, b, _("Last month"));
		esc(c, b, " (");
		data(c, b, x->period_label, 40);
		cr_buf_addf(&t, "): %zu ", x->n_items);
		cr_buf_adds(&t, _("proposals"));
		cr_buf_adds(&t, ", ");
		esc(c, b, t.ptr);
		money(c, b, x->proposed, false);
		esc(c, b, " ");
		esc(c, b, _("proposed"));
		esc(c, b, ", ");
		money(c, b, x->realised, false);
		esc(c, b, " ");
		esc(c, b, _("realised"));
		cr_buf_release(&t);
	}
	for (size_t i = 0; i < r->n_anomalies; i++) {
		if (r->anomalies[i].is_new_usage)
			fresh++;
		else
			spikes++;
	}
	if (spikes || fresh) {
		cr_buf *b = line_new(l);

		cr_buf_addf(b, _("Anomalies: %zu day-level spikes, %zu new usage types"), spikes,
			    fresh);
	}
}

/* The report's notes (warnings), escaped, at most MAX_NOTES; after the
 * monthly loop's lines and the allocation lines (--by). */
static void note_lines(const nctx *c, lines *l)
{
	loop_lines(c, l);
	allocation_lines(c, l);
	for (size_t i = 0; i < c->r->n_warnings && i < MAX_NOTES; i++) {
		cr_buf *b = line_new(l);

		esc(c, b, _("Note: "));
		data(c, b, c->r->warnings[i], MAX_NOTE_LEN);
	}
	if (c->r->n_warnings > MAX_NOTES) {
		cr_buf *b = line_new(l);

		cr_buf_addf(b, _("%zu more notes in the report"), c->r->n_warnings - MAX_NOTES);
	}
}

/* ---- Slack: Block Kit ------------------------------------------------------ */

static json_t *slack_text(nctx *c, const char *type, const char *text)
{
	json_t *o = jobj(c);

	set(c, o, "type", jstr(c, type));
	set(c, o, "text", jstr(c, text));
	/* Slack would make links of URLs, channel names and mentions */
	if (strcmp(type, "mrkdwn") == 0)
		set(c, o, "verbatim", json_true());
	return o;
}

static json_t *slack_block(nctx *c, const char *type)
{
	json_t *o = jobj(c);

	set(c, o, "type", jstr(c, type));
	return o;
}

static json_t *slack_header(nctx *c, bool continued)
{
	cr_buf t = CR_BUF_INIT, clip = CR_BUF_INIT;
	json_t *h = slack_block(c, "header"), *txt;

	title(c, &t, continued);
	cr_render_clean(&clip, t.ptr, CR_SLACK_MAX_HEADER);
	txt = slack_text(c, "plain_text", clip.ptr);
	set(c, txt, "emoji", json_false());
	set(c, h, "text", txt);
	cr_buf_release(&t);
	cr_buf_release(&clip);
	return h;
}

static json_t *slack_section(nctx *c, const lines *l)
{
	cr_buf t = CR_BUF_INIT;
	json_t *s = slack_block(c, "section");

	join(&t, l, "\n", CR_SLACK_MAX_SECTION_TEXT);
	set(c, s, "text", slack_text(c, "mrkdwn", t.ptr));
	cr_buf_release(&t);
	return s;
}

/* A field: "*label*\nvalue", within the field limit. */
static json_t *slack_field(nctx *c, const char *label, const char *value)
{
	lines l = { 0 };
	cr_buf t = CR_BUF_INIT, *b = line_new(&l);
	json_t *f;

	bold(c, b, true);
	esc(c, b, label);
	bold(c, b, false);
	cr_buf_adds(line_new(&l), value);
	join(&t, &l, "\n", CR_SLACK_MAX_FIELD_TEXT);
	f = slack_text(c, "mrkdwn", t.ptr);
	cr_buf_release(&t);
	lines_free(&l);
	return f;
}

static json_t *slack_first(nctx *c)
{
	const cr_report *r = c->r;
	json_t *items = jarr(c), *sec, *fields;
	lines l = { 0 };
	cr_buf *b, v = CR_BUF_INIT, lbl = CR_BUF_INIT;

	push(c, items, slack_header(c, false));
	failure_lines(c, &l, true);
	if (l.n) {
		push(c, items, slack_section(c, &l));
		lines_free(&l);
	}

	b = line_new(&l);
	bold(c, b, true);
	esc(c, b, _("Total "));
	money(c, b, r->total, false);
	bold(c, b, false);
	cr_buf_adds(b, SEP);
	change_line(c, b);
	if (cr_fx_active(r)) {
		cr_buf t = CR_BUF_INIT;

		cr_fx_basis(&t, r);
		esc(c, line_new(&l), t.ptr);
		cr_buf_release(&t);
	}
	note_lines(c, &l);
	sec = slack_section(c, &l);

	fields = jarr(c);
	money(c, &v, r->recon.grand_total, false);
	esc(c, &v, _(" with credits, refunds and tax"));
	push(c, fields, slack_field(c, _("Billed"), v.ptr));
	cr_buf_reset(&v);
	savings_line(c, &v);
	push(c, fields, slack_field(c, _("Savings proposed"), v.ptr));
	cr_buf_reset(&v);
	cr_buf_addf(&v, "%zu", r->n_accounts);
	push(c, fields, slack_field(c, _("Accounts"), v.ptr));
	cr_buf_reset(&v);
	cr_buf_addf(&lbl, _("%s cost"), _(cr_metric_name(r->metric)));
	if (lbl.ptr[0] >= 'a' && lbl.ptr[0] <= 'z') /* English; other scripts have no case */
		lbl.ptr[0] = (char)(lbl.ptr[0] - 'a' + 'A');
	data(c, &v, cr_render_shown_currency(r), 8);
	push(c, fields, slack_field(c, lbl.ptr, v.ptr));
	set(c, sec, "fields", fields);
	push(c, items, sec);
	push(c, items, slack_block(c, "divider"));

	cr_buf_release(&v);
	cr_buf_release(&lbl);
	lines_free(&l);
	return items;
}

static json_t *slack_cont(nctx *c)
{
	json_t *items = jarr(c);

	push(c, items, slack_header(c, true));
	return items;
}

static json_t *slack_account(nctx *c, const cr_report_account *a)
{
	json_t *items = jarr(c);
	srow rows[CR_NOTIFY_TOP_SERVICES + 1];
	size_t n = service_rows(c, a, rows);
	lines l = { 0 };

	account_heading(c, line_new(&l), a, true);
	account_figures(c, line_new(&l), a, true);
	for (size_t i = 0; i < n; i++) {
		cr_buf *b = line_new(&l);

		cr_buf_add(b, rows[i].label.ptr, rows[i].label.len);
		cr_buf_adds(b, DASH);
		cr_buf_add(b, rows[i].value.ptr, rows[i].value.len);
	}
	push(c, items, slack_section(c, &l));
	rows_free(rows, n);
	lines_free(&l);
	return items;
}

static json_t *slack_note(nctx *c, size_t omitted, cr_dec sum)
{
	json_t *items = jarr(c);
	lines l = { 0 };

	note_text(c, line_new(&l), omitted, sum);
	push(c, items, slack_section(c, &l));
	lines_free(&l);
	return items;
}

static json_t *slack_tail(nctx *c)
{
	json_t *items = jarr(c);
	lines l = { 0 };

	if (!c->r->has_proposals)
		return items;
	proposals_heading(c, line_new(&l), true);
	for (size_t i = 0; i < top_proposals(c->r); i++)
		proposal_line(c, line_new(&l), &c->r->proposals[i]);
	push(c, items, slack_block(c, "divider"));
	push(c, items, slack_section(c, &l));
	lines_free(&l);
	return items;
}

static json_t *slack_wrap(nctx *c, json_t *items, size_t part, size_t nparts)
{
	json_t *msg = jobj(c), *blocks = jarr(c), *ctx = slack_block(c, "context"), *els = jarr(c);
	cr_buf t = CR_BUF_INIT, f = CR_BUF_INIT;
	lines l = { 0 };

	fallback(c, &t, part, nparts);
	set(c, msg, "text", jstr(c, t.ptr));
	push_all(c, blocks, items);
	footer_text(c, line_new(&l), part, nparts);
	join(&f, &l, "\n", CR_SLACK_MAX_SECTION_TEXT);
	push(c, els, slack_text(c, "mrkdwn", f.ptr));
	set(c, ctx, "elements", els);
	push(c, blocks, ctx);
	set(c, msg, "blocks", blocks);
	set(c, msg, "unfurl_links", json_false());
	set(c, msg, "unfurl_media", json_false());
	cr_buf_release(&t);
	cr_buf_release(&f);
	lines_free(&l);
	return msg;
}

/* ---- Microsoft Teams: an Adaptive Card -------------------------------------- */

static json_t *tb(nctx *c, const char *text)
{
	json_t *o = jobj(c);

	set(c, o, "type", jstr(c, "TextBlock"));
	set(c, o, "text", jstr(c, text));
	set(c, o, "wrap", json_true());
	return o;
}

static json_t *fact(nctx *c, const char *t, const char *v)
{
	json_t *o = jobj(c);

	set(c, o, "title", jstr(c, t));
	set(c, o, "value", jstr(c, v));
	return o;
}

static json_t *factset(nctx *c, json_t *facts)
{
	json_t *o = jobj(c);

	set(c, o, "type", jstr(c, "FactSet"));
	set(c, o, "facts", facts);
	return o;
}

static json_t *teams_title(nctx *c, bool continued)
{
	cr_buf t = CR_BUF_INIT, e = CR_BUF_INIT;
	json_t *o;

	title(c, &t, continued);
	esc(c, &e, t.ptr);
	o = tb(c, e.ptr);
	set(c, o, "size", jstr(c, "Large"));
	set(c, o, "weight", jstr(c, "Bolder"));
	cr_buf_release(&t);
	cr_buf_release(&e);
	return o;
}

static json_t *teams_first(nctx *c)
{
	const cr_report *r = c->r;
	json_t *items = jarr(c), *facts = jarr(c);
	cr_buf v = CR_BUF_INIT, t = CR_BUF_INIT;
	lines l = { 0 };

	push(c, items, teams_title(c, false));
	failure_lines(c, &l, true);
	for (size_t i = 0; i < l.n; i++) {
		json_t *o = tb(c, l.v[i].ptr);

		set(c, o, "color", jstr(c, "Attention"));
		set(c, o, "spacing", jstr(c, i ? "None" : "Small"));
		if (!i)
			set(c, o, "weight", jstr(c, "Bolder"));
		push(c, items, o);
	}
	lines_free(&l);
	money(c, &v, r->total, false);
	push(c, facts, fact(c, _("Total"), v.ptr));
	cr_buf_reset(&v);
	change_line(c, &v);
	push(c, facts, fact(c, _("Change"), v.ptr));
	cr_buf_reset(&v);
	money(c, &v, r->recon.grand_total, false);
	esc(c, &v, _(" with credits, refunds and tax"));
	push(c, facts, fact(c, _("Billed"), v.ptr));
	cr_buf_reset(&v);
	savings_line(c, &v);
	push(c, facts, fact(c, _("Savings proposed"), v.ptr));
	if (cr_fx_active(r)) {
		cr_buf_reset(&v);
		cr_fx_basis(&t, r);
		esc(c, &v, t.ptr);
		cr_buf_reset(&t);
		cr_buf_adds(&t, _("Currency"));
		push(c, facts, fact(c, t.ptr, v.ptr));
	}
	cr_buf_reset(&v);
	cr_buf_addf(&v, "%zu", r->n_accounts);
	push(c, facts, fact(c, _("Accounts"), v.ptr));
	push(c, items, factset(c, facts));
	note_lines(c, &l);
	for (size_t i = 0; i < l.n; i++) {
		json_t *o = tb(c, l.v[i].ptr);

		set(c, o, "isSubtle", json_true());
		push(c, items, o);
	}
	cr_buf_release(&v);
	cr_buf_release(&t);
	lines_free(&l);
	return items;
}

static json_t *teams_cont(nctx *c)
{
	json_t *items = jarr(c);

	push(c, items, teams_title(c, true));
	return items;
}

static json_t *teams_account(nctx *c, const cr_report_account *a)
{
	json_t *items = jarr(c), *box = jobj(c), *inner = jarr(c), *facts = jarr(c), *o;
	srow rows[CR_NOTIFY_TOP_SERVICES + 1];
	size_t n = service_rows(c, a, rows);
	cr_buf t = CR_BUF_INIT;

	account_heading(c, &t, a, false);
	o = tb(c, t.ptr);
	set(c, o, "weight", jstr(c, "Bolder"));
	push(c, inner, o);
	cr_buf_reset(&t);
	account_figures(c, &t, a, true);
	o = tb(c, t.ptr);
	set(c, o, "spacing", jstr(c, "None"));
	push(c, inner, o);
	for (size_t i = 0; i < n; i++)
		push(c, facts, fact(c, rows[i].label.ptr, rows[i].value.ptr));
	if (n)
		push(c, inner, factset(c, facts));
	else
		json_decref(facts);
	set(c, box, "type", jstr(c, "Container"));
	set(c, box, "separator", json_true());
	set(c, box, "items", inner);
	push(c, items, box);
	rows_free(rows, n);
	cr_buf_release(&t);
	return items;
}

static json_t *teams_note(nctx *c, size_t omitted, cr_dec sum)
{
	json_t *items = jarr(c), *o;
	cr_buf t = CR_BUF_INIT;

	note_text(c, &t, omitted, sum);
	o = tb(c, t.ptr);
	set(c, o, "separator", json_true());
	set(c, o, "isSubtle", json_true());
	push(c, items, o);
	cr_buf_release(&t);
	return items;
}

static json_t *teams_tail(nctx *c)
{
	json_t *items = jarr(c), *o;
	cr_buf t = CR_BUF_INIT;

	if (!c->r->has_proposals)
		return items;
	proposals_heading(c, &t, true);
	o = tb(c, t.ptr);
	set(c, o, "separator", json_true());
	set(c, o, "spacing", jstr(c, "Medium"));
	push(c, items, o);
	for (size_t i = 0; i < top_proposals(c->r); i++) {
		cr_buf_reset(&t);
		proposal_line(c, &t, &c->r->proposals[i]);
		o = tb(c, t.ptr);
		set(c, o, "spacing", jstr(c, "Small"));
		push(c, items, o);
	}
	cr_buf_release(&t);
	return items;
}

static json_t *teams_wrap(nctx *c, json_t *items, size_t part, size_t nparts)
{
	json_t *msg = jobj(c), *atts = jarr(c), *att = jobj(c), *card = jobj(c), *body = jarr(c);
	json_t *ms = jobj(c), *f;
	cr_buf t = CR_BUF_INIT;

	push_all(c, body, items);
	footer_text(c, &t, part, nparts);
	f = tb(c, t.ptr);
	set(c, f, "isSubtle", json_true());
	set(c, f, "size", jstr(c, "Small"));
	set(c, f, "separator", json_true());
	push(c, body, f);

	set(c, card, "$schema", jstr(c, "http://adaptivecards.io/schemas/adaptive-card.json"));
	set(c, card, "type", jstr(c, "AdaptiveCard"));
	set(c, card, "version", jstr(c, CR_TEAMS_CARD_VERSION));
	cr_buf_reset(&t);
	fallback(c, &t, part, nparts);
	set(c, card, "fallbackText", jstr(c, t.ptr));
	set(c, card, "body", body);
	set(c, ms, "width", jstr(c, "Full"));
	set(c, card, "msteams", ms);
	set(c, att, "contentType", jstr(c, "application/vnd.microsoft.card.adaptive"));
	set(c, att, "contentUrl", json_null());
	set(c, att, "content", card);
	push(c, atts, att);
	set(c, msg, "type", jstr(c, "message"));
	set(c, msg, "attachments", atts);
	cr_buf_release(&t);
	return msg;
}

/* ---- Google Chat: cardsV2 ------------------------------------------------------ */

static json_t *g_para(nctx *c, const char *html)
{
	json_t *w = jobj(c), *p = jobj(c);

	set(c, p, "text", jstr(c, html));
	set(c, w, "textParagraph", p);
	return w;
}

static json_t *g_decorated(nctx *c, const char *label, const char *html)
{
	json_t *w = jobj(c), *d = jobj(c);

	set(c, d, "topLabel", jstr(c, label));
	set(c, d, "text", jstr(c, html));
	set(c, d, "wrapText", json_true());
	set(c, w, "decoratedText", d);
	return w;
}

static json_t *g_section(nctx *c, const char *header, json_t *widgets)
{
	json_t *s = jobj(c);

	if (header)
		set(c, s, "header", jstr(c, header));
	set(c, s, "widgets", widgets);
	return s;
}

static json_t *gchat_first(nctx *c)
{
	const cr_report *r = c->r;
	json_t *items = jarr(c), *w = jarr(c);
	cr_buf v = CR_BUF_INIT, t = CR_BUF_INIT, lbl = CR_BUF_INIT;
	lines l = { 0 };

	failure_lines(c, &l, false);
	if (l.n) {
		json_t *fw = jarr(c);
		cr_buf h = CR_BUF_INIT;

		join(&v, &l, "<br>", 0);
		push(c, fw, g_para(c, v.ptr));
		cr_buf_addf(&h, "Gate failed: %zu threshold%s exceeded", c->o->n_failures,
			    c->o->n_failures == 1 ? "" : "s");
		push(c, items, g_section(c, h.ptr, fw));
		cr_buf_release(&h);
		cr_buf_reset(&v);
		lines_free(&l);
	}

	bold(c, &v, true);
	money(c, &v, r->total, false);
	bold(c, &v, false);
	push(c, w, g_decorated(c, _("Total"), v.ptr));
	cr_buf_reset(&v);
	change_line(c, &v);
	push(c, w, g_decorated(c, _("Change"), v.ptr));
	cr_buf_reset(&v);
	money(c, &v, r->recon.grand_total, false);
	esc(c, &v, _(" with credits, refunds and tax"));
	push(c, w, g_decorated(c, _("Billed"), v.ptr));
	cr_buf_reset(&v);
	savings_line(c, &v);
	push(c, w, g_decorated(c, _("Savings proposed"), v.ptr));
	if (cr_fx_active(r)) {
		cr_buf_reset(&v);
		cr_fx_basis(&t, r);
		esc(c, &v, t.ptr);
		cr_buf_adds(&lbl, _("Currency"));
		push(c, w, g_decorated(c, lbl.ptr, v.ptr));
	}
	note_lines(c, &l);
	if (l.n) {
		cr_buf_reset(&v);
		join(&v, &l, "<br>", 0);
		push(c, w, g_para(c, v.ptr));
	}
	push(c, items, g_section(c, NULL, w));
	cr_buf_release(&v);
	cr_buf_release(&t);
	cr_buf_release(&lbl);
	lines_free(&l);
	return items;
}

static json_t *gchat_cont(nctx *c)
{
	return jarr(c); /* the card header says "continued" */
}

static json_t *gchat_account(nctx *c, const cr_report_account *a)
{
	json_t *items = jarr(c), *w = jarr(c);
	srow rows[CR_NOTIFY_TOP_SERVICES + 1];
	size_t n = service_rows(c, a, rows);
	cr_buf h = CR_BUF_INIT, t = CR_BUF_INIT;
	lines l = { 0 };

	account_heading(c, &h, a, false);
	account_figures(c, line_new(&l), a, true);
	for (size_t i = 0; i < n; i++) {
		cr_buf *b = line_new(&l);

		cr_buf_add(b, rows[i].label.ptr, rows[i].label.len);
		cr_buf_adds(b, DASH);
		cr_buf_add(b, rows[i].value.ptr, rows[i].value.len);
	}
	join(&t, &l, "<br>", 0);
	push(c, w, g_para(c, t.ptr));
	push(c, items, g_section(c, h.ptr, w));
	rows_free(rows, n);
	cr_buf_release(&h);
	cr_buf_release(&t);
	lines_free(&l);
	return items;
}

static json_t *gchat_note(nctx *c, size_t omitted, cr_dec sum)
{
	json_t *items = jarr(c), *w = jarr(c);
	cr_buf t = CR_BUF_INIT;

	cr_buf_adds(&t, "<i>");
	note_text(c, &t, omitted, sum);
	cr_buf_adds(&t, "</i>");
	push(c, w, g_para(c, t.ptr));
	push(c, items, g_section(c, NULL, w));
	cr_buf_release(&t);
	return items;
}

static json_t *gchat_tail(nctx *c)
{
	json_t *items = jarr(c), *w;
	cr_buf t = CR_BUF_INIT, h = CR_BUF_INIT;
	lines l = { 0 };
	size_t n = top_proposals(c->r);

	if (!c->r->has_proposals)
		return items;
	w = jarr(c);
	if (n > 1)
		cr_buf_addf(&h, _("Top %zu savings proposals"), n);
	else
		cr_buf_adds(&h, _("Savings proposals"));
	savings_line(c, line_new(&l));
	for (size_t i = 0; i < n; i++)
		proposal_line(c, line_new(&l), &c->r->proposals[i]);
	join(&t, &l, "<br>", 0);
	push(c, w, g_para(c, t.ptr));
	push(c, items, g_section(c, h.ptr, w));
	cr_buf_release(&t);
	cr_buf_release(&h);
	lines_free(&l);
	return items;
}

static json_t *gchat_wrap(nctx *c, json_t *items, size_t part, size_t nparts)
{
	json_t *msg = jobj(c), *cards = jarr(c), *cv = jobj(c), *card = jobj(c), *hdr = jobj(c);
	json_t *sections = jarr(c), *w = jarr(c);
	cr_buf t = CR_BUF_INIT, s = CR_BUF_INIT;
	cr_render_change ch;

	fallback(c, &t, part, nparts);
	set(c, msg, "text", jstr(c, t.ptr));
	cr_buf_reset(&t);
	title(c, &t, false);
	set(c, hdr, "title", jstr(c, t.ptr));
	if (part > 1) {
		cr_buf_addf(&s, _("continued, part %zu of %zu"), part, nparts);
	} else {
		cr_buf_adds(&s, _("Total "));
		cr_render_amount(&s, c->r, c->r->total, false);
		cr_render_change_of(c->r, c->r->total, c->r->previous_total, &ch);
		if (ch.known) {
			cr_buf_adds(&s, SEP);
			cr_render_change_pct(&s, &ch, false);
			cr_buf_adds(&s, _(" vs "));
			cr_render_prev_label(&s, c->r);
		}
	}
	set(c, hdr, "subtitle", jstr(c, s.ptr));
	set(c, card, "header", hdr);
	push_all(c, sections, items);
	cr_buf_reset(&t);
	cr_buf_adds(&t, "<font color=\"#5f6368\">");
	footer_text(c, &t, part, nparts);
	cr_buf_adds(&t, "</font>");
	push(c, w, g_para(c, t.ptr));
	push(c, sections, g_section(c, NULL, w));
	set(c, card, "sections", sections);
	cr_buf_reset(&t);
	cr_buf_adds(&t, "costrank-");
	for (const char *p = c->r->period_label ? c->r->period_label : ""; *p && t.len < 60; p++)
		cr_buf_addc(&t, ((*p >= '0' && *p <= '9') || (*p >= 'a' && *p <= 'z') ||
				 (*p >= 'A' && *p <= 'Z')) ? *p : '-');
	cr_buf_addf(&t, "-%zu", part);
	set(c, cv, "cardId", jstr(c, t.ptr));
	set(c, cv, "card", card);
	push(c, cards, cv);
	set(c, msg, "cardsV2", cards);
	cr_buf_release(&t);
	cr_buf_release(&s);
	return msg;
}

/* ---- packing chat messages -------------------------------------------------- */

typedef struct kind_ops {
	size_t max_bytes;
	size_t max_count;      /* of what count() counts, footer included */
	size_t (*count)(json_t *items);
	json_t *(*first)(nctx *c);
	json_t *(*cont)(nctx *c);
	json_t *(*account)(nctx *c, const cr_report_account *a);
	json_t *(*note)(nctx *c, size_t omitted, cr_dec sum);
	json_t *(*tail)(nctx *c);
	json_t *(*wrap)(nctx *c, json_t *items, size_t part, size_t nparts);
} kind_ops;

/* Slack: blocks, the footer's included. */
static size_t count_blocks(json_t *items)
{
	return json_array_size(items) + 1;
}

/* Google Chat: widgets of every section, the footer's included. */
static size_t count_widgets(json_t *items)
{
	size_t i, n = 1;
	json_t *s;

	json_array_foreach(items, i, s)
		n += json_array_size(json_object_get(s, "widgets"));
	return n;
}

static const kind_ops slack_ops = {
	CR_SLACK_MAX_BYTES, CR_SLACK_MAX_BLOCKS, count_blocks, slack_first, slack_cont, slack_account,
	slack_note, slack_tail, slack_wrap,
};
static const kind_ops teams_ops = {
	CR_TEAMS_MAX_BYTES, 0, NULL, teams_first, teams_cont, teams_account, teams_note, teams_tail,
	teams_wrap,
};
static const kind_ops gchat_ops = {
	CR_GCHAT_MAX_BYTES, CR_GCHAT_MAX_WIDGETS, count_widgets, gchat_first, gchat_cont, gchat_account, gchat_note, gchat_tail,
	gchat_wrap,
};

/* The wrapped message as sent; NULL on failure. */
static char *render(nctx *c, const kind_ops *k, json_t *items, size_t part, size_t nparts,
		    size_t *len)
{
	json_t *msg = k->wrap(c, items, part, nparts);
	char *s = c->failed ? NULL : json_dumps(msg, DUMP_FLAGS);

	json_decref(msg);
	if (!s)
		c->failed = true;
	else
		*len = strlen(s);
	return s;
}

/* Whether items plus extra and extra2 (may be NULL) make message `part`
 * within the limits, measured with the widest "part N of N" footer. */
static bool fits(nctx *c, const kind_ops *k, json_t *items, json_t *extra, json_t *extra2,
		 size_t part, size_t widest)
{
	json_t *all = jarr(c);
	size_t len = 0, count;
	char *s;

	push_all(c, all, items);
	if (extra)
		push_all(c, all, extra);
	if (extra2)
		push_all(c, all, extra2);
	count = k->count ? k->count(all) : 0;
	s = render(c, k, all, part, widest, &len);
	json_decref(all);
	free(s);
	if (c->failed)
		return true; /* stop packing: the failure is reported once */
	return len <= k->max_bytes && (!k->count || count <= k->max_count);
}

/* The sum of the totals of accounts [from, n). */
static cr_dec rest_sum(nctx *c, size_t from)
{
	cr_dec sum = CR_DEC_ZERO;

	for (size_t i = from; i < c->r->n_accounts; i++)
		if (cr_dec_acc(&sum, c->r->accounts[i].total) != 0)
			c->failed = true;
	return sum;
}

typedef struct plan {
	json_t *msgs[64];   /* item lists, one per message */
	size_t n;
} plan;

static void add_msg(plan *p, json_t *items)
{
	p->msgs[p->n++] = items;
}

static int build_chat(nctx *c, const kind_ops *k, cr_notify_payloads *out, cr_error *err)
{
	const cr_report *r = c->r;
	size_t max = c->o && c->o->max_messages ? c->o->max_messages : CR_NOTIFY_MAX_MESSAGES;
	size_t acc = 0, widest;
	json_t *tail = k->tail(c);
	plan p = { .n = 0 };
	int rc = 0;

	if (max > 60)
		max = 60;
	widest = max > 9 ? max : 9;
	while (!c->failed) {
		size_t part = p.n + 1, added = 0;
		bool last_allowed = part == max;
		json_t *items = part == 1 ? k->first(c) : k->cont(c);

		/* accounts while they fit; in the last message allowed, with room
		 * left for the note on the rest and for the proposals */
		while (acc < r->n_accounts && !c->failed) {
			json_t *unit = k->account(c, &r->accounts[acc]), *note = NULL;
			bool ok;

			if (last_allowed && acc + 1 < r->n_accounts)
				note = k->note(c, r->n_accounts - acc - 1, rest_sum(c, acc + 1));
			if (last_allowed) {
				json_t *more = jarr(c);

				push_all(c, more, unit);
				if (note)
					push_all(c, more, note);
				ok = fits(c, k, items, more, tail, part, widest);
				json_decref(more);
			} else {
				ok = fits(c, k, items, unit, NULL, part, widest);
			}
			/* the first account of a message goes in whatever its size
			 * (the clipping of names keeps it far below the limits) */
			if (ok || (added == 0 && !last_allowed)) {
				push_all(c, items, unit);
				acc++;
				added++;
			}
			json_decref(unit);
			json_decref(note);
			if (!ok)
				break;
		}
		if (acc == r->n_accounts) {
			/* the proposals end the last message, or get one of their own */
			if (last_allowed || fits(c, k, items, tail, NULL, part, widest)) {
				push_all(c, items, tail);
				add_msg(&p, items);
			} else {
				add_msg(&p, items);
				items = k->cont(c);
				push_all(c, items, tail);
				add_msg(&p, items);
			}
			break;
		}
		if (last_allowed) {
			json_t *note = k->note(c, r->n_accounts - acc, rest_sum(c, acc));

			push_all(c, items, note);
			json_decref(note);
			push_all(c, items, tail);
			add_msg(&p, items);
			out->omitted = r->n_accounts - acc;
			break;
		}
		add_msg(&p, items);
	}
	json_decref(tail);

	if (!c->failed) {
		out->v = cr_xcalloc(p.n, sizeof *out->v);
		out->len = cr_xcalloc(p.n, sizeof *out->len);
		for (size_t i = 0; i < p.n && !c->failed; i++) {
			out->v[i] = render(c, k, p.msgs[i], i + 1, p.n, &out->len[i]);
			if (out->v[i])
				out->n++;
		}
	}
	for (size_t i = 0; i < p.n; i++)
		json_decref(p.msgs[i]);
	if (c->failed) {
		cr_notify_payloads_free(out);
		rc = cr_error_set(err, CR_EXIT_INTERNAL, "cannot build the %s message (out of "
				  "memory or an amount out of range)", cr_notify_kind_title(c->kind));
	}
	return rc;
}

/* ---- the generic webhook: one JSON document ---------------------------------- */

static json_t *w_change(nctx *c, cr_dec cost, cr_dec prev)
{
	cr_dec d;

	if (!c->r->has_previous)
		return json_null();
	if (cr_dec_sub(&d, cost, prev) != 0) {
		c->failed = true;
		return NULL;
	}
	return jamount(c, d);
}

static json_t *w_text(nctx *c, const char *s, size_t max)
{
	cr_buf t = CR_BUF_INIT;
	json_t *v;

	if (!s || !*s)
		return json_null();
	cr_render_clean(&t, s, max);
	v = jstr(c, t.ptr);
	cr_buf_release(&t);
	return v;
}

static json_t *w_fx(nctx *c, cr_dec a)
{
	cr_dec v;

	if (cr_fx_convert(&c->r->fx, a, &v) != 0) {
		c->failed = true;
		return NULL;
	}
	return jamount(c, v);
}

static json_t *w_account(nctx *c, const cr_report_account *a)
{
	json_t *o = jobj(c), *svcs = jarr(c);
	cr_dec rest = a->total;
	size_t n = 0, others = 0;
	bool any_rest = false;

	set(c, o, "rank", json_integer(a->rank));
	set(c, o, "id", w_text(c, a->id, 0));
	set(c, o, "name", w_text(c, a->name, 0));
	set(c, o, "environment", w_text(c, a->environment, 0));
	set(c, o, "owner", w_text(c, a->owner, 0));
	set(c, o, "total", jamount(c, a->total));
	set(c, o, "previous_total", c->r->has_previous ? jamount(c, a->previous_total)
						       : json_null());
	set(c, o, "change", w_change(c, a->total, a->previous_total));
	if (cr_fx_active(c->r))
		set(c, o, "total_fx", w_fx(c, a->total));
	for (size_t j = 0; j < a->n_services; j++) {
		const cr_report_service *s = &a->services[j];
		json_t *so;

		if (s->is_other || n == CR_NOTIFY_TOP_SERVICES) {
			any_rest = true;
			continue;
		}
		so = jobj(c);
		set(c, so, "rank", json_integer(s->rank));
		set(c, so, "name", w_text(c, s->name, 0));
		set(c, so, "cost", jamount(c, s->cost));
		set(c, so, "previous_cost", c->r->has_previous ? jamount(c, s->previous_cost)
							       : json_null());
		set(c, so, "change", w_change(c, s->cost, s->previous_cost));
		set(c, so, "new", json_boolean(c->r->has_previous && s->is_new));
		push(c, svcs, so);
		if (cr_dec_sub(&rest, rest, s->cost) != 0)
			c->failed = true;
		n++;
	}
	set(c, o, "top_services", svcs);
	if (any_rest) {
		json_t *so = jobj(c);

		others = a->services_total > n ? a->services_total - n : 0;
		set(c, so, "count", json_integer((json_int_t)others));
		set(c, so, "cost", jamount(c, rest));
		set(c, o, "other_services", so);
	} else {
		set(c, o, "other_services", json_null());
	}
	return o;
}

static int build_webhook(nctx *c, cr_notify_payloads *out, cr_error *err)
{
	const cr_report *r = c->r;
	json_t *root = jobj(c), *o, *a;
	cr_buf t = CR_BUF_INIT;
	cr_render_change ch;
	char *s = NULL;

	set(c, root, "schema", jstr(c, CR_NOTIFY_SCHEMA));
	fallback(c, &t, 1, 1);
	set(c, root, "text", jstr(c, t.ptr));
	o = jobj(c);
	set(c, o, "start", jday(c, r->start));
	set(c, o, "end", jday(c, r->end));
	set(c, o, "label", w_text(c, r->period_label, 0));
	set(c, root, "period", o);
	if (r->has_previous) {
		o = jobj(c);
		set(c, o, "start", jday(c, r->prev_start));
		set(c, o, "end", jday(c, r->prev_end));
		set(c, root, "previous_period", o);
	} else {
		set(c, root, "previous_period", json_null());
	}
	set(c, root, "currency", w_text(c, r->currency, 0));
	set(c, root, "metric", jstr(c, cr_metric_name(r->metric)));
	set(c, root, "total", jamount(c, r->total));
	set(c, root, "previous_total", r->has_previous ? jamount(c, r->previous_total)
						       : json_null());
	set(c, root, "change", w_change(c, r->total, r->previous_total));
	cr_render_change_of(r, r->total, r->previous_total, &ch);
	set(c, root, "change_pct", ch.has_pct && isfinite(ch.pct)
		    ? json_real(round(ch.pct * 10.0) / 10.0 + 0.0) : json_null());
	set(c, root, "grand_total", jamount(c, r->recon.grand_total));
	if (cr_fx_active(r)) {
		char rate[CR_DEC_STRLEN];

		cr_dec_format(r->fx.rate, -1, rate, sizeof rate);
		o = jobj(c);
		set(c, o, "currency", jstr(c, r->fx.code));
		set(c, o, "rate", jstr(c, rate));
		set(c, o, "date", jday(c, r->fx.date));
		set(c, root, "fx", o);
		set(c, root, "total_fx", w_fx(c, r->total));
	}
	set(c, root, "savings_total", r->has_proposals ? jamount(c, r->savings_total) : json_null());
	set(c, root, "proposals_count", json_integer((json_int_t)r->n_proposals));
	if (r->realised) {   /* --baseline: one line of the monthly loop */
		json_t *x = jobj(c);

		set(c, x, "baseline_period", w_text(c, r->realised->period_label, 0));
		set(c, x, "proposals", json_integer((json_int_t)r->realised->n_items));
		set(c, x, "proposed", jamount(c, r->realised->proposed));
		set(c, x, "realised", jamount(c, r->realised->realised));
		set(c, root, "realised", x);
	}
	if (r->has_anomalies) {
		json_t *x = jobj(c);
		size_t spikes = 0;

		for (size_t i = 0; i < r->n_anomalies; i++)
			spikes += !r->anomalies[i].is_new_usage;
		set(c, x, "spikes", json_integer((json_int_t)spikes));
		set(c, x, "new_usage_types", json_integer((json_int_t)(r->n_anomalies - spikes)));
		set(c, root, "anomalies", x);
	}
	set(c, root, "accounts_count", json_integer((json_int_t)r->n_accounts));

	a = jarr(c);
	for (size_t i = 0; i < r->n_accounts && !c->failed; i++)
		push(c, a, w_account(c, &r->accounts[i]));
	set(c, root, "accounts", a);

	a = jarr(c);
	for (size_t i = 0; i < top_proposals(r); i++) {
		const cr_proposal *p = &r->proposals[i];

		o = jobj(c);
		set(c, o, "rank", json_integer(p->rank));
		set(c, o, "rule", w_text(c, p->rule, 0));
		set(c, o, "title", w_text(c, p->title, 0));
		set(c, o, "action", w_text(c, p->action, 0));
		set(c, o, "account_id", w_text(c, p->account_id, 0));
		set(c, o, "account_name", w_text(c, p->account_name, 0));
		set(c, o, "service", w_text(c, p->service, 0));
		set(c, o, "usage_type", w_text(c, p->usage_type, 0));
		set(c, o, "estimated_monthly_savings", jamount(c, p->savings));
		set(c, o, "effort", w_text(c, p->effort, 0));
		set(c, o, "risk", w_text(c, p->risk, 0));
		push(c, a, o);
	}
	set(c, root, "top_proposals", a);

	o = jobj(c);
	set(c, o, "kind", w_text(c, r->source_kind, 0));
	set(c, o, "files", json_integer((json_int_t)r->n_files));
	set(c, o, "requests", json_integer(r->paid_requests));
	set(c, o, "data_through", r->data_through ? jday(c, r->data_through) : json_null());
	set(c, o, "estimated", json_boolean(r->estimated));
	set(c, o, "partial", json_boolean(r->partial));
	set(c, root, "source", o);

	a = jarr(c);
	for (size_t i = 0; i < r->n_warnings; i++)
		push(c, a, w_text(c, r->warnings[i], 0));
	set(c, root, "warnings", a);
	a = jarr(c);
	for (size_t i = 0; c->o && c->o->reports && i < c->o->n_reports; i++)
		push(c, a, w_text(c, c->o->reports[i], 0));
	set(c, root, "reports", a);
	a = jarr(c);
	for (size_t i = 0; c->o && c->o->failures && i < c->o->n_failures; i++)
		push(c, a, w_text(c, c->o->failures[i], 0));
	set(c, root, "gate_failed", json_boolean(json_array_size(a) > 0));
	set(c, root, "gate_failures", a);
	set(c, root, "run_url", run_link(c) ? jstr(c, run_link(c)) : json_null());
	set(c, root, "generator", jstr(c, "costrank " COSTRANK_VERSION));

	if (!c->failed)
		s = json_dumps(root, DUMP_FLAGS);
	json_decref(root);
	cr_buf_release(&t);
	if (!s)
		return cr_error_set(err, CR_EXIT_INTERNAL, "cannot build the webhook document (out "
				    "of memory or an amount out of range)");
	out->v = cr_xcalloc(1, sizeof *out->v);
	out->len = cr_xcalloc(1, sizeof *out->len);
	out->v[0] = s;
	out->len[0] = strlen(s);
	out->n = 1;
	return 0;
}

int cr_notify_build(const cr_report *r, enum cr_notify_kind kind, const cr_notify_opts *o,
		    cr_notify_payloads *out, cr_error *err)
{
	nctx c = { r, kind, o, false };

	memset(out, 0, sizeof *out);
	switch (kind) {
	case CR_NOTIFY_SLACK:
		return build_chat(&c, &slack_ops, out, err);
	case CR_NOTIFY_TEAMS:
		return build_chat(&c, &teams_ops, out, err);
	case CR_NOTIFY_GCHAT:
		return build_chat(&c, &gchat_ops, out, err);
	case CR_NOTIFY_WEBHOOK:
		return build_webhook(&c, out, err);
	}
	return cr_error_set(err, CR_EXIT_INTERNAL, "unknown kind of post");
}
