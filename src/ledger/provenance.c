/* provenance.c - see costrank/provenance.h */
#include "costrank/provenance.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void vadd(char ***v, size_t *n, const char *fmt, va_list ap)
	__attribute__((format(printf, 3, 0)));

static void vadd(char ***v, size_t *n, const char *fmt, va_list ap)
{
	va_list again;
	char *s;
	int len;

	va_copy(again, ap);
	len = vsnprintf(NULL, 0, fmt, ap);
	if (len < 0)
		len = 0;
	s = cr_xmalloc((size_t)len + 1);
	vsnprintf(s, (size_t)len + 1, fmt, again);
	va_end(again);
	for (size_t i = 0; i < *n; i++) {
		if (strcmp((*v)[i], s) == 0) {
			free(s);
			return;
		}
	}
	*v = cr_xrealloc(*v, (*n + 1) * sizeof **v);
	(*v)[(*n)++] = s;
}

void cr_provenance_note(cr_provenance *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vadd(&p->notes, &p->n_notes, fmt, ap);
	va_end(ap);
}

void cr_provenance_message(cr_provenance *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vadd(&p->messages, &p->n_messages, fmt, ap);
	va_end(ap);
}

void cr_provenance_free(cr_provenance *p)
{
	for (size_t i = 0; i < p->n_notes; i++)
		free(p->notes[i]);
	for (size_t i = 0; i < p->n_messages; i++)
		free(p->messages[i]);
	free(p->notes);
	free(p->messages);
	p->notes = p->messages = NULL;
	p->n_notes = p->n_messages = 0;
}
