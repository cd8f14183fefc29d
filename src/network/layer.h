/* layer.h: a layer of rate neurons with its feed-forward weights and rule.
 *
 * The layer keeps the drive I = W x + b of its neurons. When x is the
 * stimulus it is constant over a view, so the drive is computed once per view
 * and then follows learning exactly: each step's update of W is rank one,
 * dW = k m x^T, which changes the drive by k m (|x|^2 + 1) (with the bias).
 * The rank-one updates of a view are summed and applied to W once at the
 * end of the view, which is the same W as applying them step by step
 * (DESIGN.md section 3).
 *
 * A rank owns the block lo .. lo + nl of the layer's neurons (comm/comm.h)
 * with their rows of W and their state; z alone is kept for the whole
 * layer, gathered from every rank after each step, because the predictor
 * and the layer above read all of it. A step of the frozen network (an
 * evaluation) skips the gather unless a layer above reads z: the view
 * means it produces are per neuron. Arrays of the block are
 * indexed 0 .. nl - 1, for neurons lo .. lo + nl - 1. */
#ifndef LADSIM_NETWORK_LAYER_H
#define LADSIM_NETWORK_LAYER_H

#include <stdbool.h>
#include <stddef.h>
#include <ladsim/error.h>
#include <ladsim/model.h>
#include "comm/comm.h"
#include "learning/rule.h"
#include "models/rate.h"

typedef struct ladsim_layer {
  const ladsim_layer_spec *spec;
  size_t n, d;               /* neurons of the layer, presynaptic units */
  size_t lo, nl;             /* this rank's block of neurons */
  ladsim_comm_layout part;   /* the blocks of every rank */
  bool varying_input;        /* x is a lower layer, not the stimulus */
  bool feeds_above;          /* a later layer reads z every step */
  ladsim_rate_internals prop;
  double *W, *b;             /* nl x d, nl */
  double *u, *fp;            /* membrane, f'(u): nl */
  double *z;                 /* activity of the whole layer: n */
  double *drive;             /* W x + b: nl */
  const double *x;           /* presynaptic activity (not owned) */
  double x_norm2;            /* |x|^2 + 1 while x is constant */
  ladsim_rule *rule;         /* NULL when the layer does not learn */
  double *z_sum;             /* sum of z over the current view */
  size_t view_steps;         /* steps summed in z_sum */
} ladsim_layer;

/* Plasticity for an input x that changes within the view (shared by rate
 * layers fed by a lower layer and spiking layers fed by spike traces): adds
 * m to the view's sum and k_w m x^T to W (k_w m to b; b may be NULL) at
 * once, or to rule->grad for plasticity: per_view, which view_end applies. */
void ladsim__plasticity_step(ladsim_rule *r, double *W, double *b, const double *x);
void ladsim__plasticity_view_end(ladsim_rule *r, double *W, double *b);

/* Allocates this rank's block of a layer spread over comm (MPI_COMM_NULL:
 * the whole layer on one process) with d inputs at resolution h and view
 * duration T (ms), initialising W from the stream (seed, LADSIM_STREAM_INIT,
 * layer index, neuron id) so every rank and every run agrees. Not
 * collective. */
ladsim_status ladsim_layer_alloc(const ladsim_layer_spec *spec, size_t index,
                                 size_t d, bool varying_input, double h,
                                 double view_duration, uint64_t seed,
                                 MPI_Comm comm, ladsim_layer **out);
void ladsim_layer_free(ladsim_layer *l);

/* Starts a view: x is the presynaptic activity for the view (the stimulus,
 * or the lower layer's z which the layer reads every step). */
void ladsim_layer_view_begin(ladsim_layer *l, const double *x);

/* Advances the layer by one step, gathers z (while training, and always
 * when it feeds a layer above) and learns when learn is true. Collective
 * over the layer's communicator. */
ladsim_status ladsim_layer_step(ladsim_layer *l, bool learn);

/* Ends a view: applies the view's summed plasticity to W. */
void ladsim_layer_view_end(ladsim_layer *l, bool learn);

/* Writes the mean activity of the block's neurons over the view into out
 * (length nl). */
void ladsim_layer_view_mean(const ladsim_layer *l, double *out);

/* Sets u, z and the traces of the neurons to rest (before an evaluation
 * sample), leaving weights alone. */
void ladsim_layer_reset_state(ladsim_layer *l);

/* Lists the layer's state and its rule's for a checkpoint, under
 * layers/<name>/ and layers/<name>/rule/. */
struct ladsim_state;
ladsim_status ladsim_layer_state(ladsim_layer *l, struct ladsim_state *st);

/* Checks that the block's state is finite; the message names the layer,
 * the neuron (its id in the layer) and the time. Not collective. */
ladsim_status ladsim_layer_check_finite(const ladsim_layer *l, double t_ms);

#endif
