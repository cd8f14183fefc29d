/* projection.h: static sparse projections between spiking populations.
 *
 * Connections of rule probability are drawn per source neuron and block
 * of 1024 targets from the stream (seed, LADSIM_STREAM_CONNECT, projection,
 * source, block), those of rule indegree per target from (seed,
 * LADSIM_STREAM_CONNECT, projection, target, 0), so the connectivity does
 * not depend on how neurons are spread over ranks. They are stored by source
 * (compressed rows: the targets of source j are targets[start[j] ..
 * start[j + 1]), ascending), which is what spike delivery walks. */
#ifndef LADSIM_NETWORK_PROJECTION_H
#define LADSIM_NETWORK_PROJECTION_H

#include <stddef.h>
#include <stdint.h>
#include <ladsim/error.h>
#include <ladsim/model.h>

typedef struct {
  const ladsim_projection_spec *spec;
  int from, to;               /* layer indices */
  size_t n_from, n_to;
  size_t to_lo, to_nl;        /* the targets held: this rank's block */
  size_t *start;              /* n_from + 1 */
  uint32_t *targets;          /* n_connections */
  size_t n_connections;
  double weight;              /* mV */
  int64_t delay_steps;        /* >= 1 */
} ladsim_projection;

/* Draws the connections of projection index (spec) between layers of
 * n_from and n_to neurons at resolution h. Not collective. */
ladsim_status ladsim_projection_alloc(const ladsim_projection_spec *spec, size_t index,
                                      int from, int to, size_t n_from, size_t n_to,
                                      double h, uint64_t seed, ladsim_projection **out);
/* The connections onto targets to_lo .. to_lo + to_nl only, drawn as
 * ladsim_projection_alloc draws them; targets[] counts from to_lo. Not
 * collective. */
ladsim_status ladsim_projection_alloc_block(const ladsim_projection_spec *spec, size_t index,
                                            int from, int to, size_t n_from, size_t n_to,
                                            size_t to_lo, size_t to_nl, double h,
                                            uint64_t seed, ladsim_projection **out);
void ladsim_projection_free(ladsim_projection *p);

#endif
