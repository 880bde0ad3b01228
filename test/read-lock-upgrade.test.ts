// A write made while only the read lock is held (issue 14 item 1): mutex-wrap turns that
// read-locked region into a write-locked one, and collect-then-delete replaces a read-locked
// range; both decline, saying why, wherever the region is unclear or the write lock could deadlock.
// The proven rewrites are fixtures (mutex-wrap/write-under-*, mutex-wrap/delete-during-range-under-read-lock,
// collect-then-delete/delete-under-*read-lock*); these are the declines and the edit's extent.
import { afterAll, describe, expect, it } from 'vitest';
import { planFixes } from '../src/fix.js';
import { cleanupTemp, tempTree } from './helpers/cli.js';

const GO_MOD = 'module example.com/p\n\ngo 1.19\n';

afterAll(cleanupTemp);

/** A map guarded by c.mu (Set takes the write lock), and goroutines calling `call`. */
function cache(call: string, methods: string): string {
  return `package p

import "sync"

type Cache struct {
	mu sync.RWMutex
	m  map[string]int
}

var c = &Cache{m: map[string]int{}}

func (c *Cache) Set(k string, v int) {
	c.mu.Lock()
	c.m[k] = v
	c.mu.Unlock()
}

func Run(keys []string) {
	for _, k := range keys {
		go func(k string) { ${call} }(k)
	}
}
${methods}`;
}

function plan(src: string, strategy = 'mutex-wrap', hazards = false) {
  const dir = tempTree({ 'go.mod': GO_MOD, 'p.go': src });
  return planFixes(['.'], { cwd: dir, strategy, style: 'inline', includeReview: true, hazards });
}

function declined(p: ReturnType<typeof plan>): string {
  expect(p.findings.length).toBeGreaterThan(0);
  expect(p.fixes).toEqual([]);
  return p.declined.map((d) => d.reason).join('\n');
}

/** The line of `text` in src, 1-based, for messages. */
function lineOf(src: string, text: string): number {
  const i = src.indexOf(text);
  expect(i, text).toBeGreaterThanOrEqual(0);
  return src.slice(0, i).split('\n').length;
}

describe('mutex-wrap: a write under the read lock', () => {
  it('upgrades only the read-locked region that writes; an earlier read-only region keeps RLock', () => {
    const src = cache(
      'c.Bump(k)',
      `
func (c *Cache) Bump(k string) int {
	c.mu.RLock()
	n := len(c.m)
	c.mu.RUnlock()
	if n > 100 {
		return n
	}
	c.mu.RLock()
	c.m[k]++
	c.mu.RUnlock()
	return n
}
`,
    );
    const p = plan(src);
    expect(p.declined).toEqual([]);
    expect(p.fixes).toHaveLength(1);
    expect(p.fixes[0]!.title).toContain(`instead of the read lock at p.go:${lineOf(src, '\tc.mu.RLock()\n\tc.m[k]++')}`);
    const after = p.files[0]!.after;
    expect(after).toContain('\tc.mu.RLock()\n\tn := len(c.m)\n\tc.mu.RUnlock()\n');
    expect(after).toContain('\tc.mu.Lock()\n\tc.m[k]++\n\tc.mu.Unlock()\n');
    // Nothing else changes: the two renames are the whole diff.
    expect(after.replace('c.mu.Lock()\n\tc.m[k]++\n\tc.mu.Unlock()', 'c.mu.RLock()\n\tc.m[k]++\n\tc.mu.RUnlock()')).toBe(src);
  });

  it('declines when a caller already holds the read lock, naming the call', () => {
    const src = cache(
      'c.BumpAll([]string{k})',
      `
func (c *Cache) Bump(k string) int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	c.m[k]++
	return 1
}

func (c *Cache) BumpAll(keys []string) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	for _, k := range keys {
		c.Bump(k)
	}
}
`,
    );
    expect(declined(plan(src))).toContain(
      `writes the map while holding only the read lock of Cache.mu, and Bump is called with Cache.mu held (p.go:${lineOf(src, 'c.Bump(k)\n')}); taking the write lock inside it would deadlock`,
    );
  });

  it('declines when the region calls a method that takes the same lock again', () => {
    const src = cache(
      'c.Bump(k)',
      `
func (c *Cache) Bump(k string) int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	c.m[k]++
	return c.Len()
}

func (c *Cache) Len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.m)
}
`,
    );
    expect(declined(plan(src))).toMatch(/also covers a call of c\.Len\(\) \(p\.go:\d+\), which under the write lock could block or take the lock again/);
  });

  it('declines a read lock taken conditionally', () => {
    const src = cache(
      'c.Bump(k)',
      `
func (c *Cache) Bump(k string) { c.bump(k, true) }

func (c *Cache) bump(k string, lock bool) {
	if lock {
		c.mu.RLock()
	}
	c.m[k]++
	if lock {
		c.mu.RUnlock()
	}
}
`,
    );
    expect(declined(plan(src))).toContain(`the lock is taken conditionally (RLock at p.go:${lineOf(src, '\t\tc.mu.RLock()')}), so which mode holds at the write depends on the path`);
  });

  it('the shape of nats\' Sublist.match, the write under the same bare flag that chose the write lock: no finding, nothing to fix', () => {
    const src = cache(
      'c.Bump(k, len(k) > 2)',
      `
func (c *Cache) Bump(k string, cached bool) int {
	if cached {
		c.mu.Lock()
	} else {
		c.mu.RLock()
	}
	if cached {
		c.m[k] = 1
	}
	if cached {
		c.mu.Unlock()
	} else {
		c.mu.RUnlock()
	}
	return 1
}
`,
    );
    const p = plan(src);
    expect(p.findings.filter((f) => f.line === lineOf(src, '\t\tc.m[k] = 1'))).toEqual([]);
  });

  it('declines, without advising RLock → Lock, when the write runs only on the path that takes the write lock', () => {
    // A condition the scan does not tie to the lock's (`cached && k != ""`, not the bare flag):
    // the analysis merges the two modes into "read".
    const src = cache(
      'c.Bump(k, len(k) > 2)',
      `
func (c *Cache) Bump(k string, cached bool) int {
	c.mu.RLock()
	n, ok := c.m[k]
	c.mu.RUnlock()
	if ok {
		return n
	}
	if cached {
		c.mu.Lock()
	} else {
		c.mu.RLock()
	}
	if cached && k != "" {
		c.m[k] = 1
	}
	if cached {
		c.mu.Unlock()
	} else {
		c.mu.RUnlock()
	}
	return 1
}
`,
    );
    const reasons = declined(plan(src));
    expect(reasons).toContain(`the lock is taken conditionally (Lock at p.go:${lineOf(src, '\t\tc.mu.Lock()\n\t} else')}, RLock at p.go:${lineOf(src, '\t\tc.mu.RLock()\n\t}\n\tif cached')})`);
    expect(reasons).not.toMatch(/RLock to Lock/);
  });

  it('declines when the lock mode is chosen at run time, even where the access is not seen to hold the lock', () => {
    const src = cache(
      'c.Bump(k)',
      `
func (c *Cache) Bump(k string) { c.bump(k, len(k) > 3) }

func (c *Cache) bump(k string, write bool) {
	lock, unlock := c.mu.RLock, c.mu.RUnlock
	if write {
		lock, unlock = c.mu.Lock, c.mu.Unlock
	}
	lock()
	c.m[k]++
	unlock()
}
`,
    );
    // Adding c.mu.Lock() around c.m[k]++ would deadlock after lock() took either mode.
    expect(declined(plan(src))).toContain(`uses c.mu.RLock as a value in the same function: it may hold the lock in a mode chosen at run time`);
  });

  it('declines a second RLock inside the region, and a way out that does not release the lock', () => {
    const nested = cache(
      'c.Bump(k)',
      `
func (c *Cache) Bump(k string) int {
	c.mu.RLock()
	c.m[k]++
	c.mu.RLock()
	v := c.m[k]
	c.mu.RUnlock()
	c.mu.RUnlock()
	return v
}
`,
    );
    expect(declined(plan(nested))).toMatch(/is not released by a c\.mu\.RUnlock\(\) in the same block \(p\.go:\d+ calls RLock first\)/);
    const leak = cache(
      'c.Bump(k)',
      `
func (c *Cache) Bump(k string) int {
	c.mu.RLock()
	if k == "" {
		return 0
	}
	c.m[k]++
	c.mu.RUnlock()
	return 1
}
`,
    );
    expect(declined(plan(leak))).toContain(`p.go:${lineOf(leak, 'return 0')} (return 0) leaves the region of the read lock taken at p.go:${lineOf(leak, 'c.mu.RLock()\n\tif')} without releasing it`);
  });

  it('declines a deferred RUnlock inside a block (held until the function returns)', () => {
    const src = cache(
      'c.Bump(k)',
      `
func (c *Cache) Bump(k string) int {
	if k != "" {
		c.mu.RLock()
		defer c.mu.RUnlock()
		c.m[k]++
	}
	return 1
}
`,
    );
    expect(declined(plan(src))).toContain('is released by a defer inside a block, so it is held past the block until the function returns');
  });
});

describe('collect-then-delete: a range that deletes under the read lock', () => {
  it('declines when a caller already holds the read lock', () => {
    const src = `package p

import "sync"

type Cache struct {
	mu     sync.RWMutex
	m      map[string]int
	onDrop func(string)
}

var c = &Cache{m: map[string]int{}, onDrop: func(string) {}}

func (c *Cache) Set(k string, v int) {
	c.mu.Lock()
	c.m[k] = v
	c.mu.Unlock()
}

func (c *Cache) Get(k string) int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.m[k]
}

func Run(keys []string) {
	for _, k := range keys {
		go func(k string) { c.Get(k); c.SweepAll() }(k)
	}
}

func (c *Cache) sweep() {
	c.mu.RLock()
	for k, v := range c.m {
		if v < 0 {
			delete(c.m, k)
			c.onDrop(k)
		}
	}
	c.mu.RUnlock()
}

func (c *Cache) SweepAll() {
	c.mu.RLock()
	defer c.mu.RUnlock()
	c.sweep()
}
`;
    const reasons = declined(plan(src, 'collect-then-delete', true));
    expect(reasons).toContain(`sweep is called with Cache.mu held (p.go:${lineOf(src, '\tc.sweep()')}); taking the write lock for its deletes inside it would deadlock`);
  });
});
