/* state.c: writing and reading the arrays of a simulation's state (checkpoints). */
#include "config.h"
#include "io/state.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void ladsim_state_prefix(ladsim_state *st, const char *fmt, ...)
{
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(st->prefix, sizeof st->prefix, fmt, ap);
  va_end(ap);
}

static ladsim_status add(ladsim_state *st, ladsim_state_field f, const char *name)
{
  if (st->n == st->cap) {
    size_t cap = st->cap ? 2 * st->cap : 32;
    ladsim_state_field *grown = realloc(st->f, cap * sizeof *grown);
    if (!grown)
      return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory listing the state to save");
    st->f = grown;
    st->cap = cap;
  }
  snprintf(f.name, sizeof f.name, "/state/%s%s", st->prefix, name);
  st->f[st->n++] = f;
  return LADSIM_OK;
}

ladsim_status ladsim_state_block(ladsim_state *st, const char *name, ladsim_state_type type,
                                 void *data, size_t rows, size_t cols, size_t lo, size_t nl)
{
  ladsim_state_field f = {.type = type, .data = data, .rows = rows, .cols = cols,
                          .lo = lo, .nl = nl, .whole = false};
  return add(st, f, name);
}

ladsim_status ladsim_state_whole(ladsim_state *st, const char *name, ladsim_state_type type,
                                 void *data, size_t rows, size_t cols)
{
  ladsim_state_field f = {.type = type, .data = data, .rows = rows, .cols = cols,
                          .lo = 0, .nl = rows, .whole = true};
  return add(st, f, name);
}

void ladsim_state_free(ladsim_state *st)
{
  free(st->f);
  st->f = NULL;
  st->n = st->cap = 0;
}

static size_t cells(const ladsim_state_field *f, size_t rows)
{
  return rows * (f->cols ? f->cols : 1);
}

/* size_t arrays go to the file as int64 through a copy. */
static ladsim_status write_field(const ladsim_state_field *f, ladsim_output *o, int rank)
{
  size_t dims[2] = {f->rows, f->cols};
  int ndims = f->cols ? 2 : 1;
  size_t row0 = f->whole ? 0 : f->lo;
  size_t nrows = f->whole ? (rank == 0 ? f->rows : 0) : f->nl;
  if (f->type == LADSIM_STATE_F64)
    return ladsim_output_write_doubles(o, f->name, ndims, dims, row0, nrows, f->data);
  if (f->type == LADSIM_STATE_I64)
    return ladsim_output_write_i64(o, f->name, ndims, dims, row0, nrows, f->data);
  size_t n = cells(f, nrows);
  int64_t *tmp = malloc((n ? n : 1) * sizeof *tmp);
  ladsim_status st = tmp ? LADSIM_OK
                         : LADSIM_ERROR(LADSIM_ENOMEM, "out of memory saving %s", f->name);
  for (size_t i = 0; tmp && i < n; i++)
    tmp[i] = (int64_t)((const size_t *)f->data)[i];
  /* every rank takes part in the collective write, also one out of memory */
  ladsim_status w = ladsim_output_write_i64(o, f->name, ndims, dims, row0, tmp ? nrows : 0,
                                            tmp);
  free(tmp);
  return st != LADSIM_OK ? st : w;
}

ladsim_status ladsim_state_write(const ladsim_state *st, ladsim_output *o, int rank)
{
  for (size_t i = 0; i < st->n; i++)
    LADSIM_CHECK(write_field(&st->f[i], o, rank));
  return LADSIM_OK;
}

static ladsim_status read_field(const ladsim_state_field *f, ladsim_input_file *in)
{
  if (f->type != LADSIM_STATE_SIZE)
    return ladsim_input_file_read_rows(in, f->name, f->type == LADSIM_STATE_I64, f->rows,
                                       f->cols, f->lo, f->nl, f->data);
  size_t n = cells(f, f->nl);
  int64_t *tmp = malloc((n ? n : 1) * sizeof *tmp);
  if (!tmp)
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory reading %s", f->name);
  ladsim_status s = ladsim_input_file_read_rows(in, f->name, true, f->rows, f->cols, f->lo,
                                                f->nl, tmp);
  for (size_t i = 0; s == LADSIM_OK && i < n; i++) {
    if (tmp[i] < 0)
      s = LADSIM_ERROR(LADSIM_EDATA, "%s holds a negative count (%lld)", f->name,
                       (long long)tmp[i]);
    else
      ((size_t *)f->data)[i] = (size_t)tmp[i];
  }
  free(tmp);
  return s;
}

ladsim_status ladsim_state_read(const ladsim_state *st, ladsim_input_file *f)
{
  for (size_t i = 0; i < st->n; i++)
    LADSIM_CHECK(read_field(&st->f[i], f));
  return LADSIM_OK;
}
