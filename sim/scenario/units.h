/* units.h: checked parsing and formatting of quantities with units.
 *
 * Scenario files write quantities as strings with a unit ("8s", "100GB", "10Gbps"); this
 * module turns them into one canonical internal unit per kind and back. It is strict on
 * purpose, because a silently misread quantity gives a wrong simulation that looks right:
 *
 * - The whole string is the quantity: no leading, trailing or inner spaces ("5 s" is refused
 *   with `did you mean "5s"`), no trailing garbage, nothing after the unit.
 * - A number is decimal: digits, optionally a point followed by digits ("0.5", not ".5" or
 *   "5."), optionally an exponent ("1e3", "2.5E-3"). No hex, no "nan", no "inf", no '+'.
 * - A bare number is refused wherever a unit is required (all kinds except FRACTION and
 *   NUMBER): "5" could mean 5 s or 5 ms, and the reader should not have to guess.
 * - A leading '-' is refused unless the caller passes UNITS_ALLOW_NEGATIVE.
 * - Values that overflow (int64 ns for durations, double otherwise) are refused; values that
 *   underflow to (almost) zero are accepted as the nearest representable value.
 * - Units are case-sensitive: "b" is a bit and "B" a byte; "m" is a minute, never a metre.
 *
 * Kinds, their internal units, and the suffixes accepted:
 *   DURATION   ns (int64, sim_time)  ns us µs ms s m min h d; compound in decreasing order
 *                                    like Go: "1h30m", "1m30.5s", "2d12h"; each component is
 *                                    a decimal number, rounded exactly (in integers) to the
 *                                    nearest ns, halves away from zero; components add up
 *   SIZE       bytes (double)        B, kB = KB = 1000, MB, GB, TB, PB (powers of 1000) and
 *                                    KiB, MiB, GiB, TiB, PiB (powers of 1024). "GB" keeps its
 *                                    SI meaning (1e9) even though AWS sizes volumes in GiB: the
 *                                    IRIS documentation writes "100GB"; write "100GiB" for AWS
 *   RATE       per second (double)   /us /ms /s /min /h /d ("3000/s", "50/min", "2.5/ms")
 *   BANDWIDTH  bytes/second (double) bits: bps kbps Mbps Gbps Tbps (also bit/s, kbit/s, ...),
 *                                    SI, so "10Gbps" = 1e10 bit/s = 1.25e9 B/s; bytes: B/s
 *                                    kB/s KB/s MB/s GB/s TB/s KiB/s MiB/s GiB/s TiB/s
 *   IOPS       operations/s (double) "3000IOPS" or "3000/s"
 *   PERCENT    fraction (double)     "99.5%" -> 0.995; any non-negative percentage
 *   FRACTION   fraction (double)     "99.5%" or a bare number, both within [0, 1]
 *   NUMBER     plain number (double) a bare number and nothing else (a checked strtod)
 *
 * Decimal scale factors are applied to the decimal exponent before conversion, and binary
 * ones (KiB, bits) are exact powers of two, so "0.1GB" is the double nearest 1e8, not
 * 0.1 * 1e9 with a second rounding. Only /min, /h and /d rates divide after conversion.
 *
 * Formatting writes the shortest string that parses back to exactly the same value, among
 * the main units of the kind (not aliases such as "KB", "min", "Gbit/s", nor "/ms", "/us")
 * and with a number of at least 1 except in the kind's base unit (B, B/s, /s); ties go to
 * the unit listed first above (1e11 bytes -> "100GB", 1073741824 -> "1GiB", 1.25e9 B/s ->
 * "10Gbps", 3000/s -> "3000/s", 5.4e12 ns -> "1h30m"). Durations round-trip for whole ns.
 *
 * The module has no state, allocates nothing and is safe to use from several threads. It
 * calls strtod on text it has already validated and so depends on LC_NUMERIC being "C" (the
 * default; topsim never calls setlocale for numbers): under another locale a parse fails
 * with an error saying so rather than misreading the number.
 */
#ifndef TOPSIM_UNITS_H
#define TOPSIM_UNITS_H

#include <stddef.h>

#include "fields.h" /* enum units_kind */
#include "simtime.h"


enum units_flags {
	UNITS_ALLOW_NEGATIVE = 1u << 0, /* accept a leading '-' */
};

/* Suggested size of an error buffer; longer messages are truncated, never overrun. */
#define UNITS_ERR_SIZE 256
/* Size of a buffer that any units_format result fits in. */
#define UNITS_FORMAT_SIZE 64

/* Parse text as a quantity of the given kind into its canonical unit (see the table above;
 * durations as nanoseconds in a double). Negative values are refused.
 * Returns 0 and sets *out, or -EINVAL with *out unchanged and a one-line message in err
 * (lowercase, no trailing period, the input quoted, with `did you mean "..."` when a close
 * spelling parses), e.g. `unknown unit "sec" in "5sec" (expected ns, us, ms, s, m, h, d);
 * did you mean "5s"`. text NULL is refused like "". err may be NULL or err_size 0 when the
 * message is not wanted; err is written only on failure. out must not be NULL. */
int units_parse(enum units_kind kind, const char *text, double *out /* OUT */, char *err,
		size_t err_size);

/* As units_parse, with flags from enum units_flags. */
int units_parse_flags(enum units_kind kind, const char *text, unsigned flags,
		      double *out /* OUT */, char *err, size_t err_size);

/* Parse a duration exactly to integer nanoseconds (see units_parse). Range +-INT64_MAX ns
 * (about 292 years); beyond it the text is refused as out of range. */
int units_parse_duration(const char *text, sim_time *out /* OUT */, char *err, size_t err_size);

/* Parse a non-negative duration to seconds (double), for values kept in seconds such as
 * distribution parameters: as units_parse_duration within its range, and beyond it one
 * number with one unit ("500y", "4380000h") up to UNITS_SECONDS_MAX. Units include "y", the
 * Julian year of 365.25 days. Returns 0 or -EINVAL with a message in err. */
#define UNITS_SECONDS_MAX (1e7 * 365.25 * 86400.0)
int units_parse_seconds(const char *text, double *out /* OUT */, char *err, size_t err_size);

/* As units_parse_duration, with flags from enum units_flags. */
int units_parse_duration_flags(const char *text, unsigned flags, sim_time *out /* OUT */,
			       char *err, size_t err_size);

/* Write the canonical short form of value (in the kind's internal unit) into buf: the
 * shortest accepted spelling that units_parse_flags reads back as exactly value (negative
 * values need UNITS_ALLOW_NEGATIVE to parse back). Duration values are rounded to whole ns.
 * FRACTION and PERCENT are written as percentages ("99.5%").
 * Returns 0; -EINVAL if value is NaN or infinite, or a duration beyond +-INT64_MAX ns (buf
 * then holds ""); -ENOSPC if buf is too small (buf then holds a truncated, terminated string;
 * UNITS_FORMAT_SIZE bytes always suffice). buf may be NULL only when size is 0. */
int units_format(enum units_kind kind, double value, char *buf, size_t size);

/* Write a duration exactly: "0s", "1ns", "1.5us", "250ms", "8s", "1m30.5s", "1h30m",
 * "2d1h", "1h500ms". Returns 0, or -ENOSPC as units_format. */
int units_format_duration(sim_time t, char *buf, size_t size);

/* Name of a kind for messages and docs: "duration", "size", "rate", "bandwidth", "IOPS",
 * "percentage", "fraction", "number"; "unknown" for a value outside the enum. Cannot fail;
 * the string is static. */
const char *units_kind_name(enum units_kind kind);

/* Examples of a kind for docs and messages, e.g. "8s, 250ms, 1h30m". Static; cannot fail. */
const char *units_kind_example(enum units_kind kind);

/* The accepted unit suffixes of a kind, e.g. "ns, us, ms, s, m, h, d" (main spellings;
 * aliases such as "min" and "µs" are listed in the table above). Static; cannot fail. */
const char *units_kind_units(enum units_kind kind);

#endif
