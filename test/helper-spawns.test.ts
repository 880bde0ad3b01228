// A literal handed to an in-package helper that starts it in a goroutine of its own (nats'
// `s.startGoRoutine(func(){…})`, `func spawn(f func()) { go f() }`) is a goroutine started at
// that call (src/analysis/concurrency.ts addHelperSpawns; docs/ordering.md, "Literals started
// through a helper"). Helpers that wait for their goroutine, start it in a loop or call the
// parameter in place keep running it where they call it. `for _, err := range g.Wait()` joins.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp } from './helpers/cli.js';
import { fixtureInput, lineOf, scanFiles, scanRules, swapIn } from './helpers/variants.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const TRACKING = fixtureInput('concurrent-map-write/literals-started-through-tracking-helper');
const GO_PARAM = fixtureInput('concurrent-map-write/literals-started-through-go-param');
const GROUP = fixtureInput('negative/range-over-group-wait-joins');

const ACCEPT = 's.counts["accept"]++';
const contextsOf = (src: string) =>
  scanFiles({ 'input.go': src }).flatMap((f) => (f.evidence ?? []).filter((e) => e.kind === 'context').map((e) => `${e.line}:${e.message}`));

describe('literals started through a helper that starts its parameter with go', () => {
  it("nats' shape (go func(){ defer wg.Done(); f() }()): the two literals race, one context per call site", () => {
    expect(scanRules(TRACKING)).toEqual([`concurrent-map-write@${lineOf(TRACKING, ACCEPT)}`]);
    expect(contextsOf(TRACKING)).toEqual([
      `${lineOf(TRACKING, 's.goRun(func() {')}:runs concurrently: func literal started by s.goRun`,
      `${lineOf(TRACKING, 's.goRun(func() {') + 6}:runs concurrently: func literal started by s.goRun`,
    ]);
  });

  it('go f() on the parameter: the two literals race', () => {
    expect(scanRules(GO_PARAM)).toEqual([`concurrent-map-write@${lineOf(GO_PARAM, 'seen["indexer"] = true')}`]);
  });

  it('a helper that waits for its goroutine before it returns: each call ends before the next, no finding', () => {
    const src = swapIn(TRACKING, '\t\tf()\n\t}()\n}', '\t\tf()\n\t}()\n\ts.wg.Wait()\n}');
    expect(scanRules(src)).toEqual([]);
  });

  it('a helper that calls the parameter in place: the literals run one after the other, no finding', () => {
    const src = swapIn(GO_PARAM, 'func spawn(f func()) { go f() }', 'func spawn(f func()) { f() }');
    expect(scanRules(src)).toEqual([]);
  });

  it('one literal started through the helper, the other written as a go statement: they race too', () => {
    const src = swapIn(GO_PARAM, '\tspawn(func() {\n\t\tseen["compactor"] = true\n\t\tdone <- struct{}{}\n\t})\n', '\tgo func() {\n\t\tseen["compactor"] = true\n\t\tdone <- struct{}{}\n\t}()\n');
    expect(scanRules(src)).toEqual([`concurrent-map-write@${lineOf(src, 'seen["indexer"] = true')}`]);
  });

  it('a literal started through the helper in a loop runs several times at once', () => {
    const src = swapIn(
      GO_PARAM,
      '\tspawn(func() {\n\t\tseen["compactor"] = true\n\t\tdone <- struct{}{}\n\t})\n',
      '\tfor _, k := range []string{"compactor"} {\n\t\tk := k\n\t\tspawn(func() {\n\t\t\tseen[k] = true\n\t\t\tdone <- struct{}{}\n\t\t})\n\t}\n',
    ).replace('\tspawn(func() {\n\t\tseen["indexer"] = true\n\t\tdone <- struct{}{}\n\t})\n\t', '\t');
    const lines = scanFiles({ 'input.go': src }).map((f) => `${f.rule}@${f.line}`);
    expect(lines).toEqual([`concurrent-map-write@${lineOf(src, 'seen[k] = true')}`]);
    expect(contextsOf(src)).toEqual([`${lineOf(src, 'spawn(func() {')}:runs concurrently: func literal started by spawn (in a loop: several run at once)`]);
  });
});

describe('for _, err := range g.Wait(): the range expression waits before the loop runs', () => {
  const WRITE = 'status[re.peer] = "failed"';

  it('the fixture: the write in the body is after every call, no finding', () => {
    expect(scanRules(GROUP)).toEqual([]);
  });

  it('ranging over the errors without waiting: the write races with the calls', () => {
    const src = swapIn(GROUP, '\tfor _, err := range g.Wait() {', '\tgo g.Wait()\n\tfor _, err := range g.errs {');
    expect(scanRules(src)).toEqual([`concurrent-map-write@${lineOf(src, WRITE)}`]);
  });

  it('a Wait of another group joins none of them: reported', () => {
    const src = swapIn(GROUP, '\tfor _, err := range g.Wait() {', '\tother := NewGroup(0)\n\tfor _, err := range append(other.Wait(), g.errs...) {');
    expect(scanRules(src)).toEqual([`concurrent-map-write@${lineOf(src, WRITE)}`]);
  });
});
