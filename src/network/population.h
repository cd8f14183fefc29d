/* population.h: a population of LIF neurons, its incoming spike buffer and its spikes.
 *
 * A population of a lif layer with from: input also has a dense learned
 * input from the stimulus (ladsim_dense_input, population_input.c); in a
 * step with input spikes every neuron receives, and the same choice as for
 * sparse events applies: superposition below threshold, the exact path
 * for the others.
 *
 * Spikes travel as events with exact times. A spike of source j at step k
 * and offset o reaches its targets after the projection's delay of D steps,
 * at step k + D with the same offset; it is kept in a ring of slots, one per
 * step ahead, until then, once per target population with its list of
 * targets. In a step the arriving spikes are applied in (offset, source id,
 * weight) order, so the result does not depend on the order in which they
 * were delivered. A step (step_sparse) is one pass over all neurons for
 * the whole-step update without inputs, which writes V only: the input
 * currents are held in a frame that decays with them (gscale). Then come
 * the few neurons the pass got wrong and those that receive inputs: a
 * neuron refractory (kept in a list, so that the pass does not look at
 * refractoriness at all), at or reaching threshold, or whose inputs may
 * take it there, goes through the exact path (ladsim_lif_step, which
 * tests the threshold at every input); the other receivers get the summed
 * effect of their inputs by superposition. So the population follows
 * ladsim_lif_step neuron by neuron to rounding (tests/test_spiking.c).
 *
 * A rank holds a block of the layer's neurons, lo .. lo + n (comm/comm.h),
 * with their state, their incoming events and their rows of the dense
 * input; arrays are indexed 0 .. n - 1 for neurons lo .. lo + n - 1, and
 * the step's spike_ids count from lo too. */
#ifndef LADSIM_NETWORK_POPULATION_H
#define LADSIM_NETWORK_POPULATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <ladsim/error.h>
#include <ladsim/model.h>
#include "learning/rule.h"
#include "models/lif.h"

/* One spike on its way to some targets of one population: what they all
 * receive, and where its targets are in the slot's list. */
typedef struct {
  uint32_t source;       /* global id of the sender, for the canonical order */
  double offset;         /* ms into the step */
  double weight;         /* mV */
  double dv, dg;         /* its effect at the end of the step (superposition) */
  const uint32_t *ext;   /* its targets: ext[0 .. n), or if NULL the slot's */
  size_t first, n;       /* hits[first .. first + n) */
} ladsim_arrival;

/* The spikes arriving in one step. A spike reaches some 80 targets in the
 * CUBA network, so it is kept once, with its list of targets, rather than
 * once per target; the list of a projection's row is not even copied. */
typedef struct {
  ladsim_arrival *arr;
  size_t n_arr, arr_cap;
  uint32_t *hits;
  size_t n_hits, hits_cap;
} ladsim_event_slot;

/* The summed end-of-step effects of a busy neuron's inputs in one step (on
 * g_e and g_i in the frame of the step's end), and its V before the step
 * (kept when the first input arrives). */
typedef struct {
  double dv, dv_exc;             /* on V: of all inputs, of the excitatory ones */
  double dge, dgi;
  double v0;
} ladsim_input_acc;

/* A neuron refractory for at least one more whole step. */
typedef struct {
  uint32_t id;
  double left;           /* ms: its refr, >= h */
} ladsim_refractory;

/* One spike of an input unit during the current view. */
typedef struct {
  double t;              /* ms from the start of the view */
  uint32_t id;           /* input unit */
  uint32_t step;         /* step of the view it falls in */
  double offset;         /* ms into that step */
} ladsim_input_spike;

/* The dense learned projection from the stimulus into a population (a lif
 * layer with from: input; population_input.c). Pixel x_j becomes a Poisson
 * train at x_j * max_rate; an input spike adds W_ij (mV) to g_e or g_i of
 * neuron i at its exact time. The rule sees z = the trace of the neuron's
 * own spikes, f' = the surrogate derivative at V and x_pre = the traces of
 * the input spikes, all with time constant lif.tau_trace. */
typedef struct {
  size_t d;                      /* input units */
  double max_rate;               /* Hz of a pixel of intensity 1 */
  double view_duration;          /* ms */
  uint64_t seed;
  double *W;                     /* n x d, mV per spike */
  double *xpre;                  /* d: traces of the input spikes */
  ladsim_rule *rule;             /* NULL when the layer does not learn */
  double *fp;                    /* n: surrogate derivative at the step's end */
  double *z_sum;                 /* n: sum of z over the view */
  size_t view_steps;             /* steps summed in z_sum */
  /* the view's input spikes in (time, id) order, and the next to deliver */
  ladsim_input_spike *spikes;
  size_t n_spikes, spikes_cap, next;
  uint32_t view_step;            /* step of the view being simulated */
  double *times;                 /* scratch for one unit's train */
  size_t times_cap;
  /* scratch for one step: summed effects and the state before the step */
  double *dv, *dv_exc, *dge, *dgi;   /* n each; dv_exc: of the excitatory inputs */
  ladsim_lif_state *before;      /* n */
} ladsim_dense_input;

typedef struct {
  const ladsim_layer_spec *spec;
  size_t n;                      /* neurons held: this rank's block */
  size_t lo, n_layer;            /* the block's first neuron; the layer's size */
  uint32_t id_base;              /* global id of the layer's neuron 0, for tie-breaks */
  ladsim_lif_internals prop;
  double h;
  /* state, structure of arrays. g_e and g_i are held in a frame that
   * decays with them: the currents are ge[i] gscale[0] and gi[i]
   * gscale[1] (ladsim_population_neuron), so that a step without input
   * changes only the two scales, not the arrays; the arrays are scaled
   * back and the scales set to 1 when they fall below 2^-100, and before
   * a step with dense input */
  double *v, *ge, *gi, *refr;
  double gscale[2];
  double gnext[2];               /* the scales at the end of the current step */
  double ginv[2];                /* 1 / gnext */
  double *trace, trace_decay;    /* the activity z: a trace of own spikes */
  /* incoming spikes, one slot per step ahead */
  ladsim_event_slot *ring;
  size_t ring_len;
  /* scratch for one step: the slot's arrivals in canonical order and the
   * neurons they reach, numbered in order of first appearance */
  uint32_t *order;               /* arrivals by (offset, source, weight) */
  size_t order_cap;
  unsigned char *busy;           /* n: receives events this step */
  uint32_t *slot_of;             /* n: a busy neuron's number k */
  uint32_t *busy_ids;            /* the busy neurons, by k */
  size_t n_busy;
  ladsim_input_acc *acc;         /* n: the summed input effects of busy neuron k */
  uint32_t *flagged;             /* n: neurons the whole-step update got wrong */
  ladsim_lif_state *flag_before; /* n: their states before the step */
  /* the refractory neurons, found by firing (a neuron becomes refractory
   * only so) and remade from refr when refr_known is false (after the
   * state was set from outside: a checkpoint, a reset, a step with dense
   * input): those refractory all of the next step, with the time left,
   * and those whose refractoriness ends inside it */
  ladsim_refractory *whole;      /* n */
  size_t n_whole;
  uint32_t *ending;              /* n */
  size_t n_ending;
  ladsim_lif_state *held;        /* n: the exact results of the ending ones */
  unsigned char *listed;         /* n: 1 for a neuron in whole or ending */
  bool refr_known;
  size_t max_per_step;           /* spikes one neuron can fire in a step */
  size_t *quiet_ids;             /* n * max_per_step: spikes of the fast path */
  /* busy neuron k's inputs, for the exact path, grouped when first needed:
   * arrivals grouped[first[k] .. first[k + 1]) in canonical order */
  size_t *first;                 /* n + 1 */
  size_t *cursor;                /* n + 1: counts, then filling positions */
  uint32_t *grouped;
  size_t grouped_cap;
  bool is_grouped;
  ladsim_lif_input *inputs;
  size_t inputs_cap;
  /* spikes of the current step, in (offset, id) order */
  uint32_t *spike_ids;
  double *spike_offsets;
  size_t n_spikes, spikes_cap;
  ladsim_dense_input *in;        /* input from the stimulus; NULL: none */
} ladsim_population;

/* Allocates a population with delays of up to max_delay_steps, initial V
 * uniform in the spec's range from the stream (seed, LADSIM_STREAM_VINIT,
 * layer index, neuron). Not collective. */
ladsim_status ladsim_population_alloc(const ladsim_layer_spec *spec, size_t index,
                                      uint32_t id_base, double h,
                                      int64_t max_delay_steps, uint64_t seed,
                                      ladsim_population **out);

/* The block lo .. lo + nl of the layer only; the state of each neuron is
 * drawn as ladsim_population_alloc draws it. Not collective. */
ladsim_status ladsim_population_alloc_block(const ladsim_layer_spec *spec, size_t index,
                                            uint32_t id_base, size_t lo, size_t nl,
                                            double h, int64_t max_delay_steps,
                                            uint64_t seed, ladsim_population **out);
void ladsim_population_free(ladsim_population *p);

/* Queues a spike for target at step `step` with offset o; dv and dg are its
 * effect at the end of that step (ladsim_lif_input_effect), the same for
 * every target of one population. The order of the calls does not matter:
 * a step applies its spikes in (offset, source, weight) order. */
ladsim_status ladsim_population_receive(ladsim_population *p, int64_t step,
                                        uint32_t target, uint32_t source,
                                        double offset, double weight, double dv,
                                        double dg);

/* The same for the n targets of one spike in a projection's row at once;
 * equal to n calls of ladsim_population_receive, but the row is kept, not
 * copied: it must stay as it is until step `step` has been simulated, as a
 * projection's rows do (ladsim_projection). A list of targets that will
 * not last goes through ladsim_population_receive. */
ladsim_status ladsim_population_receive_row(ladsim_population *p, int64_t step,
                                            const uint32_t *targets, size_t n,
                                            uint32_t source, double offset, double weight,
                                            double dv, double dg);

/* Forgets the spikes in flight to p. */
void ladsim__population_clear_events(ladsim_population *p);

/* Grows *buf of elements of size elem to hold at least need; -1 when out
 * of memory (*buf is then unchanged). */
int ladsim__reserve(void **buf, size_t *cap, size_t need, size_t elem);

/* Gives p a dense learned input of d units from the stimulus (Poisson
 * coding), with W_ij ~ N(0, (init.std (v_th - v_reset) / sqrt(d))^2) mV
 * from the stream (seed, LADSIM_STREAM_INIT, layer index, neuron), and the
 * rule when the layer learns. Not collective. */
ladsim_status ladsim_population_input_alloc(ladsim_population *p, size_t index, size_t d,
                                            double view_duration, double max_rate,
                                            uint64_t seed);
void ladsim__dense_input_free(ladsim_dense_input *in);

/* Starts a view of stimulus x: draws the input trains of view view_index
 * (ladsim_poisson_train) and clears the view's sums. Not collective. */
ladsim_status ladsim_population_view_begin(ladsim_population *p, const double *x,
                                           uint64_t view_index);

/* Draws the input trains of view view_index alone, leaving the view's
 * sums alone: for a run resumed inside a view. Not collective. */
ladsim_status ladsim_population_input_trains(ladsim_population *p, const double *x,
                                             uint64_t view_index);

/* After ladsim_population_step: moves the input traces on, adds z to the
 * view's sum and, when learn is true, applies the rule for the step. z is
 * the activity trace of the whole layer (n_layer values: this block's
 * own trace and the other ranks', gathered), which the rule's predictor
 * reads; it is not read when the layer does not learn. */
void ladsim_population_learn(ladsim_population *p, const double *z, bool learn);

/* Ends a view: applies per_view plasticity. */
void ladsim_population_view_end(ladsim_population *p, bool learn);

/* The mean of z over the view (length n). */
void ladsim_population_view_mean(const ladsim_population *p, double *out);

/* Puts the neurons at rest (V at e_rest + i_e, or at v_reset if that is
 * above threshold), clears inputs in flight and traces; weights stay. */
void ladsim_population_reset_state(ladsim_population *p);

/* The state of neuron i of the block, with its actual input currents. */
void ladsim_population_neuron(const ladsim_population *p, size_t i, ladsim_lif_state *st);

/* Checks that V and the input currents are finite. */
ladsim_status ladsim_population_check_finite(const ladsim_population *p, double t_ms);

/* Advances every neuron over step `step`, applying that step's events; the
 * step's spikes are left in spike_ids / spike_offsets in (offset, id) order. */
ladsim_status ladsim_population_step(ladsim_population *p, int64_t step);

#endif
