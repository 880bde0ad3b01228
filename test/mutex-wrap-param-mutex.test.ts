// mutex-wrap inline: a local map handed to a function as a parameter gets its mutex passed along
// (issue 14 item 4; proven cases: fixtures/mutex-wrap/local-map-passed-to-*). Where the function's
// signature is not the package's own business, or a call would not pass this map, it declines.
import { afterAll, describe, expect, it } from 'vitest';
import { planFixes } from '../src/fix.js';
import { cleanupTemp, tempTree } from './helpers/cli.js';

afterAll(cleanupTemp);

function plan(src: string) {
  const dir = tempTree({ 'go.mod': 'module example.com/p\n\ngo 1.22\n', 'p.go': src });
  return planFixes(['.'], { cwd: dir, strategy: 'mutex-wrap', style: 'inline', includeReview: true });
}

const owner = (load: string, extra = '') => `package p

import "sync"

${load}

func LoadAll(n int) map[int]string {
	res := map[int]string{}
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			LOADER(i, res)
		}()
	}
	wg.Wait()
	return res
}
${extra}`;

const reasons = (p: ReturnType<typeof plan>) => p.declined.map((d) => d.reason).join('\n');

describe('mutex-wrap inline: the mutex passed along with the map', () => {
  it('adds the parameter and passes &resMu at the call', () => {
    const p = plan(owner('func load(shard int, out map[int]string) {\n\tout[shard] = "x"\n}').replace('LOADER', 'load'));
    expect(p.declined).toEqual([]);
    const after = p.files[0]!.after;
    expect(after).toContain('func load(shard int, out map[int]string, outMu *sync.Mutex) {');
    expect(after).toContain('load(i, res, &resMu)');
    expect(p.fixes[0]!.title).toBe('mutex-wrap (inline): guard res with a new sync.Mutex resMu at 1 access, passed along to load (as outMu)');
  });

  it('declines for an exported function: a new parameter would change its API', () => {
    const p = plan(owner('func Load(shard int, out map[int]string) {\n\tout[shard] = "x"\n}').replace('LOADER', 'Load'));
    expect(p.fixes).toEqual([]);
    expect(reasons(p)).toMatch(/p\.go:6 accesses res in Load, which receives it as a parameter; Load is exported, and a new parameter would change its API/);
  });

  it('declines when another call passes another map', () => {
    const p = plan(owner('func load(shard int, out map[int]string) {\n\tout[shard] = "x"\n}', 'func Other() {\n\tload(1, map[int]string{})\n}\n').replace('LOADER', 'load'));
    expect(p.fixes).toEqual([]);
    expect(reasons(p)).toMatch(/p\.go:23 calls load with map\[int\]string\{\} for out, not with res; only a function every call gives this map can take its mutex along/);
  });

  it('declines when the function is used as a value', () => {
    const p = plan(owner('func load(shard int, out map[int]string) {\n\tout[shard] = "x"\n}', 'var loader = load\n').replace('LOADER', 'load'));
    expect(p.fixes).toEqual([]);
    expect(reasons(p)).toMatch(/p\.go:22 uses load as a value; a new parameter would not fit there/);
  });

  it('declines when the parameter is given another value', () => {
    const p = plan(owner('func load(shard int, out map[int]string) {\n\tif out == nil {\n\t\tout = map[int]string{}\n\t}\n\tout[shard] = "x"\n}').replace('LOADER', 'load'));
    expect(p.fixes).toEqual([]);
    expect(reasons(p)).toMatch(/p\.go:7 gives out another value in load; the mutex passed along would not guard it/);
  });

  it('declines when a call of the function would run inside a region locked for the map (a re-lock deadlock)', () => {
    const src = owner('func load(shard int, out map[int]string) {\n\tout[shard] = "x"\n}').replace(
      '\t\t\tLOADER(i, res)\n',
      '\t\t\tif _, ok := res[-i]; !ok {\n\t\t\t\tres[-i] = "start"\n\t\t\t\tload(i, res)\n\t\t\t}\n',
    );
    expect(src).toContain('load(i, res)');
    const p = plan(src);
    expect(p.fixes).toEqual([]);
    expect(reasons(p)).toMatch(/p\.go:18 calls load inside the region locked for res \(p\.go:16\); load would take the same mutex again and deadlock/);
  });
});
