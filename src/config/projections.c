/* projections.c: the projections list: static sparse connections between lif layers. */
#include "config.h"
#include "config/reader.h"

#include <string.h>

_Static_assert(sizeof(ladsim_connect_rule) == sizeof(int), "enums are int-sized");

static const char *const rule_names[] = {"probability", "indegree", NULL};

/* The variant bits of the rules, for the .only of their keys. */
#define PROBABILITY (1u << LADSIM_CONNECT_PROBABILITY)
#define INDEGREE (1u << LADSIM_CONNECT_INDEGREE)

#define ITEM_EXAMPLE "`- {from: exc, to: inh, weight: 1.62 mV}`"

/* from: and to: name lif layers: any one, so recurrence is allowed. */
static ladsim_status check_end(ladsim__reader *r, const ladsim__field *f,
                               const ladsim__node *v, const ladsim__pos *at,
                               const char *path, void *base)
{
  (void)f;
  (void)at;
  (void)base;
  int j;
  if (v == NULL)
    return LADSIM_OK; /* required: read_fields has reported it */
  return ladsim__find_lif_layer(r, v, path, "projections connect lif layers "
                                "only, so set neuron: lif on it or remove "
                                "this projection", &j);
}

static ladsim_status check_weight(ladsim__reader *r, const ladsim__field *f,
                                  const ladsim__node *v, const ladsim__pos *at,
                                  const char *path, void *base)
{
  (void)f;
  const ladsim_projection_spec *p = base;
  if (p->weight != 0.0)
    return LADSIM_OK;
  return ladsim__config_error(r->name, v ? &v->pos : at, path, "is zero; give "
                              "a weight > 0 (excitatory) or < 0 (inhibitory), "
                              "or remove the projection");
}

/* Spikes cross ranks once per min_delay, so no connection may be faster;
 * left out, the delay is the shortest allowed. */
static ladsim_status check_delay(ladsim__reader *r, const ladsim__field *f,
                                 const ladsim__node *v, const ladsim__pos *at,
                                 const char *path, void *base)
{
  (void)f;
  (void)at;
  ladsim_projection_spec *p = base;
  double min_delay = r->model->simulation.min_delay;
  char ds[48], ms[48];
  if (v == NULL)
    p->delay = min_delay;
  if (v == NULL || !ladsim__shorter(p->delay, min_delay))
    return LADSIM_OK;
  ladsim__quantity_format(p->delay, LADSIM__DIM_TIME, ds, sizeof ds);
  ladsim__quantity_format(min_delay, LADSIM__DIM_TIME, ms, sizeof ms);
  return ladsim__config_error(r->name, &v->pos, path, "%s is shorter than "
                              "simulation.min_delay (%s); use at least %s, or "
                              "lower simulation.min_delay", ds, ms, ms);
}

/* Order matters: the rule before the keys that depend on it. */
static const ladsim__field projection_fields[] = {
  {LADSIM__FIELD("from", LADSIM__F_NAME, ladsim_projection_spec, from),
   .check = check_end, .flags = LADSIM__REQUIRED, .example = "from: exc"},
  {LADSIM__FIELD("to", LADSIM__F_NAME, ladsim_projection_spec, to),
   .check = check_end, .flags = LADSIM__REQUIRED, .example = "to: inh"},
  {LADSIM__FIELD("rule", LADSIM__F_ENUM, ladsim_projection_spec, rule),
   .def = LADSIM_CONNECT_PROBABILITY, .names = rule_names},
  {LADSIM__FIELD("probability", LADSIM__F_REAL, ladsim_projection_spec,
                 probability),
   .def = 0.1, .lo = 0.0, .hi = 1.0, .flags = LADSIM__GT | LADSIM__LE,
   .only = PROBABILITY},
  {LADSIM__FIELD("indegree", LADSIM__F_SIZE, ladsim_projection_spec, indegree),
   .def = 0, .lo = 1, .flags = LADSIM__GE, .only = INDEGREE},
  {LADSIM__FIELD("weight", LADSIM__F_QUANTITY, ladsim_projection_spec, weight),
   .dim = LADSIM__DIM_POTENTIAL, .check = check_weight,
   .flags = LADSIM__REQUIRED, .example = "weight: 1.62 mV"},
  {LADSIM__FIELD("delay", LADSIM__F_QUANTITY, ladsim_projection_spec, delay),
   .dim = LADSIM__DIM_TIME, .def = 0.0, .lo = 0.0, .hi = 1000.0,
   .flags = LADSIM__GE | LADSIM__LE | LADSIM__MULTIPLE, .check = check_delay},
  {LADSIM__FIELD("autapses", LADSIM__F_BOOL, ladsim_projection_spec, autapses),
   .def = 0},
  {.key = NULL}};

/* Rejects probability: with rule indegree and indegree: with probability. */
static ladsim_status check_rule_keys(const ladsim__reader *r,
                                     const ladsim__node *item,
                                     const char *path)
{
  int rule;
  const ladsim__entry *e;
  const ladsim__field *row;
  char sub[LADSIM__PATH_MAX];
  LADSIM_CHECK(ladsim__read_variant(r, projection_fields, item, "rule", path,
                                    &rule, &e, &row));
  if (e == NULL)
    return LADSIM_OK;
  int own = row->only == INDEGREE ? LADSIM_CONNECT_INDEGREE
                                  : LADSIM_CONNECT_PROBABILITY;
  return ladsim__config_error(r->name, &e->pos,
                              ladsim__path_join(sub, path, e->key), "only "
                              "with rule: %s, but this projection has rule: "
                              "%s; remove the key or change rule:",
                              rule_names[own], rule_names[rule]);
}

/* Rule indegree draws that many distinct sources for every target: they
 * must exist, and a neuron is not its own source without autapses. */
static ladsim_status check_indegree(const ladsim__reader *r,
                                    const ladsim__node *item,
                                    const char *path,
                                    const ladsim_projection_spec *p)
{
  char sub[LADSIM__PATH_MAX];
  if (p->rule != LADSIM_CONNECT_INDEGREE)
    return LADSIM_OK;
  const ladsim__entry *e = ladsim__map_find(item, "indegree");
  if (e == NULL)
    return ladsim__config_error(r->name, &item->pos, path, "missing required "
                                "key 'indegree'; rule indegree needs it, e.g. "
                                "`indegree: 80`");
  const ladsim_layer_spec *from =
      &r->model->layers[ladsim_model_layer_index(r->model, p->from)];
  bool self = strcmp(p->from, p->to) == 0 && !p->autapses;
  size_t most = self ? from->size - 1 : from->size;
  if (p->indegree <= most)
    return LADSIM_OK;
  ladsim__path_join(sub, path, "indegree");
  if (self)
    return ladsim__config_error(r->name, &e->value->pos, sub, "%zu is more "
                                "than layer '%s' can give without autapses "
                                "(%zu neurons, less the target itself); use "
                                "at most %zu or set autapses: true",
                                p->indegree, from->name, from->size, most);
  return ladsim__config_error(r->name, &e->value->pos, sub, "%zu is more than "
                              "the size of layer '%s' (%zu); each target draws "
                              "distinct sources, so use at most %zu",
                              p->indegree, from->name, from->size, most);
}

ladsim_status ladsim__read_projections(ladsim__reader *r,
                                       const ladsim__field *f,
                                       const ladsim__node *v,
                                       const ladsim__pos *at, const char *path,
                                       void *base)
{
  (void)f;
  (void)at;
  ladsim_model *m = base;
  char seen[64], item[LADSIM__PATH_MAX];
  m->n_projections = 0;
  if (ladsim__node_is_null(v))
    return LADSIM_OK;
  if (v->kind != LADSIM__SEQ)
    return ladsim__config_error(r->name, &v->pos, path, "expected a list of "
                                "projections, found %s; write each projection "
                                "as an item " ITEM_EXAMPLE,
                                ladsim__node_describe(v, seen, sizeof seen));
  if (v->n > LADSIM_MAX_PROJECTIONS)
    return ladsim__config_error(r->name, &v->pos, path, "has %zu projections; "
                                "give at most %d", v->n,
                                LADSIM_MAX_PROJECTIONS);
  for (size_t i = 0; i < v->n; i++) {
    ladsim_projection_spec *p = &m->projections[i];
    snprintf(item, sizeof item, "%s[%zu]", path, i);
    m->n_projections = i + 1;
    p->line = v->items[i]->pos.line;
    LADSIM_CHECK(check_rule_keys(r, v->items[i], item));
    LADSIM_CHECK(ladsim__read_fields(r, projection_fields, v->items[i],
                                     &v->items[i]->pos, item, p));
    LADSIM_CHECK(check_indegree(r, v->items[i], item, p));
  }
  return LADSIM_OK;
}

void ladsim__write_projections(FILE *out, const ladsim__field *f,
                               const void *base, const char *lead, int indent)
{
  const ladsim_model *m = base;
  char item_lead[80];
  if (m->n_projections == 0) {
    fprintf(out, "%s%s: []\n", lead, f->key);
    return;
  }
  snprintf(item_lead, sizeof item_lead, "%*s- ", indent + 2, "");
  fprintf(out, "%s%s:\n", lead, f->key);
  for (size_t i = 0; i < m->n_projections; i++)
    ladsim__write_fields_for(out, projection_fields, &m->projections[i],
                             1u << m->projections[i].rule, item_lead,
                             indent + 4);
}
