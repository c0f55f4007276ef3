/*
 * fuzz_accounts.c - the --accounts file (cr_accounts_load, from a file).
 *
 * Invariants: an error is CR_EXIT_INPUT, one line, naming the file; a
 * loaded file has unique non-empty ids, each found again by id, and only
 * canonical environments.
 */
#include "costrank/accounts.h"
#include "costrank/error.h"

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *path = fuzz_file(data, size);
	cr_accounts *a;
	cr_error err;

	cr_error_clear(&err);
	a = cr_accounts_load(path, &err);
	if (!a) {
		FUZZ_CHECK(err.code == CR_EXIT_INPUT);
		FUZZ_CHECK(strncmp(err.msg, path, strlen(path)) == 0);
		FUZZ_CHECK(strchr(err.msg, '\n') == NULL);
		return 0;
	}
	for (size_t i = 0; i < a->n; i++) {
		const cr_account_info *info = &a->v[i];

		FUZZ_CHECK(info->id && *info->id);
		FUZZ_CHECK(cr_accounts_find(a, info->id) == info);
		if (info->environment) {
			const char *canon = cr_environment_canonical(info->environment);
			FUZZ_CHECK(canon && strcmp(canon, info->environment) == 0);
		}
	}
	cr_accounts_free(a);
	return 0;
}
