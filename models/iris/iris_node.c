/* iris_node.c: an IRIS data server (see iris_node.h).
 *
 * Invariants:
 * - cpu_busy <= vcpu; a request waits in the CPU queue only while all CPUs are busy.
 * - journal: durable_seq <= flushing_upto <= appended_seq (byte positions); a flush writes
 *   (durable_seq, flushing_upto] and on completion sets durable_seq = flushing_upto.
 * - Every sync commit in the waiter list has journal_seq > durable_seq.
 * - The write daemon writes the blocks dirtied before its cycle began; blocks dirtied
 *   meanwhile wait for the next cycle.
 */
#include "iris_node.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#include <gsl/gsl_randist.h>

const char *const iris_db_error_policy_names[] = {"hang", "down", NULL};

static const struct field iris_node_fields[] = {
	{FIELD_AT(struct iris_node_config, global_buffers), .type = FIELD_QUANTITY,
	 .units = UNITS_SIZE, .def = "0B",
	 .help = "global buffer (database cache) size; with workload.working_set it sets the "
		 "hit ratio, else workload.cache_hit_ratio applies"},
	{FIELD_AT(struct iris_node_config, block_size), .type = FIELD_QUANTITY,
	 .units = UNITS_SIZE, .def = "8KiB", .min = "2KiB", .max = "64KiB",
	 .help = "database block size", .source = "IRIS default database block size 8 KB"},
	{FIELD_AT(struct iris_node_config, journal_buffer_size), .type = FIELD_QUANTITY,
	 .units = UNITS_SIZE, .def = "64KiB", .min = "4KiB", .max = "4GiB",
	 .help = "journal buffer unit; a full buffer is written at once",
	 .source = "modelling choice: IRIS writes each 64 KB journal buffer when it fills "
		   "(unconfirmed; iris.md §1.2 says only that a full buffer triggers a sync)"},
	{FIELD_AT(struct iris_node_config, journal_sync_interval), .type = FIELD_DURATION,
	 .def = "2s", .min = "10ms", .max = "1h", .help = "periodic journal sync",
	 .source = "iris.md §0: journal sync every 2 s (GCDI_journal_writecycle)"},
	{FIELD_AT(struct iris_node_config, write_daemon_cycle), .type = FIELD_DURATION,
	 .def = "80s", .min = "1s", .max = "1h", .help = "write-daemon wake-up interval",
	 .source = "iris.md §6: about 80 s (unconfirmed, third-party monitoring notes)"},
	{FIELD_AT(struct iris_node_config, write_daemon_queue_depth), .type = FIELD_INT,
	 .def = "32", .min = "1", .max = "4096",
	 .help = "write-daemon IOs outstanding at once (how hard it competes with reads)",
	 .source = "modelling choice"},
	{FIELD_AT(struct iris_node_config, journal_io_size), .type = FIELD_QUANTITY,
	 .units = UNITS_SIZE, .def = "256KiB", .min = "4KiB", .max = "16MiB",
	 .help = "largest IO of a journal flush or WIJ write",
	 .source = "EBS counts SSD IOs up to 256 KiB as one (aws.md §2a)"},
	{FIELD_AT(struct iris_node_config, db_error_policy), .type = FIELD_ENUM,
	 .enum_names = iris_db_error_policy_names, .def = "hang",
	 .help = "what an instance whose write daemon cannot write (failed WIJ or database "
		 "volume) does: hang (System Frozen; a mirror primary's backup takes over through "
		 "its agent; resumes when a write succeeds) or down (taken down, e.g. irisforce; "
		 "stays down until restarted)",
	 .source = "iris-2.md §2: 'write daemon encountered serious error - System Frozen', "
		   "the primary hangs on I/O errors (HA §3.3.3.1 scenario 4); down is the "
		   "alternative the same section names"},
	{FIELD_AT(struct iris_node_config, db_error_freeze_after), .type = FIELD_DURATION,
	 .def = "3s", .min = "0s", .max = "1h",
	 .help = "how long the write daemon is unable to write before the instance is stuck "
		 "(db_error_policy applies)",
	 .source = "iris-2.md §2: health state HUNG when the write daemon is stopped or holds "
		   "the updates-locked flag for more than 3 s; the time to freeze itself is "
		   "unconfirmed"},
	{FIELD_AT(struct iris_node_config, io_retry_interval), .type = FIELD_DURATION,
	 .def = "1s", .min = "10ms", .max = "10m",
	 .help = "interval of the write daemon's retries of a failed IO (and of probes while "
		 "stuck)",
	 .source = "iris-2.md §1: the journal daemon retries about every 1 s; the same assumed "
		   "for the write daemon (modelling choice)"},
	{FIELD_AT(struct iris_node_config, journal_switch_time), .type = FIELD_DURATION,
	 .def = "1s", .min = "0s", .max = "10m",
	 .help = "time to switch journaling to the other journal directory when the current "
		 "one becomes unwritable (updates pause meanwhile)",
	 .source = "iris-2.md §1: the switch is automatic and starts a new journal file; its "
		   "duration is unconfirmed (modelling choice, under the 5 s after which a paused "
		   "journal daemon makes the health state HUNG)"},
};
const struct field_table iris_node_config_table =
	FIELD_TABLE_OF("iris", "Parameters of every IRIS instance.", struct iris_node_config,
		       iris_node_fields);

enum {
	IRIS_EV_CPU_DONE,
	IRIS_EV_READ_DONE,
	IRIS_EV_JOURNAL_DONE,
	IRIS_EV_JOURNAL_TIMER,
	IRIS_EV_WD_TIMER,
	IRIS_EV_WD_IO_DONE,
	IRIS_EV_WD_RETRY,
	IRIS_EV_PROBE_DONE,
	IRIS_EV_JRN_SWITCHED,
	IRIS_EV_DJ_RETRY,
	IRIS_EV_COUNT
};

enum wd_phase { WD_IDLE, WD_WIJ, WD_DB };

struct iris_node {
	struct sim_entity *self;
	const struct iris_node_config *cfg;
	struct iris_node_params p;

	/* CPU */
	int cpu_busy;
	struct iris_request *cpu_head, *cpu_tail;
	uint32_t cpu_waiting;
	struct stat_timeweighted cpu_busy_tw;
	struct stat_timeweighted cpu_busy_all; /* never reset: iris_node_cpu_seconds */
	struct stat_timeweighted cpu_queue_tw;

	/* journal */
	double appended_seq;      /* bytes appended since start */
	double flushing_upto;     /* end of the flush in progress (== durable when none) */
	double durable_seq;       /* bytes known durable */
	uint32_t flush_parts;     /* IOs of the flush in progress still outstanding */
	bool flush_failed;        /* an IO of the flush in progress failed */
	bool journal_frozen;      /* journal writes failed in both directories: updates freeze
				   * until one succeeds ("Freeze on error", forced on for a
				   * primary, iris.md §1.2) */
	struct volume_logical *jrn_vol[2]; /* primary and alternate directory (NULL: none) */
	int jrn_cur;              /* directory written now */
	bool jrn_failed[2];       /* its last write failed */
	bool jrn_switching;       /* switching directory: updates pause */
	bool held_reported;       /* last value given to params.updates_held */
	struct iris_request *waiters; /* sync commits waiting for durability (LIFO list) */
	bool ack_required;        /* an Active backup must acknowledge sync commits */
	double acked_seq;         /* journal position the backup acknowledged */
	double records_total;     /* sets/kills applied by requests since start (never reset) */
	double journal_bytes_total; /* their journal bytes */

	/* instance state */
	bool running;             /* false while stopped or hung: requests are dropped */
	uint32_t epoch;           /* bumped at every stop: stale CPU/IO completions drop */
	bool writes_paused;       /* trouble: updates wait */
	struct iris_request *paused_head, *paused_tail;
	bool frozen;              /* ExternalFreeze: no write-daemon cycles */
	bool updates_suspended;   /* a backup freeze holds updates (iris_node_suspend_updates) */
	uint64_t dirtied_total;   /* blocks dirtied since made */
	uint64_t updates_total;   /* updates applied since made */

	/* write daemon */
	enum wd_phase wd_phase;
	uint64_t dirty_blocks;    /* dirtied since the current cycle began */
	uint64_t wd_to_submit;    /* IOs of the current phase not yet submitted */
	uint32_t wd_outstanding;  /* IOs of the current phase in flight */
	uint64_t wd_cycle_blocks; /* blocks of the current cycle */
	double wd_last_io;        /* bytes of the phase's last IO (WIJ: the remainder) */
	bool wd_error;            /* an IO failed: nothing more until the retry event */
	sim_time wd_error_since;  /* first failure since the last success; -1 when none */
	bool io_stuck;            /* reported stuck (params.stuck): probing the volume */
	struct volume_logical *stuck_vol; /* the volume that failed */
	struct sim_handle wd_retry; /* IRIS_EV_WD_RETRY pending */

	/* dejournaling (a backup or async member: iris_node_journal_receive) */
	bool receiving;           /* a mirror member writing received journal: each arrival is
				   * written at once */
	double records_per_byte;  /* the primary's set/kill records per journal byte */
	struct iris_dejournal_params dj;
	double dj_dispatched;     /* journal position handed to updaters */
	double dj_in_flight;      /* bytes of the batches being applied */
	double dj_records_frac;   /* fractional record carried to the next batch */
	bool dj_paused;           /* a database read failed: wait for the retry */
	struct iris_request dj_reqs[IRIS_DEJOURNAL_UPDATERS_MAX];
	double dj_req_bytes[IRIS_DEJOURNAL_UPDATERS_MAX];
	bool dj_req_busy[IRIS_DEJOURNAL_UPDATERS_MAX]; /* until its completion or stale drop */

	struct iris_node_stats stats;
};

static bool is_dj(const struct iris_node *n, const struct iris_request *rq)
{
	return rq >= n->dj_reqs && rq < n->dj_reqs + IRIS_DEJOURNAL_UPDATERS_MAX;
}
static void dj_done(struct iris_node *n, struct iris_request *rq);
static void dj_lost(struct iris_node *n, struct iris_request *rq);

/* Completion and drop of a request: the owner's callbacks, or dejournaling's own. */
static void finish(struct iris_node *n, struct iris_request *rq)
{
	if (is_dj(n, rq))
		dj_done(n, rq);
	else
		n->p.done(n->p.done_arg, rq);
}
static void lose(struct iris_node *n, struct iris_request *rq)
{
	if (is_dj(n, rq))
		dj_lost(n, rq);
	else
		n->p.lost(n->p.done_arg, rq);
}

static void cpu_start(struct iris_node *n, struct iris_request *rq);

/* One retry (or probe) event at a time. */
static void schedule_retry(struct iris_node *n)
{
	if (!sim_is_pending(n->self->engine, n->wd_retry))
		n->wd_retry = sim_schedule_in(n->self->engine, n->self, n->cfg->io_retry_interval,
					      IRIS_EV_WD_RETRY, NULL, 0);
}

/* An IO to volume v; a volume that cannot take it (out of memory for its queue) stops the
 * run: the world reports it, rather than a request that silently never completes. */
static void submit_io(struct iris_node *n, struct volume_logical *v, double bytes, bool write,
		      uint32_t done_kind, uint64_t tag)
{
	if (volume_submit(v, bytes, write, n->self, done_kind, tag) < 0)
		sim_stop(n->self->engine);
}
static void after_reads(struct iris_node *n, struct iris_request *rq);

static void set_cpu_tw(struct iris_node *n)
{
	sim_time now = sim_now(n->self->engine);
	stat_timeweighted_set(&n->cpu_busy_tw, now, n->cpu_busy);
	stat_timeweighted_set(&n->cpu_busy_all, now, n->cpu_busy);
	stat_timeweighted_set(&n->cpu_queue_tw, now, n->cpu_waiting);
}

/* --- journal ------------------------------------------------------------------------------ */

/* Mirror sync is part of the journal write cycle (iris.md §1.2): with an Active backup the
 * next journal write waits until the backup has acknowledged the previous one. */
static bool flush_waits_for_ack(const struct iris_node *n)
{
	return n->ack_required && n->acked_seq < n->durable_seq;
}

/* Updates stop when a full buffer cannot be written (the journal cycle is stalled). */
static bool journal_stalled(const struct iris_node *n)
{
	if (n->journal_frozen || n->jrn_switching)
		return true;
	return flush_waits_for_ack(n) &&
	       n->appended_seq - n->durable_seq >= n->cfg->journal_buffer_size;
}

static void journal_flush(struct iris_node *n)
{
	if (n->flush_parts > 0 || n->jrn_switching || n->appended_seq <= n->durable_seq ||
	    flush_waits_for_ack(n))
		return;
	double bytes = n->appended_seq - n->durable_seq;
	n->flushing_upto = n->appended_seq;
	uint32_t parts = (uint32_t)ceil(bytes / n->cfg->journal_io_size);
	n->flush_parts = parts;
	for (uint32_t i = 0; i < parts; i++) {
		double size = i + 1 < parts ? n->cfg->journal_io_size
					    : bytes - n->cfg->journal_io_size * (parts - 1);
		submit_io(n, n->jrn_vol[n->jrn_cur], size, true, IRIS_EV_JOURNAL_DONE, n->epoch);
	}
}

/* Durable for a synchronous commit: flushed locally and, with an Active backup, received
 * by it (iris.md §1.2). */
static double effective_durable(const struct iris_node *n)
{
	return n->ack_required && n->acked_seq < n->durable_seq ? n->acked_seq : n->durable_seq;
}

static void release_waiters(struct iris_node *n)
{
	double durable = effective_durable(n);
	struct iris_request *keep = NULL, *rq = n->waiters;
	n->waiters = NULL;
	while (rq) {
		struct iris_request *next = rq->next;
		if (rq->journal_seq <= durable) {
			rq->next = NULL;
			finish(n, rq);
		} else {
			rq->next = keep;
			keep = rq;
		}
		rq = next;
	}
	n->waiters = keep;
}

static void release_parked(struct iris_node *n);
static void dj_dispatch(struct iris_node *n);

/* Tell the owner when the journal starts or stops holding updates (frozen or switching). */
static void report_held(struct iris_node *n)
{
	bool held = n->journal_frozen || n->jrn_switching;
	if (held == n->held_reported)
		return;
	n->held_reported = held;
	if (n->p.updates_held)
		n->p.updates_held(n->p.stuck_arg, held);
}

static void iris_on_journal_done(struct sim_entity *self, const struct sim_event *ev)
{
	struct iris_node *n = self->state;
	const struct volume_completion *c = sim_event_payload(ev);
	if (c->tag != n->epoch || !n->running)
		return; /* a flush of an instance that has since stopped */
	if (c->error)
		n->flush_failed = true;
	if (--n->flush_parts > 0)
		return;
	if (n->flush_failed) {
		n->flush_failed = false;
		n->flushing_upto = n->durable_seq;
		int cur = n->jrn_cur, other = 1 - cur;
		n->jrn_failed[cur] = true;
		if (n->jrn_vol[other] && !n->jrn_failed[other] && !n->journal_frozen) {
			/* The current directory is unwritable: IRIS switches to the other one
			 * (iris-2.md §1); updates pause while it does. */
			n->jrn_switching = true;
			uint32_t epoch = n->epoch;
			sim_schedule_in(self->engine, self, n->cfg->journal_switch_time,
					IRIS_EV_JRN_SWITCHED, &epoch, sizeof(epoch));
			report_held(n);
			return;
		}
		/* Both directories failed: journaled updates freeze; the periodic sync retries
		 * the write, alternating between the directories, and the first one that
		 * succeeds thaws them. */
		if (!n->journal_frozen)
			n->stats.journal_freezes++;
		n->journal_frozen = true;
		if (n->jrn_vol[other])
			n->jrn_cur = other;
		report_held(n);
		return;
	}
	n->jrn_failed[n->jrn_cur] = false;
	bool thawed = n->journal_frozen;
	n->journal_frozen = false;
	n->stats.journal_flushes++;
	n->stats.journal_bytes += n->flushing_upto - n->durable_seq;
	n->durable_seq = n->flushing_upto;
	if (n->p.flushed)
		n->p.flushed(n->p.done_arg, n->durable_seq);
	release_waiters(n);
	if (n->waiters || n->appended_seq - n->durable_seq >= n->cfg->journal_buffer_size ||
	    (n->receiving && n->appended_seq > n->durable_seq))
		journal_flush(n);
	if (n->receiving)
		dj_dispatch(n);
	if (thawed) {
		report_held(n);
		release_parked(n);
	}
}

static void iris_on_jrn_switched(struct sim_entity *self, const struct sim_event *ev)
{
	struct iris_node *n = self->state;
	if (*(const uint32_t *)sim_event_payload(ev) != n->epoch || !n->running)
		return; /* the instance stopped meanwhile */
	n->jrn_switching = false;
	n->jrn_cur = 1 - n->jrn_cur;
	n->stats.journal_switches++;
	report_held(n);
	journal_flush(n);
	release_parked(n);
}

static void iris_on_journal_timer(struct sim_entity *self, const struct sim_event *ev)
{
	struct iris_node *n = self->state;
	(void)ev;
	if (n->running)
		journal_flush(n);
	sim_schedule_in(self->engine, self, n->cfg->journal_sync_interval, IRIS_EV_JOURNAL_TIMER,
			NULL, 0);
}

/* --- write daemon --------------------------------------------------------------------------- */

static void wd_submit_more(struct iris_node *n)
{
	struct volume_logical *v = n->wd_phase == WD_WIJ ? n->p.wij : n->p.db;
	double size = n->wd_phase == WD_WIJ ? n->cfg->journal_io_size : n->cfg->block_size;
	while (!n->wd_error && n->wd_to_submit > 0 &&
	       n->wd_outstanding < (uint32_t)n->cfg->write_daemon_queue_depth) {
		n->wd_to_submit--;
		n->wd_outstanding++;
		submit_io(n, v, n->wd_to_submit > 0 ? size : n->wd_last_io, true, IRIS_EV_WD_IO_DONE,
			  n->epoch);
	}
}

static void wd_start_phase(struct iris_node *n, enum wd_phase phase)
{
	n->wd_phase = phase;
	if (phase == WD_WIJ) {
		/* The dirty blocks in IOs of journal_io_size, the last one carrying the
		 * remainder (as a journal flush does). */
		double bytes = (double)n->wd_cycle_blocks * n->cfg->block_size;
		n->wd_to_submit = (uint64_t)ceil(bytes / n->cfg->journal_io_size);
		n->wd_last_io = n->wd_to_submit
					? bytes - n->cfg->journal_io_size * (double)(n->wd_to_submit - 1)
					: 0;
	} else if (phase == WD_DB) {
		n->wd_to_submit = n->wd_cycle_blocks;
		n->wd_last_io = n->cfg->block_size;
	}
	wd_submit_more(n);
}

static void iris_on_wd_io_done(struct sim_entity *self, const struct sim_event *ev)
{
	struct iris_node *n = self->state;
	const struct volume_completion *c = sim_event_payload(ev);
	if (c->tag != n->epoch)
		return; /* a write of an instance that has since stopped */
	n->wd_outstanding--;
	if (c->error) {
		/* Written again after the retry interval; the daemon's pass cannot finish. */
		n->stats.wd_errors++;
		n->wd_to_submit++;
		if (n->wd_error_since < 0)
			n->wd_error_since = sim_now(self->engine);
		n->stuck_vol = n->wd_phase == WD_WIJ ? n->p.wij : n->p.db;
		n->wd_error = true;
		schedule_retry(n);
		return;
	}
	if (n->wd_error_since >= 0 && !n->wd_error) {
		n->wd_error_since = -1;
		if (n->io_stuck) {
			n->io_stuck = false;
			if (n->p.stuck)
				n->p.stuck(n->p.stuck_arg, false);
		}
	}
	wd_submit_more(n);
	if (n->wd_outstanding > 0 || n->wd_to_submit > 0)
		return;
	if (n->wd_phase == WD_WIJ) {
		wd_start_phase(n, WD_DB);
	} else {
		n->stats.wd_cycles++;
		n->stats.wd_blocks += n->wd_cycle_blocks;
		n->wd_phase = WD_IDLE;
	}
}

/* The retry interval after a failed write-daemon IO has passed: write again, or (stuck and
 * stopped) probe the failing volume. */
static void iris_on_wd_retry(struct sim_entity *self, const struct sim_event *ev)
{
	struct iris_node *n = self->state;
	(void)ev;
	if (n->running && n->wd_error) {
		n->wd_error = false;
		if (!n->io_stuck && n->wd_error_since >= 0 &&
		    sim_now(self->engine) - n->wd_error_since >= n->cfg->db_error_freeze_after) {
			n->io_stuck = true;
			if (n->p.stuck)
				n->p.stuck(n->p.stuck_arg, true); /* may stop the instance, which
								   * then schedules the probes */
		}
		if (n->running)
			wd_submit_more(n);
		return;
	}
	if (!n->running && n->io_stuck && n->stuck_vol)
		submit_io(n, n->stuck_vol, n->cfg->block_size, true, IRIS_EV_PROBE_DONE, n->epoch);
}

static void iris_on_probe_done(struct sim_entity *self, const struct sim_event *ev)
{
	struct iris_node *n = self->state;
	const struct volume_completion *c = sim_event_payload(ev);
	if (c->tag != n->epoch || n->running || !n->io_stuck)
		return;
	if (c->error) {
		schedule_retry(n);
		return;
	}
	n->io_stuck = false;
	n->wd_error_since = -1;
	if (n->p.stuck)
		n->p.stuck(n->p.stuck_arg, false);
}

static void iris_on_wd_timer(struct sim_entity *self, const struct sim_event *ev)
{
	struct iris_node *n = self->state;
	(void)ev;
	sim_schedule_in(self->engine, self, n->cfg->write_daemon_cycle, IRIS_EV_WD_TIMER, NULL, 0);
	if (!n->running || n->frozen)
		return; /* ExternalFreeze stops physical database writes (iris.md §7) */
	journal_flush(n); /* each write-daemon cycle syncs the journal (iris.md §6) */
	if (n->wd_phase != WD_IDLE || n->dirty_blocks == 0)
		return;
	n->wd_cycle_blocks = n->dirty_blocks;
	n->dirty_blocks = 0;
	wd_start_phase(n, WD_WIJ);
}

/* --- requests ------------------------------------------------------------------------------- */

static void read_next(struct iris_node *n, struct iris_request *rq)
{
	if (rq->misses_left == 0) {
		after_reads(n, rq);
		return;
	}
	rq->misses_left--;
	n->stats.physical_reads++;
	if (n->p.fetch) {
		n->p.fetch(n->p.done_arg, rq);
		return;
	}
	submit_io(n, n->p.db, n->cfg->block_size, false, IRIS_EV_READ_DONE, (uint64_t)(uintptr_t)rq);
}

static void iris_on_read_done(struct sim_entity *self, const struct sim_event *ev)
{
	struct iris_node *n = self->state;
	const struct volume_completion *c = sim_event_payload(ev);
	struct iris_request *rq = (struct iris_request *)(uintptr_t)c->tag;
	if (rq->epoch != n->epoch) {
		lose(n, rq);
		return;
	}
	if (c->error) {
		/* The database volume failed the read: the request ends with an error. */
		n->stats.read_errors++;
		rq->failed = true;
		finish(n, rq);
		return;
	}
	read_next(n, rq);
}

void iris_node_fetched(struct iris_node *n, struct iris_request *rq)
{
	if (rq->epoch != n->epoch) {
		lose(n, rq);
		return;
	}
	read_next(n, rq);
}

static bool is_update(const struct iris_request *rq)
{
	return rq->writes > 0 || rq->journal_bytes > 0 || rq->sync_commit;
}

static void after_reads(struct iris_node *n, struct iris_request *rq)
{
	if (is_dj(n, rq)) { /* applying received journal: no journal of its own, never paused */
		n->dirty_blocks += rq->writes;
		n->dirtied_total += rq->writes; /* a backup of this member copies what it applied */
		dj_done(n, rq);
		return;
	}
	if ((n->writes_paused || n->updates_suspended || journal_stalled(n)) && is_update(rq)) {
		rq->next = NULL;
		if (n->paused_tail)
			n->paused_tail->next = rq;
		else
			n->paused_head = rq;
		n->paused_tail = rq;
		return;
	}
	n->dirty_blocks += rq->writes;
	n->dirtied_total += rq->writes;
	n->updates_total += is_update(rq);
	n->appended_seq += rq->journal_bytes;
	n->records_total += rq->writes;
	n->journal_bytes_total += rq->journal_bytes;
	rq->journal_seq = n->appended_seq;
	if (rq->sync_commit) {
		if (rq->journal_seq <= effective_durable(n)) {
			finish(n, rq);
			return;
		}
		rq->next = n->waiters;
		n->waiters = rq;
		journal_flush(n);
		return;
	}
	if (n->appended_seq - n->durable_seq >= n->cfg->journal_buffer_size)
		journal_flush(n);
	finish(n, rq);
}

static void cpu_start(struct iris_node *n, struct iris_request *rq)
{
	n->cpu_busy++;
	set_cpu_tw(n);
	void *p = rq;
	sim_schedule_in(n->self->engine, n->self, sim_time_from_s(rq->cpu_s), IRIS_EV_CPU_DONE, &p,
			sizeof(p));
}

static void iris_on_cpu_done(struct sim_entity *self, const struct sim_event *ev)
{
	struct iris_node *n = self->state;
	struct iris_request *rq = *(struct iris_request *const *)sim_event_payload(ev);
	if (rq->epoch != n->epoch) {
		lose(n, rq); /* served by an instance that has since stopped */
		return;
	}
	n->cpu_busy--;
	if (n->cpu_head) {
		struct iris_request *next = n->cpu_head;
		n->cpu_head = next->next;
		if (!n->cpu_head)
			n->cpu_tail = NULL;
		next->next = NULL;
		n->cpu_waiting--;
		cpu_start(n, next);
	} else {
		set_cpu_tw(n);
	}
	/* Logical reads: each misses the global buffers with probability 1 - hit. */
	n->stats.block_reads += rq->block_reads;
	double hit = rq->own_hit_ratio ? rq->hit_ratio : n->p.hit_ratio;
	rq->misses_left = rq->block_reads && hit < 1
				  ? gsl_ran_binomial(self->rng, 1 - hit, rq->block_reads)
				  : 0;
	read_next(n, rq);
}

void iris_node_submit(struct iris_node *n, struct iris_request *rq)
{
	rq->next = NULL;
	rq->epoch = n->epoch;
	rq->failed = false;
	if (!n->running) {
		lose(n, rq);
		return;
	}
	if (n->cpu_busy < n->p.vcpu) {
		cpu_start(n, rq);
		return;
	}
	if (n->cpu_tail)
		n->cpu_tail->next = rq;
	else
		n->cpu_head = rq;
	n->cpu_tail = rq;
	n->cpu_waiting++;
	set_cpu_tw(n);
}

static void drop_list(struct iris_node *n, struct iris_request *rq)
{
	while (rq) {
		struct iris_request *next = rq->next;
		rq->next = NULL;
		lose(n, rq);
		rq = next;
	}
}

void iris_node_stop(struct iris_node *n)
{
	if (!n->running)
		return;
	n->running = false;
	n->epoch++;
	/* Requests on a CPU or reading a block are dropped when that completes (stale epoch);
	 * queued ones now. */
	drop_list(n, n->cpu_head);
	drop_list(n, n->waiters);
	drop_list(n, n->paused_head);
	n->cpu_head = n->cpu_tail = n->paused_head = n->paused_tail = n->waiters = NULL;
	n->cpu_waiting = 0;
	n->cpu_busy = 0;
	set_cpu_tw(n);
	/* The journal buffer's unflushed bytes die with the instance. */
	n->appended_seq = n->durable_seq;
	n->flushing_upto = n->durable_seq;
	n->flush_parts = 0;
	/* Batches being applied are lost with the instance; what they held is applied again
	 * from the journal when it runs again (busy slots free when their stale events end). */
	n->dj_dispatched -= n->dj_in_flight;
	n->dj_in_flight = 0;
	n->dj_paused = false;
	n->flush_failed = false;
	n->journal_frozen = false;
	n->jrn_switching = false;
	report_held(n);
	n->wd_phase = WD_IDLE;
	n->wd_outstanding = 0;
	n->wd_to_submit = 0;
	n->wd_error = false;
	if (!n->io_stuck)
		n->wd_error_since = -1;
	else /* keep probing the failing volume */
		schedule_retry(n);
	n->writes_paused = false;
}

void iris_node_restart(struct iris_node *n)
{
	n->running = true;
	/* A restarted instance starts afresh: its write daemon finds out again. */
	n->io_stuck = false;
	n->wd_error_since = -1;
}

bool iris_node_running(const struct iris_node *n) { return n->running; }


void iris_node_set_backup_ack(struct iris_node *n, bool required)
{
	/* A backup becomes Active with what it has acknowledged (iris_node_backup_acked; the
	 * mirror reports what a caught-up backup has written), not with everything durable
	 * here: what it lacks is still waited for. */
	n->ack_required = required;
	release_waiters(n);
	if (n->running) {
		journal_flush(n);
		release_parked(n);
	}
}

void iris_node_backup_acked(struct iris_node *n, double upto)
{
	if (upto > n->acked_seq)
		n->acked_seq = upto;
	release_waiters(n);
	if (n->running) {
		journal_flush(n);
		release_parked(n);
	}
}

void iris_node_pause_writes(struct iris_node *n, bool paused)
{
	n->writes_paused = paused;
	if (!paused)
		release_parked(n);
}

/* Resume parked updates, in order, while neither trouble nor a stalled journal holds them. */
static void release_parked(struct iris_node *n)
{
	if (n->writes_paused || n->updates_suspended || journal_stalled(n) || !n->paused_head)
		return;
	struct iris_request *rq = n->paused_head;
	n->paused_head = n->paused_tail = NULL;
	while (rq && !n->writes_paused && !n->updates_suspended && !journal_stalled(n)) {
		struct iris_request *next = rq->next;
		rq->next = NULL;
		after_reads(n, rq);
		rq = next;
	}
	if (rq) { /* held again: keep the rest in order */
		struct iris_request *tail = rq;
		while (tail->next)
			tail = tail->next;
		tail->next = n->paused_head;
		n->paused_head = rq;
		if (!n->paused_tail)
			n->paused_tail = tail;
	}
}

void iris_node_freeze(struct iris_node *n, bool frozen) { n->frozen = frozen; }

void iris_node_suspend_updates(struct iris_node *n, bool suspended)
{
	n->updates_suspended = suspended;
	if (!suspended && n->running)
		release_parked(n);
}

double iris_node_dirty_bytes(const struct iris_node *n)
{
	uint64_t blocks = n->dirty_blocks + (n->wd_phase != WD_IDLE ? n->wd_cycle_blocks : 0);
	return (double)blocks * n->cfg->block_size;
}

uint64_t iris_node_blocks_dirtied(const struct iris_node *n) { return n->dirtied_total; }
uint64_t iris_node_updates(const struct iris_node *n) { return n->updates_total; }

double iris_node_journal_appended(const struct iris_node *n) { return n->appended_seq; }
double iris_node_journal_durable(const struct iris_node *n) { return n->durable_seq; }

void iris_node_journal_receive(struct iris_node *n, double upto, double records_per_byte)
{
	if (!n->running)
		return;
	if (records_per_byte >= 0)
		n->records_per_byte = records_per_byte;
	if (!n->receiving) { /* the first arrival since a reset: applied up to here */
		n->receiving = true;
		n->dj_dispatched = n->durable_seq;
	}
	if (upto <= n->appended_seq)
		return;
	n->appended_seq = upto;
	journal_flush(n); /* written as it arrives (one write per shipment) */
}

void iris_node_journal_reset(struct iris_node *n, double position)
{
	n->appended_seq = n->durable_seq = n->flushing_upto = n->acked_seq = position;
	n->receiving = false;
	n->dj_dispatched = position;
	n->dj_in_flight = 0;
	n->dj_records_frac = 0;
}

double iris_node_records_per_byte(const struct iris_node *n)
{
	return n->journal_bytes_total > 0 ? n->records_total / n->journal_bytes_total : 0;
}

double iris_node_journal_applied(const struct iris_node *n)
{
	return n->receiving ? n->dj_dispatched - n->dj_in_flight : n->durable_seq;
}

double iris_node_dejournal_backlog(const struct iris_node *n)
{
	if (!n->receiving)
		return 0;
	double b = n->appended_seq - iris_node_journal_applied(n);
	return b > 0 ? b : 0;
}

void iris_node_set_dejournal(struct iris_node *n, const struct iris_dejournal_params *p)
{
	n->dj = *p;
	if (n->dj.updaters > IRIS_DEJOURNAL_UPDATERS_MAX)
		n->dj.updaters = IRIS_DEJOURNAL_UPDATERS_MAX;
	if (n->dj.updaters > n->p.vcpu)
		n->dj.updaters = n->p.vcpu;
	if (n->dj.updaters < 1)
		n->dj.updaters = 1;
}

/* --- dejournaling ------------------------------------------------------------------------------ */

static void dj_note_backlog(struct iris_node *n)
{
	double b = iris_node_dejournal_backlog(n);
	if (b > n->stats.dejournal_backlog_max)
		n->stats.dejournal_backlog_max = b;
}

/* Hand the journal written locally but not yet applied to free updaters, one batch each. */
static void dj_dispatch(struct iris_node *n)
{
	dj_note_backlog(n);
	if (!n->running || !n->receiving || n->dj_paused || n->dj.batch_bytes <= 0) {
		if (n->dj.applied)
			n->dj.applied(n->dj.arg);
		return;
	}
	int busy = 0;
	for (int k = 0; k < IRIS_DEJOURNAL_UPDATERS_MAX; k++)
		busy += n->dj_req_busy[k];
	for (int k = 0; k < IRIS_DEJOURNAL_UPDATERS_MAX && busy < n->dj.updaters; k++) {
		double avail = n->durable_seq - n->dj_dispatched;
		if (avail <= 0)
			break;
		if (n->dj_req_busy[k])
			continue;
		double bytes = avail < n->dj.batch_bytes ? avail : n->dj.batch_bytes;
		double records = bytes * n->records_per_byte + n->dj_records_frac;
		uint32_t whole = (uint32_t)floor(records);
		n->dj_records_frac = records - whole;
		n->dj_dispatched += bytes;
		if (whole == 0)
			continue; /* no set or kill in it (commit records): applied at once */
		struct iris_request *rq = &n->dj_reqs[k];
		memset(rq, 0, sizeof(*rq));
		/* Each record updates one block: read through the global buffers (misses from the
		 * database volume), changed on a CPU, dirtied for the write daemon. */
		rq->cpu_s = whole * n->dj.cpu_per_record;
		rq->block_reads = whole;
		rq->writes = whole;
		n->dj_req_bytes[k] = bytes;
		n->dj_req_busy[k] = true;
		n->dj_in_flight += bytes;
		busy++;
		iris_node_submit(n, rq);
	}
	if (n->dj.applied)
		n->dj.applied(n->dj.arg);
}

static void dj_done(struct iris_node *n, struct iris_request *rq)
{
	int k = (int)(rq - n->dj_reqs);
	n->dj_req_busy[k] = false;
	n->dj_in_flight -= n->dj_req_bytes[k];
	if (rq->failed) {
		/* A database read failed: dejournaling of it pauses and the batch is applied
		 * again after the retry interval (iris-2.md §2: it pauses for the database). */
		n->dj_dispatched -= n->dj_req_bytes[k];
		if (!n->dj_paused) {
			n->dj_paused = true;
			uint32_t epoch = n->epoch;
			sim_schedule_in(n->self->engine, n->self, n->cfg->io_retry_interval,
					IRIS_EV_DJ_RETRY, &epoch, sizeof(epoch));
		}
		return;
	}
	n->stats.dejournal_records += rq->writes;
	dj_dispatch(n);
}

static void dj_lost(struct iris_node *n, struct iris_request *rq)
{
	/* A batch of an instance that has since stopped: its state was reset at the stop. */
	n->dj_req_busy[rq - n->dj_reqs] = false;
}

static void iris_on_dj_retry(struct sim_entity *self, const struct sim_event *ev)
{
	struct iris_node *n = self->state;
	(void)ev;
	n->dj_paused = false;
	dj_dispatch(n);
}

static const sim_handler_fn iris_handlers[IRIS_EV_COUNT] = {
	[IRIS_EV_CPU_DONE] = iris_on_cpu_done,
	[IRIS_EV_READ_DONE] = iris_on_read_done,
	[IRIS_EV_JOURNAL_DONE] = iris_on_journal_done,
	[IRIS_EV_JOURNAL_TIMER] = iris_on_journal_timer,
	[IRIS_EV_WD_TIMER] = iris_on_wd_timer,
	[IRIS_EV_WD_IO_DONE] = iris_on_wd_io_done,
	[IRIS_EV_WD_RETRY] = iris_on_wd_retry,
	[IRIS_EV_PROBE_DONE] = iris_on_probe_done,
	[IRIS_EV_JRN_SWITCHED] = iris_on_jrn_switched,
	[IRIS_EV_DJ_RETRY] = iris_on_dj_retry,
};
static const struct sim_entity_type iris_node_type = {
	.name = "iris_node",
	.state_size = sizeof(struct iris_node),
	.handlers = iris_handlers,
	.handler_count = IRIS_EV_COUNT,
};

struct iris_node *iris_node_new(struct sim_engine *e, const char *name,
				const struct iris_node_config *cfg,
				const struct iris_node_params *p)
{
	struct sim_entity *ent = sim_entity_new(e, &iris_node_type, name);
	if (!ent)
		return NULL;
	struct iris_node *n = ent->state;
	n->self = ent;
	n->cfg = cfg;
	n->p = *p;
	if (!n->p.wij)
		n->p.wij = n->p.db;
	n->jrn_vol[0] = n->p.journal;
	n->jrn_vol[1] = n->p.journal_alt != n->p.journal ? n->p.journal_alt : NULL;
	n->wd_error_since = -1;
	n->running = true;
	stat_timeweighted_init(&n->cpu_busy_tw, sim_now(e), 0);
	stat_timeweighted_init(&n->cpu_busy_all, sim_now(e), 0);
	stat_timeweighted_init(&n->cpu_queue_tw, sim_now(e), 0);
	return n;
}

void iris_node_start(struct iris_node *n)
{
	struct sim_engine *e = n->self->engine;
	sim_schedule_in(e, n->self, n->cfg->journal_sync_interval, IRIS_EV_JOURNAL_TIMER, NULL, 0);
	sim_schedule_in(e, n->self, n->cfg->write_daemon_cycle, IRIS_EV_WD_TIMER, NULL, 0);
}

void iris_node_stats(const struct iris_node *n, struct iris_node_stats *out)
{
	sim_time now = sim_now(n->self->engine);
	*out = n->stats;
	out->cpu_utilisation = stat_timeweighted_mean(&n->cpu_busy_tw, now) / n->p.vcpu;
	out->cpu_queue_mean = stat_timeweighted_mean(&n->cpu_queue_tw, now);
}

void iris_node_stats_reset(struct iris_node *n)
{
	sim_time now = sim_now(n->self->engine);
	memset(&n->stats, 0, sizeof(n->stats));
	stat_timeweighted_init(&n->cpu_busy_tw, now, n->cpu_busy);
	stat_timeweighted_init(&n->cpu_queue_tw, now, n->cpu_waiting);
}

struct sim_entity *iris_node_entity(struct iris_node *n) { return n->self; }

double iris_node_cpu_seconds(const struct iris_node *n)
{
	return stat_timeweighted_integral(&n->cpu_busy_all, sim_now(n->self->engine));
}
