/* rate.c: exact integration and activations of the rate neuron model. */
#include "config.h"
#include "rate.h"

#include <math.h>

static double sigmoid(double u)
{
  /* Written per sign so that exp never overflows. */
  if (u >= 0.0)
    return 1.0 / (1.0 + exp(-u));
  double e = exp(u);
  return e / (1.0 + e);
}

double ladsim_rate_f(ladsim_activation a, double u)
{
  switch (a) {
  case LADSIM_ACT_RELU: return u > 0.0 ? u : 0.0;
  case LADSIM_ACT_TANH: return tanh(u);
  case LADSIM_ACT_LINEAR: return u;
  case LADSIM_ACT_SOFTPLUS: return u > 30.0 ? u : log1p(exp(u));
  case LADSIM_ACT_SIGMOID: return sigmoid(u);
  }
  return NAN;
}

double ladsim_rate_fprime(ladsim_activation a, double u)
{
  switch (a) {
  case LADSIM_ACT_RELU: return u > 0.0 ? 1.0 : 0.0;
  case LADSIM_ACT_TANH: { double t = tanh(u); return 1.0 - t * t; }
  case LADSIM_ACT_LINEAR: return 1.0;
  case LADSIM_ACT_SOFTPLUS: return sigmoid(u);
  case LADSIM_ACT_SIGMOID: { double s = sigmoid(u); return s * (1.0 - s); }
  }
  return NAN;
}

ladsim_status ladsim_rate_params_check(const ladsim_rate_params *p)
{
  if (!(p->tau > 0.0) || !isfinite(p->tau))
    return LADSIM_ERROR(LADSIM_EINVAL, "rate neuron: tau must be a finite time > 0 ms, got %g ms", p->tau);
  if ((unsigned)p->activation > LADSIM_ACT_SIGMOID)
    return LADSIM_ERROR(LADSIM_EINVAL, "rate neuron: unknown activation %d", (int)p->activation);
  return LADSIM_OK;
}

ladsim_status ladsim_rate_prepare(const ladsim_rate_params *p, double h,
                                  ladsim_rate_internals *out)
{
  LADSIM_CHECK(ladsim_rate_params_check(p));
  if (!(h > 0.0))
    return LADSIM_ERROR(LADSIM_EINVAL, "rate neuron: resolution must be > 0 ms, got %g ms", h);
  out->gain = -expm1(-h / p->tau);
  out->decay = 1.0 - out->gain;
  out->activation = p->activation;
  return LADSIM_OK;
}

void ladsim_rate_update(const ladsim_rate_internals *in, size_t n, double *u,
                        const double *input, double *z, double *fp)
{
  const double decay = in->decay, gain = in->gain;
  if (in->activation == LADSIM_ACT_RELU) {
    /* The common case gets a branch-free loop the compiler vectorises. */
    for (size_t i = 0; i < n; i++) {
      double v = u[i] * decay + input[i] * gain;
      u[i] = v;
      z[i] = v > 0.0 ? v : 0.0;
      fp[i] = v > 0.0 ? 1.0 : 0.0;
    }
    return;
  }
  for (size_t i = 0; i < n; i++) {
    u[i] = u[i] * decay + input[i] * gain;
    z[i] = ladsim_rate_f(in->activation, u[i]);
    fp[i] = ladsim_rate_fprime(in->activation, u[i]);
  }
}
