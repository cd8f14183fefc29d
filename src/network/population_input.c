/* population_input.c: a LIF population fed by the stimulus: Poisson input, traces, the rule. */
#include "config.h"
#include "network/population.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <ladsim/dataset.h>
#include "core/rng.h"
#include "network/layer.h"

/* Weights are in mV per spike. init.std is measured in units of the gap
 * between reset and threshold, so that the default (1) gives a neuron a
 * drive of the order of that gap whatever the neuron's parameters. */
static void init_weights(ladsim_population *p, size_t index, uint64_t seed)
{
  ladsim_dense_input *in = p->in;
  const ladsim_lif_spec *lif = &p->spec->lif;
  double std = p->spec->init_std * (lif->v_th - lif->v_reset) / sqrt((double)in->d);
  for (size_t i = 0; i < p->n; i++) {
    ladsim_rng r;
    ladsim_rng_init(&r, seed, LADSIM_STREAM_INIT, index, p->lo + i, 0);
    for (size_t j = 0; j < in->d; j++)
      in->W[i * in->d + j] = std * ladsim_rng_normal(&r);
  }
}

static ladsim_status alloc_arrays(ladsim_population *p)
{
  ladsim_dense_input *in = p->in;
  size_t n = p->n ? p->n : 1, d = in->d;   /* a rank may hold no neuron */
  in->W = malloc(n * d * sizeof(double));
  in->xpre = calloc(d, sizeof(double));
  in->fp = calloc(n, sizeof(double));
  in->z_sum = calloc(n, sizeof(double));
  in->dv = calloc(n, sizeof(double));
  in->dv_exc = calloc(n, sizeof(double));
  in->dge = calloc(n, sizeof(double));
  in->dgi = calloc(n, sizeof(double));
  in->before = calloc(n, sizeof *in->before);
  if (!in->W || !in->xpre || !in->fp || !in->z_sum || !in->dv || !in->dv_exc || !in->dge || !in->dgi
      || !in->before)
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory for the input of layer %s "
                        "(%zu x %zu weights)", p->spec->name, n, d);
  return LADSIM_OK;
}

ladsim_status ladsim_population_input_alloc(ladsim_population *p, size_t index, size_t d,
                                            double view_duration, double max_rate,
                                            uint64_t seed)
{
  if (d == 0)
    return LADSIM_ERROR(LADSIM_ECONFIG, "layers.%s: from: input, but the input has no "
                        "units", p->spec->name);
  p->in = calloc(1, sizeof *p->in);
  if (!p->in)
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory for the input of layer %s",
                        p->spec->name);
  ladsim_dense_input *in = p->in;
  in->d = d;
  in->max_rate = max_rate;
  in->view_duration = view_duration;
  in->seed = seed;
  LADSIM_CHECK(alloc_arrays(p));
  init_weights(p, index, seed);
  if (p->spec->learn)
    LADSIM_CHECK(ladsim_rule_alloc_block(&p->spec->learning, p->n_layer, p->lo, p->n, d,
                                         p->h, view_duration, true, &in->rule));
  return LADSIM_OK;
}

void ladsim__dense_input_free(ladsim_dense_input *in)
{
  if (!in)
    return;
  ladsim_rule_free(in->rule);
  free(in->W); free(in->xpre); free(in->fp); free(in->z_sum);
  free(in->dv); free(in->dv_exc); free(in->dge); free(in->dgi); free(in->before);
  free(in->spikes); free(in->times);
  free(in);
}

/* The train of unit j in *in->times; the buffer grows until it holds it. */
static ladsim_status unit_train(ladsim_dense_input *in, uint64_t view_index, size_t j,
                                double rate, size_t *count)
{
  int truncated = 1;
  while (truncated) {
    *count = ladsim_poisson_train(in->seed, view_index, j, rate, 0.0, in->view_duration,
                                  in->times, in->times_cap, &truncated);
    if (truncated && ladsim__reserve((void **)&in->times, &in->times_cap,
                                     in->times_cap + 1, sizeof(double)))
      return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory for an input spike train");
  }
  return LADSIM_OK;
}

static int cmp_input_spike(const void *a, const void *b)
{
  const ladsim_input_spike *x = a, *y = b;
  if (x->t != y->t)
    return x->t < y->t ? -1 : 1;
  return (x->id > y->id) - (x->id < y->id);
}

/* Places each spike in its step: times are from the view's start, so the
 * step index and the offset come from one division, never from a sum. */
static void place_spikes(ladsim_population *p)
{
  ladsim_dense_input *in = p->in;
  double h = p->h;
  uint32_t last = (uint32_t)llround(in->view_duration / h) - 1;
  for (size_t s = 0; s < in->n_spikes; s++) {
    ladsim_input_spike *sp = &in->spikes[s];
    double k = floor(sp->t / h);
    sp->step = k > (double)last ? last : (uint32_t)k;
    sp->offset = fmin(fmax(sp->t - (double)sp->step * h, 0.0), h);
  }
}

ladsim_status ladsim_population_view_begin(ladsim_population *p, const double *x,
                                           uint64_t view_index)
{
  ladsim_dense_input *in = p->in;
  if (!in)
    return LADSIM_OK;
  in->view_steps = 0;
  memset(in->z_sum, 0, p->n * sizeof(double));
  if (in->rule)
    memset(in->rule->acc, 0, p->n * sizeof(double));
  return ladsim_population_input_trains(p, x, view_index);
}

ladsim_status ladsim_population_input_trains(ladsim_population *p, const double *x,
                                             uint64_t view_index)
{
  ladsim_dense_input *in = p->in;
  if (!in)
    return LADSIM_OK;
  in->n_spikes = in->next = 0;
  in->view_step = 0;
  for (size_t j = 0; j < in->d; j++) {
    size_t c;
    LADSIM_CHECK(unit_train(in, view_index, j, x[j] * in->max_rate, &c));
    if (ladsim__reserve((void **)&in->spikes, &in->spikes_cap, in->n_spikes + c,
                        sizeof *in->spikes))
      return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory for the input spikes of a view");
    for (size_t s = 0; s < c; s++)
      in->spikes[in->n_spikes++] = (ladsim_input_spike){in->times[s], (uint32_t)j, 0, 0.0};
  }
  if (in->n_spikes > 0)   /* a black image has none, and no array yet */
    qsort(in->spikes, in->n_spikes, sizeof *in->spikes, cmp_input_spike);
  place_spikes(p);
  return LADSIM_OK;
}

/* The presynaptic traces follow the step's input spikes, each counted from
 * its exact time, like the neurons' own trace. */
static void advance_input(ladsim_population *p)
{
  ladsim_dense_input *in = p->in;
  double tau = p->spec->lif.tau_trace;
  for (size_t j = 0; j < in->d; j++)
    in->xpre[j] *= p->trace_decay;
  for (; in->next < in->n_spikes && in->spikes[in->next].step == in->view_step; in->next++)
    in->xpre[in->spikes[in->next].id] += exp(-(p->h - in->spikes[in->next].offset) / tau);
  in->view_step++;
}

void ladsim_population_learn(ladsim_population *p, const double *z, bool learn)
{
  ladsim_dense_input *in = p->in;
  if (!in)
    return;
  advance_input(p);
  for (size_t i = 0; i < p->n; i++)
    in->z_sum[i] += p->trace[i];
  in->view_steps++;
  if (!learn || !in->rule)
    return;
  const ladsim_lif_spec *lif = &p->spec->lif;
  for (size_t i = 0; i < p->n; i++)
    in->fp[i] = ladsim_lif_surrogate(p->v[i], lif->v_th, lif->surrogate_beta);
  ladsim_rule_signals(in->rule, z, in->fp);
  ladsim__plasticity_step(in->rule, in->W, NULL, in->xpre);
}

void ladsim_population_view_end(ladsim_population *p, bool learn)
{
  if (p->in && p->in->rule && learn)
    ladsim__plasticity_view_end(p->in->rule, p->in->W, NULL);
}

void ladsim_population_view_mean(const ladsim_population *p, double *out)
{
  const ladsim_dense_input *in = p->in;
  double inv = in && in->view_steps ? 1.0 / (double)in->view_steps : 0.0;
  for (size_t i = 0; i < p->n; i++)
    out[i] = in ? in->z_sum[i] * inv : 0.0;
}

void ladsim_population_reset_state(ladsim_population *p)
{
  double rest = p->prop.v_inf < p->prop.v_th ? p->prop.v_inf : p->prop.v_reset;
  for (size_t i = 0; i < p->n; i++) {
    p->v[i] = rest;
    p->ge[i] = p->gi[i] = p->refr[i] = p->trace[i] = 0.0;
  }
  ladsim__population_clear_events(p);
  memset(p->acc, 0, p->n * sizeof *p->acc);
  p->gscale[0] = p->gscale[1] = 1.0;
  p->refr_known = false;
  if (p->in)
    memset(p->in->xpre, 0, p->in->d * sizeof(double));
}

ladsim_status ladsim_population_check_finite(const ladsim_population *p, double t_ms)
{
  for (size_t i = 0; i < p->n; i++) {
    /* the frame's scales are finite and positive: a current is finite
     * when its value in the frame is */
    if (isfinite(p->v[i]) && isfinite(p->ge[i]) && isfinite(p->gi[i]))
      continue;
    ladsim_lif_state st;
    ladsim_population_neuron(p, i, &st);
    return LADSIM_ERROR(LADSIM_EDIVERGED,
                        "layer %s: neuron %zu diverged at t = %.3f ms (V = %g mV, "
                        "g_e = %g, g_i = %g); lower the learning rates or term weights "
                        "under layers.%s.learning", p->spec->name, p->lo + i, t_ms,
                        st.v, st.ge, st.gi, p->spec->name);
  }
  return LADSIM_OK;
}
