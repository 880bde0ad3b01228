// One lock region per critical section, not one per statement: where the accepted fixes of a file
// release a lock at the end of one statement and take the same lock again at the start of the
// very next statement of the block (`m.mu.RUnlock()` / `m.mu.RLock()` between two statements, each
// fix locking the map it is about), both inserted lines are dropped and the fixes that own them
// become one fix. Nothing runs between the release and the take, so holding the lock across
// changes no result and cannot deadlock; the region is the one a reviewer would write (seaweedfs'
// kafka Metrics.RecordRequest: three counters of three maps under one Metrics.mu, session 17).
import type { Fix, Safety, TextEdit } from './model.js';
import { fixOrder } from './merge.js';

const RELEASE = /^\n([ \t]*)([A-Za-z_][\w.]*)\.(R?)Unlock\(\)$/;
const TAKE = /^([A-Za-z_][\w.]*)\.(R?)Lock\(\)\n([ \t]*)$/;

/**
 * The fixes with adjacent regions of one lock joined. `textOf(file)` is the current text of an
 * edited file (undefined for a file a fix creates). Fixes with nothing to join are returned as
 * they are; a joined fix keeps the first fix's finding id and lists every finding it resolves.
 */
export function joinAdjacentRegions<F extends Fix>(fixes: F[], textOf: (file: string) => string | undefined): F[] {
  const parent = new Map<F, F>();
  const find = (f: F): F => {
    let r = f;
    while (parent.get(r) !== r) r = parent.get(r)!;
    return r;
  };
  for (const f of fixes) parent.set(f, f);
  // By value: two fixes may carry the same edit (merged as one when applied).
  const dropped = new Set<string>();
  const key = (e: TextEdit) => `${e.file}:${e.start}:${e.text}`;
  const byFile = new Map<string, { edit: TextEdit; fix: F }[]>();
  for (const fix of fixes) {
    for (const edit of fix.edits) {
      if (edit.create || edit.start !== edit.end) continue;
      const list = byFile.get(edit.file) ?? [];
      list.push({ edit, fix });
      byFile.set(edit.file, list);
    }
  }
  for (const [file, edits] of byFile) {
    const text = textOf(file);
    if (text === undefined) continue;
    const takes = new Map<number, { edit: TextEdit; fix: F; lock: string; read: string; indent: string }[]>();
    for (const x of edits) {
      const m = TAKE.exec(x.edit.text);
      if (m) takes.set(x.edit.start, [...(takes.get(x.edit.start) ?? []), { ...x, lock: m[1]!, read: m[2]!, indent: m[3]! }]);
    }
    for (const x of edits) {
      const m = RELEASE.exec(x.edit.text);
      if (!m || dropped.has(key(x.edit))) continue;
      const [, indent, lock, read] = m;
      // The next statement starts right after the line break and its indentation: no blank line,
      // no comment, no brace in between.
      const next = x.edit.start + 1 + indent!.length;
      if (text.slice(x.edit.start, next) !== `\n${indent}`) continue;
      const take = (takes.get(next) ?? []).find((t) => !dropped.has(key(t.edit)) && t.lock === lock && t.read === read && t.indent === indent);
      if (!take) continue;
      dropped.add(key(x.edit));
      dropped.add(key(take.edit));
      const a = find(x.fix);
      const b = find(take.fix);
      if (a !== b) parent.set(b, a);
    }
  }
  if (dropped.size === 0) return fixes;
  const groups = new Map<F, F[]>();
  for (const f of fixes) groups.set(find(f), [...(groups.get(find(f)) ?? []), f]);
  const out: F[] = [];
  for (const members of groups.values()) {
    const sorted = [...members].sort(fixOrder);
    const first = sorted[0]!;
    const edits = sorted.flatMap((f) => f.edits).filter((e) => !dropped.has(key(e)));
    if (sorted.length === 1) {
      out.push(edits.length === first.edits.length ? first : { ...first, edits });
      continue;
    }
    const imports: Record<string, string[]> = {};
    for (const f of sorted) for (const [file, paths] of Object.entries(f.imports)) imports[file] = [...new Set([...(imports[file] ?? []), ...paths])];
    const safety: Safety = sorted.some((f) => f.safety === 'review') ? 'review' : 'safe';
    out.push({
      ...first,
      covers: [...new Set(sorted.flatMap((f) => f.covers))],
      title: sorted.map((f) => f.title).join('; '),
      safety,
      edits,
      imports,
      reason: `${first.reason.replace(/\.?$/, '.')} Joined with the fixes of ${sorted
        .slice(1)
        .map((f) => f.findingId)
        .join(', ')}: they lock the same mutex on the statements next to these, so one lock region covers them all.`,
    });
  }
  return out.sort(fixOrder);
}
