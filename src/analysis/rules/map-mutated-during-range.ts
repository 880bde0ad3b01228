import type { Finding } from '../model.js';
import type { ResolvedSite } from '../concurrency.js';
import type { RawSite } from '../raw-facts.js';
import { commonLock, isWrite } from '../conflicts.js';
import { conflictEvidence, declEvidence, makeFinding, mapConfidence, racesOf, siteEvidence, testOnlyNote, type Rule, type RuleContext, type SharedMap } from './shared-map.js';
import { goLockNameAt } from './lock-names.js';
import { unguardedSites } from './unguarded-map-access.js';
import { isNormalisingRange, rebindsKey } from './range-benign.js';

/**
 * A range whose race is a missing lock is reported by unguarded-map-access, with this range as
 * evidence: either the range itself lacks the map's lock (adding it makes its changes legal), or
 * it holds the lock for writing and races only with accesses that forget it. A range that is
 * wrong by itself (inserts new keys, calls out under the lock) still reports.
 */
export function foldsIntoUnguarded(map: SharedMap, range: ResolvedSite, writers: ResolvedSite[]): boolean {
  if (!map.guard) return false;
  const unguarded = new Set(unguardedSites(map));
  if (unguarded.has(range)) return true;
  return range.locks.some((l) => l.name === map.guard && l.mode === 'write') && writers.every((w) => unguarded.has(w));
}

/**
 * `t.tmpl` and `nt.tmpl` are the same field of two values: ranging over one while filling the
 * other (a copy) is not a mutation during range. Anything else is taken as possibly the same map.
 */
function sameInstance(a: string | undefined, b: string | undefined): boolean {
  const base = (t: string | undefined) => /^([A-Za-z_]\w*)\.[A-Za-z_]\w*$/.exec(t ?? '')?.[1];
  const x = base(a);
  const y = base(b);
  return x === undefined || y === undefined || x === y;
}

/**
 * A callback called from a range body while the range holds the map's lock is a hazard only when
 * something it runs comes back to the same map or lock: an access of the map (a write under a
 * read lock, or a re-lock that deadlocks) or taking the lock again. The callbacks are the in-package
 * functions called from inside the body (literals handed to the parameter, named functions);
 * what they call is followed. A callback the package never shows (passed in from another package)
 * gives no evidence, and holding a lock while calling out is a common, deliberate design, so the
 * range is not reported (docs/rules.md, "Callbacks under the lock").
 */
function reentersUnderLock(flow: RuleContext['flow'], map: SharedMap, r: ResolvedSite): { site: ResolvedSite | null; relock: RawSite | null } | null {
  const body = r.raw.range!;
  const start: number[] = [];
  for (const [callee, callers] of flow.callersOf) {
    if (callers.some((c) => c.caller === r.func && c.pos >= body.bodyStart && c.pos < body.bodyEnd)) start.push(callee);
  }
  // Literals handed to the range's function for the parameter the body calls.
  const inBody = (pos: number) => pos >= body.bodyStart && pos < body.bodyEnd;
  for (const pc of flow.raw.paramCalls) {
    if (pc.func !== r.func || !inBody(pc.pos) || pc.spawn !== undefined) continue;
    for (const fa of flow.raw.funcArgs) if (fa.paramIndex === pc.paramIndex && fa.callees.includes(r.func)) start.push(fa.literal);
  }
  if (start.length === 0) return null;
  const reach = new Set<number>();
  const todo = [...start];
  while (todo.length > 0) {
    const f = todo.pop()!;
    if (f === r.func || reach.has(f)) continue;
    reach.add(f);
    for (const g of flow.calleesOf[f] ?? []) todo.push(g);
  }
  const relock = flow.raw.sites.find((s) => reach.has(s.func) && s.locks.some((l) => l.name === map.guard)) ?? null;
  const site = map.sites.find((s) => reach.has(s.func) && !s.raw.inRanges.includes(r.raw.id) && (relock === null || isWrite(s))) ?? null;
  return site || relock ? { site, relock } : null;
}

/** Ranges that mutate a shared map, hold its lock while calling out, or insert into the map they visit. */
export const mapMutatedDuringRange: Rule = {
  id: 'map-mutated-during-range',
  run(ctx) {
    const { flow, finder, maps, hazards } = ctx;
    const out: Finding[] = [];
    for (const map of maps) {
      for (const r of map.sites) {
        if (r.kind !== 'range' || !r.raw.range) continue;
        const body = r.raw.range;
        const inBody = (s: ResolvedSite) => s.raw.inRanges.includes(r.raw.id);
        // Reassigning the variable (`s.m = nil`) neither inserts nor deletes: the range goes on
        // over the map it started with.
        const mutations = map.sites.filter(
          (s) => inBody(s) && (s.kind === 'delete' || s.kind === 'write' || s.kind === 'clear') && !s.raw.reassign && sameInstance(r.raw.mapText, s.raw.mapText),
        );
        const file = flow.index.funcs[r.func]!.file;
        // `m[k] = …` with k the visited key updates that entry, unless the body gave k a new value.
        const updatesVisited = (s: ResolvedSite) =>
          body.keyName !== null && body.keyName !== '_' && s.raw.indexText === body.keyName && !(file && rebindsKey(file.text, body.bodyStart, body.bodyEnd, body.keyName));
        const inserts = mutations.filter((s) => s.kind === 'write' && !updatesVisited(s));
        const deletes = mutations.filter((s) => s.kind === 'delete' || s.kind === 'clear');
        const concurrentWriters = map.sites.filter(
          (w) => !inBody(w) && w !== r && isWrite(w) && !finder.isConstruction(w) && !commonLock(w.locks, r.locks) && finder.concurrent(r, w, map.callersConcurrent),
        );
        let msg: string | null = null;
        let confidence;
        let reenters: { site: ResolvedSite | null; relock: RawSite | null } | null = null;
        const ev = [declEvidence(map.decl), siteEvidence(flow, r, null)];
        const races = (deletes.length > 0 || inserts.length > 0) && concurrentWriters.length > 0;
        if (races && !foldsIntoUnguarded(map, r, concurrentWriters)) {
          const what = deletes.length > 0 ? 'deletes from' : 'inserts into';
          // The races are the range's own: it with each concurrent writer, each shown in the
          // context it races in (not the first writer's other races, which may be another pair).
          const own = racesOf(finder, map, r, concurrentWriters);
          msg = `range over ${map.decl.name} ${what} the map while other goroutines write it with no common lock${testOnlyNote(finder, own)}`;
          confidence = mapConfidence(ctx, map, own);
          for (const m of [...deletes, ...inserts]) ev.push(siteEvidence(flow, m, null));
          ev.push(...conflictEvidence(flow, map, r, own).slice(2));
        } else if (body.callsOut && map.guard && r.locks.some((l) => l.name === map.guard) && (reenters = reentersUnderLock(flow, map, r) ?? (hazards ? { site: null, relock: null } : null))) {
          const lock = goLockNameAt(map.guard, map.decl, r.text, flow.index);
          const at = (file: string, start: number) => `${file.split('/').pop()}:${flow.index.files.find((f) => f.rel === file)?.lines.position(start).line ?? '?'}`;
          const back = reenters.relock
            ? `; a callback it is given takes ${lock} again (${at(flow.index.funcs[reenters.relock.func]!.file!.rel, reenters.relock.start)}), which deadlocks`
            : reenters.site
              ? `; a callback it is given ${isWrite(reenters.site) ? 'writes' : 'reads'} ${map.decl.name} (${at(reenters.site.span.file, reenters.site.span.start)}) while the range holds ${lock}${r.locks.some((l) => l.name === map.guard && l.mode === 'read') && isWrite(reenters.site) ? ' only for reading' : ''}`
              : '; the callback runs under the lock and can deadlock or stall writers';
          msg = `range over ${map.decl.name} holds ${lock} while calling ${body.callsOut} for every entry${back}`;
          if (reenters.site) ev.push(siteEvidence(flow, reenters.site, null));
        } else if (hazards && inserts.length > 0 && !(file && r.raw.mapText && isNormalisingRange(file, r.raw.start, r.raw.mapText))) {
          // Not a race: one goroutine whose loop may or may not visit the keys it adds. On the
          // real-code corpus every such report read was benign (the added keys fail the loop's
          // test, or revisiting them changes nothing), so it is a --hazards report (docs/rules.md).
          const keys = [...new Set(inserts.map((s) => s.raw.indexText).filter((t): t is string => !!t))];
          const what = keys.length > 0 ? ` (${keys.map((k) => `${r.raw.mapText ?? map.decl.name}[${k}]`).join(', ')})` : '';
          msg = `range over ${map.decl.name} inserts new keys into the map it visits${what}; the Go spec leaves open whether the loop visits an entry it created, so the body may or may not run again for each new key`;
          for (const m of inserts) ev.push(siteEvidence(flow, m, null));
        }
        if (msg) out.push(makeFinding(flow, 'map-mutated-during-range', map, r, msg, ev, confidence));
      }
    }
    return out;
  },
};
