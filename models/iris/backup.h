/* backup.h: scheduled backups of an IRIS instance (scenario key "backups").
 *
 * Design note (docs/models.md §15; ../shared/reference/iris.md §7, iris-2.md §4, aws-2.md §4).
 * Each entry backs up one data host's databases at `start` and then every `interval`:
 *
 *   external_ebs_snapshot  Backup.General.ExternalFreeze, EBS snapshots of the database
 *                          volumes, ExternalThaw. The freeze lasts only until the snapshots
 *                          are initiated: an EBS snapshot is point-in-time when requested and
 *                          completes later in the `pending` state while the volume stays
 *                          usable (aws-2.md §4). The freeze's length is `snapshot_freeze`
 *                          (the script and the CreateSnapshots call: an assumption, AWS
 *                          publishes no figure); the snapshot is complete after the changed
 *                          bytes (all of them the first time) at `snapshot_rate` (assumption:
 *                          AWS publishes no creation throughput).
 *   external_lvm_snapshot  ExternalFreeze, an LVM snapshot of the volume group, thaw, then
 *                          the snapshot copied off: the freeze lasts `lvm_snapshot_time`
 *                          (assumption), the copy reads every in-use database byte from the
 *                          database volume (read load competing with users) in IOs of
 *                          `io_size`, `queue_depth` at a time.
 *   online                 IRIS online backup ([DI] §4.3.2): pass 1 reads every in-use block,
 *                          each later pass the blocks dirtied during the previous one; the
 *                          last pass (`passes`, usually 3) runs with the write daemon
 *                          suspended ("This is the last pass - Suspending write daemon").
 *
 * While the write daemon is suspended (an external backup's freeze, an online backup's last
 * pass) users keep updating in memory and the journal goes on (iris.md §7). Updates are
 * suspended (parked, reads go on) when the freeze lasts past `freeze_timeout`
 * (ExternalFreezeTimeOut, 600 s, at most 1200 s: iris-2.md §4) or when the blocks the frozen
 * daemon has not written fill the global buffers (iris-2.md §4: "writers pause once the
 * global buffers fill up"), until the thaw. On a mirror primary a freeze past its timeout
 * "may fail over" (iris.md §7): with `timeout_action: failover` the instance then counts as
 * hung (its mirror's backup takes over through the agent, as for a hung primary, and the
 * backup is abandoned); with `pause` it only waits for the thaw.
 *
 * A backup that suspends updates opens an incident then (kind backup_<method>, target the
 * host) through the hooks, ended at the thaw, so what it cost users shows with its RTO
 * stages (`freeze` up to the thaw; detect and transition when the mirror failed over); a
 * backup users never wait for is no incident (its figures are metrics). The model keeps
 * the time of the last complete backup (its consistent point) for a restore.
 *
 * Restore (fault host_lost, docs/models.md §16): the host and its volumes are gone and no
 * mirror member can serve. After `restore_delay` (an operator, assumption) a replacement is
 * restored: new volumes from the last complete backup's snapshot, initialized at
 * `initialization_rate` (EBS restore is lazy; a provisioned rate of 100-300 MiB/s gives a
 * predictable time, aws-2.md §4) or at once with fast snapshot restore, then the journal
 * from the backup's point to the recovery point replayed at `journal_replay_rate`
 * (assumption). The recovery point is the backup's point, or the last journal copy when
 * journals are copied off the host every `journal_copy_interval`; acknowledged updates after
 * it are the incident's RPO. The stages: operator (the delay), restore (volumes and replay).
 *
 * Ownership: the model owns its entities' state; the config, node and volume must outlive
 * it; hooks are called synchronously from its events.
 */
#ifndef TOPSIM_BACKUP_H
#define TOPSIM_BACKUP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "fields.h"
#include "iris_node.h"
#include "obs.h"
#include "sim.h"
#include "volume.h"

enum backup_method { BACKUP_EBS_SNAPSHOT, BACKUP_LVM_SNAPSHOT, BACKUP_ONLINE };
extern const char *const backup_method_names[];
/* Incident kinds of backups, by method (NULL-terminated): "backup_" + the method's name. */
extern const char *const backup_incident_kinds[];
enum backup_timeout_action { BACKUP_TIMEOUT_FAILOVER, BACKUP_TIMEOUT_PAUSE };
extern const char *const backup_timeout_action_names[];

/* One entry of "backups". */
struct backup_config {
	char *host;                 /* the data host backed up */
	int method;                 /* enum backup_method */
	sim_time start;             /* first backup, from the beginning of the run */
	sim_time interval;          /* between starts; 0: once */
	sim_time freeze_timeout;    /* ExternalFreezeTimeOut */
	int timeout_action;         /* enum backup_timeout_action (a mirror primary) */
	sim_time snapshot_freeze;   /* EBS: freeze until the snapshots are initiated */
	double snapshot_rate;       /* EBS: B/s of a pending snapshot's changed data */
	sim_time lvm_snapshot_time; /* LVM: freeze while the snapshot is created */
	double copy_rate;           /* LVM copy and online passes: B/s read at most */
	double database_size;       /* in-use database bytes; 0: the database volume's size */
	int64_t passes;             /* online: passes, the last with the write daemon suspended */
	double io_size;             /* B per read IO of a copy or pass */
	int64_t queue_depth;        /* read IOs outstanding */
	/* Restore (host_lost): a replacement from the last complete backup plus journal. */
	bool restore;               /* restore when the host is lost */
	sim_time restore_delay;     /* operator: loss to the restore starting */
	bool fast_snapshot_restore; /* FSR enabled: volumes fully initialized at creation */
	double initialization_rate; /* B/s a restored volume initializes at (not FSR) */
	sim_time journal_copy_interval; /* journals copied off the host this often; 0: kept
					 * only on its volumes (lost with it) */
	double journal_replay_rate; /* B/s of journal restored after the backup */
};
extern const struct field_table backup_config_table;

/* What the model needs from the world. */
struct backup_hooks {
	void *arg;
	/* An incident opens (returns its index or -1) and its cause ends. */
	int (*started)(void *arg, const char *kind, const char *target);
	void (*ended)(void *arg, int incident);
	/* Updates frozen (true) or thawed (false) on the host: the ledger's freeze stage. */
	void (*updates_frozen)(void *arg, int host, bool frozen);
	/* Whether the host's instance is a mirror primary now. */
	bool (*is_mirror_primary)(void *arg, int host);
	/* The instance counts as hung (true) or resumes (false): timeout_action failover. */
	void (*hung)(void *arg, int host, bool hung);
	/* Restore: an operator starts it; data lost (acknowledged updates, journal bytes, the
	 * span they cover); the replacement instance is up and serving. */
	void (*operator_acted)(void *arg);
	void (*data_lost)(void *arg, uint64_t tx, double bytes, double span_s);
	void (*restored)(void *arg, int host);
};

struct backup;

/* A backup schedule for `cfg` on host index `host` (named cfg->host) with its node, its
 * database volume and that volume's size (bytes, all stripe members), and the instances'
 * parameters (global buffers, block size). Entity
 * "backup:HOST#INDEX". Returns NULL on error (engine error recorded or out of memory). */
struct backup *backup_new(struct sim_engine *e, const struct backup_config *cfg, size_t index,
			  int host, struct iris_node *node, struct volume_logical *db,
			  double db_volume_size, const struct iris_node_config *iris,
			  const struct backup_hooks *hooks, const struct obs *obs);
void backup_free(struct backup *b);
/* Schedule the first backup. */
void backup_start(struct backup *b);
/* The host and its data are lost now (host_lost): backups stop; with `restore`, an operator
 * restores a replacement after restore_delay from the last complete backup (its volumes
 * initialized at initialization_rate unless fast_snapshot_restore) and replays the journal
 * kept off the host (journal_copy_interval) at journal_replay_rate; what was acknowledged
 * after the recovery point is lost. Returns whether a restore was scheduled. */
bool backup_host_lost(struct backup *b);

struct backup_stats {
	uint64_t started, completed, abandoned;
	double freeze_s_max;        /* longest write-daemon suspension */
	double suspended_s;         /* time updates were suspended */
	double bytes_read;          /* read from the database volume (copies, passes) */
	sim_time last_point;        /* consistent point of the last complete backup; -1: none */
};
void backup_stats(const struct backup *b, struct backup_stats *out /* OUT */);
const char *backup_host(const struct backup *b);

#endif
