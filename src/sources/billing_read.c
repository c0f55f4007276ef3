/* billing_read.c - streaming billing rows into the ledger (billing_file.h) */
#include "costrank/billing_file.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "costrank/buf.h"
#include "costrank/date.h"
#include "costrank/decimal.h"
#include "costrank/input.h"
#include "costrank/services.h"

/* CUR line item types, as far as the amortisation formula tells them apart. */
enum line_type {
	LT_USAGE, LT_DISCOUNTED, LT_SP_COVERED, LT_SP_NEGATION, LT_SP_UPFRONT,
	LT_SP_RECURRING, LT_RI_FEE, LT_FEE, LT_CREDIT, LT_REFUND, LT_TAX,
	LT_DISCOUNT, LT_OTHER
};

struct reader {
	cr_ledger *l;
	const cr_columns *c;
	cr_csv *csv;
	const char *path;
	cr_error *err;
	cr_buf scratch;
	enum cr_metric metric;
	/* a one-entry cache: consecutive rows usually share the account */
	cr_sym last_account;
	const char *last_account_ptr;
	size_t last_account_len;
	char last_account_text[64];
};

static bool eq(const cr_field *f, const char *s)
{
	size_t n = strlen(s);
	return f->len == n && strncasecmp(f->ptr, s, n) == 0;
}

static const cr_field empty_field = { "", 0 };

/* A field by column index; -1 (absent column) reads as empty.  The literal
 * NULL that some exports write for empty values reads as empty too. */
static const cr_field *get(const cr_field *row, int idx)
{
	if (idx < 0)
		return &empty_field;
	if (row[idx].len == 4 && memcmp(row[idx].ptr, "NULL", 4) == 0)
		return &empty_field;
	return &row[idx];
}

static int row_error(struct reader *r, const char *fmt, const char *col,
		     const cr_field *f)
{
	int n = f ? (int)(f->len > 40 ? 40 : f->len) : 0;
	return cr_error_set(r->err, CR_EXIT_INPUT, "%s:%ld: %s in column %s: '%.*s'%s",
			    r->path, cr_csv_line(r->csv), fmt, col, n, f ? f->ptr : "",
			    f && f->len > 40 ? "..." : "");
}

/* Parses an amount; an empty field is zero. */
static int amount(struct reader *r, const cr_field *row, int idx,
		  const char *name, cr_dec *out)
{
	const cr_field *f = get(row, idx);
	int rc;

	if (f->len == 0) {
		*out = CR_DEC_ZERO;
		return 0;
	}
	rc = cr_dec_parse(f->ptr, f->len, out);
	if (rc == CR_DEC_INVALID)
		return row_error(r, "not a number", name, f);
	if (rc == CR_DEC_OVERFLOW)
		return row_error(r, "amount too large", name, f);
	return 0;
}

static enum line_type cur_line_type(const cr_field *f)
{
	switch (f->len) {
	case 3: if (eq(f, "Fee")) return LT_FEE;
		if (eq(f, "Tax")) return LT_TAX;
		break;
	case 5: if (eq(f, "Usage")) return LT_USAGE;
		if (eq(f, "RIFee")) return LT_RI_FEE;
		break;
	case 6: if (eq(f, "Credit")) return LT_CREDIT;
		if (eq(f, "Refund")) return LT_REFUND;
		break;
	default:
		if (eq(f, "DiscountedUsage")) return LT_DISCOUNTED;
		if (eq(f, "SavingsPlanCoveredUsage")) return LT_SP_COVERED;
		if (eq(f, "SavingsPlanNegation")) return LT_SP_NEGATION;
		if (eq(f, "SavingsPlanUpfrontFee")) return LT_SP_UPFRONT;
		if (eq(f, "SavingsPlanRecurringFee")) return LT_SP_RECURRING;
		break;
	}
	if (f->len >= 8 && strncasecmp(f->ptr + f->len - 8, "Discount", 8) == 0)
		return LT_DISCOUNT;
	return LT_OTHER;
}

static enum cr_kind kind_of(enum line_type t)
{
	static const enum cr_kind map[] = {
		[LT_USAGE] = CR_KIND_USAGE, [LT_DISCOUNTED] = CR_KIND_RI_COVERED,
		[LT_SP_COVERED] = CR_KIND_SP_COVERED, [LT_SP_NEGATION] = CR_KIND_SP_NEGATION,
		[LT_SP_UPFRONT] = CR_KIND_COMMITMENT_FEE, [LT_SP_RECURRING] = CR_KIND_COMMITMENT_FEE,
		[LT_RI_FEE] = CR_KIND_COMMITMENT_FEE, [LT_FEE] = CR_KIND_FEE,
		[LT_CREDIT] = CR_KIND_CREDIT, [LT_REFUND] = CR_KIND_REFUND,
		[LT_TAX] = CR_KIND_TAX, [LT_DISCOUNT] = CR_KIND_DISCOUNT,
		[LT_OTHER] = CR_KIND_ADJUSTMENT,
	};
	return map[t];
}

static bool contains(const cr_field *f, const char *needle)
{
	size_t n = strlen(needle);
	return f->len >= n && memmem(f->ptr, f->len, needle, n) != NULL;
}

/*
 * Finds "key": "value" in a JSON object serialised into a CSV field (CUR 2.0
 * map columns, FOCUS Tags) without a full parse: maps are flat objects of
 * strings.  Escapes in the value are decoded into r->scratch.  Returns false
 * when the key is absent or its value is not a string.
 */
static bool map_get(struct reader *r, const cr_field *f, const char *key,
		    cr_field *out)
{
	size_t klen = strlen(key);
	const char *p = f->ptr, *end = f->ptr + f->len;

	while (p < end) {
		const char *hit = memmem(p, (size_t)(end - p), key, klen);
		if (!hit)
			return false;
		p = hit + klen;
		if (hit == f->ptr || hit[-1] != '"' || p >= end || *p != '"')
			continue;
		p++;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p >= end || *p != ':')
			continue;
		p++;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p >= end || *p != '"')
			return false;
		p++;
		const char *v = p;
		bool escaped = false;
		while (p < end && *p != '"') {
			if (*p == '\\') {
				escaped = true;
				p++;
			}
			p++;
		}
		if (p >= end)
			return false;
		if (!escaped) {
			out->ptr = v;
			out->len = (size_t)(p - v);
			return true;
		}
		cr_buf_reset(&r->scratch);
		for (const char *q = v; q < p; q++) {
			if (*q == '\\' && q + 1 < p) {
				q++;
				switch (*q) {
				case 'n': cr_buf_addc(&r->scratch, '\n'); break;
				case 't': cr_buf_addc(&r->scratch, '\t'); break;
				case 'u': cr_buf_addc(&r->scratch, '?'); q += (p - q > 4) ? 4 : 0; break;
				default: cr_buf_addc(&r->scratch, *q); break;
				}
			} else {
				cr_buf_addc(&r->scratch, *q);
			}
		}
		out->ptr = r->scratch.ptr ? r->scratch.ptr : "";
		out->len = r->scratch.len;
		return true;
	}
	return false;
}

static cr_sym account_sym(struct reader *r, const cr_field *f)
{
	if (r->last_account_ptr && f->len == r->last_account_len &&
	    memcmp(f->ptr, r->last_account_text, f->len) == 0)
		return r->last_account;
	r->last_account = cr_ledger_intern(r->l, f->ptr, f->len);
	if (f->len < sizeof r->last_account_text) {
		memcpy(r->last_account_text, f->ptr, f->len);
		r->last_account_len = f->len;
		r->last_account_ptr = r->last_account_text;
	} else {
		r->last_account_ptr = NULL;
	}
	return r->last_account;
}

static int check_currency(struct reader *r, const cr_field *f, const char *name)
{
	if (cr_ledger_check_currency(r->l, f->ptr, f->len) == 0)
		return 0;
	cr_error_set(r->err, CR_EXIT_INPUT,
		     "%s:%ld: currency '%.*s' in column %s differs from '%s' in earlier rows; "
		     "costrank does not convert currencies: report each currency separately",
		     r->path, cr_csv_line(r->csv), (int)(f->len > 16 ? 16 : f->len), f->ptr,
		     name, cr_ledger_currency(r->l));
	return -1;
}

/* Amortised cost of a CUR line (billing-formats.md, section 9). */
static int cur_amortized(struct reader *r, const cr_field *row, enum line_type t,
			 bool cur2, cr_dec unblended, cr_dec *out)
{
	const cr_columns *c = r->c;
	cr_dec a, b;

#define NAME(x2, x1) (cur2 ? (x2) : (x1))
	switch (t) {
	case LT_SP_COVERED:
		if (c->sp_effective < 0)
			goto missing_sp;
		return amount(r, row, c->sp_effective,
			      NAME("savings_plan_savings_plan_effective_cost",
				   "savingsPlan/SavingsPlanEffectiveCost"), out);
	case LT_SP_RECURRING:
		if (c->sp_total_commitment < 0 || c->sp_used_commitment < 0)
			goto missing_sp;
		if (amount(r, row, c->sp_total_commitment,
			   NAME("savings_plan_total_commitment_to_date",
				"savingsPlan/TotalCommitmentToDate"), &a) ||
		    amount(r, row, c->sp_used_commitment,
			   NAME("savings_plan_used_commitment", "savingsPlan/UsedCommitment"), &b))
			return -1;
		if (cr_dec_sub(out, a, b))
			return row_error(r, "amount too large", "savings plan commitment", NULL);
		return 0;
	case LT_SP_NEGATION:
	case LT_SP_UPFRONT:
		*out = CR_DEC_ZERO;
		return 0;
	case LT_DISCOUNTED:
		if (c->ri_effective < 0)
			goto missing_ri;
		return amount(r, row, c->ri_effective,
			      NAME("reservation_effective_cost", "reservation/EffectiveCost"), out);
	case LT_RI_FEE:
		if (c->ri_unused_upfront < 0 || c->ri_unused_recurring < 0)
			goto missing_ri;
		if (amount(r, row, c->ri_unused_upfront,
			   NAME("reservation_unused_amortized_upfront_fee_for_billing_period",
				"reservation/UnusedAmortizedUpfrontFeeForBillingPeriod"), &a) ||
		    amount(r, row, c->ri_unused_recurring,
			   NAME("reservation_unused_recurring_fee", "reservation/UnusedRecurringFee"), &b))
			return -1;
		if (cr_dec_add(out, a, b))
			return row_error(r, "amount too large", "reservation unused fees", NULL);
		return 0;
	case LT_FEE:
		/* the upfront fee of a reservation is spread over its term */
		if (get(row, c->ri_arn)->len) {
			*out = CR_DEC_ZERO;
			return 0;
		}
		*out = unblended;
		return 0;
	default:
		*out = unblended;
		return 0;
	}
#undef NAME
missing_sp:
	return cr_error_set(r->err, CR_EXIT_INPUT,
			    "%s:%ld: --metric amortized needs the Savings Plan columns "
			    "(effective cost, total and used commitment), which this export lacks",
			    r->path, cr_csv_line(r->csv));
missing_ri:
	return cr_error_set(r->err, CR_EXIT_INPUT,
			    "%s:%ld: --metric amortized needs the reservation columns "
			    "(effective cost, unused upfront and recurring fees), which this export lacks",
			    r->path, cr_csv_line(r->csv));
}

static int parse_day(struct reader *r, const cr_field *row, int idx,
		     const char *name, cr_day *day)
{
	const cr_field *f = get(row, idx);

	if (f->len == 0)
		return row_error(r, "missing date", name, f);
	if (cr_day_parse(f->ptr, f->len, day))
		return row_error(r, "impossible or malformed date", name, f);
	return 0;
}

static cr_sym env_sym(struct reader *r, const cr_field *f)
{
	return f->len ? cr_ledger_intern(r->l, f->ptr, f->len) : 0;
}

static int add_line(struct reader *r, const cr_ledger_key *key, cr_dec cost,
		    cr_dec qty, cr_sym unit);

static int cur_row(struct reader *r, const cr_field *row)
{
	const cr_columns *c = r->c;
	bool cur2 = c->format == CR_FORMAT_CUR2;
	const cr_field *acct = get(row, c->account_id);
	const cr_field *ut = get(row, c->usage_type);
	const cr_field *code = get(row, c->product_code);
	enum line_type t = cur_line_type(get(row, c->line_type));
	enum cr_kind kind = kind_of(t);
	cr_ledger_key key;
	cr_dec cost, unblended, qty = CR_DEC_ZERO;
	cr_field pname = empty_field, tag;
	const char *svc;
	size_t svc_len;

	if (acct->len == 0)
		return row_error(r, "missing account id", cur2 ? "line_item_usage_account_id"
				 : "lineItem/UsageAccountId", acct);
	if (amount(r, row, c->unblended, cur2 ? "line_item_unblended_cost"
		   : "lineItem/UnblendedCost", &unblended))
		return -1;
	if (r->metric == CR_METRIC_AMORTIZED) {
		if (cur_amortized(r, row, t, cur2, unblended, &cost))
			return -1;
	} else {
		cost = unblended;
	}
	if (kind == CR_KIND_USAGE && (eq(get(row, c->pricing_term), "Spot") ||
				      contains(ut, "SpotUsage")))
		kind = CR_KIND_SPOT;
	if (cr_kind_is_usage(kind) &&
	    amount(r, row, c->usage_amount, cur2 ? "line_item_usage_amount"
		   : "lineItem/UsageAmount", &qty))
		return -1;
	if (parse_day(r, row, c->start, cur2 ? "line_item_usage_start_date"
		      : "lineItem/UsageStartDate", &key.day))
		return -1;
	if (check_currency(r, get(row, c->currency), cur2 ? "line_item_currency_code"
			   : "lineItem/CurrencyCode"))
		return -1;

	if (c->product_name >= 0)
		pname = *get(row, c->product_name);
	else if (c->product_map >= 0)
		map_get(r, get(row, c->product_map), "product_name", &pname);
	svc = cr_service_name(code->ptr, code->len, ut->ptr, ut->len, pname.ptr,
			      pname.len, kind == CR_KIND_TAX, &svc_len);

	key.account = account_sym(r, acct);
	key.service = cr_ledger_intern(r->l, svc, svc_len);
	key.usage_type = cr_ledger_intern(r->l, ut->ptr, ut->len);
	key.kind = kind;
	if (c->account_name >= 0)
		cr_ledger_note_account_name(r->l, key.account, env_sym(r, get(row, c->account_name)));
	if (c->env_tag >= 0)
		cr_ledger_note_environment(r->l, key.account, env_sym(r, get(row, c->env_tag)));
	else if (c->tags_map >= 0 && map_get(r, get(row, c->tags_map), "user:environment", &tag))
		cr_ledger_note_environment(r->l, key.account, env_sym(r, &tag));
	return add_line(r, &key, cost, qty,
			cr_kind_is_usage(kind) ? env_sym(r, get(row, c->unit)) : 0);
}

static enum cr_kind focus_kind(const cr_columns *c, const cr_field *row)
{
	const cr_field *cat = get(row, c->charge_category);

	if (eq(cat, "Tax"))
		return CR_KIND_TAX;
	if (eq(cat, "Credit"))
		return eq(get(row, c->charge_class), "Correction") ? CR_KIND_REFUND : CR_KIND_CREDIT;
	if (eq(cat, "Adjustment"))
		return CR_KIND_ADJUSTMENT;
	if (eq(cat, "Purchase"))
		return get(row, c->commitment_id)->len ? CR_KIND_COMMITMENT_FEE : CR_KIND_FEE;
	if (eq(cat, "Usage")) {
		const cr_field *pc = get(row, c->pricing_category);
		if (eq(pc, "Dynamic"))
			return CR_KIND_SPOT;
		if (eq(pc, "Committed")) {
			const cr_field *ct = get(row, c->commitment_type);
			return contains(ct, "Savings") ? CR_KIND_SP_COVERED : CR_KIND_RI_COVERED;
		}
		if (contains(get(row, c->usage_type), "SpotUsage"))
			return CR_KIND_SPOT;
		return CR_KIND_USAGE;
	}
	return CR_KIND_ADJUSTMENT;
}

/* FOCUS has no usage type column: AWS adds x_UsageType; otherwise the
 * first non-empty of SkuMeter, x_SkuMeterName, ChargeDescription, SkuId. */
static const cr_field *focus_usage_type(const cr_columns *c, const cr_field *row)
{
	const int cand[] = { c->usage_type, c->usage_alt1, c->usage_alt2,
			     c->usage_alt3, c->usage_alt4 };
	for (size_t i = 0; i < sizeof cand / sizeof cand[0]; i++)
		if (get(row, cand[i])->len)
			return get(row, cand[i]);
	return &empty_field;
}

static int add_line(struct reader *r, const cr_ledger_key *key, cr_dec cost,
		    cr_dec qty, cr_sym unit)
{
	if (cr_ledger_add(r->l, key, cost, qty, unit, NULL) == 0)
		return 0;
	return cr_error_set(r->err, CR_EXIT_INPUT,
			    "%s:%ld: the sum for account %s, usage type %s overflows",
			    r->path, cr_csv_line(r->csv), cr_ledger_str(r->l, key->account),
			    cr_ledger_str(r->l, key->usage_type));
}

static int focus_row(struct reader *r, const cr_field *row)
{
	const cr_columns *c = r->c;
	const cr_field *acct = get(row, c->account_id);
	const cr_field *ut = focus_usage_type(c, row);
	const cr_field *code = get(row, c->product_code);
	const cr_field *sname = get(row, c->service_name);
	enum cr_kind kind = focus_kind(c, row);
	cr_ledger_key key;
	cr_dec cost, qty = CR_DEC_ZERO;
	cr_field tag;
	const cr_field *unit;
	const char *svc;
	size_t svc_len;

	if (acct->len == 0 && c->billing_account_id >= 0)
		acct = get(row, c->billing_account_id);
	if (acct->len == 0)
		return row_error(r, "missing account id", "SubAccountId", acct);
	if (r->metric == CR_METRIC_AMORTIZED) {
		if (c->amortized < 0)
			return cr_error_set(r->err, CR_EXIT_INPUT,
					    "%s: --metric amortized needs the EffectiveCost column, "
					    "which this FOCUS file lacks", r->path);
		if (amount(r, row, c->amortized, "EffectiveCost", &cost))
			return -1;
	} else if (amount(r, row, c->unblended, "BilledCost", &cost)) {
		return -1;
	}
	if (cr_kind_is_usage(kind) && amount(r, row, c->usage_amount, "ConsumedQuantity", &qty))
		return -1;
	if (parse_day(r, row, c->start, "ChargePeriodStart", &key.day))
		return -1;
	if (check_currency(r, get(row, c->currency), "BillingCurrency"))
		return -1;

	if (code->len)
		svc = cr_service_name(code->ptr, code->len, ut->ptr, ut->len, sname->ptr,
				      sname->len, kind == CR_KIND_TAX, &svc_len);
	else if (kind == CR_KIND_TAX && sname->len == 0)
		svc = "Tax", svc_len = 3;
	else
		svc = sname->ptr, svc_len = sname->len;

	key.account = account_sym(r, acct);
	key.service = cr_ledger_intern(r->l, svc, svc_len);
	key.usage_type = cr_ledger_intern(r->l, ut->ptr, ut->len);
	key.kind = kind;
	if (c->account_name >= 0)
		cr_ledger_note_account_name(r->l, key.account, env_sym(r, get(row, c->account_name)));
	if (c->tags_map >= 0) {
		const cr_field *tags = get(row, c->tags_map);
		if (map_get(r, tags, "environment", &tag) ||
		    map_get(r, tags, "user:environment", &tag))
			cr_ledger_note_environment(r->l, key.account, env_sym(r, &tag));
	}
	unit = get(row, c->unit);
	if (!unit->len)
		unit = get(row, c->unit_alt);
	return add_line(r, &key, cost, qty, cr_kind_is_usage(kind) ? env_sym(r, unit) : 0);
}

int cr_billing_file_read(cr_ledger *l, const char *path, enum cr_format *format,
			 cr_error *err)
{
	struct reader r = { 0 };
	cr_columns cols;
	cr_input *in;
	cr_field *row;
	size_t n;
	int rc;
	cr_ledger_input *li;

	*format = CR_FORMAT_UNKNOWN;
	in = cr_input_open(path, err);
	if (!in)
		return -1;
	r.csv = cr_csv_new(in);
	r.l = l;
	r.c = &cols;
	r.path = path;
	r.err = err;
	r.metric = cr_ledger_metric(l);

	rc = cr_csv_next(r.csv, &row, &n, err);
	if (rc == 0) {
		cr_error_set(err, CR_EXIT_INPUT, "%s: empty file (no header row)", path);
		rc = -1;
	}
	if (rc > 0 && cr_columns_detect(&cols, row, n, path, err) == 0) {
		*format = cols.format;
		li = cr_ledger_add_input(l, path, cr_format_name(cols.format));
		while ((rc = cr_csv_next(r.csv, &row, &n, err)) > 0) {
			if (n != cols.nfields) {
				cr_error_set(err, CR_EXIT_INPUT,
					     "%s:%ld: row has %zu fields, the header has %zu",
					     path, cr_csv_line(r.csv), n, cols.nfields);
				rc = -1;
				break;
			}
			rc = cols.format == CR_FORMAT_FOCUS ? focus_row(&r, row) : cur_row(&r, row);
			if (rc < 0)
				break;
			li->rows++;
		}
	} else {
		rc = -1;
	}
	cr_buf_release(&r.scratch);
	cr_csv_free(r.csv);
	cr_input_close(in);
	return rc < 0 ? -1 : 0;
}
