/* test_cli.c: the ladsim program as a user meets it: exit codes, messages, files. */
#include "config.h"
#include <check.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli_util.h"
#include "lif_models.h"
#include "h5check.h"

START_TEST(test_help_and_version)
{
  ck_assert_int_eq(ladsim("--help"), 0);
  ck_assert_ptr_nonnull(strstr(out, "usage: ladsim"));
  ck_assert_int_eq(ladsim("run --help"), 0);
  ck_assert_ptr_nonnull(strstr(out, "--force"));
  ck_assert_int_eq(ladsim("--version"), 0);
  ck_assert_ptr_nonnull(strstr(out, PACKAGE_VERSION));
  ck_assert_int_eq(ladsim("frobnicate"), 2);
  ck_assert_ptr_nonnull(strstr(out, "unknown command"));
  ck_assert_int_eq(ladsim("run m.yaml --bogus"), 2);
  ck_assert_ptr_nonnull(strstr(out, "--bogus"));
}
END_TEST

START_TEST(test_run_writes_once)
{
  ck_assert_msg(ladsim("run m.yaml -o r.h5") == 0, "%s", out);
  ck_assert_ptr_nonnull(strstr(out, "linear-probe accuracy"));
  ck_assert(exists("r.h5"));
  ck_assert(!exists("r.h5.partial"));
  struct stat before, after;
  char path[256];
  snprintf(path, sizeof path, "%s/r.h5", dir);
  ck_assert_int_eq(stat(path, &before), 0);
  /* An existing output is not overwritten without --force. */
  ck_assert_msg(ladsim("run m.yaml -o r.h5") == 2, "%s", out);
  ck_assert_ptr_nonnull(strstr(out, "--force"));
  ck_assert_int_eq(stat(path, &after), 0);
  ck_assert_int_eq(before.st_mtime, after.st_mtime);
  ck_assert_int_eq(before.st_size, after.st_size);
  ck_assert_int_eq(ladsim("run m.yaml -o r.h5 --force --set layers.hidden.size=4"), 0);
  /* The report again from the file. */
  ck_assert_int_eq(ladsim("probe r.h5"), 0);
  ck_assert_ptr_nonnull(strstr(out, "layer hidden (4 neurons)"));
  /* The default output name is the model's; --profile times the phases. */
  ck_assert_int_eq(ladsim("run m.yaml --quiet --profile"), 0);
  ck_assert_ptr_nonnull(strstr(out, "profile (1 process, without MPI)"));
  ck_assert_ptr_nonnull(strstr(out, "steps"));
  ck_assert_ptr_nonnull(strstr(out, "evaluation"));
  ck_assert(exists("m.h5"));
}
END_TEST

START_TEST(test_bad_model_leaves_nothing)
{
  ck_assert_int_eq(ladsim("run m.yaml -o bad.h5 --set layers.hidden.tau=5"), 2);
  ck_assert_ptr_nonnull(strstr(out, "layers.hidden.tau"));
  ck_assert(!exists("bad.h5"));
  ck_assert(!exists("bad.h5.partial"));
  ck_assert_int_eq(ladsim("run missing.yaml -o bad.h5"), 2);
  ck_assert_ptr_nonnull(strstr(out, "missing.yaml"));
  ck_assert(!exists("bad.h5"));
  ck_assert_int_eq(ladsim("validate m.yaml --set layers.hidden.size=0"), 2);
  ck_assert_ptr_nonnull(strstr(out, "size"));
}
END_TEST

/* Problems with the output or the evaluation are found before training. */
START_TEST(test_bad_output_found_early)
{
  ck_assert_int_eq(ladsim("run m.yaml -o nodir/x.h5"), 2);
  ck_assert_ptr_nonnull(strstr(out, "nodir"));
  ck_assert_int_eq(ladsim("run m.yaml -o fifo --force"), 2);   /* not a regular file */
  ck_assert_ptr_nonnull(strstr(out, "not a regular file"));
  ck_assert_int_eq(ladsim("run m.yaml -o few.h5 --set evaluate.test=1"), 2);
  ck_assert_ptr_nonnull(strstr(out, "at least 2"));
  ck_assert(!exists("few.h5"));
  ck_assert(!exists("few.h5.partial"));
}
END_TEST

/* Writes text to file name of the test directory. */
static void put(const char *name, const char *text)
{
  char path[256];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  FILE *f = fopen(path, "w");
  ck_assert_ptr_nonnull(f);
  fputs(text, f);
  fclose(f);
}

/* Run without a launcher, the program does not start MPI; with
 * LADSIM_MPI=1 it starts it as one rank. The two write the same files, to
 * the bit: a rate model with its evaluation, and a spiking model that
 * learns and records its spikes. */
START_TEST(test_lone_process_without_mpi)
{
  ck_assert_msg(ladsim("run m.yaml -o lone.h5 --quiet --profile") == 0, "%s", out);
  ck_assert_msg(strstr(out, "profile (1 process, without MPI)") != NULL, "%s", out);
  char cmd[1024], a_path[256], b_path[256];
  snprintf(cmd, sizeof cmd, "cd %s && LADSIM_MPI=1 %s run m.yaml -o one.h5 --quiet --profile "
           "2>&1", dir, prog);
  ck_assert_msg(run_shell(cmd) == 0, "%s", out);
  ck_assert_msg(strstr(out, "profile (1 rank)") != NULL, "%s", out);
  put("lif.yaml", LADSIM_TEST_LIF_INPUT LADSIM_TEST_LIF_FEAT("")
      "record: {spikes: all, metrics: 20 ms}\n");
  ck_assert_msg(ladsim("run lif.yaml -o lif_lone.h5 --quiet") == 0, "%s", out);
  snprintf(cmd, sizeof cmd, "cd %s && LADSIM_MPI=1 %s run lif.yaml -o lif_one.h5 --quiet 2>&1",
           dir, prog);
  ck_assert_msg(run_shell(cmd) == 0, "%s", out);
  static const char *const pairs[][2] = {{"lone.h5", "one.h5"}, {"lif_lone.h5", "lif_one.h5"}};
  for (int k = 0; k < 2; k++) {
    snprintf(a_path, sizeof a_path, "%s/%s", dir, pairs[k][0]);
    snprintf(b_path, sizeof b_path, "%s/%s", dir, pairs[k][1]);
    ladsim_test_h5cmp c = ladsim_test_compare_files(a_path, b_path);
    ck_assert_msg(c.compared > 15 && c.differ == 0, "%s: %zu of %zu data sets differ, the "
                  "first %s", pairs[k][0], c.differ, c.compared, c.first);
  }
  ck_assert(h5_holds("lif_lone.h5", "/spikes/feat/timestamps"));
}
END_TEST

/* Neither -o nor --checkpoint overwrites what the run reads or each other;
 * a file at the checkpoint path that is not this run's checkpoint is kept
 * unless --force. */
START_TEST(test_output_never_overwrites_inputs)
{
  ck_assert_int_eq(ladsim("run m.yaml -o cm.h5 --checkpoint m.yaml --set record.checkpoint=1s"),
                   2);
  ck_assert_ptr_nonnull(strstr(out, "--checkpoint m.yaml is the model file"));
  ck_assert_int_eq(ladsim("run m.yaml -o ./m.yaml --force"), 2);
  ck_assert_ptr_nonnull(strstr(out, "-o ./m.yaml is the model file"));
  slurp("m.yaml");
  ck_assert_str_eq(out, model_text);
  ck_assert(!exists("cm.h5") && !exists("cm.h5.partial"));
  /* A data file: refused before it is read, so any bytes will do. */
  put("data.idx", "not read");
  put("d.yaml", "input:\n  dataset: {train: {images: data.idx, labels: data.idx},\n"
      "            test: {images: data.idx, labels: data.idx}}\n"
      "layers: [{name: hidden, size: 4}]\n");
  ck_assert_int_eq(ladsim("run d.yaml -o data.idx --force"), 2);
  ck_assert_ptr_nonnull(strstr(out, "is the data file"));
  ck_assert_int_eq(ladsim("run d.yaml -o d.h5 --checkpoint ../${PWD##*/}/data.idx"), 2);
  ck_assert_ptr_nonnull(strstr(out, "is the data file"));
  slurp("data.idx");
  ck_assert_str_eq(out, "not read");
  /* The files of a named set, found in its directory. */
  char fm[256];
  snprintf(fm, sizeof fm, "%s/fm", dir);
  ck_assert_int_eq(mkdir(fm, 0700), 0);
  put("fm/t10k-labels-idx1-ubyte.gz", "not read");
  put("fm.yaml", "input: {dataset: {name: fashion-mnist, dir: fm}}\n"
      "layers: [{name: hidden, size: 4}]\n");
  ck_assert_int_eq(ladsim("run fm.yaml -o fm/t10k-labels-idx1-ubyte.gz --force"), 2);
  ck_assert_ptr_nonnull(strstr(out, "is the data file"));
  slurp("fm/t10k-labels-idx1-ubyte.gz");
  ck_assert_str_eq(out, "not read");
  ck_assert_int_eq(ladsim("run m.yaml -o same.h5 --checkpoint same.h5"), 2);
  ck_assert_ptr_nonnull(strstr(out, "--checkpoint and -o name the same file"));
  ck_assert(!exists("same.h5"));
  /* A foreign file at the checkpoint path, the default one included. */
  put("keep.h5", "mine");
  put("k.ckpt.h5", "mine too");
  ck_assert_int_eq(ladsim("run m.yaml -o k.h5 --checkpoint keep.h5"), 2);
  ck_assert_ptr_nonnull(strstr(out, "is not a checkpoint of a run writing k.h5"));
  ck_assert_ptr_nonnull(strstr(out, "--force"));
  ck_assert_int_eq(ladsim("run m.yaml -o k.h5"), 2);
  ck_assert_ptr_nonnull(strstr(out, "--checkpoint k.ckpt.h5"));
  slurp("keep.h5");
  ck_assert_str_eq(out, "mine");
  slurp("k.ckpt.h5");
  ck_assert_str_eq(out, "mine too");
  ck_assert(!exists("k.h5"));
  /* A checkpoint of a run writing the same output is replaced without
   * --force. */
  ck_assert_msg(ladsim("run m.yaml -o c.h5 --set record.checkpoint=20ms") == 0, "%s", out);
  ck_assert(exists("c.ckpt.h5"));
  char path[256];
  snprintf(path, sizeof path, "%s/c.h5", dir);
  ck_assert_int_eq(unlink(path), 0);
  ck_assert_msg(ladsim("run m.yaml -o c.h5 --set record.checkpoint=20ms") == 0, "%s", out);
  /* ... and -o may not be the checkpoint resumed from. */
  ck_assert_int_eq(ladsim("run m.yaml -o c.ckpt.h5 --force --resume c.ckpt.h5"), 2);
  ck_assert_ptr_nonnull(strstr(out, "is the checkpoint this run resumes from"));
  ck_assert_int_eq(ladsim("run m.yaml -o k.h5 --checkpoint keep.h5 --force"), 0);
}
END_TEST

START_TEST(test_divergence_keeps_partial)
{
  int st = ladsim("run m.yaml -o div.h5 --set layers.hidden.activation=linear "
                  "--set layers.hidden.learning.eta=1e12 "
                  "--set layers.hidden.learning.adversarial.form=error");
  ck_assert_msg(st == 1, "exit %d: %s", st, out);
  ck_assert_ptr_nonnull(strstr(out, "diverged"));
  ck_assert_ptr_nonnull(strstr(out, "neuron"));
  ck_assert_ptr_nonnull(strstr(out, "div.h5.partial"));
  ck_assert(!exists("div.h5"));
  ck_assert(exists("div.h5.partial"));
  /* With record.weights: end it stopped holding only the t = 0 snapshot:
   * there is nothing learned to probe. */
  ck_assert_int_eq(ladsim("probe div.h5.partial"), 2);
  ck_assert_ptr_nonnull(strstr(out, "div.h5.partial holds only the weights at "
                                    "initialisation"));
  ck_assert_ptr_null(strstr(out, "linear-probe accuracy"));
  ck_assert_ptr_null(strstr(out, "warning"));
  /* A file that is not there, or not a file, is named before any warning. */
  ck_assert_int_eq(ladsim("probe gone.h5.partial"), 2);
  ck_assert_ptr_nonnull(strstr(out, "error: cannot open gone.h5.partial"));
  ck_assert_ptr_null(strstr(out, "warning"));
  ck_assert_int_eq(ladsim("probe ."), 2);
  ck_assert_ptr_nonnull(strstr(out, ". is not a regular file"));
  ck_assert_ptr_null(strstr(out, "HDF5-DIAG"));
}
END_TEST

/* A stopped run that recorded weights at intervals is probed at its last
 * snapshot, and the warning says when that was. */
START_TEST(test_probe_partial_with_snapshots)
{
  char cmd[1024];
  snprintf(cmd, sizeof cmd,
           "cd %s && { %s run m.yaml --set input.epochs=1000 --set input.view_duration=40ms "
           "--set record.weights=4ms --quiet "
           "-o stop.h5 > stop.log 2>&1 & pid=$!; sleep 1; kill -TERM $pid; wait $pid; }",
           dir, prog);
  ck_assert_int_eq(system(cmd) >> 8, 1);
  ck_assert(exists("stop.h5.partial"));
  ck_assert_msg(ladsim("probe stop.h5.partial") == 0, "%s", out);
  ck_assert_ptr_nonnull(strstr(out, "warning: stop.h5.partial is the file of a run that did "
                                    "not finish; \"learned\" is its last weight snapshot, at t = "));
  ck_assert_ptr_nonnull(strstr(out, "linear-probe accuracy"));
}
END_TEST

/* A write that fails on a full disk (here a file size limit: EFBIG, as
 * ENOSPC would) ends the run with one message and exit status 1, not a
 * crash when HDF5 shuts down (exit 139), and the .partial file opens with
 * what was flushed before the failure. 96 KiB is reached in the first
 * record round of m.yaml, whose whole file takes 140 KiB. A lone process
 * writes through HDF5's POSIX driver, whose chunk cache holds the values
 * appended until the round's flush, which fails; with LADSIM_MPI=1 it
 * starts MPI as one rank and writes through MPI-IO, where the append
 * itself fails. Each names the call that failed. */
START_TEST(test_disk_full_keeps_partial)
{
  static const char *const how[][2] = {
    {"", "cannot flush the output file in full.h5.partial: pwrite failed"},
    {"LADSIM_MPI=1", "in full.h5.partial: MPI_File_write_at failed"}};
  for (int k = 0; k < 2; k++) {
    int st = ladsim_file_limit(96, how[k][0], "run m.yaml -o full.h5 --quiet");
    ck_assert_msg(st == 1, "exit %d: %s", st, out);
    ck_assert_int_eq(count("error:"), 1);
    ck_assert_msg(strstr(out, how[k][1]) != NULL, "%s", out);
    ck_assert_ptr_nonnull(strstr(out, "is the disk full?"));
    ck_assert_ptr_nonnull(strstr(out, "what was recorded so far is in full.h5.partial"));
    ck_assert(!exists("full.h5"));
    ck_assert(h5_holds("full.h5.partial", "/config/resolved"));
    unlink_in_dir("full.h5.partial");
  }
  /* Without the limit the same run completes: the failure was the limit. */
  ck_assert_msg(ladsim_file_limit(100000, "", "run m.yaml -o ok.h5 --quiet") == 0, "%s", out);
  ck_assert(h5_holds("ok.h5", "/metrics/time"));
}
END_TEST

/* A disk that is full before the run has written anything (here a file
 * size limit of 0: HDF5 writes the file's first block as it creates it)
 * stops the run with a message that says so, and leaves no empty .partial
 * file behind, which HDF5 could not open. */
START_TEST(test_full_disk_at_create)
{
  int st = ladsim_file_limit(0, "", "run m.yaml -o none.h5 --quiet");
  ck_assert_msg(st == 1, "exit %d: %s", st, out);   /* a failure of the run, as a full disk later */
  ck_assert_int_eq(count("error:"), 1);
  ck_assert_msg(strstr(out, "cannot create none.h5.partial: File too large; is the disk "
                            "full, or a file size limit (ulimit -f) reached?") != NULL,
                "%s", out);
  ck_assert(!exists("none.h5.partial") && !exists("none.h5"));
}
END_TEST

/* A run killed outright (SIGKILL: no handler, no checkpoint) leaves a
 * .partial file that opens with the record rounds before the kill, also
 * when the first series it created is /weights/time (a snapshot at t = 0,
 * the next at the end): each round flushes what came before it. */
START_TEST(test_killed_run_keeps_records)
{
  char cmd[1024];
  snprintf(cmd, sizeof cmd,
           "cd %s && { %s run m.yaml --set input.epochs=1000 --set input.view_duration=40ms "
           "--set record.metrics=400ms --set record.weights=end --quiet -o kill.h5 > kill.log "
           "2>&1 & pid=$!; sleep 1; kill -KILL $pid; wait $pid; }", dir, prog);
  ck_assert_int_eq(system(cmd) >> 8, 128 + 9);
  ck_assert(!exists("kill.h5"));
  char path[256];
  snprintf(path, sizeof path, "%s/kill.h5.partial", dir);
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  ck_assert_int_ge(f, 0);
  ck_assert_int_gt(H5Lexists(f, "/weights/time", H5P_DEFAULT), 0);
  int rank;
  hsize_t dims[3];
  double *t = ladsim_test_read(f, "/metrics/time", H5T_NATIVE_DOUBLE, &rank, dims);
  ck_assert_uint_gt(dims[0], 10);   /* thousands of rounds a second here */
  ck_assert_double_gt(t[dims[0] - 1], t[0]);
  free(t);
  H5Fclose(f);
}
END_TEST

/* A symbolic link where the run's .partial file goes (left there, or
 * planted) is removed, not followed: the file it points to, here the
 * model itself, stays as it was. A directory there is refused. */
START_TEST(test_partial_link_not_followed)
{
  char model_path[256], link_path[256], before[sizeof out];
  snprintf(model_path, sizeof model_path, "%s/m.yaml", dir);
  snprintf(link_path, sizeof link_path, "%s/ln.h5.partial", dir);
  ck_assert_int_eq(symlink(model_path, link_path), 0);
  slurp("m.yaml");
  strcpy(before, out);
  ck_assert_msg(ladsim("run m.yaml -o ln.h5 --quiet") == 0, "%s", out);
  slurp("m.yaml");
  ck_assert_str_eq(out, before);
  struct stat st;
  snprintf(link_path, sizeof link_path, "%s/ln.h5", dir);
  ck_assert_int_eq(lstat(link_path, &st), 0);
  ck_assert(S_ISREG(st.st_mode));
  ck_assert(!exists("ln.h5.partial"));
  snprintf(link_path, sizeof link_path, "%s/d.h5.partial", dir);
  ck_assert_int_eq(mkdir(link_path, 0700), 0);
  ck_assert_int_eq(ladsim("run m.yaml -o d.h5 --quiet"), 2);
  ck_assert_msg(strstr(out, "d.h5.partial is a directory, where the run would write until "
                            "it ends; remove it or choose another -o") != NULL, "%s", out);
  rmdir(link_path);
}
END_TEST

/* SIGTERM stops a run at the next exchange boundary with a checkpoint;
 * what was recorded stays readable, and the run resumed from the
 * checkpoint writes the file of a run that never stopped. */
START_TEST(test_signal_checkpoint_resume)
{
  char cmd[1024];
  /* the run would take some 15 s: the signal comes long before its end */
  const char *model = "m.yaml --set input.epochs=1000 --set input.view_duration=40ms "
                      "--set record.metrics=4ms --quiet";
  snprintf(cmd, sizeof cmd,
           "cd %s && { %s run %s -o sig.h5 > sig.log 2>&1 & pid=$!; sleep 2; kill -TERM $pid; "
           "wait $pid; echo $? > sig.status; }", dir, prog, model);
  ck_assert_int_eq(system(cmd), 0);
  char path[256];
  snprintf(path, sizeof path, "%s/sig.status", dir);
  FILE *f = fopen(path, "r");
  int status = -1;
  ck_assert_int_eq(fscanf(f, "%d", &status), 1);
  fclose(f);
  ck_assert_int_eq(status, 1);
  ck_assert(!exists("sig.h5"));
  ck_assert(exists("sig.h5.partial"));
  ck_assert(exists("sig.ckpt.h5"));
  snprintf(path, sizeof path, "%s/sig.h5.partial", dir);
  ck_assert_int_gt(H5Fis_hdf5(path), 0);
  hid_t h = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  ck_assert_int_ge(h, 0);
  ck_assert_int_gt(H5Lexists(h, "/metrics/time", H5P_DEFAULT), 0);
  H5Fclose(h);
  slurp("sig.log");
  ck_assert_ptr_nonnull(strstr(out, "stopped by a signal"));
  ck_assert_ptr_nonnull(strstr(out, "--resume sig.ckpt.h5"));
  ck_assert_ptr_nonnull(strstr(out, "sig.h5.partial"));
  /* When it stopped, and the same run to 20 ms later, straight and resumed. */
  snprintf(path, sizeof path, "%s/sig.ckpt.h5", dir);
  h = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  ck_assert_int_ge(h, 0);
  double t = -1;
  hid_t a = H5Aopen_by_name(h, "/resume", "time_ms", H5P_DEFAULT, H5P_DEFAULT);
  ck_assert_int_ge(H5Aread(a, H5T_NATIVE_DOUBLE, &t), 0);
  H5Aclose(a);
  H5Fclose(h);
  ck_assert_double_gt(t, 0.0);
  char args[512];
  snprintf(args, sizeof args, "run %s -o straight.h5 --set simulation.duration=%.0fms", model,
           t + 20);
  ck_assert_msg(ladsim(args) == 0, "%s", out);
  snprintf(args, sizeof args, "run %s -o sig.h5 --set simulation.duration=%.0fms "
           "--resume sig.ckpt.h5", model, t + 20);
  ck_assert_msg(ladsim(args) == 0, "%s", out);
  ck_assert(exists("sig.h5") && !exists("sig.h5.partial"));
  char a_path[256], b_path[256];
  snprintf(a_path, sizeof a_path, "%s/straight.h5", dir);
  snprintf(b_path, sizeof b_path, "%s/sig.h5", dir);
  ladsim_test_h5cmp c = ladsim_test_compare_files(a_path, b_path);
  ck_assert_msg(c.compared > 15 && c.differ == 0, "%zu of %zu data sets differ, the first %s",
                c.differ, c.compared, c.first);
  /* A checkpoint of another model is refused before anything is written. */
  snprintf(args, sizeof args, "run %s -o other.h5 --set layers.hidden.size=5 "
           "--resume sig.ckpt.h5", model);
  ck_assert_int_eq(ladsim(args), 2);
  ck_assert_msg(strstr(out, "another model: layers.hidden.size differs ('size: 6' "
                          "there, 'size: 5' here)") != NULL, "%s", out);
  ck_assert(!exists("other.h5") && !exists("other.h5.partial"));
}
END_TEST

START_TEST(test_validate_and_config)
{
  ck_assert_int_eq(ladsim("validate m.yaml"), 0);
  ck_assert_ptr_nonnull(strstr(out, "valid"));
  /* The resolved model is itself a valid model that resolves the same. */
  ck_assert_int_eq(ladsim("config m.yaml --set layers.hidden.size=11 > resolved.yaml"), 0);
  char first[8192];
  ck_assert_int_eq(ladsim("config m.yaml --set layers.hidden.size=11"), 0);
  snprintf(first, sizeof first, "%s", out);
  ck_assert_ptr_nonnull(strstr(first, "size: 11"));
  ck_assert_ptr_nonnull(strstr(first, "tau: 5 ms"));
  ck_assert_int_eq(ladsim("config resolved.yaml"), 0);
  ck_assert_str_eq(out, first);
}
END_TEST

/* validate accepts what run accepts and refuses what run refuses before
 * simulating, with the same message. */
START_TEST(test_validate_agrees_with_run)
{
  put("none.yaml", "simulation: {resolution: 0.1 ms, min_delay: 0.1 ms, duration: 2 ms}\n"
      "input: {dataset: none}\n"
      "layers:\n  - {name: a, neuron: lif, size: 3, from: none, learn: false}\n"
      "projections:\n  - {from: a, to: a, rule: indegree, indegree: 1, weight: 1 mV, delay: 0.1 ms}\n");
  ck_assert_msg(ladsim("validate none.yaml") == 0, "%s", out);
  ck_assert_ptr_nonnull(strstr(out, "none.yaml: valid"));
  ck_assert_msg(ladsim("run none.yaml -o none.h5") == 0, "%s", out);
  /* The probe needs 2 samples: found by both, naming the model file. */
  const char *few = "m.yaml --set input.dataset.train_size=1";
  char args[256];
  snprintf(args, sizeof args, "validate %s", few);
  ck_assert_int_eq(ladsim(args), 2);
  ck_assert_ptr_nonnull(strstr(out, "error: m.yaml: evaluate: the probe needs at least 2"));
  char first[sizeof out];
  snprintf(first, sizeof first, "%s", out);
  snprintf(args, sizeof args, "run %s -o few.h5", few);
  ck_assert_int_eq(ladsim(args), 2);
  ck_assert_str_eq(out, first);
  ck_assert(!exists("few.h5") && !exists("few.h5.partial"));
  /* A lif layer cannot take centred pixels: the key and its line. */
  put("lif.yaml", "input:\n  dataset: {name: synthetic, train_size: 8, test_size: 8}\n"
      "  center: true\n"
      "layers:\n  - {name: hid, neuron: lif, size: 4}\n");
  ck_assert_int_eq(ladsim("validate lif.yaml"), 2);
  ck_assert_ptr_nonnull(strstr(out, "error: lif.yaml:3:11: input.center: the lif layer 'hid'"));
  ck_assert_int_eq(ladsim("run lif.yaml -o lif.h5"), 2);
  ck_assert_ptr_nonnull(strstr(out, "lif.yaml:3:11: input.center"));
}
END_TEST

/* A sanitizer build's library needs the sanitizer runtime in the program. */
#ifdef __SANITIZE_ADDRESS__
#define TINY_SAN_FLAGS "-fsanitize=address,undefined "
#else
#define TINY_SAN_FLAGS ""
#endif

/* A program using libladsim compiles and links with plain cc and the flags
 * of ladsim.pc (pointed at the build tree): its Requires bring <mpi.h>. */
START_TEST(test_pkgconfig_compiles)
{
  const char *b = getenv("LADSIM_BUILDDIR"), *sdir = getenv("LADSIM_SRCDIR");
  char *build = realpath(b ? b : "..", NULL), *src = realpath(sdir ? sdir : "..", NULL);
  ck_assert_ptr_nonnull(build);
  ck_assert_ptr_nonnull(src);
  put("tiny.c", "#include <ladsim/ladsim.h>\n#include <stdio.h>\n"
      "int main(void) { printf(\"exit %d\\n\", ladsim_exit_status(LADSIM_EUSAGE)); "
      "return 0; }\n");
  /* A copy of ladsim.pc whose directories are the trees' (--define-variable
   * would redefine them for mpi.pc too). */
  char cmd[4096];
  snprintf(cmd, sizeof cmd, "cd %s && mkdir pc && sed -e 's|^includedir=.*|includedir=%s/include|' "
           "-e 's|^libdir=.*|libdir=%s/.libs|' %s/ladsim.pc > pc/ladsim.pc && "
           "cc " TINY_SAN_FLAGS "tiny.c -o tiny $(PKG_CONFIG_PATH=pc pkg-config --cflags --libs "
           "ladsim) > cc.log "
           "2>&1 && LD_LIBRARY_PATH=%s/.libs ./tiny > tiny.out", dir, src, build, build, build);
  free(build);
  free(src);
  int st = system(cmd);
  slurp("cc.log");
  ck_assert_msg(st == 0, "compiling with pkg-config's flags failed: %s", out);
  slurp("tiny.out");
  ck_assert_str_eq(out, "exit 2\n");
}
END_TEST

/* The command line's own mistakes: each named, with what to do, exit 2,
 * no HDF5 error stack. */
START_TEST(test_usage_messages)
{
  ck_assert_int_eq(ladsim("probe"), 2);
  ck_assert_ptr_nonnull(strstr(out, "error: missing the output file of a run"));
  ck_assert_int_eq(ladsim("run m.yaml -o ''"), 2);
  ck_assert_ptr_nonnull(strstr(out, "error: -o: empty path"));
  ck_assert_ptr_null(strstr(out, "ladsim_output_create"));
  ck_assert_int_eq(ladsim("run m.yaml -o /proc/out.h5"), 2);
  ck_assert_ptr_nonnull(strstr(out, "error: -o /proc/out.h5: cannot create a file there"));
  ck_assert_int_eq(ladsim("run m.yaml -o p.h5 --progress --quiet"), 2);
  ck_assert_ptr_nonnull(strstr(out, "--progress and --quiet contradict each other"));
  ck_assert(!exists("p.h5"));
  ck_assert_int_eq(ladsim("run m.yaml -o r.h5 --resume ."), 2);
  ck_assert_ptr_nonnull(strstr(out, "error: --resume . is not a regular file"));
  ck_assert_ptr_null(strstr(out, "HDF5-DIAG"));
  ck_assert_int_eq(ladsim("run m.yaml -o r.h5 --resume m.yaml"), 2);
  ck_assert_ptr_nonnull(strstr(out, "error: --resume m.yaml is not a ladsim checkpoint"));
  ck_assert_ptr_null(strstr(out, "HDF5-DIAG"));
  ck_assert_msg(ladsim("run m.yaml -o done.h5 --quiet") == 0, "%s", out);
  ck_assert_int_eq(ladsim("run m.yaml -o r.h5 --resume done.h5"), 2);
  ck_assert_ptr_nonnull(strstr(out, "error: --resume done.h5 is not a ladsim checkpoint but "
                                    "the output file of a run"));
  ck_assert(!exists("r.h5") && !exists("r.h5.partial"));
  ck_assert_int_eq(ladsim("--help"), 0);
  ck_assert_ptr_nonnull(strstr(out, "rate neurons and leaky integrate-and-fire"));
  ck_assert_ptr_nonnull(strstr(out, "ladsim run --help"));
  ck_assert_int_eq(ladsim("run --help"), 0);
  ck_assert_ptr_nonnull(strstr(out, "only simulation.duration, record.checkpoint and\n"
                                    "                    record.progress may change"));
}
END_TEST

/* A learning rate so high that every neuron falls silent is not an error,
 * but the run says so on stderr and in the report, naming the layer. */
START_TEST(test_dead_layer_warning)
{
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "cd %s && %s run m.yaml -o dead.h5 --quiet "
           "--set layers.hidden.learning.eta=1e6 > dead.out 2> dead.err", dir, prog);
  ck_assert_int_eq(system(cmd), 0);
  slurp("dead.err");
  ck_assert_msg(strstr(out, "ladsim: warning: layer hidden: every neuron is silent after "
                            "learning") != NULL, "%s", out);
  ck_assert_ptr_nonnull(strstr(out, "lower layers.hidden.learning.eta"));
  slurp("dead.out");
  ck_assert_ptr_nonnull(strstr(out, "\nwarning: layer hidden: every neuron is silent"));
  /* A sound run has none. */
  ck_assert_msg(ladsim("run m.yaml -o alive.h5 --quiet") == 0, "%s", out);
  ck_assert_ptr_null(strstr(out, "warning"));
}
END_TEST

int main(void)
{
  Suite *s = suite_create("cli");
  TCase *tc = tcase_create("program");
  tcase_add_checked_fixture(tc, setup, teardown);
  tcase_add_test(tc, test_help_and_version);
  tcase_add_test(tc, test_run_writes_once);
  tcase_add_test(tc, test_lone_process_without_mpi);
  tcase_add_test(tc, test_bad_model_leaves_nothing);
  tcase_add_test(tc, test_divergence_keeps_partial);
  tcase_add_test(tc, test_probe_partial_with_snapshots);
  tcase_add_test(tc, test_output_never_overwrites_inputs);
  tcase_add_test(tc, test_bad_output_found_early);
  tcase_add_test(tc, test_validate_and_config);
  tcase_add_test(tc, test_validate_agrees_with_run);
  tcase_add_test(tc, test_pkgconfig_compiles);
  tcase_add_test(tc, test_usage_messages);
  tcase_add_test(tc, test_dead_layer_warning);
  tcase_add_test(tc, test_signal_checkpoint_resume);
  tcase_add_test(tc, test_disk_full_keeps_partial);
  tcase_add_test(tc, test_full_disk_at_create);
  tcase_add_test(tc, test_killed_run_keeps_records);
  tcase_add_test(tc, test_partial_link_not_followed);
  tcase_set_timeout(tc, 120);
  suite_add_tcase(s, tc);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
