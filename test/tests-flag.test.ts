// --tests=false: _test.go files are left out of scan and fix; a fix is declined for a map that a
// left-out test file of its package names, since that file's accesses are unknown.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp, runCli, scanJson, tempTree } from './helpers/cli.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const CODE = `package p

var counts = map[int]int{}

var totals = map[int]int{}

func Run() {
	for i := 0; i < 4; i++ {
		go func(i int) {
			counts[i] = i
			totals[i] = i
		}(i)
	}
}
`;

// Names counts (not totals) and races on a map of its own.
const TEST = `package p

import "testing"

func TestRun(t *testing.T) {
	Run()
	if len(counts) > 4 {
		t.Fatal("too many")
	}
}

func TestLocal(t *testing.T) {
	m := map[int]int{}
	for i := 0; i < 2; i++ {
		go func(i int) { m[i] = i }(i)
	}
}
`;

const tree = () => tempTree({ 'go.mod': 'module example.com/p\n\ngo 1.21\n', 'p.go': CODE, 'p_test.go': TEST });

describe('--tests=false', () => {
  it('scan leaves _test.go files out: no finding in them, and their goroutines are no evidence', () => {
    const dir = tree();
    const all = scanJson(['.'], { cwd: dir }).report;
    expect(all.findings.map((f) => `${f.file}:${f.line}`)).toEqual(['p.go:10', 'p.go:11', 'p_test.go:15']);
    // TestRun reads counts from its own goroutine: left to go test -race unless --strict-tests.
    expect(all.findings.find((f) => f.map.name === 'counts')!.evidence.some((e) => e.file === 'p_test.go')).toBe(false);
    const strict = scanJson(['--strict-tests', '.'], { cwd: dir }).report;
    expect(strict.findings.find((f) => f.map.name === 'counts')!.evidence.some((e) => e.file === 'p_test.go')).toBe(true);
    const { run, report } = scanJson(['--tests=false', '.'], { cwd: dir });
    expect(run.status, run.stderr).toBe(1);
    expect(report.findings.map((f) => `${f.file}:${f.line}`)).toEqual(['p.go:10', 'p.go:11']);
    // The test's read of counts is no longer evidence.
    const counts = report.findings.find((f) => f.map.name === 'counts')!;
    expect(counts.evidence.some((e) => e.file === 'p_test.go')).toBe(false);
    expect(report.errors).toEqual([]);
    expect(report.skipped).toEqual([]);
    expect(scanJson(['--tests=true', '.'], { cwd: dir }).report.findings).toHaveLength(3);
  });

  it('a test file named on the command line is still analysed', () => {
    const { report } = scanJson(['--tests=false', 'p_test.go'], { cwd: tree() });
    expect(report.findings.map((f) => `${f.file}:${f.line}`)).toEqual(['p_test.go:15']);
  });

  it('fix declines the map a left-out test names and fixes the other; the package and its tests still build', () => {
    const dir = tree();
    const run = runCli(['fix', '--tests=false', '--write', '.'], { cwd: dir });
    expect(run.status, run.stderr).toBe(1);
    expect(run.stdout).toContain('# not fixed: p.go:10 concurrent-map-write on counts: auto declines: p_test.go names counts but was left out (--tests=false): its accesses to counts are unknown');
    const fixed = readFileSync(join(dir, 'p.go'), 'utf8');
    expect(fixed).not.toBe(CODE);
    expect(fixed).toContain('var counts = map[int]int{}');
    expect(fixed).not.toContain('var totals = map[int]int{}');
    expect(readFileSync(join(dir, 'p_test.go'), 'utf8')).toBe(TEST);
    // go vet compiles the test files too: the rewrite of totals did not break the unseen test.
    const vet = spawnSync('go', ['vet', '.'], { cwd: dir, encoding: 'utf8', env: { ...process.env, GOFLAGS: '-mod=mod', GOTOOLCHAIN: 'local' } });
    expect(vet.status, vet.stderr).toBe(0);
  });

  it('a value other than true or false is a one-line error, exit 2', () => {
    const run = runCli(['scan', '--tests=maybe', '.'], { cwd: tree() });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('gomapfix: --tests takes true or false, got maybe\n');
  });
});
