/* render.c - see render.h */
#include "report/render.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "costrank/i18n.h"
#include "costrank/error.h"
#include "costrank/fx.h"
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
		cr_buf_adds(b, _("new"));
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
			cr_buf_addf(b, _("Other services (%zu)"), s->other_count);
		else
			cr_buf_adds(b, _("Other services"));
	} else {
		cr_render_clean(b, s->name, 0);
	}
}

void cr_render_usage_label(cr_buf *b, const cr_report_usage *u)
{
	if (u->is_other) {
		if (u->other_count)
			cr_buf_addf(b, _("Other usage types (%zu)"), u->other_count);
		else
			cr_buf_adds(b, _("Other usage types"));
	} else if (!u->usage_type || !*u->usage_type) {
		cr_buf_adds(b, _("(none)"));
	} else {
		cr_render_clean(b, u->usage_type, 0);
	}
}

/* "2026-10", or 2026年10月 in Japanese, as a heading names a month. */
static void month_label(cr_buf *b, cr_day first)
{
	char d[CR_DATE_STRLEN];

	cr_day_format(first, d);
	if (cr_i18n_current() == CR_LANG_JA)
		cr_buf_addf(b, "%.4s\xE5\xB9\xB4%d\xE6\x9C\x88", d, atoi(d + 5));
	else
		cr_buf_add(b, d, 7);
}

void cr_render_prev_label(cr_buf *b, const cr_report *r)
{
	char s[CR_DATE_STRLEN], e[CR_DATE_STRLEN];

	cr_day_format(r->prev_start, s);
	cr_day_format(r->prev_end, e);
	if (r->prev_start == cr_month_first(r->prev_start) &&
	    r->prev_end == cr_month_last(r->prev_start))
		month_label(b, r->prev_start);
	else
		cr_buf_addf(b, _("%s to %s"), s, e);
}

void cr_render_period_heading(cr_buf *b, const cr_report *r)
{
	/* English keeps the period's own label, whatever it is */
	if (cr_i18n_current() == CR_LANG_JA && r->start == cr_month_first(r->start) &&
	    r->end == cr_month_last(r->start))
		month_label(b, r->start);
	else
		cr_render_clean(b, r->period_label, 0);
}

const char *cr_render_action(const char *action)
{
	/* the rule table's kinds of action (enum cr_action), for display */
	static const char *const words[] = {
		N_("commitment"), N_("gp3-migration"), N_("graviton"), N_("idle-delete"),
		N_("log-reduction"), N_("network-path"), N_("off-hours"),
		N_("previous-generation"), N_("pricing-mode"), N_("retention"), N_("rightsizing"),
		N_("scheduled-scaling"), N_("spot"), N_("storage-class"), N_("upgrade"),
		N_("weekend-shutdown"),
	};

	for (size_t i = 0; action && i < sizeof words / sizeof *words; i++)
		if (strcmp(action, words[i]) == 0)
			return _(words[i]);
	return action;
}

void cr_render_proposal_resources(cr_buf *b, const cr_report *r, const cr_proposal *p,
				  bool amounts)
{
	const cr_report_usage *u = p->usage;

	for (size_t i = 0; u && i < u->n_resources; i++) {
		if (i)
			cr_buf_adds(b, ", ");
		cr_render_clean(b, u->resources[i].id, 0);
		if (amounts) {
			cr_buf_adds(b, " (");
			cr_render_amount(b, r, u->resources[i].cost, false);
			cr_buf_adds(b, ")");
		}
	}
}

const char *cr_render_proposal_action(cr_buf *b, const cr_proposal *p)
{
	static const char *const conf[] = { N_("measured"), N_("priced"), N_("estimate") };
	const char *c = p->confidence ? p->confidence : "estimate";

	cr_buf_reset(b);
	cr_buf_adds(b, cr_render_action(p->action));
	for (size_t i = 0; i < sizeof conf / sizeof *conf; i++)
		if (strcmp(c, conf[i]) == 0)
			c = _(conf[i]);
	cr_buf_addf(b, ", %s", c);
	return b->ptr ? b->ptr : "";
}

double cr_render_shown_priority(const cr_report *r, const cr_proposal *p)
{
	return cr_fx_active(r) ? p->priority * cr_dec_to_double(r->fx.rate) : p->priority;
}

void cr_render_priority(cr_buf *b, const cr_report *r, const cr_proposal *p)
{
	cr_buf t = CR_BUF_INIT;
	const char *s, *dot;
	size_t sign, whole;

	cr_render_fixed(&t, cr_render_shown_priority(r, p), cr_render_shown_places(r), false,
			NULL);
	s = t.ptr;
	sign = *s == '-';
	dot = strchr(s, '.');
	whole = (dot ? (size_t)(dot - s) : strlen(s)) - sign;
	if (sign)
		cr_buf_addc(b, '-');
	/* thousands separators in the whole part, as amounts have */
	for (size_t i = 0; i < whole; i++) {
		if (i && (whole - i) % 3 == 0)
			cr_buf_addc(b, ',');
		cr_buf_addc(b, s[sign + i]);
	}
	cr_buf_adds(b, s + sign + whole);
	cr_buf_release(&t);
}

const char *cr_render_proposal_order(void)
{
	/* the weights and factors of savings.c (effort_weight, risk_factor) */
	return _("Order: measured and priced proposals (counted in the total) first, then the "
		 "estimates to investigate; each part by priority = monthly saving / effort weight "
		 "(low 1, medium 2, high 4) x risk factor (low 1, medium 3/4, high 1/2), then by "
		 "the larger saving.");
}

const char *cr_render_confidence_mark(const cr_proposal *p)
{
	const char *c = p->confidence ? p->confidence : "estimate";

	if (strcmp(c, "measured") == 0)
		return _("M");
	if (strcmp(c, "priced") == 0)
		return _("P");
	return _("E");
}

const char *cr_render_confidence_legend(void)
{
	return _("Confidence: M measured, P priced (both counted in the total), E estimate "
		 "(to investigate, not counted)");
}

const char *cr_render_level(const char *level)
{
	/* the rule table's effort and risk words, translated for display */
	static const char *const words[] = { N_("low"), N_("medium"), N_("high") };

	for (size_t i = 0; level && i < sizeof words / sizeof *words; i++)
		if (strcmp(level, words[i]) == 0)
			return _(words[i]);
	return level;
}

/* ---- display width ------------------------------------------------- */

/* Generated from the Unicode Character Database 14.0: the ranges are
 * merged across unassigned code points.  Zero cells: nonspacing and
 * enclosing marks (Mn, Me), zero-width spaces and joiners, bidirectional
 * marks and embeddings, the word joiner and the BOM.  Two cells: East
 * Asian Wide (W) and Fullwidth (F) in EastAsianWidth.txt.  Whatever the
 * locale, a name takes the same cells. */
static const unsigned int zero_width[][2] = {
	{ 0x0300, 0x036F }, { 0x0483, 0x0489 }, { 0x0591, 0x05BD }, { 0x05BF, 0x05BF },
	{ 0x05C1, 0x05C2 }, { 0x05C4, 0x05C5 }, { 0x05C7, 0x05C7 }, { 0x0610, 0x061A },
	{ 0x064B, 0x065F }, { 0x0670, 0x0670 }, { 0x06D6, 0x06DC }, { 0x06DF, 0x06E4 },
	{ 0x06E7, 0x06E8 }, { 0x06EA, 0x06ED }, { 0x0711, 0x0711 }, { 0x0730, 0x074A },
	{ 0x07A6, 0x07B0 }, { 0x07EB, 0x07F3 }, { 0x07FD, 0x07FD }, { 0x0816, 0x0819 },
	{ 0x081B, 0x0823 }, { 0x0825, 0x0827 }, { 0x0829, 0x082D }, { 0x0859, 0x085B },
	{ 0x0898, 0x089F }, { 0x08CA, 0x08E1 }, { 0x08E3, 0x0902 }, { 0x093A, 0x093A },
	{ 0x093C, 0x093C }, { 0x0941, 0x0948 }, { 0x094D, 0x094D }, { 0x0951, 0x0957 },
	{ 0x0962, 0x0963 }, { 0x0981, 0x0981 }, { 0x09BC, 0x09BC }, { 0x09C1, 0x09C4 },
	{ 0x09CD, 0x09CD }, { 0x09E2, 0x09E3 }, { 0x09FE, 0x0A02 }, { 0x0A3C, 0x0A3C },
	{ 0x0A41, 0x0A51 }, { 0x0A70, 0x0A71 }, { 0x0A75, 0x0A75 }, { 0x0A81, 0x0A82 },
	{ 0x0ABC, 0x0ABC }, { 0x0AC1, 0x0AC8 }, { 0x0ACD, 0x0ACD }, { 0x0AE2, 0x0AE3 },
	{ 0x0AFA, 0x0B01 }, { 0x0B3C, 0x0B3C }, { 0x0B3F, 0x0B3F }, { 0x0B41, 0x0B44 },
	{ 0x0B4D, 0x0B56 }, { 0x0B62, 0x0B63 }, { 0x0B82, 0x0B82 }, { 0x0BC0, 0x0BC0 },
	{ 0x0BCD, 0x0BCD }, { 0x0C00, 0x0C00 }, { 0x0C04, 0x0C04 }, { 0x0C3C, 0x0C3C },
	{ 0x0C3E, 0x0C40 }, { 0x0C46, 0x0C56 }, { 0x0C62, 0x0C63 }, { 0x0C81, 0x0C81 },
	{ 0x0CBC, 0x0CBC }, { 0x0CBF, 0x0CBF }, { 0x0CC6, 0x0CC6 }, { 0x0CCC, 0x0CCD },
	{ 0x0CE2, 0x0CE3 }, { 0x0D00, 0x0D01 }, { 0x0D3B, 0x0D3C }, { 0x0D41, 0x0D44 },
	{ 0x0D4D, 0x0D4D }, { 0x0D62, 0x0D63 }, { 0x0D81, 0x0D81 }, { 0x0DCA, 0x0DCA },
	{ 0x0DD2, 0x0DD6 }, { 0x0E31, 0x0E31 }, { 0x0E34, 0x0E3A }, { 0x0E47, 0x0E4E },
	{ 0x0EB1, 0x0EB1 }, { 0x0EB4, 0x0EBC }, { 0x0EC8, 0x0ECD }, { 0x0F18, 0x0F19 },
	{ 0x0F35, 0x0F35 }, { 0x0F37, 0x0F37 }, { 0x0F39, 0x0F39 }, { 0x0F71, 0x0F7E },
	{ 0x0F80, 0x0F84 }, { 0x0F86, 0x0F87 }, { 0x0F8D, 0x0FBC }, { 0x0FC6, 0x0FC6 },
	{ 0x102D, 0x1030 }, { 0x1032, 0x1037 }, { 0x1039, 0x103A }, { 0x103D, 0x103E },
	{ 0x1058, 0x1059 }, { 0x105E, 0x1060 }, { 0x1071, 0x1074 }, { 0x1082, 0x1082 },
	{ 0x1085, 0x1086 }, { 0x108D, 0x108D }, { 0x109D, 0x109D }, { 0x135D, 0x135F },
	{ 0x1712, 0x1714 }, { 0x1732, 0x1733 }, { 0x1752, 0x1753 }, { 0x1772, 0x1773 },
	{ 0x17B4, 0x17B5 }, { 0x17B7, 0x17BD }, { 0x17C6, 0x17C6 }, { 0x17C9, 0x17D3 },
	{ 0x17DD, 0x17DD }, { 0x180B, 0x180D }, { 0x180F, 0x180F }, { 0x1885, 0x1886 },
	{ 0x18A9, 0x18A9 }, { 0x1920, 0x1922 }, { 0x1927, 0x1928 }, { 0x1932, 0x1932 },
	{ 0x1939, 0x193B }, { 0x1A17, 0x1A18 }, { 0x1A1B, 0x1A1B }, { 0x1A56, 0x1A56 },
	{ 0x1A58, 0x1A60 }, { 0x1A62, 0x1A62 }, { 0x1A65, 0x1A6C }, { 0x1A73, 0x1A7F },
	{ 0x1AB0, 0x1B03 }, { 0x1B34, 0x1B34 }, { 0x1B36, 0x1B3A }, { 0x1B3C, 0x1B3C },
	{ 0x1B42, 0x1B42 }, { 0x1B6B, 0x1B73 }, { 0x1B80, 0x1B81 }, { 0x1BA2, 0x1BA5 },
	{ 0x1BA8, 0x1BA9 }, { 0x1BAB, 0x1BAD }, { 0x1BE6, 0x1BE6 }, { 0x1BE8, 0x1BE9 },
	{ 0x1BED, 0x1BED }, { 0x1BEF, 0x1BF1 }, { 0x1C2C, 0x1C33 }, { 0x1C36, 0x1C37 },
	{ 0x1CD0, 0x1CD2 }, { 0x1CD4, 0x1CE0 }, { 0x1CE2, 0x1CE8 }, { 0x1CED, 0x1CED },
	{ 0x1CF4, 0x1CF4 }, { 0x1CF8, 0x1CF9 }, { 0x1DC0, 0x1DFF }, { 0x200B, 0x200F },
	{ 0x202A, 0x202E }, { 0x2060, 0x2064 }, { 0x20D0, 0x20F0 }, { 0x2CEF, 0x2CF1 },
	{ 0x2D7F, 0x2D7F }, { 0x2DE0, 0x2DFF }, { 0x302A, 0x302D }, { 0x3099, 0x309A },
	{ 0xA66F, 0xA672 }, { 0xA674, 0xA67D }, { 0xA69E, 0xA69F }, { 0xA6F0, 0xA6F1 },
	{ 0xA802, 0xA802 }, { 0xA806, 0xA806 }, { 0xA80B, 0xA80B }, { 0xA825, 0xA826 },
	{ 0xA82C, 0xA82C }, { 0xA8C4, 0xA8C5 }, { 0xA8E0, 0xA8F1 }, { 0xA8FF, 0xA8FF },
	{ 0xA926, 0xA92D }, { 0xA947, 0xA951 }, { 0xA980, 0xA982 }, { 0xA9B3, 0xA9B3 },
	{ 0xA9B6, 0xA9B9 }, { 0xA9BC, 0xA9BD }, { 0xA9E5, 0xA9E5 }, { 0xAA29, 0xAA2E },
	{ 0xAA31, 0xAA32 }, { 0xAA35, 0xAA36 }, { 0xAA43, 0xAA43 }, { 0xAA4C, 0xAA4C },
	{ 0xAA7C, 0xAA7C }, { 0xAAB0, 0xAAB0 }, { 0xAAB2, 0xAAB4 }, { 0xAAB7, 0xAAB8 },
	{ 0xAABE, 0xAABF }, { 0xAAC1, 0xAAC1 }, { 0xAAEC, 0xAAED }, { 0xAAF6, 0xAAF6 },
	{ 0xABE5, 0xABE5 }, { 0xABE8, 0xABE8 }, { 0xABED, 0xABED }, { 0xFB1E, 0xFB1E },
	{ 0xFE00, 0xFE0F }, { 0xFE20, 0xFE2F }, { 0xFEFF, 0xFEFF }, { 0x101FD, 0x101FD },
	{ 0x102E0, 0x102E0 }, { 0x10376, 0x1037A }, { 0x10A01, 0x10A0F }, { 0x10A38, 0x10A3F },
	{ 0x10AE5, 0x10AE6 }, { 0x10D24, 0x10D27 }, { 0x10EAB, 0x10EAC }, { 0x10F46, 0x10F50 },
	{ 0x10F82, 0x10F85 }, { 0x11001, 0x11001 }, { 0x11038, 0x11046 }, { 0x11070, 0x11070 },
	{ 0x11073, 0x11074 }, { 0x1107F, 0x11081 }, { 0x110B3, 0x110B6 }, { 0x110B9, 0x110BA },
	{ 0x110C2, 0x110C2 }, { 0x11100, 0x11102 }, { 0x11127, 0x1112B }, { 0x1112D, 0x11134 },
	{ 0x11173, 0x11173 }, { 0x11180, 0x11181 }, { 0x111B6, 0x111BE }, { 0x111C9, 0x111CC },
	{ 0x111CF, 0x111CF }, { 0x1122F, 0x11231 }, { 0x11234, 0x11234 }, { 0x11236, 0x11237 },
	{ 0x1123E, 0x1123E }, { 0x112DF, 0x112DF }, { 0x112E3, 0x112EA }, { 0x11300, 0x11301 },
	{ 0x1133B, 0x1133C }, { 0x11340, 0x11340 }, { 0x11366, 0x11374 }, { 0x11438, 0x1143F },
	{ 0x11442, 0x11444 }, { 0x11446, 0x11446 }, { 0x1145E, 0x1145E }, { 0x114B3, 0x114B8 },
	{ 0x114BA, 0x114BA }, { 0x114BF, 0x114C0 }, { 0x114C2, 0x114C3 }, { 0x115B2, 0x115B5 },
	{ 0x115BC, 0x115BD }, { 0x115BF, 0x115C0 }, { 0x115DC, 0x115DD }, { 0x11633, 0x1163A },
	{ 0x1163D, 0x1163D }, { 0x1163F, 0x11640 }, { 0x116AB, 0x116AB }, { 0x116AD, 0x116AD },
	{ 0x116B0, 0x116B5 }, { 0x116B7, 0x116B7 }, { 0x1171D, 0x1171F }, { 0x11722, 0x11725 },
	{ 0x11727, 0x1172B }, { 0x1182F, 0x11837 }, { 0x11839, 0x1183A }, { 0x1193B, 0x1193C },
	{ 0x1193E, 0x1193E }, { 0x11943, 0x11943 }, { 0x119D4, 0x119DB }, { 0x119E0, 0x119E0 },
	{ 0x11A01, 0x11A0A }, { 0x11A33, 0x11A38 }, { 0x11A3B, 0x11A3E }, { 0x11A47, 0x11A47 },
	{ 0x11A51, 0x11A56 }, { 0x11A59, 0x11A5B }, { 0x11A8A, 0x11A96 }, { 0x11A98, 0x11A99 },
	{ 0x11C30, 0x11C3D }, { 0x11C3F, 0x11C3F }, { 0x11C92, 0x11CA7 }, { 0x11CAA, 0x11CB0 },
	{ 0x11CB2, 0x11CB3 }, { 0x11CB5, 0x11CB6 }, { 0x11D31, 0x11D45 }, { 0x11D47, 0x11D47 },
	{ 0x11D90, 0x11D91 }, { 0x11D95, 0x11D95 }, { 0x11D97, 0x11D97 }, { 0x11EF3, 0x11EF4 },
	{ 0x16AF0, 0x16AF4 }, { 0x16B30, 0x16B36 }, { 0x16F4F, 0x16F4F }, { 0x16F8F, 0x16F92 },
	{ 0x16FE4, 0x16FE4 }, { 0x1BC9D, 0x1BC9E }, { 0x1CF00, 0x1CF46 }, { 0x1D167, 0x1D169 },
	{ 0x1D17B, 0x1D182 }, { 0x1D185, 0x1D18B }, { 0x1D1AA, 0x1D1AD }, { 0x1D242, 0x1D244 },
	{ 0x1DA00, 0x1DA36 }, { 0x1DA3B, 0x1DA6C }, { 0x1DA75, 0x1DA75 }, { 0x1DA84, 0x1DA84 },
	{ 0x1DA9B, 0x1DAAF }, { 0x1E000, 0x1E02A }, { 0x1E130, 0x1E136 }, { 0x1E2AE, 0x1E2AE },
	{ 0x1E2EC, 0x1E2EF }, { 0x1E8D0, 0x1E8D6 }, { 0x1E944, 0x1E94A },
};
static const unsigned int wide[][2] = {
	{ 0x1100, 0x115F }, { 0x231A, 0x231B }, { 0x2329, 0x232A }, { 0x23E9, 0x23EC },
	{ 0x23F0, 0x23F0 }, { 0x23F3, 0x23F3 }, { 0x25FD, 0x25FE }, { 0x2614, 0x2615 },
	{ 0x2648, 0x2653 }, { 0x267F, 0x267F }, { 0x2693, 0x2693 }, { 0x26A1, 0x26A1 },
	{ 0x26AA, 0x26AB }, { 0x26BD, 0x26BE }, { 0x26C4, 0x26C5 }, { 0x26CE, 0x26CE },
	{ 0x26D4, 0x26D4 }, { 0x26EA, 0x26EA }, { 0x26F2, 0x26F3 }, { 0x26F5, 0x26F5 },
	{ 0x26FA, 0x26FA }, { 0x26FD, 0x26FD }, { 0x2705, 0x2705 }, { 0x270A, 0x270B },
	{ 0x2728, 0x2728 }, { 0x274C, 0x274C }, { 0x274E, 0x274E }, { 0x2753, 0x2755 },
	{ 0x2757, 0x2757 }, { 0x2795, 0x2797 }, { 0x27B0, 0x27B0 }, { 0x27BF, 0x27BF },
	{ 0x2B1B, 0x2B1C }, { 0x2B50, 0x2B50 }, { 0x2B55, 0x2B55 }, { 0x2E80, 0x3029 },
	{ 0x302E, 0x303E }, { 0x3041, 0x3096 }, { 0x309B, 0x3247 }, { 0x3250, 0x4DBF },
	{ 0x4E00, 0xA4C6 }, { 0xA960, 0xA97C }, { 0xAC00, 0xD7A3 }, { 0xF900, 0xFAD9 },
	{ 0xFE10, 0xFE19 }, { 0xFE30, 0xFE6B }, { 0xFF01, 0xFF60 }, { 0xFFE0, 0xFFE6 },
	{ 0x16FE0, 0x16FE3 }, { 0x16FF0, 0x1B2FB }, { 0x1F004, 0x1F004 }, { 0x1F0CF, 0x1F0CF },
	{ 0x1F18E, 0x1F18E }, { 0x1F191, 0x1F19A }, { 0x1F200, 0x1F320 }, { 0x1F32D, 0x1F335 },
	{ 0x1F337, 0x1F37C }, { 0x1F37E, 0x1F393 }, { 0x1F3A0, 0x1F3CA }, { 0x1F3CF, 0x1F3D3 },
	{ 0x1F3E0, 0x1F3F0 }, { 0x1F3F4, 0x1F3F4 }, { 0x1F3F8, 0x1F43E }, { 0x1F440, 0x1F440 },
	{ 0x1F442, 0x1F4FC }, { 0x1F4FF, 0x1F53D }, { 0x1F54B, 0x1F54E }, { 0x1F550, 0x1F567 },
	{ 0x1F57A, 0x1F57A }, { 0x1F595, 0x1F596 }, { 0x1F5A4, 0x1F5A4 }, { 0x1F5FB, 0x1F64F },
	{ 0x1F680, 0x1F6C5 }, { 0x1F6CC, 0x1F6CC }, { 0x1F6D0, 0x1F6D2 }, { 0x1F6D5, 0x1F6DF },
	{ 0x1F6EB, 0x1F6EC }, { 0x1F6F4, 0x1F6FC }, { 0x1F7E0, 0x1F7F0 }, { 0x1F90C, 0x1F93A },
	{ 0x1F93C, 0x1F945 }, { 0x1F947, 0x1F9FF }, { 0x1FA70, 0x1FAF6 }, { 0x20000, 0x3134A },
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

void cr_render_sparkline(cr_buf *b, const cr_dec *v, size_t n)
{
	static const char *const blocks[8] = {
		"\xE2\x96\x81", "\xE2\x96\x82", "\xE2\x96\x83", "\xE2\x96\x84",
		"\xE2\x96\x85", "\xE2\x96\x86", "\xE2\x96\x87", "\xE2\x96\x88",
	};
	double lo = 0, hi = 0;

	cr_buf_add(b, "", 0);
	for (size_t k = 0; k < n; k++) {
		double x = cr_dec_to_double(v[k]);

		if (!k || x < lo)
			lo = x;
		if (!k || x > hi)
			hi = x;
	}
	for (size_t k = 0; k < n; k++) {
		double x = cr_dec_to_double(v[k]);
		int level = hi > lo ? (int)((x - lo) / (hi - lo) * 7.0 + 0.5) : 3;

		cr_buf_adds(b, blocks[level < 0 ? 0 : level > 7 ? 7 : level]);
	}
}

/* ---- the monthly loop ------------------------------------------------ */

void cr_render_realised_headline(cr_buf *b, const cr_report *r)
{
	const cr_report_realised *x = r->realised;
	cr_buf period = CR_BUF_INIT, proposed = CR_BUF_INIT, realised = CR_BUF_INIT;

	if (!x)
		return;
	if (x->start == cr_month_first(x->start) && x->end == cr_month_last(x->start))
		month_label(&period, x->start);
	else
		cr_render_clean(&period, x->period_label, 40);
	cr_render_amount(&proposed, r, x->proposed, false);
	cr_render_amount(&realised, r, x->realised, false);
	cr_buf_addf(b, x->n_items == 1 ?
		    _("Last month (%s): %zu proposal, %s proposed, %s realised") :
		    _("Last month (%s): %zu proposals, %s proposed, %s realised"),
		    period.ptr, x->n_items, proposed.ptr, realised.ptr);
	cr_buf_release(&period);
	cr_buf_release(&proposed);
	cr_buf_release(&realised);
}

void cr_render_realised_detail(cr_buf *b, const cr_report *r)
{
	const cr_report_realised *x = r->realised;
	cr_buf proposed = CR_BUF_INIT, remaining = CR_BUF_INIT;

	if (!x)
		return;
	cr_render_amount(&proposed, r, x->proposed_period, false);
	cr_render_amount(&remaining, r, x->remaining, false);
	cr_buf_addf(b, _("for this period's days: %s proposed, %s remaining"), proposed.ptr,
		    remaining.ptr);
	for (int k = 0; k < CR_REAL_COUNT; k++)
		cr_buf_addf(b, "%s%s %zu", k ? ", " : "; ", cr_render_status(k), x->counts[k]);
	cr_buf_release(&proposed);
	cr_buf_release(&remaining);
}

const char *cr_render_status(int status)
{
	static const char *const words[CR_REAL_COUNT] = {
		N_("done"), N_("partly done"), N_("not yet"), N_("line gone"), N_("line grew"),
	};

	return status >= 0 && status < CR_REAL_COUNT ? _(words[status]) : "?";
}

const char *cr_render_account_name(const cr_report *r, const char *id)
{
	for (size_t i = 0; id && i < r->n_accounts; i++)
		if (strcmp(r->accounts[i].id, id) == 0)
			return r->accounts[i].name && *r->accounts[i].name ? r->accounts[i].name : id;
	return id ? id : "";
}

static cr_dec dec_abs(cr_dec a)
{
	return cr_dec_sign(a) < 0 ? cr_dec_neg(a) : a;
}

size_t cr_render_driver_group(const cr_report *r, size_t from, size_t *end, size_t *idx)
{
	size_t e = from, n = 0;

	while (e < r->n_drivers && strcmp(r->drivers[e].account_id, r->drivers[from].account_id) == 0)
		e++;
	for (size_t i = from; i < e; i++)
		if (!cr_dec_is_zero(r->drivers[i].change))
			idx[n++] = i;
	/* insertion sort, stable: the data's order among equal changes */
	for (size_t i = 1; i < n; i++) {
		size_t v = idx[i], j = i;
		cr_dec cv = dec_abs(r->drivers[v].change);

		while (j > 0 && cr_dec_cmp(dec_abs(r->drivers[idx[j - 1]].change), cv) < 0) {
			idx[j] = idx[j - 1];
			j--;
		}
		idx[j] = v;
	}
	*end = e;
	return n;
}

size_t cr_render_driver_accounts(const cr_report *r, size_t *starts)
{
	size_t n = 0;

	for (size_t a = 0; a < r->n_accounts; a++)
		for (size_t i = 0; i < r->n_drivers; i++)
			if (strcmp(r->drivers[i].account_id, r->accounts[a].id) == 0) {
				starts[n++] = i;
				break;
			}
	for (size_t i = 0; i < r->n_drivers; i++) {
		bool listed = false;

		if (i && strcmp(r->drivers[i].account_id, r->drivers[i - 1].account_id) == 0)
			continue;
		for (size_t a = 0; a < r->n_accounts && !listed; a++)
			listed = strcmp(r->drivers[i].account_id, r->accounts[a].id) == 0;
		if (!listed)
			starts[n++] = i;
	}
	return n;
}

const char *cr_render_mover_kind(int kind)
{
	static const char *const words[] = {
		N_("new"), N_("largest rise"), N_("largest rise in %"), N_("gone"),
	};

	return kind >= 0 && kind < (int)(sizeof words / sizeof *words) ? _(words[kind]) : "?";
}

void cr_render_movers(cr_buf *b, const cr_report *r, const cr_report_driver *d)
{
	int last = -1;

	for (size_t k = 0; k < d->n_movers; k++) {
		const cr_report_mover *m = &d->movers[k];

		if (m->kind != last) {
			cr_buf_addf(b, "%s%s: ", k ? "; " : "", cr_render_mover_kind(m->kind));
			last = m->kind;
		} else {
			cr_buf_adds(b, ", ");
		}
		cr_render_clean(b, m->usage_type && *m->usage_type ? m->usage_type : _("(none)"), 0);
		cr_buf_adds(b, " ");
		cr_render_amount(b, r, m->change, true);
	}
	if (!b->ptr)
		cr_buf_adds(b, "");
}

void cr_render_anomalies_title(cr_buf *b, const cr_report *r)
{
	size_t spikes = 0, fresh = 0;

	for (size_t i = 0; i < r->n_anomalies; i++) {
		if (r->anomalies[i].is_new_usage)
			fresh++;
		else
			spikes++;
	}
	cr_buf_addf(b, _("Anomalies: %zu day-level spikes, %zu new usage types"), spikes, fresh);
}

void cr_render_anomaly_when(cr_buf *b, const cr_report_anomaly *a)
{
	char d[CR_DATE_STRLEN];

	if (a->is_new_usage) {
		cr_buf_adds(b, _("new usage type"));
		return;
	}
	cr_day_format(a->day, d);
	cr_buf_adds(b, d);
}

void cr_render_anomaly_usage(cr_buf *b, const cr_report *r, const cr_report_anomaly *a)
{
	for (size_t k = 0; k < a->n_usage; k++) {
		if (k)
			cr_buf_adds(b, ", ");
		cr_render_clean(b, a->usage_types[k] && *a->usage_types[k] ? a->usage_types[k]
				: _("(none)"), 0);
		cr_buf_adds(b, " ");
		cr_render_amount(b, r, a->usage_excess[k], true);
	}
	if (!b->ptr)
		cr_buf_adds(b, "");
}

/* ---- existing commitments ------------------------------------------ */

size_t cr_render_commitment_rows(const cr_report *r, cr_render_crow *rows)
{
	const cr_report_commitments *c = &r->commitments;
	size_t n = 0;

	if (!c->present)
		return 0;
	rows[n++] = (cr_render_crow){ _("Savings Plan commitment"), false, 0, c->sp_commitment };
	rows[n++] = (cr_render_crow){ _("Savings Plan commitment used"), false, 0, c->sp_used };
	rows[n++] = (cr_render_crow){ _("Savings Plan utilization"), true, c->sp_utilization,
				      CR_DEC_ZERO };
	rows[n++] = (cr_render_crow){ _("Savings Plan coverage of eligible on-demand spend"), true,
				      c->sp_coverage, CR_DEC_ZERO };
	rows[n++] = (cr_render_crow){ _("Reserved Instance coverage of running hours"), true,
				      c->ri_coverage, CR_DEC_ZERO };
	rows[n++] = (cr_render_crow){ _("Unused reservation cost"), false, 0, c->ri_unused };
	return n;
}

const char *cr_render_plan_platform(const cr_report_sp_plan *p)
{
	return p->platform && strcmp(p->platform, "windows") == 0 ? _("Windows") :
		_("Other platforms");
}

const char *cr_render_plan_method(const cr_report_sp_plan *p)
{
	return p->hourly ? _("hourly data") : _("daily totals / 24");
}

const char *cr_render_plan_discount(const cr_report_sp_plan *p)
{
	return p->discount_measured ? _("measured") : _("table");
}
