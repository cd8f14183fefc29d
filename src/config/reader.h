/* reader.h: the schema engine that turns a YAML tree into a ladsim_model. */
#ifndef LADSIM_CONFIG_READER_H
#define LADSIM_CONFIG_READER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <ladsim/model.h>
#include "config/units.h"
#include "config/yaml_tree.h"

/* Longest key path in a message ("layers.hidden.learning.sigreg.target"). */
#define LADSIM__PATH_MAX 320

/* The state of one model read. */
typedef struct {
  const char *name;            /* the file name messages start with */
  const char *base_dir;        /* relative data paths start here (or NULL) */
  ladsim_model *model;         /* being filled, section by section */
  const ladsim__node *root;    /* the whole tree, for positions of other keys */
  const ladsim__node *layers;  /* the layers list, to look ahead for from: */
  size_t layer;                /* index of the layer being read */
} ladsim__reader;

typedef enum {
  LADSIM__F_SECTION,  /* a nested mapping whose fields are in .sub */
  LADSIM__F_CUSTOM,   /* read and written by the callbacks */
  LADSIM__F_BOOL,     /* bool */
  LADSIM__F_ENUM,     /* an enum stored as int, named by .names */
  LADSIM__F_REAL,     /* double, no unit */
  LADSIM__F_QUANTITY, /* double in the internal unit of .dim */
  LADSIM__F_UNSIGNED, /* unsigned */
  LADSIM__F_SIZE,     /* size_t */
  LADSIM__F_U64,      /* uint64_t */
  LADSIM__F_NAME,     /* char[LADSIM_NAME_MAX] */
  LADSIM__F_PATH      /* malloc'd char *, relative to the model file */
} ladsim__field_kind;

/* Range and rule flags of a field. */
enum {
  LADSIM__GE = 1 << 0,        /* value >= lo */
  LADSIM__GT = 1 << 1,        /* value > lo */
  LADSIM__LE = 1 << 2,        /* value <= hi */
  LADSIM__LT = 1 << 3,        /* value < hi */
  LADSIM__REQUIRED = 1 << 4,  /* the key must be present in its mapping */
  LADSIM__MULTIPLE = 1 << 5,  /* an integer multiple of the resolution */
  LADSIM__MIN_RES = 1 << 6    /* at least the resolution */
};

typedef struct ladsim__field ladsim__field;

/* Reads value v (NULL when the key is absent: fill the default) of field f
 * into base; path names the key in messages, at is where v or its mapping is. */
typedef ladsim_status (*ladsim__read_fn)(ladsim__reader *r,
                                         const ladsim__field *f,
                                         const ladsim__node *v,
                                         const ladsim__pos *at,
                                         const char *path, void *base);

/* Writes "lead key: value" (and nested lines at indent + 2). */
typedef void (*ladsim__write_fn)(FILE *out, const ladsim__field *f,
                                 const void *base, const char *lead,
                                 int indent);

/* One key of a mapping: a row of the schema. Tables end with key == NULL. */
struct ladsim__field {
  const char *key;
  ladsim__field_kind kind;
  size_t offset;                  /* of the member, from the table's base */
  ladsim__dim dim;                /* quantities */
  double def;                     /* default of numbers, bools and enums */
  const char *def_text;           /* default of names */
  double lo, hi;                  /* range, as selected by flags */
  unsigned flags;
  const char *const *names;       /* enum names, in enum order, NULL-ended */
  const char *const *unsupported; /* names known but not supported yet */
  const ladsim__field *sub;       /* sections */
  ladsim__read_fn read;           /* custom fields */
  ladsim__write_fn write;
  ladsim__read_fn check;          /* run after the value or default is read,
                                     for rules that involve other keys */
  const char *example;            /* for "missing required key" messages */
  unsigned only;                  /* a bit set of variants using the key
                                     (0: every variant) */
};

/* Shorthand for the first members of a table row. */
#define LADSIM__FIELD(k, knd, type, member)                                  \
  .key = (k), .kind = (knd), .offset = offsetof(type, member)

/* Formats "name:line:col: path: message" (or "--set text: path: message")
 * and passes it through LADSIM_ERROR with LADSIM_ECONFIG. */
ladsim_status ladsim__config_error(const char *name, const ladsim__pos *at,
                                   const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* parent.key into out (just key when parent is empty). */
const char *ladsim__path_join(char *out, const char *parent, const char *key);

/* The candidate closest to word by edit distance, if close enough; else NULL. */
const char *ladsim__closest(const char *word, const char *const *candidates,
                            size_t n);

/* Checks that map is a mapping (a null counts as empty) without duplicate
 * keys, each key one of known[0..n); names the closest known key. */
ladsim_status ladsim__check_keys(const ladsim__reader *r,
                                 const ladsim__node *map, const char *path,
                                 const char *const *known, size_t n);

/* Reads mapping map (NULL or null: all defaults) into base by the table. */
ladsim_status ladsim__read_fields(ladsim__reader *r, const ladsim__field *table,
                                  const ladsim__node *map, const ladsim__pos *at,
                                  const char *path, void *base);

/* Reads value v of one field (NULL: its default) into base, then runs its
 * check; custom fields use it to read the plain values they are made of. */
ladsim_status ladsim__read_field(ladsim__reader *r, const ladsim__field *f,
                                 const ladsim__node *v, const ladsim__pos *at,
                                 const char *path, void *base);

/* Reads the enum key of mapping map by its row in table (the default when
 * the key is absent or map is not a mapping: read_fields reports that),
 * the variant that decides which other keys of map apply; *foreign is the
 * first key of another variant (NULL if none) and *row its row. */
ladsim_status ladsim__read_variant(const ladsim__reader *r,
                                   const ladsim__field *table,
                                   const ladsim__node *map, const char *key,
                                   const char *path, int *variant,
                                   const ladsim__entry **foreign,
                                   const ladsim__field **row);

/* The first entry of map whose row in table has an .only without bit (a
 * key of another variant), with that row in *row; NULL if there is none. */
const ladsim__entry *ladsim__foreign_entry(const ladsim__field *table,
                                           const ladsim__node *map,
                                           unsigned bit,
                                           const ladsim__field **row);

/* Where the value at path a.b.c is written in the tree, or NULL. */
const ladsim__pos *ladsim__position_of(const ladsim__node *root,
                                       const char *path);

/* Reads one scalar as a finite number without unit. */
ladsim_status ladsim__read_real(const ladsim__reader *r, const ladsim__node *v,
                                const char *path, double *out);

/* Reads a scalar v as one of f->names (the index into *out). */
ladsim_status ladsim__read_enum(const ladsim__reader *r, const ladsim__field *f,
                                const ladsim__node *v, const char *path,
                                int *out);

/* Requires v to be a non-null scalar; "what" describes the expected value. */
ladsim_status ladsim__expect_scalar(const ladsim__reader *r,
                                    const ladsim__node *v, const char *path,
                                    const char *what);

/* Checks that a time is an integer multiple of the resolution; v is the
 * value as written, or NULL for a default (then at is used). */
ladsim_status ladsim__check_multiple(const ladsim__reader *r,
                                     const ladsim__node *v,
                                     const ladsim__pos *at, const char *path,
                                     double value);

/* Writes the fields of table from base, one per line; the first line gets
 * first_lead ("  - " for a list item), the others indent spaces. */
void ladsim__write_fields(FILE *out, const ladsim__field *table,
                          const void *base, const char *first_lead, int indent);

/* The same, skipping the rows whose .only leaves out variant bit. */
void ladsim__write_fields_for(FILE *out, const ladsim__field *table,
                              const void *base, unsigned bit,
                              const char *first_lead, int indent);

/* Writes one field with lead before its key. */
void ladsim__write_field(FILE *out, const ladsim__field *f, const void *base,
                         const char *lead, int indent);

/* Writes text as a YAML scalar, quoting it when it would not read back. */
void ladsim__write_text(FILE *out, const char *text);

/* The schema of the top level of a model file. */
extern const ladsim__field ladsim__model_fields[];

/* The keys of a layer's lif section (base: ladsim_lif_spec). */
extern const ladsim__field ladsim__lif_fields[];

/* Custom fields defined next to their sections. */
ladsim_status ladsim__read_layers(ladsim__reader *r, const ladsim__field *f,
                                  const ladsim__node *v, const ladsim__pos *at,
                                  const char *path, void *base);
void ladsim__write_layers(FILE *out, const ladsim__field *f, const void *base,
                          const char *lead, int indent);
ladsim_status ladsim__read_projections(ladsim__reader *r,
                                       const ladsim__field *f,
                                       const ladsim__node *v,
                                       const ladsim__pos *at, const char *path,
                                       void *base);
void ladsim__write_projections(FILE *out, const ladsim__field *f,
                               const void *base, const char *lead, int indent);
ladsim_status ladsim__read_spikes(ladsim__reader *r, const ladsim__field *f,
                                  const ladsim__node *v, const ladsim__pos *at,
                                  const char *path, void *base);
void ladsim__write_spikes(FILE *out, const ladsim__field *f, const void *base,
                          const char *lead, int indent);
ladsim_status ladsim__read_dataset(ladsim__reader *r, const ladsim__field *f,
                                   const ladsim__node *v, const ladsim__pos *at,
                                   const char *path, void *base);
void ladsim__write_dataset(FILE *out, const ladsim__field *f, const void *base,
                           const char *lead, int indent);
ladsim_status ladsim__read_target(ladsim__reader *r, const ladsim__field *f,
                                  const ladsim__node *v, const ladsim__pos *at,
                                  const char *path, void *base);
void ladsim__write_target(FILE *out, const ladsim__field *f, const void *base,
                          const char *lead, int indent);

/* Finds the layer that scalar v names (*index) and requires it to be a lif
 * layer; why ends the message when it is a layer of another neuron model. */
ladsim_status ladsim__find_lif_layer(const ladsim__reader *r,
                                     const ladsim__node *v, const char *path,
                                     const char *why, int *index);

/* Whether input.dataset is none: a model without stimulus. */
bool ladsim__no_data(const ladsim__reader *r);

/* Whether time x is shorter than time y by more than the rounding of
 * decimal inputs written in different units. */
bool ladsim__shorter(double x, double y);

/* Applies the overrides "key.path=value" to the tree under root, creating
 * the mappings a path walks into and replacing the value it ends at. */
ladsim_status ladsim__apply_overrides(ladsim__node *root,
                                      const char *const *overrides, size_t n);

#endif
