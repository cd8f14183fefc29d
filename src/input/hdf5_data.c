/* hdf5_data.c: reads an images and a labels data set from HDF5 files. */
#include "config.h"
#include "input/input.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <hdf5.h>

/* Values converted per read: pixels go through a buffer of doubles, so
 * this bounds it to 8 MiB whatever the size of the set. */
#define BLOCK_VALUES ((size_t)1 << 20)

/* One open data set and where it lives, for messages. */
typedef struct {
  const char *path, *key;
  const char *role;        /* "images" or "labels": names the model key */
  hid_t file, dset, space;
  H5T_class_t cls;
  hsize_t dims[3];
} h5_set;

static void h5_close(h5_set *s)
{
  if (s->space >= 0)
    H5Sclose(s->space);
  if (s->dset >= 0)
    H5Dclose(s->dset);
  if (s->file >= 0)
    H5Fclose(s->file);
  s->space = s->dset = s->file = -1;
}

/* Checks the file is there before HDF5 does, because HDF5 cannot say
 * "no such file" apart from "not HDF5". */
static ladsim_status h5_open_file(h5_set *s)
{
  FILE *f = fopen(s->path, "rb");
  if (!f)
    return LADSIM_ERROR(LADSIM_EDATA, "cannot open %s: %s", s->path,
                        strerror(errno));
  fclose(f);
  s->file = H5Fopen(s->path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (s->file < 0)
    return LADSIM_ERROR(LADSIM_EDATA,
                        "%s is not a readable HDF5 file (truncated, damaged or "
                        "in another format)", s->path);
  return LADSIM_OK;
}

/* Opens data set s->key of file s->path and checks its rank. */
static ladsim_status h5_open(h5_set *s, int rank, const char *shape)
{
  const char *path = s->path, *key = s->key;
  LADSIM_CHECK(h5_open_file(s));
  s->dset = H5Dopen2(s->file, key, H5P_DEFAULT);
  if (s->dset < 0)
    return LADSIM_ERROR(LADSIM_EDATA,
                        "%s has no data set '%s'; name its %s data set with "
                        "input.dataset.%s_key", path, key, s->role, s->role);
  hid_t type = H5Dget_type(s->dset);
  s->cls = type < 0 ? H5T_NO_CLASS : H5Tget_class(type);
  if (type >= 0)
    H5Tclose(type);
  s->space = H5Dget_space(s->dset);
  int found = s->space < 0 ? -1 : H5Sget_simple_extent_ndims(s->space);
  if (found < 0)
    return LADSIM_ERROR(LADSIM_EDATA,
                        "cannot read the shape of data set '%s' in %s; the "
                        "file may be damaged", key, path);
  if (found != rank)
    return LADSIM_ERROR(LADSIM_EDATA,
                        "data set '%s' in %s has rank %d, expected %d (%s)",
                        key, path, found, rank, shape);
  H5Sget_simple_extent_dims(s->space, s->dims, NULL);
  return LADSIM_OK;
}

/* Reads samples [first, first + m) of s, each of per_sample values, as
 * memtype into buf. Only the first rank entries of count are used. */
static ladsim_status h5_read_block(const h5_set *s, hid_t memtype,
                                   size_t first, size_t m, size_t per_sample,
                                   void *buf)
{
  hsize_t start[3] = {first, 0, 0};
  hsize_t count[3] = {m, s->dims[1], s->dims[2]};
  hsize_t total = (hsize_t)m * per_sample;
  herr_t selected = H5Sselect_hyperslab(s->space, H5S_SELECT_SET, start, NULL,
                                        count, NULL);
  hid_t mem = H5Screate_simple(1, &total, NULL);
  herr_t read = -1;
  if (selected >= 0 && mem >= 0)
    read = H5Dread(s->dset, memtype, mem, s->space, H5P_DEFAULT, buf);
  if (mem >= 0)
    H5Sclose(mem);
  if (read < 0)
    return LADSIM_ERROR(LADSIM_EDATA,
                        "cannot read samples %zu..%zu of data set '%s' in %s; "
                        "the file may be truncated or damaged",
                        first, first + m - 1, s->key, s->path);
  return LADSIM_OK;
}

/* Integer pixels must be bytes already; float pixels are intensities in
 * [0, 1] and are rounded to the nearest of 256 levels. */
static ladsim_status store_pixels(const h5_set *s, const double *v,
                                  size_t count, size_t first, size_t size,
                                  uint8_t *out)
{
  bool fraction = s->cls == H5T_FLOAT;
  double top = fraction ? 1.0 : 255.0;
  for (size_t j = 0; j < count; j++) {
    if (!(v[j] >= 0.0 && v[j] <= top))
      return LADSIM_ERROR(LADSIM_EDATA,
                          "data set '%s' in %s: value %g of sample %zu is "
                          "outside %s",
                          s->key, s->path, v[j], first + j / size,
                          fraction ? "[0, 1] (float images must be scaled to "
                                     "[0, 1])"
                                   : "0..255 (integer images must be bytes)");
    out[j] = (uint8_t)(fraction ? lround(v[j] * 255.0) : v[j]);
  }
  return LADSIM_OK;
}

static ladsim_status read_pixels(const h5_set *s, ladsim_dataset *d)
{
  size_t size = d->rows * d->cols;
  size_t block = BLOCK_VALUES / size > 0 ? BLOCK_VALUES / size : 1;
  if (block > d->n)
    block = d->n;
  double *buf = malloc(block * size * sizeof *buf);
  ladsim_status status = LADSIM_OK;
  if (!buf)
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory reading %s", s->path);
  for (size_t i = 0; i < d->n && status == LADSIM_OK; i += block) {
    size_t m = d->n - i < block ? d->n - i : block;
    status = h5_read_block(s, H5T_NATIVE_DOUBLE, i, m, size, buf);
    if (status == LADSIM_OK)
      status = store_pixels(s, buf, m * size, i, size, d->pixels + i * size);
  }
  free(buf);
  LADSIM_CHECK(status);
  return LADSIM_OK;
}

static ladsim_status read_labels(const h5_set *s, ladsim_dataset *d)
{
  long long *buf = malloc(d->n * sizeof *buf);
  ladsim_status status;
  if (!buf)
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory reading %s", s->path);
  status = h5_read_block(s, H5T_NATIVE_LLONG, 0, d->n, 1, buf);
  for (size_t i = 0; i < d->n && status == LADSIM_OK; i++) {
    if (buf[i] < 0 || buf[i] >= LADSIM__MAX_CLASSES)
      status = LADSIM_ERROR(LADSIM_EDATA,
                            "data set '%s' in %s: label %lld of sample %zu is "
                            "out of range (labels must lie in 0..%d)",
                            s->key, s->path, buf[i], i, LADSIM__MAX_CLASSES - 1);
    else
      d->labels[i] = (uint8_t)buf[i];
  }
  free(buf);
  LADSIM_CHECK(status);
  return LADSIM_OK;
}

static ladsim_status check_sets(const h5_set *im, const h5_set *lb)
{
  if (im->cls != H5T_INTEGER && im->cls != H5T_FLOAT)
    return LADSIM_ERROR(LADSIM_EDATA,
                        "data set '%s' in %s does not hold numbers; images must "
                        "be integers 0..255 or floats in [0, 1]",
                        im->key, im->path);
  if (lb->cls != H5T_INTEGER)
    return LADSIM_ERROR(LADSIM_EDATA,
                        "data set '%s' in %s does not hold integers; labels "
                        "must be integer class numbers", lb->key, lb->path);
  if (im->dims[0] == 0 || im->dims[1] == 0 || im->dims[2] == 0)
    return LADSIM_ERROR(LADSIM_EDATA,
                        "data set '%s' in %s holds no pixels (%llu images of "
                        "%llu x %llu)", im->key, im->path,
                        (unsigned long long)im->dims[0],
                        (unsigned long long)im->dims[1],
                        (unsigned long long)im->dims[2]);
  if (lb->dims[0] != im->dims[0])
    return LADSIM_ERROR(LADSIM_EDATA,
                        "data set '%s' in %s has %llu labels but data set '%s' "
                        "in %s has %llu images; the counts must match",
                        lb->key, lb->path, (unsigned long long)lb->dims[0],
                        im->key, im->path, (unsigned long long)im->dims[0]);
  return LADSIM_OK;
}

static ladsim_status read_sets(h5_set *im, h5_set *lb, size_t limit,
                               ladsim_dataset **out)
{
  ladsim_dataset *d = NULL;
  ladsim_status status;
  size_t n;

  LADSIM_CHECK(h5_open(im, 3, "n x rows x cols"));
  LADSIM_CHECK(h5_open(lb, 1, "n"));
  LADSIM_CHECK(check_sets(im, lb));
  n = (size_t)im->dims[0];
  if (limit > 0 && limit < n)
    n = limit;
  LADSIM_CHECK(ladsim__dataset_alloc(n, (size_t)im->dims[1],
                                     (size_t)im->dims[2], im->path, &d));
  LADSIM_CHECK_GOTO(status, read_pixels(im, d), fail);
  LADSIM_CHECK_GOTO(status, read_labels(lb, d), fail);
  ladsim__dataset_count_classes(d);
  *out = d;
  return LADSIM_OK;
fail:
  ladsim_dataset_free(d);
  return status;
}

ladsim_status ladsim_dataset_read_hdf5(const char *images, const char *labels,
                                       const char *images_key,
                                       const char *labels_key, size_t limit,
                                       ladsim_dataset **out)
{
  h5_set im = {.path = images, .key = images_key, .role = "images",
               .file = -1, .dset = -1, .space = -1};
  h5_set lb = {.path = labels, .key = labels_key, .role = "labels",
               .file = -1, .dset = -1, .space = -1};
  H5E_auto2_t saved_func;
  void *saved_data;
  ladsim_status status;

  if (!images || !labels || !images_key || !labels_key || !out)
    return LADSIM_ERROR(LADSIM_EINVAL, "ladsim_dataset_read_hdf5: NULL argument");
  *out = NULL;
  /* HDF5 would print its own error stack to stderr; we report instead. */
  H5Eget_auto2(H5E_DEFAULT, &saved_func, &saved_data);
  H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
  status = read_sets(&im, &lb, limit, out);
  h5_close(&im);
  h5_close(&lb);
  H5Eset_auto2(H5E_DEFAULT, saved_func, saved_data);
  if (status != LADSIM_OK)
    return ladsim_error_trace(status, __FILE__, __LINE__);
  return LADSIM_OK;
}
