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

/* Appends the spikes of step `step` of every recorded population; they come
 * in (offset, id) order, so the buffers stay in (time, id) order. */
ladsim_status ladsim__sim_keep_spikes(ladsim_sim *s, int64_t step)
{
  double t0 = (double)step * s->m->simulation.resolution;
  for (size_t k = 0; k < s->n_rec; k++) {
    const ladsim_population *p = s->rec_pop[k];
    if (p->n_spikes == 0)
      continue;
    LADSIM_CHECK(grow(s, k, s->rec_n[k] + p->n_spikes));
    for (size_t i = 0; i < p->n_spikes; i++) {
      /* A spike at the very end of a step and one at the start of the next
       * may round the other way round; times never go back. */
      double t = t0 + p->spike_offsets[i];
      if (t < s->rec_last[k])
        t = s->rec_last[k];
      s->rec_last[k] = t;
      s->rec_times[k][s->rec_n[k] + i] = t;
      s->rec_ids[k][s->rec_n[k] + i] = p->spike_ids[i];
    }
    s->rec_n[k] += p->n_spikes;
  }
  return LADSIM_OK;
}

ladsim_status ladsim__sim_record_spikes(ladsim_sim *s, ladsim_output *o)
{
  for (size_t k = 0; k < s->n_rec; k++) {
    /* Every rank holds the whole population for now; rank 0 writes it. */
    size_t n = s->rank == 0 ? s->rec_n[k] : 0;
    if (o)
      LADSIM_CHECK(ladsim_output_spikes_append(o, s->rec_pop[k]->spec->name, n,
                                               s->rec_times[k], s->rec_ids[k]));
    if (o)
      s->rec_written[k] += s->rec_n[k];
    s->rec_n[k] = 0;
  }
  return LADSIM_OK;
}
