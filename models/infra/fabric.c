/* fabric.c: liveness and reachability (see fabric.h).
 *
 * Invariant: listeners run only from announce(), never re-entrantly: a change made by a
 * listener sets `pending` and is announced once the current round has finished.
 */
#include "fabric.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

struct partition {
	bool active;
	int a_region, a_az, b_region, b_az;
	bool one_way;
};

struct listener {
	fabric_listener_fn fn;
	void *arg;
};

struct fabric {
	size_t region_count, az_count, host_count;
	int *az_region;              /* per AZ */
	int *host_az;                /* per host */
	bool *region_down, *az_down, *host_down;
	enum fabric_iris_state *iris;
	struct partition *partitions;
	size_t partition_count;
	struct listener *listeners;
	size_t listener_count;
	bool announcing, pending;
};

struct fabric *fabric_new(size_t region_count, size_t az_count, const int *az_region,
			  size_t host_count, const int *host_az)
{
	struct fabric *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->region_count = region_count;
	f->az_count = az_count;
	f->host_count = host_count;
	f->az_region = calloc(az_count + 1, sizeof(int));
	f->host_az = calloc(host_count + 1, sizeof(int));
	f->region_down = calloc(region_count + 1, sizeof(bool));
	f->az_down = calloc(az_count + 1, sizeof(bool));
	f->host_down = calloc(host_count + 1, sizeof(bool));
	f->iris = calloc(host_count + 1, sizeof(*f->iris));
	if (!f->az_region || !f->host_az || !f->region_down || !f->az_down || !f->host_down ||
	    !f->iris) {
		fabric_free(f);
		return NULL;
	}
	memcpy(f->az_region, az_region, sizeof(int) * az_count);
	memcpy(f->host_az, host_az, sizeof(int) * host_count);
	return f;
}

void fabric_free(struct fabric *f)
{
	if (!f)
		return;
	free(f->az_region);
	free(f->host_az);
	free(f->region_down);
	free(f->az_down);
	free(f->host_down);
	free(f->iris);
	free(f->partitions);
	free(f->listeners);
	free(f);
}

int fabric_subscribe(struct fabric *f, fabric_listener_fn fn, void *arg)
{
	struct listener *grown = realloc(f->listeners, sizeof(*grown) * (f->listener_count + 1));
	if (!grown)
		return -ENOMEM;
	f->listeners = grown;
	f->listeners[f->listener_count++] = (struct listener){fn, arg};
	return 0;
}

static void announce(struct fabric *f)
{
	if (f->announcing) {
		f->pending = true;
		return;
	}
	f->announcing = true;
	do {
		f->pending = false;
		for (size_t i = 0; i < f->listener_count; i++)
			f->listeners[i].fn(f->listeners[i].arg);
	} while (f->pending);
	f->announcing = false;
}

void fabric_set_host_down(struct fabric *f, int host, bool down)
{
	f->host_down[host] = down;
	announce(f);
}

void fabric_set_az_down(struct fabric *f, int az, bool down)
{
	f->az_down[az] = down;
	announce(f);
}

void fabric_set_region_down(struct fabric *f, int region, bool down)
{
	f->region_down[region] = down;
	announce(f);
}

void fabric_set_iris(struct fabric *f, int host, enum fabric_iris_state s)
{
	f->iris[host] = s;
	announce(f);
}

void fabric_crash_host(struct fabric *f, int host)
{
	f->host_down[host] = true;
	f->iris[host] = FABRIC_IRIS_STOPPED;
	announce(f);
}

int fabric_partition(struct fabric *f, int a_region, int a_az, int b_region, int b_az,
		     bool one_way)
{
	struct partition *grown =
		realloc(f->partitions, sizeof(*grown) * (f->partition_count + 1));
	if (!grown)
		return -1;
	f->partitions = grown;
	f->partitions[f->partition_count] =
		(struct partition){true, a_region, a_az, b_region, b_az, one_way};
	int id = (int)f->partition_count++;
	announce(f);
	return id;
}

void fabric_heal(struct fabric *f, int id)
{
	if (id < 0 || (size_t)id >= f->partition_count)
		return;
	f->partitions[id].active = false;
	announce(f);
}

bool fabric_az_up(const struct fabric *f, int az)
{
	return !f->az_down[az] && !f->region_down[f->az_region[az]];
}

bool fabric_host_up(const struct fabric *f, int host)
{
	return !f->host_down[host] && fabric_az_up(f, f->host_az[host]);
}

enum fabric_iris_state fabric_iris(const struct fabric *f, int host)
{
	return fabric_host_up(f, host) ? f->iris[host] : FABRIC_IRIS_STOPPED;
}

bool fabric_iris_running(const struct fabric *f, int host)
{
	return fabric_iris(f, host) == FABRIC_IRIS_RUNNING;
}

struct fabric_place fabric_host_place(const struct fabric *f, int host)
{
	int az = f->host_az[host];
	return (struct fabric_place){f->az_region[az], az, host};
}

static bool place_up(const struct fabric *f, struct fabric_place p)
{
	if (p.host >= 0)
		return fabric_host_up(f, p.host);
	if (p.az >= 0)
		return fabric_az_up(f, p.az);
	return !f->region_down[p.region];
}

/* Is place p inside side (region, az)? */
static bool inside(struct fabric_place p, int region, int az)
{
	return az >= 0 ? p.az == az : p.region == region;
}

bool fabric_reaches(const struct fabric *f, struct fabric_place a, struct fabric_place b)
{
	if (!place_up(f, a) || !place_up(f, b))
		return false;
	for (size_t i = 0; i < f->partition_count; i++) {
		const struct partition *p = &f->partitions[i];
		if (!p->active)
			continue;
		if (inside(a, p->a_region, p->a_az) && inside(b, p->b_region, p->b_az))
			return false;
		if (!p->one_way && inside(b, p->a_region, p->a_az) && inside(a, p->b_region, p->b_az))
			return false;
	}
	return true;
}

bool fabric_hosts_talk(const struct fabric *f, int a, int b)
{
	struct fabric_place pa = fabric_host_place(f, a), pb = fabric_host_place(f, b);
	return fabric_reaches(f, pa, pb) && fabric_reaches(f, pb, pa);
}
