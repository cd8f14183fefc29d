/* ridge.h: closed-form ridge regression kernels behind the linear probe (internal).
 *
 * For centred features Z (n x dim) and centred targets Y (n x n_out) the
 * ridge weights are W = (Z^T Z + lambda I)^-1 Z^T Y; an unpenalised bias is
 * then ybar - W^T zbar. The strength is given relative to the mean
 * eigenvalue of Z^T Z, lambda = alpha * trace(Z^T Z) / dim, so one alpha
 * means the same on any number of samples. All matrices use only their
 * lower triangle where they are symmetric. GSL's error handler must be off
 * while these run (ladsim_probe_ridge switches it off), so that a failure
 * comes back as a status instead of an abort. Nothing here is collective. */
#ifndef LADSIM_EVAL_RIDGE_H
#define LADSIM_EVAL_RIDGE_H

#include <stddef.h>
#include <gsl/gsl_matrix.h>
#include <gsl/gsl_vector.h>
#include <ladsim/error.h>

/* The relative strengths scanned on the validation part: log-spaced from
 * 1e-6 to 1e2. */
#define LADSIM__RIDGE_GRID_SIZE 12

/* The k-th strength of the grid, k < LADSIM__RIDGE_GRID_SIZE. */
double ladsim__ridge_grid_alpha(size_t k);

/* The normal equations of a set of rows: first raw sums, added to block by
 * block, then centred once by ladsim__ridge_normal_centre. */
typedef struct {
  gsl_matrix *gram; /* dim x dim: sum z z^T, then the centred Z^T Z */
  gsl_matrix *rhs;  /* dim x n_out: sum z y^T, then the centred Z^T Y */
  gsl_vector *zsum; /* dim: sum z, then the mean zbar */
  gsl_vector *ysum; /* n_out: sum y, then the mean ybar */
  size_t count;     /* rows added */
} ladsim__ridge_normal;

ladsim_status ladsim__ridge_normal_alloc(size_t dim, size_t n_out,
                                         ladsim__ridge_normal **out);
void ladsim__ridge_normal_free(ladsim__ridge_normal *ne);

/* Adds a block of rows: z is rows x dim, y is rows x n_out. */
void ladsim__ridge_normal_add(ladsim__ridge_normal *ne, const gsl_matrix *z,
                              const gsl_matrix *y);

/* dst = src (same sizes), so one set of sums can be extended by more rows. */
void ladsim__ridge_normal_copy(ladsim__ridge_normal *dst,
                               const ladsim__ridge_normal *src);

/* Turns the sums into centred normal equations and means. */
void ladsim__ridge_normal_centre(ladsim__ridge_normal *ne);

/* lambda for a relative strength: alpha * trace(gram) / dim, with the
 * trace taken as dim when it is 0 (all features constant). */
double ladsim__ridge_lambda(const gsl_matrix *gram, double alpha);

/* Solves (gram + lambda I) w = rhs by Cholesky; gram (lower triangle) is
 * overwritten by its factor. lambda must be > 0; LADSIM_EINTERNAL if the
 * system is still not positive definite. */
ladsim_status ladsim__ridge_solve(gsl_matrix *gram, const gsl_matrix *rhs,
                                  double lambda, gsl_matrix *w);

/* The eigendecomposition gram = V diag(s) V^T, kept with V^T rhs so that the
 * weights for any lambda cost one small product:
 * w = V diag(1 / (s + lambda)) V^T rhs. */
typedef struct ladsim__ridge_spectrum ladsim__ridge_spectrum;

ladsim_status ladsim__ridge_spectrum_alloc(size_t dim, size_t n_out,
                                           ladsim__ridge_spectrum **out);
void ladsim__ridge_spectrum_free(ladsim__ridge_spectrum *sp);

/* Decomposes gram (lower triangle; destroyed) and projects rhs. */
ladsim_status ladsim__ridge_spectrum_set(ladsim__ridge_spectrum *sp,
                                         gsl_matrix *gram,
                                         const gsl_matrix *rhs);

/* The weights for lambda > 0 into w (dim x n_out); w may be a view. */
void ladsim__ridge_spectrum_weights(ladsim__ridge_spectrum *sp, double lambda,
                                    gsl_matrix *w);

#endif
