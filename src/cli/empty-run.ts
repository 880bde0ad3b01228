// A run that found Go files but analysed none of them must not look like a clean run (CI would pass it).
import type { FileError, SkippedFile } from '../analysis/model.js';

/** What a scan or a plan says about its input files. */
export interface InputAccount {
  /** Go files found: analysed, skipped or in error. */
  files: number;
  analysed: number;
  errors: FileError[];
  skipped: SkippedFile[];
}

/**
 * Why a run analysed no Go file although it found some, or null when it analysed at least one.
 * `failed`: some file could not be read or parsed (exit 2); otherwise every file was skipped on
 * purpose, generated or outside the build, and there was simply nothing to analyse (exit 0).
 */
export function emptyRun(a: InputAccount): { failed: boolean; message: string } | null {
  if (a.files === 0 || a.analysed > 0) return null;
  const files = a.files === 1 ? 'the only Go file' : `all ${a.files} Go files`;
  if (a.errors.length === 0) return { failed: false, message: `nothing to analyse: ${files} ${a.files === 1 ? 'was' : 'were'} skipped (${tally(a.skipped.map((s) => skipKind(s.reason)))})` };
  const what = tally([...a.errors.map((e) => errorKind(e.message)), ...a.skipped.map(() => 'skipped')]);
  const none = a.files === 1 ? 'the only Go file could not be analysed' : `none of the ${a.files} Go files could be analysed`;
  return { failed: true, message: `${none} (${what}); nothing was checked` };
}

function errorKind(message: string): string {
  if (message.startsWith('cannot read')) return 'unreadable';
  if (/syntax error/.test(message)) return 'syntax error';
  if (/not valid Go:/.test(message)) return 'not valid Go';
  if (/cannot parse/.test(message)) return 'not parsed by gomapfix';
  if (/over the .*limit/.test(message)) return 'too big';
  return 'not UTF-8 Go text';
}

function skipKind(reason: string): string {
  if (reason.startsWith('generated')) return 'generated';
  if (reason.startsWith('not in the ')) return 'outside the build';
  if (reason.includes('--max-file-size')) return 'over --max-file-size';
  return 'not followed';
}

/** `["syntax error", "syntax error", "unreadable"]` → `2 syntax errors, 1 unreadable`. */
function tally(kinds: string[]): string {
  const counts = new Map<string, number>();
  for (const k of kinds) counts.set(k, (counts.get(k) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${n} ${n === 1 || k !== 'syntax error' ? k : 'syntax errors'}`).join(', ');
}
