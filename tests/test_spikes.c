/* test_spikes.c: Check suite for SONATA spike output, the id reader and Poisson input trains. */
#include "config.h"
#include <ladsim/dataset.h>
#include <ladsim/output.h>
#include "core/rng.h"

#include <check.h>
#include "check_mpi.h"
#include <hdf5.h>
#include <math.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* A fresh directory per test, so files of one test never meet another's. */
static char dir[64];
static char path[128];
static char partial[160];

static void setup(void)
{
  snprintf(dir, sizeof dir, "/tmp/ladsim-test-spikes-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/run.h5", dir);
  snprintf(partial, sizeof partial, "%s.partial", path);
}

static void teardown(void)
{
  /* A leaked handle keeps a parallel file from closing. */
  ck_assert_int_eq(H5Fget_obj_count((hid_t)H5F_OBJ_ALL, H5F_OBJ_ALL), 0);
  unlink(path);
  unlink(partial);
  rmdir(dir);
}

static ladsim_output *create_ok(void)
{
  ladsim_output *o = NULL;
  ck_assert_int_eq(ladsim_output_create(MPI_COMM_WORLD, path, false, &o),
                   LADSIM_OK);
  return o;
}

/* ------------------------------------------------------------------ */
/* Spike output                                                        */

/* The spikes of "hidden" over three appends, the middle one empty. Times
 * are exact in binary; the third append starts at the time the first one
 * ended (a tie across appends is in order); ids above 2^53 would lose
 * their last bit through a double. */
static const double T1[3] = {0.125, 0.5, 2.75};
static const uint64_t I1[3] = {7, (UINT64_C(1) << 53) + 1, 0};
static const double T3[4] = {2.75, 3.0625, 3.0625, 19.5};
static const uint64_t I3[4] = {3, 4, UINT64_MAX, 12};
static const double T_IN[2] = {0.0, 0.25};
static const uint64_t I_IN[2] = {783, 0};

static void append_ok(ladsim_output *o, const char *pop, size_t n,
                      const double *t, const uint64_t *ids)
{
  ladsim_status s = ladsim_output_spikes_append(o, pop, n, t, ids);
  ck_assert_msg(s == LADSIM_OK, "%s", ladsim_error_message());
}

static void write_spikes(ladsim_output *o)
{
  append_ok(o, "hidden", 3, T1, I1);
  append_ok(o, "input", 2, T_IN, I_IN);
  append_ok(o, "hidden", 0, NULL, NULL);
  append_ok(o, "hidden", 4, T3, I3);
  append_ok(o, "silent", 0, NULL, NULL);
}

/* The name of the enum value of the group's sorting attribute. */
static void raw_check_sorting(hid_t file, const char *group)
{
  hid_t a = H5Aopen_by_name(file, group, "sorting", H5P_DEFAULT, H5P_DEFAULT);
  ck_assert_int_ge(a, 0);
  hid_t t = H5Aget_type(a);
  ck_assert_int_eq(H5Tget_class(t), H5T_ENUM);
  hid_t base = H5Tget_super(t);
  ck_assert_int_gt(H5Tequal(base, H5T_STD_U8LE), 0);
  uint8_t value = 99;
  char name[16] = "";
  ck_assert_int_ge(H5Aread(a, H5T_NATIVE_UINT8, &value), 0);
  ck_assert_uint_eq(value, 2);
  ck_assert_int_ge(H5Tenum_nameof(t, &value, name, sizeof name), 0);
  ck_assert_str_eq(name, "by_time");
  /* The other names SONATA defines, with libsonata's numbering. */
  ck_assert_int_ge(H5Tenum_valueof(t, "none", &value), 0);
  ck_assert_uint_eq(value, 0);
  ck_assert_int_ge(H5Tenum_valueof(t, "by_id", &value), 0);
  ck_assert_uint_eq(value, 1);
  H5Tclose(base);
  H5Tclose(t);
  H5Aclose(a);
}

static void raw_check_units(hid_t file, const char *dset)
{
  hid_t a = H5Aopen_by_name(file, dset, "units", H5P_DEFAULT, H5P_DEFAULT);
  ck_assert_int_ge(a, 0);
  hid_t ft = H5Aget_type(a), mt = H5Tcopy(H5T_C_S1);
  ck_assert_int_eq(H5Tget_class(ft), H5T_STRING);
  H5Tset_size(mt, H5T_VARIABLE);
  H5Tset_cset(mt, H5Tget_cset(ft));
  char *got = NULL;
  ck_assert_int_ge(H5Aread(a, mt, &got), 0);
  ck_assert_str_eq(got, "ms");
  H5free_memory(got);
  H5Tclose(mt);
  H5Tclose(ft);
  H5Aclose(a);
}

/* An extendible, chunked 1-D data set of the given file type and length,
 * whose native type is native. */
static hid_t raw_open_column(hid_t file, const char *dset, hid_t file_type,
                             hid_t native, hsize_t len)
{
  hid_t d = H5Dopen2(file, dset, H5P_DEFAULT);
  ck_assert_int_ge(d, 0);
  hid_t t = H5Dget_type(d), nt = H5Tget_native_type(t, H5T_DIR_DEFAULT);
  ck_assert_int_gt(H5Tequal(t, file_type), 0);
  ck_assert_int_gt(H5Tequal(nt, native), 0);
  hid_t space = H5Dget_space(d), dcpl = H5Dget_create_plist(d);
  hsize_t dims[1], maxdims[1], chunk[1];
  ck_assert_int_eq(H5Sget_simple_extent_dims(space, dims, maxdims), 1);
  ck_assert_uint_eq(dims[0], len);
  ck_assert(maxdims[0] == H5S_UNLIMITED);
  ck_assert_int_eq(H5Pget_layout(dcpl), H5D_CHUNKED);
  ck_assert_int_eq(H5Pget_chunk(dcpl, 1, chunk), 1);
  ck_assert_uint_eq(chunk[0], 8192);
  H5Pclose(dcpl);
  H5Sclose(space);
  H5Tclose(nt);
  H5Tclose(t);
  return d;
}

/* A population's two data sets read with the plain HDF5 API, compared
 * exactly with the expected spikes. */
static void raw_check_population(hid_t file, const char *pop, size_t n,
                                 const double *want_t, const uint64_t *want_i)
{
  char group[64], ts[96], ids[96];
  snprintf(group, sizeof group, "/spikes/%s", pop);
  snprintf(ts, sizeof ts, "%s/timestamps", group);
  snprintf(ids, sizeof ids, "%s/node_ids", group);
  double got_t[8];
  uint64_t got_i[8];
  ck_assert_uint_le(n, 8);
  hid_t d = raw_open_column(file, ts, H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, n);
  if (n > 0)
    ck_assert_int_ge(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL,
                             H5P_DEFAULT, got_t), 0);
  H5Dclose(d);
  d = raw_open_column(file, ids, H5T_STD_U64LE, H5T_NATIVE_UINT64, n);
  if (n > 0)
    ck_assert_int_ge(H5Dread(d, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL,
                             H5P_DEFAULT, got_i), 0);
  H5Dclose(d);
  for (size_t k = 0; k < n; k++) {
    ck_assert_double_eq(got_t[k], want_t[k]);
    ck_assert_uint_eq(got_i[k], want_i[k]);
  }
  raw_check_sorting(file, group);
  raw_check_units(file, ts);
}

static void expected_hidden(double t[7], uint64_t ids[7])
{
  memcpy(t, T1, sizeof T1);
  memcpy(t + 3, T3, sizeof T3);
  memcpy(ids, I1, sizeof I1);
  memcpy(ids + 3, I3, sizeof I3);
}

/* The same through ladsim's readers: doubles for the times, exact
 * integers for the ids. */
static void check_with_reader(const char *p)
{
  double want_t[7];
  uint64_t want_i[7];
  expected_hidden(want_t, want_i);
  ladsim_input_file *f = NULL;
  ck_assert_int_eq(ladsim_input_file_open(p, &f), LADSIM_OK);
  int rank;
  size_t dims[4], n = 99;
  double *t = NULL;
  uint64_t *ids = NULL;
  ck_assert_int_eq(ladsim_input_file_read_doubles(
                       f, "/spikes/hidden/timestamps", &rank, dims, &t),
                   LADSIM_OK);
  ck_assert_int_eq(ladsim_input_file_read_u64(f, "/spikes/hidden/node_ids",
                                              &n, &ids), LADSIM_OK);
  ck_assert_int_eq(rank, 1);
  ck_assert_uint_eq(dims[0], 7);
  ck_assert_uint_eq(n, 7);
  for (size_t k = 0; k < 7; k++) {
    ck_assert_double_eq(t[k], want_t[k]);
    ck_assert_uint_eq(ids[k], want_i[k]);
  }
  free(t);
  free(ids);
  ck_assert_int_eq(ladsim_input_file_read_u64(f, "/spikes/silent/node_ids",
                                              &n, &ids), LADSIM_OK);
  ck_assert_uint_eq(n, 0);
  ck_assert_ptr_nonnull(ids);
  free(ids);
  ladsim_input_file_close(f);
}

START_TEST(test_spikes_roundtrip)
{
  ladsim_output *o = create_ok();
  write_spikes(o);
  ck_assert_int_eq(ladsim_output_commit(o), LADSIM_OK);
  hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  ck_assert_int_ge(file, 0);
  double want_t[7];
  uint64_t want_i[7];
  expected_hidden(want_t, want_i);
  raw_check_population(file, "hidden", 7, want_t, want_i);
  raw_check_population(file, "input", 2, T_IN, I_IN);
  raw_check_population(file, "silent", 0, NULL, NULL);
  ck_assert_int_ge(H5Fclose(file), 0);
  check_with_reader(path);
}
END_TEST

/* A refused append writes nothing, and the appends around it are kept. */
START_TEST(test_spikes_refused)
{
  ladsim_output *o = create_ok();
  const double unsorted[3] = {1.0, 0.5, 2.0}, bad[2] = {1.0, NAN};
  const double early[1] = {2.5};
  const uint64_t ids[3] = {1, 2, 3};
  ck_assert_int_eq(ladsim_output_spikes_append(o, "hidden", 3, unsorted, ids),
                   LADSIM_EINVAL);
  ck_assert_ptr_nonnull(strstr(ladsim_error_message(), "/spikes/hidden"));
  ck_assert_ptr_nonnull(strstr(ladsim_error_message(), "sort"));
  append_ok(o, "hidden", 3, T1, I1);
  ck_assert_int_eq(ladsim_output_spikes_append(o, "hidden", 2, bad, ids),
                   LADSIM_EINVAL);
  ck_assert_ptr_nonnull(strstr(ladsim_error_message(), "nan"));
  ck_assert_int_eq(ladsim_output_spikes_append(o, "hidden", 2, NULL, ids),
                   LADSIM_EINVAL);
  /* 2.5 ms precedes 2.75 ms, the last spike of the first append. */
  ck_assert_int_eq(ladsim_output_spikes_append(o, "hidden", 1, early, ids),
                   LADSIM_EINVAL);
  ck_assert_ptr_nonnull(strstr(ladsim_error_message(), "2.75"));
  ck_assert_ptr_nonnull(strstr(ladsim_error_message(), "earlier append"));
  const char *names[] = {"", "a/b", ".", NULL};
  for (size_t k = 0; k < 4; k++)
    ck_assert_int_eq(ladsim_output_spikes_append(o, names[k], 1, T1, ids),
                     LADSIM_EINVAL);
  ck_assert_ptr_nonnull(strstr(ladsim_error_message(), "without '/'"));
  ck_assert_int_eq(ladsim_output_spikes_append(NULL, "hidden", 1, T1, ids),
                   LADSIM_EINVAL);
  ck_assert_int_eq(ladsim_output_spikes_append(o, "never", 2, bad, ids),
                   LADSIM_EINVAL);
  ck_assert_int_eq(ladsim_output_commit(o), LADSIM_OK);

  hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  raw_check_population(file, "hidden", 3, T1, I1);
  /* The refused first append of "never" left no group behind. */
  ck_assert_int_eq(H5Lexists(file, "/spikes/never", H5P_DEFAULT), 0);
  H5Fclose(file);
}
END_TEST

/* Spike data sets and series share the output's table of open data sets;
 * one name cannot be both. */
START_TEST(test_spikes_name_clash)
{
  ladsim_output *o = create_ok();
  ck_assert_int_eq(ladsim_output_series_append(o, "/spikes/m/timestamps",
                                               1.0), LADSIM_OK);
  ck_assert_int_eq(ladsim_output_spikes_append(o, "m", 1, T1, I1),
                   LADSIM_EINVAL);
  ck_assert_ptr_nonnull(strstr(ladsim_error_message(), "series"));
  append_ok(o, "hidden", 1, T1, I1);
  ck_assert_int_eq(ladsim_output_series_append(o, "/spikes/hidden/node_ids",
                                               1.0), LADSIM_EINVAL);
  ck_assert_ptr_nonnull(strstr(ladsim_error_message(), "spike data set"));
  ck_assert_int_eq(ladsim_output_commit(o), LADSIM_OK);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Reading integer data sets                                           */

static void raw_write_ints(hid_t file, const char *name, hid_t file_type,
                           hid_t mem_type, int rank, const hsize_t *dims,
                           const void *data)
{
  hid_t space = H5Screate_simple(rank, dims, NULL);
  hid_t d = H5Dcreate2(file, name, file_type, space, H5P_DEFAULT,
                       H5P_DEFAULT, H5P_DEFAULT);
  ck_assert_int_ge(d, 0);
  ck_assert_int_ge(H5Dwrite(d, mem_type, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                            data), 0);
  H5Dclose(d);
  H5Sclose(space);
}

/* Integer data sets as other tools write them (h5py's default int64,
 * narrower unsigned types) and the ones that are no id lists. */
static void write_integer_file(const char *p)
{
  hid_t file = H5Fcreate(p, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  ck_assert_int_ge(file, 0);
  const int64_t good[3] = {5, 0, INT64_MAX}, neg[3] = {4, -1, 2};
  const uint8_t small[2] = {255, 17};
  const double real[2] = {1.0, 2.0};
  const uint32_t square[4] = {1, 2, 3, 4};
  raw_write_ints(file, "/signed", H5T_STD_I64LE, H5T_NATIVE_INT64, 1,
                 (hsize_t[]){3}, good);
  raw_write_ints(file, "/negative", H5T_STD_I64LE, H5T_NATIVE_INT64, 1,
                 (hsize_t[]){3}, neg);
  raw_write_ints(file, "/bytes", H5T_STD_U8LE, H5T_NATIVE_UINT8, 1,
                 (hsize_t[]){2}, small);
  raw_write_ints(file, "/real", H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE, 1,
                 (hsize_t[]){2}, real);
  raw_write_ints(file, "/square", H5T_STD_U32LE, H5T_NATIVE_UINT32, 2,
                 (hsize_t[]){2, 2}, square);
  H5Fclose(file);
}

START_TEST(test_read_u64)
{
  write_integer_file(path);
  ladsim_input_file *f = NULL;
  size_t n = 0;
  uint64_t *v = NULL;
  ck_assert_int_eq(ladsim_input_file_open(path, &f), LADSIM_OK);
  ck_assert_int_eq(ladsim_input_file_read_u64(f, "/signed", &n, &v),
                   LADSIM_OK);
  ck_assert_uint_eq(n, 3);
  ck_assert_uint_eq(v[0], 5);
  ck_assert_uint_eq(v[1], 0);
  ck_assert_uint_eq(v[2], (uint64_t)INT64_MAX);
  free(v);
  ck_assert_int_eq(ladsim_input_file_read_u64(f, "/bytes", &n, &v),
                   LADSIM_OK);
  ck_assert_uint_eq(n, 2);
  ck_assert_uint_eq(v[0], 255);
  ck_assert_uint_eq(v[1], 17);
  free(v);
  v = NULL;
  ck_assert_int_eq(ladsim_input_file_read_u64(f, "/negative", &n, &v),
                   LADSIM_EDATA);
  ck_assert_ptr_nonnull(strstr(ladsim_error_message(), "negative value at "
                                                       "index 1"));
  ck_assert_ptr_null(v);
  ck_assert_int_eq(ladsim_input_file_read_u64(f, "/real", &n, &v),
                   LADSIM_EDATA);
  ck_assert_ptr_nonnull(strstr(ladsim_error_message(), "not an integer"));
  ck_assert_int_eq(ladsim_input_file_read_u64(f, "/square", &n, &v),
                   LADSIM_EDATA);
  ck_assert_ptr_nonnull(strstr(ladsim_error_message(), "rank 2"));
  ck_assert_int_eq(ladsim_input_file_read_u64(f, "/missing", &n, &v),
                   LADSIM_EDATA);
  ck_assert_ptr_nonnull(strstr(ladsim_error_message(), path));
  ck_assert_int_eq(ladsim_input_file_read_u64(f, "/signed", NULL, &v),
                   LADSIM_EINVAL);
  ck_assert_ptr_null(v);
  ladsim_input_file_close(f);
}
END_TEST

/* ------------------------------------------------------------------ */
/* Poisson trains                                                      */

#define SEED UINT64_C(20240611)
#define BIG 16384

static double buf_a[BIG], buf_b[BIG];

static bool same_train(const double *a, size_t na, const double *b, size_t nb)
{
  if (na != nb)
    return false;
  for (size_t k = 0; k < na; k++)
    if (a[k] != b[k])
      return false;
  return true;
}

/* Draws a train that must fit in BIG. */
static size_t train(uint64_t seed, uint64_t view, uint64_t id, double rate,
                    double t0, double duration, double *out)
{
  int truncated = -1;
  size_t n = ladsim_poisson_train(seed, view, id, rate, t0, duration, out,
                                  BIG, &truncated);
  ck_assert_int_eq(truncated, 0);
  return n;
}

START_TEST(test_poisson_reproducible)
{
  /* 200 Hz over 100 ms: 20 spikes expected, so two independent trains
   * are never equal. */
  size_t n = train(SEED, 17, 300, 200.0, 40.0, 100.0, buf_a);
  size_t m = train(SEED, 17, 300, 200.0, 40.0, 100.0, buf_b);
  ck_assert_uint_gt(n, 0);
  ck_assert(same_train(buf_a, n, buf_b, m));
  m = train(SEED, 18, 300, 200.0, 40.0, 100.0, buf_b);
  ck_assert(!same_train(buf_a, n, buf_b, m));
  m = train(SEED, 17, 301, 200.0, 40.0, 100.0, buf_b);
  ck_assert(!same_train(buf_a, n, buf_b, m));
  m = train(SEED + 1, 17, 300, 200.0, 40.0, 100.0, buf_b);
  ck_assert(!same_train(buf_a, n, buf_b, m));
  /* Swapping view and id must not give the same train either. */
  n = train(SEED, 5, 9, 200.0, 40.0, 100.0, buf_a);
  m = train(SEED, 9, 5, 200.0, 40.0, 100.0, buf_b);
  ck_assert(!same_train(buf_a, n, buf_b, m));
}
END_TEST

/* The train is the documented stream: its first interval is
 * -(1000 / rate) ln u with u the first draw of (seed, POISSON, view, id). */
START_TEST(test_poisson_stream)
{
  const double rate = 40.0, t0 = 250.0;
  ladsim_rng r;
  ladsim_rng_init(&r, SEED, LADSIM_STREAM_POISSON, 123, 45, 0);
  double u1 = ladsim_rng_uniform_pos(&r), u2 = ladsim_rng_uniform_pos(&r);
  double first = t0 - 25.0 * log(u1), second = first - 25.0 * log(u2);
  size_t n = train(SEED, 123, 45, rate, t0, 1000.0, buf_a);
  ck_assert_uint_ge(n, 2);
  ck_assert_double_eq_tol(buf_a[0], first, 1e-9);
  ck_assert_double_eq_tol(buf_a[1], second, 1e-9);
}
END_TEST

START_TEST(test_poisson_window)
{
  /* A late t0 where a millisecond has fewer bits after the point, and an
   * early one; 500 Hz over 20 ms gives about 10 spikes per view. */
  const double starts[2] = {1234.5, 3.6e6 + 0.1};
  for (int s = 0; s < 2; s++)
    for (uint64_t view = 0; view < 200; view++) {
      double t0 = starts[s], end = t0 + 20.0;
      size_t n = train(SEED, view, 7, 500.0, t0, 20.0, buf_a);
      for (size_t k = 0; k < n; k++) {
        ck_assert(buf_a[k] >= t0 && buf_a[k] < end);
        if (k > 0)
          ck_assert(buf_a[k] >= buf_a[k - 1]);
      }
    }
}
END_TEST

/* Rounding must never put a spike at t0 + duration: at t0 = 1 h a double
 * resolves 0.47 ps, and at 1e12 Hz the intervals (1 ps on average) are a
 * few of those steps, so many trains end with a spike whose offset is
 * below the duration but whose time rounds up to the end. */
START_TEST(test_poisson_window_rounding)
{
  const double t0 = 3.6e6, duration = 1e-6, end = t0 + duration;
  for (uint64_t view = 0; view < 50; view++) {
    size_t n = train(SEED, view, 1, 1e12, t0, duration, buf_a);
    ck_assert_uint_gt(n, 100);
    for (size_t k = 0; k < n; k++)
      ck_assert(buf_a[k] >= t0 && buf_a[k] < end);
  }
}
END_TEST

/* Over V views the count of one unit has mean lambda = rate * duration
 * and, for a Poisson variable, variance lambda. The sample mean has
 * standard deviation sqrt(lambda / V); the sample variance about
 * sqrt((lambda + 2 lambda^2) / V) (fourth central moment lambda +
 * 3 lambda^2). Each is checked within 5 standard deviations, which a
 * correct generator fails with probability below 1e-6 (and the streams
 * are fixed, so the test is deterministic). */
START_TEST(test_poisson_counts)
{
  const double rate = 50.0, duration = 200.0, lambda = rate * duration / 1e3;
  const double t0 = 1000.0;
  const int views = 4000;
  double sum = 0, sum2 = 0, pos = 0, cross = 0, sum_b = 0, sum2_b = 0;
  size_t spikes = 0;
  for (int v = 0; v < views; v++) {
    size_t n = train(SEED, (uint64_t)v, 11, rate, t0, duration, buf_a);
    size_t m = train(SEED, (uint64_t)v, 12, rate, t0, duration, buf_b);
    sum += (double)n;
    sum2 += (double)n * (double)n;
    sum_b += (double)m;
    sum2_b += (double)m * (double)m;
    cross += (double)n * (double)m;
    for (size_t k = 0; k < n; k++)
      pos += (buf_a[k] - t0) / duration;
    spikes += n;
  }
  double mean = sum / views, var = (sum2 - views * mean * mean) / (views - 1);
  ck_assert_double_eq_tol(mean, lambda, 5 * sqrt(lambda / views));
  ck_assert_double_eq_tol(var, lambda,
                          5 * sqrt((lambda + 2 * lambda * lambda) / views));
  /* Spike times are uniform over the window: their mean position is 1/2
   * with standard deviation sqrt(1 / (12 N)). */
  ck_assert_double_eq_tol(pos / (double)spikes, 0.5,
                          5 * sqrt(1.0 / (12.0 * (double)spikes)));
  /* Two units' counts are uncorrelated: the sample correlation has
   * standard deviation about 1 / sqrt(V). */
  double mean_b = sum_b / views;
  double cov = cross / views - mean * mean_b;
  double var_b = sum2_b / views - mean_b * mean_b;
  double corr = cov / sqrt((sum2 / views - mean * mean) * var_b);
  ck_assert_double_eq_tol(corr, 0.0, 5.0 / sqrt((double)views));
}
END_TEST

/* The intervals of one long train are exponential: mean 1000 / rate ms
 * and coefficient of variation 1. Over n intervals the mean has standard
 * deviation (1000 / rate) / sqrt(n) and, by the delta method on an
 * exponential (moments 1, 2, 6, 24), the CV has 1 / sqrt(n). */
START_TEST(test_poisson_intervals)
{
  const double rate = 100.0, mean_isi = 1000.0 / rate;
  size_t n = train(SEED, 3, 99, rate, 0.0, 1.0e5, buf_a);
  ck_assert_uint_gt(n, 9000);
  double sum = 0, sum2 = 0;
  size_t m = n - 1;
  for (size_t k = 1; k < n; k++) {
    double d = buf_a[k] - buf_a[k - 1];
    sum += d;
    sum2 += d * d;
  }
  double mean = sum / (double)m;
  double sd = sqrt((sum2 - (double)m * mean * mean) / (double)(m - 1));
  ck_assert_double_eq_tol(mean, mean_isi, 5 * mean_isi / sqrt((double)m));
  ck_assert_double_eq_tol(sd / mean, 1.0, 5 / sqrt((double)m));
}
END_TEST

START_TEST(test_poisson_silent)
{
  const double rates[] = {0.0, -20.0, NAN, INFINITY};
  for (size_t k = 0; k < sizeof rates / sizeof rates[0]; k++) {
    int truncated = -1;
    buf_a[0] = -7.0;
    ck_assert_uint_eq(ladsim_poisson_train(SEED, 1, 2, rates[k], 0.0, 50.0,
                                           buf_a, BIG, &truncated), 0);
    ck_assert_int_eq(truncated, 0);
    ck_assert_double_eq(buf_a[0], -7.0);
  }
  const double windows[][2] = {{0.0, 0.0}, {10.0, -5.0}, {NAN, 50.0},
                               {0.0, NAN}, {0.0, INFINITY}};
  for (size_t k = 0; k < sizeof windows / sizeof windows[0]; k++) {
    int truncated = -1;
    ck_assert_uint_eq(ladsim_poisson_train(SEED, 1, 2, 100.0, windows[k][0],
                                           windows[k][1], buf_a, BIG,
                                           &truncated), 0);
    ck_assert_int_eq(truncated, 0);
  }
}
END_TEST

START_TEST(test_poisson_truncation)
{
  /* 1 kHz over 100 ms: about 100 spikes. */
  size_t full = train(SEED, 8, 8, 1000.0, 5.0, 100.0, buf_a);
  ck_assert_uint_gt(full, 50);
  int truncated = -1;
  size_t n = ladsim_poisson_train(SEED, 8, 8, 1000.0, 5.0, 100.0, buf_b,
                                  full, &truncated);
  ck_assert_uint_eq(n, full);
  ck_assert_int_eq(truncated, 0);
  n = ladsim_poisson_train(SEED, 8, 8, 1000.0, 5.0, 100.0, buf_b, full - 1,
                           &truncated);
  ck_assert_uint_eq(n, full - 1);
  ck_assert_int_eq(truncated, 1);
  ck_assert(same_train(buf_a, full - 1, buf_b, n));
  n = ladsim_poisson_train(SEED, 8, 8, 1000.0, 5.0, 100.0, NULL, 0,
                           &truncated);
  ck_assert_uint_eq(n, 0);
  ck_assert_int_eq(truncated, 1);
  /* The flag is optional. */
  ck_assert_uint_eq(ladsim_poisson_train(SEED, 8, 8, 1000.0, 5.0, 100.0,
                                         buf_b, 10, NULL), 10);
}
END_TEST

static Suite *spikes_suite(void)
{
  Suite *s = suite_create("spikes");
  struct {
    const char *name;
    const TTest *test;
    bool files;
  } cases[] = {
    {"spikes_roundtrip", test_spikes_roundtrip, true},
    {"spikes_refused", test_spikes_refused, true},
    {"spikes_name_clash", test_spikes_name_clash, true},
    {"read_u64", test_read_u64, true},
    {"poisson_reproducible", test_poisson_reproducible, false},
    {"poisson_stream", test_poisson_stream, false},
    {"poisson_window", test_poisson_window, false},
    {"poisson_window_rounding", test_poisson_window_rounding, false},
    {"poisson_counts", test_poisson_counts, false},
    {"poisson_intervals", test_poisson_intervals, false},
    {"poisson_silent", test_poisson_silent, false},
    {"poisson_truncation", test_poisson_truncation, false},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    TCase *tc = tcase_create(cases[i].name);
    if (cases[i].files)
      tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, cases[i].test);
    suite_add_tcase(s, tc);
  }
  return s;
}

int main(int argc, char **argv)
{
  return ladsim_test_run_mpi(argc, argv, spikes_suite());
}
