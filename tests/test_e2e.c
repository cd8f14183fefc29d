/* test_e2e.c: a tiny run on synthetic data, end to end, its HDF5 file read back. */
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

static const char model_text[] =
  "simulation: {resolution: 1 ms, seed: 42}\n"
  "input:\n"
  "  dataset: {name: synthetic, classes: 3, side: 6, train_size: 90, test_size: 60, noise: 0.2}\n"
  "  views_per_sample: 2\n"
  "  view_duration: 5 ms\n"
  "  epochs: 2\n"
  "  augment: {shift: 1 px, noise: 0.05}\n"
  "layers:\n"
  "  - name: first\n"
  "    size: 7\n"
  "    tau: 2 ms\n"
  "    learning: {eta: 0.05, sigreg: {weight: 1, tau: 200 ms}}\n"
  "  - name: second\n"
  "    size: 5\n"
  "    from: first\n"
  "    activation: tanh\n"
  "    learning: {eta: 0.02, sigreg: {target: {gaussian: {std: 0.5}}}}\n"
  "record: {metrics: 100 ms, weights: end}\n"
  "evaluate: {validation: 0.2}\n";

static char dir[64];

static void make_dir(void)
{
  snprintf(dir, sizeof dir, "/tmp/ladsim-e2e-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
}

/* Runs the model into path and fills rep. */
static ladsim_status run(const char *path, ladsim_report *rep, ladsim_model **mout)
{
  ladsim_model *m;
  ladsim_sim *s;
  ladsim_output *o;
  LADSIM_CHECK(ladsim_model_parse(model_text, "e2e.yaml", NULL, 0, &m));
  LADSIM_CHECK(ladsim_sim_create(MPI_COMM_WORLD, m, &s));
  LADSIM_CHECK(ladsim_output_create(MPI_COMM_WORLD, path, true, &o));
  LADSIM_CHECK(ladsim_output_write_string(o, "/config/model", m->text));
  char *resolved;
  LADSIM_CHECK(ladsim_model_to_string(m, &resolved));
  LADSIM_CHECK(ladsim_output_write_string(o, "/config/resolved", resolved));
  free(resolved);
  LADSIM_CHECK(ladsim_sim_run(s, o));
  LADSIM_CHECK(ladsim_sim_evaluate(s, o, rep));
  LADSIM_CHECK(ladsim_output_commit(o));
  ladsim_sim_free(s);
  *mout = m;
  return LADSIM_OK;
}

static double *read_all(hid_t f, const char *path, int *rank, hsize_t dims[3])
{
  return ladsim_test_read(f, path, H5T_NATIVE_DOUBLE, rank, dims);
}

START_TEST(test_run_and_read_back)
{
  make_dir();
  char path[128];
  snprintf(path, sizeof path, "%s/run.h5", dir);
  ladsim_report rep;
  ladsim_model *m;
  ladsim_status st = run(path, &rep, &m);
  ck_assert_msg(st == LADSIM_OK, "%s", ladsim_error_message());
  ck_assert_int_eq(rep.n_layers, 2);
  ck_assert_int_eq(rep.n_test, 60);
  /* Three well separated classes: the probe must beat chance clearly. */
  ck_assert(rep.layers[0].accuracy > 0.6);
  ck_assert(rep.raw_accuracy > 0.6);
  ck_assert(access(path, F_OK) == 0);

  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  ck_assert_int_ge(f, 0);
  int rank;
  hsize_t dims[3];
  /* 2 epochs x 90 samples x 2 views x 5 ms = 1800 ms: 18 metric records. */
  double *t = read_all(f, "/metrics/time", &rank, dims);
  ck_assert_int_eq(rank, 1);
  ck_assert_int_eq(dims[0], 18);
  ck_assert_double_eq_tol(t[0], 100.0, 1e-12);
  ck_assert_double_eq_tol(t[17], 1800.0, 1e-12);
  free(t);
  double *pe = read_all(f, "/metrics/first/predictor_error", &rank, dims);
  ck_assert_int_eq(dims[0], 18);
  for (int i = 0; i < 18; i++)
    ck_assert(isfinite(pe[i]) && pe[i] >= 0.0);
  free(pe);
  /* Weight snapshots at 0 and at the end: 2 x 7 x 36 and 2 x 5 x 7. */
  double *w = read_all(f, "/weights/first/W", &rank, dims);
  ck_assert_int_eq(rank, 3);
  ck_assert_int_eq(dims[0], 2);
  ck_assert_int_eq(dims[1], 7);
  ck_assert_int_eq(dims[2], 36);
  double change = 0.0;
  for (int i = 0; i < 7 * 36; i++)
    change += fabs(w[7 * 36 + i] - w[i]);
  ck_assert(change > 1e-6);   /* the layer learned */
  free(w);
  double *w2 = read_all(f, "/weights/second/W", &rank, dims);
  ck_assert_int_eq(dims[1], 5);
  ck_assert_int_eq(dims[2], 7);
  free(w2);
  double *acc = read_all(f, "/probe/first/accuracy", &rank, dims);
  ck_assert_double_eq(acc[0], rep.layers[0].accuracy);
  free(acc);
  double *pr = read_all(f, "/probe/second/init/participation_ratio", &rank, dims);
  ck_assert_double_eq(pr[0], rep.layers[1].init_participation_ratio);
  free(pr);
  H5Fclose(f);

  /* The report computed again from the file is the same report. */
  ladsim_input_file *in;
  ck_assert_int_eq(ladsim_input_file_open(path, &in), LADSIM_OK);
  ladsim_sim *s;
  ck_assert_int_eq(ladsim_sim_create(MPI_COMM_WORLD, m, &s), LADSIM_OK);
  ck_assert_int_eq(ladsim_sim_load_weights(s, in), LADSIM_OK);
  ladsim_report again;
  ck_assert_int_eq(ladsim_sim_evaluate(s, NULL, &again), LADSIM_OK);
  for (int i = 0; i < 2; i++) {
    ck_assert_double_eq(again.layers[i].accuracy, rep.layers[i].accuracy);
    ck_assert_double_eq(again.layers[i].init_accuracy, rep.layers[i].init_accuracy);
    ck_assert_double_eq_tol(again.layers[i].mean_abs_corr, rep.layers[i].mean_abs_corr, 1e-12);
  }
  ladsim_sim_free(s);
  ladsim_input_file_close(in);
  ladsim_model_free(m);
  remove(path);
  rmdir(dir);
}
END_TEST

/* The same seed gives the same run; the run does not depend on call order. */
START_TEST(test_same_seed_same_weights)
{
  make_dir();
  char a[128], b[128];
  snprintf(a, sizeof a, "%s/a.h5", dir);
  snprintf(b, sizeof b, "%s/b.h5", dir);
  ladsim_report r1, r2;
  ladsim_model *m1, *m2;
  ck_assert_int_eq(run(a, &r1, &m1), LADSIM_OK);
  ck_assert_int_eq(run(b, &r2, &m2), LADSIM_OK);
  hid_t fa = H5Fopen(a, H5F_ACC_RDONLY, H5P_DEFAULT), fb = H5Fopen(b, H5F_ACC_RDONLY, H5P_DEFAULT);
  int rank;
  hsize_t da[3], db[3];
  double *wa = read_all(fa, "/weights/second/W", &rank, da);
  double *wb = read_all(fb, "/weights/second/W", &rank, db);
  ck_assert_int_eq(memcmp(wa, wb, (size_t)(da[0] * da[1] * da[2]) * sizeof(double)), 0);
  free(wa);
  free(wb);
  H5Fclose(fa);
  H5Fclose(fb);
  ladsim_model_free(m1);
  ladsim_model_free(m2);
  remove(a);
  remove(b);
  rmdir(dir);
}
END_TEST

int main(int argc, char **argv)
{
  Suite *s = suite_create("e2e");
  TCase *tc = tcase_create("synthetic");
  tcase_add_test(tc, test_run_and_read_back);
  tcase_add_test(tc, test_same_seed_same_weights);
  tcase_set_timeout(tc, 120);
  suite_add_tcase(s, tc);
  return ladsim_test_run_mpi(argc, argv, s);
}
