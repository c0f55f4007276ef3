/*
 * buf.h - a growable byte buffer, always NUL-terminated.
 *
 *   cr_buf b = CR_BUF_INIT;
 *   cr_buf_addf(&b, "%s/%s", dir, name);
 *   use(b.ptr);
 *   cr_buf_release(&b);
 *
 * Invariant: after any add, b.ptr is non-NULL and b.ptr[b.len] == '\0'.
 * Allocation failure aborts (see cr_xmalloc).
 */
#ifndef COSTRANK_BUF_H
#define COSTRANK_BUF_H

#include <stddef.h>

typedef struct cr_buf {
	char *ptr;   /* NULL until the first add, then malloced */
	size_t len;  /* bytes used, not counting the terminating NUL */
	size_t cap;  /* bytes allocated */
} cr_buf;

#define CR_BUF_INIT { NULL, 0, 0 }

void cr_buf_grow(cr_buf *b, size_t extra);
void cr_buf_add(cr_buf *b, const void *data, size_t len);
void cr_buf_adds(cr_buf *b, const char *s);
void cr_buf_addc(cr_buf *b, char c);
void cr_buf_addf(cr_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Empties the buffer but keeps its memory. */
/*
 * Appends everything readable from fd to b, kept NUL-terminated, retrying
 * on EINTR.  Returns 0 at end of file, -1 with errno set on a read error,
 * or 1 as soon as b holds more than max bytes (0: no limit).
 */
int cr_buf_read_fd(cr_buf *b, int fd, size_t max);
/* Writes p[0..n) to fd whole, again on EINTR and short writes.  0, or -1
 * with errno set. */
int cr_write_all(int fd, const void *p, size_t n);
void cr_buf_reset(cr_buf *b);
/* Hands the string over to the caller (never NULL) and empties b. */
char *cr_buf_detach(cr_buf *b);
void cr_buf_release(cr_buf *b);

#endif
