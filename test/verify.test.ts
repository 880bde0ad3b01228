// --verify checks the fixed packages and every package of the module that imports them, and puts
// back every written file when one check fails. Real modules, the real go command, the real CLI.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp, racy, runCli, tempTree, CLI } from './helpers/cli.js';
import { sha256 } from '../src/fix.js';
import type { PlannedFile } from '../src/plan/model.js';
import { writePlannedFiles } from '../src/plan/write.js';
import { packagesToVerify, verifyWritten } from '../src/verify/verify.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const GO_MOD = 'module example.com/m\n\ngo 1.19\n';
const INLINE = ['--strategy', 'mutex-wrap'];

const EXPORTED = 'package a\n\nvar Counts = map[string]int{}\n';
/** A module: a (fixed), b imports a, c does not, d imports a only in its tests, e imports b. */
function module(a: string): Record<string, string> {
  return {
    'go.mod': GO_MOD,
    'a/a.go': a,
    'b/b.go': 'package b\n\nimport "example.com/m/a"\n\nfunc Hits() int { return a.Counts["hit"] }\n',
    'c/c.go': 'package c\n\nfunc C() int { return 1 }\n',
    'd/d.go': 'package d\n\nfunc D() int { return 2 }\n',
    'd/d_test.go': 'package d\n\nimport (\n\t"testing"\n\n\t"example.com/m/a"\n)\n\nfunc TestD(t *testing.T) { _ = a.Counts }\n',
    'e/e.go': 'package e\n\nimport "example.com/m/b"\n\nfunc E() int { return b.Hits() }\n',
  };
}

/** The racy package a of racy(), importable: an unexported map, so the inline fix changes no exported name. */
const RACY_A = racy('a', 'counts', 'Run').replace('func Run() {', 'var Counts = map[string]int{}\n\nfunc Run() {');

describe('--verify', () => {
  it('selects the fixed package and every package whose build or tests depend on it', { timeout: 60_000 }, () => {
    const dir = tempTree(module(EXPORTED));
    const selected = packagesToVerify([{ path: 'a/a.go', sha256: '', before: EXPORTED, after: EXPORTED, fixes: [] }], dir);
    expect('packages' in selected && selected.packages.map((p) => `${p.role} ${p.name}`)).toEqual([
      'fixed example.com/m/a',
      'importer example.com/m/b',
      'importer example.com/m/d',
      'importer example.com/m/e',
    ]);
  });

  it('restores every written file when an importer stops compiling, and says which', { timeout: 120_000 }, () => {
    // A hand-made rewrite that changes an exported map's type, as the wrapper style once did.
    const dir = tempTree({ ...module(EXPORTED), 'c/c.go': 'package c\n\nvar Seen = map[string]bool{}\n' });
    const files: PlannedFile[] = [
      { path: join('a', 'a.go'), sha256: sha256(Buffer.from(EXPORTED)), before: EXPORTED, after: 'package a\n\nvar Counts = struct{ m map[string]int }{}\n', fixes: [] },
      // A fine rewrite in an unrelated package: restored too, since the run failed as a whole.
      { path: join('c', 'c.go'), sha256: sha256(Buffer.from('package c\n\nvar Seen = map[string]bool{}\n')), before: 'package c\n\nvar Seen = map[string]bool{}\n', after: 'package c\n\nvar Seen = map[string]bool{"x": true}\n', fixes: [] },
    ];
    const outcome = writePlannedFiles(files, dir);
    expect(outcome.written).toHaveLength(2);
    const progress: string[] = [];
    const report = verifyWritten(files, outcome.written, dir, { onProgress: (n, total, name) => progress.push(`${n}/${total} ${name}`) });
    expect(report.ok).toBe(false);
    expect(report.line).toBe('verification failed in example.com/m/b (imports fixed package example.com/m/a): restored 2 files');
    expect(report.failure!.message).toMatch(/^go vet example\.com\/m\/b failed:\n[^]*b\.go:5:\d+: (invalid operation: )?cannot index a\.Counts/);
    expect(progress).toEqual(['1/5 example.com/m/a', '2/5 example.com/m/c', '3/5 example.com/m/b']);
    expect(readFileSync(join(dir, 'a', 'a.go'), 'utf8')).toBe(EXPORTED);
    expect(readFileSync(join(dir, 'c', 'c.go'), 'utf8')).toBe('package c\n\nvar Seen = map[string]bool{}\n');
  });

  it('CLI: a failing importer restores the fix and exits 2', { timeout: 120_000 }, () => {
    // b already fails go vet (a Printf verb mismatch): verification covers it because it imports a.
    const m = module(RACY_A);
    m['b/b.go'] = 'package b\n\nimport (\n\t"fmt"\n\n\t"example.com/m/a"\n)\n\nfunc Hits() string { return fmt.Sprintf("%d", "x") + fmt.Sprint(a.Counts) }\n';
    const dir = tempTree(m);
    const run = runCli(['fix', ...INLINE, '--write', '--verify', './a'], { cwd: dir, timeoutMs: 120_000 });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('verification failed in example.com/m/b (imports fixed package example.com/m/a): restored 1 file\ngo vet example.com/m/b failed:');
    expect(run.stderr).toContain('wrote 0 files, restored 1 after failed verification');
    expect(readFileSync(join(dir, 'a', 'a.go'), 'utf8')).toBe(RACY_A);
  });

  it('CLI: a module go cannot list fails verification and restores the fix', { timeout: 120_000 }, () => {
    const dir = tempTree({ ...module(RACY_A), 'go.mod': `${GO_MOD}\nnot-a-directive x\n` });
    const run = runCli(['fix', ...INLINE, '--write', '--verify', './a'], { cwd: dir, timeoutMs: 120_000 });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('verification failed: restored 1 file\ngo list -test ./... in ');
    expect(run.stderr).toContain('unknown directive: not-a-directive');
    expect(readFileSync(join(dir, 'a', 'a.go'), 'utf8')).toBe(RACY_A);
  });

  it('CLI: says what was verified; progress only on a terminal', { timeout: 120_000 }, () => {
    const dir = tempTree(module(RACY_A));
    const run = runCli(['fix', ...INLINE, '--write', '--verify', './a'], { cwd: dir, timeoutMs: 120_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain('verified 4 packages (1 fixed, 3 importers): go vet and go build passed\n');
    expect(run.stderr).not.toContain('verifying');
    expect(readFileSync(join(dir, 'a', 'a.go'), 'utf8')).toContain('countsMu.Lock()');

    // Again on a pseudo-terminal (script(1)), from the original text.
    const tty = tempTree(module(RACY_A));
    const r = spawnSync('script', ['-qec', `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} fix --strategy mutex-wrap --write --verify ./a`, '/dev/null'], { cwd: tty, encoding: 'utf8', timeout: 120_000 });
    expect(r.status, r.stdout).toBe(0);
    expect(r.stdout).toContain('verifying 1/4: example.com/m/a');
    expect(r.stdout).toContain('verifying 4/4: example.com/m/e');
    expect(r.stdout).toContain('\r\x1b[Kverified 4 packages (1 fixed, 3 importers)'); // the progress line is cleared first
  });

  it('CLI: with --race, the fixed packages also pass go test -race', { timeout: 300_000 }, () => {
    const dir = tempTree({ ...module(RACY_A), 'a/a_test.go': 'package a\n\nimport "testing"\n\nfunc TestRun(t *testing.T) { Run() }\n' });
    const run = runCli(['fix', ...INLINE, '--write', '--verify', '--race', './a'], { cwd: dir, timeoutMs: 300_000 });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain('verified 4 packages (1 fixed, 3 importers): go vet, go build and go test -race passed\n');
  });
});
