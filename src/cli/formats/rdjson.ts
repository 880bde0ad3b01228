// `--format rdjson` / `rdjsonl`: reviewdog's Diagnostic Format, with the fixes as suggestions (docs/formats.md).
import { ruleDocUrl, toolUrl } from './rule-docs.js';
import { byteColumn, type FormatContext, type FormatReport } from './report.js';
import type { FixChanges, LineHunk } from './fix-hunks.js';

export interface RdPosition {
  line: number;
  column?: number;
}
export interface RdRange {
  start: RdPosition;
  end?: RdPosition;
}
export interface RdSuggestion {
  range: RdRange;
  text: string;
}
export interface RdDiagnostic {
  message: string;
  location: { path: string; range: RdRange };
  severity: 'WARNING' | 'INFO' | 'ERROR';
  source: { name: string; url: string };
  code: { value: string; url: string };
  suggestions?: RdSuggestion[];
  related_locations?: { message: string; location: { path: string; range: RdRange } }[];
}

/**
 * One diagnostic per finding; a fix's hunks become line-wise suggestions (no columns: whole lines
 * replaced, as a GitHub suggestion does). Each diagnostic carries at most one suggestion, because
 * reviewdog posts one comment per diagnostic at its suggestion's lines: the hunk nearest the finding
 * goes on the finding, every other hunk of the fix on a diagnostic of its own ("part i of n").
 */
export function rdDiagnostics(report: FormatReport, ctx: FormatContext): RdDiagnostic[] {
  const source = { name: 'gomapfix', url: toolUrl() };
  const fixOf = new Map<string, FixChanges>(report.fixes.map((c) => [c.fix.findingId, c]));
  const out: RdDiagnostic[] = [];
  for (const f of report.findings) {
    const col = (file: string, line: number, column: number) => byteColumn(ctx.source?.(file), line, column);
    const diagnostic: RdDiagnostic = {
      message: f.message,
      location: { path: f.file, range: { start: { line: f.line, column: col(f.file, f.line, f.column) }, end: { line: f.endLine, column: col(f.file, f.endLine, f.endColumn) } } },
      // A low-confidence finding is INFO: part of its race is assumed (docs/confidence.md).
      severity: f.confidence === 'low' ? 'INFO' : 'WARNING',
      source,
      code: { value: f.rule, url: ruleDocUrl(f.rule) },
      related_locations: f.evidence.map((e) => ({ message: `${e.kind}: ${e.message}`, location: { path: e.file, range: { start: { line: e.line, column: col(e.file, e.line, e.column) } } } })),
    };
    out.push(diagnostic);
    const change = fixOf.get(f.id);
    if (!change) continue;
    const parts = suggestionsOf(change, ctx);
    if (parts.length === 0) continue;
    const mine = nearest(parts.filter((p) => p.file === f.file), f.line);
    if (mine) diagnostic.suggestions = [mine.suggestion];
    const others = parts.filter((p) => p !== mine);
    const created = change.files.filter((c) => c.created).map((c) => c.file);
    const also = [others.length > 0 ? `${others.length} more part${others.length === 1 ? '' : 's'} below` : '', created.length > 0 ? `it also creates ${created.join(', ')} (apply with gomapfix fix --write)` : '']
      .filter(Boolean)
      .join('; ');
    diagnostic.message += `\nFix: ${change.fix.title}${also ? ` (${also})` : ''}`;
    others.forEach((p, i) => {
      out.push({
        message: `Part ${i + (mine ? 2 : 1)} of ${parts.length} of the fix for ${f.rule} on ${f.map.name} (${f.file}:${f.line}): ${change.fix.title}`,
        location: { path: p.file, range: p.suggestion.range },
        severity: 'INFO',
        source,
        code: { value: f.rule, url: ruleDocUrl(f.rule) },
        suggestions: [p.suggestion],
      });
    });
  }
  return out;
}

/** `--format rdjson`: one DiagnosticResult object. */
export function rdjsonText(report: FormatReport, ctx: FormatContext): string {
  return JSON.stringify({ source: { name: 'gomapfix', url: toolUrl() }, severity: 'WARNING', diagnostics: rdDiagnostics(report, ctx) }, null, 2) + '\n';
}

/** `--format rdjsonl`: one Diagnostic per line. */
export function rdjsonlText(report: FormatReport, ctx: FormatContext): string {
  return rdDiagnostics(report, ctx)
    .map((d) => JSON.stringify(d) + '\n')
    .join('');
}

interface Part {
  file: string;
  suggestion: RdSuggestion;
}

/** Every hunk of a fix in an existing file, as a line-wise suggestion (a created file has no lines to suggest on). */
function suggestionsOf(change: FixChanges, ctx: FormatContext): Part[] {
  const parts: Part[] = [];
  for (const file of change.files) {
    if (file.created) continue;
    const text = ctx.source?.(file.file);
    if (text === undefined) continue;
    const lines = text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
    for (const h of file.hunks) parts.push({ file: file.file, suggestion: lineWise(h, lines) });
  }
  return parts;
}

/**
 * A hunk as a line-wise rdjson suggestion: lines start..end (inclusive) replaced by `text` (no final
 * line break). An insertion or a deletion takes the line before it (or after it, at line 1) into the
 * range, since a GitHub suggestion replaces at least one line with at least one line.
 */
export function lineWise(h: LineHunk, lines: string[]): RdSuggestion {
  let start = h.startLine;
  let end = h.endLine; // exclusive
  let text = h.text;
  if (start === end || text === '') {
    if (start > 1) {
      start -= 1;
      text = lines[start - 1]! + text;
    } else {
      text += lines[end - 1] ?? '';
      end += 1;
    }
  }
  const eol = /\r?\n$/.exec(lines[end - 2] ?? '')?.[0];
  if (eol && text.endsWith(eol)) text = text.slice(0, -eol.length);
  return { range: { start: { line: start }, end: { line: end - 1 } }, text };
}

function nearest(parts: Part[], line: number): Part | undefined {
  let best: Part | undefined;
  let bestDistance = Infinity;
  for (const p of parts) {
    const { start, end } = p.suggestion.range;
    const last = end?.line ?? start.line;
    const d = line < start.line ? start.line - line : line > last ? line - last : 0;
    if (d < bestDistance) {
      best = p;
      bestDistance = d;
    }
  }
  return best;
}
