/*
 * accounts.h - the --accounts file: names, environments and owners.
 *
 *   {"accounts": [{"id": "012345678901", "name": "prod",
 *                  "environment": "production", "owner": "platform@example.com"}],
 *    "environments": {"qa2": "staging"}}
 *
 * What the file says wins over names and environment tags in the data.
 * Later sources add per-account access keys (profile, role_arn...); they
 * are accepted here and kept for them.
 */
#ifndef COSTRANK_ACCOUNTS_H
#define COSTRANK_ACCOUNTS_H

#include <stdbool.h>
#include <stddef.h>

#include "costrank/error.h"

typedef struct cr_account_info {
	char *id;           /* 12 digits for AWS; any non-empty string elsewhere */
	char *name;         /* NULL when not given */
	char *environment;  /* canonical (see cr_environment_canonical) or NULL */
	char *owner;        /* NULL when not given */
	char *profile;      /* NULL when not given */
	char *role_arn;     /* NULL when not given */
	char *external_id;  /* NULL when not given */
} cr_account_info;

/* A user's name for an environment (the file's "environments" map). */
typedef struct cr_env_name {
	char *name;
	const char *canonical;
} cr_env_name;

typedef struct cr_accounts {
	cr_account_info *v;
	size_t n;
	cr_env_name *env_map;   /* {"environments": {"qa2": "staging"}} */
	size_t n_env_map;
	char *path;             /* the file, for messages */
} cr_accounts;

/*
 * Loads path.  Returns NULL with err set (CR_EXIT_INPUT) and a message
 * "PATH:LINE:COLUMN: ..." for JSON syntax errors or "PATH: accounts[2].id:
 * ..." for a missing or duplicate id, a value of the wrong type, an unknown
 * key or an unknown environment.
 */
cr_accounts *cr_accounts_load(const char *path, cr_error *err);
const cr_account_info *cr_accounts_find(const cr_accounts *a, const char *id);
void cr_accounts_free(cr_accounts *a);

/*
 * The canonical environment for a name or common alias, compared without
 * case and without '-', '_' and spaces: production (prod, prd, live),
 * staging (stage, stg, preprod, preproduction, uat, qa, perf, performance),
 * development (dev, develop, devel, nonprod, nonproduction), sandbox (sbx,
 * test, testing, experiment, lab, playground), shared (shared-services,
 * common, infra, infrastructure); NULL otherwise (and for NULL or "").
 */
const char *cr_environment_canonical(const char *s);

/* The same, the file's "environments" map first (a may be NULL). */
const char *cr_accounts_environment(const cr_accounts *a, const char *s);

/* Whether two different ids are the same number, one having lost leading
 * zeros ("48213306571" and "048213306571"). */
bool cr_account_ids_near(const char *a, const char *b);

#endif
