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
#include "aws/xml_util.h"

#define STS_XML_MAX (1u << 20)

void cr_sts_response_clear(cr_sts_response *out)
{
	cr_aws_credentials_clear(&out->creds);
	free(out->assumed_role_arn);
	free(out->error_code);
	free(out->error_message);
	out->assumed_role_arn = out->error_code = out->error_message = NULL;
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
	char *t = cr_xml_text(cr_xml_child(creds, name));

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

	if (!root)
		return bad(err, action, "no document element");
	if (cr_xml_named(root, "ErrorResponse")) {
		xmlNode *e = cr_xml_child(root, "Error");
		char *code = cr_xml_text(cr_xml_child(e, "Code"));

		if (!code || !*code) {
			free(code);
			return bad(err, action, "ErrorResponse without an error code");
		}
		out->error_code = code;
		out->error_message = cr_xml_text(cr_xml_child(e, "Message"));
		return 1;
	}
	snprintf(want_root, sizeof want_root, "%sResponse", action);
	snprintf(want_result, sizeof want_result, "%sResult", action);
	if (!cr_xml_named(root, want_root))
		return cr_error_set(err, CR_EXIT_REMOTE,
				    "STS %s: malformed response: document element is <%.64s>, "
				    "expected <%s> or <ErrorResponse>", action,
				    (const char *)root->name, want_root);
	result = cr_xml_child(root, want_result);
	if (!result)
		return cr_error_set(err, CR_EXIT_REMOTE, "STS %s: malformed response: no <%s>",
				    action, want_result);
	creds = cr_xml_child(result, "Credentials");
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
	user = cr_xml_child(result, "AssumedRoleUser");
	out->assumed_role_arn = cr_xml_text(cr_xml_child(user, "Arn"));
	return 0;
fail:
	cr_sts_response_clear(out);
	return -1;
}

int cr_sts_xml_parse(const char *xml, size_t len, const char *action, cr_sts_response *out,
		     cr_error *err)
{
	xmlDoc *doc;
	char msg[160];
	int rc;

	if (len > STS_XML_MAX)
		return bad(err, action, "larger than 1 MiB");
	if (len == 0)
		return bad(err, action, "empty body");
	doc = cr_xml_read(xml, len, "sts-response.xml", msg, sizeof msg);
	if (!doc)
		return bad(err, action, msg);
	rc = parse_doc(doc, action, out, err);
	wipe_text(doc, doc->children);
	xmlFreeDoc(doc);
	return rc;
}
