// Whether an expression can be evaluated a second time without changing anything: the re-check
// of collect-then-delete evaluates the loop's condition once while collecting and once more
// before each delete.
import type { ParsedFile } from '../../src/analysis/package-index.js';
import type { SyntaxNode } from '../../src/parse/parser.js';
import type { PackageView } from '../../src/plan/transform.js';
import { enclosingFunction } from '../../src/plan/go-syntax.js';

const PURE_BUILTINS = new Set(['len', 'cap', 'min', 'max', 'complex', 'real', 'imag']);
const BASIC_TYPES = new Set([
  'string', 'bool', 'byte', 'rune', 'int', 'int8', 'int16', 'int32', 'int64', 'uint', 'uint8', 'uint16', 'uint32', 'uint64', 'uintptr',
  'float32', 'float64', 'complex64', 'complex128',
]);
/** Standard packages whose functions only compute a result from their arguments (and the clock). */
const PURE_PACKAGES = new Set(['strings', 'strconv', 'math', 'unicode', 'utf8', 'time', 'bytes', 'path', 'cmp', 'errors']);
/** Methods of types the package does not declare that are queries (time.Time, time.Duration, …). */
const QUERY_METHODS = new Set([
  'After', 'Before', 'Equal', 'Compare', 'IsZero', 'Sub', 'Add', 'Unix', 'UnixNano', 'UnixMilli', 'UnixMicro',
  'Seconds', 'Minutes', 'Hours', 'Milliseconds', 'Microseconds', 'Nanoseconds', 'Round', 'Truncate',
]);

/** What in the nodes could have a side effect when evaluated again (null when nothing could). */
export function sideEffect(nodes: SyntaxNode[], pkg: PackageView, file: ParsedFile): string | null {
  return new PurityCheck(pkg).ofNodes(nodes, file);
}

class PurityCheck {
  private readonly memo = new Map<number, string | null>();
  constructor(private readonly pkg: PackageView) {}

  ofNodes(nodes: SyntaxNode[], file: ParsedFile): string | null {
    for (const n of nodes) {
      const why = this.visit(n, file);
      if (why) return why;
    }
    return null;
  }

  // Pre-order over an explicit stack: expressions nest as deep as the input does.
  private visit(root: SyntaxNode, file: ParsedFile): string | null {
    const stack = [root];
    while (stack.length > 0) {
      const n = stack.pop()!;
      const why = this.own(n, file);
      if (why) return why;
      const children = n.namedChildren;
      for (let k = children.length - 1; k >= 0; k--) stack.push(children[k]!);
    }
    return null;
  }

  /** What `n` itself (not its children) could change. */
  private own(n: SyntaxNode, file: ParsedFile): string | null {
    switch (n.type) {
      case 'func_literal':
        return 'a function literal';
      case 'send_statement':
        return 'a channel send';
      case 'go_statement':
        return 'a go statement';
      case 'defer_statement':
        return 'a defer';
      case 'select_statement':
        return 'a select';
      case 'unary_expression':
        if (n.child(0)?.type === '<-') return 'a channel receive';
        break;
      case 'assignment_statement':
      case 'inc_statement':
      case 'dec_statement': {
        const why = this.assignment(n);
        if (why) return why;
        break;
      }
      case 'call_expression': {
        const why = this.call(n, file);
        if (why) return why;
        break;
      }
    }
    return null;
  }

  /** Inside a called function: only its own locals may be assigned. */
  private assignment(n: SyntaxNode): string | null {
    const left = n.type === 'assignment_statement' ? n.childForFieldName('left')?.namedChildren ?? [] : n.namedChildren.slice(0, 1);
    for (const target of left) {
      if (target.type !== 'identifier') return `an assignment to ${target.text}`;
      if (target.text !== '_' && this.pkg.index.vars.has(target.text)) return `an assignment to the package variable ${target.text}`;
    }
    return null;
  }

  private call(call: SyntaxNode, file: ParsedFile): string | null {
    const fn = call.childForFieldName('function');
    if (!fn) return 'a call';
    const index = this.pkg.index;
    if (fn.type === 'identifier') {
      const name = fn.text;
      if (isLocal(fn, file)) return `a call of the function value ${name}`;
      if (PURE_BUILTINS.has(name) || BASIC_TYPES.has(name)) return null;
      if (index.structs.has(name) || index.namedTypes.has(name)) return null;
      const fns = (index.funcsByName.get(name) ?? []).filter((i) => index.funcs[i]!.recvType === null);
      if (fns.length === 0) return `a call of ${name}()`;
      for (const i of fns) if (this.ofFunction(i)) return `a call of ${name}(), which ${this.ofFunction(i)}`;
      return null;
    }
    if (fn.type === 'parenthesized_expression' || fn.type === 'array_type' || fn.type === 'slice_type') return null;
    if (fn.type !== 'selector_expression') return `a call of ${fn.text}`;
    const operand = fn.childForFieldName('operand');
    const field = fn.childForFieldName('field')?.text ?? '';
    if (operand?.type === 'identifier' && index.imports.has(operand.text) && !isLocal(operand, file) && !index.vars.has(operand.text)) {
      return PURE_PACKAGES.has(operand.text) ? null : `a call of ${fn.text}()`;
    }
    const methods = index.methodsByName.get(field) ?? [];
    if (methods.length > 0) {
      for (const i of methods) {
        const why = this.ofFunction(i);
        if (why) return `a call of ${fn.text}(), which ${why}`;
      }
      return null;
    }
    for (const s of index.structs.values()) if (s.fields.get(field)?.type.trim().startsWith('func')) return `a call of the function value ${fn.text}`;
    return QUERY_METHODS.has(field) ? null : `a call of ${fn.text}(), which may change its receiver`;
  }

  /** Why the body of a package function or method is not side-effect free (null when it is). */
  private ofFunction(i: number): string | null {
    if (this.memo.has(i)) return this.memo.get(i)!;
    this.memo.set(i, 'calls itself'); // recursion is not trusted
    const f = this.pkg.index.funcs[i]!;
    let why: string | null = 'has no body';
    if (f.body) {
      const body = f.file.tree.rootNode.descendantForIndex(f.body.start, f.body.end - 1);
      const inner = this.visit(body, f.file);
      why = inner ? `contains ${inner}` : null;
    }
    this.memo.set(i, why);
    return why;
  }
}

/** Whether an identifier names a local of its function (parameter, `:=`, `var`) rather than a package-level name. */
function isLocal(id: SyntaxNode, file: ParsedFile): boolean {
  const fn = enclosingFunction(id);
  if (!fn) return false;
  const name = id.text.replace(/[$]/g, '\\$&');
  const before = file.text.slice(fn.startIndex, id.startIndex);
  return new RegExp(`\\b${name}\\s*(:=|,[^=\\n]*:=)|\\bvar\\s+${name}\\b|[(,]\\s*${name}\\s+[\\w*\\[]`).test(before);
}
