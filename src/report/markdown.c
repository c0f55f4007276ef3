/* markdown.c - the Markdown summary (see costrank/writer.h)
 *
 *   ## costrank report — 2026-10
 *   **Total \$173,607.31** · +4.1% (+\$6,784.23) vs 2026-09 (\$166,823.08) · ...
 *   | Reconciliation | Amount |  ...  | **Grand total (billed)** | ... |
 *   #### 1. larkspur-prod · 048213306571 · production — \$106,596.82 ...
 *   | # | Service | Cost | Share | Change |
 *   ### Savings proposals  (the top ones, with the de-duplicated total, their
 *                          titles and priorities, and how they are ordered)
 *
 * For a pull-request comment or $GITHUB_STEP_SUMMARY (GitHub Flavored
 * Markdown).  Text from the data is escaped so that it can neither break a
 * table nor become a link, an image, emphasis, math or HTML.  The document
 * never exceeds CR_MARKDOWN_LIMIT bytes: accounts are dropped from the end,
 * with a visible note, until it fits (and, should the rest still be too
 * long, whole lines are cut from the end).
 */
#include "costrank/i18n.h"
#include "costrank/writer.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "costrank/buf.h"
#include "costrank/error.h"
#include "costrank/fx.h"
#include "report/render.h"

#define TOP_PROPOSALS 10

/* ---- text ----------------------------------------------------------- */

/* Appends clean text with Markdown's special characters neutralised:
 * the punctuation that makes emphasis, code, links, tables, strikethrough
 * and math is backslash-escaped, '<', '>' and '&' become entities (no
 * HTML), and "www.", "://" and '@' lose their autolinks.  Text never starts
 * a line here, so line-start markers ('#', '-', '+', digits) stay as they
 * are. */
static void md_text(cr_buf *b, const char *clean)
{
	for (const char *p = clean; *p; p++) {
		switch (*p) {
		case '<':
			cr_buf_adds(b, "&lt;");
			break;
		case '>':
			cr_buf_adds(b, "&gt;");
			break;
		case '&':
			cr_buf_adds(b, "&amp;");
			break;
		case '\\': case '`': case '*': case '_': case '[': case ']': case '|':
		case '~': case '$': case '@':
			cr_buf_addc(b, '\\');
			cr_buf_addc(b, *p);
			break;
		case ':':
			if (p[1] == '/')
				cr_buf_addc(b, '\\');
			cr_buf_addc(b, ':');
			break;
		case '.':
			if (p - clean >= 3 && strncasecmp(p - 3, "www", 3) == 0)
				cr_buf_addc(b, '\\');
			cr_buf_addc(b, '.');
			break;
		default:
			cr_buf_addc(b, *p);
		}
	}
}

/* Text from the data: cleaned, then escaped. */
static void md_data(cr_buf *b, const char *s)
{
	cr_buf clean = CR_BUF_INIT;

	cr_render_clean(&clean, s, 0);
	md_text(b, clean.ptr);
	cr_buf_release(&clean);
}

/* An identifier (a rule id) as code; text that cannot stand in a code span
 * unescaped is written as data. */
static void md_code(cr_buf *b, const char *id)
{
	size_t n = strspn(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-");

	if (*id && !id[n])
		cr_buf_addf(b, "`%s`", id);
	else
		md_data(b, id);
}

static void md_money(cr_buf *b, const cr_report *r, cr_dec a, bool plus)
{
	cr_buf t = CR_BUF_INIT;

	cr_render_amount(&t, r, a, plus);
	md_text(b, t.ptr);
	cr_buf_release(&t);
}

static void md_share(cr_buf *b, double share)
{
	cr_render_fixed(b, share * 100.0, 1, false, "%");
}

static void md_change(cr_buf *b, const cr_report *r, cr_dec cost, cr_dec prev, bool is_new)
{
	cr_render_change c;
	cr_buf t = CR_BUF_INIT;

	cr_render_change_of(r, cost, prev, &c);
	cr_render_change_pct(&t, &c, is_new);
	md_text(b, t.ptr);
	cr_buf_release(&t);
}

/* ---- sections ------------------------------------------------------- */

static void headline(cr_buf *b, const cr_report *r)
{
	char s[CR_DATE_STRLEN], e[CR_DATE_STRLEN];
	cr_render_change c;
	cr_buf t = CR_BUF_INIT;

	cr_day_format(r->start, s);
	cr_day_format(r->end, e);
	cr_buf_adds(b, "## ");
	cr_buf_adds(b, _("costrank report"));
	cr_buf_adds(b, " \xE2\x80\x94 ");
	cr_buf_reset(&t);
	cr_render_period_heading(&t, r);
	md_text(b, t.ptr);
	cr_buf_reset(&t);
	cr_buf_adds(b, "\n\n**");
	cr_buf_adds(b, _("Total"));
	cr_buf_adds(b, " ");
	md_money(b, r, r->total, false);
	cr_buf_adds(b, "**");
	cr_render_change_of(r, r->total, r->previous_total, &c);
	if (c.known) {
		cr_buf_adds(b, " \xC2\xB7 ");
		cr_render_change_pct(&t, &c, false);
		md_text(b, t.ptr);
		cr_buf_adds(b, " (");
		md_money(b, r, c.diff, true);
		cr_buf_adds(b, ")");
		cr_buf_adds(b, _(" vs "));
		cr_buf_reset(&t);
		cr_render_prev_label(&t, r);
		md_text(b, t.ptr);
		cr_buf_adds(b, " (");
		md_money(b, r, r->previous_total, false);
		cr_buf_adds(b, ")");
	} else {
		cr_buf_adds(b, " \xC2\xB7 ");
		cr_buf_adds(b, _("no previous period to compare"));
	}
	cr_buf_adds(b, "  \n");
	cr_buf_addf(b, _("%s to %s"), s, e);
	cr_buf_adds(b, " \xC2\xB7 ");
	cr_buf_addf(b, _("%s cost, "), _(cr_metric_name(r->metric)));
	md_data(b, cr_render_shown_currency(r));
	cr_buf_adds(b, " \xC2\xB7 ");
	cr_buf_addf(b, r->n_accounts == 1 ? _("%zu account") : _("%zu accounts"), r->n_accounts);
	cr_buf_adds(b, " \xC2\xB7 ");
	md_data(b, r->source_kind);
	cr_buf_addf(b, r->n_files == 1 ? _(", %zu file") : _(", %zu files"), r->n_files);
	if (r->data_through) {
		cr_day_format(r->data_through, s);
		cr_buf_adds(b, " \xC2\xB7 ");
		cr_buf_addf(b, _("data through %s"), s);
	}
	cr_buf_adds(b, "\n\n");
	if (cr_fx_active(r)) {
		cr_buf_reset(&t);
		cr_fx_basis(&t, r);
		md_text(b, t.ptr);
		cr_buf_adds(b, "\n\n");
	}
	if (r->partial)
		cr_buf_addf(b, "> %s\n\n", _("**Partial figures:** the data of a failed pull was kept."));
	else if (r->estimated)
		cr_buf_addf(b, "> %s\n\n", _("**Estimated figures:** the source marks them as not final."));
	cr_buf_release(&t);
}

static void reconciliation(cr_buf *b, const cr_report *r)
{
	static const char *const names[CR_EXCL_COUNT] = { N_("Credits"), N_("Refunds"), N_("Tax") };

	cr_buf_addf(b, "| %s | %s |\n|---|--:|\n| %s | ", _("Reconciliation"), _("Amount"),
		    _("Ranked (the accounts below)"));
	md_money(b, r, r->recon.ranked, false);
	cr_buf_adds(b, " |\n");
	for (int i = 0; i < CR_EXCL_COUNT; i++) {
		cr_buf_addf(b, "| %s", _(names[i]));
		if (r->recon.included[i]) {
			cr_buf_adds(b, _(" (ranked, "));
			md_money(b, r, r->recon.included_amount[i], false);
			cr_buf_adds(b, _(" in the accounts)"));
		} else {
			cr_buf_adds(b, _(" (kept out of the ranking)"));
		}
		cr_buf_adds(b, " | ");
		md_money(b, r, r->recon.excluded[i], false);
		cr_buf_adds(b, " |\n");
	}
	cr_buf_addf(b, "| **%s** | **", _("Grand total (billed)"));
	md_money(b, r, r->recon.grand_total, false);
	cr_buf_adds(b, "** |\n\n");
	for (size_t i = 0; i < r->n_warnings; i++) {
		cr_buf_addf(b, "> **%s** ", _("Note:"));
		md_data(b, r->warnings[i]);
		cr_buf_adds(b, "\n\n");
	}
}

/* --by: one table per dimension, the untagged row last. */
static void allocation(cr_buf *b, const cr_report *r, const cr_report_allocation *al)
{
	cr_buf_adds(b, "### By ");
	md_data(b, al->dimension);
	cr_buf_adds(b, " \xE2\x80\x94 ");
	md_data(b, al->untagged_label);
	cr_buf_adds(b, " ");
	md_share(b, al->untagged_share);
	cr_buf_adds(b, " of the total\n\n| # | Value | Cost | Share | Change | Top services |\n"
		    "|--:|---|--:|--:|--:|---|\n");
	for (size_t i = 0; i < al->n_values; i++) {
		const cr_report_alloc_value *v = &al->values[i];

		if (v->is_untagged)
			cr_buf_adds(b, "| | ");
		else
			cr_buf_addf(b, "| %d | ", v->rank);
		md_data(b, v->is_untagged ? al->untagged_label : v->value);
		cr_buf_adds(b, " | ");
		md_money(b, r, v->cost, false);
		cr_buf_adds(b, " | ");
		md_share(b, v->share);
		cr_buf_adds(b, " | ");
		md_change(b, r, v->cost, v->previous_cost, r->has_previous && v->is_new);
		cr_buf_adds(b, " | ");
		for (size_t j = 0; j < v->n_services && j < 3; j++) {
			if (j)
				cr_buf_adds(b, ", ");
			md_data(b, v->services[j].name);
		}
		cr_buf_adds(b, " |\n");
	}
	cr_buf_adds(b, "\n");
}

static void account(cr_buf *b, const cr_report *r, const cr_report_account *a)
{
	cr_buf label = CR_BUF_INIT;
	const cr_report_trend *tr = &r->trend;
	size_t ai = (size_t)(a - r->accounts), nm = tr->n_months;

	cr_buf_addf(b, "#### %d. ", a->rank);
	if (a->name && *a->name) {
		md_data(b, a->name);
		cr_buf_adds(b, " \xC2\xB7 ");
	}
	md_data(b, a->id);
	if (a->environment && *a->environment) {
		cr_buf_adds(b, " \xC2\xB7 ");
		md_data(b, a->environment);
	}
	cr_buf_adds(b, " \xE2\x80\x94 ");
	md_money(b, r, a->total, false);
	cr_buf_adds(b, " (");
	md_share(b, a->share);
	cr_buf_adds(b, _(" of total"));
	if (r->has_previous) {
		cr_buf_adds(b, ", ");
		md_change(b, r, a->total, a->previous_total,
			  cr_dec_is_zero(a->previous_total) && !cr_dec_is_zero(a->total));
	}
	if (nm) {
		cr_buf_adds(b, _(", trend "));
		cr_render_sparkline(b, tr->accounts + ai * nm, nm);
	}
	if (nm)
		cr_buf_addf(b, ")\n\n| # | %s | %s | %s | %s | %s |\n|--:|---|--:|--:|--:|---|\n",
			    _("Service"), _("Cost"), _("Share"), _("Change"), _("Trend"));
	else
		cr_buf_addf(b, ")\n\n| # | %s | %s | %s | %s |\n|--:|---|--:|--:|--:|\n",
			    _("Service"), _("Cost"), _("Share"), _("Change"));
	for (size_t j = 0; j < a->n_services; j++) {
		const cr_report_service *s = &a->services[j];

		if (s->is_other)
			cr_buf_adds(b, "| ");
		else
			cr_buf_addf(b, "| %d ", s->rank);
		cr_buf_adds(b, "| ");
		cr_buf_reset(&label);
		cr_render_service_label(&label, s);
		md_text(b, label.ptr);
		cr_buf_adds(b, " | ");
		md_money(b, r, s->cost, false);
		cr_buf_adds(b, " | ");
		md_share(b, s->share);
		cr_buf_adds(b, " | ");
		md_change(b, r, s->cost, s->previous_cost, r->has_previous && s->is_new);
		if (nm) {
			cr_buf_adds(b, " | ");
			cr_render_sparkline(b, tr->services[ai] + j * nm, nm);
		}
		cr_buf_adds(b, " |\n");
	}
	cr_buf_adds(b, "\n");
	cr_buf_release(&label);
}

static void proposals(cr_buf *b, const cr_report *r)
{
	size_t n = r->n_proposals < TOP_PROPOSALS ? r->n_proposals : TOP_PROPOSALS;
	cr_dec annual;

	if (!r->has_proposals)
		return;
	cr_buf_addf(b, "### %s\n\n", _("Savings proposals"));
	if (!r->n_proposals) {
		cr_buf_addf(b, "%s\n\n", _("No rule matched spend above its minimum."));
		return;
	}
	cr_buf_adds(b, "**");
	md_money(b, r, r->savings_total, false);
	cr_buf_adds(b, _(" a month"));
	cr_buf_adds(b, "**");
	if (cr_dec_mul_ratio(&annual, r->savings_total, 12, 1) == 0) {
		cr_buf_adds(b, " (");
		md_money(b, r, annual, false);
		cr_buf_adds(b, _(" a year)"));
	}
	cr_buf_adds(b, ", ");
	md_share(b, cr_dec_ratio(r->savings_total, r->recon.grand_total));
	cr_buf_addf(b, r->n_proposals == 1 ?
		    _(" of the bill, from %zu proposal, de-duplicated (alternatives are never added)") :
		    _(" of the bill, from %zu proposals, de-duplicated (alternatives are never added)"),
		    r->n_proposals);
	if (n < r->n_proposals)
		cr_buf_addf(b, _("; the top %zu by priority"), n);
	cr_buf_addf(b, ":\n\n| # | %s | %s | %s \xC2\xB7 %s | %s | %s | %s |\n"
		    "|--:|---|---|---|--:|--:|---|\n",
		    _("Action"), _("Account"), _("Service"), _("usage type"), _("Saving/mo"),
		    _("Priority"), _("Effort / risk"));
	for (size_t i = 0; i < n; i++) {
		const cr_proposal *p = &r->proposals[i];

		/* the title, then the kind of action and confidence, then the rule */
		cr_buf_addf(b, "| %d | ", p->rank);
		md_data(b, p->title);
		cr_buf_adds(b, " \xC2\xB7 ");
		{
			cr_buf a = CR_BUF_INIT;
			md_data(b, cr_render_proposal_action(&a, p));
			cr_buf_release(&a);
		}
		cr_buf_adds(b, " \xC2\xB7 ");
		md_code(b, p->rule);
		cr_buf_adds(b, " | ");
		md_data(b, p->account_name && *p->account_name ? p->account_name : p->account_id);
		cr_buf_adds(b, " | ");
		md_data(b, p->service);
		cr_buf_adds(b, " \xC2\xB7 ");
		md_data(b, p->usage_type);
		{
			cr_buf res = CR_BUF_INIT;
			cr_render_proposal_resources(&res, r, p, false);
			if (res.len) {
				cr_buf_adds(b, " (");
				md_data(b, res.ptr);
				cr_buf_adds(b, ")");
			}
			cr_buf_release(&res);
		}
		cr_buf_adds(b, " | ");
		md_money(b, r, p->savings, false);
		cr_buf_adds(b, " | ");
		cr_render_priority(b, r, p);
		cr_buf_adds(b, " | ");
		md_data(b, cr_render_level(p->effort));
		cr_buf_adds(b, " / ");
		md_data(b, cr_render_level(p->risk));
		cr_buf_adds(b, " |\n");
	}
	cr_buf_adds(b, "\n");
	md_text(b, cr_render_proposal_order());
	cr_buf_adds(b, "\n\n");
}

/* ---- the monthly loop ------------------------------------------------ */

#define MD_LOOP_ROWS 10
#define MD_DRIVER_SERVICES 3

/* Clean text made by render.c (amounts, labels), escaped. */
static void md_clean(cr_buf *b, const char *clean)
{
	md_text(b, clean ? clean : "");
}

static void realised(cr_buf *b, const cr_report *r)
{
	const cr_report_realised *x = r->realised;
	size_t n = x->n_items < MD_LOOP_ROWS ? x->n_items : MD_LOOP_ROWS;
	cr_buf t = CR_BUF_INIT;

	cr_buf_addf(b, "### %s\n\n**", _("Realised savings"));
	cr_render_realised_headline(&t, r);
	md_clean(b, t.ptr);
	cr_buf_adds(b, "**  \n");
	cr_buf_reset(&t);
	cr_render_realised_detail(&t, r);
	md_clean(b, t.ptr);
	cr_buf_adds(b, "\n\n");
	if (n)
		cr_buf_addf(b, "| # | %s | %s | %s \xC2\xB7 %s | %s | %s | %s |\n"
			    "|--:|---|---|---|--:|--:|--:|\n", _("Status"), _("Account"), _("Service"),
			    _("usage type"), _("Proposed"), _("Realised"), _("Remaining"));
	for (size_t i = 0; i < n; i++) {
		const cr_realised_item *it = &x->items[i];

		if (it->baseline_rank)
			cr_buf_addf(b, "| %d | ", it->baseline_rank);
		else
			cr_buf_adds(b, "| \xE2\x80\x94 | ");
		md_data(b, cr_render_status(it->status));
		cr_buf_adds(b, " | ");
		md_data(b, it->account_name && *it->account_name ? it->account_name : it->account_id);
		cr_buf_adds(b, " | ");
		md_data(b, it->service);
		cr_buf_adds(b, " \xC2\xB7 ");
		md_data(b, it->usage_type);
		cr_buf_adds(b, " | ");
		md_money(b, r, it->proposed_period, false);
		cr_buf_adds(b, " | ");
		md_money(b, r, it->realised, false);
		cr_buf_adds(b, " | ");
		md_money(b, r, it->remaining, false);
		cr_buf_adds(b, " |\n");
	}
	if (n < x->n_items) {
		cr_buf_adds(b, "\n");
		cr_buf_addf(b, x->n_items - n == 1 ?
			    _("%zu more proposal in the JSON, CSV and workbook") :
			    _("%zu more proposals in the JSON, CSV and workbook"), x->n_items - n);
		cr_buf_adds(b, "\n");
	}
	for (size_t i = 0; i < x->n_commitments; i++) {
		const cr_realised_commitment *m = &x->commitments[i];

		cr_buf_adds(b, "\n");
		md_clean(b, _("commitment bought: "));
		md_data(b, m->usage_type);
		cr_buf_adds(b, " (");
		md_data(b, cr_render_account_name(r, m->account_id));
		cr_buf_adds(b, ") ");
		md_money(b, r, m->cost, false);
		cr_buf_adds(b, "\n");
	}
	cr_buf_adds(b, "\n");
	cr_buf_release(&t);
}

static void drivers(cr_buf *b, const cr_report *r)
{
	size_t *idx = cr_xcalloc(r->n_drivers + 1, sizeof *idx);
	size_t *starts = cr_xcalloc(r->n_drivers + 1, sizeof *starts);
	size_t ngroups = cr_render_driver_accounts(r, starts);
	cr_buf t = CR_BUF_INIT;

	cr_buf_addf(b, "### %s", _("What drove the change"));
	cr_render_prev_label(&t, r);
	cr_buf_adds(b, _(" vs "));
	md_clean(b, t.ptr);
	cr_buf_addf(b, "\n\n| %s | %s | %s | %s | %s | %s | %s | %s |\n"
		    "|---|---|--:|--:|--:|--:|--:|---|\n", _("Account"), _("Service"), _("Change"),
		    _("Usage"), _("Rate"), _("Discounts"), _("Other"), _("Top movers"));
	for (size_t g = 0; g < ngroups; g++) {
		size_t end, k = cr_render_driver_group(r, starts[g], &end, idx);

		for (size_t i = 0; i < k && i < MD_DRIVER_SERVICES; i++) {
			const cr_report_driver *d = &r->drivers[idx[i]];

			cr_buf_adds(b, "| ");
			md_data(b, cr_render_account_name(r, d->account_id));
			cr_buf_adds(b, " | ");
			md_data(b, d->service);
			cr_buf_adds(b, " | ");
			md_money(b, r, d->change, true);
			cr_buf_adds(b, " | ");
			md_money(b, r, d->usage, true);
			cr_buf_adds(b, " | ");
			md_money(b, r, d->rate, true);
			cr_buf_adds(b, " | ");
			md_money(b, r, d->discounts, true);
			cr_buf_adds(b, " | ");
			md_money(b, r, d->other, true);
			cr_buf_adds(b, " | ");
			cr_buf_reset(&t);
			cr_render_movers(&t, r, d);
			md_clean(b, t.ptr);
			cr_buf_adds(b, " |\n");
		}
		if (k > MD_DRIVER_SERVICES) {
			cr_buf_adds(b, "| ");
			md_data(b, cr_render_account_name(r, r->drivers[starts[g]].account_id));
			cr_buf_adds(b, " | ");
			cr_buf_addf(b, k - MD_DRIVER_SERVICES == 1 ? _("%zu more service with a change")
				    : _("%zu more services with a change"), k - MD_DRIVER_SERVICES);
			cr_buf_adds(b, " | | | | | | |\n");
		}
	}
	cr_buf_adds(b, "\n");
	free(idx);
	free(starts);
	cr_buf_release(&t);
}

static void anomalies(cr_buf *b, const cr_report *r)
{
	size_t n = r->n_anomalies < 2 * MD_LOOP_ROWS ? r->n_anomalies : 2 * MD_LOOP_ROWS;
	cr_buf t = CR_BUF_INIT;

	cr_buf_adds(b, "### ");
	cr_render_anomalies_title(&t, r);
	md_clean(b, t.ptr);
	cr_buf_addf(b, "\n\n| %s | %s | %s | %s | %s | %s | %s |\n|---|---|---|--:|--:|--:|---|\n",
		    _("Day"), _("Account"), _("Service"), _("Cost"), _("Median"), _("Excess"),
		    _("Usage types"));
	for (size_t i = 0; i < n; i++) {
		const cr_report_anomaly *a = &r->anomalies[i];

		cr_buf_adds(b, "| ");
		cr_buf_reset(&t);
		cr_render_anomaly_when(&t, a);
		md_clean(b, t.ptr);
		cr_buf_adds(b, " | ");
		md_data(b, a->account_name && *a->account_name ? a->account_name : a->account_id);
		cr_buf_adds(b, " | ");
		md_data(b, a->service);
		cr_buf_adds(b, " | ");
		md_money(b, r, a->cost, false);
		cr_buf_adds(b, " | ");
		if (a->is_new_usage)
			cr_buf_adds(b, "\xE2\x80\x94");
		else
			md_money(b, r, a->baseline, false);
		cr_buf_adds(b, " | ");
		md_money(b, r, a->excess, true);
		cr_buf_adds(b, " | ");
		cr_buf_reset(&t);
		cr_render_anomaly_usage(&t, r, a);
		md_clean(b, t.ptr);
		cr_buf_adds(b, " |\n");
	}
	if (n < r->n_anomalies) {
		cr_buf_adds(b, "\n");
		cr_buf_addf(b, r->n_anomalies - n == 1 ?
			    _("%zu more anomaly in the JSON, CSV and workbook") :
			    _("%zu more anomalies in the JSON, CSV and workbook"), r->n_anomalies - n);
		cr_buf_adds(b, "\n");
	}
	cr_buf_adds(b, "\n");
	cr_buf_release(&t);
}

/* Existing commitments and the Savings Plans sized on the hourly spend. */
static void commitments(cr_buf *b, const cr_report *r)
{
	const cr_report_commitments *c = &r->commitments;
	cr_render_crow rows[CR_RENDER_CROWS];
	size_t n = cr_render_commitment_rows(r, rows);

	if (!n)
		return;
	cr_buf_addf(b, "### %s\n\n| %s | %s |\n|---|--:|\n", _("Commitments"), _("Measure"),
		    _("Value"));
	for (size_t i = 0; i < n; i++) {
		cr_buf_addf(b, "| %s | ", rows[i].label);
		if (!rows[i].is_share)
			md_money(b, r, rows[i].amount, false);
		else if (rows[i].share >= 0)
			md_share(b, rows[i].share);
		else
			cr_buf_adds(b, "\xE2\x80\x94");
		cr_buf_adds(b, " |\n");
	}
	cr_buf_adds(b, "\n");
	if (!c->n_plans)
		return;
	cr_buf_addf(b, "| %s | %s | %s | %s | %s | %s | %s |\n|---|---|--:|--:|--:|--:|--:|\n",
		    _("Savings Plan for"), _("Method"), _("Discount"), _("Commitment/h"),
		    _("Unused netted"), _("Covered on-demand"), _("Saving"));
	for (size_t i = 0; i < c->n_plans; i++) {
		const cr_report_sp_plan *p = &c->plans[i];

		cr_buf_addf(b, "| %s | %s | ", cr_render_plan_platform(p), cr_render_plan_method(p));
		md_share(b, p->discount);
		cr_buf_addf(b, " (%s) | ", cr_render_plan_discount(p));
		md_money(b, r, p->commitment, false);
		cr_buf_adds(b, " | ");
		md_money(b, r, p->unused_netted, false);
		cr_buf_adds(b, " | ");
		md_money(b, r, p->covered, false);
		cr_buf_adds(b, " | ");
		md_money(b, r, p->savings, false);
		cr_buf_adds(b, " |\n");
	}
	cr_buf_adds(b, "\n");
}

/* "… 3 accounts omitted to stay under GitHub's 65,536-character limit; the
 * full report is in costrank-2026-10.json" as its own paragraph. */
static void omitted_note(cr_buf *b, const cr_report *r, size_t accounts, bool rows)
{
	cr_buf_adds(b, "\n\xE2\x80\xA6 ");
	if (accounts)
		cr_buf_addf(b, accounts == 1 ? _("%zu account ") : _("%zu accounts "), accounts);
	if (accounts && rows)
		cr_buf_adds(b, _("and "));
	if (rows)
		cr_buf_adds(b, _("further rows "));
	cr_buf_adds(b, _("omitted to stay under GitHub's 65,536-character limit; the full report "
			 "is in costrank-"));
	md_data(b, r->period_label);
	cr_buf_adds(b, ".json\n\n");
}

/* Cuts b after its last whole line that ends at or before max bytes. */
static void cut_lines(cr_buf *b, size_t max)
{
	if (b->len <= max)
		return;
	while (max && b->ptr[max - 1] != '\n')
		max--;
	b->len = max;
	b->ptr[max] = '\0';
}

int cr_write_markdown(const cr_report *r, FILE *out, const cr_write_opts *o, cr_error *err)
{
	cr_buf head = CR_BUF_INIT, tail = CR_BUF_INIT, note = CR_BUF_INIT, doc = CR_BUF_INIT;
	cr_buf *acc = cr_xcalloc(r->n_accounts + 1, sizeof *acc);
	size_t size, keep = r->n_accounts;

	(void)o;
	(void)err; /* write errors stay on the stream for the caller's check */
	headline(&head, r);
	reconciliation(&head, r);
	for (size_t i = 0; i < r->n_allocations; i++)
		allocation(&head, r, &r->allocations[i]);
	if (r->n_accounts)
		cr_buf_addf(&head, "### %s\n\n", _("Top services per account"));
	for (size_t i = 0; i < r->n_accounts; i++)
		account(&acc[i], r, &r->accounts[i]);
	proposals(&tail, r);
	commitments(&tail, r);
	if (r->realised)
		realised(&tail, r);
	if (r->has_previous && r->n_drivers)
		drivers(&tail, r);
	if (r->has_anomalies && r->n_anomalies)
		anomalies(&tail, r);

	size = head.len + tail.len;
	for (size_t i = 0; i < r->n_accounts; i++)
		size += acc[i].len;
	/* drop accounts from the end until the rest and the note fit */
	while (size > CR_MARKDOWN_LIMIT && keep > 0) {
		keep--;
		size -= acc[keep].len;
		cr_buf_reset(&note);
		omitted_note(&note, r, r->n_accounts - keep, false);
		if (size + note.len <= CR_MARKDOWN_LIMIT)
			break;
	}
	cr_buf_add(&doc, head.ptr ? head.ptr : "", head.len);
	for (size_t i = 0; i < keep; i++)
		cr_buf_add(&doc, acc[i].ptr, acc[i].len);
	if (size + note.len <= CR_MARKDOWN_LIMIT) {
		/* the note, if any, right after the last account shown */
		cr_buf_add(&doc, note.ptr ? note.ptr : "", note.len);
		cr_buf_add(&doc, tail.ptr ? tail.ptr : "", tail.len);
	} else {
		/* even without accounts it is too long: cut lines from the end */
		cr_buf_add(&doc, tail.ptr ? tail.ptr : "", tail.len);
		cr_buf_reset(&note);
		omitted_note(&note, r, r->n_accounts - keep, true);
		cut_lines(&doc, CR_MARKDOWN_LIMIT - note.len);
		cr_buf_add(&doc, note.ptr, note.len);
	}
	fwrite(doc.ptr, 1, doc.len, out);

	for (size_t i = 0; i < r->n_accounts; i++)
		cr_buf_release(&acc[i]);
	free(acc);
	cr_buf_release(&head);
	cr_buf_release(&tail);
	cr_buf_release(&note);
	cr_buf_release(&doc);
	return 0;
}
