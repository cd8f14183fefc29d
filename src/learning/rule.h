/* rule.h: the local learning rule of one layer: predictor, signals, plasticity.
 *
 * Neuron i of a layer of n neurons with presynaptic activity x (length d)
 * learns with
 *
 *     M_i  = lambda_adv a_i - lambda_inv v_i - lambda_sig g_i
 *     dW_ij/dt = (eta / T) M_i f'(u_i) x_j,      db_i/dt = (eta / T) M_i f'(u_i)
 *
 * where T is the view duration (so eta is a rate per view and does not
 * depend on the resolution), a_i is the adversarial (or baseline
 * decorrelation) signal, v_i = z_i - zbar_i the invariance signal and g_i the
 * SIGReg signal (sigreg.h). The predictor of neuron i,
 *
 *     zhat_i = sum_{j != i} P_ij z_j(t - delay) + c_i,    e_i = z_i - zhat_i,
 *
 * learns with dP_ij/dt = (eta_P / T) e_i z_j(t - delay), dc_i/dt = (eta_P / T) e_i.
 * Everything a neuron uses is its own state and traces and what arrives
 * through its synapses (DESIGN.md section 2).
 *
 * A rank holds the rule of its block of the layer, neurons lo .. lo + nl:
 * their rows of P (nl x n), their traces and signals (nl). The activities z
 * of the whole layer come in gathered (length n); everything indexed by i
 * below is local, i = 0 .. nl - 1 standing for neuron lo + i. */
#ifndef LADSIM_LEARNING_RULE_H
#define LADSIM_LEARNING_RULE_H

#include <stdbool.h>
#include <stddef.h>
#include <ladsim/error.h>
#include <ladsim/model.h>
#include <ladsim/sigreg.h>

/* Running sums for the metrics of one record interval, per neuron, so
 * that the layer's sums can be formed in neuron order whatever the
 * partition. */
typedef struct {
  double *sum_e2;  /* squared predictor errors, nl */
  double *sum_v2;  /* squared invariance signals, nl */
  double *sum_z;   /* activities, nl */
  size_t steps;    /* steps summed */
} ladsim_rule_stats;

typedef struct ladsim_rule {
  const ladsim_learning_spec *spec;
  size_t n, d;              /* neurons of the layer, presynaptic units */
  size_t lo, nl;            /* this rank's block of neurons */
  /* adversarial predictor */
  double *P, *c;            /* nl x n (P_{i, lo + i} = 0), nl */
  double *zhat, *e, *adv;   /* nl each */
  double *zhist;            /* ring of past activities, hist_len x n */
  size_t hist_len, hist_pos; /* delay in steps; 0: none */
  /* pairwise baseline */
  double *mu, *cov, *dz;    /* n, nl x n, n */
  /* invariance */
  double *zbar, *v;         /* nl each */
  /* SIGReg */
  ladsim_sigreg_knots *knots;
  double *sig_c, *sig_s, *g; /* nl x k, nl x k, nl */
  /* learning signal and its accumulators */
  double *m;                /* M_i f'(u_i), nl */
  double *acc;              /* sum of m over the view (rank-one path), nl */
  double *grad;             /* sum of m x^T over the view, nl x d (per_view
                               plasticity with changing input only) */
  /* per-step coefficients */
  double k_w, k_p;          /* eta h / T, eta_P h / T */
  double a_inv, a_sig, a_pair; /* trace fractions 1 - e^{-h/tau} */
  ladsim_rule_stats stats;
} ladsim_rule;

/* Allocates the rule for the block lo .. lo + nl of a layer of n neurons
 * with d inputs at resolution h and view duration T (both ms).
 * varying_input says whether x changes within a view. Not collective. */
ladsim_status ladsim_rule_alloc_block(const ladsim_learning_spec *spec, size_t n,
                                      size_t lo, size_t nl, size_t d, double h,
                                      double view_duration, bool varying_input,
                                      ladsim_rule **out);

/* The rule of a whole layer on one process (lo = 0, nl = n). */
ladsim_status ladsim_rule_alloc(const ladsim_learning_spec *spec, size_t n,
                                size_t d, double h, double view_duration,
                                bool varying_input, ladsim_rule **out);
void ladsim_rule_free(ladsim_rule *r);

/* One step: computes the predictor, the signals and m = M f'(u) from the
 * activities z of the whole layer (length n) and the derivatives fp of the
 * block (length nl), then lets the predictor learn (least mean squares on
 * e) and updates the traces. Does not touch W. */
void ladsim_rule_signals(ladsim_rule *r, const double *z, const double *fp);

/* The Epps-Pulley distance of each neuron of the block to the target
 * (out: nl values). */
void ladsim_rule_distances(const ladsim_rule *r, double *out);

/* Lists the rule's state (everything but what a step recomputes before
 * using it) for a checkpoint, under the current prefix of st. */
struct ladsim_state;
ladsim_status ladsim_rule_state(ladsim_rule *r, struct ladsim_state *st);

/* Resets the record-interval sums. */
void ladsim_rule_stats_reset(ladsim_rule *r);

#endif
