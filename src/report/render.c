/* render.c - see render.h */
#include "report/render.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "costrank/error.h"
#include "costrank/text.h"

size_t cr_render_utf8_len(const unsigned char *s, size_t n)
{
	return cr_text_utf8_len(s, n);
}

/* What one well-formed sequence of k bytes at p becomes: NULL to keep it,
 * else its replacement.  keep_breaks keeps tabs and line breaks. */
static const char *replacement(const unsigned char *p, size_t k, bool keep_breaks)
{
	bool brk = (k == 1 && (p[0] == '\t' || p[0] == '\n' || p[0] == '\r')) ||
		   (k == 3 && p[0] == 0xE2 && p[1] == 0x80 && (p[2] == 0xA8 || p[2] == 0xA9));

	if (brk)
		return keep_breaks && k == 1 ? NULL : " ";
	if ((k == 1 && (p[0] < 0x20 || p[0] == 0x7F)) || cr_text_is_c1_or_bidi(p, k))
		return "?";
	return NULL;
}

static void clean(cr_buf *b, const char *s, size_t max, bool keep_breaks)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p), cells = 0;

	cr_buf_add(b, "", 0);
	for (size_t i = 0; i < n; cells++) {
		size_t k = cr_text_utf8_len(p + i, n - i);
		const char *rep;

		if (max && cells + 1 == max && i + (k ? k : 1) < n) {
			cr_buf_adds(b, "\xE2\x80\xA6");
			return;
		}
		if (k == 0) {
			cr_buf_adds(b, "\xEF\xBF\xBD");
			i++;
			continue;
		}
		rep = replacement(p + i, k, keep_breaks);
		if (rep)
			cr_buf_adds(b, rep);
		else
			cr_buf_add(b, p + i, k);
		i += k;
	}
}

void cr_render_clean(cr_buf *b, const char *s, size_t max)
{
	clean(b, s, max, false);
}

void cr_render_clean_multiline(cr_buf *b, const char *s)
{
	clean(b, s, 0, true);
}

size_t cr_render_width(const char *s)
{
	size_t w = 0;

	for (; s && *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			w++;
	return w;
}

void cr_render_fixed(cr_buf *b, double x, int places, bool plus, const char *suffix)
{
	char frac[8];
	long long scale = 1, v, a, fp;

	if (places < 0)
		places = 0;
	if (places > 6)
		places = 6;
	for (int i = 0; i < places; i++)
		scale *= 10;
	if (!isfinite(x) || fabs(x * (double)scale) > 9e17) {
		cr_buf_adds(b, "?");
		return;
	}
	v = llround(x * (double)scale);
	a = v < 0 ? -v : v;
	fp = a % scale;
	for (int i = places - 1; i >= 0; i--, fp /= 10)
		frac[i] = (char)('0' + fp % 10);
	frac[places] = '\0';
	cr_buf_addf(b, "%s%lld%s%s%s", v < 0 ? "-" : (plus && v > 0 ? "+" : ""), a / scale,
		    places ? "." : "", frac, suffix ? suffix : "");
}

const char *cr_render_currency_symbol(const char *currency)
{
	if (!currency)
		return NULL;
	if (strcmp(currency, "USD") == 0)
		return "$";
	if (strcmp(currency, "EUR") == 0)
		return "\xE2\x82\xAC";
	if (strcmp(currency, "GBP") == 0)
		return "\xC2\xA3";
	return NULL;
}

void cr_render_money(cr_buf *b, const char *currency, cr_dec a, bool plus)
{
	char tmp[CR_DEC_STRLEN];
	const char *sym = cr_render_currency_symbol(currency);
	const char *digits;
	const char *sign;

	cr_dec_format_grouped(a, 2, tmp, sizeof tmp);
	digits = tmp[0] == '-' ? tmp + 1 : tmp;
	sign = tmp[0] == '-' ? "-" : (plus && cr_dec_sign(cr_dec_round(a, 2)) > 0 ? "+" : "");
	if (sym) {
		cr_buf_addf(b, "%s%s%s", sign, sym, digits);
		return;
	}
	cr_buf_adds(b, sign);
	if (currency && *currency) {
		cr_render_clean(b, currency, 8);
		cr_buf_addc(b, ' ');
	}
	cr_buf_adds(b, digits);
}

void cr_render_change_of(const cr_report *r, cr_dec cost, cr_dec prev, cr_render_change *c)
{
	memset(c, 0, sizeof *c);
	if (!r->has_previous || cr_dec_sub(&c->diff, cost, prev) != 0) {
		c->diff = CR_DEC_ZERO;
		return;
	}
	c->known = true;
	c->dir = cr_dec_sign(c->diff);
	if (!cr_dec_is_zero(prev)) {
		c->has_pct = true;
		/* relative to |previous|, so that the sign is that of the change */
		c->pct = cr_dec_ratio(c->diff, prev) * 100.0 * cr_dec_sign(prev);
	}
}

void cr_render_change_pct(cr_buf *b, const cr_render_change *c, bool is_new)
{
	if (!c->known) {
		cr_buf_adds(b, "\xE2\x80\x94");
	} else if (is_new) {
		cr_buf_adds(b, "new");
	} else if (!c->has_pct) {
		cr_buf_adds(b, c->dir ? "\xE2\x80\x94" : "0.0%");
	} else {
		cr_render_fixed(b, c->pct, 1, true, "%");
	}
}

void cr_render_service_label(cr_buf *b, const cr_report_service *s)
{
	if (s->is_other) {
		if (s->other_count)
			cr_buf_addf(b, "Other services (%zu)", s->other_count);
		else
			cr_buf_adds(b, "Other services");
	} else {
		cr_render_clean(b, s->name, 0);
	}
}

void cr_render_usage_label(cr_buf *b, const cr_report_usage *u)
{
	if (u->is_other) {
		if (u->other_count)
			cr_buf_addf(b, "Other usage types (%zu)", u->other_count);
		else
			cr_buf_adds(b, "Other usage types");
	} else if (!u->usage_type || !*u->usage_type) {
		cr_buf_adds(b, "(none)");
	} else {
		cr_render_clean(b, u->usage_type, 0);
	}
}

void cr_render_prev_label(cr_buf *b, const cr_report *r)
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
