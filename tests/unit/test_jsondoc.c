/* test_jsondoc.c: unit tests of sim/jsondoc (positions, includes, overlay, --set).
 *
 * - jsondoc_parse registers the line:col of every node and of every member's key;
 *   jsondoc_locate finds them; syntax errors are reported with their position.
 * - Includes, on temporary files under a mkdtemp directory: objects merge key by key, arrays
 *   of named objects merge by name, anything else replaces; includes of includes resolve
 *   relative to the including file; an array of includes overlays in order; cycles and
 *   missing files are errors located at the include statement; merged nodes keep the
 *   position of the file they came from.
 * - jsondoc_apply_set: existing and new keys, nested creation, [index] and [name]
 *   selectors, JSON values versus plain strings, and the error cases.
 *
 * Tests marked BUG expect the documented behaviour and fail with the current sim/ code; they
 * are listed in the report that added this file.
 */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <cmocka.h>

#include "diag.h"
#include "field_json.h"
#include "jsondoc.h"

/* ---- helpers ------------------------------------------------------------------------------ */

struct fixture {
	char dir[PATH_MAX];
	struct jsondoc doc;
	struct diag diag;
	char files[32][PATH_MAX]; /* files written, removed at teardown */
	size_t file_count;
	char subdirs[4][PATH_MAX]; /* subdirectories made, removed after the files */
	size_t subdir_count;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), "/tmp/topsim-jsondoc-XXXXXX");
	if (!mkdtemp(f->dir)) {
		free(f);
		return -1;
	}
	jsondoc_init(&f->doc);
	diag_init(&f->diag);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;
	for (size_t i = 0; i < f->file_count; i++)
		unlink(f->files[i]);
	for (size_t i = 0; i < f->subdir_count; i++)
		rmdir(f->subdirs[i]);
	rmdir(f->dir);
	jsondoc_release(&f->doc);
	diag_release(&f->diag);
	free(f);
	return 0;
}

/* Write text to DIR/name (name may have one subdirectory, made on demand); returns the full
 * path, valid until teardown. */
static const char *write_file(struct fixture *f, const char *name, const char *text)
{
	assert_true(f->file_count < 32);
	const char *slash = strchr(name, '/');
	if (slash) {
		char sub[PATH_MAX];
		snprintf(sub, sizeof(sub), "%s/%.*s", f->dir, (int)(slash - name), name);
		if (mkdir(sub, 0700) == 0) {
			assert_true(f->subdir_count < 4);
			snprintf(f->subdirs[f->subdir_count++], PATH_MAX, "%s", sub);
		}
	}
	char full[PATH_MAX + 64];
	snprintf(full, sizeof(full), "%s/%s", f->dir, name);
	char *path = f->files[f->file_count++];
	snprintf(path, PATH_MAX, "%s", full);
	FILE *out = fopen(path, "w");
	assert_non_null(out);
	assert_true(fputs(text, out) >= 0);
	assert_int_equal(fclose(out), 0);
	return path;
}

static void print_diag(const struct diag *d)
{
	for (size_t i = 0; i < diag_count(d); i++) {
		const struct diag_item *it = diag_item(d, i);
		print_message("  %s:%d:%d: %s: %s\n", it->file ? it->file : "-", it->line, it->col,
			      it->path ? it->path : "-", it->message);
	}
}

static cJSON *load(struct fixture *f, const char *path)
{
	cJSON *root = jsondoc_load_with_includes(&f->doc, path, &f->diag);
	if (!root || diag_count(&f->diag))
		print_diag(&f->diag);
	return root;
}

static const char *str_at(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	if (!cJSON_IsString(v))
		fail_msg("\"%s\" is not a string", key);
	return v->valuestring;
}

/* The JSON text of node, compact, compared with expected. */
static void assert_json(const cJSON *node, const char *expected)
{
	char *text = cJSON_PrintUnformatted(node);
	assert_non_null(text);
	if (strcmp(text, expected) != 0) {
		print_message("got      %s\nexpected %s\n", text, expected);
		free(text);
		fail();
	}
	free(text);
}

/* ---- positions ------------------------------------------------------------------------- */

static void test_parse_positions(void **state)
{
	struct fixture *f = *state;
	const char *text = "{\n"
			   "\t\"name\": \"prod\",\n"
			   "  \"hosts\": [\n"
			   "    {\"name\": \"a\", \"size\": 10},\n"
			   "    true\n"
			   "  ]\n"
			   "}\n";
	cJSON *root = jsondoc_parse(&f->doc, "pos.json", text, strlen(text), &f->diag);
	assert_non_null(root);
	assert_int_equal(diag_count(&f->diag), 0);
	struct field_location loc;

	assert_true(jsondoc_locate(&f->doc, root, false, &loc));
	assert_string_equal(loc.file, "pos.json");
	assert_int_equal(loc.line, 1);
	assert_int_equal(loc.col, 1);

	const cJSON *name = cJSON_GetObjectItemCaseSensitive(root, "name");
	assert_true(jsondoc_locate(&f->doc, name, false, &loc));
	assert_int_equal(loc.line, 2);
	assert_int_equal(loc.col, 10); /* a tab is one column */
	assert_true(jsondoc_locate(&f->doc, name, true, &loc));
	assert_int_equal(loc.line, 2);
	assert_int_equal(loc.col, 2);

	const cJSON *hosts = cJSON_GetObjectItemCaseSensitive(root, "hosts");
	assert_true(jsondoc_locate(&f->doc, hosts, false, &loc));
	assert_int_equal(loc.line, 3);
	assert_int_equal(loc.col, 12);

	const cJSON *h0 = cJSON_GetArrayItem(hosts, 0);
	assert_true(jsondoc_locate(&f->doc, h0, false, &loc));
	assert_int_equal(loc.line, 4);
	assert_int_equal(loc.col, 5);
	/* An array element has no key: asking for it gives the value's position. */
	assert_true(jsondoc_locate(&f->doc, h0, true, &loc));
	assert_int_equal(loc.line, 4);
	assert_int_equal(loc.col, 5);

	const cJSON *size = cJSON_GetObjectItemCaseSensitive(h0, "size");
	assert_true(jsondoc_locate(&f->doc, size, false, &loc));
	assert_int_equal(loc.line, 4);
	assert_int_equal(loc.col, 27);
	assert_true(jsondoc_locate(&f->doc, size, true, &loc));
	assert_int_equal(loc.col, 19);

	assert_true(jsondoc_locate(&f->doc, cJSON_GetArrayItem(hosts, 1), false, &loc));
	assert_int_equal(loc.line, 5);
	assert_int_equal(loc.col, 5);

	/* A node the jsondoc never saw, and NULL. */
	cJSON *stranger = cJSON_CreateNull();
	assert_false(jsondoc_locate(&f->doc, stranger, false, &loc));
	assert_false(jsondoc_locate(&f->doc, NULL, false, &loc));
	cJSON_Delete(stranger);
	cJSON_Delete(root);
}

/* Enough nodes to grow the position map several times; every node still found. */
static void test_many_positions(void **state)
{
	struct fixture *f = *state;
	size_t n = 5000, cap = n * 8 + 16, len = 0;
	char *text = malloc(cap);
	assert_non_null(text);
	text[len++] = '[';
	for (size_t i = 0; i < n; i++)
		len += (size_t)snprintf(text + len, cap - len, "%s\n%zu", i ? "," : "", i);
	text[len++] = ']';
	cJSON *root = jsondoc_parse(&f->doc, "many.json", text, len, &f->diag);
	free(text);
	assert_non_null(root);
	size_t i = 0;
	const cJSON *el;
	cJSON_ArrayForEach(el, root)
	{
		struct field_location loc;
		assert_true(jsondoc_locate(&f->doc, el, false, &loc));
		assert_int_equal(loc.line, (int)i + 2);
		assert_int_equal(loc.col, 1);
		i++;
	}
	assert_int_equal(i, n);
	cJSON_Delete(root);
}

static void test_parse_syntax_error(void **state)
{
	struct fixture *f = *state;
	const char *text = "{\n  \"a\": 1,\n}\n";
	assert_null(jsondoc_parse(&f->doc, "bad.json", text, strlen(text), &f->diag));
	assert_int_equal(diag_error_count(&f->diag), 1);
	const struct diag_item *it = diag_item(&f->diag, 0);
	assert_string_equal(it->file, "bad.json");
	assert_int_equal(it->line, 2);
	assert_int_equal(it->col, 9);
	assert_string_equal(it->message, "trailing comma before '}'");
}

static void test_load_missing_file(void **state)
{
	struct fixture *f = *state;
	char path[PATH_MAX + 16];
	snprintf(path, sizeof(path), "%s/absent.json", f->dir);
	assert_null(jsondoc_load_with_includes(&f->doc, path, &f->diag));
	assert_int_equal(diag_error_count(&f->diag), 1);
	const struct diag_item *it = diag_item(&f->diag, 0);
	assert_string_equal(it->file, path);
	assert_int_equal(it->line, 0);
	char msg[PATH_MAX + 64];
	snprintf(msg, sizeof(msg), "cannot read \"%s\": No such file or directory", path);
	assert_string_equal(it->message, msg);
}

/* ---- includes -------------------------------------------------------------------------- */

static void test_include_overlay_rules(void **state)
{
	struct fixture *f = *state;
	write_file(f, "base.json",
		   "{\n"
		   "  \"name\": \"base\",\n"
		   "  \"seed\": 7,\n"
		   "  \"mirror\": {\"qos_timeout\": \"8s\", \"dr_promotion\": true},\n"
		   "  \"hosts\": [\n"
		   "    {\"name\": \"a\", \"az\": \"x\", \"volumes\": [{\"name\": \"db\", \"size\": \"1GB\"}]},\n"
		   "    {\"name\": \"b\", \"az\": \"y\"}\n"
		   "  ],\n"
		   "  \"azs\": [\"x\", \"y\"],\n"
		   "  \"mixed\": [{\"name\": \"m\"}, 1],\n"
		   "  \"obj_to_scalar\": {\"k\": 1}\n"
		   "}\n");
	const char *top = write_file(
		f, "top.json",
		"{\n"
		"  \"include\": \"base.json\",\n"
		"  \"name\": \"top\",\n"
		"  \"mirror\": {\"qos_timeout\": \"2s\"},\n"
		"  \"hosts\": [\n"
		"    {\"name\": \"b\", \"az\": \"z\"},\n"
		"    {\"name\": \"c\", \"az\": \"w\"},\n"
		"    {\"name\": \"a\", \"volumes\": [{\"name\": \"db\", \"size\": \"2GB\"}, {\"name\": \"j\"}]}\n"
		"  ],\n"
		"  \"azs\": [\"q\"],\n"
		"  \"mixed\": [{\"name\": \"n\"}],\n"
		"  \"obj_to_scalar\": 5\n"
		"}\n");
	cJSON *root = load(f, top);
	assert_non_null(root);
	assert_int_equal(diag_count(&f->diag), 0);
	/* "include" is gone; scalars replace; untouched keys stay. */
	assert_null(cJSON_GetObjectItemCaseSensitive(root, "include"));
	assert_string_equal(str_at(root, "name"), "top");
	assert_json(cJSON_GetObjectItemCaseSensitive(root, "seed"), "7");
	/* Objects merge key by key. */
	assert_json(cJSON_GetObjectItemCaseSensitive(root, "mirror"),
		    "{\"qos_timeout\":\"2s\",\"dr_promotion\":true}");
	/* Named arrays merge by name: same name merged (recursively, volumes too), new names
	 * appended in order, base order kept. */
	assert_json(cJSON_GetObjectItemCaseSensitive(root, "hosts"),
		    "[{\"name\":\"a\",\"az\":\"x\",\"volumes\":[{\"name\":\"db\",\"size\":\"2GB\"},"
		    "{\"name\":\"j\"}]},{\"name\":\"b\",\"az\":\"z\"},{\"name\":\"c\",\"az\":\"w\"}]");
	/* Other arrays replace, and so does an array that is not all named objects. */
	assert_json(cJSON_GetObjectItemCaseSensitive(root, "azs"), "[\"q\"]");
	assert_json(cJSON_GetObjectItemCaseSensitive(root, "mixed"), "[{\"name\":\"n\"}]");
	/* A scalar replaces an object. */
	assert_json(cJSON_GetObjectItemCaseSensitive(root, "obj_to_scalar"), "5");

	/* Merged nodes keep the file and position they came from. */
	struct field_location loc;
	const cJSON *seed = cJSON_GetObjectItemCaseSensitive(root, "seed");
	assert_true(jsondoc_locate(&f->doc, seed, false, &loc));
	assert_non_null(strstr(loc.file, "base.json"));
	assert_int_equal(loc.line, 3);
	assert_int_equal(loc.col, 11);
	const cJSON *qos =
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(root, "mirror"),
						 "qos_timeout");
	assert_true(jsondoc_locate(&f->doc, qos, false, &loc));
	assert_string_equal(loc.file, top);
	assert_int_equal(loc.line, 4);
	assert_int_equal(loc.col, 29);
	const cJSON *hb = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(root, "hosts"), 1);
	assert_true(jsondoc_locate(&f->doc, cJSON_GetObjectItemCaseSensitive(hb, "az"), false, &loc));
	assert_string_equal(loc.file, top);
	assert_int_equal(loc.line, 6);
	cJSON_Delete(root);
}

static void test_include_of_include_and_order(void **state)
{
	struct fixture *f = *state;
	write_file(f, "sub/leaf.json", "{\"a\": \"leaf\", \"b\": \"leaf\", \"c\": \"leaf\", \"d\": \"leaf\"}");
	write_file(f, "sub/mid.json", "{\"include\": \"leaf.json\", \"b\": \"mid\", \"c\": \"mid\"}");
	write_file(f, "other.json", "{\"c\": \"other\", \"d\": \"other\", \"e\": \"other\"}");
	const char *top = write_file(f, "top.json",
				     "{\"include\": [\"sub/mid.json\", \"other.json\"], \"d\": \"top\"}");
	cJSON *root = load(f, top);
	assert_non_null(root);
	assert_int_equal(diag_count(&f->diag), 0);
	/* leaf < mid (its includer) < other (later in the list) < top. */
	assert_json(root, "{\"a\":\"leaf\",\"b\":\"mid\",\"c\":\"other\",\"d\":\"top\",\"e\":\"other\"}");
	cJSON_Delete(root);
}

static void test_include_absolute_path(void **state)
{
	struct fixture *f = *state;
	const char *inc = write_file(f, "abs.json", "{\"x\": 1}");
	char text[PATH_MAX + 64];
	snprintf(text, sizeof(text), "{\"include\": \"%s\", \"y\": 2}", inc);
	const char *top = write_file(f, "top.json", text);
	cJSON *root = load(f, top);
	assert_non_null(root);
	assert_json(root, "{\"x\":1,\"y\":2}");
	cJSON_Delete(root);
}

static void test_include_cycle(void **state)
{
	struct fixture *f = *state;
	const char *a = write_file(f, "a.json", "{\"include\": \"b.json\", \"x\": 1}");
	const char *b = write_file(f, "b.json", "{\n  \"include\": [\"a.json\"]\n}");
	assert_null(jsondoc_load_with_includes(&f->doc, a, &f->diag));
	assert_int_equal(diag_error_count(&f->diag), 1);
	const struct diag_item *it = diag_item(&f->diag, 0);
	/* At the include statement in b.json that closes the cycle. */
	assert_string_equal(it->file, b);
	assert_int_equal(it->line, 2);
	assert_int_equal(it->col, 15);
	assert_string_equal(it->path, "$.include");
	char msg[PATH_MAX + 80];
	snprintf(msg, sizeof(msg), "include cycle: \"%s/a.json\" includes itself through its includes",
		 f->dir);
	assert_string_equal(it->message, msg);
}

static void test_include_self(void **state)
{
	struct fixture *f = *state;
	const char *s = write_file(f, "self.json", "{\"include\": \"self.json\"}");
	assert_null(jsondoc_load_with_includes(&f->doc, s, &f->diag));
	assert_int_equal(diag_error_count(&f->diag), 1);
	assert_non_null(strstr(diag_item(&f->diag, 0)->message, "include cycle"));
	assert_string_equal(diag_item(&f->diag, 0)->file, s);
	assert_int_equal(diag_item(&f->diag, 0)->line, 1);
	assert_int_equal(diag_item(&f->diag, 0)->col, 13);
}

/* The same file included twice side by side is not a cycle. */
static void test_include_diamond(void **state)
{
	struct fixture *f = *state;
	write_file(f, "common.json", "{\"c\": 1}");
	write_file(f, "l.json", "{\"include\": \"common.json\", \"l\": 1}");
	write_file(f, "r.json", "{\"include\": \"common.json\", \"r\": 1}");
	const char *top = write_file(f, "top.json", "{\"include\": [\"l.json\", \"r.json\"]}");
	cJSON *root = load(f, top);
	assert_non_null(root);
	assert_json(root, "{\"c\":1,\"l\":1,\"r\":1}");
	cJSON_Delete(root);
}

static void test_include_missing(void **state)
{
	struct fixture *f = *state;
	const char *top = write_file(f, "top.json", "{\n  \"name\": \"t\",\n  \"include\": \"nope.json\"\n}\n");
	assert_null(jsondoc_load_with_includes(&f->doc, top, &f->diag));
	assert_int_equal(diag_error_count(&f->diag), 1);
	const struct diag_item *it = diag_item(&f->diag, 0);
	assert_string_equal(it->file, top);
	assert_int_equal(it->line, 3);
	assert_int_equal(it->col, 14);
	assert_string_equal(it->path, "$.include");
	char msg[PATH_MAX + 80];
	snprintf(msg, sizeof(msg), "cannot read included file \"%s/nope.json\": No such file or directory",
		 f->dir);
	assert_string_equal(it->message, msg);
}

static void test_include_bad_values(void **state)
{
	struct fixture *f = *state;
	const char *t1 = write_file(f, "t1.json", "{\"include\": 5}");
	assert_null(jsondoc_load_with_includes(&f->doc, t1, &f->diag));
	assert_int_equal(diag_error_count(&f->diag), 1);
	assert_string_equal(diag_item(&f->diag, 0)->message,
			    "expected a file name or an array of file names");
	assert_int_equal(diag_item(&f->diag, 0)->col, 13);

	const char *t2 = write_file(f, "t2.json", "{\"include\": [\"x.json\", 3]}");
	assert_null(jsondoc_load_with_includes(&f->doc, t2, &f->diag));
	assert_int_equal(diag_error_count(&f->diag), 2);
	assert_string_equal(diag_item(&f->diag, 1)->message, "expected a file name string");
	assert_int_equal(diag_item(&f->diag, 1)->col, 24);

	/* An included file must be an object. */
	write_file(f, "arr.json", "[1]");
	const char *t3 = write_file(f, "t3.json", "{\"include\": \"arr.json\"}");
	assert_null(jsondoc_load_with_includes(&f->doc, t3, &f->diag));
	assert_int_equal(diag_error_count(&f->diag), 3);
	assert_string_equal(diag_item(&f->diag, 2)->message, "a scenario must be a JSON object");

	/* A syntax error in an included file is reported in that file. */
	const char *broken = write_file(f, "broken.json", "{\"a\": }");
	const char *t4 = write_file(f, "t4.json", "{\"include\": \"broken.json\"}");
	assert_null(jsondoc_load_with_includes(&f->doc, t4, &f->diag));
	assert_int_equal(diag_error_count(&f->diag), 4);
	assert_string_equal(diag_item(&f->diag, 3)->file, broken);
	assert_int_equal(diag_item(&f->diag, 3)->line, 1);
	assert_int_equal(diag_item(&f->diag, 3)->col, 7);
}

/* "include": [] includes nothing: the file itself, as if it had no include. (Found by this
 * test: load_recursive used to overlay onto a NULL tree and return NULL without a
 * diagnostic; fixed in sim/jsondoc.c since.) */
static void test_include_empty_array(void **state)
{
	struct fixture *f = *state;
	const char *t = write_file(f, "empty.json", "{\"include\": [], \"x\": 1}");
	cJSON *root = load(f, t);
	size_t errors = diag_error_count(&f->diag);
	char *text = root ? cJSON_PrintUnformatted(root) : NULL;
	cJSON_Delete(root);
	bool ok = text && strcmp(text, "{\"x\":1}") == 0;
	free(text);
	if (!ok)
		fail_msg("\"include\": [] lost the file (%zu errors reported)", errors);
	assert_int_equal(errors, 0);
}

/* ---- --set ----------------------------------------------------------------------------- */

static cJSON *set_root(struct fixture *f)
{
	const char *text = "{\"name\": \"p\", \"mirror\": {\"qos_timeout\": \"8s\"},"
			   " \"hosts\": [{\"name\": \"iris-a\", \"az\": \"a\"},"
			   " {\"name\": \"iris-b\", \"az\": \"b\", \"instance_type\": \"r5.2xlarge\"}]}";
	cJSON *root = jsondoc_parse(&f->doc, "s.json", text, strlen(text), &f->diag);
	assert_non_null(root);
	return root;
}

static void apply_ok(struct fixture *f, cJSON *root, const char *assignment)
{
	int rc = jsondoc_apply_set(&f->doc, root, assignment, &f->diag);
	if (rc != 0) {
		print_diag(&f->diag);
		fail_msg("--set %s: %d", assignment, rc);
	}
}

static void test_set_values(void **state)
{
	struct fixture *f = *state;
	cJSON *root = set_root(f);
	apply_ok(f, root, "mirror.qos_timeout=2s");
	apply_ok(f, root, "hosts[iris-b].instance_type=r5.4xlarge");
	apply_ok(f, root, "hosts[0].az=us-east-1c");
	apply_ok(f, root, "seed=5");
	apply_ok(f, root, "ecp.reconnect.interval=true");
	apply_ok(f, root, "description=\"quoted\"");
	apply_ok(f, root, "note=2 s");
	apply_ok(f, root, "list=[1, 2]");
	apply_ok(f, root, "obj={\"k\": null}");
	apply_ok(f, root, "name=");
	apply_ok(f, root, "hosts[1].volumes=[]");
	assert_int_equal(diag_count(&f->diag), 0);
	assert_json(root,
		    "{\"name\":\"\",\"mirror\":{\"qos_timeout\":\"2s\"},"
		    "\"hosts\":[{\"name\":\"iris-a\",\"az\":\"us-east-1c\"},"
		    "{\"name\":\"iris-b\",\"az\":\"b\",\"instance_type\":\"r5.4xlarge\",\"volumes\":[]}],"
		    "\"seed\":5,\"ecp\":{\"reconnect\":{\"interval\":true}},\"description\":\"quoted\","
		    "\"note\":\"2 s\",\"list\":[1,2],\"obj\":{\"k\":null}}");
	/* "2s" stays a string, 5 becomes a number. */
	assert_true(cJSON_IsString(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(root, "mirror"), "qos_timeout")));
	assert_true(cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(root, "seed")));
	cJSON_Delete(root);
}

/* Values that are JSON only in part stay strings ("5s" starts like a number). */
static void test_set_partial_json_is_string(void **state)
{
	struct fixture *f = *state;
	cJSON *root = set_root(f);
	apply_ok(f, root, "a=5s");
	apply_ok(f, root, "b=1e3");
	apply_ok(f, root, "c=true story");
	apply_ok(f, root, "d={\"x\": 1} trailing");
	assert_json(root, "{\"name\":\"p\",\"mirror\":{\"qos_timeout\":\"8s\"},\"hosts\":"
			  "[{\"name\":\"iris-a\",\"az\":\"a\"},{\"name\":\"iris-b\",\"az\":\"b\","
			  "\"instance_type\":\"r5.2xlarge\"}],\"a\":\"5s\",\"b\":1000,"
			  "\"c\":\"true story\",\"d\":\"{\\\"x\\\": 1} trailing\"}");
	cJSON_Delete(root);
}

/* Replacing a whole array element through its selector. */
static void test_set_replace_element(void **state)
{
	struct fixture *f = *state;
	cJSON *root = set_root(f);
	apply_ok(f, root, "hosts[iris-a]={\"name\": \"iris-z\"}");
	assert_json(cJSON_GetObjectItemCaseSensitive(root, "hosts"),
		    "[{\"name\":\"iris-z\"},{\"name\":\"iris-b\",\"az\":\"b\","
		    "\"instance_type\":\"r5.2xlarge\"}]");
	cJSON_Delete(root);
}

/* A value set from the command line is located in its "--set #N" source. */
static void test_set_positions(void **state)
{
	struct fixture *f = *state;
	cJSON *root = set_root(f);
	apply_ok(f, root, "seed=1");
	apply_ok(f, root, "mirror.qos_timeout=2s");
	const cJSON *qos = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(root, "mirror"), "qos_timeout");
	struct field_location loc;
	assert_true(jsondoc_locate(&f->doc, qos, false, &loc));
	assert_string_equal(loc.file, "--set #2");
	assert_int_equal(loc.line, 1);
	assert_int_equal(loc.col, 20);
	assert_true(jsondoc_locate(&f->doc, qos, true, &loc));
	assert_int_equal(loc.col, 8); /* the key's path segment */
	cJSON_Delete(root);
}

struct set_error_case {
	const char *assignment;
	int col;
	const char *message;
};

static void check_set_error(struct fixture *f, cJSON *root, const struct set_error_case *c,
			    size_t n_before)
{
	char *before = cJSON_PrintUnformatted(root);
	assert_int_equal(jsondoc_apply_set(&f->doc, root, c->assignment, &f->diag), -EINVAL);
	char *after = cJSON_PrintUnformatted(root);
	assert_string_equal(before, after); /* an error changes nothing */
	free(before);
	free(after);
	assert_int_equal(diag_count(&f->diag), n_before + 1);
	const struct diag_item *it = diag_item(&f->diag, n_before);
	assert_int_equal(it->severity, DIAG_ERROR);
	assert_string_equal(it->message, c->message);
	assert_non_null(it->file);
	assert_int_equal(strncmp(it->file, "--set", 5), 0);
	/* The column (c->col) is checked in test_set_error_location. */
}

static void test_set_errors(void **state)
{
	struct fixture *f = *state;
	static const struct set_error_case cases[] = {
		{"mirror.qos_timeout", 1,
		 "expected PATH=VALUE such as mirror.qos_timeout=2s in \"mirror.qos_timeout\""},
		{"=5", 1, "expected PATH=VALUE such as mirror.qos_timeout=2s in \"=5\""},
		{"hosts[nope].az=x", 6, "no element \"nope\" in \"hosts[nope].az=x\""},
		{"hosts[7].az=x", 6, "no element \"7\" in \"hosts[7].az=x\""},
		{"hosts[-1].az=x", 6, "no element \"-1\" in \"hosts[-1].az=x\""},
		{"name[0]=x", 5, "not an array at \"name\" in \"name[0]=x\""},
		{"name.x=1", 6, "cannot select a key of a non-object at \"x\" in \"name.x=1\""},
		{"hosts[0=1", 6, "unclosed \"[\" in \"hosts[0=1\""},
		{"mirror..qos=1", 8, "empty key in \"mirror..qos=1\""},
		{"mirror.=1", 8, "empty path in \"mirror.=1\""},
	};
	cJSON *root = set_root(f);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check_set_error(f, root, &cases[i], i);
	cJSON_Delete(root);
}

/* BUG (sim/jsondoc.c set_error): jsondoc.h says errors are reported at file "--set #N" (the
 * N-th assignment) with the column in it; set_error reports file "--set" with line 0, so
 * diag drops the column and the "--set #N" source registered for carets is never used:
 * `topsim validate --set 'hosts[zz].az=1'` prints `--set: error: no element zz in ...`
 * with no column and no caret. (A missing '=' is also not counted as an assignment.) */
static void test_set_error_location(void **state)
{
	struct fixture *f = *state;
	static const struct set_error_case cases[] = {
		{"hosts[nope].az=x", 6, NULL},
		{"name.x=1", 6, NULL},
		{"mirror.qos_timeout", 1, NULL},
	};
	cJSON *root = set_root(f);
	apply_ok(f, root, "seed=1"); /* --set #1 */
	char got[3][64];
	int line[3], col[3];
	for (size_t i = 0; i < 3; i++) {
		assert_int_equal(jsondoc_apply_set(&f->doc, root, cases[i].assignment, &f->diag),
				 -EINVAL);
		const struct diag_item *it = diag_item(&f->diag, i);
		assert_non_null(it);
		snprintf(got[i], sizeof(got[i]), "%s", it->file ? it->file : "(null)");
		line[i] = it->line;
		col[i] = it->col;
	}
	cJSON_Delete(root);
	for (size_t i = 0; i < 3; i++) {
		char want[32];
		snprintf(want, sizeof(want), "--set #%zu", i + 2);
		assert_string_equal(got[i], want);
		assert_int_equal(line[i], 1);
		assert_int_equal(col[i], cases[i].col);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_parse_positions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_many_positions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_parse_syntax_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_load_missing_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_include_overlay_rules, setup, teardown),
		cmocka_unit_test_setup_teardown(test_include_of_include_and_order, setup, teardown),
		cmocka_unit_test_setup_teardown(test_include_absolute_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_include_cycle, setup, teardown),
		cmocka_unit_test_setup_teardown(test_include_self, setup, teardown),
		cmocka_unit_test_setup_teardown(test_include_diamond, setup, teardown),
		cmocka_unit_test_setup_teardown(test_include_missing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_include_bad_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_include_empty_array, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_partial_json_is_string, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_replace_element, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_positions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_error_location, setup, teardown), /* BUG */
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
