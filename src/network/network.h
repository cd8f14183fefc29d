/* network.h: the layers of a model: rate layers fed by the stimulus or a lower
 * layer, and LIF populations fed by the stimulus (Poisson trains through a
 * dense learned projection) or joined by static projections. */
#ifndef LADSIM_NETWORK_NETWORK_H
#define LADSIM_NETWORK_NETWORK_H

#include <stdbool.h>
#include <stddef.h>
#include <ladsim/error.h>
#include <ladsim/model.h>
#include "network/layer.h"
#include "network/population.h"
#include "network/projection.h"

/* A spike as the ranks exchange it. */
typedef struct {
  int64_t step;
  uint32_t pop;                    /* index in the network's pops */
  uint32_t id;                     /* neuron of the layer */
  double offset;                   /* ms into the step */
} ladsim_spike_record;

typedef struct {
  ladsim_spike_record *r;
  size_t n, cap;
} ladsim_spike_list;

/* The end-of-step effect of a unit input at a spike's offset on a target
 * with the time constants tau_m and tau_x (ladsim_lif_input_kernel). */
typedef struct {
  double tau_m, tau_x, h;          /* the key; tau_m 0: none yet */
  double kv, kg;
} ladsim_unit_effect;

/* A layer that learns from its input, whatever its neurons: a rate layer,
 * or a LIF population fed by the stimulus. Recording, evaluation and the
 * reloading of weights see layers only through this. */
typedef struct {
  const ladsim_layer_spec *spec;
  size_t n, d;
  size_t lo, nl;                   /* this rank's block of neurons */
  const ladsim_comm_layout *part;  /* the blocks of every rank; NULL: every
                                      rank holds the whole layer */
  double **W, **b;                 /* the owner's arrays (nl x d, nl); b is NULL
                                      for LIF populations, which have no bias */
  ladsim_rule *rule;               /* NULL when the layer does not learn */
  ladsim_layer *layer;             /* the owner: one of the two */
  ladsim_population *pop;
} ladsim_unit;

typedef struct {
  const ladsim_model *model;
  MPI_Comm comm;                   /* the ranks that share the layers */
  /* rate layers, in model order */
  size_t n_layers;
  ladsim_layer *layers[LADSIM_MAX_LAYERS];
  int source[LADSIM_MAX_LAYERS];   /* rate layer feeding layer i; -1: input */
  size_t input_size;
  /* spiking populations, in model order, and their projections */
  size_t n_pops;
  ladsim_population *pops[LADSIM_MAX_LAYERS];
  size_t n_projections;
  ladsim_projection *projections[LADSIM_MAX_PROJECTIONS];
  ladsim_population *proj_from[LADSIM_MAX_PROJECTIONS];
  ladsim_population *proj_to[LADSIM_MAX_PROJECTIONS];
  uint32_t proj_src[LADSIM_MAX_PROJECTIONS];   /* index of proj_from in pops */
  /* spreading the populations over the ranks (network_exchange.c): each
   * rank steps its block of every population; the spikes of the shared
   * ones (sources of projections, recorded) are gathered from every rank
   * once per exchange interval and delivered in (step, population,
   * offset, id) order, whatever the partition */
  ladsim_comm_layout pop_part[LADSIM_MAX_LAYERS];
  bool pop_shared[LADSIM_MAX_LAYERS];
  double *pop_z[LADSIM_MAX_LAYERS];  /* the whole layer's trace, for its rule */
  int64_t sync_steps;              /* steps per exchange interval (min_delay) */
  int64_t max_delay;               /* steps of the slowest projection */
  ladsim_spike_list outbox;        /* this rank's spikes since the last exchange */
  ladsim_spike_list arrived;       /* every rank's of the last exchange, in order;
                                      the simulation takes the recorded ones */
  size_t arrived_bytes;            /* capacity of arrived.r in bytes */
  ladsim_spike_list flight;        /* the spikes of sources of the last max_delay
                                      steps: those still in flight */
  /* delivery scratch: per spike of the step being delivered, its unit
   * effect on the last kind of target (time constants) it reached */
  ladsim_unit_effect *effects;
  size_t effects_cap;
  ladsim_status failed;            /* a step that failed on this rank only, told
                                      to the others at the next exchange */
  /* checkpoint scratch: the flight as arrays, each input's position */
  int64_t *ckpt_flight_i;          /* n x 3: step, population, id */
  double *ckpt_flight_t;           /* n: offsets */
  size_t ckpt_n_flight, ckpt_cap;
  int64_t ckpt_pos[LADSIM_MAX_LAYERS][3];
  /* the layers with learned input, rate and spiking, in model order */
  size_t n_units;
  ladsim_unit units[LADSIM_MAX_LAYERS];
  int64_t step;                    /* the next step to simulate */
} ladsim_network;

/* Builds this rank's part of the layers of m, spread over comm, for an
 * input of input_size units. Not collective. */
ladsim_status ladsim_network_alloc(const ladsim_model *m, size_t input_size,
                                   MPI_Comm comm, ladsim_network **out);
void ladsim_network_free(ladsim_network *net);

/* The population of model layer name, or NULL. */
ladsim_population *ladsim_network_population(const ladsim_network *net, const char *name);

/* Starts view view_index (which names its Poisson input trains) with
 * stimulus x (length input_size). */
ladsim_status ladsim_network_view_begin(ladsim_network *net, const double *x,
                                        uint64_t view_index);

/* Advances every layer by one step, lower layers first, then this rank's
 * blocks of the spiking populations; at the end of an exchange interval
 * the spikes are exchanged (ladsim_network_exchange). Collective. */
ladsim_status ladsim_network_step(ladsim_network *net, bool learn);

/* Points every rate layer at its input again (the stimulus x, or the layer
 * below), without starting a view: for a run resumed inside one. */
void ladsim_network_attach(ladsim_network *net, const double *x);

/* Ends the view in every layer. */
void ladsim_network_view_end(ladsim_network *net, bool learn);

/* The mean activity of unit u's block over the view (length u->nl). */
void ladsim_unit_view_mean(const ladsim_unit *u, double *out);

/* The rows of u's per-neuron data this rank writes to a shared file: its
 * block, or, when every rank holds the whole layer, all of them on rank 0
 * and none elsewhere. */
void ladsim_unit_rows(const ladsim_unit *u, int rank, size_t *row0, size_t *nrows);

/* Completes full (length u->n), whose entries lo .. lo + nl this rank has
 * filled, with the other ranks' blocks. Collective. */
ladsim_status ladsim_unit_gather(const ladsim_unit *u, double *full);

/* ladsim_unit_gather for each row of the rows x u->n matrix full at once
 * (comm/comm.h). Collective. */
ladsim_status ladsim_unit_gather_rows(const ladsim_unit *u, size_t rows, double *full);

/* Gathers the spikes that the ranks' blocks fired since the last exchange,
 * delivers them to this rank's targets and leaves them in net->arrived.
 * ladsim_network_step calls it at the end of every exchange interval; a
 * caller may call it at any other step too (before recording the spikes),
 * which changes nothing of what is simulated. A failure of a step on some
 * rank is agreed here. Collective. */
ladsim_status ladsim_network_exchange(ladsim_network *net);

/* Lists the state of the populations (neurons, traces, input, rule) and
 * the spikes in flight for a checkpoint. Before a write, call
 * ladsim_network_save_prepare; before a read, ladsim_network_load_prepare
 * with the number of spikes in flight the checkpoint counts, and after it
 * ladsim_network_load_finish. Not collective. */
struct ladsim_state;
ladsim_status ladsim_network_state(ladsim_network *net, struct ladsim_state *st);
ladsim_status ladsim_network_save_prepare(ladsim_network *net);
ladsim_status ladsim_network_load_prepare(ladsim_network *net, size_t n_flight);

/* Puts the read state in place: the spikes in flight are delivered again
 * to this rank's targets, and inside a view (in_view) the input trains of
 * view view_index of stimulus x are drawn again. Not collective. */
ladsim_status ladsim_network_load_finish(ladsim_network *net, const double *x, bool in_view,
                                         uint64_t view_index);

/* Internals shared with network_exchange.c: queues population i's spikes
 * of the step for the next exchange; whether the network runs on one rank
 * (nothing to agree on). */
ladsim_status ladsim__network_post(ladsim_network *net, size_t i);
bool ladsim__network_alone(const ladsim_network *net);

/* Puts every neuron at rest. */
void ladsim_network_reset_state(ladsim_network *net);

/* Checks every layer's block for non-finite state. Not collective: the
 * caller agrees on the outcome (ladsim_comm_agree). */
ladsim_status ladsim_network_check_finite(const ladsim_network *net, double t_ms);

#endif
