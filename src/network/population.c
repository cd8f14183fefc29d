/* population.c: stepping a LIF population through its incoming spike events. */
#include "config.h"
#include "network/population.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/rng.h"

/* The frame of g_e and g_i is scaled back when a scale falls below this. */
#define LIF_FRAME_FLOOR 0x1p-100
/* The decay of g_e or g_i over one step may not be smaller (h <= 100 tau),
 * so that the scale after a step stays far from underflow. */
#define LIF_FRAME_MIN_DECAY 3.7e-44

int ladsim__reserve(void **buf, size_t *cap, size_t need, size_t elem)
{
  if (need <= *cap)
    return 0;
  size_t c = *cap ? *cap : 64;
  while (c < need)
    c *= 2;
  void *grown = realloc(*buf, c * elem);
  if (!grown)
    return -1;
  *buf = grown;
  *cap = c;
  return 0;
}

static ladsim_status lif_params(const ladsim_lif_spec *s, ladsim_lif_params *p)
{
  ladsim_lif_params_default(p);
  p->tau_m = s->tau_m;
  p->tau_e = s->tau_exc;
  p->tau_i = s->tau_inh;
  p->v_th = s->v_th;
  p->v_reset = s->v_reset;
  p->e_l = s->e_rest;
  p->t_ref = s->t_ref;
  p->i_e = s->i_e;
  return ladsim_lif_params_check(p);
}

static void init_state(ladsim_population *p, size_t index, uint64_t seed)
{
  const ladsim_lif_spec *s = &p->spec->lif;
  for (size_t i = 0; i < p->n; i++) {
    ladsim_rng r;
    ladsim_rng_init(&r, seed, LADSIM_STREAM_VINIT, index, p->lo + i, 0);
    p->v[i] = s->v_init_low + (s->v_init_high - s->v_init_low) * ladsim_rng_uniform(&r);
  }
}

/* n zeroed doubles starting on a cache line: the pass over the neurons
 * loads 64 bytes at a time with AVX-512, and a load that straddles two
 * lines costs two. */
static double *zalloc_lines(size_t n)
{
  size_t bytes = (n * sizeof(double) + 63) / 64 * 64;
  double *a = aligned_alloc(64, bytes);
  if (a)
    memset(a, 0, bytes);
  return a;
}

static ladsim_status alloc_arrays(ladsim_population *p)
{
  size_t n = p->n ? p->n : 1;   /* a rank may hold no neuron of a small layer */
  p->v = zalloc_lines(n);
  p->ge = zalloc_lines(n);
  p->gi = zalloc_lines(n);
  p->refr = calloc(n, sizeof(double));
  p->trace = calloc(n, sizeof(double));
  p->first = calloc(n + 1, sizeof(size_t));
  p->cursor = calloc(n + 1, sizeof(size_t));
  p->acc = calloc(n, sizeof *p->acc);
  p->busy = calloc(n, 1);
  p->slot_of = calloc(n, sizeof(uint32_t));
  p->busy_ids = calloc(n, sizeof(uint32_t));
  p->flagged = calloc(n, sizeof(uint32_t));
  p->flag_before = calloc(n, sizeof *p->flag_before);
  p->whole = calloc(n, sizeof *p->whole);
  p->ending = calloc(n, sizeof(uint32_t));
  p->held = calloc(n, sizeof *p->held);
  p->listed = calloc(n, 1);
  p->quiet_ids = calloc(n * p->max_per_step, sizeof(size_t));
  p->ring = calloc(p->ring_len, sizeof *p->ring);
  if (!p->v || !p->ge || !p->gi || !p->refr || !p->trace || !p->first || !p->cursor
      || !p->acc || !p->busy || !p->slot_of || !p->busy_ids || !p->flagged
      || !p->flag_before || !p->whole || !p->ending || !p->held || !p->listed
      || !p->quiet_ids || !p->ring)
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory for layer %s (%zu neurons)",
                        p->spec->name, n);
  return LADSIM_OK;
}

ladsim_status ladsim_population_alloc(const ladsim_layer_spec *spec, size_t index,
                                      uint32_t id_base, double h,
                                      int64_t max_delay_steps, uint64_t seed,
                                      ladsim_population **out)
{
  return ladsim_population_alloc_block(spec, index, id_base, 0, spec->size, h,
                                       max_delay_steps, seed, out);
}

ladsim_status ladsim_population_alloc_block(const ladsim_layer_spec *spec, size_t index,
                                            uint32_t id_base, size_t lo, size_t nl,
                                            double h, int64_t max_delay_steps,
                                            uint64_t seed, ladsim_population **out)
{
  ladsim_status st;
  ladsim_lif_params lp;
  *out = NULL;
  LADSIM_CHECK(lif_params(&spec->lif, &lp));
  ladsim_population *p = calloc(1, sizeof *p);
  if (!p)
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory for layer %s", spec->name);
  p->spec = spec;
  p->n = nl;
  p->lo = lo;
  p->n_layer = spec->size;
  p->id_base = id_base;
  p->h = h;
  LADSIM_CHECK_GOTO(st, ladsim_lif_prepare(&lp, h, &p->prop), fail);
  p->trace_decay = exp(-h / spec->lif.tau_trace);
  p->gscale[0] = p->gscale[1] = 1.0;
  if (!(p->prop.step.de >= LIF_FRAME_MIN_DECAY) || !(p->prop.step.di >= LIF_FRAME_MIN_DECAY)) {
    st = LADSIM_ERROR(LADSIM_EINVAL, "layer %s: tau_exc (%g ms) and tau_inh (%g ms) must be "
                      "at least simulation.resolution / 100 (%g ms): an input current "
                      "would vanish within one step; use a finer resolution or longer "
                      "synaptic time constants", spec->name, spec->lif.tau_exc,
                      spec->lif.tau_inh, h / 100.0);
    goto fail;
  }
  /* With t_ref > 0 a neuron fires at most floor(h / t_ref) + 1 times in a
   * step; without, 8 spikes per step are taken as runaway activity. */
  p->max_per_step = spec->lif.t_ref > 0.0 ? (size_t)floor(h / spec->lif.t_ref) + 1 : 8;
  p->ring_len = (size_t)(max_delay_steps < 1 ? 1 : max_delay_steps) + 1;
  LADSIM_CHECK_GOTO(st, alloc_arrays(p), fail);
  init_state(p, index, seed);
  *out = p;
  return LADSIM_OK;
fail:
  ladsim_population_free(p);
  return st;
}

void ladsim_population_free(ladsim_population *p)
{
  if (!p)
    return;
  for (size_t k = 0; p->ring && k < p->ring_len; k++) {
    free(p->ring[k].arr);
    free(p->ring[k].hits);
  }
  free(p->ring);
  free(p->v); free(p->ge); free(p->gi); free(p->refr); free(p->trace);
  free(p->first); free(p->cursor); free(p->acc); free(p->busy);
  free(p->slot_of); free(p->busy_ids); free(p->flagged); free(p->quiet_ids);
  free(p->flag_before); free(p->whole); free(p->ending); free(p->held); free(p->listed);
  free(p->order); free(p->grouped); free(p->inputs);
  free(p->spike_ids); free(p->spike_offsets);
  ladsim__dense_input_free(p->in);
  free(p);
}

void ladsim__population_clear_events(ladsim_population *p)
{
  for (size_t k = 0; k < p->ring_len; k++)
    p->ring[k].n_arr = p->ring[k].n_hits = 0;
}

/* Room for one more arrival in s. */
static ladsim_status reserve_arrival(ladsim_population *p, ladsim_event_slot *s)
{
  if (ladsim__reserve((void **)&s->arr, &s->arr_cap, s->n_arr + 1, sizeof *s->arr))
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory queueing spikes for layer %s",
                        p->spec->name);
  return LADSIM_OK;
}

ladsim_status ladsim_population_receive_row(ladsim_population *p, int64_t step,
                                            const uint32_t *targets, size_t n,
                                            uint32_t source, double offset, double weight,
                                            double dv, double dg)
{
  ladsim_event_slot *s = &p->ring[(size_t)step % p->ring_len];
  if (n == 0)
    return LADSIM_OK;
  LADSIM_CHECK(reserve_arrival(p, s));
  s->arr[s->n_arr++] = (ladsim_arrival){source, offset, weight, dv, dg, targets, 0, n};
  /* the row is read when the slot's step begins, often the next: its
   * cache lines are fetched together now rather than one miss after the
   * other then */
  for (size_t i = 0; i < n; i += 64 / sizeof *targets)
    __builtin_prefetch(targets + i);
  return LADSIM_OK;
}

/* Whether a spike is the one queued last in the slot, with its targets in
 * the slot's own list, so that target can join them: the targets of one
 * spike usually come one after the other. */
static int same_arrival(const ladsim_event_slot *s, uint32_t source, double offset,
                        double weight, double dv, double dg)
{
  if (s->n_arr == 0)
    return 0;
  const ladsim_arrival *a = &s->arr[s->n_arr - 1];
  return !a->ext && a->source == source && a->offset == offset && a->weight == weight
         && a->dv == dv && a->dg == dg;
}

ladsim_status ladsim_population_receive(ladsim_population *p, int64_t step,
                                        uint32_t target, uint32_t source,
                                        double offset, double weight, double dv,
                                        double dg)
{
  ladsim_event_slot *s = &p->ring[(size_t)step % p->ring_len];
  if (ladsim__reserve((void **)&s->hits, &s->hits_cap, s->n_hits + 1, sizeof *s->hits))
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory queueing spikes for layer %s",
                        p->spec->name);
  if (same_arrival(s, source, offset, weight, dv, dg)) {
    s->arr[s->n_arr - 1].n++;
  } else {
    LADSIM_CHECK(reserve_arrival(p, s));
    s->arr[s->n_arr++] = (ladsim_arrival){source, offset, weight, dv, dg, NULL, s->n_hits, 1};
  }
  s->hits[s->n_hits++] = target;
  return LADSIM_OK;
}

/* The targets of arrival a. */
static inline const uint32_t *arrival_targets(const ladsim_event_slot *s,
                                              const ladsim_arrival *a)
{
  return a->ext ? a->ext : s->hits + a->first;
}

/* The canonical order of a step's arrivals; equal keys have equal effects,
 * so their order does not matter. */
static int arrival_before(const ladsim_arrival *x, const ladsim_arrival *y)
{
  if (x->offset != y->offset)
    return x->offset < y->offset;
  if (x->source != y->source)
    return x->source < y->source;
  return x->weight < y->weight;
}

/* Puts the slot's arrivals in canonical order in p->order: a step has a few
 * of them (two in the CUBA network), in nearly that order already. */
static ladsim_status order_arrivals(ladsim_population *p, const ladsim_event_slot *s)
{
  if (ladsim__reserve((void **)&p->order, &p->order_cap, s->n_arr, sizeof *p->order))
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory ordering spikes");
  for (size_t a = 0; a < s->n_arr; a++) {
    size_t b = a;
    while (b > 0 && arrival_before(&s->arr[a], &s->arr[p->order[b - 1]])) {
      p->order[b] = p->order[b - 1];
      b--;
    }
    p->order[b] = (uint32_t)a;
  }
  return LADSIM_OK;
}

/* Adds the effects of arrival a to the sums of its targets, those on g_e
 * and g_i in the frame of the step's end; a target met for the first time
 * is numbered as the next busy neuron k, and its sums start in acc[k] with
 * its V kept. The sums of a step's busy neurons thus lie side by side in
 * a few kilobytes, where a neuron's own record in an array over all
 * neurons was a miss of the cache at every input and again when read.
 * Returns the new count. */
static size_t add_arrival(ladsim_population *p, const ladsim_arrival *a,
                          const uint32_t *restrict hit, size_t n_busy)
{
  unsigned char *restrict busy = p->busy;
  uint32_t *restrict slot_of = p->slot_of, *restrict busy_ids = p->busy_ids;
  ladsim_input_acc *restrict acc = p->acc;
  const double dv = a->dv, dv_exc = a->weight > 0.0 ? a->dv : 0.0;
  const double dge = a->weight > 0.0 ? a->dg * p->ginv[0] : 0.0;
  const double dgi = a->weight > 0.0 ? 0.0 : a->dg * p->ginv[1];
  for (size_t e = 0; e < a->n; e++) {
    uint32_t t = hit[e];
    if (!busy[t]) {
      /* the sums start at this input's effects (0 + x is x) */
      busy[t] = 1;
      slot_of[t] = (uint32_t)n_busy;
      busy_ids[n_busy] = t;
      acc[n_busy++] = (ladsim_input_acc){dv, dv_exc, dge, dgi, p->v[t]};
      continue;
    }
    ladsim_input_acc *c = &acc[slot_of[t]];
    c->dv += dv;
    c->dv_exc += dv_exc;
    c->dge += dge;
    c->dgi += dgi;
  }
  return n_busy;
}

/* Sums the end-of-step effects of the slot's spikes per target, in
 * canonical order, so that the sums do not depend on the order in which the
 * spikes were queued. */
static ladsim_status sum_inputs(ladsim_population *p, const ladsim_event_slot *s)
{
  size_t n_busy = 0;
  p->is_grouped = false;
  LADSIM_CHECK(order_arrivals(p, s));
  for (size_t o = 0; o < s->n_arr; o++) {
    const ladsim_arrival *a = &s->arr[p->order[o]];
    n_busy = add_arrival(p, a, arrival_targets(s, a), n_busy);
  }
  p->n_busy = n_busy;
  return LADSIM_OK;
}

/* Lists every busy neuron's arrivals, in canonical order: done once in a
 * step, when the first one needs the exact path. */
static ladsim_status group_inputs(ladsim_population *p, const ladsim_event_slot *s)
{
  if (p->is_grouped)
    return LADSIM_OK;
  size_t n_hits = 0;
  for (size_t a = 0; a < s->n_arr; a++)
    n_hits += s->arr[a].n;
  if (ladsim__reserve((void **)&p->grouped, &p->grouped_cap, n_hits, sizeof *p->grouped))
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory grouping spikes");
  memset(p->cursor, 0, p->n_busy * sizeof *p->cursor);
  for (size_t a = 0; a < s->n_arr; a++)
    for (size_t e = 0; e < s->arr[a].n; e++)
      p->cursor[p->slot_of[arrival_targets(s, &s->arr[a])[e]]]++;
  size_t at = 0;
  for (size_t k = 0; k < p->n_busy; k++) {
    p->first[k] = at;
    at += p->cursor[k];
    p->cursor[k] = p->first[k];
  }
  p->first[p->n_busy] = at;
  for (size_t o = 0; o < s->n_arr; o++) {
    const ladsim_arrival *a = &s->arr[p->order[o]];
    const uint32_t *hit = arrival_targets(s, a);
    for (size_t e = 0; e < a->n; e++)
      p->grouped[p->cursor[p->slot_of[hit[e]]]++] = p->order[o];
  }
  p->is_grouped = true;
  return LADSIM_OK;
}

/* Makes room for need spikes in this step's spike arrays. */
static ladsim_status reserve_spikes(ladsim_population *p, size_t need)
{
  if (need <= p->spikes_cap)
    return LADSIM_OK;
  size_t cap = p->spikes_cap ? p->spikes_cap : 64;
  while (cap < need)
    cap *= 2;
  uint32_t *ids = realloc(p->spike_ids, cap * sizeof *ids);
  if (ids)
    p->spike_ids = ids;
  double *offs = realloc(p->spike_offsets, cap * sizeof *offs);
  if (offs)
    p->spike_offsets = offs;
  if (!ids || !offs)
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory for the spikes of layer %s",
                        p->spec->name);
  p->spikes_cap = cap;
  return LADSIM_OK;
}

/* Runs neuron t exactly through the step from state *st with the n_in
 * inputs in p->inputs; its spikes go straight to the step's list. Without
 * inputs and with t_ref > 0 a neuron fires at most max_per_step times
 * (models/lif.h gives the bound); otherwise 8 spikes in a step are taken
 * as runaway activity. */
static ladsim_status advance_exact(ladsim_population *p, size_t t, ladsim_lif_state *st,
                                   size_t n_in)
{
  int bounded = n_in == 0 && p->spec->lif.t_ref > 0.0;
  size_t cap = bounded ? p->max_per_step : 8;
  LADSIM_CHECK(reserve_spikes(p, p->n_spikes + cap));
  int fired = ladsim_lif_step(&p->prop, st, p->inputs, n_in, p->spike_offsets + p->n_spikes,
                              cap > INT_MAX ? INT_MAX : (int)cap);
  if (!bounded && fired == 8)
    return LADSIM_ERROR(LADSIM_EDIVERGED, "layer %s: neuron %zu fires 8 or more times in "
                        "one step; use a finer simulation.resolution or a longer t_ref",
                        p->spec->name, p->lo + t);
  for (int f = 0; f < fired; f++)
    p->spike_ids[p->n_spikes++] = (uint32_t)t;
  return LADSIM_OK;
}

/* Neuron t's state at the end of the step, its currents in the frame of
 * the step's end. */
static void store_state(ladsim_population *p, size_t t, const ladsim_lif_state *st)
{
  p->v[t] = st->v;
  p->ge[t] = st->ge * p->ginv[0];
  p->gi[t] = st->gi * p->ginv[1];
  p->refr[t] = st->refr;
}

/* Neuron t's state at the start of the step, with V = v. */
static ladsim_lif_state state_before(const ladsim_population *p, size_t t, double v)
{
  return (ladsim_lif_state){v, p->ge[t] * p->gscale[0], p->gi[t] * p->gscale[1], p->refr[t]};
}

/* Scales the currents back to the actual ones: every scale becomes 1. */
static void frame_reset(ladsim_population *p)
{
  if (p->gscale[0] == 1.0 && p->gscale[1] == 1.0)
    return;
  for (size_t i = 0; i < p->n; i++) {
    p->ge[i] *= p->gscale[0];
    p->gi[i] *= p->gscale[1];
  }
  p->gscale[0] = p->gscale[1] = 1.0;
}

/* Sets the scales for the end of the step: a step with dense input works
 * on the actual currents (scales 1); another moves the frame on by the
 * decay over one step, first scaling it back if it would fall too low. */
static void frame_begin(ladsim_population *p, bool dense)
{
  const ladsim_lif_propagator *q = &p->prop.step;
  if (dense || !(p->gscale[0] * q->de >= LIF_FRAME_FLOOR)
      || !(p->gscale[1] * q->di >= LIF_FRAME_FLOOR))
    frame_reset(p);
  p->gnext[0] = dense ? 1.0 : p->gscale[0] * q->de;
  p->gnext[1] = dense ? 1.0 : p->gscale[1] * q->di;
  p->ginv[0] = 1.0 / p->gnext[0];
  p->ginv[1] = 1.0 / p->gnext[1];
}

void ladsim_population_neuron(const ladsim_population *p, size_t i, ladsim_lif_state *st)
{
  *st = state_before(p, i, p->v[i]);
}

/* advance_exact, and the state kept. */
static ladsim_status run_exact(ladsim_population *p, size_t t, ladsim_lif_state st,
                               size_t n_in)
{
  LADSIM_CHECK(advance_exact(p, t, &st, n_in));
  store_state(p, t, &st);
  return LADSIM_OK;
}

/* How often target t is in the list x[0 .. n): a loop without a branch,
 * which vectorises. */
static size_t count_target(const uint32_t *restrict x, size_t n, uint32_t t)
{
  size_t c = 0;
  for (size_t e = 0; e < n; e++)
    c += x[e] == t;
  return c;
}

/* A step with at most this many arrivals looks a neuron's inputs up in
 * them one neuron at a time; with more, grouping them all once is
 * cheaper. */
#define SCAN_ARRIVALS_MAX 8

/* Busy neuron k's inputs into p->inputs by looking for it in each arrival's
 * targets, in canonical order. In the CUBA network a step has two
 * arrivals of some 80 targets, and grouping all of them for the few
 * neurons that take the exact path was 3% of the run. */
static ladsim_status scan_inputs(ladsim_population *p, const ladsim_event_slot *s, size_t k,
                                 size_t *n_in)
{
  uint32_t t = p->busy_ids[k];
  size_t room = 0, m = 0;
  for (size_t a = 0; a < s->n_arr; a++)
    room += s->arr[a].n;
  if (ladsim__reserve((void **)&p->inputs, &p->inputs_cap, room, sizeof *p->inputs))
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory for spike inputs");
  for (size_t o = 0; o < s->n_arr; o++) {
    const ladsim_arrival *a = &s->arr[p->order[o]];
    for (size_t c = count_target(arrival_targets(s, a), a->n, t); c > 0; c--)
      p->inputs[m++] = (ladsim_lif_input){a->offset, a->weight};
  }
  *n_in = m;
  return LADSIM_OK;
}

/* Busy neuron k's inputs into p->inputs, in canonical order; their count
 * in *n_in. */
static ladsim_status gather_inputs(ladsim_population *p, const ladsim_event_slot *s,
                                   size_t k, size_t *n_in)
{
  if (!p->is_grouped && s->n_arr <= SCAN_ARRIVALS_MAX)
    return scan_inputs(p, s, k, n_in);
  LADSIM_CHECK(group_inputs(p, s));
  size_t lo = p->first[k];
  *n_in = p->first[k + 1] - lo;
  if (ladsim__reserve((void **)&p->inputs, &p->inputs_cap, *n_in, sizeof *p->inputs))
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory for spike inputs");
  for (size_t e = 0; e < *n_in; e++) {
    const ladsim_arrival *a = &s->arr[p->grouped[lo + e]];
    p->inputs[e] = (ladsim_lif_input){a->offset, a->weight};
  }
  return LADSIM_OK;
}

/* The exact path for neuron t from state st, with its inputs if it is
 * busy (then marked 3: done). */
static ladsim_status exact_with_inputs(ladsim_population *p, const ladsim_event_slot *s,
                                       size_t t, ladsim_lif_state *st)
{
  size_t n_in = 0;
  if (p->busy[t]) {
    LADSIM_CHECK(gather_inputs(p, s, p->slot_of[t], &n_in));
    p->busy[t] = 3;
  }
  return advance_exact(p, t, st, n_in);
}

/* Lists neuron t, refractory after this step, for the next. */
static void list_refractory(ladsim_population *p, uint32_t t)
{
  p->listed[t] = 1;
  if (p->refr[t] >= p->h)
    p->whole[p->n_whole++] = (ladsim_refractory){t, p->refr[t]};
  else
    p->ending[p->n_ending++] = t;
}

/* Lists the refractory neurons from scratch. */
static void find_refractory(ladsim_population *p)
{
  p->n_whole = p->n_ending = 0;
  for (size_t i = 0; i < p->n; i++) {
    p->listed[i] = 0;
    if (p->refr[i] > 0.0)
      list_refractory(p, (uint32_t)i);
  }
  p->refr_known = true;
}

/* Lists the neurons that fired in this step and are refractory after it. */
static void note_refractory(ladsim_population *p)
{
  if (!p->refr_known)
    return;
  for (size_t k = 0; k < p->n_spikes; k++) {
    uint32_t t = p->spike_ids[k];
    if (!p->listed[t] && p->refr[t] > 0.0)
      list_refractory(p, t);
  }
}

/* Before the pass, which will overwrite their state: the neurons whose
 * refractoriness ends inside the step go through the exact path, and the
 * result is held for after the pass. */
static ladsim_status refractory_before(ladsim_population *p, const ladsim_event_slot *s)
{
  if (!p->refr_known)
    find_refractory(p);
  for (size_t r = 0; r < p->n_ending; r++) {
    uint32_t t = p->ending[r];
    p->held[r] = state_before(p, t, p->v[t]);
    LADSIM_CHECK(exact_with_inputs(p, s, t, &p->held[r]));
  }
  return LADSIM_OK;
}

/* After the pass and the busy neurons: the ending ones get their exact
 * result and leave the list (they are listed again if they fired); V of
 * one refractory all step stays at v_reset while g_e and g_i decay (the
 * frame does that), as in ladsim_lif_refractory_step, and it moves to the
 * ending ones when less than a step is left. */
static void refractory_after(ladsim_population *p)
{
  for (size_t r = 0; r < p->n_ending; r++) {
    store_state(p, p->ending[r], &p->held[r]);
    p->listed[p->ending[r]] = 0;
  }
  p->n_ending = 0;
  size_t kept = 0;
  for (size_t r = 0; r < p->n_whole; r++) {
    ladsim_refractory e = p->whole[r];
    e.left -= p->h;
    p->v[e.id] = p->prop.v_reset;
    p->refr[e.id] = e.left;
    if (e.left >= p->h)
      p->whole[kept++] = e;
    else if (e.left > 0.0)
      p->ending[p->n_ending++] = e.id;
    else
      p->listed[e.id] = 0;
  }
  p->n_whole = kept;
}

/* Busy neuron k after the pass. One that went through the exact path is
 * done (marked 3). One refractory all step gets only its inputs' effects
 * on g_e and g_i. The others get the summed effect on V too (below
 * threshold the dynamics are linear), unless V may reach threshold at the
 * end of the step or at one of its inputs, where the exact path tests it:
 * then the exact path, from the state before the step. Within a step much
 * shorter than the time to the peak of a postsynaptic potential (some
 * tau_m tau_e / (tau_m - tau_e) ln(tau_m / tau_e), 9 ms in the CUBA
 * network) the effect of an excitatory input grows all step, so V at an
 * input is at most the larger of V at the ends without inputs plus the
 * end effect of the excitatory ones; the test is that bound. */
static ladsim_status step_busy(ladsim_population *p, const ladsim_event_slot *s, size_t k)
{
  size_t t = p->busy_ids[k];
  ladsim_input_acc c = p->acc[k];
  if (p->busy[t] == 3) {
    p->busy[t] = 0;
    return LADSIM_OK;
  }
  if (!p->listed[t]) {
    double vt = p->v[t] + c.dv, top = (c.v0 > p->v[t] ? c.v0 : p->v[t]) + c.dv_exc;
    if (vt >= p->prop.v_th || top >= p->prop.v_th) {
      ladsim_lif_state st = state_before(p, t, c.v0);
      LADSIM_CHECK(exact_with_inputs(p, s, t, &st));
      store_state(p, t, &st);
      p->busy[t] = 0;
      return LADSIM_OK;
    }
    p->v[t] = vt;
  }
  p->ge[t] += c.dge;
  p->gi[t] += c.dgi;
  p->busy[t] = 0;
  return LADSIM_OK;
}

/* One step of a population without input from the stimulus: the
 * refractory neurons that come out of it in this step, then one pass over
 * all neurons for the whole-step update without inputs, then the few that
 * it got wrong (at or reaching threshold, refractory) and those that
 * receive inputs. The currents stay in their frame; the step moves the
 * frame's scales on. */
static ladsim_status step_sparse(ladsim_population *p, const ladsim_event_slot *s)
{
  LADSIM_CHECK(refractory_before(p, s));
  size_t n_fl = ladsim_lif_update_free(&p->prop, p->n, p->v, p->ge, p->gi, p->gscale[0],
                                       p->gscale[1], p->flagged, p->flag_before);
  for (size_t f = 0; f < n_fl; f++) {
    uint32_t t = p->flagged[f];
    if (p->listed[t])
      continue;   /* refractory: see refractory_after */
    ladsim_lif_state st = p->flag_before[f];
    st.refr = p->refr[t];
    LADSIM_CHECK(exact_with_inputs(p, s, t, &st));
    store_state(p, t, &st);
  }
  for (size_t k = 0; k < p->n_busy; k++)
    LADSIM_CHECK(step_busy(p, s, k));
  refractory_after(p);
  return LADSIM_OK;
}

/* The fast path of the dense input for every neuron; each spikes at most
 * max_per_step times (models/lif.h gives the bound). */
static ladsim_status step_quiet(ladsim_population *p)
{
  size_t cap = p->n * p->max_per_step;
  LADSIM_CHECK(reserve_spikes(p, p->n_spikes + cap));
  size_t fired = ladsim_lif_update_quiet_masked(&p->prop, p->n, p->v, p->ge, p->gi, p->refr,
                                                p->busy, p->quiet_ids,
                                                p->spike_offsets + p->n_spikes, cap);
  if (fired == cap && p->spec->lif.t_ref <= 0.0)
    return LADSIM_ERROR(LADSIM_EDIVERGED, "layer %s: neurons fire %zu times in one step "
                        "without refractoriness; use a finer simulation.resolution or "
                        "t_ref > 0", p->spec->name, p->max_per_step);
  for (size_t f = 0; f < fired; f++)
    p->spike_ids[p->n_spikes + f] = (uint32_t)p->quiet_ids[f];
  p->n_spikes += fired;
  return LADSIM_OK;
}

/* The summed end-of-step effects of the step's input spikes lo .. hi on
 * every neuron, as if it stayed below threshold: for each spike two unit
 * effects (through g_e, through g_i), then one pass over the neurons. */
static void dense_effects(ladsim_population *p, size_t lo, size_t hi)
{
  ladsim_dense_input *in = p->in;
  size_t n = p->n, d = in->d;
  memset(in->dv, 0, n * sizeof(double));
  memset(in->dv_exc, 0, n * sizeof(double));
  memset(in->dge, 0, n * sizeof(double));
  memset(in->dgi, 0, n * sizeof(double));
  for (size_t s = lo; s < hi; s++) {
    double ev, eg, iv, ig;
    ladsim_lif_input_effect(&p->prop, in->spikes[s].offset, 1.0, &ev, &eg);
    ladsim_lif_input_effect(&p->prop, in->spikes[s].offset, -1.0, &iv, &ig);
    const double *col = in->W + in->spikes[s].id;
    for (size_t i = 0; i < n; i++) {
      double w = col[i * d], wp = w > 0.0 ? w : 0.0, wn = w - wp;
      /* effect(w) = |w| effect(-1) for w < 0 */
      in->dv[i] += wp * ev - wn * iv;
      in->dv_exc[i] += wp * ev;
      in->dge[i] += wp * eg;
      in->dgi[i] -= wn * ig;
    }
  }
}

/* The exact path for neuron t: the step's input spikes lo .. hi with
 * weights from row t of W, merged by offset with its events of busy
 * neuron k (k == SIZE_MAX: none), the input first at equal offsets. */
static ladsim_status dense_exact(ladsim_population *p, const ladsim_event_slot *s, size_t t,
                                 size_t k, size_t lo, size_t hi)
{
  const ladsim_dense_input *in = p->in;
  size_t g = 0, g_end = 0;
  if (k != SIZE_MAX) {
    LADSIM_CHECK(group_inputs(p, s));
    g = p->first[k];
    g_end = p->first[k + 1];
  }
  size_t need = hi - lo + g_end - g;
  if (ladsim__reserve((void **)&p->inputs, &p->inputs_cap, need, sizeof *p->inputs))
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory for spike inputs");
  const double *w = in->W + t * in->d;
  size_t m = 0, a = lo;
  while (a < hi || g < g_end) {
    const ladsim_arrival *e = g < g_end ? &s->arr[p->grouped[g]] : NULL;
    if (!e || (a < hi && in->spikes[a].offset <= e->offset)) {
      p->inputs[m++] = (ladsim_lif_input){in->spikes[a].offset, w[in->spikes[a].id]};
      a++;
    } else {
      p->inputs[m++] = (ladsim_lif_input){e->offset, e->weight};
      g++;
    }
  }
  return run_exact(p, t, in->before[t], m);
}

/* Neuron t after the whole-step update of a step with input spikes: the
 * same choice as step_busy (and the same bound on V at the inputs), with
 * the dense input's effects added. */
static ladsim_status dense_neuron(ladsim_population *p, const ladsim_event_slot *s, size_t t,
                                  size_t lo, size_t hi)
{
  ladsim_dense_input *in = p->in;
  int untouched = p->busy[t] == 2;
  p->busy[t] = 0;
  size_t k = p->slot_of[t];
  if (!(k < p->n_busy && p->busy_ids[k] == t))
    k = SIZE_MAX;   /* no events from projections */
  if (untouched)
    return dense_exact(p, s, t, k, lo, hi);
  double dv = in->dv[t], dv_exc = in->dv_exc[t], dge = in->dge[t], dgi = in->dgi[t];
  if (k != SIZE_MAX) {
    const ladsim_input_acc c = p->acc[k];
    dv += c.dv;
    dv_exc += c.dv_exc;
    dge += c.dge;
    dgi += c.dgi;
  }
  int clamped = in->before[t].refr >= p->h;
  double v0 = in->before[t].v, top = (v0 > p->v[t] ? v0 : p->v[t]) + dv_exc;
  if (!clamped && (p->v[t] + dv >= p->prop.v_th || top >= p->prop.v_th))
    return dense_exact(p, s, t, k, lo, hi);
  if (!clamped)
    p->v[t] += dv;
  p->ge[t] += dge;
  p->gi[t] += dgi;
  return LADSIM_OK;
}

/* A step in which input spikes lo .. hi arrive: every neuron receives them. */
static ladsim_status step_dense(ladsim_population *p, const ladsim_event_slot *s, size_t lo,
                                size_t hi)
{
  ladsim_dense_input *in = p->in;
  for (size_t i = 0; i < p->n; i++) {
    in->before[i] = (ladsim_lif_state){p->v[i], p->ge[i], p->gi[i], p->refr[i]};
    p->busy[i] = 1;
  }
  dense_effects(p, lo, hi);
  LADSIM_CHECK(step_quiet(p));
  for (size_t i = 0; i < p->n; i++)
    LADSIM_CHECK(dense_neuron(p, s, i, lo, hi));
  p->refr_known = false;   /* the step did not keep the lists */
  return LADSIM_OK;
}

static int cmp_spike(const void *a, const void *b, void *ctx)
{
  const ladsim_population *p = ctx;
  size_t i = *(const size_t *)a, j = *(const size_t *)b;
  if (p->spike_offsets[i] != p->spike_offsets[j])
    return p->spike_offsets[i] < p->spike_offsets[j] ? -1 : 1;
  return (p->spike_ids[i] > p->spike_ids[j]) - (p->spike_ids[i] < p->spike_ids[j]);
}

/* Puts the step's spikes in (offset, id) order; a step has few of them. */
static void order_spikes(ladsim_population *p)
{
  size_t n = p->n_spikes;
  for (size_t a = 1; a < n; a++) {
    size_t b = a;
    while (b > 0) {
      size_t x = b - 1, y = b;
      if (cmp_spike(&x, &y, p) <= 0)
        break;
      uint32_t ti = p->spike_ids[x];
      double to = p->spike_offsets[x];
      p->spike_ids[x] = p->spike_ids[y];
      p->spike_offsets[x] = p->spike_offsets[y];
      p->spike_ids[y] = ti;
      p->spike_offsets[y] = to;
      b--;
    }
  }
}

/* The activity trace feeds the learning rule only. */
static void update_trace(ladsim_population *p)
{
  if (!p->spec->learn && !p->in)
    return;
  for (size_t i = 0; i < p->n; i++)
    p->trace[i] *= p->trace_decay;
  double tau = p->spec->lif.tau_trace;
  for (size_t s = 0; s < p->n_spikes; s++)
    p->trace[p->spike_ids[s]] += exp(-(p->h - p->spike_offsets[s]) / tau);
}

/* The range lo .. hi of the view's input spikes that fall in this step. */
static void input_range(const ladsim_population *p, size_t *lo, size_t *hi)
{
  const ladsim_dense_input *in = p->in;
  size_t e = in->next;
  while (e < in->n_spikes && in->spikes[e].step == in->view_step)
    e++;
  *lo = in->next;
  *hi = e;
}

ladsim_status ladsim_population_step(ladsim_population *p, int64_t step)
{
  ladsim_event_slot *s = &p->ring[(size_t)step % p->ring_len];
  size_t lo = 0, hi = 0;
  p->n_spikes = 0;
  if (p->in)
    input_range(p, &lo, &hi);
  frame_begin(p, hi > lo);
  LADSIM_CHECK(sum_inputs(p, s));
  if (hi > lo)
    LADSIM_CHECK(step_dense(p, s, lo, hi));
  else
    LADSIM_CHECK(step_sparse(p, s));
  p->gscale[0] = p->gnext[0];
  p->gscale[1] = p->gnext[1];
  s->n_arr = s->n_hits = 0;
  note_refractory(p);
  order_spikes(p);
  update_trace(p);
  return LADSIM_OK;
}
