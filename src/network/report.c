/* report.c: printing the evaluation report and reloading weights from a run's file. */
#include "config.h"
#include "network/sim_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static void row(FILE *f, const char *what, double learned, double init, bool has_init,
                const char *fmt)
{
  fprintf(f, "  %-34s", what);
  fprintf(f, fmt, learned);
  if (has_init)
    fprintf(f, fmt, init);
  fputc('\n', f);
}

size_t ladsim_report_warn_dead(const ladsim_report *rep, FILE *f, const char *lead)
{
  size_t n = 0;
  for (size_t i = 0; i < rep->n_layers; i++) {
    const ladsim_layer_report *l = &rep->layers[i];
    /* A frozen layer is as dead as it was at init: only learning's doing
     * is worth a warning. */
    if (!(l->dead_fraction >= LADSIM_REPORT_DEAD_WARN) ||
        (rep->has_init && l->dead_fraction <= l->init_dead_fraction))
      continue;
    if (l->dead_fraction >= 1.0)
      fprintf(f, "%slayer %s: every neuron is silent after learning (dead fraction 1)", lead,
              l->name);
    else
      fprintf(f, "%slayer %s: %.0f%% of the neurons are silent after learning (dead "
              "fraction %.2f)", lead, l->name, 100.0 * l->dead_fraction, l->dead_fraction);
    fprintf(f, "; the learning rates are likely too high: lower layers.%s.learning.eta "
            "and the other rates under layers.%s.learning\n", l->name, l->name);
    n++;
  }
  return n;
}

void ladsim_report_print(const ladsim_report *rep, FILE *f)
{
  fprintf(f, "Evaluation: frozen network, %zu train and %zu test samples, %zu classes\n",
          rep->n_train, rep->n_test, rep->n_classes);
  for (size_t i = 0; i < rep->n_layers; i++) {
    const ladsim_layer_report *l = &rep->layers[i];
    bool h = rep->has_init;
    char head[LADSIM_NAME_MAX + 32];
    snprintf(head, sizeof head, "layer %s (%zu neurons)", l->name, l->size);
    fprintf(f, "\n%-36s%12s%s\n", head, "learned", h ? "     at init" : "");
    row(f, "linear-probe accuracy (test)", l->accuracy, l->init_accuracy, h, "%12.4f");
    row(f, "mean |off-diagonal correlation|", l->mean_abs_corr, l->init_mean_abs_corr, h, "%12.4f");
    row(f, "participation ratio", l->participation_ratio, l->init_participation_ratio, h, "%12.2f");
    row(f, "dead fraction", l->dead_fraction, l->init_dead_fraction, h, "%12.4f");
    row(f, "Epps-Pulley distance to target", l->eps_distance, l->init_eps_distance, h, "%12.4f");
    row(f, "mean activity", l->mean_rate, l->init_mean_rate, h, "%12.4f");
  }
  if (!isnan(rep->raw_accuracy))
    fprintf(f, "\nraw pixels: linear-probe accuracy (test) %.4f\n", rep->raw_accuracy);
  ladsim_report_warn_dead(rep, f, "\nwarning: ");
}

/* Copies rows lo .. lo + nl of the first and the last slice of
 * /weights/<layer>/<name>. */
static ladsim_status load_stack(ladsim_input_file *f, const char *layer, const char *name,
                                size_t rows, size_t cols, size_t lo, size_t nl,
                                double *first, double *last)
{
  char path[256];
  snprintf(path, sizeof path, "/weights/%s/%s", layer, name);
  int rank;
  size_t dims[4];
  double *data;
  if (!ladsim_input_file_has(f, path))
    return LADSIM_ERROR(LADSIM_EDATA, "the run recorded no weights (%s is missing); "
                        "run it again with record.weights: end", path);
  LADSIM_CHECK(ladsim_input_file_read_doubles(f, path, &rank, dims, &data));
  if (rank != 3 || dims[0] < 1 || dims[1] != rows || dims[2] != cols) {
    free(data);
    return LADSIM_ERROR(LADSIM_EDATA, "%s: expected snapshots of %zu x %zu, found %d "
                        "dimensions (%zu x %zu x %zu); was the file written by this model?",
                        path, rows, cols, rank, dims[0], rank > 1 ? dims[1] : 0,
                        rank > 2 ? dims[2] : 0);
  }
  size_t slice = rows * cols, block = lo * cols;
  memcpy(first, data + block, nl * cols * sizeof(double));
  memcpy(last, data + (dims[0] - 1) * slice + block, nl * cols * sizeof(double));
  free(data);
  return LADSIM_OK;
}

ladsim_status ladsim_sim_load_weights(ladsim_sim *s, ladsim_input_file *f)
{
  for (size_t i = 0; i < s->net->n_units; i++) {
    const ladsim_unit *u = &s->net->units[i];
    LADSIM_CHECK(load_stack(f, u->spec->name, "W", u->n, u->d, u->lo, u->nl, s->W0[i],
                            *u->W));
    if (u->b)
      LADSIM_CHECK(load_stack(f, u->spec->name, "b", u->n, 1, u->lo, u->nl, s->b0[i],
                              *u->b));
  }
  return LADSIM_OK;
}
