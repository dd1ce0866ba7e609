/* test_nameindex.c: the sorted name index behind the scenario checks (nameindex.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nameindex.h"

static void test_first_id_of_each_name(void **state)
{
	(void)state;
	struct nameindex x;
	nameindex_init(&x);
	const char *names[] = {"db-b", "db-a", "arb", "db-a", NULL, "", "db-b", "db-a"};
	for (size_t i = 0; i < 8; i++)
		assert_int_equal(nameindex_add(&x, names[i], i), 0);
	assert_int_equal(nameindex_first(&x, "db-a"), 1);
	assert_int_equal(nameindex_first(&x, "db-b"), 0);
	assert_int_equal(nameindex_first(&x, "arb"), 2);
	assert_int_equal(nameindex_first(&x, "db-c"), NAMEINDEX_NONE);
	assert_int_equal(nameindex_first(&x, ""), NAMEINDEX_NONE); /* "" is never indexed */
	assert_int_equal(nameindex_first(&x, NULL), NAMEINDEX_NONE);
	assert_true(nameindex_has(&x, "arb"));
	assert_false(nameindex_has(&x, "ar"));
	/* Adding after a lookup sorts again. */
	assert_int_equal(nameindex_add(&x, "aaa", 9), 0);
	assert_int_equal(nameindex_first(&x, "aaa"), 9);
	assert_int_equal(nameindex_first(&x, "db-a"), 1);
	nameindex_release(&x);
	nameindex_release(&x); /* twice is harmless */
	nameindex_release(NULL);
}

static void test_contains_pairs(void **state)
{
	(void)state;
	struct nameindex x;
	nameindex_init(&x);
	nameindex_add(&x, "db", 3);
	nameindex_add(&x, "jrn", 3);
	nameindex_add(&x, "db", 7);
	assert_true(nameindex_contains(&x, "db", 3));
	assert_true(nameindex_contains(&x, "db", 7));
	assert_false(nameindex_contains(&x, "db", 5));
	assert_false(nameindex_contains(&x, "jrn", 7));
	assert_false(nameindex_contains(&x, NULL, 3));
	nameindex_release(&x);
}

static void test_names_in_order_of_first_id(void **state)
{
	(void)state;
	struct nameindex x;
	nameindex_init(&x);
	nameindex_add(&x, "zeta", 0);
	nameindex_add(&x, "alpha", 1);
	nameindex_add(&x, "zeta", 2);
	nameindex_add(&x, "mid", 3);
	size_t n = 0;
	const char **names = nameindex_names(&x, &n);
	assert_non_null(names);
	assert_int_equal(n, 3);
	assert_string_equal(names[0], "zeta");
	assert_string_equal(names[1], "alpha");
	assert_string_equal(names[2], "mid");
	assert_null(names[3]);
	free(names);
	nameindex_release(&x);
}

/* Many duplicates stay fast: n log n, not n^2 (200,000 entries well under a second). */
static void test_many_duplicates(void **state)
{
	(void)state;
	struct nameindex x;
	nameindex_init(&x);
	char (*buf)[16] = calloc(200000, sizeof(*buf));
	assert_non_null(buf);
	for (size_t i = 0; i < 200000; i++) {
		snprintf(buf[i], sizeof(buf[i]), "n%zu", i % 1000);
		assert_int_equal(nameindex_add(&x, buf[i], i), 0);
	}
	size_t dups = 0;
	for (size_t i = 0; i < 200000; i++)
		dups += nameindex_first(&x, buf[i]) != i;
	assert_int_equal(dups, 199000);
	nameindex_release(&x);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_id_of_each_name),
		cmocka_unit_test(test_contains_pairs),
		cmocka_unit_test(test_names_in_order_of_first_id),
		cmocka_unit_test(test_many_duplicates),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
