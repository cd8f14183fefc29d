/* test_spike_learning.c: LIF layers fed by Poisson input that learn with the rule. */
#include "config.h"
#include <check.h>
#include "check_mpi.h"
#include "h5check.h"
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <ladsim/ladsim.h>
#include <ladsim/probe.h>
#include "core/rng.h"
#include "network/network.h"

/* A lif layer of n neurons on d input units; rest below threshold, so the
 * layer fires only from its input. */
static const char model_fmt[] =
  "simulation: {resolution: %s, seed: 3}\n"
  "input:\n"
  "  dataset: {name: synthetic, classes: 3, side: 6, train_size: 48, test_size: 24, noise: 0.2}\n"
  "  views_per_sample: 2\n"
  "  view_duration: %s\n"
  "  max_rate: 200 Hz\n"
  "layers:\n"
  "  - name: hidden\n"
  "    neuron: lif\n"
  "    size: %d\n"
  "    init: {std: %g}\n"
  "    lif: {e_rest: -60 mV, v_reset: -60 mV, v_th: -50 mV, tau_m: 10 ms,\n"
  "          tau_exc: 5 ms, tau_inh: 5 ms, t_ref: 2 ms, tau_trace: 10 ms,\n"
  "          surrogate_beta: 0.5%s}\n"
  "    learn: %s\n"
  "    learning:\n"
  "      eta: %g\n"
  "      adversarial: {weight: %g, eta_predictor: %g}\n"
  "      invariance: {weight: 0}\n"
  "      sigreg: {weight: 1, tau: 200 ms, target: {exponential: {rate: 2}}}\n"
  "record: {metrics: 200 ms, weights: end}\n"
  "evaluate: {validation: 0.2}\n";

typedef struct {
  const char *resolution, *view, *lif_extra, *learn;
  int size;
  double std, eta, adv, eta_p;
} model_opts;

static model_opts default_opts(void)
{
  return (model_opts){"1 ms", "20 ms", "", "true", 10, 3.0, 0.5, 1.0, 0.05};
}

static ladsim_model *model(model_opts o)
{
  char text[4096];
  snprintf(text, sizeof text, model_fmt, o.resolution, o.view, o.size, o.std,
           o.lif_extra, o.learn, o.eta, o.adv, o.eta_p);
  ladsim_model *m;
  ladsim_status st = ladsim_model_parse(text, "spike_learning.yaml", NULL, 0, &m);
  ck_assert_msg(st == LADSIM_OK, "%s", ladsim_error_message());
  return m;
}

/* Runs one view of stimulus x through net; returns the layer's spike count. */
static size_t run_view(ladsim_network *net, const double *x, uint64_t view, int64_t steps,
                       bool learn)
{
  size_t spikes = 0;
  ck_assert_int_eq(ladsim_network_view_begin(net, x, view), LADSIM_OK);
  for (int64_t t = 0; t < steps; t++) {
    ck_assert_int_eq(ladsim_network_step(net, learn), LADSIM_OK);
    spikes += net->pops[0]->n_spikes;
  }
  ladsim_network_view_end(net, learn);
  return spikes;
}

static void fill(double *x, size_t d, double v)
{
  for (size_t j = 0; j < d; j++)
    x[j] = v;
}

/* The trains have the expected number of spikes, and a brighter image makes
 * the layer (all weights excitatory) fire more. */
START_TEST(test_poisson_input_reaches_layer)
{
  enum { D = 36, VIEWS = 40 };
  model_opts o = default_opts();
  o.learn = "false";
  ladsim_model *m = model(o);
  ladsim_network *net;
  ck_assert_int_eq(ladsim_network_alloc(m, D, MPI_COMM_NULL, &net), LADSIM_OK);
  ladsim_population *p = net->pops[0];
  ck_assert_ptr_nonnull(p->in);
  for (size_t k = 0; k < p->n * D; k++)
    p->in->W[k] = 1.2;
  double x[D];
  size_t fired[3] = {0, 0, 0}, inputs = 0;
  const double level[3] = {0.0, 0.25, 0.75};
  for (int c = 0; c < 3; c++) {
    fill(x, D, level[c]);
    for (uint64_t v = 0; v < VIEWS; v++) {
      fired[c] += run_view(net, x, v, 20, false);
      if (c == 2)
        inputs += p->in->n_spikes;
    }
  }
  /* 36 units at 150 Hz for 20 ms, 40 views: mean 4320, sd 66 */
  ck_assert_msg(fabs((double)inputs - 4320.0) < 4.0 * 66.0, "%zu input spikes", inputs);
  ck_assert_uint_eq(fired[0], 0);
  ck_assert_uint_gt(fired[1], 0);
  ck_assert_msg(fired[2] > 2 * fired[1], "spikes %zu at 0.25, %zu at 0.75", fired[1],
                fired[2]);
  ladsim_network_free(net);
  ladsim_model_free(m);
}
END_TEST

/* Input spikes are placed in their steps in time order, at offsets inside
 * the step, from the view's start. */
START_TEST(test_input_spikes_ordered)
{
  enum { D = 36 };
  model_opts o = default_opts();
  o.resolution = "0.5 ms";
  ladsim_model *m = model(o);
  ladsim_network *net;
  ck_assert_int_eq(ladsim_network_alloc(m, D, MPI_COMM_NULL, &net), LADSIM_OK);
  double x[D];
  fill(x, D, 0.6);
  ck_assert_int_eq(ladsim_network_view_begin(net, x, 9), LADSIM_OK);
  const ladsim_dense_input *in = net->pops[0]->in;
  ck_assert_uint_gt(in->n_spikes, 50);   /* 86 expected */
  for (size_t s = 0; s < in->n_spikes; s++) {
    const ladsim_input_spike *sp = &in->spikes[s];
    ck_assert_double_eq_tol(sp->step * 0.5 + sp->offset, sp->t, 1e-12);
    ck_assert(sp->offset >= 0.0 && sp->offset < 0.5);
    ck_assert_uint_lt(sp->step, 40);
    if (s > 0)
      ck_assert(sp->t > in->spikes[s - 1].t
                || (sp->t == in->spikes[s - 1].t && sp->id > in->spikes[s - 1].id));
  }
  ladsim_network_free(net);
  ladsim_model_free(m);
}
END_TEST

/* A reference neuron that gets every input spike through the exact path. */
typedef struct {
  ladsim_lif_state st;
  size_t fired;
} reference;

static void reference_step(const ladsim_population *p, reference *r, size_t i,
                           double *off, int *n_off)
{
  const ladsim_dense_input *in = p->in;
  static ladsim_lif_input inputs[4096];
  size_t m = 0;
  for (size_t e = in->next; e < in->n_spikes && in->spikes[e].step == in->view_step; e++)
    inputs[m++] = (ladsim_lif_input){in->spikes[e].offset,
                                     in->W[i * in->d + in->spikes[e].id]};
  *n_off = ladsim_lif_step(&p->prop, &r->st, inputs, m, off, 8);
  r->fired += (size_t)*n_off;
}

/* The superposition path gives the spikes and potentials of the exact path
 * with each input spike delivered on its own, for mixed-sign weights. */
START_TEST(test_dense_matches_exact_path)
{
  enum { D = 36, NREF = 4, VIEWS = 12, STEPS = 20 };
  model_opts o = default_opts();
  o.learn = "false";
  o.std = 4.0;
  ladsim_model *m = model(o);
  ladsim_network *net;
  ck_assert_int_eq(ladsim_network_alloc(m, D, MPI_COMM_NULL, &net), LADSIM_OK);
  ladsim_population *p = net->pops[0];
  reference ref[NREF];
  for (size_t i = 0; i < NREF; i++)
    ref[i] = (reference){{p->v[i], p->ge[i], p->gi[i], p->refr[i]}, 0};   /* scales are 1 */
  ladsim_rng r;
  ladsim_rng_init(&r, 1, 99, 0, 0, 0);
  double x[D];
  size_t total = 0, superposed = 0;
  for (uint64_t v = 0; v < VIEWS; v++) {
    for (size_t j = 0; j < D; j++)
      x[j] = ladsim_rng_uniform(&r);
    ck_assert_int_eq(ladsim_network_view_begin(net, x, v), LADSIM_OK);
    for (int t = 0; t < STEPS; t++) {
      double off[NREF][8];
      int n_off[NREF];
      for (size_t i = 0; i < NREF; i++)
        reference_step(p, &ref[i], i, off[i], &n_off[i]);
      ck_assert_int_eq(ladsim_network_step(net, false), LADSIM_OK);
      for (size_t i = 0; i < NREF; i++) {
        int k = 0;
        for (size_t s = 0; s < p->n_spikes; s++)
          if (p->spike_ids[s] == i) {
            ck_assert_int_lt(k, n_off[i]);
            ck_assert_double_eq_tol(p->spike_offsets[s], off[i][k], 1e-9);
            k++;
          }
        ck_assert_int_eq(k, n_off[i]);
        ladsim_lif_state now;
        ladsim_population_neuron(p, i, &now);
        ck_assert_double_eq_tol(now.v, ref[i].st.v, 1e-9);
        ck_assert_double_eq_tol(now.ge, ref[i].st.ge, 1e-9);
        ck_assert_double_eq_tol(now.gi, ref[i].st.gi, 1e-9);
        superposed += k == 0 && ref[i].st.refr <= 0.0;
      }
    }
    ladsim_network_view_end(net, false);
  }
  for (size_t i = 0; i < NREF; i++)
    total += ref[i].fired;
  ck_assert_msg(total >= 20, "the reference neurons fired only %zu times", total);
  ck_assert_uint_gt(superposed, 100);
  ladsim_network_free(net);
  ladsim_model_free(m);
}
END_TEST

/* Learning changes W, which stays finite. */
START_TEST(test_weights_learn)
{
  enum { D = 36 };
  ladsim_model *m = model(default_opts());
  ladsim_network *net;
  ck_assert_int_eq(ladsim_network_alloc(m, D, MPI_COMM_NULL, &net), LADSIM_OK);
  ladsim_population *p = net->pops[0];
  size_t nw = p->n * D;
  double *w0 = malloc(nw * sizeof(double));
  memcpy(w0, p->in->W, nw * sizeof(double));
  ladsim_rng r;
  ladsim_rng_init(&r, 2, 99, 0, 0, 0);
  double x[D];
  size_t fired = 0;
  for (uint64_t v = 0; v < 50; v++) {
    for (size_t j = 0; j < D; j++)
      x[j] = ladsim_rng_uniform(&r);
    fired += run_view(net, x, v, 20, true);
  }
  double moved = 0.0;
  for (size_t k = 0; k < nw; k++) {
    ck_assert(isfinite(p->in->W[k]));
    moved = fmax(moved, fabs(p->in->W[k] - w0[k]));
  }
  ck_assert_uint_gt(fired, 50);
  ck_assert_msg(moved > 1e-3, "largest weight change %g", moved);
  ck_assert_int_eq(ladsim_network_check_finite(net, 0.0), LADSIM_OK);
  free(w0);
  ladsim_network_free(net);
  ladsim_model_free(m);
}
END_TEST

/* Images with a strong common factor: x_j = clamp(s a_j + noise) with one
 * brightness s per image, so every neuron follows s. */
static void correlated_inputs(double *xs, size_t nx, size_t d, uint64_t seed)
{
  ladsim_rng r;
  ladsim_rng_init(&r, seed, 98, 0, 0, 0);
  double a[64];
  for (size_t j = 0; j < d; j++)
    a[j] = 0.5 + 0.5 * ladsim_rng_uniform(&r);
  for (size_t k = 0; k < nx; k++) {
    double s = ladsim_rng_uniform(&r);
    for (size_t j = 0; j < d; j++)
      xs[k * d + j] = fmin(1.0, fmax(0.0, s * a[j] + 0.15 * ladsim_rng_normal(&r)));
  }
}

/* Mean |correlation| of the layer's view-mean z over test images, each from
 * rest with its own evaluation trains. */
static double layer_corr(ladsim_network *net, const double *xs, size_t nx, size_t d)
{
  const ladsim_unit *u = &net->units[0];
  double *rep = malloc(nx * u->n * sizeof(double));
  for (size_t k = 0; k < nx; k++) {
    ladsim_network_reset_state(net);
    run_view(net, xs + k * d, 1000000 + k, 20, false);
    ladsim_unit_view_mean(u, rep + k * u->n);
  }
  ladsim_rep_stats st;
  ck_assert_int_eq(ladsim_rep_stats_compute(rep, nx, u->n, 1e-9, &st), LADSIM_OK);
  free(rep);
  return st.mean_abs_corr;
}

static double train_corr(double adv, double *before)
{
  enum { D = 36, NX = 200, VIEWS = 1500 };
  model_opts o = default_opts();
  o.adv = adv;
  ladsim_model *m = model(o);
  ladsim_network *net;
  ck_assert_int_eq(ladsim_network_alloc(m, D, MPI_COMM_NULL, &net), LADSIM_OK);
  double *train = malloc(VIEWS * D * sizeof(double)), *test = malloc(NX * D * sizeof(double));
  correlated_inputs(train, VIEWS, D, 1);
  correlated_inputs(test, NX, D, 2);
  *before = layer_corr(net, test, NX, D);
  for (uint64_t v = 0; v < VIEWS; v++)
    run_view(net, train + v * D, v, 20, true);
  double after = layer_corr(net, test, NX, D);
  free(train);
  free(test);
  ladsim_network_free(net);
  ladsim_model_free(m);
  return after;
}

/* With the common factor the layer correlates as it learns without the
 * adversary; a strong adversary (weight 10) keeps it well below that. */
START_TEST(test_adversarial_decorrelates)
{
  double b1, b0;
  double with = train_corr(10.0, &b1), without = train_corr(0.0, &b0);
  fprintf(stderr, "spiking |corr|: before %.3f, adversary %.3f, without %.3f\n", b1, with,
          without);
  ck_assert_double_eq(b1, b0);   /* the same network before learning */
  /* without the adversary SIGReg and the common factor correlate the layer */
  ck_assert_msg(without > b0 + 0.1, "mean |corr| %.3f at init, %.3f without", b0, without);
  ck_assert_msg(with < 0.6 * without, "mean |corr| %.3f with the adversary, %.3f without",
                with, without);
}
END_TEST

/* Current coding and centred (negative) pixels are refused with a message. */
START_TEST(test_unsupported_input)
{
  model_opts o = default_opts();
  o.lif_extra = ", coding: current";
  ladsim_model *m = model(o);
  ladsim_network *net;
  ck_assert_int_eq(ladsim_network_alloc(m, 36, MPI_COMM_NULL, &net), LADSIM_ECONFIG);
  ck_assert_ptr_null(net);
  ck_assert_ptr_nonnull(strstr(ladsim_error_message(), "coding: poisson"));
  ladsim_model_free(m);
  m = model(default_opts());
  m->input.center = true;
  ck_assert_int_eq(ladsim_network_alloc(m, 36, MPI_COMM_NULL, &net), LADSIM_ECONFIG);
  ck_assert_ptr_nonnull(strstr(ladsim_error_message(), "input.center: false"));
  ladsim_model_free(m);
}
END_TEST

static double *read_all(hid_t f, const char *path, int *rank, hsize_t dims[3])
{
  return ladsim_test_read(f, path, H5T_NATIVE_DOUBLE, rank, dims);
}

/* A whole run on synthetic images writes weights, metrics and the probe;
 * the weights reload into a fresh simulation that evaluates to the same. */
START_TEST(test_run_writes_and_reloads)
{
  char path[] = "/tmp/ladsim-spikelearn-XXXXXX";
  int fd = mkstemp(path);
  ck_assert_int_ge(fd, 0);
  close(fd);
  ladsim_model *m = model(default_opts());
  ladsim_sim *s;
  ladsim_output *o;
  ladsim_report rep, again;
  ck_assert_int_eq(ladsim_sim_create(MPI_COMM_WORLD, m, &s), LADSIM_OK);
  ck_assert_int_eq(ladsim_output_create(MPI_COMM_WORLD, path, true, &o), LADSIM_OK);
  ck_assert_int_eq(ladsim_sim_run(s, o), LADSIM_OK);
  ck_assert_int_eq(ladsim_sim_evaluate(s, o, &rep), LADSIM_OK);
  ck_assert_int_eq(ladsim_output_commit(o), LADSIM_OK);
  ladsim_sim_free(s);
  ck_assert_uint_eq(rep.n_layers, 1);
  ck_assert_str_eq(rep.layers[0].name, "hidden");
  ck_assert(rep.layers[0].mean_rate > 0.0);
  ck_assert(rep.layers[0].accuracy > 1.0 / 3.0);

  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  ck_assert_int_ge(f, 0);
  int rank;
  hsize_t dims[3];
  double *w = read_all(f, "/weights/hidden/W", &rank, dims);
  ck_assert_int_eq(rank, 3);
  ck_assert_uint_eq(dims[0], 2);   /* at the start and at the end */
  ck_assert_uint_eq(dims[1], 10);
  ck_assert_uint_eq(dims[2], 36);
  double moved = 0.0;
  for (size_t k = 0; k < 360; k++)
    moved += fabs(w[360 + k] - w[k]);
  ck_assert(moved > 0.0);
  ck_assert(H5Lexists(f, "/weights/hidden/b", H5P_DEFAULT) == 0);   /* no bias */
  free(w);
  double *corr = read_all(f, "/metrics/hidden/mean_abs_corr", &rank, dims);
  ck_assert_uint_ge(dims[0], 2);
  ck_assert(isfinite(corr[dims[0] - 1]));
  free(corr);
  double *acc = read_all(f, "/probe/hidden/accuracy", &rank, dims);
  ck_assert_double_eq(acc[0], rep.layers[0].accuracy);
  free(acc);
  H5Fclose(f);

  ladsim_input_file *in;
  ck_assert_int_eq(ladsim_input_file_open(path, &in), LADSIM_OK);
  ck_assert_int_eq(ladsim_sim_create(MPI_COMM_WORLD, m, &s), LADSIM_OK);
  ck_assert_int_eq(ladsim_sim_load_weights(s, in), LADSIM_OK);
  ck_assert_int_eq(ladsim_sim_evaluate(s, NULL, &again), LADSIM_OK);
  ck_assert_double_eq(again.layers[0].accuracy, rep.layers[0].accuracy);
  ck_assert_double_eq(again.layers[0].init_accuracy, rep.layers[0].init_accuracy);
  ck_assert_double_eq_tol(again.layers[0].mean_abs_corr, rep.layers[0].mean_abs_corr, 1e-12);
  ladsim_sim_free(s);
  ladsim_input_file_close(in);
  remove(path);
  ladsim_model_free(m);
}
END_TEST

int main(int argc, char **argv)
{
  Suite *s = suite_create("spike_learning");
  TCase *ti = tcase_create("input");
  tcase_add_test(ti, test_poisson_input_reaches_layer);
  tcase_add_test(ti, test_input_spikes_ordered);
  tcase_add_test(ti, test_dense_matches_exact_path);
  tcase_add_test(ti, test_unsupported_input);
  suite_add_tcase(s, ti);
  TCase *tl = tcase_create("learning");
  tcase_add_test(tl, test_weights_learn);
  tcase_add_test(tl, test_adversarial_decorrelates);
  tcase_set_timeout(tl, 120);
  suite_add_tcase(s, tl);
  TCase *te = tcase_create("run");
  tcase_add_test(te, test_run_writes_and_reloads);
  tcase_set_timeout(te, 120);
  suite_add_tcase(s, te);
  return ladsim_test_run_mpi(argc, argv, s);
}
