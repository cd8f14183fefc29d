/* targets.c: the SIGReg target families: parameters, CF, scale, sampling. */
#include "config.h"
#include <ladsim/sigreg.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <gsl/gsl_cdf.h>

/* Writes the reason a parameter set is rejected and reports failure. */
static int reject(char *why, size_t why_len, const char *reason)
{
  if (why != NULL && why_len > 0)
    snprintf(why, why_len, "%s", reason);
  return 0;
}

/* A location parameter may be any finite number. */
static int check_finite(double v, const char *reason, char *why, size_t why_len)
{
  return isfinite(v) ? 1 : reject(why, why_len, reason);
}

/* A scale parameter must be finite and strictly positive. */
static int check_positive(double v, const char *reason, char *why,
                          size_t why_len)
{
  return (isfinite(v) && v > 0.0) ? 1 : reject(why, why_len, reason);
}

/* Multiplies the CF by exp(i t loc), the effect of a shift by loc. */
static void shift_cf(double loc, double t, double *re, double *im)
{
  double c = cos(t * loc), s = sin(t * loc);
  double r = *re, i = *im;
  *re = r * c - i * s;
  *im = r * s + i * c;
}

/* sin(x)/x with its limit 1 at 0 (for tiny x, sin(x) == x in doubles). */
static double sinc(double x) { return x == 0.0 ? 1.0 : sin(x) / x; }

/* x/sinh(x) with its limit 1 at 0; large x gives x/inf = 0, as it should. */
static double x_over_sinh(double x) { return x == 0.0 ? 1.0 : x / sinh(x); }

/* The CF of an exponential with mean m: 1/(1 - i t m). */
static void exponential_mean_cf(double m, double t, double *re, double *im)
{
  double a = t * m, d = 1.0 + a * a;
  *re = 1.0 / d;
  *im = a / d;
}

/* gaussian(mean, std) */

static int gaussian_valid(const double *p, char *why, size_t why_len)
{
  return check_finite(p[0], "mean must be a finite number", why, why_len) &&
         check_positive(p[1], "std must be > 0", why, why_len);
}

static void gaussian_cf(const double *p, double t, double *re, double *im)
{
  *re = exp(-0.5 * p[1] * p[1] * t * t);
  *im = 0.0;
  shift_cf(p[0], t, re, im);
}

static double gaussian_scale(const double *p) { return p[1]; }

/* Box-Muller: u1 sets the radius, u2 the angle. */
static double gaussian_sample(const double *p, double u1, double u2, double u3)
{
  (void)u3;
  return p[0] + p[1] * sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/* laplace(loc, scale) */

static int laplace_valid(const double *p, char *why, size_t why_len)
{
  return check_finite(p[0], "loc must be a finite number", why, why_len) &&
         check_positive(p[1], "scale must be > 0", why, why_len);
}

static void laplace_cf(const double *p, double t, double *re, double *im)
{
  *re = 1.0 / (1.0 + p[1] * p[1] * t * t);
  *im = 0.0;
  shift_cf(p[0], t, re, im);
}

static double laplace_scale(const double *p) { return p[1] * M_SQRT2; }

/* Inversion of the CDF, one half-line at a time. */
static double laplace_sample(const double *p, double u1, double u2, double u3)
{
  (void)u2;
  (void)u3;
  double u = u1 - 0.5;
  double mag = -p[1] * log(1.0 - 2.0 * fabs(u));
  return p[0] + (u < 0.0 ? -mag : mag);
}

/* uniform(center, half_width) */

static int uniform_valid(const double *p, char *why, size_t why_len)
{
  return check_finite(p[0], "center must be a finite number", why, why_len) &&
         check_positive(p[1], "half_width must be > 0", why, why_len);
}

static void uniform_cf(const double *p, double t, double *re, double *im)
{
  *re = sinc(p[1] * t);
  *im = 0.0;
  shift_cf(p[0], t, re, im);
}

static double uniform_scale(const double *p) { return p[1] / sqrt(3.0); }

static double uniform_sample(const double *p, double u1, double u2, double u3)
{
  (void)u2;
  (void)u3;
  return p[0] + p[1] * (2.0 * u1 - 1.0);
}

/* exponential(rate) */

static int exponential_valid(const double *p, char *why, size_t why_len)
{
  return check_positive(p[0], "rate must be > 0", why, why_len);
}

static void exponential_cf(const double *p, double t, double *re, double *im)
{
  exponential_mean_cf(1.0 / p[0], t, re, im);
}

static double exponential_scale(const double *p) { return 1.0 / p[0]; }

static double exponential_sample(const double *p, double u1, double u2,
                                 double u3)
{
  (void)u2;
  (void)u3;
  return -log(u1) / p[0];
}

/* gamma(shape, scale) */

static int gamma_valid(const double *p, char *why, size_t why_len)
{
  return check_positive(p[0], "shape must be > 0", why, why_len) &&
         check_positive(p[1], "scale must be > 0", why, why_len);
}

/* (1 - i t s)^(-k) through modulus and argument, valid for any real k. */
static void gamma_cf(const double *p, double t, double *re, double *im)
{
  double a = t * p[1];
  double r = pow(1.0 + a * a, -0.5 * p[0]);
  double angle = p[0] * atan(a);
  *re = r * cos(angle);
  *im = r * sin(angle);
}

static double gamma_scale(const double *p) { return sqrt(p[0]) * p[1]; }

/* Exact inversion by GSL; three uniforms are too few for rejection. */
static double gamma_sample(const double *p, double u1, double u2, double u3)
{
  (void)u2;
  (void)u3;
  return gsl_cdf_gamma_Pinv(u1, p[0], p[1]);
}

/* logistic(loc, scale) */

static int logistic_valid(const double *p, char *why, size_t why_len)
{
  return check_finite(p[0], "loc must be a finite number", why, why_len) &&
         check_positive(p[1], "scale must be > 0", why, why_len);
}

static void logistic_cf(const double *p, double t, double *re, double *im)
{
  *re = x_over_sinh(M_PI * p[1] * t);
  *im = 0.0;
  shift_cf(p[0], t, re, im);
}

static double logistic_scale(const double *p)
{
  return p[1] * M_PI / sqrt(3.0);
}

static double logistic_sample(const double *p, double u1, double u2, double u3)
{
  (void)u2;
  (void)u3;
  return p[0] + p[1] * log(u1 / (1.0 - u1));
}

/* spike_and_slab(p_zero, slab): an atom at 0 plus an exponential slab. */

static int spike_and_slab_valid(const double *p, char *why, size_t why_len)
{
  if (!(isfinite(p[0]) && p[0] >= 0.0 && p[0] < 1.0))
    return reject(why, why_len, "p_zero must be in [0, 1)");
  return check_positive(p[1], "slab must be > 0", why, why_len);
}

static void spike_and_slab_cf(const double *p, double t, double *re,
                              double *im)
{
  exponential_mean_cf(p[1], t, re, im);
  *re = p[0] + (1.0 - p[0]) * *re;
  *im = (1.0 - p[0]) * *im;
}

/* Variance of the mixture: (1 - p) 2 s^2 - ((1 - p) s)^2 = (1 - p^2) s^2. */
static double spike_and_slab_scale(const double *p)
{
  return p[1] * sqrt(1.0 - p[0] * p[0]);
}

static double spike_and_slab_sample(const double *p, double u1, double u2,
                                    double u3)
{
  (void)u3;
  return u1 < p[0] ? 0.0 : -p[1] * log(u2);
}

/* The table. */

static const ladsim_target_type gaussian_type = {
  "gaussian", 2, {"mean", "std", NULL}, {0.0, 1.0, 0.0},
  gaussian_valid, gaussian_cf, gaussian_scale, gaussian_sample};
static const ladsim_target_type laplace_type = {
  "laplace", 2, {"loc", "scale", NULL}, {0.0, 1.0, 0.0},
  laplace_valid, laplace_cf, laplace_scale, laplace_sample};
static const ladsim_target_type uniform_type = {
  "uniform", 2, {"center", "half_width", NULL}, {0.0, 1.0, 0.0},
  uniform_valid, uniform_cf, uniform_scale, uniform_sample};
static const ladsim_target_type exponential_type = {
  "exponential", 1, {"rate", NULL, NULL}, {1.0, 0.0, 0.0},
  exponential_valid, exponential_cf, exponential_scale, exponential_sample};
static const ladsim_target_type gamma_type = {
  "gamma", 2, {"shape", "scale", NULL}, {2.0, 1.0, 0.0},
  gamma_valid, gamma_cf, gamma_scale, gamma_sample};
static const ladsim_target_type logistic_type = {
  "logistic", 2, {"loc", "scale", NULL}, {0.0, 1.0, 0.0},
  logistic_valid, logistic_cf, logistic_scale, logistic_sample};
static const ladsim_target_type spike_and_slab_type = {
  "spike_and_slab", 2, {"p_zero", "slab", NULL}, {0.5, 1.0, 0.0},
  spike_and_slab_valid, spike_and_slab_cf, spike_and_slab_scale,
  spike_and_slab_sample};

const ladsim_target_type *ladsim_target_gaussian = &gaussian_type;
const ladsim_target_type *ladsim_target_laplace = &laplace_type;
const ladsim_target_type *ladsim_target_uniform = &uniform_type;
const ladsim_target_type *ladsim_target_exponential = &exponential_type;
const ladsim_target_type *ladsim_target_gamma = &gamma_type;
const ladsim_target_type *ladsim_target_logistic = &logistic_type;
const ladsim_target_type *ladsim_target_spike_and_slab = &spike_and_slab_type;

const ladsim_target_type *const ladsim_target_types[] = {
  &gaussian_type, &laplace_type, &uniform_type, &exponential_type,
  &gamma_type, &logistic_type, &spike_and_slab_type, NULL};

const ladsim_target_type *ladsim_target_type_find(const char *name)
{
  if (name == NULL)
    return NULL;
  for (size_t i = 0; ladsim_target_types[i] != NULL; i++)
    if (strcmp(ladsim_target_types[i]->name, name) == 0)
      return ladsim_target_types[i];
  return NULL;
}

/* Resolved targets: a parametric family or the empirical CF of samples. */

ladsim_status ladsim_target_check(const ladsim_target *target)
{
  char why[128];
  if (target->type != NULL) {
    if (!target->type->valid(target->p, why, sizeof why))
      return LADSIM_ERROR(LADSIM_EINVAL, "SIGReg target %s: %s",
                          target->type->name, why);
    return LADSIM_OK;
  }
  if (target->samples == NULL || target->n_samples == 0)
    return LADSIM_ERROR(LADSIM_EINVAL, "SIGReg target empirical: no samples "
                        "given; list at least one value");
  for (size_t m = 0; m < target->n_samples; m++)
    if (!isfinite(target->samples[m]))
      return LADSIM_ERROR(LADSIM_EINVAL, "SIGReg target empirical: sample %zu "
                          "is not a finite number", m + 1);
  return LADSIM_OK;
}

void ladsim_target_cf(const ladsim_target *target, double t, double *re,
                      double *im)
{
  if (target->type != NULL) {
    target->type->cf(target->p, t, re, im);
    return;
  }
  double c = 0.0, s = 0.0;
  for (size_t m = 0; m < target->n_samples; m++) {
    c += cos(t * target->samples[m]);
    s += sin(t * target->samples[m]);
  }
  *re = c / (double)target->n_samples;
  *im = s / (double)target->n_samples;
}

double ladsim_target_scale(const ladsim_target *target)
{
  if (target->type != NULL)
    return target->type->scale(target->p);
  size_t n = target->n_samples;
  const double *x = target->samples;
  double mean = 0.0, var = 0.0, lo = x[0], hi = x[0];
  for (size_t m = 0; m < n; m++) {
    mean += x[m];
    lo = fmin(lo, x[m]);
    hi = fmax(hi, x[m]);
  }
  /* Equal samples have no spread to scale the knots by; testing the range
   * rather than the std avoids a rounding-sized std from the mean. */
  if (lo == hi)
    return 1.0;
  mean /= (double)n;
  for (size_t m = 0; m < n; m++)
    var += (x[m] - mean) * (x[m] - mean);
  return sqrt(var / (double)n);
}
