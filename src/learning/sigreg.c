/* sigreg.c: SIGReg knots, the Epps-Pulley distance and its learning signal. */
#include "config.h"
#include <ladsim/sigreg.h>

#include <assert.h>
#include <math.h>
#include <stdlib.h>

/* Checks the arguments of ladsim_sigreg_knots_alloc, naming what is wrong. */
static ladsim_status check_knot_args(const ladsim_target *target, size_t k,
                                     double t_max, ladsim_sigreg_knots **out)
{
  if (out == NULL || target == NULL)
    return LADSIM_ERROR(LADSIM_EINVAL,
                        "SIGReg knots: target and result must not be NULL");
  if (k < 2 || k > LADSIM_SIGREG_MAX_KNOTS)
    return LADSIM_ERROR(LADSIM_EINVAL, "SIGReg knots: %zu knots requested; "
                        "use between 2 and %d", k, LADSIM_SIGREG_MAX_KNOTS);
  if (!(isfinite(t_max) && t_max > 0.0))
    return LADSIM_ERROR(LADSIM_EINVAL,
                        "SIGReg knots: t_max is %g; it must be a number > 0",
                        t_max);
  return LADSIM_OK;
}

/* cos and sin of t_j z for every knot, written into cz and sz. */
static void trig_fill(size_t k, double dt, double z, double *cz, double *sz)
{
  double ca, sa;
  sincos(dt * z, &sa, &ca);
  double c = 1.0, s = 0.0;
  for (size_t j = 0; j < k; j++) {
    cz[j] = c;
    sz[j] = s;
    /* Angle addition: one rotation by dt z per knot. */
    double c_next = c * ca - s * sa;
    s = s * ca + c * sa;
    c = c_next;
  }
}

/* The signal from precomputed cos/sin(t_j z) and the traces. */
static double signal_from_trig(const ladsim_sigreg_knots *kn, const double *c,
                               const double *s, const double *cz,
                               const double *sz)
{
  double g = 0.0;
  for (size_t j = 0; j < kn->k; j++) {
    double dc = c[j] - kn->phi_re[j], ds = s[j] - kn->phi_im[j];
    g += kn->w[j] * kn->t[j] * (ds * cz[j] - dc * sz[j]);
  }
  return 2.0 * g;
}

/* Moves the traces towards the precomputed cos/sin(t_j z). */
static void update_from_trig(size_t k, double *c, double *s, const double *cz,
                             const double *sz, double alpha)
{
  for (size_t j = 0; j < k; j++) {
    c[j] += alpha * (cz[j] - c[j]);
    s[j] += alpha * (sz[j] - s[j]);
  }
}

/* Fills knots, weights and the target CF of an allocated knot set. */
static void fill_knots(ladsim_sigreg_knots *kn, const ladsim_target *target,
                       double t_max)
{
  double scale = ladsim_target_scale(target);
  kn->dt = t_max / scale / (double)(kn->k - 1);
  for (size_t j = 0; j < kn->k; j++) {
    double t = (double)j * kn->dt;
    double trapezoid = (j == 0 || j == kn->k - 1) ? 0.5 : 1.0;
    double u = t * scale;
    kn->t[j] = t;
    /* Doubled for the half t < 0 that the symmetry |phi(-t)| = |phi(t)|
     * leaves out; the Gaussian weight is in standardised units. */
    kn->w[j] = 2.0 * trapezoid * kn->dt * exp(-0.5 * u * u);
    ladsim_target_cf(target, t, &kn->phi_re[j], &kn->phi_im[j]);
  }
}

ladsim_status ladsim_sigreg_knots_alloc(const ladsim_target *target, size_t k,
                                        double t_max, ladsim_sigreg_knots **out)
{
  if (out != NULL)
    *out = NULL;
  LADSIM_CHECK(check_knot_args(target, k, t_max, out));
  LADSIM_CHECK(ladsim_target_check(target));
  ladsim_sigreg_knots *kn = calloc(1, sizeof *kn);
  /* One block holds t, w, phi_re and phi_im, in that order. */
  double *block = calloc(4 * k, sizeof *block);
  if (kn == NULL || block == NULL) {
    free(kn);
    free(block);
    return LADSIM_ERROR(LADSIM_ENOMEM,
                        "SIGReg knots: out of memory for %zu knots", k);
  }
  kn->k = k;
  kn->t = block;
  kn->w = block + k;
  kn->phi_re = block + 2 * k;
  kn->phi_im = block + 3 * k;
  fill_knots(kn, target, t_max);
  *out = kn;
  return LADSIM_OK;
}

void ladsim_sigreg_knots_free(ladsim_sigreg_knots *kn)
{
  if (kn == NULL)
    return;
  free(kn->t);
  free(kn);
}

void ladsim_sigreg_trig(const ladsim_sigreg_knots *kn, double z,
                        double *cos_out, double *sin_out)
{
  trig_fill(kn->k, kn->dt, z, cos_out, sin_out);
}

double ladsim_sigreg_signal(const ladsim_sigreg_knots *kn, const double *c,
                            const double *s, double z)
{
  double cz[LADSIM_SIGREG_MAX_KNOTS], sz[LADSIM_SIGREG_MAX_KNOTS];
  assert(kn->k <= LADSIM_SIGREG_MAX_KNOTS);
  trig_fill(kn->k, kn->dt, z, cz, sz);
  return signal_from_trig(kn, c, s, cz, sz);
}

void ladsim_sigreg_trace_update(const ladsim_sigreg_knots *kn, double *c,
                                double *s, double z, double alpha)
{
  double cz[LADSIM_SIGREG_MAX_KNOTS], sz[LADSIM_SIGREG_MAX_KNOTS];
  assert(kn->k <= LADSIM_SIGREG_MAX_KNOTS);
  trig_fill(kn->k, kn->dt, z, cz, sz);
  update_from_trig(kn->k, c, s, cz, sz, alpha);
}

double ladsim_sigreg_step(const ladsim_sigreg_knots *kn, double *c, double *s,
                          double z, double alpha)
{
  double cz[LADSIM_SIGREG_MAX_KNOTS], sz[LADSIM_SIGREG_MAX_KNOTS];
  assert(kn->k <= LADSIM_SIGREG_MAX_KNOTS);
  trig_fill(kn->k, kn->dt, z, cz, sz);
  /* The sample must not see itself: the signal uses the old traces. */
  double g = signal_from_trig(kn, c, s, cz, sz);
  update_from_trig(kn->k, c, s, cz, sz, alpha);
  return g;
}

double ladsim_sigreg_distance(const ladsim_sigreg_knots *kn, const double *c,
                              const double *s)
{
  double d = 0.0;
  for (size_t j = 0; j < kn->k; j++) {
    double dc = c[j] - kn->phi_re[j], ds = s[j] - kn->phi_im[j];
    d += kn->w[j] * (dc * dc + ds * ds);
  }
  return d;
}

double ladsim_sigreg_batch_distance(const ladsim_sigreg_knots *kn,
                                    const double *x, size_t n, size_t stride)
{
  double cz[LADSIM_SIGREG_MAX_KNOTS], sz[LADSIM_SIGREG_MAX_KNOTS];
  double cm[LADSIM_SIGREG_MAX_KNOTS] = {0}, sm[LADSIM_SIGREG_MAX_KNOTS] = {0};
  assert(kn->k <= LADSIM_SIGREG_MAX_KNOTS);
  if (n == 0)
    return NAN;
  for (size_t m = 0; m < n; m++) {
    trig_fill(kn->k, kn->dt, x[m * stride], cz, sz);
    for (size_t j = 0; j < kn->k; j++) {
      cm[j] += cz[j];
      sm[j] += sz[j];
    }
  }
  for (size_t j = 0; j < kn->k; j++) {
    cm[j] /= (double)n;
    sm[j] /= (double)n;
  }
  return ladsim_sigreg_distance(kn, cm, sm);
}
