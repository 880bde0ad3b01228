// `gomapfix review --from-log`: the built CLI in a real pseudo-terminal (tmux), over a scratch
// copy of examples/demo whose race test's real `go test -race` log confirms two of its five maps;
// review asks about those two only.
import { afterEach, describe, expect, it } from 'vitest';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { CLI, REPO, assertBuilt, runCli } from './helpers/cli.js';
import { copyOf } from './helpers/review-screen.js';
import { TmuxTerminal, hasTmux } from './helpers/tmux.js';

const DEMO = join(REPO, 'examples', 'demo');
const RACE_TEST = join(REPO, 'test', 'fixtures-review', 'demo-race', 'demo_race_test.go');
const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

let open: TmuxTerminal[] = [];
afterEach(() => {
  for (const t of open) t.kill();
  open = [];
});

describe.skipIf(!hasTmux())('review --from-log in a real terminal', () => {
  it('asks only about the maps the race log confirms', async () => {
    assertBuilt();
    const dir = copyOf(DEMO);
    copyFileSync(RACE_TEST, join(dir, 'demo_race_test.go'));
    const race = spawnSync('nice', ['-n', '10', 'go', 'test', '-race', '-count=1', '.'], { cwd: dir, encoding: 'utf8', env: { ...process.env, GOTOOLCHAIN: 'local' } });
    writeFileSync(join(dir, 'race.log'), race.stdout + race.stderr);
    const triaged = JSON.parse(runCli(['triage', 'race.log', '--format', 'json'], { cwd: dir }).stdout) as { confirmed: { map: { name: string } }[] };
    const confirmed = triaged.confirmed.map((c) => c.map.name).sort();
    expect(confirmed.length).toBeGreaterThan(0);
    const t = new TmuxTerminal(`cd ${quote(dir)} && env NO_COLOR=1 PAGER= TERM=xterm-256color node ${quote(CLI)} review --from-log race.log`);
    open.push(t);
    const asked: string[] = [];
    for (let i = 0; i < confirmed.length; i++) {
      const screen = await t.waitFor(new RegExp(`Apply this fix to (\\S+)\\? \\[y,n\\*`));
      const m = [...screen.matchAll(/Apply this fix to (\S+)\? \[y,n\*/g)].pop()!;
      asked.push(m[1]!);
      t.keys('n');
      if (i < confirmed.length - 1) await t.waitFor(new RegExp(`Apply this fix to (?!${m[1]!.replace('.', '\\.')}\\?)\\S+\\? \\[y,n\\*`));
    }
    await t.waitFor(/EXIT=\d+/, 60_000);
    expect(asked.sort()).toEqual(confirmed);
    expect(t.history()).not.toMatch(/Apply this fix to (lastCheck|visitors|statuses)\?/);
  }, 180_000);

  it('a log that confirms no map: one line, nothing to review, exit 0', async () => {
    assertBuilt();
    const log = join(REPO, 'fixtures', 'triage', 'logs', 'no-map-race.log');
    const t = new TmuxTerminal(`cd ${quote(DEMO)} && env NO_COLOR=1 node ${quote(CLI)} review --from-log ${quote(log)}`);
    open.push(t);
    await t.waitFor(/EXIT=\d+/);
    const screen = t.history(); // joined: the long path wraps on the screen
    expect(screen).toMatch(/gomapfix: .*no-map-race\.log confirms no map of this repository \(0 reports; gomapfix triage .* says why\): nothing to review/);
    expect(screen).toContain('EXIT=0');
  });

  it('a confirmed map the plan cannot reach is said, not dropped', async () => {
    assertBuilt();
    const dir = copyOf(join(REPO, 'fixtures', 'triage', 'crash'));
    const log = join(REPO, 'fixtures', 'triage', 'logs', 'chanfield-go126.log');
    const t = new TmuxTerminal(`cd ${quote(dir)} && env NO_COLOR=1 PAGER= node ${quote(CLI)} review --from-log ${quote(log)}`);
    open.push(t);
    await t.waitFor(/EXIT=\d+/, 60_000);
    const screen = t.history();
    expect(screen).toMatch(/not fixed: batch\.counts \(declared channel\.go:48\): the analysis has no access of batch\.counts that a transform could rewrite/);
    expect(screen).toContain('no findings: nothing to review');
    // The confirmed map is left as it is: exit 1, as triage --fix.
    expect(screen).toContain('EXIT=1');
  });

  it('without a terminal, --from-log stops like review does: one line, exit 2', () => {
    const run = runCli(['review', '--from-log', join(REPO, 'fixtures', 'triage', 'logs', 'no-map-race.log')], { cwd: DEMO });
    expect(run.status).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
  });
});
