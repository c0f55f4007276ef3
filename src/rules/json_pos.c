/* json_pos.c - see costrank/json_pos.h */
#include "costrank/json_pos.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "costrank/buf.h"
#include "costrank/error.h"

#define MAX_DEPTH 2048

struct scanner {
	const char *p, *end;
	int line, column;          /* of *p */
	int depth;
};

static int peek(const struct scanner *sc)
{
	return sc->p < sc->end ? (unsigned char)*sc->p : -1;
}

static void advance(struct scanner *sc)
{
	unsigned char c = (unsigned char)*sc->p++;

	if (c == '\n') {
		sc->line++;
		sc->column = 1;
	} else if ((c & 0xC0) != 0x80) {
		sc->column++;   /* continuation bytes belong to the character counted */
	}
}

static cr_json_pos here(const struct scanner *sc)
{
	cr_json_pos pos = { sc->line, sc->column };
	return pos;
}

static void skip_space(struct scanner *sc)
{
	for (int c = peek(sc); c == ' ' || c == '\t' || c == '\n' || c == '\r'; c = peek(sc))
		advance(sc);
}

static bool expect(struct scanner *sc, const char *word)
{
	for (; *word; word++) {
		if (peek(sc) != (unsigned char)*word)
			return false;
		advance(sc);
	}
	return true;
}

static int hex4(struct scanner *sc, unsigned *out)
{
	unsigned v = 0;

	for (int i = 0; i < 4; i++) {
		int c = peek(sc);
		if (c >= '0' && c <= '9')
			v = v << 4 | (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v << 4 | (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v = v << 4 | (unsigned)(c - 'A' + 10);
		else
			return -1;
		advance(sc);
	}
	*out = v;
	return 0;
}

static void put_utf8(cr_buf *b, unsigned cp)
{
	if (cp < 0x80) {
		cr_buf_addc(b, (char)cp);
	} else if (cp < 0x800) {
		cr_buf_addc(b, (char)(0xC0 | cp >> 6));
		cr_buf_addc(b, (char)(0x80 | (cp & 0x3F)));
	} else if (cp < 0x10000) {
		cr_buf_addc(b, (char)(0xE0 | cp >> 12));
		cr_buf_addc(b, (char)(0x80 | (cp >> 6 & 0x3F)));
		cr_buf_addc(b, (char)(0x80 | (cp & 0x3F)));
	} else {
		cr_buf_addc(b, (char)(0xF0 | cp >> 18));
		cr_buf_addc(b, (char)(0x80 | (cp >> 12 & 0x3F)));
		cr_buf_addc(b, (char)(0x80 | (cp >> 6 & 0x3F)));
		cr_buf_addc(b, (char)(0x80 | (cp & 0x3F)));
	}
}

/* A string at the opening quote; its unescaped text goes to out when not NULL. */
static int scan_string(struct scanner *sc, cr_buf *out)
{
	advance(sc);                    /* the opening quote */
	for (;;) {
		int c = peek(sc);
		if (c < 0 || c < 0x20)
			return -1;
		if (c == '"') {
			advance(sc);
			return 0;
		}
		if (c != '\\') {
			if (out)
				cr_buf_addc(out, (char)c);
			advance(sc);
			continue;
		}
		advance(sc);
		c = peek(sc);
		if (c < 0)
			return -1;
		advance(sc);
		switch (c) {
		case '"': case '\\': case '/':
			if (out)
				cr_buf_addc(out, (char)c);
			break;
		case 'b': if (out) cr_buf_addc(out, '\b'); break;
		case 'f': if (out) cr_buf_addc(out, '\f'); break;
		case 'n': if (out) cr_buf_addc(out, '\n'); break;
		case 'r': if (out) cr_buf_addc(out, '\r'); break;
		case 't': if (out) cr_buf_addc(out, '\t'); break;
		case 'u': {
			unsigned cp, lo;
			if (hex4(sc, &cp))
				return -1;
			if (cp >= 0xD800 && cp <= 0xDBFF) {
				if (!expect(sc, "\\u") || hex4(sc, &lo) || lo < 0xDC00 || lo > 0xDFFF)
					return -1;
				cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
			} else if (cp >= 0xDC00 && cp <= 0xDFFF) {
				return -1;
			}
			if (out)
				put_utf8(out, cp);
			break;
		}
		default:
			return -1;
		}
	}
}

static bool is_digit(int c)
{
	return c >= '0' && c <= '9';
}

static int scan_number(struct scanner *sc)
{
	if (peek(sc) == '-')
		advance(sc);
	if (peek(sc) == '0') {
		advance(sc);
	} else if (is_digit(peek(sc))) {
		while (is_digit(peek(sc)))
			advance(sc);
	} else {
		return -1;
	}
	if (peek(sc) == '.') {
		advance(sc);
		if (!is_digit(peek(sc)))
			return -1;
		while (is_digit(peek(sc)))
			advance(sc);
	}
	if (peek(sc) == 'e' || peek(sc) == 'E') {
		advance(sc);
		if (peek(sc) == '+' || peek(sc) == '-')
			advance(sc);
		if (!is_digit(peek(sc)))
			return -1;
		while (is_digit(peek(sc)))
			advance(sc);
	}
	return 0;
}

static void node_release(cr_json_node *n)
{
	for (size_t i = 0; i < n->n; i++)
		node_release(&n->v[i]);
	free(n->v);
	free(n->key);
}

static void append(cr_json_node *parent, size_t *cap, const cr_json_node *child)
{
	if (parent->n == *cap) {
		*cap = *cap ? *cap * 2 : 4;
		parent->v = cr_xrealloc(parent->v, *cap * sizeof *parent->v);
	}
	parent->v[parent->n++] = *child;
}

static int scan_value(struct scanner *sc, cr_json_node *out);

static int scan_members(struct scanner *sc, cr_json_node *obj)
{
	size_t cap = 0;

	advance(sc);                    /* '{' */
	skip_space(sc);
	if (peek(sc) == '}') {
		advance(sc);
		return 0;
	}
	for (;;) {
		cr_json_node child;
		cr_buf key = CR_BUF_INIT;
		cr_json_pos key_pos = here(sc);

		if (peek(sc) != '"' || scan_string(sc, &key)) {
			cr_buf_release(&key);
			return -1;
		}
		skip_space(sc);
		if (peek(sc) != ':') {
			cr_buf_release(&key);
			return -1;
		}
		advance(sc);
		skip_space(sc);
		if (scan_value(sc, &child)) {
			cr_buf_release(&key);
			return -1;
		}
		child.key = cr_buf_detach(&key);
		child.key_pos = key_pos;
		append(obj, &cap, &child);
		skip_space(sc);
		if (peek(sc) == '}') {
			advance(sc);
			return 0;
		}
		if (peek(sc) != ',')
			return -1;
		advance(sc);
		skip_space(sc);
	}
}

static int scan_elements(struct scanner *sc, cr_json_node *arr)
{
	size_t cap = 0;

	advance(sc);                    /* '[' */
	skip_space(sc);
	if (peek(sc) == ']') {
		advance(sc);
		return 0;
	}
	for (;;) {
		cr_json_node child;

		if (scan_value(sc, &child))
			return -1;
		append(arr, &cap, &child);
		skip_space(sc);
		if (peek(sc) == ']') {
			advance(sc);
			return 0;
		}
		if (peek(sc) != ',')
			return -1;
		advance(sc);
		skip_space(sc);
	}
}

/* Scans the value at the current position into *out (left empty on failure). */
static int scan_value(struct scanner *sc, cr_json_node *out)
{
	int c = peek(sc), rc;

	memset(out, 0, sizeof *out);
	out->pos = here(sc);
	switch (c) {
	case '{':
	case '[':
		if (++sc->depth > MAX_DEPTH)
			return -1;
		out->kind = c == '{' ? CR_JSON_OBJECT : CR_JSON_ARRAY;
		rc = c == '{' ? scan_members(sc, out) : scan_elements(sc, out);
		sc->depth--;
		if (rc) {
			node_release(out);
			memset(out, 0, sizeof *out);
		}
		return rc;
	case '"':
		out->kind = CR_JSON_STRING;
		return scan_string(sc, NULL);
	case 't':
		out->kind = CR_JSON_TRUE;
		return expect(sc, "true") ? 0 : -1;
	case 'f':
		out->kind = CR_JSON_FALSE;
		return expect(sc, "false") ? 0 : -1;
	case 'n':
		out->kind = CR_JSON_NULL;
		return expect(sc, "null") ? 0 : -1;
	default:
		out->kind = CR_JSON_NUMBER;
		return scan_number(sc);
	}
}

cr_json_node *cr_json_pos_scan(const char *text, size_t len)
{
	struct scanner sc = { text, text + len, 1, 1, 0 };
	cr_json_node *root = cr_xcalloc(1, sizeof *root);

	if (!text)
		goto fail;
	skip_space(&sc);
	if (scan_value(&sc, root))
		goto fail;
	skip_space(&sc);
	if (sc.p != sc.end)
		goto fail;
	return root;
fail:
	cr_json_pos_free(root);
	return NULL;
}

const cr_json_node *cr_json_pos_member(const cr_json_node *obj, const char *key)
{
	if (!obj || obj->kind != CR_JSON_OBJECT || !key)
		return NULL;
	for (size_t i = 0; i < obj->n; i++)
		if (strcmp(obj->v[i].key, key) == 0)
			return &obj->v[i];
	return NULL;
}

const cr_json_node *cr_json_pos_element(const cr_json_node *arr, size_t i)
{
	if (!arr || arr->kind != CR_JSON_ARRAY || i >= arr->n)
		return NULL;
	return &arr->v[i];
}

void cr_json_pos_free(cr_json_node *root)
{
	if (!root)
		return;
	node_release(root);
	free(root);
}
