import type { Finding } from '../model.js';
import type { ResolvedSite } from '../concurrency.js';
import { commonLock, isWrite } from '../conflicts.js';
import { conflictEvidence, declEvidence, makeFinding, siteEvidence, type Rule } from './shared-map.js';

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

/** Ranges that mutate a shared map, hold its lock while calling out, or insert into the map they visit. */
export const mapMutatedDuringRange: Rule = {
  id: 'map-mutated-during-range',
  run({ flow, finder, maps }) {
    const out: Finding[] = [];
    for (const map of maps) {
      for (const r of map.sites) {
        if (r.kind !== 'range' || !r.raw.range) continue;
        const body = r.raw.range;
        const inBody = (s: ResolvedSite) => s.raw.inRanges.includes(r.raw.id);
        const mutations = map.sites.filter(
          (s) => inBody(s) && (s.kind === 'delete' || s.kind === 'write' || s.kind === 'clear') && sameInstance(r.raw.mapText, s.raw.mapText),
        );
        const inserts = mutations.filter((s) => s.kind === 'write' && (body.keyName === null || s.raw.indexText !== body.keyName));
        const deletes = mutations.filter((s) => s.kind === 'delete' || s.kind === 'clear');
        const concurrentWriters = map.sites.filter(
          (w) => !inBody(w) && w !== r && isWrite(w) && !finder.isConstruction(w) && !commonLock(w.locks, r.locks) && finder.concurrent(r, w, map.callersConcurrent),
        );
        let msg: string | null = null;
        const ev = [declEvidence(map.decl), siteEvidence(flow, r, null)];
        if ((deletes.length > 0 || inserts.length > 0) && concurrentWriters.length > 0) {
          const what = deletes.length > 0 ? 'deletes from' : 'inserts into';
          msg = `range over ${map.decl.name} ${what} the map while other goroutines write it with no common lock`;
          for (const m of [...deletes, ...inserts].slice(0, 2)) ev.push(siteEvidence(flow, m, null));
          const conflicts = map.conflicts.filter((c) => concurrentWriters.includes(c.a) || concurrentWriters.includes(c.b));
          ev.push(...conflictEvidence(flow, map, concurrentWriters[0]!, conflicts, 2).slice(1));
        } else if (body.callsOut && map.guard && r.locks.some((l) => l.name === map.guard)) {
          msg = `range over ${map.decl.name} holds ${map.guard} while calling ${body.callsOut} for every entry; the callback runs under the lock and can deadlock or stall writers`;
        } else if (inserts.length > 0) {
          msg = `range over ${map.decl.name} inserts new keys into the map it visits; the Go spec leaves whether they are visited undefined`;
          for (const m of inserts.slice(0, 2)) ev.push(siteEvidence(flow, m, null));
        }
        if (msg) out.push(makeFinding(flow, 'map-mutated-during-range', map, r, msg, ev));
      }
    }
    return out;
  },
};
