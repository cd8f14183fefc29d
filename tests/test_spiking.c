/* test_spiking.c: spiking populations end to end: SONATA spikes read back, exactness across resolutions. */
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
#include "network/network.h"

/* A small CUBA-like network: driven above threshold by its resting
 * potential, coupled by sparse excitation and inhibition. */
static const char model_fmt[] =
  "simulation: {resolution: %s, min_delay: 0.2 ms, duration: %s, seed: 5}\n"
  "input: {dataset: none}\n"
  "layers:\n"
  "  - {name: exc, neuron: lif, size: 160, from: none, learn: false,\n"
  "     lif: {e_rest: -49 mV, t_ref: 2 ms}}\n"
  "  - {name: inh, neuron: lif, size: 40, from: none, learn: false,\n"
  "     lif: {e_rest: -49 mV, t_ref: 2 ms}}\n"
  "projections:\n"
  "  - {from: exc, to: exc, probability: 0.1, weight: 1.2 mV, delay: 0.4 ms}\n"
  "  - {from: exc, to: inh, probability: 0.1, weight: 1.2 mV, delay: 0.4 ms}\n"
  "  - {from: inh, to: exc, rule: indegree, indegree: 4, weight: -6 mV, delay: 0.6 ms}\n"
  "  - {from: inh, to: inh, rule: indegree, indegree: 4, weight: -6 mV, delay: 0.6 ms}\n"
  "record: {metrics: 0 ms, weights: none, spikes: all}\n";

static ladsim_model *model(const char *resolution, const char *duration)
{
  char text[2048];
  snprintf(text, sizeof text, model_fmt, resolution, duration);
  ladsim_model *m;
  ladsim_status st = ladsim_model_parse(text, "spiking.yaml", NULL, 0, &m);
  ck_assert_msg(st == LADSIM_OK, "%s", ladsim_error_message());
  return m;
}

typedef struct {
  size_t n;
  double t[20000];
  uint32_t id[20000];
} spikes;

/* Steps the network of m directly and keeps the spikes of population p. */
static void simulate(const ladsim_model *m, size_t pop, spikes *out)
{
  ladsim_network *net;
  ck_assert_int_eq(ladsim_network_alloc(m, 0, MPI_COMM_NULL, &net), LADSIM_OK);
  int64_t steps = (int64_t)llround(m->simulation.duration / m->simulation.resolution);
  out->n = 0;
  for (int64_t k = 0; k < steps; k++) {
    ck_assert_int_eq(ladsim_network_step(net, false), LADSIM_OK);
    const ladsim_population *p = net->pops[pop];
    for (size_t s = 0; s < p->n_spikes && out->n < 20000; s++) {
      out->t[out->n] = (double)k * m->simulation.resolution + p->spike_offsets[s];
      out->id[out->n++] = p->spike_ids[s];
    }
  }
  ladsim_network_free(net);
}

static double *read_1d(hid_t f, const char *path, hid_t type, size_t *n)
{
  int rank;
  hsize_t dims[3];
  double *buf = ladsim_test_read(f, path, type, &rank, dims);
  ck_assert_int_eq(rank, 1);
  *n = (size_t)dims[0];
  return buf;
}

START_TEST(test_file_holds_the_simulated_spikes)
{
  ladsim_model *m = model("0.1 ms", "300 ms");
  char path[] = "/tmp/ladsim-spiking-XXXXXX";
  int fd = mkstemp(path);
  ck_assert_int_ge(fd, 0);
  close(fd);
  remove(path);
  ladsim_sim *s;
  ladsim_output *o;
  ck_assert_int_eq(ladsim_sim_create(MPI_COMM_WORLD, m, &s), LADSIM_OK);
  ck_assert_int_eq(ladsim_output_create(MPI_COMM_WORLD, path, false, &o), LADSIM_OK);
  ck_assert_int_eq(ladsim_sim_run(s, o), LADSIM_OK);
  ck_assert_int_eq(ladsim_output_commit(o), LADSIM_OK);
  ladsim_sim_free(s);

  static spikes want;
  simulate(m, 0, &want);
  ck_assert_uint_gt(want.n, 200);   /* the network is active */
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  ck_assert_int_ge(f, 0);
  size_t nt, ni;
  double *t = read_1d(f, "/spikes/exc/timestamps", H5T_NATIVE_DOUBLE, &nt);
  uint64_t *id = (uint64_t *)read_1d(f, "/spikes/exc/node_ids", H5T_NATIVE_UINT64, &ni);
  ck_assert_uint_eq(nt, want.n);
  ck_assert_uint_eq(ni, want.n);
  for (size_t k = 0; k < nt; k++) {
    ck_assert_double_eq(t[k], want.t[k]);
    ck_assert_uint_eq(id[k], want.id[k]);
    if (k > 0)   /* SONATA by_time: sorted by time, then id */
      ck_assert(t[k] > t[k - 1] || (t[k] == t[k - 1] && id[k] > id[k - 1]));
  }
  hid_t d = H5Dopen2(f, "/spikes/exc/timestamps", H5P_DEFAULT);
  hid_t a = H5Aopen(d, "units", H5P_DEFAULT);
  ck_assert_int_ge(a, 0);
  H5Aclose(a);
  H5Dclose(d);
  free(t);
  free(id);
  H5Fclose(f);
  remove(path);
  ladsim_model_free(m);
}
END_TEST

/* Exact integration with off-grid spikes: halving the resolution (same
 * delays) leaves the spike times unchanged to rounding, until the first
 * rounding difference flips a threshold decision in the recurrent network. */
START_TEST(test_spike_times_independent_of_resolution)
{
  ladsim_model *coarse = model("0.1 ms", "40 ms"), *fine = model("0.02 ms", "40 ms");
  static spikes a, b;
  simulate(coarse, 0, &a);
  simulate(fine, 0, &b);
  ck_assert_uint_gt(a.n, 40);
  ck_assert_uint_ge(b.n, 40);
  size_t off_grid = 0;
  for (size_t k = 0; k < 40; k++) {
    ck_assert_uint_eq(a.id[k], b.id[k]);
    ck_assert_msg(fabs(a.t[k] - b.t[k]) < 1e-6, "spike %zu: %.12f ms at 0.1 ms, %.12f ms at 0.02 ms",
                  k, a.t[k], b.t[k]);
    off_grid += fabs(a.t[k] - round(a.t[k] / 0.1) * 0.1) > 1e-9;
  }
  ck_assert_uint_ge(off_grid, 36);   /* spike times are not step multiples */
  ladsim_model_free(coarse);
  ladsim_model_free(fine);
}
END_TEST

/* The same seed gives the same spikes; connectivity and initial potentials
 * follow the seed. */
START_TEST(test_seed_reproducible)
{
  ladsim_model *m = model("0.1 ms", "50 ms");
  static spikes a, b;
  simulate(m, 1, &a);
  simulate(m, 1, &b);
  ck_assert_uint_eq(a.n, b.n);
  ck_assert_int_eq(memcmp(a.t, b.t, a.n * sizeof(double)), 0);
  m->simulation.seed = 6;
  simulate(m, 1, &b);
  ck_assert(a.n != b.n || memcmp(a.t, b.t, a.n * sizeof(double)) != 0);
  ladsim_model_free(m);
}
END_TEST

int main(int argc, char **argv)
{
  Suite *s = suite_create("spiking");
  TCase *tc = tcase_create("network");
  tcase_add_test(tc, test_file_holds_the_simulated_spikes);
  tcase_add_test(tc, test_spike_times_independent_of_resolution);
  tcase_add_test(tc, test_seed_reproducible);
  tcase_set_timeout(tc, 120);
  suite_add_tcase(s, tc);
  return ladsim_test_run_mpi(argc, argv, s);
}
