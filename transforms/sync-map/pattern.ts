// Whether a map's accesses follow the pattern the sync.Map documentation names: "(1) when the
// entry for a given key is only ever written once but read many times, as in caches that only
// grow, or (2) when multiple goroutines read, write, and overwrite entries for disjoint sets of
// keys". Static code rarely proves either, so this says yes only on clear evidence.
import type { SyntaxNode } from '../../src/parse/parser.js';
import type { PackageView } from '../../src/plan/transform.js';
import { sameNode } from '../../src/plan/go-syntax.js';
import { unparen } from '../../src/plan/go-syntax.js';
import { where, type MapAccess } from './accesses.js';

export interface Fit {
  fits: boolean;
  why: string;
}

type Write = Extract<MapAccess, { kind: 'store' | 'delete' }>;

/**
 * The loop variable that makes a write's key unique to its goroutine, or null: the write runs in
 * a `go func(i …){…}(i)` started per iteration, keyed by the parameter that receives a loop
 * counter or the key/index of a range (never a range value, which may repeat).
 */
function disjointKey(w: Write): string | null {
  const key = unparen(w.key);
  const lit = w.fn;
  if (key.type !== 'identifier' || lit?.type !== 'func_literal') return null;
  const call = lit.parent;
  if (call?.type !== 'call_expression' || call.parent?.type !== 'go_statement' || !sameNode(call.childForFieldName('function'), lit)) return null;
  const params = (lit.childForFieldName('parameters')?.namedChildren ?? []).flatMap((p) => p.childrenForFieldName('name'));
  const i = params.findIndex((p) => p.text === key.text);
  const arg = call.childForFieldName('arguments')?.namedChildren[i];
  if (i < 0 || arg?.type !== 'identifier') return null;
  let loop: SyntaxNode | null = call.parent.parent;
  while (loop && loop.type !== 'for_statement' && loop.type !== 'func_literal' && loop.type !== 'function_declaration' && loop.type !== 'method_declaration') loop = loop.parent;
  if (loop?.type !== 'for_statement') return null;
  const forClause = loop.namedChildren.find((c) => c.type === 'for_clause');
  const rangeClause = loop.namedChildren.find((c) => c.type === 'range_clause');
  if (forClause) {
    const init = forClause.childForFieldName('initializer');
    const update = forClause.childForFieldName('update');
    const names = init?.childForFieldName('left')?.namedChildren.map((n) => n.text) ?? [];
    if (names.includes(arg.text) && update && new RegExp(`^${arg.text}\\s*(\\+\\+|--|\\+=)`).test(update.text)) return `the counter ${arg.text} of the loop at ${where(w.file, loop)}`;
    return null;
  }
  const left = rangeClause?.childForFieldName('left');
  const first = left?.type === 'expression_list' ? left.namedChildren[0] : left;
  if (first?.text === arg.text) return `the key/index ${arg.text} of the range at ${where(w.file, loop)}`;
  return null;
}

/** Whether sync.Map suits how the package uses the map (see the file comment), and why. */
export function accessPattern(accesses: MapAccess[], pkg: PackageView): Fit {
  const live = accesses.filter((a) => a.kind !== 'construct');
  const stores = live.filter((a): a is Extract<MapAccess, { kind: 'store' }> => a.kind === 'store');
  const deletes = live.filter((a): a is Extract<MapAccess, { kind: 'delete' }> => a.kind === 'delete');
  const clears = live.filter((a) => a.kind === 'clear');
  const reads = live.filter((a) => a.kind === 'load' || a.kind === 'range');
  const writes: Write[] = [...stores, ...deletes];
  if (writes.length > 0 && clears.length === 0) {
    const keys = writes.map(disjointKey);
    if (keys.every((k) => k !== null)) {
      return { fits: true, why: `goroutines write disjoint keys: every store or delete runs in a goroutine started per loop iteration and keyed by ${[...new Set(keys)].join(' and ')}` };
    }
  }
  if (clears.length > 0) return { fits: false, why: `the map is cleared at ${where(clears[0]!.file, clears[0]!.ref)}: keys are stored again after that, which is not write-once use` };
  if (stores.length === 0) {
    return deletes.length <= 1
      ? { fits: true, why: `no store after construction, ${reads.length} read site(s) and ${deletes.length} delete site(s): entries are written once and only removed by one cleanup path` }
      : { fits: false, why: `${deletes.length} delete sites: entries are removed from several paths` };
  }
  if (stores.length > 1) return { fits: false, why: `${stores.length} store sites (${stores.map((s) => where(s.file, s.stmt)).join(', ')}) may overwrite each other's keys; sync.Map is meant for keys written once or goroutines with disjoint keys` };
  if (deletes.length > 1) return { fits: false, why: `${deletes.length} delete sites: keys may be deleted and stored again from several paths` };
  const s = stores[0]!;
  const at = where(s.file, s.stmt);
  const multi = (s.site?.contexts ?? []).map((c) => pkg.flow.contexts[c]).find((c) => c?.multi);
  if (multi) return { fits: false, why: `the store at ${at} runs in ${multi.description}, with a key that may repeat: it may overwrite keys, which sync.Map handles worse than a mutex-guarded map` };
  const contexts = s.site?.contexts ?? [];
  if (contexts.length > 1) {
    const names = contexts.map((c) => pkg.flow.contexts[c]?.description ?? 'another goroutine').join(' and ');
    return { fits: false, why: `the store at ${at} runs in ${names} at once, which may store the same keys` };
  }
  let inLoop = false;
  for (let cur = s.stmt.parent; cur && !sameNode(cur, s.fn); cur = cur.parent) if (cur.type === 'for_statement') inLoop = true;
  if (inLoop) return { fits: false, why: `the store at ${at} is in a loop and may overwrite keys` };
  if (reads.length === 0) return { fits: false, why: 'the map is written but never read: sync.Map buys nothing there' };
  return {
    fits: true,
    why: `write-once/read-many: one store site (${at}) outside any loop and run by one goroutine at a time, ${reads.length} read site(s)${deletes.length ? ', one delete site' : ''} (this assumes each key is stored once)`,
  };
}
