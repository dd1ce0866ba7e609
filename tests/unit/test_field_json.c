/* test_field_json.c: unit tests of sim/field_json (field tables against JSON).
 *
 * - Every table reachable from scenario_config_table: its defaults fill without error and
 *   every default, min and max text parses with its field's type and unit (a table is code:
 *   a typo in "8 s" must fail here, not in front of a user).
 * - A private test table exercising every field type: defaults, bounds, unknown keys with a
 *   suggestion, wrong JSON types, distributions (object forms of every kind, the string
 *   shorthand, empirical points), string lists from one string, arrays, nested objects.
 *   Messages and JSON paths are asserted exactly (diag_item()->message, ->path).
 * - field_release frees everything (run under ASan and valgrind).
 * - field_schema_json is valid JSON naming every table in "$defs"; the Markdown names every
 *   field of every table.
 *
 * Tests marked BUG expect the documented or evidently intended behaviour and fail with the
 * current sim/ code; they are listed in the report that added this file.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "diag.h"
#include "field_json.h"
#include "fields.h"
#include "jsondoc.h"
#include "rng.h"
#include "scenario.h"
#include "units.h"

/* cmocka before 1.1.6 has no assert_double_equal. */
#define assert_near(a, b, eps)                                                           \
	do {                                                                             \
		double a_ = (a), b_ = (b);                                               \
		if (!(fabs(a_ - b_) <= (eps)))                                           \
			fail_msg("%s = %.17g, expected %.17g", #a, a_, b_);              \
	} while (0)

/* ---- tables reachable from the scenario root -------------------------------------------- */

#define MAX_TABLES 128

static size_t reachable_tables(const struct field_table *root, const struct field_table **out)
{
	size_t n = 0;
	out[n++] = root;
	for (size_t i = 0; i < n; i++)
		for (size_t k = 0; k < out[i]->count; k++) {
			const struct field_table *sub = out[i]->fields[k].sub;
			bool seen = false;
			for (size_t j = 0; sub && j < n; j++)
				seen |= out[j] == sub;
			if (sub && !seen) {
				assert_true(n < MAX_TABLES);
				out[n++] = sub;
			}
		}
	return n;
}

/* Parse a bound or default text the way field_json does for the field's type. */
static int parse_text(const struct field *f, const char *text, char *err, size_t size)
{
	double v;
	sim_time t;
	switch (f->type) {
	case FIELD_DURATION:
		return units_parse_duration(text, &t, err, size);
	case FIELD_QUANTITY:
		return units_parse(f->units, text, &v, err, size);
	case FIELD_INT:
	case FIELD_NUMBER:
		return units_parse(UNITS_NUMBER, text, &v, err, size);
	default:
		snprintf(err, size, "no text form");
		return -EINVAL;
	}
}

static void test_scenario_tables_defaults_parse(void **state)
{
	(void)state;
	const struct field_table *tables[MAX_TABLES];
	size_t n = reachable_tables(&scenario_config_table, tables);
	assert_true(n >= 10);
	for (size_t i = 0; i < n; i++) {
		const struct field_table *t = tables[i];
		assert_non_null(t->name);
		void *obj = malloc(t->size);
		assert_non_null(obj);
		int rc = field_defaults(t, obj);
		if (rc != 0)
			fail_msg("table \"%s\": field_defaults returned %d", t->name, rc);
		field_release(t, obj);
		free(obj);

		for (size_t k = 0; k < t->count; k++) {
			const struct field *f = &t->fields[k];
			char err[UNITS_ERR_SIZE] = "";
			assert_non_null(f->name);
			assert_non_null(f->help);
			if ((f->type == FIELD_OBJECT || f->type == FIELD_ARRAY) && !f->sub)
				fail_msg("%s.%s: no sub-table", t->name, f->name);
			if (f->type == FIELD_ENUM) {
				assert_non_null(f->enum_names);
				if (f->def) {
					bool found = false;
					for (size_t e = 0; f->enum_names[e]; e++)
						found |= strcmp(f->enum_names[e], f->def) == 0;
					if (!found)
						fail_msg("%s.%s: default \"%s\" is not a name", t->name,
							 f->name, f->def);
				}
			}
			if (f->type == FIELD_BOOL && f->def)
				assert_true(strcmp(f->def, "true") == 0 || strcmp(f->def, "false") == 0);
			if (f->flags & FIELD_REQUIRED)
				if (f->def)
					fail_msg("%s.%s: required and defaulted", t->name, f->name);
			const char *texts[3] = {f->def, f->min, f->max};
			const char *what[3] = {"default", "min", "max"};
			for (int j = 0; j < 3; j++) {
				if (!texts[j])
					continue;
				if (f->type == FIELD_DIST) {
					/* Only a duration distribution may have a bound (its own cap,
					 * beyond int64 ns: units_parse_seconds); defaults are checked
					 * by field_defaults above. */
					if (j == 2 && f->units == UNITS_DURATION) {
						double cap;
						char err[UNITS_ERR_SIZE];
						assert_int_equal(units_parse_seconds(texts[j], &cap, err,
										     sizeof(err)), 0);
						assert_true(cap > 0);
					} else {
						assert_int_equal(j, 0);
					}
					continue;
				}
				if (f->type == FIELD_STRING || f->type == FIELD_ENUM ||
				    f->type == FIELD_BOOL) {
					assert_int_equal(j, 0);
					continue;
				}
				if (parse_text(f, texts[j], err, sizeof(err)) != 0)
					fail_msg("%s.%s: %s \"%s\" does not parse: %s", t->name, f->name,
						 what[j], texts[j], err);
			}
		}
	}
}

/* The root table, filled with defaults, then released, leaks nothing. */
static void test_scenario_defaults_release(void **state)
{
	(void)state;
	struct scenario_config cfg;
	assert_int_equal(field_defaults(&scenario_config_table, &cfg), 0);
	assert_int_equal(cfg.seed, 1);
	assert_int_equal(cfg.duration, (sim_time)3600 * 1000000000);
	assert_int_equal(cfg.replications, 1);
	assert_int_equal(cfg.host_count, 0);
	assert_null(cfg.hosts);
	field_release(&scenario_config_table, &cfg);
	field_release(&scenario_config_table, NULL); /* no-op */
}

/* ---- a private table covering every field type ------------------------------------------- */

struct inner {
	char *name;
	sim_time limit;
};

static const struct field inner_fields[] = {
	{FIELD_AT(struct inner, name), .type = FIELD_STRING, .flags = FIELD_REQUIRED,
	 .help = "name"},
	{FIELD_AT(struct inner, limit), .type = FIELD_DURATION, .def = "5s", .help = "limit"},
};
static const struct field_table inner_table =
	FIELD_TABLE_OF("inner", "An inner object.", struct inner, inner_fields);

struct tcfg {
	bool flag;
	int64_t count;
	double ratio;
	char *label;
	int mode;
	sim_time timeout;
	double size;
	double frac;
	struct rng_dist delay;
	struct rng_dist bytes;
	struct rng_dist reads;
	struct inner sub;
	struct inner *items;
	size_t item_count;
	char **tags;
	size_t tag_count;
};

static const char *const mode_names[] = {"fast", "slow", NULL};

static const struct field tcfg_fields[] = {
	{FIELD_AT(struct tcfg, flag), .type = FIELD_BOOL, .def = "true", .help = "flag"},
	{FIELD_AT(struct tcfg, count), .type = FIELD_INT, .def = "3", .min = "1", .max = "10",
	 .help = "count"},
	{FIELD_AT(struct tcfg, ratio), .type = FIELD_NUMBER, .def = "1.5", .min = "0", .max = "2",
	 .help = "ratio"},
	{FIELD_AT(struct tcfg, label), .type = FIELD_STRING, .def = "hello", .help = "label"},
	{FIELD_AT(struct tcfg, mode), .type = FIELD_ENUM, .enum_names = mode_names, .def = "slow",
	 .help = "mode"},
	{FIELD_AT(struct tcfg, timeout), .type = FIELD_DURATION, .def = "8s", .min = "100ms",
	 .max = "1h", .help = "timeout"},
	{FIELD_AT(struct tcfg, size), .type = FIELD_QUANTITY, .units = UNITS_SIZE, .def = "4MiB",
	 .min = "1KiB", .max = "16GiB", .help = "size"},
	{FIELD_AT(struct tcfg, frac), .type = FIELD_QUANTITY, .units = UNITS_FRACTION,
	 .def = "95%", .min = "0", .max = "1", .help = "fraction"},
	{FIELD_AT(struct tcfg, delay), .type = FIELD_DIST, .units = UNITS_DURATION,
	 .def = "{\"kind\": \"uniform\", \"min\": \"1s\", \"max\": \"5s\"}", .help = "delay"},
	{FIELD_AT(struct tcfg, bytes), .type = FIELD_DIST, .units = UNITS_SIZE, .def = "4KiB",
	 .help = "bytes"},
	{FIELD_AT(struct tcfg, reads), .type = FIELD_DIST, .units = UNITS_NUMBER,
	 .def = "{\"kind\": \"exponential\", \"mean\": 4}", .help = "reads"},
	{FIELD_AT(struct tcfg, sub), .type = FIELD_OBJECT, .sub = &inner_table, .help = "sub"},
	{FIELD_LIST_AT(struct tcfg, items, item_count), .type = FIELD_ARRAY, .sub = &inner_table,
	 .help = "items"},
	{FIELD_LIST_AT(struct tcfg, tags, tag_count), .type = FIELD_STRING_LIST, .help = "tags"},
};
static const struct field_table tcfg_table =
	FIELD_TABLE_OF("test", "The test table.", struct tcfg, tcfg_fields);

/* Parse text against table t into out, errors into d (initialised here). */
static int parse_json(const struct field_table *t, const char *text, void *out, struct diag *d)
{
	cJSON *json = cJSON_Parse(text);
	if (!json)
		fail_msg("test JSON does not parse: %s", text);
	diag_init(d);
	struct field_ctx ctx = {.diag = d, .file = "t.json"};
	int errors = field_parse(t, json, out, &ctx, "$");
	cJSON_Delete(json);
	return errors;
}

/* Assert item i is an error with this path and message. */
static void expect_error(const struct diag *d, size_t i, const char *path, const char *message)
{
	const struct diag_item *it = diag_item(d, i);
	if (!it)
		fail_msg("no diagnostic #%zu (have %zu), expected %s: %s", i, diag_count(d), path,
			 message);
	assert_int_equal(it->severity, DIAG_ERROR);
	if (path)
		assert_string_equal(it->path, path);
	assert_string_equal(it->message, message);
}

/* One field that must give exactly one error with this path and message. Everything is
 * released before asserting, so a failing case leaks nothing. */
static void expect_one_error(const char *json, const char *path, const char *message)
{
	struct tcfg c;
	struct diag d;
	char got_path[512] = "", got_msg[512] = "";
	int errors = parse_json(&tcfg_table, json, &c, &d);
	size_t count = diag_count(&d);
	bool is_error = count > 0 && diag_item(&d, 0)->severity == DIAG_ERROR;
	if (count > 0) {
		snprintf(got_path, sizeof(got_path), "%s", diag_item(&d, 0)->path);
		snprintf(got_msg, sizeof(got_msg), "%s", diag_item(&d, 0)->message);
	}
	for (size_t i = 0; count != 1 && i < count; i++)
		print_message("  %s: %s\n", diag_item(&d, i)->path, diag_item(&d, i)->message);
	/* The config is still fully initialised and releasable. */
	field_release(&tcfg_table, &c);
	diag_release(&d);
	if (errors != 1 || count != 1)
		fail_msg("%s: %d errors, %zu diagnostics; expected 1", json, errors, count);
	assert_true(is_error);
	assert_string_equal(got_path, path);
	assert_string_equal(got_msg, message);
}

static void test_defaults_filled(void **state)
{
	(void)state;
	struct tcfg c;
	struct diag d;
	memset(&c, 0xa5, sizeof(c)); /* prior content is ignored */
	assert_int_equal(parse_json(&tcfg_table, "{}", &c, &d), 0);
	assert_int_equal(diag_count(&d), 0);
	assert_true(c.flag);
	assert_int_equal(c.count, 3);
	assert_near(c.ratio, 1.5, 0);
	assert_string_equal(c.label, "hello");
	assert_int_equal(c.mode, 1);
	assert_int_equal(c.timeout, (sim_time)8000000000);
	assert_near(c.size, 4194304.0, 0);
	assert_near(c.frac, 0.95, 1e-15);
	assert_int_equal(c.delay.kind, RNG_DIST_UNIFORM);
	assert_near(c.delay.u.uniform.a, 1.0, 1e-12); /* durations held in seconds */
	assert_near(c.delay.u.uniform.b, 5.0, 1e-12);
	assert_int_equal(c.bytes.kind, RNG_DIST_DETERMINISTIC);
	assert_near(c.bytes.u.deterministic.value, 4096.0, 0);
	assert_int_equal(c.reads.kind, RNG_DIST_EXPONENTIAL);
	assert_near(c.reads.u.exponential.mean, 4.0, 0);
	assert_null(c.sub.name); /* a required field of an absent object: no value */
	assert_int_equal(c.sub.limit, (sim_time)5000000000);
	assert_null(c.items);
	assert_int_equal(c.item_count, 0);
	assert_null(c.tags);
	assert_int_equal(c.tag_count, 0);
	field_release(&tcfg_table, &c);
	assert_null(c.label);
	diag_release(&d);
}

static void test_values_parsed(void **state)
{
	(void)state;
	struct tcfg c;
	struct diag d;
	assert_int_equal(
		parse_json(&tcfg_table,
			   "{\"flag\": false, \"count\": 10, \"ratio\": 0, \"label\": \"x\","
			   " \"mode\": \"fast\", \"timeout\": \"1m30s\", \"size\": \"0.1GB\","
			   " \"frac\": 0.5, \"sub\": {\"name\": \"s\", \"limit\": \"250ms\"},"
			   " \"items\": [{\"name\": \"a\"}, {\"name\": \"b\", \"limit\": \"1h\"}],"
			   " \"tags\": [\"p\", \"q\"]}",
			   &c, &d),
		0);
	assert_int_equal(diag_count(&d), 0);
	assert_false(c.flag);
	assert_int_equal(c.count, 10); /* bounds are inclusive */
	assert_near(c.ratio, 0, 0);
	assert_string_equal(c.label, "x");
	assert_int_equal(c.mode, 0);
	assert_int_equal(c.timeout, (sim_time)90 * 1000000000);
	assert_near(c.size, 1e8, 0);
	assert_near(c.frac, 0.5, 0);
	assert_string_equal(c.sub.name, "s");
	assert_int_equal(c.sub.limit, (sim_time)250000000);
	assert_int_equal(c.item_count, 2);
	assert_string_equal(c.items[0].name, "a");
	assert_int_equal(c.items[0].limit, (sim_time)5000000000); /* element defaults */
	assert_string_equal(c.items[1].name, "b");
	assert_int_equal(c.items[1].limit, (sim_time)3600 * 1000000000);
	assert_int_equal(c.tag_count, 2);
	assert_string_equal(c.tags[0], "p");
	assert_string_equal(c.tags[1], "q");
	field_release(&tcfg_table, &c);
	assert_null(c.items);
	assert_int_equal(c.item_count, 0);
	assert_null(c.tags);
	diag_release(&d);

	/* Percent spelling of a fraction. */
	assert_int_equal(parse_json(&tcfg_table, "{\"frac\": \"99.5%\"}", &c, &d), 0);
	assert_near(c.frac, 0.995, 1e-15);
	field_release(&tcfg_table, &c);
	diag_release(&d);
}

static void test_string_list_from_one_string(void **state)
{
	(void)state;
	struct tcfg c;
	struct diag d;
	assert_int_equal(parse_json(&tcfg_table, "{\"tags\": \"only\"}", &c, &d), 0);
	assert_int_equal(c.tag_count, 1);
	assert_string_equal(c.tags[0], "only");
	field_release(&tcfg_table, &c);
	diag_release(&d);

	assert_int_equal(parse_json(&tcfg_table, "{\"tags\": []}", &c, &d), 0);
	assert_int_equal(c.tag_count, 0);
	field_release(&tcfg_table, &c);
	diag_release(&d);

	expect_one_error("{\"tags\": [\"a\", 2]}", "$.tags[1]", "expected a string, got a number");
	expect_one_error("{\"tags\": {}}", "$.tags", "expected an array of strings, got an object");
}

static void test_bounds(void **state)
{
	(void)state;
	expect_one_error("{\"count\": 11}", "$.count", "11 is above the maximum 10");
	expect_one_error("{\"count\": 0}", "$.count", "0 is below the minimum 1");
	expect_one_error("{\"ratio\": -1}", "$.ratio", "-1 is below the minimum 0");
	expect_one_error("{\"timeout\": \"50ms\"}", "$.timeout",
			 "\"50ms\" is below the minimum 100ms");
	expect_one_error("{\"timeout\": \"2h\"}", "$.timeout", "\"2h\" is above the maximum 1h");
	expect_one_error("{\"size\": \"100B\"}", "$.size", "\"100B\" is below the minimum 1KiB");
	expect_one_error("{\"size\": \"17GiB\"}", "$.size", "\"17GiB\" is above the maximum 16GiB");

	/* The value at the bound is accepted; a bad value leaves the default in place. */
	struct tcfg c;
	struct diag d;
	assert_int_equal(parse_json(&tcfg_table, "{\"timeout\": \"100ms\", \"count\": 99}", &c, &d),
			 1);
	assert_int_equal(c.timeout, (sim_time)100000000);
	assert_int_equal(c.count, 3);
	field_release(&tcfg_table, &c);
	diag_release(&d);
}

/* BUG (sim/field_json.c number_text): a JSON number is shown with "%.17g", so 2.1 reads
 * "2.1000000000000001" in the message instead of the number the user wrote. */
static void test_bounds_number_shown_as_written(void **state)
{
	(void)state;
	expect_one_error("{\"ratio\": 2.1}", "$.ratio", "2.1 is above the maximum 2");
}

static void test_unknown_key_with_suggestion(void **state)
{
	(void)state;
	expect_one_error("{\"cuont\": 3}", "$.cuont", "unknown key \"cuont\" in test (did you mean "
						      "\"count\"?)");
	expect_one_error("{\"zzzzzzzz\": 3}", "$.zzzzzzzz", "unknown key \"zzzzzzzz\" in test");
	expect_one_error("{\"sub\": {\"name\": \"a\", \"limt\": \"1s\"}}", "$.sub.limt",
			 "unknown key \"limt\" in inner (did you mean \"limit\"?)");
	expect_one_error("{\"mode\": \"fsat\"}", "$.mode",
			 "unknown value \"fsat\" (expected one of: fast, slow) (did you mean "
			 "\"fast\"?)");

	/* Every error of the object in one pass: unknown keys first, then fields in table
	 * order. */
	struct tcfg c;
	struct diag d;
	assert_int_equal(parse_json(&tcfg_table,
				    "{\"timeout\": \"1x\", \"zz\": 1, \"count\": \"3\", \"flagg\": true}",
				    &c, &d),
			 4);
	assert_int_equal(diag_count(&d), 4);
	assert_string_equal(diag_item(&d, 0)->path, "$.zz");
	assert_string_equal(diag_item(&d, 1)->path, "$.flagg");
	assert_string_equal(diag_item(&d, 1)->message,
			    "unknown key \"flagg\" in test (did you mean \"flag\"?)");
	expect_error(&d, 2, "$.count", "expected an integer, got a string");
	assert_string_equal(diag_item(&d, 3)->path, "$.timeout");
	assert_string_equal(diag_item(&d, 3)->file, "t.json"); /* ctx->file without a locator */
	assert_int_equal(diag_item(&d, 3)->line, 0);
	field_release(&tcfg_table, &c);
	diag_release(&d);
}

static void test_wrong_types(void **state)
{
	(void)state;
	char msg[512];
	expect_one_error("{\"flag\": \"yes\"}", "$.flag", "expected true or false, got a string");
	expect_one_error("{\"count\": 2.5}", "$.count", "expected an integer, got 2.5");
	expect_one_error("{\"count\": true}", "$.count", "expected an integer, got a boolean");
	expect_one_error("{\"ratio\": \"1\"}", "$.ratio", "expected a number, got a string");
	expect_one_error("{\"label\": 3}", "$.label", "expected a string, got a number");
	expect_one_error("{\"mode\": null}", "$.mode", "expected a string, got null");
	snprintf(msg, sizeof(msg), "expected a duration such as %s, got an array",
		 units_kind_example(UNITS_DURATION));
	expect_one_error("{\"timeout\": [1]}", "$.timeout", msg);
	snprintf(msg, sizeof(msg), "expected a size such as %s, got a boolean",
		 units_kind_example(UNITS_SIZE));
	expect_one_error("{\"size\": true}", "$.size", msg);
	expect_one_error("{\"sub\": []}", "$.sub", "expected an object, got an array");
	expect_one_error("{\"items\": {}}", "$.items", "expected an array of objects, got an object");
	expect_one_error("{\"items\": [{\"name\": \"a\"}, 5]}", "$.items[1]",
			 "expected an object, got a number");
	expect_one_error("{\"items\": [{\"limit\": \"1s\"}]}", "$.items[0]",
			 "missing required field \"name\" in inner");

	/* A root that is not an object. */
	struct tcfg c;
	struct diag d;
	assert_int_equal(parse_json(&tcfg_table, "[]", &c, &d), 1);
	expect_error(&d, 0, "$", "expected an object, got an array");
	field_release(&tcfg_table, &c);
	diag_release(&d);
}

/* Bare numbers are refused where a unit is needed, with the unit parser's explanation; the
 * message is exactly what units_parse says about the same text. */
static void test_bare_numbers_refused(void **state)
{
	(void)state;
	char err[UNITS_ERR_SIZE];
	sim_time t;
	double v;
	assert_int_equal(units_parse_duration("8", &t, err, sizeof(err)), -EINVAL);
	expect_one_error("{\"timeout\": 8}", "$.timeout", err);
	assert_int_equal(units_parse(UNITS_SIZE, "100", &v, err, sizeof(err)), -EINVAL);
	expect_one_error("{\"size\": 100}", "$.size", err);
	assert_int_equal(units_parse_duration("8 sec", &t, err, sizeof(err)), -EINVAL);
	expect_one_error("{\"timeout\": \"8 sec\"}", "$.timeout", err);
	assert_non_null(strstr(err, "8 sec"));
}

/* ---- distributions --------------------------------------------------------------------- */

static void parse_ok(const char *json, struct tcfg *c)
{
	struct diag d;
	int errors = parse_json(&tcfg_table, json, c, &d);
	if (errors) {
		for (size_t i = 0; i < diag_count(&d); i++)
			print_message("  %s: %s\n", diag_item(&d, i)->path, diag_item(&d, i)->message);
		fail_msg("%s: %d errors", json, errors);
	}
	diag_release(&d);
}

static void test_dist_object_forms(void **state)
{
	(void)state;
	struct tcfg c;

	parse_ok("{\"delay\": {\"kind\": \"exponential\", \"mean\": \"2ms\"}}", &c);
	assert_int_equal(c.delay.kind, RNG_DIST_EXPONENTIAL);
	assert_near(c.delay.u.exponential.mean, 0.002, 1e-15);
	field_release(&tcfg_table, &c);

	parse_ok("{\"delay\": {\"kind\": \"deterministic\", \"value\": \"1h\"}}", &c);
	assert_int_equal(c.delay.kind, RNG_DIST_DETERMINISTIC);
	assert_near(c.delay.u.deterministic.value, 3600, 1e-9);
	field_release(&tcfg_table, &c);

	parse_ok("{\"delay\": {\"kind\": \"uniform\", \"min\": \"10ms\", \"max\": \"30ms\"}}", &c);
	assert_int_equal(c.delay.kind, RNG_DIST_UNIFORM);
	assert_near(c.delay.u.uniform.a, 0.010, 1e-15);
	assert_near(c.delay.u.uniform.b, 0.030, 1e-15);
	field_release(&tcfg_table, &c);

	parse_ok("{\"delay\": {\"kind\": \"normal\", \"mean\": \"1s\", \"sd\": \"100ms\"}}", &c);
	assert_int_equal(c.delay.kind, RNG_DIST_NORMAL);
	assert_near(c.delay.u.normal.mean, 1, 1e-15);
	assert_near(c.delay.u.normal.sd, 0.1, 1e-15);
	field_release(&tcfg_table, &c);

	parse_ok("{\"delay\": {\"kind\": \"lognormal\", \"median\": \"1ms\", \"p99\": \"5ms\"}}", &c);
	assert_int_equal(c.delay.kind, RNG_DIST_LOGNORMAL);
	assert_near(c.delay.u.lognormal.mu, log(0.001), 1e-12);
	assert_near(c.delay.u.lognormal.sigma, log(5.0) / 2.3263478740408408, 1e-9);
	field_release(&tcfg_table, &c);

	parse_ok("{\"delay\": {\"kind\": \"lognormal\", \"mu\": -6.9, \"sigma\": 0.5}}", &c);
	assert_int_equal(c.delay.kind, RNG_DIST_LOGNORMAL);
	assert_near(c.delay.u.lognormal.mu, -6.9, 0);
	assert_near(c.delay.u.lognormal.sigma, 0.5, 0);
	field_release(&tcfg_table, &c);

	parse_ok("{\"delay\": {\"kind\": \"gamma\", \"shape\": 2, \"scale\": \"500ms\"}}", &c);
	assert_int_equal(c.delay.kind, RNG_DIST_GAMMA);
	assert_near(c.delay.u.gamma.shape, 2, 0);
	assert_near(c.delay.u.gamma.scale, 0.5, 1e-15);
	field_release(&tcfg_table, &c);

	parse_ok("{\"delay\": {\"kind\": \"weibull\", \"shape\": 1.5, \"scale\": \"30d\"}}", &c);
	assert_int_equal(c.delay.kind, RNG_DIST_WEIBULL);
	assert_near(c.delay.u.weibull.shape, 1.5, 0);
	assert_near(c.delay.u.weibull.scale, 30 * 86400.0, 1e-6);
	field_release(&tcfg_table, &c);

	/* Sizes are in bytes, numbers unitless. */
	parse_ok("{\"bytes\": {\"kind\": \"exponential\", \"mean\": \"8KiB\"},"
		 " \"reads\": {\"kind\": \"uniform\", \"min\": 1, \"max\": \"3\"}}",
		 &c);
	assert_near(c.bytes.u.exponential.mean, 8192, 0);
	assert_int_equal(c.reads.kind, RNG_DIST_UNIFORM);
	assert_near(c.reads.u.uniform.a, 1, 0);
	assert_near(c.reads.u.uniform.b, 3, 0);
	field_release(&tcfg_table, &c);
}

static void test_dist_shorthand(void **state)
{
	(void)state;
	struct tcfg c;
	parse_ok("{\"delay\": \"250ms\", \"bytes\": \"1MiB\", \"reads\": \"7\"}", &c);
	assert_int_equal(c.delay.kind, RNG_DIST_DETERMINISTIC);
	assert_near(c.delay.u.deterministic.value, 0.25, 1e-15);
	assert_int_equal(c.bytes.kind, RNG_DIST_DETERMINISTIC);
	assert_near(c.bytes.u.deterministic.value, 1048576, 0);
	assert_near(c.reads.u.deterministic.value, 7, 0);
	field_release(&tcfg_table, &c);

	char err[UNITS_ERR_SIZE];
	double v;
	assert_int_equal(units_parse(UNITS_DURATION, "250", &v, err, sizeof(err)), -EINVAL);
	expect_one_error("{\"delay\": \"250\"}", "$.delay", err);
}

static void test_dist_empirical(void **state)
{
	(void)state;
	struct tcfg c;
	parse_ok("{\"delay\": {\"kind\": \"empirical\", \"points\": [[\"1ms\", 0.5], [\"2ms\", 0.9],"
		 " [\"10ms\", 1]]}}",
		 &c);
	assert_int_equal(c.delay.kind, RNG_DIST_EMPIRICAL);
	assert_int_equal(c.delay.u.empirical.n, 3);
	assert_near(c.delay.u.empirical.points[0].value, 0.001, 1e-15);
	assert_near(c.delay.u.empirical.points[0].cum_prob, 0.5, 0);
	assert_near(c.delay.u.empirical.points[2].value, 0.010, 1e-15);
	assert_near(c.delay.u.empirical.points[2].cum_prob, 1, 0);
	field_release(&tcfg_table, &c); /* frees the points */

	expect_one_error("{\"delay\": {\"kind\": \"empirical\", \"points\": []}}", "$.delay.points",
			 "expected a non-empty array of [value, cumulative probability] pairs");
	expect_one_error("{\"delay\": {\"kind\": \"empirical\"}}", "$.delay.points",
			 "expected a non-empty array of [value, cumulative probability] pairs");
	expect_one_error("{\"delay\": {\"kind\": \"empirical\", \"points\": [[\"1ms\", 0.5], [2, 1]]}}",
			 "$.delay.points[1]",
			 "expected a pair [\"value with unit\", cumulative probability]");
	expect_one_error("{\"delay\": {\"kind\": \"empirical\", \"points\": [[\"5ms\", 0.5],"
			 " [\"2ms\", 1]]}}",
			 "$.delay.points",
			 "points must have non-decreasing values and probabilities, the last "
			 "probability 1");
	expect_one_error("{\"delay\": {\"kind\": \"empirical\", \"points\": [[\"5ms\", 0.5]]}}",
			 "$.delay.points",
			 "points must have non-decreasing values and probabilities, the last "
			 "probability 1");
}

static void test_dist_errors(void **state)
{
	(void)state;
	expect_one_error("{\"delay\": {\"kind\": \"expo\", \"mean\": \"1s\"}}", "$.delay.kind",
			 "unknown distribution \"expo\"");
	expect_one_error("{\"delay\": {\"kind\": \"exponentail\", \"mean\": \"1s\"}}", "$.delay.kind",
			 "unknown distribution \"exponentail\" (did you mean \"exponential\"?)");
	expect_one_error("{\"delay\": {\"mean\": \"1s\"}}", "$.delay",
			 "missing required field \"kind\"");
	expect_one_error("{\"delay\": {\"kind\": 3}}", "$.delay.kind",
			 "expected a distribution kind name");
	expect_one_error("{\"delay\": {\"kind\": \"exponential\", \"meen\": \"1s\"}}",
			 "$.delay.meen",
			 "unknown key \"meen\" for a exponential distribution (did you mean "
			 "\"mean\"?)");
	expect_one_error("{\"delay\": {\"kind\": \"exponential\"}}", "$.delay",
			 "missing required field \"mean\"");
	expect_one_error("{\"delay\": {\"kind\": \"normal\", \"mean\": \"1s\"}}", "$.delay",
			 "missing required field \"sd\"");
	expect_one_error("{\"delay\": {\"kind\": \"uniform\", \"min\": \"5s\", \"max\": \"1s\"}}",
			 "$.delay",
			 "invalid parameters for a uniform distribution (see docs/scenario-format.md)");
	expect_one_error("{\"delay\": {\"kind\": \"lognormal\", \"median\": \"5ms\", \"p99\": "
			 "\"1ms\"}}",
			 "$.delay",
			 "invalid parameters for a lognormal distribution (see "
			 "docs/scenario-format.md)");
	expect_one_error("{\"delay\": {\"kind\": \"gamma\", \"shape\": \"2\", \"scale\": \"1s\"}}",
			 "$.delay.shape", "expected a number, got a string");
	expect_one_error("{\"delay\": {\"kind\": \"exponential\", \"mean\": true}}",
			 "$.delay.mean", "expected a duration such as 8s, 250ms, 1h30m, got a boolean");
	expect_one_error("{\"delay\": 5}", "$.delay",
			 "expected a distribution object such as {\"kind\": \"exponential\", "
			 "\"mean\": \"1ms\"} or a duration, got a number");

	char err[UNITS_ERR_SIZE];
	double v;
	assert_int_equal(units_parse(UNITS_DURATION, "1", &v, err, sizeof(err)), -EINVAL);
	expect_one_error("{\"delay\": {\"kind\": \"exponential\", \"mean\": 1}}", "$.delay.mean",
			 err);

	/* A bad distribution falls back to deterministic 0, still releasable. */
	struct tcfg c;
	struct diag d;
	assert_int_equal(parse_json(&tcfg_table, "{\"delay\": {\"kind\": \"weibull\", \"shape\": 0,"
						 " \"scale\": \"1s\"}}",
				    &c, &d),
			 1);
	assert_int_equal(c.delay.kind, RNG_DIST_DETERMINISTIC);
	assert_near(c.delay.u.deterministic.value, 0, 0);
	field_release(&tcfg_table, &c);
	diag_release(&d);
}

/* BUG (sim/field_json.c parse_dist): a distribution value from the file overwrites the
 * field's default without rng_dist_release, so an empirical default leaks its points
 * (LeakSanitizer / valgrind report 2 x 16 bytes here). No shipped table has an empirical
 * default yet. */
struct emp_cfg {
	struct rng_dist d;
};
static const struct field emp_fields[] = {
	{FIELD_AT(struct emp_cfg, d), .type = FIELD_DIST, .units = UNITS_DURATION,
	 .def = "{\"kind\": \"empirical\", \"points\": [[\"1ms\", 0.5], [\"2ms\", 1]]}",
	 .help = "d"},
};
static const struct field_table emp_table =
	FIELD_TABLE_OF("emp", "Empirical default.", struct emp_cfg, emp_fields);

static void test_dist_empirical_default_overridden(void **state)
{
	(void)state;
	struct emp_cfg c;
	struct diag d;
	assert_int_equal(parse_json(&emp_table, "{}", &c, &d), 0);
	assert_int_equal(c.d.kind, RNG_DIST_EMPIRICAL);
	assert_int_equal(c.d.u.empirical.n, 2);
	field_release(&emp_table, &c);
	diag_release(&d);

	assert_int_equal(parse_json(&emp_table, "{\"d\": \"3ms\"}", &c, &d), 0);
	assert_int_equal(c.d.kind, RNG_DIST_DETERMINISTIC);
	field_release(&emp_table, &c);
	diag_release(&d);
	/* The leak checker judges the rest. */
}

/* ---- positions through a locator ----------------------------------------------------------- */

static void test_errors_located(void **state)
{
	(void)state;
	const char *text = "{\n"
			   "  \"count\": 42,\n"
			   "  \"sise\": \"1KiB\"\n"
			   "}\n";
	struct jsondoc doc;
	struct diag d;
	jsondoc_init(&doc);
	diag_init(&d);
	cJSON *root = jsondoc_parse(&doc, "pos.json", text, strlen(text), &d);
	assert_non_null(root);
	struct field_ctx ctx = {.diag = &d, .locate = jsondoc_locate, .locate_arg = &doc,
				.file = "pos.json"};
	struct tcfg c;
	assert_int_equal(field_parse(&tcfg_table, root, &c, &ctx, "$"), 2);
	/* Unknown key: at the key. */
	expect_error(&d, 0, "$.sise", "unknown key \"sise\" in test (did you mean \"size\"?)");
	assert_string_equal(diag_item(&d, 0)->file, "pos.json");
	assert_int_equal(diag_item(&d, 0)->line, 3);
	assert_int_equal(diag_item(&d, 0)->col, 3);
	/* Bad value: at the value. */
	expect_error(&d, 1, "$.count", "42 is above the maximum 10");
	assert_int_equal(diag_item(&d, 1)->line, 2);
	assert_int_equal(diag_item(&d, 1)->col, 12);
	field_release(&tcfg_table, &c);
	cJSON_Delete(root);
	jsondoc_release(&doc);
	diag_release(&d);
}

/* ---- formatting ---------------------------------------------------------------------------- */

static void test_format_value(void **state)
{
	(void)state;
	struct tcfg c;
	char buf[UNITS_FORMAT_SIZE];
	parse_ok("{\"tags\": [\"a\", \"b\"], \"timeout\": \"90s\"}", &c);
	field_format_value(field_find(&tcfg_table, "timeout"), &c, buf, sizeof(buf));
	assert_string_equal(buf, "1m30s");
	field_format_value(field_find(&tcfg_table, "size"), &c, buf, sizeof(buf));
	assert_string_equal(buf, "4MiB");
	field_format_value(field_find(&tcfg_table, "mode"), &c, buf, sizeof(buf));
	assert_string_equal(buf, "slow");
	field_format_value(field_find(&tcfg_table, "tags"), &c, buf, sizeof(buf));
	assert_string_equal(buf, "[2]");
	field_format_value(field_find(&tcfg_table, "sub"), &c, buf, sizeof(buf));
	assert_string_equal(buf, "{...}");
	field_format_value(field_find(&tcfg_table, "delay"), &c, buf, sizeof(buf));
	assert_string_equal(buf, "uniform");
	assert_null(field_find(&tcfg_table, "nope"));
	field_release(&tcfg_table, &c);
}

/* ---- schema ----------------------------------------------------------------------------- */

static void test_schema_json(void **state)
{
	(void)state;
	cJSON *schema = field_schema_json(&scenario_config_table);
	assert_non_null(schema);
	char *text = cJSON_Print(schema);
	assert_non_null(text);
	cJSON *back = cJSON_Parse(text); /* valid JSON */
	assert_non_null(back);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(back, "$schema")->valuestring,
			    "https://json-schema.org/draft/2020-12/schema");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(back, "type")->valuestring, "object");
	const cJSON *defs = cJSON_GetObjectItemCaseSensitive(back, "$defs");
	assert_true(cJSON_IsObject(defs));
	/* A file with "include" is an overlay; any other a whole scenario. */
	const cJSON *cond = cJSON_GetObjectItemCaseSensitive(back, "if");
	assert_string_equal(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(cond, "required"),
					       0)->valuestring, "include");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(
				    cJSON_GetObjectItemCaseSensitive(back, "then"), "$ref")->valuestring,
			    "#/$defs/scenario-overlay");
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(
				    cJSON_GetObjectItemCaseSensitive(back, "else"), "$ref")->valuestring,
			    "#/$defs/scenario");
	const cJSON *root = cJSON_GetObjectItemCaseSensitive(defs, "scenario");
	const cJSON *props = cJSON_GetObjectItemCaseSensitive(root, "properties");
	assert_true(cJSON_IsObject(props));
	assert_non_null(cJSON_GetObjectItemCaseSensitive(props, "include"));
	assert_non_null(cJSON_GetObjectItemCaseSensitive(props, "catalog"));
	assert_non_null(cJSON_GetObjectItemCaseSensitive(root, "required"));
	/* Overlays require nothing, at any depth. */
	for (const cJSON *d = defs->child; d; d = d->next) {
		size_t len = strlen(d->string);
		if (len > 8 && strcmp(d->string + len - 8, "-overlay") == 0 &&
		    cJSON_GetObjectItemCaseSensitive(d, "required"))
			fail_msg("$defs.%s requires keys", d->string);
	}

	const struct field_table *tables[MAX_TABLES];
	size_t n = reachable_tables(&scenario_config_table, tables);
	for (size_t k = 0; k < scenario_config_table.count; k++)
		assert_non_null(cJSON_GetObjectItemCaseSensitive(
			props, scenario_config_table.fields[k].name));
	for (size_t i = 0; i < n; i++) {
		const cJSON *def = cJSON_GetObjectItemCaseSensitive(defs, tables[i]->name);
		if (!def)
			fail_msg("\"$defs\" lacks table \"%s\"", tables[i]->name);
		const cJSON *p = cJSON_GetObjectItemCaseSensitive(def, "properties");
		for (size_t k = 0; k < tables[i]->count; k++)
			if (!cJSON_GetObjectItemCaseSensitive(p, tables[i]->fields[k].name))
				fail_msg("$defs.%s lacks \"%s\"", tables[i]->name,
					 tables[i]->fields[k].name);
	}
	/* Every $ref points into $defs, which holds each table and its overlay. */
	assert_int_equal((size_t)cJSON_GetArraySize(defs), 2 * n);
	const char *p = text;
	while ((p = strstr(p, "\"$ref\":"))) {
		const char *q = strstr(p, "#/$defs/");
		assert_non_null(q);
		q += strlen("#/$defs/");
		char name[128];
		size_t len = strcspn(q, "\"");
		assert_true(len < sizeof(name));
		memcpy(name, q, len);
		name[len] = '\0';
		if (!cJSON_GetObjectItemCaseSensitive(defs, name))
			fail_msg("dangling $ref to \"%s\"", name);
		p = q;
	}
	cJSON_Delete(back);
	free(text);
	cJSON_Delete(schema);

	/* The private table: "$defs" holds the root "test" and "inner", each with its overlay. */
	schema = field_schema_json(&tcfg_table);
	assert_non_null(schema);
	defs = cJSON_GetObjectItemCaseSensitive(schema, "$defs");
	assert_non_null(cJSON_GetObjectItemCaseSensitive(defs, "inner"));
	assert_non_null(cJSON_GetObjectItemCaseSensitive(defs, "inner-overlay"));
	assert_non_null(cJSON_GetObjectItemCaseSensitive(defs, "test"));
	assert_int_equal(cJSON_GetArraySize(defs), 4);
	cJSON_Delete(schema);
}

static void test_schema_markdown(void **state)
{
	(void)state;
	char *buf = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&buf, &len);
	assert_non_null(out);
	field_schema_markdown(&scenario_config_table, out);
	assert_int_equal(fclose(out), 0);
	assert_non_null(buf);

	const struct field_table *tables[MAX_TABLES];
	size_t n = reachable_tables(&scenario_config_table, tables);
	for (size_t i = 0; i < n; i++) {
		char heading[160];
		snprintf(heading, sizeof(heading), "\n## %s\n", tables[i]->name);
		if (!strstr(buf, heading) && strncmp(buf, heading + 1, strlen(heading + 1)) != 0)
			fail_msg("no section for table \"%s\"", tables[i]->name);
		for (size_t k = 0; k < tables[i]->count; k++) {
			char cell[160];
			snprintf(cell, sizeof(cell), "| `%s` |", tables[i]->fields[k].name);
			if (!strstr(buf, cell))
				fail_msg("no row for %s.%s", tables[i]->name, tables[i]->fields[k].name);
		}
	}
	/* Each section once. */
	assert_non_null(strstr(buf, "## host\n"));
	assert_null(strstr(strstr(buf, "## host\n") + 1, "## host\n"));
	free(buf);

	/* The private table: required, defaults, bounds. */
	out = open_memstream(&buf, &len);
	field_schema_markdown(&tcfg_table, out);
	fclose(out);
	assert_non_null(strstr(buf, "| `count` | integer | `3` | 1 to 10 | count |  |\n"));
	assert_non_null(strstr(buf, "| `name` | string | required |  | name |  |\n"));
	assert_non_null(strstr(buf, "| `mode` | enum: `fast`, `slow` | `slow` |"));
	assert_non_null(strstr(buf, "| `items` | array of [inner](#inner) | empty |"));
	assert_non_null(strstr(buf, "| `sub` | object ([inner](#inner)) | defaults |"));
	assert_non_null(strstr(buf, "| `delay` | distribution of duration |"));
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scenario_tables_defaults_parse),
		cmocka_unit_test(test_scenario_defaults_release),
		cmocka_unit_test(test_defaults_filled),
		cmocka_unit_test(test_values_parsed),
		cmocka_unit_test(test_string_list_from_one_string),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_bounds_number_shown_as_written), /* BUG */
		cmocka_unit_test(test_unknown_key_with_suggestion),
		cmocka_unit_test(test_wrong_types),
		cmocka_unit_test(test_bare_numbers_refused),
		cmocka_unit_test(test_dist_object_forms),
		cmocka_unit_test(test_dist_shorthand),
		cmocka_unit_test(test_dist_empirical),
		cmocka_unit_test(test_dist_errors),
		cmocka_unit_test(test_dist_empirical_default_overridden), /* BUG: leak */
		cmocka_unit_test(test_errors_located),
		cmocka_unit_test(test_format_value),
		cmocka_unit_test(test_schema_json),
		cmocka_unit_test(test_schema_markdown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
