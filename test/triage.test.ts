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
  confirmed: {
    kind: string;
    map: { name: string; file: string; line: number };
    reports: { kind: string; sites: { file: string; line: number; access: string; goroutine: number | null; via?: string }[]; unplacedSides: string[] }[];
    static: { found: boolean; why: string | null };
  }[];
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
const CASES: { log: string; root: string; maps: Record<string, string[]>; notMap?: number; found?: boolean; via?: RegExp[] }[] = [];
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
    // A map received from a channel: `for snapshot := range in` is the map Publish sends; `m := <-ch`
    // is the package map sent on ch; `case bt := <-ch` carries a *batch whose field is the map.
    {
      log: `race-${go}-guarded-map-sent-on-channel.log`,
      root: FIX('map-escapes-lock/guarded-map-sent-on-channel'),
      maps: { 'Metrics.counters': ['input.go:21', 'input.go:36'] },
      via: [/^snapshot is received from in \(<-chan map\[string\]int64\), sent at input\.go:28 as m\.counters$/],
    },
    { log: `chanmap-${go}.log`, root: CRASH, maps: { shared: ['channel.go:38'] }, found: false, via: [/^m is received from ch \(chan map\[string\]int\), sent at channel\.go:42, channel\.go:43 as shared$/] },
    { log: `chanfield-${go}.log`, root: CRASH, maps: { 'batch.counts': ['channel.go:65'] }, found: false, via: [/^bt is received from ch \(chan \*batch\); bt\.counts is field batch\.counts/] },
    // Two local maps of one statement: both placed (their fixes, in two passes, are tested below).
    { log: `race-${go}-deferred-local.log`, root: join(TRIAGE, 'deferred-local'), maps: { counts: ['merge.go:18'], lengths: ['merge.go:18', 'merge.go:19'] } },
    // The access is in another module's helper (a module-cache frame): placed where Record hands the map to it.
    {
      log: `race-${go}-dependency-helper.log`,
      root: join(TRIAGE, 'dependency', 'svc'),
      maps: { 'Hits.byPath': ['hits.go:20'] },
      found: false,
      via: [/^the (?:read|write) is in example\.com\/maphelper\.Inc \(\/.*\/example\.com\/maphelper@v1\.0\.0\/counter\.go:7, outside this repository\), which example\.com\/svc\.\(\*Hits\)\.Record at this line hands h\.byPath to$/],
    },
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
  // Kept from many runs of the fixture's race test: c.left-- in (*credit).spend races with the
  // credit's initialisation in Grant; c is a value Tick ranges out of m.credits and calls spend on.
  {
    log: 'kept-go126-element-of-map-value.log',
    root: FIX('collect-then-delete/impure-condition-declines'),
    maps: { 'Meter.credits': ['input.go:27', 'input.go:34', 'input.go:11'] },
    via: [/^c is a value taken from Meter\.credits \(range at input\.go:34\), passed on at input\.go:35$/],
  },
  {
    log: 'kept-go119-element-of-map-value.log',
    root: FIX('collect-then-delete/impure-condition-declines'),
    maps: { 'Meter.credits': ['input.go:27', 'input.go:34', 'input.go:11'] },
    via: [/^c is a value taken from Meter\.credits \(range at input\.go:34\), passed on at input\.go:35$/],
  },
  // j.done = true (Finish) and j.done read while pruning race with the job's initialisation in Add.
  {
    log: 'kept-go126-element-field-write.log',
    root: FIX('collect-then-delete/deletefunc-under-held-lock-go122'),
    maps: { 'Queue.jobs': ['input.go:24', 'input.go:32', 'input.go:33', 'input.go:54', 'input.go:55'] },
    via: [/^j is a value taken from Queue\.jobs \(read at input\.go:32\)$/, /^j is a value taken from Queue\.jobs \(range at input\.go:54\)$/],
  },
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
        // No side of a report is left unplaced.
        for (const r of m.reports) expect(r.unplacedSides).toEqual([]);
      }
      const vias = out.confirmed.flatMap((m) => m.reports.flatMap((r) => r.sites.map((s) => s.via).filter((v): v is string => !!v)));
      for (const re of c.via ?? []) expect(vias.some((v) => re.test(v)), `${re} in ${JSON.stringify(vias)}`).toBe(true);
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
    // Another module's file in the module cache is a dependency, even when the repository has a file of that name.
    expect(placeFrame({ func: 'x', file: '/root/go/pkg/mod/example.com/helper@v0.3.0/internal/cache/cache.go', line: 1 }, repo)).toEqual({
      ok: false,
      reason: '/root/go/pkg/mod/example.com/helper@v0.3.0/internal/cache/cache.go is in module example.com/helper@v0.3.0, a dependency, not in this repository',
    });
    expect(placeFrame({ func: 'x', file: '/root/go/pkg/mod/example.com/!s!v!c@v1.0.0/main.go', line: 1 }, { ...repo, modulePaths: new Set(['example.com/SVC']) })).toEqual({ ok: true, rel: 'main.go' });
  });

  // Why the scan missed each map it did not report, on the captured logs: the reason names what
  // the case shows (read the fixture: the comment, the external test package, the channel, the helper).
  it('says why the scan missed a confirmed map, true to each case', () => {
    const why = (log: string, root: string) => {
      const { out } = triageJson([join(LOGS, log), '--root', repoOf(root)]);
      expect(out.confirmed).toHaveLength(1);
      expect(out.confirmed[0]!.static.found).toBe(false);
      return out.confirmed[0]!.static.why!;
    };
    expect(why('race-go126-ignore-comment-suppresses.log', FIX('negative/ignore-comment-suppresses'))).toBe(
      'a //gomapfix:ignore comment at input.go:15 suppresses concurrent-map-write on input.go:16, a line the report shows racing (//gomapfix:ignore concurrent-map-write reason: test-only)',
    );
    expect(why('race-go119-missed-by-scan.log', join(TRIAGE, 'missed-by-scan'))).toBe(
      'no goroutine in package inventory reaches its accesses: the racing goroutines are started at race_test.go:15 (example.com/inventory_test.TestConcurrentAdds), in package inventory_test, which the scan analyses on its own',
    );
    expect(why('chanmap-go126.log', CRASH)).toBe(
      'the racing access at channel.go:38 reaches shared through a value received from a channel, which the scan does not follow back to what was sent; the accesses it does see, channel.go:42 (send), channel.go:43 (send), do not race with each other',
    );
    expect(why('chanfield-go119.log', CRASH)).toBe('the scan saw no access of batch.counts: the racing access at channel.go:65 reaches it through a value received from a channel, which the scan does not follow back to what was sent');
    expect(why('race-go126-dependency-helper.log', join(TRIAGE, 'dependency', 'svc'))).toBe(
      'the racing write happens in example.com/maphelper.Inc, which the scan does not read (it analyses this repository only): at hits.go:20 it sees Hits.byPath only passed to a call, so it knows no write there; the accesses it does see, hits.go:20 (passed to a call), hits.go:25 (read), do not race with each other',
    );
  });

  it('a channel whose maps cannot be told apart: the side is not placed, and the report says why', () => {
    const dir = tempTree({
      'go.mod': 'module example.com/two\n\ngo 1.19\n',
      'two.go': 'package two\n\nvar a = map[string]int{}\nvar b = map[string]int{}\n\nfunc Send(ch chan map[string]int) {\n\tch <- a\n\tch <- b\n}\n\nfunc Use(ch chan map[string]int) {\n\tm := <-ch\n\tm["k"] = 1\n\ta["k"] = 2\n}\n',
      'race.log':
        'WARNING: DATA RACE\nWrite at 0x00c000012345 by goroutine 8:\n  runtime.mapassign_faststr()\n      /usr/local/go/src/internal/runtime/maps/runtime_faststr.go:263 +0x0\n  example.com/two.Use()\n      /build/two.go:13 +0x1\n\nPrevious write at 0x00c000012345 by goroutine 7:\n  runtime.mapassign_faststr()\n      /usr/local/go/src/internal/runtime/maps/runtime_faststr.go:263 +0x0\n  example.com/two.Use()\n      /build/two.go:14 +0x2\n==================\n',
    });
    const { out } = triageJson([join(dir, 'race.log'), '--root', dir]);
    expect(out.confirmed.map((m) => m.map.name)).toEqual(['a']);
    expect(out.confirmed[0]!.reports[0]!.unplacedSides).toEqual([
      'two.go:13: m is received from ch (chan map[string]int); the package sends 2 maps of type map[string]int on channels, a (two.go:7), b (two.go:8): which one arrived is not in the report',
    ]);
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

  it("uses gomapfix.json's fix.strategy (sync-map here, which declines the counter), and its rules turned off do not hide a map the log proves racy", () => {
    const root = repoOf(FIX('concurrent-map-write/go-func-in-loop-local-map'));
    const log = join(LOGS, 'race-go126-go-func-in-loop-local-map.log');
    const auto = triageJson([log, '--root', root, '--fix']);
    expect((auto.out.plan as unknown as { fixes: { transform: string }[] }).fixes.map((f) => f.transform)).toEqual(['mutex-wrap']);
    writeFileSync(join(root, 'gomapfix.json'), JSON.stringify({ rules: { 'concurrent-map-write': false }, fix: { strategy: 'sync-map' } }));
    const configured = triageJson([log, '--root', root, '--fix']);
    expect(configured.status).toBe(1);
    // sync-map was tried (and declines the counter with its reason) on the map the log confirms.
    const plan = configured.out.plan as unknown as { fixes: unknown[]; declined: { transform: string; reason: string }[] };
    expect(plan.fixes).toEqual([]);
    expect(plan.declined.map((d) => [d.transform, d.reason])).toEqual([['sync-map', expect.stringMatching(/^counts\[strings\.ToLower\(w\)\]\+\+ at input\.go:18 is a read-modify-write/)]]);
  });

  it('says which confirmed map it cannot fix and why, instead of dropping it (a field reached only through received values)', () => {
    const root = repoOf(CRASH);
    const run = runCli(['triage', join(LOGS, 'chanfield-go126.log'), '--root', root, '--fix']);
    expect(run.status).toBe(1);
    expect(run.stdout).not.toContain('nothing to fix');
    expect(run.stdout).toMatch(/^# not fixed: batch\.counts \(declared channel\.go:48\): the analysis has no access of batch\.counts that a transform could rewrite \(the racing access at channel\.go:65 reaches it through a value received from a channel/m);
    const { out } = triageJson([join(LOGS, 'chanfield-go126.log'), '--root', root, '--fix']);
    expect((out as unknown as { unfixed: { map: string; declared: string }[] }).unfixed).toEqual([expect.objectContaining({ map: 'batch.counts', declared: 'channel.go:48' })]);
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

describe('gomapfix triage --fix: a confirmed local map re-planned in a second pass', () => {
  // counts and lengths are locals touched by one statement: their fixes overlap, lengths' is
  // deferred, and in the second pass its declaration has moved (the first fix inserted a mutex
  // above it). It is found again by function and name, planned, written and proven.
  it('plans both local maps, the second in pass 2, and go test -race passes on the result', () => {
    const root = repoOf(join(TRIAGE, 'deferred-local'));
    const log = join(LOGS, 'race-go126-deferred-local.log');
    const { status, out } = triageJson([log, '--root', root, '--fix', '--include-review']);
    expect(status).toBe(1);
    const plan = out.plan as unknown as { fixes: { findingId: string; pass: number; transform: string }[]; conflicts: unknown[] };
    expect(plan.conflicts).toEqual([]);
    expect(plan.fixes.map((f) => f.pass).sort()).toEqual([1, 2]);
    const run = runCli(['triage', log, '--root', root, '--fix', '--include-review', '--write', '--verify', '--race'], { timeoutMs: 600_000 });
    expect(run.stderr).toMatch(/go test -race passed/);
    expect(run.status).toBe(0);
    const after = readFileSync(join(root, 'merge.go'), 'utf8');
    expect(after).toContain('var countsMu sync.Mutex');
    expect(after).toContain('var lengthsMu sync.RWMutex');
    const race = spawnSync('nice', ['-n', '10', 'go', 'test', '-race', '-count=3', '.'], { cwd: root, encoding: 'utf8', env: { ...process.env, GOTOOLCHAIN: 'local' } });
    expect(race.stdout + race.stderr).not.toContain('DATA RACE');
    expect(race.status).toBe(0);
  });
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
