// mutex-wrap, inline style: a mutex beside the map (a sync.Mutex, or a sync.RWMutex where a region
// only reads), or the mutex that already guards it elsewhere, and Lock/Unlock around every access
// that takes part in a race: one locked region per critical section.
import type { Finding, MapDecl } from '../../src/analysis/model.js';
import { isTestFile, type ResolvedSite } from '../../src/analysis/concurrency.js';
import { outermostFunction, type ParsedFile } from '../../src/analysis/package-index.js';
import type { SharedMap } from '../../src/analysis/rules/shared-map.js';
import { touchesContents } from '../../src/analysis/conflicts.js';
import type { SyntaxNode } from '../../src/parse/parser.js';
import type { Fix, TextEdit } from '../../src/plan/model.js';
import { addressTakenSites, exportedMapApi, guardIsRW, sharedMapOf, type PackageView, type TransformResult } from '../../src/plan/transform.js';
import {
  endOfStatementLine,
  indentAt,
  isFunctionBodyList,
  jumpsLeaving,
  listedStatementOf,
  lockHazards,
  type Hazard,
  nodeAt,
  statementsOfList,
  sameNode,
  descendants,
  isReferenceType,
  splitMapType,
  writeThroughLoadedValue,
  ancestorOfType,
  enclosingFunction,
  lineStart,
  isStablePath,
  unparen,
} from '../../src/plan/go-syntax.js';
import { copyHazards, receiverEdits } from './copylocks.js';
import { Decline, decline, declining, lineOf, siteAt as at } from '../../src/plan/decline.js';
import { newMutexName, type LockChoice } from './naming.js';
import { paramCallees, paramEdits, type ParamCallee } from './param-mutex.js';
import { goLockName } from '../../src/analysis/rules/lock-names.js';
import { callWithLockHeld } from '../../src/plan/callers.js';
import { maskCommentsAndStrings } from '../../src/analysis/text-callees.js';
import { lockUsedAtRunTime, upgradeReadLock, type ReadLockUpgrade } from './read-lock-upgrade.js';
import { isOwnerLock } from '../../src/analysis/owner-locks.js';

/**
 * Plans the inline style. `readers`: the caller adds accesses that only read (collect-then-delete's
 * collecting pass under RLock), so a new mutex stays a sync.RWMutex even when every region here writes.
 */
export function planInline(finding: Finding, pkg: PackageView, options: { readers?: boolean } = {}): TransformResult {
  return declining(() => buildInline(finding, pkg, options.readers ?? false));
}

/**
 * Why the map's values may change in place under its lock, or null: the value type is a map, a
 * slice or a pointer (directly or by a named type), and some access of the package writes into a
 * value it loaded from the map (`m[k][j] = x`, `m[k].n++`, or `v := m[k]` then `v.add(x)`).
 */
export function mutableValues(shared: SharedMap, decl: MapDecl, pkg: PackageView): string | null {
  const value = splitMapType(decl.type)?.value?.trim();
  if (!value) return null;
  const named = pkg.index.namedTypes.get(value.replace(/^\*/, ''));
  const reference = isReferenceType(value) || (named !== undefined && isReferenceType(named.type));
  if (!reference) return null;
  const files = new Map(pkg.files.map((f) => [f.rel, f]));
  for (const s of shared.sites) {
    if (s.kind !== 'read') continue;
    const file = files.get(s.span.file);
    if (!file) continue;
    const node = nodeAt(file, s.span.start, s.span.end);
    const read = ancestorOfType(node, 'index_expression');
    // `m[k][j] = x`, `m[k].f = x`, `m[k].n++`: the loaded value is the target's operand.
    let up: SyntaxNode | null = read?.parent ?? null;
    let target: SyntaxNode | null = null;
    while (up && (up.type === 'index_expression' || up.type === 'selector_expression')) {
      target = up;
      up = up.parent;
    }
    if (target && up) {
      const lhs = up.type === 'inc_statement' || up.type === 'dec_statement' ? up.namedChild(0) : up.type === 'expression_list' && up.parent?.type === 'assignment_statement' && sameNode(up.parent.childForFieldName('left'), up) ? target : null;
      if (lhs && sameNode(lhs, target)) return `${lineOf(file, up.startIndex)} writes into a ${value} held by the map`;
    }
    const w = writeThroughLoadedValue(node, s.span.end, pkg.index);
    if (w && s.locks.length > 0) return `${lineOf(file, w.startIndex)} changes a ${value} loaded from the map under the lock`;
  }
  return null;
}

/**
 * A region that loads a value from the map into a local (`v := m[k]`, `v, ok := m[k]`) whose
 * value others change under the lock: the statements of the list that use the local after the
 * region join it, so the value is only read while locked; a statement that cannot run locked
 * declines the fix.
 */
function coverValueUses(r: Region, why: string, pkg: PackageView): boolean {
  const names: { name: string; at: SyntaxNode; declared: boolean }[] = [];
  for (const stmt of r.stmts) {
    if (stmt.type !== 'short_var_declaration' && stmt.type !== 'assignment_statement') continue;
    const right = stmt.childForFieldName('right');
    const left = stmt.childForFieldName('left');
    if (!right || !left || right.namedChildCount !== 1) continue;
    const value = right.namedChild(0)!;
    if (value.type !== 'index_expression' || !r.sites.some((x) => x.kind === 'read' && x.span.start >= value.startIndex && x.span.end <= value.endIndex)) continue;
    const name = left.namedChildren[0];
    if (name?.type === 'identifier' && name.text !== '_') names.push({ name: name.text, at: stmt, declared: stmt.type === 'short_var_declaration' });
  }
  if (names.length === 0) return false;
  const all = statementsOfList(r.list);
  const lastIdx = all.findIndex((x) => sameNode(x, r.stmts[r.stmts.length - 1]!));
  const mentions = (text: string, name: string) => new RegExp(`\\b${name}\\b`).test(text);
  let until = lastIdx;
  for (const { name } of names) for (let i = lastIdx + 1; i < all.length; i++) if (mentions(all[i]!.text, name)) until = Math.max(until, i);
  // A value assigned to a variable of an outer block may be used after this list too.
  for (const { name, at: stmt, declared } of names) {
    if (declared) continue;
    const body = enclosingFunction(stmt)?.childForFieldName('body');
    const after = body ? r.file.text.slice(r.list.endIndex, body.endIndex) : '';
    if (mentions(after, name)) {
      decline(`${lineOf(r.file, stmt.startIndex)} loads a value from the map into ${name}, used after its block, while other code changes such values under the lock (${why}); lock that use by hand`);
    }
  }
  if (until === lastIdx) return false;
  const extra = all.slice(lastIdx + 1, until + 1);
  const blocked = extra.flatMap((x) => regionHazards([x], pkg, r.file, false).filter((h) => !onWayOut(h, x)))[0];
  if (blocked) {
    decline(
      `${lineOf(r.file, r.stmts[0]!.startIndex)} loads a value from the map that ${lineOf(r.file, all[until]!.startIndex)} still uses, while other code changes such values under the lock (${why}); the lock must cover that use, but would then be held across ${blocked.what} (${lineOf(r.file, blocked.node.startIndex)}); lock it by hand`,
    );
  }
  r.stmts.push(...extra);
  r.coveredUses = true;
  return true;
}

/**
 * `maps.Copy(dst.m, src.m)`: a statement that names the field on a second value the scan did not
 * type reaches another instance, which the region's lock does not guard.
 */
function declineSecondInstance(regions: Region[], decl: MapDecl, files: Map<string, ParsedFile>): void {
  const field = fieldName(decl);
  for (const r of regions) {
    const bases = new Set(r.sites.map((x) => fieldBase(x, field, files)).filter((b): b is string => b !== null));
    if (bases.size === 0) continue;
    for (const st of r.stmts) {
      const other = [...descendants(st)].find((n) => n.type === 'selector_expression' && n.childForFieldName('field')?.text === field && !bases.has(n.childForFieldName('operand')?.text ?? ''));
      if (other) decline(`${lineOf(r.file, other.startIndex)} also reaches ${other.text}, another instance of ${decl.name} that the lock of ${[...bases][0]} does not guard; lock it by hand`);
    }
  }
}

/** A region grown over the uses of a loaded value may now reach the next region of its list: one region. */
function mergeGrownRegions(regions: Region[]): void {
  for (let i = 0; i < regions.length; i++) {
    const r = regions[i]!;
    for (let j = i + 1; j < regions.length; j++) {
      const o = regions[j]!;
      if (o.file !== r.file || !sameNode(o.list, r.list) || o.stmts[0]!.startIndex > r.stmts[r.stmts.length - 1]!.endIndex) continue;
      if (o.lockExpr !== r.lockExpr) decline(`${lineOf(r.file, o.stmts[0]!.startIndex)} would join the region locked at ${lineOf(r.file, r.stmts[0]!.startIndex)} but reaches another instance of the map`);
      for (const st of o.stmts) if (!r.stmts.some((x) => sameNode(x, st))) r.stmts.push(st);
      r.stmts.sort((a, b) => a.startIndex - b.startIndex);
      r.sites.push(...o.sites);
      r.write ||= o.write;
      r.checkThenAct ||= o.checkThenAct;
      r.coveredUses = true;
      regions.splice(j--, 1);
    }
  }
}

interface Region {
  file: ParsedFile;
  list: SyntaxNode;
  stmts: SyntaxNode[];
  write: boolean;
  lockExpr: string;
  sites: ResolvedSite[];
  /** The map's own name (`visits` for `Counter.visits`), for naming temporaries. */
  mapName: string;
  /** The lock is a sync.RWMutex: reads may take RLock. */
  rw: boolean;
  /**
   * The region reads the map and then writes it (check-then-act): it must run as one critical
   * section, so calls that cannot block on a lock or re-enter (fmt.Sprintf, sort) may run in it.
   */
  checkThenAct: boolean;
  /** Why the map's values change in place under the lock (mutableValues), when they do. */
  valueChanges?: string;
  /** The region was grown over the uses of a value loaded from the map: it cannot be split. */
  coveredUses?: boolean;
  /**
   * Temporaries already declared by this fix, per statement list (`file:start`): two statements
   * of one block split into regions must not both declare `errsKey`.
   */
  temps: Map<string, Set<string>>;
}

function buildInline(finding: Finding, pkg: PackageView, readers: boolean): Fix {
  const shared = sharedMapOf(finding, pkg) ?? decline('the package facts do not know this map');
  const decl = shared.decl;
  if (decl.kind === 'param') decline(`${decl.name} is a parameter: the map belongs to the callers; fix the map they pass`);
  if (decl.kind === 'named-type') decline(`${decl.name} is a named map type used as a receiver: a mutex cannot be added to a map type, and no rewrite can keep its methods; turn it into a struct holding the map and a mutex by hand`);
  const addressed = addressTakenSites(shared, pkg);
  const addressedAt = (s: ResolvedSite) => addressed.find((a) => a.site === s);
  if (finding.rule === 'map-escapes-lock') {
    const here = addressed.find((a) => a.site.span.file === finding.span.file && a.site.span.start === finding.span.start);
    if (here) decline(`${here.why}; a lock cannot cover what is done through the pointer later, so guard that use by hand`);
    decline(`the map leaves its lock (${finding.message.replace(/\.$/, '')}); a mutex cannot protect what callers do with it afterwards (snapshot-copy hands out a copy instead)`);
  }
  const rangeUnderLock = shared.sites.find((s) => s.kind === 'range' && s.raw.range?.callsOut && s.locks.some((l) => !isOwnerLock(l.name)));
  if (finding.rule === 'map-mutated-during-range' && rangeUnderLock) {
    decline(`the range at ${at(rangeUnderLock)} already holds the lock while it calls ${rangeUnderLock.raw.range!.callsOut}; a mutex does not fix that (collect-then-delete or snapshot-copy does)`);
  }
  if (finding.rule === 'map-mutated-during-range' && shared.conflicts.length === 0) {
    decline('the range inserts into the map it ranges over in a single goroutine: there is no race for a mutex to fix (collect-then-delete applies)');
  }

  const files = new Map(pkg.files.map((f) => [f.rel, f]));
  const lock = chooseLock(shared, pkg, files);
  const raced = new Set<ResolvedSite>();
  for (const c of shared.conflicts) {
    raced.add(c.a);
    raced.add(c.b);
  }
  // Once a map has a mutex, every access must hold it (the scan reports any that does not), so a
  // package or field map gets the lock at every access but its construction. A local map only
  // at the accesses that race: its other accesses are ordered by the code around them.
  const finder = pkg.rules.finder;
  // Test code that races with nothing (a test's own helper closing what it built, run by the
  // test's goroutine alone) is left as it is: the scan reports no race there, and a lock added to
  // it could only block (seaweedfs' closeEcVolumes, whose range would hold the lock across Close).
  const candidates =
    decl.kind === 'local'
      ? [...raced]
      : shared.sites.filter((s) => (touchesContents(s) || s.kind === 'escape') && !finder.isConstruction(s) && !(isTestFile(s.span.file) && !raced.has(s)));
  // Accesses through a map that escaped (`items := c.Items()`) belong to the map-escapes-lock
  // finding: a lock here cannot reach them.
  const escape = shared.sites.find((s) => s.kind === 'escape' && s.escape !== 'call');
  const throughEscape = (s: ResolvedSite) => escape !== undefined && decl.kind === 'field' && s.kind !== 'escape' && (s.viaReturn || !spelledAsField(s, decl, files));
  // `&m` lets the callee write the map: only the write lock covers it.
  const unlocked = candidates.filter((s) => !s.locks.some((l) => l.name === lock.name && (l.mode === 'write' || !(isWriteSite(s) || addressedAt(s)))));
  const leftToEscape = unlocked.filter(throughEscape);
  const toLock = unlocked.filter((s) => !throughEscape(s));
  if (toLock.length === 0) decline('every racing access already holds the lock');
  let callees: Map<number, ParamCallee> | null = null;
  for (const s of toLock) {
    const addr = addressedAt(s);
    if (addr) decline(`${addr.why}; a lock around ${at(s)} would not cover what is done through the pointer later, so guard that use by hand`);
    if (s.kind === 'escape' && s.escape !== 'call') {
      decline(`the map escapes at ${at(s)} (${s.text}: ${s.escape === 'return' ? 'returned' : s.escape === 'send' ? 'sent on a channel' : s.escape === 'store' ? 'stored elsewhere' : 'passed to a callback'}); a mutex cannot guard what its users do with it afterwards`);
    }
    const unstable = decl.kind === 'field' ? unstableBase(s, fieldName(decl), files) : null;
    if (unstable) decline(`${at(s)} reaches the map through ${unstable}, which may be another value each time it is evaluated (it calls a function): a lock taken through it need not be the map's`);
    if (decl.kind === 'field' && !spelledAsField(s, decl, files)) decline(`${at(s)} reaches the map through another variable (${s.text}); only accesses spelled as x.${fieldName(decl)} can be locked`);
    const after = usedAfterStore(s, files);
    if (after) decline(after);
  }
  if (decl.kind === 'local') {
    // The new mutex is a local of the map's function: only that function and its closures see it.
    const owner = decl.ownerFunc;
    // A loop up the literals' parents: function literals nest as deep as the input does.
    const inOwner = (start: number): boolean => {
      for (let f = start; ; f = pkg.index.funcs[f]!.parent) {
        if (f === owner) return true;
        if (pkg.index.funcs[f]!.literal === null || pkg.index.funcs[f]!.parent < 0) return false;
      }
    };
    const outside = toLock.filter((s) => !inOwner(s.func));
    // Functions handed the map as a parameter get the mutex as one too (param-mutex.ts).
    if (outside.length > 0) {
      const got = paramCallees(decl, outside, inOwner, pkg, files);
      callees = got;
      const own = lock.expr.bind(lock);
      lock.expr = (s) => got.get(s.func)?.mutex ?? own(s);
    }
  }
  // A write under the read lock: its region takes the write lock instead (read-lock-upgrade.ts).
  const underRead = toLock.filter((s) => s.locks.some((l) => l.name === lock.name));
  const upgrades: ReadLockUpgrade[] = [];
  for (const s of underRead) {
    const u = upgradeReadLock(s, files.get(s.span.file)!, lock.expr(s), lock, pkg);
    if (!upgrades.some((x) => x.file === u.file && sameNode(x.lockStmt, u.lockStmt))) upgrades.push(u);
  }
  // An access its function makes before it sets the lock itself (`t.serverNames = make(…)` just
  // above `t.serverNamesMu = new(sync.Mutex)`, caddy's TLS.Provision): a nil *sync.Mutex panics
  // on Lock, and no other goroutine can hold a lock that is not there yet: the value is being
  // set up. Left unlocked (with where its function sets the lock), and said so in the fix's reason.
  const lockSetAt = new Map<ResolvedSite, string>();
  for (const s of lock.reused ? toLock : []) {
    const where = underRead.includes(s) ? null : lockSetAfter(s, lock.expr(s), pkg);
    if (where) lockSetAt.set(s, where);
  }
  const notYet = [...lockSetAt.keys()];
  const anchorNotYet = notYet.find((s) => s.span.file === finding.span.file && s.span.start === finding.span.start);
  if (anchorNotYet) {
    decline(`${at(anchorNotYet)} runs before its function sets ${lock.expr(anchorNotYet)} (${lockSetAt.get(anchorNotYet)}): the lock does not exist there yet, and locking it would dereference nil`);
  }
  const unguarded = toLock.filter((s) => !underRead.includes(s) && !lockSetAt.has(s));
  // `lock := s.mu.RLock` … `lock()`: the function may hold the lock in a way the analysis does
  // not see, and a Lock added inside it would deadlock.
  const checked = new Set<string>();
  for (const s of lock.reused ? unguarded : []) {
    const key = `${s.func}:${lock.expr(s)}`;
    if (checked.has(key)) continue;
    checked.add(key);
    const odd = lockUsedAtRunTime(s, files.get(s.span.file)!, lock.expr(s));
    if (odd) decline(`${at(s)} is not seen to hold ${lock.display}, but ${odd} in the same function: it may hold the lock in a mode chosen at run time, and a Lock added there could deadlock; lock it by hand`);
  }
  if (lock.reused) checkNotHeldByCallers(unguarded, lock, pkg);

  const regions = unguarded.length > 0 ? buildRegions(unguarded, lock, files, pkg) : [];
  if (decl.kind === 'field') declineSecondInstance(regions, decl, files);
  // Values the map holds that other code changes in place under the lock (`m[k][j] = x`,
  // `d := m[k]; d.add(x)`): a value loaded from the map must stay locked while it is used.
  const shareValues = mutableValues(shared, decl, pkg);
  if (shareValues) {
    for (const r of regions) {
      r.valueChanges = shareValues;
      if (coverValueUses(r, shareValues, pkg)) r.write ||= writesWithin(r, pkg, r.stmts[0]!.startIndex, r.stmts[r.stmts.length - 1]!.endIndex);
    }
    mergeGrownRegions(regions);
  }
  for (const r of regions) {
    const u = upgrades.find((x) => x.file === r.file && r.stmts[0]!.startIndex < x.end && x.start < r.stmts[r.stmts.length - 1]!.endIndex);
    if (u) decline(`${lineOf(r.file, r.stmts[0]!.startIndex)} needs the lock inside the read-locked region from ${lineOf(u.file, u.lockStmt.startIndex)}, which the fix turns into the write lock; fix that region by hand`);
    // In a function handed the map, temporaries are named after its parameter (`dstVal`).
    const callee = callees?.get(r.sites[0]!.func);
    if (callee) r.mapName = callee.param;
    // A call of a function the mutex is passed to, inside a locked region, would take it again.
    for (const c of callees?.values() ?? []) {
      const call = c.calls.find((x) => x.file === r.file && r.stmts.some((st) => st.startIndex <= x.call.startIndex && x.call.endIndex <= st.endIndex));
      if (call) decline(`${lineOf(r.file, call.call.startIndex)} calls ${c.name} inside the region locked for ${decl.name} (${lineOf(r.file, r.stmts[0]!.startIndex)}); ${c.name} would take the same mutex again and deadlock`);
    }
  }
  // A new mutex is a plain sync.Mutex unless some region only reads: readers are what an
  // RWMutex lets run side by side.
  if (!lock.reused && !readers && regions.every((r) => r.write)) {
    lock.rw = false;
    for (const r of regions) r.rw = false;
  }
  const edits: TextEdit[] = upgrades.flatMap((u) => u.edits);
  let usesDefer = false;
  // Declarations that move into the function's own lock region below them (sinkIntoNextRegion).
  const sunkAt: string[] = [];
  let review: string | null = null;
  const otherLock = underRead.find((s) => s.locks.some((l) => l.name !== lock.name && !l.name.startsWith('once:') && !isOwnerLock(l.name)));
  if (otherLock) review = `${at(otherLock)} already holds another lock; check the lock order now that it takes the write lock`;
  for (const r of regions) {
    const { edits: e, deferred, sunk } = regionEdits(r, pkg);
    if (sunk) sunkAt.push(lineOf(r.file, r.stmts[0]!.startIndex));
    edits.push(...e);
    usesDefer ||= deferred;
    if (r.sites.some((s) => s.locks.some((l) => l.name !== lock.name && !l.name.startsWith('once:') && !isOwnerLock(l.name)))) {
      review = `${lineOf(r.file, r.stmts[0]!.startIndex)} already holds another lock; check the lock order`;
    }
    const value = splitMapType(decl.type)?.value;
    if (value && isReferenceType(value) && !review?.includes('loaded from the map')) {
      const end = r.stmts[r.stmts.length - 1]!.endIndex;
      for (const s of r.sites) {
        if (s.kind !== 'read') continue;
        const w = writeThroughLoadedValue(nodeAt(r.file, s.span.start, s.span.end), end, pkg.index);
        if (w) {
          const why = `${lineOf(r.file, w.startIndex)} writes ${w.text.split('\n')[0]} through a ${value} loaded from the map after the lock is released; the lock does not cover what the map's values point to`;
          review = review ? `${review}; ${why}` : why;
          break;
        }
      }
    }
  }
  const imports: Record<string, string[]> = {};
  if (callees) {
    const passed = paramEdits(callees, lock.declName!, mutexType(lock));
    edits.push(...passed.edits);
    for (const f of passed.files) imports[f] = ['sync'];
  }
  if (!lock.reused) {
    const declEdits = declareMutex(decl, lock, files, pkg);
    edits.push(...declEdits.edits);
    imports[declEdits.file] = ['sync'];
    if (declEdits.review) review = review ? `${review}; ${declEdits.review}` : declEdits.review;
  }
  // The map keeps its type, so the package's API is kept; but code in other packages that
  // touches it directly does not take the new lock.
  const api = exportedMapApi(decl, pkg);
  if (api) {
    const why = `importers outside the package access ${decl.name} without the lock (${api}); give them methods that lock, or check that none writes it`;
    review = review ? `${review}; ${why}` : why;
  }
  const leftBeforeLock = (f: { span: { file: string; start: number } }) => notYet.some((s) => s.span.file === f.span.file && s.span.start === f.span.start);
  const covers = pkg.findings.filter((f) => f.map.key === decl.key && f.rule !== 'map-escapes-lock' && !leftBeforeLock(f)).map((f) => f.id);
  const upgraded = upgrades.map((u) => lineOf(u.file, u.lockStmt.startIndex));
  const what = [
    ...(unguarded.length === 0
      ? []
      : [
          lock.reused
            ? `take ${lock.display} (which guards ${decl.name} elsewhere) at the ${unguarded.length} unguarded access${unguarded.length === 1 ? '' : 'es'}`
            : `guard ${decl.name} with a new ${mutexType(lock)} ${lock.display} at ${unguarded.length} access${unguarded.length === 1 ? '' : 'es'}` +
              (callees ? `, passed along to ${[...callees.values()].map((c) => `${c.name} (as ${c.mutex})`).join(', ')}` : ''),
        ]),
    ...(upgrades.length === 0 ? [] : [`take the write lock of ${lock.display} instead of the read lock at ${upgraded.join(', ')}, where ${decl.name} is written`]),
  ].join('; ');
  return {
    findingId: finding.id,
    covers: covers.includes(finding.id) ? covers : [finding.id, ...covers],
    transform: 'mutex-wrap',
    title: `mutex-wrap (inline): ${what}`,
    safety: review ? 'review' : 'safe',
    edits,
    imports,
    reason:
      (unguarded.length === 0
        ? ''
        : lock.reused
          ? sunkAt.length === regions.length
            ? 'inconsistent locking: the map already has a mutex, so the unguarded access joins the function\'s own lock region'
            : 'inconsistent locking: the map already has a mutex, so the missing Lock/Unlock is added and nothing else changes'
          : `no lock guards ${decl.name}; its accesses are wrapped in Lock/Unlock${lock.rw ? ' (RLock for reads)' : ', a plain sync.Mutex since every locked region writes'}`) +
      (upgrades.length === 0
        ? ''
        : `${unguarded.length === 0 ? '' : '; '}the read-locked region${upgrades.length === 1 ? '' : 's'} at ${upgraded.join(', ')} write${upgrades.length === 1 ? 's' : ''} ${decl.name}, so ${upgrades.length === 1 ? 'it takes' : 'they take'} Lock/Unlock instead of RLock/RUnlock (nothing in ${upgrades.length === 1 ? 'it' : 'them'} blocks or takes the lock again)`) +
      (sunkAt.length > 0 ? `; the declaration at ${sunkAt.join(', ')} reads ${decl.name} just before the function takes the lock, so it moves into that region instead of getting a Lock/Unlock of its own` : '') +
      (usesDefer ? '; defer is used where the locked statements run to the end of the function' : '') +
      (leftToEscape.length > 0 ? `; the accesses through the escaped map (${leftToEscape.map(at).join(', ')}) are left to the map-escapes-lock finding` : '') +
      (notYet.length > 0
        ? `; left unlocked: ${notYet.map((s) => `${at(s)} (its function sets ${lock.expr(s)} after it, at ${lockSetAt.get(s)})`).join(', ')}, where the value is still being set up and the lock does not exist yet`
        : '') +
      (review ? `. Review: ${review}` : ''),
  };
}

/**
 * Where the function holding `s` assigns the lock expression (`t.serverNamesMu = new(sync.Mutex)`)
 * after s, as `file:line`; null when it does not. Read from the function's text after the access
 * (comments and strings masked), up to the end of its body.
 */
function lockSetAfter(s: ResolvedSite, expr: string, pkg: PackageView): string | null {
  const fn = pkg.index.funcs[s.func];
  if (!fn || !fn.file) return null;
  const end = fn.body?.end ?? fn.end;
  if (s.span.end >= end) return null;
  const text = maskCommentsAndStrings(fn.file.text.slice(s.span.end, end));
  const escaped = expr.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\\\./g, '\\s*\\.\\s*');
  const m = new RegExp(`(?:^|[^\\w.])${escaped}\\s*=(?!=)`).exec(text);
  if (!m) return null;
  const pos = s.span.end + m.index + m[0].indexOf(expr[0]!);
  return `${fn.file.rel.split('/').pop()}:${fn.file.lines.position(pos).line}`;
}

function mutexType(lock: LockChoice): string {
  return lock.rw ? 'sync.RWMutex' : 'sync.Mutex';
}

function isWriteSite(s: ResolvedSite): boolean {
  return s.kind === 'write' || s.kind === 'delete' || s.kind === 'clear' || (s.kind === 'range' && !!s.rangeBody && (s.rangeBody.deletes || s.rangeBody.inserts));
}

function spelledAsField(s: ResolvedSite, decl: MapDecl, files: Map<string, ParsedFile>): boolean {
  return fieldBase(s, fieldName(decl), files) !== null;
}

/** `s.items[k]`, `len(s.items)` → `s`: the operand of the selector naming the field, or null. */
function fieldOperand(s: ResolvedSite, field: string, files: Map<string, ParsedFile>): SyntaxNode | null {
  const file = files.get(s.span.file);
  if (!file) return null;
  const node = nodeAt(file, s.span.start, s.span.end);
  for (const n of [node, ...descendants(node)]) {
    if (n.type === 'selector_expression' && n.childForFieldName('field')?.text === field) return n.childForFieldName('operand');
  }
  return null;
}

/** The operand's text, when it names the same value each time it is evaluated (isStablePath). */
function fieldBase(s: ResolvedSite, field: string, files: Map<string, ParsedFile>): string | null {
  const operand = fieldOperand(s, field, files);
  return operand && isStablePath(operand) ? operand.text : null;
}

/** `f().items[k]` → `f()`: the operand naming the field, when it may be another value each time (a call). */
function unstableBase(s: ResolvedSite, field: string, files: Map<string, ParsedFile>): string | null {
  const operand = fieldOperand(s, field, files);
  return operand && !isStablePath(operand) ? operand.text : null;
}

function fieldName(decl: MapDecl): string {
  return decl.name.split('.').pop()!;
}

/** The mutex to use: the one that guards the map elsewhere, or a new one. */
function chooseLock(shared: SharedMap, pkg: PackageView, files: Map<string, ParsedFile>): LockChoice {
  const decl = shared.decl;
  if (shared.guard) {
    const g = shared.guard;
    const rw = guardIsRW(g, pkg);
    if (g.includes('@')) {
      const name = g.split('@')[0]!;
      return { name: g, reused: true, rw, display: name, expr: () => name, mapName: fieldName(decl) };
    }
    if (decl.kind === 'field') {
      const owner = decl.name.split('.')[0]!;
      const field = fieldName(decl);
      if (g === owner) return { name: g, reused: true, rw, display: goLockName(g, pkg.index), expr: (s) => baseOf(s, field, files), mapName: fieldName(decl) };
      if (g.startsWith(`${owner}.`)) {
        const mu = g.slice(owner.length + 1);
        return { name: g, reused: true, rw, display: `${owner}.${mu}`, expr: (s) => `${baseOf(s, field, files)}.${mu}`, mapName: fieldName(decl) };
      }
    }
    if (decl.kind === 'package-var' && /^\w+$/.test(g)) return { name: g, reused: true, rw, display: g, expr: () => g, mapName: fieldName(decl) };
    decline(`the map is guarded by ${goLockName(g, pkg.index)} elsewhere, which cannot be named at every access`);
  }
  const name = newMutexName(decl, pkg);
  if (decl.kind === 'field') {
    const owner = decl.name.split('.')[0]!;
    const field = fieldName(decl);
    return { name: `${owner}.${name}`, reused: false, rw: true, display: `${owner}.${name}`, expr: (s) => `${baseOf(s, field, files)}.${name}`, declName: name, mapName: fieldName(decl) };
  }
  return { name, reused: false, rw: true, display: name, expr: () => name, declName: name, mapName: fieldName(decl) };
}

/** `s.items` → `s`; declines when the access is not spelled as a selector of the field. */
function baseOf(s: ResolvedSite, field: string, files: Map<string, ParsedFile>): string {
  return fieldBase(s, field, files) ?? decline(`${at(s)} reaches the map as ${s.text}; only accesses spelled as x.${field} can be locked`);
}

/** Adding Lock inside a function that some caller already calls with that lock held deadlocks. */
function checkNotHeldByCallers(sites: ResolvedSite[], lock: LockChoice, pkg: PackageView): void {
  const flow = pkg.flow;
  // A lock that is an exported field (`group.Mu`) is part of the type's API: code in other
  // packages locks it itself, and may hold it when it calls an exported function of this one
  // (seaweedfs' protocol package holds group.Mu around group.AssignPartitions()). A Lock added
  // inside such a function could deadlock, and those callers are not in the package.
  const field = lock.name.includes('.') ? lock.name.slice(lock.name.indexOf('.') + 1) : '';
  if (/^[A-Z]/.test(field)) {
    for (const s of sites) {
      const fn = outermostFunction(flow.index, s.func);
      const outside = fn.exported && (fn.recvType === null || /^[A-Z]/.test(fn.recvType));
      if (outside) decline(`${lock.display} is an exported field, so code in other packages can hold it when it calls ${fn.name} (exported); a Lock added inside ${fn.name} could deadlock with them; lock it by hand where its callers do not hold it`);
    }
  }
  const held = callWithLockHeld(flow, [...new Set(sites.map((s) => s.func))], lock.name);
  if (held) {
    const fn = flow.index.funcs[held.call.caller]!;
    decline(`${flow.index.funcs[held.callee]!.name} ${held.how} ${lock.display} held (${lineOf(fn.file, held.call.pos)}); locking inside it would deadlock`);
  }
}

/** Groups the accesses into locked regions: runs of adjacent statements of one statement list. */
function buildRegions(sites: ResolvedSite[], lock: LockChoice, files: Map<string, ParsedFile>, pkg: PackageView): Region[] {
  const byStmt = new Map<string, { file: ParsedFile; stmt: SyntaxNode; sites: ResolvedSite[] }>();
  for (const s of sites) {
    const file = files.get(s.span.file)!;
    const stmt = listedStatementOf(nodeAt(file, s.span.start, s.span.end));
    if (!stmt) decline(`${at(s)} is not inside a statement that can be wrapped`);
    const key = `${file.rel}:${stmt!.startIndex}`;
    const entry = byStmt.get(key) ?? { file, stmt: stmt!, sites: [] };
    entry.sites.push(s);
    byStmt.set(key, entry);
  }
  // Check-then-act stays atomic: `v, ok := m[k]` followed by `if !ok { m[k] = v }` locks the
  // `if` too, when it can run locked as a whole.
  const all = [...byStmt.values()];
  for (const e of all) {
    for (;;) {
      const up = e.stmt.parent ? listedStatementOf(e.stmt.parent) : null;
      if (!up || crossesFunction(e.stmt, up)) break;
      const prev = previousStatement(up);
      const check = prev ? all.find((o) => o !== e && o.file === e.file && sameNode(o.stmt, prev)) : undefined;
      if (!check) break;
      const act = checkThenAct(check.sites, e.sites, files);
      if (act) {
        // The act runs under the check's lock; calls on the way out run after the unlock.
        const held = regionHazards([up], pkg, e.file, true).filter((h) => !onWayOut(h, up));
        if (held.length > 0) splitCheckThenAct(act, held[0]!, e.file);
      } else if (lockHazards([up], pkg.index, e.file).length > 0 || jumpsLeaving([up]).length > 0) break;
      e.stmt = up;
    }
  }
  // Nested statements: an access inside a statement that is itself wrapped belongs to the outer one.
  const entries = [...byStmt.values()].sort((a, b) => (a.file.rel === b.file.rel ? a.stmt.startIndex - b.stmt.startIndex : a.file.rel < b.file.rel ? -1 : 1));
  const outer: typeof entries = [];
  for (const e of entries) {
    const host = outer.find((o) => o.file === e.file && o.stmt.startIndex <= e.stmt.startIndex && e.stmt.endIndex <= o.stmt.endIndex && !crossesFunction(e.stmt, o.stmt));
    if (host) host.sites.push(...e.sites);
    else outer.push(e);
  }
  // Adjacent statements of one list form one region, so a read-then-write stays atomic.
  const regions: Region[] = [];
  const temps = new Map<string, Set<string>>();
  for (const e of outer) {
    const list = e.stmt.parent!;
    const last = regions[regions.length - 1];
    const exprOf = (s: ResolvedSite) => lock.expr(s);
    const lockExpr = exprOf(e.sites[0]!);
    for (const s of e.sites) if (exprOf(s) !== lockExpr) decline(`one statement (${at(s)}) reaches two instances of the map`);
    const between = last && last.file === e.file && sameNode(last.list, list) && last.lockExpr === lockExpr ? statementsBetween(last.stmts[last.stmts.length - 1]!, e.stmt) : null;
    // A check and the act on the same entry share one region, even across calls that cannot
    // block on a lock (fmt.Sprintf); across any other call they cannot be fixed by a lock alone.
    const act = last && between ? checkThenAct(last.sites, e.sites, files) : null;
    if (act && between) {
      const h = between.flatMap((b) => regionHazards([b], pkg, e.file, true).filter((x) => !onWayOut(x, b)))[0];
      if (h) splitCheckThenAct(act, h, e.file);
    }
    if (last && between && between.every((b) => lockableBetween(b, pkg, e.file, act !== null))) {
      last.stmts.push(...between, e.stmt);
      last.sites.push(...e.sites);
      last.write ||= e.sites.some(isWriteSite);
      continue;
    }
    regions.push({ file: e.file, list, stmts: [e.stmt], write: e.sites.some(isWriteSite), lockExpr, sites: e.sites, mapName: lock.mapName, rw: lock.rw, checkThenAct: false, temps });
  }
  for (const r of regions) {
    // Any access of this map inside the region decides the mode, locked before or not.
    if (writesWithin(r, pkg, r.stmts[0]!.startIndex, r.stmts[r.stmts.length - 1]!.endIndex)) r.write = true;
    const sorted = [...r.sites].sort((a, b) => a.span.start - b.span.start);
    r.checkThenAct = sorted.some((s, i) => checkThenAct([s], sorted.slice(i + 1), files) !== null);
  }
  return regions;
}

function crossesFunction(inner: SyntaxNode, outer: SyntaxNode): boolean {
  for (let cur = inner.parent; cur && !sameNode(cur, outer); cur = cur.parent) if (cur.type === 'func_literal') return true;
  return false;
}

function previousStatement(n: SyntaxNode): SyntaxNode | null {
  let prev = n.previousNamedSibling;
  while (prev && prev.type === 'comment') prev = prev.previousNamedSibling;
  return prev;
}

/** The statements strictly between a and b in their list, or null when b does not follow a. */
function statementsBetween(a: SyntaxNode, b: SyntaxNode): SyntaxNode[] | null {
  const out: SyntaxNode[] = [];
  for (let next = a.nextNamedSibling; next; next = next.nextNamedSibling) {
    if (sameNode(next, b)) return out;
    if (next.type !== 'comment') out.push(next);
  }
  return null;
}

/**
 * A statement between two accesses can join their locked region when it can run locked: no
 * call out, except on a way out of the function (`if bad { return fmt.Errorf(…) }`), where the
 * region unlocks first.
 */
function lockableBetween(stmt: SyntaxNode, pkg: PackageView, file: ParsedFile, checkThenAct = false): boolean {
  return regionHazards([stmt], pkg, file, checkThenAct).every((h) => onWayOut(h, stmt));
}

/** A hazard in a block of stmt that ends in a return: the region unlocks before it runs. */
function onWayOut(h: Hazard, stmt: SyntaxNode): boolean {
  let list: SyntaxNode | null = h.node.parent;
  while (list && list.type !== 'statement_list') list = list.parent;
  if (!list || !(list.startIndex >= stmt.startIndex && list.endIndex <= stmt.endIndex)) return false;
  const stmts = statementsOfList(list);
  return stmts[stmts.length - 1]?.type === 'return_statement';
}

/**
 * Calls that may run under the lock of a check-then-act region: they neither block on a lock
 * nor call back into the package (no function arguments; fmt's Stringer calls aside).
 */
const LOCK_FREE_CALLS = /^(fmt\.(Sprintf|Sprint|Sprintln|Errorf)|sort\.\w+|hex\.\w+)$/;

/** The hazards of running nodes under the lock; a check-then-act region tolerates lock-free calls. */
function regionHazards(nodes: SyntaxNode[], pkg: PackageView, file: ParsedFile, checkThenAct: boolean): Hazard[] {
  const all = lockHazards(nodes, pkg.index, file);
  if (!checkThenAct) return all;
  return all.filter((h) => {
    if (h.node.type !== 'call_expression') return true;
    const args = h.node.childForFieldName('arguments')?.namedChildren ?? [];
    return !LOCK_FREE_CALLS.test(h.node.childForFieldName('function')?.text ?? '') || args.some((a) => a.type === 'func_literal');
  });
}

/** The key an access indexes (`k` of `m[k]`, `m[k] = v`, `m[k]++`), or null. */
function keyOf(s: ResolvedSite, files: Map<string, ParsedFile>): string | null {
  const file = files.get(s.span.file);
  if (!file) return null;
  const node = nodeAt(file, s.span.start, s.span.end);
  let n: SyntaxNode | null = node;
  for (let i = 0; n && i < 4; i++, n = n.parent) {
    if (n.type === 'index_expression') return n.childForFieldName('index')?.text ?? null;
  }
  return [...descendants(node)].find((d) => d.type === 'index_expression')?.childForFieldName('index')?.text ?? null;
}

/**
 * A read of an entry and a later write of the same entry (same key text) that the read decides:
 * the write uses what the read stored (`old := m[k]` … `m[k] = old+1`), runs under a condition
 * on it (`_, ok := m[k]` … `if !ok { m[k] = v }`, `if _, ok := m[k]; !ok { m[k] = v }`), or
 * follows an `if` on it that leaves early. Null when there is none.
 */
export function checkThenAct(earlier: ResolvedSite[], later: ResolvedSite[], files: Map<string, ParsedFile>): { check: ResolvedSite; act: ResolvedSite } | null {
  for (const check of earlier) {
    if (check.kind !== 'read') continue;
    const key = keyOf(check, files);
    const file = files.get(check.span.file);
    if (key === null || !file) continue;
    const stmt = listedStatementOf(nodeAt(file, check.span.start, check.span.end));
    if (!stmt) continue;
    const decides = decidedBy(stmt, check);
    const act = later.find((w) => {
      if (w.map !== check.map || (w.kind !== 'write' && w.kind !== 'delete') || keyOf(w, files) !== key || w.span.file !== check.span.file) return false;
      return decides(nodeAt(file, w.span.start, w.span.end));
    });
    if (act) return { check, act };
  }
  return null;
}

/** Whether a write node depends on the read in stmt (see checkThenAct). */
function decidedBy(stmt: SyntaxNode, check: ResolvedSite): (w: SyntaxNode) => boolean {
  const inside = (n: SyntaxNode, outer: SyntaxNode | null) => outer !== null && n.startIndex >= outer.startIndex && n.endIndex <= outer.endIndex;
  let names: string[] = [];
  let gate: SyntaxNode | null = null;
  let leaves = false;
  if (stmt.type === 'short_var_declaration' || stmt.type === 'assignment_statement') {
    names = stmt.childForFieldName('left')?.namedChildren.map((c) => c.text).filter((t) => /^\w+$/.test(t) && t !== '_') ?? [];
  } else if (stmt.type === 'if_statement') {
    const init = stmt.childForFieldName('initializer');
    const cond = stmt.childForFieldName('condition');
    const at = (n: SyntaxNode | null) => n !== null && check.span.start >= n.startIndex && check.span.end <= n.endIndex;
    if (at(init) || at(cond)) {
      gate = stmt;
      const body = stmt.childForFieldName('consequence');
      leaves = body !== null && jumpsLeaving([body]).length > 0;
    }
  }
  const uses = (text: string) => names.some((n) => new RegExp(`\\b${n}\\b`).test(text));
  return (w) => {
    if (inside(w, gate)) return true;
    if (gate && leaves && w.startIndex > gate.endIndex) return true;
    if (names.length === 0) return false;
    const ws = listedStatementOf(w);
    if (ws && uses(ws.text)) return true;
    // Under a condition on the names: an enclosing if/for/switch between the write and stmt's list.
    for (let cur: SyntaxNode | null = w.parent; cur && !sameNode(cur, stmt.parent); cur = cur.parent) {
      const cond = cur.childForFieldName('condition') ?? cur.childForFieldName('value');
      if (/^(if|for|expression_switch)_statement$/.test(cur.type) && cond && uses(cond.text)) return true;
    }
    return false;
  };
}

function splitCheckThenAct(ct: { check: ResolvedSite; act: ResolvedSite }, h: Hazard, file: ParsedFile): never {
  return decline(
    `${at(ct.check)} checks the entry that ${at(ct.act)} then writes, and ${h.what} (${lineOf(file, h.node.startIndex)}) runs between them: ` +
      'one locked region would hold the lock across it, and two would let two goroutines pass the check; restructure it by hand (re-check under the lock before writing)',
  );
}

/**
 * The Lock/Unlock edits of one region. A region whose statements cannot all run locked is split
 * into one region per statement (each then locked on its own, hoisting map reads if needed).
 */
function regionEdits(r: Region, pkg: PackageView): { edits: TextEdit[]; deferred: boolean; sunk?: boolean } {
  try {
    return wholeRegionEdits(r, pkg);
  } catch (err) {
    if (!(err instanceof Decline) || r.stmts.length === 1 || r.coveredUses) throw err;
    const tail = readsCopiedAtEnd(r, pkg);
    if (tail) return { edits: tail, deferred: false };
    // Split, the check and the act would each be atomic but not the two together.
    if (r.checkThenAct) throw err;
    const edits: TextEdit[] = [];
    let deferred = false;
    for (const stmt of r.stmts) {
      const sites = r.sites.filter((s) => s.span.start >= stmt.startIndex && s.span.end <= stmt.endIndex);
      if (sites.length === 0) continue;
      const part = wholeRegionEdits({ ...r, stmts: [stmt], sites, write: writesWithin(r, pkg, stmt.startIndex, stmt.endIndex) }, pkg);
      edits.push(...part.edits);
      deferred ||= part.deferred;
    }
    return { edits, deferred };
  }
}

/**
 * `s.m = next` followed by `next[k] = v` (or any other use of next): from the store on, next is
 * the live map, and the use reaches it outside the lock the fix puts around the store. The scan
 * does not follow the map into next after the store, so the fix declines instead of locking only
 * the store (the rewrite would still race). Null when the site is no such store.
 */
function usedAfterStore(s: ResolvedSite, files: Map<string, ParsedFile>): string | null {
  if (!s.raw.reassign) return null;
  const file = files.get(s.span.file);
  if (!file) return null;
  const stmt = ancestorOfType(nodeAt(file, s.span.start, s.span.end), 'assignment_statement');
  const right = stmt?.childForFieldName('right')?.namedChildren ?? [];
  const value = right.length === 1 ? unparen(right[0]!) : null;
  if (!stmt || value?.type !== 'identifier') return null;
  const fn = enclosingFunction(stmt);
  const body = fn?.childForFieldName('body');
  if (!body) return null;
  for (const d of descendants(body)) {
    if (d.startIndex <= stmt.endIndex || d.type !== 'identifier' || d.text !== value.text) continue;
    const use = listedStatementOf(d) ?? d;
    return `${lineOf(file, d.startIndex)} uses ${value.text} (${use.text.split('\n')[0]!.trim()}) after ${at(s)} stored it in ${s.text}: from there on ${value.text} is the live map, and that use would run outside the lock around the store; finish ${value.text} before storing it, then lock by hand`;
  }
  return null;
}

/** Whether any access of the region's map in [start, end) writes, locked before or not. */
function writesWithin(r: Region, pkg: PackageView, start: number, end: number): boolean {
  return pkg.flow.sites.some((s) => s.map === r.sites[0]!.map && s.span.file === r.file.rel && s.span.start >= start && s.span.end <= end && isWriteSite(s));
}

function wholeRegionEdits(r: Region, pkg: PackageView): { edits: TextEdit[]; deferred: boolean; sunk?: boolean } {
  const text = r.file.text;
  const [lockCall, unlockCall] = r.write || !r.rw ? ['Lock', 'Unlock'] : ['RLock', 'RUnlock'];
  const nl = text.includes('\r\n') ? '\r\n' : '\n';
  const lockLine = `${r.lockExpr}.${lockCall}()`;
  const unlockLine = `${r.lockExpr}.${unlockCall}()`;
  const stmts = r.stmts;
  const start = stmts[0]!.startIndex;
  const indent = indentAt(text, start);
  const all = statementsOfList(r.list);
  const lastIdx = all.findIndex((s) => sameNode(s, stmts[stmts.length - 1]!));
  const wholeBody = isFunctionBodyList(r.list) && sameNode(all[0]!, stmts[0]!) && lastIdx === all.length - 1;
  const jumps = jumpsLeaving(stmts);
  const hazards = regionHazards(stmts, pkg, r.file, r.checkThenAct);
  const deferForm = () => ({ edits: [{ file: r.file.rel, start, end: start, text: `${lockLine}${nl}${indent}defer ${unlockLine}${nl}${indent}` }], deferred: true });

  // The whole body, or statements that end in a return: Lock + defer Unlock.
  if (hazards.length === 0 && (wholeBody || (jumps.length > 0 && jumps.every((j) => j.kind === 'return') && stmts[stmts.length - 1]!.type === 'return_statement'))) {
    return deferForm();
  }
  // `n := make([]T, 0, len(m))` a few statements before `mu.Lock()`: the declaration moves into
  // that region, one lock region instead of two in a row (what a reviewer asks for).
  const sunk = hazards.length === 0 && jumps.length === 0 ? sinkIntoNextRegion(r, pkg) : null;
  if (sunk) return { edits: sunk, deferred: false, sunk: true };
  if (jumps.length === 0) {
    if (hazards.length > 0) {
      const hoisted = stmts.length === 1 ? (hoist(r, pkg) ?? hoistCalls(r, pkg)) : null;
      if (hoisted) return { edits: hoisted, deferred: false };
      const h = hazards[0]!;
      decline(`the statement at ${lineOf(r.file, stmts[0]!.startIndex)} would hold the lock across ${h.what} (${lineOf(r.file, h.node.startIndex)}), which could block or re-enter`);
    }
    const end = endOfStatementLine(text, stmts[stmts.length - 1]!.endIndex);
    return {
      edits: [
        { file: r.file.rel, start, end: start, text: `${lockLine}${nl}${indent}` },
        { file: r.file.rel, start: end, end, text: `${nl}${indent}${unlockLine}` },
      ],
      deferred: false,
    };
  }
  // Jumps out of the region: unlock on each way out, right after the last map access before it,
  // so what runs on the way out (error replies, logging) runs unlocked.
  const tails = exitTails(r, jumps, pkg);
  if (tails) {
    const inTail = (n: SyntaxNode) => tails.some((t) => n.startIndex >= t.start && n.endIndex <= t.end);
    const blocking = hazards.filter((h) => !inTail(h.node));
    if (blocking.length === 0) {
      const edits: TextEdit[] = [{ file: r.file.rel, start, end: start, text: `${lockLine}${nl}${indent}` }];
      for (const t of tails) edits.push({ file: r.file.rel, start: t.start, end: t.start, text: `${unlockLine}${nl}${indentAt(text, t.start)}` });
      // After a region that ends in a jump nothing runs: no unlock there (it would be unreachable).
      const last = stmts[stmts.length - 1]!;
      if (!isJump(last)) {
        const end = endOfStatementLine(text, last.endIndex);
        edits.push({ file: r.file.rel, start: end, end, text: `${nl}${indent}${unlockLine}` });
      }
      return { edits, deferred: false };
    }
  }
  // Returns only, and the rest of the function can run locked: Lock + defer Unlock from here on.
  if (jumps.every((j) => j.kind === 'return') && isFunctionBodyList(r.list)) {
    const rest = all.slice(lastIdx + 1);
    if (regionHazards([...stmts, ...rest], pkg, r.file, r.checkThenAct).length === 0) return deferForm();
  }
  // `return stats{Total: len(m), Queue: q.Len()}`: the read is copied under the lock, the return runs unlocked.
  const returned = stmts.length === 1 && stmts[0]!.type === 'return_statement' ? hoistCalls(r, pkg) : null;
  if (returned) return { edits: returned, deferred: false };
  const j = jumps[0]!;
  const h = hazards[0];
  return decline(
    `${lineOf(r.file, j.node.startIndex)} leaves the region to lock (${j.node.text.split('\n')[0]})` +
      (h ? ` and the region runs ${h.what} (${lineOf(r.file, h.node.startIndex)}) before it` : '') +
      '; restructure it by hand',
  );
}

function isJump(n: SyntaxNode): boolean {
  return /^(return|break|continue|goto)_statement$/.test(n.type);
}

/**
 * For each jump leaving the region: the statements of its block after the block's last access
 * of the map (the jump included), where the unlock goes. Null when a jump is not the last
 * statement of its block.
 */
function exitTails(r: Region, jumps: { node: SyntaxNode }[], pkg: PackageView): { start: number; end: number }[] | null {
  const sites = pkg.flow.sites.filter((s) => s.map === r.sites[0]!.map && s.span.file === r.file.rel);
  const out: { start: number; end: number }[] = [];
  for (const j of jumps) {
    const list = j.node.parent;
    if (!list || list.type !== 'statement_list') return null;
    const stmts = statementsOfList(list);
    const idx = stmts.findIndex((s) => sameNode(s, j.node));
    if (idx !== stmts.length - 1) return null;
    let first = idx;
    while (first > 0 && !sites.some((s) => s.span.start >= stmts[first - 1]!.startIndex && s.span.end <= stmts[first - 1]!.endIndex)) first--;
    if (sites.some((s) => s.span.start >= j.node.startIndex && s.span.end <= j.node.endIndex)) return null;
    const start = stmts[first]!.startIndex;
    if (!out.some((t) => t.start === start)) out.push({ start, end: j.node.endIndex });
  }
  // A jump inside another jump's tail is already past that tail's unlock: unlocking again there
  // would unlock twice on that path.
  return out.filter((t) => !out.some((u) => u !== t && u.start <= t.start && t.end <= u.end));
}

/** Declares the new mutex beside the map: a struct field, a package var, or a local var. */
function declareMutex(decl: MapDecl, lock: LockChoice, files: Map<string, ParsedFile>, pkg: PackageView): { file: string; edits: TextEdit[]; review: string | null } {
  const file = files.get(decl.span.file) ?? decline(`the declaration of ${decl.name} is not in the scanned files`);
  const text = file.text;
  const nl = text.includes('\r\n') ? '\r\n' : '\n';
  const name = lock.declName!;
  const node = nodeAt(file, decl.span.start, decl.span.end);
  if (decl.kind === 'field') {
    const fieldDecl = ancestorOfType(node, 'field_declaration') ?? decline(`cannot find the field declaration of ${decl.name}`);
    const owner = decl.name.split('.')[0]!;
    const copy = copyHazards(owner, pkg);
    if (copy.decline) decline(copy.decline);
    const edits = receiverEdits(owner, pkg);
    // Above the field and its doc comment, at the field's indentation.
    let start = lineStart(text, fieldDecl.startIndex);
    for (let prev = fieldDecl.previousNamedSibling; prev && prev.type === 'comment' && lineStart(text, prev.endIndex) === lineStart(text, start - 1); prev = prev.previousNamedSibling) {
      start = lineStart(text, prev.startIndex);
    }
    const indent = indentAt(text, fieldDecl.startIndex);
    if (lineStart(text, fieldDecl.startIndex) + indent.length !== fieldDecl.startIndex) decline(`the field ${decl.name} does not start its own line`);
    edits.push({ file: file.rel, start, end: start, text: `${indent}${name} ${mutexType(lock)} // guards ${fieldName(decl)}${nl}` });
    return { file: file.rel, edits, review: edits.length > 1 ? `value receivers of ${owner} became pointer receivers so the mutex is not copied` : null };
  }
  if (decl.kind === 'package-var') {
    const spec = ancestorOfType(node, 'var_spec') ?? decline(`cannot find the declaration of ${decl.name}`);
    if (spec.namedChildren.filter((c) => c.type === 'identifier').length > 1) decline(`${decl.name} is declared together with other variables`);
    const grouped = spec.parent?.type === 'var_spec_list';
    const end = endOfStatementLine(text, grouped ? spec.endIndex : spec.parent!.endIndex);
    const indent = indentAt(text, grouped ? spec.startIndex : spec.parent!.startIndex);
    const line = grouped ? `${name} ${mutexType(lock)} // guards ${decl.name}` : `var ${name} ${mutexType(lock)} // guards ${decl.name}`;
    return { file: file.rel, edits: [{ file: file.rel, start: end, end, text: `${nl}${indent}${line}` }], review: null };
  }
  // A local: right after the statement that declares it.
  const stmt = listedStatementOf(node) ?? decline(`cannot find the statement declaring ${decl.name}`);
  const end = endOfStatementLine(text, stmt.endIndex);
  const indent = indentAt(text, stmt.startIndex);
  return { file: file.rel, edits: [{ file: file.rel, start: end, end, text: `${nl}${indent}var ${name} ${mutexType(lock)} // guards ${decl.name}` }], review: null };
}

/**
 * A lone declaration reading the map (`children := make(map[string]error, len(m.finders))`)
 * followed, a few statements later in the same block, by `mu.Lock()` (or `mu.RLock()` for a read)
 * of the map's own lock: the declaration moves to just after that Lock (and after a `defer
 * mu.Unlock()` right below it), so the read joins the region the function already has. Only when
 * the statements in between do not use the declared names, assign nothing the declaration reads,
 * touch neither the map nor the lock, and do not jump. The edits, or null.
 */
function sinkIntoNextRegion(r: Region, pkg: PackageView): TextEdit[] | null {
  const stmt = r.stmts[0]!;
  if (r.stmts.length !== 1 || stmt.type !== 'short_var_declaration') return null;
  const text = r.file.text;
  const all = statementsOfList(r.list);
  const i = all.findIndex((x) => sameNode(x, stmt));
  if (i < 0) return null;
  const declared = (stmt.childForFieldName('left')?.namedChildren ?? []).map((c) => c.text).filter((n) => n !== '_');
  const read = new Set((stmt.childForFieldName('right')?.text.match(/[A-Za-z_]\w*/g) ?? []));
  if (declared.length === 0) return null;
  const compact = (x: SyntaxNode) => x.text.replace(/\s+/g, '');
  const opens = r.write || !r.rw ? [`${r.lockExpr}.Lock()`] : [`${r.lockExpr}.RLock()`, `${r.lockExpr}.Lock()`];
  const lockText = r.lockExpr.replace(/\s+/g, '');
  const word = (n: string) => new RegExp(`(?<![\\w.])${n}\\b`);
  for (let j = i + 1; j < all.length && j <= i + 4; j++) {
    const s = all[j]!;
    const c = compact(s);
    if (opens.includes(c)) {
      const unlock = c.endsWith('.RLock()') ? `defer${lockText}.RUnlock()` : `defer${lockText}.Unlock()`;
      const next = all[j + 1];
      const anchor = next && compact(next) === unlock ? next : s;
      const nl = text.includes('\r\n') ? '\r\n' : '\n';
      const from = lineStart(text, stmt.startIndex);
      const end = endOfStatementLine(text, stmt.endIndex);
      if (text.slice(from, stmt.startIndex).trim() !== '' || text.slice(end, end + nl.length) !== nl) return null;
      const at = endOfStatementLine(text, anchor.endIndex);
      return [
        { file: r.file.rel, start: from, end: end + nl.length, text: '' },
        { file: r.file.rel, start: at, end: at, text: `${nl}${indentAt(text, anchor.startIndex)}${text.slice(stmt.startIndex, end)}` },
      ];
    }
    // What lies between runs before the declaration afterwards: it must not see or change it.
    if (s.type !== 'short_var_declaration' && s.type !== 'assignment_statement' && s.type !== 'expression_statement') return null;
    if (declared.some((n) => word(n).test(s.text)) || c.includes(lockText)) return null;
    const assigned = (s.childForFieldName('left')?.namedChildren ?? []).map((x) => x.text);
    if (assigned.some((n) => read.has(n.split('.')[0]!))) return null;
    if (pkg.flow.sites.some((site) => site.map === r.sites[0]!.map && site.span.file === r.file.rel && site.span.start >= s.startIndex && site.span.end <= s.endIndex)) return null;
  }
  return null;
}

/**
 * For a statement that must not run locked as a whole (it calls out), take only the map
 * operations under the lock: reads are copied into temporaries first (`v := m[k]`), a write's
 * right-hand side is evaluated first, and an `if` initializer that reads the map moves above
 * the `if`. Go leaves the order of a map index and the calls around it unspecified, and a map
 * read has no side effects, so the result computes the same. Returns null when none applies.
 */
function hoist(r: Region, pkg: PackageView): TextEdit[] | null {
  const stmt = r.stmts[0]!;
  const file = r.file;
  const text = file.text;
  const nl = text.includes('\r\n') ? '\r\n' : '\n';
  const indent = indentAt(text, stmt.startIndex);
  const hazardFree = (n: SyntaxNode) => lockHazards([n], pkg.index, file).length === 0;
  const [lockCall, unlockCall] = r.write || !r.rw ? ['Lock', 'Unlock'] : ['RLock', 'RUnlock'];
  const wrap = (lines: string[]) => `${r.lockExpr}.${lockCall}()${nl}${lines.map((l) => `${indent}${l}${nl}`).join('')}${indent}${r.lockExpr}.${unlockCall}()${nl}${indent}`;
  const fresh = freshNames(stmt, r);
  const siteNodes = r.sites.map((site) => nodeAt(file, site.span.start, site.span.end));
  if (jumpsLeaving([stmt]).length > 0 && stmt.type !== 'return_statement' && stmt.type !== 'if_statement') return null;

  // `m[k] = f(x)`: evaluate f(x) first, then store under the lock.
  if (stmt.type === 'assignment_statement' && r.write) {
    const left = stmt.childForFieldName('left');
    const right = stmt.childForFieldName('right');
    const op = stmt.child(1)?.type;
    if (!left || !right || op !== '=' || left.namedChildCount !== 1 || right.namedChildCount !== 1) return null;
    if (!hazardFree(left) || r.sites.some((site) => site.span.start >= right.startIndex && site.span.end <= right.endIndex)) return null;
    const tmp = fresh(`${mapBaseName(r)}Val`);
    fresh.keep();
    return [
      { file: file.rel, start: stmt.startIndex, end: stmt.startIndex, text: `${tmp} := ${right.text}${nl}${indent}${r.lockExpr}.${lockCall}()${nl}${indent}` },
      { file: file.rel, start: right.startIndex, end: right.endIndex, text: tmp },
      { file: file.rel, start: stmt.endIndex, end: stmt.endIndex, text: `${nl}${indent}${r.lockExpr}.${unlockCall}()` },
    ];
  }
  if (r.write) return null;

  // `if v, ok := m[k]; ok { … }`: the initializer moves above the `if`, when its names are
  // not used after the `if` (they would now be in scope there).
  if (stmt.type === 'if_statement') {
    const init = stmt.childForFieldName('initializer');
    const cond = stmt.childForFieldName('condition');
    const inInit = init && siteNodes.every((n) => n.startIndex >= init.startIndex && n.endIndex <= init.endIndex);
    if (init && cond && inInit && init.type === 'short_var_declaration' && hazardFree(init)) {
      const declared = init.childForFieldName('left')?.namedChildren.map((c) => c.text) ?? [];
      const after = statementsOfList(r.list).filter((x) => x.startIndex > stmt.endIndex).map((x) => x.text).join('\n');
      // A value the map holds and others change under the lock must not be used unlocked in the `if`.
      const usedInIf = r.valueChanges !== undefined && declared.some((d) => d !== '_' && new RegExp(`\\b${d}\\b`).test(text.slice(init.endIndex, stmt.endIndex)));
      if (!usedInIf && declared.every((d) => d === '_' || !new RegExp(`\\b${d}\\b`).test(after))) {
        return [
          { file: file.rel, start: stmt.startIndex, end: stmt.startIndex, text: wrap([init.text]) },
          { file: file.rel, start: init.startIndex, end: cond.startIndex, text: '' },
        ];
      }
    }
  }
  // Reads inside the statement's own expressions: copy each into a temporary first.
  const copies = readCopies(r, stmt, siteNodes, pkg, fresh);
  if (!copies) return null;
  fresh.keep();
  // Right after a region of the same lock (another map's copies, made by an earlier pass): the
  // copies join it, one lock region instead of two in a row.
  const joined = joinPreviousRegion(r, stmt, copies.lines, lockCall);
  if (joined) return [joined, ...copies.edits];
  return [{ file: file.rel, start: stmt.startIndex, end: stmt.startIndex, text: wrap(copies.lines) }, ...copies.edits];
}

/**
 * `mu.RLock(); a := len(m1); mu.RUnlock()` right before stmt (nothing else between): the edit
 * that adds `lines` before that unlock, or null. A read may join a write-locked region; a write
 * needs the previous region to hold the write lock.
 */
function joinPreviousRegion(r: Region, stmt: SyntaxNode, lines: string[], lockCall: string): TextEdit | null {
  const list = statementsOfList(r.list);
  const i = list.findIndex((x) => sameNode(x, stmt));
  const prev = i > 0 ? list[i - 1]! : null;
  if (!prev) return null;
  const compact = (x: SyntaxNode) => x.text.replace(/\s+/g, '');
  const unlocks = lockCall === 'RLock' ? [`${r.lockExpr}.RUnlock()`, `${r.lockExpr}.Unlock()`] : [`${r.lockExpr}.Unlock()`];
  if (!unlocks.includes(compact(prev))) return null;
  const text = r.file.text;
  if (text.slice(prev.endIndex, stmt.startIndex).trim() !== '') return null;
  // The region it closes: back to the matching Lock, with only plain copies in between.
  const opening = compact(prev) === `${r.lockExpr}.Unlock()` ? `${r.lockExpr}.Lock()` : `${r.lockExpr}.RLock()`;
  let j = i - 2;
  while (j >= 0 && list[j]!.type === 'short_var_declaration' && !/\bfunc\b/.test(list[j]!.text)) j--;
  if (j < 0 || j === i - 2 || compact(list[j]!) !== opening) return null;
  const nl = text.includes('\r\n') ? '\r\n' : '\n';
  const indent = indentAt(text, prev.startIndex);
  return { file: r.file.rel, start: prev.startIndex, end: prev.startIndex, text: lines.map((l) => `${l}${nl}${indent}`).join('') };
}

/**
 * One map access whose statement cannot run locked only because of calls that Go evaluates
 * before the access anyway. Calls in the key (`errs[globalDeploymentID()] = err`, `v := m[f()]`,
 * `delete(m, f())`) go into fresh locals just before the lock (`errsKey := globalDeploymentID()`),
 * and so does the right-hand side of `=`; a read followed by calls
 * (`return stats{Total: len(l.m), Queue: l.queued()}`) is copied under the lock, and the calls
 * run after the unlock. Null unless every call keeps its place in Go's order of evaluation
 * (nothing that calls out comes before the key or the read), none is under && or ||, and no
 * moved call reaches the map or takes its lock.
 */
function hoistCalls(r: Region, pkg: PackageView): TextEdit[] | null {
  const stmt = r.stmts[0]!;
  const file = r.file;
  if (r.stmts.length !== 1 || r.sites.length !== 1) return null;
  if (!/^(short_var_declaration|assignment_statement|inc_statement|dec_statement|expression_statement|return_statement)$/.test(stmt.type)) return null;
  const access = nodeAt(file, r.sites[0]!.span.start, r.sites[0]!.span.end);
  const callee = access.type === 'call_expression' ? access.childForFieldName('function')?.text : null;
  if (access.type !== 'index_expression' && callee !== 'len' && callee !== 'delete') return null;
  if (insideConditionalOperand(access, stmt) || !sameNode(listedStatementOf(access), stmt)) return null;
  const key = access.type === 'index_expression' ? access.childForFieldName('index') : callee === 'delete' ? (access.childForFieldName('arguments')?.namedChildren[1] ?? null) : null;
  const within = (n: SyntaxNode, outer: SyntaxNode | null | undefined) => !!outer && n.startIndex >= outer.startIndex && n.endIndex <= outer.endIndex;
  const hazards = lockHazards([stmt], pkg.index, file)
    .map((h) => h.node)
    .filter((n, i, all) => !all.some((o, j) => j !== i && o !== n && within(n, o) && !sameNode(n, o)));
  const keyCalls = hazards.filter((n) => within(n, key));
  // `m[ok && f()]`: f may not run at all, so it cannot move out of the key.
  if (keyCalls.some((n) => n.type !== 'call_expression' || insideConditionalOperand(n, stmt) || reachesMapOrLock(n, r, pkg))) return null;
  // Calls Go evaluates before the key would run after the hoisted ones.
  if (hazards.some((n) => !within(n, key) && n.startIndex < access.startIndex)) return null;
  const fresh = freshNames(stmt, r);
  const base = mapBaseName(r);
  const lines: string[] = [];
  const edits: TextEdit[] = [];
  const keyTemps = keyCalls.map((n) => ({ node: n, name: fresh(`${base}Key`) }));
  for (const k of keyTemps) lines.push(`${k.name} := ${k.node.text}`);
  const accessText = replaceWithin(access, keyTemps);
  const left = stmt.childForFieldName('left');
  const right = stmt.childForFieldName('right');
  const after = hazards.filter((n) => !within(n, key));
  // A call in the map operand (`s.shard(k).m[…]`) cannot leave the access.
  if (after.some((n) => within(n, access))) return null;
  const kind = r.sites[0]!.kind;
  let copy: string | null = null;
  if (kind === 'write' && (stmt.type === 'inc_statement' || stmt.type === 'dec_statement')) {
    if (!sameNode(stmt.namedChildren[0], access) || after.length > 0) return null;
  } else if (kind === 'write') {
    // `m[f()] = g()`: f, then g (Go's order), then the store under the lock.
    if (stmt.type !== 'assignment_statement' || left?.namedChildCount !== 1 || !sameNode(left.namedChildren[0], access)) return null;
    if (after.length > 0) {
      if (stmt.child(1)?.type !== '=' || !right || right.namedChildCount !== 1 || after.some((n) => !within(n, right))) return null;
      const val = fresh(`${base}Val`);
      lines.push(`${val} := ${right.text}`);
      edits.push({ file: file.rel, start: right.startIndex, end: right.endIndex, text: val });
    }
  } else if (kind === 'delete') {
    // delete(m, f()): the whole statement is the access.
    if (stmt.type !== 'expression_statement' || !sameNode(stmt.namedChildren[0], access) || after.length > 0) return null;
  } else if (kind !== 'read') {
    return null;
  } else if (after.length > 0 || stmt.type === 'return_statement') {
    // The read is copied under the lock; what follows it in the statement runs after the unlock.
    if (!sameNode(readExpression(access), access)) return null;
    copy = fresh(`${base}${callee === 'len' ? 'Len' : 'Val'}`);
  }
  if (lines.length === 0 && !copy) return null;
  fresh.keep();
  for (const k of keyTemps) if (!copy) edits.push({ file: file.rel, start: k.node.startIndex, end: k.node.endIndex, text: k.name });
  const text = file.text;
  const nl = text.includes('\r\n') ? '\r\n' : '\n';
  const indent = indentAt(text, stmt.startIndex);
  const [lockCall, unlockCall] = r.write || !r.rw ? ['Lock', 'Unlock'] : ['RLock', 'RUnlock'];
  const hoisted = lines.map((l) => `${l}${nl}${indent}`).join('');
  if (copy) {
    edits.push({ file: file.rel, start: access.startIndex, end: access.endIndex, text: copy });
    const locked = `${r.lockExpr}.${lockCall}()${nl}${indent}${copy} := ${accessText}${nl}${indent}${r.lockExpr}.${unlockCall}()${nl}${indent}`;
    return [{ file: file.rel, start: stmt.startIndex, end: stmt.startIndex, text: `${hoisted}${locked}` }, ...edits];
  }
  const end = endOfStatementLine(text, stmt.endIndex);
  return [
    { file: file.rel, start: stmt.startIndex, end: stmt.startIndex, text: `${hoisted}${r.lockExpr}.${lockCall}()${nl}${indent}` },
    ...edits,
    { file: file.rel, start: end, end, text: `${nl}${indent}${r.lockExpr}.${unlockCall}()` },
  ];
}

/** The text of n with the given nodes inside it replaced by names. */
function replaceWithin(n: SyntaxNode, parts: { node: SyntaxNode; name: string }[]): string {
  let out = n.text;
  for (const p of [...parts].sort((a, b) => b.node.startIndex - a.node.startIndex)) {
    out = out.slice(0, p.node.startIndex - n.startIndex) + p.name + out.slice(p.node.endIndex - n.startIndex);
  }
  return out;
}

/**
 * Whether a call reaches the region's map or takes its lock: the map or a Lock of the mutex in
 * its text, or in a package function it calls (directly or not). What a function value or
 * another package runs is not seen.
 */
function reachesMapOrLock(call: SyntaxNode, r: Region, pkg: PackageView): boolean {
  const map = r.sites[0]!.map;
  // A mutex embedded in the map's owner (`s.Lock()`) may be locked through any name.
  const mapText = r.sites[0]!.text;
  const embedded = /^\w+$/.test(r.lockExpr) && mapText.includes(`${r.lockExpr}.`);
  const seg = r.lockExpr.split('.').pop()!;
  const lockCall = embedded ? /\.(Try)?R?Lock\s*\(/ : new RegExp(`(^|[^\\w])${seg}\\.(Try)?R?Lock\\s*\\(`);
  if (lockCall.test(call.text)) return true;
  if (pkg.flow.sites.some((s) => s.map === map && s.span.file === r.file.rel && s.span.start >= call.startIndex && s.span.end <= call.endIndex)) return true;
  const funcs = pkg.index.funcs;
  const seeds: number[] = [];
  for (const c of pkg.flow.raw.calls) {
    if (c.pos >= call.startIndex && c.pos < call.endIndex && funcs[c.caller]?.file.rel === r.file.rel) seeds.push(...c.callees);
  }
  for (const d of [call, ...descendants(call)]) {
    if (d.type !== 'call_expression') continue;
    const fn = d.childForFieldName('function');
    if (fn?.type === 'identifier') seeds.push(...(pkg.index.funcsByName.get(fn.text) ?? []));
    if (fn?.type === 'selector_expression') seeds.push(...(pkg.index.methodsByName.get(fn.childForFieldName('field')?.text ?? '') ?? []));
  }
  const touching = new Set(pkg.flow.sites.filter((s) => s.map === map).map((s) => s.func));
  const seen = new Set<number>();
  for (const stack = seeds; stack.length > 0; ) {
    const f = stack.pop()!;
    if (seen.has(f)) continue;
    seen.add(f);
    const info = funcs[f];
    if (touching.has(f) || (info && lockCall.test(info.file.text.slice(info.start, info.end)))) return true;
    stack.push(...(pkg.flow.calleesOf[f] ?? []));
  }
  return false;
}

/**
 * A fresh-name source for temporaries of the function around stmt, avoiding the region's
 * temporaries already declared in stmt's block; `keep()` records the names once they are used.
 */
function freshNames(stmt: SyntaxNode, r: Region): ((base: string) => string) & { keep(): void } {
  const text = r.file.text;
  const owner = enclosingFunction(stmt);
  const fn = owner ? text.slice(owner.startIndex, owner.endIndex) : text;
  const block = `${r.file.rel}:${stmt.parent?.startIndex ?? -1}`;
  const declared = r.temps.get(block) ?? new Set<string>();
  const names = new Set<string>();
  const fresh = (base: string) => {
    let name = base;
    for (let i = 2; new RegExp(`\\b${name}\\b`).test(fn) || names.has(name) || declared.has(name); i++) name = `${base}${i}`;
    names.add(name);
    return name;
  };
  return Object.assign(fresh, {
    keep: () => {
      for (const n of names) declared.add(n);
      r.temps.set(block, declared);
    },
  });
}

/** `tmp := m[k]` for each map read of stmt, and the edits putting tmp in its place; null when a read cannot move. */
function readCopies(r: Region, stmt: SyntaxNode, siteNodes: SyntaxNode[], pkg: PackageView, fresh: (base: string) => string): { lines: string[]; edits: TextEdit[] } | null {
  if (stmt.type === 'for_statement' || stmt.type === 'labeled_statement') return null;
  const edits: TextEdit[] = [];
  const lines: string[] = [];
  const temps = new Map<string, string>();
  for (const n of siteNodes) {
    const read = readExpression(n);
    if (!read) return null;
    const own = listedStatementOf(read);
    const direct = own !== null && sameNode(own, stmt) && !insideConditionalOperand(read, stmt);
    if (!direct && !lengthReadableEarly(read, stmt, r)) return null;
    // A copy of a value others change in place under the lock would be used unlocked.
    if (r.valueChanges !== undefined && read.type === 'index_expression') return null;
    if (lockHazards([read], pkg.index, r.file).length > 0) return null;
    if (edits.some((e) => e.start < read.endIndex && read.startIndex < e.end)) continue;
    // The same length read twice (`if len(m) > 0 { log(…, len(m)) }`): one copy serves both, as
    // nothing between them can change the map (lengthReadableEarly).
    const length = read.type === 'call_expression' ? read.text.replace(/\s+/g, '') : null;
    let tmp = length !== null ? temps.get(length) : undefined;
    if (tmp === undefined) {
      tmp = fresh(`${mapBaseName(r)}${length !== null ? 'Len' : 'Val'}`);
      lines.push(`${tmp} := ${read.text}`);
      if (length !== null) temps.set(length, tmp);
    }
    edits.push({ file: r.file.rel, start: read.startIndex, end: read.endIndex, text: tmp });
  }
  return lines.length === 0 ? null : { lines, edits };
}

/**
 * `len(m)` evaluated before stmt instead of where it is: inside the right operand of && or ||
 * (`if len(ch) > 0 || len(c.m) > 0`) or in a statement nested in stmt (the body of an `if`
 * logging the length it tested). Go computes the same value there when nothing stmt runs before
 * the read can change the map or order it after another goroutine's change: no call but len and
 * cap, no channel operation, no goroutine started, no function literal, no loop around the read.
 * Evaluating `len(x.m)` early cannot fail where it would not: x is what the lock is reached
 * through (`x.mu.Lock()` already dereferenced it), or m is a plain variable.
 */
function lengthReadableEarly(read: SyntaxNode, stmt: SyntaxNode, r: Region): boolean {
  if (read.type !== 'call_expression') return false;
  const operand = read.childForFieldName('arguments')?.namedChildren[0];
  if (!operand) return false;
  const lockBase = r.lockExpr.includes('.') ? r.lockExpr.slice(0, r.lockExpr.lastIndexOf('.')) : r.lockExpr;
  const operandBase = operand.type === 'selector_expression' ? (operand.childForFieldName('operand')?.text ?? null) : null;
  if (!(operand.type === 'identifier' || (operandBase !== null && /^\w+$/.test(operandBase) && (operandBase === lockBase || operandBase === r.lockExpr)))) return false;
  // `if q != nil && len(q.m) > 0`: the lock taken before the statement would dereference q first.
  const tested = new RegExp(`\\b${operandBase ?? operand.text}\\s*[!=]=\\s*nil\\b|\\bnil\\s*[!=]=\\s*${operandBase ?? operand.text}\\b`);
  if (tested.test(stmt.text.slice(0, read.startIndex - stmt.startIndex))) return false;
  for (let cur = read.parent; cur && !sameNode(cur, stmt); cur = cur.parent) {
    if (/^(func_literal|for_statement|select_statement|labeled_statement|go_statement|defer_statement)$/.test(cur.type)) return false;
  }
  const root = operand.text.split('.')[0]!;
  const before = (n: SyntaxNode) => n.endIndex <= read.startIndex;
  for (const d of descendants(stmt)) {
    if (d.startIndex >= read.startIndex) continue;
    if (d.type === 'call_expression' && before(d) && !/^(len|cap)$/.test(d.childForFieldName('function')?.text ?? '')) return false;
    // The function an enclosing call is made through (`f()(len(m))`) runs before its arguments.
    if (d.type === 'call_expression' && !before(d) && [...descendants(d.childForFieldName('function')!)].some((x) => x.type === 'call_expression')) return false;
    if (/^(func_literal|go_statement|send_statement|select_statement|for_statement)$/.test(d.type) && before(d)) return false;
    if (d.type === 'unary_expression' && d.child(0)?.type === '<-' && before(d)) return false;
    // The variable the map is reached through, assigned before the read.
    if (/^(assignment_statement|short_var_declaration)$/.test(d.type) && before(d)) {
      const left = d.childForFieldName('left')?.text ?? '';
      if (new RegExp(`(^|[^\\w.])${root}\\b`).test(left)) return false;
    }
  }
  return true;
}

/**
 * One region whose last statement only reads the map and calls out (`m[k]++` then
 * `fmt.Fprintf(w, …, m[k])`): the reads are copied into temporaries before the unlock, and the
 * call runs unlocked on the copies. Null when that does not apply.
 */
function readsCopiedAtEnd(r: Region, pkg: PackageView): TextEdit[] | null {
  const head = r.stmts.slice(0, -1);
  const last = r.stmts[r.stmts.length - 1]!;
  if (regionHazards(head, pkg, r.file, r.checkThenAct).length > 0 || jumpsLeaving(head).length > 0) return null;
  const inLast = (s: ResolvedSite) => s.span.start >= last.startIndex && s.span.end <= last.endIndex;
  if (writesWithin(r, pkg, last.startIndex, last.endIndex)) return null;
  const siteNodes = r.sites.filter(inLast).map((s) => nodeAt(r.file, s.span.start, s.span.end));
  const fresh = freshNames(last, r);
  const copies = readCopies(r, last, siteNodes, pkg, fresh);
  if (!copies) return null;
  fresh.keep();
  const text = r.file.text;
  const nl = text.includes('\r\n') ? '\r\n' : '\n';
  const start = head[0]!.startIndex;
  const indent = indentAt(text, start);
  const [lockCall, unlockCall] = r.write || !r.rw ? ['Lock', 'Unlock'] : ['RLock', 'RUnlock'];
  const lastIndent = indentAt(text, last.startIndex);
  return [
    { file: r.file.rel, start, end: start, text: `${r.lockExpr}.${lockCall}()${nl}${indent}` },
    { file: r.file.rel, start: last.startIndex, end: last.startIndex, text: `${copies.lines.map((l) => `${l}${nl}${lastIndent}`).join('')}${r.lockExpr}.${unlockCall}()${nl}${lastIndent}` },
    ...copies.edits,
  ];
}

/** The map read a site is: `m[k]` (single-valued) or `len(m)`. */
function readExpression(n: SyntaxNode): SyntaxNode | null {
  for (let cur: SyntaxNode | null = n; cur; cur = cur.parent) {
    if (cur.type === 'index_expression') {
      // A comma-ok read is a statement of its own; a store target is not a read.
      const p = cur.parent;
      if (p?.type === 'expression_list' && (p.parent?.type === 'assignment_statement' || p.parent?.type === 'short_var_declaration')) {
        const stmt = p.parent;
        if (sameNode(stmt.childForFieldName('left'), p)) return null;
        if ((stmt.childForFieldName('left')?.namedChildCount ?? 0) > 1 && p.namedChildCount === 1) return null;
      }
      return cur;
    }
    if (cur.type === 'call_expression') return cur.childForFieldName('function')?.text === 'len' ? cur : null;
    if (cur.type === 'selector_expression' || cur.type === 'identifier' || cur.type === 'field_identifier' || cur.type === 'argument_list') continue;
    return null;
  }
  return null;
}

/** Inside the right operand of && or || (evaluated only sometimes) or a function literal. */
function insideConditionalOperand(n: SyntaxNode, stmt: SyntaxNode): boolean {
  for (let cur: SyntaxNode | null = n; cur && !sameNode(cur, stmt); cur = cur.parent) {
    const p = cur.parent;
    if (!p) break;
    if (p.type === 'func_literal') return true;
    if (p.type === 'binary_expression' && /^(&&|\|\|)$/.test(p.child(1)?.type ?? '') && sameNode(p.childForFieldName('right'), cur)) return true;
  }
  return false;
}

function mapBaseName(r: Region): string {
  const name = r.mapName;
  return /^[A-Za-z_]\w*$/.test(name) ? name : 'm';
}
