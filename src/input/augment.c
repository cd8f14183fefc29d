/* augment.c: one augmented view of an image (shift, flip, contrast, noise). */
#include "config.h"
#include "input/input.h"

/* The random choices of one view, drawn before any pixel is touched. */
typedef struct {
  long dx, dy;          /* px; positive moves the image right / down */
  bool flip_h, flip_v;
  double contrast;      /* factor around the image mean */
} view_draw;

static long draw_shift(ladsim_rng *r, unsigned shift)
{
  return (long)ladsim_rng_below(r, 2 * (uint64_t)shift + 1) - (long)shift;
}

/* Draws in a fixed order, skipping what is switched off, so a view depends
 * only on its stream and the spec. */
static view_draw draw_view(const ladsim__augment *a, ladsim_rng *r)
{
  view_draw v = {0, 0, false, false, 1.0};
  if (a->shift > 0) {
    v.dx = draw_shift(r, a->shift);
    v.dy = draw_shift(r, a->shift);
  }
  if (a->flip_h)
    v.flip_h = ladsim_rng_u64(r) >> 63;
  if (a->flip_v)
    v.flip_v = ladsim_rng_u64(r) >> 63;
  if (a->contrast > 0.0)
    v.contrast = 1.0 + a->contrast * (2.0 * ladsim_rng_uniform(r) - 1.0);
  return v;
}

/* Shift with zero fill, then flip, as one gather: output pixel (y, x)
 * comes from the flipped position moved back by the shift. */
static void gather(const view_draw *v, const uint8_t *in, size_t rows,
                   size_t cols, double *out)
{
  for (size_t y = 0; y < rows; y++) {
    long sy = (long)(v->flip_v ? rows - 1 - y : y) - v->dy;
    for (size_t x = 0; x < cols; x++) {
      long sx = (long)(v->flip_h ? cols - 1 - x : x) - v->dx;
      bool inside = sy >= 0 && sy < (long)rows && sx >= 0 && sx < (long)cols;
      out[y * cols + x] = inside ? ladsim__pixel(in[sy * (long)cols + sx]) : 0.0;
    }
  }
}

static void scale_contrast(double *x, size_t size, double factor)
{
  double mean = 0.0;
  for (size_t p = 0; p < size; p++)
    mean += x[p];
  mean /= (double)size;
  for (size_t p = 0; p < size; p++)
    x[p] = mean + factor * (x[p] - mean);
}

/* Gaussian pixel noise, two pixels per Box-Muller draw: the stimulus is
 * made on every rank, so its cost does not shrink with more ranks. */
static void add_noise(double *x, size_t size, double std, ladsim_rng *r)
{
  double a, b;
  size_t p = 0;
  for (; p + 1 < size; p += 2) {
    ladsim_rng_normal_pair(r, &a, &b);
    x[p] += std * a;
    x[p + 1] += std * b;
  }
  if (p < size) {
    ladsim_rng_normal_pair(r, &a, &b);
    x[p] += std * a;
  }
}

void ladsim__augment_view(const ladsim__augment *a, const uint8_t *in,
                          size_t rows, size_t cols, ladsim_rng *r, double *out)
{
  size_t size = rows * cols;
  view_draw v = draw_view(a, r);

  gather(&v, in, rows, cols, out);
  if (v.contrast != 1.0)
    scale_contrast(out, size, v.contrast);
  if (a->noise > 0.0)
    add_noise(out, size, a->noise, r);
  for (size_t p = 0; p < size; p++)
    out[p] = out[p] < 0.0 ? 0.0 : out[p] > 1.0 ? 1.0 : out[p];
}
