// Locks the fix planner must see before it adds one (docs/locks.md, "One set of facts for the
// scanner and the planner"): a lock a caller takes on some path only (`if unix { mu.Lock();
// defer mu.Unlock() }`), callers reached through bodies the walker skipped, and a lock pointer
// the function makes after an access (caddy). Each with the variant where the fix is right.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFixes } from '../src/fix.js';
import { assertBuilt, cleanupTemp, tempTree } from './helpers/cli.js';
import { fixtureInput, swapIn } from './helpers/variants.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const GO_MOD = 'module example.com/fixture\n\ngo 1.19\n';

function plan(src: string) {
  const dir = tempTree({ 'go.mod': GO_MOD, 'input.go': src });
  return planFixes([dir], { cwd: dir, includeReview: true, strategy: 'mutex-wrap', style: 'inline' });
}

describe('a caller that takes the lock on some path', () => {
  const BASE = fixtureInput('mutex-wrap/declines-lock-taken-by-caller-on-some-path');

  it('Listen locks for unix addresses across the call (the fixture): declined, naming the call', () => {
    const p = plan(BASE);
    expect(p.fixes).toEqual([]);
    expect(p.declined.map((d) => d.reason)).toEqual([expect.stringContaining('listen may be called with socketsMu held (input.go:23); locking inside it would deadlock')]);
  });

  it('the lock released before the call (Unlock, not deferred): the Lock in reuse is added', () => {
    const src = swapIn(BASE, '\t\tsocketsMu.Lock()\n\t\tdefer socketsMu.Unlock()\n', '\t\tsocketsMu.Lock()\n\t\tsocketsMu.Unlock()\n');
    const p = plan(src);
    expect(p.declined).toEqual([]);
    expect(p.fixes.map((f) => f.title)).toEqual([expect.stringContaining('take socketsMu')]);
  });

  it('held on every path (no if), and Probe calls reuse without it: declined as called with the lock held, through listen, a body the walker skips', () => {
    let src = swapIn(BASE, '\tif a.IsUnix() {\n\t\tsocketsMu.Lock()\n\t\tdefer socketsMu.Unlock()\n\t}\n', '\tsocketsMu.Lock()\n\tdefer socketsMu.Unlock()\n');
    src = swapIn(src, 'func Close(host string) {', 'func Probe(host string) int {\n\treturn reuse(host)\n}\n\nfunc Close(host string) {');
    const p = plan(src);
    expect(p.fixes).toEqual([]);
    expect(p.declined.map((d) => d.reason)).toEqual([expect.stringContaining('listen is called with socketsMu held')]);
  });
});

describe('a lock pointer made after an access', () => {
  const BASE = fixtureInput('mutex-wrap/lock-pointer-made-after-setup');

  it('Configure fills the map before it makes the mutex (the fixture): only the reader is locked; the write is left, and said so', () => {
    const p = plan(BASE);
    expect(p.fixes).toHaveLength(1);
    expect(p.fixes[0]!.reason).toContain('left unlocked: input.go:16 (its function sets t.serverNamesMu after it, at input.go:17)');
    expect(p.declined.map((d) => d.reason)).toEqual([expect.stringContaining('input.go:16 runs before its function sets t.serverNamesMu (input.go:17)')]);
  });

  it('the mutex made first: nothing is left unlocked', () => {
    const src = swapIn(BASE, '\tt.serverNames = make(map[string]struct{})\n\tt.serverNamesMu = new(sync.Mutex)\n', '\tt.serverNamesMu = new(sync.Mutex)\n\tt.serverNames = make(map[string]struct{})\n');
    const p = plan(src);
    expect(p.fixes.map((f) => f.reason).join('\n')).not.toContain('left unlocked');
    expect(p.declined).toEqual([]);
  });
});
