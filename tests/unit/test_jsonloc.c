/* test_jsonloc.c: unit tests of sim/jsonloc (value positions and syntax errors).
 *
 * - A table of malformed documents, each with the exact line, column and message of the
 *   first error (jq tests-style triples), including multi-line inputs indented with tabs.
 * - For valid documents, the entries must match a recursive walk of cJSON_Parse's tree one
 *   for one: same count, same types, same parents, subtree ends, and positions that point
 *   at the value's (and key's) first character.
 * - Out-of-memory at every allocation fails cleanly (ASan reports any leak).
 */
#include <errno.h>
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

#include "jsonloc.h"

/* ---- malformed documents ----------------------------------------------------------------- */

struct bad_case {
	const char *text;
	size_t len; /* 0: strlen(text) */
	int line, col;
	const char *message; /* exact */
};

static const struct bad_case bad_cases[] = {
	{"", 0, 1, 1, "unexpected end of input (the document is empty)"},
	{"  \n\t", 0, 2, 2, "unexpected end of input (the document is empty)"},
	{"{\"a\": \"abc", 0, 1, 7, "unterminated string"},
	{"{\"a\":\n\t\t\"b\n\"}", 0, 2, 3, "unterminated string"},
	{"{\"a\": 1,}", 0, 1, 8, "trailing comma before '}'"},
	{"[1, 2,\n]", 0, 1, 6, "trailing comma before ']'"},
	{"{\n\t\"hosts\": [\n\t\t{\"size\": 1,},\n\t]\n}", 0, 3, 13, "trailing comma before '}'"},
	{"{\"a\": 1 \"b\": 2}", 0, 1, 9,
	 "expected ',' or '}' after object member (missing ',' before this key?)"},
	{"{\"a\": 1 x}", 0, 1, 9, "expected ',' or '}' after object member"},
	{"[1 2]", 0, 1, 4, "expected ',' or ']' after array element"},
	{"{\"a\" 1}", 0, 1, 6, "expected ':' after key \"a\""},
	{"{\n\t\"name\"\n\t\t= 1}", 0, 3, 3, "expected ':' after key \"name\""},
	{"{\"n\": 01}", 0, 1, 7, "invalid number \"01\" (leading zeros are not allowed)"},
	{"[1.]", 0, 1, 2, "invalid number \"1.\""},
	{"[-]", 0, 1, 2, "invalid number \"-\""},
	{"[1e+]", 0, 1, 2, "invalid number \"1e+\""},
	{"[+1]", 0, 1, 2, "invalid number \"+1\""},
	{"[.5]", 0, 1, 2, "invalid number \".5\""},
	{"[0x1F]", 0, 1, 2, "invalid number \"0x1F\""},
	{"[NaN]", 0, 1, 2, "invalid number \"NaN\""},
	{"[\"\\q\"]", 0, 1, 3, "invalid escape \"\\q\""},
	{"[\"ab\\u12\"]", 0, 1, 5, "invalid escape \"\\u12\" (expected 4 hex digits)"},
	{"[\"\\ud800\"]", 0, 1, 3, "invalid escape \"\\uD800\" (unpaired surrogate)"},
	{"[\"\\udc00\\ud800\"]", 0, 1, 3, "invalid escape \"\\uDC00\" (unpaired surrogate)"},
	{"[\"a\tb\"]", 0, 1, 4, "control character in string (write a tab as \\t)"},
	{"[\"a\x01\"]", 0, 1, 4, "control character in string (write U+0001 as \\u0001)"},
	{"[\"a\xff\"]", 0, 1, 4, "invalid UTF-8 in string (byte 0xFF)"},
	{"[\"\xc0\xaf\"]", 0, 1, 3, "invalid UTF-8 in string (byte 0xC0)"}, /* overlong '/' */
	{"[@]", 0, 1, 2, "unexpected character '@'"},
	{"[x]", 0, 1, 2, "unexpected word \"x\" (strings must be double-quoted)"},
	{"[\xe2\x80\x9c" "a\xe2\x80\x9d]", 0, 1, 2,
	 "unexpected character U+201C (a typographic quote: JSON needs '\"')"},
	{"[\xff]", 0, 1, 2, "invalid UTF-8 byte 0xFF"},
	{"[1,\0]", 5, 1, 4, "unexpected character U+0000"},
	{"[True]", 0, 1, 2, "invalid literal \"True\" (write true in lowercase)"},
	{"[nul]", 0, 1, 2, "unexpected word \"nul\" (strings must be double-quoted)"},
	{"{name: 1}", 0, 1, 2, "unquoted key \"name\" (keys must be double-quoted)"},
	{"{'a': 1}", 0, 1, 2, "keys must be double-quoted, not single-quoted"},
	{"['a']", 0, 1, 2, "strings must be double-quoted, not single-quoted"},
	{"{,}", 0, 1, 2, "expected a double-quoted key, found ','"},
	{"{\"a\": [1, 2", 0, 1, 12, "unexpected end of input: '[' at line 1 is not closed"},
	{"{\n\t\"a\": {\n\t\t\"b\": 1\n", 0, 4, 1, "unexpected end of input: '{' at line 2 is not closed"},
	{"{\"a\"", 0, 1, 5, "unexpected end of input: '{' at line 1 is not closed"},
	{"[\"\\", 0, 1, 2, "unterminated string"},
	{"{\"name\": 1,\n\t\"name\": 2}", 0, 2, 2, "duplicate key \"name\" (first at line 1)"},
	{"{\"a\":1,\n\"\\u0061\":2}", 0, 2, 1, "duplicate key \"\\u0061\" (first at line 1)"},
	{"{\n\t// comment\n}", 0, 2, 2, "comments are not allowed in JSON"},
	{"{\"a\": 1}\n/* trailing */", 0, 2, 1, "comments are not allowed in JSON"},
	{"{\"a\": }", 0, 1, 7, "expected a value, found '}'"},
	{"[,1]", 0, 1, 2, "expected a value, found ','"},
	{"{\"a\": 1} x", 0, 1, 10, "unexpected content after the JSON value"},
	{"1 2", 0, 1, 3, "unexpected content after the JSON value"},
	{"\xEF\xBB\xBF{\"a\":1,}", 0, 1, 10, "trailing comma before '}'"}, /* BOM: 3 byte columns */
	{"\r\n[\r\n\t1,\r\n\t]\r\n", 0, 3, 3, "trailing comma before ']'"},
};

static void test_malformed_table(void **state)
{
	(void)state;
	size_t n = sizeof bad_cases / sizeof bad_cases[0];
	assert_true(n >= 20);
	for (size_t i = 0; i < n; i++) {
		const struct bad_case *c = &bad_cases[i];
		size_t len = c->len ? c->len : strlen(c->text);
		struct jsonloc l;
		struct jsonloc_error err;
		jsonloc_init(&l);
		int rc = jsonloc_scan(c->text, len, &l, &err);
		if (rc != -EINVAL || err.line != c->line || err.col != c->col ||
		    strcmp(err.message, c->message) != 0)
			print_error("case %zu: got rc %d at %d:%d \"%s\", expected %d:%d \"%s\"\n", i, rc,
				    err.line, err.col, err.message, c->line, c->col, c->message);
		assert_int_equal(rc, -EINVAL);
		assert_int_equal(err.line, c->line);
		assert_int_equal(err.col, c->col);
		assert_string_equal(err.message, c->message);
		assert_int_equal(l.count, 0); /* left empty on failure */
		assert_null(jsonloc_at(&l, 0));
		jsonloc_release(&l);
	}
}

static char *nested(int depth)
{
	char *s = malloc((size_t)depth * 2 + 1);
	assert_non_null(s);
	for (int i = 0; i < depth; i++) {
		s[i] = '[';
		s[2 * depth - 1 - i] = ']';
	}
	s[2 * depth] = '\0';
	return s;
}

static void test_depth_limit(void **state)
{
	(void)state;
	struct jsonloc l;
	struct jsonloc_error err;
	jsonloc_init(&l);

	char *ok = nested(JSONLOC_MAX_DEPTH);
	assert_int_equal(jsonloc_scan(ok, strlen(ok), &l, &err), 0);
	assert_int_equal(l.count, JSONLOC_MAX_DEPTH);
	assert_int_equal(l.entries[0].end, JSONLOC_MAX_DEPTH);
	free(ok);

	char *deep = nested(JSONLOC_MAX_DEPTH + 1);
	assert_int_equal(jsonloc_scan(deep, strlen(deep), &l, &err), -EINVAL);
	assert_int_equal(err.line, 1);
	assert_int_equal(err.col, JSONLOC_MAX_DEPTH + 1);
	assert_string_equal(err.message, "nesting deeper than 256");
	free(deep);

	/* 100000 levels: bounded recursion, no stack overflow */
	char *huge = nested(100000);
	assert_int_equal(jsonloc_scan(huge, strlen(huge), &l, NULL), -EINVAL);
	free(huge);
	jsonloc_release(&l);
}

/* ---- valid documents against cJSON ------------------------------------------------------- */

static const char *const good_docs[] = {
	"{}",
	"[]",
	"0",
	"\"just a string\"",
	"  null\n",
	"[[], {}, [[]], {\"a\": {}}, [{}], \"\", 0, -0.5e-3, true, false, null]",
	"{\n"
	"\t\"name\": \"prod-ha\",\n"
	"\t\"seed\": 42,\n"
	"\t\"hosts\": [\n"
	"\t\t{\"name\": \"db1\", \"az\": \"us-east-1a\", \"volumes\": [{\"size\": 1000}, {\"size\": 2E3}]},\n"
	"\t\t{\"name\": \"db2\", \"az\": \"us-east-1b\", \"volumes\": []}\n"
	"\t],\n"
	"\t\"mirror\": {\"qos_timeout\": 8.0, \"arbiter\": null, \"async\": [true, false]}\n"
	"}\n",
	/* escapes, UTF-8, escaped keys, CRLF line ends */
	"{\"k\\\"ey\": \"a\\u00e9\\ud83d\\ude00\\n\\t\\/\",\r\n"
	" \"\xc3\xa9t\xc3\xa9\": [\"\xc3\xbc\", {\"x\": [[], {}]}, \"\xf0\x9f\x98\x80\"],\r\n"
	" \"\\u0061\": -1.5e+3, \"a2\": 1E-7, \"t\": true, \"f\": false, \"z\": null}\r\n",
	"\xEF\xBB\xBF[1, {\"b\": [2, [3, {\"c\": 4}]]}]",
};

struct walk {
	const struct jsonloc *l;
	const char *text;
	size_t next; /* index of the next entry the walk expects */
};

static enum jsonloc_type cjson_type(const cJSON *n)
{
	if (cJSON_IsObject(n))
		return JSONLOC_OBJECT;
	if (cJSON_IsArray(n))
		return JSONLOC_ARRAY;
	if (cJSON_IsString(n))
		return JSONLOC_STRING;
	if (cJSON_IsNumber(n))
		return JSONLOC_NUMBER;
	if (cJSON_IsTrue(n))
		return JSONLOC_TRUE;
	if (cJSON_IsFalse(n))
		return JSONLOC_FALSE;
	assert_true(cJSON_IsNull(n));
	return JSONLOC_NULL;
}

/* Visit n and its subtree in pre-order, checking each node against the next entry. */
static void walk(struct walk *w, const cJSON *n, size_t parent, bool member)
{
	size_t self = w->next++;
	const struct jsonloc_entry *e = jsonloc_at(w->l, self);
	assert_non_null(e);
	assert_int_equal(e->type, cjson_type(n));
	assert_int_equal(e->parent, parent);

	/* the first character matches the type: '{' exactly for objects, and so on */
	char first = w->text[e->offset];
	static const char firsts[] = {'n', 'f', 't', '?', '"', '[', '{'};
	if (e->type == JSONLOC_NUMBER)
		assert_true(first == '-' || (first >= '0' && first <= '9'));
	else
		assert_int_equal(first, firsts[e->type]);
	assert_int_equal(first == '{', cJSON_IsObject(n));
	assert_int_equal(first == '[', cJSON_IsArray(n));

	int line, col;
	jsonloc_offset_to_linecol(w->text, e->offset, &line, &col);
	assert_int_equal(e->line, line);
	assert_int_equal(e->col, col);

	if (member) {
		assert_int_not_equal(e->key_offset, JSONLOC_NONE);
		assert_true(e->key_offset < e->offset);
		assert_int_equal(w->text[e->key_offset], '"');
		jsonloc_offset_to_linecol(w->text, e->key_offset, &line, &col);
		assert_int_equal(e->key_line, line);
		assert_int_equal(e->key_col, col);
		/* keys written without escapes appear verbatim between the quotes */
		size_t klen = strlen(n->string);
		if (!memchr(w->text + e->key_offset + 1, '\\', klen + 1)) {
			assert_memory_equal(w->text + e->key_offset + 1, n->string, klen);
			assert_int_equal(w->text[e->key_offset + 1 + klen], '"');
		}
	} else {
		assert_int_equal(e->key_offset, JSONLOC_NONE);
		assert_int_equal(e->key_line, 0);
		assert_int_equal(e->key_col, 0);
	}

	for (const cJSON *c = n->child; c; c = c->next)
		walk(w, c, self, cJSON_IsObject(n));
	assert_int_equal(e->end, w->next); /* the subtree is [self, end) */
}

static void test_preorder_matches_cjson(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof good_docs / sizeof good_docs[0]; i++) {
		const char *text = good_docs[i];
		struct jsonloc l;
		struct jsonloc_error err;
		jsonloc_init(&l);
		int rc = jsonloc_scan(text, strlen(text), &l, &err);
		if (rc)
			print_error("doc %zu: %d:%d: %s\n", i, err.line, err.col, err.message);
		assert_int_equal(rc, 0);
		assert_string_equal(err.message, "");

		cJSON *root = cJSON_Parse(text);
		assert_non_null(root);
		struct walk w = {.l = &l, .text = text};
		walk(&w, root, JSONLOC_NONE, false);
		assert_int_equal(w.next, l.count); /* one entry per cJSON node, no more */
		assert_null(jsonloc_at(&l, l.count));
		cJSON_Delete(root);
		jsonloc_release(&l);
	}
}

/* Exact positions in a small tab-indented document. */
static void test_positions(void **state)
{
	(void)state;
	static const char text[] = "{\n"
				   "\t\"a\": [1,\n"
				   "\t\t\"x\"],\n"
				   "\t\"b\": {}\n"
				   "}";
	static const struct {
		enum jsonloc_type type;
		int line, col, key_line, key_col;
		size_t parent, end;
	} want[] = {
		{JSONLOC_OBJECT, 1, 1, 0, 0, JSONLOC_NONE, 5},
		{JSONLOC_ARRAY, 2, 7, 2, 2, 0, 4},
		{JSONLOC_NUMBER, 2, 8, 0, 0, 1, 3},
		{JSONLOC_STRING, 3, 3, 0, 0, 1, 4},
		{JSONLOC_OBJECT, 4, 7, 4, 2, 0, 5},
	};
	struct jsonloc l;
	jsonloc_init(&l);
	assert_int_equal(jsonloc_scan(text, sizeof text - 1, &l, NULL), 0);
	assert_int_equal(l.count, 5);
	for (size_t i = 0; i < 5; i++) {
		const struct jsonloc_entry *e = jsonloc_at(&l, i);
		assert_int_equal(e->type, want[i].type);
		assert_int_equal(e->line, want[i].line);
		assert_int_equal(e->col, want[i].col);
		assert_int_equal(e->key_line, want[i].key_line);
		assert_int_equal(e->key_col, want[i].key_col);
		assert_int_equal(e->parent, want[i].parent);
		assert_int_equal(e->end, want[i].end);
	}
	assert_string_equal(jsonloc_type_name(l.entries[1].type), "array");

	/* scanning again replaces the entries */
	assert_int_equal(jsonloc_scan("[true]", 6, &l, NULL), 0);
	assert_int_equal(l.count, 2);
	assert_int_equal(l.entries[1].type, JSONLOC_TRUE);
	jsonloc_release(&l);
	jsonloc_release(&l); /* twice is harmless */
	jsonloc_release(NULL);
}

/* The same key in different objects, or nested, is not a duplicate. */
static void test_duplicates_are_per_object(void **state)
{
	(void)state;
	static const char text[] = "{\"a\": {\"a\": {\"a\": 1}, \"b\": 2}, \"b\": [{\"a\": 1}, {\"a\": 2}]}";
	struct jsonloc l;
	jsonloc_init(&l);
	assert_int_equal(jsonloc_scan(text, sizeof text - 1, &l, NULL), 0);
	assert_int_equal(l.count, 10);
	jsonloc_release(&l);
}

static void test_offset_to_linecol(void **state)
{
	(void)state;
	static const char text[] = "ab\n\tcd\r\n\nx";
	static const struct {
		size_t off;
		int line, col;
	} cases[] = {{0, 1, 1}, {2, 1, 3}, {3, 2, 1}, {4, 2, 2}, {6, 2, 4}, {8, 3, 1}, {9, 4, 1}, {10, 4, 2}};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		int line = -1, col = -1;
		jsonloc_offset_to_linecol(text, cases[i].off, &line, &col);
		assert_int_equal(line, cases[i].line);
		assert_int_equal(col, cases[i].col);
	}
	jsonloc_offset_to_linecol(text, 4, NULL, NULL); /* both optional */

	/* a cJSON error pointer turned into a position */
	static const char bad[] = "{\n\t\"a\": [1,,]\n}";
	assert_null(cJSON_Parse(bad));
	const char *at = cJSON_GetErrorPtr();
	assert_non_null(at);
	int line, col;
	jsonloc_offset_to_linecol(bad, (size_t)(at - bad), &line, &col);
	assert_int_equal(line, 2);
	assert_true(col >= 10 && col <= 12);
}

/* Every allocation failing in turn: -ENOMEM, "out of memory", nothing leaked. */
static void test_out_of_memory(void **state)
{
	(void)state;
	static const char text[] = "{\"a\": [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17],"
				   " \"bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb\": {"
				   "\"c1\":1,\"c2\":2,\"c3\":3,\"c4\":4,\"c5\":5,\"c6\":6,\"c7\":7,\"c8\":8,"
				   "\"c9\":9,\"c10\":10,\"c11\":11,\"c12\":12,\"c13\":13,\"c14\":14,\"c15\":15,"
				   "\"c16\":16,\"c17\":17}}";
	int failures = 0;
	for (long budget = 0;; budget++) {
		struct jsonloc l;
		struct jsonloc_error err;
		jsonloc_init(&l);
		l.alloc_budget = budget;
		int rc = jsonloc_scan(text, sizeof text - 1, &l, &err);
		if (rc == 0) {
			assert_int_equal(l.count, 37);
			jsonloc_release(&l);
			break;
		}
		assert_int_equal(rc, -ENOMEM);
		assert_string_equal(err.message, "out of memory");
		assert_int_equal(l.count, 0);
		assert_null(l.entries);
		jsonloc_release(&l);
		failures++;
		assert_true(budget < 100);
	}
	assert_true(failures >= 3); /* entries, keys and key arena each had to grow */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_malformed_table),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_preorder_matches_cjson),
		cmocka_unit_test(test_positions),
		cmocka_unit_test(test_duplicates_are_per_object),
		cmocka_unit_test(test_offset_to_linecol),
		cmocka_unit_test(test_out_of_memory),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
