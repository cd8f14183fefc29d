/* spikes.c: record.spikes: the lif layers whose spikes go to the output file. */
#include "config.h"
#include "config/reader.h"

#include <string.h>

#define WHY_NOT "only lif layers spike; remove it from the list or set " \
                "neuron: lif on it"

/* spikes: all, resolved now so that the printed model lists the layers. */
static void all_lif_layers(const ladsim_model *m, ladsim_record_spec *rec)
{
  for (size_t j = 0; j < m->n_layers; j++)
    if (m->layers[j].neuron == LADSIM_NEURON_LIF)
      strcpy(rec->spikes[rec->n_spikes++], m->layers[j].name);
}

static ladsim_status not_a_list(const ladsim__reader *r, const ladsim__node *v,
                                const char *path)
{
  char seen[64];
  if (v->kind == LADSIM__SCALAR)
    return ladsim__config_error(r->name, &v->pos, path, "'%s' is not allowed; "
                                "write all or a list of lif layers, e.g. "
                                "`[%s]`", v->text, v->text);
  return ladsim__config_error(r->name, &v->pos, path, "expected all or a list "
                              "of lif layers, found %s; write e.g. `[exc]`",
                              ladsim__node_describe(v, seen, sizeof seen));
}

/* Each listed layer exists, is a lif layer and is listed once. Unique
 * layers cannot overflow spikes[], which has room for every layer. */
static ladsim_status read_list(const ladsim__reader *r, const ladsim__node *v,
                               const char *path, ladsim_record_spec *rec)
{
  char item[LADSIM__PATH_MAX];
  int j;
  for (size_t i = 0; i < v->n; i++) {
    snprintf(item, sizeof item, "%s[%zu]", path, i);
    LADSIM_CHECK(ladsim__find_lif_layer(r, v->items[i], item, WHY_NOT, &j));
    for (size_t k = 0; k < rec->n_spikes; k++)
      if (strcmp(rec->spikes[k], v->items[i]->text) == 0)
        return ladsim__config_error(r->name, &v->items[i]->pos, item, "layer "
                                    "'%s' is listed twice (first as item "
                                    "%zu); list each layer once",
                                    v->items[i]->text, k);
    strcpy(rec->spikes[rec->n_spikes++], v->items[i]->text);
  }
  return LADSIM_OK;
}

ladsim_status ladsim__read_spikes(ladsim__reader *r, const ladsim__field *f,
                                  const ladsim__node *v, const ladsim__pos *at,
                                  const char *path, void *base)
{
  (void)f;
  (void)at;
  ladsim_record_spec *rec = base;
  rec->n_spikes = 0;
  if (ladsim__node_is_null(v))
    return LADSIM_OK;
  if (v->kind == LADSIM__SCALAR && strcmp(v->text, "all") == 0) {
    all_lif_layers(r->model, rec);
    return LADSIM_OK;
  }
  if (v->kind != LADSIM__SEQ)
    return not_a_list(r, v, path);
  return read_list(r, v, path, rec);
}

void ladsim__write_spikes(FILE *out, const ladsim__field *f, const void *base,
                          const char *lead, int indent)
{
  (void)indent;
  const ladsim_record_spec *rec = base;
  fprintf(out, "%s%s: [", lead, f->key);
  for (size_t k = 0; k < rec->n_spikes; k++) {
    fputs(k ? ", " : "", out);
    ladsim__write_text(out, rec->spikes[k]);
  }
  fputs("]\n", out);
}
