/* mpi_repro.c: a run on every rank of the launcher gives the same file, bit for bit, as a run on one.
 *
 * Run under mpiexec with any number of ranks (the suite is run on 1, 2, 3
 * and 4). Each case runs a model on MPI_COMM_WORLD, then rank 0 runs it
 * again alone (MPI_COMM_SELF), and every data set of the two output files
 * (config, metrics, weights, probe, spikes) must be identical. The layer
 * sizes (31, 13, 7) are divided evenly by none of these rank counts, and
 * the spiking models must have fired (spikes counted in the file), so that
 * there are spikes to compare. */
#include "config.h"
#include <check.h>
#include "check_mpi.h"
#include "h5check.h"
#include "lif_models.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ladsim/ladsim.h>

static const char *scratch = "/tmp";
static int rank, size;   /* in MPI_COMM_WORLD */

/* A synthetic data set of 8 x 8 images, two views of each, two epochs. */
#define INPUT \
  "simulation: {resolution: 1 ms, seed: 7}\n" \
  "input:\n" \
  "  dataset: {name: synthetic, classes: 4, side: 8, train_size: 96, test_size: 48, noise: 0.3}\n" \
  "  views_per_sample: 2\n" \
  "  view_duration: 6 ms\n" \
  "  epochs: 2\n" \
  "  augment: {shift: 1 px, noise: 0.05, contrast: 0.1}\n"
#define RECORD \
  "record: {metrics: 120 ms, weights: 300 ms}\n" \
  "evaluate: {validation: 0.2}\n"

/* One rate layer with the whole rule, the prediction form. */
static const char rate_model[] = INPUT
  "layers:\n"
  "  - name: hidden\n"
  "    size: 31\n"
  "    tau: 2 ms\n"
  "    learning:\n"
  "      eta: 0.02\n"
  "      adversarial: {form: prediction, weight: 1, eta_predictor: 0.01}\n"
  "      invariance: {weight: 0.3, tau: 10 ms}\n"
  "      sigreg: {weight: 1, tau: 200 ms, target: {exponential: {rate: 1}}}\n"
  RECORD;

/* Two stacked layers: the upper one learns from the lower one's activity
 * (varying input), with the error form, a delayed predictor and per-view
 * plasticity. */
static const char stacked_model[] = INPUT
  "layers:\n"
  "  - name: low\n"
  "    size: 31\n"
  "    tau: 2 ms\n"
  "    learning: {eta: 0.02, sigreg: {tau: 200 ms}}\n"
  "  - name: high\n"
  "    size: 13\n"
  "    from: low\n"
  "    activation: tanh\n"
  "    learning:\n"
  "      eta: 0.02\n"
  "      plasticity: per_view\n"
  "      adversarial: {form: error, weight: 0.5, delay: 2 ms}\n"
  "      sigreg: {target: {gaussian: {std: 0.5}}}\n"
  RECORD;

/* The non-local baseline keeps a covariance row per neuron. */
static const char pairwise_model[] = INPUT
  "layers:\n"
  "  - name: hidden\n"
  "    size: 31\n"
  "    activation: softplus\n"
  "    learning: {eta: 0.02, decorrelation: pairwise, sigreg: {target: {laplace: {scale: 1}}}}\n"
  RECORD;

/* A sparse recurrent spiking network without a stimulus: exchanges every
 * 1 ms (two steps), delays of two to four steps, autapses, both rules. */
static const char lif_recurrent_model[] =
  "simulation: {resolution: 0.5 ms, min_delay: 1 ms, duration: 400 ms, seed: 9}\n"
  "input: {dataset: none}\n"
  "layers:\n"
  LADSIM_TEST_LIF_POP("exc", "31", "-49 mV")
  LADSIM_TEST_LIF_POP("inh", "7", "-50.5 mV")
  "projections:\n"
  "  - {from: exc, to: exc, rule: probability, probability: 0.2, weight: 1.5 mV, delay: 1.5 ms,\n"
  "     autapses: true}\n"
  "  - {from: exc, to: inh, rule: indegree, indegree: 5, weight: 4 mV, delay: 1 ms}\n"
  "  - {from: inh, to: exc, rule: probability, probability: 0.4, weight: -6 mV, delay: 2 ms}\n"
  "record: {spikes: all, metrics: 0 ms}\n"
  "evaluate: {enabled: false}\n";

/* A learning lif layer fed by Poisson trains of the stimulus, with the
 * whole rule, driving a recurrent network through a sparse projection. */
static const char lif_learning_model[] =
  LADSIM_TEST_LIF_INPUT
  LADSIM_TEST_LIF_FEAT("")
  LADSIM_TEST_LIF_POP("exc", "31", "-49 mV")
  LADSIM_TEST_LIF_POP("inh", "7", "-50.5 mV")
  "projections:\n"
  "  - {from: feat, to: exc, rule: indegree, indegree: 4, weight: 3 mV, delay: 1 ms}\n"
  "  - {from: exc, to: exc, rule: probability, probability: 0.2, weight: 1.5 mV, delay: 1.5 ms}\n"
  "  - {from: exc, to: inh, rule: probability, probability: 0.3, weight: 4 mV, delay: 1 ms}\n"
  "  - {from: inh, to: exc, rule: probability, probability: 0.4, weight: -6 mV, delay: 2 ms}\n"
  "record: {metrics: 100 ms, weights: 200 ms, spikes: all}\n"
  "evaluate: {validation: 0.2}\n";

static ladsim_status write_config(ladsim_output *o, const ladsim_model *m)
{
  char *resolved;
  LADSIM_CHECK(ladsim_output_write_string(o, "/config/model", m->text));
  LADSIM_CHECK(ladsim_model_to_string(m, &resolved));
  ladsim_status st = ladsim_output_write_string(o, "/config/resolved", resolved);
  free(resolved);
  return st;
}

/* Trains, evaluates and records model text on comm into path. */
static ladsim_status run_on(MPI_Comm comm, const char *text, const char *path)
{
  ladsim_model *m = NULL;
  ladsim_sim *s = NULL;
  ladsim_output *o = NULL;
  ladsim_report rep;
  ladsim_status st;
  LADSIM_CHECK_GOTO(st, ladsim_model_parse(text, "repro.yaml", NULL, 0, &m), done);
  LADSIM_CHECK_GOTO(st, ladsim_sim_create(comm, m, &s), done);
  LADSIM_CHECK_GOTO(st, ladsim_output_create(comm, path, true, &o), done);
  LADSIM_CHECK_GOTO(st, write_config(o, m), done);
  LADSIM_CHECK_GOTO(st, ladsim_sim_run(s, o), done);
  if (m->evaluate.enabled)
    LADSIM_CHECK_GOTO(st, ladsim_sim_evaluate(s, o, &rep), done);
  st = ladsim_output_commit(o);
  o = NULL;
done:
  ladsim_output_abort(o);
  ladsim_sim_free(s);
  ladsim_model_free(m);
  return st;
}

/* Runs text on all ranks and alone on rank 0, and compares the files.
 * Rank 0's verdict is sent to every rank before anyone asserts, so that a
 * failure does not leave the others waiting in the next case. */
/* The fewest spikes a spiking model must have written for each of its
 * populations (NULL-terminated). */
typedef struct {
  const char *pops[4];
  size_t min_spikes;
} spikes_expected;

/* Runs text on all ranks and alone on rank 0; the files must hold at
 * least min_sets data sets, all the same, and the spikes expected. */
static void check_same_spikes(const char *name, const char *text, size_t min_sets,
                              spikes_expected sp)
{
  char all[256], one[256], why[512] = "";
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  snprintf(all, sizeof all, "%s/%s_%dranks.h5", scratch, name, size);
  snprintf(one, sizeof one, "%s/%s_alone.h5", scratch, name);
  ladsim_status st = run_on(MPI_COMM_WORLD, text, all);
  if (st != LADSIM_OK)
    snprintf(why, sizeof why, "%s on %d ranks: %s", name, size, ladsim_error_message());
  if (rank == 0 && !why[0]) {
    st = run_on(MPI_COMM_SELF, text, one);
    ladsim_test_h5cmp c = {0};
    if (st == LADSIM_OK)
      c = ladsim_test_compare_files(all, one);
    if (st != LADSIM_OK)
      snprintf(why, sizeof why, "%s alone: %s", name, ladsim_error_message());
    else if (c.compared < min_sets)
      snprintf(why, sizeof why, "%s: only %zu data sets", name, c.compared);
    else if (c.differ)
      snprintf(why, sizeof why, "%s: %zu of %zu data sets differ between %d ranks and one, "
               "the first %s", name, c.differ, c.compared, size, c.first);
  }
  for (size_t k = 0; rank == 0 && !why[0] && k < 4 && sp.pops[k]; k++) {
    size_t n = ladsim_test_spike_count(all, sp.pops[k]);
    if (n < sp.min_spikes)
      snprintf(why, sizeof why, "%s: %zu spikes of %s, expected at least %zu", name, n,
               sp.pops[k], sp.min_spikes);
  }
  MPI_Bcast(why, sizeof why, MPI_CHAR, 0, MPI_COMM_WORLD);
  ck_assert_msg(why[0] == '\0', "%s", why);
}

static void check_same(const char *name, const char *text)
{
  check_same_spikes(name, text, 20, (spikes_expected){{NULL}, 0});
}

START_TEST(test_rate_layer)
{
  check_same("rate", rate_model);
}
END_TEST

START_TEST(test_stacked_layers)
{
  check_same("stacked", stacked_model);
}
END_TEST

START_TEST(test_pairwise_baseline)
{
  check_same("pairwise", pairwise_model);
}
END_TEST

START_TEST(test_lif_recurrent)
{
  check_same_spikes("lif_recurrent", lif_recurrent_model, 6,
                    (spikes_expected){{"exc", "inh", NULL}, 30});
}
END_TEST

START_TEST(test_lif_learning)
{
  check_same_spikes("lif_learning", lif_learning_model, 30,
                    (spikes_expected){{"feat", "exc", "inh", NULL}, 30});
}
END_TEST

int main(int argc, char **argv)
{
  if (argc > 1)
    scratch = argv[argc - 1];
  Suite *s = suite_create("repro");
  TCase *tc = tcase_create("any_rank_count");
  tcase_add_test(tc, test_rate_layer);
  tcase_add_test(tc, test_stacked_layers);
  tcase_add_test(tc, test_pairwise_baseline);
  tcase_add_test(tc, test_lif_recurrent);
  tcase_add_test(tc, test_lif_learning);
  suite_add_tcase(s, tc);
  return ladsim_test_run_mpi(argc, argv, s);
}
