/* yaml_tree.c: builds a node tree from libyaml events, keeping each node's line and column. */
#include "config.h"
#include "config/yaml_tree.h"
#include "config/reader.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* Deeper nesting than any model needs; the limit keeps a hostile file from
 * exhausting the stack of the recursive builder. */
#define MAX_DEPTH 64

typedef struct {
  yaml_parser_t parser;
  const char *text;
  size_t len;
  const char *name;
  const char *origin;
} builder;

static ladsim__pos mark_pos(const builder *b, yaml_mark_t mark)
{
  ladsim__pos pos = {(int)mark.line + 1, (int)mark.column + 1, b->origin};
  return pos;
}

/* The position of a byte offset, for reader errors that carry no mark. */
static ladsim__pos offset_pos(const builder *b, size_t offset)
{
  ladsim__pos pos = {1, 1, b->origin};
  for (size_t i = 0; i < offset && i < b->len; i++) {
    if (b->text[i] == '\n') {
      pos.line++;
      pos.col = 1;
    } else {
      pos.col++;
    }
  }
  return pos;
}

static ladsim_status syntax_error(builder *b)
{
  const yaml_parser_t *p = &b->parser;
  ladsim__pos pos;
  if (p->error == YAML_MEMORY_ERROR)
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory while reading %s",
                        b->name);
  if (p->error == YAML_READER_ERROR) {
    pos = offset_pos(b, p->problem_offset);
    return ladsim__config_error(b->name, &pos, NULL, "%s; save the file as "
                                "UTF-8 text", p->problem);
  }
  pos = mark_pos(b, p->problem_mark);
  if (p->context != NULL)
    return ladsim__config_error(b->name, &pos, NULL, "YAML syntax error: %s "
                                "(%s at line %zu); check the indentation, "
                                "colons and quotes", p->problem, p->context,
                                p->context_mark.line + 1);
  return ladsim__config_error(b->name, &pos, NULL, "YAML syntax error: %s; "
                              "check the indentation, colons and quotes",
                              p->problem);
}

static ladsim_status next_event(builder *b, yaml_event_t *ev)
{
  if (!yaml_parser_parse(&b->parser, ev))
    return syntax_error(b);
  return LADSIM_OK;
}

static ladsim_status grow(ladsim__node *node)
{
  size_t cap = node->cap ? 2 * node->cap : 4;
  if (node->kind == LADSIM__MAP) {
    ladsim__entry *e = realloc(node->entries, cap * sizeof *e);
    if (e == NULL)
      return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory reading the model");
    node->entries = e;
  } else {
    ladsim__node **items = realloc(node->items, cap * sizeof *items);
    if (items == NULL)
      return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory reading the model");
    node->items = items;
  }
  node->cap = cap;
  return LADSIM_OK;
}

static ladsim_status scalar_node(builder *b, const yaml_event_t *ev,
                                 ladsim__node **out)
{
  ladsim__node *node = ladsim__node_new(LADSIM__SCALAR,
                                        mark_pos(b, ev->start_mark));
  if (node == NULL)
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory reading the model");
  node->text = strndup((const char *)ev->data.scalar.value,
                       ev->data.scalar.length);
  node->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
  if (node->text == NULL) {
    ladsim__node_free(node);
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory reading the model");
  }
  *out = node;
  return LADSIM_OK;
}

static ladsim_status build(builder *b, const yaml_event_t *start, int depth,
                           ladsim__node **out);

/* Reads key: value pairs up to the end of the mapping into node. */
static ladsim_status build_entries(builder *b, ladsim__node *node, int depth)
{
  for (;;) {
    yaml_event_t key;
    LADSIM_CHECK(next_event(b, &key));
    if (key.type == YAML_MAPPING_END_EVENT) {
      yaml_event_delete(&key);
      return LADSIM_OK;
    }
    if (node->n == node->cap && grow(node) != LADSIM_OK) {
      yaml_event_delete(&key);
      return LADSIM_ENOMEM;
    }
    ladsim__entry *e = &node->entries[node->n];
    memset(e, 0, sizeof *e);
    e->pos = mark_pos(b, key.start_mark);
    ladsim_status s = LADSIM_OK;
    if (key.type != YAML_SCALAR_EVENT)
      s = ladsim__config_error(b->name, &e->pos, NULL, "a key must be plain "
                               "text, not a mapping or a list; write key: value");
    else if ((e->key = strndup((const char *)key.data.scalar.value,
                               key.data.scalar.length)) == NULL)
      s = LADSIM_ERROR(LADSIM_ENOMEM, "out of memory reading the model");
    yaml_event_delete(&key);
    if (s != LADSIM_OK) {
      free(e->key);
      return s;
    }
    node->n++;
    yaml_event_t value;
    LADSIM_CHECK(next_event(b, &value));
    s = build(b, &value, depth + 1, &e->value);
    yaml_event_delete(&value);
    LADSIM_CHECK(s);
  }
}

/* Reads list items up to the end of the sequence into node. */
static ladsim_status build_items(builder *b, ladsim__node *node, int depth)
{
  for (;;) {
    yaml_event_t ev;
    LADSIM_CHECK(next_event(b, &ev));
    if (ev.type == YAML_SEQUENCE_END_EVENT) {
      yaml_event_delete(&ev);
      return LADSIM_OK;
    }
    ladsim_status s = LADSIM_OK;
    if (node->n == node->cap)
      s = grow(node);
    if (s == LADSIM_OK) {
      node->items[node->n] = NULL;
      s = build(b, &ev, depth + 1, &node->items[node->n]);
      node->n++;
    }
    yaml_event_delete(&ev);
    LADSIM_CHECK(s);
  }
}

/* Builds the node that starts with event start (which the caller frees). */
static ladsim_status build(builder *b, const yaml_event_t *start, int depth,
                           ladsim__node **out)
{
  ladsim__pos pos = mark_pos(b, start->start_mark);
  *out = NULL;
  if (depth > MAX_DEPTH)
    return ladsim__config_error(b->name, &pos, NULL, "nested more than %d "
                                "levels deep; flatten the model", MAX_DEPTH);
  if (start->type == YAML_ALIAS_EVENT)
    return ladsim__config_error(b->name, &pos, NULL, "YAML aliases (*%s) are "
                                "not supported; write the value out",
                                (const char *)start->data.alias.anchor);
  if (start->type == YAML_SCALAR_EVENT)
    return scalar_node(b, start, out);
  ladsim__node_kind kind = start->type == YAML_MAPPING_START_EVENT
                               ? LADSIM__MAP : LADSIM__SEQ;
  if (start->type != YAML_MAPPING_START_EVENT &&
      start->type != YAML_SEQUENCE_START_EVENT)
    return LADSIM_ERROR(LADSIM_EINTERNAL, "%s: unexpected YAML event %d",
                        b->name, (int)start->type);
  if ((*out = ladsim__node_new(kind, pos)) == NULL)
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory reading the model");
  if (kind == LADSIM__MAP)
    LADSIM_CHECK(build_entries(b, *out, depth));
  else
    LADSIM_CHECK(build_items(b, *out, depth));
  return LADSIM_OK;
}

/* Skips to the document, builds its root and checks that no second one follows. */
static ladsim_status build_document(builder *b, ladsim__node **root)
{
  yaml_event_t ev;
  LADSIM_CHECK(next_event(b, &ev)); /* stream start */
  yaml_event_delete(&ev);
  LADSIM_CHECK(next_event(b, &ev));
  if (ev.type == YAML_STREAM_END_EVENT) {
    yaml_event_delete(&ev);
    return LADSIM_OK; /* an empty file */
  }
  yaml_event_delete(&ev); /* document start */
  LADSIM_CHECK(next_event(b, &ev));
  ladsim_status s = build(b, &ev, 0, root);
  yaml_event_delete(&ev);
  LADSIM_CHECK(s);
  LADSIM_CHECK(next_event(b, &ev)); /* document end */
  yaml_event_delete(&ev);
  LADSIM_CHECK(next_event(b, &ev));
  ladsim__pos pos = mark_pos(b, ev.start_mark);
  bool more = ev.type != YAML_STREAM_END_EVENT;
  yaml_event_delete(&ev);
  if (more)
    return ladsim__config_error(b->name, &pos, NULL, "a second YAML document "
                                "starts here; a model file holds one document, "
                                "remove the '---' line and what follows");
  return LADSIM_OK;
}

ladsim__node *ladsim__node_new(ladsim__node_kind kind, ladsim__pos pos)
{
  ladsim__node *node = calloc(1, sizeof *node);
  if (node != NULL) {
    node->kind = kind;
    node->pos = pos;
  }
  return node;
}

void ladsim__node_free(ladsim__node *node)
{
  if (node == NULL)
    return;
  for (size_t i = 0; i < node->n; i++) {
    if (node->kind == LADSIM__MAP) {
      free(node->entries[i].key);
      ladsim__node_free(node->entries[i].value);
    } else {
      ladsim__node_free(node->items[i]);
    }
  }
  free(node->entries);
  free(node->items);
  free(node->text);
  free(node);
}

ladsim_status ladsim__tree_parse(const char *text, size_t len, const char *name,
                                 const char *origin, ladsim__node **root)
{
  builder b = {.text = text, .len = len, .name = name, .origin = origin};
  *root = NULL;
  if (!yaml_parser_initialize(&b.parser))
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory starting the YAML "
                        "parser for %s", name);
  yaml_parser_set_input_string(&b.parser, (const unsigned char *)text, len);
  ladsim_status s = build_document(&b, root);
  yaml_parser_delete(&b.parser);
  if (s == LADSIM_OK && *root == NULL) {
    ladsim__pos pos = {1, 1, origin};
    *root = ladsim__node_new(LADSIM__SCALAR, pos);
    if (*root == NULL || ((*root)->text = strdup("")) == NULL)
      s = LADSIM_ERROR(LADSIM_ENOMEM, "out of memory reading the model");
    else
      (*root)->plain = true;
  }
  if (s != LADSIM_OK) {
    ladsim__node_free(*root);
    *root = NULL;
    return ladsim_error_trace(s, __FILE__, __LINE__);
  }
  return LADSIM_OK;
}

bool ladsim__node_is_null(const ladsim__node *node)
{
  if (node == NULL)
    return true;
  if (node->kind != LADSIM__SCALAR || !node->plain)
    return false;
  const char *t = node->text;
  return t[0] == '\0' || strcmp(t, "~") == 0 || strcmp(t, "null") == 0 ||
         strcmp(t, "Null") == 0 || strcmp(t, "NULL") == 0;
}

ladsim__entry *ladsim__map_find(const ladsim__node *map, const char *key)
{
  if (map == NULL || map->kind != LADSIM__MAP)
    return NULL;
  for (size_t i = 0; i < map->n; i++)
    if (strcmp(map->entries[i].key, key) == 0)
      return &map->entries[i];
  return NULL;
}

ladsim_status ladsim__map_put(ladsim__node *map, const char *key,
                              ladsim__pos pos, ladsim__node *value)
{
  ladsim__entry *e = ladsim__map_find(map, key);
  if (e != NULL) {
    ladsim__node_free(e->value);
    e->value = value;
    e->pos = pos;
    return LADSIM_OK;
  }
  char *copy = strdup(key);
  if (copy == NULL || (map->n == map->cap && grow(map) != LADSIM_OK)) {
    free(copy);
    ladsim__node_free(value);
    return LADSIM_ERROR(LADSIM_ENOMEM, "out of memory applying an override");
  }
  e = &map->entries[map->n++];
  e->key = copy;
  e->pos = pos;
  e->value = value;
  return LADSIM_OK;
}

const char *ladsim__node_describe(const ladsim__node *node, char *buf,
                                  size_t len)
{
  if (ladsim__node_is_null(node))
    snprintf(buf, len, "nothing");
  else if (node->kind == LADSIM__MAP)
    snprintf(buf, len, "a mapping");
  else if (node->kind == LADSIM__SEQ)
    snprintf(buf, len, "a list");
  else
    snprintf(buf, len, "'%s'", node->text);
  return buf;
}
