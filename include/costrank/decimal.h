/*
 * decimal.h - exact fixed-point money.
 *
 * A cr_dec holds value * 10^18 in a signed 128-bit integer: 18 decimal
 * places (CUR amounts carry up to 10-13) and a range of about +-1.7e20,
 * far beyond any bill.  Parsing, adding and comparing are exact; digits
 * beyond the 18th decimal place are rounded half to even when parsing (and
 * reported through the return value).  Rounding for display happens only in
 * cr_dec_format*, half away from zero, as money is usually rounded.
 * No floating point is involved except in cr_dec_to_double, which exists
 * for ratios (shares, percentages) that are displayed, never summed.
 */
#ifndef COSTRANK_DECIMAL_H
#define COSTRANK_DECIMAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define CR_DEC_SCALE 18

__extension__ typedef __int128 cr_i128;

typedef struct cr_dec {
	cr_i128 v; /* value * 10^CR_DEC_SCALE */
} cr_dec;

#define CR_DEC_ZERO ((cr_dec){ 0 })

enum cr_dec_status {
	CR_DEC_OK = 0,
	CR_DEC_ROUNDED = 1,    /* valid, but digits past the 18th place were
	                          rounded half to even */
	CR_DEC_INVALID = -1,   /* not a number (empty, junk, lone sign, "1e") */
	CR_DEC_OVERFLOW = -2   /* magnitude too large for the type */
};

/*
 * Parses s[0..len) as a decimal number: optional sign, digits with an
 * optional '.', optional exponent (e/E, sign, up to 4 digits), as in
 * "12", "-0.0000412300", "+.5", "5.0E-7", "1.2e+3".  No spaces, no
 * thousands separators, no "NaN"/"Inf".  The empty string is INVALID: callers
 * decide whether an empty field means zero.  Returns an enum cr_dec_status.
 */
int cr_dec_parse(const char *s, size_t len, cr_dec *out);

/* Sets *out = a + b (a - b); returns 0, or CR_DEC_OVERFLOW leaving *out unchanged. */
int cr_dec_add(cr_dec *out, cr_dec a, cr_dec b);
int cr_dec_sub(cr_dec *out, cr_dec a, cr_dec b);

/* *acc += x; returns 0 or CR_DEC_OVERFLOW (acc unchanged). */
static inline int cr_dec_acc(cr_dec *acc, cr_dec x)
{
	cr_i128 r;
	if (__builtin_add_overflow(acc->v, x.v, &r))
		return CR_DEC_OVERFLOW;
	acc->v = r;
	return 0;
}

cr_dec cr_dec_from_int(int64_t units);
cr_dec cr_dec_neg(cr_dec a);
int cr_dec_cmp(cr_dec a, cr_dec b);   /* -1, 0, 1 */
bool cr_dec_is_zero(cr_dec a);
int cr_dec_sign(cr_dec a);            /* -1, 0, 1 */

/* Rounds to `places` decimals (0..18), half away from zero. */
cr_dec cr_dec_round(cr_dec a, int places);

/*
 * *out = a * num / den, rounded half away from zero at the 18th place; for
 * savings fractions and schedule ratios.  den > 0.  Returns 0 or
 * CR_DEC_OVERFLOW.
 */
int cr_dec_mul_ratio(cr_dec *out, cr_dec a, int64_t num, int64_t den);

/* a / b as a double, 0.0 when b is zero: for shares and percentages only. */
double cr_dec_ratio(cr_dec a, cr_dec b);
double cr_dec_to_double(cr_dec a);

/*
 * Writes a rounded to `places` decimals (0..18) into buf as plain text:
 * "-1234.50" (no exponent, no thousands separator, "-" only when the rounded
 * value is not zero).  With places < 0 the exact value is written with
 * trailing zeros trimmed ("0.00004123", "12").  Returns the length written
 * (buf is always NUL-terminated; CR_DEC_STRLEN bytes are always enough).
 */
#define CR_DEC_STRLEN 64
size_t cr_dec_format(cr_dec a, int places, char *buf, size_t size);

/* Like cr_dec_format with a ',' between groups of three integer digits: "1,234,567.89". */
size_t cr_dec_format_grouped(cr_dec a, int places, char *buf, size_t size);

/*
 * What cr_dec_parse's rounding of s[0..len) did, for a number it answered
 * CR_DEC_ROUNDED: the rounded value minus the exact one, in units of
 * 10^-CR_DEC_FINE_SCALE (its magnitude is at most half of 10^-18); digits
 * past the 36th decimal place are not counted.  0 for a number that was
 * not rounded or is not valid.
 */
#define CR_DEC_FINE_SCALE 36
cr_i128 cr_dec_rounding_effect(const char *s, size_t len);
/* Writes v * 10^-CR_DEC_FINE_SCALE exactly, trailing zeros trimmed:
 * "-0.000000000000000000123".  Returns the length (CR_DEC_STRLEN bytes
 * are always enough). */
size_t cr_dec_format_fine(cr_i128 v, char *buf, size_t size);

#endif
