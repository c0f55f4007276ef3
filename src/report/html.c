/* html.c - the HTML report (see costrank/writer.h)
 *
 * One self-contained page: inline CSS (with a print stylesheet), inline SVG
 * charts, no scripts, fonts, images or links to anything outside the file.
 *   header     title, period, metric, currency, source
 *   Summary    the headline figures (id="total", "previous-total",
 *              "change", "grand-total", "savings-total"; data-amount holds
 *              the exact amount), notes, the reconciliation table
 *   Charts     spend by account, top services across accounts, change from
 *              the previous period per account (diverging bars)
 *   Accounts   per account a table of its services, each followed by its
 *              usage types
 *   Savings proposals  every proposal with its title and priority, the
 *              de-duplicated total, and how the proposals are ordered
 *   Realised savings   (--baseline) every earlier proposal's status, realised
 *              and remaining, under the headline
 *   What drove the change  per account its services with a change, split
 *              into usage, rate, discounts and other, with the top movers
 *   Anomalies  day-level spikes and new usage types
 * Accessible: <html lang="en">, headings in order, tables with <caption>
 * and scoped header cells, every chart role="img" with a <title> and a
 * <desc> that gives its numbers as text.  Every string from the data is
 * cleaned and HTML-escaped.
 */
#include "costrank/i18n.h"
#include "costrank/writer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "costrank/buf.h"
#include "costrank/error.h"
#include "costrank/fx.h"
#include "report/render.h"

#define CHART_ACCOUNTS 15    /* bars per account chart */
#define CHART_SERVICES 10    /* bars in the top services chart */
#define CHART_W 900          /* SVG user units */
#define LABEL_W 280          /* the name column of a chart */
#define VALUE_W 170          /* the value column of a chart */
#define ROW_H 26
#define BAR_H 16
#define LABEL_CHARS 36       /* names longer than this are cut in charts */

/* Japanese text in a Japanese typeface on every platform: Windows (Yu Gothic,
 * Meiryo), macOS (Hiragino) and Linux (Noto Sans CJK JP). */
static const char css_ja[] =
	"body,svg text{font-family:system-ui,-apple-system,\"Hiragino Sans\",\"Hiragino Kaku Gothic ProN\","
	"\"Yu Gothic UI\",\"Yu Gothic\",YuGothic,Meiryo,\"Noto Sans CJK JP\",\"Noto Sans JP\",sans-serif}\n";

static const char css[] =
	":root{--fg:#1d2433;--muted:#5b6472;--line:#d9dee7;--alt:#f4f6f9;--bar:#3b6ea5;"
	"--bar2:#2e8b57;--up:#b3261e;--down:#1e7d4f}\n"
	"*{box-sizing:border-box}\n"
	"body{margin:0;color:var(--fg);background:#fff;font:15px/1.45 system-ui,-apple-system,"
	"\"Segoe UI\",Roboto,\"Helvetica Neue\",Arial,sans-serif}\n"
	"header,main,footer{max-width:1180px;margin:0 auto;padding:0 24px}\n"
	"header{padding-top:24px}\n"
	"h1{font-size:26px;margin:0 0 4px}\n"
	"h2{font-size:20px;margin:36px 0 12px;padding-bottom:4px;border-bottom:2px solid var(--line)}\n"
	"h3{font-size:16px;margin:28px 0 4px}\n"
	".meta{color:var(--muted);margin:0 0 8px}\n"
	".kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(190px,1fr));gap:12px;margin:16px 0}\n"
	".kpi{border:1px solid var(--line);border-radius:8px;padding:10px 14px;margin:0}\n"
	".kpi dt{color:var(--muted);font-size:13px}\n"
	".kpi dd{margin:2px 0 0;font-size:22px;font-weight:600;font-variant-numeric:tabular-nums}\n"
	".kpi dd small{display:block;font-size:13px;font-weight:normal;color:var(--muted)}\n"
	".notes{background:#fff8e1;border-left:4px solid #e0a800;padding:8px 12px 8px 28px;margin:12px 0}\n"
	"table{border-collapse:collapse;width:100%;margin:8px 0 20px;font-variant-numeric:tabular-nums}\n"
	"caption{text-align:left;font-weight:600;padding:4px 0 6px;color:var(--muted)}\n"
	"th,td{padding:4px 8px;border-bottom:1px solid var(--line);text-align:left;vertical-align:top}\n"
	"thead th{background:var(--alt);border-bottom:2px solid var(--line);font-size:13px}\n"
	"tbody th{font-weight:600}\n"
	".num{text-align:right;white-space:nowrap}\n"
	"tr.usage th,tr.usage td{color:var(--muted);font-size:13px;border-bottom-color:#eef1f5}\n"
	"tr.usage th{padding-left:28px;font-weight:normal}\n"
	"tr.other th{font-style:italic}\n"
	"tfoot th,tfoot td{font-weight:700;border-top:2px solid var(--fg);border-bottom:none}\n"
	"table.recon{width:auto;min-width:60%}\n"
	"table.services{table-layout:fixed}\n"
	"col.c-rank{width:4.5em}\n"
	"col.c-money{width:9.5em}\n"
	"col.c-pct{width:6.5em}\n"
	"table.services th,table.services td{overflow-wrap:anywhere}\n"
	"th small{font-weight:normal;color:var(--muted)}\n"
	".nowrap{white-space:nowrap}\n"
	"table.proposals tr.main th,table.proposals tr.main td{border-bottom:none}\n"
	"tr.how td{font-size:13px;color:var(--muted);padding-top:0}\n"
	".up{color:var(--up)}\n"
	".down{color:var(--down)}\n"
	"figure{margin:12px 0 28px}\n"
	"figcaption{font-weight:600;margin-bottom:6px}\n"
	"svg{display:block;width:100%;max-width:900px;height:auto}\n"
	"svg text{font-size:12px;fill:var(--fg);font-family:system-ui,-apple-system,\"Segoe UI\","
	"Roboto,Arial,sans-serif}\n"
	"svg .axis{stroke:#9aa3b2;stroke-width:1}\n"
	"details{margin:8px 0}\n"
	"footer{color:var(--muted);font-size:13px;padding-top:8px;padding-bottom:32px}\n"
	"@media print{\n"
	"body{font-size:10pt}\n"
	"header,main,footer{max-width:none;padding:0}\n"
	"*{-webkit-print-color-adjust:exact;print-color-adjust:exact}\n"
	"h2,h3{break-after:avoid}\n"
	"figure,tr,.kpi{break-inside:avoid}\n"
	"thead{display:table-header-group}\n"
	"tfoot{display:table-row-group}\n"
	".kpis{grid-template-columns:repeat(3,1fr)}\n"
	"section.account{break-before:auto}\n"
	"details>summary{list-style:none}\n"
	"}\n";

/* ---- text ----------------------------------------------------------- */

/* Appends clean text HTML-escaped (for element content and attributes). */
static void h_text(cr_buf *b, const char *clean)
{
	for (const char *p = clean; *p; p++) {
		switch (*p) {
		case '&': cr_buf_adds(b, "&amp;"); break;
		case '<': cr_buf_adds(b, "&lt;"); break;
		case '>': cr_buf_adds(b, "&gt;"); break;
		case '"': cr_buf_adds(b, "&quot;"); break;
		case '\'': cr_buf_adds(b, "&#39;"); break;
		default: cr_buf_addc(b, *p);
		}
	}
}

/* Text from the data, cleaned (at most max code points, 0 = all) and escaped. */
static void h_data(cr_buf *b, const char *s, size_t max)
{
	cr_buf clean = CR_BUF_INIT;

	cr_render_clean(&clean, s, max);
	h_text(b, clean.ptr);
	cr_buf_release(&clean);
}

static void h_money(cr_buf *b, const cr_report *r, cr_dec a, bool plus)
{
	cr_buf t = CR_BUF_INIT;

	cr_render_amount(&t, r, a, plus);
	h_text(b, t.ptr);
	cr_buf_release(&t);
}

/* The exact amount, for data-amount attributes. */
static void h_exact(cr_buf *b, cr_dec a)
{
	char tmp[CR_DEC_STRLEN];

	cr_dec_format(a, -1, tmp, sizeof tmp);
	cr_buf_adds(b, tmp);
}

static void h_share(cr_buf *b, double share)
{
	cr_render_fixed(b, share * 100.0, 1, false, "%");
}

static const char *dir_class(int dir)
{
	return dir > 0 ? " up" : dir < 0 ? " down" : "";
}

/* <td> cells: previous, change and change % (or dashes). */
static void change_cells(cr_buf *b, const cr_report *r, cr_dec cost, cr_dec prev, bool is_new)
{
	cr_render_change c;
	cr_buf t = CR_BUF_INIT;

	cr_render_change_of(r, cost, prev, &c);
	if (!c.known) {
		cr_buf_adds(b, "<td class=\"num\">\xE2\x80\x94</td><td class=\"num\">\xE2\x80\x94</td>"
			    "<td class=\"num\">\xE2\x80\x94</td>");
		return;
	}
	cr_buf_adds(b, "<td class=\"num\">");
	h_money(b, r, prev, false);
	cr_buf_addf(b, "</td><td class=\"num%s\">", dir_class(c.dir));
	h_money(b, r, c.diff, true);
	cr_buf_addf(b, "</td><td class=\"num%s\">", dir_class(c.dir));
	cr_render_change_pct(&t, &c, is_new);
	h_text(b, t.ptr);
	cr_buf_adds(b, "</td>");
	cr_buf_release(&t);
}

/* ---- charts --------------------------------------------------------- */

typedef struct bar {
	const char *label;   /* raw, from the data */
	cr_dec value;
	cr_buf value_text;   /* clean text shown right of the chart */
} bar;

static void svg_open(cr_buf *b, const char *id, const char *title, int height, const cr_buf *desc)
{
	cr_buf_addf(b, "<svg role=\"img\" aria-labelledby=\"%s-title %s-desc\" viewBox=\"0 0 %d %d\" "
		    "width=\"%d\" height=\"%d\" xmlns=\"http://www.w3.org/2000/svg\">\n"
		    "<title id=\"%s-title\">", id, id, CHART_W, height, CHART_W, height, id);
	h_text(b, title);
	cr_buf_addf(b, "</title>\n<desc id=\"%s-desc\">", id);
	h_text(b, desc->ptr ? desc->ptr : "");
	cr_buf_adds(b, "</desc>\n");
}

/* Whole user units (no locale-dependent %f); any value above zero shows. */
static long bar_len(double v, double max, double area)
{
	long w;

	if (!(max > 0) || !isfinite(v) || v <= 0)
		return 0;
	w = lround(v / max * area);
	return w < 1 ? 1 : w;
}

/* Horizontal bars from a common baseline; negative values draw no bar. */
static void bar_chart(cr_buf *b, const char *id, const char *title, const bar *bars, size_t n,
		      const char *color, const cr_buf *desc)
{
	int height = (int)n * ROW_H + 12;
	double area = CHART_W - LABEL_W - VALUE_W - 10, max = 0;

	for (size_t i = 0; i < n; i++)
		if (cr_dec_to_double(bars[i].value) > max)
			max = cr_dec_to_double(bars[i].value);
	cr_buf_adds(b, "<figure>\n<figcaption>");
	h_text(b, title);
	cr_buf_adds(b, "</figcaption>\n");
	svg_open(b, id, title, height, desc);
	for (size_t i = 0; i < n; i++) {
		int y = 6 + (int)i * ROW_H;
		long w = bar_len(cr_dec_to_double(bars[i].value), max, area);

		cr_buf_addf(b, "<g><title>");
		h_data(b, bars[i].label, 0);
		cr_buf_adds(b, ": ");
		h_text(b, bars[i].value_text.ptr);
		cr_buf_addf(b, "</title><text x=\"%d\" y=\"%d\" text-anchor=\"end\">", LABEL_W - 8,
			    y + BAR_H - 4);
		h_data(b, bars[i].label, LABEL_CHARS);
		cr_buf_addf(b, "</text><rect x=\"%d\" y=\"%d\" width=\"%ld\" height=\"%d\" "
			    "fill=\"%s\"/><text x=\"%ld\" y=\"%d\">", LABEL_W, y, w, BAR_H, color,
			    LABEL_W + w + 6, y + BAR_H - 4);
		h_text(b, bars[i].value_text.ptr);
		cr_buf_adds(b, "</text></g>\n");
	}
	cr_buf_addf(b, "<line class=\"axis\" x1=\"%d\" y1=\"2\" x2=\"%d\" y2=\"%d\"/>\n", LABEL_W,
		    LABEL_W, height - 4);
	cr_buf_adds(b, "</svg>\n</figure>\n");
}

/* Bars left (decrease, green) and right (increase, red) of a centre line;
 * the values in a column on the right. */
static void diverging_chart(cr_buf *b, const char *id, const char *title, const bar *bars,
			    size_t n, const cr_buf *desc)
{
	int height = (int)n * ROW_H + 12;
	double area = CHART_W - LABEL_W - VALUE_W - 20, max = 0;
	long mid = LABEL_W + lround(area / 2);

	for (size_t i = 0; i < n; i++)
		if (fabs(cr_dec_to_double(bars[i].value)) > max)
			max = fabs(cr_dec_to_double(bars[i].value));
	cr_buf_adds(b, "<figure>\n<figcaption>");
	h_text(b, title);
	cr_buf_adds(b, "</figcaption>\n");
	svg_open(b, id, title, height, desc);
	for (size_t i = 0; i < n; i++) {
		int y = 6 + (int)i * ROW_H;
		double v = cr_dec_to_double(bars[i].value);
		long w = bar_len(fabs(v), max, area / 2);
		long x = v < 0 ? mid - w : mid;

		cr_buf_addf(b, "<g><title>");
		h_data(b, bars[i].label, 0);
		cr_buf_adds(b, ": ");
		h_text(b, bars[i].value_text.ptr);
		cr_buf_addf(b, "</title><text x=\"%d\" y=\"%d\" text-anchor=\"end\">", LABEL_W - 8,
			    y + BAR_H - 4);
		h_data(b, bars[i].label, LABEL_CHARS);
		cr_buf_addf(b, "</text><rect x=\"%ld\" y=\"%d\" width=\"%ld\" height=\"%d\" "
			    "fill=\"%s\"/><text x=\"%d\" y=\"%d\" text-anchor=\"end\" fill=\"%s\">",
			    x, y, w, BAR_H, v < 0 ? "#1e7d4f" : "#b3261e", CHART_W - 4,
			    y + BAR_H - 4, v < 0 ? "#1e7d4f" : v > 0 ? "#b3261e" : "#1d2433");
		h_text(b, bars[i].value_text.ptr);
		cr_buf_adds(b, "</text></g>\n");
	}
	cr_buf_addf(b, "<line class=\"axis\" x1=\"%ld\" y1=\"2\" x2=\"%ld\" y2=\"%d\"/>\n", mid,
		    mid, height - 4);
	cr_buf_adds(b, "</svg>\n</figure>\n");
}

/* desc: "name: value; name: value." (clean text, escaped when written) */
static void add_desc(cr_buf *desc, const char *label, const char *value)
{
	if (desc->len)
		cr_buf_adds(desc, "; ");
	cr_render_clean(desc, label, 0);
	cr_buf_adds(desc, ": ");
	cr_buf_adds(desc, value);
}

static void free_bars(bar *bars, size_t n)
{
	for (size_t i = 0; i < n; i++)
		cr_buf_release(&bars[i].value_text);
	free(bars);
}

static const char *account_label(const cr_report_account *a)
{
	return a->name && *a->name ? a->name : a->id;
}

/* The trend (report.h): the organisation and the top accounts, one line
 * each over the months, from zero; every point titled with its amount. */
#define TREND_LINES 5
static void trend_chart(cr_buf *b, const cr_report *r)
{
	static const char *const colors[TREND_LINES + 1] = {
		"#1d2433", "#3b6ea5", "#2e8b57", "#b3261e", "#8e5ba8", "#c77c02",
	};
	const cr_report_trend *t = &r->trend;
	size_t nm = t->n_months, na = r->n_accounts < TREND_LINES ? r->n_accounts : TREND_LINES;
	const int x0 = 70, x1 = CHART_W - LABEL_W, y0 = 12, y1 = 190, height = 222;
	double max = 0;
	cr_buf desc = CR_BUF_INIT, v = CR_BUF_INIT;
	char m[CR_DATE_STRLEN];

	if (nm < 2)
		return;
	for (size_t k = 0; k < nm; k++)
		if (cr_dec_to_double(t->total[k]) > max)
			max = cr_dec_to_double(t->total[k]);
	for (size_t i = 0; i < na; i++)
		for (size_t k = 0; k < nm; k++)
			if (cr_dec_to_double(t->accounts[i * nm + k]) > max)
				max = cr_dec_to_double(t->accounts[i * nm + k]);
	cr_buf_addf(&desc, na == 1 ? _("Ranked cost by month, %zu months: the organisation and "
				       "the top %zu account.")
				   : _("Ranked cost by month, %zu months: the organisation and "
				       "the top %zu accounts."), nm, na);
	cr_buf_addf(b, "<figure>\n<figcaption>%s</figcaption>\n", _("Trend by month"));
	svg_open(b, "chart-trend", _("Trend by month"), height, &desc);
	cr_buf_addf(b, "<line class=\"axis\" x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\"/>\n", x0, y1,
		    x1, y1);
	for (size_t k = 0; k < nm; k++) {
		long x = x0 + (long)((x1 - x0) * k / (nm - 1));

		cr_day_format(t->months[k], m);
		m[7] = '\0';
		cr_buf_addf(b, "<text x=\"%ld\" y=\"%d\" text-anchor=\"middle\">%s</text>\n", x,
			    y1 + 18, m);
	}
	for (size_t i = 0; i <= na; i++) {
		const cr_dec *vals = i ? t->accounts + (i - 1) * nm : t->total;
		const char *label = i ? account_label(&r->accounts[i - 1]) : _("Organisation");
		long lx = 0, ly = 0;

		cr_buf_addf(b, "<g><polyline fill=\"none\" stroke-width=\"2\" stroke=\"%s\" points=\"",
			    colors[i]);
		for (size_t k = 0; k < nm; k++) {
			lx = x0 + (long)((x1 - x0) * k / (nm - 1));
			ly = y1 - bar_len(cr_dec_to_double(vals[k]), max, y1 - y0);
			cr_buf_addf(b, "%s%ld,%ld", k ? " " : "", lx, ly);
		}
		cr_buf_adds(b, "\"/>\n");
		for (size_t k = 0; k < nm; k++) {
			long x = x0 + (long)((x1 - x0) * k / (nm - 1));
			long y = y1 - bar_len(cr_dec_to_double(vals[k]), max, y1 - y0);

			cr_day_format(t->months[k], m);
			m[7] = '\0';
			cr_buf_reset(&v);
			cr_render_amount(&v, r, vals[k], false);
			cr_buf_addf(b, "<circle cx=\"%ld\" cy=\"%ld\" r=\"3\" fill=\"%s\"><title>", x,
				    y, colors[i]);
			h_data(b, label, 0);
			cr_buf_addf(b, " %s: ", m);
			h_text(b, v.ptr);
			cr_buf_adds(b, "</title></circle>\n");
		}
		cr_buf_addf(b, "<text x=\"%ld\" y=\"%ld\">", lx + 8, ly + 4);
		h_data(b, label, LABEL_CHARS);
		cr_buf_adds(b, "</text></g>\n");
	}
	cr_buf_adds(b, "</svg>\n</figure>\n");
	cr_buf_release(&desc);
	cr_buf_release(&v);
}

static void charts(cr_buf *b, const cr_report *r)
{
	size_t na = r->n_accounts < CHART_ACCOUNTS ? r->n_accounts : CHART_ACCOUNTS;
	bar *bars = cr_xcalloc(na + CHART_SERVICES + 1, sizeof *bars);
	cr_buf desc = CR_BUF_INIT, title = CR_BUF_INIT;
	size_t nt;

	cr_buf_addf(b, "<section aria-labelledby=\"h-charts\">\n<h2 id=\"h-charts\">%s</h2>\n",
		    _("Charts"));

	/* spend by account */
	cr_buf_adds(&title, _("Spend by account"));
	if (na < r->n_accounts)
		cr_buf_addf(&title, _(" (top %zu of %zu)"), na, r->n_accounts);
	for (size_t i = 0; i < na; i++) {
		const cr_report_account *a = &r->accounts[i];
		bars[i].label = account_label(a);
		bars[i].value = a->total;
		cr_render_amount(&bars[i].value_text, r, a->total, false);
		cr_buf_adds(&bars[i].value_text, " (");
		cr_render_fixed(&bars[i].value_text, a->share * 100.0, 1, false, "%)");
		add_desc(&desc, bars[i].label, bars[i].value_text.ptr);
	}
	if (na) {
		cr_buf_adds(&desc, ".");
		bar_chart(b, "chart-accounts", title.ptr, bars, na, "#3b6ea5", &desc);
	}
	free_bars(bars, na);

	/* top services across accounts */
	nt = r->n_services < CHART_SERVICES ? r->n_services : CHART_SERVICES;
	bars = cr_xcalloc(nt + 1, sizeof *bars);
	cr_buf_reset(&desc);
	cr_buf_reset(&title);
	cr_buf_addf(&title, _("Top %zu services, all accounts"), nt);
	for (size_t i = 0; i < nt; i++) {
		bars[i].label = r->services[i].name;
		bars[i].value = r->services[i].cost;
		cr_render_amount(&bars[i].value_text, r, r->services[i].cost, false);
		add_desc(&desc, bars[i].label, bars[i].value_text.ptr);
	}
	if (nt) {
		cr_buf_adds(&desc, _(". Each is the service's whole cost over every account."));
		bar_chart(b, "chart-services", title.ptr, bars, nt, "#2e8b57", &desc);
	}
	free_bars(bars, nt);

	/* change per account */
	bars = cr_xcalloc(na + 1, sizeof *bars);
	cr_buf_reset(&desc);
	cr_buf_reset(&title);
	if (r->has_previous) {
		cr_buf t = CR_BUF_INIT;

		cr_render_prev_label(&t, r);
		cr_buf_addf(&title, _("Change from %s by account"), t.ptr);
		cr_buf_release(&t);
		if (na < r->n_accounts)
			cr_buf_addf(&title, _(" (top %zu by spend)"), na);
		for (size_t i = 0; i < na; i++) {
			const cr_report_account *a = &r->accounts[i];
			cr_render_change c;
			cr_render_change_of(r, a->total, a->previous_total, &c);
			bars[i].label = account_label(a);
			bars[i].value = c.diff;
			cr_render_amount(&bars[i].value_text, r, c.diff, true);
			cr_buf_adds(&bars[i].value_text, " (");
			cr_render_change_pct(&bars[i].value_text, &c,
					     cr_dec_is_zero(a->previous_total) &&
					     !cr_dec_is_zero(a->total));
			cr_buf_adds(&bars[i].value_text, ")");
			add_desc(&desc, bars[i].label, bars[i].value_text.ptr);
		}
		if (na) {
			cr_buf_adds(&desc, _(". Increases are drawn right of the centre line in red, "
					     "decreases left in green."));
			diverging_chart(b, "chart-change", title.ptr, bars, na, &desc);
		}
	} else {
		cr_buf_addf(b, "<p class=\"meta\">%s</p>\n",
			    _("The data does not cover the previous period: there is no change to chart."));
	}
	free_bars(bars, na);
	trend_chart(b, r);
	cr_buf_adds(b, "</section>\n");
	cr_buf_release(&desc);
	cr_buf_release(&title);
}

/* ---- sections ------------------------------------------------------- */

static void head(cr_buf *b, const cr_report *r)
{
	char s[CR_DATE_STRLEN], e[CR_DATE_STRLEN];

	cr_day_format(r->start, s);
	cr_day_format(r->end, e);
	cr_buf heading = CR_BUF_INIT;

	cr_render_period_heading(&heading, r);
	cr_buf_addf(b, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta charset=\"utf-8\">\n"
		    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
		    "<title>%s ", cr_i18n_code(), _("costrank report"));
	h_data(b, heading.ptr, 0);
	cr_buf_adds(b, "</title>\n<style>\n");
	cr_buf_adds(b, css);
	if (cr_i18n_current() == CR_LANG_JA)
		cr_buf_adds(b, css_ja);
	cr_buf_addf(b, "</style>\n</head>\n<body>\n<header>\n<h1>%s ", _("costrank report"));
	h_data(b, heading.ptr, 0);
	cr_buf_release(&heading);
	cr_buf_adds(b, "</h1>\n<p class=\"meta\">");
	cr_buf_addf(b, _("%s to %s"), s, e);
	cr_buf_adds(b, " \xC2\xB7 ");
	cr_buf_addf(b, _("%s cost"), _(cr_metric_name(r->metric)));
	cr_buf_adds(b, " \xC2\xB7 ");
	h_data(b, cr_render_shown_currency(r), 0);
	cr_buf_adds(b, " \xC2\xB7 ");
	cr_buf_addf(b, r->n_accounts == 1 ? _("%zu account") : _("%zu accounts"), r->n_accounts);
	cr_buf_addf(b, " \xC2\xB7 %s", _("source: "));
	h_data(b, r->source_kind, 0);
	cr_buf_addf(b, r->n_files == 1 ? _(", %zu file") : _(", %zu files"), r->n_files);
	if (r->data_through) {
		cr_day_format(r->data_through, s);
		cr_buf_adds(b, " \xC2\xB7 ");
		char span[64];

		snprintf(span, sizeof span, "<span id=\"data-through\">%s</span>", s);
		cr_buf_addf(b, _("data through %s"), span);
	}
	cr_buf_adds(b, "</p>\n</header>\n<main>\n");
}

/* A headline figure; label and small are literal or already escaped. */
static void kpi(cr_buf *b, const char *id, const char *label, const cr_report *r, cr_dec a,
		const char *small)
{
	cr_buf_addf(b, "<div class=\"kpi\"><dt>%s</dt><dd id=\"%s\" data-amount=\"", label, id);
	h_exact(b, a);
	cr_buf_adds(b, "\">");
	h_money(b, r, a, false);
	if (small) {
		cr_buf_adds(b, "<small>");
		cr_buf_adds(b, small); /* already escaped */
		cr_buf_adds(b, "</small>");
	}
	cr_buf_adds(b, "</dd></div>\n");
}

static void summary(cr_buf *b, const cr_report *r)
{
	static const char *const names[CR_EXCL_COUNT] = { N_("Credits"), N_("Refunds"), N_("Tax") };
	cr_render_change c;
	cr_buf t = CR_BUF_INIT, small = CR_BUF_INIT;

	cr_buf_addf(b, "<section aria-labelledby=\"h-summary\">\n<h2 id=\"h-summary\">%s</h2>\n"
		    "<dl class=\"kpis\">\n", _("Summary"));
	cr_buf_adds(&small, _("ranked, all accounts"));
	kpi(b, "total", _("Total"), r, r->total, small.ptr);
	cr_render_change_of(r, r->total, r->previous_total, &c);
	if (c.known) {
		cr_buf_reset(&small);
		cr_buf_adds(&small, _("vs "));
		cr_render_prev_label(&t, r);
		h_text(&small, t.ptr);
		cr_buf_reset(&t);
		cr_render_change_pct(&t, &c, false);
		cr_buf_addf(b, "<div class=\"kpi\"><dt>%s</dt><dd id=\"change\" data-amount=\"", _("Change"));
		h_exact(b, c.diff);
		cr_buf_addf(b, "\" class=\"%s\">", dir_class(c.dir)[0] ? dir_class(c.dir) + 1 : "");
		h_text(b, t.ptr);
		cr_buf_adds(b, "<small>");
		h_money(b, r, c.diff, true);
		cr_buf_addf(b, " %s</small></dd></div>\n", small.ptr);
		cr_buf_reset(&small);
		cr_buf_reset(&t);
		cr_render_prev_label(&t, r);
		h_text(&small, t.ptr);
		kpi(b, "previous-total", _("Previous period"), r, r->previous_total, small.ptr);
	}
	kpi(b, "grand-total", _("Grand total (billed)"), r, r->recon.grand_total,
	    _("with credits, refunds and tax"));
	if (r->has_proposals) {
		cr_buf_reset(&small);
		cr_buf_addf(&small, r->n_proposals == 1 ? _("a month, %zu proposal, ") :
			    _("a month, %zu proposals, "), r->n_proposals);
		cr_render_fixed(&small, cr_dec_ratio(r->savings_total, r->recon.grand_total) * 100.0,
				/* xgettext:no-c-format */
				1, false, _("% of the bill"));
		kpi(b, "savings-total", _("Savings proposed"), r, r->savings_total, small.ptr);
	}
	cr_buf_adds(b, "</dl>\n");
	if (cr_fx_active(r)) {
		cr_dec conv;

		cr_buf_reset(&t);
		cr_fx_basis(&t, r);
		cr_buf_adds(b, "<p class=\"fx\" id=\"total-fx\"");
		if (cr_fx_convert(&r->fx, r->total, &conv) == 0) {
			cr_buf_adds(b, " data-amount=\"");
			h_exact(b, conv);
			cr_buf_adds(b, "\"");
		}
		cr_buf_adds(b, ">");
		h_text(b, t.ptr);
		cr_buf_adds(b, "</p>\n");
	}

	if (r->n_warnings || r->estimated || r->partial) {
		cr_buf_addf(b, "<ul class=\"notes\" aria-label=\"%s\">\n", _("Notes"));
		if (r->partial)
			cr_buf_addf(b, "<li>%s</li>\n",
				    _("Partial figures: the data of a failed pull was kept."));
		else if (r->estimated)
			cr_buf_addf(b, "<li>%s</li>\n",
				    _("Estimated figures: the source marks them as not final."));
		for (size_t i = 0; i < r->n_warnings; i++) {
			cr_buf_adds(b, "<li>");
			h_data(b, r->warnings[i], 0);
			cr_buf_adds(b, "</li>\n");
		}
		cr_buf_adds(b, "</ul>\n");
	}

	cr_buf_addf(b, "<table class=\"recon\">\n<caption>%s</caption>\n<thead><tr><th scope=\"col\">"
		    "%s</th><th scope=\"col\" class=\"num\">%s</th><th scope=\"col\">%s</th></tr>"
		    "</thead>\n<tbody>\n<tr><th scope=\"row\">%s</th><td class=\"num\" "
		    "id=\"recon-ranked\">",
		    _("Reconciliation: ranked total + credits + refunds + tax = grand total"),
		    _("Part"), _("Amount"), _("Note"), _("Ranked"));
	h_money(b, r, r->recon.ranked, false);
	cr_buf_addf(b, "</td><td>%s</td></tr>\n", _("the accounts below"));
	for (int i = 0; i < CR_EXCL_COUNT; i++) {
		cr_buf_addf(b, "<tr><th scope=\"row\">%s</th><td class=\"num\" id=\"recon-%s\">",
			    _(names[i]), cr_excluded_name((enum cr_excluded)i));
		h_money(b, r, r->recon.excluded[i], false);
		cr_buf_adds(b, "</td><td>");
		if (r->recon.included[i]) {
			cr_buf_adds(b, _("ranked (--include): "));
			h_money(b, r, r->recon.included_amount[i], false);
			cr_buf_adds(b, _(" of it is in the accounts"));
		} else {
			cr_buf_adds(b, _("kept out of the ranking"));
		}
		cr_buf_adds(b, "</td></tr>\n");
	}
	cr_buf_addf(b, "</tbody>\n<tfoot><tr><th scope=\"row\">%s</th>"
		    "<td class=\"num\">", _("Grand total (billed)"));
	h_money(b, r, r->recon.grand_total, false);
	cr_buf_addf(b, "</td><td>%s</td></tr></tfoot>\n</table>\n</section>\n",
		    _("every row of the period"));
	cr_buf_release(&t);
	cr_buf_release(&small);
}

static void row_cells(cr_buf *b, const cr_report *r, const char *rank, const char *label,
		      cr_dec cost, double share, cr_dec prev, bool is_new)
{
	cr_buf_addf(b, "<td class=\"num\">%s</td><th scope=\"row\">", rank);
	h_text(b, label);
	cr_buf_adds(b, "</th><td class=\"num\">");
	h_money(b, r, cost, false);
	cr_buf_adds(b, "</td><td class=\"num\">");
	h_share(b, share);
	cr_buf_adds(b, "</td>");
	change_cells(b, r, cost, prev, is_new);
	cr_buf_adds(b, "</tr>\n");
}

/* --by: one section per dimension, the untagged row last. */
static void allocation(cr_buf *b, const cr_report *r, size_t k)
{
	const cr_report_allocation *al = &r->allocations[k];

	cr_buf_addf(b, "<section class=\"allocation\" aria-labelledby=\"h-by-%zu\">\n"
		    "<h2 id=\"h-by-%zu\">By ", k + 1, k + 1);
	h_data(b, al->dimension, 0);
	cr_buf_adds(b, "</h2>\n<p class=\"meta\">");
	h_data(b, al->untagged_label, 0);
	cr_buf_adds(b, ": <strong>");
	h_share(b, al->untagged_share);
	cr_buf_adds(b, "</strong> of the total</p>\n<table class=\"services\">\n<caption>Cost by ");
	h_data(b, al->dimension, 0);
	cr_buf_adds(b, "</caption>\n<thead><tr><th scope=\"col\" class=\"num\">#</th>"
		    "<th scope=\"col\">Value</th><th scope=\"col\" class=\"num\">Cost</th>"
		    "<th scope=\"col\" class=\"num\">Share</th><th scope=\"col\" class=\"num\">"
		    "Previous</th><th scope=\"col\" class=\"num\">Change</th>"
		    "<th scope=\"col\" class=\"num\">Change %</th><th scope=\"col\">Top services"
		    "</th></tr></thead>\n<tbody>\n");
	for (size_t i = 0; i < al->n_values; i++) {
		const cr_report_alloc_value *v = &al->values[i];
		char rank[24] = "";

		if (!v->is_untagged)
			snprintf(rank, sizeof rank, "%d", v->rank);
		cr_buf_addf(b, "<tr class=\"service%s\"><td class=\"num\">%s</td><th scope=\"row\">",
			    v->is_untagged ? " other" : "", rank);
		h_data(b, v->is_untagged ? al->untagged_label : v->value, 0);
		cr_buf_adds(b, "</th><td class=\"num\">");
		h_money(b, r, v->cost, false);
		cr_buf_adds(b, "</td><td class=\"num\">");
		h_share(b, v->share);
		cr_buf_adds(b, "</td>");
		change_cells(b, r, v->cost, v->previous_cost, r->has_previous && v->is_new);
		cr_buf_adds(b, "<td>");
		for (size_t j = 0; j < v->n_services && j < 3; j++) {
			if (j)
				cr_buf_adds(b, ", ");
			h_data(b, v->services[j].name, 0);
		}
		cr_buf_adds(b, "</td></tr>\n");
	}
	cr_buf_adds(b, "</tbody>\n</table>\n</section>\n");
}

static void account(cr_buf *b, const cr_report *r, const cr_report_account *a)
{
	cr_buf label = CR_BUF_INIT;
	char rank[48];
	cr_render_change c;

	cr_buf_addf(b, "<section class=\"account\" aria-labelledby=\"account-%d\">\n"
		    "<h3 id=\"account-%d\">%d. ", a->rank, a->rank, a->rank);
	h_data(b, account_label(a), 0);
	cr_buf_addf(b, "</h3>\n<p class=\"meta\"><span class=\"account-id\">");
	h_data(b, a->id, 0);
	cr_buf_adds(b, "</span>");
	if (a->environment && *a->environment) {
		cr_buf_adds(b, " \xC2\xB7 ");
		h_data(b, a->environment, 0);
	}
	if (a->owner && *a->owner) {
		cr_buf_addf(b, " \xC2\xB7 %s", _("owner "));
		h_data(b, a->owner, 0);
	}
	cr_buf_adds(b, " \xC2\xB7 <strong>");
	h_money(b, r, a->total, false);
	cr_buf_adds(b, "</strong> \xC2\xB7 ");
	h_share(b, a->share);
	cr_buf_adds(b, _(" of total"));
	cr_render_change_of(r, a->total, a->previous_total, &c);
	if (c.known) {
		cr_buf_addf(b, " \xC2\xB7 <span class=\"%s\">", dir_class(c.dir)[0] ?
			    dir_class(c.dir) + 1 : "flat");
		cr_render_change_pct(&label, &c, cr_dec_is_zero(a->previous_total) &&
				     !cr_dec_is_zero(a->total));
		h_text(b, label.ptr);
		cr_buf_addf(b, "</span>%s", _(" vs "));
		cr_buf_reset(&label);
		cr_render_prev_label(&label, r);
		h_text(b, label.ptr);
	}
	cr_buf_addf(b, "</p>\n<table class=\"services\">\n<caption>%s", _("Services and usage types of "));
	h_data(b, account_label(a), 0);
	if (a->name && *a->name) {
		cr_buf_adds(b, " (");
		h_data(b, a->id, 0);
		cr_buf_adds(b, ")");
	}
	cr_buf_addf(b, "</caption>\n<colgroup><col class=\"c-rank\"><col><col class=\"c-money\">"
		    "<col class=\"c-pct\"><col class=\"c-money\"><col class=\"c-money\">"
		    "<col class=\"c-pct\"></colgroup>\n<thead><tr><th scope=\"col\" class=\"num\">#</th>"
		    "<th scope=\"col\">%s</th><th scope=\"col\" class=\"num\">%s"
		    "</th><th scope=\"col\" class=\"num\">%s</th><th scope=\"col\" class=\"num\">"
		    "%s</th><th scope=\"col\" class=\"num\">%s</th>"
		    "<th scope=\"col\" class=\"num\">%s</th></tr></thead>\n<tbody>\n",
		    _("Service / usage type"), _("Cost"), _("Share"), _("Previous"), _("Change"),
		    _("Change %"));
	for (size_t j = 0; j < a->n_services; j++) {
		const cr_report_service *s = &a->services[j];

		cr_buf_addf(b, "<tr class=\"service%s\">", s->is_other ? " other" : "");
		if (s->is_other)
			rank[0] = '\0';
		else
			snprintf(rank, sizeof rank, "%d", s->rank);
		cr_buf_reset(&label);
		cr_render_service_label(&label, s);
		row_cells(b, r, rank, label.ptr, s->cost, s->share, s->previous_cost,
			  r->has_previous && s->is_new);
		for (size_t k = 0; k < s->n_usage; k++) {
			const cr_report_usage *u = &s->usage[k];

			cr_buf_addf(b, "<tr class=\"usage%s\">", u->is_other ? " other" : "");
			if (u->is_other || s->is_other)
				rank[0] = '\0';
			else
				snprintf(rank, sizeof rank, "%d.%d", s->rank, u->rank);
			cr_buf_reset(&label);
			cr_render_usage_label(&label, u);
			row_cells(b, r, rank, label.ptr, u->cost, u->share, u->previous_cost,
				  r->has_previous && u->is_new);
		}
	}
	cr_buf_adds(b, "</tbody>\n<tfoot><tr>");
	row_cells(b, r, "", _("Total"), a->total, a->n_services ? 1.0 : 0.0, a->previous_total,
		  cr_dec_is_zero(a->previous_total) && !cr_dec_is_zero(a->total));
	cr_buf_adds(b, "</tfoot>\n</table>\n</section>\n");
	cr_buf_release(&label);
}

static void proposals(cr_buf *b, const cr_report *r)
{
	cr_dec annual = CR_DEC_ZERO;

	if (!r->has_proposals)
		return;
	cr_buf_addf(b, "<section aria-labelledby=\"h-proposals\">\n"
		    "<h2 id=\"h-proposals\">%s</h2>\n", _("Savings proposals"));
	if (!r->n_proposals) {
		cr_buf_addf(b, "<p>%s</p>\n</section>\n", _("No rule matched spend above its minimum."));
		return;
	}
	cr_buf_adds(b, "<p class=\"meta\">");
	cr_buf_addf(b, r->n_proposals == 1 ? _("%zu proposal") : _("%zu proposals"), r->n_proposals);
	cr_buf_addf(b, "%s ", _(". The total is de-duplicated: alternatives for the same line are "
			       "never added."));
	h_text(b, cr_render_proposal_order());
	cr_buf_adds(b, "</p>\n");
	cr_buf_addf(b, "<table class=\"proposals\">\n<caption>%s</caption>\n"
		    "<thead><tr><th scope=\"col\" class=\"num\">#</th><th scope=\"col\">%s</th>"
		    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
		    "<th scope=\"col\" class=\"num\">%s</th>"
		    "<th scope=\"col\" class=\"num\">%s</th>"
		    "<th scope=\"col\" class=\"num\">%s</th>"
		    "<th scope=\"col\">%s</th>"
		    "<th scope=\"col\" class=\"num\">%s</th></tr></thead>\n<tbody>\n",
		    _("Every proposal by priority, with how its saving was estimated"), _("Action"),
		    _("Account"), _("Service / usage type"), _("Monthly cost"), _("Saving / month"),
		    _("Saving / year"), _("Effort / risk"), _("Priority"));
	for (size_t i = 0; i < r->n_proposals; i++) {
		const cr_proposal *p = &r->proposals[i];

		/* the title, then the kind of action, confidence and rule in small */
		cr_buf_addf(b, "<tr class=\"main\"><td class=\"num\">%d</td><th scope=\"row\">",
			    p->rank);
		h_data(b, p->title, 0);
		cr_buf_adds(b, "<br><small>");
		{
			cr_buf a = CR_BUF_INIT;
			h_data(b, cr_render_proposal_action(&a, p), 0);
			cr_buf_release(&a);
		}
		cr_buf_adds(b, " \xC2\xB7 <code>");
		h_data(b, p->rule, 0);
		cr_buf_adds(b, "</code></small></th><td class=\"nowrap\">");
		h_data(b, p->account_name && *p->account_name ? p->account_name : p->account_id, 0);
		cr_buf_adds(b, "</td><td>");
		h_data(b, p->service, 0);
		cr_buf_adds(b, "<br><small>");
		h_data(b, p->usage_type, 0);
		cr_buf_adds(b, "</small></td><td class=\"num\">");
		h_money(b, r, p->monthly_cost, false);
		cr_buf_adds(b, "</td><td class=\"num\">");
		h_money(b, r, p->savings, false);
		cr_buf_adds(b, "</td><td class=\"num\">");
		h_money(b, r, p->annual_savings, false);
		cr_buf_adds(b, "</td><td class=\"nowrap\">");
		h_data(b, cr_render_level(p->effort), 0);
		cr_buf_adds(b, " / ");
		h_data(b, cr_render_level(p->risk), 0);
		cr_buf_adds(b, "</td><td class=\"num\">");
		cr_render_priority(b, r, p);
		/* how the saving was estimated, on a line of its own */
		cr_buf_adds(b, "</td></tr>\n<tr class=\"how\"><td></td><td colspan=\"8\">");
		h_data(b, p->formula, 0);
		if (p->evidence && *p->evidence) {
			cr_buf_adds(b, " \xE2\x80\x94 ");
			h_data(b, p->evidence, 0);
		}
		{
			cr_buf res = CR_BUF_INIT;
			cr_render_proposal_resources(&res, r, p, true);
			if (res.len) {
				cr_buf_adds(b, "<br>");
				h_data(b, _("Resources: "), 0);
				h_data(b, res.ptr, 0);
			}
			cr_buf_release(&res);
		}
		cr_buf_adds(b, "</td></tr>\n");
		if (p->counted)   /* the headline's: measured and priced */
			cr_dec_acc(&annual, p->annual_savings);
	}
	cr_buf_addf(b, "</tbody>\n<tfoot><tr><td></td><th scope=\"row\" colspan=\"4\">"
		    "%s</th><td class=\"num\" id=\"proposals-total\">",
		    _("Total measured and priced (de-duplicated)"));
	h_money(b, r, r->savings_total, false);
	cr_buf_adds(b, "</td><td class=\"num\">");
	h_money(b, r, annual, false);
	cr_buf_adds(b, "</td><td></td><td></td></tr></tfoot>\n</table>\n</section>\n");
}

/* ---- the monthly loop: realised savings, drivers, anomalies ------------ */

static void h_clean(cr_buf *b, const char *clean)
{
	h_text(b, clean ? clean : "");
}

static void h_num(cr_buf *b, const cr_report *r, cr_dec a, bool plus)
{
	cr_buf_adds(b, "<td class=\"num\" data-amount=\"");
	h_exact(b, a);
	cr_buf_adds(b, "\">");
	h_money(b, r, a, plus);
	cr_buf_adds(b, "</td>");
}

static void th_cols(cr_buf *b, const char *const *cols, const bool *num, size_t n)
{
	cr_buf_adds(b, "<thead><tr>");
	for (size_t i = 0; i < n; i++)
		cr_buf_addf(b, "<th scope=\"col\"%s>%s</th>", num[i] ? " class=\"num\"" : "", cols[i]);
	cr_buf_adds(b, "</tr></thead>\n<tbody>\n");
}

/* Every proposal of the baseline with its status, realised and remaining. */
static void realised(cr_buf *b, const cr_report *r)
{
	const cr_report_realised *x = r->realised;
	const char *cols[] = { "#", _("Status"), _("Account"), _("Service / usage type"),
			       _("Proposed"), _("Realised"), _("Remaining") };
	const bool num[] = { true, false, false, false, true, true, true };
	cr_buf t = CR_BUF_INIT;

	cr_buf_addf(b, "<section aria-labelledby=\"h-realised\">\n<h2 id=\"h-realised\">%s</h2>\n"
		    "<p id=\"realised-headline\"><strong>", _("Realised savings"));
	cr_render_realised_headline(&t, r);
	h_clean(b, t.ptr);
	cr_buf_adds(b, "</strong></p>\n<p class=\"meta\">");
	cr_buf_reset(&t);
	cr_render_realised_detail(&t, r);
	h_clean(b, t.ptr);
	cr_buf_adds(b, "</p>\n");
	if (x->n_items) {
		cr_buf_addf(b, "<table class=\"realised\">\n<caption>%s</caption>\n",
			    _("Every proposal of the earlier report, what it realised and what remains"));
		th_cols(b, cols, num, sizeof cols / sizeof *cols);
		for (size_t i = 0; i < x->n_items; i++) {
			const cr_realised_item *it = &x->items[i];

			if (it->baseline_rank)
				cr_buf_addf(b, "<tr><td class=\"num\">%d</td><td>", it->baseline_rank);
			else
				cr_buf_adds(b, "<tr><td class=\"num\">\xE2\x80\x94</td><td>");
			h_data(b, cr_render_status(it->status), 0);
			cr_buf_adds(b, "</td><td class=\"nowrap\">");
			h_data(b, it->account_name && *it->account_name ? it->account_name
			       : it->account_id, 0);
			cr_buf_adds(b, "</td><td>");
			h_data(b, it->service, 0);
			cr_buf_adds(b, "<br><small>");
			h_data(b, it->usage_type, 0);
			cr_buf_adds(b, "</small></td>");
			h_num(b, r, it->proposed_period, false);
			h_num(b, r, it->realised, false);
			h_num(b, r, it->remaining, false);
			cr_buf_adds(b, "</tr>\n");
		}
		cr_buf_adds(b, "</tbody>\n</table>\n");
	}
	if (x->n_commitments) {
		cr_buf_adds(b, "<ul>\n");
		for (size_t i = 0; i < x->n_commitments; i++) {
			const cr_realised_commitment *m = &x->commitments[i];

			cr_buf_adds(b, "<li>");
			h_clean(b, _("commitment bought: "));
			h_data(b, m->usage_type, 0);
			cr_buf_adds(b, " (");
			h_data(b, cr_render_account_name(r, m->account_id), 0);
			cr_buf_adds(b, ") ");
			h_money(b, r, m->cost, false);
			cr_buf_adds(b, "</li>\n");
		}
		cr_buf_adds(b, "</ul>\n");
	}
	cr_buf_adds(b, "</section>\n");
	cr_buf_release(&t);
}

/* Every account's services with a change, the largest first, split. */
static void drivers(cr_buf *b, const cr_report *r)
{
	size_t *idx = cr_xcalloc(r->n_drivers + 1, sizeof *idx);
	size_t *starts = cr_xcalloc(r->n_drivers + 1, sizeof *starts);
	size_t ngroups = cr_render_driver_accounts(r, starts);
	const char *cols[] = { _("Service"), _("Change"), _("Usage"), _("Rate"), _("Discounts"),
			       _("Other"), _("Top movers") };
	const bool num[] = { false, true, true, true, true, true, false };
	cr_buf t = CR_BUF_INIT;

	cr_buf_addf(b, "<section aria-labelledby=\"h-drivers\">\n<h2 id=\"h-drivers\">%s",
		    _("What drove the change"));
	cr_render_prev_label(&t, r);
	h_clean(b, _(" vs "));
	h_clean(b, t.ptr);
	cr_buf_adds(b, "</h2>\n");
	for (size_t g = 0; g < ngroups; g++) {
		size_t end, k = cr_render_driver_group(r, starts[g], &end, idx);

		if (!k)
			continue;
		cr_buf_adds(b, "<table class=\"drivers\">\n<caption>");
		h_data(b, cr_render_account_name(r, r->drivers[starts[g]].account_id), 0);
		cr_buf_adds(b, "</caption>\n");
		th_cols(b, cols, num, sizeof cols / sizeof *cols);
		for (size_t i = 0; i < k; i++) {
			const cr_report_driver *d = &r->drivers[idx[i]];

			cr_buf_adds(b, "<tr><th scope=\"row\">");
			h_data(b, d->service, 0);
			cr_buf_adds(b, "</th>");
			h_num(b, r, d->change, true);
			h_num(b, r, d->usage, true);
			h_num(b, r, d->rate, true);
			h_num(b, r, d->discounts, true);
			h_num(b, r, d->other, true);
			cr_buf_adds(b, "<td><small>");
			cr_buf_reset(&t);
			cr_render_movers(&t, r, d);
			h_clean(b, t.ptr);
			cr_buf_adds(b, "</small></td></tr>\n");
		}
		cr_buf_adds(b, "</tbody>\n</table>\n");
	}
	cr_buf_adds(b, "</section>\n");
	free(idx);
	free(starts);
	cr_buf_release(&t);
}

static void anomalies(cr_buf *b, const cr_report *r)
{
	const char *cols[] = { _("Day"), _("Account"), _("Service"), _("Cost"), _("Median"),
			       _("Excess"), _("Usage types") };
	const bool num[] = { false, false, false, true, true, true, false };
	cr_buf t = CR_BUF_INIT;

	cr_render_anomalies_title(&t, r);
	cr_buf_adds(b, "<section aria-labelledby=\"h-anomalies\">\n<h2 id=\"h-anomalies\">");
	h_clean(b, t.ptr);
	cr_buf_addf(b, "</h2>\n<table class=\"anomalies\">\n<caption>%s</caption>\n",
		    _("Day-level spikes against the median of the 28 days before, then usage types "
		      "new this period"));
	th_cols(b, cols, num, sizeof cols / sizeof *cols);
	for (size_t i = 0; i < r->n_anomalies; i++) {
		const cr_report_anomaly *a = &r->anomalies[i];

		cr_buf_adds(b, "<tr><td class=\"nowrap\">");
		cr_buf_reset(&t);
		cr_render_anomaly_when(&t, a);
		h_clean(b, t.ptr);
		cr_buf_adds(b, "</td><td class=\"nowrap\">");
		h_data(b, a->account_name && *a->account_name ? a->account_name : a->account_id, 0);
		cr_buf_adds(b, "</td><td>");
		h_data(b, a->service, 0);
		cr_buf_adds(b, "</td>");
		h_num(b, r, a->cost, false);
		if (a->is_new_usage)
			cr_buf_adds(b, "<td class=\"num\">\xE2\x80\x94</td>");
		else
			h_num(b, r, a->baseline, false);
		h_num(b, r, a->excess, true);
		cr_buf_adds(b, "<td><small>");
		cr_buf_reset(&t);
		cr_render_anomaly_usage(&t, r, a);
		h_clean(b, t.ptr);
		cr_buf_adds(b, "</small></td></tr>\n");
	}
	cr_buf_adds(b, "</tbody>\n</table>\n</section>\n");
	cr_buf_release(&t);
}

/* Existing commitments, then the Savings Plans sized on the hourly spend. */
static void commitments(cr_buf *b, const cr_report *r)
{
	const cr_report_commitments *c = &r->commitments;
	cr_render_crow rows[CR_RENDER_CROWS];
	size_t n = cr_render_commitment_rows(r, rows);

	if (!n)
		return;
	cr_buf_addf(b, "<section aria-labelledby=\"h-commitments\">\n"
		    "<h2 id=\"h-commitments\">%s</h2>\n<table class=\"recon\">\n"
		    "<caption>%s</caption>\n<thead><tr><th scope=\"col\">%s</th>"
		    "<th scope=\"col\" class=\"num\">%s</th></tr></thead>\n<tbody>\n",
		    _("Commitments"), _("Existing Savings Plans and Reserved Instances"),
		    _("Measure"), _("Value"));
	for (size_t i = 0; i < n; i++) {
		cr_buf_addf(b, "<tr><th scope=\"row\">%s</th><td class=\"num\">", rows[i].label);
		if (!rows[i].is_share)
			h_money(b, r, rows[i].amount, false);
		else if (rows[i].share >= 0)
			h_share(b, rows[i].share);
		else
			cr_buf_adds(b, "\xE2\x80\x94");
		cr_buf_adds(b, "</td></tr>\n");
	}
	cr_buf_adds(b, "</tbody>\n</table>\n");
	if (c->n_plans) {
		cr_buf_addf(b, "<table>\n<caption>%s</caption>\n<thead><tr>"
			    "<th scope=\"col\">%s</th><th scope=\"col\">%s</th>"
			    "<th scope=\"col\" class=\"num\">%s</th>"
			    "<th scope=\"col\" class=\"num\">%s</th>"
			    "<th scope=\"col\" class=\"num\">%s</th>"
			    "<th scope=\"col\" class=\"num\">%s</th>"
			    "<th scope=\"col\" class=\"num\">%s</th></tr></thead>\n<tbody>\n",
			    _("Savings Plans sized on the hourly on-demand spend"),
			    _("Savings Plan for"), _("Method"), _("Discount"), _("Commitment/h"),
			    _("Unused netted"), _("Covered on-demand"), _("Saving"));
		for (size_t i = 0; i < c->n_plans; i++) {
			const cr_report_sp_plan *p = &c->plans[i];

			cr_buf_addf(b, "<tr><th scope=\"row\">%s</th><td>%s</td><td class=\"num\">",
				    cr_render_plan_platform(p), cr_render_plan_method(p));
			h_share(b, p->discount);
			cr_buf_addf(b, " (%s)</td><td class=\"num\">", cr_render_plan_discount(p));
			h_money(b, r, p->commitment, false);
			cr_buf_adds(b, "</td><td class=\"num\">");
			h_money(b, r, p->unused_netted, false);
			cr_buf_adds(b, "</td><td class=\"num\">");
			h_money(b, r, p->covered, false);
			cr_buf_adds(b, "</td><td class=\"num\">");
			h_money(b, r, p->savings, false);
			cr_buf_adds(b, "</td></tr>\n");
		}
		cr_buf_adds(b, "</tbody>\n</table>\n");
	}
	cr_buf_adds(b, "</section>\n");
}

static void footer(cr_buf *b, const cr_report *r)
{
	cr_buf_addf(b, "</main>\n<footer>\n<p>costrank " COSTRANK_VERSION " \xC2\xB7 %s%s "
		    "\xC2\xB7 %s</p>\n", _("schema "), CR_REPORT_SCHEMA,
		    _("amounts rounded to cents for display; the JSON report holds them exactly."));
	if (r->n_files) {
		cr_buf_adds(b, "<details><summary>");
		cr_buf_addf(b, _("Source files (%zu)"), r->n_files);
		cr_buf_adds(b, "</summary>\n<ul>\n");
		for (size_t i = 0; i < r->n_files; i++) {
			cr_buf_adds(b, "<li>");
			h_data(b, r->files[i], 0);
			cr_buf_adds(b, "</li>\n");
		}
		cr_buf_adds(b, "</ul>\n</details>\n");
	}
	cr_buf_adds(b, "</footer>\n</body>\n</html>\n");
}

int cr_write_html(const cr_report *r, FILE *out, const cr_write_opts *o, cr_error *err)
{
	cr_buf b = CR_BUF_INIT;

	(void)o;
	(void)err; /* write errors stay on the stream for the caller's check */
	head(&b, r);
	summary(&b, r);
	charts(&b, r);
	for (size_t i = 0; i < r->n_allocations; i++)
		allocation(&b, r, i);
	cr_buf_addf(&b, "<section aria-labelledby=\"h-accounts\">\n"
		    "<h2 id=\"h-accounts\">%s</h2>\n", _("Accounts"));
	for (size_t i = 0; i < r->n_accounts; i++) {
		fwrite(b.ptr, 1, b.len, out);
		cr_buf_reset(&b);
		account(&b, r, &r->accounts[i]);
	}
	cr_buf_adds(&b, "</section>\n");
	proposals(&b, r);
	commitments(&b, r);
	if (r->realised)
		realised(&b, r);
	if (r->has_previous && r->n_drivers)
		drivers(&b, r);
	if (r->has_anomalies && r->n_anomalies)
		anomalies(&b, r);
	footer(&b, r);
	fwrite(b.ptr, 1, b.len, out);
	cr_buf_release(&b);
	return 0;
}
