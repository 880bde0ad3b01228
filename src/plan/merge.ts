// Merging fixes into one edit list per file: a fix is taken whole or deferred whole.
import type { Fix, TextEdit } from './model.js';

export interface MergeResult<F extends Fix> {
  accepted: F[];
  deferred: { fix: F; reason: string }[];
}

/** The fixed order fixes are merged in: by first edited file and offset, then transform and finding. */
export function fixOrder(a: Fix, b: Fix): number {
  const ea = firstEdit(a);
  const eb = firstEdit(b);
  if (ea.file !== eb.file) return ea.file < eb.file ? -1 : 1;
  return ea.start - eb.start || cmp(a.transform, b.transform) || cmp(a.findingId, b.findingId);
}

/**
 * Accepts fixes in `fixOrder`; a fix with an edit that overlaps an accepted fix's edit is deferred
 * (to be re-planned on the result in a further pass). Identical edits merge.
 */
export function mergeFixes<F extends Fix>(fixes: F[], interferes?: (accepted: F, fix: F) => string | null): MergeResult<F> {
  const accepted: F[] = [];
  const deferred: { fix: F; reason: string }[] = [];
  const taken = new Map<string, { edit: TextEdit; owner: Fix }[]>();
  for (const fix of [...fixes].sort(fixOrder)) {
    let clash: { edit: TextEdit; owner: Fix } | null = null;
    for (const e of fix.edits) {
      for (const t of taken.get(e.file) ?? []) {
        if (sameEdit(e, t.edit)) continue;
        if (overlaps(e, t.edit)) {
          clash = t;
          break;
        }
      }
      if (clash) break;
    }
    if (clash) {
      deferred.push({ fix, reason: `its edit overlaps the fix for finding ${clash.owner.findingId} (${clash.edit.file} offset ${clash.edit.start})` });
      continue;
    }
    // Edits that do not overlap can still not go together (a lock one fix adds is held by the
    // other's caller): the later fix is planned again on the text the earlier one leaves.
    const interference = interferes ? accepted.map((a) => interferes(a, fix)).find((r) => r !== null) : undefined;
    if (interference) {
      deferred.push({ fix, reason: interference });
      continue;
    }
    accepted.push(fix);
    for (const e of fix.edits) {
      const list = taken.get(e.file) ?? [];
      if (!list.some((t) => sameEdit(t.edit, e))) list.push({ edit: e, owner: fix });
      taken.set(e.file, list);
    }
  }
  return { accepted, deferred };
}

/** The union of the accepted fixes' edits for one file, duplicates removed, in offset order. */
export function editsForFile(fixes: Fix[], file: string): TextEdit[] {
  const out: TextEdit[] = [];
  const seen = new Set<string>();
  for (const f of fixes) {
    for (const e of f.edits) {
      if (e.file !== file || seen.has(editKey(e))) continue;
      seen.add(editKey(e));
      out.push(e);
    }
  }
  return out.sort((a, b) => a.start - b.start || a.end - b.end);
}

/** Equal for equal edits (sameEdit), so a set of keys finds duplicates without comparing every pair. */
function editKey(e: TextEdit): string {
  return `${e.start}:${e.end}:${e.text}`;
}

export function sameEdit(a: TextEdit, b: TextEdit): boolean {
  return a.file === b.file && a.start === b.start && a.end === b.end && a.text === b.text;
}

/**
 * Two edits conflict when their ranges intersect, or both insert at one point (their order would
 * be arbitrary), unless both append declarations at the end of a file.
 */
export function overlaps(a: TextEdit, b: TextEdit): boolean {
  if (a.file !== b.file) return false;
  if (a.start === a.end && b.start === b.end) return a.start === b.start && !(a.append && b.append);
  if (a.start === a.end) return b.start < a.start && a.start < b.end;
  if (b.start === b.end) return a.start < b.start && b.start < a.end;
  return a.start < b.end && b.start < a.end;
}

function firstEdit(f: Fix): TextEdit {
  return [...f.edits].sort((a, b) => cmp(a.file, b.file) || a.start - b.start)[0] ?? { file: '', start: 0, end: 0, text: '' };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
