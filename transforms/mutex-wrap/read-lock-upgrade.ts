// mutex-wrap, a write made while only the read lock is held: the region that holds the read lock
// takes the write lock instead (`RLock`/`RUnlock` → `Lock`/`Unlock`, the deferred `RUnlock` too).
// Only a region whose pairing can be read off the syntax is changed, and only when nothing in it
// could block or take the lock again once the lock is exclusive.
import type { ResolvedSite } from '../../src/analysis/concurrency.js';
import type { ParsedFile } from '../../src/analysis/package-index.js';
import type { SyntaxNode } from '../../src/parse/parser.js';
import type { TextEdit } from '../../src/plan/model.js';
import type { PackageView } from '../../src/plan/transform.js';
import { enclosingFunction, isFunctionBodyList, jumpsLeaving, lockHazards, nodeAt, sameNode, statementsOfList } from '../../src/plan/go-syntax.js';
import { decline, lineOf, siteAt as at } from '../../src/plan/decline.js';
import { callWithLockHeld } from '../../src/plan/callers.js';

/** The read-locked region around a write, and the edits that make it take the write lock. */
export interface ReadLockUpgrade {
  file: ParsedFile;
  /** The `X.RLock()` statement: one upgrade per region however many writes it holds. */
  lockStmt: SyntaxNode;
  /** The statements the write lock now covers (for overlap checks with other edits). */
  start: number;
  end: number;
  edits: TextEdit[];
}

/** A lock operation on the lock expression, in the function of the write. */
interface LockOp {
  method: string;
  /** The `Lock`/`RUnlock`… identifier, which the upgrade rewrites. */
  name: SyntaxNode;
  /** The statement the call is: an expression statement or a defer, or null when it is part of an expression. */
  stmt: SyntaxNode | null;
  deferred: boolean;
}

/**
 * Plans the upgrade of the read-locked region that holds `site`, a write of the map. `lockExpr`
 * is the lock spelled as at the site (`r.mu`); `lock` names it for the call graph and messages.
 */
export function upgradeReadLock(site: ResolvedSite, file: ParsedFile, lockExpr: string, lock: { name: string; display: string }, pkg: PackageView): ReadLockUpgrade {
  const write = nodeAt(file, site.span.start, site.span.end);
  const what = `${at(site)} writes the map while holding only the read lock of ${lock.display}`;
  // Held by a caller, not taken here: the write lock must be taken where the caller takes it.
  const flow = pkg.flow;
  const own = site.raw.locks.some((l) => l.name === lock.name);
  const held = callWithLockHeld(flow, [site.func], lock.name);
  if (held) {
    const fn = flow.index.funcs[held.call.caller]!;
    decline(`${what}, and ${flow.index.funcs[held.callee]!.name} ${held.how} ${lock.display} held (${lineOf(fn.file, held.call.pos)}); taking the write lock inside it would deadlock, so take it in the caller by hand`);
  }
  if (!own) decline(`${what}, taken outside its function (by a caller, or by the code that runs this function literal); take the write lock there instead, by hand`);

  const fn = enclosingFunction(write) ?? decline(`${what}, outside any function`);
  const ops = lockOpsOf(fn, lockExpr);
  const odd = lockUsedAtRunTime(site, file, lockExpr);
  if (odd) decline(`${what}, and ${odd}, so the lock mode may be chosen at run time; check the locking there by hand`);

  // The RLock that covers the write: the last one before it in a block that contains the write.
  const covering = ops.filter((o) => o.method === 'RLock' && !o.deferred && o.stmt!.endIndex <= write.startIndex && contains(o.stmt!.parent!, write));
  const rlock = covering[covering.length - 1];
  // `if cached { mu.Lock() } else { mu.RLock() }` after that RLock: the write may run only on the
  // path that takes the write lock; which mode holds there is for a human to read.
  const conditional = ops.filter(
    (o) => /^R?Lock$/.test(o.method) && o.stmt!.endIndex <= write.startIndex && !contains(o.stmt!.parent!, write) && (!rlock || o.stmt!.startIndex > rlock.stmt!.startIndex),
  );
  if (conditional.length > 0) {
    const taken = conditional.map((o) => `${o.method} at ${lineOf(file, o.stmt!.startIndex)}`).join(', ');
    decline(`${what} as far as the analysis can tell, but the lock is taken conditionally (${taken}), so which mode holds at the write depends on the path; check the locking there by hand`);
  }
  if (!rlock) decline(`${what}, and no ${lockExpr}.RLock() before it in its function takes it (another name, or a helper); check the locking there by hand`);
  const lockStmt = rlock.stmt!;
  const pairing = `the read lock taken at ${lineOf(file, lockStmt.startIndex)}`;

  // Recursive read locking: an earlier lock of the same mutex still held would deadlock the write lock.
  const earlier = ops.filter((o) => o.stmt!.startIndex < lockStmt.startIndex);
  const balance = (take: string, release: string) => earlier.filter((o) => o.method === take).length - earlier.filter((o) => o.method === release && !o.deferred).length;
  if (earlier.some((o) => o.deferred) || balance('RLock', 'RUnlock') !== 0 || balance('Lock', 'Unlock') !== 0) {
    decline(`${what}; ${lock.display} may still be held from before ${pairing} (the function locks it earlier), so the write lock could deadlock; fix the locking there by hand`);
  }

  const list = lockStmt.parent!;
  const stmts = statementsOfList(list);
  const i = stmts.findIndex((s) => sameNode(s, lockStmt));
  const opAt = (s: SyntaxNode | undefined) => (s ? ops.find((o) => sameNode(o.stmt, s)) : undefined);
  const edits = (releases: LockOp[]) => [rename(file, rlock, 'Lock'), ...releases.map((o) => rename(file, o, 'Unlock'))];
  const later = ops.filter((o) => o.stmt!.startIndex > lockStmt.startIndex);

  const next = opAt(stmts[i + 1]);
  if (next?.deferred) {
    // `X.RLock(); defer X.RUnlock()`: the region runs to the end of the function.
    if (next.method !== 'RUnlock') decline(`${what}; ${pairing} is released by a deferred ${next.method}, which does not pair with it`);
    if (!isFunctionBodyList(list)) decline(`${what}; ${pairing} is released by a defer inside a block, so it is held past the block until the function returns; fix the locking there by hand`);
    const other = later.find((o) => o !== next);
    if (other) decline(`${what}; the function also calls ${lockExpr}.${other.method} (${lineOf(file, other.name.startIndex)}) after the deferred RUnlock, so the pairing is not clear; fix the locking there by hand`);
    const region = stmts.slice(i + 2);
    checkHazards(region, [], file, pkg, what, pairing);
    return { file, lockStmt, start: lockStmt.startIndex, end: fn.endIndex, edits: edits([next]) };
  }

  // `X.RLock()` … `X.RUnlock()` in one block, with an RUnlock before every early way out.
  const j = stmts.findIndex((s, k) => k > i && opAt(s) !== undefined);
  const close = j < 0 ? undefined : opAt(stmts[j]);
  if (!close || close.method !== 'RUnlock' || close.deferred) {
    decline(`${what}; ${pairing} is not released by a ${lockExpr}.RUnlock() in the same block${close ? ` (${lineOf(file, close.name.startIndex)} ${close.deferred ? `defers ${close.method} after other statements` : `calls ${close.method} first`})` : ''}, so the region to upgrade is not clear; fix the locking there by hand`);
  }
  const region = stmts.slice(i + 1, j);
  if (region.length === 0 || write.startIndex < region[0]!.startIndex || write.endIndex > region[region.length - 1]!.endIndex) {
    decline(`${what}, but it is not between ${pairing} and its RUnlock (${lineOf(file, close.name.startIndex)}); fix the locking there by hand`);
  }
  const inside = ops.filter((o) => o.stmt!.startIndex > lockStmt.startIndex && o.stmt!.endIndex < close.stmt!.startIndex);
  // An RUnlock inside the region must end a way out: the rest of its block leaves the region.
  const leaving = jumpsLeaving(region);
  const tails: { start: number; end: number }[] = [];
  for (const o of inside) {
    const block = o.stmt!.parent!;
    const rest = statementsOfList(block).filter((s) => s.startIndex >= o.stmt!.startIndex);
    const last = rest[rest.length - 1]!;
    const again = inside.find((x) => x !== o && contains(block, x.stmt!) && x.stmt!.startIndex > o.stmt!.startIndex);
    if (o.method !== 'RUnlock' || o.deferred || !leaving.some((l) => sameNode(l.node, last)) || again) {
      decline(`${what}; ${lineOf(file, o.name.startIndex)} calls ${lockExpr}.${o.method}${o.deferred ? ' in a defer' : ''} inside the region of ${pairing}, not only as the release before a way out, so the pairing is not clear; fix the locking there by hand`);
    }
    tails.push({ start: o.stmt!.startIndex, end: block.endIndex });
  }
  const inTail = (n: SyntaxNode) => tails.some((t) => n.startIndex >= t.start && n.endIndex <= t.end);
  const unreleased = leaving.find((l) => !inTail(l.node));
  if (unreleased) decline(`${what}; ${lineOf(file, unreleased.node.startIndex)} (${unreleased.node.text.split('\n')[0]}) leaves the region of ${pairing} without releasing it, so the pairing is not clear; fix the locking there by hand`);
  if (inTail(write)) decline(`${what}, but it runs after the read lock is released on its way out; fix the locking there by hand`);
  checkHazards(region, tails, file, pkg, what, pairing);
  return { file, lockStmt, start: lockStmt.startIndex, end: close.stmt!.endIndex, edits: edits([close, ...inside]) };
}

/**
 * A lock operation of `lockExpr` in the function of `site` that is not a plain call: a method
 * value (`lock := s.mu.RLock`), `RLocker()` or a TryLock, where the lock mode or whether the lock
 * is held is decided at run time and the analysis may not see it. Null when there is none.
 */
export function lockUsedAtRunTime(site: ResolvedSite, file: ParsedFile, lockExpr: string): string | null {
  const fn = enclosingFunction(nodeAt(file, site.span.start, site.span.end));
  const odd = fn ? lockOpsOf(fn, lockExpr).find((o) => !/^(R?Lock|R?Unlock)$/.test(o.method) || o.stmt === null) : undefined;
  return odd ? `${lineOf(file, odd.name.startIndex)} uses ${lockExpr}.${odd.method}${odd.stmt === null ? ' as a value' : ''}` : null;
}

/** With the write lock held nothing in the region may block on another goroutine or take the lock again. */
function checkHazards(region: SyntaxNode[], tails: { start: number; end: number }[], file: ParsedFile, pkg: PackageView, what: string, pairing: string): void {
  const inTail = (n: SyntaxNode) => tails.some((t) => n.startIndex >= t.start && n.endIndex <= t.end);
  const h = lockHazards(region, pkg.index, file).find((x) => !inTail(x.node));
  if (h) {
    decline(`${what}, and ${pairing} also covers ${h.what} (${lineOf(file, h.node.startIndex)}), which under the write lock could block or take the lock again; restructure it by hand (release the read lock, then take the write lock and check again)`);
  }
}

/** The lock operations on `expr` in a function, literals inside it left out, in source order. */
function lockOpsOf(fn: SyntaxNode, expr: string): LockOp[] {
  const body = fn.childForFieldName('body');
  if (!body) return [];
  const out: LockOp[] = [];
  const stack: SyntaxNode[] = [body];
  while (stack.length > 0) {
    const n = stack.pop()!;
    if (n.type === 'func_literal') continue;
    if (n.type === 'selector_expression' && n.childForFieldName('operand')?.text.replace(/\s+/g, '') === expr) {
      const field = n.childForFieldName('field')!;
      if (/^(R?Lock|R?Unlock|TryR?Lock|RLocker)$/.test(field.text)) {
        const call = n.parent?.type === 'call_expression' && sameNode(n.parent.childForFieldName('function'), n) ? n.parent : null;
        const holder = call?.parent;
        const stmt = holder && (holder.type === 'expression_statement' || holder.type === 'defer_statement') ? holder : null;
        out.push({ method: field.text, name: field, stmt: call ? stmt : null, deferred: stmt?.type === 'defer_statement' });
      }
    }
    const children = n.namedChildren;
    for (let k = children.length - 1; k >= 0; k--) stack.push(children[k]!);
  }
  return out.sort((a, b) => a.name.startIndex - b.name.startIndex);
}

function contains(outer: SyntaxNode, n: SyntaxNode): boolean {
  return outer.startIndex <= n.startIndex && n.endIndex <= outer.endIndex;
}

function rename(file: ParsedFile, op: LockOp, to: string): TextEdit {
  return { file: file.rel, start: op.name.startIndex, end: op.name.endIndex, text: to };
}
