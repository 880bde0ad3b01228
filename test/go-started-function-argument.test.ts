// A literal handed to the function a `go` statement starts (`go bootstrapTrace("x", func(){…})`,
// minio's resourceMetricsMap) runs in that goroutine when the function calls it in place, and in a
// goroutine of its own when the function starts it with `go f()`. Before session 16 it was taken
// to run where it is written (the caller's context), and the started function's body was not
// walked at all (docs/ordering.md, "Literals handed to a function a go statement starts").
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp } from './helpers/cli.js';
import { fixtureInput, lineOf, scanFiles, scanRules, swapIn } from './helpers/variants.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const SRC = fixtureInput('concurrent-map-write/literal-run-by-go-started-function');
const WRITE = 'samples["cpu"] = i';
const at = (src: string, text: string) => `concurrent-map-write@${lineOf(src, text)}`;
const contexts = (src: string) => scanFiles({ 'input.go': src }).flatMap((f) => f.evidence.filter((e) => e.kind === 'context').map((e) => e.message));

describe('a literal handed to the function a go statement starts', () => {
  it('called in place by that function: runs in its goroutine and races with the read (the fixture)', () => {
    expect(scanRules(SRC)).toEqual([at(SRC, WRITE)]);
    expect(contexts(SRC)).toEqual(['runs concurrently: go traced()']);
  });

  it('the same function called without go: the literal runs in the caller, nothing runs concurrently, no finding', () => {
    const src = swapIn(SRC, '\tgo traced("collect", func() {', '\ttraced("collect", func() {');
    expect(scanRules(src)).toEqual([]);
  });

  it('the function starts its parameter with go itself: a goroutine of its own, still reported', () => {
    const src = swapIn(SRC, '\tworker()\n', '\tgo worker()\n');
    expect(scanRules(src)).toEqual([at(src, WRITE)]);
    expect(contexts(src)).toEqual(['runs concurrently: func literal started by traced']);
  });

  it('the function holds a lock around the call that the reader takes too: the literal runs under it, no finding', () => {
    const locked = swapIn(
      swapIn(swapIn(SRC, 'import "time"', 'import (\n\t"sync"\n\t"time"\n)\n\nvar mu sync.Mutex'), '\tworker()\n', '\tmu.Lock()\n\tworker()\n\tmu.Unlock()\n'),
      'func CPU() int { return samples["cpu"] }',
      'func CPU() int {\n\tmu.Lock()\n\tdefer mu.Unlock()\n\treturn samples["cpu"]\n}',
    );
    expect(scanRules(locked)).toEqual([]);
    // Without the reader's lock the write under the function's lock still races.
    const src = swapIn(locked, 'func CPU() int {\n\tmu.Lock()\n\tdefer mu.Unlock()\n', 'func CPU() int {\n');
    expect(scanRules(src)).toEqual([at(src, WRITE)]);
  });

  it('a map the starting function made, captured by the literal and written by that function after the go statement: races', () => {
    const src = swapIn(
      SRC,
      '\tdone := make(chan struct{})\n\tgo traced("collect", func() {\n\t\tcollect(rounds, done)\n\t})\n\treturn done\n',
      '\tdone := make(chan struct{})\n\tseen := map[string]int{}\n\tgo traced("collect", func() {\n\t\tseen["collector"] = rounds\n\t\tcollect(rounds, done)\n\t})\n\tseen["caller"] = rounds\n\treturn done\n',
    );
    expect(scanRules(src)).toEqual([at(src, WRITE), at(src, 'seen["collector"] = rounds')]);
    const [local] = scanFiles({ 'input.go': src }).filter((f) => f.map.name === 'seen');
    expect(local!.evidence.map((e) => e.message)).toContain('written in the function that owns the map: seen["caller"]');
  });

  it('the function stores its parameter instead of calling it: nothing is assumed about where it runs (as before)', () => {
    const src = swapIn(
      swapIn(SRC, 'func traced(name string, worker func()) time.Duration {', 'var pending []func()\n\nfunc traced(name string, worker func()) time.Duration {'),
      '\tworker()\n',
      '\tpending = append(pending, worker)\n',
    );
    expect(scanRules(src)).toEqual([]);
  });
});
