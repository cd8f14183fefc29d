/* sim_internal.h: the simulation object, shared by the loop, recording and evaluation. */
#ifndef LADSIM_NETWORK_SIM_INTERNAL_H
#define LADSIM_NETWORK_SIM_INTERNAL_H

#include <ladsim/dataset.h>
#include <ladsim/sim.h>
#include "network/event.h"
#include "network/network.h"

struct ladsim_sim {
  MPI_Comm comm;
  int rank, size;
  const ladsim_model *m;
  ladsim_dataset *train, *test;
  ladsim_stimulus *stim;
  ladsim_network *net;
  double *x;                               /* the current stimulus */
  double *W0[LADSIM_MAX_LAYERS];           /* weights at initialisation */
  double *b0[LADSIM_MAX_LAYERS];
  int64_t view_steps;                      /* steps per view */
  int64_t end_step;                        /* when the run ends */
  uint64_t n_views;                        /* views in the schedule */
  uint64_t views_done;
  int64_t last_metrics, last_weights;      /* steps of the latest records; -1: none */
  size_t n_metrics, n_weights;             /* records written so far */
  /* the loop */
  ladsim_event_queue *queue;
  int64_t step;                            /* the next step to simulate */
  int in_view;                             /* a view is being shown */
  int64_t sync_steps;                      /* steps per exchange interval D */
  bool stop_scheduled;                     /* a signal's checkpoint is queued */
  bool resumed;                            /* the state came from a checkpoint */
  /* checkpoints */
  char *ckpt_path;                         /* NULL: none are written */
  char *out_path;                          /* the output they continue */
  int64_t last_ckpt;                       /* step of the latest; -1: none */
  /* view means of the current record interval, per layer */
  double *view_means[LADSIM_MAX_LAYERS];
  size_t vm_rows, vm_cap;
  size_t vm_gathered;                      /* rows whole on every rank */
  ladsim_progress_fn progress;
  void *progress_ctx;
  /* spikes of recorded populations since the last flush, in time order */
  size_t n_rec;
  ladsim_population *rec_pop[LADSIM_MAX_LAYERS];
  uint32_t rec_index[LADSIM_MAX_LAYERS];   /* of rec_pop in the network's pops */
  double *rec_times[LADSIM_MAX_LAYERS];
  uint64_t *rec_ids[LADSIM_MAX_LAYERS];
  size_t rec_n[LADSIM_MAX_LAYERS], rec_cap[LADSIM_MAX_LAYERS];
  double rec_last[LADSIM_MAX_LAYERS];      /* time of the latest kept spike */
  size_t rec_written[LADSIM_MAX_LAYERS];   /* spikes written to the output */
};

/* Whether the model has a stimulus (input.dataset is not none). */
bool ladsim__sim_has_input(const ladsim_model *m);

/* Spike recording (sim_spikes.c). */
ladsim_status ladsim__spike_buffers_alloc(ladsim_sim *s);
void ladsim__spike_buffers_free(ladsim_sim *s);
/* Keeps the recorded populations' spikes of the network's latest exchange;
 * not collective. */
ladsim_status ladsim__sim_keep_spikes(ladsim_sim *s);
/* Exchanges the spikes of the interval so far, keeps them and writes what
 * was kept; collective. */
ladsim_status ladsim__sim_record_spikes(ladsim_sim *s, ladsim_output *o);

/* Completes the rows of the interval's view means that hold only each
 * rank's own block so far. Collective. */
ladsim_status ladsim__sim_gather_view_means(ladsim_sim *s);

/* Recording (sim_record.c). All collective. */
ladsim_status ladsim__sim_record_metrics(ladsim_sim *s, ladsim_output *o, int64_t step);
ladsim_status ladsim__sim_record_weights(ladsim_sim *s, ladsim_output *o, int64_t step);
/* Checkpoints (sim_checkpoint.c, sim_resume.c). The loop's counters are
 * saved as one int64 array, in this order. */
enum {
  LADSIM__C_STEP, LADSIM__C_VIEWS, LADSIM__C_IN_VIEW, LADSIM__C_LAST_METRICS,
  LADSIM__C_LAST_WEIGHTS, LADSIM__C_VM_ROWS, LADSIM__C_N_METRICS, LADSIM__C_N_WEIGHTS,
  LADSIM__C_N_EVENTS, LADSIM__C_NET_STEP, LADSIM__C_N_FLIGHT, LADSIM__C_COUNT
};

/* Writes a checkpoint to s->ckpt_path. Collective. */
ladsim_status ladsim__sim_checkpoint(ladsim_sim *s, ladsim_output *o);

/* Lists the state but the counters and the events. Not collective. */
struct ladsim_state;
ladsim_status ladsim__sim_state(ladsim_sim *s, struct ladsim_state *st);

/* How the evaluation is shared out over the ranks (sim_eval_plan.c). */
#define LADSIM__EVAL_TASKS (2 * LADSIM_MAX_LAYERS + 1)
typedef struct {
  int ranks;
  size_t tasks, layer_tasks;          /* each layer learned (and at init), then raw */
  int owner[LADSIM__EVAL_TASKS];      /* the rank that computes each task */
  double *share;                      /* per rank: its fraction of the samples */
} ladsim__eval_plan;

/* The plan for n_train and n_test samples, with or without the network at
 * initialisation and the raw pixels; the same on every rank. Not
 * collective. */
ladsim_status ladsim__eval_plan_make(const ladsim_sim *s, size_t n_train, size_t n_test,
                                     bool init, bool raw, ladsim__eval_plan *p);
void ladsim__eval_plan_free(ladsim__eval_plan *p);

/* How many of n samples each rank takes (count: one entry per rank), the
 * ranks' samples following each other in rank order. */
void ladsim__eval_plan_counts(const ladsim__eval_plan *p, size_t n, size_t *count);

/* A duration in whole resolution steps. */
int64_t ladsim__steps_of(const ladsim_model *m, double ms);

/* Writes a one-element float64 data set holding v (the same on every rank). */
ladsim_status ladsim__output_scalar(ladsim_output *o, int rank, const char *path,
                                   double v);

#endif
