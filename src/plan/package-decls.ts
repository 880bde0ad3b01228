// Declarations a fix needs once per package (a generic helper func, a locked map type). They go
// into a file of their own, gomapfix_helpers.go in the package's directory, created by the first
// fix that needs one: a reader finds them there, not appended to whichever file a fix touched.
// Every fix that needs one emits the same edits, so the merge step collapses them into one
// insertion however many fixes of the package ask for it.
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

/**
 * The name for a helper whose source is `source(name)`: `base`, else `base2`, `base3`… — the first
 * the package does not declare, or whose very source a file of the package already holds (an
 * earlier run added it; packageDeclEdit then adds nothing).
 */
export function freeHelperName(pkg: PackageView, base: string, source: (name: string) => string): string {
  for (let i = 1; ; i++) {
    const name = i === 1 ? base : `${base}${i}`;
    if (!packageDeclares(pkg, name) || pkg.files.some((f) => f.text.includes(source(name)))) return name;
  }
}

/** The name of the file that holds the package-wide helpers gomapfix adds. */
export const HELPERS_FILE = 'gomapfix_helpers.go';

/** The path (as the package's files are named) of the package's helpers file, and the file if it exists. */
export function helpersFile(pkg: PackageView): { rel: string; file: ParsedFile | undefined } {
  // Beside the package's first file, spelled with its separators, so it matches the scanned names.
  const first = pkg.files[0]!.rel;
  const rel = first.slice(0, Math.max(first.lastIndexOf('/'), first.lastIndexOf('\\')) + 1) + HELPERS_FILE;
  return { rel, file: pkg.files.find((f) => f.rel === rel) };
}

/** The opening of a new helpers file: what it is, and the package clause. */
export function helpersFileHeader(pkg: PackageView): string {
  return `// Code added by gomapfix: helpers its rewrites of this package use. Edit freely; a later run\n// reuses a helper it finds here instead of adding another.\n\npackage ${pkg.name}\n`;
}

/**
 * The edits that add `source` (a complete top-level declaration, no surrounding blank lines) to
 * the package's helpers file, or null when the package already declares `name`. When the file
 * does not exist yet, the first edit creates it (header and package clause; identical in every
 * fix, so it merges into one). Line endings follow an existing file's (CRLF stays CRLF).
 */
export function packageDeclEdit(pkg: PackageView, name: string, source: string): { file: string; edits: TextEdit[] } | null {
  if (packageDeclares(pkg, name)) return null;
  const { rel, file } = helpersFile(pkg);
  if (!file) {
    const create = { file: rel, start: 0, end: 0, append: true, create: true } as const;
    return { file: rel, edits: [{ ...create, text: helpersFileHeader(pkg) }, { ...create, text: `\n${source.replace(/\r\n/g, '\n')}\n` }] };
  }
  const eol = file.text.includes('\r\n') ? '\r\n' : '\n';
  const end = file.text.length;
  const lead = file.text.endsWith('\n') || end === 0 ? '' : eol;
  const body = source.replace(/\r?\n/g, eol);
  return { file: rel, edits: [{ file: rel, start: end, end, text: `${lead}${eol}${body}${eol}`, append: true }] };
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
