// A test that reads a guarded map of its package from its own goroutine (after a sync it waited
// for) is not reported by default; --strict-tests reports it. The case is proven race-free with
// the real Go toolchain, and a test that does race from a goroutine it starts is still reported.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp, scanJson, tempTree } from './helpers/cli.js';
import { goBinaries, runGo } from './helpers/go-toolchain.js';
import { EARLY_READ_TEST as RACY_TEST, QUIET_TEST, STORE } from './helpers/store-sources.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);


describe('--strict-tests', () => {
  it("a test's own goroutine reading a guarded map after a sync is not reported, with --strict-tests either, and is race-free", async () => {
    // The loader closes Synced as it returns: the read after <-s.Synced is ordered after it
    // (docs/ordering.md, "A receive from a channel the goroutine closes").
    const dir = tempTree({ 'go.mod': 'module store\n\ngo 1.19\n', 'store.go': STORE, 'store_test.go': QUIET_TEST });
    const plain = scanJson(['.'], { cwd: dir });
    expect(plain.report.findings).toEqual([]);
    const strict = scanJson(['.', '--strict-tests'], { cwd: dir });
    expect(strict.report.findings).toEqual([]);
    const go = await runGo(goBinaries().go126, ['test', '-race', '-count=3', '.'], dir);
    expect(go.code, go.output).toBe(0);
  });

  it("a test's own goroutine that really races is left to go test -race by default, reported with --strict-tests", async () => {
    const dir = tempTree({ 'go.mod': 'module store\n\ngo 1.19\n', 'store.go': STORE, 'store_test.go': RACY_TEST });
    expect(scanJson(['.'], { cwd: dir }).report.findings).toEqual([]);
    const strict = scanJson(['.', '--strict-tests'], { cwd: dir });
    expect(strict.report.findings.map((f) => `${f.rule} ${f.map.name} ${f.file}:${f.line}`)).toEqual(['unguarded-map-access Store.items store_test.go:9']);
    const go = await runGo(goBinaries().go126, ['test', '-race', '-count=1', '.'], dir);
    expect(go.output).toMatch(/WARNING: DATA RACE|concurrent map/);
  });
});

// hugo's poller: a watched item is built (and first recorded) before its goroutine gets it, and
// then only that goroutine records it again; a benchmark also calls the goroutine's method itself.
const POLLER = `package poll

type recording struct {
	entries map[string]int
}

func (r *recording) record(names []string) {
	for k := range r.entries {
		delete(r.entries, k)
	}
	for i, n := range names {
		r.entries[n] = i
	}
}

type item struct {
	names []string
	left  *recording
	right *recording
}

func newItem(names []string) *item {
	r := &recording{entries: map[string]int{}}
	r.record(names)
	return &item{names: names, left: r, right: &recording{entries: map[string]int{}}}
}

func (it *item) check() int {
	it.right.record(it.names)
	return len(it.right.entries)
}

// Watch starts one goroutine per item; nothing else touches the item afterwards.
func Watch(names []string, out chan<- int) {
	it := newItem(names)
	go func() {
		out <- it.check()
	}()
}
`;

const POLLER_BENCH = `package poll

import "testing"

func BenchmarkCheck(b *testing.B) {
	it := newItem([]string{"a", "b"})
	for i := 0; i < b.N; i++ {
		it.check()
	}
}

func TestWatch(t *testing.T) {
	out := make(chan int)
	Watch([]string{"a", "b", "c"}, out)
	if n := <-out; n != 3 {
		t.Fatal(n)
	}
}
`;

describe('package code only tests call in their own goroutine', () => {
  it('does not make a method the package runs in one goroutine concurrent with construction (hugo poller); --strict-tests brings it back', async () => {
    const dir = tempTree({ 'go.mod': 'module poll\n\ngo 1.19\n', 'poll.go': POLLER, 'poll_test.go': POLLER_BENCH });
    expect(scanJson(['.'], { cwd: dir }).report.findings).toEqual([]);
    expect(scanJson(['.', '--strict-tests'], { cwd: dir }).report.findings.length).toBeGreaterThan(0);
    const go = await runGo(goBinaries().go126, ['test', '-race', '-count=3', '-bench=.', '-benchtime=100x', '.'], dir);
    expect(go.code, go.output).toBe(0);
  });
});

// prometheus' file SD before a90599e58e: Run ranges over timestamps without the lock that
// guards it elsewhere; a test starting `go d.Run()` must not hide what the package's callers do.
const SD = `package sd

import "sync"

type Discovery struct {
	lock       sync.RWMutex
	timestamps map[string]float64
}

func New() *Discovery { return &Discovery{timestamps: map[string]float64{}} }

func (d *Discovery) Run(done chan<- float64) {
	total := 0.0
	for _, v := range d.timestamps {
		total += v
	}
	done <- total
}

func (d *Discovery) Set(name string, v float64) {
	d.lock.Lock()
	defer d.lock.Unlock()
	d.timestamps[name] = v
}

func (d *Discovery) Get(name string) float64 {
	d.lock.RLock()
	defer d.lock.RUnlock()
	return d.timestamps[name]
}
`;

const SD_TEST = `package sd

import "testing"

func TestRun(t *testing.T) {
	d := New()
	d.Set("a", 1)
	done := make(chan float64)
	go d.Run(done)
	if <-done != 1 {
		t.Fatal("sum")
	}
}
`;

describe('a function only tests start with go', () => {
  it('stays an entry point of the package callers: the finding without its test is kept with it (prometheus file SD)', () => {
    const alone = scanJson(['.'], { cwd: tempTree({ 'go.mod': 'module sd\n\ngo 1.19\n', 'sd.go': SD }) }).report.findings.map((f) => `${f.rule}@${f.line}`);
    expect(alone).toEqual(['unguarded-map-access@14']);
    const withTest = scanJson(['.'], { cwd: tempTree({ 'go.mod': 'module sd\n\ngo 1.19\n', 'sd.go': SD, 'sd_test.go': SD_TEST }) }).report.findings.map((f) => `${f.rule}@${f.line}`);
    expect(withTest).toEqual(alone);
  });
});
