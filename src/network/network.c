/* network.c: builds and steps the stack of layers in order. */
#include "config.h"
#include "network/network.h"

#include <stdlib.h>

ladsim_status ladsim_network_alloc(const ladsim_model *m, size_t input_size,
                                   ladsim_network **out)
{
  ladsim_status s = LADSIM_OK;
  *out = NULL;
  ladsim_network *net = calloc(1, sizeof *net);
  if (!net)
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory for the network");
  net->model = m;
  net->input_size = input_size;
  double h = m->simulation.resolution, T = m->input.view_duration;
  for (size_t i = 0; i < m->n_layers; i++) {
    const ladsim_layer_spec *ls = &m->layers[i];
    int src = ladsim_model_layer_index(m, ls->from);
    if (src >= (int)i) {
      s = LADSIM_ERROR(LADSIM_ECONFIG, "layers.%s.from: '%s' is not an earlier layer",
                       ls->name, ls->from);
      goto fail;
    }
    net->source[i] = src;
    size_t d = src < 0 ? input_size : m->layers[src].size;
    LADSIM_CHECK_GOTO(s, ladsim_layer_alloc(ls, i, d, src >= 0, h, T,
                                            m->simulation.seed, &net->layers[i]), fail);
    net->n_layers = i + 1;
  }
  *out = net;
  return LADSIM_OK;
fail:
  ladsim_network_free(net);
  return s;
}

void ladsim_network_free(ladsim_network *net)
{
  if (!net)
    return;
  for (size_t i = 0; i < net->n_layers; i++)
    ladsim_layer_free(net->layers[i]);
  free(net);
}

void ladsim_network_view_begin(ladsim_network *net, const double *x)
{
  for (size_t i = 0; i < net->n_layers; i++) {
    int src = net->source[i];
    ladsim_layer_view_begin(net->layers[i], src < 0 ? x : net->layers[src]->z);
  }
}

void ladsim_network_step(ladsim_network *net, bool learn)
{
  for (size_t i = 0; i < net->n_layers; i++)
    ladsim_layer_step(net->layers[i], learn);
}

void ladsim_network_view_end(ladsim_network *net, bool learn)
{
  for (size_t i = 0; i < net->n_layers; i++)
    ladsim_layer_view_end(net->layers[i], learn);
}

void ladsim_network_reset_state(ladsim_network *net)
{
  for (size_t i = 0; i < net->n_layers; i++)
    ladsim_layer_reset_state(net->layers[i]);
}

ladsim_status ladsim_network_check_finite(const ladsim_network *net, double t_ms)
{
  for (size_t i = 0; i < net->n_layers; i++)
    LADSIM_CHECK(ladsim_layer_check_finite(net->layers[i], t_ms));
  return LADSIM_OK;
}
