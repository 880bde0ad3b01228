// One walk over each analysed function body: resolves names through scopes, classifies every
// map access, tracks which locks are held, and records calls, goroutine spawns and waits.
import type { HeldLock, AccessKind, EscapeKind } from './model.js';
import {
  isMapType,
  lookupField,
  lookupMethods,
  readParams,
  readResults,
  namedResults,
  text,
  type FuncInfo,
  type PackageIndex,
  type ParsedFile,
} from './package-index.js';
import { publishAt, type FromCall, type RawBinding, type RawCall, type RawFacts, type RawSite, type RawSpawn, type Rebind, type SymRef, type VarInfo } from './raw-facts.js';
import { child, childrenOf, LITERAL_TYPES, statementsOf, unparen, type LNode } from './syntax.js';
import { maskCommentsAndStrings } from './text-callees.js';
import { ExpressionTypes, interfaceMethodOf } from './expression-types.js';
import { applyLockAliases, embedsMutex, isLockPointerType, promotedLockOwner } from './lock-identity.js';
import { baseTypeName, isFuncTypeText, isMapTypeText, mapKeyType, mapValueType } from './types.js';

type LockState = Map<string, 'read' | 'write'>;
type InstanceKind = 'receiver' | 'fresh' | 'other' | { func: number; paramIndex: number };

class Scope {
  readonly vars = new Map<string, VarInfo>();
  constructor(readonly parent: Scope | null) {}

  lookup(name: string): VarInfo | undefined {
    for (let s: Scope | null = this; s; s = s.parent) {
      const v = s.vars.get(name);
      if (v) return v;
    }
    return undefined;
  }
}

// 'address': the operand of `&`: a pointer to the map variable lets the code write the map.
type Role = 'read' | 'target' | 'return' | 'send' | 'store' | 'callback' | 'call' | 'alias' | 'address';

const LOCK_OPS = new Set(['Lock', 'RLock', 'Unlock', 'RUnlock']);
/** Methods of sync.Map, atomic.Pointer and atomic.Value that store an argument where other goroutines load it. */
const SHARING_STORES = new Set(['Store', 'LoadOrStore', 'Swap', 'CompareAndSwap']);
const SHARING_CONTAINER = /^\*?(?:sync\.Map|atomic\.(?:Pointer\[.*\]|Value))$/;
const goStatementIn = new WeakMap<FuncInfo, boolean>();
/**
 * Whether a function's body (its literals included) has a `go` statement, read as text: only such
 * a callee can start a literal it is handed (also used to pick the bodies worth walking, analyze.ts).
 */
export function hasGoStatement(fn: FuncInfo): boolean {
  let hit = goStatementIn.get(fn);
  if (hit === undefined) {
    hit = !!fn.body && /\bgo\s+(?:func\b|[\w.]+\s*[([])/.test(fn.file.text.slice(fn.body.start, fn.body.end));
    goStatementIn.set(fn, hit);
  }
  return hit;
}

const BUILTINS = new Set([
  'append', 'cap', 'clear', 'close', 'complex', 'copy', 'delete', 'imag', 'len', 'make', 'max', 'min',
  'new', 'panic', 'print', 'println', 'real', 'recover',
]);

interface RangeFrame {
  site: RawSite;
}

/**
 * One step of the walk, as a generator: it yields each nested walk it needs (a statement, an
 * expression, a function literal's body) and receives that walk's result back. `runWalk` keeps
 * the nested walks on an explicit stack, so a function nests as deep as Go allows (thousands of
 * blocks or function literals) without reaching the JavaScript call stack's limit.
 */
type Walk<T = void> = Generator<Walk<unknown> | null, T, unknown>;

/** Runs a walk and the walks it yields, depth first, on an explicit stack; returns its result. */
function runWalk<T>(walk: Walk<T>): T {
  const stack: Walk<unknown>[] = [walk];
  let result: unknown;
  for (;;) {
    const step = stack[stack.length - 1]!.next(result);
    if (step.done) {
      stack.pop();
      if (stack.length === 0) return step.value as T;
      result = step.value;
    } else {
      // null: a walk already done where it was asked for (a leaf expression).
      if (step.value !== null) stack.push(step.value);
      result = undefined;
    }
  }
}

/** Walks every analysed function of a package and returns the raw facts. */
export function walkPackage(index: PackageIndex): RawFacts {
  const facts: RawFacts = {
    vars: [],
    sites: [],
    spawns: [],
    calls: [],
    bindings: [],
    waits: [],
    returns: new Map(),
    sharedTypes: new Set(),
    freshTypes: new Set(),
    funcArgs: [],
    paramCalls: [],
    paramInstances: [],
    argInstances: [],
    returnValues: [],
    valueFields: [],
    wholeUses: [],
    lockFieldValues: [],
    condLocks: [],
  };
  const declCount = index.funcs.length;
  const summaries = lockSummaries(index);
  for (let i = 0; i < declCount; i++) {
    const fn = index.funcs[i]!;
    if (!fn.analysed || !fn.body) continue;
    const walker = new FunctionWalker(index, facts, fn, new Scope(null), new Map());
    walker.lockHelpers = summaries;
    walker.declareSignature();
    runWalk(walker.walkBody(fn.body));
  }
  applyLockAliases(facts);
  return facts;
}

/** What calling a lock helper does to the caller's locks (docs/locks.md). */
interface LockSummary {
  /** Locks held at every exit that were not held on entry (`s.lock()` calling `s.mu.Lock()`). */
  acquires: HeldLock[];
  /** Locks the helper unlocks without having locked them (`s.unlock()`). */
  releases: string[];
  /** The helper returns the lock's Unlock method (`return l.mu.Unlock`): calling the result releases it. */
  returnsUnlock: string | null;
}

const LOCK_CALL = /\.(?:R?Lock|R?Unlock)\(\)/;

/**
 * Lock helpers: small functions without function literals or goroutines whose body takes or
 * releases a lock of the package (a field, an embedded mutex, a package mutex) and leaves it so.
 * Each is walked once on its own, on scratch facts, to see the locks held at its exits.
 */
function lockSummaries(index: PackageIndex): Map<number, LockSummary> {
  const out = new Map<number, LockSummary>();
  const declCount = index.funcs.length;
  for (let i = 0; i < declCount; i++) {
    const fn = index.funcs[i]!;
    if (!fn.analysed || !fn.body || fn.literal) continue;
    const sum = lockSummaryOf(index, fn, new Scope(null));
    if (sum) out.set(fn.index, sum);
  }
  return out;
}

/**
 * What calling `fn` does to the caller's locks, when it is a lock helper (see lockSummaries), else
 * null. `outer`: the scope its body sees (a literal's captured variables).
 */
function lockSummaryOf(index: PackageIndex, fn: FuncInfo, outer: Scope): LockSummary | null {
  const body = fn.file.text.slice(fn.body!.start, fn.body!.end);
  if (body.length > 1500 || !LOCK_CALL.test(body) || /\bfunc\b|\bgo\b/.test(body)) return null;
  // Walked from no lock held: what it takes. Walked again holding what it unlocks: what it releases
  // on every path (a helper that unlocks and locks again, or only on some paths, releases nothing).
  const first = summarise(index, fn, new Map(), outer);
  if (!first) return null;
  // Only an Unlock among the body's own statements releases on every path.
  const unlocked = [...first.releasedUnheld].filter((name) => !name.includes('@') && !name.startsWith('once:') && !first.releasedMaybe.has(name));
  const common = first.exits.reduce(intersect);
  const acquires = [...common]
    .filter(([name]) => !name.includes('@') && !name.startsWith('once:') && !first.releasedUnheld.has(name) && !first.releasedMaybe.has(name))
    .map(([name, mode]) => ({ name, mode }));
  let releases: string[] = [];
  if (unlocked.length > 0) {
    const second = summarise(index, fn, new Map(unlocked.map((name) => [name, 'write' as const])), outer);
    if (second) releases = unlocked.filter((name) => second.exits.every((e) => !e.has(name)));
  }
  const returnsUnlock = first.returnedUnlock !== null && acquires.some((l) => l.name === first.returnedUnlock) ? first.returnedUnlock : null;
  return acquires.length > 0 || releases.length > 0 ? { acquires, releases, returnsUnlock } : null;
}

/** One walk of a lock helper on scratch facts: the lock sets at its exits. */
function summarise(
  index: PackageIndex,
  fn: FuncInfo,
  entry: LockState,
  outer: Scope,
): { exits: LockState[]; releasedUnheld: Set<string>; releasedMaybe: Set<string>; returnedUnlock: string | null } | null {
  const scratch: RawFacts = {
    vars: [], sites: [], spawns: [], calls: [], bindings: [], waits: [], returns: new Map(), sharedTypes: new Set(),
    freshTypes: new Set(), funcArgs: [], paramCalls: [], paramInstances: [], argInstances: [], returnValues: [], valueFields: [], wholeUses: [], lockFieldValues: [], condLocks: [],
  };
  const before = index.funcs.length;
  const w = new FunctionWalker(index, scratch, fn, outer, entry);
  w.exits = [];
  w.declareSignature();
  const terminated = runWalk(w.walkBody(fn.body!));
  index.funcs.length = before;
  if (!terminated) w.exits.push(new Map(w.heldNow()));
  // `defer mu.Unlock()` releases at every exit.
  for (const e of w.exits) for (const name of w.deferredUnlocks) e.delete(name);
  return w.exits.length === 0 ? null : { exits: w.exits, releasedUnheld: w.releasedUnheld, releasedMaybe: w.releasedMaybe, returnedUnlock: w.returnedUnlock };
}

class FunctionWalker {
  /** Lock helpers of the package, by function index. */
  lockHelpers: Map<number, LockSummary> = new Map();
  /** Local function literals already found not to be lock helpers (shared like lockHelpers). */
  notLockHelpers: Set<number> = new Set();
  /** When summarising a lock helper: the locks held at each return. */
  exits: LockState[] | null = null;
  /** Locks unlocked here without being held (a helper's `s.mu.Unlock()`). */
  readonly releasedUnheld = new Set<string>();
  /** Locks unlocked without being held inside a branch or loop (`if lock { mu.Unlock() }`). */
  readonly releasedMaybe = new Set<string>();
  /**
   * Fields just given a new map by this function while holding locks (`a.jsLimits = map…{}`), by
   * the field expression's text, with the locks held then; dropped when one of them is unlocked
   * or the field is assigned something else.
   */
  private readonly freshFields = new Map<string, Set<string>>();
  /** Per label: the locks held at each `goto` to it walked so far (labels belong to one function). */
  private readonly gotoHeld = new Map<string, LockState[]>();
  /** The statement being walked is a statement of the function's own body, not of a nested block. */
  private atTop = false;
  /** Walking the call of a `defer` statement (its callee runs at return, not here). */
  private deferring = false;

  /** Locks a deferred Unlock releases when the function returns. */
  readonly deferredUnlocks = new Set<string>();
  /**
   * Per lock: how many times this function's text has taken it so far, less the plain (not
   * deferred) unlocks, never below zero. A lock counted here but not held may be held on some
   * path (`if unix { mu.Lock(); defer mu.Unlock() }`): RawCall.mayLocks.
   */
  private readonly taken = new Map<string, number>();
  /** The lock whose Unlock method value a return hands out (`return l.mu.Unlock`). */
  returnedUnlock: string | null = null;

  heldNow(): LockState {
    return this.held;
  }

  private readonly file: ParsedFile;
  private loops: [number, number][] = [];
  private loopBlocks: { start: number; block: LNode }[] = [];
  /** The if/switch branches around the statement being walked: [stmt start, stmt end, branch start, branch end]. */
  private branches: [number, number, number, number][] = [];
  private ranges: RangeFrame[] = [];
  /**
   * `if c { mu.Lock() } else { mu.RLock() }` on a local bool c: the lock states of its two
   * branches, and the merged state after it. A later `if c {…}` reached in that merged state runs
   * its branches in the matching one (nats' Sublist.match: `if cacheEnabled { s.Lock() } else
   * { s.RLock() }`, then `if cacheEnabled { s.cache[subject] = result }`).
   */
  private condStates = new Map<number, { merged: LockState; whenTrue: LockState; whenFalse: LockState }>();
  private scope: Scope;
  private readonly types: ExpressionTypes;
  /** Function literals named so far in this function (Go numbers them in order). */
  private literals = 0;

  constructor(
    private readonly index: PackageIndex,
    private readonly facts: RawFacts,
    private readonly fn: FuncInfo,
    outer: Scope,
    private held: LockState,
    inheritedRanges: RangeFrame[] = [],
  ) {
    this.file = fn.file;
    this.scope = new Scope(outer);
    this.types = new ExpressionTypes(index, fn.file, (name) => this.scope.lookup(name));
    this.ranges = inheritedRanges;
  }

  declareSignature(): void {
    const fn = this.fn;
    if (fn.recvName && fn.recvType) {
      const named = this.index.namedTypes.get(fn.recvType);
      const v = this.declare(fn.recvName, (fn.recvPointer ? '*' : '') + fn.recvType, fn.recvStart);
      if (named && isMapTypeText(named.type)) v.refs.push({ key: `type:${fn.recvType}` });
      if (!fn.recvPointer && this.index.structs.has(fn.recvType)) v.valueCopy = true;
    }
    for (const r of fn.namedResults) {
      const v = this.declare(r.name, r.type, r.start);
      // A named result of a struct type is a new zero value of this call's own, like `var x T`.
      if (this.isStructValue(r.type)) v.fresh = true;
      if (isMapType(this.index, r.type)) {
        v.ownKey = `local:${fn.index}:${r.name}:${r.start}`;
        v.refs.push({ key: v.ownKey });
      }
    }
    fn.params.forEach((p, i) => {
      if (p.name === '_') return;
      const v = this.declare(p.name, p.type, p.start);
      v.param = { func: fn.index, index: i };
      if (this.isStructValue(p.type)) v.valueCopy = true;
      if (isMapType(this.index, p.type)) {
        v.ownKey = `param:${fn.index}:${p.name}`;
        v.refs.push({ key: v.ownKey });
      }
    });
  }

  /** Walks the body; true when control cannot fall off its end. */
  *walkBody(body: LNode): Walk<boolean> {
    return (yield this.block(body, false)) as boolean;
  }

  // ---- scopes ----

  private declare(name: string, type: string | null, start: number): VarInfo {
    const v: VarInfo = {
      id: this.facts.vars.length,
      name,
      type,
      func: this.fn.index,
      start,
      refs: [],
      ownKey: null,
      param: null,
      fresh: false,
      funcLit: null,
    };
    this.facts.vars.push(v);
    if (name !== '_') this.scope.vars.set(name, v);
    return v;
  }

  private push(): void {
    this.scope = new Scope(this.scope);
  }

  private pop(): void {
    this.scope = this.scope.parent!;
  }

  private t(node: LNode): string {
    return text(this.file, node);
  }

  // ---- statements; each returns true when control cannot fall through ----

  private *block(block: LNode, newScope = true): Walk<boolean> {
    if (newScope) this.push();
    let terminated = false;
    let fallsIn = true;
    for (const s of statementsOf(block)) {
      // A label a `goto` jumped to earlier starts with what every jump and the fall-through hold
      // (nats' loopAndGatherMsgs: `goto waitForMsgs` under o.mu after `o.mu.Unlock(); continue`).
      if (s.type === 'labeled_statement') this.enterLabel(s, fallsIn);
      const ends = (yield this.stmt(s, block)) as boolean;
      if (ends) terminated = true;
      fallsIn = !ends;
    }
    if (newScope) this.pop();
    return terminated;
  }

  private *stmt(s: LNode, block: LNode): Walk<boolean> {
    switch (s.type) {
      case 'block':
        return ((yield this.block(s)) as boolean);
      case 'expression_statement': {
        const e = s.children[0];
        if (!e) return false;
        this.atTop = block === this.fn.body;
        const inner = unparen(e);
        this.waitIn(e, s.start, block);
        if (inner.type === 'call_expression') {
          const f = child(inner, 'function');
          if (f && f.type === 'identifier' && this.t(f) === 'panic') {
            yield this.expr(inner, 'read');
            return true;
          }
          if (f && f.type === 'selector_expression') {
            const field = child(f, 'field');
            if (field && /^(Fatal|Fatalf|Exit|Goexit|Panic|Panicf)$/.test(this.t(field))) {
              yield this.expr(inner, 'read');
              return true;
            }
          }
        }
        yield this.expr(e, 'read');
        return false;
      }
      case 'short_var_declaration':
        this.waitIn(child(s, 'right'), s.start, block);
        yield this.shortVar(s);
        return false;
      case 'assignment_statement':
        this.waitIn(child(s, 'right'), s.start, block);
        yield this.assign(s);
        return false;
      case 'inc_statement':
      case 'dec_statement':
        if (s.children[0]) yield this.expr(s.children[0], 'target');
        return false;
      case 'var_declaration':
        for (const spec of collectSpecs(s)) yield this.varSpec(spec);
        return false;
      case 'return_statement': {
        const list = s.children[0];
        // `return m, g.Wait()`: the map leaves only after the wait has returned.
        this.waitIn(list, s.start, block);
        this.noteReturn(list ? (list.type === 'expression_list' ? list.children : [list]) : [], s.start);
        const exprs = list ? (list.type === 'expression_list' ? list.children : [list]) : [];
        if (this.exits) {
          this.exits.push(new Map(this.held));
          const r = exprs.length === 1 ? unparen(exprs[0]!) : null;
          const op = r && r.type === 'selector_expression' ? child(r, 'operand') : undefined;
          const fld = r && r.type === 'selector_expression' ? child(r, 'field') : undefined;
          if (op && fld && /^R?Unlock$/.test(this.t(fld))) this.returnedUnlock = this.lockName(op);
        }
        for (const e of exprs) {
          const refs = this.types.mapRefs(e);
          if (refs.length > 0) {
            const acc = this.facts.returns.get(this.fn.index) ?? [];
            acc.push(...refs);
            this.facts.returns.set(this.fn.index, acc);
          }
          yield this.expr(e, 'return');
        }
        return true;
      }
      case 'send_statement': {
        const ch = child(s, 'channel');
        const value = child(s, 'value');
        if (ch) yield this.expr(ch, 'read');
        if (value) this.publish(value, s.start);
        if (value) yield this.expr(value, 'send');
        return false;
      }
      case 'go_statement':
        yield this.goStmt(s);
        return false;
      case 'defer_statement': {
        const call = s.children[0];
        if (call && call.type === 'call_expression') yield this.call(call, { defer: true });
        else if (call) yield this.expr(call, 'read');
        return false;
      }
      case 'if_statement':
        return ((yield this.ifStmt(s, block)) as boolean);
      case 'for_statement':
        yield this.forStmt(s, block);
        return false;
      case 'expression_switch_statement':
      case 'type_switch_statement':
      case 'select_statement':
        return ((yield this.switchStmt(s, block)) as boolean);
      case 'labeled_statement': {
        // `loop:\n// why\nfor …`: a comment between the label and its statement is not the statement.
        const inner = s.children.find((c) => c.type !== 'label_name' && c.type !== 'comment');
        return inner ? ((yield this.stmt(inner, block)) as boolean) : false;
      }
      case 'goto_statement': {
        const label = s.children.find((c) => c.type === 'label_name');
        if (label) {
          const name = this.t(label);
          this.gotoHeld.set(name, [...(this.gotoHeld.get(name) ?? []), new Map(this.held)]);
        }
        return true;
      }
      case 'break_statement':
      case 'continue_statement':
        return true;
      case 'fallthrough_statement':
        return false;
      default:
        for (const c of s.children) yield this.expr(c, 'read');
        return false;
    }
  }

  /** The locks held at a label: those of the `goto`s seen so far that jump to it, and of the fall-through. */
  private enterLabel(s: LNode, fallsIn: boolean): void {
    const label = s.children.find((c) => c.type === 'label_name');
    const jumps = label ? this.gotoHeld.get(this.t(label)) : undefined;
    if (!jumps || jumps.length === 0) return;
    const states = fallsIn ? [this.held, ...jumps] : jumps;
    this.held = states.reduce(intersect);
  }

  private *ifStmt(s: LNode, block: LNode): Walk<boolean> {
    this.push();
    const init = child(s, 'initializer');
    if (init) yield this.stmt(init, block);
    const cond = child(s, 'condition');
    // `if g.Wait() != nil {…}`: the branches and what follows run after the wait.
    this.waitIn(cond, s.start, block);
    if (cond) yield this.expr(cond, 'read');
    const before = new Map(this.held);
    const cons = child(s, 'consequence');
    // `if debugX {…}` with `const debugX = false` is dead code the compiler drops.
    const dead = !!cond && cond.type === 'identifier' && this.index.falseConsts.has(this.t(cond)) && !this.scope.lookup(this.t(cond));
    const condVar = this.localBool(cond ?? null);
    const known = condVar !== null ? this.condStates.get(condVar) : undefined;
    const correlated = known && sameState(known.merged, before) ? known : undefined;
    if (correlated) this.held = new Map(correlated.whenTrue);
    if (cons) this.branches.push([s.start, s.end, cons.start, cons.end]);
    const t1 = cons && !dead ? ((yield this.block(cons)) as boolean) : false;
    if (cons) this.branches.pop();
    const s1 = this.held;
    this.held = new Map(correlated ? correlated.whenFalse : before);
    const alt = child(s, 'alternative');
    let t2 = false;
    if (alt) this.branches.push([s.start, s.end, alt.start, alt.end]);
    if (alt) t2 = alt.type === 'if_statement' ? ((yield this.ifStmt(alt, block)) as boolean) : ((yield this.block(alt)) as boolean);
    if (alt) this.branches.pop();
    const s2 = this.held;
    this.pop();
    if (t1 && t2) {
      this.held = before;
      return true;
    }
    this.held = t1 ? s2 : t2 ? s1 : intersect(s1, s2);
    if (condVar !== null && !correlated && !t1 && !t2 && alt && alt.type !== 'if_statement' && !sameState(s1, s2)) {
      this.condStates.set(condVar, { merged: new Map(this.held), whenTrue: new Map(s1), whenFalse: new Map(s2) });
    }
    // `if doLock { s.mu.Lock() }` on a bool parameter: held from here on, provided every caller
    // that does not pass `true` holds the lock itself (concurrency.ts checks, or takes it back).
    const flag = !alt && !t1 && cond ? this.boolParam(cond) : null;
    if (flag !== null) {
      for (const [name, mode] of s1) {
        if (before.has(name) || this.held.has(name) || name.includes('@')) continue;
        this.held.set(name, mode);
        this.facts.condLocks.push({ func: this.fn.index, paramIndex: flag, lock: name, pos: s.end });
      }
    }
    // `if lock { return runSynced(&c.lock, …) }` on a bool parameter: the code after it runs only
    // when the caller passed false, which the same check requires to come with the lock held.
    const early = !alt && t1 && cons && cond ? this.boolParam(cond) : null;
    if (early !== null && cons) {
      for (const name of this.locksTakenIn(cons)) {
        if (before.has(name) || this.held.has(name) || name.includes('@')) continue;
        this.held.set(name, 'write');
        this.facts.condLocks.push({ func: this.fn.index, paramIndex: early, lock: name, pos: s.end });
      }
    }
    return false;
  }

  /** The local variable (or parameter) of this function a condition is, when it is just its name. */
  private localBool(cond: LNode | null): number | null {
    if (!cond) return null;
    const c = unparen(cond);
    if (c.type !== 'identifier') return null;
    const v = this.scope.lookup(this.t(c));
    return v && v.func === this.fn.index ? v.id : null;
  }

  /** Locks a block takes: `x.mu.Lock()`, or a lock handed to a helper (`runSynced(&c.lock, …)`). */
  private locksTakenIn(block: LNode): Set<string> {
    const out = new Set<string>();
    const stack: LNode[] = [block];
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (n.type === 'func_literal') continue;
      if (n.type === 'call_expression') {
        const fnode = child(n, 'function');
        const f = fnode ? unparen(fnode) : null;
        if (f && f.type === 'selector_expression' && ['Lock', 'RLock'].includes(this.t(child(f, 'field') ?? f)) && child(f, 'operand')) {
          out.add(this.lockName(child(f, 'operand')!));
        }
        for (const a of child(n, 'arguments')?.children ?? []) {
          const target = this.lockTarget(a);
          if (target) out.add(target);
        }
      }
      stack.push(...n.children);
    }
    return out;
  }

  /** A struct type of the package held by value (not a pointer, not a slice or map of it). */
  private isStructValue(type: string | null | undefined): boolean {
    const t = type?.trim();
    return !!t && /^[A-Za-z_]\w*$/.test(t) && this.index.structs.has(t);
  }

  /** The parameter index when `cond` is a bare parameter of this function (`if doLock`). */
  private boolParam(cond: LNode): number | null {
    const c = unparen(cond);
    if (c.type !== 'identifier') return null;
    const v = this.scope.lookup(this.t(c));
    return v?.param && v.param.func === this.fn.index ? v.param.index : null;
  }

  private *switchStmt(s: LNode, block: LNode): Walk<boolean> {
    this.push();
    const init = child(s, 'initializer');
    if (init) yield this.stmt(init, block);
    const value = child(s, 'value');
    if (s.type !== 'select_statement') this.waitIn(value, s.start, block);
    if (value) yield this.expr(value, 'read');
    const alias = child(s, 'alias');
    if (alias) for (const a of alias.type === 'expression_list' ? alias.children : [alias]) this.declare(this.t(a), null, a.start);
    const before = new Map(this.held);
    const outs: LockState[] = [];
    let hasDefault = false;
    let allTerminate = true;
    for (const c of s.children) {
      if (!/_case$/.test(c.type) && c.type !== 'default_case') continue;
      if (c.type === 'default_case') hasDefault = true;
      this.held = new Map(before);
      this.push();
      this.branches.push([s.start, s.end, c.start, c.end]);
      let terminated = false;
      for (const part of c.children) {
        if (part.field === 'value' || part.field === 'type') {
          if (part.type !== 'type_identifier') yield this.expr(part, 'read');
          continue;
        }
        if (part.field === 'communication') {
          yield this.stmt(part, c);
          continue;
        }
        if (part.type === 'statement_list') {
          for (const st of part.children) if (st.type !== 'comment' && ((yield this.stmt(st, c)) as boolean)) terminated = true;
        }
      }
      this.branches.pop();
      this.pop();
      if (!terminated) {
        outs.push(this.held);
        allTerminate = false;
      }
    }
    this.pop();
    if (s.type === 'select_statement') hasDefault = true;
    if (!hasDefault) {
      outs.push(before);
      allTerminate = false;
    }
    this.held = outs.length > 0 ? outs.reduce(intersect) : before;
    return allTerminate && outs.length === 0 && hasDefault;
  }

  private *forStmt(s: LNode, outer: LNode): Walk {
    // `for _, err := range g.Wait()`: the range expression runs once, before the loop: a join.
    const ranged = s.children.find((c) => c.type === 'range_clause');
    if (ranged) this.waitIn(child(ranged, 'right'), s.start, outer);
    this.loopBlocks.push({ start: s.start, block: outer });
    this.push();
    const body = child(s, 'body');
    const loop: [number, number] = [s.start, s.end];
    const rangeClause = s.children.find((c) => c.type === 'range_clause');
    const forClause = s.children.find((c) => c.type === 'for_clause');
    let frame: RangeFrame | null = null;
    if (forClause) {
      const init = child(forClause, 'initializer');
      if (init) yield this.stmt(init, s);
      this.loops.push(loop);
      const cond = child(forClause, 'condition');
      if (cond) yield this.expr(cond, 'read');
      const update = child(forClause, 'update');
      if (update) yield this.stmt(update, s);
    } else if (rangeClause) {
      const right = child(rangeClause, 'right');
      const left = child(rangeClause, 'left');
      const leftIds = left ? (left.type === 'expression_list' ? left.children : [left]) : [];
      let keyType: string | null = null;
      let valueType: string | null = null;
      if (right) {
        const refs = this.types.mapRefs(right);
        const rtype = this.types.typeOf(right);
        const mapText = rtype ? this.types.underlyingMap(rtype) : null;
        keyType = mapText ? mapKeyType(mapText) : null;
        valueType = mapText ? mapValueType(mapText) : null;
        const elem = !mapText && rtype ? elementType(rtype) : null;
        if (elem) {
          keyType = elem.chan ? elem.type : 'int';
          valueType = elem.chan ? null : elem.type;
        }
        if (refs.length > 0) {
          yield this.walkInner(right);
          const site = this.record(refs, 'range', s.start, (body ?? s).start, s);
          site.mapText = this.t(unparen(right));
          this.markFieldOfField(site, right);
          if (this.isLocalName(right)) site.throughLocal = true;
          const keyNode = leftIds[0];
          site.range = {
            keyName: keyNode && keyNode.type === 'identifier' ? this.t(keyNode) : null,
            callsOut: null,
            bodyStart: body?.start ?? s.end,
            bodyEnd: body?.end ?? s.end,
          };
          frame = { site };
        } else {
          yield this.expr(right, 'read');
        }
      }
      this.loops.push(loop);
      const defines = !!left && !!right && this.file.text.slice(left.end, right.start).includes(':=');
      if (defines) {
        leftIds.forEach((id, i) => {
          if (id.type === 'identifier') {
            const v = this.declare(this.t(id), i === 0 ? keyType : valueType, id.start);
            const container = i === 1 && right && unparen(right).type === 'identifier' ? this.scope.lookup(this.t(unparen(right))) : undefined;
            if (container && container.freshElems !== undefined && container.func === this.fn.index) v.elemOf = container.id;
            if (i === 1 && valueType && isMapType(this.index, valueType)) {
              v.ownKey = `local:${this.fn.index}:${v.name}:${id.start}`;
              v.refs.push({ key: v.ownKey });
            }
          }
        });
      } else {
        for (const id of leftIds) yield this.expr(id, 'target');
      }
    } else {
      const cond = s.children.find((c) => c.field === 'condition') ?? s.children.find((c) => c !== body);
      this.loops.push(loop);
      if (cond) yield this.expr(cond, 'read');
    }
    if (frame) this.ranges.push(frame);
    const before = new Map(this.held);
    if (body) yield this.block(body);
    this.held = rangeOfLocks(this.file, rangeClause, body, before, this.held) ?? before;
    if (frame) this.ranges.pop();
    this.loops.pop();
    this.loopBlocks.pop();
    this.pop();
  }

  /**
   * A Wait() or channel receive. Inside loops it also stands for the loops themselves:
   * `for n > 0 { <-done; n-- }` after the spawns waits for them all.
   */
  private addWait(pos: number, block: LNode, name: string | null = null): void {
    const named = name === null ? {} : { name };
    this.facts.waits.push({ func: this.fn.index, pos, blockStart: block.start, blockEnd: block.end, ...named });
    for (const l of this.loopBlocks) this.facts.waits.push({ func: this.fn.index, pos: l.start, blockStart: l.block.start, blockEnd: l.block.end, ...named });
  }

  /** Records the join a statement's expression blocks on, if any (see waitName). */
  private waitIn(node: LNode | undefined | null, pos: number, block: LNode): void {
    const name = waitName(this.file, node);
    if (name !== undefined) this.addWait(pos, block, name);
  }

  private *shortVar(s: LNode): Walk {
    const left = child(s, 'left');
    const right = child(s, 'right');
    const lefts = left ? (left.type === 'expression_list' ? left.children : [left]) : [];
    const rights = right ? (right.type === 'expression_list' ? right.children : [right]) : [];
    const single = rights.length === 1 && lefts.length > 1 ? rights[0]! : null;
    const rhsTypes: (string | null)[] = [];
    if (single) {
      const st = this.types.multiTypes(single, lefts.length);
      rhsTypes.push(...st);
      yield this.expr(single, 'read');
    }
    const plan: { l: LNode; r: LNode | null | undefined; refs: SymRef[]; type: string | null }[] = [];
    for (let i = 0; i < lefts.length; i++) {
      const l = lefts[i]!;
      const r = single ? null : rights[i];
      if (!r) {
        plan.push({ l, r, refs: [] as SymRef[], type: rhsTypes[i] ?? null });
        continue;
      }
      const refs = this.types.mapRefs(r);
      const type = this.types.typeOf(r);
      const existing = l.type === 'identifier' ? this.scope.vars.get(this.t(l)) : undefined;
      // `x := s.m` makes x an alias: no access. Redeclaring an existing variable assigns it.
      if (existing && refs.length === 0) yield this.expr(r, 'read');
      else yield this.expr(r, refs.length > 0 ? 'alias' : 'read');
      plan.push({ l, r, refs, type });
    }
    for (let i = 0; i < plan.length; i++) {
      const { l, r, refs, type } = plan[i]!;
      if (l.type !== 'identifier') continue;
      const name = this.t(l);
      const existing = this.scope.vars.get(name);
      if (existing) {
        // Redeclaration in the same scope assigns the existing variable.
        (existing.rebinds ??= []).push(this.rebindOf(single ?? r ?? null, single ? i : 0, existing));
        if (refs.length > 0) existing.refs.push(...refs);
        else if (existing.refs.length > 0 && r) yield this.expr(l, 'target');
        continue;
      }
      const v = this.declare(name, type, l.start);
      this.initVar(v, r ?? null, refs);
      // `x := newX()`, `x, err := newX()`: fresh when newX only ever returns a value it built.
      const call = single ?? r;
      const cu = call ? unparen(call) : null;
      const fnode = cu && cu.type === 'call_expression' ? child(cu, 'function') : null;
      // A constructor's result (`t := newT()`, fresh already) keeps its call too: the fields the
      // constructor built are the value's own (construction.ts, "Copies").
      if (fnode && (!v.fresh || this.types.isNewCall(cu!))) {
        const from = this.fromCallOf(cu!, single ? i : 0, 0);
        if (from) v.fromCall = from;
      }
    }
  }

  private noteReturn(exprs: LNode[], pos: number): void {
    if (this.fn.literal) return;
    exprs.forEach((e, index) => {
      const n = unparen(e);
      let kind: 'var' | 'fresh' | 'other' = 'other';
      let id: number | undefined;
      if (n.type === 'nil' || this.types.isFreshStruct(n, null)) kind = 'fresh';
      else if (n.type === 'identifier') {
        const v = this.scope.lookup(this.t(n));
        if (v && v.func === this.fn.index) {
          kind = 'var';
          id = v.id;
        }
      }
      const v = id !== undefined ? this.facts.vars[id] : undefined;
      if (kind === 'fresh' && n.type !== 'nil') {
        const fields = this.freshPointerFields(n);
        const calls = this.callFields(n);
        this.facts.returnValues.push({ func: this.fn.index, index, pos, kind, ...(fields.length ? { fields } : {}), ...(calls.length ? { fieldCalls: calls } : {}) });
        return;
      }
      this.facts.returnValues.push({
        func: this.fn.index,
        index,
        pos,
        kind,
        ...(id !== undefined ? { var: id } : {}),
        ...(v?.freshFields?.length ? { fields: [...v.freshFields] } : {}),
        ...(v?.fieldCalls?.length ? { fieldCalls: [...v.fieldCalls] } : {}),
        ...(v?.assignedFields?.length ? { assigned: [...v.assignedFields] } : {}),
      });
    });
  }

  private initVar(v: VarInfo, value: LNode | null, refs: SymRef[]): void {
    v.refs.push(...refs);
    if (refs.length > 0 && this.held.size > 0) v.aliasLocks = this.lockList();
    if (!value) {
      if (isMapType(this.index, v.type)) {
        v.ownKey = `local:${this.fn.index}:${v.name}:${v.start}`;
        v.refs.push({ key: v.ownKey });
      }
      return;
    }
    const val = unparen(value);
    if (val.type === 'func_literal') {
      // The literal was walked just before, but literals nested in it were pushed after it.
      for (let i = this.index.funcs.length - 1; i >= 0; i--) {
        const f = this.index.funcs[i]!;
        if (f.literal && f.start === val.start && f.end === val.end) {
          v.funcLit = i;
          break;
        }
      }
    }
    const lock = this.lockTarget(val);
    if (lock) v.lockOf = lock;
    const unlock = this.unlockReturnedBy(val);
    if (unlock) v.unlocks = unlock;
    if (this.types.isFreshStruct(val, v.type) || this.types.isFreshNamedMap(val)) {
      v.fresh = true;
      const fields = this.freshPointerFields(val);
      if (fields.length > 0) v.freshFields = fields;
      const foreign = this.foreignPointerFields(val);
      if (foreign.length > 0) v.foreignFields = foreign;
      const calls = this.callFields(val);
      if (calls.length > 0) v.fieldCalls = calls;
    }
    // A map made here, empty: a container whose elements are so far values built here.
    if (this.isContainerType(v.type)) {
      if (isMakeCall(this.file, val)) v.freshElems = true;
      else if (val.type === 'composite_literal') {
        // `[]*T{a, b}`, `map[K]*T{k: a}`: a container when every element is a value built here.
        const held = this.freshElements(val);
        if (held) {
          v.freshElems = true;
          for (const w of held) (w.heldIn ??= []).push({ container: v.id, pos: v.start });
        }
      }
    }
    // `x := m[k]` with m such a container: one of its elements (or nil).
    if (val.type === 'index_expression') {
      const op = child(val, 'operand');
      const c = op && unparen(op).type === 'identifier' ? this.scope.lookup(this.t(unparen(op))) : undefined;
      if (c && c.freshElems !== undefined && c.func === this.fn.index) v.elemOf = c.id;
    }
    this.unfreshContainers(refs);
    // `c := *m`: a copy of the struct m points to; replacing one of c's fields leaves m's alone.
    if (val.type === 'unary_expression' && val.op === '*' && this.isStructValue(this.types.typeOf(val))) v.valueCopy = true;
    const onlyAlias = refs.length > 0 && refs.every((r) => 'key' in r || 'var' in r);
    if (!onlyAlias && isMapType(this.index, v.type)) {
      v.ownKey = `local:${this.fn.index}:${v.name}:${v.start}`;
      v.refs.push({ key: v.ownKey });
    }
  }

  private *varSpec(spec: LNode): Walk {
    const names = childrenOf(spec, 'name');
    const typeNode = child(spec, 'type');
    const values = child(spec, 'value');
    const vals = values ? values.children : [];
    const declared = typeNode ? this.t(typeNode) : null;
    const plan: { n: LNode; r: LNode | null; refs: SymRef[]; type: string | null }[] = [];
    for (let i = 0; i < names.length; i++) {
      const n = names[i]!;
      const r = vals[i] ?? null;
      const refs = r ? this.types.mapRefs(r) : [];
      if (r) yield this.expr(r, refs.length > 0 ? 'alias' : 'read');
      plan.push({ n, r, refs, type: declared ?? (r ? this.types.typeOf(r) : null) });
    }
    for (const { n, r, refs, type } of plan) {
      const v = this.declare(this.t(n), type, n.start);
      this.initVar(v, r, refs);
      // `var x T` of a struct type is a new zero value of this function's own.
      if (!r && type && this.index.structs.has(type.trim())) v.fresh = true;
      // `var list []*T`: a container with no element yet (see VarInfo.freshElems).
      if (!r && type && type.trim().startsWith('[]')) v.freshElems = true;
    }
  }

  private *assign(s: LNode): Walk {
    const left = child(s, 'left');
    const right = child(s, 'right');
    const lefts = left ? (left.type === 'expression_list' ? left.children : [left]) : [];
    const rights = right ? (right.type === 'expression_list' ? right.children : [right]) : [];
    const plain = s.op === '=';
    const appendedAt: boolean[] = [];
    for (let i = 0; i < rights.length; i++) {
      const r = rights[i]!;
      const l = lefts[i];
      // `_ = f(n.sd)` discards the value: nothing is stored anywhere.
      const blank = !!l && unparen(l).type === 'identifier' && this.t(unparen(l)) === '_';
      const lu0 = l ? unparen(l) : null;
      const into = lu0 && lu0.type === 'identifier' ? this.scope.lookup(this.t(lu0)) : undefined;
      const appended = plain && !!into && into.freshElems !== undefined && this.appendsTo(into, r, s.start);
      appendedAt[i] = appended;
      const held = appended || (plain && l ? this.storeIntoFreshContainer(l, r, s.start) : false);
      if (plain && l && !blank && !held && !this.storesIntoOwnValue(l)) this.publish(r, s.start, this.valueRoot(l));
      const refs = plain ? this.types.mapRefs(r) : [];
      if (plain) this.unfreshContainers(refs);
      if (refs.length > 0 && l) {
        const lu = unparen(l);
        const local = lu.type === 'identifier' ? this.scope.lookup(this.t(lu)) : undefined;
        if (local) {
          local.refs.push(...refs);
          yield this.expr(r, 'alias');
        } else if (lu.type === 'identifier' && this.t(lu) === '_') {
          yield this.expr(r, 'alias');
        } else {
          yield this.expr(r, 'store');
        }
      } else {
        yield this.expr(r, 'read');
      }
    }
    for (let i = 0; i < lefts.length; i++) {
      const l = lefts[i]!;
      const target = unparen(l);
      if (target.type === 'identifier') {
        const v = this.scope.lookup(this.t(target));
        if (v) this.condStates.delete(v.id);
        const single = rights.length === 1 && lefts.length > 1;
        // A named result or `var m map[…]` first given a map made here becomes a container
        // (VarInfo.freshElems); giving a container anything after that makes it another map.
        const r0 = single ? null : (rights[i] ?? null);
        if (v && v.freshElems !== undefined && !appendedAt[i]) v.freshElems = false;
        else if (v && plain && r0 && !v.rebinds && v.func === this.fn.index && this.isContainerType(v.type) && madeEmpty(this.file, r0)) v.freshElems = true;
        if (v) (v.rebinds ??= []).push(plain ? this.rebindOf(single ? rights[0]! : (rights[i] ?? null), single ? i : 0, v) : 'other');
      }
      // `pkgVar = s.m` stores an alias (recorded on the right-hand map above) and replaces the
      // map pkgVar held: a write of pkgVar, which races with its readers like any other write.
      // So is `s.f = next` with `next` a map this function made (build, then swap in). Copying
      // one struct's map into another's field (`o.certs = tc.certs`) is left out: that is how
      // per-instance values (configs, parsed options) are assembled, and instances are not
      // told apart well enough yet to report it without a flood of false alarms.
      const r = rights[i];
      this.noteLockFieldAssign(l, plain && rights.length === lefts.length ? (r ?? null) : null);
      let replacedFrom: number[] | undefined;
      if (plain && r && this.types.mapRefs(r).length > 0) {
        const targets = this.types.mapRefs(l);
        const sources = this.types.mapRefs(r);
        const toPackageVar = targets.length > 0 && targets.every((t) => 'key' in t && t.key.startsWith('var:'));
        // A local variable holding only a map of its own (made here, not an alias of another map).
        const fromOwnMap = sources.every((t) => 'var' in t && (this.facts.vars[t.var]?.refs ?? []).every((x) => 'key' in x && x.key.startsWith('local:')));
        // `s.m = parse(cfg)`: a write when parse returns a map it made itself, decided once every
        // function's returns are known (RawSite.replacedFrom).
        const fromCall = sources.every((t) => 'ret' in t) ? sources.flatMap((t) => ('ret' in t ? t.ret : [])) : undefined;
        if (targets.length > 0 && !toPackageVar && !fromOwnMap) {
          if (!fromCall) continue;
          replacedFrom = fromCall;
        }
      }
      if (plain && r && isFreshMapValue(this.file, r)) {
        this.detachAliases(l);
        // `a.jsLimits = map[…]…{}` under a lock, then `a.jsLimits[t] = …` before the unlock: the
        // fill of a map no reader could have loaded yet (see RawSite.fillsFresh).
        const lt = unparen(l);
        if (lt.type === 'selector_expression' && this.held.size > 0) this.freshFields.set(this.t(lt), new Set(this.held.keys()));
      } else if (unparen(l).type === 'selector_expression') this.freshFields.delete(this.t(unparen(l)));
      this.noteFreshFieldAssign(l, plain ? (r ?? null) : null);
      // Assigning a local variable rebinds it; the map it held is not written.
      const lu = unparen(l);
      const local = lu.type === 'identifier' ? this.scope.lookup(this.t(lu)) : undefined;
      if (local && plain && r && local.func === this.fn.index && this.types.isFreshStruct(r, local.type)) local.fresh = true;
      if (local && local.refs.length > 0) {
        if (plain && r && isFreshMapValue(this.file, r) && !local.ownKey) {
          local.ownKey = `local:${this.fn.index}:${local.name}:${local.start}`;
          local.refs.push({ key: local.ownKey });
        }
        continue;
      }
      // `c.Meta = nil` on a struct value copied from elsewhere (`c := *m`, a value receiver or
      // parameter) replaces the copy's field: no other goroutine reaches it through c. (Writes
      // into the map, `c.Meta[k] = v`, still reach the shared map and are recorded.)
      if (lu.type === 'selector_expression') {
        const operand = child(lu, 'operand');
        const root = operand && unparen(operand).type === 'identifier' ? this.scope.lookup(this.t(unparen(operand))) : undefined;
        if (root?.valueCopy && root.func === this.fn.index && this.types.mapRefs(l).length > 0) continue;
      }
      const before = this.facts.sites.length;
      yield this.expr(l, 'target');
      if (replacedFrom) for (const site of this.facts.sites.slice(before)) if (site.reassign) site.replacedFrom = replacedFrom;
      // `s.m = make(…)`, `s.m = map[…]…{}`, `s.m = nil`: the variable gets an empty map (RawSite.installsEmpty).
      if (plain && r && (madeEmpty(this.file, r) || unparen(r).type === 'nil')) {
        for (const site of this.facts.sites.slice(before)) if (site.reassign) site.installsEmpty = true;
      }
    }
  }

  /**
   * `m := s.m; s.m = nil` (or a new map) hands the old map to `m`: from here on nobody else
   * reaches it through `s.m`, so `m` is this function's own map.
   */
  private detachAliases(target: LNode): void {
    const keys = new Set(this.types.mapRefs(target).flatMap((r) => ('key' in r ? [r.key] : [])));
    if (keys.size === 0) return;
    for (let sc: Scope | null = this.scope; sc; sc = sc.parent) {
      for (const v of sc.vars.values()) {
        if (v.func !== this.fn.index || v.refs.length === 0) continue;
        if (!v.refs.every((r) => 'key' in r && keys.has(r.key))) continue;
        v.ownKey = `local:${this.fn.index}:${v.name}:${v.start}`;
        v.refs = [{ key: v.ownKey }];
      }
    }
  }

  private *goStmt(s: LNode): Walk {
    const call = s.children[0];
    if (!call) return;
    if (call.type !== 'call_expression') {
      yield this.expr(call, 'read');
      return;
    }
    const fnode = unparen(child(call, 'function') ?? call);
    const args = child(call, 'arguments')?.children.filter((c) => c.type !== 'comment') ?? [];
    const viaFields = this.fieldHandOff(fnode, args);
    if (viaFields) for (const h of viaFields) publishAt(this.facts.vars[h.var]!, { pos: s.start, branches: [...this.branches], viaFields: h.fields });
    else this.publish(s, s.start);
    const spawnId = this.facts.spawns.length;
    const spawn: RawSpawn = {
      id: spawnId,
      kind: 'go' as const,
      description: fnode.type === 'func_literal' ? 'go func literal' : `go ${this.t(fnode)}()`,
      start: s.start,
      end: s.end,
      func: this.fn.index,
      loops: [...this.loops],
      targets: [] as number[],
      perRequest: false,
      ...(viaFields ? { viaFields } : {}),
    };
    this.facts.spawns.push(spawn);
    Object.assign(spawn, this.handedValues(fnode.type === 'selector_expression' ? (child(fnode, 'operand') ?? null) : null, args));
    if (fnode.type === 'func_literal') {
      spawn.targets.push(((yield this.literal(fnode, 'spawned', s.start)) as number));
      yield this.bindArgs(spawn.targets, args, s.start, spawnId);
      return;
    }
    // `go f()` on a parameter: whatever the callers hand f runs in this goroutine (concurrency.ts).
    const param = fnode.type === 'identifier' ? this.scope.lookup(this.t(fnode))?.param : undefined;
    if (param) this.facts.paramCalls.push({ func: param.func, paramIndex: param.index, caller: this.fn.index, pos: s.start, loops: [...this.loops], locks: [], spawn: spawnId });
    const callees = this.types.resolveCallees(fnode);
    spawn.targets.push(...callees);
    for (const c of callees) {
      const t = this.index.funcs[c]!.recvType;
      if (t) this.facts.sharedTypes.add(t);
    }
    if (fnode.type === 'selector_expression') {
      const operand = child(fnode, 'operand');
      if (operand) yield this.expr(operand, 'read');
    }
    yield this.bindArgs(callees, args, s.start, spawnId);
  }

  /**
   * `go n.s.handle(n.q)`: a `go` statement (not of a literal) whose function and arguments name
   * variables only as `v.f` with f a pointer field. The statement evaluates those fields before the
   * goroutine starts; the goroutine gets the values they point at, not v. Each variable with its
   * fields, or null when anything names a variable otherwise (or nothing names one).
   */
  private fieldHandOff(fnode: LNode, args: LNode[]): { var: number; fields: string[] }[] | null {
    if (fnode.type === 'func_literal') return null;
    const exprs = [...(fnode.type === 'selector_expression' ? [child(fnode, 'operand')] : []), ...args];
    const out = new Map<number, Set<string>>();
    for (const e of exprs) {
      if (!e) continue;
      const n = unparen(e);
      const op = n.type === 'selector_expression' ? child(n, 'operand') : null;
      const field = n.type === 'selector_expression' ? child(n, 'field') : null;
      const v = op && unparen(op).type === 'identifier' ? this.scope.lookup(this.t(unparen(op))) : undefined;
      if (v && field && (this.types.selectorType(n) ?? '').trim().startsWith('*')) {
        const set = out.get(v.id) ?? new Set<string>();
        set.add(this.t(field));
        out.set(v.id, set);
        continue;
      }
      if (this.namedVars(e).length > 0) return null;
    }
    return out.size > 0 ? [...out].map(([id, fields]) => ({ var: id, fields: [...fields] })) : null;
  }

  /**
   * The variables (or package-level variables) a call or `go` statement hands its function as
   * receiver and arguments (RawCall.recvVar, recvPath, argRoots, argPaths).
   */
  private handedValues(recv: LNode | null, args: LNode[]): Pick<RawCall, 'recvVar' | 'recvPath' | 'argRoots' | 'argPaths'> {
    const out: Pick<RawCall, 'recvVar' | 'recvPath' | 'argRoots' | 'argPaths'> = {};
    if (recv) {
      const v = this.rootVar(recv);
      if (v !== null) out.recvVar = v;
      else {
        const path = this.packageRootPath(recv);
        if (path !== null) out.recvPath = path;
      }
    }
    const roots = args.map((a) => this.rootVar(a) ?? this.methodValueRoot(a));
    if (roots.some((r) => r !== null)) out.argRoots = roots;
    const paths = args.map((a) => this.packageRootPath(a));
    if (paths.some((p) => p !== null)) out.argPaths = paths;
    return out;
  }

  // ---- expressions ----

  private *walkInner(node: LNode): Walk {
    const n = unparen(node);
    if (n.type === 'selector_expression') {
      const operand = child(n, 'operand');
      if (operand) yield this.expr(operand, 'read');
    } else if (n.type === 'call_expression') {
      yield this.expr(n, 'read');
    } else if (n.type === 'index_expression') {
      yield this.expr(n, 'read');
    }
  }

  /**
   * The walk of an expression, or null when it is a name or a literal: those are handled here and
   * now (a third of all expressions; no generator is made for them). Nothing reads its result.
   */
  private expr(node: LNode, role: Role): Walk | null {
    if (node.type === 'identifier') {
      this.identifier(node, role);
      return null;
    }
    if (node.children.length === 0 && LITERAL_LEAVES.has(node.type)) return null;
    // A call is all its walk does (exprWalk's case).
    if (node.type === 'call_expression') return this.call(node, {});
    return this.exprWalk(node, role);
  }

  /** A name read, written or handed on (the `identifier` case of exprWalk). */
  private identifier(n: LNode, role: Role): void {
    const refs = this.types.mapRefs(n);
    if (refs.length > 0) {
      this.recordWhole(refs, n, role);
      return;
    }
    this.noteWholeUse(n);
    // A package function used as a value runs later, from here.
    const name = this.t(n);
    if (!this.scope.lookup(name)) {
      const fns = this.index.funcsByName.get(name);
      if (fns) this.addCall(fns, n.start);
    }
  }

  /** A map named as a whole (`m`, `s.m`): assigned, its address taken, or handed on. */
  private recordWhole(refs: SymRef[], n: LNode, role: Role): void {
    const kind = escapeKindFor(role);
    if (role === 'target') this.markFieldOfField(this.record(refs, 'write', n.start, n.end, n), n).reassign = true;
    // `json.Unmarshal(b, &s.m)`: a write through the pointer, not the map handed out.
    else if (role === 'address') this.record(refs, 'write', n.start, n.end, n);
    else if (kind) this.record(refs, 'escape', n.start, n.end, n, kind);
  }

  private *exprWalk(node: LNode, role: Role): Walk {
    // An explicit stack instead of recursion for what nests as deep as the input does
    // (parentheses, operators, operand chains); popping visits in the recursive order.
    const work: [LNode, Role][] = [[node, role]];
    while (work.length > 0) {
      const [n, role] = work.pop()!;
      switch (n.type) {
        case 'parenthesized_expression':
          pushChildren(work, n, role);
          continue;
        case 'identifier':
          this.identifier(n, role);
          continue;
        case 'selector_expression': {
          const refs = this.types.mapRefs(n);
          if (refs.length > 0) {
            yield this.walkInner(n);
            this.recordWhole(refs, n, role);
            continue;
          }
          this.noteWholeUse(n);
          const operand = child(n, 'operand');
          if (operand) work.push([operand, 'read']);
          continue;
        }
        case 'index_expression': {
          const operand = child(n, 'operand');
          const idx = child(n, 'index');
          const refs = operand ? this.types.mapRefs(operand) : [];
          if (idx) work.push([idx, 'read']);
          if (refs.length > 0) {
            yield this.walkInner(operand!);
            const site = this.record(refs, role === 'target' ? 'write' : 'read', n.start, n.end, n);
            if (this.isLocalName(operand!)) site.throughLocal = true;
            const filled = role === 'target' ? this.freshFields.get(this.t(unparen(operand!))) : undefined;
            if (filled && [...filled].every((l) => this.held.has(l))) site.fillsFresh = true;
            if (idx) site.indexText = this.t(idx);
            site.mapText = this.t(unparen(operand!));
            this.markFieldOfField(site, operand!);
          } else if (operand) {
            work.push([operand, 'read']);
          }
          continue;
        }
        case 'call_expression':
          yield this.call(n, {});
          continue;
        case 'func_literal':
          yield this.literal(n, 'stored', n.start);
          continue;
        case 'unary_expression': {
          const operand = n.children[0];
          if (!operand) continue;
          work.push([operand, n.op === '&' ? 'address' : 'read']);
          continue;
        }
        case 'composite_literal': {
          const body = child(n, 'body');
          if (body) this.noteLockFieldsOf(n, body);
          if (body) yield this.literalValue(body);
          continue;
        }
        case 'type_conversion_expression':
        case 'type_assertion_expression': {
          const operand = child(n, 'operand');
          if (operand) work.push([operand, 'read']);
          continue;
        }
        default:
          pushChildren(work, n, 'read');
      }
    }
  }

  private *literalValue(body: LNode): Walk {
    for (const el of body.children) {
      if (el.type === 'keyed_element') {
        const value = el.children[el.children.length - 1];
        const key = el.children.length > 1 ? el.children[0] : undefined;
        if (key) for (const k of key.children) if (k.type !== 'identifier' && k.type !== 'field_identifier') yield this.expr(k, 'read');
        if (value) for (const v of value.children) yield this.elementValue(v);
      } else if (el.type === 'literal_element') {
        for (const v of el.children) yield this.elementValue(v);
      } else if (el.type !== 'comment') {
        yield this.expr(el, 'read');
      }
    }
  }

  /** What an element of a composite literal holds: a nested literal, or a value stored in it. */
  private elementValue(v: LNode): Walk | null {
    return v.type === 'literal_value' ? this.literalValue(v) : this.expr(v, this.types.mapRefs(v).length > 0 ? 'store' : 'read');
  }

  private *call(n: LNode, opts: { defer?: boolean }): Walk {
    const outer = this.deferring;
    this.deferring = !!opts.defer;
    try {
      const fnode0 = child(n, 'function');
      const args = child(n, 'arguments')?.children.filter((c) => c.type !== 'comment') ?? [];
      if (!fnode0) return;
      const fnode = unparen(fnode0);

      if (fnode.type === 'func_literal') {
        const lit = ((yield this.literal(fnode, opts.defer ? 'deferred' : 'sync', opts.defer ? this.fn.end : n.start)) as number);
        yield this.bindArgs([lit], args, n.start, null);
        return;
      }

      if (fnode.type === 'identifier') {
        const name = this.t(fnode);
        const local = this.scope.lookup(name);
        if (!local && BUILTINS.has(name) && !this.index.funcsByName.has(name)) {
          yield this.builtin(name, args, n);
          return;
        }
        if (local) {
          if (local.unlocks) {
            if (!opts.defer) this.held.delete(local.unlocks);
            return;
          }
          if (local.funcLit !== null) {
            this.addCall([local.funcLit], n.start);
            yield this.bindArgs([local.funcLit], args, n.start, null);
            // `accLock := func() { …; acc.mu.Lock() }` … `accLock()`: a local lock helper (nats'
            // updateRouteSubscriptionMap). Summarised once, with the scope it was written in.
            const lit = this.index.funcs[local.funcLit]!;
            if (!this.lockHelpers.has(lit.index) && !this.notLockHelpers.has(lit.index)) {
              const sum = lit.body ? lockSummaryOf(this.index, lit, this.scope) : null;
              if (sum) this.lockHelpers.set(lit.index, sum);
              else this.notLockHelpers.add(lit.index);
            }
            this.applyLockHelper([lit.index], !!opts.defer);
            return;
          }
          if (local.param) {
            const { func, index } = local.param;
            this.facts.paramCalls.push({ func, paramIndex: index, caller: this.fn.index, pos: n.start, loops: [...this.loops], locks: this.lockList() });
          }
          yield this.callbackCall(args, `${name}(…)`);
          return;
        }
        const fns = this.index.funcsByName.get(name);
        if (fns) {
          this.addCall(fns, n.start, args);
          if (opts.defer) this.facts.calls[this.facts.calls.length - 1]!.deferred = true;
          yield this.bindArgs(fns, args, n.start, null);
          this.applyLockHelper(fns, !!opts.defer);
          return;
        }
        if (this.index.namedTypes.has(name)) {
          for (const a of args) yield this.expr(a, 'alias');
          return;
        }
        for (const a of args) yield this.expr(a, 'call');
        return;
      }

      if (fnode.type === 'selector_expression') {
        const operand = child(fnode, 'operand');
        const fieldNode = child(fnode, 'field');
        if (!operand || !fieldNode) return;
        const field = this.t(fieldNode);
        const opText = this.t(operand);
        const isPkg = operand.type === 'identifier' && !this.scope.lookup(opText) && !this.index.vars.has(opText) && this.index.imports.has(opText);
        // A value stored into a container made for sharing between goroutines (`registry.Store(k, t)`
        // on a sync.Map, `current.Store(t)` on an atomic.Pointer or atomic.Value) is reached by
        // whoever loads it from there on: published, as by a store into a shared field.
        if (!isPkg && SHARING_STORES.has(field) && args.length > 0 && SHARING_CONTAINER.test(this.types.typeOf(operand) ?? '')) {
          for (const a of args) this.publish(a, n.start);
        }

        if (LOCK_OPS.has(field) && args.length === 0 && !isPkg) {
          // `l.m[url].Lock()`: the per-key lock is read out of a map first (hugo's URLLock).
          if (unparen(operand).type === 'index_expression') yield this.expr(operand, 'read');
          const lock = this.lockName(operand);
          if (field === 'Lock' || field === 'RLock') {
            this.taken.set(lock, (this.taken.get(lock) ?? 0) + 1);
            // Taken here by the function itself: a lock assumed held after `if lock {…}` is
            // assumed only up to this point (nsq's Topic.exit: `if deleted { t.Lock(); …; return }`,
            // then `t.RLock()`).
            for (const cl of this.facts.condLocks) {
              if (cl.func !== this.fn.index || cl.lock !== lock || cl.until !== undefined || cl.pos > n.start) continue;
              cl.until = n.start;
              this.held.delete(lock);
            }
          } else if (!opts.defer) this.taken.set(lock, Math.max(0, (this.taken.get(lock) ?? 0) - 1));
          if (field === 'Lock') this.held.set(lock, 'write');
          else if (field === 'RLock') {
            if (!this.held.has(lock)) this.held.set(lock, 'read');
          } else if (!opts.defer) {
            if (!this.held.has(lock)) (this.atTop ? this.releasedUnheld : this.releasedMaybe).add(lock);
            this.held.delete(lock);
            for (const [field, locks] of this.freshFields) if (locks.has(lock)) this.freshFields.delete(field);
          } else this.deferredUnlocks.add(lock);
          return;
        }

        if (isPkg) {
          yield this.packageCall(opText, field, args, n);
          return;
        }

        if ((field === 'HandleFunc' || field === 'Handle') && args.length === 2) {
          yield this.expr(operand, 'read');
          yield this.expr(args[0]!, 'read');
          yield this.spawnCallback(args[1]!, 'handler', `HTTP handler registered with ${opText}.${field}`, n, true);
          return;
        }
        if (field === 'Go' && args.length === 1) {
          yield this.expr(operand, 'read');
          yield this.spawnCallback(args[0]!, 'spawner', `${opText}.Go callback`, n, false);
          return;
        }
        if (field === 'Do' && args.length === 1) {
          // once.Do(f): f runs once, and every other Do waits for it — a lock around f.
          yield this.expr(operand, 'read');
          const saved = this.held;
          this.held = new Map(saved);
          this.held.set(`once:${this.lockName(operand)}`, 'write');
          const arg = unparen(args[0]!);
          if (arg.type === 'func_literal') ((yield this.literal(arg, 'sync', n.start)) as number);
          else {
            const fns = this.types.resolveCallees(arg);
            if (fns.length > 0) this.addCall(fns, n.start);
            else yield this.expr(arg, 'read');
          }
          this.held = saved;
          return;
        }

        // A func-typed field called as a callback.
        const fieldType = this.types.selectorType(fnode);
        if (fieldType && isFuncTypeText(fieldType)) {
          yield this.expr(operand, 'read');
          yield this.callbackCall(args, `${opText}.${field}(…)`);
          return;
        }

        const callees = this.types.methodCallees(operand, field);
        yield this.expr(operand, 'read');
        if (callees.length > 0) {
          const recvType = this.index.funcs[callees[0]!]!.recvType;
          if (recvType) this.noteInstance(recvType, operand);
          this.addCall(callees, n.start, args, operand);
          if (unparen(operand).type === 'selector_expression') this.facts.calls[this.facts.calls.length - 1]!.recvViaField = true;
          if (opts.defer) this.facts.calls[this.facts.calls.length - 1]!.deferred = true;
          if (recvType && this.instanceKind(operand) === 'fresh') this.facts.calls[this.facts.calls.length - 1]!.freshReceiver = recvType;
          yield this.bindArgs(callees, args, n.start, null);
          this.applyLockHelper(callees, !!opts.defer);
        } else {
          for (const a of args) yield this.expr(a, 'call');
          const t = this.types.typeOf(operand);
          const im = t ? interfaceMethodOf(this.index, baseTypeName(t), field) : null;
          if (im && !opts.defer) this.applyInterfaceLock(im.iface, field);
        }
        return;
      }

      yield this.expr(fnode, 'read');
      for (const a of args) yield this.expr(a, 'call');
      // `l.getMutex()()`: the helper locked, its result unlocks (at once, or at return when deferred).
      const unlocked = this.unlockReturnedBy(fnode);
      if (unlocked && !opts.defer) this.held.delete(unlocked);
    } finally {
      this.deferring = outer;
    }
  }

  /** The lock whose Unlock a call to a lock helper returns (`l.getMutex()`), or null. */
  private unlockReturnedBy(node: LNode): string | null {
    const n = unparen(node);
    if (n.type !== 'call_expression') return null;
    const f = child(n, 'function');
    if (!f) return null;
    const fu = unparen(f);
    let callees: number[] = [];
    if (fu.type === 'selector_expression') {
      const op = child(fu, 'operand');
      const fld = child(fu, 'field');
      if (op && fld) callees = this.types.methodCallees(op, this.t(fld));
    } else if (fu.type === 'identifier' && !this.scope.lookup(this.t(fu))) {
      callees = this.index.funcsByName.get(this.t(fu)) ?? [];
    }
    const sums = callees.map((c) => this.lockHelpers.get(c));
    const first = sums[0]?.returnsUnlock ?? null;
    return first && sums.every((x) => x?.returnsUnlock === first) ? first : null;
  }

  /**
   * `store.lock()` through an interface of the package (docs/locks.md, "Locks behind an
   * interface"): when every in-package type that has all the interface's methods implements this
   * one as a lock helper that takes exactly one lock of its own (in one mode), the call takes the
   * interface's lock, `iface:I`; when every one releases exactly one lock, the call releases it.
   * Each implementation's mutex is another one, but a value of the interface holds one of them,
   * and the calls through it pair up the same way.
   */
  private applyInterfaceLock(iface: string, method: string): void {
    const named = this.index.namedTypes.get(iface);
    if (!named) return;
    const names = [...named.type.matchAll(/(?:^|[\n;{])\s*([A-Za-z_]\w*)\s*\(/g)].map((m) => m[1]!);
    const impls = (this.index.methodsByName.get(method) ?? []).filter((f) => {
      const recv = this.index.funcs[f]!.recvType;
      return !!recv && names.every((n) => (this.index.methodsByName.get(n) ?? []).some((g) => this.index.funcs[g]!.recvType === recv));
    });
    if (impls.length === 0) return;
    const sums = impls.map((f) => this.lockHelpers.get(f));
    const lock = `iface:${iface}`;
    const modes = new Set(sums.map((x) => (x && x.acquires.length === 1 && x.releases.length === 0 ? x.acquires[0]!.mode : null)));
    if (modes.size === 1 && !modes.has(null)) {
      const mode = [...modes][0]!;
      if (mode === 'write' || !this.held.has(lock)) this.held.set(lock, mode);
      return;
    }
    if (sums.every((x) => x && x.acquires.length === 0 && x.releases.length === 1)) this.held.delete(lock);
  }

  /** A call to lock helpers (every callee one, with the same effect) takes or releases their locks. */
  private applyLockHelper(callees: number[], deferred: boolean): void {
    if (callees.length === 0) return;
    const sums = callees.map((c) => this.lockHelpers.get(c));
    const first = sums[0];
    if (!first || !sums.every((x) => x && sameSummary(x, first))) return;
    if (deferred) {
      // `defer s.unlock()` releases at return: nothing changes before that.
      return;
    }
    for (const l of first.acquires) if (l.mode === 'write' || !this.held.has(l.name)) this.held.set(l.name, l.mode);
    for (const name of first.releases) this.held.delete(name);
  }

  private *packageCall(pkg: string, name: string, args: LNode[], n: LNode): Walk {
    if (pkg === 'http' && (name === 'HandleFunc' || name === 'Handle') && args.length === 2) {
      yield this.expr(args[0]!, 'read');
      yield this.spawnCallback(args[1]!, 'handler', `HTTP handler registered with http.${name}`, n, true);
      return;
    }
    // `expvar.Publish(name, expvar.Func(f))`: f runs each time the variables are read (the
    // /debug/vars handler, expvar.Do), once per request and concurrently, like a handler.
    if (pkg === 'expvar' && name === 'Publish' && args.length === 2) {
      const v = unparen(args[1]!);
      const fnode = v.type === 'call_expression' ? child(v, 'function') : null;
      const inner = v.type === 'call_expression' ? child(v, 'arguments')?.children.filter((c) => c.type !== 'comment') : undefined;
      if (fnode && this.t(unparen(fnode)).replace(/\s+/g, '') === 'expvar.Func' && inner?.length === 1) {
        yield this.expr(args[0]!, 'read');
        yield this.spawnCallback(inner[0]!, 'handler', 'expvar.Func published with expvar.Publish', n, true);
        return;
      }
    }
    if (pkg === 'time' && name === 'AfterFunc' && args.length === 2) {
      yield this.expr(args[0]!, 'read');
      yield this.spawnCallback(args[1]!, 'spawner', 'time.AfterFunc callback', n, false);
      return;
    }
    // container/heap and sort call the value's methods while the call runs: an edge to each, made
    // with the locks held here (nats' expirationTracker.Push runs under the store's lock).
    const viaInterface = (pkg === 'heap' && ['Init', 'Push', 'Pop', 'Fix', 'Remove'].includes(name)) || (pkg === 'sort' && ['Sort', 'Stable', 'IsSorted'].includes(name));
    if (viaInterface && args[0]) {
      const type = this.types.typeOf(args[0]);
      const methods = type ? ['Len', 'Less', 'Swap', 'Push', 'Pop'].flatMap((m) => lookupMethods(this.index, baseTypeName(type), m)) : [];
      if (methods.length > 0) this.addCall(methods, n.start);
    }
    if (pkg === 'maps') {
      const kinds: Record<string, AccessKind[]> = {
        Copy: ['write', 'read'],
        DeleteFunc: ['delete'],
        Clone: ['read'],
        Keys: ['read'],
        Values: ['read'],
        All: ['read'],
        Equal: ['read', 'read'],
        EqualFunc: ['read', 'read'],
        Insert: ['write'],
        Collect: [],
      };
      const ks = kinds[name];
      if (ks) {
        for (let i = 0; i < args.length; i++) {
          const a = args[i]!;
          const refs = this.types.mapRefs(a);
          const k = ks[i];
          if (refs.length > 0 && k) this.record(refs, k, a.start, a.end, a).throughLocal = this.isLocalName(a) || undefined;
          else yield this.expr(a, 'read');
        }
        return;
      }
    }
    for (const a of args) yield this.expr(a, 'call');
  }

  private *builtin(name: string, args: LNode[], n: LNode): Walk {
    const first = args[0];
    const refs = first ? this.types.mapRefs(first) : [];
    if (refs.length > 0 && first) {
      if (name === 'delete') {
        yield this.walkInner(first);
        const site = this.record(refs, 'delete', n.start, n.end, n);
        if (this.isLocalName(first)) site.throughLocal = true;
        if (args[1]) site.indexText = this.t(args[1]);
        site.mapText = this.t(unparen(first));
        this.markFieldOfField(site, first);
        for (const a of args.slice(1)) yield this.expr(a, 'read');
        return;
      }
      if (name === 'clear') {
        yield this.walkInner(first);
        this.record(refs, 'clear', n.start, n.end, n).throughLocal = this.isLocalName(first) || undefined;
        return;
      }
      if (name === 'len') {
        yield this.walkInner(first);
        this.markFieldOfField(this.record(refs, 'read', n.start, n.end, n), first).throughLocal = this.isLocalName(first) || undefined;
        return;
      }
    }
    for (const a of args) yield this.expr(a, 'read');
  }

  private *callbackCall(args: LNode[], desc: string): Walk {
    for (const frame of this.ranges) if (!frame.site.range!.callsOut) frame.site.range!.callsOut = desc;
    for (const a of args) yield this.expr(a, this.types.mapRefs(a).length > 0 ? 'callback' : 'read');
  }

  private *spawnCallback(arg: LNode, kind: 'handler' | 'spawner', description: string, n: LNode, perRequest: boolean): Walk {
    const spawnId = this.facts.spawns.length;
    const spawn = {
      id: spawnId,
      kind,
      description,
      start: n.start,
      end: n.end,
      func: this.fn.index,
      loops: [...this.loops],
      targets: [] as number[],
      perRequest,
    };
    this.facts.spawns.push(spawn);
    // A started callback runs in another goroutine from here on: the values it names are shared
    // with it (`t := &T{…}; wg.Go(func(){ t.m[k] = 1 }); t.m[j] = 2` races), as with a `go`
    // statement. A handler runs only once its mux is served, which set-up code does after filling
    // what the handler reads (`mux.HandleFunc(…); s.pages[…] = …; ListenAndServe(…, mux)`).
    if (kind === 'spawner') this.publish(arg, n.start);
    const a = unparen(arg);
    if (a.type === 'func_literal') {
      spawn.targets.push(((yield this.literal(a, 'spawned', n.start)) as number));
      return;
    }
    spawn.targets.push(...((yield this.handlerTargets(a)) as number[]));
  }

  /** Functions a handler-like argument runs: a function, a method value, `http.HandlerFunc(f)`, a ServeHTTP value. */
  private *handlerTargets(a: LNode): Walk<number[]> {
    if (a.type === 'identifier') {
      const name = this.t(a);
      const local = this.scope.lookup(name);
      if (local) {
        if (local.funcLit !== null) return [local.funcLit];
        return this.serveHTTPOf(local.type);
      }
      const fns = this.index.funcsByName.get(name);
      if (fns) return fns;
      const pv = this.index.vars.get(name);
      if (pv) return this.serveHTTPOf(pv.type ?? (pv.value ? this.types.typeOf(pv.value) : null));
      return [];
    }
    if (a.type === 'selector_expression') {
      const operand = child(a, 'operand');
      const field = child(a, 'field');
      if (operand) yield this.expr(operand, 'read');
      if (operand && field) {
        const m = this.types.methodCallees(operand, this.t(field));
        if (m.length > 0) return m;
      }
      return this.serveHTTPOf(this.types.typeOf(a));
    }
    if (a.type === 'call_expression' || a.type === 'type_conversion_expression') {
      const inner = child(a, 'arguments')?.children[0] ?? child(a, 'operand');
      const f = child(a, 'function') ?? child(a, 'type');
      if (inner && f && /HandlerFunc$/.test(this.t(f))) return ((yield this.handlerTargets(unparen(inner))) as number[]);
      yield this.expr(a, 'read');
      return this.serveHTTPOf(this.types.typeOf(a));
    }
    yield this.expr(a, 'read');
    return this.serveHTTPOf(this.types.typeOf(a));
  }

  private serveHTTPOf(type: string | null): number[] {
    if (!type) return [];
    return lookupMethods(this.index, baseTypeName(type), 'ServeHTTP');
  }

  private *literal(node: LNode, runs: NonNullable<FuncInfo['runs']>, anchor: number): Walk<number> {
    const params = readParams(this.file, child(node, 'parameters'));
    const info: FuncInfo = {
      index: this.index.funcs.length,
      // As Go names it in stack traces and race reports: F.func1, F.func2, and F.func1.1 inside F.func1.
      name: this.fn.literal ? `${this.fn.name}.${++this.literals}` : `${this.fn.name}.func${++this.literals}`,
      recvType: null,
      recvName: null,
      recvPointer: false,
      recvStart: -1,
      params,
      results: readResults(this.file, child(node, 'result')),
      namedResults: namedResults(this.file, child(node, 'result')),
      body: child(node, 'body') ?? null,
      file: this.file,
      start: node.start,
      end: node.end,
      parent: this.fn.index,
      literal: node,
      runs,
      anchor,
      exported: false,
      analysed: true,
    };
    this.index.funcs.push(info);
    if (runs !== 'spawned' && runs !== 'passed') {
      this.addCall([info.index], anchor);
      if (runs === 'stored') this.facts.calls[this.facts.calls.length - 1]!.atDefinition = true;
    }
    const held = runs === 'sync' || runs === 'deferred' ? new Map(this.held) : new Map<string, 'read' | 'write'>();
    const inner = new FunctionWalker(this.index, this.facts, info, this.scope, held, runs === 'sync' ? this.ranges : []);
    inner.lockHelpers = this.lockHelpers;
    inner.notLockHelpers = this.notLockHelpers;
    inner.declareSignature();
    if (info.body) yield inner.walkBody(info.body);
    return info.index;
  }

  /** Marks a site whose map is a field of a value that is itself a field (`fs.sdm.totals`): see RawSite.fieldOfField. */
  private markFieldOfField(site: RawSite, mapExpr: LNode): RawSite {
    const m = unparen(mapExpr);
    if (m.type === 'selector_expression' && unparen(child(m, 'operand') ?? m).type === 'selector_expression') site.fieldOfField = true;
    return site;
  }

  private addCall(callees: number[], pos: number, args: LNode[] = [], recv: LNode | null = null): void {
    const call: RawCall = { caller: this.fn.index, callees, pos, loops: [...this.loops], locks: this.lockList(), ...this.handedValues(recv, args) };
    const maybe = [...this.taken].filter(([name, n]) => n > 0 && !this.held.has(name)).map(([name]) => name);
    if (maybe.length > 0) call.mayLocks = maybe;
    const argVars = (call.argRoots ?? []).filter((v): v is number => v !== null);
    if (argVars.length > 0) call.argVars = argVars;
    if (call.recvVar !== undefined || call.argVars) call.branches = [...this.branches];
    const bools = args.map((a) => {
      const u = unparen(a);
      return u.type === 'true' ? true : u.type === 'false' ? false : null;
    });
    if (bools.some((b) => b !== null)) call.boolArgs = bools;
    this.facts.calls.push(call);
  }

  /**
   * The variable a value expression stands for: `x`, `&x`, or `x.inner` where `inner` is a
   * struct-valued field (part of x's own value). Null for anything else.
   */
  private rootVar(node: LNode | null): number | null {
    if (!node) return null;
    let n = unparen(node);
    for (let depth = 0; depth < 50; depth++) {
      if (n.type === 'unary_expression' && n.op === '&' && n.children[0]) {
        n = unparen(n.children[0]);
        continue;
      }
      if (n.type !== 'selector_expression') break;
      const t = this.types.selectorType(n);
      const inner = child(n, 'operand');
      if (!t || !inner || !this.index.structs.has(t.trim())) return null;
      n = unparen(inner);
    }
    if (n.type !== 'identifier') return null;
    return this.scope.lookup(this.t(n))?.id ?? null;
  }

  /**
   * A method value (`n.onMsg` passed as a callback) carries its receiver: whoever keeps the
   * function value can reach that receiver's value, so handing it on hands the variable on.
   */
  private methodValueRoot(node: LNode): number | null {
    const n = unparen(node);
    if (n.type !== 'selector_expression') return null;
    const callees = this.types.resolveCallees(n);
    if (callees.length === 0 || !callees.every((c) => this.index.funcs[c]!.recvType !== null)) return null;
    return this.rootVar(child(n, 'operand') ?? null);
  }

  /**
   * `consumerFileStore.state` for `o.state` with `o *consumerFileStore` (see RawSite.valueHolder),
   * with the holder pair of each field on the way (RawSite.holderPairs), or null for none.
   */
  private valueHolderOf(fb: LNode | null, base: number): { holder: string; pairs: string[] | null } | null {
    if (!fb) return null;
    const names: string[] = [];
    let pairs: string[] | null = [];
    let n = unparen(fb);
    for (let depth = 0; depth < 50 && n.type === 'selector_expression'; depth++) {
      const field = child(n, 'field');
      const operand = child(n, 'operand');
      if (!field || !operand) return null;
      names.unshift(this.t(field));
      const pair: string | null = pairs ? this.holderPair(n) : null;
      pairs = pairs && pair ? [pair, ...pairs] : null;
      n = unparen(operand);
      if (n.type === 'unary_expression' && n.op === '&' && n.children[0]) n = unparen(n.children[0]);
    }
    if (names.length === 0 || n.type !== 'identifier') return null;
    const type = this.facts.vars[base]?.type;
    if (!type) return null;
    const holder = baseTypeName(type);
    return /^[A-Za-z_]\w*$/.test(holder) ? { holder: `${holder}.${names.join('.')}`, pairs } : null;
  }

  /**
   * Records where a struct held by value in a field (`o.state` with `state ConsumerState`), a
   * parameter or a receiver is used as a whole value: handed to a call, copied, returned, stored,
   * or its address taken. Those are the only ways another name can reach the maps inside a value
   * field; with none of them, the field's maps are reached only through their holder
   * (docs/rules.md, "Struct values held by different types").
   */
  private noteWholeUse(n: LNode): void {
    const use = wholeValueUse(n);
    if (!use) return;
    const test = this.file.rel.endsWith('_test.go');
    // As a call's argument: the function called.
    const fnode = use.parent.type === 'argument_list' && use.parent.parent?.type === 'call_expression' ? child(use.parent.parent, 'function') : null;
    // Printed or encoded during the call, not kept (`t.Fatalf("%+v", o.state)`, `json.Marshal(&o.state)`).
    if (fnode && READS_ARGUMENTS_ONLY.test(this.t(fnode))) return;
    const argOf = (): { callees: number[]; paramIndex: number } | null => {
      if (!fnode) return null;
      const callees = this.types.resolveCallees(unparen(fnode));
      const paramIndex = use.parent.children.filter((c) => c.type !== 'comment').indexOf(use.node);
      return callees.length > 0 && paramIndex >= 0 ? { callees, paramIndex } : null;
    };
    if (n.type === 'identifier') {
      const v = this.scope.lookup(this.t(n));
      if (!v || !this.runsWithin(v.func)) return;
      // Only a struct (or a pointer to one) can hold a struct value's maps.
      if (!v.type || !this.index.structs.has(baseTypeName(v.type))) return;
      // Rebinding the name (`p = other`) reaches nothing new.
      if (use.target) return;
      const owner = this.index.funcs[v.func]!;
      if (owner.recvName === v.name && owner.recvStart === v.start && owner.recvType) this.facts.wholeUses.push({ receiverOf: owner.recvType, test });
      else if (v.param) this.facts.wholeUses.push({ param: `${v.param.func}:${v.param.index}`, to: argOf(), test });
      return;
    }
    const t = this.types.selectorType(n);
    if (!t || !this.isStructValue(t)) return;
    // `o.state = ConsumerState{}`: a new value of its own; anything else assigned may share maps.
    if (use.target && use.assigned && unparen(use.assigned).type === 'composite_literal') return;
    const field = child(n, 'field');
    this.facts.wholeUses.push({ holder: this.holderPair(n), field: field ? this.t(field) : null, to: use.target ? null : argOf(), test });
  }

  /** `consumerFileStore.state` for the selector `o.state`: the operand's type and the field; null when the type is unknown. */
  private holderPair(n: LNode): string | null {
    const operand = child(n, 'operand');
    const field = child(n, 'field');
    const t = operand ? this.types.typeOf(operand) : null;
    const holder = t ? baseTypeName(t) : null;
    return holder && field && /^[A-Za-z_]\w*$/.test(holder) ? `${holder}.${this.t(field)}` : null;
  }

  /** Whether function `f` is this function or one it is nested in (a closure's captured variables). */
  private runsWithin(f: number): boolean {
    for (let g: FuncInfo | undefined = this.fn; g; g = g.parent >= 0 ? this.index.funcs[g.parent] : undefined) if (g.index === f) return true;
    return false;
  }

  /** The variable at the root of a selector chain (`x` in `x.a.b`), whatever the fields' types. */
  private ownerVar(node: LNode | null): number | null {
    if (!node) return null;
    let n = unparen(node);
    for (let depth = 0; depth < 50; depth++) {
      if (n.type === 'unary_expression' && n.op === '&' && n.children[0]) n = unparen(n.children[0]);
      else if (n.type === 'selector_expression' && child(n, 'operand')) n = unparen(child(n, 'operand')!);
      else break;
    }
    if (n.type !== 'identifier') return null;
    return this.scope.lookup(this.t(n))?.id ?? null;
  }

  /**
   * `cache` or `pkg.Stats` for `cache.m` / `pkg.Stats.m` when the selector chain starts at a name
   * no local declares (a package-level variable, or one of an imported package): the value the
   * map belongs to is that one variable, whichever function reaches it.
   */
  private packageRootPath(node: LNode | null): string | null {
    if (!node) return null;
    let n = unparen(node);
    if (n.type === 'unary_expression' && n.op === '&' && n.children[0]) n = unparen(n.children[0]);
    let root = n;
    for (let depth = 0; depth < 50 && root.type === 'selector_expression' && child(root, 'operand'); depth++) root = unparen(child(root, 'operand')!);
    if (root.type !== 'identifier' || this.scope.lookup(this.t(root)) !== undefined) return null;
    return this.t(n).replace(/\s+/g, '');
  }

  /**
   * Marks the fresh values named in `node` as published at `pos`: from there on another goroutine
   * may reach them, so later writes through them are no longer construction.
   */
  private publish(node: LNode, pos: number, into: { v: VarInfo; element: boolean } | null = null): void {
    for (const v of this.namedVars(node, into)) publishAt(v, { pos, branches: [...this.branches], ...(into ? { into: into.v.id } : {}) });
  }

  /** The variables of this scope `node` names, as publish counts them (see there for `into`). */
  private namedVars(node: LNode, into: { v: VarInfo; element: boolean } | null = null): VarInfo[] {
    const out: VarInfo[] = [];
    const stack = [node];
    // Identifiers read only for a field (`c.list` in `c.list = append(c.list, x)`).
    const parts = new Set<LNode>();
    while (stack.length > 0) {
      const n = stack.pop()!;
      if (n.type === 'identifier') {
        const v = this.scope.lookup(this.t(n));
        // Stored into a field of its own value (`ar.hooks = []Hook{newHook(ar)}`), or a part of
        // it stored into an element of a map it holds: reachable from nowhere new. (The value
        // itself stored into such a map is reachable from wherever else that map is.)
        if (v && !(v === into?.v && (parts.has(n) || !into.element))) out.push(v);
        continue;
      }
      // `x.f` names x; `p.x` with p a package or `T{x: …}` keys are not variables of this scope.
      if (n.type === 'selector_expression') {
        const op = child(n, 'operand');
        if (op) {
          if (unparen(op).type === 'identifier') parts.add(unparen(op));
          stack.push(op);
        }
        continue;
      }
      if (n.type === 'literal_element' && n.field === 'key') continue;
      for (const c of n.children) stack.push(c);
    }
    return out;
  }

  /** `newX()`, `newX().WithY()`: the in-package callees of a call and what a method call is made on. */
  private fromCallOf(call: LNode, index: number, depth: number): FromCall | null {
    const fnode = call.type === 'call_expression' ? child(call, 'function') : null;
    if (!fnode || depth > 8) return null;
    const f = unparen(fnode);
    if (f.type !== 'identifier' && f.type !== 'selector_expression') return null;
    const callees = this.types.resolveCallees(f).filter((c) => !this.index.funcs[c]!.literal);
    if (callees.length === 0) return null;
    const out: FromCall = { callees, index };
    const operand = f.type === 'selector_expression' ? child(f, 'operand') : null;
    const op = operand ? unparen(operand) : null;
    if (op && callees.every((c) => this.index.funcs[c]!.recvType !== null)) {
      if (op.type === 'call_expression') {
        const inner = this.fromCallOf(op, 0, depth + 1);
        if (inner) out.on = inner;
      } else if (op.type === 'identifier') {
        const v = this.scope.lookup(this.t(op));
        if (v && v.func === this.fn.index) out.on = { var: v.id };
      }
    }
    return out;
  }

  /**
   * `m[k] = x` into a map this function made (see VarInfo.freshElems): a fresh variable x is held
   * there, published only when the map is (true: the store publishes nothing now). Storing anything
   * but a fresh variable or a value built right there makes the map's elements not all its own.
   */
  private storeIntoFreshContainer(l: LNode, r: LNode, pos: number): boolean {
    const target = unparen(l);
    if (target.type !== 'index_expression') return false;
    const op = child(target, 'operand');
    const c = op && unparen(op).type === 'identifier' ? this.scope.lookup(this.t(unparen(op))) : undefined;
    if (!c || c.freshElems === undefined || c.func !== this.fn.index) return false;
    const val = unparen(r);
    const w = this.heldValueVar(val);
    if (w) {
      (w.heldIn ??= []).push({ container: c.id, pos });
      return true;
    }
    if (!this.builtHere(val)) c.freshElems = false;
    return false;
  }

  /**
   * A variable of this function that may hold a value built here (fresh, a call's result decided
   * after the walk, or an element of a container), named by `n`: what a container can hold.
   */
  private heldValueVar(n: LNode): VarInfo | null {
    const w = n.type === 'identifier' ? this.scope.lookup(this.t(n)) : undefined;
    return w && (w.fresh || w.fromCall || w.elemOf !== undefined) && w.func === this.fn.index ? w : null;
  }

  /** A map or slice type: what can be a container of values built here (VarInfo.freshElems). */
  private isContainerType(type: string | null): boolean {
    return !!type && (type.trim().startsWith('[]') || isMapType(this.index, type));
  }

  /** The fresh variables of a composite literal's elements, when every element is one or a value built right there; null otherwise. */
  private freshElements(lit: LNode): VarInfo[] | null {
    const body = child(lit, 'body');
    if (!body) return null;
    const out: VarInfo[] = [];
    for (const el of body.children) {
      if (el.type === 'comment') continue;
      let value = el.type === 'keyed_element' ? el.children[el.children.length - 1] : el;
      if (value && value.type === 'literal_element') value = value.children[0] ?? value;
      if (!value) return null;
      const u = unparen(value);
      const w = this.heldValueVar(u);
      if (w) out.push(w);
      else if (!this.builtHere(u)) return null;
    }
    return out;
  }

  /**
   * `list = append(list, x, …)` on a container: each x a fresh variable (held there from now) or a
   * value built right there. False for anything else (the container then ends).
   */
  private appendsTo(c: VarInfo, r: LNode, pos: number): boolean {
    const call = unparen(r);
    const fn = call.type === 'call_expression' ? child(call, 'function') : null;
    if (!fn || this.t(fn) !== 'append') return false;
    const args = (child(call, 'arguments')?.children ?? []).filter((a) => a.type !== 'comment');
    const first = args[0] ? unparen(args[0]) : null;
    if (!first || first.type !== 'identifier' || this.scope.lookup(this.t(first)) !== c) return false;
    if (this.t(child(call, 'arguments')!).includes('...')) return false;
    const held: VarInfo[] = [];
    for (const a of args.slice(1)) {
      const u = unparen(a);
      const w = this.heldValueVar(u);
      if (w) held.push(w);
      else if (!this.builtHere(u)) return false;
    }
    for (const w of held) (w.heldIn ??= []).push({ container: c.id, pos });
    return true;
  }

  /** A container map named as a value (`m2 := m`, `x.f = m`): its elements may be reached and filled another way. */
  private unfreshContainers(refs: SymRef[]): void {
    for (const r of refs) {
      const c = 'var' in r ? this.facts.vars[r.var] : undefined;
      if (c && c.freshElems !== undefined) c.freshElems = false;
    }
  }

  /** What an assignment gives a variable: a value built here, result `index` of in-package calls, or anything else. */
  private rebindOf(r: LNode | null, index: number, v: VarInfo): Rebind {
    if (!r) return 'other';
    if (this.types.isFreshStruct(r, v.type)) return 'fresh';
    const cu = unparen(r);
    const fnode = cu.type === 'call_expression' ? child(cu, 'function') : null;
    if (!fnode || (fnode.type !== 'identifier' && fnode.type !== 'selector_expression')) return 'other';
    const callees = this.types.resolveCallees(unparen(fnode)).filter((c) => !this.index.funcs[c]!.literal);
    return callees.length > 0 ? { callees, index } : 'other';
  }

  /**
   * The variable whose own value an assignment target is part of (`x` in `x.a.b` through
   * struct-valued fields), and whether the target is an element of a map or slice it holds.
   */
  private valueRoot(target: LNode): { v: VarInfo; element: boolean } | null {
    let n: LNode | null = unparen(target);
    // An element of a map or slice the value holds (`c.groups[k] = append(c.groups[k], x)`).
    const element = n.type === 'index_expression';
    if (element) n = child(n, 'operand') ? unparen(child(n, 'operand')!) : null;
    if (!n || n.type !== 'selector_expression') return null;
    for (let depth = 0; n && depth < 50; depth++) {
      n = unparen(n);
      if (n.type !== 'selector_expression') break;
      // The outermost selector is the field written; every operand below it must be held by value.
      const op = child(n, 'operand');
      const u = op ? unparen(op) : null;
      if (u && u.type === 'selector_expression') {
        const ft = this.types.selectorType(u);
        if (!ft || /^\s*(\*|\[|map\[|chan\b|func\b|interface\b)/.test(ft)) return null;
      }
      n = op ?? null;
    }
    const v = n && n.type === 'identifier' ? this.scope.lookup(this.t(n)) : undefined;
    return v ? { v, element } : null;
  }

  /** An assignment target that is a local variable, or a field of a fresh value not yet published. */
  private storesIntoOwnValue(target: LNode): boolean {
    const t = unparen(target);
    if (t.type === 'identifier') {
      const v = this.scope.lookup(this.t(t));
      return !!v && v.func === this.fn.index;
    }
    // Through value fields only (`x.pool.New`, a sync.Pool held by value): a pointer field may
    // lead to something shared.
    let n: LNode | null = fieldBase(t);
    for (let depth = 0; n && depth < 50; depth++) {
      n = unparen(n);
      if (n.type !== 'selector_expression') break;
      const ft = this.types.selectorType(n);
      if (!ft || /^\s*(\*|\[|map\[|chan\b|func\b|interface\b)/.test(ft)) return false;
      n = child(n, 'operand') ?? null;
    }
    const v = n && n.type === 'identifier' ? this.scope.lookup(this.t(n)) : undefined;
    return !!v && v.fresh && v.published === undefined;
  }

  private *bindArgs(callees: number[], args: LNode[], pos: number, spawn: number | null): Walk {
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      const kind = spawn === null ? this.instanceKind(a) : 'other';
      this.facts.argInstances.push({ callees, paramIndex: i, kind: typeof kind === 'object' ? 'other' : kind });
      const fl = unparen(a);
      if (fl.type === 'func_literal' && callees.length > 0) {
        // Runs where the callee calls its parameter (e.g. withLock(x, func(){…}) under x's lock).
        // What it names is published here if the callee turns out to start it in a goroutine
        // (concurrency.ts addHelperSpawns). Handed to the function a `go` statement starts
        // (`go trace("x", func(){…})`), it runs in that goroutine when the function calls it in
        // place (addGoArguments); the `go` statement has published what it names already.
        const captured = spawn === null && callees.some((c) => hasGoStatement(this.index.funcs[c]!)) ? [...new Set(this.namedVars(fl).map((v) => v.id))] : [];
        const branches: [number, number, number, number][] = [...this.branches];
        const literal = ((yield this.literal(fl, 'passed', pos)) as number);
        const argLocks = args.map((x) => this.lockArg(x));
        // A `go` statement's call holds none of the locks held where it is written.
        const locks = spawn === null ? this.lockList() : [];
        this.facts.funcArgs.push({ callees, paramIndex: i, literal, caller: this.fn.index, pos, loops: [...this.loops], locks, argLocks, captured, branches, ...(spawn === null ? {} : { spawn }) });
        continue;
      }
      // A method value handed to a helper that calls it (`s.wrapChk(s.checkRemoteServers)`, the
      // helper calling f under s.mu) runs there too; where the helper never calls it, nothing is
      // assumed (concurrency.ts).
      if (fl.type === 'selector_expression' && spawn === null && callees.length > 0 && child(fl, 'operand') && child(fl, 'field')) {
        const methods = this.types.methodCallees(child(fl, 'operand')!, this.t(child(fl, 'field')!));
        if (methods.length === 1) {
          const argLocks = args.map((x) => this.lockArg(x));
          this.facts.funcArgs.push({ callees, paramIndex: i, literal: methods[0]!, methodValue: true, caller: this.fn.index, pos, loops: [...this.loops], locks: this.lockList(), argLocks });
        }
      }
      // A literal kept in a variable and handed over (`check := func(…){…}; s.iter(check)`)
      // runs where the callee calls its parameter too.
      if (fl.type === 'identifier' && spawn === null && callees.length > 0) {
        const literal = this.scope.lookup(this.t(fl))?.funcLit ?? null;
        if (literal !== null) {
          const argLocks = args.map((x) => this.lockArg(x));
          this.facts.funcArgs.push({ callees, paramIndex: i, literal, caller: this.fn.index, pos, loops: [...this.loops], locks: this.lockList(), argLocks });
        }
      }
      const refs = this.types.mapRefs(a);
      if (refs.length > 0) {
        const binding: RawBinding = { callees, paramIndex: i, refs, caller: this.fn.index, pos, spawn };
        // The callee runs now, under the locks held here; a deferred call runs at return.
        if (spawn === null && !this.deferring) binding.locks = this.lockList();
        this.facts.bindings.push(binding);
        yield this.walkInner(a);
      } else {
        yield this.expr(a, 'read');
      }
    }
  }

  // ---- facts ----

  private lockList(): HeldLock[] {
    return [...this.held].map(([name, mode]) => ({ name, mode }));
  }

  /** `m` (parenthesised or not) names a local variable or parameter of the running function. */
  private isLocalName(expr: LNode): boolean {
    const u = unparen(expr);
    return u.type === 'identifier' && this.scope.lookup(this.t(u)) !== undefined;
  }

  private record(refs: SymRef[], kind: AccessKind, start: number, end: number, node: LNode, escape?: EscapeKind): RawSite {
    const site: RawSite = {
      id: this.facts.sites.length,
      refs,
      kind,
      start,
      end,
      func: this.fn.index,
      locks: this.lockList(),
      text: firstLine(this.t(node)),
      loops: [...this.loops],
      inRanges: this.ranges.map((r) => r.site.id),
      fresh: this.isFreshBase(node),
    };
    if (escape) site.escape = escape;
    // A named map type's value is reached through the variable that holds it (`h` in `h[k]`, a
    // receiver of its methods): one value per variable, as for a struct's field (confidence.ts).
    for (const r of refs) {
      if ('var' in r && (this.facts.vars[r.var]?.refs ?? []).some((x) => 'key' in x && x.key.startsWith('type:'))) {
        site.typeVar = r.var;
        break;
      }
    }
    if (refs.some((r) => 'key' in r && r.key.startsWith('field:'))) {
      const fb = fieldBase(node);
      const base = this.rootVar(fb);
      if (base !== null) {
        site.baseVar = base;
        const held = this.valueHolderOf(fb, base);
        if (held) {
          site.valueHolder = held.holder;
          if (held.pairs) site.holderPairs = held.pairs;
        }
      }
      const owner = this.ownerVar(fb);
      if (owner !== null) site.ownerVar = owner;
      else {
        const pkgPath = this.packageRootPath(fb);
        if (pkgPath !== null) site.packagePath = pkgPath;
      }
      const root = this.freshFieldRoot(fb);
      if (root !== null) site.freshPath = root;
      else if (fb) {
        const vf = this.varField(fb);
        if (vf) site.viaField = { var: vf.v.id, field: vf.field };
        else if (unparen(fb).type === 'call_expression') {
          const call = this.fromCallOf(unparen(fb), 0, 0);
          const key = refs.find((r): r is { key: string } => 'key' in r && r.key.startsWith('field:'));
          if (call && key) site.viaCall = { call, field: key.key.split('.').pop()! };
        }
      }
    }
    for (const r of refs) {
      if (!('key' in r) || !r.key.startsWith('field:')) continue;
      const base = fieldBase(node);
      this.noteInstance(r.key.slice(6).split('.')[0]!, base);
    }
    this.facts.sites.push(site);
    return site;
  }

  /**
   * Records how a value of struct type `type` is reached: through the running method's receiver,
   * a value this function built, or anything else. A type only ever reached the first two ways
   * lives in one goroutine per instance.
   */
  private noteInstance(type: string, operand: LNode | null): void {
    const kind = operand ? this.instanceKind(operand) : 'other';
    if (kind === 'other') this.facts.sharedTypes.add(type);
    else if (kind === 'fresh') this.facts.freshTypes.add(type);
    else if (typeof kind === 'object') this.facts.paramInstances.push({ type, ...kind });
  }

  /**
   * How a value is reached: a method's receiver, a value this goroutine built, a parameter
   * (decided by what the callers pass), or anything else.
   */
  private instanceKind(operand: LNode): InstanceKind {
    // A loop down `&x` and `a.b.c` operand chains: they nest as deep as the input does.
    let n = unparen(operand);
    for (;;) {
      if (n.type === 'unary_expression' && n.op === '&' && n.children[0]) {
        n = unparen(n.children[0]);
        continue;
      }
      if (this.types.isFreshStruct(n, null)) return 'fresh';
      if (n.type !== 'selector_expression') break;
      // A struct-valued field is part of the value that holds it.
      const t = this.types.selectorType(n);
      const inner = child(n, 'operand');
      if (!t || !inner || !this.index.structs.has(t.trim())) return 'other';
      const holder = this.types.typeOf(inner);
      if (holder) this.facts.valueFields.push({ type: t.trim(), holder: baseTypeName(holder) });
      n = unparen(inner);
    }
    if (n.type !== 'identifier') return 'other';
    const v = this.scope.lookup(this.t(n));
    if (!v) return 'other';
    // The variable must belong to this goroutine: this function or a synchronous enclosing one.
    let f: FuncInfo | undefined = this.fn;
    while (f && f.index !== v.func) f = f.runs === 'spawned' || f.parent < 0 ? undefined : this.index.funcs[f.parent];
    if (!f) return 'other';
    if (f.recvName === v.name && f.recvStart === v.start) return 'receiver';
    if (v.fresh) return 'fresh';
    return v.param && v.func === this.fn.index ? { func: v.param.func, paramIndex: v.param.index } : 'other';
  }

  private isFreshBase(node: LNode): boolean {
    let n = unparen(node);
    while (n.type === 'index_expression' || n.type === 'call_expression') {
      const next = child(n, n.type === 'index_expression' ? 'operand' : 'function');
      if (!next) return false;
      n = unparen(next);
    }
    if (n.type === 'selector_expression') {
      const operand = child(n, 'operand');
      if (operand && operand.type === 'identifier') return !!this.scope.lookup(this.t(operand))?.fresh;
    }
    return false;
  }

  /** The lock an argument names: `mu`, `s.mu`, or `&s.mu` handed to a `sync.Locker` parameter. */
  private lockArg(x: LNode): string | null {
    let n = unparen(x);
    if (n.type === 'unary_expression' && n.op === '&' && n.children[0]) n = unparen(n.children[0]);
    return ['identifier', 'selector_expression'].includes(n.type) ? this.lockName(n) : null;
  }

  /** The lock a pointer value denotes: `&s.mu`, or `s.mu` of type `*sync.Mutex`; null for anything else. */
  private lockTarget(val: LNode): string | null {
    const n = unparen(val);
    if (n.type === 'unary_expression' && n.op === '&' && n.children[0]) {
      const inner = unparen(n.children[0]);
      if (!['identifier', 'selector_expression'].includes(inner.type)) return null;
      const t = this.types.typeOf(inner);
      if (!t || !(isLockPointerType(`*${t.trim()}`) || embedsMutex(this.index, t))) return null;
      return this.lockName(inner);
    }
    if (n.type === 'identifier' || n.type === 'selector_expression') {
      const t = this.types.typeOf(n);
      if (t && isLockPointerType(t)) {
        const name = this.lockName(n);
        return name.includes('@') ? null : name;
      }
    }
    return null;
  }

  /** A value built right there: `&U{…}`, `U{…}`, `new(U)`, `make(…)`, a map literal. */
  private builtHere(node: LNode): boolean {
    return this.types.isFreshStruct(node, null) || isFreshMapValue(this.file, node);
  }

  /** `x.f` with x a variable in scope: x and the field's name. */
  private varField(node: LNode): { v: VarInfo; field: string } | null {
    const n = unparen(node);
    if (n.type !== 'selector_expression') return null;
    const inner = child(n, 'operand');
    const fld = child(n, 'field');
    if (!inner || !fld || unparen(inner).type !== 'identifier') return null;
    const v = this.scope.lookup(this.t(unparen(inner)));
    return v ? { v, field: this.t(fld) } : null;
  }

  /**
   * The fields of a struct literal set to what the function's receiver or a parameter holds, or
   * a field path from one (`s: s`, `sys: s.sys`): values from before the function ran
   * (VarInfo.foreignFields). Whether the variable is a parameter never reassigned is checked later.
   */
  private foreignPointerFields(val: LNode): { field: string; root: number }[] {
    const out: { field: string; root: number }[] = [];
    for (const { field, value } of keyedValues(this.file, val)) {
      let n = unparen(value);
      while (n.type === 'selector_expression') n = unparen(child(n, 'operand') ?? n);
      if (n.type !== 'identifier') continue;
      const v = this.scope.lookup(this.t(n));
      const isRecv = v && this.fn.recvName === v.name && this.fn.recvStart === v.start;
      if (v && v.func === this.fn.index && (v.param?.func === this.fn.index || isRecv)) out.push({ field, root: v.id });
    }
    return out;
  }

  /**
   * The fields a struct literal (`&T{…}`, `T{…}`) sets to a value built right there: reached
   * through a fresh variable, they are its own.
   */
  private freshPointerFields(val: LNode): string[] {
    return keyedValues(this.file, val)
      .filter(({ value }) => this.builtHere(value))
      .map(({ field }) => field);
  }

  /**
   * The fresh variable whose own value `node` is, through one field the value was built with:
   * `b.stats` (`stats: new(BrokerStats)`), or an element of such a slice of struct values
   * (`res.e[i]` with `e: make([]listElement, n)`). Null otherwise.
   */
  private freshFieldRoot(node: LNode | null): number | null {
    if (!node) return null;
    let n = unparen(node);
    if (n.type === 'index_expression') {
      const t = this.types.typeOf(n);
      if (!t || t.trim().startsWith('*') || !this.index.structs.has(baseTypeName(t))) return null;
      n = child(n, 'operand') ?? n;
    }
    const vf = this.varField(n);
    return vf && vf.v.freshFields?.includes(vf.field) ? vf.v.id : null;
  }

  /** `b.stats = &BrokerStats{}` on a fresh local b adds `stats` to b's fresh fields; anything else removes it. */
  private noteFreshFieldAssign(left: LNode, right: LNode | null): void {
    const vf = this.varField(left);
    if (!vf || !(vf.v.fresh || vf.v.fromCall) || vf.v.func !== this.fn.index) return;
    const rest = (vf.v.freshFields ?? []).filter((f) => f !== vf.field);
    vf.v.freshFields = right && this.builtHere(right) ? [...rest, vf.field] : rest;
    // `x.f = newF()`: its own if newF returns a fresh value (decided after the walk).
    const calls = (vf.v.fieldCalls ?? []).filter((c) => c.field !== vf.field);
    const call = right && !this.builtHere(right) && unparen(right).type === 'call_expression' ? this.fromCallOf(unparen(right), 0, 0) : null;
    if (call) calls.push({ field: vf.field, call });
    if (calls.length > 0 || vf.v.fieldCalls) vf.v.fieldCalls = calls;
    if (!(vf.v.assignedFields ?? []).includes(vf.field)) (vf.v.assignedFields ??= []).push(vf.field);
  }

  /** The fields a struct literal sets to the result of an in-package call (`&T{stats: newStats()}`). */
  private callFields(val: LNode): { field: string; call: FromCall }[] {
    const out: { field: string; call: FromCall }[] = [];
    for (const { field, value } of keyedValues(this.file, val)) {
      const v = unparen(value);
      const call = v.type === 'call_expression' ? this.fromCallOf(v, 0, 0) : null;
      if (call) out.push({ field, call });
    }
    return out;
  }

  /** `Keeper{mu: &t.tokensMu}`: what each mutex-pointer field of a struct literal points to. */
  private noteLockFieldsOf(lit: LNode, body: LNode): void {
    const t = this.types.typeOf(lit);
    const st = t ? baseTypeName(t) : null;
    const info = st ? this.index.structs.get(st) : undefined;
    if (!st || !info) return;
    for (const el of body.children) {
      if (el.type !== 'keyed_element' || el.children.length < 2) continue;
      const name = this.t(el.children[0]!).trim();
      const f = info.fields.get(name);
      if (!f || !isLockPointerType(f.type)) continue;
      const value = el.children[el.children.length - 1]!;
      const v = value.type === 'literal_element' ? (value.children[0] ?? value) : value;
      this.facts.lockFieldValues.push({ field: `${st}.${name}`, target: this.lockTarget(v) });
    }
  }

  /** `k.mu = &t.tokensMu`: an assignment to a mutex-pointer field. */
  private noteLockFieldAssign(left: LNode, right: LNode | null): void {
    const l = unparen(left);
    if (l.type !== 'selector_expression') return;
    const t = this.types.selectorType(l);
    if (!t || !isLockPointerType(t)) return;
    const inner = child(l, 'operand');
    const field = child(l, 'field');
    const it = inner ? this.types.typeOf(inner) : null;
    const st = it ? baseTypeName(it) : null;
    if (!st || !field || !this.index.structs.has(st)) return;
    const f = lookupField(this.index, st, this.t(field));
    this.facts.lockFieldValues.push({ field: `${f?.owner ?? st}.${this.t(field)}`, target: right ? this.lockTarget(right) : null });
  }

  /** Normalised lock name: `s.mu` in a method of Store → `Store.mu`; `s.Lock()` with embedded mutex → `Store`. */
  private lockName(operand: LNode): string {
    const n = unparen(operand);
    if (n.type === 'identifier') {
      const name = this.t(n);
      const v = this.scope.lookup(name);
      if (v) {
        if (v.lockOf) return v.lockOf;
        const st = v.type ? baseTypeName(v.type) : null;
        if (st && this.index.structs.has(st)) return promotedLockOwner(this.index, st) ?? st;
        return `${name}@${v.func}:${v.start}`;
      }
      // A package variable of a struct type embedding the mutex is named by its type.
      const pv = this.index.vars.get(name);
      const pt = pv ? this.types.typeOf(n) : null;
      if (pt && this.index.structs.has(baseTypeName(pt))) return promotedLockOwner(this.index, baseTypeName(pt)) ?? baseTypeName(pt);
      return name;
    }
    if (n.type === 'selector_expression') {
      const inner = child(n, 'operand');
      const field = child(n, 'field');
      if (inner && field) {
        // `s.queue.Lock()` where queue's type embeds the mutex: the same lock as `q.Lock()` in its methods.
        const nt = this.types.typeOf(n);
        const own = embedsMutex(this.index, nt);
        if (own) return own;
        // `s.auto.RLock()` where Auto embeds `*Zones`, which embeds the mutex beside its maps.
        const ntName = nt ? baseTypeName(nt) : null;
        const promoted = ntName ? promotedLockOwner(this.index, ntName) : null;
        if (promoted && promoted !== ntName && embedsMutex(this.index, promoted)) return promoted;
        const t = this.types.typeOf(inner);
        const st = t ? baseTypeName(t) : null;
        if (st && this.index.structs.has(st)) {
          const f = lookupField(this.index, st, this.t(field));
          return `${f?.owner ?? st}.${this.t(field)}`;
        }
      }
    }
    // Striped locks (`s.locks[i].Lock()`, `h.series.locks[stripe]`): one name for every stripe.
    // The convention pairs stripe i of the locks with stripe i of the data; which index a call
    // uses is not tracked, so the stripes count as one lock (docs/locks.md).
    if (n.type === 'index_expression') {
      const base = child(n, 'operand');
      if (base) return `${this.lockName(base)}[]`;
    }
    return this.t(n).replace(/\s+/g, '');
  }

}

/**
 * A loop over a collection that locks (or unlocks) each element's mutex and does nothing else
 * with jumps (`for _, p := range ps { p.mu.Lock() }`, the unlock loop in a deferred function):
 * after it, the function holds (or no longer holds) that mutex of every element, which the lock's
 * name (by the type that owns it, lock-identity.ts) stands for. syncthing's `InSync` locks every
 * process this way before it reads their maps (docs/locks.md). Any other loop leaves the locks as
 * they were before it: what its body takes it may take for some iterations only. Returns null
 * for those.
 */
function rangeOfLocks(file: ParsedFile, rangeClause: LNode | undefined, body: LNode | null | undefined, before: LockState, after: LockState): LockState | null {
  if (!rangeClause || !body) return null;
  // Only names that stand for a lock of every value of a type: not a variable of this function
  // (`name@func:pos`), not once.Do.
  const typed = (name: string) => !name.includes('@') && !name.startsWith('once:');
  const gained = [...after].filter(([name, mode]) => typed(name) && before.get(name) !== mode);
  const lost = [...before.keys()].filter((name) => typed(name) && !after.has(name));
  if (gained.length === 0 && lost.length === 0) return null;
  const masked = maskCommentsAndStrings(text(file, body));
  // Every iteration must reach the end of the body: no jump out, no skipped iteration, and no
  // function literal whose code the loop's state does not describe.
  if (/\b(?:break|continue|return|goto|func|select|switch|if)\b/.test(masked)) return null;
  const out = new Map(before);
  for (const name of lost) out.delete(name);
  for (const [name, mode] of gained) out.set(name, mode);
  return out;
}

/**
 * The join an expression blocks on before it completes: a channel receive (`<-done`,
 * `v, ok := <-ch`) or a `Wait()` call with no arguments (`wg.Wait()`, `err := g.Wait()`,
 * `return m, g.Wait()`) anywhere in it, outside function literals (those run later, if ever).
 * Returns the last name of the channel or group (`done` for `<-s.done`, `wg` for `s.wg.Wait()`),
 * null when it has none (`<-f()`), undefined when the expression waits for nothing.
 */
function waitName(file: ParsedFile, node: LNode | undefined | null): string | null | undefined {
  if (!node || !hasWaitMark(file, node.start, node.end)) return undefined;
  const lastName = (n: LNode | undefined): string | null => {
    const u = n ? unparen(n) : undefined;
    if (!u) return null;
    if (u.type === 'identifier') return text(file, u);
    if (u.type === 'selector_expression') {
      const f = child(u, 'field');
      return f ? text(file, f) : null;
    }
    // `<-ctx.Done()`, `<-time.After(d)`: named by the call, which no goroutine signals.
    if (u.type === 'call_expression') return `${lastName(child(u, 'function')) ?? ''}()`;
    return null;
  };
  const stack = [node];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.type === 'func_literal') continue;
    if (n.type === 'unary_expression' && n.op === '<-') return lastName(n.children[0]);
    if (n.type === 'call_expression') {
      const f = child(n, 'function');
      const field = f && f.type === 'selector_expression' ? child(f, 'field') : undefined;
      if (field && text(file, field) === 'Wait' && (child(n, 'arguments')?.children.length ?? 0) === 0) return lastName(child(f!, 'operand'));
    }
    for (const c of n.children) stack.push(c);
  }
  return undefined;
}

/**
 * Whether `<-` or `Wait` occurs in the file's text within [start, end): a join needs one of them,
 * and most statements have neither (a walk of their expression is skipped). The offsets are found
 * once per file.
 */
function hasWaitMark(file: ParsedFile, start: number, end: number): boolean {
  let marks = WAIT_MARKS.get(file);
  if (!marks) {
    marks = [];
    for (const m of file.text.matchAll(/<-|Wait/g)) marks.push(m.index!);
    WAIT_MARKS.set(file, marks);
  }
  let lo = 0;
  let hi = marks.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (marks[mid]! < start) lo = mid + 1;
    else hi = mid;
  }
  return lo < marks.length && marks[lo]! < end;
}

const WAIT_MARKS = new WeakMap<ParsedFile, number[]>();

/** Literals and predeclared names: an expression walk does nothing with them. */
const LITERAL_LEAVES = new Set([...LITERAL_TYPES, 'nil', 'true', 'false', 'iota']);

/**
 * Calls that only read their arguments while they run: the standard library's printing and
 * encoding, and the printing methods of testing.T and loggers (`t.Fatalf`, `log.Printf`).
 */
const READS_ARGUMENTS_ONLY =
  /^(?:(?:fmt|log)\.\w+|(?:json|xml)\.Marshal(?:Indent)?|[\w.]+\.(?:Errorf?|Fatalf?|Logf?|Skipf?|Printf?|Println|Panicf?|Debugf?|Infof?|Warnf?|Warningf?|Tracef?|Encode))$/;

/**
 * How an expression is used when that use hands on the whole value: `f(x)`, `y := x`, `return x`,
 * `&x`, `T{f: x}`, an assignment to it (`target`, with the value `assigned`). Null when it is only
 * the operand of a field selection or a method call (`x.f`, `x.m()`), or a statement of its own.
 */
function wholeValueUse(n: LNode): { node: LNode; parent: LNode; target: boolean; assigned: LNode | null } | null {
  let node = n;
  let parent = n.parent;
  while (parent && parent.type === 'parenthesized_expression') {
    node = parent;
    parent = parent.parent;
  }
  if (!parent) return null;
  if (parent.type === 'selector_expression' && child(parent, 'operand') === node) return null;
  if (parent.type === 'unary_expression' && parent.op === '&') {
    // `&x.f` handed on: the address is what the enclosing expression uses.
    const outer = wholeValueUse(parent);
    return outer ?? { node: parent, parent: parent.parent ?? parent, target: false, assigned: null };
  }
  if (parent.type === 'expression_list' && parent.field === 'left' && parent.parent?.type === 'assignment_statement') {
    const left = parent.children.filter((c) => c.type !== ',');
    const right = child(parent.parent, 'right');
    const values = right ? (right.type === 'expression_list' ? right.children.filter((c) => c.type !== ',') : [right]) : [];
    const i = left.indexOf(node);
    return { node, parent, target: true, assigned: values.length === left.length ? (values[i] ?? null) : null };
  }
  // A statement of its own, or compared (`st == nil`): nothing is handed on.
  if (parent.type === 'expression_statement' || (parent.type === 'binary_expression' && (parent.op === '==' || parent.op === '!='))) return null;
  return { node, parent, target: false, assigned: null };
}

/** The keyed elements of a struct literal (`&T{f: v}`, `T{f: v}`): each field name and its value. */
function keyedValues(file: ParsedFile, val: LNode): { field: string; value: LNode }[] {
  let lit = unparen(val);
  if (lit.type === 'unary_expression' && lit.op === '&' && lit.children[0]) lit = unparen(lit.children[0]);
  const body = lit.type === 'composite_literal' ? child(lit, 'body') : null;
  const out: { field: string; value: LNode }[] = [];
  for (const el of body?.children ?? []) {
    if (el.type !== 'keyed_element' || el.children.length < 2) continue;
    const value = el.children[el.children.length - 1]!;
    out.push({ field: text(file, el.children[0]!).trim(), value: value.type === 'literal_element' ? (value.children[0] ?? value) : value });
  }
  return out;
}

/** `make(…)` or a composite literal with no element: a map or slice made empty right there. */
function madeEmpty(file: ParsedFile, node: LNode): boolean {
  const n = unparen(node);
  return isMakeCall(file, n) || (n.type === 'composite_literal' && emptyLiteral(n));
}

function isMakeCall(file: ParsedFile, node: LNode): boolean {
  const n = unparen(node);
  const f = n.type === 'call_expression' ? child(n, 'function') : null;
  return !!f && text(file, f) === 'make';
}

/** `map[K]V{}`: a composite literal with no element. */
function emptyLiteral(n: LNode): boolean {
  const body = child(n, 'body');
  return !!body && body.children.every((c) => c.type === 'comment');
}

function isFreshMapValue(file: ParsedFile, node: LNode): boolean {
  const n = unparen(node);
  if (n.type === 'nil') return true;
  if (n.type === 'composite_literal') return true;
  return isMakeCall(file, n);
}

/** The operand whose field a map access goes through: `x` in `x.m[k]`, `delete(x.m, k)`. */
function fieldBase(node: LNode): LNode | null {
  let n = unparen(node);
  if (n.type === 'call_expression') {
    const arg = child(n, 'arguments')?.children[0];
    if (!arg) return null;
    n = unparen(arg);
  }
  while (n.type === 'index_expression') n = unparen(child(n, 'operand') ?? n);
  if (n.type === 'for_statement') {
    const rc = n.children.find((c) => c.type === 'range_clause');
    const right = rc ? child(rc, 'right') : undefined;
    if (!right) return null;
    n = unparen(right);
  }
  return n.type === 'selector_expression' ? (child(n, 'operand') ?? null) : null;
}

/** The element type of `[]T`, `[N]T`, `*[N]T` or `chan T` (ranged over: index and element, or values). */
function elementType(type: string): { type: string; chan: boolean } | null {
  const t = type.trim().replace(/^\*/, '');
  const slice = /^\[[^\]]*\](.+)$/.exec(t);
  if (slice) return { type: slice[1]!.trim(), chan: false };
  const chan = /^(?:<-)?chan(?:<-)?\s+(.+)$/.exec(t);
  if (chan) return { type: chan[1]!.trim(), chan: true };
  return null;
}

function firstLine(text: string): string {
  const nl = text.indexOf('\n');
  const line = nl >= 0 ? `${text.slice(0, nl).trimEnd()} …` : text;
  return line.length > 120 ? `${line.slice(0, 117)}…` : line;
}

function escapeKindFor(role: Role): EscapeKind | null {
  switch (role) {
    case 'return':
      return 'return';
    case 'send':
      return 'send';
    case 'store':
      return 'store';
    case 'callback':
      return 'callback';
    case 'call':
      return 'call';
    default:
      return null;
  }
}

function sameSummary(a: LockSummary, b: LockSummary): boolean {
  return a === b || JSON.stringify(a) === JSON.stringify(b);
}

function sameState(a: LockState, b: LockState): boolean {
  return a.size === b.size && [...a].every(([k, v]) => b.get(k) === v);
}

function intersect(a: LockState, b: LockState): LockState {
  const out: LockState = new Map();
  for (const [k, v] of a) {
    const w = b.get(k);
    if (w) out.set(k, v === 'write' && w === 'write' ? 'write' : 'read');
  }
  return out;
}

function collectSpecs(decl: LNode): LNode[] {
  const out: LNode[] = [];
  for (const c of decl.children) {
    if (c.type === 'var_spec') out.push(c);
    else if (c.type === 'var_spec_list') out.push(...c.children.filter((x) => x.type === 'var_spec'));
  }
  return out;
}

/** Pushes `n`'s children last-first, so popping visits them in source order. */
function pushChildren(work: [LNode, Role][], n: LNode, role: Role): void {
  for (let i = n.children.length - 1; i >= 0; i--) work.push([n.children[i]!, role]);
}
