/* sim.c: the event loop that trains the network view by view. */
#include "config.h"
#include "network/sim_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <time.h>
#include "core/profile.h"
#include "network/event.h"

#ifdef HAVE_OPENBLAS_SET_NUM_THREADS
void openblas_set_num_threads(int n);
#endif

/* Ranks are the unit of parallelism: one BLAS thread each. Threads of their
 * own spin on the small per-step kernels and cost more than they give. */
static void single_threaded_blas(void)
{
#ifdef HAVE_OPENBLAS_SET_NUM_THREADS
  openblas_set_num_threads(1);
#endif
}

/* Set from a signal handler; the loop stops at the next step. */
static volatile sig_atomic_t stop_requested;

void ladsim_sim_request_stop(void)
{
  stop_requested = 1;
}

static double wall_seconds(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* A duration in whole resolution steps; the model reader has checked that
 * it is a multiple of the resolution. */
static int64_t steps_of(const ladsim_model *m, double ms)
{
  return (int64_t)llround(ms / m->simulation.resolution);
}

static ladsim_status copy_initial_weights(ladsim_sim *s)
{
  for (size_t i = 0; i < s->net->n_units; i++) {
    const ladsim_unit *u = &s->net->units[i];
    size_t nl = u->nl ? u->nl : 1;
    s->W0[i] = malloc(nl * (u->d ? u->d : 1) * sizeof(double));
    s->b0[i] = u->b ? malloc(nl * sizeof(double)) : NULL;
    s->view_means[i] = malloc(s->vm_cap * u->n * sizeof(double));
    if (!s->W0[i] || (u->b && !s->b0[i]) || !s->view_means[i])
      return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory copying the weights of layer %s",
                          u->spec->name);
    memcpy(s->W0[i], *u->W, u->nl * u->d * sizeof(double));
    if (u->b)
      memcpy(s->b0[i], *u->b, u->nl * sizeof(double));
  }
  return LADSIM_OK;
}

/* The test images must have the training images' size, and the probe needs
 * at least two samples of each: found before training, not after it. */
static ladsim_status check_data(const ladsim_sim *s)
{
  const ladsim_evaluate_spec *ev = &s->m->evaluate;
  if (s->test->rows != s->train->rows || s->test->cols != s->train->cols)
    return LADSIM_ERROR(LADSIM_EDATA, "the test images (%s) are %zu x %zu pixels, the "
                        "training images (%s) %zu x %zu; give images of one size",
                        s->test->source, s->test->rows, s->test->cols, s->train->source,
                        s->train->rows, s->train->cols);
  if (!ev->enabled)
    return LADSIM_OK;
  size_t ntr = ev->train && ev->train < s->train->n ? ev->train : s->train->n;
  size_t nte = ev->test && ev->test < s->test->n ? ev->test : s->test->n;
  if (ntr < 2 || nte < 2)
    return LADSIM_ERROR(LADSIM_ECONFIG, "evaluate: the probe needs at least 2 training and "
                        "2 test samples, the data give %zu and %zu; raise evaluate.train, "
                        "evaluate.test or the data set's size, or set evaluate.enabled: false",
                        ntr, nte);
  return LADSIM_OK;
}

static ladsim_status schedule(ladsim_sim *s)
{
  const ladsim_model *m = s->m;
  s->view_steps = steps_of(m, m->input.view_duration);
  s->n_views = s->stim ? ladsim_stimulus_n_views(s->stim) : 0;
  int64_t full = (int64_t)s->n_views * s->view_steps;
  s->end_step = m->simulation.duration > 0 ? steps_of(m, m->simulation.duration) : full;
  if (s->stim && s->end_step > full)
    return LADSIM_ERROR(LADSIM_ECONFIG,
                        "simulation.duration: %g ms is longer than the input schedule "
                        "(%llu views of %g ms = %g ms); raise input.epochs or shorten the duration",
                        m->simulation.duration, (unsigned long long)s->n_views,
                        m->input.view_duration, (double)full * m->simulation.resolution);
  /* The interval statistics use at most the first 4096 views of an interval. */
  int64_t rec = steps_of(m, m->record.metrics);
  int64_t views = rec > 0 ? rec / s->view_steps + 2 : 2;
  s->vm_cap = (size_t)(views < 4096 ? views : 4096);
  return LADSIM_OK;
}

static ladsim_status create(MPI_Comm comm, const ladsim_model *m, ladsim_sim **out)
{
  ladsim_status st;
  *out = NULL;
  ladsim_sim *s = calloc(1, sizeof *s);
  if (!s)
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory for the simulation");
  s->comm = comm;
  MPI_Comm_rank(comm, &s->rank);
  MPI_Comm_size(comm, &s->size);
  s->m = m;
  s->last_metrics = s->last_weights = -1;
  single_threaded_blas();
  uint64_t seed = m->simulation.seed;
  size_t d = 0;
  if (ladsim__sim_has_input(m)) {
    LADSIM_CHECK_GOTO(st, ladsim_dataset_open(&m->input.data, LADSIM_SPLIT_TRAIN, seed, &s->train), fail);
    LADSIM_CHECK_GOTO(st, ladsim_dataset_open(&m->input.data, LADSIM_SPLIT_TEST, seed, &s->test), fail);
    LADSIM_CHECK_GOTO(st, check_data(s), fail);
    LADSIM_CHECK_GOTO(st, ladsim_stimulus_alloc(&m->input, s->train, seed, &s->stim), fail);
    d = ladsim_stimulus_size(s->stim);
  }
  s->x = calloc(d ? d : 1, sizeof(double));
  if (!s->x) {
    st = LADSIM_ERROR(LADSIM_ENOMEM, "out of memory for the stimulus");
    goto fail;
  }
  LADSIM_CHECK_GOTO(st, schedule(s), fail);
  LADSIM_CHECK_GOTO(st, ladsim_network_alloc(m, d, comm, &s->net), fail);
  LADSIM_CHECK_GOTO(st, copy_initial_weights(s), fail);
  LADSIM_CHECK_GOTO(st, ladsim__spike_buffers_alloc(s), fail);
  *out = s;
  return LADSIM_OK;
fail:
  ladsim_sim_free(s);
  return st;
}

ladsim_status ladsim_sim_create(MPI_Comm comm, const ladsim_model *m,
                                ladsim_sim **out)
{
  ladsim_prof_start(LADSIM_PROF_SETUP);
  ladsim_status st = create(comm, m, out);
  ladsim_prof_stop(LADSIM_PROF_SETUP);
  return st;
}

void ladsim_sim_free(ladsim_sim *s)
{
  if (!s)
    return;
  for (size_t i = 0; i < LADSIM_MAX_LAYERS; i++) {
    free(s->W0[i]);
    free(s->b0[i]);
    free(s->view_means[i]);
  }
  ladsim__spike_buffers_free(s);
  ladsim_network_free(s->net);
  ladsim_stimulus_free(s->stim);
  ladsim_dataset_free(s->train);
  ladsim_dataset_free(s->test);
  free(s->x);
  free(s);
}

void ladsim_sim_set_progress(ladsim_sim *s, ladsim_progress_fn fn, void *ctx)
{
  s->progress = fn;
  s->progress_ctx = ctx;
}

/* Keeps the view's mean activity of every layer, whole, for the interval
 * metrics. Collective. */
static ladsim_status keep_view_means(ladsim_sim *s)
{
  if (s->vm_rows == s->vm_cap)
    return LADSIM_OK;
  for (size_t i = 0; i < s->net->n_units; i++) {
    const ladsim_unit *u = &s->net->units[i];
    double *row = s->view_means[i] + s->vm_rows * u->n;
    ladsim_unit_view_mean(u, row + u->lo);
    LADSIM_CHECK(ladsim_unit_gather(u, row));
  }
  s->vm_rows++;
  return LADSIM_OK;
}

static ladsim_status on_view(ladsim_sim *s, ladsim_event_queue *q, int64_t step,
                             int *in_view)
{
  if (*in_view) {
    ladsim_network_view_end(s->net, true);
    LADSIM_CHECK(keep_view_means(s));
    double t = (double)step * s->m->simulation.resolution;
    LADSIM_CHECK(ladsim_comm_agree(s->comm, ladsim_network_check_finite(s->net, t)));
    s->views_done++;
    *in_view = 0;
  }
  if (s->views_done < s->n_views && step < s->end_step) {
    size_t sample;
    unsigned label;
    LADSIM_CHECK(ladsim_stimulus_view(s->stim, s->views_done, s->x, &sample, &label));
    LADSIM_CHECK(ladsim_network_view_begin(s->net, s->x, s->views_done));
    *in_view = 1;
    ladsim_event next = {step + s->view_steps, LADSIM_EV_VIEW, 0};
    LADSIM_CHECK(ladsim_event_queue_push(q, next));
  }
  return LADSIM_OK;
}

static ladsim_status push_recurring(ladsim_sim *s, ladsim_event_queue *q,
                                    ladsim_event_kind kind, double every_ms, int64_t now)
{
  int64_t every = steps_of(s->m, every_ms);
  if (every <= 0 || now + every > s->end_step)
    return LADSIM_OK;
  ladsim_event ev = {now + every, kind, 0};
  return ladsim_event_queue_push(q, ev);
}

static void report_progress(ladsim_sim *s, double t0, double *last)
{
  if (!s->progress)
    return;
  double now = wall_seconds();
  if (now - *last < s->m->record.progress * 1e-3 && s->views_done < s->n_views)
    return;
  *last = now;
  double h = s->m->simulation.resolution;
  double samples = (double)s->views_done / s->m->input.views_per_sample;
  s->progress(s->progress_ctx, (double)s->views_done * s->view_steps * h,
              (double)s->end_step * h, samples / fmax(now - t0, 1e-9));
}

static ladsim_status handle_event(ladsim_sim *s, ladsim_output *o, ladsim_event_queue *q,
                                  ladsim_event ev, int *in_view)
{
  const ladsim_record_spec *rec = &s->m->record;
  switch (ev.kind) {
  case LADSIM_EV_VIEW:
    return on_view(s, q, ev.step, in_view);
  case LADSIM_EV_RECORD:
    LADSIM_CHECK(ladsim__sim_record_metrics(s, o, ev.step));
    return push_recurring(s, q, LADSIM_EV_RECORD, rec->metrics, ev.step);
  case LADSIM_EV_WEIGHTS:
    LADSIM_CHECK(ladsim__sim_record_weights(s, o, ev.step));
    return push_recurring(s, q, LADSIM_EV_WEIGHTS, rec->weights_interval, ev.step);
  case LADSIM_EV_END:
    return LADSIM_OK;
  }
  return LADSIM_ERROR(LADSIM_EINTERNAL, "unknown event kind %d", (int)ev.kind);
}

/* An event inside the timer of its phase. */
static ladsim_status handle(ladsim_sim *s, ladsim_output *o, ladsim_event_queue *q,
                            ladsim_event ev, int *in_view)
{
  ladsim_prof_phase ph = ev.kind == LADSIM_EV_VIEW ? LADSIM_PROF_VIEW : LADSIM_PROF_RECORD;
  ladsim_prof_start(ph);
  ladsim_status st = handle_event(s, o, q, ev, in_view);
  ladsim_prof_stop(ph);
  return st;
}

/* The steps up to (not including) step `until`. */
static ladsim_status advance(ladsim_sim *s, int64_t *step, int64_t until)
{
  for (; *step < until; (*step)++) {
    if (stop_requested)
      return LADSIM_ERROR(LADSIM_EINTERRUPT, "stopped by a signal at t = %.3f ms",
                          (double)*step * s->m->simulation.resolution);
    LADSIM_CHECK(ladsim_network_step(s->net, true));
    LADSIM_CHECK(ladsim__sim_keep_spikes(s, *step));
  }
  return LADSIM_OK;
}

static ladsim_status loop(ladsim_sim *s, ladsim_output *o, ladsim_event_queue *q)
{
  const ladsim_record_spec *rec = &s->m->record;
  ladsim_event start = {0, LADSIM_EV_VIEW, 0}, end = {s->end_step, LADSIM_EV_END, 0};
  LADSIM_CHECK(ladsim_event_queue_push(q, start));
  LADSIM_CHECK(ladsim_event_queue_push(q, end));
  LADSIM_CHECK(push_recurring(s, q, LADSIM_EV_RECORD, rec->metrics, 0));
  if (rec->weights == LADSIM_RECORD_INTERVAL)
    LADSIM_CHECK(push_recurring(s, q, LADSIM_EV_WEIGHTS, rec->weights_interval, 0));
  if (rec->weights != LADSIM_RECORD_NONE)
    LADSIM_CHECK(ladsim__sim_record_weights(s, o, 0));
  double t0 = wall_seconds(), last = t0;
  int64_t step = 0;
  int in_view = 0;
  ladsim_event ev;
  while (ladsim_event_queue_pop(q, &ev)) {
    ladsim_prof_start(LADSIM_PROF_STEP);
    ladsim_status st = advance(s, &step, ev.step);
    ladsim_prof_stop(LADSIM_PROF_STEP);
    LADSIM_CHECK(st);
    LADSIM_CHECK(handle(s, o, q, ev, &in_view));
    if (ev.kind == LADSIM_EV_END)
      break;
    if (ev.kind == LADSIM_EV_VIEW)
      report_progress(s, t0, &last);
  }
  if (in_view)   /* a duration that ends inside a view still learns from it */
    ladsim_network_view_end(s->net, true);
  /* The end of the run is always recorded, also when an interval does not
   * divide the run's length. */
  ladsim_prof_start(LADSIM_PROF_RECORD);
  ladsim_status st = LADSIM_OK;
  if (rec->weights != LADSIM_RECORD_NONE && s->last_weights != step)
    st = ladsim__sim_record_weights(s, o, step);
  if (st == LADSIM_OK && rec->metrics > 0 && s->last_metrics != step)
    st = ladsim__sim_record_metrics(s, o, step);
  if (st == LADSIM_OK)
    st = ladsim__sim_record_spikes(s, o);
  ladsim_prof_stop(LADSIM_PROF_RECORD);
  LADSIM_CHECK(st);
  return LADSIM_OK;
}

ladsim_status ladsim_sim_run(ladsim_sim *s, ladsim_output *o)
{
  ladsim_event_queue *q;
  LADSIM_CHECK(ladsim_event_queue_alloc(64, &q));
  ladsim_status st = loop(s, o, q);
  ladsim_event_queue_free(q);
  if (st != LADSIM_OK)
    return ladsim_error_trace(st, __FILE__, __LINE__);
  return LADSIM_OK;
}
