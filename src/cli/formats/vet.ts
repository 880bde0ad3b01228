// `--format vet`: `file:line:col: message (rule)`, the lines go vet and staticcheck print (docs/formats.md).
import type { FormatReport } from './report.js';

/** One line per finding, paths relative to the current directory; a line break in a message becomes a space. */
export function vetText(report: FormatReport): string {
  return report.findings.map((f) => `${f.file}:${f.line}:${f.column}: ${oneLine(f.message)} (${f.rule})\n`).join('');
}

/** Files not analysed, for stderr: `file:line:col: message` when the message starts with a position (a syntax error), else `file: message`. */
export function vetErrors(report: FormatReport): string {
  return report.errors
    .map((e) => {
      const at = /^(\d+):(\d+): (.*)$/s.exec(e.message);
      return at ? `${e.file}:${at[1]}:${at[2]}: ${oneLine(at[3]!)}\n` : `${e.file}: ${oneLine(e.message)}\n`;
    })
    .join('');
}

function oneLine(s: string): string {
  return s.replace(/\s*[\r\n]+\s*/g, ' ');
}
