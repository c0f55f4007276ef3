/*
 * ini.h - the INI dialect of the AWS config and credentials files.
 *
 *   # comment            ; comment        (whole lines only)
 *   [default]
 *   region = eu-west-1
 *   [profile dev]
 *   role_arn = arn:aws:iam::123456789012:role/ro
 *   s3 =
 *     max_concurrent_requests = 10      (a nested block)
 *
 * As the AWS CLI reads them (Python configparser): a section header is
 * "[name]" on a line of its own (whitespace around the name is dropped; a
 * comment may follow); an entry is "key = value" or "key: value", split at
 * the first '=' or ':', key and value trimmed, keys lower-cased; comment
 * lines start with '#' or ';' after optional whitespace and text after a
 * value is part of it; an indented line after an entry continues it and is
 * not kept (nested blocks such as "s3 =" keep their first-line value,
 * usually empty).  Lines may end in LF or CRLF; a UTF-8 BOM is skipped.
 *
 * Errors (CR_EXIT_INPUT, "FILE:LINE: ..."): a line that is neither a
 * section, an entry nor a comment; an unterminated section header or an
 * empty section name; an entry before any section; an empty key; a
 * repeated section or a repeated key in a section; a NUL byte.  Messages
 * never quote the text of an offending line: these files hold secrets.
 *
 * Values are wiped when the cr_ini is freed.
 */
#ifndef COSTRANK_INI_H
#define COSTRANK_INI_H

#include <stddef.h>

#include "costrank/error.h"

typedef struct cr_ini_entry {
	char *key;      /* lower case */
	char *value;    /* trimmed; "" for "key =" */
	unsigned line;  /* 1-based */
} cr_ini_entry;

typedef struct cr_ini_section {
	char *name;     /* as written, trimmed: "default", "profile dev" */
	unsigned line;
	cr_ini_entry *v;
	size_t n;
} cr_ini_section;

typedef struct cr_ini {
	char *path;     /* the name used in messages */
	cr_ini_section *v;
	size_t n;
} cr_ini;

/*
 * Parses text[0..len).  path names the file in messages.  Returns NULL
 * with err set on a syntax error.
 */
cr_ini *cr_ini_parse(const char *path, const char *text, size_t len, cr_error *err);

/*
 * Reads and parses path into *out.  Returns 1 when loaded, 0 when the file
 * does not exist (*out NULL, err untouched), -1 with err set when it cannot
 * be read (CR_EXIT_INPUT, "FILE: ...: strerror") or is malformed.
 */
int cr_ini_load(const char *path, cr_ini **out, cr_error *err);

/* The section called name (exact match), or NULL. */
const cr_ini_section *cr_ini_find(const cr_ini *ini, const char *name);

/* The entry for key (lower case) in s, or NULL; s may be NULL. */
const cr_ini_entry *cr_ini_entry_find(const cr_ini_section *s, const char *key);

/* The value for key in s, or NULL; s may be NULL. */
const char *cr_ini_get(const cr_ini_section *s, const char *key);

/* Wipes the values and frees ini; ini may be NULL. */
void cr_ini_free(cr_ini *ini);

#endif
