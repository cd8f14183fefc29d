/* comm.h: what the ranks of a run share: the partition of layers and agreement on errors.
 *
 * Each rank owns a contiguous block of every layer's neurons. The blocks
 * depend only on the layer size and the number of ranks, the first
 * (size mod ranks) ranks getting one neuron more, so any rank can tell who
 * owns a neuron without asking. */
#ifndef LADSIM_COMM_COMM_H
#define LADSIM_COMM_COMM_H

#include <mpi.h>
#include <stddef.h>
#include <ladsim/error.h>

/* The block [*first, *first + *count) of n items that rank `rank` of
 * `ranks` owns. Not collective. */
void ladsim_comm_block(size_t n, int ranks, int rank, size_t *first, size_t *count);

/* The rank that owns item i of n. Not collective. */
int ladsim_comm_owner(size_t n, int ranks, size_t i);

/* Makes every rank agree on the outcome of a step that may have failed on
 * some ranks only: returns LADSIM_OK on all ranks if `status` is LADSIM_OK on
 * all of them; otherwise every rank returns the failing status of the
 * lowest failing rank, with that rank's message as the current error (so
 * rank 0 can print it once and no rank waits for another in a later
 * collective). Collective over comm. */
ladsim_status ladsim_comm_agree(MPI_Comm comm, ladsim_status status);

#endif
