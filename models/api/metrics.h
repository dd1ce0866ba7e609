/* metrics.h: how models hand time-series points to the results layer without doing I/O.
 *
 * A model calls sink->point for each closed time-series bucket; the runner implements it
 * (writing rows into the open results transaction), so memory does not grow with simulated
 * time. A NULL sink or NULL point function discards points. Header only.
 */
#ifndef TOPSIM_METRICS_H
#define TOPSIM_METRICS_H

struct metrics_sink {
	void *arg;
	/* One point: bucket [t_s, t_s + width_s) of series `name` for `qualifier` (an operation
	 * class, host or ""), value in the series' unit. Strings are valid during the call. */
	void (*point)(void *arg, double t_s, double width_s, const char *name,
		      const char *qualifier, double value);
};

static inline void metrics_point(const struct metrics_sink *s, double t_s, double width_s,
				 const char *name, const char *qualifier, double value)
{
	if (s && s->point)
		s->point(s->arg, t_s, width_s, name, qualifier, value);
}

#endif
