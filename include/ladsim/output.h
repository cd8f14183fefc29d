/* output.h: the run's HDF5 file, written collectively with parallel HDF5.
 *
 * One file per run. It is created under a temporary name (path + ".partial")
 * and renamed to path by ladsim_output_commit, so a failed run never leaves
 * a file that looks complete; what it recorded stays in the .partial file.
 * Every function taking a ladsim_output is collective over the output's
 * communicator: all ranks call it with the same path and global sizes.
 *
 * A write that fails on any rank (a full disk, a file size limit, an I/O
 * error) fails the call on every rank with the same message, so that no
 * rank waits for another. The output then writes nothing more: later
 * calls fail at once, and abort closes the file as it was last flushed.
 * The file is flushed when it is created and by ladsim_output_flush; a
 * run flushes before each record round, so that a .partial file left by a
 * failure or a kill opens with what was recorded before it. */
#ifndef LADSIM_OUTPUT_H
#define LADSIM_OUTPUT_H

#include <mpi.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <ladsim/error.h>

typedef struct ladsim_output ladsim_output;

/* Creates path + ".partial" on comm. If path exists and force is false,
 * fails with LADSIM_EEXIST and touches nothing. A .partial file left by an
 * earlier run is removed first (a symbolic link there is not followed);
 * one that is a directory fails with LADSIM_EEXIST. Collective. comm may be
 * MPI_COMM_NULL: one process, which writes through HDF5's POSIX driver
 * instead of MPI-IO and need not have started MPI. */
ladsim_status ladsim_output_create(MPI_Comm comm, const char *path, bool force,
                                   ladsim_output **out);

/* Flushes, closes and renames the file to its final name. Collective.
 * Frees o whatever the outcome. */
ladsim_status ladsim_output_commit(ladsim_output *o);

/* Flushes and closes, leaving the .partial file in place (after a failure;
 * after a failed write, nothing more is written). Collective when
 * possible; safe to call with NULL. */
void ladsim_output_abort(ladsim_output *o);

/* Flushes what was written so far to disk. Collective. */
ladsim_status ladsim_output_flush(ladsim_output *o);

/* The temporary and the final path. */
const char *ladsim_output_partial_path(const ladsim_output *o);
const char *ladsim_output_path(const ladsim_output *o);

/* Writes a variable-length string data set; groups on the way are created.
 * The value must be the same on every rank. Collective. */
ladsim_status ladsim_output_write_string(ladsim_output *o, const char *dset,
                                         const char *text);

/* Writes a whole float64 data set of the given rank and global dims. Each
 * rank passes its block of rows: rows [row0, row0 + nrows) of the first
 * dimension (a rank with no rows passes nrows = 0). Collective. */
ladsim_status ladsim_output_write_doubles(ladsim_output *o, const char *dset,
                                          int rank, const size_t *dims,
                                          size_t row0, size_t nrows,
                                          const double *data);

/* The same for uint64 and int32 data (spike ids, labels, counts). */
ladsim_status ladsim_output_write_u64(ladsim_output *o, const char *dset,
                                      size_t n, size_t row0, size_t nrows,
                                      const uint64_t *data);

/* The same for int64 data of any rank up to 4 (counters, event times). */
ladsim_status ladsim_output_write_i64(ladsim_output *o, const char *dset,
                                      int rank, const size_t *dims,
                                      size_t row0, size_t nrows,
                                      const int64_t *data);

/* Appends one value to a 1-D extendible float64 series (created on first
 * use, chunked). The value must be the same on every rank. Collective. */
ladsim_status ladsim_output_series_append(ladsim_output *o, const char *dset,
                                          double value);

/* Appends one slice to an extendible stack of float64 matrices of shape
 * (n_slices, rows, cols): each rank gives its rows [row0, row0 + nrows) of
 * the slice. Created on first use. Collective. */
ladsim_status ladsim_output_stack_append(ladsim_output *o, const char *dset,
                                         size_t rows, size_t cols, size_t row0,
                                         size_t nrows, const double *data);

/* Attributes on a group or data set (created if the group is missing). */
ladsim_status ladsim_output_attr_string(ladsim_output *o, const char *obj,
                                        const char *name, const char *value);
ladsim_status ladsim_output_attr_double(ladsim_output *o, const char *obj,
                                        const char *name, double value);

/* Appends n spikes (times in ms, global node ids) of one population to
 * /spikes/<population>/{timestamps, node_ids} in the SONATA layout (Dai et
 * al. 2020): timestamps float64 with attribute units = "ms", node_ids
 * uint64, and on the group the enum attribute sorting = by_time. The data
 * sets are extendible and chunked, created on the first call (also when no
 * rank has a spike). Each rank passes its own spikes; they are written as
 * one block in rank order, so the caller exchanges and sorts by (time, id)
 * first: the times must not decrease within a rank, from one rank to the
 * next, nor from one append to the next (LADSIM_EINVAL on every rank
 * otherwise, and nothing is written). The population name (a layer's
 * name, without '/') is the same on every rank. Collective. */
ladsim_status ladsim_output_spikes_append(ladsim_output *o,
                                          const char *population, size_t n,
                                          const double *times,
                                          const uint64_t *ids);

/* Reading a finished file (not collective; serial HDF5 access). */
typedef struct ladsim_input_file ladsim_input_file;

ladsim_status ladsim_input_file_open(const char *path, ladsim_input_file **out);
void ladsim_input_file_close(ladsim_input_file *f);
bool ladsim_input_file_has(ladsim_input_file *f, const char *dset);
const char *ladsim_input_file_path(const ladsim_input_file *f);
ladsim_status ladsim_input_file_read_string(ladsim_input_file *f,
                                            const char *dset, char **out);
/* Reads a float64 data set of rank <= 4: dims gets its sizes, *out a
 * malloc'd copy of its data. */
ladsim_status ladsim_input_file_read_doubles(ladsim_input_file *f,
                                             const char *dset, int *rank,
                                             size_t dims[4], double **out);
/* Reads rows [row0, row0 + nrows) of a data set of rows x cols values:
 * 1-D of rows values when cols is 0, else rows along the first dimension
 * and cols values (the product of the other dimensions) in each, as
 * float64 (integers false) or int64 (integers true) into out. A data set
 * of another shape is an error naming it and both shapes. */
ladsim_status ladsim_input_file_read_rows(ladsim_input_file *f, const char *dset,
                                          bool integers, size_t rows, size_t cols,
                                          size_t row0, size_t nrows, void *out);
/* The paths of every data set in the file, in name order; *names and its
 * strings are malloc'd (free each, then the array). */
ladsim_status ladsim_input_file_list(ladsim_input_file *f, char ***names, size_t *n);
/* The dimensions of a data set (*rank of them in dims). */
ladsim_status ladsim_input_file_shape(ladsim_input_file *f, const char *dset,
                                      int *rank, size_t dims[4]);
/* Reads a 1-D integer data set (node ids, counts) exactly: *n gets its
 * length, *out a malloc'd copy (non-NULL even when *n is 0). Negative
 * values of a signed data set are refused. */
ladsim_status ladsim_input_file_read_u64(ladsim_input_file *f,
                                         const char *dset, size_t *n,
                                         uint64_t **out);

#endif
