// A doc comment that says which lock the callers hold ("Lock should be held.") makes that lock
// held on entry, for exported functions too (docs/locks.md); a comment that says the lock is not
// held, or names a lock the package does not have, changes nothing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { docComment } from '../src/analysis/documented-locks.js';
import { assertBuilt, cleanupTemp, runCli, scanJson, tempTree } from './helpers/cli.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

// loop holds s.mu around every Put call; Put is exported, so without a word from its
// doc comment the scan must assume other packages call it without the lock.
const store = (doc: string): string => `package p

import "sync"

type Store struct {
	mu sync.RWMutex
	m  map[string]int
}

type Other struct {
	mu sync.Mutex
}

func New() *Store {
	s := &Store{m: map[string]int{}}
	go s.loop()
	return s
}

func (s *Store) loop() {
	for i := 0; ; i++ {
		s.mu.Lock()
		s.Put("k", i)
		s.mu.Unlock()
	}
}

func (s *Store) Get(k string) int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.m[k]
}

func (o *Other) Touch() {
	o.mu.Lock()
	o.mu.Unlock()
}

${doc}
func (s *Store) Put(k string, v int) {
	s.m[k] = v
}
`;

const findingsOn = (doc: string): string[] => {
  const dir = tempTree({ 'go.mod': 'module example.com/p\n\ngo 1.21\n', 'store.go': store(doc) });
  return scanJson([dir]).report.findings.map((f) => `${f.rule}@${f.line}`);
};

describe('locks a doc comment says are held on entry', () => {
  it('without a comment the exported method is reported; "Lock should be held." clears it', () => {
    expect(findingsOn('// Put stores v under k.').length).toBeGreaterThan(0);
    expect(findingsOn('// Put stores v under k.\n// Lock should be held.')).toEqual([]);
  });

  it('reads the usual phrasings: held on entry, must be held, caller must hold, a named field', () => {
    for (const doc of [
      '// Lock held on entry.',
      '// Store lock is held on entry.',
      '// s.mu must be held.',
      '// Put stores v; the caller must hold the write lock.',
      '// Assumes the lock is held.',
    ]) expect(findingsOn(doc), doc).toEqual([]);
  });

  it('a comment that says the lock is not held, names a lock of another type, or only a read lock is no guard for the write', () => {
    for (const doc of [
      '// Lock should not be held.',
      '// No lock held on entry.',
      '// Other lock is held on entry.',
      '// Unknown lock is held on entry.',
      '// Read lock should be held.',
      '// Lock should be held.\n\n// Put stores v.',
      '// Put stores v, all while holding s.mu: a slow caller stalls Get.',
    ]) expect(findingsOn(doc).length, doc).toBeGreaterThan(0);
  });

  it("a name that says the caller holds the lock (…Locked, Unsafe…, …NoLock) is a precondition too, unless the comment says otherwise", () => {
    for (const name of ['PutLocked', 'UnsafePut', 'PutNoLock']) {
      const src = (doc: string) => store(doc).replaceAll('s.Put(', `s.${name}(`).replace('func (s *Store) Put(', `func (s *Store) ${name}(`);
      const scan = (doc: string) => scanJson([tempTree({ 'go.mod': 'module example.com/p\n\ngo 1.21\n', 'store.go': src(doc) })]).report.findings.map((f) => `${f.rule}@${f.line}`);
      expect(scan(`// ${name} stores v under k.`), name).toEqual([]);
      expect(scan(`// ${name} stores v; no lock is held on entry.`).length, name).toBeGreaterThan(0);
    }
    // A query about the lock, or a function that takes it, says nothing about its callers.
    for (const name of ['IsLocked', 'PutWithLock']) {
      const src = store('// stores v.').replaceAll('s.Put(', `s.${name}(`).replace('func (s *Store) Put(', `func (s *Store) ${name}(`);
      expect(scanJson([tempTree({ 'go.mod': 'module example.com/p\n\ngo 1.21\n', 'store.go': src })]).report.findings.length, name).toBeGreaterThan(0);
    }
  });

  it('fix takes a documented lock as held: the copy of a returned map is taken without locking again', () => {
    const src = `package p

import "sync"

type Store struct {
	mu sync.Mutex
	m  map[string]int
}

func New() *Store {
	s := &Store{m: map[string]int{}}
	go s.loop()
	return s
}

func (s *Store) loop() {
	for i := 0; ; i++ {
		s.mu.Lock()
		s.m["k"] = i
		s.mu.Unlock()
	}
}

// Raw returns the map. Lock should be held.
func (s *Store) Raw() map[string]int {
	return s.m
}
`;
    const dir = tempTree({ 'go.mod': 'module example.com/p\n\ngo 1.21\n', 'store.go': src });
    const run = runCli(['fix', '--strategy', 'snapshot-copy', '--include-review', dir]);
    expect(run.stdout).toContain('+\treturn maps.Clone(s.m)');
    expect(run.stdout).not.toMatch(/^\+.*s\.mu\.Lock\(\)/m);
  });

  it('the doc comment is the run of // lines directly above the declaration', () => {
    const text = '// a\n\n// b\n// c\nfunc f() {}\n';
    expect(docComment(text, text.indexOf('func'))).toBe('b c');
    expect(docComment('func f() {}\n', 0)).toBe('');
  });
});
