/* mpi_comm.c: the partition covers every neuron once; gathers complete every block; a failure on one rank reaches all. */
#include "config.h"
#include <mpi.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "comm/comm.h"

static int rank, size;

/* Blocks of every size from 0 to 50 tile [0, n) in rank order, and the
 * owner of each item is the rank whose block holds it. */
static int check_blocks(void)
{
  for (size_t n = 0; n <= 50; n++) {
    size_t next = 0;
    for (int r = 0; r < size; r++) {
      size_t first, count;
      ladsim_comm_block(n, size, r, &first, &count);
      if (first != next || count > n / (size_t)size + 1)
        return 1;
      for (size_t i = first; i < first + count; i++)
        if (ladsim_comm_owner(n, size, i) != r)
          return 1;
      next = first + count;
    }
    if (next != n)
      return 1;
  }
  return 0;
}

/* Only the last rank fails; every rank must come back with its status and
 * message, and nobody may hang. */
static int check_agree(void)
{
  ladsim_status mine = LADSIM_OK;
  if (rank == size - 1)
    mine = LADSIM_ERROR(LADSIM_EDIVERGED, "layer hidden: neuron 7 diverged");
  ladsim_status got = ladsim_comm_agree(MPI_COMM_WORLD, mine);
  if (got != LADSIM_EDIVERGED || !strstr(ladsim_error_message(), "neuron 7 diverged"))
    return 1;
  if (size > 1 && rank != size - 1 && !strstr(ladsim_error_message(), "rank"))
    return 1;
  return ladsim_comm_agree(MPI_COMM_WORLD, LADSIM_OK) != LADSIM_OK;
}

static double entry(size_t row, size_t col)
{
  return 0.25 + (double)row * 1e-3 + (double)col * 1.5;
}

/* A rows x n matrix of which each rank filled only its own columns (the
 * rest is NaN) comes back whole: row by row through ladsim_comm_gather
 * (an allgather when the blocks are equal, an allgatherv when not), or all
 * rows at once through ladsim_comm_gather_rows, with fewer neurons than
 * ranks, blocks of unequal size, and more rows than one collective takes. */
static int check_gather(size_t n, size_t rows, bool by_row)
{
  ladsim_comm_layout l;
  double *full = malloc((rows * n > 0 ? rows * n : 1) * sizeof(double));
  if (!full || ladsim_comm_layout_init(&l, MPI_COMM_WORLD, n) != LADSIM_OK)
    return 1;
  for (size_t r = 0; r < rows; r++)
    for (size_t c = 0; c < n; c++)
      full[r * n + c] = c >= l.first && c < l.first + l.count ? entry(r, c) : NAN;
  int bad = 0;
  for (size_t r = 0; r < rows && by_row; r++)
    bad |= ladsim_comm_gather(&l, full + r * n) != LADSIM_OK;
  if (!by_row)
    bad = ladsim_comm_gather_rows(&l, rows, full) != LADSIM_OK;
  for (size_t i = 0; i < rows * n && !bad; i++)
    bad = full[i] != entry(i / n, i % n);
  ladsim_comm_layout_free(&l);
  free(full);
  return bad;
}

/* Rows that each rank computed in its own share (rank q the q-th share
 * of 3 q + 1 rows, or none on rank 1) come back in rank order on every
 * rank. */
static int check_row_blocks(size_t width)
{
  size_t count[16], rows = 0, first = 0;
  for (int q = 0; q < size && q < 16; q++) {
    count[q] = q == 1 ? 0 : 3 * (size_t)q + 1;
    if (q < rank)
      first += count[q];
    rows += count[q];
  }
  double *full = malloc(rows * width * sizeof(double));
  if (size > 16 || !full)
    return 1;
  for (size_t i = 0; i < rows * width; i++)
    full[i] = i / width >= first && i / width < first + count[rank] ? entry(i / width, i % width)
                                                                     : NAN;
  int bad = ladsim_comm_gather_row_blocks(MPI_COMM_WORLD, count, width, full) != LADSIM_OK;
  for (size_t i = 0; i < rows * width && !bad; i++)
    bad = full[i] != entry(i / width, i % width);
  free(full);
  return bad;
}

int main(int argc, char **argv)
{
  MPI_Init(&argc, &argv);
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  int bad = check_blocks() | check_agree() << 1;
  bad |= (check_gather(12, 3, true) | check_gather(7, 3, true)) << 2;
  bad |= (check_gather(2, 5, false) | check_gather(7, 3, false) | check_gather(1000, 1200, false))
         << 3;
  bad |= (check_row_blocks(1) | check_row_blocks(5)) << 4;
  MPI_Allreduce(MPI_IN_PLACE, &bad, 1, MPI_INT, MPI_BOR, MPI_COMM_WORLD);
  if (rank == 0)
    printf("mpi_comm on %d ranks: %s (code %d)\n", size, bad ? "FAIL" : "ok", bad);
  MPI_Finalize();
  return bad ? 1 : 0;
}
