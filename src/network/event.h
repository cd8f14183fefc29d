/* event.h: the event queue of the simulation loop.
 *
 * Time is an integer count of resolution steps, never accumulated floating
 * point. Events at the same step are taken in one canonical order: by kind
 * (in the order of the enum below), then by source id, so the result never
 * depends on the order in which events were pushed. */
#ifndef LADSIM_NETWORK_EVENT_H
#define LADSIM_NETWORK_EVENT_H

#include <stddef.h>
#include <stdint.h>
#include <ladsim/error.h>

typedef enum {
  LADSIM_EV_VIEW = 0,    /* the current view ends and the next one starts */
  LADSIM_EV_RECORD = 1,  /* metrics are recorded */
  LADSIM_EV_WEIGHTS = 2, /* a weight snapshot is written */
  LADSIM_EV_CHECKPOINT = 3, /* the state is saved (source 1: then the run stops) */
  LADSIM_EV_END = 4      /* the run ends */
} ladsim_event_kind;

typedef struct {
  int64_t step;          /* when, in resolution steps */
  ladsim_event_kind kind;
  uint64_t source;       /* what it belongs to (a layer, a sender); 0 if none */
} ladsim_event;

typedef struct ladsim_event_queue ladsim_event_queue;

ladsim_status ladsim_event_queue_alloc(size_t capacity, ladsim_event_queue **out);
void ladsim_event_queue_free(ladsim_event_queue *q);

/* Adds an event; grows the queue when full. */
ladsim_status ladsim_event_queue_push(ladsim_event_queue *q, ladsim_event ev);

/* Removes the first event in canonical order into *ev; 0 if empty. */
int ladsim_event_queue_pop(ladsim_event_queue *q, ladsim_event *ev);

/* The first event without removing it; 0 if empty. */
int ladsim_event_queue_peek(const ladsim_event_queue *q, ladsim_event *ev);

size_t ladsim_event_queue_size(const ladsim_event_queue *q);

/* Copies the queued events, in no particular order, into out (room for
 * ladsim_event_queue_size of them). */
void ladsim_event_queue_copy(const ladsim_event_queue *q, ladsim_event *out);

#endif
