/* h5check.h: reading a whole data set of a run's file in a Check test. */
#ifndef LADSIM_TESTS_H5CHECK_H
#define LADSIM_TESTS_H5CHECK_H

#include <check.h>
#include <hdf5.h>
#include <stdlib.h>

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

#endif
