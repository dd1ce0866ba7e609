/* scenario.c: loading and checking scenarios (see scenario.h).
 *
 * Order of work: read the file and its includes (jsondoc), apply --set, take out the
 * "catalog" object and apply it to the loaded catalog, parse the rest through
 * scenario_config_table, then run the cross-reference checks below, which need the whole
 * configuration (a host's AZ must exist, a mirror member must be a data host, ...). Every
 * check reports and goes on, so one run shows every problem of the file.
 */
#include "scenario.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "field_json.h"
#include "jsondoc.h"
#include "nameindex.h"
#include "units.h"
#include "metric.h"
#include "svc.h"

/* --- the root table ------------------------------------------------------------------------ */

static const char *const expectation_op_names[] = {"<=", "<", ">=", ">", "==", NULL};

static const struct field expectation_fields[] = {
	{FIELD_AT(struct expectation_config, metric), .type = FIELD_STRING,
	 .flags = FIELD_REQUIRED,
	 .help = "a registered metric (rto_s, write_availability, latency_p99_s, ...) or figure "
		 "(incidents, recovered, primary_after, invariant_violations), or a sum and "
		 "difference of them of one unit: \"reroute_s - detect_s\""},
	{FIELD_AT(struct expectation_config, where), .type = FIELD_STRING,
	 .help = "qualifier: an operation class, host, volume (host/volume) or \"class cause\"; "
		 "omitted on a count or rate: summed over all"},
	{FIELD_AT(struct expectation_config, kind), .type = FIELD_STRING,
	 .help = "incident metrics: only incidents of this fault kind (e.g. host_crash)"},
	{FIELD_AT(struct expectation_config, target), .type = FIELD_STRING,
	 .help = "incident metrics: only incidents of this fault target (e.g. iris-a; a "
		 "partition is \"A <-> B\")"},
	{FIELD_AT(struct expectation_config, of), .type = FIELD_STRING, .def = "mean",
	 .help = "quantifier across replications (incident metrics: across incidents): every, "
		 "mean, lower_bound, upper_bound (of the mean, at `level`), or a percentile "
		 "such as p95"},
	{FIELD_AT(struct expectation_config, level), .type = FIELD_QUANTITY,
	 .units = UNITS_FRACTION, .def = "95%", .min = "50%", .max = "99.99%",
	 .help = "confidence level of lower_bound and upper_bound"},
	{FIELD_AT(struct expectation_config, op), .type = FIELD_ENUM,
	 .enum_names = expectation_op_names, .flags = FIELD_REQUIRED,
	 .help = "comparison: <=, <, >=, >, =="},
	{FIELD_AT(struct expectation_config, value), .type = FIELD_STRING,
	 .help = "threshold with the metric's unit: \"60s\", \"20ms\", \"99.9%\", \"3000/s\", a "
		 "bare number for counts; a host name for primary_after (required)"},
};
static const struct field_table expectation_config_table =
	FIELD_TABLE_OF("expectation",
		       "A bound that `topsim run` and `topsim check` enforce on a metric: the "
		       "values of the replications (or of the selected incidents) reduced by the "
		       "quantifier `of`, compared with `value`.",
		       struct expectation_config, expectation_fields);

struct expectation_figure_def {
	const char *name, *unit;
	bool per_incident;
	const char *help;
};

static const struct expectation_figure_def expectation_figures[] = {
#define EXPECT_FIGURE_ROW(id, name, unit, per_incident, help) {name, unit, per_incident, help},
	TOPSIM_EXPECT_FIGURES(EXPECT_FIGURE_ROW)
#undef EXPECT_FIGURE_ROW
};

const char *expectation_figure_name(int f)
{
	return expectation_figures[f].name;
}

const char *expectation_figure_unit(int f)
{
	return expectation_figures[f].unit;
}

bool expectation_figure_per_incident(int f)
{
	return expectation_figures[f].per_incident;
}

const char *expectation_figure_help(int f)
{
	return expectation_figures[f].help;
}

const char *expectation_op_name(int op)
{
	return op >= 0 && op <= EXPECT_EQ ? expectation_op_names[op] : "?";
}

static const struct field scenario_fields[] = {
	{FIELD_AT(struct scenario_config, name), .type = FIELD_STRING, .flags = FIELD_REQUIRED,
	 .help = "scenario name, stored with the results"},
	{FIELD_AT(struct scenario_config, description), .type = FIELD_STRING,
	 .help = "what the scenario shows and what to expect"},
	{FIELD_AT(struct scenario_config, seed), .type = FIELD_INT, .def = "1", .min = "0",
	 .max = "9007199254740991", .help = "seed of every RNG stream"},
	{FIELD_AT(struct scenario_config, duration), .type = FIELD_DURATION, .def = "1h",
	 .min = "1ms", .max = "365d", .help = "simulated time per replication after warm-up"},
	{FIELD_AT(struct scenario_config, warmup), .type = FIELD_DURATION, .def = "0s",
	 .min = "0s", .max = "365d", .help = "simulated time excluded from statistics"},
	{FIELD_AT(struct scenario_config, replications), .type = FIELD_INT, .def = "1",
	 .min = "1", .max = "100000", .help = "independent replications"},
	{FIELD_LIST_AT(struct scenario_config, regions, region_count), .type = FIELD_ARRAY,
	 .sub = &region_config_table, .flags = FIELD_REQUIRED, .help = "regions and their AZs"},
	{FIELD_AT(struct scenario_config, network), .type = FIELD_OBJECT,
	 .sub = &network_config_table, .help = "network latency and bandwidth"},
	{FIELD_LIST_AT(struct scenario_config, hosts, host_count), .type = FIELD_ARRAY,
	 .sub = &host_config_table, .flags = FIELD_REQUIRED, .help = "EC2 instances"},
	{FIELD_AT(struct scenario_config, iris), .type = FIELD_OBJECT,
	 .sub = &iris_node_config_table, .help = "parameters of every IRIS instance"},
	{FIELD_AT(struct scenario_config, mirror), .type = FIELD_OBJECT,
	 .sub = &mirror_policy_config_table, .help = "mirroring parameters for all mirror sets"},
	{FIELD_LIST_AT(struct scenario_config, mirrors, mirror_count), .type = FIELD_ARRAY,
	 .sub = &mirror_set_config_table, .help = "mirror sets"},
	{FIELD_LIST_AT(struct scenario_config, ecp, ecp_count), .type = FIELD_ARRAY,
	 .sub = &ecp_config_table,
	 .help = "groups of ECP application servers, each with its data server"},
	{FIELD_AT(struct scenario_config, sharding), .type = FIELD_OBJECT,
	 .sub = &sharding_config_table, .help = "sharded cluster"},
	{FIELD_LIST_AT(struct scenario_config, web_gateways, web_gateway_count),
	 .type = FIELD_ARRAY, .sub = &web_gateway_config_table, .help = "web gateways"},
	{FIELD_LIST_AT(struct scenario_config, load_balancers, load_balancer_count),
	 .type = FIELD_ARRAY, .sub = &load_balancer_config_table, .help = "load balancers"},
	{FIELD_LIST_AT(struct scenario_config, dns, dns_count), .type = FIELD_ARRAY,
	 .sub = &dns_config_table, .help = "Route 53 failover records"},
	{FIELD_AT(struct scenario_config, workload), .type = FIELD_OBJECT,
	 .sub = &workload_config_table, .help = "clients and operation mix"},
	{FIELD_LIST_AT(struct scenario_config, faults, fault_count), .type = FIELD_ARRAY,
	 .sub = &fault_config_table, .help = "scheduled faults"},
	{FIELD_LIST_AT(struct scenario_config, stochastic_faults, stochastic_fault_count),
	 .type = FIELD_ARRAY, .sub = &stochastic_fault_config_table,
	 .help = "random failures (MTBF/MTTR per class)"},
	{FIELD_LIST_AT(struct scenario_config, backups, backup_count), .type = FIELD_ARRAY,
	 .sub = &backup_config_table,
	 .help = "backup schedules (external snapshots, online backup) of data hosts"},
	{FIELD_LIST_AT(struct scenario_config, expectations, expectation_count),
	 .type = FIELD_ARRAY, .sub = &expectation_config_table,
	 .help = "bounds checked by `topsim run` and `topsim check`"},
	{FIELD_AT(struct scenario_config, availability), .type = FIELD_OBJECT,
	 .sub = &availability_config_table,
	 .help = "long-run availability mode: repair crews, operator restarts, takeover outage"},
};
/* "include" and "catalog" are taken out before the table parses the rest. */
const struct field_table scenario_config_table =
	FIELD_TABLE_OF("scenario",
		       "The root of a scenario file. Also accepted: `include` (a file name or array "
		       "of file names merged underneath this file) and `catalog` (instance and "
		       "volume types added or overridden, shape as in scenarios/catalog/).",
		       struct scenario_config, scenario_fields);

cJSON *scenario_schema_json(void)
{
	cJSON *schema = field_schema_json(&scenario_config_table);
	cJSON *defs = cJSON_GetObjectItemCaseSensitive(schema, "$defs");
	/* A number given as an expectation's value reads as its text
	 * (expectation_values_as_text). */
	const char *tables[] = {"expectation", "expectation-overlay"};
	for (size_t i = 0; i < 2; i++) {
		cJSON *props = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(defs, tables[i]), "properties");
		cJSON *value = cJSON_GetObjectItemCaseSensitive(props, "value");
		if (!value)
			continue;
		cJSON *types = cJSON_CreateArray();
		cJSON_AddItemToArray(types, cJSON_CreateString("string"));
		cJSON_AddItemToArray(types, cJSON_CreateString("number"));
		cJSON_ReplaceItemInObjectCaseSensitive(value, "type", types);
	}
	return schema;
}

/* --- checking ------------------------------------------------------------------------------ */

/* The cross-reference checks run even on a configuration with field errors, so that a user
 * sees every problem of a file at once, under two rules that keep them from tripping on
 * what failed:
 *   - an array element whose own fields failed (field_json.h reports it) is never checked:
 *     its errors are already reported, and its values are defaults or blanks;
 *   - names are still indexed for such elements, so a reference to a host whose volume
 *     size was wrong does not cascade into "is not a host"; a reference that resolves to a
 *     failed element is not checked further. A required name that was missing or unusable
 *     reads as "" and is neither indexed nor checked.
 * Every lookup goes through a sorted name index (nameindex.h) and every duplicate is
 * reported once, against the first element of its name, so checking is O(n log n) in the
 * size of the file, whatever the input. */
#define CHECK_LOCATE_MAX 1000
#define HINT_CANDIDATES_MAX 1000

static bool given(const char *s)
{
	return s && *s;
}

/* Elements that failed parsing, by address: appended by the field parser, then sorted. */
struct failed_set {
	const void **items;
	size_t count, capacity;
	bool out_of_memory;
};

static void failed_set_add(void *arg, const void *element)
{
	struct failed_set *f = arg;
	if (f->count == f->capacity) {
		size_t cap = f->capacity ? f->capacity * 2 : 16;
		const void **grown = realloc(f->items, cap * sizeof(*grown));
		if (!grown) {
			f->out_of_memory = true;
			return;
		}
		f->items = grown;
		f->capacity = cap;
	}
	f->items[f->count++] = element;
}

static int ptr_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t) * (const void *const *)a, y = (uintptr_t) * (const void *const *)b;
	return x < y ? -1 : x > y;
}

struct checker {
	struct scenario *s;            /* checks may fill compiled fields (expectations) */
	const cJSON *root;
	struct jsondoc *doc;
	struct diag *diag;
	struct failed_set *failed;     /* sorted */
	struct nameindex hosts;        /* id: index in hosts */
	struct nameindex mirrors;      /* id: index in mirrors */
	struct nameindex lbs;          /* id: index in load_balancers */
	struct nameindex regions;      /* id: index in regions */
	struct nameindex azs;          /* id: running number of the AZ, see az_region */
	struct nameindex dns;          /* id: index in dns */
	struct nameindex volumes;      /* id: index of the volume's host in hosts */
	size_t *az_region;             /* region index of each AZ number */
	bool run_options;              /* --duration or --warmup replaced the file's */
};

/* Whether element (an item of a config array) parsed without errors of its own. */
static bool usable(const struct checker *c, const void *element)
{
	if (!element)
		return false;
	if (!c->failed->count)
		return true; /* bsearch and qsort take no NULL array, even when empty */
	return !bsearch(&element, c->failed->items, c->failed->count, sizeof(*c->failed->items),
			ptr_cmp);
}

static int checker_init(struct checker *c, struct scenario *s, const cJSON *root,
			struct jsondoc *doc, struct diag *diag, struct failed_set *failed)
{
	const struct scenario_config *cfg = &s->config;
	*c = (struct checker){.s = s, .root = root, .doc = doc, .diag = diag, .failed = failed};
	if (failed->count)
		qsort(failed->items, failed->count, sizeof(*failed->items), ptr_cmp);
	nameindex_init(&c->hosts);
	nameindex_init(&c->mirrors);
	nameindex_init(&c->lbs);
	nameindex_init(&c->regions);
	nameindex_init(&c->azs);
	nameindex_init(&c->dns);
	nameindex_init(&c->volumes);
	int rc = 0;
	for (size_t i = 0; i < cfg->host_count; i++) {
		rc |= nameindex_add(&c->hosts, cfg->hosts[i].name, i);
		for (size_t v = 0; v < cfg->hosts[i].volume_count; v++)
			rc |= nameindex_add(&c->volumes, cfg->hosts[i].volumes[v].name, i);
	}
	for (size_t i = 0; i < cfg->mirror_count; i++)
		rc |= nameindex_add(&c->mirrors, cfg->mirrors[i].name, i);
	for (size_t i = 0; i < cfg->load_balancer_count; i++)
		rc |= nameindex_add(&c->lbs, cfg->load_balancers[i].name, i);
	for (size_t i = 0; i < cfg->dns_count; i++)
		rc |= nameindex_add(&c->dns, cfg->dns[i].name, i);
	size_t total = 0;
	for (size_t r = 0; r < cfg->region_count; r++) {
		rc |= nameindex_add(&c->regions, cfg->regions[r].name, r);
		total += cfg->regions[r].az_count;
	}
	c->az_region = calloc(total + 1, sizeof(*c->az_region));
	if (!c->az_region)
		return -ENOMEM;
	size_t k = 0;
	for (size_t r = 0; r < cfg->region_count; r++)
		for (size_t a = 0; a < cfg->regions[r].az_count; a++, k++) {
			c->az_region[k] = r;
			rc |= nameindex_add(&c->azs, cfg->regions[r].azs[a], k);
		}
	return rc < 0 || failed->out_of_memory ? -ENOMEM : 0;
}

static void checker_release(struct checker *c)
{
	nameindex_release(&c->hosts);
	nameindex_release(&c->mirrors);
	nameindex_release(&c->lbs);
	nameindex_release(&c->regions);
	nameindex_release(&c->azs);
	nameindex_release(&c->dns);
	nameindex_release(&c->volumes);
	free(c->az_region);
}

/* Node at a path like "$.hosts[3].volumes[0].size" (no name selectors), or the nearest
 * existing ancestor. */
static const cJSON *node_at(const cJSON *root, const char *path)
{
	const cJSON *node = root;
	const char *p = path[0] == '$' ? path + 1 : path;
	while (*p && node) {
		if (*p == '.') {
			p++;
			size_t len = strcspn(p, ".[");
			char key[128];
			snprintf(key, sizeof(key), "%.*s", (int)len, p);
			const cJSON *next = cJSON_GetObjectItemCaseSensitive(node, key);
			if (!next)
				return node;
			node = next;
			p += len;
		} else if (*p == '[') {
			char *end;
			unsigned long long i = strtoull(p + 1, &end, 10);
			const cJSON *next = i <= INT_MAX ? cJSON_GetArrayItem(node, (int)i) : NULL;
			if (!next || *end != ']')
				return node;
			node = next;
			p = end + 1;
		} else {
			break;
		}
	}
	return node;
}

static void check_report(struct checker *c, enum diag_severity sev, const char *path,
			 const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static void check_report(struct checker *c, enum diag_severity sev, const char *path,
			 const char *fmt, ...)
{
	char msg[600];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	struct field_location loc = {c->s->file, 0, 0};
	/* Locating walks the tree (linear in array positions); past CHECK_LOCATE_MAX
	 * diagnostics, which nobody reads, a message is filed against the scenario file. */
	if (diag_error_count(c->diag) + diag_warning_count(c->diag) < CHECK_LOCATE_MAX)
		jsondoc_locate(c->doc, node_at(c->root, path), false, &loc);
	diag_report(c->diag, sev, loc.file, loc.line, loc.col, path, "%s", msg);
}

/* " (did you mean \"x\"?)" or "". Only while messages are still shown, and among at most
 * HINT_CANDIDATES_MAX names: a suggestion costs a pass over the candidates. */
static const char *hint_from(struct checker *c, char *buf, size_t size, const char *word,
			     struct nameindex *x)
{
	buf[0] = '\0';
	if (!diag_has_room(c->diag, c->s->file) || x->count > HINT_CANDIDATES_MAX)
		return buf;
	size_t n = 0;
	const char **names = nameindex_names(x, &n);
	const char *h = names && n ? diag_suggest(word, names, n) : NULL;
	if (h)
		snprintf(buf, size, " (did you mean \"%s\"?)", h);
	free(names);
	return buf;
}

static const char *hint_text(char *buf, size_t size, const char *word, const char *const *names,
			     size_t n)
{
	const char *h = names && n ? diag_suggest(word, names, n) : NULL;
	if (!h)
		return "";
	snprintf(buf, size, " (did you mean \"%s\"?)", h);
	return buf;
}

static const struct host_config *find_host(struct checker *c, const char *name)
{
	size_t i = nameindex_first(&c->hosts, name);
	return i == NAMEINDEX_NONE ? NULL : &c->s->config.hosts[i];
}

static const struct mirror_set_config *find_mirror(struct checker *c, const char *name)
{
	size_t i = nameindex_first(&c->mirrors, name);
	return i == NAMEINDEX_NONE ? NULL : &c->s->config.mirrors[i];
}

static const struct load_balancer_config *find_lb(struct checker *c, const char *name)
{
	size_t i = nameindex_first(&c->lbs, name);
	return i == NAMEINDEX_NONE ? NULL : &c->s->config.load_balancers[i];
}

/* Region of an AZ, or NULL when the AZ is not declared. */
static const struct region_config *region_of_az(struct checker *c, const char *az)
{
	size_t k = nameindex_first(&c->azs, az);
	return k == NAMEINDEX_NONE ? NULL : &c->s->config.regions[c->az_region[k]];
}

static bool is_region(struct checker *c, const char *name)
{
	return nameindex_has(&c->regions, name);
}

/* A reference to a host, which must exist and (if roles is non-zero) have one of the roles
 * in the mask. Returns the host or NULL (reported, or a host that failed parsing: its
 * errors are reported and its values are not to be trusted). */
static const struct host_config *check_host_ref(struct checker *c, const char *name,
						 unsigned roles, const char *path, const char *what)
{
	if (!given(name))
		return NULL;
	const struct host_config *h = find_host(c, name);
	char hint[160];
	if (!h) {
		check_report(c, DIAG_ERROR, path, "%s \"%s\" is not a host%s", what, name,
			     hint_from(c, hint, sizeof(hint), name, &c->hosts));
		return NULL;
	}
	if (!usable(c, h))
		return NULL;
	if (roles && h->role >= 0 && !(roles & (1u << h->role))) {
		char want[128] = "";
		size_t used = 0;
		for (int r = 0; r < HOST_ROLE_COUNT; r++)
			if (roles & (1u << r))
				used += (size_t)snprintf(want + used, sizeof(want) - used, "%s%s",
							 used ? " or " : "", host_role_names[r]);
		check_report(c, DIAG_ERROR, path, "%s \"%s\" has role %s; expected %s", what, name,
			     host_role_names[h->role], want);
	}
	return h;
}

#define ROLE(r) (1u << (r))

static void check_regions_and_hosts(struct checker *c)
{
	const struct scenario_config *cfg = &c->s->config;
	const struct catalog *cat = &c->s->catalog;
	char path[256], hint[160];
	if (cfg->region_count == 0)
		check_report(c, DIAG_ERROR, "$.regions", "a scenario needs at least one region");
	size_t az_number = 0;
	for (size_t r = 0; r < cfg->region_count; r++) {
		const struct region_config *rc = &cfg->regions[r];
		size_t first_az = az_number;
		az_number += rc->az_count;
		snprintf(path, sizeof(path), "$.regions[%zu].name", r);
		if (!usable(c, rc) || !given(rc->name))
			continue;
		if (catalog_region_index(cat, rc->name) < 0)
			check_report(c, DIAG_ERROR, path,
				     "unknown region \"%s\": not in the catalog's RTT matrix%s", rc->name,
				     hint_text(hint, sizeof(hint), rc->name,
					       (const char *const *)cat->regions, cat->region_count));
		size_t first = nameindex_first(&c->regions, rc->name);
		if (first != r)
			check_report(c, DIAG_ERROR, path, "duplicate region \"%s\" (first at "
				     "$.regions[%zu])", rc->name, first);
		if (rc->az_count == 0) {
			snprintf(path, sizeof(path), "$.regions[%zu].azs", r);
			check_report(c, DIAG_ERROR, path, "region \"%s\" needs at least one AZ",
				     rc->name);
		}
		for (size_t a = 0; a < rc->az_count; a++) {
			snprintf(path, sizeof(path), "$.regions[%zu].azs[%zu]", r, a);
			/* An AZ name must be unique across all regions (it names an entity). */
			size_t first_k = nameindex_first(&c->azs, rc->azs[a]);
			if (first_k != NAMEINDEX_NONE && first_k != first_az + a)
				check_report(c, DIAG_ERROR, path, "duplicate AZ \"%s\"", rc->azs[a]);
			if (strncmp(rc->azs[a], rc->name, strlen(rc->name)) != 0)
				check_report(c, DIAG_ERROR, path,
					     "AZ \"%s\" is not in region \"%s\": AWS names each AZ after "
					     "its region (e.g. %sa)",
					     rc->azs[a], rc->name, rc->name);
			if (is_region(c, rc->azs[a]))
				check_report(c, DIAG_ERROR, path,
					     "AZ \"%s\" has the name of a region", rc->azs[a]);
		}
	}

	const char **types = catalog_instance_names(cat);
	const char **vtypes = catalog_volume_names(cat);
	for (size_t i = 0; i < cfg->host_count; i++) {
		const struct host_config *h = &cfg->hosts[i];
		snprintf(path, sizeof(path), "$.hosts[%zu].name", i);
		if (!usable(c, h) || !given(h->name) || !given(h->instance_type) || !given(h->az))
			continue;
		size_t first = nameindex_first(&c->hosts, h->name);
		if (first != i)
			check_report(c, DIAG_ERROR, path, "duplicate host \"%s\" (first at $.hosts[%zu])",
				     h->name, first);
		if (region_of_az(c, h->name) || is_region(c, h->name) || strchr(h->name, '/'))
			check_report(c, DIAG_ERROR, path,
				     "host name \"%s\" clashes with a region or AZ name or contains '/'",
				     h->name);
		snprintf(path, sizeof(path), "$.hosts[%zu].instance_type", i);
		const struct catalog_instance *it = catalog_instance(cat, h->instance_type);
		if (!it)
			check_report(c, DIAG_ERROR, path, "unknown instance type \"%s\"%s",
				     h->instance_type,
				     hint_text(hint, sizeof(hint), h->instance_type, types,
					       cat->instance_count));
		snprintf(path, sizeof(path), "$.hosts[%zu].az", i);
		if (cfg->region_count > 0 && !region_of_az(c, h->az)) /* no region: reported */
			check_report(c, DIAG_ERROR, path, "host \"%s\" is in AZ \"%s\", which no region "
							  "declares%s",
				     h->name, h->az, hint_from(c, hint, sizeof(hint), h->az, &c->azs));
		int64_t attached = 0;
		struct nameindex volumes;
		nameindex_init(&volumes);
		for (size_t v = 0; v < h->volume_count; v++)
			nameindex_add(&volumes, h->volumes[v].name, v);
		for (size_t v = 0; v < h->volume_count; v++) {
			const struct volume_config *vc = &h->volumes[v];
			if (!usable(c, vc))
				continue;
			attached += vc->stripe_count;
			if (!given(vc->name) || !given(vc->type))
				continue;
			snprintf(path, sizeof(path), "$.hosts[%zu].volumes[%zu].name", i, v);
			if (nameindex_first(&volumes, vc->name) != v)
				check_report(c, DIAG_ERROR, path,
					     "duplicate volume \"%s\" on host \"%s\"", vc->name,
					     h->name);
			snprintf(path, sizeof(path), "$.hosts[%zu].volumes[%zu].type", i, v);
			const struct catalog_volume *vt = catalog_volume(cat, vc->type);
			if (!vt) {
				check_report(c, DIAG_ERROR, path, "unknown volume type \"%s\"%s",
					     vc->type,
					     hint_text(hint, sizeof(hint), vc->type, vtypes,
						       cat->volume_count));
				continue;
			}
			char a[UNITS_FORMAT_SIZE], b[UNITS_FORMAT_SIZE], d[UNITS_FORMAT_SIZE];
			snprintf(path, sizeof(path), "$.hosts[%zu].volumes[%zu].size", i, v);
			if (vc->size > 0 && /* 0: missing, already reported */
			    (vc->size < vt->size_min || vc->size > vt->size_max)) {
				units_format(UNITS_SIZE, vc->size, a, sizeof(a));
				units_format(UNITS_SIZE, vt->size_min, b, sizeof(b));
				units_format(UNITS_SIZE, vt->size_max, d, sizeof(d));
				check_report(c, DIAG_ERROR, path, "%s %s volume is outside %s to %s", a,
					     vt->name, b, d);
			}
			snprintf(path, sizeof(path), "$.hosts[%zu].volumes[%zu].iops", i, v);
			if (vc->iops > 0) {
				double gib = vc->size / 1073741824.0;
				if (vt->iops_size_scaled || vt->iops_per_gib == 0)
					check_report(c, DIAG_ERROR, path,
						     "%s volumes do not take provisioned IOPS", vt->name);
				else if (vc->iops > vt->iops_max || vc->iops < vt->iops_min ||
					 vc->iops > vt->iops_per_gib * gib) {
					units_format(UNITS_IOPS, vc->iops, a, sizeof(a));
					units_format(UNITS_IOPS,
						     floor(fmin(vt->iops_max, vt->iops_per_gib * gib)),
						     b, sizeof(b));
					/* "an io1", "a gp3": the article by how the name is said. */
					bool an = strchr("aeiosx", vt->name[0]) != NULL;
					check_report(c, DIAG_ERROR, path,
						     "%s is %s than %s %s volume of this size allows (%s)",
						     a, vc->iops < vt->iops_min ? "less" : "more",
						     an ? "an" : "a", vt->name,
						     vc->iops < vt->iops_min
							     ? (units_format(UNITS_IOPS, vt->iops_min, d,
									     sizeof(d)),
								d)
							     : b);
				}
			}
			snprintf(path, sizeof(path), "$.hosts[%zu].volumes[%zu].throughput", i, v);
			if (vc->throughput > 0 && vt->throughput_baseline == 0) {
				check_report(c, DIAG_ERROR, path,
					     "%s volumes do not take provisioned throughput (gp3 does)",
					     vt->name);
			} else if (vc->throughput > vt->throughput_max) {
				units_format(UNITS_BANDWIDTH, vc->throughput, a, sizeof(a));
				units_format(UNITS_BANDWIDTH, vt->throughput_max, b, sizeof(b));
				check_report(c, DIAG_ERROR, path, "%s is above the %s maximum of %s", a,
					     vt->name, b);
			}
		}
		if (attached > 27) {
			snprintf(path, sizeof(path), "$.hosts[%zu].volumes", i);
			check_report(c, DIAG_ERROR, path,
				     "host \"%s\" attaches %lld EBS volumes; a Nitro instance takes 27 "
				     "with one network interface",
				     h->name, (long long)attached);
		}
		nameindex_release(&volumes);
	}
	free(types);
	free(vtypes);
}

static void check_mirrors(struct checker *c)
{
	const struct scenario_config *cfg = &c->s->config;
	char path[256];
	/* Failover members of every mirror, to find a host in two mirrors: id = mirror. */
	struct nameindex failover;
	nameindex_init(&failover);
	for (size_t m = 0; m < cfg->mirror_count; m++)
		for (size_t k = 0; usable(c, &cfg->mirrors[m]) && k < cfg->mirrors[m].failover_count;
		     k++)
			nameindex_add(&failover, cfg->mirrors[m].failover[k], m);
	for (size_t m = 0; m < cfg->mirror_count; m++) {
		const struct mirror_set_config *ms = &cfg->mirrors[m];
		snprintf(path, sizeof(path), "$.mirrors[%zu].name", m);
		if (!usable(c, ms) || !given(ms->name) || ms->failover_count == 0)
			continue;
		size_t first = nameindex_first(&c->mirrors, ms->name);
		if (first != m)
			check_report(c, DIAG_ERROR, path, "duplicate mirror \"%s\"", ms->name);
		if (find_host(c, ms->name))
			check_report(c, DIAG_ERROR, path, "mirror \"%s\" has the name of a host",
				     ms->name);
		snprintf(path, sizeof(path), "$.mirrors[%zu].failover", m);
		if (ms->failover_count != 2) {
			check_report(c, DIAG_ERROR, path,
				     "mirror \"%s\" needs exactly two failover members, not %zu",
				     ms->name, ms->failover_count);
		}
		const struct host_config *fo[2] = {NULL, NULL};
		for (size_t k = 0; k < ms->failover_count && k < 2; k++) {
			snprintf(path, sizeof(path), "$.mirrors[%zu].failover[%zu]", m, k);
			fo[k] = check_host_ref(c, ms->failover[k], ROLE(HOST_ROLE_DATA), path,
					       "failover member");
		}
		snprintf(path, sizeof(path), "$.mirrors[%zu].failover[1]", m);
		if (fo[0] && fo[1]) {
			const struct region_config *r0 = region_of_az(c, fo[0]->az);
			const struct region_config *r1 = region_of_az(c, fo[1]->az);
			if (fo[0] == fo[1])
				check_report(c, DIAG_ERROR, path,
					     "both failover members of \"%s\" are host \"%s\"", ms->name,
					     fo[0]->name);
			else if (strcmp(fo[0]->az, fo[1]->az) == 0)
				check_report(c, DIAG_ERROR, path,
					     "both failover members of \"%s\" are in AZ \"%s\": one AZ "
					     "outage would take the whole mirror down",
					     ms->name, fo[0]->az);
			else if (r0 && r1 && r0 != r1)
				check_report(c, DIAG_WARNING, path,
					     "failover members of \"%s\" are in different regions (%s, "
					     "%s): synchronous mirroring across regions adds the "
					     "inter-region RTT to every synchronous commit; the "
					     "reference puts DR in another region as an async member",
					     ms->name, r0->name, r1->name);
		}
		size_t members = 2 + ms->async_count;
		if (members > MIRROR_MEMBERS_MAX) {
			snprintf(path, sizeof(path), "$.mirrors[%zu].asyncs", m);
			check_report(c, DIAG_ERROR, path,
				     "mirror \"%s\" has %zu members; IRIS allows at most %d (2 "
				     "failover + 14 async)",
				     ms->name, members, MIRROR_MEMBERS_MAX);
		}
		if (ms->arbiter) {
			snprintf(path, sizeof(path), "$.mirrors[%zu].arbiter", m);
			const struct host_config *arb = check_host_ref(
				c, ms->arbiter, ROLE(HOST_ROLE_ARBITER) | ROLE(HOST_ROLE_WEB), path,
				"arbiter");
			for (int k = 0; arb && k < 2; k++)
				if (fo[k] && arb == fo[k])
					check_report(c, DIAG_ERROR, path,
						     "the arbiter of \"%s\" runs on failover member \"%s\"",
						     ms->name, arb->name);
			for (int k = 0; arb && k < 2; k++)
				if (fo[k] && arb != fo[k] && strcmp(arb->az, fo[k]->az) == 0)
					check_report(c, DIAG_WARNING, path,
						     "arbiter \"%s\" is in AZ \"%s\" with failover member "
						     "\"%s\": losing that AZ loses the arbiter too, and the "
						     "other member cannot take over on its own",
						     arb->name, arb->az, fo[k]->name);
		}
		struct nameindex asyncs;
		nameindex_init(&asyncs);
		for (size_t a = 0; a < ms->async_count; a++)
			if (usable(c, &ms->asyncs[a]))
				nameindex_add(&asyncs, ms->asyncs[a].host, a);
		for (size_t a = 0; a < ms->async_count; a++) {
			if (!usable(c, &ms->asyncs[a]))
				continue;
			snprintf(path, sizeof(path), "$.mirrors[%zu].asyncs[%zu].host", m, a);
			const struct host_config *ah = check_host_ref(
				c, ms->asyncs[a].host, ROLE(HOST_ROLE_DATA), path, "async member");
			for (int k = 0; ah && k < 2; k++)
				if (fo[k] == ah)
					check_report(c, DIAG_ERROR, path,
						     "host \"%s\" is both failover and async member of \"%s\"",
						     ah->name, ms->name);
			if (ah && nameindex_first(&asyncs, ms->asyncs[a].host) != a)
				check_report(c, DIAG_ERROR, path,
					     "host \"%s\" is listed twice as async of \"%s\"", ah->name,
					     ms->name);
		}
		nameindex_release(&asyncs);
		/* A host is a failover or DR member of at most one mirror. */
		for (size_t k = 0; k < ms->failover_count; k++) {
			size_t q = nameindex_first(&failover, ms->failover[k]);
			if (q == NAMEINDEX_NONE || q >= m)
				continue;
			snprintf(path, sizeof(path), "$.mirrors[%zu].failover[%zu]", m, k);
			check_report(c, DIAG_ERROR, path,
				     "host \"%s\" is already a failover member of \"%s\"",
				     ms->failover[k], cfg->mirrors[q].name);
		}
	}
	nameindex_release(&failover);
}

/* A reference to a data server: a data host or a mirror set. */
static void check_data_ref(struct checker *c, const char *name, const char *path,
			   const char *what)
{
	if (!given(name))
		return;
	if (find_mirror(c, name))
		return;
	if (find_host(c, name)) {
		check_host_ref(c, name, ROLE(HOST_ROLE_DATA), path, what);
		return;
	}
	char hint[160];
	hint_from(c, hint, sizeof(hint), name, &c->mirrors);
	if (!hint[0])
		hint_from(c, hint, sizeof(hint), name, &c->hosts);
	check_report(c, DIAG_ERROR, path, "%s \"%s\" is neither a mirror set nor a host%s", what,
		     name, hint);
}

static void check_iris_layer(struct checker *c)
{
	const struct scenario_config *cfg = &c->s->config;
	char path[256];
	for (size_t g = 0; g < cfg->ecp_count; g++) {
		const struct ecp_config *ec = &cfg->ecp[g];
		if (!usable(c, ec))
			continue;
		snprintf(path, sizeof(path), "$.ecp[%zu].data_server", g);
		check_data_ref(c, ec->data_server, path, "ECP data server");
		for (size_t q = 0; q < g; q++)
			if (given(ec->name) && given(cfg->ecp[q].name) &&
			    strcmp(ec->name, cfg->ecp[q].name) == 0) {
				snprintf(path, sizeof(path), "$.ecp[%zu].name", g);
				check_report(c, DIAG_ERROR, path, "ECP group \"%s\" is defined twice",
					     ec->name);
			}
		for (size_t i = 0; i < ec->app_server_count; i++) {
			snprintf(path, sizeof(path), "$.ecp[%zu].app_servers[%zu]", g, i);
			check_host_ref(c, ec->app_servers[i], ROLE(HOST_ROLE_APP), path,
				       "application server");
			/* One ECP data server per application server (iris.md §4: one channel per
			 * app-server/data-server pair; a transaction stays on one data server). */
			for (size_t q = 0; q <= g; q++)
				for (size_t j = 0; j < (q < g ? cfg->ecp[q].app_server_count : i); j++)
					if (given(ec->app_servers[i]) &&
					    given(cfg->ecp[q].app_servers[j]) &&
					    strcmp(ec->app_servers[i], cfg->ecp[q].app_servers[j]) == 0)
						check_report(c, DIAG_ERROR, path,
							     "application server \"%s\" is already in "
							     "ECP group \"%s\"",
							     ec->app_servers[i], cfg->ecp[q].name);
		}
	}
	/* Every application server belongs to a group: without a data server it cannot serve. */
	for (size_t h = 0; h < cfg->host_count; h++) {
		const struct host_config *hc = &cfg->hosts[h];
		if (!usable(c, hc) || hc->role != HOST_ROLE_APP || !given(hc->name))
			continue;
		bool found = false;
		for (size_t g = 0; g < cfg->ecp_count && !found; g++)
			for (size_t i = 0; i < cfg->ecp[g].app_server_count && !found; i++)
				found = given(cfg->ecp[g].app_servers[i]) &&
					strcmp(cfg->ecp[g].app_servers[i], hc->name) == 0;
		if (!found) {
			snprintf(path, sizeof(path), "$.hosts[%zu].role", h);
			check_report(c, DIAG_ERROR, path,
				     "application server \"%s\" is in no ECP group (add it to an "
				     "\"ecp\" entry's app_servers)",
				     hc->name);
		}
	}
	for (size_t i = 0; i < cfg->sharding.data_node_count; i++) {
		snprintf(path, sizeof(path), "$.sharding.data_nodes[%zu]", i);
		check_data_ref(c, cfg->sharding.data_nodes[i], path, "data node");
	}
	for (size_t i = 0; i < cfg->sharding.compute_node_count; i++) {
		snprintf(path, sizeof(path), "$.sharding.compute_nodes[%zu]", i);
		check_host_ref(c, cfg->sharding.compute_nodes[i], ROLE(HOST_ROLE_COMPUTE), path,
			       "compute node");
	}
	if (cfg->sharding.compute_node_count > 0 && cfg->sharding.data_node_count == 0)
		check_report(c, DIAG_ERROR, "$.sharding.compute_nodes",
			     "compute nodes need data nodes");
	const struct autoscaling_config *asg = &cfg->sharding.autoscaling;
	if (asg->enabled) {
		size_t pool = cfg->sharding.compute_node_count;
		if (pool == 0)
			check_report(c, DIAG_ERROR, "$.sharding.autoscaling.enabled",
				     "autoscaling needs compute nodes (\"sharding.compute_nodes\")");
		else if (asg->max_size > 0 && (size_t)asg->max_size > pool)
			check_report(c, DIAG_ERROR, "$.sharding.autoscaling.max_size",
				     "max_size %lld is more than the %zu compute nodes listed (the "
				     "pool)", (long long)asg->max_size, pool);
		else if ((size_t)asg->min_size > (asg->max_size > 0 ? (size_t)asg->max_size : pool))
			check_report(c, DIAG_ERROR, "$.sharding.autoscaling.min_size",
				     "min_size %lld is more than max_size (%zu)",
				     (long long)asg->min_size,
				     asg->max_size > 0 ? (size_t)asg->max_size : pool);
	}
	for (size_t g = 0; g < cfg->web_gateway_count; g++) {
		const struct web_gateway_config *wg = &cfg->web_gateways[g];
		if (!usable(c, wg))
			continue;
		snprintf(path, sizeof(path), "$.web_gateways[%zu].host", g);
		check_host_ref(c, wg->host, ROLE(HOST_ROLE_WEB), path, "web gateway host");
		for (size_t k = 0; k < wg->server_count; k++) {
			snprintf(path, sizeof(path), "$.web_gateways[%zu].servers[%zu]", g, k);
			if (!find_mirror(c, wg->servers[k]))
				check_host_ref(c, wg->servers[k],
					       ROLE(HOST_ROLE_DATA) | ROLE(HOST_ROLE_APP) |
						       ROLE(HOST_ROLE_COMPUTE),
					       path, "gateway server");
		}
	}
}

/* An operation that reaches IRIS over the superserver protocol (xDBC: JDBC/ODBC to port 1972,
 * iris.md §0 ports), not HTTP. */
static bool superserver_op(const struct operation_config *oc)
{
	return oc->kind == OP_SQL || oc->kind == OP_SHARDED_SQL;
}

/* Does population p draw an operation of a superserver kind? Names it in *op. */
static bool population_uses_superserver(const struct workload_config *w,
					const struct population_config *p, const char **op)
{
	for (size_t k = 0; k < w->operation_count; k++) {
		const struct operation_config *oc = &w->operations[k];
		bool in = p->operation_count == 0;
		for (size_t j = 0; !in && j < p->operation_count; j++)
			in = given(oc->name) && given(p->operations[j]) &&
			     strcmp(p->operations[j], oc->name) == 0;
		if (in && superserver_op(oc)) {
			*op = oc->name;
			return true;
		}
	}
	return false;
}

/* An ALB carries HTTP/HTTPS only (aws-2.md §2 listeners): a population whose requests reach
 * it directly or through a DNS record and that draws SQL (xDBC over the superserver port) is
 * an error; so is an ALB in front of shard compute nodes, which take only SQL. */
static void check_alb_protocols(struct checker *c)
{
	const struct scenario_config *cfg = &c->s->config;
	const struct workload_config *w = &cfg->workload;
	char path[256];
	for (size_t i = 0; i < w->population_count; i++) {
		const struct population_config *p = &w->populations[i];
		const char *op = NULL;
		if (!usable(c, p) || !given(p->entry) || !population_uses_superserver(w, p, &op))
			continue;
		const char *names[2] = {p->entry, NULL};
		size_t d = nameindex_first(&c->dns, p->entry);
		if (d != NAMEINDEX_NONE && usable(c, &cfg->dns[d])) {
			names[0] = cfg->dns[d].primary;
			names[1] = cfg->dns[d].secondary;
		}
		for (int k = 0; k < 2; k++) {
			const struct load_balancer_config *lb = given(names[k]) ? find_lb(c, names[k])
									       : NULL;
			if (!lb || lb->kind != LB_ALB)
				continue;
			snprintf(path, sizeof(path), "$.workload.populations[%zu].entry", i);
			check_report(c, DIAG_ERROR, path,
				     "population \"%s\" draws SQL operation \"%s\" (xDBC over the "
				     "superserver port, TCP) and enters through application load "
				     "balancer \"%s\", which carries only HTTP/HTTPS: use an nlb",
				     p->name, op, lb->name);
			break;
		}
	}
	for (size_t i = 0; i < cfg->load_balancer_count; i++) {
		const struct load_balancer_config *lb = &cfg->load_balancers[i];
		if (!usable(c, lb) || lb->kind != LB_ALB)
			continue;
		for (size_t t = 0; t < lb->target_count; t++) {
			const struct host_config *h = given(lb->targets[t]) ? find_host(c, lb->targets[t])
									     : NULL;
			if (!h || !usable(c, h) || h->role != HOST_ROLE_COMPUTE)
				continue;
			snprintf(path, sizeof(path), "$.load_balancers[%zu].targets[%zu]", i, t);
			check_report(c, DIAG_ERROR, path,
				     "compute node \"%s\" takes SQL over the superserver port (TCP); "
				     "application load balancer \"%s\" carries only HTTP/HTTPS: use "
				     "an nlb",
				     lb->targets[t], lb->name);
		}
	}
}

static void check_routing(struct checker *c)
{
	struct scenario_config *mcfg = &c->s->config;
	const struct scenario_config *cfg = mcfg;
	char path[256], hint[160];
	/* Settings a kind or record style does not have, then the defaults of each. */
	for (size_t i = 0; i < cfg->load_balancer_count; i++) {
		struct load_balancer_config *lb = &mcfg->load_balancers[i];
		if (!usable(c, lb))
			continue;
		if (lb->kind == LB_ALB && lb->health_check.protocol == HC_TCP) {
			snprintf(path, sizeof(path), "$.load_balancers[%zu].health_check.protocol", i);
			check_report(c, DIAG_ERROR, path,
				     "an application load balancer checks its targets over HTTP only");
		}
		if (lb->health_check.path &&
		    (lb->health_check.protocol == HC_TCP ||
		     (lb->health_check.protocol == HC_AUTO && lb->kind == LB_NLB))) {
			snprintf(path, sizeof(path), "$.load_balancers[%zu].health_check.path", i);
			check_report(c, DIAG_ERROR, path,
				     "a tcp health check (the nlb default) asks no path; set "
				     "\"protocol\": \"http\" to check a URL");
		}
		if (lb->kind == LB_CLASSIC && lb->health_check.timeout > 60 * SIM_S) {
			snprintf(path, sizeof(path), "$.load_balancers[%zu].health_check.timeout", i);
			check_report(c, DIAG_ERROR, path,
				     "a classic load balancer's health-check timeout is at most 60s");
		}
		load_balancer_apply_kind_defaults(lb);
	}
	for (size_t i = 0; i < cfg->dns_count; i++) {
		struct dns_config *d = &mcfg->dns[i];
		if (!usable(c, d))
			continue;
		if (d->style == DNS_ALIAS) {
			static const char *const own[] = {"ttl", "check_interval", "failure_threshold"};
			bool set[] = {d->ttl != 0, d->check_interval != 0, d->failure_threshold != 0};
			for (int k = 0; k < 3; k++) {
				if (!set[k])
					continue;
				snprintf(path, sizeof(path), "$.dns[%zu].%s", i, own[k]);
				check_report(c, DIAG_ERROR, path,
					     "an alias record (style alias) has no %s of its own: it "
					     "evaluates the load balancer's target health and has its "
					     "60 s TTL; use style health_check for a Route 53 health check",
					     own[k]);
			}
		}
		dns_apply_style_defaults(d);
	}
	check_alb_protocols(c);
	for (size_t i = 0; i < cfg->load_balancer_count; i++) {
		const struct load_balancer_config *lb = &cfg->load_balancers[i];
		snprintf(path, sizeof(path), "$.load_balancers[%zu].name", i);
		if (!usable(c, lb) || !given(lb->name))
			continue;
		if (nameindex_first(&c->lbs, lb->name) != i)
			check_report(c, DIAG_ERROR, path, "duplicate load balancer \"%s\"", lb->name);
		for (size_t a = 0; a < lb->az_count; a++) {
			snprintf(path, sizeof(path), "$.load_balancers[%zu].azs[%zu]", i, a);
			if (!region_of_az(c, lb->azs[a]))
				check_report(c, DIAG_ERROR, path, "unknown AZ \"%s\"%s", lb->azs[a],
					     hint_from(c, hint, sizeof(hint), lb->azs[a], &c->azs));
		}
		if (lb->kind == LB_ALB && lb->az_count < 2) {
			snprintf(path, sizeof(path), "$.load_balancers[%zu].azs", i);
			check_report(c, DIAG_WARNING, path,
				     "AWS requires an application load balancer to span at least two "
				     "AZs; \"%s\" has %zu",
				     lb->name, lb->az_count);
		}
		for (size_t t = 0; t < lb->target_count; t++) {
			snprintf(path, sizeof(path), "$.load_balancers[%zu].targets[%zu]", i, t);
			check_host_ref(c, lb->targets[t], 0, path, "target");
		}
		if (lb->health_check.timeout >= lb->health_check.interval) {
			snprintf(path, sizeof(path), "$.load_balancers[%zu].health_check.timeout", i);
			check_report(c, DIAG_ERROR, path,
				     "health-check timeout must be shorter than the interval");
		}
	}
	for (size_t i = 0; i < cfg->dns_count; i++) {
		const struct dns_config *d = &cfg->dns[i];
		snprintf(path, sizeof(path), "$.dns[%zu].primary", i);
		if (!usable(c, d) || !given(d->name) || !given(d->primary))
			continue;
		if (!find_lb(c, d->primary))
			check_report(c, DIAG_ERROR, path, "\"%s\" is not a load balancer", d->primary);
		snprintf(path, sizeof(path), "$.dns[%zu].secondary", i);
		if (d->secondary && !find_lb(c, d->secondary))
			check_report(c, DIAG_ERROR, path, "\"%s\" is not a load balancer",
				     d->secondary);
		snprintf(path, sizeof(path), "$.dns[%zu].check_interval", i);
		if (d->style == DNS_HEALTH_CHECK && d->check_interval != 10 * SIM_S &&
		    d->check_interval != 30 * SIM_S)
			check_report(c, DIAG_ERROR, path,
				     "Route 53 health checks run every 10s or 30s");
	}
}

static bool is_entry(struct checker *c, const char *name)
{
	return nameindex_has(&c->dns, name) || find_lb(c, name) || find_host(c, name);
}

/* --- expectations -------------------------------------------------------------------------- */

/* The unit of term id (a metric or a figure). */
static const char *term_unit(int id)
{
	return id < METRIC_COUNT ? metric_def((enum metric_id)id)->unit
				 : expectation_figure_unit(id - METRIC_COUNT);
}

static bool term_per_incident(int id)
{
	return id < METRIC_COUNT ? metric_def((enum metric_id)id)->scope == METRIC_INCIDENT
				 : expectation_figure_per_incident(id - METRIC_COUNT);
}

static enum metric_qualifier term_qualifier(int id)
{
	return id < METRIC_COUNT ? metric_def((enum metric_id)id)->qualifier : QUAL_NONE;
}

/* Split "a + b - c" into terms. Returns 0, or -1 with the offending word in bad. */
static int compile_terms(struct expectation_config *x, char *bad, size_t bad_size)
{
	const char *p = x->metric;
	x->term_count = 0;
	int sign = 1;
	bool need_name = true;
	while (*p) {
		if (*p == ' ') {
			p++;
		} else if (!need_name && (*p == '+' || *p == '-')) {
			sign = *p == '+' ? 1 : -1;
			need_name = true;
			p++;
		} else if (need_name) {
			size_t len = strcspn(p, " +");
			if (len == 0 || len >= bad_size || x->term_count == EXPECT_MAX_TERMS) {
				snprintf(bad, bad_size, "%.*s", (int)(len ? len : 1), p);
				return -1;
			}
			snprintf(bad, bad_size, "%.*s", (int)len, p);
			/* An expectation on incidents (kind or target given) means the incident
			 * metric where a run metric has the same name (ecp_sessions_lost). */
			int id = x->kind || x->target ? metric_find_incident(bad) : metric_find(bad);
			for (int f = 0; id < 0 && f < EXPECT_FIGURE_COUNT; f++)
				if (strcmp(bad, expectation_figure_name(f)) == 0)
					id = METRIC_COUNT + f;
			if (id < 0)
				return -1;
			x->terms[x->term_count++] = (struct expectation_term){id, sign};
			need_name = false;
			p += len;
		} else {
			snprintf(bad, bad_size, "%.1s", p);
			return -1;
		}
	}
	if (need_name) {
		snprintf(bad, bad_size, "%s", x->metric);
		return -1;
	}
	return 0;
}

/* "every", "mean", "lower_bound", "upper_bound", "p95", "p99.9". Returns 0 or -1. */
static int compile_quantifier(struct expectation_config *x)
{
	static const char *const names[] = {"every", "mean", "lower_bound", "upper_bound"};
	for (int q = 0; q < 4; q++)
		if (strcmp(x->of, names[q]) == 0) {
			x->quantifier = q;
			return 0;
		}
	double pct;
	char err[UNITS_ERR_SIZE];
	if (x->of[0] == 'p' && units_parse(UNITS_NUMBER, x->of + 1, &pct, err, sizeof(err)) == 0 &&
	    pct > 0 && pct < 100) {
		x->quantifier = EXPECT_PERCENTILE;
		x->quantile = pct / 100;
		return 0;
	}
	return -1;
}

static int unit_kind_of(const char *unit)
{
	if (strcmp(unit, "s") == 0)
		return UNITS_DURATION;
	if (strcmp(unit, "fraction") == 0)
		return UNITS_FRACTION;
	if (strcmp(unit, "1/s") == 0)
		return UNITS_RATE;
	if (strcmp(unit, "B") == 0)
		return UNITS_SIZE;
	if (strcmp(unit, "host") == 0)
		return -1;
	return UNITS_NUMBER;
}

static bool has_word(const char *const *words, size_t n, const char *w)
{
	for (size_t i = 0; i < n; i++)
		if (words[i] && strcmp(words[i], w) == 0)
			return true;
	return false;
}

/* where of a class-qualified or "class cause" metric. */
static void check_where_class(struct checker *c, const char *path, const char *where,
			      bool with_cause)
{
	const struct workload_config *w = &c->s->config.workload;
	const char **classes = calloc(w->operation_count + 1, sizeof(char *));
	for (size_t k = 0; classes && k < w->operation_count; k++)
		classes[k] = w->operations[k].name;
	size_t n = classes ? w->operation_count : 0;
	char hint[160];
	if (!with_cause) {
		if (!has_word(classes, n, where))
			check_report(c, DIAG_ERROR, path,
				     "\"%s\" is not an operation class of the workload%s", where,
				     hint_text(hint, sizeof(hint), where, classes, n));
		free(classes);
		return;
	}
	const char *causes[CAUSE_COUNT];
	for (int k = 0; k < CAUSE_COUNT; k++)
		causes[k] = svc_cause_name(k);
	const char *space = strchr(where, ' ');
	char cls[128];
	snprintf(cls, sizeof(cls), "%.*s", space ? (int)(space - where) : (int)strlen(where), where);
	bool ok = space ? has_word(classes, n, cls) && has_word(causes, CAUSE_COUNT, space + 1)
			: has_word(classes, n, where) || has_word(causes, CAUSE_COUNT, where);
	if (!ok)
		check_report(c, DIAG_ERROR, path,
			     "\"%s\" is not \"CLASS CAUSE\", an operation class or a cause of failure "
			     "(e.g. \"write timeout\", \"timeout\")",
			     where);
	free(classes);
}

/* An expectation names registered metrics (metric.h) or figures, a qualifier of the
 * scenario where the metric has one, a quantifier and a threshold in the metric's unit. The
 * compiled fields of each expectation are filled here. */
static void check_expectations(struct checker *c)
{
	struct scenario_config *cfg = &c->s->config;
	const char *names[METRIC_COUNT + EXPECT_FIGURE_COUNT];
	size_t n = 0;
	for (int i = 0; i < METRIC_COUNT; i++)
		if (metric_def((enum metric_id)i)->scope != METRIC_SERIES)
			names[n++] = metric_def((enum metric_id)i)->name;
	for (int f = 0; f < EXPECT_FIGURE_COUNT; f++)
		names[n++] = expectation_figure_name(f);
	for (size_t i = 0; i < cfg->expectation_count; i++) {
		struct expectation_config *x = &cfg->expectations[i];
		char path[96], hint[160], bad[128];
		if (!usable(c, x) || !x->metric)
			continue;
		snprintf(path, sizeof(path), "$.expectations[%zu].metric", i);
		if (compile_terms(x, bad, sizeof(bad)) < 0) {
			if (strchr(x->metric, ' ') || strchr(x->metric, '+'))
				check_report(c, DIAG_ERROR, path, "unknown metric \"%s\" in \"%s\"%s",
					     bad, x->metric, hint_text(hint, sizeof(hint), bad, names, n));
			else
				check_report(c, DIAG_ERROR, path, "unknown metric \"%s\"%s", x->metric,
					     hint_text(hint, sizeof(hint), x->metric, names, n));
			continue;
		}
		int first = x->terms[0].id;
		bool consistent = true, selects_incidents = false;
		x->per_incident = term_per_incident(first);
		for (size_t k = 0; k < x->term_count; k++) {
			int id = x->terms[k].id;
			consistent &= term_per_incident(id) == x->per_incident &&
				      strcmp(term_unit(id), term_unit(first)) == 0 &&
				      term_qualifier(id) == term_qualifier(first);
			selects_incidents |= term_per_incident(id) ||
					     id == METRIC_COUNT + EXPECT_FIGURE_INCIDENTS;
		}
		if (!consistent) {
			check_report(c, DIAG_ERROR, path, "the terms of \"%s\" must have one unit, "
				     "qualifier and scope (per run or per incident)", x->metric);
			continue;
		}
		bool host_name = strcmp(term_unit(first), "host") == 0;
		if (host_name && x->term_count > 1) {
			check_report(c, DIAG_ERROR, path, "\"%s\" names a host and cannot be added",
				     term_unit(first));
			continue;
		}
		/* where */
		snprintf(path, sizeof(path), "$.expectations[%zu].where", i);
		enum metric_qualifier q = term_qualifier(first);
		const char *unit = term_unit(first);
		bool additive = strcmp(unit, "s") != 0 && strcmp(unit, "fraction") != 0 &&
				metric_def((enum metric_id)(first < METRIC_COUNT ? first : 0))->scope !=
					METRIC_LATENCY;
		if (!x->where) {
			if ((q == QUAL_CLASS || q == QUAL_HOST || q == QUAL_VOLUME) && !additive) {
				snprintf(path, sizeof(path), "$.expectations[%zu]", i);
				check_report(c, DIAG_ERROR, path, "metric \"%s\" needs \"where\": %s",
					     x->metric,
					     q == QUAL_CLASS  ? "an operation class"
					     : q == QUAL_HOST ? "a host"
							      : "a volume (host/volume)");
			}
		} else if (q == QUAL_CLASS) {
			check_where_class(c, path, x->where, false);
		} else if (q == QUAL_CLASS_CAUSE) {
			check_where_class(c, path, x->where, true);
		} else if (q == QUAL_HOST) {
			if (!find_host(c, x->where))
				check_report(c, DIAG_ERROR, path, "\"%s\" is not a host", x->where);
		} else if (q == QUAL_VOLUME) {
			const char *slash = strchr(x->where, '/');
			char host[256];
			snprintf(host, sizeof(host), "%.*s",
				 slash ? (int)(slash - x->where) : (int)strlen(x->where), x->where);
			const struct host_config *h = find_host(c, host);
			bool found = false;
			for (size_t v = 0; h && slash && v < h->volume_count; v++)
				found |= strcmp(h->volumes[v].name, slash + 1) == 0;
			if (!found)
				check_report(c, DIAG_ERROR, path,
					     "\"%s\" is not a volume: write HOST/VOLUME", x->where);
		} else if (q == QUAL_INCIDENT) {
			check_report(c, DIAG_ERROR, path, "metric \"%s\" is per incident: select "
				     "incidents with \"kind\" and \"target\"", x->metric);
		} else {
			check_report(c, DIAG_ERROR, path, "metric \"%s\" has no qualifier; remove "
				     "\"where\"", x->metric);
		}
		/* kind, target */
		if (!selects_incidents && (x->kind || x->target)) {
			snprintf(path, sizeof(path), "$.expectations[%zu].%s", i,
				 x->kind ? "kind" : "target");
			check_report(c, DIAG_ERROR, path, "\"kind\" and \"target\" select incidents; "
				     "\"%s\" is not per incident", x->metric);
		}
		if (x->kind) {
			size_t nk = 0;
			while (fault_kind_names[nk])
				nk++;
			snprintf(path, sizeof(path), "$.expectations[%zu].kind", i);
			size_t nb = 0;
			while (backup_incident_kinds[nb])
				nb++;
			if (!has_word(fault_kind_names, nk, x->kind) &&
			    !has_word(backup_incident_kinds, nb, x->kind))
				check_report(c, DIAG_ERROR, path, "unknown fault kind \"%s\"%s", x->kind,
					     hint_text(hint, sizeof(hint), x->kind, fault_kind_names, nk));
		}
		/* The availability mode's figure stands alone (without stochastic_faults, every
		 * component fails at its class's default rate). */
		for (size_t k = 0; k < x->term_count; k++)
			if (x->terms[k].id == (int)METRIC_COUNT + EXPECT_FIGURE_ANNUAL_DOWNTIME) {
				snprintf(path, sizeof(path), "$.expectations[%zu].metric", i);
				if (x->term_count > 1)
					check_report(c, DIAG_ERROR, path,
						     "annual_downtime_s cannot be summed with other "
						     "figures");
				break;
			}
		/* of */
		snprintf(path, sizeof(path), "$.expectations[%zu].of", i);
		if (compile_quantifier(x) < 0)
			check_report(c, DIAG_ERROR, path,
				     "unknown quantifier \"%s\" (expected every, mean, lower_bound, "
				     "upper_bound or a percentile such as p95)",
				     x->of);
		/* value */
		snprintf(path, sizeof(path), "$.expectations[%zu]", i);
		if (!x->value) {
			check_report(c, DIAG_ERROR, path, "missing \"value\" (the threshold)");
			continue;
		}
		snprintf(path, sizeof(path), "$.expectations[%zu].value", i);
		x->unit_kind = unit_kind_of(unit);
		if (host_name) {
			x->quantifier = EXPECT_EVERY;
			if (x->op != EXPECT_EQ && x->op >= 0) {
				snprintf(path, sizeof(path), "$.expectations[%zu].op", i);
				check_report(c, DIAG_ERROR, path, "%s compares host names: use ==",
					     x->metric);
			} else if (x->value[0] && !find_host(c, x->value)) {
				check_report(c, DIAG_ERROR, path, "\"%s\" is not a host (\"\" for none)",
					     x->value);
			}
			continue;
		}
		char err[UNITS_ERR_SIZE];
		double v;
		unsigned flags = x->term_count > 1 ? UNITS_ALLOW_NEGATIVE : 0;
		if (x->unit_kind == UNITS_DURATION) {
			sim_time t;
			if (units_parse_duration_flags(x->value, flags, &t, err, sizeof(err)) < 0) {
				check_report(c, DIAG_ERROR, path, "%s (%s is in seconds: write e.g. "
					     "\"60s\" or \"20ms\")", err, x->metric);
				continue;
			}
			x->threshold = sim_time_to_s(t);
		} else if (units_parse_flags((enum units_kind)x->unit_kind, x->value, flags, &v, err,
					     sizeof(err)) < 0) {
			check_report(c, DIAG_ERROR, path, "%s (%s is a %s, e.g. %s)", err, x->metric,
				     units_kind_name((enum units_kind)x->unit_kind),
				     units_kind_example((enum units_kind)x->unit_kind));
			continue;
		} else {
			x->threshold = v;
		}
	}
}

/* A JSON number given as an expectation's value reads as its text: the field is a string
 * whose unit the metric decides. Numbers are turned into strings for the parse and back
 * after it (the node keeps its position; the stored scenario text is unchanged). */
static void expectation_values_as_text(cJSON *root, bool to_text)
{
	const cJSON *list = cJSON_GetObjectItemCaseSensitive(root, "expectations");
	const cJSON *x;
	cJSON_ArrayForEach(x, list)
	{
		cJSON *v = cJSON_GetObjectItemCaseSensitive(x, "value");
		if (!v)
			continue;
		if (to_text && cJSON_IsNumber(v)) {
			char buf[64];
			for (int digits = 15; digits <= 17; digits++) {
				snprintf(buf, sizeof(buf), "%.*g", digits, v->valuedouble);
				if (strtod(buf, NULL) == v->valuedouble)
					break;
			}
			char *text = strdup(buf);
			if (!text)
				continue; /* reported as a type error by the parse */
			v->type = cJSON_String;
			v->valuestring = text;
			v->valueint = -1; /* marks a converted number (cJSON strings have 0) */
		} else if (!to_text && cJSON_IsString(v) && v->valueint == -1) {
			free(v->valuestring);
			v->valuestring = NULL;
			/* as cJSON sets it: clamped, a cast out of int's range is undefined */
			v->valueint = v->valuedouble >= INT_MAX   ? INT_MAX
				      : v->valuedouble <= INT_MIN ? INT_MIN
								  : (int)v->valuedouble;
			v->type = cJSON_Number;
		}
	}
}

static void check_workload(struct checker *c)
{
	const struct scenario_config *cfg = &c->s->config;
	const struct workload_config *w = &cfg->workload;
	char path[256];
	for (size_t i = 0; i < w->population_count; i++) {
		const struct population_config *p = &w->populations[i];
		snprintf(path, sizeof(path), "$.workload.populations[%zu].region", i);
		if (!usable(c, p) || !given(p->name) || !given(p->region) || !given(p->entry))
			continue;
		if (!is_region(c, p->region))
			check_report(c, DIAG_ERROR, path, "unknown region \"%s\"", p->region);
		snprintf(path, sizeof(path), "$.workload.populations[%zu].entry", i);
		if (!is_entry(c, p->entry))
			check_report(c, DIAG_ERROR, path,
				     "entry \"%s\" is not a DNS record, load balancer or host", p->entry);
		snprintf(path, sizeof(path), "$.workload.populations[%zu]", i);
		if (p->arrival == ARRIVAL_POISSON && !(p->rate > 0))
			check_report(c, DIAG_ERROR, path, "a poisson population needs a rate above 0/s");
		if (p->arrival == ARRIVAL_PIECEWISE && p->rate_count == 0)
			check_report(c, DIAG_ERROR, path, "a piecewise population needs rates");
		if (p->arrival == ARRIVAL_CLOSED && p->clients == 0)
			check_report(c, DIAG_ERROR, path, "a closed population needs clients");
		for (size_t k = 1; k < p->rate_count; k++)
			if (usable(c, &p->rates[k]) && usable(c, &p->rates[k - 1]) &&
			    p->rates[k].at <= p->rates[k - 1].at) {
				snprintf(path, sizeof(path), "$.workload.populations[%zu].rates[%zu].at",
					 i, k);
				check_report(c, DIAG_ERROR, path, "rate steps must be in time order");
			}
	}
	if (w->population_count > 0 && w->operation_count == 0)
		check_report(c, DIAG_ERROR, "$.workload.operations",
			     "clients need an operation mix");
	double total = 0;
	bool all_usable = true;
	struct nameindex ops;
	nameindex_init(&ops);
	for (size_t i = 0; i < w->operation_count; i++)
		nameindex_add(&ops, w->operations[i].name, i);
	for (size_t i = 0; i < w->operation_count; i++) {
		if (!usable(c, &w->operations[i])) {
			all_usable = false;
			continue;
		}
		total += w->operations[i].weight;
		snprintf(path, sizeof(path), "$.workload.operations[%zu].name", i);
		if (!given(w->operations[i].name))
			continue;
		if (nameindex_first(&ops, w->operations[i].name) != i)
			check_report(c, DIAG_ERROR, path, "duplicate operation \"%s\"",
				     w->operations[i].name);
		snprintf(path, sizeof(path), "$.workload.operations[%zu].kind", i);
		const struct operation_config *oc = &w->operations[i];
		if (oc->kind == OP_SHARDED_SQL && cfg->sharding.data_node_count == 0)
			check_report(c, DIAG_ERROR, path,
				     "sharded_sql needs a sharded cluster (\"sharding\")");
		/* Keys that only a sharded query or cluster reads. */
		if (oc->kind != OP_SHARDED_SQL && rng_dist_mean(&oc->rows) != 0) {
			snprintf(path, sizeof(path), "$.workload.operations[%zu].rows", i);
			check_report(c, DIAG_ERROR, path,
				     "rows are merged only for a sharded_sql operation");
		}
		if (oc->kind != OP_SHARDED_SQL && oc->joins != 0) {
			snprintf(path, sizeof(path), "$.workload.operations[%zu].joins", i);
			check_report(c, DIAG_ERROR, path,
				     "joins between shards apply only to a sharded_sql operation");
		}
		if (oc->placement == PLACEMENT_MASTER &&
		    (cfg->sharding.data_node_count == 0 || oc->kind == OP_SHARDED_SQL)) {
			snprintf(path, sizeof(path), "$.workload.operations[%zu].placement", i);
			check_report(c, DIAG_ERROR, path,
				     oc->kind == OP_SHARDED_SQL
					     ? "a sharded_sql operation reads sharded tables"
					     : "placement \"master\" needs a sharded cluster (\"sharding\")");
		}
	}
	/* A population's operation classes exist, and it draws from at least one with weight. */
	for (size_t p = 0; p < w->population_count; p++) {
		const struct population_config *pc = &w->populations[p];
		if (!usable(c, pc))
			continue;
		double weight = 0;
		for (size_t j = 0; j < pc->operation_count; j++) {
			if (!given(pc->operations[j]))
				continue;
			size_t k = nameindex_first(&ops, pc->operations[j]);
			if (k == NAMEINDEX_NONE || k >= w->operation_count) {
				snprintf(path, sizeof(path), "$.workload.populations[%zu].operations[%zu]",
					 p, j);
				check_report(c, DIAG_ERROR, path, "\"%s\" is not an operation class",
					     pc->operations[j]);
				continue;
			}
			weight += w->operations[k].weight;
		}
		if (pc->operation_count > 0 && !(weight > 0)) {
			snprintf(path, sizeof(path), "$.workload.populations[%zu].operations", p);
			check_report(c, DIAG_ERROR, path,
				     "the population's operations have no weight to draw by");
		}
	}
	nameindex_release(&ops);
	if (w->operation_count > 0 && all_usable && !(total > 0))
		check_report(c, DIAG_ERROR, "$.workload.operations",
			     "operation weights must add up to more than 0");
}

static void check_faults(struct checker *c)
{
	const struct scenario_config *cfg = &c->s->config;
	char path[256];
	for (size_t i = 0; i < cfg->fault_count; i++) {
		const struct fault_config *f = &cfg->faults[i];
		if (!usable(c, f) || f->kind < 0)
			continue; /* unknown kind, already reported */
		snprintf(path, sizeof(path), "$.faults[%zu].target", i);
		bool needs_target = fault_kind_target[f->kind] != FAULT_TARGET_BETWEEN;
		if (needs_target && !f->target) {
			snprintf(path, sizeof(path), "$.faults[%zu]", i);
			check_report(c, DIAG_ERROR, path, "%s needs a target (%s)",
				     fault_kind_names[f->kind], fault_kind_targets[f->kind]);
			continue;
		}
		/* By what the kind's target names (its row in FAULT_KIND_MAP): a new kind needs
		 * no case here. */
		switch (fault_kind_target[f->kind]) {
		case FAULT_TARGET_HOST:
			check_host_ref(c, f->target, 0, path, "fault target");
			break;
		case FAULT_TARGET_ARBITER:
			check_host_ref(c, f->target, ROLE(HOST_ROLE_ARBITER) | ROLE(HOST_ROLE_WEB), path,
				       "fault target");
			break;
		case FAULT_TARGET_VOLUME: {
			const char *slash = strchr(f->target, '/');
			char host[256];
			snprintf(host, sizeof(host), "%.*s",
				 slash ? (int)(slash - f->target) : (int)strlen(f->target), f->target);
			const struct host_config *h = find_host(c, host);
			bool found = h && slash &&
				     nameindex_contains(&c->volumes, slash + 1,
							(size_t)(h - cfg->hosts));
			if (!found)
				check_report(c, DIAG_ERROR, path,
					     "\"%s\" is not a volume: write HOST/VOLUME, e.g. db-a/jrn_pri",
					     f->target);
			break;
		}
		case FAULT_TARGET_AZ:
			if (!region_of_az(c, f->target))
				check_report(c, DIAG_ERROR, path, "\"%s\" is not an AZ of the scenario",
					     f->target);
			break;
		case FAULT_TARGET_REGION:
			if (!is_region(c, f->target))
				check_report(c, DIAG_ERROR, path, "\"%s\" is not a region of the scenario",
					     f->target);
			break;
		case FAULT_TARGET_LB:
			if (!find_lb(c, f->target))
				check_report(c, DIAG_ERROR, path, "\"%s\" is not a load balancer",
					     f->target);
			break;
		case FAULT_TARGET_BETWEEN:
			snprintf(path, sizeof(path), "$.faults[%zu].between", i);
			if (f->between_count != 2) {
				check_report(c, DIAG_ERROR, path,
					     "a partition is between exactly two AZs or regions");
				break;
			}
			for (size_t k = 0; k < 2; k++)
				if (!region_of_az(c, f->between[k]) && !is_region(c, f->between[k])) {
					snprintf(path, sizeof(path), "$.faults[%zu].between[%zu]", i, k);
					check_report(c, DIAG_ERROR, path,
						     "\"%s\" is not an AZ or region of the scenario",
						     f->between[k]);
				}
			break;
		case FAULT_TARGET_COUNT:
			break;
		}
		/* A parameter the kind does not read (set away from its default) is an error:
		 * nothing is parsed that has no effect. */
		static const struct {
			unsigned bit;
			const char *name;
		} params[] = {{FAULT_READS_BETWEEN, "between"},
			      {FAULT_READS_DIRECTION, "direction"},
			      {FAULT_READS_LATENCY_FACTOR, "latency_factor"},
			      {FAULT_READS_IOPS_FACTOR, "iops_factor"},
			      {FAULT_READS_PROBABILITY, "probability"},
			      {FAULT_READS_LOSS, "loss"}};
		bool set[] = {f->between_count > 0, f->direction != PARTITION_BOTH,
			      f->latency_factor != 10, f->iops_factor != 1, f->probability != 1,
			      f->loss != 0};
		for (size_t k = 0; k < sizeof(params) / sizeof(params[0]); k++)
			if (set[k] && !(fault_kind_reads[f->kind] & params[k].bit)) {
				snprintf(path, sizeof(path), "$.faults[%zu].%s", i, params[k].name);
				check_report(c, DIAG_ERROR, path, "%s does not read %s",
					     fault_kind_names[f->kind], params[k].name);
			}
		/* When a fault falls outside the measured period: a warning naming it (the run
		 * goes on; a warning never changes the exit code). */
		char name[300], at[UNITS_FORMAT_SIZE], w[UNITS_FORMAT_SIZE], d[UNITS_FORMAT_SIZE];
		if (f->kind == FAULT_PARTITION && f->between_count == 2)
			snprintf(name, sizeof(name), "partition %s|%s", f->between[0], f->between[1]);
		else
			snprintf(name, sizeof(name), "%s %s", fault_kind_names[f->kind],
				 f->target ? f->target : "");
		units_format_duration(f->at, at, sizeof(at));
		units_format_duration(cfg->warmup, w, sizeof(w));
		units_format_duration(cfg->duration, d, sizeof(d));
		snprintf(path, sizeof(path), "$.faults[%zu].at", i);
		if (f->at >= cfg->warmup + cfg->duration)
			check_report(c, DIAG_WARNING, path,
				     "fault \"%s\" starts at %s, after the end of the run (warmup %s + "
				     "duration %s%s): it never happens",
				     name, at, w, d,
				     c->run_options ? ", with --duration or --warmup" : "");
		else if (f->at < cfg->warmup)
			check_report(c, DIAG_WARNING, path,
				     "fault \"%s\" starts at %s, inside the warm-up (%s%s): the "
				     "measured period misses its start, so throughput, latency and "
				     "availability do not see all of it",
				     name, at, w, c->run_options ? ", with --duration or --warmup" : "");
	}
}

/* Simulated time: each duration is at most the field cap, and so is their sum, so that
 * no time computed from them (warm-up + duration + a fault's start and length) comes near
 * int64 overflow. --duration and --warmup arrive here as overrides, like --set. */
static bool name_listed(const char *const *names, const char *name)
{
	for (size_t i = 0; names[i]; i++)
		if (strcmp(names[i], name) == 0)
			return true;
	return false;
}

/* Stochastic classes: aiming lists name roles, hosts and purposes that exist, only where
 * the class has them; an absent mtbf or mttr takes the class's sourced default. */
static void check_backups(struct checker *c)
{
	const struct scenario_config *cfg = &c->s->config;
	char path[256];
	for (size_t i = 0; i < cfg->backup_count; i++) {
		const struct backup_config *b = &cfg->backups[i];
		if (!usable(c, b))
			continue;
		snprintf(path, sizeof(path), "$.backups[%zu].host", i);
		check_host_ref(c, b->host, ROLE(HOST_ROLE_DATA), path, "backup host");
	}
}

static void check_stochastic_faults(struct checker *c)
{
	struct scenario_config *cfg = &c->s->config;
	char path[256], hint[160];
	for (size_t i = 0; i < cfg->stochastic_fault_count; i++) {
		struct stochastic_fault_config *sf = &cfg->stochastic_faults[i];
		if (!usable(c, sf) || sf->class_ < 0)
			continue;
		bool hostly = sf->class_ == FAULT_CLASS_HOST || sf->class_ == FAULT_CLASS_VOLUME;
		for (size_t k = 0; k < sf->role_count; k++) {
			snprintf(path, sizeof(path), "$.stochastic_faults[%zu].roles[%zu]", i, k);
			if (!hostly)
				check_report(c, DIAG_ERROR, path, "class %s cannot be aimed by role",
					     fault_class_names[sf->class_]);
			else if (!name_listed(host_role_names, sf->roles[k]))
				check_report(c, DIAG_ERROR, path, "\"%s\" is not a host role%s",
					     sf->roles[k],
					     hint_text(hint, sizeof(hint), sf->roles[k],
						       host_role_names, HOST_ROLE_COUNT));
		}
		for (size_t k = 0; k < sf->host_count; k++) {
			snprintf(path, sizeof(path), "$.stochastic_faults[%zu].hosts[%zu]", i, k);
			if (!hostly)
				check_report(c, DIAG_ERROR, path, "class %s cannot be aimed at hosts",
					     fault_class_names[sf->class_]);
			else
				check_host_ref(c, sf->hosts[k], 0, path, "aimed host");
		}
		for (size_t k = 0; k < sf->purpose_count; k++) {
			snprintf(path, sizeof(path), "$.stochastic_faults[%zu].purposes[%zu]", i, k);
			if (sf->class_ != FAULT_CLASS_VOLUME)
				check_report(c, DIAG_ERROR, path, "only a volume class has purposes");
			else if (!name_listed(volume_purpose_names, sf->purposes[k]))
				check_report(c, DIAG_ERROR, path, "\"%s\" is not a volume purpose%s",
					     sf->purposes[k],
					     hint_text(hint, sizeof(hint), sf->purposes[k],
						       volume_purpose_names, 6));
		}
		/* Absent (the loader's deterministic 0): the class's default. */
		struct rng_dist *d[2] = {&sf->mtbf, &sf->mttr};
		const double *def_h[2] = {fault_class_default_mtbf_h, fault_class_default_mttr_h};
		for (int k = 0; k < 2; k++)
			if (d[k]->kind == RNG_DIST_DETERMINISTIC && d[k]->u.deterministic.value == 0) {
				rng_dist_release(d[k]);
				rng_dist_init_exponential(d[k], def_h[k][sf->class_] * 3600.0);
				*(k == 0 ? &sf->mtbf_default : &sf->mttr_default) = true;
			}
	}
}

/* Crews repair hosts or volumes, one pool per class (and scope). */
static void check_crews(struct checker *c)
{
	const struct availability_config *a = &c->s->config.availability;
	char path[256];
	for (size_t i = 0; i < a->crew_count; i++) {
		const struct crew_config *cr = &a->crews[i];
		if (!usable(c, cr) || cr->class_ < 0)
			continue;
		snprintf(path, sizeof(path), "$.availability.crews[%zu].class", i);
		if (cr->class_ != FAULT_CLASS_HOST && cr->class_ != FAULT_CLASS_VOLUME)
			check_report(c, DIAG_ERROR, path,
				     "crews repair hosts or volumes; %s outages end by themselves",
				     fault_class_names[cr->class_]);
		for (size_t k = 0; k < i; k++)
			if (a->crews[k].class_ == cr->class_)
				check_report(c, DIAG_ERROR, path, "a second crew pool for %s",
					     fault_class_names[cr->class_]);
	}
}

/* Time-of-day strata: distinct names, positive shares summing to 1. */
static void check_strata(struct checker *c)
{
	const struct availability_config *a = &c->s->config.availability;
	char path[256];
	double sum = 0;
	bool usable_all = true;
	for (size_t i = 0; i < a->stratum_count; i++) {
		const struct stratum_config *st = &a->strata[i];
		if (!usable(c, st) || !st->name) {
			usable_all = false;
			continue;
		}
		sum += st->share;
		if (!(st->share > 0)) {
			snprintf(path, sizeof(path), "$.availability.strata[%zu].share", i);
			check_report(c, DIAG_ERROR, path, "a stratum lasts a positive share of the day");
		}
		for (size_t k = 0; k < i; k++)
			if (a->strata[k].name && strcmp(a->strata[k].name, st->name) == 0) {
				snprintf(path, sizeof(path), "$.availability.strata[%zu].name", i);
				check_report(c, DIAG_ERROR, path, "a second stratum named \"%s\"",
					     st->name);
			}
	}
	if (a->stratum_count > 0 && usable_all && fabs(sum - 1.0) > 1e-9)
		check_report(c, DIAG_ERROR, "$.availability.strata",
			     "the strata's shares sum to %.6g, not 1 (they lay out each day)", sum);
}

static void check_run_time(struct checker *c)
{
	const struct scenario_config *cfg = &c->s->config;
	if (cfg->warmup > FIELD_DURATION_CAP_NS - cfg->duration) {
		char w[UNITS_FORMAT_SIZE], d[UNITS_FORMAT_SIZE];
		units_format_duration(cfg->warmup, w, sizeof(w));
		units_format_duration(cfg->duration, d, sizeof(d));
		check_report(c, DIAG_ERROR, "$.duration",
			     "warmup (%s) plus duration (%s) must not exceed %s%s", w, d,
			     FIELD_DURATION_CAP_TEXT,
			     c->run_options ? " (with --duration or --warmup)" : "");
	}
}

/* --- loading --------------------------------------------------------------------------------- */

int scenario_load(struct scenario *s, const char *path, const char *const *sets, size_t n_sets,
		  const char *catalog_dir, struct diag *diag)
{
	struct scenario_override *overrides = n_sets ? calloc(n_sets, sizeof(*overrides)) : NULL;
	if (n_sets && !overrides) {
		memset(s, 0, sizeof(*s));
		return -ENOMEM;
	}
	for (size_t i = 0; i < n_sets; i++)
		overrides[i].assignment = sets[i];
	struct scenario_load_opts o = {.overrides = overrides, .override_count = n_sets,
				       .catalog_dir = catalog_dir};
	int rc = scenario_load_with(s, path, &o, diag);
	free(overrides);
	return rc;
}

/* A run option (--duration, --warmup) that replaces a duration of the root table: parsed
 * by that field's own rules (unit, bounds, cap), errors reported at file `source`. */
static void apply_run_option(struct scenario *s, const char *key, const char *text,
			     const char *source, struct jsondoc *doc, struct diag *diag)
{
	const struct field *f = field_find(&scenario_config_table, key);
	size_t len = strlen(key) + strlen(text) + 2;
	char *assignment = malloc(len);
	cJSON *obj = cJSON_CreateObject();
	if (!f || !assignment || !obj) {
		diag_report(diag, DIAG_ERROR, source, 0, 0, NULL, "out of memory");
		goto out_free;
	}
	snprintf(assignment, len, "%s=%s", key, text);
	if (jsondoc_apply_set_as(doc, obj, assignment, source, diag) < 0)
		goto out_free;
	/* A table of this one field over the whole config struct: parse into a scratch config,
	 * then copy the one member. */
	struct field one[1] = {*f};
	struct field_table t = {scenario_config_table.name, NULL, sizeof(struct scenario_config),
				one, 1};
	struct scenario_config scratch;
	struct field_ctx ctx = {.diag = diag, .locate = jsondoc_locate, .locate_arg = doc,
				.file = source};
	if (field_parse(&t, obj, &scratch, &ctx, "$") == 0)
		memcpy((char *)&s->config + f->offset, (char *)&scratch + f->offset,
		       sizeof(sim_time));
	field_release(&t, &scratch);
out_free:
	cJSON_Delete(obj);
	free(assignment);
}

int scenario_load_with(struct scenario *s, const char *path, const struct scenario_load_opts *o,
		       struct diag *diag)
{
	memset(s, 0, sizeof(*s));
	catalog_init(&s->catalog);
	field_defaults(&scenario_config_table, &s->config);
	if (!(s->file = strdup(path)))
		return -ENOMEM;
	struct jsondoc doc;
	jsondoc_init(&doc);
	doc.include_root = o->include_root;
	struct failed_set failed = {0};
	int rc = -EINVAL;

	const char *catalog_dir = o->catalog_dir ? o->catalog_dir : catalog_default_dir();
	if (!(s->catalog_dir = strdup(catalog_dir ? catalog_dir : ""))) {
		rc = -ENOMEM;
		goto out_release_doc;
	}
	if (catalog_load(&s->catalog, catalog_dir, &doc, diag) < 0)
		goto out_release_doc;
	cJSON *root = o->text ? jsondoc_parse(&doc, path, o->text, strlen(o->text), diag)
			      : jsondoc_load_with_includes(&doc, path, diag);
	if (!root)
		goto out_release_doc;
	for (size_t i = 0; i < o->override_count; i++)
		jsondoc_apply_set_as(&doc, root, o->overrides[i].assignment, o->overrides[i].source,
				     diag);
	if (diag_error_count(diag))
		goto out_delete_root;

	cJSON *catalog = cJSON_DetachItemFromObjectCaseSensitive(root, "catalog");
	if (catalog) {
		catalog_apply_overrides(&s->catalog, catalog, &doc, diag);
		/* Keep it in the stored scenario text. */
		cJSON_AddItemToObject(root, "catalog", catalog);
	}
	struct field_ctx ctx = {.diag = diag, .locate = jsondoc_locate, .locate_arg = &doc,
				.file = path, .failed = failed_set_add, .failed_arg = &failed};
	field_release(&scenario_config_table, &s->config);
	cJSON *stored_catalog = cJSON_DetachItemFromObjectCaseSensitive(root, "catalog");
	expectation_values_as_text(root, true);
	field_parse(&scenario_config_table, root, &s->config, &ctx, "$");
	expectation_values_as_text(root, false);
	if (stored_catalog)
		cJSON_AddItemToObject(root, "catalog", stored_catalog);
	s->merged_json = cJSON_Print(root);
	if (o->duration)
		apply_run_option(s, "duration", o->duration, "--duration", &doc, diag);
	if (o->warmup)
		apply_run_option(s, "warmup", o->warmup, "--warmup", &doc, diag);

	struct checker c;
	if (checker_init(&c, s, root, &doc, diag, &failed) < 0) {
		checker_release(&c);
		rc = -ENOMEM;
		goto out_delete_root;
	}
	c.run_options = o->duration || o->warmup;
	check_run_time(&c);
	check_regions_and_hosts(&c);
	check_mirrors(&c);
	check_iris_layer(&c);
	check_routing(&c);
	check_workload(&c);
	check_faults(&c);
	check_backups(&c);
	check_stochastic_faults(&c);
	check_crews(&c);
	check_strata(&c);
	check_expectations(&c);
	checker_release(&c);
	rc = diag_error_count(diag) ? -EINVAL : 0;
	if (!s->merged_json && rc == 0)
		rc = -ENOMEM;

out_delete_root:
	cJSON_Delete(root);
out_release_doc:
	free(failed.items);
	jsondoc_release(&doc);
	return rc;
}

struct expectations_file {
	struct expectation_config *expectations;
	size_t expectation_count;
};

static const struct field expectations_file_fields[] = {
	{FIELD_LIST_AT(struct expectations_file, expectations, expectation_count),
	 .type = FIELD_ARRAY, .sub = &expectation_config_table, .flags = FIELD_REQUIRED,
	 .help = "bounds checked by `topsim run` and `topsim check`"},
};
static const struct field_table expectations_file_table =
	FIELD_TABLE_OF("expectations file", "Expectations kept apart from a scenario.",
		       struct expectations_file, expectations_file_fields);

int scenario_load_expectations(struct scenario *s, const char *path, struct diag *diag)
{
	struct jsondoc doc;
	jsondoc_init(&doc);
	int rc = -EINVAL;
	cJSON *root = jsondoc_load_file(&doc, path, diag);
	if (!root)
		goto out_release_doc;
	if (!cJSON_IsObject(root)) {
		diag_report(diag, DIAG_ERROR, path, 1, 1, "$",
			    "an expectations file is an object: {\"expectations\": [...]}");
		goto out_delete_root;
	}
	struct expectations_file f = {0};
	struct failed_set failed = {0};
	struct field_ctx ctx = {.diag = diag, .locate = jsondoc_locate, .locate_arg = &doc,
				.file = path, .failed = failed_set_add, .failed_arg = &failed};
	expectation_values_as_text(root, true);
	field_parse(&expectations_file_table, root, &f, &ctx, "$");
	expectation_values_as_text(root, false);
	struct expectations_file old = {s->config.expectations, s->config.expectation_count};
	field_release(&expectations_file_table, &old);
	s->config.expectations = f.expectations;
	s->config.expectation_count = f.expectation_count;
	struct checker c;
	if (checker_init(&c, s, root, &doc, diag, &failed) < 0) {
		rc = -ENOMEM;
	} else {
		check_expectations(&c);
		rc = diag_error_count(diag) ? -EINVAL : 0;
	}
	checker_release(&c);
	free(failed.items);
out_delete_root:
	cJSON_Delete(root);
out_release_doc:
	jsondoc_release(&doc);
	return rc;
}

void scenario_release(struct scenario *s)
{
	if (!s)
		return;
	field_release(&scenario_config_table, &s->config);
	catalog_release(&s->catalog);
	free(s->file);
	free(s->merged_json);
	free(s->catalog_dir);
	memset(s, 0, sizeof(*s));
}

double scenario_hourly_cost(const struct scenario *s, size_t *unpriced)
{
	double sum = 0;
	*unpriced = 0;
	for (size_t i = 0; i < s->config.host_count; i++) {
		const struct catalog_instance *it =
			catalog_instance(&s->catalog, s->config.hosts[i].instance_type);
		if (!it || isnan(it->price_per_hour))
			(*unpriced)++;
		else
			sum += it->price_per_hour;
	}
	return sum;
}

/* The region of AZ `az`, or NULL. */
static const char *cost_region_of(const struct scenario_config *c, const char *az)
{
	for (size_t r = 0; az && r < c->region_count; r++)
		for (size_t a = 0; a < c->regions[r].az_count; a++)
			if (strcmp(c->regions[r].azs[a], az) == 0)
				return c->regions[r].name;
	return NULL;
}

void scenario_cost(const struct scenario *s, struct scenario_cost *out)
{
	const struct scenario_config *c = &s->config;
	const struct catalog *cat = &s->catalog;
	memset(out, 0, sizeof(*out));
	out->instances = scenario_hourly_cost(s, &out->unpriced);
	for (size_t i = 0; i < c->host_count; i++) {
		const struct host_config *h = &c->hosts[i];
		const char *region = cost_region_of(c, h->az);
		if (region && strcmp(region, cat->prices.region) != 0)
			out->other_region = true;
		for (size_t v = 0; v < h->volume_count; v++) {
			const struct volume_config *vc = &h->volumes[v];
			double one = catalog_volume_hourly(cat, catalog_volume(cat, vc->type), vc->size,
							   vc->iops, vc->throughput);
			if (isnan(one))
				out->unpriced++;
			else
				out->volumes += one * (double)(vc->stripe_count > 0 ? vc->stripe_count : 1);
		}
	}
	for (size_t i = 0; i < c->load_balancer_count; i++) {
		const struct load_balancer_config *lb = &c->load_balancers[i];
		double one = lb->kind >= 0 && lb->kind < CATALOG_LB_KINDS
				     ? cat->prices.lb_per_hour[lb->kind]
				     : NAN;
		if (isnan(one))
			out->unpriced++;
		else
			out->load_balancers += one;
		const char *region = lb->az_count ? cost_region_of(c, lb->azs[0]) : NULL;
		if (region && strcmp(region, cat->prices.region) != 0)
			out->other_region = true;
	}
}
