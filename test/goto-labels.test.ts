// A label a `goto` jumps to holds what every jump to it (and the fall-through into it) holds; a
// comment between a label and its statement does not hide the statement (docs/locks.md).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp } from './helpers/cli.js';
import { fixtureInput, lineOf, swapIn, scanRules } from './helpers/variants.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const BASE = fixtureInput('negative/goto-label-under-lock');

const scan = scanRules;
const swap = (from: string, to: string) => swapIn(BASE, from, to);

describe('goto and labels', () => {
  it('every jump to the label holds the lock (the fixture): no finding', () => {
    expect(scan(BASE)).toEqual([]);
  });

  it('a jump made after the unlock leaves the label unguarded', () => {
    const src = swap('\t\tif next < 0 {\n\t\t\tgoto waitForWork\n\t\t}', '\t\tif next < 0 {\n\t\t\tq.mu.Unlock()\n\t\t\tq.mu.Lock()\n\t\t\tq.mu.Unlock()\n\t\t\tgoto waitForWork\n\t\t}');
    expect(scan(src)).toContain(`unguarded-map-access@${lineOf(src, 'if len(q.waiting) > 100')}`);
  });

  it('a fall-through into the label without the lock leaves it unguarded', () => {
    const src = swap('\t\tq.out <- next\n\t\tcontinue\n', '\t\tq.out <- next\n');
    expect(scan(src)).toContain(`unguarded-map-access@${lineOf(src, 'if len(q.waiting) > 100')}`);
  });
});
