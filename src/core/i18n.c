/* i18n.c - see costrank/i18n.h.  A lookup in the embedded GNU .mo image:
 * its msgids are sorted (msgfmt writes them so), so a binary search. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "costrank/i18n.h"

static enum cr_lang current = CR_LANG_EN;

void cr_i18n_use(enum cr_lang lang)
{
	current = lang;
}

enum cr_lang cr_i18n_current(void)
{
	return current;
}

const char *cr_i18n_code(void)
{
	return current == CR_LANG_JA ? "ja" : "en";
}

static int lang_of(const char *name, enum cr_lang *out)
{
	if (!strcmp(name, "en") || !strncmp(name, "en_", 3) || !strncmp(name, "en.", 3) ||
	    !strcmp(name, "C") || !strncmp(name, "C.", 2) || !strcmp(name, "POSIX")) {
		*out = CR_LANG_EN;
		return 0;
	}
	if (!strcmp(name, "ja") || !strncmp(name, "ja_", 3) || !strncmp(name, "ja.", 3)) {
		*out = CR_LANG_JA;
		return 0;
	}
	return -1;
}

int cr_i18n_set(const char *name, cr_error *err)
{
	enum cr_lang l;

	if (lang_of(name, &l))
		return cr_error_set(err, CR_EXIT_USAGE,
				    _("--lang: unknown language '%s' (expected en or ja)"), name);
	current = l;
	return 0;
}

enum cr_lang cr_i18n_from_env(void)
{
	static const char *const vars[] = { "LC_ALL", "LC_MESSAGES", "LANG" };
	enum cr_lang l = CR_LANG_EN;

	for (size_t i = 0; i < sizeof vars / sizeof *vars; i++) {
		const char *v = getenv(vars[i]);
		if (v && *v)
			return lang_of(v, &l) ? CR_LANG_EN : l;
	}
	return CR_LANG_EN;
}

static uint32_t u32(const unsigned char *p, int swap)
{
	uint32_t v;
	memcpy(&v, p, 4);
	if (swap)
		v = (v >> 24) | ((v >> 8) & 0xff00u) | ((v << 8) & 0xff0000u) | (v << 24);
	return v;
}

/* The string at table entry i, or NULL when the image is malformed. */
static const char *entry(const unsigned char *mo, size_t size, uint32_t table,
			 uint32_t i, int swap)
{
	size_t at = (size_t)table + (size_t)i * 8;
	uint32_t len, off;

	if (at + 8 > size)
		return NULL;
	len = u32(mo + at, swap);
	off = u32(mo + at + 4, swap);
	if ((size_t)off + len >= size || mo[off + len] != '\0')
		return NULL;
	return (const char *)mo + off;
}

/*
 * COSTRANK_TEST_CATALOGUE=FILE.mo replaces the embedded Japanese catalogue
 * (README "Languages"): for the pseudo-translation test, which marks every
 * translated string and looks for English left unmarked, without a build
 * of its own.  Read once; an unreadable file is no catalogue at all.
 */
static const unsigned char *test_catalogue(size_t *size, int *active)
{
	static unsigned char *mo;
	static size_t len;
	static int state;          /* 0 not looked, 1 none, 2 loaded */
	const char *path;
	FILE *f;

	if (state == 0) {
		state = 1;
		path = getenv("COSTRANK_TEST_CATALOGUE");
		if (path && *path && (f = fopen(path, "rb"))) {
			long n;
			if (fseek(f, 0, SEEK_END) == 0 && (n = ftell(f)) > 0 && n < (16L << 20) &&
			    fseek(f, 0, SEEK_SET) == 0 && (mo = malloc((size_t)n)) &&
			    fread(mo, 1, (size_t)n, f) == (size_t)n) {
				len = (size_t)n;
				state = 2;
			}
			fclose(f);
		}
		if (path && *path)
			state = state == 2 ? 2 : 3;
	}
	*active = state >= 2;
	*size = state == 2 ? len : 0;
	return state == 2 ? mo : NULL;
}

/* The printf conversions of s in order ("%s%zu%.*f"), for comparing a
 * translation from outside with its msgid; a '%' that starts no
 * conversion ("Change %", a label, not a format) is left out. */
static void conversions(const char *s, char *out, size_t cap)
{
	size_t n = 0;

	while (*s) {
		size_t len;

		if (*s++ != '%')
			continue;
		len = strspn(s, "0123456789$#+-. *'hlLqjzt");
		if (!s[len] || !strchr("diouxXeEfFgGaAcspn%", s[len]))
			continue;
		if (n + len + 3 > cap)
			break;
		out[n++] = '%';
		memcpy(out + n, s, len + 1);
		n += len + 1;
		s += len + 1;
	}
	out[n] = '\0';
}

/* A translation from a test catalogue is used only when it takes the
 * same arguments as its msgid: a format string from a file never reads
 * what the caller did not pass. */
static const char *checked(const char *msgid, const char *t)
{
	char a[256], b[256];

	conversions(msgid, a, sizeof a);
	conversions(t, b, sizeof b);
	return strcmp(a, b) == 0 && !strstr(b, "%n") ? t : msgid;
}

const char *cr_gettext(const char *msgid)
{
	const unsigned char *mo;
	size_t size;
	uint32_t magic, n, orig, trans, lo, hi;
	int swap, test;

	if (current != CR_LANG_JA || !msgid || !*msgid)
		return msgid;
	mo = test_catalogue(&size, &test);
	if (!test)
		mo = cr_i18n_mo_ja(&size);
	if (!mo || size < 28)
		return msgid;
	memcpy(&magic, mo, 4);
	if (magic == 0x950412deu)
		swap = 0;
	else if (magic == 0xde120495u)
		swap = 1;
	else
		return msgid;
	n = u32(mo + 8, swap);
	orig = u32(mo + 12, swap);
	trans = u32(mo + 16, swap);
	lo = 0;
	hi = n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		const char *id = entry(mo, size, orig, mid, swap);
		int c;
		if (!id)
			return msgid;
		c = strcmp(msgid, id);
		if (c == 0) {
			const char *t = entry(mo, size, trans, mid, swap);
			if (!t || !*t)
				return msgid;
			return test ? checked(msgid, t) : t;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return msgid;
}
