// Which pairs of accesses to one map can run at the same time with no common lock.
import type { HeldLock } from './model.js';
import { isTestFile, locksIn, type PackageFlow, type ResolvedSite } from './concurrency.js';
import { maskCommentsAndStrings } from './text-callees.js';
import { waitJoins, type WaitPoint } from './raw-facts.js';
import { outermostFunction } from './package-index.js';
import { docComment } from './documented-locks.js';

/** Methods that bring a value up before it is used: what they do happens before its goroutines. */
const SETUP = /^(?:[Ii]nit|[Ii]nitialize|[Ss]etup|[Ss]tart|[Oo]pen|[Pp]rovision)$/;

/** A doc comment saying the method comes before another: "must be called before invoking Serve". */
const BEFORE = /\b(?:must|should)\s+(?:only\s+)?be\s+called\s+before\s+(?:invoking\s+|calling\s+|starting\s+|running\s+)?(?:the\s+)?`?(?:\w+\.)?(\w+)`?(?:\(\))?\s*(?:[.,;]|is\s+called|$)/m;

/** Names of methods that start a value's machinery, run once per value by convention. */
const LIFECYCLE = /^(?:[Ss]tart|[Rr]un|[Ii]nit|[Ii]nitialize|[Oo]pen|[Ss]erve|[Ll]isten|[Ll]aunch|[Bb]egin|[Ss]etup|[Bb]ootstrap)(?:[A-Z]\w*)?$/;

const WRITES = new Set(['write', 'delete', 'clear']);

export function isWrite(site: ResolvedSite): boolean {
  return WRITES.has(site.kind);
}

/** Accesses that read or write the map's contents (handing the reference on is not one). */
export function touchesContents(site: ResolvedSite): boolean {
  return site.kind !== 'escape' || site.escape === 'call';
}

/** Two accesses exclude each other when one holds a lock for writing that the other holds at all. */
export function commonLock(a: HeldLock[], b: HeldLock[]): string | null {
  for (const l of a) {
    const m = b.find((x) => x.name === l.name);
    if (m && (l.mode === 'write' || m.mode === 'write')) return l.name;
  }
  return null;
}

/** A lock both hold, each for reading only. */
function sharedReadLock(a: HeldLock[], b: HeldLock[]): boolean {
  return a.some((l) => l.mode === 'read' && b.some((m) => m.name === l.name && m.mode === 'read'));
}

export interface Conflict {
  a: ResolvedSite;
  b: ResolvedSite;
  /** The context ids that make them concurrent (global ids; for local maps, spawn contexts or the owner's). */
  contexts: [number, number];
}

/** Decides, for one map, which access pairs race. */
export class ConflictFinder {
  /** Context id → the spawn that starts it (the reverse of flow.spawnContext). */
  private readonly spawnByContext: Map<number, number>;

  /** Wait points per function. */
  private readonly waitsByFunc = new Map<number, WaitPoint[]>();

  constructor(private readonly flow: PackageFlow) {
    this.spawnByContext = new Map([...flow.spawnContext].map(([spawn, ctx]) => [ctx, spawn]));
    for (const w of flow.raw.waits) {
      const list = this.waitsByFunc.get(w.func);
      if (list) list.push(w);
      else this.waitsByFunc.set(w.func, [w]);
    }
  }

  /**
   * `lockedElsewhere`: the map is guarded by a lock somewhere, which says its owner expects
   * concurrent callers; then the package's callers count as several goroutines.
   */
  conflicts(sites: ResolvedSite[], lockedElsewhere = false): Conflict[] {
    const out: Conflict[] = [];
    const key = sites[0]?.map ?? '';
    const owner = key.startsWith('field:') ? key.slice(6).split('.')[0]! : key.startsWith('type:') ? key.slice(5) : null;
    if (owner !== null && this.flow.confinedTypes.has(owner)) return out;
    const relevant = sites.filter((s) => touchesContents(s) && !this.isConstruction(s));
    for (let i = 0; i < relevant.length; i++) {
      for (let j = i; j < relevant.length; j++) {
        const a = relevant[i]!;
        const b = relevant[j]!;
        if (!isWrite(a) && !isWrite(b)) continue;
        // Replacing the variable does not touch a map an earlier alias holds (copy-on-write).
        if ((a.raw.reassign && b.raw.throughLocal) || (b.raw.reassign && a.raw.throughLocal)) continue;
        // Nor does filling a map just swapped in under the lock (walker: fillsFresh).
        if ((a.raw.fillsFresh && b.raw.throughLocal) || (b.raw.fillsFresh && a.raw.throughLocal)) continue;
        if (commonLock(a.locks, b.locks)) continue;
        const ctx = this.concurrent(a, b, lockedElsewhere);
        if (ctx) out.push({ a, b, contexts: ctx });
      }
    }
    return out;
  }

  /** Functions of non-test files whose name only tests write: what only tests call (see testOnlyFunctions). */
  private testOnlyFuncs: Set<number> | null = null;

  /** The access is in a test file, or in a function (or a literal of one) only tests call. */
  private testsOnly(s: ResolvedSite): boolean {
    if (isTestFile(s.span.file)) return true;
    this.testOnlyFuncs ??= testOnlyFunctions(this.flow);
    return this.testOnlyFuncs.has(outermostFunction(this.flow.index, s.func).index);
  }

  /** Accesses through a value this function just built, or in `init`, happen before sharing. */
  isConstruction(s: ResolvedSite): boolean {
    // Inside once.Do: lazy initialisation that every other Do caller waits for.
    if (s.locks.some((l) => l.name.startsWith('once:'))) return true;
    // Through a value this goroutine built, before the value is published to another goroutine.
    if (this.flow.construction.isFreshAccess(s.raw)) return true;
    // Through the receiver or a parameter of a function that only ever runs on values under construction.
    if (s.contexts.length === 0 && this.flow.construction.holderContexts(s.raw)?.size === 0) return true;
    if (this.inSetupMethod(s)) return true;
    return this.flow.initOnly.has(s.func);
  }

  /**
   * An access in a set-up method (`Init`, `Initialize`, `Setup`, or `Start`/`Open` that starts no
   * goroutine itself), run by the package's callers only: by Go convention the value is brought up
   * once, before the goroutines and handlers that use it run (traefik's `Provider.Init` making
   * `resolvingDomains`; etcd's `Transport.Start` making `remotes`). docs/rules.md, "Lifecycle methods".
   */
  private inSetupMethod(s: ResolvedSite): boolean {
    if (s.contexts.length === 0 || !s.contexts.every((c) => c === 0)) return false;
    return this.setUpFunctions().has(s.func);
  }

  private setUp: Set<number> | null = null;

  /**
   * A method whose doc comment says it must be called before another method of its type
   * ("This must be called before invoking Serve.", grpc-go's `RegisterService`): by its
   * documented contract it runs while the value is set up, before that method starts serving.
   * The named method must exist on the same receiver type.
   */
  private documentedBefore(f: number): boolean {
    const fn = this.flow.index.funcs[f]!;
    const m = BEFORE.exec(docComment(fn.file.text, fn.start));
    if (!m) return false;
    return this.flow.index.funcs.some((g) => g.literal === null && g.recvType === fn.recvType && g.name === m[1] && g.index !== f);
  }

  /**
   * Set-up methods (`Init`, `Setup`, `Provision`, … and `Start`/`Open` that start no goroutine
   * themselves) run by the package's callers only, and the unexported functions that only they
   * (or tests, one step at a time) call: `App.Provision` → `s.provisionUnderscoreHeaders()`
   * (caddy). What they do happens while the value is brought up, before it is used.
   */
  private setUpFunctions(): Set<number> {
    if (this.setUp) return this.setUp;
    const funcs = this.flow.index.funcs;
    const callersOnly = (f: number) => [...(this.flow.funcContexts[f] ?? [])].every((c) => c === 0);
    // Functions with a `go` statement of their own (in their body or a literal run in place).
    const spawning = new Set<number>();
    for (const sp of this.flow.raw.spawns) {
      for (let g = funcs[sp.func]; g; g = g.parent >= 0 ? funcs[g.parent] : undefined) {
        spawning.add(g.index);
        if (g.runs === 'spawned') break;
      }
    }
    const out = new Set<number>();
    for (const fn of funcs) {
      if (fn.literal !== null || fn.recvType === null || !(SETUP.test(fn.name) || this.documentedBefore(fn.index)) || !callersOnly(fn.index)) continue;
      if (/^(?:[Ss]tart|[Oo]pen)$/.test(fn.name) && spawning.has(fn.index)) continue;
      out.add(fn.index);
    }
    const targets = new Set(this.flow.raw.spawns.flatMap((sp) => sp.targets));
    // The function a call is made from, a literal run in place standing for its function.
    const top = (f: number) => {
      let g = funcs[f];
      while (g && g.parent >= 0 && g.runs === 'sync') g = funcs[g.parent];
      return g;
    };
    for (let changed = out.size > 0, round = 0; changed && round < 8; round++) {
      changed = false;
      for (const fn of funcs) {
        if (out.has(fn.index) || fn.literal !== null || fn.exported || targets.has(fn.index) || !callersOnly(fn.index)) continue;
        if (spawning.has(fn.index)) continue;
        const callers = this.flow.callersOf.get(fn.index) ?? [];
        if (callers.length === 0) continue;
        if (!callers.every((c) => { const g = top(c.caller); return !!g && (out.has(g.index) || (isTestFile(g.file.rel) && g.literal === null)); })) continue;
        if (!callers.some((c) => out.has(top(c.caller)?.index ?? -1))) continue;
        out.add(fn.index);
        changed = true;
      }
    }
    this.setUp = out;
    return out;
  }

  /**
   * An access through the receiver of a lifecycle method (`Run`, `Start`, … run once per value,
   * docs/rules.md "Lifecycle methods"), before the first `go` statement of that method and
   * outside any loop that has one, is set-up: by the same convention the value is brought up
   * before its other methods are used, so it is ordered before a goroutine that another method of
   * the same type starts (nomad's device manager: `Run` fills `m.instances`, and
   * `WaitForFirstFingerprint` ranges over it in a goroutine of its own). A goroutine that a
   * constructor or another function starts is not covered: it may already run.
   */
  private setUpBeforeOtherMethods(s: ResolvedSite, ctx: number): boolean {
    const funcs = this.flow.index.funcs;
    const fn = funcs[s.func]!;
    if (fn.literal !== null || fn.recvType === null || !LIFECYCLE.test(fn.name) || s.raw.baseVar === undefined) return false;
    const recv = this.flow.raw.vars[s.raw.baseVar];
    if (!recv || recv.func !== fn.index || recv.name !== fn.recvName || recv.start !== fn.recvStart) return false;
    // Run by the package's callers (a test's own goroutine running it does not count against that).
    if (!s.contexts.every((c) => c === 0 || this.contextInTests(c))) return false;
    const own = this.flow.raw.spawns.filter((sp) => sp.func === fn.index || this.withinOwner(sp.func, fn.index));
    if (own.some((sp) => sp.start < s.raw.start || s.raw.loops.some(([ls, le]) => ls <= sp.start && sp.start < le))) return false;
    const spawnIdx = this.spawnOfContext(ctx);
    if (spawnIdx === null) return false;
    const g = outermostFunction(this.flow.index, this.flow.raw.spawns[spawnIdx]!.func);
    if (g.recvType !== fn.recvType || g.index === fn.index || LIFECYCLE.test(g.name)) return false;
    // A method the lifecycle method runs itself (called, or started with `go`) is its own machinery,
    // which the rules for goroutines started by goroutines order (docs/ordering.md).
    return !this.machineryOf(fn.index).has(g.index);
  }

  private readonly machinery = new Map<number, Set<number>>();
  private spawnTargets: Map<number, number[]> | null = null;

  /** Per function: the targets of the `go` statements in its body or its synchronous literals. */
  private spawnTargetsIn(): Map<number, number[]> {
    if (this.spawnTargets) return this.spawnTargets;
    const out = new Map<number, number[]>();
    const funcs = this.flow.index.funcs;
    for (const sp of this.flow.raw.spawns) {
      for (let f = funcs[sp.func]; f; f = f.parent >= 0 && f.runs === 'sync' ? funcs[f.parent] : undefined) {
        out.set(f.index, [...(out.get(f.index) ?? []), ...sp.targets]);
        if (f.parent < 0 || f.runs !== 'sync') break;
      }
    }
    this.spawnTargets = out;
    return out;
  }

  /** The functions a function reaches through calls and the goroutines it (and they) start. */
  private machineryOf(f: number): Set<number> {
    const hit = this.machinery.get(f);
    if (hit) return hit;
    const out = new Set<number>();
    const stack = [f];
    while (stack.length > 0) {
      const g = stack.pop()!;
      if (out.has(g)) continue;
      out.add(g);
      stack.push(...(this.flow.calleesOf[g] ?? []));
      stack.push(...(this.spawnTargetsIn().get(g) ?? []));
    }
    this.machinery.set(f, out);
    return out;
  }

  /** The pair of contexts under which a and b can run at once, or null. */
  concurrent(a: ResolvedSite, b: ResolvedSite, callersConcurrent = false): [number, number] | null {
    if (a.local && b.local) return this.concurrentLocal(a, b);
    // The same struct type held by value in two different places: two instances.
    if (a.raw.valueHolder && b.raw.valueHolder && a.raw.valueHolder !== b.raw.valueHolder) return null;
    const decl = this.flow.maps.get(a.map);
    const fromTests = decl !== undefined && isTestFile(decl.span.file);
    // One through a struct-valued field no other name can reach, the other through another name.
    if (a.map.startsWith('field:') && (a.raw.valueHolder || b.raw.valueHolder)) {
      const struct = a.map.slice(6).split('.')[0]!;
      const holders = this.flow.valueHolders;
      if (a.raw.valueHolder && !b.raw.valueHolder && holders.otherInstance(b.raw, a.raw, struct, fromTests)) return null;
      if (b.raw.valueHolder && !a.raw.valueHolder && holders.otherInstance(a.raw, b.raw, struct, fromTests)) return null;
    }
    // Goroutines that tests start make only the tests' own maps concurrent: a test drives the
    // package in ways its real callers may not, and the stdlib showed that as noise.
    const counts = (c: number) => fromTests || !this.contextInTests(c);
    // A value built here and so far handed only to goroutines its own methods started.
    const peersA = this.flow.construction.freshPeers(a.raw);
    const peersB = this.flow.construction.freshPeers(b.raw);
    // Two runs of the package's callers are the weakest witness (confidence.ts): a pair with a
    // goroutine or handler of the package, found later, is reported instead.
    let callersOnly: [number, number] | null = null;
    for (const ca of a.contexts.filter(counts)) {
      for (const cb of b.contexts.filter(counts)) {
        if ((peersA && !peersA.has(cb)) || (peersB && !peersB.has(ca))) continue;
        // Their callers in these two contexts hold a common lock (concurrency.ts, per-context entry locks).
        if ((a.contextLocks || b.contextLocks) && commonLock(locksIn(a, ca), locksIn(b, cb))) continue;
        if (ca === cb) {
          if (this.flow.contexts[ca]!.multi) return [ca, cb];
          // Tests call the package one step at a time; only its real callers may overlap.
          // A function only tests call (its name is written nowhere else in the package) runs in
          // the tests' steps too (prometheus' startSendLoops).
          if (ca === 0 && callersConcurrent && !this.testsOnly(a) && !this.testsOnly(b)) {
            callersOnly ??= [ca, cb];
            continue;
          }
          // Callers that take a lock for reading around a write expect to run alongside each
          // other, and the read lock lets them: a write there races with another access under
          // the same read lock. (With locks per context, the goroutine that wrote under the read
          // lock no longer stands in for such callers.)
          // Only where locks per context changed what a site holds: elsewhere, as before.
          if (
            ca === 0 &&
            (a.contextLocks || b.contextLocks) &&
            !isTestFile(a.span.file) &&
            !isTestFile(b.span.file) &&
            (isWrite(a) || isWrite(b)) &&
            sharedReadLock(locksIn(a, 0), locksIn(b, 0))
          )
            callersOnly ??= [ca, cb];
          continue;
        }
        if (this.orderedBefore(a, cb) || this.orderedBefore(b, ca) || this.contextsOrdered(ca, cb)) continue;
        if ((ca === 0 && this.setUpBeforeOtherMethods(a, cb)) || (cb === 0 && this.setUpBeforeOtherMethods(b, ca))) continue;
        if (this.joinedBefore(a, cb) || this.joinedBefore(b, ca)) continue;
        if ((ca === 0 && this.outsideScopedSpawn(a, cb)) || (cb === 0 && this.outsideScopedSpawn(b, ca))) continue;
        if (ca !== 0 && cb !== 0 && this.scopedApart(ca, cb)) continue;
        return [ca, cb];
      }
    }
    return callersOnly;
  }

  private concurrentLocal(a: ResolvedSite, b: ResolvedSite): [number, number] | null {
    const pa = a.local!;
    const pb = b.local!;
    const spawns = this.flow.raw.spawns;
    const ctxOf = (spawn: number | null) => (spawn === null ? -1 : this.flow.spawnContext.get(spawn)!);
    const declStart = localDeclStart(a.map);
    // Loops around the map's declaration make a fresh map per iteration: they do not share it.
    const sharedLoops = (loops: [number, number][]) => loops.filter(([s, e]) => !(s <= declStart && declStart < e));
    if (pa.spawn === pb.spawn) {
      if (pa.spawn === null) return null;
      const sp = spawns[pa.spawn]!;
      return sharedLoops(sp.loops).length > 0 || sp.perRequest ? [ctxOf(pa.spawn), ctxOf(pb.spawn)] : null;
    }
    const owner = a.owner;
    const ordered = (p: { spawn: number | null; anchor: number }, spawn: number): boolean => {
      const sp = spawns[spawn]!;
      if (p.spawn !== null) return this.spawnOrdered(p.spawn, spawn);
      if (sp.func !== owner && !this.withinOwner(sp.func, owner)) return false;
      return this.pointOrdered(owner, p.anchor, { ...sp, loops: sharedLoops(sp.loops) });
    };
    if (pb.spawn !== null && ordered(pa, pb.spawn)) return null;
    if (pa.spawn !== null && ordered(pb, pa.spawn)) return null;
    return [ctxOf(pa.spawn), ctxOf(pb.spawn)];
  }

  /**
   * A goroutine whose spawner waits for it before returning lives only during that call. Code of
   * the package's (sequential) callers outside the spawner's call tree runs before or after it.
   */
  private outsideScopedSpawn(a: ResolvedSite, ctx: number): boolean {
    const spawnIdx = this.spawnOfContext(ctx);
    if (spawnIdx === null) return false;
    const sp = this.flow.raw.spawns[spawnIdx]!;
    const owners = this.scopeOwners(sp.func, sp.start, sp.id);
    if (owners === null) return false;
    return owners.every((f) => !this.reachableFrom(f).has(a.func));
  }

  /**
   * The functions during whose call a goroutine started at (func, pos) lives: the spawner when it
   * waits after the spawn; otherwise, for a helper such as writeParallel(wg, …), its callers when
   * each of them waits after calling it. Null when no wait bounds it.
   */
  private scopeOwners(func: number, pos: number, spawn: number): number[] | null {
    const waitsAfter = (f: number, p: number) => this.waitsOf(f).some((w) => waitJoins(w, p));
    if (this.waitsFor(func, spawn).some((w) => waitJoins(w, pos))) return [func];
    const fn = this.flow.index.funcs[func]!;
    if (fn.exported || fn.literal) return null;
    const callers = this.flow.callersOf.get(func) ?? [];
    if (callers.length === 0 || !callers.every((c) => waitsAfter(c.caller, c.pos))) return null;
    return [...new Set(callers.map((c) => c.caller))];
  }

  /**
   * Two goroutines, each joined before its spawner returns, whose spawners run only in the
   * package's sequential callers and never call each other (directly or from the goroutines):
   * one ends before the other starts.
   */
  private scopedApart(ca: number, cb: number): boolean {
    const owners = (c: number) => {
      const sp = this.spawnOfContext(c);
      return sp === null ? null : this.scopeOwners(this.flow.raw.spawns[sp]!.func, this.flow.raw.spawns[sp]!.start, sp);
    };
    const oa = owners(ca);
    const ob = owners(cb);
    if (!oa || !ob) return false;
    const sequential = (f: number) => [...this.flow.funcContexts[f]!].every((c) => c === 0);
    if (![...oa, ...ob].every(sequential)) return false;
    const during = (owners: number[], ctx: number) => {
      const set = new Set<number>();
      for (const f of [...owners, ...this.flow.contexts[ctx]!.entries]) for (const g of this.reachableFrom(f)) set.add(g);
      return set;
    };
    const duringA = during(oa, ca);
    const duringB = during(ob, cb);
    return ob.every((f) => !duringA.has(f)) && oa.every((f) => !duringB.has(f));
  }

  private readonly reach = new Map<number, Set<number>>();

  private reachableFrom(f: number): Set<number> {
    let set = this.reach.get(f);
    if (set) return set;
    set = new Set<number>();
    const stack = [f];
    while (stack.length > 0) {
      const g = stack.pop()!;
      if (set.has(g)) continue;
      set.add(g);
      stack.push(...(this.flow.calleesOf[g] ?? []));
    }
    this.reach.set(f, set);
    return set;
  }

  /** A goroutine a test starts: it makes only the tests' own maps concurrent. */
  contextInTests(c: number): boolean {
    const ctx = this.flow.contexts[c];
    return !!ctx && ctx.spawner >= 0 && isTestFile(ctx.span.file);
  }

  private withinOwner(f: number, owner: number): boolean {
    for (let g = this.flow.index.funcs[f]; g; g = g.parent >= 0 ? this.flow.index.funcs[g.parent] : undefined) {
      if (g.index === owner) return true;
      if (g.runs === 'spawned') return false;
    }
    return false;
  }

  /** Spawn t starts only after a wait that follows spawn s (in the same function). */
  private spawnOrdered(s: number, t: number): boolean {
    const ss = this.flow.raw.spawns[s]!;
    const tt = this.flow.raw.spawns[t]!;
    if (ss.func !== tt.func) return false;
    return this.waitBetween(ss.func, ss.start, tt.start, s);
  }

  private contextsOrdered(ca: number, cb: number): boolean {
    const sa = this.spawnOfContext(ca);
    const sb = this.spawnOfContext(cb);
    if (sa === null || sb === null) return false;
    return this.spawnOrdered(sa, sb) || this.spawnOrdered(sb, sa);
  }

  spawnOfContext(ctx: number): number | null {
    return this.spawnByContext.get(ctx) ?? null;
  }

  /** Access a happens before every run of context c, or after c is waited for. */
  private orderedBefore(a: ResolvedSite, ctx: number, depth = 0): boolean {
    const spawnIdx = this.spawnOfContext(ctx);
    if (spawnIdx === null) return false;
    const sp = this.flow.raw.spawns[spawnIdx]!;
    if (this.pointInFunctionOrdered(a.func, a.raw.start, sp, depth)) return true;
    // A goroutine started from a goroutine that itself starts after `a` (`Run` fills the map, then
    // `go m.fingerprint()`, which starts the reader): the go statements order it after `a` too.
    if (depth >= 3) return false;
    const outer = this.flow.funcContexts[sp.func];
    if (!outer || outer.size === 0 || outer.has(0)) return false;
    return [...outer].every((c) => c !== ctx && this.orderedBefore(a, c, depth + 1));
  }

  private pointInFunctionOrdered(func: number, pos: number, sp: SpawnPoint, depth: number): boolean {
    const funcs = this.flow.index.funcs;
    // Climb synchronous literals to the spawner.
    let f = func;
    let p = pos;
    while (f !== sp.func) {
      const fn = funcs[f]!;
      if (fn.parent < 0 || fn.runs === 'spawned') break;
      p = fn.anchor;
      f = fn.parent;
    }
    if (f === sp.func) return this.spawnerRunsOnce(f, sp.id) && this.pointOrdered(f, p, sp);
    // A helper called only from the spawner, before the spawn (e.g. setup() before go serve()).
    if (depth >= 3) return false;
    const callers = this.flow.callersOf.get(f) ?? [];
    if (callers.length === 0 || funcs[f]!.exported) return false;
    return callers.every((c) => this.pointInFunctionOrdered(c.caller, c.pos, sp, depth + 1));
  }

  /**
   * Code before a spawn is ordered before the goroutine only if the spawner does not run again
   * while the goroutine lives: `main`, `init`, tests, or a spawner that waits before returning.
   */
  private spawnerRunsOnce(f: number, spawn: number | undefined): boolean {
    const fn = this.flow.index.funcs[f]!;
    if (fn.literal === null && fn.recvType === null && (fn.name === 'main' || fn.name === 'init' || /^(Test|Benchmark|Fuzz|Example)/.test(fn.name))) return true;
    // A method that brings its value up (`Start`, `Run`, `Init`, `Open`, `Serve`, `runLoop`…) runs
    // once per value: what it does before its `go` statements is set-up the goroutines see done
    // (docs/rules.md, "Lifecycle methods").
    if (fn.literal === null && fn.recvType !== null && LIFECYCLE.test(fn.name)) return true;
    const end = fn.body?.end ?? fn.end;
    return this.waitsFor(f, spawn).some((w) => w.blockEnd >= end - 1);
  }

  private pointOrdered(func: number, pos: number, sp: SpawnPoint): boolean {
    if (func !== sp.func) return false;
    if (pos < sp.start) {
      // In a loop around both, earlier iterations' goroutines must be joined inside the loop.
      const shared = sp.loops.filter(([s, e]) => s <= pos && pos < e);
      const joinedEachIteration = ([s, e]: [number, number]) =>
        this.waitsFor(func, sp.id).some((w) => waitJoins(w, sp.start) && w.pos < e && w.blockStart >= s);
      if (shared.every(joinedEachIteration)) return true;
    }
    return pos > sp.start && (this.waitBetween(func, sp.start, pos, sp.id) || this.joinedInBlock(func, sp, pos));
  }

  /**
   * The spawn's own block waits for it before it ends (`go f(); …; wg.Wait()` in one loop body or
   * `if` branch), with no jump between that could skip the wait: a point after that block (after
   * the loop, or after the `if`) is after every goroutine of the spawn.
   */
  private joinedInBlock(func: number, sp: SpawnPoint, pos: number): boolean {
    const text = this.flow.index.funcs[func]!.file.text;
    return this.waitsFor(func, sp.id).some(
      (w) => waitJoins(w, sp.start) && pos >= w.blockEnd && !/\b(?:continue|break|return|goto)\b/.test(maskCommentsAndStrings(text.slice(sp.start, w.pos))),
    );
  }

  private waitBetween(func: number, from: number, to: number, spawn: number | undefined): boolean {
    return this.waitsFor(func, spawn).some((w) => w.pos > from && w.pos < to && w.blockStart <= to && to < w.blockEnd);
  }

  private waitsOf(func: number): WaitPoint[] {
    return this.waitsByFunc.get(func) ?? [];
  }

  /**
   * The waits of a function that can join the goroutine(s) of a spawn: `go worker(); <-stop`
   * does not wait for the worker. A receive joins a goroutine only if it sends on or closes a
   * channel of that name, `wg.Wait()` only if it calls `wg.Done()` (or was started by `wg.Go`);
   * passing the channel or group to the goroutine counts too. A wait with no name joins all.
   */
  private waitsFor(func: number, spawn: number | undefined): WaitPoint[] {
    const all = this.waitsOf(func);
    if (spawn === undefined) return all;
    const signals = this.signalsOf(spawn);
    if (signals === null) return all;
    return all.filter((w) => w.name === undefined || signals.has(w.name));
  }

  /**
   * The access runs after a receive from a channel that the one goroutine of `ctx` closes
   * (`<-c.shutdownCh` in Shutdown, `close(c.shutdownCh); return` in the runLoop that Run
   * started): the goroutine has reached its close, its end by Go convention, so the access is
   * ordered after it (nomad's csiManager). Only closes count (a send can come at any time), and
   * only a context of one goroutine.
   */
  private joinedBefore(a: ResolvedSite, ctx: number): boolean {
    const c = this.flow.contexts[ctx];
    if (!c || c.multi) return false;
    const spawn = this.spawnOfContext(ctx);
    if (spawn === null) return false;
    const closed = this.closesOf(spawn);
    if (closed.size === 0) return false;
    const funcs = this.flow.index.funcs;
    let f = a.func;
    let p = a.raw.start;
    for (let depth = 0; depth < 30; depth++) {
      if (this.waitsOf(f).some((w) => w.name !== undefined && closed.has(w.name) && w.pos < p && w.blockStart <= p && p < w.blockEnd)) return true;
      const fn = funcs[f]!;
      if (fn.parent < 0 || fn.runs !== 'sync') return false;
      p = fn.anchor;
      f = fn.parent;
    }
    return false;
  }

  private readonly closes = new Map<number, Set<string>>();

  /** The channel names a spawn's goroutine function closes (`close(c.shutdownCh)`, `defer close(done)`). */
  private closesOf(spawn: number): Set<string> {
    const hit = this.closes.get(spawn);
    if (hit) return hit;
    const out = new Set<string>();
    const sp = this.flow.raw.spawns[spawn];
    const funcs = this.flow.index.funcs;
    for (const t of sp?.targets ?? []) {
      const fn = funcs[t];
      if (!fn) continue;
      const body = fn.file.text.slice(fn.body?.start ?? fn.start, fn.body?.end ?? fn.end);
      // SIGNAL_RE's second group is the channel a `close(…)` names.
      for (const m of body.matchAll(SIGNAL_RE)) if (m[2]) out.add(m[2]);
    }
    for (const v of sp?.via ?? []) for (const name of this.closesOf(v)) out.add(name);
    this.closes.set(spawn, out);
    return out;
  }

  /**
   * The method that starts context ctx, when it hands its caller a channel the goroutine closes
   * when it is done (`func (r *report) Run() <-chan string { donec := …; go func() { defer
   * close(donec); … }(); return donec }`): a future, whose caller receives from it before it uses
   * what the goroutine computes. Null otherwise.
   */
  futureMethod(ctx: number): string | null {
    const c = this.flow.contexts[ctx];
    const spawn = this.spawnOfContext(ctx);
    if (!c || c.multi || spawn === null) return null;
    const sp = this.flow.raw.spawns[spawn]!;
    const fn = this.flow.index.funcs[sp.func]!;
    if (fn.literal !== null || fn.recvType === null || fn.results.length !== 1 || !/^(?:<-\s*)?chan\b/.test(fn.results[0]!.trim())) return null;
    const body = fn.file.text.slice(fn.body?.start ?? fn.start, fn.body?.end ?? fn.end);
    const closed = this.closesOf(spawn);
    // Every return (the goroutine's own included) hands back a channel the goroutine closes.
    const returned = [...maskCommentsAndStrings(body).matchAll(/\breturn\b[ \t]*(\w*)/g)].map((m) => m[1]!);
    return returned.length > 0 && returned.every((n) => n === '' || closed.has(n)) && returned.some((n) => n !== '') ? fn.name : null;
  }

  private readonly signals = new Map<number, Set<string> | null>();

  /** The names a spawn's goroutine signals (sends on, closes, calls Done on, is started by), or null if unknown. */
  private signalsOf(spawn: number): Set<string> | null {
    if (this.signals.has(spawn)) return this.signals.get(spawn)!;
    const sp = this.flow.raw.spawns[spawn];
    const funcs = this.flow.index.funcs;
    let out: Set<string> | null = null;
    if (sp && sp.targets.length > 0) {
      out = new Set<string>();
      const file = funcs[sp.func]!.file.text;
      const texts = [file.slice(sp.start, sp.end)];
      // The goroutine's code: its targets and what they call, two calls deep.
      const seen = new Set<number>();
      let layer = [...sp.targets];
      for (let depth = 0; depth < 3 && layer.length > 0; depth++) {
        const next: number[] = [];
        for (const t of layer) {
          if (seen.has(t)) continue;
          seen.add(t);
          const fn = funcs[t];
          if (!fn) continue;
          texts.push(fn.file.text.slice(fn.body?.start ?? fn.start, fn.body?.end ?? fn.end));
          next.push(...(this.flow.calleesOf[t] ?? []));
        }
        layer = next;
      }
      for (const t of texts) {
        for (const m of t.matchAll(SIGNAL_RE)) out.add(m[1] ?? m[2] ?? m[3] ?? m[4]!);
      }
      // Names handed to a named goroutine function (`go worker(&wg, done)`) may be signalled under another name.
      if (!sp.targets.every((t) => funcs[t]?.literal)) for (const m of texts[0]!.matchAll(/\b([A-Za-z_]\w*)\b/g)) out.add(m[1]!);
      // Started through a helper: what the helper's goroutine signals (`defer wg.Done()`) too.
      for (const v of sp.via ?? []) for (const name of this.signalsOf(v) ?? []) out.add(name);
    }
    this.signals.set(spawn, out);
    return out;
  }
}

/** A spawn's position, its loops and (when it is a raw spawn) its id. */
type SpawnPoint = { func: number; start: number; loops: [number, number][]; id?: number };

/** `ch <- v`, `close(x.ch)`, `wg.Done()`, `g.Go(`: the names a goroutine signals on. */
const SIGNAL_RE = /\b([A-Za-z_]\w*)\s*<-|\bclose\(\s*(?:[\w.]*\.)?([A-Za-z_]\w*)\s*\)|\b([A-Za-z_]\w*)\.Done\(\)|\b([A-Za-z_]\w*)\.Go\(/g;


/** The declaration offset of a local map key (`local:fn:name:start`), or -1. */
function localDeclStart(key: string): number {
  const parts = key.split(':');
  return parts[0] === 'local' && parts[3] !== undefined ? Number(parts[3]) : -1;
}

/**
 * Unexported functions and methods of non-test files whose name no non-test file writes except at
 * their own declaration: only the package's tests call them (or nothing does). An exported name
 * may be called from outside or through an interface, and a name an interface or a method value
 * writes counts as written, so both stay. Only in a package that has an exported function: one
 * without (a fixture, a command's helpers) has no other callers than its tests.
 */
function testOnlyFunctions(flow: PackageFlow): Set<number> {
  const out = new Set<number>();
  // A package with no exported function is driven only by its tests (or is a command): its
  // unexported functions are its API there.
  if (!flow.index.funcs.some((f) => f.literal === null && f.exported && !isTestFile(f.file.rel))) return out;
  const funcs = flow.index.funcs.filter((f) => f.literal === null && /^[a-z_]/.test(f.name) && f.name !== 'init' && f.name !== 'main' && !isTestFile(f.file.rel));
  if (funcs.length === 0) return out;
  const counts = new Map<string, number>();
  const names = new Set(funcs.map((f) => f.name));
  for (const file of flow.index.files) {
    if (isTestFile(file.rel)) continue;
    for (const m of maskCommentsAndStrings(file.text).matchAll(/[A-Za-z_]\w*/g)) if (names.has(m[0])) counts.set(m[0], (counts.get(m[0]) ?? 0) + 1);
  }
  const declared = new Map<string, number>();
  for (const f of funcs) declared.set(f.name, (declared.get(f.name) ?? 0) + 1);
  for (const f of funcs) if ((counts.get(f.name) ?? 0) <= declared.get(f.name)!) out.add(f.index);
  return out;
}
