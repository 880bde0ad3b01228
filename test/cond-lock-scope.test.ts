// A lock taken inside `if flag { … }` on a bool parameter is really held inside that branch; only
// what follows the `if` holds it by assumption (docs/locks.md, "Conditional locks"). When the
// assumption is taken back (Close is called from outside, so no caller is known to hold the
// lock), the branch's own accesses and those after the function takes the lock itself keep it.
// nsq's Topic.exit (`if deleted { t.Lock(); …; t.Unlock(); return }`, then `t.RLock()`) was
// reported as unguarded at both. The counter-variants race and stay reported.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp } from './helpers/cli.js';
import { fixtureInput, lineOf, scanRules, swapIn } from './helpers/variants.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

describe('a lock taken inside a flag branch', () => {
  const BASE = fixtureInput('negative/lock-taken-inside-a-flag-branch');
  const BRANCH = '\t\tfor name, s := range q.subs {';
  const AFTER = '\tfor range q.subs {';

  it('write lock in the returning branch, read lock after it (the fixture): no finding', () => {
    expect(scanRules(BASE)).toEqual([]);
  });

  it('the branch forgets its lock: its range is reported, the read-locked range after it is not', () => {
    const src = swapIn(swapIn(BASE, '\t\tq.Lock()\n\t\tn := 0\n', '\t\tn := 0\n'), '\t\tq.Unlock()\n\t\treturn n\n', '\t\treturn n\n');
    const found = scanRules(src);
    expect(found).toContain(`unguarded-map-access@${lineOf(src, BRANCH)}`);
    expect(found).not.toContain(`unguarded-map-access@${lineOf(src, AFTER)}`);
  });

  it('the code after the branch forgets its read lock: that range is reported', () => {
    const src = swapIn(swapIn(BASE, '\tq.RLock()\n\tn := 0\n', '\tn := 0\n'), '\tq.RUnlock()\n\treturn n\n}', '\treturn n\n}');
    expect(scanRules(src)).toContain(`unguarded-map-access@${lineOf(src, AFTER)}`);
  });

  it('a branch that does not return (the lock is released inside it): the range after it without a lock is reported', () => {
    let src = swapIn(BASE, '\t\tq.Unlock()\n\t\treturn n\n\t}\n', '\t\tq.Unlock()\n\t}\n');
    src = swapIn(src, '\tq.RLock()\n\tn := 0\n', '\tn := 0\n');
    src = swapIn(src, '\tq.RUnlock()\n\treturn n\n}', '\treturn n\n}');
    expect(scanRules(src)).toContain(`unguarded-map-access@${lineOf(src, AFTER)}`);
  });
});
