// mutex-wrap inline: a lone declaration that reads the map a few statements before the function
// takes the map's lock for the rest of its work moves into that region (jaeger's GetOperations,
// syncthing's ChildErrors), instead of getting a Lock/Unlock pair of its own right before the
// other. Only when nothing in between sees the declared name, changes what it reads, touches the
// map or the lock, or jumps; otherwise the statement gets its own region as before.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFixes } from '../src/fix.js';
import { assertBuilt, cleanupTemp, tempTree } from './helpers/cli.js';
import { fixtureInput, swapIn } from './helpers/variants.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const GO_MOD = 'module example.com/fixture\n\ngo 1.19\n';
const BASE = fixtureInput('mutex-wrap/declaration-joins-next-lock-region');
const DECL = '\tout := make([]string, 0, len(r.names))\n';

function namesOf(src: string): string {
  const dir = tempTree({ 'go.mod': GO_MOD, 'input.go': src });
  const p = planFixes([dir], { cwd: dir, includeReview: true, strategy: 'mutex-wrap', style: 'inline' });
  expect(p.declined).toEqual([]);
  const out = p.files[0]!.after;
  return out.slice(out.indexOf('func (r *Registry) Names('));
}

describe('a declaration before the lock joins the region that follows', () => {
  it('moves below Lock and its defer Unlock (the fixture)', () => {
    const got = namesOf(BASE);
    expect(got).toContain('\twant := strings.ToLower(prefix)\n\tr.mu.Lock()\n\tdefer r.mu.Unlock()\n' + DECL + '\tfor n := range r.names {');
    expect(got.match(/r\.mu\.Lock\(\)/g)).toHaveLength(1);
  });

  it("the fix's reason says the declaration moves into the region; a region of its own keeps the plain reason", () => {
    const reason = (src: string) => {
      const dir = tempTree({ 'go.mod': GO_MOD, 'input.go': src });
      return planFixes([dir], { cwd: dir, includeReview: true, strategy: 'mutex-wrap', style: 'inline' }).fixes.map((f) => f.reason).join('\n');
    };
    const line = BASE.split('\n').indexOf(DECL.slice(0, -1)) + 1;
    expect(reason(BASE)).toMatch(new RegExp(`^inconsistent locking: the map already has a mutex, so the unguarded access joins the function's own lock region; the declaration at input\\.go:${line} reads Registry\\.names just before the function takes the lock, so it moves into that region`));
    const own = swapIn(BASE, '\twant := strings.ToLower(prefix)\n', '\twant := strings.ToLower(prefix) + fmt.Sprint(cap(out))\n').replace('import (\n', 'import (\n\t"fmt"\n');
    expect(reason(own)).toMatch(/^inconsistent locking: the map already has a mutex, so the missing Lock\/Unlock is added and nothing else changes/);
    expect(reason(own)).not.toContain('moves into that region');
  });

  it('the statement in between uses the declared name: a region of its own', () => {
    const src = swapIn(BASE, '\twant := strings.ToLower(prefix)\n', '\twant := strings.ToLower(prefix) + fmt.Sprint(cap(out))\n').replace('import (\n', 'import (\n\t"fmt"\n');
    const got = namesOf(src);
    expect(got).toContain('\tr.mu.Lock()\n' + DECL + '\tr.mu.Unlock()\n');
  });

  it('the statement in between changes what the declaration reads: a region of its own', () => {
    const src = swapIn(BASE, DECL, '\textra := 0\n\tout := make([]string, 0, len(r.names)+extra)\n\textra = 2\n\t_ = extra\n');
    const got = namesOf(src);
    expect(got).toContain('\tr.mu.Lock()\n\tout := make([]string, 0, len(r.names)+extra)\n\tr.mu.Unlock()\n');
  });

  it('the next region takes another lock: a region of its own', () => {
    const src = swapIn(BASE, '\tr.mu.Lock()\n\tdefer r.mu.Unlock()\n\tfor n', '\tvar other sync.Mutex\n\tother.Lock()\n\tdefer other.Unlock()\n\tr.mu.Lock()\n\tdefer r.mu.Unlock()\n\tfor n');
    const got = namesOf(src);
    expect(got).toContain('\tr.mu.Lock()\n' + DECL + '\tr.mu.Unlock()\n');
  });
});
