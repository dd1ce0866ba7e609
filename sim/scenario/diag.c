/* diag.c: accumulated diagnostics (see diag.h for the printed format).
 *
 * Invariants: items[0, count) are fully formed (message never NULL); errors + warnings +
 * notes == count + lost + hidden + hidden notes, every report being counted whether or not
 * it was stored; for each file, its tally's shown <= DIAG_SHOWN_PER_FILE;
 * sources hold NUL-terminated copies, so a source line can be found with string functions.
 */
#include "diag.h"

#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* ---- memory ------------------------------------------------------------------------------ */

static void *diag_realloc(struct diag *d, void *p, size_t n)
{
	if (d->alloc_budget == 0)
		return NULL;
	if (d->alloc_budget > 0)
		d->alloc_budget--;
	return realloc(p, n);
}

static char *diag_strdup(struct diag *d, const char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s) + 1;
	char *p = diag_realloc(d, NULL, n);
	if (p)
		memcpy(p, s, n);
	return p;
}

/* Room for one more element in *arr (used of *cap, elements of size bytes). */
static int grow_one(struct diag *d, void **arr, size_t *cap, size_t used, size_t size)
{
	if (used < *cap)
		return 0;
	size_t ncap = *cap ? *cap * 2 : 8;
	if (ncap > SIZE_MAX / size)
		return -ENOMEM;
	void *p = diag_realloc(d, *arr, ncap * size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = ncap;
	return 0;
}

/* ---- lifecycle --------------------------------------------------------------------------- */

void diag_init(struct diag *d)
{
	*d = (struct diag){.alloc_budget = -1};
}

void diag_release(struct diag *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->count; i++) {
		free(d->items[i].file);
		free(d->items[i].path);
		free(d->items[i].message);
	}
	free(d->items);
	for (size_t i = 0; i < d->nsources; i++) {
		free(d->sources[i].file);
		free(d->sources[i].text);
	}
	free(d->sources);
	for (size_t i = 0; i < d->ntallies; i++)
		free(d->tallies[i].file);
	free(d->tallies);
	diag_init(d);
}

static struct diag_source *find_source(const struct diag *d, const char *file)
{
	if (!file)
		return NULL;
	for (size_t i = 0; i < d->nsources; i++)
		if (strcmp(d->sources[i].file, file) == 0)
			return &d->sources[i];
	return NULL;
}

int diag_add_source(struct diag *d, const char *file, const char *text, size_t len)
{
	if (len == SIZE_MAX)
		return -ENOMEM;
	char *copy = diag_realloc(d, NULL, len + 1);
	if (!copy)
		return -ENOMEM;
	if (len)
		memcpy(copy, text, len);
	copy[len] = '\0';

	struct diag_source *s = find_source(d, file);
	if (s) {
		free(s->text);
		s->text = copy;
		s->len = len;
		return 0;
	}
	char *name = diag_strdup(d, file);
	if (!name)
		goto out_free_copy;
	if (grow_one(d, (void **)&d->sources, &d->sources_capacity, d->nsources, sizeof *d->sources))
		goto out_free_name;
	d->sources[d->nsources++] = (struct diag_source){.file = name, .text = copy, .len = len};
	return 0;

out_free_name:
	free(name);
out_free_copy:
	free(copy);
	return -ENOMEM;
}

/* ---- reporting --------------------------------------------------------------------------- */

static char *vformat(struct diag *d, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		return NULL;
	char *s = diag_realloc(d, NULL, (size_t)n + 1);
	if (s)
		vsnprintf(s, (size_t)n + 1, fmt, ap);
	return s;
}

static bool same_file(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static const struct diag_file_tally *find_tally(const struct diag *d, const char *file)
{
	for (size_t i = 0; i < d->ntallies; i++)
		if (same_file(d->tallies[i].file, file))
			return &d->tallies[i];
	return NULL;
}

/* The tally of file, created when new; NULL when out of memory. */
static struct diag_file_tally *tally_of(struct diag *d, const char *file)
{
	struct diag_file_tally *t = (struct diag_file_tally *)find_tally(d, file);
	if (t)
		return t;
	char *name = NULL;
	if (file && !(name = diag_strdup(d, file)))
		return NULL;
	if (grow_one(d, (void **)&d->tallies, &d->tallies_capacity, d->ntallies,
		     sizeof *d->tallies)) {
		free(name);
		return NULL;
	}
	t = &d->tallies[d->ntallies++];
	*t = (struct diag_file_tally){.file = name};
	return t;
}

bool diag_has_room(const struct diag *d, const char *file)
{
	const struct diag_file_tally *t = find_tally(d, file);
	return !t || t->shown < DIAG_SHOWN_PER_FILE;
}

void diag_report(struct diag *d, enum diag_severity sev, const char *file, int line, int col,
		 const char *path, const char *fmt, ...)
{
	struct diag_item it = {
		.severity = sev,
		.line = line > 0 ? line : 0,
		.col = line > 0 && col > 0 ? col : 0,
	};
	va_list ap;

	switch (sev) {
	case DIAG_ERROR: d->errors++; break;
	case DIAG_WARNING: d->warnings++; break;
	case DIAG_NOTE: d->notes++; break;
	}

	if (sev == DIAG_NOTE) {
		if (d->last_hidden)
			return; /* explains an item nobody sees */
	} else {
		struct diag_file_tally *t = tally_of(d, file);
		if (!t)
			goto out_lost;
		d->last_hidden = t->shown >= DIAG_SHOWN_PER_FILE;
		if (d->last_hidden) {
			d->hidden++;
			if (sev == DIAG_ERROR)
				t->hidden_errors++;
			else
				t->hidden_warnings++;
			return;
		}
		t->shown++;
	}

	va_start(ap, fmt);
	it.message = vformat(d, fmt, ap);
	va_end(ap);
	if (!it.message)
		goto out_lost;
	if (file && !(it.file = diag_strdup(d, file)))
		goto out_free_message;
	if (path && !(it.path = diag_strdup(d, path)))
		goto out_free_file;
	if (grow_one(d, (void **)&d->items, &d->capacity, d->count, sizeof *d->items))
		goto out_free_path;
	d->items[d->count++] = it;
	return;

out_free_path:
	free(it.path);
out_free_file:
	free(it.file);
out_free_message:
	free(it.message);
out_lost:
	d->lost++;
}

size_t diag_error_count(const struct diag *d) { return d->errors; }
size_t diag_warning_count(const struct diag *d) { return d->warnings; }
size_t diag_count(const struct diag *d) { return d->count; }

const struct diag_item *diag_item(const struct diag *d, size_t i)
{
	return i < d->count ? &d->items[i] : NULL;
}

const char *diag_severity_name(enum diag_severity sev)
{
	switch (sev) {
	case DIAG_ERROR: return "error";
	case DIAG_WARNING: return "warning";
	case DIAG_NOTE: return "note";
	}
	return "?";
}

/* ---- printing ---------------------------------------------------------------------------- */

/* Find line (1-based) in s: sets *start and *len (without "\n" or "\r\n"). */
static bool find_line(const struct diag_source *s, int line, const char **start, size_t *len)
{
	const char *p = s->text, *end = s->text + s->len;
	for (int l = 1; l < line; l++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return false;
		p = nl + 1;
	}
	if (p == end && line > 1 && end[-1] == '\n')
		return false; /* past the last line */
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
	if (n > 0 && p[n - 1] == '\r')
		n--;
	*start = p;
	*len = n;
	return true;
}

static void print_source(const struct diag *d, const struct diag_item *it, FILE *out)
{
	const struct diag_source *s = find_source(d, it->file);
	const char *text;
	size_t len;
	if (!s || it->line <= 0 || !find_line(s, it->line, &text, &len))
		return;
	fputc(' ', out);
	fwrite(text, 1, len, out);
	fputc('\n', out);
	if (it->col <= 0)
		return;
	fputc(' ', out);
	for (size_t i = 0; i + 1 < (size_t)it->col; i++) {
		unsigned char c = i < len ? (unsigned char)text[i] : ' ';
		if (c == '\t')
			fputc('\t', out);
		else if ((c & 0xC0) != 0x80) /* one column per character, not per byte */
			fputc(' ', out);
	}
	fputs("^\n", out);
}

static const char *plural(size_t n, const char *one, const char *many) { return n == 1 ? one : many; }

void diag_print(const struct diag *d, FILE *out)
{
	for (size_t i = 0; i < d->count; i++) {
		const struct diag_item *it = &d->items[i];
		if (it->file) {
			fputs(it->file, out);
			if (it->line > 0)
				fprintf(out, ":%d", it->line);
			if (it->line > 0 && it->col > 0)
				fprintf(out, ":%d", it->col);
			fputs(": ", out);
		}
		fprintf(out, "%s: ", diag_severity_name(it->severity));
		if (it->path)
			fprintf(out, "%s: ", it->path);
		fprintf(out, "%s\n", it->message);
		print_source(d, it, out);
	}
	for (size_t i = 0; i < d->ntallies; i++) {
		const struct diag_file_tally *t = &d->tallies[i];
		const char *file = t->file ? t->file : "topsim";
		if (t->hidden_errors)
			fprintf(out, "%s: %zu more %s not shown\n", file, t->hidden_errors,
				plural(t->hidden_errors, "error", "errors"));
		if (t->hidden_warnings)
			fprintf(out, "%s: %zu more %s not shown\n", file, t->hidden_warnings,
				plural(t->hidden_warnings, "warning", "warnings"));
	}
	if (d->errors + d->warnings >= 2)
		fprintf(out, "%zu %s, %zu %s\n", d->errors, plural(d->errors, "error", "errors"),
			d->warnings, plural(d->warnings, "warning", "warnings"));
	if (d->lost)
		fprintf(out, "%zu more %s could not be stored (out of memory)\n", d->lost,
			plural(d->lost, "diagnostic", "diagnostics"));
}

/* ---- suggestions ------------------------------------------------------------------------- */

static unsigned char fold(char c)
{
	unsigned char u = (unsigned char)c;
	return u >= 'A' && u <= 'Z' ? (unsigned char)(u - 'A' + 'a') : u;
}

static size_t min3(size_t a, size_t b, size_t c)
{
	size_t m = a < b ? a : b;
	return m < c ? m : c;
}

/* Optimal string alignment distance between a[0,n) and b[0,m), both <= DIAG_SUGGEST_MAX,
 * case-folded. Three rolling rows: the transposition looks two rows back. */
static size_t osa_distance(const char *a, size_t n, const char *b, size_t m)
{
	size_t rows[3][DIAG_SUGGEST_MAX + 1];
	size_t *pp = rows[0], *prev = rows[1], *cur = rows[2];
	for (size_t j = 0; j <= m; j++)
		prev[j] = j;
	for (size_t i = 1; i <= n; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= m; j++) {
			size_t cost = fold(a[i - 1]) != fold(b[j - 1]);
			size_t v = min3(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + cost);
			if (i > 1 && j > 1 && fold(a[i - 1]) == fold(b[j - 2]) &&
			    fold(a[i - 2]) == fold(b[j - 1]) && pp[j - 2] + 1 < v)
				v = pp[j - 2] + 1;
			cur[j] = v;
		}
		size_t *t = pp;
		pp = prev;
		prev = cur;
		cur = t;
	}
	return prev[m];
}

const char *diag_suggest(const char *word, const char *const *candidates, size_t n)
{
	if (!word || !candidates)
		return NULL;
	size_t wlen = strlen(word);
	if (wlen > DIAG_SUGGEST_MAX)
		return NULL;
	size_t limit = wlen / 3 > 1 ? wlen / 3 : 1;
	const char *best = NULL;
	size_t best_d = limit + 1;
	for (size_t i = 0; i < n; i++) {
		const char *c = candidates[i];
		if (!c)
			continue;
		size_t clen = strlen(c);
		if (clen > DIAG_SUGGEST_MAX)
			continue;
		size_t gap = clen > wlen ? clen - wlen : wlen - clen;
		if (gap >= best_d)
			continue; /* the distance is at least the length difference */
		size_t dist = osa_distance(word, wlen, c, clen);
		if (dist < best_d) {
			best_d = dist;
			best = c;
		}
	}
	return best;
}
