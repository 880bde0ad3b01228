import type { Finding } from '../model.js';
import type { ResolvedSite } from '../concurrency.js';
import { maskCommentsAndStrings } from '../text-callees.js';
import { contextEvidence, declEvidence, makeFinding, mapConfidence, racesOf, siteEvidence, type Rule } from './shared-map.js';

const HOW: Record<string, string> = {
  return: 'is returned',
  send: 'is sent on a channel',
  store: 'is stored in another variable or field',
  callback: 'is passed to a callback',
};

/**
 * A map stored into a composite literal (`&T{m: s.m, …}`, `[]map[K]V{s.a, s.b}`) escapes only when
 * the new value carries it away from its lock. Not an escape:
 * - the literal also copies the lock the map is guarded by from the same value
 *   (`&Deduper{seen: d.seen, mtx: d.mtx}`, the lock travels with the map: every access of the new
 *   value still takes the same mutex);
 * - the literal is used only as an argument of calls made right there (`st := T{Pending: o.pending};
 *   return o.store.Update(&st)`, or `f(&T{m: s.m})`): the callee uses the map synchronously, under
 *   whatever lock the caller holds (a callee that keeps the value is not seen; docs/rules.md);
 * - `held`: the store is made under the map's lock and the local is used only before that lock is
 *   released (`ps := T{Cons: s.cons}; b, _ := json.Marshal(&ps); s.mu.Unlock()`, or ranged over
 *   there), and never returned, sent, stored or captured: the map is read under its lock.
 */
export function storeStaysWithLock(text: string, pos: number, funcEnd: number, guard: string, mapText: string | undefined, held = false): boolean {
  let depth = 0;
  let open = -1;
  for (let i = pos - 1; i >= 0 && pos - i < 20000; i--) {
    const c = text[i];
    if (c === '}' || c === ')' || c === ']') depth++;
    else if (c === '(' || c === '[') {
      if (depth === 0) return false;
      depth--;
    } else if (c === '{') {
      if (depth === 0) {
        open = i;
        break;
      }
      depth--;
    }
  }
  if (open < 0) return false;
  let close = -1;
  depth = 0;
  for (let i = open + 1; i < text.length && i < funcEnd; i++) {
    const c = text[i];
    if (c === '{' || c === '(' || c === '[') depth++;
    else if (c === '}' || c === ')' || c === ']') {
      if (depth === 0) {
        close = i;
        break;
      }
      depth--;
    }
  }
  if (close < 0) return false;
  const before = text.slice(Math.max(0, open - 200), open);
  const type = /(&?)\s*([A-Za-z_][\w.]*)(\[[^\]]*\])?\s*$/.exec(before);
  const body = text.slice(open + 1, close);
  const dot = guard.lastIndexOf('.');
  const base = mapText ? /^([A-Za-z_]\w*)\./.exec(mapText)?.[1] : undefined;
  if (type) {
    const typeName = type[2]!.split('.').pop()!;
    // The lock travels with the map.
    if (dot > 0 && base && guard.slice(0, dot) === typeName) {
      const field = guard.slice(dot + 1);
      if (new RegExp(`(^|[,{\\s])${field}\\s*:\\s*&?${base}\\.${field}\\s*(,|$)`, 'm').test(body)) return true;
    }
    const lead = before.slice(0, before.length - type[0].length).replace(/\s+$/, '');
    // Passed straight to a call.
    if (lead.endsWith('(')) return /[\w\])]\s*\($/.test(lead);
  }
  // Kept in a local: `name := T{…}`, `name := &T{…}`, `name := []map[K]V{…}`.
  const assigned = /([A-Za-z_]\w*)\s*:?=\s*(&?\s*(?:\[\]|map\[|[A-Za-z_])[\w.\[\]*, ]*)$/.exec(before.replace(/\s+$/, ''));
  if (!assigned) return false;
  const name = assigned[1]!;
  const rest = maskCommentsAndStrings(text.slice(close + 1, funcEnd));
  // `Cons: s.cons`: the literal's field that holds the map; reading another field (`ps.ID`) is no use of it.
  const key = /(\w+)\s*:\s*&?\s*$/.exec(text.slice(open + 1, pos))?.[1];
  const otherField = (u: RegExpMatchArray) => {
    const f = /^\s*\.\s*(\w+)\s*(\(|[-+*\/|&^]?=[^=]|:=)?/.exec(rest.slice(u.index! + name.length));
    return !!key && !!f && f[1] !== key && f[2] === undefined;
  };
  const uses = [...rest.matchAll(new RegExp(`(?<![\\w.])${name}\\b`, 'g'))].filter((u) => !otherField(u));
  if (uses.length === 0) return false;
  // Only ever handed to calls.
  const argument = (u: RegExpMatchArray) => {
    const pre = rest.slice(0, u.index).replace(/&\s*$/, '').replace(/\s+$/, '');
    const post = rest.slice(u.index! + name.length).replace(/^\s+/, '');
    return (pre.endsWith('(') || pre.endsWith(',')) && (post.startsWith(')') || post.startsWith(',')) && !/\breturn\s*$/.test(pre);
  };
  if (uses.every(argument)) return true;
  if (!held || !base || dot < 0) return false;
  // Used only while the lock is still held: before the first (not deferred) unlock of the guard.
  const field = guard.slice(dot + 1);
  const lockExprs = [`${base}\\.${field}`, ...(/^(?:RW)?Mutex$/.test(field) ? [base] : [])].join('|');
  const unlockRe = new RegExp(`(defer\\s+)?(?<![\\w.])(?:${lockExprs})\\.R?Unlock\\(\\)`, 'g');
  let limit = -1;
  for (const m of rest.matchAll(unlockRe)) {
    if (m[1]) {
      limit = rest.length;
      break;
    }
    limit = m.index!;
    break;
  }
  if (limit < 0 && new RegExp(`defer\\s+(?:${lockExprs})\\.R?Unlock\\(\\)`).test(maskCommentsAndStrings(text.slice(Math.max(0, pos - 20000), pos)))) limit = rest.length;
  if (limit < 0) return false;
  return uses.every((u) => {
    if (u.index! >= limit) return false;
    if (argument(u)) return true;
    const pre = rest.slice(0, u.index).replace(/\s+$/, '');
    const post = rest.slice(u.index! + name.length).replace(/^\s+/, '');
    // Read in place: ranged over, indexed, its length, a field of it read (not assigned).
    if (/\brange\s*$/.test(pre) && !/\b(?:go|return)\b[^\n]*$/.test(pre)) return true;
    if (/^\[/.test(post) || /^\.\w+/.test(post)) return !/^(?:\[[^\]]*\]|\.\w+)\s*(?:[-+*\/|&^]?=[^=]|:=)/.test(post) && !/(?:\breturn|<-|\bgo)\s*$/.test(pre) && !/[^=!<>:]=\s*$/.test(pre);
    return /\blen\(\s*$/.test(pre);
  });
}

/** A lock-guarded map handed out where its readers no longer hold the lock. */
export const mapEscapesLock: Rule = {
  id: 'map-escapes-lock',
  run(ctx) {
    const { flow, finder, maps } = ctx;
    const out: Finding[] = [];
    for (const map of maps) {
      const guard = map.guard;
      if (!guard) continue;
      // A function's own map (a copy being built) is not shared unless a goroutine reaches it.
      if (map.decl.kind === 'local' || map.decl.kind === 'param') {
        if (!map.sites.some((s) => s.local && s.local.spawn !== null)) continue;
      }
      for (const at of map.sites) {
        if (at.kind !== 'escape' || !at.escape || !(at.escape in HOW)) continue;
        // Handed over and then replaced under the same lock (`publish(s.m); s.m = nil`): a hand-off.
        const replaced = map.sites.some(
          (w) => w.raw.reassign && w.func === at.func && w.raw.start > at.raw.start && w.locks.some((l) => l.name === guard),
        );
        if (replaced) continue;
        const fn = flow.index.funcs[at.func]!;
        if (at.escape === 'store' && storeStaysWithLock(fn.file.text, at.raw.start, fn.end, guard, at.raw.mapText ?? at.text, at.locks.some((l) => l.name === guard))) continue;
        // The escape matters only where a writer can still run after it (not after wg.Wait()).
        // Replacing the whole map (`s.m = next`, copy-on-write) leaves the handed-out one untouched.
        // Filling a map the same function just put in place under the lock (`a.jsLimits = map…{};
        // a.jsLimits[t] = …`) writes a map nobody can have been handed yet (copy-on-write).
        const fillsReplacement = (w: ResolvedSite) =>
          map.sites.some(
            (r) => r.raw.reassign && r.func === w.func && r.raw.start < w.raw.start && (r.raw.mapText ?? r.text.split(/\s*:?=/)[0]!.trim()) === w.raw.mapText && r.locks.some((l) => l.name === guard) && w.locks.some((l) => l.name === guard),
          );
        const writers = map.sites.filter((w) => w !== at && ['write', 'delete', 'clear'].includes(w.kind) && !w.raw.reassign && !finder.isConstruction(w) && !fillsReplacement(w));
        const races = racesOf(finder, map, at, writers);
        if (races.length === 0) continue;
        const msg = `${map.decl.name} ${HOW[at.escape]} here and leaves the protection of ${guard}: whoever uses it later reads it without the lock`;
        const ev = [declEvidence(map.decl), siteEvidence(flow, at, null)];
        const writer = map.sites.find((s) => s !== at && (s.kind === 'write' || s.kind === 'delete'));
        if (writer) ev.push(siteEvidence(flow, writer, writer.contexts[0] ?? null));
        for (const c of new Set(map.sites.flatMap((s) => s.contexts))) {
          const e = contextEvidence(flow, c);
          if (e) ev.push(e);
        }
        out.push(makeFinding(flow, 'map-escapes-lock', map, at, msg, ev, mapConfidence(ctx, map, races)));
      }
    }
    return out;
  },
};
