/*
 * fuzz_baseline.c - the --baseline report (cr_baseline_parse).
 *
 * Invariants: an error is CR_EXIT_INPUT, one line, naming the input; a
 * loaded baseline has no more proposals than the text has bytes.
 */
#include "costrank/error.h"
#include "costrank/realised.h"

#include "fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cr_baseline *b;
	cr_error err;

	cr_error_clear(&err);
	b = cr_baseline_parse((const char *)data, size, "baseline.json", &err);
	if (!b) {
		FUZZ_CHECK(err.code == CR_EXIT_INPUT);
		FUZZ_CHECK(strncmp(err.msg, "baseline.json", 13) == 0);
		FUZZ_CHECK(strchr(err.msg, '\n') == NULL);
		return 0;
	}
	FUZZ_CHECK(cr_baseline_count(b) <= size);
	cr_baseline_free(b);
	return 0;
}
