/*
 * sts_xml.h - AWS STS responses (AssumeRole, AssumeRoleWithWebIdentity).
 *
 *   <AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
 *     <AssumeRoleResult>
 *       <Credentials>
 *         <AccessKeyId>ASIA...</AccessKeyId>
 *         <SecretAccessKey>...</SecretAccessKey>
 *         <SessionToken>...</SessionToken>
 *         <Expiration>2026-10-05T12:00:00Z</Expiration>
 *       </Credentials>
 *       <AssumedRoleUser><Arn>arn:aws:sts::...</Arn>...</AssumedRoleUser>
 *     </AssumeRoleResult>
 *   </AssumeRoleResponse>
 *
 *   <ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code>
 *     <Message>...</Message></Error><RequestId>...</RequestId></ErrorResponse>
 *
 * Parsed with libxml2 without network access, without loading or expanding
 * any entity, and refusing any document that carries a DTD (STS never sends
 * one: a DTD can only be an attack).  Elements are matched by local name,
 * whatever their namespace.  libxml2 prints nothing.
 */
#ifndef COSTRANK_STS_XML_H
#define COSTRANK_STS_XML_H

#include <stddef.h>

#include "costrank/credentials.h"
#include "costrank/error.h"

typedef struct cr_sts_response {
	cr_aws_credentials creds;  /* on success; expiration parsed */
	char *assumed_role_arn;    /* on success, when present; owned */
	char *error_code;          /* on an ErrorResponse; owned */
	char *error_message;       /* on an ErrorResponse (may be NULL); owned */
} cr_sts_response;

#define CR_STS_RESPONSE_INIT { CR_AWS_CREDENTIALS_INIT, NULL, NULL, NULL }

/*
 * Parses xml[0..len), the body of an STS response for action
 * ("AssumeRole" or "AssumeRoleWithWebIdentity": the document element must
 * be <ACTIONResponse> or <ErrorResponse>).  Returns 0 with out->creds
 * complete (access key, secret, session token and expiration), 1 with
 * out->error_code (and error_message) for an ErrorResponse, or -1 with err
 * set (CR_EXIT_REMOTE): not XML, a DTD, an unexpected document element,
 * missing or empty credential fields, a bad expiration.  *out must be
 * CR_STS_RESPONSE_INIT; release it with cr_sts_response_clear.
 */
int cr_sts_xml_parse(const char *xml, size_t len, const char *action, cr_sts_response *out,
		     cr_error *err);

/* Wipes and frees every field; out is CR_STS_RESPONSE_INIT afterwards. */
void cr_sts_response_clear(cr_sts_response *out);

#endif
