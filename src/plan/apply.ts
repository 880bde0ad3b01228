// Applying a file's edits with magic-string, then proving the result parses and formatting it.
import MagicString from 'magic-string';
import { format } from './gofmt.js';
import { parseGo, firstSyntaxProblem } from '../parse/parser.js';
import { firstGoRuleProblem } from '../parse/go-rules.js';
import type { TextEdit } from './model.js';
import { importEdits } from './imports.js';

export type ApplyResult = { ok: true; text: string } | { ok: false; message: string };

/** Applies non-overlapping edits (sorted or not) to a text. Inserts at one offset keep their order. */
export function applyEdits(text: string, edits: TextEdit[]): string {
  const s = new MagicString(text);
  const sorted = edits.map((e, i) => ({ e, i })).sort((a, b) => a.e.start - b.e.start || a.i - b.i);
  for (const { e } of sorted) {
    if (e.start === e.end) s.appendLeft(e.start, e.text);
    else if (e.text === '') s.remove(e.start, e.end);
    else s.overwrite(e.start, e.end, e.text);
  }
  return s.toString();
}

/** Whether gofmt leaves the text as it is (line endings aside). */
export function isGofmtClean(text: string): boolean {
  const lf = text.replace(/\r\n/g, '\n');
  try {
    return format(lf) === lf;
  } catch {
    return false;
  }
}

export interface RewriteOptions {
  /**
   * Whether `before` is gofmt-clean, when the caller knows it already: finding out runs gofmt over
   * the whole file, which is most of the cost of rewriting a big file.
   */
  gofmtClean?: boolean;
}

/**
 * The new text of a file: edits applied, imports added, re-parsed (no error nodes, none of Go's
 * syntax rules broken), accepted by gofmt's parser and, when the original was gofmt-clean,
 * gofmt-formatted. CRLF files stay CRLF.
 */
export function rewriteFile(rel: string, before: string, edits: TextEdit[], imports: string[], options: RewriteOptions = {}): ApplyResult {
  let text = applyEdits(before, edits);
  if (imports.length > 0) {
    const tree = parseGo(text);
    text = applyEdits(text, importEdits(rel, text, tree, imports));
  }
  const tree = parseGo(text);
  const problem = firstSyntaxProblem(tree) ?? firstGoRuleProblem(tree, text);
  if (problem) return { ok: false, message: `the rewritten file would not parse (${problem.line}:${problem.column}: ${problem.message})` };
  if (options.gofmtClean ?? isGofmtClean(before)) {
    const crlf = before.includes('\r\n');
    try {
      const formatted = format(text.replace(/\r\n/g, '\n'));
      text = crlf ? formatted.replace(/\n/g, '\r\n') : formatted;
    } catch (err) {
      return { ok: false, message: `gofmt rejected the rewritten file: ${(err as Error).message ?? String(err)}` };
    }
  } else {
    // gofmt's parser is Go's own: a result it rejects is never written, formatted or not.
    try {
      format(text.replace(/\r\n/g, '\n'));
    } catch (err) {
      return { ok: false, message: `gofmt rejected the rewritten file: ${(err as Error).message ?? String(err)}` };
    }
  }
  return { ok: true, text };
}
