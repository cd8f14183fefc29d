/* linalg.h: the few dense kernels of the rule, in an order fixed by the data.
 *
 * A neuron's sums must come out the same whatever block of its layer a rank
 * owns (DESIGN.md section 6), so they are not left to a BLAS whose blocking
 * and remainder paths may depend on the number of rows. Each row's dot
 * product is summed in an order that depends only on its length: sixteen
 * partial sums by column index modulo 16, combined pairwise, then the
 * columns that do not fill a block of 16 one by one. No operation is fused
 * (ISO C11 does not contract a * b + c), so the AVX2 and the baseline
 * versions give the same bits. */
#ifndef LADSIM_CORE_LINALG_H
#define LADSIM_CORE_LINALG_H

#include <stddef.h>

/* sum_j a_j b_j over n entries. */
double ladsim_dot(const double *a, const double *b, size_t n);

/* y_i += sum_j A_ij x_j for the rows i of the row-major rows x cols A. */
void ladsim_rows_dot(size_t rows, size_t cols, const double *A, const double *x, double *y);

/* A_ij += (alpha u_i) x_j: a rank-one update of rows x cols A. */
void ladsim_rank_one(size_t rows, size_t cols, double alpha, const double *u,
                     const double *x, double *A);

/* One BLAS thread for this process, its worker threads stopped: ranks are
 * ladsim's parallelism. Not collective; called by ladsim_sim_create and by
 * the ladsim program before MPI starts. */
void ladsim_blas_single_thread(void);

#endif
