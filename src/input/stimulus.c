/* stimulus.c: the schedule of training views, each computed from its index. */
#include "config.h"
#include "input/input.h"

#include <math.h>
#include <stdlib.h>
#ifdef LADSIM_DEBUG
#include <assert.h>
#endif

/* Shifts beyond this many px would move any image out of view. */
#define MAX_SHIFT 65536.0

/* Views depend only on their index; the one state that changes is the
 * cached order of the last epoch asked for, so a stimulus serves one thread
 * at a time. */
struct ladsim_stimulus {
  const ladsim_dataset *train; /* borrowed: must outlive the stimulus */
  uint64_t seed;
  ladsim__augment augment;
  unsigned views_per_sample;
  double scale;
  size_t size;                 /* pixels per view */
  uint64_t n_views;
  double *mean;                /* training-set pixel mean; NULL unless center */
  size_t *order;               /* sample order of epoch order_epoch; NULL
                                  unless shuffled */
  uint64_t order_epoch;
  bool order_valid;
};

static ladsim_status check_spec(const ladsim_input_spec *spec)
{
  if (spec->views_per_sample == 0)
    return LADSIM_ERROR(LADSIM_EINVAL,
                        "input.views_per_sample is 0; show at least one view "
                        "of each sample");
  if (!(spec->shift >= 0.0 && spec->shift <= MAX_SHIFT))
    return LADSIM_ERROR(LADSIM_EINVAL, "input shift %g px; give 0..%g px",
                        spec->shift, MAX_SHIFT);
  if (spec->flip < LADSIM_FLIP_NONE || spec->flip > LADSIM_FLIP_BOTH)
    return LADSIM_ERROR(LADSIM_EINVAL, "input flip: unknown value %d",
                        (int)spec->flip);
  if (!(spec->noise >= 0.0 && isfinite(spec->noise)))
    return LADSIM_ERROR(LADSIM_EINVAL, "input noise %g; give a finite std >= 0",
                        spec->noise);
  if (!(spec->contrast >= 0.0 && spec->contrast <= 1.0))
    return LADSIM_ERROR(LADSIM_EINVAL, "input contrast %g; give 0..1",
                        spec->contrast);
  if (!isfinite(spec->scale))
    return LADSIM_ERROR(LADSIM_EINVAL, "input scale %g; give a finite number",
                        spec->scale);
  return LADSIM_OK;
}

static ladsim_status schedule_length(const ladsim_input_spec *spec,
                                     const ladsim_dataset *train, uint64_t *out)
{
  uint64_t per_epoch = (uint64_t)train->n * spec->views_per_sample;
  if (per_epoch / spec->views_per_sample != train->n ||
      (spec->epochs > 0 && per_epoch > UINT64_MAX / spec->epochs))
    return LADSIM_ERROR(LADSIM_EINVAL,
                        "%u epochs of %zu samples x %u views are too many views "
                        "to count", spec->epochs, train->n,
                        spec->views_per_sample);
  *out = per_epoch * spec->epochs;
  return LADSIM_OK;
}

static void copy_augment(const ladsim_input_spec *spec, ladsim__augment *a)
{
  a->shift = (unsigned)floor(spec->shift);
  ladsim_flip f = spec->flip;
  a->flip_h = f == LADSIM_FLIP_HORIZONTAL || f == LADSIM_FLIP_BOTH;
  a->flip_v = f == LADSIM_FLIP_VERTICAL || f == LADSIM_FLIP_BOTH;
  a->contrast = spec->contrast;
  a->noise = spec->noise;
}

/* The per-pixel mean of the un-augmented training images, in [0, 1]. */
static void training_mean(const ladsim_dataset *d, double *mean)
{
  size_t size = d->rows * d->cols;
  for (size_t p = 0; p < size; p++)
    mean[p] = 0.0;
  for (size_t i = 0; i < d->n; i++)
    for (size_t p = 0; p < size; p++)
      mean[p] += ladsim__pixel(d->pixels[i * size + p]);
  for (size_t p = 0; p < size; p++)
    mean[p] /= (double)d->n;
}

/* Fisher-Yates from the epoch's own stream: any rank, any call order, the
 * same permutation. */
static void set_epoch(ladsim_stimulus *s, uint64_t epoch)
{
  size_t n = s->train->n;
  ladsim_rng r;
  if (!s->order || (s->order_valid && s->order_epoch == epoch))
    return;
  ladsim_rng_init(&r, s->seed, LADSIM_STREAM_ORDER, epoch, 0, 0);
  for (size_t i = 0; i < n; i++)
    s->order[i] = i;
  for (size_t i = n - 1; i > 0; i--) {
    size_t j = (size_t)ladsim_rng_below(&r, (uint64_t)i + 1);
    size_t t = s->order[i];
    s->order[i] = s->order[j];
    s->order[j] = t;
  }
  s->order_epoch = epoch;
  s->order_valid = true;
}

/* What views and evaluation share after the pixels are intensities. */
static void center_and_scale(const ladsim_stimulus *s, double *x)
{
  for (size_t p = 0; p < s->size; p++) {
    double v = s->mean ? x[p] - s->mean[p] : x[p];
    x[p] = v * s->scale;
  }
}

ladsim_status ladsim_stimulus_alloc(const ladsim_input_spec *spec,
                                    const ladsim_dataset *train, uint64_t seed,
                                    ladsim_stimulus **out)
{
  ladsim_stimulus *s;
  if (!spec || !train || !out || train->n == 0 || !train->pixels)
    return LADSIM_ERROR(LADSIM_EINVAL,
                        "ladsim_stimulus_alloc: NULL argument or empty "
                        "training set");
  *out = NULL;
  LADSIM_CHECK(check_spec(spec));
  if (!(s = calloc(1, sizeof *s)))
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory for the stimulus");
  s->train = train;
  s->seed = seed;
  copy_augment(spec, &s->augment);
  s->views_per_sample = spec->views_per_sample;
  s->scale = spec->scale;
  s->size = train->rows * train->cols;
  ladsim_status status = schedule_length(spec, train, &s->n_views);
  if (status == LADSIM_OK && spec->center &&
      !(s->mean = malloc(s->size * sizeof *s->mean)))
    status = LADSIM_ERROR(LADSIM_ENOMEM, "out of memory for the pixel mean");
  if (status == LADSIM_OK && spec->shuffle &&
      !(s->order = malloc(train->n * sizeof *s->order)))
    status = LADSIM_ERROR(LADSIM_ENOMEM, "out of memory for the sample order");
  if (status != LADSIM_OK) {
    ladsim_stimulus_free(s);
    return ladsim_error_trace(status, __FILE__, __LINE__);
  }
  if (s->mean)
    training_mean(train, s->mean);
  *out = s;
  return LADSIM_OK;
}

void ladsim_stimulus_free(ladsim_stimulus *s)
{
  if (!s)
    return;
  free(s->mean);
  free(s->order);
  free(s);
}

size_t ladsim_stimulus_size(const ladsim_stimulus *s) { return s->size; }

uint64_t ladsim_stimulus_n_views(const ladsim_stimulus *s) { return s->n_views; }

ladsim_status ladsim_stimulus_view(ladsim_stimulus *s, uint64_t index,
                                   double *x, size_t *sample, unsigned *label)
{
  const ladsim_dataset *d = s->train;
  uint64_t per_epoch = (uint64_t)d->n * s->views_per_sample;
  ladsim_rng r;

  if (index >= s->n_views)
    return LADSIM_ERROR(LADSIM_EINVAL,
                        "view %llu is past the end of the schedule (%llu views)",
                        (unsigned long long)index,
                        (unsigned long long)s->n_views);
  uint64_t epoch = index / per_epoch;
  uint64_t position = index % per_epoch / s->views_per_sample;
  uint64_t view = index % s->views_per_sample;
  set_epoch(s, epoch);
  size_t i = s->order ? s->order[position] : (size_t)position;
  ladsim_rng_init(&r, s->seed, LADSIM_STREAM_AUGMENT, epoch, i, view);
  ladsim__augment_view(&s->augment, d->pixels + i * s->size, d->rows, d->cols,
                       &r, x);
  center_and_scale(s, x);
  if (sample)
    *sample = i;
  if (label)
    *label = d->labels[i];
  return LADSIM_OK;
}

void ladsim_stimulus_plain(const ladsim_stimulus *s, const ladsim_dataset *d,
                           size_t i, double *x)
{
#ifdef LADSIM_DEBUG
  assert(d->rows * d->cols == s->size && i < d->n);
#endif
  const uint8_t *in = d->pixels + i * s->size;
  for (size_t p = 0; p < s->size; p++)
    x[p] = ladsim__pixel(in[p]);
  center_and_scale(s, x);
}
