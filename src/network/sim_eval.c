/* sim_eval.c: the frozen network's representations, the probe and the report. */
#include "config.h"
#include "network/sim_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <ladsim/probe.h>
#include "core/profile.h"

/* The representations the report is computed from: per layer, learned
 * (set 0) and at initialisation (set 1), and the raw pixels. */
typedef struct {
  size_t n_train, n_test;
  double *train[2][LADSIM_MAX_LAYERS], *test[2][LADSIM_MAX_LAYERS];
  double *raw_train, *raw_test;
} eval_data;

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
 * every rank. Here each rank fills its block of neurons of every row, and
 * the rows are gathered at the end (models with lif layers, whose spikes
 * cross ranks). Collective. */
static ladsim_status collect(ladsim_sim *s, const ladsim_dataset *d, size_t n, double **reps)
{
  ladsim_network *net = s->net;
  for (size_t k = 0; k < n; k++) {
    ladsim_stimulus_plain(s->stim, d, k, s->x);
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

/* The pixels of n samples of d, as the network sees them. */
static void collect_raw(ladsim_sim *s, const ladsim_dataset *d, size_t n, double *raw)
{
  size_t dim = s->net->input_size;
  for (size_t k = 0; k < n; k++)
    ladsim_stimulus_plain(s->stim, d, k, raw + k * dim);
}

/* A model of rate layers is evaluated by the network whole on every rank,
 * each rank running all neurons on its share of the samples (the plan's);
 * the rows of the other ranks' samples are gathered afterwards. A neuron's
 * numbers do not depend on which rank runs it. */
typedef struct {
  ladsim_model *frozen;       /* the model with every layer frozen */
  ladsim_network *whole[2];   /* learned, at initialisation; built from frozen */
  size_t *count;              /* samples per rank: train, test, then scratch */
} shared_pass;

static void shared_pass_free(shared_pass *sp)
{
  ladsim_network_free(sp->whole[0]);
  ladsim_network_free(sp->whole[1]);
  free(sp->frozen);
  free(sp->count);
}

/* Copies the learned (or, with init, the initial) weights of every rank's
 * block into `whole`. Collective. */
static ladsim_status load_whole(ladsim_sim *s, ladsim_network *whole, bool init, size_t *count)
{
  for (size_t i = 0; i < s->net->n_units; i++) {
    const ladsim_unit *u = &s->net->units[i], *w = &whole->units[i];
    for (int q = 0; q < s->size; q++) {
      size_t first;
      ladsim_comm_block(u->part->n, s->size, q, &first, &count[q]);
    }
    memcpy(*w->W + u->lo * u->d, init ? s->W0[i] : *u->W, u->nl * u->d * sizeof(double));
    memcpy(*w->b + u->lo, init ? s->b0[i] : *u->b, u->nl * sizeof(double));
    LADSIM_CHECK(ladsim_comm_gather_row_blocks(s->comm, count, u->d, *w->W));
    LADSIM_CHECK(ladsim_comm_gather_row_blocks(s->comm, count, 1, *w->b));
  }
  return LADSIM_OK;
}

/* The whole networks and the samples of each rank. Collective. */
static ladsim_status shared_pass_init(ladsim_sim *s, const eval_data *e,
                                      const ladsim__eval_plan *p, bool init, shared_pass *sp)
{
  size_t sets = init ? 2 : 1;
  ladsim_status st = LADSIM_OK;
  *sp = (shared_pass){malloc(sizeof *sp->frozen), {NULL, NULL},
                      malloc(3 * (size_t)s->size * sizeof(size_t))};
  if (!sp->frozen || !sp->count)
    st = LADSIM_ERROR(LADSIM_ENOMEM, "out of memory for the evaluation");
  /* a shallow copy: without the rule, a whole network costs its weights */
  if (st == LADSIM_OK) {
    *sp->frozen = *s->m;
    for (size_t i = 0; i < sp->frozen->n_layers; i++)
      sp->frozen->layers[i].learn = false;
  }
  for (size_t k = 0; k < sets && st == LADSIM_OK; k++)
    st = ladsim_network_alloc(sp->frozen, s->net->input_size, MPI_COMM_NULL, &sp->whole[k]);
  LADSIM_CHECK(ladsim_comm_agree(s->comm, st));
  ladsim__eval_plan_counts(p, e->n_train, sp->count);
  ladsim__eval_plan_counts(p, e->n_test, sp->count + s->size);
  for (size_t k = 0; k < sets; k++)
    LADSIM_CHECK(load_whole(s, sp->whole[k], k == 1, sp->count + 2 * s->size));
  return LADSIM_OK;
}

/* This rank's samples of d (count[q] for rank q, in rank order) through
 * `whole`, into their rows of reps. Not collective. */
static ladsim_status run_share(ladsim_sim *s, ladsim_network *whole, const ladsim_dataset *d,
                               const size_t *count, double **reps)
{
  size_t first = 0;
  for (int q = 0; q < s->rank; q++)
    first += count[q];
  for (size_t k = first; k < first + count[s->rank]; k++) {
    ladsim_stimulus_plain(s->stim, d, k, s->x);
    ladsim_network_reset_state(whole);
    LADSIM_CHECK(ladsim_network_view_begin(whole, s->x, eval_view_index(s, d, k)));
    for (int64_t t = 0; t < s->view_steps; t++)
      LADSIM_CHECK(ladsim_network_step(whole, false));
    for (size_t i = 0; i < whole->n_units; i++)
      ladsim_unit_view_mean(&whole->units[i], reps[i] + k * whole->units[i].n);
  }
  return LADSIM_OK;
}

static ladsim_status shared_pass_run(ladsim_sim *s, eval_data *e, shared_pass *sp)
{
  for (size_t k = 0; k < 2 && sp->whole[k]; k++) {
    LADSIM_CHECK(run_share(s, sp->whole[k], s->train, sp->count, e->train[k]));
    LADSIM_CHECK(run_share(s, sp->whole[k], s->test, sp->count + s->size, e->test[k]));
  }
  return LADSIM_OK;
}

/* Every rank's rows, on every rank. Collective. */
static ladsim_status shared_pass_gather(ladsim_sim *s, eval_data *e, shared_pass *sp)
{
  for (size_t k = 0; k < 2 && sp->whole[k]; k++)
    for (size_t i = 0; i < s->net->n_units; i++) {
      size_t n = s->net->units[i].n;
      LADSIM_CHECK(ladsim_comm_gather_row_blocks(s->comm, sp->count, n, e->train[k][i]));
      LADSIM_CHECK(ladsim_comm_gather_row_blocks(s->comm, sp->count + s->size, n,
                                                 e->test[k][i]));
    }
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

static ladsim_status eval_data_alloc(ladsim_sim *s, size_t n_train, size_t n_test, bool raw,
                                     bool init, eval_data *e)
{
  memset(e, 0, sizeof *e);
  e->n_train = n_train;
  e->n_test = n_test;
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

/* Computes the report's tasks first .. last - 1 that the plan gives this
 * rank into their rows of v, in the profile's probes. Not collective. */
static ladsim_status assess_tasks(ladsim_sim *s, const eval_data *e, const ladsim__eval_plan *p,
                                  size_t first, size_t last, double *v)
{
  size_t units = s->net->n_units;
  ladsim_status st = LADSIM_OK;
  ladsim_prof_start(LADSIM_PROF_EVAL_FIT);
  for (size_t t = first; t < last && st == LADSIM_OK; t++) {
    if (p->owner[t] != s->rank)
      continue;
    double *vt = v + t * N_LAYER_VALUES;
    st = t < p->layer_tasks ? assess_layer(s, e, t / units, t % units, vt)
                            : probe(s, e, e->raw_train, e->raw_test, s->net->input_size, vt);
  }
  ladsim_prof_stop(LADSIM_PROF_EVAL_FIT);
  return st;
}

/* Each task's numbers go from its rank to all, and into the report: the
 * numbers are those of one rank computing everything, whatever P.
 * Collective. */
static ladsim_status share_results(ladsim_sim *s, const ladsim__eval_plan *p, ladsim_status st,
                                   double *v, ladsim_report *rep)
{
  size_t units = s->net->n_units;
  st = ladsim_comm_agree(s->comm, st);
  for (size_t t = 0; t < p->tasks && st == LADSIM_OK && s->size > 1; t++)
    ladsim_comm_bcast(v + t * N_LAYER_VALUES, N_LAYER_VALUES, MPI_DOUBLE, p->owner[t], s->comm);
  for (size_t t = 0; t < p->layer_tasks && st == LADSIM_OK; t++)
    store_layer(&rep->layers[t % units], t >= units, v + t * N_LAYER_VALUES);
  if (st == LADSIM_OK && p->tasks > p->layer_tasks)
    rep->raw_accuracy = v[p->layer_tasks * N_LAYER_VALUES];
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

/* With every layer split over the ranks as in training (models with lif
 * layers): the representations, then the tasks. Collective. */
static ladsim_status evaluate_split(ladsim_sim *s, eval_data *e, const ladsim__eval_plan *p,
                                    bool init, double *v)
{
  ladsim_prof_start(LADSIM_PROF_EVAL_NET);
  ladsim_status st = collect(s, s->train, e->n_train, e->train[0]);
  if (st == LADSIM_OK)
    st = collect(s, s->test, e->n_test, e->test[0]);
  if (st == LADSIM_OK && init) {
    swap_initial(s);
    st = collect(s, s->train, e->n_train, e->train[1]);
    if (st == LADSIM_OK)
      st = collect(s, s->test, e->n_test, e->test[1]);
    swap_initial(s);
  }
  ladsim_prof_stop(LADSIM_PROF_EVAL_NET);
  LADSIM_CHECK(st);
  return assess_tasks(s, e, p, 0, p->tasks, v);
}

/* A model of rate layers: each rank's samples through the whole network,
 * the raw-pixel fit beside them on its rank, then every rank's rows to
 * all and the layers' fits. Collective. */
static ladsim_status evaluate_shared(ladsim_sim *s, eval_data *e, const ladsim__eval_plan *p,
                                     bool init, double *v)
{
  shared_pass sp;
  ladsim_prof_start(LADSIM_PROF_EVAL_NET);
  ladsim_status st = shared_pass_init(s, e, p, init, &sp);
  if (st == LADSIM_OK)
    st = shared_pass_run(s, e, &sp);
  ladsim_prof_stop(LADSIM_PROF_EVAL_NET);
  if (st == LADSIM_OK)
    st = assess_tasks(s, e, p, p->layer_tasks, p->tasks, v);
  ladsim_prof_start(LADSIM_PROF_EVAL_NET);
  st = ladsim_comm_agree(s->comm, st);
  if (st == LADSIM_OK)
    st = shared_pass_gather(s, e, &sp);
  shared_pass_free(&sp);
  ladsim_prof_stop(LADSIM_PROF_EVAL_NET);
  LADSIM_CHECK(st);
  return assess_tasks(s, e, p, 0, p->layer_tasks, v);
}

static ladsim_status evaluate(ladsim_sim *s, eval_data *e, const ladsim__eval_plan *p,
                              ladsim_report *rep)
{
  double *v = calloc(p->tasks * N_LAYER_VALUES, sizeof(double));
  ladsim_status st = v ? LADSIM_OK : LADSIM_ERROR(LADSIM_ENOMEM, "out of memory for the report");
  st = ladsim_comm_agree(s->comm, st);
  if (st != LADSIM_OK) {
    free(v);
    return st;
  }
  if (e->raw_train) {
    ladsim_prof_start(LADSIM_PROF_EVAL_FIT);
    collect_raw(s, s->train, e->n_train, e->raw_train);
    collect_raw(s, s->test, e->n_test, e->raw_test);
    ladsim_prof_stop(LADSIM_PROF_EVAL_FIT);
  }
  st = s->net->n_pops > 0 ? evaluate_split(s, e, p, rep->has_init, v)
                          : evaluate_shared(s, e, p, rep->has_init, v);
  st = share_results(s, p, st, v, rep);
  free(v);
  return st;
}

/* The plan and the report's data: the raw pixels only on the rank that
 * fits them. Collective. */
static ladsim_status prepare(ladsim_sim *s, eval_data *e, ladsim__eval_plan *p)
{
  const ladsim_evaluate_spec *ev = &s->m->evaluate;
  size_t n_train = ev->train && ev->train < s->train->n ? ev->train : s->train->n;
  size_t n_test = ev->test && ev->test < s->test->n ? ev->test : s->test->n;
  memset(e, 0, sizeof *e);
  ladsim_status st = ladsim__eval_plan_make(s, n_train, n_test, ev->init, ev->raw, p);
  if (st == LADSIM_OK)
    st = eval_data_alloc(s, n_train, n_test, ev->raw && p->owner[p->layer_tasks] == s->rank,
                         ev->init, e);
  /* a failure on one rank is known to all before any collective */
  st = ladsim_comm_agree(s->comm, st);
  if (st != LADSIM_OK) {
    eval_data_free(e);
    ladsim__eval_plan_free(p);
  }
  return st;
}

static ladsim_status evaluate_all(ladsim_sim *s, ladsim_output *o, ladsim_report *rep)
{
  const ladsim_evaluate_spec *ev = &s->m->evaluate;
  eval_data e;
  ladsim__eval_plan plan = {0};
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
  LADSIM_CHECK(prepare(s, &e, &plan));
  rep->n_train = e.n_train;
  rep->n_test = e.n_test;
  rep->n_classes = s->train->n_classes;
  ladsim_status st = evaluate(s, &e, &plan, rep);
  eval_data_free(&e);
  ladsim__eval_plan_free(&plan);
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
