// Declarations a fix needs once per package (a generic helper func, a locked map type). Every
// fix that needs one emits the same edit into the same host file, so the merge step collapses
// them into one insertion however many fixes of the package ask for it.
import type { TextEdit } from './model.js';
import type { PackageView } from './transform.js';
import type { ParsedFile } from '../analysis/package-index.js';

/** Whether the package already declares `name` at the top level (type, var, const or func). */
export function packageDeclares(pkg: PackageView, name: string): boolean {
  if (pkg.index.structs.has(name) || pkg.index.namedTypes.has(name) || pkg.index.vars.has(name)) return true;
  if ((pkg.index.funcsByName.get(name) ?? []).some((i) => pkg.index.funcs[i]!.recvType === null)) return true;
  return pkg.files.some((f) => declaredAtLineStart(f).has(name));
}

const DECLARED = new WeakMap<ParsedFile, Set<string>>();

/**
 * The names after `type`, `func`, `var` or `const` at the start of a line of the file, read once
 * per file: asked per fix, a search of every file's text made planning cost fixes × package size.
 */
function declaredAtLineStart(file: ParsedFile): Set<string> {
  let names = DECLARED.get(file);
  if (!names) {
    names = new Set();
    for (const m of file.text.matchAll(/^(?:type|func|var|const)\s+(\w+)/gm)) names.add(m[1]!);
    DECLARED.set(file, names);
  }
  return names;
}

/** The file that hosts package-wide helpers: the first non-test file by name (or the first file). */
export function hostFile(pkg: PackageView): ParsedFile {
  const sorted = [...pkg.files].sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  return sorted.find((f) => !f.rel.endsWith('_test.go')) ?? sorted[0]!;
}

/**
 * The edit that appends `source` (a complete top-level declaration, no surrounding blank lines)
 * to the host file, or null when the package already declares `name`. Line endings follow the
 * host file's (CRLF files stay CRLF).
 */
export function packageDeclEdit(pkg: PackageView, name: string, source: string): { file: string; edit: TextEdit } | null {
  if (packageDeclares(pkg, name)) return null;
  const host = hostFile(pkg);
  const eol = host.text.includes('\r\n') ? '\r\n' : '\n';
  const end = host.text.length;
  const lead = host.text.endsWith('\n') ? '' : eol;
  const body = source.replace(/\r?\n/g, eol);
  return { file: host.rel, edit: { file: host.rel, start: end, end, text: `${lead}${eol}${body}${eol}`, append: true } };
}

/** `map[string][]*time.Time` → `StringSlicePtrTimeTime`: the words of a type, for a helper name. */
export function typeWords(type: string): string {
  const t = type
    .replace(/struct\s*\{\s*\}/g, ' EmptyStruct ')
    .replace(/interface\s*\{\s*\}/g, ' Any ')
    .replace(/\[\]/g, ' Slice ')
    .replace(/\[(\d+)\]/g, ' Array$1 ')
    .replace(/\bmap\[/g, ' Map ')
    .replace(/\*/g, ' Ptr ')
    .replace(/<-/g, ' ');
  return (t.match(/[A-Za-z0-9_]+/g) ?? []).map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');
}
