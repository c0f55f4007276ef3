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
 * Patterns are short but names come from billing data, which may hold a
 * field of any length: the backtracking matcher remembers, for each '*',
 * the subject offset from which it already failed (a star that fails from
 * offset t fails from any later offset too: it could only skip more), so
 * matching takes O(pattern x subject) steps, never exponential time.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "costrank/error.h"
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

/* Per pattern offset after a run of stars: the smallest subject offset the
 * star failed from (SIZE_MAX: none yet), and the continuation it had. */
struct star_memo {
	const char *glob, *subject;
	size_t *fail_from;
	const char **rest;
};

/*
 * Matches pattern p against s.  Inside an alternative, `rest` is where the
 * pattern goes on after the closing '}': reaching the alternative's ',' or
 * '}' continues there.
 */
static bool match(struct star_memo *m, const char *p, const char *s, const char *rest)
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
		case '*': {
			size_t at, from, stop;

			while (*p == '*')
				p++;
			if (!*p && !rest)
				return true;
			at = (size_t)(p - m->glob);
			from = (size_t)(s - m->subject);
			stop = m->rest[at] == rest ? m->fail_from[at] : SIZE_MAX;
			if (from >= stop)
				return false;
			for (;;) {
				if (match(m, p, s, rest))
					return true;
				if (!*s)
					break;
				next_char(&s);
				if ((size_t)(s - m->subject) >= stop)
					break;
			}
			if (m->fail_from[at] == SIZE_MAX || m->rest[at] == rest) {
				m->fail_from[at] = from;
				m->rest[at] = rest;
			}
			return false;
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
				if (match(m, alt, s, close + 1))
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

#define MEMO_STACK 128

bool cr_glob_match(const char *glob, const char *s)
{
	size_t fail_stack[MEMO_STACK], len;
	const char *rest_stack[MEMO_STACK];
	struct star_memo m;
	bool hit;

	if (!glob || !s)
		return false;
	len = strlen(glob) + 1;
	m.glob = glob;
	m.subject = s;
	m.fail_from = len <= MEMO_STACK ? fail_stack : cr_xmalloc(len * sizeof *m.fail_from);
	m.rest = len <= MEMO_STACK ? rest_stack : cr_xmalloc(len * sizeof *m.rest);
	for (size_t i = 0; i < len; i++) {
		m.fail_from[i] = SIZE_MAX;
		m.rest[i] = NULL;
	}
	hit = match(&m, glob, s, NULL);
	if (len > MEMO_STACK) {
		free(m.fail_from);
		free(m.rest);
	}
	return hit;
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
