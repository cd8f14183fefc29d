/* schema.c: reads and writes mappings by their field tables: types, units, defaults and ranges. */
#include "config.h"
#include "config/reader.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* More keys than any mapping of the schema has. */
#define MAX_KEYS 32

/* Relative tolerance when asking whether a time is a multiple of the
 * resolution: well above the rounding of decimal inputs (0.7 / 0.1 is
 * 6.999999999999999), well below any mismatch a user means. */
#define MULTIPLE_TOL 1e-11

static void *member(void *base, const ladsim__field *f)
{
  return (char *)base + f->offset;
}

static size_t table_keys(const ladsim__field *table, const char **keys)
{
  size_t n = 0;
  for (const ladsim__field *f = table; f->key != NULL && n < MAX_KEYS; f++)
    keys[n++] = f->key;
  return n;
}

static size_t count_names(const char *const *names)
{
  size_t n = 0;
  while (names != NULL && names[n] != NULL)
    n++;
  return n;
}

/* A bound for messages, with the unit for quantities. */
static void bound_text(const ladsim__field *f, double x, char *buf, size_t len)
{
  if (f->kind == LADSIM__F_QUANTITY)
    ladsim__quantity_format(x, f->dim, buf, len);
  else
    ladsim__double_format(x, buf, len);
}

/* "> 0 ms", "between 1 and 64", ">= 0 and < 0.5". */
static void range_text(const ladsim__field *f, char *buf, size_t len)
{
  char lo[48], hi[48], lo_part[64] = "", hi_part[64] = "";
  bound_text(f, f->lo, lo, sizeof lo);
  bound_text(f, f->hi, hi, sizeof hi);
  if ((f->flags & LADSIM__GE) && (f->flags & LADSIM__LE)) {
    snprintf(buf, len, "between %s and %s", lo, hi);
    return;
  }
  if (f->flags & (LADSIM__GE | LADSIM__GT))
    snprintf(lo_part, sizeof lo_part, "%s %s",
             (f->flags & LADSIM__GE) ? ">=" : ">", lo);
  if (f->flags & (LADSIM__LE | LADSIM__LT))
    snprintf(hi_part, sizeof hi_part, "%s %s",
             (f->flags & LADSIM__LE) ? "<=" : "<", hi);
  snprintf(buf, len, "%s%s%s", lo_part, lo_part[0] && hi_part[0] ? " and " : "",
           hi_part);
}

static bool in_range(const ladsim__field *f, double x)
{
  return !((f->flags & LADSIM__GE) && !(x >= f->lo)) &&
         !((f->flags & LADSIM__GT) && !(x > f->lo)) &&
         !((f->flags & LADSIM__LE) && !(x <= f->hi)) &&
         !((f->flags & LADSIM__LT) && !(x < f->hi));
}

static ladsim_status check_range(const ladsim__reader *r,
                                 const ladsim__field *f, const ladsim__node *v,
                                 const char *path, double x)
{
  if (in_range(f, x))
    return LADSIM_OK;
  char range[160];
  range_text(f, range, sizeof range);
  return ladsim__config_error(r->name, &v->pos, path, "'%s' is out of range; "
                              "it must be %s", v->text, range);
}

/* "one of: a, b, c" for the names of an enum field. */
static const char *one_of(const ladsim__field *f, char *buf, size_t len)
{
  snprintf(buf, len, "one of: ");
  for (size_t i = 0; f->names[i] != NULL; i++)
    snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", i ? ", " : "",
             f->names[i]);
  return buf;
}

/* What a field takes, for "expected ..." messages. */
static const char *expected_text(const ladsim__field *f, char *buf, size_t len)
{
  switch (f->kind) {
  case LADSIM__F_BOOL: return "true or false";
  case LADSIM__F_REAL: return "a number";
  case LADSIM__F_UNSIGNED: case LADSIM__F_SIZE: case LADSIM__F_U64:
    return "a whole number";
  case LADSIM__F_NAME: return "a name";
  case LADSIM__F_PATH: return "a file path";
  case LADSIM__F_QUANTITY:
    snprintf(buf, len, "a %s such as `%s`", ladsim__dim_name(f->dim),
             ladsim__dim_example(f->dim));
    return buf;
  case LADSIM__F_ENUM: return one_of(f, buf, len);
  default: return "a value";
  }
}

/* x rounded to 12 significant digits: k * 0.3 is suggested as 0.9, not as
 * 0.8999999999999999, which the user would then type back. */
static double tidy(double x)
{
  char buf[32];
  snprintf(buf, sizeof buf, "%.12g", x);
  return strtod(buf, NULL);
}

static ladsim_status read_bool(const ladsim__reader *r, const ladsim__node *v,
                               const char *path, bool *out)
{
  if (strcmp(v->text, "true") == 0 || strcmp(v->text, "false") == 0) {
    *out = v->text[0] == 't';
    return LADSIM_OK;
  }
  return ladsim__config_error(r->name, &v->pos, path, "'%s' is not a boolean; "
                              "write true or false", v->text);
}

/* Reads an optionally signed decimal integer; *neg tells the sign and
 * *overflow that the digits do not fit 64 bits. */
static bool parse_integer(const char *text, bool *neg, bool *overflow,
                          uint64_t *out)
{
  const char *p = text;
  *neg = *p == '-';
  *overflow = false;
  if (*p == '-' || *p == '+')
    p++;
  if (*p == '\0' || strspn(p, "0123456789") != strlen(p))
    return false;
  errno = 0;
  unsigned long long x = strtoull(p, NULL, 10);
  *overflow = errno == ERANGE || x > UINT64_MAX;
  *out = (uint64_t)x;
  return !*overflow;
}

static ladsim_status read_integer(const ladsim__reader *r,
                                  const ladsim__field *f, const ladsim__node *v,
                                  const char *path, uint64_t *out)
{
  bool neg, overflow;
  double x;
  const char *rest;
  if (!parse_integer(v->text, &neg, &overflow, out)) {
    if (overflow) {
      /* A key with a range says its range (too large for 64 bits is also
       * out of it), not the largest number the parser could hold. */
      double huge = neg ? -HUGE_VAL : HUGE_VAL;
      LADSIM_CHECK(check_range(r, f, v, path, huge));
      return ladsim__config_error(r->name, &v->pos, path, "'%s' is too large; "
                                  "the largest whole number here is %" PRIu64,
                                  v->text, UINT64_MAX);
    }
    if (ladsim__number_scan(v->text, &x, &rest) && *rest == '\0')
      return ladsim__config_error(r->name, &v->pos, path, "'%s' is not a "
                                  "whole number; this key counts something, "
                                  "write an integer", v->text);
    return ladsim__config_error(r->name, &v->pos, path, "'%s' is not a whole "
                                "number; write an integer without unit or "
                                "quotes", v->text);
  }
  double value = neg ? -(double)*out : (double)*out;
  /* The integer members are unsigned: a negative never fits, range or not. */
  if (neg && *out != 0 && in_range(f, value))
    return ladsim__config_error(r->name, &v->pos, path, "'%s' is out of "
                                "range; it must be >= 0", v->text);
  return check_range(r, f, v, path, value);
}

static ladsim_status read_quantity(const ladsim__reader *r,
                                   const ladsim__field *f,
                                   const ladsim__node *v, const char *path,
                                   double *out)
{
  const char *dim = ladsim__dim_name(f->dim);
  switch (ladsim__quantity_parse(v->text, f->dim, out)) {
  case LADSIM__QTY_OK:
    return check_range(r, f, v, path, *out);
  case LADSIM__QTY_NO_UNIT:
    return ladsim__config_error(r->name, &v->pos, path, "'%s' needs a unit, "
                                "e.g. `%s` (use %s)", v->text,
                                ladsim__dim_example(f->dim),
                                ladsim__dim_units(f->dim));
  case LADSIM__QTY_BAD_UNIT:
    return ladsim__config_error(r->name, &v->pos, path, "'%s' is not a %s; "
                                "use %s", v->text, dim,
                                ladsim__dim_units(f->dim));
  case LADSIM__QTY_NOT_NUMBER:
    break;
  }
  return ladsim__config_error(r->name, &v->pos, path, "'%s' is not a %s; "
                              "write a number and a unit, e.g. `%s`", v->text,
                              dim, ladsim__dim_example(f->dim));
}

static ladsim_status read_path(const ladsim__reader *r, const ladsim__node *v,
                               const char *path_key, char **out)
{
  char *path;
  int k;
  if (v->text[0] == '\0')
    return ladsim__config_error(r->name, &v->pos, path_key, "is empty; write "
                                "the path of a file");
  if (v->text[0] == '/' || r->base_dir == NULL)
    k = (path = strdup(v->text)) != NULL ? 0 : -1;
  else
    k = asprintf(&path, "%s/%s", r->base_dir, v->text);
  if (k < 0)
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory reading a path");
  free(*out);
  *out = path;
  return LADSIM_OK;
}

static ladsim_status read_name(const ladsim__reader *r, const ladsim__node *v,
                               const char *path, char *out)
{
  if (v->text[0] == '\0')
    return ladsim__config_error(r->name, &v->pos, path, "is empty; write a "
                                "name");
  if (strlen(v->text) >= LADSIM_NAME_MAX)
    return ladsim__config_error(r->name, &v->pos, path, "'%s' is too long; "
                                "use at most %d characters", v->text,
                                LADSIM_NAME_MAX - 1);
  strcpy(out, v->text);
  return LADSIM_OK;
}

/* Checks the rules of times that the event loop relies on. */
static ladsim_status check_time_rules(const ladsim__reader *r,
                                      const ladsim__field *f,
                                      const ladsim__node *v,
                                      const ladsim__pos *at, const char *path,
                                      double x)
{
  double h = r->model->simulation.resolution;
  if ((f->flags & LADSIM__MIN_RES) && ladsim__shorter(x, h)) {
    char hs[48], xs[48];
    ladsim__quantity_format(h, LADSIM__DIM_TIME, hs, sizeof hs);
    ladsim__quantity_format(x, LADSIM__DIM_TIME, xs, sizeof xs);
    return ladsim__config_error(r->name, v ? &v->pos : at, path, "%s%s is "
                                "shorter than simulation.resolution (%s); use "
                                "at least %s", v ? "" : "the default ", xs, hs,
                                hs);
  }
  if (f->flags & LADSIM__MULTIPLE)
    return ladsim__check_multiple(r, v, at, path, x);
  return LADSIM_OK;
}

static ladsim_status read_scalar(ladsim__reader *r, const ladsim__field *f,
                                 const ladsim__node *v, const ladsim__pos *at,
                                 const char *path, void *base)
{
  char what[300];
  uint64_t u;
  void *m = member(base, f);
  LADSIM_CHECK(ladsim__expect_scalar(r, v, path,
                                     expected_text(f, what, sizeof what)));
  switch (f->kind) {
  case LADSIM__F_BOOL: return read_bool(r, v, path, m);
  case LADSIM__F_ENUM: return ladsim__read_enum(r, f, v, path, m);
  case LADSIM__F_REAL:
    LADSIM_CHECK(ladsim__read_real(r, v, path, m));
    return check_range(r, f, v, path, *(double *)m);
  case LADSIM__F_QUANTITY:
    LADSIM_CHECK(read_quantity(r, f, v, path, m));
    return check_time_rules(r, f, v, at, path, *(double *)m);
  case LADSIM__F_UNSIGNED:
    LADSIM_CHECK(read_integer(r, f, v, path, &u));
    *(unsigned *)m = (unsigned)u;
    return LADSIM_OK;
  case LADSIM__F_SIZE:
    LADSIM_CHECK(read_integer(r, f, v, path, &u));
    *(size_t *)m = (size_t)u;
    return LADSIM_OK;
  case LADSIM__F_U64: return read_integer(r, f, v, path, m);
  case LADSIM__F_NAME: return read_name(r, v, path, m);
  case LADSIM__F_PATH: return read_path(r, v, path, m);
  default: break;
  }
  return LADSIM_ERROR(LADSIM_EINTERNAL, "%s: field kind %d is not a scalar",
                      path, (int)f->kind);
}

/* Fills the default of a scalar field; defaults obey the same time rules. */
static ladsim_status fill_default(ladsim__reader *r, const ladsim__field *f,
                                  const ladsim__pos *at, const char *path,
                                  void *base)
{
  void *m = member(base, f);
  switch (f->kind) {
  case LADSIM__F_BOOL: *(bool *)m = f->def != 0.0; break;
  case LADSIM__F_ENUM: *(int *)m = (int)f->def; break;
  case LADSIM__F_REAL: *(double *)m = f->def; break;
  case LADSIM__F_QUANTITY:
    *(double *)m = f->def;
    return check_time_rules(r, f, NULL, at, path, f->def);
  case LADSIM__F_UNSIGNED: *(unsigned *)m = (unsigned)f->def; break;
  case LADSIM__F_SIZE: *(size_t *)m = (size_t)f->def; break;
  case LADSIM__F_U64: *(uint64_t *)m = (uint64_t)f->def; break;
  case LADSIM__F_NAME:
    snprintf(m, LADSIM_NAME_MAX, "%s", f->def_text ? f->def_text : "");
    break;
  case LADSIM__F_PATH: break; /* NULL: the reader of the data picks */
  default: break;
  }
  return LADSIM_OK;
}


static ladsim_status missing_key(const ladsim__reader *r, const ladsim__pos *at,
                                 const char *path, const ladsim__field *f)
{
  return ladsim__config_error(r->name, at, path, "missing required key '%s'; "
                              "add it, e.g. `%s`", f->key,
                              f->example ? f->example : f->key);
}

ladsim_status ladsim__read_field(ladsim__reader *r, const ladsim__field *f,
                                 const ladsim__node *v, const ladsim__pos *at,
                                 const char *path, void *base)
{
  if (f->kind == LADSIM__F_SECTION)
    LADSIM_CHECK(ladsim__read_fields(r, f->sub, v, at, path, member(base, f)));
  else if (f->kind == LADSIM__F_CUSTOM)
    LADSIM_CHECK(f->read(r, f, v, at, path, base));
  else if (v == NULL)
    LADSIM_CHECK(fill_default(r, f, at, path, base));
  else
    LADSIM_CHECK(read_scalar(r, f, v, at, path, base));
  if (f->check != NULL)
    LADSIM_CHECK(f->check(r, f, v, at, path, base));
  return LADSIM_OK;
}

ladsim_status ladsim__read_fields(ladsim__reader *r, const ladsim__field *table,
                                  const ladsim__node *map, const ladsim__pos *at,
                                  const char *path, void *base)
{
  const char *keys[MAX_KEYS];
  size_t n = table_keys(table, keys);
  LADSIM_CHECK(ladsim__check_keys(r, map, path, keys, n));
  const ladsim__pos *here = map != NULL ? &map->pos : at;
  for (const ladsim__field *f = table; f->key != NULL; f++) {
    const ladsim__entry *e = ladsim__map_find(map, f->key);
    char sub[LADSIM__PATH_MAX];
    ladsim__path_join(sub, path, f->key);
    if (e == NULL && map != NULL && (f->flags & LADSIM__REQUIRED))
      return missing_key(r, here, path, f);
    LADSIM_CHECK(ladsim__read_field(r, f, e ? e->value : NULL,
                                    e ? &e->pos : here, sub, base));
  }
  return LADSIM_OK;
}

ladsim_status ladsim__expect_scalar(const ladsim__reader *r,
                                    const ladsim__node *v, const char *path,
                                    const char *what)
{
  char seen[64];
  if (ladsim__node_is_null(v))
    return ladsim__config_error(r->name, &v->pos, path, "has no value; write "
                                "%s", what);
  if (v->kind != LADSIM__SCALAR)
    return ladsim__config_error(r->name, &v->pos, path, "expected %s, found "
                                "%s", what,
                                ladsim__node_describe(v, seen, sizeof seen));
  return LADSIM_OK;
}

ladsim_status ladsim__read_enum(const ladsim__reader *r, const ladsim__field *f,
                                const ladsim__node *v, const char *path,
                                int *out)
{
  char list[256];
  size_t n = count_names(f->names);
  for (size_t i = 0; i < n; i++)
    if (strcmp(v->text, f->names[i]) == 0) {
      *out = (int)i;
      return LADSIM_OK;
    }
  one_of(f, list, sizeof list);
  for (size_t i = 0; f->unsupported != NULL && f->unsupported[i] != NULL; i++)
    if (strcmp(v->text, f->unsupported[i]) == 0)
      return ladsim__config_error(r->name, &v->pos, path, "'%s' is not "
                                  "supported yet; use %s", v->text, list);
  const char *near = ladsim__closest(v->text, f->names, n);
  if (near != NULL)
    return ladsim__config_error(r->name, &v->pos, path, "'%s' is not allowed; "
                                "did you mean '%s'? (%s)", v->text, near, list);
  return ladsim__config_error(r->name, &v->pos, path, "'%s' is not allowed; "
                              "use %s", v->text, list);
}

ladsim_status ladsim__read_real(const ladsim__reader *r, const ladsim__node *v,
                                const char *path, double *out)
{
  const char *rest;
  LADSIM_CHECK(ladsim__expect_scalar(r, v, path, "a number"));
  if (ladsim__number_scan(v->text, out, &rest) && *rest == '\0')
    return LADSIM_OK;
  if (ladsim__number_scan(v->text, out, &rest))
    return ladsim__config_error(r->name, &v->pos, path, "'%s' is not a plain "
                                "number; this key has no unit, write just the "
                                "number", v->text);
  return ladsim__config_error(r->name, &v->pos, path, "'%s' is not a number; "
                              "write a finite decimal number such as 0.5",
                              v->text);
}

ladsim_status ladsim__check_multiple(const ladsim__reader *r,
                                     const ladsim__node *v,
                                     const ladsim__pos *at, const char *path,
                                     double value)
{
  double h = r->model->simulation.resolution;
  double q = value / h, k = nearbyint(q);
  if (fabs(q - k) <= MULTIPLE_TOL * fmax(1.0, fabs(k)))
    return LADSIM_OK;
  char hs[48], xs[48], below[48], above[48];
  ladsim__quantity_format(h, LADSIM__DIM_TIME, hs, sizeof hs);
  ladsim__quantity_format(value, LADSIM__DIM_TIME, xs, sizeof xs);
  ladsim__quantity_format(tidy(floor(q) * h), LADSIM__DIM_TIME, below,
                          sizeof below);
  ladsim__quantity_format(tidy(ceil(q) * h), LADSIM__DIM_TIME, above,
                          sizeof above);
  return ladsim__config_error(r->name, v ? &v->pos : at, path, "%s%s is not "
                              "a multiple of simulation.resolution (%s); the "
                              "nearest multiples are %s and %s",
                              v ? "" : "the default ", xs, hs, below, above);
}

ladsim_status ladsim__read_variant(const ladsim__reader *r,
                                   const ladsim__field *table,
                                   const ladsim__node *map, const char *key,
                                   const char *path, int *variant,
                                   const ladsim__entry **foreign,
                                   const ladsim__field **row)
{
  const ladsim__field *f = table;
  while (strcmp(f->key, key) != 0)
    f++;
  const ladsim__entry *e = ladsim__map_find(map, key);
  *variant = (int)f->def;
  if (e != NULL) {
    char sub[LADSIM__PATH_MAX], what[256];
    ladsim__path_join(sub, path, key);
    LADSIM_CHECK(ladsim__expect_scalar(r, e->value, sub,
                                       one_of(f, what, sizeof what)));
    LADSIM_CHECK(ladsim__read_enum(r, f, e->value, sub, variant));
  }
  *foreign = ladsim__foreign_entry(table, map, 1u << *variant, row);
  return LADSIM_OK;
}

const ladsim__entry *ladsim__foreign_entry(const ladsim__field *table,
                                           const ladsim__node *map,
                                           unsigned bit,
                                           const ladsim__field **row)
{
  for (size_t i = 0; map != NULL && map->kind == LADSIM__MAP && i < map->n;
       i++)
    for (const ladsim__field *f = table; f->key != NULL; f++)
      if (strcmp(f->key, map->entries[i].key) == 0 && f->only != 0 &&
          !(f->only & bit)) {
        *row = f;
        return &map->entries[i];
      }
  return NULL;
}

bool ladsim__shorter(double x, double y)
{
  return x < y * (1.0 - MULTIPLE_TOL);
}
