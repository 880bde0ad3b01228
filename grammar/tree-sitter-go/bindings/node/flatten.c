// gomapfix: one native call that copies a syntax tree's named nodes into a flat int array, for
// the analysis's plain-JS tree (src/analysis/syntax.ts, liteTree). Reading the same nodes through
// node-tree-sitter's TreeCursor costs four or five native calls per node; a scan reads millions.
//
// The tree is the one node-tree-sitter parsed: the caller passes a node as node-tree-sitter
// marshals it (its id and context), and the subtrees are read with the headers and runtime of
// node-tree-sitter's own vendored sources (binding.gyp), so both read one layout. The walk reads
// the subtrees directly, as tree-sitter's TreeCursor does (a cursor walk cost twice as much).
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tree_sitter/api.h"
#include "tree.h"
#include "language.h"
#include "subtree.h"

const TSLanguage *tree_sitter_go(void);

// Bits of the per-symbol mask (indexed by symbol id, 65536 entries).
enum {
  DESCEND = 1,      // a named node whose children are copied
  OPERATOR = 2,     // an operator token under it is recorded (`op`)
  FIELDED = 4,      // its children's field ids are recorded
  BLOCK = 8,        // `block`
  FUNC_DECL = 16,   // `function_declaration`, `method_declaration`
};

// Per node: symbol, field id, start, end (UTF-16 code units), children, operator symbol.
// children: >= 0 copied named children; -1 a function body left out; -2 a leaf.
enum { RECORD = 6 };

typedef struct {
  int32_t *data;
  size_t length;
  size_t capacity;
} Buffer;

static int reserve(Buffer *b, size_t more) {
  if (b->length + more <= b->capacity) return 1;
  size_t capacity = b->capacity ? b->capacity * 2 : 4096;
  while (capacity < b->length + more) capacity *= 2;
  int32_t *data = realloc(b->data, capacity * sizeof(int32_t));
  if (!data) return 0;
  b->data = data;
  b->capacity = capacity;
  return 1;
}

// One parent whose children are being read: a copied node, or a hidden node between two.
typedef struct {
  Subtree parent;
  const TSSymbol *aliases;
  uint32_t child;
  uint32_t structural;
  uint32_t position;  // bytes: where the next child starts
  size_t record;      // the copied node the children belong to
  TSFieldId inherited;  // the field a child without its own gets (through hidden nodes)
} Frame;

static TSFieldId own_field(const TSLanguage *language, Subtree parent, uint32_t structural) {
  const TSFieldMapEntry *map, *map_end;
  ts_language_field_map(language, ts_subtree_production_id(parent), &map, &map_end);
  for (; map < map_end; map++) {
    if (!map->inherited && map->child_index == structural) return map->field_id;
  }
  return 0;
}

// Returns the records (malloc'd, *length ints) or NULL when out of memory.
//
// The subtree is read as tree-sitter's TreeCursor reads it (tree_cursor.c): the visible nodes,
// hidden ones looked through; a child's alias, symbol and named-ness as ts_node_* give them; its
// field the first one found going up through hidden parents, as ts_tree_cursor_current_field_id
// does. Positions are in bytes of the UTF-16 input.
int32_t *gomapfix_flatten(uint32_t id_low, uint32_t id_high, const uint32_t context[4], const uint8_t *masks,
                          int skip_bodies, uint16_t body_field, uint16_t operator_field, size_t *length) {
  const TSLanguage *language = tree_sitter_go();
  TSTree tree;
  memset(&tree, 0, sizeof tree);
  tree.language = language;
  TSNode root;
  memcpy(root.context, context, sizeof root.context);
  root.id = (const void *)(uintptr_t)(((uint64_t)id_high << 32) | id_low);
  root.tree = &tree;

  Buffer out = {0};
  Frame *frames = NULL;
  size_t depth = 0;
  size_t frames_capacity = 0;
  int ok = 1;

#define PUSH_FRAME(subtree, start, rec, inherit)                                       \
  do {                                                                                 \
    if (depth == frames_capacity) {                                                    \
      size_t c = frames_capacity ? frames_capacity * 2 : 64;                           \
      Frame *f = realloc(frames, c * sizeof(Frame));                                   \
      if (!f) { ok = 0; goto done; }                                                   \
      frames = f;                                                                      \
      frames_capacity = c;                                                             \
    }                                                                                  \
    Frame *f = &frames[depth++];                                                       \
    f->parent = (subtree);                                                             \
    f->aliases = ts_language_alias_sequence(language, ts_subtree_production_id(subtree)); \
    f->child = 0;                                                                      \
    f->structural = 0;                                                                 \
    f->position = (start);                                                             \
    f->record = (rec);                                                                 \
    f->inherited = (inherit);                                                          \
  } while (0)

  if (!reserve(&out, RECORD)) { ok = 0; goto done; }
  Subtree top = *(const Subtree *)root.id;
  size_t top_record = out.length;
  out.data[top_record] = ts_node_symbol(root);
  out.data[top_record + 1] = 0;
  out.data[top_record + 2] = (int32_t)(ts_node_start_byte(root) / 2);
  out.data[top_record + 3] = (int32_t)(ts_node_end_byte(root) / 2);
  out.data[top_record + 4] = 0;
  out.data[top_record + 5] = 0;
  out.length += RECORD;
  if (ts_subtree_visible_child_count(top) > 0) PUSH_FRAME(top, ts_node_start_byte(root), top_record, 0);

  while (depth > 0) {
    Frame *f = &frames[depth - 1];
    if (f->child == ts_subtree_child_count(f->parent)) {
      depth--;
      continue;
    }
    const Subtree *children = ts_subtree_children(f->parent);
    Subtree c = children[f->child];
    uint32_t start = f->position;
    uint32_t end = start + ts_subtree_size(c).bytes;
    f->child++;
    f->position = end + (f->child < ts_subtree_child_count(f->parent) ? ts_subtree_padding(children[f->child]).bytes : 0);
    bool extra = ts_subtree_extra(c);
    TSSymbol alias = 0;
    TSFieldId field = 0;
    if (!extra) {
      if (f->aliases) alias = f->aliases[f->structural];
      field = own_field(language, f->parent, f->structural);
      if (!field) field = f->inherited;
      f->structural++;
    }
    bool visible = ts_subtree_visible(c) || alias != 0;
    size_t parent = f->record;
    if (!visible) {
      // Looked through: its visible children are its parent's. A child of a hidden extra has no field.
      if (ts_subtree_visible_child_count(c) > 0) PUSH_FRAME(c, start, parent, extra ? 0 : field);
      continue;
    }
    uint8_t parent_mask = masks[(uint16_t)out.data[parent]];
    bool named = alias ? ts_language_symbol_metadata(language, alias).named : ts_subtree_named(c);
    TSSymbol symbol = ts_language_public_symbol(language, alias ? alias : ts_subtree_symbol(c));
    if (named) {
      if (!reserve(&out, RECORD)) { ok = 0; goto done; }
      int32_t *r = out.data + out.length;
      size_t at = out.length;
      r[0] = symbol;
      r[1] = (parent_mask & FIELDED) ? field : 0;
      r[2] = (int32_t)(start / 2);
      r[3] = (int32_t)(end / 2);
      r[4] = -2;
      r[5] = 0;
      out.length += RECORD;
      out.data[parent + 4]++;
      if (masks[symbol] & DESCEND) {
        out.data[at + 4] = 0;
        if (skip_bodies && field == body_field && (masks[symbol] & BLOCK) && (parent_mask & FUNC_DECL)) {
          out.data[at + 4] = -1;
        } else if (ts_subtree_visible_child_count(c) > 0) {
          PUSH_FRAME(c, start, at, 0);
        }
      }
    } else if ((parent_mask & OPERATOR) && field == operator_field) {
      out.data[parent + 5] = symbol;
    }
  }
done:
#undef PUSH_FRAME
  free(frames);
  if (!ok) {
    free(out.data);
    return NULL;
  }
  *length = out.length;
  return out.data;
}

uint32_t gomapfix_symbol_count(void) { return ts_language_symbol_count(tree_sitter_go()); }
const char *gomapfix_symbol_name(uint16_t symbol) { return ts_language_symbol_name(tree_sitter_go(), symbol); }
uint32_t gomapfix_field_count(void) { return ts_language_field_count(tree_sitter_go()); }
const char *gomapfix_field_name(uint16_t field) { return ts_language_field_name_for_id(tree_sitter_go(), field); }
