/* population.h: a population of LIF neurons, its incoming spike buffer and its spikes.
 *
 * Spikes travel as events with exact times. A spike of source j at step k
 * and offset o reaches its targets after the projection's delay of D steps,
 * at step k + D with the same offset; it is kept in a ring of slots, one per
 * step ahead, until then. In a step every neuron's arriving events are
 * applied in (offset, source id) order, so the result does not depend on the
 * order in which spikes were delivered. */
#ifndef LADSIM_NETWORK_POPULATION_H
#define LADSIM_NETWORK_POPULATION_H

#include <stddef.h>
#include <stdint.h>
#include <ladsim/error.h>
#include <ladsim/model.h>
#include "models/lif.h"

/* One spike on its way to one target. */
typedef struct {
  uint32_t target;
  uint32_t source;       /* global id of the sender, for the canonical order */
  double offset;         /* ms into the step */
  double weight;         /* mV */
  double dv, dg;         /* its effect at the end of the step (superposition) */
} ladsim_spike_event;

typedef struct {
  ladsim_spike_event *ev;
  size_t n, cap;
} ladsim_event_slot;

typedef struct {
  const ladsim_layer_spec *spec;
  size_t n;
  uint32_t id_base;              /* global id of neuron 0, for tie-breaks */
  ladsim_lif_internals prop;
  double h;
  double *v, *ge, *gi, *refr;    /* state, structure of arrays */
  double *trace, trace_decay;    /* the activity z: a trace of own spikes */
  /* incoming events, one slot per step ahead */
  ladsim_event_slot *ring;
  size_t ring_len;
  /* scratch for one step: events grouped by target */
  unsigned char *busy;           /* n: receives events this step */
  uint32_t *slot_of;             /* n: a busy neuron's group */
  uint32_t *busy_ids;            /* the busy neurons, by group */
  size_t n_busy;
  size_t *first;                 /* n + 1: group k is first[k] .. first[k + 1] */
  size_t *cursor;                /* n + 1: filling position of each group */
  ladsim_lif_state *before;      /* n: a busy neuron's state before the step */
  size_t max_per_step;           /* spikes one neuron can fire in a step */
  size_t *quiet_ids;             /* n * max_per_step: spikes of the fast path */
  ladsim_spike_event *sorted;
  size_t sorted_cap;
  ladsim_lif_input *inputs;
  size_t inputs_cap;
  /* spikes of the current step, in (offset, id) order */
  uint32_t *spike_ids;
  double *spike_offsets;
  size_t n_spikes, spikes_cap;
} ladsim_population;

/* Allocates a population with delays of up to max_delay_steps, initial V
 * uniform in the spec's range from the stream (seed, LADSIM_STREAM_VINIT,
 * layer index, neuron). Not collective. */
ladsim_status ladsim_population_alloc(const ladsim_layer_spec *spec, size_t index,
                                      uint32_t id_base, double h,
                                      int64_t max_delay_steps, uint64_t seed,
                                      ladsim_population **out);
void ladsim_population_free(ladsim_population *p);

/* Queues a spike for target at step `step` with offset o; dv and dg are its
 * effect at the end of that step (ladsim_lif_input_effect), the same for
 * every target of one population. */
ladsim_status ladsim_population_receive(ladsim_population *p, int64_t step,
                                        uint32_t target, uint32_t source,
                                        double offset, double weight, double dv,
                                        double dg);

/* Advances every neuron over step `step`, applying that step's events; the
 * step's spikes are left in spike_ids / spike_offsets in (offset, id) order. */
ladsim_status ladsim_population_step(ladsim_population *p, int64_t step);

#endif
