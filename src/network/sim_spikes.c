/* sim_spikes.c: keeping the spikes of recorded populations and writing them (SONATA). */
#include "config.h"
#include "network/sim_internal.h"

#include <stdlib.h>
#include <string.h>

bool ladsim__sim_has_input(const ladsim_model *m)
{
  return strcmp(m->input.data.name, "none") != 0;
}

ladsim_status ladsim__spike_buffers_alloc(ladsim_sim *s)
{
  const ladsim_record_spec *rec = &s->m->record;
  for (size_t k = 0; k < rec->n_spikes; k++) {
    ladsim_population *p = ladsim_network_population(s->net, rec->spikes[k]);
    if (!p)
      return LADSIM_ERROR(LADSIM_ECONFIG, "record.spikes: '%s' is not a lif layer",
                          rec->spikes[k]);
    for (size_t i = 0; i < s->net->n_pops; i++)
      if (s->net->pops[i] == p)
        s->rec_index[s->n_rec] = (uint32_t)i;
    s->rec_pop[s->n_rec++] = p;
  }
  return LADSIM_OK;
}

void ladsim__spike_buffers_free(ladsim_sim *s)
{
  for (size_t k = 0; k < s->n_rec; k++) {
    free(s->rec_times[k]);
    free(s->rec_ids[k]);
  }
  s->n_rec = 0;
}

static ladsim_status grow(ladsim_sim *s, size_t k, size_t need)
{
  if (need <= s->rec_cap[k])
    return LADSIM_OK;
  size_t cap = s->rec_cap[k] ? 2 * s->rec_cap[k] : 4096;
  while (cap < need)
    cap *= 2;
  double *t = realloc(s->rec_times[k], cap * sizeof *t);
  if (t)
    s->rec_times[k] = t;
  uint64_t *id = realloc(s->rec_ids[k], cap * sizeof *id);
  if (id)
    s->rec_ids[k] = id;
  if (!t || !id)
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory keeping the spikes of layer %s; "
                        "record fewer layers or set record.metrics to flush more often",
                        s->rec_pop[k]->spec->name);
  s->rec_cap[k] = cap;
  return LADSIM_OK;
}

/* Appends the spikes of recorded populations that the network's latest
 * exchange brought from every rank; they come in (step, offset, id) order,
 * so the buffers stay in (time, id) order, whatever the partition. */
ladsim_status ladsim__sim_keep_spikes(ladsim_sim *s)
{
  ladsim_spike_list *a = &s->net->arrived;
  double h = s->m->simulation.resolution;
  for (size_t k = 0; k < s->n_rec && a->n > 0; k++) {
    LADSIM_CHECK(grow(s, k, s->rec_n[k] + a->n));
    for (size_t i = 0; i < a->n; i++) {
      const ladsim_spike_record *r = &a->r[i];
      if (r->pop != s->rec_index[k])
        continue;
      /* A spike at the very end of a step and one at the start of the next
       * may round the other way round; times never go back. */
      double t = (double)r->step * h + r->offset;
      if (t < s->rec_last[k])
        t = s->rec_last[k];
      s->rec_last[k] = t;
      s->rec_times[k][s->rec_n[k]] = t;
      s->rec_ids[k][s->rec_n[k]++] = r->id;
    }
  }
  a->n = 0;   /* taken */
  return LADSIM_OK;
}

ladsim_status ladsim__sim_record_spikes(ladsim_sim *s, ladsim_output *o)
{
  if (s->net->n_pops > 0) {
    LADSIM_CHECK(ladsim_network_exchange(s->net));
    LADSIM_CHECK(ladsim__sim_keep_spikes(s));
  }
  for (size_t k = 0; k < s->n_rec; k++) {
    /* Every rank holds every spike, in order; each writes its share, a
     * block of the list, so that the blocks in rank order are the list. */
    size_t lo, n;
    ladsim_comm_block(s->rec_n[k], s->size, s->rank, &lo, &n);
    const double *t = n ? s->rec_times[k] + lo : NULL;
    const uint64_t *id = n ? s->rec_ids[k] + lo : NULL;
    if (o)
      LADSIM_CHECK(ladsim_output_spikes_append(o, s->rec_pop[k]->spec->name, n, t, id));
    if (o)
      s->rec_written[k] += s->rec_n[k];
    s->rec_n[k] = 0;
  }
  return LADSIM_OK;
}
