/* sim_record.c: writing metrics and weight snapshots during a run. */
#include "config.h"
#include "network/sim_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <ladsim/probe.h>
#include "core/linalg.h"

ladsim_status ladsim__output_scalar(ladsim_output *o, int rank, const char *path,
                                   double v)
{
  size_t dims[1] = {1};
  return ladsim_output_write_doubles(o, path, 1, dims, 0, rank == 0 ? 1 : 0, &v);
}

static ladsim_status series(ladsim_output *o, const char *layer, const char *name,
                            double v)
{
  char path[256];
  snprintf(path, sizeof path, "/metrics/%s/%s", layer, name);
  return ladsim_output_series_append(o, path, v);
}

/* Diversity of the interval's view-mean activities. */
static ladsim_status interval_stats(ladsim_sim *s, size_t i, ladsim_rep_stats *st)
{
  const ladsim_unit *u = &s->net->units[i];
  if (s->vm_rows < 2) {
    st->mean_abs_corr = st->participation_ratio = st->dead_fraction = NAN;
    st->mean_rate = NAN;
    return LADSIM_OK;
  }
  return ladsim_rep_stats_compute(s->view_means[i], s->vm_rows, u->n, 1e-9, st);
}

/* The layer's mean of a per-neuron quantity: this rank's values of its
 * block (mine, nl) are gathered and summed in neuron order, so the result
 * does not depend on the partition. */
static ladsim_status layer_mean(const ladsim_unit *u, const double *mine, double *full,
                                double scale, double *out)
{
  memcpy(full + u->lo, mine, u->nl * sizeof(double));
  LADSIM_CHECK(ladsim_unit_gather(u, full));
  double sum = 0.0;
  for (size_t i = 0; i < u->n; i++)
    sum += full[i];
  *out = sum * scale;
  return LADSIM_OK;
}

/* sum over neurons of the rule's interval sums and distances, and the
 * weights' squared norms: per neuron first, then the layer means. */
static ladsim_status rule_metrics(const ladsim_unit *u, double *mine, double *full,
                                  double v[5])
{
  for (size_t i = 0; i < u->nl; i++)
    mine[i] = ladsim_dot(*u->W + i * u->d, *u->W + i * u->d, u->d);
  LADSIM_CHECK(layer_mean(u, mine, full, 1.0 / (double)u->n, &v[0]));
  v[0] = sqrt(v[0]);
  ladsim_rule *r = u->rule;
  if (!r) {
    v[1] = v[2] = v[3] = v[4] = NAN;
    return LADSIM_OK;
  }
  double per_step = r->stats.steps ? 1.0 / ((double)r->stats.steps * (double)u->n) : NAN;
  LADSIM_CHECK(layer_mean(u, r->stats.sum_z, full, per_step, &v[1]));
  LADSIM_CHECK(layer_mean(u, r->stats.sum_e2, full, per_step, &v[2]));
  LADSIM_CHECK(layer_mean(u, r->stats.sum_v2, full, per_step, &v[3]));
  ladsim_rule_distances(r, mine);
  LADSIM_CHECK(layer_mean(u, mine, full, 1.0 / (double)u->n, &v[4]));
  ladsim_rule_stats_reset(r);
  return LADSIM_OK;
}

/* Collective over the layer's ranks (the gathers) and the output's. */
static ladsim_status record_layer(ladsim_sim *s, ladsim_output *o, size_t i)
{
  const ladsim_unit *u = &s->net->units[i];
  const char *name = u->spec->name;
  ladsim_rep_stats st;
  LADSIM_CHECK(interval_stats(s, i, &st));
  double v[5];
  double *mine = malloc((u->nl ? u->nl : 1) * sizeof(double));
  double *full = malloc(u->n * sizeof(double));
  ladsim_status rc = mine && full ? rule_metrics(u, mine, full, v)
                                  : LADSIM_ERROR(LADSIM_ENOMEM, "out of memory for the metrics "
                                                 "of layer %s", name);
  free(mine);
  free(full);
  LADSIM_CHECK(ladsim_comm_agree(s->comm, rc));
  LADSIM_CHECK(series(o, name, "mean_abs_corr", st.mean_abs_corr));
  LADSIM_CHECK(series(o, name, "participation_ratio", st.participation_ratio));
  LADSIM_CHECK(series(o, name, "dead_fraction", st.dead_fraction));
  LADSIM_CHECK(series(o, name, "weight_norm", v[0]));
  LADSIM_CHECK(series(o, name, "mean_rate", u->rule ? v[1] : st.mean_rate));
  LADSIM_CHECK(series(o, name, "predictor_error", v[2]));
  LADSIM_CHECK(series(o, name, "invariance_error", v[3]));
  LADSIM_CHECK(series(o, name, "eps_distance", v[4]));
  return LADSIM_OK;
}

ladsim_status ladsim__sim_record_metrics(ladsim_sim *s, ladsim_output *o, int64_t step)
{
  s->last_metrics = step;
  LADSIM_CHECK(ladsim__sim_gather_view_means(s));
  if (o) {
    /* what was recorded before the round goes to disk first, so that it
     * stays readable in the .partial file if the run stops during it */
    LADSIM_CHECK(ladsim_output_flush(o));
    s->n_metrics++;
    LADSIM_CHECK(ladsim_output_series_append(o, "/metrics/time",
                                             (double)step * s->m->simulation.resolution));
    for (size_t i = 0; i < s->net->n_units; i++)
      LADSIM_CHECK(record_layer(s, o, i));
  }
  LADSIM_CHECK(ladsim__sim_record_spikes(s, o));
  s->vm_rows = s->vm_gathered = 0;
  return LADSIM_OK;
}

/* Appends u's rows of this rank to the stack /weights/<layer>/<name> of
 * rows x cols slices. */
static ladsim_status stack(ladsim_sim *s, ladsim_output *o, const ladsim_unit *u,
                           const char *name, size_t cols, const double *data)
{
  char path[256];
  size_t row0, nrows;
  snprintf(path, sizeof path, "/weights/%s/%s", u->spec->name, name);
  ladsim_unit_rows(u, s->rank, &row0, &nrows);
  return ladsim_output_stack_append(o, path, u->n, cols, row0, nrows, data);
}

ladsim_status ladsim__sim_record_weights(ladsim_sim *s, ladsim_output *o, int64_t step)
{
  s->last_weights = step;
  if (!o)
    return LADSIM_OK;
  LADSIM_CHECK(ladsim_output_flush(o));   /* as before a round of metrics */
  s->n_weights++;
  LADSIM_CHECK(ladsim_output_series_append(o, "/weights/time",
                                           (double)step * s->m->simulation.resolution));
  for (size_t i = 0; i < s->net->n_units; i++) {
    const ladsim_unit *u = &s->net->units[i];
    LADSIM_CHECK(stack(s, o, u, "W", u->d, *u->W));
    if (u->b)
      LADSIM_CHECK(stack(s, o, u, "b", 1, *u->b));
    if (u->rule) {
      LADSIM_CHECK(stack(s, o, u, "P", u->n, u->rule->P));
      LADSIM_CHECK(stack(s, o, u, "c", 1, u->rule->c));
    }
  }
  return LADSIM_OK;
}
