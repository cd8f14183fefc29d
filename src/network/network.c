/* network.c: builds and steps the layers, populations and projections in order. */
#include "config.h"
#include "network/network.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static ladsim_status add_rate_layer(ladsim_network *net, size_t i, const int *rate_of)
{
  const ladsim_model *m = net->model;
  const ladsim_layer_spec *ls = &m->layers[i];
  int src = ladsim_model_layer_index(m, ls->from);
  if (src >= (int)i || (src >= 0 && rate_of[src] < 0))
    return LADSIM_ERROR(LADSIM_ECONFIG, "layers.%s.from: '%s' is not an earlier rate layer",
                        ls->name, ls->from);
  size_t k = net->n_layers;
  net->source[k] = src < 0 ? -1 : rate_of[src];
  if (src >= 0)
    net->layers[rate_of[src]]->feeds_above = true;
  size_t d = src < 0 ? net->input_size : m->layers[src].size;
  LADSIM_CHECK(ladsim_layer_alloc(ls, i, d, src >= 0, m->simulation.resolution,
                                  m->input.view_duration, m->simulation.seed, net->comm,
                                  &net->layers[k]));
  ladsim_layer *l = net->layers[k];
  net->units[net->n_units++] = (ladsim_unit){ls, l->n, l->d, l->lo, l->nl, &l->part,
                                             &l->W, &l->b, l->rule, l, NULL};
  net->n_layers = k + 1;
  return LADSIM_OK;
}

static int64_t max_delay_steps(const ladsim_model *m)
{
  int64_t steps = 1;
  for (size_t k = 0; k < m->n_projections; k++) {
    int64_t d = (int64_t)llround(m->projections[k].delay / m->simulation.resolution);
    if (d > steps)
      steps = d;
  }
  return steps;
}

/* A lif layer fed by the stimulus gets it as Poisson trains through a
 * dense learned projection. */
static ladsim_status add_input(ladsim_network *net, size_t i, ladsim_population *p)
{
  const ladsim_model *m = net->model;
  const ladsim_layer_spec *ls = &m->layers[i];
  if (ls->lif.coding != LADSIM_CODING_POISSON)
    return LADSIM_ERROR(LADSIM_ECONFIG, "layers.%s.lif.coding: current coding is not "
                        "supported yet; use coding: poisson", ls->name);
  if (m->input.center)
    return LADSIM_ERROR(LADSIM_ECONFIG, "layers.%s: Poisson coding needs pixels in [0, 1], "
                        "but input.center: true makes them negative; set input.center: false",
                        ls->name);
  LADSIM_CHECK(ladsim_population_input_alloc(p, i, net->input_size, m->input.view_duration,
                                             m->input.max_rate, m->simulation.seed));
  ladsim_dense_input *in = p->in;
  size_t k = net->n_pops - 1;
  net->units[net->n_units++] = (ladsim_unit){ls, p->n_layer, in->d, p->lo, p->n,
                                             &net->pop_part[k], &in->W, NULL, in->rule,
                                             NULL, p};
  if (in->rule) {   /* the rule's predictor reads the trace of the whole layer */
    net->pop_z[k] = calloc(p->n_layer, sizeof(double));
    if (!net->pop_z[k])
      return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory for layer %s", ls->name);
  }
  return LADSIM_OK;
}

static ladsim_status add_population(ladsim_network *net, size_t i, uint32_t *id_base)
{
  const ladsim_model *m = net->model;
  const ladsim_layer_spec *ls = &m->layers[i];
  bool from_input = strcmp(ls->from, "input") == 0;
  if (!from_input && strcmp(ls->from, "none") != 0)
    return LADSIM_ERROR(LADSIM_ECONFIG, "layers.%s: a lif layer fed by layer '%s' is not "
                        "supported yet; use from: input, or from: none and projections",
                        ls->name, ls->from);
  size_t k = net->n_pops;
  ladsim_comm_layout *part = &net->pop_part[k];
  net->n_pops = k + 1;   /* so that the layout is freed with the network */
  LADSIM_CHECK(ladsim_comm_layout_init(part, net->comm, ls->size));
  LADSIM_CHECK(ladsim_population_alloc_block(ls, i, *id_base, part->first, part->count,
                                             m->simulation.resolution, net->max_delay,
                                             m->simulation.seed, &net->pops[k]));
  *id_base += (uint32_t)ls->size;
  if (from_input)
    LADSIM_CHECK(add_input(net, i, net->pops[k]));
  return LADSIM_OK;
}

static ladsim_status add_projection(ladsim_network *net, size_t k)
{
  const ladsim_model *m = net->model;
  const ladsim_projection_spec *ps = &m->projections[k];
  ladsim_population *from = ladsim_network_population(net, ps->from);
  ladsim_population *to = ladsim_network_population(net, ps->to);
  if (!from || !to)
    return LADSIM_ERROR(LADSIM_ECONFIG, "projections[%zu]: %s -> %s must join two lif layers",
                        k, ps->from, ps->to);
  /* only the connections onto this rank's targets */
  LADSIM_CHECK(ladsim_projection_alloc_block(ps, k, ladsim_model_layer_index(m, ps->from),
                                             ladsim_model_layer_index(m, ps->to),
                                             from->n_layer, to->n_layer, to->lo, to->n,
                                             m->simulation.resolution, m->simulation.seed,
                                             &net->projections[k]));
  net->proj_from[k] = from;
  net->proj_to[k] = to;
  net->n_projections = k + 1;
  if (net->projections[k]->delay_steps < net->sync_steps)
    return LADSIM_ERROR(LADSIM_ECONFIG, "projections[%zu].delay: %g ms is shorter than "
                        "simulation.min_delay (%g ms); spikes cross ranks once per "
                        "min_delay, so no projection may be faster", k, ps->delay,
                        m->simulation.min_delay);
  for (size_t i = 0; i < net->n_pops; i++)
    if (net->pops[i] == from)
      net->proj_src[k] = (uint32_t)i;
  net->pop_shared[net->proj_src[k]] = true;
  return LADSIM_OK;
}

/* The spikes of recorded populations reach the rank that writes them. */
static void mark_recorded(ladsim_network *net)
{
  const ladsim_record_spec *rec = &net->model->record;
  for (size_t k = 0; k < rec->n_spikes; k++)
    for (size_t i = 0; i < net->n_pops; i++)
      if (strcmp(net->pops[i]->spec->name, rec->spikes[k]) == 0)
        net->pop_shared[i] = true;
}

static ladsim_status build(ladsim_network *net)
{
  const ladsim_model *m = net->model;
  int rate_of[LADSIM_MAX_LAYERS];
  uint32_t id_base = 0;
  net->sync_steps = (int64_t)llround(m->simulation.min_delay / m->simulation.resolution);
  if (net->sync_steps < 1)
    net->sync_steps = 1;
  net->max_delay = max_delay_steps(m);
  for (size_t i = 0; i < m->n_layers; i++) {
    rate_of[i] = -1;
    if (m->layers[i].neuron == LADSIM_NEURON_RATE) {
      LADSIM_CHECK(add_rate_layer(net, i, rate_of));
      rate_of[i] = (int)net->n_layers - 1;
    } else {
      LADSIM_CHECK(add_population(net, i, &id_base));
    }
  }
  for (size_t k = 0; k < m->n_projections; k++)
    LADSIM_CHECK(add_projection(net, k));
  mark_recorded(net);
  return LADSIM_OK;
}

ladsim_status ladsim_network_alloc(const ladsim_model *m, size_t input_size,
                                   MPI_Comm comm, ladsim_network **out)
{
  *out = NULL;
  ladsim_network *net = calloc(1, sizeof *net);
  if (!net)
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory for the network");
  net->model = m;
  net->comm = comm;
  net->input_size = input_size;
  ladsim_status s = build(net);
  if (s != LADSIM_OK) {
    ladsim_network_free(net);
    return ladsim_error_trace(s, __FILE__, __LINE__);
  }
  *out = net;
  return LADSIM_OK;
}

void ladsim_network_free(ladsim_network *net)
{
  if (!net)
    return;
  for (size_t i = 0; i < net->n_layers; i++)
    ladsim_layer_free(net->layers[i]);
  for (size_t i = 0; i < net->n_pops; i++) {
    ladsim_population_free(net->pops[i]);
    ladsim_comm_layout_free(&net->pop_part[i]);
    free(net->pop_z[i]);
  }
  free(net->outbox.r);
  free(net->arrived.r);
  free(net->flight.r);
  free(net->effects);
  free(net->ckpt_flight_i);
  free(net->ckpt_flight_t);
  for (size_t k = 0; k < net->n_projections; k++)
    ladsim_projection_free(net->projections[k]);
  free(net);
}

ladsim_population *ladsim_network_population(const ladsim_network *net, const char *name)
{
  for (size_t i = 0; i < net->n_pops; i++)
    if (strcmp(net->pops[i]->spec->name, name) == 0)
      return net->pops[i];
  return NULL;
}

ladsim_status ladsim_network_view_begin(ladsim_network *net, const double *x,
                                        uint64_t view_index)
{
  for (size_t i = 0; i < net->n_layers; i++) {
    int src = net->source[i];
    ladsim_layer_view_begin(net->layers[i], src < 0 ? x : net->layers[src]->z);
  }
  for (size_t i = 0; i < net->n_pops; i++)
    LADSIM_CHECK(ladsim_population_view_begin(net->pops[i], x, view_index));
  return LADSIM_OK;
}

void ladsim_network_attach(ladsim_network *net, const double *x)
{
  for (size_t i = 0; i < net->n_layers; i++) {
    int src = net->source[i];
    net->layers[i]->x = src < 0 ? x : net->layers[src]->z;
  }
}

void ladsim_unit_view_mean(const ladsim_unit *u, double *out)
{
  if (u->layer)
    ladsim_layer_view_mean(u->layer, out);
  else
    ladsim_population_view_mean(u->pop, out);
}

void ladsim_unit_rows(const ladsim_unit *u, int rank, size_t *row0, size_t *nrows)
{
  *row0 = u->part ? u->lo : 0;
  *nrows = u->part ? u->nl : (rank == 0 ? u->n : 0);
}

ladsim_status ladsim_unit_gather(const ladsim_unit *u, double *full)
{
  return u->part ? ladsim_comm_gather(u->part, full) : LADSIM_OK;
}

ladsim_status ladsim_unit_gather_rows(const ladsim_unit *u, size_t rows, double *full)
{
  return u->part ? ladsim_comm_gather_rows(u->part, rows, full) : LADSIM_OK;
}

/* Population i's step, and its learning: a rule reads the trace of the
 * whole layer, gathered from every rank. */
static ladsim_status step_population(ladsim_network *net, size_t i, bool learn)
{
  ladsim_population *p = net->pops[i];
  LADSIM_CHECK(ladsim_population_step(p, net->step));
  LADSIM_CHECK(ladsim__network_post(net, i));
  const double *z = p->trace;
  if (learn && net->pop_z[i]) {
    memcpy(net->pop_z[i] + p->lo, p->trace, p->n * sizeof(double));
    LADSIM_CHECK(ladsim_comm_gather(&net->pop_part[i], net->pop_z[i]));
    z = net->pop_z[i];
  }
  ladsim_population_learn(p, z, learn);
  return LADSIM_OK;
}

/* A rank whose step failed keeps taking part in the gathers of the
 * learning layers until the exchange tells every rank of the failure. */
static ladsim_status step_populations(ladsim_network *net, bool learn)
{
  for (size_t i = 0; i < net->n_pops; i++) {
    if (net->failed == LADSIM_OK) {
      ladsim_status st = step_population(net, i, learn);
      if (st != LADSIM_OK && ladsim__network_alone(net))
        return st;
      net->failed = st;
    }
    if (net->failed != LADSIM_OK && learn && net->pop_z[i])
      LADSIM_CHECK(ladsim_comm_gather(&net->pop_part[i], net->pop_z[i]));
  }
  return LADSIM_OK;
}

ladsim_status ladsim_network_step(ladsim_network *net, bool learn)
{
  for (size_t i = 0; i < net->n_layers; i++)
    LADSIM_CHECK(ladsim_layer_step(net->layers[i], learn));
  LADSIM_CHECK(step_populations(net, learn));
  net->step++;
  if (net->n_pops > 0 && net->step % net->sync_steps == 0)
    LADSIM_CHECK(ladsim_network_exchange(net));
  return LADSIM_OK;
}

void ladsim_network_view_end(ladsim_network *net, bool learn)
{
  for (size_t i = 0; i < net->n_layers; i++)
    ladsim_layer_view_end(net->layers[i], learn);
  for (size_t i = 0; i < net->n_pops; i++)
    ladsim_population_view_end(net->pops[i], learn);
}

void ladsim_network_reset_state(ladsim_network *net)
{
  for (size_t i = 0; i < net->n_layers; i++)
    ladsim_layer_reset_state(net->layers[i]);
  for (size_t i = 0; i < net->n_pops; i++)
    ladsim_population_reset_state(net->pops[i]);
  net->outbox.n = net->arrived.n = net->flight.n = 0;
}

ladsim_status ladsim_network_check_finite(const ladsim_network *net, double t_ms)
{
  for (size_t i = 0; i < net->n_layers; i++)
    LADSIM_CHECK(ladsim_layer_check_finite(net->layers[i], t_ms));
  for (size_t i = 0; i < net->n_pops; i++)
    if (net->pops[i]->in)
      LADSIM_CHECK(ladsim_population_check_finite(net->pops[i], t_ms));
  return LADSIM_OK;
}
