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

/* A run's communicator may be MPI_COMM_NULL: one process that never
 * started MPI (a lone rank run without a launcher starts in a few
 * milliseconds instead of tens). The functions of this module take it as
 * the communicator of that one process and make no MPI call for it; code
 * that spans ranks uses them, or these wrappers, instead of calling MPI on
 * a communicator that may be MPI_COMM_NULL. */

/* This process's rank in comm and the number of ranks: 0 and 1 for
 * MPI_COMM_NULL. Not collective. */
int ladsim_comm_rank(MPI_Comm comm);
int ladsim_comm_size(MPI_Comm comm);

/* MPI_Bcast, MPI_Allreduce, MPI_Reduce and MPI_Exscan, with MPI_COMM_NULL
 * standing for one process: a broadcast and an exclusive scan then leave
 * buf as it is (as MPI leaves the result of an exclusive scan undefined on
 * rank 0), a reduction copies send into recv unless send is MPI_IN_PLACE.
 * For MPI_COMM_NULL, type is one of MPI_CHAR, MPI_INT, MPI_LONG_LONG,
 * MPI_UINT64_T and MPI_DOUBLE. Return MPI's code. Collective. */
int ladsim_comm_bcast(void *buf, int count, MPI_Datatype type, int root, MPI_Comm comm);
int ladsim_comm_allreduce(const void *send, void *recv, int count, MPI_Datatype type,
                          MPI_Op op, MPI_Comm comm);
int ladsim_comm_reduce(const void *send, void *recv, int count, MPI_Datatype type, MPI_Op op,
                       int root, MPI_Comm comm);
int ladsim_comm_exscan(const void *send, void *recv, int count, MPI_Datatype type, MPI_Op op,
                       MPI_Comm comm);

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

/* ladsim_comm_agree, and in the same reduction *flag becomes 1 on every
 * rank if it was non-zero on some rank, 0 otherwise (one collective where
 * two would do). Collective over comm. */
ladsim_status ladsim_comm_agree_any(MPI_Comm comm, ladsim_status status, int *flag);

/* The ranks that share a layer of n neurons and this rank's block of it.
 * comm may be MPI_COMM_NULL: one process, whether or not MPI runs, and
 * every exchange is then a no-op. */
typedef struct {
  MPI_Comm comm;
  int rank, size;
  size_t n, first, count;   /* the layer and this rank's block of it */
  int *counts, *displs;     /* every rank's block, for the collectives */
} ladsim_comm_layout;

/* Sets l up for n neurons over comm. Not collective. */
ladsim_status ladsim_comm_layout_init(ladsim_comm_layout *l, MPI_Comm comm, size_t n);
void ladsim_comm_layout_free(ladsim_comm_layout *l);

/* Completes full (length n), of which this rank has filled its block
 * [first, first + count), with the blocks of the other ranks (one
 * MPI_Allgather when the blocks are equal, else one MPI_Allgatherv). Its time and the bytes this rank sends (its block, once
 * to each other rank) count in the profile's communication phase.
 * Collective. */
ladsim_status ladsim_comm_gather(const ladsim_comm_layout *l, double *full);

/* ladsim_comm_gather for many rows at once: full is a rows x n row-major
 * matrix of which this rank has filled its block of columns [first,
 * first + count) in every row; the other ranks' blocks are filled in. A few
 * MPI_Allgatherv of whole pieces of rows replace one gather per row; the
 * values are the same. Time and bytes count as in ladsim_comm_gather.
 * Collective. */
ladsim_status ladsim_comm_gather_rows(const ladsim_comm_layout *l, size_t rows, double *full);

/* Completes the row-major matrix full of rows of width values, of which
 * rank q holds count[q] rows (one entry per rank of comm; the ranks' rows
 * follow each other in rank order), with the rows of the other ranks: one
 * MPI_Allgatherv, a row being its unit. comm may be MPI_COMM_NULL (one
 * process: nothing to do). Time and bytes count as in ladsim_comm_gather.
 * Collective. */
ladsim_status ladsim_comm_gather_row_blocks(MPI_Comm comm, const size_t *count, size_t width,
                                            double *full);

/* Gathers variable-length byte records from every rank, in rank order,
 * into *all (grown with realloc as needed; capacity *cap bytes), *total
 * bytes in all. Time and bytes sent count in the profile's communication
 * phase (core/profile.h), as in ladsim_comm_gather. The status of each rank travels with the counts, and the
 * outcome is agreed as by ladsim_comm_agree: when a rank passes a failure,
 * every rank returns it and nothing is gathered. Collective. */
ladsim_status ladsim_comm_gather_bytes(MPI_Comm comm, ladsim_status status,
                                       const void *mine, size_t bytes, void **all,
                                       size_t *cap, size_t *total);

#endif
