/* table.c - the terminal table (see costrank/writer.h)
 *
 *   costrank report — 2026-10 (2026-10-01 to 2026-10-31), unblended cost, USD
 *   Total  $184,203.17   +4.2% vs 2026-09 ($176,801.10)
 *   ranked 184,203.17 + credits -1,250.00 + refunds -310.00 + tax 9,120.55 = billed 191,763.72
 *
 *   Accounts (7)
 *    #  Account           Environment       Total     Change  Change   Share
 *    1  larkspur-prod     production   106,596.82  +4,992.61   +4.9%   61.4%
 *   ...
 *
 *   1. larkspur-prod  048213306571  $97,120.40  52.7% of total  +3.1%
 *      production  ·  owner platform@larkspur-freight.example
 *      #  Service / usage type          Cost   Share                  Prev  Change
 *      1  Amazon Elastic Compute …  41,203.11   42.4%  ████████▌  39,000.00   +5.6%
 *           1  BoxUsage:m5.xlarge  30,000.00   30.9%             28,000.00   +7.1%
 *
 * Every line fits the width: names are shortened with "…", never counts,
 * amounts or percentages.  Widths are display cells (render.h: East Asian
 * wide characters take two); names from the data are cleaned of control
 * characters so that they cannot move the cursor or change colours.
 * Amounts are shown as render.h shows them: in the --fx currency when
 * there is one, to the currency's minor unit.
 */
#include "costrank/writer.h"

#include <math.h>
#include <stdlib.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "costrank/buf.h"
#include "costrank/fx.h"
#include "costrank/i18n.h"

#include "render.h"

#define DEFAULT_WIDTH 80
#define MIN_WIDTH 40
#define MARGIN 3        /* table rows start under the account name */
#define GAP 2           /* spaces between columns */
#define USAGE_INDENT 2  /* usage-type rows sit this far right of services */
#define BAR_MAX 20
#define BAR_MIN 10
#define NAME_MIN 12
#define NAME_WANT 40    /* the bar goes before names get shorter than this */
#define TABLE_PROPOSALS 10

#define SGR_BOLD "\x1b[1m"
#define SGR_DIM "\x1b[2m"
#define SGR_RED "\x1b[31m"
#define SGR_GREEN "\x1b[32m"
#define SGR_RESET "\x1b[0m"

#define DASH "\xE2\x80\x94"
#define DOT "\xC2\xB7"

typedef struct tctx {
	const cr_report *r;
	FILE *out;
	bool color;
	size_t width;
	cr_buf line;      /* the line being built */
	size_t used;      /* its cells, colour codes not counted */
	bool summary;     /* --detail summary */
} tctx;

/* ---- lines ---------------------------------------------------------- */

static size_t max_sz(size_t a, size_t b)
{
	return a > b ? a : b;
}

static void sgr(tctx *t, const char *code)
{
	if (t->color && code)
		cr_buf_adds(&t->line, code);
}

static void spaces(tctx *t, size_t n)
{
	t->used += n;
	while (n--)
		cr_buf_addc(&t->line, ' ');
}

/* Text that always fits (numbers, fixed words): added whole. */
static void text(tctx *t, const char *s)
{
	cr_buf_adds(&t->line, s);
	t->used += cr_render_cells(s);
}

/* Clean text in a field of w cells, shortened with "…" when longer. */
static void cell(tctx *t, const char *s, size_t w, bool right)
{
	cr_render_pad(&t->line, s, w, right);
	t->used += w;
}

/* Data text made clean, shortened to at most w cells. */
static void data(tctx *t, const char *s, size_t w)
{
	cr_buf c = CR_BUF_INIT;

	cr_render_clean(&c, s, 0);
	t->used += cr_render_fit(&t->line, c.ptr, w);
	cr_buf_release(&c);
}

/* Writes the line without trailing blanks, then empties it. */
static void put_line(tctx *t)
{
	size_t n = t->line.len;

	while (n && t->line.ptr[n - 1] == ' ')
		n--;
	if (n)
		fwrite(t->line.ptr, 1, n, t->out);
	fputc('\n', t->out);
	cr_buf_reset(&t->line);
	t->used = 0;
}

/* Appends the whole characters of clean text s that fit in the room left
 * on the line (at least one when `force`); returns the bytes taken. */
static size_t take_fitting(tctx *t, const char *s, bool force)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t n = strlen(s), i = 0;

	while (i < n) {
		size_t k = cr_render_utf8_len(p + i, n - i);
		char ch[8] = { 0 };
		size_t cells;

		if (k == 0 || k >= sizeof ch)
			k = 1;
		memcpy(ch, p + i, k);
		cells = cr_render_cells(ch);
		if (t->used + cells > t->width && !(force && i == 0))
			break;
		cr_buf_add(&t->line, ch, k);
		t->used += cells;
		i += k;
	}
	return i;
}

/* Clean text s as lines of at most the width, broken at spaces, the
 * lines after the first indented, each in `style` (an SGR code or NULL);
 * a word longer than a line goes on over the next lines whole. */
static void wrapped(tctx *t, const char *s, size_t indent, const char *style)
{
	cr_buf c = CR_BUF_INIT, word = CR_BUF_INIT;
	const char *p;
	bool first = true;

	cr_render_clean(&c, s, 0);
	p = c.ptr;
	sgr(t, style);
	while (*p) {
		const char *sp = strchr(p, ' ');
		size_t n = sp ? (size_t)(sp - p) : strlen(p), w;

		cr_buf_reset(&word);
		cr_buf_add(&word, p, n);
		w = cr_render_cells(word.ptr);
		if (!first && n) {
			if (t->used + 1 + w > t->width) {
				if (style)
					sgr(t, SGR_RESET);
				put_line(t);
				spaces(t, indent);
				sgr(t, style);
			} else {
				spaces(t, 1);
			}
		}
		if (n) {
			const char *q = word.ptr;
			bool fresh = false;

			/* a word longer than the room is carried on to the next
			 * lines whole, never shortened: a path in a note names a
			 * file by its last characters */
			while (*q) {
				q += take_fitting(t, q, fresh);
				if (!*q)
					break;
				if (style)
					sgr(t, SGR_RESET);
				put_line(t);
				spaces(t, indent);
				sgr(t, style);
				fresh = true;
			}
			first = false;
		}
		p += n;
		while (*p == ' ')
			p++;
	}
	if (style)
		sgr(t, SGR_RESET);
	cr_buf_release(&word);
	cr_buf_release(&c);
	put_line(t);
}

/* ---- numbers -------------------------------------------------------- */

static void fmt_share(cr_buf *b, double share)
{
	cr_render_fixed(b, share * 100.0, 1, false, "%");
}

static const char *dir_color(int dir)
{
	return dir > 0 ? SGR_RED : dir < 0 ? SGR_GREEN : NULL;
}

/* The row of one ranked item, its cells as text. */
typedef struct row {
	char rank[24];
	cr_buf cost, share, prev, diff, change;
	int dir;
} row;

static void row_init(row *w)
{
	memset(w, 0, sizeof *w);
}

static void row_release(row *w)
{
	cr_buf_release(&w->cost);
	cr_buf_release(&w->share);
	cr_buf_release(&w->prev);
	cr_buf_release(&w->diff);
	cr_buf_release(&w->change);
}

static void row_fill(row *w, const cr_report *r, int rank, bool is_other, cr_dec cost,
		     double share, cr_dec prev, bool is_new)
{
	cr_render_change c;

	cr_buf_reset(&w->cost);
	cr_buf_reset(&w->share);
	cr_buf_reset(&w->prev);
	cr_buf_reset(&w->diff);
	cr_buf_reset(&w->change);
	if (is_other)
		w->rank[0] = '\0';
	else
		snprintf(w->rank, sizeof w->rank, "%d", rank);
	cr_render_amount_digits(&w->cost, r, cost, false);
	fmt_share(&w->share, share);
	cr_render_change_of(r, cost, prev, &c);
	if (c.known) {
		cr_render_amount_digits(&w->prev, r, prev, false);
		cr_render_amount_digits(&w->diff, r, c.diff, true);
	} else {
		cr_buf_adds(&w->prev, DASH);
		cr_buf_adds(&w->diff, DASH);
	}
	cr_render_change_pct(&w->change, &c, is_new);
	w->dir = c.known && strcmp(w->change.ptr, "0.0%") != 0 ? c.dir : 0;
}

/* The change cell, coloured by direction, padded outside the colour. */
static void change_cell(tctx *t, const char *s, size_t w, int dir)
{
	size_t sw = cr_render_cells(s);

	spaces(t, w > sw ? w - sw : 0);
	sgr(t, dir_color(dir));
	text(t, s);
	if (dir_color(dir))
		sgr(t, SGR_RESET);
}

/* " (22)", or "" without a count. */
static void count_suffix(char *buf, size_t size, size_t count)
{
	buf[0] = '\0';
	if (count)
		snprintf(buf, size, " (%zu)", count);
}

/* "Other usage types (22)": the words may be shortened, the count never. */
static void other_label(cr_buf *b, const char *words, size_t count, size_t w)
{
	char suffix[32];
	size_t sw;

	count_suffix(suffix, sizeof suffix, count);
	sw = cr_render_cells(suffix);
	cr_render_fit(b, words, w > sw ? w - sw : 1);
	cr_buf_adds(b, suffix);
}

static size_t other_need(const char *words, size_t count)
{
	char suffix[32];

	count_suffix(suffix, sizeof suffix, count);
	return cr_render_cells(words) + strlen(suffix);
}

static void service_label(cr_buf *b, const cr_report_service *s, size_t w)
{
	cr_buf c = CR_BUF_INIT;

	if (s->is_other) {
		other_label(b, _("Other services"), s->other_count, w);
		return;
	}
	cr_render_clean(&c, s->name, 0);
	cr_render_fit(b, c.ptr, w);
	cr_buf_release(&c);
}

static void usage_label(cr_buf *b, const cr_report_usage *u, size_t w)
{
	cr_buf c = CR_BUF_INIT;

	if (u->is_other) {
		other_label(b, _("Other usage types"), u->other_count, w);
		return;
	}
	cr_render_usage_label(&c, u);
	cr_render_fit(b, c.ptr, w);
	cr_buf_release(&c);
}

static size_t label_need(const char *s)
{
	cr_buf c = CR_BUF_INIT;
	size_t n;

	cr_render_clean(&c, s, 0);
	n = cr_render_cells(c.ptr);
	cr_buf_release(&c);
	return n;
}

/* ---- headline ------------------------------------------------------- */

/* ranked 184,203.17 + credits -1,250.00 + refunds -310.00 + tax 9,120.55 = billed 191,763.72
 * wrapped between terms when it does not fit the width. */
static void draw_reconciliation(tctx *t)
{
	const cr_report *r = t->r;
	cr_buf term = CR_BUF_INIT;

	for (int i = -1; i <= CR_EXCL_COUNT; i++) {
		size_t w;

		cr_buf_reset(&term);
		if (i < 0) {
			cr_buf_adds(&term, _("ranked "));
			cr_render_amount_digits(&term, r, r->recon.ranked, false);
		} else if (i == CR_EXCL_COUNT) {
			cr_buf_adds(&term, _("= billed "));
			cr_render_amount_digits(&term, r, r->recon.grand_total, false);
		} else if (r->recon.included[i]) {
			cr_buf_addf(&term, _("+ %s (ranked: "), _(cr_excluded_name((enum cr_excluded)i)));
			cr_render_amount_digits(&term, r, r->recon.included_amount[i], false);
			cr_buf_adds(&term, ")");
		} else {
			cr_buf_addf(&term, _("+ %s "), _(cr_excluded_name((enum cr_excluded)i)));
			cr_render_amount_digits(&term, r, r->recon.excluded[i], false);
		}
		w = cr_render_cells(term.ptr);
		if (t->used && t->used + 1 + w > t->width) {
			put_line(t);
			spaces(t, MARGIN);
		} else if (t->used) {
			spaces(t, 1);
		}
		text(t, term.ptr);
	}
	put_line(t);
	cr_buf_release(&term);
}

static void draw_headline(tctx *t)
{
	const cr_report *r = t->r;
	char s[CR_DATE_STRLEN], e[CR_DATE_STRLEN];
	cr_render_change c;
	cr_buf b = CR_BUF_INIT;

	cr_day_format(r->start, s);
	cr_day_format(r->end, e);
	cr_buf_adds(&b, _("costrank report"));
	cr_buf_adds(&b, " " DASH " ");
	cr_render_period_heading(&b, r);
	cr_buf_addf(&b, _(" (%s to %s), %s cost, "), s, e, _(cr_metric_name(r->metric)));
	cr_render_clean(&b, cr_render_shown_currency(r), 8);
	wrapped(t, b.ptr, 2, SGR_BOLD);

	sgr(t, SGR_BOLD);
	text(t, _("Total  "));
	cr_buf_reset(&b);
	cr_render_amount(&b, r, r->total, false);
	text(t, b.ptr);
	sgr(t, SGR_RESET);
	cr_render_change_of(r, r->total, r->previous_total, &c);
	cr_buf_reset(&b);
	if (c.known) {
		cr_buf cmp = CR_BUF_INIT;

		cr_render_change_pct(&b, &c, false);
		spaces(t, 3);
		sgr(t, dir_color(c.dir));
		text(t, b.ptr);
		if (dir_color(c.dir))
			sgr(t, SGR_RESET);
		cr_buf_adds(&cmp, _(" vs "));
		cr_render_prev_label(&cmp, r);
		cr_buf_adds(&cmp, " (");
		cr_render_amount(&cmp, r, r->previous_total, false);
		cr_buf_adds(&cmp, ")");
		if (t->used + cr_render_cells(cmp.ptr) > t->width) {
			put_line(t);
			spaces(t, 7);
			cr_buf_reset(&cmp);
			cr_buf_adds(&cmp, _("vs "));
			cr_render_prev_label(&cmp, r);
			cr_buf_adds(&cmp, " (");
			cr_render_amount(&cmp, r, r->previous_total, false);
			cr_buf_adds(&cmp, ")");
		}
		text(t, cmp.ptr);
		cr_buf_release(&cmp);
		put_line(t);
	} else {
		put_line(t);
		spaces(t, 7);
		wrapped(t, _("(no complete previous period to compare)"), 7, NULL);
	}
	if (cr_fx_active(r)) {
		/* "amounts in JPY at 151.20 JPY/USD (2026-10-31); billed $173,607.31" */
		cr_buf_reset(&b);
		cr_fx_basis(&b, r);
		spaces(t, 7);
		wrapped(t, b.ptr, 7, NULL);
	}
	cr_buf_release(&b);

	draw_reconciliation(t);

	for (size_t i = 0; i < r->n_warnings; i++) {
		text(t, _("note: "));
		wrapped(t, r->warnings[i], 6, NULL);
	}
}

/* ---- the organisation overview --------------------------------------- */

static void draw_overview(tctx *t)
{
	const cr_report *r = t->r;
	size_t rank_w = 1, name_w = cr_render_cells(_("Account")), env_w = cr_render_cells(_("Environment"));
	size_t total_w = cr_render_cells(_("Total")), diff_w = cr_render_cells(_("Change")), pct_w = strlen("%");
	size_t share_w = cr_render_cells(_("Share")), fixed, name_need;
	size_t nm = r->trend.n_months, trend_w = max_sz(cr_render_cells(_("Trend")), nm);
	bool show_env, show_trend;
	row w, tot;

	row_init(&w);
	row_init(&tot);
	row_fill(&tot, r, 0, true, r->total, 1.0, r->previous_total, false);
	for (size_t i = 0; i < r->n_accounts; i++) {
		const cr_report_account *a = &r->accounts[i];
		row_fill(&w, r, a->rank, false, a->total, a->share, a->previous_total,
			 cr_dec_is_zero(a->previous_total) && !cr_dec_is_zero(a->total));
		rank_w = max_sz(rank_w, strlen(w.rank));
		name_w = max_sz(name_w, label_need(a->name && *a->name ? a->name : a->id));
		env_w = max_sz(env_w, label_need(a->environment && *a->environment ?
						 a->environment : _("unknown")));
		total_w = max_sz(total_w, cr_render_cells(w.cost.ptr));
		diff_w = max_sz(diff_w, cr_render_cells(w.diff.ptr));
		pct_w = max_sz(pct_w, cr_render_cells(w.change.ptr));
	}
	total_w = max_sz(total_w, cr_render_cells(tot.cost.ptr));
	diff_w = max_sz(diff_w, cr_render_cells(tot.diff.ptr));
	pct_w = max_sz(pct_w, cr_render_cells(tot.change.ptr));
	share_w = max_sz(share_w, strlen("100.0%"));

	name_need = name_w;
	fixed = 1 + rank_w + GAP + GAP + total_w + GAP + diff_w + GAP + pct_w + GAP + share_w;
	show_env = t->width >= fixed + env_w + GAP + NAME_MIN;
	if (show_env)
		fixed += env_w + GAP;
	/* the trend last: only where the names fit whole beside it */
	show_trend = nm && t->width >= fixed + trend_w + GAP + max_sz(name_need, NAME_MIN);
	if (show_trend)
		fixed += trend_w + GAP;
	name_w = t->width > fixed + NAME_MIN ? t->width - fixed : NAME_MIN;
	if (name_w > name_need)
		name_w = name_need;

	sgr(t, SGR_BOLD);
	{
		char title[48];
		snprintf(title, sizeof title, _("Accounts (%zu)"), r->n_accounts);
		text(t, title);
	}
	sgr(t, SGR_RESET);
	put_line(t);
	sgr(t, SGR_BOLD);
	spaces(t, 1);
	cell(t, "#", rank_w, true);
	spaces(t, GAP);
	cell(t, _("Account"), name_w, false);
	if (show_env) {
		spaces(t, GAP);
		cell(t, _("Environment"), env_w, false);
	}
	spaces(t, GAP);
	cell(t, _("Total"), total_w, true);
	spaces(t, GAP);
	cell(t, _("Change"), diff_w, true);
	spaces(t, GAP);
	cell(t, "%", pct_w, true);
	spaces(t, GAP);
	cell(t, _("Share"), share_w, true);
	if (show_trend) {
		spaces(t, GAP);
		cell(t, _("Trend"), trend_w, false);
	}
	sgr(t, SGR_RESET);
	put_line(t);

	for (size_t i = 0; i <= r->n_accounts; i++) {
		const cr_report_account *a = i < r->n_accounts ? &r->accounts[i] : NULL;
		const row *x = a ? &w : &tot;
		cr_buf label = CR_BUF_INIT;

		if (a) {
			row_fill(&w, r, a->rank, false, a->total, a->share, a->previous_total,
				 cr_dec_is_zero(a->previous_total) && !cr_dec_is_zero(a->total));
			cr_render_clean(&label, a->name && *a->name ? a->name : a->id, 0);
		} else {
			cr_buf_adds(&label, _("Total"));
			sgr(t, SGR_BOLD);
		}
		spaces(t, 1);
		cell(t, x->rank, rank_w, true);
		spaces(t, GAP);
		cell(t, label.ptr, name_w, false);
		if (show_env) {
			spaces(t, GAP);
			cr_buf_reset(&label);
			if (a)
				cr_render_clean(&label, a->environment && *a->environment ?
						a->environment : _("unknown"), 0);
			cell(t, label.ptr, env_w, false);
		}
		spaces(t, GAP);
		cell(t, x->cost.ptr, total_w, true);
		spaces(t, GAP);
		change_cell(t, x->diff.ptr, diff_w, x->dir);
		spaces(t, GAP);
		change_cell(t, x->change.ptr, pct_w, x->dir);
		spaces(t, GAP);
		cr_buf_reset(&label);
		fmt_share(&label, a ? a->share : 1.0);
		cell(t, label.ptr, share_w, true);
		if (show_trend) {
			spaces(t, GAP);
			cr_buf_reset(&label);
			cr_render_sparkline(&label, a ? r->trend.accounts + i * nm : r->trend.total, nm);
			cell(t, label.ptr, trend_w, false);
		}
		if (!a)
			sgr(t, SGR_RESET);
		put_line(t);
		cr_buf_release(&label);
	}
	row_release(&w);
	row_release(&tot);
}

/* ---- allocation (--by) ----------------------------------------------- */

/* One dimension: its values, the untagged row last, and each value's top
 * services as far as the width allows. */
static void draw_allocation(tctx *t, const cr_report_allocation *al)
{
	const cr_report *r = t->r;
	size_t rank_w = 1, name_w = strlen("Value"), cost_w = strlen("Cost");
	size_t diff_w = strlen("Change"), pct_w = strlen("%"), share_w = strlen("100.0%");
	static const char *const heads[] = { "#", "Value", "Cost", "Change", "%", "Share" };
	size_t fixed, svc_w, head_w[sizeof heads / sizeof heads[0]];
	cr_buf label = CR_BUF_INIT;
	row w;

	row_init(&w);
	for (size_t i = 0; i < al->n_values; i++) {
		const cr_report_alloc_value *v = &al->values[i];
		row_fill(&w, r, v->rank, v->is_untagged, v->cost, v->share, v->previous_cost,
			 v->is_new);
		rank_w = max_sz(rank_w, strlen(w.rank));
		name_w = max_sz(name_w, label_need(v->is_untagged ? al->untagged_label : v->value));
		cost_w = max_sz(cost_w, cr_render_cells(w.cost.ptr));
		diff_w = max_sz(diff_w, cr_render_cells(w.diff.ptr));
		pct_w = max_sz(pct_w, cr_render_cells(w.change.ptr));
	}
	fixed = 1 + rank_w + GAP + GAP + cost_w + GAP + diff_w + GAP + pct_w + GAP + share_w;
	if (name_w > NAME_WANT)
		name_w = NAME_WANT;
	if (t->width < fixed + name_w)
		name_w = t->width > fixed + NAME_MIN ? t->width - fixed : NAME_MIN;
	svc_w = t->width > fixed + name_w + GAP + NAME_MIN ? t->width - fixed - name_w - GAP : 0;
	head_w[0] = rank_w;
	head_w[1] = name_w;
	head_w[2] = cost_w;
	head_w[3] = diff_w;
	head_w[4] = pct_w;
	head_w[5] = share_w;

	fputc('\n', t->out);
	sgr(t, SGR_BOLD);
	cr_buf_addf(&label, "By %s", al->dimension);
	data(t, label.ptr, t->width);
	sgr(t, SGR_RESET);
	cr_buf_reset(&label);
	fmt_share(&label, al->untagged_share);
	text(t, "  ");
	data(t, al->untagged_label, t->width / 2);
	text(t, " ");
	text(t, label.ptr);
	text(t, " of the total");
	put_line(t);
	sgr(t, SGR_BOLD);
	spaces(t, 1);
	for (size_t i = 0; i < sizeof heads / sizeof heads[0]; i++) {
		if (i)
			spaces(t, GAP);
		cell(t, heads[i], head_w[i], i != 1);
	}
	if (svc_w) {
		spaces(t, GAP);
		text(t, "Top services");
	}
	sgr(t, SGR_RESET);
	put_line(t);
	for (size_t i = 0; i < al->n_values; i++) {
		const cr_report_alloc_value *v = &al->values[i];

		row_fill(&w, r, v->rank, v->is_untagged, v->cost, v->share, v->previous_cost,
			 v->is_new);
		cr_buf_reset(&label);
		cr_render_clean(&label, v->is_untagged ? al->untagged_label : v->value, 0);
		spaces(t, 1);
		cell(t, w.rank, rank_w, true);
		spaces(t, GAP);
		cell(t, label.ptr, name_w, false);
		spaces(t, GAP);
		cell(t, w.cost.ptr, cost_w, true);
		spaces(t, GAP);
		change_cell(t, w.diff.ptr, diff_w, w.dir);
		spaces(t, GAP);
		change_cell(t, w.change.ptr, pct_w, w.dir);
		spaces(t, GAP);
		cell(t, w.share.ptr, share_w, true);
		if (svc_w && v->n_services) {
			cr_buf_reset(&label);
			for (size_t j = 0; j < v->n_services && j < 3; j++)
				cr_buf_addf(&label, "%s%s", j ? ", " : "", v->services[j].name);
			spaces(t, GAP);
			data(t, label.ptr, svc_w);
		}
		put_line(t);
	}
	cr_buf_release(&label);
	row_release(&w);
}

/* ---- per-account detail ---------------------------------------------- */

typedef struct layout {
	size_t rank_w, name_w, cost_w, share_w, bar_w, prev_w, change_w;
	bool usage;       /* usage-type rows are shown (--top-usage is not 0) */
} layout;

static void measure(layout *L, const row *w)
{
	L->rank_w = max_sz(L->rank_w, strlen(w->rank));
	L->cost_w = max_sz(L->cost_w, cr_render_cells(w->cost.ptr));
	L->share_w = max_sz(L->share_w, cr_render_cells(w->share.ptr));
	L->prev_w = max_sz(L->prev_w, cr_render_cells(w->prev.ptr));
	L->change_w = max_sz(L->change_w, cr_render_cells(w->change.ptr));
}

static void compute_layout(layout *L, const cr_report *r, size_t width)
{
	size_t name_need = cr_render_cells(_("Service / usage type")), fixed, avail, want;
	row w;

	row_init(&w);
	memset(L, 0, sizeof *L);
	L->usage = r->top_usage > 0;
	L->rank_w = 1;
	L->cost_w = cr_render_cells(_("Cost"));
	L->share_w = cr_render_cells(_("Share"));
	L->prev_w = cr_render_cells(_("Prev"));
	L->change_w = cr_render_cells(_("Change"));
	for (size_t i = 0; i < r->n_accounts; i++) {
		const cr_report_account *a = &r->accounts[i];
		for (size_t j = 0; j < a->n_services; j++) {
			const cr_report_service *s = &a->services[j];
			row_fill(&w, r, s->rank, s->is_other, s->cost, s->share, s->previous_cost,
				 s->is_new);
			measure(L, &w);
			name_need = max_sz(name_need, s->is_other ?
					   other_need(_("Other services"), s->other_count) :
					   label_need(s->name));
			for (size_t k = 0; L->usage && k < s->n_usage; k++) {
				const cr_report_usage *u = &s->usage[k];
				row_fill(&w, r, u->rank, u->is_other, u->cost, u->share,
					 u->previous_cost, u->is_new);
				measure(L, &w);
				name_need = max_sz(name_need, USAGE_INDENT + (u->is_other ?
						   other_need(_("Other usage types"), u->other_count) :
						   label_need(u->usage_type)));
			}
		}
	}
	row_release(&w);

	/* Everything but the name and the bar. */
	fixed = MARGIN + L->rank_w + GAP + GAP + L->cost_w + GAP + L->share_w + GAP +
		L->prev_w + GAP + L->change_w;
	avail = width > fixed ? width - fixed : 0;
	want = name_need < NAME_WANT ? name_need : NAME_WANT;
	/* The bar shrinks, then goes, before names get shorter than `want`. */
	L->bar_w = BAR_MAX;
	while (L->bar_w > BAR_MIN && avail < L->bar_w + GAP + want)
		L->bar_w--;
	if (avail < L->bar_w + GAP + want)
		L->bar_w = 0;
	L->name_w = avail > (L->bar_w ? L->bar_w + GAP : 0) ? avail - (L->bar_w ? L->bar_w + GAP : 0) : 0;
	if (L->name_w > name_need)
		L->name_w = name_need;
	if (L->name_w < NAME_MIN)
		L->name_w = NAME_MIN;
}

/* The share of the account as a bar of up to w cells, in eighths. */
static void add_bar(tctx *t, double share, size_t w)
{
	static const char *const partial[8] = {
		"", "\xE2\x96\x8F", "\xE2\x96\x8E", "\xE2\x96\x8D",
		"\xE2\x96\x8C", "\xE2\x96\x8B", "\xE2\x96\x8A", "\xE2\x96\x89",
	};
	long eighths;
	size_t used = 0;

	if (!isfinite(share) || share < 0.0)
		share = 0.0;
	if (share > 1.0)
		share = 1.0;
	eighths = lround(share * (double)(w * 8));
	for (long i = 0; i < eighths / 8; i++, used++)
		cr_buf_adds(&t->line, "\xE2\x96\x88");
	if (eighths % 8) {
		cr_buf_adds(&t->line, partial[eighths % 8]);
		used++;
	}
	t->used += used;
	spaces(t, w - used);
}

static void draw_header(tctx *t, const layout *L)
{
	spaces(t, MARGIN);
	sgr(t, SGR_BOLD);
	cell(t, "#", L->rank_w, true);
	spaces(t, GAP);
	cell(t, L->usage ? _("Service / usage type") : _("Service"), L->name_w, false);
	spaces(t, GAP);
	cell(t, _("Cost"), L->cost_w, true);
	spaces(t, GAP);
	cell(t, _("Share"), L->share_w, true);
	spaces(t, GAP + (L->bar_w ? L->bar_w + GAP : 0));
	cell(t, _("Prev"), L->prev_w, true);
	spaces(t, GAP);
	cell(t, _("Change"), L->change_w, true);
	sgr(t, SGR_RESET);
	put_line(t);
}

static void draw_row(tctx *t, const layout *L, const row *w, const char *label, bool usage,
		     double bar_share)
{
	size_t indent = usage ? USAGE_INDENT : 0;

	spaces(t, MARGIN);
	if (usage)
		sgr(t, SGR_DIM);
	spaces(t, indent);
	cell(t, w->rank, L->rank_w, true);
	spaces(t, GAP);
	cell(t, label, L->name_w - indent, false);
	spaces(t, GAP);
	cell(t, w->cost.ptr, L->cost_w, true);
	spaces(t, GAP);
	cell(t, w->share.ptr, L->share_w, true);
	if (L->bar_w) {
		spaces(t, GAP);
		if (usage)
			spaces(t, L->bar_w);
		else
			add_bar(t, bar_share, L->bar_w);
	}
	spaces(t, GAP);
	cell(t, w->prev.ptr, L->prev_w, true);
	spaces(t, GAP);
	if (usage)
		sgr(t, SGR_RESET);
	change_cell(t, w->change.ptr, L->change_w, w->dir);
	put_line(t);
}

/* 1. larkspur-prod  048213306571  $97,120.40  52.7% of total  +3.1%
 *    production  ·  owner platform@larkspur-freight.example */
static void draw_account_head(tctx *t, const cr_report_account *a)
{
	const cr_report *r = t->r;
	cr_buf right = CR_BUF_INIT, b = CR_BUF_INIT;
	char rank[24];
	size_t fixed, room, id_w, name_w = 0;
	int dir = 0;

	snprintf(rank, sizeof rank, "%d. ", a->rank);
	/* the figures on the right are never shortened */
	cr_render_amount(&right, r, a->total, false);
	cr_buf_adds(&right, "  ");
	fmt_share(&right, a->share);
	cr_buf_adds(&right, _(" of total"));
	if (r->has_previous) {
		cr_render_change c;
		cr_render_change_of(r, a->total, a->previous_total, &c);
		cr_render_change_pct(&b, &c, cr_dec_is_zero(a->previous_total) &&
				     !cr_dec_is_zero(a->total));
		dir = strcmp(b.ptr, "0.0%") != 0 ? c.dir : 0;
	}
	/* the name and the id share what the figures leave; the id first */
	fixed = strlen(rank) + GAP + cr_render_cells(right.ptr) +
		(b.len ? GAP + cr_render_cells(b.ptr) : 0);
	room = t->width > fixed + 4 ? t->width - fixed : 4;
	id_w = label_need(a->id);
	if (id_w > room)
		id_w = room;
	if (a->name && *a->name && room >= id_w + GAP + 4) {
		name_w = room - id_w - GAP;
		if (name_w > label_need(a->name))
			name_w = label_need(a->name);
	}
	sgr(t, SGR_BOLD);
	text(t, rank);
	if (name_w) {
		data(t, a->name, name_w);
		spaces(t, GAP);
	}
	data(t, a->id, id_w);
	spaces(t, GAP);
	text(t, right.ptr);
	sgr(t, SGR_RESET);
	if (b.len) {
		spaces(t, GAP);
		sgr(t, dir_color(dir));
		text(t, b.ptr);
		if (dir_color(dir))
			sgr(t, SGR_RESET);
	}
	put_line(t);

	/* environment and owner on a line of their own */
	cr_buf_reset(&b);
	if (a->environment && *a->environment) {
		cr_render_clean(&b, a->environment, 0);
		/* say where a guessed environment came from */
		if (a->environment_source && strcmp(a->environment_source, "accounts-file") != 0)
			cr_buf_addf(&b, _(" (from %s)"), a->environment_source);
	} else {
		cr_buf_adds(&b, _("environment unknown"));
	}
	spaces(t, MARGIN);
	data(t, b.ptr, t->width - MARGIN);
	if (a->owner && *a->owner) {
		const char *sep = "  " DOT "  ", *owner = _("owner ");

		if (t->used + cr_render_cells(sep) + cr_render_cells(owner) +
		    label_need(a->owner) <= t->width) {
			text(t, sep);
			text(t, owner);
		} else {
			/* an e-mail address is never broken: a line of its own */
			put_line(t);
			spaces(t, MARGIN);
			text(t, _("owner "));
		}
		data(t, a->owner, t->width > t->used ? t->width - t->used : 1);
	}
	put_line(t);
	cr_buf_release(&right);
	cr_buf_release(&b);
}

/* A resource id in w cells: shortened after its last ':', '/', '-' or '.'
 * that fits, so that "…" never sits inside a run of digits. */
static void id_fit(tctx *t, const char *id, size_t w)
{
	size_t cut;
	char *copy;

	if (cr_render_cells(id) <= w || w < 2) {
		data(t, id, w);
		return;
	}
	copy = cr_xstrdup(id);
	for (cut = strlen(copy); cut > 0; cut--) {
		copy[cut] = '\0';
		if (strchr(":/-.", copy[cut - 1]) && cr_render_cells(copy) + 1 <= w)
			break;
	}
	if (cut == 0) {
		data(t, id, w);
	} else {
		data(t, copy, w);
		text(t, "…");
	}
	free(copy);
}

/* One line under a usage type: the resource id (shortened to fit), then
 * its cost, share of the usage type and days, never shortened. */
static void resource_line(tctx *t, const layout *L, const char *label, cr_dec cost,
			  double share, cr_day first, cr_day last)
{
	cr_buf right = CR_BUF_INIT;
	size_t lead = MARGIN + 2 * USAGE_INDENT + L->rank_w + GAP, need;

	cr_render_amount_digits(&right, t->r, cost, false);
	cr_buf_adds(&right, "  ");
	fmt_share(&right, share);
	if (first) {
		char a[CR_DATE_STRLEN], b[CR_DATE_STRLEN];
		cr_day_format(first, a);
		cr_day_format(last, b);
		cr_buf_addf(&right, "  %s..%s", a + 5, b + 5);
	}
	need = lead + 2 + cr_render_cells(right.ptr);
	spaces(t, lead);
	sgr(t, SGR_DIM);
	id_fit(t, label, t->width > need ? t->width - need : 8);
	spaces(t, 2);
	text(t, right.ptr);
	sgr(t, SGR_RESET);
	put_line(t);
	cr_buf_release(&right);
}

/* A usage type's top resources, the rest and its lines without an id. */
static void draw_resources(tctx *t, const layout *L, const cr_report_usage *u)
{
	if (u->is_other || !u->n_resources)
		return;
	for (size_t i = 0; i < u->n_resources; i++) {
		const cr_report_resource *x = &u->resources[i];
		resource_line(t, L, x->id, x->cost, x->share, x->first_day, x->last_day);
	}
	if (u->resources_total > u->n_resources) {
		char label[96];
		snprintf(label, sizeof label, "%s (%zu)", _("Other resources"),
			 u->resources_total - u->n_resources);
		resource_line(t, L, label, u->resources_other,
			      cr_dec_ratio(u->resources_other, u->cost), 0, 0);
	}
	if (!cr_dec_is_zero(u->no_resource))
		resource_line(t, L, _("(no resource id)"), u->no_resource, u->no_resource_share,
			      0, 0);
}

static void draw_account(tctx *t, const layout *L, const cr_report_account *a)
{
	const cr_report *r = t->r;
	cr_buf label = CR_BUF_INIT;
	row w;

	row_init(&w);
	draw_account_head(t, a);
	draw_header(t, L);
	for (size_t j = 0; j < a->n_services; j++) {
		const cr_report_service *s = &a->services[j];
		row_fill(&w, r, s->rank, s->is_other, s->cost, s->share, s->previous_cost,
			 s->is_new);
		cr_buf_reset(&label);
		service_label(&label, s, L->name_w);
		draw_row(t, L, &w, label.ptr, false, s->share);
		for (size_t k = 0; L->usage && k < s->n_usage; k++) {
			const cr_report_usage *u = &s->usage[k];
			row_fill(&w, r, u->rank, u->is_other, u->cost, u->share, u->previous_cost,
				 u->is_new);
			cr_buf_reset(&label);
			usage_label(&label, u, L->name_w - USAGE_INDENT);
			draw_row(t, L, &w, label.ptr, true, 0.0);
			draw_resources(t, L, u);
		}
	}
	row_release(&w);
	cr_buf_release(&label);
}

/* ---- proposals -------------------------------------------------------- */

/* The top proposals by priority, with the de-duplicated total:
 *    #  Saving/mo  Action         Effort/risk  Account        Usage type (service)
 *    1   1,305.25  storage-class  low/low      larkspur-data  TimedStorage-ByteHrs (Amazon…
 *       Move cold S3 data to cheaper storage classes · priority 1,305.25
 *       20% of 6,526.25 USD = 1,305.25 USD
 * and, under the rows, what the confidence marks mean and how the rows
 * are ordered. */
static void draw_proposals(tctx *t)
{
	const cr_report *r = t->r;
	size_t n = r->n_proposals < TABLE_PROPOSALS ? r->n_proposals : TABLE_PROPOSALS;
	size_t rank_w = 1, save_w = cr_render_cells(_("Saving/mo")), act_w = cr_render_cells(_("Action"));
	size_t conf_w = cr_render_cells(_("C"));
	size_t er_w = cr_render_cells(_("Effort/risk")), acct_need = cr_render_cells(_("Account"));
	size_t use_need = cr_render_cells(_("Usage type (service)")), fixed, room, acct_w, use_w;
	cr_buf b = CR_BUF_INIT;

	fputc('\n', t->out);
	sgr(t, SGR_BOLD);
	text(t, _("Savings proposals"));
	sgr(t, SGR_RESET);
	if (!r->n_proposals) {
		wrapped(t, _(": none (no rule matched spend above its minimum)"), 2, NULL);
		return;
	}
	cr_buf_addf(&b, _(": %zu, "), r->n_proposals);
	cr_render_amount(&b, r, r->savings_total, false);
	cr_buf_adds(&b, _(" a month ("));
	fmt_share(&b, cr_dec_ratio(r->savings_total, r->recon.grand_total));
	cr_buf_adds(&b, _(" of the bill), measured and priced, de-duplicated"));
	if (n < r->n_proposals)
		cr_buf_addf(&b, _("; top %zu by priority"), n);
	wrapped(t, b.ptr, 2, NULL);

	for (size_t i = 0; i < n; i++) {
		const cr_proposal *p = &r->proposals[i];
		char rank[24];

		snprintf(rank, sizeof rank, "%d", p->rank);
		rank_w = max_sz(rank_w, strlen(rank));
		cr_buf_reset(&b);
		cr_render_amount_digits(&b, r, p->savings, false);
		save_w = max_sz(save_w, cr_render_cells(b.ptr));
		act_w = max_sz(act_w, cr_render_cells(cr_render_action(p->action)));
		conf_w = max_sz(conf_w, cr_render_cells(cr_render_confidence_mark(p)));
		er_w = max_sz(er_w, cr_render_cells(cr_render_level(p->effort)) + 1 +
				  cr_render_cells(cr_render_level(p->risk)));
		acct_need = max_sz(acct_need, label_need(p->account_name && *p->account_name ?
							 p->account_name : p->account_id));
		cr_buf_reset(&b);
		cr_buf_addf(&b, "%s (%s)", p->usage_type, p->service);
		use_need = max_sz(use_need, label_need(b.ptr));
	}
	fixed = 1 + rank_w + GAP + save_w + GAP + conf_w + GAP + act_w + GAP + er_w + GAP + GAP;
	room = t->width > fixed + 2 * NAME_MIN ? t->width - fixed : 2 * NAME_MIN;
	/* the account gets up to two fifths, the usage type the rest */
	acct_w = acct_need < room * 2 / 5 ? acct_need : room * 2 / 5;
	if (acct_w < NAME_MIN)
		acct_w = NAME_MIN;
	use_w = room - acct_w;
	if (use_w > use_need) {
		acct_w = acct_need < room - use_need ? acct_need : room - use_need;
		use_w = use_need;
	}

	sgr(t, SGR_BOLD);
	spaces(t, 1);
	cell(t, "#", rank_w, true);
	spaces(t, GAP);
	cell(t, _("Saving/mo"), save_w, true);
	spaces(t, GAP);
	cell(t, _("C"), conf_w, false);
	spaces(t, GAP);
	cell(t, _("Action"), act_w, false);
	spaces(t, GAP);
	cell(t, _("Effort/risk"), er_w, false);
	spaces(t, GAP);
	cell(t, _("Account"), acct_w, false);
	spaces(t, GAP);
	cell(t, _("Usage type (service)"), use_w, false);
	sgr(t, SGR_RESET);
	put_line(t);
	for (size_t i = 0; i < n; i++) {
		const cr_proposal *p = &r->proposals[i];
		cr_buf c = CR_BUF_INIT;
		char rank[24];

		snprintf(rank, sizeof rank, "%d", p->rank);
		spaces(t, 1);
		cell(t, rank, rank_w, true);
		spaces(t, GAP);
		cr_buf_reset(&b);
		cr_render_amount_digits(&b, r, p->savings, false);
		cell(t, b.ptr, save_w, true);
		spaces(t, GAP);
		cell(t, cr_render_confidence_mark(p), conf_w, false);
		spaces(t, GAP);
		cell(t, cr_render_action(p->action), act_w, false);
		spaces(t, GAP);
		cr_buf_reset(&b);
		cr_buf_addf(&b, "%s/%s", cr_render_level(p->effort), cr_render_level(p->risk));
		cell(t, b.ptr, er_w, false);
		spaces(t, GAP);
		cr_render_clean(&c, p->account_name && *p->account_name ? p->account_name
				: p->account_id, 0);
		cell(t, c.ptr, acct_w, false);
		spaces(t, GAP);
		cr_buf_reset(&b);
		cr_buf_addf(&b, "%s (%s)", p->usage_type, p->service);
		cr_buf_reset(&c);
		cr_render_clean(&c, b.ptr, 0);
		cell(t, c.ptr, use_w, false);
		put_line(t);
		/* the rule's title and the priority the rows are ordered by, then
		 * the formula in the report's currency as the rule computed it */
		cr_buf_reset(&c);
		cr_render_clean(&c, p->title, 0);
		cr_buf_addf(&c, " \xC2\xB7 %s ", _("priority"));
		cr_render_priority(&c, r, p);
		spaces(t, 1 + rank_w + GAP);
		wrapped(t, c.ptr, 1 + rank_w + GAP, NULL);
		spaces(t, 1 + rank_w + GAP);
		wrapped(t, p->formula, 1 + rank_w + GAP, SGR_DIM);
		cr_buf_reset(&c);
		if (!t->summary)
			cr_render_proposal_resources(&c, r, p, true);
		if (c.len) {
			cr_buf_reset(&b);
			cr_buf_addf(&b, _("resources: %s"), c.ptr);
			spaces(t, 1 + rank_w + GAP);
			wrapped(t, b.ptr, 1 + rank_w + GAP, SGR_DIM);
		}
		cr_buf_release(&c);
	}
	spaces(t, 2);
	wrapped(t, cr_render_confidence_legend(), 2, SGR_DIM);
	spaces(t, 2);
	wrapped(t, cr_render_proposal_order(), 2, SGR_DIM);
	cr_buf_release(&b);
}

/* ---- the monthly loop: realised savings, drivers, anomalies ------------ */

/* A small grid: columns of clean text, the right-aligned ones as wide as
 * their widest cell, the flexible ones sharing the rest of the width. */
typedef struct gcol {
	const char *head;
	bool right, flex;
	size_t w;
} gcol;

static void grid_widths(tctx *t, gcol *c, size_t nc, char **cells, size_t nrows)
{
	size_t fixed = 1, nflex = 0, room, need[16] = { 0 };

	for (size_t j = 0; j < nc; j++) {
		need[j] = cr_render_cells(c[j].head);
		for (size_t i = 0; i < nrows; i++)
			need[j] = max_sz(need[j], cr_render_cells(cells[i * nc + j]));
		fixed += j ? GAP : 0;
		if (c[j].flex)
			nflex++;
		else
			fixed += (c[j].w = need[j]);
	}
	room = t->width > fixed + nflex * NAME_MIN ? t->width - fixed : nflex * NAME_MIN;
	/* the flexible columns, narrowest first, each at most an equal share */
	for (size_t left = nflex; left > 0; left--) {
		size_t pick = nc;

		for (size_t j = 0; j < nc; j++)
			if (c[j].flex && !c[j].w && (pick == nc || need[j] < need[pick]))
				pick = j;
		c[pick].w = need[pick] < room / left ? need[pick] : room / left;
		if (c[pick].w < NAME_MIN)
			c[pick].w = NAME_MIN < need[pick] ? NAME_MIN : max_sz(need[pick], 1);
		room = room > c[pick].w ? room - c[pick].w : 0;
	}
}

static void grid_row(tctx *t, const gcol *c, size_t nc, char *const *cells, bool head)
{
	if (head)
		sgr(t, SGR_BOLD);
	spaces(t, 1);
	for (size_t j = 0; j < nc; j++) {
		if (j)
			spaces(t, GAP);
		cell(t, head ? c[j].head : cells[j], c[j].w, c[j].right);
	}
	if (head)
		sgr(t, SGR_RESET);
	put_line(t);
}

static char *amount_str(const cr_report *r, cr_dec a, bool plus)
{
	cr_buf b = CR_BUF_INIT;

	cr_render_amount_digits(&b, r, a, plus);
	return b.ptr;
}

static char *clean_str(const char *s)
{
	cr_buf b = CR_BUF_INIT;

	cr_render_clean(&b, s, 0);
	return b.ptr;
}

static void free_cells(char **cells, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(cells[i]);
	free(cells);
}

static void section_title(tctx *t, const char *title)
{
	fputc('\n', t->out);
	wrapped(t, title, 2, SGR_BOLD);
}

/* Last month (2026-09): 127 proposals, $33,829.29 proposed, $6,843.29 realised
 *    #  Status     Proposed  Realised  Remaining  Account        Usage type (service)
 *    1  not yet    1,240.03      0.00   1,240.03  larkspur-data  TimedStorage-ByteHrs (… */
static void draw_realised(tctx *t)
{
	const cr_report *r = t->r;
	const cr_report_realised *x = r->realised;
	size_t n = t->summary ? 0 : x->n_items < TABLE_PROPOSALS ? x->n_items : TABLE_PROPOSALS;
	gcol c[] = {
		{ "#", true, false, 0 }, { _("Status"), false, false, 0 },
		{ _("Proposed"), true, false, 0 }, { _("Realised"), true, false, 0 },
		{ _("Remaining"), true, false, 0 }, { _("Account"), false, true, 0 },
		{ _("Usage type (service)"), false, true, 0 },
	};
	size_t nc = sizeof c / sizeof *c;
	char **cells = cr_xcalloc(n * nc + 1, sizeof *cells);
	cr_buf b = CR_BUF_INIT;

	section_title(t, _("Realised savings"));
	cr_render_realised_headline(&b, r);
	spaces(t, 2);
	wrapped(t, b.ptr, 2, NULL);
	cr_buf_reset(&b);
	cr_render_realised_detail(&b, r);
	spaces(t, 2);
	wrapped(t, b.ptr, 2, NULL);
	for (size_t i = 0; i < n; i++) {
		const cr_realised_item *it = &x->items[i];
		char **rc = cells + i * nc;

		cr_buf_reset(&b);
		if (it->baseline_rank)
			cr_buf_addf(&b, "%d", it->baseline_rank);
		else
			cr_buf_adds(&b, DASH);
		rc[0] = clean_str(b.ptr);
		rc[1] = clean_str(cr_render_status(it->status));
		rc[2] = amount_str(r, it->proposed_period, false);
		rc[3] = amount_str(r, it->realised, false);
		rc[4] = amount_str(r, it->remaining, false);
		rc[5] = clean_str(it->account_name && *it->account_name ? it->account_name
				   : it->account_id);
		cr_buf_reset(&b);
		cr_buf_addf(&b, "%s (%s)", it->usage_type, it->service);
		rc[6] = clean_str(b.ptr);
	}
	if (n) {
		grid_widths(t, c, nc, cells, n);
		grid_row(t, c, nc, NULL, true);
		for (size_t i = 0; i < n; i++)
			grid_row(t, c, nc, cells + i * nc, false);
	}
	if (n < x->n_items && !t->summary) {
		cr_buf_reset(&b);
		cr_buf_addf(&b, x->n_items - n == 1 ?
			    _("%zu more proposal in the JSON, CSV and workbook") :
			    _("%zu more proposals in the JSON, CSV and workbook"), x->n_items - n);
		spaces(t, 2);
		wrapped(t, b.ptr, 2, SGR_DIM);
	}
	for (size_t i = 0; i < x->n_commitments; i++) {
		const cr_realised_commitment *m = &x->commitments[i];

		cr_buf_reset(&b);
		cr_buf_adds(&b, _("commitment bought: "));
		cr_render_clean(&b, m->usage_type, 0);
		cr_buf_adds(&b, " (");
		cr_render_clean(&b, cr_render_account_name(r, m->account_id), 0);
		cr_buf_adds(&b, ") ");
		cr_render_amount(&b, r, m->cost, false);
		spaces(t, 2);
		wrapped(t, b.ptr, 4, NULL);
	}
	free_cells(cells, n * nc);
	cr_buf_release(&b);
}

#define TABLE_DRIVER_SERVICES 3

/* What drove the change (vs 2026-09), per account its services with the
 * largest change, split, with the top movers under each. */
static void draw_drivers(tctx *t)
{
	const cr_report *r = t->r;
	size_t *idx = cr_xcalloc(r->n_drivers + 1, sizeof *idx);
	size_t *starts = cr_xcalloc(r->n_drivers + 1, sizeof *starts);
	size_t ngroups = cr_render_driver_accounts(r, starts);
	gcol c[] = {
		{ _("Service"), false, true, 0 }, { _("Change"), true, false, 0 },
		{ _("Usage"), true, false, 0 }, { _("Rate"), true, false, 0 },
		{ _("Discounts"), true, false, 0 }, { _("Other"), true, false, 0 },
	};
	size_t nc = sizeof c / sizeof *c, nrows = 0;
	char **cells = cr_xcalloc(r->n_drivers * nc + 1, sizeof *cells);
	cr_buf b = CR_BUF_INIT;

	cr_buf_adds(&b, _("What drove the change"));
	cr_buf_adds(&b, _(" vs "));
	cr_render_prev_label(&b, r);
	section_title(t, b.ptr);
	/* one set of widths for every account, so the columns line up */
	for (size_t g = 0; g < ngroups; g++) {
		size_t end, k = cr_render_driver_group(r, starts[g], &end, idx);

		for (size_t i = 0; i < k && i < TABLE_DRIVER_SERVICES; i++, nrows++) {
			const cr_report_driver *d = &r->drivers[idx[i]];
			char **rc = cells + nrows * nc;

			rc[0] = clean_str(d->service);
			rc[1] = amount_str(r, d->change, true);
			rc[2] = amount_str(r, d->usage, true);
			rc[3] = amount_str(r, d->rate, true);
			rc[4] = amount_str(r, d->discounts, true);
			rc[5] = amount_str(r, d->other, true);
		}
	}
	if (!nrows) {
		spaces(t, 2);
		wrapped(t, _("no change in any account"), 2, NULL);
	} else {
		grid_widths(t, c, nc, cells, nrows);
	}
	nrows = 0;
	for (size_t g = 0; g < ngroups && c[0].w; g++) {
		size_t end, k = cr_render_driver_group(r, starts[g], &end, idx);

		if (!k)
			continue;
		spaces(t, 1);
		sgr(t, SGR_BOLD);
		data(t, cr_render_account_name(r, r->drivers[starts[g]].account_id),
		     t->width > 1 ? t->width - 1 : 1);
		sgr(t, SGR_RESET);
		put_line(t);
		grid_row(t, c, nc, NULL, true);
		for (size_t i = 0; i < k && i < TABLE_DRIVER_SERVICES; i++, nrows++) {
			grid_row(t, c, nc, cells + nrows * nc, false);
			cr_buf_reset(&b);
			cr_render_movers(&b, r, &r->drivers[idx[i]]);
			if (b.len) {
				spaces(t, 3);
				wrapped(t, b.ptr, 3, SGR_DIM);
			}
		}
		if (k > TABLE_DRIVER_SERVICES) {
			cr_buf_reset(&b);
			cr_buf_addf(&b, k - TABLE_DRIVER_SERVICES == 1 ? _("%zu more service with a change")
				    : _("%zu more services with a change"), k - TABLE_DRIVER_SERVICES);
			spaces(t, 1);
			wrapped(t, b.ptr, 1, SGR_DIM);
		}
	}
	free_cells(cells, r->n_drivers * nc);
	free(idx);
	free(starts);
	cr_buf_release(&b);
}

#define TABLE_ANOMALIES 10

/* Anomalies: 0 day-level spikes, 4 new usage types
 *    Day             Cost    Median    Excess  Account · service
 *    2026-10-14  1,902.00    310.00  1,592.00  larkspur-prod · Amazon Elastic…
 *      BoxUsage:m5.xlarge +$1,500.00 */
static void draw_anomalies(tctx *t)
{
	const cr_report *r = t->r;
	size_t n = t->summary ? 0 : r->n_anomalies < TABLE_ANOMALIES ? r->n_anomalies
		   : TABLE_ANOMALIES;
	gcol c[] = {
		{ _("Day"), false, false, 0 }, { _("Cost"), true, false, 0 },
		{ _("Median"), true, false, 0 }, { _("Excess"), true, false, 0 },
		{ _("Account / service"), false, true, 0 },
	};
	size_t nc = sizeof c / sizeof *c;
	char **cells = cr_xcalloc(n * nc + 1, sizeof *cells);
	cr_buf b = CR_BUF_INIT;

	cr_render_anomalies_title(&b, r);
	section_title(t, b.ptr);
	for (size_t i = 0; i < n; i++) {
		const cr_report_anomaly *a = &r->anomalies[i];
		char **rc = cells + i * nc;

		cr_buf_reset(&b);
		cr_render_anomaly_when(&b, a);
		rc[0] = clean_str(b.ptr);
		rc[1] = amount_str(r, a->cost, false);
		if (a->is_new_usage) {
			rc[2] = clean_str(DASH);
		} else {
			rc[2] = amount_str(r, a->baseline, false);
		}
		rc[3] = amount_str(r, a->excess, true);
		cr_buf_reset(&b);
		cr_render_clean(&b, a->account_name && *a->account_name ? a->account_name
				: a->account_id, 0);
		cr_buf_adds(&b, " " DOT " ");
		cr_render_clean(&b, a->service, 0);
		rc[4] = b.ptr;
		b = (cr_buf)CR_BUF_INIT;
	}
	if (n) {
		grid_widths(t, c, nc, cells, n);
		grid_row(t, c, nc, NULL, true);
		for (size_t i = 0; i < n; i++) {
			grid_row(t, c, nc, cells + i * nc, false);
			cr_buf_reset(&b);
			cr_render_anomaly_usage(&b, r, &r->anomalies[i]);
			if (b.len) {
				spaces(t, 3);
				wrapped(t, b.ptr, 3, SGR_DIM);
			}
		}
	}
	if (n < r->n_anomalies && !t->summary) {
		cr_buf_reset(&b);
		cr_buf_addf(&b, r->n_anomalies - n == 1 ?
			    _("%zu more anomaly in the JSON, CSV and workbook") :
			    _("%zu more anomalies in the JSON, CSV and workbook"), r->n_anomalies - n);
		spaces(t, 2);
		wrapped(t, b.ptr, 2, SGR_DIM);
	}
	cr_buf_release(&b);
	free_cells(cells, n * nc);
}

/* Existing commitments, one line a measure, then one line a sized plan. */
static void draw_commitments(tctx *t)
{
	const cr_report *r = t->r;
	const cr_report_commitments *c = &r->commitments;
	cr_render_crow rows[CR_RENDER_CROWS];
	size_t n = cr_render_commitment_rows(r, rows);
	cr_buf b = CR_BUF_INIT;

	if (!n)
		return;
	fputc('\n', t->out);
	sgr(t, SGR_BOLD);
	text(t, _("Commitments"));
	sgr(t, SGR_RESET);
	put_line(t);
	for (size_t i = 0; i < n; i++) {
		cr_buf_reset(&b);
		cr_buf_addf(&b, "%s: ", rows[i].label);
		if (!rows[i].is_share)
			cr_render_amount(&b, r, rows[i].amount, false);
		else if (rows[i].share >= 0)
			fmt_share(&b, rows[i].share);
		else
			cr_buf_adds(&b, "\xE2\x80\x94");
		spaces(t, 2);
		wrapped(t, b.ptr, 4, NULL);
	}
	for (size_t i = 0; i < c->n_plans; i++) {
		const cr_report_sp_plan *p = &c->plans[i];

		cr_buf_reset(&b);
		cr_buf_addf(&b, _("Savings Plan for %s: "), cr_render_plan_platform(p));
		cr_render_amount(&b, r, p->commitment, false);
		cr_buf_addf(&b, _(" an hour (%s, discount "), cr_render_plan_method(p));
		fmt_share(&b, p->discount);
		cr_buf_addf(&b, _(" %s), unused commitment netted "), cr_render_plan_discount(p));
		cr_render_amount(&b, r, p->unused_netted, false);
		cr_buf_adds(&b, _(", covers "));
		cr_render_amount(&b, r, p->covered, false);
		cr_buf_adds(&b, _(", saves "));
		cr_render_amount(&b, r, p->savings, false);
		spaces(t, 2);
		wrapped(t, b.ptr, 4, NULL);
	}
	cr_buf_release(&b);
}

int cr_write_table(const cr_report *r, FILE *out, const cr_write_opts *o, cr_error *err)
{
	tctx t;
	layout L;

	(void)err; /* write errors stay on the stream for the caller's check */
	memset(&t, 0, sizeof t);
	t.r = r;
	t.out = out;
	t.color = o && o->color;
	t.width = o && o->width > 0 ? (size_t)o->width : DEFAULT_WIDTH;
	/* the summary keeps the monthly loop's headlines only, no commitments
	 * and no resources under the proposals */
	t.summary = o && o->summary;
	if (t.width < MIN_WIDTH)
		t.width = MIN_WIDTH;
	compute_layout(&L, r, t.width);

	draw_headline(&t);
	fputc('\n', out);
	draw_overview(&t);
	for (size_t i = 0; i < r->n_allocations; i++)
		draw_allocation(&t, &r->allocations[i]);
	for (size_t i = 0; !(o && o->summary) && i < r->n_accounts; i++) {
		fputc('\n', out);
		draw_account(&t, &L, &r->accounts[i]);
	}
	if (r->has_proposals)
		draw_proposals(&t);
	if (!t.summary)
		draw_commitments(&t);
	if (r->realised)
		draw_realised(&t);
	if (r->has_previous && r->n_drivers && !t.summary)
		draw_drivers(&t);
	if (r->has_anomalies && r->n_anomalies)
		draw_anomalies(&t);
	cr_buf_release(&t.line);
	return 0;
}
