// Which pair of contexts a race is reported with (src/analysis/conflicts.ts `concurrent`): two runs
// of the package's callers are the weakest witness, and a finding all of whose pairs are such is
// low ("no goroutine, handler or callback of the package reaches …", confidence.ts). Until session
// 16 the first pair found was kept, so a write under a read lock that an event goroutine of the
// package runs was reported with two callers' runs, and low (seaweedfs' VolumeLayout.crowded).
// Now a pair with a goroutine or handler of the package is named when there is one.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp } from './helpers/cli.js';
import { fixtureInput, lineOf, scanFiles, swapIn } from './helpers/variants.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const SRC = fixtureInput('unguarded-map-access/write-under-read-lock-in-event-goroutine');
const WRITE_LINE = lineOf(SRC, 'l.crowded[vid] = struct{}{}');

const report = (src: string) =>
  scanFiles({ 'input.go': src }).map((f) => ({
    at: `${f.rule}@${f.line}`,
    confidence: f.confidence,
    contexts: f.evidence.filter((e) => e.kind === 'context').map((e) => e.message),
    write: f.evidence.find((e) => e.kind === 'access' && e.line === WRITE_LINE)?.message,
  }));

describe('the pair a race is reported with', () => {
  it('a write under the read lock that the event goroutine runs: named with that goroutine, high (the fixture)', () => {
    expect(report(SRC)).toEqual([
      {
        at: `unguarded-map-access@${WRITE_LINE}`,
        confidence: 'high',
        contexts: ['runs concurrently: go func literal'],
        write: 'written in go func literal: l.crowded[vid]',
      },
    ]);
  });

  it('without the event goroutine, the write runs in the callers\' runs (and, under the write lock, in the heartbeat goroutine): still reported, low', () => {
    const src = swapIn(SRC, '\tgo func() {\n\t\tfor vid := range t.events {', '\tfunc() {\n\t\tfor vid := range t.events {');
    const [f] = report(src);
    expect(f?.at).toBe(`unguarded-map-access@${WRITE_LINE}`);
    expect(f?.confidence).toBe('low');
    expect(f?.contexts).toEqual([]);
    expect(f?.write).toBe("written in the package's callers: l.crowded[vid]");
  });

  it('the write under the write lock: no finding either way', () => {
    const src = swapIn(SRC, '\tl.accessLock.RLock()\n\tdefer l.accessLock.RUnlock()\n\tl.setCrowded(vid)', '\tl.accessLock.Lock()\n\tdefer l.accessLock.Unlock()\n\tl.setCrowded(vid)');
    expect(report(src)).toEqual([]);
  });
});
