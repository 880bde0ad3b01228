// `if c { mu.Lock() } else { mu.RLock() }` followed by `if c { write }` on the same unchanged
// local bool: the write holds the write lock (docs/locks.md, "Lock modes chosen by a flag").
// When the flag changes in between, or the modes are the other way round, the write under the
// read lock is reported.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp } from './helpers/cli.js';
import { fixtureInput, lineOf, swapIn, scanRules } from './helpers/variants.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const BASE = fixtureInput('negative/lock-mode-chosen-by-flag');
const WRITE = 's.cache[k] = v';

const scan = scanRules;
const swap = (from: string, to: string) => swapIn(BASE, from, to);

describe('a lock mode chosen by a local bool, and a write under the same bool', () => {
  it('the write runs in the branch that holds the write lock (the fixture): no finding', () => {
    expect(scan(BASE)).toEqual([]);
  });

  it('the flag is set again between the lock and the write: the write may hold only the read lock', () => {
    const src = swap('\tv := s.tree[k]\n', '\tv := s.tree[k]\n\tcacheEnabled = v > 0\n');
    expect(scan(src)).toContain(`unguarded-map-access@${lineOf(src, WRITE)}`);
  });

  it('the modes the other way round: the write holds the read lock', () => {
    const src = swap('\tif cacheEnabled {\n\t\ts.Lock()\n\t} else {\n\t\ts.RLock()\n\t}', '\tif cacheEnabled {\n\t\ts.RLock()\n\t} else {\n\t\ts.Lock()\n\t}').replace('\tif cacheEnabled {\n\t\ts.Unlock()\n\t} else {\n\t\ts.RUnlock()\n\t}', '\tif cacheEnabled {\n\t\ts.RUnlock()\n\t} else {\n\t\ts.Unlock()\n\t}');
    expect(scan(src)).toContain(`unguarded-map-access@${lineOf(src, WRITE)}`);
  });

  it('the write under a different condition: reported', () => {
    const src = swap('\tif cacheEnabled {\n\t\ts.cache[k] = v\n\t}', '\tif v > 0 {\n\t\ts.cache[k] = v\n\t}');
    expect(scan(src)).toContain(`unguarded-map-access@${lineOf(src, WRITE)}`);
  });
});
