// A struct with no lock of its own is guarded by the lock of the value holding it: two stores,
// each with its own mutex and its own meta, never race though no single lock is held at every
// access (docs/locks.md, "The owner's lock"). A call without the owner's lock, or one meta
// reached from two stores through a variable, still races.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assertBuilt, cleanupTemp } from './helpers/cli.js';
import { fixtureInput, lineOf, swapIn, scanRules } from './helpers/variants.js';

beforeAll(assertBuilt);
afterAll(cleanupTemp);

const BASE = fixtureInput('negative/child-guarded-by-each-owners-lock');

const scan = scanRules;
const swap = (from: string, to: string) => swapIn(BASE, from, to);

describe("maps of a lock-less struct guarded by each owner's lock", () => {
  it('every store calls into its meta under its own mutex (the fixture): no finding', () => {
    expect(scan(BASE)).toEqual([]);
  });

  it('one store calls into its meta without its lock: the meta maps race', () => {
    const src = swap('\tms.mu.Lock()\n\tdefer ms.mu.Unlock()\n\tms.sdm.add(seq, subj)', '\tms.sdm.add(seq, subj)');
    const found = scan(src).join(' ');
    expect(found).toMatch(new RegExp(`@(${lineOf(src, 'm.totals[subj]++')}|${lineOf(src, 'm.pending[seq] = subj')}|${lineOf(src, 'delete(m.pending, s)')})\\b`));
  });

  it('one store reads the meta map directly without its lock: races', () => {
    const src = swap('\tms.mu.RLock()\n\tdefer ms.mu.RUnlock()\n\treturn ms.sdm.totals[subj]', '\treturn ms.sdm.totals[subj]');
    expect(scan(src).join(' ')).toMatch(new RegExp(`@(${lineOf(src, 'return ms.sdm.totals[subj]')}|${lineOf(src, 'm.totals[subj]++')})\\b`));
  });

  it('the method nothing in the package calls, called without the lock from a goroutine: races', () => {
    const src = swap('\t\t\t\t_ = fs.Total("a") + ms.Total("b")', '\t\t\t\t_ = fs.Total("a") + ms.Total("b")\n\t\t\t\t_ = fs.sdm.Has("a")');
    expect(scan(src).join(' ')).toMatch(new RegExp(`@(${lineOf(src, '_, ok := m.totals[subj]')}|${lineOf(src, 'm.totals[subj]++')})\\b`));
  });

  it('the helper handed a meta, called once without the lock: races', () => {
    const src = swap('\tms.mu.RLock()\n\tsdm := ms.sdm\n\tn := encode(sdm)\n\tms.mu.RUnlock()', '\tms.mu.RLock()\n\tsdm := ms.sdm\n\tms.mu.RUnlock()\n\tn := encode(sdm)');
    expect(scan(src).join(' ')).toMatch(new RegExp(`@(${lineOf(src, 'for _, v := range m.totals {')}|${lineOf(src, 'm.totals[subj]++')}|${lineOf(src, 'delete(m.totals, k)')})\\b`));
  });

  it('one meta in a package variable used by both stores under their different locks: races', () => {
    let src = swap('func newFileStore() *fileStore { return &fileStore{sdm: newMeta()} }', 'var shared = newMeta()\n\nfunc newFileStore() *fileStore { return &fileStore{sdm: newMeta()} }');
    src = swapIn(src, '\tfs.mu.Lock()\n\tfs.sdm.add(seq, subj)', '\tfs.mu.Lock()\n\tshared.add(seq, subj)');
    src = swapIn(src, '\tdefer ms.mu.Unlock()\n\tms.sdm.add(seq, subj)', '\tdefer ms.mu.Unlock()\n\tshared.add(seq, subj)');
    expect(scan(src).length).toBeGreaterThan(0);
  });
});

describe("a lock-less buffer inside a transaction whose lock is its embedded struct's", () => {
  const TX = fixtureInput('negative/unsafe-method-under-embedded-lock');

  it('UnsafePut (its caller holds the lock, by its name) and Commit under the lock (the fixture): no finding', () => {
    expect(scan(TX)).toEqual([]);
  });

  it('the same method without the Unsafe name says nothing of its callers: the buffer races with Commit', () => {
    const src = swapIn(swapIn(TX, 'func (t *batchTxBuffered) UnsafePut(', 'func (t *batchTxBuffered) Put('), '// UnsafePut stores k; like etcd\'s Unsafe… methods, its caller holds the lock.', '// Put stores k.');
    expect(scan(src).join(' ')).toMatch(new RegExp(`@(${lineOf(src, 'w.buckets[k] = v')}|${lineOf(src, 'delete(b.buckets, k)')}|${lineOf(src, 'for k := range b.buckets {')})\\b`));
  });

  it('Commit without the lock: races', () => {
    const src = swapIn(TX, '\tt.batchTx.Mutex.Lock()\n\tdefer t.batchTx.Mutex.Unlock()\n', '');
    expect(scan(src).length).toBeGreaterThan(0);
  });
});
