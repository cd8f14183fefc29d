/* event.c: a binary heap of events in canonical (step, kind, source) order. */
#include "config.h"
#include "network/event.h"

#include <stdlib.h>
#include <string.h>

struct ladsim_event_queue {
  ladsim_event *heap;
  size_t size, capacity;
};

static int before(const ladsim_event *a, const ladsim_event *b)
{
  if (a->step != b->step)
    return a->step < b->step;
  if (a->kind != b->kind)
    return a->kind < b->kind;
  return a->source < b->source;
}

static void swap(ladsim_event *a, ladsim_event *b)
{
  ladsim_event t = *a;
  *a = *b;
  *b = t;
}

ladsim_status ladsim_event_queue_alloc(size_t capacity, ladsim_event_queue **out)
{
  ladsim_event_queue *q = calloc(1, sizeof *q);
  if (capacity == 0)
    capacity = 16;
  if (q)
    q->heap = malloc(capacity * sizeof *q->heap);
  if (!q || !q->heap) {
    free(q);
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory for the event queue");
  }
  q->capacity = capacity;
  *out = q;
  return LADSIM_OK;
}

void ladsim_event_queue_free(ladsim_event_queue *q)
{
  if (!q)
    return;
  free(q->heap);
  free(q);
}

ladsim_status ladsim_event_queue_push(ladsim_event_queue *q, ladsim_event ev)
{
  if (q->size == q->capacity) {
    ladsim_event *grown = realloc(q->heap, 2 * q->capacity * sizeof *grown);
    if (!grown)
      return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory growing the event queue");
    q->heap = grown;
    q->capacity *= 2;
  }
  size_t i = q->size++;
  q->heap[i] = ev;
  while (i > 0 && before(&q->heap[i], &q->heap[(i - 1) / 2])) {
    swap(&q->heap[i], &q->heap[(i - 1) / 2]);
    i = (i - 1) / 2;
  }
  return LADSIM_OK;
}

int ladsim_event_queue_pop(ladsim_event_queue *q, ladsim_event *ev)
{
  if (q->size == 0)
    return 0;
  *ev = q->heap[0];
  q->heap[0] = q->heap[--q->size];
  size_t i = 0;
  for (;;) {
    size_t l = 2 * i + 1, r = l + 1, m = i;
    if (l < q->size && before(&q->heap[l], &q->heap[m]))
      m = l;
    if (r < q->size && before(&q->heap[r], &q->heap[m]))
      m = r;
    if (m == i)
      break;
    swap(&q->heap[i], &q->heap[m]);
    i = m;
  }
  return 1;
}

int ladsim_event_queue_peek(const ladsim_event_queue *q, ladsim_event *ev)
{
  if (q->size == 0)
    return 0;
  *ev = q->heap[0];
  return 1;
}

size_t ladsim_event_queue_size(const ladsim_event_queue *q) { return q->size; }

void ladsim_event_queue_copy(const ladsim_event_queue *q, ladsim_event *out)
{
  if (q->size)
    memcpy(out, q->heap, q->size * sizeof *out);
}
