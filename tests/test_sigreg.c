/* test_sigreg.c: the SIGReg targets, knots, distance, signal and traces. */
#include "config.h"
#include <ladsim/sigreg.h>

#include <check.h>
#include <complex.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_sf_gamma.h>

#include "core/rng.h"

#define N_CASES 8       /* the seven families and one empirical target */
#define N_BATCH 20000   /* samples for the goodness-of-fit statistics */
#define N_GRAD 50       /* samples for the finite-difference check */
#define KNOTS 17
#define T_MAX 3.0
#define SEED 20240611u

static double empirical_samples[] = {-1.2, 0.3, 0.3, 2.1, 0.9, -0.4, 1.6};

/* Targets with parameters away from the defaults, so scales differ from 1. */
static ladsim_target case_target(int i)
{
  ladsim_target t = {0};
  switch (i) {
  case 0: t.type = ladsim_target_gaussian; t.p[0] = 0.5; t.p[1] = 2.0; break;
  case 1: t.type = ladsim_target_laplace; t.p[0] = -0.3; t.p[1] = 0.7; break;
  case 2: t.type = ladsim_target_uniform; t.p[0] = 1.5; t.p[1] = 0.8; break;
  case 3: t.type = ladsim_target_exponential; t.p[0] = 2.5; break;
  case 4: t.type = ladsim_target_gamma; t.p[0] = 2.7; t.p[1] = 0.6; break;
  case 5: t.type = ladsim_target_logistic; t.p[0] = 0.4; t.p[1] = 1.3; break;
  case 6: t.type = ladsim_target_spike_and_slab; t.p[0] = 0.35; t.p[1] = 1.7;
          break;
  default:
    t.samples = empirical_samples;
    t.n_samples = sizeof empirical_samples / sizeof empirical_samples[0];
  }
  return t;
}

static const char *case_name(const ladsim_target *t)
{
  return t->type != NULL ? t->type->name : "empirical";
}

/* One draw from the target with Philox uniforms. */
static double draw(const ladsim_target *t, ladsim_rng *r)
{
  if (t->type == NULL)
    return t->samples[ladsim_rng_below(r, t->n_samples)];
  double u1 = ladsim_rng_uniform_pos(r), u2 = ladsim_rng_uniform_pos(r);
  double u3 = ladsim_rng_uniform_pos(r);
  return t->type->sample(t->p, u1, u2, u3);
}

static double *draw_many(const ladsim_target *t, size_t n, uint64_t stream)
{
  ladsim_rng r;
  ladsim_rng_init(&r, SEED, stream, 0, 0, 0);
  double *x = malloc(n * sizeof *x);
  ck_assert_ptr_nonnull(x);
  for (size_t m = 0; m < n; m++)
    x[m] = draw(t, &r);
  return x;
}

static ladsim_sigreg_knots *knots_for(const ladsim_target *t)
{
  ladsim_sigreg_knots *kn = NULL;
  ck_assert_int_eq(ladsim_sigreg_knots_alloc(t, KNOTS, T_MAX, &kn), LADSIM_OK);
  return kn;
}

/* E[D] for n independent samples of the target: sum_j w_j (1 - |phi_j|^2)/n,
 * since Var cos + Var sin = 1 - |phi|^2 at each knot. */
static double expected_distance(const ladsim_sigreg_knots *kn, double n_eff)
{
  double e = 0.0;
  for (size_t j = 0; j < kn->k; j++) {
    double mod2 = kn->phi_re[j] * kn->phi_re[j] + kn->phi_im[j] * kn->phi_im[j];
    e += kn->w[j] * (1.0 - mod2);
  }
  return e / n_eff;
}

/* The CF in closed form, written independently of targets.c. */
static double complex closed_cf(const ladsim_target *t, double x)
{
  const double *p = t->p;
  const ladsim_target_type *ty = t->type;
  if (ty == ladsim_target_gaussian)
    return cexp(I * x * p[0] - p[1] * p[1] * x * x / 2.0);
  if (ty == ladsim_target_laplace)
    return cexp(I * x * p[0]) / (1.0 + p[1] * p[1] * x * x);
  if (ty == ladsim_target_uniform) /* (e^{itb} - e^{ita}) / (i t (b - a)) */
    return (cexp(I * x * (p[0] + p[1])) - cexp(I * x * (p[0] - p[1]))) /
           (I * x * 2.0 * p[1]);
  if (ty == ladsim_target_exponential)
    return p[0] / (p[0] - I * x);
  if (ty == ladsim_target_gamma)
    return cpow(1.0 - I * x * p[1], -p[0]);
  if (ty == ladsim_target_logistic) { /* e^{itmu} |Gamma(1 + i s t)|^2 */
    gsl_sf_result lnr, arg;
    gsl_sf_lngamma_complex_e(1.0, p[1] * x, &lnr, &arg);
    return cexp(I * x * p[0]) * exp(2.0 * lnr.val);
  }
  if (ty == ladsim_target_spike_and_slab)
    return p[0] + (1.0 - p[0]) / (1.0 - I * x * p[1]);
  double complex sum = 0.0;
  for (size_t m = 0; m < t->n_samples; m++)
    sum += cexp(I * x * t->samples[m]);
  return sum / (double)t->n_samples;
}

/* Targets */

START_TEST(test_table_lists_families)
{
  static const char *names[] = {"gaussian", "laplace", "uniform",
                                "exponential", "gamma", "logistic",
                                "spike_and_slab"};
  size_t n = 0;
  while (ladsim_target_types[n] != NULL)
    n++;
  ck_assert_uint_eq(n, 7);
  for (size_t i = 0; i < 7; i++) {
    const ladsim_target_type *ty = ladsim_target_type_find(names[i]);
    ck_assert_ptr_nonnull(ty);
    ck_assert_str_eq(ty->name, names[i]);
    ck_assert_ptr_eq(ty, ladsim_target_types[i]);
    ck_assert_uint_ge(ty->n_params, 1);
    ck_assert_uint_le(ty->n_params, LADSIM_TARGET_MAX_PARAMS);
    for (size_t k = 0; k < ty->n_params; k++)
      ck_assert_ptr_nonnull(ty->param_names[k]);
    char why[64] = "";
    ck_assert_int_eq(ty->valid(ty->param_defaults, why, sizeof why), 1);
  }
  ck_assert_ptr_eq(ladsim_target_type_find("gamma"), ladsim_target_gamma);
  ck_assert_ptr_null(ladsim_target_type_find("cauchy"));
  ck_assert_ptr_null(ladsim_target_type_find("Gaussian"));
  ck_assert_ptr_null(ladsim_target_type_find(NULL));
}
END_TEST

/* valid() rejects each bad parameter and says which one. */
static void expect_invalid(const ladsim_target_type *ty, double p0, double p1,
                           const char *reason)
{
  double p[LADSIM_TARGET_MAX_PARAMS] = {p0, p1, 0.0};
  char why[64] = "";
  ck_assert_msg(ty->valid(p, why, sizeof why) == 0, "%s(%g, %g) accepted",
                ty->name, p0, p1);
  ck_assert_str_eq(why, reason);
  ck_assert_int_eq(ty->valid(p, NULL, 0), 0);
}

START_TEST(test_valid_rejects_bad_parameters)
{
  expect_invalid(ladsim_target_gaussian, 0.0, 0.0, "std must be > 0");
  expect_invalid(ladsim_target_gaussian, NAN, 1.0,
                 "mean must be a finite number");
  expect_invalid(ladsim_target_gaussian, 0.0, INFINITY, "std must be > 0");
  expect_invalid(ladsim_target_laplace, 0.0, -1.0, "scale must be > 0");
  expect_invalid(ladsim_target_uniform, 0.0, 0.0, "half_width must be > 0");
  expect_invalid(ladsim_target_exponential, -2.0, 0.0, "rate must be > 0");
  expect_invalid(ladsim_target_gamma, 0.0, 1.0, "shape must be > 0");
  expect_invalid(ladsim_target_gamma, 2.0, -0.5, "scale must be > 0");
  expect_invalid(ladsim_target_logistic, 0.0, 0.0, "scale must be > 0");
  expect_invalid(ladsim_target_spike_and_slab, 1.0, 1.0,
                 "p_zero must be in [0, 1)");
  expect_invalid(ladsim_target_spike_and_slab, -0.1, 1.0,
                 "p_zero must be in [0, 1)");
  expect_invalid(ladsim_target_spike_and_slab, 0.5, 0.0, "slab must be > 0");
  double ok[LADSIM_TARGET_MAX_PARAMS] = {0.0, 2.0, 0.0};
  ck_assert_int_eq(ladsim_target_spike_and_slab->valid(ok, NULL, 0), 1);
}
END_TEST

START_TEST(test_cf_matches_closed_forms)
{
  static const double ts[] = {0.13, 0.7, 1.9, 4.4};
  for (int i = 0; i < N_CASES; i++) {
    ladsim_target t = case_target(i);
    double re, im;
    ladsim_target_cf(&t, 0.0, &re, &im);
    ck_assert_double_eq_tol(re, 1.0, 1e-15);
    ck_assert_double_eq_tol(im, 0.0, 1e-15);
    for (size_t k = 0; k < sizeof ts / sizeof ts[0]; k++) {
      double complex want = closed_cf(&t, ts[k]);
      ladsim_target_cf(&t, ts[k], &re, &im);
      ck_assert_msg(fabs(re - creal(want)) < 1e-12 &&
                    fabs(im - cimag(want)) < 1e-12,
                    "%s at t=%g: %g%+gi, want %g%+gi", case_name(&t), ts[k],
                    re, im, creal(want), cimag(want));
    }
  }
  /* Two values by hand: the standard normal and exponential(1) at t = 1. */
  double p[LADSIM_TARGET_MAX_PARAMS] = {0.0, 1.0, 0.0}, re, im;
  ladsim_target_gaussian->cf(p, 1.0, &re, &im);
  ck_assert_double_eq_tol(re, exp(-0.5), 1e-15);
  p[0] = 1.0;
  ladsim_target_exponential->cf(p, 1.0, &re, &im);
  ck_assert_double_eq_tol(re, 0.5, 1e-15);
  ck_assert_double_eq_tol(im, 0.5, 1e-15);
}
END_TEST

/* The scale is the standard deviation: Var = -phi''(0) + phi'(0)^2, with
 * the derivatives by central differences of the (checked) CF. */
START_TEST(test_scale_is_std)
{
  const double h = 1e-3;
  for (int i = 0; i < N_CASES; i++) {
    ladsim_target t = case_target(i);
    double rp, ip, rm, im_, r0, i0;
    ladsim_target_cf(&t, h, &rp, &ip);
    ladsim_target_cf(&t, -h, &rm, &im_);
    ladsim_target_cf(&t, 0.0, &r0, &i0);
    double mean = (ip - im_) / (2.0 * h);
    double second = -(rp - 2.0 * r0 + rm) / (h * h);
    double std = sqrt(second - mean * mean);
    ck_assert_msg(fabs(ladsim_target_scale(&t) - std) < 1e-5 * std,
                  "%s: scale %g, std from the CF %g", case_name(&t),
                  ladsim_target_scale(&t), std);
  }
  double same[] = {0.7, 0.7, 0.7};
  ladsim_target flat = {.samples = same, .n_samples = 3};
  ck_assert_double_eq(ladsim_target_scale(&flat), 1.0);
}
END_TEST

START_TEST(test_target_check)
{
  ladsim_target bad = {.type = ladsim_target_gamma, .p = {2.0, -1.0}};
  ck_assert_int_eq(ladsim_target_check(&bad), LADSIM_EINVAL);
  ck_assert_ptr_nonnull(strstr(ladsim_error_message(), "scale must be > 0"));
  ck_assert_ptr_nonnull(strstr(ladsim_error_message(), "gamma"));
  ladsim_target none = {0};
  ck_assert_int_eq(ladsim_target_check(&none), LADSIM_EINVAL);
  double x[] = {1.0, NAN};
  ladsim_target nan_sample = {.samples = x, .n_samples = 2};
  ck_assert_int_eq(ladsim_target_check(&nan_sample), LADSIM_EINVAL);
  ck_assert_ptr_nonnull(strstr(ladsim_error_message(), "sample 2"));
  ladsim_target good = case_target(7);
  ck_assert_int_eq(ladsim_target_check(&good), LADSIM_OK);
}
END_TEST

/* Knots */

START_TEST(test_knots_reject_bad_arguments)
{
  ladsim_target t = case_target(0);
  static ladsim_sigreg_knots stale;
  ladsim_sigreg_knots *kn = &stale; /* a failed call must set it to NULL */
  ck_assert_int_eq(ladsim_sigreg_knots_alloc(&t, 1, 3.0, &kn), LADSIM_EINVAL);
  ck_assert_ptr_null(kn);
  ck_assert_int_eq(ladsim_sigreg_knots_alloc(&t, 0, 3.0, &kn), LADSIM_EINVAL);
  ck_assert_int_eq(ladsim_sigreg_knots_alloc(&t, LADSIM_SIGREG_MAX_KNOTS + 1,
                                             3.0, &kn), LADSIM_EINVAL);
  ck_assert_int_eq(ladsim_sigreg_knots_alloc(&t, 17, 0.0, &kn), LADSIM_EINVAL);
  ck_assert_int_eq(ladsim_sigreg_knots_alloc(&t, 17, -1.0, &kn), LADSIM_EINVAL);
  ck_assert_int_eq(ladsim_sigreg_knots_alloc(&t, 17, NAN, &kn), LADSIM_EINVAL);
  ck_assert_int_eq(ladsim_sigreg_knots_alloc(NULL, 17, 3.0, &kn),
                   LADSIM_EINVAL);
  ck_assert_int_eq(ladsim_sigreg_knots_alloc(&t, 17, 3.0, NULL), LADSIM_EINVAL);
  t.p[1] = -2.0;
  ck_assert_int_eq(ladsim_sigreg_knots_alloc(&t, 17, 3.0, &kn), LADSIM_EINVAL);
  ck_assert_ptr_null(kn);
  ck_assert_ptr_nonnull(strstr(ladsim_error_message(), "std must be > 0"));
  ladsim_sigreg_knots_free(NULL);
}
END_TEST

/* Sum of weights: 2/s times the trapezoid rule for int_0^T exp(-u^2/2) du,
 * which by Euler-Maclaurin is the integral plus h^2/12 (f'(T) - f'(0)) up to
 * h^4/720 (f'''(T) - f'''(0)), about 4e-7 here. */
START_TEST(test_knots_and_weights)
{
  for (int i = 0; i < N_CASES; i++) {
    ladsim_target t = case_target(i);
    ladsim_sigreg_knots *kn = knots_for(&t);
    double s = ladsim_target_scale(&t), h = T_MAX / (KNOTS - 1);
    ck_assert_uint_eq(kn->k, KNOTS);
    ck_assert_double_eq_tol(kn->dt, h / s, 1e-15 * h / s);
    ck_assert_double_eq(kn->t[0], 0.0);
    ck_assert_double_eq_tol(kn->t[KNOTS - 1], T_MAX / s, 1e-13);
    ck_assert_double_eq_tol(kn->w[0], h / s, 1e-15);
    double sum = 0.0;
    for (size_t j = 0; j < kn->k; j++)
      sum += kn->w[j];
    double fprime_T = -T_MAX * exp(-T_MAX * T_MAX / 2.0);
    double trapezoid = sqrt(M_PI / 2.0) * erf(T_MAX / M_SQRT2) +
                       h * h / 12.0 * fprime_T;
    ck_assert_double_eq_tol(sum * s, 2.0 * trapezoid, 1e-6);
    ck_assert_double_eq_tol(kn->phi_re[0], 1.0, 1e-15);
    ladsim_sigreg_knots_free(kn);
  }
}
END_TEST

START_TEST(test_trig_recurrence_accuracy)
{
  ladsim_target t = case_target(3); /* scale 0.4: knots reach t = 7.5 */
  ladsim_sigreg_knots *kn = knots_for(&t);
  double c[KNOTS], s[KNOTS], worst = 0.0;
  for (double z = -49.9; z < 50.0; z += 0.173) {
    ladsim_sigreg_trig(kn, z, c, s);
    for (size_t j = 0; j < KNOTS; j++) {
      worst = fmax(worst, fabs(c[j] - cos(kn->t[j] * z)));
      worst = fmax(worst, fabs(s[j] - sin(kn->t[j] * z)));
    }
  }
  ck_assert_double_lt(worst, 1e-12);
  ladsim_sigreg_knots_free(kn);
}
END_TEST

/* Signal and distance */

static void batch_means(const ladsim_sigreg_knots *kn, const double *x,
                        size_t n, double *cm, double *sm)
{
  double c[LADSIM_SIGREG_MAX_KNOTS], s[LADSIM_SIGREG_MAX_KNOTS];
  memset(cm, 0, kn->k * sizeof *cm);
  memset(sm, 0, kn->k * sizeof *sm);
  for (size_t m = 0; m < n; m++) {
    ladsim_sigreg_trig(kn, x[m], c, s);
    for (size_t j = 0; j < kn->k; j++) {
      cm[j] += c[j] / (double)n;
      sm[j] += s[j] / (double)n;
    }
  }
}

/* g(z_m) = n dD/dx_m when the traces hold the batch means. The samples are
 * shifted off the target by half a scale so that D and g are not tiny. */
START_TEST(test_signal_is_gradient)
{
  ladsim_target t = case_target(_i);
  ladsim_sigreg_knots *kn = knots_for(&t);
  double scale = ladsim_target_scale(&t), h = 1e-4 * scale;
  double *x = draw_many(&t, N_GRAD, 10 + (uint64_t)_i);
  for (size_t m = 0; m < N_GRAD; m++)
    x[m] += 0.5 * scale;
  double cm[KNOTS], sm[KNOTS], g[N_GRAD], gmax = 0.0;
  batch_means(kn, x, N_GRAD, cm, sm);
  ck_assert_double_eq_tol(ladsim_sigreg_distance(kn, cm, sm),
                          ladsim_sigreg_batch_distance(kn, x, N_GRAD, 1),
                          1e-14);
  for (size_t m = 0; m < N_GRAD; m++) {
    g[m] = ladsim_sigreg_signal(kn, cm, sm, x[m]);
    gmax = fmax(gmax, fabs(g[m]));
  }
  ck_assert_double_gt(gmax, 1e-3);
  for (size_t m = 0; m < N_GRAD; m++) {
    double keep = x[m];
    x[m] = keep + h;
    double up = ladsim_sigreg_batch_distance(kn, x, N_GRAD, 1);
    x[m] = keep - h;
    double down = ladsim_sigreg_batch_distance(kn, x, N_GRAD, 1);
    x[m] = keep;
    double fd = N_GRAD * (up - down) / (2.0 * h);
    ck_assert_msg(fabs(g[m] - fd) < 1e-6 * fmax(fabs(g[m]), 1e-3 * gmax),
                  "%s sample %zu: signal %.12g, finite difference %.12g",
                  case_name(&t), m, g[m], fd);
  }
  free(x);
  ladsim_sigreg_knots_free(kn);
}
END_TEST

START_TEST(test_batch_distance_stride)
{
  ladsim_target t = case_target(_i);
  ladsim_sigreg_knots *kn = knots_for(&t);
  double x[2 * 5] = {0.3, 99.0, -1.1, 99.0, 2.4, 99.0, 0.8, 99.0, 1.7, 99.0};
  double packed[5] = {0.3, -1.1, 2.4, 0.8, 1.7};
  ck_assert_double_eq_tol(ladsim_sigreg_batch_distance(kn, x, 5, 2),
                          ladsim_sigreg_batch_distance(kn, packed, 5, 1),
                          1e-15);
  ck_assert(isnan(ladsim_sigreg_batch_distance(kn, packed, 0, 1)));
  ladsim_sigreg_knots_free(kn);
}
END_TEST

/* Samples of the target score below ten times E[D] (a few 1e-4); the same
 * samples shifted by two scales score at least twenty times that bound. */
START_TEST(test_batch_fits_its_target)
{
  ladsim_target t = case_target(_i);
  ladsim_sigreg_knots *kn = knots_for(&t);
  double *x = draw_many(&t, N_BATCH, 100 + (uint64_t)_i);
  double bound = 10.0 * expected_distance(kn, N_BATCH);
  double good = ladsim_sigreg_batch_distance(kn, x, N_BATCH, 1);
  ck_assert_msg(good < bound && bound < 2e-3, "%s: D = %g, bound %g",
                case_name(&t), good, bound);
  double shift = 2.0 * ladsim_target_scale(&t);
  for (size_t m = 0; m < N_BATCH; m++)
    x[m] += shift;
  double wrong = ladsim_sigreg_batch_distance(kn, x, N_BATCH, 1);
  ck_assert_msg(wrong > 20.0 * bound, "%s shifted: D = %g, bound %g",
                case_name(&t), wrong, bound);
  free(x);
  ladsim_sigreg_knots_free(kn);
}
END_TEST

START_TEST(test_batch_rejects_wrong_family)
{
  ladsim_target normal = {.type = ladsim_target_gaussian, .p = {0.0, 1.0}};
  ladsim_target expo = {.type = ladsim_target_exponential, .p = {1.0}};
  ladsim_sigreg_knots *kn_normal = knots_for(&normal);
  ladsim_sigreg_knots *kn_expo = knots_for(&expo);
  double *x = draw_many(&normal, N_BATCH, 200);
  double fit = ladsim_sigreg_batch_distance(kn_normal, x, N_BATCH, 1);
  double misfit = ladsim_sigreg_batch_distance(kn_expo, x, N_BATCH, 1);
  double bound = 10.0 * expected_distance(kn_normal, N_BATCH);
  ck_assert_double_lt(fit, bound);
  ck_assert_double_gt(misfit, 20.0 * bound);
  double floor_expo = expected_distance(kn_expo, N_BATCH);
  ck_assert_double_gt(misfit, 20.0 * 10.0 * floor_expo);
  free(x);
  ladsim_sigreg_knots_free(kn_normal);
  ladsim_sigreg_knots_free(kn_expo);
}
END_TEST

/* Traces */

/* Exponential traces with fraction alpha average about (2 - alpha)/alpha
 * samples, so E[D] is expected_distance with that many samples. */
START_TEST(test_traces_converge_to_target)
{
  const double alpha = 2e-3;
  ladsim_target t = case_target(_i);
  ladsim_sigreg_knots *kn = knots_for(&t);
  double *x = draw_many(&t, N_BATCH, 300 + (uint64_t)_i);
  double c[KNOTS], s[KNOTS], c2[KNOTS], s2[KNOTS];
  for (size_t j = 0; j < KNOTS; j++) {
    c[j] = c2[j] = 1.0; /* the CF of activity stuck at 0 */
    s[j] = s2[j] = 0.0;
  }
  for (size_t m = 0; m < N_BATCH; m++)
    ladsim_sigreg_trace_update(kn, c, s, x[m], alpha);
  double bound = 10.0 * expected_distance(kn, (2.0 - alpha) / alpha);
  double good = ladsim_sigreg_distance(kn, c, s);
  ck_assert_msg(good < bound, "%s: D = %g, bound %g", case_name(&t), good,
                bound);
  double shift = 2.0 * ladsim_target_scale(&t);
  for (size_t m = 0; m < N_BATCH; m++)
    ladsim_sigreg_trace_update(kn, c2, s2, x[m] + shift, alpha);
  double wrong = ladsim_sigreg_distance(kn, c2, s2);
  ck_assert_msg(wrong > 20.0 * bound, "%s shifted: D = %g, bound %g",
                case_name(&t), wrong, bound);
  free(x);
  ladsim_sigreg_knots_free(kn);
}
END_TEST

/* step() is signal() with the old traces followed by trace_update(). */
START_TEST(test_step_is_signal_then_update)
{
  ladsim_target t = case_target(_i);
  ladsim_sigreg_knots *kn = knots_for(&t);
  double c[KNOTS], s[KNOTS], c2[KNOTS], s2[KNOTS];
  for (size_t j = 0; j < KNOTS; j++) {
    c[j] = c2[j] = 0.9 - 0.03 * (double)j;
    s[j] = s2[j] = 0.02 * (double)j;
  }
  static const double zs[] = {0.37, -1.4, 2.9, 0.0, 5.5};
  for (size_t m = 0; m < sizeof zs / sizeof zs[0]; m++) {
    double want = ladsim_sigreg_signal(kn, c2, s2, zs[m]);
    ladsim_sigreg_trace_update(kn, c2, s2, zs[m], 0.1);
    double got = ladsim_sigreg_step(kn, c, s, zs[m], 0.1);
    ck_assert_double_eq_tol(got, want, 1e-15 * fmax(1.0, fabs(want)));
    for (size_t j = 0; j < KNOTS; j++) {
      ck_assert_double_eq_tol(c[j], c2[j], 1e-15);
      ck_assert_double_eq_tol(s[j], s2[j], 1e-15);
    }
  }
  /* With alpha = 1 the traces become cos/sin(t_j z) exactly. */
  double z = 1.3, cz[KNOTS], sz[KNOTS];
  ladsim_sigreg_step(kn, c, s, z, 1.0);
  ladsim_sigreg_trig(kn, z, cz, sz);
  for (size_t j = 0; j < KNOTS; j++)
    ck_assert_double_eq_tol(c[j], cz[j], 1e-15);
  ladsim_sigreg_knots_free(kn);
}
END_TEST

static Suite *sigreg_suite(void)
{
  Suite *suite = suite_create("sigreg");
  TCase *tc = tcase_create("targets");
  tcase_add_test(tc, test_table_lists_families);
  tcase_add_test(tc, test_valid_rejects_bad_parameters);
  tcase_add_test(tc, test_cf_matches_closed_forms);
  tcase_add_test(tc, test_scale_is_std);
  tcase_add_test(tc, test_target_check);
  suite_add_tcase(suite, tc);
  tc = tcase_create("knots");
  tcase_add_test(tc, test_knots_reject_bad_arguments);
  tcase_add_test(tc, test_knots_and_weights);
  tcase_add_test(tc, test_trig_recurrence_accuracy);
  suite_add_tcase(suite, tc);
  tc = tcase_create("distance");
  tcase_add_loop_test(tc, test_signal_is_gradient, 0, N_CASES);
  tcase_add_loop_test(tc, test_batch_distance_stride, 0, N_CASES);
  tcase_add_loop_test(tc, test_batch_fits_its_target, 0, N_CASES);
  tcase_add_test(tc, test_batch_rejects_wrong_family);
  suite_add_tcase(suite, tc);
  tc = tcase_create("traces");
  tcase_add_loop_test(tc, test_traces_converge_to_target, 0, N_CASES);
  tcase_add_loop_test(tc, test_step_is_signal_then_update, 0, N_CASES);
  suite_add_tcase(suite, tc);
  return suite;
}

int main(void)
{
  SRunner *runner = srunner_create(sigreg_suite());
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
