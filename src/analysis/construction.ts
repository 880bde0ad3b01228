// Construction is not sharing: a value a function builds itself is reached by no other goroutine
// until it is published. Writes through it before that point, and calls of its methods made
// before it (NewX(): x := &X{…}; x.init(); go x.run()), are ordered before every goroutine that
// later reaches the value. See docs/ordering.md.
import type { ConcurrencyContext } from './model.js';
import type { FuncInfo, PackageIndex } from './package-index.js';
import type { FromCall, PublishPoint, RawCall, RawFacts, RawSite, RawSpawn, ReturnValue, VarInfo } from './raw-facts.js';

export interface Construction {
  /** The call runs a method (or passes an argument) on a fresh value that is not yet published. */
  isConstructionCall(call: RawCall): boolean;
  /** The access goes through a fresh value of its own goroutine before that value is published. */
  isFreshAccess(site: RawSite): boolean;
  /** Through a fresh value reached so far only by goroutines its methods started: those contexts (see analyseConstruction). */
  freshPeers(site: RawSite): Set<number> | null;
  /**
   * For an access through the receiver or a parameter of the function it is in: the contexts in
   * which the value bound there can be one other goroutines reach (calls passing a value still
   * under construction add none). Null when the access goes through neither, or through a
   * parameter the function reassigns or has handed on before the access.
   */
  holderContexts(site: RawSite): Set<number> | null;
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
  contexts: ConcurrencyContext[],
  spawnContext: Map<number, number>,
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
  const spawnsIn = new Map<number, number[]>();
  for (const s of raw.spawns) {
    for (let f: FuncInfo | undefined = funcs[s.func]; f; f = f.parent >= 0 && f.runs === 'sync' ? funcs[f.parent] : undefined) {
      spawnsIn.set(f.index, [...(spawnsIn.get(f.index) ?? []), s.id]);
      if (f.parent < 0 || f.runs !== 'sync') break;
    }
  }
  // The contexts a method's goroutines (started through calls on its own receiver) run, and the
  // goroutines those start in turn.
  // The spawns of a method and of the methods it calls on its own receiver, transitively.
  const chainSpawnIds = (f: number): number[] => {
    const out: number[] = [];
    const seen = new Set<number>();
    const stack = [f];
    while (stack.length > 0) {
      const g = stack.pop()!;
      if (seen.has(g)) continue;
      seen.add(g);
      out.push(...(spawnsIn.get(g) ?? []));
      stack.push(...(recvCalls.get(g) ?? []));
    }
    return out;
  };
  const spawnCtx = new Map<number, Set<number>>();
  const chainContexts = (f: number): Set<number> => {
    const hit = spawnCtx.get(f);
    if (hit) return hit;
    const out = new Set<number>();
    for (const sp of chainSpawnIds(f)) {
      const c = spawnContext.get(sp);
      if (c !== undefined) out.add(c);
    }
    for (let changed = out.size > 0; changed; ) {
      changed = false;
      for (const ctx of contexts) {
        if (out.has(ctx.id) || ctx.spawner < 0) continue;
        if ([...funcContexts[ctx.spawner]!].some((c) => out.has(c))) {
          out.add(ctx.id);
          changed = true;
        }
      }
    }
    spawnCtx.set(f, out);
    return out;
  };
  const reachesSpawn = (f: number): boolean => chainContexts(f).size > 0;

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

  // Foreign fields (VarInfo.foreignFields): pointer fields a fresh value was built with that hold
  // what a parameter (never reassigned) or the receiver of its function holds. A `go` statement
  // handing only such fields (`go n.s.handle()`) hands the goroutine those values, which reach the
  // fresh one only if it was stored into them (a publication of its own). Not when the field is
  // assigned after the literal, or when anything in the package may assign it (`x.s = …`, `&x.s`):
  // a method could point it at a value holding the fresh one.
  const assignedAnywhere = new Map<string, boolean>();
  const fieldAssigned = (f: string): boolean => {
    let hit = assignedAnywhere.get(f);
    if (hit === undefined) {
      const name = f.replace(/[^\w]/g, '');
      const re = new RegExp(`\\.${name}\\s*(?:,[^=\\n;]*)?=(?!=)|&\\s*[\\w.]+\\.${name}\\b`);
      hit = index.files.some((file) => re.test(file.text));
      assignedAnywhere.set(f, hit);
    }
    return hit;
  };
  const foreignMemo = new Map<number, Set<string>>();
  const foreignOf = (v: VarInfo): Set<string> => {
    let out = foreignMemo.get(v.id);
    if (out) return out;
    out = new Set<string>();
    for (const { field, root } of v.foreignFields ?? []) {
      const r = raw.vars[root];
      if (!r || (r.rebinds ?? []).length > 0 || (v.assignedFields ?? []).includes(field) || fieldAssigned(field)) continue;
      out.add(field);
    }
    foreignMemo.set(v.id, out);
    return out;
  };
  const foreignOnly = (v: VarInfo, fields: string[]): boolean => {
    const foreign = foreignOf(v);
    return fields.every((f) => foreign.has(f));
  };

  // The publication point of each fresh variable: the walker's, or a call that hands the value to
  // code starting a goroutine (x.Start() where Start runs `go x.loop()`).
  const published = new Map<number, number>();
  const points = new Map<number, PublishPoint[]>();
  for (const v of raw.vars) {
    const pubs = (v.publications ?? []).filter((q) => !(v.fresh && q.viaFields && foreignOnly(v, q.viaFields)));
    if (pubs.length > 0) {
      points.set(v.id, pubs);
      published.set(v.id, Math.min(...pubs.map((q) => q.pos)));
    }
  }
  // A goroutine a method starts hands it its receiver, unless the `go` statement names the receiver
  // only through fields foreign to v (`go n.s.handleWritePermissionError()` in a method called on a
  // raft node n built with `s: s`).
  const handsReceiverTo = (sp: RawSpawn, v: VarInfo): boolean =>
    !sp.viaFields || !sp.viaFields.every((h) => receiverOf(h.var) !== null && foreignOnly(v, h.fields));
  const chainSpawns = (f: number): RawSpawn[] => chainSpawnIds(f).map((id) => raw.spawns[id]!);
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
      if (id === c.recvVar && v.fresh && c.callees.every((f) => chainSpawns(f).every((sp) => !handsReceiverTo(sp, v)))) continue;
      const p = placeIn(c.caller, c.pos, v.func);
      if (p === null) continue;
      const prev = published.get(id);
      if (prev === undefined || p < prev) published.set(id, p);
      const peers = new Set<number>();
      for (const callee of c.callees) for (const x of chainContexts(callee)) peers.add(x);
      points.set(id, [...(points.get(id) ?? []), { pos: p, branches: c.caller === v.func ? (c.branches ?? []) : [], peers }]);
    }
  }

  // The receiver (-1) or parameter (0…) of a named function a variable is, when the point (h, pos)
  // lies in that function. `rebound` says whether a parameter the function reassigns still counts
  // (it then holds its argument or what the assignments give it).
  const holderOf = (id: number | undefined, h: number, pos: number, rebound: (v: VarInfo) => boolean = () => true): { func: number; index: number } | null => {
    if (id === undefined) return null;
    const m = receiverOf(id);
    if (m !== null) return placeIn(h, pos, m) === null ? null : { func: m, index: -1 };
    const v = raw.vars[id];
    if (!v?.param || v.param.func !== v.func || funcs[v.func]?.literal || (v.rebinds && !rebound(v))) return null;
    return placeIn(h, pos, v.func) === null ? null : { func: v.func, index: v.param.index };
  };
  /** What a call binds to the callee's receiver (-1) and parameters: [position, variable]. */
  const boundVars = (c: RawCall, callee: number): [number, number][] => {
    const out: [number, number][] = [];
    const g = funcs[callee];
    if (!g || g.literal) return out;
    if (c.recvVar !== undefined && g.recvName !== null) out.push([-1, c.recvVar]);
    // `f(g())` or a variadic tail binds arguments to parameters in ways not read here.
    if (c.argRoots && c.argRoots.length === g.params.length) c.argRoots.forEach((id, i) => id !== null && out.push([i, id]));
    return out;
  };
  // Holders a function hands to other goroutines: stored, sent or captured by a `go` (the walker's
  // publications of the variable), or passed on to a holder that is, or to a function that
  // starts a goroutine. Calling such a function publishes the value passed there.
  const holderVar = new Map<string, number>();
  for (const v of raw.vars) {
    const f = funcs[v.func];
    if (!f || f.literal) continue;
    if (v.param && v.param.func === v.func) holderVar.set(`${v.func}:${v.param.index}`, v.id);
    else if (receiverOf(v.id) !== null) holderVar.set(`${v.func}:-1`, v.id);
  }
  // How each holder escapes: `plain` when it is stored, sent or started on somewhere another
  // goroutine may reach (or passed to a helper that does), else the other holders of its function
  // it is only stored into (`func (s *Server) add(l *Listener) { s.ls = append(s.ls, l) }`: l
  // goes into the receiver). Such a store hands the value to whatever the caller bound there: a
  // value the caller is still building publishes nothing until that value is published.
  interface Escape {
    plain: boolean;
    into: Set<number>;
  }
  const escapeOf = new Map<string, Escape>();
  const escapeAt = (k: string): Escape => {
    let e = escapeOf.get(k);
    if (!e) escapeOf.set(k, (e = { plain: false, into: new Set() }));
    return e;
  };
  for (const [k, id] of holderVar) {
    const v = raw.vars[id]!;
    for (const q of v.publications ?? []) {
      // Into the function's own receiver or a parameter it never reassigns.
      const into = holderOf(q.into, v.func, q.pos, () => false);
      const e = escapeAt(k);
      if (into === null) e.plain = true;
      else e.into.add(into.index);
    }
  }
  // The variables each call binds to its callee's receiver and parameters, read once for every round.
  const bindings: { c: RawCall; callee: number; bound: Map<number, number> }[] = [];
  for (const c of raw.calls) {
    for (const callee of c.callees) {
      const bound = new Map(boundVars(c, callee));
      if (bound.size > 0) bindings.push({ c, callee, bound });
    }
  }
  for (let changed = true, rounds = 0; changed && rounds < 20; rounds++) {
    changed = false;
    for (const { c, callee, bound } of bindings) {
      for (const [i, id] of bound) {
        const h = holderOf(id, c.caller, c.pos);
        if (!h) continue;
        const k = `${h.func}:${h.index}`;
        const e = escapeOf.get(k);
        if (e?.plain) continue;
        const sub = escapeOf.get(`${callee}:${i}`);
        let plain = reachesSpawn(callee) || !!sub?.plain;
        const into: number[] = [];
        for (const j of sub?.into ?? []) {
          const w = bound.get(j);
          // Stored into the value itself (a back-pointer): reachable from nowhere new.
          if (w === id) continue;
          const hw = w === undefined ? null : holderOf(w, c.caller, c.pos);
          if (!hw || hw.func !== h.func) plain = true;
          else into.push(hw.index);
        }
        if (!plain && into.every((j) => e?.into.has(j))) continue;
        const out = escapeAt(k);
        if (plain) out.plain = true;
        for (const j of into) out.into.add(j);
        changed = true;
      }
    }
  }
  // Such a call publishes the caller's value from there on (docs/ordering.md, "Handed to a
  // helper"): `register(n)` storing n into a package-level list ends n's construction as a store
  // written in place would. Calls whose callee keeps the parameter to itself publish nothing, and
  // one that stores it into a value the caller is still building (`s.addListener(l)` on a fresh
  // s) publishes it where that value is published.
  const handedPoints = new Map<number, PublishPoint[]>();
  const handAt = (id: number, q: PublishPoint) => handedPoints.set(id, [...(handedPoints.get(id) ?? []), q]);
  const heldBy = new Map<number, { w: number; pos: number }[]>();
  for (const c of raw.calls) {
    for (const callee of c.callees) {
      const bound = new Map(boundVars(c, callee));
      for (const [i, id] of bound) {
        const e = escapeOf.get(`${callee}:${i}`);
        if (!e || reachesSpawn(callee)) continue;
        const v = raw.vars[id];
        const p = v ? placeIn(c.caller, c.pos, v.func) : null;
        if (!v || p === null) continue;
        const here: PublishPoint = { pos: p, branches: c.caller === v.func ? (c.branches ?? []) : [] };
        if (e.plain) {
          handAt(id, here);
          continue;
        }
        for (const j of e.into) {
          const w = bound.get(j);
          if (w === id) continue;
          // Into a value this function is still building: published with it (handedOf).
          const wv = w === undefined ? undefined : raw.vars[w];
          if (wv && wv.fresh && wv.func === v.func) heldBy.set(id, [...(heldBy.get(id) ?? []), { w: wv.id, pos: p }]);
          else handAt(id, here);
        }
      }
    }
  }
  /**
   * Where v is handed on: the calls above, and for a value stored into one still being built, each
   * publication of that value after the store (or the store, when it was published before). Read
   * when asked, so that publications found later (containers of fresh values) count too.
   */
  const handedOf = (id: number, depth = 0): PublishPoint[] => {
    const out = [...(handedPoints.get(id) ?? [])];
    if (depth > 4) return out;
    for (const { w, pos } of heldBy.get(id) ?? []) {
      for (const q of [...(points.get(w) ?? []), ...handedOf(w, depth + 1)]) out.push({ pos: Math.max(pos, q.pos), branches: [] });
    }
    return out;
  };

  const loopsOf = (h: number, loops: [number, number][], owner: number): [number, number][] => (h === owner ? loops : []);
  /**
   * The publications of v that can precede a point of function h (null: the point is not in v's
   * goroutine); with `handed`, also the calls that hand v to a helper storing it somewhere shared.
   */
  const reachingPublications = (v: VarInfo, h: number, pos: number, loops: [number, number][], handed = false): (PublishPoint & { peers?: Set<number> })[] | null => {
    const p = placeIn(h, pos, v.func);
    if (p === null) return null;
    const pubs = [...(points.get(v.id) ?? []), ...(handed ? handedOf(v.id) : [])];
    const outer = loopsOf(h, loops, v.func).filter(([s, e]) => !(s <= v.start && v.start < e));
    return pubs.filter((q) => {
      // In a loop that does not build a new value each iteration, a later iteration runs after the
      // publication of an earlier one.
      if (outer.some(([s, e]) => s <= q.pos && q.pos < e)) return true;
      if (p <= q.pos) return false;
      // A publication in one branch of an if/switch does not reach a later sibling branch.
      return !q.branches.some(([ss, se, bs, be]) => ss <= p && p < se && !(bs <= p && p < be));
    });
  };
  /**
   * A point (of function h, with its loops) that runs before v is published, in every iteration:
   * before it is stored, sent or started on, and before it is handed to an in-package helper that
   * does so (`register(n)` storing n into a package-level list).
   */
  const beforePublication = (v: VarInfo, h: number, pos: number, loops: [number, number][]): boolean =>
    reachingPublications(v, h, pos, loops, true)?.length === 0;

  const returnsByFunc = new Map<number, ReturnValue[]>();
  for (const r of raw.returnValues) returnsByFunc.set(r.func, [...(returnsByFunc.get(r.func) ?? []), r]);
  const returnsAt = (f: number, index: number): ReturnValue[] => (returnsByFunc.get(f) ?? []).filter((r) => r.index === index);
  const returnsFresh = (f: number, index: number): boolean => {
    const fn = funcs[f];
    if (!fn || fn.literal || fn.namedResults.length > 0) return false;
    const rs = returnsAt(f, index);
    return rs.length > 0 && rs.every((r) => r.kind === 'fresh' || (r.kind === 'var' && fresh.has(r.var!) && beforePublication(raw.vars[r.var!]!, f, r.pos, [])));
  };
  // Builders: a method whose every return hands back its own receiver, not published by then
  // (`func (c *Cluster) WithAPIResources(…) *Cluster { …; return c }`).
  const receiverVar = new Map<number, number>();
  for (const v of raw.vars) {
    const m = receiverOf(v.id);
    if (m !== null) receiverVar.set(m, v.id);
  }
  const returnsReceiver = (f: number, index: number): boolean => {
    const fn = funcs[f];
    const recv = receiverVar.get(f);
    if (!fn || fn.literal || fn.namedResults.length > 0 || recv === undefined || index !== 0) return false;
    const rs = returnsAt(f, index);
    return rs.length > 0 && rs.every((r) => r.kind === 'var' && r.var === recv && beforePublication(raw.vars[recv]!, f, r.pos, []));
  };
  const freshResult = (c: FromCall, at: VarInfo): boolean =>
    c.callees.every(
      (f) =>
        returnsFresh(f, c.index) ||
        (c.on !== undefined && returnsReceiver(f, c.index) && ('var' in c.on ? fresh.has(c.on.var) && beforePublication(raw.vars[c.on.var]!, at.func, at.start, []) : freshResult(c.on, at))),
    );
  for (let changed = true, rounds = 0; changed && rounds < 5; rounds++) {
    changed = false;
    for (const v of raw.vars) {
      if (fresh.has(v.id) || !v.fromCall) continue;
      if (freshResult(v.fromCall, v)) {
        fresh.add(v.id);
        changed = true;
      }
    }
  }

  // A parameter reassigned only to values its function builds (`q = q.WithContext(ctx)`, a copy
  // from a constructor) holds the caller's value or one of its own: the caller's contexts cover both.
  const rebindsFresh = (v: VarInfo): boolean =>
    (v.rebinds ?? []).every((r) => r === 'fresh' || (r !== 'other' && r.callees.every((c) => returnsFresh(c, r.index))));

  // Containers of fresh values (docs/ordering.md): a fresh value stored into a map or slice its
  // function made is published when the container is (at once, if the container was published
  // before the store or may be reached another way); a range variable over a container whose
  // elements are all built there holds one of them. Publishing such a variable publishes the
  // container, and so every element.
  const containerPoints = new Map<number, PublishPoint[]>();
  for (const v of raw.vars) {
    if (v.elemOf === undefined) continue;
    const c = raw.vars[v.elemOf];
    if (!c || c.freshElems !== true) continue;
    const list = containerPoints.get(c.id) ?? [...(points.get(c.id) ?? [])];
    list.push(...(points.get(v.id) ?? []));
    containerPoints.set(c.id, list);
  }
  const pointsOfContainer = (c: VarInfo): PublishPoint[] => containerPoints.get(c.id) ?? points.get(c.id) ?? [];
  const addPoints = (v: VarInfo, add: PublishPoint[]) => {
    if (add.length === 0) return;
    points.set(v.id, [...(points.get(v.id) ?? []), ...add]);
    const first = Math.min(...add.map((q) => q.pos));
    if (!published.has(v.id) || first < published.get(v.id)!) published.set(v.id, first);
  };
  for (const v of raw.vars) {
    for (const h of v.heldIn ?? []) {
      const c = raw.vars[h.container];
      const cps = c ? pointsOfContainer(c) : [];
      const add = cps.filter((q) => q.pos > h.pos);
      if (!c || c.freshElems !== true || cps.some((q) => q.pos <= h.pos)) add.push({ pos: h.pos, branches: [] });
      addPoints(v, add);
    }
    if (v.elemOf === undefined) continue;
    const c = raw.vars[v.elemOf];
    if (!c || c.freshElems !== true) continue;
    // Rebound to anything but a value built here, it may hold another value.
    if (!rebindsFresh(v)) continue;
    fresh.add(v.id);
    addPoints(v, pointsOfContainer(c).filter((q) => !(points.get(v.id) ?? []).includes(q)));
  }

  const paramHolder = (id: number | undefined, h: number, pos: number) => holderOf(id, h, pos, rebindsFresh);

  const freshVar = (id: number | undefined): VarInfo | null => {
    if (id === undefined || !fresh.has(id)) return null;
    return raw.vars[id] ?? null;
  };

  const isConstructionCall = (c: RawCall): boolean => {
    const v = freshVar(c.recvVar);
    return !!v && beforePublication(v, c.caller, c.pos, c.loops);
  };

  /**
   * For an access through a fresh value: the contexts that can reach the value at that point —
   * only goroutines started by methods called on it (x.start() → go x.loop()), or null when it
   * was published otherwise (or the access is not through a fresh value). Empty: construction.
   */
  const freshPeers = (s: RawSite): Set<number> | null => {
    const peersOf = (id: number | undefined): Set<number> | null => {
      const v = freshVar(id);
      const reaching = v ? reachingPublications(v, s.func, s.start, s.loops, true) : null;
      if (!reaching) return null;
      const out = new Set<number>();
      for (const q of reaching) {
        if (!q.peers) return null;
        for (const c of q.peers) out.add(c);
      }
      return out;
    };
    const direct = peersOf(s.baseVar);
    if (direct) return direct;
    // Through a field the fresh value was built with (`b.stats.m`, `stats: &BrokerStats{}`).
    if (s.freshPath !== undefined) {
      const owned = peersOf(s.freshPath);
      if (owned) return owned;
    }
    // Through a field of a copy a call returned (`stats := b.stats.Copy(); stats.res.m`).
    if (s.viaField !== undefined) {
      const v = freshVar(s.viaField.var);
      if (v && ownFieldsOf(v).has(s.viaField.field)) {
        const owned = peersOf(v.id);
        if (owned) return owned;
      }
    }
    // Through a field of a value the call builds and hands back to this access alone
    // (`range node.Usages().negative().usages`, negative returning a new DiskUsages): no other
    // goroutine has that value (docs/ordering.md, "Copies").
    if (s.viaCall !== undefined && fieldsOfCall(s.viaCall.call, 0).has(s.viaCall.field)) return new Set<number>();
    // A test builds its own object graph: what it reaches through the fields of a value it built
    // and has not handed to a goroutine is its own.
    return funcs[s.func]!.file.rel.endsWith('_test.go') ? peersOf(s.ownerVar) : null;
  };
  const isFreshAccess = (s: RawSite): boolean => freshPeers(s)?.size === 0;

  // Copies: fields of a fresh result that the callee set to values of their own, so that
  // `stats := b.stats.Copy(); range stats.BlockedResources.ByJob` reaches only the copy's map
  // (docs/ordering.md, "Copies"). Every return must hand back a variable with such a field.
  const callFresh = (c: FromCall): boolean => c.callees.length > 0 && c.callees.every((f) => returnsFresh(f, c.index));
  const ownFields = (fields: string[] | undefined, calls: { field: string; call: FromCall }[] | undefined): Set<string> =>
    new Set([...(fields ?? []), ...(calls ?? []).filter((c) => callFresh(c.call)).map((c) => c.field)]);
  const deepMemo = new Map<string, Set<string>>();
  const intersect = (sets: Set<string>[]): Set<string> =>
    sets.length === 0 ? new Set<string>() : new Set([...sets[0]!].filter((x) => sets.every((t) => t.has(x))));
  // A value a call returned keeps the fields that call gave it, unless they were assigned since
  // (or the variable was given another value: then nothing is inherited).
  const withInherited = (own: Set<string>, v: VarInfo, assigned: string[] | undefined, depth: number): Set<string> => {
    const from = (v.rebinds ?? []).length > 0 ? undefined : v.fromCall;
    if (!from) return own;
    for (const x of fieldsOfCall(from, depth)) if (!(assigned ?? []).includes(x)) own.add(x);
    return own;
  };
  const resultFields = (f: number, index: number, depth: number): Set<string> => {
    const key = `${f}:${index}`;
    const hit = deepMemo.get(key);
    if (hit) return hit;
    deepMemo.set(key, new Set());
    const sets: Set<string>[] = [];
    if (depth < 6 && returnsFresh(f, index)) {
      for (const r of returnsAt(f, index)) {
        const v = r.kind === 'var' ? raw.vars[r.var!] : undefined;
        if (r.kind === 'fresh') sets.push(ownFields(r.fields, r.fieldCalls));
        else sets.push(v ? withInherited(ownFields(r.fields, r.fieldCalls), v, r.assigned, depth + 1) : new Set<string>());
      }
    }
    const result = intersect(sets);
    deepMemo.set(key, result);
    return result;
  };
  const fieldsOfCall = (c: FromCall, depth: number): Set<string> => intersect(c.callees.map((f) => resultFields(f, c.index, depth)));
  /** The fields of a fresh variable's value that are its own: set here to built values, or by the call it came from. */
  const ownFieldsOf = (v: VarInfo): Set<string> =>
    withInherited(ownFields(v.freshFields, v.fieldCalls), v, v.assignedFields, 0);

  // Holder contexts: for the receiver (-1) and each parameter of a named function, the contexts
  // in which the value bound there can be one other goroutines reach. A function reached only
  // through calls passing values under construction has none for that holder.
  const holderCtx = new Map<string, Set<number>>();
  const ctxOfHolder = (k: string): Set<number> => {
    let set = holderCtx.get(k);
    if (!set) holderCtx.set(k, (set = new Set<number>()));
    return set;
  };
  const positions = (g: FuncInfo): number[] => [...(g.recvName !== null ? [-1] : []), ...g.params.map((_, i) => i)];
  type Source = { kind: 'holder'; key: string } | { kind: 'other'; caller: number };
  const edges: { dst: string; src: Source }[] = [];
  const known = new Set<string>();
  for (const c of raw.calls) {
    for (const callee of c.callees) {
      known.add(`${c.caller}:${c.pos}:${callee}`);
      const g = funcs[callee];
      if (!g || g.literal) continue;
      const bound = new Map(boundVars(c, callee));
      // A deferred call runs when its function returns: after every publication in it.
      const at = c.deferred ? funcs[c.caller]!.end : c.pos;
      for (const i of positions(g)) {
        const dst = `${callee}:${i}`;
        const id = bound.get(i);
        const v = id === undefined ? null : freshVar(id);
        // A value under construction: no other goroutine reaches it through this call.
        if (v && reachingPublications(v, c.caller, at, c.loops, true)?.length === 0) continue;
        const h = paramHolder(id, c.caller, c.pos);
        // A parameter handed on before the call may already be another goroutine's.
        const handedOn = h !== null && h.index >= 0 && (reachingPublications(raw.vars[id!]!, c.caller, at, c.loops, true)?.length ?? 1) > 0;
        if (h && !handedOn) edges.push({ dst, src: { kind: 'holder', key: `${h.func}:${h.index}` } });
        else edges.push({ dst, src: { kind: 'other', caller: c.caller } });
      }
    }
  }
  // Edges read from the text of a body that was not walked: `r.m(` on the caller's own receiver
  // (same type) is a receiver call; anything else may be on any value.
  const onOwnReceiver = (caller: number, callee: number): boolean => {
    const f = funcs[caller];
    const g = funcs[callee];
    if (!f || !g || f.literal || !f.recvName || f.recvType !== g.recvType || f.analysed || !f.body) return false;
    const body = f.file.text.slice(f.body.start, f.body.end);
    if (!WORD.test(f.recvName) || !WORD.test(g.name)) return body.includes(`${f.recvName}.${g.name}`) && new RegExp(`\\b${f.recvName}\\.${g.name}\\(`).test(body);
    // The methods the body calls on its receiver, read once per caller.
    let called = receiverCalls.get(caller);
    if (!called) {
      called = new Set<string>();
      if (body.includes(`${f.recvName}.`)) for (const m of body.matchAll(new RegExp(`\\b${f.recvName}\\.(\\w+)\\(`, 'g'))) called.add(m[1]!);
      receiverCalls.set(caller, called);
    }
    return called.has(g.name);
  };
  const receiverCalls = new Map<number, Set<string>>();
  for (const [callee, list] of callersOf) {
    const g = funcs[callee];
    if (!g || g.literal) continue;
    for (const e of list) {
      if (known.has(`${e.caller}:${e.pos}:${callee}`)) continue;
      for (const i of positions(g)) {
        const dst = `${callee}:${i}`;
        if (i === -1 && onOwnReceiver(e.caller, callee)) edges.push({ dst, src: { kind: 'holder', key: `${e.caller}:-1` } });
        else edges.push({ dst, src: { kind: 'other', caller: e.caller } });
      }
    }
  }
  for (const [f, ctxs] of entryContexts) {
    const g = funcs[f];
    if (!g || g.literal) continue;
    for (const i of positions(g)) for (const c of ctxs) ctxOfHolder(`${f}:${i}`).add(c);
  }
  // The sets each edge joins, looked up once (the sets themselves grow in place).
  const joins = edges.map((e) => ({ src: e.src.kind === 'holder' ? ctxOfHolder(e.src.key) : funcContexts[e.src.caller]!, dst: ctxOfHolder(e.dst) }));
  for (let changed = true, rounds = 0; changed && rounds < 50; rounds++) {
    changed = false;
    for (const { src, dst } of joins) {
      for (const c of src) {
        if (dst.has(c)) continue;
        dst.add(c);
        changed = true;
      }
    }
  }

  const holderContexts = (s: RawSite): Set<number> | null => {
    const h = paramHolder(s.baseVar, s.func, s.start);
    if (h === null) return null;
    // A parameter the function has handed to others by now is reached wherever they run.
    if (h.index >= 0 && (reachingPublications(raw.vars[s.baseVar!]!, s.func, s.start, s.loops, true)?.length ?? 1) > 0) return null;
    return ctxOfHolder(`${h.func}:${h.index}`);
  };

  const freshness = (id: number) => ({ fresh: fresh.has(id), published: published.get(id) ?? null });

  return { isConstructionCall, isFreshAccess, freshPeers, holderContexts, freshness };
}

const WORD = /^\w+$/;
