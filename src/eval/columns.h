/* columns.h: per-feature summaries and row-block copies shared by the probe and the representation statistics (internal). */
#ifndef LADSIM_EVAL_COLUMNS_H
#define LADSIM_EVAL_COLUMNS_H

#include <stddef.h>
#include <ladsim/error.h>

/* Rows are processed in blocks of at most this many, so workspaces stay a
 * few megabytes whatever the number of samples; a thousand rows is enough
 * for the BLAS-3 kernels to run at full speed. */
#define LADSIM__EVAL_BLOCK 1024

/* The row stored at position pos of an ordering (the identity if rows is NULL). */
static inline size_t ladsim__row(const size_t *rows, size_t pos)
{
  return rows ? rows[pos] : pos;
}

/* Fails with LADSIM_EINVAL naming the first non-finite value of the n x dim
 * row-major matrix x; what names the matrix in the message. Not collective. */
ladsim_status ladsim__values_check(const double *x, size_t n, size_t dim,
                                   const char *what);

/* Column means, minima and maxima of x (all arrays of length dim), after
 * ladsim__values_check. A constant column (lo == hi) gets its value as its
 * mean exactly, so centring it gives exact zeros. Not collective. */
ladsim_status ladsim__columns_scan(const double *x, size_t n, size_t dim,
                                   const char *what, double *mean, double *lo,
                                   double *hi);

/* Copies count rows into out (count x dim, row-major) as (x - mean) * scale,
 * taking the rows at positions first .. first + count - 1 of the ordering
 * rows (see ladsim__row). scale may be NULL for plain centring. */
void ladsim__rows_standardise(const double *x, size_t dim, const size_t *rows,
                              size_t first, size_t count, const double *mean,
                              const double *scale, double *out);

#endif
