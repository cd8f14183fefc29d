/* poisson.c: Poisson spike trains of the input units, drawn from the counter-based stream. */
#include "config.h"
#include "input/input.h"

#include <math.h>

#define MS_PER_S 1000.0

size_t ladsim_poisson_train(uint64_t seed, uint64_t view_index, uint64_t id,
                            double rate_hz, double t0, double duration,
                            double *times, size_t max, int *truncated)
{
  size_t count = 0;
  int more = 0;
  /* The negated tests also refuse NaN. */
  if (rate_hz > 0.0 && isfinite(rate_hz) && duration > 0.0
      && isfinite(t0) && isfinite(t0 + duration)) {
    ladsim_rng r;
    double mean_isi = MS_PER_S / rate_hz, end = t0 + duration, since = 0.0;
    ladsim_rng_init(&r, seed, LADSIM_STREAM_POISSON, view_index, id, 0);
    for (;;) {
      /* The offset from t0 accumulates the intervals; comparing the spike
       * time itself with the end keeps rounding from ever placing a spike
       * at t0 + duration. */
      since += -mean_isi * log(ladsim_rng_uniform_pos(&r));
      double t = t0 + since;
      if (t >= end)
        break;
      if (count == max) {
        more = 1;
        break;
      }
      times[count++] = t;
    }
  }
  if (truncated != NULL)
    *truncated = more;
  return count;
}
