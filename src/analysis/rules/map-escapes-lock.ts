import type { Finding } from '../model.js';
import { contextEvidence, declEvidence, makeFinding, siteEvidence, type Rule } from './shared-map.js';

const HOW: Record<string, string> = {
  return: 'is returned',
  send: 'is sent on a channel',
  store: 'is stored in another variable or field',
  callback: 'is passed to a callback',
};

/** A lock-guarded map handed out where its readers no longer hold the lock. */
export const mapEscapesLock: Rule = {
  id: 'map-escapes-lock',
  run({ flow, finder, maps }) {
    const out: Finding[] = [];
    for (const map of maps) {
      const guard = map.guard;
      if (!guard) continue;
      // A function's own map (a copy being built) is not shared unless a goroutine reaches it.
      if (map.decl.kind === 'local' || map.decl.kind === 'param') {
        if (!map.sites.some((s) => s.local && s.local.spawn !== null)) continue;
      }
      for (const at of map.sites) {
        if (at.kind !== 'escape' || !at.escape || !(at.escape in HOW)) continue;
        // Handed over and then replaced under the same lock (`publish(s.m); s.m = nil`): a hand-off.
        const replaced = map.sites.some(
          (w) => w.raw.reassign && w.func === at.func && w.raw.start > at.raw.start && w.locks.some((l) => l.name === guard),
        );
        if (replaced) continue;
        // The escape matters only where a writer can still run after it (not after wg.Wait()).
        // Replacing the whole map (`s.m = next`, copy-on-write) leaves the handed-out one untouched.
        const writers = map.sites.filter((w) => w !== at && ['write', 'delete', 'clear'].includes(w.kind) && !w.raw.reassign && !finder.isConstruction(w));
        if (!writers.some((w) => finder.concurrent(at, w, map.callersConcurrent))) continue;
        const msg = `${map.decl.name} ${HOW[at.escape]} here and leaves the protection of ${guard}: whoever uses it later reads it without the lock`;
        const ev = [declEvidence(map.decl), siteEvidence(flow, at, null)];
        const writer = map.sites.find((s) => s !== at && (s.kind === 'write' || s.kind === 'delete'));
        if (writer) ev.push(siteEvidence(flow, writer, writer.contexts[0] ?? null));
        for (const c of new Set(map.sites.flatMap((s) => s.contexts))) {
          const e = contextEvidence(flow, c);
          if (e) ev.push(e);
        }
        out.push(makeFinding(flow, 'map-escapes-lock', map, at, msg, ev));
      }
    }
    return out;
  },
};
