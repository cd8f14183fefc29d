/* lif.h: the current-based leaky integrate-and-fire neuron, integrated exactly with off-grid spike times.
 *
 * Equations (CUBA form of Vogels and Abbott 2005, as benchmarked by Brette
 * et al. 2007)
 *
 *     tau_m dV/dt   = -(V - E_L) + g_e + g_i + I_e
 *     tau_e dg_e/dt = -g_e
 *     tau_i dg_i/dt = -g_i
 *
 * g_e, g_i and I_e are voltage-like currents in mV. An incoming spike of
 * weight w (mV) at time t_s adds w to g_e if w > 0 and to g_i if w < 0, at
 * exactly t_s. When V reaches v_th at time t* the neuron spikes at t*, V is
 * set to v_reset and held there for t_ref; during that time g_e and g_i go
 * on decaying and inputs go on adding to them. From t* + t_ref on, V evolves
 * freely again from v_reset.
 *
 * Exact integration
 *
 * Between two events (an input, a spike, the end of refractoriness, a step
 * boundary) the system is linear with constant coefficients, so it is
 * advanced by its exact solution (Rotter and Diesmann 1999). Over an
 * interval of length s, with V_inf = E_L + I_e and d_x = e^{-s/tau_x},
 *
 *     V(s)   = V_inf + (V(0) - V_inf) d_m + g_e(0) K(tau_e, s) + g_i(0) K(tau_i, s)
 *     g_e(s) = g_e(0) d_e,      g_i(s) = g_i(0) d_i
 *     K(tau_x, s) = tau_x / (tau_x - tau_m) (d_x - d_m)       tau_x != tau_m
 *     K(tau_m, s) = (s / tau_m) d_m                            tau_x == tau_m
 *
 * K is evaluated as d_m expm1(s r) / (tau_m r) with r = 1/tau_m - 1/tau_x,
 * which is the same quantity without the cancellation of d_x - d_m: it stays
 * accurate for short intervals and for tau_x arbitrarily close to tau_m, and
 * goes over continuously into the singular form, which is used when tau_x
 * equals tau_m to double precision. The propagators for a full step h are
 * computed once (ladsim_lif_prepare); shorter intervals inside a step are
 * computed when they occur.
 *
 * Threshold crossings
 *
 * Spike times are not tied to the grid (Morrison et al. 2007; Hanuschkin
 * et al. 2010). At the end of each event-free interval, if V >= v_th there,
 * the first time s* in (0, s] with V(s*) = v_th is located to better than
 * 1e-13 ms. The interval is first cut where dV/ds changes sign: e^{s/tau_m}
 * dV/ds changes direction only where g_e/tau_e + g_i/tau_i changes sign, a
 * point known in closed form, so dV/ds has at most one zero on either side
 * of it. V is monotone on each piece, and the first piece that reaches v_th
 * holds the crossing, which a Newton iteration kept inside a shrinking
 * bracket (bisection as the fallback) then locates. So even when V goes up,
 * down and up again within one interval, the spike is at the first
 * crossing. The search needs no memory and no GSL workspace, so the hot
 * path does not allocate.
 *
 * Limitation: as in NEST's precise-timing models, threshold is only tested at
 * the end of each event-free interval, so an excursion of V above v_th that
 * starts and ends inside one interval (up and back down before the next
 * event or step boundary) is missed. A finer resolution shortens the
 * intervals and makes such misses rarer.
 *
 * Parameters
 *
 *     name     unit  default  range       meaning
 *     tau_m    ms    20       > 0         membrane time constant
 *     tau_e    ms    5        > 0         decay of excitatory input g_e
 *     tau_i    ms    10       > 0         decay of inhibitory input g_i
 *     v_th     mV    -50      > v_reset   spike threshold
 *     v_reset  mV    -60      < v_th      potential after a spike
 *     e_l      mV    -49                  resting potential
 *     t_ref    ms    5        >= 0        absolute refractory period
 *     i_e      mV    0                    constant drive
 *
 * All values must be finite. The defaults are those of the CUBA benchmark,
 * whose resting potential lies above threshold, so an isolated neuron fires
 * regularly.
 *
 * Learning uses a surrogate of dS/dV, the derivative of a fast sigmoid
 * (Zenke and Ganguli 2018; Neftci et al. 2019):
 *
 *     sigma'(V) = beta / (1 + beta |V - v_th|)^2
 *
 * References
 *
 *   Brette R et al. (2007) Simulation of networks of spiking neurons: a
 *     review of tools and strategies. J Comput Neurosci 23:349-398.
 *   Hanuschkin A, Kunkel S, Helias M, Morrison A, Diesmann M (2010) A general
 *     and efficient method for incorporating precise spike times in globally
 *     time-driven simulations. Front Neuroinform 4:113.
 *   Morrison A, Straube S, Plesser HE, Diesmann M (2007) Exact subthreshold
 *     integration with continuous spike times in discrete-time neural network
 *     simulations. Neural Comput 19:47-79.
 *   Neftci EO, Mostafa H, Zenke F (2019) Surrogate gradient learning in
 *     spiking neural networks. IEEE Signal Process Mag 36:51-63.
 *   Rotter S, Diesmann M (1999) Exact digital simulation of time-invariant
 *     linear systems with applications to neuronal modeling. Biol Cybern
 *     81:381-402.
 *   Vogels TP, Abbott LF (2005) Signal propagation and logic gating in
 *     networks of integrate-and-fire neurons. J Neurosci 25:10786-10795.
 *   Zenke F, Ganguli S (2018) SuperSpike: supervised learning in multilayer
 *     spiking neural networks. Neural Comput 30:1514-1541.
 */
#ifndef LADSIM_MODELS_LIF_H
#define LADSIM_MODELS_LIF_H

#include <stddef.h>
#include <stdint.h>
#include <ladsim/error.h>

/* What the user sets (units in the table above). */
typedef struct {
  double tau_m, tau_e, tau_i;    /* ms */
  double v_th, v_reset, e_l;     /* mV */
  double t_ref;                  /* ms */
  double i_e;                    /* mV */
} ladsim_lif_params;

/* The exact propagators over one interval of length s. */
typedef struct {
  double dm;                     /* e^{-s/tau_m} */
  double de, di;                 /* e^{-s/tau_e}, e^{-s/tau_i} */
  double ke, ki;                 /* K(tau_e, s), K(tau_i, s): V's response to unit g_e(0), g_i(0) */
} ladsim_lif_propagator;

/* The response of V to one input current, in the form the propagators
 * use: K(tau_x, s) = d_m expm1(s r) scale (lif.c). */
typedef struct {
  double tau;                    /* ms: tau_x */
  double r;                      /* 1/ms: 1/tau_m - 1/tau_x */
  double scale;                  /* 1 / (tau_m r) = tau_x / (tau_x - tau_m) */
  int singular;                  /* tau_x equals tau_m to double precision */
} ladsim_lif_kernel;

/* Internal variables: the parameters in the form the update uses and the
 * propagators for one step of the resolution h. */
typedef struct {
  double h;                      /* ms: the resolution these are for */
  double tau_m, tau_e, tau_i;    /* ms */
  double rate_m;                 /* 1/ms: 1 / tau_m */
  ladsim_lif_kernel kern_e, kern_i;
  double v_th, v_reset;          /* mV */
  double v_inf;                  /* mV: e_l + i_e, where V relaxes to without input */
  double t_ref;                  /* ms */
  ladsim_lif_propagator step;    /* over one full step h */
} ladsim_lif_internals;

/* The state of one neuron. */
typedef struct {
  double v;                      /* mV */
  double ge, gi;                 /* mV; ge >= 0 and gi <= 0 when driven only by inputs */
  double refr;                   /* ms of refractoriness left; <= 0: not refractory */
} ladsim_lif_state;

/* One incoming spike. */
typedef struct {
  double offset;                 /* ms into the step, in [0, h) */
  double weight;                 /* mV; the sign picks g_e (> 0) or g_i (< 0) */
} ladsim_lif_input;

/* Fills p with the defaults of the table above. */
void ladsim_lif_params_default(ladsim_lif_params *p);

/* Checks parameters; the message names the offending one. */
ladsim_status ladsim_lif_params_check(const ladsim_lif_params *p);

/* Sets the parameter called key (a name from the table) to value. The change
 * is made on a copy that is checked as a whole and committed only if valid,
 * so p is unchanged on failure. */
ladsim_status ladsim_lif_params_set(ladsim_lif_params *p, const char *key, double value);

/* Computes the internals for resolution h (ms, > 0). */
ladsim_status ladsim_lif_prepare(const ladsim_lif_params *p, double h,
                                 ladsim_lif_internals *out);

/* Advances one neuron by one step of length h, applying the inputs at their
 * exact times. The inputs must be sorted by offset; an offset behind the one
 * before it is applied together with it, one at or beyond h at the end of
 * the step. Writes the offsets (in [0, h], ascending) of the spikes emitted
 * into spikes and returns how many it wrote, at most max_spikes: a neuron
 * that emits more in one step is still simulated correctly, but the extra
 * spikes are not reported, so a return of max_spikes means the buffer may
 * have been too small. With t_ref > 0 one step holds at most
 * floor(h / t_ref) + 1 spikes. Does not allocate. */
int ladsim_lif_step(const ladsim_lif_internals *in, ladsim_lif_state *s,
                    const ladsim_lif_input *inputs, size_t n_inputs,
                    double *spikes, int max_spikes);

/* The fast path for n neurons that receive nothing in this step, held as a
 * structure of arrays (v, ge, gi, refr; distinct arrays of length n).
 * Neurons that are not refractory and stay below threshold are advanced with
 * the precomputed propagators only, in a loop the compiler can vectorise;
 * the others go through ladsim_lif_step, so the result is bit for bit that
 * of ladsim_lif_step without inputs. Writes the index and offset of every
 * spike, by neuron index and then time, and returns how many it wrote, at
 * most max_spikes (the same truncation rule as ladsim_lif_step). Does not
 * allocate. */
size_t ladsim_lif_update_quiet(const ladsim_lif_internals *in, size_t n, double *v,
                               double *ge, double *gi, double *refr,
                               size_t *spike_ids, double *spike_offsets,
                               size_t max_spikes);

/* The same for a population of which some neurons receive inputs this step
 * (busy[i] = 1; busy may be NULL). A busy neuron that the whole-step update
 * can take gets it like the others, and the caller adds the effect of its
 * inputs (ladsim_lif_input_effect: the dynamics are linear below threshold);
 * a busy neuron that is partly refractory or may reach threshold is left
 * untouched, marked busy[i] = 2, for the caller to advance with
 * ladsim_lif_step and its inputs. */
size_t ladsim_lif_update_quiet_masked(const ladsim_lif_internals *in, size_t n, double *v,
                                      double *ge, double *gi, double *refr,
                                      unsigned char *busy, size_t *spike_ids,
                                      double *spike_offsets, size_t max_spikes);

/* The whole-step update of V for n neurons without inputs (structure of
 * arrays as above), blind to refractoriness, in one pass with no branch in
 * the common case. The input currents are held in a frame that decays with
 * them: neuron i's are ge[i] se and gi[i] si, and the caller lets them
 * decay over the step by multiplying se by e^{-h/tau_e} and si by
 * e^{-h/tau_i}, so the pass reads ge and gi but writes only V. For a
 * neuron that is not refractory, receives nothing and stays below
 * threshold at both ends of the step, that is ladsim_lif_step up to
 * rounding (the currents are products with the scales). The caller
 * handles its refractory neurons (it knows which: a neuron becomes
 * refractory only by firing) and those that receive inputs
 * (ladsim_lif_input_effect; below threshold the dynamics are linear). A
 * neuron at threshold before the step or reaching it at its end is updated
 * too, but its index is written to flagged and its state before the step
 * (v and the actual currents; refr set to 0) to before, for the caller to
 * advance with ladsim_lif_step instead; both have room for n, and come in
 * ascending order. Returns how many were flagged. A NaN state is not
 * flagged; it propagates. Does not allocate. */
size_t ladsim_lif_update_free(const ladsim_lif_internals *in, size_t n, double *v,
                              const double *ge, const double *gi, double se, double si,
                              uint32_t *flagged, ladsim_lif_state *before);

/* The loops of ladsim_lif_update_free: it takes the widest the processor
 * has. They give the same results bit for bit. */
typedef enum {
  LADSIM_LIF_ISA_BEST,
  LADSIM_LIF_ISA_SCALAR,
  LADSIM_LIF_ISA_AVX2,
  LADSIM_LIF_ISA_AVX512
} ladsim_lif_isa;

/* ladsim_lif_update_free with the loop for isa, for tests; SIZE_MAX (and
 * nothing done) when the processor or the build lacks it. */
size_t ladsim__lif_update_free_isa(ladsim_lif_isa isa, const ladsim_lif_internals *in,
                                   size_t n, double *v, const double *ge, const double *gi,
                                   double se, double si, uint32_t *flagged,
                                   ladsim_lif_state *before);

/* One step of a neuron refractory for all of it (s->refr >= h): V stays at
 * v_reset while g_e and g_i decay; bit for bit ladsim_lif_step without
 * inputs. */
void ladsim_lif_refractory_step(const ladsim_lif_internals *in, ladsim_lif_state *s);

/* The change at the end of the step of V (*dv) and of g_e or g_i (*dg, by
 * the sign of weight) caused by an input of weight at offset, for a neuron
 * that stays below threshold and out of refractoriness from offset to the
 * end of the step. Exact by superposition. */
void ladsim_lif_input_effect(const ladsim_lif_internals *in, double offset, double weight,
                             double *dv, double *dg);

/* The same for a unit input, excitatory (g_e) or not (g_i): the effect of
 * weight w is w times these, bit for bit ladsim_lif_input_effect. A spike
 * that reaches several populations of equal time constants needs them
 * once. */
void ladsim_lif_input_kernel(const ladsim_lif_internals *in, double offset, int excitatory,
                             double *kv, double *kg);

/* The surrogate derivative beta / (1 + beta |v - v_th|)^2 (beta in 1/mV). */
double ladsim_lif_surrogate(double v, double v_th, double beta);

#endif
