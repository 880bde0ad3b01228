// Variants of a fixture's input.go, scanned as a go 1.19 module: the scanner tests that take a
// negative fixture and check that changing it to race is reported again.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO, scanJson, tempTree, type JsonReport } from './cli.js';

const GO_MOD = 'module example.com/fixture\n\ngo 1.19\n';

/** A fixture's input.go (`fixture`: `negative/<case>`). */
export function fixtureInput(fixture: string): string {
  return readFileSync(join(REPO, 'fixtures', fixture, 'input.go'), 'utf8');
}

/** `base` with the exact text `from` replaced by `to`; throws when `from` is not in `base`. */
export function swapIn(base: string, from: string, to: string): string {
  if (!base.includes(from)) throw new Error(`the variant's text is not in the fixture:\n${from}`);
  return base.replace(from, to);
}

/** The 1-based line of the first line of `src` that contains `text` (0 when none does). */
export function lineOf(src: string, text: string): number {
  return src.split('\n').findIndex((l) => l.includes(text)) + 1;
}

/** The findings of scanning `files` (path → contents) with a go 1.19 go.mod beside them. */
export function scanFiles(files: Record<string, string>): JsonReport['findings'] {
  return scanJson([tempTree({ 'go.mod': GO_MOD, ...files })]).report.findings;
}

/** `rule@line` of each finding of scanning `src` as input.go (see scanFiles). */
export function scanRules(src: string): string[] {
  return scanFiles({ 'input.go': src }).map((f) => `${f.rule}@${f.line}`);
}
