/* lif.c: exact integration of the current-based LIF neuron, with threshold crossings located inside a step. */
#include "config.h"
#include "lif.h"

#include <float.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#endif

/* Crossing times are located to this width (ms); the brief asks 1e-13. */
#define LIF_ROOT_TOL 1e-14
/* lif_guess stops once a Newton step on the cubic moves its guess by less
 * than this fraction of the interval. */
#define LIF_GUESS_TOL 1e-6
/* Bisection alone needs about 60 halvings from a 10 ms bracket. */
#define LIF_ROOT_MAXIT 200
/* Neurons per block of the fast path: small enough for the block's copies
 * and flags to live on the stack and in L1, large enough for the vector loop
 * to pay off. */
#define LIF_QUIET_BLOCK 64

/* The parameters by name, for messages and for ladsim_lif_params_set. */
static const struct {
  const char *name;
  size_t offset;
} lif_keys[] = {
  {"tau_m", offsetof(ladsim_lif_params, tau_m)},
  {"tau_e", offsetof(ladsim_lif_params, tau_e)},
  {"tau_i", offsetof(ladsim_lif_params, tau_i)},
  {"v_th", offsetof(ladsim_lif_params, v_th)},
  {"v_reset", offsetof(ladsim_lif_params, v_reset)},
  {"e_l", offsetof(ladsim_lif_params, e_l)},
  {"t_ref", offsetof(ladsim_lif_params, t_ref)},
  {"i_e", offsetof(ladsim_lif_params, i_e)},
};
#define LIF_N_KEYS (sizeof lif_keys / sizeof lif_keys[0])

/* A solution of tau_m x' = -(x - c) + e0 d_e(s) + i0 d_i(s), written as
 *     x(s) = c + x0 d_m + e0 K(tau_e, s) + i0 K(tau_i, s).
 * V - v_th and tau_m dV/ds both have this form, so one evaluator and one
 * root finder serve the crossing and the turning points of V. */
typedef struct {
  double x0, e0, i0, c;
} lif_curve;

/* Where spikes of one step go. */
typedef struct {
  double *offsets;
  int max, n;
} lif_sink;

static double lif_value(const ladsim_lif_params *p, size_t k)
{
  return *(const double *)((const char *)p + lif_keys[k].offset);
}

/* K(tau_m, s) = (s / tau_m) d_m: the limit of K(tau_x, s) as tau_x -> tau_m. */
static double lif_kernel_singular(double tau_m, double s, double dm)
{
  return s / tau_m * dm;
}

/* The constants of K(tau_x, .) (ladsim_lif_kernel). tau_x - tau_m is exact
 * for nearby doubles. */
static ladsim_lif_kernel lif_kernel_prepare(double tau_m, double tau_x)
{
  double diff = tau_x - tau_m;
  if (fabs(diff) <= DBL_EPSILON * tau_m)
    return (ladsim_lif_kernel){tau_x, 0.0, 0.0, 1};
  return (ladsim_lif_kernel){tau_x, diff / (tau_m * tau_x), tau_x / diff, 0};
}

/* K(tau_x, s) = tau_x / (tau_x - tau_m) (d_x - d_m), rewritten as
 * d_m expm1(s r) / (tau_m r) with r = 1/tau_m - 1/tau_x: expm1 keeps full
 * relative precision as s r -> 0, so neither a short interval nor tau_x
 * close to tau_m cancels digits. Only where r vanishes to double precision
 * is the limit taken. The constants come from lif_kernel_prepare, so that
 * the propagators of an interval divide nothing.
 *
 * d_x = e^{-s/tau_x} comes out of the same exponential: d_x = d_m e^{s r} =
 * d_m + d_m expm1(s r). Where s r >= -1/2 the sum cancels at most a
 * factor e^{1/2} of d_m, so d_x differs from exp by a few ulp at most
 * (less than 4e-16 relative over the intervals of test_input_kernel), as
 * good as a call of exp for what uses it, and one call cheaper: every interval that is
 * not a whole step (the part of a step before or after an input, a
 * spike or the end of refractoriness) pays for its propagators, and these
 * exponentials were a sixth of the CUBA benchmark's time. Further out
 * (long intervals with tau_x < tau_m) d_x gets its own exp. */
static double lif_kernel_decay(const ladsim_lif_internals *in, const ladsim_lif_kernel *k,
                               double s, double dm, double *dx)
{
  if (k->singular) {
    *dx = exp(-s / k->tau);
    return lif_kernel_singular(in->tau_m, s, dm);
  }
  double sr = s * k->r, e = expm1(sr);
  *dx = sr >= -0.5 ? dm + dm * e : exp(-s / k->tau);
  return dm * e * k->scale;
}

/* The propagators over an interval of length s: three calls of exp or
 * expm1 (lif_kernel_decay). */
static void lif_propagate(const ladsim_lif_internals *in, double s, ladsim_lif_propagator *p)
{
  p->dm = exp(-s * in->rate_m);
  p->ke = lif_kernel_decay(in, &in->kern_e, s, p->dm, &p->de);
  p->ki = lif_kernel_decay(in, &in->kern_i, s, p->dm, &p->di);
}

/* The precomputed propagators for a full step, or fresh ones in tmp. */
static const ladsim_lif_propagator *lif_propagator_for(const ladsim_lif_internals *in, double s,
                                                       ladsim_lif_propagator *tmp)
{
  if (s == in->h)
    return &in->step;
  lif_propagate(in, s, tmp);
  return tmp;
}

/* V after one propagator. Propagating the distance to V_inf rather than V
 * itself avoids a rounding of the order of an ulp of V every step that does
 * not average out: over a thousand steps it moved spike times by 1e-12 ms
 * instead of 1e-13 ms. The scalar and the vector path both use this one
 * expression, so they round identically. */
static inline double lif_v_after(const ladsim_lif_propagator *p, double v_inf, double v,
                                 double ge, double gi)
{
  return v_inf + ((v - v_inf) * p->dm + ge * p->ke + gi * p->ki);
}

/* k at one time: x(s) and x'(s). */
typedef struct {
  double s, x, d;
} lif_point;

/* k at s, and x''(s) in *curv if curv is not NULL. The ends of a whole
 * step, where the search for a crossing evaluates most often, need no
 * exponential: at 0 the propagators are those of lif_propagate (1 and 0,
 * exactly), at h the precomputed ones. */
static lif_point lif_curve_at(const ladsim_lif_internals *in, const lif_curve *k, double s,
                              double *curv)
{
  static const ladsim_lif_propagator at_zero = {1.0, 1.0, 1.0, 0.0, 0.0};
  ladsim_lif_propagator tmp;
  const ladsim_lif_propagator *p = &tmp;
  if (s == 0.0)
    p = &at_zero;
  else
    p = lif_propagator_for(in, s, &tmp);
  double x = k->x0 * p->dm + k->e0 * p->ke + k->i0 * p->ki;
  double drive = k->e0 * p->de + k->i0 * p->di, slope = (drive - x) / in->tau_m;
  if (curv)
    *curv = (-k->e0 * p->de / in->tau_e - k->i0 * p->di / in->tau_i - slope) / in->tau_m;
  return (lif_point){s, x + k->c, slope};
}

/* A first guess for the sign change of k between a and b: the root of the
 * cubic that has k's values and slopes at both ends, by Newton steps on
 * the cubic from the secant point. On an interval short against the time
 * constants the cubic is within (len / tau)^4 of k, so the guess is close
 * enough for one or two Newton steps on k itself. */
static double lif_guess(lif_point a, lif_point b)
{
  double len = b.s - a.s, m0 = a.d * len, m1 = b.d * len;
  double u = a.x / (a.x - b.x);
  for (int it = 0; it < 4; it++) {
    double u2 = u * u, u3 = u2 * u;
    double p = (2.0 * u3 - 3.0 * u2 + 1.0) * a.x + (u3 - 2.0 * u2 + u) * m0
               + (3.0 * u2 - 2.0 * u3) * b.x + (u3 - u2) * m1;
    double dp = (6.0 * u2 - 6.0 * u) * (a.x - b.x) + (3.0 * u2 - 4.0 * u + 1.0) * m0
                + (3.0 * u2 - 2.0 * u) * m1;
    double next = u - p / dp;
    if (!(next > 0.0 && next < 1.0))
      break;
    /* Newton on the cubic squares its error: after a correction this
     * small the guess is as close to the cubic's root as the cubic is to
     * k, and the first step on k itself does the rest. */
    int close = fabs(next - u) <= LIF_GUESS_TOL;
    u = next;
    if (close)
      break;
  }
  return a.s + u * len;
}

/* The sign change of k between a and b, whose values have opposite signs
 * (a.x < 0 if neg_lo). Newton steps from lif_guess; a step that leaves the
 * bracket or does not at least halve the one before falls back to
 * bisection, so the bracket always shrinks (rtsafe of Press et al.,
 * Numerical Recipes, 9.4). After a Newton step of length d the error is
 * about |x''| d^2 / (2 |x'|), so the search stops as soon as that is below
 * the tolerance, without a further evaluation. */
static double lif_root(const ladsim_lif_internals *in, const lif_curve *k, lif_point a,
                       lif_point b, int neg_lo)
{
  double lo = a.s, hi = b.s, s = lif_guess(a, b), step_old = hi - lo;
  for (int it = 0; it < LIF_ROOT_MAXIT; it++) {
    double curv;
    lif_point at = lif_curve_at(in, k, s, &curv);
    if (at.x == 0.0)
      return s;
    if ((at.x < 0.0) == neg_lo)
      lo = s;
    else
      hi = s;
    if (hi - lo <= LIF_ROOT_TOL)
      return 0.5 * (lo + hi);
    double step = at.x / at.d, next = s - step;
    if (!(next > lo && next < hi) || fabs(step) > 0.5 * step_old) {
      step_old = 0.5 * (hi - lo);
      s = 0.5 * (lo + hi);
      continue;
    }
    step_old = fabs(step);
    s = next;
    if (step_old <= 0.5 * LIF_ROOT_TOL || fabs(curv) * step * step <= LIF_ROOT_TOL * fabs(at.d))
      return s;
  }
  return s;
}

/* Where a e^{-s/tau_e} + b e^{-s/tau_i} changes sign in (0, len), or len if
 * it does not: the sum of two exponentials changes sign at most once, so
 * over a whole step, with the same sign at both ends, it does not. */
static double lif_turn(const ladsim_lif_internals *in, double a, double b, double len)
{
  if (!(a * b < 0.0) || in->tau_e == in->tau_i)
    return len;
  if (len == in->h) {
    double end = a * in->step.de + b * in->step.di;
    if ((a + b > 0.0 && end > 0.0) || (a + b < 0.0 && end < 0.0))
      return len;
  }
  double s = log(-b / a) / (1.0 / in->tau_i - 1.0 / in->tau_e);
  return s > 0.0 && s < len ? s : len;
}

/* Appends to cuts the sign change of k in (lo, hi), if there is one; k
 * changes sign at most once there. */
static void lif_add_zero(const ladsim_lif_internals *in, const lif_curve *k, double lo, double hi,
                         double *cuts, int *n)
{
  lif_point a = lif_curve_at(in, k, lo, NULL), b = lif_curve_at(in, k, hi, NULL);
  if ((a.x < 0.0 && b.x > 0.0) || (a.x > 0.0 && b.x < 0.0))
    cuts[(*n)++] = lif_root(in, k, a, b, a.x < 0.0);
}

/* The first time in (0, len] at which V, starting below v_th in state s,
 * reaches v_th, given that it is at or above v_th at len. u = tau_m dV/ds
 * obeys the same kind of equation as V, with e^{s/tau_m} u changing
 * direction only where g_e/tau_e + g_i/tau_i changes sign (lif_turn), so u
 * has at most one zero on either side of that point. Between the zeros of u
 * V is monotone, and the first piece whose end reaches v_th holds the
 * crossing, which is then the only one in that piece. */
static double lif_first_crossing(const ladsim_lif_internals *in, const ladsim_lif_state *s,
                                 double len)
{
  double tm = in->tau_m, dv = s->v - in->v_inf;
  lif_curve f = {dv, s->ge, s->gi, in->v_inf - in->v_th};
  lif_curve u = {s->ge + s->gi - dv, -tm * s->ge / in->tau_e, -tm * s->gi / in->tau_i, 0.0};
  double cuts[4] = {0.0};
  int n = 1;
  double turn = lif_turn(in, u.e0, u.i0, len);
  lif_add_zero(in, &u, 0.0, turn, cuts, &n);
  if (turn < len)
    lif_add_zero(in, &u, turn, len, cuts, &n);
  cuts[n++] = len;
  lif_point prev = lif_curve_at(in, &f, 0.0, NULL);
  for (int j = 1; j < n; j++) {
    lif_point end = lif_curve_at(in, &f, cuts[j], NULL);
    if (end.x >= 0.0)
      return lif_root(in, &f, prev, end, 1);
    prev = end;
  }
  /* V >= v_th at len by the propagators but a hair below by this form:
   * the crossing is at the end, within rounding. */
  return len;
}

static void lif_emit(lif_sink *k, double offset)
{
  if (k->n < k->max)
    k->offsets[k->n++] = offset;
}

/* Spikes at s into the interval: g_e, g_i decay to then, V resets and
 * refractoriness starts. */
static void lif_fire(const ladsim_lif_internals *in, ladsim_lif_state *st, double s)
{
  st->ge *= exp(-s / in->tau_e);
  st->gi *= exp(-s / in->tau_i);
  st->v = in->v_reset;
  st->refr = in->t_ref;
}

/* Holds V at v_reset for what is left of refractoriness within len ms and
 * returns the time that took. When refractoriness ends inside a whole
 * step, the free part after it needs the propagators over h - r, which go
 * to *rest (otherwise *rest is NULL), and the decay of g_e and g_i up to r
 * is the step's divided by theirs: two exponentials fewer than its own,
 * at one division's rounding. */
static double lif_refractory(const ladsim_lif_internals *in, ladsim_lif_state *st, double len,
                             ladsim_lif_propagator *tmp, const ladsim_lif_propagator **rest)
{
  double r = st->refr < len ? st->refr : len;
  double de, di;
  *rest = NULL;
  if (r == in->h) {
    de = in->step.de;
    di = in->step.di;
  } else if (len == in->h) {
    lif_propagate(in, len - r, tmp);
    *rest = tmp;
    de = in->step.de / tmp->de;
    di = in->step.di / tmp->di;
  } else {
    /* Only the input decays are needed here. */
    de = exp(-r / in->tau_e);
    di = exp(-r / in->tau_i);
  }
  st->v = in->v_reset;
  st->ge *= de;
  st->gi *= di;
  st->refr = r < len ? 0.0 : st->refr - len;
  return r;
}

/* Lets V evolve freely for len ms. Returns 0 with *used = len if V stays
 * below v_th, else the spike time in *used and 1, or 2 when the neuron is
 * then refractory to the end of the interval: it is then advanced to the
 * end, g_e and g_i decayed with the interval's propagators, which spares
 * the exponentials of the spike time and of what is left after it. p
 * holds the propagators over len. */
static int lif_free(const ladsim_lif_internals *in, ladsim_lif_state *st, double len,
                    const ladsim_lif_propagator *p, double *used)
{
  double v = lif_v_after(p, in->v_inf, st->v, st->ge, st->gi);
  /* Written with ! so that a NaN state never fires but propagates. */
  if (!(st->v >= in->v_th) && !(v >= in->v_th)) {
    st->v = v;
    st->ge *= p->de;
    st->gi *= p->di;
    *used = len;
    return 0;
  }
  /* A state handed in at or above threshold fires at once. */
  *used = st->v >= in->v_th ? 0.0 : lif_first_crossing(in, st, len);
  if (in->t_ref >= len - *used) {
    st->ge *= p->de;
    st->gi *= p->di;
    st->v = in->v_reset;
    st->refr = in->t_ref - (len - *used);
    return 2;
  }
  lif_fire(in, st, *used);
  return 1;
}

/* Advances over an event-free stretch of len ms that starts t0 into the
 * step, through any number of spikes and refractory periods. */
static void lif_advance(const ladsim_lif_internals *in, ladsim_lif_state *st, double t0,
                        double len, lif_sink *k)
{
  ladsim_lif_propagator tmp;
  const ladsim_lif_propagator *next = NULL;   /* over what is left, if known */
  double t = 0.0;
  for (;;) {
    double used, left = len - t;
    if (st->refr > 0.0) {
      used = lif_refractory(in, st, left, &tmp, &next);
    } else {
      int fired = lif_free(in, st, left, next ? next : lif_propagator_for(in, left, &tmp),
                           &used);
      next = NULL;
      if (!fired)
        return;
      lif_emit(k, t0 + t + used);
      if (fired == 2)
        return;
    }
    if (used >= left)
      return;
    t += used;
  }
}

static void lif_receive(ladsim_lif_state *st, double w)
{
  if (w > 0.0)
    st->ge += w;
  else if (w < 0.0)
    st->gi += w;
}

/* Advances m neurons with the full-step propagators and flags in slow[]
 * those for which that was wrong: refractory, at threshold or crossing it
 * in the step. The loop has no branch and no select between computed
 * values (GCC will not speculate a multiplication into one), and called
 * with a constant m it vectorises even at -O2. A NaN state is not flagged;
 * it propagates as on the exact path. */
/* Four neurons at a time with GCC's vector extensions: the operations are
 * element-wise IEEE arithmetic in the same order as lif_v_after, so the
 * results equal the scalar path's bit for bit. */
typedef double lif_v4d __attribute__((vector_size(32)));
typedef long long lif_v4l __attribute__((vector_size(32)));

/* a where mask is set, else b (a macro: vectors of 32 bytes are not passed
 * by value in the baseline x86-64 ABI). */
#define LIF_SELECT(mask, a, b) \
  ((lif_v4d)(((mask) & (lif_v4l)(a)) | (~(mask) & (lif_v4l)(b))))

/* One pass over a block: every neuron that is not partly refractory and
 * does not reach threshold gets its whole-step update (stores are selects,
 * with no branch); the others keep their state and are flagged in the
 * returned bit mask for the exact path. A neuron refractory for the whole step is updated
 * here as lif_refractory does: V stays at V_reset. Cloned for AVX2 where the
 * processor has it. */
__attribute__((target_clones("avx2", "default")))
static uint64_t lif_quiet_block(const ladsim_lif_internals *in, size_t m,
                                double *restrict v, double *restrict ge,
                                double *restrict gi, double *restrict refr)
{
  uint64_t slow = 0;   /* bit j: neuron j needs the exact path */
  lif_v4l flags[LIF_QUIET_BLOCK / 4], seen = {0, 0, 0, 0};
  const ladsim_lif_propagator *p = &in->step;
  const double dm = p->dm, ke = p->ke, ki = p->ki, de = p->de, di = p->di;
  const double v_inf = in->v_inf, v_th = in->v_th, h = in->h, v_reset = in->v_reset;
  size_t j = 0;
  for (; j + 4 <= m; j += 4) {
    lif_v4d vj, gej, gij, rj;
    memcpy(&vj, v + j, sizeof vj);
    memcpy(&gej, ge + j, sizeof gej);
    memcpy(&gij, gi + j, sizeof gij);
    memcpy(&rj, refr + j, sizeof rj);
    lif_v4d vn = v_inf + ((vj - v_inf) * dm + gej * ke + gij * ki);
    lif_v4d top = LIF_SELECT(vj > vn, vj, vn);
    lif_v4l whole = rj >= h;
    lif_v4l exact = ~whole & ((rj > 0.0) | (top >= v_th));
    lif_v4d reset = {v_reset, v_reset, v_reset, v_reset};
    lif_v4d vo = LIF_SELECT(exact, vj, LIF_SELECT(whole, reset, vn));
    lif_v4d geo = LIF_SELECT(exact, gej, gej * de);
    lif_v4d gio = LIF_SELECT(exact, gij, gij * di);
    lif_v4d ro = LIF_SELECT(exact, rj, LIF_SELECT(whole, rj - h, rj));
    memcpy(v + j, &vo, sizeof vo);
    memcpy(ge + j, &geo, sizeof geo);
    memcpy(gi + j, &gio, sizeof gio);
    memcpy(refr + j, &ro, sizeof ro);
    flags[j / 4] = exact;
    seen |= exact;
  }
  /* Rare: most blocks have no neuron for the exact path. */
  if (seen[0] | seen[1] | seen[2] | seen[3])
    for (size_t g = 0; g < j / 4; g++)
      for (int l = 0; l < 4; l++)
        slow |= (uint64_t)(flags[g][l] != 0) << (4 * g + l);
  for (; j < m; j++) {
    double vn = lif_v_after(p, v_inf, v[j], ge[j], gi[j]);
    double top = v[j] > vn ? v[j] : vn;
    int whole = refr[j] >= h;
    int exact = !whole && (refr[j] > 0.0 || top >= v_th);
    if (exact) {
      slow |= (uint64_t)1 << j;
      continue;
    }
    v[j] = whole ? v_reset : vn;
    ge[j] *= de;
    gi[j] *= di;
    refr[j] = whole ? refr[j] - h : refr[j];
  }
  return slow;
}

/* Neurons j .. n of ladsim_lif_update_free, one at a time (where AVX2 is
 * missing, all of them). The vector loops leave this tail to their caller
 * rather than call it: GCC 12 omits the vzeroupper before such a call and
 * at the loop's return, and code without AVX that runs while the upper
 * halves of the vector registers are dirty runs slowly. On the AMD Zen 4
 * of the benchmark machine that made the crossing search, exp and expm1
 * nearly twice as slow (CUBA 10 s: 329 against 298 ms). */
static size_t lif_free_tail(const ladsim_lif_internals *in, size_t j, size_t n, double *v,
                            const double *ge, const double *gi, double se, double si,
                            uint32_t *flagged, ladsim_lif_state *before, size_t nf)
{
  const ladsim_lif_propagator *p = &in->step;
  const ladsim_lif_propagator q = {p->dm, p->de, p->di, p->ke * se, p->ki * si};
  for (; j < n; j++) {
    double vn = lif_v_after(&q, in->v_inf, v[j], ge[j], gi[j]);
    if (v[j] >= in->v_th || vn >= in->v_th) {
      before[nf] = (ladsim_lif_state){v[j], ge[j] * se, gi[j] * si, 0.0};
      flagged[nf++] = (uint32_t)j;
    }
    v[j] = vn;
  }
  return nf;
}

#if defined(__x86_64__) && defined(__GNUC__)
/* The loop of ladsim_lif_update_free with AVX2, four neurons an
 * iteration, in the same order of operations as lif_free_tail (no FMA),
 * so the two agree bit for bit. Three loads, one store and nine operations
 * per four neurons; a group in which one is at or reaches threshold (a few
 * in a thousand in the CUBA network) also writes the states it loaded.
 * This pass over every neuron is most of a step. Returns the neurons it
 * did (a multiple of four; lif_free_tail does the rest) and the count it
 * flagged in *n_flagged. */
__attribute__((target("avx2")))
static size_t lif_free_loop_avx2(const ladsim_lif_internals *in, size_t n, double *restrict v,
                                 const double *restrict ge, const double *restrict gi,
                                 double se, double si, uint32_t *restrict flagged,
                                 ladsim_lif_state *restrict before, size_t *n_flagged)
{
  const ladsim_lif_propagator *p = &in->step;
  const __m256d v_inf = _mm256_set1_pd(in->v_inf), dm = _mm256_set1_pd(p->dm);
  const __m256d ke = _mm256_set1_pd(p->ke * se), ki = _mm256_set1_pd(p->ki * si);
  const __m256d v_th = _mm256_set1_pd(in->v_th);
  size_t nf = 0, j = 0;
  for (; j + 4 <= n; j += 4) {
    __m256d vj = _mm256_loadu_pd(v + j), gej = _mm256_loadu_pd(ge + j);
    __m256d gij = _mm256_loadu_pd(gi + j);
    __m256d x = _mm256_add_pd(_mm256_mul_pd(_mm256_sub_pd(vj, v_inf), dm),
                              _mm256_mul_pd(gej, ke));
    __m256d vn = _mm256_add_pd(v_inf, _mm256_add_pd(x, _mm256_mul_pd(gij, ki)));
    __m256d top = _mm256_or_pd(_mm256_cmp_pd(vj, v_th, _CMP_GE_OQ),
                               _mm256_cmp_pd(vn, v_th, _CMP_GE_OQ));
    _mm256_storeu_pd(v + j, vn);
    int mask = _mm256_movemask_pd(top);
    if (__builtin_expect(mask != 0, 0)) {
      double vs[4];
      _mm256_storeu_pd(vs, vj);
      for (int l = 0; l < 4; l++)
        if (mask & (1 << l)) {
          size_t i = j + (size_t)l;
          before[nf] = (ladsim_lif_state){vs[l], ge[i] * se, gi[i] * si, 0.0};
          flagged[nf++] = (uint32_t)i;
        }
    }
  }
  *n_flagged = nf;
  return j;
}

/* The same with AVX-512, eight neurons an iteration (a multiple of eight
 * done), for processors that have it: half the instructions of the AVX2
 * loop, which made the pass about 30% faster on the development machine
 * (AMD Zen 4), with the same operations in the same order, so the results
 * are the same bit for bit. */
__attribute__((target("avx512f")))
static size_t lif_free_loop_avx512(const ladsim_lif_internals *in, size_t n,
                                   double *restrict v, const double *restrict ge,
                                   const double *restrict gi, double se, double si,
                                   uint32_t *restrict flagged,
                                   ladsim_lif_state *restrict before, size_t *n_flagged)
{
  const ladsim_lif_propagator *p = &in->step;
  const __m512d v_inf = _mm512_set1_pd(in->v_inf), dm = _mm512_set1_pd(p->dm);
  const __m512d ke = _mm512_set1_pd(p->ke * se), ki = _mm512_set1_pd(p->ki * si);
  const __m512d v_th = _mm512_set1_pd(in->v_th);
  size_t nf = 0, j = 0;
  for (; j + 8 <= n; j += 8) {
    __m512d vj = _mm512_loadu_pd(v + j), gej = _mm512_loadu_pd(ge + j);
    __m512d gij = _mm512_loadu_pd(gi + j);
    __m512d x = _mm512_add_pd(_mm512_mul_pd(_mm512_sub_pd(vj, v_inf), dm),
                              _mm512_mul_pd(gej, ke));
    __m512d vn = _mm512_add_pd(v_inf, _mm512_add_pd(x, _mm512_mul_pd(gij, ki)));
    __mmask8 mask = _mm512_cmp_pd_mask(vj, v_th, _CMP_GE_OQ)
                    | _mm512_cmp_pd_mask(vn, v_th, _CMP_GE_OQ);
    _mm512_storeu_pd(v + j, vn);
    if (__builtin_expect(mask != 0, 0)) {
      double vs[8];
      _mm512_storeu_pd(vs, vj);
      for (int l = 0; l < 8; l++)
        if (mask & (1u << l)) {
          size_t i = j + (size_t)l;
          before[nf] = (ladsim_lif_state){vs[l], ge[i] * se, gi[i] * si, 0.0};
          flagged[nf++] = (uint32_t)i;
        }
    }
  }
  *n_flagged = nf;
  return j;
}
#endif

/* Neuron i through the exact path; its spikes go after the count already
 * written. Returns the new count. */
static size_t lif_quiet_exact(const ladsim_lif_internals *in, size_t i, double *v, double *ge,
                              double *gi, double *refr, size_t *ids, double *offsets,
                              size_t max, size_t count)
{
  ladsim_lif_state st = {v[i], ge[i], gi[i], refr[i]};
  size_t room = max - count;
  int cap = room > INT_MAX ? INT_MAX : (int)room;
  int fired = ladsim_lif_step(in, &st, NULL, 0, cap > 0 ? offsets + count : NULL, cap);
  v[i] = st.v;
  ge[i] = st.ge;
  gi[i] = st.gi;
  refr[i] = st.refr;
  for (int f = 0; f < fired; f++)
    ids[count + (size_t)f] = i;
  return count + (size_t)fired;
}

void ladsim_lif_params_default(ladsim_lif_params *p)
{
  *p = (ladsim_lif_params){.tau_m = 20.0, .tau_e = 5.0, .tau_i = 10.0, .v_th = -50.0,
                           .v_reset = -60.0, .e_l = -49.0, .t_ref = 5.0, .i_e = 0.0};
}

ladsim_status ladsim_lif_params_check(const ladsim_lif_params *p)
{
  for (size_t k = 0; k < LIF_N_KEYS; k++)
    if (!isfinite(lif_value(p, k)))
      return LADSIM_ERROR(LADSIM_EINVAL, "LIF neuron: %s must be a finite number, got %g",
                          lif_keys[k].name, lif_value(p, k));
  if (!(p->tau_m > 0.0))
    return LADSIM_ERROR(LADSIM_EINVAL, "LIF neuron: tau_m must be > 0 ms, got %g ms", p->tau_m);
  if (!(p->tau_e > 0.0))
    return LADSIM_ERROR(LADSIM_EINVAL, "LIF neuron: tau_e must be > 0 ms, got %g ms", p->tau_e);
  if (!(p->tau_i > 0.0))
    return LADSIM_ERROR(LADSIM_EINVAL, "LIF neuron: tau_i must be > 0 ms, got %g ms", p->tau_i);
  if (!(p->t_ref >= 0.0))
    return LADSIM_ERROR(LADSIM_EINVAL, "LIF neuron: t_ref must be >= 0 ms, got %g ms", p->t_ref);
  if (!(p->v_reset < p->v_th))
    return LADSIM_ERROR(LADSIM_EINVAL,
                        "LIF neuron: v_reset (%g mV) must be below v_th (%g mV); "
                        "lower v_reset or raise v_th", p->v_reset, p->v_th);
  return LADSIM_OK;
}

ladsim_status ladsim_lif_params_set(ladsim_lif_params *p, const char *key, double value)
{
  ladsim_lif_params copy = *p;
  size_t k = 0;
  while (k < LIF_N_KEYS && strcmp(lif_keys[k].name, key) != 0)
    k++;
  if (k == LIF_N_KEYS)
    return LADSIM_ERROR(LADSIM_EINVAL, "LIF neuron: unknown parameter '%s' (known: tau_m, "
                        "tau_e, tau_i, v_th, v_reset, e_l, t_ref, i_e)", key);
  *(double *)((char *)&copy + lif_keys[k].offset) = value;
  LADSIM_CHECK(ladsim_lif_params_check(&copy));
  *p = copy;
  return LADSIM_OK;
}

ladsim_status ladsim_lif_prepare(const ladsim_lif_params *p, double h,
                                 ladsim_lif_internals *out)
{
  LADSIM_CHECK(ladsim_lif_params_check(p));
  if (!(h > 0.0) || !isfinite(h))
    return LADSIM_ERROR(LADSIM_EINVAL, "LIF neuron: resolution must be a finite time > 0 ms, "
                        "got %g ms", h);
  *out = (ladsim_lif_internals){.h = h, .tau_m = p->tau_m, .tau_e = p->tau_e,
                                .tau_i = p->tau_i, .rate_m = 1.0 / p->tau_m,
                                .kern_e = lif_kernel_prepare(p->tau_m, p->tau_e),
                                .kern_i = lif_kernel_prepare(p->tau_m, p->tau_i),
                                .v_th = p->v_th, .v_reset = p->v_reset,
                                .v_inf = p->e_l + p->i_e, .t_ref = p->t_ref};
  lif_propagate(out, h, &out->step);
  return LADSIM_OK;
}

int ladsim_lif_step(const ladsim_lif_internals *in, ladsim_lif_state *s,
                    const ladsim_lif_input *inputs, size_t n_inputs,
                    double *spikes, int max_spikes)
{
  lif_sink k = {spikes, max_spikes, 0};
  double t = 0.0;
  for (size_t j = 0; j < n_inputs; j++) {
    double at = fmin(inputs[j].offset, in->h);
    if (at > t) {
      lif_advance(in, s, t, at - t, &k);
      t = at;
    }
    lif_receive(s, inputs[j].weight);
  }
  if (t < in->h)
    lif_advance(in, s, t, in->h - t, &k);
  return k.n;
}

size_t ladsim_lif_update_quiet_masked(const ladsim_lif_internals *in, size_t n, double *v,
                                      double *ge, double *gi, double *refr,
                                      unsigned char *busy, size_t *spike_ids,
                                      double *spike_offsets, size_t max_spikes)
{
  size_t count = 0;
  for (size_t b = 0; b < n; b += LIF_QUIET_BLOCK) {
    size_t m = n - b < LIF_QUIET_BLOCK ? n - b : LIF_QUIET_BLOCK;
    uint64_t slow = lif_quiet_block(in, m, v + b, ge + b, gi + b, refr + b);
    for (; slow; slow &= slow - 1) {
      size_t j = (size_t)__builtin_ctzll(slow);
      if (busy && busy[b + j])
        busy[b + j] = 2;   /* left untouched for the caller's exact path */
      else
        count = lif_quiet_exact(in, b + j, v, ge, gi, refr, spike_ids, spike_offsets,
                                max_spikes, count);
    }
  }
  return count;
}

size_t ladsim__lif_update_free_isa(ladsim_lif_isa isa, const ladsim_lif_internals *in,
                                   size_t n, double *v, const double *ge, const double *gi,
                                   double se, double si, uint32_t *flagged,
                                   ladsim_lif_state *before)
{
#if defined(__x86_64__) && defined(__GNUC__)
  int has512 = __builtin_cpu_supports("avx512f"), has2 = __builtin_cpu_supports("avx2");
  if (isa == LADSIM_LIF_ISA_BEST)
    isa = has512 ? LADSIM_LIF_ISA_AVX512 : has2 ? LADSIM_LIF_ISA_AVX2 : LADSIM_LIF_ISA_SCALAR;
  if ((isa == LADSIM_LIF_ISA_AVX512 && !has512) || (isa == LADSIM_LIF_ISA_AVX2 && !has2))
    return SIZE_MAX;
  size_t j = 0, nf = 0;
  if (isa == LADSIM_LIF_ISA_AVX512)
    j = lif_free_loop_avx512(in, n, v, ge, gi, se, si, flagged, before, &nf);
  else if (isa == LADSIM_LIF_ISA_AVX2)
    j = lif_free_loop_avx2(in, n, v, ge, gi, se, si, flagged, before, &nf);
  return lif_free_tail(in, j, n, v, ge, gi, se, si, flagged, before, nf);
#else
  if (isa == LADSIM_LIF_ISA_AVX512 || isa == LADSIM_LIF_ISA_AVX2)
    return SIZE_MAX;
  return lif_free_tail(in, 0, n, v, ge, gi, se, si, flagged, before, 0);
#endif
}

size_t ladsim_lif_update_free(const ladsim_lif_internals *in, size_t n, double *v,
                              const double *ge, const double *gi, double se, double si,
                              uint32_t *flagged, ladsim_lif_state *before)
{
  return ladsim__lif_update_free_isa(LADSIM_LIF_ISA_BEST, in, n, v, ge, gi, se, si, flagged,
                                     before);
}

void ladsim_lif_refractory_step(const ladsim_lif_internals *in, ladsim_lif_state *s)
{
  s->v = in->v_reset;
  s->ge *= in->step.de;
  s->gi *= in->step.di;
  s->refr -= in->h;
}

void ladsim_lif_input_kernel(const ladsim_lif_internals *in, double offset, int excitatory,
                             double *kv, double *kg)
{
  double s = in->h - offset;
  double dm = exp(-s * in->rate_m);
  *kv = lif_kernel_decay(in, excitatory ? &in->kern_e : &in->kern_i, s, dm, kg);
}

void ladsim_lif_input_effect(const ladsim_lif_internals *in, double offset, double weight,
                             double *dv, double *dg)
{
  double kv, kg;
  ladsim_lif_input_kernel(in, offset, weight > 0.0, &kv, &kg);
  *dg = weight * kg;
  *dv = weight * kv;
}

size_t ladsim_lif_update_quiet(const ladsim_lif_internals *in, size_t n, double *v,
                               double *ge, double *gi, double *refr,
                               size_t *spike_ids, double *spike_offsets,
                               size_t max_spikes)
{
  return ladsim_lif_update_quiet_masked(in, n, v, ge, gi, refr, NULL, spike_ids,
                                        spike_offsets, max_spikes);
}

double ladsim_lif_surrogate(double v, double v_th, double beta)
{
  double d = 1.0 + beta * fabs(v - v_th);
  return beta / (d * d);
}
