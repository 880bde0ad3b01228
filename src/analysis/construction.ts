// Construction is not sharing: a value a function builds itself is reached by no other goroutine
// until it is published. Writes through it before that point, and calls of its methods made
// before it (NewX(): x := &X{…}; x.init(); go x.run()), are ordered before every goroutine that
// later reaches the value. See docs/ordering.md.
import type { FuncInfo, PackageIndex } from './package-index.js';
import type { RawCall, RawFacts, RawSite, ReturnValue, VarInfo } from './raw-facts.js';

export interface Construction {
  /** The call runs a method (or passes an argument) on a fresh value that is not yet published. */
  isConstructionCall(call: RawCall): boolean;
  /** The access goes through a fresh value of its own goroutine before that value is published. */
  isFreshAccess(site: RawSite): boolean;
  /**
   * For an access through the receiver of the method it is in: the contexts in which that receiver
   * can be a value other goroutines reach (calls on a value still under construction add none).
   * Null when the access does not go through the receiver.
   */
  receiverContexts(site: RawSite): Set<number> | null;
  /** The variable holds a value its function built (directly or from a constructor), and where it is published. */
  freshness(varId: number): { fresh: boolean; published: number | null };
}

interface CallerEdge {
  caller: number;
  pos: number;
  callee: number;
}

export function analyseConstruction(
  index: PackageIndex,
  raw: RawFacts,
  callersOf: Map<number, CallerEdge[] | { caller: number; pos: number }[]>,
  funcContexts: Set<number>[],
  entryContexts: Map<number, number[]>,
): Construction {
  const funcs = index.funcs;
  // Functions that start a goroutine themselves (in their body or a synchronous literal of it).
  const spawners = new Set<number>();
  for (const s of raw.spawns) {
    let f: FuncInfo | undefined = funcs[s.func];
    spawners.add(s.func);
    while (f && f.parent >= 0 && f.runs === 'sync') {
      f = funcs[f.parent];
      if (f) spawners.add(f.index);
    }
  }
  // Methods that start a goroutine, themselves or through calls on their own receiver
  // (x.Start() → x.startLoops() → go x.loop()): calling one on a value publishes it.
  const recvCalls = new Map<number, number[]>();
  const spawnReach = new Map<number, boolean>();
  const reachesSpawn = (f: number): boolean => {
    const hit = spawnReach.get(f);
    if (hit !== undefined) return hit;
    const seen = new Set<number>();
    const stack = [f];
    let found = false;
    while (stack.length > 0 && !found) {
      const g = stack.pop()!;
      if (seen.has(g)) continue;
      seen.add(g);
      if (spawners.has(g)) found = true;
      else stack.push(...(recvCalls.get(g) ?? []));
    }
    spawnReach.set(f, found);
    return found;
  };

  // Where a point of function h lies in function owner, following synchronous literals only.
  const placeIn = (h: number, pos: number, owner: number): number | null => {
    let f: FuncInfo | undefined = funcs[h];
    let p = pos;
    for (let depth = 0; f && depth < 30; depth++) {
      if (f.index === owner) return p;
      // A deferred literal runs in the same goroutine, at the end of its function (its anchor).
      if (f.parent < 0 || (f.runs !== 'sync' && f.runs !== 'deferred')) return null;
      p = f.anchor;
      f = funcs[f.parent];
    }
    return null;
  };

  // The method whose receiver a variable is.
  const receiverOf = (id: number | undefined): number | null => {
    if (id === undefined) return null;
    const v = raw.vars[id];
    if (!v) return null;
    const f = funcs[v.func];
    return f && f.recvName === v.name && f.recvStart === v.start ? f.index : null;
  };
  for (const c of raw.calls) {
    const m = receiverOf(c.recvVar);
    if (m === null || placeIn(c.caller, c.pos, m) === null) continue;
    recvCalls.set(m, [...(recvCalls.get(m) ?? []), ...c.callees]);
  }

  // The publication point of each fresh variable: the walker's, or a call that hands the value to
  // code starting a goroutine (x.Start() where Start runs `go x.loop()`).
  const published = new Map<number, number>();
  for (const v of raw.vars) if (v.published !== undefined) published.set(v.id, v.published);
  // Fresh values: built here (`&T{…}`), or the result of an in-package constructor that only ever
  // returns a value it built and did not publish (`x, err := newX()`).
  const fresh = new Set<number>();
  for (const v of raw.vars) if (v.fresh) fresh.add(v.id);
  for (const c of raw.calls) {
    const vars = [...(c.recvVar !== undefined ? [c.recvVar] : []), ...(c.argVars ?? [])];
    if (vars.length === 0 || !c.callees.some(reachesSpawn)) continue;
    for (const id of vars) {
      const v = raw.vars[id];
      if (!v) continue;
      const p = placeIn(c.caller, c.pos, v.func);
      if (p === null) continue;
      const prev = published.get(id);
      if (prev === undefined || p < prev) published.set(id, p);
    }
  }

  const loopsOf = (h: number, loops: [number, number][], owner: number): [number, number][] => (h === owner ? loops : []);
  /** A point (of function h, with its loops) that runs before v is published, in every iteration. */
  const beforePublication = (v: VarInfo, h: number, pos: number, loops: [number, number][]): boolean => {
    const p = placeIn(h, pos, v.func);
    if (p === null) return false;
    const pub = published.get(v.id);
    if (pub === undefined) return true;
    if (p >= pub) return false;
    // In a loop that does not build a new value each iteration, a later iteration runs after the
    // publication of an earlier one.
    return !loopsOf(h, loops, v.func).some(([s, e]) => !(s <= v.start && v.start < e) && s <= pub && pub < e);
  };

  const returnsByFunc = new Map<number, ReturnValue[]>();
  for (const r of raw.returnValues) returnsByFunc.set(r.func, [...(returnsByFunc.get(r.func) ?? []), r]);
  const returnsFresh = (f: number, index: number): boolean => {
    const fn = funcs[f];
    if (!fn || fn.literal || fn.namedResults.length > 0) return false;
    const rs = (returnsByFunc.get(f) ?? []).filter((r) => r.index === index);
    return rs.length > 0 && rs.every((r) => r.kind === 'fresh' || (r.kind === 'var' && fresh.has(r.var!) && beforePublication(raw.vars[r.var!]!, f, r.pos, [])));
  };
  for (let changed = true, rounds = 0; changed && rounds < 5; rounds++) {
    changed = false;
    for (const v of raw.vars) {
      if (fresh.has(v.id) || !v.fromCall) continue;
      const { callees, index } = v.fromCall;
      if (callees.every((c) => returnsFresh(c, index))) {
        fresh.add(v.id);
        changed = true;
      }
    }
  }

  const freshVar = (id: number | undefined): VarInfo | null => {
    if (id === undefined || !fresh.has(id)) return null;
    return raw.vars[id] ?? null;
  };

  const isConstructionCall = (c: RawCall): boolean => {
    const v = freshVar(c.recvVar);
    return !!v && beforePublication(v, c.caller, c.pos, c.loops);
  };

  const isFreshAccess = (s: RawSite): boolean => {
    const v = freshVar(s.baseVar);
    if (v && beforePublication(v, s.func, s.start, s.loops)) return true;
    // A test builds its own object graph: what it reaches through the fields of a value it built
    // and has not handed to a goroutine is its own.
    const o = funcs[s.func]!.file.rel.endsWith('_test.go') ? freshVar(s.ownerVar) : null;
    return !!o && beforePublication(o, s.func, s.start, s.loops);
  };

  // Receiver contexts: a method reached only through calls on values under construction has none.
  const recvCtx: Set<number>[] = funcs.map(() => new Set<number>());
  const known = new Set<string>();
  const classified: { callee: number; caller: number; kind: 'fresh' | 'receiver' | 'other'; from: number }[] = [];
  for (const c of raw.calls) {
    for (const callee of c.callees) {
      known.add(`${c.caller}:${c.pos}:${callee}`);
      if (funcs[callee]?.recvName === null || funcs[callee]?.recvName === undefined) continue;
      if (isConstructionCall(c)) {
        classified.push({ callee, caller: c.caller, kind: 'fresh', from: -1 });
        continue;
      }
      const m = receiverOf(c.recvVar);
      if (m !== null && placeIn(c.caller, c.pos, m) !== null) classified.push({ callee, caller: c.caller, kind: 'receiver', from: m });
      else classified.push({ callee, caller: c.caller, kind: 'other', from: c.caller });
    }
  }
  // Edges read from the text of a body that was not walked: `r.m(` on the caller's own receiver
  // (same type) is a receiver call; anything else may be on any value.
  const onOwnReceiver = (caller: number, callee: number): boolean => {
    const f = funcs[caller];
    const g = funcs[callee];
    if (!f || !g || f.literal || !f.recvName || f.recvType !== g.recvType || f.analysed || !f.body) return false;
    const body = f.file.text.slice(f.body.start, f.body.end);
    return new RegExp(`\\b${f.recvName}\\.${g.name}\\(`).test(body);
  };
  for (const [callee, list] of callersOf) {
    for (const e of list) {
      if (known.has(`${e.caller}:${e.pos}:${callee}`)) continue;
      if (onOwnReceiver(e.caller, callee)) classified.push({ callee, caller: e.caller, kind: 'receiver', from: e.caller });
      else classified.push({ callee, caller: e.caller, kind: 'other', from: e.caller });
    }
  }
  for (const [f, ctxs] of entryContexts) for (const c of ctxs) recvCtx[f]!.add(c);
  for (let changed = true, rounds = 0; changed && rounds < 50; rounds++) {
    changed = false;
    for (const e of classified) {
      if (e.kind === 'fresh') continue;
      const src = e.kind === 'receiver' ? recvCtx[e.from]! : funcContexts[e.from]!;
      const dst = recvCtx[e.callee]!;
      for (const c of src) {
        if (dst.has(c)) continue;
        dst.add(c);
        changed = true;
      }
    }
  }

  const receiverContexts = (s: RawSite): Set<number> | null => {
    const m = receiverOf(s.baseVar);
    if (m === null || placeIn(s.func, s.start, m) === null) return null;
    return recvCtx[m]!;
  };

  const freshness = (id: number) => ({ fresh: fresh.has(id), published: published.get(id) ?? null });

  return { isConstructionCall, isFreshAccess, receiverContexts, freshness };
}
