/* columns.c: per-feature summaries and row-block copies shared by the probe and the representation statistics. */
#include "config.h"
#include "eval/columns.h"

#include <math.h>

ladsim_status ladsim__values_check(const double *x, size_t n, size_t dim,
                                   const char *what)
{
  for (size_t i = 0; i < n; i++)
    for (size_t j = 0; j < dim; j++)
      if (!isfinite(x[i * dim + j]))
        return LADSIM_ERROR(LADSIM_EINVAL,
                            "%s: sample %zu, feature %zu is %g; every value "
                            "must be finite (did the network diverge, or is "
                            "the data file corrupt?)",
                            what, i, j, x[i * dim + j]);
  return LADSIM_OK;
}

ladsim_status ladsim__columns_scan(const double *x, size_t n, size_t dim,
                                   const char *what, double *mean, double *lo,
                                   double *hi)
{
  LADSIM_CHECK(ladsim__values_check(x, n, dim, what));
  for (size_t j = 0; j < dim; j++) {
    mean[j] = 0.0;
    lo[j] = hi[j] = x[j];
  }
  for (size_t i = 0; i < n; i++) {
    const double *row = x + i * dim;
    for (size_t j = 0; j < dim; j++) {
      mean[j] += row[j];
      lo[j] = fmin(lo[j], row[j]);
      hi[j] = fmax(hi[j], row[j]);
    }
  }
  /* A sum of n equal values divided by n need not give the value back, and
   * the tiny residues would look like signal once standardised. */
  for (size_t j = 0; j < dim; j++)
    mean[j] = lo[j] == hi[j] ? lo[j] : mean[j] / (double)n;
  return LADSIM_OK;
}

void ladsim__rows_standardise(const double *x, size_t dim, const size_t *rows,
                              size_t first, size_t count, const double *mean,
                              const double *scale, double *out)
{
  for (size_t r = 0; r < count; r++) {
    const double *src = x + ladsim__row(rows, first + r) * dim;
    double *dst = out + r * dim;
    for (size_t j = 0; j < dim; j++)
      dst[j] = scale ? (src[j] - mean[j]) * scale[j] : src[j] - mean[j];
  }
}
