/* world.c: builds a world, runs one replication, fills its record (see world.h).
 *
 * The wall clock is never read here: a replication depends only on its configuration, the
 * seed and the replication index.
 */
#include "world.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoscale.h"
#include "backup.h"
#include "clients.h"
#include "dataserver.h"
#include "ecp.h"
#include "fabric.h"
#include "injector.h"
#include "ledger.h"
#include "mirror.h"
#include "network.h"
#include "obs.h"
#include "router.h"
#include "shard.h"
#include "volume.h"

#define PROGRESS_SLICES 200

struct world {
	struct sim_engine *e;
	const struct world_config *cfg;
	struct record *rec;
	struct obs obs;
	/* names, resolved once */
	int *az_region;                 /* per AZ: region index */
	size_t az_count;
	int *host_az;                   /* per host: AZ index */
	/* models */
	struct network net;
	bool net_ready;
	struct fabric *fabric;
	struct volume_group **groups;   /* per host */
	struct volume_logical ***volumes; /* per host, per volume */
	struct dataserver **servers;    /* per host, NULL when not a data host */
	struct ecp_group **ecp_groups;  /* per scenario ECP group */
	struct ecp_app **app_of_host;   /* per host, NULL when not an application server */
	struct ecp_group **ecp_all;     /* every ECP group: the scenario's, then compute nodes' */
	size_t ecp_all_count;
	struct host_ctx *host_ctx;      /* per host: argument of the node's stuck callback */
	struct mirror **mirrors;
	struct ledger *ledger;
	struct router *router;
	int **lb_target_host, **lb_az;
	int *dns_primary_lb, *dns_secondary_lb;
	struct server_ref **gateway_servers;
	int *gateway_of_host;
	struct shard_cluster *shards;   /* NULL without sharding */
	struct ecp_group **compute;     /* per data node: its compute nodes' group, or NULL */
	struct mirror **node_mirror;    /* per data node: its mirror, or NULL */
	int *node_host;                 /* per data node without a mirror: its host */
	struct ecp_config *compute_ecp; /* per data node: its compute nodes' ECP settings */
	struct autoscale *autoscale;    /* the compute nodes' Auto Scaling group, or NULL */
	int *as_host;                   /* per compute node of the group: its host */
	int *as_vcpu;                   /* per compute node of the group: its vCPUs */
	struct backup **backups;        /* per scenario backup schedule */
	struct injector *injector;
	struct clients *clients;
	int *population_region;
	struct router_entry *population_entry;
	/* the world's own entity: warm-up and time-series buckets */
	struct sim_entity *ticker;
	sim_time bucket_start;
	char *err;
	size_t err_size;
};

/* A data host's IRIS instance as its node's stuck callback sees it. */
struct host_ctx {
	struct world *w;
	int host;
	bool io_hung; /* hung by the world because its write daemon cannot write */
	bool held;    /* its journal holds updates, told to the ledger */
};

static void fail(struct world *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct world *w, const char *fmt, ...)
{
	if (w->err[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(w->err, w->err_size, fmt, ap);
	va_end(ap);
}

/* --- names ----------------------------------------------------------------------------------- */

static int host_index(const struct world *w, const char *name)
{
	for (size_t i = 0; name && i < w->cfg->host_count; i++)
		if (strcmp(w->cfg->hosts[i].cfg->name, name) == 0)
			return (int)i;
	return -1;
}

static int mirror_index(const struct world *w, const char *name)
{
	for (size_t i = 0; name && i < w->cfg->mirror_count; i++)
		if (strcmp(w->cfg->mirrors[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int lb_index(const struct world *w, const char *name)
{
	for (size_t i = 0; name && i < w->cfg->lb_count; i++)
		if (strcmp(w->cfg->lbs[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int dns_index(const struct world *w, const char *name)
{
	for (size_t i = 0; name && i < w->cfg->dns_count; i++)
		if (strcmp(w->cfg->dns[i].name, name) == 0)
			return (int)i;
	return -1;
}

static int az_index(const struct world *w, const char *az)
{
	int k = 0;
	for (size_t r = 0; r < w->cfg->region_count; r++)
		for (size_t a = 0; a < w->cfg->regions[r].az_count; a++, k++)
			if (az && strcmp(w->cfg->regions[r].azs[a], az) == 0)
				return k;
	return -1;
}

static int region_index(const struct world *w, const char *name)
{
	for (size_t r = 0; name && r < w->cfg->region_count; r++)
		if (strcmp(w->cfg->regions[r].name, name) == 0)
			return (int)r;
	return -1;
}

static struct server_ref resolve_server(const struct world *w, const char *name)
{
	int m = mirror_index(w, name);
	return (struct server_ref){m, m >= 0 ? -1 : host_index(w, name)};
}

static int build_names(struct world *w)
{
	const struct world_config *c = w->cfg;
	for (size_t r = 0; r < c->region_count; r++)
		w->az_count += c->regions[r].az_count;
	w->az_region = calloc(w->az_count + 1, sizeof(int));
	w->host_az = calloc(c->host_count + 1, sizeof(int));
	if (!w->az_region || !w->host_az)
		return -ENOMEM;
	size_t k = 0;
	for (size_t r = 0; r < c->region_count; r++)
		for (size_t a = 0; a < c->regions[r].az_count; a++)
			w->az_region[k++] = (int)r;
	for (size_t h = 0; h < c->host_count; h++)
		w->host_az[h] = az_index(w, c->hosts[h].cfg->az);
	return 0;
}

/* --- observations: the world's sink ------------------------------------------------------------ */

static void obs_metric_to_record(void *arg, enum metric_id id, const char *q, double v)
{
	record_add_metric(((struct world *)arg)->rec, id, q, v);
}

static void obs_point_to_record(void *arg, sim_time start, sim_time width, enum metric_id id,
				const char *q, double v)
{
	record_add_point(((struct world *)arg)->rec, start, width, id, q, v);
}

static void obs_timeline_to_ledger(void *arg, const char *source, const char *text)
{
	ledger_timeline(((struct world *)arg)->ledger, source, text);
}

static void obs_violation_to_ledger(void *arg, const char *invariant, const char *detail)
{
	ledger_violation(((struct world *)arg)->ledger, invariant, detail);
}

/* The primary of the mirror an incident concerns: the mirror with a member (or arbiter) on
 * the fault's first target host, or with a member in its AZ or region; else the first mirror
 * that has a primary (a fault elsewhere: the one that serves writes, for a single mirror). */
static const char *current_primary_name(void *arg, const char *target)
{
	const struct world *w = arg;
	char first[160];
	snprintf(first, sizeof(first), "%s", target ? target : "");
	char *sep = strstr(first, " + "); /* merged faults: the first one's target */
	if (sep)
		*sep = '\0';
	char *slash = strchr(first, '/'); /* a volume: its host */
	if (slash)
		*slash = '\0';
	int h = host_index(w, first), az = az_index(w, first), region = region_index(w, first);
	for (size_t m = 0; m < w->cfg->mirror_count && (h >= 0 || az >= 0 || region >= 0); m++) {
		const struct mirror_set_config *ms = &w->cfg->mirrors[m];
		bool concerned = h >= 0 && (mirror_has_host(w->mirrors[m], h) ||
					    (ms->arbiter && strcmp(ms->arbiter, first) == 0));
		for (size_t k = 0; !concerned && k < ms->failover_count; k++) {
			int mh = host_index(w, ms->failover[k]);
			concerned = mh >= 0 && (w->host_az[mh] == az ||
						(region >= 0 && w->az_region[w->host_az[mh]] == region));
		}
		if (!concerned)
			continue;
		int p = mirror_primary_host(w->mirrors[m]);
		return p >= 0 ? w->cfg->hosts[p].cfg->name : "";
	}
	for (size_t m = 0; m < w->cfg->mirror_count; m++) {
		int p = mirror_primary_host(w->mirrors[m]);
		if (p >= 0)
			return w->cfg->hosts[p].cfg->name;
	}
	return "";
}

/* --- models: build ------------------------------------------------------------------------------ */

/* ECP observations go to the incident ledger (models/iris may not know it). */
static void ecp_to_ledger(void *arg, const struct ecp_observation *o)
{
	struct world *w = arg;
	if (!w->ledger)
		return;
	struct ledger_ecp_observation lo = {
		.since = o->since,
		.stall_end = o->stall_end,
		.held_completed = o->held_completed,
		.network_errors = o->network_errors,
		.rolled_back = o->rolled_back,
		.sessions_preserved = o->sessions_preserved,
		.sessions_lost = o->sessions_lost,
	};
	ledger_ecp(w->ledger, &lo);
}

static int build_ledger(struct world *w)
{
	sim_time max_timeout = 0;
	for (size_t i = 0; i < w->cfg->workload->population_count; i++)
		if (w->cfg->workload->populations[i].timeout > max_timeout)
			max_timeout = w->cfg->workload->populations[i].timeout;
	w->ledger = ledger_new(w->e, w->cfg->warmup, max_timeout, current_primary_name, w);
	return w->ledger ? 0 : -ENOMEM;
}

static int build_fabric(struct world *w)
{
	if (network_init(&w->net, w->cfg->network, w->cfg->region_count, w->cfg->region_rtt_s) < 0)
		return -ENOMEM;
	w->net_ready = true;
	w->fabric = fabric_new(w->cfg->region_count, w->az_count, w->az_region, w->cfg->host_count,
			       w->host_az);
	return w->fabric ? 0 : -ENOMEM;
}

static struct volume_logical *volume_by_purpose(struct world *w, size_t h, int purpose)
{
	const struct host_config *hc = w->cfg->hosts[h].cfg;
	for (size_t v = 0; v < hc->volume_count; v++)
		if (hc->volumes[v].purpose == purpose)
			return w->volumes[h][v];
	return NULL;
}

/* The hit ratio of an instance's buffers: buffers over the working set when both are
 * given, else the workload's cache_hit_ratio. */
static double buffer_hit_ratio(const struct world_config *c, double buffers)
{
	if (c->workload->working_set > 0 && c->iris->global_buffers > 0)
		return fmin(1.0, fmax(0.0, buffers) / c->workload->working_set);
	return c->workload->cache_hit_ratio;
}

/* Does ECP group g use data host h (the host itself, or a member of its mirror)? */
static bool ecp_uses_host(const struct world *w, const struct ecp_config *g, int h)
{
	const struct world_config *c = w->cfg;
	if (strcmp(g->data_server, c->hosts[h].cfg->name) == 0)
		return true;
	for (size_t m = 0; m < c->mirror_count; m++) {
		const struct mirror_set_config *ms = &c->mirrors[m];
		if (strcmp(ms->name, g->data_server) != 0)
			continue;
		for (size_t k = 0; k < ms->failover_count; k++)
			if (strcmp(ms->failover[k], c->hosts[h].cfg->name) == 0)
				return true;
		for (size_t k = 0; k < ms->async_count; k++)
			if (strcmp(ms->asyncs[k].host, c->hosts[h].cfg->name) == 0)
				return true;
	}
	return false;
}

/* Memory data host h gives to ECP control structures, B (0 when no group uses it). */
static double ecp_control_memory(const struct world *w, int h)
{
	const struct world_config *c = w->cfg;
	double app_caches = 0;
	bool used = false;
	for (size_t g = 0; g < c->ecp_count; g++) {
		if (!ecp_uses_host(w, &c->ecp[g], h))
			continue;
		used = true;
		double each = c->ecp[g].global_buffers > 0 ? c->ecp[g].global_buffers
							   : c->iris->global_buffers;
		app_caches += (double)c->ecp[g].app_server_count * each;
	}
	return used ? ecp_control_bytes(app_caches, c->iris->block_size) : 0;
}

/* Block writes per logical block read in the workload's mix (ECP invalidations). */
static double workload_write_share(const struct workload_config *wl)
{
	double writes = 0, reads = 0;
	for (size_t i = 0; i < wl->operation_count; i++) {
		const struct operation_config *oc = &wl->operations[i];
		bool update = oc->kind == OP_WRITE || oc->kind == OP_COMMIT;
		writes += oc->weight * (update ? (double)oc->writes : 0);
		reads += oc->weight * rng_dist_mean(&oc->block_reads);
	}
	return reads > 0 ? writes / reads : 0;
}

/* A node's write daemon cannot write (stuck) or wrote again: the scenario's policy
 * (iris.db_error_policy, iris-2.md §2): the instance hangs ("System Frozen") until a write
 * succeeds, or is taken down and stays down until restarted. */
static void iris_stuck(void *arg, bool stuck)
{
	struct host_ctx *hc = arg;
	struct world *w = hc->w;
	char source[300];
	snprintf(source, sizeof(source), "iris %s", w->cfg->hosts[hc->host].cfg->name);
	enum fabric_iris_state st = fabric_iris(w->fabric, hc->host);
	if (stuck) {
		if (st != FABRIC_IRIS_RUNNING)
			return;
		if (w->cfg->iris->db_error_policy == IRIS_DB_ERROR_DOWN) {
			obs_timeline(&w->obs, source,
				     "write daemon cannot write: instance taken down");
			fabric_set_iris(w->fabric, hc->host, FABRIC_IRIS_STOPPED);
		} else {
			obs_timeline(&w->obs, source,
				     "write daemon cannot write: system frozen (hung)");
			hc->io_hung = true;
			fabric_set_iris(w->fabric, hc->host, FABRIC_IRIS_HUNG);
		}
		return;
	}
	if (hc->io_hung && st == FABRIC_IRIS_HUNG) {
		obs_timeline(&w->obs, source, "write daemon completed a write: system resumes");
		fabric_set_iris(w->fabric, hc->host, FABRIC_IRIS_RUNNING);
	}
	hc->io_hung = false;
}

/* Whether the instance on host serves writes now: the primary of its mirror, or a data
 * host in no mirror. */
static bool serves_writes(const struct world *w, int host)
{
	for (size_t m = 0; w->mirrors && m < w->cfg->mirror_count; m++)
		if (w->mirrors[m] && mirror_has_host(w->mirrors[m], host))
			return mirror_primary_host(w->mirrors[m]) == host;
	return true;
}

/* A node's journal holds updates (frozen, switching directory) or lets them go again: the
 * incident under way gets its `freeze` stage from the instance that serves writes. */
static void iris_updates_held(void *arg, bool held)
{
	struct host_ctx *hc = arg;
	struct world *w = hc->w;
	if (held && !serves_writes(w, hc->host))
		return;
	if (held == hc->held)
		return;
	hc->held = held;
	ledger_updates_frozen(w->ledger, held);
}

static int build_hosts(struct world *w)
{
	const struct world_config *c = w->cfg;
	size_t n = c->host_count;
	w->groups = calloc(n + 1, sizeof(*w->groups));
	w->volumes = calloc(n + 1, sizeof(*w->volumes));
	w->servers = calloc(n + 1, sizeof(*w->servers));
	w->host_ctx = calloc(n + 1, sizeof(*w->host_ctx));
	if (!w->groups || !w->volumes || !w->servers || !w->host_ctx)
		return -ENOMEM;
	for (size_t h = 0; h < n; h++) {
		const struct host_info *host = &c->hosts[h];
		if (host->cfg->volume_count == 0)
			continue;
		w->groups[h] = volume_group_new(w->e, host->cfg->name, &host->ebs);
		w->volumes[h] = calloc(host->cfg->volume_count, sizeof(*w->volumes[h]));
		if (!w->groups[h] || !w->volumes[h])
			return -ENOMEM;
		for (size_t v = 0; v < host->cfg->volume_count; v++) {
			const struct volume_config *vc = &host->cfg->volumes[v];
			w->volumes[h][v] = volume_add(w->groups[h], vc->name, (int)vc->stripe_count,
						      vc->pe_size, &host->volumes[v]);
			if (!w->volumes[h][v] && !sim_engine_error(w->e)) {
				fail(w, "volume %s/%s: its type and size give no usable IOPS or "
					"throughput", host->cfg->name, vc->name);
				return -EINVAL;
			}
			if (!w->volumes[h][v])
				return -EINVAL;
		}
	}
	for (size_t h = 0; h < n; h++) {
		const struct host_info *host = &c->hosts[h];
		if (host->cfg->role != HOST_ROLE_DATA)
			continue;
		if (host->cfg->volume_count == 0) {
			fail(w, "data host \"%s\" has no volumes", host->cfg->name);
			return -EINVAL;
		}
		struct volume_logical *db = volume_by_purpose(w, h, VOLUME_DB);
		if (!db)
			db = w->volumes[h][0];
		struct volume_logical *jrn = volume_by_purpose(w, h, VOLUME_JOURNAL);
		/* ECP control structures take 50 MB + 1% of the app servers' caches from the
		 * buffers of a data server they use (iris.md §4). */
		double buffers = c->iris->global_buffers - ecp_control_memory(w, (int)h);
		/* The WIJ lives in the install directory (install-dir/mgr) when wijdir is empty:
		 * the SYS volume; on the database volume only when there is no SYS volume either
		 * (iris-2.md §8, RACS_wijdir). */
		struct volume_logical *wij = volume_by_purpose(w, h, VOLUME_WIJ);
		if (!wij)
			wij = volume_by_purpose(w, h, VOLUME_SYS);
		struct iris_node_params np = {
			.vcpu = host->vcpu,
			.hit_ratio = buffer_hit_ratio(c, buffers),
			.db = db,
			.journal = jrn ? jrn : db,
			.journal_alt = volume_by_purpose(w, h, VOLUME_JOURNAL_ALT),
			.wij = wij,
			.stuck = iris_stuck,
			.stuck_arg = &w->host_ctx[h],
			.updates_held = iris_updates_held,
		};
		w->host_ctx[h] = (struct host_ctx){w, (int)h, false, false};
		char name[300];
		snprintf(name, sizeof(name), "iris:%s", host->cfg->name);
		w->servers[h] = dataserver_new(w->e, name, (int)h, c->iris, np);
		if (!w->servers[h])
			return -EINVAL;
		if (dataserver_watch(w->servers[h], w->fabric) < 0)
			return -ENOMEM;
		iris_node_start(dataserver_node(w->servers[h]));
	}
	return 0;
}

static sim_time mirror_delay(void *arg, int from, int to, double bytes, gsl_rng *r)
{
	struct world *w = arg;
	const struct host_info *a = &w->cfg->hosts[from], *b = &w->cfg->hosts[to];
	int az_a = w->host_az[from], az_b = w->host_az[to];
	struct net_endpoint ea = {w->az_region[az_a], az_a, from, a->network_bandwidth};
	struct net_endpoint eb = {w->az_region[az_b], az_b, to, b->network_bandwidth};
	return network_delay(&w->net, r, &ea, &eb, bytes);
}

static int build_mirrors(struct world *w)
{
	const struct world_config *c = w->cfg;
	w->mirrors = calloc(c->mirror_count + 1, sizeof(*w->mirrors));
	if (!w->mirrors)
		return -ENOMEM;
	/* Each mirror draws its network jitter from its own stream (common random numbers:
	 * adding a mirror or a shard does not change another one's draws). */
	struct mirror_env env = {&w->obs, mirror_delay, w, NULL};
	struct mirror_listener ledger_listener = ledger_mirror_listener(w->ledger);
	for (size_t m = 0; m < c->mirror_count; m++) {
		const struct mirror_set_config *ms = &c->mirrors[m];
		struct mirror_member_init members[MIRROR_MEMBERS_MAX];
		size_t count = 0;
		for (size_t k = 0; k < ms->failover_count && count < 2; k++) {
			int h = host_index(w, ms->failover[k]);
			members[count++] = (struct mirror_member_init){
				h, ms->failover[k], dataserver_node(w->servers[h]), MIRROR_FAILOVER};
		}
		for (size_t k = 0; k < ms->async_count && count < MIRROR_MEMBERS_MAX; k++) {
			int h = host_index(w, ms->asyncs[k].host);
			members[count++] = (struct mirror_member_init){
				h, ms->asyncs[k].host, dataserver_node(w->servers[h]),
				ms->asyncs[k].kind == ASYNC_DR ? MIRROR_DR : MIRROR_REPORTING};
		}
		int arbiter = ms->arbiter ? host_index(w, ms->arbiter) : -1;
		w->mirrors[m] = mirror_new(w->e, ms->name, c->mirror_policy, w->fabric, members,
					   count, arbiter, &env);
		if (!w->mirrors[m]) /* members are checked by the scenario: out of memory */
			return -ENOMEM;
		if (mirror_listen(w->mirrors[m], &ledger_listener) < 0)
			return -ENOMEM;
		for (size_t k = 0; k < count; k++)
			dataserver_join_mirror(w->servers[members[k].host], w->mirrors[m]);
	}
	/* Mirror members' instances follow the fabric through their mirror; the others here. */
	return 0;
}

/* Build one ECP group (the scenario's, or a data node's compute nodes) serving the data
 * server `ref`, and register its app servers. base: the app servers' buffers' hit ratio
 * alone; app: with invalidations. NULL on error. */
static struct ecp_group *add_ecp_group(struct world *w, const struct ecp_config *cfg,
				       struct server_ref ref, const struct ecp_app_init *apps,
				       size_t count, double base, double app)
{
	const struct world_config *c = w->cfg;
	/* The data server's buffers, less its ECP control memory: those of the mirror's first
	 * member or of the host (every member has the same). */
	int ds_host = ref.mirror >= 0 ? host_index(w, c->mirrors[ref.mirror].failover[0]) : ref.host;
	double server = buffer_hit_ratio(c, c->iris->global_buffers - ecp_control_memory(w, ds_host));
	struct ecp_params ep = {
		.cfg = cfg,
		.iris = c->iris,
		.mirror = ref.mirror >= 0 ? w->mirrors[ref.mirror] : NULL,
		.data_host = ref.host,
		.server_of_host = w->servers,
		.host_count = c->host_count,
		.fabric = w->fabric,
		.obs = &w->obs,
		.delay = mirror_delay,
		.delay_arg = w,
		.apps = apps,
		.app_count = count,
		.block_hit_ratio = ecp_block_hit_ratio(base, app, server),
		.observe = ecp_to_ledger,
		.observe_arg = w,
	};
	struct ecp_group *g = ecp_group_new(w->e, &ep);
	if (!g)
		return NULL;
	for (size_t i = 0; i < count; i++) {
		struct ecp_app *a = ecp_group_app(g, i);
		w->app_of_host[ecp_app_host(a)] = a;
	}
	w->ecp_all[w->ecp_all_count++] = g;
	return g;
}

static int build_ecp(struct world *w)
{
	const struct world_config *c = w->cfg;
	size_t nodes = c->sharding ? c->sharding->data_node_count : 0;
	w->ecp_groups = calloc(c->ecp_count + 1, sizeof(*w->ecp_groups));
	w->app_of_host = calloc(c->host_count + 1, sizeof(*w->app_of_host));
	w->ecp_all = calloc(c->ecp_count + nodes + 1, sizeof(*w->ecp_all));
	if (!w->ecp_groups || !w->app_of_host || !w->ecp_all)
		return -ENOMEM;
	double write_share = workload_write_share(c->workload);
	for (size_t g = 0; g < c->ecp_count; g++) {
		const struct ecp_config *ec = &c->ecp[g];
		struct ecp_app_init *apps = calloc(ec->app_server_count + 1, sizeof(*apps));
		if (!apps)
			return -ENOMEM;
		double base = buffer_hit_ratio(c, ec->global_buffers > 0 ? ec->global_buffers
								 : c->iris->global_buffers);
		double app = ecp_hit_ratio(base, write_share, ec, ec->app_server_count);
		for (size_t i = 0; i < ec->app_server_count; i++) {
			int h = host_index(w, ec->app_servers[i]);
			apps[i] = (struct ecp_app_init){h, ec->app_servers[i], c->hosts[h].vcpu, app};
		}
		w->ecp_groups[g] = add_ecp_group(w, ec, resolve_server(w, ec->data_server), apps,
						 ec->app_server_count, base, app);
		free(apps);
		if (!w->ecp_groups[g])
			return -EINVAL;
	}
	return 0;
}


/* The sharded cluster: compute nodes tied to the data nodes in turn (iris-2.md §5: equal
 * numbers per data node), each data node's compute nodes an ECP group of it. */
static int build_shards(struct world *w)
{
	const struct world_config *c = w->cfg;
	size_t k = c->sharding ? c->sharding->data_node_count : 0;
	if (k == 0)
		return 0;
	const struct sharding_config *sc = c->sharding;
	w->compute = calloc(k + 1, sizeof(*w->compute));
	w->node_mirror = calloc(k + 1, sizeof(*w->node_mirror));
	w->node_host = calloc(k + 1, sizeof(*w->node_host));
	w->compute_ecp = calloc(k + 1, sizeof(*w->compute_ecp));
	if (!w->compute || !w->node_mirror || !w->node_host || !w->compute_ecp)
		return -ENOMEM;
	double write_share = workload_write_share(c->workload);
	for (size_t n = 0; n < k; n++) {
		struct server_ref ref = resolve_server(w, sc->data_nodes[n]);
		w->node_mirror[n] = ref.mirror >= 0 ? w->mirrors[ref.mirror] : NULL;
		w->node_host[n] = ref.host;
		size_t count = 0;
		for (size_t i = n; i < sc->compute_node_count; i += k)
			count++;
		if (count == 0)
			continue;
		struct ecp_app_init *apps = calloc(count + 1, sizeof(*apps));
		if (!apps)
			return -ENOMEM;
		/* Writes run on the data node, so every block it updates is invalidated in its
		 * compute nodes' buffers (docs/models.md §14). */
		double hit = buffer_hit_ratio(c, c->iris->global_buffers) * (1 - fmin(1, write_share));
		size_t a = 0;
		for (size_t i = n; i < sc->compute_node_count; i += k) {
			int h = host_index(w, sc->compute_nodes[i]);
			apps[a++] = (struct ecp_app_init){h, sc->compute_nodes[i], c->hosts[h].vcpu, hit};
		}
		/* The compute nodes' ECP settings: the ecp table's defaults (iris.c). */
		ecp_config_defaults(&w->compute_ecp[n]);
		w->compute_ecp[n].name = sc->data_nodes[n];
		w->compute[n] = add_ecp_group(w, &w->compute_ecp[n], ref, apps, count,
					      buffer_hit_ratio(c, c->iris->global_buffers), hit);
		free(apps);
		if (!w->compute[n])
			return -EINVAL;
	}
	struct shard_params sp = {
		.cfg = sc,
		.node_count = k,
		.node_mirror = w->node_mirror,
		.node_host = w->node_host,
		.compute = w->compute,
		.server_of_host = w->servers,
		.app_of_host = w->app_of_host,
		.host_count = c->host_count,
		.fabric = w->fabric,
		.delay = mirror_delay,
		.delay_arg = w,
	};
	w->shards = shard_cluster_new(w->e, &sp);
	return w->shards ? 0 : -EINVAL;
}

static int build_routing(struct world *w)
{
	const struct world_config *c = w->cfg;
	w->lb_target_host = calloc(c->lb_count + 1, sizeof(*w->lb_target_host));
	w->lb_az = calloc(c->lb_count + 1, sizeof(*w->lb_az));
	w->dns_primary_lb = calloc(c->dns_count + 1, sizeof(int));
	w->dns_secondary_lb = calloc(c->dns_count + 1, sizeof(int));
	w->gateway_servers = calloc(c->gateway_count + 1, sizeof(*w->gateway_servers));
	w->gateway_of_host = malloc(sizeof(int) * (c->host_count + 1));
	if (!w->lb_target_host || !w->lb_az || !w->dns_primary_lb || !w->dns_secondary_lb ||
	    !w->gateway_servers || !w->gateway_of_host)
		return -ENOMEM;
	for (size_t h = 0; h < c->host_count; h++)
		w->gateway_of_host[h] = -1;
	for (size_t g = 0; g < c->gateway_count; g++) {
		const struct web_gateway_config *gw = &c->gateways[g];
		int h = host_index(w, gw->host);
		if (h >= 0 && w->gateway_of_host[h] < 0)
			w->gateway_of_host[h] = (int)g;
		w->gateway_servers[g] = calloc(gw->server_count + 1, sizeof(struct server_ref));
		if (!w->gateway_servers[g])
			return -ENOMEM;
		for (size_t k = 0; k < gw->server_count; k++) {
			struct server_ref ref = resolve_server(w, gw->servers[k]);
			/* A gateway that is not mirror-aware keeps the one member address it was
			 * given: the mirror's first failover member (iris-2.md §7). */
			if (ref.mirror >= 0 && !gw->mirror_aware)
				ref = (struct server_ref){-1,
					host_index(w, c->mirrors[ref.mirror].failover[0])};
			w->gateway_servers[g][k] = ref;
		}
	}
	for (size_t l = 0; l < c->lb_count; l++) {
		const struct load_balancer_config *lb = &c->lbs[l];
		w->lb_target_host[l] = calloc(lb->target_count + 1, sizeof(int));
		w->lb_az[l] = calloc(lb->az_count + 1, sizeof(int));
		if (!w->lb_target_host[l] || !w->lb_az[l])
			return -ENOMEM;
		for (size_t t = 0; t < lb->target_count; t++)
			w->lb_target_host[l][t] = host_index(w, lb->targets[t]);
		for (size_t a = 0; a < lb->az_count; a++)
			w->lb_az[l][a] = az_index(w, lb->azs[a]);
	}
	for (size_t i = 0; i < c->dns_count; i++) {
		w->dns_primary_lb[i] = lb_index(w, c->dns[i].primary);
		w->dns_secondary_lb[i] = c->dns[i].secondary ? lb_index(w, c->dns[i].secondary) : -1;
	}
	struct router_params rp = {
		.hosts = c->hosts,
		.host_count = c->host_count,
		.az_region = w->az_region,
		.net = &w->net,
		.fabric = w->fabric,
		.mirrors = w->mirrors,
		.mirror_count = c->mirror_count,
		.lbs = c->lbs,
		.lb_count = c->lb_count,
		.lb_target_host = (const int *const *)w->lb_target_host,
		.lb_az = (const int *const *)w->lb_az,
		.dns = c->dns,
		.dns_count = c->dns_count,
		.dns_primary_lb = w->dns_primary_lb,
		.dns_secondary_lb = w->dns_secondary_lb,
		.gateways = c->gateways,
		.gateway_count = c->gateway_count,
		.gateway_servers = (const struct server_ref *const *)w->gateway_servers,
		.gateway_of_host = w->gateway_of_host,
		.app_of_host = w->app_of_host,
		.obs = &w->obs,
	};
	w->router = router_new(w->e, &rp);
	return w->router ? 0 : -EINVAL;
}

/* The injector's view of the world. */
static int hook_host(void *arg, const char *name) { return host_index(arg, name); }
static int hook_az(void *arg, const char *name) { return az_index(arg, name); }
static int hook_region(void *arg, const char *name) { return region_index(arg, name); }

static struct volume_logical *hook_volume(void *arg, const char *name)
{
	struct world *w = arg;
	const char *slash = strchr(name, '/');
	if (!slash)
		return NULL;
	for (size_t h = 0; h < w->cfg->host_count; h++) {
		const struct host_config *hc = w->cfg->hosts[h].cfg;
		if (strncmp(hc->name, name, (size_t)(slash - name)) != 0 ||
		    hc->name[slash - name] != '\0' || !w->volumes[h])
			continue;
		for (size_t v = 0; v < hc->volume_count; v++)
			if (strcmp(hc->volumes[v].name, slash + 1) == 0)
				return w->volumes[h][v];
	}
	return NULL;
}

static struct lb *hook_lb(void *arg, const char *name)
{
	struct world *w = arg;
	int i = lb_index(w, name);
	return i >= 0 ? router_lb(w->router, (size_t)i) : NULL;
}

static void hook_freeze(void *arg, int host, bool frozen)
{
	struct world *w = arg;
	if (w->servers[host])
		iris_node_freeze(dataserver_node(w->servers[host]), frozen);
}

static int hook_started(void *arg, const char *kind, const char *target)
{
	return ledger_fault_started(((struct world *)arg)->ledger, kind, target);
}

static void hook_ended(void *arg, int incident)
{
	ledger_fault_ended(((struct world *)arg)->ledger, incident);
}

/* host_lost: the backup schedules of the host restore a replacement if they can. */
static void hook_host_lost(void *arg, int host)
{
	struct world *w = arg;
	char source[300];
	snprintf(source, sizeof(source), "host %s", w->cfg->hosts[host].cfg->name);
	obs_timeline(&w->obs, source, "lost with its volumes");
	for (size_t i = 0; w->backups && i < w->cfg->backup_count; i++)
		if (host_index(w, w->cfg->backups[i].host) == host)
			backup_host_lost(w->backups[i]);
}

static int hook_net_degrade(void *arg, int a_region, int a_az, int b_region, int b_az,
			    double latency_factor, double loss)
{
	struct world *w = arg;
	return network_degrade(&w->net, a_region, a_az, b_region, b_az, latency_factor, loss);
}

static void hook_net_restore(void *arg, int token)
{
	network_restore(&((struct world *)arg)->net, token);
}

static void hook_shutdown_iris(void *arg, int host)
{
	struct world *w = arg;
	for (size_t m = 0; m < w->cfg->mirror_count; m++)
		if (mirror_has_host(w->mirrors[m], host)) {
			mirror_shutdown_member(w->mirrors[m], host);
			return;
		}
	fabric_set_iris(w->fabric, host, FABRIC_IRIS_STOPPED);
}

/* Stochastic aiming: the component's host, role and volume purpose from the configs. */
static bool hook_aims(void *arg, const struct stochastic_fault_config *sc, const char *name)
{
	const struct world_config *c = ((struct world *)arg)->cfg;
	const char *slash = sc->class_ == FAULT_CLASS_VOLUME ? strchr(name, '/') : NULL;
	size_t len = slash ? (size_t)(slash - name) : strlen(name);
	for (size_t h = 0; h < c->host_count; h++) {
		const struct host_config *hc = c->hosts[h].cfg;
		if (strlen(hc->name) != len || strncmp(hc->name, name, len) != 0)
			continue;
		const char *purpose = NULL;
		for (size_t v = 0; slash && v < hc->volume_count; v++)
			if (strcmp(hc->volumes[v].name, slash + 1) == 0)
				purpose = volume_purpose_names[hc->volumes[v].purpose];
		if (slash && !purpose)
			return false;
		return stochastic_fault_aims(sc, hc->name, host_role_names[hc->role], purpose);
	}
	return stochastic_fault_aims(sc, NULL, NULL, NULL);
}

static bool az_holds_hosts(const struct world_config *c, const char *az)
{
	for (size_t h = 0; h < c->host_count; h++)
		if (c->hosts[h].cfg->az && strcmp(c->hosts[h].cfg->az, az) == 0)
			return true;
	return false;
}

static bool region_holds_hosts(const struct world_config *c, const struct region_config *r)
{
	for (size_t a = 0; a < r->az_count; a++)
		if (az_holds_hosts(c, r->azs[a]))
			return true;
	return false;
}

static int build_injector(struct world *w)
{
	const struct world_config *c = w->cfg;
	size_t nh = c->host_count, nv = 0, nr = c->region_count;
	for (size_t h = 0; h < nh; h++)
		nv += c->hosts[h].cfg->volume_count;
	const char **hosts = calloc(nh + 1, sizeof(char *));
	const char **vols = calloc(nv + 1, sizeof(char *));
	const char **azs = calloc(w->az_count + 1, sizeof(char *));
	const char **regions = calloc(nr + 1, sizeof(char *));
	const char **links = NULL;
	int rc = -ENOMEM;
	if (!hosts || !vols || !azs || !regions)
		goto out;
	size_t k = 0;
	for (size_t h = 0; h < nh; h++) {
		hosts[h] = c->hosts[h].cfg->name;
		for (size_t v = 0; v < c->hosts[h].cfg->volume_count; v++)
			vols[k++] = volume_name(w->volumes[h][v]);
	}
	k = 0;
	for (size_t r = 0; r < nr; r++) {
		regions[r] = c->regions[r].name;
		for (size_t a = 0; a < c->regions[r].az_count; a++)
			azs[k++] = c->regions[r].azs[a];
	}
	/* Links (docs/models.md §15): pairs of AZs of one region that both hold hosts, then
	 * pairs of regions that both hold hosts, in the order the availability mode uses. */
	size_t nl = 0;
	size_t nlcap = w->az_count * w->az_count + nr * nr;
	links = calloc(2 * nlcap + 1, sizeof(char *));
	if (!links)
		goto out;
	for (size_t r = 0; r < nr; r++)
		for (size_t a = 0; a < c->regions[r].az_count; a++)
			for (size_t b = a + 1; b < c->regions[r].az_count; b++)
				if (az_holds_hosts(c, c->regions[r].azs[a]) &&
				    az_holds_hosts(c, c->regions[r].azs[b])) {
					links[2 * nl] = c->regions[r].azs[a];
					links[2 * nl++ + 1] = c->regions[r].azs[b];
				}
	for (size_t r = 0; r < nr; r++)
		for (size_t q = r + 1; q < nr; q++)
			if (region_holds_hosts(c, &c->regions[r]) &&
			    region_holds_hosts(c, &c->regions[q])) {
				links[2 * nl] = c->regions[r].name;
				links[2 * nl++ + 1] = c->regions[q].name;
			}
	struct injector_hooks hooks = {w, hook_host, hook_az, hook_region, hook_volume, hook_lb,
				       hook_freeze, NULL, hook_started, hook_ended,
				       hook_net_degrade, hook_net_restore, hook_shutdown_iris, hook_aims,
				       hook_host_lost};
	w->injector = injector_new(w->e, w->fabric, c->faults, c->fault_count, c->stochastic,
				   c->stochastic_count, hosts, nh, vols, nv, azs, w->az_count,
				   regions, nr, links, nl, &hooks);
	rc = w->injector ? 0 : -EINVAL;
out:
	free(hosts);
	free(vols);
	free(azs);
	free(regions);
	free(links);
	return rc;
}

static int build_clients(struct world *w)
{
	const struct workload_config *wl = w->cfg->workload;
	w->population_region = calloc(wl->population_count + 1, sizeof(int));
	w->population_entry = calloc(wl->population_count + 1, sizeof(*w->population_entry));
	if (!w->population_region || !w->population_entry)
		return -ENOMEM;
	for (size_t i = 0; i < wl->population_count; i++) {
		const struct population_config *pc = &wl->populations[i];
		int region = region_index(w, pc->region);
		w->population_region[i] = region < 0 ? 0 : region;
		struct router_entry *en = &w->population_entry[i];
		en->dns = dns_index(w, pc->entry);
		en->lb = en->dns < 0 ? lb_index(w, pc->entry) : -1;
		en->host = en->dns < 0 && en->lb < 0 ? host_index(w, pc->entry) : -1;
	}
	struct clients_params cp = {
		.workload = wl,
		.population_region = w->population_region,
		.population_entry = w->population_entry,
		.router = w->router,
		.server_of_host = w->servers,
		.app_of_host = w->app_of_host,
		.shards = w->shards,
		.ledger = w->ledger,
		.measure_from = w->cfg->warmup,
	};
	w->clients = clients_new(w->e, &cp);
	return w->clients ? 0 : -ENOMEM;
}

/* --- the compute nodes' Auto Scaling group (docs/models.md §14) ------------------------------- */

static void as_register(struct world *w, int host, bool registered)
{
	for (size_t l = 0; l < w->cfg->lb_count; l++)
		for (size_t t = 0; t < w->cfg->lbs[l].target_count; t++)
			if (w->lb_target_host[l][t] == host)
				lb_set_registered(router_lb(w->router, l), t, registered);
}

/* A node's new state: not launched or terminated, its host is down (no fault, no lost
 * session); up, it is registered with the load balancers, whose health checks decide when
 * it takes requests; draining, it is deregistered. */
static void as_set_state(void *arg, size_t node, enum autoscale_state s)
{
	struct world *w = arg;
	int h = w->as_host[node];
	struct ecp_app *app = w->app_of_host[h];
	switch (s) {
	case AS_OFF:
		as_register(w, h, false);
		ecp_app_set_retired(app, true);
		fabric_set_host_down(w->fabric, h, true);
		break;
	case AS_WARMING:
		ecp_app_set_retired(app, false);
		fabric_set_host_down(w->fabric, h, false);
		as_register(w, h, true);
		break;
	case AS_DRAINING:
		as_register(w, h, false);
		ecp_app_set_retired(app, true); /* no new shard-local parts either */
		break;
	case AS_LAUNCHING:
	case AS_IN_SERVICE:
		break;
	}
}

static double as_cpu_seconds(void *arg, size_t node)
{
	struct world *w = arg;
	return iris_node_cpu_seconds(ecp_app_node(w->app_of_host[w->as_host[node]]));
}

static int build_autoscale(struct world *w)
{
	const struct sharding_config *sc = w->cfg->sharding;
	if (!sc || !sc->autoscaling.enabled || sc->compute_node_count == 0)
		return 0;
	size_t n = sc->compute_node_count;
	w->as_host = calloc(n, sizeof(int));
	w->as_vcpu = calloc(n, sizeof(int));
	if (!w->as_host || !w->as_vcpu)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		w->as_host[i] = host_index(w, sc->compute_nodes[i]);
		w->as_vcpu[i] = w->cfg->hosts[w->as_host[i]].vcpu;
	}
	struct autoscale_params p = {
		.cfg = &sc->autoscaling,
		.node_count = n,
		.names = (const char *const *)sc->compute_nodes,
		.vcpu = w->as_vcpu,
		.set_state = as_set_state,
		.cpu_seconds = as_cpu_seconds,
		.arg = w,
		.obs = &w->obs,
	};
	w->autoscale = autoscale_new(w->e, &p);
	return w->autoscale ? 0 : -ENOMEM;
}

static void start_autoscale(struct world *w)
{
	if (w->autoscale)
		autoscale_start(w->autoscale);
}

static void report_autoscale(struct world *w)
{
	if (!w->autoscale)
		return;
	struct autoscale_stats st;
	autoscale_stats(w->autoscale, &st);
	obs_metric(&w->obs, METRIC_ASG_MAX_SIZE, "", (double)st.max_size);
	obs_metric(&w->obs, METRIC_ASG_LAUNCHES, "", (double)st.launches);
	obs_metric(&w->obs, METRIC_ASG_TERMINATIONS, "", (double)st.terminations);
}

/* --- backups ------------------------------------------------------------------------------------ */

static bool bk_is_mirror_primary(void *arg, int host)
{
	struct world *w = arg;
	for (size_t m = 0; w->mirrors && m < w->cfg->mirror_count; m++)
		if (w->mirrors[m] && mirror_has_host(w->mirrors[m], host))
			return mirror_primary_host(w->mirrors[m]) == host;
	return false;
}

static void bk_updates_frozen(void *arg, int host, bool frozen)
{
	struct world *w = arg;
	(void)host;
	ledger_updates_frozen(w->ledger, frozen);
}

/* A primary frozen past ExternalFreezeTimeOut counts as hung (its mirror fails over, as
 * for iris_hang); at the thaw it resumes if nothing forced it down meanwhile. */
static void bk_hung(void *arg, int host, bool hung)
{
	struct world *w = arg;
	enum fabric_iris_state st = fabric_iris(w->fabric, host);
	if (hung && st == FABRIC_IRIS_RUNNING)
		fabric_set_iris(w->fabric, host, FABRIC_IRIS_HUNG);
	else if (!hung && st == FABRIC_IRIS_HUNG)
		fabric_set_iris(w->fabric, host, FABRIC_IRIS_RUNNING);
}

static void bk_operator_acted(void *arg) { ledger_operator_acted(((struct world *)arg)->ledger); }

static void bk_data_lost(void *arg, uint64_t tx, double bytes, double span_s)
{
	ledger_data_lost(((struct world *)arg)->ledger, tx, bytes, span_s);
}

/* The restored replacement of a lost host is up and its instance serves. */
static void bk_restored(void *arg, int host)
{
	struct world *w = arg;
	fabric_set_host_down(w->fabric, host, false);
	fabric_set_iris(w->fabric, host, FABRIC_IRIS_RUNNING);
	ledger_restored(w->ledger);
}

static int build_backups(struct world *w)
{
	const struct world_config *c = w->cfg;
	if (c->backup_count == 0)
		return 0;
	w->backups = calloc(c->backup_count, sizeof(*w->backups));
	if (!w->backups)
		return -ENOMEM;
	struct backup_hooks hooks = {.arg = w,
				     .started = hook_started,
				     .ended = hook_ended,
				     .updates_frozen = bk_updates_frozen,
				     .is_mirror_primary = bk_is_mirror_primary,
				     .hung = bk_hung,
				     .operator_acted = bk_operator_acted,
				     .data_lost = bk_data_lost,
				     .restored = bk_restored};
	for (size_t i = 0; i < c->backup_count; i++) {
		int h = host_index(w, c->backups[i].host);
		if (h < 0 || !w->servers[h]) {
			fail(w, "backups[%zu]: \"%s\" is not a data host", i, c->backups[i].host);
			return -EINVAL;
		}
		struct volume_logical *db = volume_by_purpose(w, h, VOLUME_DB);
		double size = 0;
		const struct host_info *hi = &c->hosts[h];
		for (size_t v = 0; v < hi->cfg->volume_count; v++)
			if (w->volumes[h][v] == db || (!db && v == 0))
				size = hi->volumes[v].size * (double)hi->cfg->volumes[v].stripe_count;
		if (!db)
			db = w->volumes[h][0];
		w->backups[i] = backup_new(w->e, &c->backups[i], i, h,
					   dataserver_node(w->servers[h]), db, size, c->iris, &hooks,
					   &w->obs);
		if (!w->backups[i])
			return -EINVAL;
	}
	return 0;
}

static void start_backups(struct world *w)
{
	for (size_t i = 0; w->backups && i < w->cfg->backup_count; i++)
		backup_start(w->backups[i]);
}

static void report_backups(struct world *w)
{
	for (size_t i = 0; w->backups && i < w->cfg->backup_count; i++) {
		struct backup_stats st;
		backup_stats(w->backups[i], &st);
		const char *host = backup_host(w->backups[i]);
		obs_metric(&w->obs, METRIC_BACKUPS_COMPLETED, host, (double)st.completed);
		obs_metric(&w->obs, METRIC_BACKUPS_ABANDONED, host, (double)st.abandoned);
		obs_metric(&w->obs, METRIC_BACKUP_FREEZE_MAX_S, host, st.freeze_s_max);
		obs_metric(&w->obs, METRIC_BACKUP_SUSPENDED_S, host, st.suspended_s);
		obs_metric(&w->obs, METRIC_BACKUP_READ_BYTES, host, st.bytes_read);
	}
}

/* --- the world's own entity: warm-up and time-series buckets ---------------------------------- */

enum { TICK_EV_WARMUP, TICK_EV_BUCKET, TICK_EV_COUNT };

static void close_bucket(struct world *w, sim_time end)
{
	if (end <= w->bucket_start)
		return;
	clients_close_bucket(w->clients, w->bucket_start, end, &w->obs);
	for (size_t h = 0; h < w->cfg->host_count; h++) {
		if (!w->servers[h])
			continue;
		struct iris_node_stats st;
		iris_node_stats(dataserver_node(w->servers[h]), &st);
		obs_point(&w->obs, w->bucket_start, end - w->bucket_start,
			  METRIC_SERIES_CPU_UTILISATION, w->cfg->hosts[h].cfg->name,
			  st.cpu_utilisation);
	}
	for (size_t g = 0; g < w->ecp_all_count; g++)
		for (size_t i = 0; i < ecp_group_app_count(w->ecp_all[g]); i++) {
			struct ecp_app *a = ecp_group_app(w->ecp_all[g], i);
			struct iris_node_stats st;
			iris_node_stats(ecp_app_node(a), &st);
			obs_point(&w->obs, w->bucket_start, end - w->bucket_start,
				  METRIC_SERIES_CPU_UTILISATION, w->cfg->hosts[ecp_app_host(a)].cfg->name,
				  st.cpu_utilisation);
		}
	for (size_t h = 0; h < w->cfg->host_count; h++)
		for (size_t v = 0; w->volumes[h] && v < w->cfg->hosts[h].cfg->volume_count; v++)
			obs_point(&w->obs, w->bucket_start, end - w->bucket_start,
				  METRIC_SERIES_VOLUME_IOPS_UTILISATION, volume_name(w->volumes[h][v]),
				  volume_bucket(w->volumes[h][v]));
	if (w->autoscale) {
		struct autoscale_counts n;
		autoscale_counts(w->autoscale, &n);
		obs_point(&w->obs, w->bucket_start, end - w->bucket_start,
			  METRIC_SERIES_ASG_IN_SERVICE, "", (double)n.in_service);
		obs_point(&w->obs, w->bucket_start, end - w->bucket_start,
			  METRIC_SERIES_ASG_LAUNCHING, "", (double)n.pending);
	}
	w->bucket_start = end;
}

static void tick_on_warmup(struct sim_entity *self, const struct sim_event *ev)
{
	struct world *w = *(struct world **)self->state;
	(void)ev;
	for (size_t h = 0; h < w->cfg->host_count; h++) {
		if (w->servers[h])
			iris_node_stats_reset(dataserver_node(w->servers[h]));
		for (size_t v = 0; w->volumes[h] && v < w->cfg->hosts[h].cfg->volume_count; v++)
			volume_stats_reset(w->volumes[h][v]);
	}
	for (size_t g = 0; g < w->ecp_all_count; g++)
		for (size_t i = 0; i < ecp_group_app_count(w->ecp_all[g]); i++) {
			struct ecp_app *a = ecp_group_app(w->ecp_all[g], i);
			iris_node_stats_reset(ecp_app_node(a));
			ecp_app_stats_reset(a);
		}
	if (w->shards)
		shard_cluster_stats_reset(w->shards);
	for (size_t m = 0; m < w->cfg->mirror_count; m++)
		mirror_stats_reset(w->mirrors[m]);
	network_traffic_reset(&w->net);
	w->bucket_start = sim_now(self->engine);
	clients_start_measuring(w->clients);
	ledger_start_measuring(w->ledger);
	sim_schedule_in(self->engine, self, w->cfg->series_width, TICK_EV_BUCKET, NULL, 0);
}

static void tick_on_bucket(struct sim_entity *self, const struct sim_event *ev)
{
	struct world *w = *(struct world **)self->state;
	(void)ev;
	close_bucket(w, sim_now(self->engine));
	sim_schedule_in(self->engine, self, w->cfg->series_width, TICK_EV_BUCKET, NULL, 0);
}

static const sim_handler_fn tick_handlers[TICK_EV_COUNT] = {
	[TICK_EV_WARMUP] = tick_on_warmup,
	[TICK_EV_BUCKET] = tick_on_bucket,
};
static const struct sim_entity_type ticker_type = {
	.name = "world",
	.state_size = sizeof(struct world *),
	.handlers = tick_handlers,
	.handler_count = TICK_EV_COUNT,
};

/* --- report: the record ------------------------------------------------------------------------- */

static void report_clients(struct world *w)
{
	struct record *rec = w->rec;
	double measured_s = sim_time_to_s(w->cfg->duration);
	size_t n = clients_class_count(w->clients);
	rec->classes = calloc(n + 1, sizeof(*rec->classes));
	if (!rec->classes) {
		rec->out_of_memory = true;
		return;
	}
	rec->class_count = n;
	for (size_t i = 0; i < n; i++) {
		const struct clients_class *k = clients_class(w->clients, i);
		struct record_class *rc = &rec->classes[i];
		snprintf(rc->name, sizeof(rc->name), "%s", k->name);
		rc->arrived = k->arrived;
		rc->completed = k->completed;
		memcpy(rc->failed, k->failed, sizeof(rc->failed));
		memcpy(rc->tries_failed, k->tries_failed, sizeof(rc->tries_failed));
		rc->latency = k->latency;
		rc->latency_mean = stat_welford_mean(&k->latency_w);
		obs_metric(&w->obs, METRIC_THROUGHPUT, k->name, (double)k->completed / measured_s);
		obs_metric(&w->obs, METRIC_ARRIVED, k->name, (double)k->arrived);
		obs_metric(&w->obs, METRIC_COMPLETED, k->name, (double)k->completed);
		for (int cause = 1; cause < CAUSE_COUNT; cause++) {
			if (!k->failed[cause] && !k->tries_failed[cause])
				continue;
			char q[300];
			snprintf(q, sizeof(q), "%s %s", k->name, svc_cause_name(cause));
			obs_metric(&w->obs, METRIC_ERRORS, q, (double)k->failed[cause]);
			obs_metric(&w->obs, METRIC_FAILED_TRIES, q, (double)k->tries_failed[cause]);
		}
	}
	struct clients_totals t;
	clients_totals(w->clients, &t);
	rec->arrived = t.arrived;
	rec->completed = t.completed;
	rec->failed = t.failed;
	rec->in_flight = t.in_flight;
	rec->conservation_ok = t.arrived == t.completed + t.failed + t.in_flight;
	rec->in_system_mean = clients_in_system_mean(w->clients);
	obs_metric(&w->obs, METRIC_IN_SYSTEM_MEAN, "", rec->in_system_mean);
	obs_metric(&w->obs, METRIC_REQUESTS_IN_FLIGHT_AT_END, "", (double)t.in_flight);
	obs_metric(&w->obs, METRIC_REQUESTS_SHED, "", (double)clients_shed(w->clients));
}

static void report_hosts(struct world *w)
{
	const struct world_config *c = w->cfg;
	for (size_t h = 0; h < c->host_count; h++) {
		if (!w->servers[h])
			continue;
		const char *name = c->hosts[h].cfg->name;
		struct iris_node_stats st;
		iris_node_stats(dataserver_node(w->servers[h]), &st);
		obs_metric(&w->obs, METRIC_CPU_UTILISATION, name, st.cpu_utilisation);
		if (st.block_reads > 0)
			obs_metric(&w->obs, METRIC_CACHE_HIT_RATIO, name,
				   1.0 - (double)st.physical_reads / (double)st.block_reads);
		obs_metric(&w->obs, METRIC_PHYSICAL_READS, name, (double)st.physical_reads);
		if (w->ecp_all_count > 0) {
			uint64_t served = 0;
			for (size_t g = 0; g < w->ecp_all_count; g++)
				served += ecp_group_served(w->ecp_all[g], (int)h);
			obs_metric(&w->obs, METRIC_ECP_REQUESTS_SERVED, name, (double)served);
		}
		obs_metric(&w->obs, METRIC_JOURNAL_FLUSHES, name, (double)st.journal_flushes);
		obs_metric(&w->obs, METRIC_WRITE_DAEMON_BLOCKS, name, (double)st.wd_blocks);
		for (size_t m = 0; m < c->mirror_count; m++) {
			if (!mirror_has_host(w->mirrors[m], (int)h))
				continue;
			struct mirror_member_stats ms;
			mirror_member_stats(w->mirrors[m], (int)h, &ms);
			obs_metric(&w->obs, METRIC_DEJOURNAL_RECORDS, name, (double)st.dejournal_records);
			obs_metric(&w->obs, METRIC_DEJOURNAL_BACKLOG_MAX_BYTES, name,
				   st.dejournal_backlog_max);
			obs_metric(&w->obs, METRIC_BACKUP_ACK_TIMEOUTS, name, (double)ms.ack_timeouts);
			obs_metric(&w->obs, METRIC_BACKUP_ACK_MAX_S, name, ms.ack_max_s);
			obs_metric(&w->obs, METRIC_BACKUP_NOT_ACTIVE_S, name, ms.not_active_s);
		}
	}
	for (size_t h = 0; h < c->host_count; h++) {
		for (size_t v = 0; w->volumes[h] && v < c->hosts[h].cfg->volume_count; v++) {
			const char *name = volume_name(w->volumes[h][v]);
			struct volume_stats vs;
			volume_stats(w->volumes[h][v], &vs);
			obs_metric(&w->obs, METRIC_VOLUME_IOPS_UTILISATION, name, vs.iops_utilisation);
			obs_metric(&w->obs, METRIC_VOLUME_IOS, name, (double)vs.ios);
			obs_metric(&w->obs, METRIC_VOLUME_MEAN_LATENCY_S, name, vs.mean_latency);
		}
	}
}

static void report_ecp(struct world *w)
{
	for (size_t g = 0; g < w->ecp_all_count; g++)
		for (size_t i = 0; i < ecp_group_app_count(w->ecp_all[g]); i++) {
			struct ecp_app *a = ecp_group_app(w->ecp_all[g], i);
			const char *name = w->cfg->hosts[ecp_app_host(a)].cfg->name;
			struct iris_node_stats st;
			struct ecp_app_stats es;
			iris_node_stats(ecp_app_node(a), &st);
			ecp_app_stats(a, &es);
			obs_metric(&w->obs, METRIC_CPU_UTILISATION, name, st.cpu_utilisation);
			if (st.block_reads > 0)
				obs_metric(&w->obs, METRIC_CACHE_HIT_RATIO, name,
					   1.0 - (double)st.physical_reads / (double)st.block_reads);
			obs_metric(&w->obs, METRIC_ECP_REQUESTS, name, (double)es.requests);
			obs_metric(&w->obs, METRIC_ECP_TROUBLES, name, (double)es.troubles);
			obs_metric(&w->obs, METRIC_ECP_STALL_MAX_S, name, es.stall_max_s);
			obs_metric(&w->obs, METRIC_ECP_HELD_COMPLETED, name, (double)es.held_completed);
			obs_metric(&w->obs, METRIC_ECP_NETWORK_ERRORS, name, (double)es.network_errors);
			obs_metric(&w->obs, METRIC_ECP_ROLLED_BACK, name, (double)es.rolled_back);
			obs_metric(&w->obs, METRIC_ECP_SESSIONS_PRESERVED, name,
				   (double)es.sessions_preserved);
			obs_metric(&w->obs, METRIC_ECP_SESSIONS_LOST, name, (double)es.sessions_lost);
		}
}

static void report_shards(struct world *w)
{
	if (!w->shards)
		return;
	struct shard_stats st;
	shard_cluster_stats(w->shards, &st);
	obs_metric(&w->obs, METRIC_SHARD_PARTS, "", (double)st.parts);
	obs_metric(&w->obs, METRIC_SHARD_PARTS_FAILED, "", (double)st.parts_failed);
	obs_metric(&w->obs, METRIC_SHARD_PARTS_WAITED, "", (double)st.parts_waited);
}

/* Bytes by link class for the data-transfer cost: every class within a region and every
 * ordered pair of regions, 0 included (one value per replication for each). */
static void report_network(struct world *w)
{
	const struct network_traffic *t = w->net.traffic;
	for (int k = 0; k < NET_LINK_COUNT; k++)
		obs_metric(&w->obs, METRIC_NETWORK_BYTES, network_link_names[k], t->bytes[k]);
	size_t n = w->net.region_count;
	for (size_t a = 0; a < n; a++)
		for (size_t b = 0; b < n; b++) {
			double bytes = t->region_bytes[a * n + b];
			if (a == b)
				continue;
			char q[300];
			snprintf(q, sizeof(q), "cross_region %s %s", w->cfg->regions[a].name,
				 w->cfg->regions[b].name);
			obs_metric(&w->obs, METRIC_NETWORK_BYTES, q, bytes);
		}
}

static void report_routing(struct world *w)
{
	for (size_t g = 0; g < w->cfg->gateway_count; g++) {
		const char *name = w->cfg->gateways[g].name;
		const struct gateway *gw = router_gateway(w->router, g);
		obs_metric(&w->obs, METRIC_GATEWAY_QUEUE_MAX, name, (double)gateway_waiting_max(gw));
		obs_metric(&w->obs, METRIC_GATEWAY_EXPIRED, name, (double)gateway_expired(gw));
		if (gateway_saturated_since(gw) != SIM_TIME_MAX)
			obs_metric(&w->obs, METRIC_GATEWAY_SATURATED_AT_S, name,
				   sim_time_to_s(gateway_saturated_since(gw)));
	}
}

static void report_ledger(struct world *w)
{
	struct record *rec = w->rec;
	struct ledger *l = w->ledger;
	sim_time end = sim_now(w->e);
	obs_metric(&w->obs, METRIC_WRITE_AVAILABILITY, "", ledger_write_availability(l));
	obs_metric(&w->obs, METRIC_READ_AVAILABILITY, "", ledger_read_availability(l));
	size_t ni = ledger_incident_count(l), ne = ledger_event_count(l),
	       nv = ledger_violation_count(l);
	rec->incidents = calloc(ni + 1, sizeof(*rec->incidents));
	rec->events = calloc(ne + 1, sizeof(*rec->events));
	rec->violations = calloc(nv + 1, sizeof(*rec->violations));
	if (!rec->incidents || !rec->events || !rec->violations) {
		rec->out_of_memory = true;
		return;
	}
	for (size_t i = 0; i < ni; i++) {
		struct record_incident *ri = &rec->incidents[i];
		ledger_incident_result(l, i, end, &ri->r);
		snprintf(ri->target, sizeof(ri->target), "%s", ri->r.target);
		ri->r.target = ri->target;
		if (ri->r.primary_before) {
			snprintf(ri->primary_before, sizeof(ri->primary_before), "%s",
				 ri->r.primary_before);
			ri->r.primary_before = ri->primary_before;
		}
		if (ri->r.primary_after) {
			snprintf(ri->primary_after, sizeof(ri->primary_after), "%s",
				 ri->r.primary_after);
			ri->r.primary_after = ri->primary_after;
		}
	}
	rec->incident_count = ni;
	for (size_t i = 0; i < ne; i++)
		rec->events[i] = *ledger_event(l, i);
	rec->event_count = ne;
	for (size_t i = 0; i < nv; i++)
		rec->violations[i] = *ledger_violation_at(l, i);
	rec->violation_count = nv;
	rec->dropped += ledger_dropped(l);
}

/* --- the registration table ---------------------------------------------------------------------- */

static void start_mirrors(struct world *w)
{
	for (size_t m = 0; m < w->cfg->mirror_count; m++)
		mirror_start(w->mirrors[m]);
}
static void start_routing(struct world *w) { router_start(w->router); }
static void start_ecp(struct world *w)
{
	for (size_t g = 0; g < w->cfg->ecp_count; g++)
		ecp_group_start(w->ecp_groups[g]);
}
static void start_shards(struct world *w)
{
	for (size_t k = 0; w->compute && k < w->cfg->sharding->data_node_count; k++)
		if (w->compute[k])
			ecp_group_start(w->compute[k]);
}
static void start_injector(struct world *w) { injector_start(w->injector); }

/* One row per model, in build order; start and report run in the same order. */
static const struct world_model {
	const char *name;
	int (*build)(struct world *w);
	void (*start)(struct world *w);   /* may be NULL */
	void (*report)(struct world *w);  /* may be NULL */
} models[] = {
	{"fabric", build_fabric, NULL, report_network},
	{"hosts", build_hosts, NULL, report_hosts},
	{"ledger", build_ledger, NULL, report_ledger},
	{"mirrors", build_mirrors, start_mirrors, NULL},
	{"ecp", build_ecp, start_ecp, report_ecp},
	{"shards", build_shards, start_shards, report_shards},
	{"routing", build_routing, start_routing, report_routing},
	{"autoscale", build_autoscale, start_autoscale, report_autoscale},
	{"backups", build_backups, start_backups, report_backups},
	{"injector", build_injector, start_injector, NULL},
	{"clients", build_clients, NULL, report_clients},
};
#define MODEL_COUNT (sizeof(models) / sizeof(models[0]))

/* --- one replication --------------------------------------------------------------------------- */

static void world_release(struct world *w)
{
	const struct world_config *c = w->cfg;
	clients_free(w->clients);
	injector_free(w->injector);
	router_free(w->router);
	for (size_t h = 0; h < c->host_count; h++) {
		if (w->groups)
			volume_group_free(w->groups[h]);
		if (w->volumes)
			free(w->volumes[h]);
		if (w->servers)
			dataserver_free(w->servers[h]);
	}
	free(w->groups);
	free(w->volumes);
	free(w->servers);
	for (size_t g = 0; w->ecp_groups && g < c->ecp_count; g++)
		ecp_group_free(w->ecp_groups[g]);
	free(w->ecp_groups);
	free(w->ecp_all);
	free(w->app_of_host);
	free(w->host_ctx);
	free(w->mirrors);
	ledger_free(w->ledger);
	for (size_t l = 0; l < c->lb_count; l++) {
		if (w->lb_target_host)
			free(w->lb_target_host[l]);
		if (w->lb_az)
			free(w->lb_az[l]);
	}
	free(w->lb_target_host);
	free(w->lb_az);
	free(w->dns_primary_lb);
	free(w->dns_secondary_lb);
	for (size_t g = 0; w->gateway_servers && g < c->gateway_count; g++)
		free(w->gateway_servers[g]);
	free(w->gateway_servers);
	free(w->gateway_of_host);
	autoscale_free(w->autoscale);
	free(w->backups);
	free(w->as_host);
	free(w->as_vcpu);
	shard_cluster_free(w->shards);
	for (size_t k = 0; w->compute && c->sharding && k < c->sharding->data_node_count; k++)
		ecp_group_free(w->compute[k]);
	free(w->compute);
	free(w->node_mirror);
	free(w->node_host);
	free(w->compute_ecp);
	free(w->population_region);
	free(w->population_entry);
	fabric_free(w->fabric);
	if (w->net_ready)
		network_release(&w->net);
	free(w->az_region);
	free(w->host_az);
}

int world_run(const struct world_config *cfg, uint64_t seed, uint32_t replication,
	      world_progress_fn progress, void *progress_arg, struct record *out, char *err,
	      size_t err_size)
{
	record_init(out);
	out->seed = seed;
	out->replication = replication;
	out->warmup = cfg->warmup;
	out->duration = cfg->duration;
	err[0] = '\0';
	struct world w = {.cfg = cfg, .rec = out, .err = err, .err_size = err_size};
	w.obs = (struct obs){&w, obs_metric_to_record, obs_point_to_record, obs_timeline_to_ledger,
			     obs_violation_to_ledger};
	int rc = -ENOMEM;
	sim_time run_end = cfg->warmup + cfg->duration;
	if (cfg->series_width <= 0 ||
	    run_end / cfg->series_width + (run_end % cfg->series_width != 0) >
		    WORLD_SERIES_BUCKETS_MAX) {
		fail(&w, "a series width of %lld ns gives more than %d time-series buckets",
		     (long long)cfg->series_width, WORLD_SERIES_BUCKETS_MAX);
		rc = -EINVAL;
		goto out;
	}
	w.e = sim_engine_new(seed, replication);
	if (!w.e)
		goto out;
	w.ticker = sim_entity_new(w.e, &ticker_type, "datapath");
	if (!w.ticker)
		goto out;
	*(struct world **)w.ticker->state = &w;
	if ((rc = build_names(&w)) < 0)
		goto out;
	for (size_t i = 0; i < MODEL_COUNT; i++)
		if ((rc = models[i].build(&w)) < 0)
			goto out;
	for (size_t i = 0; i < MODEL_COUNT; i++)
		if (models[i].start)
			models[i].start(&w);
	sim_schedule_at(w.e, w.ticker, cfg->warmup, TICK_EV_WARMUP, NULL, 0);
	if (sim_engine_error(w.e)) {
		rc = -EINVAL;
		goto out;
	}
	sim_time end = cfg->warmup + cfg->duration;
	int r = 0;
	for (int slice = 1; slice <= PROGRESS_SLICES; slice++) {
		r = sim_run_until(w.e, (sim_time)((double)end * slice / PROGRESS_SLICES));
		if (r < 0 || r == SIM_END_STOPPED)
			break;
		if (progress && !progress(progress_arg, (double)slice / PROGRESS_SLICES)) {
			rc = -EINTR;
			goto out;
		}
	}
	if (r < 0) {
		fail(&w, "%s", sim_engine_error_message(w.e));
		rc = -EINVAL;
		goto out;
	}
	if (r == SIM_END_STOPPED) {
		fail(&w, "the simulation stopped (out of memory)");
		rc = -ENOMEM;
		goto out;
	}
	close_bucket(&w, sim_now(w.e));
	for (size_t i = 0; i < MODEL_COUNT; i++)
		if (models[i].report)
			models[i].report(&w);
	if (out->dropped)
		obs_metric(&w.obs, METRIC_OBSERVATIONS_DROPPED, "", (double)out->dropped);
	out->engine_events = sim_events_processed(w.e);
	rc = out->out_of_memory ? -ENOMEM : 0;
out:
	/* A constructor that failed without saying why ran out of memory, unless the engine
	 * recorded another error; an engine error that is out of memory is one too. */
	if (rc == -EINVAL && w.e && sim_engine_error(w.e) == -SIM_E_NOMEM)
		rc = -ENOMEM;
	if (rc == -EINVAL && !err[0] && !(w.e && sim_engine_error(w.e)))
		rc = -ENOMEM;
	if (rc < 0 && rc != -EINTR && !err[0])
		fail(&w, "%s",
		     w.e && sim_engine_error(w.e) ? sim_engine_error_message(w.e) : "out of memory");
	world_release(&w);
	sim_engine_free(w.e);
	if (rc < 0)
		record_release(out);
	return rc;
}
