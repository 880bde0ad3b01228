// Locks a function's doc comment says its callers hold: "Lock should be held.", "Server lock is
// held on entry.", "s.mu must be held", "Caller must hold at least a read lock". Go code states
// this contract in prose far more often than in annotations (nats-server: over 400 functions),
// and the callers it names are often outside what one package's call graph shows (exported
// methods). The analysis takes the stated lock as held on entry (docs/locks.md).
import type { HeldLock } from './model.js';
import type { FuncInfo, PackageIndex } from './package-index.js';

/**
 * A sentence that states a precondition on the lock ("should be held", "is held on entry",
 * "the caller must hold", "called with … held"), not one that tells what the function does
 * ("all while holding c.mu").
 */
const HELD =
  /\b(?:must|should|needs? to|has to|is expected to|are expected to)\s+(?:be\s+)?(?:held|locked)\b|\b(?:is|are)\s+(?:already\s+)?(?:held|locked)\b|\bheld\s+(?:on|upon|at|when)\s+(?:entry|entering|called)\b|\bcallers?\s+(?:must\s+|should\s+|is\s+|are\s+)?(?:already\s+)?(?:hold|holds|holding)\b|\bcalled\s+with\b.*\b(?:held|locked)\b|\bassumed?\s+(?:to\s+be\s+)?(?:held|locked)\b/i;
const NEGATED = /\b(?:not|no|never|without|unlocked|released?)\b|n't\b/i;
const LOCKISH = /\b(?:lock|locked|mutex)\b/i;
/** `group is already locked`, `s is held`: the value whose lock is meant. */
const SUBJECT = /\b([A-Za-z_]\w*)\s+(?:is|are)\s+(?:already\s+)?(?:locked|held)\b/i;
/** A lock field spelled out: `mu`, `s.mu`, `mset.clMu`, `tokensMu`, `c.lock`. */
const FIELD_PATH = /\b((?:[A-Za-z_]\w*\.)*(?:mu|Mu|lock|mutex|[A-Za-z_]\w*(?:Mu|Lock|Mutex)))\b(?!\s+(?:lock|mutex)\b)/;
/** The word naming whose lock: `Server lock`, `js lock`, `mset.clMu lock`, `the (write) lock`. */
const QUALIFIED = /(?:^|[\s(])((?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*)\s+(?:\((?:read|write)\)\s+)?(?:(?:read|write|rw)\s+)?(?:lock|mutex)\b/i;
const GENERIC = new Set(['the', 'a', 'an', 'its', 'this', 'our', 'their', 'his', 'her', 'read', 'write', 'rw', 'object', 'struct', 'own', 'same', 'that', 'which', 'owning', 'least', 'is', 'be']);
/** Field names that are "the" lock of a type when its comment just says "Lock". */
const PRIMARY = new Set(['mu', 'lock', 'mutex', 'Mutex', 'RWMutex', 'm', 'l', 'mtx', 'Mu', 'Lock']);

/**
 * Where the `//` lines directly above `start` begin (`start` when there are none): the raw text
 * docComment reads, with nothing copied.
 */
function docStart(text: string, start: number): number {
  let from = start;
  let end = text.lastIndexOf('\n', start - 1);
  while (end > 0) {
    const begin = text.lastIndexOf('\n', end - 1) + 1;
    if (!text.slice(begin, end).trim().startsWith('//')) break;
    from = begin;
    end = begin - 1;
  }
  return from;
}

/**
 * What LOCKISH or FIELD_PATH need somewhere in a doc comment (`lock`, `mutex`, a word ending in
 * `mu`): without it neither can match.
 */
const LOCK_WORD = /lock|mutex|mu\b/i;

/** The `//` lines directly above the declaration at `start` (no blank line between). */
export function docComment(text: string, start: number): string {
  const from = docStart(text, start);
  if (from === start) return '';
  return text
    .slice(from, text.lastIndexOf('\n', start - 1))
    .split('\n')
    .map((line) => line.trim().replace(/^\/\/\s?/, ''))
    .join(' ');
}

/**
 * The locks the doc comment of `f` says are held when it is called, resolved against the lock
 * names the package uses (`allLocks`, e.g. `Server.mu`, `client` for an embedded mutex). Null
 * when the comment says nothing about it, or names a lock that cannot be placed.
 */
export function documentedEntryLocks(index: PackageIndex, f: FuncInfo, allLocks: string[]): HeldLock[] | null {
  if (f.literal) return null;
  // Most doc comments name no lock at all: the regexes below run only on those that could.
  if (!LOCK_WORD.test(f.file.text.slice(docStart(f.file.text, f.start), f.start))) return namedEntryLocks(index, f, allLocks);
  // The function's own name (`PutNoLock stores …`) is not a statement about a lock.
  const doc = withoutWord(docComment(f.file.text, f.start), f.name);
  if (!doc.trim() || !LOCKISH.test(doc) && !FIELD_PATH.test(doc)) return namedEntryLocks(index, f, allLocks);
  const out = new Map<string, HeldLock['mode']>();
  for (const sentence of doc.split(/(?<=[^.\s])\.(?:\s+|$)|[;:]\s+/)) {
    if (!HELD.test(sentence) || NEGATED.test(sentence)) continue;
    const mode: HeldLock['mode'] = /\bread\s+lock|\bRLock\b|\bread-?locked\b/i.test(sentence) && !/\bwrite\b/i.test(sentence) ? 'read' : 'write';
    for (const name of resolveLocks(index, f, sentence, allLocks)) {
      const prev = out.get(name);
      out.set(name, prev === 'write' || mode === 'write' ? 'write' : 'read');
    }
  }
  // A comment that talks about the lock and states no precondition overrides the name.
  return out.size === 0 ? null : [...out].map(([name, mode]) => ({ name, mode }));
}

/** `text` without the whole-word occurrences of `word` (as `\bword\b`, without compiling a regex per function). */
function withoutWord(text: string, word: string): string {
  if (!/^\w+$/.test(word)) return text.replace(new RegExp(`\\b${word}\\b`, 'g'), '');
  let out = '';
  let from = 0;
  for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + 1)) {
    const end = at + word.length;
    if (at < from || isWordChar(text.charCodeAt(at - 1)) || isWordChar(text.charCodeAt(end))) continue;
    out += text.slice(from, at);
    from = end;
  }
  return from === 0 ? text : out + text.slice(from);
}

function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

/**
 * A method whose name says its caller holds the receiver's lock: `applyLocked`, `UnsafeLoad`,
 * `lockedAdd`, `setNoLock` (Go's naming conventions for "lock held by caller"; etcd's `Unsafe…`,
 * nats' and the standard library's `…Locked`). The lock is the receiver type's primary lock, when
 * it has one (docs/locks.md). `isLocked`-style queries and `…WithLock` (takes the lock) are not.
 */
const NAMED_HELD = /^(?:[Uu]nsafe[A-Z]\w*|locked[A-Z]\w*|(?!is|Is|has|Has)\w+(?:Locked|NoLock|Nolock))$/;

function namedEntryLocks(index: PackageIndex, f: FuncInfo, allLocks: string[]): HeldLock[] | null {
  if (!f.recvType || !NAMED_HELD.test(f.name)) return null;
  const lock = primaryLock(index, f.recvType, allLocks);
  return lock.length > 0 ? lock.map((name) => ({ name, mode: 'write' })) : null;
}

/**
 * The lock of a type: its only one, or the one named `mu`, `lock`, … (empty when ambiguous). A
 * type with no lock of its own has the one of the struct it embeds, when exactly one embedded
 * struct has one (etcd's batchTxBuffered and the `batchTx.Mutex` of its embedded batchTx).
 */
function primaryLock(index: PackageIndex, type: string, allLocks: string[], depth = 0): string[] {
  const own = allLocks.filter((n) => n === type || n.startsWith(`${type}.`));
  const main = own.filter((n) => n === type || PRIMARY.has(n.slice(type.length + 1)));
  if (main.length === 1) return main;
  if (own.length === 1) return own;
  if (own.length > 0 || depth > 2) return [];
  const inner = (index.structs.get(type)?.embedded ?? []).map((e) => primaryLock(index, e.type.replace(/^\*/, '').trim(), allLocks, depth + 1)).filter((l) => l.length > 0);
  return inner.length === 1 ? inner[0]! : [];
}

function resolveLocks(index: PackageIndex, f: FuncInfo, sentence: string, allLocks: string[]): string[] {
  const primary = (type: string): string[] => primaryLock(index, type, allLocks);
  const field = (type: string | null, name: string): string[] => {
    const parts = name.split('.');
    const last = parts.pop()!;
    if (type && allLocks.includes(`${type}.${last}`)) return [`${type}.${last}`];
    // A bare name (`lock`, `clMu`) is the receiver's; `x.clMu` may be another value's field.
    if (parts.length === 0 || parts[0] === f.recvName) return [];
    // `group.Mu` with a parameter `group *ConsumerGroup`: that type's field (seaweedfs'
    // "The caller must hold group.Mu" on EvictExpiredMembersLocked).
    const param = parts.length === 1 ? f.params.find((p) => p.name === parts[0]) : undefined;
    if (param) {
      const t = param.type.replace(/^\*/, '').trim();
      return allLocks.includes(`${t}.${last}`) ? [`${t}.${last}`] : [];
    }
    const any = allLocks.filter((n) => n.endsWith(`.${last}`));
    return any.length === 1 ? any : [];
  };
  const recv = f.recvType;
  // A named lock field (`s.mu`, `clMu`) is the most precise statement.
  const path = FIELD_PATH.exec(sentence);
  if (path) {
    const found = field(recv, path[1]!);
    if (found.length > 0) return found;
    // `other.mu` of a value that is not the receiver and cannot be placed: not the receiver's lock.
    if (path[1]!.includes('.') && path[1]!.split('.')[0] !== f.recvName) return [];
  }
  // `(assumes group is already locked)` with a parameter `group *ConsumerGroup`: that type's lock.
  const subject = SUBJECT.exec(sentence)?.[1];
  const param = subject ? f.params.find((p) => p.name === subject) : undefined;
  if (param) return primary(param.type.replace(/^\*/, '').trim());
  const q = QUALIFIED.exec(sentence);
  const word = q?.[1];
  if (!word || GENERIC.has(word.toLowerCase()) || /^(?:lock|mutex)$/i.test(word)) return recv ? primary(recv) : [];
  if (word.includes('.')) return field(recv, word);
  if (recv && (word === f.recvName || word.toLowerCase() === recv.toLowerCase())) return primary(recv);
  // `Server lock`, `account lock`: a struct type of the package.
  for (const name of index.structs.keys()) if (name.toLowerCase() === word.toLowerCase()) return primary(name);
  // `js lock` with a receiver field `js *jetStream`: that field's type.
  const s = recv ? index.structs.get(recv) : undefined;
  const fieldType = s?.fields.get(word)?.type.replace(/^\*/, '').trim();
  if (fieldType && index.structs.has(fieldType)) return primary(fieldType);
  return [];
}

/**
 * "This should be called during init()", "It is intended to be called from the init function"
 * (crypto.RegisterHash), "must be called in init": the doc comment says the function runs at
 * package initialisation, which Go runs in one goroutine before main. A registry filled that way
 * is written before any goroutine reads it (caddy's RegisterNetwork, docs/ordering.md).
 */
const INIT_ONLY =
  /\b(?:should|must|is\s+(?:intended|meant|designed|supposed)\s+to|are\s+(?:intended|meant|designed|supposed)\s+to|only)\s+(?:only\s+)?be\s+(?:only\s+)?called\s+(?:only\s+)?(?:from|during|in|at|inside|within)\s+(?:an?\s+|the\s+|its\s+|your\s+)?(?:package(?:'s)?\s+)?`?init\b(?:\(\))?`?(?!\w)/i;

/** Whether the doc comment of `f` says it is to be called during package initialisation only. */
export function documentedInitOnly(f: FuncInfo): boolean {
  if (f.literal || !f.file) return false;
  return INIT_ONLY.test(docComment(f.file.text, f.start));
}
