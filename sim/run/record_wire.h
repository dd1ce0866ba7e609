/* record_wire.h: a replication's record (record.h) as bytes, to send it from the process
 * that ran the replication to the one that writes the results (cluster.h).
 *
 * The format is for the same topsim binary on both ends (a cluster runs one build): the
 * fixed-size parts of the record go as their in-memory bytes, so every double arrives bit
 * for bit and the database a rank-0 writer stores is the one a single process would. What
 * is not fixed-size is written as counts and strings: the qualifier table, and the incident
 * kinds and invariant names, which in a record made here point to static strings and in a
 * decoded record point into its wire_strings block. Pointers inside an incident are fixed
 * up to the incident's own fields on decoding.
 *
 * The encoding starts with a magic number and the sizes of the structures it copies, so a
 * rank running a different build is refused (-EPROTO) rather than misread; every length is
 * checked against the buffer, so a truncated or corrupt message is refused, never read past.
 */
#ifndef TOPSIM_RECORD_WIRE_H
#define TOPSIM_RECORD_WIRE_H

#include <stddef.h>

#include "record.h"

/* Encode rec into a new buffer (*out, *size; the caller frees *out). Returns 0 or -ENOMEM. */
int record_wire_encode(const struct record *rec, unsigned char **out, size_t *size);

/* Decode size bytes into rec (initialised here; release it with record_release whatever
 * the outcome). Returns 0, -EPROTO (not an encoding of this build, or corrupt) or -ENOMEM. */
int record_wire_decode(const unsigned char *buf, size_t size, struct record *rec);

#endif
