/*
 * report_builder.h - building a cr_report by hand for the writer tests.
 * Every helper asserts through cmocka; strings are strdup'ed so that
 * cr_report_free releases them.
 */
#ifndef COSTRANK_TEST_REPORT_BUILDER_H
#define COSTRANK_TEST_REPORT_BUILDER_H

static inline cr_dec D(const char *s)
{
	cr_dec d;
	assert_int_equal(cr_dec_parse(s, strlen(s), &d), CR_DEC_OK);
	return d;
}

static inline cr_day day(int y, int m, int d)
{
	cr_day out;
	assert_int_equal(cr_day_from_ymd(y, m, d, &out), 0);
	return out;
}

static inline cr_report_account *add_account(cr_report *r, int rank, const char *id,
					     const char *name, const char *env,
					     const char *total, const char *prev)
{
	cr_report_account *a;

	r->accounts = realloc(r->accounts, (r->n_accounts + 1) * sizeof *r->accounts);
	assert_non_null(r->accounts);
	a = &r->accounts[r->n_accounts++];
	memset(a, 0, sizeof *a);
	a->rank = rank;
	a->id = strdup(id);
	a->name = strdup(name);
	a->environment = strdup(env);
	a->owner = strdup("");
	a->environment_source = "accounts-file";
	a->total = D(total);
	a->previous_total = D(prev);
	a->share = cr_dec_ratio(a->total, r->total);
	return a;
}

static inline cr_report_service *add_service(cr_report_account *a, int rank,
					     const char *name, const char *cost,
					     const char *prev, bool is_new, size_t other_count)
{
	cr_report_service *s;

	a->services = realloc(a->services, (a->n_services + 1) * sizeof *a->services);
	assert_non_null(a->services);
	s = &a->services[a->n_services++];
	memset(s, 0, sizeof *s);
	s->rank = rank;
	s->is_other = rank == 0;
	s->other_count = other_count;
	s->name = strdup(name);
	s->cost = D(cost);
	s->previous_cost = D(prev);
	s->is_new = is_new;
	s->share = cr_dec_ratio(s->cost, a->total);
	a->services_total += rank == 0 ? other_count : 1;
	return s;
}

static inline void add_usage(const cr_report_account *a, cr_report_service *s, int rank,
			     const char *type, const char *cost, const char *qty,
			     const char *unit, const char *prev, bool is_new,
			     size_t other_count, bool has_previous)
{
	cr_report_usage *u;

	s->usage = realloc(s->usage, (s->n_usage + 1) * sizeof *s->usage);
	assert_non_null(s->usage);
	u = &s->usage[s->n_usage++];
	memset(u, 0, sizeof *u);
	u->rank = rank;
	u->is_other = rank == 0;
	u->other_count = other_count;
	u->usage_type = strdup(type);
	u->cost = D(cost);
	u->quantity = D(qty);
	u->unit = strdup(unit);
	u->share = cr_dec_ratio(u->cost, a->total);
	u->has_previous = has_previous;
	u->previous_cost = D(prev);
	u->is_new = is_new;
	s->usage_total += rank == 0 ? other_count : 1;
}

/* Appends a service of the organisation; ranks follow the calls. */
static inline void add_org_service(cr_report *r, const char *name, const char *cost,
				   const char *prev, size_t accounts, bool is_new)
{
	cr_report_org_service *s;

	r->services = realloc(r->services, (r->n_services + 1) * sizeof *r->services);
	assert_non_null(r->services);
	s = &r->services[r->n_services++];
	memset(s, 0, sizeof *s);
	s->rank = (int)r->n_services;
	s->name = strdup(name);
	s->cost = D(cost);
	s->previous_cost = D(prev);
	s->share = cr_dec_ratio(s->cost, r->total);
	s->accounts = accounts;
	s->is_new = is_new;
}

#endif
