/* iris_node.h: an IRIS data server: CPU, global buffers, journal and write daemon.
 *
 * One entity per data host. A request (struct iris_request, owned by the caller) is served:
 *   1. CPU: its CPU demand on c parallel servers (the instance's vCPUs), FCFS;
 *   2. block reads: each logical read hits the global buffers with the node's hit ratio; the
 *      misses are read one after another from the database volume (block_size each);
 *   3. writes: each set/kill dirties one block for the write daemon, and the journal bytes go
 *      to the journal buffer;
 *   4. a synchronous commit waits until a journal flush containing its bytes completes; every
 *      other request is done here.
 * The journal buffer is flushed to the journal volume every journal_sync_interval, when it
 * fills, when a synchronous commit asks, and at each write-daemon cycle; one flush writes
 * everything buffered (iris.md §1.2, §6). The write daemon wakes every write_daemon_cycle:
 * it writes the dirty blocks to the WIJ volume, then to the database volume, keeping at most
 * write_daemon_queue_depth IOs outstanding, so its writes compete with reads (iris.md §6).
 * When a request is done, the node calls the owner's completion function.
 *
 * A mirror member (backup or async) also receives the primary's journal
 * (iris_node_journal_receive): it writes each arrival to its journal volume at once and
 * dejournals what is written with parallel updaters, each batch an internal request through
 * the same CPU servers, buffers and database reads, whose blocks go to this node's write
 * daemon; the owner's callbacks never see these requests.
 *
 * Storage errors (iris-2.md §1-2):
 *   - A block read that fails (the database volume returns an error) ends the request at
 *     once with `failed` set: the user gets an error (<DISKHARD>); its updates are not
 *     applied.
 *   - A write-daemon IO that fails (WIJ or database volume) is written again after
 *     io_retry_interval; meanwhile the daemon writes nothing more. When it has been unable to
 *     write for db_error_freeze_after, the node reports itself stuck (params.stuck, true):
 *     the owner applies the scenario's policy (the instance hangs, or is taken down). While
 *     stuck, the node probes the failing volume every io_retry_interval, even stopped, and
 *     reports the first success (stuck, false): "System will resume if WRTDMN completes a
 *     pass".
 *   - A journal flush that fails switches journaling to the other journal volume (primary
 *     and alternate directories): updates pause for journal_switch_time, then the flush is
 *     written there. When both have failed, journaled updates freeze ("Freeze on error") and
 *     every periodic sync retries, alternating between the two, until one write succeeds.
 */
#ifndef TOPSIM_IRIS_NODE_H
#define TOPSIM_IRIS_NODE_H

#include <stdbool.h>
#include <stdint.h>

#include "fields.h"
#include "obs.h"
#include "sim.h"
#include "volume.h"

/* Scenario key "iris": parameters of every IRIS instance. */
struct iris_node_config {
	double global_buffers;          /* B; with workload working_set, derives the hit ratio */
	double block_size;              /* B per database block */
	double journal_buffer_size;     /* B; a full buffer triggers a flush */
	sim_time journal_sync_interval; /* periodic journal sync, IRIS: 2 s */
	sim_time write_daemon_cycle;    /* write-daemon wake-up interval */
	int64_t write_daemon_queue_depth; /* outstanding write-daemon IOs */
	double journal_io_size;         /* B: a flush is written as IOs of at most this size */
	int db_error_policy;            /* enum iris_db_error_policy: what a stuck write daemon
					 * does to the instance (applied by the owner) */
	sim_time db_error_freeze_after; /* write daemon unable to write this long: stuck */
	sim_time io_retry_interval;     /* write-daemon IO retries and probes */
	sim_time journal_switch_time;   /* switch to the other journal directory */
};
enum iris_db_error_policy { IRIS_DB_ERROR_HANG, IRIS_DB_ERROR_DOWN };
extern const char *const iris_db_error_policy_names[];
extern const struct field_table iris_node_config_table;

/* A request as the node sees it. The caller owns it; the node links it into its queues
 * through `next` while serving it. */
struct iris_request {
	struct iris_request *next;  /* node's queue link */
	double cpu_s;               /* CPU demand, s */
	uint32_t block_reads;       /* logical block reads */
	uint32_t writes;            /* blocks dirtied */
	double journal_bytes;       /* journal bytes written */
	bool sync_commit;           /* waits for the journal flush */
	bool own_hit_ratio;         /* its block reads hit with hit_ratio, not the node's */
	double hit_ratio;
	/* node's bookkeeping */
	uint32_t misses_left;       /* physical reads still to do */
	double journal_seq;         /* journal position to be durable (sync commits) */
	uint32_t epoch;             /* node epoch when submitted (stale after a stop) */
	bool failed;                /* a block read failed: done with an error (set by the node) */
	void *owner;                /* the caller's context */
};

/* Called when a request is done at the node (owner context, request, now). */
typedef void (*iris_node_done_fn)(void *arg, struct iris_request *rq);
/* Called for a request the node drops because its instance stopped or hung (no answer). */
typedef void (*iris_node_lost_fn)(void *arg, struct iris_request *rq);
/* Called when a local journal flush has made the journal durable up to `upto` bytes. */
typedef void (*iris_node_flushed_fn)(void *arg, double upto);
/* Called when the write daemon has been unable to write for db_error_freeze_after (true),
 * and when a write to the failing volume succeeds again (false). */
typedef void (*iris_node_stuck_fn)(void *arg, bool stuck);

struct iris_node_params {
	int vcpu;                     /* CPU servers */
	double hit_ratio;             /* probability a block read hits the global buffers */
	struct volume_logical *db;    /* database volume */
	struct volume_logical *journal; /* journal volume (primary directory) */
	struct volume_logical *journal_alt; /* alternate journal directory's volume; NULL or the
					     * same as journal: no switch possible */
	struct volume_logical *wij;   /* write image journal volume: purpose wij, else sys
				 * (install-dir/mgr), else db (NULL: db) */
	iris_node_done_fn done;       /* completion callback */
	iris_node_lost_fn lost;       /* dropped-request callback */
	iris_node_flushed_fn flushed; /* journal flush callback (mirror shipping); may be NULL */
	/* When set, a block the buffers miss is fetched by the owner (an ECP application
	 * server asks its data server) rather than read from db: the node calls fetch once
	 * per miss and waits for iris_node_fetched. NULL: misses are read from db. */
	void (*fetch)(void *arg, struct iris_request *rq);
	void *done_arg;               /* argument of the callbacks */
	iris_node_stuck_fn stuck;     /* may be NULL */
	void *stuck_arg;              /* its argument */
	/* Journaled updates are held (true: the journal is frozen or switching directory) or
	 * go on again (false); called with stuck_arg on each change. May be NULL. */
	void (*updates_held)(void *arg, bool held);
};

struct iris_node;

/* A node entity named `name` on e. The config and params must outlive the node; the node
 * takes no ownership of the volumes. Returns NULL on error (engine error recorded). */
struct iris_node *iris_node_new(struct sim_engine *e, const char *name,
				const struct iris_node_config *cfg,
				const struct iris_node_params *p);

/* Start serving rq now (the request has arrived at the node). */
void iris_node_submit(struct iris_node *n, struct iris_request *rq);

/* The block the node asked its owner to fetch for rq has arrived (see params.fetch): the
 * request goes on with its next miss, or is dropped (lost) if the instance has stopped
 * since. */
void iris_node_fetched(struct iris_node *n, struct iris_request *rq);

/* The instance stops (crash, forced down) or hangs: every request it holds is dropped
 * (reported through `lost`, now for queued ones, when their pending CPU or IO ends for the
 * others); buffered journal bytes not yet flushed are lost. Requests submitted while it is
 * down are dropped at once. iris_node_restart brings it back empty. */
void iris_node_stop(struct iris_node *n);
void iris_node_restart(struct iris_node *n);
bool iris_node_running(const struct iris_node *n);

/* Mirroring: while `required`, a synchronous commit is durable only once the backup has
 * acknowledged its journal position (iris_node_backup_acked); otherwise the local flush
 * suffices. */
/* Becoming required keeps the acknowledged position: report what the backup holds with
 * iris_node_backup_acked. */
void iris_node_set_backup_ack(struct iris_node *n, bool required);
void iris_node_backup_acked(struct iris_node *n, double upto);

/* A primary in trouble pauses updates: requests with writes or journal bytes wait until
 * resumed; reads go on. */
void iris_node_pause_writes(struct iris_node *n, bool paused);

/* ExternalFreeze: physical database writes (the write daemon) stop while frozen. */
void iris_node_freeze(struct iris_node *n, bool frozen);

/* A backup freeze past its timeout, or buffers full of blocks the frozen write daemon
 * cannot write: updates wait (parked as in trouble) until released; reads go on. Separate
 * from iris_node_pause_writes, so the mirror's trouble and a backup do not undo each other. */
void iris_node_suspend_updates(struct iris_node *n, bool suspended);
/* Bytes of database blocks dirtied and not yet written by the write daemon. */
double iris_node_dirty_bytes(const struct iris_node *n);
/* Blocks dirtied since the node was made (an online backup's passes copy those changed). */
uint64_t iris_node_blocks_dirtied(const struct iris_node *n);
/* Updates applied since the node was made (requests with writes or journal bytes). */
uint64_t iris_node_updates(const struct iris_node *n);

/* Journal positions in bytes: appended (in the buffer or later), durable locally. */
double iris_node_journal_appended(const struct iris_node *n);
double iris_node_journal_durable(const struct iris_node *n);
/* A backup or async member received the primary's journal up to `upto`: it writes it to its
 * journal volume at once (one write per arrival; what arrives while a write is under way
 * goes in the next), and calls params.flushed when it is written. Written journal is then
 * dejournaled (applied to the member's databases) by parallel updaters, one batch of at
 * most batch_bytes each: a batch of r records (its bytes times records_per_byte, the
 * primary's sets and kills per journal byte; fractions carried over) costs r x
 * cpu_per_record on the node's CPUs, r block reads through the global buffers (misses from
 * the database volume) and r dirty blocks for the write daemon, as the primary's updates do
 * (section 6 of docs/models.md). records_per_byte < 0 keeps the last value. */
void iris_node_journal_receive(struct iris_node *n, double upto, double records_per_byte);

#define IRIS_DEJOURNAL_UPDATERS_MAX 16 /* parallel dejournaling: up to 16 (iris-2.md §8) */
struct iris_dejournal_params {
	double cpu_per_record;  /* CPU seconds to apply one set or kill */
	int updaters;           /* parallel updaters, at most 16 and the node's vCPUs */
	double batch_bytes;     /* journal bytes one updater takes at a time; 0: none applied */
	void (*applied)(void *arg); /* called after any dejournaling progress; may be NULL */
	void *arg;
};
/* Dejournaling parameters (copied; the updaters are capped as above). */
void iris_node_set_dejournal(struct iris_node *n, const struct iris_dejournal_params *p);
/* The primary's sets and kills per journal byte, over everything its requests appended. */
double iris_node_records_per_byte(const struct iris_node *n);
/* A receiving member: journal position applied (batches under way excluded), and bytes
 * received but not yet applied (written or not). Not receiving: durable, 0. */
double iris_node_journal_applied(const struct iris_node *n);
double iris_node_dejournal_backlog(const struct iris_node *n);

/* Set the journal positions (a member taking over continues from what it received); the
 * node stops receiving and counts everything up to `position` as applied (a restarted
 * member: its startup recovery is not modelled). */
void iris_node_journal_reset(struct iris_node *n, double position);

/* Start the node's periodic activities (journal sync, write daemon) at the current time. */
void iris_node_start(struct iris_node *n);

struct iris_node_stats {
	double cpu_utilisation;   /* busy CPU servers / vCPUs, time average */
	double cpu_queue_mean;    /* requests waiting for a CPU, time average */
	uint64_t block_reads;     /* logical reads */
	uint64_t physical_reads;  /* misses read from the database volume */
	uint64_t journal_flushes; /* flushes written */
	double journal_bytes;     /* bytes flushed */
	uint64_t wd_cycles;       /* write-daemon cycles completed */
	uint64_t wd_blocks;       /* blocks written by the write daemon */
	uint64_t read_errors;     /* block reads that failed */
	uint64_t wd_errors;       /* write-daemon IOs that failed */
	uint64_t journal_switches; /* switches to the other journal directory */
	uint64_t journal_freezes; /* times journaled updates froze (both directories failed) */
	uint64_t dejournal_records; /* sets and kills applied from received journal */
	double dejournal_backlog_max; /* largest received-but-unapplied journal, bytes */
};
void iris_node_stats(const struct iris_node *n, struct iris_node_stats *out /* OUT */);
void iris_node_stats_reset(struct iris_node *n);
/* CPU-seconds used since the node was made (busy vCPUs integrated; never reset). */
double iris_node_cpu_seconds(const struct iris_node *n);

/* The node's entity (for its name and stream). */
struct sim_entity *iris_node_entity(struct iris_node *n);

#endif
