// Which mutex a lock expression names, when Go code reaches one mutex by several paths.
// Locks are keyed by type and declaration (`Store.mu`, `Store` for a mutex embedded in Store);
// these helpers make every path to one mutex give one key (docs/locks.md).
import type { HeldLock } from './model.js';
import { isMapType, type PackageIndex } from './package-index.js';
import type { RawFacts } from './raw-facts.js';
import { baseTypeName } from './types.js';

const MUTEX = /^(?:sync\.)?(?:RW)?Mutex$/;

/**
 * A struct of the package that embeds a sync.Mutex or sync.RWMutex next to map fields: its
 * promoted Lock guards those maps, whichever path reaches the value (`q.Lock()` in its own
 * methods, `s.queue.Lock()` from outside). Such a value is its own lock, named by its type.
 */
export function embedsMutex(index: PackageIndex, type: string | null): string | null {
  if (!type) return null;
  const name = baseTypeName(type);
  const s = index.structs.get(name);
  if (!s || !s.embedded.some((e) => MUTEX.test(e.type.replace(/^\*/, '').trim()))) return null;
  // A mutex type of its own (`type tracedMutex struct{ sync.Mutex; hook func() }` with its own
  // Lock) stays a lock field like any other: it guards its holder's fields, not its own.
  if (['Lock', 'RLock'].some((m) => (index.methodsByName.get(m) ?? []).some((i) => index.funcs[i]!.recvType === name))) return null;
  const embedded = new Set(s.embedded.map((e) => e.name));
  return [...s.fields.values()].some((f) => !embedded.has(f.name) && isMapType(index, f.type)) ? name : null;
}

/**
 * The struct type whose mutex `x.Lock()` takes when x is of struct type `name`: the type itself
 * when it embeds a sync mutex or has a Lock method of its own, else the first such type reached
 * through its embedded structs (`Auto` embeds `*Zones`, which embeds `sync.RWMutex`: `a.RLock()`
 * is Zones' lock, the one `z.Lock()` takes in Zones' methods; coredns' plugin/auto). Null when
 * no mutex is promoted to it.
 */
export function promotedLockOwner(index: PackageIndex, name: string, depth = 0): string | null {
  const s = index.structs.get(name);
  if (!s || depth > 4) return null;
  if (s.embedded.some((e) => MUTEX.test(e.type.replace(/^\*/, '').trim()))) return name;
  if (['Lock', 'RLock'].some((m) => (index.methodsByName.get(m) ?? []).some((i) => index.funcs[i]!.recvType === name))) return name;
  for (const e of s.embedded) {
    const inner = baseTypeName(e.type);
    if (inner === name) continue;
    const owner = promotedLockOwner(index, inner, depth + 1);
    if (owner) return owner;
  }
  return null;
}

const LOCK_POINTER = /^\*\s*(?:sync\.)?(?:RW)?Mutex$/;

/** `*sync.Mutex`, `*sync.RWMutex`: a variable or field of this type is another name for a mutex. */
export function isLockPointerType(type: string): boolean {
  return LOCK_POINTER.test(type.trim());
}

/**
 * A mutex-pointer field that every assignment in the package sets to the address of one lock
 * (`mu: &t.tokensMu`) is that lock: `k.mu.Lock()` and `t.tokensMu.Lock()` exclude each other.
 * Renames the field's lock to its target in every lock set of the raw facts, and keeps the
 * aliases so a map beside the pointer field can take the target as its guard.
 */
export function applyLockAliases(facts: RawFacts): void {
  const targets = new Map<string, string | null>();
  for (const { field, target } of facts.lockFieldValues) {
    const prev = targets.get(field);
    if (prev === undefined) targets.set(field, target);
    else if (prev !== target) targets.set(field, null);
  }
  const alias = new Map<string, string>();
  for (const [field, target] of targets) if (target && target !== field && !target.includes('@')) alias.set(field, target);
  if (alias.size === 0) return;
  // Follow chains (a.mu = &b.mu, b.mu = &c.mu), never around a cycle.
  const resolve = (name: string): string => {
    let n = name;
    for (let i = 0; i < 8 && alias.has(n); i++) n = alias.get(n)!;
    return n;
  };
  const rename = (name: string): string => {
    const once = name.startsWith('once:');
    const base = once ? name.slice(5) : name;
    if (!alias.has(base)) return name;
    return (once ? 'once:' : '') + resolve(base);
  };
  const fix = (locks: HeldLock[]): void => {
    for (let i = 0; i < locks.length; i++) locks[i] = { ...locks[i]!, name: rename(locks[i]!.name) };
    // Two names of one lock held together are one hold, in the stronger mode.
    for (let i = locks.length - 1; i >= 0; i--) {
      const j = locks.findIndex((l) => l.name === locks[i]!.name);
      if (j < i) {
        if (locks[i]!.mode === 'write') locks[j] = { ...locks[j]!, mode: 'write' };
        locks.splice(i, 1);
      }
    }
  };
  for (const s of facts.sites) fix(s.locks);
  for (const c of facts.calls) fix(c.locks);
  for (const c of facts.paramCalls) fix(c.locks);
  for (const b of facts.bindings) if (b.locks) fix(b.locks);
  for (const c of facts.funcArgs) {
    fix(c.locks);
    c.argLocks = c.argLocks.map((l) => (l === null ? null : rename(l)));
  }
  facts.lockAliases = alias;
}
