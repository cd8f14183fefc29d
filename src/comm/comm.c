/* comm.c: block partition of layers over ranks and agreement on failures. */
#include "config.h"
#include "comm/comm.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/profile.h"

void ladsim_comm_block(size_t n, int ranks, int rank, size_t *first, size_t *count)
{
  size_t r = (size_t)rank, p = (size_t)ranks;
  size_t base = n / p, extra = n % p;
  *count = base + (r < extra ? 1 : 0);
  *first = r * base + (r < extra ? r : extra);
}

int ladsim_comm_owner(size_t n, int ranks, size_t i)
{
  size_t p = (size_t)ranks, base = n / p, extra = n % p;
  size_t cut = extra * (base + 1);   /* items of the ranks with one more */
  if (i < cut)
    return (int)(i / (base + 1));
  return (int)(extra + (i - cut) / (base ? base : 1));
}

int ladsim_comm_rank(MPI_Comm comm)
{
  int rank = 0;
  if (comm != MPI_COMM_NULL)
    MPI_Comm_rank(comm, &rank);
  return rank;
}

int ladsim_comm_size(MPI_Comm comm)
{
  int size = 1;
  if (comm != MPI_COMM_NULL)
    MPI_Comm_size(comm, &size);
  return size;
}

/* The size of the types that ladsim reduces, found without MPI (which may
 * not be running); 0 for another type. */
static size_t plain_type_size(MPI_Datatype type)
{
  if (type == MPI_CHAR)
    return 1;
  if (type == MPI_INT)
    return sizeof(int);
  if (type == MPI_LONG_LONG)
    return sizeof(long long);
  if (type == MPI_UINT64_T)
    return sizeof(uint64_t);
  if (type == MPI_DOUBLE)
    return sizeof(double);
  return 0;
}

/* A reduction over one process: recv is send. */
static int reduce_alone(const void *send, void *recv, int count, MPI_Datatype type)
{
  size_t size = plain_type_size(type);
  if (size == 0 || count < 0)
    return MPI_ERR_TYPE;
  if (send != MPI_IN_PLACE && count > 0)
    memmove(recv, send, (size_t)count * size);
  return MPI_SUCCESS;
}

int ladsim_comm_bcast(void *buf, int count, MPI_Datatype type, int root, MPI_Comm comm)
{
  if (comm == MPI_COMM_NULL)
    return MPI_SUCCESS;
  return MPI_Bcast(buf, count, type, root, comm);
}

int ladsim_comm_allreduce(const void *send, void *recv, int count, MPI_Datatype type,
                          MPI_Op op, MPI_Comm comm)
{
  if (comm == MPI_COMM_NULL)
    return reduce_alone(send, recv, count, type);
  return MPI_Allreduce(send, recv, count, type, op, comm);
}

int ladsim_comm_reduce(const void *send, void *recv, int count, MPI_Datatype type, MPI_Op op,
                       int root, MPI_Comm comm)
{
  if (comm == MPI_COMM_NULL)
    return reduce_alone(send, recv, count, type);
  return MPI_Reduce(send, recv, count, type, op, root, comm);
}

int ladsim_comm_exscan(const void *send, void *recv, int count, MPI_Datatype type, MPI_Op op,
                       MPI_Comm comm)
{
  if (comm == MPI_COMM_NULL)
    return MPI_SUCCESS;
  return MPI_Exscan(send, recv, count, type, op, comm);
}

/* The message travels as a fixed-size buffer so that one broadcast does. */
#define AGREE_MESSAGE_MAX 2048

ladsim_status ladsim_comm_agree(MPI_Comm comm, ladsim_status status)
{
  int flag = 0;
  return ladsim_comm_agree_any(comm, status, &flag);
}

ladsim_status ladsim_comm_agree_any(MPI_Comm comm, ladsim_status status, int *flag)
{
  if (comm == MPI_COMM_NULL) {
    *flag = *flag != 0;
    return status;
  }
  int rank, size;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  /* The lowest failing rank speaks: ranks that are fine offer `size`. The
   * flag travels in the same reduction, negated so that MIN gives any. */
  int mine[2] = {status == LADSIM_OK ? size : rank, *flag ? -1 : 0}, least[2];
  if (MPI_Allreduce(mine, least, 2, MPI_INT, MPI_MIN, comm) != MPI_SUCCESS)
    return LADSIM_ERROR(LADSIM_EMPI, "MPI_Allreduce failed while ranks compared their status");
  int first = least[0];
  *flag = least[1] < 0;
  if (first == size)
    return LADSIM_OK;
  int code = (int)status;
  char message[AGREE_MESSAGE_MAX];
  if (rank == first)
    snprintf(message, sizeof message, "%s", ladsim_error_message());
  if (MPI_Bcast(&code, 1, MPI_INT, first, comm) != MPI_SUCCESS ||
      MPI_Bcast(message, AGREE_MESSAGE_MAX, MPI_CHAR, first, comm) != MPI_SUCCESS)
    return LADSIM_ERROR(LADSIM_EMPI, "MPI_Bcast failed while rank %d reported a failure", first);
  if (rank == first)
    return status;
  if (size > 1 && first != 0)
    return ladsim_error((ladsim_status)code, __FILE__, __LINE__, "rank %d: %s", first, message);
  return ladsim_error((ladsim_status)code, __FILE__, __LINE__, "%s", message);
}

ladsim_status ladsim_comm_layout_init(ladsim_comm_layout *l, MPI_Comm comm, size_t n)
{
  *l = (ladsim_comm_layout){.comm = comm, .rank = 0, .size = 1, .n = n, .first = 0,
                            .count = n};
  if (comm == MPI_COMM_NULL)
    return LADSIM_OK;
  l->rank = ladsim_comm_rank(comm);
  l->size = ladsim_comm_size(comm);
  if (n > INT32_MAX)
    return LADSIM_ERROR(LADSIM_EINVAL, "a layer of %zu neurons is too large to exchange "
                        "between ranks (at most %d)", n, INT32_MAX);
  ladsim_comm_block(n, l->size, l->rank, &l->first, &l->count);
  l->counts = malloc((size_t)l->size * sizeof(int));
  l->displs = malloc((size_t)l->size * sizeof(int));
  if (!l->counts || !l->displs) {
    ladsim_comm_layout_free(l);
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory for the partition of a layer");
  }
  for (int r = 0; r < l->size; r++) {
    size_t first, count;
    ladsim_comm_block(n, l->size, r, &first, &count);
    l->counts[r] = (int)count;
    l->displs[r] = (int)first;
  }
  return LADSIM_OK;
}

void ladsim_comm_layout_free(ladsim_comm_layout *l)
{
  free(l->counts);
  free(l->displs);
  l->counts = l->displs = NULL;
}

ladsim_status ladsim_comm_gather(const ladsim_comm_layout *l, double *full)
{
  if (l->size == 1)
    return LADSIM_OK;
  ladsim_prof_start(LADSIM_PROF_COMM);
  /* Equal blocks need no counts: Open MPI's allgather is a little leaner. */
  int rc = l->n % (size_t)l->size == 0
               ? MPI_Allgather(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, full, l->counts[0],
                               MPI_DOUBLE, l->comm)
               : MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, full, l->counts,
                                l->displs, MPI_DOUBLE, l->comm);
  ladsim_prof_add_bytes((double)l->count * sizeof(double) * (double)(l->size - 1));
  ladsim_prof_stop(LADSIM_PROF_COMM);
  if (rc != MPI_SUCCESS)
    return LADSIM_ERROR(LADSIM_EMPI, "MPI_Allgather(v) failed exchanging the activity of "
                        "%zu neurons", l->n);
  return LADSIM_OK;
}

/* At most this many values travel in one collective of
 * ladsim_comm_gather_rows, so its buffers stay a few megabytes. */
#define GATHER_ROWS_VALUES ((size_t)1 << 19)

/* Rows r0 .. r0 + rows - 1 of ladsim_comm_gather_rows: this rank's
 * columns packed into mine, every rank's packed blocks into all, in rank
 * order, then spread back into the rows. */
static int gather_row_piece(const ladsim_comm_layout *l, size_t rows, double *full,
                            double *mine, double *all, int *counts, int *displs)
{
  size_t n = l->n;
  for (size_t r = 0; r < rows; r++)
    memcpy(mine + r * l->count, full + r * n + l->first, l->count * sizeof(double));
  for (int q = 0; q < l->size; q++) {
    counts[q] = l->counts[q] * (int)rows;
    displs[q] = l->displs[q] * (int)rows;
  }
  int rc = MPI_Allgatherv(mine, counts[l->rank], MPI_DOUBLE, all, counts, displs,
                          MPI_DOUBLE, l->comm);
  for (int q = 0; q < l->size && rc == MPI_SUCCESS; q++) {
    size_t first = (size_t)l->displs[q], count = (size_t)l->counts[q];
    const double *block = all + (size_t)displs[q];
    for (size_t r = 0; r < rows; r++)
      memcpy(full + r * n + first, block + r * count, count * sizeof(double));
  }
  return rc;
}

ladsim_status ladsim_comm_gather_rows(const ladsim_comm_layout *l, size_t rows, double *full)
{
  if (l->size == 1 || rows == 0 || l->n == 0)
    return LADSIM_OK;
  size_t n = l->n, piece = GATHER_ROWS_VALUES / n ? GATHER_ROWS_VALUES / n : 1;
  if (piece > rows)
    piece = rows;
  double *mine = malloc((piece * l->count + piece * n) * sizeof(double));
  int *counts = malloc(2 * (size_t)l->size * sizeof(int));
  ladsim_status st = LADSIM_OK;
  if (!mine || !counts)
    st = LADSIM_ERROR(LADSIM_ENOMEM, "out of memory gathering %zu rows of %zu values", rows, n);
  /* a failure to allocate on one rank is agreed before any collective */
  st = ladsim_comm_agree(l->comm, st);
  ladsim_prof_start(LADSIM_PROF_COMM);
  for (size_t r0 = 0; r0 < rows && st == LADSIM_OK; r0 += piece) {
    size_t k = rows - r0 < piece ? rows - r0 : piece;
    if (gather_row_piece(l, k, full + r0 * n, mine, mine + piece * l->count, counts,
                         counts + l->size) != MPI_SUCCESS)
      st = LADSIM_ERROR(LADSIM_EMPI, "MPI_Allgatherv failed gathering %zu rows of %zu values",
                        k, n);
    ladsim_prof_add_bytes((double)(k * l->count) * sizeof(double) * (double)(l->size - 1));
  }
  ladsim_prof_stop(LADSIM_PROF_COMM);
  free(mine);
  free(counts);
  return st;
}

ladsim_status ladsim_comm_gather_row_blocks(MPI_Comm comm, const size_t *count, size_t width,
                                            double *full)
{
  int rank = ladsim_comm_rank(comm), size = ladsim_comm_size(comm);
  if (size == 1 || width == 0)
    return LADSIM_OK;
  int *counts = malloc(2 * (size_t)size * sizeof(int));
  ladsim_status st = LADSIM_OK;
  size_t rows = 0;
  for (int q = 0; q < size; q++) {
    if (rows + count[q] > INT32_MAX)
      st = LADSIM_ERROR(LADSIM_EINVAL, "more than %d rows to gather", INT32_MAX);
    if (counts && st == LADSIM_OK) {
      counts[q] = (int)count[q];
      counts[size + q] = (int)rows;
    }
    rows += count[q];
  }
  if (!counts && st == LADSIM_OK)
    st = LADSIM_ERROR(LADSIM_ENOMEM, "out of memory gathering %zu rows", rows);
  /* a failure on one rank is agreed before any collective */
  st = ladsim_comm_agree(comm, st);
  MPI_Datatype row;
  if (st == LADSIM_OK && (width > INT32_MAX
                          || MPI_Type_contiguous((int)width, MPI_DOUBLE, &row) != MPI_SUCCESS
                          || MPI_Type_commit(&row) != MPI_SUCCESS))
    st = LADSIM_ERROR(LADSIM_EMPI, "no MPI type for rows of %zu values", width);
  if (st == LADSIM_OK) {
    ladsim_prof_start(LADSIM_PROF_COMM);
    if (MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, full, counts, counts + size, row,
                       comm) != MPI_SUCCESS)
      st = LADSIM_ERROR(LADSIM_EMPI, "MPI_Allgatherv failed gathering %zu rows", rows);
    ladsim_prof_add_bytes((double)count[rank] * (double)width * sizeof(double)
                          * (double)(size - 1));
    ladsim_prof_stop(LADSIM_PROF_COMM);
    MPI_Type_free(&row);
  }
  free(counts);
  return st;
}

/* Counts and statuses of every rank, then the bytes themselves. */
static ladsim_status gather_bytes(MPI_Comm comm, int size, ladsim_status status,
                                  const void *mine, size_t bytes, void **all, size_t *cap,
                                  size_t *total)
{
  long long info[2] = {(long long)bytes, (long long)status};
  long long *every = malloc(2 * (size_t)size * sizeof(long long));
  int *counts = malloc(2 * (size_t)size * sizeof(int));
  if (!every || !counts) {
    free(every);
    free(counts);
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory exchanging spikes");
  }
  int *displs = counts + size;
  ladsim_status st = LADSIM_OK;
  if (MPI_Allgather(info, 2, MPI_LONG_LONG, every, 2, MPI_LONG_LONG, comm) != MPI_SUCCESS)
    st = LADSIM_ERROR(LADSIM_EMPI, "MPI_Allgather failed exchanging spike counts");
  size_t sum = 0;
  int failed = 0;
  for (int r = 0; st == LADSIM_OK && r < size; r++) {
    failed |= every[2 * r + 1] != LADSIM_OK;
    if (sum + (size_t)every[2 * r] > INT32_MAX)
      st = LADSIM_ERROR(LADSIM_EINVAL, "more than 2 GiB of spikes to exchange in one "
                        "interval; lower simulation.min_delay");
    counts[r] = (int)every[2 * r];
    displs[r] = (int)sum;
    sum += (size_t)every[2 * r];
  }
  free(every);
  if (st == LADSIM_OK && failed) {
    free(counts);
    return ladsim_comm_agree(comm, status);
  }
  if (st == LADSIM_OK && sum > *cap) {
    void *grown = realloc(*all, sum);
    if (grown) {
      *all = grown;
      *cap = sum;
    } else {
      st = LADSIM_ERROR(LADSIM_ENOMEM, "out of memory for %zu bytes of spikes", sum);
    }
  }
  /* a failure of allocation on one rank is agreed before the collective */
  st = ladsim_comm_agree(comm, st);
  if (st == LADSIM_OK && MPI_Allgatherv(mine, (int)bytes, MPI_BYTE, *all, counts, displs,
                                        MPI_BYTE, comm) != MPI_SUCCESS)
    st = LADSIM_ERROR(LADSIM_EMPI, "MPI_Allgatherv failed exchanging spikes");
  free(counts);
  *total = sum;
  return st;
}

ladsim_status ladsim_comm_gather_bytes(MPI_Comm comm, ladsim_status status,
                                       const void *mine, size_t bytes, void **all,
                                       size_t *cap, size_t *total)
{
  int size = ladsim_comm_size(comm);
  *total = 0;
  if (size == 1) {
    if (status != LADSIM_OK)
      return status;
    if (bytes > *cap) {
      void *grown = realloc(*all, bytes);
      if (!grown)
        return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory for %zu bytes of spikes", bytes);
      *all = grown;
      *cap = bytes;
    }
    if (bytes)
      memcpy(*all, mine, bytes);
    *total = bytes;
    return LADSIM_OK;
  }
  ladsim_prof_start(LADSIM_PROF_COMM);
  ladsim_status st = gather_bytes(comm, size, status, mine, bytes, all, cap, total);
  ladsim_prof_add_bytes((double)bytes * (double)(size - 1));
  ladsim_prof_stop(LADSIM_PROF_COMM);
  return st;
}
