// The prompt flows of `gomapfix review`, driven key by key on @inquirer/testing's screen, over
// copies of examples/demo (real tree-sitter, real planner, real files written).
import { describe, expect, it } from 'vitest';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { ReviewDriver, copyOf } from './helpers/review-screen.js';
import { screen } from '@inquirer/testing/vitest';
import { processTerminal } from '../src/cli/review/command.js';
import { REPO } from './helpers/cli.js';

const DEMO = join(REPO, 'examples', 'demo');
const REPLAN = join(REPO, 'test', 'fixtures-review', 'replan');
const RESOLVED = join(REPO, 'test', 'fixtures-review', 'resolved');
const DEADLOCK = join(REPO, 'test', 'fixtures-review', 'deadlock');
const T = 60_000;

const decisions = (dir: string) => JSON.parse(readFileSync(join(dir, '.gomapfix', 'review.json'), 'utf8')).decisions as { map: string; answer: string; reason?: string; findings: string[] }[];
const read = (dir: string, f: string) => readFileSync(join(dir, f), 'utf8');
const goOk = (dir: string, ...args: string[]) => {
  const r = spawnSync('go', args, { cwd: dir, encoding: 'utf8', env: { ...process.env, GOFLAGS: '-mod=mod' } });
  return r.status === 0 ? 'ok' : r.stderr + r.stdout;
};

describe('review: one decision per map', () => {
  it('y accepts, n skips (the Enter default), and nothing is written until the final confirm', async () => {
    const dir = copyOf(DEMO);
    const before = { cache: read(dir, 'cache.go'), health: read(dir, 'health.go') };
    const d = new ReviewDriver();
    await d.start({ cwd: dir });
    // Cache.items is reported twice (unguarded access, escape) and asked once.
    expect(d.steps[0]!.screen).toMatch(/\[1\/5\] unguarded-map-access, map-escapes-lock · Cache\.items · cache\.go:46 · 4 more after this/);
    expect(d.steps[0]!.screen).toContain('+\tc.mu.Lock()');
    expect(d.steps[0]!.screen).toMatch(/Apply this fix to Cache\.items\? \[y,n\*,a,i,e,v,u,A,q,\?\]$/);
    await d.press('y');
    expect(read(dir, 'cache.go')).toBe(before.cache);
    // Saved at once, before the review ends.
    expect(decisions(dir).map((x) => `${x.map}:${x.answer}`)).toEqual(['Cache.items:accept']);
    await d.press('enter'); // lastCheck: Enter is n
    // visitors' only fix needs review: without --include-review it is passed over, said so.
    expect(d.output).toContain('[3/5] visitors: its fix needs review; pass --include-review to review it here');
    await d.press('n');
    const last = await d.press('n');
    expect(last).toContain('1 accepted, 3 skipped, 0 ignored, 1 not decided; 2 files to change: cache.go, gomapfix_helpers.go');
    expect(last).toMatch(/Write 2 files\? \(y\/N\)/);
    expect(read(dir, 'cache.go')).toBe(before.cache);
    await d.press({ type: 'y' });
    await d.done;
    expect(d.code).toBe(1); // skipped maps remain
    expect(d.output).toContain('wrote 2 files: cache.go, gomapfix_helpers.go');
    expect(read(dir, 'cache.go')).toContain('\tc.mu.Lock()\n\tdefer c.mu.Unlock()\n\tdelete(c.items, key)');
    expect(read(dir, 'cache.go')).toContain('return cloneMap(c.items)');
    expect(read(dir, 'gomapfix_helpers.go')).toContain('func cloneMap');
    expect(read(dir, 'health.go')).toBe(before.health);
    expect(decisions(dir).map((x) => `${x.map}:${x.answer}`)).toEqual(['Cache.items:accept', 'lastCheck:skip', 'statuses:skip', 'sessions:skip']);
    expect(goOk(dir, 'vet', '.')).toBe('ok');
  }, T);

  it('answering no at the final confirm writes nothing and keeps the decisions', async () => {
    const dir = copyOf(DEMO);
    const before = read(dir, 'cache.go');
    const d = new ReviewDriver();
    await d.start({ cwd: dir });
    for (const k of ['y', 'n', 'n', 'n']) await d.press(k);
    await d.press('enter');
    await d.done;
    expect(d.code).toBe(1);
    expect(d.output).toContain('nothing written; decisions kept in .gomapfix/review.json (gomapfix review --resume)');
    expect(read(dir, 'cache.go')).toBe(before);
    expect(existsSync(join(dir, 'gomapfix_helpers.go'))).toBe(false);
    expect(decisions(dir)[0]).toMatchObject({ map: 'Cache.items', answer: 'accept' });
  }, T);

  it("reads gomapfix.json as fix does: an excluded file's map is not asked, fix.style chooses the proposal", async () => {
    const dir = copyOf(DEMO);
    writeFileSync(join(dir, 'gomapfix.json'), JSON.stringify({ exclude: ['cache.go'], fix: { strategy: 'mutex-wrap', style: 'wrapper' } }));
    const d = new ReviewDriver();
    await d.start({ cwd: dir, strategy: undefined });
    expect(d.steps[0]!.screen).not.toContain('Cache.items');
    expect(d.steps[0]!.screen).toMatch(/^\[1\/4\] concurrent-map-write · lastCheck · health\.go:19/m);
    // auto would guard it with a new mutex beside it; the configuration asks for the wrapper type.
    expect(d.steps[0]!.screen).toContain('fix [safe] mutex-wrap (wrapper): lastCheck becomes lockedMap[int, string]');
    await d.press('q');
    await d.press({ type: 'discard' });
    await d.done;
  }, T);

  it('-C sets the lines of context around each change', async () => {
    const d = new ReviewDriver();
    await d.start({ cwd: copyOf(DEMO), context: 0 });
    const none = d.steps[0]!.screen;
    expect(none).toContain('+\tc.mu.Lock()');
    expect(none).not.toContain(' // Delete removes key.');
    expect(none).toMatch(/@@ -45,0 \+46,2 @@/);
    const wide = new ReviewDriver();
    await wide.start({ cwd: copyOf(DEMO), context: 6 });
    expect(wide.steps[0]!.screen).toContain(' // Delete removes key.');
    expect(wide.steps[0]!.screen).toMatch(/@@ -40,20 \+40,22 @@/); // the two changes now share one hunk
  }, T);

  it('? shows what each key does; an unknown key says so', async () => {
    const d = new ReviewDriver();
    await d.start({ cwd: copyOf(DEMO) });
    const help = await d.press('?');
    expect(help).toContain('a - choose another transform (each with its diff, or why it declines)');
    expect(help).toContain('n - skip this map (decide later; nothing changes) (Enter)');
    expect(await d.press('x')).toContain('x is not one of the keys; ? lists them');
  }, T);

  it('a lists every transform with its diff or its reason to decline, and proposes the one chosen', async () => {
    const dir = copyOf(DEMO);
    const d = new ReviewDriver();
    await d.start({ cwd: dir });
    await d.press('n');
    const list = await d.press('a');
    for (const t of ['auto (shown above)', 'mutex-wrap (inline)', 'mutex-wrap (wrapper)', 'sync-map', 'snapshot-copy', 'collect-then-delete']) expect(list).toContain(`── ${t}`);
    expect(list).toMatch(/── snapshot-copy\n {2}declines: /);
    expect(list).toContain('+var lastCheckMu sync.RWMutex // guards lastCheck');
    expect(list).toContain('Use which transform?');
    const again = await d.press({ type: 'mutex-wrap (i' });
    expect(again).toContain('[2/5] concurrent-map-write · lastCheck');
    expect(again).toContain('fix [safe] mutex-wrap (inline): guard lastCheck with a new sync.RWMutex lastCheckMu');
    await d.press('y');
    await d.press('q');
    await d.press({ type: 'write' });
    await d.done;
    expect(read(dir, 'health.go')).toContain('var lastCheckMu sync.RWMutex // guards lastCheck');
    expect(decisions(dir).find((x) => x.map === 'lastCheck')).toMatchObject({ answer: 'accept', choice: { strategy: 'mutex-wrap', style: 'inline' } });
    expect(goOk(dir, 'vet', '.')).toBe('ok');
  }, T);

  it('i asks the reason and adds //gomapfix:ignore <rule> <reason> above each reported line', async () => {
    const dir = copyOf(DEMO);
    const d = new ReviewDriver();
    await d.start({ cwd: dir });
    for (const k of ['n', 'n', 'n']) await d.press(k);
    expect(await d.press('i')).toContain('Why is this map safe to leave as it is?');
    await d.press({ type: 'sessions are per test run' });
    await d.press({ type: 'y' });
    await d.done;
    expect(read(dir, 'sessions.go')).toContain('\t//gomapfix:ignore concurrent-map-write sessions are per test run\n\tsessions[token] = ');
    expect(decisions(dir).find((x) => x.map === 'sessions')).toMatchObject({ answer: 'ignore', reason: 'sessions are per test run' });
    const scan = spawnSync('node', [join(REPO, 'dist/src/cli/main.js'), 'scan', '--format', 'json', '.'], { cwd: dir, encoding: 'utf8' });
    expect(JSON.parse(scan.stdout).findings.map((f: { map: { name: string } }) => f.map.name)).not.toContain('sessions');
  }, T);

  it('e opens the result in $EDITOR; an edit that no longer parses is refused with the error, a good one is taken', async () => {
    const dir = copyOf(DEMO);
    const broken = join(dir, '..', `${Math.random().toString(36).slice(2)}-broken.sh`);
    writeFileSync(broken, '#!/bin/sh\nprintf "func broken( {\\n" >> "$1"\n');
    const good = join(dir, '..', `${Math.random().toString(36).slice(2)}-good.sh`);
    // Edits the fix and adds a comment gofmt re-indents.
    writeFileSync(good, '#!/bin/sh\nsed -i -e "s/defer c.mu.Unlock()/defer c.mu.Unlock() \\/\\/ edited in review/" -e "s/^\\tdelete(c.items, key)/      \\/\\/ reviewed\\n\\tdelete(c.items, key)/" "$1"\n');
    chmodSync(broken, 0o755);
    chmodSync(good, 0o755);
    const d = new ReviewDriver();
    d.term.editor = broken;
    await d.start({ cwd: dir });
    const refused = await d.press('e');
    expect(refused).toMatch(/edit refused: cache\.go: the rewritten file would not parse \(\d+:\d+: /);
    expect(refused).toMatch(/Apply this fix to Cache\.items\?/);
    d.term.editor = good;
    await d.press('e');
    await d.press('q');
    await d.press({ type: 'write' });
    await d.done;
    expect(read(dir, 'cache.go')).toContain('\tc.mu.Lock()\n\tdefer c.mu.Unlock() // edited in review\n\t// reviewed\n\tdelete(c.items, key)');
    expect(decisions(dir)[0]).toMatchObject({ answer: 'edit' });
    expect(goOk(dir, 'vet', '.')).toBe('ok');
  }, T);

  it('u undoes the last decision: the map is asked again and the working copy is as before', async () => {
    const dir = copyOf(DEMO);
    const d = new ReviewDriver();
    await d.start({ cwd: dir });
    await d.press('y');
    const back = await d.press('u');
    expect(back).toContain('undone: accept on Cache.items');
    expect(back).toContain('[1/5] unguarded-map-access, map-escapes-lock · Cache.items');
    expect(decisions(dir)).toEqual([]);
    await d.press('n');
    await d.press('y'); // lastCheck
    await d.press('q');
    await d.press({ type: 'write' });
    await d.done;
    expect(read(dir, 'cache.go')).not.toContain('cloneMap');
    expect(read(dir, 'health.go')).toContain('var lastCheck sync.Map');
    expect(decisions(dir).map((x) => `${x.map}:${x.answer}`)).toEqual(['Cache.items:skip', 'lastCheck:accept']);
  }, T);

  it('A accepts this fix and every remaining fix of the same transform; two fixes in one file still merge', async () => {
    const dir = copyOf(DEMO);
    const d = new ReviewDriver();
    await d.start({ cwd: dir, strategy: 'mutex-wrap', style: 'inline' });
    await d.press('n'); // Cache.items
    const all = await d.press('A'); // lastCheck, then every other mutex-wrap fix
    expect(all).toContain('[4/5] statuses: accepted (A: every mutex-wrap fix)');
    expect(all).toContain('[5/5] sessions: accepted (A: every mutex-wrap fix)');
    await d.press({ type: 'y' });
    await d.done;
    expect(read(dir, 'health.go')).toContain('lastCheckMu');
    expect(read(dir, 'metrics.go')).toContain('statusesMu');
    expect(read(dir, 'sessions.go')).toContain('sessionsMu');
    expect(goOk(dir, 'vet', '.')).toBe('ok');
    expect(goOk(dir, 'build', '-o', '/dev/null', '.')).toBe('ok');
  }, T);

  it('q keeps the decisions; --resume replays them, asks again a map whose code changed; without it the file is not discarded', async () => {
    const dir = copyOf(DEMO);
    const d = new ReviewDriver();
    await d.start({ cwd: dir });
    await d.press('y'); // Cache.items
    await d.press('n'); // lastCheck
    await d.press('n'); // statuses
    await d.press('q');
    await d.press({ type: 'keep' });
    await d.done;
    expect(d.code).toBe(1);
    expect(d.output).toContain('decisions kept in .gomapfix/review.json; gomapfix review --resume continues');
    expect(decisions(dir).map((x) => `${x.map}:${x.answer}`)).toEqual(['Cache.items:accept', 'lastCheck:skip', 'statuses:skip']);

    await expect(new ReviewDriver().start({ cwd: dir })).rejects.toThrow('.gomapfix/review.json holds the decisions of an earlier review: --resume continues it, --reset starts over');

    // The code of statuses changes: its fix changes, so it is asked again.
    writeFileSync(join(dir, 'metrics.go'), read(dir, 'metrics.go').replace('statuses[0]++', 'statuses[0] += 1'));
    const r = new ReviewDriver();
    await r.start({ cwd: dir, resume: true });
    expect(r.output).toContain('resuming: 3 earlier decisions in .gomapfix/review.json');
    expect(r.output).toContain('[1/5] Cache.items: accept (decided earlier)');
    expect(r.output).toContain('[2/5] lastCheck: skip (decided earlier)');
    expect(r.steps[0]!.screen).toContain('[4/5] concurrent-map-write · statuses');
    expect(r.steps[0]!.screen).toContain('the code changed since you answered skip here: asked again');
    await r.press('n');
    await r.press('n'); // sessions
    await r.press({ type: 'y' });
    await r.done;
    expect(read(dir, 'cache.go')).toContain('return cloneMap(c.items)');

    // --reset starts over: nothing is replayed.
    const s = new ReviewDriver();
    await s.start({ cwd: dir, reset: true });
    expect(s.output).not.toContain('decided earlier');
    expect(s.steps[0]!.screen).toContain('[1/4] concurrent-map-write · lastCheck');
  }, T);

  it('--resume replays an ignore (with its reason) and an edit (with its text)', async () => {
    const dir = copyOf(DEMO);
    const editor = join(dir, '..', `${Math.random().toString(36).slice(2)}-ed.sh`);
    writeFileSync(editor, '#!/bin/sh\nsed -i "s/defer c.mu.Unlock()/defer c.mu.Unlock() \\/\\/ kept across resume/" "$1"\n');
    chmodSync(editor, 0o755);
    const d = new ReviewDriver();
    d.term.editor = editor;
    await d.start({ cwd: dir });
    await d.press('e');
    await d.press('i');
    await d.press({ type: 'probes never overlap here' });
    await d.press('q');
    await d.press({ type: 'keep' });
    await d.done;
    const r = new ReviewDriver();
    r.term.editor = 'false'; // never run: the edit is replayed from the decisions file
    await r.start({ cwd: dir, resume: true });
    expect(r.output).toContain('[1/5] Cache.items: edit (decided earlier)');
    expect(r.output).toContain('[2/5] lastCheck: ignore (decided earlier)');
    await r.press('q');
    await r.press({ type: 'write' });
    await r.done;
    expect(read(dir, 'cache.go')).toContain('defer c.mu.Unlock() // kept across resume');
    expect(read(dir, 'health.go')).toContain('//gomapfix:ignore concurrent-map-write probes never overlap here');
    expect(goOk(dir, 'vet', '.')).toBe('ok');
  }, T);

  it('after an accept the next fix is re-planned on the result (here: it now needs review, and says what to check)', async () => {
    // Alone, sizes gets a safe new mutex. Once hits' fix holds hitsMu around len(sizes), the
    // fix for sizes would take sizesMu inside hitsMu: it says to check the lock order.
    const alone = new ReviewDriver();
    await alone.start({ cwd: copyOf(REPLAN), strategy: 'mutex-wrap', style: 'inline', includeReview: true });
    const second = await alone.press('n');
    expect(second).toContain('fix [safe] mutex-wrap (inline): guard sizes with a new sync.RWMutex sizesMu');
    expect(second).not.toContain('hitsMu');

    const dir = copyOf(REPLAN);
    const d = new ReviewDriver();
    await d.start({ cwd: dir, strategy: 'mutex-wrap', style: 'inline', includeReview: true });
    const replanned = await d.press('y');
    expect(replanned).toContain('fix [review] mutex-wrap (inline): guard sizes');
    expect(replanned).toContain('check: main.go:12 already holds another lock; check the lock order');
    expect(replanned).toContain(' \thitsMu.Lock()\n \tdefer hitsMu.Unlock()\n+\tsizesMu.RLock()\n \thits[k] = len(sizes)');
    await d.press('y');
    await d.press({ type: 'y' });
    await d.done;
    expect(d.code).toBe(0);
    expect(existsSync(join(dir, '.gomapfix', 'review.json'))).toBe(false); // every map decided and written
    expect(read(dir, 'main.go')).toContain('var sizesMu sync.RWMutex // guards sizes');
    expect(goOk(dir, 'vet', '.')).toBe('ok');
    expect(goOk(dir, 'run', '-race', '.')).toBe('ok');
  }, T);

  it('a fix an earlier accept invalidates says why and offers the alternatives (here: it would now deadlock)', async () => {
    // Alone, Store.ages gets s.mu taken inside label(). Once the fix for Store.names holds s.mu
    // around `s.names[k] = s.label(k)`, that lock would deadlock: the fix declines and says so.
    const dir = copyOf(DEADLOCK);
    const d = new ReviewDriver();
    await d.start({ cwd: dir });
    const second = await d.press('y');
    expect(second).toContain('[2/2] unguarded-map-access · Store.ages');
    expect(second).toContain('mutex-wrap (inline) declines: label is called with Store.mu held (main.go:22); locking inside it would deadlock');
    expect(second).toMatch(/Skip Store\.ages\? \[n\*,a,i,v,u,q,\?\]$/);
    const list = await d.press('a');
    expect(list).toContain('── mutex-wrap (wrapper)');
    expect(list).toContain('+\ts.ages.Update(k, func(old int) int { return old + 1 })');
    const wrapper = await d.press({ type: 'mutex-wrap (w' });
    expect(wrapper).toContain('fix [safe] mutex-wrap (wrapper)');
    await d.press('y');
    await d.press({ type: 'y' });
    await d.done;
    expect(d.code).toBe(0);
    expect(read(dir, 'main.go')).toContain('ages  lockedMap[int, int]');
    expect(goOk(dir, 'vet', '.')).toBe('ok');
    // Runs to the end: no deadlock, and no race left.
    expect(goOk(dir, 'run', '-race', '.')).toBe('ok');
  }, T);

  it('a map whose findings an accepted fix resolved is not asked, and says so', async () => {
    // hits' fix locks the whole of record(), where every access of sizes is: sizes is then
    // consistently locked, and the separate mutex `fix` would add for it is not proposed.
    const dir = copyOf(RESOLVED);
    const d = new ReviewDriver();
    await d.start({ cwd: dir, strategy: 'mutex-wrap', style: 'inline' });
    expect(d.steps[0]!.screen).toContain('2 maps to review (2 findings)');
    const after = await d.press('y');
    expect(after).toContain('[2/2] sizes: resolved by a fix accepted earlier in this review');
    expect(after).toContain('1 accepted, 0 skipped, 0 ignored, 1 resolved by another fix; 1 file to change: main.go');
    await d.press({ type: 'y' });
    await d.done;
    expect(d.code).toBe(0);
    expect(existsSync(join(dir, '.gomapfix', 'review.json'))).toBe(false);
    expect(read(dir, 'main.go')).toContain('hitsMu');
    expect(read(dir, 'main.go')).not.toContain('sizesMu');
    expect(goOk(dir, 'run', '-race', '.')).toBe('ok');
  }, T);

  it('nothing to review: no findings exits 0; Go files none of which parse exit 2, saying so', async () => {
    const clean = copyOf(RESOLVED);
    writeFileSync(join(clean, 'main.go'), 'package main\n\nfunc main() {}\n');
    const d = new ReviewDriver();
    await d.start({ cwd: clean });
    await d.done;
    expect([d.code, d.output]).toEqual([0, 'no findings: nothing to review\n']);
    writeFileSync(join(clean, 'main.go'), 'package main\n\nfunc main() {\n');
    const e = new ReviewDriver();
    await e.start({ cwd: clean });
    await e.done;
    expect(e.code).toBe(2);
    expect(e.output).toContain('gomapfix: the only Go file could not be analysed (1 syntax error); nothing was checked');
  }, T);

  it('a transform that cannot fix the map says why and offers the others', async () => {
    const d = new ReviewDriver();
    await d.start({ cwd: copyOf(DEMO), strategy: 'sync-map' });
    const first = d.steps[0]!.screen;
    expect(first).toMatch(/sync-map declines: /);
    expect(first).toContain('no fix applies with this transform: a lists the others, n skips, i ignores');
    expect(first).toMatch(/Skip Cache\.items\? \[n\*,a,i,v,u,q,\?\]$/);
  }, T);

  it('v shows every piece of evidence and the function around each reported line', async () => {
    const d = new ReviewDriver();
    await d.start({ cwd: copyOf(DEMO) });
    const v = await d.press('v');
    expect(v).toMatch(/unguarded-map-access at cache\.go:46:\d+ \(id [0-9a-f]{16}\)/);
    expect(v).toContain('cache.go:45-47');
    expect(v).toMatch(/>\s+46 {2}\tdelete\(c\.items, key\)/);
    expect(v).toMatch(/Apply this fix to Cache\.items\?/);
    expect(v).not.toContain('[1/5]'); // the map is not printed again over the evidence
    expect(await d.press('u')).toMatch(/^nothing to undo\nApply this fix to Cache\.items\?/);
  }, T);

  it('a diff taller than the screen is paged with a "more" prompt', async () => {
    const d = new ReviewDriver(20);
    await d.start({ cwd: copyOf(DEMO) });
    expect(d.steps[0]!.screen).toMatch(/-- more \(\d+ lines left\) -- \[space\*,q,\?\]$/);
    expect(d.steps[0]!.screen).toContain('[1/5] unguarded-map-access');
    let screen = d.steps[0]!.screen;
    for (let k = 0; k < 10 && !/Apply this fix/.test(screen); k++) screen = await d.press('enter');
    expect(screen).toMatch(/Apply this fix to Cache\.items\?/);
  }, T);

  it('with --verify, a written package that fails go vet is restored and reported (exit 2)', async () => {
    const dir = copyOf(DEMO);
    const before = read(dir, 'cache.go');
    const editor = join(dir, '..', `${Math.random().toString(36).slice(2)}-unused.sh`);
    // Parses and is gofmt-clean, but does not compile: go vet fails.
    writeFileSync(editor, '#!/bin/sh\nsed -i "s/^\\tdelete(c.items, key)/\\tunusedInReview := 1\\n\\tdelete(c.items, key)/" "$1"\n');
    chmodSync(editor, 0o755);
    const d = new ReviewDriver();
    d.term.editor = editor;
    await d.start({ cwd: dir, verify: true });
    await d.press('e');
    await d.press('q');
    await d.press({ type: 'write' });
    await d.done;
    expect(d.code).toBe(2);
    expect(d.output).toMatch(/verification failed in example\.com\/demo: restored 2 files/);
    expect(d.output).toContain('declared and not used: unusedInReview');
    expect(d.output).toContain('wrote 0 files, restored 2 after failed verification');
    expect(read(dir, 'cache.go')).toBe(before);
    expect(existsSync(join(dir, 'gomapfix_helpers.go'))).toBe(false);
  }, T);

  it('with $PAGER set, a long block goes to the pager instead of the "more" prompt', async () => {
    const dir = copyOf(DEMO);
    const paged = join(dir, '..', `${Math.random().toString(36).slice(2)}-paged.txt`);
    const d = new ReviewDriver(20);
    d.term.pager = `cat > '${paged}'`;
    await d.start({ cwd: dir });
    expect(d.steps[0]!.screen).not.toContain('-- more');
    expect(d.steps[0]!.screen).toMatch(/Apply this fix to Cache\.items\?/);
    const text = readFileSync(paged, 'utf8');
    expect(text).toContain('[1/5] unguarded-map-access, map-escapes-lock · Cache.items');
    expect(text).toContain('+\tc.mu.Lock()');
  }, T);

  it('never switches to the alternate screen; colours only when asked, and NO_COLOR / FORCE_COLOR decide for a terminal', async () => {
    const d = new ReviewDriver();
    d.term.color = true;
    await d.start({ cwd: copyOf(DEMO) });
    await d.press('n');
    const raw = d.printed.join('') + (await screen.getFullOutput({ raw: true }));
    expect(raw).not.toContain('\x1b[?1049h');
    expect(d.printed.join('')).toContain('\x1b[32m+\tc.mu.Lock()');
    const plain = new ReviewDriver();
    await plain.start({ cwd: copyOf(DEMO) });
    expect(plain.printed.join('')).not.toMatch(/\x1b\[/);

    const env = { NO_COLOR: process.env.NO_COLOR, FORCE_COLOR: process.env.FORCE_COLOR };
    try {
      delete process.env.NO_COLOR;
      process.env.FORCE_COLOR = '1';
      expect(processTerminal().color).toBe(true);
      process.env.NO_COLOR = '1';
      expect(processTerminal().color).toBe(false);
    } finally {
      for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k]; else process.env[k] = v;
    }
  }, T);
});
