/*
 * render.h - text and number helpers shared by the writers (table,
 * JSON, XLSX, Markdown, HTML) and the chat payloads; internal to costrank.
 *
 * Text from the data is made clean before any escaping, by every writer
 * and the chat payloads alike: bytes that are not UTF-8 become U+FFFD, line
 * breaks (also U+2028, U+2029) and tabs a space, other control characters
 * (C0 with ESC, so no terminal escape or OSC sequence survives, DEL, C1)
 * and the bidirectional controls (U+061C, U+200E, U+200F, U+202A..U+202E,
 * U+2066..U+2069, which would reverse the rest of a line, amount included)
 * '?'.  Numbers are formatted without printf's locale-dependent
 * %f, so a report reads the same under any LC_NUMERIC.
 */
#ifndef COSTRANK_REPORT_RENDER_H
#define COSTRANK_REPORT_RENDER_H

#include <stdbool.h>
#include <stddef.h>

#include "costrank/buf.h"
#include "costrank/decimal.h"
#include "costrank/report.h"

/* Length of the well-formed UTF-8 sequence at s (n bytes left), 0 if none. */
size_t cr_render_utf8_len(const unsigned char *s, size_t n);

/* Appends s (NULL = "") made clean, at most max code points of it (0 = no
 * limit); a cut text ends with "…".  b->ptr is non-NULL afterwards. */
void cr_render_clean(cr_buf *b, const char *s, size_t max);

/* As cr_render_clean without a limit, but tabs and line feeds and carriage
 * returns stay (for formats that escape them, such as JSON). */
void cr_render_clean_multiline(cr_buf *b, const char *s);

/* Code points in clean UTF-8 text. */
size_t cr_render_width(const char *s);

/* x with `places` decimals (0..6), a "+" when plus and x > 0, then suffix:
 * "42.4%", "+5.6%"; "?" when x is not finite.  Never "-0.0". */
void cr_render_fixed(cr_buf *b, double x, int places, bool plus, const char *suffix);

/* "USD" -> "$", "EUR" -> "€", "GBP" -> "£", "JPY" -> "¥"; NULL for
 * currencies without an unambiguous symbol (cr_fx_symbol). */
const char *cr_render_currency_symbol(const char *currency);

/* Money rounded to the currency's ISO 4217 minor unit with thousands
 * separators: "$1,234.50", "-$12.00", "+$7,402.07" (plus), "¥26,041,096",
 * "CHF 1,234.50", "KWD 1.250". */
void cr_render_money(cr_buf *b, const char *currency, cr_dec a, bool plus);

/* Cost against the previous period. */
typedef struct cr_render_change {
	bool known;      /* the report has a previous period */
	bool has_pct;    /* the previous cost is not zero */
	cr_dec diff;     /* cost - previous */
	double pct;      /* diff as a percentage of |previous| (sign of diff) */
	int dir;         /* 1 up, -1 down, 0 unchanged or unknown */
} cr_render_change;

void cr_render_change_of(const cr_report *r, cr_dec cost, cr_dec prev, cr_render_change *c);

/* The change as text: "+5.6%", "-2.3%", "0.0%", "new" (is_new), or "—"
 * when there is nothing to compare with (no previous period, or a previous
 * cost of zero). */
void cr_render_change_pct(cr_buf *b, const cr_render_change *c, bool is_new);

/* "Other services (5)" for the remainder row, else the clean name. */
void cr_render_service_label(cr_buf *b, const cr_report_service *s);
/* "Other usage types (3)", else the clean usage type ("(none)" when empty). */
void cr_render_usage_label(cr_buf *b, const cr_report_usage *u);

/* "2026-09", or "2026-09-16 to 2026-09-30" when the previous period is not
 * a calendar month. */
void cr_render_prev_label(cr_buf *b, const cr_report *r);
/* The period as a heading names it: "2026-10" (2026年10月 in Japanese) for
 * a calendar month, else the period label.  Data cells keep ISO dates. */
void cr_render_period_heading(cr_buf *b, const cr_report *r);
/* "low", "medium", "high" (a rule's effort or risk) in the report's language. */
const char *cr_render_level(const char *level);
/* A rule's kind of action ("spot", "rightsizing", ...) in the report's language. */
const char *cr_render_action(const char *action);
/* A proposal's action and its confidence, "graviton, estimate" (localised;
 * folded rows add how many they hold), written into b; returns b->ptr. */
const char *cr_render_proposal_action(cr_buf *b, const cr_proposal *p);
/* The resources to act on for a proposal: the top resources of its line,
 * cleaned, "i-0abc ($1,234.00), vol-0def ($12.00)" (amounts when asked);
 * nothing added when the line lists none. */
void cr_render_proposal_resources(cr_buf *b, const cr_report *r, const cr_proposal *p,
				  bool amounts);
/* A proposal's priority in the currency the human formats show amounts in
 * (converted with --fx as its saving is; JSON and CSV keep the report
 * currency's), and as they write it: the currency's minor unit, thousands
 * separators, no symbol: "4,602.95", "695,966". */
double cr_render_shown_priority(const cr_report *r, const cr_proposal *p);
void cr_render_priority(cr_buf *b, const cr_report *r, const cr_proposal *p);
/* How the proposals are ordered (savings.c, cmp_proposal), one sentence in
 * the report's language, said once in each format's proposals section. */
const char *cr_render_proposal_order(void);
/* The proposal's confidence as one mark (M, P or E in English) for narrow
 * columns; cr_render_confidence_legend() says what the marks mean. */
const char *cr_render_confidence_mark(const cr_proposal *p);
const char *cr_render_confidence_legend(void);

/* ---- display width: terminal cells, whatever the locale ----------- */

/* Cells of one code point: 0 for combining marks and zero-width
 * characters, 2 for East Asian Wide and Fullwidth ones, else 1. */
int cr_render_cp_cells(unsigned int cp);

/* Cells of clean UTF-8 text (a byte that is not UTF-8 counts one). */
size_t cr_render_cells(const char *s);

/* Appends clean text s in at most w cells: whole, or as many whole
 * characters as fit in w - 1 cells followed by "…" (never half a
 * character or half a UTF-8 sequence).  Returns the cells appended. */
size_t cr_render_fit(cr_buf *b, const char *s, size_t w);

/* Appends s in a field of exactly w cells: cut as cr_render_fit does,
 * padded with spaces on the right (right = false) or the left. */
void cr_render_pad(cr_buf *b, const char *s, size_t w, bool right);

/* ---- amounts as shown: in the --fx currency when there is one ------ */

/* The currency the human formats show amounts in: the --fx code when
 * given, else the report's. */
const char *cr_render_shown_currency(const cr_report *r);

/* *out = a as shown (converted with --fx, exact); 0, or -1 when the
 * conversion overflows. */
int cr_render_shown(const cr_report *r, cr_dec a, cr_dec *out);

/* Decimal places of the shown currency's minor unit (JPY 0, USD 2). */
int cr_render_shown_places(const cr_report *r);

/* a as shown, with the currency: "$1,234.50", "¥26,249,425", "+€3.10"
 * (plus); "(out of range)" when the conversion overflows. */
void cr_render_amount(cr_buf *b, const cr_report *r, cr_dec a, bool plus);

/* a as shown, digits only: "1,234.50", "26,249,425", "+3.10" (plus). */
void cr_render_amount_digits(cr_buf *b, const cr_report *r, cr_dec a, bool plus);

/* A sparkline of n amounts, one block (U+2581..U+2588) each, from the
 * smallest to the largest; all equal: middle blocks.  For the trend. */
void cr_render_sparkline(cr_buf *b, const cr_dec *v, size_t n);

/* ---- the monthly loop: realised savings, drivers, anomalies ---------- */

/* "Last month (2026-09): 127 proposals, $33,829.29 proposed, $6,843.29
 * realised" (r->realised set). */
void cr_render_realised_headline(cr_buf *b, const cr_report *r);
/* "For this period's days: $34,956.94 proposed, $29,622.43 remaining; done
 * 17, partly done 23, not yet 65, line gone 0, line grew 22". */
void cr_render_realised_detail(cr_buf *b, const cr_report *r);
/* A realised status in the report's language ("done", "partly done", ...). */
const char *cr_render_status(int status);
/* The account's name as the report lists it, else its id. */
const char *cr_render_account_name(const cr_report *r, const char *id);

/* The drivers of the account at r->drivers[from]: *end is set past its
 * last entry, idx[] gets the indexes of its entries with a change, the
 * largest change (either way) first; returns their count.  idx has room
 * for r->n_drivers. */
size_t cr_render_driver_group(const cr_report *r, size_t from, size_t *end, size_t *idx);
/* The first entry of each account's drivers: the accounts in the report's
 * rank order, then any the report does not list; returns their count
 * (starts has room for r->n_drivers). */
size_t cr_render_driver_accounts(const cr_report *r, size_t *starts);
/* A top mover's kind in the report's language ("new", "largest rise", ...). */
const char *cr_render_mover_kind(int kind);
/* The movers of d: "new: EU-LCUUsage +$28.56; largest rise: LCUUsage
 * +$10.57; ..." (usage types clean; "" without movers). */
void cr_render_movers(cr_buf *b, const cr_report *r, const cr_report_driver *d);

/* "Anomalies: 0 day-level spikes, 4 new usage types" */
void cr_render_anomalies_title(cr_buf *b, const cr_report *r);
/* An anomaly's day ("2026-10-14"), or "new usage type" in the report's
 * language for a usage type new this period. */
void cr_render_anomaly_when(cr_buf *b, const cr_report_anomaly *a);
/* The usage types behind an anomaly: "BoxUsage:m5.xlarge +$420.00, ..." */
void cr_render_anomaly_usage(cr_buf *b, const cr_report *r, const cr_report_anomaly *a);
/* ---- existing commitments and sized plans (report.h) ---------------- */

/* One row of the existing-commitments table, the same in every format. */
typedef struct cr_render_crow {
	const char *label;       /* translated */
	bool is_share;           /* share, else amount */
	double share;            /* 0..1; < 0 when there is nothing to measure */
	cr_dec amount;
} cr_render_crow;

#define CR_RENDER_CROWS 6

/* The rows of r->commitments (Savings Plan commitment, used, utilization,
 * coverage; Reserved Instance coverage; unused reservation cost) into
 * rows[CR_RENDER_CROWS]; returns how many (0 when r has no commitments). */
size_t cr_render_commitment_rows(const cr_report *r, cr_render_crow *rows);

/* A sized plan's platform ("Windows", "Other platforms"), method ("hourly data",
 * "daily totals / 24") and discount source ("measured", "table"), translated. */
const char *cr_render_plan_platform(const cr_report_sp_plan *p);
const char *cr_render_plan_method(const cr_report_sp_plan *p);
const char *cr_render_plan_discount(const cr_report_sp_plan *p);

#endif
