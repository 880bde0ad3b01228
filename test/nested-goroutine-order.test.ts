// Set-up before a `go` statement is ordered before the goroutine and before every goroutine that
// goroutine starts in turn (docs/ordering.md, "Goroutines started by goroutines").
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp, REPO, scanJson, tempTree } from './helpers/cli.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const BASE = readFileSync(join(REPO, 'fixtures/negative/set-up-before-nested-goroutines/input.go'), 'utf8');
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

describe('set-up before goroutines that goroutines start', () => {
  it('written before the outer go statement (the fixture): no finding', () => {
    expect(scan(BASE)).toEqual([]);
  });

  it('written after the outer go statement: races with the inner readers', () => {
    const src = swap('\tfor i, n := range names {\n\t\tm.instances[n] = i\n\t}\n\tgo m.watch()', '\tgo m.watch()\n\tfor i, n := range names {\n\t\tm.instances[n] = i\n\t}');
    expect(scan(src)).toContain(`concurrent-map-write@${lineOf(src, 'm.instances[n] = i')}`);
  });

  it('the middle function also called in place by an exported method: races', () => {
    const src = `${BASE}\n// Watch runs the watcher in the caller's goroutine.\nfunc (m *Manager) Watch() { m.watch() }\n\n// Rename renames an instance.\nfunc (m *Manager) Rename(from, to string) {\n\tm.instances[to] = m.instances[from]\n}\n`;
    // One finding per map, at its first racing write (Run's, no longer ordered before the readers).
    expect(scan(src)).toContain(`concurrent-map-write@${lineOf(src, 'm.instances[n] = i')}`);
  });
});
