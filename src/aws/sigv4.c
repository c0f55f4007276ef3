/* sigv4.c - see costrank/sigv4.h */
#include "costrank/sigv4.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#define ALGORITHM "AWS4-HMAC-SHA256"

static const char hexdigits[] = "0123456789abcdef";
static const char HEXDIGITS[] = "0123456789ABCDEF";

/* ---- hashing ------------------------------------------------------------ */

static void to_hex(const unsigned char *md, size_t n, char *hex)
{
	for (size_t i = 0; i < n; i++) {
		hex[2 * i] = hexdigits[md[i] >> 4];
		hex[2 * i + 1] = hexdigits[md[i] & 15];
	}
	hex[2 * n] = '\0';
}

void cr_sha256_hex(const void *data, size_t len, char *hex)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	if (!EVP_Digest(data ? data : "", len, md, &n, EVP_sha256(), NULL) || n != 32) {
		/* Only a broken OpenSSL gets here; an impossible digest makes
		 * the signature fail at AWS rather than pass. */
		memset(hex, '0', 64);
		hex[64] = '\0';
		return;
	}
	to_hex(md, n, hex);
}

/* out = HMAC-SHA256(key, msg); 0 or -1. */
static int hmac256(const unsigned char *key, size_t key_len, const void *msg, size_t msg_len,
		   unsigned char out[32])
{
	unsigned int n = 0;

	if (!HMAC(EVP_sha256(), key, (int)key_len, msg, msg_len, out, &n) || n != 32)
		return -1;
	return 0;
}

/* ---- encoding ----------------------------------------------------------- */

static bool unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_' || c == '.' || c == '~';
}

void cr_uri_encode(cr_buf *b, const char *s, size_t len, bool keep_slash)
{
	cr_buf_grow(b, len);
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (unreserved(c) || (keep_slash && c == '/')) {
			cr_buf_addc(b, (char)c);
		} else {
			char e[3] = { '%', HEXDIGITS[c >> 4], HEXDIGITS[c & 15] };
			cr_buf_add(b, e, 3);
		}
	}
	if (!b->ptr)
		cr_buf_grow(b, 0);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void cr_uri_decode(cr_buf *b, const char *s, size_t len)
{
	for (size_t i = 0; i < len; i++) {
		int hi, lo;

		if (s[i] == '%' && i + 2 < len &&
		    (hi = hexval(s[i + 1])) >= 0 && (lo = hexval(s[i + 2])) >= 0) {
			cr_buf_addc(b, (char)(hi << 4 | lo));
			i += 2;
		} else {
			cr_buf_addc(b, s[i]);
		}
	}
	if (!b->ptr)
		cr_buf_grow(b, 0);
}

/* ---- canonical URI -------------------------------------------------------- */

void cr_sigv4_canonical_uri(cr_buf *b, const char *path)
{
	const char **seg;
	size_t *seglen;
	size_t nseg = 0, len, start;
	cr_buf norm = CR_BUF_INIT;

	if (!path || !*path) {
		cr_buf_addc(b, '/');
		return;
	}
	len = strlen(path);
	seg = cr_xmalloc((len / 2 + 2) * sizeof *seg);
	seglen = cr_xmalloc((len / 2 + 2) * sizeof *seglen);
	/* Remove dot segments and empty segments (RFC 3986 5.2.4 as the AWS
	 * SDKs apply it, with '//' collapsed). */
	start = 0;
	for (size_t i = 0; i <= len; i++) {
		if (i < len && path[i] != '/')
			continue;
		const char *s = path + start;
		size_t n = i - start;

		start = i + 1;
		if (n == 0 || (n == 1 && s[0] == '.'))
			continue;
		if (n == 2 && s[0] == '.' && s[1] == '.') {
			if (nseg)
				nseg--;
			continue;
		}
		seg[nseg] = s;
		seglen[nseg++] = n;
	}
	if (path[0] == '/')
		cr_buf_addc(&norm, '/');
	for (size_t i = 0; i < nseg; i++) {
		if (i)
			cr_buf_addc(&norm, '/');
		cr_buf_add(&norm, seg[i], seglen[i]);
	}
	if (path[len - 1] == '/' && nseg)
		cr_buf_addc(&norm, '/');
	if (norm.len == 0)
		cr_buf_addc(&norm, '/');
	cr_uri_encode(b, norm.ptr, norm.len, true);
	cr_buf_release(&norm);
	free(seg);
	free(seglen);
}

/* ---- canonical query ------------------------------------------------------ */

struct qpair {
	char *key;    /* encoded */
	char *value;  /* encoded */
};

static int qpair_cmp(const void *a, const void *b)
{
	const struct qpair *x = a, *y = b;
	int c = strcmp(x->key, y->key);

	return c ? c : strcmp(x->value, y->value);
}

/* The canonical encoding of s[0..len): decoded, then encoded. */
static char *recode(const char *s, size_t len)
{
	cr_buf raw = CR_BUF_INIT, enc = CR_BUF_INIT;

	cr_uri_decode(&raw, s, len);
	cr_uri_encode(&enc, raw.ptr, raw.len, false);
	cr_buf_release(&raw);
	return cr_buf_detach(&enc);
}

void cr_sigv4_canonical_query(cr_buf *b, const char *query)
{
	struct qpair *pairs = NULL;
	size_t n = 0, cap = 0;
	const char *p = query;

	if (!b->ptr)
		cr_buf_grow(b, 0);
	if (!query || !*query)
		return;
	while (*p) {
		const char *end = strchr(p, '&');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len) {
			const char *eq = memchr(p, '=', len);
			size_t klen = eq ? (size_t)(eq - p) : len;

			if (n == cap) {
				cap = cap ? cap * 2 : 8;
				pairs = cr_xrealloc(pairs, cap * sizeof *pairs);
			}
			pairs[n].key = recode(p, klen);
			pairs[n].value = eq ? recode(eq + 1, len - klen - 1) : cr_xstrdup("");
			n++;
		}
		p += len;
		if (*p == '&')
			p++;
	}
	if (n)
		qsort(pairs, n, sizeof *pairs, qpair_cmp);
	for (size_t i = 0; i < n; i++) {
		if (i)
			cr_buf_addc(b, '&');
		cr_buf_adds(b, pairs[i].key);
		cr_buf_addc(b, '=');
		cr_buf_adds(b, pairs[i].value);
		free(pairs[i].key);
		free(pairs[i].value);
	}
	free(pairs);
}

/* ---- canonical headers ---------------------------------------------------- */

struct chdr {
	char *name;          /* lower case */
	const char *value;   /* as given */
	size_t order;        /* position in the list: repeated fields keep it */
};

static int chdr_cmp(const void *a, const void *b)
{
	const struct chdr *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	if (c)
		return c;
	return x->order < y->order ? -1 : x->order > y->order;
}

static bool hspace(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

/* Appends value trimmed, inner runs of whitespace collapsed to one space. */
static void add_trimall(cr_buf *b, const char *v)
{
	bool pending = false, any = false;

	for (; *v; v++) {
		if (hspace(*v)) {
			pending = any;
			continue;
		}
		if (pending)
			cr_buf_addc(b, ' ');
		cr_buf_addc(b, *v);
		pending = false;
		any = true;
	}
}

static bool unsigned_header(const char *lname)
{
	static const char *const skip[] = {
		"authorization", "user-agent", "expect", "x-amzn-trace-id",
	};

	for (size_t i = 0; i < sizeof skip / sizeof skip[0]; i++)
		if (strcmp(lname, skip[i]) == 0)
			return true;
	return false;
}

/* Appends the canonical header block (each line ending in '\n') to cr and
 * the signed header list to sh. */
static void canonical_headers(const cr_headers *h, cr_buf *cr, cr_buf *sh)
{
	struct chdr *v = cr_xcalloc(h->n ? h->n : 1, sizeof *v);
	size_t n = 0;

	for (size_t i = 0; i < h->n; i++) {
		const char *name = h->v[i].name;
		size_t len;
		char *lname;

		while (hspace(*name))
			name++;
		len = strlen(name);
		while (len && hspace(name[len - 1]))
			len--;
		lname = cr_xstrndup(name, len);
		for (char *p = lname; *p; p++)
			*p = (char)tolower((unsigned char)*p);
		if (unsigned_header(lname)) {
			free(lname);
			continue;
		}
		v[n].name = lname;
		v[n].value = h->v[i].value;
		v[n].order = i;
		n++;
	}
	if (n)
		qsort(v, n, sizeof *v, chdr_cmp);
	if (!sh->ptr)
		cr_buf_grow(sh, 0);
	for (size_t i = 0; i < n; i++) {
		bool first = i == 0 || strcmp(v[i].name, v[i - 1].name) != 0;

		if (first) {
			if (i)
				cr_buf_addc(cr, '\n');
			cr_buf_adds(cr, v[i].name);
			cr_buf_addc(cr, ':');
			if (sh->len)
				cr_buf_addc(sh, ';');
			cr_buf_adds(sh, v[i].name);
		} else {
			cr_buf_addc(cr, ',');
		}
		add_trimall(cr, v[i].value);
	}
	if (n)
		cr_buf_addc(cr, '\n');
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
}

/* ---- signing -------------------------------------------------------------- */

void cr_sigv4_amz_date(time_t t, char *buf)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, CR_SIGV4_DATE_STRLEN, "%Y%m%dT%H%M%SZ", &tm);
}

static bool valid_amz_date(const char *d)
{
	if (!d || strlen(d) != 16 || d[8] != 'T' || d[15] != 'Z')
		return false;
	for (int i = 0; i < 15; i++)
		if (i != 8 && !isdigit((unsigned char)d[i]))
			return false;
	return true;
}

void cr_sigv4_result_free(cr_sigv4_result *res)
{
	if (!res)
		return;
	free(res->canonical_request);
	free(res->string_to_sign);
	free(res->signed_headers);
	free(res->signature);
	free(res->authorization);
	memset(res, 0, sizeof *res);
}

int cr_sigv4_sign(const cr_sigv4_request *rq, cr_sigv4_result *res, cr_error *err)
{
	cr_buf cr = CR_BUF_INIT, sh = CR_BUF_INIT, sts = CR_BUF_INIT, key = CR_BUF_INIT;
	cr_buf scope = CR_BUF_INIT, auth = CR_BUF_INIT;
	char hash[CR_SHA256_HEX_STRLEN], sig[CR_SHA256_HEX_STRLEN];
	unsigned char k1[32], k2[32];
	const char *payload;
	const cr_aws_credentials *c = rq->creds;
	int rc = -1;

	memset(res, 0, sizeof *res);
	if (!c || !c->access_key_id || !*c->access_key_id || !c->secret_access_key ||
	    !*c->secret_access_key)
		return cr_error_set(err, CR_EXIT_AUTH, "cannot sign an AWS request without an "
				    "access key and a secret key");
	if (!rq->method || !*rq->method || !rq->region || !*rq->region || !rq->service ||
	    !*rq->service || !rq->headers)
		return cr_error_set(err, CR_EXIT_INTERNAL,
				    "SigV4: request lacks a method, region, service or headers");
	if (!valid_amz_date(rq->amz_date))
		return cr_error_set(err, CR_EXIT_INTERNAL,
				    "SigV4: date is not YYYYMMDDTHHMMSSZ");

	if (rq->flags & CR_SIGV4_ADD_DATE)
		cr_headers_set(rq->headers, "X-Amz-Date", rq->amz_date);
	if ((rq->flags & CR_SIGV4_ADD_TOKEN) && c->session_token && *c->session_token)
		cr_headers_set(rq->headers, "X-Amz-Security-Token", c->session_token);
	if (!cr_headers_get(rq->headers, "host"))
		return cr_error_set(err, CR_EXIT_INTERNAL, "SigV4: request has no Host header");

	/* Canonical request. */
	for (const char *m = rq->method; *m; m++)
		cr_buf_addc(&cr, (char)toupper((unsigned char)*m));
	cr_buf_addc(&cr, '\n');
	if (rq->flags & CR_SIGV4_S3_PATH)
		cr_buf_adds(&cr, rq->path && *rq->path ? rq->path : "/");
	else
		cr_sigv4_canonical_uri(&cr, rq->path);
	cr_buf_addc(&cr, '\n');
	cr_sigv4_canonical_query(&cr, rq->query);
	cr_buf_addc(&cr, '\n');
	canonical_headers(rq->headers, &cr, &sh);
	cr_buf_addc(&cr, '\n');
	cr_buf_add(&cr, sh.ptr, sh.len);
	cr_buf_addc(&cr, '\n');
	payload = cr_headers_get(rq->headers, "x-amz-content-sha256");
	if (payload) {
		cr_buf_adds(&cr, payload);
	} else {
		cr_sha256_hex(rq->body, rq->body_len, hash);
		cr_buf_adds(&cr, hash);
	}

	/* String to sign. */
	cr_buf_addf(&scope, "%.8s/%s/%s/aws4_request", rq->amz_date, rq->region, rq->service);
	cr_sha256_hex(cr.ptr, cr.len, hash);
	cr_buf_addf(&sts, ALGORITHM "\n%s\n%s\n%s", rq->amz_date, scope.ptr, hash);

	/* Signing key and signature. */
	cr_buf_adds(&key, "AWS4");
	cr_buf_adds(&key, c->secret_access_key);
	if (hmac256((unsigned char *)key.ptr, key.len, rq->amz_date, 8, k1) < 0 ||
	    hmac256(k1, 32, rq->region, strlen(rq->region), k2) < 0 ||
	    hmac256(k2, 32, rq->service, strlen(rq->service), k1) < 0 ||
	    hmac256(k1, 32, "aws4_request", 12, k2) < 0 ||
	    hmac256(k2, 32, sts.ptr, sts.len, k1) < 0) {
		cr_error_set(err, CR_EXIT_INTERNAL, "SigV4: HMAC-SHA256 failed");
		goto out;
	}
	to_hex(k1, 32, sig);

	cr_buf_addf(&auth, ALGORITHM " Credential=%s/%s, SignedHeaders=%s, Signature=%s",
		    c->access_key_id, scope.ptr, sh.ptr, sig);
	if (rq->flags & CR_SIGV4_ADD_AUTHORIZATION)
		cr_headers_set(rq->headers, "Authorization", auth.ptr);

	res->canonical_request = cr_buf_detach(&cr);
	res->string_to_sign = cr_buf_detach(&sts);
	res->signed_headers = cr_buf_detach(&sh);
	res->signature = cr_xstrdup(sig);
	res->authorization = cr_buf_detach(&auth);
	rc = 0;
out:
	cr_wipe(k1, sizeof k1);
	cr_wipe(k2, sizeof k2);
	cr_wipe(key.ptr, key.len);
	cr_buf_release(&key);
	cr_buf_release(&cr);
	cr_buf_release(&sh);
	cr_buf_release(&sts);
	cr_buf_release(&scope);
	cr_buf_release(&auth);
	return rc;
}
