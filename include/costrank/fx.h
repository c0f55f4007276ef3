/*
 * fx.h - a currency conversion given on the command line (--fx).
 *
 *   cr_fx fx;
 *   bool dated;
 *   if (cr_fx_parse("JPY=151.20@2026-10-31", &fx, &dated, &err) < 0) ...
 *   report->fx = fx;                  (fx.date = report->end when !dated)
 *   cr_fx_convert(&report->fx, report->total, &yen);
 *   cr_fx_describe(&b, report, report->total);
 *           "≈ ¥26,249,425 at 151.20 JPY/USD (2026-10-31)"
 *
 * The rate is the number of units of the target currency per unit of the
 * report's currency, parsed exactly (decimal.h); a conversion is exact up
 * to the 18th decimal place (rounded half away from zero there).  The
 * human formats (table, Markdown, HTML, XLSX, chat) show every amount
 * converted, with the rate, its date and the billed total in the report's
 * currency (cr_fx_basis); JSON and CSV keep the exact amounts in the
 * report's currency and add the converted ones beside them.
 */
#ifndef COSTRANK_FX_H
#define COSTRANK_FX_H

#include <stdbool.h>
#include <stddef.h>

#include "costrank/buf.h"
#include "costrank/decimal.h"
#include "costrank/error.h"
#include "costrank/report.h"

/*
 * Parses "CODE=RATE" or "CODE=RATE@YYYY-MM-DD": CODE three letters (ISO
 * 4217, made upper case), RATE a positive decimal ("151.20", "0.0066")
 * with at most 18 significant digits after the point.  *dated says whether
 * a date was given (fx->date is 0 otherwise).  Returns 0, or -1 with err
 * set (CR_EXIT_USAGE, naming the problem).
 */
int cr_fx_parse(const char *spec, cr_fx *fx, bool *dated, cr_error *err);

/* Whether the report carries a conversion. */
bool cr_fx_active(const cr_report *r);

/* *out = a x fx->rate; 0, or CR_DEC_OVERFLOW. */
int cr_fx_convert(const cr_fx *fx, cr_dec a, cr_dec *out);

/* Decimal places of the currency's minor unit: 0 for JPY, KRW and the
 * like, 3 for BHD, JOD, KWD, OMR, TND and the like, else 2. */
int cr_fx_minor_units(const char *code);

/* a converted and rounded to the currency's minor unit, as plain text
 * ("26249425", "-12.50"; no separators) into buf (CR_DEC_STRLEN bytes);
 * "" on overflow. */
void cr_fx_plain(const cr_fx *fx, cr_dec a, char *buf, size_t size);

/* The rate as text, exact, with at least two decimals: "151.20",
 * "0.0066137". */
void cr_fx_rate_text(cr_buf *b, const cr_fx *fx);

/* The symbol of a currency where it is unambiguous: "$" for USD, "€",
 * "£", "¥" (JPY), "₹", "₩"; NULL for the others and for NULL. */
const char *cr_fx_symbol(const char *code);

/* An amount in currency `code` rounded to its minor unit with thousands
 * separators: "¥26,249,425", "€1,234.50", "-$12.00", "+$7.00" (plus),
 * "CHF 1,234.50", "KWD 1.250".  The code comes from the data: only its
 * letters and digits are shown. */
void cr_fx_money_in(cr_buf *b, const char *code, cr_dec a, bool plus);

/* A converted amount rounded to the currency's minor unit with thousands
 * separators: "¥26,249,425", "€1,234.50", "CHF 1,234.50". */
void cr_fx_money(cr_buf *b, const cr_fx *fx, cr_dec converted);

/* "≈ ¥26,249,425 at 151.20 JPY/USD (2026-10-31)": amount (in the report's
 * currency) converted, with the rate and its date.  Appends nothing when
 * the report has no conversion; "≈ (out of range) ..." on overflow. */
void cr_fx_describe(cr_buf *b, const cr_report *r, cr_dec amount);

/* The basis of a report whose amounts are all shown converted: "amounts in
 * JPY at 151.20 JPY/USD (2026-10-31); billed $173,607.31".  Appends
 * nothing when the report has no conversion. */
void cr_fx_basis(cr_buf *b, const cr_report *r);

#endif
