/* xml_util.c - see aws/xml_util.h */
#include "aws/xml_util.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/xmlerror.h>

#include "costrank/buf.h"
#include "costrank/error.h"
#include "costrank/headers.h"

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

xmlDoc *cr_xml_read(const char *xml, size_t len, const char *name, char *msg, size_t size)
{
	xmlDoc *doc;

	snprintf(msg, size, "not well-formed XML");
	if (len == 0 || len > INT_MAX)
		return NULL;
	xmlSetGenericErrorFunc(NULL, quiet_errors);
	xmlSetStructuredErrorFunc(NULL, quiet_structured);
	xmlResetLastError();
	/* No XML_PARSE_NOENT (entities stay unexpanded), no XML_PARSE_DTDLOAD
	 * or DTDATTR (nothing external is loaded), no network. */
	doc = xmlReadMemory(xml, (int)len, name, NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	if (!doc) {
		const xmlError *e = xmlGetLastError();

		if (e && e->message) {
			size_t n;

			snprintf(msg, size, "not well-formed XML (line %d: %s", e->line, e->message);
			n = strlen(msg);
			while (n && (msg[n - 1] == '\n' || msg[n - 1] == ' '))
				msg[--n] = '\0';
			if (n + 1 < size) {
				msg[n] = ')';
				msg[n + 1] = '\0';
			}
		}
		xmlResetLastError();
		return NULL;
	}
	if (doc->intSubset || doc->extSubset) {
		snprintf(msg, size, "document has a DTD");
		xmlFreeDoc(doc);
		return NULL;
	}
	return doc;
}

bool cr_xml_named(const xmlNode *n, const char *name)
{
	return n && n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

xmlNode *cr_xml_child(const xmlNode *parent, const char *name)
{
	if (!parent)
		return NULL;
	for (xmlNode *c = parent->children; c; c = c->next)
		if (cr_xml_named(c, name))
			return c;
	return NULL;
}

char *cr_xml_text(const xmlNode *n)
{
	cr_buf b = CR_BUF_INIT;
	size_t s = 0, e;
	char *t;

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
	t = cr_xstrndup(b.ptr + s, e - s);
	cr_wipe(b.ptr, b.len);
	cr_buf_release(&b);
	return t;
}
