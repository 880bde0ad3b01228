// `fix` never edits a package the scan did not fully see: a file of the package that could not be
// analysed (syntax error, unreadable, over the size limit) may hold the accesses that make a fix
// wrong, so every fix of that package is declined with the reason. Real CLI, real files.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp, racy, runCli, tempTree } from './helpers/cli.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const GO_MOD = 'module example.com/p\n\ngo 1.19\n';
const INLINE = ['--strategy', 'mutex-wrap'];

// Reads the racy map without a lock, but does not parse: the analysis cannot see that read.
const BROKEN = `package p

func Peek() int {
	return counts[1] +
}
`;

// A valid file of the package that also reads the map; padded so a size limit can leave it out.
const BIG_READER = `package p

// Total reads counts without a lock.
func Total() int {
	n := 0
	for _, v := range counts {
		n += v
	}
	return n
}
${'\n// padding so that --max-file-size leaves this file out\n'.repeat(40)}`;

describe('fix on a package with a file that was not analysed', () => {
  it('declines every fix of the package with the file and why, and writes nothing', () => {
    const dir = tempTree({ 'go.mod': GO_MOD, 'p.go': racy(), 'broken.go': BROKEN });
    const run = runCli(['fix', ...INLINE, '--write', '.'], { cwd: dir });
    expect(run.status, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/# not fixed: p\.go:8 concurrent-map-write on counts: mutex-wrap declines: broken\.go could not be analysed \(4:\d+: [^)]*\): its accesses to counts are unknown/);
    expect(run.stdout).toContain('# error: broken.go:');
    expect(run.stderr).toContain('wrote 0 files');
    expect(readFileSync(join(dir, 'p.go'), 'utf8')).toBe(racy());
    expect(readFileSync(join(dir, 'broken.go'), 'utf8')).toBe(BROKEN);
  });

  it('reports the decline in the JSON plan, with no fix and no file', () => {
    const dir = tempTree({ 'go.mod': GO_MOD, 'p.go': racy(), 'broken.go': BROKEN });
    const run = runCli(['fix', '--format', 'json', '.'], { cwd: dir });
    expect(run.status, run.stderr).toBe(1);
    const plan = JSON.parse(run.stdout) as { findings: { id: string }[]; fixes: unknown[]; files: unknown[]; declined: { findingId: string; transform: string; reason: string }[] };
    expect(plan.findings).toHaveLength(1);
    expect(plan.fixes).toEqual([]);
    expect(plan.files).toEqual([]);
    expect(plan.declined).toEqual([{ findingId: plan.findings[0]!.id, transform: 'auto', reason: expect.stringMatching(/^broken\.go could not be analysed \(.+\): its accesses to counts are unknown$/) }]);
  });

  it('fixes the same package once the broken file is gone', () => {
    const dir = tempTree({ 'go.mod': GO_MOD, 'p.go': racy() });
    const run = runCli(['fix', ...INLINE, '--write', '.'], { cwd: dir });
    expect(run.status, run.stderr).toBe(0);
    expect(readFileSync(join(dir, 'p.go'), 'utf8')).toContain('countsMu.Lock()');
  });

  it('declines when a file of the package is over --max-file-size, and fixes it when the limit admits it', () => {
    const files = { 'go.mod': GO_MOD, 'p.go': racy(), 'total.go': BIG_READER };
    const limit = String(racy().length + 10);
    const skipped = runCli(['fix', ...INLINE, '--max-file-size', limit, '.'], { cwd: tempTree(files) });
    expect(skipped.status, skipped.stderr).toBe(1);
    expect(skipped.stdout).toMatch(/mutex-wrap declines: total\.go could not be analysed \(file is [^)]*over the [^)]*limit \(--max-file-size\)\): its accesses to counts are unknown/);
    expect(skipped.stdout).not.toContain('+++ b/');

    const dir = tempTree(files);
    const seen = runCli(['fix', ...INLINE, '--write', '.'], { cwd: dir });
    expect(seen.status, seen.stderr).toBe(0);
    // With the file analysed, its range is locked too.
    expect(readFileSync(join(dir, 'total.go'), 'utf8')).toContain('countsMu.RLock()');
  });

  it('a broken file of another package (an external test package, another directory) does not block the fix', () => {
    const dir = tempTree({
      'go.mod': GO_MOD,
      'p.go': racy(),
      'p_ext_test.go': 'package p_test\n\nfunc broken( {\n',
      'q/q.go': 'package q\n\nfunc broken( {\n',
    });
    const run = runCli(['fix', ...INLINE, '--write', '.'], { cwd: dir });
    expect(run.stdout).toContain('# error: p_ext_test.go:');
    expect(run.stdout).toContain('# error: q/q.go:');
    expect(run.stdout).not.toContain('not fixed');
    expect(readFileSync(join(dir, 'p.go'), 'utf8')).toContain('countsMu.Lock()');
  });

  it('a broken file whose package clause cannot be read blocks every package of its directory', () => {
    const dir = tempTree({ 'go.mod': GO_MOD, 'p.go': racy(), 'junk.go': 'this is not Go\n' });
    const run = runCli(['fix', ...INLINE, '.'], { cwd: dir });
    expect(run.status, run.stderr).toBe(1);
    expect(run.stdout).toMatch(/junk\.go could not be analysed \(.+\): its accesses to counts are unknown/);
    expect(run.stdout).not.toContain('+++ b/');
  });
});
