// The README's demo: `npm run demo` previews the fixes for examples/demo. Here the same fixes are
// applied to a copy and proven: one rewrite of every kind, go vet with Go 1.26 and (the demo says
// go 1.19) Go 1.19, and a second run that finds nothing.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { planFixes } from '../src/fix.js';
import { writePlannedFiles } from '../src/plan/write.js';
import { REPO } from './helpers/cli.js';
import { goBinaries, runGo } from './helpers/go-toolchain.js';

const dir = mkdtempSync(join(tmpdir(), 'gomapfix-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the demo', () => {
  it('gets one rewrite of each kind, and the result vets, builds and scans clean', { timeout: 300_000 }, async () => {
    cpSync(join(REPO, 'examples', 'demo'), dir, { recursive: true });
    const plan = planFixes(['.'], { cwd: dir, includeReview: true });
    expect(plan.declined).toEqual([]);
    expect(plan.conflicts).toEqual([]);
    const kinds = new Set(plan.fixes.map((f) => f.title.replace(/:.*$/, '')));
    expect([...kinds].sort()).toEqual(['collect-then-delete', 'mutex-wrap (inline)', 'mutex-wrap (wrapper)', 'snapshot-copy', 'sync-map']);
    for (const f of plan.fixes) expect(f.reason).toMatch(/^auto chose /);
    const covered = new Set(plan.fixes.flatMap((f) => f.covers));
    expect(plan.findings.filter((f) => !covered.has(f.id))).toEqual([]);

    expect(writePlannedFiles(plan.files, dir).refused).toEqual([]);
    const go = goBinaries();
    for (const bin of [go.go126, ...(go.go119 ? [go.go119] : [])]) {
      for (const args of [['vet', './...'], ['build', './...']]) {
        const r = await runGo(bin, args, dir);
        expect(r.code, `${bin} ${args.join(' ')}\n${r.output}`).toBe(0);
      }
    }
    const again = planFixes(['.'], { cwd: dir, includeReview: true });
    expect(again.findings).toEqual([]);
    expect(again.files).toEqual([]);
  });
});
