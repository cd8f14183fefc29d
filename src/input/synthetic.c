/* synthetic.c: small generated data sets of noisy class prototypes. */
#include "config.h"
#include "input/input.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

/* The stream (seed, SYNTH, a, b) serves samples with a = split (0 or 1) and
 * b = sample; prototypes take a = SYNTH_PROTOTYPES and b = class, so both
 * splits share them. */
#define SYNTH_PROTOTYPES 2
#define SYNTH_BUMPS 3        /* Gaussian bumps per prototype */
#define SYNTH_MAX_SIDE 4096

static double uniform_in(ladsim_rng *r, double lo, double hi)
{
  return lo + (hi - lo) * ladsim_rng_uniform(r);
}

/* A smooth blob image: a few Gaussian bumps at random places and widths,
 * scaled so that its brightest pixel is 1. */
static void draw_prototype(uint64_t seed, size_t k, size_t side, double *proto)
{
  ladsim_rng r;
  size_t size = side * side;
  double top = 0.0;

  ladsim_rng_init(&r, seed, LADSIM_STREAM_SYNTH, SYNTH_PROTOTYPES, k, 0);
  for (size_t p = 0; p < size; p++)
    proto[p] = 0.0;
  for (int b = 0; b < SYNTH_BUMPS; b++) {
    double cy = uniform_in(&r, 0.15, 0.85) * side;
    double cx = uniform_in(&r, 0.15, 0.85) * side;
    double width = uniform_in(&r, 0.08, 0.2) * side;
    double height = uniform_in(&r, 0.5, 1.0);
    for (size_t y = 0; y < side; y++)
      for (size_t x = 0; x < side; x++) {
        double ey = y + 0.5 - cy, ex = x + 0.5 - cx;
        proto[y * side + x] +=
            height * exp(-(ey * ey + ex * ex) / (2.0 * width * width));
      }
  }
  for (size_t p = 0; p < size; p++)
    top = proto[p] > top ? proto[p] : top;
  for (size_t p = 0; p < size; p++)
    proto[p] /= top;
}

static void draw_sample(const double *proto, size_t size, double noise,
                        ladsim_rng *r, uint8_t *out)
{
  for (size_t p = 0; p < size; p++) {
    double v = proto[p];
    if (noise > 0.0)
      v += noise * ladsim_rng_normal(r);
    v = v < 0.0 ? 0.0 : v > 1.0 ? 1.0 : v;
    out[p] = (uint8_t)lround(255.0 * v);
  }
}

static ladsim_status check_args(size_t n, size_t n_classes, size_t side,
                                double noise)
{
  if (n_classes == 0 || n_classes > LADSIM__MAX_CLASSES)
    return LADSIM_ERROR(LADSIM_EINVAL,
                        "synthetic data set: %zu classes asked for; give 1..%d",
                        n_classes, LADSIM__MAX_CLASSES);
  if (n == 0)
    return LADSIM_ERROR(LADSIM_EINVAL,
                        "synthetic data set: 0 samples asked for; give 1 or "
                        "more");
  if (side == 0 || side > SYNTH_MAX_SIDE)
    return LADSIM_ERROR(LADSIM_EINVAL,
                        "synthetic data set: side %zu px; give 1..%d px", side,
                        SYNTH_MAX_SIDE);
  if (!(noise >= 0.0 && isfinite(noise)))
    return LADSIM_ERROR(LADSIM_EINVAL,
                        "synthetic data set: noise %g; give a finite value >= 0",
                        noise);
  return LADSIM_OK;
}

ladsim_status ladsim_dataset_synthetic(size_t n, size_t n_classes, size_t side,
                                       double noise, uint64_t seed,
                                       ladsim_split split, ladsim_dataset **out)
{
  char source[96];
  ladsim_dataset *d = NULL;
  size_t size;
  double *protos;

  if (!out)
    return LADSIM_ERROR(LADSIM_EINVAL, "ladsim_dataset_synthetic: NULL argument");
  *out = NULL;
  if (split != LADSIM_SPLIT_TRAIN && split != LADSIM_SPLIT_TEST)
    return LADSIM_ERROR(LADSIM_EINVAL, "synthetic data set: unknown split %d",
                        (int)split);
  LADSIM_CHECK(check_args(n, n_classes, side, noise));
  size = side * side;
  snprintf(source, sizeof source, "synthetic %s set (seed %llu)",
           split == LADSIM_SPLIT_TRAIN ? "train" : "test",
           (unsigned long long)seed);
  LADSIM_CHECK(ladsim__dataset_alloc(n, side, side, source, &d));
  protos = malloc(n_classes * size * sizeof *protos);
  if (!protos) {
    ladsim_dataset_free(d);
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory for %zu prototypes (%s)",
                        n_classes, source);
  }
  for (size_t k = 0; k < n_classes; k++)
    draw_prototype(seed, k, side, protos + k * size);
  /* Cycling through the classes keeps every prefix of the set balanced. */
  for (size_t i = 0; i < n; i++) {
    ladsim_rng r;
    ladsim_rng_init(&r, seed, LADSIM_STREAM_SYNTH, (uint64_t)split, i, 0);
    d->labels[i] = (uint8_t)(i % n_classes);
    draw_sample(protos + d->labels[i] * size, size, noise, &r,
                d->pixels + i * size);
  }
  free(protos);
  /* All the generator's classes, even when a small set shows fewer, so a
   * train and a test set of any sizes agree. */
  d->n_classes = n_classes;
  *out = d;
  return LADSIM_OK;
}
