// Finding ids that survive edits which do not touch the finding: no line numbers, no offsets.
import { createHash } from 'node:crypto';
import type { MapDecl, RuleId } from './model.js';
import type { PackageFlow, ResolvedSite } from './concurrency.js';
import { outermostFunction } from './package-index.js';

/**
 * A finding's stable id: a hash of the rule, the file, the map (kind, name, and for locals and
 * parameters the top-level declaration that owns them and which same-named one it is), the
 * top-level declaration holding the access, the access (kind and text, blanks collapsed), and
 * which of the identical accesses of that declaration it is. Lines inserted above, statements
 * added elsewhere in the function and other functions renamed leave it as it is.
 */
export function findingId(flow: PackageFlow, rule: RuleId, decl: MapDecl, sites: readonly ResolvedSite[], at: ResolvedSite): string {
  const anchor = anchorOf(flow, at.func);
  const shape = (s: ResolvedSite) => `${s.kind}|${s.escape ?? ''}|${s.text.replace(/\s+/g, ' ').trim()}`;
  const mine = shape(at);
  // Which of the identical accesses of this declaration, in source order.
  let nth = 0;
  for (const s of sites) {
    if (s === at || s.raw.start >= at.raw.start || s.span.file !== at.span.file) continue;
    if (anchorOf(flow, s.func) === anchor && shape(s) === mine) nth++;
  }
  return createHash('sha256')
    .update([rule, at.span.file, mapIdentity(flow, decl), anchor, mine, String(nth)].join('\0'))
    .digest('hex')
    .slice(0, 16);
}

/** The top-level declaration holding a function (a literal's outermost enclosing function): `Type.Method` or `Func`. */
function anchorOf(flow: PackageFlow, func: number): string {
  if (!flow.index.funcs[func]) return '';
  const top = outermostFunction(flow.index, func);
  return `${top.recvType ? `${top.recvType}.` : ''}${top.name}`;
}

function mapIdentity(flow: PackageFlow, decl: MapDecl): string {
  if (decl.ownerFunc === undefined) return `${decl.kind}|${decl.span.file}|${decl.name}`;
  const owner = anchorOf(flow, decl.ownerFunc);
  // Two locals of one name in one declaration (shadowing, two closures): which one, in source order.
  let nth = 0;
  for (const d of flow.maps.values()) {
    if (d === decl || d.kind !== decl.kind || d.name !== decl.name || d.span.file !== decl.span.file || d.span.start >= decl.span.start) continue;
    if (d.ownerFunc !== undefined && anchorOf(flow, d.ownerFunc) === owner) nth++;
  }
  return `${decl.kind}|${decl.span.file}|${decl.name}|${owner}|${nth}`;
}
