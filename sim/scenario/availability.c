/* availability.c: field tables of the availability section (see availability.h). */
#include "availability.h"

#include "faults.h"

const char *const crew_scope_names[] = {"class", "az", NULL};

static const struct field crew_fields[] = {
	{.name = "class", .offset = offsetof(struct crew_config, class_), .type = FIELD_ENUM,
	 .enum_names = fault_class_names, .flags = FIELD_REQUIRED,
	 .help = "what the crews repair: host or volume"},
	{FIELD_AT(struct crew_config, count), .type = FIELD_INT, .def = "1", .min = "1",
	 .max = "1000", .help = "repairs in progress at once; further failures queue (FIFO)",
	 .source = "modelling choice: one crew is the textbook shared-repair case "
		   "(validation.md, Trivedi ch. 8)"},
	{FIELD_AT(struct crew_config, per), .type = FIELD_ENUM, .enum_names = crew_scope_names,
	 .def = "class", .help = "one pool for the whole class, or one pool per AZ",
	 .source = "modelling choice: one pool per class is the textbook shared repair"},
};
const struct field_table crew_config_table =
	FIELD_TABLE_OF("crew", "A pool of repair crews (availability mode).",
		       struct crew_config, crew_fields);

static const struct field stratum_fields[] = {
	{FIELD_AT(struct stratum_config, name), .type = FIELD_STRING, .flags = FIELD_REQUIRED,
	 .help = "label in the output, e.g. peak"},
	{FIELD_AT(struct stratum_config, share), .type = FIELD_NUMBER, .flags = FIELD_REQUIRED,
	 .min = "0", .max = "1",
	 .help = "fraction of each day it lasts; the strata follow one another from midnight "
		 "in order and their shares sum to 1"},
	{FIELD_AT(struct stratum_config, load), .type = FIELD_NUMBER, .def = "1", .min = "0",
	 .max = "100",
	 .help = "factor on every population's arrival rate (a closed population's clients) in "
		 "the incident library's runs of this stratum",
	 .source = "modelling choice: 1 is the scenario's own load"},
};
const struct field_table stratum_config_table =
	FIELD_TABLE_OF("stratum",
		       "A time-of-day load stratum of the availability mode's incident library.",
		       struct stratum_config, stratum_fields);

static const struct field availability_fields[] = {
	{FIELD_LIST_AT(struct availability_config, crews, crew_count), .type = FIELD_ARRAY,
	 .sub = &crew_config_table,
	 .help = "repair crews per class; a class without a pool repairs every component "
		 "independently"},
	{FIELD_AT(struct availability_config, failover_time), .type = FIELD_DIST,
	 .units = UNITS_DURATION, .def = "15s",
	 .help = "writes unavailable during a takeover (or a primary's restart), until the "
		 "incident library measures it per class",
	 .source = "assumption: iris.md §1.5 and validation.md, detection within the QoS "
		   "timeout (8 s) plus a few seconds of Transition"},
	{FIELD_AT(struct availability_config, restart_delay), .type = FIELD_DIST,
	 .units = UNITS_DURATION, .def = "30m",
	 .help = "operator's delay before restarting a mirror member that a takeover forced "
		 "down (its host alive: a failed volume), once it is repaired",
	 .source = "assumption: an on-call operator's response; no published figure"},
	{FIELD_AT(struct availability_config, years), .type = FIELD_INT, .def = "1000",
	 .min = "20", .max = "10000000",
	 .help = "years simulated (in 20 batches) by `topsim availability` without --years, "
		 "and by run and check for an annual_downtime_s expectation",
	 .source = "modelling choice: 1000 years give production's downtime to about +-10%"},
	{FIELD_AT(struct availability_config, library), .type = FIELD_INT, .def = "3",
	 .min = "0", .max = "1000",
	 .help = "incident library: request-level replications around each incident class "
		 "(0: every takeover costs failover_time); --library overrides it",
	 .source = "modelling choice: 3 replications bound the library to seconds"},
	{FIELD_AT(struct availability_config, manual_takeover), .type = FIELD_BOOL,
	 .def = "false",
	 .help = "when no member can take over automatically (the backup was not Active), an "
		 "operator forces a running member to primary, accepting data loss (iris.md "
		 "§1.4: manual forced promotion); 0s delay gives the textbook 1-out-of-2 pair",
	 .source = "iris.md §1.4: no automatic failover without confirmation; a forced "
		   "promotion is an operator's decision, off by default"},
	{FIELD_AT(struct availability_config, manual_takeover_delay), .type = FIELD_DIST,
	 .units = UNITS_DURATION, .def = "30m",
	 .help = "operator's delay before a manual takeover",
	 .source = "assumption: an on-call operator's response; no published figure"},
	{FIELD_LIST_AT(struct availability_config, strata, stratum_count), .type = FIELD_ARRAY,
	 .sub = &stratum_config_table,
	 .help = "time-of-day load strata (e.g. peak and off-peak): the incident library runs "
		 "each class once per stratum at its load, and the upper level charges an "
		 "incident the figures of the stratum its hour falls in; none: the scenario's "
		 "load at every hour"},
};
const struct field_table availability_config_table =
	FIELD_TABLE_OF("availability",
		       "Long-run availability mode (`topsim availability`): repair crews, the "
		       "operator's restart of forced-down members and the outage a takeover "
		       "costs.",
		       struct availability_config, availability_fields);
