/*
 * notify.h - the report summary posted to chat and webhooks (--post).
 *
 *   cr_notify_payloads p = CR_NOTIFY_PAYLOADS_INIT;
 *   if (cr_notify_build(report, CR_NOTIFY_SLACK, NULL, &p, &err) < 0) ...
 *   p.v[i] / p.len[i]: the JSON bodies, in the order they are posted
 *   if (cr_notify_post(CR_NOTIFY_SLACK, url, &p, NULL, &res, &err) < 0) ...
 *   cr_notify_payloads_free(&p);
 *
 * Building is a pure function of the report: the same report gives the
 * same bytes, and nothing is sent.  Every payload holds the headline (the
 * total and its change), the top services of each account, the top
 * proposals with the de-duplicated savings total, the --fx conversion when
 * there is one, the CI gates that failed (opts), and a footer naming the
 * period, the metric and the data source, and linking the CI run when
 * known.  Text from the data is cleaned (no control characters, valid
 * UTF-8), clipped and escaped for the service's markup, so that a name can
 * neither break the payload nor become a mention, a link or markup.
 *
 * Each service's limits are kept, never exceeded: an organisation too
 * large for one message is split across several (each a complete message
 * with its own header and footer, "part 2 of 3"), and beyond
 * CR_NOTIFY_MAX_MESSAGES the remaining accounts are summed into one line
 * with a note pointing at the report files.  Nothing is ever rejected for
 * its size.
 *
 *   slack    incoming webhook, Block Kit: header, a section with the total,
 *            change, billed total and savings as fields, one section per
 *            account, the top proposals, a context footer
 *   teams    Microsoft Teams Workflows webhook: a message with one Adaptive
 *            Card (version CR_TEAMS_CARD_VERSION)
 *   gchat    Google Chat incoming webhook: a short text and one cardsV2 card
 *            (a section per account)
 *   webhook  any JSON endpoint: one document, schema CR_NOTIFY_SCHEMA, with
 *            exact amounts as strings (never split)
 */
#ifndef COSTRANK_NOTIFY_H
#define COSTRANK_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>

#include "costrank/error.h"
#include "costrank/http.h"
#include "costrank/report.h"

enum cr_notify_kind {
	CR_NOTIFY_SLACK = 0,
	CR_NOTIFY_TEAMS = 1,
	CR_NOTIFY_GCHAT = 2,
	CR_NOTIFY_WEBHOOK = 3,
};

/* "slack", "teams", "gchat", "webhook". */
const char *cr_notify_kind_name(enum cr_notify_kind k);
/* The service's name for messages: "Slack", "Microsoft Teams"... */
const char *cr_notify_kind_title(enum cr_notify_kind k);
/* 0, or -1 with err set (CR_EXIT_USAGE) listing the kinds. */
int cr_notify_kind_parse(const char *name, enum cr_notify_kind *out, cr_error *err);

/* Slack's limits (Block Kit reference). */
#define CR_SLACK_MAX_BLOCKS 50
#define CR_SLACK_MAX_SECTION_TEXT 3000   /* characters of a section's text */
#define CR_SLACK_MAX_FIELDS 10           /* fields of a section */
#define CR_SLACK_MAX_FIELD_TEXT 2000     /* characters of one field */
#define CR_SLACK_MAX_HEADER 150          /* characters of a header's text */
#define CR_SLACK_MAX_CONTEXT 10          /* elements of a context block */
/* costrank's own cap on one Slack message, well under Slack's size limits. */
#define CR_SLACK_MAX_BYTES 40000
/* Microsoft Teams refuses messages over 28 KB: a margin is kept. */
#define CR_TEAMS_MAX_BYTES 25000
#define CR_TEAMS_CARD_VERSION "1.4"
/* Google Chat: a message is at most 32,000 bytes; a card shows at most
 * 100 widgets (the sections past them are dropped). */
#define CR_GCHAT_MAX_BYTES 32000
#define CR_GCHAT_MAX_WIDGETS 100
/* Messages one post may take; further accounts are summed with a note. */
#define CR_NOTIFY_MAX_MESSAGES 5
/* Services per account and proposals in a chat message. */
#define CR_NOTIFY_TOP_SERVICES 5
#define CR_NOTIFY_TOP_PROPOSALS 5
/* Failed gates named in a chat message. */
#define CR_NOTIFY_TOP_FAILURES 5
/* Code points of a name from the data in a chat message. */
#define CR_NOTIFY_MAX_NAME 80

#define CR_NOTIFY_SCHEMA "costrank.notify/v1"

typedef struct cr_notify_opts {
	const char *const *reports; /* names of the report files written, for the
	                               footer and the webhook document; may be NULL */
	size_t n_reports;
	size_t max_messages;        /* 0: CR_NOTIFY_MAX_MESSAGES */
	/* the CI gates that failed (--fail-on-*), one-line messages: the first
	 * message says so above the figures, at most CR_NOTIFY_TOP_FAILURES of
	 * them and a count of the rest; the webhook document lists them all */
	const char *const *failures;
	size_t n_failures;
	/* the CI run's https address: the footer links it instead of naming
	 * a report file; NULL when unknown */
	const char *run_url;
} cr_notify_opts;

typedef struct cr_notify_payloads {
	char **v;        /* compact JSON texts, NUL-terminated */
	size_t *len;     /* their lengths in bytes */
	size_t n;
	size_t omitted;  /* accounts summed into the note instead of listed */
} cr_notify_payloads;

#define CR_NOTIFY_PAYLOADS_INIT { NULL, NULL, 0, 0 }

/*
 * Builds the payloads of kind for r (o may be NULL).  Returns 0 with at
 * least one payload, or -1 with err set (CR_EXIT_INTERNAL: an amount out of
 * range or out of memory).
 */
int cr_notify_build(const cr_report *r, enum cr_notify_kind kind, const cr_notify_opts *o,
		    cr_notify_payloads *out, cr_error *err);
void cr_notify_payloads_free(cr_notify_payloads *p);

/* ---- sending -------------------------------------------------------------- */

/* attempts per message, first backoff, backoff cap, longest Retry-After */
#define CR_NOTIFY_RETRY_POLICY { 4, 1000, 8000, 60000 }
/* Slack allows about one message a second per webhook. */
#define CR_NOTIFY_INTERVAL_MS 1000L
#define CR_NOTIFY_TIMEOUT_MS 30000L

typedef struct cr_notify_post_opts {
	const cr_retry_policy *retry;  /* NULL: CR_NOTIFY_RETRY_POLICY */
	long interval_ms;              /* between messages; < 0: CR_NOTIFY_INTERVAL_MS */
	long timeout_ms;               /* 0: CR_NOTIFY_TIMEOUT_MS */
} cr_notify_post_opts;

typedef struct cr_notify_result {
	size_t sent;      /* messages accepted */
	unsigned retries; /* attempts that repeated a throttled or failed one */
	long status;      /* the last HTTP status (0: none arrived) */
} cr_notify_result;

/*
 * Posts every payload, in order, to url (Content-Type application/json)
 * and stops at the first that fails.  A message is accepted on: Slack
 * 200 with the body "ok"; Teams 200 or 202; Google Chat 200; webhook any
 * 2xx.  HTTP 429 waits for its Retry-After (whole seconds, at most the
 * policy's max_retry_after_ms: a longer one fails at once); 408, 5xx and
 * retryable transport failures are retried with capped exponential backoff
 * and full jitter; the policy bounds the attempts.  Pauses go through
 * cr_sleep_ms (http.h), so tests see them.
 *
 * Returns 0, or -1 with err set (CR_EXIT_NOTIFY; CR_EXIT_USAGE for a URL the
 * rules of http.h refuse).  Messages name the service, scheme://host[:port]
 * and the status with the service's error text ("HTTP 400 invalid_blocks"),
 * never the URL's path or query, even when the server quotes them.
 * res may be NULL.
 */
int cr_notify_post(enum cr_notify_kind kind, const char *url, const cr_notify_payloads *p,
		   const cr_notify_post_opts *o, cr_notify_result *res, cr_error *err);

#endif
