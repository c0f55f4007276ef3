/* decimal.c - see costrank/decimal.h */
#include "costrank/decimal.h"

#include <stdio.h>
#include <string.h>

__extension__ typedef unsigned __int128 cr_u128;

#define TEN18 1000000000000000000ULL
#define TEN19 ((cr_u128)10000000000000000000ULL)

#define I128_MAX ((cr_i128)(((cr_u128)1 << 127) - 1))
#define I128_MIN (-I128_MAX - 1)

/* Largest magnitude a value of the given sign can have. */
#define MAG_LIMIT(neg) ((((cr_u128)1 << 127) - 1) + ((neg) ? 1 : 0))

/* Significant digits the parser accumulates in one pass: 10^38 - 1 < 2^128. */
#define FAST_DIGITS 38

/* Longest exponent accepted, in digits. */
#define EXP_DIGITS 4

static const cr_u128 pow10_tab[39] = {
	1ULL,
	10ULL,
	100ULL,
	1000ULL,
	10000ULL,
	100000ULL,
	1000000ULL,
	10000000ULL,
	100000000ULL,
	1000000000ULL,
	10000000000ULL,
	100000000000ULL,
	1000000000000ULL,
	10000000000000ULL,
	100000000000000ULL,
	1000000000000000ULL,
	10000000000000000ULL,
	100000000000000000ULL,
	1000000000000000000ULL,
	TEN19,
	TEN19 * 10ULL,
	TEN19 * 100ULL,
	TEN19 * 1000ULL,
	TEN19 * 10000ULL,
	TEN19 * 100000ULL,
	TEN19 * 1000000ULL,
	TEN19 * 10000000ULL,
	TEN19 * 100000000ULL,
	TEN19 * 1000000000ULL,
	TEN19 * 10000000000ULL,
	TEN19 * 100000000000ULL,
	TEN19 * 1000000000000ULL,
	TEN19 * 10000000000000ULL,
	TEN19 * 100000000000000ULL,
	TEN19 * 1000000000000000ULL,
	TEN19 * 10000000000000000ULL,
	TEN19 * 100000000000000000ULL,
	TEN19 * 1000000000000000000ULL,
	TEN19 * 10000000000000000000ULL,
};

static inline int is_digit(char c)
{
	return (unsigned char)(c - '0') < 10;
}

static inline cr_u128 magnitude(cr_i128 v)
{
	return v < 0 ? (cr_u128)0 - (cr_u128)v : (cr_u128)v;
}

/* mag must not exceed MAG_LIMIT(neg). */
static inline cr_i128 apply_sign(cr_u128 mag, int neg)
{
	if (!neg)
		return (cr_i128)mag;
	if (mag <= (cr_u128)I128_MAX)
		return -(cr_i128)mag;
	return I128_MIN;
}

/*
 * Rounds *mag half to even given how the dropped part compares with one
 * half unit (cmp < 0, == 0, > 0).  Returns 0 or CR_DEC_OVERFLOW.
 */
static int round_half_even(cr_u128 *mag, int cmp)
{
	if (cmp > 0 || (cmp == 0 && (*mag & 1))) {
		if (__builtin_add_overflow(*mag, 1, mag))
			return CR_DEC_OVERFLOW;
	}
	return 0;
}

static int finish(cr_u128 mag, int neg, int status, cr_dec *out)
{
	if (mag > MAG_LIMIT(neg))
		return CR_DEC_OVERFLOW;
	out->v = apply_sign(mag, neg);
	return status;
}

/* The i-th digit of the mantissa, counting the integer digits then the fraction digits. */
static inline unsigned digit_at(const char *ip, int64_t n_int, const char *fp, int64_t i)
{
	return (unsigned)((i < n_int ? ip[i] : fp[i - n_int]) - '0');
}

/*
 * General case for mantissas with more significant digits than fit in one
 * accumulator: walks the digits again.  The scaled value has its units
 * digit at mantissa position point - 1.
 */
static int parse_slow(const char *ip, int64_t n_int, const char *fp, int64_t ndig,
		      int64_t point, int neg, cr_dec *out)
{
	cr_u128 mag = 0;
	int64_t keep = point < ndig ? point : ndig;
	int64_t i;
	unsigned rd;
	int sticky = 0, cmp;

	for (i = 0; i < keep; i++) {
		if (__builtin_mul_overflow(mag, 10, &mag) ||
		    __builtin_add_overflow(mag, digit_at(ip, n_int, fp, i), &mag))
			return CR_DEC_OVERFLOW;
	}
	if (point >= ndig) {
		int64_t shift = point - ndig;

		if (mag && (shift > 38 || __builtin_mul_overflow(mag, pow10_tab[shift], &mag)))
			return CR_DEC_OVERFLOW;
		return finish(mag, neg, CR_DEC_OK, out);
	}

	/* Digits from position point on are dropped. */
	if (point < 0) {
		/* The rounding digit is an implied 0: the value rounds to zero. */
		for (i = 0; i < ndig && !sticky; i++)
			sticky = digit_at(ip, n_int, fp, i) != 0;
		return finish(0, neg, sticky ? CR_DEC_ROUNDED : CR_DEC_OK, out);
	}
	rd = digit_at(ip, n_int, fp, point);
	for (i = point + 1; i < ndig && !sticky; i++)
		sticky = digit_at(ip, n_int, fp, i) != 0;
	cmp = rd > 5 ? 1 : rd < 5 ? -1 : sticky;
	if (round_half_even(&mag, cmp))
		return CR_DEC_OVERFLOW;
	return finish(mag, neg, (rd || sticky) ? CR_DEC_ROUNDED : CR_DEC_OK, out);
}

/* Parses the exponent after 'e': optional sign and 1..EXP_DIGITS digits. */
static int parse_exponent(const char **pp, const char *end, int *expo)
{
	const char *p = *pp, *start;
	int neg = 0, e = 0;

	if (p < end && (*p == '+' || *p == '-'))
		neg = *p++ == '-';
	start = p;
	for (; p < end && is_digit(*p); p++) {
		if (p - start == EXP_DIGITS)
			return -1;
		e = e * 10 + (*p - '0');
	}
	if (p == start)
		return -1;
	*expo = neg ? -e : e;
	*pp = p;
	return 0;
}

/*
 * Skips the digits at p, appending them to *acc while *nsig, the count of
 * significant digits (leading zeros do not count), stays within
 * FAST_DIGITS; beyond that *nsig becomes FAST_DIGITS + 1 and the caller
 * takes the slow path.  Returns the first non-digit.
 */
static inline const char *scan_digits(const char *p, const char *end, cr_u128 *acc,
				      unsigned *nsig)
{
	cr_u128 a = *acc;
	unsigned n = *nsig;

	for (; p < end && is_digit(*p); p++) {
		if (n < FAST_DIGITS) {
			a = a * 10 + (unsigned)(*p - '0');
			n += a != 0;
		} else {
			n = FAST_DIGITS + 1;
		}
	}
	*acc = a;
	*nsig = n;
	return p;
}

int cr_dec_parse(const char *s, size_t len, cr_dec *out)
{
	const char *p = s, *end = s + len;
	const char *ip, *fp = NULL;
	int64_t n_int, n_frac = 0, ndig, point;
	cr_u128 acc = 0, mag;
	unsigned nsig = 0;
	int neg = 0, expo = 0;

	if (p < end && (*p == '+' || *p == '-'))
		neg = *p++ == '-';

	ip = p;
	p = scan_digits(p, end, &acc, &nsig);
	n_int = p - ip;
	if (p < end && *p == '.') {
		fp = ++p;
		p = scan_digits(p, end, &acc, &nsig);
		n_frac = p - fp;
	}
	ndig = n_int + n_frac;
	if (ndig == 0)
		return CR_DEC_INVALID;
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (parse_exponent(&p, end, &expo))
			return CR_DEC_INVALID;
	}
	if (p != end)
		return CR_DEC_INVALID;

	/* The scaled value's units digit is mantissa digit point - 1. */
	point = n_int + expo + CR_DEC_SCALE;
	if (nsig > FAST_DIGITS)
		return parse_slow(ip, n_int, fp, ndig, point, neg, out);

	if (point >= ndig) {
		int64_t shift = point - ndig;

		mag = 0;
		if (acc && (shift > 38 || __builtin_mul_overflow(acc, pow10_tab[shift], &mag)))
			return CR_DEC_OVERFLOW;
		return finish(mag, neg, CR_DEC_OK, out);
	} else {
		int64_t drop = ndig - point;
		cr_u128 unit, rem, half;

		if (drop > 38)	/* acc < 10^38 <= half a unit */
			return finish(0, neg, acc ? CR_DEC_ROUNDED : CR_DEC_OK, out);
		unit = pow10_tab[drop];
		half = unit / 2;
		mag = acc / unit;
		rem = acc % unit;
		if (round_half_even(&mag, (rem > half) - (rem < half)))
			return CR_DEC_OVERFLOW;
		return finish(mag, neg, rem ? CR_DEC_ROUNDED : CR_DEC_OK, out);
	}
}

int cr_dec_add(cr_dec *out, cr_dec a, cr_dec b)
{
	cr_i128 r;

	if (__builtin_add_overflow(a.v, b.v, &r))
		return CR_DEC_OVERFLOW;
	out->v = r;
	return 0;
}

int cr_dec_sub(cr_dec *out, cr_dec a, cr_dec b)
{
	cr_i128 r;

	if (__builtin_sub_overflow(a.v, b.v, &r))
		return CR_DEC_OVERFLOW;
	out->v = r;
	return 0;
}

cr_dec cr_dec_from_int(int64_t units)
{
	return (cr_dec){ (cr_i128)units * (cr_i128)TEN18 };
}

/* The most negative value has no positive counterpart: it saturates. */
cr_dec cr_dec_neg(cr_dec a)
{
	return (cr_dec){ a.v == I128_MIN ? I128_MAX : -a.v };
}

int cr_dec_cmp(cr_dec a, cr_dec b)
{
	return (a.v > b.v) - (a.v < b.v);
}

bool cr_dec_is_zero(cr_dec a)
{
	return a.v == 0;
}

int cr_dec_sign(cr_dec a)
{
	return (a.v > 0) - (a.v < 0);
}

/*
 * Places outside 0..18 are clamped.  At the very edge of the range, where
 * rounding away from zero would leave the type, the value is truncated.
 */
cr_dec cr_dec_round(cr_dec a, int places)
{
	cr_u128 mag, unit, res;
	int neg = a.v < 0;

	if (places >= CR_DEC_SCALE)
		return a;
	if (places < 0)
		places = 0;
	unit = pow10_tab[CR_DEC_SCALE - places];
	mag = magnitude(a.v);
	res = mag - mag % unit;
	if ((mag - res) * 2 >= unit && res + unit <= MAG_LIMIT(neg))
		res += unit;
	return (cr_dec){ apply_sign(res, neg) };
}

/*
 * a * num / den as (q * num) + (r * num) / den with q, r = a / den, a % den:
 * r < den < 2^63 and |num| <= 2^63, so r * num fits in 128 bits and only
 * the final result can overflow.  den <= 0 gives CR_DEC_INVALID.
 */
int cr_dec_mul_ratio(cr_dec *out, cr_dec a, int64_t num, int64_t den)
{
	cr_u128 mag = magnitude(a.v), n, q, r, hi, lo, res;
	uint64_t d;
	int neg;

	if (den <= 0)
		return CR_DEC_INVALID;
	d = (uint64_t)den;
	n = num < 0 ? (cr_u128)(0 - (uint64_t)num) : (cr_u128)num;
	neg = (a.v < 0) != (num < 0);

	q = mag / d;
	r = mag % d;
	if (__builtin_mul_overflow(q, n, &hi))
		return CR_DEC_OVERFLOW;
	lo = r * n;
	if (__builtin_add_overflow(hi, lo / d, &res))
		return CR_DEC_OVERFLOW;
	if ((lo % d) * 2 >= d && __builtin_add_overflow(res, 1, &res))
		return CR_DEC_OVERFLOW;
	if (res > MAG_LIMIT(neg))
		return CR_DEC_OVERFLOW;
	out->v = apply_sign(res, neg);
	return 0;
}

double cr_dec_ratio(cr_dec a, cr_dec b)
{
	if (b.v == 0)
		return 0.0;
	return (double)a.v / (double)b.v;
}

double cr_dec_to_double(cr_dec a)
{
	cr_i128 ip = a.v / (cr_i128)TEN18;
	int64_t fp = (int64_t)(a.v % (cr_i128)TEN18);

	return (double)ip + (double)fp / (double)TEN18;
}

/*
 * Writes the decimal digits of v backwards ending before end, with ','
 * between groups of three when group is set; returns the first character.
 * Works 18 digits at a time so that most divisions are 64-bit.
 */
static char *put_int(char *end, cr_u128 v, int group)
{
	char *p = end;
	int n = 0;

	for (;;) {
		uint64_t chunk;
		int width;

		if (v >= TEN18) {
			chunk = (uint64_t)(v % TEN18);
			v /= TEN18;
			width = 18;
		} else {
			chunk = (uint64_t)v;
			v = 0;
			width = 0;
		}
		do {
			if (group && n && n % 3 == 0)
				*--p = ',';
			*--p = (char)('0' + chunk % 10);
			chunk /= 10;
			n++;
			width--;
		} while (chunk || width > 0);
		if (!v)
			return p;
	}
}

static size_t format(cr_dec a, int places, int group, char *buf, size_t size)
{
	char tmp[CR_DEC_STRLEN];
	char *end = tmp + sizeof(tmp), *p = end;
	cr_u128 mag = magnitude(a.v), ip;
	uint64_t fp;
	int nfrac, nonzero;
	size_t n;

	if (places >= 0) {
		uint64_t unit;
		cr_u128 q;

		if (places > CR_DEC_SCALE)
			places = CR_DEC_SCALE;
		unit = (uint64_t)pow10_tab[CR_DEC_SCALE - places];
		q = mag / unit;
		if ((uint64_t)(mag % unit) * 2 >= unit)
			q++;
		ip = q / (uint64_t)pow10_tab[places];
		fp = (uint64_t)(q % (uint64_t)pow10_tab[places]);
		nfrac = places;
	} else {
		ip = mag / TEN18;
		fp = (uint64_t)(mag % TEN18);
		nfrac = fp ? CR_DEC_SCALE : 0;
		while (nfrac && fp % 10 == 0) {
			fp /= 10;
			nfrac--;
		}
	}
	nonzero = ip || fp;

	if (nfrac) {
		for (int i = 0; i < nfrac; i++) {
			*--p = (char)('0' + fp % 10);
			fp /= 10;
		}
		*--p = '.';
	}
	p = put_int(p, ip, group);
	if (a.v < 0 && nonzero)
		*--p = '-';

	if (!size)
		return 0;
	n = (size_t)(end - p);
	if (n >= size)
		n = size - 1;
	memcpy(buf, p, n);
	buf[n] = '\0';
	return n;
}

size_t cr_dec_format(cr_dec a, int places, char *buf, size_t size)
{
	return format(a, places, 0, buf, size);
}

size_t cr_dec_format_grouped(cr_dec a, int places, char *buf, size_t size)
{
	return format(a, places, 1, buf, size);
}

/* ---- rounding at parse ---------------------------------------------------- */

/* The digit at mantissa position i of s (integer digits, then fraction
 * digits), 0 outside them. */
static unsigned mantissa_digit(const char *ip, int64_t n_int, const char *fp, int64_t n_frac,
			       int64_t i)
{
	if (i < 0 || i >= n_int + n_frac)
		return 0;
	return digit_at(ip, n_int, fp, i);
}

cr_i128 cr_dec_rounding_effect(const char *s, size_t len)
{
	const char *p = s, *end = s + len, *ip, *fp = "";
	int64_t n_int, n_frac = 0, point;
	cr_u128 frac = 0, half = (cr_u128)TEN18 / 2, eff;
	int neg = 0, expo = 0, cmp;
	bool sticky = false, up;

	if (p < end && (*p == '+' || *p == '-'))
		neg = *p++ == '-';
	for (ip = p; p < end && is_digit(*p); p++)
		;
	n_int = p - ip;
	if (p < end && *p == '.') {
		for (fp = ++p; p < end && is_digit(*p); p++)
			;
		n_frac = p - fp;
	}
	if (p < end && (*p == 'e' || *p == 'E')) {
		p++;
		if (parse_exponent(&p, end, &expo))
			return 0;
	}
	if (p != end || n_int + n_frac == 0)
		return 0;
	/* dropped digits start at position point: 18 of them, then the rest */
	point = n_int + expo + CR_DEC_SCALE;
	for (int64_t k = 0; k < CR_DEC_SCALE; k++)
		frac = frac * 10 + mantissa_digit(ip, n_int, fp, n_frac, point + k);
	for (int64_t i = point + CR_DEC_SCALE > 0 ? point + CR_DEC_SCALE : 0;
	     i < n_int + n_frac && !sticky; i++)
		sticky = mantissa_digit(ip, n_int, fp, n_frac, i) != 0;
	cmp = frac > half ? 1 : frac < half ? -1 : sticky;
	/* half to even, as cr_dec_parse: the last kept digit's parity */
	up = cmp > 0 || (cmp == 0 && (mantissa_digit(ip, n_int, fp, n_frac, point - 1) & 1));
	eff = up ? (cr_u128)TEN18 - frac : frac;
	return (up != (neg != 0)) ? (cr_i128)eff : -(cr_i128)eff;
}

size_t cr_dec_format_fine(cr_i128 v, char *buf, size_t size)
{
	cr_u128 mag = v < 0 ? -(cr_u128)v : (cr_u128)v;
	cr_u128 ten36 = (cr_u128)TEN18 * TEN18;
	cr_dec whole = { (cr_i128)(mag / ten36) * (cr_i128)TEN18 };
	char digits[CR_DEC_FINE_SCALE + 1], head[CR_DEC_STRLEN];
	cr_u128 rest = mag % ten36;
	int n = CR_DEC_FINE_SCALE;

	for (int i = CR_DEC_FINE_SCALE - 1; i >= 0; i--, rest /= 10)
		digits[i] = (char)('0' + (int)(rest % 10));
	while (n > 0 && digits[n - 1] == '0')
		n--;
	digits[n] = '\0';
	cr_dec_format(whole, 0, head, sizeof head);
	return (size_t)snprintf(buf, size, "%s%s%s%s", v < 0 ? "-" : "", head, n ? "." : "",
				digits);
}
