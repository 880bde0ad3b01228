// Package-wide helpers live in gomapfix_helpers.go (docs/transforms/README.md): a fix that needs
// one creates that file (a /dev/null diff, an exclusive create on --write, removed by a restore),
// and a later run reuses it. Real CLI, real files, real planning.
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp, racy, runCli, tempTree } from './helpers/cli.js';
import { planFixes } from '../src/fix.js';
import { restorePlannedFiles, writePlannedFiles } from '../src/plan/write.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const GO_MOD = 'module example.com/p\n\ngo 1.22\n';
const WRAPPER = ['--strategy', 'mutex-wrap', '--style', 'wrapper'];
const HELPERS = 'gomapfix_helpers.go';

describe('gomapfix_helpers.go', () => {
  it('the preview shows the helper as a new file and leaves the package file without it', () => {
    const dir = tempTree({ 'go.mod': GO_MOD, 'p.go': racy() });
    const run = runCli(['fix', ...WRAPPER, '.'], { cwd: dir });
    expect(run.status, run.stderr).toBe(1);
    expect(run.stdout).toContain(`--- /dev/null\n+++ b/${HELPERS}`);
    expect(run.stdout).toContain('+package p');
    expect(run.stdout).toContain('+type lockedMap[K comparable, V any] struct {');
    expect(run.stdout).toContain('+var counts = lockedMap[int, int]{m: map[int]int{}}');
    expect(existsSync(join(dir, HELPERS))).toBe(false);

    const json = JSON.parse(runCli(['fix', ...WRAPPER, '--format', 'json', '.'], { cwd: dir }).stdout) as { files: { path: string; diff: string }[] };
    expect(json.files.find((f) => f.path === HELPERS)?.diff).toContain('--- /dev/null');
  });

  it('--write creates it beside the package, a second run has nothing to do, a new map reuses the helper', () => {
    const dir = tempTree({ 'go.mod': GO_MOD, 'p.go': racy() });
    const run = runCli(['fix', ...WRAPPER, '--write', '.'], { cwd: dir });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain('wrote 2 files');
    const helpers = readFileSync(join(dir, HELPERS), 'utf8');
    expect(helpers).toMatch(/^\/\/ Code added by gomapfix: [^\n]*\n\/\/ [^\n]*\n\npackage p\n\nimport "sync"\n\n\/\/ lockedMap is a map guarded by a sync.RWMutex/);
    expect(readFileSync(join(dir, 'p.go'), 'utf8')).not.toContain('type lockedMap');
    expect(readdirSync(dir).filter((n) => n.includes('.tmp'))).toEqual([]);
    expect(runCli(['fix', ...WRAPPER, '.'], { cwd: dir }).stdout).toContain('no findings: nothing to fix');

    writeFileSync(join(dir, 'q.go'), racy('p', 'sizes', 'Grow'));
    const plan = planFixes(['.'], { cwd: dir, strategy: 'mutex-wrap', style: 'wrapper' });
    expect(plan.files.map((f) => f.path)).toEqual(['q.go']);
    expect(plan.files[0]!.after).toContain('var sizes = lockedMap[int, int]{m: map[int]int{}}');
  });

  it('never overwrites a file of that name: created since the scan, or part of another package', () => {
    const dir = tempTree({ 'go.mod': GO_MOD, 'p.go': racy() });
    const plan = planFixes(['.'], { cwd: dir, strategy: 'mutex-wrap', style: 'wrapper' });
    const created = plan.files.find((f) => f.path === HELPERS)!;
    expect(created).toMatchObject({ created: true, before: '', sha256: '' });
    writeFileSync(join(dir, HELPERS), 'package p\n\n// mine\n');
    const out = writePlannedFiles([created], dir);
    expect(out.written).toEqual([]);
    expect(out.refused).toEqual([{ file: HELPERS, message: 'was created since the scan; not overwritten (run fix again)' }]);
    expect(readFileSync(join(dir, HELPERS), 'utf8')).toBe('package p\n\n// mine\n');

    const other = tempTree({ 'go.mod': GO_MOD, 'p.go': racy(), [HELPERS]: '//go:build ignore\n\npackage main\n' });
    const p2 = planFixes(['.'], { cwd: other, strategy: 'mutex-wrap', style: 'wrapper' });
    expect(p2.files).toEqual([]);
    expect(p2.conflicts.map((c) => c.reason)).toEqual([`dropped: it would create ${HELPERS}, which exists but is not part of the package`]);
  });

  it('a restore (failed --verify) removes the file it created', () => {
    const dir = tempTree({ 'go.mod': GO_MOD, 'p.go': racy() });
    const plan = planFixes(['.'], { cwd: dir, strategy: 'mutex-wrap', style: 'wrapper' });
    expect(writePlannedFiles(plan.files, dir).written.sort()).toEqual([HELPERS, 'p.go']);
    restorePlannedFiles(plan.files, dir);
    expect(existsSync(join(dir, HELPERS))).toBe(false);
    expect(readFileSync(join(dir, 'p.go'), 'utf8')).toBe(racy());
  });
});
