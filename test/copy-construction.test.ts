// Copies: `snap := t.stats.Copy()` holds a value Copy built, and the fields Copy (or the
// constructors it calls) set to values of their own are the copy's too: ranging over
// `snap.Counts.ByJob` does not touch the live map (docs/ordering.md, "Copies"). A copy that
// shares a field with the live value, or is handed on before the read, keeps the finding.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp } from './helpers/cli.js';
import { fixtureInput, lineOf, scanRules, swapIn } from './helpers/variants.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const BASE = fixtureInput('negative/copy-with-own-nested-maps');
const LIVE_WRITE = 's.Counts.ByJob[job]++';

const swap = (from: string, to: string) => swapIn(BASE, from, to);

describe('a snapshot whose nested value is a copy of its own', () => {
  it('Copy sets Counts to Counts.Copy() (the fixture): no finding', () => {
    expect(scanRules(BASE)).toEqual([]);
  });

  it('Copy shares the live Counts: the report races with Add', () => {
    const src = swap('snap.Counts = s.Counts.Copy()', 'snap.Counts = s.Counts');
    expect(scanRules(src)).toContain(`concurrent-map-write@${lineOf(src, LIVE_WRITE)}`);
  });

  it('Counts.Copy hands back the live value on one path: races', () => {
    const src = swap('\tout := NewCounts()\n', '\tif len(c.ByJob) > 100 {\n\t\treturn c\n\t}\n\tout := NewCounts()\n');
    expect(scanRules(src)).toContain(`concurrent-map-write@${lineOf(src, LIVE_WRITE)}`);
  });

  it('the snapshot is stored in the tracker before the read: races', () => {
    const src = swap('\t\tsnap := t.stats.Copy()\n', '\t\tsnap := t.stats.Copy()\n\t\tt.stats = snap\n');
    expect(scanRules(src)).toContain(`concurrent-map-write@${lineOf(src, LIVE_WRITE)}`);
  });

  it('the report reads the live stats instead of a copy: races', () => {
    const src = swap('\t\tsnap := t.stats.Copy()\n', '\t\tsnap := t.stats\n');
    expect(scanRules(src)).toContain(`concurrent-map-write@${lineOf(src, LIVE_WRITE)}`);
  });

  it('NewStats builds Counts from a package-level value: the copy keeps no own Counts unless Copy sets it', () => {
    const src = swap('snap.Counts = s.Counts.Copy()\n', '').replace('return &Stats{Counts: NewCounts()}', 'return &Stats{Counts: shared}').replace('func NewStats() *Stats {', 'var shared = NewCounts()\n\nfunc NewStats() *Stats {');
    expect(scanRules(src)).toContain(`concurrent-map-write@${lineOf(src, LIVE_WRITE)}`);
  });
});
