// atomic-swap: a map that is only ever replaced whole and read (a configuration reloaded by
// building a new map and assigning it) becomes an atomic.Pointer to the map. Readers load the
// current map; writers store the new one. No site may write into a live map: then every map a
// reader loads is never changed again, and the pointer is the only thing goroutines share.
// See README.md beside this file and docs/transforms/atomic-swap.md.
import type { Finding, MapDecl } from '../../src/analysis/model.js';
import type { ParsedFile } from '../../src/analysis/package-index.js';
import type { SharedMap } from '../../src/analysis/rules/shared-map.js';
import type { SyntaxNode } from '../../src/parse/parser.js';
import type { Fix, TextEdit } from '../../src/plan/model.js';
import { decline, declineOverlaps, declining, lineOf } from '../../src/plan/decline.js';
import { ancestorOfType, descendants, enclosingFunction, endOfStatementLine, indentAt, sameNode, unparen } from '../../src/plan/go-syntax.js';
import { freeHelperName, packageDeclEdit } from '../../src/plan/package-decls.js';
import { addressTakenSites, exportedMapApi, goAtLeast, sharedMapOf, type PackageView, type TransformResult } from '../../src/plan/transform.js';
import { goLockName } from '../../src/analysis/rules/lock-names.js';
import { copyHazards, receiverEdits } from '../mutex-wrap/copylocks.js';
import { declarationNode, firstLine, outerParens, references, siteOperand, statementAround } from '../sync-map/accesses.js';
import { removeElement } from '../sync-map/plan.js';

export function planAtomicSwap(finding: Finding, pkg: PackageView): TransformResult {
  return declining(() => build(finding, pkg));
}

/** How the fix treats one place that names the map. */
type Use =
  | { kind: 'read'; file: ParsedFile; ref: SyntaxNode }
  | { kind: 'replace'; file: ParsedFile; ref: SyntaxNode; stmt: SyntaxNode; value: SyntaxNode }
  | { kind: 'init'; file: ParsedFile; ref: SyntaxNode; element: SyntaxNode; value: SyntaxNode };
type ReplaceUse = Extract<Use, { kind: 'replace' }>;

function build(finding: Finding, pkg: PackageView): Fix {
  const shared = sharedMapOf(finding, pkg) ?? decline('the package facts do not know this map');
  const decl = shared.decl;
  if (decl.kind !== 'field' && decl.kind !== 'package-var') {
    decline(`${decl.name} is a ${decl.kind === 'local' ? 'local variable' : decl.kind === 'param' ? 'parameter' : 'named map type'}; atomic-swap rewrites a struct field or a package variable (mutex-wrap applies)`);
  }
  if (!goAtLeast(pkg.goVersion, 19)) decline(`atomic.Pointer is go 1.19 and go.mod says ${pkg.goVersion}; raise the go directive or use mutex-wrap`);
  const api = exportedMapApi(decl, pkg);
  if (api) decline(`changing the type of ${decl.name} would break its importers (${api}); mutex-wrap --style inline keeps the type`);
  const addressed = addressTakenSites(shared, pkg)[0];
  if (addressed) decline(`${addressed.why}; the pointer would point to an atomic.Pointer, not to a map[K]V`);
  const files = new Map(pkg.files.map((f) => [f.rel, f]));
  const refs = references(decl, pkg, files);
  const refKeys = new Set(refs.map((r) => `${r.file.rel}:${r.node.startIndex}:${r.node.endIndex}`));
  // Every access the scan recorded names the map, and (below) every place naming it is one.
  const recorded = new Set<string>();
  for (const s of shared.sites) {
    const op = siteOperand(s, files);
    const key = op ? `${s.span.file}:${op.startIndex}:${op.endIndex}` : '';
    if (!refKeys.has(key)) {
      decline(`${s.span.file}:${s.span.line} reaches ${decl.name} through another variable (${s.text}); only accesses that name the map itself can load it from the pointer`);
    }
    recorded.add(key);
  }
  // A place the scan did not record as an access of this map (`o.routes` of another type with a
  // field of that name, an operand of unknown type, a map copied in from elsewhere) cannot be
  // told to be this map: rewriting it could break code that never touched it.
  const unrecorded = (file: ParsedFile, ref: SyntaxNode) => {
    if (recorded.has(`${file.rel}:${ref.startIndex}:${ref.endIndex}`)) return;
    decline(`${lineOf(file, ref.startIndex)} names ${ref.text}, which the scan could not tell to be ${decl.name} (another type's field of that name, an operand of unknown type, or a map stored from elsewhere); rewriting it could break code that never touches this map`);
  };
  for (const r of refs) {
    const top = outerParens(r.node);
    const keyedElement = r.node.parent?.type === 'literal_element' && r.node.parent.parent?.type === 'keyed_element';
    const assigned = top.parent?.type === 'expression_list' && top.parent.parent?.type === 'assignment_statement' && sameNode(top.parent.parent.childForFieldName('left'), top.parent);
    // `s.m == nil` is no access the scan records; classify declines it, saying why.
    const nilTest = top.parent?.type === 'binary_expression' && /^(==|!=)$/.test(top.parent.child(1)?.type ?? '') && top.parent.namedChildren.some((c) => c.type === 'nil');
    if (!keyedElement && !assigned && !nilTest) unrecorded(r.file, r.node);
  }
  const uses = refs.map((r) => classify(r.file, r.node, decl));
  const replaced = uses.filter((u): u is ReplaceUse => u.kind === 'replace');
  if (replaced.length === 0) decline(`nothing replaces ${decl.name} after it is set up; atomic-swap is for a map that is replaced whole while others read it`);

  const edits: TextEdit[] = [];
  const declFile = declarationNode(decl, files).file;
  const qualifier = atomicQualifier(declFile);
  edits.push(...declarationEdits(decl, files, qualifier));
  const load = loadHelper(pkg);
  const review: string[] = [];
  const grouped = new Set<Use>();
  for (const g of oneLoadPerFunction(uses, decl, load)) {
    edits.push(...g.edits);
    for (const u of g.reads) grouped.add(u);
  }
  for (const u of uses) {
    if (grouped.has(u)) continue;
    if (u.kind === 'read') edits.push({ file: u.file.rel, start: u.ref.startIndex, end: u.ref.endIndex, text: `${load}(&${u.ref.text})` });
    else if (u.kind === 'replace') edits.push(...replaceEdits(u, decl, shared));
    else edits.push(...initEdits(u, decl));
  }
  // Replacements the scan left out (a parameter's map, another value's) were explained above;
  // any other it did not record cannot be told to be this map.
  for (const u of replaced) unrecorded(u.file, u.ref);
  // Null when an earlier run added the helper (freeHelperName picked its name).
  const helper = packageDeclEdit(pkg, load, loadSource(load));
  if (helper) edits.push(...helper.edits);
  if (decl.kind === 'field') {
    const owner = decl.name.split('.')[0]!;
    const copy = copyHazards(owner, pkg);
    if (copy.decline) decline(copy.decline.replace('adding a mutex to', 'giving an atomic.Pointer (which must not be copied) to').replace('would copy the mutex', 'would copy it'));
    const receivers = receiverEdits(owner, pkg);
    if (receivers.length > 0) {
      edits.push(...receivers);
      review.push(`${owner} now holds an atomic.Pointer, which must not be copied, so its ${receivers.length} value receiver${receivers.length === 1 ? ' becomes a pointer receiver' : 's become pointer receivers'}; callers that relied on a copy see shared state`);
    }
  }
  review.push(...lostUpdates(replaced, uses, shared), ...fieldsSetAlongside(replaced, decl, pkg));
  declineOverlaps(edits);
  const reads = uses.filter((u) => u.kind === 'read').length;
  const covers = pkg.findings.filter((f) => f.map.key === decl.key).map((f) => f.id);
  const imports: Record<string, string[]> = { [declFile.rel]: ['sync/atomic'] };
  if (helper) imports[helper.file] = ['sync/atomic'];
  const notes = [
    `${decl.name} becomes an atomic.Pointer[${decl.type.trim()}] (copy-on-write): its ${reads} read${reads === 1 ? '' : 's'} load the current map through ${load}, its ${replaced.length} replacement${replaced.length === 1 ? '' : 's'} store a new map, and no site writes into a map once it is stored, so a map a reader loads never changes again.`,
    `Before the first store ${load} gives a nil map, which reads like the empty map the removed initialiser made.`,
  ];
  if (shared.guard) notes.push(`${goLockName(shared.guard, pkg.index)} still surrounds some accesses; the pointer no longer needs it, but it may keep other steps atomic: remove it only after checking that.`);
  if (review.length > 0) notes.push(`Review: ${review.join('; ')}.`);
  return {
    findingId: finding.id,
    covers: covers.includes(finding.id) ? covers : [finding.id, ...covers],
    transform: 'atomic-swap',
    title: `atomic-swap: ${decl.name} becomes an atomic.Pointer (${reads} load${reads === 1 ? '' : 's'}, ${replaced.length} store${replaced.length === 1 ? '' : 's'})`,
    safety: review.length > 0 ? 'review' : 'safe',
    edits,
    imports,
    reason: notes.join(' '),
  };
}

/**
 * A function that reads the map more than once (`if p, ok := c.m[k]; ok {…}; return c.m[d]`)
 * loads it once, into a local named after the field, before the statement of the first read: its
 * reads then see one map, as they did when no other goroutine replaced it between them. Only where
 * nothing between the first and the last read could replace it in this goroutine: the function
 * stores no map itself, calls nothing between them but builtins and imported packages, does not
 * assign the variable the map is reached through, and has no goto.
 */
function oneLoadPerFunction(uses: Use[], decl: MapDecl, load: string): { reads: Use[]; edits: TextEdit[] }[] {
  const byFn = new Map<string, { fn: SyntaxNode; list: Use[] }>();
  for (const u of uses) {
    const fn = enclosingFunction(u.ref);
    if (!fn) continue;
    const key = `${u.file.rel}:${fn.startIndex}`;
    const group = byFn.get(key) ?? { fn, list: [] };
    group.list.push(u);
    byFn.set(key, group);
  }
  const out: { reads: Use[]; edits: TextEdit[] }[] = [];
  for (const { fn, list } of byFn.values()) {
    if (list.length < 2 || list.some((u) => u.kind !== 'read')) continue;
    const refText = list[0]!.ref.text.replace(/\s+/g, '');
    if (list.some((u) => u.ref.text.replace(/\s+/g, '') !== refText)) continue;
    const body = fn.childForFieldName('body');
    const stmts = body?.namedChildren.find((c) => c.type === 'statement_list')?.namedChildren.filter((c) => c.type !== 'comment') ?? [];
    const file = list[0]!.file;
    const first = list.reduce((a, b) => (b.ref.startIndex < a.ref.startIndex ? b : a));
    const last = list.reduce((a, b) => (b.ref.startIndex > a.ref.startIndex ? b : a));
    const anchor = stmts.find((st) => st.startIndex <= first.ref.startIndex && first.ref.endIndex <= st.endIndex);
    if (!anchor || !body) continue;
    const root = refText.split('.')[0]!;
    const imported = new Set(file.tree.rootNode.descendantsOfType('import_spec').map((sp) => sp.childForFieldName('name')?.text ?? (sp.childForFieldName('path')?.text ?? '').replace(/["`]/g, '').split('/').pop()!));
    let clear = true;
    for (const d of descendants(body)) {
      if (d.type === 'goto_statement' || (d.type === 'func_literal' && d.startIndex < last.ref.endIndex && d.endIndex > first.ref.startIndex)) clear = false;
      if ((d.type === 'assignment_statement' || d.type === 'short_var_declaration' || d.type === 'inc_statement') && new RegExp(`(^|[^\\w.])${root}\\b`).test(d.childForFieldName('left')?.text ?? d.text)) clear = false;
      if (d.type === 'call_expression' && d.startIndex > first.ref.startIndex && d.startIndex < last.ref.startIndex) {
        const f = d.childForFieldName('function');
        const q = f?.type === 'selector_expression' ? f.childForFieldName('operand') : null;
        const builtin = f?.type === 'identifier' && /^(len|cap|append|make|new|copy|panic|min|max|string|int|int64|float64|byte|rune)$/.test(f.text);
        if (!builtin && !(q?.type === 'identifier' && imported.has(q.text))) clear = false;
      }
      if (!clear) break;
    }
    if (!clear) continue;
    const field = decl.name.split('.').pop()!;
    const name = [field, `${field}Now`, `current${field[0]!.toUpperCase()}${field.slice(1)}`].find((n) => !new RegExp(`(^|[^\\w.])${n}\\b`).test(fn.text));
    if (!name) continue;
    const text = file.text;
    const nl = text.includes('\r\n') ? '\r\n' : '\n';
    const edits: TextEdit[] = [{ file: file.rel, start: anchor.startIndex, end: anchor.startIndex, text: `${name} := ${load}(&${list[0]!.ref.text})${nl}${indentAt(text, anchor.startIndex)}` }];
    for (const u of list) edits.push({ file: u.file.rel, start: u.ref.startIndex, end: u.ref.endIndex, text: name });
    out.push({ reads: list, edits });
  }
  return out;
}

const LIVE_WRITE = 'atomic-swap needs every change to build a new map and store it (copy-on-write); mutex-wrap keeps the map as it is';

function classify(file: ParsedFile, ref: SyntaxNode, decl: MapDecl): Use {
  const at = lineOf(file, ref.startIndex);
  // `Owner{field: value}`
  if (decl.kind === 'field' && ref.type === 'identifier' && ref.parent?.type === 'literal_element' && ref.parent.parent?.type === 'keyed_element') {
    const element = ref.parent.parent;
    const value = element.childForFieldName('value')?.namedChildren[0] ?? decline(`cannot read the literal element at ${at}`);
    return { kind: 'init', file, ref, element, value };
  }
  const top = outerParens(ref);
  const p = top.parent ?? decline(`cannot read ${ref.text} at ${at}`);
  if (p.type === 'index_expression' && sameNode(p.childForFieldName('operand'), top)) {
    const q = outerParens(p);
    const qp = q.parent;
    if (qp?.type === 'inc_statement' || qp?.type === 'dec_statement') decline(`${qp.text} at ${at} writes into the live map; ${LIVE_WRITE}`);
    if (qp?.type === 'expression_list' && (qp.parent?.type === 'assignment_statement' || qp.parent?.type === 'range_clause') && sameNode(qp.parent.childForFieldName('left'), qp)) {
      decline(`${firstLine(qp.parent)} at ${at} writes into the live map; ${LIVE_WRITE}`);
    }
    return { kind: 'read', file, ref };
  }
  if (p.type === 'argument_list' && p.parent?.type === 'call_expression') {
    const fname = p.parent.childForFieldName('function')?.text ?? '';
    if (fname === 'len' && sameNode(p.namedChildren[0], top)) return { kind: 'read', file, ref };
    if ((fname === 'delete' || fname === 'clear') && sameNode(p.namedChildren[0], top)) decline(`${firstLine(p.parent)} at ${at} writes into the live map; ${LIVE_WRITE}`);
    decline(`${ref.text} is passed to ${fname}() at ${at}: whoever gets the map could write into it while readers use it; atomic-swap needs every map it stores to stay unchanged`);
  }
  if (p.type === 'range_clause' && sameNode(p.childForFieldName('right'), top)) return { kind: 'read', file, ref };
  if (p.type === 'expression_list' && p.parent?.type === 'assignment_statement' && sameNode(p.parent.childForFieldName('left'), p)) {
    const stmt = p.parent;
    const right = stmt.childForFieldName('right')?.namedChildren ?? [];
    if (p.namedChildCount !== 1 || right.length !== 1 || stmt.child(1)?.type !== '=') decline(`${at} assigns ${ref.text} in a way a Store cannot express (${firstLine(stmt)}); split it first`);
    if (stmt.parent?.type !== 'statement_list' && stmt.parent?.type !== 'block') decline(`${firstLine(stmt)} at ${at} is not a statement of its own; write it as one first`);
    return { kind: 'replace', file, ref, stmt, value: unparen(right[0]!) };
  }
  if (p.type === 'binary_expression' && p.namedChildren.some((c) => c.type === 'nil')) {
    decline(`${firstLine(p)} at ${at} compares ${ref.text} with nil; after the rewrite a map made empty reads as nil before the first store, so the comparison could change`);
  }
  decline(`${ref.text} is handed out or copied at ${at} (${firstLine(statementAround(top))}): whoever gets the map could write into it while readers use it; atomic-swap needs every map it stores to stay unchanged (snapshot-copy hands out a copy)`);
}

/** `atomic.Pointer[T]` in place of the map's type at its declaration. */
function declarationEdits(decl: MapDecl, files: Map<string, ParsedFile>, qualifier: string): TextEdit[] {
  const { file, name } = declarationNode(decl, files);
  const at = lineOf(file, name.startIndex);
  const pointer = (type: string) => `${qualifier}.Pointer[${type}]`;
  if (decl.kind === 'field') {
    const field = ancestorOfType(name, 'field_declaration') ?? decline(`cannot find the field declaration of ${decl.name}`);
    if (field.childrenForFieldName('name').length !== 1) decline(`${decl.name} is declared together with other fields (${at}); give it a line of its own`);
    const type = field.childForFieldName('type') ?? decline(`cannot read the type of ${decl.name}`);
    return [{ file: file.rel, start: type.startIndex, end: type.endIndex, text: pointer(type.text) }];
  }
  const spec = ancestorOfType(name, 'var_spec') ?? decline(`cannot rewrite the declaration of ${decl.name} at ${at}`);
  if (spec.childrenForFieldName('name').length !== 1) decline(`${decl.name} is declared together with other variables (${at}); give it a declaration of its own`);
  const type = spec.childForFieldName('type');
  const value = spec.childForFieldName('value')?.namedChildren[0];
  const typeText = type?.text ?? (value ? literalType(unparen(value)) : null) ?? decline(`the type of ${decl.name} is not written at ${at}; declare it as var ${decl.name} map[K]V first`);
  if (value && !isEmptyMap(unparen(value))) decline(`${decl.name} is initialised with entries at ${at}; store them in init() by hand, or use mutex-wrap`);
  return [{ file: file.rel, start: name.endIndex, end: spec.endIndex, text: ` ${pointer(typeText)}` }];
}

/** The map type a `make(T…)` or `T{…}` spells out, or null. */
function literalType(v: SyntaxNode): string | null {
  if (v.type === 'composite_literal') return v.childForFieldName('type')?.text ?? null;
  if (v.type === 'call_expression' && v.childForFieldName('function')?.text === 'make') return v.childForFieldName('arguments')?.namedChildren[0]?.text ?? null;
  return null;
}

/** nil, `T{}` or `make(T)` / `make(T, n)` with a size that calls nothing. */
function isEmptyMap(v: SyntaxNode): boolean {
  if (v.type === 'nil') return true;
  if (v.type === 'composite_literal') return (v.childForFieldName('body')?.namedChildren ?? []).filter((c) => c.type !== 'comment').length === 0;
  if (v.type === 'call_expression' && v.childForFieldName('function')?.text === 'make') {
    const size = v.childForFieldName('arguments')?.namedChildren.slice(1) ?? [];
    return size.every((a) => ![a, ...descendants(a)].some((d) => d.type === 'call_expression' && !/^(len|cap)$/.test(d.childForFieldName('function')?.text ?? '')));
  }
  return false;
}

/** `s.m = v` → `s.m.Store(&…)`. */
function replaceEdits(u: ReplaceUse, decl: MapDecl, shared: SharedMap): TextEdit[] {
  const at = lineOf(u.file, u.stmt.startIndex);
  const v = u.value;
  const store = (arg: string): TextEdit[] => [{ file: u.file.rel, start: u.stmt.startIndex, end: u.stmt.endIndex, text: `${u.ref.text}.Store(${arg})` }];
  if (v.type === 'nil') return store('nil');
  if (v.type === 'composite_literal') {
    if ([...descendants(v)].some((d) => d.type === 'func_literal')) decline(`the map literal stored at ${at} holds a function literal; move it to a variable first`);
    return store(`&${v.text}`);
  }
  if (v.type === 'call_expression' && v.childForFieldName('function')?.text === 'make') {
    if (!isEmptyMap(v)) decline(`the size argument of make at ${at} calls a function, which the rewrite would drop`);
    return store(`&${literalType(v)}{}`);
  }
  if (v.type === 'identifier') {
    checkOwnMap(u, v.text, decl);
    return store(`&${v.text}`);
  }
  // `s.m = parse(cfg)` where parse returns a map it made itself (the scan checked every callee:
  // RawSite.replacedFrom): the result goes into a local first, whose address is stored.
  const fromOwnCall = v.type === 'call_expression' && shared.sites.some((s) => s.raw.reassign && s.raw.replacedFrom && s.span.file === u.file.rel && s.span.start >= u.stmt.startIndex && s.span.end <= u.stmt.endIndex);
  if (fromOwnCall) {
    const fn = enclosingFunction(u.stmt);
    const field = decl.name.split('.').pop()!;
    const name = [`${field}Next`, `next${field[0]!.toUpperCase()}${field.slice(1)}`].find((n) => !new RegExp(`(^|[^\\w.])${n}\\b`).test(fn?.text ?? ''));
    if (name) {
      const text = u.file.text;
      const nl = text.includes('\r\n') ? '\r\n' : '\n';
      return [{ file: u.file.rel, start: u.stmt.startIndex, end: u.stmt.endIndex, text: `${name} := ${v.text}${nl}${indentAt(text, u.stmt.startIndex)}${u.ref.text}.Store(&${name})` }];
    }
  }
  return decline(`${firstLine(u.stmt)} at ${at} stores a map the function did not build (${firstLine(v)}): whoever else holds it could write into it while readers use it; build the new map in a local variable first`);
}

/**
 * `next := make(…)` … `s.m = next`: the map stored must be one the function built and nobody
 * writes into afterwards: declared here from make, a literal or nil, filled by index only, never
 * handed to anything (a call, a closure, another variable), and not touched after the store but
 * to read it. `Store(&next)` stores the variable's address, so it must not be reassigned either.
 */
function checkOwnMap(u: ReplaceUse, name: string, decl: MapDecl): void {
  const fn = enclosingFunction(u.stmt) ?? decline(`cannot find the function around ${lineOf(u.file, u.stmt.startIndex)}`);
  const at = (n: SyntaxNode) => lineOf(u.file, n.startIndex);
  const why = `atomic-swap stores a map the function built, which nobody changes once it is stored`;
  const body = fn.childForFieldName('body') ?? decline(`cannot read the body of the function around ${at(u.stmt)}`);
  // Its declaration: in this function's body, before the store, from make, a literal or nil.
  let declared: SyntaxNode | null = null;
  for (const d of descendants(body)) {
    if (d.startIndex >= u.stmt.startIndex) break;
    if (d.type === 'short_var_declaration' || d.type === 'var_spec') {
      const names = d.type === 'var_spec' ? d.childrenForFieldName('name') : (d.childForFieldName('left')?.namedChildren ?? []);
      const i = names.findIndex((n) => n.text === name);
      if (i < 0) continue;
      const values = (d.type === 'var_spec' ? d.childForFieldName('value') : d.childForFieldName('right'))?.namedChildren ?? [];
      const value = values[i];
      if (names.length !== values.length && value === undefined && d.type !== 'var_spec') decline(`${name} is declared from a call with several results at ${at(d)}; ${why}`);
      if (value && !isEmptyMap(unparen(value)) && unparen(value).type !== 'composite_literal') decline(`${name} comes from ${firstLine(value)} at ${at(d)}, a map the function did not build; ${why}`);
      declared = d;
    }
  }
  if (!declared) decline(`${name}, stored in ${decl.name} at ${at(u.stmt)}, is not declared in the function that stores it (a parameter or another function's map); ${why}`);
  for (const d of descendants(body)) {
    if (d.type !== 'identifier' || d.text !== name || d.startIndex < declared!.startIndex) continue;
    if (d.startIndex >= u.stmt.startIndex && d.endIndex <= u.stmt.endIndex) continue;
    if (d.startIndex <= declared!.endIndex && d.startIndex >= declared!.startIndex) continue;
    if (ancestorOfType(d, 'func_literal') && !sameNode(ancestorOfType(d, 'func_literal'), ancestorOfType(u.stmt, 'func_literal'))) decline(`a function literal uses ${name} at ${at(d)}; it could change the map after it is stored; ${why}`);
    const top = outerParens(d);
    const p = top.parent;
    const after = d.startIndex > u.stmt.endIndex;
    if (p?.type === 'index_expression' && sameNode(p.childForFieldName('operand'), top)) {
      const qp = outerParens(p).parent;
      const written = qp?.type === 'inc_statement' || qp?.type === 'dec_statement' || (qp?.type === 'expression_list' && sameNode(qp.parent?.childForFieldName('left'), qp));
      if (written && after) decline(`${firstLine(qp!.parent ?? qp!)} at ${at(d)} writes into ${name} after it is stored in ${decl.name}; ${why}`);
      continue;
    }
    if (p?.type === 'argument_list' && p.parent?.type === 'call_expression' && sameNode(p.namedChildren[0], top)) {
      const f = p.parent.childForFieldName('function')?.text ?? '';
      if (f === 'len') continue;
      if ((f === 'delete' || f === 'clear') && !after) continue;
    }
    if (p?.type === 'range_clause' && sameNode(p.childForFieldName('right'), top)) continue;
    decline(`${name} is used at ${at(d)} (${firstLine(p ?? d)}) in a way that could change it, or hand it on, once it is stored in ${decl.name}; ${why}`);
  }
}

/** `Owner{f: v}`: an empty map is left out (nil reads alike); entries are stored right after the statement. */
function initEdits(u: Extract<Use, { kind: 'init' }>, decl: MapDecl): TextEdit[] {
  const v = unparen(u.value);
  if (isEmptyMap(v)) return [removeElement(u.file, u.element)];
  const at = lineOf(u.file, u.element.startIndex);
  if (v.type !== 'composite_literal' || [...descendants(v)].some((d) => d.type === 'call_expression' || d.type === 'func_literal')) {
    decline(`the ${decl.name.split('.')[0]} literal at ${at} sets ${decl.name} to ${firstLine(v)}; set it with Store after the literal by hand`);
  }
  // `x := &Owner{…}` (or `x = …`): the entries go into a Store on x right after the statement.
  let lit = u.element.parent?.parent ?? null;
  if (lit?.parent?.type === 'unary_expression') lit = lit.parent;
  const list = lit?.parent?.type === 'expression_list' ? lit.parent : null;
  const stmt = list?.parent;
  const left = stmt && (stmt.type === 'short_var_declaration' || stmt.type === 'assignment_statement') ? stmt.childForFieldName('left')?.namedChildren ?? [] : [];
  if (!stmt || !list || list.namedChildCount !== 1 || left.length !== 1 || left[0]!.type !== 'identifier' || stmt.parent?.type !== 'statement_list') {
    decline(`the ${decl.name.split('.')[0]} literal at ${at} fills ${decl.name} with entries and is not assigned to a variable of its own; set it with Store after the literal by hand`);
  }
  const text = u.file.text;
  const nl = text.includes('\r\n') ? '\r\n' : '\n';
  const end = endOfStatementLine(text, stmt.endIndex);
  const field = decl.name.split('.')[1]!;
  return [removeElement(u.file, u.element), { file: u.file.rel, start: end, end, text: `${nl}${indentAt(text, stmt.startIndex)}${left[0]!.text}.${field}.Store(&${v.text})` }];
}

/**
 * Replacements that build on the map they replace (`next := clone(s.m)` … `s.m = next`) lose an
 * update when two run at once, unless one lock is held at every replacement.
 */
function lostUpdates(replaced: ReplaceUse[], uses: Use[], shared: SharedMap): string[] {
  const writes = shared.sites.filter((s) => s.kind === 'write' && s.raw.reassign);
  const common = writes[0]?.locks.filter((l) => l.mode === 'write' && writes.every((w) => w.locks.some((x) => x.name === l.name && x.mode === 'write'))) ?? [];
  if (common.length > 0 || replaced.length === 0) return [];
  const out: string[] = [];
  for (const r of replaced) {
    const fn = enclosingFunction(r.stmt);
    const readBefore = uses.find((u) => u.kind === 'read' && u.file === r.file && sameNode(enclosingFunction(u.ref), fn) && u.ref.startIndex < r.stmt.startIndex);
    if (readBefore) {
      out.push(`${lineOf(r.file, r.stmt.startIndex)} stores a map built after reading ${lineOf(readBefore.file, readBefore.ref.startIndex)}; two such updates at once would lose one, so if they can run concurrently keep them under one lock (or loop on CompareAndSwap)`);
    }
  }
  return out;
}

/**
 * A reload that sets other fields of the same value where it swaps the map (`cb.Enabled = on` …
 * `cb.limitations = next`): readers of those fields see them change apart from the map, and read
 * without a lock they still race. gomapfix fixes maps only, so the fix says so and asks for review
 * (a reviewer of seaweedfs' circuit breaker wanted one snapshot of both). Fields of atomic or sync
 * types are left out.
 */
function fieldsSetAlongside(replaced: ReplaceUse[], decl: MapDecl, pkg: PackageView): string[] {
  if (decl.kind !== 'field') return [];
  const [owner, field] = decl.name.split('.') as [string, string];
  const fields = pkg.index.structs.get(owner)?.fields;
  const out: string[] = [];
  for (const r of replaced) {
    const holder = r.ref.type === 'selector_expression' ? r.ref.childForFieldName('operand')?.text : undefined;
    const body = enclosingFunction(r.stmt)?.childForFieldName('body');
    if (!holder || !body) continue;
    const set: string[] = [];
    for (const d of descendants(body)) {
      if (d.type !== 'assignment_statement' || sameNode(d, r.stmt)) continue;
      for (const l of d.childForFieldName('left')?.namedChildren ?? []) {
        const f = l.type === 'selector_expression' ? l.childForFieldName('field')?.text : undefined;
        if (!f || f === field || l.childForFieldName('operand')?.text !== holder) continue;
        const type = fields?.get(f)?.type ?? '';
        if (!fields?.has(f) || /\b(atomic|sync)\./.test(type)) continue;
        const at = `${holder}.${f} (${lineOf(r.file, d.startIndex)})`;
        if (!set.includes(at)) set.push(at);
      }
    }
    if (set.length > 0) {
      out.push(`${lineOf(r.file, r.stmt.startIndex)} swaps the map in a function that also sets ${set.slice(0, 3).join(', ')}${set.length > 3 ? ' and more' : ''}: readers see those change apart from the map, and where they read them without a lock that still races; gomapfix fixes maps only (swap one snapshot holding them all, or guard them)`);
    }
  }
  return out;
}

/** The name the declaring file gives sync/atomic (it is imported there if it is not yet). */
function atomicQualifier(file: ParsedFile): string {
  for (const spec of file.tree.rootNode.descendantsOfType('import_spec')) {
    const path = spec.childForFieldName('path')?.text.replace(/["`]/g, '') ?? '';
    const alias = spec.childForFieldName('name')?.text;
    if (path === 'sync/atomic') {
      if (alias === '.' || alias === '_') decline(`${file.rel} imports sync/atomic as ${alias}; import it by name first`);
      return alias ?? 'atomic';
    }
    if (alias === 'atomic' || (!alias && /(^|\/)atomic$/.test(path))) decline(`${file.rel} imports ${path} as atomic; importing sync/atomic there would clash`);
  }
  return 'atomic';
}

/** The generic read helper, added once per package. */
function loadSource(name: string): string {
  return `// ${name} returns the map p points to, or nil before anything is stored (a nil map reads like an\n// empty one). Added by gomapfix's atomic-swap: the maps it loads are never written into.\nfunc ${name}[M any](p *atomic.Pointer[M]) M {\n\tif m := p.Load(); m != nil {\n\t\treturn *m\n\t}\n\tvar zero M\n\treturn zero\n}`;
}

/** The read helper's name: `loadMap` unless the package declares something else by it. */
function loadHelper(pkg: PackageView): string {
  return freeHelperName(pkg, 'loadMap', loadSource);
}
