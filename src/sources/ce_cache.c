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

#define MAX_ENTRY (64u << 20)

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
	    (st.st_mode & 022) || (size_t)st.st_size > MAX_ENTRY) {
		close(fd);
		return NULL;
	}
	while ((n = read(fd, chunk, sizeof chunk)) > 0 && b.len <= MAX_ENTRY)
		cr_buf_add(&b, chunk, (size_t)n);
	close(fd);
	if (n < 0 || b.len > MAX_ENTRY || !b.len) {
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

int cr_ce_cache_put(cr_ce_cache *c, const char *key, const char *operation,
		    const char *request, const cr_ce_pages *pages, time_t now, time_t expires,
		    cr_error *err)
{
	char made[CR_AWS_TIME_STRLEN], until[CR_AWS_TIME_STRLEN];
	json_t *root = json_object(), *pg = json_array(), *req;
	char *text, *path = entry_path(c, key);
	cr_buf tmp = CR_BUF_INIT;
	sigset_t sigs;
	int fd, rc = -1, slot = -1;

	cr_aws_time_format(now, made);
	req = json_loads(request, 0, NULL);
	json_object_set_new(root, "schema", json_string(CR_CE_CACHE_SCHEMA));
	json_object_set_new(root, "created", json_string(made));
	if (expires) {
		cr_aws_time_format(expires, until);
		json_object_set_new(root, "expires", json_string(until));
	} else {
		json_object_set_new(root, "expires", json_null());
	}
	json_object_set_new(root, "operation", json_string(operation));
	json_object_set_new(root, "request", req ? req : json_string(request));
	for (size_t i = 0; i < pages->n; i++)
		json_array_append_new(pg, json_string(pages->v[i]));
	json_object_set_new(root, "pages", pg);
	text = json_dumps(root, JSON_COMPACT);
	json_decref(root);
	if (!text) {
		free(path);
		return cr_error_set(err, CR_EXIT_INTERNAL, "cannot serialise a cache entry");
	}

	cr_buf_addf(&tmp, "%s/.tmp-%s-%ld", c->dir, key, (long)getpid());
	/* registered, so that an interrupt removes it (proc.h) */
	cr_proc_block_term(&sigs);
	fd = open(tmp.ptr, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, 0600);
	slot = fd >= 0 ? cr_tmp_track(tmp.ptr) : -1;
	cr_proc_restore(&sigs);
	if (fd < 0) {
		cr_error_errno(err, CR_EXIT_OUTPUT, errno, "cache %s", tmp.ptr);
		goto out;
	}
	if (fchmod(fd, 0600) < 0 || write_all(fd, text, strlen(text)) < 0 ||
	    write_all(fd, "\n", 1) < 0 || fsync(fd) < 0) {
		cr_error_errno(err, CR_EXIT_OUTPUT, errno, "cache %s", tmp.ptr);
		close(fd);
		unlink(tmp.ptr);
		goto out;
	}
	if (close(fd) < 0 || rename(tmp.ptr, path) < 0) {
		cr_error_errno(err, CR_EXIT_OUTPUT, errno, "cache %s", path);
		unlink(tmp.ptr);
		goto out;
	}
	rc = 0;
out:
	cr_tmp_forget(slot);
	free(text);
	free(path);
	cr_buf_release(&tmp);
	return rc;
}

time_t cr_ce_cache_expiry(cr_day end_excl, cr_day today, bool estimated, time_t now)
{
	if (end_excl <= today && !estimated)
		return 0;
	return now + CR_CE_CACHE_TTL;
}
