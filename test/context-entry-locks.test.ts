// What a function's callers hold, per context it runs in: a helper called under the write lock
// by the package's callers and under the read lock by one goroutine (docs/locks.md).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp, REPO, scanJson, tempTree } from './helpers/cli.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const BASE = readFileSync(join(REPO, 'fixtures/negative/helper-under-write-lock-and-one-goroutines-read-lock/input.go'), 'utf8');
const GO_MOD = 'module example.com/fixture\n\ngo 1.21\n';
const writeLine = BASE.split('\n').findIndex((l) => l.includes('q.m[e.id] = e')) + 1;

const scan = (src: string): string[] => {
  const dir = tempTree({ 'go.mod': GO_MOD, 'input.go': src });
  return scanJson([dir]).report.findings.map((f) => `${f.rule}@${f.line}`);
};

describe('locks held per context', () => {
  it('the callers hold the write lock, the one goroutine the read lock (the fixture): no finding', () => {
    expect(scan(BASE)).toEqual([]);
  });

  it('a caller reading under the read lock races with the goroutine writing under it: reported', () => {
    const src = BASE.replace('func (l *Lessor) Pending() int {\n\tl.mu.Lock()\n\tdefer l.mu.Unlock()', 'func (l *Lessor) Pending() int {\n\tl.mu.RLock()\n\tdefer l.mu.RUnlock()');
    expect(src).not.toBe(BASE);
    expect(scan(src)).toContain(`concurrent-map-write@${writeLine}`);
  });

  it('two instances of the goroutine write under the read lock at once: reported', () => {
    const src = BASE.replace('\tgo l.runLoop()\n', '\tgo l.runLoop()\n\tgo l.runLoop()\n');
    expect(src).not.toBe(BASE);
    expect(scan(src)).toContain(`concurrent-map-write@${writeLine}`);
  });
});
