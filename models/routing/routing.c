/* routing.c: configuration tables of load balancers and DNS (see routing.h). */
#include "routing.h"

const char *const lb_kind_names[] = {"alb", "nlb", "classic", NULL};

static const struct field health_check_fields[] = {
	{FIELD_AT(struct health_check_config, interval), .type = FIELD_DURATION, .def = "30s",
	 .min = "5s", .max = "300s", .help = "time between health checks of a target",
	 .source = "aws.md §4: ALB default 30 s (range 5-300)"},
	{FIELD_AT(struct health_check_config, timeout), .type = FIELD_DURATION, .def = "5s",
	 .min = "2s", .max = "120s", .help = "a check not answered by then fails",
	 .source = "aws.md §4: ALB default 5 s (range 2-120)"},
	{FIELD_AT(struct health_check_config, healthy_threshold), .type = FIELD_INT, .def = "5",
	 .min = "2", .max = "10", .help = "consecutive successes before a target is healthy",
	 .source = "aws.md §4: ALB default 5 (range 2-10)"},
	{FIELD_AT(struct health_check_config, unhealthy_threshold), .type = FIELD_INT, .def = "2",
	 .min = "2", .max = "10", .help = "consecutive failures before a target is unhealthy",
	 .source = "aws.md §4: ALB default 2 (range 2-10)"},
	{FIELD_AT(struct health_check_config, path), .type = FIELD_STRING,
	 .def = "/csp/bin/mirror_status.cxw",
	 .help = "URL checked; IRIS answers 200 only on the mirror primary",
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
	 .source = "aws.md §4: ALB fails open"},
};
const struct field_table load_balancer_config_table =
	FIELD_TABLE_OF("load_balancer", "An Elastic Load Balancer and its target group.",
		       struct load_balancer_config, load_balancer_fields);

static const struct field dns_fields[] = {
	{FIELD_AT(struct dns_config, name), .type = FIELD_STRING, .flags = FIELD_REQUIRED,
	 .help = "record name"},
	{FIELD_AT(struct dns_config, primary), .type = FIELD_STRING, .flags = FIELD_REQUIRED,
	 .help = "load balancer answered while it is healthy"},
	{FIELD_AT(struct dns_config, secondary), .type = FIELD_STRING,
	 .help = "load balancer answered when the primary is unhealthy (DR region)"},
	{FIELD_AT(struct dns_config, ttl), .type = FIELD_DURATION, .def = "60s", .min = "0s",
	 .max = "2d", .help = "record TTL: clients cache an answer this long",
	 .source = "aws.md §5: 60 s for health-checked failover records"},
	{FIELD_AT(struct dns_config, check_interval), .type = FIELD_DURATION, .def = "30s",
	 .min = "10s", .max = "30s", .help = "Route 53 health-check interval: 30s or 10s",
	 .source = "aws.md §5: standard 30 s, fast 10 s"},
	{FIELD_AT(struct dns_config, failure_threshold), .type = FIELD_INT, .def = "3",
	 .min = "1", .max = "10", .help = "consecutive failed checks before unhealthy",
	 .source = "aws.md §5: default 3 (range 1-10)"},
};
const struct field_table dns_config_table =
	FIELD_TABLE_OF("dns", "A Route 53 failover record with health checks.", struct dns_config,
		       dns_fields);
