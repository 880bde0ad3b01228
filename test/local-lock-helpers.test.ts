// A function literal kept in a local variable that takes or releases a lock on every path
// (`lock := func() { …; acc.mu.Lock() }` … `lock()`) is a lock helper like a named one
// (docs/locks.md, "Local lock helpers").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp } from './helpers/cli.js';
import { fixtureInput, lineOf, swapIn, scanRules } from './helpers/variants.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const BASE = fixtureInput('negative/local-lock-helper-closures');

const scan = scanRules;
const swap = (from: string, to: string) => swapIn(BASE, from, to);

describe('local lock helpers', () => {
  it('taking the lock on every path (the fixture): no finding', () => {
    expect(scan(BASE)).toEqual([]);
  });

  it('taking the map\'s lock only on some paths: unguarded', () => {
    const src = swap('\t\tif queue {\n\t\t\tacc.smu.Lock()\n\t\t}\n\t\tacc.mu.Lock()\n', '\t\tif queue {\n\t\t\tacc.mu.Lock()\n\t\t}\n\t\tacc.smu.Lock()\n');
    // Update's accesses now hold only acc.smu, which guards most accesses; Count and Reset hold
    // acc.mu and are the ones reported.
    expect(scan(src)).toEqual([`unguarded-map-access@${lineOf(src, 'return acc.rm[subject]')}`, `unguarded-map-access@${lineOf(src, 'acc.rm = make(map[string]int)')}`]);
  });

  it('released before the access by the unlock helper: unguarded', () => {
    const src = swap('\tlock()\n\tn := acc.rm[subject] + delta', '\tlock()\n\tunlock()\n\tn := acc.rm[subject] + delta').replace('\t\tacc.rm[subject] = n\n\t}\n\tunlock()', '\t\tacc.rm[subject] = n\n\t}');
    expect(scan(src)).toContain(`unguarded-map-access@${lineOf(src, 'n := acc.rm[subject] + delta')}`);
  });

  it('a literal that also starts a goroutine is not a helper: unguarded', () => {
    const src = swap('\t\tacc.mu.Lock()\n\t}\n\tunlock := func() {', '\t\tacc.mu.Lock()\n\t\tgo func() {}()\n\t}\n\tunlock := func() {');
    expect(scan(src)).toContain(`unguarded-map-access@${lineOf(src, 'n := acc.rm[subject] + delta')}`);
  });
});
