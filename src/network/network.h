/* network.h: the layers of a model: rate layers fed by the stimulus or a lower
 * layer, and LIF populations joined by static projections. */
#ifndef LADSIM_NETWORK_NETWORK_H
#define LADSIM_NETWORK_NETWORK_H

#include <stdbool.h>
#include <stddef.h>
#include <ladsim/error.h>
#include <ladsim/model.h>
#include "network/layer.h"
#include "network/population.h"
#include "network/projection.h"

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
  int64_t step;                    /* the next step to simulate */
} ladsim_network;

/* Builds the layers of m for an input of input_size units. Not collective. */
ladsim_status ladsim_network_alloc(const ladsim_model *m, size_t input_size,
                                   ladsim_network **out);
void ladsim_network_free(ladsim_network *net);

/* The population of model layer name, or NULL. */
ladsim_population *ladsim_network_population(const ladsim_network *net, const char *name);

/* Starts a view with stimulus x (length input_size). */
void ladsim_network_view_begin(ladsim_network *net, const double *x);

/* Advances every layer by one step, lower layers first, then the spiking
 * populations, whose spikes are then sent along the projections. */
ladsim_status ladsim_network_step(ladsim_network *net, bool learn);

/* Ends the view in every layer. */
void ladsim_network_view_end(ladsim_network *net, bool learn);

/* Puts every rate neuron at rest. */
void ladsim_network_reset_state(ladsim_network *net);

/* Checks every layer for non-finite state. */
ladsim_status ladsim_network_check_finite(const ladsim_network *net, double t_ms);

#endif
