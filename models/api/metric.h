/* metric.h: the metric registry: one definition of every metric topsim measures.
 *
 * Each row of TOPSIM_METRICS names a metric as the results database stores it, its unit,
 * what it is qualified by, its scope, how it aggregates across replications, and a line of
 * help. The results writer, the run summary, expectation checking (`topsim validate`
 * refuses an expectation naming a metric that is not here) and `topsim schema` all read
 * this table, so a metric is added in one place.
 *
 * Scopes: METRIC_RUN, one value per replication (and qualifier); METRIC_INCIDENT, one value
 * per incident of a replication; METRIC_SERIES, a time series (one value per bucket);
 * METRIC_LATENCY, derived from a class's latency histogram (stored in the latency table).
 * Qualifiers: what the `qualifier` column holds: an operation class, a host, a volume
 * ("host/volume"), "class cause", an incident ("kind target"), a link class ("cross_az",
 * "cross_region us-east-1 us-west-2"), or nothing.
 */
#ifndef TOPSIM_METRIC_H
#define TOPSIM_METRIC_H

#include <stddef.h>

enum metric_scope { METRIC_RUN, METRIC_INCIDENT, METRIC_SERIES, METRIC_LATENCY };
enum metric_qualifier { QUAL_NONE, QUAL_CLASS, QUAL_HOST, QUAL_VOLUME, QUAL_CLASS_CAUSE,
			QUAL_INCIDENT, QUAL_GATEWAY, QUAL_LINK };

/* X(id, name, unit, scope, qualifier, help) */
#define TOPSIM_METRICS(X)                                                                      \
	X(THROUGHPUT, "throughput", "1/s", METRIC_RUN, QUAL_CLASS,                              \
	  "requests completed per second over the measured period")                            \
	X(ARRIVED, "arrived", "requests", METRIC_RUN, QUAL_CLASS,                               \
	  "requests that arrived after the warm-up")                                            \
	X(COMPLETED, "completed", "requests", METRIC_RUN, QUAL_CLASS,                           \
	  "of those, requests completed")                                                       \
	X(ERRORS, "errors", "requests", METRIC_RUN, QUAL_CLASS_CAUSE,                           \
	  "requests that failed after their last try, by cause of that try")                   \
	X(FAILED_TRIES, "failed_tries", "tries", METRIC_RUN, QUAL_CLASS_CAUSE,                  \
	  "tries that failed, by cause")                                                         \
	X(CPU_UTILISATION, "cpu_utilisation", "fraction", METRIC_RUN, QUAL_HOST,                \
	  "busy CPU servers over vCPUs of an IRIS node, time average")                        \
	X(PHYSICAL_READS, "physical_reads", "IOs", METRIC_RUN, QUAL_HOST,                       \
	  "global-buffer misses read from the database volume")                               \
	X(JOURNAL_FLUSHES, "journal_flushes", "flushes", METRIC_RUN, QUAL_HOST,                 \
	  "journal flushes written")                                                            \
	X(WRITE_DAEMON_BLOCKS, "write_daemon_blocks", "blocks", METRIC_RUN, QUAL_HOST,          \
	  "blocks written by the write daemon")                                                 \
	X(DEJOURNAL_RECORDS, "dejournal_records", "records", METRIC_RUN, QUAL_HOST,             \
	  "sets and kills a mirror member applied from received journal")                      \
	X(DEJOURNAL_BACKLOG_MAX_BYTES, "dejournal_backlog_max_bytes", "B", METRIC_RUN,          \
	  QUAL_HOST, "largest received journal a mirror member had not yet applied")           \
	X(BACKUP_ACK_TIMEOUTS, "backup_ack_timeouts", "times", METRIC_RUN, QUAL_HOST,           \
	  "times the primary dropped this backup from Active: acknowledgement later than QoS") \
	X(BACKUP_ACK_MAX_S, "backup_ack_max_s", "s", METRIC_RUN, QUAL_HOST,                     \
	  "longest wait of the primary for this Active backup's acknowledgement")             \
	X(BACKUP_NOT_ACTIVE_S, "backup_not_active_s", "s", METRIC_RUN, QUAL_HOST,               \
	  "time this member was the failover backup without being Active")                     \
	X(VOLUME_IOPS_UTILISATION, "volume_iops_utilisation", "fraction", METRIC_RUN,           \
	  QUAL_VOLUME, "IO units admitted over the sustained IOPS limit")                      \
	X(VOLUME_IOS, "volume_ios", "IOs", METRIC_RUN, QUAL_VOLUME, "IOs completed")           \
	X(VOLUME_MEAN_LATENCY_S, "volume_mean_latency_s", "s", METRIC_RUN, QUAL_VOLUME,        \
	  "mean IO latency from submit to completion")                                         \
	X(WRITE_AVAILABILITY, "write_availability", "fraction", METRIC_RUN, QUAL_NONE,         \
	  "fraction of the measured time the last write try had succeeded")                   \
	X(READ_AVAILABILITY, "read_availability", "fraction", METRIC_RUN, QUAL_NONE,           \
	  "fraction of the measured time the last read try had succeeded")                    \
	X(REQUESTS_IN_FLIGHT_AT_END, "requests_in_flight_at_end", "requests", METRIC_RUN,      \
	  QUAL_NONE, "requests still in the system when the replication ended")                \
	X(IN_SYSTEM_MEAN, "in_system_mean", "requests", METRIC_RUN, QUAL_NONE,                 \
	  "time-average requests in the system after the warm-up (Little's L)")               \
	X(REQUESTS_SHED, "requests_shed", "requests", METRIC_RUN, QUAL_NONE,                    \
	  "arrivals not sent because the run held its cap of requests in flight (saturation)") \
	X(GATEWAY_QUEUE_MAX, "gateway_queue_max", "requests", METRIC_RUN, QUAL_GATEWAY,          \
	  "most requests waiting at once for a web gateway connection")                       \
	X(GATEWAY_EXPIRED, "gateway_expired", "requests", METRIC_RUN, QUAL_GATEWAY,              \
	  "requests the gateway answered 503 after its queued-request timeout")              \
	X(GATEWAY_SATURATED_AT_S, "gateway_saturated_at_s", "s", METRIC_RUN, QUAL_GATEWAY,      \
	  "when requests first had to wait for a connection; stored only if they did")        \
	X(OBSERVATIONS_DROPPED, "observations_dropped", "observations", METRIC_RUN, QUAL_NONE,   \
	  "timeline events, violations or incidents not kept (caps or memory); stored if any") \
	X(CACHE_HIT_RATIO, "cache_hit_ratio", "fraction", METRIC_RUN, QUAL_HOST,                \
	  "logical block reads an IRIS node found in its global buffers")                     \
	X(ECP_REQUESTS, "ecp_requests", "requests", METRIC_RUN, QUAL_HOST,                      \
	  "ECP requests an application server sent (blocks, update batches, syncs)")           \
	X(ECP_REQUESTS_SERVED, "ecp_requests_served", "requests", METRIC_RUN, QUAL_HOST,        \
	  "ECP requests a data server completed for its application servers")                 \
	X(ECP_TROUBLES, "ecp_troubles", "times", METRIC_RUN, QUAL_HOST,                         \
	  "times an application server's connection went into Trouble")                       \
	X(ECP_STALL_MAX_S, "ecp_stall_max_s", "s", METRIC_RUN, QUAL_HOST,                      \
	  "longest ECP stall of an application server: Trouble to sessions resumed or reset")  \
	X(ECP_HELD_COMPLETED, "ecp_held_completed", "requests", METRIC_RUN, QUAL_HOST,          \
	  "requests held during a stall and completed after recovery (slow, not failed)")     \
	X(ECP_NETWORK_ERRORS, "ecp_network_errors", "requests", METRIC_RUN, QUAL_HOST,          \
	  "requests that got <NETWORK> (session reset, recovery given up, connect wait)")     \
	X(ECP_ROLLED_BACK, "ecp_rolled_back", "updates", METRIC_RUN, QUAL_HOST,                 \
	  "updates rolled back when the data server reset the session (already answered "      \
	  "asynchronous sets included)")                                                        \
	X(ECP_SESSIONS_PRESERVED, "ecp_sessions_preserved", "sessions", METRIC_RUN, QUAL_HOST,  \
	  "stalls after which the data server recovered the application server's session")    \
	X(ECP_SESSIONS_LOST, "ecp_sessions_lost", "sessions", METRIC_RUN, QUAL_HOST,            \
	  "sessions reset: by the data server, by giving up, or by the app server's crash")    \
	X(SHARD_PARTS, "shard_parts", "parts", METRIC_RUN, QUAL_NONE,                            \
	  "shard-local parts a sharded cluster ran (one per shard a request needed)")          \
	X(SHARD_PARTS_FAILED, "shard_parts_failed", "parts", METRIC_RUN, QUAL_NONE,              \
	  "of those, failed: lost in a failover (async mode) or out of reach too long")        \
	X(SHARD_PARTS_WAITED, "shard_parts_waited", "parts", METRIC_RUN, QUAL_NONE,              \
	  "parts that waited for their data node's primary (failover, sync mode, down node)")  \
	X(ASG_MAX_SIZE, "asg_max_size", "nodes", METRIC_RUN, QUAL_NONE,                          \
	  "largest size of the compute nodes' Auto Scaling group (launched, not deregistered)")  \
	X(BACKUPS_COMPLETED, "backups_completed", "backups", METRIC_RUN, QUAL_HOST,               \
	  "backups of the host that completed (snapshots done, copies and passes read)")        \
	X(BACKUPS_ABANDONED, "backups_abandoned", "backups", METRIC_RUN, QUAL_HOST,               \
	  "backups abandoned (a failover past the freeze timeout, a read error, still running)") \
	X(BACKUP_FREEZE_MAX_S, "backup_freeze_max_s", "s", METRIC_RUN, QUAL_HOST,                \
	  "longest write-daemon suspension by a backup (external freeze, last online pass)")    \
	X(BACKUP_SUSPENDED_S, "backup_suspended_s", "s", METRIC_RUN, QUAL_HOST,                  \
	  "time a backup held updates (freeze past its timeout, global buffers full)")          \
	X(BACKUP_READ_BYTES, "backup_read_bytes", "bytes", METRIC_RUN, QUAL_HOST,                \
	  "bytes backups read from the database volume (LVM copies, online passes)")            \
	X(ASG_LAUNCHES, "asg_launches", "nodes", METRIC_RUN, QUAL_NONE,                          \
	  "compute nodes launched by scale-out")                                               \
	X(ASG_TERMINATIONS, "asg_terminations", "nodes", METRIC_RUN, QUAL_NONE,                  \
	  "compute nodes terminated by scale-in")                                              \
	X(NETWORK_BYTES, "network_bytes", "B", METRIC_RUN, QUAL_LINK,                            \
	  "bytes sent after the warm-up by link class: same_host, same_az, cross_az, client, "  \
	  "load_balancer, or \"cross_region FROM TO\" (docs/experiments.md, cost)")           \
	X(LATENCY_MEAN_S, "latency_mean_s", "s", METRIC_LATENCY, QUAL_CLASS,                    \
	  "mean latency at the client")                                                         \
	X(LATENCY_P50_S, "latency_p50_s", "s", METRIC_LATENCY, QUAL_CLASS, "median latency")  \
	X(LATENCY_P99_S, "latency_p99_s", "s", METRIC_LATENCY, QUAL_CLASS, "99th percentile")  \
	X(LATENCY_P999_S, "latency_p999_s", "s", METRIC_LATENCY, QUAL_CLASS,                    \
	  "99.9th percentile latency")                                                          \
	X(LATENCY_MAX_S, "latency_max_s", "s", METRIC_LATENCY, QUAL_CLASS, "largest latency") \
	X(RTO_S, "rto_s", "s", METRIC_INCIDENT, QUAL_INCIDENT,                                  \
	  "fault start to the first acknowledged write after the last failed one")            \
	X(DETECT_S, "detect_s", "s", METRIC_INCIDENT, QUAL_INCIDENT, "RTO stage: detection")   \
	X(DECIDE_S, "decide_s", "s", METRIC_INCIDENT, QUAL_INCIDENT, "RTO stage: decision")    \
	X(TRANSITION_S, "transition_s", "s", METRIC_INCIDENT, QUAL_INCIDENT,                    \
	  "RTO stage: the new primary's transition")                                           \
	X(REROUTE_S, "reroute_s", "s", METRIC_INCIDENT, QUAL_INCIDENT,                          \
	  "RTO stage: until the last failed write was sent")                                   \
	X(RECONNECT_S, "reconnect_s", "s", METRIC_INCIDENT, QUAL_INCIDENT,                      \
	  "RTO stage: until the first acknowledged write")                                     \
	X(OPERATOR_S, "operator_s", "s", METRIC_INCIDENT, QUAL_INCIDENT,                        \
	  "RTO stage: waiting for an operator's action (runbook, DR promotion)")               \
	X(FREEZE_S, "freeze_s", "s", METRIC_INCIDENT, QUAL_INCIDENT,                            \
	  "RTO stage: until updates frozen (journal, backup freeze) thawed")                   \
	X(RESTORE_S, "restore_s", "s", METRIC_INCIDENT, QUAL_INCIDENT,                          \
	  "RTO stage: restoring from a backup (volumes, journal replay)")                      \
	X(RPO_TX, "rpo_tx", "updates", METRIC_INCIDENT, QUAL_INCIDENT,                          \
	  "acknowledged updates the new primary lacks")                                        \
	X(RPO_DURABLE_TX, "rpo_durable_tx", "updates", METRIC_INCIDENT, QUAL_INCIDENT,          \
	  "of those, durable (synchronous commits) when acknowledged")                         \
	X(RPO_BYTES, "rpo_bytes", "B", METRIC_INCIDENT, QUAL_INCIDENT,                          \
	  "journal bytes of the lost updates")                                                  \
	X(RPO_SPAN_S, "rpo_span_s", "s", METRIC_INCIDENT, QUAL_INCIDENT,                        \
	  "acknowledgement-time span of the lost updates")                                     \
	X(WRITE_UNAVAILABLE_S, "write_unavailable_s", "s", METRIC_INCIDENT, QUAL_INCIDENT,      \
	  "first failed write to writes reliably back")                                        \
	X(READ_UNAVAILABLE_S, "read_unavailable_s", "s", METRIC_INCIDENT, QUAL_INCIDENT,        \
	  "first failed read to the first read answered after it")                            \
	X(ECP_STALL_S, "ecp_stall_s", "s", METRIC_INCIDENT, QUAL_INCIDENT,                      \
	  "longest ECP stall of an application server that began in the incident")           \
	X(ECP_STALLS, "ecp_stalls", "stalls", METRIC_INCIDENT, QUAL_INCIDENT,                   \
	  "ECP stalls that began in the incident and ended (resumed, reset, given up)")        \
	X(ECP_HELD_COMPLETED_INC, "ecp_held_completed", "requests", METRIC_INCIDENT,            \
	  QUAL_INCIDENT, "requests held in the incident's stalls, then completed (slow)")      \
	X(ECP_NETWORK_ERRORS_INC, "ecp_network_errors", "requests", METRIC_INCIDENT,            \
	  QUAL_INCIDENT, "requests answered <NETWORK> in the incident")                        \
	X(ECP_ROLLED_BACK_INC, "ecp_rolled_back", "updates", METRIC_INCIDENT, QUAL_INCIDENT,     \
	  "updates rolled back in the incident (session reset, given up, app server crash)")   \
	X(ECP_SESSIONS_PRESERVED_INC, "ecp_sessions_preserved", "sessions", METRIC_INCIDENT,     \
	  QUAL_INCIDENT, "application server sessions recovered after the incident's stalls")  \
	X(ECP_SESSIONS_LOST_INC, "ecp_sessions_lost", "sessions", METRIC_INCIDENT,               \
	  QUAL_INCIDENT, "application server sessions lost in the incident")                   \
	X(SERIES_THROUGHPUT, "throughput", "1/s", METRIC_SERIES, QUAL_CLASS,                    \
	  "completions per second in the bucket")                                              \
	X(SERIES_ERRORS_PER_S, "errors_per_s", "1/s", METRIC_SERIES, QUAL_CLASS,                \
	  "requests that failed for good per second in the bucket (a rate, like throughput)")  \
	X(SERIES_LATENCY_P50_S, "latency_p50_s", "s", METRIC_SERIES, QUAL_CLASS,                \
	  "median latency of the bucket's completions")                                        \
	X(SERIES_LATENCY_P99_S, "latency_p99_s", "s", METRIC_SERIES, QUAL_CLASS,                \
	  "99th percentile latency of the bucket's completions")                              \
	X(SERIES_LATENCY_MEAN_S, "latency_mean_s", "s", METRIC_SERIES, QUAL_CLASS,              \
	  "mean latency of the bucket's completions")                                          \
	X(SERIES_CPU_UTILISATION, "cpu_utilisation", "fraction", METRIC_SERIES, QUAL_HOST,      \
	  "CPU utilisation of an IRIS node since the warm-up, at the bucket's end")          \
	X(SERIES_VOLUME_IOPS_UTILISATION, "volume_iops_utilisation", "fraction", METRIC_SERIES, \
	  QUAL_VOLUME, "IO units a volume admitted in the bucket over its sustained IOPS limit "   \
	  "(above 1 while gp2 bursts)")                                                           \
	X(SERIES_ASG_IN_SERVICE, "asg_in_service", "nodes", METRIC_SERIES, QUAL_NONE,           \
	  "compute nodes of the Auto Scaling group up and registered, at the bucket's end")   \
	X(SERIES_ASG_LAUNCHING, "asg_launching", "nodes", METRIC_SERIES, QUAL_NONE,             \
	  "compute nodes being launched (not up yet), at the bucket's end")

enum metric_id {
#define METRIC_ENUM(id, name, unit, scope, qual, help) METRIC_##id,
	TOPSIM_METRICS(METRIC_ENUM)
#undef METRIC_ENUM
	METRIC_COUNT
};

struct metric_def {
	const char *name;
	const char *unit;
	enum metric_scope scope;
	enum metric_qualifier qualifier;
	const char *help;
};

/* The definition of id (valid for 0 <= id < METRIC_COUNT). */
const struct metric_def *metric_def(enum metric_id id);

/* The metric named `name` outside the time series (run, latency or incident scope), or -1.
 * Time series are looked up with metric_find_series. */
int metric_find(const char *name);
int metric_find_series(const char *name);
/* The METRIC_INCIDENT metric of that name if there is one (a run metric may share it:
 * ecp_sessions_lost per app server and per incident), else metric_find. */
int metric_find_incident(const char *name);

const char *metric_scope_name(enum metric_scope s);
const char *metric_qualifier_name(enum metric_qualifier q);

#endif
