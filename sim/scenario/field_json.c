/* field_json.c: field tables against JSON (see field_json.h).
 *
 * Values are written to the config through the table's offsets only; every member a table
 * names is written exactly once by field_defaults, so a config is never left with
 * uninitialised members, whatever the input.
 */
#include "field_json.h"

#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"
#include "simtime.h"
#include "units.h"

#define PATH_MAX_LEN 512

/* --- member access ----------------------------------------------------------------------- */

#define MEMBER(obj, f, type) ((type *)((char *)(obj) + (f)->offset))
#define COUNT(obj, f) ((size_t *)((char *)(obj) + (f)->count_offset))

const struct field *field_find(const struct field_table *t, const char *name)
{
	for (size_t i = 0; i < t->count; i++)
		if (strcmp(t->fields[i].name, name) == 0)
			return &t->fields[i];
	return NULL;
}

/* --- scalar parsing from text (defaults, bounds, and JSON strings) ------------------------ */

/* Parse text for a scalar field into *value (canonical unit as double; durations in ns).
 * Returns 0 or -EINVAL with a message in err. */
static int parse_scalar_text(const struct field *f, const char *text, double *value, char *err,
			     size_t err_size)
{
	switch (f->type) {
	case FIELD_DURATION: {
		sim_time t;
		if (units_parse_duration(text, &t, err, err_size) < 0)
			return -EINVAL;
		*value = (double)t;
		return 0;
	}
	case FIELD_QUANTITY:
		return units_parse(f->units, text, value, err, err_size) < 0 ? -EINVAL : 0;
	case FIELD_INT:
	case FIELD_NUMBER:
		return units_parse(UNITS_NUMBER, text, value, err, err_size) < 0 ? -EINVAL : 0;
	default:
		snprintf(err, err_size, "field \"%s\" has no scalar text form", f->name);
		return -EINVAL;
	}
}

static int enum_index(const struct field *f, const char *text)
{
	for (int i = 0; f->enum_names && f->enum_names[i]; i++)
		if (strcmp(f->enum_names[i], text) == 0)
			return i;
	return -1;
}

static size_t enum_count(const struct field *f)
{
	size_t n = 0;
	while (f->enum_names && f->enum_names[n])
		n++;
	return n;
}

static int store_scalar(const struct field *f, void *obj, double v)
{
	switch (f->type) {
	case FIELD_DURATION:
		*MEMBER(obj, f, sim_time) = (sim_time)v;
		return 0;
	case FIELD_INT:
		*MEMBER(obj, f, int64_t) = (int64_t)v;
		return 0;
	case FIELD_QUANTITY:
	case FIELD_NUMBER:
		*MEMBER(obj, f, double) = v;
		return 0;
	default:
		return -EINVAL;
	}
}

/* --- defaults ------------------------------------------------------------------------------ */

static int parse_dist(const struct field *f, const cJSON *v, void *out, struct field_ctx *ctx,
		      const char *path);

/* Parse a distribution default written as JSON text. Returns 0 or the number of errors. */
static int default_dist(const struct field *f, void *out)
{
	cJSON *json = cJSON_Parse(f->def);
	if (!json)
		return 1;
	struct diag quiet;
	diag_init(&quiet);
	struct field_ctx ctx = {.diag = &quiet};
	int errors = parse_dist(f, json, out, &ctx, f->name);
	diag_release(&quiet);
	cJSON_Delete(json);
	return errors;
}

int field_defaults(const struct field_table *t, void *out)
{
	char err[UNITS_ERR_SIZE];
	memset(out, 0, t->size);
	for (size_t i = 0; i < t->count; i++) {
		const struct field *f = &t->fields[i];
		double v;
		switch (f->type) {
		case FIELD_BOOL:
			*MEMBER(out, f, bool) = f->def && strcmp(f->def, "true") == 0;
			break;
		case FIELD_STRING:
			if (f->def && !(*MEMBER(out, f, char *) = strdup(f->def)))
				return -ENOMEM;
			break;
		case FIELD_ENUM:
			*MEMBER(out, f, int) = f->def ? enum_index(f, f->def) : 0;
			if (*MEMBER(out, f, int) < 0)
				return -EINVAL;
			break;
		case FIELD_INT:
		case FIELD_NUMBER:
		case FIELD_DURATION:
		case FIELD_QUANTITY:
			if (f->def) {
				if (parse_scalar_text(f, f->def, &v, err, sizeof(err)) < 0)
					return -EINVAL;
				store_scalar(f, out, v);
			}
			break;
		case FIELD_DIST:
			if (f->def && f->def[0] == '{') {
				/* A distribution object in JSON, parsed like the file's. */
				if (default_dist(f, out) != 0)
					return -EINVAL;
			} else if (f->def) {
				/* A value with a unit: deterministic. */
				if (units_parse(f->units, f->def, &v, err, sizeof(err)) < 0)
					return -EINVAL;
				if (f->units == UNITS_DURATION)
					v *= 1e-9;
				rng_dist_init_deterministic(MEMBER(out, f, struct rng_dist), v);
			} else {
				rng_dist_init_deterministic(MEMBER(out, f, struct rng_dist), 0);
			}
			break;
		case FIELD_OBJECT: {
			int rc = field_defaults(f->sub, MEMBER(out, f, char));
			if (rc < 0)
				return rc;
			break;
		}
		case FIELD_ARRAY:
		case FIELD_STRING_LIST:
			break; /* empty: NULL and 0 from memset */
		}
	}
	return 0;
}

/* --- diagnostics helpers ------------------------------------------------------------------- */

static void report(struct field_ctx *ctx, enum diag_severity sev, const cJSON *node, bool key,
		   const char *path, const char *fmt, ...) __attribute__((format(printf, 6, 7)));

static void report(struct field_ctx *ctx, enum diag_severity sev, const cJSON *node, bool key,
		   const char *path, const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	struct field_location loc = {ctx->file, 0, 0};
	if (node && ctx->locate)
		ctx->locate(ctx->locate_arg, node, key, &loc);
	diag_report(ctx->diag, sev, loc.file, loc.line, loc.col, path, "%s", msg);
}

static const char *json_type_name(const cJSON *v)
{
	if (cJSON_IsObject(v))
		return "an object";
	if (cJSON_IsArray(v))
		return "an array";
	if (cJSON_IsString(v))
		return "a string";
	if (cJSON_IsNumber(v))
		return "a number";
	if (cJSON_IsBool(v))
		return "a boolean";
	if (cJSON_IsNull(v))
		return "null";
	return "an invalid value";
}

static void path_join(char *dst, size_t size, const char *base, const char *key)
{
	snprintf(dst, size, "%s.%s", base, key);
}

static void path_index(char *dst, size_t size, const char *base, size_t i)
{
	snprintf(dst, size, "%s[%zu]", base, i);
}

/* The text of a JSON number as the user wrote it, near enough for messages. */
static void number_text(const cJSON *v, char *buf, size_t size)
{
	/* The shortest %g form that reads back as the same double: 2.1, not 2.1000000000000001. */
	for (int digits = 15; digits <= 17; digits++) {
		snprintf(buf, size, "%.*g", digits, v->valuedouble);
		if (strtod(buf, NULL) == v->valuedouble)
			return;
	}
}

/* Check a canonical value against the field's bounds. Returns 0 or reports and -ERANGE. */
static int check_bounds(const struct field *f, double v, const char *shown, const cJSON *node,
			struct field_ctx *ctx, const char *path)
{
	char err[UNITS_ERR_SIZE];
	double bound;
	if (f->min && parse_scalar_text(f, f->min, &bound, err, sizeof(err)) == 0 && v < bound) {
		report(ctx, DIAG_ERROR, node, false, path, "%s is below the minimum %s", shown, f->min);
		return -ERANGE;
	}
	if (f->max && parse_scalar_text(f, f->max, &bound, err, sizeof(err)) == 0 && v > bound) {
		report(ctx, DIAG_ERROR, node, false, path, "%s is above the maximum %s", shown, f->max);
		return -ERANGE;
	}
	if (f->type == FIELD_DURATION && !f->max && v > (double)FIELD_DURATION_CAP_NS) {
		report(ctx, DIAG_ERROR, node, false, path,
		       "%s is above the maximum %s (the limit of every duration)", shown,
		       FIELD_DURATION_CAP_TEXT);
		return -ERANGE;
	}
	return 0;
}

/* A duration distribution (values in seconds) within the cap: each duration parameter and
 * the mean at most FIELD_DURATION_CAP. Returns 0 or reports and returns 1. */
static int check_dist_cap(const struct field *f, const struct rng_dist *d, const cJSON *node,
			  struct field_ctx *ctx, const char *path)
{
	if (f->units != UNITS_DURATION)
		return 0;
	double cap_s = (double)FIELD_DURATION_CAP_NS * 1e-9;
	const char *cap_text = FIELD_DURATION_CAP_TEXT;
	char err[UNITS_ERR_SIZE];
	if (f->max && units_parse_seconds(f->max, &cap_s, err, sizeof(err)) == 0)
		cap_text = f->max; /* the field's own bound */
	double params[2] = {0, 0};
	switch (d->kind) {
	case RNG_DIST_EXPONENTIAL:
		params[0] = d->u.exponential.mean;
		break;
	case RNG_DIST_DETERMINISTIC:
		params[0] = d->u.deterministic.value;
		break;
	case RNG_DIST_UNIFORM:
		params[0] = fabs(d->u.uniform.a);
		params[1] = fabs(d->u.uniform.b);
		break;
	case RNG_DIST_NORMAL:
		params[0] = fabs(d->u.normal.mean);
		params[1] = d->u.normal.sd;
		break;
	default: /* the mean below bounds them */
		break;
	}
	double mean = rng_dist_mean(d);
	bool over = !(fabs(mean) <= cap_s); /* NaN and inf are over */
	for (int i = 0; i < 2; i++)
		over |= !(params[i] <= cap_s);
	if (d->kind == RNG_DIST_EMPIRICAL)
		over |= !(rng_dist_quantile(d, 1) <= cap_s);
	if (!over)
		return 0;
	report(ctx, DIAG_ERROR, node, false, path,
	       "this distribution exceeds the maximum %s %s (in a parameter or its mean)",
	       cap_text, f->max ? "of this field" : "of every duration");
	return 1;
}

/* --- distributions ------------------------------------------------------------------------- */

/* Parse one distribution parameter: a string with the field's unit (durations to seconds),
 * or, for shape-like parameters, a bare number. */
static int dist_param(const struct field *f, const cJSON *obj, const char *key, bool unitless,
		      double *out, struct field_ctx *ctx, const char *path, int *errors)
{
	char sub[PATH_MAX_LEN], err[UNITS_ERR_SIZE];
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	path_join(sub, sizeof(sub), path, key);
	if (!v) {
		report(ctx, DIAG_ERROR, obj, false, path, "missing required field \"%s\"", key);
		(*errors)++;
		return -EINVAL;
	}
	if (unitless) {
		if (!cJSON_IsNumber(v)) {
			report(ctx, DIAG_ERROR, v, false, sub, "expected a number, got %s",
			       json_type_name(v));
			(*errors)++;
			return -EINVAL;
		}
		*out = v->valuedouble;
		return 0;
	}
	char numbuf[64];
	const char *text = NULL;
	if (cJSON_IsString(v)) {
		text = v->valuestring;
	} else if (cJSON_IsNumber(v)) {
		number_text(v, numbuf, sizeof(numbuf));
		text = numbuf; /* the unit parser explains that a bare number needs a unit */
	} else {
		report(ctx, DIAG_ERROR, v, false, sub, "expected a %s such as %s, got %s",
		       units_kind_name(f->units), units_kind_example(f->units), json_type_name(v));
		(*errors)++;
		return -EINVAL;
	}
	if (f->units == UNITS_DURATION && f->max) {
		/* A field with its own bound may go beyond int64 nanoseconds (kept in seconds). */
		if (units_parse_seconds(text, out, err, sizeof(err)) < 0) {
			report(ctx, DIAG_ERROR, v, false, sub, "%s", err);
			(*errors)++;
			return -EINVAL;
		}
		return 0;
	}
	if (units_parse(f->units, text, out, err, sizeof(err)) < 0) {
		report(ctx, DIAG_ERROR, v, false, sub, "%s", err);
		(*errors)++;
		return -EINVAL;
	}
	if (f->units == UNITS_DURATION)
		*out *= 1e-9;
	return 0;
}

static const char *const dist_keys[RNG_DIST_KIND_COUNT][4] = {
	[RNG_DIST_EXPONENTIAL] = {"mean"},
	[RNG_DIST_DETERMINISTIC] = {"value"},
	[RNG_DIST_UNIFORM] = {"min", "max"},
	[RNG_DIST_NORMAL] = {"mean", "sd"},
	[RNG_DIST_LOGNORMAL] = {"median", "p99", "mu", "sigma"},
	[RNG_DIST_GAMMA] = {"shape", "scale"},
	[RNG_DIST_WEIBULL] = {"shape", "scale"},
	[RNG_DIST_EMPIRICAL] = {"points"},
};

static int parse_empirical(const struct field *f, const cJSON *obj, struct rng_dist *d,
			   struct field_ctx *ctx, const char *path)
{
	char sub[PATH_MAX_LEN], err[UNITS_ERR_SIZE];
	const cJSON *pts = cJSON_GetObjectItemCaseSensitive(obj, "points");
	path_join(sub, sizeof(sub), path, "points");
	if (!cJSON_IsArray(pts) || cJSON_GetArraySize(pts) == 0) {
		report(ctx, DIAG_ERROR, pts ? pts : obj, false, sub,
		       "expected a non-empty array of [value, cumulative probability] pairs");
		return 1;
	}
	size_t n = (size_t)cJSON_GetArraySize(pts), i = 0;
	struct rng_dist_point *points = calloc(n, sizeof(*points));
	if (!points)
		return 1;
	int errors = 0;
	const cJSON *p;
	cJSON_ArrayForEach(p, pts)
	{
		char el[PATH_MAX_LEN];
		path_index(el, sizeof(el), sub, i);
		const cJSON *val = cJSON_GetArrayItem(p, 0), *prob = cJSON_GetArrayItem(p, 1);
		if (!cJSON_IsArray(p) || cJSON_GetArraySize(p) != 2 || !cJSON_IsString(val) ||
		    !cJSON_IsNumber(prob)) {
			report(ctx, DIAG_ERROR, p, false, el,
			       "expected a pair [\"value with unit\", cumulative probability]");
			errors++;
		} else if (units_parse(f->units, val->valuestring, &points[i].value, err,
				       sizeof(err)) < 0) {
			report(ctx, DIAG_ERROR, val, false, el, "%s", err);
			errors++;
		} else {
			if (f->units == UNITS_DURATION)
				points[i].value *= 1e-9;
			points[i].cum_prob = prob->valuedouble;
		}
		i++;
	}
	if (!errors && rng_dist_init_empirical(d, points, n) < 0) {
		report(ctx, DIAG_ERROR, pts, false, sub,
		       "points must have non-decreasing values and probabilities, the last "
		       "probability 1");
		errors++;
	}
	free(points);
	return errors;
}

static int parse_dist(const struct field *f, const cJSON *v, void *out, struct field_ctx *ctx,
		      const char *path)
{
	struct rng_dist *d = MEMBER(out, f, struct rng_dist);
	char err[UNITS_ERR_SIZE], sub[PATH_MAX_LEN];
	double a, b;
	int errors = 0;

	rng_dist_release(d); /* the default being replaced may own an empirical table */
	if (cJSON_IsString(v)) { /* shorthand: a deterministic value */
		bool long_s = f->units == UNITS_DURATION && f->max; /* see dist_param */
		if ((long_s ? units_parse_seconds(v->valuestring, &a, err, sizeof(err))
			    : units_parse(f->units, v->valuestring, &a, err, sizeof(err))) < 0) {
			report(ctx, DIAG_ERROR, v, false, path, "%s", err);
			return 1;
		}
		rng_dist_init_deterministic(d, f->units == UNITS_DURATION && !long_s ? a * 1e-9 : a);
		if (check_dist_cap(f, d, v, ctx, path)) {
			rng_dist_init_deterministic(d, 0);
			return 1;
		}
		return 0;
	}
	if (!cJSON_IsObject(v)) {
		report(ctx, DIAG_ERROR, v, false, path,
		       "expected a distribution object such as {\"kind\": \"exponential\", "
		       "\"mean\": \"%s\"} or a %s, got %s",
		       f->units == UNITS_DURATION ? "1ms" : "4KiB", units_kind_name(f->units),
		       json_type_name(v));
		return 1;
	}
	const cJSON *kind = cJSON_GetObjectItemCaseSensitive(v, "kind");
	path_join(sub, sizeof(sub), path, "kind");
	if (!cJSON_IsString(kind)) {
		report(ctx, DIAG_ERROR, kind ? kind : v, false, kind ? sub : path,
		       kind ? "expected a distribution kind name" : "missing required field \"kind\"");
		return 1;
	}
	int k = rng_dist_kind_from_name(kind->valuestring);
	if (k < 0) {
		const char *names[RNG_DIST_KIND_COUNT];
		for (int i = 0; i < RNG_DIST_KIND_COUNT; i++)
			names[i] = rng_dist_kind_name((enum rng_dist_kind)i);
		const char *hint = diag_suggest(kind->valuestring, names, RNG_DIST_KIND_COUNT);
		report(ctx, DIAG_ERROR, kind, false, sub, "unknown distribution \"%s\"%s%s%s",
		       kind->valuestring, hint ? " (did you mean \"" : "", hint ? hint : "",
		       hint ? "\"?)" : "");
		return 1;
	}
	/* Unknown keys inside the distribution. */
	const cJSON *member;
	cJSON_ArrayForEach(member, v)
	{
		if (strcmp(member->string, "kind") == 0)
			continue;
		bool known = false;
		for (int i = 0; i < 4 && dist_keys[k][i]; i++)
			known |= strcmp(dist_keys[k][i], member->string) == 0;
		if (!known) {
			char msub[PATH_MAX_LEN];
			path_join(msub, sizeof(msub), path, member->string);
			const char *hint = diag_suggest(member->string, dist_keys[k],
							dist_keys[k][1] ? (dist_keys[k][2] ? 4 : 2) : 1);
			report(ctx, DIAG_ERROR, member, true, msub,
			       "unknown key \"%s\" for a %s distribution%s%s%s", member->string,
			       kind->valuestring, hint ? " (did you mean \"" : "", hint ? hint : "",
			       hint ? "\"?)" : "");
			errors++;
		}
	}
	if (errors)
		return errors;
	int rc = 0;
	switch ((enum rng_dist_kind)k) {
	case RNG_DIST_EXPONENTIAL:
		if (dist_param(f, v, "mean", false, &a, ctx, path, &errors) == 0)
			rc = rng_dist_init_exponential(d, a);
		break;
	case RNG_DIST_DETERMINISTIC:
		if (dist_param(f, v, "value", false, &a, ctx, path, &errors) == 0)
			rc = rng_dist_init_deterministic(d, a);
		break;
	case RNG_DIST_UNIFORM:
		if (!dist_param(f, v, "min", false, &a, ctx, path, &errors) &&
		    !dist_param(f, v, "max", false, &b, ctx, path, &errors))
			rc = rng_dist_init_uniform(d, a, b);
		break;
	case RNG_DIST_NORMAL:
		if (!dist_param(f, v, "mean", false, &a, ctx, path, &errors) &&
		    !dist_param(f, v, "sd", false, &b, ctx, path, &errors))
			rc = rng_dist_init_normal(d, a, b);
		break;
	case RNG_DIST_LOGNORMAL:
		if (cJSON_GetObjectItemCaseSensitive(v, "mu")) {
			if (!dist_param(f, v, "mu", true, &a, ctx, path, &errors) &&
			    !dist_param(f, v, "sigma", true, &b, ctx, path, &errors))
				rc = rng_dist_init_lognormal(d, a, b);
		} else if (!dist_param(f, v, "median", false, &a, ctx, path, &errors) &&
			   !dist_param(f, v, "p99", false, &b, ctx, path, &errors)) {
			rc = rng_dist_init_lognormal_median_p99(d, a, b);
		}
		break;
	case RNG_DIST_GAMMA:
	case RNG_DIST_WEIBULL:
		if (!dist_param(f, v, "shape", true, &a, ctx, path, &errors) &&
		    !dist_param(f, v, "scale", false, &b, ctx, path, &errors))
			rc = k == RNG_DIST_GAMMA ? rng_dist_init_gamma(d, a, b)
						 : rng_dist_init_weibull(d, a, b);
		break;
	case RNG_DIST_EMPIRICAL:
		errors += parse_empirical(f, v, d, ctx, path);
		break;
	case RNG_DIST_KIND_COUNT:
		break;
	}
	if (!errors && rc < 0) {
		report(ctx, DIAG_ERROR, v, false, path,
		       "invalid parameters for a %s distribution (see docs/scenario-format.md)",
		       kind->valuestring);
		errors++;
	}
	if (!errors)
		errors += check_dist_cap(f, d, v, ctx, path);
	if (errors) {
		rng_dist_release(d);
		rng_dist_init_deterministic(d, 0);
	}
	return errors;
}

/* --- one field ----------------------------------------------------------------------------- */

static int parse_value(const struct field *f, const cJSON *v, void *out, struct field_ctx *ctx,
		       const char *path, int *nested);
static int parse_object(const struct field_table *t, const cJSON *obj, void *out,
			struct field_ctx *ctx, const char *path, int *nested);

static int parse_string_list(const struct field *f, const cJSON *v, void *out,
			     struct field_ctx *ctx, const char *path)
{
	char ***list = MEMBER(out, f, char **);
	size_t *count = COUNT(out, f);
	if (cJSON_IsString(v)) {
		*list = calloc(1, sizeof(char *));
		if (!*list || !((*list)[0] = strdup(v->valuestring)))
			return 1;
		*count = 1;
		return 0;
	}
	if (!cJSON_IsArray(v)) {
		report(ctx, DIAG_ERROR, v, false, path, "expected an array of strings, got %s",
		       json_type_name(v));
		return 1;
	}
	size_t n = (size_t)cJSON_GetArraySize(v), i = 0;
	int errors = 0;
	*list = n ? calloc(n, sizeof(char *)) : NULL;
	if (n && !*list)
		return 1;
	*count = n;
	const cJSON *el;
	cJSON_ArrayForEach(el, v)
	{
		if (!cJSON_IsString(el)) {
			char sub[PATH_MAX_LEN];
			path_index(sub, sizeof(sub), path, i);
			report(ctx, DIAG_ERROR, el, false, sub, "expected a string, got %s",
			       json_type_name(el));
			errors++;
			(*list)[i] = strdup(""); /* never NULL: checks compare list entries */
			if (!(*list)[i])
				errors++;
		} else if (!((*list)[i] = strdup(el->valuestring))) {
			errors++;
		}
		i++;
	}
	return errors;
}

/* An element that is not an object gets what an empty object would: defaults, then the
 * shapes field_parse promises for missing required values. */
static void blank_element(const struct field_table *t, void *item)
{
	field_defaults(t, item);
	for (size_t i = 0; i < t->count; i++) {
		const struct field *f = &t->fields[i];
		if (!(f->flags & FIELD_REQUIRED))
			continue;
		if (f->type == FIELD_STRING && !*MEMBER(item, f, char *))
			*MEMBER(item, f, char *) = strdup("");
		else if (f->type == FIELD_ENUM)
			*MEMBER(item, f, int) = -1;
	}
}

/* Array elements' errors are added to *nested: they belong to the elements (reported to
 * ctx->failed), not to the object holding the array. */
static int parse_array(const struct field *f, const cJSON *v, void *out, struct field_ctx *ctx,
		       const char *path, int *nested)
{
	if (!cJSON_IsArray(v)) {
		report(ctx, DIAG_ERROR, v, false, path, "expected an array of objects, got %s",
		       json_type_name(v));
		return 1;
	}
	size_t n = (size_t)cJSON_GetArraySize(v), i = 0;
	char **items = MEMBER(out, f, char *);
	*items = n ? calloc(n, f->sub->size) : NULL;
	if (n && !*items)
		return 1;
	*COUNT(out, f) = n;
	int errors = 0;
	const cJSON *el;
	cJSON_ArrayForEach(el, v)
	{
		char sub[PATH_MAX_LEN];
		path_index(sub, sizeof(sub), path, i);
		void *item = *items + i * f->sub->size;
		int el_errors, el_nested = 0;
		if (!cJSON_IsObject(el)) {
			report(ctx, DIAG_ERROR, el, false, sub, "expected an object, got %s",
			       json_type_name(el));
			el_errors = 1;
			blank_element(f->sub, item);
		} else {
			el_errors = parse_object(f->sub, el, item, ctx, sub, &el_nested);
		}
		if (el_errors > el_nested && ctx->failed)
			ctx->failed(ctx->failed_arg, item);
		errors += el_errors;
		i++;
	}
	*nested += errors;
	return errors;
}

static int parse_value(const struct field *f, const cJSON *v, void *out, struct field_ctx *ctx,
		       const char *path, int *nested)
{
	char err[UNITS_ERR_SIZE];
	double value;
	switch (f->type) {
	case FIELD_BOOL:
		if (!cJSON_IsBool(v)) {
			report(ctx, DIAG_ERROR, v, false, path, "expected true or false, got %s",
			       json_type_name(v));
			return 1;
		}
		*MEMBER(out, f, bool) = cJSON_IsTrue(v);
		return 0;
	case FIELD_STRING: {
		if (!cJSON_IsString(v)) {
			report(ctx, DIAG_ERROR, v, false, path, "expected a string, got %s",
			       json_type_name(v));
			return 1;
		}
		if ((f->flags & FIELD_REQUIRED) && v->valuestring[0] == '\0') {
			report(ctx, DIAG_ERROR, v, false, path, "\"%s\" must not be empty", f->name);
			return 1;
		}
		char **s = MEMBER(out, f, char *);
		free(*s);
		*s = strdup(v->valuestring);
		return *s ? 0 : 1;
	}
	case FIELD_ENUM: {
		if (!cJSON_IsString(v)) {
			report(ctx, DIAG_ERROR, v, false, path, "expected a string, got %s",
			       json_type_name(v));
			return 1;
		}
		int i = enum_index(f, v->valuestring);
		if (i < 0) {
			char expected[256] = "";
			size_t used = 0;
			for (size_t k = 0; f->enum_names[k] && used < sizeof(expected); k++)
				used += (size_t)snprintf(expected + used, sizeof(expected) - used,
							 "%s%s", k ? ", " : "", f->enum_names[k]);
			const char *hint = diag_suggest(v->valuestring, f->enum_names, enum_count(f));
			report(ctx, DIAG_ERROR, v, false, path,
			       "unknown value \"%s\" (expected one of: %s)%s%s%s", v->valuestring,
			       expected, hint ? " (did you mean \"" : "", hint ? hint : "",
			       hint ? "\"?)" : "");
			if (f->flags & FIELD_REQUIRED)
				*MEMBER(out, f, int) = -1; /* no value: checks skip it */
			return 1;
		}
		*MEMBER(out, f, int) = i;
		return 0;
	}
	case FIELD_INT:
	case FIELD_NUMBER: {
		if (!cJSON_IsNumber(v)) {
			report(ctx, DIAG_ERROR, v, false, path, "expected %s, got %s",
			       f->type == FIELD_INT ? "an integer" : "a number", json_type_name(v));
			return 1;
		}
		value = v->valuedouble;
		char shown[64];
		number_text(v, shown, sizeof(shown));
		if (!isfinite(value)) {
			report(ctx, DIAG_ERROR, v, false, path, "%s is out of range", shown);
			return 1;
		}
		if (check_bounds(f, value, shown, v, ctx, path) < 0)
			return 1;
		if (f->type == FIELD_INT && (value != floor(value) || fabs(value) > 9.0e15)) {
			report(ctx, DIAG_ERROR, v, false, path, "expected an integer, got %s", shown);
			return 1;
		}
		store_scalar(f, out, value);
		return 0;
	}
	case FIELD_DURATION:
	case FIELD_QUANTITY: {
		char numbuf[64], shown[300];
		const char *text;
		enum units_kind kind = f->type == FIELD_DURATION ? UNITS_DURATION : f->units;
		if (cJSON_IsString(v)) {
			text = v->valuestring;
		} else if (cJSON_IsNumber(v)) {
			number_text(v, numbuf, sizeof(numbuf));
			text = numbuf;
			/* A bare number is fine only where the kind allows it (fractions). */
		} else {
			report(ctx, DIAG_ERROR, v, false, path, "expected a %s such as %s, got %s",
			       units_kind_name(kind), units_kind_example(kind), json_type_name(v));
			return 1;
		}
		if (parse_scalar_text(f, text, &value, err, sizeof(err)) < 0) {
			report(ctx, DIAG_ERROR, v, false, path, "%s", err);
			return 1;
		}
		snprintf(shown, sizeof(shown), "\"%s\"", text);
		if (check_bounds(f, value, shown, v, ctx, path) < 0)
			return 1;
		store_scalar(f, out, value);
		return 0;
	}
	case FIELD_DIST:
		return parse_dist(f, v, out, ctx, path);
	case FIELD_OBJECT:
		if (!cJSON_IsObject(v)) {
			report(ctx, DIAG_ERROR, v, false, path, "expected an object, got %s",
			       json_type_name(v));
			return 1;
		}
		field_release(f->sub, MEMBER(out, f, char));
		return parse_object(f->sub, v, MEMBER(out, f, char), ctx, path, nested);
	case FIELD_ARRAY:
		return parse_array(f, v, out, ctx, path, nested);
	case FIELD_STRING_LIST:
		return parse_string_list(f, v, out, ctx, path);
	}
	return 1;
}

int field_parse(const struct field_table *t, const cJSON *obj, void *out, struct field_ctx *ctx,
		const char *path)
{
	int nested = 0;
	return parse_object(t, obj, out, ctx, path, &nested);
}

/* field_parse, adding to *nested the errors that belong to array elements inside obj. */
static int parse_object(const struct field_table *t, const cJSON *obj, void *out,
			struct field_ctx *ctx, const char *path, int *nested)
{
	int errors = 0;
	if (field_defaults(t, out) < 0) {
		report(ctx, DIAG_ERROR, obj, false, path, "internal error: bad default in table \"%s\"",
		       t->name);
		return 1;
	}
	if (!cJSON_IsObject(obj)) {
		report(ctx, DIAG_ERROR, obj, false, path, "expected an object, got %s",
		       json_type_name(obj));
		return 1;
	}
	/* Unknown keys first, in document order. */
	const cJSON *member;
	cJSON_ArrayForEach(member, obj)
	{
		if (field_find(t, member->string))
			continue;
		const char *names[128];
		size_t n = 0;
		for (size_t i = 0; i < t->count && n < 128; i++)
			names[n++] = t->fields[i].name;
		const char *hint = diag_suggest(member->string, names, n);
		char sub[PATH_MAX_LEN];
		path_join(sub, sizeof(sub), path, member->string);
		report(ctx, DIAG_ERROR, member, true, sub, "unknown key \"%s\" in %s%s%s%s",
		       member->string, t->name, hint ? " (did you mean \"" : "", hint ? hint : "",
		       hint ? "\"?)" : "");
		errors++;
	}
	for (size_t i = 0; i < t->count; i++) {
		const struct field *f = &t->fields[i];
		char sub[PATH_MAX_LEN];
		path_join(sub, sizeof(sub), path, f->name);
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, f->name);
		if (!v) {
			if (f->flags & FIELD_REQUIRED) {
				report(ctx, DIAG_ERROR, obj, false, path,
				       "missing required field \"%s\" in %s", f->name, t->name);
				errors++;
				if (f->type == FIELD_ENUM)
					*MEMBER(out, f, int) = -1; /* no value: checks skip it */
			}
			continue;
		}
		errors += parse_value(f, v, out, ctx, sub, nested);
	}
	/* A required string that was missing or unusable (already reported) reads as "", so
	 * that checks of the whole configuration can still run on a config with errors. */
	for (size_t i = 0; i < t->count; i++) {
		const struct field *f = &t->fields[i];
		if (f->type == FIELD_STRING && (f->flags & FIELD_REQUIRED) && !*MEMBER(out, f, char *))
			*MEMBER(out, f, char *) = strdup("");
	}
	return errors;
}

/* --- release ------------------------------------------------------------------------------- */

void field_release(const struct field_table *t, void *obj)
{
	if (!obj)
		return;
	for (size_t i = 0; i < t->count; i++) {
		const struct field *f = &t->fields[i];
		switch (f->type) {
		case FIELD_STRING:
			free(*MEMBER(obj, f, char *));
			*MEMBER(obj, f, char *) = NULL;
			break;
		case FIELD_DIST:
			rng_dist_release(MEMBER(obj, f, struct rng_dist));
			break;
		case FIELD_OBJECT:
			field_release(f->sub, MEMBER(obj, f, char));
			break;
		case FIELD_ARRAY: {
			char *items = *MEMBER(obj, f, char *);
			for (size_t k = 0; items && k < *COUNT(obj, f); k++)
				field_release(f->sub, items + k * f->sub->size);
			free(items);
			*MEMBER(obj, f, char *) = NULL;
			*COUNT(obj, f) = 0;
			break;
		}
		case FIELD_STRING_LIST: {
			char **list = *MEMBER(obj, f, char **);
			for (size_t k = 0; list && k < *COUNT(obj, f); k++)
				free(list[k]);
			free(list);
			*MEMBER(obj, f, char **) = NULL;
			*COUNT(obj, f) = 0;
			break;
		}
		default:
			break;
		}
	}
}

/* --- formatting ---------------------------------------------------------------------------- */

void field_format_value(const struct field *f, const void *obj, char *buf, size_t size)
{
	switch (f->type) {
	case FIELD_BOOL:
		snprintf(buf, size, "%s", *MEMBER(obj, f, const bool) ? "true" : "false");
		break;
	case FIELD_INT:
		snprintf(buf, size, "%lld", (long long)*MEMBER(obj, f, const int64_t));
		break;
	case FIELD_NUMBER:
		snprintf(buf, size, "%g", *MEMBER(obj, f, const double));
		break;
	case FIELD_STRING: {
		const char *s = *MEMBER(obj, f, char *const);
		snprintf(buf, size, "%s", s ? s : "");
		break;
	}
	case FIELD_ENUM:
		snprintf(buf, size, "%s", f->enum_names[*MEMBER(obj, f, const int)]);
		break;
	case FIELD_DURATION:
		if (units_format_duration(*MEMBER(obj, f, const sim_time), buf, size) < 0)
			snprintf(buf, size, "?");
		break;
	case FIELD_QUANTITY:
		if (units_format(f->units, *MEMBER(obj, f, const double), buf, size) < 0)
			snprintf(buf, size, "?");
		break;
	case FIELD_DIST:
		snprintf(buf, size, "%s",
			 rng_dist_kind_name(MEMBER(obj, f, const struct rng_dist)->kind));
		break;
	case FIELD_OBJECT:
		snprintf(buf, size, "{...}");
		break;
	case FIELD_ARRAY:
	case FIELD_STRING_LIST:
		snprintf(buf, size, "[%zu]", *COUNT(obj, f));
		break;
	}
}

/* --- schema: Markdown ---------------------------------------------------------------------- */

static const char *type_label(const struct field *f, bool md, char *buf, size_t size)
{
	switch (f->type) {
	case FIELD_BOOL: return "boolean";
	case FIELD_INT: return "integer";
	case FIELD_NUMBER: return "number";
	case FIELD_STRING: return "string";
	case FIELD_ENUM: return "enum";
	case FIELD_DURATION: return "duration";
	case FIELD_QUANTITY: return units_kind_name(f->units);
	case FIELD_DIST:
		snprintf(buf, size, "distribution of %s", units_kind_name(f->units));
		return buf;
	case FIELD_OBJECT:
		if (md)
			snprintf(buf, size, "object ([%s](#%s))", f->sub->name, f->sub->name);
		else
			snprintf(buf, size, "object (%s)", f->sub->name);
		return buf;
	case FIELD_ARRAY:
		if (md)
			snprintf(buf, size, "array of [%s](#%s)", f->sub->name, f->sub->name);
		else
			snprintf(buf, size, "array of %s", f->sub->name);
		return buf;
	case FIELD_STRING_LIST: return "array of strings";
	}
	return "?";
}

/* Tables reachable from root, breadth-first, each once. */
static size_t collect_tables(const struct field_table *root, const struct field_table **out,
			     size_t max)
{
	size_t n = 0;
	out[n++] = root;
	for (size_t i = 0; i < n; i++) {
		for (size_t k = 0; k < out[i]->count; k++) {
			const struct field_table *sub = out[i]->fields[k].sub;
			if (!sub)
				continue;
			bool seen = false;
			for (size_t j = 0; j < n; j++)
				seen |= out[j] == sub;
			if (!seen && n < max)
				out[n++] = sub;
		}
	}
	return n;
}

/* Markdown table cells must not contain '|' or newlines. */
static void md_cell(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '|')
			fputs("\\|", out);
		else if (*s == '\n')
			fputc(' ', out);
		else
			fputc(*s, out);
	}
}

void field_schema_markdown(const struct field_table *root, FILE *out)
{
	const struct field_table *tables[128];
	size_t n = collect_tables(root, tables, 128);
	for (size_t i = 0; i < n; i++) {
		const struct field_table *t = tables[i];
		fprintf(out, "## %s\n\n", t->name);
		if (t->help)
			fprintf(out, "%s\n\n", t->help);
		fprintf(out, "| key | type | default | bounds | description | source of default |\n"
			     "|---|---|---|---|---|---|\n");
		for (size_t k = 0; k < t->count; k++) {
			const struct field *f = &t->fields[k];
			char tbuf[160];
			fprintf(out, "| `%s` | %s", f->name, type_label(f, true, tbuf, sizeof(tbuf)));
			if (f->type == FIELD_ENUM) {
				fputs(": ", out);
				for (size_t e = 0; f->enum_names[e]; e++)
					fprintf(out, "%s`%s`", e ? ", " : "", f->enum_names[e]);
			}
			fputs(" | ", out);
			if (f->flags & FIELD_REQUIRED)
				fputs("required", out);
			else if (f->def)
				fprintf(out, "`%s`", f->def);
			else
				fputs(f->type == FIELD_ARRAY || f->type == FIELD_STRING_LIST ? "empty"
				      : f->type == FIELD_OBJECT				     ? "defaults"
											     : "none",
				      out);
			fputs(" | ", out);
			if (f->min && f->max)
				fprintf(out, "%s to %s", f->min, f->max);
			else if (f->min)
				fprintf(out, ">= %s", f->min);
			else if (f->max)
				fprintf(out, "<= %s", f->max);
			fputs(" | ", out);
			md_cell(out, f->help);
			fputs(" | ", out);
			md_cell(out, f->source ? f->source : "");
			fputs(" |\n", out);
		}
		fputc('\n', out);
	}
}

/* --- schema: manual page ------------------------------------------------------------------ */

/* s as roff text (manpage.h's rules): backslashes and hyphens escaped, a line never starts
 * with a control character, newlines become spaces. */
static void roff_text(FILE *out, const char *s)
{
	bool line_start = true;
	for (; s && *s; s++) {
		if (line_start && (*s == '.' || *s == '\''))
			fputs("\\&", out);
		line_start = false;
		if (*s == '\\')
			fputs("\\e", out);
		else if (*s == '-')
			fputs("\\-", out);
		else if (*s == '`')
			continue; /* Markdown code quotes read as noise in a manual page */
		else if (*s == '\n')
			fputc(' ', out);
		else
			fputc(*s, out);
	}
}

void field_schema_man(const struct field_table *root, FILE *out)
{
	const struct field_table *tables[128];
	size_t n = collect_tables(root, tables, 128);
	for (size_t i = 0; i < n; i++) {
		const struct field_table *t = tables[i];
		fputs(".SS ", out);
		roff_text(out, t->name);
		fputc('\n', out);
		if (t->help) {
			roff_text(out, t->help);
			fputc('\n', out);
		}
		for (size_t k = 0; k < t->count; k++) {
			const struct field *f = &t->fields[k];
			char tbuf[160];
			fputs(".TP\n\\fB", out);
			roff_text(out, f->name);
			fputs("\\fR (", out);
			roff_text(out, type_label(f, false, tbuf, sizeof(tbuf)));
			if (f->type == FIELD_ENUM) {
				fputs(": ", out);
				for (size_t e = 0; f->enum_names[e]; e++) {
					fputs(e ? ", " : "", out);
					roff_text(out, f->enum_names[e]);
				}
			}
			fputs(")\n", out);
			roff_text(out, f->help);
			fputs(".\n.br\nDefault: ", out);
			if (f->flags & FIELD_REQUIRED)
				fputs("required", out);
			else if (f->def)
				roff_text(out, f->def);
			else
				fputs(f->type == FIELD_ARRAY || f->type == FIELD_STRING_LIST ? "empty"
				      : f->type == FIELD_OBJECT				     ? "defaults"
											     : "none",
				      out);
			if (f->min || f->max) {
				fputs("; bounds: ", out);
				if (f->min && f->max) {
					roff_text(out, f->min);
					fputs(" to ", out);
					roff_text(out, f->max);
				} else {
					fputs(f->min ? ">= " : "<= ", out);
					roff_text(out, f->min ? f->min : f->max);
				}
			}
			fputs(".\n", out);
			if (f->source && *f->source) {
				fputs(".br\nSource: ", out);
				roff_text(out, f->source);
				fputc('\n', out);
			}
		}
	}
}

/* --- schema: field paths for --set ----------------------------------------------------------- */

static void paths_of(const struct field_table *t, const char *prefix, int depth, FILE *out)
{
	for (size_t k = 0; k < t->count; k++) {
		const struct field *f = &t->fields[k];
		char path[512];
		snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", f->name);
		if (f->type == FIELD_OBJECT && depth < 8) {
			paths_of(f->sub, path, depth + 1, out);
		} else if (f->type == FIELD_ARRAY && depth < 8) {
			fprintf(out, "%s\n", path);
			char item[520];
			snprintf(item, sizeof(item), "%s[0]", path);
			paths_of(f->sub, item, depth + 1, out);
		} else {
			fprintf(out, "%s\n", path);
		}
	}
}

void field_schema_paths(const struct field_table *root, FILE *out)
{
	paths_of(root, "", 0, out);
}

/* --- schema: JSON Schema ------------------------------------------------------------------- */

static const char *unit_pattern(enum units_kind kind)
{
	switch (kind) {
	case UNITS_DURATION:
		return "^([0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?(ns|us|µs|ms|s|m|min|h|d))+$";
	case UNITS_SIZE:
		return "^[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?(B|kB|KB|MB|GB|TB|PB|KiB|MiB|GiB|TiB|PiB)$";
	case UNITS_RATE:
		return "^[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?/(us|ms|s|min|h|d)$";
	case UNITS_BANDWIDTH:
		return "^[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?([kMGT]?bps|[kMGT]?bit/s|(B|kB|KB|MB|GB|TB|KiB|MiB|GiB|TiB)/s)$";
	case UNITS_IOPS:
		return "^[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?(IOPS|/s)$";
	case UNITS_PERCENT:
	case UNITS_FRACTION:
		return "^[0-9]+(\\.[0-9]+)?([eE][-+]?[0-9]+)?%$";
	default:
		return NULL;
	}
}

/* An overlay (a file with "include") may leave out required keys, at any depth: the files it
 * includes give them. Each table has two definitions, NAME and NAME-overlay, the second
 * without "required". */
static cJSON *schema_for_field(const struct field *f, bool overlay);

static cJSON *schema_ref(const struct field_table *t, bool overlay)
{
	char ref[160];
	snprintf(ref, sizeof(ref), "#/$defs/%s%s", t->name, overlay ? "-overlay" : "");
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "$ref", ref);
	return o;
}

static cJSON *schema_unit_string(enum units_kind kind)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "type", "string");
	const char *pat = unit_pattern(kind);
	if (pat)
		cJSON_AddStringToObject(o, "pattern", pat);
	return o;
}

/* A bound of an integer or number field as a JSON number; false when it has a unit. */
static bool plain_number(const char *text, double *v)
{
	if (!text || !*text)
		return false;
	char *end;
	*v = strtod(text, &end);
	return *end == '\0';
}

static cJSON *schema_for_field(const struct field *f, bool overlay)
{
	cJSON *o = NULL;
	switch (f->type) {
	case FIELD_BOOL:
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "type", "boolean");
		break;
	case FIELD_INT:
	case FIELD_NUMBER: {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "type", f->type == FIELD_INT ? "integer" : "number");
		double v;
		if (plain_number(f->min, &v))
			cJSON_AddNumberToObject(o, "minimum", v);
		if (plain_number(f->max, &v))
			cJSON_AddNumberToObject(o, "maximum", v);
		break;
	}
	case FIELD_STRING:
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "type", "string");
		break;
	case FIELD_ENUM: {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "type", "string");
		cJSON *e = cJSON_AddArrayToObject(o, "enum");
		for (size_t i = 0; f->enum_names[i]; i++)
			cJSON_AddItemToArray(e, cJSON_CreateString(f->enum_names[i]));
		break;
	}
	case FIELD_DURATION:
		o = schema_unit_string(UNITS_DURATION);
		break;
	case FIELD_QUANTITY:
		if (f->units == UNITS_FRACTION) {
			o = cJSON_CreateObject();
			cJSON *any = cJSON_AddArrayToObject(o, "oneOf");
			cJSON *num = cJSON_CreateObject();
			cJSON_AddStringToObject(num, "type", "number");
			cJSON_AddNumberToObject(num, "minimum", 0);
			cJSON_AddNumberToObject(num, "maximum", 1);
			cJSON_AddItemToArray(any, num);
			cJSON_AddItemToArray(any, schema_unit_string(UNITS_PERCENT));
		} else {
			o = schema_unit_string(f->units);
		}
		break;
	case FIELD_DIST: {
		o = cJSON_CreateObject();
		cJSON *any = cJSON_AddArrayToObject(o, "oneOf");
		cJSON_AddItemToArray(any, schema_unit_string(f->units));
		cJSON *obj = cJSON_CreateObject();
		cJSON_AddStringToObject(obj, "type", "object");
		cJSON *props = cJSON_AddObjectToObject(obj, "properties");
		cJSON *kind = cJSON_AddObjectToObject(props, "kind");
		cJSON *e = cJSON_AddArrayToObject(kind, "enum");
		for (int i = 0; i < RNG_DIST_KIND_COUNT; i++)
			cJSON_AddItemToArray(e, cJSON_CreateString(rng_dist_kind_name((enum rng_dist_kind)i)));
		cJSON *req = cJSON_AddArrayToObject(obj, "required");
		cJSON_AddItemToArray(req, cJSON_CreateString("kind"));
		cJSON_AddItemToArray(any, obj);
		break;
	}
	case FIELD_OBJECT:
		o = schema_ref(f->sub, overlay);
		break;
	case FIELD_ARRAY:
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "type", "array");
		cJSON_AddItemToObject(o, "items", schema_ref(f->sub, overlay));
		break;
	case FIELD_STRING_LIST: {
		o = cJSON_CreateObject();
		cJSON *any = cJSON_AddArrayToObject(o, "oneOf");
		cJSON *s = cJSON_CreateObject();
		cJSON_AddStringToObject(s, "type", "string");
		cJSON_AddItemToArray(any, s);
		cJSON *arr = cJSON_CreateObject();
		cJSON_AddStringToObject(arr, "type", "array");
		cJSON *items = cJSON_AddObjectToObject(arr, "items");
		cJSON_AddStringToObject(items, "type", "string");
		cJSON_AddItemToArray(any, arr);
		break;
	}
	}
	if (o && f->help)
		cJSON_AddStringToObject(o, "description", f->help);
	if (o && f->def && f->type != FIELD_OBJECT) {
		if (f->type == FIELD_BOOL)
			cJSON_AddBoolToObject(o, "default", strcmp(f->def, "true") == 0);
		else if (f->type == FIELD_INT || f->type == FIELD_NUMBER)
			cJSON_AddNumberToObject(o, "default", strtod(f->def, NULL));
		else
			cJSON_AddStringToObject(o, "default", f->def);
	}
	return o;
}

/* The keys the scenario loader takes out before the field table reads the rest
 * (scenario.c): "include" and "catalog". */
static void schema_root_extras(cJSON *props)
{
	cJSON *inc = cJSON_AddObjectToObject(props, "include");
	cJSON_AddStringToObject(inc, "description",
				"a file name or array of file names merged underneath this file");
	cJSON *any = cJSON_AddArrayToObject(inc, "oneOf");
	cJSON *str = cJSON_CreateObject();
	cJSON_AddStringToObject(str, "type", "string");
	cJSON_AddItemToArray(any, str);
	cJSON *arr = cJSON_CreateObject();
	cJSON_AddStringToObject(arr, "type", "array");
	cJSON *items = cJSON_AddObjectToObject(arr, "items");
	cJSON_AddStringToObject(items, "type", "string");
	cJSON_AddItemToArray(any, arr);
	cJSON *cat = cJSON_AddObjectToObject(props, "catalog");
	cJSON_AddStringToObject(cat, "type", "object");
	cJSON_AddStringToObject(cat, "description",
				"instance and volume types added or overridden, shaped as the "
				"catalog's files");
	cJSON *cprops = cJSON_AddObjectToObject(cat, "properties");
	cJSON *ci = cJSON_AddObjectToObject(cprops, "instances");
	cJSON_AddStringToObject(ci, "type", "object");
	cJSON *cv = cJSON_AddObjectToObject(cprops, "volumes");
	cJSON_AddStringToObject(cv, "type", "object");
	cJSON_AddBoolToObject(cat, "additionalProperties", 0);
}

static cJSON *schema_for_table(const struct field_table *t, bool overlay, bool root)
{
	cJSON *o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "type", "object");
	if (t->help)
		cJSON_AddStringToObject(o, "description", t->help);
	cJSON *props = cJSON_AddObjectToObject(o, "properties");
	cJSON *req = cJSON_CreateArray();
	for (size_t i = 0; i < t->count; i++) {
		cJSON_AddItemToObject(props, t->fields[i].name,
				      schema_for_field(&t->fields[i], overlay));
		if ((t->fields[i].flags & FIELD_REQUIRED) && !overlay)
			cJSON_AddItemToArray(req, cJSON_CreateString(t->fields[i].name));
	}
	if (root)
		schema_root_extras(props);
	if (cJSON_GetArraySize(req) > 0)
		cJSON_AddItemToObject(o, "required", req);
	else
		cJSON_Delete(req);
	cJSON_AddBoolToObject(o, "additionalProperties", 0);
	return o;
}

/* The document: a file with "include" is checked as an overlay, any other as a whole
 * scenario; both definitions of every table are under $defs. */
cJSON *field_schema_json(const struct field_table *root)
{
	const struct field_table *tables[128];
	size_t n = collect_tables(root, tables, 128);
	cJSON *top = cJSON_CreateObject();
	if (!top)
		return NULL;
	cJSON_AddStringToObject(top, "$schema", "https://json-schema.org/draft/2020-12/schema");
	cJSON_AddStringToObject(top, "title", root->name);
	if (root->help)
		cJSON_AddStringToObject(top, "description", root->help);
	cJSON_AddStringToObject(top, "type", "object");
	cJSON *cond = cJSON_AddObjectToObject(top, "if");
	cJSON *cond_req = cJSON_AddArrayToObject(cond, "required");
	cJSON_AddItemToArray(cond_req, cJSON_CreateString("include"));
	cJSON_AddItemToObject(top, "then", schema_ref(root, true));
	cJSON_AddItemToObject(top, "else", schema_ref(root, false));
	cJSON *defs = cJSON_AddObjectToObject(top, "$defs");
	char name[160];
	for (size_t i = 0; i < n; i++) {
		cJSON_AddItemToObject(defs, tables[i]->name,
				      schema_for_table(tables[i], false, i == 0));
		snprintf(name, sizeof(name), "%s-overlay", tables[i]->name);
		cJSON_AddItemToObject(defs, name, schema_for_table(tables[i], true, i == 0));
	}
	return top;
}
