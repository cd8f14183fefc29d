/* probe.h: evaluating a representation: linear probe and diversity metrics. */
#ifndef LADSIM_PROBE_H
#define LADSIM_PROBE_H

#include <stddef.h>
#include <stdint.h>
#include <ladsim/error.h>

/* A ridge-regression classifier, fitted in closed form on one-hot targets.
 * Features are standardised with the training mean and std; the ridge
 * strength is picked from a grid on a held-out part of the training set and
 * the model is then refitted on all of it. */
typedef struct {
  double accuracy;       /* on the test set, in [0, 1] */
  double train_accuracy;
  double alpha;          /* the chosen ridge strength (relative to trace/dim) */
} ladsim_probe_result;

/* x_train is n_train x dim (row-major), labels in [0, n_classes). The
 * validation fraction in [0, 0.5) picks alpha; 0 uses a fixed alpha of 1e-3.
 * Not collective. */
ladsim_status ladsim_probe_ridge(const double *x_train, const uint8_t *y_train,
                                 size_t n_train, const double *x_test,
                                 const uint8_t *y_test, size_t n_test,
                                 size_t dim, size_t n_classes,
                                 double validation, uint64_t seed,
                                 ladsim_probe_result *out);

/* Statistics of a representation (n samples x dim, row-major). */
typedef struct {
  double mean_abs_corr;       /* mean |off-diagonal correlation| over live pairs */
  double participation_ratio; /* (sum lambda)^2 / sum lambda^2 of the covariance */
  double dead_fraction;       /* share of units whose activity never exceeds tol */
  double mean_rate;           /* mean activity over samples and units */
} ladsim_rep_stats;

/* Computes the statistics; a unit is dead when its activity stays within
 * dead_tol of zero on every sample (its correlations are left out). */
ladsim_status ladsim_rep_stats_compute(const double *x, size_t n, size_t dim,
                                       double dead_tol, ladsim_rep_stats *out);

#endif
