/*
 * ce_cache.h - the disk cache of Cost Explorer answers.
 *
 * Every complete answer (all its pages) to one request is kept in a file
 * DIR/KEY.json of mode 0600, in a directory of mode 0700:
 *
 *   DIR  --cache-dir, else $XDG_CACHE_HOME/costrank, else $HOME/.cache/costrank
 *   KEY  hex SHA-256 of the endpoint URL, the identity that asked, the
 *        operation and the request body (without NextPageToken)
 *
 * The identity says whose data an answer is (a profile name, a role ARN, a
 * hash of an access key id) so that two organisations never share answers;
 * it is hashed into the key and written nowhere.  A file holds:
 *
 *   {"schema": "costrank.ce-cache/v1", "created": "2026-11-02T08:00:00Z",
 *    "expires": null | "2026-11-02T14:00:00Z", "operation": "GetCostAndUsage",
 *    "request": {...}, "pages": ["<answer page 1>", ...]}
 *
 * Nothing in it is a secret: requests and answers carry account ids,
 * names, dates and amounts.  Answers for a period that is over and has no
 * estimated figure are kept for good; others (the running month, figures
 * AWS still marks as estimated) for CR_CE_CACHE_TTL.  A file that cannot be
 * read, is malformed, is not a regular file owned by the user, or is
 * writable by others is a miss, never an error.  Files are written to a
 * temporary name and renamed into place; none is larger than
 * CR_CE_CACHE_MAX_ENTRY, the limit of reading too.
 */
#ifndef COSTRANK_CE_CACHE_H
#define COSTRANK_CE_CACHE_H

#include <stdbool.h>
#include <time.h>

#include "costrank/ce.h"
#include "costrank/date.h"
#include "costrank/error.h"

#define CR_CE_CACHE_SCHEMA "costrank.ce-cache/v1"
#define CR_CE_CACHE_TTL (6 * 3600)
#define CR_CE_CACHE_KEY_STRLEN 65
/* The largest file the cache writes and reads back (bytes). */
#define CR_CE_CACHE_MAX_ENTRY (64u << 20)

typedef struct cr_ce_cache cr_ce_cache;

/*
 * The default directory (see above), owned by the caller; NULL when
 * neither XDG_CACHE_HOME nor HOME is set.
 */
char *cr_ce_cache_default_dir(void);

/*
 * Opens the cache in dir (NULL: the default), creating it (and missing
 * parents) with mode 0700, and tightening an existing directory of ours to
 * 0700.  Returns NULL with err set (CR_EXIT_OUTPUT) when it cannot be
 * created or is not a directory owned by the user.
 */
cr_ce_cache *cr_ce_cache_open(const char *dir, cr_error *err);
void cr_ce_cache_close(cr_ce_cache *c);
const char *cr_ce_cache_dir(const cr_ce_cache *c);

/* The key of a request into key[CR_CE_CACHE_KEY_STRLEN]. */
void cr_ce_cache_key(const char *endpoint, const char *identity, const char *operation,
		     const char *body, char *key);

enum cr_ce_cache_state {
	CR_CE_CACHE_MISS = 0,
	CR_CE_CACHE_HIT = 1,    /* fresh */
	CR_CE_CACHE_STALE = 2   /* expired at now; the pages are given all the same */
};

/*
 * Looks key up at time now: fills *pages (which must be empty) and
 * *created (when not NULL) on a hit or a stale entry.
 */
enum cr_ce_cache_state cr_ce_cache_get(cr_ce_cache *c, const char *key, time_t now,
				       cr_ce_pages *pages, time_t *created);

/*
 * Stores the pages answering request (for operation) under key; expires is
 * 0 for good, else the time the entry goes stale.  Returns 0, or -1 with
 * err set (CR_EXIT_OUTPUT).
 */
int cr_ce_cache_put(cr_ce_cache *c, const char *key, const char *operation,
		    const char *request, const cr_ce_pages *pages, time_t now, time_t expires,
		    cr_error *err);

/*
 * The same written page by page, as the pages arrive: begin, add each
 * page, then commit (renamed into place) or abort (nothing left behind).
 * An answer that would make the file larger than CR_CE_CACHE_MAX_ENTRY is
 * not kept: add fails with err (CR_EXIT_OUTPUT) saying so, naming what
 * (the request, for messages).  After a failed add, only abort.  begin
 * returns NULL, add and commit -1, with err set; commit and abort free
 * the entry.
 */
typedef struct cr_ce_cache_entry cr_ce_cache_entry;
cr_ce_cache_entry *cr_ce_cache_begin(cr_ce_cache *c, const char *key, const char *operation,
				     const char *request, const char *what, time_t now,
				     cr_error *err);
int cr_ce_cache_add(cr_ce_cache_entry *e, const char *page, size_t len, cr_error *err);
int cr_ce_cache_commit(cr_ce_cache_entry *e, time_t expires, cr_error *err);
void cr_ce_cache_abort(cr_ce_cache_entry *e);

/*
 * When an answer for a request whose period ends (exclusive) on end_excl
 * expires: 0 (never) when end_excl <= today and no figure was estimated,
 * else now + CR_CE_CACHE_TTL.
 */
time_t cr_ce_cache_expiry(cr_day end_excl, cr_day today, bool estimated, time_t now);

#endif
