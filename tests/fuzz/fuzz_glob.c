/*
 * fuzz_glob.c - the glob patterns of savings rules, matched against usage
 * types and service names that come from billing data.
 *
 * The input is "PATTERN\nSUBJECT".  Matching must be safe for any pattern
 * (an invalid one too: the matcher reads unterminated classes and braces
 * as literal text) and quick: names from the data may be long, and a
 * backtracking blow-up shows up as a libFuzzer timeout.
 *
 * The oracle is the plain backtracking matcher the rules module is
 * specified by, given a step budget: whenever it decides within the
 * budget, cr_glob_match must agree.  Other invariants: "*" matches
 * everything, "" only the empty string; a valid pattern without special
 * characters matches itself; a subject with every character escaped is a
 * valid pattern that matches the subject.
 */
#include <stdbool.h>

#include "costrank/rules.h"

#include "fuzz.h"

#define BUDGET 200000

/* ---- the oracle: the straightforward matcher, with a step budget ---------- */

static long steps;

static unsigned ref_next_char(const char **s)
{
	const unsigned char *p = (const unsigned char *)*s;
	unsigned c = p[0], n, cp;

	if (c < 0x80) {
		*s += 1;
		return c;
	}
	if (c >= 0xC2 && c <= 0xDF) {
		n = 1;
		cp = c & 0x1F;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 2;
		cp = c & 0x0F;
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 3;
		cp = c & 0x07;
	} else {
		*s += 1;
		return c;
	}
	for (unsigned i = 1; i <= n; i++) {
		if ((p[i] & 0xC0) != 0x80) {
			*s += 1;
			return c;
		}
		cp = cp << 6 | (p[i] & 0x3F);
	}
	*s += n + 1;
	return cp;
}

static const char *ref_class_close(const char *p)
{
	p++;
	if (*p == '!')
		p++;
	if (*p == ']')
		p++;
	while (*p && *p != ']')
		p++;
	return *p ? p : NULL;
}

static bool ref_class_match(const char *p, const char *close, unsigned c)
{
	bool negate = false, hit = false;

	p++;
	if (*p == '!') {
		negate = true;
		p++;
	}
	while (p < close) {
		unsigned lo = ref_next_char(&p), hi = lo;

		if (*p == '-' && p + 1 < close) {
			p++;
			hi = ref_next_char(&p);
		}
		if (c >= lo && c <= hi)
			hit = true;
	}
	return hit != negate;
}

static const char *ref_brace_close(const char *p)
{
	for (p++; *p; p++) {
		if (*p == '}')
			return p;
		if (*p == '\\' && p[1]) {
			p++;
		} else if (*p == '[') {
			const char *q = ref_class_close(p);
			if (q)
				p = q;
		}
	}
	return NULL;
}

static const char *ref_alt_end(const char *p, const char *close)
{
	for (; p < close; p++) {
		if (*p == ',')
			return p;
		if (*p == '\\' && p + 1 < close) {
			p++;
		} else if (*p == '[') {
			const char *q = ref_class_close(p);
			if (q && q < close)
				p = q;
		}
	}
	return close;
}

/* 1 match, 0 no match, -1 over budget */
static int ref_match(const char *p, const char *s, const char *rest)
{
	for (;;) {
		if (++steps > BUDGET)
			return -1;
		if (rest && (*p == ',' || *p == '}')) {
			p = rest;
			rest = NULL;
			continue;
		}
		switch (*p) {
		case '\0':
			return *s == '\0';
		case '*':
			while (*p == '*')
				p++;
			if (!*p && !rest)
				return 1;
			for (;;) {
				int r = ref_match(p, s, rest);
				if (r)
					return r;
				if (!*s)
					return 0;
				ref_next_char(&s);
			}
		case '?':
			if (!*s)
				return 0;
			ref_next_char(&s);
			p++;
			continue;
		case '[': {
			const char *close = ref_class_close(p);
			if (!close)
				break;
			if (!*s || !ref_class_match(p, close, ref_next_char(&s)))
				return 0;
			p = close + 1;
			continue;
		}
		case '{': {
			const char *close = rest ? NULL : ref_brace_close(p);
			if (!close)
				break;
			for (const char *alt = p + 1;; ) {
				const char *end = ref_alt_end(alt, close);
				int r = ref_match(alt, s, close + 1);
				if (r)
					return r;
				if (end == close)
					return 0;
				alt = end + 1;
			}
		}
		case '\\':
			if (p[1])
				p++;
			break;
		default:
			break;
		}
		if (*s != *p)
			return 0;
		p++;
		s++;
	}
}

static void agree(const char *pat, const char *subj)
{
	int want;

	steps = 0;
	want = ref_match(pat, subj, NULL);
	if (want < 0)
		(void)cr_glob_match(pat, subj); /* must merely be quick */
	else
		FUZZ_CHECK(cr_glob_match(pat, subj) == (want == 1));
}

/* ---- the harness ----------------------------------------------------------- */

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
	agree(pat, subj);
	agree(subj, pat);
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
