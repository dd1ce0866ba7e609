/* test_svc.c: the request seam (models/api/svc.h): done fires once with the cause given,
 * a join completes its parent after the last child with the first failure, causes have
 * names and client visibility from the one X-macro map. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "svc.h"

static int done_calls, done_cause;
static struct svc_req *done_req;

static void on_done(struct svc_req *req, int cause)
{
	done_calls++;
	done_cause = cause;
	done_req = req;
}

static void reset(void)
{
	done_calls = 0;
	done_cause = -1;
	done_req = NULL;
}

static void test_complete_once(void **state)
{
	(void)state;
	reset();
	int work = 7;
	struct svc_req r;
	svc_req_init(&r, 3, NULL, on_done, &work);
	assert_false(r.completed);
	svc_complete(&r, CAUSE_NOT_PRIMARY);
	assert_int_equal(done_calls, 1);
	assert_int_equal(done_cause, CAUSE_NOT_PRIMARY);
	assert_ptr_equal(done_req, &r);
	assert_ptr_equal(r.data, &work);
	assert_int_equal(r.type, 3);
	assert_true(r.completed);
}

static void test_join_first_failure_after_last_child(void **state)
{
	(void)state;
	reset();
	struct svc_req parent;
	svc_req_init(&parent, 1, NULL, on_done, NULL);
	struct svc_join j;
	svc_join_init(&j, &parent, 3);
	assert_false(svc_join_child_done(&j, SVC_OK));
	assert_false(svc_join_child_done(&j, CAUSE_TIMEOUT));
	assert_int_equal(done_calls, 0); /* not before the last child */
	assert_true(svc_join_child_done(&j, CAUSE_NO_PRIMARY));
	assert_int_equal(done_calls, 1);
	assert_int_equal(done_cause, CAUSE_TIMEOUT); /* the first failure wins */
	assert_ptr_equal(done_req, &parent);
}

static void test_join_all_ok(void **state)
{
	(void)state;
	reset();
	struct svc_req parent;
	svc_req_init(&parent, 1, NULL, on_done, NULL);
	struct svc_join j;
	svc_join_init(&j, &parent, 2);
	svc_join_child_done(&j, SVC_OK);
	assert_true(svc_join_child_done(&j, SVC_OK));
	assert_int_equal(done_calls, 1);
	assert_int_equal(done_cause, SVC_OK);
}

static void test_cause_map(void **state)
{
	(void)state;
	assert_null(svc_cause_name(SVC_OK));
	assert_null(svc_cause_name(CAUSE_COUNT));
	assert_string_equal(svc_cause_name(CAUSE_TIMEOUT), "timeout");
	assert_string_equal(svc_cause_name(CAUSE_SERVER_BUSY), "server_busy");
	assert_true(svc_cause_client_visible(CAUSE_NOT_PRIMARY));
	assert_false(svc_cause_client_visible(CAUSE_NO_ANSWER)); /* a signal between models */
	for (int c = 1; c < CAUSE_COUNT; c++) {
		assert_non_null(svc_cause_name(c));
		assert_non_null(svc_cause_help(c));
		for (int d = 1; d < c; d++)
			assert_string_not_equal(svc_cause_name(c), svc_cause_name(d));
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_complete_once),
		cmocka_unit_test(test_join_first_failure_after_last_child),
		cmocka_unit_test(test_join_all_ok),
		cmocka_unit_test(test_cause_map),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
