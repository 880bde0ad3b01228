// A value assigned to the blank identifier is stored nowhere: `_ = os.Remove(…c.dir…)` does not
// publish c (docs/ordering.md, "Construction"). Storing the same expression's value somewhere
// shared still does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp } from './helpers/cli.js';
import { fixtureInput, lineOf, swapIn, scanRules } from './helpers/variants.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const BASE = fixtureInput('negative/blank-assignment-does-not-publish');
const FILL = 'c.counts["start"] = 1';

const scan = scanRules;

describe('an assignment to the blank identifier', () => {
  it('does not publish the value whose field it reads (the fixture): no finding', () => {
    expect(scan(BASE)).toEqual([]);
  });

  it('the value itself stored in a package variable before the fill: the fill races with the loop', () => {
    const src = swapIn(BASE, '\t_ = os.Remove(filepath.Join(c.dir, "stale.lock"))\n', '\t_ = os.Remove(filepath.Join(c.dir, "stale.lock"))\n\tlast = c\n').replace('// Cache keeps counts', 'var last *Cache\n\n// Cache keeps counts');
    expect(scan(src)).toContain(`unguarded-map-access@${lineOf(src, FILL)}`);
  });

  it('the loop started before the fill: races', () => {
    const src = swapIn(BASE, '\tc.counts["start"] = 1\n\tgo c.loop()\n', '\tgo c.loop()\n\tc.counts["start"] = 1\n');
    expect(scan(src)).toContain(`unguarded-map-access@${lineOf(src, FILL)}`);
  });
});
