/* profile.c: accumulating and printing the phase timers. */
#include "config.h"
#include "core/profile.h"

#include <string.h>
#include <time.h>

static const char *const names[LADSIM_PROF_COUNT] = {
  "set-up", "steps", "views", "recording", "evaluation", "communication",
  "eval: network", "eval: probes"};

static double total[LADSIM_PROF_COUNT], started[LADSIM_PROF_COUNT];
static unsigned long long calls[LADSIM_PROF_COUNT];
static int open_phase[LADSIM_PROF_COUNT];
/* Bytes sent while simulating and while evaluating, and the model time
 * simulated, so a scaling study can relate traffic to model time. */
static double bytes_sim, bytes_eval, model_ms;

double ladsim_prof_wall(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void ladsim_prof_start(ladsim_prof_phase ph)
{
  started[ph] = ladsim_prof_wall();
  open_phase[ph] = 1;
}

void ladsim_prof_stop(ladsim_prof_phase ph)
{
  total[ph] += ladsim_prof_wall() - started[ph];
  calls[ph]++;
  open_phase[ph] = 0;
}

void ladsim_prof_add_bytes(double bytes)
{
  if (open_phase[LADSIM_PROF_EVALUATE])
    bytes_eval += bytes;
  else
    bytes_sim += bytes;
}

void ladsim_prof_add_model_time(double ms)
{
  model_ms += ms;
}

double ladsim_prof_seconds(ladsim_prof_phase ph)
{
  return total[ph];
}

double ladsim_prof_bytes(void)
{
  return bytes_sim + bytes_eval;
}

void ladsim_prof_reset(void)
{
  bytes_sim = bytes_eval = model_ms = 0.0;
  for (int i = 0; i < LADSIM_PROF_COUNT; i++) {
    total[i] = 0.0;
    calls[i] = 0;
    open_phase[i] = 0;
  }
}

void ladsim_prof_print(MPI_Comm comm, FILE *f)
{
  int rank = 0, size = 1;
  double worst[LADSIM_PROF_COUNT], sum[LADSIM_PROF_COUNT];
  double mine[2] = {bytes_sim, bytes_eval}, bytes[2] = {bytes_sim, bytes_eval};
  memcpy(worst, total, sizeof total);
  memcpy(sum, total, sizeof total);
  if (comm != MPI_COMM_NULL) {   /* one process without MPI: its own figures */
    MPI_Comm_rank(comm, &rank);
    MPI_Comm_size(comm, &size);
    MPI_Reduce(total, worst, LADSIM_PROF_COUNT, MPI_DOUBLE, MPI_MAX, 0, comm);
    MPI_Reduce(total, sum, LADSIM_PROF_COUNT, MPI_DOUBLE, MPI_SUM, 0, comm);
    MPI_Reduce(mine, bytes, 2, MPI_DOUBLE, MPI_SUM, 0, comm);
  }
  if (rank != 0)
    return;
  if (comm == MPI_COMM_NULL)
    fprintf(f, "profile (1 process, without MPI)   time s   mean s        calls\n");
  else
    fprintf(f, "profile (%d rank%s)      slowest rank s   mean s        calls\n", size,
            size == 1 ? "" : "s");
  for (int i = 0; i < LADSIM_PROF_COUNT; i++)
    fprintf(f, "  %-22s %14.3f %8.3f %12llu\n", names[i], worst[i], sum[i] / size, calls[i]);
  double model_s = 1e-3 * model_ms;
  fprintf(f, "  %-22s %14.3f\n", "model time simulated s", model_s);
  fprintf(f, "  %-22s %14.0f (mean over ranks)\n", "bytes sent per rank",
          (bytes[0] + bytes[1]) / size);
  fprintf(f, "    %-20s %14.0f %.0f per model second\n", "while simulating", bytes[0] / size,
          model_s > 0.0 ? bytes[0] / size / model_s : 0.0);
  fprintf(f, "    %-20s %14.0f\n", "while evaluating", bytes[1] / size);
}
