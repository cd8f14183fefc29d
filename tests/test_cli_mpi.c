/* test_cli_mpi.c: the ladsim program on 3 ranks: one message, one exit status, whatever fails. */
#include "config.h"
#include <check.h>
#include "cli_util.h"


START_TEST(test_bad_model_reported_once)
{
  ck_assert_int_eq(ladsim("run m.yaml -o bad.h5 --set layers.hidden.tau=5"), 2);
  ck_assert_int_eq(count("error:"), 1);
  ck_assert_ptr_nonnull(strstr(out, "layers.hidden.tau"));
  ck_assert(!exists("bad.h5") && !exists("bad.h5.partial"));
}
END_TEST

START_TEST(test_divergence_reported_once)
{
  int st = ladsim("run m.yaml -o div.h5 --set layers.hidden.activation=linear "
                  "--set layers.hidden.learning.eta=1e12 "
                  "--set layers.hidden.learning.adversarial.form=error");
  ck_assert_msg(st == 1, "exit %d: %s", st, out);
  ck_assert_int_eq(count("error:"), 1);
  ck_assert_ptr_nonnull(strstr(out, "diverged"));
  ck_assert(!exists("div.h5"));
  ck_assert(exists("div.h5.partial"));
}
END_TEST

/* A write that fails on a full disk (here a file size limit) stops every
 * rank: one message, exit status 1, no hang, no crash in MPI_Finalize,
 * and the .partial file opens with what was flushed before, the model
 * among it. 96 KiB is reached in the first record round of m.yaml, whose
 * whole file takes 140 KiB. Run on 2 and 3 ranks: OpenMPI's collective
 * I/O behaves differently from 3 ranks on. */
START_TEST(test_disk_full_stops_every_rank)
{
  char saved[sizeof launcher];
  memcpy(saved, launcher, sizeof launcher);
  for (int ranks = 2; ranks <= 3; ranks++) {
    char *n = strstr(launcher, "-n ");
    ck_assert_ptr_nonnull(n);
    n[3] = (char)('0' + ranks);
    int st = ladsim_file_limit(96, "", "run m.yaml -o full.h5 --quiet");
    ck_assert_msg(st == 1, "%d ranks: exit %d: %s", ranks, st, out);
    ck_assert_msg(count("error:") == 1, "%d ranks: %s", ranks, out);
    ck_assert_ptr_nonnull(strstr(out, "cannot append to"));
    ck_assert_ptr_nonnull(strstr(out, "what was recorded so far is in full.h5.partial"));
    ck_assert(!exists("full.h5"));
    ck_assert_msg(h5_holds("full.h5.partial", "/config/resolved"), "%d ranks", ranks);
    unlink_in_dir("full.h5.partial");
  }
  memcpy(launcher, saved, sizeof launcher);
}
END_TEST

/* The user's trial as it was reported: the output on a 100 KiB tmpfs
 * that fills up (ENOSPC), on 3 ranks. Needs mount (root, and a container
 * that allows it); says so and checks nothing otherwise. */
START_TEST(test_full_tmpfs)
{
  char cmd[256];
  snprintf(cmd, sizeof cmd, "mkdir %s/full && mount -t tmpfs -o size=100k tmpfs "
           "%s/full 2>/dev/null", dir, dir);
  if (system(cmd) != 0) {
    puts("test_cli_mpi: full_tmpfs skipped: cannot mount a tmpfs here");
    return;
  }
  int st = ladsim("run m.yaml -o full/out.h5 --quiet --set record.metrics=4ms");
  int errors = count("error:");
  int readable = h5_holds("full/out.h5.partial", "/config/resolved");
  int final = exists("full/out.h5");
  snprintf(cmd, sizeof cmd, "umount %s/full", dir);
  ck_assert_int_eq(system(cmd), 0);
  ck_assert_msg(st == 1, "exit %d: %s", st, out);
  ck_assert_msg(errors == 1, "%s", out);
  ck_assert(!final);
  ck_assert(readable);
}
END_TEST

START_TEST(test_run_on_three_ranks)
{
  ck_assert_msg(ladsim("run m.yaml -o r.h5") == 0, "%s", out);
  ck_assert_int_eq(count("Evaluation: frozen network"), 1);
  ck_assert(exists("r.h5"));
}
END_TEST

int main(void)
{
  const char *mpiexec = getenv("LADSIM_MPIEXEC");
  if (!mpiexec || !*mpiexec) {
    puts("test_cli_mpi: no MPI launcher found by configure; skipped");
    return 77;
  }
  snprintf(launcher, sizeof launcher, "%s --oversubscribe %s-n 3 ", mpiexec,
           getuid() == 0 ? "--allow-run-as-root " : "");
  Suite *s = suite_create("cli_mpi");
  TCase *tc = tcase_create("three_ranks");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_bad_model_reported_once);
  tcase_add_test(tc, test_divergence_reported_once);
  tcase_add_test(tc, test_run_on_three_ranks);
  tcase_add_test(tc, test_disk_full_stops_every_rank);
  tcase_add_test(tc, test_full_tmpfs);
  tcase_set_timeout(tc, 120);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
