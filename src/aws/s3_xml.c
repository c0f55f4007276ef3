/* s3_xml.c - see costrank/s3_xml.h */
#include "costrank/s3_xml.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "costrank/buf.h"
#include "costrank/credentials.h"
#include "aws/xml_util.h"

#define S3_KEY_MAX 1024

void cr_s3_list_page_free(cr_s3_list_page *p)
{
	cr_s3_objects_free(p->objs, p->n);
	free(p->next_token);
	memset(p, 0, sizeof *p);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	return c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* %XX and '+' (a space, as S3 encodes keys) decoded in place.  -1 on a
 * bad escape or a decoded NUL. */
static int url_decode(char *s)
{
	char *o = s;

	for (char *p = s; *p; p++) {
		if (*p == '%') {
			int hi = hexval((unsigned char)p[1]), lo = hi < 0 ? -1 : hexval((unsigned char)p[2]);

			if (hi < 0 || lo < 0 || (hi == 0 && lo == 0))
				return -1;
			*o++ = (char)(hi * 16 + lo);
			p += 2;
		} else {
			*o++ = *p == '+' ? ' ' : *p;
		}
	}
	*o = '\0';
	return 0;
}

static bool whole_number(const char *s, int64_t *v)
{
	int64_t n = 0;

	if (!s || !*s)
		return false;
	for (; *s; s++) {
		if (!isdigit((unsigned char)*s) || n > (INT64_MAX - 9) / 10)
			return false;
		n = n * 10 + (*s - '0');
	}
	*v = n;
	return true;
}

static bool printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return false;
	return true;
}

static int bad(cr_error *err, const char *where, const char *what, size_t item)
{
	if (item)
		return cr_error_set(err, CR_EXIT_REMOTE,
				    "%s: malformed ListObjectsV2 answer: object %zu: %s", where, item,
				    what);
	return cr_error_set(err, CR_EXIT_REMOTE, "%s: malformed ListObjectsV2 answer: %s", where,
			    what);
}

/* One <Contents> element into *o.  NULL or the reason it is malformed. */
static const char *take_object(const xmlNode *c, const char *bucket, bool url_keys,
			       cr_s3_object *o)
{
	char *key = cr_xml_text(cr_xml_child(c, "Key"));
	char *size = cr_xml_text(cr_xml_child(c, "Size"));
	char *etag = cr_xml_text(cr_xml_child(c, "ETag"));
	char *mod = cr_xml_text(cr_xml_child(c, "LastModified"));
	const char *why = NULL;
	time_t t = 0;

	memset(o, 0, sizeof *o);
	if (!key || !*key)
		why = "no Key";
	else if (url_keys && url_decode(key) < 0)
		why = "a Key with a bad percent escape";
	else if (!*key || strlen(key) > S3_KEY_MAX)
		why = "a Key that is empty or longer than 1024 bytes";
	else if (!printable(key))
		why = "a Key with control characters";
	else if (!whole_number(size, &o->size))
		why = "a Size that is not a whole number";
	else if (mod && *mod && cr_aws_time_parse(mod, &t) < 0)
		why = "a LastModified that is not an ISO 8601 time";
	if (!why && etag) {
		const char *e = etag;
		size_t n = strlen(e);

		if (n >= 2 && e[0] == '"' && e[n - 1] == '"') {
			e++;
			n -= 2;
		}
		if (n >= sizeof o->etag || !printable(e))
			why = "an ETag longer than 79 bytes or with control characters";
		else
			memcpy(o->etag, e, n);
	}
	if (!why) {
		cr_buf u = CR_BUF_INIT;

		cr_buf_addf(&u, "s3://%s/%s", bucket, key);
		o->url = cr_buf_detach(&u);
		o->mtime = (int64_t)t;
	}
	free(key);
	free(size);
	free(etag);
	free(mod);
	return why;
}

static int parse_list(xmlDoc *doc, const char *bucket, const char *where, cr_s3_list_page *out,
		      cr_error *err)
{
	xmlNode *root = xmlDocGetRootElement(doc);
	char *trunc, *enc;
	bool url_keys;
	size_t cap = 0;

	if (!cr_xml_named(root, "ListBucketResult"))
		return bad(err, where, "the document element is not <ListBucketResult>", 0);
	enc = cr_xml_text(cr_xml_child(root, "EncodingType"));
	url_keys = enc && strcmp(enc, "url") == 0;
	free(enc);
	trunc = cr_xml_text(cr_xml_child(root, "IsTruncated"));
	out->truncated = trunc && strcmp(trunc, "true") == 0;
	if (trunc && strcmp(trunc, "true") != 0 && strcmp(trunc, "false") != 0) {
		free(trunc);
		return bad(err, where, "IsTruncated is neither true nor false", 0);
	}
	free(trunc);
	if (out->truncated) {
		out->next_token = cr_xml_text(cr_xml_child(root, "NextContinuationToken"));
		if (!out->next_token || !*out->next_token || !printable(out->next_token))
			return bad(err, where, "a truncated page without a NextContinuationToken", 0);
	}
	for (xmlNode *c = root->children; c; c = c->next) {
		const char *why;

		if (!cr_xml_named(c, "Contents"))
			continue;
		if (out->n == cap) {
			cap = cap ? 2 * cap : 64;
			out->objs = cr_xrealloc(out->objs, cap * sizeof *out->objs);
		}
		why = take_object(c, bucket, url_keys, &out->objs[out->n]);
		if (why)
			return bad(err, where, why, out->n + 1);
		out->n++;
	}
	return 0;
}

int cr_s3_xml_list(const char *xml, size_t len, const char *bucket, const char *where,
		   cr_s3_list_page *out, cr_error *err)
{
	char msg[160];
	xmlDoc *doc;
	int rc;

	memset(out, 0, sizeof *out);
	doc = cr_xml_read(xml, len, "list-objects.xml", msg, sizeof msg);
	if (!doc)
		return bad(err, where, msg, 0);
	rc = parse_list(doc, bucket, where, out, err);
	xmlFreeDoc(doc);
	if (rc < 0)
		cr_s3_list_page_free(out);
	return rc;
}

/* s as printable text into dst[size], cut with "..." when longer. */
static void copy_clean(char *dst, size_t size, const char *s)
{
	size_t n = 0;

	dst[0] = '\0';
	if (!s)
		return;
	for (; *s && n + 1 < size; s++)
		dst[n++] = (unsigned char)*s < 0x20 || *s == 0x7f ? ' ' : *s;
	dst[n] = '\0';
	if (*s && size > 4)
		memcpy(dst + size - 4, "...", 4);
}

int cr_s3_xml_error(const char *xml, size_t len, cr_s3_error_doc *out)
{
	char msg[160], *code = NULL, *text = NULL, *region = NULL;
	xmlDoc *doc;
	xmlNode *root;
	int rc = -1;

	memset(out, 0, sizeof *out);
	doc = cr_xml_read(xml, len, "s3-error.xml", msg, sizeof msg);
	if (!doc)
		return -1;
	root = xmlDocGetRootElement(doc);
	if (cr_xml_named(root, "Error")) {
		code = cr_xml_text(cr_xml_child(root, "Code"));
		text = cr_xml_text(cr_xml_child(root, "Message"));
		region = cr_xml_text(cr_xml_child(root, "Region"));
	}
	if (code && *code && strlen(code) < sizeof out->code) {
		rc = 0;
		for (const char *p = code; *p; p++)
			if (!isalnum((unsigned char)*p) && *p != '.' && *p != '_' && *p != '-')
				rc = -1;
	}
	if (rc == 0) {
		copy_clean(out->code, sizeof out->code, code);
		copy_clean(out->message, sizeof out->message, text);
		if (region && strlen(region) < sizeof out->region && printable(region))
			copy_clean(out->region, sizeof out->region, region);
	}
	free(code);
	free(text);
	free(region);
	xmlFreeDoc(doc);
	return rc;
}
