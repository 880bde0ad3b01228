// gomapfix: one native call that copies a syntax tree's named nodes into a flat int array, for
// the analysis's plain-JS tree (src/analysis/syntax.ts, liteTree). Reading the same nodes through
// node-tree-sitter's TreeCursor costs four or five native calls per node; a scan reads millions.
//
// The tree is the one node-tree-sitter parsed: the caller passes a node as node-tree-sitter
// marshals it (its id and context), and the nodes are read with the tree-sitter runtime compiled
// from node-tree-sitter's own vendored sources (binding.gyp), so both read one layout.
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tree_sitter/api.h"
#include "tree.h"

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

static size_t emit(Buffer *b, TSNode n, int32_t field, int32_t children) {
  size_t at = b->length;
  int32_t *r = b->data + at;
  r[0] = ts_node_symbol(n);
  r[1] = field;
  r[2] = (int32_t)(ts_node_start_byte(n) / 2);
  r[3] = (int32_t)(ts_node_end_byte(n) / 2);
  r[4] = children;
  r[5] = 0;
  b->length += RECORD;
  return at;
}

// Returns the records (malloc'd, *length ints) or NULL when out of memory.
int32_t *gomapfix_flatten(uint32_t id_low, uint32_t id_high, const uint32_t context[4], const uint8_t *masks,
                          int skip_bodies, uint16_t body_field, uint16_t operator_field, size_t *length) {
  TSTree tree;
  memset(&tree, 0, sizeof tree);
  tree.language = tree_sitter_go();
  TSNode root;
  memcpy(root.context, context, sizeof root.context);
  root.id = (const void *)(uintptr_t)(((uint64_t)id_high << 32) | id_low);
  root.tree = &tree;

  Buffer out = {0};
  // Records of the copied nodes whose children are being read, innermost last.
  size_t *parents = NULL;
  size_t depth = 0;
  size_t parents_capacity = 0;
  int ok = 1;
  TSTreeCursor cursor = ts_tree_cursor_new(root);

#define PUSH_PARENT(at)                                                              \
  do {                                                                               \
    if (depth == parents_capacity) {                                                 \
      size_t c = parents_capacity ? parents_capacity * 2 : 64;                       \
      size_t *p = realloc(parents, c * sizeof(size_t));                              \
      if (!p) { ok = 0; goto done; }                                                 \
      parents = p;                                                                   \
      parents_capacity = c;                                                          \
    }                                                                                \
    parents[depth++] = (at);                                                         \
  } while (0)

  if (!reserve(&out, RECORD)) { ok = 0; goto done; }
  PUSH_PARENT(emit(&out, root, 0, 0));
  if (!ts_tree_cursor_goto_first_child(&cursor)) goto done;
  for (;;) {
    TSNode n = ts_tree_cursor_current_node(&cursor);
    size_t parent = parents[depth - 1];
    uint8_t parent_mask = masks[(uint16_t)out.data[parent]];
    if (ts_node_is_named(n)) {
      if (!reserve(&out, RECORD)) { ok = 0; goto done; }
      int32_t field = (parent_mask & FIELDED) ? ts_tree_cursor_current_field_id(&cursor) : 0;
      TSSymbol symbol = ts_node_symbol(n);
      size_t at = emit(&out, n, field, -2);
      out.data[parent + 4]++;
      if (masks[symbol] & DESCEND) {
        out.data[at + 4] = 0;
        if (skip_bodies && field == body_field && (masks[symbol] & BLOCK) && (parent_mask & FUNC_DECL)) {
          out.data[at + 4] = -1;
        } else if (ts_tree_cursor_goto_first_child(&cursor)) {
          PUSH_PARENT(at);
          continue;
        }
      }
    } else if ((parent_mask & OPERATOR) && ts_tree_cursor_current_field_id(&cursor) == operator_field) {
      out.data[parent + 5] = ts_node_symbol(n);
    }
    while (!ts_tree_cursor_goto_next_sibling(&cursor)) {
      if (depth == 1 || !ts_tree_cursor_goto_parent(&cursor)) goto done;
      depth--;
    }
  }
done:
#undef PUSH_PARENT
  ts_tree_cursor_delete(&cursor);
  free(parents);
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
