/*
 * test_line_ids.c - the line item fingerprints that find two inputs holding
 * the same line items (sources/line_ids.h): found within the budget and
 * past it (sampled alike in every input), never between disjoint inputs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>

#include "sources/line_ids.h"

static void add_range(cr_line_ids *t, uint32_t input, uint64_t from, uint64_t to)
{
	struct line_id_buf *b = line_ids_buf_new(t, input);

	for (uint64_t i = from; i < to; i++)
		line_ids_add(b, i * UINT64_C(0x9e3779b97f4a7c15) + 7);
	line_ids_buf_done(b);
}

static void test_small_overlap_found(void **state)
{
	cr_line_ids *t = cr_line_ids_new();
	uint32_t a, b;

	(void)state;
	add_range(t, 0, 0, 1000);
	add_range(t, 0, 0, 1000);          /* repeated within one input: fine */
	add_range(t, 1, 1000, 2000);
	assert_false(cr_line_ids_overlap(t, &a, &b));
	add_range(t, 3, 1999, 2000);       /* one line item of input 1 */
	assert_true(cr_line_ids_overlap(t, &a, &b));
	assert_int_equal(a, 1);
	assert_int_equal(b, 3);
	assert_int_equal(cr_line_ids_level(t), 0);
	cr_line_ids_free(t);
}

static void test_past_the_budget(void **state)
{
	cr_line_ids *t = cr_line_ids_new();
	uint32_t a, b;

	(void)state;
	/* three times the budget of distinct line items: the table samples */
	add_range(t, 0, 0, 3 * (uint64_t)CR_LINE_IDS_BUDGET);
	add_range(t, 1, 3 * (uint64_t)CR_LINE_IDS_BUDGET, 3 * (uint64_t)CR_LINE_IDS_BUDGET + 5000);
	assert_true(cr_line_ids_level(t) >= 2);
	assert_false(cr_line_ids_overlap(t, &a, &b));
	/* 2,000 shared line items: missed only if none is in the sample,
	 * a chance of (1 - 2^-level)^2000 */
	add_range(t, 2, 10000, 12000);
	assert_true(cr_line_ids_overlap(t, &a, &b));
	assert_int_equal(a, 0);
	assert_int_equal(b, 2);
	cr_line_ids_free(t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_small_overlap_found),
		cmocka_unit_test(test_past_the_budget),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
