/*
 * input_seek.h - starting an input inside a file (input.h).
 */
#ifndef COSTRANK_IO_INPUT_SEEK_H
#define COSTRANK_IO_INPUT_SEEK_H

#include <stdint.h>

#include "costrank/error.h"
#include "costrank/input.h"

/*
 * Makes the next cr_input_read start at byte `offset` of a plain regular
 * file (not gzip, not a pipe).  Returns 0, or -1 with err set.
 */
int cr_input_seek(cr_input *in, int64_t offset, cr_error *err);

#endif
