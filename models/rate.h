/* rate.h: the rate neuron model, integrated with exact exponential propagators.
 *
 * Equations
 *
 *     tau du/dt = -u + I(t),        z = f(u)
 *
 * with the input I (feed-forward drive W x + b) held constant over a step
 * of length h. Over one step the solution is exact:
 *
 *     u(t + h) = u(t) e^{-h/tau} + I (1 - e^{-h/tau}).
 *
 * 1 - e^{-h/tau} is computed with expm1 so that small h/tau keeps its
 * precision (Rotter and Diesmann 1999 for exact integration of linear
 * neuron dynamics).
 *
 * Parameters
 *
 *     name        unit  default  range     meaning
 *     tau         ms    5        > 0       membrane time constant
 *     activation  -     relu     relu, tanh, linear, softplus, sigmoid
 *
 * Activations and their derivatives f'(u), used by the learning rule:
 *
 *     relu      max(u, 0)          1 if u > 0 else 0
 *     tanh      tanh(u)            1 - tanh(u)^2
 *     linear    u                  1
 *     softplus  log(1 + e^u)       1 / (1 + e^-u)
 *     sigmoid   1 / (1 + e^-u)     s (1 - s)
 */
#ifndef LADSIM_MODELS_RATE_H
#define LADSIM_MODELS_RATE_H

#include <stddef.h>
#include <ladsim/error.h>
#include <ladsim/model.h>

/* What the user sets. */
typedef struct {
  double tau;                    /* ms */
  ladsim_activation activation;
} ladsim_rate_params;

/* Internal variables: the propagators for one resolution. */
typedef struct {
  double decay;                  /* e^{-h/tau} */
  double gain;                   /* 1 - e^{-h/tau} */
  ladsim_activation activation;
} ladsim_rate_internals;

/* Checks parameters; the message names the offending one. */
ladsim_status ladsim_rate_params_check(const ladsim_rate_params *p);

/* Computes the propagators for resolution h (ms). */
ladsim_status ladsim_rate_prepare(const ladsim_rate_params *p, double h,
                                  ladsim_rate_internals *out);

/* Advances n membrane potentials u by one step under inputs in, and writes
 * the activities z and the derivatives fp = f'(u) at the new u. */
void ladsim_rate_update(const ladsim_rate_internals *in, size_t n, double *u,
                        const double *input, double *z, double *fp);

/* f(u) and f'(u) for one value. */
double ladsim_rate_f(ladsim_activation a, double u);
double ladsim_rate_fprime(ladsim_activation a, double u);

#endif
