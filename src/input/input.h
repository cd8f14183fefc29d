/* input.h: what the files of src/input share with each other (not installed). */
#ifndef LADSIM_INPUT_INPUT_H
#define LADSIM_INPUT_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <ladsim/dataset.h>
#include "core/rng.h"

/* Labels are stored as bytes and the largest one fixes n_classes, so at most
 * 255 classes (labels 0..254) keep n_classes itself within a byte. */
#define LADSIM__MAX_CLASSES 255

/* A data set of n samples of rows x cols pixels with uninitialised pixels
 * and labels; source is copied. Sizes must be non-zero. */
ladsim_status ladsim__dataset_alloc(size_t n, size_t rows, size_t cols,
                                    const char *source, ladsim_dataset **out);

/* Sets d->n_classes to 1 + the largest label. Labels already lie within
 * 0..LADSIM__MAX_CLASSES-1 because every reader checks them as it stores
 * them. */
void ladsim__dataset_count_classes(ladsim_dataset *d);

/* A pixel byte as an intensity in [0, 1]; training views and evaluation
 * must scale identically, so both go through here. */
static inline double ladsim__pixel(uint8_t v) { return v / 255.0; }

/* The augmentations of one view, as the input spec sets them. */
typedef struct {
  unsigned shift;      /* px: dx, dy uniform integers in [-shift, shift] */
  bool flip_h, flip_v; /* each applied with probability 1/2 */
  double contrast;     /* factor uniform in [1 - contrast, 1 + contrast] */
  double noise;        /* std of additive Gaussian noise */
} ladsim__augment;

/* Writes the augmented view of image in (rows x cols bytes) into out as
 * intensities clipped to [0, 1], drawing from r in a fixed order. Does not
 * allocate. */
void ladsim__augment_view(const ladsim__augment *a, const uint8_t *in,
                          size_t rows, size_t cols, ladsim_rng *r, double *out);

#endif
