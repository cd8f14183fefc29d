/* network_exchange.c: the spikes of populations spread over ranks: gathered, delivered, kept in flight. */
#include "config.h"
#include "network/network.h"

#include <stdlib.h>
#include <string.h>
#include "io/state.h"

static int cmp_record(const void *a, const void *b)
{
  const ladsim_spike_record *x = a, *y = b;
  if (x->step != y->step)
    return x->step < y->step ? -1 : 1;
  if (x->pop != y->pop)
    return x->pop < y->pop ? -1 : 1;
  if (x->offset != y->offset)
    return x->offset < y->offset ? -1 : 1;
  return (x->id > y->id) - (x->id < y->id);
}

static ladsim_status list_reserve(ladsim_spike_list *l, size_t need)
{
  if (ladsim__reserve((void **)&l->r, &l->cap, need, sizeof *l->r))
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory keeping %zu spikes", need);
  return LADSIM_OK;
}

bool ladsim__network_alone(const ladsim_network *net)
{
  return ladsim_comm_size(net->comm) == 1;
}

ladsim_status ladsim__network_post(ladsim_network *net, size_t i)
{
  const ladsim_population *p = net->pops[i];
  if (!net->pop_shared[i] || p->n_spikes == 0)
    return LADSIM_OK;
  ladsim_spike_list *o = &net->outbox;
  LADSIM_CHECK(list_reserve(o, o->n + p->n_spikes));
  for (size_t s = 0; s < p->n_spikes; s++)
    o->r[o->n++] = (ladsim_spike_record){net->step, (uint32_t)i,
                                         (uint32_t)(p->lo + p->spike_ids[s]),
                                         p->spike_offsets[s]};
  return LADSIM_OK;
}

/* The unit effect of a spike at offset on a target of time constants in,
 * from the spike's entry e if it was computed for equal ones. */
static const ladsim_unit_effect *unit_effect(ladsim_unit_effect *e,
                                             const ladsim_lif_internals *in, double offset,
                                             int excitatory)
{
  double tau_x = excitatory ? in->tau_e : in->tau_i;
  if (e->tau_m != in->tau_m || e->tau_x != tau_x || e->h != in->h) {
    *e = (ladsim_unit_effect){in->tau_m, tau_x, in->h, 0.0, 0.0};
    ladsim_lif_input_kernel(in, offset, excitatory, &e->kv, &e->kg);
  }
  return e;
}

/* The spikes r[0 .. n) of one step that projection k carries onto this
 * rank's targets, arriving at not_before or later. */
static ladsim_status deliver_projection(ladsim_network *net, size_t k,
                                        const ladsim_spike_record *r, size_t n,
                                        int64_t not_before)
{
  const ladsim_projection *pr = net->projections[k];
  ladsim_population *to = net->proj_to[k];
  uint32_t base = net->proj_from[k]->id_base;
  for (size_t s = 0; s < n; s++) {
    int64_t at = r[s].step + pr->delay_steps;
    if (r[s].pop != net->proj_src[k] || at < not_before)
      continue;
    uint32_t j = r[s].id;
    const ladsim_unit_effect *u = unit_effect(&net->effects[s], &to->prop, r[s].offset,
                                              pr->weight > 0.0);
    double dv = pr->weight * u->kv, dg = pr->weight * u->kg;
    size_t c = pr->start[j];
    LADSIM_CHECK(ladsim_population_receive_row(to, at, pr->targets + c, pr->start[j + 1] - c,
                                               base + j, r[s].offset, pr->weight, dv, dg));
  }
  return LADSIM_OK;
}

/* Delivers spikes in (step, population, offset, id) order: step by step,
 * and within a step projection by projection, as a run on one rank that
 * delivered after every step would, so that events of equal time and
 * source land in every target's queue in the same order. */
static ladsim_status deliver(ladsim_network *net, const ladsim_spike_record *r, size_t n,
                             int64_t not_before)
{
  size_t a = 0;
  while (a < n) {
    size_t b = a;
    while (b < n && r[b].step == r[a].step)
      b++;
    if (ladsim__reserve((void **)&net->effects, &net->effects_cap, b - a,
                        sizeof *net->effects))
      return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory delivering %zu spikes", b - a);
    memset(net->effects, 0, (b - a) * sizeof *net->effects);
    for (size_t k = 0; k < net->n_projections; k++)
      LADSIM_CHECK(deliver_projection(net, k, r + a, b - a, not_before));
    a = b;
  }
  return LADSIM_OK;
}

static bool is_source(const ladsim_network *net, uint32_t pop)
{
  for (size_t k = 0; k < net->n_projections; k++)
    if (net->proj_src[k] == pop)
      return true;
  return false;
}

/* Keeps the spikes of sources whose events may still be on their way:
 * fired at step s, they arrive by s + max_delay. */
static ladsim_status keep_in_flight(ladsim_network *net)
{
  ladsim_spike_list *f = &net->flight;
  size_t keep = 0;
  for (size_t i = 0; i < f->n; i++)
    if (f->r[i].step + net->max_delay >= net->step)
      f->r[keep++] = f->r[i];
  f->n = keep;
  LADSIM_CHECK(list_reserve(f, f->n + net->arrived.n));
  for (size_t i = 0; i < net->arrived.n; i++)
    if (is_source(net, net->arrived.r[i].pop))
      f->r[f->n++] = net->arrived.r[i];
  return LADSIM_OK;
}

ladsim_status ladsim_network_exchange(ladsim_network *net)
{
  size_t bytes;
  ladsim_status mine = net->failed;
  net->failed = LADSIM_OK;
  void *all = net->arrived.r;
  ladsim_status st = ladsim_comm_gather_bytes(net->comm, mine, net->outbox.r,
                                              net->outbox.n * sizeof *net->outbox.r, &all,
                                              &net->arrived_bytes, &bytes);
  net->arrived.r = all;
  net->arrived.cap = net->arrived_bytes / sizeof *net->arrived.r;
  net->outbox.n = 0;
  net->arrived.n = st == LADSIM_OK ? bytes / sizeof *net->arrived.r : 0;
  LADSIM_CHECK(st);
  /* each rank's spikes come in order, the ranks' blocks one after another;
   * a lone rank's are in order already */
  if (net->arrived.n > 1 && !ladsim__network_alone(net))
    qsort(net->arrived.r, net->arrived.n, sizeof *net->arrived.r, cmp_record);
  LADSIM_CHECK(deliver(net, net->arrived.r, net->arrived.n, INT64_MIN));
  return keep_in_flight(net);
}

/* The state of population i's dense input, under layers/<name>/input/. */
static ladsim_status input_state(ladsim_network *net, size_t i, ladsim_state *st)
{
  ladsim_population *p = net->pops[i];
  ladsim_dense_input *in = p->in;
  const ladsim_state_type F = LADSIM_STATE_F64;
  size_t n = p->n_layer, lo = p->lo, nl = p->n;
  ladsim_state_prefix(st, "layers/%s/input/", p->spec->name);
  LADSIM_CHECK(ladsim_state_block(st, "W", F, in->W, n, in->d, lo, nl));
  LADSIM_CHECK(ladsim_state_block(st, "fp", F, in->fp, n, 0, lo, nl));
  LADSIM_CHECK(ladsim_state_block(st, "view_sum_z", F, in->z_sum, n, 0, lo, nl));
  LADSIM_CHECK(ladsim_state_whole(st, "x_pre", F, in->xpre, in->d, 0));
  /* next input spike, step of the view, steps summed in view_sum_z */
  LADSIM_CHECK(ladsim_state_whole(st, "position", LADSIM_STATE_I64, net->ckpt_pos[i], 3, 0));
  if (!in->rule)
    return LADSIM_OK;
  ladsim_state_prefix(st, "layers/%s/rule/", p->spec->name);
  return ladsim_rule_state(in->rule, st);
}

static ladsim_status population_state(ladsim_network *net, size_t i, ladsim_state *st)
{
  ladsim_population *p = net->pops[i];
  const ladsim_state_type F = LADSIM_STATE_F64;
  size_t n = p->n_layer, lo = p->lo, nl = p->n;
  ladsim_state_prefix(st, "layers/%s/", p->spec->name);
  LADSIM_CHECK(ladsim_state_block(st, "v", F, p->v, n, 0, lo, nl));
  /* the currents in their frame, and the frame's scales (population.h):
   * the actual currents are g_e * g_scale[0] and g_i * g_scale[1] */
  LADSIM_CHECK(ladsim_state_block(st, "g_e", F, p->ge, n, 0, lo, nl));
  LADSIM_CHECK(ladsim_state_block(st, "g_i", F, p->gi, n, 0, lo, nl));
  LADSIM_CHECK(ladsim_state_whole(st, "g_scale", F, p->gscale, 2, 0));
  LADSIM_CHECK(ladsim_state_block(st, "refractory", F, p->refr, n, 0, lo, nl));
  p->refr_known = false;   /* refr may have been read: list the refractory anew */
  LADSIM_CHECK(ladsim_state_block(st, "trace", F, p->trace, n, 0, lo, nl));
  return p->in ? input_state(net, i, st) : LADSIM_OK;
}

ladsim_status ladsim_network_state(ladsim_network *net, ladsim_state *st)
{
  for (size_t i = 0; i < net->n_pops; i++)
    LADSIM_CHECK(population_state(net, i, st));
  if (net->n_pops == 0)
    return LADSIM_OK;
  ladsim_state_prefix(st, "spikes_in_flight/");
  LADSIM_CHECK(ladsim_state_whole(st, "step_population_id", LADSIM_STATE_I64,
                                  net->ckpt_flight_i, net->ckpt_n_flight, 3));
  return ladsim_state_whole(st, "offset", LADSIM_STATE_F64, net->ckpt_flight_t,
                            net->ckpt_n_flight, 0);
}

static ladsim_status reserve_ckpt(ladsim_network *net, size_t n)
{
  net->ckpt_n_flight = n;
  if (n <= net->ckpt_cap && net->ckpt_flight_i)
    return LADSIM_OK;
  free(net->ckpt_flight_i);
  free(net->ckpt_flight_t);
  net->ckpt_flight_i = malloc((n ? n : 1) * 3 * sizeof(int64_t));
  net->ckpt_flight_t = malloc((n ? n : 1) * sizeof(double));
  net->ckpt_cap = n;
  if (!net->ckpt_flight_i || !net->ckpt_flight_t)
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory for %zu spikes in flight", n);
  return LADSIM_OK;
}

ladsim_status ladsim_network_save_prepare(ladsim_network *net)
{
  if (net->outbox.n > 0)
    return LADSIM_ERROR(LADSIM_EINTERNAL, "a checkpoint between two exchanges of spikes");
  const ladsim_spike_list *f = &net->flight;
  LADSIM_CHECK(reserve_ckpt(net, f->n));
  for (size_t s = 0; s < f->n; s++) {
    net->ckpt_flight_i[3 * s] = f->r[s].step;
    net->ckpt_flight_i[3 * s + 1] = f->r[s].pop;
    net->ckpt_flight_i[3 * s + 2] = f->r[s].id;
    net->ckpt_flight_t[s] = f->r[s].offset;
  }
  for (size_t i = 0; i < net->n_pops; i++) {
    const ladsim_dense_input *in = net->pops[i]->in;
    if (!in)
      continue;
    net->ckpt_pos[i][0] = (int64_t)in->next;
    net->ckpt_pos[i][1] = (int64_t)in->view_step;
    net->ckpt_pos[i][2] = (int64_t)in->view_steps;
  }
  return LADSIM_OK;
}

ladsim_status ladsim_network_load_prepare(ladsim_network *net, size_t n_flight)
{
  return reserve_ckpt(net, n_flight);
}

/* The saved spikes in flight, checked against this model. */
static ladsim_status restore_flight(ladsim_network *net)
{
  ladsim_spike_list *f = &net->flight;
  f->n = 0;
  LADSIM_CHECK(list_reserve(f, net->ckpt_n_flight));
  for (size_t s = 0; s < net->ckpt_n_flight; s++) {
    const int64_t *row = net->ckpt_flight_i + 3 * s;
    if (row[0] < net->step - net->max_delay || row[0] >= net->step || row[1] < 0
        || (size_t)row[1] >= net->n_pops || row[2] < 0
        || (size_t)row[2] >= net->pops[row[1]]->n_layer)
      return LADSIM_ERROR(LADSIM_EDATA, "the checkpoint's spikes in flight do not fit this "
                          "model (spike %zu)", s);
    f->r[f->n++] = (ladsim_spike_record){row[0], (uint32_t)row[1], (uint32_t)row[2],
                                         net->ckpt_flight_t[s]};
  }
  return LADSIM_OK;
}

/* Where each input was in its view; its trains are drawn again. */
static ladsim_status restore_input(ladsim_network *net, size_t i, const double *x,
                                   bool in_view, uint64_t view_index)
{
  ladsim_dense_input *in = net->pops[i]->in;
  const int64_t *pos = net->ckpt_pos[i];
  if (in_view)
    LADSIM_CHECK(ladsim_population_input_trains(net->pops[i], x, view_index));
  if (pos[0] < 0 || (size_t)pos[0] > in->n_spikes || pos[1] < 0 || pos[2] < 0)
    return LADSIM_ERROR(LADSIM_EDATA, "the checkpoint's input position of layer %s does "
                        "not fit its view", net->pops[i]->spec->name);
  in->next = (size_t)pos[0];
  in->view_step = (uint32_t)pos[1];
  in->view_steps = (size_t)pos[2];
  return LADSIM_OK;
}

ladsim_status ladsim_network_load_finish(ladsim_network *net, const double *x, bool in_view,
                                         uint64_t view_index)
{
  for (size_t i = 0; i < net->n_pops; i++)
    if (net->pops[i]->in)
      LADSIM_CHECK(restore_input(net, i, x, in_view, view_index));
  LADSIM_CHECK(restore_flight(net));
  net->outbox.n = net->arrived.n = 0;
  /* the spikes were saved in order; what has arrived already is left out */
  return deliver(net, net->flight.r, net->flight.n, net->step);
}
