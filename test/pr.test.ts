// `gomapfix pr` end to end: a temporary git repository whose head introduces two races, fixes one and
// leaves one alone; the review printed and posted to a GitHub stand-in on 127.0.0.1 (test/helpers/
// github-server.ts); the posted suggestions, applied as GitHub applies them, must equal `fix --write`
// and pass go vet, go build and go test -race.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp, CLI, REPO, runCli, tempTree, writeTree } from './helpers/cli.js';
import { fakeGitHub } from './helpers/github-server.js';
import { parseUnifiedDiff } from '../src/pr/diff.js';
import { fenced } from '../src/pr/review.js';
import type { PrReview } from '../src/pr/review.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const TOKEN = 'ghs_Secr3tT0kenThatMustNeverBePrinted';

const BASE: Record<string, string> = {
  'go.mod': 'module example.com/prbot\n\ngo 1.22\n',
  'counter/counter.go': `package counter

import "sync"

// Counter counts events by key.
type Counter struct {
	mu sync.Mutex
	m  map[string]int
}

// New returns an empty Counter.
func New() *Counter {
	return &Counter{m: map[string]int{}}
}

// Inc adds one to k.
func (c *Counter) Inc(k string) {
	c.mu.Lock()
	c.m[k]++
	c.mu.Unlock()
}

// Get returns the count of k.
func (c *Counter) Get(k string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.m[k]
}

// IncAll counts every key, one goroutine each.
func (c *Counter) IncAll(keys []string) {
	var wg sync.WaitGroup
	for _, k := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.Inc(k)
		}()
	}
	wg.Wait()
}
`,
  // Racy in base and head, in a package the change touches: reported with --scope all only.
  'counter/old.go': `package counter

var hits = map[int]int{}

// Hit counts n hits, one goroutine each.
func Hit(n int) {
	for i := 0; i < n; i++ {
		go func() {
			hits[i]++
		}()
	}
}
`,
  'registry/registry.go': `package registry

// handlers counts the registrations of each name.
var handlers = map[string]int{}

// Register records one registration of name.
func Register(name string) {
	handlers[name]++
}

// Count returns how often name was registered.
func Count(name string) int {
	return handlers[name]
}

// Names is a helper kept here to put some distance between the map
// and the code that the pull request adds at the end of the file.
func Names() []string {
	out := []string{}
	for k := range handlers {
		out = append(out, k)
	}
	return out
}
`,
  // Racy in base, fixed by the change.
  'cache/cache.go': `package cache

import "sync"

var entries = map[int]string{}

// Fill stores n entries, one goroutine each.
func Fill(n int) {
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			entries[i] = "x"
		}()
	}
	wg.Wait()
}
`,
  // Racy, untouched: its package is not analysed at all.
  'legacy/legacy.go': `package legacy

var seen = map[int]bool{}

// Mark marks n values, one goroutine each.
func Mark(n int) {
	for i := 0; i < n; i++ {
		go func() {
			seen[i] = true
		}()
	}
}
`,
};

const HEAD: Record<string, string> = {
  // Introduces an unguarded delete (line 50): the fix is one suggestion.
  'counter/counter.go': `${BASE['counter/counter.go']}
// ResetAll forgets every key, one goroutine each.
func (c *Counter) ResetAll(keys []string) {
	var wg sync.WaitGroup
	for _, k := range keys {
		wg.Add(1)
		go func() {
			defer wg.Done()
			delete(c.m, k)
		}()
	}
	wg.Wait()
}
`,
  // Introduces goroutines that call Register: the fix rewrites the whole file and adds a helper file.
  'registry/registry.go': `${BASE['registry/registry.go']}
// RegisterAll registers every name, one goroutine each.
func RegisterAll(names []string) {
	done := make(chan struct{})
	for _, n := range names {
		go func() {
			Register(n)
			done <- struct{}{}
		}()
	}
	for range names {
		<-done
	}
}
`,
  'cache/cache.go': `package cache

import "sync"

var (
	entriesMu sync.Mutex
	entries   = map[int]string{}
)

// Fill stores n entries, one goroutine each.
func Fill(n int) {
	var wg sync.WaitGroup
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			entriesMu.Lock()
			entries[i] = "x"
			entriesMu.Unlock()
		}()
	}
	wg.Wait()
}
`,
};

/** Race tests, written only into the copies that go test runs (not part of the pull request). */
const RACE_TESTS: Record<string, string> = {
  'counter/race_test.go': `package counter

import "testing"

func TestResetAllAlongsideIncAll(t *testing.T) {
	c := New()
	keys := []string{"a", "b", "c", "d", "e", "f", "g", "h"}
	c.IncAll(keys)
	done := make(chan struct{})
	go func() {
		c.IncAll(keys)
		close(done)
	}()
	c.ResetAll(keys)
	<-done
}
`,
  'registry/race_test.go': `package registry

import "testing"

func TestRegisterAll(t *testing.T) {
	RegisterAll([]string{"a", "b", "c", "d", "a", "b", "a"})
	if got := Count("a"); got != 3 {
		t.Fatalf("Count(a) = %d, want 3", got)
	}
}
`,
};

// ajv-draft-04 and ajv-formats are CommonJS modules with a `default` export (as in test/formats.test.ts).
type AjvLike = { compile(schema: object): ((data: unknown) => boolean) & { errors?: unknown } };
const Ajv = ((AjvDraft04 as unknown as { default?: unknown }).default ?? AjvDraft04) as new (opts: object) => AjvLike;
const addFormats = ((addFormatsModule as unknown as { default?: unknown }).default ?? addFormatsModule) as (ajv: AjvLike) => void;

function expectValid(schemaFile: string, data: unknown): void {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync(join(REPO, 'test', 'schemas', schemaFile), 'utf8')) as object);
  expect(validate(data), JSON.stringify(validate.errors, null, 2)).toBe(true);
}

function git(dir: string, ...args: string[]): string {
  const r = spawnSync('git', args, { cwd: dir, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`git ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

interface Repo {
  dir: string;
  base: string;
  head: string;
}

function makeRepo(): Repo {
  const dir = tempTree(BASE);
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.email', 'test@example.com');
  git(dir, 'config', 'user.name', 'test');
  git(dir, 'config', 'commit.gpgsign', 'false');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'base');
  const base = git(dir, 'rev-parse', 'HEAD');
  git(dir, 'checkout', '-qb', 'feature');
  writeTree(dir, HEAD);
  git(dir, 'add', '-A');
  git(dir, 'commit', '-qm', 'head: ResetAll, RegisterAll, cache locked');
  return { dir, base, head: git(dir, 'rev-parse', 'HEAD') };
}

/** An environment without the runner's own GitHub variables. */
function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('GITHUB_') && k !== 'FORCE_COLOR' && k !== 'NO_COLOR') env[k] = v;
  return { ...env, ...extra };
}

/** The CLI, asynchronously: the GitHub stand-in runs in this process and must keep answering. */
function runAsync(args: string[], cwd: string, env: Record<string, string>, command = process.execPath): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, command === process.execPath ? [CLI, ...args] : args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function eventFile(repo: Repo): string {
  const path = join(tempTree(), 'event.json');
  writeFileSync(path, JSON.stringify({ action: 'synchronize', number: 7, pull_request: { number: 7, base: { sha: repo.base, ref: 'main' }, head: { sha: repo.head, ref: 'feature' } } }));
  return path;
}

function postEnv(repo: Repo, apiUrl: string): Record<string, string> {
  return cleanEnv({ GITHUB_TOKEN: TOKEN, GITHUB_API_URL: apiUrl, GITHUB_REPOSITORY: 'octo/app', GITHUB_EVENT_PATH: eventFile(repo) });
}

/** The content of a comment's ```suggestion block (any fence length), or null. */
function suggestionOf(body: string): string | null {
  const m = /(`{3,})suggestion\n([\s\S]*?)\n?\1(?:\n|$)/.exec(body);
  return m ? m[2]! : null;
}

function diffOf(body: string): string | null {
  const m = /(`{3,})diff\n([\s\S]*?)\n?\1(?:\n|$)/.exec(body);
  return m ? `${m[2]!}\n` : null;
}

/** What GitHub does on "Commit suggestion": lines start_line..line of the file become the suggestion. */
function applySuggestion(text: string, start: number, end: number, suggestion: string): string {
  const lines = text.split('\n');
  lines.splice(start - 1, end - start + 1, ...suggestion.split('\n'));
  return lines.join('\n');
}

/** A copy of the head revision (its files, without .git). */
function headCopy(repo: Repo): string {
  const dir = tempTree();
  cpSync(repo.dir, dir, { recursive: true, filter: (src) => !src.includes(`${repo.dir}/.git`) });
  return dir;
}

function go(dir: string, ...args: string[]): { code: number | null; output: string } {
  const r = spawnSync('go', args, { cwd: dir, encoding: 'utf8', timeout: 300_000, env: { ...process.env, GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local' } });
  return { code: r.status, output: `${r.stdout}${r.stderr}` };
}

let repo: Repo;
beforeAll(() => {
  repo = makeRepo();
});

describe('gomapfix pr: the review of a change', () => {
  it('comments on the two races the change introduces, not on the one it fixes or the untouched ones', () => {
    const run = runCli(['pr', '--base', 'main'], { cwd: repo.dir, env: cleanEnv() });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(1);
    const review = JSON.parse(run.stdout) as PrReview;
    expect(review.event).toBe('COMMENT');
    expect(review.commit_id).toBe(repo.head);
    expect(review.body).toContain('found 2 unsafe map uses');
    expect(review.body).toContain('3 packages analysed');
    expect(review.comments.map((c) => [c.path, c.line, c.side, c.start_line])).toEqual([
      ['counter/counter.go', 50, 'RIGHT', undefined],
      ['registry/registry.go', 30, 'RIGHT', undefined],
    ]);
    const [counter, registry] = review.comments;
    // The unguarded delete: Lock/Unlock around it, one suggestion on the lines it replaces.
    expect(counter!.body).toContain('`unguarded-map-access`');
    expect(suggestionOf(counter!.body)).toBe('\t\t\tc.mu.Lock()\n\t\t\tdelete(c.m, k)\n\t\t\tc.mu.Unlock()');
    expect(counter!.body).toMatch(/<!-- gomapfix:[0-9a-f]{16}:[0-9a-f]{12} -->$/);
    // The map is declared far above the change and the fix adds a file: a diff and the command.
    expect(registry!.body).toContain('`concurrent-map-write`');
    expect(suggestionOf(registry!.body)).toBeNull();
    expect(registry!.body).toContain('<details><summary>The whole fix (2 files)</summary>');
    expect(registry!.body).toContain('gomapfix fix --write ./registry');
    expect(registry!.body).toContain('+++ b/registry/gomapfix_helpers.go');
    expect(run.stdout).not.toContain('cache/');
    expect(run.stdout).not.toContain('legacy');
    expect(run.stdout).not.toContain('hits');
  });

  it('--scope: files keeps findings in changed files, all every finding of the changed packages', () => {
    const ids = (scope: string) => {
      const run = runCli(['pr', '--base', repo.base, '--scope', scope], { cwd: repo.dir, env: cleanEnv() });
      expect(run.status, run.stderr).toBe(1);
      return (JSON.parse(run.stdout) as PrReview).comments.map((c) => c.path);
    };
    expect(ids('diff-context')).toEqual(['counter/counter.go', 'registry/registry.go']);
    expect(ids('files')).toEqual(['counter/counter.go', 'registry/registry.go']);
    const all = runCli(['pr', '--base', repo.base, '--scope', 'all'], { cwd: repo.dir, env: cleanEnv() });
    const review = JSON.parse(all.stdout) as PrReview;
    // counter/old.go's race is in an analysed package but not in the diff: listed in the body.
    expect(review.body).toContain('found 3 unsafe map uses');
    expect(review.body).toMatch(/- `concurrent-map-write` on `hits` at counter\/old\.go:9/);
    expect(all.stdout).not.toContain('legacy');
  });

  it("reads the head's gomapfix.json as scan does: rules turned off and excluded files are not commented on", () => {
    const own = makeRepo();
    writeTree(own.dir, { 'gomapfix.json': JSON.stringify({ rules: { 'concurrent-map-write': false } }) });
    git(own.dir, 'add', '-A');
    git(own.dir, 'commit', '-qm', 'config: concurrent-map-write off');
    const off = runCli(['pr', '--base', 'main'], { cwd: own.dir, env: cleanEnv() });
    expect(off.status, off.stderr).toBe(1);
    expect((JSON.parse(off.stdout) as PrReview).comments.map((c) => [c.path, c.line])).toEqual([['counter/counter.go', 50]]);
    writeTree(own.dir, { 'gomapfix.json': JSON.stringify({ exclude: ['counter/**', 'registry/**'] }) });
    git(own.dir, 'add', '-A');
    git(own.dir, 'commit', '-qm', 'config: counter and registry excluded');
    const excluded = runCli(['pr', '--base', 'main'], { cwd: own.dir, env: cleanEnv() });
    expect(excluded.status, excluded.stderr).toBe(0);
    expect((JSON.parse(excluded.stdout) as PrReview).comments).toEqual([]);
  });

  it('--max-comments: the rest are summarised in the body', () => {
    const run = runCli(['pr', '--base', repo.base, '--max-comments', '1'], { cwd: repo.dir, env: cleanEnv() });
    const review = JSON.parse(run.stdout) as PrReview;
    expect(review.comments).toHaveLength(1);
    expect(review.body).toContain('more than --max-comments 1');
    expect(review.body).toMatch(/- `concurrent-map-write` on `handlers` at registry\/registry\.go:8/);
  });

  it('takes base and head from the GitHub Actions event, and reads a head that is not checked out from a temporary worktree', () => {
    const here = runCli(['pr'], { cwd: repo.dir, env: cleanEnv({ GITHUB_EVENT_PATH: eventFile(repo) }) });
    expect(here.status, here.stderr).toBe(1);
    git(repo.dir, 'checkout', '-q', 'main');
    try {
      const elsewhere = runCli(['pr'], { cwd: join(repo.dir, 'legacy'), env: cleanEnv({ GITHUB_EVENT_PATH: eventFile(repo) }) });
      expect(elsewhere.status, elsewhere.stderr).toBe(1);
      expect(elsewhere.stdout).toBe(here.stdout);
      expect(git(repo.dir, 'worktree', 'list').split('\n')).toHaveLength(1);
      expect(git(repo.dir, 'status', '--porcelain')).toBe('');
    } finally {
      git(repo.dir, 'checkout', '-q', 'feature');
    }
  });

  it('--format rdjson and sarif carry the findings in scope with their fixes', () => {
    const rd = runCli(['pr', '--base', repo.base, '--format', 'rdjson'], { cwd: repo.dir, env: cleanEnv() });
    expectValid('rdf/DiagnosticResult.json', JSON.parse(rd.stdout));
    const diagnostics = (JSON.parse(rd.stdout) as { diagnostics: { location: { path: string }; suggestions?: unknown[] }[] }).diagnostics;
    expect(new Set(diagnostics.map((d) => d.location.path))).toEqual(new Set(['counter/counter.go', 'registry/registry.go']));
    const sarif = runCli(['pr', '--base', repo.base, '--format', 'sarif'], { cwd: repo.dir, env: cleanEnv() });
    expectValid('sarif-schema-2.1.0.json', JSON.parse(sarif.stdout));
    const results = (JSON.parse(sarif.stdout) as { runs: { results: { ruleId: string; fixes?: unknown[] }[] }[] }).runs[0]!.results;
    expect(results.map((r) => [r.ruleId, !!r.fixes])).toEqual([
      ['unguarded-map-access', true],
      ['concurrent-map-write', true],
    ]);
  });

  it('says what is missing in one line (exit 2)', () => {
    const noBase = runCli(['pr'], { cwd: repo.dir, env: cleanEnv() });
    expect(noBase.status).toBe(2);
    expect(noBase.stderr).toBe('gomapfix: gomapfix pr needs the base of the change: pass --base REF (in a GitHub Actions pull_request run it comes from the event)\n');
    const badBase = runCli(['pr', '--base', 'nope'], { cwd: repo.dir, env: cleanEnv() });
    expect(badBase.status).toBe(2);
    expect(badBase.stderr).toMatch(/^gomapfix: --base nope is not a commit of this repository/);
    const noToken = runCli(['pr', '--base', repo.base, '--post'], { cwd: repo.dir, env: cleanEnv() });
    expect(noToken.status).toBe(2);
    expect(noToken.stderr).toMatch(/^gomapfix: --post needs a token in GITHUB_TOKEN/);
  });
});

describe('gomapfix pr --post against a GitHub stand-in', () => {
  it('lists comments over pages, retries a 429, marks gone comments outdated, posts the review, and does not repeat it', async () => {
    const gh = await fakeGitHub(TOKEN);
    try {
      for (let i = 0; i < 120; i++) gh.seed({ body: `a human comment ${i}`, path: 'counter/counter.go', line: 1, user: 'alice' });
      const replied = gh.seed({ body: 'an old finding\n\n<!-- gomapfix:deadbeefdeadbeef:aaaaaaaaaaaa -->', path: 'counter/counter.go', line: 3 });
      gh.seed({ body: 'I fixed it', path: 'counter/counter.go', line: 3, in_reply_to_id: replied, user: 'alice' });
      const lonely = gh.seed({ body: 'another old finding\n\n<!-- gomapfix:0123456789abcdef:none -->', path: 'counter/counter.go', line: 5 });
      gh.rateLimit = { count: 1, retryAfter: '1' };

      const env = postEnv(repo, gh.url);
      const first = await runAsync(['pr', '--post'], repo.dir, env);
      expect(first.status, first.stderr).toBe(1);
      expect(first.stdout).toBe('gomapfix: posted a review on octo/app#7: 2 line comments, 1 marked outdated, 1 outdated deleted\n');
      expect(first.stderr).toContain('429, retrying in 1 s');
      // 429, then the two pages of 100.
      const lists = gh.requests.filter((r) => r.method === 'GET');
      expect(lists.map((r) => r.query.get('page'))).toEqual([null, null, '2']);
      expect(lists.every((r) => r.query.get('per_page') === '100')).toBe(true);
      expect(gh.requests.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
      // Replied to: edited, not deleted; no reply: deleted.
      expect(gh.comments.get(replied)!.body).toMatch(/^<!-- gomapfix:outdated -->\n\*\*Outdated\*\* at [0-9a-f]{7}: gomapfix no longer reports this finding\./);
      expect(gh.comments.has(lonely)).toBe(false);
      expect(gh.reviews).toHaveLength(1);
      const review = gh.reviews[0]!;
      expect(review.event).toBe('COMMENT');
      expect(review.commit_id).toBe(repo.head);
      const printed = JSON.parse(runCli(['pr', '--base', repo.base], { cwd: repo.dir, env: cleanEnv() }).stdout) as PrReview;
      expect(review.comments).toEqual(printed.comments);

      const before = gh.requests.length;
      const second = await runAsync(['pr', '--post'], repo.dir, env);
      expect(second.status, second.stderr).toBe(1);
      expect(second.stdout).toBe('gomapfix: nothing new to post on octo/app#7, 2 already there\n');
      expect(gh.reviews).toHaveLength(1);
      expect(gh.requests.slice(before).every((r) => r.method === 'GET')).toBe(true);
      for (const out of [first.stdout, first.stderr, second.stdout, second.stderr]) expect(out).not.toContain(TOKEN);
    } finally {
      await gh.close();
    }
  });

  it('falls back on 422: each comment on its own, then on its file, then the review body', async () => {
    const gh = await fakeGitHub(TOKEN);
    try {
      gh.refusedLines.add('registry/registry.go:30');
      const run = await runAsync(['pr', '--post'], repo.dir, postEnv(repo, gh.url));
      expect(run.status, run.stderr).toBe(1);
      expect(run.stdout).toBe('gomapfix: posted a review on octo/app#7: 1 line comment, 1 on a file (line refused)\n');
      const posts = gh.requests.filter((r) => r.method === 'POST').map((r) => [r.path.replace(/^.*\/pulls\/7\//, ''), (r.body as { line?: number; subject_type?: string }).line ?? (r.body as { subject_type?: string }).subject_type]);
      expect(posts).toEqual([
        ['reviews', undefined],
        ['comments', 50],
        ['comments', 30],
        ['comments', 'file'],
        ['reviews', undefined],
      ]);
      const files = [...gh.comments.values()];
      expect(files.map((c) => [c.path, c.subject_type])).toEqual([
        ['counter/counter.go', 'line'],
        ['registry/registry.go', 'file'],
      ]);
      expect(gh.reviews[0]!.comments).toEqual([]);
      expect(gh.reviews[0]!.body).toContain('found 2 unsafe map uses');
      expect(run.stdout + run.stderr).not.toContain(TOKEN);
    } finally {
      await gh.close();
    }
  });

  it('never prints the token, even when the API quotes it back', async () => {
    const gh = await fakeGitHub('another-token');
    try {
      const run = await runAsync(['pr', '--post'], repo.dir, postEnv(repo, gh.url));
      expect(run.status).toBe(2);
      expect(run.stderr).toMatch(/^gomapfix: GitHub API GET .*: 401 Bad credentials \(Bearer \*\*\*\)\n$/);
      expect(run.stdout + run.stderr).not.toContain(TOKEN);
    } finally {
      await gh.close();
    }
  });
});

describe('action.yml', () => {
  /** The shell script of the step that runs gomapfix, as the runner would run it. */
  function actionScript(): string {
    const lines = readFileSync(join(REPO, 'action.yml'), 'utf8').split('\n');
    const step = lines.findIndex((l) => l.trim() === '- name: Review the pull request');
    const run = lines.findIndex((l, i) => i > step && l.trim() === 'run: |');
    const body: string[] = [];
    for (const l of lines.slice(run + 1)) {
      if (l.trim() !== '' && !l.startsWith('        ')) break;
      body.push(l.slice(8));
    }
    return body.join('\n');
  }

  it('its run step posts the review, and fails on findings only when asked', async () => {
    const gh = await fakeGitHub(TOKEN);
    try {
      const env = { ...postEnv(repo, gh.url), GITHUB_ACTION_PATH: REPO, GOMAPFIX_SCOPE: 'added', GOMAPFIX_MAX_COMMENTS: '30', GOMAPFIX_BASE: '', GOMAPFIX_FAIL: 'false', GOMAPFIX_CONFIDENCE: 'high' };
      const run = (extra: Record<string, string>) => runAsync(['-e', '-c', actionScript()], repo.dir, { ...env, ...extra }, 'bash');
      const first = await run({});
      expect(first.status, first.stderr).toBe(0);
      expect(first.stdout).toContain('posted a review on octo/app#7: 2 line comments');
      expect(gh.reviews).toHaveLength(1);
      const failing = await run({ GOMAPFIX_FAIL: 'true', GOMAPFIX_BASE: repo.base });
      expect(failing.status).toBe(1);
      expect(failing.stdout).toContain('nothing new to post');
      expect(first.stdout + first.stderr + failing.stdout + failing.stderr).not.toContain(TOKEN);
    } finally {
      await gh.close();
    }
  });
});

describe('gomapfix pr: the posted fixes, applied', () => {
  it('each suggestion, applied as GitHub does, equals fix --write, and the result passes go vet, go build and go test -race', async () => {
    const gh = await fakeGitHub(TOKEN);
    let review;
    try {
      const run = await runAsync(['pr', '--post'], repo.dir, postEnv(repo, gh.url));
      expect(run.status, run.stderr).toBe(1);
      review = gh.reviews[0]!;
    } finally {
      await gh.close();
    }
    const comments = review.comments as { path: string; line: number; start_line?: number; body: string }[];

    // The head races: the race tests fail under -race.
    const raced = headCopy(repo);
    writeTree(raced, RACE_TESTS);
    const before = go(raced, 'test', '-race', '-count=1', './counter', './registry');
    expect(before.code).not.toBe(0);
    expect(before.output).toContain('WARNING: DATA RACE');

    const applied = headCopy(repo);
    for (const c of comments) {
      const suggestion = suggestionOf(c.body);
      const patch = diffOf(c.body);
      const pkg = `./${c.path.split('/')[0]}`;
      const fixed = headCopy(repo);
      const fix = runCli(['fix', '--write', pkg], { cwd: fixed });
      expect(fix.status, fix.stderr).toBeLessThanOrEqual(1);
      if (suggestion !== null) {
        const file = join(applied, c.path);
        writeFileSync(file, applySuggestion(readFileSync(file, 'utf8'), c.start_line ?? c.line, c.line, suggestion));
        expect(readFileSync(file, 'utf8')).toBe(readFileSync(join(fixed, c.path), 'utf8'));
      } else {
        expect(patch).not.toBeNull();
        const apply = spawnSync('git', ['apply', '-'], { cwd: applied, input: patch!, encoding: 'utf8' });
        expect(apply.status, apply.stderr).toBe(0);
        for (const f of ['registry/registry.go', 'registry/gomapfix_helpers.go']) expect(readFileSync(join(applied, f), 'utf8')).toBe(readFileSync(join(fixed, f), 'utf8'));
      }
    }
    expect(comments.filter((c) => suggestionOf(c.body) !== null)).toHaveLength(1);
    expect(existsSync(join(applied, 'registry/gomapfix_helpers.go'))).toBe(true);

    writeTree(applied, RACE_TESTS);
    for (const args of [['vet', './...'], ['build', './...'], ['test', '-race', '-count=1', './counter', './registry']]) {
      const r = go(applied, ...args);
      expect(r.code, `go ${args.join(' ')}:\n${r.output}`).toBe(0);
    }
  }, 600_000);
});

describe('pr building blocks', () => {
  it('a fence is longer than any backtick run in its content', () => {
    expect(fenced('suggestion', 'x := `a`')).toBe('```suggestion\nx := `a`\n```');
    expect(fenced('suggestion', 's := ```` + "`"')).toBe('`````suggestion\ns := ```` + "`"\n`````');
    expect(fenced('suggestion', '')).toBe('```suggestion\n```');
  });

  it('parses the diff: added lines and hunks of the head side, renames, deletions, quoted paths', () => {
    const files = parseUnifiedDiff(
      [
        'diff --git a/a.go b/a.go',
        'index 1..2 100644',
        '--- a/a.go',
        '+++ b/a.go',
        '@@ -1,3 +1,4 @@',
        ' package a',
        '+// new',
        ' ',
        '-var x = 1',
        '+var x = 2',
        'diff --git a/old.go b/new.go',
        'similarity index 90%',
        'rename from old.go',
        'rename to new.go',
        'diff --git a/gone.go b/gone.go',
        'deleted file mode 100644',
        '--- a/gone.go',
        '+++ /dev/null',
        '@@ -1 +0,0 @@',
        '-package gone',
        'diff --git "a/t\\303\\244st.go" "b/t\\303\\244st.go"',
        'new file mode 100644',
        '--- /dev/null',
        '+++ "b/t\\303\\244st.go"',
        '@@ -0,0 +1 @@',
        '+package t',
        '',
      ].join('\n'),
    );
    expect(files).toEqual([
      { path: 'a.go', status: 'modified', hunks: [{ newStart: 1, newLines: 4, added: [2, 4] }] },
      { path: 'new.go', status: 'renamed', hunks: [] },
      { path: 'gone.go', status: 'deleted', hunks: [{ newStart: 0, newLines: 0, added: [] }] },
      { path: 'täst.go', status: 'added', hunks: [{ newStart: 1, newLines: 1, added: [1] }] },
    ]);
  });
});
