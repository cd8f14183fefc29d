/* comm.c: block partition of layers over ranks and agreement on failures. */
#include "config.h"
#include "comm/comm.h"

#include <stdio.h>
#include <string.h>

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

/* The message travels as a fixed-size buffer so that one broadcast does. */
#define AGREE_MESSAGE_MAX 2048

ladsim_status ladsim_comm_agree(MPI_Comm comm, ladsim_status status)
{
  int rank, size;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  /* The lowest failing rank speaks: ranks that are fine offer `size`. */
  int mine = status == LADSIM_OK ? size : rank, first;
  if (MPI_Allreduce(&mine, &first, 1, MPI_INT, MPI_MIN, comm) != MPI_SUCCESS)
    return LADSIM_ERROR(LADSIM_EMPI, "MPI_Allreduce failed while ranks compared their status");
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
