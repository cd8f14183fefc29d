/* h5check.h: reading a whole data set of a run's file in a Check test. */
#ifndef LADSIM_TESTS_H5CHECK_H
#define LADSIM_TESTS_H5CHECK_H

#include <check.h>
#include <hdf5.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Reads data set path of f as memory type (H5T_NATIVE_DOUBLE or
 * H5T_NATIVE_UINT64, 8 bytes each) into a malloc'd buffer; its rank and up
 * to three dimensions go to *rank and dims. Fails the test if it is missing. */
static inline void *ladsim_test_read(hid_t f, const char *path, hid_t type, int *rank,
                                     hsize_t dims[3])
{
  hid_t d = H5Dopen2(f, path, H5P_DEFAULT);
  ck_assert_msg(d >= 0, "missing %s", path);
  hid_t sp = H5Dget_space(d);
  *rank = H5Sget_simple_extent_ndims(sp);
  ck_assert_int_le(*rank, 3);
  H5Sget_simple_extent_dims(sp, dims, NULL);
  hssize_t n = H5Sget_simple_extent_npoints(sp);
  void *buf = malloc((n ? (size_t)n : 1) * 8);
  ck_assert_int_ge(H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf), 0);
  H5Sclose(sp);
  H5Dclose(d);
  return buf;
}


/* What two files' data sets have in common, filled by
 * ladsim_test_compare_files: how many data sets were compared, how many
 * differ or are missing from the other file, and the first such path. */
typedef struct {
  hid_t other;
  int missing_only;     /* the way back: only what the first file lacks */
  size_t compared, differ;
  char first[256];
} ladsim_test_h5cmp;

/* The bytes of data set d (its own type in memory; variable-length
 * strings as their text), malloc'd; *size gets their count. */
static inline void *ladsim_test_bytes(hid_t d, size_t *size)
{
  hid_t type = H5Dget_type(d), sp = H5Dget_space(d);
  hssize_t n = H5Sget_simple_extent_npoints(sp);
  void *buf = NULL;
  if (H5Tis_variable_str(type) > 0) {
    char *text = NULL;
    hid_t mem = H5Tcopy(H5T_C_S1);
    H5Tset_size(mem, H5T_VARIABLE);
    if (n == 1 && H5Dread(d, mem, H5S_ALL, H5S_ALL, H5P_DEFAULT, &text) >= 0 && text) {
      *size = strlen(text);
      buf = strdup(text);
      H5free_memory(text);
    }
    H5Tclose(mem);
  } else {
    *size = (size_t)n * H5Tget_size(type);
    buf = malloc(*size ? *size : 1);
    if (H5Dread(d, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) < 0) {
      free(buf);
      buf = NULL;
    }
  }
  H5Sclose(sp);
  H5Tclose(type);
  return buf;
}

static inline int ladsim_test_same_dataset(hid_t a, hid_t b)
{
  hid_t ta = H5Dget_type(a), tb = H5Dget_type(b);
  hid_t sa = H5Dget_space(a), sb = H5Dget_space(b);
  hsize_t da[8], db[8];
  int ra = H5Sget_simple_extent_dims(sa, da, NULL), rb = H5Sget_simple_extent_dims(sb, db, NULL);
  int same = H5Tequal(ta, tb) > 0 && ra == rb && ra >= 0 && ra <= 8
             && memcmp(da, db, (size_t)ra * sizeof da[0]) == 0;
  H5Tclose(ta); H5Tclose(tb); H5Sclose(sa); H5Sclose(sb);
  size_t na = 0, nb = 0;
  void *ba = same ? ladsim_test_bytes(a, &na) : NULL;
  void *bb = same ? ladsim_test_bytes(b, &nb) : NULL;
  same = same && ba && bb && na == nb && memcmp(ba, bb, na) == 0;
  free(ba);
  free(bb);
  return same;
}

static inline herr_t ladsim_test_visit(hid_t obj, const char *name, const H5O_info_t *info,
                                       void *op)
{
  ladsim_test_h5cmp *c = op;
  if (info->type != H5O_TYPE_DATASET)
    return 0;
  int there = H5Lexists(c->other, name, H5P_DEFAULT) > 0;
  if (c->missing_only) {
    if (!there && c->differ++ == 0)
      snprintf(c->first, sizeof c->first, "/%s", name);
    return 0;
  }
  hid_t a = H5Dopen2(obj, name, H5P_DEFAULT);
  hid_t b = there ? H5Dopen2(c->other, name, H5P_DEFAULT) : H5I_INVALID_HID;
  c->compared++;
  if (b < 0 || !ladsim_test_same_dataset(a, b)) {
    if (c->differ++ == 0)
      snprintf(c->first, sizeof c->first, "/%s", name);
  }
  H5Dclose(a);
  if (b >= 0)
    H5Dclose(b);
  return 0;
}

/* Compares every data set of files a and b, bit for bit (a data set
 * missing from either side counts as a difference). */
static inline ladsim_test_h5cmp ladsim_test_compare_files(const char *a, const char *b)
{
  ladsim_test_h5cmp c = {0};
  hid_t fa = H5Fopen(a, H5F_ACC_RDONLY, H5P_DEFAULT);
  hid_t fb = H5Fopen(b, H5F_ACC_RDONLY, H5P_DEFAULT);
  ck_assert_msg(fa >= 0 && fb >= 0, "cannot open %s or %s", a, b);
  ladsim_test_h5cmp back = {0};
  c.other = fb;
  back.other = fa;
  back.missing_only = 1;
#if H5_VERSION_GE(1, 12, 0)
  H5Ovisit(fa, H5_INDEX_NAME, H5_ITER_INC, ladsim_test_visit, &c, H5O_INFO_BASIC);
  H5Ovisit(fb, H5_INDEX_NAME, H5_ITER_INC, ladsim_test_visit, &back, H5O_INFO_BASIC);
#else
  H5Ovisit(fa, H5_INDEX_NAME, H5_ITER_INC, ladsim_test_visit, &c);
  H5Ovisit(fb, H5_INDEX_NAME, H5_ITER_INC, ladsim_test_visit, &back);
#endif
  if (back.differ && !c.differ)
    snprintf(c.first, sizeof c.first, "%s", back.first);
  c.differ += back.differ;
  H5Fclose(fa);
  H5Fclose(fb);
  return c;
}

/* The number of spikes of population pop in file path (the length of
 * /spikes/<pop>/timestamps); 0 when it is missing, so that a test that
 * compares spikes can tell that there were some to compare. */
static inline size_t ladsim_test_spike_count(const char *path, const char *pop)
{
  char group[200], name[256];
  snprintf(group, sizeof group, "/spikes/%s", pop);
  snprintf(name, sizeof name, "%s/timestamps", group);
  hid_t f = H5Fopen(path, H5F_ACC_RDONLY, H5P_DEFAULT);
  if (f < 0)
    return 0;
  hsize_t n = 0;
  if (H5Lexists(f, "/spikes", H5P_DEFAULT) > 0 && H5Lexists(f, group, H5P_DEFAULT) > 0
      && H5Lexists(f, name, H5P_DEFAULT) > 0) {
    hid_t d = H5Dopen2(f, name, H5P_DEFAULT), sp = H5Dget_space(d);
    if (H5Sget_simple_extent_ndims(sp) == 1)
      H5Sget_simple_extent_dims(sp, &n, NULL);
    H5Sclose(sp);
    H5Dclose(d);
  }
  H5Fclose(f);
  return (size_t)n;
}

#endif
