/* svc.h: the request seam. How one model asks another to do work and learns the outcome.
 *
 * Design note. A sender embeds a struct svc_req in its own request (as libuv embeds
 * uv_req_t): the base carries the request's type, an optional parent, the work it carries
 * and a `done` callback. The sender submits it to a server (a model with a submit function
 * taking a struct svc_req *); from submit until `done` the server owns the request and the
 * sender must not touch it. The server calls svc_complete exactly once, with 0 (served) or
 * a cause from SVC_CAUSES; a second completion is a bug and aborts. A server that stalls
 * (ECP recovery, a hung instance) simply completes later; one that drops a request without
 * answering completes it with CAUSE_NO_ANSWER, and the sender learns of the loss through
 * its own timeout, as a real client would.
 *
 * Fan-out: a parent that sends n children joins them with struct svc_join. Each child's
 * completion is handed to svc_join_child_done; after the last child the join completes the
 * parent with the first failure among the children (or 0), so a shard failing over
 * mid-query fails the whole query.
 *
 * Causes: one X-macro map (identifier, name as stored in results, help), so a new cause is
 * one row and every array indexed by cause is sized by CAUSE_COUNT.
 */
#ifndef TOPSIM_SVC_H
#define TOPSIM_SVC_H

#include <stdbool.h>
#include <stddef.h>

/* X(identifier, name, client_visible, help): client_visible causes are counted as a
 * client's failures by cause; the others are signals between models. */
#define SVC_CAUSES(X)                                                                          \
	X(TIMEOUT, "timeout", true, "no answer within the client's timeout")                  \
	X(NOT_PRIMARY, "not_primary", true,                                                     \
	  "a mirror member that is not primary answered (503, <PROTECT>)")                    \
	X(NO_PRIMARY, "no_primary", true, "a gateway found no primary in its mirror set")     \
	X(LB_UNAVAILABLE, "lb_unavailable", true,                                               \
	  "no load-balancer node or target took the request")                                  \
	X(SERVER_BUSY, "server_busy", true,                                                     \
	  "the web gateway had no free connection within its queued-request timeout (503)")   \
	X(SHED, "shed", true,                                                                   \
	  "not sent: the run's cap on requests in flight was reached (a saturated system)")   \
	X(ECP_NETWORK, "ecp_network", true,                                                     \
	  "<NETWORK> from an ECP application server: its session was reset or it gave up")      \
	X(NO_ANSWER, "no_answer", false,                                                        \
	  "the server dropped the request without answering (its instance stopped or hung)")

enum svc_cause {
	SVC_OK = 0,
#define SVC_CAUSE_ENUM(id, name, visible, help) CAUSE_##id,
	SVC_CAUSES(SVC_CAUSE_ENUM)
#undef SVC_CAUSE_ENUM
	CAUSE_COUNT /* arrays indexed by cause have CAUSE_COUNT entries; [SVC_OK] is unused */
};

/* The cause's name ("timeout"), help, and whether clients count it; NULL/false for SVC_OK
 * or an out-of-range value. */
const char *svc_cause_name(int cause);
const char *svc_cause_help(int cause);
bool svc_cause_client_visible(int cause);

struct svc_req;
typedef void (*svc_done_fn)(struct svc_req *req, int cause);

struct svc_req {
	int type;               /* what the work is; the sender's and server's shared enum */
	struct svc_req *parent; /* request this one is part of, or NULL */
	svc_done_fn done;       /* called once, by svc_complete */
	void *data;             /* the work (type-specific) */
	bool completed;         /* set by svc_complete; guards against a second call */
};

/* Prepare req for submission (not yet completed). */
void svc_req_init(struct svc_req *req, int type, struct svc_req *parent, svc_done_fn done,
		  void *data);

/* The server is done with req: calls req->done(req, cause). Aborts on a second call. */
void svc_complete(struct svc_req *req, int cause);

/* A parent waiting for n children. */
struct svc_join {
	struct svc_req *parent;
	size_t pending;  /* children not yet completed */
	int cause;       /* first failure, or SVC_OK */
};

/* Start a join of n > 0 children for parent. */
void svc_join_init(struct svc_join *j, struct svc_req *parent, size_t n);

/* One child completed with cause; after the last one, completes the parent with the first
 * failure. Returns true when that completed the parent (the join may then be freed). */
bool svc_join_child_done(struct svc_join *j, int cause);

#endif
