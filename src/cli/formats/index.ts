// The machine formats of `scan` and `fix`, and the context they need (repository root, file texts).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { PlannedFile } from '../../plan/model.js';
import { githubText } from './github.js';
import { rdjsonlText, rdjsonText } from './rdjson.js';
import type { FormatContext, FormatReport } from './report.js';
import { sarifText } from './sarif.js';
import { vetErrors, vetText } from './vet.js';

export { planReport, scanReport, type FormatContext, type FormatReport } from './report.js';

/** Formats `scan` prints besides text and json. */
export const SCAN_FORMATS = ['vet', 'sarif', 'rdjson', 'rdjsonl', 'github'] as const;
/** Formats `fix` prints besides diff and json: the ones that can carry a fix. */
export const FIX_FORMATS = ['sarif', 'rdjson', 'rdjsonl'] as const;
export type MachineFormat = (typeof SCAN_FORMATS)[number];

/** What a format prints: the report on stdout, and lines for stderr (vet lists unanalysed files there). */
export function formatReport(format: MachineFormat, report: FormatReport, ctx: FormatContext): { stdout: string; stderr: string } {
  switch (format) {
    case 'sarif':
      return { stdout: sarifText(report, ctx), stderr: '' };
    case 'rdjson':
      return { stdout: rdjsonText(report, ctx), stderr: '' };
    case 'rdjsonl':
      return { stdout: rdjsonlText(report, ctx), stderr: '' };
    case 'github':
      return { stdout: githubText(report, ctx), stderr: '' };
    case 'vet':
      return { stdout: vetText(report), stderr: vetErrors(report) };
  }
}

export function isMachineFormat(format: string): format is MachineFormat {
  return (SCAN_FORMATS as readonly string[]).includes(format);
}

/**
 * The context of a run in `cwd`: the repository root is the git work tree around cwd (else cwd);
 * file texts come from the plan's `before` when given, else from disk (BOM removed, as analysed).
 */
export function formatContext(cwd: string, version: string, planned: PlannedFile[] = []): FormatContext {
  const before = new Map(planned.map((f) => [f.path, f.before]));
  const cache = new Map<string, string | undefined>();
  const source = (file: string): string | undefined => {
    if (before.has(file)) return before.get(file);
    if (!cache.has(file)) {
      let text: string | undefined;
      try {
        text = readFileSync(resolve(cwd, file), 'utf8').replace(/^\uFEFF/, '');
      } catch {
        text = undefined;
      }
      cache.set(file, text);
    }
    return cache.get(file);
  };
  return { cwd, root: gitRoot(cwd) ?? cwd, version, source };
}

function gitRoot(cwd: string): string | null {
  const r = spawnSync('git', ['rev-parse', '--show-toplevel'], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  const top = r.status === 0 ? r.stdout.trim() : '';
  return top ? resolve(top) : null;
}
