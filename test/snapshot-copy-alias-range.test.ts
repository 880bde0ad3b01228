// snapshot-copy on a range over a variable that took the guarded map under the lock
// (`conns := p.conns; p.mu.Unlock(); for … range conns`, argo-cd's liveStateCache.invalidate):
// the copy is taken at the assignment. Variants where one copy would change what the code
// computes are declined with the reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFixes } from '../src/fix.js';
import { assertBuilt, cleanupTemp, tempTree } from './helpers/cli.js';
import { fixtureInput, swapIn } from './helpers/variants.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const GO_MOD = 'module example.com/fixture\n\ngo 1.22\n';
const BASE = fixtureInput('snapshot-copy/range-over-variable-taken-under-lock');

function plan(src: string, strategy: 'snapshot-copy' | 'auto' = 'snapshot-copy') {
  const dir = tempTree({ 'go.mod': GO_MOD, 'input.go': src });
  return planFixes([dir], { cwd: dir, includeReview: true, strategy });
}

describe('a range over a variable that took the map under the lock', () => {
  it('the fixture (go 1.22): the assignment becomes maps.Clone(p.conns), the loop is unchanged', () => {
    const p = plan(BASE);
    expect(p.declined).toEqual([]);
    const after = p.files[0]!.after;
    expect(after).toContain('\tconns := maps.Clone(p.conns)\n\tp.mu.Unlock()\n');
    expect(after).toContain('\tfor _, c := range conns {\n');
  });

  it('the variable is used again after the loop: declined, a copy there could change what that code sees', () => {
    const p = plan(swapIn(BASE, '\treturn n\n}', '\treturn n + len(conns) - len(conns)\n}'));
    expect(p.fixes).toEqual([]);
    expect(p.declined.map((d) => d.reason)).toEqual([expect.stringContaining('ranges over conns, which holds Pool.conns and is used elsewhere in the function')]);
  });

  it('the range runs in a loop the assignment is outside of: declined, one copy would be ranged over several times', () => {
    const src = swapIn(BASE, '\tfor _, c := range conns {\n\t\tc.reset(settings)\n\t\tn++\n\t}\n', '\tfor i := 0; i < 2; i++ {\n\t\tfor _, c := range conns {\n\t\t\tc.reset(settings)\n\t\t\tn++\n\t\t}\n\t}\n');
    const p = plan(src);
    expect(p.fixes).toEqual([]);
    expect(p.declined.map((d) => d.reason)).toEqual([expect.stringContaining('runs in a loop that the assignment of conns (input.go:43) is outside of')]);
  });

  it('the variable is taken after the lock is released: no copy at the assignment (it would race itself)', () => {
    const p = plan(swapIn(BASE, '\tconns := p.conns\n\tp.mu.Unlock()\n', '\tp.mu.Unlock()\n\tconns := p.conns\n'));
    expect(p.fixes).toEqual([]);
    expect(p.declined.map((d) => d.reason)).toEqual([expect.stringContaining('the lock can only be named where the map is spelled as the field or variable itself')]);
  });
});

describe('auto on an unguarded range that mutex-wrap inline declines', () => {
  // coredns' auto plugin: OnShutdown ranges over a.Z without a's lock and locks each zone.
  const SHUTDOWN = swapIn(
    BASE,
    '\tconns := p.conns\n\tp.mu.Unlock()\n\n\tn := 0\n\tfor _, c := range conns {',
    '\tp.mu.Unlock()\n\n\tn := 0\n\tfor _, c := range p.conns {',
  );

  it('a range that calls a method taking each value\'s lock: inline would hold p.mu across it, so the range gets a copy taken under p.mu', () => {
    const p = plan(SHUTDOWN, 'auto');
    expect(p.fixes.map((f) => f.transform)).toEqual(['snapshot-copy']);
    expect(p.fixes[0]!.reason).toMatch(/Passed over: mutex-wrap \(inline\) declines: the statement at input\.go:\d+ would hold the lock across a call of c\.reset\(\)/);
    expect(p.files[0]!.after).toContain('\tp.mu.Lock()\n\tsnapshot := maps.Clone(p.conns)\n\tp.mu.Unlock()\n\tfor _, c := range snapshot {\n');
  });

  it('an unguarded read that is no range: only inline is tried, and its reason alone is reported', () => {
    const src = swapIn(
      BASE,
      '\treturn n\n}',
      '\treturn n\n}\n\nfunc (p *Pool) Has(name string) bool {\n\t_, ok := p.conns[name]\n\treturn ok\n}\n\n' +
        'func (p *Pool) Count(name string) int {\n\tp.mu.Lock()\n\tdefer p.mu.Unlock()\n\tif p.Has(name) {\n\t\treturn 1\n\t}\n\treturn 0\n}',
      // (inline declines the read because of the range's alias: it plans every access of the map.)
    );
    const p = plan(src, 'auto');
    const read = p.findings.find((f) => f.rule === 'unguarded-map-access' && f.message.startsWith('Pool.conns is read here'))!;
    const declined = p.declined.filter((d) => d.findingId === read.id);
    expect(declined).toHaveLength(1);
    expect(declined[0]!.reason).toMatch(/^mutex-wrap \(inline\) declines: /);
    expect(declined[0]!.reason).not.toContain('snapshot-copy');
  });
});

describe('a finding stands for every unguarded access of its function', () => {
  const SHUTDOWN = swapIn(
    BASE,
    '\tconns := p.conns\n\tp.mu.Unlock()\n\n\tn := 0\n\tfor _, c := range conns {',
    '\tp.mu.Unlock()\n\n\tn := 0\n\tfor _, c := range p.conns {',
  );

  it('a len after the range, also unlocked: the copy covers the range only, so the finding is declined, not claimed', () => {
    // seaweedfs' findAverageLoad divides by the live len(m.consumerInstances) after ranging over it.
    const src = swapIn(SHUTDOWN, '\treturn n\n}', '\tif n != len(p.conns) {\n\t\treturn -1\n\t}\n\treturn n\n}');
    const p = plan(src);
    expect(p.fixes).toEqual([]);
    expect(p.declined.map((d) => d.reason)).toEqual([expect.stringMatching(/^input\.go:\d+, reported with input\.go:\d+ \(the same function\), cannot use the copy: /)]);
  });
});
