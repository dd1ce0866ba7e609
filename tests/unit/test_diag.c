/* test_diag.c: unit tests of sim/diag (accumulated diagnostics, printing, suggestions).
 *
 * Printing is checked byte for byte through open_memstream, including the caret line under
 * tab-indented and UTF-8 source lines. Out-of-memory at each allocation must neither crash
 * nor leak, and must still count the diagnostic.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "diag.h"

/* Print d to a string; the caller frees it. */
static char *print_to_string(const struct diag *d)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	assert_non_null(f);
	diag_print(d, f);
	assert_int_equal(fclose(f), 0);
	return buf;
}

static void assert_printed(const struct diag *d, const char *want)
{
	char *got = print_to_string(d);
	if (strcmp(got, want) != 0)
		print_error("got:\n%s---\nwant:\n%s---\n", got, want);
	assert_string_equal(got, want);
	free(got);
}

static const char scenario[] = "{\n"
			       "\t\"hosts\": [\n"
			       "\t\t{\"instnce_type\": \"m5.large\", \"size\": 01}\n"
			       "\t],\r\n"
			       "\t\"n\xc3\xa9v\": x\n"
			       "}\n";

static void test_print_with_source_and_carets(void **state)
{
	(void)state;
	struct diag d;
	diag_init(&d);
	assert_int_equal(diag_add_source(&d, "scen.json", scenario, sizeof scenario - 1), 0);

	diag_report(&d, DIAG_ERROR, "scen.json", 3, 4, "$.hosts[0]",
		    "unknown field \"%s\" (did you mean \"%s\"?)", "instnce_type", "instance_type");
	diag_report(&d, DIAG_ERROR, "scen.json", 3, 40, "$.hosts[0].size",
		    "invalid number \"%s\" (leading zeros are not allowed)", "01");
	diag_report(&d, DIAG_WARNING, "scen.json", 4, 3, NULL, "trailing comma before '%c'", ']');
	diag_report(&d, DIAG_NOTE, "scen.json", 5, 10, NULL, "column %d is the 'x' after a %d-byte name", 10, 4);
	diag_report(&d, DIAG_ERROR, "scen.json", 2, 0, "$.hosts", "expected %d hosts", 2);
	diag_report(&d, DIAG_ERROR, "scen.json", 0, 7, "$.mirror", "missing field \"qos_timeout\"");
	diag_report(&d, DIAG_WARNING, NULL, 0, 0, NULL, "no seed given: using %d", 1);
	diag_report(&d, DIAG_ERROR, "scen.json", 6, 2, NULL, "unexpected end of input");
	diag_report(&d, DIAG_ERROR, "scen.json", 9, 1, NULL, "past the last line");
	diag_report(&d, DIAG_ERROR, "other.json", 1, 1, NULL, "no source registered");

	assert_int_equal(diag_count(&d), 10);
	assert_int_equal(diag_error_count(&d), 7);
	assert_int_equal(diag_warning_count(&d), 2);
	const struct diag_item *it = diag_item(&d, 1);
	assert_int_equal(it->severity, DIAG_ERROR);
	assert_string_equal(it->file, "scen.json");
	assert_int_equal(it->line, 3);
	assert_int_equal(it->col, 40);
	assert_string_equal(it->path, "$.hosts[0].size");
	assert_string_equal(it->message, "invalid number \"01\" (leading zeros are not allowed)");
	assert_null(diag_item(&d, 6)->file);
	assert_null(diag_item(&d, 10));

	assert_printed(&d,
		"scen.json:3:4: error: $.hosts[0]: unknown field \"instnce_type\" (did you mean \"instance_type\"?)\n"
		" \t\t{\"instnce_type\": \"m5.large\", \"size\": 01}\n"
		" \t\t ^\n"
		"scen.json:3:40: error: $.hosts[0].size: invalid number \"01\" (leading zeros are not allowed)\n"
		" \t\t{\"instnce_type\": \"m5.large\", \"size\": 01}\n"
		" \t\t                                     ^\n"
		"scen.json:4:3: warning: trailing comma before ']'\n"
		" \t],\n" /* the '\r' of "\r\n" is not printed */
		" \t ^\n"
		"scen.json:5:10: note: column 10 is the 'x' after a 4-byte name\n"
		" \t\"n\xc3\xa9v\": x\n"
		" \t       ^\n" /* "né" is 3 bytes but 2 characters: 7 spaces, not 8 */
		"scen.json:2: error: $.hosts: expected 2 hosts\n"
		" \t\"hosts\": [\n"
		"scen.json: error: $.mirror: missing field \"qos_timeout\"\n"
		"warning: no seed given: using 1\n"
		"scen.json:6:2: error: unexpected end of input\n"
		" }\n"
		"  ^\n" /* past the end of the line */
		"scen.json:9:1: error: past the last line\n"
		"other.json:1:1: error: no source registered\n"
		"7 errors, 2 warnings\n");
	diag_release(&d);
	diag_release(&d); /* twice is harmless */
	diag_release(NULL);
}

static void test_summary_rules(void **state)
{
	(void)state;
	struct diag d;
	diag_init(&d);
	assert_printed(&d, "");
	diag_report(&d, DIAG_ERROR, "a.json", 1, 1, NULL, "only one");
	assert_printed(&d, "a.json:1:1: error: only one\n"); /* a single item: no summary */
	diag_report(&d, DIAG_NOTE, "a.json", 2, 1, NULL, "notes do not count");
	assert_printed(&d, "a.json:1:1: error: only one\n"
			   "a.json:2:1: note: notes do not count\n");
	diag_report(&d, DIAG_WARNING, NULL, 0, 0, "$.x", "unused field \"%s\"", "x");
	assert_printed(&d, "a.json:1:1: error: only one\n"
			   "a.json:2:1: note: notes do not count\n"
			   "warning: $.x: unused field \"x\"\n"
			   "1 error, 1 warning\n");
	diag_report(&d, DIAG_ERROR, NULL, 0, 0, NULL, "two");
	char *out = print_to_string(&d);
	assert_non_null(strstr(out, "\n2 errors, 1 warning\n"));
	free(out);
	diag_release(&d);
}

static void test_source_registration(void **state)
{
	(void)state;
	struct diag d;
	diag_init(&d);
	static const char text[] = "line one\nline two"; /* no final newline, not NUL-terminated */
	assert_int_equal(diag_add_source(&d, "f.json", text, 13), 0); /* "line one\nline" */
	diag_report(&d, DIAG_ERROR, "f.json", 2, 5, NULL, "cut short");
	assert_printed(&d, "f.json:2:5: error: cut short\n"
			   " line\n"
			   "     ^\n");
	/* registering the same name again replaces the text */
	assert_int_equal(diag_add_source(&d, "f.json", "x\ny\n", 4), 0);
	assert_printed(&d, "f.json:2:5: error: cut short\n"
			   " y\n"
			   "     ^\n");
	assert_int_equal(d.nsources, 1);
	assert_int_equal(diag_add_source(&d, "empty.json", "", 0), 0);
	diag_report(&d, DIAG_ERROR, "empty.json", 1, 1, NULL, "empty");
	diag_report(&d, DIAG_ERROR, "empty.json", 2, 1, NULL, "no line 2");
	assert_printed(&d, "f.json:2:5: error: cut short\n"
			   " y\n"
			   "     ^\n"
			   "empty.json:1:1: error: empty\n"
			   " \n"
			   " ^\n"
			   "empty.json:2:1: error: no line 2\n"
			   "3 errors, 0 warnings\n");
	diag_release(&d);
}

/* Each allocation failing in turn: nothing crashes or leaks, every report is counted. */
static void test_out_of_memory(void **state)
{
	(void)state;
	int complete = 0;
	for (long budget = 0; budget < 80; budget++) {
		struct diag d;
		diag_init(&d);
		d.alloc_budget = budget;
		int rc = diag_add_source(&d, "m.json", "{}\n", 3);
		assert_true(rc == 0 || rc == -ENOMEM);
		for (int i = 0; i < 12; i++)
			diag_report(&d, i % 3 == 2 ? DIAG_WARNING : DIAG_ERROR, "m.json", 1, 2, "$.p",
				    "problem %d", i);
		assert_int_equal(diag_error_count(&d), 8);
		assert_int_equal(diag_warning_count(&d), 4);
		assert_int_equal(diag_count(&d) + d.lost, 12);
		char *out = print_to_string(&d);
		assert_non_null(strstr(out, "8 errors, 4 warnings\n"));
		if (d.lost) {
			char want[80];
			snprintf(want, sizeof want, "%zu more %s could not be stored (out of memory)\n",
				 d.lost, d.lost == 1 ? "diagnostic" : "diagnostics");
			assert_non_null(strstr(out, want));
		} else {
			complete++;
		}
		free(out);
		diag_release(&d);
	}
	assert_true(complete > 0); /* the budget was eventually large enough */

	struct diag d;
	diag_init(&d);
	d.alloc_budget = 0;
	assert_int_equal(diag_add_source(&d, "m.json", "{}", 2), -ENOMEM);
	diag_report(&d, DIAG_ERROR, NULL, 0, 0, NULL, "lost");
	assert_printed(&d, "1 more diagnostic could not be stored (out of memory)\n");
	diag_release(&d);
}

static void test_suggest(void **state)
{
	(void)state;
	static const char *const fields[] = {"name", "instance_type", "az", "volumes", "qos_timeout",
					     "arbiter", NULL, "size"};
	size_t n = sizeof fields / sizeof fields[0];
	assert_string_equal(diag_suggest("instnce_type", fields, n), "instance_type");
	assert_string_equal(diag_suggest("qos_timout", fields, n), "qos_timeout");
	assert_null(diag_suggest("zzz", fields, n));
	assert_string_equal(diag_suggest("INSTANCE_TYPE", fields, n), "instance_type"); /* case */
	assert_string_equal(diag_suggest("arbitre", fields, n), "arbiter"); /* transposition */
	assert_string_equal(diag_suggest("za", fields, n), "az");           /* transposition */
	assert_string_equal(diag_suggest("sise", fields, n), "size");
	assert_string_equal(diag_suggest("volume", fields, n), "volumes");
	assert_null(diag_suggest("qos", fields, n));      /* limit 1, distance 8 */
	assert_null(diag_suggest("nmae_x", fields, n));   /* limit 2, distance 3 */
	assert_null(diag_suggest("instance", fields, n)); /* limit 2, distance 5 */

	/* ties go to the earliest candidate */
	static const char *const cb[] = {"cat", "bat"};
	static const char *const bc[] = {"bat", "cat"};
	assert_string_equal(diag_suggest("hat", cb, 2), "cat");
	assert_string_equal(diag_suggest("hat", bc, 2), "bat");
	/* but a closer later candidate wins */
	static const char *const near[] = {"timeouts_", "timeout"};
	assert_string_equal(diag_suggest("timeoutx", near, 2), "timeout");

	assert_null(diag_suggest("x", fields, 0));
	assert_null(diag_suggest("x", NULL, 3));
	static const char *const ab[] = {"ab"};
	assert_null(diag_suggest("x", ab, 1));
	assert_string_equal(diag_suggest("a", ab, 1), "ab");
	assert_ptr_equal(diag_suggest("sise", fields, n), fields[7]); /* not a copy */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_print_with_source_and_carets),
		cmocka_unit_test(test_summary_rules),
		cmocka_unit_test(test_source_registration),
		cmocka_unit_test(test_out_of_memory),
		cmocka_unit_test(test_suggest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
