// Adding imports to a Go file: no import yet, a single `import "x"`, or a grouped block. A
// declaration importing "C" is never touched: cgo reads the comment right above `import "C"` as
// C code (the preamble), and merging another path into that declaration detaches it.
import type { SyntaxNode, Tree } from '../parse/parser.js';
import type { TextEdit } from './model.js';
import { indentAt, lineStart } from './go-syntax.js';

/** Edits that make `file` import every path in `paths` it does not import yet (by path, unaliased or aliased). */
export function importEdits(file: string, text: string, tree: Tree, paths: string[]): TextEdit[] {
  const decls = tree.rootNode.namedChildren.filter((c) => c.type === 'import_declaration');
  const have = new Set<string>();
  for (const d of decls) {
    for (const spec of d.descendantsOfType('import_spec')) {
      const name = spec.childForFieldName('name')?.text;
      if (name === '_' || name === '.') continue;
      have.add(spec.childForFieldName('path')?.text.replace(/["`]/g, '') ?? '');
    }
  }
  const missing = [...new Set(paths)].filter((p) => !have.has(p)).sort();
  if (missing.length === 0) return [];
  const nl = text.includes('\r\n') ? '\r\n' : '\n';
  const quoted = missing.map((p) => `"${p}"`);
  const cgo = decls.filter(importsC);
  const mergeable = decls.filter((d) => !importsC(d));
  const grouped = mergeable.find((d) => d.namedChildren.some((c) => c.type === 'import_spec_list'));
  if (grouped) {
    const list = grouped.namedChildren.find((c) => c.type === 'import_spec_list')!;
    const specs = list.namedChildren.filter((c) => c.type === 'import_spec');
    // Into the first group (the standard library by convention), in sorted position.
    const edits: TextEdit[] = [];
    const group = takeWhileContiguous(text, specs);
    for (const q of quoted) {
      const after = group.find((s) => (s.childForFieldName('path')?.text ?? '') > q);
      if (after) {
        const indent = indentAt(text, after.startIndex);
        const at = lineStart(text, after.startIndex);
        edits.push({ file, start: at, end: at, text: `${indent}${q}${nl}` });
      } else if (group.length > 0) {
        const last = group[group.length - 1]!;
        const end = lineEnd(text, last.endIndex);
        edits.push({ file, start: end, end, text: `${nl}${indentAt(text, last.startIndex)}${q}` });
      } else {
        const close = list.endIndex - 1;
        edits.push({ file, start: close, end: close, text: `\t${q}${nl}` });
      }
    }
    return edits;
  }
  const single = mergeable[mergeable.length - 1];
  if (single) {
    // `import "fmt"` becomes a grouped block holding both.
    const spec = single.namedChildren.find((c) => c.type === 'import_spec')!;
    const lines = [spec.text, ...quoted].sort((a, b) => pathOf(a).localeCompare(pathOf(b)));
    return [{ file, start: single.startIndex, end: single.endIndex, text: `import (${nl}${lines.map((l) => `\t${l}`).join(nl)}${nl})` }];
  }
  // A declaration of its own: after the last `import "C"`, else after the package clause.
  const after = cgo[cgo.length - 1] ?? tree.rootNode.namedChildren.find((c) => c.type === 'package_clause');
  if (!after) return [];
  const block = quoted.length === 1 ? `import ${quoted[0]}` : `import (${nl}${quoted.map((q) => `\t${q}`).join(nl)}${nl})`;
  const end = lineEnd(text, after.endIndex);
  return [{ file, start: end, end, text: `${nl}${nl}${block}` }];
}

/** Whether an import declaration imports the cgo pseudo-package "C". */
function importsC(decl: SyntaxNode): boolean {
  return decl.descendantsOfType('import_spec').some((spec) => /^["`]C["`]$/.test(spec.childForFieldName('path')?.text ?? ''));
}

function pathOf(spec: string): string {
  return spec.replace(/^[\w.]+\s+/, '').replace(/["`]/g, '');
}

function takeWhileContiguous<T extends { startIndex: number; endIndex: number }>(text: string, specs: T[]): T[] {
  const out: T[] = [];
  for (const s of specs) {
    if (out.length > 0 && blankLineBetween(text, out[out.length - 1]!.endIndex, s.startIndex)) break;
    out.push(s);
  }
  return out;
}

function blankLineBetween(text: string, a: number, b: number): boolean {
  return /\n[ \t]*\r?\n/.test(text.slice(a, b));
}

function lineEnd(text: string, pos: number): number {
  const i = text.indexOf('\n', pos);
  const end = i < 0 ? text.length : i;
  return text[end - 1] === '\r' ? end - 1 : end;
}
