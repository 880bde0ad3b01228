// A fix in a multi-megabyte file is the fix the same code gets in a small file: same edits, the
// result re-parsed and gofmt-formatted, nothing dropped. Correctness only; the timing of big files
// is measured by bench/fix-bigfile.mjs, never here. Real files, real parser, real gofmt.
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { format } from '@wasm-fmt/gofmt';
import { planFixes } from '../src/fix.js';
import { parseGo, type SyntaxNode } from '../src/parse/parser.js';
import { descendants } from '../src/plan/go-syntax.js';
import { compositeLiteralsOf, nameNodes } from '../src/plan/occurrences.js';
import type { ParsedFile } from '../src/analysis/package-index.js';
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
    expect(expected.head).toContain('var countsMu sync.Mutex');
    // Everything between is untouched, and the whole result is what gofmt makes of it.
    expect(after.length - big.source.length).toBe(small.plan.files[0]!.after.length - small.source.length);
    expect(format(after)).toBe(after);
  });
});

// The transforms find names through src/plan/occurrences.ts instead of walking every node of the
// package per finding (findings × package size); it must find exactly what that walk found.
describe('names found in the text and confirmed on the tree', () => {
  const fixtures = join(import.meta.dirname, '..', 'fixtures');
  const inputs = readdirSync(fixtures, { recursive: true, encoding: 'utf8' }).filter((p) => p.endsWith('input.go'));

  it('are the leaves a walk of the whole tree finds, in its order, for every name of every fixture', () => {
    expect(inputs.length).toBeGreaterThan(100);
    let checked = 0;
    for (const rel of inputs) {
      const text = readFileSync(join(fixtures, rel), 'utf8');
      const tree = parseGo(text);
      const file = { rel, text, tree } as unknown as ParsedFile;
      const walked = new Map<string, SyntaxNode[]>();
      for (const n of descendants(tree.rootNode)) {
        if (n.namedChildCount > 0 || !/^(identifier|type_identifier|field_identifier|package_identifier)$/.test(n.type)) continue;
        walked.set(n.text, [...(walked.get(n.text) ?? []), n]);
      }
      for (const [name, nodes] of walked) {
        const found = nameNodes(file, name).filter((n) => /^(identifier|type_identifier|field_identifier|package_identifier)$/.test(n.type));
        expect(found.map((n) => `${n.type}@${n.startIndex}`), `${rel}: ${name}`).toEqual(nodes.map((n) => `${n.type}@${n.startIndex}`));
        checked++;
      }
      // Composite literals of each struct type, as a walk that compares the literal's type finds them.
      for (const type of new Set(tree.rootNode.descendantsOfType('type_spec').map((t) => t.childForFieldName('name')?.text ?? ''))) {
        const walk = [...descendants(tree.rootNode)].filter((n) => n.type === 'composite_literal' && n.childForFieldName('type')?.text === type);
        expect(compositeLiteralsOf(file, type, false).map((n) => n.startIndex), `${rel}: ${type}{…}`).toEqual(walk.map((n) => n.startIndex));
      }
    }
    expect(checked).toBeGreaterThan(1000);
  });
});
