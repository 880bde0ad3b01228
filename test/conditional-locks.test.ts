// `if doLock { mu.Lock() }` on a bool parameter: the lock counts as held after it only when
// every caller passing anything but `true` holds the lock (docs/locks.md).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp, REPO, scanJson, tempTree } from './helpers/cli.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const BASE = readFileSync(join(REPO, 'fixtures/negative/conditional-lock-by-parameter/input.go'), 'utf8');
const GO_MOD = 'module example.com/fixture\n\ngo 1.21\n';
const lookupLine = BASE.split('\n').findIndex((l) => l.includes('v, ok := r.names[name]')) + 1;

const scan = (src: string): string[] => {
  const dir = tempTree({ 'go.mod': GO_MOD, 'input.go': src });
  return scanJson([dir]).report.findings.map((f) => `${f.rule}@${f.line}`);
};

describe('a lock taken under a bool parameter', () => {
  it('is held when every caller passing false holds it (the fixture): no finding', () => {
    expect(scan(BASE)).toEqual([]);
  });

  it('is not held when one caller passes false without the lock: the read is reported', () => {
    const src = `${BASE}
// Peek reads without taking the lock.
func (r *Registry) Peek(name string) int {
	v, _ := r.lookup(name, false)
	return v
}
`;
    expect(scan(src)).toContain(`unguarded-map-access@${lookupLine}`);
  });

  it('is not held when other packages may call the function with false', () => {
    const src = BASE.replaceAll('lookup(', 'Lookup(');
    expect(scan(src)).toContain(`unguarded-map-access@${lookupLine}`);
  });
});

// `if lock { return runLocked(&ix.mu, …) }`: what follows runs only when the caller passed false.
const EARLY = readFileSync(join(REPO, 'fixtures/negative/early-return-conditional-lock/input.go'), 'utf8');
const earlyWrite = EARLY.split('\n').findIndex((l, i, all) => l.trim() === 'ix.resources[name] = n' && all[i - 1]!.trim() === '}') + 1;

describe('an early return taking the lock under a bool parameter', () => {
  it('guards the code after it when every caller passing false holds the lock (the fixture): no finding', () => {
    expect(earlyWrite).toBeGreaterThan(0);
    expect(scan(EARLY)).toEqual([]);
  });

  it('does not when a caller passes false without the lock: the write after the if is reported', () => {
    const src = `${EARLY}
// Put stores without the lock.
func (ix *Index) Put(name string, n int) {
	ix.load(name, n, false)
}
`;
    expect(scan(src)).toContain(`unguarded-map-access@${earlyWrite}`);
  });
});
