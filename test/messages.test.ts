// What a new user reads first: findings name locks as Go code does, list a bounded amount of
// evidence, report one missing lock once, and a fix header explains itself briefly, once.
import { copyFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp, REPO, runCli, scanJson, tempTree } from './helpers/cli.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const INTERNAL_LOCK_KEY = /@\d+:\d+/;

// Cart embeds its mutex, Prices names it `mu`, Tally guards a local map with a local mutex; each
// has one access that forgets the lock.
const SHOP = `package shop

import "sync"

type Cart struct {
	sync.Mutex
	items map[string]int
}

func (c *Cart) Add(sku string, n int) {
	c.Lock()
	c.items[sku] += n
	c.Unlock()
}

func (c *Cart) Count(sku string) int {
	c.Lock()
	defer c.Unlock()
	return c.items[sku]
}

func (c *Cart) Remove(sku string) {
	delete(c.items, sku)
}

type Prices struct {
	mu    sync.Mutex
	table map[string]int
}

func (p *Prices) Set(sku string, v int) {
	p.mu.Lock()
	p.table[sku] = v
	p.mu.Unlock()
}

func (p *Prices) Get(sku string) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.table[sku]
}

func (p *Prices) Drop(sku string) {
	delete(p.table, sku)
}

func Tally(words []string) int {
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for _, w := range words {
		wg.Add(1)
		go func(w string) {
			defer wg.Done()
			mu.Lock()
			seen[w]++
			mu.Unlock()
			if seen[w] > 1 {
				println(w)
			}
		}(w)
	}
	wg.Wait()
	return len(seen)
}
`;

describe('locks are named as Go code names them', () => {
  it('c.Mutex for an embedded mutex, p.mu for a field, mu for a local: never an internal key', () => {
    const dir = tempTree({ 'shop.go': SHOP });
    const { report } = scanJson(['.'], { cwd: dir });
    const byMap = new Map(report.findings.map((f) => [f.map.name, f]));
    expect([...byMap.keys()].sort()).toEqual(['Cart.items', 'Prices.table', 'seen']);
    expect(byMap.get('Cart.items')!.message).toContain('without c.Mutex,');
    expect(byMap.get('Prices.table')!.message).toContain('without p.mu,');
    expect(byMap.get('seen')!.message).toContain('without mu,');
    expect(byMap.get('Cart.items')!.evidence.find((e) => e.kind === 'lock')!.message).toBe('guarded by c.Mutex here: c.items[sku]');
    expect(JSON.stringify(report.findings)).not.toMatch(INTERNAL_LOCK_KEY);

    const text = runCli(['scan', '.'], { cwd: dir }).stdout;
    expect(text).not.toMatch(INTERNAL_LOCK_KEY);
    expect(text).not.toMatch(/without Cart[ ,]/);
  });

  it('the fix names the type-level lock: Cart.Mutex, not the struct name alone', () => {
    const dir = tempTree({ 'shop.go': SHOP });
    const out = runCli(['fix', '.'], { cwd: dir }).stdout;
    expect(out).toContain('take Cart.Mutex (which guards Cart.items elsewhere)');
    expect(out).toContain('take Prices.mu (which guards Prices.table elsewhere)');
    expect(out).toContain('take mu (which guards seen elsewhere)');
    expect(out).not.toMatch(INTERNAL_LOCK_KEY);
  });
});

describe('evidence is bounded', () => {
  // One goroutine writes; 19 reads elsewhere race with it: 20 access sites for one finding.
  const reads = Array.from({ length: 19 }, (_, i) => `\ttotal += hits["k${i}"]`).join('\n');
  const HITS = `package hits

var hits = map[string]int{}

func Start() {
	go func() {
		hits["w"] = 1
	}()
}

func Sum() int {
	total := 0
${reads}
	return total
}
`;

  it('text prints 5 accesses and "and 15 more accesses"; JSON keeps 5 and counts 15', () => {
    const dir = tempTree({ 'hits.go': HITS });
    const { report } = scanJson(['.'], { cwd: dir });
    expect(report.findings).toHaveLength(1);
    const f = report.findings[0]!;
    expect(f.evidence.filter((e) => e.kind === 'access')).toHaveLength(5);
    expect(f.omittedEvidence).toEqual({ access: 15, context: 0 });

    const text = runCli(['scan', '.'], { cwd: dir }).stdout;
    expect(text.split('\n').filter((l) => /^\s+access\s/.test(l))).toHaveLength(5);
    expect(text).toMatch(/^\s+and 15 more accesses$/m);
  });
});

describe('one root cause, one finding', () => {
  // Add forgets q.mu; Prune holds it correctly while it deletes: the range races only with Add.
  const QUEUE = `package queue

import "sync"

type Queue struct {
	mu   sync.Mutex
	jobs map[int]string
	next int
}

func (q *Queue) Add(owner string) int {
	q.next++
	q.jobs[q.next] = owner
	q.jobs[q.next+1000] = owner
	return q.next
}

func (q *Queue) Owner(id int) string {
	q.mu.Lock()
	defer q.mu.Unlock()
	return q.jobs[id]
}

func (q *Queue) Prune(owner string) {
	q.mu.Lock()
	defer q.mu.Unlock()
	for id, o := range q.jobs {
		if o == owner {
			delete(q.jobs, id)
		}
	}
}
`;

  it('a missing lock is one unguarded-map-access; its other access and the locked range are its evidence', () => {
    const dir = tempTree({ 'queue.go': QUEUE });
    const { report } = scanJson(['.'], { cwd: dir });
    expect(report.findings.map((f) => `${f.rule}:${f.line}`)).toEqual(['unguarded-map-access:13']);
    const ev = report.findings[0]!.evidence;
    expect(ev.find((e) => e.line === 14)?.message).toBe('also without q.mu: written: q.jobs[q.next+1000]');
    expect(ev.find((e) => e.line === 27)?.message).toMatch(/^range holding q\.mu changes the map and races only with this missing lock/);
  });

  it('a range that is wrong by itself still reports: it inserts while it visits, or calls out under the lock (with --hazards)', () => {
    const inserts = QUEUE.replace('delete(q.jobs, id)', 'q.jobs[id+1] = o');
    const callsOut = QUEUE.replace('func (q *Queue) Prune(owner string) {', 'func (q *Queue) Prune(owner string, hook func(int)) {').replace(
      'delete(q.jobs, id)',
      'hook(id)\n\t\t\tdelete(q.jobs, id)',
    );
    for (const [src, what, args] of [
      [inserts, /inserts new keys into the map it visits/, ['--hazards']],
      [callsOut, /holds q\.mu while calling hook\(…\) for every entry; the callback runs under the lock/, ['--hazards']],
    ] as const) {
      const dir = tempTree({ 'queue.go': src });
      const { report } = scanJson(['.', ...args], { cwd: dir });
      expect(report.findings.map((f) => `${f.rule}:${f.line}`).sort()).toEqual(['map-mutated-during-range:27', 'unguarded-map-access:13']);
      expect(report.findings.find((f) => f.rule === 'map-mutated-during-range')!.message).toMatch(what);
    }
    // A hook no code of the package shows coming back to the map: not a race, not reported by default.
    const { report } = scanJson(['.'], { cwd: tempTree({ 'queue.go': callsOut }) });
    expect(report.findings.map((f) => `${f.rule}:${f.line}`)).toEqual(['unguarded-map-access:13']);
  });
});

describe('fix headers', () => {
  // afterfunc-expiry-delete: auto picks sync.Map, whose reason restates the access pattern auto
  // already gave; the header used to run to 900 characters.
  const CASE = join(REPO, 'fixtures', 'concurrent-map-write', 'afterfunc-expiry-delete');

  it('the why is at most 200 characters and never says a clause twice; the JSON reason has no repeat either', () => {
    const dir = tempTree({});
    for (const f of readdirSync(CASE).filter((n) => n === 'input.go' || n === 'go.mod')) copyFileSync(join(CASE, f), join(dir, f));
    const diff = runCli(['fix', '.'], { cwd: dir }).stdout;
    const whys = diff.split('\n').filter((l) => l.startsWith('#   why: '));
    expect(whys.length).toBeGreaterThan(0);
    for (const line of whys) {
      const why = line.slice('#   why: '.length);
      expect(why.length).toBeLessThanOrEqual(200);
      expect(why).toMatch(/^auto chose sync-map: /);
    }
    const plan = JSON.parse(runCli(['fix', '--format', 'json', '.'], { cwd: dir }).stdout) as { fixes: { reason: string }[] };
    for (const fix of plan.fixes) {
      const clauses = fix.reason.split(/[.;]\s+/).map((c) => c.replace(/^(Access pattern: fits: |[\w -]+: )+/, '').toLowerCase().trim());
      const repeated = clauses.filter((c, i) => c.length > 20 && clauses.indexOf(c) !== i);
      expect(repeated, fix.reason).toEqual([]);
      expect(fix.reason.match(/write-once\/read-many: one store site/g)).toHaveLength(1);
    }
  });

  it('a fix that needs review keeps the start of its Review note in the header', () => {
    const dir = tempTree({});
    copyFileSync(join(REPO, 'fixtures', 'mutex-wrap', 'value-receivers', 'input.go'), join(dir, 'input.go'));
    const diff = runCli(['fix', '--include-review', '.'], { cwd: dir }).stdout;
    const why = diff.split('\n').find((l) => l.startsWith('#   why: '))!;
    expect(why.length - '#   why: '.length).toBeLessThanOrEqual(200);
    expect(why).toMatch(/ Review: Counter now holds a mutex, so its \d+ value receivers become pointer receivers/);
  });
});
