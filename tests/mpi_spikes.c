/* mpi_spikes.c: appends spikes from several ranks to one SONATA file and checks it on rank 0.
 *
 * Run on 2 or 3 ranks (mpiexec -n 3 ./mpi_spikes [dir]). A globally sorted
 * list of spikes is cut into blocks of different sizes per rank and per
 * append (one rank with none, all on one rank, none at all), and rank 0
 * reads the committed file back: it must hold the list exactly, in order.
 * Then the ranks pass their blocks in the wrong rank order, which every
 * rank must refuse without hanging. Exits 0 when all is as expected. */
#include "config.h"
#include <ladsim/output.h>

#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define N_SPIKES 40

static int rank, size;

/* Spike k of the global list: times with ties (two spikes per instant,
 * one tie straddling each cut below), ids not in order and some above
 * 2^53. */
static double time_of(size_t k) { return 0.25 * (double)(k / 2) + 1.0; }

static uint64_t id_of(size_t k)
{
  return (k * 7919u) % 1000u + (k % 3 == 0 ? (UINT64_C(1) << 60) : 0);
}

/* How a segment of the list is cut between ranks in one append. */
typedef enum { CUT_SQUARES, CUT_LAST_ONLY, CUT_FIRST_ONLY } cut_kind;

/* The start of rank r's block in a segment of n spikes. */
static size_t cut(cut_kind kind, size_t n, int r)
{
  size_t p = (size_t)size, q = (size_t)r;
  switch (kind) {
  case CUT_SQUARES: return n * q * q / (p * p);
  case CUT_LAST_ONLY: return r < size ? 0 : n;
  case CUT_FIRST_ONLY: return r == 0 ? 0 : n;
  }
  return 0;
}

/* Appends spikes [g0, g0 + n) of the list, rank r taking the block of
 * rank `owner_of(r)`; passing the blocks in reverse rank order breaks the
 * time order across ranks. */
static ladsim_status append_segment(ladsim_output *o, const char *pop,
                                    size_t g0, size_t n, cut_kind kind,
                                    bool reversed)
{
  int owner = reversed ? size - 1 - rank : rank;
  size_t lo = cut(kind, n, owner), hi = cut(kind, n, owner + 1);
  double t[N_SPIKES];
  uint64_t ids[N_SPIKES];
  for (size_t k = lo; k < hi; k++) {
    t[k - lo] = time_of(g0 + k);
    ids[k - lo] = id_of(g0 + k);
  }
  return ladsim_output_spikes_append(o, pop, hi - lo, t, ids);
}

static ladsim_status write_all(ladsim_output *o)
{
  /* 40 spikes of "hidden" in four appends; "input" gets the first 10 in
   * one append, and "quiet" none at all. */
  LADSIM_CHECK(append_segment(o, "hidden", 0, 13, CUT_SQUARES, false));
  LADSIM_CHECK(append_segment(o, "quiet", 0, 0, CUT_SQUARES, false));
  LADSIM_CHECK(append_segment(o, "hidden", 13, 0, CUT_SQUARES, false));
  LADSIM_CHECK(append_segment(o, "input", 0, 10, CUT_FIRST_ONLY, false));
  LADSIM_CHECK(append_segment(o, "hidden", 13, 9, CUT_LAST_ONLY, false));
  LADSIM_CHECK(append_segment(o, "hidden", 22, 18, CUT_SQUARES, false));
  return LADSIM_OK;
}

static int check_population(ladsim_input_file *f, const char *pop, size_t n)
{
  char ts[64], ns[64];
  snprintf(ts, sizeof ts, "/spikes/%s/timestamps", pop);
  snprintf(ns, sizeof ns, "/spikes/%s/node_ids", pop);
  int r = 0;
  size_t dims[4] = {0}, got_n = 0;
  double *t = NULL;
  uint64_t *ids = NULL;
  if (ladsim_input_file_read_doubles(f, ts, &r, dims, &t) != LADSIM_OK
      || ladsim_input_file_read_u64(f, ns, &got_n, &ids) != LADSIM_OK) {
    fprintf(stderr, "%s\n", ladsim_error_message());
    free(t);
    return 1;
  }
  int bad = r != 1 || dims[0] != n || got_n != n;
  for (size_t k = 0; !bad && k < n; k++)
    if (t[k] != time_of(k) || ids[k] != id_of(k)) {
      fprintf(stderr, "%s: spike %zu is (%g, %llu)\n", pop, k, t[k],
              (unsigned long long)ids[k]);
      bad = 1;
    }
  if (bad)
    fprintf(stderr, "%s: wrong content (rank %d, %zu entries)\n", pop, r,
            got_n);
  free(t);
  free(ids);
  return bad;
}

static int check_file(const char *path)
{
  ladsim_input_file *f = NULL;
  if (ladsim_input_file_open(path, &f) != LADSIM_OK) {
    fprintf(stderr, "%s\n", ladsim_error_message());
    return 1;
  }
  int bad = check_population(f, "hidden", N_SPIKES);
  bad |= check_population(f, "input", 10);
  bad |= check_population(f, "quiet", 0);
  ladsim_input_file_close(f);
  return bad;
}

/* Blocks in reverse rank order: every rank must fail with EINVAL. */
static int check_wrong_order(const char *dir)
{
  char path[512];
  snprintf(path, sizeof path, "%s/mpi_spikes_bad.h5", dir);
  ladsim_output *o = NULL;
  if (ladsim_output_create(MPI_COMM_WORLD, path, true, &o) != LADSIM_OK)
    return 1;
  ladsim_status s = append_segment(o, "hidden", 0, N_SPIKES, CUT_SQUARES,
                                   true);
  if (rank == 0)
    unlink(ladsim_output_partial_path(o));
  ladsim_output_abort(o);
  if (s != LADSIM_EINVAL)
    fprintf(stderr, "rank %d: reversed blocks gave status %d\n", rank, s);
  return s != LADSIM_EINVAL;
}

int main(int argc, char **argv)
{
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  const char *dir = argc > 1 ? argv[1] : ".";
  char path[512];
  snprintf(path, sizeof path, "%s/mpi_spikes.h5", dir);
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
  bad |= check_wrong_order(dir);
  MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  if (rank == 0)
    printf("mpi_spikes on %d ranks: %s\n", size, bad ? "FAIL" : "ok");
  MPI_Finalize();
  return bad ? 1 : 0;
}
