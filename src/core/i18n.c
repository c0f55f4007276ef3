/* i18n.c - see costrank/i18n.h.  A lookup in the embedded GNU .mo image:
 * its msgids are sorted (msgfmt writes them so), so a binary search. */
#include <stdint.h>
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
				    "--lang: unknown language '%s' (expected en or ja)", name);
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

const char *cr_gettext(const char *msgid)
{
	const unsigned char *mo;
	size_t size;
	uint32_t magic, n, orig, trans, lo, hi;
	int swap;

	if (current != CR_LANG_JA || !msgid || !*msgid)
		return msgid;
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
			return t && *t ? t : msgid;
		}
		if (c < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	return msgid;
}
