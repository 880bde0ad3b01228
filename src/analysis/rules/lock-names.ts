// How a lock is named for a reader. The analysis keys locks by type and declaration
// (`Store.mu`, `Cart` for an embedded mutex, `mu@3:120` for a local); a message names them the
// way Go code does (`s.mu`, `c.Mutex`, `Cart.Mutex`, `mu`).
import type { MapDecl } from '../model.js';
import type { PackageIndex } from '../package-index.js';
import { baseTypeName } from '../types.js';

/** The embedded field a struct's own Lock/Unlock come from (`Mutex`, `RWMutex`), also when promoted. */
function embeddedLock(index: PackageIndex, struct: string, depth = 0): string | null {
  const s = index.structs.get(struct);
  if (!s || depth > 4) return null;
  const own = s.embedded.find((e) => /(Mutex|Locker)$/.test(e.name));
  if (own) return own.name;
  for (const e of s.embedded) {
    const promoted = embeddedLock(index, baseTypeName(e.type), depth + 1);
    if (promoted) return promoted;
  }
  return null;
}

/** The lock as Go names it without an access at hand: `Store.mu`, `Cart.Mutex`, `cacheMu`, a local `mu`. */
export function goLockName(lock: string, index: PackageIndex): string {
  const name = lock.replace(/^once:/, '');
  const at = name.indexOf('@');
  if (at > 0) return name.slice(0, at);
  if (index.structs.has(name)) {
    const field = embeddedLock(index, name);
    return field ? `${name}.${field}` : `the embedded lock of ${name}`;
  }
  return name;
}

/**
 * The lock as spelled where the map is accessed: the receiver of `c.items[k]` makes `Cart.mu`
 * read `c.mu` and an embedded mutex `c.Mutex`. Falls back to the type-level name.
 */
export function goLockNameAt(lock: string, decl: MapDecl, accessText: string, index: PackageIndex): string {
  const named = goLockName(lock, index);
  if (decl.kind !== 'field') return named;
  const [owner, field] = decl.name.split('.');
  if (!owner || !field || !named.startsWith(`${owner}.`)) return named;
  const base = new RegExp(`([A-Za-z_][\\w.]*)\\.${field}(?!\\w)`).exec(accessText)?.[1];
  return base ? `${base}${named.slice(owner.length)}` : named;
}
