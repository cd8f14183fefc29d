/* rule.c: the adversarial predictor, the invariance and SIGReg signals, and M. */
#include "config.h"
#include "learning/rule.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cblas.h>

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
  size_t n = r->n, k = r->knots ? r->knots->k : 0;
  r->P = vec(n * n); r->c = vec(n); r->zhat = vec(n); r->e = vec(n);
  r->adv = vec(n); r->zhist = vec((r->hist_len ? r->hist_len : 1) * n);
  r->zbar = vec(n); r->v = vec(n);
  r->sig_c = vec(n * k); r->sig_s = vec(n * k); r->g = vec(n);
  r->m = vec(n); r->acc = vec(n);
  if (r->spec->decorrelation == LADSIM_DECOR_PAIRWISE) {
    r->mu = vec(n); r->cov = vec(n * n); r->dz = vec(n);
    if (!r->mu || !r->cov || !r->dz)
      return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory for the pairwise baseline of %zu neurons", n);
  }
  if (varying_input && r->spec->plasticity == LADSIM_PLAST_PER_VIEW) {
    r->grad = vec(n * r->d);
    if (!r->grad)
      return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory for the per-view gradient (%zu x %zu)", n, r->d);
  }
  if (!r->P || !r->c || !r->zhat || !r->e || !r->adv || !r->zhist || !r->zbar
      || !r->v || !r->sig_c || !r->sig_s || !r->g || !r->m || !r->acc)
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory for the learning rule of %zu neurons", n);
  return LADSIM_OK;
}

/* The SIGReg traces start at the target's own characteristic function, so
 * the early signal measures the neuron against the target, not against an
 * arbitrary starting point. */
static void init_sigreg_traces(ladsim_rule *r)
{
  size_t k = r->knots->k;
  for (size_t i = 0; i < r->n; i++) {
    memcpy(r->sig_c + i * k, r->knots->phi_re, k * sizeof(double));
    memcpy(r->sig_s + i * k, r->knots->phi_im, k * sizeof(double));
  }
}

ladsim_status ladsim_rule_alloc(const ladsim_learning_spec *spec, size_t n,
                                size_t d, double h, double view_duration,
                                bool varying_input, ladsim_rule **out)
{
  ladsim_status s;
  *out = NULL;
  if (n == 0 || !(h > 0.0) || !(view_duration >= h))
    return LADSIM_ERROR(LADSIM_EINVAL, "learning rule: need n > 0 and view duration >= resolution");
  ladsim_rule *r = calloc(1, sizeof *r);
  if (!r)
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory for a learning rule");
  r->spec = spec;
  r->n = n;
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

void ladsim_rule_free(ladsim_rule *r)
{
  if (!r)
    return;
  ladsim_sigreg_knots_free(r->knots);
  double *arrays[] = {r->P, r->c, r->zhat, r->e, r->adv, r->zhist, r->mu,
                      r->cov, r->dz, r->zbar, r->v, r->sig_c, r->sig_s, r->g,
                      r->m, r->acc, r->grad};
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
  cblas_dger(CblasRowMajor, (int)n, (int)n, r->k_p, r->e, 1, zd, 1, r->P, (int)n);
  for (size_t i = 0; i < n; i++) {
    r->P[i * n + i] = 0.0;
    r->c[i] += r->k_p * r->e[i];
  }
}

/* Without the adversary nothing trains the predictor: it stays at zero
 * (zhat = 0, e = z) and its product is skipped. */
static void predict(ladsim_rule *r, const double *z, const double *zd)
{
  size_t n = r->n;
  memcpy(r->zhat, r->c, n * sizeof(double));
  if (r->spec->decorrelation == LADSIM_DECOR_ADVERSARIAL)
    cblas_dgemv(CblasRowMajor, CblasNoTrans, (int)n, (int)n, 1.0, r->P, (int)n,
                zd, 1, 1.0, r->zhat, 1);
  for (size_t i = 0; i < n; i++)
    r->e[i] = z[i] - r->zhat[i];
}

/* The pairwise baseline: a_i = -sum_{j != i} Cov_ij (z_j - mu_j), with the
 * covariance a running trace. It needs every pair's covariance: non-local. */
static void pairwise_signal(ladsim_rule *r, const double *z)
{
  size_t n = r->n;
  for (size_t i = 0; i < n; i++)
    r->dz[i] = z[i] - r->mu[i];
  cblas_dsymv(CblasRowMajor, CblasUpper, (int)n, -1.0, r->cov, (int)n, r->dz, 1,
              0.0, r->adv, 1);
  for (size_t i = 0; i < n; i++) {
    r->adv[i] += r->cov[i * n + i] * r->dz[i];
    r->mu[i] += r->a_pair * r->dz[i];
  }
  cblas_dscal((int)(n * n), 1.0 - r->a_pair, r->cov, 1);
  cblas_dsyr(CblasRowMajor, CblasUpper, (int)n, r->a_pair, r->dz, 1, r->cov, (int)n);
}

static void decorrelation_signal(ladsim_rule *r, const double *z)
{
  size_t n = r->n;
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
  size_t n = r->n, k = r->knots->k;
  const double *zd = delayed(r, z);
  predict(r, z, zd);
  decorrelation_signal(r, z);
  double lam_adv = sp->decorrelation == LADSIM_DECOR_PAIRWISE ? sp->pairwise_weight
                                                               : sp->adv_weight;
  double se2 = 0.0, sv2 = 0.0, sz = 0.0;
  for (size_t i = 0; i < n; i++) {
    r->v[i] = z[i] - r->zbar[i];
    r->zbar[i] += r->a_inv * r->v[i];
    r->g[i] = ladsim_sigreg_step(r->knots, r->sig_c + i * k, r->sig_s + i * k,
                                 z[i], r->a_sig);
    double M = lam_adv * r->adv[i] - sp->inv_weight * r->v[i] - sp->sig_weight * r->g[i];
    r->m[i] = M * fp[i];
    se2 += r->e[i] * r->e[i];
    sv2 += r->v[i] * r->v[i];
    sz += z[i];
  }
  r->stats.sum_e2 += se2;
  r->stats.sum_v2 += sv2;
  r->stats.sum_z += sz;
  r->stats.steps++;
  predictor_learn(r, zd);
  remember(r, z);
}

double ladsim_rule_distance(const ladsim_rule *r)
{
  size_t k = r->knots->k;
  double sum = 0.0;
  for (size_t i = 0; i < r->n; i++)
    sum += ladsim_sigreg_distance(r->knots, r->sig_c + i * k, r->sig_s + i * k);
  return sum / (double)r->n;
}

void ladsim_rule_stats_reset(ladsim_rule *r)
{
  memset(&r->stats, 0, sizeof r->stats);
}
