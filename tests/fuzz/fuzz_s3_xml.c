/*
 * fuzz_s3_xml.c - S3 XML answers as a hostile endpoint or proxy might send
 * them: ListObjectsV2 pages (cr_s3_xml_list) and error documents
 * (cr_s3_xml_error).  The first byte chooses the parser; the rest is the
 * body.
 *
 * Invariants: a page parsed gives objects whose URL is "s3://b/" plus a
 * non-empty key without control characters, sizes >= 0, NUL-terminated
 * ETags, and a token when truncated; a failure is a one-line
 * CR_EXIT_REMOTE message naming the place, with nothing owned.  An error
 * document gives a non-empty printable code and printable fields.
 */
#include <string.h>

#include "costrank/error.h"
#include "costrank/s3_xml.h"

#include "fuzz.h"

static int printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *xml = (const char *)data + 1;
	cr_error err;

	if (size < 1)
		return 0;
	size--;
	if (data[0] & 1) {
		cr_s3_error_doc e;

		if (cr_s3_xml_error(xml, size, &e) == 0) {
			FUZZ_CHECK(e.code[0] && printable(e.code));
			FUZZ_CHECK(printable(e.message) && printable(e.region));
		} else {
			FUZZ_CHECK(!e.code[0] && !e.message[0] && !e.region[0]);
		}
		return 0;
	}
	cr_s3_list_page p;

	cr_error_clear(&err);
	if (cr_s3_xml_list(xml, size, "b", "s3://b/p", &p, &err) == 0) {
		FUZZ_CHECK(!p.truncated || (p.next_token && *p.next_token));
		for (size_t i = 0; i < p.n; i++) {
			FUZZ_CHECK(strncmp(p.objs[i].url, "s3://b/", 7) == 0);
			FUZZ_CHECK(p.objs[i].url[7] != '\0' && printable(p.objs[i].url));
			FUZZ_CHECK(p.objs[i].size >= 0);
			FUZZ_CHECK(memchr(p.objs[i].etag, '\0', sizeof p.objs[i].etag) != NULL);
		}
		cr_s3_list_page_free(&p);
		FUZZ_CHECK(p.objs == NULL && p.n == 0 && p.next_token == NULL);
	} else {
		FUZZ_CHECK(err.code == CR_EXIT_REMOTE);
		FUZZ_CHECK(strncmp(err.msg, "s3://b/p: ", 10) == 0);
		FUZZ_CHECK(strchr(err.msg, '\n') == NULL);
		FUZZ_CHECK(p.objs == NULL && p.n == 0 && p.next_token == NULL);
	}
	return 0;
}
