// One lock region per critical section (src/plan/join-regions.ts, session 17): where the fixes of
// a file release a mutex after one statement and take it again before the very next statement,
// the two lines go and the fixes become one. seaweedfs' kafka Metrics.RecordRequest got one
// RLock/RUnlock per counter, which a reviewer rejects.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp, runCli, tempTree } from './helpers/cli.js';
import { fixtureInput, swapIn } from './helpers/variants.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const SRC = fixtureInput('mutex-wrap/two-maps-one-lock-consecutive-statements');
const TWO = '\tatomic.AddInt64(s.requests[route], 1)\n\tatomic.AddInt64(s.failures[route], 1)\n';

interface FixPlan {
  fixes: { findingId: string; covers: string[]; reason: string }[];
  /** input.go as the fixes leave it (written with --write). */
  after: string;
}

function plan(src: string): FixPlan {
  const dir = tempTree({ 'go.mod': 'module example.com/fixture\n\ngo 1.19\n', 'input.go': src });
  const run = runCli(['fix', '.', '--strategy', 'mutex-wrap', '--style', 'inline', '--format', 'json', '--write'], { cwd: dir });
  expect(run.status, run.stderr).toBe(0);
  return { ...(JSON.parse(run.stdout) as Omit<FixPlan, 'after'>), after: readFileSync(join(dir, 'input.go'), 'utf8') };
}

/** The lines of the rewritten Failed, from its signature to its closing brace. */
function failed(p: FixPlan): string[] {
  const after = p.after;
  const from = after.indexOf('func (s *Stats) Failed(');
  return after.slice(from, after.indexOf('\n}\n', from) + 2).split('\n').slice(1, -1);
}

describe('fixes that lock one mutex on consecutive statements', () => {
  it('share one region: one RLock before the first, one RUnlock after the last, one fix (the fixture)', () => {
    const p = plan(SRC);
    expect(failed(p)).toEqual([
      '\ts.ensure(route)',
      '\ts.mu.RLock()',
      '\tatomic.AddInt64(s.requests[route], 1)',
      '\tatomic.AddInt64(s.failures[route], 1)',
      '\ts.mu.RUnlock()',
    ]);
    expect(p.fixes).toHaveLength(1);
    expect(p.fixes[0]!.covers).toHaveLength(2);
    expect(p.fixes[0]!.reason).toMatch(/Joined with the fixes of [0-9a-f]{16}: they lock the same mutex on the statements next to these/);
  });

  it('a blank line between the statements keeps two regions (the author separated them)', () => {
    const p = plan(swapIn(SRC, TWO, '\tatomic.AddInt64(s.requests[route], 1)\n\n\tatomic.AddInt64(s.failures[route], 1)\n'));
    expect(failed(p).filter((l) => /RLock|RUnlock/.test(l))).toHaveLength(4);
    expect(p.fixes).toHaveLength(2);
  });

  it('a comment between the statements keeps two regions', () => {
    const p = plan(swapIn(SRC, TWO, '\tatomic.AddInt64(s.requests[route], 1)\n\t// then the failure\n\tatomic.AddInt64(s.failures[route], 1)\n'));
    expect(failed(p).filter((l) => /RLock|RUnlock/.test(l))).toHaveLength(4);
  });

  it('a statement in between that needs no lock keeps two regions', () => {
    const p = plan(swapIn(SRC, TWO, '\tatomic.AddInt64(s.requests[route], 1)\n\troute = route + ""\n\tatomic.AddInt64(s.failures[route], 1)\n'));
    expect(failed(p).filter((l) => /RLock|RUnlock/.test(l))).toHaveLength(4);
  });
});
