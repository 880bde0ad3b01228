// `--format github`: GitHub Actions workflow commands, one annotation per finding (docs/formats.md).
import { rootRelative, type FormatContext, type FormatReport } from './report.js';

/** Workflow command data: `%`, CR and LF are escaped (as @actions/core's escapeData does). */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Workflow command property values: also `:` and `,`, which separate properties (escapeProperty). */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

/** One `::warning` per finding (`::notice` for one of low confidence) (evidence on the following lines of the message), `::error` per unreadable file. */
export function githubText(report: FormatReport, ctx: FormatContext): string {
  const path = (file: string) => rootRelative(ctx, file) ?? file;
  const lines: string[] = [];
  for (const f of report.findings) {
    const evidence = f.evidence.map((e) => `${e.kind} ${path(e.file)}:${e.line}:${e.column}: ${e.message}`);
    // A low-confidence finding is a notice: part of its race is assumed (docs/confidence.md).
    const low = f.confidence === 'low' ? [`low confidence: ${f.confidenceReason ?? 'part of the race is assumed'}`] : [];
    lines.push(
      command(
        f.confidence === 'low' ? 'notice' : 'warning',
        { file: path(f.file), line: f.line, col: f.column, endLine: f.endLine, endColumn: f.endColumn, title: `gomapfix ${f.rule}: ${f.map.name}` },
        [f.message, ...evidence, ...low, `(finding ${f.id})`].join('\n'),
      ),
    );
  }
  for (const e of report.errors) lines.push(command('error', { file: path(e.file), title: 'gomapfix: file not analysed' }, e.message));
  for (const w of report.warnings) lines.push(command('warning', { ...(w.file ? { file: path(w.file) } : {}), ...(w.line ? { line: w.line } : {}), title: 'gomapfix warning' }, w.message));
  return lines.map((l) => l + '\n').join('');
}

/** `::name key=value,…::message`, properties in the order given. */
export function command(name: 'warning' | 'error' | 'notice', properties: Record<string, string | number>, message: string): string {
  const props = Object.entries(properties)
    .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
    .join(',');
  return `::${name}${props ? ` ${props}` : ''}::${escapeData(message)}`;
}
