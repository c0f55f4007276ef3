/*
 * i18n.h - the language of the reports: message catalogues.
 *
 * Every user-facing string of the writers and the chat payloads is
 * marked _("...") (translated where used) or
 * N_("...") (only marked, for tables of strings translated later).
 * xgettext extracts the marked strings; po/<lang>.po translates them; the
 * build compiles each .po with msgfmt and embeds the .mo in the binary,
 * so a build-tree binary and an installed one behave the same, and no
 * system locale (ja_JP.UTF-8 or any other) needs to be installed.
 *
 * English is the default and the msgid itself: a missing translation
 * falls back to English, never to an empty string.
 */
#ifndef COSTRANK_I18N_H
#define COSTRANK_I18N_H

#include "costrank/error.h"

#define _(s) cr_gettext(s)
#define N_(s) (s)

enum cr_lang { CR_LANG_EN = 0, CR_LANG_JA = 1 };

/* The translation of msgid in the current language, or msgid itself. */
const char *cr_gettext(const char *msgid) __attribute__((format_arg(1)));

/* Chooses the language by name ("en", "ja", "ja_JP.UTF-8", ...).
 * Unknown names fill err (CR_EXIT_USAGE) and return -1. */
int cr_i18n_set(const char *name, cr_error *err);

/* The language the environment asks for: the first non-empty of LC_ALL,
 * LC_MESSAGES, LANG; "ja..." is Japanese, anything else English. */
enum cr_lang cr_i18n_from_env(void);

void cr_i18n_use(enum cr_lang lang);
enum cr_lang cr_i18n_current(void);
/* "en" or "ja": the value of HTML lang="..." */
const char *cr_i18n_code(void);

/* The embedded compiled catalogue of a language (a GNU .mo image). */
const unsigned char *cr_i18n_mo_ja(size_t *size);

#endif
