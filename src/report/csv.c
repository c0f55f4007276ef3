/* csv.c - the CSV reports: usage types, services and proposals (see
 * costrank/writer.h)
 *
 * RFC 4180: CRLF line ends, fields quoted when they hold a comma, a quote,
 * a line break or a leading or trailing space, quotes doubled.  The rows
 * are the usage types of every ranked service including the "Other usage
 * types" remainders, one row for each "Other services" remainder (and for
 * any service listed without usage types) with the usage type empty, so
 * that the cost column adds up to the report total.
 */
#include "costrank/i18n.h"
#include "costrank/writer.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "costrank/buf.h"
#include "costrank/fx.h"

#include "render.h"

static const char *const columns[] = {
	N_("period_start"), N_("period_end"), N_("currency"), N_("metric"),
	N_("account_rank"), N_("account_id"), N_("account_name"), N_("environment"),
	N_("service_rank"), N_("service"), N_("usage_type_rank"), N_("usage_type"),
	N_("cost"), N_("previous_cost"), N_("change"), N_("change_pct"), N_("share_of_account_pct"),
	N_("quantity"), N_("unit"), N_("new"),
};
#define N_COLUMNS (sizeof columns / sizeof columns[0])

/* A column's name: English (an interface), or with --csv-headers localized
 * in the report's language. */
static const char *head(const cr_write_opts *o, const char *name)
{
	return o && o->csv_localized ? _(name) : name;
}
/* Added at the end only with --fx, so that the default columns stay. */
static const char *const fx_columns[] = {
	N_("cost_fx"), N_("previous_cost_fx"), N_("fx_currency"), N_("fx_rate"), N_("fx_date"),
};

/* The services file: one row per listed service and remainder. */
static const char *const service_columns[] = {
	N_("period_start"), N_("period_end"), N_("currency"), N_("metric"),
	N_("account_rank"), N_("account_id"), N_("account_name"), N_("environment"),
	N_("service_rank"), N_("service"), N_("cost"), N_("previous_cost"), N_("change"), N_("change_pct"),
	N_("share_of_account_pct"), N_("usage_types_total"), N_("new"),
};

/*
 * Text a spreadsheet would run as a formula: after any leading spaces (a
 * line break or tab in the data is a space by then), it starts with '=',
 * '+', '-' or '@', or their full-width forms U+FF1D, U+FF0B, U+FF0D,
 * U+FF20, which some spreadsheets read as the ASCII ones.  Such cells get a
 * leading apostrophe (OWASP's advice for CSV injection).  Only text cells
 * are guarded: amounts are written by add_number and stay numbers.
 */
static bool formula_like(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;

	while (*p == ' ')
		p++;
	if (*p == '=' || *p == '+' || *p == '-' || *p == '@')
		return true;
	return p[0] == 0xEF && ((p[1] == 0xBC && (p[2] == 0x9D || p[2] == 0x8B || p[2] == 0x8D ||
						  p[2] == 0xA0)));
}

/* Appends s as is, quoted when needed, and a separating comma (end_line
 * turns the last one into CRLF); guard puts an apostrophe first. */
static void put_field(cr_buf *line, const char *s, bool guard)
{
	size_t n = strlen(s);
	bool quote = n && (s[0] == ' ' || s[n - 1] == ' ');

	if (!quote && strpbrk(s, ",\"\r\n") == NULL) {
		if (guard)
			cr_buf_addc(line, '\'');
		cr_buf_add(line, s, n);
	} else {
		cr_buf_addc(line, '"');
		if (guard)
			cr_buf_addc(line, '\'');
		for (const char *p = s; *p; p++) {
			if (*p == '"')
				cr_buf_addc(line, '"');
			cr_buf_addc(line, *p);
		}
		cr_buf_addc(line, '"');
	}
	cr_buf_addc(line, ',');
}

/* A text cell: s (NULL = "") made clean as in every other format (see
 * render.h), then guarded against formulas. */
static void add_field(cr_buf *line, const char *s)
{
	cr_buf clean = CR_BUF_INIT;

	cr_render_clean(&clean, s, 0);
	put_field(line, clean.ptr, formula_like(clean.ptr));
	cr_buf_release(&clean);
}

/* A number we formatted ourselves: never guarded, so "-12.50" stays a
 * number for the spreadsheet. */
static void add_number(cr_buf *line, const char *s)
{
	put_field(line, s, false);
}

static void end_line(cr_buf *line, FILE *out)
{
	if (line->len && line->ptr[line->len - 1] == ',')
		line->len--;
	cr_buf_add(line, "\r\n", 2);
	fwrite(line->ptr, 1, line->len, out);
	cr_buf_reset(line);
}

static void add_int(cr_buf *line, int v)
{
	char tmp[24];

	snprintf(tmp, sizeof tmp, "%d", v);
	add_number(line, tmp);
}

static void add_dec(cr_buf *line, cr_dec a, int places)
{
	char tmp[CR_DEC_STRLEN];

	cr_dec_format(a, places, tmp, sizeof tmp);
	add_number(line, tmp);
}

/* x with `places` decimals, without printf (immune to LC_NUMERIC) and
 * without "-0.0". */
static void add_fixed(cr_buf *line, double x, int places)
{
	cr_buf tmp = CR_BUF_INIT;

	if (!isfinite(x) || fabs(x) > 1e12) {
		add_field(line, "");
		return;
	}
	cr_render_fixed(&tmp, x, places, false, "");
	add_number(line, tmp.ptr);
	cr_buf_release(&tmp);
}

/* With --fx: the converted amounts (rounded to the currency's minor
 * unit; previous ones empty when unknown), the currency, rate and date. */
static void add_fx(cr_buf *line, const cr_report *r, const cr_dec *amounts,
		   const bool *known, size_t n)
{
	char tmp[CR_DEC_STRLEN];

	if (!cr_fx_active(r))
		return;
	for (size_t i = 0; i < n; i++) {
		tmp[0] = '\0';
		if (known[i])
			cr_fx_plain(&r->fx, amounts[i], tmp, sizeof tmp);
		add_number(line, tmp);
	}
	add_field(line, r->fx.code);
	cr_dec_format(r->fx.rate, -1, tmp, sizeof tmp);
	add_number(line, tmp);
	cr_day_format(r->fx.date, tmp);
	add_field(line, tmp);
}

/* The fields shared by every row of an account. */
typedef struct rowctx {
	const cr_report *r;
	const cr_report_account *a;
	char start[CR_DATE_STRLEN], end[CR_DATE_STRLEN];
} rowctx;

static void add_change(cr_buf *line, const cr_report *r, cr_dec cost, cr_dec prev)
{
	cr_dec d;

	if (!r->has_previous || cr_dec_sub(&d, cost, prev) != 0) {
		add_field(line, ""); /* previous_cost */
		add_field(line, ""); /* change */
		add_field(line, ""); /* change_pct */
		return;
	}
	add_dec(line, prev, 2);
	add_dec(line, d, 2);
	if (cr_dec_is_zero(prev))
		add_field(line, "");
	else /* relative to |previous|, so the sign is that of the change */
		add_fixed(line, cr_dec_ratio(d, prev) * 100.0 * cr_dec_sign(prev), 1);
}

static void emit_row(FILE *out, cr_buf *line, const rowctx *x,
		     const cr_report_service *s, const cr_report_usage *u)
{
	const cr_report *r = x->r;
	const cr_report_account *a = x->a;

	add_field(line, x->start);
	add_field(line, x->end);
	add_field(line, r->currency ? r->currency : "");
	add_field(line, cr_metric_name(r->metric));
	add_int(line, a->rank);
	add_field(line, a->id ? a->id : "");
	add_field(line, a->name ? a->name : "");
	add_field(line, a->environment ? a->environment : "");
	if (s->is_other)
		add_field(line, "");
	else
		add_int(line, s->rank);
	add_field(line, s->name ? s->name : "");
	if (u) {
		if (u->is_other)
			add_field(line, "");
		else
			add_int(line, u->rank);
		add_field(line, u->usage_type ? u->usage_type : "");
		add_dec(line, u->cost, 2);
		add_change(line, r, u->cost, u->previous_cost);
		add_fixed(line, u->share * 100.0, 2);
		add_dec(line, u->quantity, -1);
		add_field(line, u->unit ? u->unit : "");
		add_field(line, r->has_previous && u->is_new ? "true" : "false");
		add_fx(line, r, (cr_dec[]){ u->cost, u->previous_cost },
		       (bool[]){ true, r->has_previous }, 2);
	} else {
		add_field(line, "");
		add_field(line, "");
		add_dec(line, s->cost, 2);
		add_change(line, r, s->cost, s->previous_cost);
		add_fixed(line, s->share * 100.0, 2);
		add_field(line, "");
		add_field(line, "");
		add_field(line, r->has_previous && s->is_new ? "true" : "false");
		add_fx(line, r, (cr_dec[]){ s->cost, s->previous_cost },
		       (bool[]){ true, r->has_previous }, 2);
	}
	end_line(line, out);
}

int cr_write_csv(const cr_report *r, FILE *out, const cr_write_opts *o, cr_error *err)
{
	cr_buf line = CR_BUF_INIT;
	rowctx x;

	(void)err; /* write errors stay on the stream for the caller's check */
	if (o && o->csv_bom)
		fputs("\xEF\xBB\xBF", out);
	for (size_t i = 0; i < N_COLUMNS; i++)
		add_field(&line, head(o, columns[i]));
	for (size_t i = 0; cr_fx_active(r) && i < sizeof fx_columns / sizeof fx_columns[0]; i++)
		add_field(&line, head(o, fx_columns[i]));
	end_line(&line, out);

	x.r = r;
	cr_day_format(r->start, x.start);
	cr_day_format(r->end, x.end);
	for (size_t i = 0; i < r->n_accounts; i++) {
		x.a = &r->accounts[i];
		for (size_t j = 0; j < x.a->n_services; j++) {
			const cr_report_service *s = &x.a->services[j];
			if (s->n_usage == 0)
				emit_row(out, &line, &x, s, NULL);
			for (size_t k = 0; k < s->n_usage; k++)
				emit_row(out, &line, &x, s, &s->usage[k]);
		}
	}
	cr_buf_release(&line);
	return 0;
}

static const char *const proposal_columns[] = {
	N_("period_start"), N_("period_end"), N_("currency"), N_("rank"), N_("rule"), N_("action"),
	N_("account_id"), N_("account_name"), N_("environment"), N_("service"), N_("usage_type"),
	N_("monthly_cost"), N_("estimated_monthly_savings"), N_("estimated_annual_savings"),
	N_("effort"), N_("risk"), N_("priority"), N_("model"), N_("formula"), N_("evidence"),
	N_("alternatives"), N_("reference"), N_("title"), N_("confidence"), N_("counted"),
	N_("resources"),
};

int cr_write_csv_proposals(const cr_report *r, FILE *out, const cr_write_opts *o,
			   cr_error *err)
{
	cr_buf line = CR_BUF_INIT, alts = CR_BUF_INIT;
	char start[CR_DATE_STRLEN], end[CR_DATE_STRLEN];

	(void)err; /* write errors stay on the stream for the caller's check */
	if (o && o->csv_bom)
		fputs("\xEF\xBB\xBF", out);
	for (size_t i = 0; i < sizeof proposal_columns / sizeof proposal_columns[0]; i++)
		add_field(&line, head(o, proposal_columns[i]));
	if (cr_fx_active(r)) {
		add_field(&line, "estimated_monthly_savings_fx");
		for (size_t i = 2; i < sizeof fx_columns / sizeof fx_columns[0]; i++)
			add_field(&line, head(o, fx_columns[i]));
	}
	end_line(&line, out);
	cr_day_format(r->start, start);
	cr_day_format(r->end, end);
	for (size_t i = 0; i < r->n_proposals; i++) {
		const cr_proposal *p = &r->proposals[i];

		add_field(&line, start);
		add_field(&line, end);
		add_field(&line, r->currency ? r->currency : "");
		add_int(&line, p->rank);
		add_field(&line, p->rule);
		add_field(&line, p->action);
		add_field(&line, p->account_id);
		add_field(&line, p->account_name);
		add_field(&line, p->environment);
		add_field(&line, p->service);
		add_field(&line, p->usage_type);
		add_dec(&line, p->monthly_cost, 2);
		add_dec(&line, p->savings, 2);
		add_dec(&line, p->annual_savings, 2);
		add_field(&line, p->effort);
		add_field(&line, p->risk);
		add_fixed(&line, p->priority, 2);
		add_field(&line, p->model);
		add_field(&line, p->formula);
		add_field(&line, p->evidence);
		cr_buf_reset(&alts);
		for (size_t j = 0; j < p->n_alternatives; j++)
			cr_buf_addf(&alts, "%s%s", j ? ";" : "", p->alternatives[j].rule);
		add_field(&line, alts.ptr ? alts.ptr : "");
		add_field(&line, p->reference);
		add_field(&line, p->title);
		add_field(&line, p->confidence ? p->confidence : "estimate");
		add_field(&line, p->counted ? "true" : "false");
		cr_buf_reset(&alts);
		cr_render_proposal_resources(&alts, r, p, false);
		add_field(&line, alts.ptr ? alts.ptr : "");
		add_fx(&line, r, &p->savings, (bool[]){ true }, 1);
		end_line(&line, out);
	}
	cr_buf_release(&line);
	cr_buf_release(&alts);
	return 0;
}

/* The services CSV, one row per listed service (see costrank/writer.h). */
int cr_write_csv_services(const cr_report *r, FILE *out, const cr_write_opts *o,
			  cr_error *err)
{
	cr_buf line = CR_BUF_INIT;
	char start[CR_DATE_STRLEN], end[CR_DATE_STRLEN];

	(void)err; /* write errors stay on the stream for the caller's check */
	if (o && o->csv_bom)
		fputs("\xEF\xBB\xBF", out);
	for (size_t i = 0; i < sizeof service_columns / sizeof service_columns[0]; i++)
		add_field(&line, head(o, service_columns[i]));
	for (size_t i = 0; cr_fx_active(r) && i < sizeof fx_columns / sizeof fx_columns[0]; i++)
		add_field(&line, head(o, fx_columns[i]));
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
			add_int(&line, a->rank);
			add_field(&line, a->id);
			add_field(&line, a->name);
			add_field(&line, a->environment);
			if (s->is_other)
				add_field(&line, "");
			else
				add_int(&line, s->rank);
			add_field(&line, s->name);
			add_dec(&line, s->cost, 2);
			add_change(&line, r, s->cost, s->previous_cost);
			add_fixed(&line, s->share * 100.0, 2);
			add_int(&line, (int)s->usage_total);
			add_field(&line, r->has_previous && s->is_new ? "true" : "false");
			if (cr_fx_active(r))
				add_fx(&line, r, (cr_dec[]){ s->cost, s->previous_cost },
				       (bool[]){ true, r->has_previous }, 2);
			end_line(&line, out);
		}
	}
	cr_buf_release(&line);
	return 0;
}

/* The notes CSV: one row per warning of the report (see costrank/writer.h);
 * only the header when there is none, so that a set of reports never
 * keeps an earlier run's notes beside newer figures. */
int cr_write_csv_notes(const cr_report *r, FILE *out, const cr_write_opts *o, cr_error *err)
{
	cr_buf line = CR_BUF_INIT;
	char start[CR_DATE_STRLEN], end[CR_DATE_STRLEN];

	(void)err; /* write errors stay on the stream for the caller's check */
	if (o && o->csv_bom)
		fputs("\xEF\xBB\xBF", out);
	add_field(&line, "period_start");
	add_field(&line, "period_end");
	add_field(&line, "note");
	end_line(&line, out);
	cr_day_format(r->start, start);
	cr_day_format(r->end, end);
	for (size_t i = 0; i < r->n_warnings; i++) {
		add_field(&line, start);
		add_field(&line, end);
		add_field(&line, r->warnings[i]);
		end_line(&line, out);
	}
	cr_buf_release(&line);
	return 0;
}

/* A finance file's start: the BOM when asked, then its header row. */
static void start_file(cr_buf *line, FILE *out, const cr_write_opts *o,
		       const char *const *names, size_t n)
{
	if (o && o->csv_bom)
		fputs("\xEF\xBB\xBF", out);
	for (size_t k = 0; k < n; k++)
		add_field(line, names[k]);
	end_line(line, out);
}

static const char *const allocation_columns[] = {
	"period_start", "period_end", "currency", "metric", "dimension", "rank", "value",
	"untagged", "cost", "previous_cost", "change", "share_pct", "new", "top_services",
};

int cr_write_csv_allocation(const cr_report *r, size_t i, FILE *out, const cr_write_opts *o,
			    cr_error *err)
{
	const cr_report_allocation *al = &r->allocations[i];
	cr_buf line = CR_BUF_INIT, svcs = CR_BUF_INIT;
	char start[CR_DATE_STRLEN], end[CR_DATE_STRLEN];

	(void)err; /* write errors stay on the stream for the caller's check */
	start_file(&line, out, o, allocation_columns, sizeof allocation_columns / sizeof allocation_columns[0]);
	cr_day_format(r->start, start);
	cr_day_format(r->end, end);
	for (size_t k = 0; k < al->n_values; k++) {
		const cr_report_alloc_value *v = &al->values[k];

		add_field(&line, start);
		add_field(&line, end);
		add_field(&line, r->currency);
		add_field(&line, cr_metric_name(r->metric));
		add_field(&line, al->dimension);
		if (v->is_untagged)
			add_field(&line, "");
		else
			add_int(&line, v->rank);
		add_field(&line, v->is_untagged ? al->untagged_label : v->value);
		add_field(&line, v->is_untagged ? "true" : "false");
		add_dec(&line, v->cost, -1);
		if (r->has_previous) {
			add_dec(&line, v->previous_cost, -1);
			add_dec(&line, v->change, -1);
		} else {
			add_field(&line, "");
			add_field(&line, "");
		}
		add_fixed(&line, v->share * 100.0, 2);
		add_field(&line, r->has_previous && v->is_new ? "true" : "false");
		cr_buf_reset(&svcs);
		for (size_t j = 0; j < v->n_services; j++)
			cr_buf_addf(&svcs, "%s%s", j ? "; " : "", v->services[j].name);
		add_field(&line, svcs.len ? svcs.ptr : "");
		end_line(&line, out);
	}
	cr_buf_release(&line);
	cr_buf_release(&svcs);
	return 0;
}

void cr_allocation_file_part(const char *dimension, char *buf, size_t size)
{
	size_t n = 0;

	for (const char *p = dimension; *p && n + 1 < size; p++) {
		unsigned char ch = (unsigned char)*p;
		bool ok = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
			  (ch >= '0' && ch <= '9') || ch == '.' || ch == '_' || ch == '-';
		buf[n++] = ch == ':' ? '-' : ok ? (char)ch : '_';
	}
	if (size)
		buf[n] = '\0';
}

/* The trend file: one row a month for the organisation, each account and
 * each service it lists (written only when the report has a trend). */
static const char *const trend_columns[] = {
	"month", "currency", "metric", "scope", "account_id", "account_name", "service", "cost",
};

static void trend_row(cr_buf *line, FILE *out, const cr_report *r, cr_day month,
		      const char *scope, const cr_report_account *a, const char *service, cr_dec v)
{
	char m[CR_DATE_STRLEN];

	cr_day_format(month, m);
	m[7] = '\0';
	add_field(line, m);
	add_field(line, r->currency);
	add_field(line, cr_metric_name(r->metric));
	add_field(line, scope);
	add_field(line, a ? a->id : "");
	add_field(line, a ? a->name : "");
	add_field(line, service);
	add_dec(line, v, -1);
	end_line(line, out);
}

int cr_write_csv_trend(const cr_report *r, FILE *out, const cr_write_opts *o, cr_error *err)
{
	const cr_report_trend *t = &r->trend;
	size_t nm = t->n_months;
	cr_buf line = CR_BUF_INIT;

	(void)err; /* write errors stay on the stream for the caller's check */
	start_file(&line, out, o, trend_columns, sizeof trend_columns / sizeof trend_columns[0]);
	for (size_t k = 0; k < nm; k++)
		trend_row(&line, out, r, t->months[k], "organisation", NULL, "", t->total[k]);
	for (size_t i = 0; i < r->n_accounts && nm; i++) {
		const cr_report_account *a = &r->accounts[i];

		for (size_t k = 0; k < nm; k++)
			trend_row(&line, out, r, t->months[k], "account", a, "",
				  t->accounts[i * nm + k]);
		for (size_t j = 0; j < a->n_services; j++)
			for (size_t k = 0; k < nm; k++)
				trend_row(&line, out, r, t->months[k], "service", a,
					  a->services[j].name, t->services[i][j * nm + k]);
	}
	cr_buf_release(&line);
	return 0;
}

/* The resources file: for each listed usage type, its top resources, one
 * row for the other resources and one for the lines without a resource
 * id; a usage type's rows sum to its cost. */
static const char *const resource_columns[] = {
	"period_start", "period_end", "currency", "metric", "account_id", "account_name",
	"service", "usage_type", "usage_type_cost", "row", "rank", "resource_id", "cost",
	"share_pct", "first_day", "last_day",
};

bool cr_report_lists_resources(const cr_report *r)
{
	for (size_t a = 0; r->has_resources && a < r->n_accounts; a++)
		for (size_t s = 0; s < r->accounts[a].n_services; s++)
			for (size_t u = 0; u < r->accounts[a].services[s].n_usage; u++)
				if (r->accounts[a].services[s].usage[u].n_resources)
					return true;
	return false;
}

static void resource_row(cr_buf *line, FILE *out, const cr_report *r,
			 const cr_report_account *acc, const cr_report_service *s,
			 const cr_report_usage *u, const char *kind, const cr_report_resource *x,
			 cr_dec cost, double share)
{
	char d[CR_DATE_STRLEN];

	cr_day_format(r->start, d);
	add_field(line, d);
	cr_day_format(r->end, d);
	add_field(line, d);
	add_field(line, r->currency);
	add_field(line, cr_metric_name(r->metric));
	add_field(line, acc->id);
	add_field(line, acc->name);
	add_field(line, s->name);
	add_field(line, u->usage_type);
	add_dec(line, u->cost, -1);
	add_field(line, kind);
	if (x)
		add_int(line, x->rank);
	else
		add_field(line, "");
	add_field(line, x ? x->id : "");
	add_dec(line, cost, -1);
	add_fixed(line, share * 100.0, 2);
	if (x) {
		cr_day_format(x->first_day, d);
		add_field(line, d);
		cr_day_format(x->last_day, d);
		add_field(line, d);
	} else {
		add_field(line, "");
		add_field(line, "");
	}
	end_line(line, out);
}

int cr_write_csv_resources(const cr_report *r, FILE *out, const cr_write_opts *o,
			   cr_error *err)
{
	cr_buf line = CR_BUF_INIT;

	(void)err; /* write errors stay on the stream for the caller's check */
	start_file(&line, out, o, resource_columns, sizeof resource_columns / sizeof resource_columns[0]);
	for (size_t a = 0; r->has_resources && a < r->n_accounts; a++) {
		const cr_report_account *acc = &r->accounts[a];
		for (size_t s = 0; s < acc->n_services; s++) {
			const cr_report_service *svc = &acc->services[s];
			for (size_t k = 0; k < svc->n_usage; k++) {
				const cr_report_usage *u = &svc->usage[k];
				if (u->is_other || (!u->resources_total && !u->no_resource.v))
					continue;
				for (size_t i = 0; i < u->n_resources; i++)
					resource_row(&line, out, r, acc, svc, u, "resource",
						     &u->resources[i], u->resources[i].cost,
						     u->resources[i].share);
				if (u->resources_total > u->n_resources)
					resource_row(&line, out, r, acc, svc, u, "other_resources", NULL,
						     u->resources_other,
						     cr_dec_ratio(u->resources_other, u->cost));
				if (u->no_resource.v)
					resource_row(&line, out, r, acc, svc, u, "no_resource_id", NULL,
						     u->no_resource, u->no_resource_share);
			}
		}
	}
	cr_buf_release(&line);
	return 0;
}

/* The realised-savings file: one row per proposal of the --baseline report. */
static const char *const realised_columns[] = {
	"baseline_period", "baseline_rank", "rule", "account_id", "account_name", "service",
	"usage_type", "target_usage_type", "status", "measured_on", "currency", "proposed",
	"proposed_period", "baseline_cost", "expected_cost", "current_cost", "target_growth",
	"realised", "remaining",
};

int cr_write_csv_realised(const cr_report *r, FILE *out, const cr_write_opts *o, cr_error *err)
{
	const cr_report_realised *x = r->realised;
	cr_buf line = CR_BUF_INIT;
	char rank[16];

	(void)err;
	if (o && o->csv_bom)
		fputs("\xEF\xBB\xBF", out);
	for (size_t i = 0; i < sizeof realised_columns / sizeof realised_columns[0]; i++)
		add_field(&line, realised_columns[i]);
	end_line(&line, out);
	for (size_t i = 0; x && i < x->n_items; i++) {
		const cr_realised_item *it = &x->items[i];

		add_field(&line, x->period_label);
		snprintf(rank, sizeof rank, "%d", it->baseline_rank);
		add_number(&line, it->baseline_rank ? rank : "");
		add_field(&line, it->rule);
		add_field(&line, it->account_id);
		add_field(&line, it->account_name);
		add_field(&line, it->service);
		add_field(&line, it->usage_type);
		add_field(&line, it->target_usage_type);
		add_field(&line, cr_realised_status_name(it->status));
		add_field(&line, it->weekend ? "weekend-days" : "all-days");
		add_field(&line, r->currency);
		add_dec(&line, it->proposed, -1);
		add_dec(&line, it->proposed_period, -1);
		add_dec(&line, it->baseline_cost, -1);
		add_dec(&line, it->expected_cost, -1);
		add_dec(&line, it->current_cost, -1);
		add_dec(&line, it->target_growth, -1);
		add_dec(&line, it->realised, -1);
		add_dec(&line, it->remaining, -1);
		end_line(&line, out);
	}
	cr_buf_release(&line);
	return 0;
}

/* The drivers file: one row per account and service, its top movers in
 * the last columns ("usage type: change; ..."). */
static const char *const drivers_columns[] = {
	"account_id", "service", "currency", "previous_cost", "cost", "change", "usage", "rate",
	"discounts", "other", "new_usage_types", "largest_rise", "largest_rise_percent",
	"usage_types_gone",
};

static void movers_field(cr_buf *line, const cr_report_driver *d, int kind)
{
	cr_buf b = CR_BUF_INIT;
	char tmp[CR_DEC_STRLEN];

	for (size_t k = 0; k < d->n_movers; k++) {
		if (d->movers[k].kind != kind)
			continue;
		cr_dec_format(d->movers[k].change, -1, tmp, sizeof tmp);
		cr_buf_addf(&b, "%s%s: %s", b.len ? "; " : "", d->movers[k].usage_type, tmp);
	}
	add_field(line, b.ptr ? b.ptr : "");
	cr_buf_release(&b);
}

int cr_write_csv_drivers(const cr_report *r, FILE *out, const cr_write_opts *o, cr_error *err)
{
	cr_buf line = CR_BUF_INIT;

	(void)err;
	if (o && o->csv_bom)
		fputs("\xEF\xBB\xBF", out);
	for (size_t i = 0; i < sizeof drivers_columns / sizeof drivers_columns[0]; i++)
		add_field(&line, drivers_columns[i]);
	end_line(&line, out);
	for (size_t i = 0; i < r->n_drivers; i++) {
		const cr_report_driver *d = &r->drivers[i];

		add_field(&line, d->account_id);
		add_field(&line, d->service);
		add_field(&line, r->currency);
		add_dec(&line, d->previous_cost, -1);
		add_dec(&line, d->cost, -1);
		add_dec(&line, d->change, -1);
		add_dec(&line, d->usage, -1);
		add_dec(&line, d->rate, -1);
		add_dec(&line, d->discounts, -1);
		add_dec(&line, d->other, -1);
		for (int k = CR_MOVER_NEW; k <= CR_MOVER_GONE; k++)
			movers_field(&line, d, k);
		end_line(&line, out);
	}
	cr_buf_release(&line);
	return 0;
}

static const char *const anomaly_columns[] = {
	"kind", "day", "account_id", "account_name", "service", "currency", "cost",
	"baseline_median", "excess", "usage_types",
};

int cr_write_csv_anomalies(const cr_report *r, FILE *out, const cr_write_opts *o, cr_error *err)
{
	cr_buf line = CR_BUF_INIT;
	char day[CR_DATE_STRLEN];

	(void)err;
	if (o && o->csv_bom)
		fputs("\xEF\xBB\xBF", out);
	for (size_t i = 0; i < sizeof anomaly_columns / sizeof anomaly_columns[0]; i++)
		add_field(&line, anomaly_columns[i]);
	end_line(&line, out);
	for (size_t i = 0; i < r->n_anomalies; i++) {
		const cr_report_anomaly *a = &r->anomalies[i];
		cr_buf u = CR_BUF_INIT;

		add_field(&line, a->is_new_usage ? "new_usage_type" : "spike");
		if (!a->is_new_usage)
			cr_day_format(a->day, day);
		add_field(&line, a->is_new_usage ? "" : day);
		add_field(&line, a->account_id);
		add_field(&line, a->account_name);
		add_field(&line, a->service);
		add_field(&line, r->currency);
		add_dec(&line, a->cost, -1);
		if (a->is_new_usage)
			add_field(&line, "");
		else
			add_dec(&line, a->baseline, -1);
		add_dec(&line, a->excess, -1);
		for (size_t k = 0; k < a->n_usage; k++)
			cr_buf_addf(&u, "%s%s", k ? "; " : "", a->usage_types[k]);
		add_field(&line, u.ptr ? u.ptr : "");
		cr_buf_release(&u);
		end_line(&line, out);
	}
	cr_buf_release(&line);
	return 0;
}
