/* cluster.h: replications spread over the ranks of an MPI job (Open MPI, any launcher).
 *
 * Design note
 * - One program, two roles. Rank 0 runs the command as a single process would. Every other
 *   rank is a worker from the start (cluster_worker_main): it never reads the command line,
 *   opens no database and writes no file; it runs the replications rank 0 hands it and
 *   sends each record back (record_wire.h). Rank 0 alone stores, summarises and prints, in
 *   replication order (runner.h), so the database is the one a single process writes,
 *   table for table (the wall-clock columns aside), whatever the rank and thread counts: a
 *   replication's random streams derive from the seed, the replication index and entity
 *   names, never from where it ran.
 * - A job is one runner_run call. Rank 0 sends every worker the scenario's merged text,
 *   the catalog directory, the seed and the run's times; the worker loads the text (the
 *   same binary and catalog on every node), checks that it reads the same scenario (a hash
 *   of its merged text against rank 0's) and answers with the number of threads it runs
 *   (-j, or its cores). A scenario that cannot be loaded there fails the job.
 * - The unit of work is one replication. Rank 0's dispatcher thread keeps each worker's
 *   threads busy, sending a unit when one of them is free (dynamic assignment: fast and
 *   slow nodes balance), while rank 0's own threads take units from the same pool.
 * - Each worker sends a heartbeat every second with the progress of its running units, so
 *   rank 0's progress line and ETA cover every rank. A worker silent for
 *   TOPSIM_RANK_TIMEOUT seconds (default 60) is taken for dead: its units go back to the
 *   pool and run elsewhere (rank 0's own threads at least), so nothing is lost and nothing
 *   stored twice. Open MPI's mpirun kills the whole job when a rank dies unless started
 *   with --enable-recovery; then the database holds the complete replications only, as
 *   after an interrupt.
 * - MPI is initialised only when a launcher started the process (OMPI_COMM_WORLD_SIZE,
 *   PMI_SIZE or PMIX_RANK in the environment). A build without MPI (TOPSIM_MPI off), or a
 *   process started without a launcher, is a cluster of one and behaves as before.
 *
 * Threads: on rank 0, MPI is called by the dispatcher thread while a job runs and by the
 * calling thread otherwise, never both (MPI_THREAD_SERIALIZED); on a worker by its main
 * thread only. The wall clock is read for heartbeats and timeouts, never by simulated logic.
 */
#ifndef TOPSIM_CLUSTER_H
#define TOPSIM_CLUSTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"
#include "scenario.h"
#include "sim.h"

/* Initialise MPI when a launcher started this process. Returns 0 (a cluster of one when
 * there is no launcher or no MPI build), or -1 with a message on stderr when MPI cannot run
 * (no MPI_THREAD_SERIALIZED support). */
int cluster_init(int *argc, char ***argv);
int cluster_rank(void);
int cluster_size(void);
/* What `topsim --version` says of the build: "Open MPI 4.1.4", or "none (built without MPI)". */
const char *cluster_library(void);

/* A worker rank's life: serve jobs until rank 0 says stop. Returns the exit status. */
int cluster_worker_main(void);

/* Rank 0: stop the workers and finalise MPI, then return status (idempotent; nothing but
 * that in a cluster of one). When a rank died, the process ends here with _exit(status)
 * after flushing, without finalising: see cluster.c. */
int cluster_shutdown(int status);

/* --- the runner's side -------------------------------------------------------------------- */

struct cluster_job {
	const struct scenario *scenario; /* its file name, merged text and catalog directory
					  * go to the workers */
	uint64_t seed;
	sim_time warmup, duration, series_width;
	int threads;                 /* per worker; 0 = its cores */
	int64_t first_replication;   /* unit k runs replication first_replication + k */
};

/* The runner's pool as the dispatcher sees it. Called from the dispatcher thread. */
struct cluster_pool_ops {
	void *arg;
	/* A replication to run, without blocking: false when none can start now. */
	bool (*take)(void *arg, int64_t *rep);
	/* A replication taken earlier whose rank died: to run again elsewhere. */
	void (*give_back)(void *arg, int64_t rep);
	/* A finished replication: rc 0 with the record (moved: the pool owns it), or rc < 0
	 * with err. started_at and wall_s are the worker's wall-clock metadata. */
	void (*deliver)(void *arg, int64_t rep, int rc, struct record *rec, const char *err,
			const char *started_at, double wall_s);
	/* Progress of a running replication (fraction of its simulated time); false stops. */
	bool (*progress)(void *arg, int64_t rep, double fraction);
};

struct cluster_dispatch;

/* Rank 0, cluster_size() > 1: send the job to every worker and wait for their answers.
 * *slots: the worker threads now ready for units. Returns 0, or -EINVAL (a worker cannot
 * run the job; message in err) or -ENOMEM. */
int cluster_dispatch_start(const struct cluster_job *job, struct cluster_dispatch **out,
			   int *slots, char *err, size_t err_size);
/* Start handing out units from ops on the dispatcher thread. Returns 0 or -ENOMEM. */
int cluster_dispatch_run(struct cluster_dispatch *d, const struct cluster_pool_ops *ops);
/* Stop: units still out are cancelled on their workers, the thread joined, d freed. */
void cluster_dispatch_stop(struct cluster_dispatch *d);

#endif
