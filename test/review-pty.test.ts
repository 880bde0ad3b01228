// `gomapfix review` end to end: the built CLI in a real pseudo-terminal (tmux), keys typed as a
// user would, over a scratch copy of examples/demo with a race test that fails until the fixes
// are written. The written package must pass go vet, go build and go test -race.
import { afterEach, describe, expect, it } from 'vitest';
import { copyFileSync, existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { CLI, REPO, assertBuilt } from './helpers/cli.js';
import { copyOf } from './helpers/review-screen.js';
import { TmuxTerminal, hasTmux } from './helpers/tmux.js';

const DEMO = join(REPO, 'examples', 'demo');
const RACE_TEST = join(REPO, 'test', 'fixtures-review', 'demo-race', 'demo_race_test.go');
const T = 180_000;

const go = (dir: string, ...args: string[]) => spawnSync('go', args, { cwd: dir, encoding: 'utf8' });
const read = (dir: string, f: string) => readFileSync(join(dir, f), 'utf8');
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** A demo copy with the race test, proven to race before review runs. */
function racyDemo(): string {
  const dir = copyOf(DEMO);
  copyFileSync(RACE_TEST, join(dir, 'demo_race_test.go'));
  const before = go(dir, 'test', '-race', '-count=1', '.');
  expect(before.status, 'the race test must fail on the unfixed demo').not.toBe(0);
  expect(before.stdout + before.stderr).toContain('WARNING: DATA RACE');
  return dir;
}

function review(dir: string, args: string): TmuxTerminal {
  return new TmuxTerminal(`cd ${quote(dir)} && env NO_COLOR=1 PAGER= TERM=xterm-256color node ${quote(CLI)} review ${args}`);
}

let open: TmuxTerminal[] = [];
afterEach(() => {
  for (const t of open) t.kill();
  open = [];
});

describe.skipIf(!hasTmux())('review in a real terminal', () => {
  it('accepting every map, confirming, verifying with -race: the package is written and passes vet, build and test -race', async () => {
    assertBuilt();
    const dir = racyDemo();
    const t = review(dir, '--include-review --verify --race');
    open.push(t);
    // `?` as a real terminal sends it (readline gives no key name for it).
    await t.waitFor(/Apply this fix to Cache\.items\?/);
    t.keys('?');
    await t.waitFor(/A - accept this fix and every remaining fix of the same transform/);
    for (const map of ['Cache.items', 'lastCheck', 'visitors', 'statuses', 'sessions']) {
      await t.waitFor(new RegExp(`^Apply this fix to ${map.replace('.', '\\.')}\\? \\[y,n\\*,a,i,e,v,u,A,q,\\?\\] *$`, 'm'));
      t.keys('y');
    }
    await t.waitFor(/Write 6 files\? \(y\/N\)/);
    expect(read(dir, 'sessions.go')).toBe(read(DEMO, 'sessions.go')); // nothing written before the confirm
    t.keys('y', 'Enter');
    await t.waitFor(/EXIT=\d+/, 120_000);
    const end = t.history();
    expect(end).toContain('5 accepted, 0 skipped, 0 ignored; 6 files to change: cache.go, gomapfix_helpers.go, health.go, limiter.go, metrics.go, sessions.go');
    expect(end).toContain('verified 1 package (1 fixed, 0 importers): go vet, go build and go test -race passed');
    expect(end).toContain('wrote 6 files');
    expect(end).toContain('EXIT=0');
    expect(existsSync(join(dir, '.gomapfix', 'review.json'))).toBe(false); // review finished and written
    expect(read(dir, 'cache.go')).toContain('return cloneMap(c.items)');
    expect(read(dir, 'limiter.go')).toContain('visitorsMu.Lock()');
    for (const args of [['vet', '.'], ['build', '-o', '/dev/null', '.'], ['test', '-race', '-count=1', '.']]) {
      const r = go(dir, ...args);
      expect(r.status, `go ${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(0);
    }
    const again = spawnSync('node', [CLI, 'scan', '.'], { cwd: dir, encoding: 'utf8' });
    expect(again.status).toBe(0);
  }, T);

  it('Ctrl-C writes nothing and keeps the decisions; --resume continues, and the written package passes vet, build and test -race', async () => {
    assertBuilt();
    const dir = racyDemo();
    const first = review(dir, '');
    open.push(first);
    await first.waitFor(/Apply this fix to Cache\.items\?/);
    first.keys('y');
    await first.waitFor(/Apply this fix to lastCheck\?/);
    first.keys('C-c');
    const stopped = await first.waitFor(/EXIT=\d+/);
    expect(stopped).toContain('gomapfix: review interrupted: nothing written; the decisions so far are kept (gomapfix review --resume)');
    expect(stopped).toContain('EXIT=130');
    expect(read(dir, 'cache.go')).toBe(read(DEMO, 'cache.go'));
    expect(readdirSync(dir).filter((f) => !f.endsWith('.go') && f !== 'go.mod' && f !== 'README.md')).toEqual(['.gomapfix']);
    const saved = JSON.parse(read(dir, '.gomapfix/review.json'));
    expect(saved.decisions.map((d: { map: string; answer: string }) => `${d.map}:${d.answer}`)).toEqual(['Cache.items:accept']);

    const second = review(dir, '--resume');
    open.push(second);
    await second.waitFor(/Apply this fix to lastCheck\?/);
    expect(second.history()).toContain('[1/5] Cache.items: accept (decided earlier)');
    second.keys('n');
    await second.waitFor(/Apply this fix to statuses\?/);
    second.keys('n');
    await second.waitFor(/Apply this fix to sessions\?/);
    second.keys('A'); // shift+a from a real terminal: accept (and every later fix of its transform: none left)
    await second.waitFor(/Write \d+ files\? \(y\/N\)/);
    second.keys('y', 'Enter');
    await second.waitFor(/EXIT=\d+/);
    const end = second.history();
    expect(end).toContain('2 accepted, 2 skipped, 0 ignored, 1 not decided');
    expect(end).toMatch(/wrote 3 files: cache\.go, gomapfix_helpers\.go, sessions\.go/);
    expect(end).toContain('EXIT=1'); // skipped maps remain
    const kept = JSON.parse(read(dir, '.gomapfix/review.json'));
    expect(kept.decisions.map((d: { map: string; answer: string }) => `${d.map}:${d.answer}`)).toEqual(['Cache.items:accept', 'lastCheck:skip', 'statuses:skip', 'sessions:accept']);
    // The race test exercises Cache.items and sessions: both fixed, it passes.
    for (const args of [['vet', '.'], ['build', '-o', '/dev/null', '.'], ['test', '-race', '-count=1', '.']]) {
      const r = go(dir, ...args);
      expect(r.status, `go ${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(0);
    }
  }, T);

  it('without a terminal it exits 2 with one line pointing to fix', () => {
    assertBuilt();
    const r = spawnSync('node', [CLI, 'review', '.'], { cwd: copyOf(DEMO), encoding: 'utf8', input: '' });
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('gomapfix: review is interactive and needs a terminal on stdin and stdout; use gomapfix fix (preview) or gomapfix fix --write instead\n');
  });

  it('usage errors are one line and exit 2: --resume with --reset, a bad -C, --race without --verify', () => {
    assertBuilt();
    const dir = copyOf(DEMO);
    const run = (...args: string[]) => spawnSync('node', [CLI, 'review', ...args], { cwd: dir, encoding: 'utf8', input: '' });
    const both = run('--resume', '--reset');
    expect([both.status, both.stderr]).toEqual([2, "error: option '--resume' cannot be used with option '--reset'\n"]);
    const c = run('-C', 'many');
    expect([c.status, c.stderr]).toEqual([2, 'gomapfix: -C takes a number of context lines (0 to 1000), got many\n']);
    const race = run('--race');
    expect([race.status, race.stderr]).toEqual([2, 'gomapfix: --race is an option of --verify\n']);
  });
});
