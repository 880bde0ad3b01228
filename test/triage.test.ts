// `gomapfix triage`: real logs captured from the Go toolchain (fixtures/triage/logs/, made by
// fixtures/triage/generate.mjs) placed on the right map and line; bad input; --fix proven by
// `go test -race`; and logs made live from Go 1.19 and Go 1.26 so the parser meets today's format.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp, CLI, REPO, runCli, tempTree } from './helpers/cli.js';
import { goBinaries } from './helpers/go-toolchain.js';
import { parseLog } from '../src/triage/log.js';
import { placeFrame } from '../src/triage/place.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const TRIAGE = join(REPO, 'fixtures', 'triage');
const LOGS = join(TRIAGE, 'logs');
const GO = goBinaries();

/** A fixture case (or a triage module) as a repository of its own: inputs, tests and go.mod, no outputs. */
function repoOf(dir: string): string {
  const out = mkdtempSync(join(tmpdir(), 'gomapfix-triage-test-'));
  cpSync(dir, out, { recursive: true, filter: (src) => !/output[^/]*\.go$|expect\.json$/.test(src) });
  if (!existsSync(join(out, 'go.mod'))) writeFileSync(join(out, 'go.mod'), 'module fixture\n\ngo 1.19\n');
  return out;
}

interface JsonTriage {
  reports: number;
  confirmed: { kind: string; map: { name: string; file: string; line: number }; reports: { kind: string; sites: { file: string; line: number; access: string; goroutine: number | null }[] }[]; static: { found: boolean; why: string | null } }[];
  notMapRaces: { sites: { file: string; line: number }[] }[];
  unplaced: { reason: string }[];
  plan?: unknown;
}

function triageJson(args: string[], cwd = REPO): { status: number | null; out: JsonTriage; stderr: string } {
  const run = runCli(['triage', ...args, '--format', 'json'], { cwd });
  let out: JsonTriage;
  try {
    out = JSON.parse(run.stdout) as JsonTriage;
  } catch {
    throw new Error(`stdout is not JSON (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);
  }
  return { status: run.status, out, stderr: run.stderr };
}

const CRASH = join(TRIAGE, 'crash');
const FIX = (id: string) => join(REPO, 'fixtures', id);

/**
 * Each captured log, the repository it comes from, and where every racing site must land: the map
 * by name, and the lines its sites may be on. Goroutine numbers and which writer throws vary between
 * runs; the map and the lines do not.
 */
const CASES: { log: string; root: string; maps: Record<string, string[]>; notMap?: number; found?: boolean }[] = [];
for (const go of ['go126', 'go119']) {
  CASES.push(
    { log: `race-${go}-go-func-in-loop-local-map.log`, root: FIX('concurrent-map-write/go-func-in-loop-local-map'), maps: { counts: ['input.go:18'] } },
    { log: `race-${go}-field-alias-written-in-goroutine.log`, root: FIX('concurrent-map-write/field-alias-written-in-goroutine'), maps: { 'Tracker.touched': ['input.go:25'] } },
    { log: `race-${go}-context-service-method-cache.log`, root: FIX('concurrent-map-write/context-service-method-cache'), maps: { 'UserService.cache': ['input.go:29', 'input.go:33'] } },
    { log: `race-${go}-ignore-comment-suppresses.log`, root: FIX('negative/ignore-comment-suppresses'), maps: { counts: ['input.go:16'] }, found: false },
    { log: `race-${go}-field-replaced-while-read.log`, root: FIX('concurrent-map-write/field-replaced-while-read'), maps: { 'Router.routes': ['input.go:14', 'input.go:20', 'input.go:22'] } },
    { log: `race-${go}-guarded-map-stored-in-package-var.log`, root: FIX('map-escapes-lock/guarded-map-stored-in-package-var'), maps: { 'Inventory.stock': ['input.go:21', 'input.go:34'] } },
    { log: `race-${go}-copy-where-map-leaves-lock.log`, root: FIX('snapshot-copy/copy-where-map-leaves-lock'), maps: { 'Quotas.limits': ['input.go:17', 'input.go:32'] } },
    { log: `race-${go}-missed-by-scan.log`, root: join(TRIAGE, 'missed-by-scan'), maps: { 'Stock.levels': ['inventory.go:17', 'inventory.go:22'] }, found: false },
    { log: `fatal-${go}-writes.log`, root: CRASH, maps: { sessions: ['main.go:35'] } },
    { log: `fatal-${go}-readwrite.log`, root: CRASH, maps: { 'cache.entries': ['main.go:50', 'main.go:43'] } },
    { log: `fatal-${go}-iterate.log`, root: CRASH, maps: { counts: ['main.go:59', 'main.go:19'] } },
    { log: `field-${go}.log`, root: CRASH, maps: { 'stats.seen': ['field.go:22'] }, notMap: 2 },
  );
}
CASES.push(
  { log: 'fatal-go126-clone.log', root: CRASH, maps: { clones: ['clone.go:15'] } },
  { log: 'noisy-k8s-cri.log', root: CRASH, maps: { sessions: ['main.go:35'] } },
  { log: 'noisy-kubectl-prefix.log', root: CRASH, maps: { 'cache.entries': ['main.go:50', 'main.go:43'] } },
  { log: 'noisy-ansi-crlf.log', root: FIX('concurrent-map-write/go-func-in-loop-local-map'), maps: { counts: ['input.go:18'] } },
  { log: 'noisy-go-test-json.log', root: FIX('concurrent-map-write/go-func-in-loop-local-map'), maps: { counts: ['input.go:18'] } },
  { log: 'noisy-truncated-fatal.log', root: CRASH, maps: { sessions: ['main.go:35'] } },
  { log: 'noisy-truncated-race.log', root: FIX('concurrent-map-write/field-alias-written-in-goroutine'), maps: { 'Tracker.touched': ['input.go:25'] } },
  { log: 'noisy-several.log', root: CRASH, maps: { 'stats.seen': ['field.go:22'] }, notMap: 2 },
  { log: 'noisy-other-machine.log', root: FIX('concurrent-map-write/field-alias-written-in-goroutine'), maps: { 'Tracker.touched': ['input.go:25'] } },
  { log: 'noisy-module-cache.log', root: CRASH, maps: { counts: ['main.go:59', 'main.go:19'] } },
  // Kept from bench/triage-fixtures.mjs: a callback parameter racing (and then throwing) on the
  // field map passed to it; len() of a struct field that holds another struct's map.
  { log: 'kept-go126-callback-param-race-then-fatal.log', root: FIX('map-escapes-lock/guarded-map-passed-to-callback-field'), maps: { 'Config.values': ['input.go:19', 'race_test.go:19'] } },
  { log: 'kept-go126-stored-field-len-race.log', root: FIX('map-escapes-lock/guarded-map-stored-in-other-struct-field'), maps: { 'Presence.online': ['input.go:22', 'input.go:36'] } },
  { log: 'noisy-vendored.log', root: CRASH, maps: { 'cache.entries': ['main.go:50', 'main.go:43'] } },
);

describe('gomapfix triage: captured logs placed on the map and line', () => {
  for (const c of CASES) {
    it(c.log, () => {
      const root = repoOf(c.root);
      const { status, out } = triageJson([join(LOGS, c.log), '--root', root]);
      expect(status).toBe(1);
      expect(Object.fromEntries(out.confirmed.map((m) => [m.map.name, m.kind]))).toEqual(Object.fromEntries(Object.keys(c.maps).map((k) => [k, 'confirmed'])));
      for (const m of out.confirmed) {
        const sites = m.reports.flatMap((r) => r.sites.map((s) => `${s.file}:${s.line}`));
        // Both sides of every complete race report are placed.
        for (const r of m.reports) if (r.kind === 'race' && !(r as { truncated?: boolean }).truncated) expect(r.sites).toHaveLength(2);
        expect(sites.length).toBeGreaterThan(0);
        for (const s of sites) expect(c.maps[m.map.name]).toContain(s);
        if (c.found !== undefined) expect(m.static.found).toBe(c.found);
        if (c.found === false) expect(m.static.why).toBeTruthy();
      }
      expect(out.notMapRaces.length).toBe(c.notMap ?? 0);
      expect(out.unplaced).toEqual([]);
    });
  }

  it('a race report carries both stacks; de-duplicates the repeated pair of locations', () => {
    const one = parseLog(readFileSync(join(LOGS, 'field-go126.log'), 'utf8')).length;
    expect(one).toBeGreaterThanOrEqual(3);
    expect(parseLog(readFileSync(join(LOGS, 'noisy-several.log'), 'utf8')).length).toBe(2 * one);
    const { out } = triageJson([join(LOGS, 'noisy-several.log'), '--root', CRASH]);
    expect(out.reports).toBe(3);
    const seen = out.confirmed[0]!.reports[0]!;
    expect(seen.kind).toBe('race');
    expect(seen.sites.map((s) => s.access)).toEqual(['write', 'write']);
    expect(seen.sites.every((s) => typeof s.goroutine === 'number')).toBe(true);
  });

  // A report of this shape came from the fixture's own race test under load: the race is on the
  // View.users variable, which holds Presence.online (stored at line 31). The map is Presence.online.
  it('a race on a variable that holds a stored field map is placed on the field map', () => {
    const root = repoOf(FIX('snapshot-copy/stored-in-other-struct-field'));
    const dir = tempTree({
      'race.log': 'WARNING: DATA RACE\nRead at 0x00c000012345 by goroutine 9:\n  fixture.(*View).Render()\n      /build/input.go:36 +0x1\n\nPrevious write at 0x00c000012345 by goroutine 8:\n  fixture.(*Presence).NewView()\n      /build/input.go:31 +0x2\n==================\n',
    });
    const { out } = triageJson([join(dir, 'race.log'), '--root', root]);
    expect(out.confirmed.map((m) => m.map.name)).toEqual(['Presence.online']);
    expect(out.confirmed[0]!.reports[0]!.sites.map((s) => `${s.file}:${s.line}`)).toEqual(['input.go:36', 'input.go:31']);
  });

  it('the text report names the map, both racing sites with goroutines, what the scan said', () => {
    const run = runCli(['triage', join(LOGS, 'fatal-go119-readwrite.log'), '--root', CRASH]);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^confirmed: cache\.entries \(field, declared main\.go:14\)$/m);
    expect(run.stdout).toMatch(/throwing goroutine main\.go:50 +read c\.entries\["7"\] +\(goroutine \d+, started at main\.go:47\)/);
    expect(run.stdout).toMatch(/other goroutine +main\.go:43 +write c\.entries\[fmt\.Sprint\(i%32\)\]/);
    expect(run.stdout).toContain('static analysis: reported it too (concurrent-map-write');
    expect(run.stdout).toContain('fix: gomapfix triage --fix previews the rewrite');
  });

  it('a race on a struct field or a slice element is listed as not a map race', () => {
    const run = runCli(['triage', join(LOGS, 'field-go126.log'), '--root', CRASH]);
    expect(run.stdout).toMatch(/^not a map race \(.*\): field\.go:20 accesses no map/m);
    expect(run.stdout).toMatch(/^not a map race \(.*\): field\.go:21 accesses no map/m);
  });

  it('reads stdin (-) and a pasted log with its noise', () => {
    const r = spawnSync(process.execPath, [CLI, 'triage', '-', '--root', CRASH], { input: readFileSync(join(LOGS, 'noisy-k8s-cri.log')), encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('confirmed: sessions (package-var, declared main.go:11)');
  });

  it('joins go test -json Output events split in the middle of a line', () => {
    const ev = (o: string) => JSON.stringify({ Action: 'output', Package: 'p', Output: o });
    const text = [ev('fatal error: concurrent'), ev(' map writes\n\ngoroutine 7 [running]:\n'), ev('main.main.func1()\n'), ev('\t/src/app/main.go:12 +0x4c\n'), ev('created by main.main in goroutine 1\n\t/src/app/main.go:9 +0x1d\n')].join('\n');
    const [r] = parseLog(text);
    expect(r).toMatchObject({ kind: 'fatal', message: 'concurrent map writes' });
    expect(r!.stacks[0]!.frames).toEqual([{ func: 'main.main.func1', file: '/src/app/main.go', line: 12 }]);
    expect(r!.stacks[0]!.createdAt).toEqual([{ func: 'main.main', file: '/src/app/main.go', line: 9 }]);
  });

  it('places build-machine, module-cache and -trimpath paths by module-relative suffix', () => {
    const repo = { rels: ['main.go', 'cmd/api/main.go', 'internal/cache/cache.go'], modulePaths: new Set(['example.com/svc']) };
    expect(placeFrame({ func: 'x', file: '/home/ci/svc/internal/cache/cache.go', line: 1 }, repo)).toEqual({ ok: true, rel: 'internal/cache/cache.go' });
    expect(placeFrame({ func: 'x', file: '/root/go/pkg/mod/example.com/svc@v1.2.3/cmd/api/main.go', line: 1 }, repo)).toEqual({ ok: true, rel: 'cmd/api/main.go' });
    expect(placeFrame({ func: 'x', file: 'example.com/svc/internal/cache/cache.go', line: 1 }, repo)).toEqual({ ok: true, rel: 'internal/cache/cache.go' });
    expect(placeFrame({ func: 'x', file: 'C:\\build\\svc\\main.go', line: 1 }, repo)).toEqual({ ok: true, rel: 'main.go' });
    expect(placeFrame({ func: 'x', file: 'example.com/other/main.go', line: 1 }, repo).ok).toBe(false);
    expect(placeFrame({ func: 'x', file: '/src/lib/store.go', line: 1 }, repo).ok).toBe(false);
  });
});

describe('gomapfix triage: input it cannot use', () => {
  it('an empty log: one line, exit 2', () => {
    const dir = tempTree({ 'empty.log': '' });
    const run = runCli(['triage', join(dir, 'empty.log'), '--root', CRASH]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^gomapfix: .*empty\.log is empty: paste the log/);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('a binary file: one line, exit 2', () => {
    const dir = tempTree({ 'crash.bin': new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3, 0, 0, 0]) });
    const run = runCli(['triage', join(dir, 'crash.bin'), '--root', CRASH]);
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toMatch(/^gomapfix: .*crash\.bin is a binary file, not a log$/);
  });

  it('a missing file: one line, exit 2', () => {
    const run = runCli(['triage', '/nonexistent/crash.log']);
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/^gomapfix: cannot read \/nonexistent\/crash\.log: /);
  });

  it('a log with no map race: one line, exit 0', () => {
    const run = runCli(['triage', join(LOGS, 'no-map-race.log'), '--root', CRASH]);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim()).toMatch(/^gomapfix: no concurrent map error or data race report in .*no-map-race\.log$/);
  });

  it('a log from another repository: says nothing could be placed, exit 2', () => {
    const run = runCli(['triage', join(LOGS, 'fatal-go126-writes.log'), '--root', join(TRIAGE, 'missed-by-scan')]);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/none of the 1 report .* could be placed .*is --root the repository the log comes from\?/);
  });

  it('--root that does not exist: one line, exit 2', () => {
    const run = runCli(['triage', join(LOGS, 'fatal-go126-writes.log'), '--root', '/nonexistent/repo']);
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toMatch(/^gomapfix: --root \/nonexistent\/repo: /);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('without --root, the repository is the current directory', () => {
    const run = runCli(['triage', join(LOGS, 'fatal-go126-writes.log')], { cwd: CRASH });
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('confirmed: sessions (package-var, declared main.go:11)');
  });

  it('--write without --fix is a usage error', () => {
    const run = runCli(['triage', join(LOGS, 'fatal-go126-writes.log'), '--write']);
    expect(run.status).toBe(2);
    expect(run.stderr.trim()).toBe('gomapfix: --write applies the fixes of --fix: use triage --fix --write');
  });
});

describe('gomapfix triage --fix', () => {
  it('previews the fix of a confirmed map and writes nothing', () => {
    const root = repoOf(FIX('concurrent-map-write/go-func-in-loop-local-map'));
    const before = readFileSync(join(root, 'input.go'), 'utf8');
    const run = runCli(['triage', join(LOGS, 'race-go126-go-func-in-loop-local-map.log'), '--root', root, '--fix']);
    expect(run.status).toBe(1);
    expect(run.stdout).toMatch(/^# fix [0-9a-f]{16}: input\.go:\d+ concurrent-map-write on counts/m);
    expect(run.stdout).toContain('+++ b/input.go');
    expect(readFileSync(join(root, 'input.go'), 'utf8')).toBe(before);
  });

  it('--format json: the plan holds a finding made from the report for a map the scan missed', () => {
    const root = repoOf(join(TRIAGE, 'missed-by-scan'));
    const { status, out } = triageJson([join(LOGS, 'race-go126-missed-by-scan.log'), '--root', root, '--fix']);
    expect(status).toBe(1);
    const plan = out.plan as unknown as { findings: { id: string; rule: string; evidence: { kind: string; file: string; line: number }[] }[]; fixes: { findingId: string; transform: string }[] };
    expect(out.confirmed[0]!.static.found).toBe(false);
    expect(plan.findings).toHaveLength(1);
    expect(plan.findings[0]).toMatchObject({ id: (out.confirmed[0] as unknown as { id: string }).id, rule: 'concurrent-map-write' });
    expect(plan.findings[0]!.evidence).toContainEqual(expect.objectContaining({ kind: 'access', file: 'inventory.go', line: 17 }));
    expect(plan.findings[0]!.evidence).toContainEqual(expect.objectContaining({ kind: 'context', file: 'race_test.go', line: 15 }));
    expect(plan.fixes.map((f) => f.transform)).toEqual(['mutex-wrap']);
  });

  // The two fixture races the scan misses (a //gomapfix:ignore, goroutines only in an external
  // test package): the report is the evidence, and go test -race proves the fix.
  for (const [name, dir, log] of [
    ['ignore-comment-suppresses', FIX('negative/ignore-comment-suppresses'), 'race-go119-ignore-comment-suppresses.log'],
    ['missed-by-scan', join(TRIAGE, 'missed-by-scan'), 'race-go126-missed-by-scan.log'],
  ] as const) {
    it(`--write --verify --race fixes ${name}, which the scan does not report`, () => {
      const root = repoOf(dir);
      expect(runCli(['scan', root]).status).toBe(0);
      const run = runCli(['triage', join(LOGS, log), '--root', root, '--fix', '--write', '--verify', '--race'], { timeoutMs: 600_000 });
      expect(run.stderr).toMatch(/go test -race passed/);
      expect(run.status).toBe(0);
      const race = spawnSync('nice', ['-n', '10', 'go', 'test', '-race', '-count=3', '.'], { cwd: root, encoding: 'utf8', env: { ...process.env, GOTOOLCHAIN: 'local' } });
      expect(race.stdout + race.stderr).not.toContain('DATA RACE');
      expect(race.status).toBe(0);
    });
  }
});

describe('gomapfix triage: logs made now by the installed Go runtimes', () => {
  const runtimes: [string, string | null][] = [
    ['Go 1.26', GO.go126],
    ['Go 1.19', GO.go119],
  ];
  for (const [label, bin] of runtimes) {
    it.skipIf(!bin)(`${label}: fatal error: concurrent map writes, and a -race report, placed on their maps`, () => {
      const crash = repoOf(CRASH);
      const env = { ...process.env, GOTOOLCHAIN: 'local' };
      const fatal = spawnSync('nice', ['-n', '10', bin!, 'run', '.', 'writes'], { cwd: crash, encoding: 'utf8', env, timeout: 240_000 });
      const log = join(crash, 'crash.log');
      writeFileSync(log, fatal.stdout + fatal.stderr);
      const a = triageJson([log, '--root', crash]);
      expect(a.status).toBe(1);
      expect(a.out.confirmed.map((m) => m.map.name)).toEqual(['sessions']);
      expect(a.out.confirmed[0]!.reports[0]!.sites[0]).toMatchObject({ file: 'main.go', line: 35, access: 'write' });

      const race = spawnSync('nice', ['-n', '10', bin!, 'run', '-race', '.', 'field'], { cwd: crash, encoding: 'utf8', env, timeout: 240_000 });
      writeFileSync(log, race.stdout + race.stderr);
      const b = triageJson([log, '--root', crash]);
      expect(b.status).toBe(1);
      expect(b.out.confirmed.map((m) => m.map.name)).toEqual(['stats.seen']);
      expect(b.out.confirmed[0]!.reports[0]!.sites.map((s) => `${s.file}:${s.line}`)).toEqual(['field.go:22', 'field.go:22']);
      expect(b.out.notMapRaces.length).toBe(2);
    });
  }
});
