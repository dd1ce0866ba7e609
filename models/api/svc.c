/* svc.c: the request seam (see svc.h). */
#include "svc.h"

#include <stdio.h>
#include <stdlib.h>

static const struct {
	const char *name, *help;
	bool visible;
} causes[CAUSE_COUNT] = {
#define SVC_CAUSE_ROW(id, name_, visible_, help_) [CAUSE_##id] = {name_, help_, visible_},
	SVC_CAUSES(SVC_CAUSE_ROW)
#undef SVC_CAUSE_ROW
};

const char *svc_cause_name(int cause)
{
	return cause > SVC_OK && cause < CAUSE_COUNT ? causes[cause].name : NULL;
}

const char *svc_cause_help(int cause)
{
	return cause > SVC_OK && cause < CAUSE_COUNT ? causes[cause].help : NULL;
}

bool svc_cause_client_visible(int cause)
{
	return cause > SVC_OK && cause < CAUSE_COUNT && causes[cause].visible;
}

void svc_req_init(struct svc_req *req, int type, struct svc_req *parent, svc_done_fn done,
		  void *data)
{
	req->type = type;
	req->parent = parent;
	req->done = done;
	req->data = data;
	req->completed = false;
}

void svc_complete(struct svc_req *req, int cause)
{
	if (req->completed) {
		fprintf(stderr, "topsim: internal error: request completed twice\n");
		abort();
	}
	req->completed = true;
	req->done(req, cause);
}

void svc_join_init(struct svc_join *j, struct svc_req *parent, size_t n)
{
	j->parent = parent;
	j->pending = n;
	j->cause = SVC_OK;
}

bool svc_join_child_done(struct svc_join *j, int cause)
{
	if (cause != SVC_OK && j->cause == SVC_OK)
		j->cause = cause;
	if (--j->pending > 0)
		return false;
	svc_complete(j->parent, j->cause);
	return true;
}
