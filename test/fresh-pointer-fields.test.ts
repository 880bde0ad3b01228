// Writes through a pointer field that the literal building a fresh value allocated
// (`b := &Broker{stats: new(brokerStats)}; b.stats.byQueue = …`) are construction until b is
// published (docs/ordering.md, "Fields a fresh value was built with"). A field set to a value
// from elsewhere, or a fill after the goroutine starts, still races.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp } from './helpers/cli.js';
import { fixtureInput, lineOf, swapIn, scanRules } from './helpers/variants.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const BASE = fixtureInput('negative/constructor-fills-fresh-pointer-field');
const FILL = '\tb.stats.byQueue = make(map[string]int)';

const scan = scanRules;
const swap = (from: string, to: string) => swapIn(BASE, from, to);

describe('a fresh value filled through a pointer field its literal allocated', () => {
  it('filled before `go b.watch()` (the fixture): no finding', () => {
    expect(scan(BASE)).toEqual([]);
  });

  it('the stats are a package value every broker shares: the fill races with the watchers', () => {
    const src = swap('b := &Broker{stats: new(brokerStats), ', 'b := &Broker{stats: shared, ').replace('type brokerStats struct {', 'var shared = new(brokerStats)\n\ntype brokerStats struct {');
    expect(scan(src)).toContain(`concurrent-map-write@${lineOf(src, FILL.trim())}`);
  });

  it('the field is set again to a value from elsewhere before the fill: races', () => {
    const src = swap(FILL, '\tb.stats = shared\n' + FILL).replace('type brokerStats struct {', 'var shared = new(brokerStats)\n\ntype brokerStats struct {');
    expect(scan(src)).toContain(`concurrent-map-write@${lineOf(src, FILL.trim())}`);
  });

  it('the watcher starts before the fill: races', () => {
    const src = swap('\tb.stats.byQueue = make(map[string]int)\n\tfor _, q := range queues {\n\t\tb.stats.byQueue[q] = 0\n\t}\n\tgo b.watch()', '\tgo b.watch()\n\tb.stats.byQueue = make(map[string]int)\n\tfor _, q := range queues {\n\t\tb.stats.byQueue[q] = 0\n\t}');
    expect(scan(src).length).toBeGreaterThan(0);
  });

  it('the shards filled after the value is stored in a package variable: races', () => {
    const src = swap('\ts := &Sharded{shards: make([]shard, n)}\n', '\ts := &Sharded{shards: make([]shard, n)}\n\tlatest = s\n').replace('type shard struct {', 'var latest *Sharded\n\ntype shard struct {');
    expect(scan(src)).toContain(`unguarded-map-access@${lineOf(src, 's.shards[i].m = make(map[string]int)')}`);
  });

  it('a slice of pointers to shards: the elements may be shared, the fill is reported', () => {
    const src = swap('\ts := &Sharded{shards: make([]shard, n)}\n\tfor i := 0; i < len(s.shards); i++ {\n\t\ts.shards[i].m = make(map[string]int)', '\ts := &Sharded{shards: make([]*shard, n)}\n\tfor i := 0; i < len(s.shards); i++ {\n\t\ts.shards[i] = pool[i%len(pool)]\n\t\ts.shards[i].m = make(map[string]int)')
      .replace('\tshards []shard\n', '\tshards []*shard\n')
      .replace('\tsh := &s.shards[len(k)%len(s.shards)]', '\tsh := s.shards[len(k)%len(s.shards)]')
      .replace('type shard struct {', 'var pool = []*shard{{m: map[string]int{}}, {m: map[string]int{}}}\n\ntype shard struct {');
    expect(scan(src)).toContain(`unguarded-map-access@${lineOf(src, 's.shards[i].m = make(map[string]int)')}`);
  });
});
