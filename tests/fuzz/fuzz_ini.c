/*
 * fuzz_ini.c - the AWS config and credentials file parser (cr_ini_parse).
 *
 * Invariants: an error is CR_EXIT_INPUT, one line, "NAME:LINE: ..."; a
 * parsed file has non-empty, trimmed section names and lower-case,
 * non-empty keys, no repeats, and every section and key is found again
 * by name.
 */
#include <ctype.h>
#include <stdbool.h>

#include "costrank/error.h"
#include "costrank/ini.h"

#include "fuzz.h"

#define NAME "fuzz-config"

static bool blank(char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f';
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cr_error err;
	cr_ini *ini;

	cr_error_clear(&err);
	ini = cr_ini_parse(NAME, (const char *)data, size, &err);
	if (!ini) {
		FUZZ_CHECK(err.code == CR_EXIT_INPUT);
		FUZZ_CHECK(strncmp(err.msg, NAME ":", sizeof NAME) == 0);
		FUZZ_CHECK(isdigit((unsigned char)err.msg[sizeof NAME]));
		FUZZ_CHECK(strchr(err.msg, '\n') == NULL);
		return 0;
	}
	FUZZ_CHECK(err.code == 0);
	FUZZ_CHECK(strcmp(ini->path, NAME) == 0);
	for (size_t i = 0; i < ini->n; i++) {
		const cr_ini_section *s = &ini->v[i];
		size_t len = strlen(s->name);

		FUZZ_CHECK(len > 0 && !blank(s->name[0]) && !blank(s->name[len - 1]));
		FUZZ_CHECK(cr_ini_find(ini, s->name) == s);
		FUZZ_CHECK(s->line >= 1);
		for (size_t j = 0; j < s->n; j++) {
			const cr_ini_entry *e = &s->v[j];

			FUZZ_CHECK(*e->key);
			for (const char *k = e->key; *k; k++)
				FUZZ_CHECK(!isupper((unsigned char)*k));
			FUZZ_CHECK(e->line > s->line);
			FUZZ_CHECK(cr_ini_entry_find(s, e->key) == e);
			FUZZ_CHECK(cr_ini_get(s, e->key) == e->value);
			len = strlen(e->value);
			FUZZ_CHECK(len == 0 || (!blank(e->value[0]) && !blank(e->value[len - 1])));
		}
	}
	cr_ini_free(ini);
	return 0;
}
