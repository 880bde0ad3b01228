// A Plan's fixes as line hunks of the planned files: what SARIF `fixes` and rdjson `suggestions` carry.
import { diffLines } from 'diff';
import type { Fix, Plan, PlannedFile } from '../../plan/model.js';

/**
 * Lines [startLine, endLine) (1-based, end exclusive) of a planned file's `before` text replaced by
 * `text` (whole lines, each with its line ending). Pure insertions have startLine === endLine.
 */
export interface LineHunk {
  file: string;
  startLine: number;
  endLine: number;
  /** The replaced lines, with their line endings. */
  oldText: string;
  text: string;
}

/** The part of one fix that lands in one file. */
export interface FixFileChange {
  file: string;
  /** The plan creates the file (gomapfix_helpers.go): `hunks` hold its whole text as one insertion. */
  created: boolean;
  hunks: LineHunk[];
}

export interface FixChanges {
  fix: Fix & { pass: number };
  files: FixFileChange[];
}

/**
 * Every fix of the plan with the line hunks it contributes. The hunks are the line diff of each
 * planned file (`before` → `after`, so imports and gofmt's changes are included), each given to the
 * fix that edits nearest to it: applying all hunks of a file gives exactly its `after` text.
 */
export function fixChanges(plan: Plan): FixChanges[] {
  const byFix = new Map<Fix & { pass: number }, Map<string, FixFileChange>>(plan.fixes.map((f) => [f, new Map()]));
  for (const file of plan.files) {
    const fixes = plan.fixes.filter((f) => file.fixes.includes(f.findingId) || f.edits.some((e) => e.file === file.path));
    if (fixes.length === 0) continue;
    for (const hunk of lineHunks(file)) {
      const owner = fixes.length === 1 ? fixes[0]! : nearestFix(fixes, file, hunk);
      const changes = byFix.get(owner)!;
      const change = changes.get(file.path) ?? { file: file.path, created: !!file.created, hunks: [] };
      change.hunks.push(hunk);
      changes.set(file.path, change);
    }
  }
  return plan.fixes.map((fix) => ({ fix, files: [...byFix.get(fix)!.values()] }));
}

/** The line diff of a planned file, one hunk per run of changed lines. */
export function lineHunks(file: PlannedFile): LineHunk[] {
  const hunks: LineHunk[] = [];
  let line = 1;
  let open: LineHunk | null = null;
  for (const part of diffLines(file.before, file.after)) {
    const lines = part.count ?? countLines(part.value);
    if (!part.added && !part.removed) {
      if (open) hunks.push(open);
      open = null;
      line += lines;
      continue;
    }
    open ??= { file: file.path, startLine: line, endLine: line, oldText: '', text: '' };
    if (part.removed) {
      open.oldText += part.value;
      open.endLine += lines;
      line += lines;
    } else {
      open.text += part.value;
    }
  }
  if (open) hunks.push(open);
  return hunks;
}

/** The fix with an edit closest (in lines of `before`) to the hunk; the plan's order breaks ties. */
function nearestFix(fixes: (Fix & { pass: number })[], file: PlannedFile, hunk: LineHunk): Fix & { pass: number } {
  let best = fixes[0]!;
  let bestDistance = Infinity;
  for (const fix of fixes) {
    for (const e of fix.edits) {
      if (e.file !== file.path) continue;
      const first = lineAt(file.before, e.start);
      const last = lineAt(file.before, Math.max(e.start, e.end - 1));
      const distance = last < hunk.startLine ? hunk.startLine - last : first >= hunk.endLine ? first - hunk.endLine + 1 : 0;
      if (distance < bestDistance) {
        best = fix;
        bestDistance = distance;
      }
    }
  }
  return best;
}

function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
  return line;
}

function countLines(s: string): number {
  if (s === '') return 0;
  return s.split('\n').length - (s.endsWith('\n') ? 1 : 0);
}
