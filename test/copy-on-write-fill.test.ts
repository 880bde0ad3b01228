// Filling a map just stored in a field, before the lock held at the store is released, does not
// race with readers that loaded the field into a local under that lock (docs/rules.md,
// "Copy-on-write maps filled under the lock"). A fill after the unlock, or a write into the map
// the field already held, still does.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp } from './helpers/cli.js';
import { fixtureInput, lineOf, swapIn, scanRules } from './helpers/variants.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const BASE = fixtureInput('negative/copy-on-write-fill-under-lock');

const scan = scanRules;
const swap = (from: string, to: string) => swapIn(BASE, from, to);
const READ = 'for _, l := range limits {';

describe('a copy-on-write map filled under the lock', () => {
  it('filled before the unlock (the fixture): no finding', () => {
    expect(scan(BASE)).toEqual([]);
  });

  it('filled after the unlock: the readers race with the fill', () => {
    const src = swap('\ta.limits = map[string]int{}\n\tfor t, l := range tiers {\n\t\ta.limits[t] = l\n\t}\n\ta.mu.Unlock()', '\ta.limits = map[string]int{}\n\ta.mu.Unlock()\n\tfor t, l := range tiers {\n\t\ta.limits[t] = l\n\t}');
    expect(scan(src).length).toBeGreaterThan(0);
    expect(scan(src).join(' ')).toMatch(new RegExp(`@(${lineOf(src, READ)}|${lineOf(src, 'a.limits[t] = l')})\\b`));
  });

  it('written in place without a new map: the readers race with the write', () => {
    const src = swap('\ta.limits = map[string]int{}\n\tfor t, l := range tiers {', '\tfor t, l := range tiers {');
    expect(scan(src)).toContain(`unguarded-map-access@${lineOf(src, READ)}`);
  });

  it('a new map stored under one lock and filled after another lock is released: races', () => {
    const src = swap('\ta.mu.Lock()\n\ta.limits = map[string]int{}\n\tfor t, l := range tiers {\n\t\ta.limits[t] = l\n\t}\n\ta.mu.Unlock()', '\ta.mu.Lock()\n\ta.limits = map[string]int{}\n\ta.mu.Unlock()\n\ta.mu.Lock()\n\tfor t, l := range tiers {\n\t\ta.limits[t] = l\n\t}\n\ta.mu.Unlock()');
    expect(scan(src)).toContain(`unguarded-map-access@${lineOf(src, READ)}`);
  });
});
