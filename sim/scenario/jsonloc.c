/* jsonloc.c: strict RFC 8259 scanner recording value positions (see jsonloc.h).
 *
 * A recursive-descent scanner over the raw bytes. Invariants while scanning:
 *   - sc->line and sc->line_start describe sc->pos: newlines are consumed only by
 *     skip_ws(), since a raw newline anywhere else (inside a string) is an error;
 *   - an entry is appended when a value starts, before its children, so entries are in
 *     pre-order; its `end` is filled once its subtree is done. Entries are referred to by
 *     index, never by pointer, because the array moves as it grows;
 *   - the decoded keys of every object still open sit on one stack (keys[] over the byte
 *     arena); an object pops its keys when it closes, so duplicate detection compares a key
 *     with its siblings only. The check is linear per key, which is fine for the hand-written
 *     objects of scenario files;
 *   - the first error wins: fail() records only when no error is recorded yet, and every
 *     scanning function returns -1 as soon as one is.
 */
#include "jsonloc.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__)
#define JL_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define JL_PRINTF(f, a)
#endif

#define KEY_SHOW_MAX 60 /* longest key or token quoted in a message, bytes */

struct key {
	size_t name_off, name_len; /* decoded key in the arena */
	size_t raw_off, raw_len;   /* key as written, between the quotes, in the text */
	int line;                  /* line of the key, for "first at line L" */
};

struct scanner {
	const unsigned char *s;
	size_t len;
	size_t pos;        /* next byte to read */
	int line;          /* line of pos, 1-based */
	size_t line_start; /* offset of the first byte of that line */
	struct jsonloc *out;
	struct jsonloc_error *err;
	int rc;            /* 0, -EINVAL or -ENOMEM: the first error */
	char *arena;       /* decoded keys of the open objects */
	size_t arena_len, arena_cap;
	struct key *keys;
	size_t nkeys, keys_cap;
	int depth;                        /* open containers */
	size_t open[JSONLOC_MAX_DEPTH];   /* offsets of their opening brackets */
};

/* ---- positions --------------------------------------------------------------------------- */

static int clamp_int(size_t v) { return v > INT_MAX ? INT_MAX : (int)v; }

void jsonloc_offset_to_linecol(const char *text, size_t offset, int *line, int *col)
{
	size_t ln = 1, start = 0;
	for (size_t i = 0; i < offset; i++) {
		if (text[i] == '\n') {
			ln++;
			start = i + 1;
		}
	}
	if (line)
		*line = clamp_int(ln);
	if (col)
		*col = clamp_int(offset - start + 1);
}

static int cur_col(const struct scanner *sc) { return clamp_int(sc->pos - sc->line_start + 1); }

static int line_of(const struct scanner *sc, size_t off)
{
	int line;
	jsonloc_offset_to_linecol((const char *)sc->s, off, &line, NULL);
	return line;
}

/* ---- errors ------------------------------------------------------------------------------ */

/* Whether a message format takes anything but numbers of lines, columns and depths (%d):
 * every other conversion (%s, %c, %X) quotes bytes of the text. */
static bool quotes_text(const char *fmt)
{
	for (const char *p = strchr(fmt, '%'); p; p = strchr(p, '%')) {
		p++;
		if (*p == '%') {
			p++;
			continue;
		}
		p += strspn(p, "-+ #0123456789.l");
		if (*p != 'd')
			return true;
	}
	return false;
}

JL_PRINTF(3, 4)
static int fail(struct scanner *sc, size_t at, const char *fmt, ...)
{
	if (sc->rc)
		return -1;
	sc->rc = -EINVAL;
	if (sc->err) {
		va_list ap;
		sc->err->quotes_text = quotes_text(fmt);
		jsonloc_offset_to_linecol((const char *)sc->s, at, &sc->err->line, &sc->err->col);
		va_start(ap, fmt);
		vsnprintf(sc->err->message, sizeof sc->err->message, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static int fail_nomem(struct scanner *sc)
{
	if (sc->rc)
		return -1;
	fail(sc, sc->pos, "out of memory");
	sc->rc = -ENOMEM;
	return -1;
}

/* End of input where more was needed: name the innermost container left open. */
static int fail_eof(struct scanner *sc)
{
	if (sc->depth == 0)
		return fail(sc, sc->pos, "unexpected end of input (the document is empty)");
	size_t o = sc->open[sc->depth - 1];
	return fail(sc, sc->pos, "unexpected end of input: '%c' at line %d is not closed",
		    sc->s[o], line_of(sc, o));
}

/* Decode one UTF-8 sequence at p (at most n bytes). Returns its length and sets *cp, or 0
 * when the bytes are not valid UTF-8 (overlong forms and surrogates are invalid). */
static size_t utf8_decode(const unsigned char *p, size_t n, unsigned long *cp)
{
	unsigned long c;
	size_t len;
	unsigned long min;
	if (n == 0)
		return 0;
	if (p[0] < 0x80) {
		*cp = p[0];
		return 1;
	} else if ((p[0] & 0xE0) == 0xC0) {
		c = p[0] & 0x1F, len = 2, min = 0x80;
	} else if ((p[0] & 0xF0) == 0xE0) {
		c = p[0] & 0x0F, len = 3, min = 0x800;
	} else if ((p[0] & 0xF8) == 0xF0) {
		c = p[0] & 0x07, len = 4, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (p[i] & 0x3F);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

/* Describe the character at off for "unexpected character X" messages. */
static void describe_char(const struct scanner *sc, size_t off, char *buf, size_t size)
{
	unsigned char c = sc->s[off];
	unsigned long cp;
	if (c >= 0x20 && c < 0x7F) {
		snprintf(buf, size, "'%c'", c);
	} else if (c < 0x80) {
		snprintf(buf, size, "U+%04X", (unsigned)c);
	} else if (utf8_decode(sc->s + off, sc->len - off, &cp)) {
		const char *hint = "";
		if (cp == 0x201C || cp == 0x201D || cp == 0x2018 || cp == 0x2019)
			hint = " (a typographic quote: JSON needs '\"')";
		else if (cp == 0xA0)
			hint = " (a no-break space)";
		snprintf(buf, size, "U+%04lX%s", cp, hint);
	} else {
		snprintf(buf, size, "byte 0x%02X (invalid UTF-8)", (unsigned)c);
	}
}

/* Copy text[off, off+n) for quoting in a message, cut at KEY_SHOW_MAX bytes on a UTF-8
 * character boundary with "..." appended. */
static void show(const struct scanner *sc, size_t off, size_t n, char *buf, size_t size)
{
	bool cut = false;
	if (n > KEY_SHOW_MAX) {
		n = KEY_SHOW_MAX;
		while (n > 0 && (sc->s[off + n] & 0xC0) == 0x80)
			n--;
		cut = true;
	}
	snprintf(buf, size, "%.*s%s", (int)n, (const char *)sc->s + off, cut ? "..." : "");
}

/* ---- memory ------------------------------------------------------------------------------ */

static void *sc_realloc(struct scanner *sc, void *p, size_t n)
{
	if (sc->out->alloc_budget == 0)
		return NULL;
	if (sc->out->alloc_budget > 0)
		sc->out->alloc_budget--;
	return realloc(p, n);
}

/* Make room for `more` elements of `size` bytes in *arr (holding *used of *cap). */
static int grow(struct scanner *sc, void **arr, size_t *cap, size_t used, size_t more, size_t size)
{
	if (*cap - used >= more)
		return 0;
	size_t ncap = *cap ? *cap : 16;
	while (ncap - used < more) {
		if (ncap > SIZE_MAX / 2 / size)
			return fail_nomem(sc);
		ncap *= 2;
	}
	void *p = sc_realloc(sc, *arr, ncap * size);
	if (!p)
		return fail_nomem(sc);
	*arr = p;
	*cap = ncap;
	return 0;
}

static int arena_put(struct scanner *sc, const void *bytes, size_t n)
{
	if (grow(sc, (void **)&sc->arena, &sc->arena_cap, sc->arena_len, n, 1))
		return -1;
	memcpy(sc->arena + sc->arena_len, bytes, n);
	sc->arena_len += n;
	return 0;
}

/* ---- scanning ---------------------------------------------------------------------------- */

static int skip_ws(struct scanner *sc)
{
	while (sc->pos < sc->len) {
		unsigned char c = sc->s[sc->pos];
		if (c == ' ' || c == '\t' || c == '\r') {
			sc->pos++;
		} else if (c == '\n') {
			sc->pos++;
			sc->line++;
			sc->line_start = sc->pos;
		} else if (c == '/' && sc->pos + 1 < sc->len &&
			   (sc->s[sc->pos + 1] == '/' || sc->s[sc->pos + 1] == '*')) {
			return fail(sc, sc->pos, "comments are not allowed in JSON");
		} else {
			break;
		}
	}
	return 0;
}

static bool at_end(const struct scanner *sc) { return sc->pos >= sc->len; }

static int hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Read the 4 hex digits after "\u" at esc (the backslash). Returns the code unit or -1 with
 * an error recorded. */
static long read_u16(struct scanner *sc, size_t esc)
{
	long v = 0;
	for (size_t i = 0; i < 4; i++) {
		size_t p = esc + 2 + i;
		int h = p < sc->len ? hexval(sc->s[p]) : -1;
		if (h < 0) {
			char buf[8];
			show(sc, esc + 2, i, buf, sizeof buf);
			fail(sc, esc, "invalid escape \"\\u%s\" (expected 4 hex digits)", buf);
			return -1;
		}
		v = v * 16 + h;
	}
	return v;
}

static int put_utf8(struct scanner *sc, unsigned long cp)
{
	unsigned char b[4];
	size_t n;
	if (cp < 0x80) {
		b[0] = (unsigned char)cp, n = 1;
	} else if (cp < 0x800) {
		b[0] = (unsigned char)(0xC0 | (cp >> 6));
		b[1] = (unsigned char)(0x80 | (cp & 0x3F)), n = 2;
	} else if (cp < 0x10000) {
		b[0] = (unsigned char)(0xE0 | (cp >> 12));
		b[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		b[2] = (unsigned char)(0x80 | (cp & 0x3F)), n = 3;
	} else {
		b[0] = (unsigned char)(0xF0 | (cp >> 18));
		b[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
		b[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		b[3] = (unsigned char)(0x80 | (cp & 0x3F)), n = 4;
	}
	return arena_put(sc, b, n);
}

/* Scan a string at the opening quote. When decode is set, append its decoded bytes to the
 * arena (for keys). */
static int scan_string(struct scanner *sc, bool decode)
{
	size_t open = sc->pos++;
	for (;;) {
		if (at_end(sc))
			return fail(sc, open, "unterminated string");
		unsigned char c = sc->s[sc->pos];
		if (c == '"') {
			sc->pos++;
			return 0;
		} else if (c == '\\') {
			size_t esc = sc->pos;
			if (esc + 1 >= sc->len)
				return fail(sc, open, "unterminated string");
			unsigned char e = sc->s[esc + 1];
			static const char escapes[] = "\"\\/bfnrt";
			static const char decoded[] = "\"\\/\b\f\n\r\t";
			const char *simple = e ? strchr(escapes, e) : NULL;
			if (simple) {
				if (decode && arena_put(sc, &decoded[simple - escapes], 1))
					return -1;
				sc->pos += 2;
			} else if (e == 'u') {
				long u = read_u16(sc, esc);
				if (u < 0)
					return -1;
				unsigned long cp = (unsigned long)u;
				sc->pos += 6;
				if (u >= 0xDC00 && u <= 0xDFFF)
					return fail(sc, esc, "invalid escape \"\\u%04lX\" (unpaired surrogate)", cp);
				if (u >= 0xD800 && u <= 0xDBFF) {
					long lo = -1;
					if (sc->pos + 1 < sc->len && sc->s[sc->pos] == '\\' &&
					    sc->s[sc->pos + 1] == 'u') {
						lo = read_u16(sc, sc->pos);
						if (lo < 0)
							return -1;
					}
					if (lo < 0xDC00 || lo > 0xDFFF)
						return fail(sc, esc, "invalid escape \"\\u%04lX\" (unpaired surrogate)", cp);
					cp = 0x10000 + ((cp - 0xD800) << 10) + ((unsigned long)lo - 0xDC00);
					sc->pos += 6;
				}
				if (decode && put_utf8(sc, cp))
					return -1;
			} else if (e >= 0x20 && e < 0x7F) {
				return fail(sc, esc, "invalid escape \"\\%c\"", e);
			} else if (e == '\n' || e == '\r') {
				return fail(sc, open, "unterminated string");
			} else {
				char what[64];
				describe_char(sc, esc + 1, what, sizeof what);
				return fail(sc, esc, "invalid escape: '\\' followed by %s", what);
			}
		} else if (c < 0x20) {
			if (c == '\n' || c == '\r')
				return fail(sc, open, "unterminated string");
			if (c == '\t')
				return fail(sc, sc->pos, "control character in string (write a tab as \\t)");
			return fail(sc, sc->pos, "control character in string (write U+%04X as \\u%04X)",
				    (unsigned)c, (unsigned)c);
		} else if (c >= 0x80) {
			unsigned long cp;
			size_t n = utf8_decode(sc->s + sc->pos, sc->len - sc->pos, &cp);
			if (!n)
				return fail(sc, sc->pos, "invalid UTF-8 in string (byte 0x%02X)", (unsigned)c);
			if (decode && arena_put(sc, sc->s + sc->pos, n))
				return -1;
			sc->pos += n;
		} else {
			if (decode && arena_put(sc, &c, 1))
				return -1;
			sc->pos++;
		}
	}
}

static bool is_word_char(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

static bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

/* Check text[p, end) against the RFC 8259 number grammar. */
static bool valid_number(const unsigned char *s, size_t p, size_t end)
{
	if (p < end && s[p] == '-')
		p++;
	if (p >= end || !is_digit(s[p]))
		return false;
	if (s[p] == '0')
		p++;
	else
		while (p < end && is_digit(s[p]))
			p++;
	if (p < end && s[p] == '.') {
		p++;
		if (p >= end || !is_digit(s[p]))
			return false;
		while (p < end && is_digit(s[p]))
			p++;
	}
	if (p < end && (s[p] == 'e' || s[p] == 'E')) {
		p++;
		if (p < end && (s[p] == '+' || s[p] == '-'))
			p++;
		if (p >= end || !is_digit(s[p]))
			return false;
		while (p < end && is_digit(s[p]))
			p++;
	}
	return p == end;
}

/* A number: the token is the longest run of characters a number could plausibly be made
 * of, so "01", "1.", "0x1F", "1e" and "-Infinity" are quoted whole in the message. */
static int scan_number(struct scanner *sc)
{
	size_t start = sc->pos, end = start;
	while (end < sc->len && (is_word_char(sc->s[end]) || sc->s[end] == '.' ||
				 sc->s[end] == '+' || sc->s[end] == '-'))
		end++;
	if (!valid_number(sc->s, start, end)) {
		char tok[KEY_SHOW_MAX + 4];
		size_t d = start + (sc->s[start] == '-');
		const char *hint = "";
		show(sc, start, end - start, tok, sizeof tok);
		if (d + 1 < end && sc->s[d] == '0' && is_digit(sc->s[d + 1]))
			hint = " (leading zeros are not allowed)";
		return fail(sc, start, "invalid number \"%s\"%s", tok, hint);
	}
	sc->pos = end;
	return 0;
}

/* true, false, null; any other bare word is an error that says what it looks like. */
static int scan_word(struct scanner *sc, enum jsonloc_type *type)
{
	static const char *const lits[] = {"null", "false", "true"};
	static const enum jsonloc_type types[] = {JSONLOC_NULL, JSONLOC_FALSE, JSONLOC_TRUE};
	size_t start = sc->pos, end = start;
	while (end < sc->len && is_word_char(sc->s[end]))
		end++;
	size_t n = end - start;
	char tok[KEY_SHOW_MAX + 4];
	show(sc, start, n, tok, sizeof tok);
	for (size_t i = 0; i < 3; i++) {
		if (strlen(lits[i]) != n)
			continue;
		if (memcmp(lits[i], sc->s + start, n) == 0) {
			*type = types[i];
			sc->pos = end;
			return 0;
		}
		bool same = true;
		for (size_t k = 0; k < n; k++) {
			unsigned char c = sc->s[start + k];
			if (c >= 'A' && c <= 'Z')
				c = (unsigned char)(c - 'A' + 'a');
			same = same && c == (unsigned char)lits[i][k];
		}
		if (same)
			return fail(sc, start, "invalid literal \"%s\" (write %s in lowercase)", tok, lits[i]);
	}
	if ((n == 3 && memcmp(sc->s + start, "NaN", 3) == 0) ||
	    (n == 8 && memcmp(sc->s + start, "Infinity", 8) == 0))
		return fail(sc, start, "invalid number \"%s\"", tok);
	return fail(sc, start, "unexpected word \"%s\" (strings must be double-quoted)", tok);
}

static int scan_value(struct scanner *sc, size_t parent, size_t key_off, int key_line, int key_col);

static int open_container(struct scanner *sc)
{
	if (sc->depth >= JSONLOC_MAX_DEPTH)
		return fail(sc, sc->pos, "nesting deeper than %d", JSONLOC_MAX_DEPTH);
	sc->open[sc->depth++] = sc->pos++;
	return 0;
}

static int scan_array(struct scanner *sc, size_t self)
{
	if (open_container(sc) || skip_ws(sc))
		return -1;
	if (!at_end(sc) && sc->s[sc->pos] == ']') {
		sc->pos++;
		sc->depth--;
		return 0;
	}
	for (;;) {
		if (scan_value(sc, self, JSONLOC_NONE, 0, 0) || skip_ws(sc))
			return -1;
		if (at_end(sc))
			return fail_eof(sc);
		unsigned char c = sc->s[sc->pos];
		if (c == ']') {
			sc->pos++;
			sc->depth--;
			return 0;
		}
		if (c != ',')
			return fail(sc, sc->pos, "expected ',' or ']' after array element");
		size_t comma = sc->pos++;
		if (skip_ws(sc))
			return -1;
		if (!at_end(sc) && sc->s[sc->pos] == ']')
			return fail(sc, comma, "trailing comma before ']'");
	}
}

static int scan_object(struct scanner *sc, size_t self)
{
	size_t key_mark = sc->nkeys, arena_mark = sc->arena_len;
	size_t comma = JSONLOC_NONE;
	if (open_container(sc) || skip_ws(sc))
		return -1;
	if (!at_end(sc) && sc->s[sc->pos] == '}') {
		sc->pos++;
		sc->depth--;
		return 0;
	}
	for (;;) {
		/* the key */
		if (at_end(sc))
			return fail_eof(sc);
		unsigned char c = sc->s[sc->pos];
		if (c != '"') {
			char what[64];
			if (c == '}' && comma != JSONLOC_NONE)
				return fail(sc, comma, "trailing comma before '}'");
			if (c == '\'')
				return fail(sc, sc->pos, "keys must be double-quoted, not single-quoted");
			if (is_word_char(c)) {
				size_t end = sc->pos;
				while (end < sc->len && is_word_char(sc->s[end]))
					end++;
				show(sc, sc->pos, end - sc->pos, what, sizeof what);
				return fail(sc, sc->pos, "unquoted key \"%s\" (keys must be double-quoted)", what);
			}
			describe_char(sc, sc->pos, what, sizeof what);
			return fail(sc, sc->pos, "expected a double-quoted key, found %s", what);
		}
		size_t key_off = sc->pos;
		int key_line = sc->line, key_col = cur_col(sc);
		size_t name_off = sc->arena_len;
		if (scan_string(sc, true))
			return -1;
		struct key k = {
			.name_off = name_off,
			.name_len = sc->arena_len - name_off,
			.raw_off = key_off + 1,
			.raw_len = sc->pos - key_off - 2,
			.line = key_line,
		};
		char raw[KEY_SHOW_MAX + 4];
		show(sc, k.raw_off, k.raw_len, raw, sizeof raw);
		for (size_t i = key_mark; i < sc->nkeys; i++) {
			const struct key *o = &sc->keys[i];
			if (o->name_len == k.name_len &&
			    memcmp(sc->arena + o->name_off, sc->arena + k.name_off, k.name_len) == 0)
				return fail(sc, key_off, "duplicate key \"%s\" (first at line %d)", raw, o->line);
		}
		if (grow(sc, (void **)&sc->keys, &sc->keys_cap, sc->nkeys, 1, sizeof *sc->keys))
			return -1;
		sc->keys[sc->nkeys++] = k;

		/* the colon */
		if (skip_ws(sc))
			return -1;
		if (at_end(sc))
			return fail_eof(sc);
		if (sc->s[sc->pos] != ':')
			return fail(sc, sc->pos, "expected ':' after key \"%s\"", raw);
		sc->pos++;

		/* the value */
		if (skip_ws(sc) || scan_value(sc, self, key_off, key_line, key_col) || skip_ws(sc))
			return -1;

		/* what follows */
		if (at_end(sc))
			return fail_eof(sc);
		c = sc->s[sc->pos];
		if (c == '}') {
			sc->pos++;
			break;
		}
		if (c == '"')
			return fail(sc, sc->pos,
				    "expected ',' or '}' after object member (missing ',' before this key?)");
		if (c != ',')
			return fail(sc, sc->pos, "expected ',' or '}' after object member");
		comma = sc->pos++;
		if (skip_ws(sc))
			return -1;
	}
	sc->nkeys = key_mark;
	sc->arena_len = arena_mark;
	sc->depth--;
	return 0;
}

/* One value at sc->pos (whitespace already skipped). */
static int scan_value(struct scanner *sc, size_t parent, size_t key_off, int key_line, int key_col)
{
	if (at_end(sc))
		return fail_eof(sc);
	unsigned char c = sc->s[sc->pos];
	enum jsonloc_type type;
	char what[64];
	switch (c) {
	case '{': type = JSONLOC_OBJECT; break;
	case '[': type = JSONLOC_ARRAY; break;
	case '"': type = JSONLOC_STRING; break;
	case '}': case ']': case ',': case ':':
		return fail(sc, sc->pos, "expected a value, found '%c'", c);
	case '\'':
		return fail(sc, sc->pos, "strings must be double-quoted, not single-quoted");
	default:
		if (c == '-' || c == '+' || c == '.' || is_digit(c)) {
			type = JSONLOC_NUMBER;
		} else if (is_word_char(c)) {
			type = JSONLOC_NULL; /* or a boolean: scan_word says which */
		} else {
			unsigned long cp;
			if (c >= 0x80 && !utf8_decode(sc->s + sc->pos, sc->len - sc->pos, &cp))
				return fail(sc, sc->pos, "invalid UTF-8 byte 0x%02X", (unsigned)c);
			describe_char(sc, sc->pos, what, sizeof what);
			return fail(sc, sc->pos, "unexpected character %s", what);
		}
	}

	struct jsonloc *out = sc->out;
	if (grow(sc, (void **)&out->entries, &out->capacity, out->count, 1, sizeof *out->entries))
		return -1;
	size_t self = out->count++;
	out->entries[self] = (struct jsonloc_entry){
		.offset = sc->pos,
		.key_offset = key_off,
		.parent = parent,
		.end = self + 1,
		.line = sc->line,
		.col = cur_col(sc),
		.key_line = key_line,
		.key_col = key_col,
		.type = type,
	};

	int rc;
	switch (type) {
	case JSONLOC_OBJECT: rc = scan_object(sc, self); break;
	case JSONLOC_ARRAY: rc = scan_array(sc, self); break;
	case JSONLOC_STRING: rc = scan_string(sc, false); break;
	case JSONLOC_NUMBER: rc = scan_number(sc); break;
	default:
		rc = scan_word(sc, &type);
		out->entries[self].type = type;
		break;
	}
	out->entries[self].end = out->count;
	return rc;
}

/* ---- public ------------------------------------------------------------------------------ */

void jsonloc_init(struct jsonloc *l)
{
	l->entries = NULL;
	l->count = 0;
	l->capacity = 0;
	l->alloc_budget = -1;
}

void jsonloc_release(struct jsonloc *l)
{
	if (!l)
		return;
	free(l->entries);
	jsonloc_init(l);
}

int jsonloc_scan(const char *text, size_t len, struct jsonloc *out, struct jsonloc_error *err)
{
	struct scanner sc = {
		.s = (const unsigned char *)text,
		.len = len,
		.line = 1,
		.out = out,
		.err = err,
	};
	if (err) {
		err->line = err->col = 0;
		err->message[0] = '\0';
		err->quotes_text = false;
	}
	out->count = 0;
	if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0)
		sc.pos = 3;

	if (skip_ws(&sc) == 0 && scan_value(&sc, JSONLOC_NONE, JSONLOC_NONE, 0, 0) == 0 &&
	    skip_ws(&sc) == 0 && !at_end(&sc))
		fail(&sc, sc.pos, "unexpected content after the JSON value");

	free(sc.arena);
	free(sc.keys);
	if (sc.rc) {
		free(out->entries);
		out->entries = NULL;
		out->count = out->capacity = 0;
	}
	return sc.rc;
}

const struct jsonloc_entry *jsonloc_at(const struct jsonloc *l, size_t i)
{
	return i < l->count ? &l->entries[i] : NULL;
}

const char *jsonloc_type_name(enum jsonloc_type t)
{
	switch (t) {
	case JSONLOC_NULL: return "null";
	case JSONLOC_FALSE: return "false";
	case JSONLOC_TRUE: return "true";
	case JSONLOC_NUMBER: return "number";
	case JSONLOC_STRING: return "string";
	case JSONLOC_ARRAY: return "array";
	case JSONLOC_OBJECT: return "object";
	}
	return "?";
}
