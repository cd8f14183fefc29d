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
#include "network/population.h"
#include "network/projection.h"

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

/* Queues spike e of a fixed list for population p: spikes of four sources,
 * two at one offset, with weights of both signs, each to a few targets. */
static void queue_spike(ladsim_population *p, size_t e, bool one_by_one, bool backwards)
{
  static const uint32_t targets[] = {3, 17, 40, 41, 99, 120, 155, 3, 17, 60};
  static const struct { uint32_t source; double offset, weight; size_t first, n; } sp[] = {
    {7, 0.03, 1.2, 0, 5}, {2, 0.03, -6.0, 2, 6}, {9, 0.0, 1500.0, 5, 5}, {4, 0.071, 900.0, 0, 10}};
  double dv, dg;
  ladsim_lif_input_effect(&p->prop, sp[e].offset, sp[e].weight, &dv, &dg);
  if (!one_by_one) {
    ck_assert_int_eq(ladsim_population_receive_row(p, 0, targets + sp[e].first, sp[e].n,
                                                   sp[e].source, sp[e].offset,
                                                   sp[e].weight, dv, dg), LADSIM_OK);
    return;
  }
  for (size_t c = 0; c < sp[e].n; c++) {
    size_t at = sp[e].first + (backwards ? sp[e].n - 1 - c : c);
    ck_assert_int_eq(ladsim_population_receive(p, 0, targets[at], sp[e].source, sp[e].offset,
                                               sp[e].weight, dv, dg), LADSIM_OK);
  }
}

/* A step of population 0 after the spikes were queued in one of three
 * ways; its state and spikes go to *out. */
static void step_after(const ladsim_model *m, int way, ladsim_population *out,
                       double *state)
{
  ladsim_network *net;
  ck_assert_int_eq(ladsim_network_alloc(m, 0, MPI_COMM_NULL, &net), LADSIM_OK);
  ladsim_population *p = net->pops[0];
  for (size_t e = 0; e < 4; e++)
    queue_spike(p, way == 2 ? 3 - e : e, way != 0, way == 2);
  ck_assert_int_eq(ladsim_population_step(p, 0), LADSIM_OK);
  ck_assert_uint_ge(p->n_spikes, 2);   /* the strong inputs make neurons fire */
  for (size_t i = 0; i < p->n; i++) {
    ladsim_lif_state st;
    ladsim_population_neuron(p, i, &st);
    state[4 * i] = st.v;
    state[4 * i + 1] = st.ge;
    state[4 * i + 2] = st.gi;
    state[4 * i + 3] = st.refr;
  }
  out->n_spikes = p->n_spikes;
  memcpy(out->spike_ids, p->spike_ids, p->n_spikes * sizeof *p->spike_ids);
  memcpy(out->spike_offsets, p->spike_offsets, p->n_spikes * sizeof *p->spike_offsets);
  ladsim_network_free(net);
}

/* The spikes of a step are applied in one canonical order: queued all at
 * once per spike, target by target, or in the reverse order, they leave
 * the same state and the same spikes, bit for bit. */
START_TEST(test_delivery_order_does_not_matter)
{
  ladsim_model *m = model("0.1 ms", "1 ms");
  static double state[3][4 * 160];
  uint32_t ids[3][64];
  double offs[3][64];
  ladsim_population got[3];
  for (int way = 0; way < 3; way++) {
    got[way].spike_ids = ids[way];
    got[way].spike_offsets = offs[way];
    step_after(m, way, &got[way], state[way]);
  }
  for (int way = 1; way < 3; way++) {
    ck_assert_int_eq(memcmp(state[0], state[way], sizeof state[0]), 0);
    ck_assert_uint_eq(got[0].n_spikes, got[way].n_spikes);
    ck_assert_int_eq(memcmp(ids[0], ids[way], got[0].n_spikes * sizeof ids[0][0]), 0);
    ck_assert_int_eq(memcmp(offs[0], offs[way], got[0].n_spikes * sizeof offs[0][0]), 0);
  }
  ladsim_model_free(m);
}
END_TEST

/* The input currents are held in a frame that decays with them and is
 * scaled back every few thousand steps (population.h). Over 9000 steps of
 * 0.1 ms, through two scale-backs of g_e and one of g_i, a population fed
 * by spikes at irregular times follows ladsim_lif_step neuron by neuron:
 * the same spikes at the same times, and the same state, to rounding. */
START_TEST(test_frame_follows_exact_step)
{
  enum { STEPS = 9000, N = 160 };
  ladsim_model *m = model("0.1 ms", "1 s");
  ladsim_network *net;
  ck_assert_int_eq(ladsim_network_alloc(m, 0, MPI_COMM_NULL, &net), LADSIM_OK);
  ladsim_population *p = net->pops[0];
  static ladsim_lif_state ref[N];
  for (size_t i = 0; i < N; i++)
    ladsim_population_neuron(p, i, &ref[i]);
  size_t spikes = 0, inputs = 0, resets = 0;
  double scale = p->gscale[0];
  for (int64_t k = 0; k < STEPS; k++) {
    /* two inputs each to a few neurons, one of them strong enough to fire */
    ladsim_lif_input in[N][2];
    int n_in[N] = {0};
    if (k % 7 == 0)
      for (size_t c = 0; c < 3; c++) {
        uint32_t t = (uint32_t)((k * 13 + (int64_t)c * 53) % N);
        const ladsim_lif_input add[2] = {{0.013 * (double)c, c == 2 ? 9.0 : 2.5},
                                         {0.061, -3.0 - (double)c}};
        for (int e = 0; e < 2; e++) {
          double dv, dg;
          ladsim_lif_input_effect(&p->prop, add[e].offset, add[e].weight, &dv, &dg);
          ck_assert_int_eq(ladsim_population_receive(p, k, t, 1000 + (uint32_t)(2 * c + e),
                                                     add[e].offset, add[e].weight, dv, dg),
                           LADSIM_OK);
          in[t][n_in[t]++] = add[e];
        }
        inputs++;
      }
    ck_assert_int_eq(ladsim_population_step(p, k), LADSIM_OK);
    resets += p->gscale[0] > scale;
    scale = p->gscale[0];
    for (size_t i = 0; i < N; i++) {
      double off[8];
      int fired = ladsim_lif_step(&p->prop, &ref[i], in[i], (size_t)n_in[i], off, 8), got = 0;
      for (size_t e = 0; e < p->n_spikes; e++)
        if (p->spike_ids[e] == i) {
          ck_assert_int_lt(got, fired);
          ck_assert_double_eq_tol(p->spike_offsets[e], off[got], 1e-9);
          got++;
        }
      ck_assert_int_eq(got, fired);
      spikes += (size_t)fired;
      ladsim_lif_state now;
      ladsim_population_neuron(p, i, &now);
      ck_assert_double_eq_tol(now.v, ref[i].v, 1e-9);
      ck_assert_double_eq_tol(now.ge, ref[i].ge, 1e-9);
      ck_assert_double_eq_tol(now.gi, ref[i].gi, 1e-9);
      ck_assert_double_eq_tol(now.refr, ref[i].refr, 1e-9);
    }
  }
  ck_assert_uint_ge(resets, 2);
  ck_assert_uint_gt(spikes, 1000);
  ck_assert_uint_gt(inputs, 3000);
  ladsim_network_free(net);
  ladsim_model_free(m);
}
END_TEST

/* The frame needs the input currents to decay by no more than e^-100 in a
 * step: a shorter synaptic time constant is refused with a message that
 * names the layer and the limit. */
START_TEST(test_too_short_synaptic_time_constant)
{
  ladsim_model *m = model("0.1 ms", "1 s");
  m->layers[1].lif.tau_exc = 0.0009;   /* ms, under 0.1 ms / 100 */
  ladsim_network *net = NULL;
  ck_assert_int_eq(ladsim_network_alloc(m, 0, MPI_COMM_NULL, &net), LADSIM_EINVAL);
  ck_assert_ptr_null(net);
  const char *msg = ladsim_error_message();
  ck_assert_msg(strstr(msg, "layer inh") && strstr(msg, "tau_exc (0.0009 ms)")
                && strstr(msg, "simulation.resolution / 100"), "%s", msg);
  ladsim_model_free(m);
}
END_TEST

/* The connections of a projection from a layer of n_from neurons to one
 * of n_to (the same layer if same), with seed 77. The spec is kept by the
 * projection, so it lives as long as the test. */
static ladsim_projection *connect(ladsim_projection_spec *spec, ladsim_connect_rule rule,
                                  double p, size_t k, size_t n_from, size_t n_to, bool same,
                                  bool autapses)
{
  *spec = (ladsim_projection_spec){.rule = rule, .probability = p, .indegree = k,
                                   .weight = 1.0, .delay = 1.0, .autapses = autapses};
  strcpy(spec->from, "a");
  strcpy(spec->to, same ? "a" : "b");
  ladsim_projection *pr;
  ck_assert_int_eq(ladsim_projection_alloc(spec, 3, 0, same ? 0 : 1, n_from, n_to, 0.1, 77,
                                           &pr),
                   LADSIM_OK);
  return pr;
}

/* Every target's sources, ascending (sources[first[t] .. first[t + 1])),
 * read back from the rows by source; checks on the way that every row is
 * strictly ascending and within n_to. */
static void sources_by_target(const ladsim_projection *pr, size_t **first, uint32_t **sources)
{
  size_t n_to = pr->n_to, n = pr->n_connections;
  *first = calloc(n_to + 1, sizeof **first);
  *sources = malloc((n ? n : 1) * sizeof **sources);
  size_t *fill = calloc(n_to + 1, sizeof *fill);
  for (size_t j = 0; j < pr->n_from; j++)
    for (size_t e = pr->start[j]; e < pr->start[j + 1]; e++) {
      ck_assert_uint_lt(pr->targets[e], n_to);
      ck_assert(e == pr->start[j] || pr->targets[e] > pr->targets[e - 1]);
      (*first)[pr->targets[e] + 1]++;
    }
  for (size_t t = 0; t < n_to; t++)
    (*first)[t + 1] += (*first)[t];
  memcpy(fill, *first, (n_to + 1) * sizeof *fill);
  for (size_t j = 0; j < pr->n_from; j++)
    for (size_t e = pr->start[j]; e < pr->start[j + 1]; e++)
      (*sources)[fill[pr->targets[e]]++] = (uint32_t)j;
  free(fill);
}

/* The skips of rule probability in source j's row: the targets of each
 * block of 1024 are drawn from a stream of their own, skip after skip
 * from the block's first target. A skip that starts at s is seen whole if
 * it ends before the block does, so only those that start at least `room`
 * targets before the block's end are counted: each then goes to hist[x]
 * for x < room, or to hist[room] (x >= room, whether its target is seen
 * or the block ends first). So every skip counted is a whole draw of the
 * distribution, and none is left out for being long. Returns the count. */
static size_t row_skips(const ladsim_projection *pr, size_t j, size_t room, double *hist)
{
  size_t counted = 0, e = pr->start[j], end_row = pr->start[j + 1];
  for (size_t b0 = 0; b0 < pr->n_to; b0 += 1024) {
    size_t b1 = b0 + 1024 < pr->n_to ? b0 + 1024 : pr->n_to;
    for (size_t s = b0; s + room < b1;) {
      while (e < end_row && pr->targets[e] < s)
        e++;
      size_t x = e < end_row && pr->targets[e] < b1 ? pr->targets[e] - s : room;
      hist[x < room ? x : room] += 1.0;
      counted++;
      if (x >= room)
        break;   /* the next skip starts past s + room */
      s += x + 1;
    }
  }
  return counted;
}

/* A projection of rule probability p between two layers of n_from and
 * n_to neurons: its count of connections is within five standard
 * deviations of p n_from n_to, and every row is ascending and within
 * n_to. */
static ladsim_projection *connect_probability(ladsim_projection_spec *spec, double p,
                                              size_t n_from, size_t n_to)
{
  ladsim_projection *pr = connect(spec, LADSIM_CONNECT_PROBABILITY, p, 0, n_from, n_to, false,
                                  false);
  double mean = p * (double)n_from * (double)n_to;
  double sd = sqrt((double)n_from * (double)n_to * p * (1.0 - p));
  ck_assert_msg(fabs((double)pr->n_connections - mean) < 5.0 * sd, "%zu connections, "
                "expected %.0f +- %.0f", pr->n_connections, mean, sd);
  for (size_t j = 0; j < n_from; j++)
    for (size_t e = pr->start[j]; e < pr->start[j + 1]; e++) {
      ck_assert_uint_lt(pr->targets[e], n_to);
      ck_assert(e == pr->start[j] || pr->targets[e] > pr->targets[e - 1]);
    }
  return pr;
}

/* Rule probability: the skips between the targets of a row are
 * geometric, P(k) = p (1 - p)^k. At p = 1/16 they come from the alias
 * table of 64 entries, whose last stands for 63 and more (1.7% of the
 * draws) and is drawn again: a chi-square test over skips 0 .. 99 and the
 * rest, 101 bins, from some 2,000,000 skips, and the count of connections
 * within five standard deviations of p n_from n_to. A redraw that adds 62
 * instead of 63 gives a chi-square near 2,000. */
START_TEST(test_probability_skips_are_geometric)
{
  enum { N_FROM = 320, N_TO = 100000, BINS = 100 };
  const double p = 0.0625, q = 1.0 - p;
  ladsim_projection_spec spec;
  ladsim_projection *pr = connect_probability(&spec, p, N_FROM, N_TO);
  double hist[BINS + 1] = {0};
  size_t skips = 0;
  for (size_t j = 0; j < N_FROM; j++)
    skips += row_skips(pr, j, BINS, hist);
  double chi2 = 0.0, expect = p * (double)skips;
  for (int k = 0; k < BINS; k++, expect *= q)
    chi2 += (hist[k] - expect) * (hist[k] - expect) / expect;
  expect = pow(q, BINS) * (double)skips;   /* skips of BINS or more */
  chi2 += (hist[BINS] - expect) * (hist[BINS] - expect) / expect;
  /* 100 degrees of freedom: mean 100, sd 14; 200 is beyond 1e-8 */
  ck_assert_msg(chi2 < 200.0, "chi-square %.1f over %d bins of %zu skips", chi2, BINS + 1,
                skips);
  ck_assert_uint_gt(skips, 1500000);
  ck_assert_uint_gt(hist[BINS], 1000);   /* the redraw past the table was exercised */
  ladsim_projection_free(pr);
}
END_TEST

/* Below p = 2^-9 the skips come from the logarithm: at p = 0.001 the
 * count is as expected and a skip is shorter than 500 with probability
 * 1 - (1 - p)^500, each within five standard errors. */
START_TEST(test_probability_sparse)
{
  enum { N_FROM = 400, N_TO = 100000, K = 500 };
  const double p = 0.001, q = 1.0 - p;
  ladsim_projection_spec spec;
  ladsim_projection *pr = connect_probability(&spec, p, N_FROM, N_TO);
  static double hist[K + 1];
  memset(hist, 0, sizeof hist);
  size_t skips = 0;
  for (size_t j = 0; j < N_FROM; j++)
    skips += row_skips(pr, j, K, hist);
  double shorter = 1.0 - hist[K] / (double)skips, expect = 1.0 - pow(q, K);
  double se = sqrt(expect * (1.0 - expect) / (double)skips);
  ck_assert_msg(fabs(shorter - expect) < 5.0 * se, "%.4f of %zu skips below %d, expected %.4f",
                shorter, skips, K, expect);
  ladsim_projection_free(pr);
}
END_TEST

/* Within one layer: no neuron connects to itself unless autapses is set
 * (at p = 1 every other neuron is a source, and with autapses itself
 * too); rule indegree gives every target exactly k distinct sources,
 * never itself. */
START_TEST(test_autapses_and_indegree)
{
  enum { N = 300 };
  ladsim_projection_spec spec;
  for (int aut = 0; aut < 2; aut++) {
    ladsim_projection *pr = connect(&spec, LADSIM_CONNECT_PROBABILITY, 1.0, 0, N, N, true, aut);
    ck_assert_uint_eq(pr->n_connections, (size_t)N * (N - 1 + (size_t)aut));
    ladsim_projection_free(pr);
    pr = connect(&spec, LADSIM_CONNECT_PROBABILITY, 0.3, 0, N, N, true, aut);
    size_t self = 0;
    for (size_t j = 0; j < N; j++)
      for (size_t e = pr->start[j]; e < pr->start[j + 1]; e++)
        self += pr->targets[e] == j;
    if (aut)
      ck_assert_uint_gt(self, 50);   /* some 90 of 300 */
    else
      ck_assert_uint_eq(self, 0);
    ladsim_projection_free(pr);
  }
  ladsim_projection *pr = connect(&spec, LADSIM_CONNECT_INDEGREE, 0.0, 25, N, N, true, false);
  size_t *first;
  uint32_t *src;
  sources_by_target(pr, &first, &src);
  for (size_t t = 0; t < N; t++) {
    ck_assert_uint_eq(first[t + 1] - first[t], 25);
    for (size_t e = first[t]; e < first[t + 1]; e++) {
      ck_assert_uint_ne(src[e], t);
      ck_assert(e == first[t] || src[e] > src[e - 1]);
    }
  }
  free(first);
  free(src);
  ladsim_projection_free(pr);
}
END_TEST

int main(int argc, char **argv)
{
  Suite *s = suite_create("spiking");
  TCase *tc = tcase_create("network");
  tcase_add_test(tc, test_file_holds_the_simulated_spikes);
  tcase_add_test(tc, test_spike_times_independent_of_resolution);
  tcase_add_test(tc, test_seed_reproducible);
  tcase_add_test(tc, test_delivery_order_does_not_matter);
  tcase_add_test(tc, test_frame_follows_exact_step);
  tcase_add_test(tc, test_too_short_synaptic_time_constant);
  tcase_add_test(tc, test_probability_skips_are_geometric);
  tcase_add_test(tc, test_probability_sparse);
  tcase_add_test(tc, test_autapses_and_indegree);
  tcase_set_timeout(tc, 120);
  suite_add_tcase(s, tc);
  return ladsim_test_run_mpi(argc, argv, s);
}
