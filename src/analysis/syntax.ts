// A compact, plain-JS copy of the tree-sitter nodes the analysis reads. Crossing into the
// native binding costs about a microsecond per call, so each node is read exactly once.
import type { SyntaxNode } from '../parse/parser.js';

export interface LNode {
  type: string;
  start: number;
  end: number;
  /** Field name under the parent (`left`, `body`, `operand` …), or null. */
  field: string | null;
  /** Operator token for nodes that have one (`=`, `:=`, `+=`, `<-`, `&` …). */
  op: string | null;
  children: LNode[];
  parent: LNode | null;
  /** Set on function bodies left unconverted because nothing in them matters. */
  skipped?: boolean;
}

/**
 * Copies a subtree. `skipBody(node)` may return true for a `body` field of a
 * function declaration to leave it unconverted (its range is still recorded).
 */
export function liteTree(
  root: SyntaxNode,
  skipBody?: (start: number, end: number) => boolean,
  skipTypes?: ReadonlySet<string>,
): LNode {
  const cursor = root.walk();
  const top: LNode = mk(cursor.nodeType, cursor.startIndex, cursor.endIndex, null, null);
  let parent = top;
  if (!cursor.gotoFirstChild()) return top;
  for (;;) {
    // Type names, named-ness and field names are cached by id: one native call instead of three.
    const id = cursor.nodeTypeId;
    let type = TYPE_NAMES[id];
    if (type === undefined) {
      type = TYPE_NAMES[id] = cursor.nodeType;
      NAMED[id] = cursor.nodeIsNamed;
    }
    let descended = false;
    if (NAMED[id]) {
      const start = cursor.startIndex;
      const end = cursor.endIndex;
      const node = mk(type, start, end, fieldName(cursor), parent);
      parent.children.push(node);
      if (type !== 'comment' && !isLeafType(type) && !skipTypes?.has(type)) {
        if (node.field === 'body' && type === 'block' && skipBody && isFuncDecl(parent.type) && skipBody(start, end)) {
          node.skipped = true;
        } else if (cursor.gotoFirstChild()) {
          parent = node;
          descended = true;
        }
      }
    } else if (HAS_OPERATOR.has(parent.type) && fieldName(cursor) === 'operator') {
      parent.op = type;
    }
    if (descended) continue;
    while (!cursor.gotoNextSibling()) {
      if (!cursor.gotoParent() || parent === top) return top;
      parent = parent.parent!;
    }
  }
}

const TYPE_NAMES: string[] = [];
const NAMED: boolean[] = [];
const FIELD_NAMES: (string | null)[] = [null];
// Only these parents' operator tokens are read by the analysis.
const HAS_OPERATOR = new Set(['assignment_statement', 'unary_expression']);

function fieldName(cursor: ReturnType<SyntaxNode['walk']>): string | null {
  const id = cursor.currentFieldId;
  if (!id) return null;
  let name = FIELD_NAMES[id];
  if (name === undefined) name = FIELD_NAMES[id] = cursor.currentFieldName || null;
  return name;
}

function mk(type: string, start: number, end: number, field: string | null, parent: LNode | null): LNode {
  return { type, start, end, field, op: null, children: [], parent };
}

function isFuncDecl(type: string): boolean {
  return type === 'function_declaration' || type === 'method_declaration';
}

// Nodes whose inside never matters to the analysis.
const LEAVES = new Set([
  'interpreted_string_literal',
  'raw_string_literal',
  'rune_literal',
  'int_literal',
  'float_literal',
  'imaginary_literal',
  'identifier',
  'field_identifier',
  'type_identifier',
  'package_identifier',
  'label_name',
  // Types are read as text; their insides never matter (struct types, which hold fields, do).
  'map_type',
  'pointer_type',
  'slice_type',
  'array_type',
  'implicit_length_array_type',
  'channel_type',
  'function_type',
  'qualified_type',
  'generic_type',
  'interface_type',
  'parenthesized_type',
  'negated_type',
]);

function isLeafType(type: string): boolean {
  return LEAVES.has(type);
}

export function child(node: LNode, field: string): LNode | undefined {
  for (const c of node.children) if (c.field === field) return c;
  return undefined;
}

export function childrenOf(node: LNode, field: string): LNode[] {
  return node.children.filter((c) => c.field === field);
}

export function firstOfType(node: LNode, type: string): LNode | undefined {
  for (const c of node.children) if (c.type === type) return c;
  return undefined;
}

/** Statement-list children of a block (tree-sitter-go wraps them in `statement_list`). */
export function statementsOf(block: LNode): LNode[] {
  const out: LNode[] = [];
  for (const c of block.children) {
    if (c.type === 'statement_list') out.push(...c.children.filter((s) => s.type !== 'comment'));
    else if (c.type !== 'comment') out.push(c);
  }
  return out;
}

/** Strips parentheses around an expression. */
export function unparen(node: LNode): LNode {
  let n = node;
  while (n.type === 'parenthesized_expression' && n.children.length === 1) n = n.children[0]!;
  return n;
}

/** Maps offsets to 1-based lines and columns. */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(text: string) {
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) this.starts.push(i + 1);
  }

  position(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.starts[lo]! + 1 };
  }

  lineStart(line: number): number {
    return this.starts[line - 1] ?? 0;
  }
}
