/* diag.c: model-file messages: positions, key paths, duplicate and unknown keys. */
#include "config.h"
#include "config/reader.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#define MESSAGE_MAX 1536

/* Edit distance with adjacent transpositions counted as one edit, so "tua"
 * is one edit from "tau". Keys are short; longer words are never close. */
static size_t edit_distance(const char *a, const char *b)
{
  enum { W = 40 };
  size_t la = strlen(a), lb = strlen(b);
  if (la >= W || lb >= W)
    return (size_t)-1;
  size_t d[W][W];
  for (size_t i = 0; i <= la; i++)
    d[i][0] = i;
  for (size_t j = 0; j <= lb; j++)
    d[0][j] = j;
  for (size_t i = 1; i <= la; i++)
    for (size_t j = 1; j <= lb; j++) {
      size_t cost = a[i - 1] != b[j - 1];
      size_t best = d[i - 1][j - 1] + cost;
      if (d[i - 1][j] + 1 < best)
        best = d[i - 1][j] + 1;
      if (d[i][j - 1] + 1 < best)
        best = d[i][j - 1] + 1;
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
          d[i - 2][j - 2] + 1 < best)
        best = d[i - 2][j - 2] + 1;
      d[i][j] = best;
    }
  return d[la][lb];
}

/* "a, b, c" into out. */
static void join_list(char *out, size_t len, const char *const *words,
                      size_t n)
{
  size_t used = 0;
  out[0] = '\0';
  for (size_t i = 0; i < n && used < len; i++) {
    int k = snprintf(out + used, len - used, "%s%s", i ? ", " : "", words[i]);
    if (k < 0)
      break;
    used += (size_t)k;
  }
}

static ladsim_status unknown_key(const ladsim__reader *r, const ladsim__entry *e,
                                 const char *path, const char *const *known,
                                 size_t n)
{
  char at[LADSIM__PATH_MAX];
  ladsim__path_join(at, path, e->key);
  const char *near = ladsim__closest(e->key, known, n);
  if (near != NULL)
    return ladsim__config_error(r->name, &e->pos, at, "unknown key '%s'; did "
                                "you mean '%s'?", e->key, near);
  char list[512];
  join_list(list, sizeof list, known, n);
  if (n == 0)
    return ladsim__config_error(r->name, &e->pos, at, "unknown key '%s'; "
                                "nothing can be set here", e->key);
  return ladsim__config_error(r->name, &e->pos, at, "unknown key '%s'; the "
                              "keys allowed here are: %s", e->key, list);
}

static ladsim_status duplicate_key(const ladsim__reader *r,
                                   const ladsim__entry *first,
                                   const ladsim__entry *again, const char *path)
{
  char at[LADSIM__PATH_MAX];
  ladsim__path_join(at, path, again->key);
  if (first->pos.origin == NULL)
    return ladsim__config_error(r->name, &again->pos, at, "duplicate key "
                                "'%s' (first at line %d); keep only one",
                                again->key, first->pos.line);
  return ladsim__config_error(r->name, &again->pos, at, "duplicate key '%s'; "
                              "keep only one", again->key);
}

ladsim_status ladsim__config_error(const char *name, const ladsim__pos *at,
                                   const char *path, const char *fmt, ...)
{
  char msg[MESSAGE_MAX], where[MESSAGE_MAX / 2];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (at->origin != NULL)
    snprintf(where, sizeof where, "--set %s", at->origin);
  else
    snprintf(where, sizeof where, "%s:%d:%d", name, at->line, at->col);
  if (path == NULL || path[0] == '\0')
    return LADSIM_ERROR(LADSIM_ECONFIG, "%s: %s", where, msg);
  return LADSIM_ERROR(LADSIM_ECONFIG, "%s: %s: %s", where, path, msg);
}

const char *ladsim__path_join(char *out, const char *parent, const char *key)
{
  if (parent == NULL || parent[0] == '\0')
    snprintf(out, LADSIM__PATH_MAX, "%s", key);
  else
    snprintf(out, LADSIM__PATH_MAX, "%s.%s", parent, key);
  return out;
}

const char *ladsim__closest(const char *word, const char *const *candidates,
                            size_t n)
{
  /* Close enough: at most two edits, and fewer edits than the word is long
   * (otherwise "ab" would suggest any two-letter key). */
  size_t limit = strlen(word) <= 3 ? 1 : 2;
  const char *best = NULL;
  size_t best_d = limit + 1;
  for (size_t i = 0; i < n; i++) {
    size_t d = edit_distance(word, candidates[i]);
    if (d < best_d) {
      best_d = d;
      best = candidates[i];
    }
  }
  return best;
}

ladsim_status ladsim__check_keys(const ladsim__reader *r,
                                 const ladsim__node *map, const char *path,
                                 const char *const *known,
                                 size_t n)
{
  if (ladsim__node_is_null(map))
    return LADSIM_OK;
  if (map->kind != LADSIM__MAP) {
    char seen[256];
    return ladsim__config_error(r->name, &map->pos, path, "expected a mapping of "
                                "keys, found %s; write key: value lines "
                                "indented under it",
                                ladsim__node_describe(map, seen, sizeof seen));
  }
  for (size_t i = 0; i < map->n; i++) {
    const ladsim__entry *e = &map->entries[i];
    for (size_t j = 0; j < i; j++)
      if (strcmp(map->entries[j].key, e->key) == 0)
        return duplicate_key(r, &map->entries[j], e, path);
    bool found = false;
    for (size_t k = 0; k < n && !found; k++)
      found = strcmp(known[k], e->key) == 0;
    if (!found)
      return unknown_key(r, e, path, known, n);
  }
  return LADSIM_OK;
}

const ladsim__pos *ladsim__position_of(const ladsim__node *root,
                                       const char *path)
{
  char key[LADSIM__PATH_MAX];
  const ladsim__node *node = root;
  for (const char *p = path; node != NULL;) {
    size_t len = strcspn(p, ".");
    snprintf(key, sizeof key, "%.*s", (int)len, p);
    const ladsim__entry *e = ladsim__map_find(node, key);
    if (e == NULL)
      return NULL;
    if (p[len] == '\0')
      return &e->value->pos;
    node = e->value;
    p += len + 1;
  }
  return NULL;
}
