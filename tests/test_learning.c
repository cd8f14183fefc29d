/* test_learning.c: the predictor, the adversarial term, the rank-one shortcut and update, the event queue. */
#include "config.h"
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_linalg.h>
#include <gsl/gsl_matrix.h>
#include <ladsim/probe.h>
#include "core/linalg.h"
#include "core/rng.h"
#include "learning/rule.h"
#include "network/event.h"
#include "network/layer.h"

static ladsim_learning_spec learning_defaults(void)
{
  ladsim_learning_spec s;
  memset(&s, 0, sizeof s);
  s.eta = 0.05;
  s.plasticity = LADSIM_PLAST_CONTINUOUS;
  s.decorrelation = LADSIM_DECOR_ADVERSARIAL;
  s.adv_form = LADSIM_ADV_PREDICTION;
  s.adv_weight = 1.0;
  s.eta_predictor = 0.05;
  s.pairwise_weight = 1.0;
  s.pairwise_tau = 1000.0;
  s.inv_weight = 0.0;
  s.inv_tau = 20.0;
  s.sig_weight = 0.0;
  s.sig_tau = 2000.0;
  s.target.type = ladsim_target_gaussian;
  s.target.p[0] = 0.0;
  s.target.p[1] = 1.0;
  s.sig_knots = 17;
  s.sig_tmax = 3.0;
  return s;
}

/* z = mu + L g with g standard normal: a correlated Gaussian vector. */
enum { NP = 4 };
static const double mu[NP] = {0.5, -0.2, 1.0, 0.3};
static const double L[NP][NP] = {{1.0, 0, 0, 0}, {0.6, 0.8, 0, 0},
                                 {-0.4, 0.3, 0.7, 0}, {0.2, 0.5, -0.3, 0.6}};

static void draw(ladsim_rng *r, double *z)
{
  double g[NP];
  for (int i = 0; i < NP; i++)
    g[i] = ladsim_rng_normal(r);
  for (int i = 0; i < NP; i++) {
    z[i] = mu[i];
    for (int j = 0; j <= i; j++)
      z[i] += L[i][j] * g[j];
  }
}

/* The least-squares weights of z_i on the others: Sigma_{-i,-i}^{-1} Sigma_{-i,i}. */
static void least_squares(int i, double *beta, double *c)
{
  double S[NP][NP];
  for (int a = 0; a < NP; a++)
    for (int b = 0; b < NP; b++) {
      S[a][b] = 0;
      for (int k = 0; k < NP; k++)
        S[a][b] += L[a][k] * L[b][k];
    }
  gsl_matrix *A = gsl_matrix_alloc(NP - 1, NP - 1);
  gsl_vector *rhs = gsl_vector_alloc(NP - 1), *x = gsl_vector_alloc(NP - 1);
  int idx[NP - 1], m = 0;
  for (int j = 0; j < NP; j++)
    if (j != i)
      idx[m++] = j;
  for (int a = 0; a < NP - 1; a++) {
    gsl_vector_set(rhs, a, S[idx[a]][i]);
    for (int b = 0; b < NP - 1; b++)
      gsl_matrix_set(A, a, b, S[idx[a]][idx[b]]);
  }
  gsl_linalg_cholesky_decomp1(A);
  gsl_linalg_cholesky_solve(A, rhs, x);
  *c = mu[i];
  for (int j = 0; j < NP; j++)
    beta[j] = 0.0;
  for (int a = 0; a < NP - 1; a++) {
    beta[idx[a]] = gsl_vector_get(x, a);
    *c -= beta[idx[a]] * mu[idx[a]];
  }
  gsl_matrix_free(A);
  gsl_vector_free(rhs);
  gsl_vector_free(x);
}

START_TEST(test_predictor_least_squares)
{
  ladsim_learning_spec spec = learning_defaults();
  spec.eta_predictor = 0.004;
  ladsim_rule *r;
  /* h = T, so the predictor's step is eta_P itself. */
  ck_assert_int_eq(ladsim_rule_alloc(&spec, NP, 1, 1.0, 1.0, false, &r), LADSIM_OK);
  ladsim_rng rng;
  ladsim_rng_init(&rng, 7, 99, 0, 0, 0);
  double z[NP], fp[NP] = {0};
  for (int t = 0; t < 400000; t++) {
    if (t == 200000)  /* annealing the rate averages out the LMS noise */
      r->k_p = 0.0005;
    draw(&rng, z);
    ladsim_rule_signals(r, z, fp);
  }
  for (int i = 0; i < NP; i++) {
    double beta[NP], c;
    least_squares(i, beta, &c);
    ck_assert_double_eq(r->P[i * NP + i], 0.0);
    for (int j = 0; j < NP; j++)
      ck_assert_double_eq_tol(r->P[i * NP + j], beta[j], 0.03);
    ck_assert_double_eq_tol(r->c[i], c, 0.03);
  }
  /* With fp = 0 nothing flows to the weights. */
  for (int i = 0; i < NP; i++)
    ck_assert_double_eq(r->m[i], 0.0);
  ladsim_rule_free(r);
}
END_TEST

/* A predictor with a delay of d steps sees z(t - d). */
START_TEST(test_predictor_delay)
{
  ladsim_learning_spec spec = learning_defaults();
  spec.eta_predictor = 0.0;
  spec.predictor_delay = 3.0;
  ladsim_rule *r;
  ck_assert_int_eq(ladsim_rule_alloc(&spec, 2, 1, 1.0, 1.0, false, &r), LADSIM_OK);
  r->P[0 * 2 + 1] = 1.0;   /* zhat_0 = z_1(t - 3) */
  double fp[2] = {0, 0};
  for (int t = 0; t < 10; t++) {
    double z[2] = {0.0, (double)t + 1.0};
    ladsim_rule_signals(r, z, fp);
    double expect = t >= 3 ? (double)(t - 3) + 1.0 : 0.0;
    ck_assert_double_eq_tol(r->zhat[0], expect, 1e-15);
  }
  ladsim_rule_free(r);
}
END_TEST

static ladsim_layer_spec layer_spec(size_t n, ladsim_activation act)
{
  ladsim_layer_spec s;
  memset(&s, 0, sizeof s);
  snprintf(s.name, sizeof s.name, "hidden");
  s.neuron = LADSIM_NEURON_RATE;
  s.size = n;
  s.tau = 2.0;
  s.activation = act;
  snprintf(s.from, sizeof s.from, "input");
  s.init_std = 1.0;
  s.learn = true;
  s.learning = learning_defaults();
  return s;
}

/* The rank-one shortcut for a constant stimulus gives the W that applying
 * each step's update to W directly gives. */
START_TEST(test_rank_one_shortcut)
{
  ladsim_layer_spec spec = layer_spec(6, LADSIM_ACT_TANH);
  spec.learning.sig_weight = 0.7;
  spec.learning.inv_weight = 0.4;
  ladsim_layer *fast, *slow;
  ck_assert_int_eq(ladsim_layer_alloc(&spec, 0, 9, false, 0.5, 5.0, 11, MPI_COMM_NULL, &fast), LADSIM_OK);
  ck_assert_int_eq(ladsim_layer_alloc(&spec, 0, 9, true, 0.5, 5.0, 11, MPI_COMM_NULL, &slow), LADSIM_OK);
  ladsim_rng rng;
  ladsim_rng_init(&rng, 3, 5, 0, 0, 0);
  double x[9];
  for (int view = 0; view < 6; view++) {
    for (int j = 0; j < 9; j++)
      x[j] = ladsim_rng_uniform(&rng) * 2.0;
    ladsim_layer_view_begin(fast, x);
    ladsim_layer_view_begin(slow, x);
    for (int t = 0; t < 10; t++) {
      ck_assert_int_eq(ladsim_layer_step(fast, true), LADSIM_OK);
      ck_assert_int_eq(ladsim_layer_step(slow, true), LADSIM_OK);
      for (int i = 0; i < 6; i++)
        ck_assert_double_eq_tol(fast->z[i], slow->z[i], 1e-12);
    }
    ladsim_layer_view_end(fast, true);
    ladsim_layer_view_end(slow, true);
  }
  double moved = 0.0;
  for (int k = 0; k < 6 * 9; k++) {
    ck_assert_double_eq_tol(fast->W[k], slow->W[k], 1e-12);
    moved += fabs(fast->W[k]);
  }
  ck_assert(moved > 0.0);
  ladsim_layer_free(fast);
  ladsim_layer_free(slow);
}
END_TEST

/* The rank-one update gives each entry exactly a + (alpha u_i) x_j, one
 * multiply and one add, for row lengths that fill its vector blocks and
 * ones that leave a tail, and leaves a row with u_i = 0 alone (NaN there
 * would show a touch). */
START_TEST(test_rank_one_entries)
{
  ladsim_rng rng;
  ladsim_rng_init(&rng, 5, 9, 0, 0, 0);
  for (size_t cols = 1; cols <= 37; cols++) {
    double A[3 * 37], B[3 * 37], x[37], u[3] = {0.3, 0.0, -1.7}, alpha = 0.0123;
    for (size_t j = 0; j < cols; j++)
      x[j] = ladsim_rng_uniform(&rng) - 0.4;
    for (size_t k = 0; k < 3 * cols; k++)
      A[k] = B[k] = k / cols == 1 ? NAN : ladsim_rng_uniform(&rng) * 3.0;
    ladsim_rank_one(3, cols, alpha, u, x, A);
    for (size_t k = 0; k < 3 * cols; k++) {
      size_t i = k / cols, j = k % cols;
      if (i == 1)
        ck_assert(isnan(A[k]));
      else
        ck_assert(A[k] == B[k] + (alpha * u[i]) * x[j]);
    }
  }
}
END_TEST

/* Mean |correlation| of a layer's view means over a batch of inputs. */
static double layer_corr(ladsim_layer *l, const double *xs, size_t nx, size_t d)
{
  double *rep = malloc(nx * l->n * sizeof(double));
  for (size_t k = 0; k < nx; k++) {
    ladsim_layer_reset_state(l);
    ladsim_layer_view_begin(l, xs + k * d);
    for (int t = 0; t < 10; t++)
      ck_assert_int_eq(ladsim_layer_step(l, false), LADSIM_OK);
    ladsim_layer_view_mean(l, rep + k * l->n);
  }
  ladsim_rep_stats st;
  ck_assert_int_eq(ladsim_rep_stats_compute(rep, nx, l->n, 1e-9, &st), LADSIM_OK);
  free(rep);
  return st.mean_abs_corr;
}

/* Inputs with a strong common factor: x = s a + noise. */
static void correlated_inputs(double *xs, size_t nx, size_t d, uint64_t seed)
{
  ladsim_rng r;
  ladsim_rng_init(&r, seed, 1, 0, 0, 0);
  double a[64];
  for (size_t j = 0; j < d; j++)
    a[j] = 1.0 + 0.5 * ladsim_rng_normal(&r);
  for (size_t k = 0; k < nx; k++) {
    double s = ladsim_rng_normal(&r);
    for (size_t j = 0; j < d; j++)
      xs[k * d + j] = s * a[j] + 0.5 * ladsim_rng_normal(&r);
  }
}

/* Trains a layer of linear neurons kept at unit variance by SIGReg, with
 * and without the adversarial term; returns the final mean |correlation|. */
static double train_corr(double adv_weight)
{
  enum { N = 8, D = 16, NX = 400, VIEWS = 6000 };
  ladsim_layer_spec spec = layer_spec(N, LADSIM_ACT_LINEAR);
  spec.learning.adv_weight = adv_weight;
  spec.learning.sig_weight = 1.0;
  spec.learning.sig_tau = 200.0;
  spec.learning.eta = 0.002;
  spec.learning.eta_predictor = 0.5;   /* the predictor adapts faster than the neurons */
  ladsim_layer *l;
  ck_assert_int_eq(ladsim_layer_alloc(&spec, 0, D, false, 1.0, 10.0, 5, MPI_COMM_NULL, &l), LADSIM_OK);
  double *train = malloc(VIEWS * D * sizeof(double)), *test = malloc(NX * D * sizeof(double));
  correlated_inputs(train, VIEWS, D, 1);
  correlated_inputs(test, NX, D, 2);
  double before = layer_corr(l, test, NX, D);
  for (int v = 0; v < VIEWS; v++) {
    ladsim_layer_view_begin(l, train + (size_t)v * D);
    for (int t = 0; t < 10; t++)
      ck_assert_int_eq(ladsim_layer_step(l, true), LADSIM_OK);
    ladsim_layer_view_end(l, true);
  }
  double after = layer_corr(l, test, NX, D);
  ck_assert(before > 0.5);   /* the common factor makes the layer correlated */
  ladsim_layer_free(l);
  free(train);
  free(test);
  return after;
}

START_TEST(test_adversarial_decorrelates)
{
  /* SIGReg alone lets the common factor take over (about 0.8); the
   * adversary pushes the layer well below its initial correlation (0.59). */
  double with = train_corr(3.0), without = train_corr(0.0);
  ck_assert_msg(with < 0.6 * without && with < 0.49,
                "mean |corr| %.3f with the adversary, %.3f without", with, without);
}
END_TEST

START_TEST(test_event_order)
{
  ladsim_event_queue *q;
  ck_assert_int_eq(ladsim_event_queue_alloc(2, &q), LADSIM_OK);
  ladsim_event evs[] = {{5, LADSIM_EV_END, 0}, {5, LADSIM_EV_VIEW, 2},
                        {3, LADSIM_EV_RECORD, 0}, {5, LADSIM_EV_VIEW, 1},
                        {5, LADSIM_EV_RECORD, 0}, {0, LADSIM_EV_VIEW, 0}};
  for (size_t i = 0; i < 6; i++)
    ck_assert_int_eq(ladsim_event_queue_push(q, evs[i]), LADSIM_OK);
  ladsim_event want[] = {{0, LADSIM_EV_VIEW, 0}, {3, LADSIM_EV_RECORD, 0},
                         {5, LADSIM_EV_VIEW, 1}, {5, LADSIM_EV_VIEW, 2},
                         {5, LADSIM_EV_RECORD, 0}, {5, LADSIM_EV_END, 0}};
  ladsim_event ev;
  for (size_t i = 0; i < 6; i++) {
    ck_assert(ladsim_event_queue_pop(q, &ev));
    ck_assert_int_eq(ev.step, want[i].step);
    ck_assert_int_eq(ev.kind, want[i].kind);
    ck_assert_int_eq(ev.source, want[i].source);
  }
  ck_assert(!ladsim_event_queue_pop(q, &ev));
  ladsim_event_queue_free(q);
}
END_TEST

int main(void)
{
  Suite *s = suite_create("learning");
  TCase *tp = tcase_create("predictor");
  tcase_add_test(tp, test_predictor_least_squares);
  tcase_add_test(tp, test_predictor_delay);
  tcase_set_timeout(tp, 60);
  suite_add_tcase(s, tp);
  TCase *tl = tcase_create("layer");
  tcase_add_test(tl, test_rank_one_shortcut);
  tcase_add_test(tl, test_rank_one_entries);
  tcase_add_test(tl, test_adversarial_decorrelates);
  tcase_set_timeout(tl, 120);
  suite_add_tcase(s, tl);
  TCase *te = tcase_create("events");
  tcase_add_test(te, test_event_order);
  suite_add_tcase(s, te);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
