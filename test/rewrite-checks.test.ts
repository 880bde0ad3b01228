// Before any write, the rewritten file must be Go: no tree-sitter error, none of the Go rules
// tree-sitter does not check broken, and accepted by gofmt's parser (Go's own), whether or not
// the original was gofmt-clean. Real tree-sitter, real @wasm-fmt/gofmt.
import { describe, expect, it } from 'vitest';
import { isGofmtClean, rewriteFile } from '../src/plan/apply.js';
import type { TextEdit } from '../src/plan/model.js';

// Not gofmt-clean (the spaces inside the parentheses), so gofmt does not format it.
const UNFORMATTED = 'package p\n\nfunc f( a int ) {\n\tprintln(a)\n}\n';

function insertAfter(text: string, anchor: string, insert: string): TextEdit {
  const at = text.indexOf(anchor) + anchor.length;
  return { file: 'p.go', start: at, end: at, text: insert };
}

describe('rewriteFile refuses results Go rejects', () => {
  it('a result gofmt rejects is refused with gofmt\'s message, though the original was not gofmt-clean', () => {
    expect(isGofmtClean(UNFORMATTED)).toBe(false);
    // `func f( a int, b )` parses in tree-sitter (b a type); Go says "missing parameter type".
    const r = rewriteFile('p.go', UNFORMATTED, [insertAfter(UNFORMATTED, 'a int', ', b')], []);
    expect(r).toEqual({ ok: false, message: expect.stringMatching(/^gofmt rejected the rewritten file: 3:\d+: missing parameter type/) });
  });

  it('a result that breaks a Go rule is refused with the rule, though tree-sitter parses it', () => {
    const r = rewriteFile('p.go', UNFORMATTED, [insertAfter(UNFORMATTED, 'println(a)\n', '\tgo a\n')], []);
    expect(r).toEqual({ ok: false, message: 'the rewritten file would not parse (5:2: not valid Go: go statement must be a function call)' });
  });

  it('a valid result of an unformatted file is kept as written, not formatted', () => {
    const r = rewriteFile('p.go', UNFORMATTED, [insertAfter(UNFORMATTED, 'println(a)\n', '\tprintln( a )\n')], []);
    expect(r).toEqual({ ok: true, text: 'package p\n\nfunc f( a int ) {\n\tprintln(a)\n\tprintln( a )\n}\n' });
  });
});
