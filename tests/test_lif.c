/* test_lif.c: the LIF neuron model against closed-form solutions, across resolutions and paths. */
#include "config.h"
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "models/lif.h"

#define MAX_SPIKES 256

/* V's response to a unit g_x(0) = 1 after t ms, written the textbook way
 * (no expm1), which is accurate when tau_x and tau_m are far apart. */
static double kernel(double tau_x, double tau_m, double t)
{
  return tau_x / (tau_x - tau_m) * (exp(-t / tau_x) - exp(-t / tau_m));
}

static double kernel_singular(double tau_m, double t)
{
  return t / tau_m * exp(-t / tau_m);
}

static ladsim_lif_params defaults(void)
{
  ladsim_lif_params p;
  ladsim_lif_params_default(&p);
  return p;
}

static ladsim_lif_internals prepared(const ladsim_lif_params *p, double h)
{
  ladsim_lif_internals in;
  ck_assert_int_eq(ladsim_lif_prepare(p, h, &in), LADSIM_OK);
  return in;
}

/* Simulates one neuron for n_steps of length h with inputs at absolute
 * times (sorted) and returns its spike times. Times are step * h + offset,
 * never accumulated. */
static size_t run(const ladsim_lif_params *p, double h, long n_steps, const double *times,
                  const double *weights, size_t n_in, ladsim_lif_state *st, double *spike_times)
{
  ladsim_lif_internals in = prepared(p, h);
  ladsim_lif_input buf[64];
  size_t next = 0, n_spikes = 0;
  for (long k = 0; k < n_steps; k++) {
    size_t m = 0;
    while (next < n_in && (long)floor(times[next] / h) <= k) {
      ck_assert_uint_lt(m, 64);
      buf[m++] = (ladsim_lif_input){fmax(times[next] - (double)k * h, 0.0), weights[next]};
      next++;
    }
    double off[8];
    int fired = ladsim_lif_step(&in, st, buf, m, off, 8);
    ck_assert_int_lt(fired, 8);
    for (int f = 0; f < fired; f++) {
      ck_assert(off[f] >= 0.0 && off[f] <= h);
      ck_assert_uint_lt(n_spikes, MAX_SPIKES);
      spike_times[n_spikes++] = (double)k * h + off[f];
    }
  }
  return n_spikes;
}

/* A constant drive switched on at t = 0, below threshold:
 * V(t) = V_inf + (V0 - V_inf) e^{-t/tau_m}, at every step end. */
START_TEST(test_current_step)
{
  ladsim_lif_params p = defaults();
  p.tau_m = 17.3;
  p.e_l = -65.0;
  p.i_e = 11.5;
  double v_inf = -53.5, v0 = -62.25, hs[] = {0.1, 0.37};
  for (int r = 0; r < 2; r++) {
    ladsim_lif_internals in = prepared(&p, hs[r]);
    ladsim_lif_state st = {v0, 0.0, 0.0, 0.0};
    double off[2];
    for (int k = 1; k <= 600; k++) {
      ck_assert_int_eq(ladsim_lif_step(&in, &st, NULL, 0, off, 2), 0);
      double t = k * hs[r];
      ck_assert_double_eq_tol(st.v, v_inf + (v0 - v_inf) * exp(-t / p.tau_m), 1e-12);
    }
  }
}
END_TEST

/* Feeds one input of weight w at t_s = 0.0375 ms (inside the first step of
 * 0.1 ms) to a neuron at rest and compares V and the input's current with
 * psp(t - t_s) at every step end for 60 ms. */
static void check_psp(const ladsim_lif_params *p, double w, double (*psp)(double t),
                      double tol)
{
  ladsim_lif_internals in = prepared(p, 0.1);
  ladsim_lif_state st = {p->e_l, 0.0, 0.0, 0.0};
  ladsim_lif_input one = {0.0375, w};
  double off[2], tau_g = w > 0 ? p->tau_e : p->tau_i;
  for (int k = 0; k < 600; k++) {
    ck_assert_int_eq(ladsim_lif_step(&in, &st, &one, k == 0 ? 1 : 0, off, 2), 0);
    double t = (k + 1) * 0.1 - 0.0375;
    ck_assert_double_eq_tol(st.v, p->e_l + w * psp(t), tol);
    double g = w > 0 ? st.ge : st.gi, other = w > 0 ? st.gi : st.ge;
    ck_assert_double_eq_tol(g, w * exp(-t / tau_g), 1e-13);
    ck_assert_double_eq(other, 0.0);
  }
}

static double psp_exc(double t) { return kernel(5.0, 20.0, t); }
static double psp_inh(double t) { return kernel(10.0, 20.0, t); }
static double psp_singular(double t) { return kernel_singular(20.0, t); }

START_TEST(test_synaptic_response)
{
  ladsim_lif_params p = defaults();
  p.e_l = -70.0;
  check_psp(&p, 7.5, psp_exc, 1e-12);
  check_psp(&p, -6.25, psp_inh, 1e-12);
}
END_TEST

/* tau_e == tau_m: the singular kernel (t / tau_m) e^{-t/tau_m}. */
START_TEST(test_synaptic_response_singular)
{
  ladsim_lif_params p = defaults();
  p.e_l = -70.0;
  p.tau_e = 20.0;
  check_psp(&p, 7.5, psp_singular, 1e-12);
}
END_TEST

/* tau_e = tau_m (1 + 1e-10): the textbook kernel would divide a difference
 * of nearly equal exponentials by 2e-9 ms and keep ~7 digits; the model must
 * agree with the singular limit to the size of the true difference. */
START_TEST(test_synaptic_response_near_singular)
{
  ladsim_lif_params p = defaults();
  p.e_l = -70.0;
  p.tau_e = 20.0 * (1.0 + 1e-10);
  check_psp(&p, 7.5, psp_singular, 1e-9);
}
END_TEST

/* The end-of-step effect of a unit input, over intervals from 0 to 10 ms:
 * the decay d_x within 5e-16 relative of exp(-s / tau_x) on both sides of
 * s r = -1/2, where lif.c stops deriving it from expm1 (s = 3.33 ms for
 * tau_e = 5 ms, tau_m = 20 ms), and the kernel within rounding of the
 * textbook form, for inputs into g_e, into g_i (tau_i > tau_m, where s r
 * is positive) and a weight of 2.5 mV through ladsim_lif_input_effect. */
START_TEST(test_input_kernel)
{
  ladsim_lif_params p = defaults();
  p.tau_i = 30.0;
  double h = 10.0;
  ladsim_lif_internals in = prepared(&p, h);
  for (int j = 0; j <= 1000; j++) {
    double offset = h * j / 1000.0 * (1.0 - 1e-9 * sin(j)), s = h - offset;
    for (int exc = 0; exc <= 1; exc++) {
      double tau = exc ? p.tau_e : p.tau_i, kv, kg, dv, dg;
      ladsim_lif_input_kernel(&in, offset, exc, &kv, &kg);
      ck_assert_double_eq_tol(kg, exp(-s / tau), 5e-16 * exp(-s / tau));
      ck_assert_double_eq_tol(kv, kernel(tau, p.tau_m, s), 1e-14);
      ladsim_lif_input_effect(&in, offset, exc ? 2.5 : -2.5, &dv, &dg);
      ck_assert(dv == (exc ? 2.5 : -2.5) * kv && dg == (exc ? 2.5 : -2.5) * kg);
    }
  }
}
END_TEST

/* The input of the precision test: n spikes at irrational, off-grid times
 * in (0, 200) ms, a fifth of them inhibitory. */
static void precision_input(double *times, double *weights, size_t n)
{
  for (size_t j = 0; j < n; j++) {
    times[j] = 200.0 * (j + 0.5 + 0.45 * sin(1.7 * (double)j + 0.3)) / (double)n;
    weights[j] = j % 5 == 3 ? -5.5 - 2.0 * sin(0.9 * (double)j)
                            : 5.0 + 2.5 * sin(2.3 * (double)j);
  }
}

/* The same input at resolutions 0.01, 0.1 and 1 ms gives the same spikes:
 * with exact integration and located crossings, the resolution only changes
 * where the trajectory is cut into pieces. */
START_TEST(test_precision_across_resolutions)
{
  ladsim_lif_params p = defaults();
  p.t_ref = 2.0;
  p.e_l = -40.0;  /* alone, it would fire every 29.4 ms */
  double times[200], weights[200];
  precision_input(times, weights, 200);
  double ref[MAX_SPIKES], other[MAX_SPIKES], hs[] = {0.1, 1.0};
  ladsim_lif_state st = {-57.5, 0.0, 0.0, 0.0};
  size_t n_ref = run(&p, 0.01, 20000, times, weights, 200, &st, ref);
  ck_assert_uint_ge(n_ref, 15);
  ck_assert_uint_le(n_ref, 25);
  for (int r = 0; r < 2; r++) {
    ladsim_lif_state s2 = {-57.5, 0.0, 0.0, 0.0};
    size_t n = run(&p, hs[r], lround(200.0 / hs[r]), times, weights, 200, &s2, other);
    ck_assert_uint_eq(n, n_ref);
    for (size_t k = 0; k < n; k++)
      ck_assert_double_eq_tol(other[k], ref[k], 1e-9);
    ck_assert_double_eq_tol(s2.v, st.v, 1e-9);
    ck_assert_double_eq_tol(s2.ge, st.ge, 1e-9);
  }
}
END_TEST

/* Constant drive above threshold: first passage from V0 at
 * tau_m ln((V0 - V_inf) / (v_th - V_inf)), then every
 * t_ref + tau_m ln((v_reset - V_inf) / (v_th - V_inf)). */
START_TEST(test_first_passage_and_isi)
{
  ladsim_lif_params p = defaults();
  p.e_l = -65.0;
  p.i_e = 20.0;
  p.t_ref = 3.7;
  double v_inf = -45.0, v0 = -58.0, hs[] = {0.1, 0.25};
  double first = p.tau_m * log((v0 - v_inf) / (p.v_th - v_inf));
  double isi = p.t_ref + p.tau_m * log((p.v_reset - v_inf) / (p.v_th - v_inf));
  for (int r = 0; r < 2; r++) {
    ladsim_lif_state st = {v0, 0.0, 0.0, 0.0};
    double spikes[MAX_SPIKES];
    size_t n = run(&p, hs[r], lround(100.0 / hs[r]), NULL, NULL, 0, &st, spikes);
    ck_assert_uint_eq(n, 4);
    ck_assert_double_eq_tol(spikes[0], first, 1e-12);
    for (size_t k = 1; k < n; k++)
      ck_assert_double_eq_tol(spikes[k] - spikes[k - 1], isi, 1e-12);
  }
}
END_TEST

/* Strong input during refractoriness: V stays at v_reset, no spike, the
 * inputs still add to g_e and g_i; afterwards V leaves v_reset at the
 * off-grid end of refractoriness as the closed form says. */
START_TEST(test_refractoriness)
{
  ladsim_lif_params p = defaults();
  p.t_ref = 2.35;
  double h = 0.1, off[4];
  ladsim_lif_internals in = prepared(&p, h);
  ladsim_lif_state st = {-50.03, 0.0, 0.0, 0.0};
  ladsim_lif_input kick = {0.042, 25.0};
  ck_assert_int_eq(ladsim_lif_step(&in, &st, &kick, 1, off, 4), 1);
  double t_s = off[0], ge_s = 25.0 * exp(-(t_s - 0.042) / p.tau_e);
  ck_assert(t_s > 0.042 && t_s < 0.1);
  /* Inputs at 0.5 + 0.0123 ms (excitatory) and 1.2 + 0.077 ms (inhibitory). */
  ladsim_lif_input exc = {0.0123, 40.0}, inh = {0.077, -12.5};
  /* Steps 1 .. k_end - 1 are refractory throughout; step k_end holds the
   * off-grid end of refractoriness. */
  int k_end = (int)floor((t_s + p.t_ref) / h);
  ck_assert_int_gt(k_end, 12);
  for (int k = 1; k < k_end; k++) {
    const ladsim_lif_input *x = k == 5 ? &exc : k == 12 ? &inh : NULL;
    ck_assert_int_eq(ladsim_lif_step(&in, &st, x, x ? 1 : 0, off, 4), 0);
    double t = (k + 1) * h;
    ck_assert_double_eq(st.v, p.v_reset);
    double ge = ge_s * exp(-(t - t_s) / p.tau_e);
    if (k >= 5)
      ge += 40.0 * exp(-(t - 0.5123) / p.tau_e);
    ck_assert_double_eq_tol(st.ge, ge, 1e-12);
    ck_assert_double_eq_tol(st.gi, k >= 12 ? -12.5 * exp(-(t - 1.277) / p.tau_i) : 0.0, 1e-12);
  }
  ck_assert(st.refr > 0.0 && st.refr < h);
  ck_assert_int_eq(ladsim_lif_step(&in, &st, NULL, 0, off, 4), 0);
  double t_free = t_s + p.t_ref, t = (k_end + 1) * h, s = t - t_free;
  double ge_free = ge_s * exp(-(t_free - t_s) / p.tau_e) + 40.0 * exp(-(t_free - 0.5123) / p.tau_e);
  double gi_free = -12.5 * exp(-(t_free - 1.277) / p.tau_i);
  double v = p.e_l + (p.v_reset - p.e_l) * exp(-s / p.tau_m) + ge_free * kernel(p.tau_e, p.tau_m, s)
             + gi_free * kernel(p.tau_i, p.tau_m, s);
  ck_assert_double_eq_tol(st.v, v, 1e-11);
  /* the currents through the end of refractoriness inside the step */
  ck_assert_double_eq_tol(st.ge, ge_free * exp(-s / p.tau_e), 1e-12);
  ck_assert_double_eq_tol(st.gi, gi_free * exp(-s / p.tau_i), 1e-12);
  ck_assert(st.v > p.v_reset);
  ck_assert(st.refr <= 0.0);
}
END_TEST

/* V - v_th for the state of test_first_of_several_crossings. */
static double several_f(double s)
{
  return (-50.1 + 35.0) * exp(-s / 20.0) + 60.0 * kernel(0.5, 20.0, s)
         - 40.0 * kernel(5.0, 20.0, s) - 35.0 + 50.0;
}

/* A fast excitatory and a slower inhibitory current make V cross threshold
 * up (~0.06 ms), down (~1.24 ms) and up again (~8.87 ms) inside one 10 ms
 * step: the spike must be at the first crossing. The reference is found by
 * scanning the closed form and bisecting. */
START_TEST(test_first_of_several_crossings)
{
  ladsim_lif_params p = defaults();
  p.tau_e = 0.5;
  p.tau_i = 5.0;
  p.e_l = -35.0;
  p.t_ref = 20.0;
  ladsim_lif_internals in = prepared(&p, 10.0);
  ladsim_lif_state st = {-50.1, 60.0, -40.0, 0.0};
  ck_assert(several_f(0.5) > 0.0 && several_f(4.0) < 0.0 && several_f(10.0) > 0.0);
  double lo = 0.0, hi = 0.001;
  while (several_f(hi) < 0.0)
    lo = hi, hi += 0.001;
  for (int it = 0; it < 200 && hi - lo > 1e-15; it++) {
    double mid = 0.5 * (lo + hi);
    *(several_f(mid) < 0.0 ? &lo : &hi) = mid;
  }
  double off[4];
  ck_assert_int_eq(ladsim_lif_step(&in, &st, NULL, 0, off, 4), 1);
  ck_assert_double_eq_tol(off[0], 0.5 * (lo + hi), 1e-12);
  ck_assert_double_eq(st.v, p.v_reset);
  ck_assert_double_eq_tol(st.refr, 20.0 - (10.0 - off[0]), 1e-12);
}
END_TEST

/* Neurons in mixed states (at rest, near and above threshold, above
 * threshold but falling, refractory for less or more than a step, with
 * inputs of either sign), as arrays and as states in ref. */
static void mixed_states(int n, double *v, double *ge, double *gi, double *refr,
                         ladsim_lif_state *ref)
{
  for (int i = 0; i < n; i++) {
    v[i] = -68.0 + 18.2 * fmod(0.618034 * i, 1.0);     /* a few start above v_th */
    ge[i] = 9.0 * fmod(0.414214 * i, 1.0);
    gi[i] = -11.0 * fmod(0.732051 * i, 1.0);
    refr[i] = i % 7 == 0 ? 0.05 + 0.01 * i : i % 7 == 1 ? 0.06 : 0.0;
    if (i % 11 == 5) {
      /* Above threshold but pulled below it within the step: fires at once. */
      v[i] = -49.95;
      gi[i] = -60.0;
    }
    ref[i] = (ladsim_lif_state){v[i], ge[i], gi[i], refr[i]};
  }
}

/* A population in mixed states (at rest, near and above threshold, above
 * threshold but falling, refractory for less or more than a step, with
 * inputs of either sign)
 * goes through update_quiet and, neuron by neuron, through ladsim_lif_step:
 * the results agree bit for bit, spikes included. 150 neurons span three
 * blocks of the fast path. */
START_TEST(test_quiet_matches_step)
{
  enum { N = 150, STEPS = 400 };
  ladsim_lif_params p = defaults();
  p.t_ref = 0.73;
  p.i_e = 15.0;  /* regular firing every 10.4 ms */
  ladsim_lif_internals in = prepared(&p, 0.1);
  double v[N], ge[N], gi[N], refr[N];
  ladsim_lif_state ref[N];
  mixed_states(N, v, ge, gi, refr, ref);
  size_t ids[N * 2], total = 0;
  double offs[N * 2], off_ref[8];
  for (int k = 0; k < STEPS; k++) {
    size_t n = ladsim_lif_update_quiet(&in, N, v, ge, gi, refr, ids, offs, N * 2);
    ck_assert_uint_lt(n, N * 2);
    size_t m = 0;
    for (size_t i = 0; i < N; i++) {
      int fired = ladsim_lif_step(&in, &ref[i], NULL, 0, off_ref, 8);
      for (int f = 0; f < fired; f++, m++) {
        ck_assert_uint_lt(m, n);
        ck_assert_uint_eq(ids[m], i);
        ck_assert(offs[m] == off_ref[f]);
      }
      ck_assert(v[i] == ref[i].v && ge[i] == ref[i].ge);
      ck_assert(gi[i] == ref[i].gi && refr[i] == ref[i].refr);
    }
    ck_assert_uint_eq(m, n);
    total += n;
  }
  ck_assert_uint_gt(total, 100);
}
END_TEST

/* V at the end of a step without inputs, refractoriness or threshold. */
static double free_end(const ladsim_lif_internals *in, const ladsim_lif_state *s)
{
  const ladsim_lif_propagator *p = &in->step;
  return in->v_inf + ((s->v - in->v_inf) * p->dm + s->ge * p->ke + s->gi * p->ki);
}

/* The same population through update_free, with the caller's part done as
 * a population does it: the currents in a frame whose scales decay by
 * d_e and d_i per step; before the pass, a neuron whose refractoriness
 * ends inside the step goes through ladsim_lif_step; after it, one
 * refractory all step gets V back at v_reset and refr - h, and one the
 * pass flagged goes through ladsim_lif_step from the state the pass kept.
 * The flagged ones must be exactly those at or reaching threshold, and
 * every neuron must follow ladsim_lif_step alone up to rounding: the same
 * spikes, at the same times to 1e-12 ms. 151 neurons leave a tail after
 * the groups of four. */
START_TEST(test_free_matches_step)
{
  enum { N = 151, STEPS = 400 };
  ladsim_lif_params p = defaults();
  p.t_ref = 0.73;
  p.i_e = 15.0;
  ladsim_lif_internals in = prepared(&p, 0.1);
  double v[N], ge[N], gi[N], refr[N], refr0[N], off[N][8], off_ref[8];
  double se = 1.0, si = 1.0;
  uint32_t flagged[N];
  int fired_early[N];
  ladsim_lif_state ref[N], before[N], early[N];
  mixed_states(N, v, ge, gi, refr, ref);
  size_t total = 0, left = 0, n_flagged = 0;
  for (int k = 0; k < STEPS; k++) {
    double se1 = se * in.step.de, si1 = si * in.step.di;
    for (size_t i = 0; i < N; i++) {
      refr0[i] = refr[i];
      if (refr[i] > 0.0 && refr[i] < in.h) {
        early[i] = (ladsim_lif_state){v[i], ge[i] * se, gi[i] * si, refr[i]};
        fired_early[i] = ladsim_lif_step(&in, &early[i], NULL, 0, off[i], 8);
      }
    }
    size_t nf = ladsim_lif_update_free(&in, N, v, ge, gi, se, si, flagged, before);
    ck_assert_uint_le(nf, N);
    size_t f = 0;
    for (size_t i = 0; i < N; i++) {
      ladsim_lif_state was = ref[i];
      int fired = ladsim_lif_step(&in, &ref[i], NULL, 0, off_ref, 8), mine = 0;
      int is_flagged = f < nf && flagged[f] == i;
      if (is_flagged) {
        ck_assert_double_eq_tol(before[f].v, was.v, 1e-9);
        ck_assert_double_eq_tol(before[f].ge, was.ge, 1e-9);
        ck_assert_double_eq_tol(before[f].gi, was.gi, 1e-9);
        f++;
      }
      if (refr0[i] >= in.h) {
        v[i] = in.v_reset;
        refr[i] -= in.h;
      } else if (refr0[i] > 0.0) {
        v[i] = early[i].v, refr[i] = early[i].refr;
        ge[i] = early[i].ge / se1, gi[i] = early[i].gi / si1;
        mine = fired_early[i];
        left++;
      } else {
        /* not refractory: flagged exactly when the step reaches threshold */
        ck_assert_int_eq(is_flagged, was.v >= in.v_th || free_end(&in, &was) >= in.v_th);
        ck_assert(is_flagged || fired == 0);
        if (is_flagged) {
          ladsim_lif_state st = before[f - 1];
          st.refr = refr[i];
          mine = ladsim_lif_step(&in, &st, NULL, 0, off[i], 8);
          v[i] = st.v, refr[i] = st.refr;
          ge[i] = st.ge / se1, gi[i] = st.gi / si1;
          left++;
          n_flagged++;
        }
      }
      ck_assert_int_eq(mine, fired);
      for (int s = 0; s < fired; s++)
        ck_assert_double_eq_tol(off[i][s], off_ref[s], 1e-12);
      ck_assert_double_eq_tol(v[i], ref[i].v, 1e-9);
      ck_assert_double_eq_tol(ge[i] * se1, ref[i].ge, 1e-9);
      ck_assert_double_eq_tol(gi[i] * si1, ref[i].gi, 1e-9);
      ck_assert_double_eq_tol(refr[i], ref[i].refr, 1e-12);
      total += (size_t)fired;
    }
    ck_assert_uint_eq(f, nf);
    se = se1, si = si1;
  }
  ck_assert_uint_gt(total, 100);
  ck_assert_uint_gt(n_flagged, 100);
  ck_assert_uint_gt(left, total);
  ck_assert(se < 1e-3);   /* the frame moved far from the actual currents */
}
END_TEST

/* The scalar, AVX2 and AVX-512 loops of update_free give the same V, the
 * same flagged neurons and the same states before the step, bit for bit,
 * over many steps of the mixed population (a loop the processor lacks is
 * skipped; the scalar one always runs). 151 neurons leave a tail after the
 * groups of four and of eight. */
START_TEST(test_free_loops_agree)
{
  enum { N = 151, STEPS = 300 };
  ladsim_lif_params p = defaults();
  p.i_e = 15.0;
  ladsim_lif_internals in = prepared(&p, 0.1);
  double v[3][N], ge[N], gi[N], refr[N];
  ladsim_lif_state ref[N], before[3][N];
  uint32_t flagged[3][N];
  mixed_states(N, v[0], ge, gi, refr, ref);
  memcpy(v[1], v[0], sizeof v[0]);
  memcpy(v[2], v[0], sizeof v[0]);
  const ladsim_lif_isa isa[3] = {LADSIM_LIF_ISA_SCALAR, LADSIM_LIF_ISA_AVX2,
                                 LADSIM_LIF_ISA_AVX512};
  double se = 1.0, si = 1.0;
  size_t compared = 0, n_flagged = 0;
  for (int k = 0; k < STEPS; k++) {
    size_t nf[3];
    for (int a = 0; a < 3; a++)
      nf[a] = ladsim__lif_update_free_isa(isa[a], &in, N, v[a], ge, gi, se, si, flagged[a],
                                          before[a]);
    ck_assert_uint_ne(nf[0], SIZE_MAX);
    for (int a = 1; a < 3; a++) {
      if (nf[a] == SIZE_MAX)
        continue;
      ck_assert_uint_eq(nf[a], nf[0]);
      ck_assert_int_eq(memcmp(v[a], v[0], sizeof v[0]), 0);
      ck_assert_int_eq(memcmp(flagged[a], flagged[0], nf[0] * sizeof flagged[0][0]), 0);
      ck_assert_int_eq(memcmp(before[a], before[0], nf[0] * sizeof before[0][0]), 0);
      compared++;
    }
    n_flagged += nf[0];
    /* a flagged neuron fires and is reset, so that the loops meet
     * threshold crossings all along */
    for (size_t f = 0; f < nf[0]; f++)
      for (int a = 0; a < 3; a++)
        v[a][flagged[0][f]] = p.v_reset;
    se *= in.step.de;
    si *= in.step.di;
  }
  ck_assert_uint_gt(n_flagged, 100);
#if defined(__x86_64__)
  ck_assert_uint_gt(compared, 0);   /* x86-64 machines here have AVX2 at least */
#endif
}
END_TEST

/* More spikes in one step than the buffer holds: the first ones are
 * reported, the count is capped, and the state is the same as with room. */
START_TEST(test_spike_buffer_cap)
{
  ladsim_lif_params p = defaults();
  p.t_ref = 0.05;
  p.i_e = 1000.0;  /* from v_reset to v_th in 0.19 ms */
  ladsim_lif_internals in = prepared(&p, 1.0);
  ladsim_lif_state a = {-55.0, 0.0, 0.0, 0.0}, b = a;
  double big[16], small[2];
  int n_big = ladsim_lif_step(&in, &a, NULL, 0, big, 16);
  ck_assert_int_ge(n_big, 3);
  ck_assert_int_lt(n_big, 16);
  ck_assert_int_eq(ladsim_lif_step(&in, &b, NULL, 0, small, 2), 2);
  ck_assert(small[0] == big[0] && small[1] == big[1]);
  ck_assert(a.v == b.v && a.ge == b.ge && a.refr == b.refr);
  /* The same through the fast path: room for neuron 0's spikes and the
   * first of neuron 1's. */
  double v[2] = {-55.0, -55.0}, ge[2] = {0, 0}, gi[2] = {0, 0}, refr[2] = {0, 0}, offs[16];
  size_t ids[16], room = (size_t)n_big + 1;
  ck_assert_uint_eq(ladsim_lif_update_quiet(&in, 2, v, ge, gi, refr, ids, offs, room), room);
  ck_assert_uint_eq(ids[0], 0);
  ck_assert_uint_eq(ids[n_big - 1], 0);
  ck_assert_uint_eq(ids[n_big], 1);
  ck_assert(offs[n_big - 1] == big[n_big - 1] && offs[n_big] == big[0]);
  ck_assert(v[1] == a.v && v[0] == a.v && refr[1] == a.refr);
}
END_TEST

/* beta / (1 + beta |v - v_th|)^2: peak beta at threshold, symmetric. */
START_TEST(test_surrogate)
{
  ck_assert_double_eq_tol(ladsim_lif_surrogate(-52.0, -50.0, 2.0), 2.0 / 25.0, 1e-15);
  ck_assert_double_eq_tol(ladsim_lif_surrogate(-48.0, -50.0, 2.0), 2.0 / 25.0, 1e-15);
  ck_assert_double_eq_tol(ladsim_lif_surrogate(-50.0, -50.0, 3.5), 3.5, 1e-15);
  ck_assert_double_eq_tol(ladsim_lif_surrogate(-60.0, -50.0, 0.5), 0.5 / 36.0, 1e-15);
}
END_TEST

/* Expects ladsim_lif_params_check to reject p naming key. */
static void expect_bad(const ladsim_lif_params *p, const char *key)
{
  ladsim_lif_internals in;
  ck_assert_int_eq(ladsim_lif_params_check(p), LADSIM_EINVAL);
  ck_assert_ptr_nonnull(strstr(ladsim_error_message(), key));
  ck_assert_int_eq(ladsim_lif_prepare(p, 0.1, &in), LADSIM_EINVAL);
  ck_assert_ptr_nonnull(strstr(ladsim_error_message(), key));
}

START_TEST(test_bad_parameters)
{
  ladsim_lif_params d, p;
  ladsim_lif_params_default(&d);
  ck_assert_int_eq(ladsim_lif_params_check(&d), LADSIM_OK);
  p = d, p.tau_m = 0.0, expect_bad(&p, "tau_m");
  p = d, p.tau_e = -2.5, expect_bad(&p, "tau_e");
  p = d, p.tau_i = NAN, expect_bad(&p, "tau_i");
  p = d, p.t_ref = -0.1, expect_bad(&p, "t_ref");
  p = d, p.v_reset = -50.0, expect_bad(&p, "v_reset");
  p = d, p.v_th = -70.0, expect_bad(&p, "v_th");
  p = d, p.e_l = INFINITY, expect_bad(&p, "e_l");
  ladsim_lif_internals in;
  ck_assert_int_eq(ladsim_lif_prepare(&d, 0.0, &in), LADSIM_EINVAL);
  ck_assert_ptr_nonnull(strstr(ladsim_error_message(), "resolution"));
}
END_TEST

/* params_set commits only a valid whole. */
START_TEST(test_params_set)
{
  ladsim_lif_params p, d;
  ladsim_lif_params_default(&p);
  d = p;
  ck_assert_int_eq(ladsim_lif_params_set(&p, "v_reset", -49.0), LADSIM_EINVAL);
  ck_assert_ptr_nonnull(strstr(ladsim_error_message(), "v_reset"));
  ck_assert(memcmp(&p, &d, sizeof p) == 0);
  ck_assert_int_eq(ladsim_lif_params_set(&p, "tau_x", 3.0), LADSIM_EINVAL);
  ck_assert_ptr_nonnull(strstr(ladsim_error_message(), "tau_x"));
  ck_assert_int_eq(ladsim_lif_params_set(&p, "tau_i", 7.25), LADSIM_OK);
  ck_assert_double_eq(p.tau_i, 7.25);
  ck_assert_int_eq(ladsim_lif_params_set(&p, "v_th", -62.0), LADSIM_EINVAL);
  ck_assert_double_eq(p.v_th, -50.0);
}
END_TEST

int main(void)
{
  Suite *s = suite_create("lif");
  TCase *exact = tcase_create("exact integration");
  tcase_add_test(exact, test_current_step);
  tcase_add_test(exact, test_synaptic_response);
  tcase_add_test(exact, test_synaptic_response_singular);
  tcase_add_test(exact, test_synaptic_response_near_singular);
  tcase_add_test(exact, test_input_kernel);
  suite_add_tcase(s, exact);
  TCase *spikes = tcase_create("spikes");
  tcase_add_test(spikes, test_precision_across_resolutions);
  tcase_add_test(spikes, test_first_passage_and_isi);
  tcase_add_test(spikes, test_refractoriness);
  tcase_add_test(spikes, test_first_of_several_crossings);
  tcase_add_test(spikes, test_spike_buffer_cap);
  suite_add_tcase(s, spikes);
  TCase *paths = tcase_create("fast path");
  tcase_add_test(paths, test_quiet_matches_step);
  tcase_add_test(paths, test_free_matches_step);
  tcase_add_test(paths, test_free_loops_agree);
  suite_add_tcase(s, paths);
  TCase *api = tcase_create("parameters");
  tcase_add_test(api, test_surrogate);
  tcase_add_test(api, test_bad_parameters);
  tcase_add_test(api, test_params_set);
  suite_add_tcase(s, api);
  SRunner *sr = srunner_create(s);
  srunner_run_all(sr, CK_NORMAL);
  int failed = srunner_ntests_failed(sr);
  srunner_free(sr);
  return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
