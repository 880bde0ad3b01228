// Finding ids that survive unrelated edits, --baseline FILE (the scan JSON output) and
// --new-from-rev REF (git diff of REF against the working tree, in real git repositories).
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp, racy, runCli, scanJson, tempTree, writeTree, type JsonReport } from './helpers/cli.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const GOMOD = 'module example.com/m\n\ngo 1.21\n';

/** A struct map locked in Get and written without the lock in Put (unguarded-map-access), plus a racy local map in Fan. */
function source(opts: { above?: string; inPut?: string; other?: string; map?: string } = {}): string {
  const m = opts.map ?? 'items';
  return `package p

import "sync"
${opts.above ?? ''}
type Store struct {
	mu    sync.Mutex
	${m} map[string]int
}

func (s *Store) Get(k string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.${m}[k]
}

func (s *Store) Del(k string) {
	s.mu.Lock()
	delete(s.${m}, k)
	s.mu.Unlock()
}

func (s *Store) Put(k string, v int) {
${opts.inPut ?? ''}	s.${m}[k] = v
}

func ${opts.other ?? 'Helper'}() int { return 1 }

func Fan() {
	seen := map[int]int{}
	for i := 0; i < 4; i++ {
		go func(i int) {
			seen[i] = i
		}(i)
	}
}
`;
}

const ids = (report: JsonReport) => report.findings.map((f) => `${f.rule} ${f.map.name} ${f.id}`).sort();
const scanText = (text: string) => scanJson(['.'], { cwd: tempTree({ 'go.mod': GOMOD, 'p.go': text }) }).report;

describe('finding ids', () => {
  const before = scanText(source());

  it('the example has both findings', () => {
    expect(before.findings.map((f) => `${f.rule} ${f.map.name}`).sort()).toEqual(['concurrent-map-write seen', 'unguarded-map-access Store.items']);
  });

  it.each([
    ['lines inserted above the function', { above: '\n// Package p stores things.\n\nconst limit = 10\n\nvar names = []string{"a", "b"}\n' }],
    ['statements added in the same function, before the access', { inPut: '\tif k == "" {\n\t\tk = "default"\n\t}\n\tv = v * 2\n' }],
    ['an unrelated function renamed', { other: 'RenamedHelper' }],
  ])('survive %s', (_name, edit) => {
    const after = scanText(source(edit));
    // The edits move the findings (but for the rename), and the ids stay.
    if (!edit.other) expect(after.findings.map((f) => f.line)).not.toEqual(before.findings.map((f) => f.line));
    expect(ids(after)).toEqual(ids(before));
  });

  it('change when the finding changes: another map, another access, another rule', () => {
    const byRule = (r: JsonReport, rule: string) => r.findings.find((f) => f.rule === rule)!.id;
    // The same code about another map.
    const renamed = scanText(source({ map: 'entries' }));
    expect(byRule(renamed, 'unguarded-map-access')).not.toBe(byRule(before, 'unguarded-map-access'));
    expect(byRule(renamed, 'concurrent-map-write')).toBe(byRule(before, 'concurrent-map-write'));
    // Two maps written by identical code in one function: two ids.
    const twin = racy('p', 'counts', 'Run').replace('counts[i]++', 'counts[i]++\n\t\t\ttotals[i]++').replace('var counts', 'var totals = map[int]int{}\nvar counts');
    const both = scanText(twin).findings;
    expect(both.map((f) => f.map.name).sort()).toEqual(['counts', 'totals']);
    expect(new Set(both.map((f) => f.id)).size).toBe(2);
    // Another rule: the id hashes the rule first, so two rules never share an id; on this report that holds too.
    expect(new Set(before.findings.map((f) => f.id)).size).toBe(before.findings.length);
  });
});

describe('--baseline FILE', () => {
  it('findings recorded in the scan JSON output are not reported again; new ones are', () => {
    const dir = tempTree({ 'go.mod': GOMOD, 'a.go': racy('p') });
    const first = runCli(['scan', '.', '--format', 'json'], { cwd: dir });
    expect(first.status).toBe(1);
    writeFileSync(join(dir, 'baseline.json'), first.stdout);
    const again = scanJson(['.', '--baseline', 'baseline.json'], { cwd: dir });
    expect(again.report.findings).toEqual([]);
    expect(again.run.status).toBe(0);
    // Lines inserted above keep the old finding in the baseline; a new race is reported.
    writeTree(dir, { 'a.go': '// Counting.\n\n' + racy('p'), 'b.go': racy('p', 'others', 'Walk') });
    const later = scanJson(['.', '--baseline', 'baseline.json'], { cwd: dir });
    expect(later.report.findings.map((f) => `${f.file}:${f.line} ${f.map.name}`)).toEqual(['b.go:8 others']);
    expect(later.run.status).toBe(1);
    // fix takes it too: only the new finding is fixed.
    const fix = JSON.parse(runCli(['fix', '.', '--format', 'json', '--baseline', 'baseline.json'], { cwd: dir }).stdout) as { findings: { file: string }[] };
    expect(fix.findings.map((f) => f.file)).toEqual(['b.go']);
  });

  it.each([
    ['missing.json', null, /^gomapfix: --baseline missing\.json: cannot read: no such file or directory\n$/],
    ['bad.json', '{"findings": [', /^gomapfix: --baseline bad\.json: not valid JSON: .+\n$/],
    ['other.json', '{"results": []}', /^gomapfix: --baseline other\.json: expected the output of gomapfix scan --format json \(an object with a "findings" array\)\n$/],
    ['noid.json', '{"findings": [{"rule": "x"}]}', /^gomapfix: --baseline noid\.json: findings\[0\] has no "id" string\n$/],
  ])('%s is a one-line error, exit 2', (name, text, message) => {
    const dir = tempTree({ 'go.mod': GOMOD, 'a.go': racy('p'), ...(text === null ? {} : { [name]: text }) });
    const run = runCli(['scan', '.', '--baseline', name], { cwd: dir });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});

function git(dir: string, ...args: string[]): string {
  const r = spawnSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

/** A git repository with `files` committed on main. */
function repo(files: Record<string, string>): string {
  const dir = tempTree({ 'go.mod': GOMOD, ...files });
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'base');
  return dir;
}

describe('--new-from-rev REF', () => {
  it('reports only findings on lines added or changed since REF (committed, uncommitted, untracked)', () => {
    const dir = repo({ 'old.go': racy('p', 'counts', 'Run') });
    expect(scanJson(['.', '--new-from-rev', 'HEAD'], { cwd: dir }).report.findings).toEqual([]);
    // A committed change, an uncommitted one and an untracked file: all since main~0's parent view.
    writeTree(dir, { 'old.go': racy('p', 'counts', 'Run') + '\nvar hits = map[int]int{}\n\nfunc Hit() {\n\tgo func() { hits[1]++ }()\n\thits[2]++\n}\n' });
    git(dir, 'commit', '-q', '-am', 'hits');
    writeTree(dir, { 'new.go': racy('p', 'fresh', 'Fresh') });
    const { run, report } = scanJson(['.', '--new-from-rev', 'HEAD~1'], { cwd: dir });
    expect(report.findings.map((f) => `${f.file}:${f.line} ${f.map.name}`).sort()).toEqual(['new.go:8 fresh', 'old.go:16 hits']);
    expect(run.status).toBe(1);
    // Against HEAD, only the untracked file is new.
    expect(scanJson(['.', '--new-from-rev', 'HEAD'], { cwd: dir }).report.findings.map((f) => f.file)).toEqual(['new.go']);
    // Without the flag every finding is there.
    expect(scanJson(['.'], { cwd: dir }).report.findings.length).toBe(3);
  });

  it('a finding counts when a line of its evidence changed (here the go statement), not only its own line', () => {
    const dir = repo({ 'a.go': racy('p') });
    // racy() line 7 is `go func(i int) {`: the context evidence of the write on line 8.
    writeTree(dir, { 'a.go': racy('p').replace('go func(i int) {', 'go func(i int) { // started per item') });
    const { report } = scanJson(['.', '--new-from-rev', 'HEAD'], { cwd: dir });
    expect(report.findings.map((f) => `${f.line} ${f.map.name}`)).toEqual(['8 counts']);
  });

  it('works from a subdirectory of the repository, and for fix', () => {
    const dir = repo({ 'sub/a.go': racy('a') });
    writeTree(dir, { 'sub/b.go': racy('a', 'fresh', 'Fresh') });
    const sub = join(dir, 'sub');
    expect(scanJson(['.', '--new-from-rev', 'HEAD'], { cwd: sub }).report.findings.map((f) => f.file)).toEqual(['b.go']);
    const fix = JSON.parse(runCli(['fix', '.', '--format', 'json', '--new-from-rev', 'HEAD'], { cwd: sub }).stdout) as { findings: { file: string }[] };
    expect(fix.findings.map((f) => f.file)).toEqual(['b.go']);
  });

  it('a revision that does not exist, or no repository, is one line, exit 2', () => {
    const dir = repo({ 'a.go': racy('p') });
    const bad = runCli(['scan', '.', '--new-from-rev', 'no-such-branch'], { cwd: dir });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('gomapfix: --new-from-rev no-such-branch: not a commit in this repository\n');
    const plain = tempTree({ 'go.mod': GOMOD, 'a.go': racy('p') });
    const none = runCli(['scan', '.', '--new-from-rev', 'HEAD'], { cwd: plain, env: { GIT_CEILING_DIRECTORIES: join(plain, '..') } });
    expect(none.status).toBe(2);
    expect(none.stderr).toMatch(/^gomapfix: --new-from-rev needs a git repository \(git: not a git repository.*\)\n$/);
  });
});
