// The in-process gofmt (real @wasm-fmt/gofmt wasm) survives its own crashes: a file that traps
// the wasm module is refused alone, and the files after it are still checked and formatted.
import { describe, expect, it } from 'vitest';
import { format } from '../src/plan/gofmt.js';
import { isGofmtClean, rewriteFile } from '../src/plan/apply.js';

// Valid Go that makes the wasm gofmt trap ("memory access out of bounds"): 100 nested literals.
const DEEP = `package p\n\nvar a = ${'[]'.repeat(100)}int${'{'.repeat(100)}42${'}'.repeat(100)}\n`;
const PLAIN = 'package p\n\nfunc f() {\n\tprintln(1)\n}\n';

/** Runs `fn` with a PATH on which there is no gofmt (the machine's Go lives elsewhere). */
function withoutToolchainGofmt<T>(fn: () => T): T {
  const saved = process.env.PATH;
  process.env.PATH = '/nonexistent';
  try {
    return fn();
  } finally {
    process.env.PATH = saved;
  }
}

describe('gofmt in process', () => {
  it('reports a crash as an error when no gofmt is on PATH, and keeps working for the next file', () => {
    expect(() => withoutToolchainGofmt(() => format(DEEP))).toThrow(/^gofmt crashed \(.+\) and no gofmt on PATH could check the file instead$/);
    expect(format('package p\nfunc  f() {}\n')).toBe('package p\n\nfunc f() {}\n');
    expect(() => format('package p\nfunc f() { go x }\n')).toThrow(/expression in go must be function call/);
  });

  it("hands a file the wasm gofmt traps on to the toolchain's gofmt: formatted, or rejected with Go's message", () => {
    expect(format(DEEP.replace('var a =', 'var  a ='))).toBe(DEEP);
    expect(() => format(`${DEEP}func f() { go x }\n`)).toThrow(/expression in go must be function call/);
  });

  it('a rewrite after a crash is still checked and formatted', () => {
    expect(withoutToolchainGofmt(() => isGofmtClean(DEEP))).toBe(false);
    const at = PLAIN.indexOf('println(1)\n') + 'println(1)\n'.length;
    const r = rewriteFile('p.go', PLAIN, [{ file: 'p.go', start: at, end: at, text: '\tprintln( 2 )\n' }], []);
    expect(r).toEqual({ ok: true, text: 'package p\n\nfunc f() {\n\tprintln(1)\n\tprintln(2)\n}\n' });
  });
});
