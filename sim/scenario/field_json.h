/* field_json.h: field tables (fields.h) against JSON: parse, check, fill defaults, free,
 * and generate the reference (Markdown) and a JSON Schema.
 *
 * Parsing never stops at the first problem: every error of an object is reported to the
 * diag (diag.h) with the JSON path of the value and, when the locator knows it, the file
 * and line:col, and parsing goes on with the next field, so a user sees all errors of a file
 * in one pass. A config that had errors is still fully initialised (defaults where values
 * were bad) and must still be released with field_release.
 */
#ifndef TOPSIM_FIELD_JSON_H
#define TOPSIM_FIELD_JSON_H

#include <stdbool.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "diag.h"
#include "fields.h"

struct field_location {
	const char *file; /* NULL when unknown */
	int line, col;    /* 1-based; 0 when unknown */
};

/* Tells where a JSON node came from (a scenario may merge several files and --set values).
 * `key` asks for the position of the member's key rather than its value. Returns false when
 * unknown. */
typedef bool (*field_locate_fn)(void *arg, const cJSON *node, bool key,
				struct field_location *out /* OUT */);

/* Called once for every array element (FIELD_ARRAY item) whose own fields had errors, or
 * that was not an object: `element` points at the item inside the parsed config. Errors in
 * the element's own nested array elements do not make it failed (those elements are
 * reported themselves). Checks of a whole configuration use this to skip failed elements. */
typedef void (*field_failed_fn)(void *arg, const void *element);

struct field_ctx {
	struct diag *diag;        /* where errors go; not owned */
	field_locate_fn locate;   /* may be NULL */
	void *locate_arg;
	const char *file;         /* file named when the locator knows nothing; may be NULL */
	field_failed_fn failed;   /* may be NULL */
	void *failed_arg;
};

/* The longest duration any field accepts unless its table gives its own maximum: one year
 * (365 days). It keeps every sum of simulated times far from int64 overflow. Durations in
 * distributions obey it too: each duration parameter, and the distribution's mean. */
#define FIELD_DURATION_CAP_TEXT "365d"
#define FIELD_DURATION_CAP_NS ((sim_time)365 * 86400 * 1000000000)

/* Set every field of `out` (t->size bytes, any prior content ignored) to its default.
 * Arrays and lists start empty, strings NULL unless defaulted. Returns 0, or -EINVAL when a
 * table's own default does not parse (a bug in the table), or -ENOMEM. */
int field_defaults(const struct field_table *t, void *out);

/* Fill defaults, then read `obj` (a JSON object) into `out` per table t. Errors go to
 * ctx->diag with paths under `path` (e.g. "$" or "$.hosts[2]"). Returns the number of
 * errors reported by this call (0 = clean). `out` must be released with field_release.
 *
 * Whatever the input, the result keeps these shapes, so that later checks cannot trip on
 * it: a required string is never NULL ("" when missing or unusable); a string list holds
 * no NULL ("" for an element that was not a string); a required enum whose value was
 * missing or unusable is -1; an array element that was not an object holds the same
 * values as an empty object would, and is reported to ctx->failed. */
int field_parse(const struct field_table *t, const cJSON *obj, void *out, struct field_ctx *ctx,
		const char *path);

/* Free what a parsed config owns (strings, arrays, lists, empirical tables), recursively,
 * and zero it. NULL obj is a no-op. */
void field_release(const struct field_table *t, void *obj);

/* Render one field's value of `obj` in scenario syntax into buf (for `topsim show` and
 * docs). Objects and arrays render as "{...}" and "[N]". */
void field_format_value(const struct field *f, const void *obj, char *buf, size_t size);

/* Look up a field by JSON key in a table; NULL when absent. */
const struct field *field_find(const struct field_table *t, const char *name);

/* Write the Markdown reference of table `root` and every table reachable from it, each
 * section once, in a deterministic order. */
void field_schema_markdown(const struct field_table *root, FILE *out);

/* The same as sections of a manual page (roff: a .SS per table, a .TP per field), for
 * topsim-scenario(5). */
void field_schema_man(const struct field_table *root, FILE *out);

/* Every path --set can assign, one a line ("mirror.qos_timeout", "hosts[0].az"; an array
 * of objects also as a whole, "hosts"), for shell completion. Element 0 stands for any
 * index or name. */
void field_schema_paths(const struct field_table *root, FILE *out);

/* A JSON Schema (draft 2020-12) of `root` as the root of a file the scenario loader reads:
 * every table reachable from it is in $defs twice, NAME and NAME-overlay (without required
 * keys, for a file with "include", whose required keys may come from what it includes); the
 * root also accepts the loader's "include" and "catalog". NULL when out of memory. Caller
 * frees it with cJSON_Delete. */
cJSON *field_schema_json(const struct field_table *root);

#endif
