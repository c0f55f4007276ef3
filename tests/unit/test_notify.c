/*
 * test_notify.c - chat and webhook payloads (notify.h) and their sending,
 * and the --fx conversion (fx.h).
 *
 * Payloads: every kind parses as JSON and keeps its service's limits
 * (Slack: 50 blocks, 3,000 characters of section text, 10 fields of 2,000,
 * 150 characters of header; Teams 25,000 bytes; Google Chat 32,000 bytes),
 * for a small organisation, for one that needs several messages (60
 * accounts of 10 services) and for one that must be summed up with a note
 * (1,500 accounts); every account appears once; hostile names neither
 * break the JSON nor become mentions, links or markup.
 * Sending: against a loopback stub, the success rule of each service,
 * 429 with Retry-After (seen through the sleep hook), bounded retries,
 * permanent failures with the service's error text, the pause between
 * Slack messages, and a URL that never appears in a message.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "costrank/decimal.h"
#include "costrank/error.h"
#include "costrank/fx.h"
#include "costrank/http.h"
#include "costrank/notify.h"
#include "costrank/report.h"

#include "http_stub.h"

/* ---- reports ---------------------------------------------------------------- */

static cr_dec D(const char *s)
{
	cr_dec d;

	assert_int_equal(cr_dec_parse(s, strlen(s), &d), CR_DEC_OK);
	return d;
}

static cr_dec Dn(long long cents)
{
	char tmp[48];

	snprintf(tmp, sizeof tmp, "%lld.%02lld", cents / 100, cents % 100);
	return D(tmp);
}

static cr_day day(int y, int m, int d)
{
	cr_day out;

	assert_int_equal(cr_day_from_ymd(y, m, d, &out), 0);
	return out;
}

static void add_proposal(cr_report *r, const char *title, const char *acct, const char *svc,
			 const char *usage, const char *saving)
{
	cr_proposal *p;

	r->proposals = realloc(r->proposals, (r->n_proposals + 1) * sizeof *r->proposals);
	assert_non_null(r->proposals);
	p = &r->proposals[r->n_proposals++];
	memset(p, 0, sizeof *p);
	p->rank = (int)r->n_proposals;
	p->rule = cr_report_intern(r, "ec2-spot");
	p->title = cr_report_intern(r, title);
	p->action = "spot";
	p->model = "fraction";
	p->effort = "low";
	p->risk = "medium";
	p->account_id = cr_report_intern(r, "048213306571");
	p->account_name = cr_report_intern(r, acct);
	p->environment = cr_report_intern(r, "production");
	p->service = cr_report_intern(r, svc);
	p->usage_type = cr_report_intern(r, usage);
	p->savings = D(saving);
	p->monthly_cost = D(saving);
	p->annual_savings = D(saving);
	p->formula = cr_report_intern(r, "x");
	p->evidence = cr_report_intern(r, "y");
	p->rationale = cr_report_intern(r, "z");
	p->reference = cr_report_intern(r, "https://aws.amazon.com/");
	p->basis = cr_report_intern(r, "b");
	if (cr_dec_acc(&r->savings_total, p->savings))
		fail();
}

/* An organisation of `accounts` accounts with `services` services each;
 * name, when given, replaces every account, service and usage type name. */
static cr_report *make_org(size_t accounts, size_t services, const char *name)
{
	cr_report *r = calloc(1, sizeof *r);
	long long total = 0, prev = 0;

	assert_non_null(r);
	r->schema = CR_REPORT_SCHEMA;
	r->start = day(2026, 10, 1);
	r->end = day(2026, 10, 31);
	r->period_label = strdup("2026-10");
	r->has_previous = true;
	r->prev_start = day(2026, 9, 1);
	r->prev_end = day(2026, 9, 30);
	r->currency = strdup("USD");
	r->source_kind = strdup("cur2");
	r->files = calloc(1, sizeof *r->files);
	r->files[0] = strdup("cur.csv.gz");
	r->n_files = 1;
	r->data_through = r->end;
	r->top_services = (int)services;
	r->top_usage = 5;
	r->accounts = calloc(accounts + 1, sizeof *r->accounts);
	assert_non_null(r->accounts);
	r->n_accounts = accounts;
	for (size_t i = 0; i < accounts; i++) {
		cr_report_account *a = &r->accounts[i];
		long long at = 0, ap = 0;
		char tmp[64];

		a->rank = (int)i + 1;
		snprintf(tmp, sizeof tmp, "%012zu", 100000000000 + i);
		a->id = strdup(tmp);
		snprintf(tmp, sizeof tmp, "acct-%03zu-prod", i);
		a->name = strdup(name ? name : tmp);
		a->environment = strdup("production");
		a->owner = strdup("");
		a->environment_source = "name";
		a->services = calloc(services + 1, sizeof *a->services);
		assert_non_null(a->services);
		a->n_services = services;
		a->services_total = services;
		for (size_t j = 0; j < services; j++) {
			cr_report_service *s = &a->services[j];
			long long cost = (long long)((accounts - i) * 100000 + (services - j) * 1234 + 7);
			long long pc = cost - 5000 + (long long)j * 1000;

			s->rank = (int)j + 1;
			snprintf(tmp, sizeof tmp, "Amazon Service Number %zu", j + 1);
			s->name = strdup(name ? name : tmp);
			s->cost = Dn(cost);
			s->previous_cost = Dn(pc);
			at += cost;
			ap += pc;
		}
		a->total = Dn(at);
		a->previous_total = Dn(ap);
		total += at;
		prev += ap;
	}
	r->total = Dn(total);
	r->previous_total = Dn(prev);
	for (size_t i = 0; i < accounts; i++) {
		cr_report_account *a = &r->accounts[i];

		a->share = cr_dec_ratio(a->total, r->total);
		for (size_t j = 0; j < a->n_services; j++)
			a->services[j].share = cr_dec_ratio(a->services[j].cost, a->total);
	}
	r->recon.ranked = r->total;
	r->recon.grand_total = r->total;
	r->has_proposals = true;
	for (int i = 0; i < 7; i++)
		add_proposal(r, name ? name : "Use Spot for stateless workers",
			     name ? name : "acct-000-prod",
			     name ? name : "Amazon Elastic Compute Cloud - Compute",
			     name ? name : "BoxUsage:m5.2xlarge", "1234.56");
	return r;
}

/* ---- checking payloads ---------------------------------------------------------- */

static size_t cps(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			n++;
	return n;
}

static json_t *parse(const char *s, size_t len)
{
	json_error_t je;
	json_t *v = json_loadb(s, len, 0, &je);

	if (!v)
		fail_msg("payload is not JSON: %s at %d: %.200s", je.text, je.position, s);
	return v;
}

static const char *sval(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_string(v))
		fail_msg("\"%s\" is not a string", key);
	return json_string_value(v);
}

/* The Slack limits, on one message; returns its blocks. */
static size_t check_slack(json_t *msg)
{
	json_t *blocks = json_object_get(msg, "blocks"), *b;
	size_t i;

	assert_true(json_is_array(blocks));
	assert_true(json_array_size(blocks) >= 2);
	assert_true(json_array_size(blocks) <= CR_SLACK_MAX_BLOCKS);
	assert_true(strlen(sval(msg, "text")) > 0);
	json_array_foreach(blocks, i, b) {
		const char *type = sval(b, "type");

		if (strcmp(type, "header") == 0) {
			json_t *t = json_object_get(b, "text");

			assert_string_equal(sval(t, "type"), "plain_text");
			assert_true(cps(sval(t, "text")) <= CR_SLACK_MAX_HEADER);
			assert_true(cps(sval(t, "text")) > 0);
		} else if (strcmp(type, "section") == 0) {
			json_t *t = json_object_get(b, "text"), *f = json_object_get(b, "fields"), *x;
			size_t k;

			assert_true(t || f);
			if (t) {
				assert_string_equal(sval(t, "type"), "mrkdwn");
				assert_true(cps(sval(t, "text")) <= CR_SLACK_MAX_SECTION_TEXT);
				assert_true(strlen(sval(t, "text")) > 0);
			}
			if (f) {
				assert_true(json_array_size(f) <= CR_SLACK_MAX_FIELDS);
				json_array_foreach(f, k, x)
					assert_true(cps(sval(x, "text")) <= CR_SLACK_MAX_FIELD_TEXT);
			}
		} else if (strcmp(type, "context") == 0) {
			json_t *els = json_object_get(b, "elements"), *x;
			size_t k;

			assert_true(json_array_size(els) >= 1);
			assert_true(json_array_size(els) <= CR_SLACK_MAX_CONTEXT);
			json_array_foreach(els, k, x)
				assert_true(cps(sval(x, "text")) <= CR_SLACK_MAX_SECTION_TEXT);
		} else if (strcmp(type, "divider") != 0) {
			fail_msg("unexpected block type %s", type);
		}
	}
	/* every message starts with a header and ends with the footer */
	assert_string_equal(sval(json_array_get(blocks, 0), "type"), "header");
	assert_string_equal(sval(json_array_get(blocks, json_array_size(blocks) - 1), "type"),
			    "context");
	return json_array_size(blocks);
}

static void check_teams(json_t *msg)
{
	json_t *atts = json_object_get(msg, "attachments"), *att, *card, *body, *el;
	size_t i;

	assert_string_equal(sval(msg, "type"), "message");
	assert_int_equal(json_array_size(atts), 1);
	att = json_array_get(atts, 0);
	assert_string_equal(sval(att, "contentType"), "application/vnd.microsoft.card.adaptive");
	card = json_object_get(att, "content");
	assert_string_equal(sval(card, "type"), "AdaptiveCard");
	assert_string_equal(sval(card, "version"), CR_TEAMS_CARD_VERSION);
	assert_string_equal(sval(card, "$schema"),
			    "http://adaptivecards.io/schemas/adaptive-card.json");
	body = json_object_get(card, "body");
	assert_true(json_array_size(body) >= 2);
	json_array_foreach(body, i, el) {
		const char *type = sval(el, "type");

		if (strcmp(type, "TextBlock") == 0) {
			assert_true(strlen(sval(el, "text")) > 0);
		} else if (strcmp(type, "FactSet") == 0) {
			json_t *facts = json_object_get(el, "facts"), *f;
			size_t k;

			assert_true(json_array_size(facts) > 0);
			json_array_foreach(facts, k, f) {
				sval(f, "title");
				sval(f, "value");
			}
		} else if (strcmp(type, "Container") == 0) {
			assert_true(json_array_size(json_object_get(el, "items")) > 0);
		} else {
			fail_msg("unexpected element %s", type);
		}
	}
}

static void check_gchat(json_t *msg)
{
	json_t *cards = json_object_get(msg, "cardsV2"), *card, *sections, *s;
	size_t i, widgets = 0;

	assert_true(strlen(sval(msg, "text")) > 0);
	assert_int_equal(json_array_size(cards), 1);
	sval(json_array_get(cards, 0), "cardId");
	card = json_object_get(json_array_get(cards, 0), "card");
	sval(json_object_get(card, "header"), "title");
	sections = json_object_get(card, "sections");
	assert_true(json_array_size(sections) >= 1);
	json_array_foreach(sections, i, s) {
		assert_true(json_array_size(json_object_get(s, "widgets")) >= 1);
		widgets += json_array_size(json_object_get(s, "widgets"));
	}
	assert_true(widgets <= CR_GCHAT_MAX_WIDGETS);
}

/* Builds kind for r and checks every message; returns the payloads. */
static void build_checked(const cr_report *r, enum cr_notify_kind kind, size_t max_messages,
			  cr_notify_payloads *p)
{
	cr_notify_opts o = { NULL, 0, max_messages, NULL, 0, NULL };
	static const char *const names[] = { "costrank-2026-10.json", "costrank-2026-10.md" };
	cr_error err;

	o.reports = names;
	o.n_reports = 2;
	cr_error_clear(&err);
	if (cr_notify_build(r, kind, &o, p, &err) < 0)
		fail_msg("%s", err.msg);
	assert_true(p->n >= 1);
	for (size_t i = 0; i < p->n; i++) {
		json_t *msg = parse(p->v[i], p->len[i]);

		assert_int_equal(strlen(p->v[i]), p->len[i]);
		switch (kind) {
		case CR_NOTIFY_SLACK:
			assert_true(p->len[i] <= CR_SLACK_MAX_BYTES);
			check_slack(msg);
			break;
		case CR_NOTIFY_TEAMS:
			assert_true(p->len[i] <= CR_TEAMS_MAX_BYTES);
			check_teams(msg);
			break;
		case CR_NOTIFY_GCHAT:
			assert_true(p->len[i] <= CR_GCHAT_MAX_BYTES);
			check_gchat(msg);
			break;
		case CR_NOTIFY_WEBHOOK:
			assert_string_equal(sval(msg, "schema"), CR_NOTIFY_SCHEMA);
			break;
		}
		json_decref(msg);
	}
}

/* Occurrences of needle in every payload. */
static size_t count_in(const cr_notify_payloads *p, const char *needle)
{
	size_t n = 0;

	for (size_t i = 0; i < p->n; i++)
		for (const char *s = p->v[i]; (s = strstr(s, needle)); s += strlen(needle))
			n++;
	return n;
}

/* ---- payloads ------------------------------------------------------------------ */

static const enum cr_notify_kind chat_kinds[] = { CR_NOTIFY_SLACK, CR_NOTIFY_TEAMS,
						   CR_NOTIFY_GCHAT };

static void test_small_org_one_message(void **state)
{
	cr_report *r = make_org(7, 12, NULL);

	(void)state;
	for (size_t k = 0; k < 4; k++) {
		enum cr_notify_kind kind = k < 3 ? chat_kinds[k] : CR_NOTIFY_WEBHOOK;
		cr_notify_payloads p = CR_NOTIFY_PAYLOADS_INIT;

		build_checked(r, kind, 0, &p);
		assert_int_equal(p.n, 1);
		assert_int_equal(p.omitted, 0);
		/* the total, every account, the top 5 services, the proposals */
		assert_non_null(strstr(p.v[0], kind == CR_NOTIFY_WEBHOOK ? "\"total\":\"" :
				       "$"));
		for (size_t i = 0; i < r->n_accounts; i++)
			if (count_in(&p, r->accounts[i].id) != 1)
				fail_msg("%s: %s: %zu times in %s", cr_notify_kind_name(kind),
					 r->accounts[i].id, count_in(&p, r->accounts[i].id), p.v[0]);
		if (kind != CR_NOTIFY_WEBHOOK) {
			assert_int_equal(count_in(&p, "Amazon Service Number 5"), 7);
			assert_int_equal(count_in(&p, "Amazon Service Number 6"), 0);
			assert_int_equal(count_in(&p, "Other services (7)"), 7);
			assert_int_equal(count_in(&p, "Use Spot for stateless workers"), 5);
			assert_non_null(strstr(p.v[0], "2026-10-01 to 2026-10-31"));
			assert_non_null(strstr(p.v[0], "source: cur2"));
			assert_non_null(strstr(p.v[0], "costrank-2026-10.json"));
			assert_null(strstr(p.v[0], "part 1"));
		}
		cr_notify_payloads_free(&p);
	}
	cr_report_free(r);
}

static void test_webhook_document(void **state)
{
	cr_report *r = make_org(3, 8, NULL);
	cr_notify_payloads p = CR_NOTIFY_PAYLOADS_INIT;
	json_t *doc, *accts, *a0;
	char total[CR_DEC_STRLEN];

	(void)state;
	build_checked(r, CR_NOTIFY_WEBHOOK, 0, &p);
	doc = parse(p.v[0], p.len[0]);
	cr_dec_format(r->total, -1, total, sizeof total);
	assert_string_equal(sval(doc, "total"), total);
	assert_string_equal(sval(doc, "currency"), "USD");
	assert_string_equal(sval(json_object_get(doc, "period"), "label"), "2026-10");
	accts = json_object_get(doc, "accounts");
	assert_int_equal(json_array_size(accts), 3);
	a0 = json_array_get(accts, 0);
	assert_string_equal(sval(a0, "id"), "100000000000");
	assert_int_equal(json_array_size(json_object_get(a0, "top_services")),
			 CR_NOTIFY_TOP_SERVICES);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(a0, "other_services"),
							    "count")), 3);
	assert_int_equal(json_array_size(json_object_get(doc, "top_proposals")),
			 CR_NOTIFY_TOP_PROPOSALS);
	assert_int_equal(json_array_size(json_object_get(doc, "reports")), 2);
	assert_null(json_object_get(doc, "fx"));
	json_decref(doc);
	cr_notify_payloads_free(&p);
	cr_report_free(r);
}

/* 60 accounts of 10 services (120 for Google Chat, whose messages hold
 * more): more than one message, each valid, every account exactly once,
 * the proposals once, at the end. */
static void test_large_org_splits(void **state)
{
	cr_report *r60 = make_org(60, 10, NULL), *r120 = make_org(120, 10, NULL);

	(void)state;
	for (size_t k = 0; k < 3; k++) {
		cr_notify_payloads p = CR_NOTIFY_PAYLOADS_INIT;
		cr_report *r = chat_kinds[k] == CR_NOTIFY_GCHAT ? r120 : r60;
		char part[64];

		build_checked(r, chat_kinds[k], 0, &p);
		if (p.n < 2)
			fail_msg("%s: %zu message(s) for %zu accounts",
				 cr_notify_kind_name(chat_kinds[k]), p.n, r->n_accounts);
		assert_true(p.n <= CR_NOTIFY_MAX_MESSAGES);
		assert_int_equal(p.omitted, 0);
		for (size_t i = 0; i < r->n_accounts; i++)
			assert_int_equal(count_in(&p, r->accounts[i].id), 1);
		for (size_t i = 0; i < p.n; i++) {
			snprintf(part, sizeof part, "part %zu of %zu", i + 1, p.n);
			assert_non_null(strstr(p.v[i], part));
			assert_non_null(strstr(p.v[i], "2026-10-01 to 2026-10-31"));
			if (i + 1 < p.n)
				assert_null(strstr(p.v[i], "Use Spot for stateless workers"));
		}
		assert_int_equal(count_in(&p, "Use Spot for stateless workers"), 5);
		if (chat_kinds[k] == CR_NOTIFY_SLACK) {
			json_t *m = parse(p.v[0], p.len[0]);

			/* the first message is filled up to the block limit */
			assert_true(json_array_size(json_object_get(m, "blocks")) >=
				    CR_SLACK_MAX_BLOCKS - 1);
			json_decref(m);
		}
		cr_notify_payloads_free(&p);
	}
	cr_report_free(r60);
	cr_report_free(r120);
}

/* 1,500 accounts: at most CR_NOTIFY_MAX_MESSAGES, the rest summed with a
 * note; never rejected. */
static void test_huge_org_summarised(void **state)
{
	cr_report *r = make_org(1500, 10, NULL);

	(void)state;
	for (size_t k = 0; k < 3; k++) {
		cr_notify_payloads p = CR_NOTIFY_PAYLOADS_INIT;
		char note[64];
		size_t shown = 0;

		build_checked(r, chat_kinds[k], 0, &p);
		assert_int_equal(p.n, CR_NOTIFY_MAX_MESSAGES);
		assert_true(p.omitted > 0);
		for (size_t i = 0; i < r->n_accounts; i++)
			shown += count_in(&p, r->accounts[i].id);
		assert_int_equal(shown + p.omitted, r->n_accounts);
		snprintf(note, sizeof note, "and %zu more accounts", p.omitted);
		assert_non_null(strstr(p.v[p.n - 1], note));
		assert_non_null(strstr(p.v[p.n - 1], "costrank-2026-10.json"));
		assert_non_null(strstr(p.v[p.n - 1], "Use Spot for stateless workers"));
		cr_notify_payloads_free(&p);
	}
	/* a smaller cap is honoured too */
	{
		cr_notify_payloads p = CR_NOTIFY_PAYLOADS_INIT;

		build_checked(r, CR_NOTIFY_SLACK, 1, &p);
		assert_int_equal(p.n, 1);
		assert_true(p.omitted > 1400);
		cr_notify_payloads_free(&p);
	}
	cr_report_free(r);
}

#define HOSTILE "<!channel> <https://evil.example|click> **x** [a](https://e.example) " \
		"&amp; \"q\" \\ `c` _u_ \x01\x1b[31m \xff\xfe <users/all> <b>bold</b>"

static void test_hostile_names(void **state)
{
	cr_report *r = make_org(4, 6, HOSTILE);

	(void)state;
	for (size_t k = 0; k < 4; k++) {
		enum cr_notify_kind kind = k < 3 ? chat_kinds[k] : CR_NOTIFY_WEBHOOK;
		cr_notify_payloads p = CR_NOTIFY_PAYLOADS_INIT;

		build_checked(r, kind, 0, &p);
		for (size_t i = 0; i < p.n; i++) {
			json_t *m = parse(p.v[i], p.len[i]);
			char *text = json_dumps(m, JSON_ENSURE_ASCII);

			/* control characters never survive, even escaped */
			assert_null(strstr(text, "\\u0001"));
			assert_null(strstr(text, "\\u001b"));
			free(text);
			json_decref(m);
			if (kind == CR_NOTIFY_SLACK || kind == CR_NOTIFY_GCHAT) {
				/* no mention, link or tag from the data */
				assert_null(strstr(p.v[i], "<!channel>"));
				assert_null(strstr(p.v[i], "<https://evil"));
				assert_null(strstr(p.v[i], "<users/all>"));
				assert_null(strstr(p.v[i], "<b>bold"));
				assert_non_null(strstr(p.v[i], "&lt;!channel&gt;"));
				assert_non_null(strstr(p.v[i], "&amp;amp;"));
			}
			if (kind == CR_NOTIFY_TEAMS) {
				/* markdown links and emphasis are escaped */
				assert_null(strstr(p.v[i], "[a](https"));
				assert_non_null(strstr(p.v[i], "\\\\[a\\\\]"));
				assert_non_null(strstr(p.v[i], "\\\\*\\\\*x\\\\*\\\\*"));
			}
		}
		cr_notify_payloads_free(&p);
	}
	cr_report_free(r);
}

/* Every mrkdwn text object of a Slack message (in blocks, sections,
 * fields and context elements) carries "verbatim": true. */
static size_t check_verbatim(json_t *v)
{
	size_t n = 0;
	const char *key;
	json_t *x;
	size_t i;

	if (json_is_object(v)) {
		json_t *type = json_object_get(v, "type");

		if (json_is_string(type) && strcmp(json_string_value(type), "mrkdwn") == 0) {
			assert_true(json_is_true(json_object_get(v, "verbatim")));
			n++;
		}
		json_object_foreach(v, key, x)
			n += check_verbatim(x);
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, x)
			n += check_verbatim(x);
	}
	return n;
}

/* Names that read as links (www.evil.example, https://..., an address):
 * Slack is told not to link (verbatim); Teams and Google Chat, which link
 * by themselves, get a word joiner after each '.', ':' and '@'. */
static void test_link_like_names(void **state)
{
	cr_report *r = make_org(3, 4, "www.evil.example https://e.example/x a@b.example");

	(void)state;
	for (size_t k = 0; k < 3; k++) {
		cr_notify_payloads p = CR_NOTIFY_PAYLOADS_INIT;

		build_checked(r, chat_kinds[k], 0, &p);
		for (size_t i = 0; i < p.n; i++) {
			json_t *m = parse(p.v[i], p.len[i]);

			if (chat_kinds[k] == CR_NOTIFY_SLACK) {
				assert_true(check_verbatim(m) > 3);
				assert_non_null(strstr(p.v[i], "www.evil.example"));
			} else {
				assert_null(strstr(p.v[i], "www.evil"));
				assert_null(strstr(p.v[i], "https://"));
				assert_null(strstr(p.v[i], "a@b"));
				assert_non_null(strstr(p.v[i], "www.\xE2\x81\xA0" "evil.\xE2\x81\xA0"
							"example"));
				assert_non_null(strstr(p.v[i], "a@\xE2\x81\xA0" "b"));
			}
			json_decref(m);
		}
		cr_notify_payloads_free(&p);
	}
	cr_report_free(r);
}

/* Names of 5,000 characters are clipped: limits hold. */
static void test_long_names(void **state)
{
	char *name = malloc(5001 * 4 + 1), *q = name;
	cr_report *r;

	(void)state;
	for (int i = 0; i < 5000; i++) {
		memcpy(q, "\xE2\x82\xAC", 3); /* € */
		q += 3;
	}
	*q = '\0';
	r = make_org(70, 12, name);
	for (size_t k = 0; k < 4; k++) {
		cr_notify_payloads p = CR_NOTIFY_PAYLOADS_INIT;

		build_checked(r, k < 3 ? chat_kinds[k] : CR_NOTIFY_WEBHOOK, 0, &p);
		cr_notify_payloads_free(&p);
	}
	cr_report_free(r);
	free(name);
}

static void test_fx_in_payloads(void **state)
{
	cr_report *r = make_org(2, 3, NULL);
	bool dated;
	cr_error err;

	(void)state;
	cr_error_clear(&err);
	assert_int_equal(cr_fx_parse("JPY=151.20", &r->fx, &dated, &err), 0);
	r->fx.date = r->end;
	for (size_t k = 0; k < 4; k++) {
		enum cr_notify_kind kind = k < 3 ? chat_kinds[k] : CR_NOTIFY_WEBHOOK;
		cr_notify_payloads p = CR_NOTIFY_PAYLOADS_INIT;

		build_checked(r, kind, 0, &p);
		if (kind == CR_NOTIFY_WEBHOOK) {
			json_t *doc = parse(p.v[0], p.len[0]);
			cr_dec conv;
			char want[CR_DEC_STRLEN];

			assert_int_equal(cr_fx_convert(&r->fx, r->total, &conv), 0);
			cr_dec_format(conv, -1, want, sizeof want);
			assert_string_equal(sval(doc, "total_fx"), want);
			assert_string_equal(sval(json_object_get(doc, "fx"), "rate"), "151.2");
			assert_string_equal(sval(json_object_get(doc, "fx"), "date"), "2026-10-31");
			json_decref(doc);
		} else {
			assert_non_null(strstr(p.v[0], "at 151.20 JPY/USD (2026-10-31)"));
		}
		cr_notify_payloads_free(&p);
	}
	cr_report_free(r);
}

static void test_no_previous_no_proposals(void **state)
{
	cr_report *r = make_org(2, 2, NULL);

	(void)state;
	r->has_previous = false;
	for (size_t i = 0; i < r->n_proposals; i++)
		cr_proposal_free(&r->proposals[i]);
	free(r->proposals);
	r->proposals = NULL;
	r->n_proposals = 0;
	r->has_proposals = false;
	for (size_t k = 0; k < 4; k++) {
		cr_notify_payloads p = CR_NOTIFY_PAYLOADS_INIT;

		build_checked(r, k < 3 ? chat_kinds[k] : CR_NOTIFY_WEBHOOK, 0, &p);
		if (k < 3)
			assert_non_null(strstr(p.v[0], "no previous period to compare"));
		cr_notify_payloads_free(&p);
	}
	/* an empty organisation still makes a message */
	for (size_t i = 0; i < r->n_accounts; i++) {
		for (size_t j = 0; j < r->accounts[i].n_services; j++)
			free(r->accounts[i].services[j].name);
		free(r->accounts[i].services);
		free(r->accounts[i].id);
		free(r->accounts[i].name);
		free(r->accounts[i].environment);
		free(r->accounts[i].owner);
	}
	r->n_accounts = 0;
	for (size_t k = 0; k < 3; k++) {
		cr_notify_payloads p = CR_NOTIFY_PAYLOADS_INIT;

		build_checked(r, chat_kinds[k], 0, &p);
		assert_int_equal(p.n, 1);
		cr_notify_payloads_free(&p);
	}
	cr_report_free(r);
}

static void test_kind_names(void **state)
{
	enum cr_notify_kind k;
	cr_error err;

	(void)state;
	cr_error_clear(&err);
	assert_int_equal(cr_notify_kind_parse("gchat", &k, &err), 0);
	assert_int_equal(k, CR_NOTIFY_GCHAT);
	assert_string_equal(cr_notify_kind_name(CR_NOTIFY_TEAMS), "teams");
	assert_int_equal(cr_notify_kind_parse("discord", &k, &err), -1);
	assert_int_equal(err.code, CR_EXIT_USAGE);
	assert_non_null(strstr(err.msg, "slack, teams, gchat or webhook"));
}

/* ---- sending --------------------------------------------------------------------- */

struct script {
	int status[8];
	const char *body[8];
	const char *retry_after[8];
	size_t n;       /* the last entry repeats */
	size_t i;
};

static void scripted(struct stub *s, const struct stub_request *rq, struct stub_response *resp,
		     void *ctx)
{
	struct script *sc = ctx;
	size_t i = sc->i < sc->n ? sc->i : sc->n - 1;

	(void)s;
	(void)rq;
	sc->i++;
	resp->status = sc->status[i];
	if (sc->body[i])
		cr_buf_adds(&resp->body, sc->body[i]);
	if (sc->retry_after[i])
		cr_headers_add(&resp->headers, "Retry-After", sc->retry_after[i]);
}

static long pauses[64];
static size_t npauses;

static void record_sleep(long ms)
{
	if (npauses < 64)
		pauses[npauses++] = ms;
}

static int hook_on(void **state)
{
	(void)state;
	npauses = 0;
	cr_set_sleep_hook(record_sleep);
	return 0;
}

static int hook_off(void **state)
{
	(void)state;
	cr_set_sleep_hook(NULL);
	return 0;
}

#define SECRET_PATH "/services/T0SECRET1/B0SECRET2/XsEcReTtOkEn123456"

static cr_notify_payloads two_messages(void)
{
	cr_notify_payloads p = CR_NOTIFY_PAYLOADS_INIT;

	p.v = calloc(2, sizeof *p.v);
	p.len = calloc(2, sizeof *p.len);
	p.v[0] = strdup("{\"text\":\"one\"}");
	p.v[1] = strdup("{\"text\":\"two\"}");
	p.len[0] = strlen(p.v[0]);
	p.len[1] = strlen(p.v[1]);
	p.n = 2;
	return p;
}

static int post_to(struct stub *s, enum cr_notify_kind kind, const cr_notify_payloads *p,
		   cr_notify_result *res, cr_error *err)
{
	char url[256];

	snprintf(url, sizeof url, "%s" SECRET_PATH "?token=qUeRySeCrEt99", s->url);
	cr_error_clear(err);
	return cr_notify_post(kind, url, p, NULL, res, err);
}

static void assert_no_secret(const char *msg)
{
	assert_null(strstr(msg, "SECRET"));
	assert_null(strstr(msg, "sEcReT"));
	assert_null(strstr(msg, "services/"));
	assert_null(strstr(msg, "token"));
}

static void test_post_slack_ok_and_pause(void **state)
{
	struct script sc = { { 200 }, { "ok" }, { NULL }, 1, 0 };
	struct stub s;
	cr_notify_payloads p = two_messages();
	cr_notify_result res;
	cr_error err;

	(void)state;
	assert_int_equal(stub_start(&s, scripted, &sc), 0);
	assert_int_equal(post_to(&s, CR_NOTIFY_SLACK, &p, &res, &err), 0);
	assert_int_equal(res.sent, 2);
	assert_int_equal(stub_count(&s), 2);
	assert_string_equal(s.req[0].method, "POST");
	assert_string_equal(s.req[0].target, SECRET_PATH "?token=qUeRySeCrEt99");
	assert_string_equal(cr_headers_get(&s.req[0].headers, "content-type"),
			    "application/json; charset=utf-8");
	assert_string_equal(s.req[1].body, "{\"text\":\"two\"}");
	/* one pause between the two messages, none before the first */
	assert_int_equal(npauses, 1);
	assert_int_equal(pauses[0], CR_NOTIFY_INTERVAL_MS);
	stub_stop(&s);
	cr_notify_payloads_free(&p);
}

static void test_post_429_retry_after(void **state)
{
	struct script sc = { { 429, 200 }, { "rate_limited", "ok" }, { "2", NULL }, 2, 0 };
	struct stub s;
	cr_notify_payloads p = two_messages();
	cr_notify_result res;
	cr_error err;

	(void)state;
	free(p.v[1]);
	p.n = 1;
	assert_int_equal(stub_start(&s, scripted, &sc), 0);
	assert_int_equal(post_to(&s, CR_NOTIFY_SLACK, &p, &res, &err), 0);
	assert_int_equal(res.sent, 1);
	assert_int_equal(res.retries, 1);
	assert_int_equal(stub_count(&s), 2);
	assert_int_equal(npauses, 1);
	assert_int_equal(pauses[0], 2000);
	stub_stop(&s);
	cr_notify_payloads_free(&p);
}

static void test_post_retry_after_too_long(void **state)
{
	struct script sc = { { 429 }, { "rate_limited" }, { "3600" }, 1, 0 };
	struct stub s;
	cr_notify_payloads p = two_messages();
	cr_error err;

	(void)state;
	assert_int_equal(stub_start(&s, scripted, &sc), 0);
	assert_int_equal(post_to(&s, CR_NOTIFY_SLACK, &p, NULL, &err), -1);
	assert_int_equal(err.code, CR_EXIT_NOTIFY);
	assert_non_null(strstr(err.msg, "Retry-After of 3600 s"));
	assert_int_equal(stub_count(&s), 1);
	assert_int_equal(npauses, 0);
	assert_no_secret(err.msg);
	stub_stop(&s);
	cr_notify_payloads_free(&p);
}

static void test_post_server_errors_bounded(void **state)
{
	static const cr_retry_policy pol = CR_NOTIFY_RETRY_POLICY;
	struct script sc = { { 503 }, { "upstream down" }, { NULL }, 1, 0 };
	struct stub s;
	cr_notify_payloads p = two_messages();
	cr_notify_result res;
	cr_error err;

	(void)state;
	assert_int_equal(stub_start(&s, scripted, &sc), 0);
	assert_int_equal(post_to(&s, CR_NOTIFY_TEAMS, &p, &res, &err), -1);
	assert_int_equal(err.code, CR_EXIT_NOTIFY);
	assert_int_equal(stub_count(&s), pol.max_attempts);
	assert_int_equal(res.sent, 0);
	assert_int_equal(res.retries, pol.max_attempts - 1);
	for (size_t i = 0; i < npauses; i++)
		assert_true(pauses[i] >= 0 && pauses[i] <= pol.cap_ms);
	assert_non_null(strstr(err.msg, "HTTP 503 upstream down"));
	assert_non_null(strstr(err.msg, "Microsoft Teams"));
	assert_non_null(strstr(err.msg, s.url));       /* the host and port */
	assert_non_null(strstr(err.msg, "message 1 of 2"));
	assert_no_secret(err.msg);
	stub_stop(&s);
	cr_notify_payloads_free(&p);
}

/* A permanent failure: no retry, the service's text, the URL scrubbed even
 * when the server quotes it. */
static void test_post_permanent_failure(void **state)
{
	struct script sc = { { 200, 404 },
			     { "ok", "no_service: cannot POST " SECRET_PATH "?token=qUeRySeCrEt99" },
			     { NULL }, 2, 0 };
	struct stub s;
	cr_notify_payloads p = two_messages();
	cr_notify_result res;
	cr_error err;

	(void)state;
	assert_int_equal(stub_start(&s, scripted, &sc), 0);
	assert_int_equal(post_to(&s, CR_NOTIFY_SLACK, &p, &res, &err), -1);
	assert_int_equal(err.code, CR_EXIT_NOTIFY);
	assert_int_equal(stub_count(&s), 2);
	assert_int_equal(res.sent, 1);
	assert_non_null(strstr(err.msg, "HTTP 404 no_service"));
	assert_non_null(strstr(err.msg, "message 2 of 2; 1 posted before it"));
	assert_no_secret(err.msg);
	stub_stop(&s);
	cr_notify_payloads_free(&p);
}

/* A receiver that echoes the URL decoded ("%3D" as "=", "%2F" as "/",
 * "+" as a space): every form is scrubbed. */
static void test_post_failure_echoing_decoded_url(void **state)
{
	struct script sc = { { 400 },
			     { "bad hook /services/T0SECRET1/B0 SECRET%2/x?token=qUeRySeCrEt99=/ab cd "
			       "(token qUeRySeCrEt99=/ab cd)" },
			     { NULL }, 1, 0 };
	struct stub s;
	cr_notify_payloads p = two_messages();
	cr_notify_result res;
	char url[256];
	cr_error err;

	(void)state;
	assert_int_equal(stub_start(&s, scripted, &sc), 0);
	snprintf(url, sizeof url, "%s/services/T0SECRET1/B0+SECRET%%252/x?token=qUeRySeCrEt99%%3D"
		 "%%2Fab+cd", s.url);
	cr_error_clear(&err);
	assert_int_equal(cr_notify_post(CR_NOTIFY_WEBHOOK, url, &p, NULL, &res, &err), -1);
	assert_int_equal(err.code, CR_EXIT_NOTIFY);
	assert_non_null(strstr(err.msg, "HTTP 400 bad hook"));
	assert_null(strstr(err.msg, "SECRET"));
	assert_null(strstr(err.msg, "sEcReT"));
	assert_null(strstr(err.msg, "=/ab"));
	stub_stop(&s);
	cr_notify_payloads_free(&p);
}

static void test_post_success_rules(void **state)
{
	static const struct {
		enum cr_notify_kind kind;
		int status;
		const char *body;
		bool ok;
	} cases[] = {
		{ CR_NOTIFY_SLACK, 200, "ok\n", true },
		{ CR_NOTIFY_SLACK, 200, "invalid_blocks", false },
		{ CR_NOTIFY_SLACK, 202, "ok", false },
		{ CR_NOTIFY_TEAMS, 202, "", true },
		{ CR_NOTIFY_TEAMS, 200, "1", true },
		{ CR_NOTIFY_TEAMS, 204, "", false },
		{ CR_NOTIFY_GCHAT, 200, "{\"name\": \"spaces/x/messages/y\"}", true },
		{ CR_NOTIFY_GCHAT, 400, "{\"error\": {\"code\": 400, \"message\": \"Invalid JSON payload\"}}", false },
		{ CR_NOTIFY_WEBHOOK, 204, "", true },
		{ CR_NOTIFY_WEBHOOK, 201, "{}", true },
		{ CR_NOTIFY_WEBHOOK, 301, "", false },
	};

	(void)state;
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct script sc = { { cases[i].status }, { cases[i].body }, { NULL }, 1, 0 };
		struct stub s;
		cr_notify_payloads p = two_messages();
		cr_error err;
		int rc;

		free(p.v[1]);
		p.n = 1;
		assert_int_equal(stub_start(&s, scripted, &sc), 0);
		rc = post_to(&s, cases[i].kind, &p, NULL, &err);
		if (rc != (cases[i].ok ? 0 : -1))
			fail_msg("case %zu: rc %d (%s)", i, rc, err.msg);
		if (!cases[i].ok) {
			assert_int_equal(err.code, CR_EXIT_NOTIFY);
			assert_int_equal(stub_count(&s), 1);  /* no retry */
		}
		if (i == 1)
			assert_non_null(strstr(err.msg, "HTTP 200 invalid_blocks"));
		if (i == 7)
			assert_non_null(strstr(err.msg, "HTTP 400 Invalid JSON payload"));
		stub_stop(&s);
		cr_notify_payloads_free(&p);
	}
}

static void test_post_refused_connection(void **state)
{
	char url[128];
	cr_notify_payloads p = two_messages();
	cr_error err;

	(void)state;
	snprintf(url, sizeof url, "http://127.0.0.1:%d" SECRET_PATH, stub_closed_port());
	cr_error_clear(&err);
	assert_int_equal(cr_notify_post(CR_NOTIFY_WEBHOOK, url, &p, NULL, NULL, &err), -1);
	assert_int_equal(err.code, CR_EXIT_NOTIFY);
	assert_non_null(strstr(err.msg, "after 4 attempts"));
	assert_no_secret(err.msg);
	/* plain http to a remote host is refused before any connection */
	cr_error_clear(&err);
	assert_int_equal(cr_notify_post(CR_NOTIFY_SLACK, "http://hooks.example.com" SECRET_PATH, &p,
					NULL, NULL, &err), -1);
	assert_int_equal(err.code, CR_EXIT_USAGE);
	assert_no_secret(err.msg);
	cr_notify_payloads_free(&p);
}

/* ---- fx --------------------------------------------------------------------------- */

static void test_fx_parse(void **state)
{
	static const char *const bad[] = {
		"", "JPY", "JPY=", "=151", "JP=151", "JPYY=151", "J1Y=151", "JPY=-1", "JPY=0",
		"JPY=abc", "JPY=1,5", "JPY=151.2@2026-13-01", "JPY=151.2@2026-10", "JPY=151.2@",
		"JPY=0.0000000000000000001", "JPY=12345678901234567890.5",
	};
	cr_fx fx;
	bool dated;
	cr_error err;
	cr_buf b = CR_BUF_INIT;

	(void)state;
	cr_error_clear(&err);
	assert_int_equal(cr_fx_parse("jpy=151.20", &fx, &dated, &err), 0);
	assert_string_equal(fx.code, "JPY");
	assert_false(dated);
	cr_fx_rate_text(&b, &fx);
	assert_string_equal(b.ptr, "151.20");
	assert_int_equal(cr_fx_parse("EUR=0.9215@2026-11-03", &fx, &dated, &err), 0);
	assert_true(dated);
	assert_int_equal(fx.date, day(2026, 11, 3));
	cr_buf_reset(&b);
	cr_fx_rate_text(&b, &fx);
	assert_string_equal(b.ptr, "0.9215");
	assert_int_equal(cr_fx_parse("KWD=3", &fx, &dated, &err), 0);
	cr_buf_reset(&b);
	cr_fx_rate_text(&b, &fx);
	assert_string_equal(b.ptr, "3.00");
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		cr_error_clear(&err);
		if (cr_fx_parse(bad[i], &fx, &dated, &err) != -1)
			fail_msg("'%s' accepted", bad[i]);
		assert_int_equal(err.code, CR_EXIT_USAGE);
	}
	cr_buf_release(&b);
}

static void test_fx_convert_and_describe(void **state)
{
	cr_report *r = make_org(1, 1, NULL);
	cr_error err;
	bool dated;
	cr_dec v;
	char tmp[CR_DEC_STRLEN];
	cr_buf b = CR_BUF_INIT;

	(void)state;
	cr_error_clear(&err);
	r->total = D("173607.3066010795");
	assert_int_equal(cr_fx_parse("JPY=151.20", &r->fx, &dated, &err), 0);
	r->fx.date = r->end;
	assert_int_equal(cr_fx_convert(&r->fx, r->total, &v), 0);
	cr_dec_format(v, -1, tmp, sizeof tmp);
	assert_string_equal(tmp, "26249424.7580832204");
	cr_fx_plain(&r->fx, r->total, tmp, sizeof tmp);
	assert_string_equal(tmp, "26249425");
	cr_fx_describe(&b, r, r->total);
	assert_string_equal(b.ptr, "\xE2\x89\x88 \xC2\xA5" "26,249,425 at 151.20 JPY/USD (2026-10-31)");
	/* a rate with many decimals, an uncommon code, three-decimal currency */
	assert_int_equal(cr_fx_parse("CHF=0.000000000123456789", &r->fx, &dated, &err), 0);
	assert_int_equal(cr_fx_convert(&r->fx, D("1000000"), &v), 0);
	cr_dec_format(v, -1, tmp, sizeof tmp);
	assert_string_equal(tmp, "0.000123456789");
	cr_buf_reset(&b);
	cr_fx_money(&b, &r->fx, D("-1234.5"));
	assert_string_equal(b.ptr, "-CHF 1,234.50");
	assert_int_equal(cr_fx_minor_units("KWD"), 3);
	assert_int_equal(cr_fx_minor_units("KRW"), 0);
	assert_int_equal(cr_fx_minor_units("EUR"), 2);
	/* no conversion: nothing */
	memset(&r->fx, 0, sizeof r->fx);
	cr_buf_reset(&b);
	cr_fx_describe(&b, r, r->total);
	assert_true(b.len == 0);
	assert_false(cr_fx_active(r));
	cr_buf_release(&b);
	cr_report_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_org_one_message),
		cmocka_unit_test(test_webhook_document),
		cmocka_unit_test(test_large_org_splits),
		cmocka_unit_test(test_huge_org_summarised),
		cmocka_unit_test(test_hostile_names),
		cmocka_unit_test(test_link_like_names),
		cmocka_unit_test(test_long_names),
		cmocka_unit_test(test_fx_in_payloads),
		cmocka_unit_test(test_no_previous_no_proposals),
		cmocka_unit_test(test_kind_names),
		cmocka_unit_test_setup_teardown(test_post_slack_ok_and_pause, hook_on, hook_off),
		cmocka_unit_test_setup_teardown(test_post_429_retry_after, hook_on, hook_off),
		cmocka_unit_test_setup_teardown(test_post_retry_after_too_long, hook_on, hook_off),
		cmocka_unit_test_setup_teardown(test_post_server_errors_bounded, hook_on, hook_off),
		cmocka_unit_test_setup_teardown(test_post_permanent_failure, hook_on, hook_off),
		cmocka_unit_test_setup_teardown(test_post_failure_echoing_decoded_url, hook_on, hook_off),
		cmocka_unit_test_setup_teardown(test_post_success_rules, hook_on, hook_off),
		cmocka_unit_test_setup_teardown(test_post_refused_connection, hook_on, hook_off),
		cmocka_unit_test(test_fx_parse),
		cmocka_unit_test(test_fx_convert_and_describe),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
