/* sim_checkpoint.c: saving the whole state of a run and resuming from it, on any number of ranks.
 *
 * A checkpoint is an HDF5 file written collectively under a temporary name
 * and renamed when complete (ladsim_output), so a run killed while writing
 * one leaves the previous checkpoint intact. It holds the resolved model,
 * the path of the run's output, the loop's counters and event queue, the
 * stimulus, every layer's state by neuron (io/state.h), rate and spiking,
 * the spikes still in flight (network_exchange.c), and how much of the
 * output had been written. Random numbers need no state: every stream is
 * keyed by what it is for (seed, view, neuron), the stimulus position is
 * the count of views shown, and the input trains of the view being shown
 * are drawn again from theirs on resume. A resumed run copies what the earlier run
 * had recorded up to the checkpoint into its own output, then goes on; its
 * file is the one the run would have written without stopping. */
#include "config.h"
#include "network/sim_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "io/state.h"

#define CKPT_VERSION 3   /* 2: lif layers and the spikes in flight; 3: g_scale */

static void counters_of(const ladsim_sim *s, int64_t c[LADSIM__C_COUNT])
{
  c[LADSIM__C_STEP] = s->step;
  c[LADSIM__C_VIEWS] = (int64_t)s->views_done;
  c[LADSIM__C_IN_VIEW] = s->in_view;
  c[LADSIM__C_LAST_METRICS] = s->last_metrics;
  c[LADSIM__C_LAST_WEIGHTS] = s->last_weights;
  c[LADSIM__C_VM_ROWS] = (int64_t)s->vm_rows;
  c[LADSIM__C_N_METRICS] = (int64_t)s->n_metrics;
  c[LADSIM__C_N_WEIGHTS] = (int64_t)s->n_weights;
  c[LADSIM__C_N_EVENTS] = (int64_t)ladsim_event_queue_size(s->queue);
  c[LADSIM__C_NET_STEP] = s->net->step;
  c[LADSIM__C_N_FLIGHT] = (int64_t)s->net->ckpt_n_flight;
}

ladsim_status ladsim__sim_state(ladsim_sim *s, ladsim_state *st)
{
  ladsim_network *net = s->net;
  ladsim_state_prefix(st, "sim/");
  LADSIM_CHECK(ladsim_state_whole(st, "x", LADSIM_STATE_F64, s->x, net->input_size, 0));
  for (size_t i = 0; i < net->n_units; i++) {
    const ladsim_unit *u = &net->units[i];
    ladsim_state_prefix(st, "sim/%s/", u->spec->name);
    LADSIM_CHECK(ladsim_state_whole(st, "view_means", LADSIM_STATE_F64, s->view_means[i],
                                    s->vm_rows, u->n));
    LADSIM_CHECK(ladsim_state_block(st, "W_init", LADSIM_STATE_F64, s->W0[i], u->n, u->d,
                                    u->lo, u->nl));
    if (u->b)
      LADSIM_CHECK(ladsim_state_block(st, "b_init", LADSIM_STATE_F64, s->b0[i], u->n, 0,
                                      u->lo, u->nl));
  }
  for (size_t k = 0; k < s->n_rec; k++) {
    ladsim_state_prefix(st, "sim/spikes/%s/", s->rec_pop[k]->spec->name);
    LADSIM_CHECK(ladsim_state_whole(st, "written", LADSIM_STATE_SIZE, &s->rec_written[k], 1, 0));
    LADSIM_CHECK(ladsim_state_whole(st, "last_time", LADSIM_STATE_F64, &s->rec_last[k], 1, 0));
  }
  for (size_t i = 0; i < net->n_layers; i++)
    LADSIM_CHECK(ladsim_layer_state(net->layers[i], st));
  return ladsim_network_state(net, st);
}

/* The queue as rows of (step, kind, source). */
static int64_t *events_of(const ladsim_sim *s, size_t *n)
{
  *n = ladsim_event_queue_size(s->queue);
  ladsim_event *ev = malloc((*n ? *n : 1) * sizeof *ev);
  int64_t *rows = malloc((*n ? *n : 1) * 3 * sizeof *rows);
  if (ev && rows) {
    ladsim_event_queue_copy(s->queue, ev);
    for (size_t i = 0; i < *n; i++) {
      rows[3 * i] = ev[i].step;
      rows[3 * i + 1] = (int64_t)ev[i].kind;
      rows[3 * i + 2] = (int64_t)ev[i].source;
    }
  }
  if (!rows || !ev) {
    free(rows);
    rows = NULL;
  }
  free(ev);
  return rows;
}

static ladsim_status write_header(ladsim_sim *s, ladsim_output *c)
{
  char *resolved;
  LADSIM_CHECK(ladsim_model_to_string(s->m, &resolved));
  ladsim_status st = ladsim_output_write_string(c, "/config/resolved", resolved);
  free(resolved);
  LADSIM_CHECK(st);
  LADSIM_CHECK(ladsim_output_write_string(c, "/resume/output", s->out_path ? s->out_path : ""));
  LADSIM_CHECK(ladsim_output_attr_double(c, "/resume", "version", CKPT_VERSION));
  return ladsim_output_attr_double(c, "/resume", "time_ms",
                                   (double)s->step * s->m->simulation.resolution);
}

static ladsim_status write_state(ladsim_sim *s, ladsim_output *c, ladsim_state *st)
{
  int64_t counters[LADSIM__C_COUNT];
  size_t n_events;
  LADSIM_CHECK(ladsim_comm_agree(s->comm, ladsim_network_save_prepare(s->net)));
  LADSIM_CHECK(ladsim__sim_gather_view_means(s));
  counters_of(s, counters);
  int64_t *events = events_of(s, &n_events);
  if (!events)
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory saving the event queue");
  ladsim_status rc = ladsim_state_whole(st, "sim/counters", LADSIM_STATE_I64, counters,
                                        LADSIM__C_COUNT, 0);
  if (rc == LADSIM_OK)
    rc = ladsim_state_whole(st, "sim/events", LADSIM_STATE_I64, events, n_events, 3);
  if (rc == LADSIM_OK)
    rc = ladsim__sim_state(s, st);
  rc = ladsim_comm_agree(s->comm, rc);
  if (rc == LADSIM_OK)
    rc = write_header(s, c);
  if (rc == LADSIM_OK)
    rc = ladsim_state_write(st, c, s->rank);
  free(events);
  return rc;
}

ladsim_status ladsim__sim_checkpoint(ladsim_sim *s, ladsim_output *o)
{
  /* What was recorded up to here is on disk before the checkpoint that
   * refers to it. */
  LADSIM_CHECK(ladsim__sim_record_spikes(s, o));
  if (o)
    LADSIM_CHECK(ladsim_output_flush(o));
  ladsim_output *c;
  LADSIM_CHECK(ladsim_output_create(s->comm, s->ckpt_path, true, &c));
  ladsim_state st = {0};
  ladsim_status rc = write_state(s, c, &st);
  ladsim_state_free(&st);
  if (rc != LADSIM_OK) {
    ladsim_output_abort(c);
    return rc;
  }
  LADSIM_CHECK(ladsim_output_commit(c));
  s->last_ckpt = s->step;
  return LADSIM_OK;
}

ladsim_status ladsim_sim_set_checkpoint(ladsim_sim *s, const char *path, const char *output)
{
  free(s->ckpt_path);
  free(s->out_path);
  s->ckpt_path = path ? strdup(path) : NULL;
  s->out_path = output ? strdup(output) : NULL;
  if ((path && !s->ckpt_path) || (output && !s->out_path))
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory");
  return LADSIM_OK;
}
