/* realised.c - savings realised since an earlier report (see costrank/realised.h) */
#include "costrank/realised.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "costrank/buf.h"
#include "costrank/i18n.h"
#include "costrank/json_pos.h"
#include "costrank/keymap.h"

/* Baselines larger than this are not a costrank report anyone wrote. */
#define BASELINE_MAX_BYTES (512L * 1024 * 1024)

typedef struct bprop {
	int rank;
	char *rule, *title, *model, *action;
	char *account_id, *account_name, *service, *usage_type;
	cr_dec savings, monthly_cost;
} bprop;

struct cr_baseline {
	char *name;
	char *label, *currency, *metric;
	cr_day start, end;
	bprop *v;
	size_t n;
	size_t untracked;         /* folded rows and organisation-wide plans left out */
};

size_t cr_baseline_count(const cr_baseline *b)
{
	return b ? b->n : 0;
}

static void bprop_release(bprop *p)
{
	free(p->rule);
	free(p->title);
	free(p->model);
	free(p->action);
	free(p->account_id);
	free(p->account_name);
	free(p->service);
	free(p->usage_type);
	memset(p, 0, sizeof *p);
}

void cr_baseline_free(cr_baseline *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->n; i++)
		bprop_release(&b->v[i]);
	free(b->v);
	free(b->name);
	free(b->label);
	free(b->currency);
	free(b->metric);
	free(b);
}

/* "NAME:LINE:COLUMN: WHAT: MSG" at node's place (its key's, for a member). */
static int fail_at(cr_error *err, const char *name, const cr_json_node *node, const char *what,
		   const char *msg)
{
	cr_json_pos pos = { 0, 0 };

	if (node)
		pos = node->key_pos.line ? node->key_pos : node->pos;
	if (pos.line)
		return cr_error_set(err, CR_EXIT_INPUT, "%s:%d:%d: %s: %s", name, pos.line,
				    pos.column, what, msg);
	return cr_error_set(err, CR_EXIT_INPUT, "%s: %s: %s", name, what, msg);
}

/* A string member, copied; required unless optional (then NULL when absent or null). */
static int get_string(const json_t *obj, const cr_json_node *pobj, const char *key,
		      bool optional, char **out, const char *name, const char *where, cr_error *err)
{
	const json_t *v = json_object_get(obj, key);
	char what[96];

	*out = NULL;
	if ((!v || json_is_null(v)) && optional)
		return 0;
	snprintf(what, sizeof what, "%s%s%s", where, *where ? "." : "", key);
	if (!v)
		return fail_at(err, name, pobj, what, "missing");
	if (!json_is_string(v) || strlen(json_string_value(v)) != json_string_length(v))
		return fail_at(err, name, cr_json_pos_member(pobj, key), what,
			       "expected a string without NUL bytes");
	*out = cr_xstrdup(json_string_value(v));
	return 0;
}

static int get_decimal(const json_t *obj, const cr_json_node *pobj, const char *key, cr_dec *out,
		       const char *name, const char *where, cr_error *err)
{
	const json_t *v = json_object_get(obj, key);
	char what[96];

	snprintf(what, sizeof what, "%s.%s", where, key);
	if (!v)
		return fail_at(err, name, pobj, what, "missing");
	if (!json_is_string(v) || cr_dec_parse(json_string_value(v), json_string_length(v), out) <
	    0)
		return fail_at(err, name, cr_json_pos_member(pobj, key), what,
			       "expected an exact decimal string, as in \"1305.25\"");
	return 0;
}

static int get_day(const json_t *obj, const cr_json_node *pobj, const char *key, cr_day *out,
		   const char *name, cr_error *err)
{
	const json_t *v = json_object_get(obj, key);
	char what[32];

	snprintf(what, sizeof what, "period.%s", key);
	if (!v)
		return fail_at(err, name, pobj, what, "missing");
	if (!json_is_string(v) || cr_day_parse(json_string_value(v), json_string_length(v), out))
		return fail_at(err, name, cr_json_pos_member(pobj, key), what,
			       "expected a date YYYY-MM-DD");
	return 0;
}

static int load_proposal(cr_baseline *b, const json_t *p, const cr_json_node *pp, size_t i,
			 cr_error *err)
{
	char where[48];
	bprop *x = &b->v[b->n];
	const json_t *rank;

	snprintf(where, sizeof where, "proposals[%zu]", i);
	memset(x, 0, sizeof *x);
	if (!json_is_object(p))
		return fail_at(err, b->name, pp, where, "expected an object");
	b->n++;   /* freed with the baseline from here on */
	if (get_string(p, pp, "rule", false, &x->rule, b->name, where, err) ||
	    get_string(p, pp, "account_id", false, &x->account_id, b->name, where, err) ||
	    get_string(p, pp, "service", false, &x->service, b->name, where, err) ||
	    get_string(p, pp, "usage_type", false, &x->usage_type, b->name, where, err) ||
	    get_string(p, pp, "title", true, &x->title, b->name, where, err) ||
	    get_string(p, pp, "model", true, &x->model, b->name, where, err) ||
	    get_string(p, pp, "action", true, &x->action, b->name, where, err) ||
	    get_string(p, pp, "account_name", true, &x->account_name, b->name, where, err) ||
	    get_decimal(p, pp, "estimated_monthly_savings", &x->savings, b->name, where, err) ||
	    get_decimal(p, pp, "monthly_cost", &x->monthly_cost, b->name, where, err))
		return -1;
	/* a row folding several small proposals (--min-saving) or a plan for
	 * the whole organisation has no line of its own to measure */
	const json_t *folded = json_object_get(p, "folded");
	if ((json_is_integer(folded) && json_integer_value(folded) > 0) ||
	    strcmp(x->account_id, "*") == 0) {
		bprop_release(x);
		b->n--;
		b->untracked++;
		return 0;
	}
	if (!*x->rule || !*x->account_id)
		return fail_at(err, b->name, pp, where, "rule and account_id must not be empty");
	if (cr_dec_sign(x->savings) < 0 || cr_dec_sign(x->monthly_cost) < 0)
		return fail_at(err, b->name, pp, where, "a negative saving or monthly_cost");
	rank = json_object_get(p, "rank");
	if (json_is_integer(rank) && json_integer_value(rank) > 0 &&
	    json_integer_value(rank) < 1000000000)
		x->rank = (int)json_integer_value(rank);
	return 0;
}

cr_baseline *cr_baseline_parse(const char *text, size_t len, const char *name, cr_error *err)
{
	json_error_t jerr;
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	cr_json_node *pos = NULL;
	const json_t *schema, *period, *props;
	const cr_json_node *proot, *pperiod;
	cr_baseline *b;

	if (!root) {
		if (jerr.line > 0)
			cr_error_set(err, CR_EXIT_INPUT, "%s:%d:%d: not valid JSON: %s", name,
				     jerr.line, jerr.column, jerr.text);
		else
			cr_error_set(err, CR_EXIT_INPUT, "%s: not valid JSON: %s", name, jerr.text);
		return NULL;
	}
	b = cr_xcalloc(1, sizeof *b);
	b->name = cr_xstrdup(name);
	pos = cr_json_pos_scan(text, len);
	proot = pos;
	schema = json_object_get(root, "schema");
	if (!json_is_object(root)) {
		fail_at(err, name, proot, "the baseline", "expected a costrank JSON report (an object)");
		goto fail;
	}
	if (!json_is_string(schema) || strcmp(json_string_value(schema), CR_REPORT_SCHEMA) != 0) {
		fail_at(err, name, schema ? cr_json_pos_member(proot, "schema") : proot, "schema",
			"expected \"" CR_REPORT_SCHEMA "\": --baseline takes an earlier costrank "
			"JSON report");
		goto fail;
	}
	period = json_object_get(root, "period");
	pperiod = cr_json_pos_member(proot, "period");
	if (!json_is_object(period)) {
		fail_at(err, name, pperiod ? pperiod : proot, "period", "expected an object");
		goto fail;
	}
	if (get_day(period, pperiod, "start", &b->start, name, err) ||
	    get_day(period, pperiod, "end", &b->end, name, err) ||
	    get_string(period, pperiod, "label", false, &b->label, name, "period", err) ||
	    get_string(root, proot, "currency", false, &b->currency, name, "", err) ||
	    get_string(root, proot, "metric", false, &b->metric, name, "", err))
		goto fail;
	if (b->end < b->start || b->end - b->start > 366) {
		fail_at(err, name, pperiod, "period", "end before start, or longer than 366 days");
		goto fail;
	}
	props = json_object_get(root, "proposals");
	if (props && !json_is_null(props)) {
		const cr_json_node *pprops = cr_json_pos_member(proot, "proposals");

		if (!json_is_array(props)) {
			fail_at(err, name, pprops, "proposals", "expected an array or null");
			goto fail;
		}
		b->v = cr_xcalloc(json_array_size(props) + 1, sizeof *b->v);
		for (size_t i = 0; i < json_array_size(props); i++)
			if (load_proposal(b, json_array_get(props, i),
					  cr_json_pos_element(pprops, i), i, err))
				goto fail;
	}
	cr_json_pos_free(pos);
	json_decref(root);
	return b;
fail:
	cr_json_pos_free(pos);
	json_decref(root);
	cr_baseline_free(b);
	return NULL;
}

cr_baseline *cr_baseline_load(const char *path, cr_error *err)
{
	FILE *f = fopen(path, "rb");
	cr_buf text = CR_BUF_INIT;
	char chunk[65536];
	size_t n;
	cr_baseline *b;

	if (!f) {
		cr_error_set(err, CR_EXIT_INPUT, "%s: cannot open: %s", path, strerror(errno));
		return NULL;
	}
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
		if (text.len + n > (size_t)BASELINE_MAX_BYTES) {
			fclose(f);
			cr_buf_release(&text);
			cr_error_set(err, CR_EXIT_INPUT, "%s: more than %ld MB: not a costrank "
				     "report", path, BASELINE_MAX_BYTES >> 20);
			return NULL;
		}
		cr_buf_add(&text, chunk, n);
	}
	if (ferror(f)) {
		cr_error_set(err, CR_EXIT_INPUT, "%s: read error: %s", path, strerror(errno));
		fclose(f);
		cr_buf_release(&text);
		return NULL;
	}
	fclose(f);
	b = cr_baseline_parse(text.ptr ? text.ptr : "", text.len, path, err);
	cr_buf_release(&text);
	return b;
}

/* ---- measuring ----------------------------------------------------------- */

/* One line (account, service, usage type) of the data: its cost in this
 * period and in the baseline period, all days and weekend days. */
typedef struct mline {
	char *key;                /* "account\x1fservice\x1fusage type" */
	cr_dec cur, cur_we, base, base_we;
	bool fee_cur, fee_base;   /* commitment fee lines in either period */
	cr_dec fee_cost;
	const char *account, *service, *usage;
} mline;

static int cmp_mline(const void *a, const void *b)
{
	return strcmp(((const mline *)a)->key, ((const mline *)b)->key);
}

static char *join_key(const char *a, const char *s, const char *u)
{
	cr_buf b = CR_BUF_INIT;

	cr_buf_addf(&b, "%s\x1f%s\x1f%s", a, s, u);
	return cr_buf_detach(&b);
}

static mline *find_line(mline *v, size_t n, const char *a, const char *s, const char *u)
{
	char *k = join_key(a, s, u);
	mline key = { .key = k }, *hit = n ? bsearch(&key, v, n, sizeof *v, cmp_mline) : NULL;

	free(k);
	return hit;
}

static bool is_weekend(cr_day d)
{
	return cr_day_weekday(d) >= 5;
}

static int weekend_days(cr_day start, cr_day end)
{
	int n = 0;

	for (cr_day d = start; d <= end; d++)
		n += is_weekend(d);
	return n;
}

/* The lines of both periods, sorted by key. */
static mline *measure(const cr_ledger *l, cr_day cs, cr_day ce, cr_day bs, cr_day be,
		      size_t *count, int *bad)
{
	size_t nent, n = 0, cap = 0;
	const cr_ledger_entry *e = cr_ledger_entries(l, &nent);
	cr_keymap map = CR_KEYMAP_INIT;
	mline *v = NULL;

	for (size_t i = 0; i < nent; i++) {
		const cr_ledger_entry *x = &e[i];
		bool cur = x->key.day >= cs && x->key.day <= ce;
		bool base = x->key.day >= bs && x->key.day <= be;
		bool added, we = is_weekend(x->key.day);
		size_t k;
		mline *m;

		if ((!cur && !base) || cr_kind_excluded(x->key.kind) >= 0)
			continue;
		k = cr_keymap_get(&map, x->key.account, x->key.service, x->key.usage_type, &added);
		if (added) {
			if (n == cap) {
				cap = cap ? cap * 2 : 256;
				v = cr_xrealloc(v, cap * sizeof *v);
			}
			m = &v[n++];
			memset(m, 0, sizeof *m);
			m->account = cr_ledger_str(l, x->key.account);
			m->service = cr_ledger_str(l, x->key.service);
			m->usage = cr_ledger_str(l, x->key.usage_type);
			m->key = join_key(m->account, m->service, m->usage);
		}
		m = &v[k];
		if (cur) {
			*bad |= cr_dec_acc(&m->cur, x->cost) != 0;
			if (we)
				*bad |= cr_dec_acc(&m->cur_we, x->cost) != 0;
		} else {
			*bad |= cr_dec_acc(&m->base, x->cost) != 0;
			if (we)
				*bad |= cr_dec_acc(&m->base_we, x->cost) != 0;
		}
		if (x->key.kind == CR_KIND_COMMITMENT_FEE) {
			if (cur) {
				m->fee_cur = true;
				*bad |= cr_dec_acc(&m->fee_cost, x->cost) != 0;
			} else {
				m->fee_base = true;
			}
		}
	}
	cr_keymap_release(&map);
	if (n)
		qsort(v, n, sizeof *v, cmp_mline);
	*count = n;
	return v;
}

static void free_lines(mline *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i].key);
	free(v);
}

static const char *account_name(const cr_report *r, const char *id, const char *fallback)
{
	for (size_t i = 0; i < r->n_accounts; i++)
		if (strcmp(r->accounts[i].id, id) == 0 && r->accounts[i].name &&
		    *r->accounts[i].name)
			return r->accounts[i].name;
	return fallback ? fallback : "";
}

/* x * num / den, noting an overflow. */
static cr_dec scale(cr_dec x, int64_t num, int64_t den, int *bad)
{
	cr_dec out = CR_DEC_ZERO;

	if (den <= 0 || cr_dec_mul_ratio(&out, x, num, den) != 0)
		*bad = 1;
	return out;
}

static cr_dec sub(cr_dec a, cr_dec b, int *bad)
{
	cr_dec out = CR_DEC_ZERO;

	if (cr_dec_sub(&out, a, b) != 0)
		*bad = 1;
	return out;
}

static cr_dec dmin(cr_dec a, cr_dec b)
{
	return cr_dec_cmp(a, b) <= 0 ? a : b;
}

static cr_dec dmax0(cr_dec a)
{
	return cr_dec_sign(a) < 0 ? CR_DEC_ZERO : a;
}

/* gp2, io1, io2 -> gp3: the usage type with its part after the last '.'
 * replaced; NULL when it is not a migration or has no such part. */
static char *migration_target(const bprop *p)
{
	const char *dot = strrchr(p->usage_type, '.');
	cr_buf b = CR_BUF_INIT;

	if (!p->action || strcmp(p->action, "gp3-migration") != 0 || !dot || !dot[1] ||
	    strcmp(dot + 1, "gp3") == 0)
		return NULL;
	cr_buf_add(&b, p->usage_type, (size_t)(dot + 1 - p->usage_type));
	cr_buf_adds(&b, "gp3");
	return cr_buf_detach(&b);
}

static bool is_weekend_model(const bprop *p)
{
	return p->model && (strcmp(p->model, "weekend") == 0 || strcmp(p->model, "schedule") == 0);
}

/* The order proposals share a line in: the baseline's rank, then its order. */
static int cmp_rank(const void *pa, const void *pb)
{
	const bprop *a = *(const bprop *const *)pa, *b = *(const bprop *const *)pb;
	int ra = a->rank ? a->rank : 1000000000, rb = b->rank ? b->rank : 1000000000;

	if (ra != rb)
		return ra < rb ? -1 : 1;
	return a < b ? -1 : a > b;
}

/* Growth of a migration target, shared by the lines moving to it. */
typedef struct target {
	char *key;
	cr_dec left;
} target;

int cr_realised_build(cr_report *r, const cr_ledger *l, const cr_baseline *b, cr_error *err)
{
	cr_report_realised *x;
	int bad = 0;
	int64_t cdays = r->end - r->start + 1, bdays = b->end - b->start + 1;
	int64_t cwe = weekend_days(r->start, r->end), bwe = weekend_days(b->start, b->end);
	/* a monthly figure's days: a calendar month is itself, else 30.4375 */
	bool bmonth = b->start == cr_month_first(b->start) && b->end == cr_month_last(b->start);
	int64_t mnum = bmonth ? bdays * 10000 : 304375;
	cr_day first = 0, last = 0;
	mline *lines;
	size_t nlines, ntargets = 0;
	const bprop **order;
	target *targets;

	if (strcmp(b->currency, r->currency ? r->currency : "") != 0)
		return cr_error_set(err, CR_EXIT_INPUT, "%s: the baseline is in %s, this report in "
				    "%s: realised savings compare one currency", b->name, b->currency,
				    r->currency ? r->currency : "?");
	if (strcmp(b->metric, cr_metric_name(r->metric)) != 0)
		return cr_error_set(err, CR_EXIT_INPUT, "%s: the baseline's metric is %s, this "
				    "report's %s: give the same --metric", b->name, b->metric,
				    cr_metric_name(r->metric));
	if (b->end >= r->start)
		return cr_error_set(err, CR_EXIT_USAGE, _("--baseline %s: its period (%s) does not "
				    "end before this report's (%s)"), b->name, b->label,
				    r->period_label);
	x = r->realised = cr_xcalloc(1, sizeof *x);
	x->file = cr_xstrdup(b->name);
	x->period_label = cr_xstrdup(b->label);
	x->start = b->start;
	x->end = b->end;
	x->measured = cr_ledger_is_daily(l) && cr_ledger_day_range(l, &first, &last) &&
		      first <= b->start && last >= b->end;
	lines = measure(l, r->start, r->end, b->start, b->end, &nlines, &bad);
	x->items = cr_xcalloc(b->n + 1, sizeof *x->items);
	x->n_items = b->n;
	order = cr_xcalloc(b->n + 1, sizeof *order);
	for (size_t i = 0; i < b->n; i++)
		order[i] = &b->v[i];
	if (b->n)
		qsort(order, b->n, sizeof *order, cmp_rank);
	targets = cr_xcalloc(b->n + 1, sizeof *targets);

	/* each item's line figures */
	for (size_t i = 0; i < b->n; i++) {
		const bprop *p = &b->v[i];
		cr_realised_item *it = &x->items[i];
		mline *m = find_line(lines, nlines, p->account_id, p->service, p->usage_type);
		char *tgt = migration_target(p);
		cr_dec base;

		it->baseline_rank = p->rank;
		it->rule = cr_xstrdup(p->rule);
		it->title = cr_xstrdup(p->title ? p->title : "");
		it->model = cr_xstrdup(p->model ? p->model : "");
		it->action = cr_xstrdup(p->action ? p->action : "");
		it->account_id = cr_xstrdup(p->account_id);
		it->account_name = cr_xstrdup(account_name(r, p->account_id, p->account_name));
		it->service = cr_xstrdup(p->service);
		it->usage_type = cr_xstrdup(p->usage_type);
		it->target_usage_type = tgt ? tgt : cr_xstrdup("");
		it->measured = x->measured;
		it->weekend = is_weekend_model(p);
		it->proposed = p->savings;
		it->proposed_period = scale(p->savings, cdays * 10000, mnum, &bad);
		base = x->measured ? (m ? m->base : CR_DEC_ZERO)
				   : scale(p->monthly_cost, bdays * 10000, mnum, &bad);
		if (it->weekend) {
			it->baseline_cost = x->measured ? (m ? m->base_we : CR_DEC_ZERO)
							: scale(base, bwe, bdays, &bad);
			it->expected_cost = scale(it->baseline_cost, cwe, bwe ? bwe : 1, &bad);
			it->current_cost = m ? m->cur_we : CR_DEC_ZERO;
		} else {
			it->baseline_cost = base;
			it->expected_cost = scale(base, cdays, bdays, &bad);
			it->current_cost = m ? m->cur : CR_DEC_ZERO;
		}
		/* a target's growth, once for all the lines moving to it */
		if (tgt) {
			char *k = join_key(p->account_id, p->service, tgt);
			size_t t;

			for (t = 0; t < ntargets && strcmp(targets[t].key, k) != 0; t++)
				;
			if (t == ntargets) {
				mline *tm = find_line(lines, nlines, p->account_id, p->service, tgt);
				cr_dec exp = tm ? scale(tm->base, cdays, bdays, &bad) : CR_DEC_ZERO;

				targets[ntargets].key = k;
				targets[ntargets++].left = tm ? dmax0(sub(tm->cur, exp, &bad))
							      : CR_DEC_ZERO;
			} else {
				free(k);
			}
		}
	}

	/* share each line's drop among its proposals, in rank order */
	{
		bool *done = cr_xcalloc(b->n + 1, sizeof *done);

		for (size_t oi = 0; oi < b->n; oi++) {
			size_t i = (size_t)(order[oi] - b->v), firsti = i;
			cr_realised_item *it = &x->items[i];
			mline *m;
			cr_dec pool, whole;

			if (done[i])
				continue;
			m = find_line(lines, nlines, it->account_id, it->service, it->usage_type);
			/* the whole line, all days */
			whole = x->measured ? (m ? m->base : CR_DEC_ZERO)
					    : scale(order[oi]->monthly_cost, bdays * 10000, mnum, &bad);
			pool = sub(scale(whole, cdays, bdays, &bad), m ? m->cur : CR_DEC_ZERO, &bad);
			/* the migrations of this line pay for their target's growth */
			for (size_t oj = oi; oj < b->n; oj++) {
				size_t j = (size_t)(order[oj] - b->v);
				cr_realised_item *jt = &x->items[j];

				if (done[j] || strcmp(jt->account_id, it->account_id) ||
				    strcmp(jt->service, it->service) ||
				    strcmp(jt->usage_type, it->usage_type) || !*jt->target_usage_type)
					continue;
				for (size_t t = 0; t < ntargets; t++) {
					char *k = join_key(jt->account_id, jt->service,
							   jt->target_usage_type);
					bool hit = strcmp(targets[t].key, k) == 0;

					free(k);
					if (!hit)
						continue;
					jt->target_growth = dmin(targets[t].left, dmax0(pool));
					targets[t].left = sub(targets[t].left, jt->target_growth, &bad);
					pool = sub(pool, jt->target_growth, &bad);
				}
				break;
			}
			/* weekend proposals take their weekend drop */
			for (size_t oj = oi; oj < b->n; oj++) {
				size_t j = (size_t)(order[oj] - b->v);
				cr_realised_item *jt = &x->items[j];

				if (done[j] || !jt->weekend || strcmp(jt->account_id, it->account_id) ||
				    strcmp(jt->service, it->service) ||
				    strcmp(jt->usage_type, it->usage_type))
					continue;
				jt->realised = dmax0(sub(jt->expected_cost, jt->current_cost, &bad));
				pool = sub(pool, jt->realised, &bad);
				done[j] = true;
			}
			/* the others, each up to its proposed saving */
			for (size_t oj = oi; oj < b->n; oj++) {
				size_t j = (size_t)(order[oj] - b->v);
				cr_realised_item *jt = &x->items[j];

				if (done[j] || strcmp(jt->account_id, it->account_id) ||
				    strcmp(jt->service, it->service) ||
				    strcmp(jt->usage_type, it->usage_type))
					continue;
				jt->realised = dmin(dmax0(pool), jt->proposed_period);
				pool = sub(pool, jt->realised, &bad);
				done[j] = true;
			}
			/* what is left goes to the line's first proposal */
			if (cr_dec_sign(pool) > 0)
				bad |= cr_dec_acc(&x->items[firsti].realised, pool) != 0;
		}
		free(done);
	}

	/* status and totals */
	for (size_t i = 0; i < b->n; i++) {
		cr_realised_item *it = &x->items[i];
		mline *m = find_line(lines, nlines, it->account_id, it->service, it->usage_type);
		cr_dec t90 = scale(it->proposed_period, CR_REALISED_DONE_PCT, 100, &bad);
		cr_dec t10 = scale(it->proposed_period, CR_REALISED_PARTLY_PCT, 100, &bad);
		cr_dec lexp = it->weekend ? scale(x->measured ? (m ? m->base : CR_DEC_ZERO)
					  : scale(b->v[i].monthly_cost, bdays * 10000, mnum, &bad),
					  cdays, bdays, &bad) : it->expected_cost;
		cr_dec lcur = m ? m->cur : CR_DEC_ZERO;
		cr_dec grew = scale(lexp, CR_REALISED_GREW_PCT, 100, &bad);

		if (cr_dec_sign(it->realised) > 0 && cr_dec_cmp(it->realised, t90) >= 0)
			it->status = CR_REAL_DONE;
		else if (cr_dec_is_zero(lcur) && cr_dec_sign(lexp) > 0)
			it->status = CR_REAL_LINE_GONE;
		else if (cr_dec_sign(it->realised) > 0 && cr_dec_cmp(it->realised, t10) >= 0)
			it->status = CR_REAL_PARTLY;
		else if (cr_dec_cmp(lcur, grew) > 0)
			it->status = CR_REAL_LINE_GREW;
		else
			it->status = CR_REAL_NOT_YET;
		it->remaining = dmax0(sub(it->proposed_period, it->realised, &bad));
		x->counts[it->status]++;
		bad |= cr_dec_acc(&x->proposed, it->proposed) != 0;
		bad |= cr_dec_acc(&x->proposed_period, it->proposed_period) != 0;
		bad |= cr_dec_acc(&x->realised, it->realised) != 0;
		bad |= cr_dec_acc(&x->remaining, it->remaining) != 0;
	}

	/* commitments bought: fee lines new this period */
	for (size_t i = 0; x->measured && i < nlines; i++) {
		cr_realised_commitment *c;

		if (!lines[i].fee_cur || lines[i].fee_base)
			continue;
		x->commitments = cr_xrealloc(x->commitments, (x->n_commitments + 1) *
					     sizeof *x->commitments);
		c = &x->commitments[x->n_commitments++];
		c->account_id = cr_xstrdup(lines[i].account);
		c->service = cr_xstrdup(lines[i].service);
		c->usage_type = cr_xstrdup(lines[i].usage);
		c->cost = lines[i].fee_cost;
	}
	for (size_t t = 0; t < ntargets; t++)
		free(targets[t].key);
	free(targets);
	free(order);
	free_lines(lines, nlines);
	if (b->untracked)
		cr_report_add_warning(r, _("%zu proposals of the baseline fold several lines "
					   "(--min-saving) or cover the whole organisation and are "
					   "not tracked: give the earlier report --min-saving 0 to "
					   "track every line"), b->untracked);
	if (!x->measured)
		cr_report_add_warning(r, _("the data does not cover the baseline period %s: the "
					   "realised savings take the lines' earlier cost from the "
					   "baseline's monthly_cost, and commitments bought are not "
					   "checked"), b->label);
	if (bad)
		return cr_error_set(err, CR_EXIT_INPUT, "a realised saving is out of range");
	return 0;
}
