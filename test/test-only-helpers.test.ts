// An unexported function only the package's tests call (its name is written in no other non-test
// file) runs in the tests' steps, not alongside the package's real callers (docs/rules.md,
// "Functions only tests call"). A production caller, or a package without exported functions
// (driven only by its tests), keeps the finding.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp, REPO } from './helpers/cli.js';
import { lineOf, scanFiles } from './helpers/variants.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const DIR = join(REPO, 'fixtures/negative/helper-only-tests-call');
const BASE = readFileSync(join(DIR, 'input.go'), 'utf8');
const TEST = readFileSync(join(DIR, 'race_test.go'), 'utf8');

const scan = (src: string): string[] => scanFiles({ 'input.go': src, 'race_test.go': TEST }).map((f) => `${f.rule}@${f.line}`);

describe('a helper only tests call', () => {
  it('reading without the lock (the fixture): no finding', () => {
    expect(scan(BASE)).toEqual([]);
  });

  it('called by an exported method too: reported', () => {
    const src = `${BASE}\n// Size is the exported way in.\nfunc (r *Registry) Size() int {\n\treturn r.size()\n}\n`;
    expect(scan(src)).toContain(`unguarded-map-access@${lineOf(src, 'return len(r.items)')}`);
  });

  it('used as a method value by the package: reported', () => {
    const src = `${BASE}\n// Sizer hands out the helper.\nfunc (r *Registry) Sizer() func() int {\n\treturn r.size\n}\n`;
    expect(scan(src)).toContain(`unguarded-map-access@${lineOf(src, 'return len(r.items)')}`);
  });

  it('in a package with no exported function, where the tests are the only callers: reported', () => {
    const src = BASE.replace(/func \(r \*Registry\) Add\(/, 'func (r *Registry) add(').replace(/func \(r \*Registry\) Count\(/, 'func (r *Registry) count(').replace('func NewRegistry(', 'func newRegistry(');
    expect(scanFiles({ 'input.go': src }).map((f) => `${f.rule}@${f.line}`)).toContain(`unguarded-map-access@${lineOf(src, 'return len(r.items)')}`);
  });
});
