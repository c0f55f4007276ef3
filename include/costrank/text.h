/*
 * text.h - UTF-8 sequences and the characters that must not reach a
 * terminal or a report from the data: shared by the writers and the chat
 * payloads (report/render.h, cr_render_clean) and by error messages
 * (cr_error_set).
 */
#ifndef COSTRANK_TEXT_H
#define COSTRANK_TEXT_H

#include <stdbool.h>
#include <stddef.h>

/* Length of the well-formed UTF-8 sequence at s (n bytes left), 0 if none. */
size_t cr_text_utf8_len(const unsigned char *s, size_t n);

/* Whether the well-formed k-byte sequence at p is a C1 control (U+0080..
 * U+009F) or a bidirectional control (U+061C, U+200E, U+200F,
 * U+202A..U+202E, U+2066..U+2069), which would reverse the rest of a line. */
bool cr_text_is_c1_or_bidi(const unsigned char *p, size_t k);

#endif
