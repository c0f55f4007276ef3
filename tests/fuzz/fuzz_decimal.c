/*
 * fuzz_decimal.c - exact money: cr_dec_parse and its round trips.
 *
 * The input is split at the first '|' into two amounts a and b.  For each
 * that parses:
 *   - parse(format(x, -1)) gives x back exactly (OK, not ROUNDED);
 *   - format(x, p) for p = 0..18 parses back to cr_dec_round(x, p), and
 *     the grouped form is the same digits with ',' between groups;
 *   - the value agrees with strtod within floating-point error;
 *   - a value that does not fit is refused, never wrapped.
 *   - the effect of its rounding is 0 when parsed exactly, at most half a
 *     unit of the 18th place otherwise;
 * For both: a + b - b == a when the sum fits, and a * n / n == a.
 */
#include <math.h>
#include <stdbool.h>

#include "costrank/decimal.h"

#include "fuzz.h"

__extension__ typedef unsigned __int128 u128;

#define I128_MAX ((cr_i128)(((u128)1 << 127) - 1))
#define TEN18 ((cr_i128)1000000000000000000LL)

static bool near_edge(cr_dec x)
{
	return x.v > I128_MAX - TEN18 || x.v < -I128_MAX + TEN18;
}

static void check_format(cr_dec x)
{
	char buf[CR_DEC_STRLEN], grouped[CR_DEC_STRLEN], plain[CR_DEC_STRLEN];
	cr_dec y;
	size_t n, k;
	int rc;

	n = cr_dec_format(x, -1, buf, sizeof buf);
	FUZZ_CHECK(n == strlen(buf) && n > 0 && n < CR_DEC_STRLEN);
	rc = cr_dec_parse(buf, n, &y);
	FUZZ_CHECK(rc == CR_DEC_OK);
	FUZZ_CHECK(cr_dec_cmp(x, y) == 0);
	/* trailing zeros trimmed, no "-0" */
	FUZZ_CHECK(!(strchr(buf, '.') && buf[n - 1] == '0'));
	FUZZ_CHECK(strcmp(buf, "-0") != 0);

	for (int p = 0; p <= CR_DEC_SCALE; p++) {
		cr_dec r = cr_dec_round(x, p);

		n = cr_dec_format(x, p, buf, sizeof buf);
		FUZZ_CHECK(n == strlen(buf) && n > 0 && n < CR_DEC_STRLEN);
		rc = cr_dec_parse(buf, n, &y);
		if (rc == CR_DEC_OVERFLOW) {
			/* rounding away from zero left the type: only at the edge */
			FUZZ_CHECK(near_edge(x));
		} else {
			FUZZ_CHECK(rc == CR_DEC_OK);
			FUZZ_CHECK(cr_dec_cmp(y, r) == 0);
		}
		/* exactly p decimals */
		{
			const char *dot = strchr(buf, '.');
			FUZZ_CHECK(p == 0 ? dot == NULL : dot && strlen(dot + 1) == (size_t)p);
		}
		/* grouped: the same text with the commas taken out */
		cr_dec_format_grouped(x, p, grouped, sizeof grouped);
		k = 0;
		for (const char *g = grouped; *g; g++)
			if (*g != ',')
				plain[k++] = *g;
		plain[k] = '\0';
		FUZZ_CHECK(strcmp(plain, buf) == 0);
	}
}

static void check_double(const char *s, size_t len, cr_dec x)
{
	char tmp[512];
	double want, got;

	if (len >= sizeof tmp)
		return;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	want = strtod(tmp, NULL);
	got = cr_dec_to_double(x);
	if (fabs(want) < 1e-6 || fabs(want) > 1e20)
		return;
	FUZZ_CHECK(fabs(got - want) <= fabs(want) * 1e-9);
}

/* Parses one amount; returns whether it gave a value. */
static bool one(const char *s, size_t len, cr_dec *x)
{
	int rc = cr_dec_parse(s, len, x);

	FUZZ_CHECK(rc == CR_DEC_OK || rc == CR_DEC_ROUNDED || rc == CR_DEC_INVALID ||
		   rc == CR_DEC_OVERFLOW);
	if (rc == CR_DEC_INVALID) {
		/* nothing but an optional sign, digits, one '.', an exponent */
		return false;
	}
	if (rc == CR_DEC_OVERFLOW)
		return false;
	/* the rounding's effect: none when exact, at most half a unit of the
	 * 18th place when rounded, written within CR_DEC_STRLEN */
	{
		cr_i128 eff = cr_dec_rounding_effect(s, len);
		char fine[CR_DEC_STRLEN];
		size_t n;

		if (rc == CR_DEC_OK)
			FUZZ_CHECK(eff == 0);
		FUZZ_CHECK(eff <= TEN18 / 2 && eff >= -TEN18 / 2);
		n = cr_dec_format_fine(eff, fine, sizeof fine);
		FUZZ_CHECK(n == strlen(fine) && n > 0 && n < CR_DEC_STRLEN);
	}
	FUZZ_CHECK(len > 0);
	check_format(*x);
	check_double(s, len, *x);
	return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	const char *bar = memchr(s, '|', size);
	size_t la = bar ? (size_t)(bar - s) : size;
	cr_dec a, b, sum, back, r;
	bool ha, hb;

	ha = one(s, la, &a);
	hb = bar ? one(bar + 1, size - la - 1, &b) : false;
	if (ha) {
		FUZZ_CHECK(cr_dec_mul_ratio(&r, a, 1, 1) == 0 && cr_dec_cmp(r, a) == 0);
		FUZZ_CHECK(cr_dec_mul_ratio(&r, a, 7, 7) == 0 && cr_dec_cmp(r, a) == 0);
		if (cr_dec_mul_ratio(&r, a, 3, 1) == 0) {
			FUZZ_CHECK(cr_dec_mul_ratio(&back, r, 1, 3) == 0);
			FUZZ_CHECK(cr_dec_cmp(back, a) == 0);
		}
		FUZZ_CHECK(cr_dec_sign(a) == cr_dec_cmp(a, CR_DEC_ZERO));
		FUZZ_CHECK(cr_dec_is_zero(a) == (cr_dec_sign(a) == 0));
	}
	if (ha && hb) {
		if (cr_dec_add(&sum, a, b) == 0) {
			FUZZ_CHECK(cr_dec_sub(&back, sum, b) == 0);
			FUZZ_CHECK(cr_dec_cmp(back, a) == 0);
			r = a;
			FUZZ_CHECK(cr_dec_acc(&r, b) == 0 && cr_dec_cmp(r, sum) == 0);
		} else {
			/* an overflow leaves the accumulator alone */
			r = a;
			FUZZ_CHECK(cr_dec_acc(&r, b) == CR_DEC_OVERFLOW && cr_dec_cmp(r, a) == 0);
		}
		FUZZ_CHECK(cr_dec_cmp(a, b) == -cr_dec_cmp(b, a));
	}
	return 0;
}
