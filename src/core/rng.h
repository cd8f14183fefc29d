/* rng.h: counter-based random streams (Philox 4x64 from Random123).
 *
 * A stream is named by the run's seed and a purpose (LADSIM_STREAM_*) and
 * indexed by up to three integers (epoch, sample, view; or neuron id), so
 * any rank can draw the same numbers without talking to the others and a
 * resumed run continues where it stopped. */
#ifndef LADSIM_CORE_RNG_H
#define LADSIM_CORE_RNG_H

#include <stdint.h>

/* The purposes random numbers serve; each one is an independent stream. */
enum {
  LADSIM_STREAM_ORDER = 1,   /* sample order of an epoch: (epoch) */
  LADSIM_STREAM_AUGMENT = 2, /* augmentation of a view: (epoch, sample, view) */
  LADSIM_STREAM_INIT = 3,    /* initial weights: (layer, neuron) */
  LADSIM_STREAM_SYNTH = 4,   /* synthetic data sets: (split, sample) */
  LADSIM_STREAM_POISSON = 5, /* Poisson input spikes: (view, neuron) */
  LADSIM_STREAM_PROBE = 6,   /* evaluation splits: (purpose) */
  LADSIM_STREAM_CONNECT = 7, /* static connections: (projection, target) */
  LADSIM_STREAM_VINIT = 8    /* initial membrane potentials: (layer, neuron) */
};

typedef struct {
  uint64_t key[2];
  uint64_t ctr[4];
  uint64_t buf[4];
  unsigned avail;            /* words of buf not used yet */
} ladsim_rng;

/* Starts the stream (seed, stream) at index (a, b, c). Not collective. */
void ladsim_rng_init(ladsim_rng *r, uint64_t seed, uint64_t stream,
                     uint64_t a, uint64_t b, uint64_t c);

/* Fills r->buf with the next four words of the stream. */
void ladsim__rng_refill(ladsim_rng *r);

/* The three below are inline: drawing connections and Poisson trains
 * calls them hundreds of thousands of times at start-up. */

/* 64 random bits. */
static inline uint64_t ladsim_rng_u64(ladsim_rng *r)
{
  if (r->avail == 0)
    ladsim__rng_refill(r);
  return r->buf[4 - r->avail--];
}

/* Uniform on [0, 1) with 53 random bits. */
static inline double ladsim_rng_uniform(ladsim_rng *r)
{
  return (double)(ladsim_rng_u64(r) >> 11) * 0x1.0p-53;
}

/* Uniform on (0, 1): never 0, for logarithms. */
static inline double ladsim_rng_uniform_pos(ladsim_rng *r)
{
  return ((double)(ladsim_rng_u64(r) >> 11) + 0.5) * 0x1.0p-53;
}

/* Standard normal (Box-Muller; uses two uniforms per call). */
double ladsim_rng_normal(ladsim_rng *r);

/* Two independent standard normal deviates from one Box-Muller pair (the
 * cosine and the sine of the same draw): half the uniforms and logarithms
 * of two calls of ladsim_rng_normal. */
void ladsim_rng_normal_pair(ladsim_rng *r, double *a, double *b);

/* Uniform integer in [0, n), unbiased; n > 0. */
uint64_t ladsim_rng_below(ladsim_rng *r, uint64_t n);

#endif
