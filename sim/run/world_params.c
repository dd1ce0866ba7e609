/* world_params.c: scenario and catalog to world configuration (see world_params.h). */
#include "world_params.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static void volume_params_of(const struct catalog_volume *vt, const struct volume_config *vc,
			     struct volume_params *out)
{
	struct volume_type t = {
		.name = vt->name,
		.iops_min = vt->iops_min,
		.iops_max = vt->iops_max,
		.iops_per_gib = vt->iops_per_gib,
		.iops_baseline = vt->iops_baseline,
		.iops_size_scaled = vt->iops_size_scaled,
		.throughput_max = vt->throughput_max,
		.throughput_baseline = vt->throughput_baseline,
		.latency_median = vt->latency_median,
		.latency_p99 = vt->latency_p99,
	};
	volume_params_for(&t, vc->size, vc->iops, vc->throughput, out);
}

int world_params_init(struct world_params *p, const struct scenario *s, sim_time warmup,
		      sim_time duration, sim_time series_width)
{
	const struct scenario_config *cfg = &s->config;
	size_t nr = cfg->region_count;
	memset(p, 0, sizeof(*p));
	p->hosts = calloc(cfg->host_count + 1, sizeof(*p->hosts));
	p->rtt_s = calloc(nr * nr + 1, sizeof(double));
	if (!p->hosts || !p->rtt_s)
		goto fail;
	p->host_count = cfg->host_count;
	for (size_t a = 0; a < nr; a++)
		for (size_t b = 0; b < nr; b++)
			p->rtt_s[a * nr + b] =
				a == b ? 0 : catalog_region_rtt(&s->catalog, cfg->regions[a].name,
								cfg->regions[b].name);
	for (size_t h = 0; h < cfg->host_count; h++) {
		const struct host_config *hc = &cfg->hosts[h];
		const struct catalog_instance *it = catalog_instance(&s->catalog, hc->instance_type);
		struct host_info *hi = &p->hosts[h];
		hi->cfg = hc;
		hi->vcpu = (int)it->vcpu;
		hi->network_bandwidth = it->network_baseline;
		/* Sustained instance EBS limits (the burst to the maximum lasts 30 min a day). */
		hi->ebs.iops = it->ebs_baseline_iops;
		hi->ebs.bandwidth = it->ebs_baseline_bandwidth;
		hi->volumes = calloc(hc->volume_count + 1, sizeof(*hi->volumes));
		if (!hi->volumes)
			goto fail;
		for (size_t v = 0; v < hc->volume_count; v++)
			volume_params_of(catalog_volume(&s->catalog, hc->volumes[v].type),
					 &hc->volumes[v], &hi->volumes[v]);
	}
	p->cfg = (struct world_config){
		.regions = cfg->regions,
		.region_count = cfg->region_count,
		.region_rtt_s = p->rtt_s,
		.network = &cfg->network,
		.hosts = p->hosts,
		.host_count = cfg->host_count,
		.mirrors = cfg->mirrors,
		.mirror_count = cfg->mirror_count,
		.ecp = cfg->ecp,
		.ecp_count = cfg->ecp_count,
		.sharding = &cfg->sharding,
		.gateways = cfg->web_gateways,
		.gateway_count = cfg->web_gateway_count,
		.lbs = cfg->load_balancers,
		.lb_count = cfg->load_balancer_count,
		.dns = cfg->dns,
		.dns_count = cfg->dns_count,
		.workload = &cfg->workload,
		.iris = &cfg->iris,
		.mirror_policy = &cfg->mirror,
		.faults = cfg->faults,
		.fault_count = cfg->fault_count,
		.stochastic = cfg->stochastic_faults,
		.stochastic_count = cfg->stochastic_fault_count,
		.backups = cfg->backups,
		.backup_count = cfg->backup_count,
		.warmup = warmup,
		.duration = duration,
		.series_width = series_width,
	};
	return 0;
fail:
	world_params_release(p);
	return -ENOMEM;
}

void world_params_release(struct world_params *p)
{
	for (size_t h = 0; p->hosts && h < p->host_count; h++)
		free(p->hosts[h].volumes);
	free(p->hosts);
	free(p->rtt_s);
	memset(p, 0, sizeof(*p));
}
