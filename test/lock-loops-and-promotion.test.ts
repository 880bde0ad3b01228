// Two ways a held lock was not seen on real code (docs/locks.md):
// - a range loop that locks every element's mutex (`for _, p := range ps { p.mu.Lock() }`, with a
//   deferred unlock loop) holds that lock of every element after it (syncthing's lib/rc InSync);
// - a lock promoted through embedded structs (`Auto` embeds `*Zones`, which embeds the RWMutex)
//   is the embedded struct's lock, whichever value it is called on (coredns' plugin/auto).
// The counter-variants (the lock released, taken for some elements only, another lock) race.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp } from './helpers/cli.js';
import { fixtureInput, lineOf, scanRules, swapIn } from './helpers/variants.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

describe('a loop that locks every element', () => {
  const BASE = fixtureInput('negative/lock-every-element-in-a-loop');
  const READ = '!ps[i].done[folder]';
  const DEFERRED = '\tdefer func() {\n\t\tfor _, p := range ps {\n\t\t\tp.eventMut.Unlock()\n\t\t}\n\t}()\n';

  it('locks, deferred unlock loop, reads in between (the fixture): no finding', () => {
    expect(scanRules(BASE)).toEqual([]);
  });

  it('the unlock loop runs before the reads: the reads race with the event loops', () => {
    const src = swapIn(BASE, DEFERRED, '\tfor _, p := range ps {\n\t\tp.eventMut.Unlock()\n\t}\n');
    expect(scanRules(src)).toContain(`unguarded-map-access@${lineOf(src, READ)}`);
  });

  it('a lock loop that skips some elements (if in its body): not every element is locked', () => {
    const src = swapIn(BASE, '\tfor _, p := range ps {\n\t\tp.eventMut.Lock()\n\t}\n\tdefer', '\tfor _, p := range ps {\n\t\tif p.done == nil {\n\t\t\tcontinue\n\t\t}\n\t\tp.eventMut.Lock()\n\t}\n\tdefer');
    expect(scanRules(src)).toContain(`unguarded-map-access@${lineOf(src, READ)}`);
  });

  it('a lock loop that can stop early (break): not every element is locked', () => {
    const src = swapIn(BASE, '\tfor _, p := range ps {\n\t\tp.eventMut.Lock()\n\t}\n\tdefer', '\tfor _, p := range ps {\n\t\tp.eventMut.Lock()\n\t\tbreak\n\t}\n\tdefer');
    expect(scanRules(src)).toContain(`unguarded-map-access@${lineOf(src, READ)}`);
  });
});

describe('a lock promoted through embedded structs', () => {
  const BASE = fixtureInput('negative/promoted-lock-through-embedded-struct');
  const LOOKUP = 'v, ok := a.Z[name]';
  const COUNT = 'return len(s.auto.Z)';

  it('a.RLock() and s.auto.RLock() take Zones\' lock (the fixture): no finding', () => {
    expect(scanRules(BASE)).toEqual([]);
  });

  it('Lookup without the lock: reported', () => {
    const src = swapIn(swapIn(BASE, '\ta.RLock()\n\tv, ok', '\tv, ok'), '\ta.RUnlock()\n\treturn v, ok', '\treturn v, ok');
    expect(scanRules(src)).toContain(`unguarded-map-access@${lineOf(src, LOOKUP)}`);
  });

  it('Lookup under a mutex of Auto\'s own: another lock, reported', () => {
    let src = swapIn(BASE, '\torigin string\n', '\torigin string\n\tmu     sync.Mutex\n');
    src = swapIn(swapIn(src, '\ta.RLock()\n\tv, ok', '\ta.mu.Lock()\n\tv, ok'), '\ta.RUnlock()\n\treturn v, ok', '\ta.mu.Unlock()\n\treturn v, ok');
    expect(scanRules(src)).toContain(`unguarded-map-access@${lineOf(src, LOOKUP)}`);
  });

  it('Count without the lock through the field: reported', () => {
    const src = swapIn(BASE, '\ts.auto.RLock()\n\tdefer s.auto.RUnlock()\n', '');
    expect(scanRules(src)).toContain(`unguarded-map-access@${lineOf(src, COUNT)}`);
  });
});
