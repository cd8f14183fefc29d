/* sigreg.h: per-neuron SIGReg, the distribution term of the learning rule.
 *
 * Each neuron's activity z should follow a target distribution with
 * characteristic function phi(t) = phi_R(t) + i phi_I(t). On K knots t_k in
 * [0, t_max] with weights w_k (trapezoid weights, doubled for the symmetric
 * half, times exp(-(scale t_k)^2 / 2)) the neuron keeps running means
 *
 *     C_k ~ <cos(t_k z)>,   S_k ~ <sin(t_k z)>     (time constant tau)
 *
 * and its Epps-Pulley distance to the target is
 *
 *     D = sum_k w_k [ (C_k - phi_R(t_k))^2 + (S_k - phi_I(t_k))^2 ].
 *
 * The learning signal is the derivative of D with respect to one sample,
 * up to the batch size (Epps and Pulley 1983; Balestriero and LeCun 2025,
 * arXiv:2511.08544, for SIGReg):
 *
 *     g = 2 sum_k w_k t_k [ (S_k - phi_I) cos(t_k z) - (C_k - phi_R) sin(t_k z) ].
 *
 * Knots are spread over [0, t_max / scale] where scale is the target's
 * natural scale, so targets far from unit scale keep a resolved CF. */
#ifndef LADSIM_SIGREG_H
#define LADSIM_SIGREG_H

#include <stddef.h>
#include <ladsim/error.h>

#define LADSIM_TARGET_MAX_PARAMS 3

/* The most knots a layer may use (the model reader enforces it); the signal
 * keeps its trigonometric values on the stack up to this size. */
#define LADSIM_SIGREG_MAX_KNOTS 257

/* A family of target distributions: a const table entry, picked by pointer
 * (like gsl_odeiv2_step_type). */
typedef struct ladsim_target_type {
  const char *name;                                   /* "gaussian", ... */
  size_t n_params;
  const char *param_names[LADSIM_TARGET_MAX_PARAMS];  /* model-file keys */
  double param_defaults[LADSIM_TARGET_MAX_PARAMS];
  /* Checks parameters: returns 1 if valid, else 0 after writing a reason
   * ("std must be > 0") to why (which may be NULL). */
  int (*valid)(const double *p, char *why, size_t why_len);
  /* The characteristic function at t. */
  void (*cf)(const double *p, double t, double *re, double *im);
  /* The natural scale of the distribution (for knot rescaling). */
  double (*scale)(const double *p);
  /* Draws one sample from uniforms u1, u2, u3 in (0, 1) (tests, plots). */
  double (*sample)(const double *p, double u1, double u2, double u3);
} ladsim_target_type;

extern const ladsim_target_type *ladsim_target_gaussian;
extern const ladsim_target_type *ladsim_target_laplace;
extern const ladsim_target_type *ladsim_target_uniform;
extern const ladsim_target_type *ladsim_target_exponential;
extern const ladsim_target_type *ladsim_target_gamma;
extern const ladsim_target_type *ladsim_target_logistic;
extern const ladsim_target_type *ladsim_target_spike_and_slab;

/* All parametric target types, NULL-terminated (empirical is separate). */
extern const ladsim_target_type *const ladsim_target_types[];

/* Looks a target type up by name; NULL if unknown. */
const ladsim_target_type *ladsim_target_type_find(const char *name);

/* A resolved target: a type and its parameters, or empirical samples. */
typedef struct {
  const ladsim_target_type *type; /* NULL means empirical */
  double p[LADSIM_TARGET_MAX_PARAMS];
  double *samples;                /* empirical: owned copy, else NULL */
  size_t n_samples;
} ladsim_target;

/* Checks a resolved target: valid parameters, or at least one sample, all
 * finite; LADSIM_EINVAL with the reason otherwise. Not collective. */
ladsim_status ladsim_target_check(const ladsim_target *target);

/* The target's characteristic function at t (empirical: the sample mean of
 * exp(i t x)). The target must have passed ladsim_target_check. */
void ladsim_target_cf(const ladsim_target *target, double t, double *re,
                      double *im);

/* The target's natural scale, its standard deviation (empirical: the sample
 * standard deviation over n, or 1 if the samples are all equal). */
double ladsim_target_scale(const ladsim_target *target);

/* The knots, weights and target CF values shared by all neurons of a layer. */
typedef struct {
  size_t k;          /* number of knots */
  double dt;         /* knot spacing: t_j = j * dt */
  double *t, *w;     /* knots and quadrature weights */
  double *phi_re, *phi_im; /* target CF at the knots */
} ladsim_sigreg_knots;

/* Builds 2 <= k <= LADSIM_SIGREG_MAX_KNOTS knots on [0, t_max / scale(target)]
 * with their weights and the target's CF; LADSIM_EINVAL on bad arguments.
 * Not collective. */
ladsim_status ladsim_sigreg_knots_alloc(const ladsim_target *target, size_t k,
                                        double t_max, ladsim_sigreg_knots **out);
void ladsim_sigreg_knots_free(ladsim_sigreg_knots *kn);

/* cos(t_j z), sin(t_j z) for all knots from one sincos (angle addition). */
void ladsim_sigreg_trig(const ladsim_sigreg_knots *kn, double z,
                        double *cos_out, double *sin_out);

/* The learning signal g for activity z given traces C, S (length k). */
double ladsim_sigreg_signal(const ladsim_sigreg_knots *kn, const double *c,
                            const double *s, double z);

/* Moves traces C, S towards cos/sin(t_j z) by the fraction alpha in (0, 1]. */
void ladsim_sigreg_trace_update(const ladsim_sigreg_knots *kn, double *c,
                                double *s, double z, double alpha);

/* The signal g for z from the traces as they are, then the trace update
 * with z: what a neuron does every step, sharing one trig evaluation. */
double ladsim_sigreg_step(const ladsim_sigreg_knots *kn, double *c, double *s,
                          double z, double alpha);

/* The Epps-Pulley distance D of traces C, S to the target. */
double ladsim_sigreg_distance(const ladsim_sigreg_knots *kn, const double *c,
                              const double *s);

/* The batch Epps-Pulley distance of the n samples x[0], x[stride], ...,
 * x[(n - 1) stride] (C, S as sample means); NaN if n is 0. */
double ladsim_sigreg_batch_distance(const ladsim_sigreg_knots *kn,
                                    const double *x, size_t n, size_t stride);

#endif
