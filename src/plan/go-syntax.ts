// Reading Go syntax for rewrites: statements, regions of a block, and what may run inside a lock.
import type { SyntaxNode } from '../parse/parser.js';
import type { PackageIndex, ParsedFile } from '../analysis/package-index.js';

/** The smallest node covering [start, end). */
export function nodeAt(file: ParsedFile, start: number, end: number): SyntaxNode {
  return file.tree.rootNode.descendantForIndex(start, Math.max(start, end - 1));
}

/** Whether a node is a statement sitting directly in a statement list (a block or a case body). */
export function isListedStatement(n: SyntaxNode): boolean {
  return n.parent?.type === 'statement_list' && n.type !== 'comment';
}

/** The statement in a list that contains the node (the node itself if it is one). */
export function listedStatementOf(n: SyntaxNode): SyntaxNode | null {
  // Climbed with `ancestors` (each `.parent` costs the depth); `parent` trails one step behind.
  let cur = n;
  for (const parent of ancestors(n)) {
    if (parent.type === 'statement_list' && cur.type !== 'comment') return cur;
    if (cur.type === 'function_declaration' || cur.type === 'method_declaration' || cur.type === 'source_file') return null;
    cur = parent;
  }
  return null;
}

/** The statements of a statement list, without comments. */
export function statementsOfList(list: SyntaxNode): SyntaxNode[] {
  return list.namedChildren.filter((c) => c.type !== 'comment');
}

/** The function (declaration or literal) a node runs in. */
export function enclosingFunction(n: SyntaxNode): SyntaxNode | null {
  for (const cur of ancestors(n)) {
    if (cur.type === 'function_declaration' || cur.type === 'method_declaration' || cur.type === 'func_literal') return cur;
  }
  return null;
}

// Climbs this far with `.parent` before walking down from the root instead.
const SHORT_CLIMB = 8;

/**
 * The ancestors of `n`, nearest first. tree-sitter finds a node's parent by descending from the
 * root, so climbing k levels with `.parent` costs k times the depth: quadratic in thousands of
 * nested blocks or parentheses. Past a short climb, one cursor walk from the root down to `n`
 * yields the rest at the cost of the depth once.
 */
export function* ancestors(n: SyntaxNode): Generator<SyntaxNode> {
  let cur = n.parent;
  for (let i = 0; cur && i < SHORT_CLIMB; i++, cur = cur.parent) yield cur;
  if (!cur) return;
  const path = pathFromRoot(cur);
  if (path) {
    for (let i = path.length - 1; i >= 0; i--) yield path[i]!;
    return;
  }
  for (; cur; cur = cur.parent) yield cur;
}

/** The nodes from the root down to `n` (inclusive), or null when the cursor cannot find it. */
function pathFromRoot(n: SyntaxNode): SyntaxNode[] | null {
  const cursor = n.tree.walk();
  const path: SyntaxNode[] = [];
  for (;;) {
    const node = cursor.currentNode;
    path.push(node);
    if (node.id === n.id) return path;
    // Down to the first child that spans n.
    if (!cursor.gotoFirstChild()) return null;
    while (cursor.startIndex > n.startIndex || cursor.endIndex < n.endIndex) {
      if (!cursor.gotoNextSibling()) return null;
    }
  }
}

/** Whether a statement list is the top-level list of a function's body. */
export function isFunctionBodyList(list: SyntaxNode): boolean {
  const block = list.parent;
  if (!block || block.type !== 'block') return false;
  const fn = block.parent;
  return !!fn && (fn.type === 'function_declaration' || fn.type === 'method_declaration' || fn.type === 'func_literal');
}

/**
 * The named nodes under `n`, in pre-order. An explicit stack, not `yield*` recursion: Go nests
 * as deep as the input likes, and each level of `yield*` also costs every later item a step.
 */
export function* descendants(n: SyntaxNode): Generator<SyntaxNode> {
  const stack: SyntaxNode[] = [];
  pushNamedChildren(stack, n);
  while (stack.length > 0) {
    const c = stack.pop()!;
    yield c;
    pushNamedChildren(stack, c);
  }
}

/** Pushes `n`'s named children last-first, so popping visits them in source order. */
function pushNamedChildren(stack: SyntaxNode[], n: SyntaxNode): void {
  const children = n.namedChildren;
  for (let i = children.length - 1; i >= 0; i--) stack.push(children[i]!);
}

/** The offset where the line holding `pos` starts. */
export function lineStart(text: string, pos: number): number {
  return text.lastIndexOf('\n', pos - 1) + 1;
}

/** The leading whitespace of the line that holds `pos`. */
export function indentAt(text: string, pos: number): string {
  const m = /^[ \t]*/.exec(text.slice(lineStart(text, pos), pos));
  return m ? m[0] : '';
}

/** Where to put text that must follow a statement: after a trailing `// comment` on its line. */
export function endOfStatementLine(text: string, end: number): number {
  // Block comments closed on the same line, then a line comment.
  const rest = /^(?:[ \t]*\/\*[^\n]*?\*\/)*(?:[ \t]*\/\/[^\r\n]*)?/.exec(text.slice(end));
  return rest ? end + rest[0].length : end;
}

/** The return, break, continue and goto statements that leave the given run of statements. */
export function jumpsLeaving(region: SyntaxNode[]): { kind: 'return' | 'other'; node: SyntaxNode }[] {
  const out: { kind: 'return' | 'other'; node: SyntaxNode }[] = [];
  const start = region[0]!.startIndex;
  const end = region[region.length - 1]!.endIndex;
  const labels = new Set<string>();
  for (const s of region) for (const d of [s, ...descendants(s)]) if (d.type === 'labeled_statement') labels.add(d.child(0)?.text ?? '');
  // Pre-order over an explicit stack; each entry carries the loops and breakables around it.
  const stack: [SyntaxNode, number, number][] = region.map((s): [SyntaxNode, number, number] => [s, 0, 0]).reverse();
  while (stack.length > 0) {
    const [n, loops, breakables] = stack.pop()!;
    if (n.type === 'func_literal') continue;
    switch (n.type) {
      case 'return_statement':
        out.push({ kind: 'return', node: n });
        continue;
      case 'goto_statement':
        if (!labels.has(n.namedChildren[0]?.text ?? '')) out.push({ kind: 'other', node: n });
        continue;
      case 'break_statement':
      case 'continue_statement': {
        const label = n.namedChildren[0]?.text;
        if (label) {
          if (!labels.has(label)) out.push({ kind: 'other', node: n });
        } else if (n.type === 'break_statement' ? breakables === 0 : loops === 0) {
          out.push({ kind: 'other', node: n });
        }
        continue;
      }
    }
    const loop = n.type === 'for_statement' ? 1 : 0;
    const breakable = loop || /switch_statement$|^select_statement$/.test(n.type) ? 1 : 0;
    const children = n.namedChildren;
    for (let i = children.length - 1; i >= 0; i--) stack.push([children[i]!, loops + loop, breakables + breakable]);
  }
  return out.filter((j) => j.node.startIndex >= start && j.node.endIndex <= end);
}

const BUILTIN_FUNCS = new Set(['len', 'cap', 'append', 'copy', 'delete', 'make', 'new', 'clear', 'min', 'max', 'complex', 'real', 'imag']);
const BASIC_TYPES = new Set([
  'string', 'bool', 'byte', 'rune', 'error', 'any',
  'int', 'int8', 'int16', 'int32', 'int64', 'uint', 'uint8', 'uint16', 'uint32', 'uint64', 'uintptr',
  'float32', 'float64', 'complex64', 'complex128',
]);
/** Standard packages whose functions never call back into the caller's code (no Stringer, no callbacks). */
const INERT_PACKAGES = new Set(['strings', 'strconv', 'time', 'math', 'bytes', 'unicode', 'utf8', 'errors', 'atomic', 'filepath', 'path', 'bits', 'cmp', 'slices', 'maps']);

/** Something inside a would-be locked region that could block or re-enter while the lock is held. */
export interface Hazard {
  what: string;
  node: SyntaxNode;
}

/**
 * Finds what must not run under a lock a rewrite adds: calls that may re-enter the package or
 * run unknown code (function values, callbacks, methods the package declares, fmt-style calls),
 * channel operations, selects, defers and other lock operations.
 */
export function lockHazards(nodes: SyntaxNode[], index: PackageIndex, file: ParsedFile): Hazard[] {
  const pure = pureFunctionsOf(index);
  const out: Hazard[] = [];
  // Pre-order over an explicit stack (children pushed in reverse).
  const stack = [...nodes].reverse();
  while (stack.length > 0) {
    const n = stack.pop()!;
    switch (n.type) {
      case 'func_literal':
        // A literal defined here runs wherever it is called; a call of it is judged at the call.
        continue;
      case 'go_statement':
        continue;
      case 'send_statement':
        out.push({ what: 'a channel send', node: n });
        break;
      case 'select_statement':
        out.push({ what: 'a select', node: n });
        break;
      case 'defer_statement':
        out.push({ what: 'a defer', node: n });
        break;
      case 'unary_expression':
        if (n.child(0)?.type === '<-') out.push({ what: 'a channel receive', node: n });
        break;
      case 'call_expression': {
        const why = callHazard(n, index, pure, file);
        if (why) out.push({ what: why, node: n });
        break;
      }
    }
    pushNamedChildren(stack, n);
  }
  return out;
}

function callHazard(call: SyntaxNode, index: PackageIndex, pure: PureFunctions, file: ParsedFile): string | null {
  const fn = call.childForFieldName('function');
  if (!fn) return 'a call';
  const args = call.childForFieldName('arguments');
  const funcArg = args?.namedChildren.some((a) => a.type === 'func_literal');
  const name = fn.text;
  if (fn.type === 'identifier') {
    if (BUILTIN_FUNCS.has(name) || BASIC_TYPES.has(name)) return null;
    if (index.structs.has(name) || index.namedTypes.has(name)) return null;
    const fns = (index.funcsByName.get(name) ?? []).filter((i) => index.funcs[i]!.recvType === null);
    if (fns.length > 0 && fns.every((i) => pure.isPure(i))) return null;
    return `a call of ${name}()`;
  }
  if (fn.type === 'parenthesized_expression' || fn.type === 'array_type' || fn.type === 'slice_type' || fn.type === 'map_type') return null;
  if (fn.type === 'selector_expression') {
    const operand = fn.childForFieldName('operand');
    const field = fn.childForFieldName('field')?.text ?? '';
    if (/^(R?Lock|R?Unlock|TryR?Lock)$/.test(field)) return `${name}()`;
    if (operand?.type === 'identifier' && index.imports.has(operand.text) && !isLocalName(operand, file)) {
      return INERT_PACKAGES.has(operand.text) && !funcArg ? null : `a call of ${name}()`;
    }
    // A method the package declares may lock the same mutex; a func-typed field may run anything.
    const methods = index.methodsByName.get(field) ?? [];
    if (methods.length > 0) return methods.every((i) => pure.isPure(i)) && !funcArg ? null : `a call of ${name}()`;
    for (const s of index.structs.values()) if (s.fields.get(field)?.type.trim().startsWith('func')) return `a call of the function value ${name}`;
    return funcArg ? `a call of ${name}() with a function literal` : null;
  }
  return `a call of ${name}`;
}

/** Crude check that an identifier is not a local shadowing an import: the package name is not assigned in the file. */
function isLocalName(id: SyntaxNode, file: ParsedFile): boolean {
  const fn = enclosingFunction(id);
  if (!fn) return false;
  const body = file.text.slice(fn.startIndex, id.startIndex);
  return new RegExp(`\\b${id.text}\\s*(:=|,[^=]*:=)|\\(${id.text}\\s|,\\s*${id.text}\\s+[\\w*\\[]`).test(body);
}

const PURE = new WeakMap<PackageIndex, PureFunctions>();

/** One memo per package, shared by every hazard check of a plan. */
function pureFunctionsOf(index: PackageIndex): PureFunctions {
  let p = PURE.get(index);
  if (!p) PURE.set(index, (p = new PureFunctions(index)));
  return p;
}

/** Package functions whose bodies call only builtins and inert packages and take no locks. */
class PureFunctions {
  private readonly memo = new Map<number, boolean>();
  constructor(private readonly index: PackageIndex) {}

  isPure(i: number): boolean {
    const hit = this.memo.get(i);
    if (hit !== undefined) return hit;
    this.memo.set(i, false); // recursion is not pure enough to trust
    const f = this.index.funcs[i]!;
    let ok = false;
    if (f.body) {
      const node = f.file.tree.rootNode.descendantForIndex(f.body.start, f.body.end - 1);
      ok = lockHazards([node], this.index, f.file).length === 0;
    }
    this.memo.set(i, ok);
    return ok;
  }
}

/** The nearest node of the given type containing n (n itself included), or null. */
export function ancestorOfType(n: SyntaxNode | null, type: string): SyntaxNode | null {
  if (!n) return null;
  if (n.type === type) return n;
  for (const cur of ancestors(n)) if (cur.type === type) return cur;
  return null;
}

/** `(x)` → `x`, through any number of parentheses. */
export function unparen(n: SyntaxNode): SyntaxNode {
  let cur = n;
  while (cur.type === 'parenthesized_expression' && cur.namedChildCount === 1) cur = cur.namedChildren[0]!;
  return cur;
}

/** Whether an expression is the target of an assignment, `:=` or `++`/`--`. */
export function isAssignedTo(n: SyntaxNode): boolean {
  const list = n.parent;
  if (list?.type === 'inc_statement' || list?.type === 'dec_statement') return true;
  if (list?.type !== 'expression_list') return false;
  const stmt = list.parent;
  return (stmt?.type === 'assignment_statement' || stmt?.type === 'short_var_declaration') && sameNode(stmt.childForFieldName('left'), list);
}

/** Whether two native nodes are the same node (the binding hands out fresh wrappers). */
export function sameNode(a: SyntaxNode | null | undefined, b: SyntaxNode | null | undefined): boolean {
  return !!a && !!b && a.startIndex === b.startIndex && a.endIndex === b.endIndex && a.type === b.type;
}

export { splitMapType } from '../analysis/types.js';

/** Whether values of this type share their contents when copied out of a map (pointers, slices, maps). */
export function isReferenceType(t: string): boolean {
  return /^(\*|\[\]|map\[)/.test(t.trim());
}

/**
 * A write through a value loaded from a map after the lock is gone: `v := m[k]` (or `v, ok :=`,
 * `v =`), then `v.f = x`, `v.f++`, `v[i] = x`, or a call of a package method that assigns to its
 * receiver's fields (`v.take()`), later in the same function, past `after`. The map's lock does
 * not cover that write, so a fix must say so. Matching is by name within the function.
 */
export function writeThroughLoadedValue(read: SyntaxNode, after: number, index?: PackageIndex): SyntaxNode | null {
  const indexExpr = ancestorOfType(read, 'index_expression');
  const list = indexExpr?.parent;
  const stmt = list?.parent;
  if (!indexExpr || list?.type !== 'expression_list' || list.namedChildCount !== 1) return null;
  if (stmt?.type !== 'short_var_declaration' && stmt?.type !== 'assignment_statement') return null;
  if (!sameNode(stmt.childForFieldName('right'), list)) return null;
  const name = stmt.childForFieldName('left')?.namedChildren[0];
  if (name?.type !== 'identifier' || name.text === '_') return null;
  const fn = enclosingFunction(stmt);
  const body = fn?.childForFieldName('body');
  if (!body) return null;
  const rootedAtName = (n: SyntaxNode | null | undefined): boolean => {
    let base = n ?? null;
    while (base && (base.type === 'selector_expression' || base.type === 'index_expression')) base = base.childForFieldName('operand');
    return base?.type === 'identifier' && base.text === name.text;
  };
  for (const n of descendants(body)) {
    if (n.startIndex < after) continue;
    const target = n.type === 'inc_statement' || n.type === 'dec_statement' ? n.namedChild(0) : n.type === 'assignment_statement' ? n.childForFieldName('left')?.namedChildren[0] : null;
    if (target && (target.type === 'selector_expression' || target.type === 'index_expression') && rootedAtName(target)) return n;
    if (index && n.type === 'call_expression') {
      const callee = n.childForFieldName('function');
      if (callee?.type === 'selector_expression' && rootedAtName(callee.childForFieldName('operand')) && methodWritesReceiver(index, callee.childForFieldName('field')?.text ?? '')) return n;
    }
  }
  return null;
}

/** Whether a package method of that name has a pointer receiver whose fields it assigns. */
function methodWritesReceiver(index: PackageIndex, method: string): boolean {
  return (index.methodsByName.get(method) ?? []).some((i) => {
    const f = index.funcs[i]!;
    if (!f.recvPointer || !f.recvName || f.recvName === '_') return false;
    const text = f.file.text.slice(f.start, f.end);
    return new RegExp(`\\b${f.recvName}\\.\\w+(?:\\[[^\\]]*\\])?\\s*(?:[-+*/%&|^]|<<|>>|&\\^)?=[^=]|\\b${f.recvName}\\.\\w+\\s*(?:\\+\\+|--)`).test(text);
  });
}

/**
 * The `&x` expression when the expression at [start, end) is the operand of a unary `&`
 * (through parentheses), else null. `&s.m` hands out the variable, not the map: whoever gets the
 * pointer may write the map or replace it (`json.Unmarshal(b, &s.m)`), so no rewrite of the
 * operand keeps its meaning (`&maps.Clone(s.m)` would not even compile).
 */
export function addressOperandOf(file: ParsedFile, start: number, end: number): SyntaxNode | null {
  // The first ancestor that is not a parenthesis (climbed with `ancestors`: 20,000 nested
  // parentheses must not cost 20,000 root-to-node descents).
  for (const p of ancestors(nodeAt(file, start, end))) {
    if (p.type === 'parenthesized_expression') continue;
    return p.type === 'unary_expression' && p.child(0)?.type === '&' ? p : null;
  }
  return null;
}

/**
 * Whether an expression names the same value each time it is evaluated: a variable, its fields,
 * `*p`, `&x`, an element at a variable or constant index (`s`, `s.inner`, `(*p).x`,
 * `s.shards[i]`). A call (`n.GetUsages().negative()` builds a new value per call), a receive or
 * a type assertion does not: a lock taken through one evaluation and released through another
 * need not be the same mutex (seaweedfs' topology `DiskUsages.negative()`).
 */
export function isStablePath(n: SyntaxNode): boolean {
  switch (n.type) {
    case 'identifier':
    case 'field_identifier':
    case 'int_literal':
    case 'interpreted_string_literal':
    case 'raw_string_literal':
      return true;
    case 'parenthesized_expression':
    case 'selector_expression':
    case 'index_expression':
      return n.namedChildren.every(isStablePath);
    case 'unary_expression': {
      const op = n.childForFieldName('operator')?.text ?? n.child(0)?.text;
      const operand = n.childForFieldName('operand');
      return (op === '*' || op === '&') && !!operand && isStablePath(operand);
    }
    default:
      return false;
  }
}
