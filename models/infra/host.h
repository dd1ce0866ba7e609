/* host.h: a host as the models see it once the world has resolved it: its configuration,
 * its region, and what the catalog says of its instance type. Header only.
 *
 * Ownership: the world owns the array of hosts and each host's volume parameters; the
 * configuration belongs to the scenario. Both outlive every model.
 */
#ifndef TOPSIM_HOST_H
#define TOPSIM_HOST_H

#include "topology.h"
#include "volume.h"

struct host_info {
	const struct host_config *cfg;
	int vcpu;
	double network_bandwidth;       /* B/s */
	struct host_ebs_params ebs;     /* sustained instance EBS limits */
	struct volume_params *volumes;  /* one per cfg->volumes[i] */
};

#endif
