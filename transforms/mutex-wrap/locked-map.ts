// The mutex-wrapped map type the wrapper style emits once per package: generic when the go
// directive allows type parameters (go ≥ 1.18), otherwise one concrete type per key/value pair.
import { packageDeclares, typeWords } from '../../src/plan/package-decls.js';
import type { PackageView } from '../../src/plan/transform.js';

/** Marks a declaration as emitted by gomapfix, so a later run reuses it instead of adding another. */
export const EMITTED_MARK = 'Added by gomapfix (mutex-wrap, wrapper style).';

export interface LockedMapType {
  /** The declared type name: `lockedMap` or, without generics, e.g. `lockedStringIntMap`. */
  name: string;
  /** How declarations spell the type: `lockedMap[string, int]` or `lockedStringIntMap`. */
  use: string;
  /** The declaration to emit, or null when the package already has this one from an earlier run. */
  source: string | null;
}

/** Chooses the type for a map[K]V in this package: a free name, or the one an earlier run emitted. */
export function lockedMapType(pkg: PackageView, key: string, value: string, generic: boolean): LockedMapType {
  const base = generic ? 'lockedMap' : `locked${typeWords(key)}${typeWords(value)}Map`;
  for (let i = 1; ; i++) {
    const name = i === 1 ? base : `${base}${i}`;
    const use = generic ? `${name}[${key}, ${value}]` : name;
    const existing = emittedBefore(pkg, name);
    if (existing) return { name, use, source: null };
    if (!packageDeclares(pkg, name)) return { name, use, source: generic ? genericSource(name) : concreteSource(name, key, value) };
  }
}

/** Whether the package declares `name` with gomapfix's mark, so it is this very type. */
function emittedBefore(pkg: PackageView, name: string): boolean {
  const decl = new RegExp(`^type ${name}\\b`, 'm');
  return pkg.files.some((f) => decl.test(f.text) && f.text.includes(`// ${name} is a map guarded by a sync.RWMutex`) && f.text.includes(EMITTED_MARK));
}

function genericSource(name: string): string {
  return methods(`${name}[K comparable, V any]`, `${name}[K, V]`, 'K', 'V', name);
}

function concreteSource(name: string, key: string, value: string): string {
  return methods(name, name, key, value, name);
}

function methods(declared: string, recv: string, K: string, V: string, name: string): string {
  return `// ${name} is a map guarded by a sync.RWMutex. Its zero value is an empty map, ready to use.
// It must not be copied after first use. ${EMITTED_MARK}
type ${declared} struct {
	mu sync.RWMutex
	m  map[${K}]${V}
}

// Load returns the value stored under key and whether there was one.
func (l *${recv}) Load(key ${K}) (${V}, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	v, ok := l.m[key]
	return v, ok
}

// Get returns the value stored under key, or the zero value when there is none.
func (l *${recv}) Get(key ${K}) ${V} {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return l.m[key]
}

// Store sets the value for key.
func (l *${recv}) Store(key ${K}, value ${V}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil {
		l.m = make(map[${K}]${V})
	}
	l.m[key] = value
}

// Update replaces the value under key with f(old value) in one locked step. f must not use l.
func (l *${recv}) Update(key ${K}, f func(${V}) ${V}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.m == nil {
		l.m = make(map[${K}]${V})
	}
	l.m[key] = f(l.m[key])
}

// Delete removes key.
func (l *${recv}) Delete(key ${K}) {
	l.mu.Lock()
	defer l.mu.Unlock()
	delete(l.m, key)
}

// Clear removes every entry.
func (l *${recv}) Clear() {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.m = nil
}

// Len returns the number of entries.
func (l *${recv}) Len() int {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return len(l.m)
}

// Range calls f for each entry of a snapshot taken under the read lock, until f returns false.
// f runs without the lock held, so it may use l.
func (l *${recv}) Range(f func(key ${K}, value ${V}) bool) {
	for k, v := range l.Snapshot() {
		if !f(k, v) {
			return
		}
	}
}

// Snapshot returns a copy of the entries, taken under the read lock. Values are copied shallowly.
func (l *${recv}) Snapshot() map[${K}]${V} {
	l.mu.RLock()
	defer l.mu.RUnlock()
	out := make(map[${K}]${V}, len(l.m))
	for k, v := range l.m {
		out[k] = v
	}
	return out
}`;
}
