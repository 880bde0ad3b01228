// Set-up before a `go` statement is ordered before the goroutine and before every goroutine that
// goroutine starts in turn (docs/ordering.md, "Goroutines started by goroutines").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp } from './helpers/cli.js';
import { fixtureInput, lineOf, swapIn, scanRules } from './helpers/variants.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const BASE = fixtureInput('negative/set-up-before-nested-goroutines');

const scan = scanRules;
const swap = (from: string, to: string) => swapIn(BASE, from, to);

describe('set-up before goroutines that goroutines start', () => {
  it('written before the outer go statement (the fixture): no finding', () => {
    expect(scan(BASE)).toEqual([]);
  });

  it('written after the outer go statement: races with the inner readers', () => {
    const src = swap('\tfor i, n := range names {\n\t\tm.instances[n] = i\n\t}\n\tgo m.watch()', '\tgo m.watch()\n\tfor i, n := range names {\n\t\tm.instances[n] = i\n\t}');
    expect(scan(src)).toContain(`concurrent-map-write@${lineOf(src, 'm.instances[n] = i')}`);
  });

  it('the middle function also called in place by an exported method: races', () => {
    const src = `${BASE}\n// Watch runs the watcher in the caller's goroutine.\nfunc (m *Manager) Watch() { m.watch() }\n\n// Rename renames an instance.\nfunc (m *Manager) Rename(from, to string) {\n\tm.instances[to] = m.instances[from]\n}\n`;
    // One finding per map, at its first racing write (Run's, no longer ordered before the readers).
    expect(scan(src)).toContain(`concurrent-map-write@${lineOf(src, 'm.instances[n] = i')}`);
  });
});
