// The hidden marker that identifies a gomapfix comment on a pull request: finding id and fix hash.
import { createHash } from 'node:crypto';
import type { FixChanges } from '../cli/formats/fix-hunks.js';

/** A comment body's marker; `none` stands for the hash of a finding without a fix. */
export function marker(findingId: string, fixHash: string): string {
  return `<!-- gomapfix:${findingId}:${fixHash} -->`;
}

/** The marker of the review body itself (never the marker of a finding). */
export const REVIEW_MARKER = '<!-- gomapfix:review -->';
/** Added to a comment of ours once its finding is gone, so a later run leaves it alone. */
export const OUTDATED_MARKER = '<!-- gomapfix:outdated -->';

const MARKER = /<!-- gomapfix:([0-9a-f]+):([0-9a-z]+) -->/;

export function parseMarker(body: string | null | undefined): { findingId: string; fixHash: string } | null {
  const m = body ? MARKER.exec(body) : null;
  return m ? { findingId: m[1]!, fixHash: m[2]! } : null;
}

/** 12 hex digits of the sha256 of what the fix changes (files, line ranges, new text); `none` without a fix. */
export function fixHash(change: FixChanges | undefined): string {
  if (!change) return 'none';
  const h = createHash('sha256');
  for (const f of change.files) for (const k of f.hunks) h.update(JSON.stringify([f.file, k.startLine, k.endLine, k.oldText, k.text]));
  h.update(change.fix.transform);
  return h.digest('hex').slice(0, 12);
}
