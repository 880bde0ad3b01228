// Where a name occurs in a parsed file, found in the text and confirmed on the tree. Transforms
// ask this for every finding; walking every node of every file instead (a native call per node)
// made `fix` cost findings × package size.
import type { SyntaxNode, Tree } from '../parse/parser.js';
import type { ParsedFile } from '../analysis/package-index.js';

const MEMO = new WeakMap<Tree, Map<string, SyntaxNode[]>>();

/**
 * The leaf nodes whose text is exactly `name` (identifiers, type, field and package identifiers,
 * string contents …), in source order, which is the order a pre-order walk meets them. Remembered
 * per tree and name.
 */
export function nameNodes(file: ParsedFile, name: string): SyntaxNode[] {
  let byName = MEMO.get(file.tree);
  if (!byName) MEMO.set(file.tree, (byName = new Map()));
  let found = byName.get(name);
  if (found) return found;
  found = [];
  const root = file.tree.rootNode;
  for (let at = file.text.indexOf(name); at >= 0 && name.length > 0; at = file.text.indexOf(name, at + 1)) {
    // The deepest node over the occurrence: a leaf spelled exactly `name`, or something longer
    // (a longer identifier, a comment, a string) that the span check rejects.
    const n = root.descendantForIndex(at, at + name.length - 1);
    if (n.startIndex === at && n.endIndex === at + name.length) found.push(n);
  }
  byName.set(name, found);
  return found;
}

/** The leaves of one type spelled `name` (`identifier`, `type_identifier`, `field_identifier` …). */
export function leavesNamed(file: ParsedFile, type: string, name: string): SyntaxNode[] {
  return nameNodes(file, name).filter((n) => n.type === type);
}

/** Sorts nodes into the order a pre-order walk visits them: by start, an enclosing node first. */
export function inTreeOrder(nodes: SyntaxNode[]): SyntaxNode[] {
  return nodes.sort((a, b) => a.startIndex - b.startIndex || b.endIndex - a.endIndex);
}

/** The composite literals whose type is spelled `typeName` (or `typeName[…]` when `generic`), in tree order. */
export function compositeLiteralsOf(file: ParsedFile, typeName: string, generic: boolean): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  for (const t of leavesNamed(file, 'type_identifier', typeName)) {
    const p = t.parent;
    if (p?.type === 'composite_literal' && sameSpan(p.childForFieldName('type'), t)) out.push(p);
    else if (generic && p?.type === 'generic_type' && p.parent?.type === 'composite_literal' && sameSpan(p.parent.childForFieldName('type'), p) && p.text.startsWith(`${typeName}[`)) out.push(p.parent);
  }
  return out;
}

function sameSpan(a: SyntaxNode | null, b: SyntaxNode): boolean {
  return !!a && a.startIndex === b.startIndex && a.endIndex === b.endIndex && a.type === b.type;
}
