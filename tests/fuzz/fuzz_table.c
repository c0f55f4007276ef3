/*
 * fuzz_table.c - the terminal table (cr_write_table) with names from the
 * data: any bytes, any length, wide and combining characters, invalid
 * UTF-8, control characters.
 *
 * The input: byte 0 the width (80..200), byte 1 flags (1 a previous
 * period, 2 colour, 4 --detail summary, 8 --top-usage 0, 16 --fx JPY,
 * 32 proposals, 64 the JPY currency), then lines, each one name.  The
 * names are dealt in turn to account names, ids, environments, owners,
 * services, usage types, notes and proposals; amounts come from the
 * lines' lengths (below 10^9, so that every figure fits a line).
 *
 * Invariants: every line holds at most the width in display cells
 * (colour codes aside); the output is valid UTF-8; it holds no control
 * character but the line break and, with colour, the SGR sequences; every
 * account's rank starts a line of its own in the full detail.
 */
#include "fuzz.h"

#include <stdbool.h>

#include "costrank/fx.h"
#include "costrank/report.h"
#include "costrank/writer.h"
#include "report/render.h"

#define MAX_ACCOUNTS 6
#define MAX_SERVICES 4
#define MAX_USAGE 3

struct deal {
	const char *p, *end;
};

/* The next line of the input (NULL-terminated copy), "" at the end. */
static char *next(struct deal *d)
{
	const char *nl;
	char *s;

	if (d->p >= d->end)
		return strdup("");
	nl = memchr(d->p, '\n', (size_t)(d->end - d->p));
	if (!nl)
		nl = d->end;
	s = malloc((size_t)(nl - d->p) + 1);
	if (!s)
		abort();
	memcpy(s, d->p, (size_t)(nl - d->p));
	s[nl - d->p] = '\0';
	d->p = nl + 1;
	return s;
}

/* The next line as a proposal's text, in the report's strings. */
static const char *next_text(cr_report *r, struct deal *d)
{
	char *s = next(d);
	const char *t = cr_report_text(r, s);

	free(s);
	return t;
}

static cr_dec money(size_t seed)
{
	char tmp[32];
	cr_dec v;

	snprintf(tmp, sizeof tmp, "%zu.%02zu", (seed * 7919u) % 1000000000u, seed % 100);
	if (cr_dec_parse(tmp, strlen(tmp), &v) != CR_DEC_OK)
		abort();
	return v;
}

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p)
		abort();
	return p;
}

static cr_report *build(struct deal *d, unsigned flags)
{
	cr_report *r = xcalloc(1, sizeof *r);
	size_t n = 1 + (size_t)(d->end - d->p) % MAX_ACCOUNTS;

	r->schema = CR_REPORT_SCHEMA;
	r->start = 20390;
	r->end = 20420;
	r->prev_start = 20360;
	r->prev_end = 20389;
	r->has_previous = flags & 1;
	r->period_label = strdup("2025-11");
	r->currency = strdup(flags & 64 ? "JPY" : "USD");
	r->source_kind = strdup("cur2");
	r->top_services = MAX_SERVICES;
	r->top_usage = flags & 8 ? 0 : MAX_USAGE;
	r->accounts = xcalloc(n, sizeof *r->accounts);
	r->n_accounts = n;
	for (size_t i = 0; i < n; i++) {
		cr_report_account *a = &r->accounts[i];
		a->rank = (int)i + 1;
		a->name = next(d);
		a->id = next(d);
		a->environment = next(d);
		a->environment_source = i % 2 ? "tag" : "accounts-file";
		a->owner = next(d);
		a->total = money(strlen(a->name) + 1000 * i);
		a->previous_total = money(strlen(a->id) + 17 * i);
		a->share = 1.0 / (double)n;
		cr_dec_acc(&r->total, a->total);
		cr_dec_acc(&r->previous_total, a->previous_total);
		a->n_services = 1 + strlen(a->owner) % MAX_SERVICES;
		a->services = xcalloc(a->n_services, sizeof *a->services);
		for (size_t j = 0; j < a->n_services; j++) {
			cr_report_service *s = &a->services[j];
			s->name = next(d);
			s->is_other = j + 1 == a->n_services && j > 1;
			s->rank = s->is_other ? 0 : (int)j + 1;
			s->other_count = s->is_other ? strlen(s->name) : 0;
			s->cost = money(strlen(s->name) + j);
			s->previous_cost = money(j * 31 + i);
			s->share = 0.25;
			s->is_new = strlen(s->name) % 5 == 0;
			s->n_usage = 1 + strlen(s->name) % MAX_USAGE;
			s->usage = xcalloc(s->n_usage, sizeof *s->usage);
			for (size_t k = 0; k < s->n_usage; k++) {
				cr_report_usage *u = &s->usage[k];
				u->usage_type = next(d);
				u->unit = strdup("");
				u->is_other = k + 1 == s->n_usage && k > 0;
				u->rank = u->is_other ? 0 : (int)k + 1;
				u->other_count = u->is_other ? strlen(u->usage_type) * 1000 : 0;
				u->cost = money(strlen(u->usage_type) + k);
				u->previous_cost = money(k + 3);
				u->share = 0.1;
			}
		}
	}
	r->recon.ranked = r->total;
	r->recon.grand_total = r->total;
	r->recon.excluded[CR_EXCL_TAX] = money(42);
	for (int w = 0; w < 2; w++) {
		char *t = next(d);
		if (*t)
			cr_report_add_warning(r, "%s", t);
		free(t);
	}
	if (flags & 32) {
		r->has_proposals = true;
		r->n_proposals = 2;
		r->proposals = xcalloc(2, sizeof *r->proposals);
		for (size_t i = 0; i < 2; i++) {
			cr_proposal *p = &r->proposals[i];
			p->rank = (int)i + 1;
			p->rule = cr_report_intern(r, "rule");
			p->title = next_text(r, d);
			p->action = "storage-class";
			p->model = "percent";
			p->effort = "medium";
			p->risk = "high";
			p->account_id = next_text(r, d);
			p->account_name = next_text(r, d);
			p->environment = cr_report_intern(r, "");
			p->service = next_text(r, d);
			p->usage_type = next_text(r, d);
			p->formula = next_text(r, d);
			p->savings = money(i + 5);
			cr_dec_acc(&r->savings_total, p->savings);
		}
	}
	if (flags & 16) {
		bool dated;
		cr_error err;
		if (cr_fx_parse("JPY=151.20", &r->fx, &dated, &err) != 0)
			abort();
		r->fx.date = r->end;
	}
	return r;
}

static void check(const char *out, size_t len, size_t width, bool color)
{
	size_t i = 0, line = 0;
	cr_buf cur = CR_BUF_INIT;

	while (i < len) {
		const unsigned char *p = (const unsigned char *)out + i;
		size_t k = cr_render_utf8_len(p, len - i);

		FUZZ_CHECK(k > 0);                       /* valid UTF-8 */
		if (*p == '\n') {
			cr_buf_add(&cur, "", 0);
			if (cr_render_cells(cur.ptr) > width)
				fprintf(stderr, "[%zu > %zu] %s\n", cr_render_cells(cur.ptr), width, cur.ptr);
			FUZZ_CHECK(cr_render_cells(cur.ptr) <= width);
			cr_buf_reset(&cur);
			line++;
			i++;
			continue;
		}
		if (*p == 0x1b) {
			/* only SGR sequences, only with colour */
			FUZZ_CHECK(color);
			FUZZ_CHECK(i + 1 < len && p[1] == '[');
			i += 2;
			while (i < len && ((out[i] >= '0' && out[i] <= '9') || out[i] == ';'))
				i++;
			FUZZ_CHECK(i < len && out[i] == 'm');
			i++;
			continue;
		}
		FUZZ_CHECK(!(k == 1 && (*p < 0x20 || *p == 0x7f)));
		FUZZ_CHECK(!(k == 2 && p[0] == 0xC2 && p[1] < 0xA0));
		cr_buf_add(&cur, p, k);
		i += k;
	}
	FUZZ_CHECK(line > 0 && len > 0 && out[len - 1] == '\n');
	cr_buf_release(&cur);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct deal d;
	cr_write_opts o = { 0 };
	cr_report *r;
	cr_error err;
	char *out = NULL;
	size_t len = 0;
	FILE *f;
	unsigned flags;

	if (size < 2)
		return 0;
	o.width = 80 + data[0] % 121;
	flags = data[1];
	o.color = flags & 2;
	o.summary = flags & 4;
	d.p = (const char *)data + 2;
	d.end = (const char *)data + size;
	r = build(&d, flags);
	f = open_memstream(&out, &len);
	if (!f)
		abort();
	cr_error_clear(&err);
	FUZZ_CHECK(cr_write_table(r, f, &o, &err) == 0);
	FUZZ_CHECK(fclose(f) == 0);
	check(out, len, (size_t)o.width, o.color);
	if (!o.summary) {
		/* every account's header starts a line: "\n1. " ... */
		for (size_t i = 0; i < r->n_accounts; i++) {
			char head[32];
			snprintf(head, sizeof head, "\n%s%zu. ", o.color ? "\x1b[1m" : "", i + 1);
			FUZZ_CHECK(strstr(out, head) != NULL);
		}
	}
	free(out);
	cr_report_free(r);
	return 0;
}
