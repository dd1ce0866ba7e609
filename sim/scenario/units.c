/* units.c: checked parsing and formatting of quantities with units (see units.h).
 *
 * Invariants:
 * - Text is lexed by hand before any conversion: strtod only ever sees a string this file
 *   built from validated digits ("123.45e-6"), so it cannot meet "nan", "inf", hex, spaces or
 *   a locale's sign conventions, and its endptr must land on the terminating NUL.
 * - Durations never go through floating point: each component is converted to integer ns by
 *   exact decimal arithmetic and rounded once (halves away from zero).
 * - Every "did you mean" suggestion is re-parsed before it is offered, so a suggestion is
 *   always valid input. Suggestion parses never suggest in turn (no recursion beyond one).
 * - Formatting verifies its output by parsing it back and keeps only exact round trips.
 * - No state, no allocation: all buffers are on the stack and bounded by UNITS_TEXT_MAX.
 */
#include "units.h"

#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UNITS_TEXT_MAX 200 /* longest input accepted, bytes */
#define NUM_DIGITS_MAX 100 /* most digits in one number (mantissa) */
#define EXP_SATURATE 100000L /* exponents beyond this are clamped: the value is out of range */
#define QUOTE_MAX 80 /* bytes of the input shown in a message */

/* ---- unit tables -------------------------------------------------------------------------- */

/* A unit: value = number * 10^exp10 * 2^exp2 / div (non-durations) or number * ns. */
struct unit_def {
	const char *suffix;
	int exp10;
	int exp2;
	double div;  /* 1, or 60, 3600, 86400 for rates per minute, hour, day */
	sim_time ns; /* durations: nanoseconds per unit; also its rank in compound order */
	bool format; /* a candidate for units_format */
	bool base;   /* the unit of scale 1 that format falls back to (and writes zero in) */
};

/* A year is the Julian year, 365.25 days (the unit of failure rates: AFR, MTBF in years). */
#define UNITS_YEAR_NS ((sim_time)36525 * SIM_DAY / 100)

static const struct unit_def duration_units[] = {
	{ "y", 0, 0, 1, UNITS_YEAR_NS, false, false },
	{ "d", 0, 0, 1, SIM_DAY, true, false },
	{ "h", 0, 0, 1, SIM_HOUR, true, false },
	{ "m", 0, 0, 1, SIM_MIN, true, false },
	{ "min", 0, 0, 1, SIM_MIN, false, false },
	{ "s", 0, 0, 1, SIM_S, true, true },
	{ "ms", 0, 0, 1, SIM_MS, true, false },
	{ "us", 0, 0, 1, SIM_US, true, false },
	{ "\xc2\xb5s", 0, 0, 1, SIM_US, false, false }, /* U+00B5 micro sign */
	{ "\xce\xbcs", 0, 0, 1, SIM_US, false, false }, /* U+03BC Greek small mu */
	{ "ns", 0, 0, 1, SIM_NS, true, false },
	{ NULL, 0, 0, 0, 0, false, false },
};

static const struct unit_def size_units[] = {
	{ "B", 0, 0, 1, 0, true, true },
	{ "kB", 3, 0, 1, 0, true, false },
	{ "KB", 3, 0, 1, 0, false, false },
	{ "MB", 6, 0, 1, 0, true, false },
	{ "GB", 9, 0, 1, 0, true, false },
	{ "TB", 12, 0, 1, 0, true, false },
	{ "PB", 15, 0, 1, 0, true, false },
	{ "KiB", 0, 10, 1, 0, true, false },
	{ "MiB", 0, 20, 1, 0, true, false },
	{ "GiB", 0, 30, 1, 0, true, false },
	{ "TiB", 0, 40, 1, 0, true, false },
	{ "PiB", 0, 50, 1, 0, true, false },
	{ NULL, 0, 0, 0, 0, false, false },
};

static const struct unit_def rate_units[] = {
	{ "/s", 0, 0, 1, 0, true, true },
	{ "/ms", 3, 0, 1, 0, false, false }, /* "3/ms" is short but reads worse than "3000/s" */
	{ "/us", 6, 0, 1, 0, false, false },
	{ "/min", 0, 0, 60, 0, true, false },
	{ "/h", 0, 0, 3600, 0, true, false },
	{ "/d", 0, 0, 86400, 0, true, false },
	{ NULL, 0, 0, 0, 0, false, false },
};

static const struct unit_def bandwidth_units[] = {
	{ "bps", 0, -3, 1, 0, true, false },
	{ "kbps", 3, -3, 1, 0, true, false },
	{ "Mbps", 6, -3, 1, 0, true, false },
	{ "Gbps", 9, -3, 1, 0, true, false },
	{ "Tbps", 12, -3, 1, 0, true, false },
	{ "bit/s", 0, -3, 1, 0, false, false },
	{ "kbit/s", 3, -3, 1, 0, false, false },
	{ "Mbit/s", 6, -3, 1, 0, false, false },
	{ "Gbit/s", 9, -3, 1, 0, false, false },
	{ "Tbit/s", 12, -3, 1, 0, false, false },
	{ "B/s", 0, 0, 1, 0, true, true },
	{ "kB/s", 3, 0, 1, 0, true, false },
	{ "KB/s", 3, 0, 1, 0, false, false },
	{ "MB/s", 6, 0, 1, 0, true, false },
	{ "GB/s", 9, 0, 1, 0, true, false },
	{ "TB/s", 12, 0, 1, 0, true, false },
	{ "KiB/s", 0, 10, 1, 0, true, false },
	{ "MiB/s", 0, 20, 1, 0, true, false },
	{ "GiB/s", 0, 30, 1, 0, true, false },
	{ "TiB/s", 0, 40, 1, 0, true, false },
	{ NULL, 0, 0, 0, 0, false, false },
};

static const struct unit_def iops_units[] = {
	{ "IOPS", 0, 0, 1, 0, true, true },
	{ "/s", 0, 0, 1, 0, false, false },
	{ NULL, 0, 0, 0, 0, false, false },
};

static const struct unit_def percent_units[] = {
	{ "%", -2, 0, 1, 0, true, true },
	{ NULL, 0, 0, 0, 0, false, false },
};

static const struct unit_def number_units[] = {
	{ "", 0, 0, 1, 0, true, true },
	{ NULL, 0, 0, 0, 0, false, false },
};

/* Misspellings worth a suggestion: { wrong, right }. Case-insensitive matches of real units
 * and valid prefixes are found without a table. */
struct unit_alias {
	const char *wrong;
	const char *right;
};

static const struct unit_alias duration_aliases[] = {
	{ "sec", "s" }, { "secs", "s" }, { "second", "s" }, { "seconds", "s" },
	{ "msec", "ms" }, { "msecs", "ms" }, { "millis", "ms" }, { "millisecond", "ms" },
	{ "milliseconds", "ms" }, { "usec", "us" }, { "usecs", "us" }, { "microsecond", "us" },
	{ "microseconds", "us" }, { "nsec", "ns" }, { "nsecs", "ns" }, { "nanosecond", "ns" },
	{ "nanoseconds", "ns" }, { "mins", "min" }, { "minute", "min" }, { "minutes", "min" },
	{ "hr", "h" }, { "hrs", "h" }, { "hour", "h" }, { "hours", "h" }, { "day", "d" },
	{ "days", "d" }, { NULL, NULL },
};

static const struct unit_alias size_aliases[] = {
	{ "b", "B" }, { "byte", "B" }, { "bytes", "B" }, { "K", "KiB" }, { "M", "MiB" },
	{ "G", "GiB" }, { "T", "TiB" }, { NULL, NULL },
};

static const struct unit_alias rate_aliases[] = {
	{ "/sec", "/s" }, { "/second", "/s" }, { "/m", "/min" }, { "/minute", "/min" },
	{ "/hr", "/h" }, { "/hour", "/h" }, { "/day", "/d" }, { "/msec", "/ms" },
	{ "/usec", "/us" }, { "rps", "/s" }, { "qps", "/s" }, { "tps", "/s" }, { NULL, NULL },
};

static const struct unit_alias bandwidth_aliases[] = {
	{ "Bps", "B/s" }, { "kBps", "kB/s" }, { "KBps", "kB/s" }, { "MBps", "MB/s" },
	{ "GBps", "GB/s" }, { "TBps", "TB/s" }, { "Kbps", "kbps" }, { "b/s", "bit/s" },
	{ "kb/s", "kbit/s" }, { "Kb/s", "kbit/s" }, { "Mb/s", "Mbit/s" }, { "Gb/s", "Gbit/s" },
	{ "Tb/s", "Tbit/s" }, { NULL, NULL },
};

static const struct unit_alias iops_aliases[] = {
	{ "/sec", "/s" }, { "ops/s", "/s" }, { "IO/s", "IOPS" }, { "io/s", "IOPS" },
	{ NULL, NULL },
};

static const struct unit_alias percent_aliases[] = {
	{ "percent", "%" }, { "pct", "%" }, { NULL, NULL },
};

struct kind_def {
	const char *name;
	const char *phrase;  /* with its article, for "expected a duration" */
	const char *example;
	const char *unit_list;
	const char *hint1;   /* suffixes shown after a bare number */
	const char *hint2;   /* or NULL */
	const struct unit_def *units;
	const struct unit_alias *aliases;
	bool bare_ok;        /* a bare number is a value of this kind */
};

static const struct kind_def kinds[UNITS_KIND_COUNT] = {
	[UNITS_DURATION] = { "duration", "a duration", "8s, 250ms, 1h30m",
			     "ns, us, ms, s, m, h, d", "s", "ms", duration_units,
			     duration_aliases, false },
	[UNITS_SIZE] = { "size", "a size", "100GB, 512MiB, 4KiB",
			 "B, kB, MB, GB, TB, PB, KiB, MiB, GiB, TiB, PiB", "GB", "GiB", size_units,
			 size_aliases, false },
	[UNITS_RATE] = { "rate", "a rate", "3000/s, 50/min, 10/h", "/us, /ms, /s, /min, /h, /d",
			 "/s", "/min", rate_units, rate_aliases, false },
	[UNITS_BANDWIDTH] = { "bandwidth", "a bandwidth", "10Gbps, 500Mbps, 125MiB/s, 250MB/s",
			      "bps, kbps, Mbps, Gbps, Tbps, B/s, kB/s, MB/s, GB/s, TB/s, KiB/s, "
			      "MiB/s, GiB/s, TiB/s",
			      "Gbps", "MiB/s", bandwidth_units, bandwidth_aliases, false },
	[UNITS_IOPS] = { "IOPS", "an IOPS figure", "3000IOPS, 16000IOPS", "IOPS, /s", "IOPS",
			 NULL, iops_units, iops_aliases, false },
	[UNITS_PERCENT] = { "percentage", "a percentage", "99.5%, 50%", "%", "%", NULL,
			    percent_units, percent_aliases, false },
	[UNITS_FRACTION] = { "fraction", "a fraction", "99.5%, 0.995", "%, or none for 0 to 1",
			     "%", NULL, percent_units, percent_aliases, true },
	[UNITS_NUMBER] = { "number", "a number", "42, 0.5, 1e6", "none", "", NULL, number_units,
			   NULL, true },
};

static const struct kind_def *kind_get(enum units_kind kind)
{
	if ((unsigned)kind >= UNITS_KIND_COUNT)
		return NULL;
	return &kinds[kind];
}

const char *units_kind_name(enum units_kind kind)
{
	const struct kind_def *k = kind_get(kind);
	return k ? k->name : "unknown";
}

const char *units_kind_example(enum units_kind kind)
{
	const struct kind_def *k = kind_get(kind);
	return k ? k->example : "";
}

const char *units_kind_units(enum units_kind kind)
{
	const struct kind_def *k = kind_get(kind);
	return k ? k->unit_list : "";
}

/* ---- messages ----------------------------------------------------------------------------- */

struct perr {
	char *buf;        /* NULL when no message is wanted */
	size_t size;
	bool suggest;     /* look for "did you mean" (false inside a suggestion's own parse) */
};

static void perr_set(struct perr *e, const char *fmt, ...)
{
	va_list ap;

	if (!e->buf || e->size == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(e->buf, e->size, fmt, ap);
	va_end(ap);
}

/* Write s, or its first len bytes when len != (size_t)-1, quoted: control bytes, quotes and
 * backslashes escaped, long text cut with "...". out holds at least 4 * QUOTE_MAX + 8. */
static const char *quote_n(const char *s, size_t len, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0, i;

	if (len == (size_t)-1)
		len = strlen(s);
	out[o++] = '"';
	for (i = 0; i < len && i < QUOTE_MAX; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '"' || c == '\\') {
			out[o++] = '\\';
			out[o++] = (char)c;
		} else if (c < 0x20 || c == 0x7f) {
			out[o++] = '\\';
			out[o++] = 'x';
			out[o++] = hex[c >> 4];
			out[o++] = hex[c & 15];
		} else {
			out[o++] = (char)c;
		}
	}
	if (i < len) {
		memcpy(out + o, "...", 3);
		o += 3;
	}
	out[o++] = '"';
	out[o] = '\0';
	return out;
}

#define QBUF (4 * QUOTE_MAX + 8)

static const char *quote(const char *s, char *out) { return quote_n(s, (size_t)-1, out); }

/* ---- lexing ------------------------------------------------------------------------------- */

/* A decimal number as written: digits [. digits] [e [+-] digits]. */
struct num_lex {
	const char *int_begin; /* integer digits */
	size_t int_len;
	const char *frac_begin; /* fraction digits (after the point), may be empty */
	size_t frac_len;
	long exp;               /* exponent, clamped to +-EXP_SATURATE */
	const char *end;        /* first byte after the number */
};

enum lex_result { LEX_OK, LEX_NONE, LEX_BAD, LEX_LONG };

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

static enum lex_result lex_number(const char *p, struct num_lex *n)
{
	const char *q = p;

	if (!is_digit(*q))
		return *q == '.' && is_digit(q[1]) ? LEX_BAD : LEX_NONE;
	n->int_begin = q;
	while (is_digit(*q))
		q++;
	n->int_len = (size_t)(q - n->int_begin);
	n->frac_begin = q;
	n->frac_len = 0;
	if (*q == '.') {
		q++;
		if (!is_digit(*q))
			return LEX_BAD; /* "5." or "5..0" */
		n->frac_begin = q;
		while (is_digit(*q))
			q++;
		n->frac_len = (size_t)(q - n->frac_begin);
		if (*q == '.')
			return LEX_BAD; /* "1.2.3" */
	}
	if (n->int_len + n->frac_len > NUM_DIGITS_MAX)
		return LEX_LONG;
	n->exp = 0;
	if ((*q == 'e' || *q == 'E') &&
	    (is_digit(q[1]) || ((q[1] == '+' || q[1] == '-') && is_digit(q[2])))) {
		bool neg = false;
		q++;
		if (*q == '+' || *q == '-')
			neg = *q++ == '-';
		while (is_digit(*q)) {
			if (n->exp < EXP_SATURATE)
				n->exp = n->exp * 10 + (*q - '0');
			q++;
		}
		if (n->exp > EXP_SATURATE)
			n->exp = EXP_SATURATE;
		if (neg)
			n->exp = -n->exp;
	}
	n->end = q;
	return LEX_OK;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

/* ---- suggestions -------------------------------------------------------------------------- */

static int parse_value(enum units_kind kind, const char *text, unsigned flags, double *out,
		       struct perr *e);
static int parse_duration(const char *text, unsigned flags, sim_time *out, struct perr *e);

/* Does text parse as kind (quietly)? */
static bool parses(enum units_kind kind, const char *text, unsigned flags)
{
	struct perr quiet = { NULL, 0, false };
	double v;
	sim_time t;

	if (kind == UNITS_DURATION)
		return parse_duration(text, flags, &t, &quiet) == 0;
	return parse_value(kind, text, flags, &v, &quiet) == 0;
}

/* Build text with [at, at + len) replaced by repl into out; false when it does not fit. */
static bool splice(const char *text, size_t at, size_t len, const char *repl, char *out,
		   size_t size)
{
	size_t tl = strlen(text), rl = strlen(repl);

	if (tl - len + rl + 1 > size)
		return false;
	memcpy(out, text, at);
	memcpy(out + at, repl, rl);
	memcpy(out + at + rl, text + at + len, tl - at - len + 1);
	return true;
}

static bool try_candidate(enum units_kind kind, const char *text, size_t at, size_t len,
			  const char *repl, unsigned flags, char *out, size_t size)
{
	return splice(text, at, len, repl, out, size) && parses(kind, out, flags);
}

static bool ieq_n(const char *a, size_t alen, const char *b)
{
	size_t i;

	if (strlen(b) != alen)
		return false;
	for (i = 0; i < alen; i++) {
		char x = a[i], y = b[i];
		if (x >= 'A' && x <= 'Z')
			x = (char)(x - 'A' + 'a');
		if (y >= 'A' && y <= 'Z')
			y = (char)(y - 'A' + 'a');
		if (x != y)
			return false;
	}
	return true;
}

/* Find a valid replacement for the unknown unit text[at, at + len): an alias, the same unit
 * in another case, or the longest valid unit the text starts with. Writes the whole
 * corrected input into out and returns true when one parses. */
static bool suggest_unit(enum units_kind kind, const char *text, size_t at, size_t len,
			 unsigned flags, char *out, size_t size)
{
	const struct kind_def *k = &kinds[kind];
	const struct unit_def *u;
	const struct unit_alias *a;
	const char *unit = text + at;
	size_t best = 0;
	const char *best_suffix = NULL;

	for (a = k->aliases; a && a->wrong; a++)
		if (strlen(a->wrong) == len && memcmp(a->wrong, unit, len) == 0 &&
		    try_candidate(kind, text, at, len, a->right, flags, out, size))
			return true;
	for (u = k->units; u->suffix; u++)
		if (ieq_n(unit, len, u->suffix) &&
		    try_candidate(kind, text, at, len, u->suffix, flags, out, size))
			return true;
	for (u = k->units; u->suffix; u++) {
		size_t sl = strlen(u->suffix);
		if (sl > 0 && sl < len && sl > best && memcmp(unit, u->suffix, sl) == 0) {
			best = sl;
			best_suffix = u->suffix;
		}
	}
	return best_suffix && try_candidate(kind, text, at, len, best_suffix, flags, out, size);
}

/* Append `; did you mean "..."` to the message in e when suggestion is set. */
static void perr_add_suggestion(struct perr *e, const char *suggestion)
{
	char q[QBUF];
	size_t used;

	if (!e->buf || e->size == 0 || !suggestion)
		return;
	used = strlen(e->buf);
	if (used + 1 < e->size)
		snprintf(e->buf + used, e->size - used, "; did you mean %s",
			 quote(suggestion, q));
}

/* ---- common checks ------------------------------------------------------------------------ */

/* Checks every kind shares: present, short, no whitespace. 0 or -EINVAL with a message. */
static int check_text(enum units_kind kind, const char *text, unsigned flags, struct perr *e)
{
	const struct kind_def *k = &kinds[kind];
	char q[QBUF];
	size_t i, len;

	if (!text || !*text) {
		perr_set(e, "empty value: expected %s like %s", k->phrase, k->example);
		return -EINVAL;
	}
	len = strlen(text);
	if (len > UNITS_TEXT_MAX) {
		perr_set(e, "%s is too long (at most %d bytes)", quote(text, q), UNITS_TEXT_MAX);
		return -EINVAL;
	}
	for (i = 0; i < len; i++)
		if (is_space(text[i]))
			break;
	if (i < len) {
		char fixed[UNITS_TEXT_MAX + 1];
		size_t o = 0;
		for (i = 0; i < len; i++)
			if (!is_space(text[i]))
				fixed[o++] = text[i];
		fixed[o] = '\0';
		perr_set(e, "unexpected whitespace in %s", quote(text, q));
		if (e->suggest && o > 0 && parses(kind, fixed, flags))
			perr_add_suggestion(e, fixed);
		return -EINVAL;
	}
	return 0;
}

static int err_sign(enum units_kind kind, const char *text, unsigned flags, struct perr *e)
{
	char q[QBUF];

	if (text[0] == '+') {
		perr_set(e, "unexpected '+' in %s", quote(text, q));
		if (e->suggest && parses(kind, text + 1, flags))
			perr_add_suggestion(e, text + 1);
		return -EINVAL;
	}
	perr_set(e, "%s is negative", quote(text, q));
	return -EINVAL;
}

static int err_number(enum units_kind kind, const char *text, const char *at,
		      enum lex_result r, unsigned flags, struct perr *e)
{
	char q[QBUF], q2[QBUF];

	if (r == LEX_LONG) {
		perr_set(e, "too many digits in %s (at most %d)", quote(text, q), NUM_DIGITS_MAX);
		return -EINVAL;
	}
	if (r == LEX_BAD) {
		char fixed[UNITS_TEXT_MAX + 2];
		perr_set(e, "malformed number in %s", quote(text, q));
		if (e->suggest && *at == '.' &&
		    try_candidate(kind, text, (size_t)(at - text), 0, "0", flags, fixed,
				  sizeof(fixed)))
			perr_add_suggestion(e, fixed);
		return -EINVAL;
	}
	if (at == text || (at == text + 1 && text[0] == '-'))
		perr_set(e, "missing number in %s: expected %s like %s", quote(text, q),
			 kinds[kind].phrase, kinds[kind].example);
	else
		perr_set(e, "missing number before %s in %s", quote(at, q2), quote(text, q));
	return -EINVAL;
}

static int err_unknown_unit(enum units_kind kind, const char *text, const char *unit,
			    size_t len, unsigned flags, struct perr *e)
{
	const struct kind_def *k = &kinds[kind];
	char q[QBUF], q2[QBUF], fixed[UNITS_TEXT_MAX + 32];

	perr_set(e, "unknown unit %s in %s (expected %s)", quote_n(unit, len, q2),
		 quote(text, q), k->unit_list);
	if (e->suggest &&
	    suggest_unit(kind, text, (size_t)(unit - text), len, flags, fixed, sizeof(fixed)))
		perr_add_suggestion(e, fixed);
	return -EINVAL;
}

static int err_bare(enum units_kind kind, const char *text, struct perr *e)
{
	const struct kind_def *k = &kinds[kind];
	char q[QBUF], q1[QBUF], q2[QBUF], with[UNITS_TEXT_MAX + 16];

	snprintf(with, sizeof(with), "%s%s", text, k->hint1);
	quote(with, q1);
	if (k->hint2) {
		snprintf(with, sizeof(with), "%s%s", text, k->hint2);
		perr_set(e, "bare number %s needs a unit: expected %s like %s or %s",
			 quote(text, q), k->phrase, q1, quote(with, q2));
	} else {
		perr_set(e, "bare number %s needs a unit: expected %s like %s", quote(text, q),
			 k->phrase, q1);
	}
	return -EINVAL;
}

static int err_range(enum units_kind kind, const char *text, struct perr *e)
{
	char q[QBUF];

	if (kind == UNITS_DURATION)
		perr_set(e, "%s is out of range (durations are limited to about 292 years)",
			 quote(text, q));
	else
		perr_set(e, "%s is out of range", quote(text, q));
	return -EINVAL;
}

static const struct unit_def *find_unit(const struct unit_def *units, const char *s, size_t len)
{
	for (; units->suffix; units++)
		if (strlen(units->suffix) == len && memcmp(units->suffix, s, len) == 0)
			return units;
	return NULL;
}

/* ---- durations ---------------------------------------------------------------------------- */

/* The number n times ns_per_unit, rounded to the nearest integer (halves up), into *out.
 * Exact: the digits are multiplied in integers. Returns false on overflow of INT64_MAX. */
static bool component_ns(const struct num_lex *n, sim_time ns_per_unit, uint64_t *out)
{
	char d[NUM_DIGITS_MAX + 1];
	size_t len = 0, lead = 0;
	long point; /* digits before the decimal point, after applying the exponent */
	uint64_t whole = 0, carry = 0, unit = (uint64_t)ns_per_unit;
	int first_frac = 0;
	long k, nfrac;

	memcpy(d, n->int_begin, n->int_len);
	memcpy(d + n->int_len, n->frac_begin, n->frac_len);
	len = n->int_len + n->frac_len;
	while (lead < len && d[lead] == '0')
		lead++;
	while (len > lead && d[len - 1] == '0')
		len--;
	if (lead == len) {
		*out = 0;
		return true;
	}
	point = (long)n->int_len + n->exp - (long)lead;
	memmove(d, d + lead, len - lead);
	len -= lead;
	if (point > 19)
		return false; /* at least 1e19 units: beyond INT64_MAX ns for any unit */
	if (point < -40) {
		*out = 0; /* under 1e-40 units, below 1e-26 ns */
		return true;
	}
	for (k = 0; k < point; k++) {
		uint64_t digit = (size_t)k < len ? (uint64_t)(d[k] - '0') : 0;
		whole = whole * 10 + digit; /* point <= 19 digits: fits in uint64 */
	}
	if (whole > (uint64_t)INT64_MAX / unit)
		return false;
	whole *= unit;
	/* fraction digits: position k (0 = first after the point) is d[point + k] */
	nfrac = (long)len - point;
	for (k = nfrac - 1; k >= 0; k--) {
		long idx = point + k;
		uint64_t digit = idx >= 0 ? (uint64_t)(d[idx] - '0') : 0;
		uint64_t t = digit * unit + carry; /* < 10 * 8.64e13 + carry: no overflow */
		carry = t / 10;
		if (k == 0)
			first_frac = (int)(t % 10);
	}
	if (carry > (uint64_t)INT64_MAX - whole)
		return false;
	whole += carry;
	if (first_frac >= 5) {
		if (whole == (uint64_t)INT64_MAX)
			return false;
		whole++;
	}
	*out = whole;
	return true;
}

/* Is the unknown unit s[0, len) two duration units in decreasing order, like "hm" in "1hm"?
 * Then a number is missing between them: set *second to the second unit. */
static bool missing_number_inside(const char *s, size_t len, const char **second)
{
	const struct unit_def *a, *b;
	const struct unit_alias *al;
	size_t i;

	for (al = duration_aliases; al->wrong; al++)
		if (strlen(al->wrong) == len && memcmp(al->wrong, s, len) == 0)
			return false; /* "mins" is a misspelling of "min", not "min" + "s" */
	for (i = 1; i < len; i++) {
		a = find_unit(duration_units, s, i);
		b = find_unit(duration_units, s + i, len - i);
		if (a && b && b->ns < a->ns) {
			*second = s + i;
			return true;
		}
	}
	return false;
}

static int parse_duration(const char *text, unsigned flags, sim_time *out, struct perr *e)
{
	const struct unit_def *prev = NULL;
	const char *p;
	uint64_t total = 0;
	bool neg = false;
	char q[QBUF], q2[QBUF], q3[QBUF];
	int rc;

	rc = check_text(UNITS_DURATION, text, flags, e);
	if (rc)
		return rc;
	p = text;
	if (*p == '+')
		return err_sign(UNITS_DURATION, text, flags, e);
	if (*p == '-') {
		neg = true;
		p++;
	}
	while (*p) {
		struct num_lex n;
		enum lex_result r = lex_number(p, &n);
		const struct unit_def *u;
		const char *unit;
		uint64_t ns;

		if (r != LEX_OK)
			return err_number(UNITS_DURATION, text, p, r, flags, e);
		unit = n.end;
		p = unit;
		while (*p && !is_digit(*p) && *p != '.')
			p++;
		if (p == unit) {
			if (!prev)
				return err_bare(UNITS_DURATION, text, e);
			perr_set(e, "missing unit after %s in %s",
				 quote_n(n.int_begin, (size_t)(n.end - n.int_begin), q2),
				 quote(text, q));
			return -EINVAL;
		}
		u = find_unit(duration_units, unit, (size_t)(p - unit));
		if (!u && missing_number_inside(unit, (size_t)(p - unit), &p)) {
			perr_set(e, "missing number before %s in %s", quote(p, q2), quote(text, q));
			return -EINVAL;
		}
		if (!u)
			return err_unknown_unit(UNITS_DURATION, text, unit, (size_t)(p - unit),
						flags, e);
		if (prev && u->ns == prev->ns) {
			perr_set(e, "unit %s repeated in %s", quote(u->suffix, q2), quote(text, q));
			return -EINVAL;
		}
		if (prev && u->ns > prev->ns) {
			perr_set(e, "units out of order in %s: %s after %s (write larger units "
				    "first, like \"1h30m\")",
				 quote(text, q), quote(u->suffix, q2), quote(prev->suffix, q3));
			return -EINVAL;
		}
		prev = u;
		if (!component_ns(&n, u->ns, &ns) || ns > (uint64_t)INT64_MAX - total)
			return err_range(UNITS_DURATION, text, e);
		total += ns;
	}
	if (!prev)
		return err_number(UNITS_DURATION, text, p, LEX_NONE, flags, e);
	if (neg && !(flags & UNITS_ALLOW_NEGATIVE))
		return err_sign(UNITS_DURATION, text, flags, e);
	*out = neg ? -(sim_time)total : (sim_time)total;
	return 0;
}

/* ---- other kinds -------------------------------------------------------------------------- */

/* strtod of the lexed number scaled by 10^exp10; 0, or -ERANGE on overflow, -EILSEQ when
 * strtod disagrees with the lexer (a non-"C" LC_NUMERIC). */
static int convert(const struct num_lex *n, int exp10, double *out)
{
	char buf[NUM_DIGITS_MAX + 32];
	size_t o = 0;
	char *end;
	double v;

	memcpy(buf + o, n->int_begin, n->int_len);
	o += n->int_len;
	if (n->frac_len) {
		buf[o++] = '.';
		memcpy(buf + o, n->frac_begin, n->frac_len);
		o += n->frac_len;
	}
	snprintf(buf + o, sizeof(buf) - o, "e%ld", n->exp + exp10);
	errno = 0;
	v = strtod(buf, &end);
	if (*end != '\0')
		return -EILSEQ;
	if ((errno == ERANGE && fabs(v) > 1.0) || !isfinite(v))
		return -ERANGE;
	*out = v;
	return 0;
}

static int parse_value(enum units_kind kind, const char *text, unsigned flags, double *out,
		       struct perr *e)
{
	const struct kind_def *k = &kinds[kind];
	const struct unit_def *u;
	struct num_lex n;
	enum lex_result r;
	const char *p;
	char q[QBUF];
	bool neg = false;
	double v;
	int rc;

	rc = check_text(kind, text, flags, e);
	if (rc)
		return rc;
	p = text;
	if (*p == '+')
		return err_sign(kind, text, flags, e);
	if (*p == '-') {
		neg = true;
		p++;
	}
	r = lex_number(p, &n);
	if (r != LEX_OK)
		return err_number(kind, text, p, r, flags, e);
	if (*n.end == '\0' && !k->bare_ok)
		return err_bare(kind, text, e);
	u = *n.end == '\0' && k->bare_ok ? NULL : find_unit(k->units, n.end, strlen(n.end));
	if (!u && *n.end != '\0' && kind == UNITS_NUMBER) {
		char q2[QBUF];
		perr_set(e, "unexpected %s after the number in %s", quote(n.end, q2),
			 quote(text, q));
		return -EINVAL;
	}
	if (!u && *n.end != '\0')
		return err_unknown_unit(kind, text, n.end, strlen(n.end), flags, e);
	if (neg && !(flags & UNITS_ALLOW_NEGATIVE))
		return err_sign(kind, text, flags, e);
	rc = convert(&n, u ? u->exp10 : 0, &v);
	if (rc == -EILSEQ) {
		perr_set(e, "cannot convert %s (is LC_NUMERIC not \"C\"?)", quote(text, q));
		return -EINVAL;
	}
	if (rc)
		return err_range(kind, text, e);
	if (u) {
		v = ldexp(v, u->exp2);
		if (!isfinite(v))
			return err_range(kind, text, e);
		v /= u->div;
	}
	if (neg)
		v = -v;
	if (kind == UNITS_FRACTION && fabs(v) > 1.0) {
		if (u) {
			perr_set(e, "%s is more than 100%%", quote(text, q));
		} else {
			char fixed[UNITS_TEXT_MAX + 2];
			perr_set(e, "%s is not a fraction between 0 and 1", quote(text, q));
			snprintf(fixed, sizeof(fixed), "%s%%", text);
			if (e->suggest && parses(kind, fixed, flags))
				perr_add_suggestion(e, fixed);
		}
		return -EINVAL;
	}
	*out = v;
	return 0;
}

/* ---- public parse ------------------------------------------------------------------------- */

int units_parse_flags(enum units_kind kind, const char *text, unsigned flags, double *out,
		      char *err, size_t err_size)
{
	struct perr e = { err, err_size, true };
	sim_time t;
	int rc;

	if (!kind_get(kind)) {
		perr_set(&e, "unknown quantity kind %d", (int)kind);
		return -EINVAL;
	}
	if (kind != UNITS_DURATION)
		return parse_value(kind, text, flags, out, &e);
	rc = parse_duration(text, flags, &t, &e);
	if (rc == 0)
		*out = (double)t;
	return rc;
}

int units_parse(enum units_kind kind, const char *text, double *out, char *err,
		size_t err_size)
{
	return units_parse_flags(kind, text, 0, out, err, err_size);
}

int units_parse_duration_flags(const char *text, unsigned flags, sim_time *out, char *err,
			       size_t err_size)
{
	struct perr e = { err, err_size, true };

	return parse_duration(text, flags, out, &e);
}

int units_parse_seconds(const char *text, double *out, char *err, size_t err_size)
{
	struct perr e = { err, err_size, true };
	sim_time t;
	char q[QBUF];
	int rc = parse_duration(text, 0, &t, &e);
	if (rc == 0) {
		*out = (double)t * 1e-9;
		return 0;
	}
	/* Beyond int64 nanoseconds: one number and one unit, in double seconds. */
	struct num_lex n;
	const char *p = text;
	if (lex_number(p, &n) != LEX_OK)
		return rc;
	const struct unit_def *u = find_unit(duration_units, n.end, strlen(n.end));
	if (!u)
		return rc;
	double v;
	if (convert(&n, 0, &v) != 0 || !(v * ((double)u->ns * 1e-9) <= UNITS_SECONDS_MAX)) {
		perr_set(&e, "%s is out of range (long durations are limited to 10^7 years)",
			 quote(text, q));
		return -EINVAL;
	}
	*out = v * ((double)u->ns * 1e-9);
	return 0;
}

int units_parse_duration(const char *text, sim_time *out, char *err, size_t err_size)
{
	return units_parse_duration_flags(text, 0, out, err, err_size);
}

/* ---- formatting --------------------------------------------------------------------------- */

/* Copy s into buf: 0, or -ENOSPC after writing a truncated, terminated copy. */
static int emit(const char *s, char *buf, size_t size)
{
	size_t len = strlen(s);

	if (size == 0)
		return -ENOSPC;
	if (len + 1 > size) {
		memcpy(buf, s, size - 1);
		buf[size - 1] = '\0';
		return -ENOSPC;
	}
	memcpy(buf, s, len + 1);
	return 0;
}

/* Append "<whole>[.<frac, trailing zeros cut>]<suffix>", frac having `digits` digits. */
static size_t put_decimal(char *out, size_t o, uint64_t whole, uint64_t frac, int digits,
			  const char *suffix)
{
	char f[24];
	int len;

	o += (size_t)sprintf(out + o, "%" PRIu64, whole);
	if (frac) {
		len = sprintf(f, "%0*" PRIu64, digits, frac);
		while (len > 0 && f[len - 1] == '0')
			f[--len] = '\0';
		o += (size_t)sprintf(out + o, ".%s", f);
	}
	o += (size_t)sprintf(out + o, "%s", suffix);
	return o;
}

int units_format_duration(sim_time t, char *buf, size_t size)
{
	char out[UNITS_FORMAT_SIZE];
	uint64_t u, s = (uint64_t)SIM_S;
	size_t o = 0;

	if (t == 0)
		return emit("0s", buf, size);
	if (t < 0) {
		out[o++] = '-';
		u = (uint64_t)0 - (uint64_t)t;
	} else {
		u = (uint64_t)t;
	}
	if (u >= (uint64_t)SIM_DAY) {
		o += (size_t)sprintf(out + o, "%" PRIu64 "d", u / (uint64_t)SIM_DAY);
		u %= (uint64_t)SIM_DAY;
	}
	if (u >= (uint64_t)SIM_HOUR) {
		o += (size_t)sprintf(out + o, "%" PRIu64 "h", u / (uint64_t)SIM_HOUR);
		u %= (uint64_t)SIM_HOUR;
	}
	if (u >= (uint64_t)SIM_MIN) {
		o += (size_t)sprintf(out + o, "%" PRIu64 "m", u / (uint64_t)SIM_MIN);
		u %= (uint64_t)SIM_MIN;
	}
	if (u >= s)
		o = put_decimal(out, o, u / s, u % s, 9, "s");
	else if (u >= (uint64_t)SIM_MS)
		o = put_decimal(out, o, u / (uint64_t)SIM_MS, u % (uint64_t)SIM_MS, 6, "ms");
	else if (u >= (uint64_t)SIM_US)
		o = put_decimal(out, o, u / (uint64_t)SIM_US, u % (uint64_t)SIM_US, 3, "us");
	else if (u > 0)
		o = put_decimal(out, o, u, 0, 0, "ns");
	out[o] = '\0';
	return emit(out, buf, size);
}

/* The shortest decimal digits of w that strtod reads back as w: digits without point or
 * trailing zeros into d, and the decimal exponent of the first digit into *x. */
static void shortest_digits(double w, char *d, int *x)
{
	char tmp[40];
	int prec, o = 0;
	const char *p;

	for (prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, w);
		if (strtod(tmp, NULL) == w)
			break;
	}
	for (p = tmp; *p && *p != 'e'; p++)
		if (is_digit(*p))
			d[o++] = *p;
	d[o] = '\0'; /* no trailing zeros: a shorter precision would have round-tripped */
	*x = (int)strtol(p + 1, NULL, 10);
}

/* Write |digits| * 10^(x - len + 1) as a plain decimal, or in e-notation when far from 1. */
static void render(const char *d, int x, bool neg, const char *suffix, char *out, size_t size)
{
	int len = (int)strlen(d), i, o = 0;
	char s[48]; /* at most sign, 21 integer digits, point and 17 digits, or e-notation */

	if (neg)
		s[o++] = '-';
	if (x >= 0 && x < 21) {
		for (i = 0; i <= x; i++)
			s[o++] = i < len ? d[i] : '0';
		if (len > x + 1) {
			s[o++] = '.';
			for (i = x + 1; i < len; i++)
				s[o++] = d[i];
		}
	} else if (x < 0 && x >= -7) {
		s[o++] = '0';
		s[o++] = '.';
		for (i = 0; i < -x - 1; i++)
			s[o++] = '0';
		for (i = 0; i < len; i++)
			s[o++] = d[i];
	} else {
		s[o++] = d[0];
		if (len > 1) {
			s[o++] = '.';
			for (i = 1; i < len; i++)
				s[o++] = d[i];
		}
		o += sprintf(s + o, "e%d", x);
	}
	s[o] = '\0';
	snprintf(out, size, "%s%s", s, suffix);
}

int units_format(enum units_kind kind, double value, char *buf, size_t size)
{
	const struct kind_def *k = kind_get(kind);
	const struct unit_def *u;
	enum units_kind check = kind == UNITS_FRACTION ? UNITS_PERCENT : kind;
	char best[UNITS_FORMAT_SIZE + 32] = "";
	size_t best_len = SIZE_MAX;

	if (size > 0)
		buf[0] = '\0';
	if (!k || !isfinite(value))
		return -EINVAL;
	if (kind == UNITS_DURATION) {
		double r = round(value);
		if (!(r > -9223372036854775808.0 && r < 9223372036854775808.0))
			return -EINVAL;
		return units_format_duration((sim_time)r, buf, size);
	}
	for (u = k->units; u->suffix; u++) {
		char d[24], cand[UNITS_FORMAT_SIZE + 32];
		double w, back;
		int x;

		if (!u->format)
			continue;
		if (value == 0) {
			if (!u->base)
				continue;
			snprintf(cand, sizeof(cand), "0%s", u->suffix);
		} else {
			w = ldexp(fabs(value), -u->exp2) * u->div;
			if (!isfinite(w) || w == 0)
				continue;
			shortest_digits(w, d, &x);
			x -= u->exp10;
			if (x < 0 && !u->base)
				continue; /* "0.5GB": a smaller unit reads better */
			render(d, x, value < 0, u->suffix, cand, sizeof(cand));
			if (units_parse_flags(check, cand, UNITS_ALLOW_NEGATIVE, &back, NULL, 0) ||
			    back != value)
				continue;
		}
		if (strlen(cand) < best_len) {
			best_len = strlen(cand);
			memcpy(best, cand, best_len + 1);
		}
	}
	if (best_len == SIZE_MAX)
		return -EINVAL; /* not reached: the base unit always round-trips */
	return emit(best, buf, size);
}
