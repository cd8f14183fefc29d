/* state.h: a simulation's state as a list of named arrays, written to and read from checkpoints.
 *
 * Each object that holds state (a layer, its rule, a population, the
 * simulation itself) lists its arrays here with their global shape and the
 * rows this rank holds. Arrays of a block of neurons are stored in the file
 * by neuron, whole, so a checkpoint written on P ranks is read back on any
 * other number: every rank reads the rows of its own block. Arrays that
 * every rank holds whole and alike (the stimulus, the layer's activity,
 * counters) are written by rank 0. Every array goes under /state/. */
#ifndef LADSIM_IO_STATE_H
#define LADSIM_IO_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <ladsim/error.h>
#include <ladsim/output.h>

typedef enum {
  LADSIM_STATE_F64,    /* double */
  LADSIM_STATE_I64,    /* int64_t */
  LADSIM_STATE_SIZE    /* size_t, stored as int64 */
} ladsim_state_type;

typedef struct {
  char name[160];      /* path in the file */
  ladsim_state_type type;
  void *data;          /* this rank's rows, row-major */
  size_t rows, cols;   /* global shape; cols 0: a vector of rows values */
  size_t lo, nl;       /* this rank's rows */
  bool whole;          /* every rank holds all rows, the same on each */
} ladsim_state_field;

typedef struct ladsim_state {
  ladsim_state_field *f;
  size_t n, cap;
  char prefix[128];    /* put before the names added next */
} ladsim_state;

/* Sets the prefix of the names added next ("" for none). */
void ladsim_state_prefix(ladsim_state *st, const char *fmt, ...)
  __attribute__((format(printf, 2, 3)));

/* Adds rows lo .. lo + nl of a rows x cols array of which this rank holds
 * those rows. */
ladsim_status ladsim_state_block(ladsim_state *st, const char *name, ladsim_state_type type,
                                 void *data, size_t rows, size_t cols, size_t lo, size_t nl);

/* Adds an array every rank holds whole. */
ladsim_status ladsim_state_whole(ladsim_state *st, const char *name, ladsim_state_type type,
                                 void *data, size_t rows, size_t cols);

/* Writes every array into o. Collective over o's communicator. */
ladsim_status ladsim_state_write(const ladsim_state *st, ladsim_output *o, int rank);

/* Reads this rank's rows of every array from f; a missing array or one of
 * another shape is an error that names it. Not collective. */
ladsim_status ladsim_state_read(const ladsim_state *st, ladsim_input_file *f);

void ladsim_state_free(ladsim_state *st);

#endif
