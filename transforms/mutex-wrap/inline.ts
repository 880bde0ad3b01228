// mutex-wrap, inline style: a sync.RWMutex beside the map (or the mutex that already guards it
// elsewhere) and Lock/Unlock around every access that takes part in a race.
import type { Finding, MapDecl } from '../../src/analysis/model.js';
import type { ResolvedSite } from '../../src/analysis/concurrency.js';
import type { ParsedFile } from '../../src/analysis/package-index.js';
import type { SharedMap } from '../../src/analysis/rules/shared-map.js';
import type { SyntaxNode } from '../../src/parse/parser.js';
import type { Fix, TextEdit } from '../../src/plan/model.js';
import { sharedMapOf, type PackageView, type TransformResult } from '../../src/plan/transform.js';
import {
  endOfStatementLine,
  indentAt,
  isFunctionBodyList,
  jumpsLeaving,
  listedStatementOf,
  lockHazards,
  nodeAt,
  statementsOfList,
  PureFunctions,
  sameNode,
} from '../../src/plan/go-syntax.js';
import { copyHazards, receiverEdits } from './copylocks.js';
import { newMutexName, type LockChoice } from './naming.js';

class Decline extends Error {}

const decline = (reason: string): never => {
  throw new Decline(reason);
};

/** Where a site is, for messages: `input.go:12`. */
function at(s: { span: { file: string; line: number } }): string {
  return `${s.span.file}:${s.span.line}`;
}

function lineOf(file: ParsedFile, pos: number): string {
  return `${file.rel}:${file.lines.position(pos).line}`;
}

export function planInline(finding: Finding, pkg: PackageView): TransformResult {
  try {
    return { fixes: [buildInline(finding, pkg)] };
  } catch (err) {
    if (err instanceof Decline) return { declined: err.message };
    throw err;
  }
}

interface Region {
  file: ParsedFile;
  list: SyntaxNode;
  stmts: SyntaxNode[];
  write: boolean;
  lockExpr: string;
  sites: ResolvedSite[];
}

function buildInline(finding: Finding, pkg: PackageView): Fix {
  const shared = sharedMapOf(finding, pkg) ?? decline('the package facts do not know this map');
  const decl = shared.decl;
  if (decl.kind === 'param') decline(`${decl.name} is a parameter: the map belongs to the callers; fix the map they pass`);
  if (decl.kind === 'named-type') decline(`${decl.name} is a named map type used as a receiver: a mutex cannot be added to a map type (use --style wrapper)`);
  if (finding.rule === 'map-escapes-lock') {
    decline(`the map leaves its lock (${finding.message.replace(/\.$/, '')}); a mutex cannot protect what callers do with it afterwards (snapshot-copy hands out a copy instead)`);
  }
  if (finding.rule === 'map-mutated-during-range' && shared.conflicts.length === 0) {
    decline('the range mutates the map in a single goroutine: there is no race for a mutex to fix (collect-then-delete applies)');
  }
  const rangeUnderLock = shared.sites.find((s) => s.kind === 'range' && s.raw.range?.callsOut && s.locks.length > 0);
  if (finding.rule === 'map-mutated-during-range' && rangeUnderLock) {
    decline(`the range at ${at(rangeUnderLock)} already holds the lock while it calls ${rangeUnderLock.raw.range!.callsOut}; a mutex does not fix that (collect-then-delete or snapshot-copy does)`);
  }

  const lock = chooseLock(shared, pkg);
  const raced = new Set<ResolvedSite>();
  for (const c of shared.conflicts) {
    raced.add(c.a);
    raced.add(c.b);
  }
  // Accesses through a map that escaped (`items := c.Items()`) belong to the map-escapes-lock
  // finding: a lock here cannot reach them.
  const escape = shared.sites.find((s) => s.kind === 'escape');
  const throughEscape = (s: ResolvedSite) => escape !== undefined && decl.kind === 'field' && s.kind !== 'escape' && (s.viaReturn || !spelledAsField(s, decl));
  const unlocked = [...raced].filter((s) => !s.locks.some((l) => l.name === lock.name && (l.mode === 'write' || !isWriteSite(s))));
  const leftToEscape = unlocked.filter(throughEscape);
  const toLock = unlocked.filter((s) => !throughEscape(s));
  const upgrade = toLock.find((s) => s.locks.some((l) => l.name === lock.name));
  if (upgrade) decline(`${at(upgrade)} writes the map while holding only the read lock of ${lock.display}; change RLock to Lock there by hand`);
  if (toLock.length === 0) decline('every racing access already holds the lock');
  for (const s of toLock) {
    if (s.kind === 'escape') decline(`the map escapes at ${at(s)} (${s.text}); a mutex cannot guard what happens to it afterwards`);
    if (!s.raw.mapText && decl.kind === 'field') decline(`${at(s)} reaches the map through another variable; only accesses spelled as x.${fieldName(decl)} can be locked`);
  }
  if (lock.reused) checkNotHeldByCallers(toLock, lock, pkg);

  const files = new Map(pkg.files.map((f) => [f.rel, f]));
  const regions = buildRegions(toLock, lock, files, pkg);
  const edits: TextEdit[] = [];
  let usesDefer = false;
  let review: string | null = null;
  for (const r of regions) {
    const { edits: e, deferred } = regionEdits(r, pkg);
    edits.push(...e);
    usesDefer ||= deferred;
    if (lock.reused && r.sites.some((s) => s.locks.some((l) => l.name !== lock.name && !l.name.startsWith('once:')))) {
      review = `${lineOf(r.file, r.stmts[0]!.startIndex)} already holds another lock; check the lock order`;
    }
  }
  const imports: Record<string, string[]> = {};
  if (!lock.reused) {
    const declEdits = declareMutex(decl, lock, files, pkg);
    edits.push(...declEdits.edits);
    imports[declEdits.file] = ['sync'];
    if (declEdits.review) review = declEdits.review;
  }
  const covers = pkg.findings.filter((f) => f.map.key === decl.key && f.rule !== 'map-escapes-lock').map((f) => f.id);
  const what = lock.reused
    ? `take ${lock.display} (which guards ${decl.name} elsewhere) at the ${toLock.length} unguarded access${toLock.length === 1 ? '' : 'es'}`
    : `guard ${decl.name} with a new sync.RWMutex ${lock.display} at its ${toLock.length} racing access${toLock.length === 1 ? '' : 'es'}`;
  return {
    findingId: finding.id,
    covers: covers.includes(finding.id) ? covers : [finding.id, ...covers],
    transform: 'mutex-wrap',
    title: `mutex-wrap (inline): ${what}`,
    safety: review ? 'review' : 'safe',
    edits,
    imports,
    reason:
      (lock.reused ? 'inconsistent locking: the map already has a mutex, so the missing Lock/Unlock is added and nothing else changes' : `no lock guards ${decl.name}; every access that races is wrapped in Lock/Unlock (RLock for reads)`) +
      (usesDefer ? '; defer is used where the locked statements run to the end of the function' : '') +
      (leftToEscape.length > 0 ? `; the accesses through the escaped map (${leftToEscape.map(at).join(', ')}) are left to the map-escapes-lock finding` : '') +
      (review ? `. Review: ${review}` : ''),
  };
}

function isWriteSite(s: ResolvedSite): boolean {
  return s.kind === 'write' || s.kind === 'delete' || s.kind === 'clear' || (s.kind === 'range' && !!s.rangeBody && (s.rangeBody.deletes || s.rangeBody.inserts));
}

function spelledAsField(s: ResolvedSite, decl: MapDecl): boolean {
  return new RegExp(`\\.${fieldName(decl)}$`).test((s.raw.mapText ?? '').replace(/\s+/g, ''));
}

function fieldName(decl: MapDecl): string {
  return decl.name.split('.').pop()!;
}

/** The mutex to use: the one that guards the map elsewhere, or a new one. */
function chooseLock(shared: SharedMap, pkg: PackageView): LockChoice {
  const decl = shared.decl;
  if (shared.guard) {
    const g = shared.guard;
    const rw = guardIsRW(g, pkg);
    if (g.includes('@')) {
      const name = g.split('@')[0]!;
      return { name: g, reused: true, rw, display: name, expr: () => name };
    }
    if (decl.kind === 'field') {
      const owner = decl.name.split('.')[0]!;
      const field = fieldName(decl);
      if (g === owner) return { name: g, reused: true, rw, display: `the embedded mutex of ${owner}`, expr: (s) => baseOf(s, field) };
      if (g.startsWith(`${owner}.`)) {
        const mu = g.slice(owner.length + 1);
        return { name: g, reused: true, rw, display: `${owner}.${mu}`, expr: (s) => `${baseOf(s, field)}.${mu}` };
      }
    }
    if (decl.kind === 'package-var' && /^\w+$/.test(g)) return { name: g, reused: true, rw, display: g, expr: () => g };
    decline(`the map is guarded by ${g} elsewhere, which cannot be named at every access`);
  }
  const name = newMutexName(decl, pkg);
  if (decl.kind === 'field') {
    const owner = decl.name.split('.')[0]!;
    const field = fieldName(decl);
    return { name: `${owner}.${name}`, reused: false, rw: true, display: `${owner}.${name}`, expr: (s) => `${baseOf(s, field)}.${name}`, declName: name };
  }
  return { name, reused: false, rw: true, display: name, expr: () => name, declName: name };
}

/** `s.items` → `s`; declines when the access is not spelled as a selector of the field. */
function baseOf(s: ResolvedSite, field: string): string {
  const text = s.raw.mapText ?? '';
  const m = new RegExp(`^(.*)\\.${field}$`, 's').exec(text.replace(/\s+/g, ''));
  if (!m || !m[1]) return decline(`${at(s)} reaches the map as ${text || s.text}; only accesses spelled as x.${field} can be locked`);
  return m[1];
}

function guardIsRW(guard: string, pkg: PackageView): boolean {
  const [owner, field] = guard.split('.');
  if (field && owner) {
    const st = pkg.index.structs.get(owner);
    const f = st?.fields.get(field);
    return !!f && /RWMutex/.test(f.type);
  }
  if (owner && pkg.index.structs.has(owner)) return pkg.index.structs.get(owner)!.embedded.some((e) => /RWMutex/.test(e.type));
  const v = owner ? pkg.index.vars.get(owner) : undefined;
  return !!v?.type && /RWMutex/.test(v.type);
}

/** Adding Lock inside a function that some caller already calls with that lock held deadlocks. */
function checkNotHeldByCallers(sites: ResolvedSite[], lock: LockChoice, pkg: PackageView): void {
  const flow = pkg.flow;
  const seen = new Set<number>();
  const stack = [...new Set(sites.map((s) => s.func))];
  while (stack.length > 0) {
    const f = stack.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    for (const c of flow.raw.calls) {
      if (!c.callees.includes(f)) continue;
      if (c.locks.some((l) => l.name === lock.name)) {
        const fn = flow.index.funcs[c.caller]!;
        decline(`${flow.index.funcs[f]!.name} is called with ${lock.display} held (${lineOf(fn.file, c.pos)}); locking inside it would deadlock`);
      }
      stack.push(c.caller);
    }
  }
}

/** Groups the accesses into locked regions: runs of adjacent statements of one statement list. */
function buildRegions(sites: ResolvedSite[], lock: LockChoice, files: Map<string, ParsedFile>, pkg: PackageView): Region[] {
  const byStmt = new Map<string, { file: ParsedFile; stmt: SyntaxNode; sites: ResolvedSite[] }>();
  for (const s of sites) {
    const file = files.get(s.span.file)!;
    const stmt = listedStatementOf(nodeAt(file, s.span.start, s.span.end));
    if (!stmt) decline(`${at(s)} is not inside a statement that can be wrapped`);
    const key = `${file.rel}:${stmt!.startIndex}`;
    const entry = byStmt.get(key) ?? { file, stmt: stmt!, sites: [] };
    entry.sites.push(s);
    byStmt.set(key, entry);
  }
  // Check-then-act stays atomic: `v, ok := m[k]` followed by `if !ok { m[k] = v }` locks the
  // `if` too, when it can run locked as a whole.
  const pure = new PureFunctions(pkg.index);
  const all = [...byStmt.values()];
  for (const e of all) {
    for (;;) {
      const up = e.stmt.parent ? listedStatementOf(e.stmt.parent) : null;
      if (!up || crossesFunction(e.stmt, up)) break;
      const prev = previousStatement(up);
      if (!prev || !all.some((o) => o !== e && o.file === e.file && sameNode(o.stmt, prev))) break;
      if (lockHazards([up], pkg.index, e.file, pure).length > 0 || jumpsLeaving([up]).length > 0) break;
      e.stmt = up;
    }
  }
  // Nested statements: an access inside a statement that is itself wrapped belongs to the outer one.
  const entries = [...byStmt.values()].sort((a, b) => (a.file.rel === b.file.rel ? a.stmt.startIndex - b.stmt.startIndex : a.file.rel < b.file.rel ? -1 : 1));
  const outer: typeof entries = [];
  for (const e of entries) {
    const host = outer.find((o) => o.file === e.file && o.stmt.startIndex <= e.stmt.startIndex && e.stmt.endIndex <= o.stmt.endIndex && !crossesFunction(e.stmt, o.stmt));
    if (host) host.sites.push(...e.sites);
    else outer.push(e);
  }
  // Adjacent statements of one list form one region, so a read-then-write stays atomic.
  const regions: Region[] = [];
  for (const e of outer) {
    const list = e.stmt.parent!;
    const last = regions[regions.length - 1];
    const exprOf = (s: ResolvedSite) => lock.expr(s);
    const lockExpr = exprOf(e.sites[0]!);
    for (const s of e.sites) if (exprOf(s) !== lockExpr) decline(`one statement (${at(s)}) reaches two instances of the map`);
    if (last && last.file === e.file && sameNode(last.list, list) && last.lockExpr === lockExpr && adjacent(last.stmts[last.stmts.length - 1]!, e.stmt)) {
      last.stmts.push(e.stmt);
      last.sites.push(...e.sites);
      last.write ||= e.sites.some(isWriteSite);
      continue;
    }
    regions.push({ file: e.file, list, stmts: [e.stmt], write: e.sites.some(isWriteSite), lockExpr, sites: e.sites });
  }
  for (const r of regions) {
    // Any access of this map inside the region decides the mode, locked before or not.
    const start = r.stmts[0]!.startIndex;
    const end = r.stmts[r.stmts.length - 1]!.endIndex;
    if (pkg.flow.sites.some((s) => s.map === r.sites[0]!.map && s.span.file === r.file.rel && s.span.start >= start && s.span.end <= end && isWriteSite(s))) r.write = true;
  }
  return regions;
}

function crossesFunction(inner: SyntaxNode, outer: SyntaxNode): boolean {
  for (let cur = inner.parent; cur && !sameNode(cur, outer); cur = cur.parent) if (cur.type === 'func_literal') return true;
  return false;
}

function previousStatement(n: SyntaxNode): SyntaxNode | null {
  let prev = n.previousNamedSibling;
  while (prev && prev.type === 'comment') prev = prev.previousNamedSibling;
  return prev;
}

function adjacent(a: SyntaxNode, b: SyntaxNode): boolean {
  let next = a.nextNamedSibling;
  while (next && next.type === 'comment') next = next.nextNamedSibling;
  return !!next && sameNode(next, b);
}

/** The Lock/Unlock edits of one region, with defer when the region runs to a return. */
function regionEdits(r: Region, pkg: PackageView): { edits: TextEdit[]; deferred: boolean } {
  const text = r.file.text;
  const pure = new PureFunctions(pkg.index);
  const hazards = lockHazards(r.stmts, pkg.index, r.file, pure);
  if (hazards.length > 0) {
    const h = hazards[0]!;
    decline(`the statement at ${lineOf(r.file, r.stmts[0]!.startIndex)} would hold the lock across ${h.what} (${lineOf(r.file, h.node.startIndex)}), which could block or re-enter`);
  }
  const all = statementsOfList(r.list);
  let stmts = r.stmts;
  let jumps = jumpsLeaving(stmts);
  let useDefer = false;
  const lastIdx = all.findIndex((s) => sameNode(s, stmts[stmts.length - 1]!));
  const wholeBody = isFunctionBodyList(r.list) && sameNode(all[0]!, stmts[0]!) && lastIdx === all.length - 1;
  if (wholeBody) useDefer = true;
  else if (jumps.length > 0) {
    const lastIsReturn = stmts[stmts.length - 1]!.type === 'return_statement';
    if (jumps.every((j) => j.kind === 'return') && lastIsReturn) useDefer = true;
    else if (jumps.every((j) => j.kind === 'return') && isFunctionBodyList(r.list)) {
      // Extend the region to the end of the function when what follows is safe to run locked.
      const rest = all.slice(lastIdx + 1);
      const restHazards = lockHazards(rest, pkg.index, r.file, pure);
      if (restHazards.length > 0) {
        decline(`${lineOf(r.file, jumps[0]!.node.startIndex)} returns from inside the region to lock, and the rest of the function calls ${restHazards[0]!.what}; restructure it by hand`);
      }
      stmts = [...stmts, ...rest];
      jumps = jumpsLeaving(stmts);
      useDefer = true;
    } else {
      const j = jumps.find((x) => x.kind === 'other') ?? jumps[0]!;
      decline(`${lineOf(r.file, j.node.startIndex)} jumps out of the region to lock (${j.node.text.split('\n')[0]}); restructure it by hand`);
    }
  }
  const [lockCall, unlockCall] = r.write ? ['Lock', 'Unlock'] : ['RLock', 'RUnlock'];
  const start = stmts[0]!.startIndex;
  const indent = indentAt(text, start);
  const nl = r.file.text.includes('\r\n') ? '\r\n' : '\n';
  const lockLine = `${r.lockExpr}.${lockCall}()`;
  const unlockLine = `${r.lockExpr}.${unlockCall}()`;
  if (useDefer) {
    return { edits: [{ file: r.file.rel, start, end: start, text: `${lockLine}${nl}${indent}defer ${unlockLine}${nl}${indent}` }], deferred: true };
  }
  const end = endOfStatementLine(text, stmts[stmts.length - 1]!.endIndex);
  return {
    edits: [
      { file: r.file.rel, start, end: start, text: `${lockLine}${nl}${indent}` },
      { file: r.file.rel, start: end, end, text: `${nl}${indent}${unlockLine}` },
    ],
    deferred: false,
  };
}

/** Declares the new mutex beside the map: a struct field, a package var, or a local var. */
function declareMutex(decl: MapDecl, lock: LockChoice, files: Map<string, ParsedFile>, pkg: PackageView): { file: string; edits: TextEdit[]; review: string | null } {
  const file = files.get(decl.span.file) ?? decline(`the declaration of ${decl.name} is not in the scanned files`);
  const text = file.text;
  const nl = text.includes('\r\n') ? '\r\n' : '\n';
  const name = lock.declName!;
  const node = nodeAt(file, decl.span.start, decl.span.end);
  if (decl.kind === 'field') {
    const fieldDecl = ancestor(node, 'field_declaration') ?? decline(`cannot find the field declaration of ${decl.name}`);
    const owner = decl.name.split('.')[0]!;
    const copy = copyHazards(owner, pkg);
    if (copy.decline) decline(copy.decline);
    const edits = receiverEdits(owner, pkg);
    // Above the field and its doc comment, at the field's indentation.
    let start = lineStart(text, fieldDecl.startIndex);
    for (let prev = fieldDecl.previousNamedSibling; prev && prev.type === 'comment' && lineStart(text, prev.endIndex) === lineStart(text, start - 1); prev = prev.previousNamedSibling) {
      start = lineStart(text, prev.startIndex);
    }
    const indent = indentAt(text, fieldDecl.startIndex);
    if (lineStart(text, fieldDecl.startIndex) + indent.length !== fieldDecl.startIndex) decline(`the field ${decl.name} does not start its own line`);
    edits.push({ file: file.rel, start, end: start, text: `${indent}${name} sync.RWMutex // guards ${fieldName(decl)}${nl}` });
    return { file: file.rel, edits, review: edits.length > 1 ? `value receivers of ${owner} became pointer receivers so the mutex is not copied` : null };
  }
  if (decl.kind === 'package-var') {
    const spec = ancestor(node, 'var_spec') ?? decline(`cannot find the declaration of ${decl.name}`);
    if (spec.namedChildren.filter((c) => c.type === 'identifier').length > 1) decline(`${decl.name} is declared together with other variables`);
    const grouped = spec.parent?.type === 'var_spec_list';
    const end = endOfStatementLine(text, grouped ? spec.endIndex : spec.parent!.endIndex);
    const indent = indentAt(text, grouped ? spec.startIndex : spec.parent!.startIndex);
    const line = grouped ? `${name} sync.RWMutex // guards ${decl.name}` : `var ${name} sync.RWMutex // guards ${decl.name}`;
    return { file: file.rel, edits: [{ file: file.rel, start: end, end, text: `${nl}${indent}${line}` }], review: null };
  }
  // A local: right after the statement that declares it.
  const stmt = listedStatementOf(node) ?? decline(`cannot find the statement declaring ${decl.name}`);
  const end = endOfStatementLine(text, stmt.endIndex);
  const indent = indentAt(text, stmt.startIndex);
  return { file: file.rel, edits: [{ file: file.rel, start: end, end, text: `${nl}${indent}var ${name} sync.RWMutex // guards ${decl.name}` }], review: null };
}

function ancestor(n: SyntaxNode, type: string): SyntaxNode | null {
  for (let cur: SyntaxNode | null = n; cur; cur = cur.parent) if (cur.type === type) return cur;
  return null;
}

function lineStart(text: string, pos: number): number {
  return text.lastIndexOf('\n', pos - 1) + 1;
}
