/* network.h: the stack of layers, each fed by the stimulus or a lower layer. */
#ifndef LADSIM_NETWORK_NETWORK_H
#define LADSIM_NETWORK_NETWORK_H

#include <stdbool.h>
#include <stddef.h>
#include <ladsim/error.h>
#include <ladsim/model.h>
#include "network/layer.h"

typedef struct {
  const ladsim_model *model;
  size_t n_layers;
  ladsim_layer *layers[LADSIM_MAX_LAYERS];
  int source[LADSIM_MAX_LAYERS];   /* index of the feeding layer; -1: input */
  size_t input_size;
} ladsim_network;

/* Builds the layers of m for an input of input_size units. Not collective. */
ladsim_status ladsim_network_alloc(const ladsim_model *m, size_t input_size,
                                   ladsim_network **out);
void ladsim_network_free(ladsim_network *net);

/* Starts a view with stimulus x (length input_size). */
void ladsim_network_view_begin(ladsim_network *net, const double *x);

/* Advances every layer by one step, lower layers first. */
void ladsim_network_step(ladsim_network *net, bool learn);

/* Ends the view in every layer. */
void ladsim_network_view_end(ladsim_network *net, bool learn);

/* Puts every neuron at rest. */
void ladsim_network_reset_state(ladsim_network *net);

/* Checks every layer for non-finite state. */
ladsim_status ladsim_network_check_finite(const ladsim_network *net, double t_ms);

#endif
