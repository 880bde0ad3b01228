// Which mutex a lock expression names, when Go code reaches one mutex by several paths.
// Locks are keyed by type and declaration (`Store.mu`, `Store` for a mutex embedded in Store);
// these helpers make every path to one mutex give one key (docs/locks.md).
import { isMapType, type PackageIndex } from './package-index.js';
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
