// Which findings a pull request run keeps: those whose site or evidence lies on the change (--scope).
import type { JsonFinding } from '../scan.js';
import { isAdded, type ChangedFile } from './diff.js';

export const SCOPES = ['added', 'diff-context', 'files', 'all'] as const;
export type Scope = (typeof SCOPES)[number];

/** The lines a finding is about: its site (every line of it) and each piece of evidence. */
export function findingLines(f: JsonFinding): { file: string; line: number }[] {
  const out: { file: string; line: number }[] = [];
  for (let l = f.line; l <= Math.max(f.line, f.endLine); l++) out.push({ file: f.file, line: l });
  for (const e of f.evidence) out.push({ file: e.file, line: e.line });
  return out;
}

/**
 * `added`: a site or evidence line is a line the change adds; `diff-context`: within `context`
 * lines of one; `files`: in a file the change touches; `all`: every finding of the analysed packages.
 */
export function inScope(f: JsonFinding, changed: ReadonlyMap<string, ChangedFile>, scope: Scope, context: number): boolean {
  if (scope === 'all') return true;
  return findingLines(f).some(({ file, line }) => {
    const c = changed.get(toSlash(file));
    if (!c || c.status === 'deleted') return false;
    if (scope === 'files') return true;
    if (scope === 'added') return isAdded(c, line);
    return c.hunks.some((h) => h.added.some((a) => Math.abs(a - line) <= context));
  });
}

export function toSlash(p: string): string {
  return p.split('\\').join('/');
}
