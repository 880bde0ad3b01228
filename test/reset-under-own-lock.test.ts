// An empty map put in place while holding the lock that guards the map is a reset of a live
// value, not set-up: set-up of a value no other goroutine has yet needs no lock (session 17,
// docs/confidence.md "The empty map is installed while others use it"). nomad's
// subscriptions.closeAll resets byToken under s.mu while the ACL goroutine ranges it holding the
// broker's lock; before, the finding was low because its only racing write installs an empty map.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp } from './helpers/cli.js';
import { fixtureInput, lineOf, scanFiles, swapIn } from './helpers/variants.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const SRC = fixtureInput('unguarded-map-access/reset-under-own-lock-while-goroutine-ranges');
const RANGE = lineOf(SRC, '\tfor token, chs := range b.subs.byToken {');
const INSTALL = /^every racing write gives s\.byToken an empty map \(or nil\), which is how a value is set up or reset/;

const report = (src: string) =>
  scanFiles({ 'input.go': src }).map((f) => ({ at: `${f.rule}@${f.line}`, confidence: f.confidence, reason: f.confidenceReason }));

describe('an empty map installed while others use the map', () => {
  it('under the lock that guards the map: a reset of a live value, high (the fixture)', () => {
    expect(report(SRC)).toEqual([{ at: `unguarded-map-access@${RANGE}`, confidence: 'high', reason: undefined }]);
  });

  it('under a lock that does not guard the map: set-up or reset the scan cannot tell, low', () => {
    const src = swapIn(
      swapIn(SRC, '\ts.byToken = make(map[string][]chan struct{})\n', ''),
      'func (b *Broker) CloseAll() {\n\tb.subs.closeAll()\n}\n',
      'var closing sync.Mutex\n\nfunc (b *Broker) CloseAll() {\n\tb.subs.closeAll()\n\tclosing.Lock()\n\tb.subs.byToken = make(map[string][]chan struct{})\n\tclosing.Unlock()\n}\n',
    );
    const found = report(src).filter((f) => f.at === `unguarded-map-access@${lineOf(src, '\tfor token, chs := range b.subs.byToken {')}`);
    expect(found.map((f) => f.confidence)).toEqual(['low']);
    expect(found[0]!.reason).toMatch(/^every racing write gives b\.subs\.byToken an empty map/);
  });

  it('with no lock at all: low, as before', () => {
    const src = swapIn(
      SRC,
      '\ts.mu.Lock()\n\tdefer s.mu.Unlock()\n\tfor _, chs := range s.byToken {\n\t\tfor _, ch := range chs {\n\t\t\tclose(ch)\n\t\t}\n\t}\n',
      '\ts.mu.Lock()\n\tfor _, chs := range s.byToken {\n\t\tfor _, ch := range chs {\n\t\t\tclose(ch)\n\t\t}\n\t}\n\ts.mu.Unlock()\n',
    );
    const found = report(src).filter((f) => f.at === `unguarded-map-access@${RANGE}`);
    expect(found.map((f) => f.confidence)).toEqual(['low']);
    expect(found[0]!.reason).toMatch(INSTALL);
  });
});

// nomad's BlockedEvals.SetEnabled (blocked_evals.go:859, session 18): `go b.prune(b.stopCh)` when
// enabling, and `b.Flush()` after it when disabling, with no wait for prune; Flush puts a new map
// in the field holding b.l, not the map's guard. The function that started the goroutine on b
// calls the reset on b after the go statement: a reset of a value in use, not set-up.
describe('an empty map installed after the goroutine was started on the same value', () => {
  const SRC = fixtureInput('unguarded-map-access/reset-after-starting-goroutine-on-same-value');
  const STORE = lineOf(SRC, '\tb.indexes = make(map[string]time.Time)');
  const SETUP = /^every racing write gives b\.indexes an empty map \(or nil\), which is how a value is set up or reset/;

  it('the starter calls the reset on that value after the go statement: high (the fixture)', () => {
    expect(report(SRC)).toEqual([{ at: `unguarded-map-access@${STORE}`, confidence: 'high', reason: undefined }]);
  });

  it('the reset called only from another function: low, set-up or reset the scan cannot tell', () => {
    const src = swapIn(
      swapIn(SRC, '\tif !enabled {\n\t\tb.Flush()\n\t}\n', ''),
      '// Unblock records',
      '// Reset clears the tracker.\nfunc Reset(b *Blocked) {\n\tb.Flush()\n}\n\n// Unblock records',
    );
    expect(report(src)).toEqual([{ at: `unguarded-map-access@${lineOf(src, '\tb.indexes = make(')}`, confidence: 'low', reason: expect.stringMatching(SETUP) }]);
  });

  it('a wait for the goroutine before the reset: low', () => {
    const src = swapIn(
      swapIn(SRC, '\tb.l.Unlock()\n\tif !enabled {', '\tb.l.Unlock()\n\tb.wg.Wait()\n\tif !enabled {'),
      '\tstopCh  chan struct{}\n',
      '\tstopCh  chan struct{}\n\twg      sync.WaitGroup\n',
    );
    expect(report(src).map((f) => f.reason)).toEqual([expect.stringMatching(SETUP)]);
  });

  it('the goroutine started on another value: low', () => {
    const src = swapIn(SRC, '\t\tgo b.prune(b.stopCh)\n', '\t\tpeer := NewBlocked()\n\t\tgo peer.prune(peer.stopCh)\n');
    expect(report(src).map((f) => f.reason)).toEqual([expect.stringMatching(SETUP)]);
  });
});
