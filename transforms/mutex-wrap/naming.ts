// Names for the mutex a rewrite adds, chosen not to collide with anything in scope.
import type { MapDecl } from '../../src/analysis/model.js';
import { isMapType } from '../../src/analysis/package-index.js';
import type { ResolvedSite } from '../../src/analysis/concurrency.js';
import type { PackageView } from '../../src/plan/transform.js';

/** The lock a fix takes: its normalised name (as in HeldLock), and how to spell it at a site. */
export interface LockChoice {
  name: string;
  reused: boolean;
  /** A sync.RWMutex (RLock for reads) rather than a sync.Mutex. */
  rw: boolean;
  display: string;
  expr(site: ResolvedSite): string;
  /** For a new mutex: the declared name. */
  declName?: string;
  /** The map's own name, for naming temporaries. */
  mapName: string;
}

/**
 * `mu` for the only map of a struct, else `<field>Mu`; `<name>Mu` for package and local maps,
 * always starting lower-case.
 * A numeric suffix avoids any field, method or package-level name already taken.
 */
export function newMutexName(decl: MapDecl, pkg: PackageView): string {
  // Unexported even beside an exported map (`Counts` → `countsMu`): the fix adds no API.
  const own = decl.name.split('.').pop()!;
  const field = own[0]!.toLowerCase() + own.slice(1);
  if (decl.kind === 'field') {
    const owner = decl.name.split('.')[0]!;
    const st = pkg.index.structs.get(owner);
    const taken = (n: string) => !!st?.fields.has(n) || pkg.index.funcs.some((f) => f.recvType === owner && f.name === n);
    const maps = st ? [...st.fields.values()].filter((f) => isMapType(pkg.index, f.type)).length : 1;
    const base = maps <= 1 ? 'mu' : `${field}Mu`;
    return unique(base, taken);
  }
  const taken = (n: string) =>
    pkg.index.vars.has(n) || pkg.index.funcsByName.has(n) || pkg.index.structs.has(n) || pkg.index.namedTypes.has(n) || pkg.index.imports.has(n);
  if (decl.kind === 'package-var') return unique(`${field}Mu`, taken);
  const file = pkg.files.find((f) => f.rel === decl.span.file);
  const fn = decl.ownerFunc !== undefined ? pkg.index.funcs[decl.ownerFunc] : undefined;
  const body = fn && file ? file.text.slice(fn.start, fn.end) : (file?.text ?? '');
  return unique(`${field}Mu`, (n) => taken(n) || new RegExp(`\\b${n}\\b`).test(body));
}

function unique(base: string, taken: (n: string) => boolean): string {
  if (!taken(base)) return base;
  for (let i = 2; ; i++) if (!taken(`${base}${i}`)) return `${base}${i}`;
}
