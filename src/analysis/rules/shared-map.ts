// The per-map view every rule reads: its accesses, the lock that guards it, and its races.
import { EVIDENCE_LIMIT, type Evidence, type Finding, type MapDecl, type OmittedEvidence, type RuleId, type SourceSpan } from '../model.js';
import type { PackageFlow, ResolvedSite } from '../concurrency.js';
import { ConflictFinder, isWrite, type Conflict } from '../conflicts.js';
import { findingId } from '../finding-id.js';
import { confidenceOf, functionsOfEveryRace, HIGH, type Confidence } from '../confidence.js';

export interface SharedMap {
  decl: MapDecl;
  sites: ResolvedSite[];
  conflicts: Conflict[];
  /** The lock held (in a sufficient mode) at most accesses, when it is held at a write or at two accesses or more. */
  guard: string | null;
  /** The package's callers are taken to run concurrently (a guarded map no in-package goroutine touches). */
  callersConcurrent: boolean;
}

export interface RuleContext {
  flow: PackageFlow;
  finder: ConflictFinder;
  maps: SharedMap[];
  /** Report lock-held-across-callback hazards without evidence of re-entrance (`--hazards`). */
  hazards: boolean;
}

export interface Rule {
  id: RuleId;
  run(ctx: RuleContext): Finding[];
}

export function buildRuleContext(flow: PackageFlow, options: { hazards?: boolean } = {}): RuleContext {
  const finder = new ConflictFinder(flow);
  const byKey = new Map<string, ResolvedSite[]>();
  for (const s of flow.sites) {
    const list = byKey.get(s.map);
    if (list) list.push(s);
    else byKey.set(s.map, [s]);
  }
  const maps: SharedMap[] = [];
  for (const [key, sites] of byKey) {
    const decl = flow.maps.get(key);
    if (!decl) continue;
    sites.sort(bySpan);
    const guard = guardOf(decl, sites, flow.helperLocks, flow.raw.lockAliases);
    // A lock with no goroutine of the package touching the map says its callers are concurrent.
    // Goroutines its tests start do not count: a test that drives the package from several
    // goroutines must not hide what the package's real callers can do.
    const callersConcurrent = guard !== null && sites.every((s) => s.local === null && s.contexts.every((c) => c === 0 || finder.contextInTests(c)));
    maps.push({ decl, sites, conflicts: finder.conflicts(sites, callersConcurrent), guard, callersConcurrent });
  }
  return { flow, finder, maps, hazards: !!options.hazards };
}

/**
 * The lock that guards a map: taken around some of its accesses (not merely inherited from a
 * caller) and belonging with the map: a mutex of the same struct for a field, a package-level
 * mutex for a package map, a local mutex for a local map.
 */
function guardOf(decl: MapDecl, sites: ResolvedSite[], helperLocks: Set<string>, aliases?: Map<string, string>): string | null {
  // `ok`: holds in a mode that suffices (the write lock at a write): with two locks held at
  // the same places (an outer RLock and an inner Lock), the one that excludes writers guards.
  const count = new Map<string, { n: number; write: boolean; ok: number }>();
  const acquired = new Set([...sites.flatMap((s) => s.raw.locks.map((l) => l.name)), ...helperLocks]);
  for (const s of sites) {
    for (const l of s.locks) {
      if (l.name.startsWith('once:') || !acquired.has(l.name) || !belongsWith(decl, l.name, aliases)) continue;
      const c = count.get(l.name) ?? { n: 0, write: false, ok: 0 };
      c.n++;
      if (!isWrite(s) || l.mode === 'write') c.ok++;
      if (isWrite(s)) c.write = true;
      count.set(l.name, c);
    }
  }
  let best: string | null = null;
  let bestOk = 0;
  let bestN = 0;
  for (const [name, c] of count) {
    if ((c.write || c.n >= 2) && (c.ok > bestOk || (c.ok === bestOk && c.n > bestN))) {
      best = name;
      bestOk = c.ok;
      bestN = c.n;
    }
  }
  return best;
}

function belongsWith(decl: MapDecl, lock: string, aliases?: Map<string, string>): boolean {
  // A lock behind an interface (docs/locks.md) is held, but is no mutex a rewrite could name.
  if (lock.startsWith('iface:')) return false;
  if (decl.kind === 'field') {
    const owner = decl.name.split('.')[0]!;
    if (lock === owner || lock.startsWith(`${owner}.`)) return true;
    // A mutex-pointer field beside the map (`mu *sync.Mutex` set to `&t.tokensMu`) guards it.
    for (const [field, target] of aliases ?? []) if (target === lock && field.startsWith(`${owner}.`)) return true;
    return false;
  }
  if (decl.kind === 'package-var') return !lock.includes('@') && !lock.includes('.');
  return true;
}

export function bySpan(a: { span: SourceSpan }, b: { span: SourceSpan }): number {
  if (a.span.file !== b.span.file) return a.span.file < b.span.file ? -1 : 1;
  return a.span.start - b.span.start;
}

export function describeAccess(s: ResolvedSite): string {
  switch (s.kind) {
    case 'write':
      return 'written';
    case 'delete':
      return 'deleted from';
    case 'clear':
      return 'cleared';
    case 'range':
      return 'ranged over';
    case 'escape':
      return s.escape === 'call' ? 'passed to a call' : 'handed out';
    default:
      return 'read';
  }
}

/**
 * A note for findings whose only concurrency is goroutines that tests start: the race is real in
 * the test, but says nothing about the package's own callers.
 */
export function testOnlyNote(finder: ConflictFinder, conflicts: Conflict[]): string {
  if (conflicts.length === 0) return '';
  const fromTest = (c: number) => c > 0 && finder.contextInTests(c);
  const testOnly = conflicts.every((c) => c.contexts.every((x) => x <= 0 || fromTest(x)) && c.contexts.some(fromTest));
  return testOnly ? ' (the only concurrency is goroutines a test starts)' : '';
}

export function contextName(flow: PackageFlow, ctx: number): string {
  if (ctx < 0) return 'the function that owns the map';
  return flow.contexts[ctx]?.description ?? 'another goroutine';
}

export function siteEvidence(flow: PackageFlow, s: ResolvedSite, ctx: number | null): Evidence {
  const where = ctx === null ? '' : ` in ${contextName(flow, ctx)}`;
  return { kind: 'access', message: `${describeAccess(s)}${where}: ${s.text}`, file: s.span.file, line: s.span.line, column: s.span.column };
}

export function declEvidence(decl: MapDecl): Evidence {
  return { kind: 'declaration', message: `${decl.name} declared (${decl.type})`, file: decl.span.file, line: decl.span.line, column: decl.span.column };
}

export function contextEvidence(flow: PackageFlow, ctx: number): Evidence | null {
  const c = flow.contexts[ctx];
  if (!c || ctx === 0) return null;
  return { kind: 'context', message: `runs concurrently: ${c.description}`, file: c.span.file, line: c.span.line, column: c.span.column };
}

/** Makes a finding with a stable id (src/analysis/finding-id.ts). */
export function makeFinding(
  flow: PackageFlow,
  rule: RuleId,
  map: SharedMap,
  at: ResolvedSite,
  message: string,
  evidence: Evidence[],
  confidence: Confidence = HIGH,
): Finding {
  const id = findingId(flow, rule, map.decl, map.sites, at);
  const { evidence: ev, omitted } = boundEvidence(evidence);
  return {
    id,
    rule,
    message,
    span: at.span,
    map: { key: map.decl.key, name: map.decl.name, kind: map.decl.kind, file: map.decl.span.file, line: map.decl.span.line },
    evidence: ev,
    omittedEvidence: omitted,
    confidence: confidence.level,
    ...(confidence.reason ? { confidenceReason: confidence.reason } : {}),
    ...(confidence.onlyIn ? { onlyIn: confidence.onlyIn } : {}),
    ...(confidence.ownLockIn ? { ownLockIn: confidence.ownLockIn } : {}),
  };
}

/**
 * Drops repeated evidence and keeps the first EVIDENCE_LIMIT accesses and contexts (a map touched
 * from hundreds of places must not list them all); the declaration and lock entries always stay.
 */
export function boundEvidence(evidence: Evidence[]): { evidence: Evidence[]; omitted: OmittedEvidence } {
  const seen = new Set<string>();
  const omitted: OmittedEvidence = { access: 0, context: 0 };
  const kept = { access: 0, context: 0 };
  const out: Evidence[] = [];
  for (const e of evidence) {
    // One place is listed once, under the first (most specific) description given for it.
    const k = `${e.kind}|${e.file}|${e.line}|${e.column}${e.kind === 'access' ? '' : `|${e.message}`}`;
    if (seen.has(k)) continue;
    seen.add(k);
    if (e.kind === 'access' || e.kind === 'context') {
      if (kept[e.kind] >= EVIDENCE_LIMIT[e.kind]) {
        omitted[e.kind]++;
        continue;
      }
      kept[e.kind]++;
    }
    out.push(e);
  }
  return { evidence: out, omitted };
}

/** Evidence for a set of conflicts involving `at`: the other accesses and the contexts. */
export function conflictEvidence(flow: PackageFlow, map: SharedMap, at: ResolvedSite, conflicts: Conflict[]): Evidence[] {
  const ev: Evidence[] = [declEvidence(map.decl)];
  const ctxs = new Set<number>();
  let n = 0;
  // Every conflicting site is listed: makeFinding keeps the first few and counts the rest.
  for (const c of conflicts) {
    const [mine, other, myCtx, otherCtx] = c.a === at ? [c.a, c.b, c.contexts[0], c.contexts[1]] : [c.b, c.a, c.contexts[1], c.contexts[0]];
    if (mine !== at) continue;
    if (n === 0) ev.push(siteEvidence(flow, at, myCtx));
    ev.push(siteEvidence(flow, other, otherCtx));
    n++;
    ctxs.add(myCtx);
    ctxs.add(otherCtx);
  }
  for (const c of ctxs) {
    const e = contextEvidence(flow, c);
    if (e) ev.push(e);
  }
  return ev;
}

/** The races of one access with each of `others` that can run alongside it. */
export function racesOf(finder: ConflictFinder, map: SharedMap, at: ResolvedSite, others: ResolvedSite[]): Conflict[] {
  return others.flatMap((w) => {
    const contexts = finder.concurrent(at, w, map.callersConcurrent);
    return contexts ? [{ a: at, b: w, contexts }] : [];
  });
}

/** The confidence of a finding on this map whose races are `conflicts` (src/analysis/confidence.ts). */
export function mapConfidence(ctx: { flow: PackageFlow; finder: ConflictFinder }, map: SharedMap, conflicts: Conflict[]): Confidence {
  const c = confidenceOf(ctx.flow, ctx.finder, map.decl, map.guard, conflicts);
  if (c.level !== 'high' || conflicts.length === 0) return c;
  const onlyIn = functionsOfEveryRace(ctx.flow, conflicts);
  return onlyIn.length === 0 ? c : { ...c, onlyIn };
}
