// What review prints for a map: the header, short evidence, the fix's why and its coloured diff.
import { createTwoFilesPatch } from 'diff';
import pc from 'picocolors';
import type { JsonFinding } from '../../scan.js';
import { headlineWhy } from '../../plan/why.js';
import { parseGo } from '../../parse/parser.js';
import { choiceLabel, type Proposal, type ProposedFile } from './workspace.js';

type Colors = ReturnType<typeof pc.createColors>;

/** How many accesses and contexts the short evidence lists; `v` shows all. */
const SHORT_ACCESSES = 4;
const SHORT_CONTEXTS = 2;

export function header(findings: JsonFinding[], position: number, total: number, c: Colors): string {
  const f = findings[0]!;
  const rules = [...new Set(findings.map((x) => x.rule))].join(', ');
  const left = total - position - 1;
  return c.bold(`[${position + 1}/${total}] ${rules} · ${f.map.name} · ${f.file}:${f.line} · ${left === 0 ? 'last one' : `${left} more after this`}`);
}

/** The findings of the map, each in one line, then the racing sites and contexts (a few of each). */
export function shortEvidence(findings: JsonFinding[], c: Colors): string {
  const out: string[] = [];
  for (const f of findings) {
    out.push(`  ${c.yellow(f.rule)} ${f.file}:${f.line}: ${f.message}`);
    if (f.confidence === 'low') out.push(c.dim(`    low confidence: ${f.confidenceReason ?? 'part of the race is assumed'}`));
  }
  const seen = new Set<string>();
  const of = (kind: string) =>
    findings
      .flatMap((f) => f.evidence.filter((e) => e.kind === kind))
      .filter((e) => {
        const k = `${e.file}:${e.line}:${e.message}`;
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      });
  const accesses = of('access');
  const contexts = of('context');
  for (const e of accesses.slice(0, SHORT_ACCESSES)) out.push(c.dim(`    access  ${e.file}:${e.line}  ${e.message}`));
  for (const e of contexts.slice(0, SHORT_CONTEXTS)) out.push(c.dim(`    context ${e.file}:${e.line}  ${e.message}`));
  const more = Math.max(0, accesses.length - SHORT_ACCESSES) + Math.max(0, contexts.length - SHORT_CONTEXTS) + findings.reduce((n, f) => n + f.omittedEvidence.access + f.omittedEvidence.context, 0);
  if (more > 0) out.push(c.dim(`    and ${more} more (v shows all)`));
  return out.join('\n');
}

/** Every finding with all its evidence, then each function that holds a reported line. */
export function fullEvidence(findings: JsonFinding[], textOf: (file: string) => string, c: Colors): string {
  const out: string[] = [];
  for (const f of findings) {
    out.push(c.bold(`${f.rule} at ${f.file}:${f.line}:${f.column} (id ${f.id})`), `  ${f.message}`);
    for (const e of f.evidence) out.push(`  ${e.kind.padEnd(11)} ${e.file}:${e.line}  ${e.message}`);
    if (f.confidence === 'low') out.push(`  ${'confidence'.padEnd(11)} low: ${f.confidenceReason ?? 'part of the race is assumed'}`);
    if (f.omittedEvidence.access + f.omittedEvidence.context > 0) out.push(c.dim(`  (${f.omittedEvidence.access} more accesses and ${f.omittedEvidence.context} more contexts not kept by the analysis)`));
  }
  const shown = new Set<string>();
  for (const f of findings) {
    const fn = enclosingDeclaration(textOf(f.file), f.line);
    if (!fn || shown.has(`${f.file}:${fn.start}`)) continue;
    shown.add(`${f.file}:${fn.start}`);
    const marked = new Set(findings.filter((x) => x.file === f.file).map((x) => x.line));
    out.push('', c.bold(`${f.file}:${fn.start}-${fn.end}`));
    fn.lines.forEach((l, i) => {
      const n = fn.start + i;
      out.push(`${marked.has(n) ? c.red('>') : ' '}${String(n).padStart(5)}  ${l}`);
    });
  }
  return out.join('\n');
}

/** The top-level declaration (function, method, var block) that holds a 1-based line. */
function enclosingDeclaration(text: string, line: number): { start: number; end: number; lines: string[] } | null {
  if (!text) return null;
  const root = parseGo(text).rootNode;
  for (const n of root.namedChildren) {
    if (!n) continue;
    const start = n.startPosition.row + 1;
    const end = n.endPosition.row + 1;
    if (start <= line && line <= end) return { start, end, lines: text.split('\n').slice(start - 1, end) };
  }
  return null;
}

/** The fix's title, its safety and why; a `review` fix says what to check, in one line. */
export function fixSummary(p: Proposal, c: Colors): string {
  const out: string[] = [];
  for (const fix of p.fixes) {
    const tag = fix.safety === 'safe' ? c.green('safe') : c.yellow('review');
    out.push(`  ${c.bold('fix')} [${tag}] ${fix.title}`);
    out.push(c.dim(`  why: ${headlineWhy(fix.reason)}`));
    if (fix.safety === 'review') out.push(c.yellow(`  check: ${reviewCheck(fix.reason)}`));
  }
  for (const d of p.declined) out.push(c.yellow(`  ${choiceLabel({ strategy: d.transform })} declines: ${d.reason}`));
  for (const x of p.conflicts) out.push(c.yellow(`  not applied (${x.transform}): ${x.reason}`));
  return out.join('\n');
}

/** What a reviewer must check: the reason's `Review:` clause, cut to one line. */
export function reviewCheck(reason: string): string {
  const at = reason.indexOf('Review: ');
  const text = at >= 0 ? reason.slice(at + 'Review: '.length) : reason;
  const first = text.split(/(?<=\.)\s/)[0] ?? text;
  return first.length > 160 ? `${first.slice(0, 157).replace(/\s+\S*$/, '')} …` : first;
}

/** The unified diff of a proposal's files with `context` lines around each change. */
export function proposalDiff(files: ProposedFile[], context: number, c: Colors): string {
  const out: string[] = [];
  for (const f of files) {
    const patch = createTwoFilesPatch(f.created ? '/dev/null' : `a/${f.path}`, `b/${f.path}`, f.before, f.after, undefined, undefined, { context });
    for (const line of patch.split('\n').slice(1)) {
      if (line.startsWith('+++') || line.startsWith('---')) out.push(c.bold(line));
      else if (line.startsWith('+')) out.push(c.green(line));
      else if (line.startsWith('-')) out.push(c.red(line));
      else if (line.startsWith('@@')) out.push(c.cyan(line));
      else if (line !== '' || out.length === 0) out.push(line);
    }
  }
  return out.join('\n');
}
