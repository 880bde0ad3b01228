// Whether a function runs with a lock already held, through the package's call graph. Several
// transforms ask this per finding; the calls are indexed by callee once per package instead of
// scanning every call of the package at each step of the walk.
import type { PackageFlow } from '../analysis/concurrency.js';
import type { RawCall } from '../analysis/raw-facts.js';

const CALLS_TO = new WeakMap<PackageFlow, Map<number, RawCall[]>>();

/** The calls of each function, in the order the analysis recorded them. */
function callsTo(flow: PackageFlow, callee: number): RawCall[] {
  let byCallee = CALLS_TO.get(flow);
  if (!byCallee) {
    byCallee = new Map();
    for (const c of flow.raw.calls) {
      for (const f of new Set(c.callees)) {
        const list = byCallee.get(f) ?? [];
        list.push(c);
        byCallee.set(f, list);
      }
    }
    CALLS_TO.set(flow, byCallee);
  }
  return byCallee.get(callee) ?? [];
}

/**
 * The first call, found walking callers transitively from `funcs` (the last one first), that is
 * made with the lock `lock` held, with the function it calls; null when no caller holds it.
 * `how` says it for a decline message: held at the call, documented as held, or taken by the
 * caller on some path only (`if unix { mu.Lock(); defer mu.Unlock() }`, RawCall.mayLocks), where
 * adding Lock in the callee deadlocks on that path (caddy's `NetworkAddress.Listen`).
 */
export function callWithLockHeld(
  flow: PackageFlow,
  funcs: number[],
  lock: string,
): { callee: number; call: RawCall; how: 'is called with' | 'is documented to run with' | 'may be called with' } | null {
  const seen = new Set<number>();
  const stack = [...funcs];
  while (stack.length > 0) {
    const f = stack.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    // Its doc comment says every caller holds the lock ("Lock should be held."): the scanner
    // takes it as held, so the planner must not add it again (docs/locks.md).
    if (flow.documentedLocks[f]?.some((l) => l.name === lock)) {
      const fn = flow.index.funcs[f]!;
      return { callee: f, call: { caller: f, callees: [f], pos: fn.start, loops: [], locks: [] }, how: 'is documented to run with' };
    }
    for (const c of callsTo(flow, f)) {
      if (c.locks.some((l) => l.name === lock)) return { callee: f, call: c, how: 'is called with' };
      if (c.mayLocks?.includes(lock)) return { callee: f, call: c, how: 'may be called with' };
      stack.push(c.caller);
    }
    // Callers whose bodies the analysis did not walk (they name no map and take no lock) hold no
    // lock of their own, but their callers may: `Listen` locks, calls `listen` (not walked), which
    // calls the function being fixed.
    for (const e of flow.callersOf.get(f) ?? []) if (!flow.index.funcs[e.caller]?.analysed) stack.push(e.caller);
  }
  return null;
}
