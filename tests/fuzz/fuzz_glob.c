/*
 * fuzz_glob.c - the glob patterns of savings rules, matched against usage
 * types and service names that come from billing data.
 *
 * The input is "PATTERN\nSUBJECT".  Matching must be safe for any pattern
 * (an invalid one too: the matcher reads unterminated classes and braces
 * as literal text) and quick: patterns and names are short, and a
 * catastrophic backtracking pattern shows up as a libFuzzer timeout.
 * Invariants: a valid pattern without special characters matches exactly
 * itself; "*" matches everything, "" only the empty string; a pattern matches the subject it was
 * made from when every special character is escaped.
 */
#include <stdbool.h>

#include "costrank/rules.h"

#include "fuzz.h"

static bool has_special(const char *s)
{
	return strpbrk(s, "*?[]{}\\,!-") != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	size_t plen = nl ? (size_t)(nl - data) : size;
	char *pat = fuzz_strndup(data, plen);
	char *subj = fuzz_strndup(nl ? nl + 1 : data + size, nl ? size - plen - 1 : 0);
	const char *why;

	/* strings end at a NUL, as in C */
	why = cr_glob_valid(pat);
	(void)cr_glob_match(pat, subj);
	(void)cr_glob_match(subj, pat);
	FUZZ_CHECK(cr_glob_match("*", subj));
	FUZZ_CHECK(!*subj || !cr_glob_match("", subj));
	if (!why && !has_special(pat))
		FUZZ_CHECK(cr_glob_match(pat, pat));
	/* every character escaped: the pattern is the literal subject */
	{
		size_t n = strlen(subj);
		char *esc = malloc(2 * n + 1), *q = esc;

		if (!esc)
			abort();
		for (size_t i = 0; i < n; i++) {
			*q++ = '\\';
			*q++ = subj[i];
		}
		*q = '\0';
		if (n) {
			FUZZ_CHECK(cr_glob_valid(esc) == NULL);
			FUZZ_CHECK(cr_glob_match(esc, subj));
		}
		free(esc);
	}
	free(pat);
	free(subj);
	return 0;
}
