// mutex-wrap inline, found on the real-code corpus (docs/precision-realworld.md, "Session 6"):
// - a struct gaining a mutex may be held by value in a struct that is itself never copied, or
//   embedded by pointer: no copy (fixture mutex-wrap/struct-held-by-value-in-pointer-only-holder);
//   a holder that is copied still declines, naming where;
// - a value loaded from the map that other code changes in place under the lock stays locked while
//   it is used (fixtures mutex-wrap/loaded-pointer-read-after-lookup and
//   declines-loaded-pointer-used-across-call);
// - a statement that names the field on a second value takes no lock that guards only the first.
import { afterAll, describe, expect, it } from 'vitest';
import { planFixes } from '../src/fix.js';
import { cleanupTemp, tempTree } from './helpers/cli.js';
import { fixtureInput, swapIn } from './helpers/variants.js';

afterAll(cleanupTemp);

function plan(src: string) {
  const dir = tempTree({ 'go.mod': 'module example.com/fixture\n\ngo 1.22\n', 'input.go': src });
  return planFixes(['.'], { cwd: dir, strategy: 'mutex-wrap', style: 'inline', includeReview: true });
}
const reasons = (p: ReturnType<typeof plan>) => p.declined.map((d) => d.reason).join('\n');

describe('mutex-wrap: a struct held by value in a holder', () => {
  const base = fixtureInput('mutex-wrap/struct-held-by-value-in-pointer-only-holder');

  it('fixes the fixture: the holder is only used through pointers', () => {
    const p = plan(base);
    expect(reasons(p)).toBe('');
    expect(p.fixes).toHaveLength(1);
  });

  it('declines when the holder is passed by value, and says which holder is copied where', () => {
    const p = plan(`${base}\n// Describe copies the indexer.\nfunc Describe(ix Indexer) string { return ix.name }\n`);
    expect(p.fixes).toEqual([]);
    expect(reasons(p)).toMatch(/tally is held by value in Indexer \(input\.go:14\), and Indexer is used as a value at input\.go:\d+ \(ix Indexer\); adding a mutex to tally would copy the mutex/);
  });

  it('declines when the holder has a value receiver (only the map’s own type gets pointer receivers)', () => {
    const p = plan(`${base}\n// Name copies the indexer.\nfunc (ix Indexer) Name() string { return ix.name }\n`);
    expect(p.fixes).toEqual([]);
    expect(reasons(p)).toMatch(/tally is held by value in Indexer .*Indexer is used as a value at input\.go:\d+ \(ix Indexer\)/);
  });

  it('declines when a tally is embedded by value in a holder that is copied', () => {
    const src = swapIn(base, 'type Loader struct {\n\t*tally', 'type Loader struct {\n\ttally');
    const p = plan(swapIn(src, 'return &Loader{tally: &ix.words, source: source}', 'return &Loader{tally: ix.words, source: source}') + '\nfunc keep(l Loader) {}\n');
    expect(p.fixes).toEqual([]);
    expect(reasons(p)).toMatch(/tally is held by value in Loader/);
  });
});

describe('mutex-wrap: values loaded from the map and changed in place under its lock', () => {
  const base = fixtureInput('mutex-wrap/loaded-pointer-read-after-lookup');

  it('keeps the lock until the loaded value is no longer used', () => {
    const p = plan(base);
    const after = p.files[0]!.after;
    expect(after).toContain('\ts.mu.Lock()\n\tt, found := s.byID[name]\n\tavg := int64(0)\n\tif found && t.count > 0 {\n\t\tavg = t.sum / t.count\n\t}\n\ts.mu.Unlock()\n\treturn avg');
  });

  it('locks only the lookup when nothing changes the values in place', () => {
    const src = swapIn(base, '\tt.add(d)\n\ts.mu.Unlock()', '\ts.byID[name] = &timing{sum: t.sum + d, count: t.count + 1}\n\ts.mu.Unlock()');
    const p = plan(src);
    expect(reasons(p)).toBe('');
    expect(p.files[0]!.after).toContain('\ts.mu.Lock()\n\tt, found := s.byID[name]\n\ts.mu.Unlock()\n');
  });

  it('declines when the use would hold the lock across a call that may block', () => {
    const src = swapIn(base, '\t\tavg = t.sum / t.count\n', '\t\tavg = t.sum / t.count\n\t\tnotify(name)\n');
    const p = plan(`${src}\nvar notify = func(string) {}\n`);
    expect(p.fixes).toEqual([]);
    expect(reasons(p)).toMatch(/input\.go:46 loads a value from the map that input\.go:48 still uses, while other code changes such values under the lock \(input\.go:38 changes a \*timing loaded from the map under the lock\); the lock must cover that use, but would then be held across a call of notify\(\)/);
  });

  it('does not move `if v, ok := m[k]` above the `if` when its body uses the value', () => {
    const src = swapIn(
      base,
      '\tt, found := s.byID[name]\n\tavg := int64(0)\n\tif found && t.count > 0 {\n\t\tavg = t.sum / t.count\n\t}\n\treturn avg',
      '\tavg := int64(0)\n\tif t, found := s.byID[name]; found && check(name) {\n\t\tavg = t.sum / t.count\n\t}\n\treturn avg',
    );
    const p = plan(`${src}\nvar check = func(string) bool { return true }\n`);
    expect(p.fixes).toEqual([]);
    expect(reasons(p)).toMatch(/would hold the lock across a call of check\(\)/);
  });
});

describe('mutex-wrap: a statement that reaches a second instance of the field', () => {
  it('declines instead of guarding one value’s map with the other value’s lock', () => {
    const src = `package fixture

import (
	"maps"
	"sync"
)

type cache struct {
	mu    sync.Mutex
	users map[string]int
}

type Store struct {
	current func() *cache
	live    *cache
}

// Add writes the live cache under its lock.
func (s *Store) Add(name string, n int) {
	s.live.mu.Lock()
	s.live.users[name] = n
	s.live.mu.Unlock()
}

// Merge copies the live users into the cache a func-typed field hands out, whose result the scan
// does not type (calls through an interface of the package are typed since session 7).
func (s *Store) Merge() {
	c := s.current()
	maps.Copy(c.users, s.live.users)
}

// Start keeps adding in the background.
func (s *Store) Start() {
	go func() {
		for i := 0; ; i++ {
			s.Add("u", i)
		}
	}()
}
`;
    const p = plan(src);
    expect(p.fixes).toEqual([]);
    expect(reasons(p)).toMatch(/input\.go:29 also reaches c\.users, another instance of cache\.users that the lock of s\.live does not guard; lock it by hand/);
  });
});
