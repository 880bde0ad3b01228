// A goroutine its own block waits for (`go …; wg.Wait()` in one loop body) has ended after that
// block: writes after the loop do not race with it (docs/ordering.md, "Waits (item 15)"). A jump
// that can skip the wait, or no wait, keeps the race.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp } from './helpers/cli.js';
import { fixtureInput, lineOf, swapIn, scanRules } from './helpers/variants.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const BASE = fixtureInput('negative/goroutine-joined-in-its-loop-body');
const WRITE = 'seen[k]++';

const scan = scanRules;
const swap = (from: string, to: string) => swapIn(BASE, from, to);

describe('goroutines joined inside the loop body that starts them', () => {
  it('writes after the loop (the fixture): no finding', () => {
    expect(scan(BASE)).toEqual([]);
  });

  it('without the wait: the write races with the readers', () => {
    const src = swap('\t\twg.Wait()\n', '');
    expect(scan(src)).toContain(`concurrent-map-write@${lineOf(src, WRITE)}`);
  });

  it('a continue that can skip the wait: races', () => {
    const src = swap('\t\twg.Wait()\n', '\t\tif len(b) > 2 {\n\t\t\tcontinue\n\t\t}\n\t\twg.Wait()\n');
    expect(scan(src)).toContain(`concurrent-map-write@${lineOf(src, WRITE)}`);
  });
});
