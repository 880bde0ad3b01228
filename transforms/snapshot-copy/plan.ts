// snapshot-copy: where a lock-guarded map leaves its lock (returned, sent, stored, passed to a
// callback), hand out a copy taken while the lock is held; where code ranges over the shared map
// without the lock, range over a copy taken under the read lock.
import type { Finding, MapDecl } from '../../src/analysis/model.js';
import type { ResolvedSite } from '../../src/analysis/concurrency.js';
import { goLockName } from '../../src/analysis/rules/lock-names.js';
import { isWrite } from '../../src/analysis/conflicts.js';
import type { ParsedFile } from '../../src/analysis/package-index.js';
import type { SharedMap } from '../../src/analysis/rules/shared-map.js';
import { unguardedGroupOf } from '../../src/analysis/rules/unguarded-map-access.js';
import type { SyntaxNode } from '../../src/parse/parser.js';
import type { Fix, TextEdit } from '../../src/plan/model.js';
import { addressTakenSites, sharedMapOf, type PackageView, type TransformResult } from '../../src/plan/transform.js';
import { ancestorOfType, descendants, enclosingFunction, isAssignedTo, indentAt, isFunctionBodyList, isStablePath, lineStart, listedStatementOf, nodeAt, sameNode, statementsOfList } from '../../src/plan/go-syntax.js';
import { clonerFor, mapTypeOf, type Cloner } from './clone.js';
import { guardAt, readLockCalls, type GuardLock } from './lock.js';
import { Decline, decline, declining, lineOf, siteAt as at } from '../../src/plan/decline.js';
import { callWithLockHeld } from '../../src/plan/callers.js';

export function planSnapshot(finding: Finding, pkg: PackageView): TransformResult {
  return declining(() => buildFix(finding, pkg));
}

/** The edits that resolve one finding, and what a reviewer should know about them. */
interface Rewrite {
  edits: TextEdit[];
  /** `input.go:19 returns a copy`, for the reason. */
  what: string;
  /** Facts a reviewer should know that do not block the fix. */
  notes: string[];
  /** Why the fix needs a human look (marks it review). */
  reviews: string[];
  /** Other sites whose rewrites this one relies on (the getter returns a read goes through). */
  requires?: ResolvedSite[];
}

interface Context {
  pkg: PackageView;
  shared: SharedMap;
  guard: string;
  files: Map<string, ParsedFile>;
  cloner: Cloner;
  /** Names of snapshot variables taken per function (by start offset), so two do not collide. */
  names: Map<number, Set<string>>;
  /** Each site's rewrite, or the reason it has none (planned once per site). */
  bySite: Map<ResolvedSite, Rewrite | string>;
}

const HOW: Record<string, string> = { return: 'returned', send: 'sent on a channel', store: 'stored elsewhere', callback: 'passed to a callback' };

function buildFix(finding: Finding, pkg: PackageView): Fix {
  const shared = sharedMapOf(finding, pkg) ?? decline('the package facts do not know this map');
  const decl = shared.decl;
  const site = siteOf(finding, shared);
  if (!shared.guard) {
    decline(`no lock guards ${decl.name} anywhere (${at(site ?? finding)}): a copy taken without a lock races with the writers itself; guard the map first (mutex-wrap)`);
  }
  const guard = shared.guard!;
  const files = new Map(pkg.files.map((f) => [f.rel, f]));
  const siteFiles = [...new Set(shared.sites.map((s) => s.span.file))].map((rel) => files.get(rel)!).filter(Boolean);
  const cloner = clonerFor(decl, pkg, siteFiles);
  if (cloner.problem) decline(cloner.problem);
  const ctx: Context = { pkg, shared, guard, files, cloner, names: new Map(), bySite: new Map() };

  // Plan every finding of the map; one fix covers all that can be rewritten. An unguarded-map-access
  // finding stands for every unguarded access of its function: it is covered only when all are.
  const outcomes = new Map<Finding, Rewrite[] | string>();
  const outcome = (f: Finding): Rewrite[] | string => {
    let r = outcomes.get(f);
    if (r === undefined) outcomes.set(f, (r = planFinding(f, ctx)));
    return r;
  };
  const own = outcome(finding);
  if (typeof own === 'string') decline(own);
  const covered = pkg.findings.filter((f) => f.map.key === decl.key && typeof outcome(f) !== 'string');
  const planned = new Set(covered.flatMap((f) => outcome(f) as Rewrite[]));
  for (const r of [...planned]) {
    for (const req of r.requires ?? []) {
      const p = planSite(req, ctx);
      if (typeof p !== 'string') planned.add(p);
    }
  }
  const rewrites = [...planned];
  if (rewrites.every((r) => r.edits.length === 0)) decline(`nothing to rewrite for ${decl.name}: no access where it leaves ${goLockName(guard, pkg.index)} could be found`);

  const edits: TextEdit[] = rewrites.flatMap((r) => r.edits);
  const imports: Record<string, string[]> = {};
  const addImport = (file: string, path: string) => {
    const list = imports[file] ?? [];
    if (!list.includes(path)) list.push(path);
    imports[file] = list;
  };
  if (cloner.usesMapsPackage) for (const e of edits) if (e.text.includes('maps.Clone(')) addImport(e.file, 'maps');
  if (cloner.helper) {
    edits.push(...cloner.helper.edits);
    for (const p of cloner.helperImports) addImport(cloner.helper.file, p);
  }

  const shallow = shallowNote(decl, pkg);
  const elementWrites = shallow ? writesIntoValues(shared, files) : [];
  const reviews = [...new Set(rewrites.flatMap((r) => r.reviews))];
  if (elementWrites.length > 0) reviews.push(`${elementWrites.join(', ')} write${elementWrites.length === 1 ? 's' : ''} into a value the copies share; the copy does not make that safe`);
  const notes = [...new Set(rewrites.flatMap((r) => r.notes))];
  const n = rewrites.filter((r) => r.edits.length > 0).length;
  const title =
    `snapshot-copy: copy ${decl.name} while ${goLockName(guard, pkg.index)} is held (${n} site${n === 1 ? '' : 's'}), with ${cloner.how}` + (shallow ? `; ${shallow}` : '');
  const sentences = [
    `${decl.name} is guarded by ${goLockName(guard, pkg.index)}: ${[...new Set(rewrites.map((r) => r.what))].join('; ')}`,
    `Each copy is private to whoever receives it: later writes to ${decl.name} no longer race with its readers, and writes into a copy no longer reach ${decl.name}`,
    ...(shallow ? [shallow] : []),
    ...notes,
    ...(reviews.length > 0 ? [`Review: ${reviews.join('; ')}`] : []),
  ];
  const reason = `${sentences.map(capitalise).join('. ')}.`;
  const ids = covered.map((f) => f.id);
  return {
    findingId: finding.id,
    covers: ids.includes(finding.id) ? ids : [finding.id, ...ids],
    transform: 'snapshot-copy',
    title,
    safety: reviews.length > 0 ? 'review' : 'safe',
    edits,
    imports,
    reason,
  };
}

/** The rewrites of every access a finding stands for, or why one of them has none. */
function planFinding(f: Finding, ctx: Context): Rewrite[] | string {
  const s = siteOf(f, ctx.shared);
  if (!s) return `the finding at ${at(f)} has no access site the transform can read`;
  const group = f.rule === 'unguarded-map-access' ? unguardedGroupOf(ctx.shared, s) : [s];
  const out: Rewrite[] = [];
  for (const x of [s, ...group.filter((g) => g !== s)]) {
    const p = planSite(x, ctx);
    if (typeof p === 'string') return x === s ? p : `${at(x)}, reported with ${at(s)} (the same function), cannot use the copy: ${p}`;
    out.push(p);
  }
  return out;
}

/** Capitalises a sentence that starts with a word of prose (never a Go name or a file). */
function capitalise(s: string): string {
  return /^(the|a|an|each|shallow|review)\b/.test(s) ? s[0]!.toUpperCase() + s.slice(1) : s;
}

/** The access a finding is placed at. */
function siteOf(f: Finding, shared: SharedMap): ResolvedSite | undefined {
  const here = shared.sites.filter((s) => s.span.file === f.span.file && s.span.start === f.span.start);
  if (f.rule === 'map-escapes-lock') return here.find((s) => s.kind === 'escape');
  return here.find((s) => s.kind === 'range') ?? here[0];
}

/** The site's rewrite or the reason it has none, planned once. */
function planSite(site: ResolvedSite, ctx: Context): Rewrite | string {
  let r = ctx.bySite.get(site);
  if (r === undefined) {
    try {
      r = rewriteSite(site, ctx);
    } catch (err) {
      if (!(err instanceof Decline)) throw err;
      r = err.message;
    }
    ctx.bySite.set(site, r);
  }
  return r;
}

function rewriteSite(site: ResolvedSite, ctx: Context): Rewrite {
  const addressed = addressTakenSites(ctx.shared, ctx.pkg).find((a) => a.site === site);
  if (addressed) decline(`${addressed.why}; a copy would take the writes meant for the map (and &${ctx.cloner.call(site.text)} does not compile)`);
  if (site.viaReturn) return throughResult(site, ctx);
  if (site.kind === 'escape' && site.escape && site.escape in HOW) return escapeRewrite(site, ctx);
  if (site.kind === 'range') return rangeRewrite(site, ctx);
  // A read in the body of a range that now ranges over a snapshot reads the snapshot.
  const range = ctx.shared.sites.find((r) => r.kind === 'range' && site.raw.inRanges.includes(r.raw.id));
  if (site.kind === 'read' && range) {
    const planned = planSite(range, ctx);
    if (typeof planned !== 'string') return { edits: [], what: `${at(site)} now reads the snapshot of the range at ${at(range)}`, notes: [], reviews: [] };
  }
  const what = site.kind === 'read' ? 'reads' : site.kind === 'delete' ? 'deletes from' : site.kind === 'clear' ? 'clears' : 'writes';
  return decline(`${at(site)} ${what} ${ctx.shared.decl.name} without ${goLockName(ctx.guard, ctx.pkg.index)} (${site.text}): it neither hands the map out nor ranges over it, so a copy cannot replace it; mutex-wrap adds the missing lock`);
}

/**
 * An access through the result of a getter (`for … range s.All()`): once every return of the
 * map hands out a copy, it reads a private copy and needs no edit of its own.
 */
function throughResult(site: ResolvedSite, ctx: Context): Rewrite {
  const returns = ctx.shared.sites.filter((s) => s.kind === 'escape' && s.escape === 'return' && !s.viaReturn);
  if (returns.length === 0) decline(`${at(site)} reaches ${ctx.shared.decl.name} through a function's result (${site.text}), but no return of the map was found to copy`);
  for (const r of returns) {
    const planned = planSite(r, ctx);
    if (typeof planned === 'string') decline(`${at(site)} reaches ${ctx.shared.decl.name} through a function's result (${site.text}), and the return at ${at(r)} cannot hand out a copy: ${planned}`);
  }
  return { edits: [], what: `${at(site)} now uses the copy returned at ${returns.map(at).join(', ')}`, notes: [], reviews: [], requires: returns };
}

// ---- escapes: return, send, store, callback ----

function escapeRewrite(site: ResolvedSite, ctx: Context): Rewrite {
  const file = ctx.files.get(site.span.file) ?? decline(`${site.span.file} was not scanned`);
  const node = nodeAt(file, site.span.start, site.span.end);
  if (node.text !== site.text) decline(`cannot find the expression ${site.text} at ${at(site)}`);
  const how = HOW[site.escape!]!;
  const held = site.locks.find((l) => l.name === ctx.guard);
  const reviews = site.escape === 'return' ? writesThroughResult(site, ctx) : [];
  const notes: string[] = [];
  if (held && (site.escape === 'send' || site.escape === 'callback')) {
    notes.push(`the ${site.escape === 'send' ? 'send' : 'callback'} at ${at(site)} still runs with ${goLockName(ctx.guard, ctx.pkg.index)} held, as before`);
  }
  if (site.escape === 'callback') notes.push(`a callback that wrote into the map it was given now writes into the copy`);
  const target = site.escape === 'store' ? storeTarget(node) : null;
  if (target && ctx.pkg.index.vars.has(target)) {
    notes.push(`${at(site)} stores the copy in the package variable ${target}: code that replaces and reads ${target} at the same time still needs its own lock`);
  }
  if (held) {
    return {
      edits: [{ file: file.rel, start: node.startIndex, end: node.endIndex, text: ctx.cloner.call(node.text) }],
      what: `${at(site)} (${how}) now hands out ${ctx.cloner.call(node.text)}, taken while ${goLockName(ctx.guard, ctx.pkg.index)} is held`,
      notes,
      reviews,
    };
  }
  if (site.escape === 'return') {
    const alias = aliasRewrite(site, node, file, ctx);
    if (alias) return { ...alias, reviews, notes };
    const locked = lockedReturnRewrite(site, node, file, ctx);
    if (locked) return { ...locked, reviews, notes };
  }
  const before = beforeUnlockRewrite(site, node, file, ctx);
  if (before) return { ...before, reviews, notes };
  return decline(
    `${at(site)} hands out ${site.text} (${how}) without ${goLockName(ctx.guard, ctx.pkg.index)} held, and the copy cannot be moved to where the lock is held: ` +
      `a copy taken there would race with the writers itself; take the copy while ${goLockName(ctx.guard, ctx.pkg.index)} is held by hand`,
  );
}

/** `x = <node>`: the single target the map is stored in, as written. */
function storeTarget(node: SyntaxNode): string | null {
  const list = node.parent;
  const stmt = list?.parent;
  if (list?.type !== 'expression_list' || stmt?.type !== 'assignment_statement' || list.namedChildCount !== 1) return null;
  const left = stmt.childForFieldName('left');
  return left?.namedChildCount === 1 ? left.namedChildren[0]!.text : null;
}

/**
 * `c.mu.Lock(); m := c.items; c.mu.Unlock(); return m`: the map leaves the lock at the
 * assignment, so the copy is taken there. Only when `m` is used nowhere else.
 */
function aliasRewrite(site: ResolvedSite, node: SyntaxNode, file: ParsedFile, ctx: Context): Pick<Rewrite, 'edits' | 'what'> | null {
  if (node.type !== 'identifier') return null;
  const fn = enclosingFunction(node);
  if (!fn) return null;
  const name = node.text;
  const { assigns, uses } = assignmentsOf(fn, name);
  if (assigns.length !== 1 || uses !== 2) {
    if (assigns.length === 1) decline(`${at(site)} returns ${name}, which holds ${ctx.shared.decl.name} and is used elsewhere in the function; copying where it is assigned could change what that code sees: take the copy by hand`);
    return null;
  }
  const assign = assigns[0]!;
  const locked = lockedMapValue(assign, ctx);
  if (!locked) return null;
  const { value, lock } = locked;
  return {
    edits: [{ file: file.rel, start: value.startIndex, end: value.endIndex, text: ctx.cloner.call(value.text) }],
    what: `${at(site)} returns ${name}, which is now ${ctx.cloner.call(value.text)} taken while ${lock.expr} is held (${lineOf(file, assign.startIndex)})`,
  };
}

/**
 * `mu.Lock(); …; mu.Unlock(); …; cb(s.m)`: the map is handed out after this function released
 * the lock that guards it. The copy is taken into a local right before that Unlock, and the local
 * is handed out instead. Only on a straight path: the Unlock is an earlier statement of the
 * escape's block or of an enclosing block (through `if`s and plain blocks, never a loop or a
 * function literal, where one copy would be handed out several times), and nothing in between uses
 * the map. Declines (null) when the shape does not fit; a decline with a reason when it nearly does.
 */
function beforeUnlockRewrite(site: ResolvedSite, node: SyntaxNode, file: ParsedFile, ctx: Context): Pick<Rewrite, 'edits' | 'what'> | null {
  if (!isMapExpression(node, ctx.shared.decl)) return null;
  const lock = guardAt(ctx.guard, ctx.shared.decl, node, ctx.pkg);
  const fn = enclosingFunction(node);
  if (!lock || !fn) return null;
  const unlocks = [`${lock.expr}.Unlock()`, `${lock.expr}.RUnlock()`];
  const compact = (x: SyntaxNode) => x.text.replace(/\s+/g, '');
  let unlock: SyntaxNode | null = null;
  for (let cur = listedStatementOf(node); cur && !unlock; ) {
    const list = cur.parent!;
    const stmts = statementsOfList(list);
    const idx = stmts.findIndex((x) => sameNode(x, cur));
    for (let j = idx - 1; j >= 0; j--) {
      const t = compact(stmts[j]!);
      if (t.includes(`${lock.expr}.Lock()`) || t.includes(`${lock.expr}.RLock()`)) return null;
      if (unlocks.includes(t)) {
        if (!heldAt(stmts[j]!, lock)) return null;
        unlock = stmts[j]!;
        break;
      }
    }
    if (unlock) break;
    // Up one block: through a plain block or an if, never out of a loop, a case or a literal.
    let up: SyntaxNode | null = list.parent;
    if (up?.type === 'block') up = up.parent;
    if (!up || sameNode(up, fn)) return null;
    if (up.type === 'for_statement' || up.type === 'func_literal') {
      decline(`${at(site)} hands out ${site.text} in a loop after ${lock.expr} is released: one copy taken before the unlock would be handed out several times; take a copy per use by hand`);
    }
    if (up.type !== 'if_statement' && up.type !== 'block') return null;
    cur = listedStatementOf(up);
  }
  if (!unlock || !sameNode(enclosingFunction(unlock), fn)) return null;
  const between = ctx.shared.sites.find((o) => o !== site && o.span.file === site.span.file && o.span.start >= unlock!.endIndex && o.span.end <= node.startIndex);
  if (between) decline(`${at(between)} uses ${ctx.shared.decl.name} between the unlock (${lineOf(file, unlock.startIndex)}) and where it is handed out (${at(site)}); a copy taken at the unlock would miss it: take the copy by hand`);
  const snap = freshName('snapshot', fn, ctx);
  const nl = file.text.includes('\r\n') ? '\r\n' : '\n';
  const indent = indentAt(file.text, unlock.startIndex);
  return {
    edits: [
      { file: file.rel, start: unlock.startIndex, end: unlock.startIndex, text: `${snap} := ${ctx.cloner.call(node.text)}${nl}${indent}` },
      { file: file.rel, start: node.startIndex, end: node.endIndex, text: snap },
    ],
    what: `${at(site)} (${HOW[site.escape!]}) now hands out ${snap}, ${ctx.cloner.call(node.text)} taken before ${unlock.text.trim()} (${lineOf(file, unlock.startIndex)}) while ${lock.expr} is still held`,
  };
}

/** Whether `expr` spells the map itself: `x.field` for a field, the name for a package map. */
function isMapExpression(expr: SyntaxNode, decl: MapDecl): boolean {
  const field = decl.name.split('.').pop()!;
  if (decl.kind === 'field') return expr.type === 'selector_expression' && expr.childForFieldName('field')?.text === field;
  return expr.type === 'identifier' && expr.text === decl.name;
}

/** Whether `lock` is held at `stmt`, judged from the Lock/Unlock calls before it in its statement list. */
function heldAt(stmt: SyntaxNode, lock: GuardLock): boolean {
  const listed = listedStatementOf(stmt);
  if (!listed) return false;
  let held = false;
  for (const s of statementsOfList(listed.parent!)) {
    if (sameNode(s, listed)) return held;
    const t = s.text.replace(/\s+/g, '');
    if (t === `${lock.expr}.Lock()` || t === `${lock.expr}.RLock()`) held = true;
    else if (t === `${lock.expr}.Unlock()` || t === `${lock.expr}.RUnlock()`) held = false;
  }
  return false;
}

/**
 * `func (c *C) Items() map[K]V { return c.items }` with no lock at all: the copy is taken under
 * the read lock, `RLock(); defer RUnlock()`, unless a caller already holds the lock.
 */
function lockedReturnRewrite(site: ResolvedSite, node: SyntaxNode, file: ParsedFile, ctx: Context): Pick<Rewrite, 'edits' | 'what'> | null {
  const ret = node.parent?.type === 'expression_list' ? node.parent.parent : node.parent;
  if (!ret || ret.type !== 'return_statement' || !isMapExpression(node, ctx.shared.decl)) return null;
  const list = ret.parent;
  if (!list || list.type !== 'statement_list' || !isFunctionBodyList(list) || statementsOfList(list).length !== 1) return null;
  if ((ret.namedChildren[0]?.namedChildCount ?? 1) > 1 && ret.namedChildren[0]?.type === 'expression_list') return null;
  const lock = guardAt(ctx.guard, ctx.shared.decl, node, ctx.pkg);
  if (!lock) return null;
  const caller = heldByCaller(site.func, ctx.guard, ctx.pkg);
  if (caller) decline(`${at(site)} returns ${site.text} without ${goLockName(ctx.guard, ctx.pkg.index)}, but ${caller}; locking inside it to take the copy would deadlock`);
  const [lockCall, unlockCall] = readLockCalls(lock);
  const nl = file.text.includes('\r\n') ? '\r\n' : '\n';
  const indent = indentAt(file.text, ret.startIndex) || '\t';
  const sameLine = file.lines.position(ret.startIndex).line === file.lines.position(list.parent!.startIndex).line;
  const lead = sameLine ? `${nl}${indent}` : '';
  return {
    edits: [
      { file: file.rel, start: ret.startIndex, end: ret.startIndex, text: `${lead}${lockCall}${nl}${indent}defer ${unlockCall}${nl}${indent}` },
      { file: file.rel, start: node.startIndex, end: node.endIndex, text: ctx.cloner.call(node.text) },
    ],
    what: `${at(site)} returned ${site.text} without any lock; it now takes ${lockCall.replace(/\(\)$/, '')} and returns ${ctx.cloner.call(node.text)}`,
  };
}

/** The first caller (transitively) that calls `func` with `guard` held, described, or null. */
function heldByCaller(func: number, guard: string, pkg: PackageView): string | null {
  const flow = pkg.flow;
  const held = callWithLockHeld(flow, [func], guard);
  if (!held) return null;
  const caller = flow.index.funcs[held.call.caller]!;
  return `${flow.index.funcs[held.callee]!.name} ${held.how} ${goLockName(guard, pkg.index)} held (${lineOf(caller.file, held.call.pos)})`;
}

/**
 * Writes through the result of the function that returns the map: after the fix they write
 * into a private copy. Sites the analysis attributes through a return value, plus a syntactic
 * look for `x := recv.Getter()` followed by `x[k] = v`, `delete(x, k)` or `clear(x)` (bodies the
 * analysis skips, because they name no map, are read here too).
 */
function writesThroughResult(site: ResolvedSite, ctx: Context): string[] {
  const where = new Set<string>();
  for (const s of ctx.shared.sites) if (s.viaReturn && isWrite(s)) where.add(at(s));
  const fn = ctx.pkg.index.funcs[site.func]!;
  if (!fn.literal) {
    for (const file of ctx.pkg.files) {
      if (!file.text.includes(`${fn.name}(`)) continue;
      for (const call of descendants(file.tree.rootNode)) {
        if (call.type !== 'call_expression' || !callsGetter(call, fn.name, fn.recvType !== null)) continue;
        for (const w of writesThrough(call)) where.add(lineOf(file, w.startIndex));
      }
    }
  }
  if (where.size === 0) return [];
  const list = [...where].sort();
  return [`${list.join(', ')} write${list.length === 1 ? 's' : ''} through the result of ${fn.name}, which is now a copy: ${list.length === 1 ? 'that write no longer reaches' : 'those writes no longer reach'} ${ctx.shared.decl.name}`];
}

function callsGetter(call: SyntaxNode, name: string, method: boolean): boolean {
  const f = call.childForFieldName('function');
  if (!f) return false;
  if (method) return f.type === 'selector_expression' && f.childForFieldName('field')?.text === name;
  return f.type === 'identifier' && f.text === name;
}

/** Statements that write the map a call returns: directly (`f()[k] = v`) or through the variable it is assigned to. */
function writesThrough(call: SyntaxNode): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  if (isWrittenMap(call)) out.push(call);
  const list = call.parent;
  const stmt = list?.parent;
  if (list?.type !== 'expression_list' || !stmt || !/^(short_var_declaration|assignment_statement)$/.test(stmt.type)) return out;
  if (!sameNode(stmt.childForFieldName('right'), list) || list.namedChildCount !== 1) return out;
  const left = stmt.childForFieldName('left');
  if (left?.namedChildCount !== 1 || left.namedChildren[0]!.type !== 'identifier') return out;
  const name = left.namedChildren[0]!.text;
  const fn = enclosingFunction(stmt);
  if (!fn) return out;
  for (const id of descendants(fn)) {
    if (id.type === 'identifier' && id.text === name && id.startIndex > stmt.endIndex && isWrittenMap(id)) out.push(id);
  }
  return out;
}

/** Whether an expression is the map of `e[k] = v`, `e[k]++`, `delete(e, k)` or `clear(e)`. */
function isWrittenMap(e: SyntaxNode): boolean {
  const p = e.parent;
  if (!p) return false;
  if (p.type === 'argument_list') {
    const callee = p.parent?.childForFieldName('function')?.text;
    return (callee === 'delete' || callee === 'clear') && sameNode(p.namedChildren[0], e);
  }
  if (p.type !== 'index_expression' || !sameNode(p.childForFieldName('operand'), e)) return false;
  return isAssignedTo(p);
}

// ---- ranges over the shared map ----

function rangeRewrite(site: ResolvedSite, ctx: Context): Rewrite {
  const decl = ctx.shared.decl;
  const file = ctx.files.get(site.span.file) ?? decline(`${site.span.file} was not scanned`);
  const forNode = ancestorOfType(nodeAt(file, site.span.start, site.span.end), 'for_statement');
  if (!forNode) return decline(`cannot find the range statement at ${at(site)}`);
  const mutations = ctx.shared.sites.filter((s) => s.raw.inRanges.includes(site.raw.id) && isWrite(s));
  if (mutations.length > 0) {
    const m = mutations[0]!;
    const verb = m.kind === 'delete' ? 'deletes from' : m.kind === 'clear' ? 'clears' : 'writes';
    decline(`the range at ${at(site)} ${verb} ${decl.name} (${at(m)}: ${m.text}); ranging over a copy would not change what the loop does to the map (collect-then-delete applies)`);
  }
  const clause = forNode.namedChildren.find((c) => c.type === 'range_clause');
  const right = clause?.childForFieldName('right');
  if (!right) return decline(`cannot find what the range at ${at(site)} ranges over`);
  const lock = guardAt(ctx.guard, decl, right, ctx.pkg);
  if (right.type === 'identifier' && !isMapExpression(right, decl)) {
    const alias = rangeAliasRewrite(site, forNode, right, file, ctx);
    if (alias) return alias;
  }
  const through = right.type === 'selector_expression' ? right.childForFieldName('operand') : null;
  if (through && isMapExpression(right, decl) && !isStablePath(through)) {
    return decline(`the range at ${at(site)} reaches ${decl.name} through ${through.text}, which may be another value each time it is evaluated (it calls a function): a lock taken through it need not be the map's`);
  }
  if (!lock || !isMapExpression(right, decl)) {
    return decline(`the range at ${at(site)} reaches ${decl.name} as ${right.text}; the lock can only be named where the map is spelled as the field or variable itself`);
  }
  if (site.locks.some((l) => l.name === ctx.guard)) return lockedRangeRewrite(site, forNode, right, lock, file, ctx);
  // Other reads of the map inside the body read the snapshot instead (same values, no lock).
  const inBody = ctx.shared.sites.filter((s) => s !== site && s.raw.inRanges.includes(site.raw.id));
  const snapEdits: { node: SyntaxNode }[] = [];
  for (const s of inBody) {
    const n = nodeAt(file, s.span.start, s.span.end);
    const operand = s.kind === 'read' ? mapOperandOf(n) : null;
    if (!operand || operand.text !== right.text || s.span.file !== site.span.file) {
      decline(`the range body at ${at(s)} uses ${decl.name} again (${s.text}); only index reads and len can read the snapshot instead`);
    }
    snapEdits.push({ node: operand! });
  }
  const caller = heldByCaller(site.func, ctx.guard, ctx.pkg);
  if (caller) decline(`the range at ${at(site)} runs in ${caller}; taking the lock there to copy the map would deadlock`);
  const stmt = listedStatementOf(forNode) ?? decline(`the range at ${at(site)} is not a statement in a block`);
  const fn = enclosingFunction(forNode);
  const snap = freshName('snapshot', fn, ctx);
  const [lockCall, unlockCall] = readLockCalls(lock);
  const nl = file.text.includes('\r\n') ? '\r\n' : '\n';
  const indent = indentAt(file.text, stmt.startIndex);
  const edits: TextEdit[] = [
    { file: file.rel, start: stmt.startIndex, end: stmt.startIndex, text: `${lockCall}${nl}${indent}${snap} := ${ctx.cloner.call(right.text)}${nl}${indent}${unlockCall}${nl}${indent}` },
    { file: file.rel, start: right.startIndex, end: right.endIndex, text: snap },
    ...snapEdits.map(({ node }) => ({ file: file.rel, start: node.startIndex, end: node.endIndex, text: snap })),
  ];
  return {
    edits,
    what: `the range at ${at(site)} now ranges over ${snap}, a copy taken under ${lockCall.replace(/\(\)$/, '')}`,
    notes: [`the loop at ${at(site)} sees ${decl.name} as it was when the copy was taken`],
    reviews: [],
  };
}

/** The statements in fn that assign `name` alone (`name := …`, `name = …`), and how often fn names it. */
function assignmentsOf(fn: SyntaxNode, name: string): { assigns: SyntaxNode[]; uses: number } {
  const all = [...descendants(fn)];
  const assigns = all.filter((d) => {
    if (d.type !== 'short_var_declaration' && d.type !== 'assignment_statement') return false;
    const left = d.childForFieldName('left');
    return left?.namedChildCount === 1 && left.namedChildren[0]!.text === name;
  });
  return { assigns, uses: all.filter((d) => d.type === 'identifier' && d.text === name).length };
}

/** `m := c.items` with the lock guarding c.items held there: the map expression and the lock, or null. */
function lockedMapValue(assign: SyntaxNode, ctx: Context): { value: SyntaxNode; lock: GuardLock } | null {
  const right = assign.childForFieldName('right');
  if (!right || right.namedChildCount !== 1) return null;
  const value = right.namedChildren[0]!;
  const lock = guardAt(ctx.guard, ctx.shared.decl, value, ctx.pkg);
  if (!lock || !isMapExpression(value, ctx.shared.decl) || !heldAt(assign, lock)) return null;
  return { value, lock };
}

/**
 * `c.mu.Lock(); clusters := c.clusters; c.mu.Unlock(); for … range clusters {…}`: the map leaves
 * the lock at the assignment, so the copy is taken there and the loop ranges over it. Only when
 * the variable is used nowhere else in the function (nothing else sees the copy instead of the
 * map) and every loop around the range is around the assignment too (one copy per range).
 * Null when the shape does not fit; a decline with a reason when it nearly does.
 */
function rangeAliasRewrite(site: ResolvedSite, forNode: SyntaxNode, right: SyntaxNode, file: ParsedFile, ctx: Context): Rewrite | null {
  const fn = enclosingFunction(forNode);
  if (!fn) return null;
  const name = right.text;
  const { assigns, uses } = assignmentsOf(fn, name);
  if (assigns.length !== 1) return null;
  const assign = assigns[0]!;
  if (assign.startIndex > forNode.startIndex) return null;
  const locked = lockedMapValue(assign, ctx);
  if (!locked) return null;
  const { value: mapExpr, lock } = locked;
  const decl = ctx.shared.decl;
  if (!sameNode(enclosingFunction(assign), fn)) return null;
  if (uses !== 2) {
    decline(`the range at ${at(site)} ranges over ${name}, which holds ${decl.name} and is used elsewhere in the function; copying where it is assigned could change what that code sees: take the copy by hand`);
  }
  for (let up = forNode.parent; up && !sameNode(up, fn); up = up.parent) {
    if (up.type === 'for_statement' && !(up.startIndex <= assign.startIndex && assign.endIndex <= up.endIndex)) {
      decline(`the range at ${at(site)} runs in a loop that the assignment of ${name} (${lineOf(file, assign.startIndex)}) is outside of: one copy would be ranged over several times; take the copy by hand`);
    }
  }
  return {
    edits: [{ file: file.rel, start: mapExpr.startIndex, end: mapExpr.endIndex, text: ctx.cloner.call(mapExpr.text) }],
    what: `the range at ${at(site)} ranges over ${name}, now ${ctx.cloner.call(mapExpr.text)} taken while ${lock.expr} is held (${lineOf(file, assign.startIndex)})`,
    notes: [`the loop at ${at(site)} sees ${decl.name} as it was when the copy was taken`],
    reviews: [],
  };
}

/**
 * A range that holds the lock for the whole loop and calls out per entry: copy the map, release
 * the lock, then loop over the copy. Two shapes: `Lock(); …; for … {…}; Unlock()`, and
 * `Lock(); defer Unlock(); …; for … {…}` as the last statement of the function.
 */
function lockedRangeRewrite(site: ResolvedSite, forNode: SyntaxNode, right: SyntaxNode, lock: GuardLock, file: ParsedFile, ctx: Context): Rewrite {
  const where = `the range at ${at(site)} holds ${goLockName(ctx.guard, ctx.pkg.index)}${site.raw.range?.callsOut ? ` while it calls ${site.raw.range.callsOut}` : ''}`;
  if (!site.raw.locks.some((l) => l.name === ctx.guard)) decline(`${where}, taken by its callers; the loop cannot be moved out of a lock this function does not take`);
  const stmt = listedStatementOf(forNode);
  if (!stmt || !sameNode(stmt, forNode)) return decline(`${where}; only a plain range statement can be moved out of the lock`);
  const body = forNode.childForFieldName('body');
  const base = lock.expr.includes('.') ? lock.expr.slice(0, lock.expr.lastIndexOf('.')) : lock.expr;
  // The loop runs unlocked afterwards: it must not touch anything else the lock guards.
  const guarded = ctx.shared.decl.kind === 'field' ? new RegExp(`\\b${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\\b`) : null;
  if (!body || (guarded && guarded.test(body.text)) || (!guarded && [...ctx.pkg.index.vars.keys()].some((v) => new RegExp(`\\b${v}\\b`).test(body.text)))) {
    decline(`${where}, and its body uses ${guarded ? base : 'package state'} too; moving the loop out of the lock would leave that unguarded (collect-then-delete, or restructure by hand)`);
  }
  const list = statementsOfList(stmt.parent!);
  const idx = list.findIndex((x) => sameNode(x, stmt));
  const call = (x: SyntaxNode | undefined) => x?.text.replace(/\s+/g, '') ?? '';
  const unlocks = [`${lock.expr}.Unlock()`, `${lock.expr}.RUnlock()`];
  const nl = file.text.includes('\r\n') ? '\r\n' : '\n';
  const indent = indentAt(file.text, stmt.startIndex);
  const snap = freshName('snapshot', enclosingFunction(forNode), ctx);
  const edits: TextEdit[] = [{ file: file.rel, start: right.startIndex, end: right.endIndex, text: snap }];
  const next = list[idx + 1];
  let unlockCall: string;
  if (next && unlocks.includes(call(next))) {
    // `…; for … {…}; mu.Unlock()`: the unlock moves above the loop.
    if (returnsFrom(body!)) decline(`${where}, and a return inside the loop leaves with the lock held; restructure it by hand`);
    unlockCall = next.text.trim();
    edits.push(removeLine(file, next));
  } else {
    const deferIdx = list.findIndex((x, i) => i < idx && x.type === 'defer_statement' && unlocks.includes(call(x).replace(/^defer/, '')));
    if (idx !== list.length - 1 || deferIdx < 0 || !isFunctionBodyList(stmt.parent!)) {
      return decline(`${where}, and the lock is not released right after the loop (an Unlock statement, or a deferred Unlock with the loop as the last statement); restructure it by hand`);
    }
    const between = list.slice(deferIdx + 1, idx);
    if (between.some((x) => /\(/.test(x.text) || x.type === 'return_statement')) {
      decline(`${where}; the statements between its deferred Unlock and the loop (${lineOf(file, between[0]!.startIndex)}) would no longer unlock on a panic; restructure it by hand`);
    }
    const deferred = list[deferIdx]!;
    unlockCall = deferred.text.trim().replace(/^defer\s+/, '');
    edits.push(removeLine(file, deferred));
  }
  edits.push({ file: file.rel, start: stmt.startIndex, end: stmt.startIndex, text: `${snap} := ${ctx.cloner.call(right.text)}${nl}${indent}${unlockCall}${nl}${indent}` });
  return {
    edits,
    what: `${where}: the loop now ranges over ${snap}, a copy taken under the lock, after ${unlockCall}`,
    notes: [`the loop at ${at(site)} visits the entries as they were when the copy was taken: an entry removed meanwhile may still be visited once`],
    reviews: [`the calls in the loop at ${at(site)} now run without ${goLockName(ctx.guard, ctx.pkg.index)}; check that they do not rely on it`],
  };
}

/** Whether a body holds a `return` of its function (not of a nested function literal). */
function returnsFrom(body: SyntaxNode): boolean {
  // An explicit stack: bodies nest as deep as the input does.
  const stack = [body];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.type === 'func_literal') continue;
    if (n.type === 'return_statement') return true;
    for (const c of n.namedChildren) stack.push(c);
  }
  return false;
}

/** The edit that removes a statement with its whole line; declines when the line holds more. */
function removeLine(file: ParsedFile, stmt: SyntaxNode): TextEdit {
  const start = lineStart(file.text, stmt.startIndex);
  let end = file.text.indexOf('\n', stmt.endIndex);
  end = end < 0 ? file.text.length : end + 1;
  const rest = file.text.slice(stmt.endIndex, end).trim();
  if (file.text.slice(start, stmt.startIndex).trim() !== '' || (rest !== '' && !rest.startsWith('//'))) {
    decline(`${lineOf(file, stmt.startIndex)} shares its line with other code; move ${stmt.text.trim()} by hand`);
  }
  return { file: file.rel, start, end, text: '' };
}

/** For a read site node (`c.items[k]`, `len(c.items)`): the map operand, or null. */
function mapOperandOf(n: SyntaxNode): SyntaxNode | null {
  if (n.type === 'index_expression') return n.childForFieldName('operand');
  if (n.type === 'call_expression' && n.childForFieldName('function')?.text === 'len') return n.childForFieldName('arguments')?.namedChildren[0] ?? null;
  return null;
}

/** `base`, or `base2`, `base3`… when the function already uses that name (or this fix took it). */
function freshName(base: string, fn: SyntaxNode | null, ctx: Context): string {
  const key = fn?.startIndex ?? -1;
  const taken = ctx.names.get(key) ?? new Set<string>();
  ctx.names.set(key, taken);
  const text = fn?.text ?? '';
  for (let i = 1; ; i++) {
    const name = i === 1 ? base : `${base}${i}`;
    if (!taken.has(name) && !new RegExp(`\\b${name}\\b`).test(text)) {
      taken.add(name);
      return name;
    }
  }
}

// ---- shallow copies ----

const REFERENCE = /^(\[\]|map\[|\*|chan\b|<-chan\b)/;

/** `shallow copy: the []string values are shared` when the map's values are references, else null. */
export function shallowNote(decl: MapDecl, pkg: PackageView): string | null {
  const type = mapTypeOf(decl, pkg);
  if (!type) return null;
  const v = type.value.trim();
  if (REFERENCE.test(v)) return `shallow copy: the ${v} values are shared`;
  const named = pkg.index.namedTypes.get(v);
  if (named && REFERENCE.test(named.type.trim())) return `shallow copy: the ${v} values are shared`;
  const st = pkg.index.structs.get(v);
  const refs = st ? [...st.fields.values()].filter((f) => REFERENCE.test(f.type.trim())).map((f) => f.name) : [];
  if (refs.length > 0) return `shallow copy: the ${refs.join(', ')} field${refs.length === 1 ? '' : 's'} of the ${v} values ${refs.length === 1 ? 'is' : 'are'} shared`;
  return null;
}

/** Writes into the values of the map (`m[k][i] = v`, `m[k].n++`), which copies still share. */
function writesIntoValues(shared: SharedMap, files: Map<string, ParsedFile>): string[] {
  const out: string[] = [];
  for (const s of shared.sites) {
    if (s.kind !== 'read') continue;
    const file = files.get(s.span.file);
    if (!file) continue;
    let n = nodeAt(file, s.span.start, s.span.end);
    if (n.type !== 'index_expression') continue;
    let depth = 0;
    for (;;) {
      const p = n.parent;
      if (!p) break;
      const inner = (p.type === 'index_expression' || p.type === 'selector_expression') && sameNode(p.childForFieldName('operand'), n);
      if (!inner && p.type !== 'parenthesized_expression') break;
      n = p;
      depth++;
    }
    if (depth > 0 && isAssignedTo(n)) out.push(at(s));
  }
  return out;
}
