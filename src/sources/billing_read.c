/* billing_read.c - streaming billing rows into the ledger (billing_file.h) */
#include "costrank/billing_file.h"
#include "costrank/billing_rows.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "costrank/buf.h"
#include "costrank/date.h"
#include "costrank/decimal.h"
#include "costrank/input.h"
#include "costrank/parquet.h"
#include "costrank/s3.h"
#include "costrank/services.h"
#include "io/csv_select.h"
#include "sources/line_ids.h"
#include "io/input_seek.h"

/* CUR line item types, as far as the amortisation formula tells them apart. */
enum line_type {
	LT_USAGE, LT_DISCOUNTED, LT_SP_COVERED, LT_SP_NEGATION, LT_SP_UPFRONT,
	LT_SP_RECURRING, LT_RI_FEE, LT_FEE, LT_CREDIT, LT_REFUND, LT_TAX,
	LT_DISCOUNT, LT_OTHER
};

/* The header row as read, kept to recognise it when it comes again. */
struct header {
	cr_field *f;                /* nfields names, NUL-terminated, in text */
	size_t n;
	long line;                  /* where it is */
	char *text;
};

#define CR_DIM_KEY_MAX 128      /* longer tag keys are not looked up */

struct reader {
	cr_ledger *l;
	const cr_columns *c;
	const struct header *hdr;
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
	struct row_class *classes;  /* CLASS_SLOTS, direct-mapped (class_of) */
	char last_date[10];         /* "YYYY-MM-DD" of the last UTC timestamp */
	cr_day last_day;
	struct line_id_buf *ids;    /* line item fingerprints, or NULL */
	/* a Parquet file (csv is then NULL): where the current row is */
	size_t pq_group;            /* 1-based */
	int64_t pq_row;             /* 1-based, within the row group */
	const cr_field *pq_fields;  /* the current row, by column */
	char where[64];
	/* the ledger's dimensions (ledger.h), when a report asks for any */
	size_t ndims;
	struct dim_read {
		int col;                /* a column of its own, or -1 */
		int map;                /* CR_DIM_TAG: the tags map column, or -1 */
		char keys[3][CR_DIM_KEY_MAX + 8]; /* tag keys looked up in the map, "" */
		/* the last value seen: consecutive lines mostly repeat it */
		cr_sym last_sym;
		size_t last_len;
		char last[CR_DIM_KEY_MAX];
	} dims[CR_LEDGER_MAX_DIMS];
};

/* Where the current row is, for messages: "FILE:LINE" for CSV, "FILE: row
 * group G, row N" for Parquet. */
static const char *where(struct reader *r)
{
	if (r->csv)
		snprintf(r->where, sizeof r->where, "%ld", cr_csv_line(r->csv));
	else
		snprintf(r->where, sizeof r->where, " row group %zu, row %lld", r->pq_group,
			 (long long)r->pq_row);
	return r->where;
}

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
	return cr_error_set(r->err, CR_EXIT_INPUT, "%s:%s: %s in column %s: '%.*s'%s",
			    r->path, where(r), fmt, col, n, f ? f->ptr : "",
			    f && f->len > 40 ? "..." : "");
}

/*
 * The amounts of an export are nearly all "[-]digits[.digits]" with at most
 * 18 decimals and 19 digits: their exact value is one 64-bit integer times
 * a power of ten.  Anything else (exponents, longer numbers, junk) returns
 * false and is left to cr_dec_parse, which gives the same value for these.
 */
static inline bool plain_amount(const char *s, size_t n, cr_dec *out)
{
	static const int64_t pow10[19] = {
		INT64_C(1), INT64_C(10), INT64_C(100), INT64_C(1000), INT64_C(10000),
		INT64_C(100000), INT64_C(1000000), INT64_C(10000000), INT64_C(100000000),
		INT64_C(1000000000), INT64_C(10000000000), INT64_C(100000000000),
		INT64_C(1000000000000), INT64_C(10000000000000), INT64_C(100000000000000),
		INT64_C(1000000000000000), INT64_C(10000000000000000),
		INT64_C(100000000000000000), INT64_C(1000000000000000000),
	};
	const char *p = s, *end = s + n;
	bool neg = false;
	uint64_t m = 0;
	int digits = 0, frac = -1;

	if (p < end && (*p == '-' || *p == '+'))
		neg = *p++ == '-';
	for (; p < end; p++) {
		unsigned d = (unsigned)(unsigned char)*p - '0';
		if (d < 10) {
			if (++digits > 19)
				return false;
			m = m * 10 + d;
			frac += frac >= 0;
		} else if (*p == '.' && frac < 0) {
			frac = 0;
		} else {
			return false;
		}
	}
	if (!digits || frac > CR_DEC_SCALE)
		return false;
	out->v = (cr_i128)m * pow10[CR_DEC_SCALE - (frac < 0 ? 0 : frac)];
	if (neg)
		out->v = -out->v;
	return true;
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
	if (plain_amount(f->ptr, f->len, out))
		return 0;
	rc = cr_dec_parse(f->ptr, f->len, out);
	if (rc == CR_DEC_INVALID)
		return row_error(r, "not a number", name, f);
	if (rc == CR_DEC_OVERFLOW)
		return row_error(r, "amount too large", name, f);
	if (rc == CR_DEC_ROUNDED)
		cr_ledger_note_rounded(r->l, idx != r->c->usage_amount,
				       cr_dec_rounding_effect(f->ptr, f->len));
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

/* memmem for the short haystacks of map columns: the first byte of the
 * needle by memchr, then a compare. */
static const char *find(const char *h, size_t n, const char *needle, size_t len)
{
	const char *end = h + n;

	while ((size_t)(end - h) >= len) {
		const char *p = memchr(h, needle[0], (size_t)(end - h) - len + 1);
		if (!p)
			return NULL;
		if (memcmp(p + 1, needle + 1, len - 1) == 0)
			return p;
		h = p + 1;
	}
	return NULL;
}

static const cr_field *row_field(const struct reader *r, int col)
{
	return &r->pq_fields[col];
}

static bool quotes_at(const char *p, size_t qw)
{
	return p[0] == '"' && (qw == 1 || p[1] == '"');
}

/*
 * Finds "key": "value" in a JSON object serialised into a CSV field (CUR 2.0
 * map columns, FOCUS Tags) without a full parse: maps are flat objects of
 * strings.  The field may still be as in the file, every quote doubled
 * (cr_csv_field_escaped): the search reads "" as one quote, so the big map
 * columns need not be unquoted first.  Escapes in the value are decoded
 * into r->scratch.  Returns false when the key is absent or its value is
 * not a string.
 */
static bool map_get(struct reader *r, int col, const char *key, cr_field *out)
{
	cr_field f;
	bool doubled = false;
	size_t klen = strlen(key), qw;
	const char *p, *end;

	if (col < 0)
		return false;
	if (r->csv)
		doubled = cr_csv_field_escaped(r->csv, (size_t)col, &f);
	else
		f = *row_field(r, col);    /* Parquet: the map as JSON text */
	qw = doubled ? 2 : 1;
	p = f.ptr;
	end = f.ptr + f.len;
	while (p < end) {
		const char *hit = find(p, (size_t)(end - p), key, klen);
		if (!hit)
			return false;
		p = hit + klen;
		if (hit == f.ptr || hit[-1] != '"' || (size_t)(end - p) < qw || !quotes_at(p, qw))
			continue;
		p += qw;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p >= end || *p != ':')
			continue;
		p++;
		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if ((size_t)(end - p) < qw || !quotes_at(p, qw))
			return false;
		p += qw;
		const char *v = p;
		bool escaped = false;
		while (p < end && *p != '"') {
			if (*p == '\\') {
				escaped = true;
				p++;
				if (p < end && *p == '"')
					p += qw - 1;
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
				case '"': cr_buf_addc(&r->scratch, '"'); q += qw - 1; break;
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
		     "%s:%s: currency '%.*s' in column %s differs from '%s' in earlier rows; "
		     "costrank does not convert currencies: report each currency separately",
		     r->path, where(r), (int)(f->len > 16 ? 16 : f->len), f->ptr,
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
			    "%s:%s: --metric amortized needs the Savings Plan columns "
			    "(effective cost, total and used commitment), which this export lacks",
			    r->path, where(r));
missing_ri:
	return cr_error_set(r->err, CR_EXIT_INPUT,
			    "%s:%s: --metric amortized needs the reservation columns "
			    "(effective cost, unused upfront and recurring fees), which this export lacks",
			    r->path, where(r));
}

static inline bool two_digits(const char *s, int max)
{
	unsigned a = (unsigned)(unsigned char)s[0] - '0', b = (unsigned)(unsigned char)s[1] - '0';
	return a < 10 && b < 10 && (int)(a * 10 + b) <= max;
}

/* "YYYY-MM-DDTHH:MM:SSZ" with a valid time: the UTC day is the date's. */
static inline bool utc_timestamp(const char *s, size_t n)
{
	return n == 20 && s[10] == 'T' && s[13] == ':' && s[16] == ':' && s[19] == 'Z' &&
	       two_digits(s + 11, 23) && two_digits(s + 14, 59) && two_digits(s + 17, 59);
}

static int parse_day(struct reader *r, const cr_field *row, int idx,
		     const char *name, cr_day *day)
{
	const cr_field *f = get(row, idx);
	bool utc;

	if (f->len == 0)
		return row_error(r, "missing date", name, f);
	/* rows come in runs of one day: the last date is kept */
	utc = utc_timestamp(f->ptr, f->len);
	if (utc && r->last_date[0] && memcmp(f->ptr, r->last_date, 10) == 0) {
		*day = r->last_day;
		return 0;
	}
	if (cr_day_parse(f->ptr, f->len, day))
		return row_error(r, "impossible or malformed date", name, f);
	if (utc) {
		memcpy(r->last_date, f->ptr, 10);
		r->last_day = *day;
	}
	return 0;
}

static cr_sym env_sym(struct reader *r, const cr_field *f)
{
	return f->len ? cr_ledger_intern(r->l, f->ptr, f->len) : 0;
}

static int add_line(struct reader *r, const cr_ledger_key *key, cr_dec cost,
		    cr_dec qty, cr_sym unit);
static int add_row(struct reader *r, const cr_field *row, const cr_ledger_key *key,
		   cr_dec cost, cr_dec qty, cr_sym unit);

/*
 * What the key columns of a CUR row decide: its line type and kind of
 * charge, and the symbols of its account, account name, service, usage
 * type and unit.  An export repeats a few thousand combinations of those
 * columns over millions of rows, so each combination is worked out once
 * and kept in a direct-mapped cache keyed by the exact bytes of the
 * columns (a slot whose key differs is simply worked out again).
 */
static uint8_t commit_class(enum line_type t, enum cr_kind kind, const cr_field *ut);

#define CLASS_SLOTS 4096
#define CLASS_KEY_MAX 224
#define CLASS_FIELDS 9

struct row_class {
	uint64_t hash;
	uint32_t klen;            /* bytes used in key; 0: empty slot */
	uint8_t t, kind;          /* enum line_type, enum cr_kind */
	uint8_t cc;               /* commitment facts the row gives (CC_*), 0: none */
	bool service_in_map;      /* a code the table lacks: the product map's
				     product_name wins over service, if any */
	cr_sym account, name, service, usage, unit, operation;
	char key[CLASS_KEY_MAX];  /* per column: 2 length bytes, then the bytes */
};

static void class_columns(const struct reader *r, const cr_field *row,
			  const cr_field *f[CLASS_FIELDS])
{
	const cr_columns *c = r->c;

	f[0] = get(row, c->account_id);
	f[1] = get(row, c->account_name);
	f[2] = get(row, c->line_type);
	f[3] = get(row, c->pricing_term);
	f[4] = get(row, c->product_code);
	f[5] = get(row, c->usage_type);
	f[6] = get(row, c->unit);
	f[7] = get(row, c->product_name);
	/* the operation is read only for the savings rules (Windows, Aurora,
	 * commitments): without them its column is not split out of the row */
	f[8] = cr_ledger_wants_commitments(r->l) ? get(row, c->operation) : &empty_field;
}

static inline uint64_t hash_field(uint64_t h, const char *s, size_t n)
{
	h = (h ^ n) * UINT64_C(0x9e3779b97f4a7c15);
	for (; n >= 8; s += 8, n -= 8) {
		uint64_t w;
		memcpy(&w, s, 8);
		h = (h ^ w) * UINT64_C(0xff51afd7ed558ccd);
		h ^= h >> 29;
	}
	if (n) {
		uint64_t w = 0;
		for (size_t i = 0; i < n; i++)
			w |= (uint64_t)(unsigned char)s[i] << (8 * i);
		h = (h ^ w) * UINT64_C(0xc4ceb9fe1a85ec53);
		h ^= h >> 31;
	}
	return h;
}

static inline bool same_bytes(const char *a, const char *b, size_t n)
{
	for (; n >= 8; a += 8, b += 8, n -= 8) {
		uint64_t x, y;
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		if (x != y)
			return false;
	}
	while (n--)
		if (*a++ != *b++)
			return false;
	return true;
}

/* Works a class out from the row, as every row once was. */
static void class_compute(struct reader *r, const cr_field *f[CLASS_FIELDS],
			  struct row_class *k)
{
	const cr_columns *c = r->c;
	enum line_type t = cur_line_type(f[2]);
	enum cr_kind kind = kind_of(t);
	const char *svc;
	size_t svc_len;

	if (kind == CR_KIND_USAGE && (eq(f[3], "Spot") || contains(f[5], "SpotUsage")))
		kind = CR_KIND_SPOT;
	svc = cr_service_name(f[4]->ptr, f[4]->len, f[5]->ptr, f[5]->len, f[7]->ptr,
			      f[7]->len, kind == CR_KIND_TAX, &svc_len);
	k->t = (uint8_t)t;
	k->kind = (uint8_t)kind;
	k->service_in_map = svc == f[4]->ptr && c->product_name < 0 && c->product_map >= 0;
	k->account = cr_ledger_intern(r->l, f[0]->ptr, f[0]->len);
	k->name = c->account_name >= 0 ? env_sym(r, f[1]) : 0;
	k->service = cr_ledger_intern(r->l, svc, svc_len);
	k->usage = cr_ledger_intern(r->l, f[5]->ptr, f[5]->len);
	k->unit = cr_kind_is_usage(kind) ? env_sym(r, f[6]) : 0;
	k->cc = commit_class(t, kind, f[5]);
	k->operation = f[8]->len ? cr_ledger_intern(r->l, f[8]->ptr, f[8]->len) : 0;
}

/* The class of a row: from the cache, or worked out into *tmp. */
static const struct row_class *class_of(struct reader *r, const cr_field *row,
					struct row_class *tmp)
{
	const cr_field *f[CLASS_FIELDS];
	uint64_t h = 0;
	size_t klen = 0;
	struct row_class *k;
	char *p;

	class_columns(r, row, f);
	for (int i = 0; i < CLASS_FIELDS; i++) {
		h = hash_field(h, f[i]->ptr, f[i]->len);
		klen += 2 + f[i]->len;
	}
	if (klen > CLASS_KEY_MAX) {
		class_compute(r, f, tmp);
		return tmp;
	}
	if (!r->classes)
		r->classes = cr_xcalloc(CLASS_SLOTS, sizeof *r->classes);
	k = &r->classes[h & (CLASS_SLOTS - 1)];
	if (k->klen == klen && k->hash == h) {
		const char *q = k->key;
		int i;
		for (i = 0; i < CLASS_FIELDS; i++) {
			size_t n = (size_t)(unsigned char)q[0] | (size_t)(unsigned char)q[1] << 8;
			if (n != f[i]->len || !same_bytes(q + 2, f[i]->ptr, n))
				break;
			q += 2 + n;
		}
		if (i == CLASS_FIELDS)
			return k;
	}
	class_compute(r, f, k);
	k->hash = h;
	k->klen = (uint32_t)klen;
	p = k->key;
	for (int i = 0; i < CLASS_FIELDS; i++) {
		p[0] = (char)(f[i]->len & 0xff);
		p[1] = (char)(f[i]->len >> 8);
		memcpy(p + 2, f[i]->ptr, f[i]->len);
		p += 2 + f[i]->len;
	}
	return k;
}

/* ---- commitment facts (ledger.h), read only when the ledger wants them -- */

enum {
	CC_SP_ELIGIBLE = 1,       /* on-demand usage a Savings Plan could cover */
	CC_RI_ELIGIBLE = 2,       /* on-demand hours of a type reservations cover */
	CC_SP_COVERED = 4,
	CC_SP_FEE = 8,
	CC_RI_COVERED = 16,
	CC_RI_FEE = 32,
};

static uint8_t commit_class(enum line_type t, enum cr_kind kind, const cr_field *ut)
{
	static const char *const sp[] = { "BoxUsage", "DedicatedUsage", "Fargate-vCPU-Hours",
					  "Fargate-GB-Hours", "Lambda-GB-Second",
					  "Lambda-Provisioned" };
	static const char *const ri[] = { "BoxUsage", "InstanceUsage:db.", "Multi-AZUsage:db.",
					  "NodeUsage:cache.", "ESInstance:" };
	uint8_t cc = 0;

	if (kind == CR_KIND_USAGE) {
		for (size_t i = 0; i < sizeof sp / sizeof sp[0]; i++)
			if (contains(ut, sp[i]))
				cc |= CC_SP_ELIGIBLE;
		for (size_t i = 0; i < sizeof ri / sizeof ri[0]; i++)
			if (contains(ut, ri[i]))
				cc |= CC_RI_ELIGIBLE;
	}
	if (kind == CR_KIND_SP_COVERED)
		cc |= CC_SP_COVERED;
	if (kind == CR_KIND_RI_COVERED)
		cc |= CC_RI_COVERED;
	if (t == LT_SP_RECURRING)
		cc |= CC_SP_FEE;
	if (t == LT_RI_FEE)
		cc |= CC_RI_FEE;
	return cc;
}

/* Windows and its licensed variants (with SQL Server, BYOL). */
static unsigned platform_of(const cr_field *op)
{
	static const char *const win[] = { "RunInstances:0002", "RunInstances:0006",
					   "RunInstances:0102", "RunInstances:0202",
					   "RunInstances:0800" };
	for (size_t i = 0; i < sizeof win / sizeof win[0]; i++)
		if (eq(op, win[i]))
			return CR_PLATFORM_WINDOWS;
	return CR_PLATFORM_OTHER;
}

/* The UTC hour of a start timestamp "YYYY-MM-DDTHH..." (0 without one). */
static int hour_of(const cr_field *f)
{
	const char *p = f->ptr;

	if (f->len >= 13 && (p[10] == 'T' || p[10] == ' ') && p[11] >= '0' && p[11] <= '2' &&
	    p[12] >= '0' && p[12] <= '9' && (p[11] - '0') * 10 + (p[12] - '0') < 24)
		return (p[11] - '0') * 10 + (p[12] - '0');
	return 0;
}

static int commit_add(struct reader *r, int64_t hour, unsigned platform, unsigned fact,
		      cr_dec amount)
{
	if (cr_ledger_add_commit(r->l, hour, platform, fact, amount, NULL) == 0)
		return 0;
	return cr_error_set(r->err, CR_EXIT_INPUT, "%s:%s: a commitment amount overflows",
			    r->path, where(r));
}

/* An optional amount column: 0 when absent or empty. */
static int opt_amount(struct reader *r, const cr_field *row, int idx, const char *name,
		      cr_dec *out)
{
	*out = CR_DEC_ZERO;
	if (idx < 0 || get(row, idx)->len == 0)
		return 0;
	return amount(r, row, idx, name, out);
}

static int commit_row(struct reader *r, const cr_field *row, const struct row_class *k,
		      cr_day day, cr_dec unblended, cr_dec qty)
{
	const cr_columns *c = r->c;
	int64_t hour = (int64_t)day * 24 + hour_of(get(row, c->start));
	unsigned pf = platform_of(get(row, c->operation));
	cr_dec a, b;

	if ((k->cc & CC_SP_ELIGIBLE) && commit_add(r, hour, pf, CR_CF_ELIGIBLE_OD, unblended))
		return -1;
	if ((k->cc & CC_RI_ELIGIBLE) && commit_add(r, hour, pf, CR_CF_RI_ONDEMAND_HOURS, qty))
		return -1;
	if ((k->cc & CC_RI_COVERED) && commit_add(r, hour, pf, CR_CF_RI_COVERED_HOURS, qty))
		return -1;
	if (k->cc & CC_SP_COVERED) {
		if (opt_amount(r, row, c->public_od, "pricing_public_on_demand_cost", &a) ||
		    opt_amount(r, row, c->sp_effective, "savings_plan_savings_plan_effective_cost", &b))
			return -1;
		if (!get(row, c->public_od)->len)
			a = unblended; /* a covered line's own cost is the on-demand one */
		if (commit_add(r, hour, pf, CR_CF_SP_COVERED_OD, a) ||
		    commit_add(r, hour, pf, CR_CF_SP_EFFECTIVE, b))
			return -1;
	}
	if (k->cc & CC_SP_FEE) {
		if (opt_amount(r, row, c->sp_total_commitment, "savings_plan_total_commitment_to_date", &a) ||
		    opt_amount(r, row, c->sp_used_commitment, "savings_plan_used_commitment", &b) ||
		    commit_add(r, hour, pf, CR_CF_SP_COMMITMENT, a) ||
		    commit_add(r, hour, pf, CR_CF_SP_USED, b))
			return -1;
	}
	if (k->cc & CC_RI_FEE) {
		cr_dec sum;
		if (opt_amount(r, row, c->ri_unused_upfront,
			       "reservation_unused_amortized_upfront_fee_for_billing_period", &a) ||
		    opt_amount(r, row, c->ri_unused_recurring, "reservation_unused_recurring_fee", &b))
			return -1;
		if (cr_dec_add(&sum, a, b) || commit_add(r, hour, pf, CR_CF_RI_UNUSED, sum))
			return row_error(r, "amount out of range", "reservation_unused_recurring_fee",
					 get(row, c->ri_unused_recurring));
	}
	return 0;
}

static int cur_row(struct reader *r, const cr_field *row)
{
	const cr_columns *c = r->c;
	bool cur2 = c->format == CR_FORMAT_CUR2;
	const cr_field *acct = get(row, c->account_id);
	const struct row_class *k;
	struct row_class tmp;
	cr_ledger_key key;
	cr_dec cost, unblended, qty = CR_DEC_ZERO;
	cr_field pname, tag;

	if (acct->len == 0)
		return row_error(r, "missing account id", cur2 ? "line_item_usage_account_id"
				 : "lineItem/UsageAccountId", acct);
	k = class_of(r, row, &tmp);
	if (amount(r, row, c->unblended, cur2 ? "line_item_unblended_cost"
		   : "lineItem/UnblendedCost", &unblended))
		return -1;
	if (r->metric == CR_METRIC_AMORTIZED) {
		if (cur_amortized(r, row, (enum line_type)k->t, cur2, unblended, &cost))
			return -1;
	} else {
		cost = unblended;
	}
	if (cr_kind_is_usage(k->kind) &&
	    amount(r, row, c->usage_amount, cur2 ? "line_item_usage_amount"
		   : "lineItem/UsageAmount", &qty))
		return -1;
	if (parse_day(r, row, c->start, cur2 ? "line_item_usage_start_date"
		      : "lineItem/UsageStartDate", &key.day))
		return -1;
	if (check_currency(r, get(row, c->currency), cur2 ? "line_item_currency_code"
			   : "lineItem/CurrencyCode"))
		return -1;

	key.account = k->account;
	key.service = k->service;
	/* the product map is looked into only for a code the table lacks */
	if (k->service_in_map && map_get(r, c->product_map, "product_name", &pname) && pname.len)
		key.service = cr_ledger_intern(r->l, pname.ptr, pname.len);
	key.usage_type = k->usage;
	key.operation = k->operation;
	key.kind = k->kind;
	if (r->ids && c->line_id >= 0 && c->time_interval >= 0) {
		const cr_field *id = get(row, c->line_id), *when = get(row, c->time_interval);
		if (id->len)
			line_ids_add(r->ids, hash_field(hash_field(0, id->ptr, id->len), when->ptr,
							when->len));
	}
	key.dim = 0;
	if (c->account_name >= 0)
		cr_ledger_note_account_name(r->l, key.account, k->name);
	if (c->env_tag >= 0)
		cr_ledger_note_environment(r->l, key.account, env_sym(r, get(row, c->env_tag)));
	else if (map_get(r, c->tags_map, "user:environment", &tag))
		cr_ledger_note_environment(r->l, key.account, env_sym(r, &tag));
	if (k->cc && cr_ledger_wants_commitments(r->l) &&
	    commit_row(r, row, k, key.day, unblended, qty))
		return -1;
	return add_row(r, row, &key, cost, qty, k->unit);
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
			    "%s:%s: the sum for account %s, usage type %s overflows",
			    r->path, where(r), cr_ledger_str(r->l, key->account),
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
	key.dim = 0;
	key.operation = 0;
	if (c->operation >= 0 && cr_ledger_wants_commitments(r->l) && get(row, c->operation)->len)
		key.operation = cr_ledger_intern(r->l, get(row, c->operation)->ptr,
						 get(row, c->operation)->len);
	if (c->account_name >= 0)
		cr_ledger_note_account_name(r->l, key.account, env_sym(r, get(row, c->account_name)));
	if (map_get(r, c->tags_map, "environment", &tag) ||
	    map_get(r, c->tags_map, "user:environment", &tag))
		cr_ledger_note_environment(r->l, key.account, env_sym(r, &tag));
	unit = get(row, c->unit);
	if (!unit->len)
		unit = get(row, c->unit_alt);
	return add_row(r, row, &key, cost, qty, cr_kind_is_usage(kind) ? env_sym(r, unit) : 0);
}

/* The columns the rows are read from: every column found in the header,
 * less the amortisation ones under the unblended metric.  Returns their
 * count; cols must hold one entry per member of cr_columns. */
static size_t needed_columns(const cr_columns *c, enum cr_metric metric, bool commit,
			     size_t *cols)
{
	static const size_t commitment_only[] = {
		offsetof(cr_columns, operation), offsetof(cr_columns, public_od),
	};
	static const size_t amortization_only[] = {
		offsetof(cr_columns, amortized), offsetof(cr_columns, ri_effective),
		offsetof(cr_columns, ri_unused_upfront), offsetof(cr_columns, ri_unused_recurring),
		offsetof(cr_columns, ri_arn), offsetof(cr_columns, sp_effective),
		offsetof(cr_columns, sp_total_commitment), offsetof(cr_columns, sp_used_commitment),
	};
	size_t n = 0;

	for (size_t off = offsetof(cr_columns, account_id); off + sizeof(int) <= sizeof *c;
	     off += sizeof(int)) {
		int idx;
		bool skip = false;

		memcpy(&idx, (const char *)c + off, sizeof idx);
		if (idx < 0)
			continue;
		for (size_t i = 0; metric == CR_METRIC_UNBLENDED && !commit &&
		     i < sizeof amortization_only / sizeof amortization_only[0]; i++)
			skip |= off == amortization_only[i];
		for (size_t i = 0; !commit && i < sizeof commitment_only / sizeof commitment_only[0]; i++)
			skip |= off == commitment_only[i];
		if (!skip)
			cols[n++] = (size_t)idx;
	}
	return n;
}

#define NEEDED_MAX (sizeof(cr_columns) / sizeof(int))

/* Tells the reader which columns the rows are read from (needed_columns,
 * and the dimensions' own columns).  Unlisted columns are skipped without
 * being unquoted; the JSON map columns are searched as they are in the
 * file (map_get). */
static void select_columns(cr_csv *csv, const struct reader *r)
{
	const cr_columns *c = r->c;
	size_t cols[NEEDED_MAX + CR_LEDGER_MAX_DIMS];
	size_t n = needed_columns(c, r->metric, cr_ledger_wants_commitments(r->l), cols),
	       lazy[2 + CR_LEDGER_MAX_DIMS], nlazy = 0;

	for (size_t i = 0; i < r->ndims; i++) {
		if (r->dims[i].col >= 0)
			cols[n++] = (size_t)r->dims[i].col;
		/* a map of its own: CUR 2.0 cost_category */
		else if (r->dims[i].map >= 0 && r->dims[i].map != c->tags_map &&
			 r->dims[i].map != c->product_map) {
			cols[n++] = (size_t)r->dims[i].map;
			lazy[nlazy++] = (size_t)r->dims[i].map;
		}
	}
	lazy[nlazy] = (size_t)c->product_map;
	nlazy += c->product_map >= 0;
	lazy[nlazy] = (size_t)c->tags_map;
	nlazy += c->tags_map >= 0;
	cr_csv_select(csv, cols, n, lazy, nlazy);
}

/* ---- dimensions ----------------------------------------------------------- */

/* The header column named name (any case), or -1. */
static int header_col(const struct header *h, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; i < h->n; i++)
		if (h->f[i].len == len && strncasecmp(h->f[i].ptr, name, len) == 0)
			return (int)i;
	return -1;
}

/* The first of the names the header has, or -1. */
static int header_any(const struct header *h, const char *const *names)
{
	int col = -1;

	for (size_t i = 0; names[i] && col < 0; i++)
		col = header_col(h, names[i]);
	return col;
}

/*
 * Where a file gives each of the ledger's dimensions.  A tag key asked as
 * "team" is the user tag: CUR 2.0 resource_tags keys "user:team" or
 * "user_team", legacy CUR column resourceTags/user:team, FOCUS Tags key
 * "team"; a key asked with its prefix ("user:team", "aws:createdBy") is
 * looked up as given, then with '_' for ':', then (FOCUS) without it.
 */
static void dims_setup(struct reader *r)
{
	static const char *const region[] = { "product_region_code", "product/regionCode",
					      "product/region", "product_region", "RegionId", "Region",
					      NULL };
	static const char *const resource[] = { "line_item_resource_id", "lineItem/ResourceId",
						"ResourceId", NULL };

	r->ndims = cr_ledger_dimension_count(r->l);
	for (size_t i = 0; i < r->ndims; i++) {
		const cr_dimension *d = cr_ledger_dimension(r->l, i);
		struct dim_read *dr = &r->dims[i];
		const char *colon;
		char name[CR_DIM_KEY_MAX + 32];

		memset(dr, 0, sizeof *dr);
		dr->col = dr->map = -1;
		if (d->kind == CR_DIM_REGION) {
			dr->col = header_any(r->hdr, region);
			continue;
		}
		if (d->kind == CR_DIM_RESOURCE) {
			dr->col = header_any(r->hdr, resource);
			continue;
		}
		if (d->kind == CR_DIM_COST_CATEGORY) {
			/* legacy costCategory/NAME, CUR 2.0 cost_category map; FOCUS
			 * has none, so all of it is uncategorized (README) */
			snprintf(name, sizeof name, "costCategory/%.*s", CR_DIM_KEY_MAX, d->key);
			dr->col = header_col(r->hdr, name);
			snprintf(dr->keys[0], sizeof dr->keys[0], "%.*s", CR_DIM_KEY_MAX, d->key);
			if (dr->col < 0 && r->c->format == CR_FORMAT_CUR2)
				dr->map = header_col(r->hdr, "cost_category");
			continue;
		}
		if (strlen(d->key) > CR_DIM_KEY_MAX)
			continue;
		colon = strchr(d->key, ':');
		if (colon) {
			snprintf(dr->keys[0], sizeof dr->keys[0], "%s", d->key);
			snprintf(dr->keys[1], sizeof dr->keys[1], "%.*s_%s", (int)(colon - d->key),
				 d->key, colon + 1);
			snprintf(dr->keys[2], sizeof dr->keys[2], "%s",
				 r->c->format == CR_FORMAT_FOCUS ? colon + 1 : "");
		} else {
			snprintf(dr->keys[0], sizeof dr->keys[0], "user:%s", d->key);
			snprintf(dr->keys[1], sizeof dr->keys[1], "user_%s", d->key);
			snprintf(dr->keys[2], sizeof dr->keys[2], "%s",
				 r->c->format == CR_FORMAT_FOCUS ? d->key : "");
		}
		/* a column of its own: legacy resourceTags/user:team, a flattened
		 * CUR 2.0 resource_tags_user_team */
		snprintf(name, sizeof name, "resourceTags/%s", dr->keys[0]);
		dr->col = header_col(r->hdr, name);
		if (dr->col < 0) {
			snprintf(name, sizeof name, "resource_tags_%s", dr->keys[1]);
			dr->col = header_col(r->hdr, name);
		}
		if (dr->col < 0)
			dr->map = r->c->tags_map;
	}
}

/*
 * A CSV row's value of each dimension, interned (0: none).  Other readers
 * (Parquet) give the same values from their own columns and book them
 * with book_dims.
 */
static void dim_values(struct reader *r, const cr_field *row, cr_sym *vals)
{
	for (size_t i = 0; i < r->ndims; i++) {
		struct dim_read *dr = &r->dims[i];
		cr_field f = { "", 0 };

		if (dr->col >= 0)
			f = *get(row, dr->col);
		else
			for (size_t k = 0; dr->map >= 0 && k < 3 && dr->keys[k][0]; k++)
				if (map_get(r, dr->map, dr->keys[k], &f))
					break;
		if (!f.len) {
			vals[i] = 0;
		} else if (f.len == dr->last_len && memcmp(f.ptr, dr->last, f.len) == 0) {
			vals[i] = dr->last_sym;
		} else {
			vals[i] = cr_ledger_intern(r->l, f.ptr, f.len);
			if (f.len <= sizeof dr->last) {
				memcpy(dr->last, f.ptr, f.len);
				dr->last_len = f.len;
				dr->last_sym = vals[i];
			}
		}
	}
}

/* Books a line's cost once more per dimension, with its value there. */
static int book_dims(struct reader *r, const cr_ledger_key *key, cr_dec cost,
		     const cr_sym *vals)
{
	for (size_t i = 0; i < r->ndims; i++)
		if (cr_ledger_add_dim(r->l, i, key, vals[i], cost, NULL))
			return cr_error_set(r->err, CR_EXIT_INPUT, "%s:%s: the sum for account "
					    "%s, usage type %s overflows", r->path,
					    where(r), cr_ledger_str(r->l, key->account),
					    cr_ledger_str(r->l, key->usage_type));
	return 0;
}

/* The row's line, into the ledger and (when asked) its dimensions. */
static int add_row(struct reader *r, const cr_field *row, const cr_ledger_key *key,
		   cr_dec cost, cr_dec qty, cr_sym unit)
{
	cr_sym vals[CR_LEDGER_MAX_DIMS];

	if (add_line(r, key, cost, qty, unit))
		return -1;
	if (!r->ndims)
		return 0;
	dim_values(r, row, vals);
	return book_dims(r, key, cost, vals);
}

/* ---- a header row again ------------------------------------------------- */

static void header_keep(struct header *h, const cr_field *f, size_t n, long line)
{
	size_t total = 0, at = 0;

	for (size_t i = 0; i < n; i++)
		total += f[i].len + 1;
	h->text = cr_xmalloc(total ? total : 1);
	h->f = cr_xcalloc(n ? n : 1, sizeof *h->f);
	h->n = n;
	h->line = line;
	for (size_t i = 0; i < n; i++) {
		memcpy(h->text + at, f[i].ptr, f[i].len);
		h->text[at + f[i].len] = '\0';
		h->f[i].ptr = h->text + at;
		h->f[i].len = f[i].len;
		at += f[i].len + 1;
	}
}

static void header_release(struct header *h)
{
	free(h->text);
	free(h->f);
}

static bool in_header(const struct header *h, const cr_field *f)
{
	for (size_t i = 0; i < h->n; i++)
		if (h->f[i].len == f->len && strncasecmp(h->f[i].ptr, f->ptr, f->len) == 0)
			return true;
	return false;
}

/*
 * A row that failed: is it a header row again (parts of an export joined
 * with cat)?  Returns 1 when it repeats the first one (the same number of
 * fields and the same names in every column read: skip it), -1 with
 * r->err set when it is a header that differs, 0 when it is no header (the
 * row's own error stands).  Only rows that fail come here, so reading
 * costs nothing more.
 */
static int header_again(struct reader *r, size_t n)
{
	const struct header *h = r->hdr;
	size_t cols[sizeof *r->c / sizeof(int)], k = needed_columns(r->c, r->metric, cr_ledger_wants_commitments(r->l), cols);
	size_t names = 0, filled = 0, diff = SIZE_MAX;

	if (!h)
		return 0;
	for (size_t i = 0; i < k; i++) {
		const cr_field *f;

		if (cols[i] >= n)
			continue;
		f = cr_csv_field(r->csv, cols[i]);
		filled += f->len > 0;
		names += f->len > 0 && in_header(h, f);
		if (diff == SIZE_MAX && cols[i] < h->n &&
		    (f->len != h->f[cols[i]].len || memcmp(f->ptr, h->f[cols[i]].ptr, f->len) != 0))
			diff = cols[i];
	}
	if (names < 2 || names * 2 < filled)
		return 0;
	if (n == h->n && diff == SIZE_MAX)
		return 1;
	if (n != h->n)
		cr_error_set(r->err, CR_EXIT_INPUT,
			     "%s:%ld: a second header row, different from the one on line %ld "
			     "(%zu fields here, %zu there); a file joined from parts must hold "
			     "parts of one export", r->path, cr_csv_line(r->csv), h->line, n, h->n);
	else
		cr_error_set(r->err, CR_EXIT_INPUT,
			     "%s:%ld: a second header row, different from the one on line %ld "
			     "(column %zu is '%.40s' here, '%.40s' there); a file joined from "
			     "parts must hold parts of one export", r->path, cr_csv_line(r->csv),
			     h->line, diff + 1, cr_csv_field(r->csv, diff)->ptr, h->f[diff].ptr);
	return -1;
}

/* What a reading thread shares with the one that waits for it. */
struct read_ctl {
	_Atomic int64_t pos;        /* bytes of the file consumed, for progress */
	_Atomic bool *cancel;       /* set: give up (the result is not wanted) */
	bool split;                 /* a big plain file may be read in two parts */
	cr_line_ids *ids;           /* the run's line item fingerprints, or NULL */
	uint32_t input;             /* this file's index among the inputs */
};

#define CTL_ROWS 1024           /* rows between looks at the control block */
#define SPLIT_MIN (64 << 20)    /* smallest file read in two parts (tests
				   lower it with COSTRANK_SPLIT_MIN) */
#define SPLIT_SCAN (64 << 20)   /* how far to look for a line break */

/*
 * The second half of a file, read on a thread of its own from the first
 * line break after the middle (see read_file).
 */
struct half {
	pthread_t tid;
	const char *path;
	const cr_columns *cols;
	const struct header *hdr;
	enum cr_metric metric;
	int64_t start;              /* where its first record starts */
	cr_ledger *ledger;          /* its own */
	uint64_t rows;
	int rc;
	cr_error err;
	_Atomic bool done;
	_Atomic bool cancel;        /* the first half passed start: not wanted */
	_Atomic int64_t pos;        /* bytes consumed past start */
	_Atomic bool *pool_cancel;
	cr_line_ids *ids;           /* as the first half's */
	uint32_t input;
};

/* The state of read_rows besides the reader. */
struct row_loop {
	uint64_t rows;              /* rows read */
	_Atomic bool *cancel[2];    /* either set (when not NULL): give up */
	_Atomic int64_t *pos;       /* progress out, or NULL */
	_Atomic int64_t *pos_extra; /* added to it: the other half's progress */
	int64_t pos_base;           /* subtracted from the input's position */
};

/* Streams the rows of r->csv into r->l: 0 at the end (or at the reader's
 * stop offset), -1 on error. */
static int read_rows(struct reader *r, cr_input *in, struct row_loop *lp)
{
	const cr_columns *c = r->c;
	unsigned countdown = CTL_ROWS;
	cr_field *row;
	size_t n;
	int rc;

	while ((rc = cr_csv_next(r->csv, &row, &n, r->err)) > 0) {
		if (n != c->nfields) {
			if ((rc = header_again(r, n)) != 0)
				return -1;
			cr_error_set(r->err, CR_EXIT_INPUT,
				     "%s:%ld: row has %zu fields, the header has %zu",
				     r->path, cr_csv_line(r->csv), n, c->nfields);
			return -1;
		}
		rc = c->format == CR_FORMAT_FOCUS ? focus_row(r, row) : cur_row(r, row);
		if (rc < 0) {
			cr_error saved = *r->err;

			cr_error_clear(r->err);
			rc = header_again(r, n);
			if (rc == 0)
				*r->err = saved; /* no header: the row's own error */
			if (rc <= 0)
				return -1;
			continue; /* the header of the next part */
		}
		lp->rows++;
		if (--countdown)
			continue;
		countdown = CTL_ROWS;
		if (lp->pos)
			atomic_store_explicit(lp->pos, cr_input_file_pos(in) - lp->pos_base +
					      (lp->pos_extra ? atomic_load_explicit(lp->pos_extra,
						memory_order_relaxed) : 0), memory_order_relaxed);
		for (int i = 0; i < 2; i++)
			if (lp->cancel[i] && atomic_load_explicit(lp->cancel[i], memory_order_relaxed))
				return cr_error_set(r->err, CR_EXIT_INPUT, "%s: cancelled", r->path);
	}
	return rc;
}

static void *read_half(void *arg)
{
	struct half *h = arg;
	struct reader r = { 0 };
	cr_input *in;

	h->rc = -1;
	in = cr_input_open(h->path, &h->err);
	if (in && cr_input_seek(in, h->start, &h->err) == 0) {
		r.csv = cr_csv_new(in);
		cr_csv_start_at(r.csv, h->start);
		r.l = h->ledger;
		r.c = h->cols;
		r.hdr = h->hdr;
		r.path = h->path;
		r.err = &h->err;
		r.metric = h->metric;
		dims_setup(&r);
		select_columns(r.csv, &r);
		struct row_loop lp = { .cancel = { &h->cancel, h->pool_cancel }, .pos = &h->pos,
				       .pos_base = h->start };
		r.ids = line_ids_buf_new(h->ids, h->input);
		h->rc = read_rows(&r, in, &lp);
		line_ids_buf_done(r.ids);
		h->rows = lp.rows;
		cr_buf_release(&r.scratch);
		free(r.classes);
		cr_csv_free(r.csv);
	}
	cr_input_close(in);
	atomic_store(&h->done, true);
	return NULL;
}

/* The offset just past the first LF at or after `from`, or -1 (none close
 * enough, or it ends the file). */
static int64_t line_start_after(const char *path, int64_t from, int64_t size)
{
	char buf[1 << 16];
	int64_t at = from, found = -1;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return -1;
	while (found < 0 && at < size && at - from < SPLIT_SCAN) {
		ssize_t got = pread(fd, buf, sizeof buf, (off_t)at);
		const char *lf;

		if (got <= 0)
			break;
		lf = memchr(buf, '\n', (size_t)got);
		if (lf)
			found = at + (lf - buf) + 1;
		at += got;
	}
	close(fd);
	return found > 0 && found < size ? found : -1;
}

/* Starts reading the second half of a big plain file; NULL when the file
 * is not worth splitting. */
static struct half *half_start(const struct reader *r, cr_input *in, struct read_ctl *ctl)
{
	const char *env = getenv("COSTRANK_SPLIT_MIN");
	int64_t size = cr_input_file_size(in), start;
	int64_t min = env && *env ? strtoll(env, NULL, 10) : SPLIT_MIN;
	struct half *h;

	if (!ctl || !ctl->split || cr_input_is_compressed(in) || size < (min > 0 ? min : 1))
		return NULL;
	start = line_start_after(r->path, size / 2, size);
	if (start < 0)
		return NULL;
	h = cr_xcalloc(1, sizeof *h);
	h->path = r->path;
	h->cols = r->c;
	h->hdr = r->hdr;
	h->metric = r->metric;
	h->start = start;
	h->ledger = cr_ledger_new_like(r->l);
	h->pool_cancel = ctl->cancel;
	h->ids = ctl->ids;
	h->input = ctl->input;
	atomic_init(&h->done, false);
	atomic_init(&h->cancel, false);
	atomic_init(&h->pos, 0);
	if (pthread_create(&h->tid, NULL, read_half, h) != 0) {
		cr_ledger_free(h->ledger);
		free(h);
		return NULL;
	}
	return h;
}

/* Waits for the second half, keeping the progress moving. */
static void half_wait(struct half *h, struct read_ctl *ctl, int64_t first_pos)
{
	while (!atomic_load(&h->done)) {
		struct timespec ts = { 0, 20 * 1000 * 1000 };
		if (ctl)
			atomic_store_explicit(&ctl->pos, first_pos + atomic_load(&h->pos),
					      memory_order_relaxed);
		nanosleep(&ts, NULL);
	}
	pthread_join(h->tid, NULL);
}

static void half_free(struct half *h)
{
	cr_ledger_free(h->ledger);
	free(h);
}

/* ---- Parquet ------------------------------------------------------------ */

/* True when path is a local file starting or ending with the Parquet magic
 * (a damaged one is then reported as Parquet, not as a binary CSV). */
static bool parquet_file(const char *path)
{
	char head[4], tail[4];
	struct stat st;
	bool yes;
	int fd;

	if (cr_s3_is_url(path)) {
		/* an object is named as AWS names its parts: a request saved
		 * on every CSV part */
		size_t n = strlen(path);
		return n >= 8 && strcasecmp(path + n - 8, ".parquet") == 0;
	}
	if (strcmp(path, "-") == 0)
		return false;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	yes = pread(fd, head, sizeof head, 0) == (ssize_t)sizeof head &&
	      cr_pq_magic(head, sizeof head);
	if (!yes && fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size >= 8)
		yes = pread(fd, tail, sizeof tail, st.st_size - 4) == (ssize_t)sizeof tail &&
		      cr_pq_magic(tail, sizeof tail);
	close(fd);
	return yes;
}

/* The map keys the booking code looks up (map_get). */
static const char *const product_keys[] = { "product_name" };
static const char *const tag_keys[] = { "user:environment", "environment" };
#define PQ_MAP_KEYS 8           /* at most this many keys a map (parquet.h) */

/* A share of the row groups of one Parquet file, read into a ledger. */
struct pq_part {
	pthread_t tid;
	cr_pq_file *f;
	const cr_columns *cols;
	cr_ledger *ledger;
	const char *path;
	size_t g0, g1;             /* row groups [g0, g1) */
	uint64_t rows;
	int rc;
	cr_error err;
	struct read_ctl *ctl;      /* progress and cancelling, or NULL */
	bool report_progress;
};

/*
 * The map keys a Parquet tags map is read with: the environment's and each
 * tag dimension's.  Returns their count, or 0 (every entry) when there are
 * more than the reader takes.
 */
static size_t pq_tag_keys(const struct reader *r, const char **keys)
{
	size_t n = 0;

	for (size_t i = 0; i < 2; i++)
		keys[n++] = tag_keys[i];
	for (size_t i = 0; i < r->ndims; i++)
		for (size_t k = 0; r->dims[i].map >= 0 && k < 3 && r->dims[i].keys[k][0]; k++) {
			bool seen = false;
			for (size_t j = 0; j < n; j++)
				seen |= strcmp(keys[j], r->dims[i].keys[k]) == 0;
			if (seen)
				continue;
			if (n == PQ_MAP_KEYS)
				return 0;
			keys[n++] = r->dims[i].keys[k];
		}
	return n;
}

static int pq_part_read(struct pq_part *p)
{
	const cr_columns *c = p->cols;
	struct reader r = { 0 };
	size_t proj[NEEDED_MAX + CR_LEDGER_MAX_DIMS];
	size_t nproj = needed_columns(c, cr_ledger_metric(p->ledger),
				     cr_ledger_wants_commitments(p->ledger), proj), ntags;
	size_t ncols = cr_pq_ncolumns(p->f), ngroups = cr_pq_nrow_groups(p->f);
	cr_field *row = cr_xcalloc(ncols ? ncols : 1, sizeof *row);
	const cr_field *vals[NEEDED_MAX + CR_LEDGER_MAX_DIMS];
	const char *tags[PQ_MAP_KEYS];
	struct header hdr = { (cr_field *)cr_pq_column_fields(p->f), ncols, 0, NULL };
	int rc = 0;

	for (size_t i = 0; i < ncols; i++)
		row[i].ptr = "";
	r.l = p->ledger;
	r.c = c;
	r.hdr = &hdr;
	r.path = p->path;
	r.err = &p->err;
	r.metric = cr_ledger_metric(p->ledger);
	r.pq_fields = row;
	/* the dimensions' own columns (a region, a resource id, a flattened tag) */
	dims_setup(&r);
	for (size_t i = 0; i < r.ndims; i++) {
		bool seen = r.dims[i].col < 0;
		for (size_t j = 0; j < nproj && !seen; j++)
			seen = (int)proj[j] == r.dims[i].col;
		if (!seen)
			proj[nproj++] = (size_t)r.dims[i].col;
	}
	ntags = pq_tag_keys(&r, tags);
	for (size_t g = p->g0; g < p->g1 && !rc; g++) {
		cr_pq_rows *rs = cr_pq_rows_open(p->f, g, proj, nproj, &p->err);
		int n;

		if (!rs) {
			rc = -1;
			break;
		}
		for (size_t j = 0; j < nproj; j++) {
			if ((int)proj[j] == c->product_map)
				cr_pq_rows_keys(rs, j, product_keys, 1);
			else if ((int)proj[j] == c->tags_map)
				cr_pq_rows_keys(rs, j, tags, ntags);
		}
		r.pq_group = g + 1;
		while (!rc && (n = cr_pq_rows_next(rs, vals, &p->err)) > 0) {
			int64_t first = cr_pq_rows_first(rs);
			for (int i = 0; i < n && !rc; i++) {
				for (size_t j = 0; j < nproj; j++)
					row[proj[j]] = vals[j][i];
				r.pq_row = first + i + 1;
				rc = c->format == CR_FORMAT_FOCUS ? focus_row(&r, row) : cur_row(&r, row);
				p->rows++;
			}
			if (!rc && p->ctl && atomic_load_explicit(p->ctl->cancel, memory_order_relaxed))
				rc = cr_error_set(&p->err, CR_EXIT_INPUT, "%s: cancelled", p->path);
		}
		if (n < 0)
			rc = -1;
		cr_pq_rows_close(rs);
		if (p->ctl && p->report_progress)
			atomic_store_explicit(&p->ctl->pos, ngroups ? (int64_t)((g + 1 - p->g0) *
					      (uint64_t)cr_pq_num_rows(p->f) / ngroups) : 0,
					      memory_order_relaxed);
	}
	cr_buf_release(&r.scratch);
	free(r.classes);
	free(row);
	return rc;
}

static void *pq_part_thread(void *arg)
{
	struct pq_part *p = arg;

	p->rc = pq_part_read(p);
	return NULL;
}

/* Legacy CUR in Parquet uses the flat Athena names of CUR 2.0's columns
 * (product_product_name, resource_tags_user_team) and has no product map. */
static void legacy_from_schema(cr_columns *cols, const cr_pq_file *f)
{
	if (cols->format != CR_FORMAT_CUR2 || cols->product_map >= 0)
		return;
	for (size_t i = 0; i < cr_pq_ncolumns(f); i++)
		if (strncasecmp(cr_pq_column_name(f, i), "product_", 8) == 0) {
			cols->format = CR_FORMAT_CUR;
			return;
		}
}

/*
 * Reads a Parquet file: the format from the schema's column names, then
 * the row groups, split over two threads when ctl allows (the second
 * half's ledger merged after the first's, so the result never depends on
 * timing; an error is the first half's if it has one).
 */
static int s3_read_range(void *ctx, int64_t offset, size_t len, void *buf, cr_error *err)
{
	return cr_s3_get_range(ctx, offset, len, buf, err);
}

/* A Parquet object on S3, read by ranged GETs: the footer, then only the
 * column chunks the report needs.  Its size comes from listing its key. */
static cr_pq_file *open_s3_parquet(const char *url, cr_error *err)
{
	cr_s3_object *objs = NULL;
	cr_pq_file *f = NULL;
	size_t n = 0;

	if (cr_s3_list(url, &objs, &n, err))
		return NULL;
	for (size_t i = 0; i < n && !f; i++)
		if (strcmp(objs[i].url, url) == 0)
			f = cr_pq_open_source(url, objs[i].size, s3_read_range, (void *)url, err);
	if (!f && !err->code)
		cr_error_set(err, CR_EXIT_INPUT, "%s: no such object", url);
	cr_s3_objects_free(objs, n);
	return f;
}

static int read_parquet(cr_ledger *l, const char *path, enum cr_format *format,
			cr_error *err, struct read_ctl *ctl)
{
	cr_pq_file *f;
	cr_columns cols;
	struct pq_part part[2];
	size_t ngroups, nparts = 1;
	cr_ledger_input *li;
	int rc;

	f = cr_s3_is_url(path) ? open_s3_parquet(path, err) : cr_pq_open(path, err);
	if (!f)
		return -1;
	if (cr_columns_detect(&cols, cr_pq_column_fields(f), cr_pq_ncolumns(f), path, err)) {
		cr_pq_close(f);
		return -1;
	}
	legacy_from_schema(&cols, f);
	*format = cols.format;
	li = cr_ledger_add_input(l, path, cr_format_name(cols.format));
	ngroups = cr_pq_nrow_groups(f);
	if (ctl && ctl->split && ngroups >= 2)
		nparts = 2;
	memset(part, 0, sizeof part);
	for (size_t i = 0; i < nparts; i++) {
		part[i].f = f;
		part[i].cols = &cols;
		part[i].path = path;
		part[i].ledger = i == 0 ? l : cr_ledger_new_like(l);
		part[i].g0 = ngroups * i / nparts;
		part[i].g1 = ngroups * (i + 1) / nparts;
		part[i].ctl = ctl;
		part[i].report_progress = i == 0;
	}
	if (nparts == 2 && pthread_create(&part[1].tid, NULL, pq_part_thread, &part[1]) != 0) {
		/* no second thread: this one reads everything */
		cr_ledger_free(part[1].ledger);
		nparts = 1;
		part[0].g1 = ngroups;
	}
	rc = pq_part_read(&part[0]);
	if (rc)
		*err = part[0].err;
	if (nparts == 2) {
		pthread_join(part[1].tid, NULL);
		if (!rc && part[1].rc) {
			*err = part[1].err;
			rc = -1;
		}
		if (!rc) {
			const char *mine = cr_ledger_currency(l), *its = cr_ledger_currency(part[1].ledger);
			if (*mine && *its && strcmp(mine, its) != 0)
				rc = cr_error_set(err, CR_EXIT_INPUT,
						  "%s: currency '%s' in row group %zu differs from '%s' "
						  "in earlier rows; costrank does not convert currencies: "
						  "report each currency separately", path, its,
						  part[1].g0 + 1, mine);
			else
				rc = cr_ledger_merge(l, part[1].ledger, err);
		}
		cr_ledger_free(part[1].ledger);
	}
	li->rows = part[0].rows + part[1].rows;
	cr_pq_close(f);
	return rc < 0 ? -1 : 0;
}

/*
 * Reads one file.  A big plain file is read in two halves when ctl allows:
 * a second thread reads from the first line break after the middle into a
 * ledger of its own, while this one reads from the start up to there.  The
 * split is right only if this thread, parsing exactly, finds a record
 * starting at that very offset (the line break might be inside a quoted
 * field); then the second half's ledger is merged after the first one's.
 * Otherwise, or when the second half failed in any way, its work is thrown
 * away and this thread reads on to the end, so the result, errors and line
 * numbers are always those of reading the file in one go.
 */
static int read_file(cr_ledger *l, const char *path, enum cr_format *format,
		     cr_error *err, struct read_ctl *ctl)
{
	struct reader r = { 0 };
	struct half *h = NULL;
	struct header hdr = { 0 };
	cr_columns cols;
	cr_input *in;
	cr_field *row;
	size_t n;
	int rc;
	cr_ledger_input *li;

	*format = CR_FORMAT_UNKNOWN;
	if (parquet_file(path))
		return read_parquet(l, path, format, err, ctl);
	in = cr_input_open(path, err);
	if (!in)
		return -1;
	r.csv = cr_csv_new(in);
	r.l = l;
	r.c = &cols;
	r.path = path;
	r.err = err;
	r.metric = cr_ledger_metric(l);
	r.ids = ctl ? line_ids_buf_new(ctl->ids, ctl->input) : NULL;

	rc = cr_csv_next(r.csv, &row, &n, err);
	if (rc == 0) {
		cr_error_set(err, CR_EXIT_INPUT, "%s: empty file (no header row)", path);
		rc = -1;
	}
	if (rc > 0 && cr_columns_detect(&cols, row, n, path, err) == 0) {
		struct row_loop lp = { .cancel = { ctl ? ctl->cancel : NULL, NULL },
				       .pos = ctl ? &ctl->pos : NULL };

		*format = cols.format;
		header_keep(&hdr, row, n, cr_csv_line(r.csv));
		r.hdr = &hdr;
		li = cr_ledger_add_input(l, path, cr_format_name(cols.format));
		dims_setup(&r);
		select_columns(r.csv, &r);
		h = half_start(&r, in, ctl);
		if (h) {
			cr_csv_stop_at(r.csv, h->start);
			lp.pos_extra = &h->pos;
		}
		rc = read_rows(&r, in, &lp);
		if (h && rc == 0 && cr_csv_offset(r.csv) == h->start) {
			/* this half ends where the other one starts */
			const char *mine = cr_ledger_currency(l), *its;

			half_wait(h, ctl, cr_input_file_pos(in));
			its = cr_ledger_currency(h->ledger);
			if (h->rc == 0 && (!*mine || !*its || strcmp(mine, its) == 0)) {
				rc = cr_ledger_merge(l, h->ledger, err);
				lp.rows += h->rows;
				half_free(h);
				h = NULL;
				goto done;
			}
		}
		if (h) {
			/* the second half is not used: read on to the end */
			atomic_store(&h->cancel, true);
			half_wait(h, NULL, 0);
			half_free(h);
			h = NULL;
			if (rc == 0) {
				cr_csv_stop_at(r.csv, -1);
				lp.pos_extra = NULL;
				rc = read_rows(&r, in, &lp);
			}
		}
done:
		li->rows = lp.rows;
	} else {
		rc = -1;
	}
	line_ids_buf_done(r.ids);
	cr_buf_release(&r.scratch);
	free(r.classes);
	header_release(&hdr);
	cr_csv_free(r.csv);
	cr_input_close(in);
	return rc < 0 ? -1 : 0;
}

int cr_billing_file_read(cr_ledger *l, const char *path, enum cr_format *format,
			 cr_error *err)
{
	return read_file(l, path, format, err, NULL);
}

/* ---- several files ------------------------------------------------------ */

struct job {
	const char *path;
	cr_ledger *ledger;          /* its own, or the caller's for the first file */
	enum cr_format format;
	cr_error *err;              /* while it is read and merged (1 KiB) */
	int rc;
	bool done;
	int64_t size;               /* on disk, -1 when unknown */
	struct read_ctl ctl;
};

struct pool {
	pthread_mutex_t mu;
	pthread_cond_t done;        /* a job finished */
	pthread_cond_t room;        /* a job was merged: more may start */
	struct job *jobs;
	size_t n, next, merged, window;
	enum cr_metric metric;      /* of the ledgers made for the jobs */
	const cr_ledger *like;      /* their metric and dimensions */
	_Atomic bool cancel;
};

/* What a job needs only from when it is read: made then, so that a run
 * over many files holds them for the window's jobs only. */
static void job_start(struct job *j, const cr_ledger *like)
{
	if (!j->ledger)
		j->ledger = cr_ledger_new_like(like);
	j->err = cr_xcalloc(1, sizeof *j->err);
}

static void *worker(void *arg)
{
	struct pool *p = arg;

	for (;;) {
		struct job *j;

		pthread_mutex_lock(&p->mu);
		while (p->next < p->n && p->next >= p->merged + p->window &&
		       !atomic_load(&p->cancel))
			pthread_cond_wait(&p->room, &p->mu);
		if (p->next >= p->n || atomic_load(&p->cancel)) {
			pthread_mutex_unlock(&p->mu);
			return NULL;
		}
		j = &p->jobs[p->next++];
		pthread_mutex_unlock(&p->mu);

		job_start(j, p->like);
		j->rc = read_file(j->ledger, j->path, &j->format, j->err, &j->ctl);

		pthread_mutex_lock(&p->mu);
		j->done = true;
		pthread_cond_signal(&p->done);
		pthread_mutex_unlock(&p->mu);
	}
}

static int thread_count(int threads)
{
	const char *env = getenv("COSTRANK_THREADS");
	long n;

	if (threads > 0)
		return threads;
	if (env && *env && (n = strtol(env, NULL, 10)) > 0)
		return n > 256 ? 256 : (int)n;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n < 1 ? 1 : n > 256 ? 256 : (int)n;
}

static void report_progress(struct pool *p, cr_read_progress_fn *progress, void *ctx)
{
	int64_t done = 0, total = 0;

	for (size_t i = 0; i < p->n; i++) {
		const struct job *j = &p->jobs[i];
		if (total >= 0)
			total = j->size < 0 ? -1 : total + j->size;
		if (i < p->merged)
			done += j->size > 0 ? j->size : atomic_load(&j->ctl.pos);
		else
			done += atomic_load_explicit(&j->ctl.pos, memory_order_relaxed);
	}
	progress(ctx, done, total);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * File i is read: folds it into l as reading it after the files before it
 * would.  Its ledger may disagree with l on the currency only where the
 * file itself would have failed, read in order; it is read again against
 * l's currency to give that error, at its line.
 */
static int take_job(cr_ledger *l, struct job *j, cr_error *err)
{
	const char *have = cr_ledger_currency(l);
	const char *got = j->ledger == l ? "" : cr_ledger_currency(j->ledger);

	if (*have && *got && strcmp(have, got) != 0) {
		cr_ledger *again = cr_ledger_new_like(l);
		enum cr_format f;
		int rc;

		cr_ledger_check_currency(again, have, strlen(have));
		rc = read_file(again, j->path, &f, err, NULL);
		cr_ledger_free(again);
		if (rc == 0)
			cr_error_set(err, CR_EXIT_INPUT,
				     "%s: currency '%s' differs from '%s' in earlier files; costrank "
				     "does not convert currencies: report each currency separately",
				     j->path, got, have);
		return -1;
	}
	if (j->rc) {
		*err = *j->err;
		return -1;
	}
	if (j->ledger != l && cr_ledger_merge(l, j->ledger, err))
		return -1;
	return 0;
}

int cr_billing_files_read(cr_ledger *l, char *const *paths, size_t n, int threads,
			  cr_read_progress_fn *progress, void *ctx,
			  enum cr_format *format, cr_error *err)
{
	struct pool p = { .n = n };
	pthread_t *tids;
	size_t nthreads, started = 0;
	bool split;
	int rc = 0;
	int64_t last = 0;
	enum cr_format first = CR_FORMAT_UNKNOWN;
	cr_line_ids *ids;
	uint32_t a, b;

	*format = CR_FORMAT_UNKNOWN;
	if (n == 0)
		return 0;
	if (n == 1 && !progress) {
		_Atomic bool never = false;
		struct read_ctl ctl = { .cancel = &never, .split = thread_count(threads) > 1 };
		atomic_init(&ctl.pos, 0);
		return read_file(l, paths[0], format, err, &ctl);
	}
	nthreads = (size_t)thread_count(threads);
	split = n == 1 && nthreads > 1;
	if (nthreads > n)
		nthreads = n;

	p.jobs = cr_xcalloc(n, sizeof *p.jobs);
	p.window = 2 * nthreads;
	p.metric = cr_ledger_metric(l);
	ids = n > 1 ? cr_line_ids_new() : NULL;
	p.like = l;
	atomic_init(&p.cancel, false);
	for (size_t i = 0; i < n; i++) {
		struct stat st;
		p.jobs[i].path = paths[i];
		/* the others get theirs when they are read: only the window's
		 * ledgers exist at a time, not one per file */
		p.jobs[i].ledger = i == 0 ? l : NULL;
		p.jobs[i].size = strcmp(paths[i], "-") != 0 && stat(paths[i], &st) == 0 &&
				 S_ISREG(st.st_mode) ? (int64_t)st.st_size : -1;
		atomic_init(&p.jobs[i].ctl.pos, 0);
		p.jobs[i].ctl.cancel = &p.cancel;
		p.jobs[i].ctl.split = split;
		p.jobs[i].ctl.ids = ids;
		p.jobs[i].ctl.input = (uint32_t)i;
	}
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.done, NULL);
	pthread_cond_init(&p.room, NULL);
	tids = cr_xcalloc(nthreads, sizeof *tids);
	for (size_t t = 0; t < nthreads; t++)
		if (pthread_create(&tids[t], NULL, worker, &p) == 0)
			started++;
	for (size_t i = 0; i < n && !rc; i++) {
		struct job *j = &p.jobs[i];

		if (!started) {
			/* no thread could be started: this one reads */
			p.next = i + 1;
			job_start(j, p.like);
			j->rc = read_file(j->ledger, j->path, &j->format, j->err, NULL);
			j->done = true;
		}
		pthread_mutex_lock(&p.mu);
		while (!j->done) {
			struct timespec ts;

			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += 100 * 1000000;
			if (ts.tv_nsec >= 1000000000) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000;
			}
			pthread_cond_timedwait(&p.done, &p.mu, &ts);
			if (progress && now_ms() - last >= 100) {
				pthread_mutex_unlock(&p.mu);
				report_progress(&p, progress, ctx);
				last = now_ms();
				pthread_mutex_lock(&p.mu);
			}
		}
		pthread_mutex_unlock(&p.mu);

		rc = take_job(l, j, err);
		if (!rc) {
			if (i == 0) {
				first = j->format;
			} else if (j->format != first) {
				rc = cr_error_set(err, CR_EXIT_INPUT,
						  "%s is %s but %s is %s: one run reads one kind of "
						  "export (mixing them would count the same spend twice)",
						  j->path, cr_format_title(j->format), paths[0],
						  cr_format_title(first));
			}
		}
		pthread_mutex_lock(&p.mu);
		p.merged = i + 1;
		if (rc)
			atomic_store(&p.cancel, true);
		pthread_cond_broadcast(&p.room);
		pthread_mutex_unlock(&p.mu);
		if (j->ledger != l) {
			cr_ledger_free(j->ledger);
			j->ledger = NULL;
		}
		free(j->err);
		j->err = NULL;
	}
	for (size_t t = 0; t < started; t++)
		pthread_join(tids[t], NULL);
	for (size_t i = 0; i < n; i++) {
		if (p.jobs[i].ledger && p.jobs[i].ledger != l)
			cr_ledger_free(p.jobs[i].ledger);
		free(p.jobs[i].err);
	}
	if (!rc && ids && cr_line_ids_overlap(ids, &a, &b))
		rc = cr_error_set(err, CR_EXIT_INPUT, "%s and %s hold the same line items "
				  "(identity_line_item_id and identity_time_interval): two exports "
				  "of the same spend; give one of them", paths[a], paths[b]);
	cr_line_ids_free(ids);
	if (!rc)
		*format = first;
	if (progress && !rc) {
		p.merged = n;
		report_progress(&p, progress, ctx);
	}
	pthread_mutex_destroy(&p.mu);
	pthread_cond_destroy(&p.done);
	pthread_cond_destroy(&p.room);
	free(tids);
	free(p.jobs);
	return rc;
}

enum cr_kind cr_cur_line_kind(const char *type, size_t type_len, const char *term,
			      size_t term_len, const char *usage_type, size_t usage_len)
{
	cr_field t = { type, type_len }, p = { term, term_len }, u = { usage_type, usage_len };
	enum cr_kind kind = kind_of(cur_line_type(&t));

	if (kind == CR_KIND_USAGE && (eq(&p, "Spot") || contains(&u, "SpotUsage")))
		kind = CR_KIND_SPOT;
	return kind;
}
