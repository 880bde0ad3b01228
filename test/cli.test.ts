// The `gomapfix scan` command line, run as a child process: exit codes, user errors, bad input,
// the JSON and text formats, and the demo.
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readdirSync, readFileSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, CLI, cleanupTemp, racy, RACY_LINE, REPO, runCli, safe, scanJson, summary, tempTree, type CliRun } from './helpers/cli.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const ESC = '\x1b[';

function expectOneLineUserError(run: CliRun, pattern: RegExp): void {
  expect(run.status).toBe(2);
  expect(run.stdout).toBe('');
  const lines = run.stderr.split('\n').filter((l) => l !== '');
  expect(lines, `stderr should be one line:\n${run.stderr}`).toHaveLength(1);
  expect(lines[0]).toMatch(pattern);
  expect(run.stderr).not.toMatch(/^\s+at /m); // no stack trace
  expect(run.stderr).not.toContain('internal error');
}

describe('exit codes', () => {
  it('exits 0 when nothing is found', () => {
    const dir = tempTree({ 'ok.go': safe('p') });
    const run = runCli(['scan', '.'], { cwd: dir });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/no unsafe map use found \(1 Go file scanned\)/);
  });

  it('exits 1 when there are findings', () => {
    const dir = tempTree({ 'racy.go': racy('p') });
    const run = runCli(['scan', '.'], { cwd: dir });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('concurrent-map-write');
  });

  it('a path that does not exist: one line on stderr, exit 2', () => {
    const dir = tempTree({ 'racy.go': racy('p') });
    const run = runCli(['scan', 'racy.go', 'no/such/dir'], { cwd: dir });
    expectOneLineUserError(run, /no\/such\/dir.*no such file or directory/);
  });

  it('an unknown flag: one line on stderr, exit 2', () => {
    const dir = tempTree({ 'racy.go': racy('p') });
    expectOneLineUserError(runCli(['scan', '--bogus', '.'], { cwd: dir }), /unknown option '--bogus'/);
  });

  it('a bad --format: one line on stderr, exit 2', () => {
    const dir = tempTree({ 'racy.go': racy('p') });
    expectOneLineUserError(runCli(['scan', '--format', 'xml', '.'], { cwd: dir }), /xml.*(invalid|allowed)/i);
  });

  it('a bad --max-file-size: one line on stderr, exit 2', () => {
    const dir = tempTree({ 'racy.go': racy('p') });
    expectOneLineUserError(runCli(['scan', '--max-file-size', 'lots', '.'], { cwd: dir }), /--max-file-size.*lots/);
    expectOneLineUserError(runCli(['scan', '--max-file-size', '-5', '.'], { cwd: dir }), /--max-file-size/);
  });

  it('a named file that is not Go source: one line on stderr, exit 2', () => {
    const dir = tempTree({ 'README.md': '# hi\n' });
    expectOneLineUserError(runCli(['scan', 'README.md'], { cwd: dir }), /README\.md is not a Go file/);
  });
});

describe('empty input', () => {
  it('an empty directory: says so on stdout, exit 0', () => {
    const dir = tempTree();
    const run = runCli(['scan', '.'], { cwd: dir });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/no Go files found/);
  });

  it('a directory with no Go files (only other files, vendor/, hidden dirs): says so on stdout, exit 0', () => {
    const dir = tempTree({ 'README.md': '# x\n', 'main.c': 'int main(){}\n', 'vendor/v/v.go': racy('v'), '.cache/c.go': racy('c') });
    const run = runCli(['scan', '.'], { cwd: dir });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/no Go files found/);
    const { run: jrun, report } = scanJson(['.'], { cwd: dir });
    expect(jrun.status).toBe(0);
    expect(report).toMatchObject({ version: 1, findings: [], errors: [] });
  });
});

describe('bad input files', () => {
  it('a file with syntax errors is listed under errors; the rest of the package is still scanned', () => {
    const dir = tempTree({
      'pkg/broken.go': 'package p\n\nfunc Broken( {\n\treturn\n',
      'pkg/racy.go': racy('p'),
    });
    const { run, report } = scanJson(['pkg'], { cwd: dir });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(1);
    expect(report.errors).toEqual([{ file: 'pkg/broken.go', message: expect.stringMatching(/syntax error/) }]);
    expect(summary(report)).toEqual([`pkg/racy.go:${RACY_LINE} concurrent-map-write counts`]);
  });

  it('syntax errors alone do not make the exit code non-zero when nothing is found', () => {
    const dir = tempTree({ 'pkg/broken.go': 'package p\n\nfunc Broken( {\n', 'pkg/ok.go': safe('p') });
    const { run, report } = scanJson(['pkg'], { cwd: dir });
    expect(run.status).toBe(0);
    expect(report.errors.map((e) => e.file)).toEqual(['pkg/broken.go']);
  });

  it('invalid UTF-8 is listed under errors with a clear message, no crash', () => {
    const bad = Buffer.concat([Buffer.from('package p\n\n// caf'), Buffer.from([0xe9, 0x20]), Buffer.from('\nvar x = 1\n')]);
    const dir = tempTree({ 'latin1.go': bad, 'racy.go': racy('p') });
    const { run, report } = scanJson(['.'], { cwd: dir });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(1);
    expect(report.errors).toEqual([{ file: 'latin1.go', message: expect.stringMatching(/invalid UTF-8 at line 3/) }]);
    expect(summary(report)).toEqual([`racy.go:${RACY_LINE} concurrent-map-write counts`]);
  });

  it('a NUL byte is listed under errors with a clear message, no crash', () => {
    const nul = Buffer.concat([Buffer.from('package p\n\nvar s = "a'), Buffer.from([0]), Buffer.from('b"\n')]);
    const dir = tempTree({ 'nul.go': nul, 'racy.go': racy('p') });
    const { run, report } = scanJson(['.'], { cwd: dir });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(1);
    expect(report.errors).toEqual([{ file: 'nul.go', message: expect.stringMatching(/NUL byte at line 3/) }]);
    expect(summary(report)).toEqual([`racy.go:${RACY_LINE} concurrent-map-write counts`]);
  });

  it('a UTF-8 BOM and CRLF line endings: same findings at the same positions as the plain file', () => {
    const plain = racy('p');
    const crlf = plain.replace(/\n/g, '\r\n');
    const bom = Buffer.from([0xef, 0xbb, 0xbf]);
    const dir = tempTree({
      'plain/racy.go': plain,
      'bom/racy.go': Buffer.concat([bom, Buffer.from(plain)]),
      'crlf/racy.go': crlf,
      'bomcrlf/racy.go': Buffer.concat([bom, Buffer.from(crlf)]),
    });
    const positions = (sub: string) => {
      const { run, report } = scanJson([sub], { cwd: dir });
      expect(run.status, `${sub}: ${run.stderr}`).toBe(1);
      expect(report.errors).toEqual([]);
      return report.findings.map((f) => ({
        file: f.file.replace(`${sub}/`, ''),
        rule: f.rule,
        at: [f.line, f.column, f.endLine, f.endColumn],
        map: { ...f.map, file: f.map.file.replace(`${sub}/`, '') },
        evidence: f.evidence.map((e) => [e.kind, e.file.replace(`${sub}/`, ''), e.line, e.column]),
      }));
    };
    const want = positions('plain');
    expect(want).toHaveLength(1);
    expect(want[0]!.at).toEqual([RACY_LINE, 4, RACY_LINE, 13]);
    for (const sub of ['bom', 'crlf', 'bomcrlf']) expect(positions(sub), sub).toEqual(want);
  });

  it('a ~5 MB file with a big literal table (not generated) is scanned within the default limit; skipped with a small limit', () => {
    const rows: string[] = [];
    let size = 0;
    for (let n = 0; size < 5 * 1024 * 1024; n += 12) {
      const row = '\t' + Array.from({ length: 12 }, (_, k) => `0x${(((n + k) * 2654435761) >>> 0).toString(16).padStart(8, '0')}`).join(', ') + ',\n';
      rows.push(row);
      size += row.length;
    }
    const dir = tempTree({ 'table.go': `${racy('p')}\nvar table = []uint32{\n${rows.join('')}}\n` });
    const { run, report } = scanJson(['.'], { cwd: dir, timeoutMs: 100_000 });
    expect(run.timedOut).toBe(false);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(1);
    expect(report.errors).toEqual([]);
    expect(report.skipped).toEqual([]);
    expect(summary(report)).toEqual([`table.go:${RACY_LINE} concurrent-map-write counts`]);

    const small = scanJson(['.', '--max-file-size', String(1024 * 1024)], { cwd: dir });
    expect(small.run.status).toBe(0);
    expect(small.report.findings).toEqual([]);
    expect(small.report.skipped).toEqual([{ file: 'table.go', reason: expect.stringMatching(/max-file-size/) }]);
  }, 120_000);

  it('text format: a directory whose only Go file is over --max-file-size lists it as skipped', () => {
    const dir = tempTree({ 'big.go': racy('p') + `// ${'x'.repeat(4000)}\n` });
    const run = runCli(['scan', '.', '--max-file-size', '1000'], { cwd: dir });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/skipped[\s\S]*big\.go/);
  });
});

describe('unreadable files', () => {
  it('a dangling symlink x.go among readable files is listed under errors; the rest is scanned', () => {
    const dir = tempTree({ 'pkg/racy.go': racy('p'), 'pkg/ok.go': safe('p') });
    symlinkSync('gone.go', join(dir, 'pkg', 'x.go'));
    const { run, report } = scanJson(['pkg'], { cwd: dir });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(1);
    expect(report.errors).toEqual([{ file: 'pkg/x.go', message: expect.stringMatching(/cannot read/) }]);
    expect(summary(report)).toEqual([`pkg/racy.go:${RACY_LINE} concurrent-map-write counts`]);
  });

  // As root chmod 000 does not stop reads: run the CLI as `nobody` instead.
  const nobodySkip = whyNobodyCannotRun();

  it.skipIf(nobodySkip)(`a chmod-000 file among readable ones (run as nobody) is listed under errors; the rest is scanned${nobodySkip ? ` [skipped: ${nobodySkip}]` : ''}`, () => {
    const dir = worldReadableTree({ 'pkg/racy.go': racy('p'), 'pkg/ok.go': safe('p'), 'pkg/secret.go': safe('p', 'secret', 'Secret') });
    chmodSync(join(dir, 'pkg', 'secret.go'), 0o000);
    const { run, report } = scanJson(['pkg'], { cwd: dir, uid: 65534, gid: 65534 });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(1);
    expect(report.errors).toEqual([{ file: 'pkg/secret.go', message: expect.stringMatching(/permission denied/) }]);
    expect(summary(report)).toEqual([`pkg/racy.go:${RACY_LINE} concurrent-map-write counts`]);
  });

  it.skipIf(nobodySkip)(`an unreadable subdirectory (run as nobody) is listed under errors; the rest is scanned${nobodySkip ? ` [skipped: ${nobodySkip}]` : ''}`, () => {
    const dir = worldReadableTree({ 'racy.go': racy('p'), 'locked/l.go': racy('l') });
    chmodSync(join(dir, 'locked'), 0o000);
    const { run, report } = scanJson(['.'], { cwd: dir, uid: 65534, gid: 65534 });
    chmodSync(join(dir, 'locked'), 0o755);
    expect(run.status).toBe(1);
    expect(report.errors).toEqual([{ file: 'locked', message: expect.stringMatching(/permission denied/) }]);
    expect(summary(report)).toEqual([`racy.go:${RACY_LINE} concurrent-map-write counts`]);
  });

  it.skipIf(nobodySkip)(`an unreadable directory named on the command line (run as nobody): one line on stderr, exit 2${nobodySkip ? ` [skipped: ${nobodySkip}]` : ''}`, () => {
    const dir = worldReadableTree({ 'locked/l.go': racy('l') });
    chmodSync(join(dir, 'locked'), 0o000);
    const run = runCli(['scan', 'locked'], { cwd: dir, uid: 65534, gid: 65534 });
    chmodSync(join(dir, 'locked'), 0o755);
    expectOneLineUserError(run, /cannot read locked: permission denied/);
  });

  // A file named on the command line that cannot be read is unreadable input: exit 2.
  it.skipIf(nobodySkip)(`an unreadable file named on the command line (run as nobody) exits 2${nobodySkip ? ` [skipped: ${nobodySkip}]` : ''}`, () => {
    const dir = worldReadableTree({ 'secret.go': racy('p') });
    chmodSync(join(dir, 'secret.go'), 0o000);
    const run = runCli(['scan', 'secret.go'], { cwd: dir, uid: 65534, gid: 65534 });
    expect(run.status).toBe(2);
  });
});

describe('--format json', () => {
  it('follows the documented schema: relative files, 1-based positions', () => {
    const dir = tempTree({ 'pkg/racy.go': racy('p'), 'pkg/broken.go': 'package p\nfunc (\n' });
    // An absolute path argument still gives files relative to the cwd.
    const { run, report } = scanJson([join(dir, 'pkg')], { cwd: dir });
    expect(run.status).toBe(1);
    expect(Object.keys(report).sort()).toEqual(['errors', 'findings', 'skipped', 'version']);
    expect(report.version).toBe(1);
    expect(report.findings).toHaveLength(1);
    const f = report.findings[0]!;
    expect(Object.keys(f).sort()).toEqual(['column', 'endColumn', 'endLine', 'evidence', 'file', 'id', 'line', 'map', 'message', 'omittedEvidence', 'rule'].sort());
    expect(f.omittedEvidence).toEqual({ access: 0, context: 0 });
    expect(f).toMatchObject({
      id: expect.stringMatching(/^[0-9a-f]{8,}$/),
      rule: 'concurrent-map-write',
      message: expect.stringContaining('counts'),
      file: 'pkg/racy.go',
      line: RACY_LINE, // `\t\t\tcounts[i]++`
      column: 4,
      endLine: RACY_LINE,
      endColumn: 13,
      map: { name: 'counts', kind: expect.any(String), file: 'pkg/racy.go', line: 3 },
    });
    expect(Object.keys(f.map).sort()).toEqual(['file', 'kind', 'line', 'name']);
    expect(f.evidence.length).toBeGreaterThan(0);
    for (const e of f.evidence) {
      expect(Object.keys(e).sort()).toEqual(['column', 'file', 'kind', 'line', 'message']);
      expect(e.file).toBe('pkg/racy.go');
      expect(e.line).toBeGreaterThanOrEqual(1);
      expect(e.column).toBeGreaterThanOrEqual(1);
    }
    expect(f.evidence).toContainEqual(expect.objectContaining({ kind: 'declaration', line: 3, column: 5 }));
    expect(report.errors).toEqual([{ file: 'pkg/broken.go', message: expect.any(String) }]);
    for (const e of report.errors) expect(Object.keys(e).sort()).toEqual(['file', 'message']);
  });

  it('ids are stable across runs, and the same from another cwd when the file path is the same', () => {
    const files = { 'svc/racy.go': racy('svc'), 'svc/more.go': racy('svc', 'more', 'More'), 'other/racy.go': racy('other') };
    const a = tempTree(files);
    const b = tempTree(files);
    const first = scanJson(['.'], { cwd: a });
    const second = scanJson(['.'], { cwd: a });
    expect(first.report.findings.length).toBe(3);
    expect(second.report).toEqual(first.report);
    const ids = first.report.findings.map((f) => f.id);
    expect(new Set(ids).size).toBe(ids.length);
    // A copy of the tree scanned from its own root: same relative paths, so same ids.
    const elsewhere = scanJson(['.'], { cwd: b });
    expect(elsewhere.report).toEqual(first.report);
    // Naming the directories differently but reaching the same relative paths changes nothing either.
    const named = scanJson(['svc', 'other'], { cwd: a });
    expect(named.report.findings.map((f) => [f.file, f.id]).sort()).toEqual(first.report.findings.map((f) => [f.file, f.id]).sort());
  });

  it('has no ANSI escapes even with FORCE_COLOR=1', () => {
    const dir = tempTree({ 'racy.go': racy('p') });
    const run = runCli(['scan', '.', '--format', 'json'], { cwd: dir, env: { FORCE_COLOR: '1' } });
    expect(run.stdout).not.toContain(ESC);
    expect(() => JSON.parse(run.stdout)).not.toThrow();
  });
});

describe('text format', () => {
  const tree = () =>
    tempTree({
      'a.go': racy('p', 'alpha', 'Alpha'),
      'b.go': racy('p', 'beta', 'Beta'),
      'ok.go': safe('p'),
      'broken.go': 'package p\nfunc (\n',
    });

  it('groups findings by file, each with its evidence lines', () => {
    const run = runCli(['scan', '.'], { cwd: tree() });
    expect(run.status).toBe(1);
    const blocks = run.stdout.trimEnd().split(/\n\n/);
    const aBlock = blocks.find((b) => b.startsWith('a.go\n'));
    const bBlock = blocks.find((b) => b.startsWith('b.go\n'));
    expect(aBlock, run.stdout).toBeDefined();
    expect(bBlock, run.stdout).toBeDefined();
    expect(run.stdout.indexOf('a.go\n')).toBeLessThan(run.stdout.indexOf('b.go\n'));
    for (const [block, name] of [
      [aBlock!, 'alpha'],
      [bBlock!, 'beta'],
    ] as const) {
      const lines = block.split('\n');
      expect(lines[1]).toMatch(new RegExp(`^\\s+${RACY_LINE}:4\\s+concurrent-map-write\\s+.*\\b${name}\\b`));
      // Evidence: the declaration, the access and the goroutine, with line numbers.
      expect(block).toMatch(/^\s+declaration\s+3\s+\S/m);
      expect(block).toMatch(new RegExp(`^\\s+access\\s+${RACY_LINE}\\s+\\S`, 'm'));
      expect(block).toMatch(/^\s+context\s+7\s+\S/m);
      expect(block).toMatch(/^\s+id [0-9a-f]+$/m);
      expect(block).not.toContain(name === 'alpha' ? 'beta' : 'alpha');
    }
    expect(run.stdout).toMatch(/errors\n\s+broken\.go: /);
    expect(run.stdout).toMatch(/2 findings in 2 files \(4 Go files scanned\)\n$/);
  });

  it('has no ANSI escapes when piped', () => {
    const run = runCli(['scan', '.'], { cwd: tree() });
    expect(run.stdout).toContain('concurrent-map-write');
    expect(run.stdout).not.toContain(ESC);
    expect(run.stderr).not.toContain(ESC);
  });

  it('has no ANSI escapes with NO_COLOR=1', () => {
    const run = runCli(['scan', '.'], { cwd: tree(), env: { NO_COLOR: '1' } });
    expect(run.stdout).toContain('concurrent-map-write');
    expect(run.stdout).not.toContain(ESC);
  });

  it('has ANSI escapes with FORCE_COLOR=1', () => {
    const run = runCli(['scan', '.'], { cwd: tree(), env: { FORCE_COLOR: '1' } });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain(ESC);
    // Same words once the escapes are removed.
    const plain = runCli(['scan', '.'], { cwd: tree() }).stdout;
    // eslint-disable-next-line no-control-regex
    expect(run.stdout.replace(/\x1b\[[0-9;]*m/g, '')).toBe(plain);
  });
});

describe('the demo (examples/demo)', () => {
  const planted = [
    'examples/demo/cache.go:46 unguarded-map-access Cache.items',
    'examples/demo/cache.go:53 map-escapes-lock Cache.items',
    'examples/demo/health.go:19 concurrent-map-write lastCheck',
    'examples/demo/limiter.go:37 concurrent-map-write visitors',
    'examples/demo/limiter.go:63 map-mutated-during-range visitors',
    'examples/demo/metrics.go:26 concurrent-map-write statuses',
    'examples/demo/sessions.go:40 concurrent-map-write sessions',
  ];

  it('exits 1 and reports every planted race, and nothing on the correct maps', () => {
    expect(readFileSync(join(REPO, 'examples', 'demo', 'README.md'), 'utf8')).toContain('sessions.go:40');
    const { run, report } = scanJson(['examples/demo'], { cwd: REPO });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(1);
    expect(report.errors).toEqual([]);
    const got = summary(report);
    for (const p of planted) expect(got, `missing ${p}`).toContain(p);
    // Only the racy maps, only at the lines the README names (:50/:60, :30 and :38 are mentioned there too).
    const allowed = new Set(['sessions.go:40', 'sessions.go:50', 'sessions.go:60', 'cache.go:46', 'cache.go:53', 'health.go:19', 'health.go:38', 'limiter.go:37', 'limiter.go:63', 'metrics.go:26', 'metrics.go:30']);
    for (const f of report.findings) {
      expect(['sessions', 'Cache.items', 'lastCheck', 'visitors', 'statuses']).toContain(f.map.name);
      expect(allowed.has(`${f.file.replace('examples/demo/', '')}:${f.line}`), `${f.file}:${f.line}`).toBe(true);
    }
    expect(report.findings.some((f) => /byPath|contentTypes/.test(f.map.name))).toBe(false);
  });

  it('the plain command (text format) exits 1 and lists the same places', () => {
    const run = runCli(['scan', 'examples/demo'], { cwd: REPO });
    expect(run.status).toBe(1);
    expect(run.stdout).not.toContain(ESC);
    for (const p of planted) {
      const [where, rule] = p.split(' ');
      const [file, line] = where!.split(':');
      const block = run.stdout.split('\n\n').find((b) => b.startsWith(`${file}\n`));
      expect(block, `no block for ${file}`).toBeDefined();
      expect(block).toMatch(new RegExp(`^\\s+${line}:\\d+\\s+${rule}\\b`, 'm'));
    }
  });
});

// ---------------------------------------------------------------------------------------------

/** A temp tree that `nobody` can traverse and read (mkdtemp makes 0700 directories). */
function worldReadableTree(files: Record<string, string>): string {
  const dir = tempTree(files);
  const open = (p: string) => {
    const st = statSync(p);
    chmodSync(p, st.isDirectory() ? 0o755 : 0o644);
    if (st.isDirectory()) for (const n of readdirSync(p)) open(join(p, n));
  };
  open(dir);
  return dir;
}

/** Why the tests that run the CLI as `nobody` cannot run here, or '' when they can. */
function whyNobodyCannotRun(): string {
  if (typeof process.getuid !== 'function') return 'no POSIX user ids on this platform';
  if (process.getuid() !== 0) return 'not running as root (cannot switch to nobody; chmod 000 already applies)';
  if (!existsSync(CLI)) return 'dist/src/cli/main.js is missing';
  const probe = worldReadableTree({ 'racy.go': racy('p') });
  const r = spawnSync(process.execPath, [CLI, 'scan', '.', '--format', 'json'], { cwd: probe, uid: 65534, gid: 65534, encoding: 'utf8', timeout: 60_000 });
  if (r.error) return `cannot spawn as uid 65534: ${r.error.message}`;
  if (r.status !== 1) return `nobody cannot run the CLI (is ${REPO}/dist or node_modules world-readable?): exit ${r.status}, ${r.stderr.trim().split('\n')[0] ?? ''}`;
  return '';
}

describe('progress on a terminal', () => {
  const many = (): Record<string, string> => {
    const files: Record<string, string> = {};
    for (let i = 0; i < 240; i++) files[`p${i % 12}/f${i}.go`] = `package p${i % 12}\n\nfunc F${i}() int { return ${i} }\n`;
    return files;
  };
  const hasScript = spawnSync('script', ['--version']).status === 0;

  it.skipIf(!hasScript)('prints a progress line on stderr when stderr is a terminal, never on stdout', () => {
    const dir = tempTree(many());
    // `script` gives the command a pseudo-terminal; stdout still goes to a file.
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} scan . --format json > out.json`;
    const run = spawnSync('script', ['-qec', command, '/dev/null'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/scanning \d+\/240 files/);
    const report = JSON.parse(readFileSync(join(dir, 'out.json'), 'utf8')) as { findings: unknown[] };
    expect(report.findings).toEqual([]);
  });

  it('prints no progress when stderr is not a terminal', () => {
    const run = runCli(['scan', '.', '--format', 'json'], { cwd: tempTree(many()) });
    expect(run.status).toBe(0);
    expect(run.stderr).toBe('');
  });
});
