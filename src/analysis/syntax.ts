// A compact, plain-JS copy of the tree-sitter nodes the analysis reads. Crossing into the
// native binding costs about a microsecond per call, so each node is read exactly once.
import { parseGo, treeFlattener, typesWithFields, type Flattener, type SyntaxNode } from '../parse/parser.js';

export { LineIndex } from '../parse/lines.js';

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
 * Copies a subtree of a tree parsed from `text`. `skipBodies` leaves the bodies of function
 * declarations unconverted (their ranges are still recorded); `skipTypes` are kept as leaves.
 *
 * Read in one native call where the grammar's binding can flatten a tree (parser.ts,
 * treeFlattener), else node by node through a cursor (cursorLiteTree). Both give the nodes,
 * positions, fields and operators the binding gives (test/scan-perf-equivalence.test.ts).
 */
export function liteTree(root: SyntaxNode, text: string, skipBodies = false, skipTypes?: ReadonlySet<string>): LNode {
  const flat = checkedFlattener();
  return flat ? flatLiteTree(flat, root, skipBodies, skipTypes) : cursorLiteTree(root, text, skipBodies, skipTypes);
}

/** Whether liteTree reads trees in one native call (the grammar binding's flattener passed its check). */
export function flatTreesInUse(): boolean {
  return checkedFlattener() !== null;
}

let checked: Flattener | null | undefined;

/** The flattener, once it has given what the cursor gives on a sample file (else null). */
function checkedFlattener(): Flattener | null {
  if (checked === undefined) {
    const flat = treeFlattener();
    const tree = flat ? parseGo(SAMPLE) : null;
    checked = flat && tree && !tree.rootNode.hasError && sameTree(flatLiteTree(flat, tree.rootNode, false, undefined), cursorLiteTree(tree.rootNode, SAMPLE)) ? flat : null;
  }
  return checked;
}

const SAMPLE = `package p

// T holds a map.
type T[K comparable] struct {
	mu sync.Mutex
	m  map[K]int // the map
}

func (t *T[K]) f(k K, xs ...int) (n int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.m[k] += len(xs) * -1
	for i, x := range xs {
		if x != 0 && !(i > 1) {
			n <<= 1
		}
	}
	go func() { <-make(chan int) }()
	return
}
`;

function sameTree(a: LNode, b: LNode): boolean {
  if (a.type !== b.type || a.start !== b.start || a.end !== b.end || a.field !== b.field || a.op !== b.op || !!a.skipped !== !!b.skipped) return false;
  if (a.children.length !== b.children.length) return false;
  return a.children.every((c, i) => sameTree(c, b.children[i]!));
}

// Bits of flatten.c's per-symbol mask.
const DESCEND = 1;
const OPERATOR = 2;
const FIELDED_PARENT = 4;
const BLOCK = 8;
const FUNC_DECL = 16;
const ERROR_SYMBOL = 0xffff;

const MASKS = new Map<ReadonlySet<string> | undefined, Uint8Array>();

/** Per symbol id: what liteTree does with a node of that type (see cursorLiteTree). */
function masksFor(flat: Flattener, skipTypes: ReadonlySet<string> | undefined): Uint8Array {
  let masks = MASKS.get(skipTypes);
  if (masks) return masks;
  masks = new Uint8Array(0x10000);
  const mask = (type: string): number =>
    (type !== 'comment' && !isLeafType(type) && !skipTypes?.has(type) ? DESCEND : 0) |
    (HAS_OPERATOR.has(type) ? OPERATOR : 0) |
    (FIELDED === null || FIELDED.has(type) ? FIELDED_PARENT : 0) |
    (type === 'block' ? BLOCK : 0) |
    (isFuncDecl(type) ? FUNC_DECL : 0);
  flat.symbolNames.forEach((type, id) => {
    if (type) masks![id] = mask(type);
  });
  masks[ERROR_SYMBOL] = mask('ERROR');
  MASKS.set(skipTypes, masks);
  return masks;
}

/**
 * liteTree from flatten.c's records (symbol, field, start, end, children, operator; children -1
 * for a function body left out, -2 for a leaf), in document order.
 */
function flatLiteTree(flat: Flattener, root: SyntaxNode, skipBodies: boolean, skipTypes: ReadonlySet<string> | undefined): LNode {
  const names = flat.symbolNames;
  const fields = flat.fieldNames;
  const typeName = (id: number): string => (id === ERROR_SYMBOL ? 'ERROR' : names[id]!);
  const r = flat.flatten(root, masksFor(flat, skipTypes), skipBodies, fields.indexOf('body'), fields.indexOf('operator'));
  const top = mk(typeName(r[0]!), r[2]!, r[3]!, null, null);
  if (r[5]) top.op = typeName(r[5]);
  const parents: LNode[] = [top];
  const left: number[] = [r[4]!];
  for (let i = 6; i < r.length; i += 6) {
    while (left[left.length - 1] === 0) {
      parents.pop();
      left.pop();
    }
    const parent = parents[parents.length - 1]!;
    left[left.length - 1]!--;
    const children = r[i + 4]!;
    const field = r[i + 1]!;
    const node = mk(typeName(r[i]!), r[i + 2]!, r[i + 3]!, field ? fields[field] ?? null : null, parent, children === -2 ? NO_CHILDREN : []);
    if (r[i + 5]) node.op = typeName(r[i + 5]!);
    if (children === -1) node.skipped = true;
    parent.children.push(node);
    if (children > 0) {
      parents.push(node);
      left.push(children);
    }
  }
  return top;
}

/**
 * liteTree through a cursor, node by node.
 *
 * Starts and the ends of most leaves are worked out from the text rather than asked of the
 * binding (one or two native calls fewer per node): between two visible tokens of an error-free
 * tree there is only whitespace (comments are nodes), and an anonymous node is exactly its
 * type's text (`(`, `:=`, `func`). Anything next to a non-ASCII character is asked.
 */
export function cursorLiteTree(root: SyntaxNode, text: string, skipBodies = false, skipTypes?: ReadonlySet<string>): LNode {
  const cursor = root.walk();
  const top: LNode = mk(cursor.nodeType, cursor.startIndex, cursor.endIndex, null, null);
  let parent = top;
  if (!cursor.gotoFirstChild()) return top;
  // The end of the last token or node seen (the parent's start right after descending).
  let pos = top.start;
  for (;;) {
    // Type names, named-ness and field names are cached by id: one native call instead of three.
    const id = cursor.nodeTypeId;
    let type = TYPE_NAMES[id];
    if (type === undefined) {
      type = TYPE_NAMES[id] = cursor.nodeType;
      NAMED[id] = cursor.nodeIsNamed;
    }
    let start = skipSpace(text, pos);
    if (start < 0) start = cursor.startIndex;
    let descended = false;
    if (NAMED[id]) {
      const inner = type !== 'comment' && !isLeafType(type) && !skipTypes?.has(type);
      // A leaf's end is read from the text where its token shows it (identifiers, comments,
      // strings). An inner node ends where its last child does, set on the way back up (-1 until
      // then), except the few types a hidden token can end (ENDS_AFTER_CHILDREN), which are asked.
      const known = inner ? -1 : leafEnd(type, text, start);
      const field = FIELDED === null || FIELDED.has(parent.type) ? fieldName(cursor) : null;
      const node = mk(type, start, known, field, parent, inner ? [] : NO_CHILDREN);
      parent.children.push(node);
      if (inner) {
        if (field === 'body' && type === 'block' && skipBodies && isFuncDecl(parent.type)) {
          node.end = cursor.endIndex;
          node.skipped = true;
        } else if (cursor.gotoFirstChild()) {
          parent = node;
          descended = true;
        } else if (node.end < 0) node.end = cursor.endIndex;
      } else if (known < 0) node.end = cursor.endIndex;
      pos = descended ? start : node.end;
    } else {
      if (HAS_OPERATOR.has(parent.type) && fieldName(cursor) === 'operator') parent.op = type;
      pos = start + type.length;
    }
    if (descended) continue;
    while (!cursor.gotoNextSibling()) {
      if (!cursor.gotoParent() || parent === top) return top;
      if (parent.end < 0) parent.end = ENDS_AFTER_CHILDREN.has(parent.type) ? cursor.endIndex : pos;
      pos = parent.end;
      parent = parent.parent!;
    }
  }
}

/** The offset of the first non-whitespace character at or after `pos`; -1 at a non-ASCII one. */
function skipSpace(text: string, pos: number): number {
  for (let i = pos; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12) continue;
    return c < 0x80 ? i : -1;
  }
  return -1;
}

/** Where a leaf starting at `start` ends, for the leaf types whose extent the text shows; else -1. */
function leafEnd(type: string, text: string, start: number): number {
  switch (type) {
    case 'identifier':
    case 'field_identifier':
    case 'type_identifier':
    case 'package_identifier':
    case 'label_name': {
      let i = start;
      for (; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95) continue;
        if (c >= 0x80) return -1;
        break;
      }
      return i > start ? i : -1;
    }
    case 'comment': {
      if (text.startsWith('//', start)) {
        const nl = text.indexOf('\n', start);
        return nl < 0 ? text.length : nl;
      }
      const close = text.indexOf('*/', start + 2);
      return close < 0 ? -1 : close + 2;
    }
    case 'interpreted_string_literal': {
      if (text.charCodeAt(start) !== 34) return -1;
      for (let i = start + 1; i < text.length; i++) {
        const c = text.charCodeAt(i);
        if (c === 92) i++;
        else if (c === 34) return i + 1;
        else if (c === 10) return -1;
      }
      return -1;
    }
    case 'raw_string_literal': {
      if (text.charCodeAt(start) !== 96) return -1;
      const close = text.indexOf('`', start + 1);
      return close < 0 ? -1 : close + 1;
    }
    default:
      return -1;
  }
}

const TYPE_NAMES: string[] = [];
// Field names are asked only under node types that have fields (one native call fewer for the
// children of lists, blocks and literals).
const FIELDED = typesWithFields();
const NAMED: boolean[] = [];
const FIELD_NAMES: (string | null)[] = [null];
// Only these parents' operator tokens are read by the analysis.
const HAS_OPERATOR = new Set(['assignment_statement', 'unary_expression', 'binary_expression']);

function fieldName(cursor: ReturnType<SyntaxNode['walk']>): string | null {
  const id = cursor.currentFieldId;
  if (!id) return null;
  let name = FIELD_NAMES[id];
  if (name === undefined) name = FIELD_NAMES[id] = cursor.currentFieldName || null;
  return name;
}

/**
 * Inner node types whose end can lie after their last child's (tree-sitter-go puts the newline
 * that ends a block's last statement in `statement_list`, and trailing blank lines in
 * `source_file`); every other inner node ends with its last child (test/scan-perf-equivalence.test.ts).
 */
const ENDS_AFTER_CHILDREN = new Set(['statement_list', 'source_file']);

// Leaves share one frozen empty list (about half the nodes: far fewer short-lived arrays).
const NO_CHILDREN: LNode[] = Object.freeze([]) as unknown as LNode[];

function mk(type: string, start: number, end: number, field: string | null, parent: LNode | null, children: LNode[] = []): LNode {
  return { type, start, end, field, op: null, children, parent };
}

export function isFuncDecl(type: string): boolean {
  return type === 'function_declaration' || type === 'method_declaration';
}

/** The literal node types (kept as leaves; nothing inside them matters). */
export const LITERAL_TYPES = ['interpreted_string_literal', 'raw_string_literal', 'rune_literal', 'int_literal', 'float_literal', 'imaginary_literal'];

// Nodes whose inside never matters to the analysis.
const LEAVES = new Set([
  ...LITERAL_TYPES,
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
