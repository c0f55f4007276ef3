/* error.c - see costrank/error.h */
#include "costrank/error.h"
#include "costrank/text.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cr_error_clear(cr_error *err)
{
	if (!err)
		return;
	err->code = 0;
	err->msg[0] = '\0';
}

__attribute__((format(printf, 3, 0)))
static void set_va(cr_error *err, int code, const char *fmt, va_list ap)
{
	unsigned char *m = (unsigned char *)err->msg;
	size_t n, out = 0;

	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	/* Messages are one line of text: fold any line break or other control
	 * character (a terminal escape sequence) that a file name, the data or
	 * a remote message brought in into a space, and a C1 or bidirectional
	 * control (which would reverse the rest of the line) into '?'. */
	n = strlen(err->msg);
	for (size_t i = 0; i < n;) {
		size_t k = cr_text_utf8_len(m + i, n - i);

		if (k == 1 && (m[i] < 0x20 || m[i] == 0x7f)) {
			m[out++] = ' ';
		} else if (k > 1 && cr_text_is_c1_or_bidi(m + i, k)) {
			m[out++] = '?';
		} else {
			k = k ? k : 1;
			memmove(m + out, m + i, k);
			out += k;
			i += k;
			continue;
		}
		i += k;
	}
	m[out] = '\0';
	err->code = code;
}

int cr_error_set(cr_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err || err->code)
		return -1;
	va_start(ap, fmt);
	set_va(err, code, fmt, ap);
	va_end(ap);
	return -1;
}

int cr_error_errno(cr_error *err, int code, int errnum, const char *fmt, ...)
{
	va_list ap;
	size_t len;

	if (!err || err->code)
		return -1;
	va_start(ap, fmt);
	set_va(err, code, fmt, ap);
	va_end(ap);
	len = strlen(err->msg);
	snprintf(err->msg + len, sizeof err->msg - len, ": %s", strerror(errnum));
	return -1;
}

static void out_of_memory(size_t n)
{
	fprintf(stderr, "costrank: error: out of memory (allocating %zu bytes)\n", n);
	exit(CR_EXIT_INTERNAL);
}

void *cr_xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		out_of_memory(n);
	return p;
}

void *cr_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);
	if (!p)
		out_of_memory(n * size);
	return p;
}

void *cr_xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		out_of_memory(n);
	return q;
}

char *cr_xstrndup(const char *s, size_t n)
{
	char *p = cr_xmalloc(n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *cr_xstrdup(const char *s)
{
	return cr_xstrndup(s, strlen(s));
}
