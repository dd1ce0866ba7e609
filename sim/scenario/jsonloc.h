/* jsonloc.h: source positions for JSON values, and precise syntax errors.
 *
 * cJSON builds a tree but keeps no positions, and on a syntax error it only returns a pointer
 * to where it stopped. jsonloc is the other half: a strict RFC 8259 scanner (no tree) that
 * records where every value starts and reports the first syntax error with a message a
 * person can act on. The scenario loader runs jsonloc_scan first, then cJSON_Parse on the
 * same text, and walks both side by side.
 *
 * Entries are in pre-order: the value itself, then for an object each member's value in
 * order, for an array each element in order. That is the order of a recursive walk of the
 * cJSON tree (node, then node->child, then child->next ...), so the i-th cJSON node visited
 * has entry i. jsonloc is stricter than cJSON (it rejects duplicate keys, leading zeros,
 * trailing commas, comments, invalid UTF-8, ...), so any text jsonloc accepts, cJSON accepts
 * too and the two agree on the value count.
 *
 * Positions: lines and columns are 1-based. A line ends at '\n' ("\r\n" works: the '\r' is
 * the last byte of its line). Columns count BYTES from the start of the line, so a tab is one
 * column and a multi-byte UTF-8 character several (diag_print turns byte columns into a
 * correctly placed caret). A UTF-8 byte order mark at the start is skipped, as cJSON does,
 * but its three bytes still count as columns of line 1.
 *
 * Ownership: struct jsonloc is caller-allocated (jsonloc_init / jsonloc_release) and owns its
 * entries array. The scanned text is not kept; offsets refer to the caller's text.
 */
#ifndef TOPSIM_JSONLOC_H
#define TOPSIM_JSONLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JSONLOC_MAX_DEPTH 256     /* deepest nesting of arrays and objects accepted */
#define JSONLOC_NONE SIZE_MAX      /* "no such index or offset" */

enum jsonloc_type {
	JSONLOC_NULL,
	JSONLOC_FALSE,
	JSONLOC_TRUE,
	JSONLOC_NUMBER,
	JSONLOC_STRING,
	JSONLOC_ARRAY,
	JSONLOC_OBJECT,
};

struct jsonloc_entry {
	size_t offset;          /* byte offset in the text of the value's first character */
	size_t key_offset;      /* object members: offset of the key's opening quote; else JSONLOC_NONE */
	size_t parent;          /* index of the enclosing array or object; JSONLOC_NONE for the root */
	size_t end;             /* one past the last entry of this value's subtree: the subtree
	                         * is entries [i, end); a scalar has end == i + 1 */
	int line, col;          /* position of the value's first character, 1-based, col in bytes */
	int key_line, key_col;  /* object members: position of the key's opening quote; else 0 */
	enum jsonloc_type type; /* what the value is (from its first character) */
};

struct jsonloc {
	struct jsonloc_entry *entries; /* count entries in pre-order; owned */
	size_t count;
	size_t capacity;
	long alloc_budget;             /* testing only: allocations allowed before they fail
	                                * with -ENOMEM; -1 (the default) means no limit */
};

/* The first syntax error of a scan. line and col are 1-based (col in bytes), as for entries;
 * message follows the house rules (lowercase, no trailing period, subject quoted). */
struct jsonloc_error {
	int line, col;
	char message[160];
	bool quotes_text; /* message quotes bytes of the text (a token, a key, a character):
			   * callers showing errors of files they must not disclose (an include
			   * naming /etc/shadow) print a message without it */
};

/* Initialise an empty table. Cannot fail. */
void jsonloc_init(struct jsonloc *l);

/* Free the table's entries and make it empty again. Accepts NULL; safe to call twice. */
void jsonloc_release(struct jsonloc *l);

/* Scan text[0, len) (need not be NUL-terminated; an embedded NUL is an error) as one JSON
 * document and record one entry per value in out, which must have been initialised with
 * jsonloc_init; its previous entries are discarded.
 * Returns 0, -EINVAL on a syntax error (the first one is described in *err), or -ENOMEM
 * (err says "out of memory"). On failure out is left empty. err may be NULL; on success
 * err->message is "" and line, col are 0. Nesting deeper than JSONLOC_MAX_DEPTH is an error,
 * so the scan's recursion is bounded. */
int jsonloc_scan(const char *text, size_t len, struct jsonloc *out, struct jsonloc_error *err);

/* Entry i, or NULL when i >= l->count. */
const struct jsonloc_entry *jsonloc_at(const struct jsonloc *l, size_t i);

/* Line and column (1-based, col in bytes, same rules as jsonloc_scan) of byte offset in
 * text: turns a cJSON_GetErrorPtr() into a position (offset = ptr - text). The caller
 * guarantees text has at least offset bytes. line or col may be NULL. Cannot fail. */
void jsonloc_offset_to_linecol(const char *text, size_t offset, int *line, int *col);

/* Name of a type for messages: "null", "false", "true", "number", "string", "array",
 * "object". */
const char *jsonloc_type_name(enum jsonloc_type t);

#endif
