/* io.h: what the files of the io module share: the output object and HDF5 helpers.
 *
 * Not installed. The output keeps its extendible data sets (series and
 * stacks) open in a small table, because metrics are appended every record
 * interval and reopening tens of data sets by name each time is wasted
 * metadata traffic on a parallel file system. */
#ifndef LADSIM_IO_IO_H
#define LADSIM_IO_IO_H

#include <hdf5.h>
#include <mpi.h>
#include <stdbool.h>
#include <stddef.h>
#include <ladsim/output.h>

/* Largest rank of a data set the module writes and reads. */
#define LADSIM__IO_MAX_RANK 4

/* An extendible data set the output holds open. A spike population
 * takes two entries, its timestamps and its node_ids (spikes.c). */
typedef enum {
  LADSIM__EXT_SERIES,
  LADSIM__EXT_STACK,
  LADSIM__EXT_SPIKES
} ladsim__ext_kind;

typedef struct {
  char *name;             /* its path in the file, as the caller gave it */
  hid_t dset;
  ladsim__ext_kind kind;
  hsize_t len;            /* values (series, spikes) or slices (stack) */
  hsize_t rows, cols;     /* shape of a stack's slice; 0 otherwise */
  double last_time;       /* spikes: the latest timestamp written, ms */
} ladsim__ext;

struct ladsim_output {
  MPI_Comm comm;          /* our duplicate of the caller's communicator;
                           * MPI_COMM_NULL: one process without MPI */
  int rank;
  char *path;             /* final name */
  char *partial;          /* path + ".partial", the name while writing */
  hid_t file;
  hid_t dxpl;             /* independent MPI-IO transfers (write_guard.c) */
  hid_t lcpl;             /* creates missing groups on the way of a path */
  ladsim__ext *ext;
  size_t n_ext, cap_ext;
  bool failed;            /* a step failed on some rank; every rank knows */
};

/* Stops HDF5 from printing its error stack; we report failures ourselves. */
void ladsim__h5_quiet(void);

/* The most specific description on HDF5's error stack, copied into buf
 * (LADSIM__H5_REASON_MAX bytes are enough). */
#define LADSIM__H5_REASON_MAX 512
const char *ladsim__h5_reason(char *buf, size_t size);

/* 1 if every link on the way of path exists under loc, 0 if one is
 * missing, -1 if HDF5 fails. "/" always exists. */
int ladsim__h5_exists(hid_t loc, const char *path);

/* Records an error "cannot VERB OBJ in FILE: <HDF5's reason>" with code and
 * returns code. */
ladsim_status ladsim__h5_error(ladsim_status code, const char *src, int line,
                               const char *verb, const char *obj,
                               const char *file);

/* The same as LADSIM_EIO for the output's .partial file. */
#define LADSIM__OUTPUT_FAIL(o, verb, obj) \
  ladsim__h5_error(LADSIM_EIO, __FILE__, __LINE__, (verb), (obj), (o)->partial)

/* Makes every rank agree on the outcome of a step (ladsim_comm_agree on
 * the output's communicator): a failure on any rank is returned on all of
 * them with its message. If a write to the file failed on any rank, the
 * output is marked failed on all of them: it takes no further HDF5 call
 * but its closing, and its later writes are dropped (write_guard.c).
 * Collective. */
ladsim_status ladsim__output_agree(ladsim_output *o, ladsim_status status);

/* Agrees on the outcome of one collective HDF5 call that may write to
 * the file: ok is this rank's view; a rank that failed records "cannot
 * VERB OBJ in FILE: <HDF5's reason>" first. Collective. */
ladsim_status ladsim__output_step(ladsim_output *o, bool ok, const char *verb,
                                  const char *obj);

/* LADSIM_EIO, the same on every rank, if an earlier step failed; every
 * collective entry point calls it first. Not collective. */
ladsim_status ladsim__output_usable(const ladsim_output *o);

/* Keeps the failures of writes to file from HDF5, so that it takes the
 * same way on every rank (write_guard.c); owner is the output it belongs
 * to, mpio whether the file is open through MPI-IO (else through HDF5's
 * POSIX driver). Returns false if the file's handle cannot be had. Not
 * collective, nor are the three below. */
bool ladsim__write_guard(hid_t file, const void *owner, bool mpio);

/* Why a write to the file of owner failed on this rank, NULL if none did. */
const char *ladsim__write_failed(const void *owner);

/* Drops every later write to the file of owner (after a failure, so that
 * HDF5 can close it). */
void ladsim__write_discard(const void *owner);

/* Forgets the file of owner once it is closed. */
void ladsim__write_unguard(const void *owner);

/* Sets dcpl so that chunks are allocated without writing fill values.
 * For the extendible data sets: parallel HDF5 allocates a chunk when a
 * data set grows and fills it in a write of its own, although every
 * appended value is written right after; on a nearly full disk that
 * write alone fails. Returns false if HDF5 fails. */
bool ladsim__h5_no_fill(hid_t dcpl);

/* Closes an HDF5 identifier of any kind if it is valid; for clean-up paths. */
void ladsim__h5_close(hid_t id);

/* Writes the block (start, count) of the data set's file space from data
 * in mem_type; a count with a zero selects nothing, but the rank still
 * takes part in the collective transfer. Returns false if HDF5 fails. */
bool ladsim__output_write_block(const ladsim_output *o, hid_t dset,
                                hid_t fspace, hid_t mem_type,
                                const hsize_t *start, const hsize_t *count,
                                const void *data);

/* Adds the open data set proto.dset to the table under name (copied);
 * *out points at the new entry until the table next grows. */
ladsim_status ladsim__output_ext_add(ladsim_output *o, const char *name,
                                     ladsim__ext proto, ladsim__ext **out);

/* The table entry of an extendible data set, or NULL if it is not open. */
ladsim__ext *ladsim__output_ext_find(ladsim_output *o, const char *name);

/* Closes every data set of the table; returns the number that failed. */
int ladsim__output_ext_close_all(ladsim_output *o);

#endif
