/* date.c - see costrank/date.h */
#include "costrank/date.h"

#define YEAR_MIN 1000
#define YEAR_MAX 9999

#define MINUTES_PER_DAY (24 * 60)

/* Day numbers of 0000-01-01 and 9999-12-31, the range cr_day_format can write. */
#define DAY_FORMAT_MIN (-719528)
#define DAY_FORMAT_MAX 2932896

static int is_leap(int64_t y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int days_in_month(int64_t y, int m)
{
	static const unsigned char dim[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

/*
 * Days since 1970-01-01 of a valid proleptic Gregorian date, counted in
 * 400-year eras of 146097 days starting on March 1 so that the leap day
 * ends each year.
 */
static int64_t days_from_civil(int64_t y, int m, int d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (unsigned)((153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1);
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)((int64_t)yoe + era * 400 + (*m <= 2));
}

int cr_day_from_ymd(int y, int m, int d, cr_day *out)
{
	if (y < YEAR_MIN || y > YEAR_MAX || m < 1 || m > 12 || d < 1 ||
	    d > days_in_month(y, m))
		return -1;
	*out = (cr_day)days_from_civil(y, m, d);
	return 0;
}

void cr_day_to_ymd(cr_day day, int *y, int *m, int *d)
{
	civil_from_days(day, y, m, d);
}

int cr_day_weekday(cr_day day)
{
	/* 1970-01-01 was a Thursday. */
	int64_t w = ((int64_t)day + 3) % 7;

	return (int)(w < 0 ? w + 7 : w);
}

static int is_digit(char c)
{
	return (unsigned char)(c - '0') < 10;
}

/* Reads exactly n digits from s; 0, or -1 when one is not a digit. */
static int read_num(const char *s, int n, int *val)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if (!is_digit(s[i]))
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*val = v;
	return 0;
}

/* "YYYY-MM-DD" at s, which has at least 10 characters. */
static int read_date(const char *s, cr_day *out)
{
	int y, m, d;

	if (read_num(s, 4, &y) || s[4] != '-' || read_num(s + 5, 2, &m) ||
	    s[7] != '-' || read_num(s + 8, 2, &d))
		return -1;
	return cr_day_from_ymd(y, m, d, out);
}

/*
 * The zone after the time: "Z", or a sign and "HH:MM", "HHMM" or "HH".
 * Sets *minutes to the offset east of UTC.
 */
static int read_zone(const char **pp, const char *end, int *minutes)
{
	const char *p = *pp;
	int sign, hh, mm = 0;

	if (*p == 'Z' || *p == 'z') {
		*minutes = 0;
		*pp = p + 1;
		return 0;
	}
	if (*p != '+' && *p != '-')
		return -1;
	sign = *p++ == '-' ? -1 : 1;
	if (end - p < 2 || read_num(p, 2, &hh))
		return -1;
	p += 2;
	if (p < end) {
		if (*p == ':')
			p++;
		if (end - p < 2 || read_num(p, 2, &mm))
			return -1;
		p += 2;
	}
	if (hh > 23 || mm > 59)
		return -1;
	*minutes = sign * (hh * 60 + mm);
	*pp = p;
	return 0;
}

int cr_day_parse(const char *s, size_t len, cr_day *out)
{
	const char *p = s + 10, *end = s + len;
	int hh, mi, ss, offset = 0, minute;
	cr_day day;

	if (len < 10 || read_date(s, &day))
		return -1;
	if (p == end) {
		*out = day;
		return 0;
	}

	if (*p != 'T' && *p != 't' && *p != ' ')
		return -1;
	p++;
	if (end - p < 5 || read_num(p, 2, &hh) || p[2] != ':' || read_num(p + 3, 2, &mi))
		return -1;
	p += 5;
	if (hh > 23 || mi > 59)
		return -1;
	if (p < end && *p == ':') {
		if (end - p < 3 || read_num(p + 1, 2, &ss) || ss > 59)
			return -1;
		p += 3;
		if (p < end && *p == '.') {
			const char *frac = ++p;

			while (p < end && is_digit(*p))
				p++;
			if (p == frac)
				return -1;
		}
	}
	if (p < end && read_zone(&p, end, &offset))
		return -1;
	if (p != end)
		return -1;

	/* Offsets are whole minutes, so the seconds cannot move the day. */
	minute = hh * 60 + mi - offset;
	if (minute < 0)
		day--;
	else if (minute >= MINUTES_PER_DAY)
		day++;
	*out = day;
	return 0;
}

/* Days outside years 0000..9999 are written as the nearest end of that range. */
void cr_day_format(cr_day day, char *buf)
{
	int y, m, d;

	if (day < DAY_FORMAT_MIN)
		day = DAY_FORMAT_MIN;
	else if (day > DAY_FORMAT_MAX)
		day = DAY_FORMAT_MAX;
	civil_from_days(day, &y, &m, &d);
	buf[0] = (char)('0' + y / 1000);
	buf[1] = (char)('0' + y / 100 % 10);
	buf[2] = (char)('0' + y / 10 % 10);
	buf[3] = (char)('0' + y % 10);
	buf[4] = '-';
	buf[5] = (char)('0' + m / 10);
	buf[6] = (char)('0' + m % 10);
	buf[7] = '-';
	buf[8] = (char)('0' + d / 10);
	buf[9] = (char)('0' + d % 10);
	buf[10] = '\0';
}

int cr_month_parse(const char *s, cr_day *first, cr_day *last)
{
	int y, m;
	cr_day day;

	if (read_num(s, 4, &y) || s[4] != '-' || read_num(s + 5, 2, &m) || s[7] != '\0')
		return -1;
	if (cr_day_from_ymd(y, m, 1, &day))
		return -1;
	*first = day;
	*last = day + days_in_month(y, m) - 1;
	return 0;
}

cr_day cr_month_first(cr_day day)
{
	int y, m, d;

	civil_from_days(day, &y, &m, &d);
	return (cr_day)((int64_t)day - (d - 1));
}

cr_day cr_month_last(cr_day day)
{
	int y, m, d;

	civil_from_days(day, &y, &m, &d);
	return (cr_day)((int64_t)day + (days_in_month(y, m) - d));
}
