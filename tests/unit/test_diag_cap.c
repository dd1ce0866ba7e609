/* test_diag_cap.c: the per-file cap on stored diagnostics (diag.h, DIAG_SHOWN_PER_FILE). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "diag.h"

static char *print_to_string(const struct diag *d)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	assert_non_null(f);
	diag_print(d, f);
	fclose(f);
	return buf;
}

static void test_cap_per_file(void **state)
{
	(void)state;
	struct diag d;
	diag_init(&d);
	for (int i = 0; i < 5100; i++)
		diag_report(&d, DIAG_ERROR, "big.json", 1, 1, "$.regions", "duplicate %d", i);
	for (int i = 0; i < 3; i++) {
		diag_report(&d, DIAG_WARNING, "big.json", 1, 1, NULL, "late warning %d", i);
		diag_report(&d, DIAG_NOTE, NULL, 0, 0, NULL, "note of a hidden item");
	}
	diag_report(&d, DIAG_ERROR, "other.json", 2, 1, NULL, "still shown");
	assert_int_equal(diag_error_count(&d), 5101); /* counted, all of them */
	assert_int_equal(diag_warning_count(&d), 3);
	assert_int_equal(diag_count(&d), DIAG_SHOWN_PER_FILE + 1);
	assert_false(diag_has_room(&d, "big.json"));
	assert_true(diag_has_room(&d, "other.json"));
	assert_true(diag_has_room(&d, "new.json"));
	char *out = print_to_string(&d);
	assert_non_null(strstr(out, "big.json: 5050 more errors not shown\n"));
	assert_non_null(strstr(out, "big.json: 3 more warnings not shown\n"));
	assert_non_null(strstr(out, "still shown"));
	assert_null(strstr(out, "duplicate 50\n"));
	assert_null(strstr(out, "note of a hidden item"));
	assert_non_null(strstr(out, "5101 errors, 3 warnings\n"));
	assert_true(strlen(out) < 8000);
	free(out);
	diag_release(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cap_per_file),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
