/*
 * json_pos.h - where things are in a JSON text.
 *
 * jansson gives a line and column only for syntax errors.  To report a
 * semantic problem at its place ("rules.json:12:18: ..."), the text is
 * scanned once more into a tree that holds, for every value, the position
 * of its first character and, for object members, the position of the
 * key's opening quote.  Values themselves are left to jansson.
 *
 *   cr_json_node *root = cr_json_pos_scan(text, len);
 *   const cr_json_node *rules = cr_json_pos_member(root, "rules");
 *   const cr_json_node *r0 = cr_json_pos_element(rules, 0);
 *   printf("%d:%d\n", r0->pos.line, r0->pos.column);
 *   cr_json_pos_free(root);
 *
 * Lines and columns count from 1 and columns count characters (UTF-8
 * sequences), as jansson's error positions do; only '\n' ends a line.
 */
#ifndef COSTRANK_JSON_POS_H
#define COSTRANK_JSON_POS_H

#include <stddef.h>

typedef struct cr_json_pos {
	int line, column;          /* 0, 0 when unknown */
} cr_json_pos;

enum cr_json_kind {
	CR_JSON_OBJECT, CR_JSON_ARRAY, CR_JSON_STRING, CR_JSON_NUMBER,
	CR_JSON_TRUE, CR_JSON_FALSE, CR_JSON_NULL
};

typedef struct cr_json_node {
	enum cr_json_kind kind;
	char *key;                 /* member name, unescaped; NULL for elements and the root */
	cr_json_pos key_pos;       /* the key's opening quote; 0:0 when not a member */
	cr_json_pos pos;           /* the value's first character */
	struct cr_json_node *v;    /* members or elements, in text order */
	size_t n;
} cr_json_node;

/*
 * Scans a complete JSON text (one value, whitespace around it).  Returns the
 * root, or NULL when the text is not valid JSON or nests deeper than 2048
 * levels (parse it with jansson first for a message).
 */
cr_json_node *cr_json_pos_scan(const char *text, size_t len);

/* The first member named key of an object node; NULL when absent, when
 * obj is NULL or not an object. */
const cr_json_node *cr_json_pos_member(const cr_json_node *obj, const char *key);

/* Element i of an array node; NULL when out of range or not an array. */
const cr_json_node *cr_json_pos_element(const cr_json_node *arr, size_t i);

void cr_json_pos_free(cr_json_node *root);

#endif
