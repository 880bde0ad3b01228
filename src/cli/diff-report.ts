// The `fix` preview: per file, a header for each fix that edits it, then the unified diff.
import { createTwoFilesPatch } from 'diff';
import pc from 'picocolors';
import type { Plan } from '../plan/model.js';
import { headlineWhy } from '../plan/why.js';

export function diffReport(plan: Plan, color: boolean): string {
  const c = pc.createColors(color);
  const out: string[] = [];
  const findings = new Map(plan.findings.map((f) => [f.id, f]));
  for (const file of plan.files) {
    for (const fix of plan.fixes.filter((x) => file.fixes.includes(x.findingId))) {
      const f = findings.get(fix.findingId);
      const where = f ? `${f.file}:${f.line} ${f.rule} on ${f.map.name}` : `finding ${fix.findingId}`;
      const covers = fix.covers.length > 1 ? ` (resolves ${fix.covers.length} findings)` : '';
      out.push(c.bold(`# fix ${fix.findingId}: ${where}${covers}`));
      out.push(c.bold(`#   ${fix.title}${fix.pass > 1 ? ` [pass ${fix.pass}]` : ''}`));
      out.push(c.dim(`#   why: ${headlineWhy(fix.reason)}`));
      // A rewrite for a race the scan partly assumes: the reviewer should check the assumption first.
      if (f?.confidence === 'low') out.push(c.yellow(`#   low confidence: ${f.confidenceReason ?? 'part of the race is assumed'}`));
    }
    const patch = createTwoFilesPatch(oldName(file), `b/${file.path}`, file.before, file.after, undefined, undefined, { context: 3 });
    for (const line of patch.split('\n').slice(1)) {
      if (line.startsWith('+++') || line.startsWith('---')) out.push(c.bold(line));
      else if (line.startsWith('+')) out.push(c.green(line));
      else if (line.startsWith('-')) out.push(c.red(line));
      else if (line.startsWith('@@')) out.push(c.cyan(line));
      else out.push(line);
    }
  }
  for (const d of plan.declined) {
    const f = findings.get(d.findingId);
    out.push(c.yellow(`# not fixed: ${f ? `${f.file}:${f.line} ${f.rule} on ${f.map.name}` : d.findingId}: ${d.transform} declines: ${d.reason}`));
  }
  for (const p of plan.pending) {
    const f = findings.get(p.findingId);
    out.push(c.yellow(`# needs review (pass --include-review to apply): ${f ? `${f.file}:${f.line} ${f.map.name}` : p.findingId}: ${p.title}. ${p.reason}`));
  }
  for (const x of plan.conflicts) out.push(c.yellow(`# not applied: finding ${x.findingId} (${x.transform}): ${x.reason}`));
  for (const e of plan.errors) out.push(c.red(`# error: ${e.file}: ${e.message}`));
  out.push(summary(plan));
  return out.join('\n') + '\n';
}

export function summary(plan: Plan): string {
  const n = plan.findings.length;
  if (n === 0) return 'no findings: nothing to fix';
  const fixed = new Set(plan.fixes.flatMap((f) => f.covers));
  const parts = [`${n} finding${n === 1 ? '' : 's'}`, `${plan.fixes.length} fix${plan.fixes.length === 1 ? '' : 'es'} in ${plan.files.length} file${plan.files.length === 1 ? '' : 's'} resolving ${fixed.size}`];
  if (plan.declined.length > 0) parts.push(`${plan.declined.length} declined`);
  if (plan.pending.length > 0) parts.push(`${plan.pending.length} awaiting --include-review`);
  if (plan.conflicts.length > 0) parts.push(`${plan.conflicts.length} not applied`);
  return parts.join(', ');
}

/** The Plan as JSON: each file carries its unified diff instead of both full texts. */
export function planJson(plan: Plan): string {
  const { files, ...rest } = plan;
  return (
    JSON.stringify(
      {
        ...rest,
        files: files.map((f) => ({ path: f.path, sha256: f.sha256, fixes: f.fixes, diff: createTwoFilesPatch(oldName(f), `b/${f.path}`, f.before, f.after) })),
      },
      null,
      2,
    ) + '\n'
  );
}

/** The diff's old name: /dev/null for a file the plan creates, as git shows a new file. */
function oldName(f: { path: string; created?: boolean }): string {
  return f.created ? '/dev/null' : `a/${f.path}`;
}
