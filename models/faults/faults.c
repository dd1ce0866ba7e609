/* faults.c: configuration tables of faults (see faults.h). */
#include "faults.h"

#include <string.h>

const char *const fault_target_names[] = {
#define FAULT_TARGET_NAME(id) FAULT_TARGET_TEXT_##id,
	FAULT_TARGET_MAP(FAULT_TARGET_NAME)
#undef FAULT_TARGET_NAME
	NULL};
const char *const fault_kind_names[] = {
#define FAULT_KIND_NAME(id, name, target, reads, apply, revert) #name,
	FAULT_KIND_MAP(FAULT_KIND_NAME)
#undef FAULT_KIND_NAME
	NULL};
const char *const fault_kind_targets[] = {
#define FAULT_KIND_TARGET_TEXT(id, name, target, reads, apply, revert) FAULT_TARGET_TEXT_##target,
	FAULT_KIND_MAP(FAULT_KIND_TARGET_TEXT)
#undef FAULT_KIND_TARGET_TEXT
	NULL};
const enum fault_target fault_kind_target[] = {
#define FAULT_KIND_TARGET(id, name, target, reads, apply, revert) FAULT_TARGET_##target,
	FAULT_KIND_MAP(FAULT_KIND_TARGET)
#undef FAULT_KIND_TARGET
};
const unsigned fault_kind_reads[] = {
#define FAULT_KIND_READS(id, name, target, reads, apply, revert) (unsigned)(reads),
	FAULT_KIND_MAP(FAULT_KIND_READS)
#undef FAULT_KIND_READS
};
const char *const fault_class_names[] = {
#define FAULT_CLASS_NAME(id, name, kind, mtbf_h, mttr_h, source) name,
	FAULT_CLASS_MAP(FAULT_CLASS_NAME)
#undef FAULT_CLASS_NAME
	NULL};
const enum fault_kind fault_class_kind[] = {
#define FAULT_CLASS_KIND(id, name, kind, mtbf_h, mttr_h, source) FAULT_##kind,
	FAULT_CLASS_MAP(FAULT_CLASS_KIND)
#undef FAULT_CLASS_KIND
};
const double fault_class_default_mtbf_h[] = {
#define FAULT_CLASS_MTBF(id, name, kind, mtbf_h, mttr_h, source) mtbf_h,
	FAULT_CLASS_MAP(FAULT_CLASS_MTBF)
#undef FAULT_CLASS_MTBF
};
const double fault_class_default_mttr_h[] = {
#define FAULT_CLASS_MTTR(id, name, kind, mtbf_h, mttr_h, source) mttr_h,
	FAULT_CLASS_MAP(FAULT_CLASS_MTTR)
#undef FAULT_CLASS_MTTR
};
const char *const fault_class_default_source[] = {
#define FAULT_CLASS_SOURCE(id, name, kind, mtbf_h, mttr_h, source) source,
	FAULT_CLASS_MAP(FAULT_CLASS_SOURCE)
#undef FAULT_CLASS_SOURCE
};
_Static_assert(sizeof(fault_kind_target) / sizeof(fault_kind_target[0]) == FAULT_KIND_COUNT,
	       "one target per kind");
_Static_assert(sizeof(fault_class_kind) / sizeof(fault_class_kind[0]) == FAULT_CLASS_COUNT,
	       "one kind per class");

/* The `kind` field's help: every kind with what it hits, "host_crash: host; ...". Each row
 * adds "; NAME: TARGET"; the leading "; " is skipped. */
#define FAULT_KIND_HELP(id, name, target, reads, apply, revert)                        \
	"; " #name ": " FAULT_TARGET_TEXT_##target
static const char fault_kind_help[] = "" FAULT_KIND_MAP(FAULT_KIND_HELP);
#undef FAULT_KIND_HELP
static const char *const partition_direction_names[] = {"both", "one_way", NULL};

static const struct field fault_fields[] = {
	{FIELD_AT(struct fault_config, kind), .type = FIELD_ENUM, .enum_names = fault_kind_names,
	 .flags = FIELD_REQUIRED,
	 .help = fault_kind_help + 2},
	{FIELD_AT(struct fault_config, target), .type = FIELD_STRING,
	 .help = "what the fault hits: a host, host/volume, AZ, region or load balancer"},
	{FIELD_LIST_AT(struct fault_config, between, between_count), .type = FIELD_STRING_LIST,
	 .help = "partition, network_degraded: the two AZs or regions cut apart (partition) or "
		 "whose link degrades"},
	{FIELD_AT(struct fault_config, direction), .type = FIELD_ENUM,
	 .enum_names = partition_direction_names, .def = "both",
	 .help = "partition: both ways, or one_way (the first side cannot reach the second)"},
	{FIELD_AT(struct fault_config, at), .type = FIELD_DURATION, .flags = FIELD_REQUIRED,
	 .help = "start time from the beginning of the run"},
	{.name = "for", .offset = offsetof(struct fault_config, duration), .type = FIELD_DURATION,
	 .def = "0s", .help = "how long it lasts; 0s or absent = until the end of the run"},
	{FIELD_AT(struct fault_config, latency_factor), .type = FIELD_NUMBER, .def = "10",
	 .min = "1", .max = "100000",
	 .help = "volume_degraded, network_degraded: latency multiplier",
	 .source = "modelling choice for a gray EBS volume or link"},
	{FIELD_AT(struct fault_config, iops_factor), .type = FIELD_QUANTITY,
	 .units = UNITS_FRACTION, .def = "1", .min = "0", .max = "1",
	 .help = "volume_degraded: fraction of IOPS and throughput left"},
	{FIELD_AT(struct fault_config, probability), .type = FIELD_QUANTITY,
	 .units = UNITS_FRACTION, .def = "1", .min = "0", .max = "1",
	 .help = "healthcheck_false_negative: probability that a check of a healthy target "
		 "fails"},
	{FIELD_AT(struct fault_config, loss), .type = FIELD_QUANTITY, .units = UNITS_FRACTION,
	 .def = "0", .min = "0", .max = "0.99",
	 .help = "network_degraded: probability that a transmission is lost (each loss costs a "
		 "TCP retransmission timeout, 200 ms + RTT, doubling)",
	 .source = "modelling choice: no loss unless given"},
};
const struct field_table fault_config_table =
	FIELD_TABLE_OF("fault", "A scheduled fault.", struct fault_config, fault_fields);

static bool name_in(char *const *list, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (name && strcmp(list[i], name) == 0)
			return true;
	return false;
}

bool stochastic_fault_aims(const struct stochastic_fault_config *c, const char *host,
			   const char *role, const char *purpose)
{
	if (c->class_ != FAULT_CLASS_HOST && c->class_ != FAULT_CLASS_VOLUME)
		return true;
	if ((c->class_ == FAULT_CLASS_VOLUME) != (purpose != NULL))
		return false;
	if (c->role_count > 0 && !name_in(c->roles, c->role_count, role))
		return false;
	if (c->host_count > 0 && !name_in(c->hosts, c->host_count, host))
		return false;
	if (c->purpose_count > 0 && !name_in(c->purposes, c->purpose_count, purpose))
		return false;
	return true;
}

/* The mtbf and mttr fields' defaults, one clause per class from FAULT_CLASS_MAP. */
#define FAULT_CLASS_DEFAULT_HELP(id, name, kind, mtbf_h, mttr_h, source) "; " name ": " source
static const char fault_class_default_help[] = "" FAULT_CLASS_MAP(FAULT_CLASS_DEFAULT_HELP);
#undef FAULT_CLASS_DEFAULT_HELP

static const struct field stochastic_fault_fields[] = {
	{.name = "class", .offset = offsetof(struct stochastic_fault_config, class_),
	 .type = FIELD_ENUM, .enum_names = fault_class_names, .flags = FIELD_REQUIRED,
	 .help = "what fails: host, volume, az, region or link (a partition between two AZs of "
		 "a region, or two regions, that both hold hosts; each component independently)"},
	{FIELD_AT(struct stochastic_fault_config, mtbf), .type = FIELD_DIST,
	 .units = UNITS_DURATION, .max = "1000000y",
	 .help = "time between failures of one component; absent: the class's default, "
		 "exponential (host 2 years, volume 500 years, az 10 years, region 10 years, "
		 "link 5 years)",
	 .source = fault_class_default_help + 2},
	{FIELD_AT(struct stochastic_fault_config, mttr), .type = FIELD_DIST,
	 .units = UNITS_DURATION, .max = "10y",
	 .help = "time to repair; absent: the class's default, exponential (host 10 min, "
		 "volume 4 h, az 3 h, region 7 h, link 30 min)",
	 .source = fault_class_default_help + 2},
	{FIELD_LIST_AT(struct stochastic_fault_config, roles, role_count),
	 .type = FIELD_STRING_LIST,
	 .help = "host and volume classes: only hosts (or their volumes) with these roles "
		 "(data, app, compute, arbiter, web, icm); empty: every role"},
	{FIELD_LIST_AT(struct stochastic_fault_config, hosts, host_count),
	 .type = FIELD_STRING_LIST,
	 .help = "host and volume classes: only these hosts (or their volumes); empty: every "
		 "host"},
	{FIELD_LIST_AT(struct stochastic_fault_config, purposes, purpose_count),
	 .type = FIELD_STRING_LIST,
	 .help = "volume class: only volumes with these purposes (sys, db, journal, "
		 "journal_alt, wij, other); empty: every volume"},
};
const struct field_table stochastic_fault_config_table =
	FIELD_TABLE_OF("stochastic_fault", "Random failures for availability studies.",
		       struct stochastic_fault_config, stochastic_fault_fields);
