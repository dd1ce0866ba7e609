/* jsondoc.c: JSON documents with positions (see jsondoc.h).
 *
 * The position map is keyed by node address. Invariant: every node of every tree handed out
 * was registered when it was created (by parse or by --set); a freed node's stale entry is
 * overwritten if its address is reused for a node created here.
 */
#include "jsondoc.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "jsonloc.h"
#include "units.h"

#define INCLUDE_DEPTH_MAX 16

struct jsondoc_pos {
	const cJSON *node; /* NULL = empty slot */
	const char *file;  /* owned by the jsondoc */
	int line, col;
	int key_line, key_col;
};

void jsondoc_init(struct jsondoc *d) { memset(d, 0, sizeof(*d)); }

void jsondoc_release(struct jsondoc *d)
{
	if (!d)
		return;
	free(d->slots);
	for (size_t i = 0; i < d->file_count; i++)
		free(d->files[i]);
	free(d->files);
	memset(d, 0, sizeof(*d));
}

static size_t ptr_hash(const void *p)
{
	uint64_t x = (uint64_t)(uintptr_t)p;
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdu;
	x ^= x >> 33;
	return (size_t)x;
}

static struct jsondoc_pos *find_slot(struct jsondoc_pos *slots, size_t count, const cJSON *node)
{
	size_t mask = count - 1, i = ptr_hash(node) & mask;
	while (slots[i].node && slots[i].node != node)
		i = (i + 1) & mask;
	return &slots[i];
}

static int register_pos(struct jsondoc *d, struct jsondoc_pos pos)
{
	if ((d->used + 1) * 2 > d->slot_count) {
		size_t count = d->slot_count ? d->slot_count * 2 : 1024;
		struct jsondoc_pos *slots = calloc(count, sizeof(*slots));
		if (!slots)
			return -ENOMEM;
		for (size_t i = 0; i < d->slot_count; i++)
			if (d->slots[i].node)
				*find_slot(slots, count, d->slots[i].node) = d->slots[i];
		free(d->slots);
		d->slots = slots;
		d->slot_count = count;
	}
	struct jsondoc_pos *slot = find_slot(d->slots, d->slot_count, pos.node);
	if (!slot->node)
		d->used++;
	*slot = pos;
	return 0;
}

bool jsondoc_locate(void *arg, const cJSON *node, bool key, struct field_location *out)
{
	struct jsondoc *d = arg;
	if (!d->slot_count || !node)
		return false;
	const struct jsondoc_pos *p = find_slot(d->slots, d->slot_count, node);
	if (!p->node)
		return false;
	out->file = p->file;
	out->line = key && p->key_line ? p->key_line : p->line;
	out->col = key && p->key_line ? p->key_col : p->col;
	return true;
}

static const char *keep_file_name(struct jsondoc *d, const char *name)
{
	for (size_t i = 0; i < d->file_count; i++)
		if (strcmp(d->files[i], name) == 0)
			return d->files[i];
	char **grown = realloc(d->files, sizeof(*grown) * (d->file_count + 1));
	if (!grown)
		return NULL;
	d->files = grown;
	if (!(d->files[d->file_count] = strdup(name)))
		return NULL;
	return d->files[d->file_count++];
}

/* Walk the cJSON tree in pre-order beside the jsonloc entries, registering positions. */
static int register_tree(struct jsondoc *d, const char *file, const cJSON *node,
			 const struct jsonloc *loc, size_t *index)
{
	const struct jsonloc_entry *e = jsonloc_at(loc, (*index)++);
	if (!e)
		return -EINVAL;
	struct jsondoc_pos pos = {node, file, e->line, e->col, e->key_line, e->key_col};
	if (register_pos(d, pos) < 0)
		return -ENOMEM;
	for (const cJSON *child = node->child; child; child = child->next)
		if ((cJSON_IsArray(node) || cJSON_IsObject(node)) &&
		    register_tree(d, file, child, loc, index) < 0)
			return -ENOMEM;
	return 0;
}

/* jsondoc_parse; disclose = false for text the user may not be allowed to see (an
 * included file): it is registered for source lines only once it parsed as JSON, and a
 * syntax error that would quote it is reported without the quote. */
static cJSON *parse_text(struct jsondoc *d, const char *name, const char *text, size_t len,
			 bool disclose, struct diag *diag)
{
	const char *file = keep_file_name(d, name);
	if (!file || (disclose && diag_add_source(diag, file, text, len) < 0)) {
		diag_report(diag, DIAG_ERROR, name, 0, 0, NULL, "out of memory");
		return NULL;
	}
	struct jsonloc loc;
	struct jsonloc_error err;
	jsonloc_init(&loc);
	int rc = jsonloc_scan(text, len, &loc, &err);
	if (rc < 0) {
		if (disclose || !err.quotes_text)
			diag_report(diag, DIAG_ERROR, file, err.line, err.col, NULL, "%s",
				    err.message);
		else
			diag_report(diag, DIAG_ERROR, file, err.line, err.col, NULL,
				    "included file \"%s\" is not valid JSON (its text is not shown)",
				    name);
		jsonloc_release(&loc);
		return NULL;
	}
	if (!disclose && diag_add_source(diag, file, text, len) < 0) {
		diag_report(diag, DIAG_ERROR, name, 0, 0, NULL, "out of memory");
		jsonloc_release(&loc);
		return NULL;
	}
	const char *end = NULL;
	cJSON *root = cJSON_ParseWithLengthOpts(text, len, &end, 0);
	if (!root) {
		int line = 0, col = 0;
		if (end && end >= text && end <= text + len)
			jsonloc_offset_to_linecol(text, (size_t)(end - text), &line, &col);
		diag_report(diag, DIAG_ERROR, file, line, col, NULL, "invalid JSON");
		jsonloc_release(&loc);
		return NULL;
	}
	size_t index = 0;
	if (register_tree(d, file, root, &loc, &index) < 0 || index != loc.count) {
		diag_report(diag, DIAG_ERROR, file, 0, 0, NULL,
			    "internal error: positions do not match the parsed tree");
		cJSON_Delete(root);
		root = NULL;
	}
	jsonloc_release(&loc);
	return root;
}

cJSON *jsondoc_parse(struct jsondoc *d, const char *name, const char *text, size_t len,
		     struct diag *diag)
{
	return parse_text(d, name, text, len, true, diag);
}

/* Read a whole regular file of at most JSONDOC_FILE_MAX bytes into a malloc'd buffer.
 * Opens without blocking (a FIFO would otherwise wait for a writer) and checks the type on
 * the open descriptor. Returns 0, or a positive errno-like reason with *why set to a
 * message for the reasons errno has no words for. */
static int read_regular_file(const char *path, char **text /* OUT */, size_t *len /* OUT */,
			     const char **why /* OUT */)
{
	*text = NULL;
	*len = 0;
	*why = NULL;
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return errno;
	struct stat st;
	int rc = 0;
	if (fstat(fd, &st) < 0) {
		rc = errno;
		goto out_close;
	}
	if (S_ISDIR(st.st_mode)) {
		rc = EISDIR;
		goto out_close;
	}
	if (!S_ISREG(st.st_mode)) {
		*why = "not a regular file";
		rc = EINVAL;
		goto out_close;
	}
	if ((uint64_t)st.st_size > JSONDOC_FILE_MAX) {
		*why = "larger than 16 MiB";
		rc = EFBIG;
		goto out_close;
	}
	/* The size may change under us: read at most one byte more than allowed. */
	size_t cap = (size_t)st.st_size + 1;
	char *buf = malloc(cap + 1);
	if (!buf) {
		rc = ENOMEM;
		goto out_close;
	}
	size_t used = 0;
	for (;;) {
		if (used == cap) {
			if (cap > JSONDOC_FILE_MAX)
				break;
			size_t ncap = cap * 2 > JSONDOC_FILE_MAX + 1 ? JSONDOC_FILE_MAX + 1 : cap * 2;
			char *grown = realloc(buf, ncap + 1);
			if (!grown) {
				free(buf);
				rc = ENOMEM;
				goto out_close;
			}
			buf = grown;
			cap = ncap;
		}
		ssize_t n = read(fd, buf + used, cap - used);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = errno;
			free(buf);
			goto out_close;
		}
		if (n == 0)
			break;
		used += (size_t)n;
	}
	if (used > JSONDOC_FILE_MAX) {
		free(buf);
		*why = "larger than 16 MiB";
		rc = EFBIG;
		goto out_close;
	}
	buf[used] = '\0';
	*text = buf;
	*len = used;
out_close:
	close(fd);
	return rc;
}

static cJSON *load_file(struct jsondoc *d, const char *path, bool disclose, struct diag *diag)
{
	char *text;
	size_t len;
	const char *why;
	int err = read_regular_file(path, &text, &len, &why);
	if (err) {
		diag_report(diag, DIAG_ERROR, path, 0, 0, NULL, "cannot read \"%s\": %s", path,
			    why ? why : strerror(err));
		return NULL;
	}
	cJSON *root = parse_text(d, path, text, len, disclose, diag);
	free(text);
	return root;
}

cJSON *jsondoc_load_file(struct jsondoc *d, const char *path, struct diag *diag)
{
	return load_file(d, path, true, diag);
}

/* --- overlay -------------------------------------------------------------------------------- */

static bool all_named_objects(const cJSON *array)
{
	const cJSON *el;
	cJSON_ArrayForEach(el, array)
	{
		if (!cJSON_IsObject(el) || !cJSON_IsString(cJSON_GetObjectItemCaseSensitive(el, "name")))
			return false;
	}
	return true;
}

static cJSON *find_named(cJSON *array, const char *name)
{
	cJSON *el;
	cJSON_ArrayForEach(el, array)
	{
		const cJSON *n = cJSON_GetObjectItemCaseSensitive(el, "name");
		if (cJSON_IsString(n) && strcmp(n->valuestring, name) == 0)
			return el;
	}
	return NULL;
}

static void overlay(cJSON *base, cJSON *top);

/* Move overlay member `item` (detached; item->string is its key) into base. */
static void overlay_member(cJSON *base, cJSON *item)
{
	cJSON *existing = cJSON_GetObjectItemCaseSensitive(base, item->string);
	if (existing && cJSON_IsObject(existing) && cJSON_IsObject(item)) {
		overlay(existing, item);
		cJSON_Delete(item);
	} else if (existing && cJSON_IsArray(existing) && cJSON_IsArray(item) &&
		   all_named_objects(existing) && all_named_objects(item) &&
		   cJSON_GetArraySize(item) > 0) {
		while (item->child) {
			cJSON *el = cJSON_DetachItemViaPointer(item, item->child);
			const char *name = cJSON_GetObjectItemCaseSensitive(el, "name")->valuestring;
			cJSON *match = find_named(existing, name);
			if (match) {
				overlay(match, el);
				cJSON_Delete(el);
			} else {
				cJSON_AddItemToArray(existing, el);
			}
		}
		cJSON_Delete(item);
	} else if (existing) {
		cJSON_ReplaceItemViaPointer(base, existing, item); /* same key: item->string stays */
	} else {
		cJSON_AddItemToObject(base, item->string, item);
	}
}

/* Merge top's members into base, consuming them (top is left empty). */
static void overlay(cJSON *base, cJSON *top)
{
	while (top->child)
		overlay_member(base, cJSON_DetachItemViaPointer(top, top->child));
}

/* A file's merged tree (its includes applied), kept for the rest of the load so that a
 * file included several times is read and parsed once. */
struct include_cache_entry {
	char *real;  /* canonical path */
	cJSON *tree; /* pristine: handed out as position-carrying copies */
};

struct include_state {
	const char *paths[INCLUDE_DEPTH_MAX + 1]; /* canonical paths being loaded, outermost first */
	int depth;
	struct include_cache_entry *cache;
	size_t cache_count, cache_capacity;
	size_t includes;      /* include statements followed so far */
	char root[PATH_MAX];  /* canonical include root; "" when unrestricted */
};

static char *dir_join(const char *including, const char *rel)
{
	if (rel[0] == '/')
		return strdup(rel);
	const char *slash = strrchr(including, '/');
	size_t dir_len = slash ? (size_t)(slash - including) + 1 : 0;
	char *out = malloc(dir_len + strlen(rel) + 1);
	if (!out)
		return NULL;
	memcpy(out, including, dir_len);
	strcpy(out + dir_len, rel);
	return out;
}

/* Register for every node of copy (a cJSON_Duplicate of orig) the position of its
 * original, walking both trees in step. */
static int copy_positions(struct jsondoc *d, const cJSON *orig, const cJSON *copy)
{
	for (; orig && copy; orig = orig->next, copy = copy->next) {
		const struct jsondoc_pos *p = d->slot_count
						      ? find_slot(d->slots, d->slot_count, orig)
						      : NULL;
		if (p && p->node) {
			struct jsondoc_pos pos = *p;
			pos.node = copy;
			if (register_pos(d, pos) < 0)
				return -ENOMEM;
		}
		if (copy_positions(d, orig->child, copy->child) < 0)
			return -ENOMEM;
	}
	return 0;
}

/* A copy of tree whose nodes carry the original's positions, or NULL (out of memory). */
static cJSON *copy_tree(struct jsondoc *d, const cJSON *tree)
{
	cJSON *copy = cJSON_Duplicate(tree, true);
	if (!copy)
		return NULL;
	const struct jsondoc_pos *p = find_slot(d->slots, d->slot_count, tree);
	if (p->node) {
		struct jsondoc_pos pos = *p;
		pos.node = copy;
		if (register_pos(d, pos) < 0)
			goto out_delete;
	}
	if (copy_positions(d, tree->child, copy->child) < 0)
		goto out_delete;
	return copy;
out_delete:
	cJSON_Delete(copy);
	return NULL;
}

static const cJSON *cached_tree(const struct include_state *st, const char *real)
{
	for (size_t i = 0; i < st->cache_count; i++)
		if (strcmp(st->cache[i].real, real) == 0)
			return st->cache[i].tree;
	return NULL;
}

/* Keep tree (consumed) as the merged tree of real. Returns 0 or -ENOMEM (tree freed). */
static int cache_tree(struct include_state *st, const char *real, cJSON *tree)
{
	if (st->cache_count == st->cache_capacity) {
		size_t cap = st->cache_capacity ? st->cache_capacity * 2 : 8;
		struct include_cache_entry *grown = realloc(st->cache, cap * sizeof(*grown));
		if (!grown)
			goto out_free;
		st->cache = grown;
		st->cache_capacity = cap;
	}
	char *copy = strdup(real);
	if (!copy)
		goto out_free;
	st->cache[st->cache_count++] = (struct include_cache_entry){copy, tree};
	return 0;
out_free:
	cJSON_Delete(tree);
	return -ENOMEM;
}

static void report_at(struct jsondoc *d, struct diag *diag, const cJSON *node, const char *fmt,
		      ...) __attribute__((format(printf, 4, 5)));

/* An error about the include statement `node` ("$.include"). */
static void report_at(struct jsondoc *d, struct diag *diag, const cJSON *node, const char *fmt,
		      ...)
{
	char msg[PATH_MAX + 256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	struct field_location loc = {NULL, 0, 0};
	jsondoc_locate(d, node, false, &loc);
	diag_report(diag, DIAG_ERROR, loc.file, loc.line, loc.col, "$.include", "%s", msg);
}

/* Whether canonical path lies under canonical directory root. */
static bool under_root(const char *root, const char *path)
{
	size_t n = strlen(root);
	if (n == 1 && root[0] == '/')
		return true;
	return strncmp(path, root, n) == 0 && (path[n] == '/' || path[n] == '\0');
}

static cJSON *load_recursive(struct jsondoc *d, const char *path, struct diag *diag,
			     struct include_state *st, const cJSON *from);

/* path made absolute (against the current directory) with "." and ".." resolved as text,
 * for a file that does not exist (realpath needs one that does). Returns 0 or -1. */
static int lexical_path(const char *path, char *out, size_t size)
{
	char joined[2 * PATH_MAX];
	if (path[0] == '/') {
		snprintf(joined, sizeof(joined), "%s", path);
	} else {
		char cwd[PATH_MAX];
		if (!getcwd(cwd, sizeof(cwd)))
			return -1;
		snprintf(joined, sizeof(joined), "%s/%s", cwd, path);
	}
	size_t used = 0;
	out[0] = '\0';
	for (char *seg = strtok(joined, "/"); seg; seg = strtok(NULL, "/")) {
		if (strcmp(seg, ".") == 0)
			continue;
		if (strcmp(seg, "..") == 0) {
			char *slash = strrchr(out, '/');
			used = slash ? (size_t)(slash - out) : 0;
			out[used] = '\0';
			continue;
		}
		size_t n = strlen(seg);
		if (used + n + 2 > size)
			return -1;
		out[used++] = '/';
		memcpy(out + used, seg, n + 1);
		used += n;
	}
	if (!used)
		snprintf(out, size, "/");
	return 0;
}

/* The merged tree of the file that include statement `from` names (path, relative to the
 * including file already resolved), or NULL after reporting. */
static cJSON *load_include(struct jsondoc *d, const char *path, struct diag *diag,
			   struct include_state *st, const cJSON *from)
{
	if (++st->includes > JSONDOC_INCLUDES_MAX) {
		report_at(d, diag, from, "more than %d includes in one scenario",
			  JSONDOC_INCLUDES_MAX);
		return NULL;
	}
	char real[PATH_MAX];
	if (!realpath(path, real)) {
		int err = errno;
		/* Whether a file outside the root exists is not the scenario's business. */
		char lexical[PATH_MAX];
		if (st->root[0] && lexical_path(path, lexical, sizeof(lexical)) == 0 &&
		    !under_root(st->root, lexical))
			report_at(d, diag, from,
				  "included file \"%s\" is outside the include root \"%s\" (allow it "
				  "with --include-root DIR)",
				  path, st->root);
		else
			report_at(d, diag, from, "cannot read included file \"%s\": %s", path,
				  strerror(err));
		return NULL;
	}
	if (st->root[0] && !under_root(st->root, real)) {
		report_at(d, diag, from,
			  "included file \"%s\" is outside the include root \"%s\" (allow it with "
			  "--include-root DIR)",
			  path, st->root);
		return NULL;
	}
	for (int i = 0; i < st->depth; i++) {
		if (strcmp(st->paths[i], real) == 0) {
			report_at(d, diag, from,
				  "include cycle: \"%s\" includes itself through its includes", path);
			return NULL;
		}
	}
	const cJSON *cached = cached_tree(st, real);
	if (cached) {
		cJSON *copy = copy_tree(d, cached);
		if (!copy)
			report_at(d, diag, from, "out of memory");
		return copy;
	}
	struct stat sb;
	int err = stat(real, &sb) < 0 ? errno : S_ISDIR(sb.st_mode) ? EISDIR : 0;
	if (err) {
		report_at(d, diag, from, "cannot read included file \"%s\": %s", path,
			  strerror(err));
		return NULL;
	}
	if (!S_ISREG(sb.st_mode)) {
		report_at(d, diag, from, "cannot read included file \"%s\": not a regular file",
			  path);
		return NULL;
	}
	cJSON *tree = load_recursive(d, path, diag, st, from);
	if (!tree)
		return NULL;
	cJSON *copy = copy_tree(d, tree);
	if (!copy || cache_tree(st, real, tree) < 0) {
		if (!copy)
			cJSON_Delete(tree);
		cJSON_Delete(copy);
		report_at(d, diag, from, "out of memory");
		return NULL;
	}
	return copy;
}

static cJSON *load_recursive(struct jsondoc *d, const char *path, struct diag *diag,
			     struct include_state *st, const cJSON *from)
{
	char real[PATH_MAX];
	if (!realpath(path, real))
		snprintf(real, sizeof(real), "%s", path);
	if (st->depth >= INCLUDE_DEPTH_MAX) {
		diag_report(diag, DIAG_ERROR, path, 0, 0, "$.include",
			    "includes nested deeper than %d", INCLUDE_DEPTH_MAX);
		return NULL;
	}
	cJSON *root = load_file(d, path, from == NULL, diag);
	if (!root)
		return NULL;
	if (!cJSON_IsObject(root)) {
		diag_report(diag, DIAG_ERROR, path, 1, 1, "$", "a scenario must be a JSON object");
		cJSON_Delete(root);
		return NULL;
	}
	cJSON *inc = cJSON_DetachItemFromObjectCaseSensitive(root, "include");
	if (!inc)
		return root;

	char *self = strdup(real);
	if (!self) {
		cJSON_Delete(inc);
		cJSON_Delete(root);
		diag_report(diag, DIAG_ERROR, path, 0, 0, NULL, "out of memory");
		return NULL;
	}
	st->paths[st->depth++] = self;
	cJSON *merged = NULL;
	bool failed = false;
	const cJSON *list[64];
	int n = 0;
	if (cJSON_IsString(inc)) {
		list[n++] = inc;
	} else if (cJSON_IsArray(inc)) {
		const cJSON *el;
		cJSON_ArrayForEach(el, inc)
		{
			if (!cJSON_IsString(el)) {
				report_at(d, diag, el, "expected a file name string");
				failed = true;
				continue;
			}
			if (n >= 64) {
				report_at(d, diag, el, "more than 64 files in one include list");
				failed = true;
				break;
			}
			list[n++] = el;
		}
	} else {
		report_at(d, diag, inc, "expected a file name or an array of file names");
		failed = true;
	}
	for (int i = 0; i < n && !failed; i++) {
		char *child_path = dir_join(path, list[i]->valuestring);
		cJSON *child = child_path ? load_include(d, child_path, diag, st, list[i]) : NULL;
		free(child_path);
		if (!child) {
			failed = true;
			break;
		}
		if (!merged) {
			merged = child;
		} else {
			overlay(merged, child);
			cJSON_Delete(child);
		}
	}
	free((char *)st->paths[--st->depth]);
	cJSON_Delete(inc);
	if (failed) {
		cJSON_Delete(merged);
		cJSON_Delete(root);
		return NULL;
	}
	if (!merged) /* "include": [] includes nothing */
		return root;
	overlay(merged, root);
	cJSON_Delete(root);
	return merged;
}

cJSON *jsondoc_load_with_includes(struct jsondoc *d, const char *path, struct diag *diag)
{
	struct include_state st = {.depth = 0};
	if (d->include_root && !realpath(d->include_root, st.root)) {
		diag_report(diag, DIAG_ERROR, d->include_root, 0, 0, NULL,
			    "cannot use include root \"%s\": %s", d->include_root, strerror(errno));
		return NULL;
	}
	cJSON *tree = load_recursive(d, path, diag, &st, NULL);
	for (size_t i = 0; i < st.cache_count; i++) {
		free(st.cache[i].real);
		cJSON_Delete(st.cache[i].tree);
	}
	free(st.cache);
	return tree;
}

/* --- --set -------------------------------------------------------------------------------- */

static int set_error(struct diag *diag, const char *file, const char *assignment,
		     const char *at, const char *msg, const char *detail)
{
	int col = (int)(at - assignment) + 1;
	diag_report(diag, DIAG_ERROR, file ? file : "--set", 1, col, NULL, "%s%s%s%s%s in \"%s\"",
		    msg, detail ? " \"" : "", detail ? detail : "", detail ? "\"" : "", "",
		    assignment);
	return -EINVAL;
}

/* An array index: decimal digits only, no sign or space, exact (never wraps). Values past
 * SIZE_MAX saturate, which no array reaches. */
static bool parse_index(const char *text, size_t *out)
{
	if (!*text)
		return false;
	size_t v = 0;
	for (const char *c = text; *c; c++) {
		if (*c < '0' || *c > '9')
			return false;
		unsigned digit = (unsigned)(*c - '0');
		v = v > (SIZE_MAX - digit) / 10 ? SIZE_MAX : v * 10 + digit;
	}
	*out = v;
	return true;
}

int jsondoc_apply_set(struct jsondoc *d, cJSON *root, const char *assignment, struct diag *diag)
{
	return jsondoc_apply_set_as(d, root, assignment, NULL, diag);
}

int jsondoc_apply_set_as(struct jsondoc *d, cJSON *root, const char *assignment,
			 const char *source, struct diag *diag)
{
	/* Each assignment is its own source, so carets show the right one. */
	char name[64];
	if (source)
		snprintf(name, sizeof(name), "%s", source);
	else
		snprintf(name, sizeof(name), "--set #%zu", ++d->set_count);
	const char *file = keep_file_name(d, name);
	if (file)
		diag_add_source(diag, file, assignment, strlen(assignment));
	const char *eq = strchr(assignment, '=');
	if (!eq || eq == assignment)
		return set_error(diag, file, assignment, assignment,
				 "expected PATH=VALUE such as mirror.qos_timeout=2s", NULL);
	const char *value_text = eq + 1;

	cJSON *value = cJSON_ParseWithOpts(value_text, NULL, 1); /* the whole text or nothing */
	if (!value || (!cJSON_IsNumber(value) && !cJSON_IsBool(value) && !cJSON_IsObject(value) &&
		       !cJSON_IsArray(value) && !cJSON_IsString(value) && !cJSON_IsNull(value))) {
		cJSON_Delete(value);
		value = cJSON_CreateString(value_text);
	}
	if (!value || !file)
		return set_error(diag, file, assignment, assignment, "out of memory", NULL);
	/* Positions of the new value (and its children, all at the value's column). */
	int vcol = (int)(value_text - assignment) + 1;
	struct jsondoc_pos pos = {value, file, 1, vcol, 1, 1};
	register_pos(d, pos);
	for (cJSON *c = value->child; c; c = c->next)
		register_pos(d, (struct jsondoc_pos){c, file, 1, vcol, 1, vcol});

	cJSON *node = root;
	const char *p = assignment;
	while (p < eq) {
		const char *seg_end = p;
		while (seg_end < eq && *seg_end != '.' && *seg_end != '[')
			seg_end++;
		if (seg_end == p) {
			cJSON_Delete(value);
			return set_error(diag, file, assignment, p, "empty key", NULL);
		}
		char key[256];
		if ((size_t)(seg_end - p) >= sizeof(key)) {
			cJSON_Delete(value);
			return set_error(diag, file, assignment, p, "key too long", NULL);
		}
		snprintf(key, sizeof(key), "%.*s", (int)(seg_end - p), p);
		if (!cJSON_IsObject(node)) {
			cJSON_Delete(value);
			return set_error(diag, file, assignment, p, "cannot select a key of a non-object at", key);
		}
		bool last = seg_end == eq;
		cJSON *child = cJSON_GetObjectItemCaseSensitive(node, key);
		if (last) {
			if (child)
				cJSON_ReplaceItemInObjectCaseSensitive(node, key, value);
			else
				cJSON_AddItemToObject(node, key, value);
			/* The member's key position: the start of this path segment. */
			register_pos(d, (struct jsondoc_pos){value, file, 1, vcol, 1,
							     (int)(p - assignment) + 1});
			return 0;
		}
		if (!child) {
			child = cJSON_AddObjectToObject(node, key);
			register_pos(d, (struct jsondoc_pos){child, file, 1, (int)(p - assignment) + 1, 1,
							     (int)(p - assignment) + 1});
		}
		node = child;
		p = seg_end;
		/* [selector] */
		while (p < eq && *p == '[') {
			const char *close = memchr(p, ']', (size_t)(eq - p));
			if (!close) {
				cJSON_Delete(value);
				return set_error(diag, file, assignment, p, "unclosed \"[\"", NULL);
			}
			char sel[256];
			if ((size_t)(close - p - 1) >= sizeof(sel)) {
				cJSON_Delete(value);
				return set_error(diag, file, assignment, p, "selector too long", NULL);
			}
			snprintf(sel, sizeof(sel), "%.*s", (int)(close - p - 1), p + 1);
			if (!cJSON_IsArray(node)) {
				cJSON_Delete(value);
				return set_error(diag, file, assignment, p, "not an array at", key);
			}
			cJSON *el = NULL;
			size_t idx;
			if (parse_index(sel, &idx))
				el = idx < (size_t)cJSON_GetArraySize(node)
					     ? cJSON_GetArrayItem(node, (int)idx)
					     : NULL;
			else
				el = find_named(node, sel);
			if (!el) {
				cJSON_Delete(value);
				return set_error(diag, file, assignment, p, "no element", sel);
			}
			p = close + 1;
			if (p == eq) { /* replace the element itself */
				cJSON_ReplaceItemViaPointer(node, el, value);
				return 0;
			}
			node = el;
		}
		if (p < eq && *p == '.')
			p++;
	}
	cJSON_Delete(value);
	return set_error(diag, file, assignment, eq, "empty path", NULL);
}
