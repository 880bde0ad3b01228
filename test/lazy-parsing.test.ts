// A scan parses only what the analysis reads (docs/lazy-parsing.md): every file's declarations,
// with function bodies, top-level composite literals, const groups and top-level comments left
// out, then the bodies the analysis converts. These tests hold the lazy parse to the full one:
// the same ranges, the same findings, and the full parse's report wherever a problem is read.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseGo } from '../src/parse/parser.js';
import { lazyRanges, treeFuncBodies } from '../src/parse/lazy-bodies.js';
import { analyzeDir, analyzePackageWithFacts, parseDir, type FileInput } from '../src/analysis/analyze.js';

const TRICKY = `// Package p: braces in every place the text scan must not count.
package p

import (
	"fmt"
	"sync"
)

/* a block comment with func f() { and } inside */
const single = 1

const (
	a = iota // {
	b
)

type T struct {
	f func() map[string]struct{}
	m map[string]int
}

type I interface{ M() }

var tables = []T{{m: map[string]int{"{": 1}}, {}}

var anon = struct{ a int }{1}

var fn = func() T { return T{} }

var (
	mu    sync.Mutex
	named = map[string]int{"x": 1}
)

func braces(s string) string {
	r := '{'
	raw := \`}
	{\`
	return fmt.Sprint(s, "}{", r, raw) // }
}

func result() struct{ x int } { return struct{ x int }{1} }

func iface() interface{ M() } { return nil }

func generic[K comparable, V interface{ ~int }](m map[K]V) int { return len(m) }

func (t *T) method(x int) (n int, err error) {
	for i := 0; i < x; i++ {
		n++
	}
	return
}

//go:noescape
func external(x int) int

func last() { _ = tables; _ = anon; _ = fn; _ = named; mu.Lock(); mu.Unlock() }
`;

describe('lazyRanges reads the text as Go does', () => {
  it('finds exactly the function bodies the full parse finds, past strings, runes, raw strings, comments and type braces', () => {
    const tree = parseGo(TRICKY);
    expect(tree.rootNode.hasError).toBe(false);
    const ranges = lazyRanges(TRICKY)!;
    expect(ranges).not.toBeNull();
    expect(ranges.bodies).toEqual(treeFuncBodies(tree));
    // `external` has no body.
    expect(ranges.bodies.map((b) => TRICKY.slice(b.start, b.end).split('\n')[0])).toEqual([
      '{',
      '{ return struct{ x int }{1} }',
      '{ return nil }',
      '{ return len(m) }',
      '{',
      '{ _ = tables; _ = anon; _ = fn; _ = named; mu.Lock(); mu.Unlock() }',
    ]);
  });

  it('leaves out the composite literals of var declarations, never a function literal body', () => {
    const tree = parseGo(TRICKY);
    const ranges = lazyRanges(TRICKY)!;
    const texts = ranges.literals.map((l) => TRICKY.slice(l.start, l.end));
    expect(texts).toEqual(['{{m: map[string]int{"{": 1}}, {}}', '{1}', '{"x": 1}']);
    for (const l of ranges.literals) {
      const node = tree.rootNode.descendantForIndex(l.start, l.end);
      expect([node.type, node.startIndex, node.endIndex]).toEqual(['literal_value', l.start, l.end]);
    }
    expect(ranges.constGroups.map((g) => TRICKY.slice(g.start, g.end))).toEqual(['(\n\ta = iota // {\n\tb\n)']);
    expect(ranges.comments.map((c) => TRICKY.slice(c.start, c.end))).toEqual([
      '// Package p: braces in every place the text scan must not count.',
      '/* a block comment with func f() { and } inside */',
      '//go:noescape',
    ]);
  });

  it('gives up (null) on text that does not lex or balance, so the file is parsed whole', () => {
    expect(lazyRanges('package p\n\nfunc Broken( {\n')).toBeNull();
    expect(lazyRanges('package p\n\nvar s = "unterminated\n')).toBeNull();
    expect(lazyRanges('package p\n\nvar s = `raw\n')).toBeNull();
    expect(lazyRanges('package p\n\n/* open\n')).toBeNull();
    expect(lazyRanges('package p\n\nfunc f() { } }\n')).toBeNull();
  });
});

function inputs(files: Record<string, string>): FileInput[] {
  return Object.entries(files).map(([rel, text]) => ({ rel, bytes: new TextEncoder().encode(text) }));
}

/** The findings of each package, parsed lazily and in full. */
function bothWays(files: FileInput[]): { lazy: unknown; full: unknown; lazyFiles: number } {
  const out = { lazy: [] as unknown[], full: [] as unknown[], lazyFiles: 0 };
  for (const lazy of [true, false]) {
    const parsed = parseDir(files, null, { lazy });
    for (const [name, ins] of parsed.packages) {
      if (lazy) out.lazyFiles += ins.filter((i) => i.bodies).length;
      (lazy ? out.lazy : out.full).push(analyzePackageWithFacts(name, ins).findings);
    }
  }
  return out;
}

describe('a lazy parse finds what a full parse finds', () => {
  it('on every fixture input of the repository', () => {
    const root = join(__dirname, '..', 'fixtures');
    let cases = 0;
    let lazyFiles = 0;
    for (const group of readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory())) {
      for (const name of readdirSync(join(root, group.name), { withFileTypes: true }).filter((d) => d.isDirectory())) {
        const dir = join(root, group.name, name.name);
        const goFiles = readdirSync(dir).filter((f) => f.endsWith('.go') && f !== 'output.go' && !f.endsWith('_test.go'));
        if (goFiles.length === 0) continue;
        const both = bothWays(goFiles.map((f) => ({ rel: f, bytes: readFileSync(join(dir, f)) })));
        expect(both.lazy, `${group.name}/${name.name}`).toEqual(both.full);
        cases++;
        lazyFiles += both.lazyFiles;
      }
    }
    expect(cases).toBeGreaterThan(300);
    // The lazy parse is not a full parse in disguise: nearly every file takes it.
    expect(lazyFiles).toBeGreaterThan(cases * 0.95);
  });

  it('on a file full of braces in strings, comments and types, with a race in it', () => {
    const racy = TRICKY.replace(
      'func last()',
      'var counts = map[int]int{}\n\nfunc Run() {\n\tfor i := 0; i < 2; i++ {\n\t\tgo func() { counts[i]++ }()\n\t}\n}\n\nfunc last()',
    );
    const both = bothWays(inputs({ 'p.go': racy }));
    expect(both.lazyFiles).toBe(1);
    expect(both.lazy).toEqual(both.full);
    expect((both.lazy as { map: { name: string } }[][]).flat().map((f) => f.map.name)).toEqual(['counts']);
  });
});

describe('problems are reported where the analysis reads', () => {
  const racy = 'package p\n\nvar counts = map[int]int{}\n\nfunc Run() {\n\tfor i := 0; i < 2; i++ {\n\t\tgo func() { counts[i]++ }()\n\t}\n}\n';

  it('a syntax error in a declaration: the file is parsed whole and reported as before', () => {
    const result = analyzeDir(inputs({ 'a.go': racy, 'b.go': 'package p\n\ntype T struct {\n\tx int,\n}\n' }), null);
    expect(result.errors).toEqual([{ file: 'b.go', message: expect.stringMatching(/^4:\d+: syntax error: .*; file not analysed$/) }]);
    expect(result.findings.map((f) => f.map.name)).toEqual(['counts']);
  });

  it('a problem in a body the analysis reads: the file falls back to the full parse, the package is analysed again without it', () => {
    const broken = racy.replace('counts[i]++ }()', 'counts[i]++ }()\n\t\tgo counts').replace('func Run', 'func Run2').replace(/counts/g, 'totals');
    const result = analyzeDir(inputs({ 'a.go': racy, 'b.go': broken }), null);
    expect(result.errors).toEqual([{ file: 'b.go', message: '8:3: not valid Go: go statement must be a function call; file not analysed' }]);
    expect(result.findings.map((f) => `${f.span.file} ${f.map.name}`)).toEqual(['a.go counts']);
  });

  it('a problem in a body the analysis never reads is not seen by a scan', () => {
    const result = analyzeDir(inputs({ 'a.go': racy, 'b.go': 'package p\n\nfunc quiet() {\n\tdefer 1\n}\n' }), null);
    expect(result.errors).toEqual([]);
    // The full parse (fix, triage) still sees it.
    const full = parseDir(inputs({ 'b.go': 'package p\n\nfunc quiet() {\n\tdefer 1\n}\n' }), null);
    expect(full.errors).toEqual([{ file: 'b.go', message: '4:2: not valid Go: defer statement must be a function call; file not analysed' }]);
  });
});
