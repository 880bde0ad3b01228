// Pass two: map references flow between functions, contexts spread over the call graph,
// locks held by every caller become a callee's entry locks, and each access gets its contexts.
import { valueHolders, type ValueHolders } from './value-holders.js';
import type { AccessSite, ConcurrencyContext, HeldLock, MapDecl } from './model.js';
import { isMapType, lookupField, outermostFunction, type FuncInfo, type PackageIndex } from './package-index.js';
import { publishAt, waitJoins, type RawBinding, type RawCall, type RawFacts, type RawSite, type RawSpawn, type SymRef } from './raw-facts.js';
import { maskCommentsAndStrings, textCallees } from './text-callees.js';
import { analyseConstruction, type Construction } from './construction.js';
import { documentedEntryLocks, documentedInitOnly } from './documented-locks.js';
import { isLockPointerType } from './lock-identity.js';
import { isOwnerLock, OWNER, OwnerLocks } from './owner-locks.js';
import { baseTypeName } from './types.js';
import { child, unparen } from './syntax.js';

/** Where an access runs relative to the function owning a local map. */
export interface LocalPlace {
  /** The spawn (index into spawns) the access runs under, or null for the owner's own goroutine. */
  spawn: number | null;
  /** Position in the owner's body that stands for the access. */
  anchor: number;
}

interface MapRef {
  key: string;
  bind: LocalPlace | null;
  /** Reached through a function's return value (a getter handing the map out). */
  viaReturn?: boolean;
  /**
   * Reached through a parameter of `heldOwner` bound by plain calls: the locks every such call
   * holds while the function runs with this map as the argument (docs/locks.md).
   */
  held?: HeldLock[];
  heldOwner?: number;
}

export interface ResolvedSite extends AccessSite {
  raw: RawSite;
  /** Global context ids the access may run in. */
  contexts: number[];
  /** For maps local to a function: where the access runs relative to the owner. */
  local: LocalPlace | null;
  owner: number;
  /** The map was reached through a function's return value. */
  viaReturn: boolean;
  /** Per context, the locks held there when its callers in that context hold more than `locks`. */
  contextLocks?: Map<number, HeldLock[]>;
}

/** The locks a site holds when it runs in context `ctx`. */
export function locksIn(site: ResolvedSite, ctx: number): HeldLock[] {
  return site.contextLocks?.get(ctx) ?? site.locks;
}

export interface PackageFlow {
  index: PackageIndex;
  raw: RawFacts;
  contexts: ConcurrencyContext[];
  funcContexts: Set<number>[];
  entryLocks: HeldLock[][];
  sites: ResolvedSite[];
  maps: Map<string, MapDecl>;
  spawnContext: Map<number, number>;
  callersOf: Map<number, { caller: number; pos: number; loops: [number, number][] }[]>;
  /** Functions that only ever run during package initialisation (`init` and what only it calls). */
  initOnly: Set<number>;
  /** Unexported struct types whose every instance stays in the goroutine that built it. */
  confinedTypes: Set<string>;
  /** Direct callees of every function (synchronous call edges). */
  calleesOf: number[][];
  /** Locks taken for a caller by a helper around a closure (`withLock(mu, func(){…})`). */
  helperLocks: Set<string>;
  /** Values under construction: fresh values before they are published, and methods run on them. */
  construction: Construction;
  /** Per function: the locks its doc comment says callers hold ("Lock should be held."), or null. */
  documentedLocks: (HeldLock[] | null)[];
  /**
   * The in-package calls of a function (those its callers' locks are worked out from) that do not
   * hold `lock` (or hold only its read lock, when `write`): where the lock a callee needs is missing.
   */
  callsLacking(func: number, lock: string, write: boolean): { caller: number; pos: number }[];
  /** Which struct values held in fields other names can reach (value-holders.ts). */
  valueHolders: ValueHolders;
  /** Which struct types have a lock of their own (owner-locks.ts). */
  owners: OwnerLocks;
}

/** A call edge into a function: its caller, the locks held at the call, the call itself when known. */
interface EdgeLock {
  caller: number;
  locks: HeldLock[];
  call?: RawCall;
  /** For an edge read from the text of a body that was not walked: where the callee's name is first called. */
  at?: number;
}

const CALLER_CONTEXT = 0;

/** Resolves the raw facts of a package into accesses with contexts and locks. */
export function resolvePackage(
  index: PackageIndex,
  raw: RawFacts,
  span: (file: string, start: number, end: number) => import('./model.js').SourceSpan,
  options: { strictTests?: boolean } = {},
): PackageFlow {
  const funcs = index.funcs;
  // The spawn each goroutine literal runs in (helpers' call sites added by addHelperSpawns).
  const spawnOfTarget = new Map<number, RawSpawn>();
  for (const s of raw.spawns) for (const t of s.targets) if (funcs[t]?.literal) spawnOfTarget.set(t, s);
  const helperStarted = addHelperSpawns(funcs, raw, spawnOfTarget);
  const goStarted = addGoArguments(funcs, raw, spawnOfTarget, helperStarted);
  const paramVar = new Map<string, number>();
  for (const v of raw.vars) {
    if (v.param) paramVar.set(`${v.param.func}:${v.param.index}`, v.id);
  }
  for (const v of raw.vars) {
    const f = funcs[v.func]!;
    if (f.recvName === v.name && v.start === f.recvStart) paramVar.set(`${v.func}:-1`, v.id);
  }

  // ---- map references flow: variables, returns, call bindings ----
  const varRefs = new Map<number, MapRef[]>();
  const retRefs = new Map<number, MapRef[]>();
  const bindingsByVar = new Map<number, { refs: SymRef[]; caller: number; pos: number; spawn: number | null; raw: RawBinding; callee: number }[]>();
  for (const b of raw.bindings) {
    for (const callee of b.callees) {
      const vid = paramVar.get(`${callee}:${b.paramIndex}`);
      if (vid === undefined) continue;
      const list = bindingsByVar.get(vid) ?? [];
      list.push({ refs: b.refs, caller: b.caller, pos: b.pos, spawn: b.spawn, raw: b, callee });
      bindingsByVar.set(vid, list);
    }
  }
  const resolving = new Set<string>();
  const resolveSym = (refs: SymRef[]): MapRef[] => {
    const out: MapRef[] = [];
    for (const r of refs) {
      if ('key' in r) out.push({ key: r.key, bind: null });
      else if ('var' in r) out.push(...resolveVar(r.var));
      else for (const f of r.ret) out.push(...resolveRet(f).map(({ held: _h, heldOwner: _o, ...m }) => ({ ...m, viaReturn: true })));
    }
    return dedupe(out);
  };
  const resolveRet = (f: number): MapRef[] => {
    const hit = retRefs.get(f);
    if (hit) return hit;
    const tag = `r${f}`;
    if (resolving.has(tag)) return [];
    resolving.add(tag);
    const out = resolveSym(raw.returns.get(f) ?? []);
    resolving.delete(tag);
    retRefs.set(f, out);
    return out;
  };
  const resolveVar = (id: number): MapRef[] => {
    const hit = varRefs.get(id);
    if (hit) return hit;
    const tag = `v${id}`;
    if (resolving.has(tag)) return [];
    resolving.add(tag);
    const v = raw.vars[id]!;
    const out = resolveSym(v.refs);
    for (const b of bindingsByVar.get(id) ?? []) {
      for (const ref of resolveSym(b.refs)) {
        const held = bindingHeld(ref, b);
        const owner = ownerOfKey(ref.key);
        if (owner === null) {
          out.push({ key: ref.key, bind: ref.bind, ...(ref.viaReturn ? { viaReturn: true } : {}), ...held });
          continue;
        }
        const base = ref.bind ?? localPlace(b.caller, b.pos, owner);
        if (!base) continue;
        out.push({ key: ref.key, bind: { spawn: base.spawn ?? b.spawn, anchor: base.anchor }, ...(ref.viaReturn ? { viaReturn: true } : {}), ...held });
      }
    }
    resolving.delete(tag);
    const result = dedupe(out);
    varRefs.set(id, result);
    return result;
  };

  /**
   * A map handed to a parameter by a plain call is that parameter only while the callee runs for
   * that call, which holds what the caller holds there: the locks it takes before the call, and
   * what the binding that gave the caller the map holds (when the call runs in place within that
   * function, not in a goroutine or a stored literal of it). Not the caller's entry locks: a
   * literal handed to a function that runs it with `go f()` counts as run in place under its
   * writer's locks (nats' startGoRoutine), which would guard the map wrongly. A map passed as an argument
   * under its lock is guarded at the callee's accesses through the parameter, whatever other
   * maps other calls pass (nats' `checkClients(GATEWAY, gw.in, …)` between gw.RLock and
   * gw.RUnlock). A `go` or deferred call holds none of it.
   */
  const bindingHeld = (ref: MapRef, b: { caller: number; raw: RawBinding; callee: number }): { held?: HeldLock[]; heldOwner?: number } => {
    // Read now, after stripCondLock may have taken a conditional lock back.
    const locks = b.raw.locks;
    if (!locks) return {};
    return { held: unionLocks(locks, heldAt(ref, b.caller)), heldOwner: b.callee };
  };
  /** What a reference's bindings hold at an access in function f. */
  const heldAt = (ref: MapRef, f: number): HeldLock[] => (ref.held && ref.heldOwner !== undefined && runsInPlaceWithin(f, ref.heldOwner) ? ref.held : []);

  // Where (spawn, anchor) a point of function h lies inside owner o, or null when outside it.
  const localPlace = (h: number, pos: number, owner: number, depth = 0): LocalPlace | null => {
    if (h === owner) return { spawn: null, anchor: pos };
    const f = funcs[h];
    if (!f || f.parent < 0 || depth > 20) return null;
    if (f.runs === 'spawned') {
      const s = spawnOfTarget.get(h);
      if (!s) return null;
      const outer = localPlace(f.parent, s.start, owner, depth + 1);
      return outer ? { spawn: outer.spawn ?? s.id, anchor: outer.anchor } : null;
    }
    return localPlace(f.parent, f.anchor, owner, depth + 1);
  };

  // ---- contexts ----
  const contexts: ConcurrencyContext[] = [
    {
      id: CALLER_CONTEXT,
      kind: 'go',
      description: "the package's callers",
      span: span(funcs[0]?.file.rel ?? '', 0, 0),
      spawner: -1,
      multi: false,
      entries: [],
    },
  ];
  const spawnContext = new Map<number, number>();
  for (const s of raw.spawns) {
    const fn = funcs[s.func]!;
    const ctx: ConcurrencyContext = {
      id: contexts.length,
      kind: s.kind,
      description: s.loops.length > 0 && !s.perRequest ? `${s.description} (in a loop: several run at once)` : s.perRequest ? `${s.description} (one per request)` : s.description,
      span: span(fn.file.rel, s.start, s.end),
      spawner: s.func,
      multi: s.loops.length > 0 || s.perRequest,
      entries: s.targets,
    };
    spawnContext.set(s.id, ctx.id);
    contexts.push(ctx);
  }
  const spawnTargets = new Set<number>();
  for (const s of raw.spawns) for (const t of s.targets) spawnTargets.add(t);
  for (const f of funcs) {
    if (f.literal || spawnTargets.has(f.index)) continue;
    const serve = f.name === 'ServeHTTP' && f.recvType !== null && f.params.length === 2;
    // gRPC-style: Method(ctx context.Context, req *XRequest) (*XResponse, error).
    const service =
      f.recvType !== null &&
      f.exported &&
      f.params.length === 2 &&
      f.params[0]!.type.trim() === 'context.Context' &&
      /^\*\w*(Request|Req)$/.test(f.params[1]!.type.trim()) &&
      f.results.length === 2 &&
      f.results[1]!.trim() === 'error';
    if (!serve && !service) continue;
    contexts.push({
      id: contexts.length,
      kind: serve ? 'handler' : 'service-method',
      description: serve ? `${f.recvType}.ServeHTTP (one per request)` : `${f.recvType}.${f.name} (service method: one per call)`,
      span: span(f.file.rel, f.start, f.start),
      spawner: -1,
      multi: true,
      entries: [f.index],
    });
    spawnTargets.add(f.index);
  }

  // Call edges, including name-only edges from bodies that were not walked.
  const callees: number[][] = funcs.map(() => []);
  const callersOf = new Map<number, { caller: number; pos: number; loops: [number, number][] }[]>();
  const edgeLocks = new Map<number, EdgeLock[]>();
  // `locks` null: a guessed edge (a method named in a body that was not walked) that may run
  // the callee but says nothing about the locks its callers hold.
  // A call on a value the caller built and has not shared needs none of that value's own locks:
  // the edge counts as holding every lock of the receiver's type (docs/locks.md).
  const allLocks = [...new Set(raw.sites.flatMap((s) => s.locks.map((l) => l.name)).concat(raw.calls.flatMap((c) => c.locks.map((l) => l.name))))];
  const ownLocks = (t: string): HeldLock[] => allLocks.filter((n) => n === t || n.startsWith(`${t}.`)).map((name) => ({ name, mode: 'write' as const }));
  const addEdge = (caller: number, callee: number, pos: number, loops: [number, number][], locks: HeldLock[] | null, call?: RawCall, at?: number) => {
    callees[caller]!.push(callee);
    const list = callersOf.get(callee) ?? [];
    list.push({ caller, pos, loops });
    callersOf.set(callee, list);
    if (locks === null) return;
    const el = edgeLocks.get(callee) ?? [];
    const fresh = call?.freshReceiver;
    const held = fresh ? unionLocks(locks, ownLocks(fresh)) : locks;
    el.push(call ? { caller, locks: held, call } : { caller, locks: held, ...(at !== undefined ? { at } : {}) });
    edgeLocks.set(callee, el);
  };
  for (const c of raw.calls) for (const callee of c.callees) addEdge(c.caller, callee, c.pos, c.loops, c.locks, c);
  // A literal handed to an in-package function runs where that function calls the parameter;
  // when it never does (it stores the literal), assume it runs from where it was written.
  const helperLocks = new Set<string>();
  // (`go f()` on a parameter starts a goroutine: addHelperSpawns; for the rest nothing is assumed.)
  const paramCallsOf = groupBy(
    raw.paramCalls.filter((pc) => pc.spawn === undefined),
    (pc) => `${pc.func}:${pc.paramIndex}`,
  );
  const runsInPlaceWithin = (g: number, f: number): boolean => runsInPlace(funcs, g, f);
  /** Function g is (a literal inside) f that runs in a goroutine started within f. */
  const spawnedWithin = (g: number, f: number): boolean => {
    for (let h = g, depth = 0; depth < 64 && h !== f && h >= 0; depth++) {
      const fn = funcs[h]!;
      if (fn.runs === 'spawned') return true;
      h = fn.parent;
    }
    return false;
  };
  for (const fa of raw.funcArgs) {
    if (helperStarted.has(fa) || goStarted.has(fa)) continue;
    const calls = fa.callees.flatMap((c) => paramCallsOf.get(`${c}:${fa.paramIndex}`) ?? []);
    if (calls.length === 0 && fa.methodValue) continue;
    if (calls.length === 0) addEdge(fa.caller, fa.literal, fa.pos, fa.loops, fa.locks);
    for (const pc of calls) {
      // A method value a helper starts with `go` (nats' startGoRoutine(js.monitorCluster)) is
      // left as it was: its goroutine's own values would merge across the goroutines of that one
      // `go` statement (docs/locks.md).
      if (fa.methodValue && spawnedWithin(pc.caller, pc.func)) continue;
      // withLock(mu, func(){…}) locks its parameter: name that lock as the caller's argument.
      const params = funcs[pc.func]!.params;
      const locks = pc.locks.map((l) => {
        const j = params.findIndex((p) => l.name === `${p.name}@${pc.func}:${p.start}`);
        const arg = j >= 0 ? fa.argLocks[j] : null;
        if (arg) helperLocks.add(arg);
        return arg ? { name: arg, mode: l.mode } : l;
      });
      // Called by the callee itself (or a literal it runs in place): the literal runs during this
      // very call, in the caller's goroutine, with the caller's locks as well as the callee's
      // (`c.processApi(…, func(){…})` under c.lock). Called from a goroutine or a stored literal of
      // the callee: it runs there.
      // (Not for a `go` statement's argument: it runs in the goroutine, where the callee runs.)
      if (runsInPlaceWithin(pc.caller, pc.func) && fa.spawn === undefined) addEdge(fa.caller, fa.literal, fa.pos, fa.loops, unionLocks(fa.locks, locks));
      else addEdge(pc.caller, fa.literal, pc.pos, pc.loops, locks);
    }
  }
  for (const f of funcs) {
    if (f.analysed || f.literal || !f.body) continue;
    // Methods resolve through the receiver's type (text-callees.ts): no edge is a guess.
    for (const { callee, pos } of textCallees(index, f)) addEdge(f.index, callee, f.start, [], [], undefined, pos);
  }
  const called = new Set<number>();
  for (const list of callees) for (const c of list) called.add(c);
  const caller = contexts[CALLER_CONTEXT]!;
  // Started only by tests (`go fsd.Run(ctx, ch)` in a test): still an entry point of the callers,
  // as it is when the tests are left out.
  const handlerEntries = new Set<number>(contexts.filter((c) => c.spawner < 0).flatMap((c) => c.entries));
  const prodSpawned = new Set<number>();
  for (const s of raw.spawns) if (!isTestFile(funcs[s.func]!.file.rel)) for (const t of s.targets) prodSpawned.add(t);
  for (const f of funcs) {
    const spawnedByTestsOnly = spawnTargets.has(f.index) && !prodSpawned.has(f.index) && !handlerEntries.has(f.index) && !isTestFile(f.file.rel);
    if (f.literal || (spawnTargets.has(f.index) && !spawnedByTestsOnly)) continue;
    if (calledFromOutside(index, f) || (f.recvType === null && (f.name === 'main' || f.name === 'init')) || !called.has(f.index)) caller.entries.push(f.index);
  }

  const funcContexts: Set<number>[] = funcs.map(() => new Set<number>());
  for (const ctx of contexts) {
    const stack = [...ctx.entries];
    while (stack.length > 0) {
      const f = stack.pop()!;
      if (funcContexts[f]!.has(ctx.id)) continue;
      funcContexts[f]!.add(ctx.id);
      for (const c of callees[f]!) stack.push(c);
    }
  }
  // Package code the callers' context reaches only through tests (`startSendLoops` called from
  // manager_test.go alone): with --strict-tests off, tests driving internals do not make it run
  // alongside the package's goroutines (shared-map.ts).
  const prodReach = new Set<number>();
  // Called by tests alone: an entry, as it is when the tests are left out.
  const onlyTestCallers = (f: FuncInfo) => {
    const cs = callersOf.get(f.index) ?? [];
    return cs.length > 0 && cs.every((c) => isTestFile(funcs[c.caller]!.file.rel));
  };
  const prodStack = [
    ...caller.entries.filter((f) => !isTestFile(funcs[f]!.file.rel)),
    ...funcs.filter((f) => !f.literal && !isTestFile(f.file.rel) && onlyTestCallers(f)).map((f) => f.index),
  ];
  while (prodStack.length > 0) {
    const f = prodStack.pop()!;
    if (prodReach.has(f)) continue;
    prodReach.add(f);
    for (const c of callees[f]!) if (!isTestFile(funcs[c]!.file.rel)) prodStack.push(c);
  }
  const testDriven = new Set<number>();
  for (const f of funcs) if (funcContexts[f.index]!.has(CALLER_CONTEXT) && !prodReach.has(f.index) && !isTestFile(f.file.rel)) testDriven.add(f.index);
  // Without --strict-tests such code does not run in the callers' context at all: its receivers
  // and what it calls are not reached from there either (hugo's checkForChanges, which only a
  // benchmark calls outside the watch goroutine).
  if (!options.strictTests) for (const f of testDriven) funcContexts[f]!.delete(CALLER_CONTEXT);
  // A goroutine started from code that itself runs many times at once runs many times too.
  for (let changed = true, rounds = 0; changed && rounds < 10; rounds++) {
    changed = false;
    for (const ctx of contexts) {
      if (ctx.multi || ctx.spawner < 0) continue;
      for (const parent of funcContexts[ctx.spawner]!) {
        if (contexts[parent]!.multi) {
          ctx.multi = true;
          changed = true;
          break;
        }
      }
    }
  }

  const entryContexts = new Map<number, number[]>();
  for (const ctx of contexts) {
    for (const e of ctx.entries) {
      const list = entryContexts.get(e);
      if (list) list.push(ctx.id);
      else entryContexts.set(e, [ctx.id]);
    }
  }
  const construction = analyseConstruction(index, raw, callersOf, funcContexts, entryContexts, contexts, spawnContext);

  // ---- entry locks: what every caller holds when calling a function ----
  const callerEntries = new Set(caller.entries);
  // What the doc comment says every caller holds ("Lock should be held.") is held on entry,
  // whoever the callers are (docs/locks.md).
  const documented = funcs.map((f) => (f.analysed || edgeLocks.has(f.index) ? documentedEntryLocks(index, f, allLocks) : null));
  const condLockHolds = (cl: import('./raw-facts.js').CondLock, entry: (HeldLock[] | null)[]): boolean => {
    const f = funcs[cl.func]!;
    if (documented[cl.func]?.some((l) => l.name === cl.lock)) return true;
    if (calledFromOutside(index, f) || callerEntries.has(cl.func) || spawnTargets.has(cl.func)) return false;
    const edges = edgeLocks.get(cl.func) ?? [];
    if (edges.length === 0) return false;
    return edges.every((e) => {
      if (isTestFile(funcs[e.caller]!.file.rel) && !isTestFile(f.file.rel)) return true;
      // A body read only for its call edges: every call of f in its text passes `true`.
      if (!e.call) return passesTrueInText(funcs[e.caller]!, f.name, cl.paramIndex);
      if (e.call.boolArgs?.[cl.paramIndex] === true) return true;
      return unionLocks(e.locks, entry[e.caller] ?? []).some((l) => l.name === cl.lock);
    });
  };
  const insideOf = (fn: number, outer: number): boolean => {
    for (let f: number = fn, depth = 0; f >= 0 && depth < 64; f = funcs[f]!.parent, depth++) if (f === outer) return true;
    return false;
  };
  const stripCondLock = (cl: import('./raw-facts.js').CondLock): void => {
    const drop = (locks: HeldLock[]): HeldLock[] => locks.filter((l) => l.name !== cl.lock);
    // Between the end of the `if` and where the function takes the lock itself (if it does).
    const assumed = (pos: number) => pos > cl.pos && (cl.until === undefined || pos < cl.until);
    for (const site of raw.sites) if (assumed(site.start) && insideOf(site.func, cl.func)) site.locks = drop(site.locks);
    for (const c of raw.calls) if (assumed(c.pos) && insideOf(c.caller, cl.func)) c.locks = drop(c.locks);
    for (const b of raw.bindings) if (b.locks && assumed(b.pos) && insideOf(b.caller, cl.func)) b.locks = drop(b.locks);
    for (const list of edgeLocks.values()) for (const e of list) if (e.call && assumed(e.call.pos) && insideOf(e.caller, cl.func)) e.locks = drop(e.locks);
  };
  /** What starts a goroutine or is called from outside holds nothing more on entry, whatever its callers hold. */
  const isEntry = (f: FuncInfo): boolean => (f.literal ? f.runs === 'spawned' : spawnTargets.has(f.index) || callerEntries.has(f.index));
  // Which edges count never changes once the edges are built (stripCondLock rewrites their locks
  // in place): each function's list is filtered once.
  const counted = new Map<number, EdgeLock[]>();
  /** The call edges into f whose locks count towards what f holds on entry. */
  const countedEdges = (f: FuncInfo): EdgeLock[] => {
    let list = counted.get(f.index);
    if (!list) counted.set(f.index, (list = filterCountedEdges(f)));
    return list;
  };
  const filterCountedEdges = (f: FuncInfo): EdgeLock[] => {
    const edges = edgeLocks.get(f.index) ?? [];
    // A literal kept in a variable and called by name (`check := func(…){…}; …; check(…)`),
    // or handed to a function that calls it (`s.iterForDeletion(check)`), runs at those
    // calls, with their locks, not where it is written.
    const calledElsewhere = edges.some((e) => !e.call?.atDefinition);
    return edges.filter(
      (e) =>
        !(calledElsewhere && e.call?.atDefinition) &&
        // A test calling an internal helper directly runs alone; it says nothing about the lock.
        !(isTestFile(funcs[e.caller]!.file.rel) && !isTestFile(f.file.rel)) &&
        // Neither does a call on a value still under construction (no other goroutine has it).
        !(e.call && construction.isConstructionCall(e.call)),
    );
  };
  // The lock of a value's owner (owner-locks.ts): a method of a type with no lock of its own,
  // called by in-package code that always holds a lock of a value holding such a type.
  const owners = new OwnerLocks(index, allLocks);
  const ownerType = (f: FuncInfo): string | null =>
    f.recvType !== null && !f.literal && !spawnTargets.has(f.index) && owners.lockless(f.recvType) ? f.recvType : null;
  /**
   * `owner:T` when every counted call into f whose caller's entry is known holds a lock of a value
   * holding T values (or `owner:T` itself); `viaField` says whether the T value is reached through
   * a field at that call. Null when one call holds none, or no call counts yet.
   */
  const callersOwnerLock = (f: FuncInfo, t: string, entry: (HeldLock[] | null)[], viaField: (e: EdgeLock) => boolean): HeldLock | null => {
    let out: HeldLock | null = null;
    for (const e of countedEdges(f)) {
      const callerEntry = entry[e.caller];
      if (!callerEntry) continue;
      const l = owners.ownerLock(unionLocks(e.locks, callerEntry), t, viaField(e));
      if (!l) return null;
      if (!out || l.mode === 'read') out = l;
    }
    return out;
  };
  /** `owner:T` on entry of a method of a lock-less T (see callersOwnerLock). */
  const ownerLockOf = (f: FuncInfo, entry: (HeldLock[] | null)[]): HeldLock | null => {
    const t = ownerType(f);
    if (t === null) return null;
    // No call in the package at all: only callers outside it (through an interface, for an
    // unexported type) run it, holding whatever guards the value, as for calls from outside below.
    if (!called.has(f.index)) return { name: OWNER + t, mode: 'write' };
    return callersOwnerLock(f, t, entry, (e) => !!e.call?.recvViaField);
  };
  /**
   * For a function all of whose callers are in the package: `owner:T` for each parameter of a
   * lock-less struct type T (`encodeConsumerState(state *ConsumerState)`) when every counted call
   * holds a lock of a type holding T values or `owner:T` itself. The argument may be any
   * expression: a value handed to a helper under its holder's lock is that holder's.
   */
  const paramOwnerLocks = (f: FuncInfo, entry: (HeldLock[] | null)[]): HeldLock[] => {
    if (f.literal || spawnTargets.has(f.index) || isEntry(f)) return [];
    const types = [...new Set(f.params.map((p) => baseTypeName(p.type)))].filter((t) => t !== f.recvType && owners.lockless(t));
    return types.map((t) => callersOwnerLock(f, t, entry, () => true)).filter((l): l is HeldLock => l !== null);
  };
  const solveEntries = (): (HeldLock[] | null)[] => {
    const entry: (HeldLock[] | null)[] = funcs.map((f) => (isEntry(f) ? [] : null));
    // Reached only through guessed edges: nothing is known of its callers' locks.
    for (const f of funcs) if (entry[f.index] === null && !edgeLocks.has(f.index)) entry[f.index] = [];
    for (const f of funcs) {
      const d = documented[f.index];
      if (d && entry[f.index] !== null) entry[f.index] = unionLocks(entry[f.index]!, d);
    }
    for (let changed = true, rounds = 0; changed && rounds < 12; rounds++) {
      changed = false;
      for (const f of funcs) {
        // Called from outside the package: nothing is known of what those callers hold, except
        // that a type with no lock of its own is, by Go convention, guarded by its holder, as the
        // package's own callers show when each of them holds its holder's lock.
        const fixed = entry[f.index] !== null && isEntry(f);
        if (fixed && ownerType(f) === null) continue;
        let acc: HeldLock[] | null = fixed ? [] : null;
        const edges = edgeLocks.get(f.index) ?? [];
        if (!fixed) {
          for (const e of countedEdges(f)) {
            const callerEntry = entry[e.caller];
            if (callerEntry === null) continue;
            const at = unionLocks(e.locks, callerEntry!);
            acc = acc === null ? at : intersectLocks(acc, at);
          }
        }
        // Called only from tests: an entry point like any uncalled function, holding no lock.
        if (acc === null && edges.length > 0 && edges.every((e) => isTestFile(funcs[e.caller]!.file.rel)) && !isTestFile(f.file.rel)) acc = [];
        if (acc === null) continue;
        const d = documented[f.index];
        if (d) acc = unionLocks(acc, d);
        const own = ownerLockOf(f, entry);
        if (own) acc = unionLocks(acc, [own]);
        if (!fixed) acc = unionLocks(acc, paramOwnerLocks(f, entry));
        const prev = entry[f.index];
        if (prev === null || !sameLocks(prev!, acc)) {
          entry[f.index] = acc;
          changed = true;
        }
      }
    }
    return entry;
  };
  let entry = solveEntries();
  // `if doLock { mu.Lock() }`: the walker took the lock as held after the if; that stands only
  // if every caller passing anything but `true` holds it. Where one does not (or other packages
  // may call), the lock is taken back from what follows and the entries are solved again.
  for (let round = 0; round < 3 && raw.condLocks.length > 0; round++) {
    const wrong = raw.condLocks.filter((cl) => !condLockHolds(cl, entry));
    if (wrong.length === 0) break;
    for (const cl of wrong) stripCondLock(cl);
    raw.condLocks = raw.condLocks.filter((cl) => !wrong.includes(cl));
    entry = solveEntries();
  }
  const entryLocks = entry.map((e, i) => e ?? documented[i] ?? []);
  const contextEntryLocks = solveContextEntries();

  /**
   * What every caller holds, per context the function runs in: the intersection over the call
   * edges from callers that run in that context only. A helper called under the write lock by the
   * package's callers and under the read lock by one goroutine holds the write lock in the
   * callers' context, though the intersection over all callers is the read lock (etcd's
   * LeaseExpiredNotifier: Grant/Renew/Promote hold lessor.mu, the runLoop goroutine its read
   * lock). Each value is what entryLocks says plus what every path in the context adds, so it
   * is sound from the first round: later rounds only carry callers' refinements further down.
   * Only functions that run in two contexts or more get an entry (docs/locks.md).
   */
  function solveContextEntries(): (Map<number, HeldLock[]> | null)[] {
    const out: (Map<number, HeldLock[]> | null)[] = funcs.map(() => null);
    const held = (g: number, c: number): HeldLock[] => out[g]?.get(c) ?? entryLocks[g]!;
    // As in solveEntries, what starts a goroutine or is called from outside holds nothing more
    // anywhere: a function some test spawns is such an entry too.
    const multi = funcs.filter((f) => funcContexts[f.index]!.size >= 2 && edgeLocks.has(f.index) && !isEntry(f));
    const startsContext = contexts.map((c) => new Set(c.entries));
    for (let changed = true, rounds = 0; changed && rounds < 12; rounds++) {
      changed = false;
      for (const f of multi) {
        const edges = countedEdges(f);
        const mine = out[f.index] ?? new Map<number, HeldLock[]>();
        for (const c of funcContexts[f.index]!) {
          // Where the function starts the context, nothing is held but what its comment says.
          if (startsContext[c]!.has(f.index)) continue;
          let acc: HeldLock[] | null = null;
          for (const e of edges) {
            if (!funcContexts[e.caller]!.has(c) || entry[e.caller] === null) continue;
            const at = unionLocks(e.locks, held(e.caller, c));
            acc = acc === null ? at : intersectLocks(acc, at);
          }
          if (acc === null) continue;
          const locks = unionLocks(entryLocks[f.index]!, acc);
          if (locks.length === entryLocks[f.index]!.length && sameLocks(locks, entryLocks[f.index]!)) continue;
          const prev = mine.get(c);
          if (!prev || !sameLocks(prev, locks)) {
            mine.set(c, locks);
            changed = true;
          }
        }
        if (mine.size > 0) out[f.index] = mine;
      }
    }
    return out;
  }

  // ---- accesses ----
  const maps = new Map<string, MapDecl>();
  const sites: ResolvedSite[] = [];
  // A function whose every return is a map it made itself (`next := make(…)` … `return next`).
  const returnsOwnMap = (f: number) => {
    const refs = resolveRet(f);
    return refs.length > 0 && refs.every((r) => r.key.startsWith(`local:${f}:`));
  };
  for (const s of raw.sites) {
    const fn = funcs[s.func]!;
    // `s.m = f()` copies another value's map into s.m unless f built the map it returns.
    if (s.replacedFrom && !s.replacedFrom.every(returnsOwnMap)) continue;
    const refs = resolveSym(s.refs);
    for (const ref of refs) {
      const viaBinding = heldAt(ref, s.func);
      const decl = declFor(ref.key);
      if (!decl) continue;
      const owner = ownerOfKey(ref.key);
      let local: LocalPlace | null = null;
      if (owner !== null) {
        local = ref.bind ?? localPlace(s.func, s.start, owner);
        if (!local) continue;
      }
      sites.push({
        raw: s,
        map: ref.key,
        kind: s.kind,
        ...(s.escape ? { escape: s.escape } : {}),
        span: span(fn.file.rel, s.start, s.end),
        func: s.func,
        locks: ownerGuarding(unionLocks(unionLocks(s.locks, entryLocks[s.func]!), viaBinding), ref.key, s),
        ...contextLocksOf(s, viaBinding, ref.key),
        text: s.text,
        contexts: contextsOf(s, decl),
        local,
        owner: owner ?? -1,
        viaReturn: !!ref.viaReturn,
      });
    }
  }

  /** The locks a site holds in the contexts where its function's callers hold more than everywhere. */
  function contextLocksOf(s: RawSite, viaBinding: HeldLock[], key: string): { contextLocks?: Map<number, HeldLock[]> } {
    const byContext = contextEntryLocks[s.func];
    if (!byContext) return {};
    return { contextLocks: new Map([...byContext].map(([c, locks]) => [c, ownerGuarding(unionLocks(unionLocks(s.locks, locks), viaBinding), key, s)])) };
  }
  /**
   * An owner's lock guards only the maps of the owned type (and what it holds). A field map of a
   * type with no lock of its own reached under a lock of a value holding that type
   * (`fs.sdm.pending[seq]` under fs.mu) holds its owner's lock too.
   */
  function ownerGuarding(locks: HeldLock[], key: string, s: RawSite): HeldLock[] {
    const out = locks.some((l) => isOwnerLock(l.name)) ? locks.filter((l) => owners.guards(l.name, key)) : locks;
    if (!key.startsWith('field:') || out.length === 0) return out;
    const t = key.slice(6).split('.')[0]!;
    // `fs.sdm.totals`: the map's struct is itself a field of something. An owner's lock kept by
    // guards() is one of a type holding T: the T value is part of that owner's (`txw.buckets`
    // of a txBuffer embedded in the txWriteBuffer whose owner's lock is held).
    const viaOwner = out.some((l) => isOwnerLock(l.name));
    const own = owners.lockless(t) ? owners.ownerLock(out, t, !!s.fieldOfField || viaOwner) : null;
    return own ? unionLocks(out, [own]) : out;
  }

  /**
   * A site's contexts; through a receiver or parameter, only those where the value bound there is shared.
   * Without --strict-tests, a test reaching into a map of the package from its own goroutine is
   * the test's business (go test -race sees it when it runs), not the callers' context.
   */
  function contextsOf(s: RawSite, decl: MapDecl): number[] {
    const all = [...funcContexts[s.func]!];
    const recv = construction.holderContexts(s);
    const mine = recv ? all.filter((c) => recv.has(c)) : all;
    const testsOwn = !options.strictTests && isTestFile(funcs[s.func]!.file.rel) && !isTestFile(decl.span.file);
    return testsOwn ? mine.filter((c) => c !== CALLER_CONTEXT) : mine;
  }

  function declFor(key: string): MapDecl | null {
    const hit = maps.get(key);
    if (hit) return hit;
    let decl: MapDecl | null = null;
    if (key.startsWith('var:')) {
      const v = index.vars.get(key.slice(4));
      if (v) decl = { key, name: v.name, kind: 'package-var', type: v.type ?? literalType(v.value, v.file.text) ?? 'map', span: span(v.file.rel, v.start, v.end) };
    } else if (key.startsWith('field:')) {
      const [owner, field] = key.slice(6).split('.');
      const f = owner && field ? lookupField(index, owner, field) : null;
      if (f && isMapType(index, f.type)) decl = { key, name: `${owner}.${field}`, kind: 'field', type: f.type, span: span(f.file.rel, f.start, f.end) };
    } else if (key.startsWith('type:')) {
      const t = index.namedTypes.get(key.slice(5));
      if (t) decl = { key, name: t.name, kind: 'named-type', type: t.type, span: span(t.file.rel, t.start, t.end) };
    } else {
      const [kind, fnIdx, name, start] = key.split(':');
      const fn = funcs[Number(fnIdx)];
      if (fn && name) {
        const v = raw.vars.find((x) => x.func === fn.index && x.name === name && (start === undefined || x.start === Number(start)));
        const at = v?.start ?? fn.start;
        decl = {
          key,
          name,
          kind: kind === 'param' ? 'param' : 'local',
          type: v?.type ?? 'map',
          span: span(fn.file.rel, at, at + name.length),
          ownerFunc: fn.index,
        };
      }
    }
    if (decl) maps.set(key, decl);
    return decl;
  }

  // What runs only at package initialisation: `init`, functions documented to be called during
  // init ("This should be called during init()") when the package's own calls of them are made
  // there too, and unexported functions only such code calls.
  const initOnlyFrom = (documented: FuncInfo[]): Set<number> => {
    const out = new Set<number>();
    for (const f of funcs) if (!f.literal && f.name === 'init' && f.recvType === null) out.add(f.index);
    for (const f of documented) out.add(f.index);
    for (let changed = out.size > 0; changed; ) {
      changed = false;
      for (const f of funcs) {
        if (out.has(f.index) || f.exported || spawnTargets.has(f.index) || (f.literal && f.runs === 'spawned')) continue;
        const callers = callersOf.get(f.index) ?? [];
        if (callers.length > 0 && callers.every((c) => out.has(c.caller))) {
          out.add(f.index);
          changed = true;
        }
      }
    }
    return out;
  };
  let documentedInit = funcs.filter((f) => !spawnTargets.has(f.index) && documentedInitOnly(f));
  let initOnly = initOnlyFrom(documentedInit);
  // A documented function the package calls from elsewhere (or from itself) is not held to it.
  const kept = documentedInit.filter((f) => (callersOf.get(f.index) ?? []).every((c) => initOnly.has(c.caller) && c.caller !== f.index));
  if (kept.length !== documentedInit.length) {
    documentedInit = kept;
    initOnly = initOnlyFrom(documentedInit);
  }

  // A type is confined when it is unexported, some function builds its own instance, every use
  // goes through such a value or a method's receiver, and none of its methods starts or is a goroutine.
  const topType = (f: FuncInfo): string | null => outermostFunction(index, f.index).recvType;
  // A type reached through a parameter is shared unless every call passes a value of the caller's own.
  const sharedTypes = new Set(raw.sharedTypes);
  // Per callee and parameter: whether some call passes a value that is not the caller's own.
  const passedOther = new Map<string, boolean>();
  for (const a of raw.argInstances) {
    for (const c of a.callees) {
      const key = `${c}:${a.paramIndex}`;
      passedOther.set(key, passedOther.get(key) === true || a.kind === 'other');
    }
  }
  for (const pi of raw.paramInstances) {
    const other = passedOther.get(`${pi.func}:${pi.paramIndex}`);
    if (other === undefined || other) sharedTypes.add(pi.type);
  }
  const confinedTypes = new Set<string>();
  const mayConfine = (t: string) =>
    !/^[A-Z]/.test(t) &&
    !sharedTypes.has(t) &&
    !raw.spawns.some((sp) => topType(funcs[sp.func]!) === t) &&
    !contexts.some((c) => c.id !== CALLER_CONTEXT && c.entries.some((e) => topType(funcs[e]!) === t));
  for (const t of raw.freshTypes) if (mayConfine(t)) confinedTypes.add(t);
  // A type used only as a struct-valued field of confined types is confined with them.
  const holders = new Map<string, Set<string>>();
  for (const vf of raw.valueFields) {
    const set = holders.get(vf.type) ?? new Set<string>();
    set.add(vf.holder);
    holders.set(vf.type, set);
  }
  for (let changed = true; changed; ) {
    changed = false;
    for (const [t, hs] of holders) {
      if (confinedTypes.has(t) || !mayConfine(t) || raw.freshTypes.has(t)) continue;
      if ([...hs].every((h) => confinedTypes.has(h))) {
        confinedTypes.add(t);
        changed = true;
      }
    }
  }

  return {
    index, raw, contexts, funcContexts, entryLocks, sites, maps, spawnContext, callersOf, initOnly, confinedTypes, calleesOf: callees, helperLocks, construction,
    documentedLocks: documented, valueHolders: valueHolders(index, raw), owners,
    callsLacking: (func: number, lock: string, write: boolean) => {
      const f = funcs[func];
      if (!f || f.literal) return [];
      return countedEdges(f)
        .filter((e) => !unionLocks(e.locks, entryLocks[e.caller] ?? []).some((l) => l.name === lock && (!write || l.mode === 'write')))
        .flatMap((e) => {
          const pos = e.call?.pos ?? e.at;
          return pos === undefined ? [] : [{ caller: e.caller, pos }];
        });
    },
  };
}

/**
 * Whether other packages can call the function directly. An exported method of an unexported
 * type is called from outside only through a value the package hands out; it gets its callers'
 * locks like an unexported function (docs/locks.md). Promoted through an exported struct that
 * embeds the type, it is callable from outside like any exported method.
 */
function calledFromOutside(index: PackageIndex, f: FuncInfo): boolean {
  if (!f.exported) return false;
  const t = f.recvType;
  if (t === null) return true;
  for (const s of index.structs.values()) if (s.embedded.some((e) => e.name === t)) return true;
  return /^[A-Z]/.test(t) && !internalHelperType(index, t);
}

const internalHelperCache = new WeakMap<PackageIndex, Map<string, boolean>>();

/**
 * An exported struct type with no lock of its own that the package never hands out by name: no
 * exported function or method returns it, no exported field or package variable holds it. Code
 * outside the package can only call its methods on values it built itself, never on the
 * package's own instances (etcd's LeaseExpiredNotifier, kept in an unexported field of the lessor
 * and driven under the lessor's mutex). Its exported methods get their callers' locks like
 * unexported ones. A value handed out behind an interface is not seen (docs/locks.md).
 */
function internalHelperType(index: PackageIndex, t: string): boolean {
  let cache = internalHelperCache.get(index);
  if (!cache) internalHelperCache.set(index, (cache = new Map()));
  const hit = cache.get(t);
  if (hit !== undefined) return hit;
  const st = index.structs.get(t);
  const named = new RegExp(`(^|[^\\w.])${t}([^\\w]|$)`);
  const mentions = (type: string) => type.includes(t) && named.test(type);
  const lockType = (type: string) => isLockPointerType(`*${type.trim().replace(/^\*/, '')}`);
  let result = st !== undefined && ![...st.fields.values()].some((fl) => lockType(fl.type)) && !st.embedded.some((e) => lockType(e.type));
  if (result) {
    for (const g of index.funcs) {
      if (g.literal || !g.exported || isTestFile(g.file.rel)) continue;
      if (g.results.some(mentions) || g.namedResults.some((r) => mentions(r.type))) {
        result = false;
        break;
      }
    }
  }
  if (result) {
    for (const other of index.structs.values()) {
      if (!/^[A-Z]/.test(other.name)) continue;
      if ([...other.fields.values()].some((fl) => /^[A-Z]/.test(fl.name) && mentions(fl.type)) || other.embedded.some((e) => mentions(e.type))) {
        result = false;
        break;
      }
    }
  }
  if (result) for (const v of index.vars.values()) if (/^[A-Z]/.test(v.name) && v.type && mentions(v.type)) result = false;
  cache.set(t, result);
  return result;
}

export function isTestFile(rel: string): boolean {
  return rel.endsWith('_test.go');
}

/** The type written in a `map[K]V{…}` or `make(map[K]V)` initialiser, if any. */
function literalType(value: import('./syntax.js').LNode | null, text: string): string | null {
  if (!value) return null;
  // The type node itself (`make(map[string]struct{})`, `map[string]func(int){}`): a type whose
  // text holds braces or parentheses is not cut at them.
  const v = unparen(value);
  const typeNode = v.type === 'composite_literal' ? child(v, 'type') : v.type === 'call_expression' && /^make\b/.test(text.slice(v.start, v.end)) ? child(v, 'arguments')?.children[0] : undefined;
  if (typeNode) {
    const t = text.slice(typeNode.start, typeNode.end).trim();
    if (t.startsWith('map[')) return t;
  }
  const m = /^(?:make\()?(map\[[^{(]*?)(?:[,)]|\{|$)/.exec(text.slice(value.start, value.end));
  return m ? m[1]!.trim() : null;
}

/** The function owning a local or parameter map key, or null for package-wide identities. */
export function ownerOfKey(key: string): number | null {
  if (key.startsWith('local:') || key.startsWith('param:')) return Number(key.split(':')[1]);
  return null;
}

type FuncArg = RawFacts['funcArgs'][number];

/**
 * A literal handed to an in-package helper that calls it only in a goroutine the helper starts
 * (nats' `s.startGoRoutine(func(){…})`, `func spawn(f func()) { go f() }`) is a goroutine of its
 * own, started at the helper's call: a spawn is added there (raw.spawns; the literal now runs
 * 'spawned'). Two literals started through one helper then run concurrently with each other, one
 * handed over in a loop runs several times at once, and ordering reads the call site, as for a
 * `go` statement written there (docs/ordering.md). Returns the funcArgs so started; the rest
 * run where the helper calls them (resolvePackage).
 */
function addHelperSpawns(funcs: FuncInfo[], raw: RawFacts, spawnOf: Map<number, RawSpawn>): Set<FuncArg> {
  const out = new Set<FuncArg>();
  // The `go` statement the parameter call runs in: `go f()` itself, or a `go func(){…; f()}()` of
  // the helper around it. Null when the call runs in place or in a stored literal.
  const goOf = (pc: RawFacts['paramCalls'][number]): RawSpawn | null => {
    if (pc.spawn !== undefined) return raw.spawns[pc.spawn] ?? null;
    for (let h = pc.caller, depth = 0; h !== pc.func && h >= 0 && depth < 64; depth++) {
      const fn = funcs[h]!;
      if (fn.runs === 'spawned') return spawnOf.get(h) ?? null;
      if (fn.runs !== 'sync' && fn.runs !== 'deferred') return null;
      h = fn.parent;
    }
    return null;
  };
  // A call in a goroutine of its own that holds no lock there, is not started in a loop (several
  // runs of one literal) and is not waited for by the helper (doTraverseBfsAndSaving's
  // `wg.Wait()`: the literal runs during the call, which the helper's own spawn already orders).
  const joinedInHelper = (sp: RawSpawn) => raw.waits.some((w) => w.func === sp.func && waitJoins(w, sp.start));
  const started = (pc: RawFacts['paramCalls'][number]) => {
    const sp = goOf(pc);
    return sp !== null && sp.kind === 'go' && sp.loops.length === 0 && pc.locks.length === 0 && !joinedInHelper(sp);
  };
  const callsOf = groupBy(raw.paramCalls, (pc) => `${pc.func}:${pc.paramIndex}`);
  for (const fa of raw.funcArgs) {
    const lit = funcs[fa.literal];
    // Only a literal written at the call: a stored one (`f := func(){…}; spawn(f)`) may run elsewhere too.
    if (fa.methodValue || !lit?.literal || lit.runs !== 'passed' || lit.anchor !== fa.pos || fa.callees.length === 0) continue;
    // Every helper it may be calls the parameter, and only so: otherwise it stays where the helper
    // calls it (resolvePackage).
    const calls = fa.callees.map((c) => callsOf.get(`${c}:${fa.paramIndex}`) ?? []);
    if (calls.some((list) => list.length === 0 || !list.every(started))) continue;
    const via = [...new Set(calls.flat().map((pc) => goOf(pc)!.id))];
    const file = funcs[fa.caller]!.file;
    // (A `go` statement's call starts after its keyword.)
    const from = fa.spawn === undefined ? fa.pos : fa.pos + 2;
    const open = file.text.indexOf('(', from);
    const head = open > from ? file.text.slice(from, open).replace(/\s+/g, '') : funcs[fa.callees[0]!]!.name;
    const spawn: RawSpawn = {
      id: raw.spawns.length,
      kind: 'go',
      description: `func literal started by ${head}`,
      start: fa.pos,
      end: lit.end,
      func: fa.caller,
      loops: fa.loops,
      targets: [fa.literal],
      perRequest: false,
      via,
    };
    raw.spawns.push(spawn);
    spawnOf.set(fa.literal, spawn);
    lit.runs = 'spawned';
    // What the literal names is shared with that goroutine from the call on, as what a `go`
    // statement names is (the walker's publish): a fresh value used after the call races with it.
    for (const id of fa.captured ?? []) {
      const v = raw.vars[id];
      if (v) publishAt(v, { pos: fa.pos, branches: [...(fa.branches ?? [])] });
    }
    out.add(fa);
  }
  return out;
}

/**
 * A literal handed to the function a `go` statement starts, which calls it in place with no lock
 * taken (`go bootstrapTrace("metrics", func(){ startCollection() })`, bootstrapTrace calling
 * `worker()`): the literal runs in that goroutine, as if the `go` statement started it. It becomes
 * an entry of the statement's goroutine (raw.spawns; it now runs 'spawned'). Returns the funcArgs
 * so placed; the rest run where the function calls them (resolvePackage), or, never called, where
 * they are written, as before.
 */
function addGoArguments(funcs: FuncInfo[], raw: RawFacts, spawnOf: Map<number, RawSpawn>, helperStarted: Set<FuncArg>): Set<FuncArg> {
  const out = new Set<FuncArg>();
  const callsOf = groupBy(raw.paramCalls, (pc) => `${pc.func}:${pc.paramIndex}`);
  for (const fa of raw.funcArgs) {
    const lit = funcs[fa.literal];
    const spawn = fa.spawn === undefined ? undefined : raw.spawns[fa.spawn];
    if (!spawn || helperStarted.has(fa) || !lit?.literal || lit.runs !== 'passed' || fa.callees.length === 0) continue;
    const calls = fa.callees.map((c) => callsOf.get(`${c}:${fa.paramIndex}`) ?? []);
    if (calls.some((list) => list.length === 0 || !list.every((pc) => pc.spawn === undefined && pc.locks.length === 0 && runsInPlace(funcs, pc.caller, pc.func)))) continue;
    spawn.targets.push(fa.literal);
    spawnOf.set(fa.literal, spawn);
    lit.runs = 'spawned';
    out.add(fa);
  }
  return out;
}

/** Function g is f, or a literal of f that runs in place (synchronously, or deferred to f's return). */
function runsInPlace(funcs: FuncInfo[], g: number, f: number): boolean {
  for (let h = g, depth = 0; depth < 64; depth++) {
    if (h === f) return true;
    const fn = funcs[h]!;
    if (fn.parent < 0 || (fn.runs !== 'sync' && fn.runs !== 'deferred')) return false;
    h = fn.parent;
  }
  return false;
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
}

function dedupe(refs: MapRef[]): MapRef[] {
  const seen = new Map<string, number>();
  const out: MapRef[] = [];
  for (const r of refs) {
    const k = `${r.key}|${r.bind ? `${r.bind.spawn}:${r.bind.anchor}` : ''}|${r.viaReturn ? 'r' : ''}`;
    const at = seen.get(k);
    if (at === undefined) {
      seen.set(k, out.length);
      out.push(r);
      continue;
    }
    // One map reached two ways: held is what both ways hold.
    const prev = out[at]!;
    if (prev.held === undefined) continue;
    const { held: _h, heldOwner: _o, ...plain } = prev;
    out[at] = r.held !== undefined && r.heldOwner === prev.heldOwner ? { ...plain, held: intersectLocks(prev.held, r.held), heldOwner: prev.heldOwner! } : plain;
  }
  return out;
}

function unionLocks(a: HeldLock[], b: HeldLock[]): HeldLock[] {
  if (b.length === 0) return a;
  if (a.length === 0) return b;
  const out = new Map<string, HeldLock['mode']>();
  for (const l of [...a, ...b]) {
    const prev = out.get(l.name);
    out.set(l.name, prev === 'write' || l.mode === 'write' ? 'write' : 'read');
  }
  return [...out].map(([name, mode]) => ({ name, mode }));
}

function intersectLocks(a: HeldLock[], b: HeldLock[]): HeldLock[] {
  const out: HeldLock[] = [];
  for (const l of a) {
    const m = b.find((x) => x.name === l.name);
    if (m) out.push({ name: l.name, mode: l.mode === 'write' && m.mode === 'write' ? 'write' : 'read' });
  }
  return out;
}

function sameLocks(a: HeldLock[], b: HeldLock[]): boolean {
  return a.length === b.length && a.every((l) => b.some((m) => m.name === l.name && m.mode === l.mode));
}

/**
 * Whether every call of `name` in the body of `fn` (read as text: bodies the walker skipped)
 * passes the literal `true` as argument `paramIndex`. False when there is no such call.
 */
function passesTrueInText(fn: FuncInfo, name: string, paramIndex: number): boolean {
  if (!fn.body) return false;
  // Comments and strings blanked: a `true` in them is no argument.
  const text = maskCommentsAndStrings(fn.file.text.slice(fn.body.start, fn.body.end));
  const re = new RegExp(`(?:^|[^\\w])${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\(`, 'g');
  let calls = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    const args: string[] = [];
    let depth = 0;
    let start = m.index + m[0].length;
    let i = start;
    for (; i < text.length; i++) {
      const c = text[i]!;
      if (c === '(' || c === '[' || c === '{') depth++;
      else if (c === ')' || c === ']' || c === '}') {
        if (depth === 0) break;
        depth--;
      } else if (c === ',' && depth === 0) {
        args.push(text.slice(start, i));
        start = i + 1;
      }
    }
    args.push(text.slice(start, i));
    calls++;
    if (args[paramIndex]?.trim() !== 'true') return false;
  }
  return calls > 0;
}
