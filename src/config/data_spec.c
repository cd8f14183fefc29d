/* data_spec.c: input.dataset: Fashion-MNIST, a synthetic set, train and test files, or none. */
#include "config.h"
#include "config/reader.h"

#include <string.h>

/* The kinds of data set; a field's .only says which kinds use its key.
 * NONE is a model without stimulus (a network driven by itself). */
enum { FMNIST = 1u << 0, SYNTH = 1u << 1, FILES = 1u << 2, NONE = 1u << 3 };
#define IMAGE_KINDS (FMNIST | SYNTH | FILES)

/* In the order of the bits above. */
static const char *const kind_names[] = {"fashion-mnist", "synthetic", "files",
                                         "none", NULL};

/* The kinds a bare name may give (files need their paths). */
static const char *const short_names[] = {"fashion-mnist", "synthetic", "none"};

#define FILES_EXAMPLE "{train: {images: train-images.idx, labels: " \
                      "train-labels.idx}, test: {...}}"

static unsigned kind_bit(const char *name)
{
  for (unsigned i = 0; kind_names[i] != NULL; i++)
    if (strcmp(kind_names[i], name) == 0)
      return 1u << i;
  return 0;
}

/* The name of the kind with this bit. */
static const char *kind_name(unsigned bit)
{
  unsigned i = 0;
  while (kind_names[i + 1] != NULL && !(bit & (1u << i)))
    i++;
  return kind_names[i];
}

/* The row of name: checked here, applied by read_dataset once the whole
 * mapping is known (name may be left out when train: and test: say it). */
static ladsim_status read_kind(ladsim__reader *r, const ladsim__field *f,
                               const ladsim__node *v, const ladsim__pos *at,
                               const char *path, void *base)
{
  (void)at;
  (void)base;
  int k;
  if (v == NULL)
    return LADSIM_OK;
  LADSIM_CHECK(ladsim__expect_scalar(r, v, path, "fashion-mnist, synthetic, "
                                     "files or none"));
  return ladsim__read_enum(r, f, v, path, &k);
}

static void write_kind(FILE *out, const ladsim__field *f, const void *base,
                       const char *lead, int indent)
{
  (void)indent;
  const ladsim_dataset_spec *d = base;
  fprintf(out, "%s%s: %s\n", lead, f->key, d->name[0] ? d->name : "files");
}

static const ladsim__field train_fields[] = {
  {LADSIM__FIELD("images", LADSIM__F_PATH, ladsim_dataset_spec, train_images),
   .flags = LADSIM__REQUIRED, .example = "images: train-images-idx3-ubyte.gz"},
  {LADSIM__FIELD("labels", LADSIM__F_PATH, ladsim_dataset_spec, train_labels),
   .flags = LADSIM__REQUIRED, .example = "labels: train-labels-idx1-ubyte.gz"},
  {.key = NULL}};

static const ladsim__field test_fields[] = {
  {LADSIM__FIELD("images", LADSIM__F_PATH, ladsim_dataset_spec, test_images),
   .flags = LADSIM__REQUIRED, .example = "images: t10k-images-idx3-ubyte.gz"},
  {LADSIM__FIELD("labels", LADSIM__F_PATH, ladsim_dataset_spec, test_labels),
   .flags = LADSIM__REQUIRED, .example = "labels: t10k-labels-idx1-ubyte.gz"},
  {.key = NULL}};

static const ladsim__field dataset_fields[] = {
  {LADSIM__FIELD("name", LADSIM__F_CUSTOM, ladsim_dataset_spec, name),
   .names = kind_names, .read = read_kind, .write = write_kind,
   .only = IMAGE_KINDS | NONE},
  {LADSIM__FIELD("dir", LADSIM__F_PATH, ladsim_dataset_spec, dir),
   .only = FMNIST},
  {.key = "train", .kind = LADSIM__F_SECTION, .sub = train_fields,
   .only = FILES, .example = "train: {images: ..., labels: ...}"},
  {.key = "test", .kind = LADSIM__F_SECTION, .sub = test_fields,
   .only = FILES, .example = "test: {images: ..., labels: ...}"},
  {LADSIM__FIELD("images_key", LADSIM__F_NAME, ladsim_dataset_spec,
                 images_key),
   .def_text = "images", .only = FILES},
  {LADSIM__FIELD("labels_key", LADSIM__F_NAME, ladsim_dataset_spec,
                 labels_key),
   .def_text = "labels", .only = FILES},
  {LADSIM__FIELD("train_limit", LADSIM__F_SIZE, ladsim_dataset_spec,
                 train_limit),
   .def = 0, .lo = 0, .flags = LADSIM__GE, .only = IMAGE_KINDS},
  {LADSIM__FIELD("test_limit", LADSIM__F_SIZE, ladsim_dataset_spec,
                 test_limit),
   .def = 0, .lo = 0, .flags = LADSIM__GE, .only = IMAGE_KINDS},
  {LADSIM__FIELD("classes", LADSIM__F_SIZE, ladsim_dataset_spec,
                 synth_classes),
   .def = 4, .lo = 2, .hi = 255, .flags = LADSIM__GE | LADSIM__LE,
   .only = SYNTH},
  {LADSIM__FIELD("side", LADSIM__F_SIZE, ladsim_dataset_spec, synth_side),
   .def = 8, .lo = 2, .hi = 64, .flags = LADSIM__GE | LADSIM__LE,
   .only = SYNTH},
  {LADSIM__FIELD("train_size", LADSIM__F_SIZE, ladsim_dataset_spec,
                 synth_train),
   .def = 512, .lo = 1, .flags = LADSIM__GE, .only = SYNTH},
  {LADSIM__FIELD("test_size", LADSIM__F_SIZE, ladsim_dataset_spec,
                 synth_test),
   .def = 256, .lo = 1, .flags = LADSIM__GE, .only = SYNTH},
  {LADSIM__FIELD("noise", LADSIM__F_REAL, ladsim_dataset_spec, synth_noise),
   .def = 0.3, .lo = 0.0, .flags = LADSIM__GE, .only = SYNTH},
  {.key = NULL}};

static const ladsim__field *row_of(const char *key)
{
  for (const ladsim__field *f = dataset_fields; f->key != NULL; f++)
    if (strcmp(f->key, key) == 0)
      return f;
  return NULL;
}

/* The kind a short form names: dataset: fashion-mnist (or nothing). */
static ladsim_status kind_of_scalar(const ladsim__reader *r,
                                    const ladsim__node *v, const char *path,
                                    unsigned *kind)
{
  *kind = FMNIST;
  if (v == NULL)
    return LADSIM_OK;
  LADSIM_CHECK(ladsim__expect_scalar(r, v, path, "fashion-mnist, synthetic, "
                                     "none or a mapping " FILES_EXAMPLE));
  *kind = kind_bit(v->text);
  if (*kind == FILES)
    return ladsim__config_error(r->name, &v->pos, path, "files need their "
                                "paths; write " FILES_EXAMPLE);
  if (*kind != 0)
    return LADSIM_OK;
  const char *near = ladsim__closest(v->text, short_names, 3);
  return ladsim__config_error(r->name, &v->pos, path, "'%s' is not a known "
                              "data set; %s%s%suse fashion-mnist, synthetic, "
                              "none or a mapping " FILES_EXAMPLE, v->text,
                              near ? "did you mean '" : "", near ? near : "",
                              near ? "'? " : "");
}

/* The kind a mapping names: its name:, else files when it lists files. */
static unsigned kind_of_map(const ladsim__node *v)
{
  const ladsim__entry *e = ladsim__map_find(v, "name");
  if (e != NULL)
    return kind_bit(e->value->text);
  if (ladsim__map_find(v, "train") || ladsim__map_find(v, "test"))
    return FILES;
  return FMNIST;
}

/* "synthetic" or "fashion-mnist or files": the kinds in a bit set. */
static void kinds_text(unsigned bits, char *buf, size_t len)
{
  buf[0] = '\0';
  for (unsigned i = 0; kind_names[i] != NULL; i++)
    if (bits & (1u << i))
      snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
               buf[0] ? " or " : "", kind_names[i]);
}

/* Rejects keys of other kinds and requires train: and test: for files. */
static ladsim_status check_kind_keys(const ladsim__reader *r,
                                     const ladsim__node *v, const char *path,
                                     unsigned kind)
{
  char sub[LADSIM__PATH_MAX], kinds[64], own[32];
  const ladsim__field *f;
  const ladsim__entry *e = ladsim__foreign_entry(dataset_fields, v, kind, &f);
  if (e != NULL) {
    kinds_text(kind, own, sizeof own);
    kinds_text(f->only, kinds, sizeof kinds);
    return ladsim__config_error(r->name, &e->pos,
                                ladsim__path_join(sub, path, f->key),
                                "only used with name: %s, but this data set "
                                "is %s; remove the key or change name:", kinds,
                                own);
  }
  static const char *const needed[] = {"train", "test"};
  for (size_t k = 0; kind == FILES && k < 2; k++)
    if (ladsim__map_find(v, needed[k]) == NULL)
      return ladsim__config_error(r->name, &v->pos, path, "missing required "
                                  "key '%s'; files need both, e.g. `%s`",
                                  needed[k], row_of(needed[k])->example);
  return LADSIM_OK;
}

/* Without a data set, nothing else ends the run. simulation is read
 * before input, so its duration is known here. */
static ladsim_status check_duration(const ladsim__reader *r,
                                    const ladsim__node *v,
                                    const ladsim__pos *at)
{
  if (r->model->simulation.duration > 0.0)
    return LADSIM_OK;
  const ladsim__pos *where = ladsim__position_of(r->root, "simulation.duration");
  if (where == NULL)
    where = ladsim__position_of(r->root, "simulation");
  if (where == NULL)
    where = v != NULL ? &v->pos : at;
  return ladsim__config_error(r->name, where, "simulation.duration", "with "
                              "input.dataset none, give simulation.duration; "
                              "there is no input schedule to end the run, "
                              "e.g. `duration: 1 s`");
}

ladsim_status ladsim__read_dataset(ladsim__reader *r, const ladsim__field *f,
                                   const ladsim__node *v, const ladsim__pos *at,
                                   const char *path, void *base)
{
  ladsim_dataset_spec *d = (ladsim_dataset_spec *)((char *)base + f->offset);
  unsigned kind;
  if (v != NULL && v->kind == LADSIM__SEQ)
    return ladsim__config_error(r->name, &v->pos, path, "expected "
                                "fashion-mnist, synthetic or a mapping, found "
                                "a list");
  if (v == NULL || v->kind == LADSIM__SCALAR) {
    LADSIM_CHECK(kind_of_scalar(r, v, path, &kind));
    LADSIM_CHECK(ladsim__read_fields(r, dataset_fields, NULL, at, path, d));
  } else {
    LADSIM_CHECK(ladsim__read_fields(r, dataset_fields, v, at, path, d));
    kind = kind_of_map(v);
    LADSIM_CHECK(check_kind_keys(r, v, path, kind));
  }
  snprintf(d->name, sizeof d->name, "%s", kind == FILES ? "" : kind_name(kind));
  return kind == NONE ? check_duration(r, v, at) : LADSIM_OK;
}

bool ladsim__no_data(const ladsim__reader *r)
{
  return strcmp(r->model->input.data.name, "none") == 0;
}

void ladsim__write_dataset(FILE *out, const ladsim__field *f, const void *base,
                           const char *lead, int indent)
{
  const ladsim_dataset_spec *d =
      (const ladsim_dataset_spec *)((const char *)base + f->offset);
  unsigned kind = d->name[0] == '\0' ? FILES : kind_bit(d->name);
  char pad[64];
  snprintf(pad, sizeof pad, "%*s", indent + 2, "");
  fprintf(out, "%s%s:\n", lead, f->key);
  for (const ladsim__field *row = dataset_fields; row->key != NULL; row++)
    if (row->only & kind)
      ladsim__write_field(out, row, d, pad, indent + 2);
}
