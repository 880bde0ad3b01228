// The terminal report of `scan`: findings grouped by file, each with its evidence.
import pc from 'picocolors';
import type { ScanResult } from '../scan.js';

export function textReport(result: ScanResult, color: boolean): string {
  const c = pc.createColors(color);
  const lines: string[] = [];
  const byFile = new Map<string, ScanResult['findings']>();
  for (const f of result.findings) {
    const list = byFile.get(f.file) ?? [];
    list.push(f);
    byFile.set(f.file, list);
  }
  for (const [file, findings] of byFile) {
    lines.push(c.underline(c.bold(file)));
    for (const f of findings) {
      lines.push(`  ${c.dim(`${f.line}:${f.column}`)}  ${c.yellow(f.rule)}  ${f.message}`);
      const lastOf = (kind: string) => f.evidence.map((e) => e.kind).lastIndexOf(kind);
      f.evidence.forEach((e, i) => {
        const where = e.file === file ? `${e.line}` : `${e.file}:${e.line}`;
        lines.push(`      ${c.dim(`${e.kind.padEnd(11)} ${where.padStart(4)}`)}  ${e.message}`);
        // The bounded list says how much it left out, right after the last entry of that kind.
        if (i === lastOf('access')) lines.push(...andMore(f.omittedEvidence.access, 'access', 'accesses', c));
        if (i === lastOf('context')) lines.push(...andMore(f.omittedEvidence.context, 'context', 'contexts', c));
      });
      if (f.confidence === 'low') lines.push(`      ${c.dim(`${'confidence'.padEnd(11)}     `)}  low: ${f.confidenceReason ?? 'part of the race is assumed'}`);
      lines.push(`      ${c.dim(`id ${f.id}`)}`);
    }
    lines.push('');
  }
  if (result.errors.length > 0) {
    lines.push(c.red(c.bold('errors')));
    for (const e of result.errors) lines.push(`  ${e.file}: ${e.message}`);
    lines.push('');
  }
  if (result.skipped.length > 0) {
    lines.push(c.bold('skipped'));
    const outsideBuild = result.skipped.filter((s) => s.reason.startsWith('not in the '));
    for (const s of result.skipped) if (!outsideBuild.includes(s) || outsideBuild.length <= 5) lines.push(`  ${s.file}: ${s.reason}`);
    if (outsideBuild.length > 5) {
      const platform = /^not in the (\S+) build/.exec(outsideBuild[0]!.reason)?.[1] ?? 'target';
      lines.push(`  ${outsideBuild.length} files outside the ${platform} build (build constraints); --format json lists them, GOOS/GOARCH choose another platform`);
    }
    lines.push('');
  }
  const n = result.findings.length;
  const low = result.findings.filter((f) => f.confidence === 'low').length;
  const summary =
    n === 0
      ? `no unsafe map use found (${result.files} Go file${result.files === 1 ? '' : 's'} scanned)`
      : `${n} finding${n === 1 ? '' : 's'}${low > 0 ? ` (${low} of low confidence)` : ''} in ${byFile.size} file${byFile.size === 1 ? '' : 's'} (${result.files} Go file${result.files === 1 ? '' : 's'} scanned)`;
  lines.push(n === 0 ? c.green(summary) : c.bold(summary));
  return lines.join('\n') + '\n';
}

function andMore(n: number, one: string, many: string, c: ReturnType<typeof pc.createColors>): string[] {
  return n > 0 ? [`      ${c.dim(`${''.padEnd(16)}  and ${n} more ${n === 1 ? one : many}`)}`] : [];
}
