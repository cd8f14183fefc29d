/* sim.c: the event loop that trains the network view by view. */
#include "config.h"
#include "network/sim_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <time.h>
#include "core/linalg.h"
#include "core/profile.h"
#include "network/event.h"

/* Set from a signal handler; the loop stops at the next step. */
static volatile sig_atomic_t stop_requested;

void ladsim_sim_request_stop(void)
{
  stop_requested = 1;
}

/* The model reader has checked that durations are multiples of the
 * resolution. */
int64_t ladsim__steps_of(const ladsim_model *m, double ms)
{
  return (int64_t)llround(ms / m->simulation.resolution);
}

#define steps_of ladsim__steps_of

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
  s->rank = ladsim_comm_rank(comm);
  s->size = ladsim_comm_size(comm);
  s->m = m;
  s->last_metrics = s->last_weights = s->last_ckpt = -1;
  stop_requested = 0;   /* a stop asked of an earlier simulation is not for this one */
  ladsim_blas_single_thread();
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
  s->sync_steps = steps_of(m, m->simulation.min_delay);
  if (s->sync_steps < 1)
    s->sync_steps = 1;
  LADSIM_CHECK_GOTO(st, ladsim_event_queue_alloc(64, &s->queue), fail);
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
  ladsim_event_queue_free(s->queue);
  free(s->ckpt_path);
  free(s->out_path);
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

/* Keeps the view's mean activity of the block's neurons of every layer for
 * the interval metrics; the other blocks arrive when the rows are used
 * (ladsim__sim_gather_view_means), not at every view. Not collective. */
static void keep_view_means(ladsim_sim *s)
{
  if (s->vm_rows == s->vm_cap)
    return;
  for (size_t i = 0; i < s->net->n_units; i++) {
    const ladsim_unit *u = &s->net->units[i];
    ladsim_unit_view_mean(u, s->view_means[i] + s->vm_rows * u->n + u->lo);
  }
  s->vm_rows++;
}

ladsim_status ladsim__sim_gather_view_means(ladsim_sim *s)
{
  size_t rows = s->vm_rows - s->vm_gathered;
  for (size_t i = 0; i < s->net->n_units && rows > 0; i++) {
    const ladsim_unit *u = &s->net->units[i];
    LADSIM_CHECK(ladsim_unit_gather_rows(u, rows, s->view_means[i] + s->vm_gathered * u->n));
  }
  s->vm_gathered = s->vm_rows;
  return LADSIM_OK;
}

/* The first step at or after `step` that ends an exchange interval, where
 * the ranks hold no spikes that the others have not seen. */
static int64_t next_boundary(const ladsim_sim *s, int64_t step)
{
  int64_t d = s->sync_steps;
  return (step + d - 1) / d * d;
}

/* Whether some rank has been asked to stop (collective only when
 * `collective`; a lone rank reads its own flag). */
static ladsim_status stop_agreed(ladsim_sim *s, bool collective, bool *stop)
{
  int mine = stop_requested != 0, any = mine;
  if (s->size > 1 && collective
      && ladsim_comm_allreduce(&mine, &any, 1, MPI_INT, MPI_MAX, s->comm) != MPI_SUCCESS)
    return LADSIM_ERROR(LADSIM_EMPI, "MPI_Allreduce failed agreeing on a stop");
  *stop = any && (collective || s->size == 1);
  return LADSIM_OK;
}

/* After a stop was agreed: a checkpoint at the next boundary, then the end. */
static ladsim_status schedule_stop(ladsim_sim *s, int64_t step)
{
  if (s->stop_scheduled)
    return LADSIM_OK;
  s->stop_scheduled = true;
  ladsim_event ev = {next_boundary(s, step), LADSIM_EV_CHECKPOINT, 1};
  return ladsim_event_queue_push(s->queue, ev);
}

/* The end of a view is where the ranks already meet to agree that no
 * neuron diverged; they agree on a stop there too. */
static ladsim_status end_view(ladsim_sim *s, int64_t step)
{
  ladsim_network_view_end(s->net, true);
  keep_view_means(s);
  double t = (double)step * s->m->simulation.resolution;
  int stop = stop_requested != 0;
  LADSIM_CHECK(ladsim_comm_agree_any(s->comm, ladsim_network_check_finite(s->net, t), &stop));
  if (stop)
    LADSIM_CHECK(schedule_stop(s, step));
  s->views_done++;
  s->in_view = 0;
  return LADSIM_OK;
}

static ladsim_status on_view(ladsim_sim *s, int64_t step)
{
  if (s->in_view)
    LADSIM_CHECK(end_view(s, step));
  /* A view due at the end of the run starts too: a run resumed with a
   * longer duration goes on from it as if it had never stopped. */
  if (s->views_done < s->n_views) {
    size_t sample;
    unsigned label;
    LADSIM_CHECK(ladsim_stimulus_view(s->stim, s->views_done, s->x, &sample, &label));
    LADSIM_CHECK(ladsim_network_view_begin(s->net, s->x, s->views_done));
    s->in_view = 1;
    ladsim_event next = {step + s->view_steps, LADSIM_EV_VIEW, 0};
    LADSIM_CHECK(ladsim_event_queue_push(s->queue, next));
  }
  return LADSIM_OK;
}

/* The next event of a recurring kind. It is queued even beyond the end of
 * the run, so that a run resumed with a longer duration finds it. */
static ladsim_status push_recurring(ladsim_sim *s, ladsim_event_kind kind, double every_ms,
                                    int64_t now)
{
  int64_t every = steps_of(s->m, every_ms);
  if (every <= 0)
    return LADSIM_OK;
  int64_t at = now + every;
  if (kind == LADSIM_EV_CHECKPOINT)   /* the k-th at the first boundary after k every */
    at = next_boundary(s, (now / every + 1) * every);
  ladsim_event ev = {at, kind, 0};
  return ladsim_event_queue_push(s->queue, ev);
}

static void report_progress(ladsim_sim *s, double t0, double *last)
{
  if (!s->progress)
    return;
  double now = ladsim_prof_wall();
  if (now - *last < s->m->record.progress * 1e-3 && s->views_done < s->n_views)
    return;
  *last = now;
  double h = s->m->simulation.resolution;
  double samples = (double)s->views_done / s->m->input.views_per_sample;
  s->progress(s->progress_ctx, (double)s->views_done * s->view_steps * h,
              (double)s->end_step * h, samples / fmax(now - t0, 1e-9));
}

/* A checkpoint that a signal asked for ends the run. */
static ladsim_status on_checkpoint(ladsim_sim *s, ladsim_output *o, ladsim_event ev)
{
  /* the next one is queued first, so that the saved queue holds it */
  if (ev.source == 0)
    LADSIM_CHECK(push_recurring(s, LADSIM_EV_CHECKPOINT, s->m->record.checkpoint, ev.step));
  if (s->ckpt_path && s->last_ckpt != ev.step)
    LADSIM_CHECK(ladsim__sim_checkpoint(s, o));
  if (ev.source == 0)
    return LADSIM_OK;
  double t = (double)ev.step * s->m->simulation.resolution;
  if (s->ckpt_path)
    return LADSIM_ERROR(LADSIM_EINTERRUPT, "stopped by a signal at t = %.3f ms; the state "
                        "is saved in %s (continue with --resume %s)", t, s->ckpt_path,
                        s->ckpt_path);
  return LADSIM_ERROR(LADSIM_EINTERRUPT, "stopped by a signal at t = %.3f ms", t);
}

static ladsim_status handle_event(ladsim_sim *s, ladsim_output *o, ladsim_event ev)
{
  const ladsim_record_spec *rec = &s->m->record;
  switch (ev.kind) {
  case LADSIM_EV_VIEW:
    return on_view(s, ev.step);
  case LADSIM_EV_RECORD:
    LADSIM_CHECK(ladsim__sim_record_metrics(s, o, ev.step));
    return push_recurring(s, LADSIM_EV_RECORD, rec->metrics, ev.step);
  case LADSIM_EV_WEIGHTS:
    LADSIM_CHECK(ladsim__sim_record_weights(s, o, ev.step));
    return push_recurring(s, LADSIM_EV_WEIGHTS, rec->weights_interval, ev.step);
  case LADSIM_EV_CHECKPOINT:
    return on_checkpoint(s, o, ev);
  case LADSIM_EV_END:
    return LADSIM_OK;
  }
  return LADSIM_ERROR(LADSIM_EINTERNAL, "unknown event kind %d", (int)ev.kind);
}

/* An event inside the timer of its phase. */
static ladsim_status handle(ladsim_sim *s, ladsim_output *o, ladsim_event ev)
{
  ladsim_prof_phase ph = ev.kind == LADSIM_EV_VIEW ? LADSIM_PROF_VIEW : LADSIM_PROF_RECORD;
  ladsim_prof_start(ph);
  ladsim_status st = handle_event(s, o, ev);
  ladsim_prof_stop(ph);
  return st;
}

/* The steps up to (not including) step `until`. Without views, the ranks
 * agree on a stop at every exchange boundary; a stop agreed there queues
 * its checkpoint at once and returns early. */
static ladsim_status advance(ladsim_sim *s, int64_t until)
{
  bool views = s->n_views > 0;
  while (s->step < until) {
    LADSIM_CHECK(ladsim_network_step(s->net, true));
    LADSIM_CHECK(ladsim__sim_keep_spikes(s));
    s->step++;
    if (s->step % s->sync_steps || s->stop_scheduled)
      continue;
    bool stop = false;
    LADSIM_CHECK(stop_agreed(s, !views, &stop));
    if (stop)
      return schedule_stop(s, s->step);
  }
  return LADSIM_OK;
}

/* The events of a new run: the first view, the end, the recurring records,
 * and the weights at initialisation. */
static ladsim_status start(ladsim_sim *s, ladsim_output *o)
{
  const ladsim_record_spec *rec = &s->m->record;
  ladsim_event first = {0, LADSIM_EV_VIEW, 0}, end = {s->end_step, LADSIM_EV_END, 0};
  LADSIM_CHECK(ladsim_event_queue_push(s->queue, first));
  LADSIM_CHECK(ladsim_event_queue_push(s->queue, end));
  LADSIM_CHECK(push_recurring(s, LADSIM_EV_RECORD, rec->metrics, 0));
  LADSIM_CHECK(push_recurring(s, LADSIM_EV_CHECKPOINT, rec->checkpoint, 0));
  if (rec->weights == LADSIM_RECORD_INTERVAL)
    LADSIM_CHECK(push_recurring(s, LADSIM_EV_WEIGHTS, rec->weights_interval, 0));
  if (rec->weights != LADSIM_RECORD_NONE)
    LADSIM_CHECK(ladsim__sim_record_weights(s, o, 0));
  return LADSIM_OK;
}

/* The end of the run is always recorded, also when an interval does not
 * divide the run's length. */
static ladsim_status finish(ladsim_sim *s, ladsim_output *o)
{
  const ladsim_record_spec *rec = &s->m->record;
  if (s->in_view)   /* a duration that ends inside a view still learns from it */
    ladsim_network_view_end(s->net, true);
  ladsim_status st = LADSIM_OK;
  if (rec->weights != LADSIM_RECORD_NONE && s->last_weights != s->step)
    st = ladsim__sim_record_weights(s, o, s->step);
  if (st == LADSIM_OK && rec->metrics > 0 && s->last_metrics != s->step)
    st = ladsim__sim_record_metrics(s, o, s->step);
  if (st == LADSIM_OK)
    st = ladsim__sim_record_spikes(s, o);
  return st;
}

static ladsim_status loop(ladsim_sim *s, ladsim_output *o)
{
  if (!s->resumed)
    LADSIM_CHECK(start(s, o));
  double t0 = ladsim_prof_wall(), last = t0;
  ladsim_event ev;
  while (ladsim_event_queue_peek(s->queue, &ev)) {
    if (ev.step > s->step) {
      int64_t from = s->step;
      ladsim_prof_start(LADSIM_PROF_STEP);
      ladsim_status st = advance(s, ev.step);
      ladsim_prof_stop(LADSIM_PROF_STEP);
      ladsim_prof_add_model_time((double)(s->step - from) * s->m->simulation.resolution);
      LADSIM_CHECK(st);
      continue;
    }
    ladsim_event_queue_pop(s->queue, &ev);
    LADSIM_CHECK(handle(s, o, ev));
    if (ev.kind == LADSIM_EV_END)
      break;
    if (ev.kind == LADSIM_EV_VIEW)
      report_progress(s, t0, &last);
  }
  ladsim_prof_start(LADSIM_PROF_RECORD);
  ladsim_status st = finish(s, o);
  ladsim_prof_stop(LADSIM_PROF_RECORD);
  return st;
}

ladsim_status ladsim_sim_run(ladsim_sim *s, ladsim_output *o)
{
  ladsim_status st = loop(s, o);
  if (st != LADSIM_OK)
    return ladsim_error_trace(st, __FILE__, __LINE__);
  return LADSIM_OK;
}
