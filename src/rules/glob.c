/*
 * glob.c - the glob patterns of savings rules (see costrank/rules.h).
 *
 *   *         any run of characters, also empty
 *   ?         exactly one character
 *   [abc]     one of the listed characters; ranges [a-z]; [!x] negates; a
 *             ']' first in the class is literal, so is a '-' first or last
 *   {a,b*}    one of the comma-separated alternatives, which may hold
 *             wildcards and classes but no further braces; may be empty
 *   \c        the character c itself
 *
 * Matching is case-sensitive and works on UTF-8 characters, not bytes.
 * Patterns are short (usage types, service names): a plain backtracking
 * matcher is enough.
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "costrank/rules.h"

/* The code point at *s (bytes that are not valid UTF-8 stand for themselves);
 * advances *s past it.  *s must not be at the terminating NUL. */
static unsigned next_char(const char **s)
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

/* p points at '['.  Returns the ']' that closes the class, or NULL. */
static const char *class_close(const char *p)
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

/* Does the class starting at p ('[', closed at `close`) hold character c? */
static bool class_match(const char *p, const char *close, unsigned c)
{
	bool negate = false, hit = false;

	p++;
	if (*p == '!') {
		negate = true;
		p++;
	}
	while (p < close) {
		unsigned lo = next_char(&p), hi = lo;

		if (*p == '-' && p + 1 < close) {
			p++;
			hi = next_char(&p);
		}
		if (c >= lo && c <= hi)
			hit = true;
	}
	return hit != negate;
}

/* p points at '{'.  Returns the '}' that closes it (classes and escapes
 * skipped), or NULL. */
static const char *brace_close(const char *p)
{
	for (p++; *p; p++) {
		if (*p == '}')
			return p;
		if (*p == '\\' && p[1]) {
			p++;
		} else if (*p == '[') {
			const char *q = class_close(p);
			if (q)
				p = q;
		}
	}
	return NULL;
}

/* The ',' or '}' that ends the alternative starting at p. */
static const char *alt_end(const char *p, const char *close)
{
	for (; p < close; p++) {
		if (*p == ',')
			return p;
		if (*p == '\\' && p + 1 < close) {
			p++;
		} else if (*p == '[') {
			const char *q = class_close(p);
			if (q && q < close)
				p = q;
		}
	}
	return close;
}

/*
 * Matches pattern p against s.  Inside an alternative, `rest` is where the
 * pattern goes on after the closing '}': reaching the alternative's ',' or
 * '}' continues there.
 */
static bool match(const char *p, const char *s, const char *rest)
{
	for (;;) {
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
				return true;
			for (;;) {
				if (match(p, s, rest))
					return true;
				if (!*s)
					return false;
				next_char(&s);
			}
		case '?':
			if (!*s)
				return false;
			next_char(&s);
			p++;
			continue;
		case '[': {
			const char *close = class_close(p);
			if (!close)
				break;          /* an unterminated '[' is itself */
			if (!*s || !class_match(p, close, next_char(&s)))
				return false;
			p = close + 1;
			continue;
		}
		case '{': {
			const char *close = rest ? NULL : brace_close(p);
			if (!close)
				break;          /* nested or unterminated: itself */
			for (const char *alt = p + 1;; ) {
				const char *end = alt_end(alt, close);
				if (match(alt, s, close + 1))
					return true;
				if (end == close)
					return false;
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
		/* a literal character */
		if (*s != *p)
			return false;
		p++;
		s++;
	}
}

bool cr_glob_match(const char *glob, const char *s)
{
	if (!glob || !s)
		return false;
	return match(glob, s, NULL);
}

const char *cr_glob_valid(const char *glob)
{
	bool in_brace = false;

	if (!glob || !*glob)
		return "empty pattern";
	for (const char *p = glob; *p; p++) {
		switch (*p) {
		case '\\':
			if (!p[1])
				return "a trailing '\\' escapes nothing";
			p++;
			break;
		case '[': {
			const char *close = class_close(p), *q = p + 1;
			if (!close)
				return "unterminated character class: '[' without a closing ']'";
			if (*q == '!')
				q++;
			while (q < close) {
				unsigned lo = next_char(&q);
				if (*q == '-' && q + 1 < close) {
					q++;
					if (next_char(&q) < lo)
						return "reversed range in a character class (write [a-z], not [z-a])";
				}
			}
			p = close;
			break;
		}
		case '{':
			if (in_brace)
				return "nested '{' inside '{...}' is not supported: "
				       "write the alternatives out in one list";
			if (!brace_close(p))
				return "unterminated '{': no closing '}'";
			in_brace = true;
			break;
		case '}':
			if (!in_brace)
				return "'}' without an opening '{'";
			in_brace = false;
			break;
		default:
			break;
		}
	}
	return NULL;
}
