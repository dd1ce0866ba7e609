/* engine.h: the discrete-event engine that every model runs on.
 *
 * Entities are the components of a simulated system (a host, a volume, a mirror member, a
 * client population). An entity has a unique name, a type (a table of event handlers and
 * the size of its state), its state, and its own random stream derived from (scenario seed,
 * replication, name) so that adding an unrelated entity never changes another's draws.
 *
 * Events are sent to an entity: a kind (the index of the handler in its type's table), a
 * time, and a small payload copied into the event. Events run in (time, insertion order):
 * ties are FIFO, so a run repeats bit for bit. Scheduling returns a handle through which
 * a pending event is cancelled in O(log n); a handle goes stale when its event runs or is
 * cancelled, and a stale handle is harmless.
 *
 * Ownership: the engine owns entities (name, state, RNG) and events. Models hold pointers to
 * entities for the engine's lifetime and read events only inside the handler that receives
 * them; they never free either. Model misuse (an event in the past, an unknown event kind,
 * a duplicate entity name) is refused: the call fails, the engine records the error with the
 * caller's file:line, and the run stops with that error.
 *
 * The engine does no I/O and reads no clock. One engine is one replication, used from one
 * thread; separate engines on separate threads are independent.
 */
#ifndef TOPSIM_ENGINE_H
#define TOPSIM_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "evq.h"
#include "simtime.h"

/* Error codes: functions return 0 or the negative of one of these. */
#define SIM_ERROR_MAP(X)                                                  \
	X(NOMEM, "out of memory")                                         \
	X(INVAL, "invalid argument")                                      \
	X(PAST, "event scheduled in the past")                            \
	X(BADKIND, "event kind has no handler in the target's type")      \
	X(DUPNAME, "duplicate entity name")                               \
	X(PAYLOAD, "event payload larger than SIM_PAYLOAD_MAX")

enum sim_error {
	SIM_OK = 0,
#define SIM_ERROR_ENUM(name, text) SIM_E_##name,
	SIM_ERROR_MAP(SIM_ERROR_ENUM)
#undef SIM_ERROR_ENUM
};

/* Text of an error code (positive or negative); "unknown error" for others. */
const char *sim_strerror(int code);

/* Why a run returned (sim_run and sim_run_until return one of these, or a negative error). */
enum sim_run_end {
	SIM_END_EMPTY = 1,   /* no event left */
	SIM_END_TIME = 2,    /* reached the end time */
	SIM_END_STOPPED = 3, /* a handler called sim_stop */
};

#define SIM_PAYLOAD_MAX 48 /* bytes of payload carried inline by an event */

struct sim_engine;
struct sim_entity;
struct sim_event;

/* A handler runs one event on its target entity. ev is valid only during the call. */
typedef void (*sim_handler_fn)(struct sim_entity *self, const struct sim_event *ev);

/* A model's entity type, usually a static const table in the model's .c file. */
struct sim_entity_type {
	const char *name;                 /* type name, e.g. "host" */
	size_t state_size;                /* bytes of state, zeroed at creation */
	const sim_handler_fn *handlers;   /* indexed by event kind */
	uint32_t handler_count;           /* entries in handlers */
	void (*release)(struct sim_entity *self); /* optional: free what the state points to */
};

/* Fields are read-only for models; the engine owns them. */
struct sim_entity {
	const char *name;                   /* unique within the engine */
	const struct sim_entity_type *type; /* handlers and state size */
	struct sim_engine *engine;          /* the engine it lives in */
	gsl_rng *rng;                       /* the entity's own stream */
	void *state;                        /* type->state_size bytes, zeroed at creation */
	uint32_t id;                        /* creation index, 0-based */
};

/* A scheduled event. Read its fields through the accessors below. */
struct sim_event {
	struct evq_node node; /* time (ns), insertion seq, queue position; first member */
	union {
		struct sim_entity *target; /* while allocated: who receives it */
		struct sim_event *next_free; /* while pooled */
	};
	uint32_t kind;         /* handler index in the target's type */
	uint32_t generation;   /* bumped on every release: stale handles do not match */
	uint32_t slot;         /* index in the engine's event pool */
	uint32_t payload_size; /* bytes of payload used */
	union {
		unsigned char bytes[SIM_PAYLOAD_MAX];
		double d[SIM_PAYLOAD_MAX / sizeof(double)];
		int64_t i[SIM_PAYLOAD_MAX / sizeof(int64_t)];
		void *p[SIM_PAYLOAD_MAX / sizeof(void *)];
	} payload;
};

/* Handle of a scheduled event. The zero handle (SIM_HANDLE_NONE) refers to nothing. */
struct sim_handle {
	uint32_t slot;
	uint32_t generation; /* 0 = none */
};
#define SIM_HANDLE_NONE ((struct sim_handle){0, 0})

static inline sim_time sim_event_time(const struct sim_event *ev) { return ev->node.time; }
static inline uint32_t sim_event_kind(const struct sim_event *ev) { return ev->kind; }
/* The payload as it was copied in by the scheduling call; SIM_PAYLOAD_MAX bytes, aligned for
 * any scalar type. Bytes beyond the size scheduled are zero. */
static inline const void *sim_event_payload(const struct sim_event *ev) { return &ev->payload; }
static inline bool sim_handle_is_none(struct sim_handle h) { return h.generation == 0; }

/* --- engine lifecycle ------------------------------------------------------------------- */

/* A new engine at time 0 for one replication. Entity streams derive from (seed, replication,
 * name). Returns NULL when out of memory. Free with sim_engine_free. */
struct sim_engine *sim_engine_new(uint64_t seed, uint32_t replication);

/* Free the engine, its entities (calling each type's release), pending events and streams.
 * NULL is a no-op. */
void sim_engine_free(struct sim_engine *e);

sim_time sim_now(const struct sim_engine *e);
uint64_t sim_engine_seed(const struct sim_engine *e);
uint32_t sim_engine_replication(const struct sim_engine *e);
uint64_t sim_events_processed(const struct sim_engine *e); /* handlers run so far */
size_t sim_events_pending(const struct sim_engine *e);
size_t sim_entity_count(const struct sim_engine *e);

/* The first error recorded (0 if none), and its message "file:line: text" ("" if none). */
int sim_engine_error(const struct sim_engine *e);
const char *sim_engine_error_message(const struct sim_engine *e);

/* --- entities ----------------------------------------------------------------------------- */

/* Create an entity of the given type. The name is copied and must be unique in the engine;
 * the type must outlive the engine. Returns the entity (state zeroed, stream seeded), or NULL
 * on a duplicate name or out of memory, recording the error with the caller's location. */
#define sim_entity_new(e, type, name) sim_entity_new_at(e, type, name, __FILE__, __LINE__)
struct sim_entity *sim_entity_new_at(struct sim_engine *e, const struct sim_entity_type *type,
				     const char *name, const char *file, int line);

/* The entity with this name, or NULL. */
struct sim_entity *sim_entity_find(const struct sim_engine *e, const char *name);

/* The entity created id-th (0-based), or NULL when id is out of range. */
struct sim_entity *sim_entity_at(const struct sim_engine *e, uint32_t id);

/* --- events ------------------------------------------------------------------------------- */

/* Schedule an event of `kind` for `target` at absolute time `when`, copying `size` bytes of
 * payload (payload may be NULL when size is 0). Returns its handle, or SIM_HANDLE_NONE when
 * refused: `when` before now, kind without a handler, payload too large, out of memory; the
 * refusal is recorded as the engine's error with the caller's file:line and stops the run. */
#define sim_schedule_at(e, target, when, kind, payload, size) \
	sim_schedule_at_loc(e, target, when, kind, payload, size, __FILE__, __LINE__)
/* now + delay, saturating at SIM_TIME_MAX ("never") instead of overflowing: a drawn delay
 * can be arbitrarily long (a heavy-tailed distribution). A negative delay is passed on and
 * refused as an event in the past. */
static inline sim_time sim_time_after(sim_time now, sim_time delay)
{
	return delay > 0 && delay > SIM_TIME_MAX - now ? SIM_TIME_MAX : now + delay;
}
/* Same, `delay` after now (delay >= 0; saturates at SIM_TIME_MAX). */
#define sim_schedule_in(e, target, delay, kind, payload, size)                                  \
	sim_schedule_at_loc(e, target, sim_time_after(sim_now(e), (delay)), kind, payload, size, \
			    __FILE__, __LINE__)
struct sim_handle sim_schedule_at_loc(struct sim_engine *e, struct sim_entity *target,
				      sim_time when, uint32_t kind, const void *payload,
				      size_t size, const char *file, int line);

/* Cancel a pending event. Returns true if it was pending (it will not run), false if the
 * handle is none or stale (the event already ran or was cancelled). O(log n). */
bool sim_cancel(struct sim_engine *e, struct sim_handle h);

/* True while the event behind h is pending. */
bool sim_is_pending(const struct sim_engine *e, struct sim_handle h);

/* Time of the pending event behind h, or SIM_TIME_MAX when not pending. */
sim_time sim_pending_time(const struct sim_engine *e, struct sim_handle h);

/* --- run control -------------------------------------------------------------------------- */

/* Run events until none is left, a handler calls sim_stop, or an error. Returns a
 * sim_run_end value, or a negative error code (see sim_engine_error_message). */
int sim_run(struct sim_engine *e);

/* Run events whose time is strictly before `end`, then set the clock to `end` (unless stopped
 * or failed earlier). Events at `end` or later stay queued; a later call continues. */
int sim_run_until(struct sim_engine *e, sim_time end);

/* Ask the running loop to return after the current handler. */
void sim_stop(struct sim_engine *e);

#endif
