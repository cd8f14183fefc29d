/* dataset.h: image data sets (IDX, HDF5, synthetic) and the view stimulus. */
#ifndef LADSIM_DATASET_H
#define LADSIM_DATASET_H

#include <stddef.h>
#include <stdint.h>
#include <ladsim/error.h>
#include <ladsim/model.h>

/* Images as bytes (0..255), row-major, one label (0..n_classes-1) each. */
typedef struct {
  size_t n;            /* number of samples */
  size_t rows, cols;   /* image size; a sample has rows * cols pixels */
  size_t n_classes;    /* 1 + the largest label */
  uint8_t *pixels;     /* n * rows * cols */
  uint8_t *labels;     /* n */
  char *source;        /* the images file, for messages */
} ladsim_dataset;

typedef enum { LADSIM_SPLIT_TRAIN = 0, LADSIM_SPLIT_TEST = 1 } ladsim_split;

/* Reads IDX image and label files (gzipped or plain, told apart by their
 * magic bytes). limit > 0 keeps the first limit samples. A missing,
 * truncated or corrupt file gives LADSIM_EDATA naming the file and what is
 * wrong. Not collective. */
ladsim_status ladsim_dataset_read_idx(const char *images, const char *labels,
                                      size_t limit, ladsim_dataset **out);

/* Reads data sets images_key (n x rows x cols, uint8) and labels_key (n,
 * integer) from one HDF5 file each (the two paths may be the same file). */
ladsim_status ladsim_dataset_read_hdf5(const char *images, const char *labels,
                                       const char *images_key,
                                       const char *labels_key, size_t limit,
                                       ladsim_dataset **out);

/* A synthetic set: n_classes random prototypes of side x side pixels, each
 * sample a prototype plus Gaussian noise, from the counter-based stream. */
ladsim_status ladsim_dataset_synthetic(size_t n, size_t n_classes, size_t side,
                                       double noise, uint64_t seed,
                                       ladsim_split split, ladsim_dataset **out);

/* Opens the train or test split the spec describes: a named set (the
 * Debian package's files for fashion-mnist), files, or synthetic. */
ladsim_status ladsim_dataset_open(const ladsim_dataset_spec *spec,
                                  ladsim_split split, uint64_t seed,
                                  ladsim_dataset **out);

void ladsim_dataset_free(ladsim_dataset *d);

/* Where fashion-mnist is looked for unless the model names a dir. */
#define LADSIM_FASHION_MNIST_DIR "/usr/share/datasets/fashion-mnist"

/* The schedule of views during training: sample order per epoch (shuffled
 * from the stream (seed, epoch)) and augmentations keyed by (seed, epoch,
 * sample, view). Any view is computed from its index alone, so ranks and
 * resumed runs agree without state. */
typedef struct ladsim_stimulus ladsim_stimulus;

ladsim_status ladsim_stimulus_alloc(const ladsim_input_spec *spec,
                                    const ladsim_dataset *train, uint64_t seed,
                                    ladsim_stimulus **out);
void ladsim_stimulus_free(ladsim_stimulus *s);

/* Pixels per view (the input layer's size). */
size_t ladsim_stimulus_size(const ladsim_stimulus *s);

/* Views in the whole schedule: epochs * samples * views_per_sample. */
uint64_t ladsim_stimulus_n_views(const ladsim_stimulus *s);

/* Writes view number index (0-based) into x (length size) and reports which
 * sample and label it shows. Pixels are scaled to [0, 1], augmented, then
 * centred and multiplied by spec->scale as the spec says. */
ladsim_status ladsim_stimulus_view(ladsim_stimulus *s, uint64_t index,
                                   double *x, size_t *sample, unsigned *label);

/* Writes sample i of d un-augmented (scaled and centred as training views
 * are) into x: what evaluation shows. */
void ladsim_stimulus_plain(const ladsim_stimulus *s, const ladsim_dataset *d,
                           size_t i, double *x);

/* Poisson spike trains for rate-coded input: a pixel of intensity p in
 * [0, 1] fires at p * max_rate for the view's duration. The train of input
 * unit id during view view_index comes from the stream (seed,
 * LADSIM_STREAM_POISSON, view_index, id), so every rank, and a run resumed
 * from a checkpoint, draws the same spikes without talking to the others.
 * Times are exact, not on the step grid: successive exponential intervals
 * of mean 1000 / rate_hz ms from t0.
 *
 * Writes the times (ms, ascending, in [t0, t0 + duration)) into times, at
 * most max of them, and returns their number. *truncated (if not NULL) is
 * set to 1 when more spikes fell in the window than max, else to 0; the
 * times written are then the first max of the full train. A rate that is
 * not a positive finite number (a centred pixel below the mean), a
 * duration that is not positive or a non-finite t0 give no spikes. Does
 * not allocate. Not collective. */
size_t ladsim_poisson_train(uint64_t seed, uint64_t view_index, uint64_t id,
                            double rate_hz, double t0, double duration,
                            double *times, size_t max, int *truncated);

#endif
