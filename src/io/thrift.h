/*
 * thrift.h - reading the Thrift compact protocol, as Parquet stores its
 * footer and page headers.  A bounded cursor over bytes: every read checks
 * the end, and a malformed or truncated structure sets `bad` and makes
 * every later read return zero, so callers check once at the end.
 */
#ifndef COSTRANK_IO_THRIFT_H
#define COSTRANK_IO_THRIFT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	TC_STOP = 0, TC_TRUE = 1, TC_FALSE = 2, TC_BYTE = 3, TC_I16 = 4, TC_I32 = 5,
	TC_I64 = 6, TC_DOUBLE = 7, TC_BINARY = 8, TC_LIST = 9, TC_SET = 10,
	TC_MAP = 11, TC_STRUCT = 12
};

#define TC_MAX_DEPTH 32

typedef struct tc_reader {
	const uint8_t *p, *end;
	bool bad;
	int depth;
} tc_reader;

static inline uint64_t tc_varint(tc_reader *t)
{
	uint64_t v = 0;

	for (int shift = 0; shift < 70 && t->p < t->end; shift += 7) {
		uint8_t b = *t->p++;
		if (shift < 64)
			v |= (uint64_t)(b & 0x7f) << shift;
		if (!(b & 0x80))
			return v;
	}
	t->bad = true;
	t->p = t->end;
	return 0;
}

static inline int64_t tc_i64(tc_reader *t)
{
	uint64_t v = tc_varint(t);
	return (int64_t)(v >> 1) ^ -(int64_t)(v & 1);
}

/* An i32, which must fit. */
static inline int32_t tc_i32(tc_reader *t)
{
	int64_t v = tc_i64(t);
	if (v < INT32_MIN || v > INT32_MAX) {
		t->bad = true;
		return 0;
	}
	return (int32_t)v;
}

/* A binary or string: its bytes stay in the buffer. */
static inline const uint8_t *tc_binary(tc_reader *t, size_t *len)
{
	uint64_t n = tc_varint(t);
	const uint8_t *s = t->p;

	if (t->bad || n > (uint64_t)(t->end - t->p)) {
		t->bad = true;
		t->p = t->end;
		*len = 0;
		return NULL;
	}
	t->p += n;
	*len = (size_t)n;
	return s;
}

/* The next field header of a struct: its type (TC_STOP at the end or on
 * error) and id (relative to *last). */
static inline int tc_field(tc_reader *t, int *id, int *last)
{
	uint8_t b;
	int type, delta;

	if (t->bad || t->p >= t->end) {
		t->bad = true;
		return TC_STOP;
	}
	b = *t->p++;
	type = b & 0x0f;
	delta = b >> 4;
	if (type == TC_STOP)
		return TC_STOP;
	if (delta)
		*id = *last + delta;
	else
		*id = (int)tc_i64(t);
	*last = *id;
	return type;
}

/* A list header: element type and count (bounded by the bytes left). */
static inline int tc_list(tc_reader *t, uint32_t *n)
{
	uint8_t b;
	uint64_t size;

	if (t->bad || t->p >= t->end) {
		t->bad = true;
		*n = 0;
		return TC_STOP;
	}
	b = *t->p++;
	size = b >> 4;
	if (size == 15)
		size = tc_varint(t);
	/* every element takes at least one byte, but bools and empty structs */
	if (size > (uint64_t)(t->end - t->p) + 1 || size > UINT32_MAX) {
		t->bad = true;
		*n = 0;
		return TC_STOP;
	}
	*n = (uint32_t)size;
	return b & 0x0f;
}

static inline void tc_skip(tc_reader *t, int type);

static inline void tc_skip_struct(tc_reader *t)
{
	int id = 0, last = 0, type;

	if (++t->depth > TC_MAX_DEPTH) {
		t->bad = true;
		return;
	}
	while (!t->bad && (type = tc_field(t, &id, &last)) != TC_STOP)
		tc_skip(t, type);
	t->depth--;
}

/* Skips a value of the given type (a field's or a list element's). */
static inline void tc_skip(tc_reader *t, int type)
{
	size_t len;
	uint32_t n;

	switch (type) {
	case TC_TRUE: case TC_FALSE:
		break;
	case TC_BYTE:
		if (t->p >= t->end)
			t->bad = true;
		else
			t->p++;
		break;
	case TC_I16: case TC_I32: case TC_I64:
		tc_varint(t);
		break;
	case TC_DOUBLE:
		if (t->end - t->p < 8)
			t->bad = true;
		else
			t->p += 8;
		break;
	case TC_BINARY:
		tc_binary(t, &len);
		break;
	case TC_LIST: case TC_SET: {
		int et = tc_list(t, &n);
		if (++t->depth > TC_MAX_DEPTH) {
			t->bad = true;
			return;
		}
		for (uint32_t i = 0; i < n && !t->bad; i++)
			tc_skip(t, et == TC_TRUE || et == TC_FALSE ? TC_BYTE : et);
		t->depth--;
		break;
	}
	case TC_MAP: {
		uint64_t size = tc_varint(t);
		uint8_t kv;
		if (size == 0)
			break;
		if (t->p >= t->end || size > (uint64_t)(t->end - t->p)) {
			t->bad = true;
			return;
		}
		kv = *t->p++;
		if (++t->depth > TC_MAX_DEPTH) {
			t->bad = true;
			return;
		}
		for (uint64_t i = 0; i < size && !t->bad; i++) {
			tc_skip(t, kv >> 4);
			tc_skip(t, kv & 0x0f);
		}
		t->depth--;
		break;
	}
	case TC_STRUCT:
		tc_skip_struct(t);
		break;
	default:
		t->bad = true;
		break;
	}
}

#endif
