/*
 * xml_util.h - what the AWS XML parsers share (sts_xml.c, s3_xml.c):
 * reading a document safely with libxml2 and walking it by local name.
 *
 * Documents are read without network access, without loading or expanding
 * any entity, and any document that carries a DTD is refused (AWS never
 * sends one: a DTD can only be an attack).  libxml2 prints nothing.
 */
#ifndef COSTRANK_AWS_XML_UTIL_H
#define COSTRANK_AWS_XML_UTIL_H

#include <stdbool.h>
#include <stddef.h>

#include <libxml/tree.h>

/*
 * Parses xml[0..len) (len > 0, at most INT_MAX).  NULL with msg[size]
 * holding the reason ("not well-formed XML (line 3: ...)", "document has
 * a DTD") when it is not a well-formed document without a DTD.
 */
xmlDoc *cr_xml_read(const char *xml, size_t len, const char *name, char *msg, size_t size);

/* Whether n is an element whose local name is name. */
bool cr_xml_named(const xmlNode *n, const char *name);

/* The first child element of parent called name, or NULL. */
xmlNode *cr_xml_child(const xmlNode *parent, const char *name);

/*
 * The text of element n (its text and CDATA children, trimmed), or NULL
 * when n is NULL or holds anything else (an entity reference, child
 * elements).  Owned by the caller; the buffers it went through are wiped.
 */
char *cr_xml_text(const xmlNode *n);

#endif
