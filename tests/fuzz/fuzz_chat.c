/*
 * fuzz_chat.c - the chat and webhook payload builder (notify.h).
 *
 * The input describes an organisation; it becomes a ledger, then a report
 * through cr_rank_build (and the built-in savings rules when asked), and
 * every kind of payload is built from it.  The first line holds option
 * bytes; every other line is one record, fields separated by tabs:
 *
 *   options   byte 0: flags (1 amortised metric, 2 built-in savings rules,
 *             4 a range instead of a month, 8 --include credits, refunds
 *             and tax, 16 a Cost Explorer source, 32 estimated, 64
 *             partial); byte 1: --top (1..12); byte 2: --top-usage (1..6);
 *             byte 3: messages allowed (0: the default, else 1..8)
 *   A  id name environment owner        an --accounts entry
 *   W  text                             a note (warning) of the report
 *   F  name                             a report file name
 *   X  CODE=RATE[@YYYY-MM-DD]           --fx
 *   C  code                             the currency of the data
 *   S  name format                      an input (the source block)
 *   P  title account service usage amount   a proposal (a rule file's
 *                                           title is any text)
 *   +N ...                              the rest of the line N times,
 *                                       the account id suffixed with the
 *                                       copy's number
 *   account service usage amount [day [kind [name [environment]]]]
 *             a billing line; day: a number of days from the start of the
 *             previous period, or empty for the first day of the period;
 *             kind: u s r v n m f d a c R t (usage, Spot, RI-covered,
 *             SP-covered, negation, commitment fee, fee, discount,
 *             adjustment, credit, refund, tax)
 *
 * Any field "%N%text" is text repeated to N bytes (N <= 70000): long
 * names cheaply.  Names keep every other byte as it is: invalid UTF-8,
 * control characters, markup, mentions.  An input holds at most MAX_LINES
 * billing lines, enough to fill the messages allowed with few of them
 * (the builder measures each message as it grows it, so larger
 * organisations only slow fuzzing down).
 *
 * Invariants, for every kind: the build succeeds (an amount out of range
 * may fail it, with CR_EXIT_INTERNAL, only when the input has huge
 * amounts or rates); the same report gives the same bytes (checked for
 * one kind an input, chosen by option byte 2); every payload is valid
 * JSON (UTF-8, no duplicate keys) of the length reported, with no
 * control character but a line break in any string; at most the
 * messages allowed, and accounts left out only in a full post.
 *   slack    <= CR_SLACK_MAX_BYTES, <= 50 blocks (a header first, a
 *            context last), header <= 150 code points, section text <=
 *            3000, <= 10 fields of <= 2000, <= 10 context elements; no
 *            '<' or '>' in any text and every '&' an entity (no mention,
 *            link or tag can come from the data)
 *   teams    <= CR_TEAMS_MAX_BYTES, one Adaptive Card of version
 *            CR_TEAMS_CARD_VERSION whose body holds TextBlocks, FactSets
 *            and Containers
 *   gchat    <= CR_GCHAT_MAX_BYTES, <= 100 widgets a card, and only the
 *            builder's own tags in card text
 *   webhook  one document, schema CR_NOTIFY_SCHEMA, every account in
 *            order, the report's exact total
 * The chat kinds list every account exactly once across the messages, in
 * rank order, or count it as left out; "part i of n" is in each message
 * of a split post.
 */
#include <jansson.h>
#include <stdbool.h>

#include "costrank/accounts.h"
#include "costrank/buf.h"
#include "costrank/decimal.h"
#include "costrank/error.h"
#include "costrank/fx.h"
#include "costrank/ledger.h"
#include "costrank/notify.h"
#include "costrank/period.h"
#include "costrank/rank.h"
#include "costrank/report.h"
#include "costrank/rules.h"
#include "costrank/savings.h"

#include "fuzz.h"

#define MAX_FIELDS 9
#define MAX_LINES 250         /* billing lines an input, copies included */
#define MAX_EXPAND 70000
#define MAX_FILES 16

enum {
	F_AMORTIZED = 1,
	F_RULES = 2,
	F_RANGE = 4,
	F_INCLUDE = 8,
	F_LIVE = 16,
	F_ESTIMATED = 32,
	F_PARTIAL = 64,
};

/* Everything the input asks for besides the ledger. */
struct org {
	cr_ledger *l;
	cr_accounts acc;
	char *files[MAX_FILES];
	size_t n_files;
	cr_buf warnings;          /* NUL-separated */
	size_t n_warnings;
	cr_buf props;             /* "title\0account\0service\0usage\0" */
	cr_dec prop_amounts[64];
	size_t n_props;
	cr_fx fx;
	bool fx_dated, has_fx;
	bool huge;                /* an amount or rate that may overflow a sum */
	size_t lines;             /* billing lines so far */
	cr_day prev_start;
	cr_period period;
};

static const cr_ruleset *rules(void)
{
	static cr_ruleset *rs;
	cr_error err;

	if (!rs) {
		cr_error_clear(&err);
		rs = cr_rules_load(NULL, NULL, &err);
		FUZZ_CHECK(rs != NULL);
	}
	return rs;
}

/* A field, "%N%text" expanded; owned by the caller. */
static char *field(const char *p, size_t n, size_t *len)
{
	cr_buf b = CR_BUF_INIT;

	if (n > 2 && p[0] == '%') {
		size_t want = 0, i = 1;

		while (i < n && p[i] >= '0' && p[i] <= '9' && want <= MAX_EXPAND)
			want = want * 10 + (size_t)(p[i++] - '0');
		if (i < n && p[i] == '%' && i + 1 < n) {
			const char *t = p + i + 1;
			size_t tn = n - i - 1;

			if (want > MAX_EXPAND)
				want = MAX_EXPAND;
			while (b.len < want)
				cr_buf_add(&b, t, b.len + tn <= want ? tn : want - b.len);
			cr_buf_add(&b, "", 0);
			*len = b.len;
			return cr_buf_detach(&b);
		}
	}
	cr_buf_add(&b, p, n);
	*len = b.len;
	return cr_buf_detach(&b);
}

/* Splits a line at tabs into at most MAX_FIELDS expanded fields. */
static size_t split(const char *p, size_t n, char **f, size_t *fl)
{
	size_t nf = 0, start = 0;

	for (size_t i = 0; i <= n && nf < MAX_FIELDS; i++) {
		if (i == n || p[i] == '\t') {
			f[nf] = field(p + start, i - start, &fl[nf]);
			nf++;
			start = i + 1;
		}
	}
	return nf;
}

/* An amount: the field as a decimal, else a few cents from its bytes. */
static cr_dec amount(const char *s, size_t n, bool *huge)
{
	static const cr_dec limit = { (cr_i128)1000000000000 * (cr_i128)1000000000000000000 };
	cr_dec d;
	unsigned sum = 0;

	if (cr_dec_parse(s, n, &d) >= 0) {
		if (cr_dec_cmp(d, limit) > 0 || cr_dec_cmp(d, cr_dec_neg(limit)) < 0)
			*huge = true;
		return d;
	}
	for (size_t i = 0; i < n; i++)
		sum = sum * 31 + (unsigned char)s[i];
	return cr_dec_mul_ratio(&d, cr_dec_from_int(sum % 100000), 1, 100) == 0 ? d : CR_DEC_ZERO;
}

static enum cr_kind kind_of(const char *s)
{
	static const char letters[] = "usrvnmfdacRt";
	static const enum cr_kind kinds[] = {
		CR_KIND_USAGE, CR_KIND_SPOT, CR_KIND_RI_COVERED, CR_KIND_SP_COVERED,
		CR_KIND_SP_NEGATION, CR_KIND_COMMITMENT_FEE, CR_KIND_FEE, CR_KIND_DISCOUNT,
		CR_KIND_ADJUSTMENT, CR_KIND_CREDIT, CR_KIND_REFUND, CR_KIND_TAX,
	};
	const char *p = s && *s ? strchr(letters, *s) : NULL;

	return p ? kinds[p - letters] : CR_KIND_USAGE;
}

static void billing_line(struct org *o, char **f, size_t *fl, size_t nf, const char *suffix)
{
	cr_buf id = CR_BUF_INIT;
	cr_ledger_key k = { 0 };
	cr_dec cost;
	cr_error err;
	cr_sym unit;

	if (nf < 4)
		return;
	cr_buf_add(&id, f[0], fl[0]);
	cr_buf_adds(&id, suffix);
	k.account = cr_ledger_intern(o->l, id.ptr, id.len);
	k.service = cr_ledger_intern(o->l, f[1], fl[1]);
	k.usage_type = cr_ledger_intern(o->l, f[2], fl[2]);
	cost = amount(f[3], fl[3], &o->huge);
	k.day = o->period.start;
	if (nf > 4 && fl[4]) {
		unsigned d = 0;

		for (size_t i = 0; i < fl[4] && i < 6; i++) {
			unsigned char ch = (unsigned char)f[4][i];

			d = d * 10 + (ch >= '0' && ch <= '9' ? (unsigned)(ch - '0') : ch % 10u);
		}
		k.day = o->prev_start + (cr_day)(d % (unsigned)(o->period.end - o->prev_start + 1));
	}
	k.kind = kind_of(nf > 5 ? f[5] : NULL);
	unit = cr_ledger_intern(o->l, "Hrs", 3);
	cr_error_clear(&err);
	if (cr_ledger_add(o->l, &k, cost, cr_dec_from_int(1), unit, &err) < 0)
		o->huge = true; /* a sum overflowed: the ledger kept it out */
	if (nf > 6)
		cr_ledger_note_account_name(o->l, k.account, cr_ledger_intern(o->l, f[6], fl[6]));
	if (nf > 7)
		cr_ledger_note_environment(o->l, k.account, cr_ledger_intern(o->l, f[7], fl[7]));
	cr_buf_release(&id);
}

static void record(struct org *o, const char *p, size_t n)
{
	char *f[MAX_FIELDS];
	size_t fl[MAX_FIELDS], nf, copies = 1;

	if (n > 1 && p[0] == '+') {
		size_t i = 1;

		copies = 0;
		while (i < n && p[i] >= '0' && p[i] <= '9' && copies <= MAX_LINES)
			copies = copies * 10 + (size_t)(p[i++] - '0');
		if (i < n && p[i] == '\t')
			i++;
		p += i;
		n -= i;
	}
	nf = split(p, n, f, fl);
	if (nf >= 2 && fl[0] == 1 && strchr("AWFXCSP", f[0][0])) {
		switch (f[0][0]) {
		case 'A': {
			cr_account_info *a;

			if (!fl[1] || o->acc.n >= 64)
				break;
			o->acc.v = cr_xrealloc(o->acc.v, (o->acc.n + 1) * sizeof *o->acc.v);
			a = &o->acc.v[o->acc.n++];
			memset(a, 0, sizeof *a);
			a->id = cr_xstrdup(f[1]);
			a->name = nf > 2 ? cr_xstrdup(f[2]) : NULL;
			if (nf > 3 && cr_environment_canonical(f[3]))
				a->environment = cr_xstrdup(cr_environment_canonical(f[3]));
			a->owner = nf > 4 ? cr_xstrdup(f[4]) : NULL;
			break;
		}
		case 'W':
			cr_buf_add(&o->warnings, f[1], strlen(f[1]) + 1);
			o->n_warnings++;
			break;
		case 'F':
			if (o->n_files < MAX_FILES)
				o->files[o->n_files++] = cr_xstrdup(f[1]);
			break;
		case 'X': {
			cr_error err;

			cr_error_clear(&err);
			if (!o->has_fx && cr_fx_parse(f[1], &o->fx, &o->fx_dated, &err) == 0) {
				static const cr_dec big = { (cr_i128)10000 * (cr_i128)1000000000000000000 };
				o->has_fx = true;
				if (cr_dec_cmp(o->fx.rate, big) > 0)
					o->huge = true;
			}
			break;
		}
		case 'C':
			cr_ledger_check_currency(o->l, f[1], fl[1]);
			break;
		case 'S':
			cr_ledger_add_input(o->l, f[1], nf > 2 ? f[2] : "cur2");
			break;
		case 'P':
			if (nf >= 6 && o->n_props < 64) {
				for (size_t i = 1; i < 5; i++)
					cr_buf_add(&o->props, f[i], strlen(f[i]) + 1);
				o->prop_amounts[o->n_props++] = amount(f[5], fl[5], &o->huge);
			}
			break;
		}
	} else {
		for (size_t c = 0; c < copies && o->lines < MAX_LINES; c++, o->lines++) {
			char suffix[24] = "";

			if (copies > 1)
				snprintf(suffix, sizeof suffix, "%zu", c);
			billing_line(o, f, fl, nf, suffix);
		}
	}
	for (size_t i = 0; i < nf; i++)
		free(f[i]);
}

/* The proposals of P records, after any from the rules. */
static void add_proposals(struct org *o, cr_report *r)
{
	const char *s = o->props.ptr;

	if (!o->n_props)
		return;
	r->proposals = cr_xrealloc(r->proposals, (r->n_proposals + o->n_props) * sizeof *r->proposals);
	for (size_t i = 0; i < o->n_props; i++) {
		cr_proposal *p = &r->proposals[r->n_proposals];
		const char *t[4];

		for (int k = 0; k < 4; k++) {
			t[k] = s;
			s += strlen(s) + 1;
		}
		memset(p, 0, sizeof *p);
		p->rank = (int)++r->n_proposals;
		p->rule = cr_report_text(r, "fuzz-rule");
		p->title = cr_report_text(r, t[0]);
		p->action = "rightsizing";
		p->model = "fraction";
		p->effort = i % 2 ? "low" : "high";
		p->risk = "medium";
		p->account_id = cr_report_text(r, t[1]);
		p->account_name = cr_report_text(r, i % 3 ? t[1] : "");
		p->environment = cr_report_text(r, "");
		p->service = cr_report_text(r, t[2]);
		p->usage_type = cr_report_text(r, t[3]);
		p->monthly_cost = o->prop_amounts[i];
		p->savings = o->prop_amounts[i];
		p->annual_savings = o->prop_amounts[i];
		p->formula = cr_report_text(r, "");
		p->evidence = cr_report_text(r, "");
		p->rationale = cr_report_text(r, t[0]);
		p->reference = cr_report_text(r, "https://example.com/");
		p->basis = cr_report_text(r, "");
		if (cr_dec_acc(&r->savings_total, p->savings) != 0)
			o->huge = true;
	}
	r->has_proposals = true;
}

/* ---- checks ------------------------------------------------------------------ */

static size_t cps(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

/* A C1 control (U+0080..U+009F) or a bidirectional control (U+061C,
 * U+200E, U+200F, U+202A..U+202E, U+2066..U+2069) starts at p. */
static bool c1_or_bidi(const unsigned char *p)
{
	if (p[0] == 0xC2 && p[1] >= 0x80 && p[1] <= 0x9F)
		return true;
	if (p[0] == 0xD8 && p[1] == 0x9C)
		return true;
	if (p[0] != 0xE2 || !p[1] || !p[2])
		return false;
	if (p[1] == 0x80)
		return p[2] == 0x8E || p[2] == 0x8F || (p[2] >= 0xAA && p[2] <= 0xAE);
	return p[1] == 0x81 && p[2] >= 0xA6 && p[2] <= 0xA9;
}

/* No control character but '\n' in any string of v (keys included), and
 * no C1 or bidirectional control. */
static void check_strings(json_t *v)
{
	const char *key;
	json_t *x;
	size_t i;

	if (json_is_string(v)) {
		for (const unsigned char *p = (const unsigned char *)json_string_value(v); *p; p++)
			FUZZ_CHECK((*p == '\n' || (*p >= 0x20 && *p != 0x7f)) && !c1_or_bidi(p));
	} else if (json_is_object(v)) {
		json_object_foreach(v, key, x) {
			for (const unsigned char *p = (const unsigned char *)key; *p; p++)
				FUZZ_CHECK(*p >= 0x20 && *p != 0x7f);
			check_strings(x);
		}
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x)
			check_strings(x);
	}
}

static const char *str(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	FUZZ_CHECK(json_is_string(v));
	return json_string_value(v);
}

/* Slack text: no '<' or '>', every '&' an entity. */
static void check_slack_text(const char *s)
{
	for (const char *p = s; *p; p++) {
		bool ok = *p != '<' && *p != '>';

		if (*p == '&')
			ok = strncmp(p, "&amp;", 5) == 0 || strncmp(p, "&lt;", 4) == 0 ||
			     strncmp(p, "&gt;", 4) == 0;
		if (!ok)
			fprintf(stderr, "Slack text: %.300s\n", s);
		FUZZ_CHECK(ok);
	}
}

/* The leading "N. " of an account's text, or 0. */
static int lead_rank(const char *s)
{
	int n = 0;

	if (*s < '1' || *s > '9')
		return 0;
	while (*s >= '0' && *s <= '9' && n < 1000000)
		n = n * 10 + (*s++ - '0');
	return strncmp(s, ". ", 2) == 0 ? n : 0;
}

/* An account unit of a message: its rank must be the next one. */
static void next_account(int rank, int *seen)
{
	FUZZ_CHECK(rank == *seen + 1);
	*seen = rank;
}

static void check_slack(json_t *m, int *seen)
{
	json_t *blocks = json_object_get(m, "blocks"), *b;
	size_t i, n = json_array_size(blocks);

	FUZZ_CHECK(*str(m, "text"));
	check_slack_text(str(m, "text"));
	FUZZ_CHECK(n >= 2 && n <= CR_SLACK_MAX_BLOCKS);
	FUZZ_CHECK(strcmp(str(json_array_get(blocks, 0), "type"), "header") == 0);
	FUZZ_CHECK(strcmp(str(json_array_get(blocks, n - 1), "type"), "context") == 0);
	json_array_foreach(blocks, i, b) {
		const char *type = str(b, "type");
		json_t *t = json_object_get(b, "text"), *x;
		size_t k;

		if (strcmp(type, "header") == 0) {
			FUZZ_CHECK(i == 0);
			FUZZ_CHECK(strcmp(str(t, "type"), "plain_text") == 0);
			FUZZ_CHECK(cps(str(t, "text")) <= CR_SLACK_MAX_HEADER);
			check_slack_text(str(t, "text"));
		} else if (strcmp(type, "section") == 0) {
			json_t *fields = json_object_get(b, "fields");

			FUZZ_CHECK(strcmp(str(t, "type"), "mrkdwn") == 0);
			FUZZ_CHECK(cps(str(t, "text")) <= CR_SLACK_MAX_SECTION_TEXT);
			check_slack_text(str(t, "text"));
			if (lead_rank(str(t, "text")))
				next_account(lead_rank(str(t, "text")), seen);
			FUZZ_CHECK(json_array_size(fields) <= CR_SLACK_MAX_FIELDS);
			json_array_foreach(fields, k, x) {
				FUZZ_CHECK(cps(str(x, "text")) <= CR_SLACK_MAX_FIELD_TEXT);
				check_slack_text(str(x, "text"));
			}
		} else if (strcmp(type, "context") == 0) {
			json_t *els = json_object_get(b, "elements");

			FUZZ_CHECK(i == n - 1);
			FUZZ_CHECK(json_array_size(els) >= 1 &&
				   json_array_size(els) <= CR_SLACK_MAX_CONTEXT);
			json_array_foreach(els, k, x) {
				FUZZ_CHECK(cps(str(x, "text")) <= CR_SLACK_MAX_SECTION_TEXT);
				check_slack_text(str(x, "text"));
			}
		} else {
			FUZZ_CHECK(strcmp(type, "divider") == 0);
		}
	}
}

static void check_teams(json_t *m, int *seen)
{
	json_t *atts = json_object_get(m, "attachments"), *card, *body, *el;
	size_t i;

	FUZZ_CHECK(strcmp(str(m, "type"), "message") == 0);
	FUZZ_CHECK(json_array_size(atts) == 1);
	FUZZ_CHECK(strcmp(str(json_array_get(atts, 0), "contentType"),
			  "application/vnd.microsoft.card.adaptive") == 0);
	card = json_object_get(json_array_get(atts, 0), "content");
	FUZZ_CHECK(strcmp(str(card, "type"), "AdaptiveCard") == 0);
	FUZZ_CHECK(strcmp(str(card, "version"), CR_TEAMS_CARD_VERSION) == 0);
	FUZZ_CHECK(*str(card, "fallbackText"));
	body = json_object_get(card, "body");
	FUZZ_CHECK(json_array_size(body) >= 2);
	json_array_foreach(body, i, el) {
		const char *type = str(el, "type");

		if (strcmp(type, "Container") == 0) {
			json_t *first = json_array_get(json_object_get(el, "items"), 0);
			int rank = lead_rank(str(first, "text"));

			FUZZ_CHECK(rank > 0);
			next_account(rank, seen);
		} else {
			FUZZ_CHECK(strcmp(type, "TextBlock") == 0 || strcmp(type, "FactSet") == 0);
		}
	}
}

/* Google Chat card text: only the builder's own tags. */
static void check_gchat_text(const char *s)
{
	static const char *const tags[] = {
		"<b>", "</b>", "<br>", "<i>", "</i>", "<font color=\"#5f6368\">", "</font>",
	};

	for (const char *p = s; (p = strchr(p, '<')); p++) {
		bool ok = false;

		for (size_t i = 0; i < sizeof tags / sizeof tags[0] && !ok; i++)
			ok = strncmp(p, tags[i], strlen(tags[i])) == 0;
		FUZZ_CHECK(ok);
	}
}

static void check_gchat(json_t *m, int *seen)
{
	json_t *card, *sections, *s, *w, *x;
	size_t i, k, widgets = 0;
	const char *key;

	FUZZ_CHECK(*str(m, "text"));
	FUZZ_CHECK(json_array_size(json_object_get(m, "cardsV2")) == 1);
	card = json_object_get(json_array_get(json_object_get(m, "cardsV2"), 0), "card");
	FUZZ_CHECK(*str(json_object_get(card, "header"), "title"));
	sections = json_object_get(card, "sections");
	FUZZ_CHECK(json_array_size(sections) >= 1);
	json_array_foreach(sections, i, s) {
		json_t *h = json_object_get(s, "header");

		if (h) {
			check_gchat_text(str(s, "header"));
			if (lead_rank(json_string_value(h)))
				next_account(lead_rank(json_string_value(h)), seen);
		}
		widgets += json_array_size(json_object_get(s, "widgets"));
		json_array_foreach(json_object_get(s, "widgets"), k, w) {
			json_object_foreach(w, key, x)
				check_gchat_text(str(x, "text"));
		}
	}
	FUZZ_CHECK(widgets <= CR_GCHAT_MAX_WIDGETS);
}

static void check_webhook(const cr_report *r, json_t *m)
{
	json_t *accounts = json_object_get(m, "accounts");
	char total[CR_DEC_STRLEN];

	FUZZ_CHECK(strcmp(str(m, "schema"), CR_NOTIFY_SCHEMA) == 0);
	FUZZ_CHECK(json_integer_value(json_object_get(m, "accounts_count")) ==
		   (json_int_t)r->n_accounts);
	FUZZ_CHECK(json_array_size(accounts) == r->n_accounts);
	for (size_t i = 0; i < r->n_accounts; i++)
		FUZZ_CHECK(json_integer_value(json_object_get(json_array_get(accounts, i), "rank")) ==
			   r->accounts[i].rank);
	cr_dec_format(r->total, -1, total, sizeof total);
	FUZZ_CHECK(strcmp(str(m, "total"), total) == 0);
}

static void check_kind(const cr_report *r, enum cr_notify_kind kind, const cr_notify_opts *o,
		       bool huge, bool twice)
{
	static const size_t max_bytes[] = { CR_SLACK_MAX_BYTES, CR_TEAMS_MAX_BYTES,
					    CR_GCHAT_MAX_BYTES, 0 };
	cr_notify_payloads p = CR_NOTIFY_PAYLOADS_INIT, q = CR_NOTIFY_PAYLOADS_INIT;
	size_t allowed = o->max_messages ? o->max_messages : CR_NOTIFY_MAX_MESSAGES;
	cr_error err;
	int rc, seen = 0;

	cr_error_clear(&err);
	rc = cr_notify_build(r, kind, o, &p, &err);
	if (rc < 0) {
		FUZZ_CHECK(huge);
		FUZZ_CHECK(err.code == CR_EXIT_INTERNAL);
		FUZZ_CHECK(p.n == 0 && p.v == NULL);
		return;
	}
	FUZZ_CHECK(p.n >= 1);
	FUZZ_CHECK(kind == CR_NOTIFY_WEBHOOK ? p.n == 1 : p.n <= allowed);
	FUZZ_CHECK(p.omitted == 0 || p.n == allowed);
	FUZZ_CHECK(kind != CR_NOTIFY_WEBHOOK || p.omitted == 0);

	/* a pure function of the report */
	if (twice) {
		FUZZ_CHECK(cr_notify_build(r, kind, o, &q, &err) == 0);
		FUZZ_CHECK(q.n == p.n && q.omitted == p.omitted);
		for (size_t i = 0; i < p.n; i++)
			FUZZ_CHECK(q.len[i] == p.len[i] && memcmp(q.v[i], p.v[i], p.len[i]) == 0);
		cr_notify_payloads_free(&q);
	}

	for (size_t i = 0; i < p.n; i++) {
		json_error_t jerr;
		json_t *m;

		FUZZ_CHECK(p.v[i] && strlen(p.v[i]) == p.len[i]);
		if (max_bytes[kind])
			FUZZ_CHECK(p.len[i] <= max_bytes[kind]);
		m = json_loadb(p.v[i], p.len[i], JSON_REJECT_DUPLICATES, &jerr);
		if (!m)
			fprintf(stderr, "%s message %zu: %s\n", cr_notify_kind_name(kind), i + 1,
				jerr.text);
		FUZZ_CHECK(json_is_object(m));
		check_strings(m);
		if (p.n > 1 && kind != CR_NOTIFY_WEBHOOK) {
			char part[64];

			snprintf(part, sizeof part, "part %zu of %zu", i + 1, p.n);
			FUZZ_CHECK(strstr(p.v[i], part) != NULL);
		}
		switch (kind) {
		case CR_NOTIFY_SLACK:
			check_slack(m, &seen);
			break;
		case CR_NOTIFY_TEAMS:
			check_teams(m, &seen);
			break;
		case CR_NOTIFY_GCHAT:
			check_gchat(m, &seen);
			break;
		case CR_NOTIFY_WEBHOOK:
			check_webhook(r, m);
			break;
		}
		json_decref(m);
	}
	if (kind != CR_NOTIFY_WEBHOOK)
		FUZZ_CHECK((size_t)seen + p.omitted == r->n_accounts);
	cr_notify_payloads_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data, *end = s + size, *nl;
	unsigned char opt[4] = { 0 };
	struct org o;
	cr_rank_opts ro = { 0 };
	cr_report *r;
	cr_error err;
	bool given;
	const char *w;

	memset(&o, 0, sizeof o);
	nl = memchr(s, '\n', size);
	for (size_t i = 0; i < 4 && s + i < (nl ? nl : end); i++)
		opt[i] = (unsigned char)s[i];
	cr_error_clear(&err);
	if (opt[0] & F_RANGE)
		FUZZ_CHECK(cr_period_from_options(NULL, "2026-10-03", "2026-10-17", &o.period, &given,
						  &err) == 0);
	else
		FUZZ_CHECK(cr_period_from_options("2026-10", NULL, NULL, &o.period, &given, &err) == 0);
	{
		cr_period prev;

		cr_period_previous(&o.period, &prev);
		o.prev_start = prev.start;
	}
	o.l = cr_ledger_new(opt[0] & F_AMORTIZED ? CR_METRIC_AMORTIZED : CR_METRIC_UNBLENDED);
	for (s = nl ? nl + 1 : end; s < end; s = nl ? nl + 1 : end) {
		nl = memchr(s, '\n', (size_t)(end - s));
		record(&o, s, (size_t)((nl ? nl : end) - s));
	}

	ro.period = o.period;
	ro.period_complete = !(opt[0] & F_ESTIMATED);
	ro.top_services = opt[1] % 12 + 1;
	ro.top_usage = opt[2] % 6 + 1;
	for (int i = 0; i < CR_EXCL_COUNT; i++)
		ro.include[i] = opt[0] & F_INCLUDE;
	ro.accounts = o.acc.n ? &o.acc : NULL;
	r = cr_rank_build(o.l, &ro, &err);
	if (!r) {
		FUZZ_CHECK(err.code == CR_EXIT_NODATA || err.code == CR_EXIT_INPUT);
		goto out;
	}
	if (opt[0] & F_RULES) {
		cr_error_clear(&err);
		if (cr_savings_apply(r, o.l, rules(), &err) < 0)
			FUZZ_CHECK(o.huge);
	}
	add_proposals(&o, r);
	w = o.warnings.ptr;
	for (size_t i = 0; i < o.n_warnings; i++, w += strlen(w) + 1)
		cr_report_add_warning(r, "%s", w);
	if (opt[0] & F_LIVE) {
		r->paid_requests = opt[3];
		r->cached_requests = opt[2] & 1;
	}
	r->estimated = opt[0] & F_ESTIMATED;
	r->partial = opt[0] & F_PARTIAL;
	if (o.has_fx) {
		r->fx = o.fx;
		if (!o.fx_dated)
			r->fx.date = r->end;
	}
	{
		cr_notify_opts no = { (const char *const *)o.files, o.n_files, opt[3] % 9, NULL, 0, NULL };

		for (int k = CR_NOTIFY_SLACK; k <= CR_NOTIFY_WEBHOOK; k++)
			check_kind(r, (enum cr_notify_kind)k, &no, o.huge, k == opt[2] % 4);
	}
	cr_report_free(r);
out:
	cr_ledger_free(o.l);
	for (size_t i = 0; i < o.acc.n; i++) {
		free(o.acc.v[i].id);
		free(o.acc.v[i].name);
		free(o.acc.v[i].environment);
		free(o.acc.v[i].owner);
	}
	free(o.acc.v);
	for (size_t i = 0; i < o.n_files; i++)
		free(o.files[i]);
	cr_buf_release(&o.warnings);
	cr_buf_release(&o.props);
	return 0;
}
