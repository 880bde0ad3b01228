// An access after a receive from a channel the one goroutine of a context closes on its way out
// is ordered after that goroutine (docs/ordering.md, "A receive from a channel the goroutine
// closes"). Without the receive, with a channel the loop never closes, or with several loops
// closing it, the access is reported.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp } from './helpers/cli.js';
import { fixtureInput, lineOf, swapIn, scanRules } from './helpers/variants.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const BASE = fixtureInput('negative/shutdown-waits-for-loop-close');
const RANGE = 'for _, v := range m.instances {';

const scan = scanRules;
const swap = (from: string, to: string) => swapIn(BASE, from, to);

describe('a receive from a channel the loop closes as it returns', () => {
  it('Shutdown ranges after <-m.shutdownCh (the fixture): no finding', () => {
    expect(scan(BASE)).toEqual([]);
  });

  it('without the receive: the range races with the loop', () => {
    const src = swap('\tm.cancel()\n\t<-m.shutdownCh\n', '\tm.cancel()\n');
    expect(scan(src)).toContain(`unguarded-map-access@${lineOf(src, RANGE)}`);
  });

  it('the loop signals by a send, which can come at any time: reported', () => {
    const src = swap('\t\t\tclose(m.shutdownCh)\n', '\t\t\tm.shutdownCh <- struct{}{}\n');
    expect(scan(src)).toContain(`unguarded-map-access@${lineOf(src, RANGE)}`);
  });

  it('a loop per call of Run, in a loop: several goroutines, one close does not join them all', () => {
    const src = swap('func (m *Manager) Run() {\n\tgo m.runLoop()\n}', 'func (m *Manager) Run(n int) {\n\tfor i := 0; i < n; i++ {\n\t\tgo m.runLoop()\n\t}\n}').replace('\tm.Run()\n', '\tm.Run(1)\n');
    expect(scan(src)).toContain(`unguarded-map-access@${lineOf(src, RANGE)}`);
  });
});
