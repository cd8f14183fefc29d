/* model.h: the resolved model, as read from a model file with all defaults.
 *
 * Quantities with a dimension are stored in fixed internal units: time in
 * ms, rates in Hz, lengths in px, potentials in mV. The model file may use
 * any unit of the right dimension; the reader converts. */
#ifndef LADSIM_MODEL_H
#define LADSIM_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <ladsim/error.h>
#include <ladsim/sigreg.h>

#define LADSIM_NAME_MAX 64
#define LADSIM_MAX_LAYERS 16
#define LADSIM_MAX_PROJECTIONS 64

typedef enum {
  LADSIM_ACT_RELU, LADSIM_ACT_TANH, LADSIM_ACT_LINEAR,
  LADSIM_ACT_SOFTPLUS, LADSIM_ACT_SIGMOID
} ladsim_activation;

typedef enum { LADSIM_NEURON_RATE, LADSIM_NEURON_LIF } ladsim_neuron_kind;

/* How a spiking layer fed by the input receives it. */
typedef enum {
  LADSIM_CODING_POISSON,  /* pixels become Poisson spike trains */
  LADSIM_CODING_CURRENT   /* pixels drive a current W x */
} ladsim_coding;

/* A leaky integrate-and-fire population (models/lif.h has the equations). */
typedef struct {
  double tau_m, tau_exc, tau_inh; /* ms */
  double v_th, v_reset, e_rest;   /* mV */
  double t_ref;                   /* ms */
  double i_e;                     /* mV, constant drive */
  double v_init_low, v_init_high; /* mV: initial V uniform in [low, high] */
  double tau_trace;               /* ms: the activity z is this trace of spikes */
  double surrogate_beta;          /* 1/mV: slope of the surrogate derivative */
  ladsim_coding coding;
} ladsim_lif_spec;

typedef enum { LADSIM_CONNECT_PROBABILITY, LADSIM_CONNECT_INDEGREE } ladsim_connect_rule;

/* A static sparse projection between layers (or within one). */
typedef struct {
  char from[LADSIM_NAME_MAX], to[LADSIM_NAME_MAX];
  ladsim_connect_rule rule;
  double probability;             /* of each connection (rule probability) */
  size_t indegree;                /* sources per target (rule indegree) */
  double weight;                  /* mV added to g_exc (> 0) or g_inh (< 0) */
  double delay;                   /* ms, >= simulation.min_delay */
  bool autapses;                  /* whether a neuron may connect to itself */
  int line;
} ladsim_projection_spec;

typedef enum {
  LADSIM_DECOR_ADVERSARIAL, /* the predictor network (default) */
  LADSIM_DECOR_NONE,        /* no decorrelation term */
  LADSIM_DECOR_PAIRWISE     /* non-local covariance penalty (LPL baseline) */
} ladsim_decorrelation;

typedef enum {
  LADSIM_ADV_PREDICTION, /* a_i = -zhat_i (default) */
  LADSIM_ADV_ERROR       /* a_i = e_i = z_i - zhat_i */
} ladsim_adv_form;

typedef enum { LADSIM_PLAST_CONTINUOUS, LADSIM_PLAST_PER_VIEW } ladsim_plasticity;

typedef enum { LADSIM_FLIP_NONE, LADSIM_FLIP_HORIZONTAL, LADSIM_FLIP_VERTICAL,
               LADSIM_FLIP_BOTH } ladsim_flip;

typedef enum { LADSIM_RECORD_NONE, LADSIM_RECORD_END, LADSIM_RECORD_INTERVAL }
ladsim_record_when;

/* Where the images come from. Exactly one of: a named set, files, synthetic. */
typedef struct {
  char name[LADSIM_NAME_MAX];  /* "fashion-mnist", "synthetic" or "" (files) */
  char *dir;                   /* directory of a named set (NULL: default) */
  char *train_images, *train_labels; /* IDX (.gz or plain) or HDF5 paths */
  char *test_images, *test_labels;
  char images_key[LADSIM_NAME_MAX];  /* HDF5 data set names */
  char labels_key[LADSIM_NAME_MAX];
  size_t train_limit, test_limit;    /* use the first n samples; 0 = all */
  /* synthetic: class prototypes plus noise, side x side pixels */
  size_t synth_classes, synth_side, synth_train, synth_test;
  double synth_noise;
} ladsim_dataset_spec;

typedef struct {
  ladsim_dataset_spec data;
  unsigned views_per_sample;   /* consecutive augmented views of a sample */
  double view_duration;        /* ms */
  unsigned epochs;
  bool shuffle;                /* new sample order every epoch */
  double shift;                /* px: uniform integer shift in [-shift, shift] */
  ladsim_flip flip;            /* random flip with probability 1/2 */
  double noise;                /* std of added Gaussian pixel noise */
  double contrast;             /* contrast factor uniform in [1-c, 1+c] */
  double scale;                /* input rate multiplier applied to pixels */
  double max_rate;             /* Hz: Poisson rate of a pixel of intensity 1 */
  bool center;                 /* subtract the training-set pixel mean */
} ladsim_input_spec;

typedef struct {
  double eta;                  /* learning rate of W and b, per view */
  ladsim_plasticity plasticity;
  ladsim_decorrelation decorrelation;
  /* adversarial predictor */
  ladsim_adv_form adv_form;
  double adv_weight;           /* lambda_adv */
  double eta_predictor;        /* learning rate of P and c, per view */
  double predictor_delay;      /* ms, multiple of the resolution */
  /* pairwise baseline */
  double pairwise_weight;
  double pairwise_tau;         /* ms */
  /* invariance */
  double inv_weight;           /* lambda_inv */
  double inv_tau;              /* ms */
  /* SIGReg */
  double sig_weight;           /* lambda_sig */
  double sig_tau;              /* ms */
  ladsim_target target;
  size_t sig_knots;
  double sig_tmax;
} ladsim_learning_spec;

typedef struct {
  char name[LADSIM_NAME_MAX];
  ladsim_neuron_kind neuron;
  size_t size;
  double tau;                  /* ms, membrane time constant */
  ladsim_activation activation;
  char from[LADSIM_NAME_MAX];  /* "input" or the name of an earlier layer */
  double init_std;             /* weight std times sqrt(fan_in) */
  double init_bias;
  bool learn;                  /* false: the layer is frozen */
  ladsim_learning_spec learning;
  ladsim_lif_spec lif;         /* neuron: lif */
  int line;                    /* where the layer is in the model file */
} ladsim_layer_spec;

typedef struct {
  double metrics;              /* ms between metric records; 0 = never */
  ladsim_record_when weights;
  double weights_interval;     /* ms, when weights == INTERVAL */
  double progress;             /* ms of wall time between progress lines */
  double checkpoint;           /* ms between checkpoints; 0 = none */
  size_t n_spikes;             /* layers whose spikes are recorded */
  char spikes[LADSIM_MAX_LAYERS][LADSIM_NAME_MAX];
} ladsim_record_spec;

typedef struct {
  bool enabled;
  size_t train, test;          /* samples used; 0 = all */
  double validation;           /* fraction of train held out to pick alpha */
  bool raw;                    /* also probe raw pixels */
  bool init;                   /* also probe the network at initialisation */
} ladsim_evaluate_spec;

typedef struct {
  double resolution;           /* ms */
  uint64_t seed;
  double min_delay;            /* ms */
  double duration;             /* ms; 0 = as long as the input schedule */
} ladsim_simulation_spec;

typedef struct ladsim_model {
  char *path;                  /* the model file ("<string>" if none) */
  char *text;                  /* its text, as read */
  ladsim_simulation_spec simulation;
  ladsim_input_spec input;
  size_t n_layers;
  ladsim_layer_spec layers[LADSIM_MAX_LAYERS];
  ladsim_record_spec record;
  size_t n_projections;
  ladsim_projection_spec projections[LADSIM_MAX_PROJECTIONS];
  ladsim_evaluate_spec evaluate;
} ladsim_model;

/* Reads and validates a model file, applies overrides "key.path=value"
 * (n_overrides of them) and fills every default. On failure returns
 * LADSIM_ECONFIG with a message "file:line:column: key.path: what is wrong;
 * what to do". Not collective (every rank reads the file). */
ladsim_status ladsim_model_load(const char *path, const char *const *overrides,
                                size_t n_overrides, ladsim_model **out);

/* The same from text in memory; name is used in messages. */
ladsim_status ladsim_model_parse(const char *text, const char *name,
                                 const char *const *overrides,
                                 size_t n_overrides, ladsim_model **out);

/* Writes the resolved model as YAML that ladsim_model_parse accepts and
 * that resolves to the same model. */
ladsim_status ladsim_model_write(const ladsim_model *m, FILE *f);

/* The same into a newly allocated string (caller frees). */
ladsim_status ladsim_model_to_string(const ladsim_model *m, char **out);

void ladsim_model_free(ladsim_model *m);

/* Index of the layer called name, or -1. */
int ladsim_model_layer_index(const ladsim_model *m, const char *name);

/* Names used in messages and output. */
const char *ladsim_activation_name(ladsim_activation a);

#endif
