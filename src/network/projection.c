/* projection.c: drawing static sparse connectivity and storing it by source. */
#include "config.h"
#include "network/projection.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "core/rng.h"

/* The skips between the targets of one source's row under rule probability
 * are geometric: skip k with probability p q^k, q = 1 - p. For p >= 2^-9 they
 * come from an alias table (Walker 1977, in the construction of Vose 1991)
 * of 2^bits entries: entries 0 .. last - 1 are those skips, and entry
 * last = 2^bits - 1 stands for every skip of last or more (probability
 * q^last); the distribution has no memory, so such a skip is last plus a
 * fresh draw. A draw is one 64-bit word, its top bits an entry and its
 * low 52 bits the choice between the entry and its alias: no logarithm and
 * no division, which were two thirds of drawing the CUBA network's 320,000
 * connections. bits is the least with 2^bits >= 4 / p (at least 4), so a
 * skip goes on past the table with probability below e^-4. Sparser
 * projections take the inverse of the distribution, floor(log u / log q),
 * whose cost does not grow as p falls. */
#define GEO_BITS_MAX 11
#define GEO_P_MIN 0x1p-9
#define GEO_CUT_ONE ((uint64_t)1 << 52)

typedef struct {
  unsigned bits;
  uint64_t cut[1u << GEO_BITS_MAX];   /* keep entry i if the low bits are below */
  uint32_t alias[1u << GEO_BITS_MAX];
} geo_table;

/* The table for probability p >= GEO_P_MIN, p < 1. */
static void geo_prepare(geo_table *g, double p)
{
  unsigned bits = 4;
  while (bits < GEO_BITS_MAX && (double)(1u << bits) * p < 4.0)
    bits++;
  size_t n = (size_t)1 << bits, last = n - 1;
  double w[1u << GEO_BITS_MAX], q = 1.0 - p, qk = 1.0;
  uint32_t small[1u << GEO_BITS_MAX], large[1u << GEO_BITS_MAX];
  size_t ns = 0, nl = 0;
  for (size_t k = 0; k < last; k++) {
    w[k] = p * qk * (double)n;   /* the probability times n: 1 on average */
    qk *= q;
  }
  w[last] = qk * (double)n;
  for (size_t k = 0; k < n; k++) {
    if (w[k] < 1.0)
      small[ns++] = (uint32_t)k;
    else
      large[nl++] = (uint32_t)k;
  }
  /* Each entry below 1 is topped up from one above; what is left over
   * in the end is 1 up to rounding. */
  while (ns > 0 && nl > 0) {
    uint32_t s = small[--ns], l = large[--nl];
    g->cut[s] = (uint64_t)(w[s] * (double)GEO_CUT_ONE);
    g->alias[s] = l;
    w[l] = (w[l] + w[s]) - 1.0;
    if (w[l] < 1.0)
      small[ns++] = l;
    else
      large[nl++] = l;
  }
  while (nl > 0) {
    uint32_t l = large[--nl];
    g->cut[l] = GEO_CUT_ONE;
    g->alias[l] = l;
  }
  while (ns > 0) {
    uint32_t s = small[--ns];
    g->cut[s] = GEO_CUT_ONE;
    g->alias[s] = s;
  }
  g->bits = bits;
}

/* One geometric skip from table g. */
static inline size_t geo_draw(const geo_table *g, ladsim_rng *r)
{
  size_t last = ((size_t)1 << g->bits) - 1, skip = 0;
  for (;;) {
    uint64_t x = ladsim_rng_u64(r);
    size_t i = (size_t)(x >> (64 - g->bits));
    /* entry or alias without a branch: the choice is a coin toss */
    size_t use_alias = (size_t)0 - (size_t)((x & (GEO_CUT_ONE - 1)) >= g->cut[i]);
    size_t k = i ^ ((i ^ g->alias[i]) & use_alias);
    if (k != last)
      return skip + k;
    skip += last;
  }
}

/* Targets of rule probability are drawn in blocks of this many, each
 * source's block from a stream of its own, so that a rank draws the blocks
 * that overlap its targets and the connections do not depend on how the
 * targets are spread over ranks. */
#define CONNECT_BLOCK 1024

/* Source j's targets for rule probability among targets lo .. hi (of the
 * whole layer), appended to out as counted from p->to_lo; returns their
 * count. Each target independently with probability p, found by
 * geometric skips (cost grows with the number of connections and of
 * blocks, not with the targets themselves); g is the table for p when
 * there is one, else NULL. */
static size_t draw_row(const ladsim_projection *p, const geo_table *g, uint64_t seed,
                       size_t index, size_t j, size_t lo, size_t hi, uint32_t *out)
{
  double prob = p->spec->probability, logq = log1p(-prob);
  size_t self = p->from == p->to && !p->spec->autapses ? j : SIZE_MAX, n = 0;
  for (size_t b = lo / CONNECT_BLOCK; b * CONNECT_BLOCK < hi; b++) {
    size_t end = (b + 1) * CONNECT_BLOCK < p->n_to ? (b + 1) * CONNECT_BLOCK : p->n_to;
    ladsim_rng r;
    ladsim_rng_init(&r, seed, LADSIM_STREAM_CONNECT, index, j, b);
    for (size_t t = b * CONNECT_BLOCK; t < end; t++) {
      if (g) {
        size_t skip = geo_draw(g, &r);
        if (skip >= end - t)
          break;
        t += skip;
      } else if (prob < 1.0) {
        /* The skip is positive (log u and logq are both negative), so
         * truncation is its floor; a skip past the end ends the block
         * before any conversion could overflow. */
        double skip = log(ladsim_rng_uniform_pos(&r)) / logq;
        if (skip >= (double)(end - t))
          break;
        t += (size_t)skip;
      }
      if (t >= lo && t < hi && t != self)
        out[n++] = (uint32_t)(t - p->to_lo);
    }
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

/* One target's sources for rule indegree into src (capacity n_from);
 * returns the count. */
static size_t draw_sources(const ladsim_projection *p, uint64_t seed, size_t index,
                           size_t target, uint32_t *src)
{
  ladsim_rng r;
  ladsim_rng_init(&r, seed, LADSIM_STREAM_CONNECT, index, target, 0);
  size_t self = p->from == p->to && !p->spec->autapses ? target : SIZE_MAX;
  return draw_indegree(&r, p->spec->indegree, p->n_from, self, src);
}

/* The error of a projection whose connections do not fit in memory. */
static ladsim_status no_memory(const ladsim_projection *p)
{
  return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory drawing the connections of projection "
                      "%s -> %s", p->spec->from, p->spec->to);
}

/* Rule probability: every source's row drawn in turn, straight into the
 * rows by source, in ascending order of targets. Drawn by target, the
 * pairs had to be kept and transposed, which with the page faults of the
 * memory they took was most of a short CUBA run's set-up. */
static ladsim_status build_rows(ladsim_projection *p, uint64_t seed, size_t index)
{
  size_t lo = p->to_lo, hi = p->to_lo + p->to_nl;
  double prob = p->spec->probability;
  double mean = prob * (double)p->n_from * (double)p->to_nl;
  size_t cap = (size_t)(mean + 4.0 * sqrt(mean)) + p->to_nl + 1024, n = 0;
  bool tabled = prob >= GEO_P_MIN && prob < 1.0;
  geo_table *g = tabled ? malloc(sizeof *g) : NULL;
  ladsim_status st = LADSIM_OK;
  p->start = malloc((p->n_from + 1) * sizeof *p->start);
  p->targets = malloc(cap * sizeof *p->targets);
  if (!p->start || !p->targets || (tabled && !g))
    goto oom;
  if (g)
    geo_prepare(g, prob);
  for (size_t j = 0; j < p->n_from; j++) {
    if (n + p->to_nl > cap) {   /* room for a whole row */
      cap = 2 * cap > n + p->to_nl ? 2 * cap : n + p->to_nl;
      uint32_t *grown = realloc(p->targets, cap * sizeof *grown);
      if (!grown)
        goto oom;
      p->targets = grown;
    }
    p->start[j] = n;
    n += draw_row(p, g, seed, index, j, lo, hi, p->targets + n);
  }
  p->start[p->n_from] = n;
  p->n_connections = n;
  goto done;
oom:
  st = no_memory(p);
done:
  free(g);
  return st;
}

/* Rule indegree: draws every target's sources, then transposes them into
 * rows by source. */
static ladsim_status build(ladsim_projection *p, uint64_t seed, size_t index)
{
  if (p->spec->rule == LADSIM_CONNECT_PROBABILITY)
    return build_rows(p, seed, index);
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
  st = no_memory(p);
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
