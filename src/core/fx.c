/* fx.c - see costrank/fx.h */
#include "costrank/fx.h"

#include <ctype.h>
#include <stdint.h>
#include <string.h>

#include "costrank/date.h"
#include "costrank/i18n.h"

#define MAX_SPEC 96

static bool is_code(const char *s, size_t n)
{
	if (n != 3)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isalpha((unsigned char)s[i]))
			return false;
	return true;
}

/* The rate as num / 10^places with num in int64: false when it does not
 * fit (too many significant digits). */
static bool rate_ratio(cr_dec rate, int64_t *num, int64_t *den)
{
	cr_i128 v = rate.v;
	int places = CR_DEC_SCALE;

	while (places > 0 && v % 10 == 0) {
		v /= 10;
		places--;
	}
	if (v <= 0 || v > (cr_i128)INT64_MAX)
		return false;
	*num = (int64_t)v;
	*den = 1;
	for (int i = 0; i < places; i++)
		*den *= 10;
	return true;
}

int cr_fx_parse(const char *spec, cr_fx *fx, bool *dated, cr_error *err)
{
	const char *eq, *at, *rate, *rate_end;
	int64_t num, den;
	int st;

	memset(fx, 0, sizeof *fx);
	*dated = false;
	if (!spec || strlen(spec) > MAX_SPEC)
		return cr_error_set(err, CR_EXIT_USAGE,
				    _("--fx: expected CODE=RATE[@YYYY-MM-DD], as in JPY=151.20"));
	eq = strchr(spec, '=');
	if (!eq || !is_code(spec, (size_t)(eq - spec)))
		return cr_error_set(err, CR_EXIT_USAGE,
				    _("--fx '%s': expected CODE=RATE[@YYYY-MM-DD] with a three-letter "
				    "ISO 4217 code, as in JPY=151.20"), spec);
	for (int i = 0; i < 3; i++)
		fx->code[i] = (char)toupper((unsigned char)spec[i]);
	fx->code[3] = '\0';
	rate = eq + 1;
	at = strchr(rate, '@');
	rate_end = at ? at : rate + strlen(rate);
	st = cr_dec_parse(rate, (size_t)(rate_end - rate), &fx->rate);
	if (st == CR_DEC_ROUNDED)
		return cr_error_set(err, CR_EXIT_USAGE,
				    _("--fx '%s': the rate has more than 18 decimal places"), spec);
	if (st != CR_DEC_OK || cr_dec_sign(fx->rate) <= 0)
		return cr_error_set(err, CR_EXIT_USAGE,
				    _("--fx '%s': the rate must be a positive decimal number, as in "
				    "151.20 (%s per unit of the report's currency)"), spec, fx->code);
	if (!rate_ratio(fx->rate, &num, &den))
		return cr_error_set(err, CR_EXIT_USAGE,
				    _("--fx '%s': the rate has too many significant digits"), spec);
	if (at) {
		if (strlen(at + 1) != 10 || cr_day_parse(at + 1, 10, &fx->date) < 0)
			return cr_error_set(err, CR_EXIT_USAGE,
					    _("--fx '%s': the date after '@' must be YYYY-MM-DD"), spec);
		*dated = true;
	}
	return 0;
}

bool cr_fx_active(const cr_report *r)
{
	return r && r->fx.code[0] != '\0';
}

int cr_fx_convert(const cr_fx *fx, cr_dec a, cr_dec *out)
{
	int64_t num, den;

	if (!rate_ratio(fx->rate, &num, &den))
		return CR_DEC_OVERFLOW;
	return cr_dec_mul_ratio(out, a, num, den) ? CR_DEC_OVERFLOW : 0;
}

int cr_fx_minor_units(const char *code)
{
	if (!code)
		return 2;
	static const char *const zero[] = {
		"BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG", "RWF", "UGX",
		"UYI", "VND", "VUV", "XAF", "XOF", "XPF",
	};
	static const char *const three[] = {
		"BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND",
	};
	static const char *const four[] = { "CLF", "UYW" };

	for (size_t i = 0; i < sizeof zero / sizeof zero[0]; i++)
		if (strcmp(code, zero[i]) == 0)
			return 0;
	for (size_t i = 0; i < sizeof three / sizeof three[0]; i++)
		if (strcmp(code, three[i]) == 0)
			return 3;
	for (size_t i = 0; i < sizeof four / sizeof four[0]; i++)
		if (strcmp(code, four[i]) == 0)
			return 4;
	return 2;
}

void cr_fx_plain(const cr_fx *fx, cr_dec a, char *buf, size_t size)
{
	cr_dec v;

	if (cr_fx_convert(fx, a, &v) != 0) {
		if (size)
			buf[0] = '\0';
		return;
	}
	cr_dec_format(v, cr_fx_minor_units(fx->code), buf, size);
}

void cr_fx_rate_text(cr_buf *b, const cr_fx *fx)
{
	char tmp[CR_DEC_STRLEN];
	const char *dot;

	cr_dec_format(fx->rate, -1, tmp, sizeof tmp);
	cr_buf_adds(b, tmp);
	dot = strchr(tmp, '.');
	if (!dot)
		cr_buf_adds(b, ".00");
	else if (strlen(dot + 1) == 1)
		cr_buf_addc(b, '0');
}

const char *cr_fx_symbol(const char *code)
{
	static const char *const map[][2] = {
		{ "USD", "$" }, { "EUR", "\xE2\x82\xAC" }, { "GBP", "\xC2\xA3" },
		{ "JPY", "\xC2\xA5" }, { "INR", "\xE2\x82\xB9" }, { "KRW", "\xE2\x82\xA9" },
	};

	for (size_t i = 0; code && i < sizeof map / sizeof map[0]; i++)
		if (strcmp(code, map[i][0]) == 0)
			return map[i][1];
	return NULL;
}

/* The code as text from the data: letters and digits only, at most 8. */
static void add_code(cr_buf *b, const char *code)
{
	for (const char *p = code ? code : ""; *p && p - code < 8; p++)
		cr_buf_addc(b, isalnum((unsigned char)*p) ? *p : '?');
}

void cr_fx_money_in(cr_buf *b, const char *code, cr_dec a, bool plus)
{
	char tmp[CR_DEC_STRLEN];
	const char *sym = cr_fx_symbol(code), *digits;
	int places = cr_fx_minor_units(code);

	cr_dec_format_grouped(a, places, tmp, sizeof tmp);
	digits = tmp[0] == '-' ? tmp + 1 : tmp;
	if (tmp[0] == '-')
		cr_buf_addc(b, '-');
	else if (plus && cr_dec_sign(cr_dec_round(a, places)) > 0)
		cr_buf_addc(b, '+');
	if (sym) {
		cr_buf_adds(b, sym);
	} else if (code && *code) {
		add_code(b, code);
		cr_buf_addc(b, ' ');
	}
	cr_buf_adds(b, digits);
}

void cr_fx_money(cr_buf *b, const cr_fx *fx, cr_dec converted)
{
	cr_fx_money_in(b, fx->code, converted, false);
}

void cr_fx_describe(cr_buf *b, const cr_report *r, cr_dec amount)
{
	char day[CR_DATE_STRLEN];
	cr_dec conv;

	if (!cr_fx_active(r))
		return;
	cr_buf_adds(b, "\xE2\x89\x88 ");
	if (cr_fx_convert(&r->fx, amount, &conv) == 0)
		cr_fx_money(b, &r->fx, conv);
	else
		cr_buf_adds(b, "(out of range)");
	cr_buf_adds(b, " at ");
	cr_fx_rate_text(b, &r->fx);
	cr_buf_addf(b, " %s/", r->fx.code);
	/* the report's currency comes from the data: letters only */
	add_code(b, r->currency);
	cr_day_format(r->fx.date, day);
	cr_buf_addf(b, " (%s)", day);
}

void cr_fx_basis(cr_buf *b, const cr_report *r)
{
	char day[CR_DATE_STRLEN];

	if (!cr_fx_active(r))
		return;
	cr_buf_addf(b, "amounts in %s at ", r->fx.code);
	cr_fx_rate_text(b, &r->fx);
	cr_buf_addf(b, " %s/", r->fx.code);
	add_code(b, r->currency);
	cr_day_format(r->fx.date, day);
	cr_buf_addf(b, " (%s); billed ", day);
	cr_fx_money_in(b, r->currency, r->total, false);
}
