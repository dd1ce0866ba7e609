/* fields.h: configuration field tables.
 *
 * Every model declares its configuration as a C struct plus a table that describes each
 * member: its JSON key, type, offset, default, bounds, unit and help, and where the default
 * comes from. One table drives everything that touches the configuration, so they cannot
 * drift apart (ROSS TWOPT_* in spirit):
 *   - the scenario loader parses and checks JSON against it (field_json.h),
 *   - defaults are filled from it,
 *   - `topsim schema` writes the Markdown reference and the JSON Schema from it.
 *
 * Defaults and bounds are written as text in the scenario's own syntax ("8s", "100GB") and
 * parsed by the same parser as the file, so a table reads like the documentation it
 * produces, and a test parses every default of every table.
 *
 * This header is declarations only (no code): models include it without depending on the
 * loader, cJSON or any I/O.
 */
#ifndef TOPSIM_FIELDS_H
#define TOPSIM_FIELDS_H

#include <stdbool.h>
#include <stddef.h>

#include "simtime.h"

/* The kinds of quantity a field holds, each in one canonical internal unit; the scenario
 * layer's units.h parses and formats them. */
enum units_kind {
	UNITS_DURATION,  /* nanoseconds */
	UNITS_SIZE,      /* bytes */
	UNITS_RATE,      /* events per second */
	UNITS_BANDWIDTH, /* bytes per second */
	UNITS_IOPS,      /* I/O operations per second */
	UNITS_PERCENT,   /* fraction: "50%" is 0.5; may exceed 1 */
	UNITS_FRACTION,  /* fraction in [0, 1]: "50%" or "0.5" */
	UNITS_NUMBER,    /* a bare number without unit */
	UNITS_KIND_COUNT
};

enum field_type {
	FIELD_BOOL,        /* bool; JSON true/false */
	FIELD_INT,         /* int64_t; JSON integer */
	FIELD_NUMBER,      /* double; bare JSON number, for unitless values */
	FIELD_STRING,      /* char *, owned by the config; JSON string */
	FIELD_ENUM,        /* int: index in enum_names; JSON string; -1 when a required value
			    * was unusable (reported) */
	FIELD_DURATION,    /* sim_time (int64 ns); JSON string with a time unit */
	FIELD_QUANTITY,    /* double in the canonical unit of `units`; JSON string with a unit */
	FIELD_DIST,        /* struct rng_dist; JSON object {"kind": ..., parameters in `units`},
			    * or a string with a unit as shorthand for a deterministic value.
			    * Durations are held in seconds, other kinds in their canonical unit. */
	FIELD_OBJECT,      /* embedded struct described by `sub`; JSON object */
	FIELD_ARRAY,       /* array of structs described by `sub`: a pointer at offset, a size_t
			    * count at count_offset; JSON array of objects */
	FIELD_STRING_LIST, /* char ** at offset, size_t count at count_offset; JSON array of
			    * strings, or one string as a list of one */
};

enum field_flags {
	FIELD_REQUIRED = 1u << 0, /* must be present (no default) */
};

struct field_table;

struct field {
	const char *name;              /* JSON key */
	enum field_type type;
	size_t offset;                 /* of the member in the config struct */
	size_t count_offset;           /* FIELD_ARRAY, FIELD_STRING_LIST: size_t member */
	enum units_kind units;         /* FIELD_QUANTITY, FIELD_DIST */
	const char *def;               /* default in scenario syntax; NULL: zero/empty/false */
	const char *min;               /* lower bound in scenario syntax (inclusive); NULL: none */
	const char *max;               /* upper bound in scenario syntax (inclusive); NULL: none */
	unsigned flags;                /* enum field_flags */
	const struct field_table *sub; /* FIELD_OBJECT, FIELD_ARRAY */
	const char *const *enum_names; /* FIELD_ENUM: NULL-terminated list of accepted names */
	const char *help;              /* one line for the reference */
	const char *source;            /* citation of the default ("iris.md §0: QoS 8 s"), or NULL */
};

struct field_table {
	const char *name;           /* section name in the reference, e.g. "host" */
	const char *help;           /* paragraph for the reference */
	size_t size;                /* sizeof the struct it describes */
	const struct field *fields;
	size_t count;
};

/* Designated-initializer helpers for tables:
 *   static const struct field host_fields[] = {
 *       {FIELD_AT(struct host_config, name), .type = FIELD_STRING, .flags = FIELD_REQUIRED,
 *        .help = "unique host name"},
 *   };
 */
#define FIELD_AT(type_, member_) .name = #member_, .offset = offsetof(type_, member_)
#define FIELD_LIST_AT(type_, member_, count_member_) \
	FIELD_AT(type_, member_), .count_offset = offsetof(type_, count_member_)
#define FIELD_TABLE_OF(name_, help_, type_, fields_) \
	{ name_, help_, sizeof(type_), fields_, sizeof(fields_) / sizeof((fields_)[0]) }

#endif
