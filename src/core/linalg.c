/* linalg.c: dot products and rank-one updates in a fixed order; BLAS kept to one thread. */
#include "config.h"
#include "core/linalg.h"

#include <string.h>

#ifdef HAVE_OPENBLAS_SET_NUM_THREADS
void openblas_set_num_threads(int n);
#endif
#ifdef HAVE_BLAS_THREAD_SHUTDOWN_
int blas_thread_shutdown_(void);
#endif

/* Ranks are the unit of parallelism: one BLAS thread each. Threads of their
 * own spin on the small per-step kernels and cost more than they give.
 * OpenBLAS starts its worker threads when it is loaded, and they spin on
 * sched_yield for about 0.1 s before they sleep; on a rank pinned to one
 * core that is time taken from the simulation, so they are stopped (with
 * one thread, OpenBLAS never starts them again). */
void ladsim_blas_single_thread(void)
{
#ifdef HAVE_OPENBLAS_SET_NUM_THREADS
  openblas_set_num_threads(1);
#endif
#ifdef HAVE_BLAS_THREAD_SHUTDOWN_
  blas_thread_shutdown_();
#endif
}

typedef double linalg_v4d __attribute__((vector_size(32)));

__attribute__((target_clones("avx2", "default")))
double ladsim_dot(const double *a, const double *b, size_t n)
{
  linalg_v4d s0 = {0, 0, 0, 0}, s1 = s0, s2 = s0, s3 = s0;
  size_t j = 0;
  for (; j + 16 <= n; j += 16) {
    linalg_v4d a0, a1, a2, a3, b0, b1, b2, b3;
    memcpy(&a0, a + j, sizeof a0);
    memcpy(&a1, a + j + 4, sizeof a1);
    memcpy(&a2, a + j + 8, sizeof a2);
    memcpy(&a3, a + j + 12, sizeof a3);
    memcpy(&b0, b + j, sizeof b0);
    memcpy(&b1, b + j + 4, sizeof b1);
    memcpy(&b2, b + j + 8, sizeof b2);
    memcpy(&b3, b + j + 12, sizeof b3);
    s0 += a0 * b0;
    s1 += a1 * b1;
    s2 += a2 * b2;
    s3 += a3 * b3;
  }
  linalg_v4d s = (s0 + s1) + (s2 + s3);
  double sum = (s[0] + s[1]) + (s[2] + s[3]);
  for (; j < n; j++)
    sum += a[j] * b[j];
  return sum;
}

void ladsim_rows_dot(size_t rows, size_t cols, const double *A, const double *x, double *y)
{
  for (size_t i = 0; i < rows; i++)
    y[i] += ladsim_dot(A + i * cols, x, cols);
}

/* row += a x, four lanes at a time. Spelled out with vector types like
 * ladsim_dot: at -O2 GCC does not vectorise the plain loop, as row and x
 * might overlap, and the update ran at a quarter of the speed of a dot
 * product. Each entry gets the same one multiply and one add. */
__attribute__((target_clones("avx2", "default")))
void ladsim_rank_one(size_t rows, size_t cols, double alpha, const double *u,
                     const double *x, double *A)
{
  for (size_t i = 0; i < rows; i++) {
    double a = alpha * u[i];
    if (a == 0.0)
      continue;
    double *row = A + i * cols;
    linalg_v4d av = {a, a, a, a};
    size_t j = 0;
    for (; j + 8 <= cols; j += 8) {
      linalg_v4d r0, r1, x0, x1;
      memcpy(&r0, row + j, sizeof r0);
      memcpy(&r1, row + j + 4, sizeof r1);
      memcpy(&x0, x + j, sizeof x0);
      memcpy(&x1, x + j + 4, sizeof x1);
      r0 += av * x0;
      r1 += av * x1;
      memcpy(row + j, &r0, sizeof r0);
      memcpy(row + j + 4, &r1, sizeof r1);
    }
    for (; j < cols; j++)
      row[j] += a * x[j];
  }
}
