/* catalog.c: loading, overriding and printing the AWS catalog (see catalog.h).
 *
 * The catalog files carry documentation keys (source, confirmed, ...) beside the figures the
 * models use. Each entry kind has a list of every key it may carry; a key outside it is an
 * error with a suggestion, in the shipped files and in scenario overrides alike.
 */
#include "catalog.h"
#include "datadir.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "units.h"

void catalog_init(struct catalog *c) { memset(c, 0, sizeof(*c)); }

void catalog_release(struct catalog *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->instance_count; i++)
		free(c->instances[i].name);
	free(c->instances);
	for (size_t i = 0; i < c->volume_count; i++)
		free(c->volumes[i].name);
	free(c->volumes);
	for (size_t i = 0; i < c->region_count; i++)
		free(c->regions[i]);
	free(c->regions);
	free(c->rtt_ms);
	memset(c, 0, sizeof(*c));
}

const char *catalog_default_dir(void)
{
	static _Thread_local char dir[PATH_MAX];
	return datadir_find("TOPSIM_CATALOG_DIR", "catalog", dir, sizeof(dir));
}

/* --- reading values with positions ---------------------------------------------------------- */

struct reader {
	struct jsondoc *doc;
	struct diag *diag;
	int errors;
};

static void read_error(struct reader *r, const cJSON *node, bool key, const char *path,
		       const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void read_error(struct reader *r, const cJSON *node, bool key, const char *path,
		       const char *fmt, ...)
{
	char msg[512];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	struct field_location loc = {NULL, 0, 0};
	jsondoc_locate(r->doc, node, key, &loc);
	diag_report(r->diag, DIAG_ERROR, loc.file, loc.line, loc.col, path, "%s", msg);
	r->errors++;
}

/* Read obj[key] as a quantity of `kind` (UNITS_NUMBER takes a JSON number). A JSON null or
 * an absent key leaves *out unchanged and returns false. */
static bool read_quantity(struct reader *r, const cJSON *obj, const char *key,
			  enum units_kind kind, double *out, const char *path)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	char sub[512], err[UNITS_ERR_SIZE];
	if (!v || cJSON_IsNull(v))
		return false;
	snprintf(sub, sizeof(sub), "%s.%s", path, key);
	if (kind == UNITS_NUMBER) {
		if (!cJSON_IsNumber(v)) {
			read_error(r, v, false, sub, "expected a number");
			return false;
		}
		*out = v->valuedouble;
		return true;
	}
	char numbuf[64];
	const char *text = v->valuestring;
	if (cJSON_IsNumber(v)) {
		snprintf(numbuf, sizeof(numbuf), "%.17g", v->valuedouble);
		text = numbuf;
	} else if (!cJSON_IsString(v)) {
		read_error(r, v, false, sub, "expected a %s such as %s", units_kind_name(kind),
			   units_kind_example(kind));
		return false;
	}
	if (units_parse(kind, text, out, err, sizeof(err)) < 0) {
		read_error(r, v, false, sub, "%s", err);
		return false;
	}
	return true;
}

static void check_keys(struct reader *r, const cJSON *obj, const char *const *known, size_t n,
		       const char *path, const char *what)
{
	const cJSON *m;
	cJSON_ArrayForEach(m, obj)
	{
		bool found = false;
		for (size_t i = 0; i < n && !found; i++)
			found = strcmp(known[i], m->string) == 0;
		if (found)
			continue;
		const char *hint = diag_suggest(m->string, known, n);
		char sub[512];
		snprintf(sub, sizeof(sub), "%s.%s", path, m->string);
		read_error(r, m, true, sub, "unknown key \"%s\" in %s%s%s%s", m->string, what,
			   hint ? " (did you mean \"" : "", hint ? hint : "", hint ? "\"?)" : "");
	}
}

/* --- instances ------------------------------------------------------------------------------ */

static const char *const instance_keys[] = {
	"vcpu", "memory", "network_baseline", "network_burst", "ebs_baseline_bandwidth",
	"ebs_max_bandwidth", "ebs_baseline_iops", "ebs_max_iops", "price_usd_per_hour",
	"price_confirmed",
	/* documentation and figures no model reads yet */
	"ebs_burst_duration", "ebs_burst_period", "hypervisor", "price_source", "confirmed",
	"source", "cpu_credits", "instance_store"};
static const char *const instance_required[] = {
	"vcpu", "memory", "network_baseline", "ebs_baseline_bandwidth", "ebs_max_bandwidth",
	"ebs_baseline_iops", "ebs_max_iops"};

static void read_instance(struct reader *r, struct catalog_instance *in, const cJSON *obj,
			  const char *path, bool is_new)
{
	check_keys(r, obj, instance_keys, sizeof(instance_keys) / sizeof(instance_keys[0]), path,
		   "an instance type");
	if (is_new) {
		for (size_t i = 0; i < sizeof(instance_required) / sizeof(instance_required[0]); i++)
			if (!cJSON_GetObjectItemCaseSensitive(obj, instance_required[i]))
				read_error(r, obj, false, path,
					   "missing required field \"%s\" for new instance type \"%s\"",
					   instance_required[i], in->name);
		in->price_per_hour = NAN;
	}
	double vcpu = (double)in->vcpu;
	if (read_quantity(r, obj, "vcpu", UNITS_NUMBER, &vcpu, path)) {
		if (vcpu < 1 || vcpu != floor(vcpu) || vcpu > 4096)
			read_error(r, cJSON_GetObjectItemCaseSensitive(obj, "vcpu"), false, path,
				   "vcpu must be a whole number from 1 to 4096");
		in->vcpu = (int64_t)vcpu;
	}
	read_quantity(r, obj, "memory", UNITS_SIZE, &in->memory, path);
	read_quantity(r, obj, "network_baseline", UNITS_BANDWIDTH, &in->network_baseline, path);
	if (!read_quantity(r, obj, "network_burst", UNITS_BANDWIDTH, &in->network_burst, path) &&
	    (is_new || in->network_burst < in->network_baseline))
		in->network_burst = in->network_baseline;
	read_quantity(r, obj, "ebs_baseline_bandwidth", UNITS_BANDWIDTH,
		      &in->ebs_baseline_bandwidth, path);
	read_quantity(r, obj, "ebs_max_bandwidth", UNITS_BANDWIDTH, &in->ebs_max_bandwidth, path);
	read_quantity(r, obj, "ebs_baseline_iops", UNITS_IOPS, &in->ebs_baseline_iops, path);
	read_quantity(r, obj, "ebs_max_iops", UNITS_IOPS, &in->ebs_max_iops, path);
	read_quantity(r, obj, "price_usd_per_hour", UNITS_NUMBER, &in->price_per_hour, path);
	const cJSON *pc = cJSON_GetObjectItemCaseSensitive(obj, "price_confirmed");
	if (cJSON_IsBool(pc))
		in->price_confirmed = cJSON_IsTrue(pc);
}

/* --- volumes -------------------------------------------------------------------------------- */

static const char *const volume_keys[] = {
	"size_min", "size_max", "iops_min", "iops_max", "iops_per_gib", "iops_baseline",
	"iops_model", "throughput_max", "throughput_baseline", "latency", "afr_max",
	/* documentation and figures no model reads yet */
	"afr_min", "afr_source", "afr_confirmed", "class", "iops_io_size",
	"iops_count_max_io_size", "throughput_model", "throughput_per_iops",
	"throughput_high_iops_threshold", "throughput_per_iops_high", "throughput_cap_low",
	"throughput_small", "throughput_small_max_size", "throughput_large",
	"throughput_large_min_size", "throughput_mid_burst", "throughput_baseline_per_tib",
	"throughput_burst_per_tib", "throughput_baseline_max", "iops_max_xen", "variant", "burst",
	"perf_consistency", "limits_2025", "price_usd_per_gib_month", "price_usd_per_iops_month",
	"price_iops_tiers", "price_usd_per_mibps_month", "price_confirmed", "price_source",
	"confirmed", "source"};
static const char *const volume_required[] = {"size_min", "size_max", "iops_max",
					       "throughput_max", "latency"};

static void read_volume(struct reader *r, struct catalog_volume *v, const cJSON *obj,
			const char *path, bool is_new)
{
	check_keys(r, obj, volume_keys, sizeof(volume_keys) / sizeof(volume_keys[0]), path,
		   "a volume type");
	if (is_new)
		for (size_t i = 0; i < sizeof(volume_required) / sizeof(volume_required[0]); i++)
			if (!cJSON_GetObjectItemCaseSensitive(obj, volume_required[i]))
				read_error(r, obj, false, path,
					   "missing required field \"%s\" for new volume type \"%s\"",
					   volume_required[i], v->name);
	read_quantity(r, obj, "size_min", UNITS_SIZE, &v->size_min, path);
	read_quantity(r, obj, "size_max", UNITS_SIZE, &v->size_max, path);
	read_quantity(r, obj, "iops_min", UNITS_IOPS, &v->iops_min, path);
	read_quantity(r, obj, "iops_max", UNITS_IOPS, &v->iops_max, path);
	read_quantity(r, obj, "iops_per_gib", UNITS_NUMBER, &v->iops_per_gib, path);
	read_quantity(r, obj, "iops_baseline", UNITS_IOPS, &v->iops_baseline, path);
	read_quantity(r, obj, "throughput_max", UNITS_BANDWIDTH, &v->throughput_max, path);
	read_quantity(r, obj, "throughput_baseline", UNITS_BANDWIDTH, &v->throughput_baseline,
		      path);
	read_quantity(r, obj, "afr_max", UNITS_NUMBER, &v->afr_max, path);
	if (is_new) {
		v->price_gib_month = v->price_iops_month = v->price_mibps_month = NAN;
		v->price_iops_tier[0] = v->price_iops_tier[1] = NAN;
	}
	read_quantity(r, obj, "price_usd_per_gib_month", UNITS_NUMBER, &v->price_gib_month, path);
	read_quantity(r, obj, "price_usd_per_iops_month", UNITS_NUMBER, &v->price_iops_month, path);
	read_quantity(r, obj, "price_usd_per_mibps_month", UNITS_NUMBER, &v->price_mibps_month,
		      path);
	const cJSON *pc = cJSON_GetObjectItemCaseSensitive(obj, "price_confirmed");
	if (pc)
		v->price_confirmed = cJSON_IsTrue(pc);
	const cJSON *tiers = cJSON_GetObjectItemCaseSensitive(obj, "price_iops_tiers");
	if (tiers && !cJSON_IsNull(tiers)) {
		char sub[512];
		snprintf(sub, sizeof(sub), "%s.price_iops_tiers", path);
		if (!cJSON_IsArray(tiers) || cJSON_GetArraySize(tiers) > 2) {
			read_error(r, tiers, false, sub, "expected at most 2 tiers "
							 "[{\"above\": IOPS, \"usd_per_iops_month\": N}]");
		} else {
			for (int i = 0; i < cJSON_GetArraySize(tiers); i++) {
				const cJSON *t = cJSON_GetArrayItem(tiers, i);
				read_quantity(r, t, "above", UNITS_IOPS, &v->price_iops_tier_above[i], sub);
				read_quantity(r, t, "usd_per_iops_month", UNITS_NUMBER,
					      &v->price_iops_tier[i], sub);
			}
		}
	}
	const cJSON *model = cJSON_GetObjectItemCaseSensitive(obj, "iops_model");
	if (cJSON_IsString(model))
		v->iops_size_scaled = strcmp(model->valuestring, "size_scaled") == 0;
	const cJSON *lat = cJSON_GetObjectItemCaseSensitive(obj, "latency");
	if (lat) {
		char sub[512];
		snprintf(sub, sizeof(sub), "%s.latency", path);
		if (read_quantity(r, lat, "median", UNITS_DURATION, &v->latency_median, sub))
			v->latency_median *= 1e-9;
		if (read_quantity(r, lat, "p99", UNITS_DURATION, &v->latency_p99, sub))
			v->latency_p99 *= 1e-9;
		if (!(v->latency_median > 0 && v->latency_p99 > v->latency_median))
			read_error(r, lat, false, sub, "latency needs median > 0 and p99 > median");
	}
}

/* --- entries by name ------------------------------------------------------------------------- */

const struct catalog_instance *catalog_instance(const struct catalog *c, const char *name)
{
	for (size_t i = 0; name && i < c->instance_count; i++)
		if (strcmp(c->instances[i].name, name) == 0)
			return &c->instances[i];
	return NULL;
}

const struct catalog_volume *catalog_volume(const struct catalog *c, const char *name)
{
	for (size_t i = 0; name && i < c->volume_count; i++)
		if (strcmp(c->volumes[i].name, name) == 0)
			return &c->volumes[i];
	return NULL;
}

static int read_instances(struct reader *r, struct catalog *c, const cJSON *obj,
			  const char *path)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, obj)
	{
		char sub[512];
		snprintf(sub, sizeof(sub), "%s.%s", path, e->string);
		if (!cJSON_IsObject(e)) {
			read_error(r, e, false, sub, "expected an object describing the instance type");
			continue;
		}
		struct catalog_instance *in = (struct catalog_instance *)catalog_instance(c, e->string);
		bool is_new = !in;
		if (is_new) {
			struct catalog_instance *grown =
				realloc(c->instances, sizeof(*grown) * (c->instance_count + 1));
			if (!grown)
				return -ENOMEM;
			c->instances = grown;
			in = &c->instances[c->instance_count++];
			memset(in, 0, sizeof(*in));
			if (!(in->name = strdup(e->string)))
				return -ENOMEM;
		}
		read_instance(r, in, e, sub, is_new);
	}
	return 0;
}

static int read_volumes(struct reader *r, struct catalog *c, const cJSON *obj, const char *path)
{
	const cJSON *e;
	cJSON_ArrayForEach(e, obj)
	{
		char sub[512];
		snprintf(sub, sizeof(sub), "%s.%s", path, e->string);
		if (!cJSON_IsObject(e)) {
			read_error(r, e, false, sub, "expected an object describing the volume type");
			continue;
		}
		struct catalog_volume *v = (struct catalog_volume *)catalog_volume(c, e->string);
		bool is_new = !v;
		if (is_new) {
			struct catalog_volume *grown =
				realloc(c->volumes, sizeof(*grown) * (c->volume_count + 1));
			if (!grown)
				return -ENOMEM;
			c->volumes = grown;
			v = &c->volumes[c->volume_count++];
			memset(v, 0, sizeof(*v));
			if (!(v->name = strdup(e->string)))
				return -ENOMEM;
		}
		read_volume(r, v, e, sub, is_new);
	}
	return 0;
}

/* network.json "prices": data transfer and load balancers (struct catalog_prices). */
static void read_prices(struct reader *r, struct catalog *c, const cJSON *obj)
{
	struct catalog_prices *p = &c->prices;
	p->hours_per_month = p->cross_az_per_gb = p->inter_region_per_gb = NAN;
	for (int k = 0; k < CATALOG_LB_KINDS; k++)
		p->lb_per_hour[k] = p->lb_per_gb[k] = NAN;
	if (!obj)
		return;
	const char *path = "$.prices";
	const cJSON *region = cJSON_GetObjectItemCaseSensitive(obj, "region");
	snprintf(p->region, sizeof(p->region), "%s",
		 cJSON_IsString(region) ? region->valuestring : "us-east-1");
	read_quantity(r, obj, "hours_per_month", UNITS_NUMBER, &p->hours_per_month, path);
	read_quantity(r, obj, "cross_az_usd_per_gb", UNITS_NUMBER, &p->cross_az_per_gb, path);
	p->cross_az_each_side =
		cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(obj, "cross_az_billed_each_side"));
	read_quantity(r, obj, "inter_region_usd_per_gb", UNITS_NUMBER, &p->inter_region_per_gb,
		      path);
	const cJSON *e;
	cJSON_ArrayForEach(e, cJSON_GetObjectItemCaseSensitive(obj, "inter_region_pairs"))
	{
		if (p->pair_count == sizeof(p->pairs) / sizeof(p->pairs[0]))
			break;
		struct catalog_region_price *rp = &p->pairs[p->pair_count];
		const cJSON *from = cJSON_GetObjectItemCaseSensitive(e, "from");
		const cJSON *to = cJSON_GetObjectItemCaseSensitive(e, "to");
		if (!cJSON_IsString(from) || !cJSON_IsString(to) ||
		    !read_quantity(r, e, "usd_per_gb", UNITS_NUMBER, &rp->per_gb,
				   "$.prices.inter_region_pairs")) {
			read_error(r, e, false, "$.prices.inter_region_pairs",
				   "expected {\"from\": REGION, \"to\": REGION, \"usd_per_gb\": N}");
			continue;
		}
		snprintf(rp->from, sizeof(rp->from), "%s", from->valuestring);
		snprintf(rp->to, sizeof(rp->to), "%s", to->valuestring);
		p->pair_count++;
	}
	static const char *const kinds[CATALOG_LB_KINDS] = {"alb", "nlb", "classic"};
	const cJSON *lbs = cJSON_GetObjectItemCaseSensitive(obj, "load_balancers");
	for (int k = 0; k < CATALOG_LB_KINDS; k++) {
		const cJSON *lb = cJSON_GetObjectItemCaseSensitive(lbs, kinds[k]);
		if (!lb)
			continue;
		read_quantity(r, lb, "usd_per_hour", UNITS_NUMBER, &p->lb_per_hour[k],
			      "$.prices.load_balancers");
		read_quantity(r, lb, "usd_per_gb_processed", UNITS_NUMBER, &p->lb_per_gb[k],
			      "$.prices.load_balancers");
	}
}

double catalog_volume_hourly(const struct catalog *c, const struct catalog_volume *v, double size,
			     double iops, double throughput)
{
	double hours = c->prices.hours_per_month;
	if (!v || isnan(v->price_gib_month) || !(hours > 0))
		return NAN;
	double month = size / 1073741824.0 * v->price_gib_month;
	if (iops > 0 && !isnan(v->price_iops_month)) {
		/* IOPS above the free baseline at the base price up to the first tier, then each
		 * tier's price above its floor (io2) */
		for (int seg = 0; seg < 3; seg++) {
			double lo = seg == 0 ? v->iops_baseline : v->price_iops_tier_above[seg - 1];
			double price = seg == 0 ? v->price_iops_month : v->price_iops_tier[seg - 1];
			if (isnan(price))
				break;
			double hi = seg < 2 && !isnan(v->price_iops_tier[seg])
					    ? v->price_iops_tier_above[seg]
					    : INFINITY;
			if (iops > lo)
				month += ((iops < hi ? iops : hi) - lo) * price;
		}
	}
	if (throughput > 0 && !isnan(v->price_mibps_month) && throughput > v->throughput_baseline)
		month += (throughput - v->throughput_baseline) / 1048576.0 * v->price_mibps_month;
	return month / hours;
}

double catalog_transfer_usd(const struct catalog *c, const char *link, double bytes)
{
	const struct catalog_prices *p = &c->prices;
	double gb = bytes / 1e9;
	if (strcmp(link, "cross_az") == 0)
		return isnan(p->cross_az_per_gb) ? 0
						 : gb * p->cross_az_per_gb * (p->cross_az_each_side ? 2 : 1);
	char from[64], to[64];
	if (sscanf(link, "cross_region %63s %63s", from, to) != 2)
		return 0;
	for (size_t i = 0; i < p->pair_count; i++)
		if (strcmp(p->pairs[i].from, from) == 0 && strcmp(p->pairs[i].to, to) == 0)
			return gb * p->pairs[i].per_gb;
	return isnan(p->inter_region_per_gb) ? 0 : gb * p->inter_region_per_gb;
}

static int read_network(struct reader *r, struct catalog *c, const cJSON *root)
{
	read_prices(r, c, cJSON_GetObjectItemCaseSensitive(root, "prices"));
	const cJSON *regions = cJSON_GetObjectItemCaseSensitive(root, "regions");
	const cJSON *rtt = cJSON_GetObjectItemCaseSensitive(root, "rtt_ms");
	if (!cJSON_IsArray(regions) || !cJSON_IsArray(rtt)) {
		read_error(r, root, false, "$", "network catalog needs \"regions\" and \"rtt_ms\"");
		return 0;
	}
	size_t n = (size_t)cJSON_GetArraySize(regions);
	c->regions = calloc(n ? n : 1, sizeof(char *));
	c->rtt_ms = calloc(n ? n * n : 1, sizeof(double));
	if (!c->regions || !c->rtt_ms)
		return -ENOMEM;
	c->region_count = n;
	for (size_t i = 0; i < n; i++) {
		const cJSON *name = cJSON_GetArrayItem(regions, (int)i);
		c->regions[i] = strdup(cJSON_IsString(name) ? name->valuestring : "?");
		if (!c->regions[i])
			return -ENOMEM;
		const cJSON *row = cJSON_GetArrayItem(rtt, (int)i);
		if (!cJSON_IsArray(row) || (size_t)cJSON_GetArraySize(row) != n) {
			read_error(r, row ? row : rtt, false, "$.rtt_ms",
				   "row %zu must hold %zu numbers", i, n);
			continue;
		}
		for (size_t j = 0; j < n; j++) {
			const cJSON *x = cJSON_GetArrayItem(row, (int)j);
			if (!cJSON_IsNumber(x) || x->valuedouble < 0)
				read_error(r, x, false, "$.rtt_ms", "RTTs must be non-negative numbers");
			else
				c->rtt_ms[i * n + j] = x->valuedouble;
		}
	}
	return 0;
}

int catalog_load(struct catalog *c, const char *dir, struct jsondoc *doc, struct diag *diag)
{
	static const char *const files[] = {"instances.json", "volumes.json", "network.json"};
	struct reader r = {doc, diag, 0};
	for (int i = 0; i < 3; i++) {
		char path[4096];
		snprintf(path, sizeof(path), "%s/%s", dir, files[i]);
		cJSON *root = jsondoc_load_file(doc, path, diag);
		if (!root) {
			r.errors++;
			continue;
		}
		int rc = 0;
		static const char *const keys[] = {"instances", "volumes", NULL};
		if (keys[i] && !cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(root, keys[i]))) {
			/* Without it the catalog would be empty, and every scenario would fail later
			 * with "unknown instance type". */
			read_error(&r, root, false, "$", "the file needs a top-level \"%s\" object",
				   keys[i]);
			cJSON_Delete(root);
			continue;
		}
		if (i == 0)
			rc = read_instances(&r, c, cJSON_GetObjectItemCaseSensitive(root, "instances"),
					    "$.instances");
		else if (i == 1)
			rc = read_volumes(&r, c, cJSON_GetObjectItemCaseSensitive(root, "volumes"),
					  "$.volumes");
		else
			rc = read_network(&r, c, root);
		cJSON_Delete(root);
		if (rc < 0) {
			diag_report(diag, DIAG_ERROR, path, 0, 0, NULL, "out of memory");
			return -ENOMEM;
		}
	}
	return r.errors ? -EINVAL : 0;
}

int catalog_apply_overrides(struct catalog *c, const cJSON *obj, struct jsondoc *doc,
			    struct diag *diag)
{
	static const char *const keys[] = {"instances", "volumes"};
	struct reader r = {doc, diag, 0};
	if (!cJSON_IsObject(obj)) {
		read_error(&r, obj, false, "$.catalog",
			   "expected an object with \"instances\" and/or \"volumes\"");
		return r.errors;
	}
	check_keys(&r, obj, keys, 2, "$.catalog", "catalog");
	const cJSON *in = cJSON_GetObjectItemCaseSensitive(obj, "instances");
	const cJSON *vol = cJSON_GetObjectItemCaseSensitive(obj, "volumes");
	if (in && (!cJSON_IsObject(in) || read_instances(&r, c, in, "$.catalog.instances") < 0))
		read_error(&r, in, false, "$.catalog.instances",
			   "expected an object of instance types by name");
	if (vol && (!cJSON_IsObject(vol) || read_volumes(&r, c, vol, "$.catalog.volumes") < 0))
		read_error(&r, vol, false, "$.catalog.volumes",
			   "expected an object of volume types by name");
	return r.errors;
}

int catalog_region_index(const struct catalog *c, const char *name)
{
	for (size_t i = 0; i < c->region_count; i++)
		if (strcmp(c->regions[i], name) == 0)
			return (int)i;
	return -1;
}

double catalog_region_rtt(const struct catalog *c, const char *from, const char *to)
{
	int a = catalog_region_index(c, from), b = catalog_region_index(c, to);
	if (a < 0 || b < 0)
		return NAN;
	size_t n = c->region_count;
	return 0.5e-3 * (c->rtt_ms[(size_t)a * n + (size_t)b] + c->rtt_ms[(size_t)b * n + (size_t)a]);
}

const char **catalog_instance_names(const struct catalog *c)
{
	const char **names = calloc(c->instance_count + 1, sizeof(*names));
	for (size_t i = 0; names && i < c->instance_count; i++)
		names[i] = c->instances[i].name;
	return names;
}

const char **catalog_volume_names(const struct catalog *c)
{
	const char **names = calloc(c->volume_count + 1, sizeof(*names));
	for (size_t i = 0; names && i < c->volume_count; i++)
		names[i] = c->volumes[i].name;
	return names;
}

/* --- printing -------------------------------------------------------------------------------- */

static const char *fmt_q(enum units_kind kind, double v, char *buf)
{
	if (units_format(kind, v, buf, UNITS_FORMAT_SIZE) < 0)
		snprintf(buf, UNITS_FORMAT_SIZE, "-");
	return buf;
}

int catalog_print(const struct catalog *c, const char *what, FILE *out)
{
	char a[UNITS_FORMAT_SIZE], b[UNITS_FORMAT_SIZE], d[UNITS_FORMAT_SIZE],
		e[UNITS_FORMAT_SIZE], f[UNITS_FORMAT_SIZE], g[UNITS_FORMAT_SIZE],
		h[UNITS_FORMAT_SIZE];
	bool all = !what;
	if (all || strcmp(what, "instances") == 0) {
		fprintf(out, "%-13s %5s %9s %10s %9s %12s %12s %10s %10s %9s\n", "instance", "vcpu",
			"memory", "net base", "net burst", "ebs base", "ebs max", "ebs iops",
			"iops max", "usd/h");
		for (size_t i = 0; i < c->instance_count; i++) {
			const struct catalog_instance *in = &c->instances[i];
			char price[32];
			if (isnan(in->price_per_hour))
				snprintf(price, sizeof(price), "-");
			else
				snprintf(price, sizeof(price), "%.4f%s", in->price_per_hour,
					 in->price_confirmed ? "" : "?");
			fprintf(out, "%-13s %5lld %9s %10s %9s %12s %12s %10s %10s %9s\n", in->name,
				(long long)in->vcpu, fmt_q(UNITS_SIZE, in->memory, a),
				fmt_q(UNITS_BANDWIDTH, in->network_baseline, b),
				fmt_q(UNITS_BANDWIDTH, in->network_burst, d),
				fmt_q(UNITS_BANDWIDTH, in->ebs_baseline_bandwidth, e),
				fmt_q(UNITS_BANDWIDTH, in->ebs_max_bandwidth, f),
				fmt_q(UNITS_IOPS, in->ebs_baseline_iops, g),
				fmt_q(UNITS_IOPS, in->ebs_max_iops, h), price);
		}
		fprintf(out, "(usd/h: on-demand us-east-1 Linux; '?' unconfirmed, '-' no source; "
			     "see docs/catalog.md)\n");
	} else if (strcmp(what, "volumes") != 0 && strcmp(what, "regions") != 0) {
		return -EINVAL;
	}
	if (all || strcmp(what, "volumes") == 0) {
		if (all)
			fputc('\n', out);
		fprintf(out, "%-6s %8s %8s %10s %11s %8s %10s %10s %9s %9s %7s\n", "volume", "min",
			"max", "iops min", "iops max", "iops/GiB", "tput base", "tput max",
			"lat p50", "lat p99", "AFR");
		for (size_t i = 0; i < c->volume_count; i++) {
			const struct catalog_volume *v = &c->volumes[i];
			fprintf(out, "%-6s %8s %8s %10s %11s %8g %10s %10s %8.2fms %8.2fms %6.3f%%\n",
				v->name, fmt_q(UNITS_SIZE, v->size_min, a),
				fmt_q(UNITS_SIZE, v->size_max, b), fmt_q(UNITS_IOPS, v->iops_min, d),
				fmt_q(UNITS_IOPS, v->iops_max, e), v->iops_per_gib,
				fmt_q(UNITS_BANDWIDTH, v->throughput_baseline, f),
				fmt_q(UNITS_BANDWIDTH, v->throughput_max, g), v->latency_median * 1e3,
				v->latency_p99 * 1e3, v->afr_max * 100);
		}
		fprintf(out, "\n%-6s %10s %22s %20s  (USD per month, %s; '?' unconfirmed)\n",
			"volume", "per GiB", "per IOPS", "per MiB/s", c->prices.region);
		for (size_t i = 0; i < c->volume_count; i++) {
			const struct catalog_volume *v = &c->volumes[i];
			char gib[32] = "-", iops[64] = "-", mibps[32] = "-";
			if (!isnan(v->price_gib_month))
				snprintf(gib, sizeof(gib), "%.4g%s", v->price_gib_month,
					 v->price_confirmed ? "" : "?");
			if (!isnan(v->price_iops_month))
				snprintf(iops, sizeof(iops), "%.4g%s%s", v->price_iops_month,
					 v->iops_baseline > 0 ? " above " : "",
					 v->iops_baseline > 0 ? fmt_q(UNITS_IOPS, v->iops_baseline, a) : "");
			if (!isnan(v->price_iops_tier[0]))
				snprintf(iops + strlen(iops), sizeof(iops) - strlen(iops), ", tiers");
			if (!isnan(v->price_mibps_month))
				snprintf(mibps, sizeof(mibps), "%.4g above %s", v->price_mibps_month,
					 fmt_q(UNITS_BANDWIDTH, v->throughput_baseline, b));
			fprintf(out, "%-6s %10s %22s %20s\n", v->name, gib, iops, mibps);
		}
	}
	if (all || strcmp(what, "regions") == 0) {
		if (all)
			fputc('\n', out);
		fprintf(out, "RTT ms (row = from, column = to)\n%-15s", "");
		for (size_t j = 0; j < c->region_count; j++)
			fprintf(out, " %4zu", j + 1);
		fputc('\n', out);
		for (size_t i = 0; i < c->region_count; i++) {
			fprintf(out, "%2zu %-12s", i + 1, c->regions[i]);
			for (size_t j = 0; j < c->region_count; j++)
				fprintf(out, " %4.0f", c->rtt_ms[i * c->region_count + j]);
			fputc('\n', out);
		}
	}
	return 0;
}
