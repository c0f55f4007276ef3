/*
 * cred_common.h - what the credential sources share (credentials.c, sso.c,
 * cred_process.c, imds.c): reading secrets, keeping them out of messages
 * and wiping them before their memory is released.
 */
#ifndef COSTRANK_CRED_COMMON_H
#define COSTRANK_CRED_COMMON_H

#include <stdbool.h>
#include <stddef.h>

#include <jansson.h>

#include "costrank/credentials.h"
#include "costrank/error.h"

/* The value of an environment variable, or NULL when unset or empty. */
const char *cr_cred_env(const char *name);

/* Whether r can be a region name in a host name: 1..64 lower-case letters,
 * digits and '-'. */
bool cr_cred_region_valid(const char *r);

/*
 * Replaces every occurrence of each secret (NULL ones and those shorter
 * than 4 bytes are skipped) in the string s, held in a buffer of size bytes,
 * with "[redacted]"; the result is cut to fit.
 */
void cr_cred_scrub(char *s, size_t size, const char *const *secrets, size_t n);

/*
 * Fills the empty c with copies of the keys (token NULL or "" for none) and
 * the formatted source (at most 511 bytes); c->expiration is left alone.
 */
void cr_cred_set(cr_aws_credentials *c, const char *akid, const char *secret, const char *token,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/*
 * Reads a small secret file (a token, a token cache) of at most max bytes,
 * trimmed of surrounding whitespace; the buffers it went through are wiped.
 * NULL with err set (CR_EXIT_AUTH, "WHAT PATH: strerror", "... larger than
 * N bytes", "... is empty").
 */
char *cr_cred_read_file(const char *path, const char *what, size_t max, cr_error *err);

/* Parses a JSON text that holds secrets.  NULL when it is not JSON: the
 * parser's message is dropped, as it quotes the text. */
json_t *cr_cred_json_load(const char *text, size_t len);

/* Wipes every string in doc, then releases it (jansson frees without
 * wiping); doc may be NULL. */
void cr_cred_json_free(json_t *doc);

/*
 * Takes the string members AccessKeyId, SecretAccessKey, token_key (the
 * session token, optional) and Expiration (optional, ISO 8601) of the JSON
 * object doc into the empty *out, whose source is src.  Returns 0, or -1
 * with *out empty and err set (CR_EXIT_AUTH, "WHAT: no AccessKeyId or
 * SecretAccessKey", "WHAT: Expiration is not an ISO 8601 time").
 */
int cr_cred_from_json(const json_t *doc, const char *token_key, const char *what,
		      const char *src, cr_aws_credentials *out, cr_error *err);

#endif
