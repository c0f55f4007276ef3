/*
 * rules.c - the savings rule table: names, environments, matching.
 * Loading and overriding is in rules_load.c, validating rule files in
 * rules_check.c.
 */
#include <stdlib.h>
#include <string.h>

#include "costrank/accounts.h"
#include "costrank/i18n.h"
#include "rules/rules_internal.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

static const char *const action_names[CR_ACT_COUNT] = {
	[CR_ACT_SPOT] = "spot",
	[CR_ACT_RIGHTSIZING] = "rightsizing",
	[CR_ACT_WEEKEND_SHUTDOWN] = "weekend-shutdown",
	[CR_ACT_OFF_HOURS] = "off-hours",
	[CR_ACT_COMMITMENT] = "commitment",
	[CR_ACT_GRAVITON] = "graviton",
	[CR_ACT_GP3_MIGRATION] = "gp3-migration",
	[CR_ACT_STORAGE_CLASS] = "storage-class",
	[CR_ACT_LOG_REDUCTION] = "log-reduction",
	[CR_ACT_RETENTION] = "retention",
	[CR_ACT_NETWORK_PATH] = "network-path",
	[CR_ACT_IDLE_DELETE] = "idle-delete",
	[CR_ACT_PREVIOUS_GENERATION] = "previous-generation",
	[CR_ACT_PRICING_MODE] = "pricing-mode",
	[CR_ACT_SCHEDULED_SCALING] = "scheduled-scaling",
	[CR_ACT_UPGRADE] = "upgrade",
};

const char *cr_action_name(enum cr_action a)
{
	return (unsigned)a < CR_ACT_COUNT ? action_names[a] : "?";
}

int cr_action_parse(const char *s)
{
	for (int i = 0; s && i < CR_ACT_COUNT; i++)
		if (strcmp(s, action_names[i]) == 0)
			return i;
	return -1;
}

/*
 * Groups: 0 schedule, 1 commitment, then one group per remaining action, in
 * the order of enum cr_action.
 */
enum { GROUP_SCHEDULE, GROUP_COMMITMENT, GROUP_FIRST_OWN };

static bool in_schedule_group(enum cr_action a)
{
	return a == CR_ACT_OFF_HOURS || a == CR_ACT_WEEKEND_SHUTDOWN || a == CR_ACT_SPOT ||
	       a == CR_ACT_SCHEDULED_SCALING;
}

int cr_action_group(enum cr_action a)
{
	int g = GROUP_FIRST_OWN;

	if ((unsigned)a >= CR_ACT_COUNT)
		return -1;
	if (in_schedule_group(a))
		return GROUP_SCHEDULE;
	if (a == CR_ACT_COMMITMENT)
		return GROUP_COMMITMENT;
	for (int i = 0; i < (int)a; i++)
		if (!in_schedule_group((enum cr_action)i) && i != CR_ACT_COMMITMENT)
			g++;
	return g;
}

const char *cr_action_group_name(int group)
{
	if (group == GROUP_SCHEDULE)
		return "schedule";
	if (group == GROUP_COMMITMENT)
		return "commitment";
	for (int i = 0; i < CR_ACT_COUNT; i++)
		if (cr_action_group((enum cr_action)i) == group)
			return action_names[i];
	return NULL;
}

static const char *const level_names[] = { "low", "medium", "high" };

const char *cr_level_name(enum cr_level l)
{
	return (unsigned)l < ARRAY_SIZE(level_names) ? level_names[l] : "?";
}

int cr_level_parse(const char *s)
{
	for (size_t i = 0; s && i < ARRAY_SIZE(level_names); i++)
		if (strcmp(s, level_names[i]) == 0)
			return (int)i;
	return -1;
}

static const char *const model_names[CR_MODEL_COUNT] = {
	[CR_MODEL_FRACTION] = "fraction",
	[CR_MODEL_SCHEDULE] = "schedule",
	[CR_MODEL_WEEKEND] = "weekend",
	[CR_MODEL_COMMITMENT] = "commitment-floor",
	[CR_MODEL_IDLE] = "idle",
	[CR_MODEL_AURORA_IO] = "aurora-io-optimized",
};

const char *cr_model_name(enum cr_model m)
{
	return (unsigned)m < CR_MODEL_COUNT ? model_names[m] : "?";
}

int cr_model_parse(const char *s)
{
	for (int i = 0; s && i < CR_MODEL_COUNT; i++)
		if (strcmp(s, model_names[i]) == 0)
			return i;
	return -1;
}

static const struct { const char *name; unsigned bit; } env_table[] = {
	{ "production", CR_ENV_PRODUCTION }, { "staging", CR_ENV_STAGING },
	{ "development", CR_ENV_DEVELOPMENT }, { "sandbox", CR_ENV_SANDBOX },
	{ "shared", CR_ENV_SHARED }, { "unknown", CR_ENV_UNKNOWN },
};

/* An environment that cannot be placed is unknown: measures meant for
 * non-production then never apply to it. */
unsigned cr_env_bit(const char *env)
{
	const char *canon;

	if (!env || !*env)
		return CR_ENV_UNKNOWN;
	canon = cr_environment_canonical(env);
	if (!canon)
		canon = env;
	for (size_t i = 0; i < ARRAY_SIZE(env_table); i++)
		if (strcmp(canon, env_table[i].name) == 0)
			return env_table[i].bit;
	return CR_ENV_UNKNOWN;
}

void cr_rule_release(cr_rule *r)
{
	free(r->id);
	free(r->title);
	free(r->service_glob);
	free(r->usage_glob);
	free(r->exclude_usage_glob);
	free(r->basis);
	free(r->traffic);
	free(r->rationale);
	free(r->reference);
	free(r->title_ja);
	free(r->rationale_ja);
	free(r->basis_ja);
	memset(r, 0, sizeof *r);
}

void cr_ruleset_free(cr_ruleset *rs)
{
	if (!rs)
		return;
	for (size_t i = 0; i < rs->n; i++)
		cr_rule_release(&rs->v[i]);
	free(rs->v);
	free(rs);
}

const cr_rule *cr_ruleset_find(const cr_ruleset *rs, const char *id)
{
	for (size_t i = 0; rs && id && i < rs->n; i++)
		if (strcmp(rs->v[i].id, id) == 0)
			return &rs->v[i];
	return NULL;
}

bool cr_rule_matches(const cr_rule *r, const char *service, const char *usage_type,
		     unsigned env_bit)
{
	if (!r || !r->enabled)
		return false;
	if (!env_bit)
		env_bit = CR_ENV_UNKNOWN;
	if (!(r->environments & env_bit))
		return false;
	if (!cr_glob_match(r->service_glob ? r->service_glob : "*", service ? service : ""))
		return false;
	if (!cr_glob_match(r->usage_glob, usage_type ? usage_type : ""))
		return false;
	if (r->exclude_usage_glob && cr_glob_match(r->exclude_usage_glob,
						   usage_type ? usage_type : ""))
		return false;
	return true;
}

unsigned cr_rules_daily_need(const cr_ruleset *rs, const char *service,
			     const char *usage_type, const char *environment)
{
	unsigned need = 0, env = cr_env_bit(environment);

	for (size_t i = 0; rs && i < rs->n; i++) {
		const cr_rule *r = &rs->v[i];
		bool days = r->model == CR_MODEL_SCHEDULE || r->model == CR_MODEL_WEEKEND;

		if (!cr_rule_matches(r, service, usage_type, env))
			continue;
		if (days || r->model == CR_MODEL_COMMITMENT)
			need |= CR_DAILY_MEASURED;
		if (r->on_demand_only || r->model == CR_MODEL_COMMITMENT)
			need |= CR_DAILY_ON_DEMAND;
		else if (days)
			need |= CR_DAILY_ALL_KINDS;
	}
	return need;
}

/* The Japanese text when Japanese is asked for and there is one. */
static const char *in_lang(const char *en, const char *ja)
{
	if (cr_i18n_current() == CR_LANG_JA && ja && *ja)
		return ja;
	return en ? en : "";
}

const char *cr_rule_title(const cr_rule *r)
{
	return in_lang(r->title, r->title_ja);
}

const char *cr_rule_rationale(const cr_rule *r)
{
	return in_lang(r->rationale, r->rationale_ja);
}

const char *cr_rule_basis(const cr_rule *r)
{
	return in_lang(r->basis, r->basis_ja);
}

static const char *const confidence_names[CR_CONF_COUNT] = {
	[CR_CONF_MEASURED] = "measured",
	[CR_CONF_PRICED] = "priced",
	[CR_CONF_ESTIMATE] = "estimate",
};

const char *cr_confidence_name(enum cr_confidence c)
{
	return (unsigned)c < CR_CONF_COUNT ? confidence_names[c] : "?";
}

int cr_confidence_parse(const char *s)
{
	for (int i = 0; s && i < CR_CONF_COUNT; i++)
		if (strcmp(s, confidence_names[i]) == 0)
			return i;
	return -1;
}

enum cr_confidence cr_model_confidence(enum cr_model m)
{
	return m == CR_MODEL_FRACTION ? CR_CONF_ESTIMATE : CR_CONF_MEASURED;
}

enum cr_stage cr_action_stage(enum cr_action a)
{
	switch (a) {
	case CR_ACT_IDLE_DELETE:
	case CR_ACT_UPGRADE:
		return CR_STAGE_IDLE;
	case CR_ACT_WEEKEND_SHUTDOWN:
	case CR_ACT_OFF_HOURS:
	case CR_ACT_SCHEDULED_SCALING:
		return CR_STAGE_SCHEDULE;
	case CR_ACT_SPOT:
		return CR_STAGE_SPOT;
	case CR_ACT_COMMITMENT:
		return CR_STAGE_COMMITMENT;
	default:
		return CR_STAGE_MIGRATE;
	}
}

static const char *const stage_names[CR_STAGE_COUNT] = {
	"idle", "schedule", "migrate", "spot", "commitment",
};

const char *cr_stage_name(enum cr_stage s)
{
	return (unsigned)s < CR_STAGE_COUNT ? stage_names[s] : "?";
}
