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

/* Advances every layer by one step, lower layers first, then the spiking
 * populations, whose spikes are then sent along the projections.
 * Collective. */
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

/* Puts every neuron at rest. */
void ladsim_network_reset_state(ladsim_network *net);

/* Checks every layer's block for non-finite state. Not collective: the
 * caller agrees on the outcome (ladsim_comm_agree). */
ladsim_status ladsim_network_check_finite(const ladsim_network *net, double t_ms);

#endif
