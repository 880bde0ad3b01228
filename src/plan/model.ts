// The Plan: one data model behind every front end of `fix` (diff, write, JSON, review, PR).
import type { JsonFinding } from '../scan.js';
import type { SkippedFile } from '../analysis/model.js';
import type { Warning } from '../files/warning.js';

/** A replacement of [start, end) in a file's text (JS string offsets, after a BOM is removed). */
export interface TextEdit {
  file: string;
  start: number;
  end: number;
  text: string;
  /**
   * A whole top-level declaration appended at the end of the file (src/plan/package-decls.ts).
   * Appends of different fixes at one point do not clash: all apply, in fix order.
   */
  append?: boolean;
  /** The edit writes into a file the plan creates (gomapfix_helpers.go); it is applied to empty text. */
  create?: boolean;
}

export type Safety = 'safe' | 'review';

/** One way to resolve one or more findings of one map. */
export interface Fix {
  findingId: string;
  /** Every finding this fix resolves (the same map can be reported at several sites). */
  covers: string[];
  transform: string;
  title: string;
  safety: Safety;
  edits: TextEdit[];
  /** Import paths each touched file needs, by file (e.g. { 'store.go': ['sync'] }). */
  imports: Record<string, string[]>;
  /** Why this fix was chosen, and anything a reviewer should check. */
  reason: string;
}

/** A finding a transform would not rewrite, and why. */
export interface Declined {
  findingId: string;
  transform: string;
  reason: string;
}

/** A fix that did not make it into the plan after the last pass. */
export interface Conflict {
  findingId: string;
  transform: string;
  reason: string;
}

/** A file the plan rewrites. `before`/`after` are the full texts as read and as they will be written. */
export interface PlannedFile {
  path: string;
  /** sha256 of the bytes read at scan time; a write is refused when the file no longer matches. */
  sha256: string;
  before: string;
  after: string;
  /** The fixes (by finding id) that edit this file. */
  fixes: string[];
  /** The file does not exist yet: `before` is '', `sha256` is '', and writing creates it (never overwrites). */
  created?: boolean;
}

export interface Plan {
  version: 1;
  root: string;
  /** The findings of the first pass, as `scan --format json` prints them. */
  findings: JsonFinding[];
  fixes: (Fix & { pass: number })[];
  declined: Declined[];
  conflicts: Conflict[];
  /** Review fixes left out because --include-review was not given. */
  pending: (Fix & { pass: number })[];
  files: PlannedFile[];
  errors: { file: string; message: string }[];
  /** Files deliberately not analysed (generated, oversized, other platforms), as `scan` lists them. */
  skipped: SkippedFile[];
  /** A malformed go.mod, a `...` pattern that matched no Go file. */
  warnings: Warning[];
  /** Go files found (analysed, skipped or in error) and analysed: lets a front end tell a run that checked nothing. */
  inputs: { files: number; analysed: number };
}
