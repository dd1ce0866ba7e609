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
/* Health-check protocol; HC_AUTO (not given) is replaced by the kind's default when the
 * scenario is loaded (load_balancer_apply_kind_defaults). */
enum lb_hc_protocol { HC_AUTO, HC_HTTP, HC_TCP };
/* Cross-zone load balancing; CZ_AUTO is replaced by the kind's default likewise. */
enum lb_cross_zone { CZ_AUTO, CZ_ON, CZ_OFF };
/* Route 53 record style: an alias to the load balancer with Evaluate Target Health (no
 * health check of its own), or a record with its own Route 53 health check. */
enum dns_style { DNS_ALIAS, DNS_HEALTH_CHECK };

/* Interval, timeout and thresholds 0 mean "not given": the kind's default is filled in at
 * load time (aws.md §4), so a given value is always within its range. */
struct health_check_config {
	int protocol;                /* enum lb_hc_protocol */
	sim_time interval;           /* between checks of one target */
	sim_time timeout;            /* a check without answer by then fails */
	int64_t healthy_threshold;   /* consecutive successes to become healthy */
	int64_t unhealthy_threshold; /* consecutive failures to become unhealthy */
	char *path;                  /* URL checked (http); 200 only from the mirror primary */
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
	int cross_zone;       /* enum lb_cross_zone: may a node send to other AZs' targets */
};

/* ttl, check_interval and failure_threshold 0 mean "not given" (defaults filled in at load
 * time: an alias record has none of its own). */
struct dns_config {
	char *name;                 /* record name */
	int style;                  /* enum dns_style */
	char *primary;              /* load balancer answered while healthy */
	char *secondary;            /* load balancer answered on failover */
	sim_time ttl;               /* record TTL, clients cache answers this long */
	sim_time check_interval;    /* Route 53 health-check request interval: 30 s or 10 s */
	int64_t failure_threshold;  /* consecutive failures before unhealthy */
};

/* The TTL of a load balancer's DNS name, which an alias record inherits (aws-2.md §2-3). */
#define LB_DNS_TTL (60 * SIM_S)
/* The path of an http check when none is given (iris.md §3). */
#define LB_HEALTH_PATH "/csp/bin/mirror_status.cxw"

extern const char *const lb_kind_names[];
extern const char *const lb_hc_protocol_names[];
extern const char *const lb_cross_zone_names[];
extern const char *const dns_style_names[];
extern const struct field_table health_check_config_table;
extern const struct field_table load_balancer_config_table;
extern const struct field_table dns_config_table;

/* Fill what the scenario left at 0 / auto with the AWS default of the LB's kind (aws.md §4,
 * aws-2.md §2), and a DNS record's TTL and check settings with those of its style. */
void load_balancer_apply_kind_defaults(struct load_balancer_config *lb);
void dns_apply_style_defaults(struct dns_config *d);

#endif
