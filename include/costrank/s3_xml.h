/*
 * s3_xml.h - S3 XML responses: a ListObjectsV2 page and error documents.
 *
 *   <ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">
 *     <IsTruncated>true</IsTruncated>
 *     <NextContinuationToken>1ueGcxLPRx1Tr/XYExHnhbYLgveDs2J/wm36Hy4vbOwM=</NextContinuationToken>
 *     <EncodingType>url</EncodingType>
 *     <Contents><Key>cur/a%20b.csv.gz</Key><LastModified>2026-11-02T08:00:00.000Z</LastModified>
 *       <ETag>"9b2cf535f27731c974343645a3985328"</ETag><Size>1234</Size></Contents>
 *   </ListBucketResult>
 *
 *   <Error><Code>NoSuchKey</Code><Message>...</Message><Key>...</Key>
 *     <Region>eu-west-1</Region><RequestId>...</RequestId></Error>
 *
 * Read through aws/xml_util (no network, no entities, no DTD).  With
 * <EncodingType>url</EncodingType> keys are decoded as S3 encodes them
 * (%XX, and '+' for a space).  A key that is
 * empty, longer than 1024 bytes or holds a control character, a Size that
 * is not a whole number, a LastModified that is not ISO 8601 or an ETag
 * longer than 79 bytes make the page malformed.
 */
#ifndef COSTRANK_S3_XML_H
#define COSTRANK_S3_XML_H

#include <stdbool.h>
#include <stddef.h>

#include "costrank/error.h"
#include "costrank/s3.h"

typedef struct cr_s3_list_page {
	cr_s3_object *objs;   /* malloced, in the page's order; url is
	                         "s3://BUCKET/KEY" */
	size_t n;
	bool truncated;       /* IsTruncated */
	char *next_token;     /* NextContinuationToken, or NULL */
} cr_s3_list_page;

/*
 * Parses a ListObjectsV2 answer for bucket into the empty *out.  Returns 0,
 * or -1 with *out empty and err set (CR_EXIT_REMOTE, "WHERE: malformed
 * ListObjectsV2 answer: ...", one line).  A truncated page must carry a
 * continuation token.
 */
int cr_s3_xml_list(const char *xml, size_t len, const char *bucket, const char *where,
		   cr_s3_list_page *out, cr_error *err);
void cr_s3_list_page_free(cr_s3_list_page *p);

typedef struct cr_s3_xml_error {
	char code[64];      /* "NoSuchKey"; printable ASCII */
	char message[256];  /* control characters blanked, cut with "..." */
	char region[64];    /* <Region> of a redirect, or "" */
} cr_s3_error_doc;

/* Reads an <Error> document into *out.  0 when it is one with a Code,
 * else -1 (*out all empty). */
int cr_s3_xml_error(const char *xml, size_t len, cr_s3_error_doc *out);

#endif
