/* sim.h: running a model: training with the event loop, recording, evaluation. */
#ifndef LADSIM_SIM_H
#define LADSIM_SIM_H

#include <mpi.h>
#include <stdbool.h>
#include <stdio.h>
#include <ladsim/error.h>
#include <ladsim/model.h>
#include <ladsim/output.h>

typedef struct ladsim_sim ladsim_sim;

/* Loads the data sets and builds the network of model m (which must outlive
 * the simulation). Collective over comm. comm may be MPI_COMM_NULL: one
 * process, which makes no MPI call and need not have started MPI. */
ladsim_status ladsim_sim_create(MPI_Comm comm, const ladsim_model *m,
                                ladsim_sim **out);
void ladsim_sim_free(ladsim_sim *s);

/* Called about every record.progress of wall time during the run with the
 * simulated time, the total and the samples per second of wall time. */
typedef void (*ladsim_progress_fn)(void *ctx, double t_ms, double total_ms,
                                   double samples_per_s);
void ladsim_sim_set_progress(ladsim_sim *s, ladsim_progress_fn fn, void *ctx);

/* Trains: runs the event loop to the end of the schedule, recording into o
 * (which may be NULL) what the model's record section asks. Collective. */
ladsim_status ladsim_sim_run(ladsim_sim *s, ladsim_output *o);

/* Checkpoints. A run writes its whole state to path (atomically: a
 * temporary file renamed when complete) every record.checkpoint of model
 * time, and when a signal stops it (ladsim_sim_request_stop), at the next
 * exchange boundary. output is the run's output file, which a resumed run
 * continues. path NULL: no checkpoints. Not collective. */
ladsim_status ladsim_sim_set_checkpoint(ladsim_sim *s, const char *path, const char *output);

/* The file that holds what the run of checkpoint ckpt recorded: its
 * output, or that output's .partial if the run did not finish (*records
 * is malloc'd). Not collective. */
ladsim_status ladsim_checkpoint_records(const char *ckpt, char **records);

/* Makes a new simulation of the same model (simulation.duration,
 * record.checkpoint and record.progress may differ; on any number of
 * ranks) continue from checkpoint ckpt: loads the state, so that
 * ladsim_sim_run goes on from there. Collective. */
ladsim_status ladsim_sim_resume(ladsim_sim *s, const char *ckpt);

/* Copies into o what the earlier run recorded in file records (see
 * ladsim_checkpoint_records) up to the checkpoint, so that o ends up as the
 * file of a run that never stopped. After ladsim_sim_resume. Collective. */
ladsim_status ladsim_sim_resume_records(ladsim_sim *s, const char *records, ladsim_output *o);

/* Asks a running ladsim_sim_run to stop at the next step with
 * LADSIM_EINTERRUPT (what was recorded stays in the output). Safe to call
 * from a signal handler. */
void ladsim_sim_request_stop(void);

/* What the report says about one layer, for its weights now ("learned")
 * and at initialisation. */
typedef struct {
  char name[LADSIM_NAME_MAX];
  size_t size;
  double accuracy, init_accuracy;           /* linear probe, test set */
  double mean_abs_corr, init_mean_abs_corr; /* test representations */
  double participation_ratio, init_participation_ratio;
  double dead_fraction, init_dead_fraction;
  double eps_distance, init_eps_distance;   /* mean Epps-Pulley distance */
  double mean_rate, init_mean_rate;
} ladsim_layer_report;

typedef struct {
  size_t n_train, n_test, n_classes;
  double raw_accuracy;                      /* probe on raw pixels; NAN if off */
  bool has_init;
  size_t n_layers;
  ladsim_layer_report layers[LADSIM_MAX_LAYERS];
} ladsim_report;

/* Freezes the network, shows every evaluation image once un-augmented,
 * probes each layer's mean activity and computes the statistics; writes
 * /probe into o when o is not NULL. Collective. */
ladsim_status ladsim_sim_evaluate(ladsim_sim *s, ladsim_output *o,
                                  ladsim_report *rep);

/* Writes the report as a table, with the warnings of
 * ladsim_report_warn_dead at its end. */
void ladsim_report_print(const ladsim_report *rep, FILE *f);

/* A layer is reported as silenced when at least this share of its neurons
 * is dead after learning (and more than at initialisation). */
#define LADSIM_REPORT_DEAD_WARN 0.9

/* Writes one line, starting with lead, for each layer that learning left
 * silent or nearly so (usually learning rates far too high); returns how
 * many. */
size_t ladsim_report_warn_dead(const ladsim_report *rep, FILE *f, const char *lead);

/* Replaces the network's weights by the last snapshot stored in a run's
 * file and its initial weights by the first, so the report can be computed
 * again from the file. Collective. */
ladsim_status ladsim_sim_load_weights(ladsim_sim *s, ladsim_input_file *f);

#endif
