/* layer.c: stepping a layer of rate neurons and applying its plasticity. */
#include "config.h"
#include "network/layer.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/linalg.h"
#include "core/rng.h"
#include "io/state.h"

static void init_weights(ladsim_layer *l, size_t index, uint64_t seed)
{
  double std = l->spec->init_std / sqrt((double)l->d);
  for (size_t i = 0; i < l->nl; i++) {
    ladsim_rng r;
    ladsim_rng_init(&r, seed, LADSIM_STREAM_INIT, index, l->lo + i, 0);
    for (size_t j = 0; j < l->d; j++)
      l->W[i * l->d + j] = std * ladsim_rng_normal(&r);
    l->b[i] = l->spec->init_bias;
  }
}

void ladsim__plasticity_step(ladsim_rule *r, double *W, double *b, const double *x)
{
  size_t nl = r->nl;
  for (size_t i = 0; i < nl; i++)
    r->acc[i] += r->m[i];
  if (r->spec->plasticity == LADSIM_PLAST_PER_VIEW) {
    ladsim_rank_one(nl, r->d, 1.0, r->m, x, r->grad);
    return;
  }
  for (size_t i = 0; b && i < nl; i++)
    b[i] += r->k_w * r->m[i];
  ladsim_rank_one(nl, r->d, r->k_w, r->m, x, W);
}

void ladsim__plasticity_view_end(ladsim_rule *r, double *W, double *b)
{
  if (r->spec->plasticity != LADSIM_PLAST_PER_VIEW)
    return;
  for (size_t i = 0; b && i < r->nl; i++)
    b[i] += r->k_w * r->acc[i];
  size_t cells = r->nl * r->d;
  for (size_t c = 0; c < cells; c++)
    W[c] += r->k_w * r->grad[c];
  memset(r->grad, 0, cells * sizeof(double));
}

ladsim_status ladsim_layer_alloc(const ladsim_layer_spec *spec, size_t index,
                                 size_t d, bool varying_input, double h,
                                 double view_duration, uint64_t seed,
                                 MPI_Comm comm, ladsim_layer **out)
{
  ladsim_status s;
  *out = NULL;
  ladsim_layer *l = calloc(1, sizeof *l);
  if (!l)
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory for layer %s", spec->name);
  l->spec = spec;
  l->n = spec->size;
  l->d = d;
  l->varying_input = varying_input;
  LADSIM_CHECK_GOTO(s, ladsim_comm_layout_init(&l->part, comm, l->n), fail);
  l->lo = l->part.first;
  l->nl = l->part.count;
  ladsim_rate_params rp = {.tau = spec->tau, .activation = spec->activation};
  LADSIM_CHECK_GOTO(s, ladsim_rate_prepare(&rp, h, &l->prop), fail);
  size_t n = l->n, nl = l->nl ? l->nl : 1;
  l->W = malloc(nl * (d ? d : 1) * sizeof(double));
  l->b = calloc(nl, sizeof(double));
  l->u = calloc(nl, sizeof(double));
  l->z = calloc(n, sizeof(double));
  l->fp = calloc(nl, sizeof(double));
  l->drive = calloc(nl, sizeof(double));
  l->z_sum = calloc(nl, sizeof(double));
  if (!l->W || !l->b || !l->u || !l->z || !l->fp || !l->drive || !l->z_sum) {
    s = LADSIM_ERROR(LADSIM_ENOMEM, "out of memory for layer %s (%zu x %zu weights)",
                     spec->name, n, d);
    goto fail;
  }
  init_weights(l, index, seed);
  ladsim_layer_reset_state(l);
  if (spec->learn)
    LADSIM_CHECK_GOTO(s, ladsim_rule_alloc_block(&spec->learning, n, l->lo, l->nl, d, h,
                                                 view_duration, varying_input, &l->rule),
                      fail);
  *out = l;
  return LADSIM_OK;
fail:
  ladsim_layer_free(l);
  return s;
}

void ladsim_layer_free(ladsim_layer *l)
{
  if (!l)
    return;
  ladsim_rule_free(l->rule);
  free(l->W); free(l->b); free(l->u); free(l->z); free(l->fp);
  free(l->drive); free(l->z_sum);
  ladsim_comm_layout_free(&l->part);
  free(l);
}

/* drive = W x + b, each row summed in an order fixed by d (core/linalg.h). */
static void compute_drive(ladsim_layer *l)
{
  memcpy(l->drive, l->b, l->nl * sizeof(double));
  ladsim_rows_dot(l->nl, l->d, l->W, l->x, l->drive);
}

void ladsim_layer_view_begin(ladsim_layer *l, const double *x)
{
  l->x = x;
  memset(l->z_sum, 0, l->nl * sizeof(double));
  l->view_steps = 0;
  if (l->rule)
    memset(l->rule->acc, 0, l->nl * sizeof(double));
  if (!l->varying_input) {
    compute_drive(l);
    l->x_norm2 = ladsim_dot(x, x, l->d) + 1.0;
  }
}

/* Continuous plasticity: with a constant x the step's rank-one change of W
 * is folded into the drive and summed for the end of the view; with a
 * changing x it is applied to W at once. */
static void plasticity_step(ladsim_layer *l)
{
  ladsim_rule *r = l->rule;
  if (l->varying_input) {
    ladsim__plasticity_step(r, l->W, l->b, l->x);
    return;
  }
  for (size_t i = 0; i < l->nl; i++)
    r->acc[i] += r->m[i];
  if (r->spec->plasticity == LADSIM_PLAST_PER_VIEW)
    return;
  for (size_t i = 0; i < l->nl; i++) {
    l->b[i] += r->k_w * r->m[i];
    l->drive[i] += r->k_w * r->m[i] * l->x_norm2;
  }
}

ladsim_status ladsim_layer_step(ladsim_layer *l, bool learn)
{
  if (l->varying_input)
    compute_drive(l);
  double *z = l->z + l->lo;
  ladsim_rate_update(&l->prop, l->nl, l->u, l->drive, z, l->fp);
  for (size_t i = 0; i < l->nl; i++)
    l->z_sum[i] += z[i];
  l->view_steps++;
  if (learn || l->feeds_above)
    LADSIM_CHECK(ladsim_comm_gather(&l->part, l->z));
  if (learn && l->rule) {
    ladsim_rule_signals(l->rule, l->z, l->fp);
    plasticity_step(l);
  }
  return LADSIM_OK;
}

void ladsim_layer_view_end(ladsim_layer *l, bool learn)
{
  ladsim_rule *r = l->rule;
  if (!learn || !r)
    return;
  if (l->varying_input) {
    ladsim__plasticity_view_end(r, l->W, l->b);
    return;
  }
  size_t nl = l->nl;
  if (r->spec->plasticity == LADSIM_PLAST_PER_VIEW)
    for (size_t i = 0; i < nl; i++)
      l->b[i] += r->k_w * r->acc[i];
  ladsim_rank_one(nl, l->d, r->k_w, r->acc, l->x, l->W);
}

void ladsim_layer_view_mean(const ladsim_layer *l, double *out)
{
  double inv = l->view_steps ? 1.0 / (double)l->view_steps : 0.0;
  for (size_t i = 0; i < l->nl; i++)
    out[i] = l->z_sum[i] * inv;
}

void ladsim_layer_reset_state(ladsim_layer *l)
{
  double z0 = ladsim_rate_f(l->spec->activation, 0.0);
  double fp0 = ladsim_rate_fprime(l->spec->activation, 0.0);
  for (size_t i = 0; i < l->n; i++)
    l->z[i] = z0;
  for (size_t i = 0; i < l->nl; i++) {
    l->u[i] = 0.0;
    l->fp[i] = fp0;
  }
}

ladsim_status ladsim_layer_check_finite(const ladsim_layer *l, double t_ms)
{
  for (size_t i = 0; i < l->nl; i++)
    if (!isfinite(l->u[i]) || !isfinite(l->drive[i]))
      return LADSIM_ERROR(LADSIM_EDIVERGED,
                          "layer %s: neuron %zu diverged at t = %.3f ms (u = %g, drive = %g); "
                          "lower the learning rates or term weights under layers.%s.learning, "
                          "or use a bounded activation",
                          l->spec->name, l->lo + i, t_ms, l->u[i], l->drive[i], l->spec->name);
  return LADSIM_OK;
}

ladsim_status ladsim_layer_state(ladsim_layer *l, ladsim_state *st)
{
  size_t n = l->n, lo = l->lo, nl = l->nl;
  const ladsim_state_type F = LADSIM_STATE_F64;
  ladsim_state_prefix(st, "layers/%s/", l->spec->name);
  LADSIM_CHECK(ladsim_state_block(st, "W", F, l->W, n, l->d, lo, nl));
  LADSIM_CHECK(ladsim_state_block(st, "b", F, l->b, n, 0, lo, nl));
  LADSIM_CHECK(ladsim_state_block(st, "u", F, l->u, n, 0, lo, nl));
  LADSIM_CHECK(ladsim_state_block(st, "fp", F, l->fp, n, 0, lo, nl));
  LADSIM_CHECK(ladsim_state_block(st, "drive", F, l->drive, n, 0, lo, nl));
  LADSIM_CHECK(ladsim_state_block(st, "view_sum_z", F, l->z_sum, n, 0, lo, nl));
  LADSIM_CHECK(ladsim_state_whole(st, "z", F, l->z, n, 0));
  LADSIM_CHECK(ladsim_state_whole(st, "view_steps", LADSIM_STATE_SIZE, &l->view_steps, 1, 0));
  LADSIM_CHECK(ladsim_state_whole(st, "x_norm2", F, &l->x_norm2, 1, 0));
  if (!l->rule)
    return LADSIM_OK;
  ladsim_state_prefix(st, "layers/%s/rule/", l->spec->name);
  return ladsim_rule_state(l->rule, st);
}
