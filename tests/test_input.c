/* test_input.c: IDX, HDF5 and synthetic data sets, and the view stimulus. */
#include "config.h"
#include <ladsim/dataset.h>

#include <check.h>
#include <fcntl.h>
#include <ftw.h>
#include <hdf5.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "input/input.h"

/* A small IDX set: 7 images of 5 x 4 with labels whose largest is 4, so
 * n_classes (5) differs from the number of distinct labels (4). */
#define N_IMG 7
#define ROWS 5
#define COLS 4
#define PIX (ROWS * COLS)
#define IMAGES_BYTES (16 + N_IMG * PIX)
#define LABELS_BYTES (8 + N_IMG)
#define SEED 7405u

static const uint8_t test_labels[N_IMG] = {3, 0, 4, 1, 3, 0, 1};
static uint8_t test_pixels[N_IMG * PIX];
static char tmpdir[64];

/* --- helpers ------------------------------------------------------------ */

static void fill_pixels(void)
{
  /* An LCG spreads values over 0..255 so gzip cannot squeeze them away. */
  uint32_t x = 12345u;
  for (size_t i = 0; i < sizeof test_pixels; i++) {
    x = x * 1103515245u + 12345u;
    test_pixels[i] = (uint8_t)(x >> 23);
  }
}

static int remove_entry(const char *path, const struct stat *st, int flag,
                        struct FTW *ftw)
{
  (void)st; (void)flag; (void)ftw;
  return remove(path);
}

static void make_tmpdir(void)
{
  strcpy(tmpdir, "/tmp/ladsim-test-input-XXXXXX");
  ck_assert_ptr_nonnull(mkdtemp(tmpdir));
  fill_pixels();
}

static void remove_tmpdir(void)
{
  nftw(tmpdir, remove_entry, 8, FTW_DEPTH | FTW_PHYS);
}

/* Paths come from a small ring so a test can hold several at once. */
static const char *in_tmp(const char *name)
{
  static char ring[8][256];
  static unsigned next;
  char *p = ring[next++ % 8];
  snprintf(p, 256, "%s/%s", tmpdir, name);
  return p;
}

static void put_be32(uint8_t *b, uint32_t v)
{
  b[0] = (uint8_t)(v >> 24); b[1] = (uint8_t)(v >> 16);
  b[2] = (uint8_t)(v >> 8); b[3] = (uint8_t)v;
}

static void images_buffer(uint8_t *buf, uint32_t magic, uint32_t n)
{
  put_be32(buf, magic);
  put_be32(buf + 4, n);
  put_be32(buf + 8, ROWS);
  put_be32(buf + 12, COLS);
  memcpy(buf + 16, test_pixels, sizeof test_pixels);
}

static void labels_buffer(uint8_t *buf, uint32_t magic, uint32_t n)
{
  put_be32(buf, magic);
  put_be32(buf + 4, n);
  memcpy(buf + 8, test_labels, N_IMG);
}

static void write_file(const char *path, bool gz, const void *buf, size_t len)
{
  if (gz) {
    gzFile f = gzopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(gzwrite(f, buf, (unsigned)len), (int)len);
    ck_assert_int_eq(gzclose(f), Z_OK);
  } else {
    FILE *f = fopen(path, "wb");
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(buf, 1, len, f), len);
    ck_assert_int_eq(fclose(f), 0);
  }
}

/* Writes images and labels (the first image_len / label_len bytes of the
 * proper files) under names ending in .gz when gz. */
static void write_set(bool gz, size_t image_len, size_t label_len,
                      const char **images, const char **labels)
{
  uint8_t im[IMAGES_BYTES], lb[LABELS_BYTES];
  images_buffer(im, 0x803, N_IMG);
  labels_buffer(lb, 0x801, N_IMG);
  *images = in_tmp(gz ? "images.gz" : "images");
  *labels = in_tmp(gz ? "labels.gz" : "labels");
  write_file(*images, gz, im, image_len);
  write_file(*labels, gz, lb, label_len);
}

static long file_size(const char *path)
{
  struct stat st;
  ck_assert_int_eq(stat(path, &st), 0);
  return (long)st.st_size;
}

static void patch_byte(const char *path, long offset, uint8_t value)
{
  FILE *f = fopen(path, "r+b");
  ck_assert_ptr_nonnull(f);
  ck_assert_int_eq(fseek(f, offset, offset < 0 ? SEEK_END : SEEK_SET), 0);
  ck_assert_int_eq(fputc(value, f), value);
  ck_assert_int_eq(fclose(f), 0);
}

/* The call failed with code, and its message names what and says why. */
#define ck_assert_error(status, code, what, keyword)                         \
  do {                                                                       \
    const char *m_ = ladsim_error_message();                                 \
    ck_assert_int_eq((status), (code));                                      \
    ck_assert_msg(strstr(m_, (what)) != NULL, "message '%s' lacks '%s'", m_, \
                  (what));                                                   \
    ck_assert_msg(strstr(m_, (keyword)) != NULL, "message '%s' lacks '%s'",  \
                  m_, (keyword));                                            \
  } while (0)

static void assert_matches_test_set(const ladsim_dataset *d, size_t n)
{
  ck_assert_uint_eq(d->n, n);
  ck_assert_uint_eq(d->rows, ROWS);
  ck_assert_uint_eq(d->cols, COLS);
  ck_assert_mem_eq(d->pixels, test_pixels, n * PIX);
  ck_assert_mem_eq(d->labels, test_labels, n);
}

/* --- IDX ---------------------------------------------------------------- */

START_TEST(test_idx_roundtrip_plain)
{
  const char *images, *labels;
  ladsim_dataset *d = NULL;
  write_set(false, IMAGES_BYTES, LABELS_BYTES, &images, &labels);
  ck_assert_int_eq(ladsim_dataset_read_idx(images, labels, 0, &d), LADSIM_OK);
  assert_matches_test_set(d, N_IMG);
  ck_assert_uint_eq(d->n_classes, 5);
  ck_assert_str_eq(d->source, images);
  ladsim_dataset_free(d);
}
END_TEST

START_TEST(test_idx_roundtrip_gzip)
{
  const char *images, *labels;
  ladsim_dataset *d = NULL;
  write_set(true, IMAGES_BYTES, LABELS_BYTES, &images, &labels);
  ck_assert_int_eq(ladsim_dataset_read_idx(images, labels, 0, &d), LADSIM_OK);
  assert_matches_test_set(d, N_IMG);
  ck_assert_uint_eq(d->n_classes, 5);
  ladsim_dataset_free(d);
}
END_TEST

START_TEST(test_idx_limit)
{
  const char *images, *labels;
  ladsim_dataset *d = NULL;
  write_set(true, IMAGES_BYTES, LABELS_BYTES, &images, &labels);
  ck_assert_int_eq(ladsim_dataset_read_idx(images, labels, 3, &d), LADSIM_OK);
  assert_matches_test_set(d, 3);
  ck_assert_uint_eq(d->n_classes, 5); /* labels 3, 0, 4 */
  ladsim_dataset_free(d);
  ck_assert_int_eq(ladsim_dataset_read_idx(images, labels, 2, &d), LADSIM_OK);
  ck_assert_uint_eq(d->n_classes, 4); /* labels 3, 0 */
  ladsim_dataset_free(d);
  ck_assert_int_eq(ladsim_dataset_read_idx(images, labels, 100, &d), LADSIM_OK);
  assert_matches_test_set(d, N_IMG);
  ladsim_dataset_free(d);
}
END_TEST

/* Files cut after the third image still give the first three: the reader
 * stops where the limit says. */
START_TEST(test_idx_limit_reads_no_further)
{
  const char *images, *labels;
  ladsim_dataset *d = NULL;
  write_set(_i, 16 + 3 * PIX + 5, 8 + 3, &images, &labels);
  ck_assert_int_eq(ladsim_dataset_read_idx(images, labels, 3, &d), LADSIM_OK);
  assert_matches_test_set(d, 3);
  ladsim_dataset_free(d);
  ck_assert_error(ladsim_dataset_read_idx(images, labels, 4, &d), LADSIM_EDATA,
                  images, "truncated");
  ck_assert_ptr_null(d);
}
END_TEST

START_TEST(test_idx_missing_file)
{
  const char *images, *labels;
  ladsim_dataset *d = NULL;
  write_set(false, IMAGES_BYTES, LABELS_BYTES, &images, &labels);
  const char *missing = in_tmp("no-such-file.gz");
  ck_assert_error(ladsim_dataset_read_idx(missing, labels, 0, &d), LADSIM_EDATA,
                  missing, "No such file or directory");
  ck_assert_error(ladsim_dataset_read_idx(images, missing, 0, &d), LADSIM_EDATA,
                  missing, "cannot open");
  ck_assert_ptr_null(d);
}
END_TEST

START_TEST(test_idx_wrong_magic)
{
  const char *images, *labels;
  ladsim_dataset *d = NULL;
  write_set(_i, IMAGES_BYTES, LABELS_BYTES, &images, &labels);
  /* The two files swapped: each has the other's magic. */
  ck_assert_error(ladsim_dataset_read_idx(labels, images, 0, &d), LADSIM_EDATA,
                  labels, "is not an IDX image file (magic 0x00000801, "
                          "expected 0x00000803)");
  uint8_t lb[LABELS_BYTES];
  labels_buffer(lb, 0x00000901, N_IMG);
  write_file(labels, _i, lb, sizeof lb);
  ck_assert_error(ladsim_dataset_read_idx(images, labels, 0, &d), LADSIM_EDATA,
                  labels, "is not an IDX label file (magic 0x00000901");
  ck_assert_ptr_null(d);
}
END_TEST

START_TEST(test_idx_truncated_header)
{
  const char *images, *labels;
  ladsim_dataset *d = NULL;
  write_set(_i, 11, LABELS_BYTES, &images, &labels);
  ck_assert_error(ladsim_dataset_read_idx(images, labels, 0, &d), LADSIM_EDATA,
                  images, "is truncated: expected 16 bytes of header, found 11");
  write_set(_i, IMAGES_BYTES, 6, &images, &labels);
  ck_assert_error(ladsim_dataset_read_idx(images, labels, 0, &d), LADSIM_EDATA,
                  labels, "is truncated: expected 8 bytes of header, found 6");
  ck_assert_ptr_null(d);
}
END_TEST

START_TEST(test_idx_truncated_pixels)
{
  const char *images, *labels;
  ladsim_dataset *d = NULL;
  char expect[96];
  write_set(_i, IMAGES_BYTES - 30, LABELS_BYTES, &images, &labels);
  snprintf(expect, sizeof expect, "expected %d bytes of pixels", N_IMG * PIX);
  ck_assert_error(ladsim_dataset_read_idx(images, labels, 0, &d), LADSIM_EDATA,
                  images, expect);
  ck_assert_error(ladsim_dataset_read_idx(images, labels, 0, &d), LADSIM_EDATA,
                  images, "truncated");
  snprintf(expect, sizeof expect, "found %d", N_IMG * PIX - 30);
  ck_assert_error(ladsim_dataset_read_idx(images, labels, 0, &d), LADSIM_EDATA,
                  images, expect);
  write_set(_i, IMAGES_BYTES, LABELS_BYTES - 2, &images, &labels);
  ck_assert_error(ladsim_dataset_read_idx(images, labels, 0, &d), LADSIM_EDATA,
                  labels, "expected 7 bytes of labels");
  ck_assert_ptr_null(d);
}
END_TEST

/* A header announcing far more than the file holds (100 x 65536 x 65536
 * images) is a damaged file, found before allocating. */
START_TEST(test_idx_header_claims_too_much)
{
  const char *images, *labels;
  ladsim_dataset *d = NULL;
  uint8_t im[IMAGES_BYTES], lb[LABELS_BYTES];
  images_buffer(im, 0x803, 100);
  put_be32(im + 8, 65536);
  put_be32(im + 12, 65536);
  labels_buffer(lb, 0x801, 100);
  images = in_tmp(_i ? "huge.gz" : "huge");
  labels = in_tmp(_i ? "labels.gz" : "labels");
  write_file(images, _i, im, sizeof im);
  write_file(labels, _i, lb, sizeof lb);
  ck_assert_error(ladsim_dataset_read_idx(images, labels, 0, &d), LADSIM_EDATA,
                  images, _i ? "truncated or corrupt: its header announces 100 x "
                               "4294967296 bytes of pixels after the 16-byte header, "
                               "more than a gzip file of"
                             : "truncated: expected 429496729600 bytes of pixels after "
                               "the 16-byte header, found 140");
  ck_assert_ptr_null(d);
}
END_TEST

/* A gzip file cut short on disk: in its header, then in its pixels. */
START_TEST(test_idx_gzip_cut_short)
{
  const char *images, *labels;
  ladsim_dataset *d = NULL;
  write_set(true, IMAGES_BYTES, LABELS_BYTES, &images, &labels);
  long full = file_size(images);
  ck_assert_int_eq(truncate(images, full - 3), 0); /* in the trailer */
  ck_assert_error(ladsim_dataset_read_idx(images, labels, 0, &d), LADSIM_EDATA,
                  images, "truncated");
  ck_assert_int_eq(truncate(images, full / 2), 0);
  ck_assert_error(ladsim_dataset_read_idx(images, labels, 0, &d), LADSIM_EDATA,
                  images, "truncated: expected 140 bytes of pixels");
  ck_assert_error(ladsim_dataset_read_idx(images, labels, 0, &d), LADSIM_EDATA,
                  images, "gzip stream ends early");
  ck_assert_int_eq(truncate(images, 14), 0); /* 10 bytes of gzip header */
  ck_assert_error(ladsim_dataset_read_idx(images, labels, 0, &d), LADSIM_EDATA,
                  images, "bytes of header");
  ck_assert_ptr_null(d);
}
END_TEST

START_TEST(test_idx_gzip_corrupt)
{
  const char *images, *labels;
  ladsim_dataset *d = NULL;
  write_set(true, IMAGES_BYTES, LABELS_BYTES, &images, &labels);
  /* The first deflate block right after the 10-byte gzip header, with the
   * reserved block type 3. */
  patch_byte(images, 10, 0xff);
  ck_assert_error(ladsim_dataset_read_idx(images, labels, 0, &d), LADSIM_EDATA,
                  images, "is corrupt");
  /* A wrong CRC: the data decompress but the trailer does not match. */
  write_set(true, IMAGES_BYTES, LABELS_BYTES, &images, &labels);
  patch_byte(images, -8, 0x5a);
  patch_byte(images, -7, 0xa5);
  ck_assert_error(ladsim_dataset_read_idx(images, labels, 0, &d), LADSIM_EDATA,
                  images, "is corrupt");
  ck_assert_ptr_null(d);
}
END_TEST

/* Bytes changed in the middle of the compressed stream: whatever zlib
 * makes of them, the reader must not accept the file. */
START_TEST(test_idx_gzip_garbled_middle)
{
  const char *images, *labels;
  ladsim_dataset *d = NULL;
  write_set(true, IMAGES_BYTES, LABELS_BYTES, &images, &labels);
  long mid = file_size(images) / 2;
  for (long k = 0; k < 4; k++)
    patch_byte(images, mid + k, (uint8_t)(0x3c ^ (k * 77)));
  ck_assert_error(ladsim_dataset_read_idx(images, labels, 0, &d), LADSIM_EDATA,
                  images, images);
  ck_assert_ptr_null(d);
}
END_TEST

START_TEST(test_idx_count_mismatch)
{
  const char *images = in_tmp("im"), *labels = in_tmp("lb");
  uint8_t im[IMAGES_BYTES], lb[LABELS_BYTES];
  ladsim_dataset *d = NULL;
  images_buffer(im, 0x803, N_IMG);
  labels_buffer(lb, 0x801, N_IMG - 1);
  write_file(images, _i, im, sizeof im);
  write_file(labels, _i, lb, sizeof lb - 1);
  ck_assert_error(ladsim_dataset_read_idx(images, labels, 0, &d), LADSIM_EDATA,
                  labels, "has 6 labels but");
  ck_assert_error(ladsim_dataset_read_idx(images, labels, 0, &d), LADSIM_EDATA,
                  images, "has 7 images");
  ck_assert_ptr_null(d);
}
END_TEST

START_TEST(test_idx_label_out_of_range)
{
  const char *images = in_tmp("im"), *labels = in_tmp("lb");
  uint8_t im[IMAGES_BYTES], lb[LABELS_BYTES];
  ladsim_dataset *d = NULL;
  images_buffer(im, 0x803, N_IMG);
  labels_buffer(lb, 0x801, N_IMG);
  lb[8 + 5] = 255;
  write_file(images, false, im, sizeof im);
  write_file(labels, false, lb, sizeof lb);
  ck_assert_error(ladsim_dataset_read_idx(images, labels, 0, &d), LADSIM_EDATA,
                  labels, "label 255 of sample 5 is out of range");
  lb[8 + 5] = 254; /* the largest label allowed */
  write_file(labels, false, lb, sizeof lb);
  ck_assert_int_eq(ladsim_dataset_read_idx(images, labels, 0, &d), LADSIM_OK);
  ck_assert_uint_eq(d->n_classes, 255);
  ladsim_dataset_free(d);
}
END_TEST

START_TEST(test_idx_extra_bytes)
{
  const char *images = in_tmp("im"), *labels = in_tmp("lb");
  uint8_t im[IMAGES_BYTES + 3] = {0}, lb[LABELS_BYTES];
  ladsim_dataset *d = NULL;
  images_buffer(im, 0x803, N_IMG);
  labels_buffer(lb, 0x801, N_IMG);
  write_file(images, _i, im, sizeof im);
  write_file(labels, _i, lb, sizeof lb);
  ck_assert_error(ladsim_dataset_read_idx(images, labels, 0, &d), LADSIM_EDATA,
                  images, "more data than its header announces");
  ck_assert_ptr_null(d);
}
END_TEST

/* --- HDF5 --------------------------------------------------------------- */

static void h5_put(hid_t file, const char *name, hid_t type, int rank,
                   const hsize_t *dims, const void *data)
{
  hid_t space = H5Screate_simple(rank, dims, NULL);
  hid_t set = H5Dcreate2(file, name, type, space, H5P_DEFAULT, H5P_DEFAULT,
                         H5P_DEFAULT);
  ck_assert_int_ge(set, 0);
  ck_assert_int_ge(H5Dwrite(set, type, H5S_ALL, H5S_ALL, H5P_DEFAULT, data), 0);
  H5Dclose(set);
  H5Sclose(space);
}

static hid_t h5_new(const char *path)
{
  hid_t file = H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, H5P_DEFAULT);
  ck_assert_int_ge(file, 0);
  return file;
}

/* One file with u8 images "x", int32 labels "y", and extras for errors. */
static const char *h5_test_file(void)
{
  const char *path = in_tmp("set.h5");
  hsize_t dims[3] = {N_IMG, ROWS, COLS}, ldims[1] = {N_IMG};
  int32_t lb[N_IMG];
  for (int i = 0; i < N_IMG; i++)
    lb[i] = test_labels[i];
  hid_t file = h5_new(path);
  h5_put(file, "x", H5T_NATIVE_UINT8, 3, dims, test_pixels);
  h5_put(file, "y", H5T_NATIVE_INT32, 1, ldims, lb);
  h5_put(file, "flat", H5T_NATIVE_UINT8, 1, ldims, test_labels);
  h5_put(file, "y_short", H5T_NATIVE_INT32, 1, (hsize_t[]){N_IMG - 2}, lb);
  H5Fclose(file);
  return path;
}

START_TEST(test_hdf5_roundtrip)
{
  const char *path = h5_test_file();
  ladsim_dataset *d = NULL;
  ck_assert_int_eq(ladsim_dataset_read_hdf5(path, path, "x", "y", 0, &d),
                   LADSIM_OK);
  assert_matches_test_set(d, N_IMG);
  ck_assert_uint_eq(d->n_classes, 5);
  ladsim_dataset_free(d);
  ck_assert_int_eq(ladsim_dataset_read_hdf5(path, path, "x", "y", 4, &d),
                   LADSIM_OK);
  assert_matches_test_set(d, 4);
  ladsim_dataset_free(d);
}
END_TEST

/* int16 pixels and float pixels in [0, 1] both arrive as bytes; uint64
 * labels in a separate file. */
START_TEST(test_hdf5_converts_types)
{
  const char *images = in_tmp("conv.h5"), *labels = in_tmp("lab.h5");
  hsize_t dims[3] = {2, 1, 3}, ldims[1] = {2};
  int16_t wide[6] = {0, 17, 255, 128, 3, 200};
  float frac[6] = {0.0f, 0.5f, 1.0f, 0.2f, 0.0019f, 0.998f};
  uint64_t lb[2] = {2, 9};
  hid_t file = h5_new(images);
  h5_put(file, "wide", H5T_NATIVE_INT16, 3, dims, wide);
  h5_put(file, "frac", H5T_NATIVE_FLOAT, 3, dims, frac);
  H5Fclose(file);
  file = h5_new(labels);
  h5_put(file, "labels", H5T_NATIVE_UINT64, 1, ldims, lb);
  H5Fclose(file);

  ladsim_dataset *d = NULL;
  ck_assert_int_eq(ladsim_dataset_read_hdf5(images, labels, "wide", "labels",
                                            0, &d), LADSIM_OK);
  for (int p = 0; p < 6; p++)
    ck_assert_uint_eq(d->pixels[p], (unsigned)wide[p]);
  ck_assert_uint_eq(d->n_classes, 10);
  ladsim_dataset_free(d);
  ck_assert_int_eq(ladsim_dataset_read_hdf5(images, labels, "frac", "labels",
                                            0, &d), LADSIM_OK);
  const uint8_t want[6] = {0, 128, 255, 51, 0, 254}; /* round(255 v) */
  ck_assert_mem_eq(d->pixels, want, 6);
  ladsim_dataset_free(d);
}
END_TEST

START_TEST(test_hdf5_errors)
{
  const char *path = h5_test_file();
  ladsim_dataset *d = NULL;
  ck_assert_error(ladsim_dataset_read_hdf5(path, path, "images", "y", 0, &d),
                  LADSIM_EDATA, path, "has no data set 'images'");
  ck_assert_error(ladsim_dataset_read_hdf5(path, path, "x", "labels", 0, &d),
                  LADSIM_EDATA, "labels_key", "has no data set 'labels'");
  ck_assert_error(ladsim_dataset_read_hdf5(path, path, "flat", "y", 0, &d),
                  LADSIM_EDATA, path, "'flat' in");
  ck_assert_error(ladsim_dataset_read_hdf5(path, path, "flat", "y", 0, &d),
                  LADSIM_EDATA, path, "has rank 1, expected 3");
  ck_assert_error(ladsim_dataset_read_hdf5(path, path, "x", "y_short", 0, &d),
                  LADSIM_EDATA, path, "has 5 labels but data set 'x'");
  const char *missing = in_tmp("missing.h5");
  ck_assert_error(ladsim_dataset_read_hdf5(missing, path, "x", "y", 0, &d),
                  LADSIM_EDATA, missing, "No such file or directory");
  const char *text = in_tmp("text.h5");
  write_file(text, false, "not hdf5 at all\n", 16);
  ck_assert_error(ladsim_dataset_read_hdf5(text, path, "x", "y", 0, &d),
                  LADSIM_EDATA, text, "not a readable HDF5 file");
  ck_assert_ptr_null(d);
}
END_TEST

START_TEST(test_hdf5_value_ranges)
{
  const char *path = in_tmp("range.h5");
  hsize_t dims[3] = {2, 1, 2}, ldims[1] = {2};
  int32_t big[4] = {0, 1, 256, 4}, ok[4] = {0, 1, 2, 3};
  int32_t lb[2] = {0, 1}, neg[2] = {0, -1};
  double over[4] = {0.0, 0.5, 1.25, 0.0};
  hid_t file = h5_new(path);
  h5_put(file, "big", H5T_NATIVE_INT32, 3, dims, big);
  h5_put(file, "ok", H5T_NATIVE_INT32, 3, dims, ok);
  h5_put(file, "over", H5T_NATIVE_DOUBLE, 3, dims, over);
  h5_put(file, "lb", H5T_NATIVE_INT32, 1, ldims, lb);
  h5_put(file, "neg", H5T_NATIVE_INT32, 1, ldims, neg);
  h5_put(file, "flt", H5T_NATIVE_DOUBLE, 1, ldims, over);
  H5Fclose(file);
  ladsim_dataset *d = NULL;
  ck_assert_error(ladsim_dataset_read_hdf5(path, path, "big", "lb", 0, &d),
                  LADSIM_EDATA, path, "value 256 of sample 1 is outside 0..255");
  ck_assert_error(ladsim_dataset_read_hdf5(path, path, "over", "lb", 0, &d),
                  LADSIM_EDATA, path, "value 1.25 of sample 1 is outside [0, 1]");
  ck_assert_error(ladsim_dataset_read_hdf5(path, path, "over", "neg", 0, &d),
                  LADSIM_EDATA, path, "value 1.25");
  ck_assert_error(ladsim_dataset_read_hdf5(path, path, "ok", "neg", 0, &d),
                  LADSIM_EDATA, path, "label -1 of sample 1 is out of range");
  ck_assert_ptr_null(d);
  /* With limit 1 neither bad value (both in sample 1) is read. */
  ck_assert_int_eq(ladsim_dataset_read_hdf5(path, path, "big", "neg", 1, &d),
                   LADSIM_OK);
  ck_assert_uint_eq(d->n, 1);
  ladsim_dataset_free(d);
  d = NULL;
  ck_assert_error(ladsim_dataset_read_hdf5(path, path, "big", "flt", 0, &d),
                  LADSIM_EDATA, "'flt'", "does not hold integers");
  ck_assert_ptr_null(d);
}
END_TEST

/* HDF5's own error stack stays off stderr, and its printer comes back. */
START_TEST(test_hdf5_quiet)
{
  const char *path = h5_test_file();
  const char *log = in_tmp("stderr.txt");
  H5E_auto2_t before, after;
  void *before_data, *after_data;
  ladsim_dataset *d = NULL;
  H5Eget_auto2(H5E_DEFAULT, &before, &before_data);
  ck_assert_ptr_nonnull(before);
  fflush(stderr);
  int saved = dup(2), fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
  ck_assert_int_ge(fd, 0);
  dup2(fd, 2);
  ladsim_status st = ladsim_dataset_read_hdf5(path, path, "nope", "y", 0, &d);
  fflush(stderr);
  dup2(saved, 2);
  close(fd);
  close(saved);
  ck_assert_int_eq(st, LADSIM_EDATA);
  ck_assert_int_eq(file_size(log), 0);
  H5Eget_auto2(H5E_DEFAULT, &after, &after_data);
  ck_assert_ptr_eq((void *)after, (void *)before);
  ck_assert_ptr_eq(after_data, before_data);
}
END_TEST

/* --- synthetic ---------------------------------------------------------- */

START_TEST(test_synthetic_same_seed)
{
  ladsim_dataset *a = NULL, *b = NULL;
  ck_assert_int_eq(ladsim_dataset_synthetic(30, 4, 9, 0.2, SEED,
                                            LADSIM_SPLIT_TRAIN, &a), LADSIM_OK);
  ck_assert_int_eq(ladsim_dataset_synthetic(30, 4, 9, 0.2, SEED,
                                            LADSIM_SPLIT_TRAIN, &b), LADSIM_OK);
  ck_assert_uint_eq(a->n, 30);
  ck_assert_uint_eq(a->rows, 9);
  ck_assert_uint_eq(a->cols, 9);
  ck_assert_uint_eq(a->n_classes, 4);
  ck_assert_mem_eq(a->pixels, b->pixels, 30 * 81);
  ck_assert_mem_eq(a->labels, b->labels, 30);
  for (size_t i = 0; i < 30; i++)
    ck_assert_uint_eq(a->labels[i], i % 4);
  ladsim_dataset_free(a);
  ladsim_dataset_free(b);
}
END_TEST

/* A set smaller than its number of classes still counts them all, so it
 * agrees with a larger set of the same generator. */
START_TEST(test_synthetic_small_set)
{
  ladsim_dataset *d = NULL;
  ck_assert_int_eq(ladsim_dataset_synthetic(3, 5, 8, 0.1, SEED,
                                            LADSIM_SPLIT_TEST, &d), LADSIM_OK);
  ck_assert_uint_eq(d->n, 3);
  ck_assert_uint_eq(d->n_classes, 5);
  ck_assert_uint_eq(d->labels[2], 2);
  ladsim_dataset_free(d);
}
END_TEST

START_TEST(test_synthetic_other_seed)
{
  ladsim_dataset *a = NULL, *b = NULL;
  ck_assert_int_eq(ladsim_dataset_synthetic(30, 4, 9, 0.2, SEED,
                                            LADSIM_SPLIT_TRAIN, &a), LADSIM_OK);
  ck_assert_int_eq(ladsim_dataset_synthetic(30, 4, 9, 0.2, SEED + 1,
                                            LADSIM_SPLIT_TRAIN, &b), LADSIM_OK);
  size_t differ = 0;
  for (size_t p = 0; p < 30 * 81; p++)
    differ += a->pixels[p] != b->pixels[p];
  ck_assert_uint_gt(differ, 30 * 81 / 2);
  ladsim_dataset_free(a);
  ladsim_dataset_free(b);
}
END_TEST

/* Without noise each sample is its class prototype: the same in both
 * splits. With noise, the splits draw different samples. */
START_TEST(test_synthetic_splits_share_prototypes)
{
  ladsim_dataset *tr = NULL, *te = NULL;
  size_t size = 64;
  ck_assert_int_eq(ladsim_dataset_synthetic(6, 3, 8, 0.0, SEED,
                                            LADSIM_SPLIT_TRAIN, &tr), LADSIM_OK);
  ck_assert_int_eq(ladsim_dataset_synthetic(6, 3, 8, 0.0, SEED,
                                            LADSIM_SPLIT_TEST, &te), LADSIM_OK);
  ck_assert_mem_eq(tr->pixels, te->pixels, 6 * size);
  ck_assert_mem_eq(tr->pixels, tr->pixels + 3 * size, 3 * size);
  ck_assert_int_ne(memcmp(tr->pixels, tr->pixels + size, size), 0);
  /* A prototype's brightest pixel is full scale. */
  uint8_t top = 0;
  for (size_t p = 0; p < size; p++)
    top = tr->pixels[p] > top ? tr->pixels[p] : top;
  ck_assert_uint_eq(top, 255);
  ladsim_dataset_free(tr);
  ladsim_dataset_free(te);
  ck_assert_int_eq(ladsim_dataset_synthetic(6, 3, 8, 0.1, SEED,
                                            LADSIM_SPLIT_TRAIN, &tr), LADSIM_OK);
  ck_assert_int_eq(ladsim_dataset_synthetic(6, 3, 8, 0.1, SEED,
                                            LADSIM_SPLIT_TEST, &te), LADSIM_OK);
  ck_assert_int_ne(memcmp(tr->pixels, te->pixels, 6 * size), 0);
  ladsim_dataset_free(tr);
  ladsim_dataset_free(te);
}
END_TEST

/* Noise of std s around a prototype: the spread of samples of a class
 * around their class mean, where no pixel clips, is s (in 0..1 units). */
START_TEST(test_synthetic_noise_level)
{
  ladsim_dataset *d = NULL;
  const size_t n = 400, size = 100;
  ck_assert_int_eq(ladsim_dataset_synthetic(n, 1, 10, 0.04, SEED,
                                            LADSIM_SPLIT_TRAIN, &d), LADSIM_OK);
  double sum2 = 0.0;
  size_t count = 0;
  for (size_t p = 0; p < size; p++) {
    double mean = 0.0;
    for (size_t i = 0; i < n; i++)
      mean += d->pixels[i * size + p] / 255.0;
    mean /= n;
    if (mean < 0.2 || mean > 0.8)
      continue;
    for (size_t i = 0; i < n; i++) {
      double e = d->pixels[i * size + p] / 255.0 - mean;
      sum2 += e * e;
      count++;
    }
  }
  ck_assert_uint_gt(count, 1000);
  /* Rounding to 1/255 adds a variance of (1/255)^2 / 12. */
  double expect = sqrt(0.04 * 0.04 + 1.0 / (12.0 * 255.0 * 255.0));
  ck_assert_double_eq_tol(sqrt(sum2 / count), expect, 0.002);
  ladsim_dataset_free(d);
}
END_TEST

START_TEST(test_synthetic_rejects_bad_arguments)
{
  ladsim_dataset *d = NULL;
  ck_assert_error(ladsim_dataset_synthetic(10, 0, 8, 0.1, SEED,
                                           LADSIM_SPLIT_TRAIN, &d),
                  LADSIM_EINVAL, "synthetic", "0 classes");
  ck_assert_error(ladsim_dataset_synthetic(10, 256, 8, 0.1, SEED,
                                           LADSIM_SPLIT_TRAIN, &d),
                  LADSIM_EINVAL, "synthetic", "256 classes");
  ck_assert_error(ladsim_dataset_synthetic(0, 2, 8, 0.1, SEED,
                                           LADSIM_SPLIT_TRAIN, &d),
                  LADSIM_EINVAL, "synthetic", "0 samples");
  ck_assert_error(ladsim_dataset_synthetic(10, 2, 0, 0.1, SEED,
                                           LADSIM_SPLIT_TRAIN, &d),
                  LADSIM_EINVAL, "synthetic", "side 0");
  ck_assert_error(ladsim_dataset_synthetic(10, 2, 8, -0.5, SEED,
                                           LADSIM_SPLIT_TRAIN, &d),
                  LADSIM_EINVAL, "synthetic", "noise -0.5");
  ck_assert_ptr_null(d);
}
END_TEST

/* --- ladsim_dataset_open -------------------------------------------------- */

static ladsim_dataset_spec synthetic_spec(void)
{
  ladsim_dataset_spec s;
  memset(&s, 0, sizeof s);
  strcpy(s.name, "synthetic");
  s.synth_classes = 3;
  s.synth_side = 6;
  s.synth_train = 12;
  s.synth_test = 9;
  s.synth_noise = 0.1;
  return s;
}

START_TEST(test_open_synthetic)
{
  ladsim_dataset_spec spec = synthetic_spec();
  ladsim_dataset *tr = NULL, *te = NULL, *direct = NULL;
  ck_assert_int_eq(ladsim_dataset_open(&spec, LADSIM_SPLIT_TRAIN, SEED, &tr),
                   LADSIM_OK);
  ck_assert_int_eq(ladsim_dataset_open(&spec, LADSIM_SPLIT_TEST, SEED, &te),
                   LADSIM_OK);
  ck_assert_uint_eq(tr->n, 12);
  ck_assert_uint_eq(te->n, 9);
  ck_assert_uint_eq(te->rows, 6);
  ck_assert_int_eq(ladsim_dataset_synthetic(12, 3, 6, 0.1, SEED,
                                            LADSIM_SPLIT_TRAIN, &direct),
                   LADSIM_OK);
  ck_assert_mem_eq(tr->pixels, direct->pixels, 12 * 36);
  ladsim_dataset_free(tr);
  /* A limit keeps the first samples of the same set. */
  spec.train_limit = 5;
  ck_assert_int_eq(ladsim_dataset_open(&spec, LADSIM_SPLIT_TRAIN, SEED, &tr),
                   LADSIM_OK);
  ck_assert_uint_eq(tr->n, 5);
  ck_assert_mem_eq(tr->pixels, direct->pixels, 5 * 36);
  ladsim_dataset_free(tr);
  ladsim_dataset_free(te);
  ladsim_dataset_free(direct);
}
END_TEST

START_TEST(test_open_files_by_format)
{
  const char *images, *labels, *h5 = h5_test_file();
  ladsim_dataset_spec spec;
  ladsim_dataset *d = NULL;
  write_set(true, IMAGES_BYTES, LABELS_BYTES, &images, &labels);
  memset(&spec, 0, sizeof spec);
  spec.train_images = (char *)images;
  spec.train_labels = (char *)labels;
  spec.test_images = (char *)h5;
  spec.test_labels = (char *)h5;
  strcpy(spec.images_key, "x");
  strcpy(spec.labels_key, "y");
  spec.train_limit = 6;
  ck_assert_int_eq(ladsim_dataset_open(&spec, LADSIM_SPLIT_TRAIN, SEED, &d),
                   LADSIM_OK);
  assert_matches_test_set(d, 6);
  ladsim_dataset_free(d);
  ck_assert_int_eq(ladsim_dataset_open(&spec, LADSIM_SPLIT_TEST, SEED, &d),
                   LADSIM_OK);
  assert_matches_test_set(d, N_IMG);
  ladsim_dataset_free(d);
  spec.labels_key[0] = '\0'; /* the default name "labels" is not there */
  ck_assert_error(ladsim_dataset_open(&spec, LADSIM_SPLIT_TEST, SEED, &d),
                  LADSIM_EDATA, h5, "no data set 'labels'");
  spec.test_labels = NULL;
  ck_assert_error(ladsim_dataset_open(&spec, LADSIM_SPLIT_TEST, SEED, &d),
                  LADSIM_EINVAL, "no test labels file", "input.dataset.test");
  ck_assert_ptr_null(d);
}
END_TEST

START_TEST(test_open_errors)
{
  ladsim_dataset_spec spec;
  ladsim_dataset *d = NULL;
  memset(&spec, 0, sizeof spec);
  strcpy(spec.name, "fashion-mnist");
  spec.dir = (char *)tmpdir;
  ck_assert_error(ladsim_dataset_open(&spec, LADSIM_SPLIT_TRAIN, SEED, &d),
                  LADSIM_EDATA, tmpdir, "Fashion-MNIST not found in");
  ck_assert_error(ladsim_dataset_open(&spec, LADSIM_SPLIT_TEST, SEED, &d),
                  LADSIM_EDATA, "t10k-images-idx3-ubyte",
                  "apt-get install dataset-fashion-mnist");
  strcpy(spec.name, "cifar-11");
  ck_assert_error(ladsim_dataset_open(&spec, LADSIM_SPLIT_TRAIN, SEED, &d),
                  LADSIM_EINVAL, "cifar-11", "unknown data set");
  spec.name[0] = '\0';
  spec.train_images = (char *)in_tmp("absent");
  spec.train_labels = (char *)in_tmp("absent-too");
  ck_assert_error(ladsim_dataset_open(&spec, LADSIM_SPLIT_TRAIN, SEED, &d),
                  LADSIM_EDATA, spec.train_images, "cannot open");
  ck_assert_ptr_null(d);
}
END_TEST

/* Un-gzipped files in a directory of our own stand in for the package. */
START_TEST(test_open_fashion_layout)
{
  const char *images, *labels;
  ladsim_dataset_spec spec;
  ladsim_dataset *d = NULL;
  write_set(false, IMAGES_BYTES, LABELS_BYTES, &images, &labels);
  ck_assert_int_eq(rename(images, in_tmp("t10k-images-idx3-ubyte")), 0);
  ck_assert_int_eq(rename(labels, in_tmp("t10k-labels-idx1-ubyte")), 0);
  memset(&spec, 0, sizeof spec);
  strcpy(spec.name, "fashion-mnist");
  spec.dir = (char *)tmpdir;
  spec.test_limit = 4;
  ck_assert_int_eq(ladsim_dataset_open(&spec, LADSIM_SPLIT_TEST, SEED, &d),
                   LADSIM_OK);
  assert_matches_test_set(d, 4);
  ladsim_dataset_free(d);
}
END_TEST

START_TEST(test_fashion_mnist_installed)
{
  ladsim_dataset_spec spec;
  ladsim_dataset *d = NULL;
  memset(&spec, 0, sizeof spec);
  strcpy(spec.name, "fashion-mnist");
  spec.train_limit = 100;
  ck_assert_int_eq(ladsim_dataset_open(&spec, LADSIM_SPLIT_TRAIN, SEED, &d),
                   LADSIM_OK);
  ck_assert_uint_eq(d->n, 100);
  ck_assert_uint_eq(d->rows, 28);
  ck_assert_uint_eq(d->cols, 28);
  ck_assert_uint_le(d->n_classes, 10);
  ck_assert_uint_ge(d->n_classes, 2);
  ladsim_dataset_free(d);
  /* The whole test split: every byte read and the gzip trailer checked. */
  ck_assert_int_eq(ladsim_dataset_open(&spec, LADSIM_SPLIT_TEST, SEED, &d),
                   LADSIM_OK);
  ck_assert_uint_eq(d->n, 10000);
  ck_assert_uint_eq(d->n_classes, 10);
  ladsim_dataset_free(d);
}
END_TEST

/* --- stimulus ----------------------------------------------------------- */

static ladsim_input_spec quiet_spec(unsigned views, unsigned epochs)
{
  ladsim_input_spec s;
  memset(&s, 0, sizeof s);
  s.views_per_sample = views;
  s.epochs = epochs;
  s.scale = 1.0;
  return s;
}

static ladsim_input_spec busy_spec(void)
{
  ladsim_input_spec s = quiet_spec(3, 3);
  s.shuffle = true;
  s.shift = 1.0;
  s.flip = LADSIM_FLIP_BOTH;
  s.contrast = 0.3;
  s.noise = 0.05;
  s.center = true;
  s.scale = 2.5;
  return s;
}

/* One image, given pixel by pixel. */
static ladsim_dataset *hand_made(size_t rows, size_t cols, const uint8_t *px)
{
  ladsim_dataset *d = NULL;
  ck_assert_int_eq(ladsim__dataset_alloc(1, rows, cols, "hand-made", &d),
                   LADSIM_OK);
  memcpy(d->pixels, px, rows * cols);
  d->labels[0] = 2;
  d->n_classes = 3;
  return d;
}

static ladsim_dataset *small_synthetic(size_t n)
{
  ladsim_dataset *d = NULL;
  ck_assert_int_eq(ladsim_dataset_synthetic(n, 3, 6, 0.1, SEED,
                                            LADSIM_SPLIT_TRAIN, &d), LADSIM_OK);
  return d;
}

START_TEST(test_stimulus_any_order)
{
  ladsim_dataset *d = small_synthetic(10);
  ladsim_input_spec spec = busy_spec();
  ladsim_stimulus *seq = NULL, *jump = NULL;
  ck_assert_int_eq(ladsim_stimulus_alloc(&spec, d, SEED, &seq), LADSIM_OK);
  ck_assert_int_eq(ladsim_stimulus_alloc(&spec, d, SEED, &jump), LADSIM_OK);
  uint64_t n = ladsim_stimulus_n_views(seq);
  size_t size = ladsim_stimulus_size(seq);
  ck_assert_uint_eq(n, 3 * 10 * 3);
  ck_assert_uint_eq(size, 36);
  double *all = malloc(n * size * sizeof *all), x[36];
  size_t *samples = malloc(n * sizeof *samples), sample;
  unsigned *labels = malloc(n * sizeof *labels), label;
  for (uint64_t i = 0; i < n; i++)
    ck_assert_int_eq(ladsim_stimulus_view(seq, i, all + i * size, samples + i,
                                          labels + i), LADSIM_OK);
  ladsim_rng r;
  ladsim_rng_init(&r, SEED, 99, 0, 0, 0);
  for (int k = 0; k < 300; k++) {
    uint64_t i = ladsim_rng_below(&r, n);
    ck_assert_int_eq(ladsim_stimulus_view(jump, i, x, &sample, &label),
                     LADSIM_OK);
    ck_assert_uint_eq(sample, samples[i]);
    ck_assert_uint_eq(label, labels[i]);
    ck_assert_uint_eq(label, d->labels[sample]);
    ck_assert_mem_eq(x, all + i * size, sizeof x);
  }
  free(all);
  free(samples);
  free(labels);
  ladsim_stimulus_free(seq);
  ladsim_stimulus_free(jump);
  ladsim_dataset_free(d);
}
END_TEST

START_TEST(test_stimulus_views_differ)
{
  ladsim_dataset *d = small_synthetic(10);
  ladsim_input_spec spec = busy_spec();
  ladsim_stimulus *s = NULL;
  double a[36], b[36];
  size_t sa, sb;
  ck_assert_int_eq(ladsim_stimulus_alloc(&spec, d, SEED, &s), LADSIM_OK);
  for (uint64_t i = 0; i < 30; i += 3) {
    ck_assert_int_eq(ladsim_stimulus_view(s, i, a, &sa, NULL), LADSIM_OK);
    ck_assert_int_eq(ladsim_stimulus_view(s, i + 1, b, &sb, NULL), LADSIM_OK);
    ck_assert_uint_eq(sa, sb);
    ck_assert_int_ne(memcmp(a, b, sizeof a), 0);
  }
  ladsim_stimulus_free(s);
  ladsim_dataset_free(d);
}
END_TEST

/* With every augmentation off a view is the plain image, centred and
 * scaled as evaluation sees it. */
START_TEST(test_stimulus_plain_when_off)
{
  ladsim_dataset *d = small_synthetic(10);
  ladsim_input_spec spec = quiet_spec(2, 2);
  ladsim_stimulus *s = NULL;
  double x[36], p[36];
  size_t sample;
  spec.shuffle = true;
  spec.center = true;
  spec.scale = 3.5;
  ck_assert_int_eq(ladsim_stimulus_alloc(&spec, d, SEED, &s), LADSIM_OK);
  for (uint64_t i = 0; i < ladsim_stimulus_n_views(s); i++) {
    ck_assert_int_eq(ladsim_stimulus_view(s, i, x, &sample, NULL), LADSIM_OK);
    ladsim_stimulus_plain(s, d, sample, p);
    ck_assert_mem_eq(x, p, sizeof x);
  }
  ladsim_stimulus_free(s);
  ladsim_dataset_free(d);
}
END_TEST

START_TEST(test_stimulus_order)
{
  enum { N = 20, EPOCHS = 4 };
  ladsim_dataset *d = small_synthetic(N);
  ladsim_input_spec spec = quiet_spec(2, EPOCHS);
  ladsim_stimulus *s = NULL;
  size_t order[EPOCHS][N], sample;
  double x[36];
  spec.shuffle = true;
  ck_assert_int_eq(ladsim_stimulus_alloc(&spec, d, SEED, &s), LADSIM_OK);
  for (unsigned e = 0; e < EPOCHS; e++) {
    bool seen[N] = {false};
    for (unsigned pos = 0; pos < N; pos++) {
      uint64_t i = ((uint64_t)e * N + pos) * 2;
      ck_assert_int_eq(ladsim_stimulus_view(s, i, x, &order[e][pos], NULL),
                       LADSIM_OK);
      ck_assert_int_eq(ladsim_stimulus_view(s, i + 1, x, &sample, NULL),
                       LADSIM_OK);
      ck_assert_uint_eq(sample, order[e][pos]); /* views are consecutive */
      ck_assert_uint_lt(order[e][pos], N);
      ck_assert(!seen[order[e][pos]]);
      seen[order[e][pos]] = true;
    }
  }
  for (unsigned e = 0; e < EPOCHS; e++)
    for (unsigned f = e + 1; f < EPOCHS; f++)
      ck_assert_int_ne(memcmp(order[e], order[f], sizeof order[e]), 0);
  ladsim_stimulus_free(s);
  /* Without shuffling every epoch runs through the set in order. */
  spec.shuffle = false;
  ck_assert_int_eq(ladsim_stimulus_alloc(&spec, d, SEED, &s), LADSIM_OK);
  for (uint64_t i = 0; i < ladsim_stimulus_n_views(s); i++) {
    ck_assert_int_eq(ladsim_stimulus_view(s, i, x, &sample, NULL), LADSIM_OK);
    ck_assert_uint_eq(sample, i / 2 % N);
  }
  ladsim_stimulus_free(s);
  ladsim_dataset_free(d);
}
END_TEST

/* Where the single pixel equal to 1 is; -1 if there is none. Every other
 * pixel must be 0. */
static long bright_pixel(const double *x, size_t size)
{
  long at = -1;
  for (size_t p = 0; p < size; p++) {
    if (x[p] == 1.0) {
      ck_assert_int_eq(at, -1);
      at = (long)p;
    } else {
      ck_assert_double_eq(x[p], 0.0);
    }
  }
  return at;
}

START_TEST(test_stimulus_shift)
{
  uint8_t px[81] = {0};
  px[4 * 9 + 4] = 255;
  ladsim_dataset *d = hand_made(9, 9, px);
  ladsim_input_spec spec = quiet_spec(300, 1);
  ladsim_stimulus *s = NULL;
  bool seen[5][5] = {{false}};
  double x[81];
  spec.shift = 2.7; /* whole pixels only: [-2, 2] */
  ck_assert_int_eq(ladsim_stimulus_alloc(&spec, d, SEED, &s), LADSIM_OK);
  for (uint64_t i = 0; i < 300; i++) {
    ck_assert_int_eq(ladsim_stimulus_view(s, i, x, NULL, NULL), LADSIM_OK);
    long at = bright_pixel(x, 81);
    ck_assert_int_ge(at, 0);
    long dy = at / 9 - 4, dx = at % 9 - 4;
    ck_assert_int_le(labs(dy), 2);
    ck_assert_int_le(labs(dx), 2);
    seen[dy + 2][dx + 2] = true;
  }
  for (int y = 0; y < 5; y++)
    for (int xx = 0; xx < 5; xx++)
      ck_assert_msg(seen[y][xx], "shift (%d, %d) never drawn", y - 2, xx - 2);
  ladsim_stimulus_free(s);
  ladsim_dataset_free(d);
}
END_TEST

/* A pixel in the corner either moves inwards or leaves the image: shifted
 * images are filled with zeros, never wrapped around. */
START_TEST(test_stimulus_shift_zero_fill)
{
  uint8_t px[36] = {0};
  px[0] = 255;
  ladsim_dataset *d = hand_made(6, 6, px);
  ladsim_input_spec spec = quiet_spec(100, 1);
  ladsim_stimulus *s = NULL;
  double x[36];
  int gone = 0, moved = 0;
  spec.shift = 2.0;
  ck_assert_int_eq(ladsim_stimulus_alloc(&spec, d, SEED, &s), LADSIM_OK);
  for (uint64_t i = 0; i < 100; i++) {
    ck_assert_int_eq(ladsim_stimulus_view(s, i, x, NULL, NULL), LADSIM_OK);
    long at = bright_pixel(x, 36);
    if (at < 0) {
      gone++;
      continue;
    }
    ck_assert_int_le(at / 6, 2);
    ck_assert_int_le(at % 6, 2);
    moved += at != 0;
  }
  ck_assert_int_gt(gone, 0);
  ck_assert_int_gt(moved, 0);
  ladsim_stimulus_free(s);
  ladsim_dataset_free(d);
}
END_TEST

/* Each view of an asymmetric image is the image itself or its mirror. */
static void check_flips(ladsim_flip flip, int expect_kinds)
{
  enum { R = 3, C = 5 };
  uint8_t px[R * C];
  for (int p = 0; p < R * C; p++)
    px[p] = (uint8_t)(10 + 16 * p);
  ladsim_dataset *d = hand_made(R, C, px);
  ladsim_input_spec spec = quiet_spec(64, 1);
  ladsim_stimulus *s = NULL;
  bool kinds[4] = {false};
  double x[R * C];
  spec.flip = flip;
  ck_assert_int_eq(ladsim_stimulus_alloc(&spec, d, SEED, &s), LADSIM_OK);
  for (uint64_t i = 0; i < 64; i++) {
    ck_assert_int_eq(ladsim_stimulus_view(s, i, x, NULL, NULL), LADSIM_OK);
    int kind = -1;
    for (int k = 0; k < 4 && kind < 0; k++) {
      bool same = true;
      for (int y = 0; y < R; y++)
        for (int c = 0; c < C; c++) {
          int sy = k & 2 ? R - 1 - y : y, sc = k & 1 ? C - 1 - c : c;
          same = same && x[y * C + c] == px[sy * C + sc] / 255.0;
        }
      kind = same ? k : -1;
    }
    ck_assert_int_ge(kind, 0);
    kinds[kind] = true;
  }
  int n_kinds = 0;
  for (int k = 0; k < 4; k++)
    n_kinds += kinds[k];
  ck_assert_int_eq(n_kinds, expect_kinds);
  ck_assert(kinds[0]);
  if (flip == LADSIM_FLIP_HORIZONTAL)
    ck_assert(kinds[1]);
  if (flip == LADSIM_FLIP_VERTICAL)
    ck_assert(kinds[2]);
  ladsim_stimulus_free(s);
  ladsim_dataset_free(d);
}

START_TEST(test_stimulus_flip)
{
  check_flips(LADSIM_FLIP_HORIZONTAL, 2);
  check_flips(LADSIM_FLIP_VERTICAL, 2);
  check_flips(LADSIM_FLIP_BOTH, 4);
  check_flips(LADSIM_FLIP_NONE, 1);
}
END_TEST

/* Contrast keeps the image mean and scales deviations from it by one
 * factor in [1 - c, 1 + c]. */
START_TEST(test_stimulus_contrast)
{
  uint8_t px[16];
  for (int p = 0; p < 16; p++)
    px[p] = (uint8_t)(80 + 6 * p);
  ladsim_dataset *d = hand_made(4, 4, px);
  ladsim_input_spec spec = quiet_spec(40, 1);
  ladsim_stimulus *s = NULL;
  double x[16], mean = 0.0, lo = 2.0, hi = 0.0;
  for (int p = 0; p < 16; p++)
    mean += px[p] / 255.0 / 16.0;
  spec.contrast = 0.4;
  ck_assert_int_eq(ladsim_stimulus_alloc(&spec, d, SEED, &s), LADSIM_OK);
  for (uint64_t i = 0; i < 40; i++) {
    ck_assert_int_eq(ladsim_stimulus_view(s, i, x, NULL, NULL), LADSIM_OK);
    double out_mean = 0.0;
    for (int p = 0; p < 16; p++)
      out_mean += x[p] / 16.0;
    ck_assert_double_eq_tol(out_mean, mean, 1e-12);
    double factor = (x[15] - mean) / (px[15] / 255.0 - mean);
    for (int p = 0; p < 16; p++)
      ck_assert_double_eq_tol(x[p] - mean, factor * (px[p] / 255.0 - mean),
                              1e-12);
    ck_assert_double_ge(factor, 0.6);
    ck_assert_double_le(factor, 1.4);
    lo = factor < lo ? factor : lo;
    hi = factor > hi ? factor : hi;
  }
  ck_assert_double_lt(lo, 0.8);
  ck_assert_double_gt(hi, 1.2);
  ladsim_stimulus_free(s);
  ladsim_dataset_free(d);
}
END_TEST

/* Added noise has the configured std, and views are clipped to [0, 1]. */
START_TEST(test_stimulus_noise)
{
  uint8_t px[400];
  for (int p = 0; p < 400; p++)
    px[p] = p < 20 ? 250 : 128;
  ladsim_dataset *d = hand_made(20, 20, px);
  ladsim_input_spec spec = quiet_spec(20, 1);
  ladsim_stimulus *s = NULL;
  double x[400], sum = 0.0, sum2 = 0.0, cross = 0.0;
  size_t count = 0, pairs = 0;
  bool clipped = false;
  spec.noise = 0.05;
  ck_assert_int_eq(ladsim_stimulus_alloc(&spec, d, SEED, &s), LADSIM_OK);
  for (uint64_t i = 0; i < 20; i++) {
    ck_assert_int_eq(ladsim_stimulus_view(s, i, x, NULL, NULL), LADSIM_OK);
    for (int p = 0; p < 400; p++) {
      ck_assert_double_ge(x[p], 0.0);
      ck_assert_double_le(x[p], 1.0);
      clipped = clipped || x[p] == 1.0;
      if (p < 20)
        continue;
      double e = x[p] - 128 / 255.0;
      sum += e;
      sum2 += e * e;
      count++;
      if (p % 2 == 0) {   /* pixels p and p + 1 share a Box-Muller draw */
        cross += e * (x[p + 1] - 128 / 255.0);
        pairs++;
      }
    }
  }
  ck_assert(clipped); /* 250/255 + noise passes 1 often */
  /* 7600 draws: the sample std is within 0.05 * 3 / sqrt(2 * 7600). */
  ck_assert_double_eq_tol(sum / count, 0.0, 0.003);
  ck_assert_double_eq_tol(sqrt(sum2 / count), 0.05, 0.002);
  /* The two noises of a draw are independent: over 3800 pairs their
   * correlation stays within 3 / sqrt(3800). */
  ck_assert_double_eq_tol((cross / pairs) / (sum2 / count), 0.0, 0.049);
  ladsim_stimulus_free(s);
  ladsim_dataset_free(d);
}
END_TEST

/* Centred plain images average to zero over the training set; scale
 * multiplies afterwards. */
START_TEST(test_stimulus_center_and_scale)
{
  ladsim_dataset *d = small_synthetic(12);
  ladsim_input_spec spec = quiet_spec(1, 1);
  ladsim_stimulus *s = NULL;
  double x[36], sum[36] = {0};
  spec.center = true;
  spec.scale = 2.5;
  ck_assert_int_eq(ladsim_stimulus_alloc(&spec, d, SEED, &s), LADSIM_OK);
  for (size_t i = 0; i < 12; i++) {
    ladsim_stimulus_plain(s, d, i, x);
    for (int p = 0; p < 36; p++)
      sum[p] += x[p];
  }
  for (int p = 0; p < 36; p++)
    ck_assert_double_eq_tol(sum[p], 0.0, 1e-12);
  ladsim_stimulus_free(s);
  spec.center = false;
  ck_assert_int_eq(ladsim_stimulus_alloc(&spec, d, SEED, &s), LADSIM_OK);
  d->pixels[7 * 36 + 5] = 51;
  ladsim_stimulus_plain(s, d, 7, x);
  ck_assert_double_eq_tol(x[5], 0.5, 1e-15); /* 51 / 255 * 2.5 */
  ladsim_stimulus_free(s);
  ladsim_dataset_free(d);
}
END_TEST

START_TEST(test_stimulus_rejects_bad_input)
{
  ladsim_dataset *d = small_synthetic(4);
  ladsim_input_spec spec = quiet_spec(2, 3);
  ladsim_stimulus *s = NULL;
  double x[36];
  ck_assert_int_eq(ladsim_stimulus_alloc(&spec, d, SEED, &s), LADSIM_OK);
  ck_assert_error(ladsim_stimulus_view(s, 24, x, NULL, NULL), LADSIM_EINVAL,
                  "view 24", "past the end of the schedule (24 views)");
  ck_assert_int_eq(ladsim_stimulus_view(s, 23, x, NULL, NULL), LADSIM_OK);
  ladsim_stimulus_free(s);
  s = NULL;
  spec.views_per_sample = 0;
  ck_assert_error(ladsim_stimulus_alloc(&spec, d, SEED, &s), LADSIM_EINVAL,
                  "views_per_sample", "at least one view");
  spec = quiet_spec(2, 3);
  spec.contrast = 1.5;
  ck_assert_error(ladsim_stimulus_alloc(&spec, d, SEED, &s), LADSIM_EINVAL,
                  "contrast 1.5", "0..1");
  spec = quiet_spec(2, 3);
  spec.noise = -0.1;
  ck_assert_error(ladsim_stimulus_alloc(&spec, d, SEED, &s), LADSIM_EINVAL,
                  "noise -0.1", ">= 0");
  spec = quiet_spec(2, 3);
  spec.shift = NAN;
  ck_assert_error(ladsim_stimulus_alloc(&spec, d, SEED, &s), LADSIM_EINVAL,
                  "shift", "px");
  ck_assert_ptr_null(s);
  ladsim_stimulus_free(NULL);
  ladsim_dataset_free(NULL);
  ladsim_dataset_free(d);
}
END_TEST

/* --- suite -------------------------------------------------------------- */

static TCase *tmp_case(const char *name)
{
  TCase *tc = tcase_create(name);
  tcase_add_checked_fixture(tc, make_tmpdir, remove_tmpdir);
  return tc;
}

static Suite *input_suite(void)
{
  Suite *suite = suite_create("input");
  TCase *tc = tmp_case("idx");
  tcase_add_test(tc, test_idx_roundtrip_plain);
  tcase_add_test(tc, test_idx_roundtrip_gzip);
  tcase_add_test(tc, test_idx_limit);
  tcase_add_loop_test(tc, test_idx_limit_reads_no_further, 0, 2);
  suite_add_tcase(suite, tc);

  tc = tmp_case("idx_errors"); /* loop index: 0 plain, 1 gzipped */
  tcase_add_test(tc, test_idx_missing_file);
  tcase_add_loop_test(tc, test_idx_wrong_magic, 0, 2);
  tcase_add_loop_test(tc, test_idx_truncated_header, 0, 2);
  tcase_add_loop_test(tc, test_idx_truncated_pixels, 0, 2);
  tcase_add_loop_test(tc, test_idx_header_claims_too_much, 0, 2);
  tcase_add_test(tc, test_idx_gzip_cut_short);
  tcase_add_test(tc, test_idx_gzip_corrupt);
  tcase_add_test(tc, test_idx_gzip_garbled_middle);
  tcase_add_loop_test(tc, test_idx_count_mismatch, 0, 2);
  tcase_add_test(tc, test_idx_label_out_of_range);
  tcase_add_loop_test(tc, test_idx_extra_bytes, 0, 2);
  suite_add_tcase(suite, tc);

  tc = tmp_case("hdf5");
  tcase_add_test(tc, test_hdf5_roundtrip);
  tcase_add_test(tc, test_hdf5_converts_types);
  tcase_add_test(tc, test_hdf5_errors);
  tcase_add_test(tc, test_hdf5_value_ranges);
  tcase_add_test(tc, test_hdf5_quiet);
  suite_add_tcase(suite, tc);

  tc = tcase_create("synthetic");
  tcase_add_test(tc, test_synthetic_same_seed);
  tcase_add_test(tc, test_synthetic_other_seed);
  tcase_add_test(tc, test_synthetic_small_set);
  tcase_add_test(tc, test_synthetic_splits_share_prototypes);
  tcase_add_test(tc, test_synthetic_noise_level);
  tcase_add_test(tc, test_synthetic_rejects_bad_arguments);
  suite_add_tcase(suite, tc);

  tc = tmp_case("open");
  tcase_add_test(tc, test_open_synthetic);
  tcase_add_test(tc, test_open_files_by_format);
  tcase_add_test(tc, test_open_errors);
  tcase_add_test(tc, test_open_fashion_layout);
  suite_add_tcase(suite, tc);

  struct stat st;
  if (stat(LADSIM_FASHION_MNIST_DIR, &st) == 0) {
    tc = tcase_create("fashion_mnist");
    tcase_add_test(tc, test_fashion_mnist_installed);
    tcase_set_timeout(tc, 30);
    suite_add_tcase(suite, tc);
  } else {
    printf("SKIP fashion_mnist: %s not found (install the Debian package "
           "dataset-fashion-mnist to run it)\n", LADSIM_FASHION_MNIST_DIR);
  }

  tc = tcase_create("stimulus");
  tcase_add_test(tc, test_stimulus_any_order);
  tcase_add_test(tc, test_stimulus_views_differ);
  tcase_add_test(tc, test_stimulus_plain_when_off);
  tcase_add_test(tc, test_stimulus_order);
  tcase_add_test(tc, test_stimulus_shift);
  tcase_add_test(tc, test_stimulus_shift_zero_fill);
  tcase_add_test(tc, test_stimulus_flip);
  tcase_add_test(tc, test_stimulus_contrast);
  tcase_add_test(tc, test_stimulus_noise);
  tcase_add_test(tc, test_stimulus_center_and_scale);
  tcase_add_test(tc, test_stimulus_rejects_bad_input);
  suite_add_tcase(suite, tc);
  return suite;
}

int main(void)
{
  SRunner *runner = srunner_create(input_suite());
  srunner_run_all(runner, CK_NORMAL);
  int failed = srunner_ntests_failed(runner);
  srunner_free(runner);
  return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
