/* model.c: the top of the model-file schema and the public load, parse and free functions. */
#include "config.h"
#include <ladsim/model.h>
#include "config/reader.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The reader stores enums through int pointers. */
_Static_assert(sizeof(ladsim_flip) == sizeof(int), "enums are int-sized");
_Static_assert(sizeof(ladsim_record_when) == sizeof(int), "enums are int-sized");

static const char *const flip_names[] = {"none", "horizontal", "vertical",
                                         "both", NULL};

static const ladsim__field simulation_fields[] = {
  {LADSIM__FIELD("resolution", LADSIM__F_QUANTITY, ladsim_simulation_spec,
                 resolution),
   .dim = LADSIM__DIM_TIME, .def = 1.0, .lo = 0.001, .hi = 10.0,
   .flags = LADSIM__GE | LADSIM__LE},
  {LADSIM__FIELD("seed", LADSIM__F_U64, ladsim_simulation_spec, seed),
   .def = 1234, .lo = 0, .flags = LADSIM__GE},
  {LADSIM__FIELD("min_delay", LADSIM__F_QUANTITY, ladsim_simulation_spec,
                 min_delay),
   .dim = LADSIM__DIM_TIME, .def = 1.0,
   .flags = LADSIM__MIN_RES | LADSIM__MULTIPLE},
  {LADSIM__FIELD("duration", LADSIM__F_QUANTITY, ladsim_simulation_spec,
                 duration),
   .dim = LADSIM__DIM_TIME, .def = 0.0, .lo = 0.0, .hi = 1e10,
   .flags = LADSIM__GE | LADSIM__LE | LADSIM__MULTIPLE},
  {.key = NULL}};

/* augment: shares the base of the input section. */
static const ladsim__field augment_fields[] = {
  {LADSIM__FIELD("shift", LADSIM__F_QUANTITY, ladsim_input_spec, shift),
   .dim = LADSIM__DIM_LENGTH, .def = 0.0, .lo = 0.0, .hi = 16.0,
   .flags = LADSIM__GE | LADSIM__LE},
  {LADSIM__FIELD("flip", LADSIM__F_ENUM, ladsim_input_spec, flip),
   .def = LADSIM_FLIP_NONE, .names = flip_names},
  {LADSIM__FIELD("noise", LADSIM__F_REAL, ladsim_input_spec, noise),
   .def = 0.0, .lo = 0.0, .flags = LADSIM__GE},
  {LADSIM__FIELD("contrast", LADSIM__F_REAL, ladsim_input_spec, contrast),
   .def = 0.0, .lo = 0.0, .hi = 1.0, .flags = LADSIM__GE | LADSIM__LT},
  {.key = NULL}};

static const ladsim__field input_fields[] = {
  {LADSIM__FIELD("dataset", LADSIM__F_CUSTOM, ladsim_input_spec, data),
   .read = ladsim__read_dataset, .write = ladsim__write_dataset},
  {LADSIM__FIELD("views_per_sample", LADSIM__F_UNSIGNED, ladsim_input_spec,
                 views_per_sample),
   .def = 2, .lo = 1, .hi = 64, .flags = LADSIM__GE | LADSIM__LE},
  {LADSIM__FIELD("view_duration", LADSIM__F_QUANTITY, ladsim_input_spec,
                 view_duration),
   .dim = LADSIM__DIM_TIME, .def = 10.0, .lo = 0.0, .hi = 1e6,
   .flags = LADSIM__GT | LADSIM__LE | LADSIM__MULTIPLE},
  {LADSIM__FIELD("epochs", LADSIM__F_UNSIGNED, ladsim_input_spec, epochs),
   .def = 1, .lo = 1, .hi = 1000, .flags = LADSIM__GE | LADSIM__LE},
  {LADSIM__FIELD("shuffle", LADSIM__F_BOOL, ladsim_input_spec, shuffle),
   .def = 1},
  {.key = "augment", .kind = LADSIM__F_SECTION, .offset = 0,
   .sub = augment_fields},
  {LADSIM__FIELD("scale", LADSIM__F_REAL, ladsim_input_spec, scale),
   .def = 1.0, .lo = 0.0, .flags = LADSIM__GT},
  {LADSIM__FIELD("max_rate", LADSIM__F_QUANTITY, ladsim_input_spec, max_rate),
   .dim = LADSIM__DIM_FREQUENCY, .def = 100.0, .lo = 0.0, .flags = LADSIM__GT},
  {LADSIM__FIELD("center", LADSIM__F_BOOL, ladsim_input_spec, center),
   .def = 0},
  {.key = NULL}};

static const char *const weights_words[] = {"none", "end", NULL};

/* record.weights: none, end, or a positive multiple of the resolution. */
static ladsim_status read_weights(ladsim__reader *r, const ladsim__field *f,
                                  const ladsim__node *v, const ladsim__pos *at,
                                  const char *path, void *base)
{
  (void)f;
  (void)at;
  ladsim_record_spec *rec = base;
  rec->weights = LADSIM_RECORD_END;
  rec->weights_interval = 0.0;
  if (v == NULL)
    return LADSIM_OK;
  LADSIM_CHECK(ladsim__expect_scalar(r, v, path, "none, end or a time "
                                     "interval such as `10 s`"));
  for (int i = 0; weights_words[i] != NULL; i++)
    if (strcmp(v->text, weights_words[i]) == 0) {
      rec->weights = i == 0 ? LADSIM_RECORD_NONE : LADSIM_RECORD_END;
      return LADSIM_OK;
    }
  double x;
  ladsim__qty_status q = ladsim__quantity_parse(v->text, LADSIM__DIM_TIME, &x);
  if (q == LADSIM__QTY_NO_UNIT)
    return ladsim__config_error(r->name, &v->pos, path, "'%s' needs a unit, "
                                "e.g. `10 s`", v->text);
  if (q != LADSIM__QTY_OK)
    return ladsim__config_error(r->name, &v->pos, path, "'%s' is not allowed; "
                                "use none, end or a time interval with s, ms "
                                "or us such as `10 s`", v->text);
  if (!(x > 0.0))
    return ladsim__config_error(r->name, &v->pos, path, "'%s' is out of range; "
                                "an interval must be > 0 ms (use none to "
                                "record no weights)", v->text);
  rec->weights = LADSIM_RECORD_INTERVAL;
  rec->weights_interval = x;
  return ladsim__check_multiple(r, v, &v->pos, path, x);
}

static void write_weights(FILE *out, const ladsim__field *f, const void *base,
                          const char *lead, int indent)
{
  (void)indent;
  const ladsim_record_spec *rec = base;
  char buf[64];
  if (rec->weights == LADSIM_RECORD_INTERVAL)
    ladsim__quantity_format(rec->weights_interval, LADSIM__DIM_TIME, buf,
                            sizeof buf);
  else
    snprintf(buf, sizeof buf, "%s", rec->weights == LADSIM_RECORD_NONE
                                        ? "none" : "end");
  fprintf(out, "%s%s: %s\n", lead, f->key, buf);
}

static const ladsim__field record_fields[] = {
  {LADSIM__FIELD("metrics", LADSIM__F_QUANTITY, ladsim_record_spec, metrics),
   .dim = LADSIM__DIM_TIME, .def = 1000.0, .lo = 0.0, .hi = 1e10,
   .flags = LADSIM__GE | LADSIM__LE | LADSIM__MULTIPLE},
  {.key = "weights", .kind = LADSIM__F_CUSTOM, .offset = 0,
   .read = read_weights, .write = write_weights},
  {LADSIM__FIELD("progress", LADSIM__F_QUANTITY, ladsim_record_spec, progress),
   .dim = LADSIM__DIM_TIME, .def = 1000.0, .lo = 0.0, .flags = LADSIM__GT},
  {LADSIM__FIELD("checkpoint", LADSIM__F_QUANTITY, ladsim_record_spec, checkpoint),
   .dim = LADSIM__DIM_TIME, .def = 0.0, .lo = 0.0, .hi = 1e10,
   .flags = LADSIM__GE | LADSIM__LE | LADSIM__MULTIPLE},
  {.key = "spikes", .kind = LADSIM__F_CUSTOM, .offset = 0,
   .read = ladsim__read_spikes, .write = ladsim__write_spikes},
  {.key = NULL}};

/* Without a data set there is nothing to evaluate: the default is off. */
static ladsim_status check_enabled(ladsim__reader *r, const ladsim__field *f,
                                   const ladsim__node *v, const ladsim__pos *at,
                                   const char *path, void *base)
{
  (void)f;
  (void)at;
  ladsim_evaluate_spec *e = base;
  if (!ladsim__no_data(r))
    return LADSIM_OK;
  if (v != NULL && e->enabled)
    return ladsim__config_error(r->name, &v->pos, path, "evaluation needs a "
                                "data set, but input.dataset is none; set "
                                "enabled: false or give a data set");
  e->enabled = false;
  return LADSIM_OK;
}

static const ladsim__field evaluate_fields[] = {
  {LADSIM__FIELD("enabled", LADSIM__F_BOOL, ladsim_evaluate_spec, enabled),
   .def = 1, .check = check_enabled},
  {LADSIM__FIELD("train", LADSIM__F_SIZE, ladsim_evaluate_spec, train),
   .def = 0, .lo = 0, .flags = LADSIM__GE},
  {LADSIM__FIELD("test", LADSIM__F_SIZE, ladsim_evaluate_spec, test),
   .def = 0, .lo = 0, .flags = LADSIM__GE},
  {LADSIM__FIELD("validation", LADSIM__F_REAL, ladsim_evaluate_spec,
                 validation),
   .def = 0.1, .lo = 0.0, .hi = 0.5, .flags = LADSIM__GE | LADSIM__LT},
  {LADSIM__FIELD("raw", LADSIM__F_BOOL, ladsim_evaluate_spec, raw), .def = 1},
  {LADSIM__FIELD("init", LADSIM__F_BOOL, ladsim_evaluate_spec, init),
   .def = 1},
  {.key = NULL}};

/* The order matters: simulation comes first, so the resolution is known
 * when later times are checked against it; input before layers (from: and
 * dataset none); layers before the keys that name them. */
const ladsim__field ladsim__model_fields[] = {
  {LADSIM__FIELD("simulation", LADSIM__F_SECTION, ladsim_model, simulation),
   .sub = simulation_fields},
  {LADSIM__FIELD("input", LADSIM__F_SECTION, ladsim_model, input),
   .sub = input_fields},
  {.key = "layers", .kind = LADSIM__F_CUSTOM, .offset = 0,
   .read = ladsim__read_layers, .write = ladsim__write_layers,
   .flags = LADSIM__REQUIRED,
   .example = "layers: [{name: hidden, size: 256}]"},
  {.key = "projections", .kind = LADSIM__F_CUSTOM, .offset = 0,
   .read = ladsim__read_projections, .write = ladsim__write_projections},
  {LADSIM__FIELD("record", LADSIM__F_SECTION, ladsim_model, record),
   .sub = record_fields},
  {LADSIM__FIELD("evaluate", LADSIM__F_SECTION, ladsim_model, evaluate),
   .sub = evaluate_fields},
  {.key = NULL}};

/* Poisson trains need rates in [0, 1]: a lif layer fed by the stimulus
 * cannot take centred (negative) pixels. Checked once every section is
 * read, at input.center, the key to change. */
static ladsim_status check_lif_center(const ladsim__reader *r, const ladsim_model *m)
{
  if (!m->input.center)
    return LADSIM_OK;
  for (size_t i = 0; i < m->n_layers; i++) {
    const ladsim_layer_spec *ls = &m->layers[i];
    if (ls->neuron != LADSIM_NEURON_LIF || strcmp(ls->from, "input") != 0 ||
        ls->lif.coding != LADSIM_CODING_POISSON)
      continue;
    const ladsim__pos *at = ladsim__position_of(r->root, "input.center");
    ladsim__pos top = {1, 1, NULL};
    return ladsim__config_error(r->name, at ? at : &top, "input.center", "the lif layer "
                                "'%s' (line %d) turns pixels into Poisson rates, which "
                                "need pixels in [0, 1], but center: true makes them "
                                "negative; set input.center: false", ls->name, ls->line);
  }
  return LADSIM_OK;
}

/* Parses the tree, applies the overrides and fills m from it. */
static ladsim_status read_model(const char *text, size_t len, const char *name,
                                const char *base_dir,
                                const char *const *overrides, size_t n,
                                ladsim_model *m)
{
  ladsim__node *root;
  LADSIM_CHECK(ladsim__tree_parse(text, len, name, NULL, &root));
  ladsim_status s = ladsim__apply_overrides(root, overrides, n);
  if (s == LADSIM_OK) {
    ladsim__reader r = {.name = name, .base_dir = base_dir, .model = m,
                        .root = root};
    ladsim__pos top = {1, 1, NULL};
    s = ladsim__read_fields(&r, ladsim__model_fields, root, &top, "", m);
    if (s == LADSIM_OK)
      s = check_lif_center(&r, m);
  }
  ladsim__node_free(root);
  if (s != LADSIM_OK)
    return ladsim_error_trace(s, __FILE__, __LINE__);
  return LADSIM_OK;
}

/* Builds a model from text; base_dir (or NULL) anchors relative data paths. */
static ladsim_status model_from_text(const char *text, size_t len,
                                     const char *name, const char *base_dir,
                                     const char *const *overrides, size_t n,
                                     ladsim_model **out)
{
  ladsim_status s;
  ladsim_model *m = calloc(1, sizeof *m);
  if (m == NULL)
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory reading %s", name);
  m->path = strdup(name);
  m->text = strndup(text, len);
  if (m->path == NULL || m->text == NULL) {
    s = LADSIM_ERROR(LADSIM_ENOMEM, "out of memory reading %s", name);
    goto fail;
  }
  LADSIM_CHECK_GOTO(s, read_model(text, len, name, base_dir, overrides, n, m),
                    fail);
  *out = m;
  return LADSIM_OK;
fail:
  ladsim_model_free(m);
  return s;
}

/* The absolute directory of path, so data paths written relative to the
 * model file stay right whatever the working directory is later. */
static char *directory_of(const char *path)
{
  const char *slash = strrchr(path, '/');
  char *dir = NULL, cwd[4096];
  if (slash != NULL && path[0] == '/')
    return strndup(path, (size_t)(slash - path) + (slash == path));
  if (getcwd(cwd, sizeof cwd) == NULL)
    return slash ? strndup(path, (size_t)(slash - path)) : strdup(".");
  if (slash == NULL)
    return strdup(cwd);
  if (asprintf(&dir, "%s/%.*s", cwd, (int)(slash - path), path) < 0)
    return NULL;
  return dir;
}

/* Reads a whole file into a new string. */
static ladsim_status read_file(const char *path, char **text, size_t *len)
{
  FILE *f = fopen(path, "rb");
  if (f == NULL)
    return LADSIM_ERROR(LADSIM_ECONFIG, "%s: cannot open the model file: %s; "
                        "check the path", path, strerror(errno));
  char *buf = NULL;
  size_t used = 0, cap = 0, k;
  do {
    if (used + 4096 > cap) {
      char *more = realloc(buf, cap = 2 * cap + 8192);
      if (more == NULL) {
        free(buf);
        fclose(f);
        return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory reading %s", path);
      }
      buf = more;
    }
    used += k = fread(buf + used, 1, cap - used - 1, f);
  } while (k > 0);
  int err = ferror(f) ? errno : 0;
  fclose(f);
  if (err != 0) {
    free(buf);
    return LADSIM_ERROR(LADSIM_ECONFIG, "%s: cannot read the model file: %s; "
                        "check that it is a readable file", path,
                        strerror(err));
  }
  buf[used] = '\0';
  *text = buf;
  *len = used;
  return LADSIM_OK;
}

ladsim_status ladsim_model_parse(const char *text, const char *name,
                                 const char *const *overrides,
                                 size_t n_overrides, ladsim_model **out)
{
  if (text == NULL || out == NULL || (overrides == NULL && n_overrides > 0))
    return LADSIM_ERROR(LADSIM_EINVAL, "ladsim_model_parse: text, out and "
                        "the overrides (when n_overrides > 0) must be given");
  *out = NULL;
  LADSIM_CHECK(model_from_text(text, strlen(text), name ? name : "<string>",
                               NULL, overrides, n_overrides, out));
  return LADSIM_OK;
}

ladsim_status ladsim_model_load(const char *path, const char *const *overrides,
                                size_t n_overrides, ladsim_model **out)
{
  if (path == NULL || out == NULL || (overrides == NULL && n_overrides > 0))
    return LADSIM_ERROR(LADSIM_EINVAL, "ladsim_model_load: path, out and the "
                        "overrides (when n_overrides > 0) must be given");
  *out = NULL;
  char *text = NULL, *dir;
  size_t len = 0;
  LADSIM_CHECK(read_file(path, &text, &len));
  if ((dir = directory_of(path)) == NULL) {
    free(text);
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory reading %s", path);
  }
  ladsim_status s = model_from_text(text, len, path, dir, overrides,
                                    n_overrides, out);
  free(dir);
  free(text);
  LADSIM_CHECK(s);
  return LADSIM_OK;
}

void ladsim_model_free(ladsim_model *m)
{
  if (m == NULL)
    return;
  ladsim_dataset_spec *d = &m->input.data;
  free(d->dir);
  free(d->train_images);
  free(d->train_labels);
  free(d->test_images);
  free(d->test_labels);
  for (size_t i = 0; i < m->n_layers; i++)
    free(m->layers[i].learning.target.samples);
  free(m->path);
  free(m->text);
  free(m);
}
