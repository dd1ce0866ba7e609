/* routing.c: configuration tables of load balancers and DNS (see routing.h). */
#include "routing.h"

#include <stdlib.h>
#include <string.h>

const char *const lb_kind_names[] = {"alb", "nlb", "classic", NULL};
const char *const lb_hc_protocol_names[] = {"auto", "http", "tcp", NULL};
const char *const lb_cross_zone_names[] = {"auto", "on", "off", NULL};
const char *const dns_style_names[] = {"alias", "health_check", NULL};

static const struct field health_check_fields[] = {
	{FIELD_AT(struct health_check_config, protocol), .type = FIELD_ENUM,
	 .enum_names = lb_hc_protocol_names,
	 .help = "http (the path must answer 200) or tcp (a connect to the port succeeds); auto: "
		 "the kind's default: http for alb and classic, tcp for nlb (an ALB checks over "
		 "HTTP only)",
	 .source = "AWS ELBv2 API HealthCheckProtocol: ALB default HTTP, NLB default TCP "
		   "(docs/models.md §8)"},
	{FIELD_AT(struct health_check_config, interval), .type = FIELD_DURATION, .min = "5s",
	 .max = "300s", .help = "time between health checks of a target (not given: 30s for "
				"every kind)",
	 .source = "aws.md §4: 30 s for ALB, NLB and Classic (range 5-300)"},
	{FIELD_AT(struct health_check_config, timeout), .type = FIELD_DURATION, .min = "2s",
	 .max = "120s", .help = "a check not answered by then fails (not given: alb 5s, nlb 6s "
				"for http and 10s for tcp, classic 5s; classic at most 60s)",
	 .source = "aws.md §4: ALB 5 s (2-120), NLB 6 s HTTP / 10 s TCP (2-120), Classic 5 s "
		   "(2-60)"},
	{FIELD_AT(struct health_check_config, healthy_threshold), .type = FIELD_INT, .min = "2",
	 .max = "10", .help = "consecutive successes before a target is healthy (not given: alb "
			      "5, nlb 5, classic 10)",
	 .source = "aws.md §4: ALB 5, NLB 5 (current API), Classic 10 (range 2-10)"},
	{FIELD_AT(struct health_check_config, unhealthy_threshold), .type = FIELD_INT, .min = "2",
	 .max = "10", .help = "consecutive failures before a target is unhealthy (not given: 2 "
			      "for every kind)",
	 .source = "aws.md §4: 2 for ALB, NLB and Classic (range 2-10)"},
	{FIELD_AT(struct health_check_config, path), .type = FIELD_STRING,
	 .help = "URL an http check asks (not given: /csp/bin/mirror_status.cxw, which IRIS "
		 "answers 200 only on the mirror primary); a tcp check has none",
	 .source = "iris.md §3: health endpoint /csp/bin/mirror_status.cxw"},
};
const struct field_table health_check_config_table =
	FIELD_TABLE_OF("health_check", "Target-group health check.", struct health_check_config,
		       health_check_fields);

static const struct field load_balancer_fields[] = {
	{FIELD_AT(struct load_balancer_config, name), .type = FIELD_STRING,
	 .flags = FIELD_REQUIRED, .help = "load balancer name"},
	{FIELD_AT(struct load_balancer_config, kind), .type = FIELD_ENUM,
	 .enum_names = lb_kind_names, .def = "alb", .help = "alb, nlb or classic"},
	{FIELD_LIST_AT(struct load_balancer_config, azs, az_count), .type = FIELD_STRING_LIST,
	 .flags = FIELD_REQUIRED, .help = "AZs with a load-balancer node (an AZ outage takes "
					  "its node down)"},
	{FIELD_LIST_AT(struct load_balancer_config, targets, target_count),
	 .type = FIELD_STRING_LIST, .flags = FIELD_REQUIRED, .help = "target hosts"},
	{FIELD_AT(struct load_balancer_config, health_check), .type = FIELD_OBJECT,
	 .sub = &health_check_config_table, .help = "health check of the target group"},
	{FIELD_AT(struct load_balancer_config, fail_open), .type = FIELD_BOOL, .def = "true",
	 .help = "route to every target when none is healthy",
	 .source = "aws.md §4: ALB fails open; aws-2.md §2: NLB fails open too"},
	{FIELD_AT(struct load_balancer_config, cross_zone), .type = FIELD_ENUM,
	 .enum_names = lb_cross_zone_names,
	 .help = "cross-zone load balancing: on (a node sends to targets in every AZ) or off "
		 "(a node sends only to targets in its own AZ, and its address leaves DNS while "
		 "its AZ has no healthy target); auto: the kind's default: on for alb, off for "
		 "nlb and classic",
	 .source = "aws-2.md §2: ALB always on, NLB off by default, Classic off when created "
		   "by API/CLI"},
};
const struct field_table load_balancer_config_table =
	FIELD_TABLE_OF("load_balancer", "An Elastic Load Balancer and its target group.",
		       struct load_balancer_config, load_balancer_fields);

static const struct field dns_fields[] = {
	{FIELD_AT(struct dns_config, name), .type = FIELD_STRING, .flags = FIELD_REQUIRED,
	 .help = "record name"},
	{FIELD_AT(struct dns_config, style), .type = FIELD_ENUM, .enum_names = dns_style_names,
	 .def = "alias",
	 .help = "alias: an alias record to the load balancer with Evaluate Target Health (no "
		 "health check of its own, TTL the load balancer's 60 s); health_check: a "
		 "record with its own Route 53 health check of the load balancer",
	 .source = "aws-2.md §3: alias to ELB + Evaluate Target Health needs no Route 53 health "
		   "check"},
	{FIELD_AT(struct dns_config, primary), .type = FIELD_STRING, .flags = FIELD_REQUIRED,
	 .help = "load balancer answered while it is healthy"},
	{FIELD_AT(struct dns_config, secondary), .type = FIELD_STRING,
	 .help = "load balancer answered when the primary is unhealthy (DR region)"},
	{FIELD_AT(struct dns_config, ttl), .type = FIELD_DURATION, .min = "1s", .max = "2d",
	 .help = "health_check style: record TTL, clients cache an answer this long (not given: "
		 "60s); an alias record has the load balancer's 60 s and takes none",
	 .source = "aws.md §5: 60 s for health-checked failover records; aws-2.md §3: alias "
		   "TTL is the LB's 60 s"},
	{FIELD_AT(struct dns_config, check_interval), .type = FIELD_DURATION, .min = "10s",
	 .max = "30s", .help = "health_check style: Route 53 health-check interval, 30s or 10s "
			       "(not given: 30s)",
	 .source = "aws.md §5: standard 30 s, fast 10 s"},
	{FIELD_AT(struct dns_config, failure_threshold), .type = FIELD_INT, .min = "1",
	 .max = "10", .help = "health_check style: consecutive failed checks before unhealthy "
			      "(not given: 3)",
	 .source = "aws.md §5: default 3 (range 1-10)"},
};
const struct field_table dns_config_table =
	FIELD_TABLE_OF("dns", "A Route 53 failover record with health checks.", struct dns_config,
		       dns_fields);

void load_balancer_apply_kind_defaults(struct load_balancer_config *lb)
{
	struct health_check_config *hc = &lb->health_check;
	if (hc->protocol == HC_AUTO)
		hc->protocol = lb->kind == LB_NLB ? HC_TCP : HC_HTTP;
	if (hc->protocol == HC_HTTP && !hc->path)
		hc->path = strdup(LB_HEALTH_PATH); /* NULL when out of memory: no path shown */
	if (hc->interval == 0)
		hc->interval = 30 * SIM_S;
	if (hc->timeout == 0)
		hc->timeout = lb->kind == LB_NLB ? (hc->protocol == HC_TCP ? 10 : 6) * SIM_S
						 : 5 * SIM_S;
	if (hc->healthy_threshold == 0)
		hc->healthy_threshold = lb->kind == LB_CLASSIC ? 10 : 5;
	if (hc->unhealthy_threshold == 0)
		hc->unhealthy_threshold = 2;
	if (lb->cross_zone == CZ_AUTO)
		lb->cross_zone = lb->kind == LB_ALB ? CZ_ON : CZ_OFF;
}

void dns_apply_style_defaults(struct dns_config *d)
{
	if (d->ttl == 0)
		d->ttl = LB_DNS_TTL;
	if (d->style == DNS_HEALTH_CHECK) {
		if (d->check_interval == 0)
			d->check_interval = 30 * SIM_S;
		if (d->failure_threshold == 0)
			d->failure_threshold = 3;
	}
}
