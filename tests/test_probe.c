/* test_probe.c: the ridge probe and the representation statistics against hand-solved and analytic values. */
#include "config.h"
#include <ladsim/probe.h>

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_matrix.h>

#include "core/rng.h"
#include "eval/ridge.h"

#define SEED 20240611u
#define TOL 1e-12

/* ---- data ---------------------------------------------------------------- */

static void *xmalloc(size_t bytes)
{
  void *p = malloc(bytes);
  ck_assert_ptr_nonnull(p);
  return p;
}

/* Three well separated Gaussian clusters in 5-D: class c is centred at
 * 8 e_c (unit noise) on features 0..2, so centres are 11.3 apart and a
 * sample crosses a boundary with probability ~1e-8. Feature 3 is constant
 * and feature 4 is a tiny jitter around 1000: both must be harmless once
 * standardised. */
static void clusters(uint64_t split, size_t n, double *x, uint8_t *y)
{
  for (size_t i = 0; i < n; i++) {
    ladsim_rng r;
    double *row = x + i * 5;
    ladsim_rng_init(&r, SEED, LADSIM_STREAM_SYNTH, split, i, 0);
    y[i] = (uint8_t)ladsim_rng_below(&r, 3);
    for (size_t j = 0; j < 3; j++)
      row[j] = (j == y[i] ? 8.0 : 0.0) + ladsim_rng_normal(&r);
    row[3] = 7.0;
    row[4] = 1000.0 + 1e-3 * ladsim_rng_normal(&r);
  }
}

/* Two classes at +-1 on every feature, with Gaussian noise of size sigma. */
static void noisy_classes(uint64_t seed, uint64_t split, size_t n, size_t dim,
                          double sigma, double *x, uint8_t *y)
{
  for (size_t i = 0; i < n; i++) {
    ladsim_rng r;
    ladsim_rng_init(&r, seed, LADSIM_STREAM_SYNTH, split, i, 0);
    y[i] = (uint8_t)ladsim_rng_below(&r, 2);
    for (size_t j = 0; j < dim; j++)
      x[i * dim + j] = (y[i] ? 1.0 : -1.0) + sigma * ladsim_rng_normal(&r);
  }
}

/* Walsh functions on 8 points, repeated: zero mean and mutually orthogonal
 * over every whole number of periods, so sample covariances are exact. */
static double walsh(unsigned bits, size_t i)
{
  return __builtin_parity(bits & (unsigned)(i % 8)) ? -1.0 : 1.0;
}

/* ---- ridge kernels --------------------------------------------------------- */

START_TEST(test_solve_hand_2x2)
{
  /* (G + I) W = B with G = [4 1; 1 3], B = [1 2; 3 -1]:
   * [5 1; 1 4]^-1 = [4 -1; -1 5] / 19, so W = [1 9; 14 -7] / 19. The upper
   * triangle of G holds garbage: only the lower one may be read. */
  gsl_matrix *g = gsl_matrix_alloc(2, 2), *b = gsl_matrix_alloc(2, 2);
  gsl_matrix *w = gsl_matrix_alloc(2, 2);
  gsl_matrix_set(g, 0, 0, 4.0);
  gsl_matrix_set(g, 1, 0, 1.0);
  gsl_matrix_set(g, 0, 1, 1e6);
  gsl_matrix_set(g, 1, 1, 3.0);
  gsl_matrix_set(b, 0, 0, 1.0);
  gsl_matrix_set(b, 0, 1, 2.0);
  gsl_matrix_set(b, 1, 0, 3.0);
  gsl_matrix_set(b, 1, 1, -1.0);
  ck_assert_int_eq(ladsim__ridge_solve(g, b, 1.0, w), LADSIM_OK);
  ck_assert_double_eq_tol(gsl_matrix_get(w, 0, 0), 1.0 / 19.0, TOL);
  ck_assert_double_eq_tol(gsl_matrix_get(w, 0, 1), 9.0 / 19.0, TOL);
  ck_assert_double_eq_tol(gsl_matrix_get(w, 1, 0), 14.0 / 19.0, TOL);
  ck_assert_double_eq_tol(gsl_matrix_get(w, 1, 1), -7.0 / 19.0, TOL);
  gsl_matrix_free(g);
  gsl_matrix_free(b);
  gsl_matrix_free(w);
}
END_TEST

START_TEST(test_spectrum_matches_solve)
{
  /* The grid's spectral weights must be the direct solution at every lambda. */
  static const double gdata[9] = {5.0, 1.0, -2.0, 1.0, 4.0, 0.5, -2.0, 0.5, 3.0};
  static const double bdata[6] = {1.0, -1.0, 2.0, 0.5, -3.0, 4.0};
  static const double lambdas[3] = {1e-3, 0.7, 40.0};
  gsl_matrix_const_view g = gsl_matrix_const_view_array(gdata, 3, 3);
  gsl_matrix_const_view b = gsl_matrix_const_view_array(bdata, 3, 2);
  gsl_matrix *work = gsl_matrix_alloc(3, 3), *direct = gsl_matrix_alloc(3, 2);
  gsl_matrix *spectral = gsl_matrix_alloc(3, 2);
  ladsim__ridge_spectrum *sp;
  ck_assert_int_eq(ladsim__ridge_spectrum_alloc(3, 2, &sp), LADSIM_OK);
  gsl_matrix_memcpy(work, &g.matrix);
  ck_assert_int_eq(ladsim__ridge_spectrum_set(sp, work, &b.matrix), LADSIM_OK);
  for (size_t k = 0; k < 3; k++) {
    gsl_matrix_memcpy(work, &g.matrix);
    ck_assert_int_eq(ladsim__ridge_solve(work, &b.matrix, lambdas[k], direct),
                     LADSIM_OK);
    ladsim__ridge_spectrum_weights(sp, lambdas[k], spectral);
    for (size_t i = 0; i < 3; i++)
      for (size_t j = 0; j < 2; j++)
        ck_assert_double_eq_tol(gsl_matrix_get(spectral, i, j),
                                gsl_matrix_get(direct, i, j), 1e-12);
  }
  ladsim__ridge_spectrum_free(sp);
  gsl_matrix_free(work);
  gsl_matrix_free(direct);
  gsl_matrix_free(spectral);
}
END_TEST

START_TEST(test_normal_equations_centred)
{
  /* Rows z = (1,2), (3,0), (2,4) with targets 1, 0, 2, added in two
   * blocks. Means (2,2) and 1; centred rows (-1,0), (1,-2), (0,2) and
   * targets 0, -1, 1 give Z^T Z = [2 -2; -2 8] and Z^T y = (-1, 4). */
  static const double z1[4] = {1.0, 2.0, 3.0, 0.0}, y1[2] = {1.0, 0.0};
  static const double z2[2] = {2.0, 4.0}, y2[1] = {2.0};
  gsl_matrix_const_view a = gsl_matrix_const_view_array(z1, 2, 2);
  gsl_matrix_const_view ya = gsl_matrix_const_view_array(y1, 2, 1);
  gsl_matrix_const_view b = gsl_matrix_const_view_array(z2, 1, 2);
  gsl_matrix_const_view yb = gsl_matrix_const_view_array(y2, 1, 1);
  ladsim__ridge_normal *ne;
  ck_assert_int_eq(ladsim__ridge_normal_alloc(2, 1, &ne), LADSIM_OK);
  ladsim__ridge_normal_add(ne, &a.matrix, &ya.matrix);
  ladsim__ridge_normal_add(ne, &b.matrix, &yb.matrix);
  ladsim__ridge_normal_centre(ne);
  ck_assert_uint_eq(ne->count, 3);
  ck_assert_double_eq_tol(gsl_matrix_get(ne->gram, 0, 0), 2.0, TOL);
  ck_assert_double_eq_tol(gsl_matrix_get(ne->gram, 1, 0), -2.0, TOL);
  ck_assert_double_eq_tol(gsl_matrix_get(ne->gram, 1, 1), 8.0, TOL);
  ck_assert_double_eq_tol(gsl_matrix_get(ne->rhs, 0, 0), -1.0, TOL);
  ck_assert_double_eq_tol(gsl_matrix_get(ne->rhs, 1, 0), 4.0, TOL);
  ck_assert_double_eq_tol(gsl_vector_get(ne->zsum, 0), 2.0, TOL);
  ck_assert_double_eq_tol(gsl_vector_get(ne->ysum, 0), 1.0, TOL);
  /* lambda is relative to the mean eigenvalue, trace / dim = 5. */
  ck_assert_double_eq_tol(ladsim__ridge_lambda(ne->gram, 0.3), 1.5, TOL);
  ladsim__ridge_normal_free(ne);
  ladsim__ridge_normal_free(NULL);
}
END_TEST

START_TEST(test_grid_spans_range)
{
  ck_assert_double_eq_tol(ladsim__ridge_grid_alpha(0), 1e-6, 1e-18);
  ck_assert_double_eq_tol(ladsim__ridge_grid_alpha(LADSIM__RIDGE_GRID_SIZE - 1),
                          1e2, 1e-10);
  for (size_t k = 1; k < LADSIM__RIDGE_GRID_SIZE; k++)
    ck_assert_double_eq_tol(ladsim__ridge_grid_alpha(k) /
                                ladsim__ridge_grid_alpha(k - 1),
                            pow(10.0, 8.0 / (LADSIM__RIDGE_GRID_SIZE - 1)),
                            1e-9);
}
END_TEST

/* ---- the probe ------------------------------------------------------------- */

START_TEST(test_separable_clusters)
{
  enum { N_TRAIN = 300, N_TEST = 150 };
  double *x = xmalloc(N_TRAIN * 5 * sizeof *x), *xt = xmalloc(N_TEST * 5 * sizeof *xt);
  uint8_t y[N_TRAIN], yt[N_TEST];
  ladsim_probe_result res;
  clusters(0, N_TRAIN, x, y);
  clusters(1, N_TEST, xt, yt);
  ck_assert_int_eq(ladsim_probe_ridge(x, y, N_TRAIN, xt, yt, N_TEST, 5, 3, 0.2,
                                      SEED, &res),
                   LADSIM_OK);
  ck_assert_double_eq(res.accuracy, 1.0);
  ck_assert_double_eq(res.train_accuracy, 1.0);
  free(x);
  free(xt);
}
END_TEST

START_TEST(test_random_labels_at_chance)
{
  /* Test labels are drawn independently of everything the probe sees, so
   * each prediction is right with probability exactly 1/4 and the accuracy
   * is Binomial(2000, 1/4) / 2000: sd 0.0097. The tolerance 0.05 is over five
   * sd. 1500 training rows also cross a block boundary. */
  enum { N_TRAIN = 1500, N_TEST = 2000, DIM = 10 };
  double *x = xmalloc(N_TRAIN * DIM * sizeof *x);
  double *xt = xmalloc(N_TEST * DIM * sizeof *xt);
  uint8_t *y = xmalloc(N_TRAIN), *yt = xmalloc(N_TEST);
  ladsim_rng r;
  ladsim_probe_result res;
  ladsim_rng_init(&r, SEED, LADSIM_STREAM_SYNTH, 2, 0, 0);
  for (size_t i = 0; i < N_TRAIN * DIM; i++)
    x[i] = ladsim_rng_normal(&r);
  for (size_t i = 0; i < N_TEST * DIM; i++)
    xt[i] = ladsim_rng_normal(&r);
  for (size_t i = 0; i < N_TRAIN; i++)
    y[i] = (uint8_t)ladsim_rng_below(&r, 4);
  for (size_t i = 0; i < N_TEST; i++)
    yt[i] = (uint8_t)ladsim_rng_below(&r, 4);
  ck_assert_int_eq(ladsim_probe_ridge(x, y, N_TRAIN, xt, yt, N_TEST, DIM, 4,
                                      0.2, SEED, &res),
                   LADSIM_OK);
  ck_assert_double_eq_tol(res.accuracy, 0.25, 0.05);
  free(x);
  free(xt);
  free(y);
  free(yt);
}
END_TEST

START_TEST(test_boundary_by_symmetry)
{
  /* Two balanced classes at {100, 101} and {103, 104}: the data are
   * symmetric about 102, so the two class scores cross exactly there for
   * any lambda. Of the test points 101.9 (class 0), 102.1, 95 and 110 (all
   * labelled 1), 95 is on the wrong side: accuracy 3/4. */
  static const double x[4] = {100.0, 101.0, 103.0, 104.0};
  static const uint8_t y[4] = {0, 0, 1, 1};
  static const double xt[4] = {101.9, 102.1, 95.0, 110.0};
  static const uint8_t yt[4] = {0, 1, 1, 1};
  ladsim_probe_result res;
  ck_assert_int_eq(ladsim_probe_ridge(x, y, 4, xt, yt, 4, 1, 2, 0.0, SEED, &res),
                   LADSIM_OK);
  ck_assert_double_eq_tol(res.accuracy, 0.75, TOL);
  ck_assert_double_eq_tol(res.train_accuracy, 1.0, TOL);
}
END_TEST

START_TEST(test_fixed_alpha_without_validation)
{
  enum { N = 60 };
  double *x = xmalloc(N * 5 * sizeof *x);
  uint8_t y[N];
  ladsim_probe_result res;
  clusters(3, N, x, y);
  ck_assert_int_eq(ladsim_probe_ridge(x, y, N, x, y, N, 5, 3, 0.0, SEED, &res),
                   LADSIM_OK);
  ck_assert_double_eq(res.alpha, 1e-3);
  ck_assert_double_eq_tol(res.accuracy, res.train_accuracy, TOL);
  free(x);
}
END_TEST

START_TEST(test_alpha_from_grid_and_deterministic)
{
  enum { N = 400, DIM = 40 };
  double *x = xmalloc(N * DIM * sizeof *x);
  uint8_t y[N];
  ladsim_probe_result a, b;
  size_t k = 0;
  noisy_classes(SEED, 0, N, DIM, 2.0, x, y);
  ck_assert_int_eq(ladsim_probe_ridge(x, y, N, x, y, N, DIM, 2, 0.25, 7, &a),
                   LADSIM_OK);
  ck_assert_int_eq(ladsim_probe_ridge(x, y, N, x, y, N, DIM, 2, 0.25, 7, &b),
                   LADSIM_OK);
  while (k < LADSIM__RIDGE_GRID_SIZE && ladsim__ridge_grid_alpha(k) != a.alpha)
    k++;
  ck_assert_uint_lt(k, LADSIM__RIDGE_GRID_SIZE);
  ck_assert_double_eq(a.alpha, b.alpha);
  ck_assert_double_eq(a.accuracy, b.accuracy);
  free(x);
}
END_TEST

START_TEST(test_noisier_data_larger_alpha)
{
  /* The same two-class task with little and with much feature noise. With
   * little noise the validation part rewards fitting closely (all strengths
   * reach 100%, the squared error prefers weak shrinkage); with much noise
   * and 40 features on 300 fitting rows it rewards strong shrinkage. Over
   * ten seeds the clean choice never exceeded 0.023 and the noisy one never
   * fell below 0.12; three of them are checked here. */
  enum { N = 400, DIM = 40 };
  double *x = xmalloc(N * DIM * sizeof *x), *xt = xmalloc(N * DIM * sizeof *xt);
  uint8_t y[N], yt[N];
  for (uint64_t seed = 1; seed <= 3; seed++) {
    ladsim_probe_result clean, noisy;
    noisy_classes(seed, 0, N, DIM, 0.03, x, y);
    noisy_classes(seed, 1, N, DIM, 0.03, xt, yt);
    ck_assert_int_eq(ladsim_probe_ridge(x, y, N, xt, yt, N, DIM, 2, 0.25, seed,
                                        &clean),
                     LADSIM_OK);
    noisy_classes(seed, 0, N, DIM, 5.0, x, y);
    noisy_classes(seed, 1, N, DIM, 5.0, xt, yt);
    ck_assert_int_eq(ladsim_probe_ridge(x, y, N, xt, yt, N, DIM, 2, 0.25, seed,
                                        &noisy),
                     LADSIM_OK);
    ck_assert_double_gt(noisy.alpha, clean.alpha);
  }
  free(x);
  free(xt);
}
END_TEST

static void expect_probe_error(ladsim_status got, const char *fragment)
{
  ck_assert_int_eq(got, LADSIM_EINVAL);
  ck_assert_msg(strstr(ladsim_error_message(), fragment) != NULL,
                "message \"%s\" does not mention \"%s\"",
                ladsim_error_message(), fragment);
}

START_TEST(test_probe_rejects_bad_input)
{
  double x[8] = {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8};
  uint8_t y[4] = {0, 1, 0, 1}, bad[4] = {0, 1, 0, 5};
  ladsim_probe_result res;
  expect_probe_error(ladsim_probe_ridge(x, y, 1, x, y, 4, 2, 2, 0.0, 1, &res),
                     "at least 2 training samples");
  expect_probe_error(ladsim_probe_ridge(x, y, 4, x, y, 4, 0, 2, 0.0, 1, &res),
                     "dim = 0");
  expect_probe_error(ladsim_probe_ridge(x, bad, 4, x, y, 4, 2, 2, 0.0, 1, &res),
                     "training set: sample 3 has label 5");
  expect_probe_error(ladsim_probe_ridge(x, y, 4, x, bad, 4, 2, 2, 0.0, 1, &res),
                     "test set: sample 3 has label 5");
  expect_probe_error(ladsim_probe_ridge(x, y, 4, x, y, 4, 2, 2, 0.5, 1, &res),
                     "validation fraction is 0.5");
  expect_probe_error(ladsim_probe_ridge(x, y, 4, x, y, 4, 2, 2, NAN, 1, &res),
                     "validation fraction");
  expect_probe_error(ladsim_probe_ridge(x, y, 4, x, y, 4, 2, 0, 0.0, 1, &res),
                     "classes");
  expect_probe_error(ladsim_probe_ridge(x, y, 4, x, y, 4, 2, 2, 0.0, 1, NULL),
                     "NULL");
  x[5] = NAN;
  expect_probe_error(ladsim_probe_ridge(x, y, 4, x, y, 4, 2, 2, 0.0, 1, &res),
                     "sample 2, feature 1 is nan");
}
END_TEST

/* ---- representation statistics -------------------------------------------- */

/* x = [a, a, b] with a = 1 + w1 / 2 and b = 3 + 2 w2 (Walsh functions). In
 * units of the common factor, var a = 1/4, var b = 4, cov(a, b) = 0: the
 * eigenvalues are 1/2, 0 and 4, so PR = 4.5^2 / (4 * 1/16 + 16) = 81/65;
 * the correlations are 1, 0, 0, mean 1/3; the mean rate is 5/3. */
static void copies(size_t n, size_t dim, double *x)
{
  for (size_t i = 0; i < n; i++) {
    x[i * dim + 0] = x[i * dim + 1] = 1.0 + 0.5 * walsh(1, i);
    x[i * dim + 2] = 3.0 + 2.0 * walsh(2, i);
  }
}

START_TEST(test_stats_copies)
{
  /* 8 rows, and 313 periods (2504 rows) to cross block boundaries. */
  size_t n = _i == 0 ? 8 : 8 * 313;
  double *x = xmalloc(n * 3 * sizeof *x);
  ladsim_rep_stats st;
  copies(n, 3, x);
  ck_assert_int_eq(ladsim_rep_stats_compute(x, n, 3, 1e-6, &st), LADSIM_OK);
  ck_assert_double_eq_tol(st.mean_abs_corr, 1.0 / 3.0, TOL);
  ck_assert_double_eq_tol(st.participation_ratio, 81.0 / 65.0, TOL);
  ck_assert_double_eq_tol(st.dead_fraction, 0.0, TOL);
  ck_assert_double_eq_tol(st.mean_rate, 5.0 / 3.0, TOL);
  free(x);
}
END_TEST

START_TEST(test_stats_isotropic)
{
  /* Four orthogonal unit-variance units: covariance prop. to I, PR = 4. */
  static const unsigned bits[4] = {1, 2, 4, 3};
  double x[16 * 4];
  ladsim_rep_stats st;
  for (size_t i = 0; i < 16; i++)
    for (size_t j = 0; j < 4; j++)
      x[i * 4 + j] = 0.5 * (double)j + walsh(bits[j], i);
  ck_assert_int_eq(ladsim_rep_stats_compute(x, 16, 4, 0.0, &st), LADSIM_OK);
  ck_assert_double_eq_tol(st.participation_ratio, 4.0, TOL);
  ck_assert_double_eq_tol(st.mean_abs_corr, 0.0, TOL);
  ck_assert_double_eq_tol(st.mean_rate, 0.75, TOL);
}
END_TEST

START_TEST(test_stats_rank_one)
{
  /* x_ij = 3 + u_i c_j: covariance var(u) c c^T has one eigenvalue, PR = 1,
   * and every pair is perfectly (anti-)correlated. mean(u) = 1, so the mean
   * rate is 3 + mean(c) = 3 - 1/6. */
  static const double c[3] = {1.0, -2.0, 0.5};
  double x[8 * 3];
  ladsim_rep_stats st;
  for (size_t i = 0; i < 8; i++)
    for (size_t j = 0; j < 3; j++)
      x[i * 3 + j] = 3.0 + (1.0 + 0.5 * walsh(1, i) + 0.25 * walsh(2, i)) * c[j];
  ck_assert_int_eq(ladsim_rep_stats_compute(x, 8, 3, 1e-6, &st), LADSIM_OK);
  ck_assert_double_eq_tol(st.participation_ratio, 1.0, TOL);
  ck_assert_double_eq_tol(st.mean_abs_corr, 1.0, TOL);
  ck_assert_double_eq_tol(st.mean_rate, 3.0 - 1.0 / 6.0, TOL);
}
END_TEST

START_TEST(test_stats_dead_units)
{
  /* [a, a, b] plus a silent unit and one that stays at +-tol (dead: the
   * bound is inclusive). Both are left out of the correlation mean; they
   * add nothing (or ~1e-12 relative) to the covariance. */
  const double tol = 1e-6;
  double x[8 * 5];
  ladsim_rep_stats st;
  copies(8, 5, x);
  for (size_t i = 0; i < 8; i++) {
    x[i * 5 + 3] = 0.0;
    x[i * 5 + 4] = tol * walsh(4, i);
  }
  ck_assert_int_eq(ladsim_rep_stats_compute(x, 8, 5, tol, &st), LADSIM_OK);
  ck_assert_double_eq_tol(st.dead_fraction, 2.0 / 5.0, TOL);
  ck_assert_double_eq_tol(st.mean_abs_corr, 1.0 / 3.0, TOL);
  ck_assert_double_eq_tol(st.participation_ratio, 81.0 / 65.0, 1e-9);
  ck_assert_double_eq_tol(st.mean_rate, 1.0, TOL);
  /* With a smaller tolerance the +-tol unit is live, uncorrelated with the
   * others: pairs (a,a)=1 and five zeros among six. */
  ck_assert_int_eq(ladsim_rep_stats_compute(x, 8, 5, 0.5 * tol, &st), LADSIM_OK);
  ck_assert_double_eq_tol(st.dead_fraction, 1.0 / 5.0, TOL);
  ck_assert_double_eq_tol(st.mean_abs_corr, 1.0 / 6.0, TOL);
}
END_TEST

START_TEST(test_stats_constant_live_unit)
{
  /* A unit stuck at 7.1 is live but has no correlation: it leaves the mean
   * |corr| and the PR alone and only moves the mean rate. (Eight times 7.1
   * summed and divided by 8 is not 7.1 in floating point: a sloppy mean
   * would leave a tiny constant that looks like a unit with variance.) */
  double x[8 * 4];
  ladsim_rep_stats st;
  copies(8, 4, x);
  for (size_t i = 0; i < 8; i++)
    x[i * 4 + 3] = 7.1;
  ck_assert_int_eq(ladsim_rep_stats_compute(x, 8, 4, 1e-6, &st), LADSIM_OK);
  ck_assert_double_eq_tol(st.dead_fraction, 0.0, TOL);
  ck_assert_double_eq_tol(st.mean_abs_corr, 1.0 / 3.0, TOL);
  ck_assert_double_eq_tol(st.participation_ratio, 81.0 / 65.0, TOL);
  ck_assert_double_eq_tol(st.mean_rate, 12.1 / 4.0, TOL);
}
END_TEST

START_TEST(test_stats_reject_bad_input)
{
  double x[6] = {1.0, 2.0, 3.0, 4.0, 5.0, 6.0};
  ladsim_rep_stats st;
  expect_probe_error(ladsim_rep_stats_compute(x, 1, 3, 0.0, &st),
                     "at least 2 samples");
  expect_probe_error(ladsim_rep_stats_compute(x, 2, 0, 0.0, &st), "dim = 0");
  expect_probe_error(ladsim_rep_stats_compute(x, 2, 3, -1.0, &st),
                     "tolerance");
  expect_probe_error(ladsim_rep_stats_compute(x, 2, 3, 0.0, NULL), "NULL");
  x[4] = INFINITY;
  expect_probe_error(ladsim_rep_stats_compute(x, 2, 3, 0.0, &st),
                     "sample 1, feature 1 is inf");
}
END_TEST

static Suite *probe_suite(void)
{
  Suite *suite = suite_create("probe");
  TCase *tc = tcase_create("ridge");
  tcase_add_test(tc, test_solve_hand_2x2);
  tcase_add_test(tc, test_spectrum_matches_solve);
  tcase_add_test(tc, test_normal_equations_centred);
  tcase_add_test(tc, test_grid_spans_range);
  suite_add_tcase(suite, tc);
  tc = tcase_create("probe");
  tcase_add_test(tc, test_separable_clusters);
  tcase_add_test(tc, test_random_labels_at_chance);
  tcase_add_test(tc, test_boundary_by_symmetry);
  tcase_add_test(tc, test_fixed_alpha_without_validation);
  tcase_add_test(tc, test_alpha_from_grid_and_deterministic);
  tcase_add_test(tc, test_noisier_data_larger_alpha);
  tcase_add_test(tc, test_probe_rejects_bad_input);
  suite_add_tcase(suite, tc);
  tc = tcase_create("repstats");
  tcase_add_loop_test(tc, test_stats_copies, 0, 2);
  tcase_add_test(tc, test_stats_isotropic);
  tcase_add_test(tc, test_stats_rank_one);
  tcase_add_test(tc, test_stats_dead_units);
  tcase_add_test(tc, test_stats_constant_live_unit);
  tcase_add_test(tc, test_stats_reject_bad_input);
  suite_add_tcase(suite, tc);
  return suite;
}

int main(void)
{
  SRunner *runner = srunner_create(probe_suite());
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
