/* csv_services.c - the services CSV, one row per listed service (see
 * costrank/writer.h)
 *
 * The same rules as the usage-type file (csv.c): RFC 4180 with CRLF line
 * ends, fields quoted when they hold a comma, a quote, a line break or a
 * leading or trailing space, amounts with exactly two decimals and no
 * thousands separators, ISO dates.  Every listed service of every account
 * is a row, and so is each "Other services" remainder, so that the cost
 * column adds up to the report total.
 */
#include "costrank/writer.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "costrank/buf.h"
#include "costrank/fx.h"

static const char *const columns[] = {
	"period_start", "period_end", "currency", "metric",
	"account_rank", "account_id", "account_name", "environment",
	"service_rank", "service", "cost", "previous_cost", "change", "change_pct",
	"share_of_account_pct", "usage_types_total", "new",
};
#define N_COLUMNS (sizeof columns / sizeof columns[0])
/* Added at the end only with --fx, so that the default columns stay. */
static const char *const fx_columns[] = {
	"cost_fx", "previous_cost_fx", "fx_currency", "fx_rate", "fx_date",
};

/* Appends s and a separating comma (end_line turns the last one into CRLF). */
static void add_field(cr_buf *line, const char *s)
{
	size_t n;
	bool quote;

	if (!s)
		s = "";
	n = strlen(s);
	quote = n && (s[0] == ' ' || s[n - 1] == ' ');
	if (!quote && strpbrk(s, ",\"\r\n") == NULL) {
		cr_buf_add(line, s, n);
	} else {
		cr_buf_addc(line, '"');
		for (const char *p = s; *p; p++) {
			if (*p == '"')
				cr_buf_addc(line, '"');
			cr_buf_addc(line, *p);
		}
		cr_buf_addc(line, '"');
	}
	cr_buf_addc(line, ',');
}

static void end_line(cr_buf *line, FILE *out)
{
	if (line->len && line->ptr[line->len - 1] == ',')
		line->len--;
	cr_buf_add(line, "\r\n", 2);
	fwrite(line->ptr, 1, line->len, out);
	cr_buf_reset(line);
}

static void add_uint(cr_buf *line, unsigned long long v)
{
	char tmp[24];

	snprintf(tmp, sizeof tmp, "%llu", v);
	add_field(line, tmp);
}

static void add_dec(cr_buf *line, cr_dec a)
{
	char tmp[CR_DEC_STRLEN];

	cr_dec_format(a, 2, tmp, sizeof tmp);
	add_field(line, tmp);
}

/* x with `places` decimals, without printf's %f (immune to LC_NUMERIC) and
 * without "-0.0". */
static void add_fixed(cr_buf *line, double x, int places)
{
	char tmp[48], frac[8];
	long long scale = 1, v, ip, fp;

	for (int i = 0; i < places; i++)
		scale *= 10;
	if (!isfinite(x) || fabs(x * (double)scale) > 9e17) {
		add_field(line, "");
		return;
	}
	v = llround(x * (double)scale);
	ip = (v < 0 ? -v : v) / scale;
	fp = (v < 0 ? -v : v) % scale;
	for (int i = places - 1; i >= 0; i--, fp /= 10)
		frac[i] = (char)('0' + fp % 10);
	frac[places] = '\0';
	snprintf(tmp, sizeof tmp, "%s%lld%s%s", v < 0 ? "-" : "", ip, places ? "." : "", frac);
	add_field(line, tmp);
}

/* previous_cost, change, change_pct: empty without a previous period. */
static void add_change(cr_buf *line, const cr_report *r, cr_dec cost, cr_dec prev)
{
	cr_dec d;

	if (!r->has_previous || cr_dec_sub(&d, cost, prev) != 0) {
		add_field(line, "");
		add_field(line, "");
		add_field(line, "");
		return;
	}
	add_dec(line, prev);
	add_dec(line, d);
	if (cr_dec_is_zero(prev))
		add_field(line, "");
	else /* relative to |previous|, so the sign is that of the change */
		add_fixed(line, cr_dec_ratio(d, prev) * 100.0 * cr_dec_sign(prev), 1);
}

/* With --fx: the converted cost and previous cost (rounded to the
 * currency's minor unit; the previous one empty when unknown), the
 * currency, rate and date. */
static void add_fx(cr_buf *line, const cr_report *r, cr_dec cost, cr_dec prev)
{
	char tmp[CR_DEC_STRLEN];

	cr_fx_plain(&r->fx, cost, tmp, sizeof tmp);
	add_field(line, tmp);
	tmp[0] = '\0';
	if (r->has_previous)
		cr_fx_plain(&r->fx, prev, tmp, sizeof tmp);
	add_field(line, tmp);
	add_field(line, r->fx.code);
	cr_dec_format(r->fx.rate, -1, tmp, sizeof tmp);
	add_field(line, tmp);
	cr_day_format(r->fx.date, tmp);
	add_field(line, tmp);
}

int cr_write_csv_services(const cr_report *r, FILE *out, const cr_write_opts *o,
			  cr_error *err)
{
	cr_buf line = CR_BUF_INIT;
	char start[CR_DATE_STRLEN], end[CR_DATE_STRLEN];

	(void)err; /* write errors stay on the stream for the caller's check */
	if (o && o->csv_bom)
		fputs("\xEF\xBB\xBF", out);
	for (size_t i = 0; i < N_COLUMNS; i++)
		add_field(&line, columns[i]);
	for (size_t i = 0; cr_fx_active(r) && i < sizeof fx_columns / sizeof fx_columns[0]; i++)
		add_field(&line, fx_columns[i]);
	end_line(&line, out);

	cr_day_format(r->start, start);
	cr_day_format(r->end, end);
	for (size_t i = 0; i < r->n_accounts; i++) {
		const cr_report_account *a = &r->accounts[i];

		for (size_t j = 0; j < a->n_services; j++) {
			const cr_report_service *s = &a->services[j];

			add_field(&line, start);
			add_field(&line, end);
			add_field(&line, r->currency);
			add_field(&line, cr_metric_name(r->metric));
			add_uint(&line, (unsigned long long)(a->rank > 0 ? a->rank : 0));
			add_field(&line, a->id);
			add_field(&line, a->name);
			add_field(&line, a->environment);
			if (s->is_other)
				add_field(&line, "");
			else
				add_uint(&line, (unsigned long long)(s->rank > 0 ? s->rank : 0));
			add_field(&line, s->name);
			add_dec(&line, s->cost);
			add_change(&line, r, s->cost, s->previous_cost);
			add_fixed(&line, s->share * 100.0, 2);
			add_uint(&line, (unsigned long long)s->usage_total);
			add_field(&line, r->has_previous && s->is_new ? "true" : "false");
			if (cr_fx_active(r))
				add_fx(&line, r, s->cost, s->previous_cost);
			end_line(&line, out);
		}
	}
	cr_buf_release(&line);
	return 0;
}
