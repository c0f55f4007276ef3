/* sts_xml.c - see costrank/sts_xml.h */
#include "costrank/sts_xml.h"

#include <limits.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xmlerror.h>

#include "costrank/buf.h"
#include "costrank/headers.h"

#define STS_XML_MAX (1u << 20)

void cr_sts_response_clear(cr_sts_response *out)
{
	cr_aws_credentials_clear(&out->creds);
	free(out->assumed_role_arn);
	free(out->error_code);
	free(out->error_message);
	out->assumed_role_arn = out->error_code = out->error_message = NULL;
}

/* libxml2 must never print: errors are taken from xmlGetLastError. */
static void quiet_errors(void *ctx, const char *msg, ...)
{
	(void)ctx;
	(void)msg;
}

static void quiet_structured(void *ctx, xmlErrorPtr e)
{
	(void)ctx;
	(void)e;
}

static bool named(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

/* The first child element of parent called name, or NULL. */
static xmlNode *child(const xmlNode *parent, const char *name)
{
	if (!parent)
		return NULL;
	for (xmlNode *c = parent->children; c; c = c->next)
		if (named(c, name))
			return c;
	return NULL;
}

/*
 * The text of element n (its text and CDATA children, trimmed), or NULL
 * when n is NULL or holds anything else (an entity reference, child
 * elements).  Owned by the caller.
 */
static char *text_of(const xmlNode *n)
{
	cr_buf b = CR_BUF_INIT;
	size_t s = 0, e;

	if (!n)
		return NULL;
	for (xmlNode *c = n->children; c; c = c->next) {
		if (c->type == XML_TEXT_NODE || c->type == XML_CDATA_SECTION_NODE) {
			if (c->content)
				cr_buf_adds(&b, (const char *)c->content);
		} else if (c->type != XML_COMMENT_NODE) {
			cr_wipe(b.ptr, b.len);
			cr_buf_release(&b);
			return NULL;
		}
	}
	if (!b.ptr)
		return cr_xstrdup("");
	e = b.len;
	while (s < e && strchr(" \t\r\n", b.ptr[s]))
		s++;
	while (e > s && strchr(" \t\r\n", b.ptr[e - 1]))
		e--;
	{
		char *t = cr_xstrndup(b.ptr + s, e - s);

		cr_wipe(b.ptr, b.len);
		cr_buf_release(&b);
		return t;
	}
}

/* Wipes every text node of the tree (the credentials are text): libxml2
 * frees without wiping.  Strings interned in the document's dictionary are
 * shared and left alone; libxml2 interns only short or blank text. */
static void wipe_text(xmlDoc *doc, xmlNode *n)
{
	for (; n; n = n->next) {
		if ((n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) && n->content &&
		    !(doc->dict && xmlDictOwns(doc->dict, n->content)))
			cr_wipe(n->content, strlen((const char *)n->content));
		if (n->type == XML_ELEMENT_NODE)
			wipe_text(doc, n->children);
	}
}

static int bad(cr_error *err, const char *action, const char *what)
{
	return cr_error_set(err, CR_EXIT_REMOTE, "STS %s: malformed response: %s", action, what);
}

/* Takes the text of element name in creds into *dst; it must not be empty. */
static int take(const xmlNode *creds, const char *name, char **dst, const char *action,
		cr_error *err)
{
	char *t = text_of(child(creds, name));

	if (!t || !*t) {
		free(t);
		return cr_error_set(err, CR_EXIT_REMOTE,
				    "STS %s: malformed response: no %s in Credentials", action,
				    name);
	}
	*dst = t;
	return 0;
}

static int parse_doc(xmlDoc *doc, const char *action, cr_sts_response *out, cr_error *err)
{
	xmlNode *root = xmlDocGetRootElement(doc), *result, *creds, *user;
	char want_root[64], want_result[64], *exp = NULL;
	bool ok;

	if (doc->intSubset || doc->extSubset)
		return bad(err, action, "document has a DTD");
	if (!root)
		return bad(err, action, "no document element");
	if (named(root, "ErrorResponse")) {
		xmlNode *e = child(root, "Error");
		char *code = text_of(child(e, "Code"));

		if (!code || !*code) {
			free(code);
			return bad(err, action, "ErrorResponse without an error code");
		}
		out->error_code = code;
		out->error_message = text_of(child(e, "Message"));
		return 1;
	}
	snprintf(want_root, sizeof want_root, "%sResponse", action);
	snprintf(want_result, sizeof want_result, "%sResult", action);
	if (!named(root, want_root))
		return cr_error_set(err, CR_EXIT_REMOTE,
				    "STS %s: malformed response: document element is <%.64s>, "
				    "expected <%s> or <ErrorResponse>", action,
				    (const char *)root->name, want_root);
	result = child(root, want_result);
	if (!result)
		return cr_error_set(err, CR_EXIT_REMOTE, "STS %s: malformed response: no <%s>",
				    action, want_result);
	creds = child(result, "Credentials");
	if (!creds)
		return bad(err, action, "no <Credentials>");
	if (take(creds, "AccessKeyId", &out->creds.access_key_id, action, err) < 0 ||
	    take(creds, "SecretAccessKey", &out->creds.secret_access_key, action, err) < 0 ||
	    take(creds, "SessionToken", &out->creds.session_token, action, err) < 0 ||
	    take(creds, "Expiration", &exp, action, err) < 0)
		goto fail;
	ok = cr_aws_time_parse(exp, &out->creds.expiration) == 0;
	free(exp);
	if (!ok) {
		bad(err, action, "Expiration is not an ISO 8601 time");
		goto fail;
	}
	user = child(result, "AssumedRoleUser");
	out->assumed_role_arn = text_of(child(user, "Arn"));
	return 0;
fail:
	cr_sts_response_clear(out);
	return -1;
}

int cr_sts_xml_parse(const char *xml, size_t len, const char *action, cr_sts_response *out,
		     cr_error *err)
{
	xmlDoc *doc;
	int rc;

	if (len > STS_XML_MAX)
		return bad(err, action, "larger than 1 MiB");
	if (len == 0)
		return bad(err, action, "empty body");
	xmlSetGenericErrorFunc(NULL, quiet_errors);
	xmlSetStructuredErrorFunc(NULL, quiet_structured);
	xmlResetLastError();
	/* No XML_PARSE_NOENT (entities stay unexpanded), no XML_PARSE_DTDLOAD
	 * or DTDATTR (nothing external is loaded), no network. */
	doc = xmlReadMemory(xml, (int)len, "sts-response.xml", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc) {
		const xmlError *e = xmlGetLastError();
		char msg[160] = "not well-formed XML";

		if (e && e->message) {
			size_t n;

			snprintf(msg, sizeof msg, "not well-formed XML (line %d: %s", e->line,
				 e->message);
			n = strlen(msg);
			while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
				msg[--n] = '\0';
			if (n + 1 < sizeof msg) {
				msg[n] = ')';
				msg[n + 1] = '\0';
			}
		}
		xmlResetLastError();
		return bad(err, action, msg);
	}
	rc = parse_doc(doc, action, out, err);
	wipe_text(doc, doc->children);
	xmlFreeDoc(doc);
	return rc;
}
