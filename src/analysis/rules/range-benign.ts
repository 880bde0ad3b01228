// Whether inserting into the map a range visits can change what the loop computes. The Go spec:
// "If a map entry is created during iteration, that entry may be produced during the iteration
// or may be skipped." That only matters when running the body for a new entry changes the
// result; for a key normaliser (`m[strings.ToLower(k)] = v`) it does not (docs/calls-and-ranges.md).
import type { SyntaxNode } from '../../parse/parser.js';
import type { ParsedFile } from '../package-index.js';
import { maskCommentsAndStrings } from '../text-callees.js';

/** Functions f with f(f(x)) == f(x): visiting a key they produced normalises it to itself. */
const IDEMPOTENT = new Set([
  'strings.ToLower',
  'strings.ToUpper',
  'strings.TrimSpace',
  'http.CanonicalHeaderKey',
  'textproto.CanonicalMIMEHeaderKey',
  'path.Clean',
  'filepath.Clean',
]);

/**
 * A range `for k, v := range M` whose body only moves each entry to a normalised key:
 * `M[f(k)] = v`, `delete(M, k); M[f(k)] = v`, optionally through `nk := f(k)` and guarded by
 * `if nk != k`, with f idempotent. Running the body for an entry it created (key f(k), value
 * v) stores v under f(f(k)) = f(k) again, after deleting that same key at most: no change, so
 * whether the new entries are visited does not matter.
 */
export function isNormalisingRange(file: ParsedFile, rangeStart: number, mapText: string): boolean {
  // A lazily parsed file has its converted bodies in `bodyTree` (analyze.ts).
  let node: SyntaxNode | null = null;
  for (const tree of [file.bodyTree, file.tree]) {
    node = tree ? tree.rootNode.descendantForIndex(rangeStart) : null;
    while (node && !(node.type === 'for_statement' && node.startIndex === rangeStart)) node = node.parent;
    if (node) break;
  }
  if (!node) return false;
  const clause = node.namedChildren.find((c) => c.type === 'range_clause');
  const left = clause?.childForFieldName('left');
  const ids = left?.type === 'expression_list' ? left.namedChildren : [];
  if (ids.length !== 2 || ids.some((i) => i.type !== 'identifier' || i.text === '_')) return false;
  const k = ids[0]!.text;
  const v = ids[1]!.text;
  const body = node.childForFieldName('body');
  if (!body) return false;
  let stmts = statements(body);
  // Leading `nk := f(k)`, or the same as the initializer of a lone `if nk != k { … }`.
  let alias: string | null = null;
  const takeAlias = (s: SyntaxNode): boolean => {
    const l = s.childForFieldName('left');
    const r = s.childForFieldName('right');
    if (s.type !== 'short_var_declaration' || l?.namedChildCount !== 1 || r?.namedChildCount !== 1) return false;
    if (l.namedChildren[0]!.type !== 'identifier' || !isNormalised(r.namedChildren[0]!, k, null)) return false;
    alias = l.namedChildren[0]!.text;
    return alias !== k && alias !== v;
  };
  if (stmts[0] && stmts[0].type === 'short_var_declaration') {
    if (!takeAlias(stmts[0])) return false;
    stmts = stmts.slice(1);
  }
  if (stmts.length === 1 && stmts[0]!.type === 'if_statement') {
    const s = stmts[0]!;
    if (s.childForFieldName('alternative')) return false;
    const init = s.childForFieldName('initializer');
    if (init && (alias !== null || !takeAlias(init))) return false;
    const cond = s.childForFieldName('condition');
    if (!cond || !isChangedTest(cond, k, alias)) return false;
    const then = s.childForFieldName('consequence');
    if (!then) return false;
    stmts = statements(then);
  }
  // `delete(M, k)` at most once, before the insert; then exactly `M[f(k)] = v`.
  if (stmts.length === 2) {
    if (!isDeleteOf(stmts[0]!, mapText, k)) return false;
    stmts = stmts.slice(1);
  }
  if (stmts.length !== 1) return false;
  const a = stmts[0]!;
  if (a.type !== 'assignment_statement' || operatorOf(a) !== '=') return false;
  const lhs = a.childForFieldName('left');
  const rhs = a.childForFieldName('right');
  if (lhs?.namedChildCount !== 1 || rhs?.namedChildCount !== 1) return false;
  const target = lhs.namedChildren[0]!;
  if (target.type !== 'index_expression' || squash(target.childForFieldName('operand')?.text) !== squash(mapText)) return false;
  const index = target.childForFieldName('index');
  return !!index && isNormalised(index, k, alias) && rhs.namedChildren[0]!.type === 'identifier' && rhs.namedChildren[0]!.text === v;
}

function statements(block: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (const c of block.namedChildren) {
    if (c.type === 'comment') continue;
    if (c.type === 'statement_list') out.push(...c.namedChildren.filter((s) => s.type !== 'comment'));
    else out.push(c);
  }
  return out;
}

/** `f(k)` with f idempotent, or the alias holding it. */
function isNormalised(n: SyntaxNode, k: string, alias: string | null): boolean {
  if (n.type === 'parenthesized_expression' && n.namedChildren[0]) return isNormalised(n.namedChildren[0], k, alias);
  if (n.type === 'identifier') return alias !== null && n.text === alias;
  if (n.type !== 'call_expression') return false;
  const f = n.childForFieldName('function');
  const args = n.childForFieldName('arguments')?.namedChildren ?? [];
  return !!f && IDEMPOTENT.has(squash(f.text)) && args.length === 1 && args[0]!.type === 'identifier' && args[0]!.text === k;
}

/** `nk != k`, `k != nk`, `f(k) != k` or `k != f(k)`. */
function isChangedTest(cond: SyntaxNode, k: string, alias: string | null): boolean {
  if (cond.type !== 'binary_expression' || operatorOf(cond) !== '!=') return false;
  const l = cond.childForFieldName('left');
  const r = cond.childForFieldName('right');
  if (!l || !r) return false;
  const isK = (n: SyntaxNode) => n.type === 'identifier' && n.text === k;
  return (isK(l) && isNormalised(r, k, alias)) || (isK(r) && isNormalised(l, k, alias));
}

function isDeleteOf(s: SyntaxNode, mapText: string, k: string): boolean {
  const call = s.type === 'expression_statement' ? s.namedChildren[0] : null;
  if (!call || call.type !== 'call_expression' || call.childForFieldName('function')?.text !== 'delete') return false;
  const args = call.childForFieldName('arguments')?.namedChildren ?? [];
  return args.length === 2 && squash(args[0]!.text) === squash(mapText) && args[1]!.type === 'identifier' && args[1]!.text === k;
}

function operatorOf(n: SyntaxNode): string | null {
  const op = n.childForFieldName('operator');
  return op ? op.type : null;
}

function squash(s: string | undefined): string {
  return (s ?? '').replace(/\s+/g, '');
}

/**
 * Whether the range body gives the key variable a new value (`k = …`, `k += …`, `k++`, or a
 * new `k` in an inner scope), after which `m[k] = …` is no longer an update of the visited entry.
 */
export function rebindsKey(text: string, bodyStart: number, bodyEnd: number, key: string): boolean {
  const body = maskCommentsAndStrings(text.slice(bodyStart, bodyEnd));
  const k = key.replace(/[$]/g, '\\$&');
  return (
    new RegExp(`(?<![\\w.])${k}\\s*(?:[-+*/%&|^]|<<|>>|&\\^)?:?=(?!=)`).test(body) ||
    new RegExp(`(?<![\\w.])${k}\\s*(?:\\+\\+|--)`).test(body) ||
    new RegExp(`(?<![\\w.])${k}\\s*,[^=!<>\\n;{}()]*:?=(?!=)`).test(body)
  );
}
