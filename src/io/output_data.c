/* output_data.c: numeric data sets of the run's file: whole arrays, series and stacks.
 *
 * Every write is one H5Dwrite in which each rank selects its own block of
 * rows; a rank with no rows selects nothing but still takes part, as
 * parallel HDF5 asks of the calls that change a data set. The ranks agree
 * on the outcome of each call that may write before the next one
 * (ladsim__output_step), so that a failure on one rank stops all of them
 * between HDF5 calls, never inside one. */
#include "config.h"
#include "io/io.h"
#include "comm/comm.h"

#include <stdlib.h>
#include <string.h>

#define SERIES_CHUNK 1024
#define STACK_CHUNK_BYTES (1024 * 1024)

static ladsim_status check_rows(const char *dset, size_t total, size_t row0,
                                size_t nrows, const void *data)
{
  if (nrows > total || row0 > total - nrows)
    return LADSIM_ERROR(LADSIM_EINVAL,
                        "cannot write rows [%zu, %zu) of %s: it has %zu rows",
                        row0, row0 + nrows, dset, total);
  if (nrows > 0 && data == NULL)
    return LADSIM_ERROR(LADSIM_EINVAL, "cannot write %s: no data given", dset);
  return LADSIM_OK;
}

/* Rows are the one argument that differs between ranks, so a bad block
 * may be seen by one rank only; all ranks learn of it here, before any of
 * them enters a collective HDF5 call that the failing one would skip. */
static ladsim_status agree_rows(const ladsim_output *o, const char *dset,
                                size_t total, size_t row0, size_t nrows,
                                const void *data)
{
  ladsim_status mine = check_rows(dset, total, row0, nrows, data);
  int failed = mine != LADSIM_OK, any = 0;
  if (ladsim_comm_allreduce(&failed, &any, 1, MPI_INT, MPI_MAX, o->comm)
      != MPI_SUCCESS)
    return LADSIM_ERROR(LADSIM_EMPI, "MPI_Allreduce failed while writing %s",
                        dset);
  if (failed)
    return mine;
  if (any)
    return LADSIM_ERROR(LADSIM_EINVAL, "another rank passed rows outside "
                        "%s; nothing was written", dset);
  return LADSIM_OK;
}

/* Creates a contiguous data set of the given shape and writes this rank's
 * rows [row0, row0 + nrows) into it. Collective. */
static ladsim_status write_array(ladsim_output *o, const char *dset,
                                 hid_t file_type, hid_t mem_type, int rank,
                                 const hsize_t *dims, size_t row0,
                                 size_t nrows, const void *data)
{
  hsize_t start[LADSIM__IO_MAX_RANK] = {row0};
  hsize_t count[LADSIM__IO_MAX_RANK] = {nrows};
  bool empty = dims[0] == 0;
  for (int i = 1; i < rank; i++) {
    count[i] = dims[i];
    empty = empty || dims[i] == 0;
  }
  hid_t fspace = H5Screate_simple(rank, dims, NULL);
  hid_t id = H5I_INVALID_HID;
  if (fspace >= 0)
    id = H5Dcreate2(o->file, dset, file_type, fspace, o->lcpl, H5P_DEFAULT,
                    H5P_DEFAULT);
  ladsim_status s;
  LADSIM_CHECK_GOTO(s, ladsim__output_step(o, id >= 0, "write", dset), done);
  /* An empty data set has no storage to write to (HDF5 fails on it), and
   * all ranks know it is empty: they skip the transfer together. */
  bool ok = empty || ladsim__output_write_block(o, id, fspace, mem_type, start,
                                                count, data);
  LADSIM_CHECK_GOTO(s, ladsim__output_step(o, ok, "write", dset), done);
done:
  ladsim__h5_close(id);
  ladsim__h5_close(fspace);
  return s;
}

/* Creates an empty data set whose first dimension grows without limit. */
static hid_t create_extendible(ladsim_output *o, const char *dset, int rank,
                               const hsize_t *dims, const hsize_t *chunk)
{
  hsize_t maxdims[3];
  for (int i = 0; i < rank; i++)
    maxdims[i] = i == 0 ? H5S_UNLIMITED : dims[i];
  hid_t space = H5Screate_simple(rank, dims, maxdims);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  hid_t id = H5I_INVALID_HID;
  if (space >= 0 && dcpl >= 0 && H5Pset_chunk(dcpl, rank, chunk) >= 0
      && ladsim__h5_no_fill(dcpl))
    id = H5Dcreate2(o->file, dset, H5T_IEEE_F64LE, space, o->lcpl, dcpl,
                    H5P_DEFAULT);
  ladsim__h5_close(dcpl);
  ladsim__h5_close(space);
  return id;
}

/* Chunks of a stack hold one slice, split by rows (and by columns for
 * very wide matrices) so that a chunk stays near STACK_CHUNK_BYTES. */
static void stack_chunk(hsize_t rows, hsize_t cols, hsize_t chunk[3])
{
  hsize_t per_chunk = STACK_CHUNK_BYTES / sizeof(double);
  chunk[0] = 1;
  chunk[2] = cols < per_chunk ? cols : per_chunk;
  chunk[1] = per_chunk / chunk[2];
  if (chunk[1] > rows)
    chunk[1] = rows;
}

static const char *kind_name(ladsim__ext_kind kind)
{
  switch (kind) {
  case LADSIM__EXT_SERIES: return "series";
  case LADSIM__EXT_STACK: return "stack";
  case LADSIM__EXT_SPIKES: return "spike data set";
  }
  return "data set";
}

static ladsim_status ext_check_shape(const ladsim__ext *e,
                                     ladsim__ext_kind kind, hsize_t rows,
                                     hsize_t cols)
{
  if (e->kind != kind)
    return LADSIM_ERROR(LADSIM_EINVAL, "%s is a %s, not a %s", e->name,
                        kind_name(e->kind), kind_name(kind));
  if (e->rows != rows || e->cols != cols)
    return LADSIM_ERROR(LADSIM_EINVAL, "cannot append a %llu x %llu slice to "
                        "%s, whose slices are %llu x %llu",
                        (unsigned long long)rows, (unsigned long long)cols,
                        e->name, (unsigned long long)e->rows,
                        (unsigned long long)e->cols);
  return LADSIM_OK;
}

/* The open extendible data set name, created on first use. */
static ladsim_status ext_get(ladsim_output *o, const char *name,
                             ladsim__ext_kind kind, hsize_t rows,
                             hsize_t cols, ladsim__ext **out)
{
  *out = ladsim__output_ext_find(o, name);
  if (*out != NULL)
    return ext_check_shape(*out, kind, rows, cols);
  ladsim__ext e = {.kind = kind, .rows = rows, .cols = cols};
  hsize_t dims[3] = {0, rows, cols}, chunk[3] = {SERIES_CHUNK};
  if (kind == LADSIM__EXT_STACK)
    stack_chunk(rows, cols, chunk);
  e.dset = create_extendible(o, name, kind == LADSIM__EXT_STACK ? 3 : 1,
                             dims, chunk);
  LADSIM_CHECK(ladsim__output_step(o, e.dset >= 0, "create", name));
  ladsim_status s = ladsim__output_agree(o, ladsim__output_ext_add(o, name, e,
                                                                  out));
  if (s != LADSIM_OK)
    ladsim__h5_close(e.dset);
  return s;
}

/* Grows e by one value or slice and writes this rank's block (start,
 * count) of it. Collective. */
static ladsim_status ext_append(ladsim_output *o, ladsim__ext *e,
                                hsize_t *start, const hsize_t *count,
                                const void *data)
{
  hsize_t dims[3] = {e->len + 1, e->rows, e->cols};
  LADSIM_CHECK(ladsim__output_step(o, H5Dset_extent(e->dset, dims) >= 0,
                                   "extend", e->name));
  start[0] = e->len++;
  hid_t fspace = H5Dget_space(e->dset);
  bool ok = fspace >= 0
            && ladsim__output_write_block(o, e->dset, fspace,
                                          H5T_NATIVE_DOUBLE, start, count,
                                          data);
  ladsim__h5_close(fspace);
  LADSIM_CHECK(ladsim__output_step(o, ok, "append to", e->name));
  return LADSIM_OK;
}

/* Writes the block (start, count) of the data set's file space from data;
 * a count with a zero selects nothing. Collective. */
bool ladsim__output_write_block(const ladsim_output *o, hid_t dset,
                                hid_t fspace, hid_t mem_type,
                                const hsize_t *start, const hsize_t *count,
                                const void *data)
{
  int rank = H5Sget_simple_extent_ndims(fspace);
  hsize_t n = 1;
  for (int i = 0; i < rank; i++)
    n *= count[i];
  hsize_t mem_n = n > 0 ? n : 1;
  hid_t mem = H5Screate_simple(1, &mem_n, NULL);
  bool ok = rank >= 0 && mem >= 0;
  if (n == 0)
    ok = ok && H5Sselect_none(mem) >= 0 && H5Sselect_none(fspace) >= 0;
  else
    ok = ok && H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL,
                                   count, NULL) >= 0;
  /* HDF5 refuses a NULL buffer even when nothing is selected. */
  static const double nothing = 0;
  ok = ok && H5Dwrite(dset, mem_type, mem, fspace, o->dxpl,
                      data != NULL ? data : &nothing) >= 0;
  ladsim__h5_close(mem);
  return ok;
}

ladsim_status ladsim__output_ext_add(ladsim_output *o, const char *name,
                                     ladsim__ext proto, ladsim__ext **out)
{
  if (o->n_ext == o->cap_ext) {
    size_t cap = o->cap_ext > 0 ? 2 * o->cap_ext : 16;
    ladsim__ext *grown = realloc(o->ext, cap * sizeof *grown);
    if (grown == NULL)
      return LADSIM_ERROR(LADSIM_ENOMEM, "no memory to keep %s open", name);
    o->ext = grown;
    o->cap_ext = cap;
  }
  proto.name = malloc(strlen(name) + 1);
  if (proto.name == NULL)
    return LADSIM_ERROR(LADSIM_ENOMEM, "no memory to keep %s open", name);
  strcpy(proto.name, name);
  o->ext[o->n_ext] = proto;
  *out = &o->ext[o->n_ext++];
  return LADSIM_OK;
}

ladsim__ext *ladsim__output_ext_find(ladsim_output *o, const char *name)
{
  for (size_t i = 0; i < o->n_ext; i++)
    if (strcmp(o->ext[i].name, name) == 0)
      return &o->ext[i];
  return NULL;
}

int ladsim__output_ext_close_all(ladsim_output *o)
{
  int failed = 0;
  for (size_t i = 0; i < o->n_ext; i++) {
    if (H5Dclose(o->ext[i].dset) < 0)
      failed++;
    free(o->ext[i].name);
  }
  o->n_ext = 0;
  return failed;
}

/* The two public writers, which differ only in the element type. */
static ladsim_status write_rows(ladsim_output *o, const char *fn, const char *dset,
                                int rank, const size_t *dims, size_t row0, size_t nrows,
                                const void *data, hid_t file_type, hid_t mem_type)
{
  if (o == NULL || dset == NULL || dims == NULL)
    return LADSIM_ERROR(LADSIM_EINVAL, "%s: NULL argument", fn);
  LADSIM_CHECK(ladsim__output_usable(o));
  if (rank < 1 || rank > LADSIM__IO_MAX_RANK)
    return LADSIM_ERROR(LADSIM_EINVAL, "cannot write %s: rank %d is not "
                        "between 1 and %d", dset, rank, LADSIM__IO_MAX_RANK);
  LADSIM_CHECK(agree_rows(o, dset, dims[0], row0, nrows, data));
  hsize_t hdims[LADSIM__IO_MAX_RANK];
  for (int i = 0; i < rank; i++)
    hdims[i] = dims[i];
  return write_array(o, dset, file_type, mem_type, rank, hdims, row0, nrows, data);
}

ladsim_status ladsim_output_write_doubles(ladsim_output *o, const char *dset,
                                          int rank, const size_t *dims,
                                          size_t row0, size_t nrows,
                                          const double *data)
{
  return write_rows(o, "ladsim_output_write_doubles", dset, rank, dims, row0, nrows, data,
                    H5T_IEEE_F64LE, H5T_NATIVE_DOUBLE);
}

ladsim_status ladsim_output_write_i64(ladsim_output *o, const char *dset,
                                      int rank, const size_t *dims,
                                      size_t row0, size_t nrows,
                                      const int64_t *data)
{
  return write_rows(o, "ladsim_output_write_i64", dset, rank, dims, row0, nrows, data,
                    H5T_STD_I64LE, H5T_NATIVE_INT64);
}

ladsim_status ladsim_output_write_u64(ladsim_output *o, const char *dset,
                                      size_t n, size_t row0, size_t nrows,
                                      const uint64_t *data)
{
  if (o == NULL || dset == NULL)
    return LADSIM_ERROR(LADSIM_EINVAL,
                        "ladsim_output_write_u64: NULL argument");
  LADSIM_CHECK(ladsim__output_usable(o));
  LADSIM_CHECK(agree_rows(o, dset, n, row0, nrows, data));
  hsize_t dims[1] = {n};
  LADSIM_CHECK(write_array(o, dset, H5T_STD_U64LE, H5T_NATIVE_UINT64, 1,
                           dims, row0, nrows, data));
  return LADSIM_OK;
}

ladsim_status ladsim_output_series_append(ladsim_output *o, const char *dset,
                                          double value)
{
  if (o == NULL || dset == NULL)
    return LADSIM_ERROR(LADSIM_EINVAL,
                        "ladsim_output_series_append: NULL argument");
  LADSIM_CHECK(ladsim__output_usable(o));
  ladsim__ext *e;
  LADSIM_CHECK(ext_get(o, dset, LADSIM__EXT_SERIES, 0, 0, &e));
  /* The value is the same on every rank; rank 0 writes it. */
  hsize_t start[1], count[1] = {o->rank == 0 ? 1 : 0};
  LADSIM_CHECK(ext_append(o, e, start, count, &value));
  return LADSIM_OK;
}

ladsim_status ladsim_output_stack_append(ladsim_output *o, const char *dset,
                                         size_t rows, size_t cols, size_t row0,
                                         size_t nrows, const double *data)
{
  if (o == NULL || dset == NULL)
    return LADSIM_ERROR(LADSIM_EINVAL,
                        "ladsim_output_stack_append: NULL argument");
  LADSIM_CHECK(ladsim__output_usable(o));
  if (rows == 0 || cols == 0)
    return LADSIM_ERROR(LADSIM_EINVAL, "cannot append to %s: a %zu x %zu "
                        "slice is empty", dset, rows, cols);
  LADSIM_CHECK(agree_rows(o, dset, rows, row0, nrows, data));
  ladsim__ext *e;
  LADSIM_CHECK(ext_get(o, dset, LADSIM__EXT_STACK, rows, cols, &e));
  hsize_t start[3] = {0, row0, 0}, count[3] = {1, nrows, cols};
  LADSIM_CHECK(ext_append(o, e, start, count, data));
  return LADSIM_OK;
}
