/* mpi_resume.c: a run stopped at T and resumed to 2T writes the file of a run that never stopped.
 *
 * Run on 1 and 2 ranks. Each case runs the model straight to 2T on all
 * ranks, then to T with a checkpoint, then resumes from it to 2T, and
 * compares every data set of the two files bit for bit. The checkpoint is
 * written on all ranks and resumed on rank 0 alone, and written on rank 0
 * alone and resumed on all ranks, so on 2 ranks the rank count changes
 * both ways. One case stops at T inside a view; another is stopped by a
 * request on rank 0 only, as a signal would (the ranks agree on it).
 * Spiking cases resume a learning lif layer that drives a recurrent
 * network, with spikes in flight across the checkpoint, and check that
 * the files hold spikes. */
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

/* Two stacked layers, one with a delayed predictor and per-view
 * plasticity; views of 6 ms, so a checkpoint at 300 ms falls between
 * views and one at 303 ms inside one. */
static const char model_text[] =
  "simulation: {resolution: 1 ms, seed: 11, min_delay: 1 ms}\n"
  "input:\n"
  "  dataset: {name: synthetic, classes: 4, side: 8, train_size: 64, test_size: 32, noise: 0.3}\n"
  "  views_per_sample: 2\n"
  "  view_duration: 6 ms\n"
  "  epochs: 3\n"
  "  augment: {shift: 1 px, noise: 0.05}\n"
  "layers:\n"
  "  - name: low\n"
  "    size: 31\n"
  "    tau: 2 ms\n"
  "    learning: {eta: 0.02, invariance: {weight: 0.3, tau: 10 ms}, sigreg: {tau: 200 ms}}\n"
  "  - name: high\n"
  "    size: 13\n"
  "    from: low\n"
  "    activation: tanh\n"
  "    learning: {eta: 0.02, plasticity: per_view, adversarial: {form: error, delay: 2 ms},\n"
  "               sigreg: {target: {gaussian: {std: 0.5}}}}\n"
  "record: {metrics: 60 ms, weights: 90 ms}\n"
  "evaluate: {validation: 0.2}\n";

/* A learning lif layer fed by the stimulus drives a recurrent network;
 * delays of two to four steps, exchanges every two, views of 20 steps, so
 * a checkpoint at 605 ms falls inside a view with spikes in flight. */
static const char lif_model_text[] =
  LADSIM_TEST_LIF_INPUT
  LADSIM_TEST_LIF_FEAT("      plasticity: per_view\n")
  LADSIM_TEST_LIF_POP("exc", "31", "-49 mV")
  "projections:\n"
  "  - {from: feat, to: exc, rule: indegree, indegree: 4, weight: 3 mV, delay: 1 ms}\n"
  "  - {from: exc, to: exc, rule: probability, probability: 0.2, weight: -2 mV, delay: 2 ms,\n"
  "     autapses: true}\n"
  "record: {metrics: 100 ms, weights: 200 ms, spikes: all}\n"
  "evaluate: {validation: 0.2}\n";

/* A progress callback that asks this rank to stop once t passes *stop_at. */
static void stop_when(void *ctx, double t, double total, double rate)
{
  (void)total;
  (void)rate;
  if (t >= *(const double *)ctx)
    ladsim_sim_request_stop();
}

typedef struct {
  const char *model;     /* the model's text */
  double duration;       /* ms */
  double checkpoint;     /* ms between checkpoints; 0: none */
  double stop_at;        /* ms: rank 0 asks to stop (as a signal would); 0: never */
  const char *resume;    /* checkpoint to resume from, or NULL */
  const char *records;   /* what the checkpoint's run recorded */
} run_opts;

static ladsim_status run_on(MPI_Comm comm, const char *out, const char *ckpt, run_opts r)
{
  char dur[64], every[64];
  snprintf(dur, sizeof dur, "simulation.duration=%g ms", r.duration);
  snprintf(every, sizeof every, "record.checkpoint=%g ms", r.checkpoint);
  const char *sets[] = {dur, every};
  ladsim_model *m = NULL;
  ladsim_sim *s = NULL;
  ladsim_output *o = NULL;
  ladsim_report rep;
  int rank;
  MPI_Comm_rank(comm, &rank);
  ladsim_status st;
  LADSIM_CHECK_GOTO(st, ladsim_model_parse(r.model, "resume.yaml", sets, 2, &m), done);
  m->record.progress = 1e-9;   /* the callback at every view */
  LADSIM_CHECK_GOTO(st, ladsim_sim_create(comm, m, &s), done);
  LADSIM_CHECK_GOTO(st, ladsim_sim_set_checkpoint(s, ckpt, out), done);
  if (r.stop_at > 0 && rank == 0)
    ladsim_sim_set_progress(s, stop_when, &r.stop_at);
  if (r.resume)
    LADSIM_CHECK_GOTO(st, ladsim_sim_resume(s, r.resume), done);
  LADSIM_CHECK_GOTO(st, ladsim_output_create(comm, out, true, &o), done);
  if (r.resume)
    LADSIM_CHECK_GOTO(st, ladsim_sim_resume_records(s, r.records, o), done);
  LADSIM_CHECK_GOTO(st, ladsim_sim_run(s, o), done);
  LADSIM_CHECK_GOTO(st, ladsim_sim_evaluate(s, o, &rep), done);
  st = ladsim_output_commit(o);
  o = NULL;
done:
  ladsim_output_abort(o);
  ladsim_sim_free(s);
  ladsim_model_free(m);
  return st;
}

/* Runs on comm, or not at all on the ranks outside it (MPI_COMM_SELF on
 * rank 0), then lets every rank know the outcome: rank 0's message, "" if
 * it went as expected. */
static void run_expect(MPI_Comm comm, const char *out, const char *ckpt, run_opts r,
                       ladsim_status want, char *why, size_t len)
{
  int rank;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (comm == MPI_COMM_WORLD || rank == 0) {
    ladsim_status st = run_on(comm, out, ckpt, r);
    if (st != want && !why[0])
      snprintf(why, len, "%s: status %d, not %d: %s", out, (int)st, (int)want,
               ladsim_error_message());
  }
  MPI_Bcast(why, (int)len, MPI_CHAR, 0, MPI_COMM_WORLD);
}

/* 2T straight on all ranks; T on `first`, resumed to 2T on `second`;
 * the files must hold at least one spike of each of pops (NULL-terminated;
 * NULL: none are expected). */
static void check_model_resume(const char *model, const char *const *pops, const char *name,
                               MPI_Comm first, MPI_Comm second, double t, double stop_at)
{
  char straight[256], half[256], ckpt[256], resumed[256], records[300], why[512] = "";
  snprintf(straight, sizeof straight, "%s/%s_straight.h5", scratch, name);
  snprintf(half, sizeof half, "%s/%s_half.h5", scratch, name);
  snprintf(ckpt, sizeof ckpt, "%s/%s_half.ckpt.h5", scratch, name);
  snprintf(resumed, sizeof resumed, "%s/%s_resumed.h5", scratch, name);
  run_opts whole = {.model = model, .duration = 2 * t};
  run_expect(MPI_COMM_WORLD, straight, NULL, whole, LADSIM_OK, why, sizeof why);
  run_opts part = {.model = model, .duration = stop_at > 0 ? 2 * t : t, .checkpoint = t,
                   .stop_at = stop_at};
  run_expect(first, half, ckpt, part, stop_at > 0 ? LADSIM_EINTERRUPT : LADSIM_OK, why,
             sizeof why);
  snprintf(records, sizeof records, "%s%s", half, stop_at > 0 ? ".partial" : "");
  run_opts rest = {.model = model, .duration = 2 * t, .resume = ckpt, .records = records};
  run_expect(second, resumed, NULL, rest, LADSIM_OK, why, sizeof why);
  int rank;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  if (rank == 0 && !why[0]) {
    ladsim_test_h5cmp c = ladsim_test_compare_files(straight, resumed);
    if (c.compared < 30 || c.differ)
      snprintf(why, sizeof why, "%s: %zu of %zu data sets differ, the first %s", name,
               c.differ, c.compared, c.first);
    for (size_t k = 0; !why[0] && pops && pops[k]; k++)
      if (ladsim_test_spike_count(resumed, pops[k]) < 10)
        snprintf(why, sizeof why, "%s: the files hold %zu spikes of %s; nothing to compare",
                 name, ladsim_test_spike_count(resumed, pops[k]), pops[k]);
  }
  MPI_Bcast(why, sizeof why, MPI_CHAR, 0, MPI_COMM_WORLD);
  ck_assert_msg(why[0] == '\0', "%s", why);
}

static void check_resume(const char *name, MPI_Comm first, MPI_Comm second, double t,
                         double stop_at)
{
  check_model_resume(model_text, NULL, name, first, second, t, stop_at);
}

static const char *const lif_pops[] = {"feat", "exc", NULL};

START_TEST(test_written_on_all_resumed_on_one)
{
  check_resume("all_one", MPI_COMM_WORLD, MPI_COMM_SELF, 300.0, 0.0);
}
END_TEST

START_TEST(test_written_on_one_resumed_on_all)
{
  check_resume("one_all", MPI_COMM_SELF, MPI_COMM_WORLD, 300.0, 0.0);
}
END_TEST

START_TEST(test_inside_a_view)
{
  check_resume("in_view", MPI_COMM_WORLD, MPI_COMM_SELF, 303.0, 0.0);
}
END_TEST

/* A stop asked for by rank 0 after 200 ms is agreed at the next view's
 * end and saved at the next exchange boundary; the checkpoint interval
 * (T) is not reached by then. */
START_TEST(test_stopped_by_a_request)
{
  check_resume("stopped", MPI_COMM_WORLD, MPI_COMM_SELF, 400.0, 200.0);
}
END_TEST

/* Spiking: inside a view, with spikes in flight, written on all ranks and
 * resumed on one, and the other way. */
START_TEST(test_lif_written_on_all_resumed_on_one)
{
  check_model_resume(lif_model_text, lif_pops, "lif_all_one", MPI_COMM_WORLD, MPI_COMM_SELF,
                     605.0, 0.0);
}
END_TEST

START_TEST(test_lif_written_on_one_resumed_on_all)
{
  check_model_resume(lif_model_text, lif_pops, "lif_one_all", MPI_COMM_SELF, MPI_COMM_WORLD,
                     605.0, 0.0);
}
END_TEST

/* Spiking, stopped by a request on rank 0 after 300 ms and resumed on
 * one rank. */
START_TEST(test_lif_stopped_by_a_request)
{
  check_model_resume(lif_model_text, lif_pops, "lif_stopped", MPI_COMM_WORLD, MPI_COMM_SELF,
                     500.0, 300.0);
}
END_TEST

int main(int argc, char **argv)
{
  if (argc > 1)
    scratch = argv[argc - 1];
  Suite *s = suite_create("resume");
  TCase *tc = tcase_create("checkpoint");
  tcase_add_test(tc, test_written_on_all_resumed_on_one);
  tcase_add_test(tc, test_written_on_one_resumed_on_all);
  tcase_add_test(tc, test_inside_a_view);
  tcase_add_test(tc, test_stopped_by_a_request);
  tcase_add_test(tc, test_lif_written_on_all_resumed_on_one);
  tcase_add_test(tc, test_lif_written_on_one_resumed_on_all);
  tcase_add_test(tc, test_lif_stopped_by_a_request);
  suite_add_tcase(s, tc);
  return ladsim_test_run_mpi(argc, argv, s);
}
