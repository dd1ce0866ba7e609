/* backup.c: scheduled backups of an IRIS instance (see backup.h).
 *
 * Invariants:
 * - At most one backup of a schedule runs at a time; a start that finds the previous one
 *   still running is skipped (counted as started and abandoned).
 * - The write daemon is frozen exactly while `frozen`; updates are suspended only while
 *   frozen (released at the thaw at the latest).
 */
#include "backup.h"

#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const backup_method_names[] = {"external_ebs_snapshot", "external_lvm_snapshot",
					   "online", NULL};
const char *const backup_incident_kinds[] = {"backup_external_ebs_snapshot",
					     "backup_external_lvm_snapshot", "backup_online", NULL};
const char *const backup_timeout_action_names[] = {"failover", "pause", NULL};

static const struct field backup_fields[] = {
	{FIELD_AT(struct backup_config, host), .type = FIELD_STRING, .flags = FIELD_REQUIRED,
	 .help = "the data host whose databases are backed up (a mirror member or a standalone "
		 "data host)"},
	{FIELD_AT(struct backup_config, method), .type = FIELD_ENUM,
	 .enum_names = backup_method_names, .flags = FIELD_REQUIRED,
	 .help = "external_ebs_snapshot (ExternalFreeze, EBS snapshots, thaw), "
		 "external_lvm_snapshot (ExternalFreeze, LVM snapshot, thaw, copy) or online "
		 "(IRIS online backup passes)",
	 .source = "iris.md §7 (GCDI_backup_methods_ext): external backup is the recommended "
		   "method; online backup [DI] §4.3.2"},
	{FIELD_AT(struct backup_config, start), .type = FIELD_DURATION, .def = "0s",
	 .help = "first backup, from the beginning of the run"},
	{FIELD_AT(struct backup_config, interval), .type = FIELD_DURATION, .def = "0s",
	 .help = "time between the starts of successive backups; 0s: only once"},
	{FIELD_AT(struct backup_config, freeze_timeout), .type = FIELD_DURATION, .def = "600s",
	 .min = "1s", .max = "1200s",
	 .help = "ExternalFreezeTimeOut: a freeze lasting longer suspends every update until the "
		 "thaw",
	 .source = "iris-2.md §4: ExternalFreezeTimeOut default 600 s, at most 1200 s; iris.md §0"},
	{FIELD_AT(struct backup_config, timeout_action), .type = FIELD_ENUM,
	 .enum_names = backup_timeout_action_names, .def = "failover",
	 .help = "what a freeze past freeze_timeout does on a mirror primary: failover (the "
		 "instance counts as hung, its backup takes over, the backup is abandoned) or pause "
		 "(updates wait for the thaw)",
	 .source = "iris.md §7: on a mirror primary a freeze that suspends updates past "
		   "ExternalFreezeTimeOut may fail over ([DI] §4.3.1); that it does is an "
		   "assumption (the primary detecting it is hung, HA §3.3.3.1)"},
	{FIELD_AT(struct backup_config, snapshot_freeze), .type = FIELD_DURATION, .def = "10s",
	 .min = "0s", .max = "1h",
	 .help = "external_ebs_snapshot: how long the freeze lasts (until the snapshots of the "
		 "database volumes are initiated)",
	 .source = "aws-2.md §4: a snapshot is point-in-time when requested and completes in "
		   "the pending state while the volume stays usable; the 10 s (freeze script and "
		   "CreateSnapshots call) is an assumption"},
	{FIELD_AT(struct backup_config, snapshot_rate), .type = FIELD_QUANTITY,
	 .units = UNITS_BANDWIDTH, .def = "100MiB/s", .min = "1MiB/s", .max = "100GiB/s",
	 .help = "external_ebs_snapshot: rate at which a pending snapshot's changed data "
		 "reaches S3 (the snapshot is complete after it)",
	 .source = "assumption: aws-2.md §4 finds no AWS creation throughput (pending 'can take "
		   "several hours'); 100 MiB/s is the low end of the provisioned initialization "
		   "rate, used as an order of magnitude"},
	{FIELD_AT(struct backup_config, lvm_snapshot_time), .type = FIELD_DURATION, .def = "5s",
	 .min = "0s", .max = "1h",
	 .help = "external_lvm_snapshot: how long the freeze lasts (creating the LVM snapshot)",
	 .source = "assumption: an LVM snapshot is copy-on-write metadata, created in seconds; "
		   "no published figure"},
	{FIELD_AT(struct backup_config, copy_rate), .type = FIELD_QUANTITY,
	 .units = UNITS_BANDWIDTH, .def = "380MB/s", .min = "1MB/s", .max = "100GB/s",
	 .help = "external_lvm_snapshot copy and online passes: the most they read per second "
		 "(the database volume's limits apply too)",
	 .source = "iris-2.md §4: an online backup copied 14,083 blocks in 0.287 s (about "
		   "380 MB/s, one small instance, illustrative); no typical rate is published"},
	{FIELD_AT(struct backup_config, database_size), .type = FIELD_QUANTITY,
	 .units = UNITS_SIZE, .def = "0B",
	 .help = "in-use database bytes copied by a full copy or pass 1; 0B: the database "
		 "volume's size (every stripe member)"},
	{FIELD_AT(struct backup_config, passes), .type = FIELD_INT, .def = "3", .min = "2",
	 .max = "20", .help = "online: passes, the last with the write daemon suspended",
	 .source = "iris.md §0: online backup passes, usually 3 ([DI] §4.3.2)"},
	{FIELD_AT(struct backup_config, io_size), .type = FIELD_QUANTITY, .units = UNITS_SIZE,
	 .def = "256KiB", .min = "4KiB", .max = "16MiB",
	 .help = "bytes per read IO of a copy or pass",
	 .source = "modelling choice: EBS counts SSD IOs up to 256 KiB as one (aws.md §2a)"},
	{FIELD_AT(struct backup_config, queue_depth), .type = FIELD_INT, .def = "8", .min = "1",
	 .max = "1024", .help = "read IOs of a copy or pass outstanding at once",
	 .source = "modelling choice"},
	{FIELD_AT(struct backup_config, restore), .type = FIELD_BOOL, .def = "false",
	 .help = "when the host is lost (fault host_lost), restore a replacement from the last "
		 "complete backup plus the journal kept off the host"},
	{FIELD_AT(struct backup_config, restore_delay), .type = FIELD_DURATION, .def = "30m",
	 .min = "0s", .max = "30d",
	 .help = "restore: from the loss until an operator starts the restore",
	 .source = "assumption (runbook-dependent), twice dr_promotion_delay's 15 min: deciding "
		   "that the region will not come back"},
	{FIELD_AT(struct backup_config, fast_snapshot_restore), .type = FIELD_BOOL,
	 .def = "false",
	 .help = "restore: the snapshots have fast snapshot restore in the target AZ (volumes "
		 "fully initialized at creation)",
	 .source = "aws-2.md §4: FSR volumes are fully initialized at creation ($0.75 per "
		   "DSU-hour, 60 min per TiB to optimize)"},
	{FIELD_AT(struct backup_config, initialization_rate), .type = FIELD_QUANTITY,
	 .units = UNITS_BANDWIDTH, .def = "300MiB/s", .min = "1MiB/s", .max = "100GiB/s",
	 .help = "restore without FSR: rate at which a volume created from a snapshot is "
		 "initialized before IRIS serves from it",
	 .source = "aws-2.md §4: Provisioned Rate for Volume Initialization 100-300 MiB/s "
		   "(without it the default rate varies and completion is unpredictable); that "
		   "IRIS waits for full initialization is an assumption"},
	{FIELD_AT(struct backup_config, journal_copy_interval), .type = FIELD_DURATION,
	 .def = "0s", .min = "0s", .max = "30d",
	 .help = "restore: journal files copied off the host (e.g. to S3) this often; 0s: the "
		 "journal is only on the host's volumes and is lost with it"},
	{FIELD_AT(struct backup_config, journal_replay_rate), .type = FIELD_QUANTITY,
	 .units = UNITS_BANDWIDTH, .def = "20MB/s", .min = "100kB/s", .max = "10GB/s",
	 .help = "restore: rate at which the journal after the backup is replayed",
	 .source = "assumption: iris-2.md §4 finds no published journal restore rate (a "
		   "database restore example ran at about 4.7 MB/s; up to 16 parallel updaters)"},
};
const struct field_table backup_config_table =
	FIELD_TABLE_OF("backup", "A backup schedule of one data host.", struct backup_config,
		       backup_fields);

enum {
	BK_EV_START,
	BK_EV_THAW,
	BK_EV_TIMEOUT,
	BK_EV_POLL,
	BK_EV_IO_DONE,
	BK_EV_PACE,
	BK_EV_SNAPSHOT_DONE,
	BK_EV_JRN_COPY,
	BK_EV_RESTORE_START,
	BK_EV_RESTORED,
	BK_EV_COUNT
};

enum bk_phase { BK_IDLE, BK_FROZEN, BK_COPY, BK_PENDING };

struct backup {
	struct sim_entity *self;
	const struct backup_config *cfg;
	int host;
	struct iris_node *node;
	struct volume_logical *db;
	const struct iris_node_config *iris;
	struct backup_hooks h;
	const struct obs *obs;
	double db_bytes;           /* in-use bytes copied by a full copy / pass 1 */

	enum bk_phase phase;
	int incident;              /* this backup's incident, -1 when none */
	bool frozen;               /* write daemon frozen by us */
	bool suspended;            /* updates suspended by us */
	bool hung;                 /* instance made hung by us (timeout_action failover) */
	bool abandoned;            /* the running backup will not complete */
	sim_time frozen_at, suspended_at, point;
	int pass;                  /* online: 1..passes; 0 for an LVM copy */
	uint64_t dirtied_mark;     /* blocks dirtied at the start of the current pass */
	double to_read;            /* bytes of the copy or pass not yet submitted */
	uint32_t outstanding;      /* read IOs in flight */
	uint32_t epoch;            /* bumped per backup: stale IOs and timers drop */
	sim_time next_io;          /* pacing: earliest start of the next read IO */
	struct sim_handle pace, poll, timeout;
	uint64_t snap_dirtied;     /* EBS: blocks dirtied at the last snapshot */
	bool had_snapshot;
	/* journal position and updates at the running backup's point, the last complete
	 * backup's, and the last journal copy */
	double point_jrn, last_jrn, copy_jrn;
	uint64_t point_upd, last_upd, copy_upd;
	sim_time copy_at;          /* last journal copy; -1: none */
	bool lost;                 /* the host is lost: no more backups */
	double replay_bytes;       /* restore: journal to replay */

	struct backup_stats st;
};

static void note(struct backup *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct backup *b, const char *fmt, ...)
{
	char text[192], source[96];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	snprintf(source, sizeof(source), "backup %s", b->cfg->host);
	obs_timeline(b->obs, source, text);
}

static sim_time now_of(const struct backup *b) { return sim_now(b->self->engine); }

static void suspend(struct backup *b, bool on, const char *why)
{
	if (on == b->suspended)
		return;
	b->suspended = on;
	if (on && b->incident < 0 && b->h.started) /* users are affected from now on */
		b->incident = b->h.started(b->h.arg, backup_incident_kinds[b->cfg->method], b->cfg->host);
	iris_node_suspend_updates(b->node, on);
	if (b->h.updates_frozen)
		b->h.updates_frozen(b->h.arg, b->host, on);
	if (on) {
		b->suspended_at = now_of(b);
		note(b, "updates suspended: %s", why);
	} else {
		b->st.suspended_s += sim_time_to_s(now_of(b) - b->suspended_at);
		note(b, "updates resume");
	}
}

static void freeze(struct backup *b)
{
	b->frozen = true;
	b->frozen_at = now_of(b);
	iris_node_freeze(b->node, true);
	struct sim_engine *e = b->self->engine;
	uint32_t ep = b->epoch;
	b->poll = sim_schedule_in(e, b->self, SIM_S, BK_EV_POLL, &ep, sizeof(ep));
	if (b->cfg->method != BACKUP_ONLINE)
		b->timeout = sim_schedule_in(e, b->self, b->cfg->freeze_timeout, BK_EV_TIMEOUT, &ep,
					     sizeof(ep));
}

static void end_incident(struct backup *b);

static void thaw(struct backup *b)
{
	if (!b->frozen)
		return;
	struct sim_engine *e = b->self->engine;
	b->frozen = false;
	iris_node_freeze(b->node, false);
	sim_cancel(e, b->poll);
	sim_cancel(e, b->timeout);
	double s = sim_time_to_s(now_of(b) - b->frozen_at);
	if (s > b->st.freeze_s_max)
		b->st.freeze_s_max = s;
	suspend(b, false, "");
	if (b->hung) {
		b->hung = false;
		if (b->h.hung)
			b->h.hung(b->h.arg, b->host, false);
	}
	note(b, "write daemon thawed after %.1f s", s);
	end_incident(b);
}

static void end_incident(struct backup *b)
{
	if (b->incident >= 0 && b->h.ended)
		b->h.ended(b->h.arg, b->incident);
	b->incident = -1;
}

static void finish(struct backup *b)
{
	b->phase = BK_IDLE;
	if (b->abandoned) {
		b->st.abandoned++;
		note(b, "backup abandoned");
	} else {
		b->st.completed++;
		b->st.last_point = b->point;
		b->last_jrn = b->point_jrn;
		b->last_upd = b->point_upd;
		note(b, "backup complete (consistent at %.1f s)", sim_time_to_s(b->point));
	}
	end_incident(b);
}

/* --- reading (LVM copy, online passes) ------------------------------------------------------- */

static void read_more(struct backup *b)
{
	struct sim_engine *e = b->self->engine;
	while (b->to_read > 0 && b->outstanding < (uint32_t)b->cfg->queue_depth) {
		sim_time now = now_of(b);
		if (now < b->next_io) {
			if (!sim_is_pending(e, b->pace)) {
				uint32_t ep = b->epoch;
				b->pace = sim_schedule_at(e, b->self, b->next_io, BK_EV_PACE, &ep,
							  sizeof(ep));
			}
			return;
		}
		double bytes = b->to_read < b->cfg->io_size ? b->to_read : b->cfg->io_size;
		b->to_read -= bytes;
		b->outstanding++;
		b->next_io = now + sim_time_from_s(bytes / b->cfg->copy_rate);
		if (volume_submit(b->db, bytes, false, b->self, BK_EV_IO_DONE,
				  ((uint64_t)b->epoch << 32) | (uint64_t)(bytes > 0)) < 0) {
			sim_stop(e);
			return;
		}
		b->st.bytes_read += bytes;
	}
}

static void start_read(struct backup *b, double bytes)
{
	b->phase = BK_COPY;
	b->to_read = bytes > 0 ? bytes : 0;
	b->outstanding = 0;
	b->next_io = now_of(b);
	read_more(b);
}

static void start_pass(struct backup *b, int pass);

/* The copy or pass has read everything. */
static void read_done(struct backup *b)
{
	if (b->cfg->method == BACKUP_LVM_SNAPSHOT) {
		finish(b);
		return;
	}
	if (b->pass < (int)b->cfg->passes) {
		start_pass(b, b->pass + 1);
		return;
	}
	thaw(b); /* the last pass is done: the write daemon resumes */
	finish(b);
}

static void start_pass(struct backup *b, int pass)
{
	uint64_t dirtied = iris_node_blocks_dirtied(b->node);
	double changed = (double)(dirtied - b->dirtied_mark) * b->iris->block_size;
	b->dirtied_mark = dirtied;
	b->pass = pass;
	double bytes = pass == 1 ? b->db_bytes : (changed < b->db_bytes ? changed : b->db_bytes);
	if (pass == (int)b->cfg->passes) {
		/* "This is the last pass - Suspending write daemon" (iris-2.md §4); the journal
		 * marker is the backup's consistent point. */
		b->point = now_of(b);
		b->point_jrn = iris_node_journal_appended(b->node);
		b->point_upd = iris_node_updates(b->node);
		freeze(b);
		note(b, "online backup: last pass, %.0f MB, write daemon suspended", bytes / 1e6);
	} else {
		note(b, "online backup: pass %d, %.0f MB", pass, bytes / 1e6);
	}
	start_read(b, bytes);
	if (b->to_read <= 0 && b->outstanding == 0)
		read_done(b);
}

/* --- events -------------------------------------------------------------------------------------- */

static bool stale(const struct backup *b, const struct sim_event *ev)
{
	return *(const uint32_t *)sim_event_payload(ev) != b->epoch;
}

static void bk_on_start(struct sim_entity *self, const struct sim_event *ev)
{
	struct backup *b = self->state;
	(void)ev;
	if (b->cfg->interval > 0)
		sim_schedule_in(self->engine, self, b->cfg->interval, BK_EV_START, NULL, 0);
	if (b->lost)
		return;
	b->st.started++;
	if (b->phase != BK_IDLE) {
		b->st.abandoned++;
		note(b, "backup skipped: the previous one is still running");
		return;
	}
	b->epoch++;
	b->abandoned = false;
	uint32_t ep = b->epoch;
	switch ((enum backup_method)b->cfg->method) {
	case BACKUP_EBS_SNAPSHOT:
		b->phase = BK_FROZEN;
		b->point = now_of(b);
		b->point_jrn = iris_node_journal_appended(b->node);
		b->point_upd = iris_node_updates(b->node);
		freeze(b);
		note(b, "ExternalFreeze: EBS snapshots of %.0f GB requested", b->db_bytes / 1e9);
		sim_schedule_in(self->engine, self, b->cfg->snapshot_freeze, BK_EV_THAW, &ep,
				sizeof(ep));
		break;
	case BACKUP_LVM_SNAPSHOT:
		b->phase = BK_FROZEN;
		b->point = now_of(b);
		b->point_jrn = iris_node_journal_appended(b->node);
		b->point_upd = iris_node_updates(b->node);
		freeze(b);
		note(b, "ExternalFreeze: LVM snapshot");
		sim_schedule_in(self->engine, self, b->cfg->lvm_snapshot_time, BK_EV_THAW, &ep,
				sizeof(ep));
		break;
	case BACKUP_ONLINE:
		b->dirtied_mark = iris_node_blocks_dirtied(b->node);
		start_pass(b, 1);
		break;
	}
}

static void bk_on_thaw(struct sim_entity *self, const struct sim_event *ev)
{
	struct backup *b = self->state;
	if (stale(b, ev))
		return;
	thaw(b);
	if (b->cfg->method == BACKUP_LVM_SNAPSHOT) {
		b->pass = 0;
		note(b, "ExternalThaw; copying the LVM snapshot (%.0f GB)", b->db_bytes / 1e9);
		start_read(b, b->db_bytes);
		if (b->to_read <= 0 && b->outstanding == 0)
			read_done(b);
		return;
	}
	/* EBS: the snapshots are pending until their changed data is in S3. */
	uint64_t dirtied = iris_node_blocks_dirtied(b->node);
	double changed = b->had_snapshot
				 ? (double)(dirtied - b->snap_dirtied) * b->iris->block_size
				 : b->db_bytes;
	if (changed > b->db_bytes)
		changed = b->db_bytes;
	b->snap_dirtied = dirtied;
	b->had_snapshot = true;
	b->phase = BK_PENDING;
	uint32_t ep = b->epoch;
	note(b, "ExternalThaw; snapshots pending (%.0f GB to copy)", changed / 1e9);
	sim_schedule_in(self->engine, self, sim_time_from_s(changed / b->cfg->snapshot_rate),
			BK_EV_SNAPSHOT_DONE, &ep, sizeof(ep));
}

static void bk_on_snapshot_done(struct sim_entity *self, const struct sim_event *ev)
{
	struct backup *b = self->state;
	if (!stale(b, ev))
		finish(b);
}

static void bk_on_timeout(struct sim_entity *self, const struct sim_event *ev)
{
	struct backup *b = self->state;
	if (stale(b, ev) || !b->frozen)
		return;
	suspend(b, true, "the freeze passed ExternalFreezeTimeOut");
	if (b->cfg->timeout_action == BACKUP_TIMEOUT_FAILOVER && b->h.is_mirror_primary &&
	    b->h.is_mirror_primary(b->h.arg, b->host)) {
		/* The mirror fails over, which ends the backup (iris.md §7). */
		b->hung = true;
		b->abandoned = true;
		note(b, "mirror primary frozen past the timeout: counts as hung");
		if (b->h.hung)
			b->h.hung(b->h.arg, b->host, true);
	}
}

/* While frozen: the blocks the daemon cannot write fill the global buffers. */
static void bk_on_poll(struct sim_entity *self, const struct sim_event *ev)
{
	struct backup *b = self->state;
	if (stale(b, ev) || !b->frozen)
		return;
	if (!b->suspended && b->iris->global_buffers > 0 &&
	    iris_node_dirty_bytes(b->node) >= b->iris->global_buffers)
		suspend(b, true, "the global buffers are full of blocks not yet written");
	uint32_t ep = b->epoch;
	b->poll = sim_schedule_in(self->engine, self, SIM_S, BK_EV_POLL, &ep, sizeof(ep));
}

static void bk_on_io_done(struct sim_entity *self, const struct sim_event *ev)
{
	struct backup *b = self->state;
	const struct volume_completion *c = sim_event_payload(ev);
	if ((uint32_t)(c->tag >> 32) != b->epoch || b->phase != BK_COPY)
		return;
	b->outstanding--;
	if (c->error && !b->abandoned) {
		/* "An I/O error aborts the backup" (iris-2.md §4). */
		b->abandoned = true;
		b->to_read = 0;
		note(b, "read error: backup aborted");
	}
	read_more(b);
	if (b->to_read <= 0 && b->outstanding == 0) {
		if (b->abandoned) {
			thaw(b);
			finish(b);
		} else {
			read_done(b);
		}
	}
}

static void bk_on_pace(struct sim_entity *self, const struct sim_event *ev)
{
	struct backup *b = self->state;
	if (!stale(b, ev) && b->phase == BK_COPY)
		read_more(b);
}

/* --- journal copies and restore ------------------------------------------------------------- */

static void bk_on_jrn_copy(struct sim_entity *self, const struct sim_event *ev)
{
	struct backup *b = self->state;
	(void)ev;
	if (b->lost)
		return;
	/* What is durable on the host's journal volume now is copied off it. */
	b->copy_at = now_of(b);
	b->copy_jrn = iris_node_journal_durable(b->node);
	b->copy_upd = iris_node_updates(b->node);
	sim_schedule_in(self->engine, self, b->cfg->journal_copy_interval, BK_EV_JRN_COPY, NULL,
			0);
}

bool backup_host_lost(struct backup *b)
{
	if (b->lost)
		return false;
	b->lost = true;
	b->epoch++; /* a backup under way is gone with the host */
	if (b->phase != BK_IDLE) {
		b->st.abandoned++;
		b->phase = BK_IDLE;
	}
	if (b->frozen)
		iris_node_freeze(b->node, false);
	if (b->suspended)
		iris_node_suspend_updates(b->node, false);
	b->frozen = b->suspended = b->hung = false;
	end_incident(b);
	sim_time now = now_of(b);
	double jrn = iris_node_journal_appended(b->node);
	uint64_t upd = iris_node_updates(b->node);
	if (!b->cfg->restore) {
		note(b, "host lost: no restore configured");
		return false;
	}
	if (b->st.last_point < 0) {
		note(b, "host lost: no complete backup to restore from");
		if (b->h.data_lost)
			b->h.data_lost(b->h.arg, upd, jrn, sim_time_to_s(now));
		return false;
	}
	/* The recovery point: the last journal copy after the backup, else the backup. */
	bool copied = b->cfg->journal_copy_interval > 0 && b->copy_at > b->st.last_point;
	sim_time rp = copied ? b->copy_at : b->st.last_point;
	double rp_jrn = copied ? b->copy_jrn : b->last_jrn;
	uint64_t rp_upd = copied ? b->copy_upd : b->last_upd;
	b->replay_bytes = rp_jrn - b->last_jrn;
	if (b->h.data_lost)
		b->h.data_lost(b->h.arg, upd - rp_upd, jrn - rp_jrn, sim_time_to_s(now - rp));
	note(b, "host lost: restore from the backup of %.1f s%s; %llu updates after %.1f s lost",
	     sim_time_to_s(b->st.last_point), copied ? " and the journal copied off the host" : "",
	     (unsigned long long)(upd - rp_upd), sim_time_to_s(rp));
	sim_schedule_in(b->self->engine, b->self, b->cfg->restore_delay, BK_EV_RESTORE_START, NULL,
			0);
	return true;
}

static void bk_on_restore_start(struct sim_entity *self, const struct sim_event *ev)
{
	struct backup *b = self->state;
	(void)ev;
	if (b->h.operator_acted)
		b->h.operator_acted(b->h.arg);
	double init_s = b->cfg->fast_snapshot_restore ? 0 : b->db_bytes / b->cfg->initialization_rate;
	double replay_s = b->replay_bytes / b->cfg->journal_replay_rate;
	note(b, "operator restores: volumes from snapshots (%.0f s to initialize %.0f GB), then "
		"%.0f MB of journal (%.0f s)",
	     init_s, b->db_bytes / 1e9, b->replay_bytes / 1e6, replay_s);
	sim_schedule_in(self->engine, self, sim_time_from_s(init_s + replay_s), BK_EV_RESTORED,
			NULL, 0);
}

static void bk_on_restored(struct sim_entity *self, const struct sim_event *ev)
{
	struct backup *b = self->state;
	(void)ev;
	note(b, "restore done: the replacement instance serves");
	if (b->h.restored)
		b->h.restored(b->h.arg, b->host);
}

static const sim_handler_fn backup_handlers[BK_EV_COUNT] = {
	[BK_EV_START] = bk_on_start,	     [BK_EV_THAW] = bk_on_thaw,
	[BK_EV_TIMEOUT] = bk_on_timeout,     [BK_EV_POLL] = bk_on_poll,
	[BK_EV_IO_DONE] = bk_on_io_done,     [BK_EV_PACE] = bk_on_pace,
	[BK_EV_SNAPSHOT_DONE] = bk_on_snapshot_done,
	[BK_EV_JRN_COPY] = bk_on_jrn_copy,
	[BK_EV_RESTORE_START] = bk_on_restore_start,
	[BK_EV_RESTORED] = bk_on_restored,
};
static const struct sim_entity_type backup_type = {
	.name = "backup",
	.state_size = sizeof(struct backup),
	.handlers = backup_handlers,
	.handler_count = BK_EV_COUNT,
};

struct backup *backup_new(struct sim_engine *e, const struct backup_config *cfg, size_t index,
			  int host, struct iris_node *node, struct volume_logical *db,
			  double db_volume_size, const struct iris_node_config *iris,
			  const struct backup_hooks *hooks, const struct obs *obs)
{
	char name[200];
	snprintf(name, sizeof(name), "backup:%s#%zu", cfg->host, index);
	struct sim_entity *ent = sim_entity_new(e, &backup_type, name);
	if (!ent)
		return NULL;
	struct backup *b = ent->state;
	b->self = ent;
	b->cfg = cfg;
	b->host = host;
	b->node = node;
	b->db = db;
	b->iris = iris;
	b->h = *hooks;
	b->obs = obs;
	b->incident = -1;
	b->db_bytes = cfg->database_size > 0 ? cfg->database_size : db_volume_size;
	b->st.last_point = -1;
	b->copy_at = -1;
	return b;
}

void backup_free(struct backup *b) { (void)b; /* state belongs to the engine */ }

void backup_start(struct backup *b)
{
	sim_schedule_in(b->self->engine, b->self, b->cfg->start, BK_EV_START, NULL, 0);
	if (b->cfg->journal_copy_interval > 0)
		sim_schedule_in(b->self->engine, b->self, b->cfg->journal_copy_interval,
				BK_EV_JRN_COPY, NULL, 0);
}

void backup_stats(const struct backup *b, struct backup_stats *out)
{
	*out = b->st;
	if (b->suspended) /* still suspended at the end of the run */
		out->suspended_s += sim_time_to_s(sim_now(b->self->engine) - b->suspended_at);
}

const char *backup_host(const struct backup *b) { return b->cfg->host; }
