/* override.c: --set key.path=value, applied to the YAML tree before it is validated. */
#include "config.h"
#include "config/reader.h"

#include <stdlib.h>
#include <string.h>

#define MAX_PARTS 16

/* One override being applied: its text, for every message and node. */
typedef struct {
  const char *text;
  ladsim__pos pos;
  char path[LADSIM__PATH_MAX]; /* the part of the key path walked so far */
} override;

/* A null that is walked into becomes an empty mapping ("simulation:" then
 * --set simulation.seed=7). */
static void null_to_map(ladsim__node *node)
{
  if (node->kind == LADSIM__SCALAR && ladsim__node_is_null(node)) {
    free(node->text);
    node->text = NULL;
    node->kind = LADSIM__MAP;
  }
}

/* "a, b, c": the names of the items of a list of mappings. */
static void item_names(const ladsim__node *seq, char *buf, size_t len)
{
  buf[0] = '\0';
  for (size_t i = 0; i < seq->n; i++) {
    const ladsim__entry *e = ladsim__map_find(seq->items[i], "name");
    if (e != NULL && e->value->kind == LADSIM__SCALAR)
      snprintf(buf + strlen(buf), len - strlen(buf), "%s%s",
               buf[0] ? ", " : "", e->value->text);
  }
}

/* The index of the list item a key part picks: a number, or a name. */
static ladsim_status find_item(const override *o, const ladsim__node *seq,
                               const char *part, size_t *index)
{
  char names[512];
  if (part[0] != '\0' && strspn(part, "0123456789") == strlen(part)) {
    *index = strtoul(part, NULL, 10);
    if (*index < seq->n)
      return LADSIM_OK;
    return ladsim__config_error("", &o->pos, o->path, "has %zu items; pick "
                                "one by name or by an index from 0 to %zu",
                                seq->n, seq->n ? seq->n - 1 : 0);
  }
  for (*index = 0; *index < seq->n; (*index)++) {
    const ladsim__entry *e = ladsim__map_find(seq->items[*index], "name");
    if (e != NULL && e->value->kind == LADSIM__SCALAR &&
        strcmp(e->value->text, part) == 0)
      return LADSIM_OK;
  }
  item_names(seq, names, sizeof names);
  return ladsim__config_error("", &o->pos, o->path, "no item named '%s'; "
                              "the names are: %s", part,
                              names[0] ? names : "(none)");
}

/* The child of node that part names, created (as a mapping) if absent. */
static ladsim_status step(override *o, ladsim__node *node, const char *part,
                          ladsim__node **child)
{
  char seen[64];
  size_t i;
  if (node->kind == LADSIM__SEQ) {
    LADSIM_CHECK(find_item(o, node, part, &i));
    *child = node->items[i];
  } else if (node->kind == LADSIM__MAP) {
    ladsim__entry *e = ladsim__map_find(node, part);
    if (e == NULL) {
      ladsim__node *fresh = ladsim__node_new(LADSIM__MAP, o->pos);
      if (fresh == NULL)
        return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory applying --set %s",
                            o->text);
      LADSIM_CHECK(ladsim__map_put(node, part, o->pos, fresh));
      e = ladsim__map_find(node, part);
    }
    *child = e->value;
  } else {
    return ladsim__config_error("", &o->pos, o->path, "is %s, not a mapping; "
                                "set it as a whole instead, e.g. --set "
                                "%s={...}",
                                ladsim__node_describe(node, seen, sizeof seen),
                                o->path);
  }
  null_to_map(*child);
  char walked[LADSIM__PATH_MAX];
  snprintf(walked, sizeof walked, "%s", o->path);
  ladsim__path_join(o->path, walked, part);
  return LADSIM_OK;
}

/* Puts value at the last part of the key path under node. */
static ladsim_status place(override *o, ladsim__node *node, const char *part,
                           ladsim__node *value)
{
  size_t i;
  char seen[64];
  if (node->kind == LADSIM__MAP)
    return ladsim__map_put(node, part, o->pos, value);
  if (node->kind == LADSIM__SEQ) {
    ladsim_status s = find_item(o, node, part, &i);
    if (s != LADSIM_OK) {
      ladsim__node_free(value);
      return ladsim_error_trace(s, __FILE__, __LINE__);
    }
    ladsim__node_free(node->items[i]);
    node->items[i] = value;
    return LADSIM_OK;
  }
  ladsim__node_free(value);
  return ladsim__config_error("", &o->pos, o->path, "is %s, not a mapping; "
                              "set it as a whole instead",
                              ladsim__node_describe(node, seen, sizeof seen));
}

/* Splits "a.b.c" in place into at most MAX_PARTS non-empty parts. */
static ladsim_status split_key(const override *o, char *key, char **parts,
                               size_t *n)
{
  *n = 0;
  for (char *p = key;; p++) {
    char *dot = strchr(p, '.');
    if (dot != NULL)
      *dot = '\0';
    if (*p == '\0' || *n == MAX_PARTS)
      return ladsim__config_error("", &o->pos, NULL, "the key path %s; write "
                                  "keys separated by single dots, e.g. "
                                  "layers.hidden.size=256",
                                  *p ? "is too deep" : "has an empty part");
    parts[(*n)++] = p;
    if (dot == NULL)
      return LADSIM_OK;
    p = dot;
  }
}

static ladsim_status apply_one(ladsim__node *root, const char *text)
{
  override o = {.text = text, .pos = {0, 0, text}};
  const char *eq = strchr(text, '=');
  if (eq == NULL || eq == text)
    return ladsim__config_error("", &o.pos, NULL, "expected KEY.PATH=VALUE, "
                                "e.g. --set layers.hidden.size=256");
  char *key = strndup(text, (size_t)(eq - text)), *parts[MAX_PARTS];
  size_t n;
  ladsim__node *value = NULL, *node = root;
  if (key == NULL)
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory applying --set %s", text);
  ladsim_status s;
  LADSIM_CHECK_GOTO(s, split_key(&o, key, parts, &n), done);
  LADSIM_CHECK_GOTO(s, ladsim__tree_parse(eq + 1, strlen(eq + 1), "--set",
                                          text, &value), done);
  null_to_map(node);
  for (size_t i = 0; i + 1 < n; i++)
    LADSIM_CHECK_GOTO(s, step(&o, node, parts[i], &node), done);
  s = place(&o, node, parts[n - 1], value);
  value = NULL; /* place took it */
done:
  ladsim__node_free(value);
  free(key);
  return s;
}

ladsim_status ladsim__apply_overrides(ladsim__node *root,
                                      const char *const *overrides, size_t n)
{
  for (size_t i = 0; i < n; i++) {
    if (overrides[i] == NULL)
      return LADSIM_ERROR(LADSIM_EINVAL, "override %zu is NULL", i);
    LADSIM_CHECK(apply_one(root, overrides[i]));
  }
  return LADSIM_OK;
}
