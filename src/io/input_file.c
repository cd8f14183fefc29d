/* input_file.c: reads strings, numeric arrays and id lists back from an HDF5 file (serial).
 *
 * Used to read finished runs and HDF5 data sets; every rank that calls it
 * opens the file on its own, without MPI-IO. */
#include "config.h"
#include "io/io.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct ladsim_input_file {
  hid_t file;
  char *path;
};

#define READ_FAIL(f, dset) \
  ladsim__h5_error(LADSIM_EDATA, __FILE__, __LINE__, "read", (dset), (f)->path)

/* Opens dset, failing with a message naming the file if it is missing. */
static ladsim_status open_dataset(ladsim_input_file *f, const char *dset,
                                  hid_t *id)
{
  if (!ladsim_input_file_has(f, dset))
    return LADSIM_ERROR(LADSIM_EDATA, "%s has no data set %s", f->path, dset);
  *id = H5Dopen2(f->file, dset, H5P_DEFAULT);
  if (*id < 0)
    return READ_FAIL(f, dset);
  return LADSIM_OK;
}

/* A memory string type matching the file's type in character set (HDF5
 * does not convert between ASCII and UTF-8); variable-length or fixed. */
static hid_t string_mem_type(hid_t file_type, size_t fixed_size)
{
  hid_t t = H5Tcopy(H5T_C_S1);
  H5T_cset_t cset = H5Tget_cset(file_type);
  bool ok = t >= 0 && cset >= 0 && H5Tset_cset(t, cset) >= 0;
  if (fixed_size == 0)
    ok = ok && H5Tset_size(t, H5T_VARIABLE) >= 0;
  else
    ok = ok && H5Tset_size(t, fixed_size) >= 0
         && H5Tset_strpad(t, H5T_STR_NULLTERM) >= 0;
  if (!ok) {
    ladsim__h5_close(t);
    return H5I_INVALID_HID;
  }
  return t;
}

static bool read_vlen_string(hid_t id, hid_t file_type, char **out)
{
  hid_t mem = string_mem_type(file_type, 0);
  char *text = NULL;
  bool ok = mem >= 0 && H5Dread(id, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT,
                                &text) >= 0;
  if (ok && text != NULL) {
    *out = strdup(text);
    H5free_memory(text);
  } else if (ok) {
    *out = strdup("");
  }
  ladsim__h5_close(mem);
  return ok;
}

static bool read_fixed_string(hid_t id, hid_t file_type, char **out)
{
  size_t size = H5Tget_size(file_type);
  hid_t mem = size > 0 ? string_mem_type(file_type, size + 1)
                       : H5I_INVALID_HID;
  char *text = calloc(size + 1, 1);
  bool ok = mem >= 0 && text != NULL
            && H5Dread(id, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, text) >= 0;
  ladsim__h5_close(mem);
  if (ok)
    *out = text;
  else
    free(text);
  return ok;
}

/* The data set's shape: its rank and sizes, and the number of elements. */
static ladsim_status read_shape(ladsim_input_file *f, const char *dset,
                                hid_t id, int *rank, size_t dims[4],
                                size_t *n)
{
  hid_t space = H5Dget_space(id);
  hsize_t h[H5S_MAX_RANK];
  int r = space >= 0 ? H5Sget_simple_extent_dims(space, h, NULL) : -1;
  H5S_class_t cls = r >= 0 ? H5Sget_simple_extent_type(space) : H5S_NO_CLASS;
  ladsim__h5_close(space);
  if (r < 0 || cls == H5S_NO_CLASS)
    return READ_FAIL(f, dset);
  if (cls == H5S_NULL)
    return LADSIM_ERROR(LADSIM_EDATA, "%s in %s holds no data (its "
                        "dataspace is null)", dset, f->path);
  if (r > LADSIM__IO_MAX_RANK)
    return LADSIM_ERROR(LADSIM_EDATA, "%s in %s has rank %d; at most %d is "
                        "supported", dset, f->path, r, LADSIM__IO_MAX_RANK);
  *n = 1;
  for (int i = 0; i < r; i++) {
    dims[i] = h[i];
    if (h[i] != 0 && *n > SIZE_MAX / sizeof(double) / h[i])
      return LADSIM_ERROR(LADSIM_EDATA, "%s in %s is too large to read into "
                          "memory", dset, f->path);
    *n *= h[i];
  }
  *rank = r;
  return LADSIM_OK;
}

/* Integers and floats are read as doubles; anything else is refused. */
static ladsim_status check_numeric(ladsim_input_file *f, const char *dset,
                                   hid_t id)
{
  hid_t type = H5Dget_type(id);
  H5T_class_t cls = type >= 0 ? H5Tget_class(type) : H5T_NO_CLASS;
  ladsim__h5_close(type);
  if (cls == H5T_NO_CLASS)
    return READ_FAIL(f, dset);
  if (cls != H5T_FLOAT && cls != H5T_INTEGER)
    return LADSIM_ERROR(LADSIM_EDATA, "%s in %s is not a numeric data set",
                        dset, f->path);
  return LADSIM_OK;
}

static ladsim_status read_numeric(ladsim_input_file *f, const char *dset,
                                  hid_t id, int *rank, size_t dims[4],
                                  double **out)
{
  size_t n;
  LADSIM_CHECK(check_numeric(f, dset, id));
  LADSIM_CHECK(read_shape(f, dset, id, rank, dims, &n));
  double *data = malloc((n > 0 ? n : 1) * sizeof *data);
  if (data == NULL)
    return LADSIM_ERROR(LADSIM_ENOMEM, "no memory to read %s from %s", dset,
                        f->path);
  if (H5Dread(id, H5T_NATIVE_DOUBLE, H5S_ALL, H5S_ALL, H5P_DEFAULT, data)
      < 0) {
    free(data);
    return READ_FAIL(f, dset);
  }
  *out = data;
  return LADSIM_OK;
}

/* A 1-D integer data set: its length, and whether it is signed (and so
 * may hold values that are no ids). */
static ladsim_status check_integers(ladsim_input_file *f, const char *dset,
                                    hid_t id, bool *is_signed, size_t *n)
{
  hid_t type = H5Dget_type(id);
  H5T_class_t cls = type >= 0 ? H5Tget_class(type) : H5T_NO_CLASS;
  H5T_sign_t sign = cls == H5T_INTEGER ? H5Tget_sign(type) : H5T_SGN_ERROR;
  ladsim__h5_close(type);
  if (cls == H5T_NO_CLASS)
    return READ_FAIL(f, dset);
  if (cls != H5T_INTEGER)
    return LADSIM_ERROR(LADSIM_EDATA, "%s in %s is not an integer data set",
                        dset, f->path);
  if (sign == H5T_SGN_ERROR)
    return READ_FAIL(f, dset);
  int rank;
  size_t dims[LADSIM__IO_MAX_RANK];
  LADSIM_CHECK(read_shape(f, dset, id, &rank, dims, n));
  if (rank != 1)
    return LADSIM_ERROR(LADSIM_EDATA, "%s in %s has rank %d; a list of ids "
                        "or counts has rank 1", dset, f->path, rank);
  *is_signed = sign != H5T_SGN_NONE;
  return LADSIM_OK;
}

/* Signed values are read as int64 into the same words; a negative one has
 * its top bit set there. */
static ladsim_status read_integers(ladsim_input_file *f, const char *dset,
                                   hid_t id, size_t *n, uint64_t **out)
{
  bool is_signed = false;
  LADSIM_CHECK(check_integers(f, dset, id, &is_signed, n));
  uint64_t *data = malloc((*n > 0 ? *n : 1) * sizeof *data);
  if (data == NULL)
    return LADSIM_ERROR(LADSIM_ENOMEM, "no memory to read %s from %s", dset,
                        f->path);
  hid_t mem = is_signed ? H5T_NATIVE_INT64 : H5T_NATIVE_UINT64;
  ladsim_status s = LADSIM_OK;
  if (H5Dread(id, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, data) < 0)
    s = READ_FAIL(f, dset);
  for (size_t k = 0; s == LADSIM_OK && is_signed && k < *n; k++)
    if (data[k] >> 63)
      s = LADSIM_ERROR(LADSIM_EDATA, "%s in %s holds a negative value at "
                       "index %zu; ids and counts are >= 0", dset, f->path,
                       k);
  if (s != LADSIM_OK) {
    free(data);
    return s;
  }
  *out = data;
  return LADSIM_OK;
}

ladsim_status ladsim_input_file_open(const char *path, ladsim_input_file **out)
{
  if (path == NULL || out == NULL)
    return LADSIM_ERROR(LADSIM_EINVAL, "ladsim_input_file_open: NULL path");
  ladsim__h5_quiet();
  if (access(path, R_OK) != 0)
    return LADSIM_ERROR(LADSIM_EDATA, "cannot open %s: %s", path,
                        strerror(errno));
  ladsim_input_file *f = calloc(1, sizeof *f);
  if (f == NULL || (f->path = strdup(path)) == NULL) {
    free(f);
    return LADSIM_ERROR(LADSIM_ENOMEM, "no memory to open %s", path);
  }
  f->file = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f->file < 0) {
    char reason[LADSIM__H5_REASON_MAX];
    ladsim_status s = LADSIM_ERROR(LADSIM_EDATA, "%s is not an HDF5 file or "
                                   "is damaged: %s", path,
                                   ladsim__h5_reason(reason, sizeof reason));
    ladsim_input_file_close(f);
    return s;
  }
  *out = f;
  return LADSIM_OK;
}

void ladsim_input_file_close(ladsim_input_file *f)
{
  if (f == NULL)
    return;
  ladsim__h5_close(f->file);
  free(f->path);
  free(f);
}

bool ladsim_input_file_has(ladsim_input_file *f, const char *dset)
{
  if (f == NULL || dset == NULL || ladsim__h5_exists(f->file, dset) != 1)
    return false;
  hid_t id = H5Oopen(f->file, dset, H5P_DEFAULT);
  bool is_dataset = id >= 0 && H5Iget_type(id) == H5I_DATASET;
  ladsim__h5_close(id);
  return is_dataset;
}

ladsim_status ladsim_input_file_read_string(ladsim_input_file *f,
                                            const char *dset, char **out)
{
  if (f == NULL || dset == NULL || out == NULL)
    return LADSIM_ERROR(LADSIM_EINVAL,
                        "ladsim_input_file_read_string: NULL argument");
  hid_t id;
  *out = NULL;
  LADSIM_CHECK(open_dataset(f, dset, &id));
  hid_t type = H5Dget_type(id), space = H5Dget_space(id);
  htri_t vlen = type >= 0 ? H5Tis_variable_str(type) : -1;
  hssize_t n = space >= 0 ? H5Sget_simple_extent_npoints(space) : -1;
  ladsim_status s = LADSIM_OK;
  if (vlen < 0 || n < 0)
    s = READ_FAIL(f, dset);
  else if (H5Tget_class(type) != H5T_STRING || n != 1)
    s = LADSIM_ERROR(LADSIM_EDATA, "%s in %s is not a single string", dset,
                     f->path);
  else if (!(vlen ? read_vlen_string(id, type, out)
                  : read_fixed_string(id, type, out)))
    s = READ_FAIL(f, dset);
  else if (*out == NULL)
    s = LADSIM_ERROR(LADSIM_ENOMEM, "no memory to read %s from %s", dset,
                     f->path);
  ladsim__h5_close(space);
  ladsim__h5_close(type);
  ladsim__h5_close(id);
  return s;
}

ladsim_status ladsim_input_file_read_doubles(ladsim_input_file *f,
                                             const char *dset, int *rank,
                                             size_t dims[4], double **out)
{
  if (f == NULL || dset == NULL || rank == NULL || dims == NULL || out == NULL)
    return LADSIM_ERROR(LADSIM_EINVAL,
                        "ladsim_input_file_read_doubles: NULL argument");
  hid_t id;
  LADSIM_CHECK(open_dataset(f, dset, &id));
  ladsim_status s = read_numeric(f, dset, id, rank, dims, out);
  ladsim__h5_close(id);
  LADSIM_CHECK(s);
  return LADSIM_OK;
}

ladsim_status ladsim_input_file_read_u64(ladsim_input_file *f,
                                         const char *dset, size_t *n,
                                         uint64_t **out)
{
  if (f == NULL || dset == NULL || n == NULL || out == NULL)
    return LADSIM_ERROR(LADSIM_EINVAL,
                        "ladsim_input_file_read_u64: NULL argument");
  hid_t id;
  *out = NULL;
  LADSIM_CHECK(open_dataset(f, dset, &id));
  ladsim_status s = read_integers(f, dset, id, n, out);
  ladsim__h5_close(id);
  LADSIM_CHECK(s);
  return LADSIM_OK;
}

const char *ladsim_input_file_path(const ladsim_input_file *f)
{
  return f->path;
}

ladsim_status ladsim_input_file_shape(ladsim_input_file *f, const char *dset,
                                      int *rank, size_t dims[4])
{
  if (f == NULL || dset == NULL || rank == NULL || dims == NULL)
    return LADSIM_ERROR(LADSIM_EINVAL, "ladsim_input_file_shape: NULL argument");
  hid_t id;
  size_t n;
  LADSIM_CHECK(open_dataset(f, dset, &id));
  ladsim_status s = read_shape(f, dset, id, rank, dims, &n);
  ladsim__h5_close(id);
  return s;
}

/* Reads the hyperslab of rows [row0, row0 + nrows) of open data set id,
 * whose dimensions are dims. */
static bool read_block(hid_t id, hid_t mem_type, int rank, const size_t *dims,
                       size_t row0, size_t nrows, void *out)
{
  hsize_t start[LADSIM__IO_MAX_RANK] = {row0}, count[LADSIM__IO_MAX_RANK] = {nrows};
  hsize_t n = nrows;
  for (int i = 1; i < rank; i++) {
    count[i] = dims[i];
    n *= dims[i];
  }
  hid_t fspace = H5Dget_space(id);
  hid_t mem = H5Screate_simple(1, &n, NULL);
  bool ok = fspace >= 0 && mem >= 0
            && H5Sselect_hyperslab(fspace, H5S_SELECT_SET, start, NULL, count, NULL) >= 0
            && H5Dread(id, mem_type, mem, fspace, H5P_DEFAULT, out) >= 0;
  ladsim__h5_close(mem);
  ladsim__h5_close(fspace);
  return ok;
}

ladsim_status ladsim_input_file_read_rows(ladsim_input_file *f, const char *dset,
                                          bool integers, size_t rows, size_t cols,
                                          size_t row0, size_t nrows, void *out)
{
  if (f == NULL || dset == NULL || (nrows > 0 && out == NULL) || row0 + nrows > rows)
    return LADSIM_ERROR(LADSIM_EINVAL, "ladsim_input_file_read_rows: bad argument");
  int rank;
  size_t dims[LADSIM__IO_MAX_RANK], per_row = 1;
  LADSIM_CHECK(ladsim_input_file_shape(f, dset, &rank, dims));
  for (int i = 1; i < rank; i++)
    per_row *= dims[i];
  if ((rank == 1) != (cols == 0) || dims[0] != rows || (cols && per_row != cols))
    return LADSIM_ERROR(LADSIM_EDATA, "%s in %s has %zu rows of %zu values, expected %zu "
                        "of %zu; was it written for this model?", dset, f->path,
                        dims[0], per_row, rows, cols ? cols : 1);
  if (nrows == 0)
    return LADSIM_OK;
  hid_t id;
  LADSIM_CHECK(open_dataset(f, dset, &id));
  ladsim_status s = check_numeric(f, dset, id);
  hid_t mem = integers ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE;
  if (s == LADSIM_OK && !read_block(id, mem, rank, dims, row0, nrows, out))
    s = READ_FAIL(f, dset);
  ladsim__h5_close(id);
  return s;
}

typedef struct {
  char **names;
  size_t n, cap;
  bool failed;
} name_list;

static herr_t collect_name(hid_t obj, const char *name, const H5O_info_t *info, void *op)
{
  (void)obj;
  name_list *l = op;
  if (info->type != H5O_TYPE_DATASET)
    return 0;
  if (l->n == l->cap) {
    size_t cap = l->cap ? 2 * l->cap : 32;
    char **grown = realloc(l->names, cap * sizeof *grown);
    if (!grown) {
      l->failed = true;
      return -1;
    }
    l->names = grown;
    l->cap = cap;
  }
  size_t len = strlen(name);
  l->names[l->n] = malloc(len + 2);
  if (!l->names[l->n]) {
    l->failed = true;
    return -1;
  }
  l->names[l->n][0] = '/';
  memcpy(l->names[l->n] + 1, name, len + 1);
  l->n++;
  return 0;
}

ladsim_status ladsim_input_file_list(ladsim_input_file *f, char ***names, size_t *n)
{
  name_list l = {0};
#if H5_VERSION_GE(1, 12, 0)
  herr_t rc = H5Ovisit(f->file, H5_INDEX_NAME, H5_ITER_INC, collect_name, &l, H5O_INFO_BASIC);
#else
  herr_t rc = H5Ovisit(f->file, H5_INDEX_NAME, H5_ITER_INC, collect_name, &l);
#endif
  if (rc < 0 || l.failed) {
    for (size_t i = 0; i < l.n; i++)
      free(l.names[i]);
    free(l.names);
    if (l.failed)
      return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory listing %s", f->path);
    return READ_FAIL(f, "the list of data sets");
  }
  *names = l.names;
  *n = l.n;
  return LADSIM_OK;
}
