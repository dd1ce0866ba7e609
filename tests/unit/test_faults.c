/* test_faults: the fault-kind table (models/faults/faults.[ch]).
 *
 * Everything about a kind is generated from its row of FAULT_KIND_MAP: the enum, the JSON
 * names, the target each kind names, the parameters it reads and the `kind` field's help
 * that `topsim schema` prints. These tests check that the generated lists agree with each
 * other and with the field table, so that a new row cannot leave one of them behind.
 */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "faults.h"

static const struct field *field_named(const struct field_table *t, const char *name)
{
	for (size_t i = 0; i < t->count; i++)
		if (strcmp(t->fields[i].name, name) == 0)
			return &t->fields[i];
	fail_msg("no field %s", name);
	return NULL;
}

static void test_kind_lists(void **state)
{
	(void)state;
	size_t n = 0;
	while (fault_kind_names[n])
		n++;
	assert_int_equal(n, FAULT_KIND_COUNT);
	assert_string_equal(fault_kind_names[FAULT_HOST_CRASH], "host_crash");
	assert_string_equal(fault_kind_names[FAULT_BACKUP_FREEZE], "backup_freeze");
	const struct field *kind = field_named(&fault_config_table, "kind");
	assert_ptr_equal(kind->enum_names, fault_kind_names);
	for (int k = 0; k < FAULT_KIND_COUNT; k++) {
		assert_true(fault_kind_target[k] < FAULT_TARGET_COUNT);
		assert_string_equal(fault_kind_targets[k], fault_target_names[fault_kind_target[k]]);
		/* The help names every kind with its target: "NAME: TARGET". */
		char entry[160];
		snprintf(entry, sizeof(entry), "%s: %s", fault_kind_names[k], fault_kind_targets[k]);
		assert_non_null(strstr(kind->help, entry));
	}
	assert_int_equal(strncmp(kind->help, "host_crash: host; iris_hang: host; ", 35), 0);
	assert_null(fault_kind_targets[FAULT_KIND_COUNT]);
}

/* Each parameter field's help starts with the kinds that read it, and only those. */
static void test_reads_match_field_help(void **state)
{
	(void)state;
	static const struct {
		unsigned bit;
		const char *field;
	} params[] = {{FAULT_READS_BETWEEN, "between"},
		      {FAULT_READS_DIRECTION, "direction"},
		      {FAULT_READS_LATENCY_FACTOR, "latency_factor"},
		      {FAULT_READS_IOPS_FACTOR, "iops_factor"},
		      {FAULT_READS_PROBABILITY, "probability"},
		      {FAULT_READS_LOSS, "loss"}};
	for (size_t p = 0; p < sizeof(params) / sizeof(params[0]); p++) {
		const char *help = field_named(&fault_config_table, params[p].field)->help;
		const char *colon = strchr(help, ':');
		assert_non_null(colon);
		char readers[200];
		snprintf(readers, sizeof(readers), "%.*s", (int)(colon - help), help);
		for (int k = 0; k < FAULT_KIND_COUNT; k++) {
			bool reads = fault_kind_reads[k] & params[p].bit;
			bool named = strstr(readers, fault_kind_names[k]) != NULL;
			if (reads != named)
				fail_msg("%s: help names \"%s\", kind %s %s it", params[p].field,
					 readers, fault_kind_names[k], reads ? "reads" : "does not read");
		}
	}
}

static void test_classes(void **state)
{
	(void)state;
	size_t n = 0;
	while (fault_class_names[n])
		n++;
	assert_int_equal(n, FAULT_CLASS_COUNT);
	assert_int_equal(fault_class_kind[FAULT_CLASS_HOST], FAULT_HOST_CRASH);
	assert_int_equal(fault_class_kind[FAULT_CLASS_VOLUME], FAULT_VOLUME_FAILURE);
	assert_int_equal(fault_class_kind[FAULT_CLASS_AZ], FAULT_AZ_OUTAGE);
	assert_int_equal(fault_class_kind[FAULT_CLASS_REGION], FAULT_REGION_OUTAGE);
	assert_int_equal(fault_class_kind[FAULT_CLASS_LINK], FAULT_PARTITION);
	/* A component's failure needs no parameters: its kind reads none, but for a link's
	 * partition its two sides (the component itself). */
	for (int c = 0; c < FAULT_CLASS_COUNT; c++)
		assert_int_equal(fault_kind_reads[fault_class_kind[c]] &
					 ~(c == FAULT_CLASS_LINK ? FAULT_READS_BETWEEN | FAULT_READS_DIRECTION : 0u),
				 0);
}

/* Aiming: empty lists aim at every component of the class; roles, hosts and purposes
 * narrow it; a host class never aims at a volume nor a volume class at a host. */
static void test_aiming(void **state)
{
	(void)state;
	char *data[] = {"data"}, *two[] = {"iris-a", "arbiter"}, *db[] = {"db", "journal"};
	struct stochastic_fault_config c = {.class_ = FAULT_CLASS_HOST};
	assert_true(stochastic_fault_aims(&c, "web-1", "web", NULL));
	assert_false(stochastic_fault_aims(&c, "web-1", "web", "db"));
	c.roles = data;
	c.role_count = 1;
	assert_true(stochastic_fault_aims(&c, "iris-a", "data", NULL));
	assert_false(stochastic_fault_aims(&c, "arbiter", "arbiter", NULL));
	c.hosts = two;
	c.host_count = 2;
	assert_true(stochastic_fault_aims(&c, "iris-a", "data", NULL));
	assert_false(stochastic_fault_aims(&c, "iris-b", "data", NULL));
	struct stochastic_fault_config v = {.class_ = FAULT_CLASS_VOLUME, .purposes = db,
					    .purpose_count = 2};
	assert_false(stochastic_fault_aims(&v, "iris-a", "data", NULL));
	assert_true(stochastic_fault_aims(&v, "iris-a", "data", "journal"));
	assert_false(stochastic_fault_aims(&v, "iris-a", "data", "sys"));
	struct stochastic_fault_config az = {.class_ = FAULT_CLASS_AZ};
	assert_true(stochastic_fault_aims(&az, NULL, NULL, NULL));
	/* Sourced defaults: positive, a source each, volumes rarer than hosts. */
	for (int k = 0; k < FAULT_CLASS_COUNT; k++) {
		assert_true(fault_class_default_mtbf_h[k] > fault_class_default_mttr_h[k]);
		assert_non_null(strstr(fault_class_default_source[k], ".md"));
	}
	assert_true(fault_class_default_mtbf_h[FAULT_CLASS_VOLUME] >
		    fault_class_default_mtbf_h[FAULT_CLASS_HOST]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_kind_lists),
		cmocka_unit_test(test_reads_match_field_help),
		cmocka_unit_test(test_classes),
		cmocka_unit_test(test_aiming),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
