/* diag.h: diagnostics accumulated over a whole scenario load.
 *
 * The loader reports every problem it finds into one struct diag and keeps going, so a file
 * with five mistakes shows five messages in one run (SQLite's Parse with nErr). At the end
 * the caller prints them all and decides by diag_error_count() whether to go on.
 *
 * Printed form (diag_print), one block per item in the order reported:
 *
 *   scenarios/ha.json:12:17: error: $.hosts[2].volumes[0].size: invalid number "01"
 *    	"size": 01,
 *    	        ^
 *
 *   - the position part is "file:line:col", "file:line" when col is 0, "file" when line is
 *     0; without a file, the block starts at the severity ("error: ...");
 *   - when there is a JSON path, it follows the severity: "error: $.a.b: message";
 *   - when the file's text was registered (diag_add_source) and the line exists, the source
 *     line follows, prefixed by one space, and, when col is known, a caret line under it.
 *     Columns count bytes (as jsonloc does); the caret line copies the tabs of the source
 *     line and puts one space per other character (UTF-8 continuation bytes take none), so
 *     it lines up whatever the tab width. Wide (East Asian) characters are not accounted for.
 *   - finally, when at least two errors and warnings were reported, a summary line such as
 *     "2 errors, 1 warning". Notes are not counted: they explain the item before them. A
 *     single diagnostic needs no summary.
 *   - if items could not be stored for lack of memory, a last line says how many.
 *
 * Volume is bounded: at most DIAG_SHOWN_PER_FILE errors and warnings are kept per file
 * (items without a file count as one file); later ones are counted but not stored, and
 * diag_print ends with a line per such file, before the summary:
 *   scenarios/big.json: 5049 more errors not shown
 * A note reported right after a hidden item is hidden with it.
 *
 * Messages follow git's rules: lowercase first word, no trailing period, subject quoted:
 *   unknown field "sise" (did you mean "size"?)
 *
 * Ownership: struct diag is caller-allocated (diag_init / diag_release) and owns copies of
 * everything passed to it; callers keep their own strings. Not thread-safe: one struct diag
 * per load.
 */
#ifndef TOPSIM_DIAG_H
#define TOPSIM_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#if defined(__GNUC__)
#define DIAG_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define DIAG_PRINTF(f, a)
#endif

enum diag_severity {
	DIAG_ERROR,
	DIAG_WARNING,
	DIAG_NOTE,
};

struct diag_item {
	enum diag_severity severity;
	char *file;    /* file name, or NULL */
	int line, col; /* 1-based; 0 = unknown (col in bytes) */
	char *path;    /* JSON path such as "$.hosts[2].volumes[0].size", or NULL */
	char *message; /* formatted message, never NULL */
};

/* Errors and warnings reported against one file, to cap what is kept. */
struct diag_file_tally {
	char *file;                    /* NULL: items without a file */
	size_t shown;                  /* errors and warnings stored */
	size_t hidden_errors, hidden_warnings;
};

#define DIAG_SHOWN_PER_FILE 50

struct diag_source {
	char *file; /* name, as given to diag_add_source */
	char *text; /* copy of the text, NUL-terminated */
	size_t len; /* bytes of text, without the added NUL */
};

struct diag {
	struct diag_item *items; /* in the order reported; owned */
	size_t count, capacity;
	struct diag_source *sources; /* registered texts; owned */
	size_t nsources, sources_capacity;
	size_t errors, warnings, notes; /* reported, including those that could not be stored */
	size_t lost;                    /* items dropped for lack of memory */
	size_t hidden;                  /* errors and warnings over DIAG_SHOWN_PER_FILE */
	struct diag_file_tally *tallies; /* one per file reported against; owned */
	size_t ntallies, tallies_capacity;
	bool last_hidden;               /* the last error or warning was hidden */
	long alloc_budget;              /* testing only: allocations allowed before they fail;
	                                 * -1 (the default) means no limit */
};

/* Initialise an empty set of diagnostics. Cannot fail. */
void diag_init(struct diag *d);

/* Free everything and make d empty again. Accepts NULL; safe to call twice. */
void diag_release(struct diag *d);

/* Register the text of file (len bytes, copied; need not be NUL-terminated) so that
 * diag_print can show source lines of items reported against that file name. Registering a
 * name again replaces its text. Returns 0 or -ENOMEM (printing then goes without source
 * lines for that file). */
int diag_add_source(struct diag *d, const char *file, const char *text, size_t len);

/* Record one diagnostic. file and path may be NULL; line and col 0 when unknown; fmt is
 * printf-style. Everything is copied. Cannot fail: out of memory, the item is counted in
 * its severity's count and in d->lost but not stored. Beyond DIAG_SHOWN_PER_FILE errors
 * and warnings for its file, it is counted in its severity's count and d->hidden only. */
DIAG_PRINTF(7, 8)
void diag_report(struct diag *d, enum diag_severity sev, const char *file, int line, int col,
		 const char *path, const char *fmt, ...);

size_t diag_error_count(const struct diag *d);

/* Whether a further error against file would be stored (its file is below the cap).
 * Lets callers skip costly work (locating, suggestions) for a message nobody will see. */
bool diag_has_room(const struct diag *d, const char *file);
size_t diag_warning_count(const struct diag *d);

/* Stored items, for tests and for callers that render diagnostics themselves. diag_item
 * returns NULL when i >= diag_count(d). */
size_t diag_count(const struct diag *d);
const struct diag_item *diag_item(const struct diag *d, size_t i);

/* "error", "warning" or "note". */
const char *diag_severity_name(enum diag_severity sev);

/* Print every item, then the summary, as described at the top of this file. */
void diag_print(const struct diag *d, FILE *out);

/* "Did you mean": the candidate closest to word by optimal-string-alignment distance
 * (Levenshtein plus adjacent transpositions), compared without regard to ASCII case, if that
 * distance is at most max(1, strlen(word) / 3); otherwise NULL. Ties go to the earliest
 * candidate, so the answer is deterministic. NULL candidates are skipped; words or
 * candidates longer than DIAG_SUGGEST_MAX bytes are never matched. Returns a pointer into
 * candidates (not a copy). Cannot fail. */
#define DIAG_SUGGEST_MAX 128
const char *diag_suggest(const char *word, const char *const *candidates, size_t n);

#endif
