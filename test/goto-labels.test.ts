// A label a `goto` jumps to holds what every jump to it (and the fall-through into it) holds; a
// comment between a label and its statement does not hide the statement (docs/locks.md).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp, REPO, scanJson, tempTree } from './helpers/cli.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const BASE = readFileSync(join(REPO, 'fixtures/negative/goto-label-under-lock/input.go'), 'utf8');
const GO_MOD = 'module example.com/fixture\n\ngo 1.19\n';

const scan = (src: string): string[] => {
  const dir = tempTree({ 'go.mod': GO_MOD, 'input.go': src });
  return scanJson([dir]).report.findings.map((f) => `${f.rule}@${f.line}`);
};
const lineOf = (src: string, text: string) => src.split('\n').findIndex((l) => l.includes(text)) + 1;
const swap = (from: string, to: string) => {
  const src = BASE.replace(from, to);
  expect(src).not.toBe(BASE);
  return src;
};

describe('goto and labels', () => {
  it('every jump to the label holds the lock (the fixture): no finding', () => {
    expect(scan(BASE)).toEqual([]);
  });

  it('a jump made after the unlock leaves the label unguarded', () => {
    const src = swap('\t\tif next < 0 {\n\t\t\tgoto waitForWork\n\t\t}', '\t\tif next < 0 {\n\t\t\tq.mu.Unlock()\n\t\t\tq.mu.Lock()\n\t\t\tq.mu.Unlock()\n\t\t\tgoto waitForWork\n\t\t}');
    expect(scan(src)).toContain(`unguarded-map-access@${lineOf(src, 'if len(q.waiting) > 100')}`);
  });

  it('a fall-through into the label without the lock leaves it unguarded', () => {
    const src = swap('\t\tq.out <- next\n\t\tcontinue\n', '\t\tq.out <- next\n');
    expect(scan(src)).toContain(`unguarded-map-access@${lineOf(src, 'if len(q.waiting) > 100')}`);
  });
});
