// collect-then-delete: rewrites a range over a map that deletes from it (or, in one goroutine,
// inserts into it) so the map is never mutated while it is being visited by another goroutine
// and no per-entry call runs under the map's lock. The other accesses of the map that lack its
// lock get it from mutex-wrap, so the whole fix is one edit set.
import type { Finding, MapDecl } from '../../src/analysis/model.js';
import type { ResolvedSite } from '../../src/analysis/concurrency.js';
import type { ParsedFile } from '../../src/analysis/package-index.js';
import type { SharedMap } from '../../src/analysis/rules/shared-map.js';
import type { SyntaxNode } from '../../src/parse/parser.js';
import type { Fix, TextEdit } from '../../src/plan/model.js';
import { addressTakenSites, goAtLeast, sharedMapOf, type PackageView, type TransformResult } from '../../src/plan/transform.js';
import { descendants, enclosingFunction, indentAt, isFunctionBodyList, lineStart, lockHazards, nodeAt, sameNode, statementsOfList } from '../../src/plan/go-syntax.js';
import { nameNodes } from '../../src/plan/occurrences.js';
import { planInline } from '../mutex-wrap/inline.js';
import { newMutexName } from '../mutex-wrap/naming.js';
import { sideEffect } from './purity.js';
import { callWithLockHeld } from '../../src/plan/callers.js';
import { rebindsKey } from '../../src/analysis/rules/range-benign.js';
import {
  assignedNames,
  Decline,
  decline,
  insideLiteral,
  lineOf,
  loopJumps,
  rangeLoopOf,
  reindent,
  returnsIn,
  splitMapType,
  uses,
  type RangeLoop,
} from './range-loop.js';
import { isOwnerLock } from '../../src/analysis/owner-locks.js';

export function planCollectThenDelete(finding: Finding, pkg: PackageView): TransformResult {
  try {
    return { fixes: [buildFix(finding, pkg)] };
  } catch (err) {
    if (err instanceof Decline) return { declined: err.message };
    throw err;
  }
}

/** The lock the rewritten range takes, spelled as at the range. */
interface LockUse {
  expr: string;
  /** A sync.RWMutex: the collecting pass takes only the read lock. */
  rw: boolean;
  /** The range already holds it: the statements that lock and unlock it around the range. */
  region: { start: number; end: number } | null;
  /**
   * The range holds only the read lock (`RLock` … `RUnlock` around it): the rewrite replaces
   * that region whole, so its deletes take the write lock.
   */
  readHeld?: boolean;
}

/** One range rewrite: its edits, and what the fix must say about it. */
interface RangeRewrite {
  loop: RangeLoop;
  /** The text the edits replace, for overlap checks with the locking of the other accesses. */
  span: { start: number; end: number };
  edits: TextEdit[];
  imports: string[];
  summary: string;
  review: string | null;
}

function buildFix(finding: Finding, pkg: PackageView): Fix {
  const shared = sharedMapOf(finding, pkg) ?? decline('the package facts do not know this map');
  const decl = shared.decl;
  const addressed = addressTakenSites(shared, pkg).find((a) => a.site.span.file === finding.span.file && a.site.span.start === finding.span.start);
  if (addressed) decline(`${addressed.why}; collecting keys does not change what is done through the pointer`);
  if (finding.rule === 'map-escapes-lock') {
    decline(`the map leaves its lock (${finding.message.replace(/\.$/, '')}); collecting keys does not help its later users (snapshot-copy hands out a copy instead)`);
  }
  const files = new Map(pkg.files.map((f) => [f.rel, f]));
  const rangeFindings = pkg.findings.filter((f) => f.map.key === decl.key && f.rule === 'map-mutated-during-range');
  if (rangeFindings.length === 0) {
    decline(`no range over ${decl.name} needs a rewrite (none races by itself, inserts while it visits or calls out under the lock): collect-then-delete does not apply (mutex-wrap guards the accesses)`);
  }
  const rangeSites = rangeFindings.map(
    (f) => shared.sites.find((s) => s.kind === 'range' && s.span.file === f.span.file && s.span.start === f.span.start) ?? decline(`cannot find the range of the finding at ${f.span.file}:${f.span.line}`),
  );
  const loops = rangeSites.map((s) => rangeLoopOf(s, files.get(s.span.file) ?? decline(`${s.span.file} was not scanned`)));
  const names = new FreshNames();
  const concurrent = loops.map((l) => racesWithOthers(l, shared));
  if (concurrent.some((c) => c) && concurrent.some((c) => !c)) {
    decline(`${decl.name} is ranged over both by code that races and by single-goroutine code; fix the ranges one by one by hand`);
  }

  const rewrites: RangeRewrite[] = [];
  const edits: TextEdit[] = [];
  const imports: Record<string, string[]> = {};
  const review: string[] = [];
  let otherAccesses = 'no other access needed a lock';
  if (concurrent[0]) {
    // The body decides first (its reasons are the most specific), then the lock; the other
    // accesses that lack the lock get it from mutex-wrap.
    const bodies = loops.map((l) => readDeletingBody(l, shared));
    for (const l of loops) lockFor(l, shared, pkg, true);
    const others = lockOtherAccesses(finding, shared, loops, pkg);
    loops.forEach((l, i) => rewrites.push(rewriteDeletingRange(l, bodies[i]!, shared, pkg, lockFor(l, shared, pkg, others.declaresMutex), names)));
    for (const r of rewrites) {
      const clash = others.edits.find((e) => e.file === r.loop.file.rel && (e.start === e.end ? e.start > r.span.start && e.start < r.span.end : e.start < r.span.end && e.end > r.span.start));
      if (clash) decline(`locking the other accesses of ${decl.name} would edit the range at ${r.loop.where}; fix it with mutex-wrap first`);
      const around = lockedAround(r, others.edits);
      if (around) decline(`mutex-wrap would hold the lock across the range at ${r.loop.where} (${around}); the range cannot be split inside that region`);
    }
    edits.push(...others.edits);
    for (const [file, paths] of Object.entries(others.imports)) imports[file] = [...(imports[file] ?? []), ...paths];
    if (others.review) review.push(others.review);
    otherAccesses = others.summary;
  } else {
    for (const l of loops) rewrites.push(rewriteInsertingRange(l, shared, pkg, names));
  }
  for (const r of rewrites) {
    edits.push(...r.edits);
    if (r.imports.length > 0) imports[r.loop.file.rel] = [...(imports[r.loop.file.rel] ?? []), ...r.imports];
    if (r.review) review.push(r.review);
  }
  if (edits.length === 0) decline(`the range${loops.length > 1 ? 's' : ''} of ${decl.name} already ${loops.length > 1 ? 'have' : 'has'} the shape collect-then-delete would produce`);
  const covers = pkg.findings.filter((f) => f.map.key === decl.key && f.rule !== 'map-escapes-lock').map((f) => f.id);
  return {
    findingId: finding.id,
    covers: covers.includes(finding.id) ? covers : [finding.id, ...covers],
    transform: 'collect-then-delete',
    title: `collect-then-delete: ${rewrites.map((r) => r.summary).join('; ')}`,
    safety: review.length > 0 ? 'review' : 'safe',
    edits,
    imports,
    reason:
      rewrites.map((r) => `${r.loop.where}: ${r.summary}`).join('; ') +
      (concurrent[0] ? `; other accesses: ${otherAccesses}` : '') +
      (review.length > 0 ? `. Review: ${review.join('; ')}` : ''),
  };
}

/** Whether the range takes part in a race, or holds the map's lock while calling out. */
function racesWithOthers(l: RangeLoop, shared: SharedMap): boolean {
  const id = l.site.raw.id;
  const inLoop = (s: ResolvedSite) => s.raw.id === id || s.raw.inRanges.includes(id);
  if (shared.conflicts.some((c) => inLoop(c.a) || inLoop(c.b))) return true;
  return !!l.site.raw.range?.callsOut && !!shared.guard && l.site.locks.some((x) => x.name === shared.guard);
}

/** Names for the variables a rewrite adds, unused in the enclosing function and by one another. */
class FreshNames {
  private readonly taken = new Map<string, Set<string>>();
  pick(base: string, l: RangeLoop): string {
    const fn = enclosingFunction(l.stmt);
    const key = `${l.file.rel}:${fn?.startIndex ?? 0}`;
    const mine = this.taken.get(key) ?? new Set<string>();
    this.taken.set(key, mine);
    const text = fn ? l.file.text.slice(fn.startIndex, fn.endIndex) : l.file.text;
    let name = base;
    for (let i = 2; mine.has(name) || new RegExp(`\\b${name}\\b`).test(text); i++) name = `${base}${i}`;
    mine.add(name);
    return name;
  }
}

/** The key and value types of the map, as written at its declaration. */
function mapTypes(decl: MapDecl, pkg: PackageView, l: RangeLoop): { key: string; value: string } {
  let type = decl.type.trim();
  const named = pkg.index.namedTypes.get(type);
  if (named) type = named.type;
  const kv = splitMapType(type) ?? decline(`cannot tell the key and value types of ${decl.name} (declared as ${decl.type})`);
  if (decl.kind === 'field') {
    const owner = decl.name.split('.')[0]!;
    const params = typeParamsOf(owner, pkg);
    if (params) {
      // In a method of the generic owner, its receiver names the type parameters (perhaps differently).
      const names = receiverTypeArgs(l, owner) ?? decline(`${owner} is a generic type and the range at ${l.where} is not in a method of ${owner}: the type parameters in the key and value types of ${decl.name} have no names there`);
      if (names.length !== params.length) decline(`cannot match the type parameters of ${owner} to the receiver of the method around ${l.where}`);
      const rename = new Map(params.map((p, i) => [p, names[i]!]));
      const used = (t: string) => params.filter((p) => new RegExp(`\\b${p}\\b`).test(t));
      const blank = [...used(kv.key), ...used(kv.value)].find((p) => rename.get(p) === '_');
      if (blank) decline(`the receiver of the method around ${l.where} leaves the type parameter ${blank} of ${owner} unnamed (_); name it to let the rewrite spell the key and value types`);
      const subst = (t: string) => (params.length === 0 ? t : t.replace(new RegExp(`\\b(${params.join('|')})\\b`, 'g'), (m) => rename.get(m) ?? m));
      return { key: subst(kv.key), value: subst(kv.value) };
    }
  }
  // A type written in another file may need an import the range's file lacks.
  const declFile = pkg.files.find((f) => f.rel === decl.span.file);
  if (declFile && declFile !== l.file) {
    for (const m of `${kv.key} ${kv.value}`.matchAll(/\b([a-z]\w*)\.[A-Z]\w*/g)) {
      if (!new RegExp(`"(?:[^"]*/)?${m[1]}"|\\b${m[1]}\\s+"`).test(l.file.text)) {
        decline(`the type of ${decl.name} names the package ${m[1]}, which ${l.file.rel} does not import`);
      }
    }
  }
  return kv;
}

/** The type parameter names of a generic type of the package, in order, or null when it is not generic. */
function typeParamsOf(owner: string, pkg: PackageView): string[] | null {
  for (const f of pkg.files) {
    for (const spec of f.tree.rootNode.descendantsOfType('type_spec')) {
      if (spec.childForFieldName('name')?.text !== owner) continue;
      const tp = spec.childForFieldName('type_parameters');
      if (!tp) return null;
      return tp.namedChildren.filter((c) => c.type === 'type_parameter_declaration').flatMap((d) => d.childrenForFieldName('name').map((n) => n.text));
    }
  }
  return null;
}

/** The type arguments of the receiver (`c *Cache[K, V]` → K, V) of the method around the range, when its type is `owner`. */
function receiverTypeArgs(l: RangeLoop, owner: string): string[] | null {
  let fn = enclosingFunction(l.stmt);
  while (fn && fn.type === 'func_literal') fn = enclosingFunction(fn);
  if (fn?.type !== 'method_declaration') return null;
  const recv = fn.childForFieldName('receiver')?.namedChildren.find((c) => c.type === 'parameter_declaration');
  let t = recv?.childForFieldName('type') ?? null;
  if (t?.type === 'pointer_type') t = t.namedChildren[0] ?? null;
  if (t?.type !== 'generic_type' || t.childForFieldName('type')?.text !== owner) return null;
  const args = t.childForFieldName('type_arguments');
  return args ? args.namedChildren.map((a) => a.text) : null;
}

/** Whether `maps.X` would name the standard package at the range (go >= 1.21, nothing else is called maps). */
function mapsUsable(l: RangeLoop, pkg: PackageView): boolean {
  if (!goAtLeast(pkg.goVersion, 21)) return false;
  if (pkg.index.vars.has('maps') || pkg.index.funcsByName.has('maps') || pkg.index.structs.has('maps') || pkg.index.namedTypes.has('maps')) return false;
  const imports = l.file.tree.rootNode.descendantsOfType('import_spec');
  if (imports.some((i) => i.childForFieldName('name')?.text === 'maps' || (/\/maps"$/.test(i.childForFieldName('path')?.text ?? '') && !i.childForFieldName('name')))) return false;
  const imported = imports.some((i) => i.childForFieldName('path')?.text === '"maps"' && !i.childForFieldName('name'));
  for (const d of nameNodes(l.file, 'maps')) {
    if (d.type === 'identifier') return false;
    if (!imported && d.type === 'package_identifier') return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// The other accesses: mutex-wrap locks them, with the ranges taken out of its view.

interface OtherAccesses {
  edits: TextEdit[];
  imports: Record<string, string[]>;
  review: string | null;
  summary: string;
  /** mutex-wrap declares a new mutex (the map had no guard). */
  declaresMutex: boolean;
}

function lockOtherAccesses(finding: Finding, shared: SharedMap, loops: RangeLoop[], pkg: PackageView): OtherAccesses {
  const ids = new Set(loops.map((l) => l.site.raw.id));
  const inLoop = (s: ResolvedSite) => ids.has(s.raw.id) || s.raw.inRanges.some((r) => ids.has(r));
  const conflicts = shared.conflicts
    .filter((c) => !(inLoop(c.a) && inLoop(c.b)))
    // The access a range raced with still needs the lock: keep it as a conflict with itself.
    .map((c) => (inLoop(c.a) ? { ...c, a: c.b } : inLoop(c.b) ? { ...c, b: c.a } : c));
  const view: PackageView = {
    ...pkg,
    rules: {
      ...pkg.rules,
      maps: pkg.rules.maps.map((m) => (m.decl.key === shared.decl.key ? { ...m, sites: m.sites.filter((s) => !inLoop(s)), conflicts } : m)),
    },
  };
  const result = planInline({ ...finding, rule: 'concurrent-map-write' }, view, { readers: true });
  if ('declined' in result) {
    if (result.declined.startsWith('every racing access already holds the lock') && shared.guard) {
      return { edits: [], imports: {}, review: null, summary: `they already hold ${shared.guard}`, declaresMutex: false };
    }
    if (result.declined.startsWith('every racing access already holds the lock')) {
      return decline(`no lock guards ${shared.decl.name} and only the range uses it concurrently: apply mutex-wrap first`);
    }
    return decline(`the other accesses of ${shared.decl.name} cannot be locked: ${result.declined}`);
  }
  const fix = result.fixes[0]!;
  const review = fix.safety === 'review' ? (/Review: (.*)$/.exec(fix.reason)?.[1] ?? fix.reason) : null;
  return { edits: fix.edits, imports: fix.imports, review, summary: fix.title.replace(/^mutex-wrap \(inline\): /, ''), declaresMutex: !shared.guard };
}

/**
 * When mutex-wrap's edits take a lock before the range (in its function) and release it only
 * after it, the split range would lock again inside: says where, or null.
 */
function lockedAround(r: RangeRewrite, edits: TextEdit[]): string | null {
  const fn = enclosingFunction(r.loop.stmt);
  if (!fn) return null;
  let held = 0;
  for (const e of edits.filter((x) => x.file === r.loop.file.rel && x.start >= fn.startIndex && x.start <= r.span.start).sort((a, b) => a.start - b.start)) {
    if (/defer\s+[\w.]+\.R?Unlock\(\)/.test(e.text)) return `a deferred unlock from ${lineOf(r.loop.file, e.start)}`;
    held += (e.text.match(/\.R?Lock\(\)/g) ?? []).length - (e.text.match(/\.R?Unlock\(\)/g) ?? []).length;
  }
  return held > 0 ? `a lock taken before it in the same function` : null;
}

/** How the range spells the lock that guards the map (or the one mutex-wrap adds). */
function lockFor(l: RangeLoop, shared: SharedMap, pkg: PackageView, newMutex: boolean): LockUse {
  const decl = shared.decl;
  const g = shared.guard;
  const field = decl.name.split('.').pop()!;
  const owner = decl.name.split('.')[0]!;
  const base = () => {
    if (decl.kind !== 'field') return '';
    const m = new RegExp(`^([A-Za-z_][\\w.]*)\\.${field}$`).exec(l.mapText);
    return m ? m[1]! : decline(`the range at ${l.where} reaches ${decl.name} as ${l.mapText}; only x.${field} can be locked`);
  };
  const others = l.site.locks.filter((x) => x.name !== g && !x.name.startsWith('once:') && !isOwnerLock(x.name));
  if (others.length > 0) decline(`the range at ${l.where} runs while ${others[0]!.name} is held; taking the map's lock inside it is a lock-order question for a human`);
  const held = g ? l.site.locks.find((x) => x.name === g) : undefined;
  if (held) {
    const here = l.site.raw.locks.find((x) => x.name === g);
    if (!here) decline(`the range at ${l.where} runs with ${g} held by its callers; split it where the lock is taken`);
    if (held.mode !== 'write') {
      // The rewrite takes the write lock for the deletes: a caller holding the read lock too would deadlock.
      checkCallersDoNotHold(l, g!, pkg, 'taking the write lock for its deletes inside it would deadlock');
      return { ...lockedRegion(l, 'read'), rw: isRW(g!, pkg), readHeld: true };
    }
    return { ...lockedRegion(l, 'write'), rw: isRW(g!, pkg) };
  }
  if (g) {
    checkCallersDoNotHold(l, g, pkg, 'locking the range inside it would deadlock');
    let expr: string;
    if (g.includes('@')) expr = g.split('@')[0]!;
    else if (decl.kind === 'field' && g === owner) expr = base();
    else if (decl.kind === 'field' && g.startsWith(`${owner}.`)) expr = `${base()}.${g.slice(owner.length + 1)}`;
    else if (decl.kind === 'package-var' && /^\w+$/.test(g)) expr = g;
    else return decline(`${decl.name} is guarded by ${g}, which cannot be named at ${l.where}`);
    return { expr, rw: isRW(g, pkg), region: null };
  }
  if (!newMutex) decline(`no lock guards ${decl.name}: apply mutex-wrap first`);
  const name = newMutexName(decl, pkg);
  return { expr: decl.kind === 'field' ? `${base()}.${name}` : name, rw: true, region: null };
}

function isRW(guard: string, pkg: PackageView): boolean {
  const [owner, field] = guard.split('.');
  if (owner && field) return /RWMutex/.test(pkg.index.structs.get(owner)?.fields.get(field)?.type ?? '');
  if (owner && pkg.index.structs.has(owner)) return pkg.index.structs.get(owner)!.embedded.some((e) => /RWMutex/.test(e.type));
  const v = owner ? pkg.index.vars.get(owner.split('@')[0]!) : undefined;
  return /RWMutex/.test(v?.type ?? '');
}

/**
 * The statements that hold the lock around the range: `X.Lock()` right before it and `X.Unlock()`
 * right after, or `X.Lock(); defer X.Unlock()` with the range ending the function (`RLock` and
 * `RUnlock` when the range holds only the read lock).
 */
function lockedRegion(l: RangeLoop, mode: 'read' | 'write'): { expr: string; region: { start: number; end: number } } {
  const [take, release] = mode === 'read' ? ['RLock', 'RUnlock'] : ['Lock', 'Unlock'];
  const list = l.listed.parent!;
  const stmts = statementsOfList(list);
  const i = stmts.findIndex((s) => sameNode(s, l.listed));
  const call = (s: SyntaxNode | undefined, re: RegExp) => (s && s.type === 'expression_statement' ? re.exec(s.text) : null);
  const deferred = stmts[i - 1]?.type === 'defer_statement' ? new RegExp(`^defer\\s+([\\w.]+)\\.${release}\\(\\)$`).exec(stmts[i - 1]!.text) : null;
  const lockAt = deferred ? i - 2 : i - 1;
  const lock = call(stmts[lockAt], new RegExp(`^([\\w.]+)\\.${take}\\(\\)$`));
  const where = `the lock held around the range at ${l.where}`;
  if (!lock || (deferred && deferred[1] !== lock[1])) {
    return decline(`${where} is not taken right before it (${stmts[lockAt]?.text.split('\n')[0] ?? 'nothing'}); split the range by hand`);
  }
  if (deferred) {
    if (!isFunctionBodyList(list) || i !== stmts.length - 1) decline(`${where} is released by a defer and other statements follow the range; split it by hand`);
    return { expr: lock[1]!, region: { start: stmts[lockAt]!.startIndex, end: l.listed.endIndex } };
  }
  const unlock = call(stmts[i + 1], new RegExp(`^([\\w.]+)\\.${release}\\(\\)$`));
  if (!unlock || unlock[1] !== lock[1]) decline(`${where} is not released right after it; split the range by hand`);
  return { expr: lock[1]!, region: { start: stmts[lockAt]!.startIndex, end: stmts[i + 1]!.endIndex } };
}

/** Taking the guard inside a function that some caller runs with the guard held would deadlock. */
function checkCallersDoNotHold(l: RangeLoop, guard: string, pkg: PackageView, why: string): void {
  const flow = pkg.flow;
  const held = callWithLockHeld(flow, [l.site.func], guard);
  if (held) {
    const fn = flow.index.funcs[held.call.caller]!;
    decline(`${flow.index.funcs[held.callee]!.name} ${held.how} ${guard} held (${lineOf(fn.file, held.call.pos)}); ${why}`);
  }
}

// ---------------------------------------------------------------------------------------------
// A range that deletes while other goroutines use the map, or under a lock while calling out.

/** The body of a deleting range, taken apart. */
interface DeletingBody {
  /** Whether only some entries are deleted (an `if` around the delete, or `continue` guards before it). */
  conditional: boolean;
  init: SyntaxNode | null;
  /** The condition under which the entry is deleted, as Go text joined with `&&` (null when every entry goes). */
  cond: string | null;
  /** Where the condition is, for messages. */
  condAt: number;
  /** `cond` as the right operand of `ok && …`. */
  condOperand: string | null;
  /** The nodes evaluated to decide (guards, initializer, condition): checked for purity and for the loop variables. */
  test: SyntaxNode[];
  /** The deleting branch: statements and comments in order, the delete among them, without a final jump. */
  branch: SyntaxNode[];
  /** The delete statement. */
  del: SyntaxNode;
  /** Everything else the deleting branch does, statements and comments, in order. */
  work: SyntaxNode[];
  /** Comments of the body outside the branch. */
  comments: SyntaxNode[];
  /** The branch ends in `break` (or `break L` of this range): the range stops after its first delete. */
  stop: boolean;
}

/** `cond` as an operand of `&&`. */
function andOperand(c: SyntaxNode): string {
  return c.type === 'binary_expression' && c.child(1)?.type === '||' ? `(${c.text})` : c.text;
}

/** `!cond`, without a double negation, as an operand of `&&`. */
function negated(cond: SyntaxNode): string {
  if (cond.type === 'unary_expression' && cond.child(0)?.type === '!') return cond.childForFieldName('operand')!.text;
  if (/^(identifier|call_expression|selector_expression|parenthesized_expression|index_expression|true|false)$/.test(cond.type)) return `!${cond.text}`;
  return `!(${cond.text})`;
}

/** Whether a jump targets this range: unlabeled, or labeled with the range's own label. */
function ownJump(j: SyntaxNode | undefined, l: RangeLoop, type: string): boolean {
  if (j?.type !== type) return false;
  const label = j.namedChildren.find((c) => c.type === 'label_name')?.text;
  return !label || label === l.label;
}

function readDeletingBody(l: RangeLoop, shared: SharedMap): DeletingBody {
  const id = l.site.raw.id;
  const bodySites = shared.sites.filter((s) => s.raw.inRanges.includes(id));
  const inserts = bodySites.filter((s) => s.kind === 'write');
  if (inserts.length > 0) decline(`the range at ${l.where} also writes ${shared.decl.name} (${inserts[0]!.span.file}:${inserts[0]!.span.line}) while other goroutines use it; mutex-wrap guards it instead`);
  const deletes = bodySites.filter((s) => s.kind === 'delete' || s.kind === 'clear');
  if (deletes.length === 0) {
    decline(`the range at ${l.where} calls ${l.site.raw.range?.callsOut ?? 'out'} under the lock but deletes nothing: collect-then-delete does not apply (snapshot-copy ranges over a copy instead)`);
  }
  if (deletes.length > 1) decline(`the range at ${l.where} deletes in ${deletes.length} places; only one delete of the visited key can be split out`);
  const d = deletes[0]!;
  const other = bodySites.find((s) => s !== d && s.raw.id !== d.raw.id);
  if (other) decline(`the body of the range at ${l.where} also uses ${shared.decl.name} at ${other.span.file}:${other.span.line} (${other.text}); it would see the map change between collecting and deleting`);
  if (d.kind !== 'delete' || d.raw.indexText !== l.keyName || d.raw.mapText !== l.mapText) {
    decline(`the delete at ${d.span.file}:${d.span.line} (${d.text}) does not delete the visited key ${l.keyName ?? ''} from ${l.mapText}`);
  }
  const delNode = nodeAt(l.file, d.span.start, d.span.end);
  const delStmt = delNode.parent?.type === 'expression_statement' ? delNode.parent : delNode.type === 'expression_statement' ? delNode : null;
  if (!delStmt) return decline(`the delete at ${d.span.file}:${d.span.line} is not a statement of its own`);
  let stmts = l.bodyItems.filter((c) => c.type !== 'comment');
  // Leading `if c { continue }` guards (also `continue L` of this range): the entry is deleted only when no guard holds.
  const guards: SyntaxNode[] = [];
  const handled: SyntaxNode[] = [];
  for (;;) {
    const g = stmts[0];
    const cons = g?.type === 'if_statement' ? g.childForFieldName('consequence')?.namedChildren.find((c) => c.type === 'statement_list') : null;
    const only = cons ? statementsOfList(cons) : [];
    if (!g || !cons || g.childForFieldName('alternative') || g.childForFieldName('initializer') || only.length !== 1 || !ownJump(only[0], l, 'continue_statement')) break;
    guards.push(g.childForFieldName('condition')!);
    handled.push(only[0]!);
    stmts = stmts.slice(1);
  }
  const afterGuards = guards.length === 0 ? l.bodyItems : stmts.length === 0 ? [] : l.bodyItems.filter((c) => c.startIndex >= stmts[0]!.startIndex);
  const guardComments = l.bodyItems.filter((c) => c.type === 'comment' && !afterGuards.some((x) => sameNode(x, c)));
  // A final `break` (stop after the first delete) or `continue` (a no-op) of the deleting branch.
  const trailing = (items: SyntaxNode[]): { items: SyntaxNode[]; stop: boolean } => {
    const stmtsOf = items.filter((c) => c.type !== 'comment');
    const last = stmtsOf[stmtsOf.length - 1];
    if (ownJump(last, l, 'break_statement') || ownJump(last, l, 'continue_statement')) {
      handled.push(last!);
      return { items: items.filter((c) => !sameNode(c, last)), stop: last!.type === 'break_statement' };
    }
    return { items, stop: false };
  };
  const inner = new Set([...descendants(l.body)].filter((d) => d.type === 'labeled_statement').map((d) => d.childForFieldName('label')?.text));
  const checkJumps = () => {
    const innerJump = (j: SyntaxNode) => j.type !== 'goto_statement' && inner.has(j.namedChildren.find((c) => c.type === 'label_name')?.text);
    const jumps = [...loopJumps(l.body), ...returnsIn(l.body)].filter((j) => !handled.some((h) => sameNode(h, j)) && !innerJump(j));
    if (jumps.length > 0) {
      const j = jumps[0]!;
      const label = j.type !== 'return_statement' ? j.namedChildren.find((c) => c.type === 'label_name')?.text : undefined;
      const why = label && label !== l.label ? `jumps to ${label}, a statement outside the range at ${l.where}; after the split it would have to run where the delete is decided` : `leaves the range body at ${l.where}; the split loops would run it at other times`;
      decline(`${lineOf(l.file, j.startIndex)} (${j.text.split('\n')[0]}) ${why} (restructure by hand)`);
    }
    // The label goes with the split: nothing else may name it.
    if (l.label && l.labelUses.some((u) => !handled.some((h) => sameNode(h, u)))) {
      const u = l.labelUses.find((x) => !handled.some((h) => sameNode(h, x)))!;
      decline(`the range at ${l.where} is labeled ${l.label}, and ${lineOf(l.file, u.startIndex)} (${u.text}) names it outside the jumps the rewrite removes; a label cannot follow the loop when it is split`);
    }
  };
  // Every entry is deleted (past the guards): `for k, v := range m { …; delete(m, k); … }`.
  if (stmts.some((s) => sameNode(s, delStmt))) {
    const t = trailing(afterGuards);
    checkJumps();
    const test = guards;
    const work = t.items.filter((c) => !sameNode(c, delStmt));
    checkConditionInputs(l, test, work);
    return {
      conditional: guards.length > 0,
      init: null,
      cond: guards.length > 0 ? guards.map(negated).join(' && ') : null,
      condOperand: guards.length > 0 ? guards.map(negated).join(' && ') : null,
      condAt: guards[0]?.startIndex ?? delStmt.startIndex,
      test,
      branch: t.items,
      del: delStmt,
      work,
      comments: guards.length > 0 ? guardComments : [],
      stop: t.stop,
    };
  }
  const ifStmt = stmts[0];
  const cons = ifStmt?.childForFieldName('consequence');
  const consList = cons?.namedChildren.find((c) => c.type === 'statement_list');
  if (stmts.length !== 1 || ifStmt!.type !== 'if_statement' || ifStmt!.childForFieldName('alternative') || !consList || !consList.namedChildren.some((c) => sameNode(c, delStmt))) {
    checkJumps();
    decline(`the body of the range at ${l.where} is not \`if cond { …; delete(${l.mapText}, ${l.keyName ?? 'k'}) }\` or \`…; delete(${l.mapText}, ${l.keyName ?? 'k'})\`; split it by hand`);
  }
  const init = ifStmt!.childForFieldName('initializer');
  const cond = ifStmt!.childForFieldName('condition')!;
  if (init && init.type !== 'short_var_declaration') decline(`the condition of the range at ${l.where} has an initializer that is not a declaration (${init.text})`);
  if (init && guards.length > 0) decline(`the condition of the range at ${l.where} has an initializer after continue guards; it would be evaluated before them (restructure by hand)`);
  const t = trailing(consList!.namedChildren);
  checkJumps();
  const test = [...guards, ...(init ? [init] : []), cond];
  const work = t.items.filter((c) => !sameNode(c, delStmt));
  checkConditionInputs(l, test, work);
  return {
    conditional: true,
    init,
    cond: [...guards.map(negated), guards.length > 0 ? andOperand(cond) : cond.text].join(' && '),
    condOperand: [...guards.map(negated), andOperand(cond)].join(' && '),
    condAt: (guards[0] ?? cond).startIndex,
    test,
    branch: t.items,
    del: delStmt,
    work,
    comments: l.bodyItems.filter((c) => c.type === 'comment'),
    stop: t.stop,
  };
}

function checkConditionInputs(l: RangeLoop, test: SyntaxNode[], work: SyntaxNode[]): void {
  const changed = [...assignedNames(work)].find((n) => uses(test, n));
  if (changed) decline(`the condition at ${lineOf(l.file, test[0]!.startIndex)} reads ${changed}, which the loop body changes; collecting first would evaluate it with other values`);
}

/** The re-check (and maps.DeleteFunc) evaluate the condition again: it must have no side effects. */
function checkPureCondition(l: RangeLoop, body: DeletingBody, pkg: PackageView): void {
  const impure = sideEffect(body.test, pkg, l.file);
  if (impure) decline(`the condition at ${lineOf(l.file, body.condAt)} (${body.cond}) contains ${impure}; the re-check before deleting evaluates it again, so it must have no side effects`);
}

function rewriteDeletingRange(l: RangeLoop, body: DeletingBody, shared: SharedMap, pkg: PackageView, lock: LockUse, names: FreshNames): RangeRewrite {
  const decl = shared.decl;
  const { key: keyType, value: valueType } = mapTypes(decl, pkg, l);
  const text = l.file.text;
  const nl = text.includes('\r\n') ? '\r\n' : '\n';
  // A label sits one level left of its loop (gofmt): the replacement starts at its line, indented as the loop.
  const labelLine = (at: number) => (l.label && at === l.listed.startIndex ? lineStart(text, at) : at);
  let start = labelLine(lock.region?.start ?? l.listed.startIndex);
  let end = lock.region?.end ?? l.listed.endIndex;
  const I = indentAt(text, l.label && !lock.region ? l.stmt.startIndex : start);
  const k = l.keyName!;
  const v = l.valueName;
  const [rlock, runlock] = lock.rw ? ['RLock', 'RUnlock'] : ['Lock', 'Unlock'];
  // The range keeps the lock statements around it only when they already take the write lock.
  const keepsLock = lock.region !== null && !lock.readHeld;
  const workStmts = body.work.filter((c) => c.type !== 'comment');
  // Work that cannot block or re-enter stays where it was, under the write lock, right by the
  // delete; anything that calls out runs after the lock is released, on the deleted entries.
  const hazards = lockHazards(workStmts, pkg.index, l.file);
  const workAfter = hazards.length > 0;
  if (workAfter && lock.region) checkWorkMayLeaveLock(body.work, l, shared, pkg);
  const lines: string[] = [];
  const out = (s: string) => lines.push(s);
  let summary: string;
  let review: string | null = null;
  const imports: string[] = [];
  const deletedName = workAfter ? names.pick('deleted', l) : '';
  const workUsesValue = uses(workStmts, v);
  const workUsesKey = uses(workStmts, k);
  const declareDeleted = () => {
    if (!workAfter) return;
    out(workUsesValue ? `${deletedName} := make(map[${keyType}]${valueType})` : `var ${deletedName} []${keyType}`);
  };
  const recordDeleted = (indent: string) => {
    if (!workAfter) return;
    out(workUsesValue ? `${indent}${deletedName}[${k}] = ${v}` : `${indent}${deletedName} = append(${deletedName}, ${k})`);
  };
  const bodyIndent = indentAt(text, l.bodyItems[0]?.startIndex ?? l.body.startIndex);

  if (!body.conditional) {
    // Every entry goes: one pass under the write lock, the work after it.
    if (!workAfter && keepsLock) {
      // Nothing calls out, and the range already holds the lock: it stays as it is.
      return { loop: l, span: { start, end }, edits: [], imports: [], summary: `keep the range at ${l.where} under ${lock.expr}`, review: null };
    }
    declareDeleted();
    out(`${lock.expr}.Lock()`);
    out(`for ${k}${workUsesValue ? `, ${v}` : ''} := range ${l.mapText} {`);
    if (workAfter) {
      out(`\t${body.del.text}`);
      recordDeleted('\t');
    } else {
      for (const c of body.branch) out(`\t${reindent(c.text, bodyIndent, '\t')}`);
    }
    if (body.stop) out('\tbreak');
    out('}');
    out(`${lock.expr}.Unlock()`);
    summary = body.stop ? `delete one entry of ${l.mapText} under ${lock.expr}` : `delete every entry of ${l.mapText} under ${lock.expr}`;
  } else if (goAtLeast(pkg.goVersion, 21) && workStmts.length === 0 && !body.init && !body.stop && body.comments.length === 0 && mapsUsable(l, pkg)) {
    // A pure predicate and a delete: maps.DeleteFunc under the write lock.
    checkPureCondition(l, body, pkg);
    // Under a lock the range already holds, only the range statement changes.
    if (keepsLock) {
      start = labelLine(l.listed.startIndex);
      end = l.listed.endIndex;
    } else out(`${lock.expr}.Lock()`);
    out(`maps.DeleteFunc(${l.mapText}, func(${k} ${keyType}, ${v ?? '_'} ${valueType}) bool {`);
    out(`\treturn ${body.cond!}`);
    out('})');
    if (!keepsLock) out(`${lock.expr}.Unlock()`);
    imports.push('maps');
    summary = `maps.DeleteFunc under ${lock.expr}`;
  } else if (!lock.rw) {
    // A plain sync.Mutex has no read lock to collect under: one pass under the lock deletes,
    // and the work runs after it.
    const test = body.test;
    const ifHead = body.init ? `if ${body.init.text}; ${body.cond!} {` : `if ${body.cond!} {`;
    const consIndent = indentAt(text, body.work[0]?.startIndex ?? body.del.startIndex);
    declareDeleted();
    out(`${lock.expr}.Lock()`);
    out(`for ${k}${uses(test, v) || workUsesValue ? `, ${v}` : ''} := range ${l.mapText} {`);
    for (const c of body.comments) out(`\t${c.text}`);
    out(`\t${ifHead}`);
    if (workAfter) {
      out(`\t\t${body.del.text}`);
      recordDeleted('\t\t');
    } else {
      for (const c of body.branch) out(`\t\t${reindent(c.text, consIndent, '\t\t')}`);
    }
    if (body.stop) out('\t\tbreak');
    out('\t}');
    out('}');
    out(`${lock.expr}.Unlock()`);
    summary = `delete the matching entries of ${l.mapText} in one pass under ${lock.expr} (a sync.Mutex has no read lock to collect under)`;
  } else {
    checkPureCondition(l, body, pkg);
    const test = body.test;
    const toDelete = names.pick('toDelete', l);
    let ok = 'ok';
    for (let i = 2; uses([...test, ...body.work], ok); i++) ok = `ok${i}`;
    const condUsesValue = uses(test, v);
    const ifHead = body.init ? `if ${body.init.text}; ${body.cond!} {` : `if ${body.cond!} {`;
    out(`var ${toDelete} []${keyType}`);
    out(`${lock.expr}.${rlock}()`);
    out(`for ${k}${condUsesValue ? `, ${v}` : ''} := range ${l.mapText} {`);
    for (const c of body.comments) out(`\t${c.text}`);
    out(`\t${ifHead}`);
    out(`\t\t${toDelete} = append(${toDelete}, ${k})`);
    // The original stopped after its first delete: collect one key.
    if (body.stop) out('\t\tbreak');
    out('\t}');
    out('}');
    out(`${lock.expr}.${runlock}()`);
    declareDeleted();
    out(`${lock.expr}.Lock()`);
    out(`for _, ${k} := range ${toDelete} {`);
    out('\t// Re-check the current entry: it may have been replaced since it was collected.');
    const bindValue = condUsesValue || workUsesValue;
    const lookup = `${bindValue ? v : '_'}, ${ok} := ${l.mapText}[${k}]`;
    const consIndent = indentAt(text, body.work[0]?.startIndex ?? body.del.startIndex);
    const branch = (indent: string) => {
      if (workAfter) {
        out(`${indent}${body.del.text}`);
        recordDeleted(indent);
      } else {
        for (const c of body.branch) out(`${indent}${reindent(c.text, consIndent, indent)}`);
      }
    };
    if (body.init) {
      out(`\tif ${lookup}; ${ok} {`);
      out(`\t\t${ifHead}`);
      branch('\t\t\t');
      out('\t\t}');
      out('\t}');
    } else {
      out(`\tif ${lookup}; ${ok} && ${body.condOperand!} {`);
      branch('\t\t');
      out('\t}');
    }
    out('}');
    out(`${lock.expr}.Unlock()`);
    summary = `collect the keys of ${l.mapText} under ${lock.expr}${lock.rw ? ' (read lock)' : ''}, then re-check and delete them under the write lock`;
    if (/\btime\.(Now|Since|Until)\(/.test(test.map((t) => t.text).join(' '))) {
      summary += ' (the re-check reads the clock again, so it deletes only what has still expired)';
    }
  }
  if (workAfter) {
    if (workUsesValue) out(`for ${workUsesKey ? k : '_'}, ${v} := range ${deletedName} {`);
    else out(workUsesKey ? `for _, ${k} := range ${deletedName} {` : `for range ${deletedName} {`);
    const from = body.conditional ? indentAt(text, body.work[0]!.startIndex) : bodyIndent;
    for (const c of body.work) out(`\t${reindent(c.text, from, '\t')}`);
    out('}');
    summary += `; ${describeWork(hazards.map((h) => h.what))} now runs after the lock is released, once per deleted entry, on the deleted value`;
  }
  const replacement = lines.map((s, i) => (i === 0 && start !== lineStart(text, start) ? s : `${I}${reindentRelative(s, I)}`)).join(nl);
  return { loop: l, span: { start, end }, edits: [{ file: l.file.rel, start, end, text: replacement }], imports, summary, review };
}

/** Lines after the first get the base indentation; continuation lines of copied statements keep theirs relative to it. */
function reindentRelative(line: string, base: string): string {
  return line.replace(/\n/g, `\n${base}`);
}

function describeWork(hazards: string[]): string {
  const uniq = [...new Set(hazards)];
  return uniq.length === 1 ? uniq[0]! : `${uniq.slice(0, -1).join(', ')} and ${uniq[uniq.length - 1]}`;
}

/**
 * Work that ran under the map's lock may rely on it for other state: it must not write fields
 * of the lock's owner or package variables, nor call the owner's own methods.
 */
function checkWorkMayLeaveLock(work: SyntaxNode[], l: RangeLoop, shared: SharedMap, pkg: PackageView): void {
  const decl = shared.decl;
  const base = decl.kind === 'field' ? l.mapText.slice(0, l.mapText.lastIndexOf('.')) : null;
  for (const name of assignedNames(work)) {
    if (pkg.index.vars.has(name)) decline(`the per-entry work of the range at ${l.where} writes the package variable ${name}, which the lock may guard; it cannot move out of the lock`);
  }
  for (const n of work) {
    for (const d of [n, ...descendants(n)]) {
      if (base && (d.type === 'assignment_statement' || d.type === 'inc_statement' || d.type === 'dec_statement')) {
        const left = d.type === 'assignment_statement' ? d.childForFieldName('left')!.text : d.namedChildren[0]!.text;
        if (left.startsWith(`${base}.`)) decline(`the per-entry work of the range at ${l.where} writes ${left}, which the lock may guard; it cannot move out of the lock`);
      }
      if (base && d.type === 'call_expression') {
        const fn = d.childForFieldName('function');
        const operand = fn?.type === 'selector_expression' ? fn.childForFieldName('operand')?.text : null;
        const field = fn?.childForFieldName('field')?.text ?? '';
        const owner = decl.name.split('.')[0]!;
        if (operand === base && pkg.index.funcs.some((f) => f.recvType === owner && f.name === field)) {
          decline(`the per-entry work of the range at ${l.where} calls ${fn!.text}(), which may rely on the lock being held; it cannot move out of the lock`);
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Single-goroutine code that inserts into the map it ranges over.

function rewriteInsertingRange(l: RangeLoop, shared: SharedMap, pkg: PackageView, names: FreshNames): RangeRewrite {
  const decl = shared.decl;
  if (l.label) decline(`the range at ${l.where} is labeled; the inserts collected while it runs would not be applied on a jump to ${l.label} (remove the label or restructure by hand)`);
  const id = l.site.raw.id;
  const bodySites = shared.sites.filter((s) => s.raw.inRanges.includes(id));
  const inserts: SyntaxNode[] = [];
  let deletesOrUpdates = false;
  // After `k = …` in the body, `m[k]` is no longer the visited entry (the scan's rule says the same).
  const visitedKey = l.keyName !== null && !rebindsKey(l.file.text, l.body.startIndex, l.body.endIndex, l.keyName) ? l.keyName : null;
  for (const s of bodySites) {
    const where = `${s.span.file}:${s.span.line}`;
    const node = nodeAt(l.file, s.span.start, s.span.end);
    if (insideLiteral(node, l.body)) decline(`${where} uses ${decl.name} inside a function literal in the range body; the rewrite cannot tell when it runs`);
    if (s.kind === 'delete' && visitedKey !== null && s.raw.indexText === visitedKey && s.raw.mapText === l.mapText) {
      deletesOrUpdates = true;
      continue;
    }
    if (s.kind !== 'write') decline(`the body of the range at ${l.where} ${s.kind === 'read' ? 'reads' : s.kind === 'delete' ? 'deletes another key of' : 'uses'} ${decl.name} at ${where} (${s.text}); with the inserts applied after the loop it would see different contents`);
    const stmt = assignmentOf(node);
    if (!stmt || stmt.child(1)?.type !== '=' || stmt.childForFieldName('left')!.namedChildCount !== 1 || stmt.childForFieldName('right')!.namedChildCount !== 1) {
      decline(`${where} (${s.text}) is not a plain \`${l.mapText}[key] = value\`; a read-modify-write of a new key cannot be deferred`);
    }
    const target = stmt!.childForFieldName('left')!.namedChildren[0]!;
    const operand = target.type === 'index_expression' ? target.childForFieldName('operand') : null;
    if (!operand || operand.text !== l.mapText) decline(`${where} writes ${decl.name} through ${target.text}, not through ${l.mapText}`);
    if (visitedKey !== null && s.raw.indexText === visitedKey) {
      deletesOrUpdates = true;
      continue;
    }
    inserts.push(operand!);
  }
  if (inserts.length === 0) decline(`the range at ${l.where} inserts nothing into ${decl.name}; nothing to collect`);
  const leaving = returnsIn(l.body)[0] ?? loopJumps(l.body).find((j) => j.namedChildren.length > 0 || j.type === 'goto_statement');
  if (leaving) decline(`${lineOf(l.file, leaving.startIndex)} (${leaving.text.split('\n')[0]}) leaves the range at ${l.where}; the collected inserts would not be applied on that path`);
  const called = calledPackageFunctions(l.body, pkg, l.file).find((f) => functionTouches(f, shared, pkg));
  if (called !== undefined) decline(`the body of the range at ${l.where} calls ${pkg.index.funcs[called]!.name}, which uses ${decl.name}; it would not see the collected inserts`);

  const { key: keyType, value: valueType } = mapTypes(decl, pkg, l);
  const text = l.file.text;
  const nl = text.includes('\r\n') ? '\r\n' : '\n';
  const I = indentAt(text, l.listed.startIndex);
  const pending = names.pick('pending', l);
  const edits: TextEdit[] = [];
  edits.push({
    file: l.file.rel,
    start: l.listed.startIndex,
    end: l.listed.startIndex,
    text: `// Keys inserted while ranging may or may not be visited; apply them after the loop.${nl}${I}${pending} := make(map[${keyType}]${valueType})${nl}${I}`,
  });
  for (const op of inserts) edits.push({ file: l.file.rel, start: op.startIndex, end: op.endIndex, text: pending });
  const imports: string[] = [];
  let apply: string;
  if (mapsUsable(l, pkg)) {
    apply = `maps.Copy(${l.mapText}, ${pending})`;
    imports.push('maps');
  } else {
    // The loop's own names are free again after it, unless the map expression uses them.
    const free = (n: string | null) => n !== null && !new RegExp(`\\b${n}\\b`).test(l.mapText);
    const k = free(l.keyName) ? l.keyName! : names.pick('k', l);
    const v = free(l.valueName) && l.valueName !== k ? l.valueName! : names.pick('v', l);
    apply = `for ${k}, ${v} := range ${pending} {${nl}${I}\t${l.mapText}[${k}] = ${v}${nl}${I}}`;
  }
  edits.push({ file: l.file.rel, start: l.listed.endIndex, end: l.listed.endIndex, text: `${nl}${I}${apply}` });
  // An inserted key that already exists and is visited later was seen with its new value; now
  // it is seen with its old one and overwritten after the loop. That matters only when the
  // body reads the visited value or deletes or updates the visited entry.
  const sensitive = deletesOrUpdates || uses([l.body], l.valueName);
  return {
    loop: l,
    span: { start: l.listed.startIndex, end: l.listed.endIndex },
    edits,
    imports,
    summary: `collect the keys inserted into ${l.mapText} while ranging over it and apply them after the loop`,
    review: sensitive
      ? `if an inserted key already exists and the loop has not visited it yet, the loop used to see its new value and now sees the old one (the insert lands after the loop); check that inserted keys cannot be keys the loop still processes`
      : null,
  };
}

function assignmentOf(n: SyntaxNode): SyntaxNode | null {
  for (let cur: SyntaxNode | null = n; cur; cur = cur.parent) {
    if (cur.type === 'assignment_statement') return cur;
    if (cur.type === 'inc_statement' || cur.type === 'dec_statement' || cur.type === 'block') return null;
  }
  return null;
}

/** Package functions and methods the nodes call, by index. */
function calledPackageFunctions(n: SyntaxNode, pkg: PackageView, file: ParsedFile): number[] {
  const out = new Set<number>();
  for (const d of [n, ...descendants(n)]) {
    if (d.type !== 'call_expression') continue;
    const fn = d.childForFieldName('function');
    if (fn?.type === 'identifier') for (const i of pkg.index.funcsByName.get(fn.text) ?? []) out.add(i);
    if (fn?.type === 'selector_expression') {
      const op = fn.childForFieldName('operand')?.text ?? '';
      if (pkg.index.imports.has(op) && !pkg.index.vars.has(op) && !new RegExp(`\\b${op}\\s*:=`).test(file.text)) continue;
      for (const i of pkg.index.methodsByName.get(fn.childForFieldName('field')?.text ?? '') ?? []) out.add(i);
    }
  }
  return [...out];
}

/** Whether the function, or anything it calls, accesses the map. */
function functionTouches(f: number, shared: SharedMap, pkg: PackageView): boolean {
  const seen = new Set<number>();
  const stack = [f];
  while (stack.length > 0) {
    const g = stack.pop()!;
    if (seen.has(g)) continue;
    seen.add(g);
    if (shared.sites.some((s) => s.func === g)) return true;
    stack.push(...(pkg.flow.calleesOf[g] ?? []));
  }
  return false;
}
