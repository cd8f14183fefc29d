/* target.c: the SIGReg target of a layer: a family from the target table, or empirical samples. */
#include "config.h"
#include "config/reader.h"

#include <stdlib.h>
#include <string.h>

#define EXAMPLE "`{gaussian: {std: 1}}` or `laplace`"

/* The families a user can name: the table, then empirical. */
static size_t family_names(const char **names, size_t max)
{
  size_t n = 0;
  for (size_t i = 0; ladsim_target_types[i] != NULL && n + 1 < max; i++)
    names[n++] = ladsim_target_types[i]->name;
  names[n++] = "empirical";
  return n;
}

static ladsim_status unknown_family(const ladsim__reader *r,
                                    const ladsim__pos *at, const char *path,
                                    const char *name)
{
  const char *names[32];
  char list[512] = "";
  size_t n = family_names(names, 32);
  for (size_t i = 0; i < n; i++)
    snprintf(list + strlen(list), sizeof list - strlen(list), "%s%s",
             i ? ", " : "", names[i]);
  const char *near = ladsim__closest(name, names, n);
  if (near != NULL)
    return ladsim__config_error(r->name, at, path, "'%s' is not a target "
                                "family; did you mean '%s'? (one of: %s)",
                                name, near, list);
  return ladsim__config_error(r->name, at, path, "'%s' is not a target "
                              "family; use one of: %s", name, list);
}

/* Reads the parameters of type from mapping pv (absent ones keep their
 * defaults) and checks them with the family's own rule. */
static ladsim_status read_params(ladsim__reader *r,
                                 const ladsim_target_type *type,
                                 const ladsim__node *pv, const ladsim__pos *at,
                                 const char *path, ladsim_target *t)
{
  char sub[LADSIM__PATH_MAX], why[160];
  LADSIM_CHECK(ladsim__check_keys(r, pv, path, type->param_names,
                                  type->n_params));
  for (size_t k = 0; k < type->n_params; k++) {
    const ladsim__entry *e = ladsim__map_find(pv, type->param_names[k]);
    t->p[k] = type->param_defaults[k];
    if (e != NULL)
      LADSIM_CHECK(ladsim__read_real(r, e->value, ladsim__path_join(
                                         sub, path, e->key), &t->p[k]));
  }
  if (!type->valid(t->p, why, sizeof why))
    return ladsim__config_error(r->name, pv ? &pv->pos : at, path, "%s; "
                                "change the parameters of %s", why,
                                type->name);
  t->type = type;
  return LADSIM_OK;
}

/* Reads {samples: [x1, x2, ...]} into a new array owned by t. */
static ladsim_status read_empirical(ladsim__reader *r, const ladsim__node *pv,
                                    const ladsim__pos *at, const char *path,
                                    ladsim_target *t)
{
  static const char *const keys[] = {"samples"};
  char sub[LADSIM__PATH_MAX], item[LADSIM__PATH_MAX + 24], seen[64];
  LADSIM_CHECK(ladsim__check_keys(r, pv, path, keys, 1));
  const ladsim__entry *e = ladsim__map_find(pv, "samples");
  if (e == NULL)
    return ladsim__config_error(r->name, pv ? &pv->pos : at, path, "missing "
                                "required key 'samples'; add e.g. `samples: "
                                "[0.1, 0.5, 0.9]`");
  const ladsim__node *s = e->value;
  ladsim__path_join(sub, path, "samples");
  if (s == NULL || s->kind != LADSIM__SEQ || s->n < 2)
    return ladsim__config_error(r->name, s ? &s->pos : &e->pos, sub,
                                "expected a list of at least 2 numbers, found "
                                "%s; write e.g. `[0.1, 0.5, 0.9]`",
                                s && s->kind == LADSIM__SEQ
                                    ? "fewer"
                                    : ladsim__node_describe(s, seen,
                                                            sizeof seen));
  double *x = malloc(s->n * sizeof *x);
  if (x == NULL)
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory reading %s", sub);
  for (size_t i = 0; i < s->n; i++) {
    snprintf(item, sizeof item, "%s[%zu]", sub, i);
    ladsim_status st = ladsim__read_real(r, s->items[i], item, &x[i]);
    if (st != LADSIM_OK) {
      free(x);
      return ladsim_error_trace(st, __FILE__, __LINE__);
    }
  }
  free(t->samples);
  t->type = NULL;
  t->samples = x;
  t->n_samples = s->n;
  return LADSIM_OK;
}

/* Reads family name with parameters pv (NULL: all defaults). */
static ladsim_status read_family(ladsim__reader *r, const char *name,
                                 const ladsim__pos *name_at,
                                 const ladsim__node *pv, const char *path,
                                 ladsim_target *t)
{
  char sub[LADSIM__PATH_MAX];
  ladsim__path_join(sub, path, name);
  if (strcmp(name, "empirical") == 0)
    return read_empirical(r, pv, name_at, sub, t);
  const ladsim_target_type *type = ladsim_target_type_find(name);
  if (type == NULL)
    return unknown_family(r, name_at, path, name);
  return read_params(r, type, pv, name_at, sub, t);
}

ladsim_status ladsim__read_target(ladsim__reader *r, const ladsim__field *f,
                                  const ladsim__node *v, const ladsim__pos *at,
                                  const char *path, void *base)
{
  ladsim_target *t = (ladsim_target *)((char *)base + f->offset);
  if (v == NULL)
    return read_params(r, ladsim_target_exponential, NULL, at, path, t);
  if (v->kind == LADSIM__SCALAR || ladsim__node_is_null(v)) {
    LADSIM_CHECK(ladsim__expect_scalar(r, v, path, "a target such as "
                                       EXAMPLE));
    return read_family(r, v->text, &v->pos, NULL, path, t);
  }
  if (v->kind != LADSIM__MAP || v->n != 1) {
    char seen[64];
    if (v->kind == LADSIM__MAP)
      snprintf(seen, sizeof seen, "%zu keys", v->n);
    return ladsim__config_error(r->name, &v->pos, path, "expected one target "
                                "family with its parameters, found %s; write "
                                "e.g. " EXAMPLE, v->kind == LADSIM__SEQ
                                                     ? "a list" : seen);
  }
  const ladsim__entry *e = &v->entries[0];
  return read_family(r, e->key, &e->pos, e->value, path, t);
}

void ladsim__write_target(FILE *out, const ladsim__field *f, const void *base,
                          const char *lead, int indent)
{
  (void)indent;
  const ladsim_target *t = (const ladsim_target *)((const char *)base +
                                                   f->offset);
  char num[40];
  fprintf(out, "%s%s: {%s: {", lead, f->key,
          t->type ? t->type->name : "empirical");
  if (t->type == NULL) {
    fputs("samples: [", out);
    for (size_t i = 0; i < t->n_samples; i++) {
      ladsim__double_format(t->samples[i], num, sizeof num);
      fprintf(out, "%s%s", i ? ", " : "", num);
    }
    fputc(']', out);
  }
  for (size_t k = 0; t->type != NULL && k < t->type->n_params; k++) {
    ladsim__double_format(t->p[k], num, sizeof num);
    fprintf(out, "%s%s: %s", k ? ", " : "", t->type->param_names[k], num);
  }
  fputs("}}\n", out);
}
