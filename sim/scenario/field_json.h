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

struct field_ctx {
	struct diag *diag;        /* where errors go; not owned */
	field_locate_fn locate;   /* may be NULL */
	void *locate_arg;
	const char *file;         /* file named when the locator knows nothing; may be NULL */
};

/* Set every field of `out` (t->size bytes, any prior content ignored) to its default.
 * Arrays and lists start empty, strings NULL unless defaulted. Returns 0, or -EINVAL when a
 * table's own default does not parse (a bug in the table), or -ENOMEM. */
int field_defaults(const struct field_table *t, void *out);

/* Fill defaults, then read `obj` (a JSON object) into `out` per table t. Errors go to
 * ctx->diag with paths under `path` (e.g. "$" or "$.hosts[2]"). Returns the number of
 * errors reported by this call (0 = clean). `out` must be released with field_release. */
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

/* A JSON Schema (draft 2020-12) of `root`, or NULL when out of memory. Caller frees it with
 * cJSON_Delete. */
cJSON *field_schema_json(const struct field_table *root);

#endif
