/* rule.c: the adversarial predictor, the invariance and SIGReg signals, and M. */
#include "config.h"
#include "learning/rule.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/linalg.h"
#include "io/state.h"

static double *vec(size_t n)
{
  return calloc(n ? n : 1, sizeof(double));
}

static double trace_fraction(double h, double tau)
{
  return -expm1(-h / tau);
}

static ladsim_status alloc_arrays(ladsim_rule *r, bool varying_input)
{
  size_t n = r->n, nl = r->nl, k = r->knots ? r->knots->k : 0;
  r->P = vec(nl * n); r->c = vec(nl); r->zhat = vec(nl); r->e = vec(nl);
  r->adv = vec(nl); r->zhist = vec((r->hist_len ? r->hist_len : 1) * n);
  r->zbar = vec(nl); r->v = vec(nl);
  r->sig_c = vec(nl * k); r->sig_s = vec(nl * k); r->g = vec(nl);
  r->m = vec(nl); r->acc = vec(nl);
  r->stats.sum_e2 = vec(nl); r->stats.sum_v2 = vec(nl); r->stats.sum_z = vec(nl);
  if (r->spec->decorrelation == LADSIM_DECOR_PAIRWISE) {
    r->mu = vec(n); r->cov = vec(nl * n); r->dz = vec(n);
    if (!r->mu || !r->cov || !r->dz)
      return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory for the pairwise baseline of %zu neurons", n);
  }
  if (varying_input && r->spec->plasticity == LADSIM_PLAST_PER_VIEW) {
    r->grad = vec(nl * r->d);
    if (!r->grad)
      return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory for the per-view gradient (%zu x %zu)", nl, r->d);
  }
  if (!r->P || !r->c || !r->zhat || !r->e || !r->adv || !r->zhist || !r->zbar
      || !r->v || !r->sig_c || !r->sig_s || !r->g || !r->m || !r->acc
      || !r->stats.sum_e2 || !r->stats.sum_v2 || !r->stats.sum_z)
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory for the learning rule of %zu neurons", nl);
  return LADSIM_OK;
}

/* The SIGReg traces start at the target's own characteristic function, so
 * the early signal measures the neuron against the target, not against an
 * arbitrary starting point. */
static void init_sigreg_traces(ladsim_rule *r)
{
  size_t k = r->knots->k;
  for (size_t i = 0; i < r->nl; i++) {
    memcpy(r->sig_c + i * k, r->knots->phi_re, k * sizeof(double));
    memcpy(r->sig_s + i * k, r->knots->phi_im, k * sizeof(double));
  }
}

ladsim_status ladsim_rule_alloc_block(const ladsim_learning_spec *spec, size_t n,
                                      size_t lo, size_t nl, size_t d, double h,
                                      double view_duration, bool varying_input,
                                      ladsim_rule **out)
{
  ladsim_status s;
  *out = NULL;
  if (n == 0 || !(h > 0.0) || !(view_duration >= h))
    return LADSIM_ERROR(LADSIM_EINVAL, "learning rule: need n > 0 and view duration >= resolution");
  if (lo > n || nl > n - lo)
    return LADSIM_ERROR(LADSIM_EINVAL, "learning rule: block %zu + %zu outside a layer of %zu",
                        lo, nl, n);
  ladsim_rule *r = calloc(1, sizeof *r);
  if (!r)
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory for a learning rule");
  r->spec = spec;
  r->n = n;
  r->lo = lo;
  r->nl = nl;
  r->d = d;
  r->hist_len = (size_t)llround(spec->predictor_delay / h);
  r->k_w = spec->eta * h / view_duration;
  r->k_p = spec->eta_predictor * h / view_duration;
  r->a_inv = trace_fraction(h, spec->inv_tau);
  r->a_sig = trace_fraction(h, spec->sig_tau);
  r->a_pair = trace_fraction(h, spec->pairwise_tau);
  LADSIM_CHECK_GOTO(s, ladsim_sigreg_knots_alloc(&spec->target, spec->sig_knots,
                                                 spec->sig_tmax, &r->knots), fail);
  LADSIM_CHECK_GOTO(s, alloc_arrays(r, varying_input), fail);
  init_sigreg_traces(r);
  *out = r;
  return LADSIM_OK;
fail:
  ladsim_rule_free(r);
  return s;
}

ladsim_status ladsim_rule_alloc(const ladsim_learning_spec *spec, size_t n,
                                size_t d, double h, double view_duration,
                                bool varying_input, ladsim_rule **out)
{
  return ladsim_rule_alloc_block(spec, n, 0, n, d, h, view_duration, varying_input, out);
}

void ladsim_rule_free(ladsim_rule *r)
{
  if (!r)
    return;
  ladsim_sigreg_knots_free(r->knots);
  double *arrays[] = {r->P, r->c, r->zhat, r->e, r->adv, r->zhist, r->mu,
                      r->cov, r->dz, r->zbar, r->v, r->sig_c, r->sig_s, r->g,
                      r->m, r->acc, r->grad, r->stats.sum_e2, r->stats.sum_v2,
                      r->stats.sum_z};
  for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++)
    free(arrays[i]);
  free(r);
}

/* The activities the predictor sees: z itself without delay, else the
 * ring entry written hist_len steps ago (delay = hist_len steps). */
static const double *delayed(ladsim_rule *r, const double *z)
{
  if (r->hist_len == 0)
    return z;
  r->hist_pos = (r->hist_pos + 1) % r->hist_len;
  double *slot = r->zhist + r->hist_pos * r->n;
  return slot;
}

static void remember(ladsim_rule *r, const double *z)
{
  if (r->hist_len > 0)
    memcpy(r->zhist + r->hist_pos * r->n, z, r->n * sizeof(double));
}

/* The predictor learns from its error (least mean squares), keeping P_ii = 0. */
static void predictor_learn(ladsim_rule *r, const double *zd)
{
  if (r->spec->decorrelation != LADSIM_DECOR_ADVERSARIAL || r->k_p == 0.0)
    return;
  size_t n = r->n;
  ladsim_rank_one(r->nl, n, r->k_p, r->e, zd, r->P);
  for (size_t i = 0; i < r->nl; i++) {
    r->P[i * n + r->lo + i] = 0.0;
    r->c[i] += r->k_p * r->e[i];
  }
}

/* Without the adversary nothing trains the predictor: it stays at zero
 * (zhat = 0, e = z) and its product is skipped. z is the whole layer's. */
static void predict(ladsim_rule *r, const double *z, const double *zd)
{
  size_t nl = r->nl;
  memcpy(r->zhat, r->c, nl * sizeof(double));
  if (r->spec->decorrelation == LADSIM_DECOR_ADVERSARIAL)
    ladsim_rows_dot(nl, r->n, r->P, zd, r->zhat);
  for (size_t i = 0; i < nl; i++)
    r->e[i] = z[r->lo + i] - r->zhat[i];
}

/* The pairwise baseline: a_i = -sum_{j != i} Cov_ij (z_j - mu_j), with the
 * covariance a running trace. It needs every pair's covariance: non-local.
 * Every rank keeps the means of the whole layer (the same on each) and the
 * covariance rows of its own neurons. */
static void pairwise_signal(ladsim_rule *r, const double *z)
{
  size_t n = r->n, nl = r->nl, lo = r->lo;
  for (size_t j = 0; j < n; j++)
    r->dz[j] = z[j] - r->mu[j];
  memset(r->adv, 0, nl * sizeof(double));
  ladsim_rows_dot(nl, n, r->cov, r->dz, r->adv);
  for (size_t i = 0; i < nl; i++)
    r->adv[i] = r->cov[i * n + lo + i] * r->dz[lo + i] - r->adv[i];
  for (size_t j = 0; j < n; j++)
    r->mu[j] += r->a_pair * r->dz[j];
  double keep = 1.0 - r->a_pair;
  for (size_t i = 0; i < nl * n; i++)
    r->cov[i] *= keep;
  ladsim_rank_one(nl, n, r->a_pair, r->dz + lo, r->dz, r->cov);
}

static void decorrelation_signal(ladsim_rule *r, const double *z)
{
  size_t n = r->nl;
  switch (r->spec->decorrelation) {
  case LADSIM_DECOR_ADVERSARIAL:
    for (size_t i = 0; i < n; i++)
      r->adv[i] = r->spec->adv_form == LADSIM_ADV_ERROR ? r->e[i] : -r->zhat[i];
    break;
  case LADSIM_DECOR_PAIRWISE:
    pairwise_signal(r, z);
    break;
  case LADSIM_DECOR_NONE:
    memset(r->adv, 0, n * sizeof(double));
    break;
  }
}

void ladsim_rule_signals(ladsim_rule *r, const double *z, const double *fp)
{
  const ladsim_learning_spec *sp = r->spec;
  size_t nl = r->nl, k = r->knots->k;
  const double *zd = delayed(r, z), *zl = z + r->lo;
  predict(r, z, zd);
  decorrelation_signal(r, z);
  double lam_adv = sp->decorrelation == LADSIM_DECOR_PAIRWISE ? sp->pairwise_weight
                                                               : sp->adv_weight;
  ladsim_rule_stats *st = &r->stats;
  for (size_t i = 0; i < nl; i++) {
    r->v[i] = zl[i] - r->zbar[i];
    r->zbar[i] += r->a_inv * r->v[i];
    r->g[i] = ladsim_sigreg_step(r->knots, r->sig_c + i * k, r->sig_s + i * k,
                                 zl[i], r->a_sig);
    double M = lam_adv * r->adv[i] - sp->inv_weight * r->v[i] - sp->sig_weight * r->g[i];
    r->m[i] = M * fp[i];
    st->sum_e2[i] += r->e[i] * r->e[i];
    st->sum_v2[i] += r->v[i] * r->v[i];
    st->sum_z[i] += zl[i];
  }
  st->steps++;
  predictor_learn(r, zd);
  remember(r, z);
}

void ladsim_rule_distances(const ladsim_rule *r, double *out)
{
  size_t k = r->knots->k;
  for (size_t i = 0; i < r->nl; i++)
    out[i] = ladsim_sigreg_distance(r->knots, r->sig_c + i * k, r->sig_s + i * k);
}

void ladsim_rule_stats_reset(ladsim_rule *r)
{
  size_t nl = r->nl;
  memset(r->stats.sum_e2, 0, nl * sizeof(double));
  memset(r->stats.sum_v2, 0, nl * sizeof(double));
  memset(r->stats.sum_z, 0, nl * sizeof(double));
  r->stats.steps = 0;
}

ladsim_status ladsim_rule_state(ladsim_rule *r, ladsim_state *st)
{
  size_t n = r->n, lo = r->lo, nl = r->nl, k = r->knots->k;
  const ladsim_state_type F = LADSIM_STATE_F64;
  LADSIM_CHECK(ladsim_state_block(st, "P", F, r->P, n, n, lo, nl));
  LADSIM_CHECK(ladsim_state_block(st, "c", F, r->c, n, 0, lo, nl));
  LADSIM_CHECK(ladsim_state_block(st, "zbar", F, r->zbar, n, 0, lo, nl));
  LADSIM_CHECK(ladsim_state_block(st, "sigreg_cos", F, r->sig_c, n, k, lo, nl));
  LADSIM_CHECK(ladsim_state_block(st, "sigreg_sin", F, r->sig_s, n, k, lo, nl));
  LADSIM_CHECK(ladsim_state_block(st, "view_sum_m", F, r->acc, n, 0, lo, nl));
  LADSIM_CHECK(ladsim_state_block(st, "sum_e2", F, r->stats.sum_e2, n, 0, lo, nl));
  LADSIM_CHECK(ladsim_state_block(st, "sum_v2", F, r->stats.sum_v2, n, 0, lo, nl));
  LADSIM_CHECK(ladsim_state_block(st, "sum_z", F, r->stats.sum_z, n, 0, lo, nl));
  LADSIM_CHECK(ladsim_state_whole(st, "sum_steps", LADSIM_STATE_SIZE, &r->stats.steps, 1, 0));
  if (r->grad)
    LADSIM_CHECK(ladsim_state_block(st, "view_grad", F, r->grad, n, r->d, lo, nl));
  if (r->hist_len) {
    LADSIM_CHECK(ladsim_state_whole(st, "z_history", F, r->zhist, r->hist_len, n));
    LADSIM_CHECK(ladsim_state_whole(st, "z_history_pos", LADSIM_STATE_SIZE, &r->hist_pos, 1, 0));
  }
  if (r->cov) {
    LADSIM_CHECK(ladsim_state_block(st, "cov", F, r->cov, n, n, lo, nl));
    LADSIM_CHECK(ladsim_state_whole(st, "mu", F, r->mu, n, 0));
  }
  return LADSIM_OK;
}
