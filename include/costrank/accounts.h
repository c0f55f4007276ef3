/*
 * accounts.h - the --accounts file: names, environments and owners.
 *
 *   {"accounts": [{"id": "012345678901", "name": "prod",
 *                  "environment": "production", "owner": "platform@example.com"}]}
 *
 * What the file says wins over names and environment tags in the data.
 * Later sources add per-account access keys (profile, role_arn...); they
 * are accepted here and kept for them.
 */
#ifndef COSTRANK_ACCOUNTS_H
#define COSTRANK_ACCOUNTS_H

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

typedef struct cr_accounts {
	cr_account_info *v;
	size_t n;
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
 * The canonical environment for a name or common alias, case-insensitive:
 * production (prod, prd, live), staging (stage, stg, preprod, uat),
 * development (dev, develop), sandbox (sbx, test, testing, experiment),
 * shared (shared-services, common, infra, infrastructure); NULL otherwise.
 */
const char *cr_environment_canonical(const char *s);

#endif
