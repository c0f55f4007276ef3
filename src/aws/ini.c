/* ini.c - see costrank/ini.h */
#include "costrank/ini.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "costrank/buf.h"
#include "costrank/headers.h"

#define INI_MAX_SIZE (16u << 20) /* far beyond any real config file */

static bool is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f';
}

/* Trims [*s, *e) of blanks on both sides. */
static void trim(const char **s, const char **e)
{
	while (*s < *e && is_blank(**s))
		(*s)++;
	while (*e > *s && is_blank((*e)[-1]))
		(*e)--;
}

static void free_section(cr_ini_section *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->v[i].key);
		cr_free_secret(s->v[i].value);
	}
	free(s->v);
	free(s->name);
}

void cr_ini_free(cr_ini *ini)
{
	if (!ini)
		return;
	for (size_t i = 0; i < ini->n; i++)
		free_section(&ini->v[i]);
	free(ini->v);
	free(ini->path);
	free(ini);
}

const cr_ini_section *cr_ini_find(const cr_ini *ini, const char *name)
{
	if (!ini)
		return NULL;
	for (size_t i = 0; i < ini->n; i++)
		if (strcmp(ini->v[i].name, name) == 0)
			return &ini->v[i];
	return NULL;
}

const cr_ini_entry *cr_ini_entry_find(const cr_ini_section *s, const char *key)
{
	if (!s)
		return NULL;
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].key, key) == 0)
			return &s->v[i];
	return NULL;
}

const char *cr_ini_get(const cr_ini_section *s, const char *key)
{
	const cr_ini_entry *e = cr_ini_entry_find(s, key);

	return e ? e->value : NULL;
}

/* Sets err, frees ini and returns NULL. */
static cr_ini *parse_error(cr_ini *ini, cr_error *err, unsigned line, const char *what)
{
	cr_error_set(err, CR_EXIT_INPUT, "%s:%u: %s", ini->path, line, what);
	cr_ini_free(ini);
	return NULL;
}

static int add_section(cr_ini *ini, const char *name, size_t len, unsigned line, cr_error *err)
{
	char *n = cr_xstrndup(name, len);

	for (size_t i = 0; i < ini->n; i++) {
		if (strcmp(ini->v[i].name, n) == 0) {
			cr_error_set(err, CR_EXIT_INPUT,
				     "%s:%u: section [%s] repeated (first at line %u)", ini->path,
				     line, n, ini->v[i].line);
			free(n);
			cr_ini_free(ini);
			return -1;
		}
	}
	ini->v = cr_xrealloc(ini->v, (ini->n + 1) * sizeof *ini->v);
	ini->v[ini->n] = (cr_ini_section){ .name = n, .line = line };
	ini->n++;
	return 0;
}

static int add_entry(cr_ini *ini, const char *key, size_t klen, const char *value, size_t vlen,
		     unsigned line, cr_error *err)
{
	cr_ini_section *s = &ini->v[ini->n - 1];
	char *k = cr_xstrndup(key, klen);
	const cr_ini_entry *old;

	for (char *p = k; *p; p++)
		*p = (char)tolower((unsigned char)*p);
	old = cr_ini_entry_find(s, k);
	if (old) {
		cr_error_set(err, CR_EXIT_INPUT,
			     "%s:%u: key '%s' repeated in section [%s] (first at line %u)",
			     ini->path, line, k, s->name, old->line);
		free(k);
		cr_ini_free(ini);
		return -1;
	}
	s->v = cr_xrealloc(s->v, (s->n + 1) * sizeof *s->v);
	s->v[s->n] = (cr_ini_entry){ .key = k, .value = cr_xstrndup(value, vlen), .line = line };
	s->n++;
	return 0;
}

cr_ini *cr_ini_parse(const char *path, const char *text, size_t len, cr_error *err)
{
	cr_ini *ini = cr_xcalloc(1, sizeof *ini);
	const char *p = text, *end = text + len;
	unsigned line = 0;
	bool in_entry = false; /* an entry was the last non-comment line */

	ini->path = cr_xstrdup(path);
	if (len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0)
		p += 3;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *raw = p, *le = nl ? nl : end, *s = p, *e;

		line++;
		p = nl ? nl + 1 : end;
		if (memchr(raw, '\0', (size_t)(le - raw)))
			return parse_error(ini, err, line, "NUL byte");
		if (le > raw && le[-1] == '\r')
			le--;
		e = le;
		trim(&s, &e);
		if (s == e)
			continue; /* blank lines do not end an entry's block */
		if (*s == '#' || *s == ';')
			continue;
		/* An indented line after an entry continues it (a nested block
		 * such as "s3 =" or a multi-line value): not kept. */
		if (in_entry && is_blank(*raw))
			continue;
		if (*s == '[') {
			const char *close = memchr(s, ']', (size_t)(e - s));
			const char *ns = s + 1, *ne;

			if (!close)
				return parse_error(ini, err, line, "unterminated section header "
						   "(no closing ']')");
			ne = close;
			trim(&ns, &ne);
			if (ns == ne)
				return parse_error(ini, err, line, "empty section name");
			{
				const char *rest = close + 1, *re = e;

				trim(&rest, &re);
				if (rest < re && *rest != '#' && *rest != ';')
					return parse_error(ini, err, line,
							   "text after the section header");
			}
			if (add_section(ini, ns, (size_t)(ne - ns), line, err) < 0)
				return NULL;
			in_entry = false;
			continue;
		}
		{
			const char *d = s;
			const char *ks = s, *ke, *vs, *ve = e;

			while (d < e && *d != '=' && *d != ':')
				d++;
			if (!ini->n)
				return parse_error(ini, err, line, "entry before any [section] "
						   "header");
			if (d == e)
				return parse_error(ini, err, line, "expected 'key = value', a "
						   "[section] header or a comment");
			ke = d;
			vs = d + 1;
			trim(&ks, &ke);
			trim(&vs, &ve);
			if (ks == ke)
				return parse_error(ini, err, line, "entry without a key");
			if (add_entry(ini, ks, (size_t)(ke - ks), vs, (size_t)(ve - vs), line,
				      err) < 0)
				return NULL;
			in_entry = true;
		}
	}
	return ini;
}

int cr_ini_load(const char *path, cr_ini **out, cr_error *err)
{
	cr_buf b = CR_BUF_INIT;
	struct stat st;
	int fd;

	*out = NULL;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return cr_error_errno(err, CR_EXIT_INPUT, errno, "%s", path);
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
		close(fd);
		return cr_error_set(err, CR_EXIT_INPUT, "%s: is a directory", path);
	}
	switch (cr_buf_read_fd(&b, fd, INI_MAX_SIZE)) {
	case -1:
		cr_error_errno(err, CR_EXIT_INPUT, errno, "%s", path);
		goto fail;
	case 1:
		cr_error_set(err, CR_EXIT_INPUT, "%s: larger than %u bytes", path, INI_MAX_SIZE);
		goto fail;
	}
	close(fd);
	*out = cr_ini_parse(path, b.ptr ? b.ptr : "", b.len, err);
	cr_wipe(b.ptr, b.len);
	cr_buf_release(&b);
	return *out ? 1 : -1;
fail:
	close(fd);
	cr_wipe(b.ptr, b.len);
	cr_buf_release(&b);
	return -1;
}
