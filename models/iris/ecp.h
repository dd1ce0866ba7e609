/* ecp.h: ECP application servers and their sessions with a data server.
 *
 * Design note. The Enterprise Cache Protocol lets application servers run the users' code on
 * their own CPUs and cache the data server's blocks in their own global buffers; the data
 * server sees only what the caches cannot answer (iris.md §4, iris-2.md §6). Here:
 *
 *   - A request reaching an application server runs its CPU there and reads its blocks from
 *     the app server's buffers (an iris_node with no volumes). A miss is an ECP block
 *     request: over the network to the data server, its CPU (ecp.server_cpu) and one block
 *     read through its buffers and database volume, and back with the whole block.
 *   - Plain sets and non-synchronous commits are sent asynchronously and batched: the user
 *     is answered at once; at most one update batch is on the wire per app server, and
 *     updates made meanwhile go in the next one. A synchronous commit is an ECP request the
 *     data server answers after its journal sync (with a mirror, after the backup's ack).
 *   - The connection has a state: Not Connected, Connection in Progress, Normal, Trouble.
 *     The app server notices a lost, restarted or demoted data server through its
 *     connection: a refused request at once, otherwise at its next heartbeat, once per
 *     reconnect_interval (assumption: the heartbeat interval is not published; its phase is
 *     drawn per app server). In Trouble every ECP request, sent or new, is held; the app
 *     server retries every reconnect_interval to reach the data server (for a mirror, the
 *     member that is primary, found through the members' addresses, not a load balancer).
 *   - On reconnecting, the session's fate follows the recovery protocol (iris.md §4):
 *       same data server instance, within server_trouble_duration: recovered, the held
 *         requests complete (slow, not failed);
 *       same instance, later: the data server has reset the session: held requests get
 *         <NETWORK> and the app server's open updates roll back;
 *       a restarted data server or a new mirror primary: the app servers connected before
 *         recover their sessions if they reconnect within recovery_wait of its start, and
 *         recovery completes (their held requests resume) when all of them have, or when
 *         the wait ends; one that comes later is reset.
 *     Trouble longer than client_reconnect_duration: the app server gives up (<NETWORK>)
 *     and goes to Not Connected. A request that needs the data server then starts a
 *     connection (Connection in Progress) and waits up to connection_wait for it.
 *   - An application server's own crash drops what it holds and loses its sessions; the
 *     data server forgets them at once (it does not wait for it in a recovery).
 * Each stall's end, each request held then completed or answered <NETWORK>, each rollback and
 * each session preserved or lost is also reported as it happens (params.observe), with the
 * moment the stall began, so that the ledger can give them to an incident.
 * Every state change is on the timeline ("ecp APP" as source).
 *
 * Ownership: ecp_group_new copies nothing it is given except the params struct; the config,
 * mirror, data servers, fabric and obs must outlive the group. The group owns its app
 * servers (their entities belong to the engine). A data_req submitted with ecp_app_submit
 * belongs to the app server until it completes (svc_complete).
 */
#ifndef TOPSIM_ECP_H
#define TOPSIM_ECP_H

#include <stdbool.h>
#include <stddef.h>

#include <gsl/gsl_rng.h>

#include "dataserver.h"
#include "fabric.h"
#include "iris.h"
#include "iris_node.h"
#include "mirror.h"
#include "obs.h"
#include "sim.h"

enum ecp_state { ECP_NOT_CONNECTED, ECP_CONNECTING, ECP_NORMAL, ECP_TROUBLE };
const char *ecp_state_name(enum ecp_state s); /* "Normal", "Trouble", ... */

/* One application server of a group. */
struct ecp_app_init {
	int host;                 /* its host index */
	const char *name;         /* its host name */
	int vcpu;                 /* CPU servers */
	double hit_ratio;         /* its buffers' hit ratio, coherence misses included */
};

/* An observation for the incident ledger: a stall that ended, or what a stall (or the app
 * server's crash) did to requests, updates and sessions. `since` is when the stall began
 * (the Trouble state was entered); for what happens outside a stall (a <NETWORK> answer
 * after connection_wait, a crash in Normal) it is the moment itself. */
struct ecp_observation {
	const char *app;            /* the app server's host name */
	sim_time since;
	sim_time stall_end;         /* a stall that ended now (resumed, reset, given up); -1
				     * when the observation is not a stall's end */
	uint64_t held_completed;    /* requests held in the stall that completed */
	uint64_t network_errors;    /* requests answered <NETWORK> */
	uint64_t rolled_back;       /* updates rolled back */
	uint64_t sessions_preserved, sessions_lost;
};

struct ecp_params {
	const struct ecp_config *cfg;
	const struct iris_node_config *iris;
	struct mirror *mirror;              /* the data server is this mirror's primary, or */
	int data_host;                      /* this host (when mirror is NULL) */
	struct dataserver *const *server_of_host; /* per host: its data server or NULL */
	size_t host_count;
	struct fabric *fabric;
	const struct obs *obs;
	/* One-way network delay of `bytes` from host a to host b, drawn now from r. */
	sim_time (*delay)(void *arg, int from_host, int to_host, double bytes, gsl_rng *r);
	void *delay_arg;
	const struct ecp_app_init *apps;
	size_t app_count;
	double block_hit_ratio;   /* a block request hits the data server's buffers (below) */
	/* Told of every observation as it happens (the world wires it to the incident
	 * ledger); NULL: none. */
	void (*observe)(void *arg, const struct ecp_observation *o);
	void *observe_arg;
};

struct ecp_group;
struct ecp_app;

/* Build the group's app servers (entities "ecp:HOST" and nodes "iris:HOST"). NULL on error (engine error recorded or out of memory). */
struct ecp_group *ecp_group_new(struct sim_engine *e, const struct ecp_params *p);
void ecp_group_free(struct ecp_group *g);
/* Connect the app servers (Normal, to the mirror's primary or the data host) and start
 * their heartbeats; call after the mirror has started. */
void ecp_group_start(struct ecp_group *g);

size_t ecp_group_app_count(const struct ecp_group *g);
struct ecp_app *ecp_group_app(const struct ecp_group *g, size_t i);

/* A user's request at app server a (see the design note). r->iris holds the request's work;
 * r completes with SVC_OK, CAUSE_ECP_NETWORK, or CAUSE_NO_ANSWER when the app server's
 * instance stops with it inside. */
void ecp_app_submit(struct ecp_app *a, struct data_req *r);

enum ecp_state ecp_app_state(const struct ecp_app *a);
/* Does the app server answer a health check now (instance running, connection Normal)? */
bool ecp_app_healthy(const struct ecp_app *a);
/* A health check reaches the app server: its page needs data, so a Not Connected app server
 * starts connecting (as for any request). Returns ecp_app_healthy. */
bool ecp_app_probe(struct ecp_app *a);
/* An app server that Auto Scaling has not launched or has terminated: its instance going
 * down is not a lost session. */
void ecp_app_set_retired(struct ecp_app *a, bool retired);
bool ecp_app_retired(const struct ecp_app *a);
int ecp_app_host(const struct ecp_app *a);
struct iris_node *ecp_app_node(const struct ecp_app *a);

struct ecp_app_stats {
	uint64_t requests;          /* ECP requests sent */
	uint64_t troubles;          /* times in Trouble */
	double stall_max_s;         /* longest Trouble-to-resume-or-reset */
	uint64_t held_completed;    /* user requests held in a stall that completed */
	uint64_t network_errors;    /* user requests answered <NETWORK> */
	uint64_t rolled_back;       /* updates rolled back by a reset */
	uint64_t sessions_preserved;
	uint64_t sessions_lost;
};
void ecp_app_stats(const struct ecp_app *a, struct ecp_app_stats *out /* OUT */);
void ecp_app_stats_reset(struct ecp_app *a);
/* ECP requests data host `host` completed for this group since the last reset. */
uint64_t ecp_group_served(const struct ecp_group *g, int host);

/* Memory a data server gives to ECP control structures for app servers whose caches total
 * app_cache_bytes: 50 MB + 1% of them with 8 KB blocks, 0.5% / 0.25% / 0.125% with 16 / 32 /
 * 64 KB blocks (iris.md §4, iris-2.md §6; MB read as MiB). */
double ecp_control_bytes(double app_cache_bytes, double block_size);

/* The hit ratio of an application server's buffers (docs/models.md §ECP): `base` is the
 * hit ratio of its buffers alone; a read finds a block invalidated by another app server
 * with probability write_share * shared * (n - 1) / n, where write_share is the workload's
 * block writes per block read and shared is 1 for round-robin users, else
 * shared_block_fraction. */
double ecp_hit_ratio(double base, double write_share, const struct ecp_config *cfg,
		     size_t app_count);

/* The hit ratio of the data server's buffers for the app servers' misses. An invalidated
 * block was just updated on the data server, so it is there; a capacity miss (a block too
 * cold for the app server's buffers of hit ratio `base`) is there only if the data server's
 * larger buffers (hit ratio `server`) hold it: (server - base) / (1 - base) of them, by the
 * inclusion property of LRU buffers under one reference stream (Mattson et al., 1970).
 * `app` is the app servers' hit ratio with invalidations (ecp_hit_ratio). */
double ecp_block_hit_ratio(double base, double app, double server);

#endif
