/* mpi_fail.c: a neuron that diverges on one rank stops every rank with its message, without a hang.
 *
 * Run on 3 ranks. The layer learns without decorrelation, so its neurons
 * do not see each other and a non-finite weight poisons only the neuron
 * that has it: the last rank's first neuron. Every rank must return
 * LADSIM_EDIVERGED with that neuron's message, and the run's file must
 * stay a .partial. A spiking population without refractoriness, one
 * neuron per rank, whose neuron on the last rank is driven so hard that it
 * fires without end: that rank's step fails between two exchanges, and
 * every rank returns its message at the next one. */
#include "config.h"
#include <check.h>
#include "check_mpi.h"
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <ladsim/ladsim.h>
#include "network/sim_internal.h"

static const char *scratch = "/tmp";

static const char model_text[] =
  "simulation: {resolution: 1 ms, seed: 3}\n"
  "input:\n"
  "  dataset: {name: synthetic, classes: 3, side: 6, train_size: 30, test_size: 30}\n"
  "  view_duration: 4 ms\n"
  "layers:\n"
  "  - name: hidden\n"
  "    size: 11\n"
  "    learning: {eta: 0.01, decorrelation: none}\n"
  "record: {metrics: 20 ms}\n";

static const char lif_model_text[] =
  "simulation: {resolution: 1 ms, min_delay: 2 ms, duration: 40 ms, seed: 3}\n"
  "input: {dataset: none}\n"
  "layers:\n"
  "  - name: pop\n"
  "    neuron: lif\n"
  "    size: 3\n"
  "    from: none\n"
  "    learn: false\n"
  "    lif: {t_ref: 0 ms, e_rest: -65 mV, v_reset: -60 mV, v_th: -50 mV}\n"
  "projections:\n"
  "  - {from: pop, to: pop, rule: probability, probability: 1, weight: 1 mV, delay: 2 ms}\n"
  "record: {spikes: all, metrics: 0 ms}\n"
  "evaluate: {enabled: false}\n";

/* A run of text on every rank into <scratch>/<name>_<ranks>.h5. */
typedef struct {
  int rank, size;
  char path[256];
  ladsim_model *m;
  ladsim_sim *s;
  ladsim_output *o;
} failing_run;

static void start(failing_run *r, const char *text, const char *name)
{
  MPI_Comm_rank(MPI_COMM_WORLD, &r->rank);
  MPI_Comm_size(MPI_COMM_WORLD, &r->size);
  snprintf(r->path, sizeof r->path, "%s/%s_%d.h5", scratch, name, r->size);
  ck_assert_int_eq(ladsim_model_parse(text, "fail.yaml", NULL, 0, &r->m), LADSIM_OK);
  ck_assert_int_eq(ladsim_sim_create(MPI_COMM_WORLD, r->m, &r->s), LADSIM_OK);
  ck_assert_int_eq(ladsim_output_create(MPI_COMM_WORLD, r->path, true, &r->o), LADSIM_OK);
}

/* Runs: every rank must fail with a message holding want, and the file
 * must stay a .partial. */
static void expect_failure(failing_run *r, const char *want)
{
  ladsim_status st = ladsim_sim_run(r->s, r->o);
  ck_assert_int_eq(st, LADSIM_EDIVERGED);
  ck_assert_msg(strstr(ladsim_error_message(), want), "rank %d: '%s' lacks '%s'", r->rank,
                ladsim_error_message(), want);
  char partial[300];
  snprintf(partial, sizeof partial, "%s.partial", r->path);
  ladsim_output_abort(r->o);
  MPI_Barrier(MPI_COMM_WORLD);
  ck_assert_int_eq(access(r->path, F_OK), -1);
  ck_assert_int_eq(access(partial, F_OK), 0);
  ladsim_sim_free(r->s);
  ladsim_model_free(r->m);
}

START_TEST(test_runaway_spiking_on_one_rank)
{
  failing_run r;
  start(&r, lif_model_text, "fail_lif");
  ladsim_population *p = r.s->net->pops[0];
  if (r.rank == r.size - 1)   /* its last neuron: alone on the rank with 3 ranks */
    p->ge[p->n - 1] = 1e9;
  expect_failure(&r, "layer pop: neuron 2 fires 8 or more times in one step");
}
END_TEST

START_TEST(test_diverged_neuron_on_one_rank)
{
  failing_run r;
  start(&r, model_text, "fail");
  ladsim_layer *l = r.s->net->layers[0];
  if (r.rank == r.size - 1)
    l->W[3] = NAN;
  size_t bad = 0, count;
  ladsim_comm_block(l->n, r.size, r.size - 1, &bad, &count);
  char want[64];
  snprintf(want, sizeof want, "layer hidden: neuron %zu diverged", bad);
  expect_failure(&r, want);
}
END_TEST

int main(int argc, char **argv)
{
  if (argc > 1)
    scratch = argv[argc - 1];
  Suite *s = suite_create("fail");
  TCase *tc = tcase_create("one_rank");
  tcase_add_test(tc, test_diverged_neuron_on_one_rank);
  tcase_add_test(tc, test_runaway_spiking_on_one_rank);
  suite_add_tcase(s, tc);
  return ladsim_test_run_mpi(argc, argv, s);
}
