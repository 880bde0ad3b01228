import type { Finding } from '../model.js';
import type { ResolvedSite } from '../concurrency.js';
import { bySpan, conflictEvidence, describeAccess, makeFinding, mapConfidence, siteEvidence, testOnlyNote, type Rule, type SharedMap } from './shared-map.js';
import { goLockNameAt } from './lock-names.js';

const WRITES = ['write', 'delete', 'clear'];

/**
 * The accesses of a guarded map that race because they lack its lock (or write under its read
 * lock). Callers of a getter that hands the map out are left to map-escapes-lock at the getter.
 */
export function unguardedSites(map: SharedMap): ResolvedSite[] {
  const guard = map.guard;
  if (!guard || map.conflicts.length === 0) return [];
  const handedOut = map.sites.some((s) => s.kind === 'escape' && s.escape === 'return' && s.locks.some((l) => l.name === guard));
  const offenders = new Set(
    map.conflicts
      .flatMap((c) => [c.a, c.b])
      .filter((s) => {
        if (s.viaReturn && handedOut) return false;
        const held = s.locks.find((l) => l.name === guard);
        return !held || (held.mode === 'read' && WRITES.includes(s.kind));
      }),
  );
  return [...offenders].sort(bySpan);
}

/**
 * The accesses one unguarded-map-access finding at `at` stands for: `at` and the other unguarded
 * accesses of its function in the same state (no lock, or only the read lock), as the rule groups
 * them. A fix covers the finding only when it covers all of them. `sites` is unguardedSites(map),
 * when the caller has it already.
 */
export function unguardedGroupOf(map: SharedMap, at: ResolvedSite, sites = unguardedSites(map)): ResolvedSite[] {
  const guard = map.guard;
  const underRead = (s: ResolvedSite) => s.locks.some((l) => l.name === guard);
  const group = sites.filter((s) => s.func === at.func && underRead(s) === underRead(at));
  return group.includes(at) ? group : [at, ...group];
}

/** Ranges holding the map's write lock that change the map and conflict with one of `sites`. */
function lockedRangesRacingWith(map: SharedMap, sites: ResolvedSite[]): ResolvedSite[] {
  const mine = new Set(sites);
  return map.sites.filter(
    (r) =>
      r.kind === 'range' &&
      !mine.has(r) &&
      map.sites.some((s) => WRITES.includes(s.kind) && s.raw.inRanges.includes(r.raw.id)) &&
      r.locks.some((l) => l.name === map.guard && l.mode === 'write') &&
      map.conflicts.some((c) => (c.a === r && mine.has(c.b)) || (c.b === r && mine.has(c.a))),
  );
}

/**
 * The call at `pos` (the call's start, or the called name of an edge read from text) with the
 * selector chain before it (`r.helper(k)`), up to its closing parenthesis, on one line.
 */
function callAt(text: string, pos: number): { start: number; text: string } {
  let start = pos;
  while (start > 0 && /[\w.]/.test(text[start - 1]!)) start--;
  while (text[start] === '.') start++;
  const open = text.indexOf('(', pos);
  let depth = 0;
  for (let i = open; open >= 0 && i < text.length && i < pos + 200; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')' && --depth === 0) return { start, text: text.slice(start, i + 1).replace(/\s+/g, ' ') };
  }
  return { start, text: text.slice(start).split('\n')[0]!.trim() };
}

/**
 * An access without the lock that guards the same map elsewhere. One function that forgets the
 * lock is one missing Lock call: its unguarded accesses make one finding, at the first of them,
 * and the others are its evidence.
 */
export const unguardedMapAccess: Rule = {
  id: 'unguarded-map-access',
  run(ctx) {
    const { flow, finder, maps } = ctx;
    const out: Finding[] = [];
    for (const map of maps) {
      const guard = map.guard;
      if (!guard) continue;
      const guarded = map.sites.filter((s) => s.locks.some((l) => l.name === guard));
      const grouped = new Set<ResolvedSite>();
      const sites = unguardedSites(map);
      for (const first of sites) {
        if (grouped.has(first)) continue;
        const [at, ...rest] = unguardedGroupOf(map, first, sites);
        if (!at) continue;
        for (const s of [at, ...rest]) grouped.add(s);
        const held = at.locks.some((l) => l.name === guard);
        const lock = goLockNameAt(guard, map.decl, at.text, flow.index);
        const more = rest.length === 0 ? '' : ` (and at ${rest.length} more access${rest.length === 1 ? '' : 'es'} in the same function)`;
        const msg = held
          ? `${map.decl.name} is ${describeAccess(at)} here${more} while holding only the read lock of ${lock}; writes need ${lock}.Lock()`
          : `${map.decl.name} is ${describeAccess(at)} here${more} without ${lock}, which guards it at ${guarded.length} other access${guarded.length === 1 ? '' : 'es'}`;
        const mine = map.conflicts.filter((c) => c.a === at || c.b === at);
        const note = testOnlyNote(finder, mine);
        const ev = conflictEvidence(flow, map, at, mine);
        // The same function's other unguarded accesses come first: they share the missing lock.
        ev.splice(2, 0, ...rest.map((s) => ({ ...siteEvidence(flow, s, null), message: `also without ${lock}: ${describeAccess(s)}: ${s.text}` })));
        // A range that holds the lock and changes the map races only with this missing lock
        // (map-mutated-during-range folds it here): it is named as such, right after them.
        const ranges = lockedRangesRacingWith(map, [at, ...rest]);
        const atRange = new Set(ranges.map((r) => `${r.span.file}:${r.span.line}`));
        const others = ev.filter((e) => !(e.kind === 'access' && atRange.has(`${e.file}:${e.line}`)));
        const folded = ranges.map((r) => ({
          ...siteEvidence(flow, r, null),
          message: `range holding ${goLockNameAt(guard, map.decl, r.text, flow.index)} changes the map and races only with this missing lock: ${r.text}`,
        }));
        ev.splice(0, ev.length, ...others.slice(0, 2 + rest.length), ...folded, ...others.slice(2 + rest.length));
        const example = guarded.find((g) => g !== at);
        if (example) {
          const there = goLockNameAt(guard, map.decl, example.text, flow.index);
          ev.push({ kind: 'lock', message: `guarded by ${there} here: ${example.text}`, file: example.span.file, line: example.span.line, column: example.span.column });
        }
        // The calls that reach the function without the lock (issue 10, item 6: "report the call
        // site that does not"): where a caller would take it, when the function expects its callers to.
        // The lock is named by its declaration (`Server.mu`): the call site reaches it another way.
        const write = [at, ...rest].some((s) => WRITES.includes(s.kind));
        for (const c of guard.includes(':') ? [] : flow.callsLacking(at.func, guard, write).slice(0, 2)) {
          const caller = flow.index.funcs[c.caller]!;
          const call = callAt(caller.file.text, c.pos);
          const pos = caller.file.lines.position(call.start);
          const by = caller.literal ? 'a function literal' : caller.name;
          ev.push({
            kind: 'lock',
            message: `called here by ${by} without ${write ? `${guard}.Lock()` : guard}: ${call.text}`,
            file: caller.file.rel,
            line: pos.line,
            column: pos.column,
          });
        }
        // Every unguarded access of the function races for it: its confidence is that of all their pairs.
        const group = new Set([at, ...rest]);
        const races = map.conflicts.filter((c) => group.has(c.a) || group.has(c.b));
        out.push(makeFinding(flow, 'unguarded-map-access', map, at, msg + note, ev, mapConfidence(ctx, map, races)));
      }
    }
    return out;
  },
};
