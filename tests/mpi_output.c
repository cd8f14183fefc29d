/* mpi_output.c: writes one output file from several ranks and checks it on rank 0.
 *
 * Run on 2 or 3 ranks (mpiexec -n 3 ./mpi_output [dir]). Each rank writes
 * its block of rows of matrices whose row counts the number of ranks does
 * not divide, one matrix has fewer rows than there are ranks (so a rank
 * writes nothing), and rank 0 reads the committed file back; then one rank
 * passes a bad block, which every rank must report. Exits 0 when all is
 * as expected, 1 otherwise. */
#include "config.h"
#include <ladsim/output.h>

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define ROWS 7
#define COLS 5
#define FEW_ROWS 2
#define N_IDS 10
#define SLICES 3

static int rank, size;

/* Rows [*row0, *row0 + *nrows) of n go to this rank, the first n % size
 * ranks taking one more. */
static void block(size_t n, size_t *row0, size_t *nrows)
{
  size_t base = n / (size_t)size, extra = n % (size_t)size, r = (size_t)rank;
  *row0 = r * base + (r < extra ? r : extra);
  *nrows = base + (r < extra ? 1 : 0);
}

static double value_at(size_t slice, size_t i, size_t j)
{
  return 1000.0 * (double)slice + 8.0 * (double)i + 0.5 * (double)j - 3.25;
}

/* This rank's rows of the matrix "slice". */
static double *my_rows(size_t slice, size_t rows, size_t cols, size_t *row0,
                       size_t *nrows)
{
  block(rows, row0, nrows);
  double *m = malloc((*nrows * cols + 1) * sizeof *m);
  for (size_t i = 0; i < *nrows; i++)
    for (size_t j = 0; j < cols; j++)
      m[i * cols + j] = value_at(slice, *row0 + i, j);
  return m;
}

static ladsim_status write_matrix(ladsim_output *o, const char *dset,
                                  size_t rows, size_t cols)
{
  size_t row0, nrows, dims[2] = {rows, cols};
  double *m = my_rows(9, rows, cols, &row0, &nrows);
  ladsim_status s = ladsim_output_write_doubles(o, dset, 2, dims, row0, nrows,
                                                m);
  free(m);
  return s;
}

static ladsim_status write_all(ladsim_output *o)
{
  size_t row0, nrows;
  uint64_t ids[N_IDS];
  LADSIM_CHECK(write_matrix(o, "/probe/matrix", ROWS, COLS));
  LADSIM_CHECK(write_matrix(o, "/probe/few", FEW_ROWS, COLS));
  block(N_IDS, &row0, &nrows);
  for (size_t k = 0; k < nrows; k++)
    ids[k] = (row0 + k) * 1000003u;
  LADSIM_CHECK(ladsim_output_write_u64(o, "/spikes/hidden/node_ids", N_IDS,
                                       row0, nrows, ids));
  for (size_t s = 0; s < SLICES; s++) {
    double *m = my_rows(s, ROWS, COLS - 1, &row0, &nrows);
    ladsim_status st = ladsim_output_stack_append(o, "/weights/hidden/W",
                                                  ROWS, COLS - 1, row0,
                                                  nrows, m);
    free(m);
    LADSIM_CHECK(st);
    LADSIM_CHECK(ladsim_output_series_append(o, "/metrics/time",
                                             0.5 * (double)s));
  }
  LADSIM_CHECK(ladsim_output_write_string(o, "/config/model", "size: 7\n"));
  LADSIM_CHECK(ladsim_output_attr_string(o, "/metrics/time", "units", "ms"));
  return LADSIM_OK;
}

/* Compares a data set with value_at(slice0 + k, i, j) over its slices k. */
static int check_matrix(ladsim_input_file *f, const char *dset, int want_rank,
                        size_t slice0, size_t slices, size_t rows,
                        size_t cols)
{
  int r;
  size_t dims[4];
  double *got = NULL;
  if (ladsim_input_file_read_doubles(f, dset, &r, dims, &got) != LADSIM_OK) {
    fprintf(stderr, "%s\n", ladsim_error_message());
    return 1;
  }
  int bad = r != want_rank || dims[r - 2] != rows || dims[r - 1] != cols
            || (r == 3 && dims[0] != slices);
  for (size_t k = 0; !bad && k < slices * rows * cols; k++)
    if (got[k] != value_at(slice0 + k / (rows * cols), (k / cols) % rows,
                           k % cols)) {
      fprintf(stderr, "%s: element %zu is %g\n", dset, k, got[k]);
      bad = 1;
    }
  free(got);
  return bad;
}

static int check_series_and_ids(ladsim_input_file *f)
{
  int r, bad = 0;
  size_t dims[4];
  double *t = NULL, *ids = NULL;
  if (ladsim_input_file_read_doubles(f, "/metrics/time", &r, dims, &t)
          != LADSIM_OK
      || ladsim_input_file_read_doubles(f, "/spikes/hidden/node_ids", &r,
                                        dims, &ids) != LADSIM_OK) {
    fprintf(stderr, "%s\n", ladsim_error_message());
    free(t);
    return 1;
  }
  for (size_t k = 0; k < SLICES; k++)
    bad |= t[k] != 0.5 * (double)k;
  for (size_t k = 0; k < N_IDS; k++)
    bad |= ids[k] != (double)(k * 1000003u);
  free(t);
  free(ids);
  return bad;
}

static int check_file(const char *path)
{
  ladsim_input_file *f = NULL;
  char *text = NULL;
  if (ladsim_input_file_open(path, &f) != LADSIM_OK
      || ladsim_input_file_read_string(f, "/config/model", &text)
             != LADSIM_OK) {
    fprintf(stderr, "%s\n", ladsim_error_message());
    ladsim_input_file_close(f);
    return 1;
  }
  int bad = strcmp(text, "size: 7\n") != 0;
  bad |= check_matrix(f, "/probe/matrix", 2, 9, 1, ROWS, COLS);
  bad |= check_matrix(f, "/probe/few", 2, 9, 1, FEW_ROWS, COLS);
  bad |= check_matrix(f, "/weights/hidden/W", 3, 0, SLICES, ROWS, COLS - 1);
  bad |= check_series_and_ids(f);
  free(text);
  ladsim_input_file_close(f);
  return bad;
}

/* The last rank passes a block that runs past the end of the matrix: every
 * rank must fail, and none may hang in a collective call. */
static int check_bad_block(const char *dir)
{
  char path[512];
  snprintf(path, sizeof path, "%s/mpi_output_bad.h5", dir);
  ladsim_output *o = NULL;
  if (ladsim_output_create(MPI_COMM_WORLD, path, true, &o) != LADSIM_OK)
    return 1;
  size_t row0, nrows, dims[2] = {ROWS, COLS};
  double *m = my_rows(9, ROWS, COLS, &row0, &nrows);
  if (rank == size - 1)
    row0++;
  ladsim_status s = ladsim_output_write_doubles(o, "/probe/bad", 2, dims,
                                                row0, nrows, m);
  free(m);
  if (rank == 0)
    unlink(ladsim_output_partial_path(o));
  ladsim_output_abort(o);
  return s != LADSIM_EINVAL;
}

int main(int argc, char **argv)
{
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const char *dir = argc > 1 ? argv[1] : ".";
  char path[512];
  snprintf(path, sizeof path, "%s/mpi_output.h5", dir);
  ladsim_output *o = NULL;
  ladsim_status s = ladsim_output_create(MPI_COMM_WORLD, path, true, &o);
  if (s == LADSIM_OK && (s = write_all(o)) != LADSIM_OK)
    ladsim_output_abort(o);
  else if (s == LADSIM_OK)
    s = ladsim_output_commit(o);
  if (s != LADSIM_OK)
    fprintf(stderr, "rank %d: %s\n%s", rank, ladsim_error_message(),
            ladsim_error_backtrace());
  int bad = s != LADSIM_OK;
  if (rank == 0 && !bad) {
    bad = check_file(path);
    unlink(path);
  }
  bad |= check_bad_block(dir);
  MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  if (rank == 0)
    printf("mpi_output on %d ranks: %s\n", size, bad ? "FAIL" : "ok");
  MPI_Finalize();
  return bad ? 1 : 0;
}
