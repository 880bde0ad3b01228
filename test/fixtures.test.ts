// Walks fixtures/: every case's expect.json lists exactly the findings the scanner must report.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scan } from '../src/index.js';
import { caseDirs } from './helpers/go-toolchain.js';

interface Expected {
  description: string;
  race?: boolean;
  /** Scan with `--hazards` (docs/rules.md): the case pins a lock-held-across-callback hazard. */
  hazards?: boolean;
  findings: { rule: string; map: string; line: number; file?: string }[];
}

const root = join(import.meta.dirname, '..', 'fixtures');

const all = caseDirs(root);

describe('fixtures: scan reports exactly what expect.json lists', () => {
  it('has the fixture corpus the issue asks for (≥ 50 cases, ≥ 20 negatives)', () => {
    const expectations = all.map((c) => JSON.parse(readFileSync(join(c, 'expect.json'), 'utf8')) as Expected);
    expect(all.length).toBeGreaterThanOrEqual(50);
    expect(expectations.filter((e) => e.findings.length === 0).length).toBeGreaterThanOrEqual(20);
  });

  for (const dir of all) {
    const name = relative(root, dir);
    it(name, async () => {
      const expected = JSON.parse(readFileSync(join(dir, 'expect.json'), 'utf8')) as Expected;
      const inputs = readdirSync(dir).filter((f) => f.endsWith('.go') && !f.endsWith('_test.go') && !f.startsWith('output'));
      const result = await scan(inputs, { cwd: dir, workers: 0, ...(expected.hazards ? { hazards: true } : {}) });
      expect(result.errors).toEqual([]);
      const actual = result.findings.map((f) => `${f.rule} ${f.map.name} ${f.file}:${f.line}`).sort();
      const want = expected.findings.map((f) => `${f.rule} ${f.map} ${f.file ?? 'input.go'}:${f.line}`).sort();
      expect(actual, expected.description).toEqual(want);
      for (const f of result.findings) {
        expect(f.evidence.length, 'every finding carries evidence').toBeGreaterThan(0);
        expect(f.evidence.some((e) => e.kind === 'declaration')).toBe(true);
      }
    });
  }
});

// A real package is scanned with its tests. A race test that drives the package from several
// goroutines must not hide what the package's own code does: every finding expect.json lists is
// still reported when the case's *_test.go files are scanned too.
describe('fixtures: the findings survive scanning the tests as well', () => {
  for (const dir of all) {
    const name = relative(root, dir);
    const expected = JSON.parse(readFileSync(join(dir, 'expect.json'), 'utf8')) as Expected;
    if (expected.findings.length === 0 || !readdirSync(dir).some((f) => f.endsWith('_test.go'))) continue;
    it(name, async () => {
      const inputs = readdirSync(dir).filter((f) => f.endsWith('.go') && !f.startsWith('output'));
      const result = await scan(inputs, { cwd: dir, workers: 0, ...(expected.hazards ? { hazards: true } : {}) });
      const actual = new Set(result.findings.map((f) => `${f.rule} ${f.map.name} ${f.file}:${f.line}`));
      for (const f of expected.findings) expect([...actual], expected.description).toContain(`${f.rule} ${f.map} ${f.file ?? 'input.go'}:${f.line}`);
    });
  }
});
