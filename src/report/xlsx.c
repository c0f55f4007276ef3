/* xlsx.c - the Excel workbook (see costrank/writer.h)
 *
 * Four sheets:
 *   Summary            the period, source and headline figures, the
 *                      reconciliation (its grand total a SUM formula), the
 *                      accounts with their totals, the top services across
 *                      accounts, the notes, and two bar charts
 *   Services           every listed service of every account, with the
 *                      "Other services" remainders
 *   Usage types        the same per usage type, with quantity and unit
 *   Savings proposals  every proposal with its rule, title and priority, a
 *                      total row and, under it, how the rows are ordered
 * and, when the data has them, Trend (by month) and Commitments (existing
 * Savings Plans and Reserved Instances, the Savings Plans sized).
 * Amounts are numbers with a currency format, percentages numbers with a
 * percent format, dates dates, account ids text (leading zeros kept).
 * Every total is a formula Excel recomputes, written with its value so that
 * viewers that do not recalculate show it too.  Tables have a frozen header
 * row and an autofilter.
 *
 * libxlsxwriter writes to a file name, not a stream: the workbook is
 * written to a temporary file (mode 0600) in the report's directory
 * (o->tmpdir; else $TMPDIR), registered so that a signal handler removes
 * it, and unlinked on every path before its bytes are copied into the
 * stream.  libxlsxwriter's own scratch files there are unlinked as soon
 * as they are made.  Its creation
 * time is the end of the period (or now, for a period not over yet), so
 * that the same data gives the same bytes.
 */
#include "costrank/i18n.h"
#include "costrank/writer.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "costrank/buf.h"
#include "costrank/fx.h"
#include "costrank/proc.h"
#include "report/render.h"

#define STR_MAX 32000        /* code points per cell; Excel's limit is 32,767 */
#define TOP_SERVICES 10      /* in the Summary table and chart */
#define CHART_ACCOUNTS 15    /* bars in the chart of spend by account */
#define SECONDS_PER_DAY 86400

/* Summary columns: labels and names in A, the accounts table after. */
enum { S_NAME, S_ID, S_ENV, S_TOTAL, S_PREV, S_CHANGE, S_PCT, S_SHARE, S_OWNER, S_NCOLS };
/* Services columns. */
enum { A_DIM, A_RANK, A_VALUE, A_COST, A_PREV, A_CHANGE, A_PCT, A_SHARE, A_SERVICES, A_NCOLS };
enum { RS_ID, RS_SERVICE, RS_USAGE, RS_RANK, RS_RESOURCE, RS_COST, RS_SHARE, RS_FIRST, RS_LAST,
       RS_NCOLS };
enum { V_ID, V_NAME, V_ENV, V_RANK, V_SERVICE, V_COST, V_PREV, V_CHANGE, V_PCT, V_SHARE,
       V_NCOLS };
/* Usage types columns. */
enum { U_ID, U_NAME, U_ENV, U_SRANK, U_SERVICE, U_RANK, U_USAGE, U_COST, U_QTY, U_UNIT,
       U_PREV, U_CHANGE, U_PCT, U_SHARE, U_NCOLS };
/* Savings proposals columns. */
enum { P_RANK, P_RULE, P_TITLE, P_ACTION, P_ID, P_NAME, P_ENV, P_SERVICE, P_USAGE, P_COST,
       P_SAVING, P_ANNUAL, P_EFFORT, P_RISK, P_PRIORITY, P_FORMULA, P_EVIDENCE,
       P_REFERENCE, P_RESOURCES, P_COUNTED, P_NCOLS };

typedef struct xfmt {
	lxw_format *title, *subtitle, *head, *head_num, *label, *text, *note;
	lxw_format *money, *pct, *chg_pct, *date, *integer, *number, *priority;
	lxw_format *t_label, *t_money, *t_pct, *t_chg_pct, *t_blank;
} xfmt;

typedef struct xctx {
	const cr_report *r;
	lxw_workbook *wb;
	lxw_error lerr;       /* the first libxlsxwriter error */
	bool too_many_rows;
	bool out_of_range;    /* an amount the --fx conversion cannot hold */
	xfmt f;
	cr_buf tmp;
	char money_fmt[64], money_axis_fmt[64];
	char priority_fmt[16];   /* the amounts' places and separators, no currency */
} xctx;

/* ---- cells ---------------------------------------------------------- */

static void chk(xctx *x, lxw_error e)
{
	if (e != LXW_NO_ERROR && x->lerr == LXW_NO_ERROR)
		x->lerr = e;
}

static bool row_ok(xctx *x, lxw_row_t row)
{
	if (row < LXW_ROW_MAX)
		return true;
	x->too_many_rows = true;
	return false;
}

/* Clean text, cut to what a cell holds; empty text leaves a blank cell. */
static void put_str(xctx *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, const char *s,
		    lxw_format *f)
{
	if (!row_ok(x, row))
		return;
	if (!f)
		f = x->f.text;
	cr_buf_reset(&x->tmp);
	cr_render_clean(&x->tmp, s, STR_MAX);
	if (x->tmp.len)
		chk(x, worksheet_write_string(ws, row, col, x->tmp.ptr, f));
	else if (f)
		chk(x, worksheet_write_blank(ws, row, col, f));
}

static void put_num(xctx *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, double v,
		    lxw_format *f)
{
	if (row_ok(x, row))
		chk(x, worksheet_write_number(ws, row, col, v, f));
}

/* An exact amount as the nearest double, read from its exact decimal text
 * (the C locale is in force: the program never calls setlocale). */
static double dec_value(cr_dec a)
{
	char tmp[CR_DEC_STRLEN];

	cr_dec_format(a, -1, tmp, sizeof tmp);
	return strtod(tmp, NULL);
}

/* An amount as shown: in the --fx currency when there is one. */
static double money_value(xctx *x, cr_dec a)
{
	cr_dec v;

	if (cr_render_shown(x->r, a, &v) < 0) {
		x->out_of_range = true;
		return 0.0;
	}
	return dec_value(v);
}

static void put_money(xctx *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, cr_dec a)
{
	put_num(x, ws, row, col, money_value(x, a), x->f.money);
}

static void put_blank(xctx *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, lxw_format *f)
{
	if (row_ok(x, row) && f)
		chk(x, worksheet_write_blank(ws, row, col, f));
}

static void put_date(xctx *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, cr_day d)
{
	lxw_datetime dt = { 0 };

	cr_day_to_ymd(d, &dt.year, &dt.month, &dt.day);
	if (row_ok(x, row))
		chk(x, worksheet_write_datetime(ws, row, col, &dt, x->f.date));
}

/* A formula with its precomputed value. */
static void put_formula(xctx *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
			const char *formula, double value, lxw_format *f)
{
	if (row_ok(x, row))
		chk(x, worksheet_write_formula_num(ws, row, col, formula, f, value));
}

/* =SUM(col first..last) with its value; without rows, the value alone. */
static void put_sum(xctx *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col, lxw_row_t first,
		    lxw_row_t last, double value, lxw_format *f)
{
	char range[LXW_MAX_CELL_RANGE_LENGTH + 8], formula[LXW_MAX_CELL_RANGE_LENGTH + 16];

	if (last < first) {
		put_num(x, ws, row, col, value, f);
		return;
	}
	lxw_rowcol_to_range(range, first, col, last, col);
	snprintf(formula, sizeof formula, "=SUM(%s)", range);
	put_formula(x, ws, row, col, formula, value, f);
}

static void put_sum_dec(xctx *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
			lxw_row_t first, lxw_row_t last, cr_dec value, lxw_format *f)
{
	put_sum(x, ws, row, col, first, last, money_value(x, value), f);
}

/* =SUMIF(crit_col first..last, 1, col first..last) with its value: the
 * rows whose crit_col cell is 1; without rows, the value alone. */
static void put_sumif_dec(xctx *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
			  lxw_col_t crit_col, lxw_row_t first, lxw_row_t last, cr_dec value,
			  lxw_format *f)
{
	char crit[LXW_MAX_CELL_RANGE_LENGTH + 8], range[LXW_MAX_CELL_RANGE_LENGTH + 8];
	char formula[2 * LXW_MAX_CELL_RANGE_LENGTH + 32];

	if (last < first) {
		put_num(x, ws, row, col, money_value(x, value), f);
		return;
	}
	lxw_rowcol_to_range(crit, first, crit_col, last, crit_col);
	lxw_rowcol_to_range(range, first, col, last, col);
	snprintf(formula, sizeof formula, "=SUMIF(%s,1,%s)", crit, range);
	put_formula(x, ws, row, col, formula, money_value(x, value), f);
}

/* =IF(prev=0,"",change/ABS(prev)) for a total row: the percentage of the
 * cells at prev_col and chg_col; blank when the previous total is zero. */
static void put_pct_formula(xctx *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t col,
			    lxw_col_t prev_col, lxw_col_t chg_col, cr_dec prev, cr_dec change,
			    lxw_format *f)
{
	char p[LXW_MAX_CELL_NAME_LENGTH + 4], c[LXW_MAX_CELL_NAME_LENGTH + 4], formula[128];

	if (cr_dec_is_zero(prev)) {
		put_blank(x, ws, row, col, f);
		return;
	}
	lxw_rowcol_to_cell(p, row, prev_col);
	lxw_rowcol_to_cell(c, row, chg_col);
	snprintf(formula, sizeof formula, "=IF(%s=0,\"\",%s/ABS(%s))", p, c, p);
	put_formula(x, ws, row, col, formula, cr_dec_ratio(change, prev) * cr_dec_sign(prev), f);
}

/* previous, change and change % of one row (blank without a previous period). */
static void put_change(xctx *x, lxw_worksheet *ws, lxw_row_t row, lxw_col_t prev_col,
		       lxw_col_t chg_col, lxw_col_t pct_col, cr_dec cost, cr_dec prev)
{
	cr_render_change c;

	cr_render_change_of(x->r, cost, prev, &c);
	if (!c.known)
		return;
	put_money(x, ws, row, prev_col, prev);
	put_money(x, ws, row, chg_col, c.diff);
	if (c.has_pct)
		put_num(x, ws, row, pct_col, c.pct / 100.0, x->f.chg_pct);
}

static void put_header(xctx *x, lxw_worksheet *ws, lxw_row_t row, const char *const *names,
		       size_t n, lxw_col_t first_num_col)
{
	for (size_t i = 0; i < n; i++)
		put_str(x, ws, row, (lxw_col_t)i, _(names[i]),
			i >= first_num_col ? x->f.head_num : x->f.head);
}

static void set_widths(xctx *x, lxw_worksheet *ws, const double *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		chk(x, worksheet_set_column(ws, (lxw_col_t)i, (lxw_col_t)i, w[i], NULL));
}

/* ---- formats -------------------------------------------------------- */

/* `#,##0.00 "EUR"`, `#,##0 "JPY"`, or Excel's own dollar format for USD:
 * in the currency amounts are shown in (--fx), with its minor unit; the
 * code is reduced to letters and digits so that it cannot break the
 * format. */
static void money_formats(xctx *x)
{
	static const char *const places[] = { "#,##0", "#,##0.0", "#,##0.00", "#,##0.000",
					       "#,##0.0000" };
	const char *cur = cr_render_shown_currency(x->r);
	const char *num;
	char code[9];
	size_t n = 0;
	int mu = cr_render_shown_places(x->r);

	num = places[mu >= 0 && mu <= 4 ? mu : 2];
	/* the priority as the other human formats show it: in the shown
	 * currency's minor unit, with thousands separators ("4,602.95",
	 * "695,967"), no symbol */
	snprintf(x->priority_fmt, sizeof x->priority_fmt, "%s", num);
	for (const char *p = cur ? cur : ""; *p && n < sizeof code - 1; p++)
		if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'))
			code[n++] = *p;
	code[n] = '\0';
	if (strcmp(code, "USD") == 0) {
		snprintf(x->money_fmt, sizeof x->money_fmt, "[$$-409]%s", num);
		snprintf(x->money_axis_fmt, sizeof x->money_axis_fmt, "[$$-409]#,##0");
	} else if (n) {
		snprintf(x->money_fmt, sizeof x->money_fmt, "%s \"%s\"", num, code);
		snprintf(x->money_axis_fmt, sizeof x->money_axis_fmt, "#,##0 \"%s\"", code);
	} else {
		snprintf(x->money_fmt, sizeof x->money_fmt, "%s", num);
		snprintf(x->money_axis_fmt, sizeof x->money_axis_fmt, "#,##0");
	}
}

static lxw_format *fmt(xctx *x, const char *num, bool bold, bool total)
{
	lxw_format *f = workbook_add_format(x->wb);

	if (!f) {
		chk(x, LXW_ERROR_MEMORY_MALLOC_FAILED);
		return NULL;
	}
	if (num)
		format_set_num_format(f, num);
	/* Calibri has no Japanese glyphs: Yu Gothic is Excel's Japanese default
	 * (Windows, macOS); LibreOffice substitutes Noto Sans CJK JP for it. */
	if (cr_i18n_current() == CR_LANG_JA)
		format_set_font_name(f, "Yu Gothic");
	if (bold)
		format_set_bold(f);
	if (total) {
		format_set_top(f, LXW_BORDER_THIN);
		format_set_bottom(f, LXW_BORDER_DOUBLE);
	}
	return f;
}

#define PCT_FMT "0.0%"
#define CHG_PCT_FMT "+0.0%;-0.0%;0.0%"

static void make_formats(xctx *x)
{
	xfmt *f = &x->f;

	money_formats(x);
	f->title = fmt(x, NULL, true, false);
	if (f->title)
		format_set_font_size(f->title, 16);
	f->subtitle = fmt(x, NULL, false, false);
	if (f->subtitle) {
		format_set_italic(f->subtitle);
		format_set_font_color(f->subtitle, 0x555555);
	}
	f->head = fmt(x, NULL, true, false);
	f->head_num = fmt(x, NULL, true, false);
	for (int i = 0; i < 2; i++) {
		lxw_format *h = i ? f->head_num : f->head;
		if (!h)
			continue;
		format_set_bg_color(h, 0xDCE6F1);
		format_set_bottom(h, LXW_BORDER_THIN);
		format_set_align(h, i ? LXW_ALIGN_RIGHT : LXW_ALIGN_LEFT);
	}
	f->label = fmt(x, NULL, true, false);
	/* plain text cells carry the Japanese font too */
	f->text = cr_i18n_current() == CR_LANG_JA ? fmt(x, NULL, false, false) : NULL;
	f->note = fmt(x, NULL, false, false);
	if (f->note)
		format_set_font_color(f->note, 0x555555);
	f->money = fmt(x, x->money_fmt, false, false);
	f->pct = fmt(x, PCT_FMT, false, false);
	f->chg_pct = fmt(x, CHG_PCT_FMT, false, false);
	f->date = fmt(x, "yyyy-mm-dd", false, false);
	if (f->date)
		format_set_align(f->date, LXW_ALIGN_LEFT);
	f->integer = fmt(x, "0", false, false);
	f->number = fmt(x, "General", false, false);
	f->priority = fmt(x, x->priority_fmt, false, false);
	f->t_label = fmt(x, NULL, true, true);
	f->t_money = fmt(x, x->money_fmt, true, true);
	f->t_pct = fmt(x, PCT_FMT, true, true);
	f->t_chg_pct = fmt(x, CHG_PCT_FMT, true, true);
	f->t_blank = fmt(x, NULL, true, true);
}

/* ---- sheets too long for a worksheet -------------------------------- */

/* Data rows a sheet holds besides its header and total rows. */
#define SHEET_ROWS ((size_t)LXW_ROW_MAX - 2)

static size_t services_rows(const cr_report *r)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n_accounts; i++)
		n += r->accounts[i].n_services;
	return n;
}

/* A service listed without usage types has one row of its own. */
static size_t usage_rows(const cr_report *r)
{
	size_t n = 0;

	for (size_t i = 0; i < r->n_accounts; i++)
		for (size_t j = 0; j < r->accounts[i].n_services; j++) {
			size_t u = r->accounts[i].services[j].n_usage;
			n += u ? u : 1;
		}
	return n;
}

static size_t proposal_rows(const cr_report *r)
{
	return r->n_proposals;
}

enum { LONG_SERVICES, LONG_USAGE, LONG_PROPOSALS, LONG_N };

static const struct long_sheet {
	const char *sheet, *what, *csv;
	size_t (*rows)(const cr_report *r);
} long_sheets[LONG_N] = {
	{ N_("Services"), N_("service"), "-services.csv", services_rows },
	{ N_("Usage types"), N_("usage-type"), ".csv", usage_rows },
	{ N_("Savings proposals"), N_("proposal"), "-proposals.csv", proposal_rows },
};

/* Whether the sheet is too long: then it holds only a note saying where
 * its rows are. */
static bool sheet_omitted(xctx *x, lxw_worksheet *ws, const struct long_sheet *l)
{
	size_t n = l->rows(x->r);
	char text[256];

	if (n <= SHEET_ROWS)
		return false;
	snprintf(text, sizeof text, _("The %zu %s rows are more than a worksheet holds (%zu); "
		 "--format csv writes them all, in costrank-%s%s."), n, _(l->what), SHEET_ROWS,
		 x->r->period_label, l->csv);
	put_str(x, ws, 0, 0, text, x->f.note);
	return true;
}

size_t cr_xlsx_omitted(const cr_report *r, cr_buf *b)
{
	size_t n = 0;

	for (size_t i = 0; i < LONG_N; i++) {
		size_t rows = long_sheets[i].rows(r);

		if (rows <= SHEET_ROWS)
			continue;
		cr_buf_addf(b, _("%s%s (%zu rows)"), n ? ", " : "", _(long_sheets[i].sheet), rows);
		n++;
	}
	return n;
}

/* ---- Services ------------------------------------------------------- */

static void write_services(xctx *x, lxw_worksheet *ws)
{
	static const char *const head[V_NCOLS] = {
		N_("Account id"), N_("Account name"), N_("Environment"), N_("Rank"), N_("Service"), N_("Cost"),
		N_("Previous"), N_("Change"), N_("Change %"), N_("Share of account"),
	};
	static const double widths[V_NCOLS] = { 15, 26, 13, 6, 44, 15, 15, 14, 10, 10 };
	const cr_report *r = x->r;
	lxw_row_t row = 1;
	cr_dec prev = CR_DEC_ZERO, cost = CR_DEC_ZERO, change;
	cr_buf label = CR_BUF_INIT;

	if (sheet_omitted(x, ws, &long_sheets[LONG_SERVICES]))
		return;
	set_widths(x, ws, widths, V_NCOLS);
	put_header(x, ws, 0, head, V_NCOLS, V_RANK);
	for (size_t i = 0; i < r->n_accounts; i++) {
		const cr_report_account *a = &r->accounts[i];
		for (size_t j = 0; j < a->n_services; j++, row++) {
			const cr_report_service *s = &a->services[j];

			put_str(x, ws, row, V_ID, a->id, NULL);
			put_str(x, ws, row, V_NAME, a->name, NULL);
			put_str(x, ws, row, V_ENV, a->environment, NULL);
			if (!s->is_other)
				put_num(x, ws, row, V_RANK, s->rank, x->f.integer);
			cr_buf_reset(&label);
			cr_render_service_label(&label, s);
			put_str(x, ws, row, V_SERVICE, label.ptr, NULL);
			put_money(x, ws, row, V_COST, s->cost);
			put_change(x, ws, row, V_PREV, V_CHANGE, V_PCT, s->cost, s->previous_cost);
			put_num(x, ws, row, V_SHARE, s->share, x->f.pct);
			cr_dec_acc(&cost, s->cost);
			cr_dec_acc(&prev, s->previous_cost);
		}
	}
	cr_buf_release(&label);
	if (row > 1)
		chk(x, worksheet_autofilter(ws, 0, 0, row - 1, V_NCOLS - 1));
	/* the total row */
	for (lxw_col_t c = 0; c < V_NCOLS; c++)
		put_blank(x, ws, row, c, x->f.t_blank);
	put_str(x, ws, row, V_SERVICE, _("Total"), x->f.t_label);
	put_sum_dec(x, ws, row, V_COST, 1, row - 1, cost, x->f.t_money);
	if (r->has_previous && cr_dec_sub(&change, cost, prev) == 0) {
		put_sum_dec(x, ws, row, V_PREV, 1, row - 1, prev, x->f.t_money);
		put_sum_dec(x, ws, row, V_CHANGE, 1, row - 1, change, x->f.t_money);
		put_pct_formula(x, ws, row, V_PCT, V_PREV, V_CHANGE, prev, change, x->f.t_chg_pct);
	}
	worksheet_freeze_panes(ws, 1, 0);
	chk(x, worksheet_ignore_errors(ws, LXW_IGNORE_NUMBER_STORED_AS_TEXT, "A1:A1048576"));
}

/* ---- Allocation (--by) --------------------------------------------- */

static void write_allocation(xctx *x, lxw_worksheet *ws)
{
	static const char *const head[A_NCOLS] = {
		"Dimension", "Rank", "Value", "Cost", "Previous", "Change", "Change %",
		"Share of total", "Top services",
	};
	static const double widths[A_NCOLS] = { 16, 6, 26, 15, 15, 14, 10, 10, 60 };
	const cr_report *r = x->r;
	lxw_row_t row = 1;
	cr_buf svcs = CR_BUF_INIT;

	set_widths(x, ws, widths, A_NCOLS);
	put_header(x, ws, 0, head, A_NCOLS, A_RANK);
	for (size_t k = 0; k < r->n_allocations; k++) {
		const cr_report_allocation *al = &r->allocations[k];

		for (size_t i = 0; i < al->n_values; i++, row++) {
			const cr_report_alloc_value *v = &al->values[i];

			put_str(x, ws, row, A_DIM, al->dimension, NULL);
			if (!v->is_untagged)
				put_num(x, ws, row, A_RANK, v->rank, x->f.integer);
			put_str(x, ws, row, A_VALUE, v->is_untagged ? al->untagged_label : v->value,
				NULL);
			put_money(x, ws, row, A_COST, v->cost);
			put_change(x, ws, row, A_PREV, A_CHANGE, A_PCT, v->cost, v->previous_cost);
			put_num(x, ws, row, A_SHARE, v->share, x->f.pct);
			cr_buf_reset(&svcs);
			for (size_t j = 0; j < v->n_services; j++)
				cr_buf_addf(&svcs, "%s%s", j ? "; " : "", v->services[j].name);
			put_str(x, ws, row, A_SERVICES, svcs.len ? svcs.ptr : "", NULL);
		}
	}
	cr_buf_release(&svcs);
	if (row > 1)
		chk(x, worksheet_autofilter(ws, 0, 0, row - 1, A_NCOLS - 1));
	worksheet_freeze_panes(ws, 1, 0);
}

/* ---- Resources (--resources) ---------------------------------------- */

static void resource_cells(xctx *x, lxw_worksheet *ws, lxw_row_t row, const char *acct,
			   const char *svc, const cr_report_usage *u, const char *label,
			   cr_dec cost, double share)
{
	put_str(x, ws, row, RS_ID, acct, NULL);
	put_str(x, ws, row, RS_SERVICE, svc, NULL);
	put_str(x, ws, row, RS_USAGE, u->usage_type, NULL);
	put_str(x, ws, row, RS_RESOURCE, label, NULL);
	put_money(x, ws, row, RS_COST, cost);
	put_num(x, ws, row, RS_SHARE, share, x->f.pct);
}

/* The rows of the resources file (csv.c): each listed resource, then the
 * other resources and the lines without an id. */
static void write_resources(xctx *x, lxw_worksheet *ws)
{
	static const char *const head[RS_NCOLS] = {
		N_("Account ID"), N_("Service"), N_("Usage type"), N_("Rank"), N_("Resource"),
		N_("Cost"), N_("Share of usage type"), N_("First day"), N_("Last day"),
	};
	static const double widths[RS_NCOLS] = { 15, 30, 28, 6, 60, 15, 10, 12, 12 };
	const cr_report *r = x->r;
	lxw_row_t row = 1;

	set_widths(x, ws, widths, RS_NCOLS);
	put_header(x, ws, 0, head, RS_NCOLS, RS_RANK);
	for (size_t a = 0; a < r->n_accounts; a++) {
		const cr_report_account *acc = &r->accounts[a];
		for (size_t s = 0; s < acc->n_services; s++) {
			const cr_report_service *svc = &acc->services[s];
			for (size_t k = 0; k < svc->n_usage; k++) {
				const cr_report_usage *u = &svc->usage[k];
				char label[96];

				for (size_t i = 0; i < u->n_resources; i++, row++) {
					const cr_report_resource *y = &u->resources[i];
					resource_cells(x, ws, row, acc->id, svc->name, u, y->id, y->cost,
						       y->share);
					put_num(x, ws, row, RS_RANK, y->rank, x->f.integer);
					put_date(x, ws, row, RS_FIRST, y->first_day);
					put_date(x, ws, row, RS_LAST, y->last_day);
				}
				if (!u->n_resources)
					continue;
				if (u->resources_total > u->n_resources) {
					snprintf(label, sizeof label, "%s (%zu)", _("Other resources"),
						 u->resources_total - u->n_resources);
					resource_cells(x, ws, row++, acc->id, svc->name, u, label,
						       u->resources_other,
						       cr_dec_ratio(u->resources_other, u->cost));
				}
				if (!cr_dec_is_zero(u->no_resource))
					resource_cells(x, ws, row++, acc->id, svc->name, u,
						       _("(no resource id)"), u->no_resource,
						       u->no_resource_share);
			}
		}
	}
	if (row > 1)
		chk(x, worksheet_autofilter(ws, 0, 0, row - 1, RS_NCOLS - 1));
	worksheet_freeze_panes(ws, 1, 0);
}

/* ---- Usage types ---------------------------------------------------- */

static void usage_row(xctx *x, lxw_worksheet *ws, lxw_row_t row, const cr_report_account *a,
		      const cr_report_service *s, const cr_report_usage *u, cr_buf *label)
{
	put_str(x, ws, row, U_ID, a->id, NULL);
	put_str(x, ws, row, U_NAME, a->name, NULL);
	put_str(x, ws, row, U_ENV, a->environment, NULL);
	if (!s->is_other)
		put_num(x, ws, row, U_SRANK, s->rank, x->f.integer);
	cr_buf_reset(label);
	cr_render_service_label(label, s);
	put_str(x, ws, row, U_SERVICE, label->ptr, NULL);
	if (!u) {
		/* a service listed without usage types: its cost on one row */
		put_money(x, ws, row, U_COST, s->cost);
		put_change(x, ws, row, U_PREV, U_CHANGE, U_PCT, s->cost, s->previous_cost);
		put_num(x, ws, row, U_SHARE, s->share, x->f.pct);
		return;
	}
	if (!u->is_other)
		put_num(x, ws, row, U_RANK, u->rank, x->f.integer);
	cr_buf_reset(label);
	cr_render_usage_label(label, u);
	put_str(x, ws, row, U_USAGE, label->ptr, NULL);
	put_money(x, ws, row, U_COST, u->cost);
	put_num(x, ws, row, U_QTY, dec_value(u->quantity), x->f.number);
	put_str(x, ws, row, U_UNIT, u->unit, NULL);
	put_change(x, ws, row, U_PREV, U_CHANGE, U_PCT, u->cost, u->previous_cost);
	put_num(x, ws, row, U_SHARE, u->share, x->f.pct);
}

static void write_usage(xctx *x, lxw_worksheet *ws)
{
	static const char *const head[U_NCOLS] = {
		N_("Account id"), N_("Account name"), N_("Environment"), N_("Service rank"), N_("Service"), N_("Rank"),
		N_("Usage type"), N_("Cost"), N_("Quantity"), N_("Unit"), N_("Previous"), N_("Change"), N_("Change %"),
		N_("Share of account"),
	};
	static const double widths[U_NCOLS] = { 15, 26, 13, 8, 40, 6, 36, 15, 14, 10, 15, 14,
						10, 10 };
	const cr_report *r = x->r;
	lxw_row_t row = 1;
	cr_dec prev = CR_DEC_ZERO, cost = CR_DEC_ZERO, change;
	cr_buf label = CR_BUF_INIT;

	if (sheet_omitted(x, ws, &long_sheets[LONG_USAGE]))
		return;
	set_widths(x, ws, widths, U_NCOLS);
	put_header(x, ws, 0, head, U_NCOLS, U_SRANK);
	for (size_t i = 0; i < r->n_accounts; i++) {
		const cr_report_account *a = &r->accounts[i];
		for (size_t j = 0; j < a->n_services; j++) {
			const cr_report_service *s = &a->services[j];
			if (s->n_usage == 0) {
				usage_row(x, ws, row++, a, s, NULL, &label);
				cr_dec_acc(&cost, s->cost);
				cr_dec_acc(&prev, s->previous_cost);
			}
			for (size_t k = 0; k < s->n_usage; k++) {
				usage_row(x, ws, row++, a, s, &s->usage[k], &label);
				cr_dec_acc(&cost, s->usage[k].cost);
				cr_dec_acc(&prev, s->usage[k].previous_cost);
			}
		}
	}
	cr_buf_release(&label);
	if (row > 1)
		chk(x, worksheet_autofilter(ws, 0, 0, row - 1, U_NCOLS - 1));
	for (lxw_col_t c = 0; c < U_NCOLS; c++)
		put_blank(x, ws, row, c, x->f.t_blank);
	put_str(x, ws, row, U_USAGE, _("Total"), x->f.t_label);
	put_sum_dec(x, ws, row, U_COST, 1, row - 1, cost, x->f.t_money);
	if (r->has_previous && cr_dec_sub(&change, cost, prev) == 0) {
		put_sum_dec(x, ws, row, U_PREV, 1, row - 1, prev, x->f.t_money);
		put_sum_dec(x, ws, row, U_CHANGE, 1, row - 1, change, x->f.t_money);
		put_pct_formula(x, ws, row, U_PCT, U_PREV, U_CHANGE, prev, change, x->f.t_chg_pct);
	}
	worksheet_freeze_panes(ws, 1, 0);
	chk(x, worksheet_ignore_errors(ws, LXW_IGNORE_NUMBER_STORED_AS_TEXT, "A1:A1048576"));
}

/* ---- Savings proposals ---------------------------------------------- */

/* Returns the row of the total; 0 when the sheet is too long to hold the
 * proposals. */
static lxw_row_t write_proposals(xctx *x, lxw_worksheet *ws)
{
	static const char *const head[P_NCOLS] = {
		N_("Rank"), N_("Rule"), N_("Title"), N_("Action"), N_("Account id"), N_("Account name"), N_("Environment"), N_("Service"),
		N_("Usage type"), N_("Monthly cost"), N_("Monthly saving"), N_("Annual saving"), N_("Effort"), N_("Risk"),
		N_("Priority"), N_("Formula"), N_("Evidence"), N_("Reference"), N_("Resources"),
		N_("Counted"),
	};
	static const double widths[P_NCOLS] = { 6, 24, 48, 16, 15, 24, 13, 36, 32, 15, 15, 15, 8,
						8, 9, 50, 50, 40, 50, 9 };
	const cr_report *r = x->r;
	lxw_row_t row = 1;
	cr_dec monthly = CR_DEC_ZERO, annual = CR_DEC_ZERO;
	char ids[LXW_MAX_CELL_RANGE_LENGTH];

	if (sheet_omitted(x, ws, &long_sheets[LONG_PROPOSALS]))
		return 0;
	set_widths(x, ws, widths, P_NCOLS);
	put_header(x, ws, 0, head, P_NCOLS, P_COST);
	/* header cells of the text columns after the numbers align left */
	for (lxw_col_t c = P_EFFORT; c < P_NCOLS; c++)
		if (c != P_PRIORITY)
			put_str(x, ws, 0, c, _(head[c]), x->f.head);
	for (size_t i = 0; i < r->n_proposals; i++, row++) {
		const cr_proposal *p = &r->proposals[i];

		put_num(x, ws, row, P_RANK, p->rank, x->f.integer);
		put_str(x, ws, row, P_RULE, p->rule, NULL);
		put_str(x, ws, row, P_TITLE, p->title, NULL);
		{
			cr_buf a = CR_BUF_INIT;
			put_str(x, ws, row, P_ACTION, cr_render_proposal_action(&a, p), NULL);
			cr_buf_release(&a);
		}
		put_str(x, ws, row, P_ID, p->account_id, NULL);
		put_str(x, ws, row, P_NAME, p->account_name, NULL);
		put_str(x, ws, row, P_ENV, p->environment, NULL);
		put_str(x, ws, row, P_SERVICE, p->service, NULL);
		put_str(x, ws, row, P_USAGE, p->usage_type, NULL);
		put_money(x, ws, row, P_COST, p->monthly_cost);
		put_money(x, ws, row, P_SAVING, p->savings);
		put_money(x, ws, row, P_ANNUAL, p->annual_savings);
		put_str(x, ws, row, P_EFFORT, cr_render_level(p->effort), NULL);
		put_str(x, ws, row, P_RISK, cr_render_level(p->risk), NULL);
		put_num(x, ws, row, P_PRIORITY, cr_render_shown_priority(r, p), x->f.priority);
		put_str(x, ws, row, P_FORMULA, p->formula, NULL);
		put_str(x, ws, row, P_EVIDENCE, p->evidence, NULL);
		put_str(x, ws, row, P_REFERENCE, p->reference, NULL);
		{
			cr_buf res = CR_BUF_INIT;
			cr_render_proposal_resources(&res, r, p, false);
			if (res.len)
				put_str(x, ws, row, P_RESOURCES, res.ptr, NULL);
			cr_buf_release(&res);
		}
		/* 1: measured or priced, in the headline; 0: an estimate */
		put_num(x, ws, row, P_COUNTED, p->counted ? 1 : 0, x->f.integer);
		if (p->counted) {
			cr_dec_acc(&monthly, p->savings);
			cr_dec_acc(&annual, p->annual_savings);
		}
	}
	if (r->n_proposals == 0) {
		put_str(x, ws, row++, P_RANK, r->has_proposals ?
			_("No rule matched spend above its minimum.") :
			_("No savings rules were applied to this report."), x->f.note);
	} else {
		chk(x, worksheet_autofilter(ws, 0, 0, row - 1, P_NCOLS - 1));
	}
	for (lxw_col_t c = 0; c < P_NCOLS; c++)
		put_blank(x, ws, row, c, x->f.t_blank);
	/* the headline counts measured and priced proposals only (Counted 1) */
	put_str(x, ws, row, P_USAGE, _("Total measured and priced (de-duplicated)"), x->f.t_label);
	put_sumif_dec(x, ws, row, P_SAVING, P_COUNTED, 1, row - 1, monthly, x->f.t_money);
	put_sumif_dec(x, ws, row, P_ANNUAL, P_COUNTED, 1, row - 1, annual, x->f.t_money);
	if (r->n_proposals)   /* under the total: how the rows are ordered */
		put_str(x, ws, row + 1, P_RANK, cr_render_proposal_order(), x->f.note);
	worksheet_freeze_panes(ws, 1, 0);
	lxw_rowcol_to_range(ids, 0, P_ID, LXW_ROW_MAX - 1, P_ID);
	chk(x, worksheet_ignore_errors(ws, LXW_IGNORE_NUMBER_STORED_AS_TEXT, ids));
	return row;
}

/* ---- Summary -------------------------------------------------------- */

static void kv_str(xctx *x, lxw_worksheet *ws, lxw_row_t row, const char *key, const char *v)
{
	put_str(x, ws, row, 0, key, x->f.label);
	put_str(x, ws, row, 1, v, NULL);
}

/* A bar chart of `n` rows of the Summary: names in column A, amounts in
 * column D; the first row on top.  Returns the rows it covers, with a gap
 * (charts are 288 pixels high at scale 1, rows 20). */
static lxw_row_t bar_chart(xctx *x, lxw_worksheet *ws, const char *title, lxw_row_t first,
			   size_t n, lxw_row_t at_row, lxw_col_t at_col, lxw_color_t color)
{
	lxw_chart *chart;
	lxw_chart_series *series;
	lxw_chart_fill fill = { .color = color };
	double scale = n > 8 ? 1.1 + 0.05 * (double)(n - 8) : 1.1;
	lxw_chart_options opt = { .x_offset = 10, .y_offset = 4, .x_scale = 1.6,
				  .y_scale = scale };

	if (!n)
		return 0;
	chart = workbook_add_chart(x->wb, LXW_CHART_BAR);
	if (!chart) {
		chk(x, LXW_ERROR_MEMORY_MALLOC_FAILED);
		return 0;
	}
	series = chart_add_series(chart, NULL, NULL);
	if (!series) {
		chk(x, LXW_ERROR_MEMORY_MALLOC_FAILED);
		return 0;
	}
	chart_series_set_categories(series, _("Summary"), first, S_NAME,
				    first + (lxw_row_t)n - 1, S_NAME);
	chart_series_set_values(series, _("Summary"), first, S_TOTAL, first + (lxw_row_t)n - 1,
				S_TOTAL);
	chart_series_set_name(series, title);
	chart_series_set_fill(series, &fill);
	chart_series_set_labels(series);
	chart_series_set_labels_num_format(series, x->money_axis_fmt);
	chart_title_set_name(chart, title);
	chart_legend_set_position(chart, LXW_CHART_LEGEND_NONE);
	chart_axis_set_reverse(chart->x_axis); /* rank 1 on top */
	chart_axis_set_crossing_max(chart->x_axis); /* the amounts stay at the bottom */
	chart_axis_set_num_format(chart->y_axis, x->money_axis_fmt);
	chart_set_series_gap(chart, 60);
	chk(x, worksheet_insert_chart_opt(ws, at_row, at_col, chart, &opt));
	return (lxw_row_t)(288.0 * scale / 20.0) + 3;
}

static void write_summary(xctx *x, lxw_worksheet *ws, lxw_row_t proposals_total_row)
{
	static const char *const acct_head[S_NCOLS] = {
		N_("Account name"), N_("Account id"), N_("Environment"), N_("Total"), N_("Previous"), N_("Change"),
		N_("Change %"), N_("Share of total"), N_("Owner"),
	};
	static const double widths[S_NCOLS] = { 34, 18, 13, 15, 15, 14, 10, 10, 34 };
	const cr_report *r = x->r;
	cr_buf b = CR_BUF_INIT;
	char s[CR_DATE_STRLEN], e[CR_DATE_STRLEN], cell[LXW_MAX_CELL_NAME_LENGTH + 4];
	char formula[LXW_MAX_FORMULA_RANGE_LENGTH + 64];
	lxw_row_t row, total_row, acct_first, acct_total, rec_first, top_first;
	cr_render_change chg;
	size_t ntop, n;

	set_widths(x, ws, widths, S_NCOLS);
	cr_day_format(r->start, s);
	cr_day_format(r->end, e);

	/* title */
	cr_buf_addf(&b, "%s ", _("costrank report"));
	cr_render_period_heading(&b, r);
	put_str(x, ws, 0, 0, b.ptr, x->f.title);
	cr_buf_reset(&b);
	cr_buf_addf(&b, _("%s to %s"), s, e);
	cr_buf_adds(&b, " \xC2\xB7 ");
	cr_buf_addf(&b, _("%s cost"), _(cr_metric_name(r->metric)));
	cr_buf_adds(&b, " \xC2\xB7 ");
	cr_render_clean(&b, r->currency, 0);
	put_str(x, ws, 1, 0, b.ptr, x->f.subtitle);

	/* the period and the source */
	row = 3;
	put_str(x, ws, row, 0, _("Period start"), x->f.label);
	put_date(x, ws, row++, 1, r->start);
	put_str(x, ws, row, 0, _("Period end"), x->f.label);
	put_date(x, ws, row++, 1, r->end);
	cr_buf_reset(&b);
	if (r->has_previous) {
		cr_day_format(r->prev_start, s);
		cr_day_format(r->prev_end, e);
		cr_buf_addf(&b, _("%s to %s"), s, e);
	} else {
		cr_buf_adds(&b, _("not covered by the data"));
	}
	kv_str(x, ws, row++, _("Previous period"), b.ptr);
	if (cr_fx_active(r)) {
		cr_buf_reset(&b);
		cr_buf_addf(&b, _("%s (converted; billed in "), r->fx.code);
		cr_render_clean(&b, r->currency, 8);
		cr_buf_adds(&b, ")");
		kv_str(x, ws, row++, _("Currency"), b.ptr);
	} else {
		kv_str(x, ws, row++, _("Currency"), r->currency);
	}
	kv_str(x, ws, row++, _("Metric"), _(cr_metric_name(r->metric)));
	kv_str(x, ws, row++, _("Source"), r->source_kind);
	put_str(x, ws, row, 0, _("Source files"), x->f.label);
	put_num(x, ws, row++, 1, (double)r->n_files, x->f.integer);

	/* headline figures: formulas over the accounts table below */
	total_row = row;
	row += 4;
	put_str(x, ws, row, 0, _("Paid API requests"), x->f.label);
	put_num(x, ws, row, 1, (double)r->paid_requests, x->f.integer);
	cr_buf_reset(&b);
	if (r->cached_requests)
		cr_buf_addf(&b, _("%ld more answered from the cache"), r->cached_requests);
	else if (r->paid_requests == 0 && r->n_files)
		cr_buf_adds(&b, _("billing files: nothing to pay for"));
	put_str(x, ws, row++, 2, b.ptr, x->f.note);
	put_str(x, ws, row, 0, _("Data through"), x->f.label);
	put_date(x, ws, row, 1, r->data_through ? r->data_through : r->end);
	put_str(x, ws, row++, 2, r->data_through ? _("the latest day in the data") :
		_("the end of the period (the latest day in the data is not known)"), x->f.note);
	if (r->estimated || r->partial) {
		put_str(x, ws, row, 0, _("Figures"), x->f.label);
		put_str(x, ws, row++, 1, r->partial ? _("partial: a failed pull's data was kept") :
			_("estimated: the source marks them as not final"), NULL);
	}
	put_str(x, ws, row, 0, _("Savings proposed a month"), x->f.label);
	if (r->has_proposals && !proposals_total_row) {
		/* the proposals sheet is too long to hold them */
		put_money(x, ws, row, 1, r->savings_total);
		put_str(x, ws, row++, 2, _("measured and priced, de-duplicated: estimates and "
					   "alternatives are never added"), x->f.note);
	} else if (r->has_proposals) {
		lxw_rowcol_to_cell(cell, proposals_total_row, P_SAVING);
		snprintf(formula, sizeof formula, "='%s'!%s", _("Savings proposals"), cell);
		put_formula(x, ws, row, 1, formula, money_value(x, r->savings_total), x->f.money);
		put_str(x, ws, row++, 2, _("measured and priced, de-duplicated: estimates and "
					   "alternatives are never added"), x->f.note);
	} else {
		put_str(x, ws, row++, 1, _("no savings rules applied"), NULL);
	}
	if (cr_fx_active(r)) {
		/* --fx: every amount is converted; the billed total as billed */
		cr_buf_reset(&b);
		cr_buf_adds(&b, _("Total as billed"));
		put_str(x, ws, row, 0, b.ptr, x->f.label);
		cr_buf_reset(&b);
		cr_render_money(&b, r->currency, r->total, false);
		put_str(x, ws, row, 1, b.ptr, NULL);
		cr_buf_reset(&b);
		cr_fx_basis(&b, r);
		put_str(x, ws, row++, 2, b.ptr, x->f.note);
	}

	/* the reconciliation */
	row++;
	put_str(x, ws, row, 0, _("Reconciliation"), x->f.head);
	put_str(x, ws, row, 1, _("Amount"), x->f.head_num);
	put_str(x, ws, row++, 2, _(""), x->f.head);
	rec_first = row;
	put_str(x, ws, row, 0, _("Ranked"), NULL);
	put_money(x, ws, row, 1, r->recon.ranked);
	put_str(x, ws, row++, 2, _("the total of the accounts below"), x->f.note);
	for (int i = 0; i < CR_EXCL_COUNT; i++, row++) {
		const char *name = cr_excluded_name((enum cr_excluded)i);
		cr_buf_reset(&b);
		cr_buf_addc(&b, (char)(name[0] - 'a' + 'A'));
		cr_buf_adds(&b, name + 1);
		/* "Credits", "Refunds", "Tax" are in the catalogue (N_ in markdown.c) */
		put_str(x, ws, row, 0, _(b.ptr), NULL);
		put_money(x, ws, row, 1, r->recon.excluded[i]);
		cr_buf_reset(&b);
		if (r->recon.included[i]) {
			cr_buf_adds(&b, _("ranked (--include): "));
			cr_render_amount(&b, r, r->recon.included_amount[i], false);
			cr_buf_adds(&b, _(" of it is in the accounts"));
		} else {
			cr_buf_adds(&b, _("kept out of the ranking"));
		}
		put_str(x, ws, row, 2, b.ptr, x->f.note);
	}
	put_str(x, ws, row, 0, _("Grand total (billed)"), x->f.t_label);
	put_sum_dec(x, ws, row, 1, rec_first, row - 1, r->recon.grand_total, x->f.t_money);
	put_str(x, ws, row++, 2, _("every row of the period"), x->f.note);

	/* the accounts */
	row++;
	put_header(x, ws, row, acct_head, S_NCOLS, S_TOTAL);
	put_str(x, ws, row, S_OWNER, _(acct_head[S_OWNER]), x->f.head);
	acct_first = ++row;
	for (size_t i = 0; i < r->n_accounts; i++, row++) {
		const cr_report_account *a = &r->accounts[i];
		cr_buf_reset(&b);
		cr_render_clean(&b, a->name && *a->name ? a->name : a->id, 0);
		put_str(x, ws, row, S_NAME, b.ptr, NULL);
		put_str(x, ws, row, S_ID, a->id, NULL);
		put_str(x, ws, row, S_ENV, a->environment, NULL);
		put_money(x, ws, row, S_TOTAL, a->total);
		put_change(x, ws, row, S_PREV, S_CHANGE, S_PCT, a->total, a->previous_total);
		put_num(x, ws, row, S_SHARE, a->share, x->f.pct);
		put_str(x, ws, row, S_OWNER, a->owner, NULL);
	}
	acct_total = row;
	if (r->n_accounts)
		chk(x, worksheet_autofilter(ws, acct_first - 1, 0, acct_total - 1, S_NCOLS - 1));
	for (lxw_col_t c = 0; c < S_NCOLS; c++)
		put_blank(x, ws, row, c, x->f.t_blank);
	put_str(x, ws, row, S_NAME, _("Total"), x->f.t_label);
	put_sum_dec(x, ws, row, S_TOTAL, acct_first, row - 1, r->total, x->f.t_money);
	cr_render_change_of(r, r->total, r->previous_total, &chg);
	if (chg.known) {
		put_sum_dec(x, ws, row, S_PREV, acct_first, row - 1, r->previous_total, x->f.t_money);
		put_sum_dec(x, ws, row, S_CHANGE, acct_first, row - 1, chg.diff, x->f.t_money);
		put_pct_formula(x, ws, row, S_PCT, S_PREV, S_CHANGE, r->previous_total, chg.diff,
				x->f.t_chg_pct);
	}
	{
		double share = 0;
		for (size_t i = 0; i < r->n_accounts; i++)
			share += r->accounts[i].share;
		put_sum(x, ws, row, S_SHARE, acct_first, row - 1, share, x->f.t_pct);
	}
	row++;

	/* the headline figures, now that the total row is known */
	put_str(x, ws, total_row, 0, _("Total (ranked)"), x->f.label);
	lxw_rowcol_to_cell(cell, acct_total, S_TOTAL);
	snprintf(formula, sizeof formula, "=%s", cell);
	put_formula(x, ws, total_row, 1, formula, money_value(x, r->total), x->f.money);
	put_str(x, ws, total_row + 1, 0, _("Previous total"), x->f.label);
	put_str(x, ws, total_row + 2, 0, _("Change"), x->f.label);
	put_str(x, ws, total_row + 3, 0, _("Change %"), x->f.label);
	if (chg.known) {
		char t[LXW_MAX_CELL_NAME_LENGTH + 4], p[LXW_MAX_CELL_NAME_LENGTH + 4];
		lxw_rowcol_to_cell(cell, acct_total, S_PREV);
		snprintf(formula, sizeof formula, "=%s", cell);
		put_formula(x, ws, total_row + 1, 1, formula, money_value(x, r->previous_total),
			    x->f.money);
		lxw_rowcol_to_cell(t, total_row, 1);
		lxw_rowcol_to_cell(p, total_row + 1, 1);
		snprintf(formula, sizeof formula, "=%s-%s", t, p);
		put_formula(x, ws, total_row + 2, 1, formula, money_value(x, chg.diff), x->f.money);
		if (chg.has_pct) {
			/* the percentage of the two cells above */
			lxw_rowcol_to_cell(t, total_row + 2, 1);
			snprintf(formula, sizeof formula, "=IF(%s=0,\"\",%s/ABS(%s))", p, t, p);
			put_formula(x, ws, total_row + 3, 1, formula, chg.pct / 100.0,
				    x->f.chg_pct);
		}
		cr_buf_reset(&b);
		cr_buf_adds(&b, _("vs "));
		cr_render_prev_label(&b, r);
		put_str(x, ws, total_row + 1, 2, b.ptr, x->f.note);
	} else {
		put_str(x, ws, total_row + 1, 1, _("no previous period in the data"), NULL);
	}

	/* the top services across accounts: the data of the second chart */
	ntop = r->n_services < TOP_SERVICES ? r->n_services : TOP_SERVICES;
	row++;
	put_str(x, ws, row, S_NAME, _("Top services, all accounts"), x->f.head);
	put_str(x, ws, row, S_ID, _("Accounts"), x->f.head_num);
	put_str(x, ws, row, S_ENV, _(""), x->f.head);
	put_str(x, ws, row, S_TOTAL, _("Cost"), x->f.head_num);
	put_str(x, ws, row, S_PREV, _("Previous"), x->f.head_num);
	put_str(x, ws, row, S_CHANGE, _("Change"), x->f.head_num);
	put_str(x, ws, row++, S_PCT, _("Change %"), x->f.head_num);
	top_first = row;
	for (size_t i = 0; i < ntop; i++, row++) {
		const cr_report_org_service *sv = &r->services[i];

		put_str(x, ws, row, S_NAME, sv->name, NULL);
		put_num(x, ws, row, S_ID, (double)sv->accounts, x->f.integer);
		put_money(x, ws, row, S_TOTAL, sv->cost);
		put_change(x, ws, row, S_PREV, S_CHANGE, S_PCT, sv->cost, sv->previous_cost);
	}
	put_str(x, ws, row++, S_NAME, _("Each service's whole cost over every account; Accounts: "
		"the accounts with a cost for it."), x->f.note);

	/* notes */
	if (r->n_warnings) {
		row++;
		put_str(x, ws, row++, 0, _("Notes"), x->f.head);
		for (size_t i = 0; i < r->n_warnings; i++)
			put_str(x, ws, row++, 0, r->warnings[i], NULL);
	}

	/* the charts, right of the tables */
	n = r->n_accounts < CHART_ACCOUNTS ? r->n_accounts : CHART_ACCOUNTS;
	cr_buf_reset(&b);
	cr_buf_adds(&b, _("Spend by account"));
	if (n < r->n_accounts)
		cr_buf_addf(&b, _(" (top %zu)"), n);
	row = 3;
	row += bar_chart(x, ws, b.ptr, acct_first, n, row, S_NCOLS + 1, 0x4472C4);
	bar_chart(x, ws, _("Top services, all accounts"), top_first, ntop, row, S_NCOLS + 1,
		  0x2E8B57);

	cr_buf_release(&b);
	worksheet_freeze_panes(ws, 2, 0);
	chk(x, worksheet_ignore_errors(ws, LXW_IGNORE_NUMBER_STORED_AS_TEXT, "A1:I1048576"));
	worksheet_activate(ws);
}

/* ---- the workbook --------------------------------------------------- */

static void set_properties(xctx *x, cr_buf *title, cr_buf *keywords, cr_buf *comments)
{
	const cr_report *r = x->r;
	lxw_doc_properties p = { 0 };
	time_t now = time(NULL), end = (time_t)(r->end + 1) * SECONDS_PER_DAY;

	cr_buf_adds(title, "costrank report ");
	cr_render_clean(title, r->period_label, 0);
	cr_buf_adds(keywords, "costrank, FinOps, cloud cost, ");
	cr_render_clean(keywords, r->period_label, 0);
	cr_buf_addf(comments, "%s cost in ", cr_metric_name(r->metric));
	cr_render_clean(comments, r->currency, 0);
	cr_buf_adds(comments, ", ranked per account from ");
	cr_render_clean(comments, r->source_kind, 0);
	cr_buf_adds(comments, " billing data");
	p.title = title->ptr;
	p.subject = title->ptr + strlen("costrank report ");
	p.author = "costrank";
	p.company = "costrank";
	p.keywords = keywords->ptr;
	p.comments = comments->ptr;
	p.created = end < now ? end : now;
	chk(x, workbook_set_properties(x->wb, &p));
}

/*
 * Closes (writes out) the workbook with standard error sent to /dev/null:
 * libxlsxwriter reports a failed write there itself, in several lines,
 * before returning the error that becomes our one-line message.  Returns
 * its error and the errno of the failure in *errnum.
 */
static lxw_error close_quietly(lxw_workbook *wb, int *errnum)
{
	int saved, null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	lxw_error e;

	fflush(stderr);
	saved = null >= 0 ? fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3) : -1;
	if (saved >= 0)
		dup2(null, STDERR_FILENO);
	errno = 0;
	e = workbook_close(wb);
	*errnum = errno;
	if (saved >= 0) {
		fflush(stderr);
		dup2(saved, STDERR_FILENO);
		close(saved);
	}
	if (null >= 0)
		close(null);
	return e;
}

/* Builds the workbook in the file at path; 0 or -1 with err set. */
/* The Trend sheet (report.h cr_report_trend): a row a month-series for the
 * organisation, each account, then each listed service, and a line chart
 * of the organisation and the top accounts. */
#define TREND_CHART_ACCOUNTS 5
static void write_trend(xctx *x, lxw_worksheet *ws)
{
	static const char *const head[] = { N_("Scope"), N_("Account"), N_("Account ID"),
					    N_("Service") };
	const cr_report *r = x->r;
	const cr_report_trend *t = &r->trend;
	size_t nm = t->n_months, na = r->n_accounts;
	size_t nchart = na < TREND_CHART_ACCOUNTS ? na : TREND_CHART_ACCOUNTS;
	const double widths[] = { 14, 28, 16, 36 };
	lxw_row_t row = 1;
	lxw_chart *chart;
	lxw_chart_options opt = { .x_offset = 10, .y_offset = 10, .x_scale = 1.6, .y_scale = 1.3 };
	char m[CR_DATE_STRLEN];

	put_header(x, ws, 0, head, 4, 4);
	set_widths(x, ws, widths, 4);
	chk(x, worksheet_set_column(ws, 4, (lxw_col_t)(3 + nm), 14, NULL));
	for (size_t k = 0; k < nm; k++) {
		cr_day_format(t->months[k], m);
		m[7] = '\0';
		put_str(x, ws, 0, (lxw_col_t)(4 + k), m, x->f.head_num);
	}
	/* the scope column: what a row sums (a filter value, in the report's language) */
	put_str(x, ws, row, 0, _("organisation"), x->f.text);
	for (size_t k = 0; k < nm; k++)
		put_money(x, ws, row, (lxw_col_t)(4 + k), t->total[k]);
	row++;
	for (size_t i = 0; i < na; i++, row++) {
		put_str(x, ws, row, 0, _("account"), x->f.text);
		put_str(x, ws, row, 1, r->accounts[i].name, x->f.text);
		put_str(x, ws, row, 2, r->accounts[i].id, x->f.text);
		for (size_t k = 0; k < nm; k++)
			put_money(x, ws, row, (lxw_col_t)(4 + k), t->accounts[i * nm + k]);
	}
	for (size_t i = 0; i < na; i++) {
		for (size_t j = 0; j < r->accounts[i].n_services; j++, row++) {
			put_str(x, ws, row, 0, _("service"), x->f.text);
			put_str(x, ws, row, 1, r->accounts[i].name, x->f.text);
			put_str(x, ws, row, 2, r->accounts[i].id, x->f.text);
			put_str(x, ws, row, 3, r->accounts[i].services[j].name, x->f.text);
			for (size_t k = 0; k < nm; k++)
				put_money(x, ws, row, (lxw_col_t)(4 + k),
					  t->services[i][j * nm + k]);
		}
	}
	worksheet_freeze_panes(ws, 1, 4);

	chart = workbook_add_chart(x->wb, LXW_CHART_LINE);
	if (!chart) {
		chk(x, LXW_ERROR_MEMORY_MALLOC_FAILED);
		return;
	}
	for (size_t i = 0; i <= nchart; i++) {
		lxw_chart_series *series = chart_add_series(chart, NULL, NULL);
		lxw_row_t sr = (lxw_row_t)(1 + i);

		if (!series) {
			chk(x, LXW_ERROR_MEMORY_MALLOC_FAILED);
			return;
		}
		chart_series_set_categories(series, _("Trend"), 0, 4, 0, (lxw_col_t)(3 + nm));
		chart_series_set_values(series, _("Trend"), sr, 4, sr, (lxw_col_t)(3 + nm));
		chart_series_set_name_range(series, _("Trend"), sr, i ? 1 : 0);
		chart_series_set_marker_type(series, LXW_CHART_MARKER_AUTOMATIC);
	}
	chart_title_set_name(chart, _("Trend by month"));
	chart_legend_set_position(chart, LXW_CHART_LEGEND_BOTTOM);
	chart_axis_set_num_format(chart->y_axis, x->money_axis_fmt);
	chk(x, worksheet_insert_chart_opt(ws, row + 1, 1, chart, &opt));
}

/* ---- the monthly loop: realised savings, drivers, anomalies ------------ */

enum { R_RANK, R_RULE, R_STATUS, R_ID, R_NAME, R_SERVICE, R_USAGE, R_TARGET, R_ON,
       R_PROPOSED, R_PERIOD, R_BASE, R_EXPECTED, R_CURRENT, R_GROWTH, R_REALISED,
       R_REMAINING, R_NCOLS };

/* The headline, the detail, then every proposal of the baseline (header
 * on row 3) and the commitments bought. */
static void write_realised(xctx *x, lxw_worksheet *ws)
{
	static const char *const head[R_NCOLS] = {
		N_("Rank"), N_("Rule"), N_("Status"), N_("Account id"), N_("Account name"),
		N_("Service"), N_("Usage type"), N_("Target usage type"), N_("Measured on"),
		N_("Monthly saving"), N_("Proposed"), N_("Baseline cost"), N_("Expected cost"),
		N_("Current cost"), N_("Target growth"), N_("Realised"), N_("Remaining"),
	};
	static const double widths[R_NCOLS] = { 6, 24, 12, 15, 24, 36, 32, 24, 14, 15, 15, 15,
						15, 15, 15, 15, 15 };
	const cr_report_realised *re = x->r->realised;
	lxw_row_t row = 0;

	set_widths(x, ws, widths, R_NCOLS);
	{
		cr_buf b = CR_BUF_INIT;

		cr_render_realised_headline(&b, x->r);
		put_str(x, ws, row++, 0, b.ptr, x->f.title);
		cr_buf_reset(&b);
		cr_render_realised_detail(&b, x->r);
		put_str(x, ws, row++, 0, b.ptr, x->f.note);
		cr_buf_release(&b);
	}
	row++;
	put_header(x, ws, row, head, R_NCOLS, R_PROPOSED);
	chk(x, worksheet_autofilter(ws, row, 0, row + (lxw_row_t)re->n_items, R_NCOLS - 1));
	worksheet_freeze_panes(ws, row + 1, 0);
	row++;
	for (size_t i = 0; i < re->n_items; i++, row++) {
		const cr_realised_item *it = &re->items[i];

		if (it->baseline_rank)
			put_num(x, ws, row, R_RANK, it->baseline_rank, x->f.integer);
		put_str(x, ws, row, R_RULE, it->rule, NULL);
		put_str(x, ws, row, R_STATUS, cr_render_status(it->status), NULL);
		put_str(x, ws, row, R_ID, it->account_id, NULL);
		put_str(x, ws, row, R_NAME, it->account_name, NULL);
		put_str(x, ws, row, R_SERVICE, it->service, NULL);
		put_str(x, ws, row, R_USAGE, it->usage_type, NULL);
		put_str(x, ws, row, R_TARGET, it->target_usage_type, NULL);
		put_str(x, ws, row, R_ON, it->weekend ? _("weekend days") : _("all days"), NULL);
		put_money(x, ws, row, R_PROPOSED, it->proposed);
		put_money(x, ws, row, R_PERIOD, it->proposed_period);
		put_money(x, ws, row, R_BASE, it->baseline_cost);
		put_money(x, ws, row, R_EXPECTED, it->expected_cost);
		put_money(x, ws, row, R_CURRENT, it->current_cost);
		put_money(x, ws, row, R_GROWTH, it->target_growth);
		put_money(x, ws, row, R_REALISED, it->realised);
		put_money(x, ws, row, R_REMAINING, it->remaining);
	}
	/* the totals as the report states them */
	for (lxw_col_t c = 0; c < R_NCOLS; c++)
		put_blank(x, ws, row, c, x->f.t_blank);
	put_str(x, ws, row, R_USAGE, _("Total"), x->f.t_label);
	put_num(x, ws, row, R_PROPOSED, money_value(x, re->proposed), x->f.t_money);
	put_num(x, ws, row, R_PERIOD, money_value(x, re->proposed_period), x->f.t_money);
	put_num(x, ws, row, R_REALISED, money_value(x, re->realised), x->f.t_money);
	put_num(x, ws, row, R_REMAINING, money_value(x, re->remaining), x->f.t_money);
	row += 2;
	for (size_t i = 0; i < re->n_commitments; i++, row++) {
		const cr_realised_commitment *m = &re->commitments[i];

		put_str(x, ws, row, R_RULE, _("commitment bought: "), x->f.label);
		put_str(x, ws, row, R_ID, m->account_id, NULL);
		put_str(x, ws, row, R_NAME, cr_render_account_name(x->r, m->account_id), NULL);
		put_str(x, ws, row, R_SERVICE, m->service, NULL);
		put_str(x, ws, row, R_USAGE, m->usage_type, NULL);
		put_money(x, ws, row, R_CURRENT, m->cost);
	}
	chk(x, worksheet_ignore_errors(ws, LXW_IGNORE_NUMBER_STORED_AS_TEXT, "D1:D1048576"));
}

/* A list sheet's end: a filter over its rows (row 0 the header), the header
 * frozen, and the account id column (text of digits) left unflagged. */
static void finish_list(xctx *x, lxw_worksheet *ws, lxw_row_t end, lxw_col_t ncols,
			const char *id_range)
{
	if (end > 1)
		chk(x, worksheet_autofilter(ws, 0, 0, end - 1, ncols - 1));
	worksheet_freeze_panes(ws, 1, 0);
	chk(x, worksheet_ignore_errors(ws, LXW_IGNORE_NUMBER_STORED_AS_TEXT, id_range));
}

enum { D_ID, D_NAME, D_SERVICE, D_PREV, D_COST, D_CHANGE, D_USAGE, D_RATE, D_DISC, D_OTHER,
       D_MOVERS, D_NCOLS };

/* Every account and service's change split by its drivers, as the JSON. */
static void write_drivers(xctx *x, lxw_worksheet *ws)
{
	static const char *const head[D_NCOLS] = {
		N_("Account id"), N_("Account name"), N_("Service"), N_("Previous cost"), N_("Cost"),
		N_("Change"), N_("Usage"), N_("Rate"), N_("Discounts"), N_("Other"),
		N_("Top movers"),
	};
	static const double widths[D_NCOLS] = { 15, 24, 36, 15, 15, 15, 15, 15, 15, 15, 80 };
	const cr_report *r = x->r;
	lxw_row_t row = 1;
	cr_buf b = CR_BUF_INIT;

	set_widths(x, ws, widths, D_NCOLS);
	put_header(x, ws, 0, head, D_NCOLS, D_PREV);
	put_str(x, ws, 0, D_MOVERS, _(head[D_MOVERS]), x->f.head);
	for (size_t i = 0; i < r->n_drivers; i++, row++) {
		const cr_report_driver *d = &r->drivers[i];

		put_str(x, ws, row, D_ID, d->account_id, NULL);
		put_str(x, ws, row, D_NAME, cr_render_account_name(r, d->account_id), NULL);
		put_str(x, ws, row, D_SERVICE, d->service, NULL);
		put_money(x, ws, row, D_PREV, d->previous_cost);
		put_money(x, ws, row, D_COST, d->cost);
		put_money(x, ws, row, D_CHANGE, d->change);
		put_money(x, ws, row, D_USAGE, d->usage);
		put_money(x, ws, row, D_RATE, d->rate);
		put_money(x, ws, row, D_DISC, d->discounts);
		put_money(x, ws, row, D_OTHER, d->other);
		cr_buf_reset(&b);
		cr_render_movers(&b, r, d);
		put_str(x, ws, row, D_MOVERS, b.ptr, NULL);
	}
	finish_list(x, ws, row, D_NCOLS, "A1:A1048576");
	cr_buf_release(&b);
}

enum { Y_DAY, Y_ID, Y_NAME, Y_SERVICE, Y_COST, Y_MEDIAN, Y_EXCESS, Y_USAGE, Y_NCOLS };

/* Every anomaly: spikes by day (a date), then new usage types. */
static void write_anomalies(xctx *x, lxw_worksheet *ws)
{
	static const char *const head[Y_NCOLS] = {
		N_("Day"), N_("Account id"), N_("Account name"), N_("Service"), N_("Cost"),
		N_("Median"), N_("Excess"), N_("Usage types"),
	};
	static const double widths[Y_NCOLS] = { 16, 15, 24, 36, 15, 15, 15, 60 };
	const cr_report *r = x->r;
	lxw_row_t row = 1;
	cr_buf b = CR_BUF_INIT;

	set_widths(x, ws, widths, Y_NCOLS);
	put_header(x, ws, 0, head, Y_NCOLS, Y_COST);
	put_str(x, ws, 0, Y_USAGE, _(head[Y_USAGE]), x->f.head);
	for (size_t i = 0; i < r->n_anomalies; i++, row++) {
		const cr_report_anomaly *a = &r->anomalies[i];

		if (a->is_new_usage) {
			put_str(x, ws, row, Y_DAY, _("new usage type"), NULL);
		} else {
			put_date(x, ws, row, Y_DAY, a->day);
			put_money(x, ws, row, Y_MEDIAN, a->baseline);
		}
		put_str(x, ws, row, Y_ID, a->account_id, NULL);
		put_str(x, ws, row, Y_NAME, a->account_name, NULL);
		put_str(x, ws, row, Y_SERVICE, a->service, NULL);
		put_money(x, ws, row, Y_COST, a->cost);
		put_money(x, ws, row, Y_EXCESS, a->excess);
		cr_buf_reset(&b);
		cr_render_anomaly_usage(&b, r, a);
		put_str(x, ws, row, Y_USAGE, b.ptr, NULL);
	}
	finish_list(x, ws, row, Y_NCOLS, "B1:B1048576");
	cr_buf_release(&b);
}

/* Adds the sheet `name` and writes it with fn. */
static void loop_sheet(xctx *x, const char *name, void (*fn)(xctx *, lxw_worksheet *))
{
	lxw_worksheet *ws = workbook_add_worksheet(x->wb, name);

	if (ws)
		fn(x, ws);
	else
		chk(x, LXW_ERROR_MEMORY_MALLOC_FAILED);
}

/* The Commitments sheet: the existing commitments as measure / value rows,
 * then the Savings Plans sized on the hourly spend. */
static void write_commitments(xctx *x, lxw_worksheet *ws)
{
	static const char *const head[] = { N_("Measure"), N_("Value") };
	static const char *const plan_head[] = { N_("Savings Plan for"), N_("Method"),
						 N_("Discount"), N_("Discount source"),
						 N_("Commitment/h"), N_("Unused netted"),
						 N_("Covered on-demand"), N_("Saving") };
	const cr_report *r = x->r;
	const cr_report_commitments *c = &r->commitments;
	const double widths[] = { 46, 16, 12, 16, 14, 14, 18, 14 };
	cr_render_crow rows[CR_RENDER_CROWS];
	size_t n = cr_render_commitment_rows(r, rows);
	lxw_row_t row = 1;

	put_header(x, ws, 0, head, 2, 1);
	set_widths(x, ws, widths, 8);
	for (size_t i = 0; i < n; i++, row++) {
		put_str(x, ws, row, 0, rows[i].label, x->f.label);
		if (!rows[i].is_share)
			put_money(x, ws, row, 1, rows[i].amount);
		else if (rows[i].share >= 0)
			put_num(x, ws, row, 1, rows[i].share, x->f.pct);
		else
			put_str(x, ws, row, 1, "\xE2\x80\x94", x->f.text);
	}
	if (!c->n_plans)
		return;
	row++;
	put_header(x, ws, row++, plan_head, 8, 2);
	for (size_t i = 0; i < c->n_plans; i++, row++) {
		const cr_report_sp_plan *p = &c->plans[i];

		put_str(x, ws, row, 0, cr_render_plan_platform(p), x->f.text);
		put_str(x, ws, row, 1, cr_render_plan_method(p), x->f.text);
		put_num(x, ws, row, 2, p->discount, x->f.pct);
		put_str(x, ws, row, 3, cr_render_plan_discount(p), x->f.text);
		put_money(x, ws, row, 4, p->commitment);
		put_money(x, ws, row, 5, p->unused_netted);
		put_money(x, ws, row, 6, p->covered);
		put_money(x, ws, row, 7, p->savings);
	}
}

static int build(const cr_report *r, const char *path, const char *tmpdir, cr_error *err)
{
	lxw_workbook_options wo = { .tmpdir = (char *)tmpdir };
	xctx x = { .r = r };
	lxw_worksheet *summary, *services, *usage, *proposals, *allocation = NULL;
	lxw_row_t ptotal;
	cr_buf title = CR_BUF_INIT, keywords = CR_BUF_INIT, comments = CR_BUF_INIT;
	lxw_error closed;
	int errnum;

	x.wb = workbook_new_opt(path, &wo);
	if (!x.wb)
		return cr_error_set(err, CR_EXIT_INTERNAL, "cannot create the Excel workbook: %s",
				    lxw_strerror(LXW_ERROR_MEMORY_MALLOC_FAILED));
	make_formats(&x);
	summary = workbook_add_worksheet(x.wb, _("Summary"));
	services = workbook_add_worksheet(x.wb, _("Services"));
	usage = workbook_add_worksheet(x.wb, _("Usage types"));
	if (r->n_allocations && !(allocation = workbook_add_worksheet(x.wb, _("Allocation"))))
		chk(&x, LXW_ERROR_MEMORY_MALLOC_FAILED);
	proposals = workbook_add_worksheet(x.wb, _("Savings proposals"));
	if (!summary || !services || !usage || !proposals) {
		chk(&x, LXW_ERROR_MEMORY_MALLOC_FAILED);
	} else {
		set_properties(&x, &title, &keywords, &comments);
		write_services(&x, services);
		write_usage(&x, usage);
		if (allocation)
			write_allocation(&x, allocation);
		ptotal = write_proposals(&x, proposals);
		write_summary(&x, summary, ptotal);
		if (r->trend.n_months) {
			lxw_worksheet *trend = workbook_add_worksheet(x.wb, _("Trend"));

			if (trend)
				write_trend(&x, trend);
			else
				chk(&x, LXW_ERROR_MEMORY_MALLOC_FAILED);
		}
		if (r->commitments.present) {
			lxw_worksheet *cw = workbook_add_worksheet(x.wb, _("Commitments"));

			if (cw)
				write_commitments(&x, cw);
			else
				chk(&x, LXW_ERROR_MEMORY_MALLOC_FAILED);
		}
		if (r->realised)
			loop_sheet(&x, _("Realised savings"), write_realised);
		if (r->has_previous && r->n_drivers)
			loop_sheet(&x, _("What drove the change"), write_drivers);
		if (r->has_anomalies && r->n_anomalies)
			loop_sheet(&x, _("Anomalies"), write_anomalies);
		if (cr_report_lists_resources(r)) {
			lxw_worksheet *res = workbook_add_worksheet(x.wb, _("Resources"));

			if (res)
				write_resources(&x, res);
			else
				chk(&x, LXW_ERROR_MEMORY_MALLOC_FAILED);
		}
	}
	/* closing writes the file and frees the workbook, on every path */
	closed = close_quietly(x.wb, &errnum);
	cr_buf_release(&title);
	cr_buf_release(&keywords);
	cr_buf_release(&comments);
	cr_buf_release(&x.tmp);
	if (x.out_of_range)
		return cr_error_set(err, CR_EXIT_USAGE, "--fx %s: an amount converted at this rate "
				    "is out of range", r->fx.code);
	if (x.too_many_rows)
		return cr_error_set(err, CR_EXIT_OUTPUT, "cannot write the Excel workbook: "
				    "more rows than a worksheet holds (%d)", LXW_ROW_MAX);
	chk(&x, closed);
	if (closed != LXW_NO_ERROR && errnum && x.lerr != LXW_ERROR_MEMORY_MALLOC_FAILED)
		return cr_error_errno(err, CR_EXIT_OUTPUT, errnum, "cannot write the Excel "
				      "workbook (assembled in %s)", tmpdir);
	if (x.lerr != LXW_NO_ERROR)
		return cr_error_set(err, x.lerr == LXW_ERROR_MEMORY_MALLOC_FAILED ?
				    CR_EXIT_INTERNAL : CR_EXIT_OUTPUT,
				    "cannot write the Excel workbook: %s", lxw_strerror(x.lerr));
	return 0;
}

/* Copies the file open at fd (from its start) into out. */
static int copy_out(int fd, FILE *out, cr_error *err)
{
	char buf[65536];
	off_t off = 0;

	for (;;) {
		ssize_t n = pread(fd, buf, sizeof buf, off);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return cr_error_errno(err, CR_EXIT_OUTPUT, errno,
					      "cannot read the Excel workbook back");
		}
		if (n == 0)
			break;
		/* a short write leaves the error on the stream for the caller */
		if (fwrite(buf, 1, (size_t)n, out) != (size_t)n)
			break;
		off += n;
	}
	if (off == 0 && !ferror(out))
		return cr_error_set(err, CR_EXIT_OUTPUT, "cannot write the Excel workbook: "
				    "the temporary file is empty");
	return 0;
}

int cr_write_xlsx(const cr_report *r, FILE *out, const cr_write_opts *o, cr_error *err)
{
	const char *dir = o && o->tmpdir && *o->tmpdir ? o->tmpdir : getenv("TMPDIR");
	cr_buf path = CR_BUF_INIT;
	int fd, rc, slot = -1;

	if (!dir || !*dir)
		dir = "/tmp";
	cr_buf_adds(&path, dir);
	if (path.ptr[path.len - 1] != '/')
		cr_buf_addc(&path, '/');
	cr_buf_adds(&path, ".costrank-xlsx.tmp.XXXXXX");
	fd = cr_tmp_mkstemp(path.ptr, &slot);
	if (fd < 0) {
		rc = cr_error_errno(err, CR_EXIT_OUTPUT, errno,
				    "cannot create a temporary file in %s for the Excel workbook",
				    dir);
		cr_buf_release(&path);
		return rc;
	}
	rc = build(r, path.ptr, dir, err);
	/* the name goes first; the open descriptor still reads the bytes */
	unlink(path.ptr);
	cr_tmp_forget(slot);
	if (rc == 0)
		rc = copy_out(fd, out, err);
	close(fd);
	cr_buf_release(&path);
	return rc;
}
