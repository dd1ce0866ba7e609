/* jsondoc.h: JSON documents with source positions: load, include, merge, --set overrides.
 *
 * A jsondoc reads JSON files, reports syntax errors precisely (jsonloc.h) to a diag, parses
 * them with cJSON and remembers, for every node, the file and line:col it came from, so that
 * errors found later on the merged tree still point into the right file. It is the
 * field_locate_fn behind field_json.h.
 *
 * Ownership: trees returned by jsondoc functions belong to the caller (free with
 * cJSON_Delete). The jsondoc owns the file names and texts it read (the diag keeps its own
 * copies for printing carets); positions stay valid until jsondoc_release, which must come
 * after the last lookup. A node created or moved after loading keeps the position it was
 * registered with.
 */
#ifndef TOPSIM_JSONDOC_H
#define TOPSIM_JSONDOC_H

#include <stdbool.h>
#include <stddef.h>

#include <cjson/cJSON.h>

#include "diag.h"
#include "field_json.h"

struct jsondoc_pos;

struct jsondoc {
	struct jsondoc_pos *slots; /* open-addressing map: node pointer -> position */
	size_t slot_count;         /* power of two */
	size_t used;
	char **files;              /* names of files read, owned */
	size_t file_count;
	size_t set_count;          /* --set assignments applied, to name their sources */
	const char *include_root;  /* set by the caller before loading: includes must resolve
				    * (symbolic links followed) to a file under this directory;
				    * NULL: anywhere. Not owned. */
};

/* Bounds on what one load reads, so that no input can exhaust memory or time. */
#define JSONDOC_FILE_MAX ((size_t)16 << 20) /* bytes of one file: 16 MiB */
#define JSONDOC_INCLUDES_MAX 256            /* include statements followed per load */

void jsondoc_init(struct jsondoc *d);
void jsondoc_release(struct jsondoc *d);

/* Parse text (named `name` in messages) into a tree, registering positions and the source
 * with diag. On a syntax error, reports it (file:line:col, source line, caret) and returns
 * NULL; NULL also on out of memory (reported). */
cJSON *jsondoc_parse(struct jsondoc *d, const char *name, const char *text, size_t len,
		     struct diag *diag);

/* Read and parse a file. A missing or unreadable file is reported as
 * `FILE: error: cannot read "FILE": reason` and gives NULL. Only regular files are read
 * (a FIFO, a device such as /dev/zero or a directory is refused without reading or
 * blocking), and at most JSONDOC_FILE_MAX bytes. */
cJSON *jsondoc_load_file(struct jsondoc *d, const char *path, struct diag *diag);

/* Load a scenario file with its includes: a top-level "include" (a path or an array of
 * paths, relative to the including file's directory) names files loaded first, in order,
 * each overlaid by the next and finally by the including file itself. Overlay rules:
 * objects merge key by key; arrays of objects that all have a "name" merge element by
 * name (same name: merged; new name: appended in order); anything else replaces.
 * Cycles and nesting deeper than 16 are errors.
 *
 * Included files are untrusted input: an include must resolve under d->include_root when
 * set; each file is read and parsed once per load, however often it is included (a
 * "diamond" costs one read, not 2^depth); at most JSONDOC_INCLUDES_MAX include statements
 * are followed; and an included file's text is never quoted in a message (a syntax error
 * names the file and line:col only, so including /etc/shadow discloses nothing). Returns
 * the merged tree without "include", or NULL after reporting errors. */
cJSON *jsondoc_load_with_includes(struct jsondoc *d, const char *path, struct diag *diag);

/* Apply one `--set path=value` override to root. path is dot-separated keys with optional
 * [index] or [name] selectors for arrays ("mirror.qos_timeout", "hosts[db-a].instance_type",
 * "hosts[0].az"); missing objects along the way are created. value is parsed as JSON when it
 * is valid JSON (numbers, true, {...}), otherwise taken as a string ("2s"). Errors are
 * reported at file "--set #N" (the N-th assignment) with the column in it. Returns 0 or -EINVAL. */
int jsondoc_apply_set(struct jsondoc *d, cJSON *root, const char *assignment, struct diag *diag);

/* As jsondoc_apply_set, with errors reported at file `source` (e.g. "--duration") instead
 * of "--set #N"; source NULL behaves as jsondoc_apply_set. */
int jsondoc_apply_set_as(struct jsondoc *d, cJSON *root, const char *assignment,
			 const char *source, struct diag *diag);

/* field_locate_fn over a jsondoc (arg is the struct jsondoc *). */
bool jsondoc_locate(void *arg, const cJSON *node, bool key, struct field_location *out);

#endif
