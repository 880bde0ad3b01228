// Discovery (src/files/): which paths become analysed Go files, which are skipped (and said so), which are errors.
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scan, type ScanResult } from '../src/index.js';
import { parseGoMod } from '../src/files/gomod.js';
import { assertBuilt, cleanupTemp, racy, RACY_LINE, runCli, safe, scanJson, tempTree } from './helpers/cli.js';

afterAll(cleanupTemp);

/** Files with a finding, sorted. */
function flagged(r: ScanResult): string[] {
  return [...new Set(r.findings.map((f) => f.file))].sort();
}

/** Every file the scan mentions anywhere: findings, errors, skipped. */
function mentioned(r: ScanResult): string[] {
  return [...r.findings.map((f) => f.file), ...r.errors.map((e) => e.file), ...r.skipped.map((s) => s.file)];
}

describe('discovery: paths → Go files', () => {
  it('walks directories recursively, accepts single files and several paths', async () => {
    const dir = tempTree({
      'a/racy.go': racy('a'),
      'b/c/racy.go': racy('c'),
      'b/c/notes.txt': 'not go',
      'd/racy.go': racy('d'),
    });
    const all = await scan(['.'], { cwd: dir, workers: 0 });
    expect(flagged(all)).toEqual(['a/racy.go', 'b/c/racy.go', 'd/racy.go']);
    expect(all.files).toBe(3);
    expect(all.errors).toEqual([]);

    const some = await scan(['a/racy.go', 'b'], { cwd: dir, workers: 0 });
    expect(flagged(some)).toEqual(['a/racy.go', 'b/c/racy.go']);
    expect(some.files).toBe(2);
  });

  it('scans both _test.go files (internal and external test package) and non-test files', async () => {
    const dir = tempTree({
      'racy.go': racy('p', 'counts', 'Run'),
      'racy_test.go': racy('p', 'testCounts', 'RunInTest'),
      'ext_test.go': racy('p_test', 'extCounts', 'RunExt'),
    });
    const r = await scan(['.'], { cwd: dir, workers: 0 });
    expect(r.findings.map((f) => `${f.file}:${f.line} ${f.map.name}`).sort()).toEqual([
      `ext_test.go:${RACY_LINE} extCounts`,
      `racy.go:${RACY_LINE} counts`,
      `racy_test.go:${RACY_LINE} testCounts`,
    ]);
    expect(r.errors).toEqual([]);
  });
});

describe('discovery: .gitignore', () => {
  it('honours the .gitignore of the scanned directory (dirs, globs, negation)', async () => {
    const dir = tempTree({
      '.gitignore': 'ignored/\ngen_*.go\n!gen_keep.go\n',
      'kept.go': racy('p', 'kept', 'Kept'),
      'gen_out.go': racy('p', 'genOut', 'GenOut'),
      'gen_keep.go': racy('p', 'genKeep', 'GenKeep'),
      'ignored/racy.go': racy('ignored'),
      'sub/gen_x.go': racy('sub', 'genX', 'GenX'),
      'sub/racy.go': racy('sub'),
    });
    const r = await scan(['.'], { cwd: dir, workers: 0 });
    expect(flagged(r)).toEqual(['gen_keep.go', 'kept.go', 'sub/racy.go']);
    // Ignored files are not reported anywhere.
    expect(mentioned(r).filter((f) => f.includes('ignored') || f.includes('gen_out') || f.includes('gen_x'))).toEqual([]);
  });

  it('honours nested .gitignore files, relative to their own directory', async () => {
    const dir = tempTree({
      'local.go': racy('p', 'topLocal', 'TopLocal'),
      'svc/.gitignore': 'local.go\n/build/\n',
      'svc/local.go': racy('svc', 'local', 'Local'),
      'svc/main.go': racy('svc', 'svcMain', 'SvcMain'),
      'svc/build/racy.go': racy('build'),
      'svc/inner/local.go': racy('inner', 'innerLocal', 'InnerLocal'),
      'svc/inner/build/racy.go': racy('build'), // `/build/` is anchored to svc/
      'other/local.go': racy('other', 'otherLocal', 'OtherLocal'),
    });
    const r = await scan(['.'], { cwd: dir, workers: 0 });
    expect(flagged(r)).toEqual(['local.go', 'other/local.go', 'svc/inner/build/racy.go', 'svc/main.go']);
  });

  it('applies the .gitignore files of the enclosing git work tree when scanning a subdirectory', async () => {
    const dir = tempTree({
      '.gitignore': 'build/\n',
      'svc/main.go': racy('svc'),
      'svc/build/racy.go': racy('build'),
    });
    mkdirSync(join(dir, '.git'));
    const r = await scan(['svc'], { cwd: dir, workers: 0 });
    expect(flagged(r)).toEqual(['svc/main.go']);
  });
});

describe('discovery: directories and files that are skipped silently', () => {
  it('skips vendor/, testdata/, hidden directories and files or directories starting with . or _', async () => {
    const dir = tempTree({
      'main.go': racy('p'),
      'vendor/dep/dep.go': racy('dep'),
      'sub/vendor/dep/dep.go': racy('dep'),
      'testdata/case.go': racy('testdata'),
      'sub/testdata/case.go': racy('testdata'),
      '.hidden/h.go': racy('h'),
      '.git/x.go': racy('x'),
      '_build/b.go': racy('b'),
      '.dot.go': racy('p', 'dot', 'Dot'),
      '_under.go': racy('p', 'under', 'Under'),
      'sub/ok.go': racy('sub'),
      'sub/_tmp.go': racy('sub', 'tmp', 'Tmp'),
    });
    const r = await scan(['.'], { cwd: dir, workers: 0 });
    expect(flagged(r)).toEqual(['main.go', 'sub/ok.go']);
    expect(r.files).toBe(2);
    expect(r.errors).toEqual([]);
    expect(r.skipped).toEqual([]);
  });
});

describe('discovery: generated files', () => {
  const header = '// Code generated by stringer -type=Kind; DO NOT EDIT.\n\n';

  it('reports generated files under skipped and does not analyse them', async () => {
    const dir = tempTree({
      'main.go': racy('p'),
      'kind_string.go': header + racy('p', 'genCounts', 'GenRun'),
      // CRLF, and a build constraint before the marker, are still generated files.
      'crlf_gen.go': (header + racy('p', 'crlfCounts', 'CrlfRun')).replace(/\n/g, '\r\n'),
      'tagged_gen.go': '//go:build linux\n\n' + header + racy('p', 'taggedCounts', 'TaggedRun'),
    });
    const r = await scan(['.'], { cwd: dir, workers: 0 });
    expect(flagged(r)).toEqual(['main.go']);
    expect(r.skipped.map((s) => s.file)).toEqual(['crlf_gen.go', 'kind_string.go', 'tagged_gen.go']);
    for (const s of r.skipped) expect(s.reason).toMatch(/generated/i);
    expect(r.errors).toEqual([]);
  });

  it('a marker after the package clause but before the first declaration (older msgp) is generated too', async () => {
    const msgp = racy('p', 'msgpCounts', 'MsgpRun').replace('package p\n', 'package p\n\n// Code generated by github.com/tinylib/msgp DO NOT EDIT.\n\nimport (\n\t_ "fmt"\n)\n');
    const dir = tempTree({ 'main.go': racy('p'), 'z_gen.go': msgp });
    const r = await scan(['.'], { cwd: dir, workers: 0 });
    expect(flagged(r)).toEqual(['main.go']);
    expect(r.skipped).toEqual([{ file: 'z_gen.go', reason: 'generated file (Code generated … DO NOT EDIT., after the package clause)' }]);
  });

  it('a generator whose template text holds the marker is not generated itself', async () => {
    const gen = racy('p').replace('func Run() {', 'func Run() {\n\t_ = `\n// Code generated by tmpl. DO NOT EDIT.\n`');
    const dir = tempTree({ 'gen.go': gen });
    const r = await scan(['.'], { cwd: dir, workers: 0 });
    expect(r.skipped).toEqual([]);
    expect(flagged(r)).toEqual(['gen.go']);
  });

  it('does not treat a "Code generated" line after the package clause as a generated-file marker', async () => {
    const dir = tempTree({
      'late.go': racy('p').replace('func Run', '// Code generated by hand; DO NOT EDIT.\nfunc Run'),
    });
    const r = await scan(['.'], { cwd: dir, workers: 0 });
    expect(r.skipped).toEqual([]);
    expect(flagged(r)).toEqual(['late.go']);
  });
});

describe('discovery: --max-file-size', () => {
  it('reports files over the limit under skipped and analyses the others', async () => {
    const pad = `\nvar pad = []int{\n${'\t1, 2, 3, 4, 5, 6, 7, 8, 9, 10,\n'.repeat(200)}}\n`;
    const dir = tempTree({ 'small.go': racy('p'), 'large.go': racy('p', 'large', 'Large') + pad });
    const r = await scan(['.'], { cwd: dir, workers: 0, maxFileSize: 2000 });
    expect(flagged(r)).toEqual(['small.go']);
    expect(r.skipped).toHaveLength(1);
    expect(r.skipped[0]!.file).toBe('large.go');
    expect(r.skipped[0]!.reason).toMatch(/max-file-size/);

    const unlimited = await scan(['.'], { cwd: dir, workers: 0 });
    expect(flagged(unlimited)).toEqual(['large.go', 'small.go']);
    expect(unlimited.skipped).toEqual([]);
  });

  it('applies the limit to a file named on the command line too', async () => {
    const dir = tempTree({ 'big.go': racy('p') + `// ${'x'.repeat(5000)}\n` });
    const r = await scan(['big.go'], { cwd: dir, workers: 0, maxFileSize: 1000 });
    expect(r.findings).toEqual([]);
    expect(r.skipped.map((s) => s.file)).toEqual(['big.go']);
  });
});

describe('discovery: symbolic links', () => {
  beforeAll(assertBuilt);

  it('does not follow links out of the scanned root and reports them under skipped', async () => {
    const outside = tempTree({ 'pkg/o.go': racy('o', 'outside', 'Outside') });
    const dir = tempTree({ 'root/main.go': racy('p') });
    symlinkSync(join(outside, 'pkg'), join(dir, 'root', 'outdir'));
    symlinkSync(join(outside, 'pkg', 'o.go'), join(dir, 'root', 'outfile.go'));
    symlinkSync('../..', join(dir, 'root', 'up')); // above the root
    const r = await scan(['root'], { cwd: dir, workers: 0 });
    expect(flagged(r)).toEqual(['root/main.go']);
    expect(r.findings.some((f) => f.map.name === 'outside')).toBe(false);
    expect(r.skipped.map((s) => s.file).sort()).toEqual(['root/outdir', 'root/outfile.go', 'root/up']);
    for (const s of r.skipped) expect(s.reason).toMatch(/outside/);
  });

  it('follows a link to a directory inside the root, reporting its files once', async () => {
    const dir = tempTree({ 'real/racy.go': racy('real'), 'main.go': racy('p') });
    symlinkSync('real', join(dir, 'alias'));
    const r = await scan(['.'], { cwd: dir, workers: 0 });
    expect(r.findings.filter((f) => f.map.name === 'counts' && f.file !== 'main.go')).toHaveLength(1);
    expect(r.errors).toEqual([]);
  });

  it('does not hang on symbolic link loops (CLI run with a timeout)', () => {
    const dir = tempTree({ 'main.go': racy('p'), 'sub/ok.go': racy('sub') });
    symlinkSync('.', join(dir, 'self'));
    symlinkSync('..', join(dir, 'sub', 'parent'));
    symlinkSync('../sub', join(dir, 'sub', 'again'));
    mkdirSync(join(dir, 'ring', 'a'), { recursive: true });
    symlinkSync('../b', join(dir, 'ring', 'a', 'to-b'));
    mkdirSync(join(dir, 'ring', 'b'));
    symlinkSync('../a', join(dir, 'ring', 'b', 'to-a'));
    // Two links pointing at each other: resolving them fails with ELOOP.
    symlinkSync('loop2.go', join(dir, 'loop1.go'));
    symlinkSync('loop1.go', join(dir, 'loop2.go'));
    const { run, report } = scanJson(['.'], { cwd: dir, timeoutMs: 30_000 });
    expect(run.timedOut, 'scan of a tree with link loops timed out').toBe(false);
    expect(run.status).toBe(1);
    expect(fileLines(report)).toEqual([`main.go:${RACY_LINE}`, `sub/ok.go:${RACY_LINE}`]);
    expect(report.errors.map((e) => e.file)).toEqual(['loop1.go', 'loop2.go']);
    for (const e of report.errors) expect(e.message).toMatch(/symbolic links/);
  }, 60_000);

  it('reports a dangling x.go link under errors (not silently dropped) and scans the rest', async () => {
    const dir = tempTree({ 'main.go': racy('p'), 'ok.go': safe('p') });
    symlinkSync('does-not-exist.go', join(dir, 'x.go'));
    const r = await scan(['.'], { cwd: dir, workers: 0 });
    expect(r.errors).toEqual([{ file: 'x.go', message: expect.stringMatching(/no such file/) }]);
    expect(flagged(r)).toEqual(['main.go']);
  });
});

function fileLines(report: { findings: { file: string; line: number }[] }): string[] {
  return report.findings.map((f) => `${f.file}:${f.line}`).sort();
}

describe('discovery: the go command\'s ... patterns (through the CLI)', () => {
  const tree = (): string =>
    tempTree({
      'go.mod': 'module example.com/m\n\ngo 1.21\n',
      'main.go': racy('main'),
      'pkg/a/racy.go': racy('a'),
      'pkg/a/b/racy.go': racy('b'),
      'pkg/x/b/racy.go': racy('b'),
      'pkg/b/racy.go': racy('b'),
      'pkg/vendor/v/racy.go': racy('v'),
      'pkg/testdata/t.go': racy('t'),
      'pkg/.hidden/h.go': racy('h'),
      'pkg/_tools/t.go': racy('t'),
      'pkg/ignored/racy.go': racy('ignored'),
      '.gitignore': 'pkg/ignored/\n',
      '.git/HEAD': 'ref: refs/heads/main\n', // a work tree: its .gitignore applies below the top too
      'cmd/tool/main.go': racy('main'),
    });
  const files = (args: string[], cwd: string) => {
    const { run, report } = scanJson(args, { cwd });
    return { run, flagged: [...new Set(report.findings.map((f) => f.file))].sort(), report };
  };

  it('./... is the directory and every subdirectory, with the same skips as a directory walk', () => {
    const dir = tree();
    const all = files(['./...'], dir);
    expect(all.run.stderr).toBe('');
    expect(all.run.status).toBe(1);
    expect(all.flagged).toEqual(['cmd/tool/main.go', 'main.go', 'pkg/a/b/racy.go', 'pkg/a/racy.go', 'pkg/b/racy.go', 'pkg/x/b/racy.go']);
    expect(files(['.'], dir).flagged).toEqual(all.flagged);
  });

  it('./pkg/..., pkg/... and example.com/m/pkg/... are pkg and everything below it', () => {
    const dir = tree();
    const want = ['pkg/a/b/racy.go', 'pkg/a/racy.go', 'pkg/b/racy.go', 'pkg/x/b/racy.go'];
    for (const pattern of ['./pkg/...', 'pkg/...', 'example.com/m/pkg/...', `${dir}/pkg/...`]) {
      const r = files([pattern], dir);
      expect(r.run.stderr, pattern).toBe('');
      expect(r.flagged, pattern).toEqual(want);
    }
    // From a subdirectory, ../ patterns work too; paths stay relative to the current directory.
    expect(files(['../pkg/a/...'], join(dir, 'cmd')).flagged).toEqual(['../pkg/a/b/racy.go', '../pkg/a/racy.go']);
  });

  it('... in the middle or after a prefix matches like go: ./pkg/.../b, ./pkg/a...', () => {
    const dir = tree();
    // go's ./pkg/.../b matches pkg/a/b and pkg/x/b but not pkg/b (the wildcard sits between two slashes).
    expect(files(['./pkg/.../b'], dir).flagged).toEqual(['pkg/a/b/racy.go', 'pkg/x/b/racy.go']);
    expect(files(['./pkg/a...'], dir).flagged).toEqual(['pkg/a/b/racy.go', 'pkg/a/racy.go']);
  });

  it('overlapping arguments list each file once', () => {
    const dir = tree();
    const r = files(['./...', './pkg/...', 'pkg/a/racy.go'], dir);
    expect(r.run.stderr).toBe('');
    expect(r.report.findings.filter((f) => f.file === 'pkg/a/racy.go')).toHaveLength(1);
  });

  it('a pattern that matches no Go file is a warning like go\'s "matched no packages", not an error', () => {
    const dir = tree();
    mkdirSync(join(dir, 'empty'));
    const r = runCli(['scan', './empty/...', './pkg/b/...'], { cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('gomapfix: warning: "./empty/..." matched no Go files\n');
    const { report } = scanJson(['./empty/...', './pkg/.../nothing'], { cwd: dir });
    expect(report.warnings).toEqual([{ message: '"./empty/..." matched no Go files' }, { message: '"./pkg/.../nothing" matched no Go files' }]);
  });

  it('a pattern whose directory does not exist, or a bare "...": one line on stderr, exit 2', () => {
    const dir = tree();
    for (const [args, want] of [
      [['./nope/...'], /^gomapfix: cannot read \.\/nope\/\.\.\.: no such file or directory\n$/],
      [['...'], /^gomapfix: "\.\.\." would mean every package .*use \.\/\.\.\. /],
      [['./main.go/...'], /not a directory/],
    ] as const) {
      const r = runCli(['scan', ...args], { cwd: dir });
      expect(r.status, args.join(' ')).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(want);
    }
  });
});

describe('discovery: go.mod', () => {
  it('a malformed go directive is a warning naming the file and line, once per go.mod; JSON lists it under warnings', () => {
    const dir = tempTree({
      'go.mod': 'module example.com/m\n\ngo abc\n',
      'a/racy.go': racy('a'),
      'b/racy.go': racy('b'),
      'sub/go.mod': 'module example.com/sub\ngo\n',
      'sub/racy.go': racy('sub'),
      'ok/go.mod': 'module example.com/ok\n\ngo 1.22.3 // a comment\n',
      'ok/racy.go': racy('ok'),
    });
    const r = runCli(['scan', './...'], { cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      'gomapfix: warning: go.mod:3: malformed go directive "abc"; assuming go 1.19\n' + 'gomapfix: warning: sub/go.mod:2: go directive without a version; assuming go 1.19\n',
    );
    const { report } = scanJson(['.'], { cwd: dir });
    expect(report.warnings).toEqual([
      { file: 'go.mod', line: 3, message: 'malformed go directive "abc"; assuming go 1.19' },
      { file: 'sub/go.mod', line: 2, message: 'go directive without a version; assuming go 1.19' },
    ]);
  });

  it('fix warns too, on stderr, and its JSON plan lists the warning', () => {
    const dir = tempTree({ 'go.mod': 'module example.com/m\n\ngo 1.x.y.z\n', 'racy.go': racy('p') });
    const r = runCli(['fix', '.'], { cwd: dir });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe('gomapfix: warning: go.mod:3: malformed go directive "1.x.y.z"; assuming go 1.19\n');
    expect(r.stdout).toContain('+++ b/racy.go');
    const json = runCli(['fix', '--format', 'json', '.'], { cwd: dir });
    expect((JSON.parse(json.stdout) as { warnings: unknown[] }).warnings).toEqual([{ file: 'go.mod', line: 3, message: 'malformed go directive "1.x.y.z"; assuming go 1.19' }]);
  });

  it('reads the go directive the go command accepts: 1.N, 1.N.P, release candidates, a trailing comment', () => {
    expect(parseGoMod('module m\ngo 1.21\n')).toEqual({ path: 'm', goVersion: '1.21' });
    expect(parseGoMod('module m // root\r\n\r\ngo 1.22.0 // toolchain floor\r\n')).toEqual({ path: 'm', goVersion: '1.22.0' });
    expect(parseGoMod('module m\ngo 1.21rc1\n').goVersion).toBe('1.21rc1');
    expect(parseGoMod('module m\ngodebug default=go1.21\ntoolchain go1.23.0\n')).toEqual({ path: 'm', goVersion: null });
    expect(parseGoMod('module m\n\ngo 1.2.3.4\n')).toEqual({ path: 'm', goVersion: null, malformedGo: { line: 3, version: '1.2.3.4' } });
  });
});
