/* test_output.c: Check suite for the HDF5 output file and its reader (one MPI process). */
#include "config.h"
#include <ladsim/output.h>

#include <check.h>
#include "check_mpi.h"
#include <hdf5.h>
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* A fresh directory per test, so files of one test never meet another's. */
static char dir[64];
static char path[128];
static char partial[160];

/* Values that are exact in binary and differ in every position, so a
 * transposed or shifted element cannot pass. */
static double value_at(size_t slice, size_t i, size_t j)
{
  return 100.0 * (double)slice + 0.25 * (double)i - 1.5 * (double)j + 0.125;
}

static const char *TEXT = "layers:\n  - name: hidden  # \xc3\xa9t\xc3\xa9 \xce\xbb=5\n";
static const uint64_t U64[4] = {1, (UINT64_C(1) << 53) + 1, UINT64_MAX, 42};
static const double SERIES[5] = {0.5, -1.25, 3.0e-7, 1.0e12, 0.0};

static void setup(void)
{
  snprintf(dir, sizeof dir, "/tmp/ladsim-test-output-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/run.h5", dir);
  snprintf(partial, sizeof partial, "%s.partial", path);
}

static void teardown(void)
{
  /* Every file, group, data set and attribute a test opened, through
   * ladsim or directly, must be closed again: a leaked handle keeps a
   * parallel file from closing. */
  ssize_t open_objects = H5Fget_obj_count((hid_t)H5F_OBJ_ALL, H5F_OBJ_ALL);
  ck_assert_int_eq(open_objects, 0);
  unlink(path);
  unlink(partial);
  rmdir(dir);
}

static bool file_exists(const char *p) { return access(p, F_OK) == 0; }

static void write_text_file(const char *p, const char *text)
{
  FILE *fp = fopen(p, "w");
  ck_assert_ptr_nonnull(fp);
  fputs(text, fp);
  fclose(fp);
}

static ladsim_output *create_ok(void)
{
  ladsim_output *o = NULL;
  ck_assert_int_eq(ladsim_output_create(MPI_COMM_WORLD, path, false, &o),
                   LADSIM_OK);
  ck_assert_str_eq(ladsim_output_path(o), path);
  ck_assert_str_eq(ladsim_output_partial_path(o), partial);
  ck_assert(file_exists(partial));
  return o;
}

/* Writes every kind of object the output knows, with the values above. */
static void write_everything(ladsim_output *o)
{
  double m[3 * 4], slice[5 * 2];
  size_t dims[2] = {3, 4};
  for (size_t i = 0; i < 3; i++)
    for (size_t j = 0; j < 4; j++)
      m[i * 4 + j] = value_at(7, i, j);
  ck_assert_int_eq(ladsim_output_write_string(o, "/config/model", TEXT),
                   LADSIM_OK);
  ck_assert_int_eq(ladsim_output_write_string(o, "/config/empty", ""),
                   LADSIM_OK);
  ck_assert_int_eq(ladsim_output_write_doubles(o, "/probe/matrix", 2, dims,
                                               0, 3, m), LADSIM_OK);
  ck_assert_int_eq(ladsim_output_write_u64(o, "/spikes/hidden/node_ids", 4,
                                           0, 4, U64), LADSIM_OK);
  for (size_t k = 0; k < 5; k++)
    ck_assert_int_eq(ladsim_output_series_append(
                         o, "/metrics/hidden/pred_error", SERIES[k]),
                     LADSIM_OK);
  for (size_t s = 0; s < 3; s++) {
    for (size_t i = 0; i < 5; i++)
      for (size_t j = 0; j < 2; j++)
        slice[i * 2 + j] = value_at(s, i, j);
    ck_assert_int_eq(ladsim_output_stack_append(o, "/weights/hidden/W", 5, 2,
                                                0, 5, slice), LADSIM_OK);
  }
}

static void write_attributes(ladsim_output *o)
{
  ck_assert_int_eq(ladsim_output_attr_string(o, "/metrics/time", "units",
                                             "s"), LADSIM_OK);
  /* A second write replaces the first, even with another type. */
  ck_assert_int_eq(ladsim_output_attr_string(o, "/metrics/time", "units",
                                             "ms"), LADSIM_OK);
  ck_assert_int_eq(ladsim_output_attr_string(o, "/weights/hidden/W", "units",
                                             "1"), LADSIM_OK);
  ck_assert_int_eq(ladsim_output_attr_double(o, "/weights/hidden/W",
                                             "interval", 1.0), LADSIM_OK);
  ck_assert_int_eq(ladsim_output_attr_double(o, "/weights/hidden/W",
                                             "interval", 2.5e-3), LADSIM_OK);
}

/* What write_everything wrote to /probe/matrix and /weights/hidden/W, in
 * row-major order. */
static void expected_matrix(double m[12])
{
  for (size_t k = 0; k < 12; k++)
    m[k] = value_at(7, k / 4, k % 4);
}

static void expected_stack(double w[30])
{
  for (size_t k = 0; k < 30; k++)
    w[k] = value_at(k / 10, (k % 10) / 2, k % 2);
}

static void check_doubles(ladsim_input_file *f, const char *dset, int rank,
                          const size_t *dims, const double *want)
{
  int got_rank = -1;
  size_t got_dims[4] = {0}, n = 1;
  double *got = NULL;
  ck_assert_int_eq(ladsim_input_file_read_doubles(f, dset, &got_rank,
                                                  got_dims, &got), LADSIM_OK);
  ck_assert_int_eq(got_rank, rank);
  for (int i = 0; i < rank; i++) {
    ck_assert_uint_eq(got_dims[i], dims[i]);
    n *= dims[i];
  }
  for (size_t k = 0; k < n; k++)
    ck_assert_double_eq(got[k], want[k]);
  free(got);
}

/* Reads the file back with ladsim's reader. */
static void check_with_reader(const char *p)
{
  ladsim_input_file *f = NULL;
  char *text = NULL;
  ck_assert_int_eq(ladsim_input_file_open(p, &f), LADSIM_OK);
  ck_assert_int_eq(ladsim_input_file_read_string(f, "/config/model", &text),
                   LADSIM_OK);
  ck_assert_str_eq(text, TEXT);
  free(text);
  ck_assert_int_eq(ladsim_input_file_read_string(f, "/config/empty", &text),
                   LADSIM_OK);
  ck_assert_str_eq(text, "");
  free(text);
  double m[12], w[30], ids[4];
  expected_matrix(m);
  expected_stack(w);
  /* HDF5 converts as a C cast does: to the nearest double. */
  for (size_t k = 0; k < 4; k++)
    ids[k] = (double)U64[k];
  check_doubles(f, "/probe/matrix", 2, (size_t[]){3, 4}, m);
  check_doubles(f, "/metrics/hidden/pred_error", 1, (size_t[]){5}, SERIES);
  check_doubles(f, "/weights/hidden/W", 3, (size_t[]){3, 5, 2}, w);
  check_doubles(f, "/spikes/hidden/node_ids", 1, (size_t[]){4}, ids);
  ck_assert(ladsim_input_file_has(f, "/probe/matrix"));
  ck_assert(!ladsim_input_file_has(f, "/probe"));
  ck_assert(!ladsim_input_file_has(f, "/nowhere/matrix"));
  ladsim_input_file_close(f);
}

static double raw_attr_double(hid_t file, const char *obj, const char *name)
{
  double v = -1;
  hid_t a = H5Aopen_by_name(file, obj, name, H5P_DEFAULT, H5P_DEFAULT);
  ck_assert_int_ge(a, 0);
  ck_assert_int_ge(H5Aread(a, H5T_NATIVE_DOUBLE, &v), 0);
  H5Aclose(a);
  return v;
}

/* A variable-length UTF-8 string attribute, as a malloc'd copy. */
static char *raw_attr_string(hid_t file, const char *obj, const char *name)
{
  hid_t a = H5Aopen_by_name(file, obj, name, H5P_DEFAULT, H5P_DEFAULT);
  ck_assert_int_ge(a, 0);
  hid_t ft = H5Aget_type(a), mt = H5Tcopy(H5T_C_S1);
  ck_assert_int_gt(H5Tis_variable_str(ft), 0);
  ck_assert_int_eq(H5Tget_cset(ft), H5T_CSET_UTF8);
  H5Tset_size(mt, H5T_VARIABLE);
  H5Tset_cset(mt, H5T_CSET_UTF8);
  char *got = NULL;
  ck_assert_int_ge(H5Aread(a, mt, &got), 0);
  char *copy = strdup(got);
  H5free_memory(got);
  H5Tclose(mt);
  H5Tclose(ft);
  H5Aclose(a);
  return copy;
}

static void raw_check_attr_string(hid_t file, const char *obj,
                                  const char *name, const char *want)
{
  char *got = raw_attr_string(file, obj, name);
  ck_assert_str_eq(got, want);
  free(got);
}

/* The creation time is UTC in ISO 8601 and was a moment ago. */
static void raw_check_created(hid_t file)
{
  char *got = raw_attr_string(file, "/", "created");
  struct tm tm = {0};
  char *end = strptime(got, "%Y-%m-%dT%H:%M:%SZ", &tm);
  ck_assert_ptr_nonnull(end);
  ck_assert_int_eq(*end, '\0');
  double age = difftime(time(NULL), timegm(&tm));
  ck_assert(age >= 0 && age < 600);
  free(got);
}

static void raw_check_u64(hid_t file)
{
  uint64_t got[4] = {0};
  hid_t d = H5Dopen2(file, "/spikes/hidden/node_ids", H5P_DEFAULT);
  ck_assert_int_ge(d, 0);
  hid_t t = H5Dget_type(d);
  ck_assert_int_gt(H5Tequal(t, H5T_STD_U64LE), 0);
  ck_assert_int_ge(H5Dread(d, H5T_NATIVE_UINT64, H5S_ALL, H5S_ALL,
                           H5P_DEFAULT, got), 0);
  for (int k = 0; k < 4; k++)
    ck_assert_uint_eq(got[k], U64[k]);
  H5Tclose(t);
  H5Dclose(d);
}

/* The layout of an extendible data set: unlimited first dimension and the
 * expected chunk shape. */
static void raw_check_extendible(hid_t file, const char *dset, int rank,
                                 const hsize_t *chunk)
{
  hid_t d = H5Dopen2(file, dset, H5P_DEFAULT);
  ck_assert_int_ge(d, 0);
  hid_t space = H5Dget_space(d), dcpl = H5Dget_create_plist(d);
  hsize_t dims[3], maxdims[3], got[3];
  ck_assert_int_eq(H5Sget_simple_extent_dims(space, dims, maxdims), rank);
  ck_assert(maxdims[0] == H5S_UNLIMITED);
  ck_assert_int_eq(H5Pget_layout(dcpl), H5D_CHUNKED);
  ck_assert_int_eq(H5Pget_chunk(dcpl, 3, got), rank);
  for (int i = 0; i < rank; i++)
    ck_assert_uint_eq(got[i], chunk[i]);
  H5Pclose(dcpl);
  H5Sclose(space);
  H5Dclose(d);
}

static void raw_check_doubles(hid_t file, const char *dset, size_t n,
                              const double *want)
{
  double got[30];
  ck_assert_uint_le(n, 30);
  hid_t d = H5Dopen2(file, dset, H5P_DEFAULT);
  ck_assert_int_ge(d, 0);
  hid_t space = H5Dget_space(d);
  ck_assert_int_eq(H5Sget_simple_extent_npoints(space), (hssize_t)n);
  ck_assert_int_ge(H5Dread(d, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL,
                           H5P_DEFAULT, got), 0);
  for (size_t k = 0; k < n; k++)
    ck_assert_double_eq(got[k], want[k]);
  H5Sclose(space);
  H5Dclose(d);
}

/* The model text: a scalar UTF-8 string read in its own file type. */
static void raw_check_text(hid_t file)
{
  hid_t d = H5Dopen2(file, "/config/model", H5P_DEFAULT);
  ck_assert_int_ge(d, 0);
  hid_t t = H5Dget_type(d);
  ck_assert_int_eq(H5Tget_class(t), H5T_STRING);
  ck_assert_int_eq(H5Tget_cset(t), H5T_CSET_UTF8);
  size_t size = H5Tget_size(t);
  char *got = calloc(size + 1, 1);
  ck_assert_ptr_nonnull(got);
  ck_assert_int_ge(H5Dread(d, t, H5S_ALL, H5S_ALL, H5P_DEFAULT, got), 0);
  ck_assert_str_eq(got, TEXT);
  free(got);
  H5Tclose(t);
  H5Dclose(d);
}

/* Reads the file back with the plain HDF5 API, independently of ladsim's
 * reader: attributes, exact uint64 values, string types, layouts. */
static void check_with_hdf5(const char *p)
{
  hid_t file = H5Fopen(p, H5F_ACC_RDONLY, H5P_DEFAULT);
  ck_assert_int_ge(file, 0);
  raw_check_attr_string(file, "/", "ladsim_version", PACKAGE_VERSION);
  raw_check_created(file);
  raw_check_attr_string(file, "/metrics/time", "units", "ms");
  raw_check_attr_string(file, "/weights/hidden/W", "units", "1");
  ck_assert_double_eq(raw_attr_double(file, "/weights/hidden/W", "interval"),
                      2.5e-3);
  double m[12], w[30];
  expected_matrix(m);
  expected_stack(w);
  raw_check_doubles(file, "/probe/matrix", 12, m);
  raw_check_doubles(file, "/metrics/hidden/pred_error", 5, SERIES);
  raw_check_doubles(file, "/weights/hidden/W", 30, w);
  raw_check_text(file);
  raw_check_u64(file);
  raw_check_extendible(file, "/metrics/hidden/pred_error", 1,
                       (hsize_t[]){1024});
  raw_check_extendible(file, "/weights/hidden/W", 3, (hsize_t[]){1, 5, 2});
  ck_assert_int_ge(H5Fclose(file), 0);
}

START_TEST(test_roundtrip)
{
  ladsim_output *o = create_ok();
  write_everything(o);
  write_attributes(o);
  ck_assert_int_eq(ladsim_output_flush(o), LADSIM_OK);
  ck_assert_int_eq(ladsim_output_commit(o), LADSIM_OK);
  ck_assert(!file_exists(partial));
  ck_assert(file_exists(path));
  check_with_reader(path);
  check_with_hdf5(path);
}
END_TEST

START_TEST(test_existing_output)
{
  ladsim_output *o = NULL;
  write_text_file(path, "precious results\n");
  ck_assert_int_eq(ladsim_output_create(MPI_COMM_WORLD, path, false, &o),
                   LADSIM_EEXIST);
  ck_assert_ptr_null(o);
  ck_assert_ptr_nonnull(strstr(ladsim_error_message(), path));
  ck_assert_ptr_nonnull(strstr(ladsim_error_message(), "--force"));
  ck_assert(!file_exists(partial));
  char buf[64] = "";
  FILE *fp = fopen(path, "r");
  ck_assert_ptr_nonnull(fgets(buf, sizeof buf, fp));
  fclose(fp);
  ck_assert_str_eq(buf, "precious results\n");

  ck_assert_int_eq(ladsim_output_create(MPI_COMM_WORLD, path, true, &o),
                   LADSIM_OK);
  ck_assert_int_eq(ladsim_output_write_string(o, "/config/model", TEXT),
                   LADSIM_OK);
  ck_assert_int_eq(ladsim_output_commit(o), LADSIM_OK);
  ladsim_input_file *f = NULL;
  char *text = NULL;
  ck_assert_int_eq(ladsim_input_file_open(path, &f), LADSIM_OK);
  ck_assert_int_eq(ladsim_input_file_read_string(f, "/config/model", &text),
                   LADSIM_OK);
  ck_assert_str_eq(text, TEXT);
  free(text);
  ladsim_input_file_close(f);
}
END_TEST

START_TEST(test_abort_keeps_partial)
{
  ladsim_output *o = create_ok();
  write_everything(o);
  write_attributes(o);
  ladsim_output_abort(o);
  ladsim_output_abort(NULL);
  ck_assert(file_exists(partial));
  ck_assert(!file_exists(path));
  check_with_reader(partial);
  check_with_hdf5(partial);
}
END_TEST

START_TEST(test_read_errors)
{
  ladsim_input_file *f = NULL;
  char *text = NULL;
  ladsim_output *o = create_ok();
  ck_assert_int_eq(ladsim_output_write_string(o, "/config/model", TEXT),
                   LADSIM_OK);
  ck_assert_int_eq(ladsim_output_commit(o), LADSIM_OK);
  ck_assert_int_eq(ladsim_input_file_open(path, &f), LADSIM_OK);
  ck_assert_int_eq(ladsim_input_file_read_string(f, "/config/missing", &text),
                   LADSIM_EDATA);
  ck_assert_ptr_nonnull(strstr(ladsim_error_message(), path));
  ck_assert_ptr_nonnull(strstr(ladsim_error_message(), "/config/missing"));
  int rank;
  size_t dims[4];
  double *data = NULL;
  ck_assert_int_eq(ladsim_input_file_read_doubles(f, "/config/model", &rank,
                                                  dims, &data), LADSIM_EDATA);
  ck_assert_ptr_nonnull(strstr(ladsim_error_message(), "not a numeric"));
  ck_assert_ptr_null(data);
  ladsim_input_file_close(f);

  write_text_file(partial, "this is not HDF5\n");
  ck_assert_int_eq(ladsim_input_file_open(partial, &f), LADSIM_EDATA);
  ck_assert_ptr_nonnull(strstr(ladsim_error_message(), partial));
  ck_assert_ptr_nonnull(strstr(ladsim_error_message(), "not an HDF5 file"));
  unlink(partial);
  ck_assert_int_eq(ladsim_input_file_open(partial, &f), LADSIM_EDATA);
  ck_assert_ptr_nonnull(strstr(ladsim_error_message(), partial));
}
END_TEST

START_TEST(test_write_errors)
{
  ladsim_output *o = create_ok();
  double v[6] = {1, 2, 3, 4, 5, 6};
  size_t dims[2] = {3, 2};
  ck_assert_int_eq(ladsim_output_write_doubles(o, "/a", 2, dims, 2, 2, v),
                   LADSIM_EINVAL);
  ck_assert_ptr_nonnull(strstr(ladsim_error_message(), "/a"));
  ck_assert_int_eq(ladsim_output_write_doubles(o, "/a", 5, dims, 0, 3, v),
                   LADSIM_EINVAL);
  ck_assert_int_eq(ladsim_output_write_doubles(o, "/a", 2, dims, 0, 3, v),
                   LADSIM_OK);
  /* Data sets are written once: a second write is an HDF5 failure that
   * names the object and the file. */
  ck_assert_int_eq(ladsim_output_write_doubles(o, "/a", 2, dims, 0, 3, v),
                   LADSIM_EIO);
  ck_assert_ptr_nonnull(strstr(ladsim_error_message(), "cannot write /a in"));
  ck_assert_ptr_nonnull(strstr(ladsim_error_message(), partial));
  ck_assert_int_eq(ladsim_output_stack_append(o, "/s", 3, 2, 0, 3, v),
                   LADSIM_OK);
  ck_assert_int_eq(ladsim_output_stack_append(o, "/s", 2, 3, 0, 2, v),
                   LADSIM_EINVAL);
  ck_assert_int_eq(ladsim_output_series_append(o, "/s", 1.0), LADSIM_EINVAL);
  ck_assert_int_eq(ladsim_output_series_append(o, "/a", 1.0), LADSIM_EIO);
  ck_assert_ptr_nonnull(strstr(ladsim_error_message(), "/a"));
  ck_assert_int_eq(ladsim_output_commit(o), LADSIM_OK);
}
END_TEST

START_TEST(test_create_in_missing_directory)
{
  char bad[192];
  ladsim_output *o = NULL;
  snprintf(bad, sizeof bad, "%s/no/such/dir/run.h5", dir);
  ck_assert_int_eq(ladsim_output_create(MPI_COMM_WORLD, bad, false, &o),
                   LADSIM_EIO);
  ck_assert_ptr_null(o);
  ck_assert_ptr_nonnull(strstr(ladsim_error_message(), bad));
}
END_TEST

/* Data sets with no elements have no storage; writing them must still
 * work and give back their shape. */
START_TEST(test_empty_arrays)
{
  size_t dims[2] = {0, 5};
  ladsim_output *o = create_ok();
  ck_assert_int_eq(ladsim_output_write_doubles(o, "/probe/none", 2, dims, 0,
                                               0, NULL), LADSIM_OK);
  ck_assert_int_eq(ladsim_output_write_u64(o, "/spikes/x/node_ids", 0, 0, 0,
                                           NULL), LADSIM_OK);
  ck_assert_int_eq(ladsim_output_commit(o), LADSIM_OK);
  ladsim_input_file *f = NULL;
  int rank = -1;
  size_t got[4] = {9, 9, 9, 9};
  double *data = NULL;
  ck_assert_int_eq(ladsim_input_file_open(path, &f), LADSIM_OK);
  ck_assert_int_eq(ladsim_input_file_read_doubles(f, "/probe/none", &rank,
                                                  got, &data), LADSIM_OK);
  ck_assert_int_eq(rank, 2);
  ck_assert_uint_eq(got[0], 0);
  ck_assert_uint_eq(got[1], 5);
  free(data);
  ck_assert_int_eq(ladsim_input_file_read_doubles(f, "/spikes/x/node_ids",
                                                  &rank, got, &data),
                   LADSIM_OK);
  ck_assert_int_eq(rank, 1);
  ck_assert_uint_eq(got[0], 0);
  free(data);
  ladsim_input_file_close(f);
}
END_TEST

/* A slice larger than a chunk is split by rows: 300 x 1000 doubles take
 * 2.4 MB, so a 1 MiB chunk holds 131 rows of 1000. */
START_TEST(test_large_stack_chunks)
{
  const size_t rows = 300, cols = 1000;
  double *slice = malloc(rows * cols * sizeof *slice);
  ck_assert_ptr_nonnull(slice);
  for (size_t k = 0; k < rows * cols; k++)
    slice[k] = value_at(0, k / cols, k % cols);
  ladsim_output *o = create_ok();
  for (int s = 0; s < 2; s++)
    ck_assert_int_eq(ladsim_output_stack_append(o, "/weights/big/W", rows,
                                                cols, 0, rows, slice),
                     LADSIM_OK);
  ck_assert_int_eq(ladsim_output_commit(o), LADSIM_OK);
  hid_t file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  raw_check_extendible(file, "/weights/big/W", 3, (hsize_t[]){1, 131, 1000});
  H5Fclose(file);
  ladsim_input_file *f = NULL;
  double *got = NULL;
  int rank;
  size_t dims[4];
  ck_assert_int_eq(ladsim_input_file_open(path, &f), LADSIM_OK);
  ck_assert_int_eq(ladsim_input_file_read_doubles(f, "/weights/big/W", &rank,
                                                  dims, &got), LADSIM_OK);
  ck_assert_uint_eq(dims[0], 2);
  for (size_t k = 0; k < rows * cols; k++)
    ck_assert_double_eq(got[rows * cols + k], slice[k]);
  free(got);
  free(slice);
  ladsim_input_file_close(f);
}
END_TEST

static Suite *output_suite(void)
{
  Suite *s = suite_create("output");
  struct { const char *name; const TTest *test; } cases[] = {
    {"roundtrip", test_roundtrip},
    {"existing_output", test_existing_output},
    {"abort", test_abort_keeps_partial},
    {"read_errors", test_read_errors},
    {"write_errors", test_write_errors},
    {"missing_directory", test_create_in_missing_directory},
    {"empty_arrays", test_empty_arrays},
    {"large_stack", test_large_stack_chunks},
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    TCase *tc = tcase_create(cases[i].name);
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, cases[i].test);
    suite_add_tcase(s, tc);
  }
  return s;
}

int main(int argc, char **argv)
{
  return ladsim_test_run_mpi(argc, argv, output_suite());
}
