/* dataset.c: data set objects, and opening the set a model file names. */
#include "config.h"
#include "input/input.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* The first bytes of every HDF5 file without a user block. */
static const unsigned char hdf5_signature[8] = {0x89, 'H', 'D', 'F',
                                                '\r', '\n', 0x1a, '\n'};

static bool is_regular_file(const char *path)
{
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Finds dir/base.gz or else dir/base (the package ships gzipped files, a
 * user may have unpacked them). */
static ladsim_status find_fashion_file(const char *dir, const char *base,
                                       char **out)
{
  static const char *const suffixes[] = {".gz", ""};
  for (size_t i = 0; i < 2; i++) {
    char *path;
    if (asprintf(&path, "%s/%s%s", dir, base, suffixes[i]) < 0)
      return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory building a path in %s",
                          dir);
    if (is_regular_file(path)) {
      *out = path;
      return LADSIM_OK;
    }
    free(path);
  }
  return LADSIM_ERROR(LADSIM_EDATA,
                      "Fashion-MNIST not found in %s (no %s or %s.gz): install "
                      "the Debian package dataset-fashion-mnist (apt-get install "
                      "dataset-fashion-mnist) or set input.dataset.dir",
                      dir, base, base);
}

static ladsim_status open_fashion_mnist(const ladsim_dataset_spec *spec,
                                        ladsim_split split,
                                        ladsim_dataset **out)
{
  const char *dir = spec->dir && spec->dir[0] ? spec->dir
                                               : LADSIM_FASHION_MNIST_DIR;
  const char *prefix = split == LADSIM_SPLIT_TRAIN ? "train" : "t10k";
  size_t limit = split == LADSIM_SPLIT_TRAIN ? spec->train_limit
                                             : spec->test_limit;
  char base[64], *images = NULL, *labels = NULL;
  ladsim_status status;

  snprintf(base, sizeof base, "%s-images-idx3-ubyte", prefix);
  LADSIM_CHECK_GOTO(status, find_fashion_file(dir, base, &images), done);
  snprintf(base, sizeof base, "%s-labels-idx1-ubyte", prefix);
  LADSIM_CHECK_GOTO(status, find_fashion_file(dir, base, &labels), done);
  LADSIM_CHECK_GOTO(status, ladsim_dataset_read_idx(images, labels, limit, out),
                    done);
done:
  free(images);
  free(labels);
  return status;
}

/* Samples are drawn one by one from their own streams, so a limit keeps
 * exactly the first samples of the full set. */
static ladsim_status open_synthetic(const ladsim_dataset_spec *spec,
                                    ladsim_split split, uint64_t seed,
                                    ladsim_dataset **out)
{
  bool train = split == LADSIM_SPLIT_TRAIN;
  size_t n = train ? spec->synth_train : spec->synth_test;
  size_t limit = train ? spec->train_limit : spec->test_limit;
  if (limit > 0 && limit < n)
    n = limit;
  LADSIM_CHECK(ladsim_dataset_synthetic(n, spec->synth_classes,
                                        spec->synth_side, spec->synth_noise,
                                        seed, split, out));
  return LADSIM_OK;
}

static ladsim_status sniff_hdf5(const char *path, bool *is_hdf5)
{
  unsigned char head[sizeof hdf5_signature];
  FILE *f = fopen(path, "rb");
  if (!f)
    return LADSIM_ERROR(LADSIM_EDATA, "cannot open %s: %s", path,
                        strerror(errno));
  size_t got = fread(head, 1, sizeof head, f);
  fclose(f);
  *is_hdf5 = got == sizeof head && memcmp(head, hdf5_signature, got) == 0;
  return LADSIM_OK;
}

/* Files named in the spec: HDF5 when the images file carries the HDF5
 * signature, IDX (gzipped or plain) otherwise. */
static ladsim_status open_files(const ladsim_dataset_spec *spec,
                                ladsim_split split, ladsim_dataset **out)
{
  bool train = split == LADSIM_SPLIT_TRAIN;
  const char *images = train ? spec->train_images : spec->test_images;
  const char *labels = train ? spec->train_labels : spec->test_labels;
  size_t limit = train ? spec->train_limit : spec->test_limit;
  const char *which = train ? "train" : "test";
  bool hdf5 = false;

  if (!images || !labels)
    return LADSIM_ERROR(LADSIM_EINVAL,
                        "input.dataset names no %s %s file: give "
                        "input.dataset.%s.images and .labels, or a named set "
                        "(fashion-mnist, synthetic)",
                        which, images ? "labels" : "images", which);
  LADSIM_CHECK(sniff_hdf5(images, &hdf5));
  if (!hdf5)
    LADSIM_CHECK(ladsim_dataset_read_idx(images, labels, limit, out));
  else
    LADSIM_CHECK(ladsim_dataset_read_hdf5(
        images, labels, spec->images_key[0] ? spec->images_key : "images",
        spec->labels_key[0] ? spec->labels_key : "labels", limit, out));
  return LADSIM_OK;
}

ladsim_status ladsim__dataset_alloc(size_t n, size_t rows, size_t cols,
                                    const char *source, ladsim_dataset **out)
{
  if (n == 0 || rows == 0 || cols == 0)
    return LADSIM_ERROR(LADSIM_EINVAL,
                        "%s: a data set needs at least one image of at least "
                        "one pixel (asked for %zu images of %zu x %zu)",
                        source, n, rows, cols);
  if (rows > SIZE_MAX / cols || n > SIZE_MAX / (rows * cols))
    return LADSIM_ERROR(LADSIM_ENOMEM,
                        "%s: %zu images of %zu x %zu pixels do not fit in memory",
                        source, n, rows, cols);
  ladsim_dataset *d = calloc(1, sizeof *d);
  if (!d)
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory for the data set %s",
                        source);
  d->n = n;
  d->rows = rows;
  d->cols = cols;
  d->pixels = malloc(n * rows * cols);
  d->labels = malloc(n);
  d->source = strdup(source);
  if (!d->pixels || !d->labels || !d->source) {
    ladsim_dataset_free(d);
    return LADSIM_ERROR(LADSIM_ENOMEM,
                        "out of memory for %zu images of %zu x %zu pixels (%s)",
                        n, rows, cols, source);
  }
  *out = d;
  return LADSIM_OK;
}

void ladsim__dataset_count_classes(ladsim_dataset *d)
{
  unsigned top = 0;
  for (size_t i = 0; i < d->n; i++)
    if (d->labels[i] > top)
      top = d->labels[i];
  d->n_classes = (size_t)top + 1;
}

ladsim_status ladsim_dataset_open(const ladsim_dataset_spec *spec,
                                  ladsim_split split, uint64_t seed,
                                  ladsim_dataset **out)
{
  if (!spec || !out)
    return LADSIM_ERROR(LADSIM_EINVAL, "ladsim_dataset_open: NULL argument");
  if (split != LADSIM_SPLIT_TRAIN && split != LADSIM_SPLIT_TEST)
    return LADSIM_ERROR(LADSIM_EINVAL, "ladsim_dataset_open: unknown split %d",
                        (int)split);
  *out = NULL;
  if (strcmp(spec->name, "fashion-mnist") == 0)
    LADSIM_CHECK(open_fashion_mnist(spec, split, out));
  else if (strcmp(spec->name, "synthetic") == 0)
    LADSIM_CHECK(open_synthetic(spec, split, seed, out));
  else if (spec->name[0] == '\0')
    LADSIM_CHECK(open_files(spec, split, out));
  else
    return LADSIM_ERROR(LADSIM_EINVAL,
                        "input.dataset: unknown data set '%s' (known: "
                        "fashion-mnist, synthetic; or give image and label "
                        "files)",
                        spec->name);
  return LADSIM_OK;
}

void ladsim_dataset_free(ladsim_dataset *d)
{
  if (!d)
    return;
  free(d->pixels);
  free(d->labels);
  free(d->source);
  free(d);
}
