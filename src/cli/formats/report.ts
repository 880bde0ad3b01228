// What the machine formats print: the findings of a scan, or of a Plan with its fixes.
import { isAbsolute, relative, resolve, sep } from 'node:path';
import type { FileError, SkippedFile } from '../../analysis/model.js';
import type { Warning } from '../../files/warning.js';
import type { Plan } from '../../plan/model.js';
import type { JsonFinding, ScanResult } from '../../scan.js';
import { fixChanges, type FixChanges } from './fix-hunks.js';

/** One model for sarif, rdjson, github and vet; `fixes` is empty for `scan`. */
export interface FormatReport {
  findings: JsonFinding[];
  errors: FileError[];
  skipped: SkippedFile[];
  warnings: Warning[];
  fixes: FixChanges[];
}

/** Where the run happened: paths in the report are relative to `cwd`. */
export interface FormatContext {
  cwd: string;
  /** The repository root (git work tree, else cwd): SARIF's %SRCROOT%, GitHub's file= paths. */
  root: string;
  /** gomapfix's version (SARIF tool.driver.version). */
  version: string;
  /** A file's text by its report path, for UTF-8 byte columns (rdjson); undefined when unreadable. */
  source?: (file: string) => string | undefined;
}

export function scanReport(result: ScanResult): FormatReport {
  return { findings: result.findings, errors: result.errors, skipped: result.skipped, warnings: result.warnings, fixes: [] };
}

export function planReport(plan: Plan): FormatReport {
  return { findings: plan.findings, errors: plan.errors, skipped: plan.skipped, warnings: plan.warnings, fixes: fixChanges(plan) };
}

/** A report path (relative to cwd) as a '/'-separated path relative to the repository root, or null outside it. */
export function rootRelative(ctx: FormatContext, file: string): string | null {
  const rel = relative(ctx.root, resolve(ctx.cwd, file));
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return null;
  return rel.split(sep).join('/');
}

/** A 1-based UTF-16 column of a line as a 1-based UTF-8 byte column (reviewdog counts bytes). */
export function byteColumn(text: string | undefined, line: number, column: number): number {
  if (text === undefined) return column;
  const lineText = nthLine(text, line);
  if (lineText === undefined) return column;
  return Buffer.byteLength(lineText.slice(0, column - 1), 'utf8') + 1 + Math.max(0, column - 1 - lineText.length);
}

function nthLine(text: string, line: number): string | undefined {
  let start = 0;
  for (let i = 1; i < line; i++) {
    const nl = text.indexOf('\n', start);
    if (nl === -1) return undefined;
    start = nl + 1;
  }
  const end = text.indexOf('\n', start);
  return text.slice(start, end === -1 ? text.length : end);
}
