// A fix in a multi-megabyte file is the fix the same code gets in a small file: same edits, the
// result re-parsed and gofmt-formatted, nothing dropped. Correctness only; the timing of big files
// is measured by bench/fix-bigfile.mjs, never here. Real files, real parser, real gofmt.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { format } from '@wasm-fmt/gofmt';
import { planFixes } from '../src/fix.js';
// @ts-expect-error: a plain .mjs benchmark script, without type declarations
import { bigGoSource } from '../bench/fix-bigfile.mjs';

const made: string[] = [];
afterAll(() => {
  for (const d of made) rmSync(d, { recursive: true, force: true });
});

/** Plans `fix --strategy mutex-wrap` over a module holding one generated file of about `bytes` bytes. */
function planFor(bytes: number) {
  const dir = mkdtempSync(join(tmpdir(), 'gomapfix-bigfile-'));
  made.push(dir);
  mkdirSync(dir, { recursive: true });
  const source = (bigGoSource as (n: number) => string)(bytes);
  writeFileSync(join(dir, 'go.mod'), 'module example.com/big\n\ngo 1.19\n');
  writeFileSync(join(dir, 'big.go'), source);
  const plan = planFixes(['.'], { cwd: dir, strategy: 'mutex-wrap', maxFileSize: 64 * 1024 * 1024 });
  return { source, plan };
}

/** The text from the racy function to the end, and the head up to the first filler function. */
function racyParts(text: string): { head: string; tail: string } {
  return { head: text.slice(0, text.indexOf('// filler0 ')), tail: text.slice(text.indexOf('// Run writes counts')) };
}

describe('fix in a big file', () => {
  it('applies the fix in a 4 MB file exactly as in a small one, gofmt-formatted', { timeout: 600_000 }, () => {
    const small = planFor(4 * 1024);
    const big = planFor(4 * 1024 * 1024);
    expect(big.source.length).toBeGreaterThan(4 * 1024 * 1024);
    for (const { plan } of [small, big]) {
      expect(plan.findings.map((f) => f.rule)).toEqual(['concurrent-map-write']);
      expect(plan.declined).toEqual([]);
      expect(plan.conflicts).toEqual([]);
      expect(plan.fixes).toHaveLength(1);
      expect(plan.files.map((f) => f.path)).toEqual(['big.go']);
    }
    const after = big.plan.files[0]!.after;
    const expected = racyParts(small.plan.files[0]!.after);
    expect(racyParts(after)).toEqual(expected);
    expect(expected.tail).toContain('\t\t\tcountsMu.Lock()\n');
    expect(expected.head).toContain('var countsMu sync.RWMutex');
    // Everything between is untouched, and the whole result is what gofmt makes of it.
    expect(after.length - big.source.length).toBe(small.plan.files[0]!.after.length - small.source.length);
    expect(format(after)).toBe(after);
  });
});
