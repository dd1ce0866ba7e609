/* record_store.h: one replication's record (record.h) into the results database, in one
 * transaction: the run row, its metrics (names and units from the metric registry),
 * latency histograms, time series, incidents with their timeline, invariant violations.
 *
 * A record that failed conservation also gets a "conservation" violation.
 */
#ifndef TOPSIM_RECORD_STORE_H
#define TOPSIM_RECORD_STORE_H

#include "record.h"
#include "results.h"

/* What the runs table says of a replication besides the record. */
struct record_run_info {
	const char *scenario_name;
	const char *scenario_text;  /* merged JSON */
	const char *scenario_hash;
	const char *version;
	const char *started_at;     /* wall-clock start (metadata only) */
	double wall_s;              /* wall-clock seconds the replication took */
	const char *experiment;     /* experiment and variant names, or NULL */
	const char *variant;
};

/* Store rec in one transaction. Returns 0, or -EIO with the transaction rolled back and
 * the message in results_errmsg(db), or -ENOMEM (rolled back). */
int record_store(struct results *db, const struct record_run_info *info,
		 const struct record *rec);

#endif
