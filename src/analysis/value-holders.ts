// Struct values held by value in a field (`state ConsumerState` in `consumerFileStore`): which of
// them other names can reach, so that an access through any other name is another instance.
import type { PackageIndex } from './package-index.js';
import { baseTypeName } from './types.js';
import type { RawFacts, RawSite, WholeUse } from './raw-facts.js';

export interface ValueHolders {
  /**
   * Whether `site` certainly reaches a different instance of the map's struct than `held`, an
   * access through a struct-valued field (`o.state.Pending`, held at `consumerFileStore.state`):
   * the held value is never handed on as a whole (no `&o.state` kept, copied, returned or
   * stored; only passed to parameters that themselves are only read through), the struct's
   * methods never hand their receiver on, and `site` goes through none of the names that can
   * reach it (the holder path, a receiver of the struct's methods, a parameter the held value is
   * passed to). `withTests`: count what test files do too (for a map the tests declare); a test
   * that copies `cfs.state = *state` makes only the tests' own runs share the maps.
   */
  otherInstance(site: RawSite, held: RawSite, structType: string, withTests: boolean): boolean;
}

interface Reach {
  escaped: Set<string>;
  escapedFields: Set<string>;
  leakyReceivers: Set<string>;
  /** Parameter ("func:index") → the holder pairs whose value it is handed. */
  carriers: Map<string, Set<string>>;
}

/** `structParam(func, index)`: the parameter is a struct or a pointer to one (the walker records only such names' uses). */
function reach(uses: WholeUse[], structParam: (func: number, index: number) => boolean): Reach {
  const escaped = new Set<string>();
  const escapedFields = new Set<string>();
  const leakyReceivers = new Set<string>();
  const leakyParams = new Set<string>();
  const carriers = new Map<string, Set<string>>();
  const addCarried = (key: string, held: Iterable<string>): boolean => {
    const set = carriers.get(key) ?? new Set<string>();
    const before = set.size;
    for (const h of held) set.add(h);
    carriers.set(key, set);
    return set.size !== before;
  };
  const paramTo = new Map<string, { callees: number[]; paramIndex: number }[]>();
  for (const u of uses) {
    if ('receiverOf' in u) leakyReceivers.add(u.receiverOf);
    else if ('param' in u) {
      // A parameter handed on to another in-package parameter carries what it holds there;
      // anything else (stored, returned, copied, passed to code we cannot see) lets it out.
      if (u.to) paramTo.set(u.param, [...(paramTo.get(u.param) ?? []), u.to]);
      else leakyParams.add(u.param);
    } else if (u.holder === null) {
      if (u.field) escapedFields.add(u.field);
    } else if (u.to) {
      for (const c of u.to.callees) {
        // Into a parameter of another type (`any`, an interface, `...T`): its uses are not followed.
        if (structParam(c, u.to.paramIndex)) addCarried(`${c}:${u.to.paramIndex}`, [u.holder]);
        else escaped.add(u.holder);
      }
    } else escaped.add(u.holder);
  }
  // Parameters handed on to parameters, to a fixed point.
  for (let changed = true; changed; ) {
    changed = false;
    for (const [from, tos] of paramTo) {
      const held = carriers.get(from);
      if (!held) continue;
      for (const to of tos) {
        for (const c of to.callees) {
          if (!structParam(c, to.paramIndex)) {
            for (const h of held) escaped.add(h);
            continue;
          }
          if (addCarried(`${c}:${to.paramIndex}`, held)) changed = true;
        }
      }
    }
  }
  for (const [param, held] of carriers) if (leakyParams.has(param)) for (const h of held) escaped.add(h);
  return { escaped, escapedFields, leakyReceivers, carriers };
}

export function valueHolders(index: PackageIndex, raw: RawFacts): ValueHolders {
  const structParam = (func: number, i: number): boolean => {
    const p = index.funcs[func]?.params[i];
    return !!p && !p.type.startsWith('...') && index.structs.has(baseTypeName(p.type));
  };
  const all = reach(raw.wholeUses, structParam);
  const production = reach(raw.wholeUses.filter((u) => !u.test), structParam);
  return {
    otherInstance(site, held, structType, withTests) {
      const r = withTests ? all : production;
      const pairs = held.holderPairs;
      if (!pairs || !held.valueHolder || site.valueHolder === held.valueHolder || r.leakyReceivers.has(structType)) return false;
      if (pairs.some((p) => r.escaped.has(p) || r.escapedFields.has(p.slice(p.indexOf('.') + 1)))) return false;
      // Held by the same field of the same type through another root: maybe the same value.
      if (site.holderPairs?.[site.holderPairs.length - 1] === pairs[pairs.length - 1]) return false;
      const root = site.ownerVar ?? site.baseVar;
      if (root === undefined) return false;
      const v = raw.vars[root];
      if (!v) return false;
      const owner = index.funcs[v.func];
      // A method of the struct may run on the held value (`o.state.encode()`).
      if (owner && owner.recvName === v.name && owner.recvStart === v.start && owner.recvType === structType) return false;
      const carried = v.param ? r.carriers.get(`${v.param.func}:${v.param.index}`) : undefined;
      return !(carried && pairs.some((p) => carried.has(p)));
    },
  };
}
