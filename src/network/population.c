/* population.c: stepping a LIF population through its incoming spike events. */
#include "config.h"
#include "network/population.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/rng.h"

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
  size_t n = p->n ? p->n : 1;   /* a rank may hold no neuron of a small layer */
  p->v = calloc(n, sizeof(double));
  p->ge = calloc(n, sizeof(double));
  p->gi = calloc(n, sizeof(double));
  p->refr = calloc(n, sizeof(double));
  p->trace = calloc(n, sizeof(double));
  p->first = calloc(n + 1, sizeof(size_t));
  p->cursor = calloc(n + 1, sizeof(size_t));
  p->before = calloc(n, sizeof *p->before);
  p->busy = calloc(n, 1);
  p->slot_of = calloc(n, sizeof(uint32_t));
  p->busy_ids = calloc(n, sizeof(uint32_t));
  /* With t_ref > 0 a neuron fires at most floor(h / t_ref) + 1 times in a
   * step; without, 8 spikes per step are taken as runaway activity. */
  p->max_per_step = spec->lif.t_ref > 0.0 ? (size_t)floor(h / spec->lif.t_ref) + 1 : 8;
  p->quiet_ids = calloc(n * p->max_per_step, sizeof(size_t));
  p->ring_len = (size_t)(max_delay_steps < 1 ? 1 : max_delay_steps) + 1;
  p->ring = calloc(p->ring_len, sizeof *p->ring);
  if (!p->v || !p->ge || !p->gi || !p->refr || !p->trace || !p->first || !p->cursor || !p->before || !p->quiet_ids || !p->ring ||
      !p->busy || !p->slot_of || !p->busy_ids) {
    st = LADSIM_ERROR(LADSIM_ENOMEM, "out of memory for layer %s (%zu neurons)",
                      spec->name, n);
    goto fail;
  }
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
  for (size_t k = 0; p->ring && k < p->ring_len; k++)
    free(p->ring[k].ev);
  free(p->ring);
  free(p->v); free(p->ge); free(p->gi); free(p->refr); free(p->trace);
  free(p->first); free(p->cursor); free(p->before); free(p->busy); free(p->slot_of); free(p->busy_ids); free(p->quiet_ids); free(p->sorted); free(p->inputs);
  free(p->spike_ids); free(p->spike_offsets);
  ladsim__dense_input_free(p->in);
  free(p);
}

ladsim_status ladsim_population_receive(ladsim_population *p, int64_t step,
                                        uint32_t target, uint32_t source,
                                        double offset, double weight, double dv,
                                        double dg)
{
  ladsim_event_slot *s = &p->ring[(size_t)step % p->ring_len];
  if (ladsim__reserve((void **)&s->ev, &s->cap, s->n + 1, sizeof *s->ev))
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory queueing spikes for layer %s",
                        p->spec->name);
  s->ev[s->n++] = (ladsim_spike_event){target, source, offset, weight, dv, dg};
  return LADSIM_OK;
}

static int cmp_event(const void *a, const void *b)
{
  const ladsim_spike_event *x = a, *y = b;
  if (x->offset != y->offset)
    return x->offset < y->offset ? -1 : 1;
  return (x->source > y->source) - (x->source < y->source);
}

/* Groups the slot's events by target in O(events): busy[t] marks the
 * targets, slot_of[t] numbers them in order of first appearance, and
 * first[k] .. first[k + 1] is the range of the k-th target, each range in
 * (offset, source) order. */
static ladsim_status group(ladsim_population *p, const ladsim_event_slot *s)
{
  p->n_busy = 0;
  for (size_t e = 0; e < s->n; e++) {
    uint32_t t = s->ev[e].target;
    if (!p->busy[t]) {
      p->busy[t] = 1;
      p->slot_of[t] = (uint32_t)p->n_busy;
      p->busy_ids[p->n_busy] = t;
      p->cursor[p->n_busy++] = 0;
    }
    p->cursor[p->slot_of[t]]++;
  }
  /* counts into starts: first[k] is where group k begins */
  size_t at = 0;
  for (size_t k = 0; k < p->n_busy; k++) {
    p->first[k] = at;
    at += p->cursor[k];
    p->cursor[k] = p->first[k];
  }
  p->first[p->n_busy] = at;
  if (ladsim__reserve((void **)&p->sorted, &p->sorted_cap, s->n, sizeof *p->sorted))
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory sorting spikes");
  for (size_t e = 0; e < s->n; e++) {
    size_t k = p->slot_of[s->ev[e].target];
    size_t i = p->cursor[k]++;
    /* insertion keeps the group in (offset, source) order */
    while (i > p->first[k] && cmp_event(&p->sorted[i - 1], &s->ev[e]) > 0) {
      p->sorted[i] = p->sorted[i - 1];
      i--;
    }
    p->sorted[i] = s->ev[e];
  }
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

static ladsim_status add_spike(ladsim_population *p, size_t id, double offset)
{
  LADSIM_CHECK(reserve_spikes(p, p->n_spikes + 1));
  p->spike_ids[p->n_spikes] = (uint32_t)id;
  p->spike_offsets[p->n_spikes++] = offset;
  return LADSIM_OK;
}

/* Runs neuron t exactly through the step from state st with the n_in
 * inputs in p->inputs. */
static ladsim_status run_exact(ladsim_population *p, size_t t, ladsim_lif_state st,
                               size_t n_in)
{
  double off[8];
  int fired = ladsim_lif_step(&p->prop, &st, p->inputs, n_in, off, 8);
  if (fired == 8)
    return LADSIM_ERROR(LADSIM_EDIVERGED, "layer %s: neuron %zu fires 8 or more times in "
                        "one step; use a finer simulation.resolution or a longer t_ref",
                        p->spec->name, p->lo + t);
  p->v[t] = st.v;
  p->ge[t] = st.ge;
  p->gi[t] = st.gi;
  p->refr[t] = st.refr;
  for (int f = 0; f < fired; f++)
    LADSIM_CHECK(add_spike(p, t, off[f]));
  return LADSIM_OK;
}

/* The exact path for busy neuron k (the k-th target of this step), from
 * its state before the step. */
static ladsim_status step_exact(ladsim_population *p, size_t k)
{
  size_t lo = p->first[k], n_in = p->first[k + 1] - lo;
  if (ladsim__reserve((void **)&p->inputs, &p->inputs_cap, n_in, sizeof *p->inputs))
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory for spike inputs");
  for (size_t e = 0; e < n_in; e++)
    p->inputs[e] = (ladsim_lif_input){p->sorted[lo + e].offset, p->sorted[lo + e].weight};
  return run_exact(p, p->busy_ids[k], p->before[k], n_in);
}

/* Adds the end-of-step effects of group k's events to *dv, *dge, *dgi. */
static inline void group_effects(const ladsim_population *p, size_t k, double *dv,
                                 double *dge, double *dgi)
{
  for (size_t e = p->first[k]; e < p->first[k + 1]; e++) {
    const ladsim_spike_event *ev = &p->sorted[e];
    *dv += ev->dv;
    if (ev->weight > 0.0)
      *dge += ev->dg;
    else
      *dgi += ev->dg;
  }
}

/* A busy neuron that took the whole-step update: its inputs' effects are
 * added (the dynamics are linear below threshold); one that now reaches
 * threshold goes the exact way to find when. */
static ladsim_status step_busy(ladsim_population *p, size_t k)
{
  size_t t = p->busy_ids[k];
  int untouched = p->busy[t] == 2;
  p->busy[t] = 0;
  if (untouched)
    return step_exact(p, k);
  int clamped = p->before[k].refr >= p->h;   /* V held at reset all step */
  double dv = 0.0, dge = 0.0, dgi = 0.0;
  group_effects(p, k, &dv, &dge, &dgi);
  if (!clamped && p->v[t] + dv >= p->prop.v_th)
    return step_exact(p, k);
  if (!clamped)
    p->v[t] += dv;
  p->ge[t] += dge;
  p->gi[t] += dgi;
  return LADSIM_OK;
}

/* The fast path for every neuron that receives nothing; each spikes at
 * most max_per_step times (models/lif.h gives the bound). */
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
      in->dge[i] += wp * eg;
      in->dgi[i] -= wn * ig;
    }
  }
}

/* The exact path for neuron t: the step's input spikes lo .. hi with
 * weights from row t of W, merged by offset with its events of group k
 * (k == SIZE_MAX: none), the input first at equal offsets. */
static ladsim_status dense_exact(ladsim_population *p, size_t t, size_t k, size_t lo,
                                 size_t hi)
{
  const ladsim_dense_input *in = p->in;
  size_t g = k == SIZE_MAX ? 0 : p->first[k], g_end = k == SIZE_MAX ? 0 : p->first[k + 1];
  size_t need = hi - lo + g_end - g;
  if (ladsim__reserve((void **)&p->inputs, &p->inputs_cap, need, sizeof *p->inputs))
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory for spike inputs");
  const double *w = in->W + t * in->d;
  size_t m = 0, a = lo;
  while (a < hi || g < g_end) {
    if (g == g_end || (a < hi && in->spikes[a].offset <= p->sorted[g].offset)) {
      p->inputs[m++] = (ladsim_lif_input){in->spikes[a].offset, w[in->spikes[a].id]};
      a++;
    } else {
      p->inputs[m++] = (ladsim_lif_input){p->sorted[g].offset, p->sorted[g].weight};
      g++;
    }
  }
  return run_exact(p, t, in->before[t], m);
}

/* Neuron t after the whole-step update of a step with input spikes: the
 * same choice as step_busy, with the dense input's effects added. */
static ladsim_status dense_neuron(ladsim_population *p, size_t t, size_t lo, size_t hi)
{
  ladsim_dense_input *in = p->in;
  int untouched = p->busy[t] == 2;
  p->busy[t] = 0;
  size_t k = p->slot_of[t];
  if (!(k < p->n_busy && p->busy_ids[k] == t))
    k = SIZE_MAX;   /* no events from projections */
  if (untouched)
    return dense_exact(p, t, k, lo, hi);
  double dv = in->dv[t], dge = in->dge[t], dgi = in->dgi[t];
  if (k != SIZE_MAX)
    group_effects(p, k, &dv, &dge, &dgi);
  int clamped = in->before[t].refr >= p->h;
  if (!clamped && p->v[t] + dv >= p->prop.v_th)
    return dense_exact(p, t, k, lo, hi);
  if (!clamped)
    p->v[t] += dv;
  p->ge[t] += dge;
  p->gi[t] += dgi;
  return LADSIM_OK;
}

/* A step in which input spikes lo .. hi arrive: every neuron receives them. */
static ladsim_status step_dense(ladsim_population *p, size_t lo, size_t hi)
{
  ladsim_dense_input *in = p->in;
  for (size_t i = 0; i < p->n; i++) {
    in->before[i] = (ladsim_lif_state){p->v[i], p->ge[i], p->gi[i], p->refr[i]};
    p->busy[i] = 1;
  }
  dense_effects(p, lo, hi);
  LADSIM_CHECK(step_quiet(p));
  for (size_t i = 0; i < p->n; i++)
    LADSIM_CHECK(dense_neuron(p, i, lo, hi));
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
  LADSIM_CHECK(group(p, s));
  for (size_t k = 0; k < p->n_busy; k++) {
    size_t t = p->busy_ids[k];
    p->before[k] = (ladsim_lif_state){p->v[t], p->ge[t], p->gi[t], p->refr[t]};
  }
  if (p->in)
    input_range(p, &lo, &hi);
  if (hi > lo) {
    LADSIM_CHECK(step_dense(p, lo, hi));
  } else {
    LADSIM_CHECK(step_quiet(p));
    for (size_t k = 0; k < p->n_busy; k++)
      LADSIM_CHECK(step_busy(p, k));
  }
  s->n = 0;
  order_spikes(p);
  update_trace(p);
  return LADSIM_OK;
}
