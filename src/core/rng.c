/* rng.c: counter-based random streams on Random123's Philox 4x64-10. */
#include "config.h"
#include "core/rng.h"

#include <math.h>
#include <Random123/philox.h>

void ladsim_rng_init(ladsim_rng *r, uint64_t seed, uint64_t stream,
                     uint64_t a, uint64_t b, uint64_t c)
{
  r->key[0] = seed;
  r->key[1] = stream;
  r->ctr[0] = a;
  r->ctr[1] = b;
  r->ctr[2] = c;
  r->ctr[3] = 0;
  r->avail = 0;
}

void ladsim__rng_refill(ladsim_rng *r)
{
  philox4x64_ctr_t ctr = {{r->ctr[0], r->ctr[1], r->ctr[2], r->ctr[3]}};
  philox4x64_key_t key = {{r->key[0], r->key[1]}};
  philox4x64_ctr_t out = philox4x64(ctr, key);
  for (int i = 0; i < 4; i++)
    r->buf[i] = out.v[i];
  r->ctr[3]++;
  r->avail = 4;
}

double ladsim_rng_normal(ladsim_rng *r)
{
  double u1 = ladsim_rng_uniform_pos(r);
  double u2 = ladsim_rng_uniform(r);
  return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

void ladsim_rng_normal_pair(ladsim_rng *r, double *a, double *b)
{
  double u1 = ladsim_rng_uniform_pos(r);
  double u2 = ladsim_rng_uniform(r);
  double radius = sqrt(-2.0 * log(u1)), c, s;
  sincos(2.0 * M_PI * u2, &s, &c);
  *a = radius * c;
  *b = radius * s;
}

uint64_t ladsim_rng_below(ladsim_rng *r, uint64_t n)
{
  /* Rejection keeps the draw unbiased when n does not divide 2^64. */
  uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t x;
  do
    x = ladsim_rng_u64(r);
  while (x >= limit);
  return x % n;
}
