/* mpi_fail.c: a neuron that diverges on one rank stops every rank with its message, without a hang.
 *
 * Run on 3 ranks. The layer learns without decorrelation, so its neurons
 * do not see each other and a non-finite weight poisons only the neuron
 * that has it: the last rank's first neuron. Every rank must return
 * LADSIM_EDIVERGED with that neuron's message, and the run's file must
 * stay a .partial. */
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

START_TEST(test_diverged_neuron_on_one_rank)
{
  int rank, size;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  char path[256], partial[300];
  snprintf(path, sizeof path, "%s/fail_%d.h5", scratch, size);
  snprintf(partial, sizeof partial, "%s.partial", path);
  ladsim_model *m;
  ladsim_sim *s;
  ladsim_output *o;
  ck_assert_int_eq(ladsim_model_parse(model_text, "fail.yaml", NULL, 0, &m), LADSIM_OK);
  ck_assert_int_eq(ladsim_sim_create(MPI_COMM_WORLD, m, &s), LADSIM_OK);
  ck_assert_int_eq(ladsim_output_create(MPI_COMM_WORLD, path, true, &o), LADSIM_OK);
  ladsim_layer *l = s->net->layers[0];
  if (rank == size - 1)
    l->W[3] = NAN;
  size_t bad = 0, count;
  ladsim_comm_block(l->n, size, size - 1, &bad, &count);
  ladsim_status st = ladsim_sim_run(s, o);
  ck_assert_int_eq(st, LADSIM_EDIVERGED);
  char want[64];
  snprintf(want, sizeof want, "layer hidden: neuron %zu diverged", bad);
  ck_assert_msg(strstr(ladsim_error_message(), want), "rank %d: '%s' lacks '%s'", rank,
                ladsim_error_message(), want);
  ladsim_output_abort(o);
  MPI_Barrier(MPI_COMM_WORLD);
  ck_assert_int_eq(access(path, F_OK), -1);
  ck_assert_int_eq(access(partial, F_OK), 0);
  ladsim_sim_free(s);
  ladsim_model_free(m);
}
END_TEST

int main(int argc, char **argv)
{
  if (argc > 1)
    scratch = argv[argc - 1];
  Suite *s = suite_create("fail");
  TCase *tc = tcase_create("one_rank");
  tcase_add_test(tc, test_diverged_neuron_on_one_rank);
  suite_add_tcase(s, tc);
  return ladsim_test_run_mpi(argc, argv, s);
}
