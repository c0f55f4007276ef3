/* cred_common.c - see costrank/cred_common.h */
#include "costrank/cred_common.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "costrank/buf.h"
#include "costrank/headers.h"

const char *cr_cred_env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

bool cr_cred_region_valid(const char *r)
{
	if (!*r || strlen(r) > 64)
		return false;
	for (; *r; r++)
		if (!(islower((unsigned char)*r) || isdigit((unsigned char)*r) || *r == '-'))
			return false;
	return true;
}

void cr_cred_scrub(char *s, size_t size, const char *const *secrets, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const char *sec = secrets[i];
		size_t sl = sec ? strlen(sec) : 0;
		char *p;

		if (sl < 4)
			continue;
		while ((p = strstr(s, sec))) {
			static const char red[] = "[redacted]";
			size_t tail = strlen(p + sl);

			if ((size_t)(p - s) + sizeof red - 1 + tail + 1 > size)
				tail = size - (size_t)(p - s) - sizeof red;
			memmove(p + sizeof red - 1, p + sl, tail);
			p[sizeof red - 1 + tail] = '\0';
			memcpy(p, red, sizeof red - 1);
		}
	}
}

void cr_cred_set(cr_aws_credentials *c, const char *akid, const char *secret, const char *token,
		 const char *fmt, ...)
{
	va_list ap;
	char tmp[512];

	c->access_key_id = cr_xstrdup(akid);
	c->secret_access_key = cr_xstrdup(secret);
	c->session_token = token && *token ? cr_xstrdup(token) : NULL;
	va_start(ap, fmt);
	vsnprintf(tmp, sizeof tmp, fmt, ap);
	va_end(ap);
	c->source = cr_xstrdup(tmp);
}

char *cr_cred_read_file(const char *path, const char *what, size_t max, cr_error *err)
{
	cr_buf b = CR_BUF_INIT;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t s = 0, e;
	char *t = NULL;

	if (fd < 0) {
		cr_error_errno(err, CR_EXIT_AUTH, errno, "%s %s", what, path);
		return NULL;
	}
	switch (cr_buf_read_fd(&b, fd, max)) {
	case -1:
		cr_error_errno(err, CR_EXIT_AUTH, errno, "%s %s", what, path);
		goto out;
	case 1:
		cr_error_set(err, CR_EXIT_AUTH, "%s %s: larger than %zu bytes", what, path, max);
		goto out;
	}
	e = b.len;
	while (s < e && isspace((unsigned char)b.ptr[s]))
		s++;
	while (e > s && isspace((unsigned char)b.ptr[e - 1]))
		e--;
	if (s == e)
		cr_error_set(err, CR_EXIT_AUTH, "%s %s is empty", what, path);
	else
		t = cr_xstrndup(b.ptr + s, e - s);
out:
	close(fd);
	cr_wipe(b.ptr, b.len);
	cr_buf_release(&b);
	return t;
}

json_t *cr_cred_json_load(const char *text, size_t len)
{
	json_error_t jerr;
	json_t *doc = json_loadb(text ? text : "", len, 0, &jerr);

	cr_wipe(&jerr, sizeof jerr);
	return doc;
}

static void wipe_strings(json_t *v)
{
	const char *key;
	json_t *m;
	size_t i;

	if (json_is_string(v)) {
		cr_wipe((char *)json_string_value(v), json_string_length(v));
	} else if (json_is_object(v)) {
		json_object_foreach(v, key, m)
			wipe_strings(m);
	} else if (json_is_array(v)) {
		json_array_foreach(v, i, m)
			wipe_strings(m);
	}
}

void cr_cred_json_free(json_t *doc)
{
	wipe_strings(doc);
	json_decref(doc);
}

int cr_cred_from_json(const json_t *doc, const char *token_key, const char *what,
		      const char *src, cr_aws_credentials *out, cr_error *err)
{
	const char *ak = json_string_value(json_object_get(doc, "AccessKeyId"));
	const char *sk = json_string_value(json_object_get(doc, "SecretAccessKey"));
	const char *tk = json_string_value(json_object_get(doc, token_key));
	const char *ex = json_string_value(json_object_get(doc, "Expiration"));

	if (!ak || !*ak || !sk || !*sk)
		return cr_error_set(err, CR_EXIT_AUTH, "%s: no AccessKeyId or SecretAccessKey",
				    what);
	cr_cred_set(out, ak, sk, tk, "%s", src);
	if (ex && cr_aws_time_parse(ex, &out->expiration) < 0) {
		cr_aws_credentials_clear(out);
		return cr_error_set(err, CR_EXIT_AUTH, "%s: Expiration is not an ISO 8601 time",
				    what);
	}
	return 0;
}
