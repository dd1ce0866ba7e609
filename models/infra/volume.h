/* volume.h: EBS volumes as queues limited by IOPS and throughput.
 *
 * Each member volume is an engine entity. An IO submitted to a volume is admitted when the
 * volume's rate limits (IOPS and throughput, with gp2 burst credits) and the host's
 * instance-level EBS limits (IOPS and bandwidth, shared by every volume of the host) allow
 * it, in FIFO order; it then completes after a latency drawn from the volume type's
 * distribution. Completion is an engine event sent back to the requester. An LVM stripe set
 * spreads IOs over its member volumes (a logical volume over N members).
 *
 * Model (see docs/models.md for sources):
 *   - IOPS are counted in units of the type's maximum IO size (256 KiB for SSD, 1 MiB for
 *     HDD types): a larger IO counts as several (ceil(bytes / io_unit), at least 1). The
 *     host's IOPS limit counts the same units.
 *   - Admission is paced (generic cell rate algorithm, virtual-scheduling form): an IO may
 *     start when every limiter's theoretical arrival time minus its tolerance has passed, and
 *     then moves it on by cost / rate. The tolerance is 10 ms of the rate (30 IOs back to back
 *     at 3000 IOPS); an idle limiter always admits one IO whatever its size, so the long-run
 *     rate is exact for any IO size. Volume (IOPS, throughput) and host (IOPS, bandwidth)
 *     limiters must all allow the IO; the IO waits for the latest of them.
 *   - Order: FIFO per member volume. Members whose head IO is ready by their own limits but
 *     held by the host's limits queue at the host and are served round robin, one IO each.
 *   - gp2: baseline 3 IOPS/GiB (min 100), bursting to 3000 IOPS while the credit bucket
 *     (5.4 M credits, refilled at the baseline rate, one credit per IO unit) is not empty;
 *     volumes >= 1 TiB, or with a baseline >= the burst ceiling, do not burst. The bucket is
 *     a second IOPS limiter at the baseline rate whose tolerance is the bucket (a token
 *     bucket of depth C and rate r is a GCRA of tolerance C / r).
 *   - Latency: one draw per IO from the member's own stream, times the degraded factor; it
 *     does not depend on the IO size (the catalog's distributions are for 16 KiB SSD and
 *     1 MiB HDD IOs). Reads and writes are treated alike.
 *   - Degraded ("gray") mode multiplies the latency and scales the limits (fault injection).
 *   - A failed volume completes queued and new IOs with -EIO at once; IOs already admitted
 *     (in flight, at most one latency) complete normally.
 *
 * Events: an IO admitted at submission costs one engine event (its completion, scheduled
 * straight to the requester). An IO that has to wait costs one more (an admission event to a
 * member volume, or to the host's queue). No allocation per IO in steady state: backlogs are
 * per-member rings and split stripe IOs use a pool, both grown by doubling.
 *
 * Ownership: the volume module owns its state inside the engine's entities; a struct
 * volume_group (one per host) owns the host-level limiter and the logical volumes. Free the
 * group after the engine's last run, before or after sim_engine_free (member entities' release
 * frees only what the member owns).
 */
#ifndef TOPSIM_VOLUME_H
#define TOPSIM_VOLUME_H

#include <stdbool.h>
#include <stdint.h>

#include "sim.h"

/* Parameters of one member volume, resolved from the scenario and the catalog. */
struct volume_params {
	double size;           /* bytes */
	double iops;           /* sustained IOPS limit (provisioned or baseline), > 0;
				* INFINITY = unlimited */
	double throughput;     /* sustained B/s limit, > 0; INFINITY = unlimited */
	double io_unit;        /* bytes counted as one IO for IOPS (256 KiB SSD, 1 MiB HDD) */
	bool gp2_burst;        /* gp2 credit bucket applies */
	double burst_iops;     /* gp2: IOPS while credits last (3000) */
	double burst_credits;  /* gp2: bucket capacity and initial credits (5.4e6) */
	struct rng_dist latency; /* seconds per IO (the module copies it) */
};

/* Limits of the instance, shared by all its volumes. */
/* An EBS volume type as the AWS catalog describes it (docs/catalog.md, aws.md §2). */
struct volume_type {
	const char *name;           /* gp2, gp3, io1, io2, st1, sc1 */
	double iops_min, iops_max;  /* IOPS */
	double iops_per_gib;        /* gp2: baseline per GiB */
	double iops_baseline;       /* included IOPS (gp3); 0 when none */
	bool iops_size_scaled;      /* gp2: IOPS scale with size */
	double throughput_max;      /* B/s */
	double throughput_baseline; /* B/s included (gp3); 0 when none */
	double latency_median, latency_p99; /* s per IO */
};

/* The parameters of a volume of type t and `size` bytes with provisioned `iops` and
 * `throughput` (0: the type's default): IOPS from the type's rules (gp2 3/GiB within its
 * bounds, gp3 baseline, io1/io2 the minimum when not provisioned, HDD the maximum);
 * throughput (gp2 128 MiB/s up to 170 GiB, else 250 MiB/s: aws.md §2a); the IO unit
 * (256 KiB SSD, 1 MiB HDD); gp2 burst credits (5.4 million, to 3000 IOPS, below 1 TiB:
 * aws.md §2b); the latency distribution (lognormal through the type's median and p99). */
void volume_params_for(const struct volume_type *t, double size, double iops,
		       double throughput, struct volume_params *out /* OUT */);

struct host_ebs_params {
	double iops;           /* instance EBS IOPS limit (units as above); 0 = unlimited */
	double bandwidth;      /* instance EBS bandwidth, B/s; 0 = unlimited */
};

/* Completion: an event of kind `done_kind` to `requester` with payload
 * struct volume_completion. */
struct volume_completion {
	uint64_t tag;          /* the requester's tag, returned unchanged */
	sim_time submitted;    /* when the IO was submitted */
	int error;             /* 0, or -EIO when the volume has failed */
};

struct volume_group;   /* one per host */
struct volume_logical; /* a volume as IRIS sees it: one member, or a stripe set */

/* A group for one host's volumes on engine e. host_name and *host are copied. Returns NULL
 * on out of memory or invalid limits (negative or NaN). Free with volume_group_free, which
 * frees its logical volumes too and accepts NULL. */
struct volume_group *volume_group_new(struct sim_engine *e, const char *host_name,
				      const struct host_ebs_params *host);
void volume_group_free(struct volume_group *g);

/* Add a logical volume of `members` identical member volumes (1 = plain volume; >1 = LVM
 * stripe set with stripe unit pe_size bytes). Member entities are named "HOST/NAME" (plain)
 * or "HOST/NAME#k" (stripe members), the same names as the topology's volume nodes, so that
 * the topology's fault tree can find them; k counts from 0. A stripe set draws its member
 * choices from its own stream, seeded like an entity named "HOST/NAME" (rng_stream_new), so
 * the members' latency streams are not disturbed. *p (and its latency distribution) is
 * copied. Returns NULL on error: duplicate name or out of memory (engine error recorded), or
 * invalid parameters (no engine error: scenario checks catch those first). */
struct volume_logical *volume_add(struct volume_group *g, const char *name, int members,
				  double pe_size, const struct volume_params *p);

/* Submit an IO of `bytes` (read or write) at the current time. When it completes, `requester`
 * receives an event of kind `done_kind` with a struct volume_completion payload. Stripe
 * sets: an IO no larger than the stripe unit goes to one member chosen by offset (uniformly
 * drawn from the logical volume's stream); a larger IO is cut into ceil(bytes / pe_size)
 * stripe units laid round robin from a uniformly drawn member, the units landing on one
 * member merged into one IO there (they are contiguous on that member), and completes when
 * its last part does (-EIO if any part hit a failed member). `write` is accepted for the
 * record; reads and writes are treated alike. Returns 0, -SIM_E_INVAL (bytes not > 0 or not
 * finite, NULL argument), -SIM_E_BADKIND (done_kind has no handler in the requester's type)
 * or -SIM_E_NOMEM. */
int volume_submit(struct volume_logical *v, double bytes, bool write,
		  struct sim_entity *requester, uint32_t done_kind, uint64_t tag);

/* Degraded mode: latency multiplied by latency_factor (>= 1), IOPS and throughput limits by
 * limit_factor (0 < f <= 1). (1, 1) restores normal service. Applies to every member. The
 * limiters keep their debt in IO units and bytes (and a gp2 bucket its credits) across the
 * change. Returns 0, or -SIM_E_INVAL (nothing changed) for factors out of range. */
int volume_set_degraded(struct volume_logical *v, double latency_factor, double limit_factor);

/* A failed volume completes queued and new IOs with -EIO until repaired (failed = false).
 * Applies to every member. Returns 0, or -SIM_E_INVAL for v NULL. */
int volume_set_failed(struct volume_logical *v, bool failed);

/* Members, for faults that hit one volume of a stripe set ("HOST/NAME#k"). */
int volume_member_count(const struct volume_logical *v);
/* Member k's entity (0 <= k < count), or NULL. */
struct sim_entity *volume_member(const struct volume_logical *v, int k);
/* As volume_set_degraded / volume_set_failed, for member k only. -SIM_E_INVAL for k out of
 * range. */
int volume_member_set_degraded(struct volume_logical *v, int k, double latency_factor,
			       double limit_factor);
int volume_member_set_failed(struct volume_logical *v, int k, bool failed);

/* The logical volume named `name` (without the host prefix) in g, or NULL. */
struct volume_logical *volume_find(const struct volume_group *g, const char *name);

/* Statistics since the last reset (warm-up excluded by calling reset at its end). */
/* IOs are counted when admitted (their completion time is then known), so a window's figures
 * include IOs still in flight at its end: at most one latency's worth. */
struct volume_stats {
	uint64_t ios;           /* completed IOs (a split stripe IO counts once) */
	uint64_t errors;        /* IOs completed with -EIO */
	double bytes;           /* completed bytes */
	double busy_fraction;   /* fraction of time the limiters were the bottleneck:
				 * time with IOs waiting for admission (on any member) / elapsed */
	double mean_latency;    /* mean submit-to-completion time, s; NAN when no IO */
	double mean_wait;       /* mean time waiting for admission, s; NAN when no IO */
	double iops_utilisation; /* IO units admitted / integral of the sustained IOPS limit
				  * (sum over members of iops x limit factor) over the window;
				  * above 1 while a gp2 volume bursts */
	double burst_credits;   /* gp2 credits left now, summed over members; 0 without burst */
};
/* Figures over [last reset (or creation), now]. Cannot fail. */
void volume_stats(const struct volume_logical *v, struct volume_stats *out /* OUT */);
/* Start a new window at now (call at the end of the warm-up). It starts a new time-series
 * bucket too. Cannot fail. */
void volume_stats_reset(struct volume_logical *v);

/* The IOPS utilisation of the time-series bucket that ends now: IO units admitted since the
 * previous call (or the last reset) over the integral of the sustained IOPS limit over the
 * same span, as volume_stats' iops_utilisation is for the whole window (above 1 while a gp2
 * volume bursts); NAN when the span is empty or v is NULL. Then a new bucket starts at now.
 * The world calls it as each bucket closes (the volume_iops_utilisation series). */
double volume_bucket(struct volume_logical *v);

/* IO units admitted to member k since the last reset (0 for k out of range): how evenly a
 * stripe set spreads its load. Cannot fail. */
double volume_member_units(const struct volume_logical *v, int k);

/* "HOST/NAME", owned by v. */
const char *volume_name(const struct volume_logical *v);

#endif
