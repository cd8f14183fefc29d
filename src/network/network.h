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
  double **W, **b;                 /* the owner's arrays (n x d, n); b is NULL
                                      for LIF populations, which have no bias */
  ladsim_rule *rule;               /* NULL when the layer does not learn */
  ladsim_layer *layer;             /* the owner: one of the two */
  ladsim_population *pop;
} ladsim_unit;

typedef struct {
  const ladsim_model *model;
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

/* Builds the layers of m for an input of input_size units. Not collective. */
ladsim_status ladsim_network_alloc(const ladsim_model *m, size_t input_size,
                                   ladsim_network **out);
void ladsim_network_free(ladsim_network *net);

/* The population of model layer name, or NULL. */
ladsim_population *ladsim_network_population(const ladsim_network *net, const char *name);

/* Starts view view_index (which names its Poisson input trains) with
 * stimulus x (length input_size). */
ladsim_status ladsim_network_view_begin(ladsim_network *net, const double *x,
                                        uint64_t view_index);

/* Advances every layer by one step, lower layers first, then the spiking
 * populations, whose spikes are then sent along the projections. */
ladsim_status ladsim_network_step(ladsim_network *net, bool learn);

/* Ends the view in every layer. */
void ladsim_network_view_end(ladsim_network *net, bool learn);

/* The mean activity of unit u over the view (length u->n). */
void ladsim_unit_view_mean(const ladsim_unit *u, double *out);

/* Puts every neuron at rest. */
void ladsim_network_reset_state(ladsim_network *net);

/* Checks every layer for non-finite state. */
ladsim_status ladsim_network_check_finite(const ladsim_network *net, double t_ms);

#endif
