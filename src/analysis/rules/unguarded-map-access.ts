import type { Finding } from '../model.js';
import { bySpan, conflictEvidence, describeAccess, makeFinding, type Rule } from './shared-map.js';

/** An access without the lock that guards the same map elsewhere. */
export const unguardedMapAccess: Rule = {
  id: 'unguarded-map-access',
  run({ flow, maps }) {
    const out: Finding[] = [];
    for (const map of maps) {
      const guard = map.guard;
      if (!guard || map.conflicts.length === 0) continue;
      const guarded = map.sites.filter((s) => s.locks.some((l) => l.name === guard));
      // Callers of a getter that hands the map out are covered by map-escapes-lock at the getter.
      const handedOut = map.sites.some((s) => s.kind === 'escape' && s.escape === 'return' && s.locks.some((l) => l.name === guard));
      const offenders = new Set(
        map.conflicts
          .flatMap((c) => [c.a, c.b])
          .filter((s) => {
            if (s.viaReturn && handedOut) return false;
            const held = s.locks.find((l) => l.name === guard);
            return !held || (held.mode === 'read' && ['write', 'delete', 'clear'].includes(s.kind));
          }),
      );
      for (const at of [...offenders].sort(bySpan)) {
        const held = at.locks.find((l) => l.name === guard);
        const mine = map.conflicts.filter((c) => c.a === at || c.b === at);
        const example = guarded.find((g) => g !== at);
        const msg = held
          ? `${map.decl.name} is ${describeAccess(at)} while holding only the read lock of ${guard}; writes need ${guard}.Lock()`
          : `${map.decl.name} is ${describeAccess(at)} here without ${guard}, which guards it at ${guarded.length} other access${guarded.length === 1 ? '' : 'es'}`;
        const ev = conflictEvidence(flow, map, at, mine);
        if (example) {
          ev.push({ kind: 'lock', message: `guarded by ${guard} here: ${example.text}`, file: example.span.file, line: example.span.line, column: example.span.column });
        }
        out.push(makeFinding(flow, 'unguarded-map-access', map, at, msg, ev));
      }
    }
    return out;
  },
};
