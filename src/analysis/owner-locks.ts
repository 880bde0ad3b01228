// The lock of a value's owner. A struct type with no lock of its own (`SDMMeta`, `txBuffer`,
// `periodicHeap`) is usually a part of a bigger value that has one: fileStore and memStore each
// hold an `*SDMMeta` and call its methods under their own `mu`. Two owners, two locks, so no
// single lock is held at every call, yet each instance is only ever used under the lock of the
// value that holds it. `owner:T` names that lock: "the lock of whichever value holds this T"
// (docs/locks.md, "The owner's lock").
import type { HeldLock } from './model.js';
import type { PackageIndex } from './package-index.js';
import { baseTypeName } from './types.js';

export const OWNER = 'owner:';

/**
 * An owner's lock is a fact of the analysis ("whichever value holds this one guards it"), not a
 * mutex a rewrite can name, take or order: the fix planners leave it out.
 */
export function isOwnerLock(name: string): boolean {
  return name.startsWith(OWNER);
}

const LOCK_TYPE = /\b(?:RW)?Mutex\b|\bLocker\b/;

/** Type names a field type mentions that are structs of the package (`*T`, `[]*T`, `map[K]*T`). */
function structsIn(index: PackageIndex, type: string): string[] {
  const out: string[] = [];
  for (const m of type.matchAll(/[A-Za-z_][\w]*/g)) if (index.structs.has(m[0]) && !out.includes(m[0])) out.push(m[0]);
  return out;
}

export class OwnerLocks {
  private readonly reach = new Map<string, Set<string>>();
  private readonly embedders = new Map<string, string[]>();
  /** Struct types some lock of the package belongs to (`Store` for `Store.mu` and for an embedded mutex). */
  private readonly locked = new Set<string>();

  constructor(
    private readonly index: PackageIndex,
    lockNames: string[],
  ) {
    for (const [name, s] of index.structs) {
      for (const e of s.embedded) {
        const base = baseTypeName(e.type);
        if (index.structs.has(base)) this.embedders.set(base, [...(this.embedders.get(base) ?? []), name]);
      }
    }
    for (const l of lockNames) for (const t of this.holderTypes(l, false)) this.locked.add(t);
    // A mutex field or an embedded one makes a type locked even where it is only taken through a
    // helper (`withLock(c, …)`) or not at all.
    for (const [name, s] of index.structs) {
      const types = [...s.fields.values()].map((f) => f.type).concat(s.embedded.map((e) => e.type));
      if (types.some((t) => LOCK_TYPE.test(t))) this.locked.add(name);
    }
  }

  /** The struct types whose values hold this lock: its declaring type and the types embedding it. */
  private holderTypes(lock: string, owners = true): string[] {
    if (isOwnerLock(lock)) return owners ? [lock.slice(OWNER.length)] : [];
    if (lock.includes('@') || lock.startsWith('once:')) return [];
    const base = lock.split('.')[0]!;
    if (!this.index.structs.has(base)) return [];
    const out = [base];
    for (let i = 0; i < out.length && i < 16; i++) for (const e of this.embedders.get(out[i]!) ?? []) if (!out.includes(e)) out.push(e);
    return out;
  }

  /** The struct types a value of type `from` holds, through fields and embedding, a few levels deep. */
  private owned(from: string): Set<string> {
    let set = this.reach.get(from);
    if (set) return set;
    set = new Set<string>();
    let frontier = [from];
    for (let depth = 0; depth < 4 && frontier.length > 0; depth++) {
      const next: string[] = [];
      for (const t of frontier) {
        const s = this.index.structs.get(t);
        if (!s) continue;
        const types = [...s.fields.values()].map((f) => f.type).concat(s.embedded.map((e) => e.type));
        for (const ty of types)
          for (const u of structsIn(this.index, ty))
            if (!set.has(u) && u !== from) {
              set.add(u);
              next.push(u);
            }
      }
      frontier = next;
    }
    this.reach.set(from, set);
    return set;
  }

  /** No lock of the package belongs to T: its values rely on whoever holds them. */
  lockless(type: string): boolean {
    return this.index.structs.has(type) && !this.locked.has(type);
  }

  /**
   * The owner's lock a call into a method of T (or an access to a map of T) holds: `owner:T`
   * itself, or, when the T value is reached through a field (`fs.sdm.add()`, not a variable that
   * may hold any T), a lock of a type whose values hold T values. Null when none of `held` is.
   */
  ownerLock(held: HeldLock[], type: string, viaField: boolean): HeldLock | null {
    let best: HeldLock | null = null;
    for (const l of held) {
      // A method of T calling another on the same kind of value keeps its own owner's lock.
      if (l.name !== OWNER + type && !(viaField && this.holderTypes(l.name).some((p) => p !== type && this.owned(p).has(type)))) continue;
      if (l.mode === 'write') return { name: OWNER + type, mode: 'write' };
      best = { name: OWNER + type, mode: 'read' };
    }
    return best;
  }

  /** An owner lock guards the maps of its type and of what that type holds, nothing else. */
  guards(lock: string, mapKey: string): boolean {
    if (!isOwnerLock(lock)) return true;
    if (!mapKey.startsWith('field:')) return false;
    const t = lock.slice(OWNER.length);
    const struct = mapKey.slice(6).split('.')[0]!;
    return struct === t || this.owned(t).has(struct);
  }
}
