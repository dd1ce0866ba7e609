/* cmd_scenario.c: topsim validate, show, schema and catalog: the commands that read
 * scenarios and the catalog without simulating. */
#include "cmd_scenario.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gsl/gsl_errno.h>

#include "cli.h"
#include "datadir.h"
#include "field_json.h"
#include "units.h"

int cmd_scenario_add_set(struct cmd_scenario_opts *o, const char *assignment)
{
	const char **grown = realloc(o->sets, sizeof(*grown) * (o->set_count + 1));
	if (!grown)
		return -ENOMEM;
	o->sets = grown;
	o->sets[o->set_count++] = assignment;
	return 0;
}

void cmd_scenario_opts_release(struct cmd_scenario_opts *o)
{
	free(o->sets);
	memset(o, 0, sizeof(*o));
}

/* real (a resolved path) lies under dir. */
static bool path_under(const char *real, const char *dir)
{
	size_t n = strlen(dir);
	return (n == 1 && dir[0] == '/') || (strncmp(real, dir, n) == 0 && real[n] == '/');
}

/* The default include root: the current directory when file lies under it (the usual
 * `topsim run scenarios/drills/x.json` from a checkout, whose drills include
 * ../production.json), else the scenarios installed with topsim when file is one of them
 * (BIN/../share/topsim/scenarios, datadir.h), else file's own directory. Writes it to buf. */
static void default_include_root(const char *file, char *buf, size_t size)
{
	char cwd[PATH_MAX], real[PATH_MAX], shipped[PATH_MAX], shipped_real[PATH_MAX];
	if (getcwd(cwd, sizeof(cwd)) && realpath(file, real)) {
		if (path_under(real, cwd)) {
			snprintf(buf, size, "%s", cwd);
			return;
		}
		/* The scenarios installed with topsim (a drill includes ../production.json). */
		datadir_find(NULL, "scenarios", shipped, sizeof(shipped));
		if (realpath(shipped, shipped_real) && path_under(real, shipped_real)) {
			snprintf(buf, size, "%s", shipped_real);
			return;
		}
	}
	const char *slash = strrchr(file, '/');
	if (!slash)
		snprintf(buf, size, ".");
	else if (slash == file)
		snprintf(buf, size, "/");
	else
		snprintf(buf, size, "%.*s", (int)(slash - file), file);
}

int cmd_scenario_load(struct scenario *s, const char *file, const struct cmd_scenario_opts *o)
{
	struct diag diag;
	diag_init(&diag);
	struct scenario_override *overrides =
		calloc(o->set_count + 1, sizeof(*overrides));
	if (!overrides) {
		memset(s, 0, sizeof(*s));
		fprintf(stderr, "topsim: out of memory loading \"%s\"\n", file);
		return CLI_EXIT_INTERNAL;
	}
	for (size_t i = 0; i < o->set_count; i++)
		overrides[i].assignment = o->sets[i];
	char root[PATH_MAX];
	if (o->include_root)
		snprintf(root, sizeof(root), "%s", o->include_root);
	else
		default_include_root(file, root, sizeof(root));
	struct scenario_load_opts lo = {
		.overrides = overrides,
		.override_count = o->set_count,
		.catalog_dir = o->catalog_dir,
		.include_root = root,
		.duration = o->duration,
		.warmup = o->warmup,
	};
	int rc = scenario_load_with(s, file, &lo, &diag);
	free(overrides);
	if (!o->errors_only || diag_error_count(&diag) > 0)
		diag_print(&diag, stderr);
	diag_release(&diag);
	if (rc == -ENOMEM) {
		fprintf(stderr, "topsim: out of memory loading \"%s\"\n", file);
		return CLI_EXIT_INTERNAL;
	}
	return rc < 0 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
}

/* Options common to validate and show. Returns -1 to go on, else an exit code. */
static int parse_scenario_opts(int argc, char **argv, struct cmd_scenario_opts *o,
			       const char *usage)
{
	static const struct option opts[] = {
		{"set", required_argument, NULL, 's'},
		{"catalog-dir", required_argument, NULL, 'c'},
		{"include-root", required_argument, NULL, 'I'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int ch;
	while ((ch = getopt_long(argc, argv, "hs:", opts, NULL)) != -1) {
		switch (ch) {
		case 's':
			if (cmd_scenario_add_set(o, optarg) < 0)
				return CLI_EXIT_INTERNAL;
			break;
		case 'c':
			o->catalog_dir = optarg;
			break;
		case 'I':
			o->include_root = optarg;
			break;
		case 'h':
			fputs(usage, stdout);
			return CLI_EXIT_OK;
		default:
			fputs(usage, stderr);
			return CLI_EXIT_USAGE;
		}
	}
	return -1;
}

/* --- validate -------------------------------------------------------------------------------- */

const char cmd_validate_usage[] =
	"usage: topsim validate [--set PATH=VALUE]... [--catalog-dir DIR] [--include-root DIR]\n"
	"                       FILE...\n"
	"Check scenario files without running them: syntax, unknown keys, types, units,\n"
	"bounds, references and impossible topologies. Every problem is reported with its\n"
	"file:line:col and JSON path. Exit 0 when all files are valid (warnings allowed),\n"
	"2 when any has an error. Includes must stay under the include root (--include-root).\n"
	SCENARIO_OPTIONS_HELP;

int cmd_validate(int argc, char **argv)
{
	struct cmd_scenario_opts o = {0};
	int rc = parse_scenario_opts(argc, argv, &o, cmd_validate_usage);
	if (rc >= 0)
		goto out;
	if (optind >= argc) {
		rc = cli_usage_error("validate", "no scenario file given");
		goto out;
	}
	rc = CLI_EXIT_OK;
	for (int i = optind; i < argc; i++) {
		struct scenario s;
		int one = cmd_scenario_load(&s, argv[i], &o);
		if (one == CLI_EXIT_OK)
			printf("%s: ok (%zu hosts)\n", argv[i], s.config.host_count);
		else if (one > rc)
			rc = one;
		scenario_release(&s);
	}
out:
	cmd_scenario_opts_release(&o);
	return rc;
}

/* --- show ------------------------------------------------------------------------------------ */

const char cmd_show_usage[] =
	"usage: topsim show [--set PATH=VALUE]... [--catalog-dir DIR] [--include-root DIR] FILE\n"
	"Build the scenario's topology and print it as a tree (region, AZ, host with its\n"
	"instance type and IRIS roles, volumes), with the hourly on-demand cost.\n" SCENARIO_OPTIONS_HELP;

/* The IRIS roles of a host, e.g. "mirror MIRROR1 failover (initial primary)". */
static void iris_roles(const struct scenario_config *cfg, const char *host, char *buf,
		       size_t size)
{
	size_t used = 0;
	buf[0] = '\0';
#define ADD(...)                                                                   \
	do {                                                                       \
		if (used < size)                                                   \
			used += (size_t)snprintf(buf + used, size - used, __VA_ARGS__); \
	} while (0)
	for (size_t m = 0; m < cfg->mirror_count; m++) {
		const struct mirror_set_config *ms = &cfg->mirrors[m];
		for (size_t k = 0; k < ms->failover_count; k++)
			if (strcmp(ms->failover[k], host) == 0)
				ADD("; %s failover%s", ms->name, k == 0 ? " (initial primary)" : "");
		if (ms->arbiter && strcmp(ms->arbiter, host) == 0)
			ADD("; %s arbiter", ms->name);
		for (size_t a = 0; a < ms->async_count; a++)
			if (strcmp(ms->asyncs[a].host, host) == 0)
				ADD("; %s %s async", ms->name, mirror_async_kind_names[ms->asyncs[a].kind]);
	}
	for (size_t g = 0; g < cfg->ecp_count; g++) {
		const struct ecp_config *ec = &cfg->ecp[g];
		for (size_t i = 0; i < ec->app_server_count; i++)
			if (strcmp(ec->app_servers[i], host) == 0)
				ADD("; ECP app server of %s (group %s)", ec->data_server, ec->name);
		if (ec->app_server_count && strcmp(ec->data_server, host) == 0)
			ADD("; ECP data server of group %s", ec->name);
	}
	for (size_t i = 0; i < cfg->sharding.data_node_count; i++)
		if (strcmp(cfg->sharding.data_nodes[i], host) == 0)
			ADD("; shard data node %zu", i + 1);
	for (size_t i = 0; i < cfg->sharding.compute_node_count; i++)
		if (strcmp(cfg->sharding.compute_nodes[i], host) == 0)
			ADD("; shard compute node");
	for (size_t g = 0; g < cfg->web_gateway_count; g++)
		if (strcmp(cfg->web_gateways[g].host, host) == 0)
			ADD("; web gateway %s", cfg->web_gateways[g].name);
	for (size_t l = 0; l < cfg->load_balancer_count; l++)
		for (size_t t = 0; t < cfg->load_balancers[l].target_count; t++)
			if (strcmp(cfg->load_balancers[l].targets[t], host) == 0)
				ADD("; target of %s", cfg->load_balancers[l].name);
#undef ADD
}

static void print_node(const struct scenario *s, const struct topo_node *n, int depth)
{
	const struct scenario_config *cfg = &s->config;
	char a[UNITS_FORMAT_SIZE], b[UNITS_FORMAT_SIZE], c[UNITS_FORMAT_SIZE];
	/* Stripe members after the first are summarised on the first. */
	if (n->kind == TOPO_VOLUME && ((const struct volume_config *)n->config)->stripe_count > 1 &&
	    !strstr(n->name, "#0"))
		return;
	printf("%*s", depth * 2, "");
	switch (n->kind) {
	case TOPO_REGION:
		printf("region %s\n", n->name);
		break;
	case TOPO_AZ:
		printf("az %s\n", n->name);
		break;
	case TOPO_HOST: {
		const struct host_config *h = n->config;
		const struct catalog_instance *it = catalog_instance(&s->catalog, h->instance_type);
		char roles[1024], price[32];
		iris_roles(cfg, h->name, roles, sizeof(roles));
		if (it && !isnan(it->price_per_hour))
			snprintf(price, sizeof(price), "$%.3f/h%s", it->price_per_hour,
				 it->price_confirmed ? "" : "?");
		else
			snprintf(price, sizeof(price), "price unknown");
		printf("host %s  %s (%lld vCPU, %s)  role %s  %s%s%s\n", h->name, h->instance_type,
		       it ? (long long)it->vcpu : 0LL, it ? (units_format(UNITS_SIZE, it->memory, a, sizeof(a)), a) : "?",
		       host_role_names[h->role], price, roles[0] ? "  " : "", roles[0] ? roles + 2 : "");
		break;
	}
	case TOPO_VOLUME: {
		const struct volume_config *v = n->config;
		units_format(UNITS_SIZE, v->size, a, sizeof(a));
		printf("volume %s  %s %s %s", v->name, v->type, a,
		       volume_purpose_names[v->purpose]);
		if (v->iops > 0)
			printf(" %s", (units_format(UNITS_IOPS, v->iops, b, sizeof(b)), b));
		if (v->throughput > 0)
			printf(" %s", (units_format(UNITS_BANDWIDTH, v->throughput, c, sizeof(c)), c));
		if (v->stripe_count > 1)
			printf("  (LVM stripe of %lld, PE %s)", (long long)v->stripe_count,
			       (units_format(UNITS_SIZE, v->pe_size, b, sizeof(b)), b));
		printf("\n");
		break;
	}
	}
	for (size_t i = 0; i < n->child_count; i++)
		print_node(s, n->children[i], depth + 1);
}

int cmd_show(int argc, char **argv)
{
	struct cmd_scenario_opts o = {0};
	int rc = parse_scenario_opts(argc, argv, &o, cmd_show_usage);
	if (rc >= 0)
		goto out;
	if (optind != argc - 1) {
		rc = cli_usage_error("show", "expected exactly one scenario file");
		goto out;
	}
	struct scenario s;
	rc = cmd_scenario_load(&s, argv[optind], &o);
	if (rc != CLI_EXIT_OK) {
		scenario_release(&s);
		goto out;
	}
	struct sim_engine *e = sim_engine_new((uint64_t)s.config.seed, 0);
	struct topology t;
	if (!e || topology_build(&t, e, s.config.regions, s.config.region_count, s.config.hosts,
				 s.config.host_count) < 0) {
		fprintf(stderr, "topsim show: cannot build the topology: %s\n",
			e ? sim_engine_error_message(e) : "out of memory");
		rc = CLI_EXIT_INTERNAL;
	} else {
		printf("scenario %s\n", s.config.name);
		for (size_t i = 0; i < t.node_count; i++)
			if (t.nodes[i]->kind == TOPO_REGION)
				print_node(&s, t.nodes[i], 1);
		size_t unpriced = 0;
		double cost = scenario_hourly_cost(&s, &unpriced);
		printf("%zu regions, %zu AZs, %zu hosts, %zu EBS volumes, %zu entities\n",
		       t.counts[TOPO_REGION], t.counts[TOPO_AZ], t.counts[TOPO_HOST],
		       t.counts[TOPO_VOLUME], sim_entity_count(e));
		printf("hourly cost of instances: $%.3f on demand (us-east-1 Linux)", cost);
		if (unpriced)
			printf(", not counting %zu host%s without a sourced price", unpriced,
			       unpriced == 1 ? "" : "s");
		printf("; '?' marks unconfirmed prices (docs/catalog.md)\n");
		topology_release(&t);
	}
	sim_engine_free(e);
	scenario_release(&s);
out:
	cmd_scenario_opts_release(&o);
	return rc;
}

/* --- schema ------------------------------------------------------------------------------------ */

const char cmd_schema_usage[] =
	"usage: topsim schema [--json | --paths]\n"
	"Print the scenario reference generated from the models' field tables: Markdown\n"
	"(docs/scenario-reference.md, the manual page topsim-scenario(5)), or with --json a\n"
	"JSON Schema (draft 2020-12) for editors; a file with \"include\" is checked as an\n"
	"overlay, whose required keys may come from the files it includes.\n"
	"Options:\n"
	"      --json            the JSON Schema instead of Markdown\n"
	"      --paths           every field path --set can assign, one a line (hosts[0].az:\n"
	"                        0 stands for any index or name), for shell completion\n";

int cmd_schema(int argc, char **argv)
{
	static const struct option opts[] = {
		{"json", no_argument, NULL, 'j'},
		{"paths", no_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	bool json = false, paths = false;
	int ch;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'j':
			json = true;
			break;
		case 'p':
			paths = true;
			break;
		case 'h':
			fputs(cmd_schema_usage, stdout);
			return CLI_EXIT_OK;
		default:
			fputs(cmd_schema_usage, stderr);
			return CLI_EXIT_USAGE;
		}
	}
	if (optind != argc)
		return cli_usage_error("schema", "unexpected argument \"%s\"", argv[optind]);
	if (json && paths)
		return cli_usage_error("schema", "--json and --paths exclude each other");
	if (paths) {
		field_schema_paths(&scenario_config_table, stdout);
		return CLI_EXIT_OK;
	}
	if (json) {
		cJSON *schema = scenario_schema_json();
		char *text = schema ? cJSON_Print(schema) : NULL;
		cJSON_Delete(schema);
		if (!text)
			return CLI_EXIT_INTERNAL;
		printf("%s\n", text);
		cJSON_free(text);
		return CLI_EXIT_OK;
	}
	printf("# Scenario reference\n\n"
	       "Generated by `topsim schema` from the models' field tables; do not edit by hand\n"
	       "(a test keeps this file in sync). The user guide is docs/scenario-format.md.\n"
	       "Quantities are strings with units: durations `8s`, `250ms`, `1h30m`; sizes "
	       "`100GB`, `4MiB`; rates `3000/s`; bandwidth `10Gbps`, `125MiB/s`; IOPS "
	       "`3000IOPS`; fractions `0.95` or `95%%`.\n\n");
	field_schema_markdown(&scenario_config_table, stdout);
	return CLI_EXIT_OK;
}

/* --- catalog ----------------------------------------------------------------------------------- */

const char cmd_catalog_usage[] =
	"usage: topsim catalog [--catalog-dir DIR] [instances|volumes|regions]\n"
	"Print the AWS catalog: EC2 instance types, EBS volume types, region RTT matrix.\n"
	"Sources of every figure: docs/catalog.md.\n"
	"Options:\n"
	"      --catalog-dir DIR\n"
	"                        the catalog to print (default: $TOPSIM_CATALOG_DIR, else the\n"
	"                        catalog installed with topsim)\n";

int cmd_catalog(int argc, char **argv)
{
	static const struct option opts[] = {
		{"catalog-dir", required_argument, NULL, 'c'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	const char *dir = NULL;
	int ch;
	while ((ch = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			dir = optarg;
			break;
		case 'h':
			fputs(cmd_catalog_usage, stdout);
			return CLI_EXIT_OK;
		default:
			fputs(cmd_catalog_usage, stderr);
			return CLI_EXIT_USAGE;
		}
	}
	const char *what = optind < argc ? argv[optind] : NULL;
	if (optind + 1 < argc || (what && strcmp(what, "instances") && strcmp(what, "volumes") &&
				  strcmp(what, "regions")))
		return cli_usage_error("catalog", "expected instances, volumes or regions");
	struct catalog cat;
	struct diag diag;
	struct jsondoc doc;
	catalog_init(&cat);
	diag_init(&diag);
	jsondoc_init(&doc);
	int rc = catalog_load(&cat, dir ? dir : catalog_default_dir(), &doc, &diag);
	diag_print(&diag, stderr);
	if (rc == 0)
		catalog_print(&cat, what, stdout);
	jsondoc_release(&doc);
	diag_release(&diag);
	catalog_release(&cat);
	return rc == 0 ? CLI_EXIT_OK : rc == -ENOMEM ? CLI_EXIT_INTERNAL : CLI_EXIT_USAGE;
}
