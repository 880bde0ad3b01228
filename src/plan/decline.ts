// How a transform declines: it throws Decline from anywhere in its planning, and declining()
// turns that into the `{ declined: reason }` result the contract asks for.
import type { ParsedFile } from '../analysis/package-index.js';
import type { Fix, TextEdit } from './model.js';
import type { TransformResult } from './transform.js';

export class Decline extends Error {}

export function decline(reason: string): never {
  throw new Decline(reason);
}

/** Declines when two of a fix's edits change overlapping text (inserts at one point do not overlap). */
export function declineOverlaps(edits: readonly TextEdit[]): void {
  for (let i = 0; i < edits.length; i++) {
    for (let j = i + 1; j < edits.length; j++) {
      const x = edits[i]!;
      const y = edits[j]!;
      if (x.file === y.file && x.start < y.end && y.start < x.end) decline(`two rewrites overlap at ${x.file} offset ${Math.max(x.start, y.start)}; rewrite that statement by hand`);
    }
  }
}

/** Runs a transform's planning; a Decline becomes the result's reason, anything else propagates. */
export function declining(build: () => Fix): TransformResult {
  try {
    return { fixes: [build()] };
  } catch (err) {
    if (err instanceof Decline) return { declined: err.message };
    throw err;
  }
}

/** Where a site is, for messages: `input.go:12`. */
export function siteAt(s: { span: { file: string; line: number } }): string {
  return `${s.span.file}:${s.span.line}`;
}

/** Where an offset of a file is, for messages: `input.go:12`. */
export function lineOf(file: ParsedFile, pos: number): string {
  return `${file.rel}:${file.lines.position(pos).line}`;
}
