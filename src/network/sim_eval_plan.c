/* sim_eval_plan.c: how the evaluation's work is shared out over the ranks: the report's tasks and the samples.
 *
 * The report's tasks (each layer learned, each at initialisation, then the
 * raw pixels) are independent ridge fits, each computed whole by one rank,
 * so its numbers do not depend on the rank count. They are few and of very
 * different sizes (the raw-pixel fit on 784 features costs nine times a fit
 * on 256), so on a few ranks they cannot be shared evenly. The frozen
 * network's pass over the samples can: in a model of rate layers every rank
 * holds the whole network for the evaluation and takes a share of the
 * samples. The raw-pixel fit needs no network, so its rank does it beside
 * its share, which is smaller by as much; the layers' fits need every
 * rank's samples and come after the pass, spread over the ranks. Every rank
 * computes the same plan from the model alone. The costs below are counted
 * in multiply-adds of the network's own kernels; the factors on the fits say
 * how much faster BLAS accumulates normal equations (a quarter of a
 * multiply-add per entry, half of them by symmetry) and how slow the
 * eigendecomposition is (about 7 dim^3), as measured on the development
 * machine. A wrong factor costs time only, never a different result. */
#include "config.h"
#include "network/sim_internal.h"

#include <math.h>
#include <stdlib.h>

static double fit_cost(size_t samples, size_t dim)
{
  double d = (double)dim;
  return 0.25 * (double)samples * d * d + 7.0 * d * d * d;
}

/* Each task to the rank with the least work so far, the costliest first,
 * the lowest rank on a tie. */
static void assign_tasks(const double *cost, size_t tasks, int ranks, int *owner,
                         double *load)
{
  bool done[LADSIM__EVAL_TASKS] = {false};
  for (int q = 0; q < ranks; q++)
    load[q] = 0.0;
  for (size_t k = 0; k < tasks; k++) {
    size_t t = tasks;
    for (size_t c = 0; c < tasks; c++)
      if (!done[c] && (t == tasks || cost[c] > cost[t]))
        t = c;
    int r = 0;
    for (int q = 1; q < ranks; q++)
      if (load[q] < load[r])
        r = q;
    owner[t] = r;
    load[r] += cost[t];
    done[t] = true;
  }
}

/* Shares of the network's work `net` that bring every rank to one level
 * of work (water filling): a rank whose fits alone reach the level gets
 * none. share marks the ranks still below the level while it is found. */
static void level_shares(const double *load, int ranks, double net, double *share)
{
  for (int q = 0; q < ranks; q++)
    share[q] = 1.0 / ranks;
  if (!(net > 0.0))
    return;
  double level;
  bool lowered;
  do {
    double sum = net;
    int below = 0;
    for (int q = 0; q < ranks; q++)
      if (share[q] > 0.0) {
        sum += load[q];
        below++;
      }
    level = sum / below;   /* above the least load, so one rank stays below */
    lowered = false;
    for (int q = 0; q < ranks; q++)
      if (share[q] > 0.0 && load[q] >= level) {
        share[q] = 0.0;
        lowered = true;
      }
  } while (lowered);
  for (int q = 0; q < ranks; q++)
    share[q] = share[q] > 0.0 ? (level - load[q]) / net : 0.0;
}

ladsim_status ladsim__eval_plan_make(const ladsim_sim *s, size_t n_train, size_t n_test,
                                     bool init, bool raw, ladsim__eval_plan *p)
{
  const ladsim_network *net = s->net;
  size_t units = net->n_units;
  p->ranks = s->size;
  p->layer_tasks = (init ? 2 : 1) * units;
  p->tasks = p->layer_tasks + (raw ? 1 : 0);
  p->share = malloc(2 * (size_t)p->ranks * sizeof(double));
  if (!p->share)
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory planning the evaluation on %d ranks",
                        p->ranks);
  double cost[LADSIM__EVAL_TASKS], *load = p->share + p->ranks, per_sample = 0.0;
  for (size_t t = 0; t < p->layer_tasks; t++)
    cost[t] = fit_cost(n_train + n_test, net->units[t % units].n);
  for (size_t i = 0; i < units; i++)
    per_sample += (double)net->units[i].n * (double)(net->units[i].d + (size_t)s->view_steps);
  /* the layers' fits follow the pass over the samples; the raw pixels' fit
   * needs no network and goes beside it, on the last rank */
  assign_tasks(cost, p->layer_tasks, p->ranks, p->owner, load);
  for (int q = 0; q < p->ranks; q++)
    load[q] = 0.0;
  if (raw) {
    p->owner[p->layer_tasks] = p->ranks - 1;
    load[p->ranks - 1] = fit_cost(n_train + n_test, net->input_size);
  }
  level_shares(load, p->ranks, per_sample * (double)(n_train + n_test) * (init ? 2 : 1),
               p->share);
  return LADSIM_OK;
}

void ladsim__eval_plan_free(ladsim__eval_plan *p)
{
  free(p->share);
  p->share = NULL;
}

void ladsim__eval_plan_counts(const ladsim__eval_plan *p, size_t n, size_t *count)
{
  double cum = 0.0;
  size_t given = 0;
  for (int q = 0; q < p->ranks; q++) {
    cum += p->share[q];
    size_t upto = q == p->ranks - 1 ? n : (size_t)llround(cum * (double)n);
    if (upto > n)
      upto = n;
    count[q] = upto > given ? upto - given : 0;
    given += count[q];
  }
}
