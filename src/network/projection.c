/* projection.c: drawing static sparse connectivity and storing it by source. */
#include "config.h"
#include "network/projection.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "core/rng.h"

/* Sources of one target for rule probability: each source independently
 * with probability p, found by geometric skips (cost grows with the number
 * of connections, not with n_from). */
static size_t draw_probability(ladsim_rng *r, double p, size_t n_from, size_t self,
                               uint32_t *src)
{
  size_t n = 0;
  double logq = log1p(-p);
  for (size_t j = 0; j < n_from; j++) {
    if (p < 1.0) {
      /* The skip is positive (log u and logq are both negative), so
       * truncation is its floor; a skip past the end ends the row before
       * any conversion could overflow. */
      double skip = log(ladsim_rng_uniform_pos(r)) / logq;
      if (skip >= (double)(n_from - j))
        break;
      j += (size_t)skip;
    }
    if (j != self)
      src[n++] = (uint32_t)j;
  }
  return n;
}

/* Sources of one target for rule indegree: k distinct sources, uniformly
 * (Floyd's algorithm keeps it O(k) draws; the result is then sorted). */
static int cmp_u32(const void *a, const void *b)
{
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  return (x > y) - (x < y);
}

static size_t draw_indegree(ladsim_rng *r, size_t k, size_t n_from, size_t self,
                            uint32_t *src)
{
  size_t pool = self < n_from ? n_from - 1 : n_from;
  size_t n = 0;
  for (size_t j = pool - k; j < pool; j++) {
    uint32_t t = (uint32_t)ladsim_rng_below(r, j + 1);
    for (size_t m = 0; m < n; m++)
      if (src[m] == t) {
        t = (uint32_t)j;
        break;
      }
    src[n++] = t;
  }
  qsort(src, n, sizeof *src, cmp_u32);
  for (size_t m = 0; m < n; m++)   /* skip over the target itself */
    if (self < n_from && src[m] >= self)
      src[m]++;
  return n;
}

/* One target's sources into src (capacity n_from); returns the count. */
static size_t draw_sources(const ladsim_projection *p, uint64_t seed, size_t index,
                           size_t target, uint32_t *src)
{
  ladsim_rng r;
  ladsim_rng_init(&r, seed, LADSIM_STREAM_CONNECT, index, target, 0);
  size_t self = p->from == p->to && !p->spec->autapses ? target : SIZE_MAX;
  if (p->spec->rule == LADSIM_CONNECT_INDEGREE)
    return draw_indegree(&r, p->spec->indegree, p->n_from, self, src);
  return draw_probability(&r, p->spec->probability, p->n_from, self, src);
}

/* Draws every target's sources, then transposes them into rows by source. */
static ladsim_status build(ladsim_projection *p, uint64_t seed, size_t index)
{
  uint32_t *src = malloc((p->n_from + 1) * sizeof *src);
  size_t *count = calloc(p->n_from + 1, sizeof *count);
  size_t cap = 1024, n = 0;
  uint32_t *pairs = malloc(2 * cap * sizeof *pairs);   /* (source, target) */
  ladsim_status st = LADSIM_OK;
  if (!src || !count || !pairs)
    goto oom;
  for (size_t t = p->to_lo; t < p->to_lo + p->to_nl; t++) {
    size_t k = draw_sources(p, seed, index, t, src);
    if (n + k > cap) {
      while (n + k > cap)
        cap *= 2;
      uint32_t *grown = realloc(pairs, 2 * cap * sizeof *pairs);
      if (!grown)
        goto oom;
      pairs = grown;
    }
    for (size_t m = 0; m < k; m++) {
      pairs[2 * (n + m)] = src[m];
      pairs[2 * (n + m) + 1] = (uint32_t)(t - p->to_lo);
      count[src[m] + 1]++;
    }
    n += k;
  }
  p->n_connections = n;
  p->start = count;
  count = NULL;
  for (size_t j = 0; j < p->n_from; j++)
    p->start[j + 1] += p->start[j];
  p->targets = malloc((n ? n : 1) * sizeof *p->targets);
  size_t *fill = malloc((p->n_from + 1) * sizeof *fill);
  if (!p->targets || !fill) {
    free(fill);
    goto oom;
  }
  memcpy(fill, p->start, (p->n_from + 1) * sizeof *fill);
  /* Targets were drawn in ascending order, so every row comes out sorted. */
  for (size_t m = 0; m < n; m++)
    p->targets[fill[pairs[2 * m]]++] = pairs[2 * m + 1];
  free(fill);
  goto done;
oom:
  st = LADSIM_ERROR(LADSIM_ENOMEM, "out of memory drawing the connections of projection "
                    "%s -> %s", p->spec->from, p->spec->to);
done:
  free(src);
  free(count);
  free(pairs);
  return st;
}

ladsim_status ladsim_projection_alloc(const ladsim_projection_spec *spec, size_t index,
                                      int from, int to, size_t n_from, size_t n_to,
                                      double h, uint64_t seed, ladsim_projection **out)
{
  return ladsim_projection_alloc_block(spec, index, from, to, n_from, n_to, 0, n_to, h,
                                       seed, out);
}

ladsim_status ladsim_projection_alloc_block(const ladsim_projection_spec *spec, size_t index,
                                            int from, int to, size_t n_from, size_t n_to,
                                            size_t to_lo, size_t to_nl, double h,
                                            uint64_t seed, ladsim_projection **out)
{
  *out = NULL;
  if (n_from >= UINT32_MAX || n_to >= UINT32_MAX)
    return LADSIM_ERROR(LADSIM_EINVAL, "projection %s -> %s: layers above 2^32 neurons",
                        spec->from, spec->to);
  ladsim_projection *p = calloc(1, sizeof *p);
  if (!p)
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory for a projection");
  p->spec = spec;
  p->from = from;
  p->to = to;
  p->n_from = n_from;
  p->n_to = n_to;
  p->to_lo = to_lo;
  p->to_nl = to_nl;
  p->weight = spec->weight;
  p->delay_steps = (int64_t)llround(spec->delay / h);
  if (p->delay_steps < 1)
    p->delay_steps = 1;
  ladsim_status st = build(p, seed, index);
  if (st != LADSIM_OK) {
    ladsim_projection_free(p);
    return ladsim_error_trace(st, __FILE__, __LINE__);
  }
  *out = p;
  return LADSIM_OK;
}

void ladsim_projection_free(ladsim_projection *p)
{
  if (!p)
    return;
  free(p->start);
  free(p->targets);
  free(p);
}
