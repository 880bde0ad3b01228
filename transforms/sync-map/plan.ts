// sync-map: the map becomes a sync.Map and every access in the package a sync.Map call. A fix is
// all or nothing: one access that cannot be expressed faithfully declines the whole fix.
import type { Finding, MapDecl } from '../../src/analysis/model.js';
import type { ParsedFile } from '../../src/analysis/package-index.js';
import type { SharedMap } from '../../src/analysis/rules/shared-map.js';
import { isWrite } from '../../src/analysis/conflicts.js';
import { splitMapType, normType } from '../../src/analysis/types.js';
import type { SyntaxNode } from '../../src/parse/parser.js';
import type { Fix, TextEdit } from '../../src/plan/model.js';
import { addressTakenSites, exportedMapApi, goAtLeast, sharedMapOf, type PackageView } from '../../src/plan/transform.js';
import { ancestorOfType, descendants, endOfStatementLine, lineStart, sameNode, statementsOfList, unparen } from '../../src/plan/go-syntax.js';
import { freeHelperName, packageDeclEdit } from '../../src/plan/package-decls.js';
import { declineOverlaps } from '../../src/plan/decline.js';
import { compositeLiteralsOf } from '../../src/plan/occurrences.js';
import { copyHazards, receiverEdits } from '../mutex-wrap/copylocks.js';
import { Decline, decline, declarationNode, firstLine, isChanged, mapAccesses, statementAround, where, type MapAccess } from './accesses.js';
import { asType, assertionCannotFail, HelperNameError, readHelpers } from './go-types.js';
import { rangeEdits, rangeJumps } from './range-body.js';
import { accessPattern, type Fit } from './pattern.js';
import { checkThenActs, type CheckThenAct } from './check-then-act.js';
import { goLockName } from '../../src/analysis/rules/lock-names.js';
import { isOwnerLock } from '../../src/analysis/owner-locks.js';

export interface SyncMapPlan {
  fix: Fix;
  shared: SharedMap;
  accesses: MapAccess[];
  fit: Fit;
}

export type SyncMapResult = { plan: SyncMapPlan } | { declined: string };

/** Plans the sync.Map rewrite of the finding's map, or says why it cannot be faithful. */
export function planSyncMap(finding: Finding, pkg: PackageView): SyncMapResult {
  try {
    return { plan: build(finding, pkg) };
  } catch (err) {
    if (err instanceof Decline) return { declined: err.message };
    if (err instanceof HelperNameError) {
      return { declined: `${err.message}; with go < 1.18 (go.mod says ${pkg.goVersion}) reads need one non-generic helper per value type: raise the go directive to 1.18 or use mutex-wrap` };
    }
    throw err;
  }
}

/** A replacement whose text may contain the rewritten text of the accesses nested in it. */
interface Spec {
  file: string;
  start: number;
  end: number;
  build(render: (n: SyntaxNode) => string): string;
}

function build(finding: Finding, pkg: PackageView): SyncMapPlan {
  const shared = sharedMapOf(finding, pkg) ?? decline('the package facts do not know this map');
  const decl = shared.decl;
  const api = exportedMapApi(decl, pkg);
  if (api) decline(`changing the type of ${decl.name} would break its importers (${api}); mutex-wrap --style inline keeps the type`);
  const addressed = addressTakenSites(shared, pkg)[0];
  if (addressed) decline(`${addressed.why}; the pointer would point to a sync.Map, not to a map[K]V`);
  if (finding.rule === 'map-escapes-lock') {
    decline(`the map leaves its lock (${finding.message.replace(/\.$/, '')}); a sync.Map cannot be handed out where a map[K]V is expected (snapshot-copy applies)`);
  }
  if (finding.rule === 'map-mutated-during-range' && shared.conflicts.length === 0) {
    decline('the range inserts into the map it ranges over in a single goroutine: there is no race for sync.Map to fix (collect-then-delete applies)');
  }
  if (decl.kind === 'param') decline(`${decl.name} is a parameter: the map belongs to the callers, who pass a map[K]V; fix the map they pass`);
  if (decl.kind === 'named-type') decline(`${decl.name} is a named map type used as a receiver: its methods need a map, which a sync.Map is not`);
  const shape =
    splitMapType(decl.type) ??
    decline(
      pkg.index.namedTypes.has(decl.type.trim())
        ? `${decl.name} has the named map type ${decl.type}; code that expects that type cannot take a sync.Map`
        : `the type of ${decl.name} is not written out (${decl.type}); declare it as map[K]V first`,
    );
  const keyType = normType(shape.key);
  const valueType = normType(shape.value);
  const generics = goAtLeast(pkg.goVersion, 18);
  const anyType = generics ? 'any' : 'interface{}';
  const files = new Map(pkg.files.map((f) => [f.rel, f]));

  const declared = declarationEdits(decl, files, pkg);
  const accesses = mapAccesses(decl, shared.sites, pkg, files);
  const locked = lockedPair(shared, pkg);
  const fused = checkThenActs(accesses, pkg, (a, b) => !locked(a, b));
  checkAccesses(accesses, decl, pkg, locked, fused);

  const helpers = readHelpers(generics, anyType, (base, source) => freeHelperName(pkg, base, source));
  const specs: Spec[] = [];
  const fixed: TextEdit[] = [...declared.edits];
  const key = (n: SyntaxNode, render: (n: SyntaxNode) => string) => asType(n, keyType, pkg, { nilNeedsConversion: true }, render(n));
  const value = (n: SyntaxNode, render: (n: SyntaxNode) => string) => asType(n, valueType, pkg, { nilNeedsConversion: false }, render(n));
  const inFusion = new Set<MapAccess>(fused.flatMap((f) => [f.load, f.act]));
  for (const f of fused) {
    const file = f.load.file.rel;
    const m = f.load.ref.text;
    const call = (r: (n: SyntaxNode) => string) => (f.op === 'LoadOrStore' ? `${m}.LoadOrStore(${key(f.load.key, r)}, ${value(f.value!, r)})` : `${m}.LoadAndDelete(${key(f.load.key, r)})`);
    const node = f.replace.node;
    if (f.replace.form === 'statement') {
      // Nothing reads the result: the pair is one call (a bare delete when only the delete is left).
      const bare = (r: (n: SyntaxNode) => string) => (f.op === 'LoadAndDelete' ? `${m}.Delete(${key(f.load.key, r)})` : call(r));
      specs.push({ file, start: node.startIndex, end: node.endIndex, build: bare });
    } else {
      const lefts = f.load.index.parent?.parent?.childForFieldName('left')?.namedChildren ?? [];
      const blank = (n: SyntaxNode | undefined) => n?.text === '_' || f.blanks.some((b) => sameNode(b, n));
      const typed = !blank(lefts[0]);
      // `v, _ :=` is just `v :=`, read with the single-value helper.
      const single = typed && blank(lefts[1]);
      specs.push({ file, start: node.startIndex, end: node.endIndex, build: (r) => (single ? helpers.value(valueType, call(r)) : typed ? helpers.load(valueType, call(r)) : call(r)) });
      if (single) fixed.push({ file, start: lefts[0]!.endIndex, end: lefts[1]!.endIndex, text: '' });
      else for (const b of f.blanks) fixed.push({ file, start: b.startIndex, end: b.endIndex, text: '_' });
    }
    for (const s of f.remove) fixed.push(removeStatement(f.load.file, s));
  }
  for (const a of accesses) {
    if (inFusion.has(a)) continue;
    const file = a.file.rel;
    const m = a.ref.text;
    switch (a.kind) {
      case 'store':
        specs.push({ file, start: a.stmt.startIndex, end: a.stmt.endIndex, build: (r) => `${m}.Store(${key(a.key, r)}, ${value(a.value, r)})` });
        break;
      case 'load':
        specs.push({
          file,
          start: a.index.startIndex,
          end: a.index.endIndex,
          build: (r) => (a.commaOk ? helpers.load : helpers.value)(valueType, `${m}.Load(${key(a.key, r)})`),
        });
        break;
      case 'delete':
        specs.push({ file, start: a.call.startIndex, end: a.call.endIndex, build: (r) => `${m}.Delete(${key(a.key, r)})` });
        break;
      case 'clear':
        specs.push({ file, start: a.call.startIndex, end: a.call.endIndex, build: () => `${m}.Clear()` });
        break;
      case 'range':
        fixed.push(...rangeEdits(a.file, a.parts, m, keyType, valueType, anyType, rangeJumps(a.parts).jumps, { key: assertionCannotFail(keyType, pkg, true), value: assertionCannotFail(valueType, pkg, false) }));
        break;
      case 'construct':
        fixed.push(a.element ? removeElement(a.file, a.remove) : removeStatement(a.file, a.remove));
        break;
    }
  }
  const edits = [...fixed, ...resolveSpecs(specs, files)];
  declineOverlaps(edits);
  for (const [name, source] of helpers.used) {
    edits.push(...helperEdits(pkg, name, source));
  }
  const receivers = declared.receivers;
  edits.push(...receivers);

  const fit = accessPattern(accesses, pkg);
  const covers = pkg.findings.filter((f) => f.map.key === decl.key).map((f) => f.id);
  const n = accesses.filter((a) => a.kind !== 'construct').length;
  const notes: string[] = [
    `${decl.name} becomes a sync.Map and its ${n} access${n === 1 ? '' : 'es'} become sync.Map calls (Store, Load, Delete, Range), each safe for concurrent use; reads go through ${generics ? 'typedLoad/typedValue' : 'typed helpers'}, which give the value type's zero value for a missing key, as the map index did.`,
    'The sync.Map documentation limits it to keys written once and read many times, or goroutines working on disjoint sets of keys; for other patterns a map with a mutex (mutex-wrap) is faster and keeps multi-step updates atomic.',
    `Access pattern: ${fit.fits ? 'fits' : 'check'}: ${fit.why}.`,
  ];
  if (fused.length > 0) {
    const ops = [...new Set(fused.map((f) => f.op))].join(' and ');
    notes.push(`${fused.length} check-then-act pair${fused.length === 1 ? '' : 's'} (${fused.map((f) => where(f.load.file, f.load.index)).join(', ')}) became one atomic ${ops} call each, so no other goroutine can store or delete between the check and the act.`);
  }
  if (accesses.some((a) => a.kind === 'range')) notes.push('Range sees no consistent snapshot: entries stored or deleted while it runs (also by its own body) may or may not be visited.');
  if (shared.guard) notes.push(`${goLockName(shared.guard, pkg.index)} still surrounds some of its accesses; it no longer needs to, but it still makes the steps under it atomic: remove it only after checking that.`);
  if (receivers.length > 0) notes.push(`Value receivers of ${decl.name.split('.')[0]} became pointer receivers so the sync.Map (which holds a mutex) is not copied; this changes the method set.`);
  return {
    fix: {
      findingId: finding.id,
      covers: covers.includes(finding.id) ? covers : [finding.id, ...covers],
      transform: 'sync-map',
      title: `sync-map: replace ${decl.name} with sync.Map (${n} access${n === 1 ? '' : 'es'})`,
      safety: receivers.length > 0 ? 'review' : 'safe',
      edits,
      imports: { [declared.file.rel]: ['sync'] },
      reason: notes.join(' '),
    },
    shared,
    accesses,
    fit,
  };
}

/** The edits of the specs that no other spec contains, each built with the rewritten text of the specs inside it. */
function resolveSpecs(specs: Spec[], files: Map<string, ParsedFile>): TextEdit[] {
  const within = (s: Spec, file: string, start: number, end: number) => s.file === file && s.start >= start && s.end <= end;
  const render = (file: string) => (n: SyntaxNode): string => {
    const inner = specs.filter((s) => within(s, file, n.startIndex, n.endIndex));
    const top = inner.filter((s) => !inner.some((o) => o !== s && o.start <= s.start && o.end >= s.end && (o.start < s.start || o.end > s.end)));
    top.sort((a, b) => a.start - b.start);
    const text = files.get(file)!.text;
    let out = '';
    let pos = n.startIndex;
    for (const s of top) {
      out += text.slice(pos, s.start) + s.build(render(file));
      pos = s.end;
    }
    return out + text.slice(pos, n.endIndex);
  };
  const outer = specs.filter((s) => !specs.some((o) => o !== s && within(s, o.file, o.start, o.end)));
  return outer.map((s) => ({ file: s.file, start: s.start, end: s.end, text: s.build(render(s.file)) }));
}

/** `m sync.Map` in place of the map's declaration; for a field, also what keeps the struct from being copied. */
function declarationEdits(decl: MapDecl, files: Map<string, ParsedFile>, pkg: PackageView): { file: ParsedFile; edits: TextEdit[]; receivers: TextEdit[] } {
  const { file, name } = declarationNode(decl, files);
  const at = where(file, name);
  const syncMap = `${syncQualifier(file)}.Map`;
  if (decl.kind === 'field') {
    const field = ancestorOfType(name, 'field_declaration') ?? decline(`cannot find the field declaration of ${decl.name}`);
    if (field.childrenForFieldName('name').length !== 1) decline(`${decl.name} is declared together with other fields (${at}); give it a line of its own`);
    const type = field.childForFieldName('type') ?? decline(`cannot read the type of ${decl.name}`);
    const owner = decl.name.split('.')[0]!;
    const copy = copyHazards(owner, pkg);
    if (copy.decline) decline(copy.decline.replace('adding a mutex to', 'giving a sync.Map (which holds a mutex) to').replace('would copy the mutex', 'would copy it'));
    for (const f of pkg.files) {
      for (const n of compositeLiteralsOf(f, owner, false)) {
        const positional = n.childForFieldName('body')?.namedChildren.find((c) => c.type === 'literal_element');
        if (positional) decline(`the ${owner} literal at ${where(f, n)} lists its fields by position; name them first`);
      }
    }
    return { file, edits: [{ file: file.rel, start: type.startIndex, end: type.endIndex, text: syncMap }], receivers: receiverEdits(owner, pkg) };
  }
  const spec = ancestorOfType(name, 'var_spec');
  if (spec && (decl.kind === 'package-var' || sameNode(spec.childrenForFieldName('name')[0], name))) {
    const names = spec.childrenForFieldName('name');
    if (names.length !== 1) decline(`${decl.name} is declared together with other variables (${at}); give it a declaration of its own`);
    const values = spec.childForFieldName('value')?.namedChildren ?? [];
    if (values[0]) checkEmptyInit(values[0], decl, file);
    return { file, edits: [{ file: file.rel, start: name.endIndex, end: spec.endIndex, text: ` ${syncMap}` }], receivers: [] };
  }
  const short = name.parent?.type === 'expression_list' ? name.parent.parent : null;
  if (decl.kind === 'local' && short?.type === 'short_var_declaration' && short.parent?.type === 'statement_list') {
    const left = short.childForFieldName('left')?.namedChildren ?? [];
    const right = short.childForFieldName('right')?.namedChildren ?? [];
    if (left.length !== 1 || right.length !== 1) decline(`${decl.name} is declared together with other variables (${at}); give it a declaration of its own`);
    checkEmptyInit(right[0]!, decl, file);
    return { file, edits: [{ file: file.rel, start: short.startIndex, end: short.endIndex, text: `var ${decl.name} ${syncMap}` }], receivers: [] };
  }
  return decline(`cannot rewrite the declaration of ${decl.name} at ${at}`);
}

/** The name the declaring file gives package sync (it is imported there if it is not yet). */
function syncQualifier(file: ParsedFile): string {
  for (const spec of file.tree.rootNode.descendantsOfType('import_spec')) {
    if (spec.childForFieldName('path')?.text.replace(/["`]/g, '') !== 'sync') continue;
    const alias = spec.childForFieldName('name')?.text;
    if (alias === '.' || alias === '_') decline(`${file.rel} imports sync as ${alias}; import it by name first`);
    if (alias) return alias;
  }
  return 'sync';
}

/** A sync.Map starts empty: the map's initialiser must be an empty literal or a make whose size has no side effects. */
function checkEmptyInit(value: SyntaxNode, decl: MapDecl, file: ParsedFile): void {
  const v = unparen(value);
  const at = where(file, v);
  if (v.type === 'nil') return;
  if (v.type === 'composite_literal') {
    const elements = (v.childForFieldName('body')?.namedChildren ?? []).filter((c) => c.type !== 'comment');
    if (elements.length === 0) return;
    decline(`${decl.name} is initialised with ${elements.length} entr${elements.length === 1 ? 'y' : 'ies'} at ${at}; a sync.Map starts empty (store them in init(), or use mutex-wrap)`);
  }
  if (v.type === 'call_expression' && v.childForFieldName('function')?.text === 'make') {
    const args = v.childForFieldName('arguments')?.namedChildren ?? [];
    for (const a of args.slice(1)) {
      const call = [a, ...descendants(a)].find((d) => d.type === 'call_expression' && !/^(len|cap)$/.test(d.childForFieldName('function')?.text ?? ''));
      if (call) decline(`the size argument of make at ${at} calls ${firstLine(call)}, which the rewrite would drop`);
    }
    return;
  }
  decline(`${decl.name} is initialised from ${firstLine(v)} at ${at}; a sync.Map starts empty`);
}

const norm = (s: string) => s.replace(/\s+/g, '');

/** The checks that make the rewrite faithful beyond the syntax of each access. */
/** Whether two accesses both hold a lock that every write of the map holds (that lock keeps the pair atomic). */
function lockedPair(shared: SharedMap, pkg: PackageView): (x: MapAccess, y: MapAccess) => boolean {
  const finder = pkg.rules.finder;
  const writes = shared.sites.filter((s) => isWrite(s) && !finder.isConstruction(s));
  const writeLocks = writes.length === 0 ? [] : writes[0]!.locks.filter((l) => l.mode === 'write' && !isOwnerLock(l.name) && writes.every((w) => w.locks.some((x) => x.name === l.name && x.mode === 'write'))).map((l) => l.name);
  return (x, y) => writeLocks.some((l) => x.site?.locks.some((h) => h.name === l) && y.site?.locks.some((h) => h.name === l));
}

function checkAccesses(accesses: MapAccess[], decl: MapDecl, pkg: PackageView, locked: (x: MapAccess, y: MapAccess) => boolean, fused: CheckThenAct[]): void {
  const finder = pkg.rules.finder;
  for (const a of accesses) {
    if (a.kind === 'clear' && !goAtLeast(pkg.goVersion, 23)) {
      decline(`clear(${a.ref.text}) at ${where(a.file, a.ref)} needs sync.Map.Clear, which is go 1.23 (go.mod says ${pkg.goVersion}); Range plus Delete would not be atomic`);
    }
    if (a.kind === 'construct') {
      if (!a.element && !(a.site && finder.isConstruction(a.site))) {
        decline(`${firstLine(a.remove)} at ${where(a.file, a.remove)} replaces the whole map while others may use it; a sync.Map cannot be swapped (clear it instead)`);
      }
      checkEmptyInit(a.value, decl, a.file);
      if (!a.element && a.remove.parent?.type !== 'statement_list') decline(`cannot remove ${firstLine(a.remove)} at ${where(a.file, a.remove)}`);
    }
    if (a.kind === 'range') checkRange(a, pkg);
  }
  // A loaded value whose fields (or elements) are changed afterwards.
  for (const a of accesses) {
    const bound = a.kind === 'load' ? a.bound : a.kind === 'range' ? a.parts.valueVar : null;
    if (!bound || !a.fn) continue;
    const scope = a.kind === 'range' ? a.parts.body : a.fn;
    for (const d of descendants(scope)) {
      if (d.startIndex <= bound.endIndex || (d.type !== 'selector_expression' && d.type !== 'index_expression')) continue;
      let root = d;
      while ((root.type === 'selector_expression' || root.type === 'index_expression' || root.type === 'parenthesized_expression') && root.namedChildren[0]) root = root.namedChildren[0];
      if (root.type === 'identifier' && root.text === bound.text && isChanged(d)) {
        decline(`${firstLine(statementAround(d))} at ${where(a.file, d)} changes the value loaded from ${decl.name} at ${where(a.file, bound)} in place: sync.Map cannot make the load, the change and a store back one atomic step, and it does not guard what a pointer value points to (use mutex-wrap)`);
      }
    }
  }
  // Steps that a lock held at every write keeps atomic stay atomic: that lock is not removed.
  // A check-then-act pair that becomes LoadOrStore or LoadAndDelete is one atomic call.
  const oneCall = (x: MapAccess, y: MapAccess) => fused.some((f) => (f.load === x && f.act === y) || (f.load === y && f.act === x));
  const sameEntry = (x: { ref: SyntaxNode; key: SyntaxNode }, y: { ref: SyntaxNode; key: SyntaxNode }) => norm(x.ref.text) === norm(y.ref.text) && norm(x.key.text) === norm(y.key.text);
  for (const a of accesses) {
    if (a.kind !== 'store' && a.kind !== 'delete') continue;
    const node = a.kind === 'store' ? a.stmt : a.call;
    for (const b of accesses) {
      if (b.kind === 'load' && sameNode(a.fn, b.fn) && sameEntry(a, b) && !locked(a, b) && !oneCall(a, b)) {
        decline(
          a.kind === 'store'
            ? `${where(a.file, node)} stores ${a.ref.text}[${a.key.text}] after ${where(b.file, b.index)} read it in the same function (a read-modify-write or check-then-act): sync.Map makes each call atomic but not the pair (use mutex-wrap, or LoadOrStore/CompareAndSwap by hand)`
            : `${where(a.file, node)} deletes ${a.ref.text}[${a.key.text}] after ${where(b.file, b.index)} read it in the same function (check-then-delete): a Store between the two would be lost (use mutex-wrap, or LoadAndDelete/CompareAndDelete by hand)`,
        );
      }
      if (b.kind === 'range' && b.parts.keyVar && b.parts.valueVar && norm(b.ref.text) === norm(a.ref.text) && unparen(a.key).text === b.parts.keyVar.text && inside(node, b.parts.body) && !locked(a, b)) {
        decline(`${where(a.file, node)} ${a.kind === 'store' ? 'stores' : 'deletes'} the entry that the range at ${where(b.file, b.parts.forStmt)} visits after reading its value: a Store by another goroutine in between would be lost (use mutex-wrap${a.kind === 'delete' ? ', or CompareAndDelete by hand' : ''})`);
      }
    }
  }
}

function inside(n: SyntaxNode, outer: SyntaxNode): boolean {
  return n.startIndex >= outer.startIndex && n.endIndex <= outer.endIndex;
}

function checkRange(a: Extract<MapAccess, { kind: 'range' }>, pkg: PackageView): void {
  const at = where(a.file, a.parts.forStmt);
  const { problems } = rangeJumps(a.parts);
  const p = problems[0];
  if (p) decline(`the range at ${at} cannot become a Range callback: ${p.why} (${where(a.file, p.node)}: ${firstLine(p.node)})`);
  const label = a.parts.label;
  if (label && a.fn) {
    const gotoLabel = [...descendants(a.fn)].find((d) => d.type === 'goto_statement' && d.namedChildren[0]?.text === label);
    if (gotoLabel) decline(`the range at ${at} is the target of goto ${label} (${where(a.file, gotoLabel)})`);
  }
  const list = a.parts.body.namedChildren.find((c) => c.type === 'statement_list');
  const names = [a.parts.keyVar?.text, a.parts.valueVar?.text].filter((x): x is string => !!x);
  for (const s of list ? statementsOfList(list) : []) {
    const declared =
      s.type === 'short_var_declaration'
        ? (s.childForFieldName('left')?.namedChildren ?? [])
        : s.type === 'var_declaration'
          ? s.descendantsOfType('var_spec').flatMap((v) => v.childrenForFieldName('name'))
          : [];
    const clash = declared.find((d) => names.includes(d.text));
    if (clash) decline(`the range body at ${at} declares ${clash.text} again (${where(a.file, s)}); in a Range callback it would share the loop variable's scope: rename it first`);
  }
  void pkg;
}

/** Removes a statement, with its line when it has one of its own. */
function removeStatement(file: ParsedFile, stmt: SyntaxNode): TextEdit {
  const text = file.text;
  const ls = lineStart(text, stmt.startIndex);
  const end = endOfStatementLine(text, stmt.endIndex);
  const nl = /^[ \t]*\r?\n/.exec(text.slice(end));
  if (/^[ \t]*$/.test(text.slice(ls, stmt.startIndex)) && nl) return { file: file.rel, start: ls, end: end + nl[0].length, text: '' };
  return { file: file.rel, start: stmt.startIndex, end: stmt.endIndex, text: '' };
}

/** Removes a keyed element from a composite literal, with its comma (and its line when it has one of its own). */
export function removeElement(file: ParsedFile, element: SyntaxNode): TextEdit {
  const text = file.text;
  const lit = element.parent!;
  const elements = lit.namedChildren.filter((c) => c.type !== 'comment');
  const i = elements.findIndex((e) => sameNode(e, element));
  const ls = lineStart(text, element.startIndex);
  const after = /^[ \t]*,?[ \t]*(?:\/\/[^\n]*|\/\*[^\n]*?\*\/)?[ \t]*\r?\n/.exec(text.slice(element.endIndex));
  if (/^[ \t]*$/.test(text.slice(ls, element.startIndex)) && after) return { file: file.rel, start: ls, end: element.endIndex + after[0].length, text: '' };
  const next = elements[i + 1];
  if (next) return { file: file.rel, start: element.startIndex, end: next.startIndex, text: '' };
  const prev = elements[i - 1];
  if (prev) return { file: file.rel, start: prev.endIndex, end: element.endIndex, text: '' };
  return { file: file.rel, start: element.startIndex, end: element.endIndex + (text[element.endIndex] === ',' ? 1 : 0), text: '' };
}

/** Adds a read helper to the package's gomapfix_helpers.go, unless the package has it (src/plan/package-decls.ts). */
function helperEdits(pkg: PackageView, name: string, source: string): TextEdit[] {
  return packageDeclEdit(pkg, name, source)?.edits ?? [];
}
