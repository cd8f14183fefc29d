/* profile.h: named wall-clock timers around the phases of a run, printed on request. */
#ifndef LADSIM_CORE_PROFILE_H
#define LADSIM_CORE_PROFILE_H

#include <mpi.h>
#include <stdio.h>

/* The phases a run is split into. */
typedef enum {
  LADSIM_PROF_SETUP,     /* reading data, building the network */
  LADSIM_PROF_STEP,      /* advancing neurons, the rule and spike delivery */
  LADSIM_PROF_VIEW,      /* view boundaries: stimulus, per-view plasticity */
  LADSIM_PROF_RECORD,    /* metrics, weight snapshots, spikes to HDF5 */
  LADSIM_PROF_EVALUATE,  /* the frozen network, the probes, the statistics */
  LADSIM_PROF_COMM,      /* exchanges between ranks (inside steps and evaluation) */
  LADSIM_PROF_EVAL_NET,  /* inside evaluation: the frozen network over the samples */
  LADSIM_PROF_EVAL_FIT,  /* inside evaluation: the probes and statistics */
  LADSIM_PROF_COUNT
} ladsim_prof_phase;

/* Seconds of wall time from a fixed point (a monotonic clock, which MPI
 * need not be running to read). Not collective. */
double ladsim_prof_wall(void);

/* Starts and stops the timer of a phase (not nested with itself). Cheap
 * enough for every step: two clock reads. Not collective. */
void ladsim_prof_start(ladsim_prof_phase ph);
void ladsim_prof_stop(ladsim_prof_phase ph);

/* Counts bytes this rank sent to other ranks, as sent while evaluating
 * when the evaluation timer runs and as sent while simulating otherwise.
 * Not collective. */
void ladsim_prof_add_bytes(double bytes);

/* Counts model time (ms) the simulation advanced, outside the evaluation. */
void ladsim_prof_add_model_time(double ms);

/* The time in a phase and the bytes sent so far, on this rank. */
double ladsim_prof_seconds(ladsim_prof_phase ph);
double ladsim_prof_bytes(void);

/* Forgets all times and bytes. */
void ladsim_prof_reset(void);

/* Prints, per phase, the time of the slowest rank, the mean over ranks and
 * the number of times it ran, then the model time simulated and the bytes
 * sent per rank (mean over ranks), while simulating (also per second of
 * model time) and while evaluating. Collective over comm (MPI_COMM_NULL: one
 * process without MPI); rank 0 prints. */
void ladsim_prof_print(MPI_Comm comm, FILE *f);

#endif
