// What one walk over the analysed function bodies records, before names flow between functions.
import type { AccessKind, EscapeKind, HeldLock } from './model.js';

/** What an expression may evaluate to, symbolically: a map identity, a variable, or a call's result. */
export type SymRef = { key: string } | { var: number } | { ret: number[] };

export interface VarInfo {
  id: number;
  name: string;
  type: string | null;
  func: number;
  start: number;
  /** Symbolic map references this variable may hold (aliases). */
  refs: SymRef[];
  /** The map identity the variable itself declares (a local map), if any. */
  ownKey: string | null;
  /** A parameter: which function and position, so call sites can bind arguments to it. */
  param: { func: number; index: number } | null;
  /** Initialised from `&T{}`, `T{}` or `new(T)` in this function: not shared until it escapes. */
  fresh: boolean;
  /**
   * For a fresh struct value: pointer fields it was built with that point at values from before
   * its function ran (`s: s` with s a parameter or the receiver, or a field path from one): the
   * field and that variable. Such a value cannot reach the fresh one unless the fresh one was
   * stored into it, which publishes it (construction.ts, viaFields).
   */
  foreignFields?: { field: string; root: number }[];
  /** For a fresh struct value: fields set to values built with it (`stats: &BrokerStats{}`), so its own. */
  freshFields?: string[];
  /**
   * For a fresh struct value, or one a call returns: fields set to the result of in-package calls
   * (`stats.BlockedResources = b.BlockedResources.Copy()`): its own when those calls return a fresh
   * value (decided after the walk, docs/ordering.md "Copies").
   */
  fieldCalls?: { field: string; call: FromCall }[];
  /** Fields assigned after the declaration (`x.f = …`), whatever the value. */
  assignedFields?: string[];
  /**
   * A map this function made (`make`, `{}`): true while every element stored into it is a value
   * built here (a fresh variable or literal); false once anything else is stored, or the map is
   * aliased. Undefined for other variables (docs/ordering.md, "Containers of fresh values").
   */
  freshElems?: boolean;
  /** A fresh value stored into such a map (`sctxs[addr] = sctx`): the map and where. It is published when the map is. */
  heldIn?: { container: number; pos: number }[];
  /** A range value variable over such a map (`for _, sctx := range sctxs`): the map. */
  elemOf?: number;
  /** A function literal the variable holds, if any. */
  funcLit: number | null;
  /** A struct value copied from elsewhere (`c := *m`, a value receiver or parameter): its fields are its own. */
  valueCopy?: boolean;
  /**
   * For a fresh value: the first position where it is published, i.e. another goroutine may reach
   * it from there on (a `go` statement that names it, a send, a store into a non-fresh place, an
   * argument of a call to code outside the package). Undefined while never published.
   */
  published?: number;
  /** Every publication point (the first is `published`), with the branches it sits in. */
  publications?: PublishPoint[];
  /** Initialised from result `index` of a call to in-package functions (`x, err := newX()`). */
  fromCall?: FromCall;
  /** What it is assigned after its declaration (`x = …`, or redeclared by `x, err := …`). */
  rebinds?: Rebind[];
  /** The lock the variable points to (`l := &s.mu`): `l.Lock()` takes that lock. */
  lockOf?: string;
  /** Declared holding a map (`conns := cc.conns`) with these locks held: the locks its author took to read the field. */
  aliasLocks?: HeldLock[];
  /** Holds the unlock function a lock helper returned (`unlock := l.getMutex()`): calling it releases. */
  unlocks?: string;
}

/** A value assigned to a declared variable: built here, result `index` of in-package calls, or anything else. */
export type Rebind = 'fresh' | 'other' | { callees: number[]; index: number };

/**
 * A point in a function body with the if/switch branches around it: [statement start, statement
 * end, branch start, branch end]. A later point inside the statement but outside the branch is in
 * a sibling branch, which this point does not reach (outside loops).
 */
export interface PublishPoint {
  pos: number;
  branches: [number, number, number, number][];
  /** For a call that starts goroutines on the value: the contexts that then reach it (others do not). */
  peers?: Set<number>;
  /**
   * For a store into a field of a variable, reached from it through value fields (`s.listeners =
   * append(s.listeners, l)`, `s.byID[id] = l`): that variable. A helper storing its parameter into
   * its own receiver hands the value to whatever the caller passed there (construction.ts).
   */
  into?: number;
  /**
   * A `go` statement that names the variable only through pointer fields (`go n.s.handle()`): the
   * goroutine gets the values those fields point at, not the variable's own value. Such a point
   * publishes a fresh value only when one of the fields is not a foreign field of it
   * (VarInfo.foreignFields; construction.ts).
   */
  viaFields?: string[];
}

/** What a return statement hands back at one result position. */
export interface ReturnValue {
  func: number;
  index: number;
  pos: number;
  /** `var`: a variable of the function; `fresh`: `&T{…}`, `T{…}`, `new(T)` or nil; `other`: anything else. */
  kind: 'var' | 'fresh' | 'other';
  var?: number;
  /** For `var`: its fresh fields and fields set from calls at this return (VarInfo.freshFields, fieldCalls). */
  fields?: string[];
  fieldCalls?: { field: string; call: FromCall }[];
  assigned?: string[];
}

/**
 * A call whose result a variable holds. `on`: for a method call, the value it is called on, when
 * that is itself such a call or a variable of the function (`newCluster(b).WithAPIResources(…)`):
 * a method that returns its own receiver hands back that value (docs/ordering.md, "Builders").
 */
export interface FromCall {
  callees: number[];
  index: number;
  on?: FromCall | { var: number };
}

export interface RawSite {
  id: number;
  refs: SymRef[];
  kind: AccessKind;
  escape?: EscapeKind;
  start: number;
  end: number;
  func: number;
  locks: HeldLock[];
  text: string;
  /** Ranges of the loops in the same function that contain the site. */
  loops: [number, number][];
  /** Ids of the range sites whose bodies contain this site. */
  inRanges: number[];
  fresh: boolean;
  range?: { keyName: string | null; callsOut: string | null; bodyStart: number; bodyEnd: number };
  /** A write that replaces the whole map variable (`s.m = nil`, `m = make(…)`). */
  reassign?: boolean;
  /** With reassign: the new value is an empty map (`make(…)`, `{}`) or nil: set-up or a reset. */
  installsEmpty?: boolean;
  /**
   * With reassign: the new value is what these functions return (`s.m = parse(cfg)`). A write
   * only when each returns a map it made itself; otherwise the store copies another value's map
   * into this one (see walker `assign`) and the site is dropped when sites are resolved.
   */
  replacedFrom?: number[];
  /**
   * Reached through a local variable or parameter holding the map (`m := s.m` … `m[k]`): a later
   * `s.m = other` replaces the variable, not the map this access uses (copy-on-write readers).
   */
  throughLocal?: boolean;
  /**
   * A write into a map this function stored in the field earlier, with the locks held then still
   * held (`a.jsLimits = map…{}` … `a.jsLimits[t] = l` before the unlock): no reader that loaded
   * the field into a local earlier holds this map, and one that loads it under the lock sees it
   * filled. So it does not pair with accesses through a local (copy-on-write readers).
   */
  fillsFresh?: boolean;
  /** For a write: the index expression text (to tell an insert from an update of the visited key). */
  indexText?: string;
  /** The map expression as written (`s.m`, `m`), for telling two instances of one field apart. */
  mapText?: string;
  /** For a field map: the variable the access goes through (`x` in `x.m`, `x.inner.m` with a struct-valued inner). */
  baseVar?: number;
  /**
   * For a field map reached through struct-valued fields (`o.state.Pending` with `state
   * ConsumerState`): the root variable's type and the field path (`consumerFileStore.state`). Two
   * different holders are two instances of the map's struct (docs/rules.md, "Struct values held
   * by different types").
   */
  valueHolder?: string;
  /** With valueHolder: each struct-valued field on the way as holder type and field, outermost first (`consumerFileStore.state`). */
  holderPairs?: string[];
  /** `b.stats.m` (or `res.e[i].m`) where b is fresh and `stats` one of its fresh fields: b, whose own value the access goes through. */
  freshPath?: number;
  /** The map is a field of a value reached through a field (`fs.sdm.totals`), not of a variable. */
  fieldOfField?: true;
  /** The variable at the root of the access's selector chain, through pointer fields too (`x` in `x.p.m`). */
  ownerVar?: number;
  /** For a named map type's value (`h[k]` with `h Header`): the variable holding it (confidence.ts). */
  typeVar?: number;
  /** With no ownerVar: `g` or `pkg.G` in `g.m`, a package-level variable the chain starts at (one value wherever it is used). */
  packagePath?: string;
  /** `x.f.m`: the variable x and the field f the map's value is reached through (for fields a call's fresh result holds). */
  viaField?: { var: number; field: string };
  /** Reached through a field of what a call returns (`range d.negative().usages`): the call and the field. */
  viaCall?: { call: FromCall; field: string };
}

export interface RawBinding {
  callees: number[];
  paramIndex: number;
  refs: SymRef[];
  caller: number;
  pos: number;
  spawn: number | null;
  /** Locks held while the callee runs with this argument: those held at a plain call (not `go`, not `defer`). */
  locks?: HeldLock[];
}

export interface RawSpawn {
  id: number;
  kind: 'go' | 'handler' | 'spawner';
  description: string;
  start: number;
  end: number;
  func: number;
  loops: [number, number][];
  targets: number[];
  /** Handlers and callbacks registered with a server run once per request. */
  perRequest: boolean;
  /**
   * A literal started through an in-package helper (concurrency.ts addHelperSpawns): the helper's
   * own `go` statements it runs in, whose signals and closes (`defer wg.Done()`) are its own too.
   */
  via?: number[];
  /** `go x.run()`: the variable (or package variable) the receiver is, as RawCall.recvVar/recvPath. */
  recvVar?: number;
  recvPath?: string;
  /** Per argument of the `go` call: the variable or package variable it is, as RawCall.argRoots/argPaths. */
  argRoots?: (number | null)[];
  argPaths?: (string | null)[];
  /** A `go` statement naming variables only through pointer fields (PublishPoint.viaFields): each variable and those fields. */
  viaFields?: { var: number; fields: string[] }[];
}

export interface RawCall {
  /** A method call on a value this function built and has not shared (`t := &T{}; t.m()`): T. */
  freshReceiver?: string;
  caller: number;
  /** For funcArgs: the functions the literal is passed to. */
  callees: number[];
  pos: number;
  loops: [number, number][];
  locks: HeldLock[];
  /** For a method call: the variable the receiver is (`x` in `x.f()`, `&x`, `x.inner.f()` with a struct-valued inner). */
  recvVar?: number;
  /** With no recvVar: the receiver is a package-level variable (`g` in `g.f()`, `pkg.G.f()`), as RawSite.packagePath. */
  recvPath?: string;
  /** Per argument position: the package-level variable it is (`&g`), or null; set when one is. */
  argPaths?: (string | null)[];
  /** A method call whose receiver is a field of some value (`fs.sdm.add()`), not a variable. */
  recvViaField?: true;
  /** Variables passed as arguments (same reading as recvVar), when any. */
  argVars?: number[];
  /** A deferred call: it runs when its function returns, not where it is written. */
  deferred?: true;
  /** Per argument position: the variable the argument is (as recvVar), or null; set when one is. */
  argRoots?: (number | null)[];
  /** The if/switch branches around the call (see PublishPoint), when recvVar or argVars is set. */
  branches?: [number, number, number, number][];
  /** The edge a stored literal gets where it is written (`check := func(…){…}`), standing for "runs some time". */
  atDefinition?: boolean;
  /** Per argument: a literal `true` or `false`, else null (set when some argument is one). */
  boolArgs?: (boolean | null)[];
  /**
   * Locks taken earlier in the caller's text and not plainly released since, but not held on
   * every path to the call (`if unix { mu.Lock(); defer mu.Unlock() }`): the call may run with
   * them held. Only the fix planner reads it (adding Lock in the callee could deadlock).
   */
  mayLocks?: string[];
}

/**
 * `if lock { mu.Lock() }` on a bool parameter: the lock counts as held after the `if`, which is
 * right only when every caller passing anything but `true` holds it (checked in concurrency.ts).
 */
export interface CondLock {
  func: number;
  paramIndex: number;
  lock: string;
  /** The end of the `if`: what follows it holds the lock by assumption (inside, it is really taken). */
  pos: number;
  /** Where the function takes the lock itself again: the assumption ends there. */
  until?: number;
}

export interface WaitPoint {
  func: number;
  pos: number;
  /** The block the waiting statement sits in: later statements of that block are after the wait. */
  blockStart: number;
  blockEnd: number;
  /**
   * The last name of the channel received from or the group waited on (`done`, `wg`; `Done()`
   * for `<-ctx.Done()`): it joins only goroutines that signal that name. Absent when unknown.
   */
  name?: string;
}

/** Records that another goroutine may reach the fresh value `v` from `point` on (VarInfo.published, publications). */
export function publishAt(v: VarInfo, point: PublishPoint): void {
  if (v.published === undefined || point.pos < v.published) v.published = point.pos;
  (v.publications ??= []).push(point);
}

/** A wait after a spawn at `spawnPos`, in a block around it: the goroutine is joined there. */
export function waitJoins(w: WaitPoint, spawnPos: number): boolean {
  return w.pos > spawnPos && w.blockStart <= spawnPos && spawnPos < w.blockEnd;
}

export interface RawFacts {
  vars: VarInfo[];
  sites: RawSite[];
  spawns: RawSpawn[];
  calls: RawCall[];
  bindings: RawBinding[];
  waits: WaitPoint[];
  returns: Map<number, SymRef[]>;
  /** Struct types reached through something other than a method's receiver or a fresh local. */
  sharedTypes: Set<string>;
  /** Struct types reached through a value a function built itself. */
  freshTypes: Set<string>;
  /** Function literals passed to in-package functions, and where those call their parameters. */
  /** `methodValue`: a method value (`s.check`), not a literal: it runs only where the callee calls the parameter. */
  funcArgs: (RawCall & {
    literal: number;
    paramIndex: number;
    argLocks: (string | null)[];
    methodValue?: true;
    /** For a literal written at the call: the variables of the enclosing scopes it names (published if the callee starts it). */
    captured?: number[];
    /** Handed to the function a `go` statement starts (`go trace("x", func(){…})`): that spawn's id. */
    spawn?: number;
  })[];
  /** `spawn`: the parameter is started with `go f()` (the id of that spawn), not called in place. */
  paramCalls: { func: number; paramIndex: number; caller: number; pos: number; loops: [number, number][]; locks: HeldLock[]; spawn?: number }[];
  /** Struct types reached through a parameter: shared unless every caller passes its own value. */
  paramInstances: { type: string; func: number; paramIndex: number }[];
  /** What in-package call sites pass, per parameter: a receiver, a value built there, or other. */
  argInstances: { callees: number[]; paramIndex: number; kind: 'receiver' | 'fresh' | 'other' }[];
  /** Result values of return statements (for constructors: is every result a fresh value?). */
  returnValues: ReturnValue[];
  /** Locks taken under a bool parameter (`if doLock { s.mu.Lock() }`). */
  condLocks: CondLock[];
  /** Struct types used as struct-valued fields of another type (`b.m` with `m profMap`). */
  valueFields: { type: string; holder: string }[];
  /**
   * Whole-value uses (see walker noteWholeUse): of a struct-valued field (`holder`
   * `consumerFileStore.state`, the operand's type and the field, or null when that type is
   * unknown; `field` its name), of a
   * parameter (`param` "func:index") or of a method's receiver (`receiverOf` its type). `to`: the
   * in-package parameter it is handed to, when it is a call argument.
   */
  wholeUses: WholeUse[];
  /**
   * What a mutex-pointer field is set to (`mu: &t.tokensMu`, `k.mu = &t.tokensMu`), per field
   * (`Keeper.mu`): the lock it points to, or null when one assignment is not the address of a lock.
   */
  lockFieldValues: { field: string; target: string | null }[];
  /** Mutex-pointer fields that always point to one lock (`Keeper.mu` → `tokenSimple.tokensMu`). */
  lockAliases?: Map<string, string>;
}

/** `test`: the use is in a _test.go file (it makes only the tests' own maps reachable another way). */
export type WholeUse =
  | { holder: string | null; field: string | null; to: { callees: number[]; paramIndex: number } | null; test: boolean }
  | { param: string; to: { callees: number[]; paramIndex: number } | null; test: boolean }
  | { receiverOf: string; test: boolean };
