// Every place the package names the map, each read as one sync.Map operation, or the reason it
// cannot be. The scan's access sites say which map a name resolves to; the syntax says what the
// place does with it (a store, a comma-ok read, a range…), including the uses the scan does not
// record as accesses (`m == nil`, `x := m`, passing m to a function of the package).
import type { MapDecl } from '../../src/analysis/model.js';
import type { ResolvedSite } from '../../src/analysis/concurrency.js';
import type { ParsedFile } from '../../src/analysis/package-index.js';
import type { SyntaxNode } from '../../src/parse/parser.js';
import type { PackageView } from '../../src/plan/transform.js';
import { ancestors, descendants, enclosingFunction, nodeAt, sameNode, unparen } from '../../src/plan/go-syntax.js';
import { rangeParts, type RangeParts } from './range-body.js';
import { inTreeOrder, leavesNamed, nameNodes } from '../../src/plan/occurrences.js';

import { decline, lineOf } from '../../src/plan/decline.js';

export { Decline, decline } from '../../src/plan/decline.js';

/** `input.go:12` for a node. */
export function where(file: ParsedFile, n: SyntaxNode): string {
  return lineOf(file, n.startIndex);
}

interface AccessBase {
  file: ParsedFile;
  /** The map expression as written (`visits`, `s.items`). */
  ref: SyntaxNode;
  /** The innermost function the access runs in (declaration or literal). */
  fn: SyntaxNode | null;
  site: ResolvedSite | undefined;
}

export type MapAccess =
  | (AccessBase & { kind: 'store'; stmt: SyntaxNode; key: SyntaxNode; value: SyntaxNode })
  | (AccessBase & { kind: 'load'; index: SyntaxNode; key: SyntaxNode; commaOk: boolean; bound: SyntaxNode | null })
  | (AccessBase & { kind: 'delete'; call: SyntaxNode; key: SyntaxNode })
  | (AccessBase & { kind: 'clear'; call: SyntaxNode })
  | (AccessBase & { kind: 'range'; parts: RangeParts })
  /** `m = make(…)` while the value is being built, or `field: make(…)` in a literal of the owner. */
  | (AccessBase & { kind: 'construct'; remove: SyntaxNode; value: SyntaxNode; element: boolean });



/** The outermost parenthesised expression around n (n itself when there is none). */
export function outerParens(n: SyntaxNode): SyntaxNode {
  // ancestors(), not `.parent` per level: each `.parent` costs the node's depth.
  let cur = n;
  for (const a of ancestors(n)) {
    if (a.type !== 'parenthesized_expression') break;
    cur = a;
  }
  return cur;
}

function spanKey(file: string, n: { startIndex: number; endIndex: number }): string {
  return `${file}:${n.startIndex}:${n.endIndex}`;
}

/** The map expression a scan site applies to: the operand of `m[k]`, the argument of delete/len/clear, the range expression. */
export function siteOperand(site: ResolvedSite, files: Map<string, ParsedFile>): SyntaxNode | null {
  const file = files.get(site.span.file);
  if (!file) return null;
  const n = nodeAt(file, site.span.start, site.span.end);
  switch (n.type) {
    case 'index_expression': {
      const op = n.childForFieldName('operand');
      return op ? unparen(op) : null;
    }
    case 'call_expression': {
      const first = n.childForFieldName('arguments')?.namedChildren[0];
      return first ? unparen(first) : null;
    }
    case 'for_statement': {
      const right = n.namedChildren.find((c) => c.type === 'range_clause')?.childForFieldName('right');
      return right ? unparen(right) : null;
    }
    default:
      return unparen(n);
  }
}

/** The statement that declares the map (var spec, short variable declaration or field declaration). */
export function declarationNode(decl: MapDecl, files: Map<string, ParsedFile>): { file: ParsedFile; name: SyntaxNode } {
  const file = files.get(decl.span.file) ?? decline(`the declaration of ${decl.name} is not in the scanned files`);
  const name = nodeAt(file, decl.span.start, decl.span.end);
  return { file, name };
}

const OPERAND_MAPS = new WeakMap<PackageView['flow'], Map<string, Set<string>>>();

/** For each map expression of a scan site (by file and span), the maps it is a site of; once per package. */
function operandMaps(pkg: PackageView, files: Map<string, ParsedFile>): Map<string, Set<string>> {
  let memo = OPERAND_MAPS.get(pkg.flow);
  if (memo) return memo;
  memo = new Map();
  for (const s of pkg.flow.sites) {
    const op = siteOperand(s, files);
    if (!op) continue;
    const key = spanKey(s.span.file, op);
    const maps = memo.get(key) ?? new Set<string>();
    maps.add(s.map);
    memo.set(key, maps);
  }
  OPERAND_MAPS.set(pkg.flow, memo);
  return memo;
}

/** Every place the map is named, except its declaration. */
export function references(decl: MapDecl, pkg: PackageView, files: Map<string, ParsedFile>): { file: ParsedFile; node: SyntaxNode }[] {
  const operands = operandMaps(pkg, files);
  const otherDecls = new Set<string>();
  for (const d of pkg.flow.maps.values()) if (d.key !== decl.key) otherDecls.add(`${d.span.file}:${d.span.start}`);
  const otherOperand = (key: string) => [...(operands.get(key) ?? [])].some((m) => m !== decl.key);
  const own = (file: ParsedFile, n: SyntaxNode) => !otherOperand(spanKey(file.rel, n)) && !otherDecls.has(`${file.rel}:${n.startIndex}`);
  const out: { file: ParsedFile; node: SyntaxNode }[] = [];
  const name = decl.name.split('.').pop()!;
  if (decl.kind === 'field') {
    const owner = decl.name.split('.')[0]!;
    for (const file of pkg.files) {
      // The nodes a walk of the whole tree would stop at, in its order: selectors `x.name` and
      // keyed elements `name: …` (the key is the name itself, or a literal element around it).
      const hits: SyntaxNode[] = [];
      for (const n of nameNodes(file, name)) {
        const p = n.parent;
        if (!p) continue;
        if (n.type === 'field_identifier' && p.type === 'selector_expression' && sameNode(p.childForFieldName('field'), n)) hits.push(p);
        const keyed = p.type === 'keyed_element' ? p : p.type === 'literal_element' && p.parent?.type === 'keyed_element' ? p.parent : null;
        const key = keyed?.childForFieldName('key');
        if (keyed && key && (sameNode(key, n) || sameNode(key, p))) hits.push(keyed);
      }
      for (const n of inTreeOrder(hits)) {
        if (n.type === 'selector_expression' && own(file, n)) out.push({ file, node: n });
        // `Owner{field: …}`: a key of a keyed element in a literal of the owner type.
        const key = n.type === 'keyed_element' ? n.childForFieldName('key') : null;
        if (key && key.text === name) {
          const lit = n.parent?.parent;
          if (lit?.type === 'composite_literal' && lit.childForFieldName('type')?.text === owner) out.push({ file, node: key.namedChildren[0] ?? key });
        }
      }
    }
    return out;
  }
  if (decl.kind === 'local') {
    const file = files.get(decl.span.file)!;
    const fn = pkg.index.funcs[decl.ownerFunc!]!;
    const fnNode = file.tree.rootNode.descendantForIndex(fn.start, fn.end - 1);
    for (const n of descendants(fnNode)) {
      if (n.type === 'identifier' && n.text === name && n.startIndex > decl.span.start && own(file, n)) out.push({ file, node: n });
    }
    return out;
  }
  for (const file of pkg.files) {
    for (const n of leavesNamed(file, 'identifier', name)) {
      if (file.rel === decl.span.file && n.startIndex === decl.span.start) continue;
      if (own(file, n)) out.push({ file, node: n });
    }
  }
  return out;
}

/** Reads every reference of the map as a sync.Map operation; declines at the first that is not one. */
export function mapAccesses(decl: MapDecl, sites: ResolvedSite[], pkg: PackageView, files: Map<string, ParsedFile>): MapAccess[] {
  const refs = references(decl, pkg, files);
  const siteByOperand = new Map<string, ResolvedSite>();
  for (const s of sites) {
    const op = siteOperand(s, files);
    if (op) siteByOperand.set(spanKey(s.span.file, op), s);
  }
  const accesses = refs.map((r) => classify(r.file, r.node, decl, siteByOperand.get(spanKey(r.file.rel, r.node))));
  const refKeys = new Set(refs.map((r) => spanKey(r.file.rel, r.node)));
  for (const s of sites) {
    const op = siteOperand(s, files);
    if (!op || !refKeys.has(spanKey(s.span.file, op))) {
      decline(`${s.span.file}:${s.span.line} reaches ${decl.name} through another variable (${s.text}); only accesses that name the map itself can become sync.Map calls`);
    }
  }
  return accesses;
}

function classify(file: ParsedFile, ref: SyntaxNode, decl: MapDecl, site: ResolvedSite | undefined): MapAccess {
  const at = where(file, ref);
  const base = { file, ref, fn: enclosingFunction(ref), site };
  // `Owner{field: make(…)}`
  if (decl.kind === 'field' && ref.type === 'identifier' && ref.parent?.type === 'literal_element' && ref.parent.parent?.type === 'keyed_element') {
    const element = ref.parent.parent;
    const value = element.childForFieldName('value')?.namedChildren[0];
    if (!value) decline(`cannot read the literal element at ${at}`);
    return { ...base, kind: 'construct', remove: element, value: value!, element: true };
  }
  const top = outerParens(ref);
  const p = top.parent;
  if (!p) return decline(`cannot read ${ref.text} at ${at}`);
  if (p.type === 'index_expression' && sameNode(p.childForFieldName('operand'), top)) return indexAccess(file, p, decl, base);
  if (p.type === 'argument_list' && p.parent?.type === 'call_expression') {
    const call = p.parent;
    const fname = call.childForFieldName('function')?.text ?? '';
    const args = p.namedChildren;
    if (sameNode(args[0], top)) {
      if (fname === 'delete' && args[1]) return { ...base, kind: 'delete', call, key: args[1] };
      if (fname === 'clear') return { ...base, kind: 'clear', call };
      if (fname === 'len') {
        return decline(`len(${ref.text}) at ${at}: sync.Map has no length, and counting with Range is O(n) and no snapshot; keep a separate counter or use mutex-wrap`);
      }
    }
    return decline(`${ref.text} is passed to ${fname}() at ${at}, which expects the map itself (a map[K]V); a sync.Map cannot be passed there`);
  }
  if (p.type === 'range_clause' && sameNode(p.childForFieldName('right'), top) && p.parent?.type === 'for_statement') {
    const parts = rangeParts(p.parent) ?? decline(`cannot read the range at ${at}`);
    return { ...base, kind: 'range', parts };
  }
  if (p.type === 'expression_list' && p.parent?.type === 'assignment_statement' && sameNode(p.parent.childForFieldName('left'), p)) {
    const stmt = p.parent;
    const right = stmt.childForFieldName('right')?.namedChildren ?? [];
    if (p.namedChildCount !== 1 || right.length !== 1 || stmt.child(1)?.type !== '=') decline(`${at} assigns ${ref.text} in a way a sync.Map cannot be (${firstLine(stmt)})`);
    return { ...base, kind: 'construct', remove: stmt, value: right[0]!, element: false };
  }
  return decline(`${ref.text} is ${usage(top)} at ${at} (${firstLine(statementAround(top))}); a sync.Map cannot be used that way`);
}

function indexAccess(file: ParsedFile, index: SyntaxNode, decl: MapDecl, base: AccessBase): MapAccess {
  const at = where(file, index);
  const key = index.childForFieldName('index') ?? decline(`cannot read the index at ${at}`);
  const q = outerParens(index);
  const qp = q.parent;
  if (qp?.type === 'inc_statement' || qp?.type === 'dec_statement') {
    return decline(`${qp.text} at ${at} is a read-modify-write: sync.Map cannot make it one atomic step (use mutex-wrap)`);
  }
  if (qp?.type === 'expression_list' && qp.parent?.type === 'assignment_statement' && sameNode(qp.parent.childForFieldName('left'), qp)) {
    const stmt = qp.parent;
    const op = stmt.child(1)?.type ?? '';
    if (op !== '=') return decline(`${firstLine(stmt)} at ${at} is a read-modify-write (${op}): sync.Map cannot make it one atomic step (use mutex-wrap)`);
    const right = stmt.childForFieldName('right')?.namedChildren ?? [];
    if (qp.namedChildCount !== 1 || right.length !== 1) return decline(`${firstLine(stmt)} at ${at} assigns ${decl.name} in a multiple assignment; split it first`);
    return { ...base, kind: 'store', stmt, key, value: right[0]! };
  }
  if (qp?.type === 'expression_list' && qp.parent?.type === 'range_clause') return decline(`${at} ranges into ${index.text}; a sync.Map entry cannot be a range variable`);
  // `m[k][i] = v`, `m[k].f++`: the value stored under k is changed in place.
  let chain = q;
  while (chain.parent && (chain.parent.type === 'index_expression' || chain.parent.type === 'selector_expression' || chain.parent.type === 'parenthesized_expression') && sameNode(chain.parent.namedChildren[0], chain)) chain = chain.parent;
  if (!sameNode(chain, q) && isChanged(chain)) {
    return decline(`${firstLine(statementAround(chain))} at ${at} changes the value stored in ${decl.name} in place; sync.Map does not guard a value's contents (use mutex-wrap)`);
  }
  const holder = qp?.type === 'expression_list' ? qp.parent : null;
  const lefts = holder?.type === 'var_spec' ? holder.childrenForFieldName('name') : (holder?.childForFieldName('left')?.namedChildren ?? []);
  const isRight = !!holder && qp!.namedChildCount === 1 && ['short_var_declaration', 'assignment_statement', 'var_spec'].includes(holder.type) && sameNode(holder.childForFieldName(holder.type === 'var_spec' ? 'value' : 'right'), qp);
  const commaOk = isRight && lefts.length === 2;
  const bound = isRight && lefts[0]?.type === 'identifier' && lefts[0].text !== '_' ? lefts[0] : null;
  return { ...base, kind: 'load', index, key, commaOk, bound };
}

/** Whether an expression is assigned to, incremented or has its address taken. */
export function isChanged(n: SyntaxNode): boolean {
  const top = outerParens(n);
  const p = top.parent;
  if (!p) return false;
  if (p.type === 'inc_statement' || p.type === 'dec_statement') return true;
  if (p.type === 'unary_expression' && p.child(0)?.type === '&') return true;
  return p.type === 'expression_list' && p.parent?.type === 'assignment_statement' && sameNode(p.parent.childForFieldName('left'), p);
}

function usage(top: SyntaxNode): string {
  const p = top.parent!;
  const holder = p.type === 'expression_list' ? p.parent : p;
  switch (holder?.type) {
    case 'return_statement':
      return 'returned';
    case 'send_statement':
      return 'sent on a channel';
    case 'unary_expression':
      return 'taken by address';
    case 'binary_expression':
      return 'compared or combined';
    case 'short_var_declaration':
    case 'assignment_statement':
    case 'var_spec':
      return 'copied into another variable';
    case 'literal_element':
    case 'keyed_element':
      return 'stored in a composite literal';
    default:
      return 'used as a map value';
  }
}

export function statementAround(n: SyntaxNode): SyntaxNode {
  for (let cur: SyntaxNode | null = n; cur; cur = cur.parent) {
    if (cur.parent?.type === 'statement_list' || cur.parent?.type === 'source_file' || cur.parent?.type === 'block') return cur;
  }
  return n;
}

export function firstLine(n: SyntaxNode): string {
  const line = n.text.split('\n')[0]!.trim();
  return line.length > 60 ? `${line.slice(0, 57)}...` : line;
}
