// A method value handed to a helper that calls it (`s.wrapChk(s.sweep)`, the helper calling f
// under s.mu) runs where the helper calls it, with the helper's locks; "Lock assumed held." is
// a stated precondition (docs/locks.md, "Method values run by a helper").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp } from './helpers/cli.js';
import { fixtureInput, lineOf, swapIn, scanRules } from './helpers/variants.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const BASE = fixtureInput('negative/method-value-run-by-locking-wrapper');
const RANGE = 'for id, seen := range s.servers {';

const scan = scanRules;
const swap = (from: string, to: string) => swapIn(BASE, from, to);

describe('a method value run by a locking wrapper', () => {
  it('sweep runs inside wrapChk under s.mu (the fixture): no finding', () => {
    expect(scan(BASE)).toEqual([]);
  });

  it('the goroutine calls the method value directly: the sweep races', () => {
    const src = swap('\ttick := s.wrapChk(s.sweep)', '\ttick := s.sweep');
    expect(scan(src)).toContain(`unguarded-map-access@${lineOf(src, RANGE)}`);
  });

  it('the wrapper does not lock: the sweep races', () => {
    const src = swap('\t\ts.mu.Lock()\n\t\tf()\n\t\ts.mu.Unlock()', '\t\tf()');
    expect(scan(src)).toContain(`unguarded-map-access@${lineOf(src, RANGE)}`);
  });

  it('Remove without its "Lock assumed held." comment: callers outside the package hold nothing known', () => {
    const src = swap('// Remove forgets a server.\n// Lock assumed held.\n', '// Remove forgets a server.\n');
    expect(scan(src)).toContain(`unguarded-map-access@${lineOf(src, 'delete(s.servers, id)')}`);
  });
});
