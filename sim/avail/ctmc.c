/* ctmc.c: the exact Markov chain of a small upper level (see ctmc.h). The mirror logic here
 * is avail.c's mirror_step with every wait but failover_time at zero; the validation suite
 * checks that the two agree. */
#include "ctmc.h"

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_linalg.h>

#include "avail.h"
#include "faults.h"
#include "topology.h"

#define CT_MAXP 4        /* failure processes at most: ordered subsets stay few */
#define CT_MAXSTATES 4096

enum ct_unit { CT_M0, CT_M1, CT_ARB, CT_SOLO };

struct ct_proc {
	int unit;          /* enum ct_unit */
	double lambda;     /* failures per hour */
	double mu;         /* repairs per hour */
};

struct ct_model {
	struct ct_proc p[CT_MAXP];
	int np;
	bool mirror;       /* a mirror pair, else one standalone unit */
	bool arbiter;      /* the mirror has an arbiter host */
	bool manual;       /* manual takeover with no delay */
	int crews;         /* 0: every failed process under repair */
};

struct ct_state {
	int8_t order[CT_MAXP]; /* failed processes, in failure order */
	int8_t ndown;
	int8_t acting;         /* member 0 or 1 serving, -1 none */
	int8_t last;           /* last primary */
	bool active[2];
};

static bool unit_up(const struct ct_model *m, const struct ct_state *s, int unit)
{
	for (int i = 0; i < s->ndown; i++)
		if (m->p[s->order[i]].unit == unit)
			return false;
	return true;
}

/* The mirror's instant logic after a change; returns the takeovers and restarts it made
 * (each costs failover_time in the simulation). */
static int ct_mirror(const struct ct_model *m, struct ct_state *s)
{
	int events = 0;
	if (!m->mirror)
		return 0;
	for (int iter = 0; iter < 4; iter++) {
		for (int k = 0; k < 2; k++) {
			if (!unit_up(m, s, k))
				s->active[k] = false;
			else if (s->acting >= 0 && s->acting != k)
				s->active[k] = true;
		}
		if (s->acting >= 0) {
			if (unit_up(m, s, s->acting))
				return events;
			s->last = s->acting;
			s->acting = -1;
		}
		int lost = s->last, other = 1 - lost;
		bool confirm = (m->arbiter && unit_up(m, s, CT_ARB)) || unit_up(m, s, lost);
		if (unit_up(m, s, other) && s->active[other] && confirm) {
			s->active[other] = false;
			s->acting = s->last = (int8_t)other;
			events++;
			continue;
		}
		if (unit_up(m, s, lost)) {
			s->acting = (int8_t)lost;
			events++;
			continue;
		}
		if (m->manual && unit_up(m, s, other)) {
			s->acting = s->last = (int8_t)other;
			continue;
		}
		return events;
	}
	return events;
}

static bool serving(const struct ct_model *m, const struct ct_state *s)
{
	return m->mirror ? s->acting >= 0 : unit_up(m, s, CT_SOLO);
}

static uint32_t ct_key(const struct ct_state *s)
{
	uint32_t k = (uint32_t)s->ndown;
	for (int i = 0; i < s->ndown; i++)
		k = k * 8 + (uint32_t)s->order[i];
	k = k * 4 + (uint32_t)(s->acting + 1);
	k = k * 2 + (uint32_t)s->last;
	k = k * 2 + s->active[0];
	k = k * 2 + s->active[1];
	return k * 8 + (uint32_t)s->ndown;
}

static bool exponential(const struct rng_dist *d)
{
	return d->kind == RNG_DIST_EXPONENTIAL;
}

static int host_of(const struct scenario_config *c, const char *name)
{
	for (size_t h = 0; name && h < c->host_count; h++)
		if (strcmp(c->hosts[h].name, name) == 0)
			return (int)h;
	return -1;
}

/* The chain's model from the scenario, or false with the reason. */
static bool ct_derive(const struct scenario_config *c, struct ct_model *m, char *why, size_t n)
{
	memset(m, 0, sizeof(*m));
	const struct availability_config *ac = &c->availability;
	int m0 = -1, m1 = -1, arb = -1, solo = -1;
	/* Links first: a partition's cost is the incident library's, which the chain has no
	 * state for; said before anything else so the reason names it. */
	for (size_t s = 0; s < c->stochastic_fault_count; s++)
		if (c->stochastic_faults[s].class_ == FAULT_CLASS_LINK) {
			snprintf(why, n, "link failures (partitions are charged from the incident "
				 "library, which the chain does not model)");
			return false;
		}
	if (c->mirror_count > 1) {
		snprintf(why, n, "more than one mirror");
		return false;
	}
	if (c->mirror_count == 1) {
		const struct mirror_set_config *ms = &c->mirrors[0];
		if (ms->failover_count != 2) {
			snprintf(why, n, "the mirror has not two failover members");
			return false;
		}
		m0 = host_of(c, ms->failover[0]);
		m1 = host_of(c, ms->failover[1]);
		arb = host_of(c, ms->arbiter);
		bool dr = false;
		for (size_t a = 0; a < ms->async_count; a++)
			dr |= ms->asyncs[a].kind == ASYNC_DR;
		if (dr && c->mirror.dr_promotion) {
			snprintf(why, n, "DR promotion waits are not exponential");
			return false;
		}
		m->mirror = true;
		m->arbiter = arb >= 0;
		if (ac->manual_takeover) {
			if (!(ac->manual_takeover_delay.kind == RNG_DIST_DETERMINISTIC &&
			      ac->manual_takeover_delay.u.deterministic.value == 0)) {
				snprintf(why, n, "a manual takeover delay other than 0s");
				return false;
			}
			m->manual = true;
		}
	}
	for (size_t h = 0; h < c->host_count; h++)
		if (c->hosts[h].role == HOST_ROLE_DATA && (int)h != m0 && (int)h != m1) {
			bool in_mirror = false;
			for (size_t a = 0; c->mirror_count && a < c->mirrors[0].async_count; a++)
				in_mirror |= host_of(c, c->mirrors[0].asyncs[a].host) == (int)h;
			if (in_mirror)
				continue;
			if (solo >= 0 || m->mirror) {
				snprintf(why, n, "more than one data server");
				return false;
			}
			solo = (int)h;
		}
	if (!m->mirror && solo < 0) {
		snprintf(why, n, "no data server");
		return false;
	}
	if (c->ecp_count > 0) {
		snprintf(why, n, "ECP application servers");
		return false;
	}
	for (size_t i = 0; i < c->availability.crew_count; i++)
		if (c->availability.crews[i].class_ == FAULT_CLASS_HOST) {
			if (c->availability.crews[i].per != CREW_PER_CLASS) {
				snprintf(why, n, "crews per AZ");
				return false;
			}
			m->crews = (int)c->availability.crews[i].count;
		}
	for (size_t s = 0; s < c->stochastic_fault_count; s++) {
		const struct stochastic_fault_config *sf = &c->stochastic_faults[s];
		if (sf->class_ != FAULT_CLASS_HOST) {
			snprintf(why, n, "%s failures (only host failures form the chain)",
				 fault_class_names[sf->class_]);
			return false;
		}
		if (!exponential(&sf->mtbf) || !exponential(&sf->mttr)) {
			snprintf(why, n, "a non-exponential mtbf or mttr");
			return false;
		}
		for (size_t h = 0; h < c->host_count; h++) {
			const struct host_config *hc = &c->hosts[h];
			if (!stochastic_fault_aims(sf, hc->name, host_role_names[hc->role], NULL))
				continue;
			int unit = (int)h == m0 ? CT_M0 : (int)h == m1 ? CT_M1
				 : (int)h == arb ? CT_ARB : (int)h == solo ? CT_SOLO : -1;
			if (unit < 0) {
				snprintf(why, n, "host %s fails but is not a member, arbiter or the "
					 "data server", hc->name);
				return false;
			}
			if (m->np == CT_MAXP) {
				snprintf(why, n, "more than %d failure processes", CT_MAXP);
				return false;
			}
			m->p[m->np++] = (struct ct_proc){unit, 3600.0 / rng_dist_mean(&sf->mtbf),
							 3600.0 / rng_dist_mean(&sf->mttr)};
		}
	}
	if (m->np == 0) {
		snprintf(why, n, "nothing fails");
		return false;
	}
	return true;
}

void ctmc_solve(const struct scenario_config *c, struct ctmc_result *out)
{
	memset(out, 0, sizeof(*out));
	struct ct_model m;
	if (!ct_derive(c, &m, out->why, sizeof(out->why)))
		return;
	double tau_h = rng_dist_mean(&c->availability.failover_time) / 3600.0;
	struct ct_state *st = calloc(CT_MAXSTATES, sizeof(*st));
	uint32_t *keys = calloc(CT_MAXSTATES, sizeof(*keys));
	double *evrate = calloc(CT_MAXSTATES, sizeof(double));
	/* Transitions (from, to, rate), collected as states are found. */
	size_t cap = 16 * CT_MAXSTATES, nt = 0;
	struct tr { int from, to; double rate; } *t = calloc(cap, sizeof(*t));
	gsl_matrix *A = NULL;
	gsl_vector *b = NULL, *x = NULL;
	gsl_permutation *perm = NULL;
	if (!st || !keys || !evrate || !t) {
		snprintf(out->why, sizeof(out->why), "out of memory");
		goto out;
	}
	size_t ns = 1;
	st[0] = (struct ct_state){.acting = m.mirror ? 0 : -1, .last = 0,
				  .active = {false, m.mirror}};
	keys[0] = ct_key(&st[0]);
	for (size_t i = 0; i < ns; i++) {
		for (int p = 0; p < m.np; p++) {
			struct ct_state n = st[i];
			int pos = -1;
			for (int k = 0; k < n.ndown; k++)
				if (n.order[k] == p)
					pos = k;
			double rate;
			if (pos < 0) { /* fails */
				n.order[n.ndown++] = (int8_t)p;
				rate = m.p[p].lambda;
			} else {       /* repaired, if under repair */
				if (m.crews > 0 && pos >= m.crews)
					continue;
				memmove(&n.order[pos], &n.order[pos + 1],
					(size_t)(n.ndown - pos - 1) * sizeof(n.order[0]));
				n.ndown--;
				rate = m.p[p].mu;
			}
			int ev = ct_mirror(&m, &n);
			evrate[i] += rate * ev;
			uint32_t key = ct_key(&n);
			size_t j = 0;
			while (j < ns && keys[j] != key)
				j++;
			if (j == ns) {
				if (ns == CT_MAXSTATES) {
					snprintf(out->why, sizeof(out->why), "too many states");
					goto out;
				}
				st[ns] = n;
				keys[ns++] = key;
			}
			if (nt == cap) {
				snprintf(out->why, sizeof(out->why), "too many transitions");
				goto out;
			}
			t[nt++] = (struct tr){(int)i, (int)j, rate};
		}
	}
	/* pi Q = 0 with sum pi = 1: Q^T pi = 0, its last row replaced by ones. */
	A = gsl_matrix_calloc(ns, ns);
	b = gsl_vector_calloc(ns);
	x = gsl_vector_alloc(ns);
	perm = gsl_permutation_alloc(ns);
	if (!A || !b || !x || !perm) {
		snprintf(out->why, sizeof(out->why), "out of memory");
		goto out;
	}
	for (size_t k = 0; k < nt; k++) {
		if (t[k].from == t[k].to)
			continue;
		*gsl_matrix_ptr(A, (size_t)t[k].to, (size_t)t[k].from) += t[k].rate;
		*gsl_matrix_ptr(A, (size_t)t[k].from, (size_t)t[k].from) -= t[k].rate;
	}
	for (size_t j = 0; j < ns; j++)
		gsl_matrix_set(A, ns - 1, j, 1.0);
	gsl_vector_set(b, ns - 1, 1.0);
	int signum;
	if (gsl_linalg_LU_decomp(A, perm, &signum) != 0 ||
	    gsl_linalg_LU_solve(A, perm, b, x) != 0) {
		snprintf(out->why, sizeof(out->why), "singular chain");
		goto out;
	}
	double down = 0, ev = 0;
	for (size_t j = 0; j < ns; j++) {
		double pi = gsl_vector_get(x, j);
		if (!serving(&m, &st[j]))
			down += pi;
		ev += pi * evrate[j];
	}
	out->applies = true;
	out->states = ns;
	out->availability = 1.0 - down - ev * tau_h;
	out->takeovers_per_year = ev * AVAIL_HOURS_PER_YEAR;
out:
	free(st);
	free(keys);
	free(evrate);
	free(t);
	gsl_matrix_free(A);
	gsl_vector_free(b);
	gsl_vector_free(x);
	gsl_permutation_free(perm);
}
