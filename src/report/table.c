/* table.c - the terminal table (see costrank/writer.h)
 *
 *   costrank report — 2026-10 (2026-10-01 to 2026-10-31), unblended cost, USD
 *   Total  $184,203.17   +4.2% vs 2026-09 ($176,801.10)
 *   ranked 184,203.17 + credits -1,250.00 + refunds -310.00 + tax 9,120.55 = billed 191,763.72
 *
 *   1. larkspur-prod  048213306571  production  $97,120.40  52.7% of total  +3.1%
 *      #  Service / usage type          Cost   Share                  Prev  Change
 *      1  Amazon Elastic Compute …  41,203.11   42.4%  ████████▌  39,000.00   +5.6%
 *           1  BoxUsage:m5.xlarge  30,000.00   30.9%             28,000.00   +7.1%
 *
 * Widths are counted in code points; names from the data are cleaned of
 * control characters so that they cannot move the cursor or change colours.
 */
#include "costrank/writer.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "costrank/buf.h"
#include "costrank/fx.h"

#include "render.h"

#define DEFAULT_WIDTH 100
#define MARGIN 3        /* table rows start under the account name */
#define GAP 2           /* spaces between columns */
#define USAGE_INDENT 2  /* usage-type rows sit this far right of services */
#define BAR_MAX 20
#define BAR_MIN 10
#define NAME_MIN 12
#define NAME_WANT 40    /* the bar shrinks before names get shorter than this */

#define SGR_BOLD "\x1b[1m"
#define SGR_DIM "\x1b[2m"
#define SGR_RED "\x1b[31m"
#define SGR_GREEN "\x1b[32m"
#define SGR_RESET "\x1b[0m"

/* ---- text ---------------------------------------------------------- */

/* Appends s made safe for a terminal (see cr_render_clean). */
static void add_clean(cr_buf *b, const char *s)
{
	cr_render_clean(b, s, 0);
}

/* Appends clean text s in a field of w cells: cut with "…" when longer,
 * padded with spaces (left or right aligned) when shorter. */
static void add_cell(cr_buf *b, const char *s, size_t w, bool right)
{
	size_t sw = cr_render_width(s);

	if (sw > w) {
		size_t keep = w ? w - 1 : 0, cells = 0;
		const char *p = s;
		while (*p && cells < keep) {
			p++;
			while (((unsigned char)*p & 0xC0) == 0x80)
				p++;
			cells++;
		}
		cr_buf_add(b, s, (size_t)(p - s));
		if (w)
			cr_buf_adds(b, "\xE2\x80\xA6");
		return;
	}
	if (right)
		for (size_t i = sw; i < w; i++)
			cr_buf_addc(b, ' ');
	cr_buf_adds(b, s);
	if (!right)
		for (size_t i = sw; i < w; i++)
			cr_buf_addc(b, ' ');
}

static void add_spaces(cr_buf *b, size_t n)
{
	while (n--)
		cr_buf_addc(b, ' ');
}

/* Writes the line without trailing blanks, then empties it. */
static void put_line(cr_buf *b, FILE *out)
{
	size_t n = b->len;

	while (n && b->ptr[n - 1] == ' ')
		n--;
	if (n)
		fwrite(b->ptr, 1, n, out);
	fputc('\n', out);
	cr_buf_reset(b);
}

/* ---- numbers ------------------------------------------------------- */

/* x with `places` decimals (0..6), an optional "+" and a suffix, without
 * printf's locale-dependent %f and without "-0.0". */
static void fmt_fixed(double x, int places, bool plus, const char *suffix, char *buf,
		      size_t size)
{
	cr_buf b = CR_BUF_INIT;

	cr_render_fixed(&b, x, places, plus, suffix);
	snprintf(buf, size, "%s", b.ptr);
	cr_buf_release(&b);
}

/* "37.5%" */
static void fmt_share(double share, char *buf, size_t size)
{
	fmt_fixed(share * 100.0, 1, false, "%", buf, size);
}

/* "1,234.50" */
static void fmt_money(cr_dec a, char *buf, size_t size)
{
	cr_dec_format_grouped(a, 2, buf, size);
}

static const char *currency_symbol(const char *cur)
{
	if (!cur)
		return NULL;
	if (strcmp(cur, "USD") == 0)
		return "$";
	if (strcmp(cur, "EUR") == 0)
		return "\xE2\x82\xAC";
	if (strcmp(cur, "GBP") == 0)
		return "\xC2\xA3";
	return NULL;
}

/* "$1,234.50", "-$12.00", "CHF 1,234.50" */
static void add_money_sym(cr_buf *b, const cr_report *r, cr_dec a)
{
	char tmp[CR_DEC_STRLEN];
	const char *sym = currency_symbol(r->currency);

	cr_dec_format_grouped(a, 2, tmp, sizeof tmp);
	if (sym) {
		if (tmp[0] == '-') {
			cr_buf_addf(b, "-%s%s", sym, tmp + 1);
			return;
		}
		cr_buf_addf(b, "%s%s", sym, tmp);
		return;
	}
	if (r->currency && *r->currency) {
		add_clean(b, r->currency);
		cr_buf_addc(b, ' ');
	}
	cr_buf_adds(b, tmp);
}

/* The change column: "+5.0%", "-2.3%", "new", or "—" when there is
 * nothing to compare with.  *dir is 1 for an increase, -1 for a decrease. */
static void fmt_change(const cr_report *r, cr_dec cost, cr_dec prev, bool is_new,
		       char *buf, size_t size, int *dir)
{
	cr_dec d;

	*dir = 0;
	if (!r->has_previous || cr_dec_sub(&d, cost, prev) != 0) {
		snprintf(buf, size, "\xE2\x80\x94");
		return;
	}
	if (is_new) {
		snprintf(buf, size, "new");
		*dir = cr_dec_sign(cost);
		return;
	}
	if (cr_dec_is_zero(prev)) {
		snprintf(buf, size, cr_dec_is_zero(cost) ? "0.0%%" : "\xE2\x80\x94");
		*dir = cr_dec_sign(d);
		return;
	}
	/* relative to |previous|, so that the sign is that of the change */
	fmt_fixed(cr_dec_ratio(d, prev) * 100.0 * cr_dec_sign(prev), 1, true, "%", buf, size);
	if (strcmp(buf, "0.0%") != 0)
		*dir = cr_dec_sign(d);
}

/* ---- layout -------------------------------------------------------- */

typedef struct layout {
	bool color;
	size_t rank_w, name_w, cost_w, share_w, bar_w, prev_w, change_w;
} layout;

typedef struct cells {
	char rank[24];
	char cost[CR_DEC_STRLEN];
	char share[48];
	char prev[CR_DEC_STRLEN];
	char change[56];
	int dir;
} cells;

static void fill_cells(cells *c, const cr_report *r, int rank, bool is_other, cr_dec cost,
		       double share, cr_dec prev, bool is_new)
{
	if (is_other)
		c->rank[0] = '\0';
	else
		snprintf(c->rank, sizeof c->rank, "%d", rank);
	fmt_money(cost, c->cost, sizeof c->cost);
	fmt_share(share, c->share, sizeof c->share);
	if (r->has_previous)
		fmt_money(prev, c->prev, sizeof c->prev);
	else
		snprintf(c->prev, sizeof c->prev, "\xE2\x80\x94");
	fmt_change(r, cost, prev, is_new, c->change, sizeof c->change, &c->dir);
}

static void usage_cells(cells *c, const cr_report *r, const cr_report_usage *u)
{
	fill_cells(c, r, u->rank, u->is_other, u->cost, u->share, u->previous_cost,
		   u->is_new);
}

static void service_cells(cells *c, const cr_report *r, const cr_report_service *s)
{
	fill_cells(c, r, s->rank, s->is_other, s->cost, s->share, s->previous_cost,
		   s->is_new);
}

/* The text of the name column (clean). */
static void service_label(cr_buf *b, const cr_report_service *s)
{
	if (s->is_other) {
		if (s->other_count)
			cr_buf_addf(b, "Other services (%zu)", s->other_count);
		else
			cr_buf_adds(b, "Other services");
	} else {
		add_clean(b, s->name);
	}
}

static void usage_label(cr_buf *b, const cr_report_usage *u)
{
	if (u->is_other) {
		if (u->other_count)
			cr_buf_addf(b, "Other usage types (%zu)", u->other_count);
		else
			cr_buf_adds(b, "Other usage types");
	} else {
		add_clean(b, u->usage_type);
	}
}

static size_t max_sz(size_t a, size_t b)
{
	return a > b ? a : b;
}

static void measure(layout *L, const cells *c)
{
	L->rank_w = max_sz(L->rank_w, strlen(c->rank));
	L->cost_w = max_sz(L->cost_w, cr_render_width(c->cost));
	L->share_w = max_sz(L->share_w, cr_render_width(c->share));
	L->prev_w = max_sz(L->prev_w, cr_render_width(c->prev));
	L->change_w = max_sz(L->change_w, cr_render_width(c->change));
}

static void compute_layout(layout *L, const cr_report *r, int width)
{
	cr_buf b = CR_BUF_INIT;
	size_t name_need = strlen("Service / usage type"), fixed, avail;
	cells c;

	L->rank_w = 1;
	L->cost_w = strlen("Cost");
	L->share_w = strlen("Share");
	L->prev_w = strlen("Prev");
	L->change_w = strlen("Change");
	for (size_t i = 0; i < r->n_accounts; i++) {
		const cr_report_account *a = &r->accounts[i];
		for (size_t j = 0; j < a->n_services; j++) {
			const cr_report_service *s = &a->services[j];
			service_cells(&c, r, s);
			measure(L, &c);
			cr_buf_reset(&b);
			service_label(&b, s);
			name_need = max_sz(name_need, cr_render_width(b.ptr));
			for (size_t k = 0; k < s->n_usage; k++) {
				usage_cells(&c, r, &s->usage[k]);
				measure(L, &c);
				cr_buf_reset(&b);
				usage_label(&b, &s->usage[k]);
				name_need = max_sz(name_need, cr_render_width(b.ptr) + USAGE_INDENT);
			}
		}
	}
	cr_buf_release(&b);

	/* Everything but the name and the bar. */
	fixed = MARGIN + L->rank_w + GAP + GAP + L->cost_w + GAP + L->share_w + GAP + GAP +
		L->prev_w + GAP + L->change_w;
	avail = (size_t)width > fixed ? (size_t)width - fixed : 0;
	L->bar_w = BAR_MAX;
	/* Shrink the bar (down to BAR_MIN) before cutting names short. */
	while (L->bar_w > BAR_MIN && avail < L->bar_w + max_sz(NAME_MIN, name_need < NAME_WANT ? name_need : NAME_WANT))
		L->bar_w--;
	L->name_w = avail > L->bar_w ? avail - L->bar_w : 0;
	if (L->name_w > name_need)
		L->name_w = name_need;
	if (L->name_w < NAME_MIN)
		L->name_w = NAME_MIN;
}

/* ---- drawing ------------------------------------------------------- */

static void sgr(cr_buf *b, const layout *L, const char *code)
{
	if (L->color)
		cr_buf_adds(b, code);
}

static const char *dir_color(int dir)
{
	return dir > 0 ? SGR_RED : dir < 0 ? SGR_GREEN : NULL;
}

/* The share of the account as a bar of up to w cells, in eighths. */
static void add_bar(cr_buf *b, double share, size_t w)
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
		cr_buf_adds(b, "\xE2\x96\x88");
	if (eighths % 8) {
		cr_buf_adds(b, partial[eighths % 8]);
		used++;
	}
	add_spaces(b, w - used);
}

static void add_change_cell(cr_buf *b, const layout *L, const cells *c)
{
	const char *col = dir_color(c->dir);

	if (col && L->color) {
		/* pad outside the colour */
		size_t w = cr_render_width(c->change);
		add_spaces(b, L->change_w > w ? L->change_w - w : 0);
		cr_buf_adds(b, col);
		cr_buf_adds(b, c->change);
		cr_buf_adds(b, SGR_RESET);
	} else {
		add_cell(b, c->change, L->change_w, true);
	}
}

static void draw_header(cr_buf *b, FILE *out, const layout *L)
{
	add_spaces(b, MARGIN);
	sgr(b, L, SGR_BOLD);
	add_cell(b, "#", L->rank_w, true);
	add_spaces(b, GAP);
	add_cell(b, "Service / usage type", L->name_w, false);
	add_spaces(b, GAP);
	add_cell(b, "Cost", L->cost_w, true);
	add_spaces(b, GAP);
	add_cell(b, "Share", L->share_w, true);
	add_spaces(b, GAP + L->bar_w + GAP);
	add_cell(b, "Prev", L->prev_w, true);
	add_spaces(b, GAP);
	add_cell(b, "Change", L->change_w, true);
	sgr(b, L, SGR_RESET);
	put_line(b, out);
}

static void draw_row(cr_buf *b, FILE *out, const layout *L, const cells *c, const char *label,
		     bool usage, double bar_share)
{
	size_t indent = usage ? USAGE_INDENT : 0;

	add_spaces(b, MARGIN);
	if (usage)
		sgr(b, L, SGR_DIM);
	add_spaces(b, indent);
	add_cell(b, c->rank, L->rank_w, true);
	add_spaces(b, GAP);
	add_cell(b, label, L->name_w > indent ? L->name_w - indent : 1, false);
	add_spaces(b, GAP);
	add_cell(b, c->cost, L->cost_w, true);
	add_spaces(b, GAP);
	add_cell(b, c->share, L->share_w, true);
	add_spaces(b, GAP);
	if (usage)
		add_spaces(b, L->bar_w);
	else
		add_bar(b, bar_share, L->bar_w);
	add_spaces(b, GAP);
	add_cell(b, c->prev, L->prev_w, true);
	add_spaces(b, GAP);
	if (usage)
		sgr(b, L, SGR_RESET);
	add_change_cell(b, L, c);
	put_line(b, out);
}

/* "2026-09", or "2026-09-16 to 2026-09-30" for a period that is not a month. */
static void add_prev_label(cr_buf *b, const cr_report *r)
{
	char s[CR_DATE_STRLEN], e[CR_DATE_STRLEN];

	cr_day_format(r->prev_start, s);
	cr_day_format(r->prev_end, e);
	if (r->prev_start == cr_month_first(r->prev_start) &&
	    r->prev_end == cr_month_last(r->prev_start))
		cr_buf_add(b, s, 7);
	else
		cr_buf_addf(b, "%s to %s", s, e);
}

/* ranked 184,203.17 + credits -1,250.00 + refunds -310.00 + tax 9,120.55 = billed 191,763.72
 * wrapped between terms when it does not fit the width. */
static void draw_reconciliation(cr_buf *b, FILE *out, const cr_report *r, int width)
{
	cr_buf term = CR_BUF_INIT;
	char tmp[CR_DEC_STRLEN];
	size_t line_w = 0;

	for (int i = -1; i <= CR_EXCL_COUNT; i++) {
		cr_buf_reset(&term);
		if (i < 0) {
			fmt_money(r->recon.ranked, tmp, sizeof tmp);
			cr_buf_addf(&term, "ranked %s", tmp);
		} else if (i == CR_EXCL_COUNT) {
			fmt_money(r->recon.grand_total, tmp, sizeof tmp);
			cr_buf_addf(&term, "= billed %s", tmp);
		} else if (r->recon.included[i]) {
			fmt_money(r->recon.included_amount[i], tmp, sizeof tmp);
			cr_buf_addf(&term, "+ %s (ranked: %s)",
				    cr_excluded_name((enum cr_excluded)i), tmp);
		} else {
			fmt_money(r->recon.excluded[i], tmp, sizeof tmp);
			cr_buf_addf(&term, "+ %s %s", cr_excluded_name((enum cr_excluded)i), tmp);
		}
		if (line_w && line_w + 1 + term.len > (size_t)width) {
			put_line(b, out);
			cr_buf_adds(b, "   ");
			line_w = 3;
		} else if (line_w) {
			cr_buf_addc(b, ' ');
			line_w++;
		}
		cr_buf_add(b, term.ptr, term.len);
		line_w += term.len;
	}
	put_line(b, out);
	cr_buf_release(&term);
}

static void draw_headline(cr_buf *b, FILE *out, const cr_report *r, const layout *L, int width)
{
	char s[CR_DATE_STRLEN], e[CR_DATE_STRLEN], chg[56];
	int dir;

	cr_day_format(r->start, s);
	cr_day_format(r->end, e);
	sgr(b, L, SGR_BOLD);
	cr_buf_adds(b, "costrank report \xE2\x80\x94 ");
	add_clean(b, r->period_label);
	cr_buf_addf(b, " (%s to %s), %s cost, ", s, e, cr_metric_name(r->metric));
	add_clean(b, r->currency);
	sgr(b, L, SGR_RESET);
	put_line(b, out);

	sgr(b, L, SGR_BOLD);
	cr_buf_adds(b, "Total  ");
	add_money_sym(b, r, r->total);
	sgr(b, L, SGR_RESET);
	if (r->has_previous) {
		fmt_change(r, r->total, r->previous_total, false, chg, sizeof chg, &dir);
		cr_buf_adds(b, "   ");
		if (dir_color(dir))
			sgr(b, L, dir_color(dir));
		cr_buf_adds(b, chg);
		if (dir_color(dir))
			sgr(b, L, SGR_RESET);
		cr_buf_adds(b, " vs ");
		add_prev_label(b, r);
		cr_buf_adds(b, " (");
		add_money_sym(b, r, r->previous_total);
		cr_buf_adds(b, ")");
	} else {
		cr_buf_adds(b, "   (no complete previous period to compare)");
	}
	put_line(b, out);
	if (cr_fx_active(r)) {
		/* under the amount: "≈ ¥26,249,425 at 151.20 JPY/USD (2026-10-31)" */
		add_spaces(b, 7);
		cr_fx_describe(b, r, r->total);
		put_line(b, out);
	}

	draw_reconciliation(b, out, r, width);

	for (size_t i = 0; i < r->n_warnings; i++) {
		cr_buf_adds(b, "note: ");
		add_clean(b, r->warnings[i]);
		put_line(b, out);
	}
}

static void draw_account(cr_buf *b, FILE *out, const cr_report *r, const layout *L,
			 const cr_report_account *a)
{
	cr_buf label = CR_BUF_INIT;
	char share[48], chg[56];
	int dir;
	cells c;

	/* 1. larkspur-prod  048213306571  production  $97,120.40  52.7% of total  +3.1% */
	sgr(b, L, SGR_BOLD);
	cr_buf_addf(b, "%d. ", a->rank);
	if (a->name && *a->name) {
		add_clean(b, a->name);
		cr_buf_adds(b, "  ");
	}
	add_clean(b, a->id);
	if (a->environment && *a->environment) {
		cr_buf_adds(b, "  ");
		add_clean(b, a->environment);
		/* say where a guessed environment came from */
		if (a->environment_source && strcmp(a->environment_source, "accounts-file") != 0)
			cr_buf_addf(b, " (from %s)", a->environment_source);
	} else {
		cr_buf_adds(b, "  environment unknown");
	}
	if (a->owner && *a->owner) {
		cr_buf_adds(b, "  owner ");
		add_clean(b, a->owner);
	}
	cr_buf_adds(b, "  ");
	add_money_sym(b, r, a->total);
	fmt_share(a->share, share, sizeof share);
	cr_buf_addf(b, "  %s of total", share);
	sgr(b, L, SGR_RESET);
	if (r->has_previous) {
		fmt_change(r, a->total, a->previous_total,
			   cr_dec_is_zero(a->previous_total) && !cr_dec_is_zero(a->total),
			   chg, sizeof chg, &dir);
		cr_buf_adds(b, "  ");
		if (dir_color(dir))
			sgr(b, L, dir_color(dir));
		cr_buf_adds(b, chg);
		if (dir_color(dir))
			sgr(b, L, SGR_RESET);
	}
	put_line(b, out);

	draw_header(b, out, L);
	for (size_t j = 0; j < a->n_services; j++) {
		const cr_report_service *s = &a->services[j];
		service_cells(&c, r, s);
		cr_buf_reset(&label);
		service_label(&label, s);
		draw_row(b, out, L, &c, label.ptr, false, s->share);
		for (size_t k = 0; k < s->n_usage; k++) {
			usage_cells(&c, r, &s->usage[k]);
			cr_buf_reset(&label);
			usage_label(&label, &s->usage[k]);
			draw_row(b, out, L, &c, label.ptr, true, 0.0);
		}
	}
	cr_buf_release(&label);
}

#define TABLE_PROPOSALS 10

/* The top proposals by priority, with the de-duplicated total. */
static void draw_proposals(cr_buf *b, FILE *out, const cr_report *r, const layout *L, int width)
{
	char money[CR_DEC_STRLEN], share[32], rank[16];
	size_t n = r->n_proposals < TABLE_PROPOSALS ? r->n_proposals : TABLE_PROPOSALS;
	size_t label_w = width > 90 ? (size_t)width - 72 : 18;

	fputc('\n', out);
	sgr(b, L, SGR_BOLD);
	cr_buf_adds(b, "Savings proposals");
	sgr(b, L, SGR_RESET);
	if (!r->n_proposals) {
		cr_buf_adds(b, ": none (no rule matched spend above its minimum)");
		put_line(b, out);
		return;
	}
	fmt_share(cr_dec_ratio(r->savings_total, r->recon.grand_total), share, sizeof share);
	cr_buf_addf(b, ": %zu, ", r->n_proposals);
	add_money_sym(b, r, r->savings_total);
	cr_buf_addf(b, " a month (%s of the bill), de-duplicated", share);
	if (n < r->n_proposals)
		cr_buf_addf(b, "; top %zu by priority", n);
	put_line(b, out);
	sgr(b, L, SGR_BOLD);
	add_cell(b, "#", 4, true);
	cr_buf_adds(b, "  ");
	add_cell(b, "Saving/mo", 12, true);
	cr_buf_adds(b, "  ");
	add_cell(b, "Action", 18, false);
	cr_buf_adds(b, "  ");
	add_cell(b, "Account", 18, false);
	cr_buf_adds(b, "  ");
	add_cell(b, "Usage type (service)", label_w, false);
	cr_buf_adds(b, "  Effort/risk");
	sgr(b, L, SGR_RESET);
	put_line(b, out);
	for (size_t i = 0; i < n; i++) {
		const cr_proposal *p = &r->proposals[i];
		cr_buf label = CR_BUF_INIT, clean = CR_BUF_INIT;

		snprintf(rank, sizeof rank, "%d", p->rank);
		add_cell(b, rank, 4, true);
		cr_buf_adds(b, "  ");
		fmt_money(p->savings, money, sizeof money);
		add_cell(b, money, 12, true);
		cr_buf_adds(b, "  ");
		add_cell(b, p->action, 18, false);
		cr_buf_adds(b, "  ");
		add_clean(&clean, p->account_name && *p->account_name ? p->account_name
			  : p->account_id);
		add_cell(b, clean.ptr, 18, false);
		cr_buf_adds(b, "  ");
		cr_buf_reset(&clean);
		cr_buf_addf(&label, "%s (%s)", p->usage_type, p->service);
		add_clean(&clean, label.ptr);
		add_cell(b, clean.ptr, label_w, false);
		cr_buf_addf(b, "  %s/%s", p->effort, p->risk);
		put_line(b, out);
		cr_buf_reset(&clean);
		add_clean(&clean, p->formula);
		sgr(b, L, SGR_DIM);
		add_spaces(b, 8);
		add_cell(b, clean.ptr, (size_t)(width > 20 ? width - 8 : 12), false);
		sgr(b, L, SGR_RESET);
		put_line(b, out);
		cr_buf_release(&label);
		cr_buf_release(&clean);
	}
}

int cr_write_table(const cr_report *r, FILE *out, const cr_write_opts *o, cr_error *err)
{
	cr_buf b = CR_BUF_INIT;
	layout L;
	int width = o && o->width > 0 ? o->width : DEFAULT_WIDTH;

	(void)err; /* write errors stay on the stream for the caller's check */
	memset(&L, 0, sizeof L);
	L.color = o && o->color;
	compute_layout(&L, r, width);

	draw_headline(&b, out, r, &L, width);
	for (size_t i = 0; i < r->n_accounts; i++) {
		fputc('\n', out);
		draw_account(&b, out, r, &L, &r->accounts[i]);
	}
	if (r->has_proposals)
		draw_proposals(&b, out, r, &L, width);
	cr_buf_release(&b);
	return 0;
}
