// Deep nesting (issue 9, item 11): Go accepts thousands of nested parentheses, blocks or function
// literals. Each case is a package whose racy.go holds a real race and whose deep.go reads the
// same map at the innermost point of the nesting: `scan` must report the race with that read as
// evidence (the deep function was walked to the bottom, the package was not dropped), and `fix`
// must plan the rewrite, with no internal error. Real tree-sitter parses, real files, the real CLI.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { planFixes } from '../src/fix.js';
import { scan } from '../src/index.js';
import { parseGo, firstSyntaxProblem } from '../src/parse/parser.js';
import { assertBuilt, cleanupTemp, racy, RACY_LINE, runCli, scanJson, tempTree } from './helpers/cli.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const GO_MOD = 'module example.com/deep\n\ngo 1.19\n';
const READ = 'counts[0]';

interface DeepCase {
  name: string;
  /** The body of func Deep(), with the map read at the innermost point. */
  body: string;
}

const cases: DeepCase[] = [
  { name: '5,000 nested parentheses', body: `\tx := ${'('.repeat(5000)}${READ}${')'.repeat(5000)}\n\t_ = x\n` },
  { name: '20,000 nested parentheses', body: `\tx := ${'('.repeat(20000)}${READ}${')'.repeat(20000)}\n\t_ = x\n` },
  { name: '2,000 nested func literals', body: `\tx := 0\n${'\tfunc() {\n'.repeat(2000)}\tx += ${READ}\n${'\t}()\n'.repeat(2000)}\t_ = x\n` },
  { name: '5,000 nested blocks', body: `\tx := 0\n${'\t{\n'.repeat(5000)}\tx += ${READ}\n${'\t}\n'.repeat(5000)}\t_ = x\n` },
  { name: '5,000 nested if statements', body: `\tx := 0\n${'\tif x >= 0 {\n'.repeat(5000)}\tx += ${READ}\n${'\t}\n'.repeat(5000)}\t_ = x\n` },
  {
    name: 'an else-if chain of 5,000 branches',
    body: `\tx := 0\n\tif x == 0 {\n\t\tx++\n${Array.from({ length: 5000 }, (_, i) => `\t} else if x == ${i + 1} {\n\t\tx++\n`).join('')}\t} else {\n\t\tx += ${READ}\n\t}\n\t_ = x\n`,
  },
  { name: '2,000 nested composite literals', body: `\tv := ${'[]any{'.repeat(2000)}${READ}${'}'.repeat(2000)}\n\t_ = v\n` },
  // `a+a+…` parses left-deep: the first term is the innermost node. (Go's parser stops at a nesting
  // depth of 100,000: a sum of 100,000 terms is not valid Go.)
  { name: 'a binary expression of 50,000 terms', body: `\ta := 1\n\tx := ${READ}${'+a'.repeat(49999)}\n\t_ = x\n` },
];

function deepFile(body: string): string {
  return `package p\n\nfunc Deep() {\n${body}}\n`;
}

/** The 1-based line of the map read in deep.go. */
function readLine(body: string): number {
  const text = deepFile(body);
  return text.slice(0, text.indexOf(READ)).split('\n').length;
}

describe('deep nesting', () => {
  it('tree-sitter parses every case without a syntax error (the nesting is what is tested)', () => {
    for (const c of cases) {
      const tree = parseGo(deepFile(c.body));
      expect(firstSyntaxProblem(tree), c.name).toBeNull();
    }
  });

  for (const c of cases) {
    // The long sum's time is gofmt's: the wasm gofmt overflows the stack on it, and the toolchain's
    // gofmt it falls back to takes about 90 s per run on 50,000 terms (Go's printer), run twice
    // (input and output): a generous timeout, not a speed check (docs/deep-nesting.md).
    it(`${c.name}: scan reports the race with the innermost read as evidence; fix plans the rewrite`, { timeout: c.name.includes('50,000') ? 900_000 : 180_000 }, async () => {
      const dir = tempTree({ 'go.mod': GO_MOD, 'racy.go': racy(), 'deep.go': deepFile(c.body) });

      const result = await scan(['.'], { cwd: dir, workers: 0 });
      expect(result.errors).toEqual([]);
      const finding = result.findings.find((f) => f.file === 'racy.go' && f.line === RACY_LINE);
      expect(finding, JSON.stringify(result.findings)).toBeDefined();
      expect(finding!.rule).toBe('concurrent-map-write');
      expect(finding!.evidence.some((e) => e.file === 'deep.go' && e.line === readLine(c.body))).toBe(true);

      const plan = planFixes([dir], { cwd: dir, includeReview: true });
      expect(plan.errors).toEqual([]);
      const fix = plan.fixes.find((f) => f.findingId === finding!.id);
      expect(fix, JSON.stringify(plan.declined)).toBeDefined();
      expect(fix!.edits.some((e) => e.file.endsWith('deep.go')), 'the read in deep.go is rewritten too').toBe(true);
    });
  }

  it('the real CLI on 20,000 nested parentheses: scan and fix exit 1 (findings), no internal error', { timeout: 180_000 }, () => {
    const body = cases[1]!.body;
    const dir = tempTree({ 'go.mod': GO_MOD, 'racy.go': racy(), 'deep.go': deepFile(body) });
    const { run, report } = scanJson(['.'], { cwd: dir, timeoutMs: 120_000 });
    expect(run.status, run.stderr).toBe(1);
    expect(run.stderr).not.toMatch(/internal error/);
    expect(report.errors).toEqual([]);
    expect(report.findings.map((f) => `${f.file}:${f.line} ${f.rule}`)).toContain(`racy.go:${RACY_LINE} concurrent-map-write`);

    const fix = runCli(['fix', '--include-review', '.'], { cwd: dir, timeoutMs: 120_000 });
    expect(fix.status, fix.stderr).toBe(1);
    expect(fix.stderr).not.toMatch(/internal error/);
    expect(fix.stdout).toContain('+++ b/racy.go');
    expect(fix.stdout).toContain('+++ b/deep.go');
  });
});
