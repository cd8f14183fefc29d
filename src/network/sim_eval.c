/* sim_eval.c: the frozen network's representations, the probe and the report. */
#include "config.h"
#include "network/sim_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ladsim/probe.h>
#include "core/profile.h"

/* Evaluation views draw their Poisson trains from view indices that no
 * training view reaches, one per (split, sample), so the learned and the
 * initial network see the same spikes. */
static uint64_t eval_view_index(const ladsim_sim *s, const ladsim_dataset *d, size_t k)
{
  uint64_t split = d == s->test ? 1 : 0;
  return (UINT64_C(1) << 62) | (split << 40) | (uint64_t)k;
}

/* Representations of n samples of d: per layer an n x size matrix of the
 * mean activity over one un-augmented view, starting from rest, whole on
 * every rank (each rank fills its block of every row, and the rows are
 * gathered at the end); raw gets the stimulus itself when not NULL.
 * Collective. */
static ladsim_status collect(ladsim_sim *s, const ladsim_dataset *d, size_t n,
                             double **reps, double *raw)
{
  ladsim_network *net = s->net;
  size_t dim = net->input_size;
  for (size_t k = 0; k < n; k++) {
    ladsim_stimulus_plain(s->stim, d, k, s->x);
    if (raw)
      memcpy(raw + k * dim, s->x, dim * sizeof(double));
    ladsim_network_reset_state(net);
    LADSIM_CHECK(ladsim_network_view_begin(net, s->x, eval_view_index(s, d, k)));
    for (int64_t t = 0; t < s->view_steps; t++)
      LADSIM_CHECK(ladsim_network_step(net, false));
    /* a step that failed on one rank is known to all before they go on */
    if (net->n_pops > 0)
      LADSIM_CHECK(ladsim_network_exchange(net));
    for (size_t i = 0; i < net->n_units; i++) {
      const ladsim_unit *u = &net->units[i];
      ladsim_unit_view_mean(u, reps[i] + k * u->n + u->lo);
    }
  }
  /* the other blocks of every sample, in a few collectives */
  for (size_t i = 0; i < net->n_units; i++)
    LADSIM_CHECK(ladsim_unit_gather_rows(&net->units[i], n, reps[i]));
  return LADSIM_OK;
}

/* Exchanges the network's weights with the stored initial ones. */
static void swap_initial(ladsim_sim *s)
{
  for (size_t i = 0; i < s->net->n_units; i++) {
    const ladsim_unit *u = &s->net->units[i];
    double *w = *u->W;
    *u->W = s->W0[i];
    s->W0[i] = w;
    if (u->b) {
      double *b = *u->b;
      *u->b = s->b0[i];
      s->b0[i] = b;
    }
  }
}

/* Mean over neurons of the batch Epps-Pulley distance to the layer's target. */
static ladsim_status eps_distance(const ladsim_layer_spec *ls, const double *rep,
                                  size_t n, double *out)
{
  ladsim_sigreg_knots *kn;
  LADSIM_CHECK(ladsim_sigreg_knots_alloc(&ls->learning.target, ls->learning.sig_knots,
                                         ls->learning.sig_tmax, &kn));
  double sum = 0.0;
  for (size_t i = 0; i < ls->size; i++)
    sum += ladsim_sigreg_batch_distance(kn, rep + i, n, ls->size);
  ladsim_sigreg_knots_free(kn);
  *out = sum / (double)ls->size;
  return LADSIM_OK;
}

/* The representations the report is computed from: per layer, learned
 * (set 0) and at initialisation (set 1), and the raw pixels. */
typedef struct {
  size_t n_train, n_test;
  double *train[2][LADSIM_MAX_LAYERS], *test[2][LADSIM_MAX_LAYERS];
  double *raw_train, *raw_test;
} eval_data;

static void eval_data_free(eval_data *e)
{
  for (size_t k = 0; k < 2; k++)
    for (size_t i = 0; i < LADSIM_MAX_LAYERS; i++) {
      free(e->train[k][i]);
      free(e->test[k][i]);
    }
  free(e->raw_train);
  free(e->raw_test);
}

static ladsim_status eval_data_alloc(ladsim_sim *s, bool raw, bool init, eval_data *e)
{
  const ladsim_evaluate_spec *ev = &s->m->evaluate;
  memset(e, 0, sizeof *e);
  e->n_train = ev->train && ev->train < s->train->n ? ev->train : s->train->n;
  e->n_test = ev->test && ev->test < s->test->n ? ev->test : s->test->n;
  bool ok = true;
  for (size_t k = 0; k < (init ? 2u : 1u); k++)
    for (size_t i = 0; i < s->net->n_units; i++) {
      size_t n = s->net->units[i].n;
      e->train[k][i] = malloc(e->n_train * n * sizeof(double));
      e->test[k][i] = malloc(e->n_test * n * sizeof(double));
      ok = ok && e->train[k][i] && e->test[k][i];
    }
  if (raw) {
    size_t d = s->net->input_size;
    e->raw_train = malloc(e->n_train * d * sizeof(double));
    e->raw_test = malloc(e->n_test * d * sizeof(double));
    ok = ok && e->raw_train && e->raw_test;
  }
  if (!ok) {
    eval_data_free(e);
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory for the evaluation representations "
                        "(%zu train, %zu test samples); lower evaluate.train", e->n_train, e->n_test);
  }
  return LADSIM_OK;
}

static ladsim_status probe(ladsim_sim *s, const eval_data *e, const double *xtr,
                           const double *xte, size_t dim, double *acc)
{
  size_t nc = s->train->n_classes > s->test->n_classes ? s->train->n_classes
                                                       : s->test->n_classes;
  ladsim_probe_result pr;
  LADSIM_CHECK(ladsim_probe_ridge(xtr, s->train->labels, e->n_train, xte,
                                  s->test->labels, e->n_test, dim, nc,
                                  s->m->evaluate.validation, s->m->simulation.seed, &pr));
  *acc = pr.accuracy;
  return LADSIM_OK;
}

/* The report's numbers of one layer for one set of representations. */
enum { N_LAYER_VALUES = 6 };

static ladsim_status assess_layer(ladsim_sim *s, const eval_data *e, size_t set, size_t i,
                                  double v[N_LAYER_VALUES])
{
  const ladsim_layer_spec *ls = s->net->units[i].spec;
  const double *train = e->train[set][i], *test = e->test[set][i];
  ladsim_rep_stats st;
  LADSIM_CHECK(probe(s, e, train, test, ls->size, &v[0]));
  LADSIM_CHECK(ladsim_rep_stats_compute(test, e->n_test, ls->size, 1e-9, &st));
  LADSIM_CHECK(eps_distance(ls, test, e->n_test, &v[4]));
  v[1] = st.mean_abs_corr;
  v[2] = st.participation_ratio;
  v[3] = st.dead_fraction;
  v[5] = st.mean_rate;
  return LADSIM_OK;
}

static void store_layer(ladsim_layer_report *lr, bool init, const double v[N_LAYER_VALUES])
{
  double *dst[] = {&lr->accuracy, &lr->mean_abs_corr, &lr->participation_ratio,
                   &lr->dead_fraction, &lr->eps_distance, &lr->mean_rate};
  double *dst0[] = {&lr->init_accuracy, &lr->init_mean_abs_corr,
                    &lr->init_participation_ratio, &lr->init_dead_fraction,
                    &lr->init_eps_distance, &lr->init_mean_rate};
  for (size_t k = 0; k < N_LAYER_VALUES; k++)
    *(init ? dst0[k] : dst[k]) = v[k];
}

/* Gives each of the report's tasks a rank: the costliest first (a ridge
 * fit costs about dim^2 per sample), each to the rank with the least work
 * so far, the lowest on a tie. Every rank computes the same assignment. */
static void assign_tasks(const size_t *dim, size_t tasks, int ranks, int *owner)
{
  double load[LADSIM_MAX_LAYERS * 2 + 1] = {0.0};
  bool done[LADSIM_MAX_LAYERS * 2 + 1] = {false};
  int slots = ranks < (int)tasks ? ranks : (int)tasks;
  for (size_t k = 0; k < tasks; k++) {
    size_t t = tasks;
    for (size_t c = 0; c < tasks; c++)
      if (!done[c] && (t == tasks || dim[c] > dim[t]))
        t = c;
    int r = 0;
    for (int q = 1; q < slots; q++)
      if (load[q] < load[r])
        r = q;
    owner[t] = r;
    load[r] += (double)dim[t] * (double)dim[t];
    done[t] = true;
  }
}

/* The report's tasks (each layer learned and at initialisation, then the
 * raw pixels) are independent, and each is computed whole by one rank
 * (assign_tasks), then broadcast: the numbers are those of one rank
 * computing everything, whatever P, and up to 2L + 1 ranks share the
 * work. Collective. */
static ladsim_status assess_all(ladsim_sim *s, const eval_data *e, ladsim_report *rep)
{
  size_t units = s->net->n_units, layer_tasks = (rep->has_init ? 2 : 1) * units;
  size_t tasks = layer_tasks + (e->raw_train ? 1 : 0);
  size_t dim[LADSIM_MAX_LAYERS * 2 + 1];
  int owner[LADSIM_MAX_LAYERS * 2 + 1];
  for (size_t t = 0; t < tasks; t++)
    dim[t] = t < layer_tasks ? s->net->units[t % units].n : s->net->input_size;
  int ranks = 1;
  if (s->comm != MPI_COMM_NULL)
    MPI_Comm_size(s->comm, &ranks);
  assign_tasks(dim, tasks, ranks, owner);
  double *v = calloc(tasks * N_LAYER_VALUES, sizeof(double));
  if (!v)
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory for the report");
  ladsim_status st = LADSIM_OK;
  for (size_t t = 0; t < tasks && st == LADSIM_OK; t++) {
    if (owner[t] != s->rank)
      continue;
    double *vt = v + t * N_LAYER_VALUES;
    st = t < layer_tasks ? assess_layer(s, e, t / units, t % units, vt)
                         : probe(s, e, e->raw_train, e->raw_test, s->net->input_size, vt);
  }
  st = ladsim_comm_agree(s->comm, st);
  for (size_t t = 0; t < tasks && st == LADSIM_OK && ranks > 1; t++)
    MPI_Bcast(v + t * N_LAYER_VALUES, N_LAYER_VALUES, MPI_DOUBLE, owner[t], s->comm);
  for (size_t t = 0; t < layer_tasks && st == LADSIM_OK; t++)
    store_layer(&rep->layers[t % units], t >= units, v + t * N_LAYER_VALUES);
  if (st == LADSIM_OK && e->raw_train)
    rep->raw_accuracy = v[layer_tasks * N_LAYER_VALUES];
  free(v);
  return st;
}

static ladsim_status write_report(ladsim_sim *s, ladsim_output *o, const ladsim_report *rep)
{
  static const char *names[] = {"accuracy", "mean_abs_corr", "participation_ratio",
                                "dead_fraction", "eps_distance", "mean_rate"};
  char path[256];
  LADSIM_CHECK(ladsim__output_scalar(o, s->rank, "/probe/raw_accuracy", rep->raw_accuracy));
  LADSIM_CHECK(ladsim__output_scalar(o, s->rank, "/probe/n_train", (double)rep->n_train));
  LADSIM_CHECK(ladsim__output_scalar(o, s->rank, "/probe/n_test", (double)rep->n_test));
  for (size_t i = 0; i < rep->n_layers; i++) {
    const ladsim_layer_report *lr = &rep->layers[i];
    double v[] = {lr->accuracy, lr->mean_abs_corr, lr->participation_ratio,
                  lr->dead_fraction, lr->eps_distance, lr->mean_rate};
    double v0[] = {lr->init_accuracy, lr->init_mean_abs_corr, lr->init_participation_ratio,
                   lr->init_dead_fraction, lr->init_eps_distance, lr->init_mean_rate};
    for (size_t k = 0; k < 6; k++) {
      snprintf(path, sizeof path, "/probe/%s/%s", lr->name, names[k]);
      LADSIM_CHECK(ladsim__output_scalar(o, s->rank, path, v[k]));
      if (!rep->has_init)
        continue;
      snprintf(path, sizeof path, "/probe/%s/init/%s", lr->name, names[k]);
      LADSIM_CHECK(ladsim__output_scalar(o, s->rank, path, v0[k]));
    }
  }
  return LADSIM_OK;
}

static ladsim_status representations(ladsim_sim *s, eval_data *e, bool init)
{
  LADSIM_CHECK(collect(s, s->train, e->n_train, e->train[0], e->raw_train));
  LADSIM_CHECK(collect(s, s->test, e->n_test, e->test[0], e->raw_test));
  if (!init)
    return LADSIM_OK;
  swap_initial(s);
  ladsim_status st = collect(s, s->train, e->n_train, e->train[1], NULL);
  if (st == LADSIM_OK)
    st = collect(s, s->test, e->n_test, e->test[1], NULL);
  swap_initial(s);
  return st;
}

static ladsim_status evaluate(ladsim_sim *s, eval_data *e, ladsim_report *rep)
{
  ladsim_prof_start(LADSIM_PROF_EVAL_NET);
  ladsim_status st = representations(s, e, rep->has_init);
  ladsim_prof_stop(LADSIM_PROF_EVAL_NET);
  LADSIM_CHECK(st);
  ladsim_prof_start(LADSIM_PROF_EVAL_FIT);
  st = assess_all(s, e, rep);
  ladsim_prof_stop(LADSIM_PROF_EVAL_FIT);
  return st;
}

static ladsim_status evaluate_all(ladsim_sim *s, ladsim_output *o, ladsim_report *rep)
{
  const ladsim_evaluate_spec *ev = &s->m->evaluate;
  eval_data e;
  memset(rep, 0, sizeof *rep);
  if (!s->stim || s->net->n_units == 0)
    return LADSIM_ERROR(LADSIM_ECONFIG, "evaluate: the probe needs a data set and a layer "
                        "fed by it (from: input or a layer above it); set "
                        "evaluate.enabled: false");
  rep->raw_accuracy = NAN;
  rep->has_init = ev->init;
  rep->n_layers = s->net->n_units;
  for (size_t i = 0; i < rep->n_layers; i++) {
    snprintf(rep->layers[i].name, LADSIM_NAME_MAX, "%s", s->net->units[i].spec->name);
    rep->layers[i].size = s->net->units[i].n;
  }
  LADSIM_CHECK(eval_data_alloc(s, ev->raw, ev->init, &e));
  rep->n_train = e.n_train;
  rep->n_test = e.n_test;
  rep->n_classes = s->train->n_classes;
  ladsim_status st = evaluate(s, &e, rep);
  eval_data_free(&e);
  LADSIM_CHECK(st);
  if (o)
    LADSIM_CHECK(write_report(s, o, rep));
  return LADSIM_OK;
}

ladsim_status ladsim_sim_evaluate(ladsim_sim *s, ladsim_output *o, ladsim_report *rep)
{
  ladsim_prof_start(LADSIM_PROF_EVALUATE);
  ladsim_status st = evaluate_all(s, o, rep);
  ladsim_prof_stop(LADSIM_PROF_EVALUATE);
  return st;
}
