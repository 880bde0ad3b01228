// How a copy of a map is spelled for the package's Go version: maps.Clone from Go 1.21, else a
// helper emitted once per package (generic from Go 1.18, one per map type below that).
import type { MapDecl } from '../../src/analysis/model.js';
import type { ParsedFile } from '../../src/analysis/package-index.js';
import { splitMapType } from '../../src/analysis/types.js';
import type { TextEdit } from '../../src/plan/model.js';
import { packageDeclEdit, typeWords } from '../../src/plan/package-decls.js';
import { goAtLeast, type PackageView } from '../../src/plan/transform.js';

/** The way one fix copies one map. */
export interface Cloner {
  /** `maps.Clone(x)`, `cloneMap(x)` or `cloneMapStringInt(x)`. */
  call(expr: string): string;
  /** How the copy is made, for titles: `maps.Clone`, `the generic helper cloneMap`… */
  how: string;
  /** The package-level helper to add (null when none is needed or it exists already). */
  helper: { file: string; edits: TextEdit[] } | null;
  /** Imports the helper's file needs (a concrete helper naming `time.Time` needs "time"). */
  helperImports: string[];
  /** Whether call sites need `import "maps"`. */
  usesMapsPackage: boolean;
  /** Why the clone cannot be spelled, or null. */
  problem: string | null;
}

/** The map type `decl` has: its own text when it is a map literal type, else the named type's. */
export function mapTypeOf(decl: MapDecl, pkg: PackageView): { named: string | null; key: string; value: string } | null {
  const t = decl.type.trim();
  const direct = splitMapType(t);
  if (direct) return { named: null, ...direct };
  const named = pkg.index.namedTypes.get(t);
  const under = named ? splitMapType(named.type) : null;
  return under ? { named: t, ...under } : null;
}

const GENERIC_NAME = 'cloneMap';

function genericSource(name: string): string {
  return [
    `// ${name} returns a shallow copy of m, nil when m is nil (as maps.Clone does from Go 1.21).`,
    `func ${name}[K comparable, V any](m map[K]V) map[K]V {`,
    '\tif m == nil {',
    '\t\treturn nil',
    '\t}',
    '\tc := make(map[K]V, len(m))',
    '\tfor k, v := range m {',
    '\t\tc[k] = v',
    '\t}',
    '\treturn c',
    '}',
  ].join('\n');
}

function concreteSource(name: string, type: string): string {
  return [
    `// ${name} returns a shallow copy of m, nil when m is nil (as maps.Clone does from Go 1.21).`,
    `func ${name}(m ${type}) ${type} {`,
    '\tif m == nil {',
    '\t\treturn nil',
    '\t}',
    `\tc := make(${type}, len(m))`,
    '\tfor k, v := range m {',
    '\t\tc[k] = v',
    '\t}',
    '\treturn c',
    '}',
  ].join('\n');
}

/**
 * The cloner for `decl` in the package's Go version. `sites` are the files where clone calls go
 * (for the `maps` import check).
 */
export function clonerFor(decl: MapDecl, pkg: PackageView, sites: ParsedFile[]): Cloner {
  const none = (problem: string): Cloner => ({ call: (e) => e, how: '', helper: null, helperImports: [], usesMapsPackage: false, problem });
  const type = mapTypeOf(decl, pkg);
  if (!type) return none(`the type of ${decl.name} (${decl.type}) is not a map type the transform can read`);
  if (goAtLeast(pkg.goVersion, 21)) {
    for (const f of sites) {
      const clash = importedAsMaps(f);
      if (clash) return none(`${f.rel} imports ${clash} as maps, so the standard maps package cannot be added`);
    }
    if (pkg.index.vars.has('maps') || pkg.index.funcsByName.has('maps') || pkg.index.namedTypes.has('maps') || pkg.index.structs.has('maps')) {
      return none('the package declares its own maps, so the standard maps package cannot be imported');
    }
    return { call: (e) => `maps.Clone(${e})`, how: 'maps.Clone', helper: null, helperImports: [], usesMapsPackage: true, problem: null };
  }
  if (goAtLeast(pkg.goVersion, 18)) {
    const name = helperName(GENERIC_NAME, pkg, genericSource);
    const helper = packageDeclEdit(pkg, name, genericSource(name));
    return { call: (e) => `${name}(${e})`, how: `${name}, a generic helper added for go ${pkg.goVersion} (maps.Clone needs go 1.21)`, helper, helperImports: [], usesMapsPackage: false, problem: null };
  }
  // Below Go 1.18: no generics, one helper per map type, named after it.
  const spelled = type.named ?? `map[${type.key}]${type.value}`;
  const base = `cloneMap${typeWords(type.named ?? `${type.key} ${type.value}`)}`;
  const source = (n: string) => concreteSource(n, spelled);
  const name = helperName(base, pkg, source);
  const helper = packageDeclEdit(pkg, name, source(name));
  const declFile = pkg.files.find((f) => f.rel === decl.span.file);
  const helperImports = helper && declFile ? qualifierImports(spelled, declFile) : [];
  if (helperImports === null) return none(`the type ${spelled} names a package the helper's file cannot import`);
  return { call: (e) => `${name}(${e})`, how: `${name}, a helper added for go ${pkg.goVersion} (no generics before go 1.18)`, helper, helperImports, usesMapsPackage: false, problem: null };
}

/**
 * `base`, unless the package declares something else by that name; then `base2`, `base3`… A
 * function of that name whose text is the helper's own (an earlier run) is reused.
 */
function helperName(base: string, pkg: PackageView, source: (name: string) => string): string {
  for (let i = 1; ; i++) {
    const name = i === 1 ? base : `${base}${i}`;
    const fns = (pkg.index.funcsByName.get(name) ?? []).map((j) => pkg.index.funcs[j]!).filter((f) => f.recvType === null && !f.literal);
    const decl = new RegExp(`^(?:type|var|const)\\s+${name}\\b|^\\s+${name}\\s*(?:=|\\s)`, 'm');
    const other = pkg.index.vars.has(name) || pkg.index.namedTypes.has(name) || pkg.index.structs.has(name) || pkg.files.some((f) => decl.test(f.text) && !fns.length);
    if (fns.length === 0 && !other) return name;
    const body = source(name).split('\n').slice(1).join('\n');
    if (fns.length === 1 && fns[0]!.file.text.slice(fns[0]!.start, fns[0]!.end).replace(/\r\n/g, '\n') === body) return name;
  }
}

/** The path a file imports under the name `maps` when it is not the standard package, or null. */
function importedAsMaps(file: ParsedFile): string | null {
  for (const spec of file.tree.rootNode.descendantsOfType('import_spec')) {
    const path = spec.childForFieldName('path')?.text.replace(/["`]/g, '') ?? '';
    const name = spec.childForFieldName('name')?.text ?? path.split('/').pop();
    if (name === 'maps' && path !== 'maps') return path;
  }
  return null;
}

/** The import paths of the package qualifiers in a type (`time.Time` → "time"), from the file declaring it. */
function qualifierImports(type: string, declFile: ParsedFile): string[] | null {
  const out: string[] = [];
  for (const m of type.matchAll(/\b([A-Za-z_]\w*)\.[A-Za-z_]\w*/g)) {
    const q = m[1]!;
    let found: string | null = null;
    for (const spec of declFile.tree.rootNode.descendantsOfType('import_spec')) {
      const path = spec.childForFieldName('path')?.text.replace(/["`]/g, '') ?? '';
      const name = spec.childForFieldName('name')?.text ?? path.split('/').pop();
      if (name === q) found = path;
    }
    if (!found || isAliased(declFile, q, found)) return null;
    if (!out.includes(found)) out.push(found);
  }
  return out;
}

/** An aliased import (`t "time"`) cannot be added by path alone: the helper would not see `t`. */
function isAliased(file: ParsedFile, name: string, path: string): boolean {
  return path.split('/').pop() !== name && new RegExp(`\\b${name}\\s+"${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"`).test(file.text);
}
