/* ridge.c: closed-form ridge regression: normal equations, direct solve and the spectral form used to scan strengths. */
#include "config.h"
#include "eval/ridge.h"

#include <math.h>
#include <stdlib.h>
#include <gsl/gsl_blas.h>
#include <gsl/gsl_eigen.h>
#include <gsl/gsl_linalg.h>

struct ladsim__ridge_spectrum {
  gsl_matrix *evec;           /* dim x dim: eigenvectors V in columns */
  gsl_vector *eval;           /* dim: eigenvalues s */
  gsl_matrix *proj;           /* dim x n_out: V^T rhs */
  gsl_matrix *scaled;         /* dim x n_out: diag(1 / (s + lambda)) V^T rhs */
  gsl_eigen_symmv_workspace *ws;
};

static ladsim_status out_of_memory(const char *what, size_t dim)
{
  return LADSIM_ERROR(LADSIM_ENOMEM,
                      "out of memory allocating the %s of a ridge probe on "
                      "%zu features; probe fewer features or use a machine "
                      "with more memory",
                      what, dim);
}

double ladsim__ridge_grid_alpha(size_t k)
{
  const double lo = -6.0, hi = 2.0;
  return pow(10.0, lo + (hi - lo) * (double)k / (LADSIM__RIDGE_GRID_SIZE - 1));
}

ladsim_status ladsim__ridge_normal_alloc(size_t dim, size_t n_out,
                                         ladsim__ridge_normal **out)
{
  ladsim__ridge_normal *ne = calloc(1, sizeof *ne);
  *out = NULL;
  if (!ne)
    return out_of_memory("normal equations", dim);
  ne->gram = gsl_matrix_calloc(dim, dim);
  ne->rhs = gsl_matrix_calloc(dim, n_out);
  ne->zsum = gsl_vector_calloc(dim);
  ne->ysum = gsl_vector_calloc(n_out);
  if (!ne->gram || !ne->rhs || !ne->zsum || !ne->ysum) {
    ladsim__ridge_normal_free(ne);
    return out_of_memory("normal equations", dim);
  }
  *out = ne;
  return LADSIM_OK;
}

void ladsim__ridge_normal_free(ladsim__ridge_normal *ne)
{
  if (!ne)
    return;
  gsl_matrix_free(ne->gram);
  gsl_matrix_free(ne->rhs);
  gsl_vector_free(ne->zsum);
  gsl_vector_free(ne->ysum);
  free(ne);
}

void ladsim__ridge_normal_add(ladsim__ridge_normal *ne, const gsl_matrix *z,
                              const gsl_matrix *y)
{
  gsl_blas_dsyrk(CblasLower, CblasTrans, 1.0, z, 1.0, ne->gram);
  gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, z, y, 1.0, ne->rhs);
  for (size_t i = 0; i < z->size1; i++) {
    gsl_vector_const_view zi = gsl_matrix_const_row(z, i);
    gsl_vector_const_view yi = gsl_matrix_const_row(y, i);
    gsl_vector_add(ne->zsum, &zi.vector);
    gsl_vector_add(ne->ysum, &yi.vector);
  }
  ne->count += z->size1;
}

void ladsim__ridge_normal_copy(ladsim__ridge_normal *dst,
                               const ladsim__ridge_normal *src)
{
  gsl_matrix_memcpy(dst->gram, src->gram);
  gsl_matrix_memcpy(dst->rhs, src->rhs);
  gsl_vector_memcpy(dst->zsum, src->zsum);
  gsl_vector_memcpy(dst->ysum, src->ysum);
  dst->count = src->count;
}

void ladsim__ridge_normal_centre(ladsim__ridge_normal *ne)
{
  /* sum (z - zbar)(z - zbar)^T = sum z z^T - count zbar zbar^T, and
   * sum (z - zbar)(y - ybar)^T = sum z y^T - (sum z) ybar^T. The features
   * arrive standardised, so zbar is small and nothing cancels badly. */
  double n = (double)ne->count;
  gsl_vector_scale(ne->ysum, 1.0 / n);
  gsl_blas_dger(-1.0, ne->zsum, ne->ysum, ne->rhs);
  gsl_vector_scale(ne->zsum, 1.0 / n);
  gsl_blas_dsyr(CblasLower, -n, ne->zsum, ne->gram);
}

double ladsim__ridge_lambda(const gsl_matrix *gram, double alpha)
{
  double trace = 0.0;
  for (size_t i = 0; i < gram->size1; i++)
    trace += gsl_matrix_get(gram, i, i);
  return alpha * (trace > 0.0 ? trace / (double)gram->size1 : 1.0);
}

ladsim_status ladsim__ridge_solve(gsl_matrix *gram, const gsl_matrix *rhs,
                                  double lambda, gsl_matrix *w)
{
  gsl_vector_view diag = gsl_matrix_diagonal(gram);
  gsl_vector_add_constant(&diag.vector, lambda);
  /* GSL reports a matrix that is not positive definite through its error
   * handler; the caller has switched that off so we get the code back. */
  if (gsl_linalg_cholesky_decomp1(gram) != GSL_SUCCESS)
    return LADSIM_ERROR(LADSIM_EINTERNAL,
                        "the ridge system (%zu features, lambda %g) is not "
                        "positive definite; please report this as a bug",
                        gram->size1, lambda);
  gsl_matrix_memcpy(w, rhs);
  gsl_blas_dtrsm(CblasLeft, CblasLower, CblasNoTrans, CblasNonUnit, 1.0,
                 gram, w);
  gsl_blas_dtrsm(CblasLeft, CblasLower, CblasTrans, CblasNonUnit, 1.0, gram,
                 w);
  return LADSIM_OK;
}

ladsim_status ladsim__ridge_spectrum_alloc(size_t dim, size_t n_out,
                                           ladsim__ridge_spectrum **out)
{
  ladsim__ridge_spectrum *sp = calloc(1, sizeof *sp);
  *out = NULL;
  if (!sp)
    return out_of_memory("eigendecomposition", dim);
  sp->evec = gsl_matrix_alloc(dim, dim);
  sp->eval = gsl_vector_alloc(dim);
  sp->proj = gsl_matrix_alloc(dim, n_out);
  sp->scaled = gsl_matrix_alloc(dim, n_out);
  sp->ws = gsl_eigen_symmv_alloc(dim);
  if (!sp->evec || !sp->eval || !sp->proj || !sp->scaled || !sp->ws) {
    ladsim__ridge_spectrum_free(sp);
    return out_of_memory("eigendecomposition", dim);
  }
  *out = sp;
  return LADSIM_OK;
}

void ladsim__ridge_spectrum_free(ladsim__ridge_spectrum *sp)
{
  if (!sp)
    return;
  gsl_matrix_free(sp->evec);
  gsl_vector_free(sp->eval);
  gsl_matrix_free(sp->proj);
  gsl_matrix_free(sp->scaled);
  if (sp->ws)
    gsl_eigen_symmv_free(sp->ws);
  free(sp);
}

ladsim_status ladsim__ridge_spectrum_set(ladsim__ridge_spectrum *sp,
                                         gsl_matrix *gram,
                                         const gsl_matrix *rhs)
{
  if (gsl_eigen_symmv(gram, sp->eval, sp->evec, sp->ws) != GSL_SUCCESS)
    return LADSIM_ERROR(LADSIM_EINTERNAL,
                        "the eigendecomposition of a %zu x %zu ridge system "
                        "did not converge; please report this as a bug",
                        gram->size1, gram->size1);
  /* The Gram matrix is positive semi-definite; a slightly negative
   * eigenvalue is rounding and would make s + lambda vanish for tiny lambda. */
  for (size_t i = 0; i < sp->eval->size; i++)
    if (gsl_vector_get(sp->eval, i) < 0.0)
      gsl_vector_set(sp->eval, i, 0.0);
  gsl_blas_dgemm(CblasTrans, CblasNoTrans, 1.0, sp->evec, rhs, 0.0, sp->proj);
  return LADSIM_OK;
}

void ladsim__ridge_spectrum_weights(ladsim__ridge_spectrum *sp, double lambda,
                                    gsl_matrix *w)
{
  gsl_matrix_memcpy(sp->scaled, sp->proj);
  for (size_t i = 0; i < sp->eval->size; i++) {
    gsl_vector_view row = gsl_matrix_row(sp->scaled, i);
    gsl_vector_scale(&row.vector, 1.0 / (gsl_vector_get(sp->eval, i) + lambda));
  }
  gsl_blas_dgemm(CblasNoTrans, CblasNoTrans, 1.0, sp->evec, sp->scaled, 0.0, w);
}
