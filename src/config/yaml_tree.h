/* yaml_tree.h: a YAML document as a tree of nodes that remember where they were written. */
#ifndef LADSIM_CONFIG_YAML_TREE_H
#define LADSIM_CONFIG_YAML_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <ladsim/error.h>

/* Where a key or value came from: a 1-based line and column of the model
 * file, or, when origin is not NULL, the --set override text it was parsed
 * from (line and column are then meaningless to the user). */
typedef struct {
  int line, col;
  const char *origin;
} ladsim__pos;

typedef enum { LADSIM__SCALAR, LADSIM__MAP, LADSIM__SEQ } ladsim__node_kind;

typedef struct ladsim__node ladsim__node;

/* One key: value pair of a mapping, in the order written. */
typedef struct {
  char *key;
  ladsim__pos pos;             /* of the key */
  ladsim__node *value;
} ladsim__entry;

struct ladsim__node {
  ladsim__node_kind kind;
  ladsim__pos pos;
  char *text;                  /* scalar: its text */
  bool plain;                  /* scalar: written without quotes */
  size_t n, cap;               /* entries (map) or items (seq) */
  ladsim__entry *entries;
  ladsim__node **items;
};

/* Parses one YAML document of len bytes into a tree. Syntax errors return
 * LADSIM_ECONFIG with "name:line:col: ..." or, when origin is given,
 * "--set origin: ..."; every node then carries origin. An empty document
 * gives a null scalar. */
ladsim_status ladsim__tree_parse(const char *text, size_t len, const char *name,
                                 const char *origin, ladsim__node **root);

void ladsim__node_free(ladsim__node *node);

/* A new empty node of the given kind (NULL when out of memory). */
ladsim__node *ladsim__node_new(ladsim__node_kind kind, ladsim__pos pos);

/* True for an absent node and for the plain scalars "", "~" and "null". */
bool ladsim__node_is_null(const ladsim__node *node);

/* The first entry with this key, or NULL. */
ladsim__entry *ladsim__map_find(const ladsim__node *map, const char *key);

/* Sets key to value in map, replacing (and freeing) an existing value or
 * appending a new entry; takes ownership of value even on failure. */
ladsim_status ladsim__map_put(ladsim__node *map, const char *key,
                              ladsim__pos pos, ladsim__node *value);

/* "a mapping", "a list", "'text'" or "nothing": what the user wrote. */
const char *ladsim__node_describe(const ladsim__node *node, char *buf,
                                  size_t len);

#endif
