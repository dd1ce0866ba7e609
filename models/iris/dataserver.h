/* dataserver.h: an IRIS data server as a service on the request seam (svc.h): its node
 * (iris_node.h) and, when it is a mirror member, the mirror's say in what it serves.
 *
 * A struct data_req carries the work of one request at the data server (CPU, block reads,
 * writes, journal bytes, synchronous commit). On submit, a mirror member that is not
 * primary refuses at once (CAUSE_NOT_PRIMARY: 503, <PROTECT>); otherwise the node serves
 * it. When the node is done, an update is noted with the mirror for RPO accounting and the
 * request completes with SVC_OK; a request the node drops because its instance stopped
 * completes with CAUSE_NO_ANSWER. Journal flushes of a mirror member are shipped by the
 * mirror (mirror_on_flush).
 *
 * Ownership: the data server owns nothing but its small state; the node's entity belongs to
 * the engine; the mirror (set later with dataserver_join_mirror) must outlive it. From
 * submit to completion a data_req belongs to the server.
 */
#ifndef TOPSIM_DATASERVER_H
#define TOPSIM_DATASERVER_H

#include "fabric.h"
#include "iris_node.h"
#include "mirror.h"
#include "sim.h"
#include "svc.h"

enum { SVC_DATA_REQUEST = 1 }; /* svc_req.type of a data_req */

struct data_req {
	struct svc_req base;      /* base.data points at the sender's request */
	struct iris_request iris; /* the work; the server fills its bookkeeping */
};

struct dataserver;

/* A data server on host `host` with an IRIS node named `name` built from cfg and np (np's
 * callbacks are the server's own and are overwritten). NULL on error. */
struct dataserver *dataserver_new(struct sim_engine *e, const char *name, int host,
				  const struct iris_node_config *cfg, struct iris_node_params np);
void dataserver_free(struct dataserver *ds);

/* The server is member `host` of mirror m from now on. */
void dataserver_join_mirror(struct dataserver *ds, struct mirror *m);

/* A server outside any mirror follows its instance's state in the fabric: its node stops
 * (dropping what it holds) when the instance crashes, hangs or its host goes down, and
 * restarts empty when it runs again (a mirror does this for its members). Returns 0 or
 * -ENOMEM. */
int dataserver_watch(struct dataserver *ds, struct fabric *f);

/* Serve r (see above). r->base must have been prepared with svc_req_init. */
void dataserver_submit(struct dataserver *ds, struct data_req *r);

struct iris_node *dataserver_node(const struct dataserver *ds);
int dataserver_host(const struct dataserver *ds);

#endif
