/* sim_record.c: writing metrics and weight snapshots during a run. */
#include "config.h"
#include "network/sim_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <gsl/gsl_cblas.h>
#include <ladsim/probe.h>

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

static ladsim_status record_layer(ladsim_sim *s, ladsim_output *o, size_t i)
{
  const ladsim_unit *u = &s->net->units[i];
  const char *name = u->spec->name;
  ladsim_rep_stats st;
  LADSIM_CHECK(interval_stats(s, i, &st));
  LADSIM_CHECK(series(o, name, "mean_abs_corr", st.mean_abs_corr));
  LADSIM_CHECK(series(o, name, "participation_ratio", st.participation_ratio));
  LADSIM_CHECK(series(o, name, "dead_fraction", st.dead_fraction));
  double wn = cblas_dnrm2((int)(u->n * u->d), *u->W, 1) / sqrt((double)u->n);
  LADSIM_CHECK(series(o, name, "weight_norm", wn));
  ladsim_rule *r = u->rule;
  double denom = r && r->stats.steps ? (double)r->stats.steps * (double)u->n : NAN;
  LADSIM_CHECK(series(o, name, "mean_rate", r ? r->stats.sum_z / denom : st.mean_rate));
  LADSIM_CHECK(series(o, name, "predictor_error", r ? r->stats.sum_e2 / denom : NAN));
  LADSIM_CHECK(series(o, name, "invariance_error", r ? r->stats.sum_v2 / denom : NAN));
  LADSIM_CHECK(series(o, name, "eps_distance", r ? ladsim_rule_distance(r) : NAN));
  if (r)
    ladsim_rule_stats_reset(r);
  return LADSIM_OK;
}

ladsim_status ladsim__sim_record_metrics(ladsim_sim *s, ladsim_output *o, int64_t step)
{
  s->last_metrics = step;
  if (o) {
    LADSIM_CHECK(ladsim_output_series_append(o, "/metrics/time",
                                             (double)step * s->m->simulation.resolution));
    for (size_t i = 0; i < s->net->n_units; i++)
      LADSIM_CHECK(record_layer(s, o, i));
  }
  LADSIM_CHECK(ladsim__sim_record_spikes(s, o));
  s->vm_rows = 0;
  return LADSIM_OK;
}

static ladsim_status stack(ladsim_sim *s, ladsim_output *o, const char *layer,
                           const char *name, size_t rows, size_t cols, const double *data)
{
  char path[256];
  snprintf(path, sizeof path, "/weights/%s/%s", layer, name);
  /* Every rank holds the whole layer for now; rank 0 writes it. */
  return ladsim_output_stack_append(o, path, rows, cols, 0, s->rank == 0 ? rows : 0, data);
}

ladsim_status ladsim__sim_record_weights(ladsim_sim *s, ladsim_output *o, int64_t step)
{
  s->last_weights = step;
  if (!o)
    return LADSIM_OK;
  LADSIM_CHECK(ladsim_output_series_append(o, "/weights/time",
                                           (double)step * s->m->simulation.resolution));
  for (size_t i = 0; i < s->net->n_units; i++) {
    const ladsim_unit *u = &s->net->units[i];
    const char *name = u->spec->name;
    LADSIM_CHECK(stack(s, o, name, "W", u->n, u->d, *u->W));
    if (u->b)
      LADSIM_CHECK(stack(s, o, name, "b", u->n, 1, *u->b));
    if (u->rule) {
      LADSIM_CHECK(stack(s, o, name, "P", u->n, u->n, u->rule->P));
      LADSIM_CHECK(stack(s, o, name, "c", u->n, 1, u->rule->c));
    }
  }
  return LADSIM_OK;
}
