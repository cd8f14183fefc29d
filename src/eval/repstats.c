/* repstats.c: how diverse a representation is: correlations, participation ratio, dead units, mean rate. */
#include "config.h"
#include <ladsim/probe.h>

#include <math.h>
#include <stdlib.h>
#include <gsl/gsl_blas.h>

#include "eval/columns.h"

#define BLOCK LADSIM__EVAL_BLOCK

static int is_dead(double lo, double hi, double dead_tol)
{
  return fmax(fabs(lo), fabs(hi)) <= dead_tol;
}

static ladsim_status check_args(const double *x, size_t n, size_t dim,
                                double dead_tol, const ladsim_rep_stats *out)
{
  if (!x || !out)
    return LADSIM_ERROR(LADSIM_EINVAL,
                        "ladsim_rep_stats_compute: the data or result "
                        "pointer is NULL");
  if (n < 2)
    return LADSIM_ERROR(LADSIM_EINVAL,
                        "representation statistics need at least 2 samples "
                        "to estimate a covariance, got %zu",
                        n);
  if (dim == 0)
    return LADSIM_ERROR(LADSIM_EINVAL,
                        "representation statistics need at least 1 unit, "
                        "got dim = 0");
  if (!(dead_tol >= 0.0 && isfinite(dead_tol)))
    return LADSIM_ERROR(LADSIM_EINVAL,
                        "the dead-unit tolerance is %g; it must be finite "
                        "and >= 0",
                        dead_tol);
  return LADSIM_OK;
}

/* The scatter matrix sum (x - mean)(x - mean)^T (lower triangle), centring
 * a block of rows at a time so the data are never copied whole. */
static void scatter(const double *x, size_t n, size_t dim, const double *mean,
                    double *block, gsl_matrix *s)
{
  gsl_matrix_set_zero(s);
  for (size_t first = 0; first < n; first += BLOCK) {
    size_t count = n - first < BLOCK ? n - first : BLOCK;
    gsl_matrix_view b = gsl_matrix_view_array(block, count, dim);
    ladsim__rows_standardise(x, dim, NULL, first, count, mean, NULL, block);
    gsl_blas_dsyrk(CblasLower, CblasTrans, 1.0, &b.matrix, 1.0, s);
  }
}

/* (sum lambda)^2 / sum lambda^2 = trace(S)^2 / ||S||_F^2, which needs no
 * eigenvalues and does not depend on how S is normalised; 0 if S is 0. */
static double participation_ratio(const gsl_matrix *s)
{
  double trace = 0.0, frob = 0.0;
  for (size_t i = 0; i < s->size1; i++) {
    double sii = gsl_matrix_get(s, i, i);
    trace += sii;
    frob += sii * sii;
    for (size_t j = 0; j < i; j++)
      frob += 2.0 * gsl_matrix_get(s, i, j) * gsl_matrix_get(s, i, j);
  }
  return frob > 0.0 ? trace * trace / frob : 0.0;
}

/* A unit takes part in the correlation mean when it is live and varies: a
 * live unit stuck at one value has no defined correlation. */
static int correlates(const gsl_matrix *s, const double *lo, const double *hi,
                      double dead_tol, size_t i)
{
  return !is_dead(lo[i], hi[i], dead_tol) && gsl_matrix_get(s, i, i) > 0.0;
}

static double mean_abs_corr(const gsl_matrix *s, const double *lo,
                            const double *hi, double dead_tol)
{
  double sum = 0.0;
  size_t pairs = 0;
  for (size_t i = 0; i < s->size1; i++) {
    if (!correlates(s, lo, hi, dead_tol, i))
      continue;
    for (size_t j = 0; j < i; j++) {
      if (!correlates(s, lo, hi, dead_tol, j))
        continue;
      sum += fabs(gsl_matrix_get(s, i, j)) /
             sqrt(gsl_matrix_get(s, i, i) * gsl_matrix_get(s, j, j));
      pairs++;
    }
  }
  return pairs ? sum / (double)pairs : 0.0;
}

static void summarise(const gsl_matrix *s, const double *mean,
                      const double *lo, const double *hi, double dead_tol,
                      ladsim_rep_stats *out)
{
  size_t dim = s->size1, dead = 0;
  double rate = 0.0;
  for (size_t j = 0; j < dim; j++) {
    dead += (size_t)is_dead(lo[j], hi[j], dead_tol);
    rate += mean[j];
  }
  out->mean_abs_corr = mean_abs_corr(s, lo, hi, dead_tol);
  out->participation_ratio = participation_ratio(s);
  out->dead_fraction = (double)dead / (double)dim;
  out->mean_rate = rate / (double)dim;
}

ladsim_status ladsim_rep_stats_compute(const double *x, size_t n, size_t dim,
                                       double dead_tol, ladsim_rep_stats *out)
{
  size_t rows = n < BLOCK ? n : BLOCK;
  double *mean, *lo, *hi, *block, *smem;
  gsl_matrix_view s;
  ladsim_status status = LADSIM_OK;
  LADSIM_CHECK(check_args(x, n, dim, dead_tol, out));
  mean = malloc(dim * sizeof *mean);
  lo = malloc(dim * sizeof *lo);
  hi = malloc(dim * sizeof *hi);
  block = malloc(rows * dim * sizeof *block);
  smem = malloc(dim * dim * sizeof *smem);
  if (!mean || !lo || !hi || !block || !smem) {
    status = LADSIM_ERROR(LADSIM_ENOMEM,
                          "out of memory computing the statistics of a "
                          "representation of %zu units",
                          dim);
    goto done;
  }
  LADSIM_CHECK_GOTO(status,
                    ladsim__columns_scan(x, n, dim, "representation", mean,
                                         lo, hi),
                    done);
  s = gsl_matrix_view_array(smem, dim, dim);
  scatter(x, n, dim, mean, block, &s.matrix);
  summarise(&s.matrix, mean, lo, hi, dead_tol, out);
done:
  free(mean);
  free(lo);
  free(hi);
  free(block);
  free(smem);
  return status;
}
