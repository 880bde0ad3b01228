// Writing a Plan: a package whole or not at all, symbolic links written through (or refused),
// owners kept, hard links refused, and temp files of a killed run swept. Real files, the real
// CLI, and the real go command to show a package still builds.
import { spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, linkSync, lstatSync, mkdirSync, readFileSync, readlinkSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp, racy, runCli, tempTree } from './helpers/cli.js';
import { planFixes } from '../src/fix.js';
import { restorePlannedFiles, writePlannedFiles } from '../src/plan/write.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const GO_MOD = 'module example.com/p\n\ngo 1.19\n';
const INLINE = ['--strategy', 'mutex-wrap'];
const asRoot = process.getuid?.() === 0;

function goBuild(dir: string): { ok: boolean; output: string } {
  const r = spawnSync('go', ['build', './...'], { cwd: dir, encoding: 'utf8', env: { ...process.env, GOFLAGS: '-buildvcs=false' } });
  return { ok: r.status === 0, output: `${r.stdout}${r.stderr}` };
}

describe('a package is written whole or not at all', () => {
  it('writes none of a package when one of its files changed after planning; other packages are written', { timeout: 60_000 }, () => {
    // Wrapper style: the shared lockedMap helper goes into a new gomapfix_helpers.go that a.go and b.go use.
    const dir = tempTree({ 'go.mod': GO_MOD, 'a.go': racy('p', 'acounts', 'RunA'), 'b.go': racy('p', 'bcounts', 'RunB'), 'q/q.go': racy('q') });
    const plan = planFixes(['.'], { cwd: dir, strategy: 'mutex-wrap', style: 'wrapper' });
    const helpers = 'gomapfix_helpers.go';
    expect(plan.files.map((f) => f.path).sort()).toEqual(['a.go', 'b.go', helpers, join('q', helpers), join('q', 'q.go')]);
    expect(plan.files.find((f) => f.path === helpers)!.after).toContain('type lockedMap[');
    const edited = racy('p', 'acounts', 'RunA') + '\n// edited meanwhile\n';
    writeFileSync(join(dir, 'a.go'), edited);

    const outcome = writePlannedFiles(plan.files, plan.root);
    expect(outcome.written.sort()).toEqual([join('q', helpers), join('q', 'q.go')]);
    expect(outcome.packages).toEqual([{ dir: '.', cause: { file: 'a.go', message: 'changed since it was scanned; not overwritten (run fix again)' }, files: expect.arrayContaining(['a.go', 'b.go', helpers]) }]);
    expect(outcome.refused).toContainEqual({ file: 'b.go', message: 'not written: a.go in the same package was refused' });
    expect(readFileSync(join(dir, 'a.go'), 'utf8')).toBe(edited);
    expect(readFileSync(join(dir, 'b.go'), 'utf8')).toBe(racy('p', 'bcounts', 'RunB'));
    expect(existsSync(join(dir, helpers)), 'the helper file of the refused package is not created').toBe(false);
    expect(readFileSync(join(dir, 'q', 'q.go'), 'utf8')).toContain('lockedMap');
    // Writing b.go alone would have left `undefined: lockedMap`.
    const build = goBuild(dir);
    expect(build.ok, build.output).toBe(true);
  });

  it('the CLI names the package, the file and the reason, and exits 2', () => {
    const outside = tempTree({ 'p.go': racy() });
    const dir = tempTree({ 'go.mod': GO_MOD });
    mkdirSync(join(dir, 'p'));
    symlinkSync(join(outside, 'p.go'), join(dir, 'p', 'p.go'));
    writeFileSync(join(dir, 'p', 'q.go'), racy('p', 'other', 'RunOther'));
    const run = runCli(['fix', ...INLINE, '--write', 'p/p.go', 'p/q.go'], { cwd: dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`gomapfix: package p not written (nor its 1 other planned file): ${join('p', 'p.go')} is a symbolic link to a file outside the scanned root`);
    expect(run.stderr).toContain('wrote 0 files');
    expect(readFileSync(join(dir, 'p', 'q.go'), 'utf8')).toBe(racy('p', 'other', 'RunOther'));
    expect(readFileSync(join(outside, 'p.go'), 'utf8')).toBe(racy());
    expect(lstatSync(join(dir, 'p', 'p.go')).isSymbolicLink()).toBe(true);
  });
});

describe('symbolic links, owners and hard links', () => {
  it('writes a symbolic link inside the root through to its target and keeps the link', () => {
    // `_shared` is skipped by discovery (and by go), so only the link in p/ is scanned.
    const dir = tempTree({ 'go.mod': GO_MOD, '_shared/p.go': racy() });
    mkdirSync(join(dir, 'p'));
    symlinkSync(join('..', '_shared', 'p.go'), join(dir, 'p', 'p.go'));
    const run = runCli(['fix', ...INLINE, '--write', '.'], { cwd: dir });
    expect(run.status, run.stderr).toBe(0);
    expect(lstatSync(join(dir, 'p', 'p.go')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(dir, 'p', 'p.go'))).toBe(join('..', '_shared', 'p.go'));
    expect(readFileSync(join(dir, '_shared', 'p.go'), 'utf8')).toContain('var countsMu sync.Mutex');
  });

  it('refuses a file reached through a linked directory outside the root', () => {
    const outside = tempTree({ 'p.go': racy() });
    const dir = tempTree({ 'go.mod': GO_MOD });
    symlinkSync(outside, join(dir, 'ext'));
    const run = runCli(['fix', ...INLINE, '--write', 'ext/p.go'], { cwd: dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(`${join('ext', 'p.go')} is reached through a symbolic link to a directory outside the scanned root`);
    expect(readFileSync(join(outside, 'p.go'), 'utf8')).toBe(racy());
  });

  it('refuses a symbolic link that two planned paths rewrite differently', () => {
    // The same file seen as two packages (p and r) whose rewrites differ by package clause: never half of each.
    const dir = tempTree({ 'go.mod': GO_MOD, 'p/p.go': racy() });
    mkdirSync(join(dir, 'r'));
    symlinkSync(join('..', 'p', 'p.go'), join(dir, 'r', 'p.go'));
    const plan = planFixes(['.'], { cwd: dir, strategy: 'mutex-wrap' });
    const files = plan.files.map((f) => (f.path === join('r', 'p.go') ? { ...f, after: f.after + '\n// differs\n' } : f));
    const outcome = writePlannedFiles(files, plan.root);
    expect(outcome.written).toEqual([]);
    expect(outcome.packages.map((p) => p.cause.message)).toEqual([
      `is the same file as ${join('r', 'p.go')} (a symbolic link), which the plan rewrites differently; not written`,
      `is the same file as ${join('p', 'p.go')} (a symbolic link), which the plan rewrites differently; not written`,
    ]);
    expect(readFileSync(join(dir, 'p', 'p.go'), 'utf8')).toBe(racy());
  });

  it.runIf(asRoot)('as root, keeps the owner and group of the file it replaces', () => {
    const dir = tempTree({ 'go.mod': GO_MOD, 'p.go': racy() });
    chownSync(join(dir, 'p.go'), 1234, 1234);
    chmodSync(join(dir, 'p.go'), 0o640);
    const run = runCli(['fix', ...INLINE, '--write', '.'], { cwd: dir });
    expect(run.status, run.stderr).toBe(0);
    const st = statSync(join(dir, 'p.go'));
    expect([st.uid, st.gid, st.mode & 0o777]).toEqual([1234, 1234, 0o640]);
    expect(readFileSync(join(dir, 'p.go'), 'utf8')).toContain('countsMu');
  });

  it.runIf(asRoot)('as another user, refuses a file it could write but whose owner it could not keep', () => {
    const dir = tempTree({ 'go.mod': GO_MOD, 'p.go': racy() });
    chmodSync(dir, 0o777);
    chmodSync(join(dir, 'p.go'), 0o666);
    const run = runCli(['fix', ...INLINE, '--write', '.'], { cwd: dir, uid: 1234, gid: 1234, env: { HOME: dir, GOCACHE: join(dir, '.cache') } });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('p.go is owned by uid 0; rewriting it would make it yours, so it is not written');
    expect(statSync(join(dir, 'p.go')).uid).toBe(0);
    expect(readFileSync(join(dir, 'p.go'), 'utf8')).toBe(racy());
  });

  it('refuses a file with several hard links rather than split them', () => {
    const dir = tempTree({ 'go.mod': GO_MOD, 'p.go': racy() });
    const other = tempTree();
    linkSync(join(dir, 'p.go'), join(other, 'copy.go'));
    const run = runCli(['fix', ...INLINE, '--write', '.'], { cwd: dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('p.go has 2 hard links; replacing it would split them, so it is not written');
    expect(statSync(join(dir, 'p.go')).ino).toBe(statSync(join(other, 'copy.go')).ino);
    expect(readFileSync(join(dir, 'p.go'), 'utf8')).toBe(racy());
  });
});

describe('temp files of an interrupted run', () => {
  it('are removed from the directories written; live ones and other dotfiles stay', () => {
    const dead = spawnSync('true').pid!; // exited: nothing can still be writing its temp file
    const stale = `.p.go.gomapfix-${dead}-0123abcd.tmp`;
    const live = `.p.go.gomapfix-${process.pid}-89abcdef.tmp`; // the test runner: alive, started before the CLI
    const dir = tempTree({ 'go.mod': GO_MOD, 'p.go': racy(), [stale]: 'half', [live]: 'in progress', '.p.go.keep': 'mine', 'other/.x.go.gomapfix-1-00000000.tmp': 'not written here' });
    const run = runCli(['fix', ...INLINE, '--write', '.'], { cwd: dir });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stderr).toContain(`gomapfix: removed ${stale}, a temporary file left by an interrupted run`);
    expect(existsSync(join(dir, stale))).toBe(false);
    expect(existsSync(join(dir, live))).toBe(true);
    expect(existsSync(join(dir, '.p.go.keep'))).toBe(true);
    expect(existsSync(join(dir, 'other', '.x.go.gomapfix-1-00000000.tmp'))).toBe(true); // a directory this run did not write
  });
});

describe('restoring after a failed verification', () => {
  it('puts back the scanned text, but not over a file edited since it was written', () => {
    const dir = tempTree({ 'go.mod': GO_MOD, 'p.go': racy(), 'q/q.go': racy('q') });
    const plan = planFixes(['.'], { cwd: dir, strategy: 'mutex-wrap' });
    expect(writePlannedFiles(plan.files, plan.root).written).toHaveLength(2);
    const edited = readFileSync(join(dir, 'q', 'q.go'), 'utf8') + '\n// edited while verifying\n';
    writeFileSync(join(dir, 'q', 'q.go'), edited);
    expect(restorePlannedFiles(plan.files, plan.root)).toEqual([{ file: join('q', 'q.go'), message: 'changed after it was written; not restored, it keeps the newer text' }]);
    expect(readFileSync(join(dir, 'p.go'), 'utf8')).toBe(racy());
    expect(readFileSync(join(dir, 'q', 'q.go'), 'utf8')).toBe(edited);
  });
});
