/* accounts.c - see costrank/accounts.h */
#include "costrank/accounts.h"

#include <ctype.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* Compared without case and without '-', '_' and spaces ("pre-prod" is
 * "preprod"); README "The accounts file" lists them. */
static const struct { const char *alias, *canonical; } env_aliases[] = {
	{ "production", "production" }, { "prod", "production" }, { "prd", "production" },
	{ "live", "production" },
	{ "staging", "staging" }, { "stage", "staging" }, { "stg", "staging" },
	{ "preprod", "staging" }, { "preproduction", "staging" }, { "uat", "staging" },
	{ "qa", "staging" }, { "perf", "staging" }, { "performance", "staging" },
	{ "development", "development" }, { "dev", "development" }, { "develop", "development" },
	{ "devel", "development" }, { "nonprod", "development" },
	{ "nonproduction", "development" },
	{ "sandbox", "sandbox" }, { "sbx", "sandbox" }, { "test", "sandbox" },
	{ "testing", "sandbox" }, { "experiment", "sandbox" }, { "lab", "sandbox" },
	{ "playground", "sandbox" },
	{ "shared", "shared" }, { "sharedservices", "shared" },
	{ "common", "shared" }, { "infra", "shared" }, { "infrastructure", "shared" },
};

/* Equal without case and without the separators '-', '_' and ' '. */
static bool env_name_eq(const char *a, const char *b)
{
	for (;;) {
		while (*a == '-' || *a == '_' || *a == ' ')
			a++;
		while (*b == '-' || *b == '_' || *b == ' ')
			b++;
		if (!*a || !*b)
			return !*a && !*b;
		if (tolower((unsigned char)*a) != tolower((unsigned char)*b))
			return false;
		a++;
		b++;
	}
}

const char *cr_environment_canonical(const char *s)
{
	if (!s || !*s)
		return NULL;
	for (size_t i = 0; i < sizeof env_aliases / sizeof env_aliases[0]; i++)
		if (env_name_eq(s, env_aliases[i].alias))
			return env_aliases[i].canonical;
	return NULL;
}

const char *cr_accounts_environment(const cr_accounts *a, const char *s)
{
	if (!s || !*s)
		return NULL;
	for (size_t i = 0; a && i < a->n_env_map; i++)
		if (env_name_eq(s, a->env_map[i].name))
			return a->env_map[i].canonical;
	return cr_environment_canonical(s);
}

/* The digits of an id without its leading zeros. */
static const char *no_leading_zeros(const char *id)
{
	while (*id == '0' && id[1])
		id++;
	return id;
}

bool cr_account_ids_near(const char *a, const char *b)
{
	return strcmp(a, b) != 0 && strcmp(no_leading_zeros(a), no_leading_zeros(b)) == 0;
}

static void info_free(cr_account_info *i)
{
	free(i->id);
	free(i->name);
	free(i->environment);
	free(i->owner);
	free(i->profile);
	free(i->role_arn);
	free(i->external_id);
}

void cr_accounts_free(cr_accounts *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->n; i++)
		info_free(&a->v[i]);
	for (size_t i = 0; i < a->n_env_map; i++)
		free(a->env_map[i].name);
	free(a->env_map);
	free(a->v);
	free(a->path);
	free(a);
}

const cr_account_info *cr_accounts_find(const cr_accounts *a, const char *id)
{
	if (!a)
		return NULL;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i].id, id) == 0)
			return &a->v[i];
	return NULL;
}

static const char *const string_keys[] = {
	"id", "name", "environment", "owner", "profile", "role_arn", "external_id",
};

static char **slot_for(cr_account_info *info, const char *key)
{
	char **slots[] = { &info->id, &info->name, &info->environment, &info->owner,
			   &info->profile, &info->role_arn, &info->external_id };
	for (size_t i = 0; i < sizeof string_keys / sizeof string_keys[0]; i++)
		if (strcmp(key, string_keys[i]) == 0)
			return slots[i];
	return NULL;
}

/* The user's names for environments: {"qa2": "staging", ...}; a value
 * may itself be an alias. */
static int load_env_map(cr_accounts *a, json_t *map, const char *path, cr_error *err)
{
	const char *key;
	json_t *val;

	if (!map)
		return 0;
	if (!json_is_object(map))
		return cr_error_set(err, CR_EXIT_INPUT, "%s: environments: expected an object "
				    "{\"NAME\": \"production\", ...}", path);
	a->env_map = cr_xcalloc(json_object_size(map) + 1, sizeof *a->env_map);
	json_object_foreach(map, key, val) {
		const char *canon = json_is_string(val)
			? cr_environment_canonical(json_string_value(val)) : NULL;

		if (!*key)
			return cr_error_set(err, CR_EXIT_INPUT, "%s: environments: an empty name",
					    path);
		if (!canon)
			return cr_error_set(err, CR_EXIT_INPUT,
					    "%s: environments.%s: expected one of production, "
					    "staging, development, sandbox, shared", path, key);
		a->env_map[a->n_env_map].name = cr_xstrdup(key);
		a->env_map[a->n_env_map++].canonical = canon;
	}
	return 0;
}

cr_accounts *cr_accounts_load(const char *path, cr_error *err)
{
	json_error_t jerr;
	json_t *root, *list, *item, *val;
	cr_accounts *a;
	size_t idx;
	const char *key;

	root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		if (jerr.line < 0)
			cr_error_set(err, CR_EXIT_INPUT, "%s: %s", path, jerr.text);
		else
			cr_error_set(err, CR_EXIT_INPUT, "%s:%d:%d: %s", path, jerr.line,
				     jerr.column, jerr.text);
		return NULL;
	}
	list = json_object_get(root, "accounts");
	if (!json_is_object(root) || !json_is_array(list)) {
		cr_error_set(err, CR_EXIT_INPUT,
			     "%s: expected an object {\"accounts\": [...]}", path);
		json_decref(root);
		return NULL;
	}
	json_object_foreach(root, key, val) {
		if (strcmp(key, "accounts") != 0 && strcmp(key, "environments") != 0) {
			cr_error_set(err, CR_EXIT_INPUT, "%s: unknown key '%s' (known: accounts, "
				     "environments)", path, key);
			json_decref(root);
			return NULL;
		}
	}
	a = cr_xcalloc(1, sizeof *a);
	a->path = cr_xstrdup(path);
	a->v = cr_xcalloc(json_array_size(list) + 1, sizeof *a->v);
	if (load_env_map(a, json_object_get(root, "environments"), path, err))
		goto fail;
	json_array_foreach(list, idx, item) {
		cr_account_info *info = &a->v[a->n++];

		if (!json_is_object(item)) {
			cr_error_set(err, CR_EXIT_INPUT, "%s: accounts[%zu]: expected an object",
				     path, idx);
			goto fail;
		}
		json_object_foreach(item, key, val) {
			char **slot = slot_for(info, key);
			if (!slot) {
				cr_error_set(err, CR_EXIT_INPUT,
					     "%s: accounts[%zu]: unknown key '%s' (known: id, name, "
					     "environment, owner, profile, role_arn, external_id)",
					     path, idx, key);
				goto fail;
			}
			if (!json_is_string(val)) {
				cr_error_set(err, CR_EXIT_INPUT,
					     "%s: accounts[%zu].%s: expected a string%s", path, idx,
					     key, json_is_integer(val) && !strcmp(key, "id")
					     ? " (write account ids in quotes to keep leading zeros)" : "");
				goto fail;
			}
			*slot = cr_xstrdup(json_string_value(val));
		}
		if (!info->id || !info->id[0]) {
			cr_error_set(err, CR_EXIT_INPUT, "%s: accounts[%zu]: missing \"id\"", path, idx);
			goto fail;
		}
		for (size_t j = 0; j + 1 < a->n; j++) {
			if (strcmp(a->v[j].id, info->id) == 0) {
				cr_error_set(err, CR_EXIT_INPUT,
					     "%s: accounts[%zu]: id %s already listed at accounts[%zu]",
					     path, idx, info->id, j);
				goto fail;
			}
		}
		if (info->environment) {
			const char *canon = cr_accounts_environment(a, info->environment);
			if (!canon) {
				cr_error_set(err, CR_EXIT_INPUT,
					     "%s: accounts[%zu].environment: '%s' is not one of "
					     "production, staging, development, sandbox, shared, nor "
					     "an alias of one (map it under \"environments\")",
					     path, idx, info->environment);
				goto fail;
			}
			free(info->environment);
			info->environment = cr_xstrdup(canon);
		}
	}
	json_decref(root);
	return a;
fail:
	json_decref(root);
	cr_accounts_free(a);
	return NULL;
}
