/* buf.c - see costrank/buf.h */
#include "costrank/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <unistd.h>

#include "costrank/error.h"

void cr_buf_grow(cr_buf *b, size_t extra)
{
	size_t need = b->len + extra + 1;
	size_t cap;

	if (need <= b->cap)
		return;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap *= 2;
	b->ptr = cr_xrealloc(b->ptr, cap);
	b->cap = cap;
}

void cr_buf_add(cr_buf *b, const void *data, size_t len)
{
	cr_buf_grow(b, len);
	if (len)
		memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
}

void cr_buf_adds(cr_buf *b, const char *s)
{
	cr_buf_add(b, s, strlen(s));
}

void cr_buf_addc(cr_buf *b, char c)
{
	cr_buf_add(b, &c, 1);
}

void cr_buf_addf(cr_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	cr_buf_grow(b, 64);
	va_start(ap, fmt);
	n = vsnprintf(b->ptr + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n >= b->cap - b->len) {
		cr_buf_grow(b, (size_t)n);
		va_start(ap, fmt);
		vsnprintf(b->ptr + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
	}
	b->len += (size_t)n;
}

void cr_buf_reset(cr_buf *b)
{
	b->len = 0;
	if (b->ptr)
		b->ptr[0] = '\0';
}

char *cr_buf_detach(cr_buf *b)
{
	char *p;

	if (!b->ptr)
		cr_buf_grow(b, 0);
	p = b->ptr;
	p[b->len] = '\0';
	b->ptr = NULL;
	b->len = b->cap = 0;
	return p;
}

void cr_buf_release(cr_buf *b)
{
	free(b->ptr);
	b->ptr = NULL;
	b->len = b->cap = 0;
}

int cr_write_all(int fd, const void *p, size_t n)
{
	const char *c = p;

	while (n) {
		ssize_t w = write(fd, c, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		if (w == 0) {
			errno = EIO;
			return -1;
		}
		c += w;
		n -= (size_t)w;
	}
	return 0;
}

int cr_buf_read_fd(cr_buf *b, int fd, size_t max)
{
	for (;;) {
		ssize_t n;

		cr_buf_grow(b, 4096);
		n = read(fd, b->ptr + b->len, b->cap - b->len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return 0;
		b->len += (size_t)n;
		b->ptr[b->len] = '\0';
		if (max && b->len > max)
			return 1;
	}
}
