// The contract every transform in transforms/ implements: a pure function from a finding and its
// package's facts to fix alternatives, or the reason it declines. Transforms never touch files.
import type { Finding, MapDecl, RuleId } from '../analysis/model.js';
import type { PackageIndex, ParsedFile } from '../analysis/package-index.js';
import type { PackageFlow } from '../analysis/concurrency.js';
import type { RuleContext, SharedMap } from '../analysis/rules/shared-map.js';
import type { ResolvedSite } from '../analysis/concurrency.js';
import type { Fix } from './model.js';
import { addressOperandOf } from './go-syntax.js';

/** What a transform may read about the package of a finding. */
export interface PackageView {
  name: string;
  files: ParsedFile[];
  index: PackageIndex;
  flow: PackageFlow;
  rules: RuleContext;
  /** The `go` directive of the nearest go.mod (1.19 when there is none). */
  goVersion: string;
  /** Every finding of the package, so one fix can cover all findings of its map. */
  findings: Finding[];
}

export interface TransformOptions {
  /** mutex-wrap: `inline` adds a mutex beside the map; `wrapper` replaces it with a locked type. */
  style?: 'inline' | 'wrapper';
}

export type TransformResult = { fixes: Fix[] } | { declined: string };

export interface Transform {
  id: string;
  title: string;
  summary: string;
  /** The rules whose findings this transform can resolve. */
  appliesTo: readonly RuleId[];
  plan(finding: Finding, pkg: PackageView, options: TransformOptions): TransformResult;
}

/** Declares a transform; the identity function, there for type checking and discoverability. */
export function defineTransform(t: Transform): Transform {
  return t;
}

/** The per-map view of the finding's map, if the package facts know it. */
export function sharedMapOf(finding: Finding, pkg: PackageView): SharedMap | undefined {
  return pkg.rules.maps.find((m) => m.decl.key === finding.map.key);
}

/**
 * Whether a guard lock (`Store.mu`, an embedding struct `Store`, or a package var `mu`) is a
 * sync.RWMutex, so reads may take RLock.
 */
export function guardIsRW(guard: string, pkg: PackageView): boolean {
  const [owner, field] = guard.split('.');
  if (field && owner) return /RWMutex/.test(pkg.index.structs.get(owner)?.fields.get(field)?.type ?? '');
  if (owner && pkg.index.structs.has(owner)) return pkg.index.structs.get(owner)!.embedded.some((e) => /RWMutex/.test(e.type));
  // A package variable: its declared type, or else the value it is given (`mu = sync.RWMutex{}`).
  const v = owner ? pkg.index.vars.get(owner) : undefined;
  if (v?.type) return /RWMutex/.test(v.type);
  const value = v?.value ? v.file.text.slice(v.value.start, v.value.end) : '';
  return /^\s*(?:&\s*|new\(\s*)?sync\.RWMutex\b/.test(value);
}

/** Whether the declared Go version is at least major.minor. */
export function goAtLeast(goVersion: string, minor: number): boolean {
  const m = /^1\.(\d+)/.exec(goVersion);
  return m !== null && Number(m[1]) >= minor;
}

/** An access that takes the map variable's address (`&s.m`), with the `&` expression's text. */
export interface AddressTaken {
  site: ResolvedSite;
  /** `&s.m`, as written. */
  expr: string;
  /** Why no transform rewrites it, ending so a transform can add its own clause. */
  why: string;
}

/**
 * The accesses of a map that are the operand of `&`, in site order. The analysis records them as
 * escapes; every transform checks here first, because none may rewrite the operand of `&`: the
 * pointer's receiver writes through it into the live variable.
 */
export function addressTakenSites(shared: SharedMap, pkg: PackageView): AddressTaken[] {
  const out: AddressTaken[] = [];
  for (const site of shared.sites) {
    const file = pkg.files.find((f) => f.rel === site.span.file);
    const amp = file ? addressOperandOf(file, site.span.start, site.span.end) : null;
    if (!amp) continue;
    const expr = amp.text;
    out.push({ site, expr, why: `${site.span.file}:${site.span.line} takes the address of ${site.text} (${expr}): whoever gets the pointer writes through it into the live ${shared.decl.name}, or replaces it, so the operand of & cannot be rewritten` });
  }
  return out;
}

/**
 * Why the map's declared type is part of the package's API, or null: an exported package
 * variable, or an exported field (importers reach it through any value of its struct they get).
 * A transform that changes the map's type (wrapper, sync.Map) would break every importer.
 * Package main cannot be imported, so it has no such API.
 */
export function exportedMapApi(decl: MapDecl, pkg: PackageView): string | null {
  if (pkg.name === 'main') return null;
  if (decl.kind === 'package-var' && isExported(decl.name)) return `${decl.name} is an exported package variable`;
  if (decl.kind === 'field') {
    const [owner, field] = decl.name.split('.');
    if (field && isExported(field)) return `${field} is an exported field of ${isExported(owner ?? '') ? 'the exported type ' : ''}${owner}`;
  }
  return null;
}

function isExported(name: string): boolean {
  return /^\p{Lu}/u.test(name);
}
