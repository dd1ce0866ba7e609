/* dataserver.c: a data server on the request seam (see dataserver.h). */
#include "dataserver.h"

#include <stdlib.h>

struct dataserver {
	struct iris_node *node;
	struct mirror *mirror; /* NULL when not a mirror member */
	struct fabric *fabric; /* set by dataserver_watch */
	int host;
};

static void on_fabric(void *arg)
{
	struct dataserver *ds = arg;
	if (ds->mirror)
		return; /* the mirror stops and restarts its members */
	bool up = fabric_iris_running(ds->fabric, ds->host);
	if (!up && iris_node_running(ds->node))
		iris_node_stop(ds->node);
	else if (up && !iris_node_running(ds->node))
		iris_node_restart(ds->node);
}

int dataserver_watch(struct dataserver *ds, struct fabric *f)
{
	ds->fabric = f;
	return fabric_subscribe(f, on_fabric, ds);
}

static void on_done(void *arg, struct iris_request *irq)
{
	struct dataserver *ds = arg;
	struct data_req *r = irq->owner;
	if (ds->mirror && (irq->writes > 0 || irq->journal_bytes > 0))
		mirror_note_ack(ds->mirror, ds->host, irq->journal_seq, irq->journal_bytes,
				irq->sync_commit);
	svc_complete(&r->base, SVC_OK);
}

static void on_lost(void *arg, struct iris_request *irq)
{
	(void)arg;
	struct data_req *r = irq->owner;
	svc_complete(&r->base, CAUSE_NO_ANSWER);
}

static void on_flushed(void *arg, double upto)
{
	struct dataserver *ds = arg;
	if (ds->mirror)
		mirror_on_flush(ds->mirror, ds->host, upto);
}

struct dataserver *dataserver_new(struct sim_engine *e, const char *name, int host,
				  const struct iris_node_config *cfg, struct iris_node_params np)
{
	struct dataserver *ds = calloc(1, sizeof(*ds));
	if (!ds)
		return NULL;
	ds->host = host;
	np.done = on_done;
	np.lost = on_lost;
	np.flushed = on_flushed;
	np.done_arg = ds;
	ds->node = iris_node_new(e, name, cfg, &np);
	if (!ds->node) {
		free(ds);
		return NULL;
	}
	return ds;
}

void dataserver_free(struct dataserver *ds) { free(ds); }

void dataserver_join_mirror(struct dataserver *ds, struct mirror *m) { ds->mirror = m; }

void dataserver_submit(struct dataserver *ds, struct data_req *r)
{
	if (ds->mirror && mirror_member_status(ds->mirror, ds->host) == MIRROR_STATUS_FAIL) {
		svc_complete(&r->base, CAUSE_NOT_PRIMARY);
		return;
	}
	r->iris.owner = r;
	iris_node_submit(ds->node, &r->iris);
}

struct iris_node *dataserver_node(const struct dataserver *ds) { return ds->node; }
int dataserver_host(const struct dataserver *ds) { return ds->host; }
