import { isWrite } from '../conflicts.js';
import { bySpan, conflictEvidence, contextName, makeFinding, mapConfidence, testOnlyNote, type Rule } from './shared-map.js';

/** A write or delete that can run alongside another access of the same map, with no lock anywhere. */
export const concurrentMapWrite: Rule = {
  id: 'concurrent-map-write',
  run(ctx) {
    const { flow, finder, maps } = ctx;
    const out = [];
    for (const map of maps) {
      if (map.guard || map.conflicts.length === 0) continue;
      const writes = map.conflicts.flatMap((c) => [c.a, c.b]).filter(isWrite).sort(bySpan);
      const at = writes[0];
      if (!at) continue;
      const mine = map.conflicts.filter((c) => c.a === at || c.b === at);
      const first = mine[0]!;
      const otherCtx = first.a === at ? first.contexts[1] : first.contexts[0];
      const contexts = new Set(map.conflicts.flatMap((c) => c.contexts));
      const msg =
        `map ${map.decl.name} is ${at.kind === 'delete' ? 'deleted from' : at.kind === 'clear' ? 'cleared' : 'written'} here while ` +
        `${contextName(flow, otherCtx)} can access it at the same time; no lock guards it ` +
        `(${map.conflicts.length} racing pair${map.conflicts.length === 1 ? '' : 's'} across ${contexts.size} context${contexts.size === 1 ? '' : 's'})` +
        testOnlyNote(finder, map.conflicts);
      out.push(makeFinding(flow, 'concurrent-map-write', map, at, msg, conflictEvidence(flow, map, at, mine), mapConfidence(ctx, map, mine)));
    }
    return out;
  },
};
