// mutex-wrap inline joins the copies it takes under a lock to a region of the same lock right
// before the statement (`mu.RLock(); a := len(m1); mu.RUnlock()`, written by hand or by an earlier
// pass of the fix), instead of a second RLock/RUnlock right after the first (seaweedfs' log line
// reading two maps of IdentityAccessManagement). Anything between the two keeps them apart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFixes } from '../src/fix.js';
import { assertBuilt, cleanupTemp, tempTree } from './helpers/cli.js';
import { fixtureInput, swapIn } from './helpers/variants.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const GO_MOD = 'module example.com/fixture\n\ngo 1.19\n';
const BASE = fixtureInput('mutex-wrap/two-maps-one-lock-one-region');
const LINE = '\tfmt.Fprintf(w, "%d users, %d keys\\n", len(r.users), len(r.keys))\n';

function after(src: string): string {
  const dir = tempTree({ 'go.mod': GO_MOD, 'input.go': src });
  const p = planFixes([dir], { cwd: dir, includeReview: true, strategy: 'mutex-wrap', style: 'inline' });
  expect(p.declined).toEqual([]);
  return p.files[0]!.after;
}

describe('copies under a lock join the region right before them', () => {
  it('a region the code already has (users read under the read lock): the keys copy joins it', () => {
    const src = swapIn(BASE, LINE, '\tr.mu.RLock()\n\tn := len(r.users)\n\tr.mu.RUnlock()\n\tfmt.Fprintf(w, "%d users, %d keys\\n", n, len(r.keys))\n');
    expect(after(src)).toContain('\tr.mu.RLock()\n\tn := len(r.users)\n\tkeysLen := len(r.keys)\n\tr.mu.RUnlock()\n\tfmt.Fprintf(w, "%d users, %d keys\\n", n, keysLen)\n');
  });

  it('a statement between the region and the read: a region of its own', () => {
    const src = swapIn(BASE, LINE, '\tr.mu.RLock()\n\tn := len(r.users)\n\tr.mu.RUnlock()\n\tw.Write(nil)\n\tfmt.Fprintf(w, "%d users, %d keys\\n", n, len(r.keys))\n');
    expect(after(src)).toContain('\tr.mu.RUnlock()\n\tw.Write(nil)\n\tr.mu.RLock()\n\tkeysLen := len(r.keys)\n\tr.mu.RUnlock()\n');
  });

  it('a region of another lock right before: a region of its own', () => {
    let src = swapIn(BASE, '\tmu    sync.RWMutex\n', '\tmu    sync.RWMutex\n\tlogMu sync.Mutex\n');
    src = swapIn(src, LINE, '\tr.logMu.Lock()\n\tn := 0\n\tr.logMu.Unlock()\n\tfmt.Fprintf(w, "%d users, %d keys\\n", n+len(r.users), len(r.keys))\n');
    const out = after(src);
    expect(out).toContain('\tr.logMu.Unlock()\n\tr.mu.RLock()\n');
  });
});
