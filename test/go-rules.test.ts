// Go's rules decide what is Go: files tree-sitter-go parses without an error node but the Go
// parser rejects are listed as errors, never analysed, never rewritten. Real tree-sitter parses,
// real gofmt (@wasm-fmt/gofmt), real files through the fix pipeline.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { format } from '@wasm-fmt/gofmt';
import { firstSyntaxProblem, parseGo } from '../src/parse/parser.js';
import { firstGoRuleProblem } from '../src/parse/go-rules.js';
import { analyzeDir } from '../src/analysis/analyze.js';
import { planFixes } from '../src/fix.js';
import { assertBuilt, cleanupTemp, racy, scanJson, summary, tempTree } from './helpers/cli.js';

afterAll(cleanupTemp);

const inFunc = (body: string) => `package p\n\nfunc f() {\n\t${body}\n}\n`;

/** Whether gofmt's parser (Go's go/parser) rejects the text. */
function gofmtRejects(text: string): boolean {
  try {
    format(text);
    return false;
  } catch {
    return true;
  }
}

// [name, source, expected message (after "not valid Go: "), line:column]. Every source parses
// without an error node in tree-sitter-go 0.25; that is why the check exists.
const INVALID: [string, string, string, string][] = [
  ['no package clause', 'func f() {}\n', 'the file must begin with a package clause', '1:1'],
  ['only comments', '// Package p does nothing.\n', 'the file must begin with a package clause', '1:1'],
  ['go of a variable', inFunc('go x'), 'go statement must be a function call', '4:2'],
  ['go of a func literal not called', inFunc('go func() {}'), 'go statement must be a function call', '4:2'],
  ['go of a parenthesized call', inFunc('go (f())'), 'expression in go must not be parenthesized', '4:2'],
  ['defer of a literal', inFunc('defer 1'), 'defer statement must be a function call', '4:2'],
  ['selector left of :=', inFunc('a.b := 1'), 'non-name a.b on left side of :=', '4:2'],
  ['index left of :=', inFunc('m[0] := 1'), 'non-name m[0] on left side of :=', '4:2'],
  ['parenthesized name left of :=', inFunc('a, (b) := 1, 2'), 'non-name (b) on left side of :=', '4:5'],
  ['selector in a range :=', inFunc('for a.b := range x {\n\t}'), 'non-name a.b on left side of :=', '4:6'],
  ['selector in a select receive :=', inFunc('select {\n\tcase a.b := <-c:\n\t}'), 'non-name a.b on left side of :=', '5:7'],
  ['selector in a type switch guard', inFunc('switch a.b := x.(type) {\n\t}'), 'non-name a.b on left side of :=', '4:9'],
  ['go of a generic function not called', inFunc('go f[int]'), 'go statement must be a function call', '4:2'],
  ['select case that is no communication', inFunc('select {\n\tcase x:\n\t}'), 'select case must be send or receive (possibly with assignment)', '5:7'],
  ['three range variables', inFunc('for a, b, c := range x {\n\t}'), 'range clause permits at most two iteration variables', '4:6'],
  ['label before the next case', inFunc('switch {\n\tcase true:\n\t\tL:\n\tcase false:\n\t}'), "a label must label a statement; found 'case'", '6:3'],
  // The text scans find their tokens without blanks around them too.
  ['unspaced :=', inFunc('a.b:=1'), 'non-name a.b on left side of :=', '4:2'],
  ['unspaced range', inFunc('for a,b,c:=range x{\n\t}'), 'range clause permits at most two iteration variables', '4:6'],
  ['unspaced go', inFunc('go(f())'), 'expression in go must not be parenthesized', '4:2'],
  ['unspaced select', inFunc('select{case x:\n\t}'), 'select case must be send or receive (possibly with assignment)', '4:14'],
  ['short variable declaration at top level', 'package p\n\nx := 1\n', 'non-declaration statement outside function body', '3:1'],
  ['call at top level', 'package p\n\nfunc f() {}\n\nf()\n', 'non-declaration statement outside function body', '5:1'],
  ['for at top level', 'package p\n\nfor {\n}\n', 'non-declaration statement outside function body', '3:1'],
  ['import after a declaration', 'package p\n\nvar x int\n\nimport "fmt"\n', 'imports must appear before other declarations', '5:1'],
  ['unknown escape', 'package p\n\nvar s = "a\\qb"\n', 'unknown escape sequence \\q', '3:11'],
  ["\\' in a string", 'package p\n\nvar s = "\\\'"\n', "unknown escape sequence \\'", '3:10'],
  ['\\" in a rune', "package p\n\nvar r = '\\\"'\n", 'unknown escape sequence \\"', '3:9'],
  ['octal escape above 255', 'package p\n\nvar s = "\\400"\n', 'octal escape value 256 > 255', '3:10'],
  ['octal escape of two digits', 'package p\n\nvar s = "\\12"\n', 'escape sequence \\1 needs 3 octal digits', '3:10'],
  ['surrogate half \\u', 'package p\n\nvar s = "\\uD800"\n', 'escape sequence is invalid Unicode code point U+D800', '3:10'],
  ['surrogate half in a rune', "package p\n\nvar r = '\\uDFFF'\n", 'escape sequence is invalid Unicode code point U+DFFF', '3:9'],
  ['surrogate half \\U', 'package p\n\nvar s = "a\\U0000DFFF"\n', 'escape sequence is invalid Unicode code point U+DFFF', '3:11'],
  ['\\U beyond U+10FFFF', 'package p\n\nvar s = "\\U00110000"\n', 'escape sequence is invalid Unicode code point U+110000', '3:10'],
  ['octal rune above 255', "package p\n\nvar r = '\\777'\n", 'octal escape value 511 > 255', '3:9'],
  ['variadic parameter not last', 'package p\n\nfunc f(a ...int, b int) {}\n', 'can only use ... with final parameter', '3:8'],
  ['variadic result', 'package p\n\nfunc f() (a ...int) {}\n', 'invalid use of ... in a result list', '3:11'],
  ['method without receiver', 'package p\n\nfunc () m() {}\n', 'method has no receiver', '3:6'],
  ['method whose receiver is a comment', 'package p\n\nfunc ( /* none */ ) m() {}\n', 'method has no receiver', '3:6'],
  ['method with two receivers', 'package p\n\ntype T int\n\nfunc (a, b T) m() {}\n', 'method has multiple receivers', '5:6'],
  ['NUL byte', 'package p\n\nvar x = 1\u0000\n', 'illegal character NUL', '3:10'],
];

// Each a near miss of a rule above: valid Go that must not be rejected.
const VALID: [string, string][] = [
  ['go and defer of calls', inFunc('go f()\n\tgo func() {}()\n\tgo (f)()\n\tdefer mu.Unlock()\n\tdefer (func() {})()\n\tdefer f()()')],
  ['identifiers left of :=, anything left of =', inFunc('a := 1\n\ta, b := 1, 2\n\ta.b = 1\n\t(a) = 1\n\tm[k] = v\n\t_, ok := m[k]')],
  ['range and type switch forms', inFunc('for k, v := range m {\n\t}\n\tfor a.b = range x {\n\t}\n\tfor range x {\n\t}\n\tswitch y := x.(type) {\n\t}')],
  ['every select case form', inFunc('select {\n\tcase v := <-c:\n\tcase v, ok := <-c:\n\tcase m[k] = <-c:\n\tcase c <- 1:\n\tcase (<-c):\n\tcase <-c:\n\tdefault:\n\t}')],
  ['labels on statements and at the end of a block', inFunc('L:\n\tfor {\n\t\tbreak L\n\t}\n\tswitch {\n\tcase true:\n\t\tgoto M\n\tM:\n\t}')],
  ['every valid escape', 'package p\n\nvar s = "\\a\\b\\f\\n\\r\\t\\v\\\\\\"\\x41\\101\\377\\u00e9\\U0001F600\\x4142"\nvar t = `\\q\\400`\n'],
  ['every rune form', "package p\n\nvar r = []rune{'a', 'é', '\\'', '\\n', '\\x41', '\\377', '\\u00e9', '\\U0010FFFF', '\"'}\n"],
  ['parameter groups', 'package p\n\nfunc f(a, b int, c ...int) (x, y int) { return }\nfunc g(int, ...int) (int, error) { return 0, nil }\nfunc (t *T) m(s string) {}\n\ntype T struct{}\n'],
  // tree-sitter splits a long name group into bare names and one named declaration.
  ['a long group of names', `package p\n\nfunc f(${'abcdefghijklmnopqrstuvwxyz'.split('').join(', ')} int64) {}\n`],
  ['comments, build tags and semicolons around declarations', '//go:build linux\n\n// Package p.\npackage p; import "fmt"; var x = fmt.Sprint(1);\n\nconst c = 1;\n'],
];

describe('firstGoRuleProblem', () => {
  for (const [name, src, message, at] of INVALID) {
    it(`rejects ${name}`, () => {
      const tree = parseGo(src);
      expect(firstSyntaxProblem(tree), 'tree-sitter already rejects it').toBeNull();
      const problem = firstGoRuleProblem(tree, src);
      expect(problem).not.toBeNull();
      expect(`${problem!.line}:${problem!.column} ${problem!.message}`).toBe(`${at} not valid Go: ${message}`);
    });
  }

  for (const [name, src] of VALID) {
    it(`accepts ${name}`, () => {
      const tree = parseGo(src);
      expect(firstSyntaxProblem(tree)).toBeNull();
      expect(gofmtRejects(src), 'the valid variant is valid Go').toBe(false);
      expect(firstGoRuleProblem(tree, src)).toBeNull();
    });
  }

  it('agrees with gofmt on every case gofmt parses as a whole file', () => {
    // @wasm-fmt/gofmt accepts fragments without a package clause; the rest it must reject.
    const withPackage = INVALID.filter(([, src, message]) => /^package /.test(src) && !message.startsWith('non-name') && !message.startsWith('method has') && !message.startsWith('select case'));
    expect(withPackage.filter(([, src]) => !gofmtRejects(src)).map(([name]) => name)).toEqual([]);
  });

  it('walks thousands of nested blocks and expressions without recursion', () => {
    const depth = 5000;
    const deepBlocks = `package p\n\nfunc f() {\n${'{'.repeat(depth)}go x${'}'.repeat(depth)}\n}\n`;
    const tree = parseGo(deepBlocks);
    expect(firstSyntaxProblem(tree)).toBeNull();
    expect(firstGoRuleProblem(tree, deepBlocks)?.message).toBe('not valid Go: go statement must be a function call');
    const deepParens = `package p\n\nvar x = ${'('.repeat(depth)}1${')'.repeat(depth)}\n`;
    expect(firstGoRuleProblem(parseGo(deepParens), deepParens)).toBeNull();
  });
});

describe('files Go rejects are never analysed or rewritten', () => {
  it('lists such a file under errors with its line, column and reason, and analyses the rest of the package', () => {
    const bytes = (s: string) => new TextEncoder().encode(s);
    const broken = racy().replace('func Run() {', 'func Run() {\n\tdefer 1');
    const result = analyzeDir([
      { rel: 'a.go', bytes: bytes(racy('p', 'counts', 'Run')) },
      { rel: 'b.go', bytes: bytes(broken.replace(/counts/g, 'totals').replace('Run', 'Sum')) },
      // g starts a goroutine: the analysis reads its body, so the scan parses it (docs/lazy-parsing.md).
      { rel: 'c.go', bytes: bytes('package p\n\nfunc g() {\n\tgo g()\n\tcase 1:\n}\n') },
      // h touches no map, lock or goroutine: its body is never parsed, and its error never seen.
      { rel: 'd.go', bytes: bytes('package p\n\nfunc h() {\n\tcase 1:\n}\n') },
    ]);
    expect(result.errors).toEqual([
      { file: 'b.go', message: '6:2: not valid Go: defer statement must be a function call; file not analysed' },
      { file: 'c.go', message: expect.stringMatching(/^5:\d+: syntax error: .*; file not analysed$/) },
    ]);
    expect(result.findings.map((f) => `${f.span.file} ${f.map.name}`)).toEqual(['a.go counts']);
  });

  it('fix leaves a racy file with an invalid escape untouched and reports it; the valid file of the package is declined, since its accesses in the broken file are unknown', () => {
    const dir = tempTree({
      'go.mod': 'module example.com/p\n\ngo 1.21\n',
      'a.go': racy('p', 'counts', 'Run'),
      'b.go': racy('p', 'totals', 'Sum').replace('var totals', 'var label = "\\q"\n\nvar totals'),
    });
    const plan = planFixes(['.'], { cwd: dir, strategy: 'mutex-wrap' });
    expect(plan.files).toEqual([]);
    expect(plan.findings.map((f) => `${f.file} ${f.map.name}`)).toEqual(['a.go counts']);
    expect(plan.declined.map((d) => d.reason)).toEqual([expect.stringMatching(/^b\.go could not be analysed \(3:14: not valid Go: unknown escape sequence \\q\): its accesses to counts are unknown$/)]);
    expect(plan.errors).toEqual([{ file: 'b.go', message: '3:14: not valid Go: unknown escape sequence \\q; file not analysed' }]);
  });
});

describe('gomapfix scan (built CLI)', () => {
  beforeAll(assertBuilt);

  it('lists a file Go rejects under errors and reports the rest of the package', () => {
    // f takes a map, so the analysis reads its body (a body it never reads is not parsed: docs/lazy-parsing.md).
    const dir = tempTree({ 'go.mod': 'module example.com/p\n\ngo 1.21\n', 'a.go': racy(), 'b.go': 'package p\n\nfunc f(m map[int]int) {\n\tgo f\n}\n' });
    const { run, report } = scanJson(['.'], { cwd: dir });
    expect(run.status, run.stderr).toBe(1);
    expect(report.errors).toEqual([{ file: 'b.go', message: '4:2: not valid Go: go statement must be a function call; file not analysed' }]);
    expect(summary(report)).toEqual(['a.go:8 concurrent-map-write counts']);
  });
});
