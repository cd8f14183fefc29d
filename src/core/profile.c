/* profile.c: accumulating and printing the phase timers. */
#include "config.h"
#include "core/profile.h"

#include <time.h>

static const char *const names[LADSIM_PROF_COUNT] = {
  "set-up", "steps", "views", "recording", "evaluation", "communication"};

static double total[LADSIM_PROF_COUNT], started[LADSIM_PROF_COUNT];
static unsigned long long calls[LADSIM_PROF_COUNT];
static double bytes_sent;

static double now(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void ladsim_prof_start(ladsim_prof_phase ph)
{
  started[ph] = now();
}

void ladsim_prof_stop(ladsim_prof_phase ph)
{
  total[ph] += now() - started[ph];
  calls[ph]++;
}

void ladsim_prof_add_bytes(double bytes)
{
  bytes_sent += bytes;
}

double ladsim_prof_seconds(ladsim_prof_phase ph)
{
  return total[ph];
}

double ladsim_prof_bytes(void)
{
  return bytes_sent;
}

void ladsim_prof_reset(void)
{
  bytes_sent = 0.0;
  for (int i = 0; i < LADSIM_PROF_COUNT; i++) {
    total[i] = 0.0;
    calls[i] = 0;
  }
}

void ladsim_prof_print(MPI_Comm comm, FILE *f)
{
  int rank, size;
  MPI_Comm_rank(comm, &rank);
  MPI_Comm_size(comm, &size);
  double worst[LADSIM_PROF_COUNT], sum[LADSIM_PROF_COUNT], bytes = 0.0;
  MPI_Reduce(total, worst, LADSIM_PROF_COUNT, MPI_DOUBLE, MPI_MAX, 0, comm);
  MPI_Reduce(total, sum, LADSIM_PROF_COUNT, MPI_DOUBLE, MPI_SUM, 0, comm);
  MPI_Reduce(&bytes_sent, &bytes, 1, MPI_DOUBLE, MPI_SUM, 0, comm);
  if (rank != 0)
    return;
  fprintf(f, "profile (%d rank%s)      slowest rank s   mean s        calls\n", size,
          size == 1 ? "" : "s");
  for (int i = 0; i < LADSIM_PROF_COUNT; i++)
    fprintf(f, "  %-22s %14.3f %8.3f %12llu\n", names[i], worst[i], sum[i] / size, calls[i]);
  fprintf(f, "  %-22s %14.0f (mean over ranks)\n", "bytes sent per rank", bytes / size);
}
