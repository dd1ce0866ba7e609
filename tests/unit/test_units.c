/* test_units.c: tests for sim/units (checked parsing and formatting of quantities).
 *
 * Data-driven: tables of (kind, input, flags, expected value or expected error substring),
 * an exact-nanosecond table for durations, a table of canonical formats, and round trips
 * format -> parse over many values. Values are compared exactly: the module promises
 * correctly rounded conversions, so a tolerance would hide the double roundings it avoids.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "units.h"

#define NEG UNITS_ALLOW_NEGATIVE

struct parse_case {
	enum units_kind kind;
	const char *text;
	unsigned flags;
	double want;     /* when err is NULL */
	const char *err; /* substring of the expected message, or NULL for success */
};

static const struct parse_case parse_cases[] = {
	/* durations, as double ns */
	{ UNITS_DURATION, "8s", 0, 8e9, NULL },
	{ UNITS_DURATION, "250ms", 0, 250e6, NULL },
	{ UNITS_DURATION, "1h30m", 0, 5400e9, NULL },
	/* sizes */
	{ UNITS_SIZE, "0B", 0, 0, NULL },
	{ UNITS_SIZE, "512B", 0, 512, NULL },
	{ UNITS_SIZE, "4kB", 0, 4e3, NULL },
	{ UNITS_SIZE, "4KB", 0, 4e3, NULL },
	{ UNITS_SIZE, "5MB", 0, 5e6, NULL },
	{ UNITS_SIZE, "100GB", 0, 1e11, NULL },
	{ UNITS_SIZE, "0.1GB", 0, 1e8, NULL },
	{ UNITS_SIZE, "2TB", 0, 2e12, NULL },
	{ UNITS_SIZE, "1.5PB", 0, 1.5e15, NULL },
	{ UNITS_SIZE, "4KiB", 0, 4096, NULL },
	{ UNITS_SIZE, "512MiB", 0, 512.0 * 1048576, NULL },
	{ UNITS_SIZE, "100GiB", 0, 100.0 * 1073741824, NULL },
	{ UNITS_SIZE, "16TiB", 0, 16.0 * 1099511627776.0, NULL },
	{ UNITS_SIZE, "1PiB", 0, 1125899906842624.0, NULL },
	{ UNITS_SIZE, "1e3MB", 0, 1e9, NULL },
	{ UNITS_SIZE, "2.5E-3GB", 0, 2.5e6, NULL },
	{ UNITS_SIZE, "1e+2kB", 0, 1e5, NULL },
	{ UNITS_SIZE, "8Gb", 0, 0, "did you mean \"8GB\"" },
	{ UNITS_SIZE, "8gib", 0, 0, "did you mean \"8GiB\"" },
	{ UNITS_SIZE, "8kiB", 0, 0, "unknown unit \"kiB\"" },
	{ UNITS_SIZE, "1EB", 0, 0, "unknown unit \"EB\"" },
	{ UNITS_SIZE, "100", 0, 0, "bare number \"100\" needs a unit: expected a size like \"100GB\" or \"100GiB\"" },
	{ UNITS_SIZE, "1e308TB", 0, 0, "\"1e308TB\" is out of range" },
	{ UNITS_SIZE, "1e305PiB", 0, 0, "is out of range" },
	{ UNITS_SIZE, "-1GB", 0, 0, "\"-1GB\" is negative" },
	{ UNITS_SIZE, "-1GB", NEG, -1e9, NULL },
	{ UNITS_SIZE, "1e-400B", 0, 0, NULL }, /* underflow: nearest value */
	/* rates */
	{ UNITS_RATE, "3000/s", 0, 3000, NULL },
	{ UNITS_RATE, "50/min", 0, 50.0 / 60, NULL },
	{ UNITS_RATE, "10/h", 0, 10.0 / 3600, NULL },
	{ UNITS_RATE, "2/d", 0, 2.0 / 86400, NULL },
	{ UNITS_RATE, "2.5/ms", 0, 2500, NULL },
	{ UNITS_RATE, "0.5/us", 0, 5e5, NULL },
	{ UNITS_RATE, "5/m", 0, 0, "did you mean \"5/min\"" },
	{ UNITS_RATE, "5/sec", 0, 0, "did you mean \"5/s\"" },
	{ UNITS_RATE, "5rps", 0, 0, "did you mean \"5/s\"" },
	{ UNITS_RATE, "5", 0, 0, "expected a rate like \"5/s\" or \"5/min\"" },
	/* bandwidth */
	{ UNITS_BANDWIDTH, "10Gbps", 0, 1.25e9, NULL },
	{ UNITS_BANDWIDTH, "500Mbps", 0, 62.5e6, NULL },
	{ UNITS_BANDWIDTH, "1kbps", 0, 125, NULL },
	{ UNITS_BANDWIDTH, "8bps", 0, 1, NULL },
	{ UNITS_BANDWIDTH, "1Tbps", 0, 1.25e11, NULL },
	{ UNITS_BANDWIDTH, "25Gbit/s", 0, 3.125e9, NULL },
	{ UNITS_BANDWIDTH, "125MiB/s", 0, 125.0 * 1048576, NULL },
	{ UNITS_BANDWIDTH, "250MB/s", 0, 2.5e8, NULL },
	{ UNITS_BANDWIDTH, "1GB/s", 0, 1e9, NULL },
	{ UNITS_BANDWIDTH, "1GiB/s", 0, 1073741824, NULL },
	{ UNITS_BANDWIDTH, "64KiB/s", 0, 65536, NULL },
	{ UNITS_BANDWIDTH, "3kB/s", 0, 3000, NULL },
	{ UNITS_BANDWIDTH, "3KB/s", 0, 3000, NULL },
	{ UNITS_BANDWIDTH, "7B/s", 0, 7, NULL },
	{ UNITS_BANDWIDTH, "1TB/s", 0, 1e12, NULL },
	{ UNITS_BANDWIDTH, "2TiB/s", 0, 2.0 * 1099511627776.0, NULL },
	{ UNITS_BANDWIDTH, "10GBps", 0, 0, "did you mean \"10GB/s\"" },
	{ UNITS_BANDWIDTH, "10gbps", 0, 0, "did you mean \"10Gbps\"" },
	{ UNITS_BANDWIDTH, "10Gb/s", 0, 0, "did you mean \"10Gbit/s\"" },
	{ UNITS_BANDWIDTH, "10", 0, 0, "bare number \"10\" needs a unit" },
	/* IOPS */
	{ UNITS_IOPS, "3000IOPS", 0, 3000, NULL },
	{ UNITS_IOPS, "16000/s", 0, 16000, NULL },
	{ UNITS_IOPS, "16000 IOPS", 0, 0, "unexpected whitespace in \"16000 IOPS\"; did you mean \"16000IOPS\"" },
	{ UNITS_IOPS, "3000iops", 0, 0, "did you mean \"3000IOPS\"" },
	{ UNITS_IOPS, "3000", 0, 0, "expected an IOPS figure like \"3000IOPS\"" },
	{ UNITS_IOPS, "3000/min", 0, 0, "unknown unit \"/min\"" },
	/* percentages and fractions */
	{ UNITS_PERCENT, "99.5%", 0, 0.995, NULL },
	{ UNITS_PERCENT, "150%", 0, 1.5, NULL },
	{ UNITS_PERCENT, "0%", 0, 0, NULL },
	{ UNITS_PERCENT, "0.5", 0, 0, "bare number \"0.5\" needs a unit" },
	{ UNITS_PERCENT, "5pct", 0, 0, "did you mean \"5%\"" },
	{ UNITS_FRACTION, "99.5%", 0, 0.995, NULL },
	{ UNITS_FRACTION, "0.995", 0, 0.995, NULL },
	{ UNITS_FRACTION, "1", 0, 1, NULL },
	{ UNITS_FRACTION, "0", 0, 0, NULL },
	{ UNITS_FRACTION, "100%", 0, 1, NULL },
	{ UNITS_FRACTION, "5", 0, 0, "\"5\" is not a fraction between 0 and 1; did you mean \"5%\"" },
	{ UNITS_FRACTION, "150%", 0, 0, "\"150%\" is more than 100%" },
	{ UNITS_FRACTION, "-0.5", 0, 0, "is negative" },
	{ UNITS_FRACTION, "-0.5", NEG, -0.5, NULL },
	/* plain numbers */
	{ UNITS_NUMBER, "42", 0, 42, NULL },
	{ UNITS_NUMBER, "1e6", 0, 1e6, NULL },
	{ UNITS_NUMBER, "0.1", 0, 0.1, NULL },
	{ UNITS_NUMBER, "42x", 0, 0, "unexpected \"x\" after the number" },
	{ UNITS_NUMBER, "0x10", 0, 0, "unexpected \"x10\"" },
	/* garbage, every kind */
	{ UNITS_SIZE, "", 0, 0, "empty value: expected a size like 100GB" },
	{ UNITS_SIZE, NULL, 0, 0, "empty value" },
	{ UNITS_SIZE, "GB", 0, 0, "missing number in \"GB\"" },
	{ UNITS_SIZE, " 5GB", 0, 0, "unexpected whitespace in \" 5GB\"; did you mean \"5GB\"" },
	{ UNITS_SIZE, "5GB\n", 0, 0, "unexpected whitespace in \"5GB\\x0a\"" },
	{ UNITS_SIZE, "nanGB", 0, 0, "missing number" },
	{ UNITS_SIZE, "infGB", 0, 0, "missing number" },
	{ UNITS_SIZE, "+5GB", 0, 0, "unexpected '+' in \"+5GB\"; did you mean \"5GB\"" },
	{ UNITS_SIZE, ".5GB", 0, 0, "malformed number in \".5GB\"; did you mean \"0.5GB\"" },
	{ UNITS_SIZE, "5.GB", 0, 0, "malformed number" },
	{ UNITS_SIZE, "1.2.3GB", 0, 0, "malformed number" },
	{ UNITS_SIZE, "5GBB", 0, 0, "unknown unit \"GBB\"" },
	{ UNITS_SIZE, "5GB/s", 0, 0, "unknown unit \"GB/s\"" },
	{ UNITS_SIZE, "1e5", 0, 0, "bare number" },
	{ UNITS_SIZE, "5e", 0, 0, "unknown unit \"e\"" },
	{ UNITS_SIZE, "5\"GB", 0, 0, "unknown unit \"\\\"GB\"" },
	{ UNITS_SIZE, "000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001B", 0, 0, "too many digits" },
	{ (enum units_kind)99, "5s", 0, 0, "unknown quantity kind 99" },
};

static void test_parse_table(void **state)
{
	size_t i, failures = 0;

	(void)state;
	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		const struct parse_case *c = &parse_cases[i];
		char err[UNITS_ERR_SIZE] = "";
		double v = -12345.0;
		int rc = units_parse_flags(c->kind, c->text, c->flags, &v, err, sizeof(err));

		if (c->err == NULL && (rc != 0 || v != c->want)) {
			print_error("case %zu %s \"%s\": rc %d value %.17g want %.17g (%s)\n", i,
				    units_kind_name(c->kind), c->text, rc, v, c->want, err);
			failures++;
		} else if (c->err != NULL && (rc != -EINVAL || !strstr(err, c->err) ||
					      v != -12345.0)) {
			print_error("case %zu %s \"%s\": rc %d message '%s' lacks '%s'\n", i,
				    units_kind_name(c->kind), c->text ? c->text : "(null)", rc, err,
				    c->err);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

struct duration_case {
	const char *text;
	unsigned flags;
	sim_time want;
	const char *err;
};

static const struct duration_case duration_cases[] = {
	/* every suffix */
	{ "1ns", 0, 1, NULL },
	{ "1us", 0, SIM_US, NULL },
	{ "1\xc2\xb5s", 0, SIM_US, NULL },
	{ "1\xce\xbcs", 0, SIM_US, NULL },
	{ "1ms", 0, SIM_MS, NULL },
	{ "1s", 0, SIM_S, NULL },
	{ "1m", 0, SIM_MIN, NULL },
	{ "1min", 0, SIM_MIN, NULL },
	{ "1h", 0, SIM_HOUR, NULL },
	{ "1d", 0, SIM_DAY, NULL },
	{ "0s", 0, 0, NULL },
	{ "0ns", 0, 0, NULL },
	{ "8s", 0, 8 * SIM_S, NULL },
	{ "250ms", 0, 250 * SIM_MS, NULL },
	/* compound */
	{ "1h30m", 0, 90 * SIM_MIN, NULL },
	{ "2m30s", 0, 150 * SIM_S, NULL },
	{ "1m30.5s", 0, 90 * SIM_S + 500 * SIM_MS, NULL },
	{ "1d2h3m4s5ms6us7ns", 0, SIM_DAY + 2 * SIM_HOUR + 3 * SIM_MIN + 4 * SIM_S + 5 * SIM_MS + 6 * SIM_US + 7, NULL },
	{ "1.5h30m", 0, 2 * SIM_HOUR, NULL },
	{ "1h500ms", 0, SIM_HOUR + 500 * SIM_MS, NULL },
	{ "2min30s", 0, 150 * SIM_S, NULL },
	{ "30m1h", 0, 0, "units out of order in \"30m1h\": \"h\" after \"m\"" },
	{ "1m1m", 0, 0, "unit \"m\" repeated in \"1m1m\"" },
	{ "1m2min", 0, 0, "unit \"min\" repeated" },
	{ "1h30", 0, 0, "missing unit after \"30\" in \"1h30\"" },
	{ "1hm", 0, 0, "missing number before \"m\" in \"1hm\"" },
	{ "1h 30m", 0, 0, "did you mean \"1h30m\"" },
	/* fractions and rounding (nearest ns, halves away from zero) */
	{ "1.5s", 0, 1500 * SIM_MS, NULL },
	{ "0.25ms", 0, 250 * SIM_US, NULL },
	{ "0.5ns", 0, 1, NULL },
	{ "0.49ns", 0, 0, NULL },
	{ "1.4999999999999999999999ns", 0, 1, NULL },
	{ "1.5ns", 0, 2, NULL },
	{ "2.5ns", 0, 3, NULL },
	{ "0.0000000015s", 0, 2, NULL },
	{ "0.1s", 0, 100 * SIM_MS, NULL },
	{ "0.3333333333s", 0, 333333333, NULL },
	{ "0.33333333333333333333333333h", 0, 20 * SIM_MIN, NULL },
	{ "1e3ms", 0, SIM_S, NULL },
	{ "1.5e-3s", 0, 1500 * SIM_US, NULL },
	{ "1e-400s", 0, 0, NULL },
	{ "0.000001ns", 0, 0, NULL },
	{ "00010s", 0, 10 * SIM_S, NULL },
	{ "1.000s", 0, SIM_S, NULL },
	/* range */
	{ "9223372036854775807ns", 0, INT64_MAX, NULL },
	{ "9223372036854775808ns", 0, 0, "\"9223372036854775808ns\" is out of range" },
	{ "9223372036.854775807s", 0, INT64_MAX, NULL },
	{ "9223372036.8547758075s", 0, 0, "is out of range" },
	{ "106751d23h47m16.854775807s", 0, INT64_MAX, NULL },
	{ "106751d23h47m16.854775808s", 0, 0, "is out of range" },
	{ "106752d", 0, 0, "is out of range" },
	{ "1e400s", 0, 0, "\"1e400s\" is out of range" },
	{ "1e19ns", 0, 0, "is out of range" },
	{ "99999999999999999999ns", 0, 0, "is out of range" }, /* 20 digits wrap uint64 */
	{ "18446744073709551617ns", 0, 0, "is out of range" }, /* 2^64 + 1 */
	{ "281474976710656d", 0, 0, "is out of range" }, /* 2^48 d = 2^64 * 1318359375 ns */
	{ "0.000000000000000000000000000000000000000000000000000001d", 0, 0, NULL },
	{ "99999999999999999999999s", 0, 0, "is out of range" },
	/* negatives */
	{ "-3s", 0, 0, "\"-3s\" is negative" },
	{ "-3s", NEG, -3 * SIM_S, NULL },
	{ "-1h30m", NEG, -90 * SIM_MIN, NULL },
	{ "-0.5ns", NEG, -1, NULL },
	{ "-9223372036854775807ns", NEG, -INT64_MAX, NULL },
	{ "-9223372036854775808ns", NEG, 0, "is out of range" },
	{ "--3s", NEG, 0, "missing number" },
	{ "-", NEG, 0, "missing number" },
	{ "+3s", 0, 0, "unexpected '+' in \"+3s\"; did you mean \"3s\"" },
	/* bare numbers */
	{ "5", 0, 0, "bare number \"5\" needs a unit: expected a duration like \"5s\" or \"5ms\"" },
	{ "0", 0, 0, "bare number \"0\" needs a unit" },
	{ "1.5", 0, 0, "bare number" },
	/* unknown units and suggestions */
	{ "5sec", 0, 0, "unknown unit \"sec\" in \"5sec\" (expected ns, us, ms, s, m, h, d); did you mean \"5s\"" },
	{ "5ss", 0, 0, "unknown unit \"ss\" in \"5ss\"" },
	{ "5ss", 0, 0, "did you mean \"5s\"" },
	{ "5 s", 0, 0, "unexpected whitespace in \"5 s\"; did you mean \"5s\"" },
	{ "5S", 0, 0, "did you mean \"5s\"" },
	{ "5MS", 0, 0, "did you mean \"5ms\"" },
	{ "2hours", 0, 0, "did you mean \"2h\"" },
	{ "5mins", 0, 0, "unknown unit \"mins\" in \"5mins\" (expected ns, us, ms, s, m, h, d); did you mean \"5min\"" },
	{ "2minutes30s", 0, 0, "did you mean \"2min30s\"" },
	{ "5y", 0, (sim_time)157788000 * SIM_S, NULL }, /* Julian years */
	{ "5yr", 0, 0, "unknown unit \"yr\"" },
	{ "5x", 0, 0, "unknown unit \"x\" in \"5x\" (expected ns, us, ms, s, m, h, d)" },
	/* garbage */
	{ "s", 0, 0, "missing number in \"s\": expected a duration like 8s, 250ms, 1h30m" },
	{ "", 0, 0, "empty value: expected a duration like 8s, 250ms, 1h30m" },
	{ NULL, 0, 0, "empty value" },
	{ " 5s", 0, 0, "unexpected whitespace in \" 5s\"; did you mean \"5s\"" },
	{ "5s ", 0, 0, "unexpected whitespace in \"5s \"; did you mean \"5s\"" },
	{ "5\ts", 0, 0, "unexpected whitespace in \"5\\x09s\"" },
	{ "5..0s", 0, 0, "malformed number in \"5..0s\"" },
	{ "5.s", 0, 0, "malformed number" },
	{ ".5s", 0, 0, "malformed number in \".5s\"; did you mean \"0.5s\"" },
	{ "0x10s", 0, 0, "unknown unit \"x\" in \"0x10s\"" },
	{ "nan s", 0, 0, "unexpected whitespace" },
	{ "nans", 0, 0, "missing number in \"nans\"" },
	{ "infs", 0, 0, "missing number in \"infs\"" },
	{ "5s5", 0, 0, "missing unit after \"5\"" },
	{ "1e", 0, 0, "unknown unit \"e\"" },
	{ "1e+s", 0, 0, "unknown unit \"e+s\"" },
	{ "5s\xff", 0, 0, "unknown unit \"s\xff\"" },
	{ "1s.5ms", 0, 0, "malformed number in \"1s.5ms\"; did you mean \"1s0.5ms\"" },
};

static void test_duration_table(void **state)
{
	size_t i, failures = 0;

	(void)state;
	for (i = 0; i < sizeof(duration_cases) / sizeof(duration_cases[0]); i++) {
		const struct duration_case *c = &duration_cases[i];
		char err[UNITS_ERR_SIZE] = "";
		sim_time t = -12345;
		int rc = units_parse_duration_flags(c->text, c->flags, &t, err, sizeof(err));

		if (c->err == NULL && (rc != 0 || t != c->want)) {
			print_error("case %zu \"%s\": rc %d value %lld want %lld (%s)\n", i, c->text,
				    rc, (long long)t, (long long)c->want, err);
			failures++;
		} else if (c->err != NULL &&
			   (rc != -EINVAL || !strstr(err, c->err) || t != -12345)) {
			print_error("case %zu \"%s\": rc %d message '%s' lacks '%s'\n", i,
				    c->text ? c->text : "(null)", rc, err, c->err);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

struct format_case {
	enum units_kind kind;
	double value;
	const char *want;
};

static const struct format_case format_cases[] = {
	{ UNITS_DURATION, 0, "0s" },
	{ UNITS_DURATION, 1, "1ns" },
	{ UNITS_DURATION, 1500, "1.5us" },
	{ UNITS_DURATION, 8e9, "8s" },
	{ UNITS_DURATION, 250e6, "250ms" },
	{ UNITS_DURATION, 5400e9, "1h30m" },
	{ UNITS_DURATION, 90.5e9, "1m30.5s" },
	{ UNITS_DURATION, 86400e9 + 3600e9, "1d1h" },
	{ UNITS_DURATION, 3600e9 + 500e6, "1h500ms" },
	{ UNITS_DURATION, 3600e9 + 1, "1h1ns" },
	{ UNITS_DURATION, 1.000000001e9, "1.000000001s" },
	{ UNITS_DURATION, -8e9, "-8s" },
	{ UNITS_DURATION, 1.4, "1ns" },
	{ UNITS_SIZE, 0, "0B" },
	{ UNITS_SIZE, 512, "512B" },
	{ UNITS_SIZE, 1e11, "100GB" },
	{ UNITS_SIZE, 1.5e9, "1.5GB" },
	{ UNITS_SIZE, 1073741824, "1GiB" },
	{ UNITS_SIZE, 4096, "4KiB" },
	{ UNITS_SIZE, 1e8, "100MB" },
	{ UNITS_SIZE, 1e18, "1000PB" },
	{ UNITS_SIZE, 0.5, "0.5B" },
	{ UNITS_RATE, 3000, "3000/s" },
	{ UNITS_RATE, 50.0 / 60, "50/min" },
	{ UNITS_RATE, 10.0 / 3600, "10/h" },
	{ UNITS_RATE, 2500, "2500/s" },
	{ UNITS_BANDWIDTH, 1.25e9, "10Gbps" },
	{ UNITS_BANDWIDTH, 62.5e6, "500Mbps" },
	{ UNITS_BANDWIDTH, 125.0 * 1048576, "125MiB/s" },
	{ UNITS_BANDWIDTH, 2.5e8, "2Gbps" },
	{ UNITS_BANDWIDTH, 0, "0B/s" },
	{ UNITS_BANDWIDTH, 0.1, "0.1B/s" }, /* not "0.8bps": a mantissa under 1 only in B/s */
	{ UNITS_IOPS, 3000, "3000IOPS" },
	{ UNITS_PERCENT, 0.995, "99.5%" },
	{ UNITS_PERCENT, 1.5, "150%" },
	{ UNITS_FRACTION, 0.995, "99.5%" },
	{ UNITS_FRACTION, 1, "100%" },
	{ UNITS_FRACTION, 0, "0%" },
	{ UNITS_NUMBER, 42, "42" },
	{ UNITS_NUMBER, 0.1, "0.1" },
	{ UNITS_NUMBER, 1e300, "1e300" },
};

static void test_format_table(void **state)
{
	size_t i, failures = 0;

	(void)state;
	for (i = 0; i < sizeof(format_cases) / sizeof(format_cases[0]); i++) {
		const struct format_case *c = &format_cases[i];
		char buf[UNITS_FORMAT_SIZE];
		int rc = units_format(c->kind, c->value, buf, sizeof(buf));

		if (rc != 0 || strcmp(buf, c->want) != 0) {
			print_error("format case %zu %s %.17g: rc %d \"%s\" want \"%s\"\n", i,
				    units_kind_name(c->kind), c->value, rc, buf, c->want);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

static void test_format_errors(void **state)
{
	char buf[UNITS_FORMAT_SIZE];
	char small[4];

	(void)state;
	assert_int_equal(units_format(UNITS_SIZE, NAN, buf, sizeof(buf)), -EINVAL);
	assert_string_equal(buf, "");
	assert_int_equal(units_format(UNITS_SIZE, INFINITY, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(units_format(UNITS_DURATION, 1e19, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(units_format(UNITS_DURATION, -1e19, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(units_format((enum units_kind)99, 1, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(units_format(UNITS_SIZE, 1e11, small, sizeof(small)), -ENOSPC);
	assert_string_equal(small, "100");
	assert_int_equal(units_format(UNITS_SIZE, 1e11, NULL, 0), -ENOSPC);
	assert_int_equal(units_format_duration(INT64_MIN, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "-106751d23h47m16.854775808s");
	assert_int_equal(units_format_duration(INT64_MAX, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "106751d23h47m16.854775807s");
}

/* A deterministic sequence of doubles across many magnitudes, with short and long mantissas. */
static double sample(unsigned i, uint64_t *seed)
{
	*seed = *seed * 6364136223846793005ULL + 1442695040888963407ULL;
	double mant = (double)(*seed >> 11) / 9007199254740992.0; /* [0, 1) */
	int exp = (int)(i % 40) - 10;
	if (i % 3 == 0)
		mant = (double)((*seed >> 40) % 1000) / 100.0; /* short decimals: 1.25, 7.5 */
	return mant * pow(10.0, exp);
}

static void test_round_trip(void **state)
{
	static const enum units_kind kinds[] = { UNITS_SIZE, UNITS_RATE, UNITS_BANDWIDTH,
						 UNITS_IOPS, UNITS_PERCENT, UNITS_NUMBER };
	uint64_t seed = 42;
	size_t k, failures = 0;
	unsigned i;

	(void)state;
	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		for (i = 0; i < 4000; i++) {
			double v = sample(i, &seed), back = -1;
			char buf[UNITS_FORMAT_SIZE], err[UNITS_ERR_SIZE] = "";
			int rc = units_format(kinds[k], v, buf, sizeof(buf));

			if (rc != 0 || units_parse(kinds[k], buf, &back, err, sizeof(err)) != 0 ||
			    back != v) {
				print_error("%s %.17g -> \"%s\" -> %.17g (%s)\n",
					    units_kind_name(kinds[k]), v, buf, back, err);
				failures++;
			}
		}
	}
	/* fractions: values in [0, 1] */
	for (i = 0; i < 4000; i++) {
		double v = (double)(seed = seed * 6364136223846793005ULL + 1) / 18446744073709551616.0;
		double back = -1;
		char buf[UNITS_FORMAT_SIZE];

		if (i % 2)
			v = (double)(i % 1001) / 1000.0;
		if (units_format(UNITS_FRACTION, v, buf, sizeof(buf)) != 0 ||
		    units_parse(UNITS_FRACTION, buf, &back, NULL, 0) != 0 || back != v) {
			print_error("fraction %.17g -> \"%s\" -> %.17g\n", v, buf, back);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

static void test_duration_round_trip(void **state)
{
	uint64_t seed = 7;
	size_t failures = 0;
	unsigned i;

	(void)state;
	for (i = 0; i < 20000; i++) {
		sim_time t, back = -1;
		char buf[UNITS_FORMAT_SIZE];
		double dback = -1;

		seed = seed * 6364136223846793005ULL + 1442695040888963407ULL;
		t = (sim_time)(seed >> 1) >> (i % 63); /* magnitudes from 1 ns to INT64_MAX */
		if (i % 5 == 0)
			t = (t % 100000) * SIM_MS; /* whole milliseconds */
		if (i % 7 == 0)
			t = -t;
		if (units_format_duration(t, buf, sizeof(buf)) != 0 ||
		    units_parse_duration_flags(buf, UNITS_ALLOW_NEGATIVE, &back, NULL, 0) != 0 ||
		    back != t) {
			print_error("duration %lld -> \"%s\" -> %lld\n", (long long)t, buf,
				    (long long)back);
			failures++;
		}
		/* the double API agrees where ns are exact in a double */
		if (t >= 0 && t < ((sim_time)1 << 53) &&
		    (units_format(UNITS_DURATION, (double)t, buf, sizeof(buf)) != 0 ||
		     units_parse(UNITS_DURATION, buf, &dback, NULL, 0) != 0 ||
		     dback != (double)t)) {
			print_error("duration (double) %lld -> \"%s\" -> %.17g\n", (long long)t, buf,
				    dback);
			failures++;
		}
	}
	assert_int_equal(failures, 0);
}

static void test_error_buffer(void **state)
{
	char err[16];
	double v = 0;
	sim_time t = 0;

	(void)state;
	/* no buffer: still refused */
	assert_int_equal(units_parse(UNITS_DURATION, "5", &v, NULL, 0), -EINVAL);
	assert_int_equal(units_parse_duration("5", &t, NULL, 0), -EINVAL);
	/* a short buffer gets a truncated, terminated message */
	memset(err, 'x', sizeof(err));
	assert_int_equal(units_parse_duration("5sec", &t, err, sizeof(err)), -EINVAL);
	assert_int_equal(strlen(err), sizeof(err) - 1);
	assert_memory_equal(err, "unknown unit \"s", 15);
	/* err untouched on success */
	strcpy(err, "keep");
	assert_int_equal(units_parse_duration("5s", &t, err, sizeof(err)), 0);
	assert_string_equal(err, "keep");
	assert_int_equal(t, 5 * SIM_S);
}

static void test_long_input(void **state)
{
	char text[400], err[UNITS_ERR_SIZE];
	sim_time t = 0;

	(void)state;
	memset(text, '1', sizeof(text));
	text[sizeof(text) - 2] = 's';
	text[sizeof(text) - 1] = '\0';
	assert_int_equal(units_parse_duration(text, &t, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "is too long"));
	assert_non_null(strstr(err, "...\""));
	/* 150 bytes of "1h" components is within the length limit but repeats a unit */
	memset(text, 0, sizeof(text));
	for (int i = 0; i < 75; i++)
		memcpy(text + 2 * i, "1h", 2);
	assert_int_equal(units_parse_duration(text, &t, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "repeated"));
}

static void test_kind_names(void **state)
{
	(void)state;
	assert_string_equal(units_kind_name(UNITS_DURATION), "duration");
	assert_string_equal(units_kind_name(UNITS_SIZE), "size");
	assert_string_equal(units_kind_name(UNITS_RATE), "rate");
	assert_string_equal(units_kind_name(UNITS_BANDWIDTH), "bandwidth");
	assert_string_equal(units_kind_name(UNITS_IOPS), "IOPS");
	assert_string_equal(units_kind_name(UNITS_PERCENT), "percentage");
	assert_string_equal(units_kind_name(UNITS_FRACTION), "fraction");
	assert_string_equal(units_kind_name(UNITS_NUMBER), "number");
	assert_string_equal(units_kind_name((enum units_kind)-1), "unknown");
	assert_string_equal(units_kind_example(UNITS_DURATION), "8s, 250ms, 1h30m");
	assert_string_equal(units_kind_units(UNITS_DURATION), "ns, us, ms, s, m, h, d");
	assert_string_equal(units_kind_example((enum units_kind)UNITS_KIND_COUNT), "");
	/* every example of every kind parses */
	for (int k = 0; k < UNITS_KIND_COUNT; k++) {
		char ex[128], *tok, *save = NULL;
		double v;
		snprintf(ex, sizeof(ex), "%s", units_kind_example((enum units_kind)k));
		for (tok = strtok_r(ex, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
			char err[UNITS_ERR_SIZE] = "";
			int rc = units_parse((enum units_kind)k, tok, &v, err, sizeof(err));
			if (rc)
				print_error("example \"%s\" of %s: %s\n", tok,
					    units_kind_name((enum units_kind)k), err);
			assert_int_equal(rc, 0);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table),
		cmocka_unit_test(test_duration_table),
		cmocka_unit_test(test_format_table),
		cmocka_unit_test(test_format_errors),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_duration_round_trip),
		cmocka_unit_test(test_error_buffer),
		cmocka_unit_test(test_long_input),
		cmocka_unit_test(test_kind_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
