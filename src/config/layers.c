/* layers.c: the layers list of a model file: names, sources, neurons and learning. */
#include "config.h"
#include "config/reader.h"

#include <string.h>

_Static_assert(sizeof(ladsim_activation) == sizeof(int), "enums are int-sized");
_Static_assert(sizeof(ladsim_plasticity) == sizeof(int), "enums are int-sized");
_Static_assert(sizeof(ladsim_neuron_kind) == sizeof(int), "enums are int-sized");

static const char *const activation_names[] = {"relu", "tanh", "linear",
                                               "softplus", "sigmoid", NULL};
static const char *const neuron_names[] = {"rate", "lif", NULL};
static const char *const plasticity_names[] = {"continuous", "per_view", NULL};
static const char *const decorrelation_names[] = {"adversarial", "none",
                                                  "pairwise", NULL};
static const char *const adv_form_names[] = {"prediction", "error", NULL};

/* The variant bits of the neuron models, for the .only of layer keys. */
#define RATE (1u << LADSIM_NEURON_RATE)
#define LIF (1u << LADSIM_NEURON_LIF)

static const char NAME_CHARS[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOP"
                                 "QRSTUVWXYZ0123456789_-";

/* Why text cannot name a layer, or NULL if it can (ignoring duplicates). */
static const char *name_problem(const char *text)
{
  if (text[0] == '\0')
    return "is empty";
  if (strlen(text) >= LADSIM_NAME_MAX)
    return "is too long";
  if (strspn(text, NAME_CHARS) != strlen(text))
    return "has characters other than letters, digits, '_' and '-'";
  if (strcmp(text, "input") == 0)
    return "is reserved for the input";
  if (strcmp(text, "none") == 0)
    return "is reserved (from: none means no input)";
  return NULL;
}

/* The index of an earlier layer called text, or -1. */
static int earlier_layer(const ladsim__reader *r, const char *text)
{
  for (size_t j = 0; j < r->layer; j++)
    if (strcmp(r->model->layers[j].name, text) == 0)
      return (int)j;
  return -1;
}

/* The name written in layer item i of the list, if it is a plain scalar. */
static const char *written_name(const ladsim__node *layers, size_t i)
{
  const ladsim__entry *e = ladsim__map_find(layers->items[i], "name");
  if (e == NULL || e->value == NULL || e->value->kind != LADSIM__SCALAR)
    return NULL;
  return e->value->text;
}

static ladsim_status read_layer_name(ladsim__reader *r, const ladsim__field *f,
                                     const ladsim__node *v,
                                     const ladsim__pos *at, const char *path,
                                     void *base)
{
  (void)f;
  (void)at;
  ladsim_layer_spec *layer = base;
  LADSIM_CHECK(ladsim__expect_scalar(r, v, path, "a layer name such as "
                                     "`hidden`"));
  const char *problem = name_problem(v->text);
  if (problem != NULL)
    return ladsim__config_error(r->name, &v->pos, path, "'%s' %s; a layer "
                                "name is 1 to %d letters, digits, '_' or '-', "
                                "other than 'input' and 'none'", v->text, problem,
                                LADSIM_NAME_MAX - 1);
  int j = earlier_layer(r, v->text);
  if (j >= 0)
    return ladsim__config_error(r->name, &v->pos, path, "duplicate layer name "
                                "'%s' (first at line %d); give each layer its "
                                "own name", v->text, r->model->layers[j].line);
  strcpy(layer->name, v->text);
  return LADSIM_OK;
}

/* "a, b, c": the layers before the current one. */
static void earlier_names(const ladsim__reader *r, char *buf, size_t len)
{
  buf[0] = '\0';
  for (size_t j = 0; j < r->layer; j++)
    snprintf(buf + strlen(buf), len - strlen(buf), "%s'%s'", j ? ", " : "",
             r->model->layers[j].name);
}

static ladsim_status bad_source(const ladsim__reader *r, const ladsim__node *v,
                                const char *path, const char *own)
{
  char list[LADSIM_MAX_LAYERS * (LADSIM_NAME_MAX + 4)];
  if (strcmp(v->text, own) == 0)
    return ladsim__config_error(r->name, &v->pos, path, "a layer cannot take "
                                "input from itself; use 'input', 'none' or an "
                                "earlier layer (lif layers connect to "
                                "themselves through projections:)");
  for (size_t j = r->layer + 1; j < r->layers->n; j++) {
    const char *later = written_name(r->layers, j);
    if (later != NULL && strcmp(later, v->text) == 0)
      return ladsim__config_error(r->name, &v->pos, path, "layer '%s' comes "
                                  "later in the list (line %d); a layer takes "
                                  "input from 'input', 'none' or an earlier "
                                  "layer, so move '%s' above this one", v->text,
                                  r->layers->items[j]->pos.line, v->text);
  }
  earlier_names(r, list, sizeof list);
  if (r->layer == 0)
    return ladsim__config_error(r->name, &v->pos, path, "no layer named '%s'; "
                                "the first layer takes its input from 'input' "
                                "(or 'none')", v->text);
  return ladsim__config_error(r->name, &v->pos, path, "no layer named '%s'; "
                              "use 'input', 'none' or an earlier layer: %s",
                              v->text, list);
}

/* Without a data set there is no input to take, not even by default. */
static ladsim_status check_no_input(const ladsim__reader *r,
                                    const ladsim__node *v,
                                    const ladsim__pos *at, const char *path,
                                    const ladsim_layer_spec *layer)
{
  if (!ladsim__no_data(r) || strcmp(layer->from, "none") == 0)
    return LADSIM_OK;
  if (v == NULL)
    return ladsim__config_error(r->name, at, path, "the default 'input' needs "
                                "a data set, but input.dataset is none; write "
                                "`from: none` in layer '%s'", layer->name);
  return ladsim__config_error(r->name, &v->pos, path, "input.dataset is none, "
                              "so layer '%s' cannot take input from '%s'; "
                              "write `from: none` (lif layers connect through "
                              "projections:)", layer->name, v->text);
}

static ladsim_status read_from(ladsim__reader *r, const ladsim__field *f,
                               const ladsim__node *v, const ladsim__pos *at,
                               const char *path, void *base)
{
  (void)f;
  ladsim_layer_spec *layer = base;
  strcpy(layer->from, "input");
  if (v != NULL) {
    LADSIM_CHECK(ladsim__expect_scalar(r, v, path, "'input', 'none' or the "
                                       "name of an earlier layer"));
    if (strcmp(v->text, "input") != 0 && strcmp(v->text, "none") != 0 &&
        earlier_layer(r, v->text) < 0)
      return bad_source(r, v, path, layer->name);
    strcpy(layer->from, v->text);
  }
  return check_no_input(r, v, at, path, layer);
}

/* Writes a name member as "lead key: name". */
static void write_name(FILE *out, const ladsim__field *f, const void *base,
                       const char *lead, int indent)
{
  (void)indent;
  const ladsim_layer_spec *layer = base;
  fprintf(out, "%s%s: ", lead, f->key);
  ladsim__write_text(out, strcmp(f->key, "name") == 0 ? layer->name
                                                      : layer->from);
  fputc('\n', out);
}

static const ladsim__field adversarial_fields[] = {
  {LADSIM__FIELD("form", LADSIM__F_ENUM, ladsim_learning_spec, adv_form),
   .def = LADSIM_ADV_PREDICTION, .names = adv_form_names},
  {LADSIM__FIELD("weight", LADSIM__F_REAL, ladsim_learning_spec, adv_weight),
   .def = 1.0, .lo = 0.0, .flags = LADSIM__GE},
  {LADSIM__FIELD("eta_predictor", LADSIM__F_REAL, ladsim_learning_spec,
                 eta_predictor),
   .def = 0.005, .lo = 0.0, .flags = LADSIM__GE},
  {LADSIM__FIELD("delay", LADSIM__F_QUANTITY, ladsim_learning_spec,
                 predictor_delay),
   .dim = LADSIM__DIM_TIME, .def = 0.0, .lo = 0.0, .hi = 1000.0,
   .flags = LADSIM__GE | LADSIM__LE | LADSIM__MULTIPLE},
  {.key = NULL}};

static const ladsim__field pairwise_fields[] = {
  {LADSIM__FIELD("weight", LADSIM__F_REAL, ladsim_learning_spec,
                 pairwise_weight),
   .def = 1.0, .lo = 0.0, .flags = LADSIM__GE},
  {LADSIM__FIELD("tau", LADSIM__F_QUANTITY, ladsim_learning_spec,
                 pairwise_tau),
   .dim = LADSIM__DIM_TIME, .def = 1000.0, .lo = 0.0, .flags = LADSIM__GT},
  {.key = NULL}};

static const ladsim__field invariance_fields[] = {
  {LADSIM__FIELD("weight", LADSIM__F_REAL, ladsim_learning_spec, inv_weight),
   .def = 0.3, .lo = 0.0, .flags = LADSIM__GE},
  {LADSIM__FIELD("tau", LADSIM__F_QUANTITY, ladsim_learning_spec, inv_tau),
   .dim = LADSIM__DIM_TIME, .def = 20.0, .lo = 0.0, .flags = LADSIM__GT},
  {.key = NULL}};

static const ladsim__field sigreg_fields[] = {
  {LADSIM__FIELD("weight", LADSIM__F_REAL, ladsim_learning_spec, sig_weight),
   .def = 1.0, .lo = 0.0, .flags = LADSIM__GE},
  {LADSIM__FIELD("tau", LADSIM__F_QUANTITY, ladsim_learning_spec, sig_tau),
   .dim = LADSIM__DIM_TIME, .def = 2000.0, .lo = 0.0, .flags = LADSIM__GT},
  {LADSIM__FIELD("knots", LADSIM__F_SIZE, ladsim_learning_spec, sig_knots),
   .def = 17, .lo = 2, .hi = LADSIM_SIGREG_MAX_KNOTS,
   .flags = LADSIM__GE | LADSIM__LE},
  {LADSIM__FIELD("t_max", LADSIM__F_REAL, ladsim_learning_spec, sig_tmax),
   .def = 3.0, .lo = 0.0, .flags = LADSIM__GT},
  {LADSIM__FIELD("target", LADSIM__F_CUSTOM, ladsim_learning_spec, target),
   .read = ladsim__read_target, .write = ladsim__write_target},
  {.key = NULL}};

static const ladsim__field learning_fields[] = {
  {LADSIM__FIELD("eta", LADSIM__F_REAL, ladsim_learning_spec, eta),
   .def = 0.002, .lo = 0.0, .flags = LADSIM__GE},
  {LADSIM__FIELD("plasticity", LADSIM__F_ENUM, ladsim_learning_spec,
                 plasticity),
   .def = LADSIM_PLAST_CONTINUOUS, .names = plasticity_names},
  {LADSIM__FIELD("decorrelation", LADSIM__F_ENUM, ladsim_learning_spec,
                 decorrelation),
   .def = LADSIM_DECOR_ADVERSARIAL, .names = decorrelation_names},
  {.key = "adversarial", .kind = LADSIM__F_SECTION, .sub = adversarial_fields},
  {.key = "pairwise", .kind = LADSIM__F_SECTION, .sub = pairwise_fields},
  {.key = "invariance", .kind = LADSIM__F_SECTION, .sub = invariance_fields},
  {.key = "sigreg", .kind = LADSIM__F_SECTION, .sub = sigreg_fields},
  {.key = NULL}};

static const ladsim__field init_fields[] = {
  {LADSIM__FIELD("std", LADSIM__F_REAL, ladsim_layer_spec, init_std),
   .def = 1.0, .lo = 0.0, .flags = LADSIM__GT},
  {LADSIM__FIELD("bias", LADSIM__F_REAL, ladsim_layer_spec, init_bias),
   .def = 0.0},
  {.key = NULL}};

/* Name first: later keys of the layer (from:) need it. */
static const ladsim__field layer_fields[] = {
  {LADSIM__FIELD("name", LADSIM__F_CUSTOM, ladsim_layer_spec, name),
   .read = read_layer_name, .write = write_name, .flags = LADSIM__REQUIRED,
   .example = "name: hidden"},
  {LADSIM__FIELD("neuron", LADSIM__F_ENUM, ladsim_layer_spec, neuron),
   .def = LADSIM_NEURON_RATE, .names = neuron_names},
  {LADSIM__FIELD("size", LADSIM__F_SIZE, ladsim_layer_spec, size),
   .lo = 1, .hi = 1000000,
   .flags = LADSIM__GE | LADSIM__LE | LADSIM__REQUIRED,
   .example = "size: 256"},
  {LADSIM__FIELD("tau", LADSIM__F_QUANTITY, ladsim_layer_spec, tau),
   .dim = LADSIM__DIM_TIME, .def = 5.0, .lo = 0.0, .flags = LADSIM__GT,
   .only = RATE},
  {LADSIM__FIELD("activation", LADSIM__F_ENUM, ladsim_layer_spec, activation),
   .def = LADSIM_ACT_RELU, .names = activation_names, .only = RATE},
  {LADSIM__FIELD("lif", LADSIM__F_SECTION, ladsim_layer_spec, lif),
   .sub = ladsim__lif_fields, .only = LIF},
  {LADSIM__FIELD("from", LADSIM__F_CUSTOM, ladsim_layer_spec, from),
   .read = read_from, .write = write_name},
  {.key = "init", .kind = LADSIM__F_SECTION, .sub = init_fields},
  {LADSIM__FIELD("learn", LADSIM__F_BOOL, ladsim_layer_spec, learn),
   .def = 1},
  {LADSIM__FIELD("learning", LADSIM__F_SECTION, ladsim_layer_spec, learning),
   .sub = learning_fields},
  {.key = NULL}};

/* Scalar v names no layer; says which lif layers there are. */
static ladsim_status unknown_lif_layer(const ladsim__reader *r,
                                       const ladsim__node *v, const char *path)
{
  const char *lif[LADSIM_MAX_LAYERS];
  char list[LADSIM_MAX_LAYERS * (LADSIM_NAME_MAX + 4)] = "";
  size_t n = 0;
  for (size_t j = 0; j < r->model->n_layers; j++)
    if (r->model->layers[j].neuron == LADSIM_NEURON_LIF) {
      lif[n] = r->model->layers[j].name;
      snprintf(list + strlen(list), sizeof list - strlen(list), "%s'%s'",
               n ? ", " : "", lif[n]);
      n++;
    }
  char head[LADSIM_NAME_MAX + 64];
  if (strcmp(v->text, "input") == 0)
    snprintf(head, sizeof head, "'input' is the input, not a layer");
  else
    snprintf(head, sizeof head, "no layer named '%s'", v->text);
  if (n == 0)
    return ladsim__config_error(r->name, &v->pos, path, "%s, and no layer has "
                                "neuron: lif; set it on the layers to connect",
                                head);
  const char *near = ladsim__closest(v->text, lif, n);
  if (near != NULL)
    return ladsim__config_error(r->name, &v->pos, path, "%s; did you mean "
                                "'%s'? (the lif layers are: %s)", head, near,
                                list);
  return ladsim__config_error(r->name, &v->pos, path, "%s; name a lif layer: "
                              "%s", head, list);
}

/* Rejects keys of the other neuron model: defaults of those keys are
 * filled and ignored, but a value the user wrote would be silently lost. */
static ladsim_status check_neuron_keys(const ladsim__reader *r,
                                       const ladsim__node *item,
                                       const char *path)
{
  int kind;
  const ladsim__entry *e;
  const ladsim__field *row;
  char sub[LADSIM__PATH_MAX];
  LADSIM_CHECK(ladsim__read_variant(r, layer_fields, item, "neuron", path,
                                    &kind, &e, &row));
  if (e == NULL)
    return LADSIM_OK;
  ladsim__path_join(sub, path, e->key);
  if (row->only == LIF)
    return ladsim__config_error(r->name, &e->pos, sub, "only for neuron: lif; "
                                "remove it or set neuron: lif");
  return ladsim__config_error(r->name, &e->pos, sub, "only for rate neurons; "
                              "this layer has neuron: %s, whose parameters "
                              "are in its lif section (e.g. lif.tau_m); remove "
                              "it or set neuron: rate", neuron_names[kind]);
}

/* "layers.NAME" once the item has a usable name, else "layers[i]". */
static void layer_path(const ladsim__reader *r, size_t i, char *out)
{
  const char *name = written_name(r->layers, i);
  if (name != NULL && name_problem(name) == NULL && earlier_layer(r, name) < 0)
    snprintf(out, LADSIM__PATH_MAX, "layers.%s", name);
  else
    snprintf(out, LADSIM__PATH_MAX, "layers[%zu]", i);
}

ladsim_status ladsim__read_layers(ladsim__reader *r, const ladsim__field *f,
                                  const ladsim__node *v, const ladsim__pos *at,
                                  const char *path, void *base)
{
  (void)f;
  ladsim_model *m = base;
  char seen[64];
  if (v == NULL || ladsim__node_is_null(v) || v->kind != LADSIM__SEQ)
    return ladsim__config_error(r->name, v ? &v->pos : at, path, "expected a "
                                "list of layers, found %s; write each layer as "
                                "an item `- name: ...`",
                                ladsim__node_describe(v, seen, sizeof seen));
  if (v->n == 0 || v->n > LADSIM_MAX_LAYERS)
    return ladsim__config_error(r->name, &v->pos, path, "has %zu layers; "
                                "give between 1 and %d", v->n,
                                LADSIM_MAX_LAYERS);
  r->layers = v;
  for (size_t i = 0; i < v->n; i++) {
    char item[LADSIM__PATH_MAX];
    r->layer = i;
    layer_path(r, i, item);
    m->n_layers = i + 1; /* so that freeing the model frees what it took */
    m->layers[i].line = v->items[i]->pos.line;
    LADSIM_CHECK(check_neuron_keys(r, v->items[i], item));
    LADSIM_CHECK(ladsim__read_fields(r, layer_fields, v->items[i],
                                     &v->items[i]->pos, item, &m->layers[i]));
  }
  return LADSIM_OK;
}

void ladsim__write_layers(FILE *out, const ladsim__field *f, const void *base,
                          const char *lead, int indent)
{
  const ladsim_model *m = base;
  char item_lead[80];
  snprintf(item_lead, sizeof item_lead, "%*s- ", indent + 2, "");
  fprintf(out, "%s%s:\n", lead, f->key);
  for (size_t i = 0; i < m->n_layers; i++)
    ladsim__write_fields_for(out, layer_fields, &m->layers[i],
                             1u << m->layers[i].neuron, item_lead, indent + 4);
}

ladsim_status ladsim__find_lif_layer(const ladsim__reader *r,
                                     const ladsim__node *v, const char *path,
                                     const char *why, int *index)
{
  const ladsim_model *m = r->model;
  LADSIM_CHECK(ladsim__expect_scalar(r, v, path, "the name of a lif layer"));
  *index = ladsim_model_layer_index(m, v->text);
  if (*index < 0)
    return unknown_lif_layer(r, v, path);
  const ladsim_layer_spec *layer = &m->layers[*index];
  if (layer->neuron == LADSIM_NEURON_LIF)
    return LADSIM_OK;
  return ladsim__config_error(r->name, &v->pos, path, "layer '%s' has "
                              "neuron: %s; %s", layer->name,
                              neuron_names[layer->neuron], why);
}

int ladsim_model_layer_index(const ladsim_model *m, const char *name)
{
  if (m == NULL || name == NULL)
    return -1;
  for (size_t i = 0; i < m->n_layers; i++)
    if (strcmp(m->layers[i].name, name) == 0)
      return (int)i;
  return -1;
}

const char *ladsim_activation_name(ladsim_activation a)
{
  if ((unsigned)a < sizeof activation_names / sizeof activation_names[0] - 1)
    return activation_names[a];
  return "unknown";
}
