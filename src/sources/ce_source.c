/* ce_source.c - a period pulled from AWS Cost Explorer (ce_source.h) */
#include "costrank/ce_source.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "costrank/buf.h"
#include "costrank/sigv4.h"
#include "sources/ce_internal.h"
#include "costrank/i18n.h"

/* ---- notes ----------------------------------------------------------------- */

__attribute__((format(printf, 3, 4)))
/* A note for the report (report) or a line for stderr, cut to one error
 * message's length. */
static void note(cr_provenance *out, bool report, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void note(cr_provenance *out, bool report, const char *fmt, ...)
{
	va_list ap;
	char tmp[CR_ERROR_MSG_MAX];

	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	if (report)
		cr_provenance_note(out, "%s", tmp);
	else
		cr_provenance_message(out, "%s", tmp);
}

void cr_ce_default_period(cr_day today, cr_period *p)
{
	p->end = cr_month_first(today) - 1;
	p->start = cr_month_first(p->end);
	p->is_month = true;
}

/* ---- progress ---------------------------------------------------------------- */

static void progress(struct ce_pull *p)
{
	FILE *f = p->o->progress;

	if (!f)
		return;
	fprintf(f, "\rCost Explorer: %zu/%zu accounts, %ld paid requests, %ld from the cache\033[K",
		p->accounts_done, p->accounts_total, p->stats.paid, p->stats.cached);
	fflush(f);
	p->progress_shown = true;
}

static void on_attempt(void *ctx)
{
	progress(ctx);
}

/* ---- scopes, identities and credentials --------------------------------------- */

static char *hashed(const char *prefix, const char *s)
{
	char hex[CR_SHA256_HEX_STRLEN];
	cr_buf b = CR_BUF_INIT;

	cr_sha256_hex(s, strlen(s), hex);
	cr_buf_addf(&b, "%s%.32s", prefix, hex);
	return cr_buf_detach(&b);
}

/* Who the organisation's answers belong to, from the configuration alone
 * (--offline needs no credentials): never a secret. */
static char *org_identity(const cr_ce_source_opts *o)
{
	const char *akid = getenv("AWS_ACCESS_KEY_ID"), *role = getenv("AWS_ROLE_ARN");
	const char *prof = getenv("AWS_PROFILE");
	cr_buf b = CR_BUF_INIT;

	if (o->profile)
		cr_buf_addf(&b, "profile:%s", o->profile);
	else if (akid && *akid)
		return hashed("access-key-sha256:", akid);
	else if (role && *role)
		cr_buf_addf(&b, "role:%s", role);
	else {
		if (!prof || !*prof)
			prof = getenv("AWS_DEFAULT_PROFILE");
		cr_buf_addf(&b, "profile:%s", prof && *prof ? prof : "default");
	}
	return cr_buf_detach(&b);
}

static bool separate(const cr_account_info *a)
{
	return a->profile || a->role_arn;
}

static void scopes_init(struct ce_pull *p)
{
	const cr_accounts *a = p->o->accounts;
	char *where = cr_url_redact(p->ep.url);
	size_t n = 0;

	for (size_t i = 0; a && i < a->n; i++)
		n += separate(&a->v[i]);
	p->scopes = cr_xcalloc(n ? n : 1, sizeof *p->scopes);
	if (!n) {
		p->nscopes = 1;
		p->scopes[0].identity = org_identity(p->o);
		p->scopes[0].input = where;
		return;
	}
	for (size_t i = 0; i < a->n; i++) {
		struct ce_scope *sc;
		cr_buf b = CR_BUF_INIT;

		if (!separate(&a->v[i]))
			continue;
		sc = &p->scopes[p->nscopes++];
		sc->info = &a->v[i];
		cr_buf_addf(&b, "%s:%s", sc->info->role_arn ? "role" : "profile",
			    sc->info->role_arn ? sc->info->role_arn : sc->info->profile);
		if (sc->info->role_arn && sc->info->profile)
			cr_buf_addf(&b, " via profile:%s", sc->info->profile);
		sc->identity = cr_buf_detach(&b);
		cr_buf_addf(&b, "%s (account %s)", where, sc->info->id);
		sc->input = cr_buf_detach(&b);
	}
	free(where);
}

static void scopes_free(struct ce_pull *p)
{
	for (size_t i = 0; i < p->nscopes; i++) {
		free(p->scopes[i].identity);
		free(p->scopes[i].input);
		free(p->scopes[i].accounts);
		for (int c = 0; c < CR_EXCL_COUNT; c++)
			free(p->scopes[i].cat_accounts[c]);
		cr_aws_credentials_clear(&p->scopes[i].creds);
	}
	free(p->scopes);
	cr_aws_credentials_clear(&p->base);
}

static int scope_creds(struct ce_pull *p, struct ce_scope *sc, cr_error *err)
{
	cr_aws_options ao = { .profile = p->o->profile, .region = p->o->region };
	const cr_account_info *in = sc->info;
	cr_error e = { 0 };
	int rc;

	if (sc->have_creds)
		return 0;
	if (!in) {
		rc = cr_aws_credentials_resolve(&ao, &sc->creds, err);
	} else if (in->role_arn) {
		cr_aws_credentials own = CR_AWS_CREDENTIALS_INIT;
		const cr_aws_credentials *base = &p->base;
		cr_aws_role role = { .role_arn = in->role_arn, .external_id = in->external_id };

		rc = 0;
		if (in->profile) {
			ao.profile = in->profile;
			rc = cr_aws_credentials_resolve(&ao, &own, &e);
			base = &own;
		} else if (!p->have_base) {
			rc = cr_aws_credentials_resolve(&ao, &p->base, &e);
			p->have_base = rc == 0;
		}
		if (rc == 0)
			rc = cr_aws_assume_role(base, &role, &ao, &sc->creds, &e);
		cr_aws_credentials_clear(&own);
	} else {
		ao.profile = in->profile;
		rc = cr_aws_credentials_resolve(&ao, &sc->creds, &e);
	}
	if (rc < 0 && in)
		cr_error_set(err, e.code, "account %s: %s", in->id, e.msg);
	sc->have_creds = rc == 0;
	return rc;
}

/* ---- one request ------------------------------------------------------------------- */

/* What run() does with each page Cost Explorer sends: books it, and
 * writes it to the cache entry while there is one. */
struct arrival {
	struct ce_pull *p;
	cr_ce_sink *sink;
	cr_ce_cache_entry *entry;
	cr_error cache_err;
};

static int on_page(void *ctx, const char *text, size_t len, cr_error *err)
{
	struct arrival *a = ctx;

	if (cr_ce_parse(text, len, a->p->ep.where, a->sink, NULL, err) < 0)
		return -1;
	if (a->entry && cr_ce_cache_add(a->entry, text, len, &a->cache_err) < 0) {
		cr_ce_cache_abort(a->entry);
		a->entry = NULL;
	}
	return 0;
}

static int run(struct ce_pull *p, struct ce_scope *sc, const cr_ce_query_spec *q, cr_error *err)
{
	char *body = cr_ce_query_body(q), *what = cr_ce_query_what(q);
	char key[CR_CE_CACHE_KEY_STRLEN];
	cr_ce_pages pages = CR_CE_PAGES_INIT;
	enum cr_ce_cache_state st = CR_CE_CACHE_MISS;
	cr_ce_sink sink = { ce_cell, ce_attribute, p };
	struct arrival arr = { .p = p, .sink = &sink };
	time_t created = 0;
	int rc = -1;

	cr_ce_cache_key(p->ep.url, sc->identity, CR_CE_GET_COST_AND_USAGE, body, key);
	if (p->cache) {
		st = cr_ce_cache_get(p->cache, key, p->now, &pages, &created);
		if (st == CR_CE_CACHE_STALE && !p->o->offline) {
			cr_ce_pages_free(&pages);
			st = CR_CE_CACHE_MISS;
		}
	}
	p->q = q;
	p->sc = sc;
	p->q_estimated = false;
	p->q_account = q->n_accounts == 1 ? cr_ledger_intern(p->l, q->accounts[0],
							     strlen(q->accounts[0])) : 0;
	if (st == CR_CE_CACHE_MISS) {
		cr_ce_client c = { .ep = &p->ep, .creds = &sc->creds, .stats = &p->stats,
				   .timeout_ms = p->o->timeout_ms, .on_attempt = on_attempt,
				   .ctx = p };
		if (p->o->offline) {
			cr_error_set(err, CR_EXIT_NODATA, "--offline: the cache %s holds no answer "
				     "for %s; run once without --offline",
				     p->cache ? cr_ce_cache_dir(p->cache) : "", what);
			goto out;
		}
		if (scope_creds(p, sc, err) < 0)
			goto out;
		if (p->cache)
			arr.entry = cr_ce_cache_begin(p->cache, key, CR_CE_GET_COST_AND_USAGE, body,
						      what, p->now, &arr.cache_err);
		/* pages are booked as they arrive, none kept */
		if (cr_ce_fetch(&c, CR_CE_GET_COST_AND_USAGE, body, what, on_page, &arr, err) < 0)
			goto out;
		if (arr.entry) {
			time_t exp = cr_ce_cache_expiry(q->span.end_excl, p->o->today,
							p->q_estimated, p->now);
			cr_ce_cache_entry *e = arr.entry;

			arr.entry = NULL;
			cr_ce_cache_commit(e, exp, &arr.cache_err);
		}
		if (p->cache && arr.cache_err.code)
			note(p->out, false, "answers not cached: %s",
			     arr.cache_err.msg);
	} else {
		p->stats.cached += (long)pages.n;
		if (st == CR_CE_CACHE_STALE) {
			char t[CR_AWS_TIME_STRLEN];
			cr_aws_time_format(created, t);
			note(p->out, true, _("--offline used cached Cost Explorer "
					     "answers older than their lifetime (one from %s)"), t);
		}
		for (size_t i = 0; i < pages.n; i++)
			if (cr_ce_parse(pages.v[i], strlen(pages.v[i]), p->ep.where, &sink, NULL,
					err) < 0)
				goto out;
	}
	rc = 0;
	progress(p);
out:
	cr_ce_cache_abort(arr.entry);
	cr_ce_pages_free(&pages);
	free(body);
	free(what);
	return rc;
}

/* ---- the plan ---------------------------------------------------------------- */

static bool rules_need_daily(const cr_ruleset *rules, unsigned envs)
{
	for (size_t i = 0; rules && i < rules->n; i++) {
		const cr_rule *r = &rules->v[i];
		if (r->enabled && (r->environments & envs) &&
		    (r->on_demand_only || r->model != CR_MODEL_FRACTION))
			return true;
	}
	return false;
}

static void plan_info(const cr_ce_source_opts *o, enum cr_metric metric, const char *endpoint,
		      cr_ce_plan_info *pi)
{
	const cr_accounts *a = o->accounts;
	unsigned envs = 0;
	size_t scopes = 0;

	memset(pi, 0, sizeof *pi);
	pi->period = o->period;
	cr_period_previous(&o->period, &pi->prev);
	pi->metric = metric;
	memcpy(pi->include, o->include, sizeof pi->include);
	pi->endpoint = endpoint;
	pi->accounts = a ? (long)a->n : -1;
	pi->tags = !a;
	for (size_t i = 0; a && i < a->n; i++)
		scopes += separate(&a->v[i]);
	for (size_t i = 0; a && i < a->n; i++) {
		if (scopes && !separate(&a->v[i]))
			continue;
		pi->tags |= !a->v[i].environment;
		envs |= cr_env_bit(a->v[i].environment);
	}
	pi->n_scopes = scopes;
	pi->daily = rules_need_daily(o->rules, a ? envs : CR_ENV_ANY);
	pi->by = o->by;
}

int cr_ce_plan_describe(const cr_ce_source_opts *o, enum cr_metric metric, FILE *out,
			long *planned, cr_error *err)
{
	cr_ce_endpoint ep;
	cr_ce_plan_info pi;
	char *where;

	if (cr_ce_endpoint_init(&ep, o->endpoint_url, err) < 0)
		return -1;
	where = cr_url_redact(ep.url);
	plan_info(o, metric, where, &pi);
	cr_ce_plan_print(&pi, out);
	*planned = cr_ce_plan_count(&pi);
	free(where);
	cr_ce_endpoint_free(&ep);
	return 0;
}

static bool cached(struct ce_pull *p, struct ce_scope *sc, const cr_ce_query_spec *q)
{
	char key[CR_CE_CACHE_KEY_STRLEN], *body;
	cr_ce_pages pages = CR_CE_PAGES_INIT;
	enum cr_ce_cache_state st;

	if (!p->cache)
		return false;
	body = cr_ce_query_body(q);
	cr_ce_cache_key(p->ep.url, sc->identity, CR_CE_GET_COST_AND_USAGE, body, key);
	st = cr_ce_cache_get(p->cache, key, p->now, &pages, NULL);
	cr_ce_pages_free(&pages);
	free(body);
	return st == CR_CE_CACHE_HIT;
}

/* --max-requests against the plan, before the first paid request. */
static int budget(struct ce_pull *p, long planned, cr_error *err)
{
	long max = p->o->max_requests;

	if (max < 0 || planned < 0 || p->stats.paid + planned <= max)
		return 0;
	return cr_error_set(err, CR_EXIT_THRESHOLD, "--max-requests %ld: this pull needs %ld paid "
			    "Cost Explorer requests (see --dry-run); raise the budget, or run "
			    "again when the cache has the answers", max, p->stats.paid + planned);
}

/* ---- the stages ---------------------------------------------------------------- */

static cr_ce_query_spec spec(struct ce_pull *p, struct ce_scope *sc, enum cr_ce_query_kind k,
			     size_t span)
{
	cr_ce_query_spec q = { .kind = k, .span = p->spans[span], .metric = cr_ledger_metric(p->l) };

	if (sc->info) {
		q.accounts = (const char *const *)&sc->info->id;
		q.n_accounts = 1;
	}
	return q;
}

static int cmp_id(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void sort_ids(const char **v, size_t n)
{
	if (n)
		qsort(v, n, sizeof *v, cmp_id);
}

static bool lacks_environment(const struct ce_pull *p, const char *id)
{
	const cr_account_info *in = cr_accounts_find(p->o->accounts, id);

	return !in || !in->environment;
}

/* --by: per dimension, each period's cost by value and service (2 GroupBy
 * a request at most: it cannot ride on the ranking requests). */
static int dimensions(struct ce_pull *p, cr_error *err)
{
	const cr_ledger *l = p->l;

	for (size_t s = 0; s < p->nscopes; s++)
		for (size_t d = 0; d < cr_ledger_dimension_count(l); d++) {
			const cr_dimension *dim = cr_ledger_dimension(l, d);

			if (!cr_ce_dim_key(dim))
				continue;
			for (size_t i = 0; i < p->nspans; i++) {
				cr_ce_query_spec q = spec(p, &p->scopes[s], CR_CEQ_DIM, i);

				q.cost_category = dim->kind == CR_DIM_COST_CATEGORY;
				q.dim_key = cr_ce_dim_key(dim);
				q.dim = d;
				memcpy(q.include, p->o->include, sizeof q.include);
				if (run(p, &p->scopes[s], &q, err) < 0)
					return -1;
			}
		}
	return 0;
}

static int monthly(struct ce_pull *p, cr_error *err)
{
	cr_ce_span cur = { p->cur.start, p->cur.end + 1 };

	for (size_t s = 0; s < p->nscopes; s++) {
		struct ce_scope *sc = &p->scopes[s];
		const char **need = NULL;
		size_t nneed = 0;

		for (size_t i = 0; i < p->nspans; i++) {
			cr_ce_query_spec q = spec(p, sc, CR_CEQ_RECON, i);
			if (run(p, sc, &q, err) < 0)
				return -1;
		}
		/* requests in a fixed order, whatever the order of the answer */
		sort_ids(sc->accounts, sc->n_accounts);
		for (int c = 0; c < CR_EXCL_COUNT; c++)
			sort_ids(sc->cat_accounts[c], sc->n_cat_accounts[c]);
		for (size_t i = 0; i < sc->n_accounts; i++)
			if (lacks_environment(p, sc->accounts[i])) {
				need = cr_xrealloc(need, (nneed + 1) * sizeof *need);
				need[nneed++] = sc->accounts[i];
			}
		for (size_t i = 0; nneed && i < p->nspans; i++) {
			cr_ce_query_spec q = spec(p, sc, CR_CEQ_TAGS, i);
			q.accounts = need;
			q.n_accounts = nneed;
			if (run(p, sc, &q, err) < 0) {
				free(need);
				return -1;
			}
		}
		free(need);
		p->accounts_total += sc->n_accounts;
		p->got_any = true;
	}
	if (p->budget_pending && budget(p, (long)p->accounts_total * (long)p->nspans +
					p->budget_rest, err) < 0)
		return -1;
	ce_apply_tags(p);
	for (size_t s = 0; s < p->nscopes; s++) {
		struct ce_scope *sc = &p->scopes[s];

		for (size_t a = 0; a < sc->n_accounts; a++, p->accounts_done++) {
			for (size_t i = 0; i < p->nspans; i++) {
				cr_ce_query_spec q = spec(p, sc, CR_CEQ_LINES, i);
				q.accounts = &sc->accounts[a];
				q.n_accounts = 1;
				if (run(p, sc, &q, err) < 0)
					return -1;
			}
		}
		progress(p);
	}
	for (size_t s = 0; s < p->nscopes; s++) {
		struct ce_scope *sc = &p->scopes[s];
		cr_ce_query_spec q = spec(p, sc, CR_CEQ_QUANTITY, 0);

		q.span = cur;
		if (run(p, sc, &q, err) < 0)
			return -1;
		for (int c = 0; c < CR_EXCL_COUNT; c++) {
			/* tax for every account at once; credits and refunds per account */
			size_t n = c == CR_EXCL_TAX ? 1 : sc->n_cat_accounts[c];
			for (size_t a = 0; p->o->include[c] && a < n; a++) {
				for (size_t i = 0; i < p->nspans; i++) {
					q = spec(p, sc, CR_CEQ_INCLUDED, i);
					q.category = c;
					if (c != CR_EXCL_TAX) {
						q.accounts = &sc->cat_accounts[c][a];
						q.n_accounts = 1;
					}
					if (run(p, sc, &q, err) < 0)
						return -1;
				}
			}
		}
	}
	ce_apply_quantities(p);
	return dimensions(p, err);
}

static int daily(struct ce_pull *p, bool all, cr_error *err)
{
	cr_ce_span cur = { p->cur.start, p->cur.end + 1 };

	for (uint32_t s = 0; s < p->nscopes; s++) {
		struct ce_bucket *b;
		size_t n;
		int rc = 0;

		ce_buckets(p, s, all, &b, &n);
		for (size_t i = 0; i < n && !rc; i++) {
			cr_ce_query_spec q = spec(p, &p->scopes[s], all ? CR_CEQ_DAILY_ALL
									: CR_CEQ_DAILY, 0);
			q.span = cur;
			q.services = b[i].services;
			q.n_services = b[i].ns;
			q.usage_types = b[i].usage;
			q.n_usage_types = b[i].nu;
			q.accounts = b[i].accounts;
			q.n_accounts = b[i].na;
			ce_bucket_begin(p, s, &b[i], all);
			rc = run(p, &p->scopes[s], &q, err);
		}
		ce_buckets_free(b, n);
		if (rc)
			return -1;
	}
	return 0;
}

static int stages(struct ce_pull *p, cr_error *err)
{
	cr_ce_plan_info pi;
	long planned;

	plan_info(p->o, cr_ledger_metric(p->l), p->ep.url, &pi);
	planned = cr_ce_plan_count(&pi);
	if (!p->o->offline && p->o->max_requests >= 0) {
		cr_ce_query_spec q = spec(p, &p->scopes[0], CR_CEQ_RECON, 0);
		if (!cached(p, &p->scopes[0], &q)) {
			if (budget(p, planned, err) < 0)
				return -1;
			/* the number of linked accounts is known after the first answer */
			p->budget_pending = planned < 0;
			p->budget_rest = cr_ce_plan_fixed(&pi) - (long)p->nspans * (pi.tags ? 2 : 1);
		}
	}
	if (monthly(p, err) < 0)
		return -1;
	ce_select(p);
	if (daily(p, false, err) < 0 || daily(p, true, err) < 0)
		return -1;
	return 0;
}

int cr_ce_pull(cr_ledger *l, const cr_ce_source_opts *o, cr_error *err)
{
	cr_provenance *out = cr_ledger_provenance(l);
	struct ce_pull p = { .l = l, .o = o, .out = out, .stats = CR_CE_STATS_INIT,
			     .now = time(NULL) };
	int rc = -1;

	p.stats.max_paid = o->max_requests;
	p.cur = o->period;
	cr_period_previous(&o->period, &p.prev);
	p.nspans = cr_ce_spans(&p.cur, &p.prev, p.spans);
	p.ndays = p.cur.end - p.cur.start + 1;
	if (cr_ce_endpoint_init(&p.ep, o->endpoint_url, err) < 0)
		return -1;
	if (!o->no_cache) {
		cr_error e = { 0 };
		p.cache = cr_ce_cache_open(o->cache_dir, &e);
		if (!p.cache && (o->offline || o->cache_dir)) {
			cr_error_set(err, e.code, "%s", e.msg);
			goto done;
		}
		if (!p.cache)
			note(out, false, "answers not cached: %s", e.msg);
	}
	scopes_init(&p);
	if (stages(&p, err) < 0) {
		if (!o->allow_partial || !p.got_any)
			goto done;
		out->partial = true;
		out->failure = *err;
		note(out, true, _("partial: the Cost Explorer pull failed (%s); "
				  "the figures are incomplete"), err->msg);
		cr_error_clear(err);
	}
	if (ce_book(&p, err) < 0)
		goto done;
	for (size_t i = 0; i < p.nscopes; i++)
		cr_ledger_add_input(l, p.scopes[i].input, "cost-explorer")->rows = p.scopes[i].rows;
	if (out->estimated) {
		char label[32];
		cr_period_label(&p.cur, label, sizeof label);
		note(out, true, _("Cost Explorer marks figures of %s as estimated: "
				  "they can change until AWS finalises the bill"), label);
	}
	out->data_through = p.cur.end < o->today - 1 ? p.cur.end : o->today - 1;
	if (out->data_through < p.cur.start)
		out->data_through = 0;
	rc = 0;
done:
	out->paid_requests = p.stats.paid;
	out->cached_requests = p.stats.cached;
	if (rc < 0 && p.stats.paid > 0) {
		/* what the failed pull cost, kept whole however long the message */
		char paid[96];
		cr_error e = *err;
		int n = snprintf(paid, sizeof paid, "; %ld paid request%s made (USD %ld.%02ld)",
				 p.stats.paid, p.stats.paid == 1 ? " was" : "s were",
				 p.stats.paid / 100, p.stats.paid % 100);
		int room = CR_ERROR_MSG_MAX - 1 - n;

		cr_error_clear(err);
		cr_error_set(err, e.code, "%.*s%s", room, e.msg, paid);
	}
	if (p.progress_shown) {
		fputs("\r\033[K", o->progress);
		fflush(o->progress);
	}
	ce_lines_free(&p);
	scopes_free(&p);
	cr_ce_cache_close(p.cache);
	cr_ce_endpoint_free(&p.ep);
	return rc;
}
