/* routing.h: configuration of load balancers (ELB target groups with health checks on
 * mirror_status) and Route 53 DNS failover. Their run-time behaviour is in lb.h;
 * defaults cite ../shared/reference/aws.md.
 */
#ifndef TOPSIM_ROUTING_H
#define TOPSIM_ROUTING_H

#include <stddef.h>
#include <stdint.h>

#include "fields.h"
#include "simtime.h"

enum lb_kind { LB_ALB, LB_NLB, LB_CLASSIC };

struct health_check_config {
	sim_time interval;           /* between checks of one target */
	sim_time timeout;            /* a check without answer by then fails */
	int64_t healthy_threshold;   /* consecutive successes to become healthy */
	int64_t unhealthy_threshold; /* consecutive failures to become unhealthy */
	char *path;                  /* URL checked; 200 only from the mirror primary */
};

struct load_balancer_config {
	char *name;
	int kind;             /* enum lb_kind */
	char **azs;           /* AZs with a load-balancer node */
	size_t az_count;
	char **targets;       /* hosts in the target group */
	size_t target_count;
	struct health_check_config health_check;
	bool fail_open;       /* route to all targets when none is healthy */
};

struct dns_config {
	char *name;                 /* record name */
	char *primary;              /* load balancer answered while healthy */
	char *secondary;            /* load balancer answered on failover */
	sim_time ttl;               /* record TTL, clients cache answers this long */
	sim_time check_interval;    /* Route 53 health-check request interval: 30 s or 10 s */
	int64_t failure_threshold;  /* consecutive failures before unhealthy */
};

extern const char *const lb_kind_names[];
extern const struct field_table health_check_config_table;
extern const struct field_table load_balancer_config_table;
extern const struct field_table dns_config_table;

#endif
