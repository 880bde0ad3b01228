// Ignore comments through the real CLI: //gomapfix:ignore with known and unknown rules, golangci-lint's
// //nolint forms, and --report-unused-ignores (a warning per comment that silences nothing, exit 1).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp, runCli, safe, scanJson, tempTree } from './helpers/cli.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const GOMOD = 'module example.com/m\n\ngo 1.21\n';

/** racy() with `comment` on the write's line (8) or, with `above`, alone on line 8 (the write moves to 9). */
function racyWith(comment: string, above = false): string {
  const write = above ? `${comment}\n\t\t\tcounts[i]++` : `counts[i]++ ${comment}`;
  return `package p

var counts = map[int]int{}

func Run() {
	for i := 0; i < 4; i++ {
		go func(i int) {
			${write}
		}(i)
	}
}
`;
}

const scan = (files: Record<string, string>, args: string[] = []) => scanJson(['.', ...args], { cwd: tempTree({ 'go.mod': GOMOD, ...files }) });

describe('//gomapfix:ignore', () => {
  it.each([
    ['no rule', '//gomapfix:ignore'],
    ['no rule, a reason', '//gomapfix:ignore writes are per test run'],
    ['the rule', '//gomapfix:ignore concurrent-map-write'],
    ['the rule and a reason', '//gomapfix:ignore concurrent-map-write single writer per key'],
    ['a list with the rule', '//gomapfix:ignore unguarded-map-access,concurrent-map-write reason'],
  ])('%s silences the finding, on the line and on the line above', (_name, comment) => {
    for (const above of [false, true]) {
      const { run, report } = scan({ 'a.go': racyWith(comment, above) });
      expect(report.findings).toEqual([]);
      expect(run.status).toBe(0);
      expect(run.stderr).toBe('');
    }
  });

  it('another rule does not silence it', () => {
    expect(scan({ 'a.go': racyWith('//gomapfix:ignore unguarded-map-access') }).report.findings.map((f) => f.rule)).toEqual(['concurrent-map-write']);
  });

  it('an unknown rule is a warning with file:line, and silences nothing', () => {
    const { run, report } = scan({ 'a.go': racyWith('//gomapfix:ignore concurent-map-write typo', true) });
    expect(report.findings.map((f) => `${f.rule} ${f.line}`)).toEqual(['concurrent-map-write 9']);
    expect(run.status).toBe(1);
    const message = 'unknown rule "concurent-map-write" in //gomapfix:ignore (rules: concurrent-map-write, unguarded-map-access, map-escapes-lock, map-mutated-during-range); it silences nothing for it';
    expect(run.stderr).toBe(`gomapfix: warning: a.go:8: ${message}\n`);
    expect(report.warnings).toEqual([{ file: 'a.go', line: 8, message }]);
    // In a list, the known rule still counts.
    const listed = scan({ 'a.go': racyWith('//gomapfix:ignore concurrent-map-write,no-such-rule') });
    expect(listed.report.findings).toEqual([]);
    expect(listed.run.stderr).toContain('a.go:8: unknown rule "no-such-rule"');
  });
});

describe('//nolint', () => {
  it.each([
    ['//nolint', true],
    ['//nolint:all', true],
    ['//nolint:gomapfix', true],
    ['//nolint:errcheck,gomapfix // reason', true],
    ['//nolint:gomapfix // reason', true],
    ['//nolint:errcheck', false],
    ['// nolint:gomapfix', false],
  ])('%s silences: %s', (comment, silences) => {
    for (const above of [false, true]) {
      expect(scan({ 'a.go': racyWith(comment, above) }).report.findings.length).toBe(silences ? 0 : 1);
    }
  });
});

describe('--report-unused-ignores', () => {
  const UNUSED = `package q

//gomapfix:ignore
func A() {}

//nolint:gomapfix // no race here
func B() {}

//nolint // for other linters: never reported
func C() {}

//nolint:errcheck
func D() {}
`;

  it('warns about each comment meant for gomapfix that silences nothing, and exits 1', () => {
    const files = { 'a.go': racyWith('//gomapfix:ignore concurrent-map-write'), 'q/q.go': UNUSED, 's/s.go': safe('s') };
    const { run, report } = scan(files, ['--report-unused-ignores']);
    expect(report.findings).toEqual([]);
    expect(run.status).toBe(1);
    expect(run.stderr).toBe(
      'gomapfix: warning: q/q.go:3: unused ignore comment: //gomapfix:ignore silences no finding\n' +
        'gomapfix: warning: q/q.go:6: unused ignore comment: //nolint:gomapfix // no race here silences no finding\n',
    );
    expect(report.warnings?.map((w) => `${w.file}:${w.line}`)).toEqual(['q/q.go:3', 'q/q.go:6']);
    // Without the flag: silent, exit 0.
    const quiet = scan(files);
    expect(quiet.run.status).toBe(0);
    expect(quiet.run.stderr).toBe('');
  });

  it('exits 0 when every ignore comment is used, and 1 for findings as usual', () => {
    expect(scan({ 'a.go': racyWith('//nolint:gomapfix') }, ['--report-unused-ignores']).run.status).toBe(0);
    const text = runCli(['scan', '.', '--report-unused-ignores'], { cwd: tempTree({ 'go.mod': GOMOD, 'a.go': racyWith('') }) });
    expect(text.status).toBe(1);
  });
});
