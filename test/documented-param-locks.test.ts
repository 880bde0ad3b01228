// A doc comment that names the lock of a parameter, not of the receiver: "The caller must already
// hold group.Mu.Lock()", "(assumes group is already locked)" with `group *Group` (seaweedfs' kafka
// GroupCoordinator). The lock is Group.Mu. Before, the first was not read as a precondition
// ("must already hold") and "group.Mu" was not read as a lock path, and both fell back to the
// receiver's groupsMu. The counter-variants race and stay reported.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp } from './helpers/cli.js';
import { fixtureInput, lineOf, scanRules, swapIn } from './helpers/variants.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

describe("a documented lock of a parameter", () => {
  const BASE = fixtureInput('negative/documented-lock-of-a-parameter');
  const EVICT = '\tfor member, seen := range group.Members {';
  const TOUCH = '\tgroup.Members[member] = now';
  const EVICT_DOC = '// IMPORTANT: The caller must already hold group.Mu.Lock().\n';
  const TOUCH_DOC = '// TouchLocked records a heartbeat (assumes group is already locked).\n';

  it('both functions documented, every caller holds the group lock (the fixture): no finding', () => {
    expect(scanRules(BASE)).toEqual([]);
  });

  it('without the comment on EvictLocked: its range is reported (an exported method, callers unknown)', () => {
    const src = swapIn(BASE, EVICT_DOC, '');
    expect(scanRules(src).some((r) => r.endsWith(`@${lineOf(src, EVICT)}`))).toBe(true);
  });

  it('without the comment on TouchLocked: its write is reported', () => {
    const src = swapIn(BASE, TOUCH_DOC, '// TouchLocked records a heartbeat.\n');
    expect(scanRules(src).some((r) => r.endsWith(`@${lineOf(src, TOUCH)}`))).toBe(true);
  });

  it('the comment names the receiver\'s lock (c.groupsMu): that lock does not guard Members, the range is reported', () => {
    const src = swapIn(BASE, EVICT_DOC, '// IMPORTANT: The caller must already hold c.groupsMu.\n');
    expect(scanRules(src).some((r) => r.endsWith(`@${lineOf(src, EVICT)}`))).toBe(true);
  });

  it('the caller of the loop forgets the group lock: the documented lock is taken as held, so the finding moves to no access (documented contract, docs/locks.md)', () => {
    // The contract is the comment's: a caller that breaks it is not what this rule checks.
    const src = swapIn(BASE, '\t\t\t\tg.Mu.Lock()\n\t\t\t\tc.EvictLocked(g, now.Add(-time.Hour))\n\t\t\t\tg.Mu.Unlock()\n', '\t\t\t\tc.EvictLocked(g, now.Add(-time.Hour))\n');
    expect(scanRules(src)).toEqual([]);
  });
});
