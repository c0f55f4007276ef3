/* ce_cache.c - the disk cache of Cost Explorer answers (ce_cache.h) */
#include "costrank/ce_cache.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "costrank/buf.h"
#include "costrank/credentials.h"
#include "costrank/proc.h"
#include "costrank/sigv4.h"


struct cr_ce_cache {
	char *dir;
};

char *cr_ce_cache_default_dir(void)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	cr_buf b = CR_BUF_INIT;

	/* the XDG spec: a relative XDG_CACHE_HOME is invalid and ignored */
	if (xdg && xdg[0] == '/')
		cr_buf_addf(&b, "%s/costrank", xdg);
	else if (home && *home)
		cr_buf_addf(&b, "%s/.cache/costrank", home);
	else
		return NULL;
	return cr_buf_detach(&b);
}

/* mkdir -p with mode 0700 for what it creates. */
static int make_dirs(char *path)
{
	for (char *p = path + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) < 0 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return mkdir(path, 0700) < 0 && errno != EEXIST ? -1 : 0;
}

cr_ce_cache *cr_ce_cache_open(const char *dir, cr_error *err)
{
	char *path = dir && *dir ? cr_xstrdup(dir) : cr_ce_cache_default_dir();
	struct stat st;
	cr_ce_cache *c;

	if (!path) {
		cr_error_set(err, CR_EXIT_OUTPUT, "no cache directory: neither XDG_CACHE_HOME nor "
			     "HOME is set (give --cache-dir DIR, or --no-cache)");
		return NULL;
	}
	while (strlen(path) > 1 && path[strlen(path) - 1] == '/')
		path[strlen(path) - 1] = '\0';
	if (make_dirs(path) < 0 || stat(path, &st) < 0) {
		cr_error_errno(err, CR_EXIT_OUTPUT, errno, "cache directory %s", path);
		free(path);
		return NULL;
	}
	if (!S_ISDIR(st.st_mode) || st.st_uid != geteuid()) {
		cr_error_set(err, CR_EXIT_OUTPUT, "cache directory %s: not a directory of this user",
			     path);
		free(path);
		return NULL;
	}
	if ((st.st_mode & 077) && chmod(path, 0700) < 0) {
		cr_error_errno(err, CR_EXIT_OUTPUT, errno, "cache directory %s: cannot make it "
			       "private (mode 0700)", path);
		free(path);
		return NULL;
	}
	c = cr_xcalloc(1, sizeof *c);
	c->dir = path;
	return c;
}

void cr_ce_cache_close(cr_ce_cache *c)
{
	if (!c)
		return;
	free(c->dir);
	free(c);
}

const char *cr_ce_cache_dir(const cr_ce_cache *c)
{
	return c->dir;
}

void cr_ce_cache_key(const char *endpoint, const char *identity, const char *operation,
		     const char *body, char *key)
{
	cr_buf b = CR_BUF_INIT;

	/* each field with its length, so that no two keys run into each other */
	cr_buf_addf(&b, "%s\n%zu:%s\n%zu:%s\n%zu:%s\n%zu:%s", CR_CE_CACHE_SCHEMA,
		    strlen(endpoint), endpoint, strlen(identity), identity, strlen(operation),
		    operation, strlen(body), body);
	cr_sha256_hex(b.ptr, b.len, key);
	cr_wipe(b.ptr, b.len);
	cr_buf_release(&b);
}

static char *entry_path(const cr_ce_cache *c, const char *key)
{
	cr_buf b = CR_BUF_INIT;

	cr_buf_addf(&b, "%s/%s.json", c->dir, key);
	return cr_buf_detach(&b);
}

static char *read_entry(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	cr_buf b = CR_BUF_INIT;
	char chunk[65536];
	ssize_t n;

	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 022) || (size_t)st.st_size > CR_CE_CACHE_MAX_ENTRY) {
		close(fd);
		return NULL;
	}
	while ((n = read(fd, chunk, sizeof chunk)) > 0 && b.len <= CR_CE_CACHE_MAX_ENTRY)
		cr_buf_add(&b, chunk, (size_t)n);
	close(fd);
	if (n < 0 || b.len > CR_CE_CACHE_MAX_ENTRY || !b.len) {
		cr_buf_release(&b);
		return NULL;
	}
	*len = b.len;
	return cr_buf_detach(&b);
}

enum cr_ce_cache_state cr_ce_cache_get(cr_ce_cache *c, const char *key, time_t now,
				       cr_ce_pages *pages, time_t *created)
{
	char *path = entry_path(c, key), *text;
	size_t len = 0;
	json_t *root = NULL, *pg, *exp, *cre, *schema;
	time_t expires = 0, made = 0;
	enum cr_ce_cache_state state = CR_CE_CACHE_MISS;

	text = read_entry(path, &len);
	free(path);
	if (!text)
		return CR_CE_CACHE_MISS;
	root = json_loadb(text, len, 0, NULL);
	free(text);
	schema = json_object_get(root, "schema");
	pg = json_object_get(root, "pages");
	exp = json_object_get(root, "expires");
	cre = json_object_get(root, "created");
	if (!json_is_string(schema) || strcmp(json_string_value(schema), CR_CE_CACHE_SCHEMA) ||
	    !json_is_array(pg) || !json_array_size(pg) || !json_is_string(cre) ||
	    cr_aws_time_parse(json_string_value(cre), &made) < 0 ||
	    !(json_is_null(exp) ||
	      (json_is_string(exp) && cr_aws_time_parse(json_string_value(exp), &expires) == 0)))
		goto out;
	for (size_t i = 0; i < json_array_size(pg); i++)
		if (!json_is_string(json_array_get(pg, i)))
			goto out;
	for (size_t i = 0; i < json_array_size(pg); i++) {
		json_t *s = json_array_get(pg, i);
		cr_ce_pages_add(pages, json_string_value(s), json_string_length(s));
	}
	if (created)
		*created = made;
	state = expires && now >= expires ? CR_CE_CACHE_STALE : CR_CE_CACHE_HIT;
out:
	json_decref(root);
	return state;
}

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

struct cr_ce_cache_entry {
	char *tmp, *path;
	const char *what;
	int fd;
	int slot;               /* the temporary file's entry in proc.h's list */
	size_t size;            /* bytes written */
	size_t pages;
};

/* Room kept for the end of a file: "],"expires":"2026-11-02T14:00:00Z"}\n". */
#define ENTRY_TAIL 64

static int entry_write(cr_ce_cache_entry *e, const char *p, size_t n, cr_error *err)
{
	if (e->size + n + ENTRY_TAIL > CR_CE_CACHE_MAX_ENTRY)
		return cr_error_set(err, CR_EXIT_OUTPUT, "the answer to %s passes %u MiB, the "
				    "most the cache reads back: it is not kept, and the next run "
				    "asks Cost Explorer (and pays) again", e->what,
				    CR_CE_CACHE_MAX_ENTRY >> 20);
	if (write_all(e->fd, p, n) < 0)
		return cr_error_errno(err, CR_EXIT_OUTPUT, errno, "cache %s", e->tmp);
	e->size += n;
	return 0;
}

cr_ce_cache_entry *cr_ce_cache_begin(cr_ce_cache *c, const char *key, const char *operation,
				     const char *request, const char *what, time_t now,
				     cr_error *err)
{
	char made[CR_AWS_TIME_STRLEN];
	json_t *root = json_object(), *req = json_loads(request, 0, NULL);
	cr_ce_cache_entry *e = cr_xcalloc(1, sizeof *e);
	cr_buf tmp = CR_BUF_INIT;
	sigset_t sigs;
	char *text;
	size_t n;

	cr_aws_time_format(now, made);
	json_object_set_new(root, "schema", json_string(CR_CE_CACHE_SCHEMA));
	json_object_set_new(root, "created", json_string(made));
	json_object_set_new(root, "operation", json_string(operation));
	json_object_set_new(root, "request", req ? req : json_string(request));
	text = json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(root);
	e->what = what;
	e->path = entry_path(c, key);
	cr_buf_addf(&tmp, "%s/.tmp-%s-%ld", c->dir, key, (long)getpid());
	e->tmp = cr_buf_detach(&tmp);
	/* registered, so that an interrupt removes it (proc.h) */
	cr_proc_block_term(&sigs);
	e->fd = open(e->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	e->slot = e->fd >= 0 ? cr_tmp_track(e->tmp) : -1;
	cr_proc_restore(&sigs);
	if (!text) {
		cr_error_set(err, CR_EXIT_INTERNAL, "cannot serialise a cache entry");
		goto fail;
	}
	if (e->fd < 0 || fchmod(e->fd, 0600) < 0) {
		cr_error_errno(err, CR_EXIT_OUTPUT, errno, "cache %s", e->tmp);
		goto fail;
	}
	/* {...,"request":{...}  then  ,"pages":[ */
	n = strlen(text);
	if (entry_write(e, text, n - 1, err) < 0 || entry_write(e, ",\"pages\":[", 10, err) < 0)
		goto fail;
	free(text);
	return e;
fail:
	free(text);
	cr_ce_cache_abort(e);
	return NULL;
}

int cr_ce_cache_add(cr_ce_cache_entry *e, const char *page, size_t len, cr_error *err)
{
	json_t *s = json_stringn(page, len);
	char *text = s ? json_dumps(s, JSON_ENCODE_ANY) : NULL;
	int rc;

	json_decref(s);
	if (!text)
		return cr_error_set(err, CR_EXIT_INTERNAL, "cannot serialise a page of %s for the "
				    "cache", e->what);
	rc = (e->pages && entry_write(e, ",", 1, err) < 0) ||
	     entry_write(e, text, strlen(text), err) < 0 ? -1 : 0;
	free(text);
	e->pages++;
	return rc;
}

int cr_ce_cache_commit(cr_ce_cache_entry *e, time_t expires, cr_error *err)
{
	char until[CR_AWS_TIME_STRLEN];
	cr_buf t = CR_BUF_INIT;
	int rc = -1;

	if (expires) {
		cr_aws_time_format(expires, until);
		cr_buf_addf(&t, "],\"expires\":\"%s\"}\n", until);
	} else {
		cr_buf_adds(&t, "],\"expires\":null}\n");
	}
	if (!e->pages) {
		cr_error_set(err, CR_EXIT_INTERNAL, "a cache entry without pages");
	} else if (write_all(e->fd, t.ptr, t.len) < 0 || fsync(e->fd) < 0) {
		cr_error_errno(err, CR_EXIT_OUTPUT, errno, "cache %s", e->tmp);
	} else if (close(e->fd) < 0 || (e->fd = -1, rename(e->tmp, e->path) < 0)) {
		e->fd = -1;
		cr_error_errno(err, CR_EXIT_OUTPUT, errno, "cache %s", e->path);
	} else {
		free(e->tmp);
		e->tmp = NULL;
		rc = 0;
	}
	cr_buf_release(&t);
	cr_ce_cache_abort(e);
	return rc;
}

void cr_ce_cache_abort(cr_ce_cache_entry *e)
{
	if (!e)
		return;
	if (e->fd >= 0)
		close(e->fd);
	if (e->tmp)
		unlink(e->tmp);
	cr_tmp_forget(e->slot);
	free(e->tmp);
	free(e->path);
	free(e);
}

int cr_ce_cache_put(cr_ce_cache *c, const char *key, const char *operation,
		    const char *request, const cr_ce_pages *pages, time_t now, time_t expires,
		    cr_error *err)
{
	cr_ce_cache_entry *e = cr_ce_cache_begin(c, key, operation, request, operation, now,
						 err);

	if (!e)
		return -1;
	for (size_t i = 0; i < pages->n; i++)
		if (cr_ce_cache_add(e, pages->v[i], strlen(pages->v[i]), err) < 0) {
			cr_ce_cache_abort(e);
			return -1;
		}
	return cr_ce_cache_commit(e, expires, err);
}

time_t cr_ce_cache_expiry(cr_day end_excl, cr_day today, bool estimated, time_t now)
{
	if (end_excl <= today && !estimated)
		return 0;
	return now + CR_CE_CACHE_TTL;
}
