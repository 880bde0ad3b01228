// The lock that guards a map (SharedMap.guard), spelled at a given access, and whether it is a
// sync.RWMutex (a copy then takes only the read lock).
import type { MapDecl } from '../../src/analysis/model.js';
import type { SyntaxNode } from '../../src/parse/parser.js';
import { guardIsRW, type PackageView } from '../../src/plan/transform.js';
import { isStablePath } from '../../src/plan/go-syntax.js';

export interface GuardLock {
  /** The normalised name, as in HeldLock (`Cache.mu`, `Cache`, `cacheMu`). */
  name: string;
  /** `c.mu`, `c` (an embedded mutex) or `cacheMu`: what to call Lock on at this access. */
  expr: string;
  rw: boolean;
}

/**
 * The guard spelled for an access whose map expression is `mapExpr` (`c.items`, `cache`). Null
 * when the map is reached in a way the lock cannot be named from (an alias, an index expression).
 */
export function guardAt(guard: string, decl: MapDecl, mapExpr: SyntaxNode, pkg: PackageView): GuardLock | null {
  const rw = guardIsRW(guard, pkg);
  if (guard.includes('@')) {
    // A local mutex: its name is in scope wherever the local map is.
    return { name: guard, expr: guard.split('@')[0]!, rw };
  }
  if (decl.kind === 'field') {
    const [owner, field] = decl.name.split('.') as [string, string];
    if (mapExpr.type !== 'selector_expression' || mapExpr.childForFieldName('field')?.text !== field) return null;
    const operand = mapExpr.childForFieldName('operand');
    // `f().m`: each evaluation may be another value, so Lock and Unlock need not meet one mutex.
    if (!operand || !isStablePath(operand)) return null;
    const base = operand.text;
    if (guard === owner) return { name: guard, expr: base, rw };
    if (guard.startsWith(`${owner}.`)) return { name: guard, expr: `${base}.${guard.slice(owner.length + 1)}`, rw };
    return null;
  }
  if (decl.kind === 'package-var' && /^\w+$/.test(guard)) return { name: guard, expr: guard, rw };
  return null;
}

/** `c.mu.RLock()` / `c.mu.RUnlock()` for a read of the map under the guard. */
export function readLockCalls(lock: GuardLock): [string, string] {
  return lock.rw ? [`${lock.expr}.RLock()`, `${lock.expr}.RUnlock()`] : [`${lock.expr}.Lock()`, `${lock.expr}.Unlock()`];
}
