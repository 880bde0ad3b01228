// How much of a finding the scan has seen, and how much it assumes (docs/confidence.md).
//
// A finding is `high` confidence when the scan sees both halves of the race: code of the package
// that runs concurrently (a goroutine it starts, a handler, a callback) and one value that both
// racing accesses reach. It is `low` when one half is an assumption:
// - `callers`: no goroutine, handler or callback of the package is among the racing accesses;
//   the race needs the package's callers to use the value from several goroutines at once, which
//   a lock beside the map suggests but the scan cannot see. Set-up phases (a value filled before
//   it is shared) look the same to the scan. Not when the type's doc comment says it is safe for
//   concurrent use, nor when a racing access's own function, called somewhere, takes the map's
//   lock itself (lockingFunctions).
// - `instances`: the map is a field of a struct type with no lock of its own, and no racing pair
//   reaches it through one value: the accesses go through different variables (parameters,
//   locals, results of calls), which may hold different instances (per-request and per-call
//   values of the same type).
// - `set-up`: every racing write puts an empty map in place (`s.m = make(…)`, `s.m = nil`), as a
//   value's set-up or a reset does; whether it runs while other goroutines use the map depends on
//   phases the scan does not see. Not when such a write holds the map's guard (a live reset).
// - `tests`: every racing pair needs a goroutine or handler that a test starts (and nothing else
//   of the package runs concurrently): whether the test lets them overlap is ordering the scan
//   follows only in part.
// - `own values`: every race is one goroutine's runs against each other, each reaching the map
//   through a value it builds for itself (a connection's session).
// - `configured`: only the package's callers write the map, only its goroutines read it, and no
//   racing access holds a lock: a value configured before it runs (register, then Run).
// - `own work`: the package's one goroutine that reaches the map runs the very functions whose
//   accesses the package's callers race with (a refresh loop calling the exported `Walk`).
// - `some paths`: every racing access holds the map's lock or runs only below a call made with
//   that lock taken on some paths (`if unix { mu.Lock(); defer mu.Unlock() }`).
// - `exported lock`: the map's lock is an exported field (`Mu sync.RWMutex`), and every racing
//   access without it is in an exported function the package's callers run: they may hold it.
// - `future`: the only goroutines are ones whose method returns a channel they close when done
//   (`Run() <-chan string`): the race needs a caller to use the value before receiving from it.
// - `own element`: every race is one goroutine started in a loop racing with itself, each run
//   reaching the map through the pointer its `go` statement hands it from the loop (`for _, c :=
//   range clients { go c.Run() }`).
// - `nothing calls it`: every racing pair has an access in one function only the scan's modules
//   can call (unexported, or exported from `main`, `internal/` or `cmd/`) and no code there names but its
//   declaration: marked here (Finding.onlyIn), decided across the modules' files by
//   src/analysis/references.ts.
// Low-confidence findings are reported like the others; `--confidence high` (scan, fix, pr)
// leaves them out (docs/confidence.md).
import { locksIn, type PackageFlow, type ResolvedSite } from './concurrency.js';
import { isWrite, type Conflict, type ConflictFinder } from './conflicts.js';
import type { HeldLock, MapDecl } from './model.js';
import { waitJoins, type RawCall } from './raw-facts.js';
import { docComment } from './documented-locks.js';
import { outermostFunction } from './package-index.js';
import { calledImplicitly } from './references.js';

export type ConfidenceLevel = 'high' | 'low';

export interface Confidence {
  level: ConfidenceLevel;
  /** For `low`: which assumption the finding rests on, and why, in one sentence. */
  reason?: string;
  /** For `high`: the functions every racing pair has an access in (Finding.onlyIn). */
  onlyIn?: string[];
  /**
   * For `high` only because a racing access's own function takes the map's lock (lockingFunctions):
   * those functions' names, and the `low` reason the finding has when nothing in the scanned
   * modules names any of them (Finding.ownLockIn).
   */
  ownLockIn?: { names: string[]; methods: string[]; reason: string };
}

export const HIGH: Confidence = { level: 'high' };

/**
 * The confidence of a finding whose races are `conflicts` (pairs of accesses with the contexts
 * they run in; context 0 is the package's callers, -1 the function owning a local map).
 */
export function confidenceOf(flow: PackageFlow, finder: ConflictFinder, decl: MapDecl, guard: string | null, conflicts: Conflict[]): Confidence {
  if (conflicts.length === 0) return HIGH;
  if (conflicts.every((c) => c.contexts[0] === 0 && c.contexts[1] === 0) && !documentedConcurrent(flow, decl)) {
    const reason = `no goroutine, handler or callback of the package reaches ${decl.name}: the race needs the package's callers to use it from several goroutines at once${
      guard ? ', which its lock suggests' : ''
    }, and the scan cannot see that`;
    const own = lockingFunctions(flow, guard, conflicts);
    if (own.length === 0) return { level: 'low', reason };
    const c = assumptions(flow, finder, decl, guard, conflicts);
    const names = own.map((f) => f.name);
    const methods = own.filter((f) => f.method).map((f) => f.name);
    return c.level === 'high' ? { ...c, ownLockIn: { names, methods, reason } } : c;
  }
  return assumptions(flow, finder, decl, guard, conflicts);
}

/** The assumptions a finding can rest on, but the package's callers being concurrent (the list at the top). */
function assumptions(flow: PackageFlow, finder: ConflictFinder, decl: MapDecl, guard: string | null, conflicts: Conflict[]): Confidence {
  // Every race needs a goroutine (or handler) that a test starts, and nothing else of the package:
  // whether the test lets them overlap (one request at a time to its mock server, a poll under the
  // lock before it reads) is ordering the scan follows only in part. On the corpus every such
  // finding judged was false (grpc-go transport_test.go:2678, prometheus mock_test.go:83).
  const fromTest = (x: number) => x > 0 && finder.contextInTests(x);
  if (conflicts.every((c) => c.contexts.every((x) => x <= 0 || fromTest(x)) && c.contexts.some(fromTest))) {
    return {
      level: 'low',
      reason: `the only concurrency is goroutines or handlers a test starts: the race needs the test to let them overlap with each other or with its own steps, an order the scan follows only in part`,
    };
  }
  // Every race is with a write that puts an empty map in place (`c.pcd = make(…)`, `s.m = nil`):
  // how values are set up, and reset. Whether it runs while other goroutines use the map is a
  // matter of phases (set-up before sharing) the scan does not see. Not a write that holds the
  // map's guard: set-up of a value nobody else has needs no lock, so that is a reset of a live
  // value (nomad's subscriptions.closeAll). Another lock proves nothing (constructors lock too).
  // Nor a write made after the function that started the racing goroutine on that value went on
  // to call it (resetAfterSpawn).
  const setUp = (x: ResolvedSite, ctx: number, other: number) =>
    x.raw.installsEmpty && !locksIn(x, ctx).some((l) => l.name === guard) && !resetAfterSpawn(flow, finder, x, other);
  const install = conflicts.every((c) => setUp(c.a, c.contexts[0], c.contexts[1]) || setUp(c.b, c.contexts[1], c.contexts[0]));
  if (install) {
    const site = conflicts[0]!.a.raw.installsEmpty ? conflicts[0]!.a : conflicts[0]!.b;
    return {
      level: 'low',
      reason: `every racing write gives ${site.text} an empty map (or nil), which is how a value is set up or reset: the race needs that to run while other goroutines use ${decl.name}, an order the scan cannot see`,
    };
  }
  // Every race is one goroutine (started in a loop, or a handler) racing with another run of
  // itself, and both accesses reach the map through a value each run builds for itself
  // (`session := &Session{…}` in the connection's goroutine, handed down as a parameter): two runs
  // reach one value only if one hands its value to the other, which the scan does not see.
  const own = decl.kind === 'field' && conflicts.every((c) => c.contexts[0] === c.contexts[1] && ownPerRun(flow, finder, c.a, c.contexts[0]) !== null && ownPerRun(flow, finder, c.b, c.contexts[1]) !== null);
  if (own) {
    const c = conflicts[0]!;
    const v = ownPerRun(flow, finder, c.a, c.contexts[0])![0]!;
    const struct = decl.name.split('.')[0]!;
    return {
      level: 'low',
      reason: `each run of ${flow.contexts[c.contexts[0]]!.description} builds its own ${struct} (${v.name} in ${flow.index.funcs[v.func]!.name}) and reaches ${decl.name} through it: the race needs one run to hand its ${struct} to another, which the scan does not see`,
    };
  }
  // Every race is one goroutine started in a loop racing with another run of itself, and each run
  // reaches the map through the loop's element its `go` statement handed it (`for _, c := range
  // clients { go c.Run() }`): two runs reach one value only if the collection holds it twice.
  const element = decl.kind === 'field' ? perElementRuns(flow, finder, conflicts) : null;
  if (element !== null) {
    const struct = decl.name.split('.')[0]!;
    return {
      level: 'low',
      reason: `each run of ${element.context} is started on its own ${element.variable} (a variable of each iteration of the loop in ${element.func}) and reaches ${decl.name} only through it: the race needs two iterations to hand over one ${struct} value, which the scan does not see`,
    };
  }
  if ((decl.kind === 'field' || decl.kind === 'named-type') && guard === null) {
    // A named map type (`type Header map[string][]string`) is a value type with no lock either.
    const struct = decl.name.split('.')[0]!;
    if ((decl.kind === 'named-type' || flow.owners.lockless(struct)) && !conflicts.some((c) => oneInstance(flow, finder, c))) {
      const a = conflicts[0]!;
      const names = [...new Set([rootText(flow, a.a), rootText(flow, a.b)])];
      const through = names.length === 1 ? `${names[0]} of different calls` : names.join(' and ');
      return {
        level: 'low',
        reason: `${struct} has no lock of its own and no racing pair reaches ${decl.name} through one ${struct} value: the accesses go through ${through}, which may hold different values (per-request or per-call values of one type)`,
      };
    }
  }
  const some = guard === null ? null : lockedOnSomePaths(flow, guard, conflicts);
  if (some !== null) {
    return {
      level: 'low',
      reason: `${some.caller} takes ${some.lock} on some paths before it calls what reaches here, and every racing access runs only below such calls or holds the lock: whether these accesses run only on the paths with the lock depends on conditions the scan does not relate`,
    };
  }
  const exportedLock = guard === null ? null : callersMayHoldExportedLock(flow, guard, conflicts);
  if (exportedLock !== null) {
    return {
      level: 'low',
      reason: `${exportedLock.struct} exports its lock ${exportedLock.field}, and every racing access without it is in an exported function (${exportedLock.funcs.join(', ')}): callers in other packages may hold ${exportedLock.field} around their calls, which the scan does not see`,
    };
  }
  const future = futures(finder, conflicts);
  if (future !== null) {
    return {
      level: 'low',
      reason: `${future.join(' and ')} ${future.length === 1 ? 'returns a channel its goroutine closes' : 'return channels their goroutines close'} when done: the race on ${decl.name} needs a caller to use the value, or start another such goroutine on it, before it has received from that channel`,
    };
  }
  const work = goroutinesOwnWork(flow, conflicts);
  if (work !== null) {
    return {
      level: 'low',
      reason: `the only goroutine of the package that reaches ${decl.name} (${work.context}) runs ${work.funcs.join(' and ')} itself: the race needs the package's callers to call ${work.funcs.length === 1 ? 'it' : 'them'} while that goroutine runs, which the package itself never does`,
    };
  }
  if (configuredBeforeRun(flow, finder, decl, guard, conflicts)) {
    return {
      level: 'low',
      reason: `${decl.name} is written only by the package's callers, with no lock at any racing write, and only read by the package's goroutines or handlers: the shape of a value configured before it runs; the race needs a caller to write it after they started, an order the scan cannot see`,
    };
  }
  return HIGH;
}

/**
 * A struct's map that the package's callers fill and its goroutines (or handlers) only read, with
 * no lock at any racing write: `d.RegisterHandler(…)` then `d.Run()`, which starts the loop that
 * reads the handlers (frp's Dispatcher; seaweedfs' STSService providers, filled before serving).
 * Not when a write is known to come after the goroutine started: in the function that starts it,
 * after the `go` statement, or in a function it calls after it (a constructor that writes after
 * starting its janitor). A package map of that shape counts too (session 12: minio's
 * `globalNodeNamesHex`, filled by `serverMain` before the heal routine that reads it starts), and
 * since session 13 so does a struct's map reached through a package variable (nats'
 * `FlagSnapshot.inCmdLine`, set from the command line before the reload goroutine reads it) and a
 * read that holds some lock the map has no claim on (that reload holds `reloadMu`).
 */
function configuredBeforeRun(flow: PackageFlow, finder: ConflictFinder, decl: MapDecl, guard: string | null, conflicts: Conflict[]): boolean {
  if (guard !== null || (decl.kind !== 'field' && decl.kind !== 'package-var')) return false;
  const sides = (c: Conflict): [ResolvedSite, number][] => [[c.a, c.contexts[0]], [c.b, c.contexts[1]]];
  // (`owner:T` is no lock taken: it stands for whatever lock the holder of a lock-less T has.)
  const unlocked = (s: ResolvedSite) => s.locks.every((l) => l.name.startsWith('owner:'));
  // Writes: the callers', with no lock. Reads may hold a lock of another owner: nats' reload reads
  // the flag snapshot (`Options`) under the server's `reloadMu`, which serialises reloads. A read
  // under a lock of the map's own struct (or a package lock, for a package map) is the lock the
  // writer forgot.
  const struct = decl.kind === 'field' ? decl.name.split('.')[0]! : null;
  const ownLock = (name: string) => (struct === null ? !name.includes('.') : name.startsWith(`${struct}.`));
  const readLockOk = (s: ResolvedSite) => s.locks.every((l) => l.name.startsWith('owner:') || !ownLock(l.name));
  if (!conflicts.every((c) => sides(c).every(([s, ctx]) => (isWrite(s) ? unlocked(s) && ctx === 0 : readLockOk(s))))) return false;
  if (!conflicts.some((c) => sides(c).some(([, ctx]) => ctx > 0))) return false;
  const top = (f: number) => outermostFunction(flow.index, f).index;
  for (const c of conflicts) {
    for (const [w] of sides(c).filter(([s]) => isWrite(s))) {
      for (const [, ctx] of sides(c)) {
        const spawn = ctx > 0 ? finder.spawnOfContext(ctx) : null;
        if (spawn === null) continue;
        const sp = flow.raw.spawns[spawn]!;
        const spawner = top(sp.func);
        if (top(w.func) === spawner && w.span.start > sp.start) return false;
        if ((flow.callersOf.get(top(w.func)) ?? []).some((k) => top(k.caller) === spawner && k.pos > sp.start)) return false;
        // The writing function called what starts the goroutine before it writes (`c.start()`
        // then `c.items[k] = i`), directly or one call further in.
        const starters = new Set([spawner, ...(flow.callersOf.get(spawner) ?? []).map((k) => top(k.caller))]);
        const startsBefore = (f: number) => (flow.callersOf.get(f) ?? []).some((k) => top(k.caller) === top(w.func) && k.pos < w.span.start);
        if ([...starters].some(startsBefore)) return false;
      }
    }
  }
  return true;
}

/**
 * The variables an access in context ctx reaches its map's struct through, when each is one a run
 * of ctx builds for itself: a fresh value (`&T{…}`, `new(T)`, `var x T`) declared in a function
 * that runs in ctx alone, the struct being that value itself (no field path). Null otherwise.
 */
function ownPerRun(flow: PackageFlow, finder: ConflictFinder, s: ResolvedSite, ctx: number): import('./raw-facts.js').VarInfo[] | null {
  if (ctx <= 0 || !flow.contexts[ctx]?.multi) return null;
  const o = origins(flow, finder, s, ctx);
  if (o.size === 0) return null;
  const out: import('./raw-facts.js').VarInfo[] = [];
  for (const key of o.keys()) {
    const m = /^var:(\d+)$/.exec(key);
    if (!m) return null;
    const v = flow.raw.vars[Number(m[1])];
    if (!v) return null;
    // A parameter or receiver on the way: its values are the origins its callers handed it, when
    // every call of its function in ctx is one the origins followed (a call in a body read only
    // for its call edges hands an unknown value), and the run does not start there.
    if (v.param !== null || receiverType(flow, v.id) !== null) {
      if (flow.contexts[ctx]!.entries.includes(v.func)) return null;
      const followed = new Set((callsInto(flow).get(v.func) ?? []).map((c) => `${c.caller}:${c.pos}`));
      const callers = (flow.callersOf.get(v.func) ?? []).filter((c) => flow.funcContexts[c.caller]?.has(ctx));
      if (callers.length === 0 || callers.some((c) => !followed.has(`${c.caller}:${c.pos}`))) return null;
      continue;
    }
    const runsIn = flow.funcContexts[v.func];
    if (!v.fresh || !runsIn || runsIn.size !== 1 || !runsIn.has(ctx)) return null;
    out.push(v);
  }
  return out.length > 0 ? out : null;
}

/** The expression the struct holding the map is reached through (`cfg` in `cfg.Metadata[k]`). */
function rootText(flow: PackageFlow, s: ResolvedSite): string {
  if (s.raw.packagePath) return s.raw.packagePath;
  const id = s.raw.ownerVar ?? s.raw.typeVar;
  const v = id === undefined ? undefined : flow.raw.vars[id];
  if (v) return `${v.name}${holderPath(s)}`;
  return s.raw.mapText ?? s.text;
}

/** `c.inner.items` → `.inner`: the path from the variable to the struct holding the map. */
function holderPath(s: ResolvedSite): string {
  const text = (s.raw.mapText ?? '').replace(/\s+/g, '');
  return /^&?\(?\*?[A-Za-z_]\w*((?:\.\w+)*)\.\w+\)?$/.exec(text)?.[1] ?? '';
}

/** Whether both accesses of a racing pair visibly reach one value of the map's struct type. */
function oneInstance(flow: PackageFlow, finder: ConflictFinder, c: Conflict): boolean {
  const { a, b } = c;
  // One package-level variable (or a value reached from it).
  if (a.raw.packagePath !== undefined && a.raw.packagePath === b.raw.packagePath) return true;
  const va = a.raw.ownerVar ?? a.raw.typeVar;
  const vb = b.raw.ownerVar ?? b.raw.typeVar;
  // Where the value comes from, following parameters and receivers back to the package's calls
  // (`Put`'s receiver is `c` where `Warm` calls `c.Put(…)` in its goroutines): one package
  // variable, or one variable of the function that starts the goroutines, which they capture (one
  // value per call of that function; a parameter merely called in two goroutines may be a
  // different value in each).
  const oa = origins(flow, finder, a, c.contexts[0]);
  const ob = origins(flow, finder, b, c.contexts[1]);
  for (const [o, handedA] of oa) {
    const handedB = ob.get(o);
    if (handedB === undefined) continue;
    if (o.startsWith('pkg:')) return true;
    const id = Number(o.slice(4).split('.')[0]);
    // One context racing with itself (a `go` in a loop, a handler): one value only when each run
    // does not get its own.
    if (c.contexts[0] === c.contexts[1]) {
      if (capturedByContexts(flow, finder, id, c.contexts)) return true;
      continue;
    }
    // Two contexts: the goroutine got the value from the activation that holds the variable
    // (its `go` statement handed it over, or it captured it), not from running the same
    // function again with a variable of its own.
    const gets = (site: ResolvedSite, ctx: number, handed: boolean) => ctx <= 0 || handed || captured(flow, finder, id, site, ctx);
    if (gets(a, c.contexts[0], handedA) && gets(b, c.contexts[1], handedB)) return true;
  }
  if (va === undefined || vb === undefined) return false;
  // Receivers of methods of one type, where that type's own method started the goroutine (or
  // serves the requests) on its receiver: the value the goroutine runs on is the one its
  // callers call the other methods on (the rule RacerD applies to types meant for concurrent use).
  const ra = receiverType(flow, va);
  if (ra === null || ra !== receiverType(flow, vb)) return false;
  return c.contexts.some((ctx) => ctx > 0 && startedBy(flow, finder, ctx) === ra);
}

const originCache = new WeakMap<PackageFlow, Map<string, Map<string, boolean>>>();

/**
 * The values a field access running in context ctx may go through: `pkg:g.f` for a package
 * variable, `var:N.f` for a variable N, with the field path to the struct holding the map. A
 * parameter or receiver also stands for what the package's calls in the same context pass there,
 * and a goroutine's function for what its `go` statement passes (a few steps back); a value from
 * outside the package (an exported function's callers) has no origin beyond the parameter.
 */
function origins(flow: PackageFlow, finder: ConflictFinder, s: ResolvedSite, ctx: number): Map<string, boolean> {
  if (s.raw.packagePath !== undefined) return new Map([[`pkg:${s.raw.packagePath}`, false]]);
  const v = s.raw.ownerVar ?? s.raw.typeVar;
  if (v === undefined) return new Map();
  return originsOfVar(flow, finder, v, holderPath(s), ctx, 0);
}

interface Handing {
  recvVar?: number;
  recvPath?: string;
  argRoots?: (number | null)[];
  argPaths?: (string | null)[];
}

/** Origin → whether the value reached the access through a `go` statement's receiver or arguments. */
function originsOfVar(flow: PackageFlow, finder: ConflictFinder, id: number, path: string, ctx: number, depth: number): Map<string, boolean> {
  let cache = originCache.get(flow);
  if (!cache) originCache.set(flow, (cache = new Map()));
  const key = `${id}${path}@${ctx}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const out = new Map<string, boolean>();
  cache.set(key, out);
  const v = flow.raw.vars[id];
  if (!v) return out;
  const recv = receiverType(flow, id) !== null;
  // The variable itself: the value of the activation that declares it (for a parameter or
  // receiver, what that activation was called with).
  out.set(`var:${id}${path}`, false);
  if (!recv && v.param === null) return out;
  if (depth >= 6) return out;
  const add = (o: string, handed: boolean) => out.set(o, (out.get(o) ?? false) || handed);
  const follow = (h: Handing, contexts: Iterable<number>, handed: boolean) => {
    const root = recv ? h.recvVar : h.argRoots?.[v.param!.index];
    const pkg = recv ? h.recvPath : h.argPaths?.[v.param!.index];
    if (root !== undefined && root !== null) {
      for (const c of contexts) for (const [o, h2] of originsOfVar(flow, finder, root, path, c, depth + 1)) add(o, handed || h2);
    } else if (pkg !== undefined && pkg !== null) add(`pkg:${pkg}${path}`, handed);
  };
  // The goroutine's own function: what its `go` statement hands it, in the spawner's contexts.
  const spawn = ctx > 0 ? finder.spawnOfContext(ctx) : null;
  if (spawn !== null && flow.contexts[ctx]!.entries.includes(v.func)) {
    const sp = flow.raw.spawns[spawn]!;
    if (sp.kind === 'go') follow(sp, flow.funcContexts[sp.func] ?? [], true);
  }
  // Calls made in the same context.
  for (const call of callsInto(flow).get(v.func) ?? []) {
    if (call.atDefinition || !flow.funcContexts[call.caller]?.has(ctx)) continue;
    follow(call, [ctx], false);
  }
  return out;
}

const callsIntoCache = new WeakMap<PackageFlow, Map<number, RawCall[]>>();

/** The package's calls by callee. */
function callsInto(flow: PackageFlow): Map<number, RawCall[]> {
  let byCallee = callsIntoCache.get(flow);
  if (byCallee) return byCallee;
  byCallee = new Map();
  for (const call of flow.raw.calls) {
    for (const f of new Set(call.callees)) {
      const list = byCallee.get(f);
      if (list) list.push(call);
      else byCallee.set(f, [call]);
    }
  }
  callsIntoCache.set(flow, byCallee);
  return byCallee;
}

/**
 * The access runs in a function literal of the function declaring the variable, and context ctx
 * was started in that function: the goroutine (or handler) shares the variable of the activation
 * that started it.
 */
function captured(flow: PackageFlow, finder: ConflictFinder, id: number, site: ResolvedSite, ctx: number): boolean {
  const v = flow.raw.vars[id]!;
  if (site.func === v.func) return false;
  const spawn = finder.spawnOfContext(ctx);
  return spawn !== null && inside(flow, site.func, v.func) && inside(flow, flow.raw.spawns[spawn]!.func, v.func);
}

/** Function f is `outer` or a function literal written inside it (at any depth). */
function inside(flow: PackageFlow, f: number, outer: number): boolean {
  const funcs = flow.index.funcs;
  for (let g = funcs[f]; g; g = g.parent >= 0 ? funcs[g.parent] : undefined) if (g.index === outer) return true;
  return false;
}

/**
 * Every goroutine context of the pair is started inside the function declaring the variable,
 * outside any loop that declares it afresh: the goroutines and that function share its one value.
 */
function capturedByContexts(flow: PackageFlow, finder: ConflictFinder, id: number, contexts: [number, number]): boolean {
  const v = flow.raw.vars[id]!;
  let spawned = false;
  for (const ctx of contexts) {
    if (ctx <= 0) continue;
    const spawn = finder.spawnOfContext(ctx);
    if (spawn === null) return false;
    const sp = flow.raw.spawns[spawn]!;
    if (!inside(flow, sp.func, v.func) || sp.loops.some(([s, e]) => s <= v.start && v.start < e)) return false;
    spawned = true;
  }
  return spawned;
}

/** The receiver type when the variable is the receiver of its method. */
function receiverType(flow: PackageFlow, id: number): string | null {
  const v = flow.raw.vars[id];
  if (!v) return null;
  const fn = flow.index.funcs[v.func];
  if (!fn || fn.recvType === null || fn.recvName !== v.name || fn.recvStart !== v.start) return null;
  return fn.recvType;
}

/** The receiver type of the method that starts context ctx (or serves it), if a method does. */
function startedBy(flow: PackageFlow, finder: ConflictFinder, ctx: number): string | null {
  const funcs = flow.index.funcs;
  const spawn = finder.spawnOfContext(ctx);
  const f = spawn === null ? flow.contexts[ctx]?.entries[0] : flow.raw.spawns[spawn]!.func;
  return f !== undefined && funcs[f] ? outermostFunction(flow.index, f).recvType : null;
}

// "safe for concurrent use", "thread-safe", "goroutine safe", "can be used concurrently", "safe to
// call from multiple goroutines": the type's own documentation says its callers are concurrent.
const CONCURRENT_USE =
  /\b(?:thread|goroutine|concurrency)[- ]?safe\b|\bsafe for (?:concurrent|simultaneous|parallel) (?:use|access)\b|\bsafe to (?:use|call|access)\s+(?:\w+\s+)?(?:concurrently|in parallel|from (?:multiple|several|many|different) goroutines)\b|\b(?:can|may) be (?:used|called|accessed) (?:concurrently|in parallel|from (?:multiple|several|many|different) goroutines)\b/gi;

/**
 * The doc comment of the map's struct type says it is meant for concurrent use (Go's convention,
 * as `sync.Map`'s "safe for concurrent use by multiple goroutines"): then its callers being
 * concurrent is what the type promises, not an assumption. "Not safe for concurrent use" says the
 * opposite.
 */
export function documentedConcurrent(flow: PackageFlow, decl: MapDecl): boolean {
  if (decl.kind !== 'field') return false;
  const t = flow.index.namedTypes.get(decl.name.split('.')[0]!);
  if (!t) return false;
  const doc = docComment(t.file.text, t.start);
  for (const m of doc.matchAll(CONCURRENT_USE)) {
    const before = doc.slice(Math.max(0, m.index! - 12), m.index);
    if (!/\b(?:not|never|isn't|aren't|non)[\s-]*$/i.test(before)) return true;
  }
  return false;
}

/**
 * Whether the write `x` runs after the goroutine of context `ctx` was started on the same value:
 * the function with the `go x.loop()` statement later calls the writer's function on that same
 * receiver variable (`go b.prune(b.stopCh)` … `b.Flush()`, nomad's BlockedEvals.SetEnabled), or
 * writes the map itself through it, with no wait in between that could join the goroutine. A
 * set-up runs before the goroutines that use the value start, so this is a reset of a value in
 * use. Only a `go` statement whose receiver is a variable counts; the text order is what is
 * compared (a later call of the same function, as SetEnabled(false) after SetEnabled(true), is
 * what makes nomad's race, and is the same order).
 */
function resetAfterSpawn(flow: PackageFlow, finder: ConflictFinder, x: ResolvedSite, ctx: number): boolean {
  const id = ctx > 0 ? finder.spawnOfContext(ctx) : null;
  const sp = id === null ? undefined : flow.raw.spawns[id];
  if (!sp || sp.kind !== 'go' || sp.recvVar === undefined) return false;
  const joined = (pos: number) => flow.raw.waits.some((w) => w.func === sp.func && w.pos < pos && waitJoins(w, sp.start));
  if (x.func === sp.func && x.raw.start > sp.end && x.raw.baseVar === sp.recvVar && !joined(x.raw.start)) return true;
  return flow.raw.calls.some((k) => k.caller === sp.func && k.pos > sp.end && k.recvVar === sp.recvVar && k.callees.includes(x.func) && !joined(k.pos));
}

/**
 * The functions with a racing access without `guard` that take `guard` themselves, at another
 * access to the same map's contents (`make([]string, 0, len(c.services))` just before
 * `c.cacheLock.Lock()`, or a read after the unlock), or that call a function of the package that
 * writes into the map under `guard` (`m.ensureCounters(k)`, then `m.requestCounts[k]` unlocked;
 * not one that only puts a whole map in place, as a lazy initialiser does), or that copied the map
 * out of its field under `guard` and uses the copy after the unlock (grpc-go's
 * ClientConn.ResetConnectBackoff ranges `conns` so; writers that replace the whole map instead of
 * writing into it race with no such access, so copy-on-write readers are never reported): the
 * function's own lock says its author expects it to run while other goroutines use the map, so the race does not rest on
 * the scan's assumption alone (jaeger's CacheStore.GetServices, syncthing's manager.ChildErrors,
 * seaweedfs' kafka Metrics.RecordError). The function's own body only: a function literal inside
 * it may run elsewhere, and a literal written there is no call. A helper that only reads under the
 * lock (a locked getter) says nothing. Named functions only (their names, for the check that
 * something in the scanned modules calls one: src/analysis/references.ts).
 */
function lockingFunctions(flow: PackageFlow, guard: string | null, conflicts: Conflict[]): { name: string; method: boolean }[] {
  if (guard === null) return [];
  const holds = (locks: HeldLock[]) => locks.some((l) => l.name === guard);
  const map = conflicts[0]!.a.map;
  const locking = new Set<number>();
  const filling = new Set<number>();
  const swapping = new Set<number>();
  for (const o of flow.sites) {
    if (o.map === map && o.raw.reassign) swapping.add(o.func);
    // Putting a whole map in place under the lock is how a lazy initialiser publishes one
    // (`t.mu.Lock(); if t.m == nil { t.m = build() }`): readers that call it first are ordered
    // after the store by the lock (Go 1.19's debug/gosym LineTable.initFileMap). Only accesses to
    // the map's contents count.
    if (o.map !== map || !holds(o.locks) || o.raw.reassign) continue;
    locking.add(o.func);
    if (isWrite(o)) filling.add(o.func);
  }
  // `cc.mu.Lock(); conns := cc.conns; cc.mu.Unlock()`, then `range conns`: the function read the
  // field under the lock, and uses the map it got after the unlock. Not when the function, or a
  // function it calls, also puts a new map in the field (grpc-go's enterIdleMode keeps the old
  // map to close its connections and swaps in an empty one under the lock): the writers, which go
  // through the field, no longer reach the copy.
  const swaps = (f: number) => swapping.has(f) || flow.calleesOf[f]!.some((g) => swapping.has(g));
  const copiedUnderGuard = (s: ResolvedSite) =>
    s.raw.refs.some((r) => {
      const v = 'var' in r ? flow.raw.vars[r.var] : undefined;
      return v !== undefined && v.func === s.func && v.aliasLocks !== undefined && holds(v.aliasLocks);
    }) && !swaps(s.func);
  const names = new Map<string, boolean>();
  for (const c of conflicts) {
    for (const [s, ctx] of [
      [c.a, c.contexts[0]],
      [c.b, c.contexts[1]],
    ] as [ResolvedSite, number][]) {
      if (holds(locksIn(s, ctx))) continue;
      const info = flow.index.funcs[s.func];
      if (!info || info.literal !== null || info.name === '') continue;
      const own =
        locking.has(s.func) ||
        copiedUnderGuard(s) ||
        flow.raw.calls.some((k) => k.caller === s.func && !k.atDefinition && !holds(k.locks) && k.callees.some((f) => filling.has(f)));
      if (own) names.set(info.name, (names.get(info.name) ?? false) || info.recvType !== null);
    }
  }
  return [...names].map(([name, method]) => ({ name, method }));
}

/**
 * Every race pairs an access the package's callers make with one goroutine of the package (not
 * one started in a loop, not a handler), and that access is in a function the goroutine runs
 * itself: coredns' `Walk` reads `a.Z` unlocked, and only `Walk`'s own `Add`/`Remove` write it, from
 * the ticker goroutine that calls `Walk` (the package calls it once more, before it starts that
 * goroutine). The race needs a caller of the package to call `Walk` while the goroutine runs.
 * The functions holding those accesses (up to three) and the goroutine's description, or null.
 */
function goroutinesOwnWork(flow: PackageFlow, conflicts: Conflict[]): { funcs: string[]; context: string } | null {
  const funcs = new Set<string>();
  let only: number | null = null;
  for (const c of conflicts) {
    const [x, y] = c.contexts;
    if ((x === 0) === (y === 0)) return null;
    const [caller, ctx] = x === 0 ? [c.a, y] : [c.b, x];
    const context = flow.contexts[ctx];
    if (!context || context.multi || context.kind !== 'go' || (only !== null && only !== ctx)) return null;
    only = ctx;
    if (!flow.funcContexts[caller.func]?.has(ctx)) return null;
    // Both accesses run nowhere else: in no second goroutine that could race with the first.
    if (![c.a, c.b].every((s) => s.contexts.every((k) => k === 0 || k === ctx))) return null;
    funcs.add(outermostFunction(flow.index, caller.func).name);
  }
  return only === null ? null : { funcs: [...funcs].slice(0, 3), context: flow.contexts[only]!.description };
}

/**
 * Every racing pair is serialised by the map's lock on the paths where the lock is taken: each
 * access holds it, or runs in a function all of whose callers (step by step, up to a call made
 * with the lock on some path only: `if isUnix { unixSocketsMu.Lock(); defer …Unlock() }`) may
 * hold it. caddy's `NetworkAddress.Listen` takes `unixSocketsMu` for unix networks only, and the
 * functions below it touch `unixSockets` only for unix sockets: the scan does not relate the two
 * conditions. The function taking the lock on some paths, and the lock, or null.
 */
function lockedOnSomePaths(flow: PackageFlow, guard: string, conflicts: Conflict[]): { caller: string; lock: string } | null {
  const funcs = flow.index.funcs;
  // Goroutine and handler entries run with nothing their starters hold.
  const entries = new Set(flow.contexts.filter((c) => c.id !== 0).flatMap((c) => c.entries));
  const memo = new Map<number, string | null>();
  // The function that takes the lock on some path above f, when every way into f passes one.
  const below = (f: number, depth: number): string | null => {
    if (memo.has(f)) return memo.get(f)!;
    memo.set(f, null);
    const fn = funcs[f];
    if (!fn || fn.exported || entries.has(f) || depth > 8) return null;
    const callers = flow.callersOf.get(f) ?? [];
    if (callers.length === 0) return null;
    let taker: string | null = null;
    for (const e of callers) {
      // An edge from a body the walker read only for its calls has no recorded call: its locks are its callers'.
      const call = callsInto(flow).get(f)?.find((k) => k.caller === e.caller && k.pos === e.pos);
      // A stored function value runs some time later: the locks where it is written say nothing.
      if (call?.atDefinition) return null;
      if (call?.locks.some((l) => l.name === guard)) continue;
      if (call?.mayLocks?.includes(guard)) {
        taker ??= outermostFunction(flow.index, e.caller).name;
        continue;
      }
      const up = below(e.caller, depth + 1);
      if (up === null) return null;
      taker ??= up;
    }
    memo.set(f, taker);
    return taker;
  };
  let found: string | null = null;
  for (const c of conflicts) {
    for (const s of [c.a, c.b]) {
      if (s.locks.some((l) => l.name === guard)) continue;
      const t = below(s.func, 0);
      if (t === null) return null;
      found ??= t;
    }
  }
  return found === null ? null : { caller: found, lock: guard };
}

/**
 * Every race is between goroutines that hand their callers a channel they close when done (a
 * future: etcd's `report.Run` and `Stats`, `<-chan` results closed by their goroutines), or
 * between one of them and the package's callers: the race needs a caller to use the value (or
 * start a second one) before it has received from the channel. The methods, or null.
 */
function futures(finder: ConflictFinder, conflicts: Conflict[]): string[] | null {
  const names = new Set<string>();
  for (const c of conflicts) {
    let one = false;
    for (const x of c.contexts) {
      if (x === 0) continue;
      const m = finder.futureMethod(x);
      if (m === null) return null;
      names.add(m);
      one = true;
    }
    if (!one) return null;
  }
  return names.size > 0 ? [...names].slice(0, 3) : null;
}

/**
 * The map's lock is a named exported field of its struct (`ConsumerGroup.Mu`), and every racing
 * access that does not hold it runs only for the package's callers, in an exported function or
 * method: a type that exports its mutex hands the locking to its callers (seaweedfs' kafka
 * `AssignPartitions`, called by another package with `group.Mu` held). The struct, the field and
 * the functions, or null.
 */
function callersMayHoldExportedLock(flow: PackageFlow, guard: string, conflicts: Conflict[]): { struct: string; field: string; funcs: string[] } | null {
  const m = /^(\w+)\.([A-Z]\w*)$/.exec(guard);
  if (!m) return null;
  const struct = m[1]!;
  const field = m[2]!;
  const decl = flow.index.structs.get(struct)?.fields.get(field);
  if (!decl || !/\b(?:RW)?Mutex$/.test(decl.type.trim())) return null;
  const funcs = new Set<string>();
  for (const c of conflicts) {
    for (const [s, ctx] of [[c.a, c.contexts[0]], [c.b, c.contexts[1]]] as [ResolvedSite, number][]) {
      if (s.locks.some((l) => l.name === guard)) continue;
      const fn = outermostFunction(flow.index, s.func);
      if (ctx !== 0 || !fn.exported) return null;
      funcs.add(fn.name);
    }
  }
  return funcs.size > 0 ? { struct, field, funcs: [...funcs].slice(0, 3) } : null;
}

/**
 * The named functions that every racing pair has an access in, and that only code of the scan's
 * modules can call: when nothing there names one of them, none of the races runs
 * (src/analysis/references.ts). Unexported functions, and exported ones of a `main` package or of
 * a package under `internal/` (which no other module can import), or under `cmd/` (a command's own
 * code by Go's layout convention, not an API: docs/confidence.md). An exported function of any
 * other package is the package's API: a caller in another module is what the scan assumes of
 * every exported function, so finding none in the scan says nothing. Functions the toolchain calls
 * by itself (`main`, `init`, tests) are never taken.
 */
export function functionsOfEveryRace(flow: PackageFlow, conflicts: Conflict[]): string[] {
  let common: number[] | null = null;
  for (const c of conflicts) {
    const here = new Set<number>();
    for (const s of [c.a, c.b]) if (flow.index.funcs[s.func]) here.add(outermostFunction(flow.index, s.func).index);
    common = common === null ? [...here] : common.filter((f: number) => here.has(f));
    if (common.length === 0) return [];
  }
  const named = (common ?? []).map((f) => flow.index.funcs[f]!).filter((info) => info.literal === null && info.name !== '' && !calledImplicitly(info.name));
  // A package no other module can import (`main`, one under `internal/`) or, by convention, a command's own (under `cmd/`).
  const closed = () => flow.index.name === 'main' || flow.index.files.some((f) => /(^|\/)(internal|cmd)(\/|$)/.test(f.rel.replace(/\\/g, '/').replace(/\/[^/]*$/, '')));
  const callable = named.some((info) => info.exported) && closed() ? named : named.filter((info) => !info.exported);
  return [...new Set(callable.map((info) => info.name))];
}

/**
 * The loop variable, when every racing pair is one goroutine context racing with itself, started
 * in a loop by a `go` statement that hands each run the iteration's own value (its receiver or an
 * argument: evaluated when the statement runs, whatever the Go version), and each access reaches
 * the map only through such a value. Null otherwise.
 */
function perElementRuns(flow: PackageFlow, finder: ConflictFinder, conflicts: Conflict[]): { context: string; variable: string; func: string } | null {
  let found: { context: string; variable: string; func: string } | null = null;
  for (const c of conflicts) {
    const ctx = c.contexts[0];
    if (ctx <= 0 || ctx !== c.contexts[1] || oneInstance(flow, finder, c)) return null;
    const spawn = finder.spawnOfContext(ctx);
    const sp = spawn === null ? null : flow.raw.spawns[spawn]!;
    if (!sp || sp.kind !== 'go' || sp.loops.length === 0) return null;
    for (const s of [c.a, c.b]) {
      const handed = [...origins(flow, finder, s, ctx)].filter(([, h]) => h).map(([o]) => o);
      if (handed.length === 0) return null;
      for (const o of handed) {
        if (!o.startsWith('var:')) return null;
        const v = flow.raw.vars[Number(o.slice(4).split('.')[0])];
        // A value type's variable is one variable for the whole loop before Go 1.22: `go v.run()`
        // with a pointer receiver would hand every run &v. Only pointers count.
        if (!v || v.func !== sp.func || !sp.loops.some(([a, e]) => a <= v.start && v.start < e) || !v.type?.startsWith('*')) return null;
        found ??= { context: flow.contexts[ctx]!.description, variable: v.name, func: flow.index.funcs[sp.func]!.name };
      }
    }
  }
  return found;
}
