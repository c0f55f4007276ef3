/* render.c - see render.h */
#include "report/render.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "costrank/error.h"
#include "costrank/fx.h"

size_t cr_render_utf8_len(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	size_t len;
	unsigned char lo = 0x80, hi = 0xBF;

	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF)
		len = 2;
	else if (c >= 0xE0 && c <= 0xEF) {
		len = 3;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		len = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else
		return 0;
	if (n < len || s[1] < lo || s[1] > hi)
		return 0;
	for (size_t i = 2; i < len; i++)
		if (s[i] < 0x80 || s[i] > 0xBF)
			return 0;
	return len;
}

void cr_render_clean(cr_buf *b, const char *s, size_t max)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p), cells = 0;

	cr_buf_add(b, "", 0);
	for (size_t i = 0; i < n; cells++) {
		size_t k = cr_render_utf8_len(p + i, n - i);

		if (max && cells + 1 == max && i + (k ? k : 1) < n) {
			cr_buf_adds(b, "\xE2\x80\xA6");
			return;
		}
		if (k == 0) {
			cr_buf_adds(b, "\xEF\xBF\xBD");
			i++;
		} else if (k == 1 && (p[i] == '\t' || p[i] == '\n' || p[i] == '\r')) {
			cr_buf_addc(b, ' ');
			i++;
		} else if ((k == 1 && (p[i] < 0x20 || p[i] == 0x7F)) ||
			   (k == 2 && p[i] == 0xC2 && p[i + 1] < 0xA0)) {
			cr_buf_addc(b, '?');
			i += k;
		} else {
			cr_buf_add(b, p + i, k);
			i += k;
		}
	}
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
	return cr_fx_symbol(currency);
}

void cr_render_money(cr_buf *b, const char *currency, cr_dec a, bool plus)
{
	cr_fx_money_in(b, currency, a, plus);
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

/* ---- display width ------------------------------------------------- */

/* Code points taking no cell: combining marks, zero-width spaces and
 * joiners, bidirectional marks, variation selectors. */
static const unsigned int zero_width[][2] = {
	{ 0x0300, 0x036F }, { 0x0483, 0x0489 }, { 0x0591, 0x05BD }, { 0x0610, 0x061A },
	{ 0x064B, 0x065F }, { 0x0E31, 0x0E31 }, { 0x0E34, 0x0E3A }, { 0x0E47, 0x0E4E },
	{ 0x1AB0, 0x1AFF }, { 0x1DC0, 0x1DFF }, { 0x200B, 0x200F }, { 0x202A, 0x202E },
	{ 0x2060, 0x2064 }, { 0x20D0, 0x20FF }, { 0x3099, 0x309A }, { 0xFE00, 0xFE0F },
	{ 0xFE20, 0xFE2F }, { 0xFEFF, 0xFEFF }, { 0xE0100, 0xE01EF },
};

/* East Asian Wide (W) and Fullwidth (F) ranges of Unicode's
 * EastAsianWidth.txt, merged: two cells each, whatever the locale. */
static const unsigned int wide[][2] = {
	{ 0x1100, 0x115F }, { 0x231A, 0x231B }, { 0x2329, 0x232A }, { 0x23E9, 0x23EC },
	{ 0x23F0, 0x23F0 }, { 0x23F3, 0x23F3 }, { 0x25FD, 0x25FE }, { 0x2614, 0x2615 },
	{ 0x2648, 0x2653 }, { 0x267F, 0x267F }, { 0x2693, 0x2693 }, { 0x26A1, 0x26A1 },
	{ 0x26AA, 0x26AB }, { 0x26BD, 0x26BE }, { 0x26C4, 0x26C5 }, { 0x26CE, 0x26CE },
	{ 0x26D4, 0x26D4 }, { 0x26EA, 0x26EA }, { 0x26F2, 0x26F3 }, { 0x26F5, 0x26F5 },
	{ 0x26FA, 0x26FA }, { 0x26FD, 0x26FD }, { 0x2705, 0x2705 }, { 0x270A, 0x270B },
	{ 0x2728, 0x2728 }, { 0x274C, 0x274C }, { 0x274E, 0x274E }, { 0x2753, 0x2755 },
	{ 0x2757, 0x2757 }, { 0x2795, 0x2797 }, { 0x27B0, 0x27B0 }, { 0x27BF, 0x27BF },
	{ 0x2B1B, 0x2B1C }, { 0x2B50, 0x2B50 }, { 0x2B55, 0x2B55 }, { 0x2E80, 0x3098 },
	{ 0x309B, 0x33FF }, { 0x3400, 0x4DBF }, { 0x4E00, 0x9FFF }, { 0xA000, 0xA4CF },
	{ 0xA960, 0xA97F }, { 0xAC00, 0xD7A3 }, { 0xF900, 0xFAFF }, { 0xFE10, 0xFE19 },
	{ 0xFE30, 0xFE6F }, { 0xFF00, 0xFF60 }, { 0xFFE0, 0xFFE6 }, { 0x16FE0, 0x16FE4 },
	{ 0x17000, 0x18AFF }, { 0x1B000, 0x1B2FF }, { 0x1F004, 0x1F004 }, { 0x1F0CF, 0x1F0CF },
	{ 0x1F18E, 0x1F18E }, { 0x1F191, 0x1F19A }, { 0x1F200, 0x1F251 }, { 0x1F300, 0x1F64F },
	{ 0x1F680, 0x1F6FF }, { 0x1F900, 0x1F9FF }, { 0x20000, 0x2FFFD }, { 0x30000, 0x3FFFD },
};

static bool in_ranges(const unsigned int (*t)[2], size_t n, unsigned int cp)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (cp < t[mid][0])
			hi = mid;
		else if (cp > t[mid][1])
			lo = mid + 1;
		else
			return true;
	}
	return false;
}

int cr_render_cp_cells(unsigned int cp)
{
	if (in_ranges(zero_width, sizeof zero_width / sizeof zero_width[0], cp))
		return 0;
	if (cp >= 0x1100 && in_ranges(wide, sizeof wide / sizeof wide[0], cp))
		return 2;
	return 1;
}

/* The code point of the well-formed sequence of k bytes at p. */
static unsigned int decode(const unsigned char *p, size_t k)
{
	unsigned int cp = k == 1 ? p[0] : k == 2 ? p[0] & 0x1Fu : k == 3 ? p[0] & 0x0Fu : p[0] & 0x07u;

	for (size_t i = 1; i < k; i++)
		cp = (cp << 6) | (p[i] & 0x3Fu);
	return cp;
}

/* Cells of the character at p (n bytes left); *len its length in bytes
 * (1 for a byte that starts no character: shown as U+FFFD, one cell). */
static int char_cells(const unsigned char *p, size_t n, size_t *len)
{
	size_t k = cr_render_utf8_len(p, n);

	*len = k ? k : 1;
	return k ? cr_render_cp_cells(decode(p, k)) : 1;
}

size_t cr_render_cells(const char *s)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p), w = 0;

	for (size_t i = 0, k; i < n; i += k)
		w += (size_t)char_cells(p + i, n - i, &k);
	return w;
}

size_t cr_render_fit(cr_buf *b, const char *s, size_t w)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	size_t n = strlen((const char *)p), used = 0, i = 0, k;

	cr_buf_add(b, "", 0);
	if (cr_render_cells(s) <= w) {
		cr_buf_add(b, p, n);
		return cr_render_cells(s);
	}
	if (w == 0)
		return 0;
	/* whole characters in w - 1 cells, then the ellipsis */
	while (i < n) {
		int c = char_cells(p + i, n - i, &k);
		if (used + (size_t)c > w - 1)
			break;
		cr_buf_add(b, p + i, k);
		used += (size_t)c;
		i += k;
	}
	/* marks that belong to the last character kept */
	while (i < n && char_cells(p + i, n - i, &k) == 0) {
		cr_buf_add(b, p + i, k);
		i += k;
	}
	cr_buf_adds(b, "\xE2\x80\xA6");
	return used + 1;
}

void cr_render_pad(cr_buf *b, const char *s, size_t w, bool right)
{
	size_t sw = cr_render_cells(s);

	if (sw >= w) {
		sw = cr_render_fit(b, s, w);
		while (sw++ < w)
			cr_buf_addc(b, ' ');
		return;
	}
	for (size_t i = sw; right && i < w; i++)
		cr_buf_addc(b, ' ');
	cr_buf_adds(b, s ? s : "");
	for (size_t i = sw; !right && i < w; i++)
		cr_buf_addc(b, ' ');
}

/* ---- amounts as shown ---------------------------------------------- */

const char *cr_render_shown_currency(const cr_report *r)
{
	return cr_fx_active(r) ? r->fx.code : r->currency;
}

int cr_render_shown(const cr_report *r, cr_dec a, cr_dec *out)
{
	if (!cr_fx_active(r)) {
		*out = a;
		return 0;
	}
	return cr_fx_convert(&r->fx, a, out) == 0 ? 0 : -1;
}

int cr_render_shown_places(const cr_report *r)
{
	return cr_fx_minor_units(cr_render_shown_currency(r));
}

void cr_render_amount(cr_buf *b, const cr_report *r, cr_dec a, bool plus)
{
	cr_dec v;

	if (cr_render_shown(r, a, &v) < 0) {
		cr_buf_adds(b, "(out of range)");
		return;
	}
	cr_fx_money_in(b, cr_render_shown_currency(r), v, plus);
}

void cr_render_amount_digits(cr_buf *b, const cr_report *r, cr_dec a, bool plus)
{
	char tmp[CR_DEC_STRLEN];
	int places = cr_render_shown_places(r);
	cr_dec v;

	if (cr_render_shown(r, a, &v) < 0) {
		cr_buf_adds(b, "(out of range)");
		return;
	}
	cr_dec_format_grouped(v, places, tmp, sizeof tmp);
	if (plus && tmp[0] != '-' && cr_dec_sign(cr_dec_round(v, places)) > 0)
		cr_buf_addc(b, '+');
	cr_buf_adds(b, tmp);
}
