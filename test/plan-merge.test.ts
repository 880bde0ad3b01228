// The edit engine: merging fixes, adding imports, applying edits, and rejecting unparseable results.
import { describe, expect, it } from 'vitest';
import { mergeFixes, overlaps, editsForFile } from '../src/plan/merge.js';
import { applyEdits, rewriteFile, isGofmtClean } from '../src/plan/apply.js';
import { importEdits } from '../src/plan/imports.js';
import { parseGo } from '../src/parse/parser.js';
import type { Fix, TextEdit } from '../src/plan/model.js';

function fix(id: string, edits: TextEdit[], imports: Record<string, string[]> = {}): Fix {
  return { findingId: id, covers: [id], transform: 'mutex-wrap', title: id, safety: 'safe', edits, imports, reason: '' };
}
const ins = (file: string, at: number, text: string): TextEdit => ({ file, start: at, end: at, text });

describe('mergeFixes', () => {
  it('accepts fixes whose edits do not overlap, in a fixed order', () => {
    const a = fix('a', [ins('x.go', 10, 'A')]);
    const b = fix('b', [ins('x.go', 5, 'B')]);
    const { accepted, deferred } = mergeFixes([a, b]);
    expect(accepted.map((f) => f.findingId)).toEqual(['b', 'a']);
    expect(deferred).toEqual([]);
  });

  it('defers a fix whose edit overlaps an accepted one, whole, with the reason', () => {
    const a = fix('a', [{ file: 'x.go', start: 10, end: 20, text: 'A' }]);
    const b = fix('b', [ins('y.go', 0, 'first file, no clash'), { file: 'x.go', start: 15, end: 25, text: 'B' }]);
    const { accepted, deferred } = mergeFixes([a, b]);
    expect(accepted.map((f) => f.findingId)).toEqual(['a']);
    expect(deferred.map((d) => d.fix.findingId)).toEqual(['b']);
    expect(deferred[0]!.reason).toContain('overlaps the fix for finding a');
  });

  it('merges identical inserts of two fixes instead of deferring', () => {
    const shared = ins('x.go', 3, 'var mu sync.Mutex\n');
    const a = fix('a', [shared, ins('x.go', 40, 'a')]);
    const b = fix('b', [{ ...shared }, ins('x.go', 60, 'b')]);
    const { accepted, deferred } = mergeFixes([a, b]);
    expect(accepted).toHaveLength(2);
    expect(deferred).toEqual([]);
    expect(editsForFile(accepted, 'x.go').filter((e) => e.start === 3)).toHaveLength(1);
  });

  it('treats two different inserts at one offset as a conflict (their order would be arbitrary)', () => {
    expect(overlaps(ins('x.go', 3, 'a'), ins('x.go', 3, 'b'))).toBe(true);
    expect(overlaps(ins('x.go', 3, 'a'), { file: 'x.go', start: 3, end: 5, text: '' })).toBe(false);
    expect(overlaps(ins('x.go', 4, 'a'), { file: 'x.go', start: 3, end: 5, text: '' })).toBe(true);
    expect(overlaps(ins('x.go', 4, 'a'), ins('y.go', 4, 'b'))).toBe(false);
  });

  it('keeps a multi-file fix whole: a clash in its second file defers all of it', () => {
    const a = fix('a', [ins('a.go', 1, 'A1'), ins('c.go', 7, 'A2')]);
    const m = fix('m', [ins('b.go', 1, 'M1'), ins('c.go', 7, 'M2')]);
    const { accepted, deferred } = mergeFixes([a, m]);
    expect(accepted.map((f) => f.findingId)).toEqual(['a']);
    expect(deferred.map((d) => d.fix.findingId)).toEqual(['m']);
  });
});

describe('imports', () => {
  const add = (src: string, paths: string[]) => {
    const tree = parseGo(src);
    return applyEdits(src, importEdits('x.go', src, tree, paths));
  };

  it('adds an import declaration to a file with none', () => {
    expect(add('package p\n\nvar x = 1\n', ['sync'])).toBe('package p\n\nimport "sync"\n\nvar x = 1\n');
  });

  it('turns a single import into a sorted group', () => {
    expect(add('package p\n\nimport "fmt"\n\nvar x = fmt.Sprint(1)\n', ['sync'])).toBe('package p\n\nimport (\n\t"fmt"\n\t"sync"\n)\n\nvar x = fmt.Sprint(1)\n');
  });

  it('inserts into the first group of a grouped block, in sorted position', () => {
    const src = 'package p\n\nimport (\n\t"fmt"\n\t"time"\n\n\t"example.com/x"\n)\n';
    expect(add(src, ['sync'])).toBe('package p\n\nimport (\n\t"fmt"\n\t"sync"\n\t"time"\n\n\t"example.com/x"\n)\n');
    expect(add('package p\n\nimport (\n\t"fmt"\n)\n', ['sync'])).toBe('package p\n\nimport (\n\t"fmt"\n\t"sync"\n)\n');
  });

  it('adds nothing when the path is already imported, and merges duplicate requests', () => {
    const src = 'package p\n\nimport (\n\t"sync"\n)\n';
    expect(importEdits('x.go', src, parseGo(src), ['sync', 'sync'])).toEqual([]);
    expect(add('package p\n', ['sync', 'sync'])).toBe('package p\n\nimport "sync"\n');
  });

  it('keeps CRLF line endings', () => {
    expect(add('package p\r\n\r\nimport "fmt"\r\n', ['sync'])).toBe('package p\r\n\r\nimport (\r\n\t"fmt"\r\n\t"sync"\r\n)\r\n');
  });
});

describe('rewriteFile', () => {
  it('drops a result that would not parse, with the position', () => {
    const src = 'package p\n\nfunc f() {\n}\n';
    const r = rewriteFile('x.go', src, [ins('x.go', src.indexOf('}'), 'if {\n')], []);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.message).toMatch(/would not parse \(\d+:\d+: syntax error/);
  });

  it('gofmt-formats the result of a gofmt-clean file', () => {
    const src = 'package p\n\nvar m = map[string]int{}\n\nfunc f() {\n\tm["a"] = 1\n}\n';
    expect(isGofmtClean(src)).toBe(true);
    const at = src.indexOf('\tm["a"]') + 1;
    const r = rewriteFile('x.go', src, [ins('x.go', at, 'mu.Lock()\n      ')], []);
    expect(r).toEqual({ ok: true, text: 'package p\n\nvar m = map[string]int{}\n\nfunc f() {\n\tmu.Lock()\n\tm["a"] = 1\n}\n' });
  });

  it('never reformats a file that was not gofmt-clean', () => {
    const src = 'package p\n\nvar m = map[string]int{}\nfunc f() {\n  m["a"] = 1\n}\n';
    expect(isGofmtClean(src)).toBe(false);
    const at = src.indexOf('m["a"]');
    const r = rewriteFile('x.go', src, [ins('x.go', at, 'mu.Lock()\n  ')], []);
    expect(r).toEqual({ ok: true, text: 'package p\n\nvar m = map[string]int{}\nfunc f() {\n  mu.Lock()\n  m["a"] = 1\n}\n' });
  });

  it('formats a CRLF file and keeps it CRLF', () => {
    const src = 'package p\r\n\r\nfunc f() {\r\n\tx := 1\r\n\t_ = x\r\n}\r\n';
    const r = rewriteFile('x.go', src, [ins('x.go', src.indexOf('\tx :=') + 1, 'y := 2\r\n\t_ = y\r\n\t')], ['sync']);
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.text).toBe('package p\r\n\r\nimport "sync"\r\n\r\nfunc f() {\r\n\ty := 2\r\n\t_ = y\r\n\tx := 1\r\n\t_ = x\r\n}\r\n');
      expect(r.text.replace(/\r\n/g, '')).not.toContain('\n');
    }
  });
});
