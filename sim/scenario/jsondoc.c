/* jsondoc.c: JSON documents with positions (see jsondoc.h).
 *
 * The position map is keyed by node address. Invariant: every node of every tree handed out
 * was registered when it was created (by parse or by --set); a freed node's stale entry is
 * overwritten if its address is reused for a node created here.
 */
#include "jsondoc.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

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

cJSON *jsondoc_parse(struct jsondoc *d, const char *name, const char *text, size_t len,
		     struct diag *diag)
{
	const char *file = keep_file_name(d, name);
	if (!file || diag_add_source(diag, file, text, len) < 0) {
		diag_report(diag, DIAG_ERROR, name, 0, 0, NULL, "out of memory");
		return NULL;
	}
	struct jsonloc loc;
	struct jsonloc_error err;
	jsonloc_init(&loc);
	int rc = jsonloc_scan(text, len, &loc, &err);
	if (rc < 0) {
		diag_report(diag, DIAG_ERROR, file, err.line, err.col, NULL, "%s", err.message);
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

cJSON *jsondoc_load_file(struct jsondoc *d, const char *path, struct diag *diag)
{
	struct stat st;
	if (stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
		diag_report(diag, DIAG_ERROR, path, 0, 0, NULL, "cannot read \"%s\": %s", path,
			    strerror(EISDIR));
		return NULL;
	}
	FILE *f = fopen(path, "rb");
	if (!f) {
		diag_report(diag, DIAG_ERROR, path, 0, 0, NULL, "cannot read \"%s\": %s", path,
			    strerror(errno));
		return NULL;
	}
	char *text = NULL;
	size_t len = 0, cap = 0;
	for (;;) {
		if (len + 4096 > cap) {
			cap = cap ? cap * 2 : 16384;
			char *grown = realloc(text, cap);
			if (!grown) {
				free(text);
				fclose(f);
				diag_report(diag, DIAG_ERROR, path, 0, 0, NULL, "out of memory");
				return NULL;
			}
			text = grown;
		}
		size_t n = fread(text + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	int read_error = ferror(f) ? errno : 0;
	fclose(f);
	if (read_error) {
		free(text);
		diag_report(diag, DIAG_ERROR, path, 0, 0, NULL, "cannot read \"%s\": %s", path,
			    strerror(read_error));
		return NULL;
	}
	cJSON *root = jsondoc_parse(d, path, text, len, diag);
	free(text);
	return root;
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

struct include_stack {
	const char *paths[INCLUDE_DEPTH_MAX + 1];
	int depth;
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

static cJSON *load_recursive(struct jsondoc *d, const char *path, struct diag *diag,
			     struct include_stack *stack, const cJSON *from)
{
	char real[PATH_MAX];
	if (!realpath(path, real))
		snprintf(real, sizeof(real), "%s", path);
	for (int i = 0; i < stack->depth; i++) {
		if (strcmp(stack->paths[i], real) == 0) {
			struct field_location loc = {NULL, 0, 0};
			jsondoc_locate(d, from, false, &loc);
			diag_report(diag, DIAG_ERROR, loc.file, loc.line, loc.col, "$.include",
				    "include cycle: \"%s\" includes itself through its includes", path);
			return NULL;
		}
	}
	if (stack->depth >= INCLUDE_DEPTH_MAX) {
		diag_report(diag, DIAG_ERROR, path, 0, 0, "$.include",
			    "includes nested deeper than %d", INCLUDE_DEPTH_MAX);
		return NULL;
	}
	if (from) {
		/* Report a missing include at the include statement. */
		struct stat st;
		int err = stat(path, &st) < 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR : 0;
		if (err) {
			struct field_location loc = {NULL, 0, 0};
			jsondoc_locate(d, from, false, &loc);
			diag_report(diag, DIAG_ERROR, loc.file, loc.line, loc.col, "$.include",
				    "cannot read included file \"%s\": %s", path, strerror(err));
			return NULL;
		}
	}
	cJSON *root = jsondoc_load_file(d, path, diag);
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

	stack->paths[stack->depth++] = strdup(real);
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
			if (!cJSON_IsString(el) || n >= 64) {
				struct field_location loc = {NULL, 0, 0};
				jsondoc_locate(d, el, false, &loc);
				diag_report(diag, DIAG_ERROR, loc.file, loc.line, loc.col, "$.include",
					    "expected a file name string");
				failed = true;
				continue;
			}
			list[n++] = el;
		}
	} else {
		struct field_location loc = {NULL, 0, 0};
		jsondoc_locate(d, inc, false, &loc);
		diag_report(diag, DIAG_ERROR, loc.file, loc.line, loc.col, "$.include",
			    "expected a file name or an array of file names");
		failed = true;
	}
	for (int i = 0; i < n && !failed; i++) {
		char *child_path = dir_join(path, list[i]->valuestring);
		cJSON *child = child_path ? load_recursive(d, child_path, diag, stack, list[i]) : NULL;
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
	free((char *)stack->paths[--stack->depth]);
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
	struct include_stack stack = {.depth = 0};
	return load_recursive(d, path, diag, &stack, NULL);
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

int jsondoc_apply_set(struct jsondoc *d, cJSON *root, const char *assignment, struct diag *diag)
{
	/* Each assignment is its own source, so carets show the right one. */
	char name[32];
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
			snprintf(sel, sizeof(sel), "%.*s", (int)(close - p - 1), p + 1);
			if (!cJSON_IsArray(node)) {
				cJSON_Delete(value);
				return set_error(diag, file, assignment, p, "not an array at", key);
			}
			char *end;
			long idx = strtol(sel, &end, 10);
			cJSON *el = NULL;
			if (*sel && *end == '\0')
				el = idx >= 0 ? cJSON_GetArrayItem(node, (int)idx) : NULL;
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
