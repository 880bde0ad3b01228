// `gomapfix fix`: preview, --write (atomic, mode, CRLF, BOM, changed files refused), JSON, review
// fixes, --verify, and bad input. Real CLI, real files, real Go toolchain for --verify.
import { readFileSync, readdirSync, statSync, chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp, racy, runCli, tempTree } from './helpers/cli.js';
import { planFixes } from '../src/fix.js';
import { writePlannedFiles } from '../src/plan/write.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const GO_MOD = 'module example.com/p\n\ngo 1.19\n';
// These tests pin the edit engine and the CLI with one known transform; auto has its own tests.
const INLINE = ['--strategy', 'mutex-wrap'];

describe('gomapfix fix', () => {
  it('previews a diff with a header per fix and changes nothing; exit 1', () => {
    const dir = tempTree({ 'go.mod': GO_MOD, 'p.go': racy() });
    const run = runCli(['fix', ...INLINE, '.'], { cwd: dir });
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^# fix [0-9a-f]{16}: p\.go:8 concurrent-map-write on counts/m);
    expect(run.stdout).toContain('mutex-wrap (inline): guard counts with a new sync.Mutex countsMu');
    expect(run.stdout).toMatch(/^#   why: /m);
    expect(run.stdout).toContain('+++ b/p.go');
    expect(run.stdout).toContain('+\t\t\tdefer countsMu.Unlock()');
    expect(run.stdout).toContain('+import "sync"');
    expect(readFileSync(join(dir, 'p.go'), 'utf8')).toBe(racy());
    expect(run.stdout).not.toMatch(/\x1b\[/); // no colour when piped
  });

  it('--write applies atomically, keeps the file mode, and a second run finds nothing', () => {
    const dir = tempTree({ 'go.mod': GO_MOD, 'p.go': racy() });
    chmodSync(join(dir, 'p.go'), 0o640);
    const inode = statSync(join(dir, 'p.go')).ino;
    const run = runCli(['fix', ...INLINE, '--write', '.'], { cwd: dir });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain('wrote 1 file');
    const after = readFileSync(join(dir, 'p.go'), 'utf8');
    expect(after).toContain('var countsMu sync.Mutex');
    // The access is the whole body of the goroutine's function: Lock + defer Unlock.
    expect(after).toContain('go func(i int) {\n\t\t\tcountsMu.Lock()\n\t\t\tdefer countsMu.Unlock()\n\t\t\tcounts[i]++\n');
    expect(statSync(join(dir, 'p.go')).mode & 0o777).toBe(0o640);
    expect(statSync(join(dir, 'p.go')).ino).not.toBe(inode); // replaced by rename, not rewritten in place
    expect(readdirSync(dir).filter((n) => n.includes('.tmp'))).toEqual([]);
    const again = runCli(['fix', ...INLINE, '.'], { cwd: dir });
    expect(again.status).toBe(0);
    expect(again.stdout).toContain('no findings: nothing to fix');
  });

  it('keeps CRLF line endings and a BOM', () => {
    const crlf = racy().replace(/\n/g, '\r\n');
    const dir = tempTree({ 'go.mod': GO_MOD, 'p.go': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(crlf)]) });
    const run = runCli(['fix', ...INLINE, '--write', '.'], { cwd: dir });
    expect(run.status, run.stderr).toBe(0);
    const bytes = readFileSync(join(dir, 'p.go'));
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.subarray(3).toString('utf8');
    expect(text).toContain('countsMu.Lock()\r\n');
    expect(text.replace(/\r\n/g, '')).not.toContain('\n');
  });

  it('--format json prints the Plan with a diff per file', () => {
    const dir = tempTree({ 'go.mod': GO_MOD, 'p.go': racy() });
    const run = runCli(['fix', ...INLINE, '--format', 'json', '.'], { cwd: dir });
    expect(run.status).toBe(1);
    const plan = JSON.parse(run.stdout) as {
      version: number;
      findings: { id: string }[];
      fixes: { findingId: string; transform: string; safety: string; edits: { file: string }[] }[];
      files: { path: string; sha256: string; diff: string }[];
    };
    expect(plan.version).toBe(1);
    expect(plan.fixes).toHaveLength(1);
    expect(plan.fixes[0]).toMatchObject({ findingId: plan.findings[0]!.id, transform: 'mutex-wrap', safety: 'safe' });
    expect(plan.files[0]!.path).toBe('p.go');
    expect(plan.files[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(plan.files[0]!.diff).toContain('+var countsMu sync.Mutex');
  });

  it('refuses to overwrite a file that changed since the scan', () => {
    const dir = tempTree({ 'go.mod': GO_MOD, 'p.go': racy() });
    const plan = planFixes(['.'], { cwd: dir, strategy: 'mutex-wrap' });
    expect(plan.files).toHaveLength(1);
    writeFileSync(join(dir, 'p.go'), racy() + '\n// edited meanwhile\n');
    const outcome = writePlannedFiles(plan.files, plan.root);
    expect(outcome.written).toEqual([]);
    expect(outcome.refused[0]!.message).toContain('changed since it was scanned');
    expect(readFileSync(join(dir, 'p.go'), 'utf8')).toContain('edited meanwhile');
  });

  it('never rewrites a file with syntax errors, nor the rest of its package (docs/fix-unanalysed.md)', () => {
    const dir = tempTree({ 'go.mod': GO_MOD, 'p.go': racy(), 'broken.go': 'package p\n\nfunc broken( {\n' });
    const run = runCli(['fix', ...INLINE, '--write', '.'], { cwd: dir });
    expect(run.stdout).toMatch(/# error: broken\.go: 3:\d+: syntax error/);
    expect(run.stdout).toMatch(/declines: broken\.go could not be analysed \(3:\d+: syntax error[^)]*\): its accesses to counts are unknown/);
    expect(readFileSync(join(dir, 'broken.go'), 'utf8')).toBe('package p\n\nfunc broken( {\n');
    expect(readFileSync(join(dir, 'p.go'), 'utf8')).toBe(racy());
  });

  it("applies a 'review' fix only with --include-review", () => {
    const src = `package p

import "sync"

type Counter struct {
	counts map[string]int
}

func NewCounter() *Counter { return &Counter{counts: map[string]int{}} }

func (c Counter) Inc(k string) { c.counts[k]++ }

func (c *Counter) IncAll(keys []string) {
	var wg sync.WaitGroup
	for _, k := range keys {
		wg.Add(1)
		go func(k string) {
			defer wg.Done()
			c.Inc(k)
		}(k)
	}
	wg.Wait()
}
`;
    const dir = tempTree({ 'go.mod': GO_MOD, 'c.go': src });
    const preview = runCli(['fix', ...INLINE, '--write', '.'], { cwd: dir });
    expect(preview.stdout).toContain('needs review (pass --include-review to apply)');
    expect(preview.stdout).toContain('value receivers of Counter became pointer receivers');
    expect(readFileSync(join(dir, 'c.go'), 'utf8')).toBe(src);
    const run = runCli(['fix', ...INLINE, '--write', '--include-review', '.'], { cwd: dir });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(readFileSync(join(dir, 'c.go'), 'utf8')).toContain('func (c *Counter) Inc(k string) {');
  });

  it('--verify runs go vet and go build and restores a package that fails', { timeout: 120_000 }, () => {
    // The package already fails go vet (a Printf verb mismatch); the fix itself is fine.
    const src = racy().replace('package p\n', 'package p\n\nimport "fmt"\n\nfunc Report() string { return fmt.Sprintf("%d", "x") }\n');
    const dir = tempTree({ 'go.mod': GO_MOD, 'p.go': src });
    const run = runCli(['fix', ...INLINE, '--write', '--verify', '.'], { cwd: dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('verification failed in example.com/p: restored 1 file');
    expect(run.stderr).toContain('go vet example.com/p failed');
    expect(readFileSync(join(dir, 'p.go'), 'utf8')).toBe(src);

    const ok = tempTree({ 'go.mod': GO_MOD, 'p.go': racy() });
    const good = runCli(['fix', ...INLINE, '--write', '--verify', '.'], { cwd: ok });
    expect(good.status, good.stderr).toBe(0);
    expect(good.stderr).toContain('verified 1 package (1 fixed, 0 importers): go vet and go build passed');
    expect(readFileSync(join(ok, 'p.go'), 'utf8')).toContain('countsMu');
  });

  it('--verify without go on PATH is a one-line error, exit 2, nothing written', () => {
    const dir = tempTree({ 'go.mod': GO_MOD, 'p.go': racy() });
    const run = runCli(['fix', ...INLINE, '--write', '--verify', '.'], { cwd: dir, env: { PATH: '/usr/bin:/bin' } });
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('--verify needs the go command on PATH');
    expect(readFileSync(join(dir, 'p.go'), 'utf8')).toBe(racy());
  });

  it('bad input: a missing path and an unknown strategy are one-line errors with exit 2', () => {
    const missing = runCli(['fix', 'no/such/dir']);
    expect(missing.status).toBe(2);
    expect(missing.stderr.trim().split('\n')).toHaveLength(1);
    const strategy = runCli(['fix', '--strategy', 'nope', '.']);
    expect(strategy.status).toBe(2);
    expect(strategy.stderr).toContain('nope');
    const verifyAlone = runCli(['fix', ...INLINE, '--verify', '.']);
    expect(verifyAlone.status).toBe(2);
    expect(verifyAlone.stderr).toContain('use it with --write');
  });
});

describe('fix passes', () => {
  it('defers a fix that overlaps another and applies it in a second pass on the result', () => {
    // One statement touches two racing maps: both fixes insert a Lock at its start.
    const src = `package p

var a = map[int]int{}
var b = map[int]int{}

func Copy() {
	for i := 0; i < 4; i++ {
		go func(i int) {
			a[i] = b[i] + 1
			b[i]++
		}(i)
	}
}
`;
    const dir = tempTree({ 'go.mod': GO_MOD, 'p.go': src });
    const plan = planFixes(['.'], { cwd: dir, strategy: 'mutex-wrap', includeReview: true });
    expect(plan.conflicts).toEqual([]);
    expect(plan.fixes.map((f) => f.pass).sort()).toEqual([1, 2]);
    const second = plan.fixes.find((f) => f.pass === 2)!;
    // Nested inside the first fix's lock: marked for review, with the reason.
    expect(second.safety).toBe('review');
    expect(second.reason).toContain('check the lock order');
    const after = plan.files[0]!.after;
    expect(after).toContain('var aMu sync.Mutex');
    expect(after).toContain('var bMu sync.RWMutex');
    // Without --include-review the nested fix waits for review instead.
    const safeOnly = planFixes(['.'], { cwd: dir, strategy: 'mutex-wrap' });
    expect(safeOnly.fixes).toHaveLength(1);
    expect(safeOnly.pending).toHaveLength(1);
  });
  it('never applies two fixes together when one would lock inside a call the other makes with that lock held', { timeout: 120_000 }, () => {
    // rename gets s.mu around `s.names[k] = s.label(k)`; the fix for ages would take s.mu inside
    // label: planned on the original text both apply and the program deadlocks.
    const src = readFileSync(join(import.meta.dirname, 'fixtures-review', 'deadlock', 'main.go'), 'utf8');
    const dir = tempTree({ 'go.mod': 'module example.com/deadlock\n\ngo 1.21\n', 'main.go': src });
    const plan = planFixes(['.'], { cwd: dir, includeReview: true });
    expect(plan.fixes).toHaveLength(1);
    expect(plan.fixes[0]!.edits.map((e) => e.text).join('')).toContain('s.mu.Lock()');
    expect(plan.conflicts.map((c) => c.reason)).toEqual([
      expect.stringMatching(/^deferred \(it locks mu in label, which the fix for finding [0-9a-f]{16} would call with that lock held\), then declined on the rewritten text: .*label is called with Store\.mu held \(main\.go:22\); locking inside it would deadlock$/),
    ]);
    const after = plan.files[0]!.after;
    const label = after.slice(after.indexOf('func (s *Store) label'), after.indexOf('// Touch'));
    expect(label).not.toContain('Lock()');
    // What is written compiles and vets.
    const run = runCli(['fix', '--include-review', '--write', '--verify', '.'], { cwd: dir });
    expect(run.stderr).toContain('verified 1 package (1 fixed, 0 importers): go vet and go build passed');
    expect(readFileSync(join(dir, 'main.go'), 'utf8')).toBe(after);
  });
});
